//! `#[dynatomic(serde)]`: a field of any type that implements serde's `Serialize` and `Deserialize`, stored as
//! serde_dynamo stores it (a map, a list or a scalar), with the `serde` feature.

#[cfg(feature = "serde")]
use aws_sdk_dynamodb::types::AttributeValue;

#[cfg(feature = "serde")]
use crate::attribute::{Attribute, NoFields, no_fields};
#[cfg(feature = "serde")]
use crate::error::{DecodeError, ValueError};
#[cfg(feature = "serde")]
use crate::value::IntoValue;

/// A field stored with serde (`#[dynatomic(serde)]`, dynatomic's `serde` feature), as `update!` and
/// `condition!` see it: it can be set, compared with `==` / `!=`, tested with `exists()` and, in an `Option`,
/// removed; its inside is opaque to the DSL (no paths into it, no arithmetic). A value written to it or compared
/// with it is the field's own type; one that serde writes as null is refused (a put stores it as no attribute).
/// Without the `serde` feature the type exists, for the derive to name, and stores nothing.
#[cfg_attr(
    feature = "serde",
    doc = r#"
```
use dynatomic::{Attribute, Serialized};
#[derive(serde::Serialize, serde::Deserialize, Debug, PartialEq)]
struct Theme { dark: bool }

let stored = Serialized(Theme { dark: true }).to_attr().unwrap();
assert_eq!(Serialized::<Theme>::from_attr(stored).unwrap().0, Theme { dark: true });
```
"#
)]
#[derive(Debug, Clone, PartialEq)]
pub struct Serialized<T>(pub T);

#[cfg(feature = "serde")]
/// Serializes a value with serde_dynamo; a value serde writes as null is absent.
pub(crate) fn serialize<T: serde::Serialize + ?Sized>(value: &T) -> Result<Option<AttributeValue>, ValueError> {
    match serde_dynamo::to_attribute_value(value) {
        Ok(AttributeValue::Null(_)) => Ok(None),
        Ok(value) => crate::prechecks::check_value(&value).map(|()| Some(value)),
        Err(error) => Err(ValueError::Unserializable(error.to_string())),
    }
}

#[cfg(feature = "serde")]
/// Deserializes a stored value (null when the attribute is missing) with serde_dynamo.
pub(crate) fn deserialize<T: serde::de::DeserializeOwned>(value: Option<AttributeValue>) -> Result<T, DecodeError> {
    let missing = value.is_none();
    serde_dynamo::from_attribute_value(value.unwrap_or(AttributeValue::Null(true))).map_err(|error| match missing {
        true => DecodeError::missing(std::any::type_name::<T>()),
        false => DecodeError::mismatch(std::any::type_name::<T>(), error),
    })
}

#[cfg(feature = "serde")]
impl<T: serde::Serialize + serde::de::DeserializeOwned + 'static> Attribute for Serialized<T> {
    type Value = Self;
    type Fields = NoFields<Self>;

    fn to_attr(&self) -> Result<AttributeValue, ValueError> {
        present(&self.0)
    }

    fn from_attr(value: AttributeValue) -> Result<Self, DecodeError> {
        deserialize(Some(value)).map(Serialized)
    }

    fn fields() -> &'static NoFields<Self> {
        no_fields()
    }
}

#[cfg(feature = "serde")]
impl<T: serde::Serialize> IntoValue<Serialized<T>> for T {
    fn into_value(self) -> Result<AttributeValue, ValueError> {
        IntoValue::<Serialized<T>>::into_value(&self)
    }
}

#[cfg(feature = "serde")]
impl<T: serde::Serialize> IntoValue<Serialized<T>> for &T {
    fn into_value(self) -> Result<AttributeValue, ValueError> {
        present(self)
    }
}

/// The stored form of a value written or compared in an expression: a value serde writes as null would be
/// stored as no attribute by a put, so it is refused here rather than written as a NULL an item never holds.
#[cfg(feature = "serde")]
fn present<T: serde::Serialize + ?Sized>(value: &T) -> Result<AttributeValue, ValueError> {
    serialize(value)?.ok_or_else(|| {
        ValueError::Unserializable(
            "the value serializes as null, which is stored as no attribute: remove the attribute with `remove()`, or test it with `exists()`".to_owned(),
        )
    })
}

#[cfg(all(test, feature = "serde"))]
mod tests {
    use super::*;

    #[test]
    fn a_value_serde_writes_as_null_is_absent_in_an_item_and_refused_in_an_expression() {
        assert_eq!(serialize(&None::<u8>), Ok(None));
        assert!(matches!(IntoValue::<Serialized<()>>::into_value(()), Err(ValueError::Unserializable(_))));
        assert_eq!(
            IntoValue::<Serialized<Vec<u8>>>::into_value(vec![1]),
            Ok(AttributeValue::L(vec![AttributeValue::N("1".into())]))
        );
    }
}
