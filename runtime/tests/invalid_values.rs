//! Values DynamoDB would refuse are caught before anything is sent, as `Error::InvalidValue`, and nothing is
//! written.

mod common;

use std::collections::{HashMap, HashSet};

use common::{Backend, Fixture, Ledger, Note, Product};
use dynatomic::raw::{Failure, WriteRefusal};
use dynatomic::{
    Attribute, AttributeValue, Error, Item, ServiceErrorKind, TransactionError, ValueError, condition, update, upsert,
};

on_both_backends!(
    non_finite_floats_are_refused,
    numbers_out_of_range_or_too_precise_are_refused,
    empty_sets_are_refused,
    empty_map_keys_are_refused,
    an_empty_map_key_is_refused_on_every_write_path,
    values_nested_past_32_levels_are_refused,
    items_over_400_kb_are_refused,
    the_size_limit_matches_dynamodb_to_the_byte
);

/// The `ValueError` of an `InvalidValue`; panics on any other result.
fn invalid<T: std::fmt::Debug, R: std::fmt::Debug>(result: Result<R, Error<T>>) -> ValueError {
    match result {
        Err(Error::InvalidValue(error)) => error,
        other => panic!("expected InvalidValue, got {other:?}"),
    }
}

/// The innermost error of an `At` chain, and the path it names.
fn located(error: ValueError) -> (String, ValueError) {
    match error {
        ValueError::At { path, source } => (path, *source),
        other => panic!("expected an error naming its attribute, got {other:?}"),
    }
}

/// A table holding the sample product, which every refused write must leave as it is.
async fn with_sample(backend: Backend, test: &str) -> (Fixture<Product>, Product) {
    let fx = Fixture::<Product>::new(backend, test).await;
    let sample = Product::sample("p");
    fx.table.put(&sample).await.expect("put sample");
    (fx, sample)
}

async fn assert_unchanged(fx: &Fixture<Product>, sample: &Product) {
    assert_eq!(&fx.stored(sample.item_key()).await, sample, "nothing was written");
}

async fn non_finite_floats_are_refused(backend: Backend) {
    let (fx, sample) = with_sample(backend, "non_finite").await;
    let key = || sample.item_key();

    // A value of `update!` is named as it is written.
    let (value, error) = located(invalid(fx.table.update(key(), update!(Product: price = f64::NAN)).await));
    assert_eq!(value, "`f64::NAN`");
    assert!(matches!(error, ValueError::NotFinite(_)), "{error:?}");
    let error = located(invalid(fx.table.update(key(), update!(Product: price += f64::INFINITY)).await)).1;
    assert!(matches!(error, ValueError::NotFinite(_)), "{error:?}");
    let refused = fx.table.update(key(), update!(Product: stock = 1; where price < f64::NEG_INFINITY)).await;
    let error = located(invalid(refused)).1;
    assert!(matches!(error, ValueError::NotFinite(_)), "{error:?}");

    let (path, error) = located(invalid(fx.table.put(&Product { price: f64::NAN, ..sample.clone() }).await));
    assert_eq!(path, "price");
    assert!(matches!(error, ValueError::NotFinite(_)), "{error:?}");
    assert_unchanged(&fx, &sample).await;

    let ledgers = Fixture::<Ledger>::new(backend, "non_finite_ledger").await;
    let (path, error) = located(invalid(ledgers.table.put(&Ledger::new(1, vec![1.0, f64::INFINITY])).await));
    assert_eq!(path, "parts[1]");
    assert!(matches!(error, ValueError::NotFinite(_)), "{error:?}");
    let error = invalid(ledgers.table.update(Ledger::key("l"), update!(Ledger: parts.append([f64::NAN]))).await);
    assert_eq!(located(error).0, "`[f64::NAN]`[0]");
    let upsert = upsert!(Ledger: total = 1_u128, parts.append([f64::NAN]));
    let error = invalid(ledgers.table.upsert(Ledger::key("l"), upsert).await);
    assert_eq!(located(error).0, "`[f64::NAN]`[0]");
    assert_eq!(ledgers.table.get(Ledger::key("l")).await.expect("get"), None, "nothing was written");
}

async fn numbers_out_of_range_or_too_precise_are_refused(backend: Backend) {
    let (fx, sample) = with_sample(backend, "number_range").await;
    let error = invalid(fx.table.update(sample.item_key(), update!(Product: price = 1e300)).await);
    assert_eq!(located(error), ("`1e300`".to_owned(), ValueError::OutOfRange(1e300.to_string())));
    let (path, error) = located(invalid(fx.table.put(&Product { price: -1e300, ..sample.clone() }).await));
    assert_eq!((path.as_str(), error), ("price", ValueError::OutOfRange((-1e300).to_string())));
    assert_unchanged(&fx, &sample).await;

    let ledgers = Fixture::<Ledger>::new(backend, "ledger").await;
    let key = || Ledger::key("l");
    let zero = Ledger::new(0, vec![0.5]);
    ledgers.table.put(&zero).await.expect("put");
    let (path, error) = located(invalid(ledgers.table.put(&Ledger::new(u128::MAX, vec![])).await));
    assert_eq!((path.as_str(), error), ("total", ValueError::TooPrecise(u128::MAX.to_string())));
    let error = invalid(ledgers.table.update(key(), update!(Ledger: total = u128::MAX)).await);
    assert_eq!(located(error), ("`u128::MAX`".to_owned(), ValueError::TooPrecise(u128::MAX.to_string())));
    assert_eq!(ledgers.stored(key()).await, zero, "nothing was written");

    // 38 digits are fine.
    let most = 10_u128.pow(38) - 1;
    ledgers.table.update(key(), update!(Ledger: total = most)).await.expect("38 digits");
    assert_eq!(ledgers.stored(key()).await, Ledger { total: most, ..zero });
}

async fn empty_sets_are_refused(backend: Backend) {
    let (fx, sample) = with_sample(backend, "empty_set").await;
    let key = || sample.item_key();
    let none = HashSet::<String>::new();

    let error = invalid(fx.table.update(key(), update!(Product: labels = &none)).await);
    assert_eq!(located(error), ("`&none`".to_owned(), ValueError::EmptySet));
    let error = invalid(fx.table.update(key(), update!(Product: labels.insert(&none), stock = 0)).await);
    assert_eq!(located(error).1, ValueError::EmptySet);
    let error = invalid(fx.table.update(key(), update!(Product: ids.delete(Vec::<u32>::new()))).await);
    assert_eq!(located(error).1, ValueError::EmptySet);
    assert_unchanged(&fx, &sample).await;
}

async fn empty_map_keys_are_refused(backend: Backend) {
    let (fx, sample) = with_sample(backend, "empty_key").await;
    let empty = String::new();
    let error = invalid(fx.table.update(sample.item_key(), update!(Product: scores[&empty] = 1, stock = 0)).await);
    assert_eq!(error, ValueError::EmptyName);
    assert_unchanged(&fx, &sample).await;
}

/// An item whose map field holds an empty key, at the top of the map and deeper down.
fn with_empty_key(sample: &Product) -> Product {
    let mut product = Product { pk: "bad".into(), ..sample.clone() };
    product.scores.insert(String::new(), 1);
    product
}

/// The path and the error of a value refused for an empty name: `scores`, "an attribute name or map key cannot
/// be empty".
fn assert_empty_name(error: ValueError, path: &str) {
    assert_eq!(located(error), (path.to_owned(), ValueError::EmptyName));
}

async fn an_empty_map_key_is_refused_on_every_write_path(backend: Backend) {
    let (fx, sample) = with_sample(backend, "empty_key_paths").await;
    let bad = with_empty_key(&sample);
    let replacing = Product { pk: sample.pk.clone(), ..bad.clone() };
    assert_empty_name(invalid(fx.table.put(&replacing).await), "scores");
    assert_empty_name(invalid(fx.table.put(&replacing).when(condition!(Product: stock == 10)).await), "scores");
    assert_empty_name(invalid(fx.table.create(&bad).await), "scores");
    match fx.table.batch_put(&[sample.clone(), bad.clone()]).await {
        Err(Error::InvalidEntry { index: 1, source }) => assert_empty_name(source, "scores"),
        other => panic!("expected InvalidEntry for entry 1, got {other:?}"),
    }
    match fx.table.batch_put_checked(std::slice::from_ref(&bad)).await {
        Err(Error::InvalidEntry { index: 0, source }) => assert_empty_name(source, "scores"),
        other => panic!("expected InvalidEntry for entry 0, got {other:?}"),
    }
    let transaction = fx.db.transaction().put(&fx.table, &sample).create(&fx.table, &bad).commit().await;
    match transaction {
        Err(TransactionError::InvalidValue { action: 1, source }) => assert_empty_name(source, "scores"),
        other => panic!("expected InvalidValue for action 1, got {other:?}"),
    }
    // A value of `update!` holding a map with an empty key, and the same one nested deeper.
    let scores: HashMap<String, i64> = [(String::new(), 1)].into();
    let refused = fx.table.update(sample.item_key(), update!(Product: scores = &scores)).await;
    assert_empty_name(invalid(refused), "`&scores`");
    let nested: HashMap<String, HashMap<String, i64>> = [("a".to_owned(), scores.clone())].into();
    let doc = Doc { pk: "d".into(), ..Doc::default() };
    let docs = Fixture::<Doc>::new(backend, "empty_key_nested").await;
    docs.table.put(&doc).await.expect("put");
    let refused = docs.table.update(doc.item_key(), update!(Doc: nested = &nested)).await;
    assert_empty_name(invalid(refused), "`&nested`.a");
    assert_unchanged(&fx, &sample).await;
    assert_eq!(fx.table.get(bad.item_key()).await.expect("get"), None, "nothing was created");
}

/// `Vec` around `Vec` around .. an `i64`, one `Vec` per token.
macro_rules! nested {
    () => { i64 };
    ($vec:tt $($more:tt)*) => { Vec<nested!($($more)*)> };
}

/// A value of [`nested!`]'s type, one `vec![]` per token around `$inner`.
macro_rules! nest {
    ($inner:expr;) => { $inner };
    ($inner:expr; $vec:tt $($more:tt)*) => { vec![nest!($inner; $($more)*)] };
}

/// 31 lists around a number: the number is at level 32, the most DynamoDB stores.
type Deepest = nested!(v v v v v v v v v v v v v v v v v v v v v v v v v v v v v v v);
/// 32 lists: too deep, whatever the innermost one holds (a list needs a level for its elements).
type TooDeep = nested!(v v v v v v v v v v v v v v v v v v v v v v v v v v v v v v v v);

/// A document with a map of maps and deep lists.
#[derive(Item, Debug, Clone, PartialEq, Default)]
struct Doc {
    #[dynatomic(partition_key)]
    pk: String,
    nested: HashMap<String, HashMap<String, i64>>,
    deepest: Option<Deepest>,
    too_deep: Option<TooDeep>,
}

async fn values_nested_past_32_levels_are_refused(backend: Backend) {
    let docs = Fixture::<Doc>::new(backend, "too_deep").await;
    let doc = Doc { pk: "d".into(), ..Doc::default() };
    docs.table.put(&doc).await.expect("put");
    let deepest: Deepest = nest!(vec![1]; v v v v v v v v v v v v v v v v v v v v v v v v v v v v v v);
    let ok = Doc { deepest: Some(deepest), ..doc.clone() };
    docs.table.put(&ok).await.expect("32 levels are fine");
    let holding_a_number: TooDeep = nest!(vec![1]; v v v v v v v v v v v v v v v v v v v v v v v v v v v v v v v);
    let error = invalid(docs.table.put(&Doc { too_deep: Some(holding_a_number), ..doc.clone() }).await);
    assert_eq!(located(error).1, ValueError::TooDeep);
    let empty_inside: TooDeep = nest!(Vec::new(); v v v v v v v v v v v v v v v v v v v v v v v v v v v v v v v);
    let error = invalid(docs.table.put(&Doc { too_deep: Some(empty_inside), ..doc.clone() }).await);
    assert_eq!(located(error).1, ValueError::TooDeep);
    assert_eq!(docs.stored(doc.item_key()).await, ok, "nothing was written");
}

async fn items_over_400_kb_are_refused(backend: Backend) {
    let (fx, sample) = with_sample(backend, "too_large").await;
    let big = Product { note: Some("x".repeat(400 * 1024)), ..sample.clone() };
    let fresh = Product { pk: "new".into(), ..big.clone() };
    let errors = [
        invalid(fx.table.put(&big).await),
        invalid(fx.table.put(&big).when(condition!(Product: stock == 10)).await),
        invalid(fx.table.create(&fresh).await),
    ];
    for error in errors {
        assert!(matches!(error, ValueError::ItemTooLarge { size } if size > 400 * 1024), "{error:?}");
    }
    assert_unchanged(&fx, &sample).await;
    assert_eq!(fx.table.get(fresh.item_key()).await.expect("get"), None, "nothing was created");
}

async fn the_size_limit_matches_dynamodb_to_the_byte(backend: Backend) {
    const LIMIT: usize = 400 * 1024;
    let fx = Fixture::<Note>::new(backend, "size_limit").await;
    // `pk` + "n" + `text` + the text: 7 bytes plus the text.
    let note = |len: usize| Note { pk: "n".into(), text: "x".repeat(len) };

    let over = note(LIMIT - 7 + 1);
    assert_eq!(invalid(fx.table.put(&over).await), ValueError::ItemTooLarge { size: LIMIT + 1 });
    assert_eq!(fx.try_raw(Note::key("n")).await, None, "nothing was written");
    // The backend refuses the same item when it is sent without dynatomic's checks.
    let AttributeValue::M(raw) = over.to_attr().expect("convert") else { panic!("a struct is stored as a map") };
    let sent = fx.try_put_raw(raw).await;
    match &sent {
        Err(WriteRefusal::Failed(Failure::Service(error))) if error.kind() == ServiceErrorKind::Validation => {
            assert_eq!(error.code(), Some("ValidationException"));
            assert_eq!(error.message(), "Item size has exceeded the maximum allowed size");
        }
        other => panic!("{backend:?} accepted an item of {} bytes: {other:?}", LIMIT + 1),
    }

    let largest = note(LIMIT - 7);
    fx.table.put(&largest).await.expect("an item of exactly 400 KB");
    assert_eq!(fx.stored(Note::key("n")).await, largest);
}
