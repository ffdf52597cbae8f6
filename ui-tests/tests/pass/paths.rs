//! Document paths: nested struct fields, list elements, map entries with runtime keys, renamed fields,
//! and `#path` operands on every kind of path.

use std::collections::{HashMap, HashSet};

#[path = "../common/names.rs"]
mod names;
use names::names;

use dynatomic::{condition, update};

#[derive(dynatomic::Item)]
struct Geo {
    lat: f64,
    lon: f64,
}

#[derive(dynatomic::Item)]
struct Address {
    city: String,
    zip: Option<String>,
    #[dynatomic(rename = "g")]
    geo: Geo,
}

#[derive(dynatomic::Item)]
#[dynatomic(table = "products")]
struct Product {
    #[dynatomic(partition_key)]
    pk: String,
    #[dynatomic(sort_key)]
    sk: String,
    stock: i64,
    tags: Vec<String>,
    labels: HashSet<String>,
    scores: HashMap<String, i64>,
    history: Vec<Vec<i64>>,
    places: Vec<Address>,
    address: Address,
    note: Option<String>,
    #[dynatomic(rename = "ver")]
    version: u64,
}

fn main() {
    // Nested struct fields, three levels deep, through a renamed field.
    let op = update!(Product: address.city = "Oslo", address.geo.lat += 0.5, address.geo.lon = #address.geo.lat);
    assert_eq!(
        op.update_expression(),
        "SET #n0.#n1 = :v0, #n0.#n2.#n3 = if_not_exists(#n0.#n2.#n3, :zero) + :v1, #n0.#n2.#n4 = #n0.#n2.#n3"
    );
    assert_eq!(op.names(), names([("#n0", "address"), ("#n1", "city"), ("#n2", "g"), ("#n3", "lat"), ("#n4", "lon")]));

    // List elements, nested lists, and fields of structs inside a list.
    let op = update!(Product: tags[0] = "first", history[2][1] += 1, places[1].city = "Bergen", places[0].zip.remove());
    assert_eq!(
        op.update_expression(),
        "SET #n0[0] = :v0, #n1[2][1] = if_not_exists(#n1[2][1], :zero) + :v1, #n2[1].#n3 = :v2 REMOVE #n2[0].#n4"
    );
    assert_eq!(
        op.names(),
        names([("#n0", "tags"), ("#n1", "history"), ("#n2", "places"), ("#n3", "city"), ("#n4", "zip")])
    );

    // Map entries: the key is any Rust string expression, evaluated at run time.
    let user = String::from("alice");
    let other = "bob";
    let op = update!(Product: scores[&user] += 1, scores[other] = #scores[user.as_str()], scores[format!("u-{}", 7)].remove();
        where scores[&user] < 10);
    assert_eq!(
        op.update_expression(),
        "SET #n0.#n1 = if_not_exists(#n0.#n1, :zero) + :v0, #n0.#n2 = #n0.#n3 REMOVE #n0.#n4"
    );
    assert_eq!(op.condition_expression(), Some("#n0.#n5 < :v1"));
    assert_eq!(
        op.names(),
        names([
            ("#n0", "scores"),
            ("#n1", "alice"),
            ("#n2", "bob"),
            ("#n3", "alice"),
            ("#n4", "u-7"),
            ("#n5", "alice")
        ])
    );
    let key = user.clone();
    let c = condition!(Product: scores[key].exists());
    let literal = update!(Product: scores["alice"] += 1);
    assert_eq!(literal.names()["#n1"], "alice");
    assert_eq!(c.expression(), "attribute_exists(#n0.#n1)");

    // Renamed fields are written under their attribute name.
    let op = update!(Product: version += 1; where version == 3);
    assert_eq!(op.update_expression(), "SET #n0 = if_not_exists(#n0, :zero) + :v0");
    assert_eq!(op.names(), names([("#n0", "ver")]));

    // `#path` operands on nested, list and map paths, in conditions.
    let c = condition!(Product: address.city == #tags[0] && stock <= #scores[other] || note == #address.city);
    assert_eq!(c.expression(), "#n0.#n1 = #n2[0] AND #n3 <= #n4.#n5 OR #n6 = #n0.#n1");
}
