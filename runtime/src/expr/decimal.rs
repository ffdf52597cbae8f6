//! Exact decimal numbers as DynamoDB stores them: at most 38 significant digits, magnitude between 1E-130 and
//! 9.99..E+125 (or zero), no rounding: a result that needs more digits is refused. [`Decimal::parse`] is the
//! one definition of a number DynamoDB accepts, for the memory backend and for the pre-send check of values.

use std::cmp::Ordering;
use std::fmt;

use crate::limits::{MAX_DIGITS, MAX_LEADING_POWER, MIN_LEADING_POWER};

/// Why a number is not one DynamoDB stores.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum NumberError {
    /// The text is not a decimal number.
    NotANumber,
    /// More than 38 significant digits.
    Precision,
    /// Magnitude of 1E+126 or more.
    Overflow,
    /// Magnitude below 1E-130 (and not zero).
    Underflow,
}

impl NumberError {
    /// DynamoDB's message for the error.
    pub(crate) fn message(self) -> &'static str {
        match self {
            NumberError::NotANumber => "A value provided cannot be converted into a number",
            NumberError::Precision => "DynamoDB only supports precision up to 38 digits",
            NumberError::Overflow => {
                "Number overflow. Attempting to store a number with magnitude larger than supported range"
            }
            NumberError::Underflow => {
                "Number underflow. Attempting to store a number with magnitude smaller than supported range"
            }
        }
    }
}

/// An exact decimal: `(-1)^negative * coefficient * 10^exponent`, kept normalised (no trailing zeros in the
/// coefficient; zero is `0 * 10^0`, never negative), so equal numbers have equal representations.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub(crate) struct Decimal {
    negative: bool,
    coefficient: u128,
    exponent: i32,
}

impl Decimal {
    /// Zero.
    pub(crate) const ZERO: Decimal = Decimal { negative: false, coefficient: 0, exponent: 0 };

    /// Parses a number as DynamoDB reads it (Java `BigDecimal` syntax: an optional sign, digits with an
    /// optional point, an optional exponent) and checks its precision and range.
    pub(crate) fn parse(text: &str) -> Result<Decimal, NumberError> {
        // Most numbers are plain integers that fit 64 bits: read them with 64-bit arithmetic.
        let (sign, digits) = text.strip_prefix('-').map_or((false, text), |rest| (true, rest));
        if (1..=20).contains(&digits.len())
            && digits.bytes().all(|b| b.is_ascii_digit())
            && let Ok(value) = digits.parse::<u64>()
        {
            return Decimal::checked(sign, u128::from(value), 0);
        }
        let (negative, unsigned) = match text.as_bytes().first() {
            Some(b'-') => (true, &text[1..]),
            Some(b'+') => (false, &text[1..]),
            _ => (false, text),
        };
        let (mantissa, exponent) = match unsigned.find(['e', 'E']) {
            Some(at) => (&unsigned[..at], parse_exponent(&unsigned[at + 1..])?),
            None => (unsigned, 0),
        };
        let (whole, fraction) = mantissa.split_once('.').unwrap_or((mantissa, ""));
        let digits = |s: &str| s.bytes().all(|b| b.is_ascii_digit());
        if (whole.is_empty() && fraction.is_empty()) || !digits(whole) || !digits(fraction) {
            return Err(NumberError::NotANumber);
        }
        let all = || whole.bytes().chain(fraction.bytes());
        let Some(first) = all().position(|b| b != b'0') else {
            return Ok(Decimal::ZERO);
        };
        let last = match fraction.bytes().rposition(|b| b != b'0') {
            Some(at) => whole.len() + at,
            None => whole.bytes().rposition(|b| b != b'0').unwrap_or(first),
        };
        let count = last - first + 1;
        if count > MAX_DIGITS as usize {
            return Err(NumberError::Precision);
        }
        let coefficient = all().skip(first).take(count).fold(0u128, |acc, b| acc * 10 + u128::from(b - b'0'));
        // The last significant digit sits at power `whole.len() - 1 - last` (before the exponent).
        let exponent = whole.len() as i64 - 1 - last as i64 + exponent;
        Decimal::checked(negative, coefficient, exponent)
    }

    /// `self + other`, exactly; refused when the result needs more than 38 digits or leaves the range.
    pub(crate) fn add(self, other: Decimal) -> Result<Decimal, NumberError> {
        if self.coefficient == 0 {
            return Ok(other);
        }
        if other.coefficient == 0 {
            return Ok(self);
        }
        let low = self.exponent.min(other.exponent);
        let shift = |d: Decimal| (d.exponent - low) as u32;
        // Both coefficients end in a non-zero digit, so when their exponents differ the sum's last digit is at
        // `low`; a shift of 39 or more puts the other number's first digit too far above it to fit 38 digits.
        if shift(self).max(shift(other)) > MAX_DIGITS {
            return Err(NumberError::Precision);
        }
        // Usually both aligned coefficients fit in 128 bits: add them directly.
        let aligned = |d: Decimal| 10u128.checked_pow(shift(d)).and_then(|scale| d.coefficient.checked_mul(scale));
        if let (Some(a), Some(b)) = (aligned(self), aligned(other)) {
            let (negative, magnitude) = match (self.negative == other.negative, a.cmp(&b)) {
                (true, _) => match a.checked_add(b) {
                    Some(sum) => (self.negative, sum),
                    None => return self.add_wide(other, low),
                },
                (false, Ordering::Equal) => return Ok(Decimal::ZERO),
                (false, Ordering::Greater) => (self.negative, a - b),
                (false, Ordering::Less) => (other.negative, b - a),
            };
            return Decimal::checked(negative, magnitude, i64::from(low));
        }
        self.add_wide(other, low)
    }

    /// `self + other` with both coefficients aligned to the power `low` in a [`Wide`] (up to 77 digits).
    fn add_wide(self, other: Decimal, low: i32) -> Result<Decimal, NumberError> {
        let shift = |d: Decimal| (d.exponent - low) as u32;
        let a = Wide::scaled(self.coefficient, shift(self));
        let b = Wide::scaled(other.coefficient, shift(other));
        let (negative, magnitude) = if self.negative == other.negative {
            (self.negative, a.add(b))
        } else {
            match a.cmp(&b) {
                Ordering::Equal => return Ok(Decimal::ZERO),
                Ordering::Greater => (self.negative, a.sub(b)),
                Ordering::Less => (other.negative, b.sub(a)),
            }
        };
        let (coefficient, zeros) = magnitude.strip_zeros().ok_or(NumberError::Precision)?;
        Decimal::checked(negative, coefficient, i64::from(low) + i64::from(zeros))
    }

    /// `self - other`, exactly.
    pub(crate) fn sub(self, other: Decimal) -> Result<Decimal, NumberError> {
        self.add(other.negate())
    }

    fn negate(self) -> Decimal {
        Decimal { negative: !self.negative && self.coefficient != 0, ..self }
    }

    /// Builds a normalised number, refusing too many digits and magnitudes out of range.
    fn checked(negative: bool, mut coefficient: u128, mut exponent: i64) -> Result<Decimal, NumberError> {
        if coefficient == 0 {
            return Ok(Decimal::ZERO);
        }
        let digits = match u64::try_from(coefficient) {
            // 128-bit division is slow: most coefficients fit 64 bits.
            Ok(mut small) => {
                while small.is_multiple_of(10) {
                    small /= 10;
                    exponent += 1;
                }
                coefficient = u128::from(small);
                small.checked_ilog10().map_or(1, |log| log + 1)
            }
            Err(_) => {
                while coefficient.is_multiple_of(10) {
                    coefficient /= 10;
                    exponent += 1;
                }
                digit_count(coefficient)
            }
        };
        if digits > MAX_DIGITS {
            return Err(NumberError::Precision);
        }
        let leading = exponent + i64::from(digits) - 1;
        if leading > MAX_LEADING_POWER {
            return Err(NumberError::Overflow);
        }
        if leading < MIN_LEADING_POWER {
            return Err(NumberError::Underflow);
        }
        // In range, so the exponent fits easily.
        Ok(Decimal { negative, coefficient, exponent: exponent as i32 })
    }

    /// The power of ten of the leading digit (zero has none).
    fn leading_power(self) -> i64 {
        i64::from(self.exponent) + i64::from(digit_count(self.coefficient)) - 1
    }

    /// Compares magnitudes.
    fn cmp_magnitude(self, other: Decimal) -> Ordering {
        match (self.coefficient, other.coefficient) {
            (0, 0) => return Ordering::Equal,
            (0, _) => return Ordering::Less,
            (_, 0) => return Ordering::Greater,
            _ => {}
        }
        self.leading_power().cmp(&other.leading_power()).then_with(|| {
            // Same leading power: pad the shorter coefficient to the same number of digits (both <= 38).
            let (a, b) = (digit_count(self.coefficient), digit_count(other.coefficient));
            let pad = |c: u128, from: u32, to: u32| c * 10u128.pow(to.saturating_sub(from));
            let width = a.max(b);
            pad(self.coefficient, a, width).cmp(&pad(other.coefficient, b, width))
        })
    }
}

impl Ord for Decimal {
    fn cmp(&self, other: &Self) -> Ordering {
        match (self.negative, other.negative) {
            (false, true) => Ordering::Greater,
            (true, false) => Ordering::Less,
            (false, false) => self.cmp_magnitude(*other),
            (true, true) => other.cmp_magnitude(*self),
        }
    }
}

impl PartialOrd for Decimal {
    fn partial_cmp(&self, other: &Self) -> Option<Ordering> {
        Some(self.cmp(other))
    }
}

/// The canonical text: plain notation, no exponent, no leading or trailing zeros, `0` for zero.
impl fmt::Display for Decimal {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.negative {
            f.write_str("-")?;
        }
        let mut buffer = [0u8; 40];
        let digits = digits(self.coefficient, &mut buffer);
        if self.exponent >= 0 {
            f.write_str(digits)?;
            return (0..self.exponent).try_for_each(|_| f.write_str("0"));
        }
        let point = digits.len() as i64 + i64::from(self.exponent);
        if point > 0 {
            let (whole, fraction) = digits.split_at(point as usize);
            write!(f, "{whole}.{fraction}")
        } else {
            f.write_str("0.")?;
            (0..-point).try_for_each(|_| f.write_str("0"))?;
            f.write_str(digits)
        }
    }
}

/// The decimal digits of a coefficient, written into `buffer` (39 digits at most).
fn digits(mut value: u128, buffer: &mut [u8; 40]) -> &str {
    let mut at = buffer.len();
    // 128-bit division is slow; most coefficients fit 64 bits after a few digits, or from the start.
    while u64::try_from(value).is_err() {
        at -= 1;
        buffer[at] = b'0' + (value % 10) as u8;
        value /= 10;
    }
    let mut small = value as u64;
    loop {
        at -= 1;
        buffer[at] = b'0' + (small % 10) as u8;
        small /= 10;
        if small == 0 {
            break;
        }
    }
    // Only ASCII digits were written.
    std::str::from_utf8(&buffer[at..]).unwrap_or("0")
}

/// Reads an exponent as Java's `BigDecimal` does: an optional sign and digits that fit an `int`.
fn parse_exponent(text: &str) -> Result<i64, NumberError> {
    let unsigned = text.strip_prefix(['+', '-']).unwrap_or(text);
    if unsigned.is_empty() || !unsigned.bytes().all(|b| b.is_ascii_digit()) {
        return Err(NumberError::NotANumber);
    }
    text.parse::<i32>().map(i64::from).map_err(|_| NumberError::NotANumber)
}

/// Number of decimal digits of a non-zero coefficient.
fn digit_count(value: u128) -> u32 {
    value.checked_ilog10().map_or(1, |log| log + 1)
}

/// An unsigned integer below 10^77: two coefficients of at most 38 digits aligned by at most 38 places, and
/// their sum. Stored as `high * 10^38 + low`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
struct Wide {
    high: u128,
    low: u128,
}

/// 10^38, the base of [`Wide`]'s two halves.
const BASE: u128 = 10u128.pow(38);

impl Wide {
    /// `coefficient * 10^shift` for a coefficient below 10^38 and a shift of at most 38.
    fn scaled(coefficient: u128, shift: u32) -> Wide {
        // Split the coefficient at digit `38 - shift`: the part above moves into `high`.
        let split = 10u128.pow(MAX_DIGITS - shift);
        let scale = 10u128.pow(shift);
        Wide { high: coefficient / split, low: (coefficient % split) * scale }
    }

    fn add(self, other: Wide) -> Wide {
        let low = self.low + other.low; // both below 10^38: no overflow of u128
        Wide { high: self.high + other.high + low / BASE, low: low % BASE }
    }

    /// `self - other` for `self >= other`.
    fn sub(self, other: Wide) -> Wide {
        if self.low >= other.low {
            Wide { high: self.high - other.high, low: self.low - other.low }
        } else {
            Wide { high: self.high - other.high - 1, low: self.low + BASE - other.low }
        }
    }

    /// The value without its trailing zeros and how many were removed, or `None` when what is left has more
    /// than 38 digits.
    fn strip_zeros(mut self) -> Option<(u128, u32)> {
        let mut zeros = 0;
        while self.low.is_multiple_of(10) && (self.low != 0 || self.high != 0) {
            self.low = self.low / 10 + (self.high % 10) * (BASE / 10);
            self.high /= 10;
            zeros += 1;
        }
        (self.high == 0).then_some((self.low, zeros))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn n(text: &str) -> Decimal {
        Decimal::parse(text).unwrap_or_else(|e| panic!("{text}: {e:?}"))
    }

    #[test]
    fn parses_java_bigdecimal_syntax_and_normalises() {
        for (text, canonical) in [
            ("0", "0"),
            ("-0", "0"),
            ("0.000", "0"),
            ("00042", "42"),
            ("1.50", "1.5"),
            ("+5", "5"),
            ("1.", "1"),
            (".5", "0.5"),
            ("1e5", "100000"),
            ("1E+2", "100"),
            ("-12.5e-3", "-0.0125"),
            ("1e125", &format!("1{}", "0".repeat(125))),
            ("1e-130", &format!("0.{}1", "0".repeat(129))),
        ] {
            assert_eq!(n(text).to_string(), canonical, "{text}");
        }
        for bad in ["", ".", "abc", " 5", "5 ", "1e", "e5", "1e+", "--1", "1.2.3", "0x10", "NaN", "1e99999999999"] {
            assert_eq!(Decimal::parse(bad), Err(NumberError::NotANumber), "{bad:?}");
        }
    }

    #[test]
    fn refuses_what_dynamodb_refuses() {
        assert_eq!(Decimal::parse(&"1".repeat(39)), Err(NumberError::Precision));
        assert!(Decimal::parse(&"1".repeat(38)).is_ok());
        assert!(Decimal::parse(&format!("{}{}", "1".repeat(38), "0".repeat(80))).is_ok());
        assert_eq!(Decimal::parse("1e126"), Err(NumberError::Overflow));
        assert_eq!(Decimal::parse("-1e126"), Err(NumberError::Overflow));
        assert!(Decimal::parse("9.9999999999999999999999999999999999999E+125").is_ok());
        assert_eq!(Decimal::parse("1e-131"), Err(NumberError::Underflow));
        assert_eq!(Decimal::parse("0.9e-130"), Err(NumberError::Underflow));
        assert_eq!(Decimal::parse("0e-999"), Ok(Decimal::ZERO));
    }

    #[test]
    fn adds_and_subtracts_exactly() {
        let sum = |a: &str, b: &str| n(a).add(n(b)).map(|d| d.to_string());
        let diff = |a: &str, b: &str| n(a).sub(n(b)).map(|d| d.to_string());
        assert_eq!(sum("1", "1").as_deref(), Ok("2"));
        assert_eq!(sum("0.1", "0.2").as_deref(), Ok("0.3"));
        assert_eq!(sum("1.50", "0.50").as_deref(), Ok("2"));
        assert_eq!(sum("1.25", "-1.25").as_deref(), Ok("0"));
        assert_eq!(diff("10", "10.00").as_deref(), Ok("0"));
        assert_eq!(diff("3", "5").as_deref(), Ok("-2"));
        assert_eq!(sum("1e20", "1").as_deref(), Ok("100000000000000000001"));
        let big = "9".repeat(38);
        assert_eq!(sum(&big, "0").as_deref(), Ok(big.as_str()));
        assert_eq!(sum(&big, "1"), Ok(format!("1{}", "0".repeat(38))));
        assert_eq!(diff(&format!("1{}", "0".repeat(38)), "1"), Ok(big.clone()));
        // A 39th digit is refused, not rounded.
        assert_eq!(sum(&big, "0.1"), Err(NumberError::Precision));
        assert_eq!(sum("1", "1e-100"), Err(NumberError::Precision));
        assert_eq!(sum("1e100", "1"), Err(NumberError::Precision));
        assert_eq!(sum("12345678901234567890123456789012345678", "0.5"), Err(NumberError::Precision));
        assert_eq!(sum("9.9999999999999999999999999999999999999E+125", "1e125"), Err(NumberError::Precision));
        assert_eq!(sum("9e125", "9e125"), Err(NumberError::Overflow));
        assert_eq!(diff("-9e125", "9e125"), Err(NumberError::Overflow));
        assert_eq!(diff("2e-130", "1.5e-130"), Err(NumberError::Underflow));
        assert_eq!(diff("2e-130", "2e-130").as_deref(), Ok("0"));
    }

    #[test]
    fn orders_numerically() {
        let mut numbers: Vec<Decimal> =
            ["10", "-1", "0", "2.5", "-10.5", "1e-130", "1e125", "2.50001"].into_iter().map(n).collect();
        numbers.sort();
        let sorted: Vec<String> = numbers.iter().map(|d| format!("{d}")).collect();
        assert_eq!(sorted[..6], ["-10.5", "-1", "0", &format!("0.{}1", "0".repeat(129)), "2.5", "2.50001"]);
        assert_eq!(n("1.0"), n("1"));
        assert!(n("0.999") < n("1"));
        assert!(n("-0.999") > n("-1"));
        assert_eq!(n("1200").to_string(), "1200");
        assert_eq!(n("1200"), n("1.2e3"));
    }
}
