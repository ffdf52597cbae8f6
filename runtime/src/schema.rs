//! The schema traits that `#[derive(Item)]` implements, and the key of an item.

use std::collections::HashMap;
use std::marker::PhantomData;

use aws_sdk_dynamodb::types::AttributeValue;

use std::sync::Arc;

use crate::attribute::Attribute;
use crate::error::{DecodeError, ValueError};
use crate::guard::{Guard, Intent, Presence, Unchanged, VersionCheck};
use crate::limits::{MAX_PARTITION_KEY_BYTES, MAX_SORT_KEY_BYTES};

/// A struct stored as a DynamoDB map: its fields are attributes. Implemented by `#[derive(Item)]`.
///
/// ```
/// use dynatomic::Document;
/// #[derive(dynatomic::Item, Debug, PartialEq)]
/// struct Address { city: String, zip: Option<String> }
///
/// let item = Address { city: "Oslo".into(), zip: None }.to_item().unwrap();
/// assert_eq!(item.len(), 1); // `None` is left out
/// assert_eq!(Address::from_item(item).unwrap(), Address { city: "Oslo".into(), zip: None });
/// ```
pub trait Document: Attribute {
    /// The attribute name of every field, in the order of the fields.
    const ATTRIBUTES: &'static [&'static str];

    /// The attributes of the `#[dynatomic(default)]` fields, with their default values: an item read without
    /// one of them reads as if it had its default.
    #[doc(hidden)]
    fn defaults() -> Vec<(&'static str, AttributeValue)> {
        Vec::new()
    }

    /// The stored attributes of the struct, by attribute name.
    fn to_item(&self) -> Result<HashMap<String, AttributeValue>, ValueError>;
    /// Reads the struct back from its stored attributes.
    fn from_item(item: HashMap<String, AttributeValue>) -> Result<Self, DecodeError>;
}

/// A struct that is an item of a DynamoDB table: a [`Document`] with a partition key and an optional sort key.
/// Implemented by `#[derive(Item)]` when a field carries `#[dynatomic(partition_key)]`.
///
/// ```
/// use dynatomic::Item;
/// #[derive(dynatomic::Item)]
/// #[dynatomic(table = "products")]
/// struct Product { #[dynatomic(partition_key)] sku: String, stock: i64 }
///
/// assert_eq!(Product::TABLE, "products");
/// assert_eq!(Product::KEY.partition, ("sku", dynatomic::KeyKind::String));
/// assert_eq!(Product::KEY.sort, None);
/// ```
#[diagnostic::on_unimplemented(
    message = "`{Self}` is not a dynatomic item",
    label = "`update!` and `condition!` need a struct that derives `dynatomic::Item` with a partition key",
    note = "derive `dynatomic::Item` for `{Self}` and mark its key field with `#[dynatomic(partition_key)]`; a struct without a partition key can only be nested inside an item"
)]
pub trait Item: Document {
    /// The table's name (`#[dynatomic(table = "...")]`, by default the struct's name).
    const TABLE: &'static str;
    /// The key attributes: their names and DynamoDB types.
    const KEY: KeySchema;

    /// The key of this item.
    fn item_key(&self) -> Key<Self>;

    /// The version attribute's name, for a struct with a `#[dynatomic(version)]` field: every write then
    /// checks the stored version and increments it.
    const VERSION: Option<&'static str> = None;

    /// The attribute of the `#[dynatomic(ttl)]` field, stored as epoch seconds: [`Table::create_table`]
    /// enables DynamoDB's TTL on it.
    ///
    /// [`Table::create_table`]: crate::Table::create_table
    const TTL: Option<&'static str> = None;

    /// The largest version the version field holds: a write that would go past it is refused.
    const VERSION_MAX: u64 = u64::MAX;

    /// What a put of the item returns: the version it stored (the version field's type), or `()` for an item
    /// without a version field.
    type Version: StoredVersion;

    /// The item's version (0 for a new item, and for a struct without a version field).
    fn version(&self) -> u64 {
        0
    }
}

/// The key attributes of a table: the partition key and the optional sort key, each a name and a type.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct KeySchema {
    /// The partition key's attribute name and type.
    pub partition: (&'static str, KeyKind),
    /// The sort key's attribute name and type, if the table has one.
    pub sort: Option<(&'static str, KeyKind)>,
}

impl KeySchema {
    /// The names of the key attributes, partition key first.
    pub fn names(&self) -> impl Iterator<Item = &'static str> {
        std::iter::once(self.partition.0).chain(self.sort.map(|(name, _)| name))
    }
}

/// The DynamoDB type of a key attribute: keys are strings, numbers or binary.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum KeyKind {
    /// `S`
    String,
    /// `N`
    Number,
    /// `B`
    Binary,
}

/// A type that can be a key attribute: `String`, an integer or float, [`Bytes`](crate::Bytes), a timestamp, an
/// enum that derives [`Value`](crate::Value), and with their features a UUID or an exact decimal.
///
/// ```
/// use dynatomic::{KeyAttribute, KeyKind};
/// assert_eq!(<u64 as KeyAttribute>::KIND, KeyKind::Number);
/// ```
#[diagnostic::on_unimplemented(
    message = "`{Self}` cannot be a key attribute",
    label = "DynamoDB keys are strings, numbers or binary",
    note = "make the key field a `String`, an integer, a float, `dynatomic::Bytes`, a timestamp, a UUID, an exact decimal or an enum that derives `dynatomic::Value`"
)]
pub trait KeyAttribute: Attribute {
    /// The key's DynamoDB type.
    const KIND: KeyKind;
}

macro_rules! key_attribute {
    ($kind:ident: $($ty:ty),*) => {$(
        impl KeyAttribute for $ty {
            const KIND: KeyKind = KeyKind::$kind;
        }
    )*};
}
key_attribute!(String: String);
key_attribute!(Number: i8, i16, i32, i64, i128, isize, u8, u16, u32, u64, u128, usize, f32, f64);
key_attribute!(Binary: crate::Bytes);

/// The primary key of one item of `T`, as built by the generated `T::key(...)`, and what a write on it expects
/// of the stored item: a version ([`Key::at_version`]), or the item as it was read ([`Key::if_unchanged`]).
///
/// ```
/// #[derive(dynatomic::Item)]
/// struct Product { #[dynatomic(partition_key)] sku: String, stock: i64 }
///
/// let key = Product::key("sku-1");
/// assert_eq!(key.attributes().unwrap().len(), 1);
/// ```
pub struct Key<T> {
    attributes: Result<HashMap<String, AttributeValue>, ValueError>,
    pub(crate) expect: Expect,
    item: PhantomData<fn() -> T>,
}

/// What a write on a key expects of the stored item.
#[derive(Debug, Clone, PartialEq)]
pub(crate) enum Expect {
    /// Nothing was said: a write of a versioned item is refused, other writes check nothing.
    Unspecified,
    /// This version (0: no item, or an item without the version attribute).
    Version(u64),
    /// Any version: a write increments it without checking it.
    AnyVersion,
    /// The item as it was read, unchanged (items without a version).
    Unchanged(Arc<Result<Unchanged, ValueError>>),
}

impl<T> Key<T> {
    /// The key attributes by name, or the error that converting them raised.
    pub fn attributes(&self) -> Result<&HashMap<String, AttributeValue>, &ValueError> {
        self.attributes.as_ref()
    }

    pub(crate) fn into_attributes(self) -> Result<HashMap<String, AttributeValue>, ValueError> {
        self.attributes
    }

    /// The key of the partition key's and the sort key's values, in that order, refusing what DynamoDB refuses
    /// in a key: an empty string or binary value, a value over 2048 bytes (partition key) or 1024 (sort key).
    #[doc(hidden)]
    pub fn __new(parts: impl IntoIterator<Item = (&'static str, Result<AttributeValue, ValueError>)>) -> Self {
        let attributes = parts
            .into_iter()
            .enumerate()
            .map(|(i, (name, value))| {
                let limit = if i == 0 { MAX_PARTITION_KEY_BYTES } else { MAX_SORT_KEY_BYTES };
                match value {
                    Err(e) => Err(e.at(name)),
                    Ok(AttributeValue::S(s)) if s.is_empty() => Err(ValueError::EmptyKey(name.to_owned())),
                    Ok(AttributeValue::B(b)) if b.as_ref().is_empty() => Err(ValueError::EmptyKey(name.to_owned())),
                    Ok(AttributeValue::S(s) | AttributeValue::N(s)) if s.len() > limit => {
                        Err(ValueError::KeyTooLong { name: name.to_owned(), bytes: s.len(), limit })
                    }
                    Ok(AttributeValue::B(b)) if b.as_ref().len() > limit => {
                        Err(ValueError::KeyTooLong { name: name.to_owned(), bytes: b.as_ref().len(), limit })
                    }
                    Ok(value) => Ok((name.to_owned(), value)),
                }
            })
            .collect();
        Key { attributes, expect: Expect::Unspecified, item: PhantomData }
    }
}

impl<T: Item> Key<T> {
    /// Makes a write on this key expect the stored item to be exactly `read`, the item as it was read: every
    /// attribute equal, and the fields `read` leaves out still absent. When another writer changed the item in
    /// between, nothing is written and the error is [`Error::Changed`](crate::Error::Changed) (a conflict, which
    /// [`Db::retry`](crate::Db::retry) retries). For a type with a `#[dynatomic(version)]` field this is
    /// [`at_version(read.version)`](Key::at_version), a single comparison.
    ///
    /// ```
    /// # #[derive(dynatomic::Item, Debug)]
    /// # struct Account { #[dynatomic(partition_key)] id: String, balance: i64, frozen: bool }
    /// # async fn demo(accounts: dynatomic::Table<Account>) -> Result<(), dynatomic::Error<Account>> {
    /// let read = accounts.get(Account::key("alice")).await?.expect("alice has an account");
    /// let fee = read.balance / 100; // decided on what was read
    /// let key = Account::key("alice").if_unchanged(&read);
    /// accounts.update(key, dynatomic::update!(Account: balance -= fee)).await?;
    /// # Ok(()) }
    /// ```
    pub fn if_unchanged(mut self, read: &T) -> Self {
        self.expect = match T::VERSION {
            Some(_) => Expect::Version(read.version()),
            None => {
                let unchanged = read.to_item().and_then(|item| Unchanged::new(&item, T::ATTRIBUTES, &T::defaults()));
                Expect::Unchanged(Arc::new(unchanged))
            }
        };
        self
    }

    /// The guard of a request on this key, with `presence`: the version check of a versioned item (refused when
    /// the key does not say which version, unless the request only checks a condition), or the check that the
    /// item is unchanged.
    pub(crate) fn guard(&self, presence: Presence, intent: Intent) -> Result<Guard, ValueError> {
        let mut guard = Guard { presence, ..Guard::none(T::KEY.partition.0) };
        let version = |expected| T::VERSION.map(|attribute| VersionCheck { attribute, expected, max: T::VERSION_MAX });
        match &self.expect {
            Expect::Unspecified if T::VERSION.is_some() && intent == Intent::Write => {
                return Err(ValueError::VersionRequired);
            }
            Expect::Unspecified => {}
            Expect::Version(expected) => guard.version = version(Some(*expected)),
            Expect::AnyVersion => guard.version = version(None),
            Expect::Unchanged(unchanged) => guard.unchanged = Some(Box::new(unchanged.as_ref().clone()?)),
        }
        Ok(guard)
    }
}

impl<T> Clone for Key<T> {
    fn clone(&self) -> Self {
        Key { attributes: self.attributes.clone(), expect: self.expect.clone(), item: PhantomData }
    }
}

impl<T> std::fmt::Debug for Key<T> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Key").field("attributes", &self.attributes).field("expect", &self.expect).finish()
    }
}

/// What a put of an item returns: the version it stored, as the version field's type, or `()` for an item
/// without a version.
pub trait StoredVersion: Copy + std::fmt::Debug {
    /// The version stored, from the number the write stored (never beyond the field's largest number).
    fn stored(version: u64) -> Self;
}

impl StoredVersion for () {
    fn stored(_: u64) -> Self {}
}

macro_rules! stored_version {
    ($($ty:ty),*) => {$(
        impl StoredVersion for $ty {
            fn stored(version: u64) -> Self {
                <$ty>::try_from(version).unwrap_or(<$ty>::MAX)
            }
        }
    )*};
}
stored_version!(u8, u16, u32, u64);

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn long_keys_are_refused() {
        let long = |n: usize| Ok(AttributeValue::S("k".repeat(n)));
        assert!(Key::<()>::__new([("pk", long(2048)), ("sk", long(1024))]).attributes().is_ok());
        let refused = Key::<()>::__new([("pk", long(2049))]);
        assert_eq!(
            refused.attributes().unwrap_err(),
            &ValueError::KeyTooLong { name: "pk".into(), bytes: 2049, limit: 2048 }
        );
        let refused = Key::<()>::__new([("pk", long(1)), ("sk", long(1025))]);
        assert_eq!(
            refused.attributes().unwrap_err(),
            &ValueError::KeyTooLong { name: "sk".into(), bytes: 1025, limit: 1024 }
        );
    }

    #[test]
    fn empty_keys_are_refused() {
        let key = Key::<()>::__new([("pk", Ok(AttributeValue::S(String::new())))]);
        assert_eq!(key.attributes().unwrap_err(), &ValueError::EmptyKey("pk".into()));
        let key =
            Key::<()>::__new([("pk", Ok(AttributeValue::S("a".into()))), ("sk", Ok(AttributeValue::N("1".into())))]);
        assert_eq!(key.attributes().unwrap().len(), 2);
    }
}
