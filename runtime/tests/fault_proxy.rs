//! The fault-injecting proxy of `common::fault_proxy` against DynamoDB Local: it forwards untouched requests,
//! and its throttling, internal errors, lost answers and delays reach the caller as DynamoDB's would, after
//! aws-sdk-dynamodb's own retries. The lost answers measure how often a retried `hits += 1` is applied.

mod common;

use std::time::{Duration, Instant};

use common::fault_proxy::{Fault, FaultKind, FaultPlan, FaultProxy};
use common::unique_table_name;
use dynatomic::aws_sdk_dynamodb::config::retry::RetryConfig;
use dynatomic::aws_sdk_dynamodb::config::{BehaviorVersion, Builder, Credentials, Region};
use dynatomic::{Db, Error, Item, ServiceErrorKind, Table, upsert};

/// The attempts aws-sdk-dynamodb makes by default (standard retry mode).
const SDK_ATTEMPTS: u64 = 3;

/// A counter, the smallest item with something to update.
#[derive(Item, Debug, Clone, PartialEq)]
struct Counter {
    #[dynatomic(partition_key)]
    id: String,
    hits: u64,
}

/// `error` and its sources, one after the other.
fn causes(error: &(dyn std::error::Error + 'static)) -> String {
    let mut text = error.to_string();
    let mut source = error.source();
    while let Some(cause) = source {
        text.push_str(&format!(": {cause}"));
        source = cause.source();
    }
    text
}

/// DynamoDB Local's endpoint; fails the test when there is none.
fn local_endpoint() -> String {
    std::env::var("DYNAMODB_ENDPOINT").unwrap_or_else(|_| {
        panic!(
            "DYNAMODB_ENDPOINT is not set: this test needs DynamoDB Local. \
             Run it through scripts/with-dynamodb-local.sh."
        )
    })
}

/// A connection through `proxy` with the SDK's default attempts but 5 ms backoff instead of 1 s, so that a
/// test of retries stays fast.
fn fast_retrying_db(proxy: &FaultProxy) -> Db {
    let config = Builder::new()
        .endpoint_url(proxy.endpoint())
        .region(Region::new("us-east-1"))
        .credentials_provider(Credentials::new("local", "local", None, None, "fault_proxy tests"))
        .behavior_version(BehaviorVersion::latest())
        .retry_config(RetryConfig::standard().with_initial_backoff(Duration::from_millis(5)))
        .build();
    Db::from_client(dynatomic::aws_sdk_dynamodb::Client::from_conf(config))
}

/// A proxy in front of DynamoDB Local with `plan`, a fast-retrying connection through it, and a new table
/// created through it while the plan is off; the plan is on when this returns.
async fn setup(test: &str, plan: FaultPlan) -> (FaultProxy, Table<Counter>) {
    let proxy = FaultProxy::start(&local_endpoint(), plan).await;
    proxy.set_enabled(false);
    let table = fast_retrying_db(&proxy).table_named::<Counter>(unique_table_name(test));
    table.create_table().await.expect("creating the table through the proxy");
    proxy.set_enabled(true);
    (proxy, table)
}

#[tokio::test]
async fn without_faults_requests_pass_through() {
    let proxy = FaultProxy::start(&local_endpoint(), FaultPlan::none()).await;
    let db = Db::connect_to(&proxy.endpoint()).await;
    let table = db.table_named::<Counter>(unique_table_name("pass_through"));
    table.create_table().await.expect("create_table through the proxy");

    let counter = Counter { id: "a".into(), hits: 7 };
    table.put(&counter).await.expect("put through the proxy");
    assert_eq!(table.get(Counter::key("a")).await.expect("get through the proxy"), Some(counter));

    let stats = proxy.stats();
    assert_eq!(stats.total.injected_total(), 0, "{stats:?}");
    assert_eq!(stats.total.forwarded, stats.total.requests, "{stats:?}");
    assert_eq!(proxy.operation("PutItem").requests, 1);
    assert_eq!(proxy.operation("GetItem").requests, 1);
    assert_eq!(proxy.operation("CreateTable").requests, 1);
}

#[tokio::test]
async fn throttling_is_retried_by_the_sdk_then_reported() {
    let plan = FaultPlan::seeded(1).on("UpdateItem", Fault::Throttle, 1.0);
    let (proxy, table) = setup("throttle", plan).await;

    let result = table.upsert(Counter::key("a"), upsert!(Counter: hits += 1)).await;
    match result {
        Err(Error::Service(e)) => {
            assert!(e.is_throttling(), "expected throttling, got {e:?}");
            assert_eq!(e.code(), Some("ThrottlingException"));
            assert!(e.request_id().is_some_and(|id| id.starts_with("FAULTPROXY")), "{e:?}");
        }
        other => panic!("expected a throttling error, got {other:?}"),
    }
    let update = proxy.operation("UpdateItem");
    assert_eq!(update.requests, SDK_ATTEMPTS, "{update}");
    assert_eq!(update.injected(FaultKind::Throttle), SDK_ATTEMPTS, "{update}");
    assert_eq!(update.forwarded, 0, "{update}");

    proxy.set_enabled(false);
    assert_eq!(table.get(Counter::key("a")).await.expect("get"), None, "no throttled update was applied");
}

#[tokio::test]
async fn lost_answers_are_retried_and_each_attempt_is_applied() {
    let plan = FaultPlan::seeded(2).on("UpdateItem", Fault::LoseResponse, 1.0);
    let (proxy, table) = setup("lose_response", plan).await;

    let started = Instant::now();
    let result = table.upsert(Counter::key("a"), upsert!(Counter: hits += 1)).await;
    let elapsed = started.elapsed();
    match &result {
        Err(Error::Service(e)) => assert_eq!(e.kind(), ServiceErrorKind::Transport, "{e:?}"),
        other => panic!("expected a transport error, got {other:?}"),
    }

    proxy.set_enabled(false);
    let stored = table.get(Counter::key("a")).await.expect("get").expect("the upsert was applied");
    let update = proxy.operation("UpdateItem");
    println!(
        "one `hits += 1` whose answers were lost: the caller got {:?} after {elapsed:?}; the SDK sent it {} \
         times, DynamoDB applied it {} times (hits = {})",
        result.as_ref().err().map(|e| causes(e)),
        update.requests,
        update.forwarded,
        stored.hits,
    );
    assert_eq!(update.requests, SDK_ATTEMPTS, "{update}");
    assert_eq!(update.injected(FaultKind::LoseResponse), SDK_ATTEMPTS, "{update}");
    assert_eq!(stored.hits, update.requests, "every attempt was applied: an over-count of {}", stored.hits - 1);
}

#[tokio::test]
async fn internal_errors_are_retried_by_the_sdk_then_reported() {
    let plan = FaultPlan::seeded(3).always(Fault::InternalError, 1.0);
    let (proxy, table) = setup("internal_error", plan).await;

    match table.get(Counter::key("a")).await {
        Err(Error::Service(e)) => {
            assert_eq!(e.code(), Some("InternalServerError"), "{e:?}");
            assert_eq!(e.message(), "Internal server error");
        }
        other => panic!("expected an internal server error, got {other:?}"),
    }
    let get = proxy.operation("GetItem");
    assert_eq!(get.requests, SDK_ATTEMPTS, "{get}");
    assert_eq!(get.injected(FaultKind::InternalError), SDK_ATTEMPTS, "{get}");
}

#[tokio::test]
async fn delays_slow_requests_down() {
    let delay = Duration::from_millis(200);
    let plan = FaultPlan::seeded(4).on("GetItem", Fault::Delay(delay), 1.0);
    let (proxy, table) = setup("delay", plan).await;
    table.put(&Counter { id: "a".into(), hits: 1 }).await.expect("put (not delayed)");

    let started = Instant::now();
    let got = table.get(Counter::key("a")).await.expect("a delayed get");
    let elapsed = started.elapsed();
    assert_eq!(got, Some(Counter { id: "a".into(), hits: 1 }));
    assert!(elapsed >= delay, "the get took {elapsed:?}");
    assert_eq!(proxy.injected(FaultKind::Delay), 1);
    assert_eq!(proxy.operation("GetItem").forwarded, 1);
}

#[tokio::test]
async fn dropping_the_proxy_stops_it() {
    let (proxy, table) = setup("drop", FaultPlan::none()).await;
    let address = proxy.endpoint().trim_start_matches("http://").to_owned();
    drop(proxy);
    // The aborted task drops its listener the next time the runtime polls it.
    tokio::time::sleep(Duration::from_millis(20)).await;
    assert!(tokio::net::TcpStream::connect(&address).await.is_err(), "{address} still accepts connections");
    match table.get(Counter::key("a")).await {
        Err(Error::Service(e)) => assert_eq!(e.kind(), ServiceErrorKind::Transport, "{e:?}"),
        other => panic!("expected a transport error, got {other:?}"),
    }
}
