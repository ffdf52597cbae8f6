//! # dynatomic
//!
//! Race-free writes to Amazon DynamoDB that the compiler checks. Describe an item as a struct with
//! `#[derive(Item)]`; `update!` and `condition!` check every field name, operator and value type against
//! it at compile time and expand to finished UpdateExpression / ConditionExpression strings.
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
//! See the README for the whole DSL and the list of compile-time checks.

mod attribute;
mod batch;
mod db;
mod dynamo;
mod error;
mod explain;
pub mod kind;
mod limits;
mod memory;
mod number;
mod operation;
mod request;
mod retry;
mod schema;
mod size;
mod table;
mod transaction;
mod value;
mod version;

#[doc(hidden)]
#[path = "private.rs"]
pub mod __private;

pub use attribute::{Attribute, Bytes, SetElement};
pub use aws_sdk_dynamodb;
pub use aws_sdk_dynamodb::types::AttributeValue;
pub use db::Db;
pub use error::{DecodeError, Error, ValueError};
pub use explain::{Explanation, FailedClause, Operand};
pub use operation::{Condition, Update};
pub use retry::{Backoff, Conflict, Retried};
pub use schema::{Document, Item, Key, KeyAttribute, KeyKind, KeySchema};
pub use table::Table;
pub use transaction::{
    ActionKind, CanceledAction, ReadTransaction, Reason, Slot, Snapshot, Transaction, TransactionCanceled,
    TransactionError,
};
pub use value::IntoValue;
pub use version::Versioned;

/// Derives the schema of a struct: [`Document`] always, [`Item`] when a field is the partition key.
///
/// Container attribute: `#[dynatomic(table = "name")]`. Field attributes: `#[dynatomic(partition_key)]`,
/// `#[dynatomic(sort_key)]`, `#[dynatomic(rename = "attr")]`.
pub use dynatomic_macros::Item;
/// Builds a checked condition: `condition!(Type: condition)`. See the crate README.
pub use dynatomic_macros::condition;
/// Builds a checked update: `update!(Type: assignment, ...; where condition)`. See the crate README.
pub use dynatomic_macros::update;
