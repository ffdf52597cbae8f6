//! Shared setup of the integration tests: the two backends (DynamoDB Local and `Db::memory()`) every test
//! runs on, a fresh table per test, raw reads and writes that bypass dynatomic's checks, and the schemas the
//! tests use.
//!
//! Each file under `tests/` is its own crate and uses only part of this module.
#![allow(dead_code)]

pub mod fault_proxy;

use std::collections::{BTreeSet, HashMap, HashSet};
use std::sync::atomic::{AtomicU32, Ordering};
use std::time::{SystemTime, UNIX_EPOCH};

use dynatomic::raw::{self, WriteRefusal};
use dynatomic::{AttributeValue, Bytes, Db, Item, Key, Stored, Table};

/// A stored item as DynamoDB returns it.
pub type RawItem = HashMap<String, AttributeValue>;

/// A product: one field of every kind the DSL handles.
#[derive(Item, Debug, Clone, PartialEq)]
pub struct Product {
    #[dynatomic(partition_key)]
    pub pk: String,
    pub stock: i64,
    pub reserved: i64,
    pub price: f64,
    pub hits: u64,
    pub tags: Vec<String>,
    pub history: Option<Vec<String>>,
    pub labels: HashSet<String>,
    pub ids: BTreeSet<u32>,
    pub scores: HashMap<String, i64>,
    pub address: Address,
    pub note: Option<String>,
    #[dynatomic(rename = "ver")]
    pub version: u64,
    pub blob: Bytes,
}

/// A nested document.
#[derive(Item, Debug, Clone, PartialEq)]
pub struct Address {
    pub city: String,
    pub zip: Option<String>,
}

impl Product {
    /// The product every test starts from.
    pub fn sample(pk: &str) -> Self {
        Product {
            pk: pk.to_owned(),
            stock: 10,
            reserved: 2,
            price: 9.5,
            hits: 0,
            tags: strings(["red", "blue"]),
            history: None,
            labels: strings(["sale", "new"]),
            ids: [1, 2, 3].into(),
            scores: [("alice".to_owned(), 5)].into(),
            address: Address { city: "Oslo".to_owned(), zip: Some("0150".to_owned()) },
            note: None,
            version: 3,
            blob: Bytes(vec![1, 2, 3]),
        }
    }
}

/// An item of a table with a sort key.
#[derive(Item, Debug, Clone, PartialEq)]
pub struct Event {
    #[dynatomic(partition_key)]
    pub pk: String,
    #[dynatomic(sort_key)]
    pub sk: String,
    pub count: i64,
    pub note: Option<String>,
}

/// An item with 128-bit and float numbers, whose extremes DynamoDB cannot store.
#[derive(Item, Debug, Clone, PartialEq)]
pub struct Ledger {
    #[dynatomic(partition_key)]
    pub pk: String,
    pub total: u128,
    pub parts: Vec<f64>,
}

impl Ledger {
    pub fn new(total: u128, parts: Vec<f64>) -> Self {
        Ledger { pk: "l".into(), total, parts }
    }
}

/// A document with a version: `#[dynatomic(version)]` makes every write check it.
#[derive(Item, Debug, Clone, PartialEq)]
pub struct Doc {
    #[dynatomic(partition_key)]
    pub id: String,
    pub text: String,
    #[dynatomic(version)]
    pub version: u64,
}

impl Doc {
    pub fn new(id: impl Into<String>, text: &str, version: u64) -> Self {
        Doc { id: id.into(), text: text.to_owned(), version }
    }
}

/// An item whose table is named by its schema.
#[derive(Item, Debug, Clone, PartialEq)]
#[dynatomic(table = "dynatomic_tests_named_by_schema")]
pub struct Note {
    #[dynatomic(partition_key)]
    pub pk: String,
    pub text: String,
}

/// Owned strings, collected into any collection.
pub fn strings<C: FromIterator<String>, const N: usize>(items: [&str; N]) -> C {
    items.into_iter().map(str::to_owned).collect()
}

/// The backends every integration test runs on.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Backend {
    /// DynamoDB Local at `DYNAMODB_ENDPOINT`; a test fails (does not skip) when it is not set.
    DynamoDbLocal,
    /// `Db::memory()`.
    Memory,
}

impl Backend {
    /// A connection to this backend.
    pub async fn db(self) -> Db {
        match self {
            Backend::DynamoDbLocal => connect().await,
            Backend::Memory => Db::memory(),
        }
    }
}

/// Runs each named test body, an `async fn(Backend)`, once per backend: `name::dynamodb_local` and
/// `name::memory`. Takes an optional test attribute (default `#[tokio::test]`).
#[macro_export]
macro_rules! on_both_backends {
    (#[$test:meta] $($name:ident),+ $(,)?) => {$(
        mod $name {
            #[$test]
            async fn dynamodb_local() {
                super::$name($crate::common::Backend::DynamoDbLocal).await
            }

            #[$test]
            async fn memory() {
                super::$name($crate::common::Backend::Memory).await
            }
        }
    )+};
    ($($name:ident),+ $(,)?) => {
        $crate::on_both_backends!(#[tokio::test] $($name),+);
    };
}

/// Connects to the DynamoDB Local that `scripts/test.sh` starts; fails the test when there is none.
pub async fn connect() -> Db {
    let Ok(endpoint) = std::env::var("DYNAMODB_ENDPOINT") else {
        panic!(
            "DYNAMODB_ENDPOINT is not set: these integration tests need DynamoDB Local. \
             Run them through scripts/test.sh (for example `scripts/test.sh -p dynatomic`), \
             which starts DynamoDB Local and sets DYNAMODB_ENDPOINT and dummy AWS credentials."
        );
    };
    Db::connect_to(&endpoint).await
}

/// A new, empty table for one test on one backend, and the connection to it.
pub struct Fixture<T> {
    pub backend: Backend,
    pub db: Db,
    pub table: Table<T>,
}

impl<T: Item + std::fmt::Debug> Fixture<T> {
    /// Creates a uniquely named table for `T` with `Table::create_table`.
    pub async fn new(backend: Backend, test: &str) -> Self {
        let db = backend.db().await;
        let table = db.table_named::<T>(unique_table_name(test));
        if let Err(e) = table.create_table().await {
            panic!("creating table {}: {e:?}", table.name());
        }
        Fixture { backend, table, db }
    }

    /// Creates the table `T` names (`#[dynatomic(table = "...")]`), replacing one left by an earlier run, and
    /// reaches it through `Db::table`.
    pub async fn named_by_schema(backend: Backend) -> Self {
        let db = backend.db().await;
        if let Some(client) = db.client() {
            // Absent in a fresh DynamoDB Local; a leftover only exists when it was not started with -inMemory.
            let _ = client.delete_table().table_name(T::TABLE).send().await;
        }
        let table = db.table::<T>();
        if let Err(e) = table.create_table().await {
            panic!("creating table {}: {e:?}", table.name());
        }
        Fixture { backend, table, db }
    }

    /// The stored item, read without decoding; panics when there is none.
    pub async fn raw(&self, key: Key<T>) -> RawItem {
        self.try_raw(key).await.expect("the item should exist")
    }

    /// The stored item, read without decoding.
    pub async fn try_raw(&self, key: Key<T>) -> Option<RawItem> {
        let key = key.attributes().expect("a valid key").clone();
        raw::get(&self.db, self.table.name(), key).await.expect("raw get")
    }

    /// Writes an item without dynatomic's checks, for items dynatomic would refuse to write.
    pub async fn put_raw(&self, item: RawItem) {
        self.try_put_raw(item).await.expect("raw put");
    }

    /// Writes an item without dynatomic's checks and returns the backend's answer.
    pub async fn try_put_raw(&self, item: RawItem) -> Result<(), WriteRefusal> {
        let write = raw::Write {
            table: self.table.name().to_owned(),
            action: raw::Action::Put(item),
            condition: None,
            names: HashMap::new(),
            values: HashMap::new(),
            returning: raw::Returning::Nothing,
        };
        raw::write(&self.db, write).await.map(drop)
    }

    /// Reads the item back with dynatomic; panics when it is missing or cannot be read.
    pub async fn stored(&self, key: Key<T>) -> T
    where
        T: std::fmt::Debug,
    {
        self.table.get(key).await.expect("get").expect("the item should exist")
    }
}

/// The item a failed write handed back, read as `T`; panics when it does not fit `T`.
#[track_caller]
pub fn stored_item<T>(stored: Option<Box<Stored<T>>>) -> Option<T> {
    stored.map(|stored| match stored.into_item() {
        Ok(item) => item,
        Err(error) => panic!("the stored item does not fit the struct: {error}"),
    })
}

/// The message an error displays.
pub fn message<T: std::fmt::Debug>(error: &dynatomic::Error<T>) -> String {
    error.to_string()
}

/// `test`, made safe for a table name, plus a per-process counter and the time, so that no two tests or runs
/// share a table.
pub fn unique_table_name(test: &str) -> String {
    static COUNTER: AtomicU32 = AtomicU32::new(0);
    let nanos = SystemTime::now().duration_since(UNIX_EPOCH).expect("clock after 1970").as_nanos();
    let safe: String = test
        .chars()
        .take(200)
        .map(|c| if c.is_ascii_alphanumeric() || matches!(c, '_' | '-' | '.') { c } else { '_' })
        .collect();
    format!("{safe}-{}-{nanos}", COUNTER.fetch_add(1, Ordering::Relaxed))
}

/// The DynamoDB type of a raw attribute, such as `"SS"`, or `"absent"`.
pub fn type_of(item: &RawItem, attribute: &str) -> &'static str {
    match item.get(attribute) {
        None => "absent",
        Some(AttributeValue::S(_)) => "S",
        Some(AttributeValue::N(_)) => "N",
        Some(AttributeValue::B(_)) => "B",
        Some(AttributeValue::Bool(_)) => "BOOL",
        Some(AttributeValue::Null(_)) => "NULL",
        Some(AttributeValue::L(_)) => "L",
        Some(AttributeValue::M(_)) => "M",
        Some(AttributeValue::Ss(_)) => "SS",
        Some(AttributeValue::Ns(_)) => "NS",
        Some(AttributeValue::Bs(_)) => "BS",
        Some(_) => "unknown",
    }
}
