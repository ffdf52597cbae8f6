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
use crate::error::{DecodeError, ValueError};
use crate::kind::{Contains, List, Map, Measured, Number, Ordered, Prefixed, Removable, Set, Writable};
use crate::schema::Item;
use crate::value::IntoValue;

/// The role of a field: an ordinary attribute an update may write.
pub struct Data;
/// The role of a field: a key attribute, read-only in updates.
pub struct KeyRole;
impl Writable for Data {}

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

/// A map key for `map[key]`: any string.
#[diagnostic::on_unimplemented(
    message = "a map key must be a string, not `{Self}`",
    label = "expected `&str` or `String`",
    note = "lists take an integer literal index: `list[0]`"
)]
pub trait MapKey {
    /// The key as an attribute name.
    fn into_key(self) -> Cow<'static, str>;
}
impl MapKey for String {
    fn into_key(self) -> Cow<'static, str> {
        Cow::Owned(self)
    }
}
impl MapKey for &String {
    fn into_key(self) -> Cow<'static, str> {
        Cow::Owned(self.clone())
    }
}
impl MapKey for &str {
    fn into_key(self) -> Cow<'static, str> {
        Cow::Owned(self.to_owned())
    }
}

/// `map[key]`: the probe of one entry of a map attribute (it may be absent, so it can be removed).
pub fn entry<F: Attribute, R>(_: &Attr<F, R>, key: impl MapKey) -> Attr<Option<<F::Value as Map>::Entry>, R>
where
    F::Value: Map,
{
    Attr(key.into_key(), PhantomData)
}

/// `list[i]`: the probe of one element of a list attribute (it may be absent, so it can be removed).
pub fn element<F: Attribute, R>(_: &Attr<F, R>) -> Attr<Option<<F::Value as List>::Element>, R>
where
    F::Value: List,
{
    Attr(Cow::Borrowed(""), PhantomData)
}

/// The type marker of an attribute, compared by `same_type`.
pub struct Ty<T>(PhantomData<fn() -> T>);

/// The type marker of a probe: two operands of one comparison or copy must have equal markers.
pub fn ty<F: Attribute, R>(_: &Attr<F, R>) -> Ty<F::Value> {
    Ty(PhantomData)
}

/// A value for an attribute of type `F`.
pub fn value<F: Attribute, R, V: IntoValue<F::Value>>(_: &Attr<F, R>, value: V) -> Result<AttributeValue, ValueError> {
    value.into_value()
}

/// A value that `contains` looks for in an attribute of type `F`.
pub fn needle<F: Attribute, R, V>(_: &Attr<F, R>, value: V) -> Result<AttributeValue, ValueError>
where
    F::Value: Contains,
    V: IntoValue<<F::Value as Contains>::Needle>,
{
    value.into_value()
}

/// A value compared with `len()`.
pub fn size_value<V: IntoValue<usize>>(value: V) -> Result<AttributeValue, ValueError> {
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

/// Rule: an update may not write a key attribute.
pub fn writable<F, R: Writable>(_: &Attr<F, R>) {}
/// Rule: `+=`, `-=`, `+` and `-` need numbers.
pub fn number<F: Attribute, R>(_: &Attr<F, R>)
where
    F::Value: Number,
{
}
/// Rule: `<`, `<=`, `>`, `>=` and `between` need an ordered type.
pub fn ordered<F: Attribute, R>(_: &Attr<F, R>)
where
    F::Value: Ordered,
{
}
/// Rule: `begins_with` needs a string or bytes.
pub fn prefixed<F: Attribute, R>(_: &Attr<F, R>)
where
    F::Value: Prefixed,
{
}
/// Rule: `append` and `prepend` need a list.
pub fn list<F: Attribute, R>(_: &Attr<F, R>)
where
    F::Value: List,
{
}
/// Rule: `insert` and `delete` need a set.
pub fn set<F: Attribute, R>(_: &Attr<F, R>)
where
    F::Value: Set,
{
}
/// Rule: `contains` needs a string, bytes, list or set.
pub fn searchable<F: Attribute, R>(_: &Attr<F, R>)
where
    F::Value: Contains,
{
}
/// Rule: `len()` needs something with a size.
pub fn measured<F: Attribute, R>(_: &Attr<F, R>)
where
    F::Value: Measured,
{
}
/// Rule: `remove()` needs an attribute that may be absent.
pub fn removable<F: Removable, R>(_: &Attr<F, R>) {}

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
