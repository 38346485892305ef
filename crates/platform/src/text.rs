//! What text input may contain, decided once for every app.
//!
//! Control characters are refused wherever text comes in (JSON bodies, STOMP
//! bodies, query strings, path segments): NUL cannot be stored by PostgreSQL at all
//! (and SQLite stores it, so the two engines would disagree), and the others have
//! no business in names, addresses or messages. Tab, line feed and carriage return
//! are text. Characters that only take up no room (zero-width space and joiners,
//! word joiner, byte-order mark) are allowed inside text but do not make a value
//! non-blank.

use serde_json::Value;

/// Is `c` refused in text input? C0 controls except tab, LF and CR; DEL; C1
/// controls.
pub fn is_forbidden(c: char) -> bool {
    matches!(c, '\u{0}'..='\u{8}' | '\u{b}' | '\u{c}' | '\u{e}'..='\u{1f}' | '\u{7f}'..='\u{9f}')
}

/// The first refused character of `s`, if any.
pub fn forbidden_in(s: &str) -> Option<char> {
    s.chars().find(|&c| is_forbidden(c))
}

fn is_invisible(c: char) -> bool {
    c.is_whitespace()
        || matches!(
            c,
            '\u{200b}' | '\u{200c}' | '\u{200d}' | '\u{2060}' | '\u{feff}'
        )
}

/// `s` without surrounding whitespace and zero-width characters.
pub fn trim(s: &str) -> &str {
    s.trim_matches(is_invisible)
}

/// Nothing but whitespace and zero-width characters?
pub fn is_blank(s: &str) -> bool {
    trim(s).is_empty()
}

/// `s` for HTML text or a quoted attribute: `& < > " '` as entities, so a name a
/// user chose cannot become markup in a page or a mail.
pub fn html_escape(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            c => out.push(c),
        }
    }
    out
}

/// The path (`items[0].name`) of the first string or key of a JSON document that
/// holds a refused character, if any. Documents without such a character (nearly
/// all) are only scanned, not parsed.
pub fn json_path_of_forbidden(bytes: &[u8]) -> Option<String> {
    if !json_may_hold_forbidden(bytes) {
        return None;
    }
    let value: Value = serde_json::from_slice(bytes).ok()?;
    let mut path = String::new();
    find_in(&value, &mut path).then_some(path)
}

/// A fast over-approximation on the raw bytes: a DEL or C1 byte sequence, or a
/// `\u` escape of a refused character (a raw C0 control is not valid JSON).
fn json_may_hold_forbidden(bytes: &[u8]) -> bool {
    let mut i = 0;
    while i < bytes.len() {
        match bytes[i] {
            0x7f => return true,
            0xc2 if bytes.get(i + 1).is_some_and(|b| (0x80..=0x9f).contains(b)) => return true,
            b'\\' => {
                if bytes.get(i + 1) == Some(&b'u')
                    && let Some(hex) = bytes.get(i + 2..i + 6)
                    && let Ok(hex) = std::str::from_utf8(hex)
                    && let Ok(code) = u32::from_str_radix(hex, 16)
                    && char::from_u32(code).is_some_and(is_forbidden)
                {
                    return true;
                }
                // Skip the escaped character, so `\\u0000` (a backslash, then text)
                // is not read as an escape.
                i += 2;
                continue;
            }
            _ => {}
        }
        i += 1;
    }
    false
}

fn find_in(value: &Value, path: &mut String) -> bool {
    match value {
        Value::String(s) => forbidden_in(s).is_some(),
        Value::Array(items) => items.iter().enumerate().any(|(i, item)| {
            let len = path.len();
            path.push_str(&format!("[{i}]"));
            let found = find_in(item, path);
            if !found {
                path.truncate(len);
            }
            found
        }),
        Value::Object(map) => map.iter().any(|(key, item)| {
            let len = path.len();
            if !path.is_empty() {
                path.push('.');
            }
            path.push_str(key);
            let found = forbidden_in(key).is_some() || find_in(item, path);
            if !found {
                path.truncate(len);
            }
            found
        }),
        _ => false,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn html_escape_leaves_no_markup() {
        assert_eq!(
            html_escape(r#"<b onclick="x('1')">&amp;</b> 한글"#),
            "&lt;b onclick=&quot;x(&#39;1&#39;)&quot;&gt;&amp;amp;&lt;/b&gt; 한글"
        );
    }

    #[test]
    fn controls_are_refused_and_text_is_not() {
        for c in [
            '\0', '\u{1}', '\u{8}', '\u{b}', '\u{1b}', '\u{7f}', '\u{85}', '\u{9f}',
        ] {
            assert!(is_forbidden(c), "{c:?}");
        }
        for c in ['\t', '\n', '\r', ' ', 'a', '한', '\u{a0}', '\u{200b}', '😀'] {
            assert!(!is_forbidden(c), "{c:?}");
        }
        assert_eq!(forbidden_in("ad\0min"), Some('\0'));
        assert_eq!(forbidden_in("line\nbreak\ttab"), None);
    }

    #[test]
    fn zero_width_text_is_blank() {
        assert!(is_blank(" \u{200b}\u{feff}\u{2060} "));
        assert!(!is_blank("\u{200b}a"));
        assert_eq!(trim("\u{feff} kim \u{200b}"), "kim");
    }

    #[test]
    fn json_paths_of_refused_characters() {
        let cases: [(&str, Option<&str>); 8] = [
            (r#"{"user_id":"ad\u0000min"}"#, Some("user_id")),
            (
                r#"{"items":[{"name":"ok"},{"name":"x\u001b"}]}"#,
                Some("items[1].name"),
            ),
            (r#"{"a":{"b":"\u007F"}}"#, Some("a.b")),
            ("{\"c1\":\"\u{85}\"}", Some("c1")),
            (r#"{"k\u0001":"v"}"#, Some("k\u{1}")),
            (r#"{"note":"a\nb\tc\r"}"#, None),
            (r#"{"path":"C:\\u0000"}"#, None),
            (r#"{"emoji":"\ud83d\ude00","n":1}"#, None),
        ];
        for (doc, want) in cases {
            assert_eq!(
                json_path_of_forbidden(doc.as_bytes()).as_deref(),
                want,
                "{doc}"
            );
        }
    }
}
