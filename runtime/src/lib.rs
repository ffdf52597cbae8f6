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
mod checked_batch;
mod db;
mod dynamo;
mod error;
pub mod explain;
mod expr;
mod fast_hash;
mod guard;
mod identity;
pub mod kind;
mod limits;
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
pub use db::Db;
pub use error::{DecodeError, Error, InternalError, ServiceError, ServiceErrorKind, Stored, ValueError};
pub use operation::{Condition, Update, Upsert};
pub use retry::{Conflict, Retried};
pub use schema::{Document, Item, Key, KeyAttribute, KeyKind, KeySchema, StoredVersion};
pub use table::Table;
pub use types::timestamp::EpochSeconds;
pub use types::serde::Serialized;
pub use transaction::{
    ActionKind, AnyItem, CanceledAction, ReadTransaction, Reason, Slot, Snapshot, Transaction, TransactionCanceled,
    TransactionError,
};
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
/// - `#[dynatomic(rename = "attr")]` on a field: the attribute name, in items and expressions alike.
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
