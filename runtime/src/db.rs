//! The connection a table handle uses: DynamoDB through aws-sdk-dynamodb, or the embedded in-memory backend.

use std::sync::Arc;

use crate::backend::{Backend, Service};
use crate::backoff::Backoff;
use crate::capacity::Counting;
use crate::faults::{Faults, Injector, Resends};
use crate::hot_keys::{Detector, HotKeys};
use crate::memory::Memory;
use crate::telemetry::Values;

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
        Db { backend: Backend::new(Service::DynamoDb(client)), backoff: Backoff::default() }
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
        Db { backend: Backend::new(Service::Memory(Arc::new(Memory::new()))), backoff: Backoff::default() }
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
        match &self.backend.service {
            Service::DynamoDb(client) => Some(client),
            Service::Memory(_) => None,
        }
    }

    /// The in-memory database of [`Db::memory`], with `faults` injected into its requests: throttled or failed
    /// before they are applied, answers lost after, delays. What aws-sdk-dynamodb would resend is resent as it
    /// would ([`Db::with_resends`]), so that code under test meets the errors and the double writes it meets on
    /// DynamoDB. For tests; the same faults against DynamoDB come from a proxy in front of it.
    ///
    /// ```
    /// # #[derive(dynatomic::Item, Debug)]
    /// # struct Page { #[dynatomic(partition_key)] path: String, hits: u64 }
    /// # async fn demo() -> Result<(), dynatomic::Error<Page>> {
    /// use dynatomic::{Db, Fault, Faults, Resends};
    /// let resends = Resends { initial_backoff: std::time::Duration::from_millis(1), ..Resends::default() };
    /// let db = Db::memory_with_faults(Faults::script([None, Some(Fault::LoseResponse)])).with_resends(resends);
    /// let pages = db.table::<Page>();
    /// pages.create_table().await?;
    /// pages.put(&Page { path: "/".into(), hits: 0 }).await?; // the first request: no fault
    /// // The second is applied, its answer lost, and it is resent: applied twice, answered once.
    /// pages.update(Page::key("/"), dynatomic::update!(Page: hits += 1)).await?;
    /// assert_eq!(pages.get(Page::key("/")).await?.map(|page| page.hits), Some(2));
    /// # Ok(()) }
    /// # tokio::runtime::Builder::new_current_thread().enable_time().build().unwrap().block_on(demo()).unwrap();
    /// ```
    pub fn memory_with_faults(faults: Faults) -> Self {
        let mut db = Db::memory();
        db.backend.faults = Some(Injector::new(faults));
        db
    }

    /// Another handle on the same in-memory tables whose requests meet `faults` (this handle's do not): to
    /// throttle one client, such as a lock holder's renewals, while another runs. `None` on DynamoDB, where faults
    /// come from a proxy in front of it.
    ///
    /// ```
    /// use dynatomic::{Db, Fault, Faults};
    /// let db = Db::memory();
    /// let throttled = db.with_faults(Faults::seeded(1).on("UpdateItem", Fault::Throttle, 1.0)).expect("in memory");
    /// # drop(throttled);
    /// ```
    pub fn with_faults(&self, faults: Faults) -> Option<Db> {
        let Service::Memory(_) = &self.backend.service else { return None };
        let mut db = self.clone();
        db.backend.faults = Some(Injector::new(faults));
        Some(db)
    }

    /// Resends requests that were throttled, failed on the server or got no answer as `resends` says, before
    /// their failure reaches dynatomic (by default [`Resends::default`]: aws-sdk-dynamodb's 3 attempts). On
    /// DynamoDB this configures aws-sdk-dynamodb's standard retry mode on the client; on
    /// [`Db::memory_with_faults`] dynatomic resends the same way.
    ///
    /// Two layers of retries, each set here, on the database: these resends of one request (the SDK's), and
    /// [`with_backoff`](Self::with_backoff): dynatomic's own retries of conflicts ([`Db::retry`],
    /// [`Table::modify`](crate::Table::modify), checked batches) and resends of what a batch left unprocessed.
    ///
    /// ```
    /// let db = dynatomic::Db::memory().with_resends(dynatomic::Resends { max_attempts: 5, ..Default::default() });
    /// # drop(db);
    /// ```
    pub fn with_resends(mut self, resends: Resends) -> Self {
        self.backend.resends = resends;
        if let Service::DynamoDb(client) = &self.backend.service {
            let retry = aws_sdk_dynamodb::config::retry::RetryConfig::standard()
                .with_max_attempts(resends.max_attempts)
                .with_initial_backoff(resends.initial_backoff)
                .with_max_backoff(resends.max_backoff);
            let config = client.config().to_builder().retry_config(retry).build();
            self.backend.service = Service::DynamoDb(aws_sdk_dynamodb::Client::from_conf(config));
        }
        self
    }

    /// Asks every request for its consumed capacity (ReturnConsumedCapacity `INDEXES`) and records it on the
    /// request's span (`dynatomic.read_units`, `dynatomic.write_units`) and, with the `metrics` feature, in the
    /// `dynatomic_consumed_read_units` and `dynatomic_consumed_write_units` histograms. On
    /// [`Db::memory`] the units are counted with DynamoDB's rules ([`Capacity`](crate::Capacity)). For the
    /// capacity of one operation, see [`Capacity::of`](crate::Capacity::of), which needs no setting.
    ///
    /// ```
    /// let db = dynatomic::Db::memory().with_consumed_capacity();
    /// # drop(db);
    /// ```
    pub fn with_consumed_capacity(mut self) -> Self {
        self.backend.observe.capacity = Counting::Yes;
        self
    }

    /// Lets values appear in dynatomic's events: a failed condition's event then reads
    /// `stock >= qty (stock = 3, qty = 5)` instead of `stock >= qty`, and a hot key's event names the key instead
    /// of a fingerprint of it. By default no value (of an item, a key or a condition) appears in any span or
    /// event, as they may be personal data.
    ///
    /// ```
    /// let db = dynatomic::Db::memory().with_values_in_telemetry();
    /// # drop(db);
    /// ```
    pub fn with_values_in_telemetry(mut self) -> Self {
        self.backend.observe.values = Values::Shown;
        self
    }

    /// Counts the writes to each partition key over a sliding window and emits one `warn` event (target
    /// `dynatomic`) when a key passes the threshold of `hot_keys`; the warning is given again once the key has
    /// cooled to half the threshold. The key is shown as a fingerprint unless
    /// [`with_values_in_telemetry`](Self::with_values_in_telemetry) is set. Single writes, transactions' actions
    /// and batch writes count; reads do not.
    ///
    /// ```
    /// let db = dynatomic::Db::memory().with_hot_key_warnings(dynatomic::HotKeys::default());
    /// # drop(db);
    /// ```
    pub fn with_hot_key_warnings(mut self, hot_keys: HotKeys) -> Self {
        self.backend.observe.hot_keys = Some(Arc::new(Detector::new(hot_keys)));
        self
    }
}
