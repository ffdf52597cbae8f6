//! Hand-written expressions (bare names, any keyword case, every clause and function), sent as raw requests to
//! DynamoDB Local and to the memory backend: both must give the same answer, down to the error message.

mod common;

use std::borrow::Cow;
use std::collections::{BTreeMap, HashMap};

use common::{Backend, RawItem, unique_table_name};
use dynatomic::raw::{self, Action, Failure, Returning, Write, WriteRefusal};
use dynatomic::{AttributeValue, Db, KeyKind, KeySchema};

/// One request: the item stored first (`None`: no item), the expressions, the placeholders, the ReturnValues.
struct Case {
    item: Option<RawItem>,
    update: &'static str,
    condition: Option<&'static str>,
    names: &'static [(&'static str, &'static str)],
    values: Vec<(&'static str, AttributeValue)>,
    returning: Returning,
}

fn n(text: &str) -> AttributeValue {
    AttributeValue::N(text.into())
}

fn s(text: &str) -> AttributeValue {
    AttributeValue::S(text.into())
}

fn ss(items: &[&str]) -> AttributeValue {
    AttributeValue::Ss(items.iter().map(|i| i.to_string()).collect())
}

/// The item most cases start from.
/// `inner` inside lists, `levels` levels deep in all (`inner` itself is one level).
fn nested(levels: usize, inner: AttributeValue) -> AttributeValue {
    (1..levels).fold(inner, |value, _| AttributeValue::L(vec![value]))
}

fn item() -> RawItem {
    HashMap::from([
        ("pk".to_owned(), s("k")),
        ("n".to_owned(), n("5")),
        ("s".to_owned(), s("str")),
        ("u".to_owned(), s("h\u{e9}\u{1F600}")),
        ("l".to_owned(), AttributeValue::L(vec![n("1"), n("2"), n("3")])),
        ("m".to_owned(), AttributeValue::M(HashMap::from([("x".to_owned(), n("1"))]))),
        ("tags".to_owned(), ss(&["a", "b"])),
        ("flag".to_owned(), AttributeValue::Bool(true)),
    ])
}

fn update(update: &'static str, values: Vec<(&'static str, AttributeValue)>) -> Case {
    Case { item: Some(item()), update, condition: None, names: &[], values, returning: Returning::AllNew }
}

fn guarded(condition: &'static str, values: Vec<(&'static str, AttributeValue)>) -> Case {
    let mut values = values;
    values.push((":one", n("1")));
    Case { condition: Some(condition), ..update("SET hits = :one", values) }
}

fn cases() -> Vec<Case> {
    vec![
        // Clauses in any order and case, bare names and placeholders.
        Case {
            names: &[("#a", "a")],
            ..update("remove s set #a = :v ADD tags :t, n :v", vec![(":v", n("7")), (":t", ss(&["c"]))])
        },
        update("ADD tags :t DELETE tags :d", vec![(":t", ss(&["c"])), (":d", ss(&["a"]))]),
        Case { names: &[("#a", "n")], ..update("SET #a = #a + :v", vec![(":v", n("2"))]) },
        update("SET a = if_not_exists(a, :v) + :v, b = if_not_exists(n, :v)", vec![(":v", n("3"))]),
        update(
            "SET l = list_append(:front, l), q = list_append(l, :front)",
            vec![(":front", AttributeValue::L(vec![s("x")]))],
        ),
        update("SET l[1] = :v, l[9] = :w REMOVE l[0]", vec![(":v", s("one")), (":w", s("appended"))]),
        update("REMOVE l[0], l[2], l[7], m.q", vec![]),
        update("SET m.y = n, n = m.x", vec![]),
        update("ADD n :v, fresh :v", vec![(":v", n("-8"))]),
        update("DELETE tags :d", vec![(":d", ss(&["a", "b"]))]),
        // Errors, with DynamoDB's messages.
        update("SET c = c + :v", vec![(":v", n("1"))]),
        update("SET m.q.r = :v", vec![(":v", n("1"))]),
        update("SET n = s + :v", vec![(":v", n("1"))]),
        update("ADD s :v", vec![(":v", n("1"))]),
        update("SET a = :v SET b = :v", vec![(":v", n("1"))]),
        update("SET a = :v, a.b = :v", vec![(":v", n("1"))]),
        update("SET a = :v, b = :v, a = :v", vec![(":v", n("1"))]),
        update("SET a[0] = :v, a.b = :v", vec![(":v", n("1"))]),
        update("SET status = :v", vec![(":v", n("1"))]),
        update("SET a = foo(:v)", vec![(":v", n("1"))]),
        update("SET a = :v + :v + :v", vec![(":v", n("1"))]),
        update("SET a = ((:v))", vec![(":v", n("1"))]),
        update("SET a = :v,", vec![(":v", n("1"))]),
        update("SET pk = :v", vec![(":v", s("other"))]),
        update("SET a = :v", vec![(":v", n("1")), (":unused", n("2"))]),
        Case { names: &[("#x", "x")], ..update("SET a = :v", vec![(":v", n("1"))]) },
        update("SET a = :w", vec![(":v", n("1"))]),
        update("SET a = :v", vec![(":v", n("1e126"))]),
        update("SET n = n + :v", vec![(":v", n("0.1234567890123456789012345678901234567"))]),
        update("SET a = :v", vec![(":v", AttributeValue::Ss(vec![]))]),
        update("ADD tags :v", vec![(":v", ss(&["x", "x"]))]),
        // Conditions.
        guarded("n BETWEEN :lo AND :hi AND NOT attribute_exists(gone)", vec![(":lo", n("1")), (":hi", n("5"))]),
        guarded(
            "n IN (:a, :b) OR s = :c AND flag = :d",
            vec![(":a", n("4")), (":b", s("5")), (":c", s("str")), (":d", n("1"))],
        ),
        guarded("size(u) = :four AND size(l) > :two", vec![(":four", n("4")), (":two", n("2"))]),
        guarded(
            "begins_with(s, :p) AND contains(tags, :t) AND contains(s, :sub)",
            vec![(":p", s("st")), (":t", s("b")), (":sub", s("tr"))],
        ),
        guarded("attribute_type(m, :m) AND attribute_type(n, :s)", vec![(":m", s("M")), (":s", s("S"))]),
        guarded("gone <> :v AND NOT gone = :v", vec![(":v", n("1"))]),
        guarded("n = s", vec![]),
        guarded("n = n", vec![]),
        guarded("((n = :v))", vec![(":v", n("5"))]),
        guarded("n BETWEEN :hi AND :lo", vec![(":lo", n("1")), (":hi", n("5"))]),
        guarded("size(n) < :v", vec![(":v", s("x"))]),
        Case { item: None, ..guarded("attribute_exists(pk)", vec![]) },
        // Nesting depth: a list or map counts a level for its elements even when it has none.
        update("SET d = :v", vec![(":v", nested(31, AttributeValue::L(vec![])))]),
        update("SET d = :v", vec![(":v", nested(32, AttributeValue::L(vec![])))]),
        update("SET d = :v", vec![(":v", nested(31, n("1")))]),
        update("SET d = :v", vec![(":v", nested(32, n("1")))]),
        update("SET d = :v", vec![(":v", nested(33, n("1")))]),
        update("SET d = :v", vec![(":v", nested(31, AttributeValue::M(HashMap::new())))]),
        update("SET d = :v", vec![(":v", nested(32, AttributeValue::M(HashMap::new())))]),
        update("SET m.x = :v", vec![(":v", nested(30, n("1")))]),
        update("SET m.x = :v", vec![(":v", nested(31, n("1")))]),
        // ReturnValues.
        Case { returning: Returning::UpdatedOld, ..update("SET n = :v, fresh = :v REMOVE s", vec![(":v", n("1"))]) },
        Case { returning: Returning::UpdatedNew, ..update("SET n = :v, fresh = :v REMOVE s", vec![(":v", n("1"))]) },
        Case { returning: Returning::AllOld, item: None, ..update("SET n = :v", vec![(":v", n("1"))]) },
    ]
}

/// A value as text with maps and sets sorted, so that both backends' answers compare as text.
fn canonical(value: &AttributeValue) -> String {
    let sorted = |mut items: Vec<String>| {
        items.sort();
        items.join(", ")
    };
    match value {
        AttributeValue::M(map) => {
            format!("{{{}}}", sorted(map.iter().map(|(k, v)| format!("{k}: {}", canonical(v))).collect()))
        }
        AttributeValue::L(list) => format!("[{}]", list.iter().map(canonical).collect::<Vec<_>>().join(", ")),
        AttributeValue::Ss(set) => format!("SS({})", sorted(set.clone())),
        AttributeValue::Ns(set) => format!("NS({})", sorted(set.clone())),
        other => format!("{other:?}"),
    }
}

fn canonical_item(item: &Option<RawItem>) -> String {
    item.as_ref().map_or_else(|| "none".to_owned(), |item| canonical(&AttributeValue::M(item.clone())))
}

/// What a backend answers to a case: the outcome and the item stored afterwards.
async fn answer(db: &Db, table: &str, case: &Case) -> String {
    let key: RawItem = HashMap::from([("pk".to_owned(), s("k"))]);
    let write = |action, condition: Option<&'static str>, names: HashMap<String, String>, values, returning| Write {
        table: table.to_owned(),
        action,
        condition: condition.map(Cow::Borrowed),
        names,
        values,
        returning,
    };
    let reset = write(Action::Delete { key: key.clone() }, None, HashMap::new(), HashMap::new(), Returning::Nothing);
    raw::write(db, reset).await.expect("delete the item");
    if let Some(item) = &case.item {
        let put = write(Action::Put(item.clone()), None, HashMap::new(), HashMap::new(), Returning::Nothing);
        raw::write(db, put).await.expect("put the item");
    }
    let names = case.names.iter().map(|(k, v)| (k.to_string(), v.to_string())).collect();
    let values = case.values.iter().map(|(k, v)| (k.to_string(), v.clone())).collect();
    let action = Action::Update { key: key.clone(), expression: Some(Cow::Borrowed(case.update)) };
    let outcome = match raw::write(db, write(action, case.condition, names, values, case.returning)).await {
        Ok(returned) => format!("ok {}", canonical_item(&returned)),
        Err(WriteRefusal::ConditionFailed { stored, .. }) => {
            format!("condition failed, stored {}", canonical_item(&stored))
        }
        Err(WriteRefusal::Failed(Failure::Service(error))) => {
            format!("refused: {} {}", error.code().unwrap_or("(no code)"), error.message())
        }
        Err(other) => panic!("{}: unexpected refusal {other:?}", case.update),
    };
    let stored = raw::get(db, table, key).await.expect("get the item");
    format!("{outcome}; afterwards {}", canonical_item(&stored))
}

#[tokio::test]
async fn both_backends_answer_alike() {
    let schema = KeySchema { partition: ("pk", KeyKind::String), sort: None };
    let mut backends = Vec::new();
    for backend in [Backend::DynamoDbLocal, Backend::Memory] {
        let db = backend.db().await;
        let table = unique_table_name("raw_expressions");
        raw::create_table(&db, &table, schema).await.expect("create table");
        backends.push((db, table));
    }
    let mut differences = Vec::new();
    for case in cases() {
        let [local, memory] = [&backends[0], &backends[1]];
        let (expected, found) = (answer(&local.0, &local.1, &case).await, answer(&memory.0, &memory.1, &case).await);
        if expected != found {
            let condition = case.condition.unwrap_or("-");
            differences.push(format!(
                "{} ? {condition}\n  DynamoDB Local: {expected}\n  memory:         {found}",
                case.update
            ));
        }
    }
    assert!(
        differences.is_empty(),
        "{} of {} cases differ:\n{}",
        differences.len(),
        cases().len(),
        differences.join("\n")
    );
}

/// Numbers are stored in canonical form (`1.50` as `1.5`, `-0` as `0`), as the DynamoDB service stores them.
/// DynamoDB Local keeps the text of a number written by UpdateItem's SET, so this runs on the memory backend.
#[tokio::test]
async fn numbers_are_stored_in_canonical_form() {
    let db = Backend::Memory.db().await;
    let schema = KeySchema { partition: ("pk", KeyKind::String), sort: None };
    raw::create_table(&db, "canonical_numbers", schema).await.expect("create table");
    let values = HashMap::from([
        (":a".to_owned(), n("1.50")),
        (":b".to_owned(), n("-0")),
        (":c".to_owned(), n("00042e1")),
        (":d".to_owned(), AttributeValue::Ns(vec!["2.50".into(), "1e2".into()])),
    ]);
    let key: RawItem = HashMap::from([("pk".to_owned(), s("k"))]);
    let write = Write {
        table: "canonical_numbers".into(),
        action: Action::Update { key, expression: Some(Cow::Borrowed("SET a = :a, b = :b, c = :c, d = :d")) },
        condition: None,
        names: HashMap::new(),
        values,
        returning: Returning::UpdatedNew,
    };
    let returned = raw::write(&db, write).await.expect("update").expect("the updated attributes");
    let returned: BTreeMap<_, _> = returned.into_iter().collect();
    let expected = BTreeMap::from([
        ("a".to_owned(), n("1.5")),
        ("b".to_owned(), n("0")),
        ("c".to_owned(), n("420")),
        ("d".to_owned(), AttributeValue::Ns(vec!["2.5".into(), "100".into()])),
    ]);
    assert_eq!(returned, expected);
}
