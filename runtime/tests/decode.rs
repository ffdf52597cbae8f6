//! Stored items that do not fit the struct give `Error::Decode` naming the attribute, from every method that
//! reads an item back.

mod common;

use common::{Backend, Fixture, Product, RawItem};
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

async fn every_read_back_decodes(backend: Backend) {
    let fx = Fixture::<Product>::new(backend, "decode_everywhere").await;
    let bad = || sample_with("reserved", AttributeValue::Bool(false));

    fx.put_raw(bad()).await;
    assert_eq!(decode_error(fx.table.update_return_new(key(), update!(Product: stock += 1)).await).path, "reserved");
    assert_eq!(decode_error(fx.table.update_return_old(key(), update!(Product: stock += 1)).await).path, "reserved");
    let refused = fx.table.update(key(), update!(Product: stock += 1; where stock < 0)).await;
    assert_eq!(decode_error(refused).path, "reserved", "the stored item of a failed condition is decoded too");
    assert_eq!(
        decode_error(fx.table.put_if(&Product::sample("p"), condition!(Product: stock < 0)).await).path,
        "reserved"
    );
    assert_eq!(decode_error(fx.table.delete(key()).await).path, "reserved");
    // The item was deleted although it could not be read back.
    assert_eq!(fx.try_raw(key()).await, None);
}
