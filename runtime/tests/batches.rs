//! Batch writes and reads: chunking, order of the answers, duplicates, and what is refused before sending.

mod common;

use common::{Backend, Event, Fixture, Product, unique_table_name};
use dynatomic::{Error, Item, ValueError};

on_both_backends!(
    batch_put_then_batch_get_in_order,
    batch_put_replaces_and_batch_delete_removes,
    sort_keys_tell_batch_entries_apart,
    empty_batches_send_nothing,
    duplicate_keys_are_refused_with_their_positions,
    invalid_entries_are_refused_with_their_position,
    a_batch_on_a_missing_table_is_reported_as_such
);

fn product(i: usize) -> Product {
    Product { stock: i as i64, note: Some(format!("item {i}")), ..Product::sample(&format!("p{i}")) }
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
    assert_eq!(error.to_string(), "batch entries 1 and 3 have the same key: write each item once");
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
        Error::InvalidEntry { index: 4, source: ValueError::EmptyKey(attribute) } => assert_eq!(attribute, "pk"),
        other => panic!("expected InvalidEntry 4, got {other:?}"),
    }
    let text = error.to_string();
    assert!(text.starts_with("batch entry 4: ") && text.contains("`pk` is empty"), "{text}");

    // An item over 400 KB at 30, in the second request.
    let mut items: Vec<Product> = (0..40).map(product).collect();
    items[30].note = Some("x".repeat(410_000));
    let error = fx.table.batch_put(&items).await.expect_err("an item over 400 KB");
    match &error {
        Error::InvalidEntry { index: 30, source: ValueError::ItemTooLarge { size } } => {
            assert!((410_000..411_000).contains(size), "{size}");
        }
        other => panic!("expected InvalidEntry 30, got {other:?}"),
    }
    let text = error.to_string();
    assert!(text.starts_with("batch entry 30: ") && text.contains("400 KB"), "{text}");
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
                Error::TableNotFound { table: name, message } => {
                    assert_eq!(name, table.name());
                    assert_eq!(message, "Cannot do operations on a non-existent table");
                }
                other => panic!("expected TableNotFound as the cause, got {other:?}"),
            }
        }
        other => panic!("expected BatchIncomplete caused by TableNotFound, got {other:?}"),
    };
    let error = table.batch_get((0..130).map(|i| Product::key(format!("p{i}")))).await.expect_err("no table");
    let text = error.to_string();
    assert!(text.contains("130 batch entries were not processed") && text.contains("does not exist"), "{text}");
    missing(error, 130);
    let items: Vec<Product> = (0..30).map(product).collect();
    missing(table.batch_put(&items).await.expect_err("no table"), 30);
    missing(table.batch_delete(["a", "b"].map(Product::key)).await.expect_err("no table"), 2);
}
