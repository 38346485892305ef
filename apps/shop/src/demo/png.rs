//! Product pictures for the demo, drawn here so that no image file ships in the
//! repository: a palette PNG (two colours and a shade) with a disc and a band,
//! written with stored (uncompressed) deflate blocks, which every decoder reads.

/// A `size`×`size` picture on `background` with a disc of `accent`.
pub fn picture(size: u32, background: [u8; 3], accent: [u8; 3]) -> Vec<u8> {
    let shade = background.map(|c| c.saturating_sub(28));
    // One filter byte, then one palette index per pixel, for each row.
    let mut raw = Vec::with_capacity(((size + 1) * size) as usize);
    let (cx, cy, r) = (size as i64 / 2, size as i64 * 9 / 20, size as i64 / 4);
    for y in 0..size as i64 {
        raw.push(0);
        for x in 0..size as i64 {
            let in_disc = (x - cx).pow(2) + (y - cy).pow(2) <= r * r;
            let in_band = y > size as i64 * 3 / 4;
            raw.push(if in_disc {
                1
            } else if in_band {
                2
            } else {
                0
            });
        }
    }
    let mut png = b"\x89PNG\r\n\x1a\n".to_vec();
    let mut ihdr = Vec::new();
    ihdr.extend_from_slice(&size.to_be_bytes());
    ihdr.extend_from_slice(&size.to_be_bytes());
    // 8-bit indices into a palette; deflate; adaptive filters; no interlace.
    ihdr.extend_from_slice(&[8, 3, 0, 0, 0]);
    chunk(&mut png, b"IHDR", &ihdr);
    let palette: Vec<u8> = [background, accent, shade].concat();
    chunk(&mut png, b"PLTE", &palette);
    chunk(&mut png, b"IDAT", &zlib_stored(&raw));
    chunk(&mut png, b"IEND", &[]);
    png
}

fn chunk(out: &mut Vec<u8>, kind: &[u8; 4], data: &[u8]) {
    out.extend_from_slice(
        &u32::try_from(data.len())
            .expect("a small chunk")
            .to_be_bytes(),
    );
    let start = out.len();
    out.extend_from_slice(kind);
    out.extend_from_slice(data);
    let crc = crc32(&out[start..]);
    out.extend_from_slice(&crc.to_be_bytes());
}

/// A zlib stream of stored blocks (at most 65,535 bytes each).
fn zlib_stored(data: &[u8]) -> Vec<u8> {
    let mut out = vec![0x78, 0x01];
    let blocks: Vec<&[u8]> = data.chunks(65_535).collect();
    for (i, block) in blocks.iter().enumerate() {
        out.push(u8::from(i + 1 == blocks.len()));
        let len = u16::try_from(block.len()).expect("blocks are at most 65,535 bytes");
        out.extend_from_slice(&len.to_le_bytes());
        out.extend_from_slice(&(!len).to_le_bytes());
        out.extend_from_slice(block);
    }
    out.extend_from_slice(&adler32(data).to_be_bytes());
    out
}

fn crc32(data: &[u8]) -> u32 {
    let mut crc = 0xffff_ffffu32;
    for &b in data {
        crc ^= u32::from(b);
        for _ in 0..8 {
            crc = if crc & 1 == 1 {
                (crc >> 1) ^ 0xedb8_8320
            } else {
                crc >> 1
            };
        }
    }
    !crc
}

fn adler32(data: &[u8]) -> u32 {
    let (mut a, mut b) = (1u32, 0u32);
    for &x in data {
        a = (a + u32::from(x)) % 65_521;
        b = (b + a) % 65_521;
    }
    (b << 16) | a
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn checksums_match_their_definitions() {
        assert_eq!(crc32(b"IEND"), 0xae42_6082, "the CRC every PNG ends with");
        assert_eq!(adler32(b"Wikipedia"), 0x11e6_0398);
    }

    #[test]
    fn a_picture_is_a_png() {
        let png = picture(64, [240, 230, 220], [200, 80, 40]);
        assert!(png.starts_with(b"\x89PNG\r\n\x1a\n"));
        assert!(png.ends_with(&[0xae, 0x42, 0x60, 0x82]));
        // 64 rows of 65 bytes, stored, plus the headers.
        assert!(
            png.len() > 64 * 65 && png.len() < 64 * 65 + 200,
            "{}",
            png.len()
        );
    }
}
