//! The pre-send checks of sizes, counted as DynamoDB counts them ([`crate::expr::item_size`]): an item of at
//! most 400 KB, and the bytes a write adds to a transaction's payload.

use crate::error::ValueError;
use crate::expr::item_size::{MAX_ITEM_BYTES, item_size, value_size};
use crate::request::{Action, RawItem, Write};

/// Refuses an item over 400 KB, counted as DynamoDB counts it.
pub(crate) fn check_item(item: &RawItem) -> Result<(), ValueError> {
    let size = item_size(item);
    if size > MAX_ITEM_BYTES { Err(ValueError::ItemTooLarge { size }) } else { Ok(()) }
}

/// The bytes a write adds to a transaction's 4 MB payload, as DynamoDB counts them: the item (or key), the
/// expressions' text, the attribute names and the values of the placeholder maps.
pub(crate) fn transaction_payload(write: &Write) -> usize {
    let (target, update) = match &write.action {
        Action::Put(item) => (item, None),
        Action::Update { key, expression } => (key, expression.as_deref()),
        Action::Delete { key } | Action::Check { key } => (key, None),
    };
    item_size(target)
        + update.map_or(0, str::len)
        + write.condition.as_deref().map_or(0, str::len)
        + write.names.values().map(String::len).sum::<usize>()
        + write.values.values().map(value_size).sum::<usize>()
}

#[cfg(test)]
mod tests {
    use aws_sdk_dynamodb::types::AttributeValue;

    use super::*;

    #[test]
    fn counts_names_and_values() {
        let item: RawItem = [("pk".to_owned(), AttributeValue::S("abc".into()))].into();
        assert_eq!(item_size(&item), 5);
        let big: RawItem = [("d".to_owned(), AttributeValue::S("x".repeat(MAX_ITEM_BYTES)))].into();
        assert_eq!(check_item(&big), Err(ValueError::ItemTooLarge { size: MAX_ITEM_BYTES + 1 }));
    }
}
