//! Timestamps: `std::time::SystemTime`, and with their features `chrono::DateTime<Utc>`,
//! `time::OffsetDateTime` and `jiff::Timestamp`.
//!
//! A timestamp is stored as a UTC RFC 3339 string with a fixed-width nanosecond fraction,
//! `2024-02-29T12:00:00.000000000Z`: every stored timestamp has the same length and the same layout, so
//! DynamoDB's byte order of strings is time order, and `<`, `between` and sort keys compare times. Round trips
//! are exact to the nanosecond. The years 0000 to 9999 are stored; a time outside them is refused before
//! sending. A `#[dynatomic(ttl)]` field is stored as epoch seconds instead ([`EpochSeconds`]).

use std::borrow::Borrow;
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use aws_sdk_dynamodb::types::AttributeValue;

use crate::attribute::{Attribute, NoFields, leaf_attribute, mismatch};
use crate::error::{DecodeError, ValueError};
use crate::kind::{Ordered, Removable};
use crate::schema::{KeyAttribute, KeyKind};
use crate::value::{IntoValue, fits_itself};

/// A time as seconds and nanoseconds since 1970-01-01T00:00:00Z; `nanos` is below 1,000,000,000.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub(crate) struct UnixTime {
    pub(crate) secs: i64,
    pub(crate) nanos: u32,
}

/// 0000-01-01T00:00:00Z, the first time an RFC 3339 string holds.
const FIRST: i64 = -62_167_219_200;
/// 9999-12-31T23:59:59Z, the last second an RFC 3339 string holds.
const LAST: i64 = 253_402_300_799;
const NANOS: u32 = 1_000_000_000;
const DAY: i64 = 86_400;

impl UnixTime {
    /// The time `nanos` nanoseconds after `secs`, with `nanos` possibly negative or over a second.
    fn new(secs: i64, nanos: i128) -> Option<UnixTime> {
        let total = i128::from(secs) * i128::from(NANOS) + nanos;
        let secs = i64::try_from(total.div_euclid(i128::from(NANOS))).ok()?;
        let nanos = u32::try_from(total.rem_euclid(i128::from(NANOS))).ok()?;
        Some(UnixTime { secs, nanos })
    }

    /// The stored form: `YYYY-MM-DDTHH:MM:SS.nnnnnnnnnZ`, refused outside the years 0000 to 9999.
    pub(crate) fn to_rfc3339(self) -> Result<String, ValueError> {
        if !(FIRST..=LAST).contains(&self.secs) {
            return Err(ValueError::TimeOutOfRange(format!("{}.{:09} seconds from 1970", self.secs, self.nanos)));
        }
        let (days, second) = (self.secs.div_euclid(DAY), self.secs.rem_euclid(DAY));
        let (year, month, day) = civil_from_days(days);
        let (hour, minute, second) = (second / 3600, second / 60 % 60, second % 60);
        Ok(format!("{year:04}-{month:02}-{day:02}T{hour:02}:{minute:02}:{second:02}.{:09}Z", self.nanos))
    }

    /// Reads an RFC 3339 time: the stored form, and any other with 0 to 9 fraction digits and a `Z` or numeric
    /// offset (as another writer may have stored it).
    pub(crate) fn parse_rfc3339(text: &str) -> Option<UnixTime> {
        let mut cursor = Cursor(text.as_bytes());
        let year = cursor.digits(4)?;
        cursor.expect(b'-')?;
        let month = cursor.digits(2)?;
        cursor.expect(b'-')?;
        let day = cursor.digits(2)?;
        cursor.one_of(b"Tt ")?;
        let hour = cursor.digits(2)?;
        cursor.expect(b':')?;
        let minute = cursor.digits(2)?;
        cursor.expect(b':')?;
        let second = cursor.digits(2)?;
        let mut nanos = 0;
        if cursor.expect(b'.').is_some() {
            let fraction = cursor.take_while(|b| b.is_ascii_digit());
            if fraction.is_empty() || fraction.len() > 9 {
                return None;
            }
            let digits: i64 = std::str::from_utf8(fraction).ok()?.parse().ok()?;
            nanos = digits * 10_i64.pow(9 - fraction.len() as u32);
        }
        let offset = match cursor.one_of(b"Zz+-")? {
            b'Z' | b'z' => 0,
            sign => {
                let hours = cursor.digits(2)?;
                cursor.expect(b':')?;
                let minutes = cursor.digits(2)?;
                if hours > 23 || minutes > 59 {
                    return None;
                }
                let offset = hours * 3600 + minutes * 60;
                if sign == b'-' { -offset } else { offset }
            }
        };
        let valid = (1..=12).contains(&month)
            && (1..=days_in_month(year, month)).contains(&day)
            && hour < 24
            && minute < 60
            && second < 60;
        if !valid || !cursor.0.is_empty() {
            return None;
        }
        let secs = days_from_civil(year, month, day) * DAY + hour * 3600 + minute * 60 + second - offset;
        UnixTime::new(secs, i128::from(nanos))
    }

    /// Epoch seconds, as DynamoDB's TTL reads them: the second the time is in.
    pub(crate) fn epoch_seconds(self) -> String {
        self.secs.to_string()
    }

    /// Reads epoch seconds: an integer, or a decimal with up to 9 fraction digits, in plain or exponent form.
    pub(crate) fn parse_epoch(text: &str) -> Option<UnixTime> {
        let text = crate::number::canonical(text.to_owned()).ok()?;
        let (whole, fraction) = text.split_once('.').unwrap_or((&text, ""));
        let negative = whole.starts_with('-');
        let secs: i64 = whole.parse().ok()?;
        if fraction.len() > 9 || !fraction.bytes().all(|b| b.is_ascii_digit()) {
            return None;
        }
        let nanos = match fraction {
            "" => 0,
            digits => i128::from(digits.parse::<i64>().ok()? * 10_i64.pow(9 - digits.len() as u32)),
        };
        UnixTime::new(secs, if negative { -nanos } else { nanos })
    }
}

/// The bytes of a time being read.
struct Cursor<'a>(&'a [u8]);

impl Cursor<'_> {
    fn take_while(&mut self, keep: impl Fn(u8) -> bool) -> &[u8] {
        let end = self.0.iter().position(|&b| !keep(b)).unwrap_or(self.0.len());
        let (taken, rest) = self.0.split_at(end);
        self.0 = rest;
        taken
    }

    fn digits(&mut self, count: usize) -> Option<i64> {
        let digits = self.0.get(..count).filter(|d| d.iter().all(u8::is_ascii_digit))?;
        self.0 = &self.0[count..];
        Some(digits.iter().fold(0, |n, d| n * 10 + i64::from(d - b'0')))
    }

    fn one_of(&mut self, allowed: &[u8]) -> Option<u8> {
        let (&first, rest) = self.0.split_first()?;
        allowed.contains(&first).then(|| {
            self.0 = rest;
            first.to_ascii_uppercase()
        })
    }

    fn expect(&mut self, byte: u8) -> Option<u8> {
        self.one_of(&[byte])
    }
}

fn is_leap(year: i64) -> bool {
    year % 4 == 0 && (year % 100 != 0 || year % 400 == 0)
}

fn days_in_month(year: i64, month: i64) -> i64 {
    match month {
        2 if is_leap(year) => 29,
        2 => 28,
        4 | 6 | 9 | 11 => 30,
        _ => 31,
    }
}

/// Days since 1970-01-01 of a date in the proleptic Gregorian calendar (Howard Hinnant's algorithm).
fn days_from_civil(year: i64, month: i64, day: i64) -> i64 {
    let year = if month <= 2 { year - 1 } else { year };
    let era = year.div_euclid(400);
    let year_of_era = year - era * 400;
    let day_of_year = (153 * (month + if month > 2 { -3 } else { 9 }) + 2) / 5 + day - 1;
    let day_of_era = year_of_era * 365 + year_of_era / 4 - year_of_era / 100 + day_of_year;
    era * 146_097 + day_of_era - 719_468
}

/// The date of a day since 1970-01-01, the inverse of [`days_from_civil`].
fn civil_from_days(days: i64) -> (i64, i64, i64) {
    let days = days + 719_468;
    let era = days.div_euclid(146_097);
    let day_of_era = days - era * 146_097;
    let year_of_era = (day_of_era - day_of_era / 1460 + day_of_era / 36_524 - day_of_era / 146_096) / 365;
    let day_of_year = day_of_era - (365 * year_of_era + year_of_era / 4 - year_of_era / 100);
    let shifted_month = (5 * day_of_year + 2) / 153;
    let day = day_of_year - (153 * shifted_month + 2) / 5 + 1;
    let month = if shifted_month < 10 { shifted_month + 3 } else { shifted_month - 9 };
    let year = year_of_era + era * 400 + i64::from(month <= 2);
    (year, month, day)
}

/// A type stored as a timestamp.
pub(crate) trait Timestamp: Sized + Clone + 'static {
    /// The time, or `None` if it is too far from 1970 for seconds in an `i64`.
    fn to_unix(&self) -> Option<UnixTime>;
    /// The value at this time, or `None` if the type cannot hold it.
    fn from_unix(time: UnixTime) -> Option<Self>;
}

/// Reads a stored timestamp.
fn decode<T: Timestamp>(value: AttributeValue) -> Result<T, DecodeError> {
    let AttributeValue::S(text) = value else { return Err(mismatch::<T>(&value)) };
    UnixTime::parse_rfc3339(&text).and_then(T::from_unix).ok_or_else(|| {
        DecodeError::mismatch(
            std::any::type_name::<T>(),
            format_args!("{text:?} is not an RFC 3339 time this type holds"),
        )
    })
}

fn encode<T: Timestamp>(time: &T) -> Result<AttributeValue, ValueError> {
    unix(time)?.to_rfc3339().map(AttributeValue::S)
}

fn unix<T: Timestamp>(time: &T) -> Result<UnixTime, ValueError> {
    time.to_unix().ok_or_else(|| ValueError::TimeOutOfRange(format!("a {} value", std::any::type_name::<T>())))
}

/// A timestamp stored as epoch seconds (a number), as DynamoDB's TTL requires: the type of a
/// `#[dynatomic(ttl)]` field as `update!` and `condition!` see it. A value compared with it, or written to it,
/// is the field's own timestamp type, stored as the second it is in.
///
/// ```
/// use dynatomic::{Attribute, EpochSeconds};
/// use std::time::{Duration, UNIX_EPOCH};
/// let at = UNIX_EPOCH + Duration::from_millis(1_700_000_000_900);
/// let stored = EpochSeconds(at).to_attr().unwrap();
/// assert_eq!(stored, dynatomic::AttributeValue::N("1700000000".into()));
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct EpochSeconds<T>(pub T);

/// A field type `#[dynatomic(ttl)]` can mark: a timestamp, or an `Option` of one. `Stored` is what is stored
/// and what the DSL sees.
#[diagnostic::on_unimplemented(
    message = "`#[dynatomic(ttl)]` needs a timestamp field, not `{Self}`",
    label = "DynamoDB's TTL reads the time an item expires from this field",
    note = "declare it as `std::time::SystemTime`, `chrono::DateTime<Utc>`, `time::OffsetDateTime` or `jiff::Timestamp` (each with dynatomic's feature of that name), or an `Option` of one"
)]
pub trait TtlField: Sized {
    /// The stored form: [`EpochSeconds`] of the timestamp (in an `Option` for an optional field).
    type Stored: Attribute;
    /// The field's value in its stored form.
    fn stored(&self) -> Self::Stored;
    /// The field's value read back (to the second).
    fn from_stored(stored: Self::Stored) -> Self;
}

/// A `#[dynatomic(ttl)]` field of type `T`, as the derive's field probes name it: its attribute is `T`'s stored
/// form. A field type that is no timestamp is reported by the item's conversions, as any type that cannot be
/// stored is, and not again by the probe, which needs nothing of `T` until a DSL call uses the field.
pub struct Ttl<T>(T);

impl<T: TtlField + 'static> Attribute for Ttl<T> {
    type Value = <T::Stored as Attribute>::Value;
    type Fields = <T::Stored as Attribute>::Fields;

    fn to_attr(&self) -> Result<AttributeValue, ValueError> {
        self.0.stored().to_attr()
    }

    fn from_attr(value: AttributeValue) -> Result<Self, DecodeError> {
        T::Stored::from_attr(value).map(|stored| Ttl(T::from_stored(stored)))
    }

    fn is_absent(&self) -> bool {
        self.0.stored().is_absent()
    }

    fn from_missing() -> Result<Self, DecodeError> {
        T::Stored::from_missing().map(|stored| Ttl(T::from_stored(stored)))
    }

    fn fields() -> &'static Self::Fields {
        T::Stored::fields()
    }
}

/// An optional TTL field may be removed.
impl<T: TtlField> Removable for Ttl<T> where T::Stored: Removable {}

macro_rules! timestamps {
    ($($ty:ty),* $(,)?) => {$(
        leaf_attribute!($ty, |time| encode(time), |value| decode(value));
        fits_itself!($ty);
        impl Ordered for $ty {
            type Same = Self;
        }
        impl KeyAttribute for $ty {
            const KIND: KeyKind = KeyKind::String;
        }

        leaf_attribute!(
            EpochSeconds<$ty>,
            |time| time.into_value(),
            |value| match value {
                AttributeValue::N(text) => UnixTime::parse_epoch(&text)
                    .and_then(|time| <$ty as Timestamp>::from_unix(time))
                    .map(EpochSeconds)
                    .ok_or_else(|| {
                        DecodeError::mismatch(
                            std::any::type_name::<$ty>(),
                            format_args!("{text} is not a number of epoch seconds this type holds"),
                        )
                    }),
                other => Err(mismatch::<$ty>(&other)),
            }
        );
        impl Ordered for EpochSeconds<$ty> {
            type Same = Self;
        }
        /// The field's own timestamp type (or a reference to it), and `EpochSeconds` of it.
        impl<V: Borrow<$ty>> IntoValue<EpochSeconds<$ty>> for V {
            fn into_value(self) -> Result<AttributeValue, ValueError> {
                Ok(AttributeValue::N(unix(self.borrow())?.epoch_seconds()))
            }
        }
        impl Borrow<$ty> for EpochSeconds<$ty> {
            fn borrow(&self) -> &$ty {
                &self.0
            }
        }
        impl TtlField for $ty {
            type Stored = EpochSeconds<$ty>;
            fn stored(&self) -> Self::Stored {
                EpochSeconds(self.clone())
            }
            fn from_stored(stored: Self::Stored) -> Self {
                stored.0
            }
        }
        impl TtlField for Option<$ty> {
            type Stored = Option<EpochSeconds<$ty>>;
            fn stored(&self) -> Self::Stored {
                self.clone().map(EpochSeconds)
            }
            fn from_stored(stored: Self::Stored) -> Self {
                stored.map(|time| time.0)
            }
        }
    )*};
}

impl Timestamp for SystemTime {
    fn to_unix(&self) -> Option<UnixTime> {
        match self.duration_since(UNIX_EPOCH) {
            Ok(after) => UnixTime::new(i64::try_from(after.as_secs()).ok()?, i128::from(after.subsec_nanos())),
            Err(before) => {
                let before = before.duration();
                UnixTime::new(-i64::try_from(before.as_secs()).ok()?, -i128::from(before.subsec_nanos()))
            }
        }
    }

    fn from_unix(time: UnixTime) -> Option<Self> {
        let whole = Duration::from_secs(time.secs.unsigned_abs());
        let moved = if time.secs >= 0 { UNIX_EPOCH.checked_add(whole) } else { UNIX_EPOCH.checked_sub(whole) };
        moved?.checked_add(Duration::from_nanos(u64::from(time.nanos)))
    }
}
timestamps!(SystemTime);

#[cfg(feature = "chrono")]
impl Timestamp for chrono::DateTime<chrono::Utc> {
    fn to_unix(&self) -> Option<UnixTime> {
        // chrono writes a leap second as a nanosecond count of a second or more: it is stored as the first
        // instant of the next second, as chrono's own `timestamp_nanos_opt` counts it.
        UnixTime::new(self.timestamp(), i128::from(self.timestamp_subsec_nanos()))
    }

    fn from_unix(time: UnixTime) -> Option<Self> {
        chrono::DateTime::from_timestamp(time.secs, time.nanos)
    }
}
#[cfg(feature = "chrono")]
timestamps!(chrono::DateTime<chrono::Utc>);

#[cfg(feature = "time")]
impl Timestamp for time::OffsetDateTime {
    fn to_unix(&self) -> Option<UnixTime> {
        UnixTime::new(self.unix_timestamp(), i128::from(self.nanosecond()))
    }

    fn from_unix(at: UnixTime) -> Option<Self> {
        let nanos = i128::from(at.secs) * i128::from(NANOS) + i128::from(at.nanos);
        time::OffsetDateTime::from_unix_timestamp_nanos(nanos).ok()
    }
}
#[cfg(feature = "time")]
timestamps!(time::OffsetDateTime);

#[cfg(feature = "jiff")]
impl Timestamp for jiff::Timestamp {
    fn to_unix(&self) -> Option<UnixTime> {
        UnixTime::new(0, self.as_nanosecond())
    }

    fn from_unix(time: UnixTime) -> Option<Self> {
        jiff::Timestamp::new(time.secs, i32::try_from(time.nanos).ok()?).ok()
    }
}
#[cfg(feature = "jiff")]
timestamps!(jiff::Timestamp);

#[cfg(test)]
mod tests {
    use super::*;

    fn at(secs: i64, nanos: u32) -> UnixTime {
        UnixTime { secs, nanos }
    }

    #[test]
    fn formats_a_fixed_width_utc_time() {
        assert_eq!(at(0, 0).to_rfc3339().unwrap(), "1970-01-01T00:00:00.000000000Z");
        assert_eq!(at(951_825_600, 5).to_rfc3339().unwrap(), "2000-02-29T12:00:00.000000005Z");
        assert_eq!(at(-1, 999_999_999).to_rfc3339().unwrap(), "1969-12-31T23:59:59.999999999Z");
        assert_eq!(at(FIRST, 0).to_rfc3339().unwrap(), "0000-01-01T00:00:00.000000000Z");
        assert_eq!(at(LAST, 999_999_999).to_rfc3339().unwrap(), "9999-12-31T23:59:59.999999999Z");
        assert!(matches!(at(LAST + 1, 0).to_rfc3339(), Err(ValueError::TimeOutOfRange(_))));
        assert!(matches!(at(FIRST - 1, 0).to_rfc3339(), Err(ValueError::TimeOutOfRange(_))));
    }

    #[test]
    fn reads_other_rfc3339_forms() {
        let noon = at(951_825_600, 0);
        for text in
            ["2000-02-29T12:00:00Z", "2000-02-29t12:00:00.0z", "2000-02-29T13:30:00+01:30", "2000-02-29 12:00:00Z"]
        {
            assert_eq!(UnixTime::parse_rfc3339(text), Some(noon), "{text}");
        }
        assert_eq!(UnixTime::parse_rfc3339("2000-02-29T12:00:00.5-00:00"), Some(at(951_825_600, 500_000_000)));
        for bad in [
            "2001-02-29T12:00:00Z",
            "2000-13-01T00:00:00Z",
            "2000-01-01T24:00:00Z",
            "2000-01-01T00:00:60Z",
            "2000-01-01T00:00:00",
            "2000-01-01T00:00:00.Z",
            "2000-01-01T00:00:00.0000000001Z",
            "2000-01-01T00:00:00Zjunk",
            "20000-01-01T00:00:00Z",
        ] {
            assert_eq!(UnixTime::parse_rfc3339(bad), None, "{bad}");
        }
    }

    #[test]
    fn reads_epoch_seconds() {
        assert_eq!(UnixTime::parse_epoch("1700000000"), Some(at(1_700_000_000, 0)));
        assert_eq!(UnixTime::parse_epoch("1700000000.25"), Some(at(1_700_000_000, 250_000_000)));
        assert_eq!(UnixTime::parse_epoch("-1.5"), Some(at(-2, 500_000_000)));
        assert_eq!(UnixTime::parse_epoch("1.7E+9"), Some(at(1_700_000_000, 0)));
        assert_eq!(UnixTime::parse_epoch("1E+30"), None);
        assert_eq!(at(-2, 500_000_000).epoch_seconds(), "-2");
    }

    proptest::proptest! {
        #[test]
        fn every_stored_time_reads_back_and_sorts_as_time(
            a in FIRST..=LAST, an in 0..NANOS, b in FIRST..=LAST, bn in 0..NANOS,
        ) {
            let (a, b) = (at(a, an), at(b, bn));
            let (text_a, text_b) = (a.to_rfc3339().unwrap(), b.to_rfc3339().unwrap());
            proptest::prop_assert_eq!(UnixTime::parse_rfc3339(&text_a), Some(a));
            proptest::prop_assert_eq!(text_a.len(), 30);
            proptest::prop_assert_eq!(text_a.cmp(&text_b), a.cmp(&b));
        }
    }
}
