//! A gzip body assembled from pieces compressed once and kept: a large reply
//! that is mostly the same from one request to the next (a month of orders
//! where one day changed) is compressed per piece, when the piece changes,
//! instead of whole, per request.
//!
//! Each piece is raw DEFLATE ended by a full flush (RFC 1951: the output ends
//! on a byte boundary and the next block refers to nothing before it), so
//! pieces can be laid end to end in any order. One gzip member (RFC 1952)
//! wraps them: a header, the pieces, an empty final block, and the CRC-32 and
//! length of the whole, both combined from the pieces' own.

use bytes::{BufMut, Bytes, BytesMut};
use flate2::{Compress, Compression, FlushCompress};

/// One piece of a gzip body: its DEFLATE blocks, and the CRC-32 and length of
/// what they decompress to.
#[derive(Clone)]
pub struct Piece {
    deflate: Bytes,
    crc: crc32fast::Hasher,
    len: u64,
}

impl std::fmt::Debug for Piece {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Piece")
            .field("compressed", &self.deflate.len())
            .field("len", &self.len)
            .finish()
    }
}

impl Piece {
    /// `data` compressed at `level` (0–9; 1 is fast and usually enough).
    pub fn compress(data: &[u8], level: u32) -> Self {
        let mut z = Compress::new(Compression::new(level), false);
        let mut out = Vec::with_capacity(data.len() / 4 + 64);
        loop {
            let consumed = usize::try_from(z.total_in()).expect("input fits in memory");
            out.reserve(data.len().saturating_sub(consumed) / 4 + 1024);
            z.compress_vec(&data[consumed..], &mut out, FlushCompress::Full)
                .expect("compressing into a growing buffer cannot fail");
            // Done when all input is taken and the flush left room to spare
            // (a full buffer may hold more of the flush).
            if z.total_in() as usize == data.len() && out.len() < out.capacity() {
                break;
            }
        }
        Self::with(Bytes::from(out), data)
    }

    /// `data` as stored blocks (no compression): for the few bytes between
    /// compressed pieces, where compressing would cost more than it saves.
    pub fn stored(data: &[u8]) -> Self {
        let mut out = BytesMut::with_capacity(data.len() + 5 * (data.len() / 65_535 + 1));
        for chunk in data.chunks(65_535) {
            // BFINAL = 0, BTYPE = 00, then LEN and its complement, byte-aligned.
            out.put_u8(0);
            let n = chunk.len() as u16;
            out.put_u16_le(n);
            out.put_u16_le(!n);
            out.put_slice(chunk);
        }
        Self::with(out.freeze(), data)
    }

    fn with(deflate: Bytes, data: &[u8]) -> Self {
        let mut crc = crc32fast::Hasher::new();
        crc.update(data);
        Self {
            deflate,
            crc,
            len: data.len() as u64,
        }
    }

    /// The compressed size in bytes.
    pub fn compressed_len(&self) -> usize {
        self.deflate.len()
    }

    /// The size it decompresses to.
    pub fn len(&self) -> u64 {
        self.len
    }

    pub fn is_empty(&self) -> bool {
        self.len == 0
    }
}

/// Whether the request's `Accept-Encoding` takes gzip (a `q=0` refuses it).
pub fn accepted(headers: &axum::http::HeaderMap) -> bool {
    headers
        .get_all(axum::http::header::ACCEPT_ENCODING)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(','))
        .any(|coding| {
            let mut parts = coding.split(';').map(str::trim);
            let name = parts.next().unwrap_or("");
            let refused = parts.any(|p| {
                p.strip_prefix("q=")
                    .and_then(|q| q.parse::<f32>().ok())
                    .is_some_and(|q| q <= 0.0)
            });
            (name.eq_ignore_ascii_case("gzip") || name == "*") && !refused
        })
}

/// One gzip member holding `pieces` in order.
pub fn join<'a>(pieces: impl IntoIterator<Item = &'a Piece> + Clone) -> Bytes {
    let size: usize = pieces.clone().into_iter().map(|p| p.deflate.len()).sum();
    let mut out = BytesMut::with_capacity(10 + size + 5 + 8);
    // ID1 ID2, CM = deflate, no flags, no mtime, no extra flags, OS unknown.
    out.put_slice(&[0x1f, 0x8b, 8, 0, 0, 0, 0, 0, 0, 255]);
    let mut crc = crc32fast::Hasher::new();
    let mut len = 0u64;
    for p in pieces {
        out.put_slice(&p.deflate);
        crc.combine(&p.crc);
        len += p.len;
    }
    // An empty stored block with BFINAL set ends the DEFLATE stream.
    out.put_slice(&[1, 0, 0, 0xff, 0xff]);
    out.put_u32_le(crc.finalize());
    out.put_u32_le(len as u32); // ISIZE is the length modulo 2^32
    out.freeze()
}

#[cfg(test)]
mod tests {
    use std::io::Read;

    use super::*;

    fn gunzip(bytes: &[u8]) -> Vec<u8> {
        let mut out = Vec::new();
        flate2::read::GzDecoder::new(bytes)
            .read_to_end(&mut out)
            .expect("a valid gzip member");
        out
    }

    fn text(n: usize, seed: u64) -> Vec<u8> {
        let mut x = seed;
        (0..n)
            .map(|_| {
                x = x
                    .wrapping_mul(6364136223846793005)
                    .wrapping_add(1442695040888963407);
                b"{\"id\":,abcdef 0123456789"[(x >> 59) as usize % 24]
            })
            .collect()
    }

    #[test]
    fn pieces_in_any_order_make_one_valid_member() {
        let a = text(300_000, 1);
        let b = text(5, 2);
        let c = text(70_000, 3);
        let pieces = [
            Piece::compress(&a, 1),
            Piece::stored(&b),
            Piece::compress(&c, 6),
            Piece::stored(b""),
            Piece::compress(b"", 1),
            Piece::stored(&c),
        ];
        for order in [[0, 1, 2, 3, 4, 5], [5, 4, 3, 2, 1, 0], [2, 0, 5, 1, 3, 4]] {
            let picked: Vec<&Piece> = order.iter().map(|&i| &pieces[i]).collect();
            let want: Vec<u8> = order
                .iter()
                .flat_map(|&i| match i {
                    0 => a.clone(),
                    1 => b.clone(),
                    2 | 5 => c.clone(),
                    _ => Vec::new(),
                })
                .collect();
            assert_eq!(gunzip(&join(picked.iter().copied())), want, "{order:?}");
        }
    }

    #[test]
    fn an_empty_body_and_a_large_stored_piece_are_valid() {
        assert_eq!(gunzip(&join(&[] as &[Piece])), b"");
        let big = text(200_000, 9);
        assert_eq!(gunzip(&join([&Piece::stored(&big)])), big);
    }

    #[test]
    fn accept_encoding_is_read_with_its_weights() {
        let h = |v: &str| {
            let mut m = axum::http::HeaderMap::new();
            m.insert(axum::http::header::ACCEPT_ENCODING, v.parse().unwrap());
            m
        };
        assert!(accepted(&h("gzip, deflate, br")));
        assert!(accepted(&h("br;q=1.0, GZIP;q=0.5")));
        assert!(accepted(&h("*")));
        assert!(!accepted(&h("gzip;q=0")));
        assert!(!accepted(&h("br, deflate")));
        assert!(!accepted(&axum::http::HeaderMap::new()));
    }

    #[test]
    fn compression_pays() {
        // Records like a list's: repeated keys, varying values.
        let rows: String = (0..1000)
            .map(|i| format!("{{\"dashboard_id\":{i},\"status\":\"WAITING\",\"eta\":\"2026-11-{:02}T10:{:02}:00\"}},", i % 28 + 1, i % 60))
            .collect();
        for level in [1, 6] {
            let p = Piece::compress(rows.as_bytes(), level);
            assert_eq!(p.len(), rows.len() as u64);
            assert!(
                p.compressed_len() * 4 < rows.len(),
                "level {level}: {} of {}",
                p.compressed_len(),
                rows.len()
            );
        }
    }
}
