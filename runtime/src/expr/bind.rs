//! The placeholders of a parsed expression bound to one request's ExpressionAttributeNames and
//! ExpressionAttributeValues: each distinct placeholder is looked up once, then found by its slot.

use std::collections::HashMap;

use aws_sdk_dynamodb::types::AttributeValue;

use super::parser::{Name, PlaceholderSlot, UsedPlaceholders};
use super::small::Small;

/// The entry of a placeholder map: a request's maps are small, and comparing a few short keys is cheaper than
/// hashing one.
fn find<'a, V>(map: &'a HashMap<String, V>, key: &str) -> Option<&'a V> {
    if map.len() <= 8 { map.iter().find(|(k, _)| k.as_str() == key).map(|(_, v)| v) } else { map.get(key) }
}

/// An expression's placeholders and what the request's maps give for them (`None`: not defined).
pub(crate) struct Context<'a> {
    placeholders: &'a UsedPlaceholders,
    names: Small<Option<&'a str>, 8>,
    values: Small<Option<&'a AttributeValue>, 8>,
}

impl<'a> Context<'a> {
    /// Looks up every placeholder of an expression in the request's maps.
    pub(crate) fn bind(
        placeholders: &'a UsedPlaceholders,
        names: &'a HashMap<String, String>,
        values: &'a HashMap<String, AttributeValue>,
    ) -> Self {
        Context {
            placeholders,
            names: placeholders.names.iter().map(|n| find(names, n).map(String::as_str)).collect(),
            values: placeholders.values.iter().map(|v| find(values, v)).collect(),
        }
    }

    /// The attribute name a name of the expression stands for, if it is defined.
    pub(crate) fn name(&self, name: &'a Name) -> Option<&'a str> {
        match name {
            Name::Bare(name) => Some(name),
            Name::Placeholder(slot) => self.name_of(*slot),
        }
    }

    /// The attribute name a `#name` placeholder stands for, if it is defined.
    pub(crate) fn name_of(&self, slot: PlaceholderSlot) -> Option<&'a str> {
        self.names.get(slot.0).copied().flatten()
    }

    /// The value a `:value` placeholder stands for, if it is defined.
    pub(crate) fn value(&self, slot: PlaceholderSlot) -> Option<&'a AttributeValue> {
        self.values.get(slot.0).copied().flatten()
    }

    /// The text of a `#name` placeholder, for error messages.
    pub(crate) fn name_text(&self, slot: PlaceholderSlot) -> &'a str {
        self.placeholders.names.get(slot.0).map_or("", |n| n)
    }

    /// The text of a `:value` placeholder, for error messages.
    pub(crate) fn value_text(&self, slot: PlaceholderSlot) -> &'a str {
        self.placeholders.values.get(slot.0).map_or("", |v| v)
    }
}
