//! DynamoDB's item size rule: an item, names and values together, is at most 400 KB, counted as DynamoDB counts
//! it.

use aws_sdk_dynamodb::types::AttributeValue;

use super::values::Attributes;

/// The largest item DynamoDB stores, in bytes.
pub(crate) use crate::limits::MAX_ITEM_BYTES;

/// The size of an item: the UTF-8 length of every attribute name plus the size of its value.
pub(crate) fn item_size(item: &Attributes) -> usize {
    item.iter().map(|(name, value)| attribute_size(name, value)).sum()
}

/// The size of one top-level attribute: its name and its value.
pub(crate) fn attribute_size(name: &str, value: &AttributeValue) -> usize {
    name.len() + value_size(value)
}

/// The size of one value, following the sizing rules of the DynamoDB Developer Guide.
pub(crate) fn value_size(value: &AttributeValue) -> usize {
    match value {
        AttributeValue::S(s) => s.len(),
        AttributeValue::N(n) => number_size(n),
        AttributeValue::B(b) => b.as_ref().len(),
        AttributeValue::Bool(_) | AttributeValue::Null(_) => 1,
        AttributeValue::Ss(set) => set.iter().map(String::len).sum(),
        AttributeValue::Ns(set) => set.iter().map(|n| number_size(n)).sum(),
        AttributeValue::Bs(set) => set.iter().map(|b| b.as_ref().len()).sum(),
        AttributeValue::L(list) => 3 + list.iter().map(|v| 1 + value_size(v)).sum::<usize>(),
        AttributeValue::M(map) => 3 + map.iter().map(|(k, v)| 1 + k.len() + value_size(v)).sum::<usize>(),
        _ => 0,
    }
}

/// A number takes one byte per two significant digits (leading and trailing zeros do not count), plus one.
fn number_size(n: &str) -> usize {
    let mantissa = n.split(['e', 'E']).next().unwrap_or_default().as_bytes();
    let first = mantissa.iter().position(|d| matches!(d, b'1'..=b'9'));
    let last = mantissa.iter().rposition(|d| matches!(d, b'1'..=b'9'));
    let significant = match (first, last) {
        (Some(first), Some(last)) => mantissa[first..=last].iter().filter(|d| d.is_ascii_digit()).count(),
        _ => 0,
    };
    significant.div_ceil(2) + 1
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn numbers_count_their_significant_digits() {
        for (number, size) in [("1", 2), ("12", 2), ("123", 3), ("1e125", 2), ("1000", 2), ("-0.00120", 2), ("0", 1)] {
            assert_eq!(number_size(number), size, "{number}");
        }
    }
}
