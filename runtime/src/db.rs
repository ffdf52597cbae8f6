//! The connection a table handle uses: DynamoDB through aws-sdk-dynamodb, or the embedded in-memory backend.

use std::borrow::Cow;
use std::collections::HashMap;
use std::sync::Arc;

use crate::memory::Memory;
use crate::request::{BatchOp, RawItem, Refusal, TransactWrite, Write};
use crate::retry::Backoff;
use crate::schema::{Item, KeySchema};
use crate::table::Table;
use crate::{AttributeValue, dynamo};

/// Where the tables live. Cheap to clone; every [`Table`] made from it shares its connection (or, for
/// [`Db::memory`], its in-memory tables).
///
/// ```no_run
/// # async fn demo() {
/// // DynamoDB with the default AWS configuration, or DynamoDB Local at `DYNAMODB_ENDPOINT`:
/// let db = dynatomic::Db::connect(std::env::var("DYNAMODB_ENDPOINT").ok().as_deref()).await;
/// // The same API on tables in this process:
/// let db = dynatomic::Db::memory();
/// # }
/// ```
#[derive(Clone, Debug)]
pub struct Db {
    pub(crate) backend: Backend,
    pub(crate) backoff: Backoff,
}

#[derive(Clone, Debug)]
pub(crate) enum Backend {
    DynamoDb(aws_sdk_dynamodb::Client),
    Memory(Arc<Memory>),
}

/// The ExpressionAttributeNames and ExpressionAttributeValues of a request.
pub(crate) type Maps = (HashMap<String, String>, HashMap<String, AttributeValue>);

/// How long `create_table` waits for a DynamoDB table to become active.
const TABLE_PATIENCE: std::time::Duration = std::time::Duration::from_secs(120);

impl Backend {
    /// Runs one write.
    pub(crate) async fn write(&self, write: Write) -> Result<Option<RawItem>, Refusal> {
        self.write_keeping_maps(write, false).await.0
    }

    /// Runs one write and, if `keep`, hands back its placeholder maps, to explain a failed condition. Only
    /// DynamoDB's request needs them copied: the memory backend only reads the request.
    pub(crate) async fn write_keeping_maps(
        &self,
        write: Write,
        keep: bool,
    ) -> (Result<Option<RawItem>, Refusal>, Option<Maps>) {
        match self {
            Backend::DynamoDb(client) => {
                let maps = keep.then(|| (write.names.clone(), write.values.clone()));
                (dynamo::write(client, write).await, maps)
            }
            Backend::Memory(memory) => (memory.write(&write), keep.then_some((write.names, write.values))),
        }
    }

    /// Reads one item by key (strongly consistent).
    pub(crate) async fn get(&self, table: &str, key: RawItem) -> Result<Option<RawItem>, Refusal> {
        match self {
            Backend::DynamoDb(client) => dynamo::get(client, table.to_owned(), key).await,
            Backend::Memory(memory) => memory.get(table, &key),
        }
    }

    /// Runs a TransactWriteItems request: every action or none.
    pub(crate) async fn transact_write(&self, request: TransactWrite) -> Result<(), Refusal> {
        match self {
            Backend::DynamoDb(client) => dynamo::transact_write(client, request).await,
            Backend::Memory(memory) => memory.transact_write(request),
        }
    }

    /// Reads items of any tables as one consistent snapshot (TransactGetItems), in request order.
    pub(crate) async fn transact_get(&self, items: Vec<(String, RawItem)>) -> Result<Vec<Option<RawItem>>, Refusal> {
        match self {
            Backend::DynamoDb(client) => dynamo::transact_get(client, items).await,
            Backend::Memory(memory) => memory.transact_get(items),
        }
    }

    /// Sends one BatchWriteItem request (at most 25 writes) to one table; returns the writes left unprocessed.
    pub(crate) async fn batch_write(&self, table: &str, ops: Vec<BatchOp>) -> Result<Vec<BatchOp>, Refusal> {
        match self {
            Backend::DynamoDb(client) => dynamo::batch_write(client, table, ops).await,
            Backend::Memory(memory) => memory.batch_write(table, ops).map(|()| Vec::new()),
        }
    }

    /// Sends one BatchGetItem request (at most 100 keys, strongly consistent) to one table; returns the items
    /// found, in no particular order, and the keys left unprocessed.
    pub(crate) async fn batch_get(
        &self,
        table: &str,
        keys: Vec<RawItem>,
    ) -> Result<(Vec<RawItem>, Vec<RawItem>), Refusal> {
        match self {
            Backend::DynamoDb(client) => dynamo::batch_get(client, table, keys).await,
            Backend::Memory(memory) => memory.batch_get(table, keys).map(|found| (found, Vec::new())),
        }
    }

    /// Creates a table with this key schema unless it exists.
    pub(crate) async fn create_table(&self, table: &str, key: KeySchema) -> Result<(), Refusal> {
        match self {
            Backend::DynamoDb(client) => dynamo::create_table(client, table, key, TABLE_PATIENCE).await,
            Backend::Memory(memory) => memory.create_table(table, key),
        }
    }
}

impl Db {
    /// Uses an aws-sdk-dynamodb client as it is configured.
    pub fn from_client(client: aws_sdk_dynamodb::Client) -> Self {
        Db { backend: Backend::DynamoDb(client), backoff: Backoff::default() }
    }

    /// Connects with the default AWS configuration (environment, profile, instance role); with `endpoint`,
    /// to that URL instead, such as DynamoDB Local's `http://127.0.0.1:8000`.
    pub async fn connect(endpoint: Option<&str>) -> Self {
        let mut loader = aws_config::defaults(aws_config::BehaviorVersion::latest());
        if let Some(endpoint) = endpoint {
            loader = loader.endpoint_url(endpoint);
        }
        Db::from_client(aws_sdk_dynamodb::Client::new(&loader.load().await))
    }

    /// A new, empty database in this process: no server, no network, no Java. It gives the answers DynamoDB
    /// gives (conditions, update rules, limits, error kinds and messages), so code written against
    /// DynamoDB can be tested or tried on it by changing this one line.
    ///
    /// As on DynamoDB, a table must be created before it is used ([`Table::create_table`]); otherwise every
    /// operation fails with [`Error::TableNotFound`](crate::Error::TableNotFound). Clones share the tables;
    /// separate `Db::memory()` values do not. Each single-item write is atomic, also across threads.
    ///
    /// ```
    /// # #[derive(dynatomic::Item, Debug, PartialEq)]
    /// # struct Counter { #[dynatomic(partition_key)] id: String, hits: u64 }
    /// # async fn demo() -> Result<(), dynatomic::Error<Counter>> {
    /// let db = dynatomic::Db::memory();
    /// let counters = db.table::<Counter>();
    /// counters.create_table().await?;
    /// counters.update(Counter::key("home"), dynatomic::update!(Counter: hits += 1)).await?;
    /// assert_eq!(counters.get(Counter::key("home")).await?, Some(Counter { id: "home".into(), hits: 1 }));
    /// # Ok(()) }
    /// # tokio::runtime::Builder::new_current_thread().build().unwrap().block_on(demo()).unwrap();
    /// ```
    pub fn memory() -> Self {
        Db { backend: Backend::Memory(Arc::new(Memory::new())), backoff: Backoff::default() }
    }

    /// Uses `backoff` to resend what a batch write or read leaves unprocessed (by default
    /// [`Backoff::default`]). Throttled and failed requests are retried by aws-sdk-dynamodb itself, as its
    /// client is configured ([`Db::from_client`]).
    pub fn with_backoff(mut self, backoff: Backoff) -> Self {
        self.backoff = backoff;
        self
    }

    /// The aws-sdk-dynamodb client behind this handle, for what dynatomic does not cover; `None` for
    /// [`Db::memory`].
    pub fn client(&self) -> Option<&aws_sdk_dynamodb::Client> {
        match &self.backend {
            Backend::DynamoDb(client) => Some(client),
            Backend::Memory(_) => None,
        }
    }

    /// The table of `T`, named by `#[dynatomic(table = "...")]`.
    pub fn table<T: Item>(&self) -> Table<T> {
        Table::new(self.clone(), Cow::Borrowed(T::TABLE))
    }

    /// The table of `T` under another name (per environment, per test).
    pub fn table_named<T: Item>(&self, name: impl Into<String>) -> Table<T> {
        Table::new(self.clone(), Cow::Owned(name.into()))
    }
}
