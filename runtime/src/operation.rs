//! The operations `update!` and `condition!` build: finished expression strings plus their name and value maps.

use std::borrow::Cow;
use std::collections::BTreeMap;
use std::marker::PhantomData;

use aws_sdk_dynamodb::types::AttributeValue;

use crate::error::ValueError;

/// The expression placeholders of one operation: `#name` to attribute name, `:value` to value.
#[derive(Debug, Clone)]
pub(crate) struct Placeholders {
    pub(crate) names: Vec<(&'static str, Cow<'static, str>)>,
    pub(crate) values: Result<Vec<(&'static str, AttributeValue)>, ValueError>,
}

impl Placeholders {
    fn new<const N: usize, const V: usize>(
        names: [(&'static str, Cow<'static, str>); N],
        values: [(&'static str, Result<AttributeValue, ValueError>); V],
    ) -> Self {
        let values = values
            .into_iter()
            .map(|(placeholder, value)| value.map(|v| (placeholder, v)))
            .collect::<Result<Vec<_>, _>>();
        let values = match names.iter().find(|(_, name)| name.is_empty()) {
            Some(_) => Err(ValueError::EmptyName),
            None => values,
        };
        Placeholders { names: names.into(), values }
    }

    fn names(&self) -> BTreeMap<&'static str, &str> {
        self.names.iter().map(|(k, v)| (*k, v.as_ref())).collect()
    }

    fn values(&self) -> Result<BTreeMap<&'static str, &AttributeValue>, &ValueError> {
        match &self.values {
            Ok(values) => Ok(values.iter().map(|(k, v)| (*k, v)).collect()),
            Err(e) => Err(e),
        }
    }
}

/// An update of one item of `T`, built by [`update!`](crate::update): an UpdateExpression, an optional
/// ConditionExpression, and the placeholders both use.
///
/// ```
/// #[derive(dynatomic::Item)]
/// struct Product { #[dynatomic(partition_key)] sku: String, stock: i64, reserved: i64 }
///
/// let qty = 2;
/// let op = dynatomic::update!(Product: stock -= qty, reserved += qty; where stock >= qty);
/// assert_eq!(op.update_expression(), "SET #n0 = if_not_exists(#n0, :zero) - :v0, #n1 = if_not_exists(#n1, :zero) + :v1");
/// assert_eq!(op.condition_expression(), Some("#n0 >= :v2"));
/// assert_eq!(op.names()["#n1"], "reserved");
/// ```
#[derive(Debug, Clone)]
pub struct Update<T> {
    update: &'static str,
    condition: Option<&'static str>,
    pub(crate) placeholders: Placeholders,
    item: PhantomData<fn() -> T>,
}

impl<T> Update<T> {
    /// The UpdateExpression, with a placeholder for every name and value.
    pub fn update_expression(&self) -> &'static str {
        self.update
    }

    /// The ConditionExpression of the `where` part, if there is one.
    pub fn condition_expression(&self) -> Option<&'static str> {
        self.condition
    }

    /// The ExpressionAttributeNames: placeholder to attribute name.
    pub fn names(&self) -> BTreeMap<&'static str, &str> {
        self.placeholders.names()
    }

    /// The ExpressionAttributeValues, or the error converting one of the values raised.
    pub fn values(&self) -> Result<BTreeMap<&'static str, &AttributeValue>, &ValueError> {
        self.placeholders.values()
    }

    #[doc(hidden)]
    pub fn __new<const N: usize, const V: usize>(
        update: &'static str,
        condition: Option<&'static str>,
        names: [(&'static str, Cow<'static, str>); N],
        values: [(&'static str, Result<AttributeValue, ValueError>); V],
    ) -> Self {
        Update { update, condition, placeholders: Placeholders::new(names, values), item: PhantomData }
    }
}

/// A condition on one item of `T`, built by [`condition!`](crate::condition), for conditional puts and deletes.
///
/// ```
/// #[derive(dynatomic::Item)]
/// struct Product { #[dynatomic(partition_key)] sku: String, stock: i64, note: Option<String> }
///
/// let cond = dynatomic::condition!(Product: stock == 0 && !note.exists());
/// assert_eq!(cond.expression(), "#n0 = :v0 AND attribute_not_exists(#n1)");
/// ```
#[derive(Debug, Clone)]
pub struct Condition<T> {
    expression: &'static str,
    pub(crate) placeholders: Placeholders,
    item: PhantomData<fn() -> T>,
}

impl<T> Condition<T> {
    /// The ConditionExpression, with a placeholder for every name and value.
    pub fn expression(&self) -> &'static str {
        self.expression
    }

    /// The ExpressionAttributeNames: placeholder to attribute name.
    pub fn names(&self) -> BTreeMap<&'static str, &str> {
        self.placeholders.names()
    }

    /// The ExpressionAttributeValues, or the error converting one of the values raised.
    pub fn values(&self) -> Result<BTreeMap<&'static str, &AttributeValue>, &ValueError> {
        self.placeholders.values()
    }

    #[doc(hidden)]
    pub fn __new<const N: usize, const V: usize>(
        expression: &'static str,
        names: [(&'static str, Cow<'static, str>); N],
        values: [(&'static str, Result<AttributeValue, ValueError>); V],
    ) -> Self {
        Condition { expression, placeholders: Placeholders::new(names, values), item: PhantomData }
    }
}
