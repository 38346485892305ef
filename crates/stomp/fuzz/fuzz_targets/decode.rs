//! `cargo +nightly fuzz run decode` (from crates/stomp): any bytes, any version,
//! decoded in a loop as a server would; it must never panic, and every frame it
//! returns must re-encode and decode to itself.
#![no_main]

use libfuzzer_sys::fuzz_target;
use stomp::{Decoder, Item, Limits, Version, encode};

fuzz_target!(|data: &[u8]| {
    let Some((&selector, bytes)) = data.split_first() else { return };
    let version = match selector % 3 {
        0 => Version::V1_0,
        1 => Version::V1_1,
        _ => Version::V1_2,
    };
    let decoder = Decoder::new(version, Limits { max_frame: 4096, max_headers: 16 });
    let mut rest = bytes;
    while let Ok(Some((item, used))) = decoder.decode(rest) {
        assert!(used > 0 && used <= rest.len());
        if let Item::Frame(frame) = item {
            let again = encode(&frame, version);
            let big = Decoder::new(version, Limits { max_frame: 1 << 20, max_headers: 1024 });
            if let Ok(Some((Item::Frame(back), _))) = big.decode(&again) {
                assert_eq!(back.command, frame.command);
                assert_eq!(back.body, frame.body);
            }
        }
        rest = &rest[used..];
    }
});
