//! DynamoDB's item size rule: an item, names and values together, is at most 400 KB.

use aws_sdk_dynamodb::types::AttributeValue;

use crate::error::ValueError;
use crate::request::RawItem;

/// The largest item DynamoDB stores, in bytes.
pub(crate) const MAX_ITEM_BYTES: usize = 400 * 1024;

/// Refuses an item over 400 KB, counted as DynamoDB counts it.
pub(crate) fn check_item(item: &RawItem) -> Result<(), ValueError> {
    let size = item_size(item);
    if size > MAX_ITEM_BYTES { Err(ValueError::ItemTooLarge { size }) } else { Ok(()) }
}

/// The size of an item: the UTF-8 length of every attribute name plus the size of its value.
pub(crate) fn item_size(item: &RawItem) -> usize {
    item.iter().map(|(name, value)| name.len() + value_size(value)).sum()
}

/// The size of one value, following the sizing rules of the DynamoDB Developer Guide.
fn value_size(value: &AttributeValue) -> usize {
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

/// A number takes one byte per two significant digits, plus one.
fn number_size(n: &str) -> usize {
    let digits = n.bytes().take_while(|b| !matches!(b, b'e' | b'E')).filter(u8::is_ascii_digit).count();
    digits.div_ceil(2) + 1
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn counts_names_and_values() {
        let item: RawItem = [("pk".to_owned(), AttributeValue::S("abc".into()))].into();
        assert_eq!(item_size(&item), 5);
        let big: RawItem = [("d".to_owned(), AttributeValue::S("x".repeat(MAX_ITEM_BYTES)))].into();
        assert_eq!(check_item(&big), Err(ValueError::ItemTooLarge { size: MAX_ITEM_BYTES + 1 }));
    }
}
