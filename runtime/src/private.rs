//! Helpers for the code that `#[derive(Item)]`, `update!` and `condition!` generate. Not a public API.
//!
//! Every check here is a generic function whose bounds state one rule of the DSL; the macros call it under
//! the span of the user's token, so an unmet bound is reported on that token with the trait's message.

use std::borrow::Cow;
use std::collections::HashMap;
use std::marker::PhantomData;
use std::ops::Deref;

pub use aws_sdk_dynamodb::types::AttributeValue;

use crate::attribute::Attribute;
use crate::db::Db;
use crate::error::{DecodeError, ValueError};
use crate::kind::{Contains, Keyed, List, Measured, Number, Ordered, Prefixed, Removable, Set, Unmanaged, Writable};
use crate::schema::{Item, KeySchema};
use crate::value::IntoValue;

pub use crate::request::{Action, BatchOp, CancelReason, RawItem, Refusal, Returning, TransactWrite, Write};

/// Runs a raw write (any expressions, any placeholders) on the backend of `db`, as a table handle would, and
/// returns the backend's own answer: the attributes asked for, or the refusal. For tests that compare
/// backends.
pub async fn write(db: &Db, write: Write) -> Result<Option<RawItem>, Refusal> {
    db.backend.write(write).await
}

/// Reads one item by key on the backend of `db` (strongly consistent), without decoding it.
pub async fn get(db: &Db, table: &str, key: RawItem) -> Result<Option<RawItem>, Refusal> {
    db.backend.get(table, key).await
}

/// Runs a raw TransactWriteItems request on the backend of `db` and returns the backend's own answer.
pub async fn transact_write(db: &Db, request: TransactWrite) -> Result<(), Refusal> {
    db.backend.transact_write(request).await
}

/// Runs a raw TransactGetItems request (table and key of each item) on the backend of `db`.
pub async fn transact_get(db: &Db, items: Vec<(String, RawItem)>) -> Result<Vec<Option<RawItem>>, Refusal> {
    db.backend.transact_get(items).await
}

/// Sends one raw BatchWriteItem request to one table on the backend of `db`; returns the unprocessed writes.
pub async fn batch_write(db: &Db, table: &str, ops: Vec<BatchOp>) -> Result<Vec<BatchOp>, Refusal> {
    db.backend.batch_write(table, ops).await
}

/// Sends one raw BatchGetItem request to one table on the backend of `db`; returns the items found and the
/// unprocessed keys.
pub async fn batch_get(db: &Db, table: &str, keys: Vec<RawItem>) -> Result<(Vec<RawItem>, Vec<RawItem>), Refusal> {
    db.backend.batch_get(table, keys).await
}

/// Creates a table with this key schema on the backend of `db`, unless it exists.
pub async fn create_table(db: &Db, table: &str, key: KeySchema) -> Result<(), Refusal> {
    db.backend.create_table(table, key).await
}

/// Rule: a table name fits DynamoDB's naming rule. The derive evaluates it in a constant under the span of the
/// `table = "..."` literal, so a bad name is reported on the literal with the rule's message.
#[track_caller]
pub const fn assert_table_name(name: &str) {
    if let Err(message) = crate::limits::table_name(name) {
        panic!("{}", message);
    }
}

/// The role of a field: an ordinary attribute an update may write.
pub struct Data;
/// The role of a field: part of the table's key, read-only in updates.
pub struct PartOfKey;
/// The role of a field: the version attribute, which only dynatomic writes.
pub struct Version;

impl<F> Writable<F> for Data {
    type Field = F;
}
impl<F> Writable<F> for Version {
    type Field = F;
}
impl Unmanaged for Data {}
impl Unmanaged for PartOfKey {}

/// The number in a `#[dynatomic(version)]` field (that the field is an unsigned integer is checked by the
/// derive through [`VersionNumber`]; anything else reads as 0).
pub fn version_number<V: Attribute>(version: &V) -> u64 {
    match version.to_attr() {
        Ok(AttributeValue::N(number)) => number.parse().unwrap_or(0),
        _ => 0,
    }
}
/// A typed probe of one attribute: its name, its Rust type `F` and its role `R`. A struct's probes are the
/// fields of its generated probe struct, so `fields.address.city` is checked by the compiler like any field
/// access, and nested probes are reached through `Deref`.
pub struct Attr<F, R = Data>(Cow<'static, str>, PhantomData<fn() -> (F, R)>);

impl<F, R> Attr<F, R> {
    /// The probe of the attribute named `name`.
    pub const fn new(name: &'static str) -> Self {
        Attr(Cow::Borrowed(name), PhantomData)
    }

    /// The attribute name, for the ExpressionAttributeNames.
    pub fn name(&self) -> Cow<'static, str> {
        self.0.clone()
    }

    /// The same attribute seen as another type, once a rule has established it.
    fn checked<G, S>(&self) -> Attr<G, S> {
        Attr(self.0.clone(), PhantomData)
    }
}

impl<F: Attribute, R> Deref for Attr<F, R> {
    type Target = F::Fields;

    fn deref(&self) -> &F::Fields {
        F::fields()
    }
}

/// The field probes of an item type.
pub fn fields<T: Item>() -> &'static T::Fields {
    T::fields()
}

/// `map[key]`: the probe of one entry of a map attribute (it may be absent, so it can be removed).
pub fn entry<F: Attribute, R, K, E>(_: &Attr<F, R>, key: K) -> Attr<Option<E>, R>
where
    F::Value: Keyed<K, Entry = E>,
{
    Attr(<F::Value as Keyed<K>>::name(key), PhantomData)
}

/// `list[i]`: the probe of one element of a list attribute (it may be absent, so it can be removed).
pub fn element<F: Attribute, R, E>(_: &Attr<F, R>) -> Attr<Option<E>, R>
where
    F::Value: List<Element = E>,
{
    Attr(Cow::Borrowed(""), PhantomData)
}

/// The type of an attribute, compared by the generated code where two operands must have one type.
pub struct AttributeType<T>(PhantomData<fn() -> T>);

/// The type of a probe's attribute: two operands of one comparison or copy must have equal types.
pub fn attribute_type<F: Attribute, R>(_: &Attr<F, R>) -> AttributeType<F::Value> {
    AttributeType(PhantomData)
}

/// A value for the attribute of `probe`.
pub fn value<F: Attribute, R, V: IntoValue<F::Value>>(_: &Attr<F, R>, value: V) -> Result<AttributeValue, ValueError> {
    value.into_value()
}

/// The number zero, the start of a counter that does not exist yet.
pub fn zero() -> Result<AttributeValue, ValueError> {
    Ok(AttributeValue::N("0".to_owned()))
}

/// The empty list, the start of a list that does not exist yet.
pub fn empty_list() -> Result<AttributeValue, ValueError> {
    Ok(AttributeValue::L(Vec::new()))
}

/// Rule: an update may not write a key attribute, nor the version.
pub fn writable<F, R, G>(probe: &Attr<F, R>) -> Attr<G, Data>
where
    R: Writable<F, Field = G> + Unmanaged,
{
    probe.checked()
}

/// Rule: `remove()` needs an attribute that may be absent.
pub fn removable<F: Removable, R>(_: &Attr<F, R>) {}

/// Defines a rule: a function whose bound is the rule, returning the probe of what the operation works on.
/// That type is a parameter bound through the rule, not a projection, so when the rule fails it stays
/// unknown and the checks that use it are not reported as well.
macro_rules! rules {
    ($($(#[$doc:meta])* $rule:ident: $kind:ident => $next:ident;)*) => {$(
        $(#[$doc])*
        pub fn $rule<F: Attribute, R, G>(probe: &Attr<F, R>) -> Attr<G, R>
        where
            F::Value: $kind<$next = G>,
        {
            probe.checked()
        }
    )*};
}

rules! {
    /// Rule: `+=`, `-=`, `+` and `-` need numbers.
    number: Number => Same;
    /// Rule: `<`, `<=`, `>`, `>=` and `between` need an ordered type.
    ordered: Ordered => Same;
    /// Rule: `begins_with` needs a string or bytes.
    prefixed: Prefixed => Same;
    /// Rule: `append` and `prepend` need a list.
    list: List => Same;
    /// Rule: `insert` and `delete` need a set.
    set: Set => Same;
    /// Rule: `contains` needs a string, bytes, list or set; it looks for a substring or an element.
    searchable: Contains => Needle;
    /// Rule: `len()` needs something with a size; the size is compared with a `usize`.
    measured: Measured => Length;
}

/// Stores one field into an item under construction, leaving out absent options.
pub fn put_field<V: Attribute>(
    item: &mut HashMap<String, AttributeValue>,
    name: &'static str,
    value: &V,
) -> Result<(), ValueError> {
    if !value.is_absent() {
        item.insert(name.to_owned(), value.to_attr().map_err(|e| e.at(name))?);
    }
    Ok(())
}

/// Reads one field out of a stored item.
pub fn take_field<V: Attribute>(
    item: &mut HashMap<String, AttributeValue>,
    name: &'static str,
) -> Result<V, DecodeError> {
    match item.remove(name) {
        Some(value) => V::from_attr(value),
        None => V::from_missing(),
    }
    .map_err(|e| e.at(name))
}

/// Reads the version field out of a stored item: 0 when the item has no version attribute.
pub fn take_version<V: Attribute>(
    item: &mut HashMap<String, AttributeValue>,
    name: &'static str,
) -> Result<V, DecodeError> {
    let value = item.remove(name).unwrap_or_else(|| AttributeValue::N("0".to_owned()));
    V::from_attr(value).map_err(|e| e.at(name))
}

/// Reads a nested struct out of a map attribute value.
pub fn map_entries(
    value: AttributeValue,
    expected: &'static str,
) -> Result<HashMap<String, AttributeValue>, DecodeError> {
    match value {
        AttributeValue::M(entries) => Ok(entries),
        other => Err(DecodeError::mismatch(
            expected,
            format_args!("found a value of type {}", crate::attribute::type_code(&other)),
        )),
    }
}
