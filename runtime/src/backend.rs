//! The backends a [`Db`](crate::Db) sends requests to: DynamoDB through aws-sdk-dynamodb, or the embedded
//! in-memory backend. Each request kind has its own answer, so that an answer a request cannot have cannot be
//! given. Each request runs in the span of its [`Call`], which the backend tells the request id, the consumed
//! capacity and the raw outcome.
//!
//! aws-sdk-dynamodb's futures are large (kilobytes): each is boxed here, so that the futures of dynatomic's
//! operations stay small on both backends and are cheap to move.

use std::sync::Arc;

use tracing::Instrument;

use crate::dynamo;
use crate::faults::{self, Injector, Resends};
use crate::memory::Memory;
use crate::request::{BatchOp, Failure, RawItem, TransactRefusal, TransactWrite, Write, WriteRefusal};
use crate::schema::KeySchema;
use crate::telemetry::{Call, Observe, Operation};

/// Where the requests go, what the database reports about them, and on the memory backend, the faults it
/// injects and how it resends what they fail.
#[derive(Clone, Debug)]
pub(crate) struct Backend {
    pub(crate) service: Service,
    pub(crate) observe: Observe,
    pub(crate) faults: Option<Arc<Injector>>,
    pub(crate) resends: Resends,
}

/// The service that answers the requests.
#[derive(Clone, Debug)]
pub(crate) enum Service {
    DynamoDb(aws_sdk_dynamodb::Client),
    Memory(Arc<Memory>),
}

/// Runs a request on the memory backend: at once, or, when the backend has faults, with them and the resends
/// that meet them (boxed, so that the futures of requests without faults stay small).
macro_rules! on_memory {
    ($backend:expr, $call:expr, $request:expr, $attempt:expr) => {
        match $backend.faults.as_deref() {
            None => $call.counted(|tally| ($attempt)($request, tally)),
            Some(faults) => Box::pin(faults::run(faults, $backend.resends, $call, $request, $attempt)).await,
        }
    };
}

/// How long `create_table` waits for a DynamoDB table to become active.
const TABLE_PATIENCE: std::time::Duration = std::time::Duration::from_secs(120);

impl Backend {
    /// A backend on this service that reports nothing beyond its spans.
    pub(crate) fn new(service: Service) -> Self {
        Backend { service, observe: Observe::default(), faults: None, resends: Resends::default() }
    }

    /// The backend's name in spans: `dynamodb` or `memory`.
    pub(crate) fn name(&self) -> &'static str {
        match self.service {
            Service::DynamoDb(_) => "dynamodb",
            Service::Memory(_) => "memory",
        }
    }

    /// The observation of one write.
    pub(crate) fn write_call(&self, write: &Write) -> Call {
        Call::write(&self.observe, self.name(), write)
    }

    /// Runs one write, whose span records the backend's answer as its outcome. A refused condition hands back
    /// the request's placeholder maps.
    pub(crate) async fn write(&self, write: Write) -> Result<Option<RawItem>, WriteRefusal> {
        let mut call = self.write_call(&write);
        self.write_with(write, &mut call).await
    }

    /// Runs one write, observed by `call`, whose outcome the caller may then tell more precisely.
    pub(crate) async fn write_with(&self, write: Write, call: &mut Call) -> Result<Option<RawItem>, WriteRefusal> {
        let result = match &self.service {
            Service::DynamoDb(client) => {
                let span = call.span();
                Box::pin(dynamo::write(client, write, call)).instrument(span).await
            }
            Service::Memory(memory) => on_memory!(self, call, write, |write, tally| memory.write(write, tally)),
        };
        call.settle(&result);
        result
    }

    /// Reads one item by key (strongly consistent).
    pub(crate) async fn get(&self, table: &str, key: RawItem) -> Result<Option<RawItem>, Failure> {
        let mut call = Call::get(&self.observe, self.name(), table);
        let result = match &self.service {
            Service::DynamoDb(client) => {
                let span = call.span();
                Box::pin(dynamo::get(client, table.to_owned(), key, &mut call)).instrument(span).await
            }
            Service::Memory(memory) => on_memory!(self, &mut call, (), |(), tally| memory.get(table, &key, tally)),
        };
        call.settle(&result);
        result
    }

    /// The observation of one TransactWriteItems request.
    pub(crate) fn transact_call(&self, request: &TransactWrite) -> Call {
        Call::transact_write(&self.observe, self.name(), request)
    }

    /// Runs a TransactWriteItems request, observed by `call`: every action or none.
    pub(crate) async fn transact_write(&self, request: TransactWrite, call: &mut Call) -> Result<(), TransactRefusal> {
        let result = match &self.service {
            Service::DynamoDb(client) => {
                let span = call.span();
                Box::pin(dynamo::transact_write(client, request, call)).instrument(span).await
            }
            Service::Memory(memory) => {
                on_memory!(self, call, request, |request, tally| memory.transact_write(request, tally))
            }
        };
        call.settle(&result);
        result
    }

    /// Reads items of any tables as one consistent snapshot (TransactGetItems), in request order.
    pub(crate) async fn transact_get(
        &self,
        items: Vec<(String, RawItem)>,
    ) -> Result<Vec<Option<RawItem>>, TransactRefusal> {
        let mut call = Call::transact_get(&self.observe, self.name(), items.iter().map(|(table, _)| table.as_str()));
        let result = match &self.service {
            Service::DynamoDb(client) => {
                let span = call.span();
                Box::pin(dynamo::transact_get(client, items, &mut call)).instrument(span).await
            }
            Service::Memory(memory) => {
                on_memory!(self, &mut call, items, |items, tally| memory.transact_get(items, tally))
            }
        };
        call.settle(&result);
        result
    }

    /// Sends one BatchWriteItem request (at most 25 writes) to one table; returns the writes left unprocessed.
    pub(crate) async fn batch_write(&self, table: &str, ops: Vec<BatchOp>) -> Result<Vec<BatchOp>, Failure> {
        let mut call = Call::batch(&self.observe, self.name(), Operation::BatchWriteItem, table);
        let result = match &self.service {
            Service::DynamoDb(client) => {
                let span = call.span();
                Box::pin(dynamo::batch_write(client, table, ops, &mut call)).instrument(span).await
            }
            Service::Memory(memory) => on_memory!(self, &mut call, ops, |ops, tally| memory
                .batch_write(table, ops, tally))
            .map(|()| Vec::new()),
        };
        call.settle(&result);
        result
    }

    /// Sends one BatchGetItem request (at most 100 keys, strongly consistent) to one table; returns the items
    /// found, in no particular order, and the keys left unprocessed.
    pub(crate) async fn batch_get(
        &self,
        table: &str,
        keys: Vec<RawItem>,
    ) -> Result<(Vec<RawItem>, Vec<RawItem>), Failure> {
        let mut call = Call::batch(&self.observe, self.name(), Operation::BatchGetItem, table);
        let result = match &self.service {
            Service::DynamoDb(client) => {
                let span = call.span();
                Box::pin(dynamo::batch_get(client, table, keys, &mut call)).instrument(span).await
            }
            Service::Memory(memory) => on_memory!(self, &mut call, keys, |keys, tally| memory
                .batch_get(table, keys, tally))
            .map(|found| (found, Vec::new())),
        };
        call.settle(&result);
        result
    }

    /// Creates a table with this key schema unless it exists, and enables TTL on the `ttl` attribute unless it is
    /// enabled on it.
    pub(crate) async fn create_table(&self, table: &str, key: KeySchema, ttl: Option<&str>) -> Result<(), Failure> {
        match &self.service {
            Service::DynamoDb(client) => Box::pin(dynamo::create_table(client, table, key, TABLE_PATIENCE)).await?,
            Service::Memory(memory) => memory.create_table(table, key)?,
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
        match &self.service {
            Service::DynamoDb(client) => Box::pin(dynamo::time_to_live(client, table)).await,
            Service::Memory(memory) => memory.time_to_live(table),
        }
    }

    /// Enables TTL on an attribute (UpdateTimeToLive).
    async fn enable_time_to_live(&self, table: &str, attribute: &str) -> Result<(), Failure> {
        match &self.service {
            Service::DynamoDb(client) => Box::pin(dynamo::enable_time_to_live(client, table, attribute)).await,
            Service::Memory(memory) => memory.enable_time_to_live(table, attribute),
        }
    }
}
