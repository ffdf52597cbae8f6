//! DynamoDB's number rules: at most 38 significant digits and a magnitude between 1E-130 and
//! 9.9999999999999999999999999999999999999E+125 (or exactly zero).

use crate::error::ValueError;

/// Largest number of significant digits DynamoDB stores.
const MAX_DIGITS: usize = 38;
/// Decimal exponent of the smallest positive magnitude (1E-130).
const MIN_EXPONENT: i64 = -130;
/// Decimal exponent of the leading digit of the largest magnitude (9.99..E+125).
const MAX_EXPONENT: i64 = 125;

/// Checks that `text` is a number DynamoDB accepts and returns it unchanged.
///
/// `text` is a decimal literal as Rust's `Display` writes it (an optional `-`, digits, an optional
/// fraction and an optional exponent).
pub(crate) fn check(text: String) -> Result<String, ValueError> {
    let parsed = Decimal::parse(&text).ok_or_else(|| ValueError::NotANumber(text.clone()))?;
    if let Some(leading_power) = parsed.leading_power {
        if parsed.significant_digits > MAX_DIGITS {
            return Err(ValueError::TooPrecise(text));
        }
        if !(MIN_EXPONENT..=MAX_EXPONENT).contains(&leading_power) {
            return Err(ValueError::OutOfRange(text));
        }
    }
    Ok(text)
}

/// Formats a float for DynamoDB, refusing NaN and infinities.
pub(crate) fn float(value: f64, display: String) -> Result<String, ValueError> {
    if value.is_finite() { check(display) } else { Err(ValueError::NotFinite(display)) }
}

/// The parts of a decimal literal that the range and precision rules need.
struct Decimal {
    /// Digits from the first to the last non-zero digit.
    significant_digits: usize,
    /// Position of the first non-zero digit relative to the decimal point, as a power of ten; `None` for zero.
    leading_power: Option<i64>,
}

impl Decimal {
    fn parse(text: &str) -> Option<Self> {
        let unsigned = text.strip_prefix(['-', '+']).unwrap_or(text);
        let (mantissa, exponent) = match unsigned.split_once(['e', 'E']) {
            Some((mantissa, exponent)) => (mantissa, exponent.parse::<i64>().ok()?),
            None => (unsigned, 0),
        };
        let (whole, fraction) = mantissa.split_once('.').unwrap_or((mantissa, ""));
        let all_digits = |s: &str| s.bytes().all(|b| b.is_ascii_digit());
        if whole.is_empty() && fraction.is_empty() || !all_digits(whole) || !all_digits(fraction) {
            return None;
        }
        let digits: Vec<u8> = whole.bytes().chain(fraction.bytes()).collect();
        let Some(first) = digits.iter().position(|&d| d != b'0') else {
            return Some(Self { significant_digits: 0, leading_power: None });
        };
        let last = digits.iter().rposition(|&d| d != b'0').unwrap_or(first);
        let power_of_first = whole.len() as i64 - 1 - first as i64 + exponent;
        Some(Self { significant_digits: last - first + 1, leading_power: Some(power_of_first) })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn accepts_ordinary_numbers() {
        for ok in
            ["0", "-0", "42", "-17.25", "0.000001", "1e125", "9.9999999999999999999999999999999999999E+125", "1E-130"]
        {
            assert_eq!(check(ok.to_owned()).as_deref(), Ok(ok), "{ok}");
        }
    }

    #[test]
    fn refuses_what_dynamodb_refuses() {
        assert!(matches!(check("1e126".into()), Err(ValueError::OutOfRange(_))));
        assert!(matches!(check("1e-131".into()), Err(ValueError::OutOfRange(_))));
        assert!(matches!(check("123456789012345678901234567890123456789".into()), Err(ValueError::TooPrecise(_))));
        assert!(matches!(check("12a".into()), Err(ValueError::NotANumber(_))));
        assert!(matches!(check(".".into()), Err(ValueError::NotANumber(_))));
        assert!(matches!(float(f64::NAN, "NaN".into()), Err(ValueError::NotFinite(_))));
        assert!(matches!(float(f64::INFINITY, "inf".into()), Err(ValueError::NotFinite(_))));
    }

    #[test]
    fn trailing_zeros_are_not_significant() {
        let hundred_digits = format!("1{}", "0".repeat(100));
        assert_eq!(check(hundred_digits.clone()), Ok(hundred_digits));
        assert!(check(f64::MAX.to_string()).is_err());
        assert!(check(f64::MIN_POSITIVE.to_string()).is_err());
    }
}
