//! Property tests: encode/decode round trips in every version, streaming, and any
//! bytes at all decode to a frame or an error, never a panic.

use proptest::prelude::*;
use stomp::{Command, Decoder, Frame, Item, Limits, Version, encode};

fn command() -> impl Strategy<Value = Command> {
    proptest::sample::select(Command::ALL.to_vec())
}

fn version() -> impl Strategy<Value = Version> {
    prop_oneof![
        Just(Version::V1_0),
        Just(Version::V1_1),
        Just(Version::V1_2)
    ]
}

/// Header text a version can carry: 1.2 anything; 1.1 no CR; 1.0 (and CONNECT-type
/// frames) no EOL and no colon in names.
fn text(version: Version, escaped: bool, name: bool) -> BoxedStrategy<String> {
    let any = "\\PC*";
    let s: BoxedStrategy<String> = any.prop_map(|s: String| s).boxed();
    s.prop_map(move |mut s| {
        if !escaped || version == Version::V1_0 {
            s.retain(|c| c != '\n' && c != '\r' && !(name && c == ':'));
        } else if version == Version::V1_1 {
            s.retain(|c| c != '\r');
        }
        if name && s.is_empty() {
            s.push('h');
        }
        s
    })
    .boxed()
}

fn frame_in(version: Version) -> impl Strategy<Value = Frame> {
    command()
        .prop_flat_map(move |cmd| {
            let escaped = cmd.escapes_headers();
            let header = (text(version, escaped, true), text(version, escaped, false))
                .prop_filter("content-length is the codec's", |(k, _)| {
                    k != "content-length"
                });
            (
                Just(cmd),
                proptest::collection::vec(header, 0..6),
                proptest::collection::vec(any::<u8>(), 0..200),
            )
        })
        .prop_map(|(command, headers, body)| Frame {
            command,
            headers,
            body,
        })
}

fn without_generated_length(mut f: Frame) -> Frame {
    if !f.body.is_empty()
        && let Some(i) = f.headers.iter().rposition(|(k, _)| k == "content-length")
    {
        f.headers.remove(i);
    }
    f
}

proptest! {
    #[test]
    fn round_trip((v, frame) in version().prop_flat_map(|v| (Just(v), frame_in(v)))) {
        let bytes = encode(&frame, v);
        let decoder = Decoder::new(v, Limits { max_frame: 1 << 20, max_headers: 64 });
        let (item, used) = decoder.decode(&bytes).unwrap().expect("a whole frame");
        prop_assert_eq!(used, bytes.len());
        match item {
            Item::Frame(f) => prop_assert_eq!(without_generated_length(f), frame),
            Item::HeartBeat => prop_assert!(false, "not a heart-beat"),
        }
    }

    #[test]
    fn every_prefix_asks_for_more(frame in frame_in(Version::V1_2), cut in any::<prop::sample::Index>()) {
        let bytes = encode(&frame, Version::V1_2);
        let cut = cut.index(bytes.len());
        let decoder = Decoder::default();
        let result = decoder.decode(&bytes[..cut]);
        prop_assert!(matches!(result, Ok(None)), "prefix {cut} of {}: {result:?}", bytes.len());
    }

    #[test]
    fn any_bytes_decode_or_fail_cleanly(bytes in proptest::collection::vec(any::<u8>(), 0..512), v in version()) {
        let decoder = Decoder::new(v, Limits { max_frame: 256, max_headers: 8 });
        if let Ok(Some((_, used))) = decoder.decode(&bytes) {
            prop_assert!(used > 0 && used <= bytes.len());
        }
    }

    #[test]
    fn frame_shaped_noise_decodes_or_fails_cleanly(
        cmd in command(),
        lines in proptest::collection::vec("[a-z:\\\\\\r\\n-]{0,12}", 0..6),
        tail in proptest::collection::vec(any::<u8>(), 0..40),
    ) {
        let mut bytes = format!("{}\n{}\n\n", cmd.as_str(), lines.join("\n")).into_bytes();
        bytes.extend(tail);
        let _ = Decoder::default().decode(&bytes);
    }
}
