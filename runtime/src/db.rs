//! The connection a table handle uses: DynamoDB through aws-sdk-dynamodb, or the embedded in-memory backend.

use std::sync::Arc;

use crate::backend::Backend;
use crate::backoff::Backoff;
use crate::memory::Memory;

/// Where the tables live. Cheap to clone; every [`Table`](crate::Table) made from it shares its connection (or, for
/// [`Db::memory`], its in-memory tables).
///
/// ```no_run
/// # async fn demo() {
/// // DynamoDB with the default AWS configuration:
/// let db = dynatomic::Db::connect().await;
/// // DynamoDB Local:
/// let db = dynatomic::Db::connect_to("http://127.0.0.1:8000").await;
/// // The same API on tables in this process:
/// let db = dynatomic::Db::memory();
/// # }
/// ```
#[derive(Clone, Debug)]
pub struct Db {
    pub(crate) backend: Backend,
    pub(crate) backoff: Backoff,
}

impl Db {
    /// Uses an aws-sdk-dynamodb client as it is configured.
    pub fn from_client(client: aws_sdk_dynamodb::Client) -> Self {
        Db { backend: Backend::DynamoDb(client), backoff: Backoff::default() }
    }

    /// Connects to DynamoDB with the default AWS configuration: the region and credentials from the
    /// environment (`AWS_REGION`, `AWS_ACCESS_KEY_ID`, `AWS_SECRET_ACCESS_KEY`, `AWS_PROFILE`), the shared
    /// files (`~/.aws/config`, `~/.aws/credentials`), or the instance, task or pod role; the endpoint from
    /// `AWS_ENDPOINT_URL_DYNAMODB` when it is set.
    pub async fn connect() -> Self {
        let config = aws_config::defaults(aws_config::BehaviorVersion::latest()).load().await;
        Db::from_client(aws_sdk_dynamodb::Client::new(&config))
    }

    /// Connects to the DynamoDB at `endpoint`, such as DynamoDB Local's `http://127.0.0.1:8000`, with the
    /// default AWS configuration for the rest (see [`Db::connect`]). DynamoDB Local takes any credentials, but
    /// the SDK needs some and a region: `AWS_ACCESS_KEY_ID=local AWS_SECRET_ACCESS_KEY=local AWS_REGION=us-east-1`.
    pub async fn connect_to(endpoint: &str) -> Self {
        let config = aws_config::defaults(aws_config::BehaviorVersion::latest()).endpoint_url(endpoint).load().await;
        Db::from_client(aws_sdk_dynamodb::Client::new(&config))
    }

    /// A new, empty database in this process: no server, no network, no Java. It gives the answers DynamoDB
    /// gives (conditions, update rules, limits, error kinds and messages), so code written against
    /// DynamoDB can be tested or tried on it by changing this one line.
    ///
    /// As on DynamoDB, a table must be created before it is used
    /// ([`Table::create_table`](crate::Table::create_table)); otherwise every operation fails with
    /// [`Error::Service`](crate::Error::Service) of kind [`TableNotFound`](crate::ServiceErrorKind::TableNotFound). Clones share the tables;
    /// separate `Db::memory()` values do not. Each single-item write is atomic, also across threads.
    ///
    /// ```
    /// # #[derive(dynatomic::Item, Debug, PartialEq)]
    /// # struct Counter { #[dynatomic(partition_key)] id: String, hits: u64 }
    /// # async fn demo() -> Result<(), dynatomic::Error<Counter>> {
    /// let db = dynatomic::Db::memory();
    /// let counters = db.table::<Counter>();
    /// counters.create_table().await?;
    /// counters.upsert(Counter::key("home"), dynatomic::upsert!(Counter: hits += 1)).await?;
    /// assert_eq!(counters.get(Counter::key("home")).await?, Some(Counter { id: "home".into(), hits: 1 }));
    /// # Ok(()) }
    /// # tokio::runtime::Builder::new_current_thread().build().unwrap().block_on(demo()).unwrap();
    /// ```
    pub fn memory() -> Self {
        Db { backend: Backend::Memory(Arc::new(Memory::new())), backoff: Backoff::default() }
    }

    /// Uses `backoff` (by default [`Backoff::default`]) between the attempts dynatomic makes itself: resending
    /// what a batch leaves unprocessed, and retrying conflicts in [`Db::retry`], [`Table::modify`](crate::Table::modify)
    /// and checked batches. Throttled and failed requests are retried by aws-sdk-dynamodb itself, as its client
    /// is configured ([`Db::from_client`]).
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
}
