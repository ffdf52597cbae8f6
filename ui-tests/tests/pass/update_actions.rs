//! Every assignment form of `update!`, one clause kind at a time and all together.

#[path = "../common/names.rs"]
mod names;
use names::names;

use dynatomic::{AttributeValue, update};

#[path = "../common/schema.rs"]
mod schema;
use schema::*;
use std::collections::{HashMap, HashSet};

fn main() {
    // `=` with literals, variables, references and whole values.
    let price = 9.5;
    let op = update!(Product: stock = 5, price = price, active = true, note = "new", tags = ["a", "b"]);
    assert_eq!(op.update_expression(), "SET #n0 = :v0, #n1 = :v1, #n2 = :v2, #n3 = :v3, #n4 = :v4");
    assert_eq!(op.condition_expression(), None);
    assert_eq!(
        op.names(),
        names([("#n0", "stock"), ("#n1", "price"), ("#n2", "active"), ("#n3", "note"), ("#n4", "tags")])
    );
    let values = op.values().expect("values convert");
    assert_eq!(values[":v0"], &AttributeValue::N("5".into()));
    assert_eq!(values[":v2"], &AttributeValue::Bool(true));
    assert_eq!(values[":v3"], &AttributeValue::S("new".into()));

    let label = String::from("x");
    let whole = Address { city: "Oslo".into(), zip: None };
    let op = update!(Product: note = &label, address = whole, labels = vec!["a"], scores = HashMap::from([("k".to_owned(), 1_i64)]));
    assert_eq!(op.update_expression(), "SET #n0 = :v0, #n1 = :v1, #n2 = :v2, #n3 = :v3");
    assert!(op.values().is_ok());

    // Counters: `+=` / `-=` start from zero when the attribute does not exist yet.
    let qty = 3;
    let op = update!(Product: stock -= qty, reserved += qty, hits += 1, price -= 0.5,);
    assert_eq!(
        op.update_expression(),
        "SET #n0 = if_not_exists(#n0, :zero) - :v0, #n1 = if_not_exists(#n1, :zero) + :v1, \
         #n2 = if_not_exists(#n2, :zero) + :v2, #n3 = if_not_exists(#n3, :zero) - :v3"
    );
    let values = op.values().expect("values convert");
    assert_eq!(values[":zero"], &AttributeValue::N("0".into()));
    assert_eq!(values.len(), 5);

    // `= #other + v`, `= #other - v`, `= v - #other`, `= #other`.
    let op = update!(Product: price = #price + 1.5, reserved = #stock - 1, stock = 10 - #reserved);
    assert_eq!(op.update_expression(), "SET #n0 = #n0 + :v0, #n1 = #n2 - :v1, #n2 = :v2 - #n1");
    assert_eq!(op.names(), names([("#n0", "price"), ("#n1", "reserved"), ("#n2", "stock")]));
    let op = update!(Product: stock = #reserved, hits = #hits + #version);
    assert_eq!(op.update_expression(), "SET #n0 = #n1, #n2 = #n2 + #n3");
    assert_eq!(op.names(), names([("#n0", "stock"), ("#n1", "reserved"), ("#n2", "hits"), ("#n3", "ver")]));

    // `if_not_exists`, `append`, `prepend`.
    let more = vec![String::from("c")];
    let op = update!(Product: note.if_not_exists("first"), tags.append(&more), address.city.if_not_exists("Oslo"));
    assert_eq!(
        op.update_expression(),
        "SET #n0 = if_not_exists(#n0, :v0), #n1 = list_append(if_not_exists(#n1, :empty), :v1), \
         #n2.#n3 = if_not_exists(#n2.#n3, :v2)"
    );
    assert_eq!(op.values().expect("values convert")[":empty"], &AttributeValue::L(vec![]));
    let op = update!(Product: tags.prepend(["z"]));
    assert_eq!(op.update_expression(), "SET #n0 = list_append(:v0, if_not_exists(#n0, :empty))");
    let slice: &[&str] = &["y"];
    let op = update!(Product: tags.append(slice));
    assert_eq!(op.update_expression(), "SET #n0 = list_append(if_not_exists(#n0, :empty), :v0)");

    // `insert` / `delete` on sets are ADD / DELETE.
    let gone: HashSet<String> = HashSet::from(["old".to_owned()]);
    let op = update!(Product: labels.insert(["sale", "new"]));
    assert_eq!(op.update_expression(), "ADD #n0 :v0");
    let op = update!(Product: labels.delete(&gone));
    assert_eq!(op.update_expression(), "DELETE #n0 :v0");

    // `remove()` on an option, a map entry and a list element.
    let user = String::from("alice");
    let op = update!(Product: note.remove(), scores[user].remove(), tags[3].remove(), address.zip.remove());
    assert_eq!(op.update_expression(), "REMOVE #n0, #n1.#n2, #n3[3], #n4.#n5");
    assert_eq!(
        op.names(),
        names([
            ("#n0", "note"),
            ("#n1", "scores"),
            ("#n2", "alice"),
            ("#n3", "tags"),
            ("#n4", "address"),
            ("#n5", "zip")
        ])
    );

    // Every clause at once, in DynamoDB's order SET, REMOVE, ADD, DELETE, with a condition.
    let op =
        update!(Product: labels.delete(["old"]), note.remove(), stock -= 1, hits.if_not_exists(0); where stock > 0);
    assert_eq!(
        op.update_expression(),
        "SET #n2 = if_not_exists(#n2, :zero) - :v1, #n3 = if_not_exists(#n3, :v2) REMOVE #n1 DELETE #n0 :v0"
    );
    assert_eq!(op.condition_expression(), Some("#n2 > :v3"));
}
