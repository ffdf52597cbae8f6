//! The identity of an item: the values of its key attributes, numbers in canonical form, so that `1` and `1.0`
//! name one item. The memory backend finds items by it, and transactions and batches tell two writes of one
//! item apart by it, as DynamoDB does; building it checks a key as DynamoDB does, with DynamoDB's messages.

use aws_sdk_dynamodb::types::AttributeValue;

use crate::error::InternalError;
use crate::expr::values::{self, Attributes};
use crate::limits::{MAX_PARTITION_KEY_BYTES, MAX_SORT_KEY_BYTES};
use crate::schema::{KeyKind, KeySchema};

/// A key attribute's value as an item is found by: numbers in canonical form.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub(crate) enum KeyValue {
    S(String),
    N(String),
    B(Vec<u8>),
}

/// The identity of an item: its partition key and its sort key.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub(crate) struct ItemKey(KeyValue, Option<KeyValue>);

/// Why a key does not fit its table's schema. Each request reports these its own way (a transaction's action
/// fails alone on some of them, TransactGetItems cancels on others), so they stay apart until then.
#[derive(Debug, Clone, PartialEq)]
pub(crate) enum KeyError {
    /// The Key parameter has more or fewer attributes than the schema.
    Count,
    /// A key attribute is missing.
    Missing,
    /// A key attribute has the wrong type.
    Type,
    /// A key attribute is an empty string or binary value.
    Empty { name: String, binary: bool },
    /// A key attribute is over its size limit.
    TooLong,
    /// A number key attribute is not a number: DynamoDB's message.
    Number(String),
}

impl KeyError {
    /// DynamoDB's message.
    pub(crate) fn message(&self) -> String {
        match self {
            KeyError::Count => "The number of conditions on the keys is invalid".to_owned(),
            KeyError::Missing => "One of the required keys was not given a value".to_owned(),
            KeyError::Type => "One or more parameter values were invalid: Type mismatch for key".to_owned(),
            KeyError::Empty { name, binary } => {
                let what = if *binary { "binary" } else { "string" };
                format!(
                    "One or more parameter values are not valid. The AttributeValue for a key attribute cannot contain an empty {what} value. Key: {name}"
                )
            }
            KeyError::TooLong => {
                "Hash primary key values must be under 2048 bytes, and range primary key values must be under 1024 bytes"
                    .to_owned()
            }
            KeyError::Number(message) => message.clone(),
        }
    }
}

/// The key attributes of a table: each name and type.
#[derive(Debug, Clone, Copy)]
pub(crate) struct KeyNames<'a> {
    pub(crate) partition: (&'a str, KeyKind),
    pub(crate) sort: Option<(&'a str, KeyKind)>,
}

impl From<KeySchema> for KeyNames<'static> {
    fn from(schema: KeySchema) -> Self {
        KeyNames { partition: schema.partition, sort: schema.sort }
    }
}

impl ItemKey {
    /// The identity of the item a Key parameter names: exactly the key attributes, fitting the schema.
    pub(crate) fn of_key(key: &Attributes, schema: KeyNames<'_>) -> Result<Self, KeyError> {
        if key.len() != 1 + usize::from(schema.sort.is_some()) {
            return Err(KeyError::Count);
        }
        Self::of_item(key, schema)
    }

    /// The identity of an item (its other attributes aside), refusing one whose key attributes are missing or do
    /// not fit the schema.
    pub(crate) fn of_item(item: &Attributes, schema: KeyNames<'_>) -> Result<Self, KeyError> {
        let part = |(name, kind): (&str, KeyKind), limit: usize| -> Result<KeyValue, KeyError> {
            let value = item.get(name).ok_or(KeyError::Missing)?;
            let (value, len) = match (kind, value) {
                (KeyKind::String, AttributeValue::S(s)) => (KeyValue::S(s.clone()), s.len()),
                (KeyKind::Binary, AttributeValue::B(b)) => (KeyValue::B(b.as_ref().to_vec()), b.as_ref().len()),
                (KeyKind::Number, AttributeValue::N(n)) => {
                    let n = values::number(n).map_err(KeyError::Number)?.to_string();
                    let len = n.len();
                    (KeyValue::N(n), len)
                }
                _ => return Err(KeyError::Type),
            };
            if len == 0 {
                return Err(KeyError::Empty { name: name.to_owned(), binary: kind == KeyKind::Binary });
            }
            if len > limit {
                return Err(KeyError::TooLong);
            }
            Ok(value)
        };
        let partition = part(schema.partition, MAX_PARTITION_KEY_BYTES)?;
        let sort = schema.sort.map(|sort| part(sort, MAX_SORT_KEY_BYTES)).transpose()?;
        Ok(ItemKey(partition, sort))
    }
}

/// The identity of an item whose key dynatomic built (from a `Key<T>` or an item of `T`), or one DynamoDB
/// returned: such a key fits its schema, so an error is a broken invariant.
pub(crate) fn identity(item: &Attributes, schema: KeySchema) -> Result<ItemKey, InternalError> {
    ItemKey::of_item(item, schema.into()).map_err(|error| {
        InternalError::new(format!("a key dynatomic built does not fit its table's schema: {}", error.message()))
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn key(pk: AttributeValue) -> Attributes {
        [("pk".to_owned(), pk)].into()
    }

    #[test]
    fn numbers_name_one_item_whatever_their_form() {
        let schema = KeyNames { partition: ("pk", KeyKind::Number), sort: None };
        let one = ItemKey::of_key(&key(AttributeValue::N("1".into())), schema).unwrap();
        assert_eq!(ItemKey::of_key(&key(AttributeValue::N("1.0".into())), schema), Ok(one.clone()));
        assert_eq!(ItemKey::of_key(&key(AttributeValue::N("10E-1".into())), schema), Ok(one));
        assert_eq!(ItemKey::of_key(&key(AttributeValue::S("1".into())), schema), Err(KeyError::Type));
        let extra: Attributes =
            [("pk".to_owned(), AttributeValue::N("1".into())), ("x".to_owned(), AttributeValue::N("1".into()))].into();
        assert_eq!(ItemKey::of_key(&extra, schema), Err(KeyError::Count));
        assert!(ItemKey::of_item(&extra, schema).is_ok(), "an item has other attributes");
    }
}
