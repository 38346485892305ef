//! Money without floating point: amounts are read from the JSON text itself
//! (`15.00`, never through an `f64`), kept as integers, and written back with
//! exactly two decimals (seed §2.3). Storage holds integer minor units of the
//! currency: cents for USD and EUR, whole won for KRW (which has no minor unit).

use std::fmt;

use serde::Serialize;
use serde_json::value::RawValue;

platform::text_enum! {
    /// ISO 4217 codes the shop sells in (seed §7.1).
    pub enum Currency { Krw = "KRW", Usd = "USD", Eur = "EUR" }
}

impl Currency {
    /// Minor units in one major unit.
    pub const fn minor_per_major(self) -> i64 {
        match self {
            Self::Krw => 1,
            Self::Usd | Self::Eur => 100,
        }
    }
}

/// The largest amount accepted: 100 billion, in hundredths.
const MAX_HUNDREDTHS: i64 = 100_000_000_000 * 100;

/// A non-negative decimal amount with at most two places, as hundredths.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Amount(i64);

#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
pub enum AmountError {
    #[error("not a decimal number")]
    NotANumber,
    #[error("negative")]
    Negative,
    #[error("more than two decimal places")]
    TooPrecise,
    #[error("too large")]
    TooLarge,
}

impl Amount {
    pub const ZERO: Self = Self(0);

    pub const fn hundredths(self) -> i64 {
        self.0
    }

    pub const fn from_hundredths(h: i64) -> Self {
        Self(h)
    }

    /// Reads a JSON number's text or a query parameter: digits with an optional
    /// fraction of up to two digits. No exponent, no sign but a refused minus, no
    /// rounding: `15.001` is an error, not `15.00`.
    pub fn parse(text: &str) -> Result<Self, AmountError> {
        let text = text.trim();
        if let Some(rest) = text.strip_prefix('-') {
            return match Self::parse(rest) {
                Ok(a) if a.0 == 0 => Ok(Self::ZERO),
                Ok(_) => Err(AmountError::Negative),
                Err(e) => Err(e),
            };
        }
        let (whole, fraction) = text.split_once('.').unwrap_or((text, ""));
        let digits = |s: &str| s.bytes().all(|b| b.is_ascii_digit());
        if whole.is_empty()
            || !digits(whole)
            || !digits(fraction)
            || (text.contains('.') && fraction.is_empty())
        {
            return Err(AmountError::NotANumber);
        }
        let fraction = fraction.trim_end_matches('0');
        if fraction.len() > 2 {
            return Err(AmountError::TooPrecise);
        }
        let whole = whole.trim_start_matches('0');
        if whole.len() > 12 {
            return Err(AmountError::TooLarge);
        }
        let whole: i64 = if whole.is_empty() {
            0
        } else {
            whole.parse().map_err(|_| AmountError::TooLarge)?
        };
        let cents: i64 = format!("{fraction:0<2}")
            .parse()
            .map_err(|_| AmountError::NotANumber)?;
        let h = whole * 100 + cents;
        if h > MAX_HUNDREDTHS {
            return Err(AmountError::TooLarge);
        }
        Ok(Self(h))
    }

    /// The amount as a JSON number with two decimals.
    pub fn to_json(self) -> Box<RawValue> {
        RawValue::from_string(self.to_string()).expect("a decimal is a JSON number")
    }
}

impl fmt::Display for Amount {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}.{:02}", self.0 / 100, self.0 % 100)
    }
}

impl Serialize for Amount {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        self.to_json().serialize(s)
    }
}

/// An amount in a currency, stored as its minor units.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Money {
    pub minor: i64,
    pub currency: Currency,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
#[error("{0} has no minor unit: whole amounts only")]
pub struct FractionalMinor(pub Currency);

impl Money {
    /// `amount` in `currency`, if the currency can hold it (whole won only).
    pub fn new(amount: Amount, currency: Currency) -> Result<Self, FractionalMinor> {
        let per = 100 / currency.minor_per_major();
        if amount.0 % per != 0 {
            return Err(FractionalMinor(currency));
        }
        Ok(Self {
            minor: amount.0 / per,
            currency,
        })
    }

    pub fn amount(self) -> Amount {
        Amount(self.minor * (100 / self.currency.minor_per_major()))
    }

    /// `unit × quantity`, if it stays in range.
    pub fn times(self, quantity: i64) -> Option<Self> {
        let minor = self.minor.checked_mul(quantity)?;
        Some(Self { minor, ..self })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn amounts_are_read_exactly() {
        for (text, h) in [
            ("15.00", 1500),
            ("15", 1500),
            ("15.5", 1550),
            ("0.01", 1),
            ("0", 0),
            ("-0", 0),
            ("007.10", 710),
            ("15.000", 1500),
            ("100000000000.00", MAX_HUNDREDTHS),
        ] {
            assert_eq!(Amount::parse(text), Ok(Amount(h)), "{text}");
        }
        for (text, e) in [
            ("15.001", AmountError::TooPrecise),
            ("0.999", AmountError::TooPrecise),
            ("-1", AmountError::Negative),
            ("-0.01", AmountError::Negative),
            ("1e3", AmountError::NotANumber),
            ("1.", AmountError::NotANumber),
            (".5", AmountError::NotANumber),
            ("", AmountError::NotANumber),
            ("\"15.00\"", AmountError::NotANumber),
            ("true", AmountError::NotANumber),
            ("1,000", AmountError::NotANumber),
            ("100000000000.01", AmountError::TooLarge),
            ("99999999999999999999999", AmountError::TooLarge),
        ] {
            assert_eq!(Amount::parse(text), Err(e), "{text}");
        }
    }

    #[test]
    fn amounts_are_written_with_two_decimals() {
        assert_eq!(Amount(1500).to_json().get(), "15.00");
        assert_eq!(Amount(1).to_json().get(), "0.01");
        assert_eq!(Amount(1_500_000).to_string(), "15000.00");
        // Straight to text, as a response body is written (a `Value` would re-read
        // the number and drop the zero).
        #[derive(Serialize)]
        struct P {
            p: Amount,
        }
        let json = serde_json::to_string(&P { p: Amount(1550) }).unwrap();
        assert_eq!(json, r#"{"p":15.50}"#);
    }

    #[test]
    fn won_are_whole_and_cents_are_minor_units() {
        let won = Money::new(Amount(1_500_000), Currency::Krw).unwrap();
        assert_eq!(won.minor, 15_000);
        assert_eq!(won.amount(), Amount(1_500_000));
        assert_eq!(
            Money::new(Amount(1_500_050), Currency::Krw),
            Err(FractionalMinor(Currency::Krw))
        );
        let usd = Money::new(Amount(1550), Currency::Usd).unwrap();
        assert_eq!(usd.minor, 1550);
        assert_eq!(usd.times(3).unwrap().amount(), Amount(4650));
        assert_eq!(usd.times(i64::MAX), None);
    }
}
