//! Batch writes and reads: chunking, order of the answers, duplicates, and what is refused before sending.

mod common;

use common::{Backend, Doc, Event, Fixture, Product, unique_table_name};
use dynatomic::{Error, Item, ServiceErrorKind, ValueError};

on_both_backends!(
    batch_put_then_batch_get_in_order,
    batch_put_replaces_and_batch_delete_removes,
    sort_keys_tell_batch_entries_apart,
    empty_batches_send_nothing,
    duplicate_keys_are_refused_with_their_positions,
    invalid_entries_are_refused_with_their_position,
    a_batch_on_a_missing_table_is_reported_as_such,
    checked_batches_check_each_version
);

fn product(i: usize) -> Product {
    Product { stock: i as i64, note: Some(format!("item {i}")), ..Product::sample(&format!("p{i}")) }
}

/// The `i`th versioned document, which only the checked batch writes can write.
fn doc(i: usize, text: &str, version: u64) -> Doc {
    Doc::new(format!("d{i}"), text, version)
}

fn event(pk: &str, sk: &str, count: i64) -> Event {
    Event { pk: pk.into(), sk: sk.into(), count, note: None }
}

/// 60 items (three write requests), then 130 keys (110 distinct: two read requests): present, absent and
/// repeated keys, answered in the order of the keys.
async fn batch_put_then_batch_get_in_order(backend: Backend) {
    let fx = Fixture::<Product>::new(backend, "batch_get").await;
    let items: Vec<Product> = (0..60).map(product).collect();
    fx.table.batch_put(&items).await.expect("batch_put");
    for i in [0, 24, 25, 49, 50, 59] {
        assert_eq!(fx.stored(Product::key(format!("p{i}"))).await, product(i), "p{i}");
    }

    // Keys: p0..p59 backwards, absent ones interleaved (a0..a49), and 20 repeats of present keys.
    let mut keys: Vec<String> = Vec::new();
    for i in (0..60).rev() {
        keys.push(format!("p{i}"));
        if i % 6 == 0 {
            keys.push(format!("p{}", (i * 7) % 60));
            keys.push(format!("p{}", (i * 7 + 3) % 60));
        }
        if i < 50 {
            keys.push(format!("a{i}"));
        }
    }
    assert_eq!(keys.len(), 130);
    let distinct: std::collections::HashSet<&String> = keys.iter().collect();
    assert_eq!(distinct.len(), 110);

    let found = fx.table.batch_get(keys.iter().map(|k| Product::key(k.as_str()))).await.expect("batch_get");
    assert_eq!(found.len(), keys.len());
    for (position, (key, item)) in keys.iter().zip(&found).enumerate() {
        match key.strip_prefix('p') {
            Some(i) => assert_eq!(item.as_ref(), Some(&product(i.parse().expect("a number"))), "at {position}"),
            None => assert_eq!(item, &None, "{key} at {position}"),
        }
    }
    assert_eq!(found.iter().flatten().count(), 80);
}

async fn batch_put_replaces_and_batch_delete_removes(backend: Backend) {
    let fx = Fixture::<Product>::new(backend, "batch_delete").await;
    fx.table.batch_put(&(0..60).map(product).collect::<Vec<_>>()).await.expect("batch_put");

    // A second batch replaces whole items.
    let replaced: Vec<Product> =
        (0..30).map(|i| Product { stock: 1000 + i, note: None, ..Product::sample(&format!("p{i}")) }).collect();
    fx.table.batch_put(&replaced).await.expect("batch_put over");
    assert_eq!(fx.stored(Product::key("p7")).await, replaced[7]);
    assert_eq!(fx.stored(Product::key("p37")).await, product(37));

    // Delete the even ones (30 keys: two requests) and keys that have no item.
    let keys = (0..60).step_by(2).map(|i| format!("p{i}")).chain(["none-1".into(), "none-2".into()]);
    fx.table.batch_delete(keys.map(Product::key)).await.expect("batch_delete");
    let found = fx.table.batch_get((0..60).map(|i| Product::key(format!("p{i}")))).await.expect("batch_get");
    for (i, item) in found.iter().enumerate() {
        match i % 2 {
            0 => assert_eq!(item, &None, "p{i} was deleted"),
            _ if i < 30 => assert_eq!(item.as_ref(), Some(&replaced[i]), "p{i}"),
            _ => assert_eq!(item.as_ref(), Some(&product(i)), "p{i}"),
        }
    }
    assert_eq!(fx.try_raw(Product::key("p0")).await, None);
    assert!(fx.try_raw(Product::key("p1")).await.is_some());
}

async fn sort_keys_tell_batch_entries_apart(backend: Backend) {
    let fx = Fixture::<Event>::new(backend, "batch_sort_keys").await;
    let events = [event("e", "a", 1), event("e", "b", 2), event("f", "a", 3), event("1", "1", 4)];
    fx.table.batch_put(&events).await.expect("one partition key with two sort keys is two items");
    let found = fx
        .table
        .batch_get([Event::key("f", "a"), Event::key("e", "b"), Event::key("e", "c"), Event::key("e", "a")])
        .await
        .expect("batch_get");
    assert_eq!(found, [Some(events[2].clone()), Some(events[1].clone()), None, Some(events[0].clone())]);

    let result = fx.table.batch_put(&[event("g", "a", 1), event("e", "b", 9), event("e", "b", 8)]).await;
    assert!(matches!(result, Err(Error::DuplicateKey { first: 1, second: 2 })), "{result:?}");
    assert_eq!(fx.stored(Event::key("e", "b")).await, events[1], "nothing was written");
    assert_eq!(fx.table.get(Event::key("g", "a")).await.expect("get"), None);

    fx.table.batch_delete([Event::key("e", "a"), Event::key("1", "1")]).await.expect("batch_delete");
    let found = fx.table.batch_get(events.iter().map(|e| e.item_key())).await.expect("batch_get");
    assert_eq!(found, [None, Some(events[1].clone()), Some(events[2].clone()), None]);
}

async fn empty_batches_send_nothing(backend: Backend) {
    let fx = Fixture::<Product>::new(backend, "batch_empty").await;
    fx.table.batch_put(&[]).await.expect("an empty batch_put");
    fx.table.batch_delete([]).await.expect("an empty batch_delete");
    assert_eq!(fx.table.batch_get([]).await.expect("an empty batch_get"), []);
}

async fn duplicate_keys_are_refused_with_their_positions(backend: Backend) {
    let fx = Fixture::<Product>::new(backend, "batch_duplicates").await;
    fx.table.put(&product(9)).await.expect("put");

    // a, b, c, b, a: the first repeat is b, at 3, of the b at 1.
    let items: Vec<Product> = [0, 1, 2, 1, 0].into_iter().map(product).collect();
    let error = fx.table.batch_put(&items).await.expect_err("duplicate keys");
    assert!(matches!(error, Error::DuplicateKey { first: 1, second: 3 }), "{error:?}");
    // Found before anything is sent, also past the first request of 25.
    let mut items: Vec<Product> = (10..40).map(product).collect();
    items.push(product(12));
    let error = fx.table.batch_put(&items).await.expect_err("a duplicate in the second request");
    assert!(matches!(error, Error::DuplicateKey { first: 2, second: 30 }), "{error:?}");
    for i in [0, 1, 2, 10, 12, 39] {
        assert_eq!(fx.try_raw(Product::key(format!("p{i}"))).await, None, "p{i} was written");
    }

    let error = fx.table.batch_delete(["p9", "p8", "p9"].map(Product::key)).await.expect_err("a key deleted twice");
    assert!(matches!(error, Error::DuplicateKey { first: 0, second: 2 }), "{error:?}");
    assert_eq!(fx.stored(Product::key("p9")).await, product(9), "nothing was deleted");

    // Reading a key twice is allowed.
    let found = fx.table.batch_get(["p9", "p9"].map(Product::key)).await.expect("batch_get");
    assert_eq!(found, [Some(product(9)), Some(product(9))]);
}

async fn invalid_entries_are_refused_with_their_position(backend: Backend) {
    let fx = Fixture::<Product>::new(backend, "batch_invalid").await;

    // An empty key at 4.
    let mut items: Vec<Product> = (0..6).map(product).collect();
    items[4].pk = String::new();
    let error = fx.table.batch_put(&items).await.expect_err("an empty key");
    match &error {
        Error::InvalidEntry { index: 4, source: source @ ValueError::EmptyKey(attribute) } => {
            assert_eq!(attribute, "pk");
            assert!(source.to_string().contains("`pk` is empty"), "{source}");
        }
        other => panic!("expected InvalidEntry 4, got {other:?}"),
    }

    // An item over 400 KB at 30, in the second request.
    let mut items: Vec<Product> = (0..40).map(product).collect();
    items[30].note = Some("x".repeat(410_000));
    let error = fx.table.batch_put(&items).await.expect_err("an item over 400 KB");
    match &error {
        Error::InvalidEntry { index: 30, source: source @ ValueError::ItemTooLarge { size } } => {
            assert!((410_000..411_000).contains(size), "{size}");
            assert!(source.to_string().contains("400 KB"), "{source}");
        }
        other => panic!("expected InvalidEntry 30, got {other:?}"),
    }
    // An item just under 400 KB is written.
    let mut big = product(99);
    big.note = Some("x".repeat(400_000));
    fx.table.batch_put(std::slice::from_ref(&big)).await.expect("an item under 400 KB");
    assert_eq!(fx.stored(Product::key("p99")).await, big);

    // Nothing of the refused batches was written.
    for i in [0, 3, 5, 29, 31, 39] {
        assert_eq!(fx.try_raw(Product::key(format!("p{i}"))).await, None, "p{i} was written");
    }

    let error = fx.table.batch_delete(["p99", ""].map(Product::key)).await.expect_err("an empty key");
    assert!(matches!(error, Error::InvalidEntry { index: 1, source: ValueError::EmptyKey(_) }), "{error:?}");
    assert_eq!(fx.stored(Product::key("p99")).await, big, "nothing was deleted");
    let error = fx.table.batch_get(["p99", "p1", ""].map(Product::key)).await.expect_err("an empty key");
    assert!(matches!(error, Error::InvalidEntry { index: 2, source: ValueError::EmptyKey(_) }), "{error:?}");
}

async fn a_batch_on_a_missing_table_is_reported_as_such(backend: Backend) {
    let db = backend.db().await;
    let table = db.table_named::<Product>(unique_table_name("batch_never_created"));
    let missing = |error: Error<Product>, count: usize| match error {
        Error::BatchIncomplete { unprocessed, cause: Some(cause) } => {
            assert_eq!(unprocessed, (0..count).collect::<Vec<_>>(), "nothing was processed");
            match *cause {
                Error::Service(error) if error.kind() == ServiceErrorKind::TableNotFound => {
                    assert_eq!(error.code(), Some("ResourceNotFoundException"));
                    assert_eq!(error.message(), "Cannot do operations on a non-existent table");
                }
                other => panic!("expected TableNotFound as the cause, got {other:?}"),
            }
        }
        other => panic!("expected BatchIncomplete caused by TableNotFound, got {other:?}"),
    };
    let error = table.batch_get((0..130).map(|i| Product::key(format!("p{i}")))).await.expect_err("no table");
    assert_eq!(error.service().map(|e| e.kind()), Some(ServiceErrorKind::TableNotFound), "the cause's service error");
    missing(error, 130);
    let items: Vec<Product> = (0..30).map(product).collect();
    missing(table.batch_put(&items).await.expect_err("no table"), 30);
    missing(table.batch_delete(["a", "b"].map(Product::key)).await.expect_err("no table"), 2);
}

/// The failed entry of a `BatchIncomplete`: the entries not written, the index of the entry that failed and
/// why; panics on any other result.
#[track_caller]
fn entry_failed<T: std::fmt::Debug>(result: Result<(), Error<T>>) -> (Vec<usize>, usize, Error<T>) {
    match result {
        Err(Error::BatchIncomplete { unprocessed, cause: Some(cause) }) => match *cause {
            Error::EntryFailed { index, failure } => (unprocessed, index, *failure),
            other => panic!("expected EntryFailed as the cause, got {other:?}"),
        },
        other => panic!("expected BatchIncomplete, got {other:?}"),
    }
}

/// `batch_put_checked` and `batch_delete_checked` write in transactions of up to 100 that check each version:
/// a stale entry stops the batch, its transaction writes nothing, and the error names the entry.
async fn checked_batches_check_each_version(backend: Backend) {
    let fx = Fixture::<Doc>::new(backend, "batch_checked").await;
    let versions = async |range: std::ops::Range<usize>| -> Vec<Option<(String, u64)>> {
        let found = fx.table.batch_get(range.map(|i| Doc::key(format!("d{i}")))).await.expect("batch_get");
        found.into_iter().map(|d| d.map(|d| (d.text, d.version))).collect()
    };
    let all = |text: &str, version: u64, count: usize| vec![Some((text.to_owned(), version)); count];

    // 150 new items (two transactions): each stored at version 1.
    let new: Vec<Doc> = (0..150).map(|i| doc(i, "one", 0)).collect();
    fx.table.batch_put_checked(&new).await.expect("batch_put_checked of new items");
    assert_eq!(versions(0..150).await, all("one", 1, 150));

    // Again at version 1, with a stale copy at 120: the first transaction (0..100) is written, the second is
    // not, and the error says which entry failed and why.
    let mut again: Vec<Doc> = (0..150).map(|i| doc(i, "two", 1)).collect();
    again[120].version = 0;
    let (unprocessed, index, source) = entry_failed(fx.table.batch_put_checked(&again).await);
    assert_eq!((unprocessed, index), ((100..150).collect::<Vec<_>>(), 120));
    match source {
        Error::VersionConflict { expected: 0, stored: Some(1), item } => {
            assert_eq!(common::stored_item(item), Some(doc(120, "one", 1)));
        }
        other => panic!("expected a version conflict of entry 120, got {other:?}"),
    }
    assert_eq!(versions(0..100).await, all("two", 2, 100));
    assert_eq!(versions(100..150).await, all("one", 1, 50), "the failed transaction wrote nothing");

    // Deletes say which version they expect; a stale one stops the batch at its transaction.
    let keys = |stale: Option<usize>| {
        (0..150).map(move |i| {
            let version = if i < 100 { 2 } else { 1 };
            Doc::key(format!("d{i}")).at_version(if Some(i) == stale { version - 1 } else { version })
        })
    };
    let (unprocessed, index, source) = entry_failed(fx.table.batch_delete_checked(keys(Some(5))).await);
    assert_eq!((unprocessed, index), ((0..150).collect::<Vec<_>>(), 5));
    assert!(matches!(source, Error::VersionConflict { expected: 1, stored: Some(2), .. }), "{source:?}");
    assert_eq!(versions(0..100).await, all("two", 2, 100), "nothing was deleted");
    // A key without a version is refused before anything is sent.
    let plain = (0..3).map(|i| if i == 2 { Doc::key("d2") } else { Doc::key(format!("d{i}")).at_version(2) });
    let error = fx.table.batch_delete_checked(plain).await.expect_err("a key without a version");
    assert!(matches!(error, Error::InvalidEntry { index: 2, source: ValueError::VersionRequired }), "{error:?}");
    // Two entries with one key are refused before anything is sent.
    let error = fx.table.batch_put_checked(&[doc(1, "x", 2), doc(1, "y", 2)]).await.expect_err("a duplicate");
    assert!(matches!(error, Error::DuplicateKey { first: 0, second: 1 }), "{error:?}");
    assert_eq!(versions(0..3).await, all("two", 2, 3));

    fx.table.batch_delete_checked(keys(None)).await.expect("batch_delete_checked at the stored versions");
    assert_eq!(versions(0..150).await, vec![None; 150]);
}
