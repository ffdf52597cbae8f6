//! Raw requests, for tests that compare the backends: any expression string, any placeholders, sent as they
//! are to the backend of a [`Db`], which answers with its own answer. Enabled by the `raw` cargo feature; not
//! needed to use dynatomic.
//!
//! ```
//! # async fn demo() -> Result<(), Box<dyn std::error::Error>> {
//! use dynatomic::raw::{self, Action, Returning, Write};
//! use dynatomic::{AttributeValue, Db, KeyKind, KeySchema};
//! let db = Db::memory();
//! raw::create_table(&db, "things", KeySchema { partition: ("pk", KeyKind::String), sort: None }).await?;
//! let key = [("pk".to_owned(), AttributeValue::S("a".into()))].into();
//! let write = Write {
//!     table: "things".into(),
//!     action: Action::Update { key, expression: Some("SET n = :one".into()) },
//!     condition: None,
//!     names: Default::default(),
//!     values: [(":one".to_owned(), AttributeValue::N("1".into()))].into(),
//!     returning: Returning::AllNew,
//! };
//! let item = raw::write(&db, write).await?.expect("ALL_NEW");
//! assert_eq!(item["n"], AttributeValue::N("1".into()));
//! # Ok(()) }
//! # tokio::runtime::Builder::new_current_thread().build().unwrap().block_on(demo()).unwrap();
//! ```

use crate::db::Db;
use crate::schema::KeySchema;

pub use crate::request::{
    Action, BatchOp, CancelReason, Failure, Maps, RawItem, Returning, TransactRefusal, TransactWrite, Write,
    WriteRefusal,
};

/// Runs one write (PutItem, UpdateItem or DeleteItem) and returns the backend's answer: the attributes asked
/// for, or the refusal.
pub async fn write(db: &Db, write: Write) -> Result<Option<RawItem>, WriteRefusal> {
    db.backend.write(write).await
}

/// Reads one item by key (GetItem, strongly consistent), without decoding it.
pub async fn get(db: &Db, table: &str, key: RawItem) -> Result<Option<RawItem>, Failure> {
    db.backend.get(table, key).await
}

/// Runs a TransactWriteItems request.
pub async fn transact_write(db: &Db, request: TransactWrite) -> Result<(), TransactRefusal> {
    let mut call = db.backend.transact_call(&request);
    db.backend.transact_write(request, &mut call).await
}

/// Runs a TransactGetItems request (table and key of each item); the items in request order.
pub async fn transact_get(db: &Db, items: Vec<(String, RawItem)>) -> Result<Vec<Option<RawItem>>, TransactRefusal> {
    db.backend.transact_get(items).await
}

/// Sends one BatchWriteItem request to one table; returns the unprocessed writes.
pub async fn batch_write(db: &Db, table: &str, ops: Vec<BatchOp>) -> Result<Vec<BatchOp>, Failure> {
    db.backend.batch_write(table, ops).await
}

/// Sends one BatchGetItem request to one table; returns the items found and the unprocessed keys.
pub async fn batch_get(db: &Db, table: &str, keys: Vec<RawItem>) -> Result<(Vec<RawItem>, Vec<RawItem>), Failure> {
    db.backend.batch_get(table, keys).await
}

/// Creates a table with this key schema (CreateTable), unless it exists.
pub async fn create_table(db: &Db, table: &str, key: KeySchema) -> Result<(), Failure> {
    db.backend.create_table(table, key, None).await
}
