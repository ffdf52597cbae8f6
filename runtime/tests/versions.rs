//! Optimistic locking with `#[dynatomic(version)]`: concurrent read-modify-write loses no update, every way a
//! versioned write is refused (and that nothing is written then), the retry helpers and their bounds, and
//! versions inside transactions.

mod common;

use std::cell::Cell;
use std::collections::HashMap;
use std::fmt::Debug;
use std::future::IntoFuture;
use std::sync::Arc;
use std::sync::atomic::{AtomicU32, Ordering};
use std::time::{Duration, Instant};

use common::{Backend, Fixture, RawItem, stored_item, unique_table_name};
use dynatomic::returning::{AllNew, AllOld, UpdatedNew};
use dynatomic::{
    AttributeValue, Backoff, Db, Error, Item, Reason, ServiceErrorKind, Table, TransactionError, ValueError, condition,
    update, upsert,
};
use tokio::sync::Barrier;

on_both_backends!(
    #[tokio::test(flavor = "multi_thread", worker_threads = 4)]
    sixteen_writers_lose_no_increment
);

on_both_backends!(
    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    modify_counts_the_conflict_of_a_write_behind_its_back,
    modify_gives_up_after_max_attempts_with_the_last_conflict
);

on_both_backends!(
    put_checks_the_version_and_stores_the_next,
    create_needs_a_free_key_and_starts_at_version_1,
    update_needs_the_expected_version,
    a_plain_key_is_refused_before_sending,
    any_version_increments_without_a_check,
    delete_needs_the_expected_version,
    a_failing_where_at_the_right_version_is_condition_failed,
    each_write_increments_the_stored_version_once,
    an_item_without_the_version_attribute_is_at_version_0,
    an_item_without_the_version_attribute_reads_as_version_0,
    modify_returns_a_false_where_at_once,
    modify_of_a_missing_item_is_not_found,
    retry_returns_other_errors_at_once,
    retry_gives_up_with_the_last_conflict,
    retry_stops_after_max_elapsed,
    retry_counts_the_conflicts_it_retried,
    a_transaction_at_a_stale_version_is_canceled_and_writes_nothing,
    every_transaction_action_checks_the_version,
    retry_retries_a_transaction_canceled_for_a_version_conflict,
    a_version_at_the_largest_number_of_its_field_is_refused
);

/// A counter incremented by read-modify-write.
#[derive(Item, Debug, Clone, PartialEq)]
struct Counter {
    #[dynatomic(partition_key)]
    id: String,
    count: u64,
    #[dynatomic(version)]
    version: u64,
}

/// A document whose version is a `u32` stored as `ver`.
#[derive(Item, Debug, Clone, PartialEq)]
struct Doc {
    #[dynatomic(partition_key)]
    id: String,
    text: String,
    status: String,
    #[dynatomic(version, rename = "ver")]
    version: u32,
}

fn doc(id: &str, text: &str, version: u32) -> Doc {
    Doc { id: id.to_owned(), text: text.to_owned(), status: "draft".to_owned(), version }
}

/// The parts of a `VersionConflict`; panics on any other result.
#[track_caller]
fn conflict<T: Debug, R: Debug>(result: Result<R, Error<T>>) -> (u64, Option<u64>, Option<T>) {
    match result {
        Err(Error::VersionConflict { expected, stored, item }) => (expected, stored, stored_item(item)),
        other => panic!("expected VersionConflict, got {other:?}"),
    }
}

/// The stored item of a `ConditionFailed`; panics on any other result.
#[track_caller]
fn condition_failed<T: Debug, R: Debug>(result: Result<R, Error<T>>) -> Option<T> {
    match result {
        Err(Error::ConditionFailed { stored, .. }) => stored_item(stored),
        other => panic!("expected ConditionFailed, got {other:?}"),
    }
}

/// Panics unless the result is `NotFound`.
#[track_caller]
fn not_found<T: Debug, R: Debug>(result: Result<R, Error<T>>) {
    assert!(matches!(result, Err(Error::NotFound { .. })), "expected NotFound, got {result:?}");
}

/// The raw `ver` attribute of the stored document: `None` when the item has none; panics without an item.
async fn ver(fx: &Fixture<Doc>, id: &str) -> Option<u64> {
    version_in(&fx.raw(Doc::key(id)).await, "ver")
}

fn version_in(raw: &RawItem, attribute: &str) -> Option<u64> {
    match raw.get(attribute)? {
        AttributeValue::N(n) => Some(n.parse().expect("a whole number")),
        other => panic!("version attribute {attribute} is not a number: {other:?}"),
    }
}

/// The stored document's `text`, `status` and `ver`, read raw (without dynatomic's decoding); `None` without an
/// item.
async fn raw_doc(fx: &Fixture<Doc>, id: &str) -> Option<(String, String, Option<u64>)> {
    let raw = fx.try_raw(Doc::key(id)).await?;
    let s = |name: &str| match raw.get(name) {
        Some(AttributeValue::S(s)) => s.clone(),
        other => panic!("{name}: {other:?}"),
    };
    Some((s("text"), s("status"), version_in(&raw, "ver")))
}

/// `fx`'s database with another backoff, and the fixture's table on it.
fn with_backoff<T: Item>(fx: &Fixture<T>, backoff: Backoff) -> (Db, Table<T>) {
    let db = fx.db.clone().with_backoff(backoff);
    let table = db.table_named::<T>(fx.table.name().to_owned());
    (db, table)
}

fn quick(max_attempts: u32) -> Backoff {
    Backoff {
        max_attempts,
        base: Duration::from_millis(1),
        max_delay: Duration::from_millis(2),
        max_elapsed: Duration::from_secs(30),
    }
}

async fn sixteen_writers_lose_no_increment(backend: Backend) {
    const TASKS: usize = 16;
    const EACH: usize = 50;
    let fx = Fixture::<Counter>::new(backend, "versions_sixteen_writers").await;
    let backoff = Backoff {
        max_attempts: 1000,
        base: Duration::from_millis(1),
        max_delay: Duration::from_millis(20),
        max_elapsed: Duration::from_secs(60),
    };
    let (_, counters) = with_backoff(&fx, backoff);
    counters.create(&Counter { id: "c".into(), count: 0, version: 0 }).await.expect("create");
    assert_eq!(version_in(&fx.raw(Counter::key("c")).await, "version"), Some(1));

    let start = Arc::new(Barrier::new(TASKS));
    let calls = Arc::new(AtomicU32::new(0));
    let began = Instant::now();
    let tasks: Vec<_> = (0..TASKS)
        .map(|_| {
            let (counters, start, calls) = (counters.clone(), start.clone(), calls.clone());
            tokio::spawn(async move {
                start.wait().await;
                let mut conflicts = 0;
                let mut written = Vec::new();
                for _ in 0..EACH {
                    let retried = counters
                        .modify(Counter::key("c"), |current| {
                            calls.fetch_add(1, Ordering::Relaxed);
                            // A plain assignment from the value read: only the version check keeps two
                            // writers that read the same count from both writing count + 1.
                            let count = current.count + 1;
                            update!(Counter: count = count)
                        })
                        .await
                        .expect("no writer gives up");
                    conflicts += retried.conflicts;
                    written.push(retried.value);
                }
                (conflicts, written)
            })
        })
        .collect();
    let mut conflicts = 0;
    let mut written = Vec::new();
    for task in tasks {
        let (c, w) = task.await.expect("task");
        conflicts += c;
        written.extend(w);
    }
    let elapsed = began.elapsed();
    println!(
        "{backend:?}: {TASKS} writers x {EACH} read-modify-write increments in {elapsed:?}, \
         {conflicts} version conflicts retried"
    );

    let total = (TASKS * EACH) as u64;
    assert_eq!(fx.stored(Counter::key("c")).await, Counter { id: "c".into(), count: total, version: total + 1 });
    assert_eq!(version_in(&fx.raw(Counter::key("c")).await, "version"), Some(total + 1));
    // Every increment returned the item it wrote: each count once, each at its own version.
    let mut counts: Vec<u64> = written.iter().map(|c| c.count).collect();
    counts.sort_unstable();
    assert_eq!(counts, (1..=total).collect::<Vec<_>>());
    assert!(written.iter().all(|c| c.version == c.count + 1), "the version moves with every write");
    // Each conflict cost exactly one more read and closure call.
    assert_eq!(u64::from(calls.load(Ordering::Relaxed)), total + u64::from(conflicts));
    if backend == Backend::Memory {
        assert!(conflicts > 0, "16 writers on 4 threads should have collided at least once");
    }
}

async fn put_checks_the_version_and_stores_the_next(backend: Backend) {
    let fx = Fixture::<Doc>::new(backend, "versions_put").await;

    // Version 0: a new item, stored at version 1, which the put returns.
    assert_eq!(fx.table.put(&doc("a", "first", 0)).await.expect("put a new item"), 1);
    assert_eq!(fx.stored(Doc::key("a")).await, doc("a", "first", 1));
    assert_eq!(ver(&fx, "a").await, Some(1));

    // At the stored version: replaced, stored at the next.
    assert_eq!(fx.table.put(&doc("a", "second", 1)).await.expect("put at the stored version"), 2);
    assert_eq!(fx.stored(Doc::key("a")).await, doc("a", "second", 2));

    // A stale copy: refused with the stored item, nothing written.
    let (expected, stored, item) = conflict(fx.table.put(&doc("a", "stale", 1)).await);
    assert_eq!((expected, stored, item), (1, Some(2), Some(doc("a", "second", 2))));
    // A copy from the future is no better.
    let (expected, stored, _) = conflict(fx.table.put(&doc("a", "ahead", 7)).await);
    assert_eq!((expected, stored), (7, Some(2)));
    // A new item (version 0) where one exists.
    let (expected, stored, item) = conflict(fx.table.put(&doc("a", "new", 0)).await);
    assert_eq!((expected, stored, item), (0, Some(2), Some(doc("a", "second", 2))));
    assert_eq!(raw_doc(&fx, "a").await, Some(("second".into(), "draft".into(), Some(2))), "nothing was written");

    // A version > 0 for an item that does not exist: refused, nothing created.
    let (expected, stored, item) = conflict(fx.table.put(&doc("b", "ghost", 3)).await);
    assert_eq!((expected, stored, item), (3, None, None));
    assert_eq!(fx.try_raw(Doc::key("b")).await, None);

    // put(..).when(..): the user's condition and the version are both checked.
    let stored = fx.table.put(&doc("a", "third", 2)).when(condition!(Doc: status == "draft")).await.expect("when");
    assert_eq!((stored, ver(&fx, "a").await), (3, Some(3)));
    let (expected, stored, _) =
        conflict(fx.table.put(&doc("a", "late", 2)).when(condition!(Doc: status == "draft")).await);
    assert_eq!((expected, stored), (2, Some(3)));
    assert_eq!(raw_doc(&fx, "a").await, Some(("third".into(), "draft".into(), Some(3))));
}

async fn create_needs_a_free_key_and_starts_at_version_1(backend: Backend) {
    let fx = Fixture::<Doc>::new(backend, "versions_create").await;
    // Whatever version the struct holds, a created item starts at 1.
    assert_eq!(fx.table.create(&doc("a", "first", 0)).await.expect("create"), 1);
    assert_eq!(ver(&fx, "a").await, Some(1));
    assert_eq!(fx.table.create(&doc("b", "first", 41)).await.expect("create with a version set"), 1);
    assert_eq!(fx.stored(Doc::key("b")).await, doc("b", "first", 1));

    // An existing item: ConditionFailed (the key is taken; not a version matter), nothing written.
    fx.table.put(&doc("a", "second", 1)).await.expect("put");
    let stored = condition_failed(fx.table.create(&doc("a", "again", 0)).await);
    assert_eq!(stored, Some(doc("a", "second", 2)));
    let stored = condition_failed(fx.table.create(&doc("a", "again", 2)).await);
    assert_eq!(stored, Some(doc("a", "second", 2)));
    assert_eq!(raw_doc(&fx, "a").await, Some(("second".into(), "draft".into(), Some(2))));
}

async fn update_needs_the_expected_version(backend: Backend) {
    let fx = Fixture::<Doc>::new(backend, "versions_update").await;
    fx.table.create(&doc("a", "first", 0)).await.expect("create");

    fx.table.update(Doc::key("a").at_version(1), update!(Doc: text = "second")).await.expect("update at 1");
    assert_eq!(fx.stored(Doc::key("a")).await, doc("a", "second", 2));

    // Stale: refused with the stored item.
    let result = fx.table.update(Doc::key("a").at_version(1), update!(Doc: text = "stale")).await;
    assert_eq!(conflict(result), (1, Some(2), Some(doc("a", "second", 2))));
    // Every update flavour is checked the same way, upserts too.
    let result = fx.table.update(Doc::key("a").at_version(3), update!(Doc: text = "ahead")).returning(AllNew).await;
    assert_eq!(conflict(result), (3, Some(2), Some(doc("a", "second", 2))));
    let result = fx.table.update(Doc::key("a").at_version(0), update!(Doc: text = "new")).returning(AllOld).await;
    assert_eq!(conflict(result), (0, Some(2), Some(doc("a", "second", 2))));
    let result = fx.table.update(Doc::key("a").at_version(1), update!(Doc: text = "x")).returning(UpdatedNew).await;
    assert_eq!(conflict(result).1, Some(2));
    let result = fx.table.upsert(Doc::key("a").at_version(0), upsert!(Doc: text = "x", status = "new")).await;
    assert_eq!(conflict(result), (0, Some(2), Some(doc("a", "second", 2))));
    assert_eq!(raw_doc(&fx, "a").await, Some(("second".into(), "draft".into(), Some(2))), "nothing was written");

    // A missing item: an update needs the item, whatever version it expects; nothing created.
    not_found(fx.table.update(Doc::key("m").at_version(4), update!(Doc: text = "ghost")).await);
    not_found(fx.table.update(Doc::key("m").at_version(0), update!(Doc: text = "ghost")).await);
    assert_eq!(fx.try_raw(Doc::key("m")).await, None);
    // An upsert expecting a version > 0 of a missing item: a version conflict, nothing created.
    let result = fx.table.upsert(Doc::key("m").at_version(4), upsert!(Doc: text = "ghost", status = "new")).await;
    assert_eq!(conflict(result), (4, None, None));
    assert_eq!(fx.try_raw(Doc::key("m")).await, None);

    // At version 0, an upsert creates the item at version 1.
    let created = fx
        .table
        .upsert(Doc::key("n").at_version(0), upsert!(Doc: text = "made", status = "new"))
        .returning(AllNew)
        .await
        .expect("upsert at 0 creates");
    assert_eq!(created, Doc { status: "new".into(), ..doc("n", "made", 1) });
    assert_eq!(ver(&fx, "n").await, Some(1));

    // The returned old item carries the version it had.
    let old = fx
        .table
        .update(Doc::key("a").at_version(2), update!(Doc: text = "third"))
        .returning(AllOld)
        .await
        .expect("update at 2");
    assert_eq!(old, Some(doc("a", "second", 2)));
    assert_eq!(fx.stored(Doc::key("a")).await, doc("a", "third", 3));
}

async fn a_plain_key_is_refused_before_sending(backend: Backend) {
    let fx = Fixture::<Doc>::new(backend, "versions_plain_key").await;
    fx.table.create(&doc("a", "first", 0)).await.expect("create");
    // A table that does not exist: had a request been sent, the answer would be TableNotFound.
    let missing = fx.db.table_named::<Doc>(unique_table_name("versions_no_such_table"));
    for table in [&fx.table, &missing] {
        match table.update(Doc::key("a"), update!(Doc: text = "plain")).await {
            Err(Error::InvalidValue(ValueError::VersionRequired)) => {}
            other => panic!("expected VersionRequired, got {other:?}"),
        }
        match table.update(Doc::key("a"), update!(Doc: text = "plain")).returning(AllNew).await {
            Err(Error::InvalidValue(ValueError::VersionRequired)) => {}
            other => panic!("expected VersionRequired, got {other:?}"),
        }
        match table.upsert(Doc::key("a"), upsert!(Doc: text = "plain", status = "new")).await {
            Err(Error::InvalidValue(ValueError::VersionRequired)) => {}
            other => panic!("expected VersionRequired, got {other:?}"),
        }
        match table.delete(Doc::key("a")).await {
            Err(Error::InvalidValue(ValueError::VersionRequired)) => {}
            other => panic!("expected VersionRequired, got {other:?}"),
        }
        match table.delete(Doc::key("a")).when(condition!(Doc: status == "draft")).await {
            Err(Error::InvalidValue(ValueError::VersionRequired)) => {}
            other => panic!("expected VersionRequired, got {other:?}"),
        }
    }
    assert_eq!(raw_doc(&fx, "a").await, Some(("first".into(), "draft".into(), Some(1))), "nothing was written");
    // The message says what to do.
    let message = ValueError::VersionRequired.to_string();
    assert!(message.contains("at_version") && message.contains("any_version"), "{message}");
    // Reads need no version.
    assert_eq!(fx.table.get(Doc::key("a")).await.expect("get"), Some(doc("a", "first", 1)));
}

async fn any_version_increments_without_a_check(backend: Backend) {
    let fx = Fixture::<Doc>::new(backend, "versions_any").await;
    fx.table.create(&doc("a", "first", 0)).await.expect("create");
    fx.table.put(&doc("a", "second", 1)).await.expect("put");
    fx.table.put(&doc("a", "third", 2)).await.expect("put");

    let new = fx
        .table
        .update(Doc::key("a").any_version(), update!(Doc: text = "any"))
        .returning(AllNew)
        .await
        .expect("any_version");
    assert_eq!(new, doc("a", "any", 4));
    assert_eq!(ver(&fx, "a").await, Some(4));
    fx.table.update(Doc::key("a").any_version(), update!(Doc: status = "done")).await.expect("any_version");
    assert_eq!(ver(&fx, "a").await, Some(5));

    // On a missing item: an update finds nothing, an upsert creates it at version 1.
    not_found(fx.table.update(Doc::key("n").any_version(), update!(Doc: text = "new", status = "s")).await);
    assert_eq!(fx.try_raw(Doc::key("n")).await, None);
    fx.table.upsert(Doc::key("n").any_version(), upsert!(Doc: text = "new", status = "s")).await.expect("create");
    assert_eq!(raw_doc(&fx, "n").await, Some(("new".into(), "s".into(), Some(1))));

    // The update's own condition still applies.
    let stored = condition_failed(
        fx.table.update(Doc::key("a").any_version(), update!(Doc: text = "no"; where status == "draft")).await,
    );
    assert_eq!(stored, Some(Doc { status: "done".into(), ..doc("a", "any", 5) }));
    assert_eq!(ver(&fx, "a").await, Some(5));

    // A delete at any version deletes whatever the version.
    let deleted = fx.table.delete(Doc::key("n").any_version()).await.expect("delete");
    assert_eq!(deleted, Some(Doc { status: "s".into(), ..doc("n", "new", 1) }));
    assert_eq!(fx.try_raw(Doc::key("n")).await, None);
}

async fn delete_needs_the_expected_version(backend: Backend) {
    let fx = Fixture::<Doc>::new(backend, "versions_delete").await;
    fx.table.create(&doc("a", "first", 0)).await.expect("create");
    fx.table.put(&doc("a", "second", 1)).await.expect("put");

    let (expected, stored, item) = conflict(fx.table.delete(Doc::key("a").at_version(1)).await);
    assert_eq!((expected, stored, item), (1, Some(2), Some(doc("a", "second", 2))));
    let (expected, stored, _) = conflict(fx.table.delete(Doc::key("a").at_version(0)).await);
    assert_eq!((expected, stored), (0, Some(2)));
    assert_eq!(ver(&fx, "a").await, Some(2), "nothing was deleted");

    // delete(..).when(..): a version conflict is reported as such even when the user's condition holds.
    let result = fx.table.delete(Doc::key("a").at_version(3)).when(condition!(Doc: status == "draft")).await;
    assert_eq!(conflict(result), (3, Some(2), Some(doc("a", "second", 2))));
    // The user's condition false at the right version: ConditionFailed.
    let stored =
        condition_failed(fx.table.delete(Doc::key("a").at_version(2)).when(condition!(Doc: status == "x")).await);
    assert_eq!(stored, Some(doc("a", "second", 2)));
    assert_eq!(ver(&fx, "a").await, Some(2), "nothing was deleted");

    let deleted = fx.table.delete(Doc::key("a").at_version(2)).await.expect("delete at the stored version");
    assert_eq!(deleted, Some(doc("a", "second", 2)));
    assert_eq!(fx.try_raw(Doc::key("a")).await, None);

    // A missing item: at version 0 the delete is a no-op, at a version > 0 it conflicts.
    assert_eq!(fx.table.delete(Doc::key("a").at_version(0)).await.expect("delete nothing"), None);
    assert_eq!(conflict(fx.table.delete(Doc::key("a").at_version(2)).await), (2, None, None));
}

async fn a_failing_where_at_the_right_version_is_condition_failed(backend: Backend) {
    let fx = Fixture::<Doc>::new(backend, "versions_where").await;
    fx.table.create(&doc("a", "first", 0)).await.expect("create");

    // Right version, own condition false: ConditionFailed with the stored item, not a version conflict.
    let op = update!(Doc: status = "paid"; where status == "pending");
    let stored = condition_failed(fx.table.update(Doc::key("a").at_version(1), op).await);
    assert_eq!(stored, Some(doc("a", "first", 1)));
    let stored = condition_failed(fx.table.put(&doc("a", "x", 1)).when(condition!(Doc: text == "other")).await);
    assert_eq!(stored, Some(doc("a", "first", 1)));
    // Stale version and own condition false: the version is reported.
    let op = update!(Doc: status = "paid"; where status == "pending");
    assert_eq!(
        conflict(fx.table.update(Doc::key("a").at_version(9), op).await),
        (9, Some(1), Some(doc("a", "first", 1)))
    );
    assert_eq!(raw_doc(&fx, "a").await, Some(("first".into(), "draft".into(), Some(1))), "nothing was written");

    // Right version, own condition true: written.
    let op = update!(Doc: status = "paid"; where status == "draft");
    fx.table.update(Doc::key("a").at_version(1), op).await.expect("update");
    assert_eq!(raw_doc(&fx, "a").await, Some(("first".into(), "paid".into(), Some(2))));

    // Version 0 (right) on a missing item, with a condition on the (missing) item that is false: an upsert
    // fails its condition, not its version; an update finds no item.
    let op = upsert!(Doc: text = "new", status = "new"; where status == "paid");
    assert_eq!(condition_failed(fx.table.upsert(Doc::key("m").at_version(0), op).await), None);
    let op = update!(Doc: text = "new"; where status == "paid");
    not_found(fx.table.update(Doc::key("m").at_version(0), op).await);
    assert_eq!(fx.try_raw(Doc::key("m")).await, None);
}

async fn each_write_increments_the_stored_version_once(backend: Backend) {
    let fx = Fixture::<Doc>::new(backend, "versions_once").await;
    let mut expected = 0;
    let mut step = async |what: &str, version: Option<u64>| {
        expected += 1;
        assert_eq!(version, Some(expected), "after {what}");
        assert_eq!(ver(&fx, "a").await, Some(expected), "stored after {what}");
    };

    let created = fx.table.create(&doc("a", "t", 0)).await.expect("create");
    step("create", Some(u64::from(created))).await;
    let put = fx.table.put(&doc("a", "t", 1)).await.expect("put");
    step("put", Some(u64::from(put))).await;
    let put = fx.table.put(&doc("a", "t", 2)).when(condition!(Doc: text == "t")).await.expect("put when");
    step("put when", Some(u64::from(put))).await;
    fx.table.update(Doc::key("a").at_version(3), update!(Doc: text = "u")).await.expect("update");
    step("update", Some(4)).await;
    let new =
        fx.table.update(Doc::key("a").at_version(4), update!(Doc: text = "v")).returning(AllNew).await.expect("new");
    step("update returning AllNew", Some(u64::from(new.version))).await;
    let old =
        fx.table.update(Doc::key("a").at_version(5), update!(Doc: text = "w")).returning(AllOld).await.expect("old");
    step("update returning AllOld", old.map(|d| u64::from(d.version) + 1)).await;
    let updated = fx
        .table
        .update(Doc::key("a").at_version(6), update!(Doc: text = "x"))
        .returning(UpdatedNew)
        .await
        .expect("updated new");
    step("update returning UpdatedNew", version_in(&updated, "ver")).await;
    fx.table.update(Doc::key("a").any_version(), update!(Doc: text = "y")).await.expect("any");
    step("update at any version", Some(8)).await;
    let modified = fx.table.modify(Doc::key("a"), |_| update!(Doc: text = "z")).await.expect("modify");
    assert_eq!(modified.conflicts, 0);
    step("modify", Some(u64::from(modified.value.version))).await;
    // Refused writes move nothing.
    conflict(fx.table.put(&doc("a", "no", 3)).await);
    conflict(fx.table.update(Doc::key("a").at_version(3), update!(Doc: text = "no")).await);
    conflict(fx.table.update(Doc::key("a").at_version(8), update!(Doc: text = "no"; where text == "q")).await);
    condition_failed(fx.table.update(Doc::key("a").at_version(9), update!(Doc: text = "no"; where text == "q")).await);
    assert_eq!(ver(&fx, "a").await, Some(9));
    assert_eq!(fx.stored(Doc::key("a")).await, doc("a", "z", 9));
}

/// Writes the document `id` (text "raw") without the version attribute, as another program would.
async fn put_unversioned(fx: &Fixture<Doc>, id: &str) {
    let item: RawItem = [
        ("id".to_owned(), AttributeValue::S(id.to_owned())),
        ("text".to_owned(), AttributeValue::S("raw".to_owned())),
        ("status".to_owned(), AttributeValue::S("draft".to_owned())),
    ]
    .into();
    fx.put_raw(item).await;
    assert_eq!(raw_doc(fx, id).await, Some(("raw".into(), "draft".into(), None)));
}

async fn an_item_without_the_version_attribute_is_at_version_0(backend: Backend) {
    let fx = Fixture::<Doc>::new(backend, "versions_unversioned").await;

    // Writes expecting version 0 succeed and store version 1.
    put_unversioned(&fx, "put").await;
    fx.table.put(&doc("put", "replaced", 0)).await.expect("put at version 0");
    assert_eq!(raw_doc(&fx, "put").await, Some(("replaced".into(), "draft".into(), Some(1))));

    put_unversioned(&fx, "update").await;
    fx.table.update(Doc::key("update").at_version(0), update!(Doc: text = "updated")).await.expect("update at 0");
    assert_eq!(raw_doc(&fx, "update").await, Some(("updated".into(), "draft".into(), Some(1))));

    put_unversioned(&fx, "any").await;
    fx.table.update(Doc::key("any").any_version(), update!(Doc: text = "any")).await.expect("any_version");
    assert_eq!(raw_doc(&fx, "any").await, Some(("any".into(), "draft".into(), Some(1))));

    // In a transaction: expecting 1 is a conflict with stored version 0, expecting 0 goes through.
    put_unversioned(&fx, "tx").await;
    let result =
        fx.db.transaction().update(&fx.table, Doc::key("tx").at_version(1), update!(Doc: text = "no")).commit().await;
    assert_eq!(canceled(result).actions[0].reason, Reason::VersionConflict { expected: 1, stored: Some(0) });
    assert_eq!(raw_doc(&fx, "tx").await, Some(("raw".into(), "draft".into(), None)));
    fx.db
        .transaction()
        .update(&fx.table, Doc::key("tx").at_version(0), update!(Doc: text = "tx"))
        .commit()
        .await
        .expect("commit at version 0");
    assert_eq!(raw_doc(&fx, "tx").await, Some(("tx".into(), "draft".into(), Some(1))));

    // A version attribute stored as 0 is version 0 too.
    fx.put_raw(HashMap::from([
        ("id".to_owned(), AttributeValue::S("zero".to_owned())),
        ("text".to_owned(), AttributeValue::S("raw".to_owned())),
        ("status".to_owned(), AttributeValue::S("draft".to_owned())),
        ("ver".to_owned(), AttributeValue::N("0".to_owned())),
    ]))
    .await;
    fx.table.update(Doc::key("zero").at_version(0), update!(Doc: text = "zero")).await.expect("update at 0");
    assert_eq!(raw_doc(&fx, "zero").await, Some(("zero".into(), "draft".into(), Some(1))));
}

/// The same, where dynatomic must read the stored item: it reads as version 0.
async fn an_item_without_the_version_attribute_reads_as_version_0(backend: Backend) {
    let fx = Fixture::<Doc>::new(backend, "versions_unversioned_read").await;
    put_unversioned(&fx, "a").await;
    assert_eq!(fx.table.get(Doc::key("a")).await.expect("get"), Some(doc("a", "raw", 0)));

    // A conflict hands it back at version 0, and writes nothing.
    match fx.table.update(Doc::key("a").at_version(1), update!(Doc: text = "no")).await {
        Err(Error::VersionConflict { expected: 1, stored: Some(0), item }) => {
            assert_eq!(stored_item(item), Some(doc("a", "raw", 0)));
        }
        other => panic!("expected VersionConflict {{ expected: 1, stored: Some(0) }}, got {other:?}"),
    }
    assert_eq!(conflict(fx.table.put(&doc("a", "no", 2)).await), (2, Some(0), Some(doc("a", "raw", 0))));
    // create still needs a free key.
    assert_eq!(condition_failed(fx.table.create(&doc("a", "new", 0)).await), Some(doc("a", "raw", 0)));
    assert_eq!(raw_doc(&fx, "a").await, Some(("raw".into(), "draft".into(), None)), "nothing was written");

    // Read-modify-write works on it.
    let modified = fx
        .table
        .modify(Doc::key("a"), |current| {
            let text = format!("{} + edit", current.text);
            update!(Doc: text = text)
        })
        .await
        .expect("modify");
    assert_eq!((modified.value, modified.conflicts), (doc("a", "raw + edit", 1), 0));
    assert_eq!(ver(&fx, "a").await, Some(1));

    // A delete at version 0 returns it as it was.
    put_unversioned(&fx, "a").await;
    let deleted = fx.table.delete(Doc::key("a").at_version(0)).await;
    let gone = fx.try_raw(Doc::key("a")).await.is_none();
    assert_eq!((deleted.expect("delete at version 0"), gone), (Some(doc("a", "raw", 0)), true));
}

/// A `where` that is false is a rule, not a conflict: `modify` returns it at once, without reading again.
async fn modify_returns_a_false_where_at_once(backend: Backend) {
    let fx = Fixture::<Doc>::new(backend, "versions_modify_where").await;
    fx.table.create(&doc("a", "first", 0)).await.expect("create");
    let (_, docs) = with_backoff(&fx, quick(3));

    let mut calls = 0;
    let result = docs
        .modify(Doc::key("a"), |current| {
            calls += 1;
            assert_eq!(current, &doc("a", "first", 1));
            update!(Doc: text = "never"; where status == "archived")
        })
        .await;
    assert_eq!(condition_failed(result), Some(doc("a", "first", 1)));
    assert_eq!(calls, 1, "no retry of a failed condition");
    assert_eq!(raw_doc(&fx, "a").await, Some(("first".into(), "draft".into(), Some(1))), "nothing was written");
}

/// `modify` changes existing items: a missing item is `NotFound`, the closure is not called, nothing is created.
async fn modify_of_a_missing_item_is_not_found(backend: Backend) {
    let fx = Fixture::<Doc>::new(backend, "versions_modify_missing").await;
    let mut calls = 0;
    let result = fx
        .table
        .modify(Doc::key("a"), |_| {
            calls += 1;
            update!(Doc: text = "made", status = "new")
        })
        .await;
    match result {
        Err(Error::NotFound { table }) => assert_eq!(table, fx.table.name()),
        other => panic!("expected NotFound, got {other:?}"),
    }
    assert_eq!(calls, 0, "there was nothing to change");
    assert_eq!(fx.try_raw(Doc::key("a")).await, None, "nothing was created");
}

/// Another writer changes the item between each read and write: `modify` gives up after the backoff's attempts
/// with the last conflict.
async fn modify_gives_up_after_max_attempts_with_the_last_conflict(backend: Backend) {
    let fx = Fixture::<Doc>::new(backend, "versions_modify_gives_up").await;
    fx.table.create(&doc("a", "first", 0)).await.expect("create");
    let intruder = fx.table.clone();
    let overtake = || {
        let write = intruder.update(Doc::key("a").any_version(), update!(Doc: status = "overtaken")).into_future();
        tokio::task::block_in_place(|| tokio::runtime::Handle::current().block_on(write))
            .expect("the other writer's update");
    };

    let (_, docs) = with_backoff(&fx, quick(3));
    let mut seen = Vec::new();
    let result = docs
        .modify(Doc::key("a"), |current| {
            seen.push(current.version);
            overtake();
            update!(Doc: text = "never")
        })
        .await;
    assert_eq!(seen, [1, 2, 3], "one read and one call per attempt, 3 attempts");
    // The last attempt read version 3 and found 4.
    let (expected, stored, item) = conflict(result);
    assert_eq!((expected, stored), (3, Some(4)));
    assert_eq!(item, Some(Doc { status: "overtaken".into(), ..doc("a", "first", 4) }));
    assert_eq!(raw_doc(&fx, "a").await, Some(("first".into(), "overtaken".into(), Some(4))), "modify wrote nothing");

    // One attempt: no retry at all.
    let (_, once) = with_backoff(&fx, quick(1));
    let mut calls = 0;
    let result = once
        .modify(Doc::key("a"), |_| {
            calls += 1;
            overtake();
            update!(Doc: text = "never")
        })
        .await;
    assert_eq!(conflict(result).0, 4);
    assert_eq!(calls, 1);
    assert_eq!(raw_doc(&fx, "a").await, Some(("first".into(), "overtaken".into(), Some(5))));
}

async fn modify_counts_the_conflict_of_a_write_behind_its_back(backend: Backend) {
    let fx = Fixture::<Doc>::new(backend, "versions_modify_conflicts").await;
    fx.table.create(&doc("a", "base", 0)).await.expect("create");
    let (_, docs) = with_backoff(&fx, quick(10));
    let intruder = fx.table.clone();

    let mut seen = Vec::new();
    let retried = docs
        .modify(Doc::key("a"), |current| {
            let current = current.clone();
            if seen.is_empty() {
                // Another writer changes the item between this read and the write.
                let write = intruder.update(Doc::key("a").at_version(1), update!(Doc: text = "intruder")).into_future();
                tokio::task::block_in_place(|| tokio::runtime::Handle::current().block_on(write))
                    .expect("the other writer's update");
            }
            let text = format!("{} + mine", current.text);
            seen.push(current);
            update!(Doc: text = text)
        })
        .await
        .expect("modify");
    assert_eq!(seen, vec![doc("a", "base", 1), doc("a", "intruder", 2)], "it read again after the conflict");
    assert_eq!(retried.conflicts, 1);
    assert_eq!(retried.value, doc("a", "intruder + mine", 3));
    assert_eq!(fx.stored(Doc::key("a")).await, retried.value);
    assert_eq!(ver(&fx, "a").await, Some(3));
}

async fn retry_returns_other_errors_at_once(backend: Backend) {
    let fx = Fixture::<Doc>::new(backend, "versions_retry_other").await;
    fx.table.create(&doc("a", "first", 0)).await.expect("create");
    let (db, docs) = with_backoff(&fx, quick(10));

    let calls = Cell::new(0);
    let result = db
        .retry(|| async {
            calls.set(calls.get() + 1);
            docs.update(Doc::key("a"), update!(Doc: text = "plain key")).await
        })
        .await;
    assert!(matches!(result, Err(Error::InvalidValue(ValueError::VersionRequired))), "{result:?}");
    assert_eq!(calls.get(), 1);

    let missing = db.table_named::<Doc>(unique_table_name("versions_retry_missing"));
    let calls = Cell::new(0);
    let result = db
        .retry(|| async {
            calls.set(calls.get() + 1);
            missing.put(&doc("a", "x", 0)).await
        })
        .await;
    assert!(matches!(&result, Err(Error::Service(e)) if e.kind() == ServiceErrorKind::TableNotFound), "{result:?}");
    assert_eq!(calls.get(), 1);

    // A failed condition is a rule, not a conflict; a missing item is no conflict either.
    let calls = Cell::new(0);
    let result = db
        .retry(|| async {
            calls.set(calls.get() + 1);
            docs.update(Doc::key("a").at_version(1), update!(Doc: text = "x"; where status == "archived")).await
        })
        .await;
    assert_eq!(condition_failed(result), Some(doc("a", "first", 1)));
    assert_eq!(calls.get(), 1);
    let calls = Cell::new(0);
    let result = db
        .retry(|| async {
            calls.set(calls.get() + 1);
            docs.update(Doc::key("missing").at_version(1), update!(Doc: text = "x")).await
        })
        .await;
    not_found(result);
    assert_eq!(calls.get(), 1);

    // A transaction error that is not a conflict: returned at once too.
    let calls = Cell::new(0);
    let result = db
        .retry(|| async {
            calls.set(calls.get() + 1);
            db.transaction().update(&docs, Doc::key("a"), update!(Doc: text = "plain key")).commit().await
        })
        .await;
    assert!(
        matches!(result, Err(TransactionError::InvalidValue { action: 0, source: ValueError::VersionRequired })),
        "{result:?}"
    );
    assert_eq!(calls.get(), 1);
    assert_eq!(raw_doc(&fx, "a").await, Some(("first".into(), "draft".into(), Some(1))));

    // Success on the first attempt: no conflicts.
    let retried = db.retry(|| docs.get(Doc::key("a"))).await.expect("get");
    assert_eq!((retried.value, retried.conflicts), (Some(doc("a", "first", 1)), 0));
}

async fn retry_gives_up_with_the_last_conflict(backend: Backend) {
    let fx = Fixture::<Doc>::new(backend, "versions_retry_gives_up").await;
    fx.table.create(&doc("a", "first", 0)).await.expect("create");
    let (db, docs) = with_backoff(&fx, quick(3));

    // Each attempt reads, lets another writer bump the version, then writes the copy it read: always stale.
    let calls = Cell::new(0);
    let result = db
        .retry(|| async {
            calls.set(calls.get() + 1);
            let calls = calls.get();
            let read = docs.get(Doc::key("a")).await?.expect("the item exists");
            docs.update(Doc::key("a").any_version(), update!(Doc: status = "bumped")).await?;
            docs.put(&Doc { text: format!("attempt {calls}"), ..read }).await
        })
        .await;
    assert_eq!(calls.get(), 3);
    // The last attempt's error: it read version 3 and found 4.
    let (expected, stored, item) = conflict(result);
    assert_eq!((expected, stored), (3, Some(4)));
    assert_eq!(item, Some(Doc { status: "bumped".into(), ..doc("a", "first", 4) }));
    assert_eq!(raw_doc(&fx, "a").await, Some(("first".into(), "bumped".into(), Some(4))));
}

async fn retry_stops_after_max_elapsed(backend: Backend) {
    let fx = Fixture::<Doc>::new(backend, "versions_retry_elapsed").await;
    fx.table.create(&doc("a", "first", 0)).await.expect("create");
    let max_elapsed = Duration::from_millis(150);
    let backoff = Backoff {
        max_attempts: 100_000,
        base: Duration::from_millis(2),
        max_delay: Duration::from_millis(2),
        max_elapsed,
    };
    let (db, docs) = with_backoff(&fx, backoff);

    let calls = Cell::new(0);
    let began = Instant::now();
    let result = db
        .retry(|| async {
            calls.set(calls.get() + 1);
            docs.put(&doc("a", "new", 0)).await // always a conflict: the item exists
        })
        .await;
    let elapsed = began.elapsed();
    assert_eq!(conflict(result), (0, Some(1), Some(doc("a", "first", 1))));
    let calls = calls.get();
    assert!(calls >= 2, "it retried ({calls} attempts)");
    assert!(calls < 100_000, "the time bound stopped it, not the attempts");
    // No attempt starts after max_elapsed; the last one may take a request's time.
    assert!(elapsed < max_elapsed + Duration::from_secs(2), "{elapsed:?} for {calls} attempts");
    assert_eq!(ver(&fx, "a").await, Some(1));
}

async fn retry_counts_the_conflicts_it_retried(backend: Backend) {
    let fx = Fixture::<Doc>::new(backend, "versions_retry_counts").await;
    fx.table.create(&doc("a", "first", 0)).await.expect("create");
    let (db, docs) = with_backoff(&fx, quick(10));

    // The first two attempts are overtaken between their read and their write; the third is not.
    let calls = Cell::new(0);
    let retried = db
        .retry(|| async {
            calls.set(calls.get() + 1);
            let calls = calls.get();
            let read = docs.get(Doc::key("a")).await?.expect("the item exists");
            if calls <= 2 {
                docs.update(Doc::key("a").any_version(), update!(Doc: status = "overtaken")).await?;
            }
            docs.put(&Doc { text: format!("{} + attempt {calls}", read.text), ..read }).await?;
            Ok::<_, Error<Doc>>(calls)
        })
        .await
        .expect("retry");
    assert_eq!((retried.value, retried.conflicts), (3, 2));
    let expected = Doc { status: "overtaken".into(), ..doc("a", "first + attempt 3", 4) };
    assert_eq!(fx.stored(Doc::key("a")).await, expected);

    // A user condition that fails is a rule, not a conflict: it is not retried, even if it would hold on a
    // second attempt.
    let calls = Cell::new(0);
    let result = db
        .retry(|| async {
            calls.set(calls.get() + 1);
            let calls = calls.get();
            let wanted = if calls == 1 { "archived" } else { "overtaken" };
            docs.update(Doc::key("a").at_version(4), update!(Doc: text = "done"; where status == wanted)).await
        })
        .await;
    assert_eq!(condition_failed(result), Some(expected.clone()));
    assert_eq!(calls.get(), 1);
    assert_eq!(fx.stored(Doc::key("a")).await, expected, "nothing was written");
}

/// The canceled actions of a transaction; panics on any other result.
#[track_caller]
fn canceled(result: Result<(), TransactionError>) -> dynatomic::TransactionCanceled {
    match result {
        Err(TransactionError::Canceled(canceled)) => canceled,
        other => panic!("expected a canceled transaction, got {other:?}"),
    }
}

async fn a_transaction_at_a_stale_version_is_canceled_and_writes_nothing(backend: Backend) {
    let fx = Fixture::<Doc>::new(backend, "versions_transaction_stale").await;
    fx.table.create(&doc("a", "a1", 0)).await.expect("create a");
    fx.table.create(&doc("b", "b1", 0)).await.expect("create b");
    fx.table.put(&doc("a", "a2", 1)).await.expect("put a");

    // a is at 2, the transaction expects 1.
    let result = fx
        .db
        .transaction()
        .update(&fx.table, Doc::key("a").at_version(1), update!(Doc: text = "tx"))
        .update(&fx.table, Doc::key("b").at_version(1), update!(Doc: text = "tx"))
        .commit()
        .await;
    let canceled = canceled(result);
    assert_eq!(canceled.actions.len(), 2);
    assert_eq!(canceled.actions[0].reason, Reason::VersionConflict { expected: 1, stored: Some(2) });
    assert_eq!(canceled.actions[0].stored_item::<Doc>(), Some(&doc("a", "a2", 2)));
    assert_eq!(canceled.actions[1].reason, Reason::None);
    let message = canceled.to_string();
    // A failed check says all there is: no backend message ("The conditional request failed") after it.
    assert!(message.ends_with("version conflict: expected version 1, stored version 2"), "{message}");
    assert_eq!(raw_doc(&fx, "a").await, Some(("a2".into(), "draft".into(), Some(2))), "nothing was written");
    assert_eq!(raw_doc(&fx, "b").await, Some(("b1".into(), "draft".into(), Some(1))), "nothing was written");

    // At the right versions: both incremented once.
    fx.db
        .transaction()
        .update(&fx.table, Doc::key("a").at_version(2), update!(Doc: text = "tx"))
        .update(&fx.table, Doc::key("b").at_version(1), update!(Doc: text = "tx"))
        .commit()
        .await
        .expect("commit at the right versions");
    assert_eq!(raw_doc(&fx, "a").await, Some(("tx".into(), "draft".into(), Some(3))));
    assert_eq!(raw_doc(&fx, "b").await, Some(("tx".into(), "draft".into(), Some(2))));
}

async fn every_transaction_action_checks_the_version(backend: Backend) {
    let fx = Fixture::<Doc>::new(backend, "versions_transaction_kinds").await;
    for id in ["a", "b", "c", "d"] {
        fx.table.create(&doc(id, id, 0)).await.expect("create");
    }
    let everything = async || {
        let mut all = Vec::new();
        for id in ["a", "b", "c", "d", "e", "m"] {
            all.push(raw_doc(&fx, id).await);
        }
        all
    };
    let before = everything().await;
    // Each failing action next to one that would succeed (an update of d at its version).
    let ok = || update!(Doc: status = "touched");
    let tx = || fx.db.transaction().update(&fx.table, Doc::key("d").at_version(1), ok());
    let cases = [
        (
            "update at a stale version",
            tx().update(&fx.table, Doc::key("a").at_version(0), update!(Doc: text = "x")),
            Reason::VersionConflict { expected: 0, stored: Some(1) },
        ),
        (
            "update of a missing item at version 3",
            tx().update(&fx.table, Doc::key("m").at_version(3), update!(Doc: text = "x")),
            Reason::NotFound,
        ),
        (
            "upsert of a missing item at version 3",
            tx().upsert(&fx.table, Doc::key("m").at_version(3), upsert!(Doc: text = "x", status = "x")),
            Reason::VersionConflict { expected: 3, stored: None },
        ),
        (
            "upsert at a stale version",
            tx().upsert(&fx.table, Doc::key("a").at_version(2), upsert!(Doc: text = "x", status = "x")),
            Reason::VersionConflict { expected: 2, stored: Some(1) },
        ),
        (
            "put of a new item where one exists",
            tx().put(&fx.table, &doc("a", "x", 0)),
            Reason::VersionConflict { expected: 0, stored: Some(1) },
        ),
        (
            "put at a stale version",
            tx().put(&fx.table, &doc("b", "x", 2)),
            Reason::VersionConflict { expected: 2, stored: Some(1) },
        ),
        (
            "put_if at the right version, condition false",
            tx().put_if(&fx.table, &doc("b", "x", 1), condition!(Doc: status == "x")),
            Reason::ConditionFailed,
        ),
        ("create of an existing item", tx().create(&fx.table, &doc("c", "x", 0)), Reason::ConditionFailed),
        (
            "delete at a stale version",
            tx().delete(&fx.table, Doc::key("c").at_version(2)),
            Reason::VersionConflict { expected: 2, stored: Some(1) },
        ),
        (
            "delete_if at a stale version",
            tx().delete_if(&fx.table, Doc::key("c").at_version(5), condition!(Doc: status == "draft")),
            Reason::VersionConflict { expected: 5, stored: Some(1) },
        ),
        (
            "check at a stale version",
            tx().check(&fx.table, Doc::key("a").at_version(7), condition!(Doc: status == "draft")),
            Reason::VersionConflict { expected: 7, stored: Some(1) },
        ),
        (
            "update at the right version, own where false",
            tx().update(&fx.table, Doc::key("a").at_version(1), update!(Doc: text = "x"; where status == "paid")),
            Reason::ConditionFailed,
        ),
    ];
    for (what, transaction, reason) in cases {
        let canceled = canceled(transaction.commit().await);
        assert_eq!(canceled.actions[0].reason, Reason::None, "{what}");
        assert_eq!(canceled.actions[1].reason, reason, "{what}");
        assert_eq!(everything().await, before, "{what}: nothing was written");
    }

    // A plain key on a versioned write is refused before sending; a condition check writes nothing and
    // needs no version.
    let result = tx().update(&fx.table, Doc::key("a"), update!(Doc: text = "x")).commit().await;
    assert!(
        matches!(result, Err(TransactionError::InvalidValue { action: 1, source: ValueError::VersionRequired })),
        "{result:?}"
    );
    let result = tx().delete(&fx.table, Doc::key("a")).commit().await;
    assert!(
        matches!(result, Err(TransactionError::InvalidValue { action: 1, source: ValueError::VersionRequired })),
        "{result:?}"
    );
    assert_eq!(everything().await, before);

    // Every kind at the right version: each written item's version moves by exactly one.
    fx.db
        .transaction()
        .update(&fx.table, Doc::key("a").at_version(1), update!(Doc: text = "a2"))
        .put(&fx.table, &doc("b", "b2", 1))
        .delete(&fx.table, Doc::key("c").at_version(1))
        .check(&fx.table, Doc::key("d"), condition!(Doc: status == "draft"))
        .create(&fx.table, &doc("e", "e1", 0))
        .upsert(&fx.table, Doc::key("m").at_version(0), upsert!(Doc: text = "m1", status = "new"))
        .commit()
        .await
        .expect("commit");
    assert_eq!(
        everything().await,
        vec![
            Some(("a2".into(), "draft".into(), Some(2))),
            Some(("b2".into(), "draft".into(), Some(2))),
            None,
            Some(("d".into(), "draft".into(), Some(1))),
            Some(("e1".into(), "draft".into(), Some(1))),
            Some(("m1".into(), "new".into(), Some(1))),
        ]
    );
    // A check at the right version passes and writes nothing.
    fx.db
        .transaction()
        .check(&fx.table, Doc::key("d").at_version(1), condition!(Doc: status == "draft"))
        .update(&fx.table, Doc::key("e").any_version(), update!(Doc: text = "e2"))
        .commit()
        .await
        .expect("commit");
    assert_eq!(raw_doc(&fx, "d").await, Some(("d".into(), "draft".into(), Some(1))));
    assert_eq!(raw_doc(&fx, "e").await, Some(("e2".into(), "draft".into(), Some(2))));
}

async fn retry_retries_a_transaction_canceled_for_a_version_conflict(backend: Backend) {
    let fx = Fixture::<Doc>::new(backend, "versions_transaction_retry").await;
    fx.table.create(&doc("a", "a", 0)).await.expect("create a");
    fx.table.create(&doc("b", "b", 0)).await.expect("create b");
    let (db, docs) = with_backoff(&fx, quick(10));

    let calls = Cell::new(0);
    let retried = db
        .retry(|| async {
            calls.set(calls.get() + 1);
            let calls = calls.get();
            let mut reads = db.read_transaction();
            let (a, b) = (reads.get(&docs, Doc::key("a")), reads.get(&docs, Doc::key("b")));
            let snapshot = reads.send().await?;
            let (a, b) = (snapshot.get(&a)?.expect("a"), snapshot.get(&b)?.expect("b"));
            if calls == 1 {
                docs.update(Doc::key("b").any_version(), update!(Doc: status = "overtaken"))
                    .await
                    .expect("the other writer's update");
            }
            // Swap the texts, at the versions read.
            db.transaction()
                .update(&docs, Doc::key("a").at_version(a.version.into()), update!(Doc: text = b.text))
                .update(&docs, Doc::key("b").at_version(b.version.into()), update!(Doc: text = a.text))
                .commit()
                .await?;
            Ok::<_, TransactionError>(calls)
        })
        .await
        .expect("retry");
    assert_eq!((retried.value, retried.conflicts), (2, 1));
    assert_eq!(raw_doc(&fx, "a").await, Some(("b".into(), "draft".into(), Some(2))));
    assert_eq!(raw_doc(&fx, "b").await, Some(("a".into(), "overtaken".into(), Some(3))));
}

async fn a_version_at_the_largest_number_of_its_field_is_refused(backend: Backend) {
    let fx = Fixture::<Doc>::new(backend, "versions_overflow").await;
    fn overflow<R>(result: Result<R, Error<Doc>>) -> bool {
        matches!(result, Err(Error::InvalidValue(ValueError::VersionOverflow)))
    }
    // `Doc::version` is a u32: the item at u32::MAX cannot be written again.
    let last = doc("a", "last", u32::MAX);
    assert!(overflow(fx.table.put(&last).await), "a put at u32::MAX is refused");
    let update = fx.table.update(Doc::key("a").at_version(u64::from(u32::MAX)), update!(Doc: text = "x")).await;
    assert!(overflow(update), "an update at u32::MAX is refused");
    assert!(fx.try_raw(Doc::key("a")).await.is_none(), "nothing was sent");
    // One below, it is written at u32::MAX and reads back.
    fx.put_raw(HashMap::from([
        ("id".to_owned(), AttributeValue::S("a".to_owned())),
        ("text".to_owned(), AttributeValue::S("before".to_owned())),
        ("status".to_owned(), AttributeValue::S("draft".to_owned())),
        ("ver".to_owned(), AttributeValue::N((u32::MAX - 1).to_string())),
    ]))
    .await;
    assert_eq!(fx.table.put(&doc("a", "last", u32::MAX - 1)).await.expect("the last version"), u32::MAX);
    assert_eq!(fx.stored(Doc::key("a")).await, doc("a", "last", u32::MAX));

    // `any_version` does not know the stored version before sending: the backend refuses the increment past
    // u32::MAX with the same error, and nothing is written.
    let any = fx.table.update(Doc::key("a").any_version(), update!(Doc: text = "past the end")).await;
    assert!(overflow(any), "an any_version update at u32::MAX is refused");
    let result =
        fx.db.transaction().update(&fx.table, Doc::key("a").any_version(), update!(Doc: text = "x")).commit().await;
    assert_eq!(canceled(result).actions[0].reason, Reason::VersionOverflow);
    // A delete at any version increments nothing: a false condition of it is only that.
    let delete = fx.table.delete(Doc::key("a").any_version()).when(condition!(Doc: status == "done")).await;
    assert!(matches!(delete, Err(Error::ConditionFailed { .. })), "{delete:?}");
    assert_eq!(fx.stored(Doc::key("a")).await, doc("a", "last", u32::MAX), "nothing was written");
}
