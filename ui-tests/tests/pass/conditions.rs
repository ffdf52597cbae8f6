//! Every condition form, in `update!`'s `where` part and in `condition!`, and how `&&`, `||`, `!` and
//! parentheses are written out: parentheses only where DynamoDB needs them.

#[path = "../common/names.rs"]
mod names;
use names::names;

use dynatomic::{condition, update};

#[path = "../common/schema.rs"]
mod schema;
use schema::*;

fn main() {
    // Comparators, with values and with `#path` operands; key attributes may be read.
    let c = condition!(Product: stock == 1 && stock != 2 && price < 3.0 && price <= 4.0 && hits > 5 && hits >= 6);
    assert_eq!(c.expression(), "#n0 = :v0 AND #n0 <> :v1 AND #n1 < :v2 AND #n1 <= :v3 AND #n2 > :v4 AND #n2 >= :v5");
    assert_eq!(c.names(), names([("#n0", "stock"), ("#n1", "price"), ("#n2", "hits")]));
    let c = condition!(Product: stock >= #reserved && pk == "p-1" && sk < #pk && active != false && version == #hits);
    assert_eq!(c.expression(), "#n0 >= #n1 AND #n2 = :v0 AND #n3 < #n2 AND #n4 <> :v1 AND #n5 = #n6");
    assert_eq!(c.names()["#n5"], "ver");

    // Functions.
    let c = condition!(Product: note.exists() && !address.zip.exists());
    assert_eq!(c.expression(), "attribute_exists(#n0) AND attribute_not_exists(#n1.#n2)");
    let c = condition!(Product: !!note.exists());
    assert_eq!(c.expression(), "attribute_exists(#n0)");
    let c = condition!(Product: note.begins_with("ab") && pk.begins_with(String::from("p-")));
    assert_eq!(c.expression(), "begins_with(#n0, :v0) AND begins_with(#n1, :v1)");
    let c = condition!(Product: tags.contains("a") && labels.contains("b") && note.contains("c"));
    assert_eq!(c.expression(), "contains(#n0, :v0) AND contains(#n1, :v1) AND contains(#n2, :v2)");
    let (low, high) = (1.0, 2.5);
    let c = condition!(Product: price.between(low, high) && address.city.between("A", "M"));
    assert_eq!(c.expression(), "#n0 BETWEEN :v0 AND :v1 AND #n1.#n2 BETWEEN :v2 AND :v3");
    let c = condition!(Product: stock.is_in([1, 2, 3]) || note.is_in(["x"]));
    assert_eq!(c.expression(), "#n0 IN (:v0, :v1, :v2) OR #n1 IN (:v3)");
    let c = condition!(Product: tags.len() > 2 && labels.len() <= #stock && scores.len() == 0 && note.len() < 10);
    assert_eq!(c.expression(), "size(#n0) > :v0 AND size(#n1) <= #n2 AND size(#n3) = :v1 AND size(#n4) < :v2");

    // Precedence: `&&` binds tighter than `||`, `!` tightest; parentheses only where needed.
    let c = condition!(Product: stock > 0 || hits > 1 && active == true);
    assert_eq!(c.expression(), "#n0 > :v0 OR #n1 > :v1 AND #n2 = :v2");
    let c = condition!(Product: (stock > 0 || hits > 1) && active == true);
    assert_eq!(c.expression(), "(#n0 > :v0 OR #n1 > :v1) AND #n2 = :v2");
    let c = condition!(Product: stock > 0 && hits > 1 || active == true);
    assert_eq!(c.expression(), "#n0 > :v0 AND #n1 > :v1 OR #n2 = :v2");
    let c = condition!(Product: (stock > 0 && hits > 1) || (active == true));
    assert_eq!(c.expression(), "#n0 > :v0 AND #n1 > :v1 OR #n2 = :v2");
    let c = condition!(Product: stock > 0 && (hits > 1 && active == true));
    assert_eq!(c.expression(), "#n0 > :v0 AND #n1 > :v1 AND #n2 = :v2");
    let c = condition!(Product: stock > 0 && (hits > 1 || active == true));
    assert_eq!(c.expression(), "#n0 > :v0 AND (#n1 > :v1 OR #n2 = :v2)");
    let c = condition!(Product: !(stock > 0 && hits > 1));
    assert_eq!(c.expression(), "NOT (#n0 > :v0 AND #n1 > :v1)");
    let c = condition!(Product: !(stock > 0 || hits > 1) && !(active == true));
    assert_eq!(c.expression(), "NOT (#n0 > :v0 OR #n1 > :v1) AND NOT #n2 = :v2");
    let c = condition!(Product: !(!note.exists() || tags.contains("a")));
    assert_eq!(c.expression(), "NOT (attribute_not_exists(#n0) OR contains(#n1, :v0))");
    let c = condition!(Product: ((stock > 0)));
    assert_eq!(c.expression(), "#n0 > :v0");

    // The same conditions after `where`; names are shared with the assignments.
    let qty = 2;
    let op = update!(Product: stock -= qty, reserved += qty; where stock >= qty && (note.exists() || !active.exists()));
    assert_eq!(
        op.update_expression(),
        "SET #n0 = if_not_exists(#n0, :zero) - :v0, #n1 = if_not_exists(#n1, :zero) + :v1"
    );
    assert_eq!(op.condition_expression(), Some("#n0 >= :v2 AND (attribute_exists(#n2) OR attribute_not_exists(#n3))"));
    assert_eq!(op.names(), names([("#n0", "stock"), ("#n1", "reserved"), ("#n2", "note"), ("#n3", "active")]));
    let op = update!(Product: note.remove(); where !(price.between(1.0, 2.0) && note.begins_with("x")));
    assert_eq!(op.condition_expression(), Some("NOT (#n1 BETWEEN :v0 AND :v1 AND begins_with(#n0, :v2))"));
}
