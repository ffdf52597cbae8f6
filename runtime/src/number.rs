//! The pre-send check of numbers: DynamoDB's number rules (at most 38 significant digits and a magnitude
//! between 1E-130 and 9.9999999999999999999999999999999999999E+125, or exactly zero) as the expression
//! language's exact decimals define them ([`Decimal::parse`]), refused with a [`ValueError`].

use crate::error::ValueError;
use crate::expr::decimal::{Decimal, NumberError};

/// Checks that `text` is a number DynamoDB accepts and returns it unchanged.
///
/// `text` is a decimal literal as Rust's `Display` writes it (an optional `-`, digits, an optional
/// fraction and an optional exponent).
pub(crate) fn check(text: String) -> Result<String, ValueError> {
    parse(&text).map(|_| text)
}

/// A number DynamoDB accepts, in the canonical form DynamoDB stores it in: plain notation, no exponent, no
/// leading or trailing zeros. Equal numbers have equal canonical forms (`1.0` and `1.00` are `1`).
pub(crate) fn canonical(text: String) -> Result<String, ValueError> {
    parse(&text).map(|number| number.to_string())
}

fn parse(text: &str) -> Result<Decimal, ValueError> {
    Decimal::parse(text).map_err(|error| match error {
        NumberError::NotANumber => ValueError::NotANumber(text.to_owned()),
        NumberError::Precision => ValueError::TooPrecise(text.to_owned()),
        NumberError::Overflow | NumberError::Underflow => ValueError::OutOfRange(text.to_owned()),
    })
}

/// Formats a float for DynamoDB, refusing NaN and infinities.
pub(crate) fn float(value: f64, display: String) -> Result<String, ValueError> {
    if value.is_finite() { check(display) } else { Err(ValueError::NotFinite(display)) }
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
    fn canonical_forms_are_plain_and_equal_for_equal_numbers() {
        for (text, canonical_form) in
            [("1.00", "1"), ("1.0", "1"), ("-0.50", "-0.5"), ("1.25E+2", "125"), ("5e-3", "0.005")]
        {
            assert_eq!(canonical(text.to_owned()).as_deref(), Ok(canonical_form), "{text}");
        }
        assert!(matches!(canonical("1e126".into()), Err(ValueError::OutOfRange(_))));
    }

    #[test]
    fn trailing_zeros_are_not_significant() {
        let hundred_digits = format!("1{}", "0".repeat(100));
        assert_eq!(check(hundred_digits.clone()), Ok(hundred_digits));
        assert!(check(f64::MAX.to_string()).is_err());
        assert!(check(f64::MIN_POSITIVE.to_string()).is_err());
    }
}
