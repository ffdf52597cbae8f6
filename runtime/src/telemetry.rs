//! What dynatomic reports about its work, through the ecosystem's facades: a `tracing` span for each request
//! (OpenTelemetry's database conventions for DynamoDB), events for failed conditions, retried conflicts and
//! batch resends, and with the `metrics` feature, counters and histograms. Values stay out of every span and
//! event unless the database opts in ([`Db::with_values_in_telemetry`](crate::Db::with_values_in_telemetry)).
//!
//! Without a tracing subscriber, a request costs one check of the callsite's interest; without the `metrics`
//! feature, nothing more.

use std::fmt;
use std::sync::Arc;

use aws_sdk_dynamodb::types::ConsumedCapacity;
use tracing::field::Empty;

use crate::capacity::{Capacity, Counting, Tally, UnitKind};
use crate::explain::Explanation;
use crate::hot_keys::Detector;
use crate::request::{Action, Failure, TransactRefusal, TransactWrite, Write, WriteRefusal};

/// The target of every span and event of dynatomic.
pub(crate) const TARGET: &str = "dynatomic";

/// What a database reports beyond the spans and events every request has.
#[derive(Debug, Clone)]
pub(crate) struct Observe {
    /// Whether values may appear in events.
    pub(crate) values: Values,
    /// Whether every request asks for its consumed capacity.
    pub(crate) capacity: Counting,
    /// The hot key detector, if there is one.
    pub(crate) hot_keys: Option<Arc<Detector>>,
}

impl Default for Observe {
    fn default() -> Self {
        Observe { values: Values::Hidden, capacity: Counting::No, hot_keys: None }
    }
}

impl Observe {
    /// Counts a write of the item with this partition key value (looked up only when there is a detector), for
    /// the hot key detector: one `warn` event when the key becomes hot, naming it, or a fingerprint of it when
    /// values are hidden.
    pub(crate) fn wrote<'a>(&self, table: &str, partition: impl FnOnce() -> Option<&'a crate::AttributeValue>) {
        let Some(detector) = &self.hot_keys else { return };
        let Some(partition) = partition() else { return };
        let text = crate::error::value_text(partition);
        let Some(writes) = detector.wrote(table, text.clone()) else { return };
        let key = match self.values {
            Values::Shown => text,
            Values::Hidden => fingerprint(&text),
        };
        tracing::warn!(
            target: TARGET,
            table,
            key,
            writes,
            "hot partition key: DynamoDB throttles a partition at about 1,000 write units a second"
        );
    }
}

/// Whether values (of items, keys and conditions) may appear in spans and events.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Values {
    Hidden,
    Shown,
}

/// The DynamoDB operation a request is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Operation {
    GetItem,
    PutItem,
    UpdateItem,
    DeleteItem,
    TransactWriteItems,
    TransactGetItems,
    BatchWriteItem,
    BatchGetItem,
}

impl Operation {
    /// DynamoDB's name of the operation.
    pub(crate) fn name(self) -> &'static str {
        match self {
            Operation::GetItem => "GetItem",
            Operation::PutItem => "PutItem",
            Operation::UpdateItem => "UpdateItem",
            Operation::DeleteItem => "DeleteItem",
            Operation::TransactWriteItems => "TransactWriteItems",
            Operation::TransactGetItems => "TransactGetItems",
            Operation::BatchWriteItem => "BatchWriteItem",
            Operation::BatchGetItem => "BatchGetItem",
        }
    }

    /// The operation of a single write (a condition check is one only in a transaction).
    fn of(action: &Action) -> Self {
        match action {
            Action::Put(_) => Operation::PutItem,
            Action::Update { .. } => Operation::UpdateItem,
            Action::Delete { .. } => Operation::DeleteItem,
            Action::Check { .. } => Operation::TransactWriteItems,
        }
    }

    /// Which units the operation consumes.
    fn units(self) -> UnitKind {
        match self {
            Operation::GetItem | Operation::TransactGetItems | Operation::BatchGetItem => UnitKind::Read,
            _ => UnitKind::Write,
        }
    }
}

/// How a request ended, as the operation that sent it sees it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Outcome {
    Ok,
    ConditionFailed,
    VersionConflict,
    NotFound,
    Changed,
    LockLost,
    Canceled,
    LockHeld,
    Throttled,
    Error,
    /// The caller dropped the operation before the answer.
    Abandoned,
}

impl Outcome {
    /// The outcome's name in spans and metrics.
    pub(crate) fn name(self) -> &'static str {
        match self {
            Outcome::Ok => "ok",
            Outcome::ConditionFailed => "condition_failed",
            Outcome::VersionConflict => "version_conflict",
            Outcome::NotFound => "not_found",
            Outcome::Changed => "changed",
            Outcome::LockLost => "lock_lost",
            Outcome::Canceled => "canceled",
            Outcome::LockHeld => "lock_held",
            Outcome::Throttled => "throttled",
            Outcome::Error => "error",
            Outcome::Abandoned => "abandoned",
        }
    }
}

impl Outcome {
    /// The outcome of an operation that answered `result`.
    pub(crate) fn of<V, T>(result: &Result<V, crate::Error<T>>) -> Self {
        use crate::Error;
        match result {
            Ok(_) => Outcome::Ok,
            Err(Error::ConditionFailed { .. }) => Outcome::ConditionFailed,
            Err(Error::VersionConflict { .. }) => Outcome::VersionConflict,
            Err(Error::NotFound { .. }) => Outcome::NotFound,
            Err(Error::Changed { .. }) => Outcome::Changed,
            Err(Error::LockLost { .. }) => Outcome::LockLost,
            Err(Error::LockHeld { .. }) => Outcome::LockHeld,
            Err(error) if error.service().is_some_and(crate::ServiceError::is_throttling) => Outcome::Throttled,
            Err(_) => Outcome::Error,
        }
    }
}

/// The span of a lock's `phase` (`acquire`, `commit`, `release`) on an item of `table`, which holds the spans of
/// its requests.
pub(crate) fn lock_span(phase: &'static str, table: &str, action: &str) -> tracing::Span {
    tracing::info_span!(
        target: TARGET,
        "dynatomic.lock",
        otel.name = %format_args!("lock {phase} {table}"),
        dynatomic.lock.phase = phase,
        dynatomic.lock.action = action,
        aws.dynamodb.table_names = table,
        dynatomic.outcome = Empty,
    )
}

/// Runs a lock's phase in its span, and records its outcome.
pub(crate) async fn in_span<V, T>(
    span: tracing::Span,
    work: impl Future<Output = Result<V, crate::Error<T>>>,
) -> Result<V, crate::Error<T>> {
    use tracing::Instrument;
    let result = work.instrument(span.clone()).await;
    record(&span, "dynatomic.outcome", Outcome::of(&result).name());
    result
}

/// One request to a backend, observed: its span, and what is recorded when it ends (its outcome, request id,
/// consumed capacity, duration).
#[derive(Debug)]
pub(crate) struct Call {
    span: tracing::Span,
    operation: Operation,
    outcome: Outcome,
    counting: Counting,
    capacity: Option<Box<Capacity>>,
    values: Values,
    #[cfg(feature = "metrics")]
    tables: String,
    #[cfg(feature = "metrics")]
    started: std::time::Instant,
}

impl Call {
    /// A single write (PutItem, UpdateItem, DeleteItem).
    pub(crate) fn write(observe: &Observe, backend: &'static str, write: &Write) -> Self {
        let query = Query(std::slice::from_ref(write), Labels::Bare);
        Call::start(observe, backend, Operation::of(&write.action), &write.table.as_str(), Some(&query))
    }

    /// A GetItem.
    pub(crate) fn get(observe: &Observe, backend: &'static str, table: &str) -> Self {
        Call::start(observe, backend, Operation::GetItem, &table, None)
    }

    /// A TransactWriteItems.
    pub(crate) fn transact_write(observe: &Observe, backend: &'static str, request: &TransactWrite) -> Self {
        let tables = Tables(request.actions.iter().map(|write| write.table.as_str()));
        let query = Query(&request.actions, Labels::Action);
        Call::start(observe, backend, Operation::TransactWriteItems, &tables, Some(&query))
    }

    /// A TransactGetItems of items of these tables.
    pub(crate) fn transact_get<'t>(
        observe: &Observe,
        backend: &'static str,
        tables: impl Iterator<Item = &'t str> + Clone,
    ) -> Self {
        Call::start(observe, backend, Operation::TransactGetItems, &Tables(tables), None)
    }

    /// A BatchWriteItem or BatchGetItem to one table.
    pub(crate) fn batch(observe: &Observe, backend: &'static str, operation: Operation, table: &str) -> Self {
        Call::start(observe, backend, operation, &table, None)
    }

    fn start(
        observe: &Observe,
        backend: &'static str,
        operation: Operation,
        tables: &dyn fmt::Display,
        query: Option<&dyn fmt::Display>,
    ) -> Self {
        let span = tracing::info_span!(
            target: TARGET,
            "dynamodb",
            otel.name = %format_args!("{} {tables}", operation.name()),
            otel.kind = "client",
            db.system.name = "aws.dynamodb",
            db.operation.name = operation.name(),
            aws.dynamodb.table_names = %tables,
            db.query.text = Empty,
            dynatomic.backend = backend,
            dynatomic.outcome = Empty,
            error.type = Empty,
            aws.request_id = Empty,
            dynatomic.read_units = Empty,
            dynatomic.write_units = Empty,
        );
        if let Some(query) = query {
            record(&span, "db.query.text", tracing::field::display(query));
        }
        let counting = match observe.capacity {
            Counting::No if !Capacity::metered() => Counting::No,
            _ => Counting::Yes,
        };
        Call {
            span,
            operation,
            outcome: Outcome::Abandoned,
            counting,
            capacity: None,
            values: observe.values,
            #[cfg(feature = "metrics")]
            tables: tables.to_string(),
            #[cfg(feature = "metrics")]
            started: std::time::Instant::now(),
        }
    }

    /// The request's DynamoDB operation.
    pub(crate) fn operation(&self) -> Operation {
        self.operation
    }

    /// The request's span, to run the request in.
    pub(crate) fn span(&self) -> tracing::Span {
        self.span.clone()
    }

    /// Whether the request should ask for its consumed capacity.
    pub(crate) fn counting(&self) -> Counting {
        self.counting
    }

    /// Runs a request on the memory backend in the call's span, with a tally of the units it consumes.
    pub(crate) fn counted<R>(&mut self, run: impl FnOnce(&mut Tally) -> R) -> R {
        let mut tally = Tally::new(self.counting);
        let result = match self.span.is_disabled() {
            true => run(&mut tally),
            false => self.span.in_scope(|| run(&mut tally)),
        };
        if self.counting == Counting::Yes {
            self.answered(None, &tally.reports());
        }
        result
    }

    /// What DynamoDB's answer said: its request id and the capacity it reported.
    pub(crate) fn answered(&mut self, request_id: Option<&str>, reports: &[ConsumedCapacity]) {
        if let Some(id) = request_id {
            record(&self.span, "aws.request_id", id);
        }
        if self.counting == Counting::Yes && !reports.is_empty() {
            let mut capacity = Capacity::default();
            capacity.add_reported(self.operation.units(), reports);
            capacity.meter();
            let total = capacity.total();
            record(&self.span, "dynatomic.read_units", total.read);
            record(&self.span, "dynatomic.write_units", total.write);
            self.capacity = Some(Box::new(capacity));
        }
    }

    /// Sets how the request ended.
    pub(crate) fn outcome(&mut self, outcome: Outcome) {
        self.outcome = outcome;
    }

    /// The request failed: throttled, or another error, with DynamoDB's code as the error's type.
    pub(crate) fn failed(&mut self, failure: &Failure) {
        let (outcome, error_type) = match failure {
            Failure::Service(error) => {
                if let Some(id) = error.request_id() {
                    record(&self.span, "aws.request_id", id);
                }
                let outcome = if error.is_throttling() { Outcome::Throttled } else { Outcome::Error };
                (outcome, error.code().unwrap_or("transport"))
            }
            Failure::Internal(_) => (Outcome::Error, "internal"),
        };
        record(&self.span, "error.type", error_type);
        self.outcome = outcome;
    }

    /// A condition of the request was false: a `debug` event with the clauses that were false (and their
    /// values, when the database shows values).
    pub(crate) fn condition_failed(&self, explanation: Option<&Explanation>) {
        let Some(explanation) = explanation else {
            tracing::debug!(target: TARGET, parent: &self.span, "condition failed");
            return;
        };
        match self.values {
            Values::Shown => tracing::debug!(target: TARGET, parent: &self.span, %explanation, "condition failed"),
            Values::Hidden => {
                let clauses = Clauses(explanation);
                tracing::debug!(target: TARGET, parent: &self.span, explanation = %clauses, "condition failed");
            }
        }
    }

    /// The raw outcome of a backend's answer, before the operation that sent it says more.
    pub(crate) fn settle<A, R: Refusal>(&mut self, result: &Result<A, R>) {
        match result {
            Ok(_) => self.outcome = Outcome::Ok,
            Err(refusal) => refusal.settle(self),
        }
    }
}

impl Drop for Call {
    fn drop(&mut self) {
        record(&self.span, "dynatomic.outcome", self.outcome.name());
        #[cfg(feature = "metrics")]
        crate::telemetry::metrics::request(
            self.operation,
            &self.tables,
            self.outcome,
            self.started,
            self.capacity.as_deref(),
        );
    }
}

/// How a backend's refusal ends a request.
pub(crate) trait Refusal {
    fn settle(&self, call: &mut Call);
}

impl Refusal for Failure {
    fn settle(&self, call: &mut Call) {
        call.failed(self);
    }
}

impl Refusal for WriteRefusal {
    fn settle(&self, call: &mut Call) {
        match self {
            WriteRefusal::ConditionFailed { .. } => call.outcome(Outcome::ConditionFailed),
            WriteRefusal::Failed(failure) => call.failed(failure),
        }
    }
}

impl Refusal for TransactRefusal {
    fn settle(&self, call: &mut Call) {
        match self {
            TransactRefusal::Canceled(reasons) => {
                call.outcome(Outcome::Canceled);
                let codes = Codes(reasons);
                tracing::debug!(target: TARGET, parent: &call.span, reasons = %codes, "transaction canceled");
            }
            TransactRefusal::TokenMismatch(_) => {
                record(&call.span, "error.type", "IdempotentParameterMismatchException");
                call.outcome(Outcome::Error);
            }
            TransactRefusal::Failed(failure) => call.failed(failure),
        }
    }
}

/// A conflict that [`Db::retry`](crate::Db::retry), [`Table::modify`](crate::Table::modify) or a checked batch
/// retries: a `debug` event and the `dynatomic_conflicts_retried_total` counter.
pub(crate) fn retrying(operation: &'static str, conflicts: u32) {
    tracing::debug!(target: TARGET, operation, conflicts, "conflict, retrying");
    #[cfg(feature = "metrics")]
    ::metrics::counter!("dynatomic_conflicts_retried_total", "operation" => operation).increment(1);
}

/// A retried operation that still conflicts when its backoff allows no more attempts: a `warn` event.
pub(crate) fn gave_up(operation: &'static str, conflicts: u32) {
    tracing::warn!(target: TARGET, operation, conflicts, "gave up retrying conflicts: the backoff allows no more attempts");
}

/// Entries of a batch that DynamoDB left unprocessed and that are sent again: a `debug` event and the
/// `dynatomic_batch_items_resent_total` counter.
pub(crate) fn resending(operation: Operation, table: &str, entries: usize) {
    tracing::debug!(target: TARGET, operation = operation.name(), table, entries, "resending unprocessed batch entries");
    #[cfg(feature = "metrics")]
    ::metrics::counter!(
        "dynatomic_batch_items_resent_total",
        "operation" => operation.name(),
        "table" => table.to_owned()
    )
    .increment(entries as u64);
}

/// A batch that ends with entries unprocessed: a `warn` event.
pub(crate) fn batch_incomplete(operation: Operation, table: &str, entries: usize) {
    tracing::warn!(target: TARGET, operation = operation.name(), table, entries, "batch ended with entries unprocessed");
}

/// A stable fingerprint of a key, for events that must not show it: the same key gives the same fingerprint in
/// every process.
fn fingerprint(key: &str) -> String {
    use std::hash::{BuildHasher, BuildHasherDefault};
    let hash = BuildHasherDefault::<crate::fast_hash::FastHasher>::default().hash_one(key);
    format!("#{hash:016x}")
}

/// Records a field of a span if anything listens to it: a disabled span would still look the field's name up
/// among its fields, for nothing.
fn record(span: &tracing::Span, field: &'static str, value: impl tracing::Value) {
    if !span.is_disabled() {
        span.record(field, value);
    }
}

/// The table names of a request, each once, comma-separated: formatted only when a span is recorded.
struct Tables<I>(I);

impl<'a, I: Iterator<Item = &'a str> + Clone> fmt::Display for Tables<I> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        for (i, table) in self.0.clone().enumerate() {
            if !self.0.clone().take(i).any(|earlier| earlier == table) {
                f.write_str(if i == 0 { "" } else { "," })?;
                f.write_str(table)?;
            }
        }
        Ok(())
    }
}

/// Whether each write's expressions are labelled with its action and table.
#[derive(Clone, Copy)]
enum Labels {
    Bare,
    Action,
}

/// The expression texts of writes (placeholders, never values): `UpdateExpression: SET #n0 = :v0;
/// ConditionExpression: #n0 >= :v0`, each write of a transaction after its action and table, ` | ` between them.
struct Query<'a>(&'a [Write], Labels);

impl fmt::Display for Query<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        for (i, write) in self.0.iter().enumerate() {
            if i > 0 {
                f.write_str(" | ")?;
            }
            let (action, update) = match &write.action {
                Action::Put(_) => ("Put", None),
                Action::Update { expression, .. } => ("Update", expression.as_deref()),
                Action::Delete { .. } => ("Delete", None),
                Action::Check { .. } => ("ConditionCheck", None),
            };
            if let Labels::Action = self.1 {
                write!(f, "{action} {}: ", write.table)?;
            }
            let texts = [("UpdateExpression", update), ("ConditionExpression", write.condition.as_deref())];
            let mut texts = texts.iter().filter_map(|(name, text)| Some((name, (*text)?))).peekable();
            while let Some((name, text)) = texts.next() {
                write!(f, "{name}: {text}")?;
                if texts.peek().is_some() {
                    f.write_str("; ")?;
                }
            }
        }
        Ok(())
    }
}

/// The texts of an explanation's false clauses, without their values.
struct Clauses<'a>(&'a Explanation);

impl fmt::Display for Clauses<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        for (i, clause) in self.0.clauses().iter().enumerate() {
            f.write_str(if i == 0 { "" } else { "; " })?;
            f.write_str(clause.text())?;
        }
        Ok(())
    }
}

/// A canceled transaction's reason codes, in action order.
struct Codes<'a>(&'a [crate::request::CancelReason]);

impl fmt::Display for Codes<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        for (i, reason) in self.0.iter().enumerate() {
            f.write_str(if i == 0 { "" } else { ", " })?;
            f.write_str(&reason.code)?;
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn fingerprints_are_stable_and_hide_the_key() {
        let key = crate::error::value_text(&crate::AttributeValue::S("alice@example.com".into()));
        assert_eq!(key, "\"alice@example.com\"");
        assert_eq!(fingerprint(&key), fingerprint(&key));
        assert!(!fingerprint(&key).contains("alice"));
    }
}

#[cfg(feature = "metrics")]
mod metrics {
    //! The metrics of requests, through the `metrics` facade.

    use super::{Operation, Outcome};
    use crate::capacity::Capacity;

    /// Records one request: `dynatomic_operations_total`, `dynatomic_operation_duration_seconds`, and when the
    /// capacity is known, `dynatomic_consumed_read_units` and `dynatomic_consumed_write_units` per table.
    pub(super) fn request(
        operation: Operation,
        tables: &str,
        outcome: Outcome,
        started: std::time::Instant,
        capacity: Option<&Capacity>,
    ) {
        let operation = operation.name();
        ::metrics::counter!(
            "dynatomic_operations_total",
            "table" => tables.to_owned(),
            "operation" => operation,
            "outcome" => outcome.name()
        )
        .increment(1);
        ::metrics::histogram!(
            "dynatomic_operation_duration_seconds",
            "table" => tables.to_owned(),
            "operation" => operation
        )
        .record(started.elapsed());
        for (table, consumed) in capacity.into_iter().flat_map(Capacity::tables) {
            let labels = [("table", table.to_owned()), ("operation", operation.to_owned())];
            ::metrics::histogram!("dynatomic_consumed_read_units", &labels).record(consumed.total.read);
            ::metrics::histogram!("dynatomic_consumed_write_units", &labels).record(consumed.total.write);
        }
    }
}
