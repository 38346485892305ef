//! The `<row>` elements of a sheet, written straight into a byte buffer.
//!
//! A cell costs a few appends here: the column's letters are computed once, row
//! numbers and integers go through `itoa`, fractions through `ryu`, and text is
//! copied unless it holds one of the few characters SpreadsheetML escapes.

use super::xlsx::Style;

/// Appends `<row>` elements to a buffer the caller drains now and then.
pub struct Cells {
    buf: Vec<u8>,
    /// `A`, `B`, … `Z`, `AA`, … per column index.
    letters: Vec<String>,
    row: u32,
    itoa: itoa::Buffer,
    ryu: ryu::Buffer,
}

impl Cells {
    pub fn new(columns: usize, capacity: usize) -> Self {
        Self {
            buf: Vec::with_capacity(capacity),
            letters: (0..columns).map(column_letters).collect(),
            row: 0,
            itoa: itoa::Buffer::new(),
            ryu: ryu::Buffer::new(),
        }
    }

    /// Rows started so far; the first is row 1.
    pub fn rows(&self) -> u32 {
        self.row
    }

    pub fn len(&self) -> usize {
        self.buf.len()
    }

    /// Hands over what was written, leaving an empty buffer of the same capacity.
    pub fn take(&mut self) -> Vec<u8> {
        let cap = self.buf.capacity();
        std::mem::replace(&mut self.buf, Vec::with_capacity(cap))
    }

    pub fn start_row(&mut self) {
        self.row += 1;
        self.buf.extend_from_slice(b"<row r=\"");
        self.buf
            .extend_from_slice(self.itoa.format(self.row).as_bytes());
        self.buf.extend_from_slice(b"\">");
    }

    pub fn end_row(&mut self) {
        self.buf.extend_from_slice(b"</row>");
    }

    pub fn integer(&mut self, col: u16, v: i64) {
        self.open(col, Style::Default, None);
        self.buf.extend_from_slice(b"<v>");
        self.buf.extend_from_slice(self.itoa.format(v).as_bytes());
        self.buf.extend_from_slice(b"</v></c>");
    }

    /// A number shown with `style` (a date's serial with [`Style::Date`]).
    pub fn number(&mut self, col: u16, v: f64, style: Style) {
        if !v.is_finite() {
            // SpreadsheetML has no NaN or infinity; an empty cell is the honest value.
            return;
        }
        self.open(col, style, None);
        self.buf.extend_from_slice(b"<v>");
        let text = self.ryu.format_finite(v);
        // `ryu` writes whole numbers as `3.0`; Excel reads that too, but it is
        // a byte per cell for nothing.
        let text = text.strip_suffix(".0").unwrap_or(text);
        self.buf.extend_from_slice(text.as_bytes());
        self.buf.extend_from_slice(b"</v></c>");
    }

    /// A string of the shared string table, by its index there.
    pub fn shared(&mut self, col: u16, index: usize) {
        self.open(col, Style::Default, Some(b"s"));
        self.buf.extend_from_slice(b"<v>");
        self.buf
            .extend_from_slice(self.itoa.format(index).as_bytes());
        self.buf.extend_from_slice(b"</v></c>");
    }

    /// A string written in the cell itself.
    pub fn text(&mut self, col: u16, v: &str, style: Style) {
        self.open(col, style, Some(b"inlineStr"));
        let padded = v.starts_with(char::is_whitespace) || v.ends_with(char::is_whitespace);
        self.buf.extend_from_slice(if padded {
            b"<is><t xml:space=\"preserve\">".as_slice()
        } else {
            b"<is><t>".as_slice()
        });
        escape_into(&mut self.buf, v);
        self.buf.extend_from_slice(b"</t></is></c>");
    }

    /// Raw XML between rows (the sheet's head and tail).
    pub fn raw(&mut self, xml: &str) {
        self.buf.extend_from_slice(xml.as_bytes());
    }

    fn open(&mut self, col: u16, style: Style, kind: Option<&[u8]>) {
        self.buf.extend_from_slice(b"<c r=\"");
        self.buf
            .extend_from_slice(self.letters[usize::from(col)].as_bytes());
        self.buf
            .extend_from_slice(self.itoa.format(self.row).as_bytes());
        self.buf.push(b'"');
        if style != Style::Default {
            self.buf.extend_from_slice(b" s=\"");
            self.buf
                .extend_from_slice(self.itoa.format(style as u8).as_bytes());
            self.buf.push(b'"');
        }
        if let Some(kind) = kind {
            self.buf.extend_from_slice(b" t=\"");
            self.buf.extend_from_slice(kind);
            self.buf.push(b'"');
        }
        self.buf.push(b'>');
    }
}

/// `0` → `A`, `25` → `Z`, `26` → `AA`.
pub fn column_letters(index: usize) -> String {
    let mut n = index + 1;
    let mut out = Vec::new();
    while n > 0 {
        let rem = (n - 1) % 26;
        out.push(b'A' + rem as u8);
        n = (n - 1) / 26;
    }
    out.reverse();
    String::from_utf8(out).expect("column letters are ASCII")
}

/// Appends `text` as XML character data the way Excel writes it: `&`, `<` and
/// `>` as entities; control characters (other than tab and line feed), which XML
/// 1.0 cannot carry, and the non-characters U+FFFE/U+FFFF as `_xHHHH_`; and an
/// underscore that would otherwise start such an escape as `_x005F_`, so that
/// text like `_x0041_` reads back as itself rather than as `A`.
pub fn escape_into(buf: &mut Vec<u8>, text: &str) {
    let bytes = text.as_bytes();
    let mut plain = 0;
    let mut i = 0;
    while i < bytes.len() {
        let b = bytes[i];
        let escape: Option<EscapeBy> = match b {
            b'&' => Some(EscapeBy::Entity("&amp;")),
            b'<' => Some(EscapeBy::Entity("&lt;")),
            b'>' => Some(EscapeBy::Entity("&gt;")),
            b'\t' | b'\n' => None,
            0..=0x1F => Some(EscapeBy::Code(u32::from(b), 1)),
            b'_' if looks_like_escape(&bytes[i..]) => Some(EscapeBy::Code(u32::from(b'_'), 1)),
            // U+FFFE and U+FFFF are EF BF BE and EF BF BF in UTF-8.
            0xEF if bytes.get(i + 1) == Some(&0xBF)
                && matches!(bytes.get(i + 2), Some(0xBE | 0xBF)) =>
            {
                Some(EscapeBy::Code(0xFFC0 | u32::from(bytes[i + 2] & 0x3F), 3))
            }
            _ => None,
        };
        let Some(escape) = escape else {
            i += 1;
            continue;
        };
        buf.extend_from_slice(&bytes[plain..i]);
        match escape {
            EscapeBy::Entity(e) => {
                buf.extend_from_slice(e.as_bytes());
                i += 1;
            }
            EscapeBy::Code(code, width) => {
                use std::io::Write;
                // For an underscore, `_x005F_` stands for it and the rest of
                // the look-alike follows as plain text.
                write!(buf, "_x{code:04X}_").expect("writing into a Vec cannot fail");
                i += width;
            }
        }
        plain = i;
    }
    buf.extend_from_slice(&bytes[plain..]);
}

enum EscapeBy {
    Entity(&'static str),
    /// The code to write and the bytes it replaces.
    Code(u32, usize),
}

/// `_xHHHH_` at the start of `bytes`.
fn looks_like_escape(bytes: &[u8]) -> bool {
    bytes.len() >= 7
        && bytes[1] == b'x'
        && bytes[2..6].iter().all(u8::is_ascii_hexdigit)
        && bytes[6] == b'_'
}

#[cfg(test)]
mod tests {
    use super::*;

    fn escaped(text: &str) -> String {
        let mut buf = Vec::new();
        escape_into(&mut buf, text);
        String::from_utf8(buf).unwrap()
    }

    #[test]
    fn letters_follow_excel_columns() {
        let cases = [
            (0, "A"),
            (23, "X"),
            (25, "Z"),
            (26, "AA"),
            (51, "AZ"),
            (52, "BA"),
            (701, "ZZ"),
            (702, "AAA"),
            (16383, "XFD"),
        ];
        for (i, want) in cases {
            assert_eq!(column_letters(i), want, "column {i}");
        }
    }

    #[test]
    fn escapes_what_xml_and_excel_need() {
        assert_eq!(
            escaped("서울 강남구 <A&B> \"q\""),
            "서울 강남구 &lt;A&amp;B&gt; \"q\""
        );
        assert_eq!(
            escaped("tab\tline\nbell\u{7}cr\r"),
            "tab\tline\nbell_x0007_cr_x000D_"
        );
        assert_eq!(escaped("\u{0}"), "_x0000_");
        assert_eq!(escaped("a\u{FFFE}b\u{FFFF}"), "a_xFFFE_b_xFFFF_");
        assert_eq!(escaped("\u{FFFD}\u{FFEF}"), "\u{FFFD}\u{FFEF}");
        assert_eq!(escaped("_x0041_"), "_x005F_x0041_");
        assert_eq!(escaped("snake_x_case _x12_"), "snake_x_case _x12_");
        assert_eq!(escaped(""), "");
    }

    #[test]
    fn cells_are_spreadsheetml() {
        let mut c = Cells::new(24, 256);
        c.start_row();
        c.integer(0, 42);
        c.number(7, 45351.5, Style::Date);
        c.number(16, 3.0, Style::Default);
        c.number(17, f64::NAN, Style::Default);
        c.shared(2, 3);
        c.text(23, " pad", Style::Default);
        c.end_row();
        assert_eq!(
            String::from_utf8(c.take()).unwrap(),
            "<row r=\"1\"><c r=\"A1\"><v>42</v></c><c r=\"H1\" s=\"2\"><v>45351.5</v></c>\
             <c r=\"Q1\"><v>3</v></c><c r=\"C1\" t=\"s\"><v>3</v></c>\
             <c r=\"X1\" t=\"inlineStr\"><is><t xml:space=\"preserve\"> pad</t></is></c></row>"
        );
        assert_eq!(c.rows(), 1);
        assert_eq!(c.len(), 0);
    }
}
