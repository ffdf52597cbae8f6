//! What each operation of the DSL needs from a field's type. The macros check these bounds under the
//! user's own tokens, so a misuse is reported on the field or operator that is wrong.
//!
//! Each trait names, in an associated type, what the operation works on next (the type itself, an element,
//! a length). The generated code reaches the value's type through it, so when a rule fails the compiler
//! reports that rule alone, not also every value that follows from it.

use std::collections::{BTreeMap, BTreeSet, HashMap, HashSet};

use crate::attribute::{Attribute, Bytes, SetElement};

/// A number attribute: `+=`, `-=` and `#a + v` work on it.
#[diagnostic::on_unimplemented(
    message = "arithmetic needs a number attribute, but this one is `{Self}`",
    label = "`+=`, `-=`, `+` and `-` work only on number fields",
    note = "number fields are integers, f32, f64 and exact decimals (`rust_decimal::Decimal`, `bigdecimal::BigDecimal`); to set a value, use `field = value`"
)]
pub trait Number {
    /// The number type itself.
    type Same;
}

/// An attribute with an order: `<`, `<=`, `>`, `>=` and `between` compare it.
#[diagnostic::on_unimplemented(
    message = "`{Self}` has no order in DynamoDB",
    label = "`<`, `<=`, `>`, `>=` and `between` compare numbers, strings, bytes, timestamps and UUIDs only",
    note = "compare sizes with `field.len()`, or use `==` / `!=` (an enum's stored strings are not in the order of its variants)"
)]
pub trait Ordered {
    /// The ordered type itself.
    type Same;
}

/// A string or binary attribute: `begins_with` works on it.
#[diagnostic::on_unimplemented(
    message = "`begins_with` needs a string or bytes attribute, but this one is `{Self}`",
    label = "not a string",
    note = "for lists and sets, use `contains(element)`"
)]
pub trait Prefixed {
    /// The string or bytes type itself.
    type Same;
}

/// A list attribute (`Vec<T>`): `append` and `prepend` work on it.
#[diagnostic::on_unimplemented(
    message = "this needs a list attribute (`Vec<T>`), but this one is `{Self}`",
    label = "`append`, `prepend` and `[index]` work on lists only",
    note = "sets take `insert(elements)` / `delete(elements)`; a map entry is selected by a string key: `map[key]`"
)]
pub trait List {
    /// The type of the list's elements.
    type Element;
    /// The list type itself.
    type Same;
}

/// A set attribute (`HashSet` / `BTreeSet`): `insert` and `delete` work on it.
#[diagnostic::on_unimplemented(
    message = "`insert` and `delete` need a set attribute (`HashSet` / `BTreeSet`), but this one is `{Self}`",
    label = "not a set",
    note = "for lists, use `append(elements)` / `prepend(elements)`, and `list[i].remove()` to drop an element"
)]
pub trait Set {
    /// The type of the set's elements.
    type Element;
    /// The set type itself.
    type Same;
}

/// A map attribute with string keys: `map[key]` selects an entry.
#[diagnostic::on_unimplemented(
    message = "`{Self}` cannot be indexed by `{K}`",
    label = "`[key]` selects an entry of a map (`HashMap<String, T>`) by a string key",
    note = "a list element is selected by an integer literal, `list[0]`: DynamoDB takes no computed list index"
)]
pub trait Keyed<K> {
    /// The type of the map's values.
    type Entry;
    /// The entry's name: the key as a string.
    fn name(key: K) -> std::borrow::Cow<'static, str>;
}

/// An attribute DynamoDB can measure: `len()` works on it.
#[diagnostic::on_unimplemented(
    message = "`len()` needs a string, bytes, list, set or map attribute, but this one is `{Self}`",
    label = "has no size",
    note = "compare the number itself: `field >= value`"
)]
pub trait Measured {
    /// The type `len()` is compared with.
    type Length;
}

/// An attribute `contains(v)` can look into: a substring of a string, an element of a list or set.
#[diagnostic::on_unimplemented(
    message = "`contains` needs a string, bytes, list or set attribute, but this one is `{Self}`",
    label = "cannot contain anything",
    note = "compare the value itself: `field == value`"
)]
pub trait Contains {
    /// What `contains` looks for.
    type Needle;
}

/// A bool attribute: it is a condition by itself (`where active`, `!frozen`).
#[diagnostic::on_unimplemented(
    message = "`{Self}` is not a condition: only a `bool` field stands alone",
    label = "a `{Self}` field, not a `bool`",
    note = "compare it with a value (`field == value`), or call a condition method such as `field.exists()`"
)]
pub trait Flag {}

impl Flag for bool {}

/// An attribute that may be absent: `Option<T>` fields, map entries and list elements. `remove()` works on it.
#[diagnostic::on_unimplemented(
    message = "`remove()` would leave a required field empty: `{Self}` is not optional",
    label = "required field",
    note = "declare the field as `Option<T>` to allow removing it, or set a new value with `field = value`"
)]
pub trait Removable {}

/// A field that an update may write: every field but the key attributes.
#[diagnostic::on_unimplemented(
    message = "key attributes cannot be updated",
    label = "this is part of the table's key",
    note = "DynamoDB identifies the item by its key: to change a key, `put` a new item and `delete` the old one"
)]
pub trait Writable<F> {
    /// The field type `F`, once the write is known to be allowed.
    type Field;
}

/// A field that an update may write itself: every field but the version, which dynatomic writes.
#[diagnostic::on_unimplemented(
    message = "the version attribute is managed by dynatomic and cannot be written in `update!` or `upsert!`",
    label = "this is the `#[dynatomic(version)]` field",
    note = "every write checks the stored version and increments it: give the expected version with `Key::at_version(n)` and leave the field out of the update"
)]
pub trait Unmanaged {}

/// An integer a `#[dynatomic(version)]` field can hold.
#[diagnostic::on_unimplemented(
    message = "a version must be an unsigned integer, not `{Self}`",
    label = "the `#[dynatomic(version)]` field",
    note = "declare the version field as `u64` (or `u32`, `u16`, `u8`)"
)]
pub trait VersionNumber {
    /// The largest version the type holds.
    const MAX: u64;
    /// The type itself, as what a put of the item returns.
    type Stored: crate::StoredVersion;
}

macro_rules! version_numbers {
    ($($ty:ty),*) => {$(
        impl VersionNumber for $ty {
            const MAX: u64 = <$ty>::MAX as u64;
            type Stored = $ty;
        }
    )*};
}
version_numbers!(u8, u16, u32, u64);

/// A string usable as a map key: `map[key]` takes `&str`, `String` or `&String`.
#[diagnostic::on_unimplemented(
    message = "a map key must be a string, not `{Self}`",
    label = "expected `&str` or `String`",
    note = "a list element is selected by an integer literal: `list[0]`"
)]
pub trait MapKey {
    /// The key as an attribute name.
    fn into_key(self) -> std::borrow::Cow<'static, str>;
}

impl MapKey for String {
    fn into_key(self) -> std::borrow::Cow<'static, str> {
        self.into()
    }
}

impl MapKey for &String {
    fn into_key(self) -> std::borrow::Cow<'static, str> {
        self.clone().into()
    }
}

impl MapKey for &str {
    fn into_key(self) -> std::borrow::Cow<'static, str> {
        self.to_owned().into()
    }
}

macro_rules! impl_for {
    ($trait:ident: $($ty:ty),*) => {$(
        impl $trait for $ty {
            type Same = Self;
        }
    )*};
}
impl_for!(Number: i8, i16, i32, i64, i128, isize, u8, u16, u32, u64, u128, usize, f32, f64);
impl_for!(Ordered: i8, i16, i32, i64, i128, isize, u8, u16, u32, u64, u128, usize, f32, f64, String, Bytes);
impl_for!(Prefixed: String, Bytes);

impl Measured for String {
    type Length = usize;
}
impl Measured for Bytes {
    type Length = usize;
}
impl<T> List for Vec<T> {
    type Element = T;
    type Same = Self;
}
impl<T> Measured for Vec<T> {
    type Length = usize;
}
impl<T> Contains for Vec<T> {
    type Needle = T;
}
impl Contains for String {
    type Needle = String;
}
impl Contains for Bytes {
    type Needle = Bytes;
}

macro_rules! set_kinds {
    ($($set:ident),*) => {$(
        impl<E: SetElement> Set for $set<E> {
            type Element = E;
            type Same = Self;
        }
        impl<E: SetElement> Measured for $set<E> {
            type Length = usize;
        }
        impl<E: SetElement> Contains for $set<E> {
            type Needle = E;
        }
    )*};
}
set_kinds!(HashSet, BTreeSet);

macro_rules! map_kinds {
    ($($map:ident),*) => {$(
        impl<V: Attribute, K: MapKey> Keyed<K> for $map<String, V> {
            type Entry = V;
            fn name(key: K) -> std::borrow::Cow<'static, str> {
                key.into_key()
            }
        }
        impl<V: Attribute> Measured for $map<String, V> {
            type Length = usize;
        }
    )*};
}
map_kinds!(HashMap, BTreeMap);

impl<T> Removable for Option<T> {}
