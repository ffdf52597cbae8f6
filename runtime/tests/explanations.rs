//! Explanations of failed conditions: which clauses of a `condition!` or `where` part were false for the
//! stored item, as written, with the values they compared. Each case runs on `Product::sample` (or on no
//! item) on each backend, through `put(..).when(..)`, `update`, `delete(..).when(..)` and `create`.

mod common;

use common::{Backend, Fixture, Product, stored_item};
use dynatomic::returning::{AllNew, AllOld, UpdatedNew, UpdatedOld};
use dynatomic::{AttributeValue, Condition, Error, Item, Reason, TransactionError, condition, update};

on_both_backends!(
    a_comparison_shows_its_operands,
    only_the_false_clauses_that_decided_are_listed,
    a_negation_fails_when_its_operand_holds,
    between_is_in_contains_begins_with_and_len,
    nested_renamed_and_keyed_paths,
    an_absent_item_has_absent_attributes,
    every_conditional_write_explains_its_condition,
    canceled_transactions_explain_each_failed_condition,
);

/// The explanation of a conditional put of the sample over `stored` (written first), or `holds` when the put
/// goes through.
async fn why(fx: &Fixture<Product>, stored: &Product, condition: Condition<Product>) -> String {
    fx.table.put(stored).await.expect("store the item");
    match fx.table.put(stored).when(condition).await {
        Ok(()) => "holds".to_owned(),
        Err(Error::ConditionFailed { stored: refused, explanation }) => {
            assert_eq!(stored_item(refused).as_ref(), Some(stored), "the refusal carries the stored item");
            explanation.expect("a failed condition is explained").to_string()
        }
        Err(other) => panic!("unexpected error {other:?}"),
    }
}

/// Checks every `(condition, explanation)` case on the sample, and reports all wrong ones at once.
async fn check(backend: Backend, test: &str, stored: Product, cases: Vec<(Condition<Product>, impl AsRef<str>)>) {
    let fx = Fixture::<Product>::new(backend, test).await;
    let mut wrong = Vec::new();
    for (condition, expected) in cases {
        let label = condition.expression();
        let found = why(&fx, &stored, condition).await;
        let expected = expected.as_ref();
        if found != expected {
            wrong.push(format!("`{label}`:\n  expected {expected}\n     found {found}"));
        }
    }
    assert!(wrong.is_empty(), "wrong explanations on {backend:?}:\n{}", wrong.join("\n"));
}

async fn a_comparison_shows_its_operands(backend: Backend) {
    let (qty, ten) = (15, 10);
    let cases = vec![
        (condition!(Product: stock >= qty), "stock >= qty (stock = 10, qty = 15)"),
        (condition!(Product: stock >= ten), "holds"),
        (condition!(Product: stock < 3), "stock < 3 (stock = 10)"),
        (condition!(Product: price != 9.5), "price != 9.5 (price = 9.5)"),
        (condition!(Product: reserved > #stock), "reserved > #stock (reserved = 2, stock = 10)"),
        (condition!(Product: stock == qty - 5 + 1), "stock == qty - 5 + 1 (stock = 10, qty - 5 + 1 = 11)"),
    ];
    check(backend, "comparison", Product::sample("c"), cases).await;
}

async fn only_the_false_clauses_that_decided_are_listed(backend: Backend) {
    // a && (b || c), with each of a, b and c true or false.
    let case = |n: i64, tag: &str| condition!(Product: stock == n && (note.exists() || tags.contains(tag)));
    let a = "stock == n (stock = 10, n = 3)";
    let b = "note.exists() (note = absent)";
    let c = r#"tags.contains(tag) (tags = ["red", "blue"], tag = "green")"#;
    let cases = vec![
        (case(10, "red"), "holds".to_owned()),
        (case(3, "red"), a.to_owned()),
        (case(10, "green"), format!("{b}; {c}")),
        (case(3, "green"), format!("{a}; {b}; {c}")),
    ];
    check(backend, "and_or", Product::sample("c"), cases).await;
    // (a || b) && c: a true `||` is never listed, whatever its parts.
    let cases = vec![
        (condition!(Product: (stock == 10 || stock == 1) && reserved == 3), "reserved == 3 (reserved = 2)"),
        (
            condition!(Product: (stock == 1 || note.exists()) && reserved == 2),
            "stock == 1 (stock = 10); note.exists() (note = absent)",
        ),
    ];
    check(backend, "or_and", Product::sample("c"), cases).await;
}

async fn a_negation_fails_when_its_operand_holds(backend: Backend) {
    let with_note = Product { note: Some("fragile".to_owned()), ..Product::sample("c") };
    let cases = vec![
        (condition!(Product: !note.exists()), r#"!note.exists() (note = "fragile")"#),
        (condition!(Product: !(stock > 5)), "!(stock > 5) (stock = 10)"),
        (
            condition!(Product: !(stock > 5 && reserved < 3) && !address.zip.exists()),
            r#"!(stock > 5 && reserved < 3) (stock = 10, reserved = 2); !address.zip.exists() (address.zip = "0150")"#,
        ),
        (condition!(Product: !tags.contains("red")), r#"!tags.contains("red") (tags = ["red", "blue"])"#),
        (
            condition!(Product: !(note.exists() || stock == 0)),
            r#"!(note.exists() || stock == 0) (note = "fragile", stock = 10)"#,
        ),
    ];
    check(backend, "negation", with_note, cases).await;
}

async fn between_is_in_contains_begins_with_and_len(backend: Backend) {
    let (lo, hi, prefix) = (1, 5, "02");
    let cases = vec![
        (condition!(Product: stock.between(lo, hi)), "stock.between(lo, hi) (stock = 10, lo = 1, hi = 5)"),
        (
            condition!(Product: address.city.is_in(["Bergen", "Trondheim"])),
            r#"address.city.is_in(["Bergen", "Trondheim"]) (address.city = "Oslo")"#,
        ),
        (condition!(Product: labels.contains("old")), r#"labels.contains("old") (labels = {"new", "sale"})"#),
        (condition!(Product: ids.contains(7)), "ids.contains(7) (ids = {1, 2, 3})"),
        (
            condition!(Product: address.zip.begins_with(prefix)),
            r#"address.zip.begins_with(prefix) (address.zip = "0150", prefix = "02")"#,
        ),
        (condition!(Product: address.zip.begins_with("9")), r#"address.zip.begins_with("9") (address.zip = "0150")"#),
        (condition!(Product: tags.len() > 2), "tags.len() > 2 (tags.len() = 2)"),
        (condition!(Product: history.len() == 0), "history.len() == 0 (history.len() = absent)"),
    ];
    check(backend, "functions", Product::sample("c"), cases).await;
}

async fn nested_renamed_and_keyed_paths(backend: Backend) {
    let (city, user, zip) = ("Bergen", "alice", "5003".to_owned());
    let cases = vec![
        (condition!(Product: address.city == city), r#"address.city == city (address.city = "Oslo", city = "Bergen")"#),
        (condition!(Product: address.zip == &zip), r#"address.zip == &zip (address.zip = "0150", &zip = "5003")"#),
        (condition!(Product: scores[user] >= 10), "scores[user] >= 10 (scores[user] = 5)"),
        (condition!(Product: scores["bob"].exists()), r#"scores["bob"].exists() (scores["bob"] = absent)"#),
        (condition!(Product: tags[1] == "red"), r#"tags[1] == "red" (tags[1] = "blue")"#),
        (condition!(Product: version == 4), "version == 4 (version = 3)"),
        (condition!(Product: !address.exists()), r#"!address.exists() (address = {"city": "Oslo", "zip": "0150"})"#),
    ];
    check(backend, "paths", Product::sample("c"), cases).await;
}

async fn an_absent_item_has_absent_attributes(backend: Backend) {
    let fx = Fixture::<Product>::new(backend, "absent").await;
    let qty = 5;
    let refused = fx.table.put(&Product::sample("none")).when(condition!(Product: stock >= qty)).await;
    let Err(Error::ConditionFailed { stored: None, explanation: Some(explanation) }) = refused else {
        panic!("expected an explained refusal without an item, got {refused:?}");
    };
    assert_eq!(explanation.to_string(), "stock >= qty (stock = absent, qty = 5)");
    let clause = &explanation.clauses()[0];
    assert_eq!(clause.text(), "stock >= qty");
    let operands: Vec<(&str, Option<&AttributeValue>)> =
        clause.operands().iter().map(|o| (o.name(), o.value())).collect();
    assert_eq!(operands, [("stock", None), ("qty", Some(&AttributeValue::N("5".into())))]);

    let refused = fx.table.delete(Product::key("none")).when(condition!(Product: stock == 0 && !note.exists())).await;
    let Err(Error::ConditionFailed { stored: None, explanation: Some(explanation) }) = refused else {
        panic!("expected an explained refusal without an item, got {refused:?}");
    };
    assert_eq!(explanation.to_string(), "stock == 0 (stock = absent)", "`!note.exists()` held");

    // An update needs the item: there is no condition to explain, the item is not found.
    let refused = fx.table.update(Product::key("none"), update!(Product: stock -= qty; where stock >= qty)).await;
    assert!(matches!(refused, Err(Error::NotFound { .. })), "{refused:?}");
    assert_eq!(fx.try_raw(Product::key("none")).await, None, "nothing was written");
}

async fn every_conditional_write_explains_its_condition(backend: Backend) {
    let fx = Fixture::<Product>::new(backend, "writes").await;
    let sample = Product::sample("w");
    fx.table.put(&sample).await.expect("put");
    let qty = 15;
    let expected = "stock >= qty (stock = 10, qty = 15)";
    let message = |result: Result<(), Error<Product>>| match result {
        Err(Error::ConditionFailed { stored, explanation }) => {
            assert_eq!(stored_item(stored).as_ref(), Some(&sample), "the refusal carries the stored item");
            explanation.map(|explanation| explanation.to_string())
        }
        other => panic!("expected ConditionFailed, got {other:?}"),
    };
    let expected = Some(expected.to_owned());
    let key = || sample.item_key();
    let op = || update!(Product: stock -= qty; where stock >= qty);
    assert_eq!(message(fx.table.update(key(), op()).await), expected);
    assert_eq!(message(fx.table.update(key(), op()).returning(AllNew).await.map(drop)), expected);
    assert_eq!(message(fx.table.update(key(), op()).returning(AllOld).await.map(drop)), expected);
    assert_eq!(message(fx.table.update(key(), op()).returning(UpdatedOld).await.map(drop)), expected);
    assert_eq!(message(fx.table.update(key(), op()).returning(UpdatedNew).await.map(drop)), expected);
    assert_eq!(message(fx.table.update(key(), op()).ignore_missing().await.map(drop)), expected);
    let condition = || condition!(Product: stock >= qty);
    assert_eq!(message(fx.table.put(&sample).when(condition()).await), expected);
    assert_eq!(message(fx.table.delete(key()).when(condition()).await.map(drop)), expected);
    // A create of a taken key fails with the stored item. It has no condition of the user's to explain, and no
    // explanation is required of it (the runtime before the write builders gave `!pk.exists() (pk = "w")`).
    let _ = message(fx.table.create(&sample).await);
    assert_eq!(fx.stored(key()).await, sample, "nothing was written");
}

async fn canceled_transactions_explain_each_failed_condition(backend: Backend) {
    let fx = Fixture::<Product>::new(backend, "transaction").await;
    fx.table.put(&Product::sample("t1")).await.expect("put");
    fx.table.put(&Product::sample("t2")).await.expect("put");
    fx.table.put(&Product::sample("t3")).await.expect("put");
    let (qty, tag) = (15, "green");
    let result = fx
        .db
        .transaction()
        .update(&fx.table, Product::key("t1"), update!(Product: stock -= qty; where stock >= qty))
        .check(&fx.table, Product::key("t2"), condition!(Product: stock == 10 && (note.exists() || tags.contains(tag))))
        .update(&fx.table, Product::key("t3"), update!(Product: hits += 1))
        .commit()
        .await;
    let Err(TransactionError::Canceled(canceled)) = result else { panic!("expected a cancellation, got {result:?}") };
    let explained: Vec<(Reason, Option<String>)> = canceled
        .actions
        .iter()
        .map(|action| (action.reason.clone(), action.explanation.as_ref().map(ToString::to_string)))
        .collect();
    assert_eq!(
        explained,
        [
            (Reason::ConditionFailed, Some("stock >= qty (stock = 10, qty = 15)".to_owned())),
            (
                Reason::ConditionFailed,
                Some(
                    r#"note.exists() (note = absent); tags.contains(tag) (tags = ["red", "blue"], tag = "green")"#
                        .to_owned()
                )
            ),
            (Reason::None, None),
        ]
    );
    let message = canceled.to_string();
    assert!(message.contains("action 0 (update of pk = \"t1\" in `"), "{message}");
    assert!(message.contains("): condition failed: stock >= qty (stock = 10, qty = 15); action 1"), "{message}");
    assert_eq!(fx.stored(Product::key("t3")).await, Product::sample("t3"), "nothing was written");
}
