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
use crate::kind::{
    Contains, Flag, Keyed, List, Measured, Number, Ordered, Prefixed, Removable, Set, Unmanaged, Writable,
};
use crate::schema::Item;
use crate::value::IntoValue;

pub use crate::attribute::{NoFields, no_fields, string_set, string_set_elements};
pub use crate::guard::{Memo, MissingItem};
pub use crate::operation::Compiled;
pub use crate::types::timestamp::{Ttl, TtlField};

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
/// derive through [`VersionNumber`](crate::kind::VersionNumber); anything else reads as 0).
pub fn version_number<V: Attribute>(version: &V) -> u64 {
    match version.to_attr() {
        Ok(AttributeValue::N(number)) => number.parse().unwrap_or(0),
        _ => 0,
    }
}
/// A typed probe of one attribute: its name, its Rust type `F`, its role `R`, and for a field of an item the
/// field's marker `M` (which an upsert's coverage records). A struct's probes are the fields of its generated
/// probe struct, so `fields.address.city` is checked by the compiler like any field access, and nested probes
/// are reached through `Deref`.
pub struct Attr<F, R = Data, M = ()>(Cow<'static, str>, PhantomData<Probed<F, R, M>>);

/// What a probe stands for, as a type that owns none of it.
type Probed<F, R, M> = fn() -> (F, R, M);

impl<F, R, M> Attr<F, R, M> {
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

impl<F: Attribute, R, M> Deref for Attr<F, R, M> {
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
pub fn entry<F: Attribute, R, M, K, E>(_: &Attr<F, R, M>, key: K) -> Attr<Option<E>, R>
where
    F::Value: Keyed<K, Entry = E>,
{
    Attr(<F::Value as Keyed<K>>::name(key), PhantomData)
}

/// `list[i]`: the probe of one element of a list attribute (it may be absent, so it can be removed).
pub fn element<F: Attribute, R, M, E>(_: &Attr<F, R, M>) -> Attr<Option<E>, R>
where
    F::Value: List<Element = E>,
{
    Attr(Cow::Borrowed(""), PhantomData)
}

/// The type of an attribute, compared by the generated code where two operands must have one type.
pub struct AttributeType<T>(PhantomData<fn() -> T>);

/// The type of a probe's attribute: two operands of one comparison or copy must have equal types.
pub fn attribute_type<F: Attribute, R, M>(_: &Attr<F, R, M>) -> AttributeType<F::Value> {
    AttributeType(PhantomData)
}

/// A value for the attribute of `probe`, refusing what DynamoDB would refuse at any depth.
pub fn value<F: Attribute, R, M, V: IntoValue<F::Value>>(
    _: &Attr<F, R, M>,
    value: V,
) -> Result<AttributeValue, ValueError> {
    match value.into_value() {
        Ok(value @ (AttributeValue::L(_) | AttributeValue::M(_))) => {
            crate::prechecks::check_value(&value).map(|()| value)
        }
        other => other,
    }
}

/// The number zero, the start of a counter that does not exist yet.
pub fn zero() -> Result<AttributeValue, ValueError> {
    Ok(AttributeValue::N("0".to_owned()))
}

/// `true`, which a bool attribute standing alone as a condition is compared with.
pub fn flag_true() -> Result<AttributeValue, ValueError> {
    Ok(AttributeValue::Bool(true))
}

/// The empty list, the start of a list that does not exist yet.
pub fn empty_list() -> Result<AttributeValue, ValueError> {
    Ok(AttributeValue::L(Vec::new()))
}

/// Rule: an update may not write a key attribute, nor the version.
pub fn writable<F, R, M, G>(probe: &Attr<F, R, M>) -> Attr<G, Data>
where
    R: Writable<F, Field = G> + Unmanaged,
{
    probe.checked()
}

/// Rule: `remove()` needs an attribute that may be absent.
pub fn removable<F: Removable, R, M>(_: &Attr<F, R, M>) {}

/// Rule: a bool attribute stands alone as a condition.
pub fn flag<F: Attribute, R, M>(_: &Attr<F, R, M>)
where
    F::Value: Flag,
{
}

/// Defines a rule: a function whose bound is the rule, returning the probe of what the operation works on.
/// That type is a parameter bound through the rule, not a projection, so when the rule fails it stays
/// unknown and the checks that use it are not reported as well.
macro_rules! rules {
    ($($(#[$doc:meta])* $rule:ident: $kind:ident => $next:ident;)*) => {$(
        $(#[$doc])*
        pub fn $rule<F: Attribute, R, M, G>(probe: &Attr<F, R, M>) -> Attr<G, R>
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

/// Upsert coverage: a field the upsert sets.
pub struct Covered;
/// Upsert coverage: a field the upsert leaves unset.
pub struct Uncovered;

/// An item an upsert can create: `Coverage` records, field by field, whether the upsert sets it. Derived with
/// `Item`.
pub trait Upsertable: Item {
    /// The record with no field set.
    type Coverage;
    /// The record with no field set.
    fn coverage() -> Self::Coverage;
}

/// A coverage record that can record field `M` as set.
pub trait Cover<M> {
    /// The record with `M` set too.
    type Covered;
    /// Records `M` as set.
    fn cover(self) -> Self::Covered;
}

/// The coverage record of an upsert of `T` with no field set.
pub fn coverage<T: Upsertable>() -> T::Coverage {
    T::coverage()
}

/// Records that an upsert sets the field of `probe`.
pub fn cover<F, R, M, S: Cover<M>>(_: &Attr<F, R, M>, state: S) -> S::Covered {
    state.cover()
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

/// Reads a `#[dynatomic(default)]` field out of a stored item: `Default::default()` when it is missing.
pub fn take_field_or_default<V: Attribute + Default>(
    item: &mut HashMap<String, AttributeValue>,
    name: &'static str,
) -> Result<V, DecodeError> {
    match item.remove(name) {
        Some(value) => V::from_attr(value).map_err(|e| e.at(name)),
        None => Ok(V::default()),
    }
}

/// Reads the version field out of a stored item: 0 when the item has no version attribute.
pub fn take_version<V: Attribute>(
    item: &mut HashMap<String, AttributeValue>,
    name: &'static str,
) -> Result<V, DecodeError> {
    let value = item.remove(name).unwrap_or_else(|| AttributeValue::N("0".to_owned()));
    V::from_attr(value).map_err(|e| e.at(name))
}

/// Stores a `#[dynatomic(ttl)]` field: as epoch seconds.
pub fn put_ttl<V: TtlField>(
    item: &mut HashMap<String, AttributeValue>,
    name: &'static str,
    value: &V,
) -> Result<(), ValueError> {
    put_field(item, name, &value.stored())
}

/// Reads a `#[dynatomic(ttl)]` field out of a stored item.
pub fn take_ttl<V: TtlField>(item: &mut HashMap<String, AttributeValue>, name: &'static str) -> Result<V, DecodeError> {
    take_field(item, name).map(V::from_stored)
}

/// Stores a `#[dynatomic(serde)]` field with serde_dynamo, leaving out what serde writes as null (`None`).
#[cfg(feature = "serde")]
pub fn put_serde<V: serde::Serialize>(
    item: &mut HashMap<String, AttributeValue>,
    name: &'static str,
    value: &V,
) -> Result<(), ValueError> {
    if let Some(value) = crate::types::serde::serialize(value).map_err(|e| e.at(name))? {
        item.insert(name.to_owned(), value);
    }
    Ok(())
}

/// Reads a `#[dynatomic(serde)]` field with serde_dynamo (a missing attribute is read as null: `None`).
#[cfg(feature = "serde")]
pub fn take_serde<V: serde::de::DeserializeOwned>(
    item: &mut HashMap<String, AttributeValue>,
    name: &'static str,
) -> Result<V, DecodeError> {
    crate::types::serde::deserialize(item.remove(name)).map_err(|e| e.at(name))
}

/// Reads a `#[dynatomic(serde)]` field that has a `#[dynatomic(default)]`.
#[cfg(feature = "serde")]
pub fn take_serde_or_default<V: serde::de::DeserializeOwned + Default>(
    item: &mut HashMap<String, AttributeValue>,
    name: &'static str,
) -> Result<V, DecodeError> {
    match item.contains_key(name) {
        true => take_serde(item, name),
        false => Ok(V::default()),
    }
}

/// What `#[dynatomic(serde)]` needs and this build does not have: dynatomic's `serde` feature.
#[cfg(not(feature = "serde"))]
#[diagnostic::on_unimplemented(
    message = "`#[dynatomic(serde)]` needs dynatomic's `serde` feature",
    label = "this field is stored with serde",
    note = "enable it in Cargo.toml: `dynatomic = {{ version = \"...\", features = [\"serde\"] }}`"
)]
pub trait SerdeFeature {}

/// Without the `serde` feature, a `#[dynatomic(serde)]` field is refused through [`SerdeFeature`], once: the
/// reads below compile, and never run.
#[cfg(not(feature = "serde"))]
pub fn put_serde<V: SerdeFeature>(
    _: &mut HashMap<String, AttributeValue>,
    _: &'static str,
    _: &V,
) -> Result<(), ValueError> {
    Ok(())
}

/// See [`put_serde`].
#[cfg(not(feature = "serde"))]
pub fn take_serde<V>(_: &mut HashMap<String, AttributeValue>, _: &'static str) -> Result<V, DecodeError> {
    Err(DecodeError::missing(std::any::type_name::<V>()))
}

/// See [`put_serde`].
#[cfg(not(feature = "serde"))]
pub fn take_serde_or_default<V>(_: &mut HashMap<String, AttributeValue>, _: &'static str) -> Result<V, DecodeError> {
    take_serde(&mut HashMap::new(), "")
}

/// The text of a stored variant of a `#[derive(Value)]` enum.
pub fn variant_text<T>(value: AttributeValue) -> Result<String, DecodeError> {
    match value {
        AttributeValue::S(text) => Ok(text),
        other => Err(crate::attribute::mismatch::<T>(&other)),
    }
}

/// A stored string that names no variant of the enum `T`.
pub fn unknown_variant<T>(text: &str, variants: &[&str]) -> DecodeError {
    let expected = variants.iter().map(|v| format!("{v:?}")).collect::<Vec<_>>().join(", ");
    DecodeError::mismatch(
        std::any::type_name::<T>(),
        format_args!("{text:?} is no variant of it (the variants are stored as {expected})"),
    )
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
            format_args!("found a value of type {}", crate::expr::values::type_code(&other)),
        )),
    }
}
