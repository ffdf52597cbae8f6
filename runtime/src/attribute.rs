//! Conversion between Rust values and DynamoDB attribute values, for every supported field type.

use std::collections::{BTreeMap, BTreeSet, HashMap, HashSet};
use std::hash::Hash;

use aws_sdk_dynamodb::primitives::Blob;
use aws_sdk_dynamodb::types::AttributeValue;

use crate::error::{DecodeError, ValueError};
use crate::expr::values::type_code;
use crate::number;

/// A Rust type that can be stored as a DynamoDB attribute.
///
/// Implemented for every integer width, `f32`, `f64`, `bool`, `String`, [`Bytes`], `SystemTime` (a
/// timestamp), `Vec<T>` (list), `HashSet` / `BTreeSet` of strings, numbers or bytes (string, number and binary
/// sets; absent when empty), `HashMap` / `BTreeMap` with `String` keys (map), `Option<T>` (absent when `None`),
/// every struct that derives [`Item`](crate::Item) (map) and every enum that derives
/// [`Value`](crate::Value) (string). With the cargo features of their names: `chrono::DateTime<Utc>`,
/// `time::OffsetDateTime` and `jiff::Timestamp` (timestamps), `rust_decimal::Decimal` and
/// `bigdecimal::BigDecimal` (exact numbers), `uuid::Uuid` (string). The README's "Attribute types" says how
/// each is stored.
///
/// ```
/// use dynatomic::Attribute;
/// let stored = 42_i64.to_attr().unwrap();
/// assert_eq!(i64::from_attr(stored).unwrap(), 42);
/// ```
#[diagnostic::on_unimplemented(
    message = "`{Self}` cannot be stored in DynamoDB by dynatomic",
    label = "this field's type is not a supported attribute type",
    note = "supported: integers, f32, f64, bool, String, dynatomic::Bytes, SystemTime, Vec<T>, HashSet/BTreeSet of strings, numbers or bytes, HashMap/BTreeMap<String, T>, Option<T>, structs that derive dynatomic::Item and enums that derive dynatomic::Value; with dynatomic's features of their names: chrono, time and jiff timestamps, rust_decimal and bigdecimal, uuid; any serde type with `#[dynatomic(serde)]`"
)]
pub trait Attribute: Sized + 'static {
    /// The type an expression sees: `T` for `Option<T>`, the type itself otherwise.
    type Value;
    /// The probes of a nested struct's fields (`NoFields` for every other type).
    #[doc(hidden)]
    type Fields: 'static;

    /// Converts the value to a DynamoDB attribute value, refusing what DynamoDB would refuse.
    fn to_attr(&self) -> Result<AttributeValue, ValueError>;

    /// Reads the value back from a stored attribute value.
    fn from_attr(value: AttributeValue) -> Result<Self, DecodeError>;

    /// Whether the attribute is left out of the stored item (`None` options).
    fn is_absent(&self) -> bool {
        false
    }

    /// The value of an attribute that is not stored: an error unless the type is an `Option` (`None`) or a set
    /// (empty, as DynamoDB has no empty sets).
    fn from_missing() -> Result<Self, DecodeError> {
        Err(DecodeError::missing(std::any::type_name::<Self>()))
    }

    #[doc(hidden)]
    fn fields() -> &'static Self::Fields;
}

/// The field probes of a type that has no nested fields (`T` names it in the compiler's messages).
#[doc(hidden)]
pub struct NoFields<T>(std::marker::PhantomData<fn() -> T>);

/// The probes of a type without nested fields.
pub fn no_fields<T>() -> &'static NoFields<T> {
    &NoFields(std::marker::PhantomData)
}

/// Binary data, stored as DynamoDB's `B` type (a `HashSet<Bytes>` is a binary set).
///
/// ```
/// let logo = dynatomic::Bytes(vec![0x89, 0x50, 0x4e, 0x47]);
/// assert_eq!(logo.as_ref(), &[0x89, 0x50, 0x4e, 0x47]);
/// ```
#[derive(Debug, Clone, Default, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Bytes(pub Vec<u8>);

impl AsRef<[u8]> for Bytes {
    fn as_ref(&self) -> &[u8] {
        &self.0
    }
}

impl From<Vec<u8>> for Bytes {
    fn from(bytes: Vec<u8>) -> Self {
        Bytes(bytes)
    }
}

pub(crate) fn mismatch<T>(found: &AttributeValue) -> DecodeError {
    DecodeError::mismatch(std::any::type_name::<T>(), format_args!("found a value of type {}", type_code(found)))
}

/// Implements [`Attribute`] for a type without nested fields.
macro_rules! leaf_attribute {
    ($ty:ty, |$this:ident| $to:expr, |$value:ident| $from:expr) => {
        impl Attribute for $ty {
            type Value = Self;
            type Fields = NoFields<Self>;
            fn to_attr(&self) -> Result<AttributeValue, ValueError> {
                let $this = self;
                $to
            }
            fn from_attr($value: AttributeValue) -> Result<Self, DecodeError> {
                $from
            }
            fn fields() -> &'static NoFields<Self> {
                crate::attribute::no_fields()
            }
        }
    };
}
pub(crate) use leaf_attribute;

/// Integers whose every value fits in 38 significant digits.
macro_rules! small_integers {
    ($($ty:ty)*) => {$(
        leaf_attribute!($ty, |n| Ok(AttributeValue::N(n.to_string())), |v| decode_number(v));
    )*};
}
small_integers!(i8 i16 i32 i64 isize u8 u16 u32 u64 usize);

/// 128-bit integers: their extremes have 39 digits, so they are checked.
macro_rules! wide_integers {
    ($($ty:ty)*) => {$(
        leaf_attribute!($ty, |n| number::check(n.to_string()).map(AttributeValue::N), |v| decode_number(v));
    )*};
}
wide_integers!(i128 u128);

/// Floats: NaN and infinities are refused.
macro_rules! floats {
    ($($ty:ty)*) => {$(
        leaf_attribute!($ty, |n| number::float(f64::from(*n), n.to_string()).map(AttributeValue::N), |v| decode_number(v));
    )*};
}
floats!(f32 f64);

fn decode_number<T: std::str::FromStr>(value: AttributeValue) -> Result<T, DecodeError> {
    match value {
        AttributeValue::N(text) => text.parse().map_err(|_| {
            DecodeError::mismatch(std::any::type_name::<T>(), format_args!("the number {text} does not fit"))
        }),
        other => Err(mismatch::<T>(&other)),
    }
}

leaf_attribute!(String, |s| Ok(AttributeValue::S(s.clone())), |v| match v {
    AttributeValue::S(s) => Ok(s),
    other => Err(mismatch::<String>(&other)),
});

leaf_attribute!(bool, |b| Ok(AttributeValue::Bool(*b)), |v| match v {
    AttributeValue::Bool(b) => Ok(b),
    other => Err(mismatch::<bool>(&other)),
});

leaf_attribute!(Bytes, |b| Ok(AttributeValue::B(Blob::new(b.0.clone()))), |v| match v {
    AttributeValue::B(blob) => Ok(Bytes(blob.into_inner())),
    other => Err(mismatch::<Bytes>(&other)),
});

impl<T: Attribute> Attribute for Option<T> {
    type Value = T::Value;
    type Fields = T::Fields;

    fn to_attr(&self) -> Result<AttributeValue, ValueError> {
        match self {
            Some(value) => value.to_attr(),
            None => Ok(AttributeValue::Null(true)),
        }
    }

    fn from_attr(value: AttributeValue) -> Result<Self, DecodeError> {
        match value {
            AttributeValue::Null(_) => Ok(None),
            value => T::from_attr(value).map(Some),
        }
    }

    fn is_absent(&self) -> bool {
        self.is_none()
    }

    fn from_missing() -> Result<Self, DecodeError> {
        Ok(None)
    }

    fn fields() -> &'static T::Fields {
        T::fields()
    }
}

impl<T: Attribute> Attribute for Vec<T> {
    type Value = Self;
    type Fields = NoFields<Self>;

    fn to_attr(&self) -> Result<AttributeValue, ValueError> {
        list(self.iter().map(T::to_attr))
    }

    fn from_attr(value: AttributeValue) -> Result<Self, DecodeError> {
        match value {
            AttributeValue::L(values) => values
                .into_iter()
                .enumerate()
                .map(|(i, v)| T::from_attr(v).map_err(|e| e.at(&format!("[{i}]"))))
                .collect(),
            other => Err(mismatch::<Self>(&other)),
        }
    }

    fn fields() -> &'static NoFields<Self> {
        &NoFields(std::marker::PhantomData)
    }
}

/// Builds a list attribute value, naming the index of the first refused element.
pub(crate) fn list(
    elements: impl Iterator<Item = Result<AttributeValue, ValueError>>,
) -> Result<AttributeValue, ValueError> {
    elements
        .enumerate()
        .map(|(i, v)| v.map_err(|e| e.at(&format!("[{i}]"))))
        .collect::<Result<_, _>>()
        .map(AttributeValue::L)
}

/// A type that can be an element of a DynamoDB set: strings (SS), numbers (NS) and [`Bytes`] (BS).
#[diagnostic::on_unimplemented(
    message = "`{Self}` cannot be an element of a DynamoDB set",
    label = "sets hold strings, numbers or dynatomic::Bytes",
    note = "use Vec<T> for a list of other values"
)]
pub trait SetElement: Attribute {
    /// Builds the set attribute value from converted elements (never empty, no duplicates).
    #[doc(hidden)]
    fn set_of(elements: Vec<AttributeValue>) -> AttributeValue;
    /// Splits a stored set attribute value into its elements.
    #[doc(hidden)]
    fn elements_of(set: AttributeValue) -> Result<Vec<AttributeValue>, AttributeValue>;
}

/// For each kind of set, the two halves of [`SetElement`]: building the set from converted elements, and
/// splitting a stored set into them.
macro_rules! set_kinds {
    ($($of:ident, $elements_of:ident: $variant:ident of $element:ident;)*) => {$(
        /// The set of these converted elements.
        pub fn $of(elements: Vec<AttributeValue>) -> AttributeValue {
            AttributeValue::$variant(
                elements
                    .into_iter()
                    .filter_map(|e| match e {
                        AttributeValue::$element(inner) => Some(inner),
                        _ => None,
                    })
                    .collect(),
            )
        }
        /// The elements of a stored set, or the value if it is not this kind of set.
        pub fn $elements_of(set: AttributeValue) -> Result<Vec<AttributeValue>, AttributeValue> {
            match set {
                AttributeValue::$variant(elements) => Ok(elements.into_iter().map(AttributeValue::$element).collect()),
                other => Err(other),
            }
        }
    )*};
}
set_kinds! {
    string_set, string_set_elements: Ss of S;
    number_set, number_set_elements: Ns of N;
    binary_set, binary_set_elements: Bs of B;
}

macro_rules! set_element {
    ($of:ident, $elements_of:ident: $($ty:ty)*) => {$(
        impl SetElement for $ty {
            fn set_of(elements: Vec<AttributeValue>) -> AttributeValue {
                $of(elements)
            }
            fn elements_of(set: AttributeValue) -> Result<Vec<AttributeValue>, AttributeValue> {
                $elements_of(set)
            }
        }
    )*};
}
#[cfg(any(feature = "rust_decimal", feature = "bigdecimal", feature = "uuid"))]
pub(crate) use set_element;
set_element!(string_set, string_set_elements: String);
set_element!(number_set, number_set_elements: i8 i16 i32 i64 i128 isize u8 u16 u32 u64 u128 usize f32 f64);
set_element!(binary_set, binary_set_elements: Bytes);

/// Builds a set attribute value: duplicates are dropped, an empty set is refused.
pub(crate) fn set<E: SetElement>(
    elements: impl Iterator<Item = Result<AttributeValue, ValueError>>,
) -> Result<AttributeValue, ValueError> {
    let mut unique: Vec<AttributeValue> = Vec::new();
    for element in elements {
        let element = element?;
        if !unique.contains(&element) {
            unique.push(element);
        }
    }
    if unique.is_empty() {
        return Err(ValueError::EmptySet);
    }
    Ok(E::set_of(unique))
}

macro_rules! set_attribute {
    ($($set:ident: $($bound:path),*;)*) => {$(
        impl<E: SetElement $(+ $bound)*> Attribute for $set<E> {
            type Value = Self;
            type Fields = NoFields<Self>;

            fn to_attr(&self) -> Result<AttributeValue, ValueError> {
                set::<E>(self.iter().map(E::to_attr))
            }

            fn from_attr(value: AttributeValue) -> Result<Self, DecodeError> {
                let elements = E::elements_of(value).map_err(|other| mismatch::<Self>(&other))?;
                elements.into_iter().map(E::from_attr).collect()
            }

            // DynamoDB has no empty sets: an empty set is stored as no attribute (deleting the last element
            // removes it), so a missing set reads back as an empty one.
            fn is_absent(&self) -> bool {
                self.is_empty()
            }

            fn from_missing() -> Result<Self, DecodeError> {
                Ok(Self::new())
            }

            fn fields() -> &'static NoFields<Self> {
                &NoFields(std::marker::PhantomData)
            }
        }
    )*};
}
set_attribute! {
    HashSet: Eq, Hash;
    BTreeSet: Ord;
}

macro_rules! map_attribute {
    ($($map:ident),*) => {$(
        impl<V: Attribute> Attribute for $map<String, V> {
            type Value = Self;
            type Fields = NoFields<Self>;

            fn to_attr(&self) -> Result<AttributeValue, ValueError> {
                map(self.iter().map(|(k, v)| (k.as_str(), v)))
            }

            fn from_attr(value: AttributeValue) -> Result<Self, DecodeError> {
                match value {
                    AttributeValue::M(entries) => entries
                        .into_iter()
                        .map(|(k, v)| match V::from_attr(v) {
                            Ok(v) => Ok((k, v)),
                            Err(e) => Err(e.at(&k)),
                        })
                        .collect(),
                    other => Err(mismatch::<Self>(&other)),
                }
            }

            fn fields() -> &'static NoFields<Self> {
                &NoFields(std::marker::PhantomData)
            }
        }
    )*};
}
map_attribute!(HashMap, BTreeMap);

/// Builds a map attribute value from named values, leaving out absent ones.
pub(crate) fn map<'a, V: Attribute + 'a>(
    entries: impl Iterator<Item = (&'a str, &'a V)>,
) -> Result<AttributeValue, ValueError> {
    let mut out = HashMap::new();
    for (key, value) in entries {
        if value.is_absent() {
            continue;
        }
        out.insert(key.to_owned(), value.to_attr().map_err(|e| e.at(key))?);
    }
    Ok(AttributeValue::M(out))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn scalars_round_trip() {
        assert_eq!(u8::from_attr(200_u8.to_attr().unwrap()).unwrap(), 200);
        assert_eq!(f64::from_attr(0.1_f64.to_attr().unwrap()).unwrap(), 0.1);
        assert_eq!(String::from_attr("héllo".to_owned().to_attr().unwrap()).unwrap(), "héllo");
        assert_eq!(Bytes::from_attr(Bytes(vec![1, 2]).to_attr().unwrap()).unwrap(), Bytes(vec![1, 2]));
        assert_eq!(Option::<bool>::from_missing().unwrap(), None);
    }

    #[test]
    fn refuses_bad_numbers_and_empty_sets() {
        assert!(f64::NAN.to_attr().is_err());
        assert!(f32::NEG_INFINITY.to_attr().is_err());
        assert!(u128::MAX.to_attr().is_err());
        assert_eq!(HashSet::<String>::new().to_attr(), Err(ValueError::EmptySet));
    }

    #[test]
    fn sets_become_typed_sets() {
        let labels: BTreeSet<String> = ["a".to_owned(), "b".to_owned()].into();
        assert_eq!(labels.to_attr().unwrap(), AttributeValue::Ss(vec!["a".into(), "b".into()]));
        let ids: BTreeSet<u32> = [3, 1].into();
        assert_eq!(ids.to_attr().unwrap(), AttributeValue::Ns(vec!["1".into(), "3".into()]));
    }

    #[test]
    fn decode_errors_name_the_path() {
        let stored = AttributeValue::L(vec![AttributeValue::N("1".into()), AttributeValue::S("x".into())]);
        let err = Vec::<i32>::from_attr(stored).unwrap_err();
        assert_eq!(err.path, "[1]");
        assert!(i8::from_attr(AttributeValue::N("300".into())).is_err());
    }
}
