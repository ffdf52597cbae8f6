//! The Rust values an expression accepts for an attribute of type `T`.

use std::collections::{BTreeMap, BTreeSet, HashMap, HashSet};

use aws_sdk_dynamodb::types::AttributeValue;

use crate::attribute::{self, Attribute, Bytes, SetElement};
use crate::error::ValueError;

/// A Rust value that fits an attribute of type `T` in an expression: `T` itself, a reference to it, and
/// for strings, lists, sets and maps also the usual borrowed and literal forms (`&str`, arrays, slices).
///
/// ```
/// use dynatomic::IntoValue;
/// use std::collections::HashSet;
/// let v = IntoValue::<HashSet<String>>::into_value(["sale", "new"]).unwrap();
/// assert!(matches!(v, aws_sdk_dynamodb::types::AttributeValue::Ss(_)));
/// ```
#[diagnostic::on_unimplemented(
    message = "a value of type `{Self}` does not fit an attribute of type `{T}`",
    label = "expected a value of type `{T}`",
    note = "the value must have the field's type (or be a reference to it); strings also take `&str`, lists and sets take arrays, slices and vectors of their elements"
)]
pub trait IntoValue<T> {
    /// Converts the value, refusing what DynamoDB would refuse.
    fn into_value(self) -> Result<AttributeValue, ValueError>;
}

/// A value and a reference to it both fit their own type.
macro_rules! fits_itself {
    ($($ty:ty),*) => {$(
        impl IntoValue<$ty> for $ty {
            fn into_value(self) -> Result<AttributeValue, ValueError> {
                self.to_attr()
            }
        }
        impl IntoValue<$ty> for &$ty {
            fn into_value(self) -> Result<AttributeValue, ValueError> {
                self.to_attr()
            }
        }
    )*};
}
pub(crate) use fits_itself;
fits_itself!(i8, i16, i32, i64, i128, isize, u8, u16, u32, u64, u128, usize, f32, f64, bool, String, Bytes);

impl IntoValue<String> for &str {
    fn into_value(self) -> Result<AttributeValue, ValueError> {
        Ok(AttributeValue::S(self.to_owned()))
    }
}

impl IntoValue<String> for &&str {
    fn into_value(self) -> Result<AttributeValue, ValueError> {
        Ok(AttributeValue::S((*self).to_owned()))
    }
}

impl IntoValue<Bytes> for &[u8] {
    fn into_value(self) -> Result<AttributeValue, ValueError> {
        Ok(AttributeValue::B(aws_sdk_dynamodb::primitives::Blob::new(self)))
    }
}

/// Collections of values that fit `T` fit lists and sets of `T`.
macro_rules! collections {
    ($($source:ty => [$($bound:tt)*]),* $(,)?) => {$(
        impl<T, U, $($bound)*> IntoValue<Vec<T>> for $source
        where
            for<'x> &'x U: IntoValue<T>,
        {
            fn into_value(self) -> Result<AttributeValue, ValueError> {
                attribute::list(self.iter().map(|element| element.into_value()))
            }
        }
        impl<E: SetElement + Eq + std::hash::Hash, U, $($bound)*> IntoValue<HashSet<E>> for $source
        where
            for<'x> &'x U: IntoValue<E>,
        {
            fn into_value(self) -> Result<AttributeValue, ValueError> {
                attribute::set::<E>(self.iter().map(|element| element.into_value()))
            }
        }
        impl<E: SetElement + Ord, U, $($bound)*> IntoValue<BTreeSet<E>> for $source
        where
            for<'x> &'x U: IntoValue<E>,
        {
            fn into_value(self) -> Result<AttributeValue, ValueError> {
                attribute::set::<E>(self.iter().map(|element| element.into_value()))
            }
        }
    )*};
}
collections! {
    Vec<U> => [],
    &Vec<U> => [],
    &[U] => [],
    [U; N] => [const N: usize],
    &[U; N] => [const N: usize],
    HashSet<U> => [],
    &HashSet<U> => [],
    BTreeSet<U> => [],
    &BTreeSet<U> => [],
}

/// Maps with string keys fit maps of values that fit `V`.
macro_rules! maps {
    ($($target:ident),*) => {$(
        impl<V, W> IntoValue<$target<String, V>> for HashMap<String, W>
        where
            for<'x> &'x W: IntoValue<V>,
        {
            fn into_value(self) -> Result<AttributeValue, ValueError> {
                map_value(self.iter())
            }
        }
        impl<V, W> IntoValue<$target<String, V>> for &HashMap<String, W>
        where
            for<'x> &'x W: IntoValue<V>,
        {
            fn into_value(self) -> Result<AttributeValue, ValueError> {
                map_value(self.iter())
            }
        }
        impl<V, W> IntoValue<$target<String, V>> for BTreeMap<String, W>
        where
            for<'x> &'x W: IntoValue<V>,
        {
            fn into_value(self) -> Result<AttributeValue, ValueError> {
                map_value(self.iter())
            }
        }
        impl<V, W> IntoValue<$target<String, V>> for &BTreeMap<String, W>
        where
            for<'x> &'x W: IntoValue<V>,
        {
            fn into_value(self) -> Result<AttributeValue, ValueError> {
                map_value(self.iter())
            }
        }
    )*};
}
maps!(HashMap, BTreeMap);

fn map_value<'a, V, W: 'a>(entries: impl Iterator<Item = (&'a String, &'a W)>) -> Result<AttributeValue, ValueError>
where
    for<'x> &'x W: IntoValue<V>,
{
    entries
        .map(|(key, value)| Ok((key.clone(), value.into_value().map_err(|e| e.at(key))?)))
        .collect::<Result<_, _>>()
        .map(AttributeValue::M)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn borrowed_forms_fit() {
        let name = String::from("x");
        assert_eq!(IntoValue::<String>::into_value(&name).unwrap(), AttributeValue::S("x".into()));
        assert_eq!(IntoValue::<String>::into_value("y").unwrap(), AttributeValue::S("y".into()));
        let list = IntoValue::<Vec<String>>::into_value(["a", "b"]).unwrap();
        assert_eq!(list, AttributeValue::L(vec![AttributeValue::S("a".into()), AttributeValue::S("b".into())]));
    }

    #[test]
    fn sets_drop_duplicates_and_refuse_empty() {
        let set = IntoValue::<HashSet<i64>>::into_value([1_i64, 1, 2]).unwrap();
        assert_eq!(set, AttributeValue::Ns(vec!["1".into(), "2".into()]));
        let empty: [i64; 0] = [];
        assert_eq!(IntoValue::<HashSet<i64>>::into_value(empty), Err(ValueError::EmptySet));
    }
}
