//! What the errors of a table say (`Display`): which write or entry failed, why, and what to do about it.

mod common;

use common::{Backend, Doc, Fixture, Product, RawItem, message, unique_table_name};
use dynatomic::returning::AllNew;
use dynatomic::{Attribute, AttributeValue, Error, Item, condition, update};

on_both_backends!(failed_writes_say_why, batch_errors_name_their_entries);

fn doc(id: &str, version: u64) -> Doc {
    Doc::new(id, "t", version)
}

/// The error of a result that should have failed.
#[track_caller]
fn failed<R: std::fmt::Debug, T: std::fmt::Debug>(result: Result<R, Error<T>>) -> Error<T> {
    result.expect_err("the write should have failed")
}

async fn failed_writes_say_why(backend: Backend) {
    let fx = Fixture::<Product>::new(backend, "messages").await;
    let sample = Product::sample("w");
    fx.table.put(&sample).await.expect("put");
    let key = || sample.item_key();

    // A false condition, with its explanation, whichever write it guards.
    let qty = 15;
    let explained = "condition failed: stock >= qty (stock = 10, qty = 15)";
    let update = fx.table.update(key(), update!(Product: stock -= qty; where stock >= qty)).await;
    assert_eq!(message(&failed(update)), explained);
    let put = fx.table.put(&sample).when(condition!(Product: stock >= qty)).await;
    assert_eq!(message(&failed(put)), explained);
    let delete = fx.table.delete(key()).when(condition!(Product: stock >= qty)).await;
    assert_eq!(message(&failed(delete)), explained);

    // An update of a missing item says that nothing was written and what creates items.
    let missing = fx.table.update(Product::key("missing"), update!(Product: hits += 1)).await;
    assert_eq!(
        message(&failed(missing)),
        format!(
            "the item to update is not in table `{}`: nothing was written (`update` changes existing items only; \
             `upsert` creates them)",
            fx.table.name()
        )
    );

    // A value refused before sending.
    let error = failed(fx.table.update(key(), update!(Product: price = f64::NAN)).await);
    let Error::InvalidValue(value) = &error else { panic!("expected InvalidValue, got {error:?}") };
    assert_eq!(message(&error), format!("invalid value: {value}"));

    // An item changed since it was read.
    let read = fx.stored(key()).await;
    fx.table.update(key(), update!(Product: hits += 1)).await.expect("another writer");
    let changed = fx.table.update(key().if_unchanged(&read), update!(Product: stock = 0)).await;
    assert_eq!(message(&failed(changed)), "the item changed since it was read: nothing was written");

    // A versioned item at another version than the write expects, or absent.
    let docs = Fixture::<Doc>::new(backend, "messages_docs").await;
    docs.table.create(&doc("a", 0)).await.expect("create");
    docs.table.put(&doc("a", 1)).await.expect("put");
    let stale = docs.table.put(&doc("a", 1)).await;
    assert_eq!(
        message(&failed(stale)),
        "version conflict: the write expected version 1, the stored item is at version 2"
    );
    let ghost = docs.table.put(&doc("b", 3)).await;
    assert_eq!(message(&failed(ghost)), "version conflict: the write expected version 3, the stored item is absent");

    // A stored item that does not fit the struct, read, or returned by a write that was applied.
    let AttributeValue::M(mut bad) = Product::sample("bad").to_attr().expect("convert") else { panic!("a map") };
    bad.insert("reserved".to_owned(), AttributeValue::Bool(false));
    fx.put_raw(RawItem::from_iter(bad)).await;
    let read = failed(fx.table.get(Product::key("bad")).await);
    let text = message(&read);
    assert!(text.starts_with("stored item does not fit the struct: cannot read attribute `reserved` as i64"), "{text}");
    let applied = failed(fx.table.update(Product::key("bad"), update!(Product: hits += 1)).returning(AllNew).await);
    let text = message(&applied);
    assert!(
        text.starts_with(
            "the write was applied, but the item it returned does not fit the struct: cannot read attribute \
             `reserved` as i64"
        ),
        "{text}"
    );

    // The service's answer, with DynamoDB's error code and message.
    let nowhere = fx.db.table_named::<Product>(unique_table_name("messages_never_created"));
    let text = message(&failed(nowhere.get(Product::key("p")).await));
    assert!(
        text.starts_with(
            "DynamoDB request failed: ResourceNotFoundException: Cannot do operations on a non-existent table"
        ),
        "{text}"
    );
}

async fn batch_errors_name_their_entries(backend: Backend) {
    let fx = Fixture::<Product>::new(backend, "messages_batches").await;
    let product = |i: usize| Product::sample(&format!("p{i}"));

    let duplicates: Vec<Product> = [0, 1, 2, 1, 0].into_iter().map(product).collect();
    let error = failed(fx.table.batch_put(&duplicates).await);
    assert_eq!(message(&error), "batch entries 1 and 3 have the same key: write each item once");

    let mut items: Vec<Product> = (0..6).map(product).collect();
    items[4].pk = String::new();
    let error = failed(fx.table.batch_put(&items).await);
    let Error::InvalidEntry { source, .. } = &error else { panic!("expected InvalidEntry, got {error:?}") };
    assert_eq!(message(&error), format!("batch entry 4: {source}"));
    assert!(source.to_string().contains("`pk` is empty"), "{source}");

    let nowhere = fx.db.table_named::<Product>(unique_table_name("messages_batch_never_created"));
    let error = failed(nowhere.batch_get((0..130).map(|i| Product::key(format!("p{i}")))).await);
    let text = message(&error);
    assert!(
        text.starts_with(
            "130 batch entries were not processed: DynamoDB request failed: ResourceNotFoundException: Cannot do \
             operations on a non-existent table"
        ),
        "{text}"
    );

    // A checked batch names the entry that failed, and why.
    let docs = Fixture::<Doc>::new(backend, "messages_checked").await;
    docs.table.batch_put_checked(&[doc("a", 0), doc("b", 0)]).await.expect("batch_put_checked");
    let error = failed(docs.table.batch_put_checked(&[doc("a", 1), doc("b", 0)]).await);
    assert_eq!(
        message(&error),
        "2 batch entries were not processed: batch entry 1: version conflict: the write expected version 0, the \
         stored item is at version 1"
    );
}
