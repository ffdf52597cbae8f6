//! Exact decimals for money, with their features: `rust_decimal::Decimal` and `bigdecimal::BigDecimal`.
//!
//! Stored as DynamoDB numbers (`N`) in their own decimal text, never through `f64`: what is sent is the exact
//! value, checked against DynamoDB's number rules (38 significant digits, magnitude 1E-130 to 9.99..E+125)
//! before sending. They are numbers to the DSL: `balance -= amount; where balance >= amount`.

use aws_sdk_dynamodb::types::AttributeValue;

use crate::attribute::{
    Attribute, NoFields, SetElement, leaf_attribute, mismatch, number_set, number_set_elements, set_element,
};
use crate::error::{DecodeError, ValueError};
use crate::kind::{Number, Ordered};
use crate::schema::{KeyAttribute, KeyKind};
use crate::value::{IntoValue, fits_itself};

/// Reads a stored number with `parse`, given its canonical plain form (so that an exponent form is read as
/// exactly as a plain one), naming the number when the type cannot hold it exactly.
fn decode<T>(value: AttributeValue, parse: impl FnOnce(&str) -> Option<T>) -> Result<T, DecodeError> {
    match value {
        AttributeValue::N(text) => {
            crate::number::canonical(text.clone()).ok().as_deref().and_then(parse).ok_or_else(|| {
                DecodeError::mismatch(
                    std::any::type_name::<T>(),
                    format_args!("the number {text} does not fit exactly"),
                )
            })
        }
        other => Err(mismatch::<T>(&other)),
    }
}

macro_rules! decimals {
    ($($ty:ty: |$text:ident| $parse:expr;)*) => {$(
        // Written in canonical form, as DynamoDB stores it, so that equal decimals are equal elements of a set.
        leaf_attribute!($ty, |n| crate::number::canonical(n.to_string()).map(AttributeValue::N), |value| {
            decode(value, |$text| $parse)
        });
        fits_itself!($ty);
        impl Number for $ty {
            type Same = Self;
        }
        impl Ordered for $ty {
            type Same = Self;
        }
        impl KeyAttribute for $ty {
            const KIND: KeyKind = KeyKind::Number;
        }
        set_element!(number_set, number_set_elements: $ty);
    )*};
}

#[cfg(feature = "rust_decimal")]
decimals! {
    // A number with more digits than `Decimal` holds is refused, not rounded.
    rust_decimal::Decimal: |text| rust_decimal::Decimal::from_str_exact(text).ok();
}

#[cfg(feature = "bigdecimal")]
decimals! {
    bigdecimal::BigDecimal: |text| text.parse().ok();
}

#[cfg(all(test, feature = "rust_decimal", feature = "bigdecimal"))]
mod tests {
    use super::*;

    #[test]
    fn stores_the_exact_text_and_refuses_what_dynamodb_refuses() {
        let cents: rust_decimal::Decimal = "0.10".parse().unwrap();
        assert_eq!(cents.to_attr().unwrap(), AttributeValue::N("0.1".into()));
        let same: [rust_decimal::Decimal; 2] = ["1.0".parse().unwrap(), "1.00".parse().unwrap()];
        let set = IntoValue::<std::collections::HashSet<rust_decimal::Decimal>>::into_value(same).unwrap();
        assert_eq!(set, AttributeValue::Ns(vec!["1".into()]), "equal decimals are one element");
        let huge: bigdecimal::BigDecimal = "1e126".parse().unwrap();
        assert!(matches!(huge.to_attr(), Err(ValueError::OutOfRange(_))));
        let precise: bigdecimal::BigDecimal = format!("0.{}", "3".repeat(39)).parse().unwrap();
        assert!(matches!(precise.to_attr(), Err(ValueError::TooPrecise(_))));
    }

    #[test]
    fn reads_plain_and_exponent_forms_and_refuses_rounding() {
        let read = |text: &str| rust_decimal::Decimal::from_attr(AttributeValue::N(text.into()));
        assert_eq!(read("12.5").unwrap().to_string(), "12.5");
        assert_eq!(read("1.25E+2").unwrap().to_string(), "125");
        assert!(read(&format!("0.{}1", "0".repeat(30))).is_err());
        assert!(read("1.00000000000000000000000000000001E+1").is_err(), "31 digits in exponent form are not rounded");
        let big = bigdecimal::BigDecimal::from_attr(AttributeValue::N("9.9E+125".into())).unwrap();
        assert_eq!(big, "99e124".parse::<bigdecimal::BigDecimal>().unwrap());
    }
}
