//! Raw identifiers: an item named `r#Line` whose fields name it as `Self`, and fields named like keywords
//! (`r#type`), stored under their names without `r#`.

#[path = "../common/names.rs"]
mod names;
use names::names;

use dynatomic::{condition, update};

#[derive(dynatomic::Item)]
struct r#Line {
    #[dynatomic(partition_key)]
    r#type: String,
    r#match: u64,
    children: Vec<Self>,
    next: Option<Vec<Self>>,
}

fn main() {
    let op = update!(r#Line: r#match += 1, children[0].r#match = 2; where r#type == "a" && next.exists());
    assert_eq!(op.update_expression(), "SET #n0 = if_not_exists(#n0, :zero) + :v0, #n1[0].#n2 = :v1");
    assert_eq!(op.condition_expression(), Some("#n3 = :v2 AND attribute_exists(#n4)"));
    assert_eq!(
        op.names(),
        names([("#n0", "match"), ("#n1", "children"), ("#n2", "match"), ("#n3", "type"), ("#n4", "next")])
    );

    let c = condition!(Line: next[0].r#type.begins_with("a"));
    assert_eq!(c.expression(), "begins_with(#n0[0].#n1, :v0)");
    assert_eq!(c.names(), names([("#n0", "next"), ("#n1", "type")]));
}
