//! `upsert!` sets every field an item cannot be read without (others may be left out), and a bool field is a
//! condition by itself.

use dynatomic::{condition, update, upsert};

#[derive(dynatomic::Item)]
struct Account {
    #[dynatomic(partition_key)]
    id: String,
    balance: i64,
    active: bool,
    frozen: bool,
    note: Option<String>,
    tags: std::collections::BTreeSet<String>,
    #[dynatomic(default)]
    logins: u64,
    #[dynatomic(version)]
    version: u64,
}

fn main() {
    let op = upsert!(Account: balance += 10, active = true, frozen = false);
    assert_eq!(op.update_expression(), "SET #n0 = if_not_exists(#n0, :zero) + :v0, #n1 = :v1, #n2 = :v2");
    let op = upsert!(Account: balance = 0, active.if_not_exists(true), frozen = false, logins += 1; where !frozen);
    assert_eq!(op.condition_expression(), Some("#n2 <> :true"));

    let c = condition!(Account: active && !frozen);
    assert_eq!(c.expression(), "#n0 = :true AND #n1 <> :true");
    let c = condition!(Account: !(active || frozen) && balance > 0);
    assert_eq!(c.expression(), "NOT (#n0 = :true OR #n1 = :true) AND #n2 > :v0");
    let op = update!(Account: balance -= 5; where active && balance >= 5);
    assert_eq!(op.condition_expression(), Some("#n1 = :true AND #n0 >= :v1"));
}
