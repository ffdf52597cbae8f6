//! The operations `update!` and `condition!` build: finished expression strings plus their name and value maps.

use std::borrow::Cow;
use std::collections::{BTreeMap, HashMap};
use std::marker::PhantomData;

use aws_sdk_dynamodb::types::AttributeValue;

use crate::error::ValueError;
use crate::explain::{self, Explainer, Explanation, Sources};

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

    /// Why `expression` is false for `stored` with these placeholders ([`explain::explain`]); `None` when it
    /// holds or a value was refused.
    fn explain(
        &self,
        expression: &str,
        sources: &Sources,
        stored: Option<&HashMap<String, AttributeValue>>,
    ) -> Option<Explanation> {
        let (names, values) = self.maps()?;
        explain::explain(expression, &names, &values, sources, stored)
    }

    /// The ExpressionAttributeNames and ExpressionAttributeValues of a request; `None` if a value was refused.
    pub(crate) fn maps(&self) -> Option<(HashMap<String, String>, HashMap<String, AttributeValue>)> {
        let values = self.values.as_ref().ok()?;
        let names = self.names.iter().map(|(k, v)| ((*k).to_owned(), v.clone().into_owned())).collect();
        Some((names, values.iter().map(|(k, v)| ((*k).to_owned(), v.clone())).collect()))
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
    pub(crate) sources: Sources,
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

    /// Why the `where` condition is false for `stored`, the item as stored (`None`: there is none): the
    /// clauses that made it false, as written, with the values they compared. `None` when the condition holds,
    /// when there is no `where` part, or when a value was refused. [`Table::update`](crate::Table::update) does
    /// this for you: a failed condition comes back as [`Error::ConditionFailed`](crate::Error::ConditionFailed)
    /// with its explanation.
    ///
    /// ```
    /// use dynatomic::AttributeValue;
    ///
    /// #[derive(dynatomic::Item)]
    /// struct Product { #[dynatomic(partition_key)] sku: String, stock: i64 }
    ///
    /// let qty = 5;
    /// let op = dynatomic::update!(Product: stock -= qty; where stock >= qty);
    /// let stored = [("stock".to_owned(), AttributeValue::N("3".into()))].into();
    /// let why = op.explain(Some(&stored)).expect("3 >= 5 is false");
    /// assert_eq!(why.to_string(), "stock >= qty (stock = 3, qty = 5)");
    /// assert!(op.explain(None).is_some(), "an absent item has no stock");
    /// ```
    pub fn explain(&self, stored: Option<&HashMap<String, AttributeValue>>) -> Option<Explanation> {
        self.placeholders.explain(self.condition?, &self.sources, stored)
    }

    /// What explains the `where` condition if it fails, kept while the request is sent.
    pub(crate) fn explainer(&self) -> Option<Explainer> {
        Some(Explainer::new(self.condition?, self.sources))
    }

    #[doc(hidden)]
    pub fn __new<const N: usize, const V: usize>(
        update: &'static str,
        condition: Option<&'static str>,
        names: [(&'static str, Cow<'static, str>); N],
        values: [(&'static str, Result<AttributeValue, ValueError>); V],
        clauses: &'static [&'static str],
        names_written: &'static [(&'static str, &'static str)],
        values_written: &'static [(&'static str, &'static str)],
    ) -> Self {
        Update {
            update,
            condition,
            placeholders: Placeholders::new(names, values),
            sources: Sources { clauses, names: names_written, values: values_written },
            item: PhantomData,
        }
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
    pub(crate) sources: Sources,
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

    /// Why the condition is false for `stored`, the item as stored (`None`: there is none): the clauses that
    /// made it false, as written, with the values they compared. `None` when the condition holds or a value was
    /// refused. [`Table::put_if`](crate::Table::put_if) and [`Table::delete_if`](crate::Table::delete_if) do
    /// this for you: a failed condition comes back as
    /// [`Error::ConditionFailed`](crate::Error::ConditionFailed) with its explanation.
    ///
    /// ```
    /// use dynatomic::AttributeValue;
    ///
    /// #[derive(dynatomic::Item)]
    /// struct Product { #[dynatomic(partition_key)] sku: String, stock: i64, note: Option<String> }
    ///
    /// let cond = dynatomic::condition!(Product: stock == 0 && !note.exists());
    /// let n = |n: &str| AttributeValue::N(n.into());
    /// let stored = [("stock".to_owned(), n("0")), ("note".to_owned(), AttributeValue::S("fragile".into()))].into();
    /// let why = cond.explain(Some(&stored)).expect("the note exists");
    /// assert_eq!(why.to_string(), r#"!note.exists() (note = "fragile")"#);
    /// ```
    pub fn explain(&self, stored: Option<&HashMap<String, AttributeValue>>) -> Option<Explanation> {
        self.placeholders.explain(self.expression, &self.sources, stored)
    }

    /// What explains the condition if it fails, kept while the request is sent.
    pub(crate) fn explainer(&self) -> Explainer {
        Explainer::new(self.expression, self.sources)
    }

    #[doc(hidden)]
    pub fn __new<const N: usize, const V: usize>(
        expression: &'static str,
        names: [(&'static str, Cow<'static, str>); N],
        values: [(&'static str, Result<AttributeValue, ValueError>); V],
        clauses: &'static [&'static str],
        names_written: &'static [(&'static str, &'static str)],
        values_written: &'static [(&'static str, &'static str)],
    ) -> Self {
        Condition {
            expression,
            placeholders: Placeholders::new(names, values),
            sources: Sources { clauses, names: names_written, values: values_written },
            item: PhantomData,
        }
    }
}
