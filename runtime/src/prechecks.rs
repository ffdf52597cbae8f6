//! What dynatomic checks before it sends a request, so that DynamoDB's refusals come back as typed errors
//! that name the attribute: the rules of values at every depth (no empty name or map key, no empty set, at most
//! 32 levels), an item of at most 400 KB (counted as DynamoDB counts it: [`crate::expr::item_size`]), and the
//! bytes a write adds to a transaction's payload. Numbers are checked where they are converted
//! ([`crate::number`]).

use aws_sdk_dynamodb::types::AttributeValue;

use crate::error::ValueError;
use crate::expr::item_size::{MAX_ITEM_BYTES, item_size, value_size};
use crate::limits::{MAX_ITEM_DEPTH, MAX_VALUE_DEPTH};
use crate::request::{Action, RawItem, Write};

/// Refuses an item that breaks a rule of values at any depth, or is over 400 KB.
pub(crate) fn check_item(item: &RawItem) -> Result<(), ValueError> {
    check_entries(item.iter(), MAX_ITEM_DEPTH)?;
    let size = item_size(item);
    if size > MAX_ITEM_BYTES { Err(ValueError::ItemTooLarge { size }) } else { Ok(()) }
}

/// Refuses an ExpressionAttributeValue that breaks a rule of values at any depth. Scalars and sets were checked
/// when they were converted, so only lists and maps are walked.
#[inline]
pub(crate) fn check_value(value: &AttributeValue) -> Result<(), ValueError> {
    match value {
        AttributeValue::L(_) | AttributeValue::M(_) => check_levels(value, MAX_VALUE_DEPTH),
        _ => Ok(()),
    }
}

/// Checks a value that may have at most `levels` levels: itself one, and a list or map one more for its
/// elements, even when it has none (DynamoDB's count, as [`crate::expr::values::depth`] counts).
fn check_levels(value: &AttributeValue, levels: usize) -> Result<(), ValueError> {
    let container = matches!(value, AttributeValue::L(_) | AttributeValue::M(_));
    if levels == 0 || container && levels == 1 {
        return Err(ValueError::TooDeep);
    }
    match value {
        AttributeValue::L(list) => list
            .iter()
            .enumerate()
            .try_for_each(|(i, element)| check_levels(element, levels - 1).map_err(|e| e.at(&format!("[{i}]")))),
        AttributeValue::M(map) => check_entries(map.iter(), levels - 1),
        AttributeValue::Ss(set) if set.is_empty() => Err(ValueError::EmptySet),
        AttributeValue::Ns(set) if set.is_empty() => Err(ValueError::EmptySet),
        AttributeValue::Bs(set) if set.is_empty() => Err(ValueError::EmptySet),
        _ => Ok(()),
    }
}

/// Checks named values (an item's attributes, a map's entries), each of at most `levels` levels.
fn check_entries<'a>(
    entries: impl Iterator<Item = (&'a String, &'a AttributeValue)>,
    levels: usize,
) -> Result<(), ValueError> {
    for (name, value) in entries {
        if name.is_empty() {
            return Err(ValueError::EmptyName);
        }
        check_levels(value, levels).map_err(|e| e.at(name))?;
    }
    Ok(())
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

    fn map(entries: Vec<(&str, AttributeValue)>) -> AttributeValue {
        AttributeValue::M(entries.into_iter().map(|(k, v)| (k.to_owned(), v)).collect())
    }

    #[test]
    fn every_depth_follows_the_rules_of_values() {
        let s = AttributeValue::S("x".into());
        let item: RawItem = [("scores".to_owned(), map(vec![("", s.clone())]))].into();
        assert_eq!(check_item(&item).unwrap_err().to_string(), "scores: an attribute name or map key cannot be empty");
        let list = AttributeValue::L(vec![s.clone(), map(vec![("a", map(vec![("", s.clone())]))])]);
        let item: RawItem = [("tags".to_owned(), list)].into();
        assert_eq!(
            check_item(&item).unwrap_err().to_string(),
            "tags[1].a: an attribute name or map key cannot be empty"
        );
        let item: RawItem = [("labels".to_owned(), map(vec![("a", AttributeValue::Ss(vec![]))]))].into();
        assert!(matches!(check_item(&item), Err(ValueError::At { source, .. }) if *source == ValueError::EmptySet));
        assert_eq!(check_value(&map(vec![("", s.clone())])), Err(ValueError::EmptyName));
    }

    #[test]
    fn values_are_nested_at_most_32_levels() {
        let nested = |levels: usize| (1..levels).fold(AttributeValue::S("x".into()), |v, _| AttributeValue::L(vec![v]));
        let item = |value: AttributeValue| RawItem::from([("a".to_owned(), value)]);
        assert_eq!(check_item(&item(nested(MAX_ITEM_DEPTH))), Ok(()));
        assert!(
            check_item(&item(nested(MAX_ITEM_DEPTH + 1)))
                .unwrap_err()
                .to_string()
                .ends_with("deeper than DynamoDB's limit of 32 levels")
        );
        assert_eq!(check_value(&nested(MAX_VALUE_DEPTH)), Ok(()));
        assert!(check_value(&nested(MAX_VALUE_DEPTH + 1)).is_err());
        // 32 lists, the innermost empty: a list needs a level for its elements.
        let lists = (1..MAX_ITEM_DEPTH).fold(AttributeValue::L(vec![]), |v, _| AttributeValue::L(vec![v]));
        assert_eq!(check_item(&item(lists)).map_err(located_source), Err(ValueError::TooDeep));
    }

    /// The error an `At` chain holds.
    fn located_source(error: ValueError) -> ValueError {
        match error {
            ValueError::At { source, .. } => *source,
            other => other,
        }
    }

    #[test]
    fn counts_names_and_values() {
        let item: RawItem = [("pk".to_owned(), AttributeValue::S("abc".into()))].into();
        assert_eq!(item_size(&item), 5);
        let big: RawItem = [("d".to_owned(), AttributeValue::S("x".repeat(MAX_ITEM_BYTES)))].into();
        assert_eq!(check_item(&big), Err(ValueError::ItemTooLarge { size: MAX_ITEM_BYTES + 1 }));
    }
}
