//! Every assignment form of `update!`, run on each backend and checked by reading the item back.

mod common;

use std::collections::HashMap;

use common::{Address, Backend, Event, Fixture, Product, strings, type_of};
use dynatomic::returning::AllNew;
use dynatomic::{AttributeValue, Bytes, Error, Item, update, upsert};

on_both_backends!(
    set_replaces_scalars_and_renamed_attributes,
    set_replaces_collections_with_their_dynamodb_types,
    counters_add_and_subtract,
    counter_on_a_missing_attribute_starts_at_zero,
    counter_upserted_on_a_missing_item_creates_it,
    nested_paths_are_updated_in_place,
    list_elements_are_set_and_removed_by_index,
    map_entries_are_added_and_removed_with_runtime_keys,
    if_not_exists_sets_only_absent_attributes,
    append_and_prepend_on_present_lists,
    append_and_prepend_on_missing_lists,
    insert_and_delete_set_elements,
    deleting_the_last_set_element_removes_the_attribute,
    attribute_operands_copy_and_compute,
    remove_deletes_optional_attributes,
    one_update_uses_every_clause,
    keys_address_exactly_one_item
);

/// A table holding `Product::sample("p")`.
async fn with_sample(backend: Backend, test: &str) -> (Fixture<Product>, Product) {
    let fx = Fixture::<Product>::new(backend, test).await;
    let sample = Product::sample("p");
    fx.table.put(&sample).await.expect("put sample");
    (fx, sample)
}

fn key() -> dynatomic::Key<Product> {
    Product::key("p")
}

async fn set_replaces_scalars_and_renamed_attributes(backend: Backend) {
    let (fx, before) = with_sample(backend, "set_scalars").await;
    let blob = Bytes(vec![9, 8]);
    let op = update!(Product: stock = 42, price = 1.25, note = "hello", version = 7, blob = &blob);
    fx.table.update(key(), op).await.expect("update");

    let after = fx.stored(key()).await;
    let expected = Product { stock: 42, price: 1.25, note: Some("hello".into()), version: 7, blob, ..before };
    assert_eq!(after, expected);
    let raw = fx.raw(key()).await;
    assert_eq!(raw.get("ver"), Some(&AttributeValue::N("7".into())), "version is stored as `ver`");
    assert_eq!(type_of(&raw, "version"), "absent");
    assert_eq!(type_of(&raw, "blob"), "B");
}

async fn set_replaces_collections_with_their_dynamodb_types(backend: Backend) {
    let (fx, before) = with_sample(backend, "set_collections").await;
    let scores: HashMap<String, i64> = [("bob".to_owned(), 1)].into();
    let op = update!(Product:
        tags = ["x", "y", "z"],
        labels = ["only"],
        ids = [7_u32, 8],
        scores = &scores,
        address = Address { city: "Bergen".into(), zip: None },
    );
    fx.table.update(key(), op).await.expect("update");

    let after = fx.stored(key()).await;
    let expected = Product {
        tags: strings(["x", "y", "z"]),
        labels: strings(["only"]),
        ids: [7, 8].into(),
        scores,
        address: Address { city: "Bergen".into(), zip: None },
        ..before
    };
    assert_eq!(after, expected);
    let raw = fx.raw(key()).await;
    let types = ["tags", "labels", "ids", "scores", "address"].map(|attribute| type_of(&raw, attribute));
    assert_eq!(types, ["L", "SS", "NS", "M", "M"]);
}

async fn counters_add_and_subtract(backend: Backend) {
    let (fx, before) = with_sample(backend, "counters").await;
    let qty = 3;
    let op = update!(Product: stock -= qty, reserved += qty, hits += 5, price += 0.25, version -= 1);
    fx.table.update(key(), op).await.expect("update");

    let after = fx.stored(key()).await;
    assert_eq!(after, Product { stock: 7, reserved: 5, hits: 5, price: 9.75, version: 2, ..before });
}

async fn counter_on_a_missing_attribute_starts_at_zero(backend: Backend) {
    let (fx, before) = with_sample(backend, "counter_missing_attribute").await;
    let (bob, carol) = (String::from("bob"), "carol");
    let op = update!(Product: scores[&bob] += 4, scores[carol] -= 2);
    fx.table.update(key(), op).await.expect("update");

    let after = fx.stored(key()).await;
    let scores = [("alice".to_owned(), 5), ("bob".to_owned(), 4), ("carol".to_owned(), -2)].into();
    assert_eq!(after, Product { scores, ..before });
}

async fn counter_upserted_on_a_missing_item_creates_it(backend: Backend) {
    let fx = Fixture::<Event>::new(backend, "counter_missing_item").await;
    // `update!` changes existing items only; `upsert!` creates the item, its counter starting at zero.
    let result = fx.table.update(Event::key("e", "1"), update!(Event: count += 2)).await;
    assert!(matches!(result, Err(Error::NotFound { .. })), "{result:?}");
    assert_eq!(fx.table.get(Event::key("e", "1")).await.expect("get"), None);
    let created =
        fx.table.upsert(Event::key("e", "1"), upsert!(Event: count += 2)).returning(AllNew).await.expect("upsert");
    assert_eq!(created, Event { pk: "e".into(), sk: "1".into(), count: 2, note: None });
    fx.table.update(Event::key("e", "1"), update!(Event: count -= 5)).await.expect("update");
    assert_eq!(fx.stored(Event::key("e", "1")).await.count, -3);
}

async fn nested_paths_are_updated_in_place(backend: Backend) {
    let (fx, before) = with_sample(backend, "nested").await;
    fx.table.update(key(), update!(Product: address.city = "Bergen", address.zip.remove())).await.expect("update");
    let after = fx.stored(key()).await;
    assert_eq!(after, Product { address: Address { city: "Bergen".into(), zip: None }, ..before.clone() });

    fx.table.update(key(), update!(Product: address.zip = "5003")).await.expect("update");
    let after = fx.stored(key()).await;
    assert_eq!(after.address, Address { city: "Bergen".into(), zip: Some("5003".into()) });
}

async fn list_elements_are_set_and_removed_by_index(backend: Backend) {
    let (fx, before) = with_sample(backend, "list_index").await;
    fx.table.update(key(), update!(Product: tags[1] = "green")).await.expect("set element");
    assert_eq!(fx.stored(key()).await, Product { tags: strings(["red", "green"]), ..before.clone() });

    fx.table.update(key(), update!(Product: tags[0].remove())).await.expect("remove element");
    assert_eq!(fx.stored(key()).await, Product { tags: strings(["green"]), ..before.clone() });

    // DynamoDB appends when the index is past the end of the list.
    fx.table.update(key(), update!(Product: tags[9] = "last")).await.expect("set past the end");
    let after = fx.stored(key()).await;
    assert_eq!(after, Product { tags: strings(["green", "last"]), ..before });
    assert_eq!(type_of(&fx.raw(key()).await, "tags"), "L");
}

async fn map_entries_are_added_and_removed_with_runtime_keys(backend: Backend) {
    let (fx, before) = with_sample(backend, "map_entries").await;
    // Keys with characters that are special in expressions reach DynamoDB as placeholders.
    let (odd, alice) = (String::from("a.b #c"), "alice");
    fx.table.update(key(), update!(Product: scores[odd.as_str()] = 7, scores[alice].remove())).await.expect("update");

    let after = fx.stored(key()).await;
    assert_eq!(after, Product { scores: [("a.b #c".to_owned(), 7)].into(), ..before });
    let raw = fx.raw(key()).await;
    let Some(AttributeValue::M(scores)) = raw.get("scores") else { panic!("scores should be a map: {raw:?}") };
    assert_eq!(scores.get("a.b #c"), Some(&AttributeValue::N("7".into())));
}

async fn if_not_exists_sets_only_absent_attributes(backend: Backend) {
    let (fx, before) = with_sample(backend, "if_not_exists").await;
    let op = update!(Product: note.if_not_exists("first"), stock.if_not_exists(99), address.zip.if_not_exists("x"));
    fx.table.update(key(), op).await.expect("update");
    let after = fx.stored(key()).await;
    assert_eq!(after, Product { note: Some("first".into()), ..before.clone() });

    fx.table.update(key(), update!(Product: note.if_not_exists("second"))).await.expect("update");
    assert_eq!(fx.stored(key()).await.note.as_deref(), Some("first"));
}

async fn append_and_prepend_on_present_lists(backend: Backend) {
    let (fx, before) = with_sample(backend, "append_present").await;
    fx.table.update(key(), update!(Product: tags.append(["green", "white"]))).await.expect("append");
    fx.table.update(key(), update!(Product: tags.prepend(vec!["black".to_owned()]))).await.expect("prepend");
    let after = fx.stored(key()).await;
    assert_eq!(after, Product { tags: strings(["black", "red", "blue", "green", "white"]), ..before });
}

async fn append_and_prepend_on_missing_lists(backend: Backend) {
    let (fx, before) = with_sample(backend, "append_missing").await;
    fx.table.update(key(), update!(Product: history.append(["created"]))).await.expect("append");
    assert_eq!(fx.stored(key()).await.history, Some(strings(["created"])));
    assert_eq!(type_of(&fx.raw(key()).await, "history"), "L");

    fx.table.update(key(), update!(Product: history.remove())).await.expect("remove");
    fx.table.update(key(), update!(Product: history.prepend(["restarted"]))).await.expect("prepend");
    let after = fx.stored(key()).await;
    assert_eq!(after, Product { history: Some(strings(["restarted"])), ..before });
}

async fn insert_and_delete_set_elements(backend: Backend) {
    let (fx, before) = with_sample(backend, "set_elements").await;
    let op = update!(Product: labels.insert(["hot", "sale"]), ids.insert([9_u32]));
    fx.table.update(key(), op).await.expect("insert");
    fx.table
        .update(key(), update!(Product: labels.delete(["new", "absent"]), ids.delete([1_u32])))
        .await
        .expect("delete");

    let after = fx.stored(key()).await;
    assert_eq!(after, Product { labels: strings(["hot", "sale"]), ids: [2, 3, 9].into(), ..before });
    let raw = fx.raw(key()).await;
    assert_eq!((type_of(&raw, "labels"), type_of(&raw, "ids")), ("SS", "NS"));
}

async fn deleting_the_last_set_element_removes_the_attribute(backend: Backend) {
    let (fx, before) = with_sample(backend, "set_last_element").await;
    fx.table.update(key(), update!(Product: labels.delete(["sale", "new"]))).await.expect("delete");
    assert_eq!(type_of(&fx.raw(key()).await, "labels"), "absent");
    // A set that is not stored reads back as an empty set ...
    let after = fx.stored(key()).await;
    assert_eq!(after, Product { labels: Default::default(), ..before.clone() });
    // ... and `insert` on the missing set creates it.
    fx.table.update(key(), update!(Product: labels.insert(["back"]))).await.expect("insert");
    assert_eq!(fx.stored(key()).await, Product { labels: strings(["back"]), ..before });
    assert_eq!(type_of(&fx.raw(key()).await, "labels"), "SS");
}

async fn attribute_operands_copy_and_compute(backend: Backend) {
    let (fx, before) = with_sample(backend, "attribute_operands").await;
    let op = update!(Product: reserved = #stock + 5, hits = 100 - #version, note = #address.city, price = #price - 0.5);
    fx.table.update(key(), op).await.expect("update");
    let after = fx.stored(key()).await;
    let expected = Product { reserved: 15, hits: 97, note: Some("Oslo".into()), price: 9.0, ..before.clone() };
    assert_eq!(after, expected);

    fx.table.update(key(), update!(Product: stock = #reserved - #stock, version = #hits)).await.expect("update");
    let after = fx.stored(key()).await;
    assert_eq!((after.stock, after.version), (5, 97));
}

async fn remove_deletes_optional_attributes(backend: Backend) {
    let (fx, before) = with_sample(backend, "remove").await;
    fx.table.update(key(), update!(Product: note = "gone soon")).await.expect("set");
    assert_eq!(type_of(&fx.raw(key()).await, "note"), "S");
    fx.table.update(key(), update!(Product: note.remove())).await.expect("remove");
    assert_eq!(type_of(&fx.raw(key()).await, "note"), "absent");
    assert_eq!(fx.stored(key()).await, before);
}

async fn one_update_uses_every_clause(backend: Backend) {
    let (fx, before) = with_sample(backend, "every_clause").await;
    let op = update!(Product:
        stock += 1, note = "n", address.zip.remove(), labels.insert(["x"]), ids.delete([2_u32]);
        where version == 3
    );
    assert_eq!(
        op.update_expression().split(' ').filter(|w| w.chars().all(|c| c.is_ascii_uppercase())).collect::<Vec<_>>(),
        ["SET", "REMOVE", "ADD", "DELETE"]
    );
    let after = fx.table.update(key(), op).returning(AllNew).await.expect("update");
    let expected = Product {
        stock: 11,
        note: Some("n".into()),
        address: Address { city: "Oslo".into(), zip: None },
        labels: strings(["sale", "new", "x"]),
        ids: [1, 3].into(),
        ..before
    };
    assert_eq!(after, expected);
    assert_eq!(fx.stored(key()).await, expected);
}

async fn keys_address_exactly_one_item(backend: Backend) {
    let (fx, sample) = with_sample(backend, "one_item").await;
    let other = Product::sample("q");
    fx.table.put(&other).await.expect("put");
    fx.table.update(other.item_key(), update!(Product: stock = 0)).await.expect("update");
    assert_eq!(fx.stored(key()).await, sample);
    assert_eq!(fx.stored(Product::key("q")).await.stock, 0);
}
