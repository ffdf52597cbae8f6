//! Tests of multi-item requests on the memory backend: atomicity and isolation under threads, DynamoDB Local's
//! answers, tokens, batches.

use std::borrow::Cow;
use std::collections::HashMap;

use aws_sdk_dynamodb::types::AttributeValue;

use super::super::Memory;
use super::super::tests::{code, message};
use crate::capacity::Tally;
use crate::request::{Action, BatchOp, CancelReason, RawItem, Returning, TransactRefusal, TransactWrite, Write};
use crate::schema::{KeyKind, KeySchema};

fn s(text: &str) -> AttributeValue {
    AttributeValue::S(text.into())
}

fn n(number: i64) -> AttributeValue {
    AttributeValue::N(number.to_string())
}

fn key(pk: &str) -> RawItem {
    RawItem::from([("pk".to_owned(), s(pk))])
}

fn memory(tables: &[&str]) -> Memory {
    let memory = Memory::new();
    for table in tables {
        let schema = KeySchema { partition: ("pk", KeyKind::String), sort: None };
        memory.create_table(table, schema).expect("create");
    }
    memory
}

/// A write of `action` on `table` with this condition and these values.
fn write(table: &str, action: Action, condition: Option<&'static str>, values: &[(&str, AttributeValue)]) -> Write {
    Write {
        table: table.to_owned(),
        action,
        condition: condition.map(Cow::Borrowed),
        names: HashMap::new(),
        values: values.iter().map(|(k, v)| ((*k).to_owned(), v.clone())).collect(),
        returning: Returning::Nothing,
    }
}

fn update(pk: &str, expression: &'static str) -> Action {
    Action::Update { key: key(pk), expression: Some(Cow::Borrowed(expression)) }
}

fn transact(actions: Vec<Write>) -> TransactWrite {
    TransactWrite { actions, token: None }
}

fn put(table: &str, item: RawItem) -> Write {
    write(table, Action::Put(item), None, &[])
}

fn account(pk: &str, balance: i64) -> RawItem {
    RawItem::from([("pk".to_owned(), s(pk)), ("balance".to_owned(), n(balance))])
}

/// The codes of a cancellation.
fn codes(result: Result<(), TransactRefusal>) -> Vec<String> {
    match result {
        Err(TransactRefusal::Canceled(reasons)) => reasons.into_iter().map(|r| r.code).collect(),
        other => panic!("expected a cancellation, got {other:?}"),
    }
}

/// A transfer of `amount` from one account to another, refused if the first would go below zero.
fn transfer(from: (&str, &str), to: (&str, &str), amount: i64) -> TransactWrite {
    let values = [(":amount", n(amount))];
    transact(vec![
        write(from.0, update(from.1, "SET balance = balance - :amount"), Some("balance >= :amount"), &values),
        write(to.0, update(to.1, "SET balance = balance + :amount"), None, &values),
    ])
}

#[test]
fn transfers_are_atomic_and_isolated_across_threads_and_tables() {
    let memory = memory(&["bank_a", "bank_b"]);
    let accounts: Vec<(&str, String)> =
        (0..8).map(|i| (if i % 2 == 0 { "bank_a" } else { "bank_b" }, format!("acct{i}"))).collect();
    for (table, pk) in &accounts {
        memory.write(put(table, account(pk, 100)), &mut Tally::ignored()).expect("put");
    }
    let snapshot = || {
        let items = accounts.iter().map(|(table, pk)| ((*table).to_owned(), key(pk))).collect();
        memory.transact_get(items, &mut Tally::ignored()).expect("transact_get")
    };
    let total = |items: Vec<Option<RawItem>>| -> i64 {
        items
            .into_iter()
            .map(|item| match item.and_then(|item| item.get("balance").cloned()) {
                Some(AttributeValue::N(n)) => n.parse::<i64>().expect("a number"),
                other => panic!("an account without a balance: {other:?}"),
            })
            .sum()
    };
    std::thread::scope(|scope| {
        for thread in 0..2u64 {
            let (memory, accounts) = (&memory, &accounts);
            scope.spawn(move || {
                let mut seed = 0x9e37_79b9_7f4a_7c15_u64 ^ thread;
                let mut next = move || {
                    seed = seed.wrapping_mul(6_364_136_223_846_793_005).wrapping_add(1_442_695_040_888_963_407);
                    (seed >> 33) as usize
                };
                for _ in 0..3000 {
                    let (from, to) = (next() % 8, next() % 8);
                    if from == to {
                        continue;
                    }
                    let amount = (next() % 60) as i64;
                    let from = (accounts[from].0, accounts[from].1.as_str());
                    let to = (accounts[to].0, accounts[to].1.as_str());
                    match memory.transact_write(transfer(from, to, amount), &mut Tally::ignored()) {
                        Ok(()) => {}
                        Err(TransactRefusal::Canceled(reasons)) => {
                            assert_eq!(reasons[0].code, "ConditionalCheckFailed")
                        }
                        Err(other) => panic!("transfer: {other:?}"),
                    }
                }
            });
        }
        scope.spawn(|| {
            for _ in 0..3000 {
                assert_eq!(total(snapshot()), 800, "a snapshot saw part of a transfer");
            }
        });
    });
    let end = snapshot();
    assert!(end.iter().flatten().all(|item| item.get("balance") != Some(&n(-1))));
    assert_eq!(total(end), 800);
}

#[test]
fn a_canceled_transaction_changes_nothing_and_gives_every_reason() {
    let memory = memory(&["items"]);
    memory.write(put("items", account("a", 5)), &mut Tally::ignored()).expect("put");
    memory.write(put("items", account("c", 5)), &mut Tally::ignored()).expect("put");
    let result = memory.transact_write(
        transact(vec![
            put("items", account("new", 1)),
            write("items", Action::Check { key: key("a") }, Some("balance > :v"), &[(":v", n(9))]),
            write("items", update("b", "SET balance = :v"), Some("attribute_exists(pk)"), &[(":v", n(1))]),
            write("items", Action::Delete { key: key("c") }, Some("balance > :v"), &[(":v", n(9))]),
            write("items", Action::Put(RawItem::from([("pk".to_owned(), n(1))])), None, &[]),
        ]),
        &mut Tally::ignored(),
    );
    let Err(TransactRefusal::Canceled(reasons)) = result else { panic!("expected a cancellation, got {result:?}") };
    let failed = |message: &str, item: Option<RawItem>| CancelReason {
        code: "ConditionalCheckFailed".into(),
        message: Some(message.into()),
        item,
    };
    assert_eq!(
        reasons,
        vec![
            CancelReason { code: "None".into(), message: None, item: None },
            failed("The conditional request failed.", Some(account("a", 5))),
            failed("The conditional request failed", None),
            failed("The conditional request failed", Some(account("c", 5))),
            CancelReason {
                code: "ValidationError".into(),
                message: Some("One or more parameter values were invalid: Type mismatch for key".into()),
                item: None,
            },
        ]
    );
    assert_eq!(memory.get("items", &key("new"), &mut Tally::ignored()).expect("get"), None, "nothing was applied");
    assert_eq!(memory.get("items", &key("a"), &mut Tally::ignored()).expect("get"), Some(account("a", 5)));
}

#[test]
fn errors_are_reasons_cancellations_or_refusals_as_on_dynamodb() {
    let memory = memory(&["items"]);
    memory.write(put("items", account("a", 5)), &mut Tally::ignored()).expect("put");
    memory
        .write(
            put("items", RawItem::from([("pk".to_owned(), s("s")), ("t".to_owned(), s("text"))])),
            &mut Tally::ignored(),
        )
        .expect("put");
    let missing = write("items", Action::Check { key: key("zz") }, Some("attribute_exists(pk)"), &[]);
    let wrong_type = write("items", update("s", "SET t = t + :v"), None, &[(":v", n(1))]);
    let key_update = write("items", update("a", "SET pk = :v"), None, &[(":v", s("b"))]);
    // A wrong operand type is the action's reason, as on the service (DynamoDB Local refuses the request).
    let result = memory.transact_write(transact(vec![missing.clone(), wrong_type.clone()]), &mut Tally::ignored());
    assert_eq!(codes(result), ["ConditionalCheckFailed", "ValidationError"]);
    // An update of a key attribute cancels with that reason alone.
    let result = memory.transact_write(transact(vec![missing.clone(), key_update.clone()]), &mut Tally::ignored());
    assert_eq!(codes(result), ["ValidationError"]);
    let result = memory.transact_write(transact(vec![wrong_type, key_update]), &mut Tally::ignored());
    assert_eq!(codes(result), ["ValidationError"]);
    // An item growing over 400 KB is a reason.
    let big = "x".repeat(crate::expr::item_size::MAX_ITEM_BYTES - 10);
    memory
        .write(
            put("items", RawItem::from([("pk".to_owned(), s("g")), ("t".to_owned(), s(&big))])),
            &mut Tally::ignored(),
        )
        .expect("put");
    let grow = write("items", update("g", "SET u = :v"), None, &[(":v", s("0123456789"))]);
    assert_eq!(
        codes(memory.transact_write(transact(vec![grow, missing.clone()]), &mut Tally::ignored())),
        ["ValidationError", "ConditionalCheckFailed"]
    );
    // A condition on a path into a key attribute refuses the request, but not in a ConditionCheck.
    let scalar = "Key attributes must be scalars; list random access '[]' and map lookup '.' are not allowed: Key: pk";
    let into_key = write("items", Action::Delete { key: key("a") }, Some("attribute_exists(pk.x)"), &[]);
    assert_eq!(
        message(memory.transact_write(transact(vec![missing.clone(), into_key]), &mut Tally::ignored())),
        scalar
    );
    let check_into_key = write("items", Action::Check { key: key("a") }, Some("attribute_not_exists(pk.x)"), &[]);
    assert!(memory.transact_write(transact(vec![check_into_key]), &mut Tally::ignored()).is_ok());
    // Whole-request checks, in DynamoDB Local's order.
    assert_eq!(
        message(memory.transact_write(transact(vec![]), &mut Tally::ignored())),
        "Value [] at 'transactItems' failed to satisfy constraint: Member must have length greater than or equal to 1"
    );
    let many = (0..101).map(|i| put("items", account(&i.to_string(), 0))).collect();
    assert_eq!(
        message(memory.transact_write(transact(many), &mut Tally::ignored())),
        "Member must have length less than or equal to 100"
    );
    let twice = vec![put("items", account("a", 1)), missing.clone(), put("items", account("a", 2))];
    assert_eq!(message(memory.transact_write(transact(twice), &mut Tally::ignored())), super::SAME_ITEM);
    let nowhere = vec![put("items", account("a", 1)), put("nowhere", account("a", 1))];
    assert_eq!(code(memory.transact_write(transact(nowhere), &mut Tally::ignored())), "ResourceNotFoundException");
    let syntax_then_missing_table =
        vec![put("nowhere", account("a", 1)), write("items", update("a", "SET = x"), None, &[])];
    assert_eq!(
        message(memory.transact_write(transact(syntax_then_missing_table), &mut Tally::ignored())),
        "Invalid UpdateExpression: Syntax error; token: \"=\", near: \"SET = x\""
    );
    let token = TransactWrite { actions: vec![missing], token: Some("x".repeat(37)) };
    assert!(
        message(memory.transact_write(token, &mut Tally::ignored()))
            .ends_with("Member must have length less than or equal to 36")
    );
}

#[test]
fn the_payload_is_counted_as_dynamodb_local_counts_it() {
    let memory = memory(&["items"]);
    let filler = |i: usize| {
        let pk = format!("p{i:02}");
        RawItem::from([("pk".to_owned(), s(&pk)), ("t".to_owned(), s(&"x".repeat(409_600 - 6)))])
    };
    // Ten items of 400 KB and one that brings the total to exactly 4 MB fit.
    let mut actions: Vec<Write> = (0..10).map(|i| put("items", filler(i))).collect();
    let rest = 4 * 1024 * 1024 - 10 * 409_600;
    actions
        .push(put("items", RawItem::from([("pk".to_owned(), s("p10")), ("t".to_owned(), s(&"x".repeat(rest - 6)))])));
    assert!(memory.transact_write(transact(actions), &mut Tally::ignored()).is_ok());
    // The count stops at the action that goes over: the probe (key, expression, value) comes first.
    let probe = write("items", update("zz", "SET t = :v"), None, &[(":v", s("abc"))]);
    let actions = std::iter::once(probe).chain((0..11).map(|i| put("items", filler(i)))).collect();
    assert_eq!(
        message(memory.transact_write(transact(actions), &mut Tally::ignored())),
        format!("Transaction payload size cannot exceed 4MB. Payload Size: {}", 11 * 409_600 + 17)
    );
}

#[test]
fn a_token_names_one_successful_request() {
    let memory = memory(&["items"]);
    let tokened = |actions: Vec<Write>| TransactWrite { actions, token: Some("tok".into()) };
    let guarded = write("items", Action::Check { key: key("gate") }, Some("attribute_exists(pk)"), &[]);
    // A canceled request leaves its token free: the replay runs again.
    let first = tokened(vec![guarded.clone(), put("items", account("a", 1))]);
    assert_eq!(codes(memory.transact_write(first.clone(), &mut Tally::ignored())), ["ConditionalCheckFailed", "None"]);
    memory.write(put("items", key("gate")), &mut Tally::ignored()).expect("put");
    memory.transact_write(first.clone(), &mut Tally::ignored()).expect("the replay runs");
    // A replay of a successful request succeeds without applying it again.
    memory.write(write("items", Action::Delete { key: key("a") }, None, &[]), &mut Tally::ignored()).expect("delete");
    memory.transact_write(first, &mut Tally::ignored()).expect("replay");
    assert_eq!(memory.get("items", &key("a"), &mut Tally::ignored()).expect("get"), None, "the replay was not applied");
    // Another request with the token is refused, before its tables are looked up.
    let other = tokened(vec![put("nowhere", account("a", 2))]);
    assert!(
        matches!(memory.transact_write(other, &mut Tally::ignored()), Err(TransactRefusal::TokenMismatch(message)) if message.is_empty())
    );
    // An empty token is a token.
    let empty = |pk: &str| TransactWrite { actions: vec![put("items", key(pk))], token: Some(String::new()) };
    memory.transact_write(empty("e1"), &mut Tally::ignored()).expect("first");
    assert!(matches!(
        memory.transact_write(empty("e2"), &mut Tally::ignored()),
        Err(TransactRefusal::TokenMismatch(_))
    ));
}

#[test]
fn transact_get_reads_in_request_order_with_dynamodb_local_answers() {
    let memory = memory(&["items", "other"]);
    memory.write(put("items", account("a", 1)), &mut Tally::ignored()).expect("put");
    let items = vec![("items".to_owned(), key("a")), ("items".to_owned(), key("b")), ("other".to_owned(), key("a"))];
    assert_eq!(
        memory.transact_get(items, &mut Tally::ignored()).expect("get"),
        vec![Some(account("a", 1)), None, None]
    );
    assert_eq!(
        message(memory.transact_get(vec![], &mut Tally::ignored())),
        "Value null at 'transactItems' failed to satisfy constraint: Member must not be null"
    );
    let twice = vec![("items".to_owned(), key("a")), ("items".to_owned(), key("a"))];
    assert_eq!(message(memory.transact_get(twice, &mut Tally::ignored())), super::SAME_ITEM);
    let wrong = vec![("items".to_owned(), RawItem::from([("pk".to_owned(), n(1))]))];
    assert!(
        matches!(memory.transact_get(wrong, &mut Tally::ignored()), Err(TransactRefusal::Canceled(reasons)) if reasons.is_empty())
    );
    let empty = vec![("items".to_owned(), key(""))];
    assert!(
        message(memory.transact_get(empty, &mut Tally::ignored()))
            .ends_with("cannot contain an empty string value. Key: pk")
    );
}

#[test]
fn batches_apply_every_write_and_refuse_duplicates() {
    let memory = memory(&["items"]);
    memory.write(put("items", account("gone", 1)), &mut Tally::ignored()).expect("put");
    let ops = vec![BatchOp::Put(account("a", 1)), BatchOp::Put(account("b", 2)), BatchOp::Delete(key("gone"))];
    memory.batch_write("items", ops, &mut Tally::ignored()).expect("batch write");
    let mut found =
        memory.batch_get("items", vec![key("a"), key("b"), key("gone")], &mut Tally::ignored()).expect("batch get");
    found.sort_by_key(|item| format!("{:?}", item.get("pk")));
    assert_eq!(found, vec![account("a", 1), account("b", 2)]);
    let twice = vec![BatchOp::Put(account("a", 1)), BatchOp::Delete(key("a"))];
    assert_eq!(message(memory.batch_write("items", twice, &mut Tally::ignored())), super::super::batch::DUPLICATE_KEYS);
    assert_eq!(
        message(memory.batch_write("items", vec![], &mut Tally::ignored())),
        "The batch write request list for a table cannot be null or empty: items"
    );
    let many = (0..26).map(|i| BatchOp::Put(account(&i.to_string(), 0))).collect();
    assert_eq!(
        message(memory.batch_write("items", many, &mut Tally::ignored())),
        "Too many items requested for the BatchWriteItem call"
    );
    // BatchGetItem looks for duplicates first, as sent.
    let many = std::iter::repeat_n(key("a"), 101).collect();
    assert_eq!(message(memory.batch_get("nowhere", many, &mut Tally::ignored())), super::super::batch::DUPLICATE_KEYS);
    let many = (0..101).map(|i| key(&i.to_string())).collect();
    assert_eq!(
        message(memory.batch_get("items", many, &mut Tally::ignored())),
        "Too many items requested for the BatchGetItem call"
    );
    assert_eq!(
        message(memory.batch_get("items", vec![], &mut Tally::ignored())),
        "The list of keys in RequestItems for BatchGetItem is required: items has empty list"
    );
    assert_eq!(code(memory.batch_get("nowhere", vec![key("a")], &mut Tally::ignored())), "ResourceNotFoundException");
}
