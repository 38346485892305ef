//! Webhook signatures exactly as Stripe makes and checks them: the header
//! `Stripe-Signature: t=<unix time>,v1=<hex>[,v1=<hex>...]`, each `v1` an
//! HMAC-SHA256 with the endpoint secret over `"<t>.<payload>"`; a signature older
//! than the tolerance (5 minutes) is refused, and the comparison takes the same
//! time whatever matches.

use hmac::{Hmac, Mac};
use sha2::Sha256;

/// Stripe's default tolerance.
pub const TOLERANCE_SECS: i64 = 300;

#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
pub enum SignatureError {
    #[error("no Stripe-Signature header")]
    Missing,
    #[error("the Stripe-Signature header has no timestamp or no v1 signature")]
    Malformed,
    #[error("the signature's timestamp is outside the tolerance")]
    Stale,
    #[error("no signature matches the payload")]
    Mismatch,
}

fn mac(secret: &str, t: i64, payload: &[u8]) -> Hmac<Sha256> {
    let mut m = Hmac::<Sha256>::new_from_slice(secret.as_bytes())
        .expect("HMAC-SHA256 takes a key of any length");
    m.update(t.to_string().as_bytes());
    m.update(b".");
    m.update(payload);
    m
}

/// The header value Stripe would send for `payload` at time `t`.
pub fn header(secret: &str, t: i64, payload: &[u8]) -> String {
    let sig = hex::encode(mac(secret, t, payload).finalize().into_bytes());
    format!("t={t},v1={sig}")
}

/// Checks `header` for `payload` at time `now` (Unix seconds).
pub fn verify(
    secret: &str,
    payload: &[u8],
    header: Option<&str>,
    now: i64,
) -> Result<(), SignatureError> {
    let header = header.ok_or(SignatureError::Missing)?;
    let mut t: Option<i64> = None;
    let mut signatures: Vec<Vec<u8>> = Vec::new();
    for item in header.split(',') {
        let Some((k, v)) = item.trim().split_once('=') else {
            continue;
        };
        match k {
            "t" => t = v.parse().ok(),
            // Other schemes (`v0`) are ignored, as Stripe's libraries do.
            "v1" => {
                if let Ok(sig) = hex::decode(v) {
                    signatures.push(sig);
                }
            }
            _ => {}
        }
    }
    let t = t.ok_or(SignatureError::Malformed)?;
    if signatures.is_empty() {
        return Err(SignatureError::Malformed);
    }
    // Every candidate is checked in constant time; one match is enough (Stripe
    // sends several while a secret is being rolled).
    let expected = mac(secret, t, payload);
    let matched = signatures.iter().fold(false, |any, sig| {
        expected.clone().verify_slice(sig).is_ok() | any
    });
    if !matched {
        return Err(SignatureError::Mismatch);
    }
    if t < now - TOLERANCE_SECS {
        return Err(SignatureError::Stale);
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    const SECRET: &str = "whsec_test";
    const BODY: &[u8] = br#"{"id":"evt_1","type":"payment_intent.succeeded"}"#;

    #[test]
    fn a_signature_made_here_verifies() {
        let h = header(SECRET, 1_700_000_000, BODY);
        assert!(h.starts_with("t=1700000000,v1="));
        assert_eq!(verify(SECRET, BODY, Some(&h), 1_700_000_100), Ok(()));
    }

    /// The example of Stripe's documentation, recomputed with a known key: the
    /// HMAC is over `t`, a dot and the exact payload bytes.
    #[test]
    fn the_signed_text_is_t_dot_payload() {
        let mut m = Hmac::<Sha256>::new_from_slice(SECRET.as_bytes()).unwrap();
        m.update(b"1700000000.");
        m.update(BODY);
        let sig = hex::encode(m.finalize().into_bytes());
        assert_eq!(
            header(SECRET, 1_700_000_000, BODY),
            format!("t=1700000000,v1={sig}")
        );
    }

    #[test]
    fn any_of_several_v1_signatures_may_match() {
        let good = header(SECRET, 1_700_000_000, BODY);
        let sig = good.split_once(",v1=").unwrap().1;
        let h = format!("t=1700000000,v1={},v0=abc,v1={sig}", "00".repeat(32));
        assert_eq!(verify(SECRET, BODY, Some(&h), 1_700_000_000), Ok(()));
    }

    #[test]
    fn what_is_refused() {
        let h = header(SECRET, 1_700_000_000, BODY);
        let now = 1_700_000_000;
        assert_eq!(
            verify(SECRET, BODY, None, now),
            Err(SignatureError::Missing)
        );
        assert_eq!(
            verify(SECRET, BODY, Some(""), now),
            Err(SignatureError::Malformed)
        );
        assert_eq!(
            verify(SECRET, BODY, Some("v1=abcd"), now),
            Err(SignatureError::Malformed)
        );
        assert_eq!(
            verify(SECRET, BODY, Some("t=1700000000"), now),
            Err(SignatureError::Malformed)
        );
        assert_eq!(
            verify("whsec_other", BODY, Some(&h), now),
            Err(SignatureError::Mismatch)
        );
        assert_eq!(
            verify(SECRET, b"{\"id\":\"evt_2\"}", Some(&h), now),
            Err(SignatureError::Mismatch)
        );
        let t_changed = h.replace("t=1700000000", "t=1700000001");
        assert_eq!(
            verify(SECRET, BODY, Some(&t_changed), now),
            Err(SignatureError::Mismatch)
        );
        assert_eq!(
            verify(SECRET, BODY, Some(&h), now + TOLERANCE_SECS),
            Ok(()),
            "at the edge of the tolerance"
        );
        assert_eq!(
            verify(SECRET, BODY, Some(&h), now + TOLERANCE_SECS + 1),
            Err(SignatureError::Stale)
        );
    }
}
