//! DynamoDB's checks of a request's ExpressionAttributeNames and ExpressionAttributeValues: well-formed keys
//! and values before any expression is read, and no placeholder left unused once the expressions are bound.

use std::collections::HashMap;

use aws_sdk_dynamodb::types::AttributeValue;

use super::{java, values};

/// Whether a key of ExpressionAttributeNames (`prefix` `#`) or ExpressionAttributeValues (`:`) is well formed.
fn is_placeholder(key: &str, prefix: u8) -> bool {
    key.len() > 1 && key.as_bytes()[0] == prefix && key.bytes().skip(1).all(|b| b.is_ascii_alphanumeric() || b == b'_')
}

/// The first key of a map that fails `bad`, in the order the map iterates, which is the order aws-sdk-dynamodb
/// sends it in and DynamoDB reads it in.
fn first_bad<V>(map: &HashMap<String, V>, bad: impl Fn(&String, &V) -> bool) -> Option<(&String, &V)> {
    map.iter().find(|(k, v)| bad(k, v))
}

/// DynamoDB's checks of ExpressionAttributeNames and ExpressionAttributeValues before any expression is read.
/// `without_expressions` is DynamoDB's word for a request that has no expression, such as `ConditionExpression
/// is null`: it may then have no placeholders either.
pub(super) fn check_placeholder_maps(
    names: &HashMap<String, String>,
    values: &HashMap<String, AttributeValue>,
    without_expressions: Option<&str>,
) -> Result<(), String> {
    if let Some(null) = without_expressions {
        if !names.is_empty() {
            // DynamoDB Local says what is null for the values only.
            return Err("ExpressionAttributeNames can only be specified when using expressions".to_owned());
        }
        if !values.is_empty() {
            return Err(format!("ExpressionAttributeValues can only be specified when using expressions: {null}"));
        }
    }
    if let Some((key, _)) = first_bad(names, |key, _| !is_placeholder(key, b'#')) {
        return Err(format!("ExpressionAttributeNames contains invalid key: Syntax error; key: \"{key}\""));
    }
    if let Some((key, _)) = first_bad(values, |key, _| !is_placeholder(key, b':')) {
        return Err(format!("ExpressionAttributeValues contains invalid key: Syntax error; key: \"{key}\""));
    }
    if let Some((key, _)) = first_bad(names, |_, name| name.is_empty()) {
        return Err(format!("ExpressionAttributeNames contains invalid value: Empty attribute name for key {key}"));
    }
    let check = |value: &AttributeValue| values::check(value, values::MAX_VALUE_DEPTH);
    if let Some((key, value)) = first_bad(values, |_, value| check(value).is_err()) {
        let message = check(value).err().unwrap_or_default();
        return Err(format!("ExpressionAttributeValues contains invalid value: {message} for key {key}"));
    }
    Ok(())
}

/// Refuses placeholders that no expression uses, listed in the order DynamoDB's Java `HashSet` lists them
/// (placeholders in one bucket keep the order of the request's map, which aws-sdk-dynamodb sends as it
/// iterates it).
pub(super) fn unused<'a>(
    map: &str,
    keys: impl ExactSizeIterator<Item = &'a String> + Clone,
    used: impl Iterator<Item = &'a Box<str>> + Clone,
) -> Result<(), String> {
    let is_used = |key: &String| used.clone().any(|u| **u == **key);
    // Every placeholder used is defined (that was checked), so there is an unused one only when the map holds
    // more keys than there are distinct placeholders used.
    let distinct =
        used.clone().enumerate().filter(|(i, u)| !used.clone().take(*i).any(|earlier| earlier == *u)).count();
    if keys.len() <= distinct {
        return Ok(());
    }
    let total = keys.len();
    let mut unused: Vec<&String> = keys.filter(|key| !is_used(key)).collect();
    // `new HashSet<>(keys)`: capacity for `total` entries at load factor 0.75, at least 16, a power of two.
    let capacity = ((total as f32 / 0.75) as usize + 1).max(16).next_power_of_two();
    unused.sort_by_key(|key| java::bucket(java::string_hash(key), capacity));
    let keys: Vec<&str> = unused.iter().map(|key| key.as_str()).collect();
    Err(format!("Value provided in {map} unused in expressions: keys: {{{}}}", keys.join(", ")))
}
