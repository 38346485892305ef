//! A rating: 0.5 to 5.0 stars in steps of a half, kept as a count of half stars so
//! that sums and averages are exact.

use serde::{Serialize, Serializer};

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub struct Rating(u8);

#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
pub enum RatingError {
    #[error("a rating is from 0.5 to 5.0")]
    OutOfRange,
    #[error("a rating is a whole or half star")]
    NotAHalfStep,
}

impl Rating {
    /// The rating of `stars` (as a client sends it: `4`, `4.5`).
    pub fn from_stars(stars: f64) -> Result<Self, RatingError> {
        if !stars.is_finite() || !(0.5..=5.0).contains(&stars) {
            return Err(RatingError::OutOfRange);
        }
        let halves = stars * 2.0;
        if halves.fract() != 0.0 {
            return Err(RatingError::NotAHalfStep);
        }
        Ok(Self(halves as u8))
    }

    /// From the stored count of half stars; `None` outside 1..=10.
    pub fn from_halves(halves: i64) -> Option<Self> {
        (1..=10).contains(&halves).then_some(Self(halves as u8))
    }

    pub fn halves(self) -> i64 {
        i64::from(self.0)
    }

    pub fn stars(self) -> f64 {
        f64::from(self.0) / 2.0
    }
}

impl Serialize for Rating {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_f64(self.stars())
    }
}

/// The mean of `count` ratings summing to `halves` half stars, in stars rounded to
/// two decimals (half away from zero); `None` without ratings. Integer arithmetic
/// throughout, so `3.335` never becomes `3.33` by a float's whim.
pub fn average(halves: i64, count: i64) -> Option<f64> {
    if count <= 0 {
        return None;
    }
    // Hundredths of a star: halves / count / 2 * 100, rounded half up.
    let num = i128::from(halves) * 100;
    let den = i128::from(count) * 2;
    let hundredths = (num * 2 + den) / (den * 2);
    Some(hundredths as f64 / 100.0)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn whole_and_half_stars_from_half_to_five() {
        for (stars, halves) in [(0.5, 1), (1.0, 2), (3.0, 6), (4.5, 9), (5.0, 10)] {
            assert_eq!(Rating::from_stars(stars).map(Rating::halves), Ok(halves));
        }
        for bad in [0.0, -0.5, 5.5, 10.0, f64::NAN, f64::INFINITY] {
            assert_eq!(
                Rating::from_stars(bad),
                Err(RatingError::OutOfRange),
                "{bad}"
            );
        }
        for bad in [3.3, 0.75, 4.9999] {
            assert_eq!(
                Rating::from_stars(bad),
                Err(RatingError::NotAHalfStep),
                "{bad}"
            );
        }
    }

    #[test]
    fn averages_round_to_two_decimals() {
        assert_eq!(average(0, 0), None);
        assert_eq!(average(9, 1), Some(4.5));
        // (4.5 + 4.0 + 3.5) / 3 = 4.0
        assert_eq!(average(24, 3), Some(4.0));
        // (5 + 5 + 4.5) / 3 = 4.8333...
        assert_eq!(average(29, 3), Some(4.83));
        // (5 + 4.5 + 4.5) / 3 = 4.6666...
        assert_eq!(average(28, 3), Some(4.67));
        // 1/8 of a star above 3: 3.125 → 3.13 (half up)
        assert_eq!(average(6 * 8 + 2, 8), Some(3.13));
    }
}
