//! Every method of `Table`, its return values, and the stored item a failed condition hands back.

mod common;

use std::collections::HashMap;

use common::{Address, Backend, Event, Fixture, Note, Product, stored_item, type_of, unique_table_name};
use dynatomic::returning::{AllNew, AllOld, UpdatedNew, UpdatedOld};
use dynatomic::{AttributeValue, Error, Item, ServiceErrorKind, condition, update, upsert};

on_both_backends!(
    get_put_and_replace,
    sort_keys_tell_items_apart,
    create_refuses_an_existing_key_and_hands_back_the_stored_item,
    put_when_writes_only_when_the_condition_holds,
    delete_returns_the_old_item,
    delete_when_deletes_only_when_the_condition_holds,
    update_returns_the_new_or_the_old_item,
    update_changes_existing_items_only,
    failed_updates_hand_back_the_stored_item,
    dynamodb_validation_errors_are_reported_as_such,
    empty_sets_are_stored_as_no_attribute,
    the_default_table_is_named_by_the_schema,
    updates_return_the_updated_attributes,
    a_missing_table_is_reported_as_such
);

fn event(sk: &str, count: i64) -> Event {
    Event { pk: "e".into(), sk: sk.into(), count, note: None }
}

/// The stored item of a `ConditionFailed`; panics on any other result.
fn refused<T: std::fmt::Debug, R: std::fmt::Debug>(result: Result<R, Error<T>>) -> Option<T> {
    match result {
        Err(Error::ConditionFailed { stored, .. }) => stored_item(stored),
        other => panic!("expected ConditionFailed, got {other:?}"),
    }
}

async fn get_put_and_replace(backend: Backend) {
    let fx = Fixture::<Product>::new(backend, "get_put").await;
    assert_eq!(fx.table.get(Product::key("p")).await.expect("get"), None);

    let first = Product::sample("p");
    fx.table.put(&first).await.expect("put");
    assert_eq!(fx.table.get(Product::key("p")).await.expect("get"), Some(first.clone()));

    let second = Product { stock: 0, note: Some("replaced".into()), ..Product::sample("p") };
    fx.table.put(&second).await.expect("put over");
    assert_eq!(fx.stored(Product::key("p")).await, second);
}

async fn sort_keys_tell_items_apart(backend: Backend) {
    let fx = Fixture::<Event>::new(backend, "sort_keys").await;
    fx.table.put(&event("a", 1)).await.expect("put");
    fx.table.put(&event("b", 2)).await.expect("put");
    assert_eq!(fx.stored(Event::key("e", "a")).await, event("a", 1));
    assert_eq!(fx.stored(Event::key("e", "b")).await, event("b", 2));
    assert_eq!(fx.table.get(Event::key("e", "c")).await.expect("get"), None);
    assert_eq!(fx.table.get(Event::key("f", "a")).await.expect("get"), None);

    fx.table.update(Event::key("e", "a"), update!(Event: count += 10)).await.expect("update");
    assert_eq!(fx.stored(Event::key("e", "a")).await.count, 11);
    assert_eq!(fx.stored(Event::key("e", "b")).await.count, 2);
}

async fn create_refuses_an_existing_key_and_hands_back_the_stored_item(backend: Backend) {
    let fx = Fixture::<Event>::new(backend, "create").await;
    fx.table.create(&event("a", 1)).await.expect("create a new item");
    assert_eq!(fx.stored(Event::key("e", "a")).await, event("a", 1));

    let stored = refused(fx.table.create(&event("a", 2)).await);
    assert_eq!(stored, Some(event("a", 1)));
    assert_eq!(fx.stored(Event::key("e", "a")).await, event("a", 1), "nothing was overwritten");

    // Same partition key, another sort key: a different item.
    fx.table.create(&event("b", 3)).await.expect("create with another sort key");
    assert_eq!(fx.stored(Event::key("e", "b")).await, event("b", 3));
}

async fn put_when_writes_only_when_the_condition_holds(backend: Backend) {
    let fx = Fixture::<Event>::new(backend, "put_when").await;
    let key = || Event::key("e", "a");

    assert_eq!(refused(fx.table.put(&event("a", 1)).when(condition!(Event: count == 0)).await), None);
    assert_eq!(fx.table.get(key()).await.expect("get"), None, "nothing was written");

    fx.table.put(&event("a", 1)).when(condition!(Event: !pk.exists())).await.expect("put when absent");
    let stored = refused(fx.table.put(&event("a", 5)).when(condition!(Event: count > 1)).await);
    assert_eq!(stored, Some(event("a", 1)));
    assert_eq!(fx.stored(key()).await, event("a", 1));

    fx.table.put(&event("a", 5)).when(condition!(Event: count == 1)).await.expect("the condition holds");
    assert_eq!(fx.stored(key()).await, event("a", 5));
}

async fn delete_returns_the_old_item(backend: Backend) {
    let fx = Fixture::<Event>::new(backend, "delete").await;
    assert_eq!(fx.table.delete(Event::key("e", "a")).await.expect("delete nothing"), None);

    fx.table.put(&event("a", 1)).await.expect("put");
    assert_eq!(fx.table.delete(Event::key("e", "a")).await.expect("delete"), Some(event("a", 1)));
    assert_eq!(fx.table.get(Event::key("e", "a")).await.expect("get"), None);
}

async fn delete_when_deletes_only_when_the_condition_holds(backend: Backend) {
    let fx = Fixture::<Event>::new(backend, "delete_when").await;
    let key = || Event::key("e", "a");
    assert_eq!(refused(fx.table.delete(key()).when(condition!(Event: count == 1)).await), None);

    fx.table.put(&event("a", 1)).await.expect("put");
    let stored = refused(fx.table.delete(key()).when(condition!(Event: count > 1 || note.exists())).await);
    assert_eq!(stored, Some(event("a", 1)));
    assert_eq!(fx.stored(key()).await, event("a", 1), "nothing was deleted");

    let deleted = fx.table.delete(key()).when(condition!(Event: count == 1 && !note.exists())).await.expect("delete");
    assert_eq!(deleted, Some(event("a", 1)));
    assert_eq!(fx.table.get(key()).await.expect("get"), None);
}

async fn update_returns_the_new_or_the_old_item(backend: Backend) {
    let fx = Fixture::<Event>::new(backend, "update_returns").await;
    let key = || Event::key("e", "a");
    fx.table.put(&event("a", 1)).await.expect("put");

    let new = fx.table.update(key(), update!(Event: count += 1, note = "two")).returning(AllNew).await.expect("update");
    assert_eq!(new, Event { note: Some("two".into()), ..event("a", 2) });

    let old =
        fx.table.update(key(), update!(Event: count += 1, note.remove())).returning(AllOld).await.expect("update");
    assert_eq!(old, Some(Event { note: Some("two".into()), ..event("a", 2) }));
    assert_eq!(fx.stored(key()).await, event("a", 3));

    // An upsert of a missing item creates it; there was no old item.
    let old =
        fx.table.upsert(Event::key("e", "b"), upsert!(Event: count += 7)).returning(AllOld).await.expect("upsert");
    assert_eq!(old, None);
    assert_eq!(fx.stored(Event::key("e", "b")).await, event("b", 7));
    // An upsert of an existing item updates it, and returns it as it was.
    let old =
        fx.table.upsert(Event::key("e", "b"), upsert!(Event: count += 1)).returning(AllOld).await.expect("upsert");
    assert_eq!(old, Some(event("b", 7)));
    assert_eq!(fx.stored(Event::key("e", "b")).await, event("b", 8));
}

async fn update_changes_existing_items_only(backend: Backend) {
    let fx = Fixture::<Event>::new(backend, "update_existing_only").await;
    let missing = || Event::key("e", "missing");
    let not_found = |result: Result<(), Error<Event>>| match result {
        Err(Error::NotFound { table }) => assert_eq!(table, fx.table.name()),
        other => panic!("expected NotFound, got {other:?}"),
    };
    not_found(fx.table.update(missing(), update!(Event: count += 1)).await);
    not_found(fx.table.update(missing(), update!(Event: note = "x")).returning(AllNew).await.map(drop));
    not_found(fx.table.update(missing(), update!(Event: note.remove())).returning(AllOld).await.map(drop));
    // A `where` that a missing item cannot satisfy is NotFound too, not a failed condition.
    not_found(fx.table.update(missing(), update!(Event: count -= 1; where count >= 1)).await);
    // A `where` that a missing item satisfies: still NotFound.
    not_found(fx.table.update(missing(), update!(Event: count = 1; where !note.exists())).await);
    assert_eq!(fx.table.get(missing()).await.expect("get"), None, "no update created the item");

    // `ignore_missing`: `None` for a missing item, `Some` with what was asked for otherwise.
    let ignored = fx.table.update(missing(), update!(Event: count += 1)).ignore_missing().await;
    assert!(matches!(ignored, Ok(None)), "{ignored:?}");
    let ignored = fx.table.update(missing(), update!(Event: count += 1)).returning(AllNew).ignore_missing().await;
    assert!(matches!(ignored, Ok(None)), "{ignored:?}");
    assert_eq!(fx.table.get(missing()).await.expect("get"), None, "nothing was created");
    fx.table.put(&event("a", 1)).await.expect("put");
    let new =
        fx.table.update(Event::key("e", "a"), update!(Event: count += 1)).returning(AllNew).ignore_missing().await;
    assert_eq!(new.expect("update"), Some(event("a", 2)));
    let done = fx.table.update(Event::key("e", "a"), update!(Event: count += 1)).ignore_missing().await;
    assert!(matches!(done, Ok(Some(()))), "{done:?}");
    // Other errors still come through.
    let result =
        fx.table.update(Event::key("e", "a"), update!(Event: count += 1; where count > 10)).ignore_missing().await;
    assert_eq!(refused(result), Some(event("a", 3)));
    assert_eq!(fx.stored(Event::key("e", "a")).await, event("a", 3));
}

async fn failed_updates_hand_back_the_stored_item(backend: Backend) {
    let fx = Fixture::<Product>::new(backend, "update_refused").await;
    let sample = Product::sample("p");
    let key = || sample.item_key();

    // No item: there is nothing to update, nor to hand back.
    let result = fx.table.update(key(), update!(Product: stock -= 1; where stock >= 1)).await;
    assert!(matches!(result, Err(Error::NotFound { .. })), "{result:?}");
    assert_eq!(fx.table.get(key()).await.expect("get"), None, "the update created nothing");

    fx.table.put(&sample).await.expect("put");
    let op = update!(Product: stock -= 11; where stock >= 11);
    let stored = refused(fx.table.update(key(), op).returning(AllNew).await);
    assert_eq!(stored, Some(sample.clone()));
    let op = update!(Product: note = "x"; where note.exists());
    let stored = refused(fx.table.update(key(), op).returning(AllOld).await);
    assert_eq!(stored, Some(sample.clone()));
    assert_eq!(fx.stored(key()).await, sample, "nothing was written");
}

async fn dynamodb_validation_errors_are_reported_as_such(backend: Backend) {
    let fx = Fixture::<Product>::new(backend, "validation").await;
    let sample = Product { address: common::Address { city: "Oslo".into(), zip: None }, ..Product::sample("p") };
    fx.table.put(&sample).await.expect("put");
    // Copying an attribute that is not stored is an invalid update expression.
    let result = fx.table.update(sample.item_key(), update!(Product: note = #address.zip)).await;
    match result {
        Err(Error::Service(error)) if error.kind() == ServiceErrorKind::Validation => {
            assert_eq!(error.code(), Some("ValidationException"));
            assert!(!error.message().is_empty());
        }
        other => panic!("expected a validation error, got {other:?}"),
    }
    assert_eq!(fx.stored(sample.item_key()).await, sample);
}

async fn empty_sets_are_stored_as_no_attribute(backend: Backend) {
    let fx = Fixture::<Product>::new(backend, "empty_sets").await;
    let bare = Product { labels: Default::default(), ids: Default::default(), ..Product::sample("p") };
    fx.table.put(&bare).await.expect("put");
    let raw = fx.raw(bare.item_key()).await;
    assert_eq!((type_of(&raw, "labels"), type_of(&raw, "ids")), ("absent", "absent"));
    assert_eq!(fx.stored(bare.item_key()).await, bare);
}

async fn the_default_table_is_named_by_the_schema(backend: Backend) {
    let fx = Fixture::<Note>::named_by_schema(backend).await;
    assert_eq!(fx.table.name(), "dynatomic_tests_named_by_schema");
    let note = Note { pk: "n".into(), text: "hello".into() };
    fx.table.put(&note).await.expect("put");
    assert_eq!(fx.raw(Note::key("n")).await.get("text"), Some(&dynatomic::AttributeValue::S("hello".into())));
    assert_eq!(fx.stored(Note::key("n")).await, note);
}

async fn updates_return_the_updated_attributes(backend: Backend) {
    let fx = Fixture::<Product>::new(backend, "updated_attributes").await;
    let sample = Product::sample("p");
    fx.table.put(&sample).await.expect("put");
    let n = |text: &str| AttributeValue::N(text.into());

    // UPDATED_OLD: the updated attributes as they were; `note` did not exist, so it is left out.
    let old = fx.table.update(sample.item_key(), update!(Product: stock -= 1, note = "n")).returning(UpdatedOld).await;
    assert_eq!(old.expect("update"), HashMap::from([("stock".to_owned(), n("10"))]));
    // UPDATED_NEW: as they are afterwards; the removed `note` is left out.
    let new =
        fx.table.update(sample.item_key(), update!(Product: stock -= 1, note.remove())).returning(UpdatedNew).await;
    assert_eq!(new.expect("update"), HashMap::from([("stock".to_owned(), n("8"))]));
    let refused =
        fx.table.update(sample.item_key(), update!(Product: hits += 1; where hits > 0)).returning(UpdatedNew).await;
    assert!(matches!(refused, Err(Error::ConditionFailed { stored: Some(_), .. })), "{refused:?}");

    // An upsert that creates the item had nothing before.
    let events = Fixture::<Event>::new(backend, "updated_attributes_upsert").await;
    let old = events.table.upsert(Event::key("e", "new"), upsert!(Event: count += 1)).returning(UpdatedOld).await;
    assert_eq!(old.expect("upsert"), HashMap::new());
    let new = events.table.upsert(Event::key("e", "new"), upsert!(Event: count += 1)).returning(UpdatedNew).await;
    assert_eq!(new.expect("upsert"), HashMap::from([("count".to_owned(), n("2"))]));
}

async fn a_missing_table_is_reported_as_such(backend: Backend) {
    let db = backend.db().await;
    let table = db.table_named::<Product>(unique_table_name("never_created"));
    let expect_missing = |result: Result<(), Error<Product>>| match result {
        Err(Error::Service(error)) if error.kind() == ServiceErrorKind::TableNotFound => {
            assert_eq!(error.code(), Some("ResourceNotFoundException"));
            assert_eq!(error.message(), "Cannot do operations on a non-existent table");
            match backend {
                Backend::DynamoDbLocal => assert!(error.request_id().is_some(), "DynamoDB gives a request id"),
                Backend::Memory => assert_eq!(error.request_id(), None),
            }
        }
        other => panic!("expected TableNotFound, got {other:?}"),
    };
    expect_missing(table.get(Product::key("p")).await.map(drop));
    expect_missing(table.put(&Product::sample("p")).await);
    expect_missing(table.update(Product::key("p"), update!(Product: hits += 1)).await);
    expect_missing(table.delete(Product::key("p")).await.map(drop));
}

/// UPDATED_NEW of a nested path is that path alone, as the DynamoDB service returns it. DynamoDB Local returns
/// the whole top-level attribute instead (here `address` with its `zip`), so this runs on the memory backend.
#[tokio::test]
async fn updated_nested_paths_come_back_alone() {
    let fx = Fixture::<Product>::new(Backend::Memory, "updated_nested").await;
    let sample = Product::sample("p");
    fx.table.put(&sample).await.expect("put");
    let s = |text: &str| AttributeValue::S(text.into());

    let new = fx.table.update(sample.item_key(), update!(Product: address.city = "Bergen")).returning(UpdatedNew).await;
    let city = AttributeValue::M(HashMap::from([("city".to_owned(), s("Bergen"))]));
    assert_eq!(new.expect("update"), HashMap::from([("address".to_owned(), city)]));
    let old =
        fx.table.update(sample.item_key(), update!(Product: tags[1] = "x", tags[0] = "y")).returning(UpdatedOld).await;
    assert_eq!(
        old.expect("update"),
        HashMap::from([("tags".to_owned(), AttributeValue::L(vec![s("red"), s("blue")]))])
    );
    let stored = fx.stored(sample.item_key()).await;
    assert_eq!(stored.address, Address { city: "Bergen".into(), zip: Some("0150".into()) });
}
