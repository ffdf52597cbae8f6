//! # dynatomic
//!
//! Race-free writes to Amazon DynamoDB that the compiler checks. Describe an item as a struct with
//! `#[derive(Item)]`; `update!`, `upsert!` and `condition!` check every field name, operator and value type
//! against it at compile time and expand to finished UpdateExpression / ConditionExpression strings. A
//! [`Table`] sends them to DynamoDB ([`Db::connect`]) or runs them on an embedded backend that answers as
//! DynamoDB does ([`Db::memory`]).
//!
//! ```
//! use dynatomic::{update, Item};
//!
//! #[derive(Item)]
//! #[dynatomic(table = "products")]
//! struct Product {
//!     #[dynatomic(partition_key)]
//!     sku: String,
//!     stock: i64,
//!     reserved: i64,
//! }
//!
//! let qty = 3;
//! let op = update!(Product: stock -= qty, reserved += qty; where stock >= qty);
//! assert_eq!(op.condition_expression(), Some("#n0 >= :v2"));
//! // products.update(Product::key("sku-1"), op).await?;
//! ```
//!
//! See the README for the whole DSL, the rules of writes, and the list of compile-time checks.

mod attribute;
mod backend;
mod backoff;
mod batch;
mod capacity;
mod checked_batch;
mod db;
mod dynamo;
mod error;
mod exactly_once;
pub mod explain;
mod expr;
mod fast_hash;
mod faults;
mod guard;
mod hot_keys;
mod identity;
pub mod kind;
mod limits;
mod lock;
mod lock_set;
mod memory;
mod number;
mod operation;
mod prechecks;
#[cfg(feature = "raw")]
pub mod raw;
mod request;
mod retry;
mod schema;
mod table;
mod telemetry;
mod transaction;
mod types;
mod value;
mod version;
mod write;

#[doc(hidden)]
#[path = "private.rs"]
pub mod __private;

pub use attribute::{Attribute, Bytes, SetElement};
pub use aws_sdk_dynamodb;
pub use aws_sdk_dynamodb::types::AttributeValue;
pub use backoff::Backoff;
pub use capacity::{Capacity, TableCapacity, Units};
pub use db::Db;
pub use error::{DecodeError, Error, InternalError, ServiceError, ServiceErrorKind, Stored, ValueError};
pub use exactly_once::ExactlyOnce;
pub use faults::{Fault, FaultSwitch, Faults, Resends};
pub use hot_keys::HotKeys;
pub use lock::{Commit, LockRequest, Locked};
pub use lock_set::{HeldLocks, LockSet, LockSetError, LockSlot};
pub use operation::{Condition, Update, Upsert};
pub use retry::{Conflict, Retried};
pub use schema::{Document, Item, Key, KeyAttribute, KeyKind, KeySchema, StoredVersion};
pub use table::Table;
pub use transaction::{
    ActionKind, AnyItem, CanceledAction, ReadTransaction, Reason, Slot, Snapshot, Transaction, TransactionCanceled,
    TransactionError,
};
pub use types::serde::Serialized;
pub use types::timestamp::EpochSeconds;
pub use value::IntoValue;
pub use version::{Unversioned, Versioned};
pub use write::{CreateWrite, DeleteWrite, IgnoreMissing, PutWrite, UpdateWrite};

/// What an update returns, given to [`UpdateWrite::returning`]: DynamoDB's ReturnValues.
pub mod returning {
    pub use crate::write::{AllNew, AllOld, Nothing, ReturnValues, UpdatedNew, UpdatedOld};
}

/// Derives the schema of a struct: [`Document`] always, [`Item`] when a field is the partition key, and
/// [`Versioned`] or [`Unversioned`].
///
/// - `#[dynatomic(table = "name")]` on the struct: the table's name (3 to 255 characters from
///   `[a-zA-Z0-9_.-]`, checked at compile time); by default the struct's name.
/// - `#[dynatomic(partition_key)]`, `#[dynatomic(sort_key)]` on a field: the key attributes (a string, a number
///   or `Bytes`); the derive adds `T::key(partition)` or `T::key(partition, sort)`.
/// - `#[dynatomic(version)]` on an unsigned integer field (`u8` to `u64`): optimistic locking. Every write
///   checks the stored version and increments it ([`Key::at_version`], [`Key::any_version`]); `put` returns
///   the version it stored.
/// - `#[dynatomic(default)]` on a field: an item without the attribute reads as `Default::default()`, and an
///   [`upsert!`] need not set it.
/// - `#[dynatomic(rename = "attr")]` on a field: the attribute name, in items and expressions alike;
///   `#[dynatomic(rename_all = "camelCase")]` on the struct names every other field in one of serde's
///   conventions (see [`Value`]).
/// - `#[dynatomic(ttl)]` on a timestamp field (or an `Option` of one): stored as epoch seconds ([`EpochSeconds`]),
///   the attribute DynamoDB's TTL expires the item by; [`Table::create_table`] enables TTL on it.
/// - `#[dynatomic(serde)]` on a field of any serde type (the `serde` feature): stored with serde_dynamo
///   ([`Serialized`]).
///
/// Besides the impls, the derive adds a hidden struct `{Name}Fields` beside the struct (the probes `update!`
/// checks field names against; a type of that name beside the struct would clash) and a hidden module
/// `__dynatomic_{Name}`.
///
/// ```
/// #[derive(dynatomic::Item, Debug)]
/// #[dynatomic(table = "docs")]
/// struct Doc {
///     #[dynatomic(partition_key)]
///     id: String,
///     #[dynatomic(rename = "body")]
///     text: String,
///     #[dynatomic(default)]
///     views: u64,
///     #[dynatomic(version)]
///     version: u64,
/// }
/// assert_eq!(<Doc as dynatomic::Item>::VERSION, Some("version"));
/// ```
pub use dynatomic_macros::Item;
/// Derives the attribute traits for an enum of unit variants: each variant is stored as a string (`S`), so a
/// field of the enum can be a key, an element of a set, and compared with `==`, `!=` and `is_in` in
/// `update!` and `condition!` (not ordered: a stored string's order is not the variants' order).
///
/// - `#[dynatomic(rename_all = "...")]` on the enum: the variants' strings in one of serde's conventions
///   (`lowercase`, `UPPERCASE`, `PascalCase`, `camelCase`, `snake_case`, `SCREAMING_SNAKE_CASE`, `kebab-case`,
///   `SCREAMING-KEBAB-CASE`); by default the variant's name as written.
/// - `#[dynatomic(rename = "...")]` on a variant: its string.
///
/// Reading a string that names no variant is a [`DecodeError`] that names the attribute and the string.
///
/// ```
/// use dynatomic::{update, Attribute, Item, Value};
///
/// #[derive(Value, Debug, Clone, Copy, PartialEq)]
/// #[dynatomic(rename_all = "snake_case")]
/// enum Status { Pending, Paid, #[dynatomic(rename = "sent")] Shipped }
///
/// #[derive(Item)]
/// struct Order { #[dynatomic(partition_key)] id: String, status: Status }
///
/// assert_eq!(Status::Shipped.to_attr().unwrap(), dynatomic::AttributeValue::S("sent".into()));
/// let op = update!(Order: status = Status::Paid; where status == Status::Pending);
/// assert_eq!(op.condition_expression(), Some("#n0 = :v1"));
/// ```
pub use dynatomic_macros::Value;
/// Builds a checked condition: `condition!(Type: condition)`. See the crate README.
pub use dynatomic_macros::condition;
/// Builds a checked update of an existing item: `update!(Type: assignment, ...; where condition)`. See the
/// crate README.
pub use dynatomic_macros::update;
/// Builds a checked update that creates the item when there is none: `upsert!(Type: assignment, ...; where
/// condition)`, applied by [`Table::upsert`]. It must set every field that the type cannot be read without
/// (every field but the keys, the version, `Option`s, sets and `#[dynatomic(default)]` fields): a field it leaves
/// unset is a compile error. A value read from another attribute (`field = #other`) does not count: a new item has
/// no other attribute.
pub use dynatomic_macros::upsert;
