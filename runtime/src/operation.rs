//! The operations `update!`, `upsert!` and `condition!` build: finished expression strings plus their name and
//! value maps.

use std::borrow::Cow;
use std::collections::{BTreeMap, HashMap};
use std::marker::PhantomData;
use std::ops::Deref;

use aws_sdk_dynamodb::types::AttributeValue;

use crate::error::ValueError;
use crate::explain::{Explainer, Explanation, Sources};
use crate::guard::{Memo, MissingItem, Texts};
use crate::request::{Maps, RawItem, Write};

/// What `update!`, `upsert!` and `condition!` fix at compile time, in a `static` at their call site: the
/// expression texts, what the condition says of a missing item, the source text that explanations quote, and
/// the expressions composed with dynatomic's own checks.
#[doc(hidden)]
#[derive(Debug)]
pub struct Compiled {
    /// The UpdateExpression (`None` for `condition!`).
    pub update: Option<&'static str>,
    /// The ConditionExpression (`None` for an update without `where`).
    pub condition: Option<&'static str>,
    /// What the condition says of an item that does not exist.
    pub missing_item: MissingItem,
    /// Each leaf clause of the condition as written, in the order of the ConditionExpression text.
    pub clauses: &'static [&'static str],
    /// Each `#n` placeholder and the path segment it names, as written.
    pub names: &'static [(&'static str, &'static str)],
    /// Each `:v` placeholder and the Rust expression of its value, as written.
    pub values: &'static [(&'static str, &'static str)],
    /// The expressions composed with dynatomic's checks, per shape of check.
    pub memo: Memo<4>,
}

impl Compiled {
    pub(crate) fn texts(&self) -> Texts {
        Texts { update: self.update, condition: self.condition, missing_item: self.missing_item }
    }

    fn sources(&self) -> Sources {
        Sources { clauses: self.clauses, names: self.names, values: self.values }
    }
}

/// The expression placeholders of one operation: `#name` to attribute name, `:value` to value.
#[derive(Debug, Clone)]
pub(crate) struct Placeholders {
    pub(crate) names: Vec<(&'static str, Cow<'static, str>)>,
    pub(crate) values: Result<Vec<(&'static str, AttributeValue)>, ValueError>,
}

impl Placeholders {
    /// The placeholders of an operation; a value that DynamoDB would refuse (refused when it was converted,
    /// [`crate::__private::value`]) is named as written in the macro.
    fn new<const N: usize, const V: usize>(
        compiled: &Compiled,
        names: [(&'static str, Cow<'static, str>); N],
        values: [(&'static str, Result<AttributeValue, ValueError>); V],
    ) -> Self {
        let values = values
            .into_iter()
            .map(|(placeholder, value)| match value {
                Ok(value) => Ok((placeholder, value)),
                Err(error) => Err(refused(compiled, placeholder, error)),
            })
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

    /// The placeholder maps of a request, copied; `None` if a value was refused.
    fn maps(&self) -> Option<Maps> {
        let values = self.values.as_ref().ok()?;
        let names = self.names.iter().map(|(k, v)| ((*k).to_owned(), v.clone().into_owned())).collect();
        Some(Maps { names, values: values.iter().map(|(k, v)| ((*k).to_owned(), v.clone())).collect() })
    }

    /// Moves the placeholders into a request, or hands back the error converting a value raised.
    #[inline]
    pub(crate) fn add_to(self, write: &mut Write) -> Result<(), ValueError> {
        let values = self.values?;
        write.values.reserve(values.len());
        write.names.reserve(self.names.len());
        for (placeholder, value) in values {
            write.values.insert(placeholder.to_owned(), value);
        }
        for (placeholder, name) in self.names {
            write.names.insert(placeholder.to_owned(), name.into_owned());
        }
        Ok(())
    }
}

/// A value refused before sending, named as the macro's user wrote it: `` `qty`: .. ``.
#[cold]
fn refused(compiled: &Compiled, placeholder: &str, error: ValueError) -> ValueError {
    let written = compiled.values.iter().find(|(p, _)| *p == placeholder).map_or(placeholder, |(_, text)| *text);
    error.at(&format!("`{written}`"))
}

/// An update of one existing item of `T`, built by [`update!`](crate::update): an UpdateExpression, an
/// optional ConditionExpression, and the placeholders both use. [`Table::update`](crate::Table::update) applies
/// it to an item that exists; [`upsert!`](crate::upsert) builds one that may create the item.
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
    compiled: &'static Compiled,
    pub(crate) placeholders: Placeholders,
    item: PhantomData<fn() -> T>,
}

impl<T> Update<T> {
    /// The UpdateExpression, with a placeholder for every name and value.
    pub fn update_expression(&self) -> &'static str {
        self.compiled.update.unwrap_or_default()
    }

    /// The ConditionExpression of the `where` part, if there is one.
    pub fn condition_expression(&self) -> Option<&'static str> {
        self.compiled.condition
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
    pub fn explain(&self, stored: Option<&RawItem>) -> Option<Explanation> {
        explain(self.compiled, &self.placeholders, stored)
    }

    /// What explains the `where` condition if it fails, kept while the request is sent.
    pub(crate) fn explainer(&self) -> Option<Explainer> {
        Some(Explainer::new(self.compiled.condition?, self.compiled.sources()))
    }

    /// The static part of the update.
    pub(crate) fn compiled(&self) -> &'static Compiled {
        self.compiled
    }

    #[doc(hidden)]
    pub fn __new<const N: usize, const V: usize>(
        compiled: &'static Compiled,
        names: [(&'static str, Cow<'static, str>); N],
        values: [(&'static str, Result<AttributeValue, ValueError>); V],
    ) -> Self {
        Update { compiled, placeholders: Placeholders::new(compiled, names, values), item: PhantomData }
    }
}

/// An update of one item of `T` that creates the item when there is none, built by [`upsert!`](crate::upsert),
/// which checks at compile time that it sets every field of `T` that has no default. It is an [`Update`] (its
/// expressions and explanations are reached through it), applied by [`Table::upsert`](crate::Table::upsert).
///
/// ```
/// #[derive(dynatomic::Item)]
/// struct Counter { #[dynatomic(partition_key)] page: String, hits: u64 }
///
/// let op = dynatomic::upsert!(Counter: hits += 1);
/// assert_eq!(op.update_expression(), "SET #n0 = if_not_exists(#n0, :zero) + :v0");
/// ```
#[derive(Debug, Clone)]
pub struct Upsert<T>(Update<T>);

impl<T> Upsert<T> {
    /// The update itself.
    pub fn into_update(self) -> Update<T> {
        self.0
    }

    #[doc(hidden)]
    pub fn __new(update: Update<T>) -> Self {
        Upsert(update)
    }
}

impl<T> Deref for Upsert<T> {
    type Target = Update<T>;

    fn deref(&self) -> &Update<T> {
        &self.0
    }
}

/// A condition on one item of `T`, built by [`condition!`](crate::condition), for conditional puts and deletes
/// and for the condition checks of a transaction.
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
    compiled: &'static Compiled,
    pub(crate) placeholders: Placeholders,
    item: PhantomData<fn() -> T>,
}

impl<T> Condition<T> {
    /// The ConditionExpression, with a placeholder for every name and value.
    pub fn expression(&self) -> &'static str {
        self.compiled.condition.unwrap_or_default()
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
    /// refused. A failed write explains its condition for you: it comes back as
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
        explain(self.compiled, &self.placeholders, stored)
    }

    /// What explains the condition if it fails, kept while the request is sent.
    pub(crate) fn explainer(&self) -> Option<Explainer> {
        Some(Explainer::new(self.compiled.condition?, self.compiled.sources()))
    }

    /// The static part of the condition.
    pub(crate) fn compiled(&self) -> &'static Compiled {
        self.compiled
    }

    #[doc(hidden)]
    pub fn __new<const N: usize, const V: usize>(
        compiled: &'static Compiled,
        names: [(&'static str, Cow<'static, str>); N],
        values: [(&'static str, Result<AttributeValue, ValueError>); V],
    ) -> Self {
        Condition { compiled, placeholders: Placeholders::new(compiled, names, values), item: PhantomData }
    }
}

/// Why the condition of an operation is false for `stored`.
fn explain(compiled: &Compiled, placeholders: &Placeholders, stored: Option<&RawItem>) -> Option<Explanation> {
    let maps = placeholders.maps()?;
    Explainer::new(compiled.condition?, compiled.sources()).explain(&maps.names, &maps.values, stored)
}
