//! Stored items that do not fit the struct give `Error::Decode` naming the attribute when they are read; a write
//! that was applied but returns such an item gives `Error::AppliedUnreadable`, and a failed condition hands the
//! stored attributes back with the decode error.

mod common;

use common::{Backend, Fixture, Product, RawItem};
use dynatomic::returning::{AllNew, AllOld};
use dynatomic::{Attribute, AttributeValue, DecodeError, Error, condition, update};

on_both_backends!(
    a_wrong_type_names_the_attribute,
    nested_and_renamed_attributes_are_named_by_their_path,
    a_missing_required_attribute_is_a_decode_error,
    every_read_back_decodes
);

/// The sample product as stored, with `attribute` replaced by `value`.
fn sample_with(attribute: &str, value: AttributeValue) -> RawItem {
    let AttributeValue::M(mut item) = Product::sample("p").to_attr().expect("the sample converts") else {
        panic!("a struct is stored as a map");
    };
    item.insert(attribute.to_owned(), value);
    item
}

/// The `DecodeError` of an `Error::Decode`; panics on any other result.
fn decode_error<R: std::fmt::Debug>(result: Result<R, Error<Product>>) -> DecodeError {
    match result {
        Err(Error::Decode(error)) => error,
        other => panic!("expected a decode error, got {other:?}"),
    }
}

fn key() -> dynatomic::Key<Product> {
    Product::key("p")
}

async fn a_wrong_type_names_the_attribute(backend: Backend) {
    let fx = Fixture::<Product>::new(backend, "decode_wrong_type").await;
    fx.put_raw(sample_with("stock", AttributeValue::S("ten".into()))).await;

    let error = decode_error(fx.table.get(key()).await);
    assert_eq!(error.path, "stock");
    assert_eq!(error.expected, "i64");
    assert!(error.found.contains('S'), "{error}");
    assert!(error.to_string().contains("`stock`"), "{error}");
}

async fn nested_and_renamed_attributes_are_named_by_their_path(backend: Backend) {
    let fx = Fixture::<Product>::new(backend, "decode_paths").await;
    let cases = [
        ("address", AttributeValue::M([("city".to_owned(), AttributeValue::N("1".into()))].into()), "address.city"),
        ("ver", AttributeValue::S("three".into()), "ver"),
        ("hits", AttributeValue::N("-1".into()), "hits"),
        ("labels", AttributeValue::L(vec![AttributeValue::S("a".into())]), "labels"),
        ("scores", AttributeValue::M([("bob".to_owned(), AttributeValue::Bool(true))].into()), "scores.bob"),
        ("tags", AttributeValue::L(vec![AttributeValue::S("a".into()), AttributeValue::N("2".into())]), "tags[1]"),
    ];
    let mut wrong = Vec::new();
    for (attribute, value, path) in cases {
        fx.put_raw(sample_with(attribute, value)).await;
        let error = decode_error(fx.table.get(key()).await);
        if error.path != path {
            wrong.push(format!("{attribute}: expected path `{path}`, got `{}` ({error})", error.path));
        }
    }
    assert!(wrong.is_empty(), "{}", wrong.join("\n"));
}

async fn a_missing_required_attribute_is_a_decode_error(backend: Backend) {
    let fx = Fixture::<Product>::new(backend, "decode_missing").await;
    let mut item = sample_with("stock", AttributeValue::N("1".into()));
    item.remove("price");
    fx.put_raw(item).await;
    let error = decode_error(fx.table.get(key()).await);
    assert_eq!(error.path, "price");
    assert!(error.found.contains("missing"), "{error}");
}

/// The `DecodeError` of an `Error::AppliedUnreadable` (the write was applied), and the attributes it returned;
/// panics on any other result.
fn applied_unreadable<R: std::fmt::Debug>(result: Result<R, Error<Product>>) -> (RawItem, DecodeError) {
    match result {
        Err(Error::AppliedUnreadable { attributes, source }) => (*attributes, source),
        other => panic!("expected AppliedUnreadable, got {other:?}"),
    }
}

/// The stored item of an `Error::ConditionFailed` that does not fit the struct: its attributes and why.
fn refused_unreadable<R: std::fmt::Debug>(result: Result<R, Error<Product>>) -> (RawItem, DecodeError) {
    match result {
        Err(Error::ConditionFailed { stored: Some(stored), .. }) => {
            assert!(stored.item().is_none(), "the stored item does not fit");
            let error = stored.decode_error().expect("why it does not fit").clone();
            (stored.attributes().clone(), error)
        }
        other => panic!("expected ConditionFailed with the stored attributes, got {other:?}"),
    }
}

async fn every_read_back_decodes(backend: Backend) {
    let fx = Fixture::<Product>::new(backend, "decode_everywhere").await;
    let bad = || sample_with("reserved", AttributeValue::Bool(false));
    let stock = |item: &RawItem| item.get("stock").cloned();

    fx.put_raw(bad()).await;
    // A write whose returned item does not fit was applied all the same, and says so.
    let (returned, error) =
        applied_unreadable(fx.table.update(key(), update!(Product: stock += 1)).returning(AllNew).await);
    assert_eq!((error.path.as_str(), stock(&returned)), ("reserved", Some(AttributeValue::N("11".into()))));
    let (returned, error) =
        applied_unreadable(fx.table.update(key(), update!(Product: stock += 1)).returning(AllOld).await);
    assert_eq!((error.path.as_str(), stock(&returned)), ("reserved", Some(AttributeValue::N("11".into()))));
    assert_eq!(stock(&fx.raw(key()).await), Some(AttributeValue::N("12".into())), "both updates were applied");

    // A failed condition is still a failed condition: the stored item comes back as attributes, with why it
    // does not fit.
    let refused = fx.table.update(key(), update!(Product: stock += 1; where stock < 0)).await;
    let (stored, error) = refused_unreadable(refused);
    assert_eq!((error.path.as_str(), stock(&stored)), ("reserved", Some(AttributeValue::N("12".into()))));
    let refused = fx.table.put(&Product::sample("p")).when(condition!(Product: stock < 0)).await;
    assert_eq!(refused_unreadable(refused).1.path, "reserved");
    let refused = fx.table.delete(key()).when(condition!(Product: stock < 0)).await;
    assert_eq!(refused_unreadable(refused).1.path, "reserved");
    assert_eq!(fx.raw(key()).await.get("reserved"), Some(&AttributeValue::Bool(false)), "nothing was written");

    let (returned, error) = applied_unreadable(fx.table.delete(key()).await);
    assert_eq!((error.path.as_str(), stock(&returned)), ("reserved", Some(AttributeValue::N("12".into()))));
    // The item was deleted although it could not be read back.
    assert_eq!(fx.try_raw(key()).await, None);
}
