//! Raw TransactWriteItems, TransactGetItems, BatchWriteItem and BatchGetItem requests, sent to DynamoDB Local
//! and to the memory backend: each must give the answer DynamoDB Local gives, down to the message.

mod common;

use std::borrow::Cow;
use std::collections::{BTreeMap, HashMap};
use std::fmt::Debug;

use common::{Backend, RawItem, unique_table_name};
use dynatomic::raw::{self, Action, BatchOp, CancelReason, Failure, Returning, TransactRefusal, TransactWrite, Write};
use dynatomic::{AttributeValue, Db, KeyKind, KeySchema};

fn s(text: &str) -> AttributeValue {
    AttributeValue::S(text.into())
}

fn n(text: &str) -> AttributeValue {
    AttributeValue::N(text.into())
}

/// The tables of one test: `items` (string key `pk`) and `numbers` (number key `pk`).
struct Tables {
    db: Db,
    items: String,
    numbers: String,
}

impl Tables {
    async fn new(backend: Backend, test: &str) -> Self {
        let db = backend.db().await;
        let items = unique_table_name(test);
        let numbers = unique_table_name(&format!("{test}_n"));
        for (table, kind) in [(&items, KeyKind::String), (&numbers, KeyKind::Number)] {
            let schema = KeySchema { partition: ("pk", kind), sort: None };
            raw::create_table(&db, table, schema).await.expect("create table");
        }
        Tables { db, items, numbers }
    }

    async fn put(&self, item: RawItem) {
        raw::write(&self.db, self.write(Action::Put(item), None, &[])).await.expect("put");
    }

    async fn get(&self, pk: &str) -> Option<RawItem> {
        raw::get(&self.db, &self.items, key(pk)).await.expect("get")
    }

    /// A write on `items`.
    fn write(&self, action: Action, condition: Option<&'static str>, values: &[(&str, AttributeValue)]) -> Write {
        Write {
            table: self.items.clone(),
            action,
            condition: condition.map(Cow::Borrowed),
            names: HashMap::new(),
            values: values.iter().map(|(k, v)| ((*k).to_owned(), v.clone())).collect(),
            returning: Returning::Nothing,
        }
    }

    fn put_action(&self, item: RawItem) -> Write {
        self.write(Action::Put(item), None, &[])
    }

    fn update(&self, pk: &str, expression: &'static str, values: &[(&str, AttributeValue)]) -> Write {
        self.write(Action::Update { key: key(pk), expression: Some(Cow::Borrowed(expression)) }, None, values)
    }

    fn check(&self, pk: &str, condition: &'static str) -> Write {
        self.write(Action::Check { key: key(pk) }, Some(condition), &[])
    }

    async fn transact(&self, actions: Vec<Write>) -> String {
        describe_transact(raw::transact_write(&self.db, TransactWrite { actions, token: None }).await)
    }

    async fn transact_with(&self, token: &str, actions: Vec<Write>) -> String {
        let request = TransactWrite { actions, token: Some(token.to_owned()) };
        describe_transact(raw::transact_write(&self.db, request).await)
    }

    async fn transact_get(&self, keys: &[(&String, RawItem)]) -> String {
        let items = keys.iter().map(|(table, key)| ((*table).clone(), key.clone())).collect();
        describe_transact(raw::transact_get(&self.db, items).await)
    }
}

fn key(pk: &str) -> RawItem {
    HashMap::from([("pk".to_owned(), s(pk))])
}

/// The key of an item of `numbers`.
fn number(text: &str) -> RawItem {
    HashMap::from([("pk".to_owned(), n(text))])
}

fn item(pk: &str, attributes: &[(&str, AttributeValue)]) -> RawItem {
    let mut item = key(pk);
    item.extend(attributes.iter().map(|(k, v)| ((*k).to_owned(), v.clone())));
    item
}

/// An item of `size` bytes (the key `pk` = `pk` and a text `t`).
fn sized(pk: &str, size: usize) -> RawItem {
    item(pk, &[("t", s(&"x".repeat(size - 3 - pk.len())))])
}

/// A backend's answer to a batch request, as text to compare.
fn describe<T: Debug>(result: Result<T, Failure>) -> String {
    match result {
        Ok(value) => format!("Ok {value:?}"),
        Err(failure) => failed(failure),
    }
}

/// A backend's answer to a transaction, as text to compare.
fn describe_transact<T: Debug>(result: Result<T, TransactRefusal>) -> String {
    match result {
        Ok(value) => format!("Ok {value:?}"),
        Err(TransactRefusal::Canceled(reasons)) => {
            format!("Canceled: [{}]", reasons.iter().map(reason).collect::<Vec<_>>().join(", "))
        }
        Err(TransactRefusal::TokenMismatch(message)) => format!("TokenMismatch: {message:?}"),
        Err(TransactRefusal::Failed(failure)) => failed(failure),
    }
}

/// A failure as text: DynamoDB's error code (named by its kind for the two that tests expect) and message.
fn failed(failure: Failure) -> String {
    match failure {
        Failure::Service(error) => match error.code() {
            Some("ValidationException") => format!("Validation: {}", error.message()),
            Some("ResourceNotFoundException") => format!("ResourceNotFound: {}", error.message()),
            Some(code) => format!("{code}: {}", error.message()),
            None => format!("no answer: {}", error.message()),
        },
        Failure::Internal(error) => format!("Internal: {error}"),
    }
}

fn reason(reason: &CancelReason) -> String {
    let mut text = reason.code.clone();
    if let Some(message) = &reason.message {
        text += &format!(" ({message})");
    }
    if let Some(item) = &reason.item {
        text += &format!(" {:?}", item.iter().collect::<BTreeMap<_, _>>());
    }
    text
}

const SAME_ITEM: &str = "Validation: Transaction request cannot include multiple operations on one item";
const NO_TABLE: &str = "ResourceNotFound: Cannot do operations on a non-existent table";
const FAILED: &str = "ConditionalCheckFailed (The conditional request failed)";
const CHECK_FAILED: &str = "ConditionalCheckFailed (The conditional request failed.)";
const KEY_TYPE: &str = "ValidationError (One or more parameter values were invalid: Type mismatch for key)";
const WRONG_TYPE: &str = "Validation: An operand in the update expression has an incorrect data type";

on_both_backends!(
    transact_write_request_limits,
    transact_write_reasons,
    transact_write_whole_request_errors,
    transact_write_tokens,
    transact_get_answers,
    batch_write_answers,
    batch_get_answers,
);

async fn transact_write_request_limits(backend: Backend) {
    let t = Tables::new(backend, "transact_limits").await;
    assert_eq!(
        t.transact(vec![]).await,
        "Validation: Value [] at 'transactItems' failed to satisfy constraint: Member must have length greater than or equal to 1"
    );
    let many = |count: usize| (0..count).map(|i| t.put_action(key(&format!("m{i}")))).collect::<Vec<_>>();
    assert_eq!(t.transact(many(101)).await, "Validation: Member must have length less than or equal to 100");
    assert_eq!(t.transact(many(100)).await, "Ok ()");
    assert_eq!(t.get("m99").await, Some(key("m99")));
    // The same item twice, also as `1` and `1.0`, or as a check and a write.
    t.put(key("a")).await;
    assert_eq!(
        t.transact(vec![t.put_action(key("a")), t.put_action(key("b")), t.put_action(key("a"))]).await,
        SAME_ITEM
    );
    assert_eq!(
        t.transact(vec![t.check("a", "attribute_exists(pk)"), t.update("a", "SET n = :v", &[(":v", n("1"))])]).await,
        SAME_ITEM
    );
    let number =
        |text: &str| Write { table: t.numbers.clone(), ..t.put_action(HashMap::from([("pk".to_owned(), n(text))])) };
    assert_eq!(t.transact(vec![number("1"), number("1.0")]).await, SAME_ITEM);
    // It is found only when both actions pass, in their turn: a failed condition is a reason instead.
    let absent = |pk: &str| t.write(Action::Put(key(pk)), Some("attribute_not_exists(pk)"), &[]);
    let a = format!("{FAILED} {:?}", key("a").iter().collect::<BTreeMap<_, _>>());
    assert_eq!(t.transact(vec![t.put_action(key("a")), absent("a")]).await, format!("Canceled: [None, {a}]"));
    assert_eq!(t.transact(vec![absent("a"), t.put_action(key("a"))]).await, format!("Canceled: [{a}, None]"));
    let missing = Write { table: "no_such_table".into(), ..t.put_action(key("a")) };
    assert_eq!(t.transact(vec![t.put_action(key("a")), missing.clone()]).await, NO_TABLE);
    // The same item twice is found before a missing table, a syntax error before both.
    assert_eq!(t.transact(vec![t.put_action(key("a")), t.put_action(key("a")), missing.clone()]).await, SAME_ITEM);
    assert_eq!(
        t.transact(vec![missing, t.update("a", "SET = x", &[])]).await,
        "Validation: Invalid UpdateExpression: Syntax error; token: \"=\", near: \"SET = x\""
    );
    // 4 MB of payload (items, keys, expressions, names and values) fit; one more byte does not, and the count
    // stops at the action that goes over.
    let rest = 4 * 1024 * 1024 - 10 * 409_600;
    let mut actions: Vec<Write> = (0..10).map(|i| t.put_action(sized(&format!("p{i:02}"), 409_600))).collect();
    actions.push(t.put_action(sized("p10", rest)));
    assert_eq!(t.transact(actions.clone()).await, "Ok ()");
    actions[10] = t.put_action(sized("p10", rest + 1));
    assert_eq!(
        t.transact(actions).await,
        "Validation: Transaction payload size cannot exceed 4MB. Payload Size: 4194305"
    );
    let probe = t.update("zz", "SET t = :v", &[(":v", s("abc"))]);
    let actions = std::iter::once(probe).chain((0..12).map(|i| t.put_action(sized(&format!("p{i:02}"), 409_600))));
    assert_eq!(
        t.transact(actions.collect()).await,
        "Validation: Transaction payload size cannot exceed 4MB. Payload Size: 4505617"
    );
}

async fn transact_write_reasons(backend: Backend) {
    let t = Tables::new(backend, "transact_reasons").await;
    let a = item("a", &[("n", n("5")), ("s", s("x"))]);
    t.put(a.clone()).await;
    t.put(item("c", &[("n", n("5"))])).await;
    let nine = [(":v", n("9"))];
    let answer = t
        .transact(vec![
            t.put_action(key("new")),
            t.write(Action::Check { key: key("a") }, Some("n > :v"), &nine),
            t.write(
                Action::Update { key: key("b"), expression: Some("SET n = :v".into()) },
                Some("attribute_exists(pk)"),
                &nine,
            ),
            t.write(Action::Delete { key: key("c") }, Some("n > :v"), &nine),
            t.write(Action::Put(key("d")), Some("attribute_exists(pk)"), &[]),
            t.put_action(HashMap::from([("pk".to_owned(), n("1"))])),
        ])
        .await;
    let stored = |item: &RawItem| format!("{:?}", item.iter().collect::<BTreeMap<_, _>>());
    assert_eq!(
        answer,
        format!(
            "Canceled: [None, {CHECK_FAILED} {}, {FAILED}, {FAILED} {}, {FAILED}, {KEY_TYPE}]",
            stored(&a),
            stored(&item("c", &[("n", n("5"))]))
        )
    );
    assert_eq!(t.get("new").await, None, "a canceled transaction applies nothing");
    // Keys of the wrong type are not compared: two of them are two reasons.
    let wrong = || t.put_action(HashMap::from([("pk".to_owned(), n("1"))]));
    assert_eq!(t.transact(vec![wrong(), wrong()]).await, format!("Canceled: [{KEY_TYPE}, {KEY_TYPE}]"));
    let long = t.write(Action::Delete { key: key(&"k".repeat(2049)) }, None, &[]);
    assert_eq!(
        t.transact(vec![t.put_action(key("b")), long]).await,
        "Canceled: [None, ValidationError (Hash primary key values must be under 2048 bytes, and range primary key values must be under 1024 bytes)]"
    );
    // An update that grows its item over 400 KB fails alone.
    t.put(sized("g", 400 * 1024 - 10)).await;
    let grow = t.update("g", "SET u = :v", &[(":v", s("0123456789"))]);
    let missing = t.check("zz", "attribute_exists(pk)");
    assert_eq!(
        t.transact(vec![missing.clone(), grow]).await,
        format!(
            "Canceled: [{CHECK_FAILED}, ValidationError (Item size to update has exceeded the maximum allowed size)]"
        )
    );
    // An update of a key attribute cancels with that reason alone, unless its condition fails first.
    let key_update = t.update("a", "SET pk = :v", &[(":v", s("q"))]);
    let alone = "Canceled: [ValidationError (One or more parameter values were invalid: Cannot update attribute pk. This attribute is part of the key)]";
    assert_eq!(t.transact(vec![missing.clone(), key_update.clone(), t.put_action(key("b"))]).await, alone);
    let guarded = Write { condition: Some("attribute_not_exists(pk)".into()), ..key_update };
    assert_eq!(
        t.transact(vec![t.put_action(key("b")), guarded]).await,
        format!("Canceled: [None, {FAILED} {}]", stored(&a))
    );
    // A ConditionCheck may read a path into a key attribute.
    assert_eq!(t.transact(vec![t.check("a", "attribute_not_exists(pk.x)")]).await, "Ok ()");
}

async fn transact_write_whole_request_errors(backend: Backend) {
    let t = Tables::new(backend, "transact_whole").await;
    t.put(item("a", &[("n", n("5")), ("s", s("x"))])).await;
    let missing = t.check("zz", "attribute_exists(pk)");
    let wrong_type = t.update("a", "SET s = s + :v", &[(":v", n("1"))]);
    // Errors while applying an update: DynamoDB Local refuses the whole request, whatever failed before or
    // after; the service cancels the transaction with a ValidationError reason for that action (as in
    // aws/aws-sdk-net#1292), and so does the memory backend.
    let local = backend == Backend::DynamoDbLocal;
    let applying =
        |local_answer: &str, service_answer: &str| (if local { local_answer } else { service_answer }).to_owned();
    let wrong_reason = "ValidationError (An operand in the update expression has an incorrect data type)";
    assert_eq!(
        t.transact(vec![missing.clone(), wrong_type.clone()]).await,
        applying(WRONG_TYPE, &format!("Canceled: [{CHECK_FAILED}, {wrong_reason}]"))
    );
    let key_update = t.update("a", "SET pk = :v", &[(":v", s("q"))]);
    let alone = "Canceled: [ValidationError (One or more parameter values were invalid: Cannot update attribute pk. This attribute is part of the key)]";
    assert_eq!(t.transact(vec![wrong_type.clone(), key_update]).await, applying(WRONG_TYPE, alone));
    // Each action is checked against its table in its turn, after the earlier ones are evaluated.
    let nowhere = Write { table: "no_such_table".into(), ..t.put_action(key("b")) };
    assert_eq!(t.transact(vec![wrong_type.clone(), nowhere.clone()]).await, applying(WRONG_TYPE, NO_TABLE));
    assert_eq!(t.transact(vec![missing.clone(), nowhere.clone()]).await, NO_TABLE);
    assert_eq!(t.transact(vec![nowhere, wrong_type.clone()]).await, NO_TABLE);
    let same = vec![t.put_action(key("c")), t.put_action(key("c")), t.update("c", "SET s = s + :v", &[(":v", n("1"))])];
    assert_eq!(t.transact(same).await, SAME_ITEM);
    let empty_key = t.write(Action::Delete { key: key("") }, None, &[]);
    let empty = t.transact(vec![wrong_type, empty_key]).await;
    if local {
        assert_eq!(empty, WRONG_TYPE);
    } else {
        assert!(empty.starts_with("Validation: ") && empty.contains("empty"), "{empty}");
    }
    let missing_attribute = "The provided expression refers to an attribute that does not exist in the item";
    assert_eq!(
        t.transact(vec![missing.clone(), t.update("a", "SET q = zz", &[])]).await,
        applying(
            &format!("Validation: {missing_attribute}"),
            &format!("Canceled: [{CHECK_FAILED}, ValidationError ({missing_attribute})]")
        )
    );
    assert_eq!(
        t.transact(vec![t.put_action(key("b")), t.update("a", "SET n = :v", &[(":v", n("1")), (":w", n("2"))])]).await,
        "Validation: Value provided in ExpressionAttributeValues unused in expressions: keys: {:w}"
    );
    let scalar = "Validation: Key attributes must be scalars; list random access '[]' and map lookup '.' are not allowed: Key: pk";
    let into_key = t.write(Action::Delete { key: key("a") }, Some("attribute_exists(pk.x)"), &[]);
    assert_eq!(t.transact(vec![missing.clone(), into_key]).await, scalar);
    assert_eq!(t.transact(vec![t.update("a", "SET q = pk.x", &[])]).await, scalar);
    assert_eq!(
        t.transact(vec![t.put_action(key("b")), t.put_action(sized("big", 400 * 1024 + 1))]).await,
        "Validation: Item size has exceeded the maximum allowed size"
    );
    assert_eq!(
        t.transact(vec![t.put_action(item("b", &[("x", AttributeValue::Ss(vec![]))]))]).await,
        "Validation: One or more parameter values were invalid: An string set  may not be empty"
    );
    let keys = [
        (
            key(""),
            "One or more parameter values are not valid. The AttributeValue for a key attribute cannot contain an empty string value. Key: pk",
        ),
        (HashMap::from([("x".to_owned(), s("a"))]), "One of the required keys was not given a value"),
        (item("a", &[("x", s("b"))]), "The number of conditions on the keys is invalid"),
    ];
    for (key, message) in keys {
        let delete = t.write(Action::Delete { key }, None, &[]);
        assert_eq!(t.transact(vec![t.put_action(item("b", &[])), delete]).await, format!("Validation: {message}"));
    }
    assert_eq!(t.get("b").await, None);
}

async fn transact_write_tokens(backend: Backend) {
    let t = Tables::new(backend, "transact_tokens").await;
    let token = |prefix: &str| format!("{prefix}-{}", run_number());
    let put = |pk: &str, v: &str| t.put_action(item(pk, &[("v", n(v))]));
    // A replay within 10 minutes succeeds without applying the request again.
    let first = token("first");
    assert_eq!(t.transact_with(&first, vec![put("t1", "1")]).await, "Ok ()");
    raw::write(&t.db, t.write(Action::Delete { key: key("t1") }, None, &[])).await.expect("delete");
    assert_eq!(t.transact_with(&first, vec![put("t1", "1")]).await, "Ok ()");
    assert_eq!(t.get("t1").await, None, "the replay was not applied");
    // Another request with the token is refused, even one on a missing table.
    assert_eq!(t.transact_with(&first, vec![put("t1", "2")]).await, "TokenMismatch: \"\"");
    let elsewhere = Write { table: "no_such_table".into(), ..put("t1", "1") };
    assert_eq!(t.transact_with(&first, vec![elsewhere]).await, "TokenMismatch: \"\"");
    assert_eq!(t.transact_with(&first, vec![put("x", "1"), put("t1", "1")]).await, "TokenMismatch: \"\"");
    // A canceled or refused request leaves its token free.
    let canceled = token("canceled");
    let gate = t.check("gate", "attribute_exists(pk)");
    assert_eq!(t.transact_with(&canceled, vec![gate.clone()]).await, format!("Canceled: [{CHECK_FAILED}]"));
    t.put(key("gate")).await;
    assert_eq!(t.transact_with(&canceled, vec![gate]).await, "Ok ()");
    let refused = token("refused");
    assert!(t.transact_with(&refused, vec![t.update("a", "SET = x", &[])]).await.starts_with("Validation: "));
    assert_eq!(t.transact_with(&refused, vec![put("t5", "1")]).await, "Ok ()");
    // Tokens of 36 characters at most (characters, not bytes).
    let run = format!("{:010}", run_number() % 10_000_000_000);
    assert_eq!(t.transact_with(&format!("{}{run}", "\u{e9}".repeat(26)), vec![put("u1", "1")]).await, "Ok ()");
    let long = "x".repeat(37);
    assert_eq!(
        t.transact_with(&long, vec![put("u2", "1")]).await,
        format!(
            "Validation: Value {long} at 'clientRequestToken' failed to satisfy constraint: Member must have length less than or equal to 36"
        )
    );
}

/// A number that differs between runs, so that the tokens of an earlier run on one DynamoDB Local differ.
fn run_number() -> u128 {
    std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).map_or(0, |d| d.as_nanos())
}

async fn transact_get_answers(backend: Backend) {
    let t = Tables::new(backend, "transact_get").await;
    let a = item("a", &[("n", n("5"))]);
    t.put(a.clone()).await;
    let (items, numbers) = (&t.items, &t.numbers);
    let request = vec![(items.clone(), key("a")), (items.clone(), key("zz")), (numbers.clone(), number("1"))];
    assert_eq!(raw::transact_get(&t.db, request).await.expect("transact get"), vec![Some(a), None, None]);
    assert_eq!(
        t.transact_get(&[]).await,
        "Validation: Value null at 'transactItems' failed to satisfy constraint: Member must not be null"
    );
    let many: Vec<_> = (0..101).map(|i| (items, key(&i.to_string()))).collect();
    assert_eq!(t.transact_get(&many).await, "Validation: Member must have length less than or equal to 100");
    assert_eq!(t.transact_get(&[(items, key("a")), (items, key("a"))]).await, SAME_ITEM);
    assert_eq!(t.transact_get(&[(numbers, number("1")), (numbers, number("1.0"))]).await, SAME_ITEM);
    let nowhere = "no_such_table".to_owned();
    assert_eq!(t.transact_get(&[(items, key("a")), (&nowhere, key("a"))]).await, NO_TABLE);
    // DynamoDB Local cancels (without reasons) for these keys, and refuses these others.
    assert_eq!(t.transact_get(&[(items, key("a")), (items, number("1"))]).await, "Canceled: []");
    assert_eq!(t.transact_get(&[(items, HashMap::from([("x".to_owned(), s("a"))]))]).await, "Canceled: []");
    assert_eq!(
        t.transact_get(&[(items, key(""))]).await,
        "Validation: One or more parameter values are not valid. The AttributeValue for a key attribute cannot contain an empty string value. Key: pk"
    );
    // The answer holds at most 4 MB, each item counting 4 bytes more than its size.
    for i in 0..11 {
        t.put(sized(&format!("b{i:02}"), 409_600)).await;
    }
    t.put(sized("e", 4 * 1024 * 1024 - 10 * (409_600 + 4) - 4)).await;
    let mut keys: Vec<_> = (0..10).map(|i| (items, key(&format!("b{i:02}")))).collect();
    keys.push((items, key("e")));
    assert!(t.transact_get(&keys).await.starts_with("Ok "));
    keys[10] = (items, key("b10"));
    keys.push((items, key("a")));
    assert_eq!(t.transact_get(&keys).await, "Validation: Payload in response is too large.4505644");
}

async fn batch_write_answers(backend: Backend) {
    let t = Tables::new(backend, "batch_write").await;
    t.put(key("gone")).await;
    let answer = |ops: Vec<BatchOp>| {
        let db = &t.db;
        let table = t.items.clone();
        async move { describe(raw::batch_write(db, &table, ops).await) }
    };
    let ops = vec![BatchOp::Put(item("w1", &[("v", n("1.50"))])), BatchOp::Delete(key("gone"))];
    assert_eq!(answer(ops).await, "Ok []");
    assert_eq!(t.get("w1").await, Some(item("w1", &[("v", n("1.5"))])));
    assert_eq!(t.get("gone").await, None);
    assert_eq!(
        answer(vec![]).await,
        format!("Validation: The batch write request list for a table cannot be null or empty: {}", t.items)
    );
    let puts = |count: usize| (0..count).map(|i| BatchOp::Put(key(&format!("w{i}")))).collect::<Vec<_>>();
    assert_eq!(answer(puts(26)).await, "Validation: Too many items requested for the BatchWriteItem call");
    assert_eq!(answer(puts(25)).await, "Ok []");
    let duplicates = "Validation: Provided list of item keys contains duplicates";
    assert_eq!(answer(vec![BatchOp::Put(key("w1")), BatchOp::Delete(key("w1"))]).await, duplicates);
    let number = |text: &str| BatchOp::Put(HashMap::from([("pk".to_owned(), n(text))]));
    let numbers = describe(raw::batch_write(&t.db, &t.numbers, vec![number("1"), number("1.0")]).await);
    assert_eq!(numbers, duplicates);
    assert_eq!(
        answer(vec![BatchOp::Put(key("w1")), BatchOp::Put(sized("w2", 400 * 1024 + 1))]).await,
        "Validation: Item size has exceeded the maximum allowed size"
    );
    assert_eq!(
        answer(vec![BatchOp::Put(key("w1")), number("1")]).await,
        "Validation: One or more parameter values were invalid: Type mismatch for key"
    );
    assert_eq!(
        answer(vec![BatchOp::Delete(item("w1", &[("x", s("1"))]))]).await,
        "Validation: The number of conditions on the keys is invalid"
    );
    assert_eq!(
        describe(raw::batch_write(&t.db, "no_such_table", vec![BatchOp::Put(key("w1"))]).await),
        NO_TABLE.to_owned()
    );
    // Values are checked before the table is looked up.
    let empty_set = BatchOp::Put(item("w1", &[("x", AttributeValue::Ss(vec![]))]));
    assert_eq!(
        describe(raw::batch_write(&t.db, "no_such_table", vec![empty_set]).await),
        "Validation: One or more parameter values were invalid: An string set  may not be empty"
    );
}

async fn batch_get_answers(backend: Backend) {
    let t = Tables::new(backend, "batch_get").await;
    t.put(item("a", &[("n", n("1"))])).await;
    t.put(key("b")).await;
    let answer = |table: &str, keys: Vec<RawItem>| {
        let db = &t.db;
        let table = table.to_owned();
        async move { describe(raw::batch_get(db, &table, keys).await) }
    };
    let found = raw::batch_get(&t.db, &t.items, vec![key("a"), key("zz"), key("b")]).await.expect("batch get");
    let mut found = found.0;
    found.sort_by_key(|item| format!("{:?}", item.get("pk")));
    assert_eq!(found, vec![item("a", &[("n", n("1"))]), key("b")]);
    assert_eq!(
        answer(&t.items, vec![]).await,
        format!(
            "Validation: The list of keys in RequestItems for BatchGetItem is required: {} has empty list",
            t.items
        )
    );
    let many = (0..101).map(|i| key(&i.to_string())).collect();
    assert_eq!(answer(&t.items, many).await, "Validation: Too many items requested for the BatchGetItem call");
    let duplicates = "Validation: Provided list of item keys contains duplicates";
    assert_eq!(answer(&t.items, vec![key("a"), key("a")]).await, duplicates);
    // Duplicates are looked for first, among the keys as sent.
    assert_eq!(answer(&t.items, std::iter::repeat_n(key("a"), 101).collect()).await, duplicates);
    assert_eq!(answer("no_such_table", vec![key("a"), key("a")]).await, duplicates);
    assert_eq!(answer("no_such_table", vec![key("a")]).await, NO_TABLE);
    let number = |text: &str| HashMap::from([("pk".to_owned(), n(text))]);
    raw::write(&t.db, Write { table: t.numbers.clone(), ..t.put_action(number("1")) }).await.expect("put");
    let both = raw::batch_get(&t.db, &t.numbers, vec![number("1"), number("1.0")]).await.expect("batch get");
    assert_eq!(both.0, vec![number("1"), number("1")], "`1` and `1.0` are two keys for one item");
    assert_eq!(
        answer(&t.items, vec![number("1")]).await,
        "Validation: One or more parameter values were invalid: Type mismatch for key"
    );
    assert_eq!(
        answer("no_such_table", vec![number("abc")]).await,
        "Validation: A value provided cannot be converted into a number"
    );
}
