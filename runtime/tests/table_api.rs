//! Every method of `Table`, its return values, and the stored item a failed condition hands back.

mod common;

use common::{Event, Fixture, Note, Product, type_of};
use dynatomic::ValueError;
use dynatomic::{Error, Item, condition, update};

fn event(sk: &str, count: i64) -> Event {
    Event { pk: "e".into(), sk: sk.into(), count, note: None }
}

/// The stored item of a `ConditionFailed`; panics on any other result.
fn refused<T: std::fmt::Debug, R: std::fmt::Debug>(result: Result<R, Error<T>>) -> Option<T> {
    match result {
        Err(Error::ConditionFailed { stored }) => stored.map(|item| *item),
        other => panic!("expected ConditionFailed, got {other:?}"),
    }
}

#[tokio::test]
async fn get_put_and_replace() {
    let fx = Fixture::<Product>::new("get_put").await;
    assert_eq!(fx.table.get(Product::key("p")).await.expect("get"), None);

    let first = Product::sample("p");
    fx.table.put(&first).await.expect("put");
    assert_eq!(fx.table.get(Product::key("p")).await.expect("get"), Some(first.clone()));

    let second = Product { stock: 0, note: Some("replaced".into()), ..Product::sample("p") };
    fx.table.put(&second).await.expect("put over");
    assert_eq!(fx.stored(Product::key("p")).await, second);
}

#[tokio::test]
async fn sort_keys_tell_items_apart() {
    let fx = Fixture::<Event>::new("sort_keys").await;
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

#[tokio::test]
async fn create_refuses_an_existing_key_and_hands_back_the_stored_item() {
    let fx = Fixture::<Event>::new("create").await;
    fx.table.create(&event("a", 1)).await.expect("create a new item");
    assert_eq!(fx.stored(Event::key("e", "a")).await, event("a", 1));

    let stored = refused(fx.table.create(&event("a", 2)).await);
    assert_eq!(stored, Some(event("a", 1)));
    assert_eq!(fx.stored(Event::key("e", "a")).await, event("a", 1), "nothing was overwritten");

    // Same partition key, another sort key: a different item.
    fx.table.create(&event("b", 3)).await.expect("create with another sort key");
    assert_eq!(fx.stored(Event::key("e", "b")).await, event("b", 3));
}

#[tokio::test]
async fn put_if_writes_only_when_the_condition_holds() {
    let fx = Fixture::<Event>::new("put_if").await;
    let key = || Event::key("e", "a");

    assert_eq!(refused(fx.table.put_if(&event("a", 1), condition!(Event: count == 0)).await), None);
    assert_eq!(fx.table.get(key()).await.expect("get"), None, "nothing was written");

    fx.table.put_if(&event("a", 1), condition!(Event: !pk.exists())).await.expect("put when absent");
    let stored = refused(fx.table.put_if(&event("a", 5), condition!(Event: count > 1)).await);
    assert_eq!(stored, Some(event("a", 1)));
    assert_eq!(fx.stored(key()).await, event("a", 1));

    fx.table.put_if(&event("a", 5), condition!(Event: count == 1)).await.expect("the condition holds");
    assert_eq!(fx.stored(key()).await, event("a", 5));
}

#[tokio::test]
async fn delete_returns_the_old_item() {
    let fx = Fixture::<Event>::new("delete").await;
    assert_eq!(fx.table.delete(Event::key("e", "a")).await.expect("delete nothing"), None);

    fx.table.put(&event("a", 1)).await.expect("put");
    assert_eq!(fx.table.delete(Event::key("e", "a")).await.expect("delete"), Some(event("a", 1)));
    assert_eq!(fx.table.get(Event::key("e", "a")).await.expect("get"), None);
}

#[tokio::test]
async fn delete_if_deletes_only_when_the_condition_holds() {
    let fx = Fixture::<Event>::new("delete_if").await;
    let key = || Event::key("e", "a");
    assert_eq!(refused(fx.table.delete_if(key(), condition!(Event: count == 1)).await), None);

    fx.table.put(&event("a", 1)).await.expect("put");
    let stored = refused(fx.table.delete_if(key(), condition!(Event: count > 1 || note.exists())).await);
    assert_eq!(stored, Some(event("a", 1)));
    assert_eq!(fx.stored(key()).await, event("a", 1), "nothing was deleted");

    let deleted = fx.table.delete_if(key(), condition!(Event: count == 1 && !note.exists())).await.expect("delete");
    assert_eq!(deleted, Some(event("a", 1)));
    assert_eq!(fx.table.get(key()).await.expect("get"), None);
}

#[tokio::test]
async fn update_returns_the_new_or_the_old_item() {
    let fx = Fixture::<Event>::new("update_returns").await;
    let key = || Event::key("e", "a");
    fx.table.put(&event("a", 1)).await.expect("put");

    let new = fx.table.update_return_new(key(), update!(Event: count += 1, note = "two")).await.expect("update");
    assert_eq!(new, Event { note: Some("two".into()), ..event("a", 2) });

    let old = fx.table.update_return_old(key(), update!(Event: count += 1, note.remove())).await.expect("update");
    assert_eq!(old, Some(Event { note: Some("two".into()), ..event("a", 2) }));
    assert_eq!(fx.stored(key()).await, event("a", 3));

    // An update of a missing item creates it; there was no old item.
    let old = fx.table.update_return_old(Event::key("e", "b"), update!(Event: count += 7)).await.expect("upsert");
    assert_eq!(old, None);
    assert_eq!(fx.stored(Event::key("e", "b")).await, event("b", 7));
}

#[tokio::test]
async fn failed_updates_hand_back_the_stored_item() {
    let fx = Fixture::<Product>::new("update_refused").await;
    let sample = Product::sample("p");
    let key = || sample.item_key();

    // No item: the condition fails and there is nothing to hand back.
    assert_eq!(refused(fx.table.update(key(), update!(Product: stock -= 1; where stock >= 1)).await), None);
    assert_eq!(fx.table.get(key()).await.expect("get"), None, "the update created nothing");

    fx.table.put(&sample).await.expect("put");
    let stored = refused(fx.table.update_return_new(key(), update!(Product: stock -= 11; where stock >= 11)).await);
    assert_eq!(stored, Some(sample.clone()));
    let stored = refused(fx.table.update_return_old(key(), update!(Product: note = "x"; where note.exists())).await);
    assert_eq!(stored, Some(sample.clone()));
    assert_eq!(fx.stored(key()).await, sample, "nothing was written");
}

#[tokio::test]
async fn dynamodb_validation_errors_are_reported_as_such() {
    let fx = Fixture::<Product>::new("validation").await;
    let sample = Product { address: common::Address { city: "Oslo".into(), zip: None }, ..Product::sample("p") };
    fx.table.put(&sample).await.expect("put");
    // Copying an attribute that is not stored is an invalid update expression.
    let result = fx.table.update(sample.item_key(), update!(Product: note = #address.zip)).await;
    match result {
        Err(Error::Validation { message }) => assert!(!message.is_empty()),
        other => panic!("expected a validation error, got {other:?}"),
    }
    assert_eq!(fx.stored(sample.item_key()).await, sample);
}

#[tokio::test]
async fn empty_sets_are_stored_as_no_attribute() {
    let fx = Fixture::<Product>::new("empty_sets").await;
    let bare = Product { labels: Default::default(), ids: Default::default(), ..Product::sample("p") };
    fx.table.put(&bare).await.expect("put");
    let raw = fx.raw(bare.item_key()).await;
    assert_eq!((type_of(&raw, "labels"), type_of(&raw, "ids")), ("absent", "absent"));
    assert_eq!(fx.stored(bare.item_key()).await, bare);
}

#[tokio::test]
async fn the_default_table_is_named_by_the_schema() {
    let fx = Fixture::<Note>::named_by_schema().await;
    assert_eq!(fx.table.name(), "dynatomic_tests_named_by_schema");
    let note = Note { pk: "n".into(), text: "hello".into() };
    fx.table.put(&note).await.expect("put");
    assert_eq!(fx.raw(Note::key("n")).await.get("text"), Some(&dynatomic::AttributeValue::S("hello".into())));
    assert_eq!(fx.stored(Note::key("n")).await, note);
}

#[tokio::test]
async fn update_request_is_sent_by_the_caller() {
    let fx = Fixture::<Product>::new("update_request").await;
    let sample = Product::sample("p");
    fx.table.put(&sample).await.expect("put");

    let request = fx.table.update_request(sample.item_key(), update!(Product: stock -= 3; where stock >= 3));
    let output = request
        .expect("a valid update")
        .return_values(aws_sdk_dynamodb::types::ReturnValue::UpdatedNew)
        .send()
        .await
        .expect("send");
    let updated = output.attributes.expect("the updated attributes");
    assert_eq!(updated.get("stock"), Some(&dynatomic::AttributeValue::N("7".into())));
    assert_eq!(fx.stored(sample.item_key()).await, Product { stock: 7, ..sample.clone() });

    let refused = fx.table.update_request(sample.item_key(), update!(Product: price = f64::NAN));
    assert!(matches!(refused, Err(Error::InvalidValue(ValueError::NotFinite(_)))), "{refused:?}");
}
