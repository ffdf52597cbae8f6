//! What dynatomic reports, on both backends: one span per request with OpenTelemetry's database fields, events
//! for failed conditions, canceled transactions, retried conflicts and hot keys, lock spans around their
//! requests, the `metrics` counters and histograms, and no value in any span or event unless the database opts
//! in (at `debug` and above, from every target: aws-sdk-dynamodb logs whole responses at `trace`). Each test
//! captures with its own subscriber and recorder, set for its thread only.

mod common;

use std::collections::BTreeMap;
use std::future::IntoFuture;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use common::{Backend, Doc, Fixture, Product};
use dynatomic::{Backoff, Db, Error, HotKeys, Table, TransactionError, update};
use metrics_util::debugging::{DebugValue, DebuggingRecorder, Snapshotter};
use tracing::field::{Field, Visit};
use tracing::span::{Attributes, Id, Record};
use tracing::{Event, Level, Subscriber};
use tracing_subscriber::layer::{Context, SubscriberExt};
use tracing_subscriber::registry::LookupSpan;

on_both_backends!(
    an_update_is_one_span_with_the_database_conventions,
    a_failed_condition_is_a_debug_event_without_values,
    values_appear_only_when_the_database_opts_in,
    a_retried_conflict_is_an_event_and_a_counter,
    a_canceled_transaction_says_why,
    each_batch_chunk_is_a_request,
    lock_requests_run_in_the_span_of_their_phase,
    a_hot_key_is_warned_once,
);

/// A distinctive value that must not appear in any span or event unless values are opted in.
const SECRET: &str = "zebra-4711-secret";

async fn an_update_is_one_span_with_the_database_conventions(backend: Backend) {
    let (capture, fx) = setup(backend, "telemetry_update", Db::with_consumed_capacity).await;
    fx.table.put(&Product::sample("a")).await.expect("put");
    capture.clear();
    let qty = 2;
    let op = update!(Product: stock -= qty; where stock >= qty);
    let (update_text, condition_text) = (op.update_expression(), op.condition_expression().expect("a condition"));
    fx.table.update(Product::key("a"), op).await.expect("update");

    let spans = capture.spans("dynamodb");
    assert_eq!(spans.len(), 1, "one request, one span: {spans:?}");
    let span = &spans[0].fields;
    assert_eq!(span["db.system.name"], "aws.dynamodb");
    assert_eq!(span["db.operation.name"], "UpdateItem");
    assert_eq!(span["aws.dynamodb.table_names"], fx.table.name());
    assert_eq!(span["otel.name"], format!("UpdateItem {}", fx.table.name()));
    let query = &span["db.query.text"];
    assert!(query.starts_with(&format!("UpdateExpression: {update_text}; ConditionExpression: ")), "{query}");
    assert!(query.contains(condition_text), "{query}");
    assert_eq!(span["dynatomic.outcome"], "ok");
    assert_eq!(span["dynatomic.write_units"], "1.0");
    assert_eq!(span["dynatomic.read_units"], "0.0");
    match backend {
        Backend::DynamoDbLocal => {
            assert_eq!(span["dynatomic.backend"], "dynamodb");
            assert!(!span["aws.request_id"].is_empty(), "DynamoDB answers with a request id");
        }
        Backend::Memory => {
            assert_eq!(span["dynatomic.backend"], "memory");
            assert!(!span.contains_key("aws.request_id"));
        }
    }
    let table = fx.table.name();
    assert_eq!(capture.counter("dynatomic_operations_total", &[table, "UpdateItem", "ok"]), 1);
    assert_eq!(capture.histogram("dynatomic_operation_duration_seconds", &[table, "UpdateItem"]).len(), 1);
    assert_eq!(capture.histogram("dynatomic_consumed_write_units", &[table, "UpdateItem"]), [1.0]);
    assert_eq!(capture.histogram("dynatomic_consumed_read_units", &[table, "UpdateItem"]), [0.0]);
}

async fn a_failed_condition_is_a_debug_event_without_values(backend: Backend) {
    let (capture, fx) = setup(backend, "telemetry_condition", |db| db).await;
    fx.table.put(&Product { note: Some(SECRET.to_owned()), ..Product::sample("a") }).await.expect("put");
    capture.clear();
    let wanted = "other-8812-value".to_owned();
    let result = fx.table.update(Product::key("a"), update!(Product: stock = 1; where note == wanted)).await;
    assert!(matches!(result, Err(Error::ConditionFailed { .. })), "{result:?}");

    let spans = capture.spans("dynamodb");
    assert_eq!(spans.len(), 1);
    assert_eq!(spans[0].fields["dynatomic.outcome"], "condition_failed");
    assert!(!spans[0].fields.contains_key("dynatomic.write_units"), "no capacity unless asked");
    let events = capture.events("condition failed");
    assert_eq!(events.len(), 1, "{events:?}");
    assert_eq!(events[0].level, Level::DEBUG);
    assert_eq!(events[0].fields["explanation"], "note == wanted", "the clause as written, no values");
    assert_eq!(events[0].parent, Some(spans[0].id), "the event is in the request's span");
    capture.assert_never_shows(&[SECRET, "other-8812-value"]);
    assert_eq!(capture.counter("dynatomic_operations_total", &[fx.table.name(), "UpdateItem", "condition_failed"]), 1);
}

async fn values_appear_only_when_the_database_opts_in(backend: Backend) {
    let (capture, fx) = setup(backend, "telemetry_values", Db::with_values_in_telemetry).await;
    fx.table.put(&Product { note: Some(SECRET.to_owned()), ..Product::sample("a") }).await.expect("put");
    let wanted = "other".to_owned();
    let result = fx.table.update(Product::key("a"), update!(Product: stock = 1; where note == wanted)).await;
    assert!(matches!(result, Err(Error::ConditionFailed { .. })), "{result:?}");
    let events = capture.events("condition failed");
    assert_eq!(events[0].fields["explanation"], format!("note == wanted (note = \"{SECRET}\", wanted = \"other\")"));
}

async fn a_retried_conflict_is_an_event_and_a_counter(backend: Backend) {
    let (capture, fx) = setup::<Doc>(backend, "telemetry_conflict", |db| db).await;
    fx.table.put(&Doc::new("a", "first", 0)).await.expect("put");
    capture.clear();
    let mut attempt = 0;
    let retried = fx
        .db
        .retry(|| {
            attempt += 1;
            // The first attempt expects a version the item is not at: a conflict.
            let version = if attempt == 1 { 7 } else { 1 };
            fx.table.update(Doc::key("a").at_version(version), update!(Doc: text = "second")).into_future()
        })
        .await
        .expect("the second attempt succeeds");
    assert_eq!(retried.conflicts, 1);
    let outcomes: Vec<String> =
        capture.spans("dynamodb").iter().map(|s| s.fields["dynatomic.outcome"].clone()).collect();
    assert_eq!(outcomes, ["version_conflict", "ok"]);
    let events = capture.events("conflict, retrying");
    assert_eq!(events.len(), 1);
    assert_eq!((events[0].level, events[0].fields["operation"].as_str()), (Level::DEBUG, "retry"));
    assert_eq!(capture.counter("dynatomic_conflicts_retried_total", &["retry"]), 1);
    let table = fx.table.name();
    assert_eq!(capture.counter("dynatomic_operations_total", &[table, "UpdateItem", "version_conflict"]), 1);

    // Giving up is a warning.
    let db =
        fx.db.clone().with_backoff(Backoff { max_attempts: 2, base: Duration::from_millis(1), ..Backoff::default() });
    let stale = || fx.table.update(Doc::key("a").at_version(7), update!(Doc: text = "stale")).into_future();
    let result = db.retry(stale).await;
    assert!(matches!(result, Err(Error::VersionConflict { .. })), "{result:?}");
    let gave_up = capture.events("gave up retrying conflicts: the backoff allows no more attempts");
    assert_eq!(gave_up.len(), 1);
    assert_eq!((gave_up[0].level, gave_up[0].fields["conflicts"].as_str()), (Level::WARN, "2"));
}

async fn a_canceled_transaction_says_why(backend: Backend) {
    let (capture, fx) = setup(backend, "telemetry_transaction", |db| db).await;
    fx.table.put(&Product::sample("a")).await.expect("put");
    fx.table.put(&Product::sample("b")).await.expect("put");
    capture.clear();
    let result = fx
        .db
        .transaction()
        .update(&fx.table, Product::key("a"), update!(Product: stock += 1))
        .update(&fx.table, Product::key("b"), update!(Product: stock -= 100; where stock >= 100))
        .commit()
        .await;
    assert!(matches!(result, Err(TransactionError::Canceled(_))), "{result:?}");
    let spans = capture.spans("dynamodb");
    assert_eq!(spans.len(), 1);
    assert_eq!(spans[0].fields["db.operation.name"], "TransactWriteItems");
    assert_eq!(spans[0].fields["dynatomic.outcome"], "canceled");
    let query = &spans[0].fields["db.query.text"];
    assert!(query.starts_with(&format!("Update {}: UpdateExpression: ", fx.table.name())), "{query}");
    assert_eq!(query.matches(" | ").count(), 1, "two actions: {query}");
    let canceled = capture.events("transaction canceled");
    assert_eq!(canceled[0].fields["reasons"], "None, ConditionalCheckFailed");
    assert_eq!(capture.events("condition failed")[0].fields["explanation"], "stock >= 100");
    let table = fx.table.name();
    assert_eq!(capture.counter("dynatomic_operations_total", &[table, "TransactWriteItems", "canceled"]), 1);
    capture.assert_never_shows(&["\"10\"", "stock = 10"]);
}

async fn each_batch_chunk_is_a_request(backend: Backend) {
    let (capture, fx) = setup(backend, "telemetry_batch", Db::with_consumed_capacity).await;
    let items: Vec<Product> = (0..30).map(|i| Product::sample(&format!("p{i}"))).collect();
    fx.table.batch_put(&items).await.expect("batch put");
    let spans = capture.spans("dynamodb");
    assert_eq!(spans.len(), 2, "25 writes per BatchWriteItem");
    assert!(
        spans
            .iter()
            .all(|s| s.fields["db.operation.name"] == "BatchWriteItem" && s.fields["dynatomic.outcome"] == "ok")
    );
    let units: Vec<&str> = spans.iter().map(|s| s.fields["dynatomic.write_units"].as_str()).collect();
    assert_eq!(units, ["25.0", "5.0"], "one unit per item under 1 KB");
    assert_eq!(capture.counter("dynatomic_operations_total", &[fx.table.name(), "BatchWriteItem", "ok"]), 2);
}

async fn lock_requests_run_in_the_span_of_their_phase(backend: Backend) {
    let (capture, fx) = setup(backend, "telemetry_lock", |db| db).await;
    fx.table.put(&Product::sample("a")).await.expect("put");
    capture.clear();
    let mut locked = fx.table.lock(Product::key("a"), "restock").without_renewal().await.expect("lock");
    locked.stock += 5;
    locked.commit().await.expect("commit");
    let phases = capture.spans("dynatomic.lock");
    let names: Vec<(&str, &str, &str)> = phases
        .iter()
        .map(|s| {
            let f = &s.fields;
            (f["dynatomic.lock.phase"].as_str(), f["dynatomic.lock.action"].as_str(), f["dynatomic.outcome"].as_str())
        })
        .collect();
    assert_eq!(names, [("acquire", "restock", "ok"), ("commit", "restock", "ok")]);
    let requests = capture.spans("dynamodb");
    for phase in &phases {
        assert!(requests.iter().any(|r| r.parent == Some(phase.id)), "{phase:?} holds its requests: {requests:?}");
    }
    let commit = requests.iter().find(|r| r.parent == Some(phases[1].id)).expect("the commit's request");
    assert_eq!(commit.fields["db.operation.name"], "UpdateItem");
}

async fn a_hot_key_is_warned_once(backend: Backend) {
    let hot = HotKeys { threshold: 5, window: Duration::from_secs(60) };
    let (capture, fx) = setup(backend, "telemetry_hot", |db| db.with_hot_key_warnings(hot)).await;
    fx.table.put(&Product::sample(SECRET)).await.expect("put");
    for _ in 0..9 {
        fx.table.update(Product::key(SECRET), update!(Product: hits += 1)).await.expect("update");
    }
    fx.table.put(&Product::sample("cold")).await.expect("put");
    let warnings =
        capture.events("hot partition key: DynamoDB throttles a partition at about 1,000 write units a second");
    assert_eq!(warnings.len(), 1, "one warning while the key stays hot");
    let warning = &warnings[0].fields;
    assert_eq!((warning["table"].as_str(), warning["writes"].as_str()), (fx.table.name(), "5"));
    assert!(warning["key"].starts_with('#'), "a fingerprint: {}", warning["key"]);
    capture.assert_never_shows(&[SECRET]);
}

#[tokio::test]
async fn service_errors_keep_the_sdk_error() {
    let db = common::connect().await;
    let missing = db.table_named::<Product>("dynatomic_tests_no_such_table");
    let Err(Error::Service(error)) = missing.get(Product::key("a")).await else { panic!("the table is missing") };
    assert_eq!(error.code(), Some("ResourceNotFoundException"));
    assert!(error.request_id().is_some());
    type GetItemError = dynatomic::aws_sdk_dynamodb::error::SdkError<
        dynatomic::aws_sdk_dynamodb::operation::get_item::GetItemError,
        dynatomic::aws_sdk_dynamodb::config::http::HttpResponse,
    >;
    let source = std::error::Error::source(&error).expect("the SDK's error");
    let sdk = source.downcast_ref::<GetItemError>().expect("an SdkError of GetItem");
    assert!(sdk.as_service_error().is_some_and(|e| e.is_resource_not_found_exception()));
}

/// A table on a fresh backend, reached through a database with `settings`, and a capture of what it reports.
async fn setup<T: dynatomic::Item + std::fmt::Debug>(
    backend: Backend,
    test: &str,
    settings: impl FnOnce(Db) -> Db,
) -> (Capture, Fixture<T>) {
    let fx = Fixture::<T>::new(backend, test).await;
    let db = settings(fx.db.clone());
    let table: Table<T> = db.table_named(fx.table.name());
    (Capture::start(), Fixture { backend, db, table })
}

/// A span as it ended: its fields (recorded at its start or later) and its parent.
#[derive(Debug, Clone)]
struct SpanRecord {
    id: u64,
    name: &'static str,
    parent: Option<u64>,
    fields: BTreeMap<String, String>,
}

/// An event: its level, fields (its message under `message`) and the span it happened in.
#[derive(Debug, Clone)]
struct EventRecord {
    level: Level,
    parent: Option<u64>,
    fields: BTreeMap<String, String>,
}

#[derive(Default)]
struct Records {
    spans: Vec<SpanRecord>,
    events: Vec<EventRecord>,
    next: u64,
}

/// Every value recorded, by metric name and label values: a counter's increments, a histogram's values.
type Seen = BTreeMap<(String, Vec<String>), Vec<f64>>;

/// What this test's thread reported: a tracing subscriber and a metrics recorder, both for this thread only.
struct Capture {
    records: Arc<Mutex<Records>>,
    snapshotter: Snapshotter,
    metrics: Mutex<Seen>,
    _tracing: tracing::subscriber::DefaultGuard,
    _metrics: metrics::LocalRecorderGuard<'static>,
}

impl Capture {
    fn start() -> Self {
        let records = Arc::new(Mutex::new(Records::default()));
        let subscriber = tracing_subscriber::registry().with(Layer(records.clone()));
        let recorder: &'static DebuggingRecorder = Box::leak(Box::new(DebuggingRecorder::new()));
        Capture {
            records,
            snapshotter: recorder.snapshotter(),
            metrics: Mutex::default(),
            _tracing: tracing::subscriber::set_default(subscriber),
            _metrics: metrics::set_default_local_recorder(recorder),
        }
    }

    /// Forgets the spans and events so far (metrics are per table, so they need no clearing).
    fn clear(&self) {
        let mut records = self.records.lock().expect("records");
        records.spans.clear();
        records.events.clear();
    }

    fn spans(&self, name: &str) -> Vec<SpanRecord> {
        self.records.lock().expect("records").spans.iter().filter(|s| s.name == name).cloned().collect()
    }

    fn events(&self, message: &str) -> Vec<EventRecord> {
        let records = self.records.lock().expect("records");
        records.events.iter().filter(|e| e.fields.get("message").is_some_and(|m| m == message)).cloned().collect()
    }

    /// Fails when any field of any span or event contains one of `values`.
    fn assert_never_shows(&self, values: &[&str]) {
        let records = self.records.lock().expect("records");
        let fields = records.spans.iter().map(|s| &s.fields).chain(records.events.iter().map(|e| &e.fields));
        for (name, text) in fields.flatten() {
            for value in values {
                assert!(!text.contains(value), "field `{name}` shows {value:?}: {text}");
            }
        }
    }

    /// A counter's value, by its labels' values in the order the README names them.
    fn counter(&self, name: &str, labels: &[&str]) -> u64 {
        match self.metric(name, labels) {
            Some(DebugValue::Counter(value)) => value,
            None => 0,
            Some(other) => panic!("{name} is not a counter: {other:?}"),
        }
    }

    /// A histogram's recorded values.
    fn histogram(&self, name: &str, labels: &[&str]) -> Vec<f64> {
        match self.metric(name, labels) {
            Some(DebugValue::Histogram(values)) => values.into_iter().map(|v| v.into_inner()).collect(),
            None => Vec::new(),
            Some(other) => panic!("{name} is not a histogram: {other:?}"),
        }
    }

    /// A metric's values so far. A snapshot of the recorder takes the values recorded since the last one, so
    /// each snapshot is added to what the capture has seen.
    fn metric(&self, name: &str, labels: &[&str]) -> Option<DebugValue> {
        let mut seen = self.metrics.lock().expect("metrics");
        for (key, _, _, value) in self.snapshotter.snapshot().into_vec() {
            let key = key.key();
            let labels = key.labels().map(|label| label.value().to_owned()).collect();
            match (seen.entry((key.name().to_owned(), labels)).or_default(), value) {
                (values, DebugValue::Counter(n)) => values.push(n as f64),
                (values, DebugValue::Histogram(recorded)) => {
                    values.extend(recorded.into_iter().map(|v| v.into_inner()))
                }
                (_, DebugValue::Gauge(_)) => panic!("dynatomic records no gauge"),
            }
        }
        let labels: Vec<String> = labels.iter().map(|label| (*label).to_owned()).collect();
        let values = seen.get(&(name.to_owned(), labels))?.clone();
        Some(match name.ends_with("_total") {
            true => DebugValue::Counter(values.iter().sum::<f64>() as u64),
            false => DebugValue::Histogram(values.into_iter().map(Into::into).collect()),
        })
    }
}

/// The layer that records spans and events into a capture.
struct Layer(Arc<Mutex<Records>>);

impl<S: Subscriber + for<'a> LookupSpan<'a>> tracing_subscriber::Layer<S> for Layer {
    fn on_new_span(&self, attrs: &Attributes<'_>, id: &Id, ctx: Context<'_, S>) {
        if *attrs.metadata().level() == Level::TRACE {
            return;
        }
        let mut fields = Fields::default();
        attrs.record(&mut fields);
        let mut records = self.0.lock().expect("records");
        records.next += 1;
        let key = records.next;
        // Span ids are reused once a span closes: the record's own key goes into the span's extensions.
        let parent = ctx.span(id).and_then(|span| span.parent()).and_then(|p| p.extensions().get::<u64>().copied());
        if let Some(span) = ctx.span(id) {
            span.extensions_mut().insert(key);
        }
        records.spans.push(SpanRecord { id: key, name: attrs.metadata().name(), parent, fields: fields.0 });
    }

    fn on_record(&self, id: &Id, values: &Record<'_>, ctx: Context<'_, S>) {
        let Some(key) = ctx.span(id).and_then(|span| span.extensions().get::<u64>().copied()) else { return };
        let mut fields = Fields::default();
        values.record(&mut fields);
        let mut records = self.0.lock().expect("records");
        if let Some(span) = records.spans.iter_mut().find(|s| s.id == key) {
            span.fields.extend(fields.0);
        }
    }

    fn on_event(&self, event: &Event<'_>, ctx: Context<'_, S>) {
        if *event.metadata().level() == Level::TRACE {
            return;
        }
        let mut fields = Fields::default();
        event.record(&mut fields);
        let parent = ctx.event_span(event).and_then(|span| span.extensions().get::<u64>().copied());
        let level = *event.metadata().level();
        self.0.lock().expect("records").events.push(EventRecord { level, parent, fields: fields.0 });
    }
}

/// Field values as text: strings as they are, numbers and the rest as `Debug` prints them.
#[derive(Default)]
struct Fields(BTreeMap<String, String>);

impl Visit for Fields {
    fn record_str(&mut self, field: &Field, value: &str) {
        self.0.insert(field.name().to_owned(), value.to_owned());
    }

    fn record_debug(&mut self, field: &Field, value: &dyn std::fmt::Debug) {
        self.0.insert(field.name().to_owned(), format!("{value:?}"));
    }
}
