//! Values DynamoDB would refuse are caught before anything is sent, as `Error::InvalidValue`, and nothing is
//! written.

mod common;

use std::collections::HashSet;

use common::{Backend, Fixture, Ledger, Note, Product};
use dynatomic::raw::{Failure, WriteRefusal};
use dynatomic::{Attribute, AttributeValue, Error, Item, ServiceErrorKind, ValueError, condition, update, upsert};

on_both_backends!(
    non_finite_floats_are_refused,
    numbers_out_of_range_or_too_precise_are_refused,
    empty_sets_are_refused,
    empty_map_keys_are_refused,
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

    let error = invalid(fx.table.update(key(), update!(Product: price = f64::NAN)).await);
    assert!(matches!(error, ValueError::NotFinite(_)), "{error:?}");
    let error = invalid(fx.table.update(key(), update!(Product: price += f64::INFINITY)).await);
    assert!(matches!(error, ValueError::NotFinite(_)), "{error:?}");
    let error = invalid(fx.table.update(key(), update!(Product: stock = 1; where price < f64::NEG_INFINITY)).await);
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
    assert_eq!(located(error).0, "[0]");
    let upsert = upsert!(Ledger: total = 1_u128, parts.append([f64::NAN]));
    let error = invalid(ledgers.table.upsert(Ledger::key("l"), upsert).await);
    assert_eq!(located(error).0, "[0]");
    assert_eq!(ledgers.table.get(Ledger::key("l")).await.expect("get"), None, "nothing was written");
}

async fn numbers_out_of_range_or_too_precise_are_refused(backend: Backend) {
    let (fx, sample) = with_sample(backend, "number_range").await;
    let error = invalid(fx.table.update(sample.item_key(), update!(Product: price = 1e300)).await);
    assert_eq!(error, ValueError::OutOfRange(1e300.to_string()));
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
    assert_eq!(error, ValueError::TooPrecise(u128::MAX.to_string()));
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
    assert_eq!(error, ValueError::EmptySet);
    let error = invalid(fx.table.update(key(), update!(Product: labels.insert(&none), stock = 0)).await);
    assert_eq!(error, ValueError::EmptySet);
    let error = invalid(fx.table.update(key(), update!(Product: ids.delete(Vec::<u32>::new()))).await);
    assert_eq!(error, ValueError::EmptySet);
    assert_unchanged(&fx, &sample).await;
}

async fn empty_map_keys_are_refused(backend: Backend) {
    let (fx, sample) = with_sample(backend, "empty_key").await;
    let empty = String::new();
    let error = invalid(fx.table.update(sample.item_key(), update!(Product: scores[&empty] = 1, stock = 0)).await);
    assert_eq!(error, ValueError::EmptyName);
    assert_unchanged(&fx, &sample).await;
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
