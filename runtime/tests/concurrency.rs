//! Concurrent writers on one item: counters lose no increment, guarded decrements never oversell, and a write
//! that depends on what was read (`Key::if_unchanged`) is refused when another writer changed the item in
//! between, and redone by `modify` and `Db::retry`.

mod common;

use std::cell::Cell;
use std::future::IntoFuture;
use std::sync::Arc;
use std::sync::atomic::{AtomicU32, Ordering};
use std::time::Duration;

use common::{Backend, Fixture, Product, stored_item};
use dynatomic::AttributeValue;
use dynatomic::{Backoff, Conflict, Error, Item, Reason, Table, TransactionError, update};
use tokio::sync::Barrier;

on_both_backends!(
    #[tokio::test(flavor = "multi_thread", worker_threads = 4)]
    counters_lose_no_increment,
    guarded_decrements_never_oversell,
    modify_of_unversioned_items_loses_no_update
);

on_both_backends!(
    if_unchanged_refuses_a_write_on_an_item_changed_since_read,
    if_unchanged_takes_a_missing_attribute_read_as_its_default_as_unchanged,
    if_unchanged_guards_an_item_that_is_only_its_key,
    retry_redoes_a_transaction_whose_read_item_changed
);

const TASKS: usize = 32;

/// Runs `work` in `TASKS` tasks that start together, and returns their results in task order.
async fn race<R, F>(table: &Table<Product>, work: impl Fn(Table<Product>) -> F) -> Vec<R>
where
    R: Send + 'static,
    F: Future<Output = R> + Send + 'static,
{
    let start = Arc::new(Barrier::new(TASKS));
    let tasks: Vec<_> = (0..TASKS)
        .map(|_| {
            let (start, job) = (start.clone(), work(table.clone()));
            tokio::spawn(async move {
                start.wait().await;
                job.await
            })
        })
        .collect();
    let mut results = Vec::with_capacity(TASKS);
    for task in tasks {
        results.push(task.await.expect("task panicked"));
    }
    results
}

async fn counters_lose_no_increment(backend: Backend) {
    const PER_TASK: u64 = 100;
    let fx = Fixture::<Product>::new(backend, "concurrent_counter").await;
    let sample = Product::sample("hot");
    fx.table.put(&sample).await.expect("put");

    race(&fx.table, |table| async move {
        for _ in 0..PER_TASK {
            table.update(Product::key("hot"), update!(Product: hits += 1)).await.expect("increment");
        }
    })
    .await;

    let stored = fx.stored(sample.item_key()).await;
    assert_eq!(stored.hits, TASKS as u64 * PER_TASK);
    assert_eq!(stored, Product { hits: 3200, ..sample });
}

async fn guarded_decrements_never_oversell(backend: Backend) {
    let fx = Fixture::<Product>::new(backend, "concurrent_stock").await;
    let sample = Product { stock: 20, ..Product::sample("scarce") };
    fx.table.put(&sample).await.expect("put");

    let results = race(&fx.table, |table| async move {
        table.update(Product::key("scarce"), update!(Product: stock -= 1; where stock >= 1)).await
    })
    .await;

    let mut sold = 0;
    let mut refused = 0;
    for result in results {
        match result {
            Ok(()) => sold += 1,
            Err(Error::ConditionFailed { stored: Some(stored), .. }) => {
                let stock = stored.item().expect("the stored product").stock;
                assert_eq!(stock, 0, "a decrement is refused only when the stock is gone");
                refused += 1;
            }
            Err(other) => panic!("unexpected error: {other:?}"),
        }
    }
    assert_eq!((sold, refused), (20, 12));
    assert_eq!(fx.stored(sample.item_key()).await, Product { stock: 0, ..sample });
}

/// Two OS threads, each with its own runtime, add 1 to one counter 100,000 times each on the memory backend:
/// every single-item write is atomic, so none is lost.
#[test]
fn memory_counters_are_exact_across_threads() {
    const PER_THREAD: u64 = 100_000;
    let runtime = || tokio::runtime::Builder::new_current_thread().build().expect("a runtime");
    let fx = runtime().block_on(Fixture::<Product>::new(Backend::Memory, "threads"));
    let sample = Product::sample("hot");
    runtime().block_on(fx.table.put(&sample).into_future()).expect("put");

    let threads: Vec<_> = (0..2)
        .map(|_| {
            let table = fx.table.clone();
            std::thread::spawn(move || {
                runtime().block_on(async {
                    for _ in 0..PER_THREAD {
                        table.update(Product::key("hot"), update!(Product: hits += 1)).await.expect("increment");
                    }
                })
            })
        })
        .collect();
    for thread in threads {
        thread.join().expect("thread panicked");
    }
    let stored = runtime().block_on(fx.stored(sample.item_key()));
    assert_eq!(stored, Product { hits: 2 * PER_THREAD, ..sample });
}

/// `Key::if_unchanged(&read)` on an item without a version: the write goes through while the stored item is
/// the one read, and is refused with `Error::Changed` (a conflict) once another writer changed any attribute,
/// set one that was absent, or deleted the item.
async fn if_unchanged_refuses_a_write_on_an_item_changed_since_read(backend: Backend) {
    let fx = Fixture::<Product>::new(backend, "if_unchanged").await;
    let sample = Product::sample("p");
    fx.table.put(&sample).await.expect("put");
    let key = || sample.item_key();
    let changed = |result: Result<(), Error<Product>>| match result {
        Err(error @ Error::Changed { .. }) => {
            assert!(error.is_conflict(), "a changed item is a conflict");
            let Error::Changed { stored } = error else { unreachable!() };
            stored_item(stored)
        }
        other => panic!("expected Changed, got {other:?}"),
    };

    // Unchanged since read: written.
    let read = fx.stored(key()).await;
    fx.table.update(key().if_unchanged(&read), update!(Product: stock -= 1)).await.expect("unchanged");
    assert_eq!(fx.stored(key()).await.stock, 9);

    // `read` is stale now: refused with the item as stored, nothing written.
    let stored = changed(fx.table.update(key().if_unchanged(&read), update!(Product: stock -= 1)).await);
    assert_eq!(stored, Some(Product { stock: 9, ..sample.clone() }));
    let stored = changed(fx.table.delete(key().if_unchanged(&read)).await.map(drop));
    assert_eq!(stored.map(|p| p.stock), Some(9));
    assert_eq!(fx.stored(key()).await.stock, 9, "nothing was written");

    // An attribute that was absent when read (`note`) and is set since.
    let read = fx.stored(key()).await;
    fx.table.update(key(), update!(Product: note = "set by another writer")).await.expect("another writer");
    let stored = changed(fx.table.update(key().if_unchanged(&read), update!(Product: stock = 0)).await);
    assert_eq!(stored.and_then(|p| p.note).as_deref(), Some("set by another writer"));
    // A failed `where` of a write on an unchanged item is still a failed condition, not a conflict.
    let read = fx.stored(key()).await;
    let result = fx.table.update(key().if_unchanged(&read), update!(Product: stock -= 100; where stock >= 100)).await;
    match result {
        Err(error @ Error::ConditionFailed { .. }) => assert!(!error.is_conflict(), "a rule, not a conflict"),
        other => panic!("expected ConditionFailed, got {other:?}"),
    }

    // Deleted since read: a delete finds it changed (there is nothing stored), an update finds no item.
    fx.table.delete(key()).await.expect("another writer deletes it");
    assert_eq!(changed(fx.table.delete(key().if_unchanged(&read)).await.map(drop)), None);
    let result = fx.table.update(key().if_unchanged(&read), update!(Product: stock = 0)).await;
    assert!(matches!(result, Err(Error::NotFound { .. })), "{result:?}");
    assert_eq!(fx.try_raw(key()).await, None, "nothing was written");

    // In a transaction: the action is canceled with `Reason::Changed`, a conflict.
    fx.table.put(&sample).await.expect("put");
    let read = fx.stored(key()).await;
    fx.table.update(key(), update!(Product: hits += 1)).await.expect("another writer");
    let result = fx
        .db
        .transaction()
        .update(&fx.table, key().if_unchanged(&read), update!(Product: stock -= 1))
        .put(&fx.table, &Product::sample("q"))
        .commit()
        .await;
    let Err(error @ TransactionError::Canceled(_)) = result else { panic!("expected a cancellation, got {result:?}") };
    assert!(error.is_conflict(), "canceled only because the item changed: a conflict");
    let TransactionError::Canceled(canceled) = error else { unreachable!() };
    let reasons: Vec<Reason> = canceled.actions.iter().map(|a| a.reason.clone()).collect();
    assert_eq!(reasons, [Reason::Changed, Reason::None]);
    assert!(canceled.only_checks_failed());
    assert_eq!(canceled.actions[0].stored_item::<Product>().map(|p| p.hits), Some(1));
    assert_eq!(fx.stored(key()).await, Product { hits: 1, ..sample.clone() }, "nothing was written");
    assert_eq!(fx.table.get(Product::key("q")).await.expect("get"), None, "nothing was written");
}

/// A user's settings: a missing `theme` or `logins` reads as its default.
#[derive(Item, Debug, Clone, PartialEq)]
struct Settings {
    #[dynatomic(partition_key)]
    user: String,
    #[dynatomic(default)]
    theme: String,
    #[dynatomic(default)]
    logins: u64,
}

/// An item that is only its key.
#[derive(Item, Debug, Clone, PartialEq)]
struct Marker {
    #[dynatomic(partition_key)]
    id: String,
}

/// An attribute read as its `#[dynatomic(default)]` value may be missing or hold that value: both are the item
/// as read, and setting it to anything else is a change.
async fn if_unchanged_takes_a_missing_attribute_read_as_its_default_as_unchanged(backend: Backend) {
    let fx = Fixture::<Settings>::new(backend, "if_unchanged_default").await;
    fx.put_raw([("user".to_owned(), AttributeValue::S("u".to_owned()))].into()).await;
    let read = fx.stored(Settings::key("u")).await;
    assert_eq!(read, Settings { user: "u".into(), theme: String::new(), logins: 0 });

    // `logins` was missing and is written; `theme` is still missing.
    fx.table.update(Settings::key("u").if_unchanged(&read), update!(Settings: logins += 1)).await.expect("unchanged");
    // Now `logins` is stored as 1: the first read is stale.
    let result = fx.table.update(Settings::key("u").if_unchanged(&read), update!(Settings: logins += 1)).await;
    assert!(matches!(result, Err(Error::Changed { .. })), "{result:?}");

    // `theme` stored as its default value reads the same as missing: unchanged.
    let read = fx.stored(Settings::key("u")).await;
    fx.table.update(Settings::key("u"), update!(Settings: theme = "")).await.expect("another writer");
    fx.table.update(Settings::key("u").if_unchanged(&read), update!(Settings: logins += 1)).await.expect("unchanged");

    // Another value is a change.
    let read = fx.stored(Settings::key("u")).await;
    fx.table.update(Settings::key("u"), update!(Settings: theme = "dark")).await.expect("another writer");
    match fx.table.update(Settings::key("u").if_unchanged(&read), update!(Settings: logins += 1)).await {
        Err(Error::Changed { stored }) => assert_eq!(stored_item(stored).map(|s| s.theme).as_deref(), Some("dark")),
        other => panic!("expected Changed, got {other:?}"),
    }
    assert_eq!(fx.stored(Settings::key("u")).await, Settings { user: "u".into(), theme: "dark".into(), logins: 2 });
}

/// An item with no attribute but its key is unchanged while it exists.
async fn if_unchanged_guards_an_item_that_is_only_its_key(backend: Backend) {
    let fx = Fixture::<Marker>::new(backend, "if_unchanged_key_only").await;
    let marker = Marker { id: "m".into() };
    fx.table.put(&marker).await.expect("put");
    let read = fx.stored(Marker::key("m")).await;
    fx.table.delete(Marker::key("m").if_unchanged(&read)).await.expect("unchanged");
    match fx.table.delete(Marker::key("m").if_unchanged(&read)).await {
        Err(Error::Changed { stored: None }) => {}
        other => panic!("expected Changed with nothing stored, got {other:?}"),
    }
}

/// `Db::retry` around a transfer that decides on what it read: the first attempt is overtaken between its read
/// and its write, its transaction is canceled for the changed item, and the second attempt redoes it on
/// fresh data.
async fn retry_redoes_a_transaction_whose_read_item_changed(backend: Backend) {
    let fx = Fixture::<Product>::new(backend, "retry_if_unchanged").await;
    fx.table.put(&Product { stock: 100, ..Product::sample("a") }).await.expect("put a");
    fx.table.put(&Product { stock: 0, ..Product::sample("b") }).await.expect("put b");
    let db = fx.db.clone().with_backoff(Backoff { base: Duration::from_millis(1), ..Backoff::default() });
    let table = db.table_named::<Product>(fx.table.name().to_owned());

    let calls = Cell::new(0);
    let moved = db
        .retry(|| async {
            calls.set(calls.get() + 1);
            let mut reads = db.read_transaction();
            let a = reads.get(&table, Product::key("a"));
            let read = reads.send().await?.get(&a)?.expect("a exists");
            if calls.get() == 1 {
                // Another writer takes 20 from a after this attempt read it.
                table.update(Product::key("a"), update!(Product: stock -= 20)).await.expect("the other writer");
            }
            let tenth = read.stock / 10;
            db.transaction()
                .update(&table, Product::key("a").if_unchanged(&read), update!(Product: stock -= tenth))
                .update(&table, Product::key("b"), update!(Product: stock += tenth))
                .commit()
                .await
                .map(|()| tenth)
        })
        .await
        .expect("the second attempt goes through");
    assert_eq!((moved.value, moved.conflicts, calls.get()), (8, 1, 2), "a tenth of the 80 left, on the second try");
    assert_eq!(fx.stored(Product::key("a")).await.stock, 72);
    assert_eq!(fx.stored(Product::key("b")).await.stock, 8);
}

/// Read-modify-write of an item without a version by several tasks at once: `modify` guards each write with
/// `if_unchanged`, so a plain assignment of the value read plus one loses no increment.
async fn modify_of_unversioned_items_loses_no_update(backend: Backend) {
    const WRITERS: usize = 8;
    const EACH: u64 = 25;
    let fx = Fixture::<Product>::new(backend, "modify_unversioned").await;
    let sample = Product::sample("hot");
    fx.table.put(&sample).await.expect("put");
    let backoff = Backoff {
        max_attempts: 1000,
        base: Duration::from_millis(1),
        max_delay: Duration::from_millis(20),
        max_elapsed: Duration::from_secs(60),
    };
    let table = fx.db.clone().with_backoff(backoff).table_named::<Product>(fx.table.name().to_owned());

    let start = Arc::new(Barrier::new(WRITERS));
    let calls = Arc::new(AtomicU32::new(0));
    let tasks: Vec<_> = (0..WRITERS)
        .map(|_| {
            let (table, start, calls) = (table.clone(), start.clone(), calls.clone());
            tokio::spawn(async move {
                start.wait().await;
                let mut conflicts = 0;
                for _ in 0..EACH {
                    let retried = table
                        .modify(Product::key("hot"), |current| {
                            calls.fetch_add(1, Ordering::Relaxed);
                            // Only the guard keeps two writers that read the same count from both writing it + 1.
                            let hits = current.hits + 1;
                            update!(Product: hits = hits)
                        })
                        .await
                        .expect("no writer gives up");
                    conflicts += retried.conflicts;
                }
                conflicts
            })
        })
        .collect();
    let mut conflicts = 0;
    for task in tasks {
        conflicts += task.await.expect("task panicked");
    }
    println!("{backend:?}: {WRITERS} writers x {EACH} modify of an unversioned item, {conflicts} changes retried");
    let total = WRITERS as u64 * EACH;
    assert_eq!(fx.stored(sample.item_key()).await, Product { hits: total, ..sample });
    assert_eq!(u64::from(calls.load(Ordering::Relaxed)), total + u64::from(conflicts), "one call per attempt");
}
