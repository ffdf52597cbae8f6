//! Every condition of `condition!` and of `update!`'s `where` part, each with a true and a false outcome,
//! evaluated on `Product::sample` by each backend.

mod common;

use common::{Backend, Fixture, Product, stored_item};
use dynatomic::{Bytes, Condition, Error, Item, condition, update};

on_both_backends!(
    comparisons_with_values,
    comparisons_with_attributes,
    exists_and_not_exists,
    begins_with_contains_between_is_in,
    len_measures_strings_collections_and_bytes,
    and_or_not_and_their_precedence,
    where_conditions_guard_updates,
    bool_fields_are_conditions_by_themselves
);

/// The `hits` a conditional write leaves when it goes through (the sample has 0).
const WRITTEN: u64 = 1000;

/// What DynamoDB decides for `condition` on a freshly stored sample: the conditional put either writes the
/// marked copy (true) or fails and leaves the sample as it was, handing it back (false).
async fn holds(fx: &Fixture<Product>, label: &str, condition: Condition<Product>) -> bool {
    let sample = Product::sample("c");
    fx.table.put(&sample).await.expect("reset the sample");
    let marked = Product { hits: WRITTEN, ..sample.clone() };
    let result = fx.table.put(&marked).when(condition).await;
    let stored = fx.stored(sample.item_key()).await;
    match result {
        Ok(()) => {
            assert_eq!(stored, marked, "{label}: the write went through");
            true
        }
        Err(Error::ConditionFailed { stored: refused, .. }) => {
            assert_eq!(stored_item(refused), Some(sample.clone()), "{label}: the refusal carries the stored item");
            assert_eq!(stored, sample, "{label}: nothing was written");
            false
        }
        Err(other) => panic!("{label}: unexpected error {other:?}"),
    }
}

/// `(expected outcome, the condition's text, the condition)`.
macro_rules! case {
    ($expected:expr, $($condition:tt)+) => {
        ($expected, stringify!($($condition)+), condition!(Product: $($condition)+))
    };
}

/// Runs every case and reports all wrong outcomes at once.
async fn check(backend: Backend, test: &str, cases: Vec<(bool, &str, Condition<Product>)>) {
    let fx = Fixture::<Product>::new(backend, test).await;
    let mut wrong = Vec::new();
    for (expected, label, condition) in cases {
        if holds(&fx, label, condition).await != expected {
            wrong.push(format!("`{label}` should be {expected}"));
        }
    }
    assert!(wrong.is_empty(), "wrong outcomes:\n{}", wrong.join("\n"));
}

async fn comparisons_with_values(backend: Backend) {
    let (ten, city, alice) = (10_i64, "Oslo", "alice");
    check(
        backend,
        "comparisons",
        vec![
            case!(true, stock == 10),
            case!(false, stock == 11),
            case!(true, stock == ten),
            case!(true, stock != 11),
            case!(false, stock != 10),
            case!(true, stock < 11),
            case!(false, stock < 10),
            case!(true, stock <= 10),
            case!(false, stock <= 9),
            case!(true, stock > 9),
            case!(false, stock > 10),
            case!(true, stock >= 10),
            case!(false, stock >= 11),
            case!(true, price < 9.75),
            case!(false, price > 9.5),
            case!(true, version == 3),
            case!(false, version == 4),
            case!(true, address.city == city),
            case!(false, address.city == "Bergen"),
            case!(true, address.city < "Paris"),
            case!(false, address.city > "Paris"),
            case!(true, tags[1] == "blue"),
            case!(false, tags[0] == "blue"),
            case!(true, scores[alice] == 5),
            case!(false, scores[alice] > 5),
            case!(true, blob == Bytes(vec![1, 2, 3])),
            case!(false, blob > Bytes(vec![1, 2, 4])),
        ],
    )
    .await;
}

async fn comparisons_with_attributes(backend: Backend) {
    check(
        backend,
        "attribute_comparisons",
        vec![
            case!(true, stock > #reserved),
            case!(false, stock < #reserved),
            case!(true, reserved != #stock),
            case!(false, reserved == #stock),
            case!(true, note == #address.city || stock >= #reserved),
            case!(false, note == #address.city),
        ],
    )
    .await;
}

async fn exists_and_not_exists(backend: Backend) {
    let (alice, missing) = ("alice", "bob");
    check(
        backend,
        "exists",
        vec![
            case!(true, address.zip.exists()),
            case!(false, note.exists()),
            case!(true, !note.exists()),
            case!(false, !address.zip.exists()),
            case!(true, scores[alice].exists()),
            case!(false, scores[missing].exists()),
            case!(true, !tags[2].exists()),
            case!(false, !tags[1].exists()),
        ],
    )
    .await;
}

async fn begins_with_contains_between_is_in(backend: Backend) {
    let prefix = String::from("O");
    check(
        backend,
        "functions",
        vec![
            case!(true, address.city.begins_with("Os")),
            case!(true, address.city.begins_with(&prefix)),
            case!(false, address.city.begins_with("sl")),
            case!(true, blob.begins_with(&[1_u8, 2][..])),
            case!(false, blob.begins_with(&[2_u8][..])),
            case!(true, address.city.contains("sl")),
            case!(false, address.city.contains("xx")),
            case!(true, tags.contains("red")),
            case!(false, tags.contains("green")),
            case!(true, labels.contains("sale")),
            case!(false, labels.contains("old")),
            case!(true, ids.contains(2_u32)),
            case!(false, ids.contains(4_u32)),
            case!(true, stock.between(10, 20)),
            case!(true, stock.between(1, 10)),
            case!(false, stock.between(11, 20)),
            case!(true, price.between(9.0, 10.0)),
            case!(true, address.city.between("A", "P")),
            case!(false, address.city.between("P", "Z")),
            case!(true, stock.is_in([1, 10, 100])),
            case!(false, stock.is_in([1, 2])),
            case!(true, address.city.is_in(["Bergen", "Oslo"])),
            case!(false, address.city.is_in(["Bergen"])),
        ],
    )
    .await;
}

async fn len_measures_strings_collections_and_bytes(backend: Backend) {
    check(
        backend,
        "len",
        vec![
            case!(true, tags.len() == 2),
            case!(false, tags.len() > 2),
            case!(true, labels.len() >= 2),
            case!(false, labels.len() < 2),
            case!(true, ids.len() == 3),
            case!(true, scores.len() == 1),
            case!(false, scores.len() != 1),
            case!(true, address.city.len() == 4),
            case!(false, address.city.len() <= 3),
            case!(true, blob.len() == 3),
            case!(true, tags.len() < #stock),
            case!(false, ids.len() > #stock),
        ],
    )
    .await;
}

async fn and_or_not_and_their_precedence(backend: Backend) {
    check(
        backend,
        "logic",
        vec![
            case!(true, stock == 10 && version == 3),
            case!(false, stock == 10 && version == 4),
            case!(true, stock == 1 || version == 3),
            case!(false, stock == 1 || version == 4),
            case!(true, !(stock == 1)),
            case!(false, !(stock == 10)),
            case!(true, !stock.between(11, 20)),
            case!(false, !tags.contains("red")),
            // `&&` binds tighter than `||`: true || (true && false).
            case!(true, stock == 10 || version == 3 && hits == 1),
            case!(false, (stock == 10 || version == 3) && hits == 1),
            case!(true, !(stock == 1 || hits == 1) && version == 3),
            case!(false, !(stock == 1 || hits == 0) && version == 3),
            case!(true, !!note.exists() || (stock > 5 && !(address.city == "Bergen"))),
            case!(false, stock > 5 && (note.exists() || !address.zip.exists())),
        ],
    )
    .await;
}

async fn where_conditions_guard_updates(backend: Backend) {
    let fx = Fixture::<Product>::new(backend, "where").await;
    let sample = Product::sample("w");
    fx.table.put(&sample).await.expect("put");
    let key = || sample.item_key();

    let qty = 4;
    let refused = update!(Product: stock -= qty, reserved += qty; where stock >= qty && note.exists());
    assert!(
        matches!(fx.table.update(key(), refused).await, Err(Error::ConditionFailed { stored: Some(s), .. }) if s.item() == Some(&sample))
    );
    assert_eq!(fx.stored(key()).await, sample);

    let op = update!(Product: stock -= qty, reserved += qty; where stock >= qty && !note.exists() && tags.len() == 2);
    fx.table.update(key(), op).await.expect("the condition holds");
    assert_eq!(fx.stored(key()).await, Product { stock: 6, reserved: 6, ..sample.clone() });

    let op = update!(Product: labels.insert(["vip"]); where labels.contains("sale") || address.city.begins_with("X"));
    fx.table.update(key(), op).await.expect("the condition holds");
    assert!(fx.stored(key()).await.labels.contains("vip"));
}

/// An account with bool fields, and an optional one.
#[derive(Item, Debug, Clone, PartialEq)]
struct Account {
    #[dynatomic(partition_key)]
    id: String,
    balance: i64,
    active: bool,
    frozen: bool,
    vip: Option<bool>,
}

/// A bool field stands alone as a condition (`frozen`, `!frozen`), also in `where` and combined with others; an
/// absent bool is not `true`, so its negation holds.
async fn bool_fields_are_conditions_by_themselves(backend: Backend) {
    let fx = Fixture::<Account>::new(backend, "flags").await;
    let stored = Account { id: "a".into(), balance: 10, active: true, frozen: false, vip: None };
    let key = || Account::key("a");
    let holds = async |condition: Condition<Account>| {
        fx.table.put(&stored).await.expect("reset");
        let label = condition.expression();
        match fx.table.delete(key()).when(condition).await {
            Ok(deleted) => {
                assert_eq!(deleted.as_ref(), Some(&stored), "{label}");
                true
            }
            Err(Error::ConditionFailed { stored: refused, .. }) => {
                assert_eq!(stored_item(refused).as_ref(), Some(&stored), "{label}");
                false
            }
            Err(other) => panic!("{label}: unexpected error {other:?}"),
        }
    };
    assert!(holds(condition!(Account: active)).await);
    assert!(!holds(condition!(Account: frozen)).await);
    assert!(holds(condition!(Account: !frozen)).await);
    assert!(!holds(condition!(Account: !active)).await);
    assert!(holds(condition!(Account: active && !frozen)).await);
    assert!(!holds(condition!(Account: active && frozen)).await);
    assert!(holds(condition!(Account: frozen || balance > 5)).await);
    // `vip` is absent: it is not true, and `!vip` holds.
    assert!(!holds(condition!(Account: vip)).await);
    assert!(holds(condition!(Account: !vip)).await);

    fx.table.put(&stored).await.expect("put");
    let amount = 3;
    fx.table
        .update(key(), update!(Account: balance -= amount; where active && !frozen))
        .await
        .expect("an active, unfrozen account");
    fx.table.update(key(), update!(Account: frozen = true)).await.expect("freeze");
    let result = fx.table.update(key(), update!(Account: balance -= amount; where active && !frozen)).await;
    match result {
        Err(Error::ConditionFailed { stored, explanation }) => {
            assert_eq!(stored_item(stored).map(|a| a.balance), Some(7));
            assert_eq!(explanation.expect("explained").to_string(), "!frozen (frozen = true)");
        }
        other => panic!("expected ConditionFailed, got {other:?}"),
    }
    assert_eq!(fx.stored(key()).await, Account { balance: 7, frozen: true, ..stored });
}
