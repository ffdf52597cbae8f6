//! The backends a [`Db`](crate::Db) sends requests to: DynamoDB through aws-sdk-dynamodb, or the embedded
//! in-memory backend. Each request kind has its own answer, so that an answer a request cannot have cannot be
//! given.
//!
//! aws-sdk-dynamodb's futures are large (kilobytes): each is boxed here, so that the futures of dynatomic's
//! operations stay small on both backends and are cheap to move.

use std::sync::Arc;

use crate::dynamo;
use crate::memory::Memory;
use crate::request::{BatchOp, Failure, RawItem, TransactRefusal, TransactWrite, Write, WriteRefusal};
use crate::schema::KeySchema;

/// Where the requests go.
#[derive(Clone, Debug)]
pub(crate) enum Backend {
    DynamoDb(aws_sdk_dynamodb::Client),
    Memory(Arc<Memory>),
}

/// How long `create_table` waits for a DynamoDB table to become active.
const TABLE_PATIENCE: std::time::Duration = std::time::Duration::from_secs(120);

impl Backend {
    /// Runs one write. A refused condition hands back the request's placeholder maps.
    pub(crate) async fn write(&self, write: Write) -> Result<Option<RawItem>, WriteRefusal> {
        match self {
            Backend::DynamoDb(client) => Box::pin(dynamo::write(client, write)).await,
            Backend::Memory(memory) => memory.write(write),
        }
    }

    /// Reads one item by key (strongly consistent).
    pub(crate) async fn get(&self, table: &str, key: RawItem) -> Result<Option<RawItem>, Failure> {
        match self {
            Backend::DynamoDb(client) => Box::pin(dynamo::get(client, table.to_owned(), key)).await,
            Backend::Memory(memory) => memory.get(table, &key),
        }
    }

    /// Runs a TransactWriteItems request: every action or none.
    pub(crate) async fn transact_write(&self, request: TransactWrite) -> Result<(), TransactRefusal> {
        match self {
            Backend::DynamoDb(client) => Box::pin(dynamo::transact_write(client, request)).await,
            Backend::Memory(memory) => memory.transact_write(request),
        }
    }

    /// Reads items of any tables as one consistent snapshot (TransactGetItems), in request order.
    pub(crate) async fn transact_get(
        &self,
        items: Vec<(String, RawItem)>,
    ) -> Result<Vec<Option<RawItem>>, TransactRefusal> {
        match self {
            Backend::DynamoDb(client) => Box::pin(dynamo::transact_get(client, items)).await,
            Backend::Memory(memory) => memory.transact_get(items),
        }
    }

    /// Sends one BatchWriteItem request (at most 25 writes) to one table; returns the writes left unprocessed.
    pub(crate) async fn batch_write(&self, table: &str, ops: Vec<BatchOp>) -> Result<Vec<BatchOp>, Failure> {
        match self {
            Backend::DynamoDb(client) => Box::pin(dynamo::batch_write(client, table, ops)).await,
            Backend::Memory(memory) => memory.batch_write(table, ops).map(|()| Vec::new()),
        }
    }

    /// Sends one BatchGetItem request (at most 100 keys, strongly consistent) to one table; returns the items
    /// found, in no particular order, and the keys left unprocessed.
    pub(crate) async fn batch_get(
        &self,
        table: &str,
        keys: Vec<RawItem>,
    ) -> Result<(Vec<RawItem>, Vec<RawItem>), Failure> {
        match self {
            Backend::DynamoDb(client) => Box::pin(dynamo::batch_get(client, table, keys)).await,
            Backend::Memory(memory) => memory.batch_get(table, keys).map(|found| (found, Vec::new())),
        }
    }

    /// Creates a table with this key schema unless it exists, and enables TTL on the `ttl` attribute unless it is
    /// enabled on it.
    pub(crate) async fn create_table(&self, table: &str, key: KeySchema, ttl: Option<&str>) -> Result<(), Failure> {
        match self {
            Backend::DynamoDb(client) => Box::pin(dynamo::create_table(client, table, key, TABLE_PATIENCE)).await?,
            Backend::Memory(memory) => memory.create_table(table, key)?,
        }
        let Some(attribute) = ttl else { return Ok(()) };
        if self.time_to_live(table).await?.as_deref() == Some(attribute) {
            return Ok(());
        }
        match self.enable_time_to_live(table, attribute).await {
            // Another process creating the table at the same time may have enabled it first.
            Err(_) if self.time_to_live(table).await?.as_deref() == Some(attribute) => Ok(()),
            // TTL on another attribute (DynamoDB: "TimeToLive is active on a different AttributeName") is the
            // table's owner's to change.
            other => other,
        }
    }

    /// The attribute TTL is enabled on, if it is (DescribeTimeToLive).
    pub(crate) async fn time_to_live(&self, table: &str) -> Result<Option<String>, Failure> {
        match self {
            Backend::DynamoDb(client) => Box::pin(dynamo::time_to_live(client, table)).await,
            Backend::Memory(memory) => memory.time_to_live(table),
        }
    }

    /// Enables TTL on an attribute (UpdateTimeToLive).
    async fn enable_time_to_live(&self, table: &str, attribute: &str) -> Result<(), Failure> {
        match self {
            Backend::DynamoDb(client) => Box::pin(dynamo::enable_time_to_live(client, table, attribute)).await,
            Backend::Memory(memory) => memory.enable_time_to_live(table, attribute),
        }
    }
}
