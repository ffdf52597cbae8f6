//! Differential property tests: the in-memory backend must answer every single-item write exactly as DynamoDB
//! Local does.
//!
//! Each generated case stores a random initial item (or none), then sends one raw write, a PutItem, an
//! UpdateItem or a DeleteItem with random update and condition expressions, valid and invalid on purpose, and
//! a random ReturnValues mode, to both backends through `dynatomic::raw::write`. Both must give the same
//! outcome: the same answer (returned attributes, the same stored item on a failed condition, or the same
//! DynamoDB error code), the same error message (with DynamoDB's `1 validation error detected: ` prefix
//! removed), and the same stored item afterwards, read back with `raw::get`. Both backends get the same
//! request, placeholder maps included, in the same order: when several placeholders are wrong, DynamoDB names
//! the first in the order the request lists them.
//!
//! All cases share one pair of tables per backend (one with a partition key `pk`, one with `pk` and a sort key
//! `sk`); each run of a case uses a new partition key, so cases, and shrinking steps, never see each other's
//! items. DynamoDB Local must be running: without `DYNAMODB_ENDPOINT` the test fails, as every integration
//! test does. Run it with
//!
//! ```text
//! scripts/with-dynamodb-local.sh cargo test -p dynatomic --test differential -- --nocapture
//! ```
//!
//! The run is seeded: [`DEFAULT_SEED`] and [`DEFAULT_CASES`] cases unless `PROPTEST_RNG_SEED` and
//! `PROPTEST_CASES` say otherwise (`PROPTEST_MAX_SHRINK_ITERS` bounds shrinking). A failure prints its seed,
//! so `PROPTEST_RNG_SEED=<seed>` reruns it, and the shrunk case as a `#[test]` that calls [`check`]: paste it
//! into the regression section below to keep it.
//!
//! DynamoDB Local differs from the real service in ways the README lists ("Where DynamoDB Local differs from the
//! service"): it never reports transaction conflicts, its table names are case-insensitive, and it checks that
//! a table exists before it validates the request. None of them can show here: every request is a single-item write
//! to a table that exists, and the table names differ by more than case. Two more differences showed up here,
//! and the suite follows the real service on both: DynamoDB Local does not normalize every number it stores
//! (its numbers are normalized before comparing, see `Outcome::in_dynamodb_form`), and for UPDATED_OLD and
//! UPDATED_NEW on a nested path it returns the whole top-level attribute rather than the updated fragment (such
//! cases ask for ALL_OLD / ALL_NEW instead, see `Spec::returning_as_dynamodb_local_does`).

mod common;

use std::collections::btree_map::Entry;
use std::collections::{BTreeMap, HashMap};
use std::fmt::{self, Write as _};
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Mutex, OnceLock};

use dynatomic::aws_sdk_dynamodb::primitives::Blob;
use dynatomic::raw::{self, Action, Failure, RawItem, Returning, Write, WriteRefusal};
use dynatomic::{AttributeValue, Db, KeyKind, KeySchema};
use proptest::collection::{btree_map, vec};
use proptest::prelude::*;
use proptest::sample::{select, subsequence};
use proptest::test_runner::{Config, RngSeed, TestCaseError, TestError, TestRunner};

/// The seed of a run when `PROPTEST_RNG_SEED` is not set.
const DEFAULT_SEED: u64 = 20_260_301;
/// Cases per run when `PROPTEST_CASES` is not set.
const DEFAULT_CASES: u32 = 2_000;
/// Shrinking steps when `PROPTEST_MAX_SHRINK_ITERS` is not set; each one is a round trip to DynamoDB Local.
const DEFAULT_SHRINK_ITERS: u32 = 1_000;

#[test]
fn memory_backend_answers_like_dynamodb_local() {
    let harness = harness();
    let seed = env_number("PROPTEST_RNG_SEED", DEFAULT_SEED);
    let cases = env_number("PROPTEST_CASES", DEFAULT_CASES);
    let config = Config {
        cases,
        rng_seed: RngSeed::Fixed(seed),
        failure_persistence: None,
        max_shrink_iters: env_number("PROPTEST_MAX_SHRINK_ITERS", DEFAULT_SHRINK_ITERS),
        ..Config::default()
    };
    let started = std::time::Instant::now();
    let result = TestRunner::new(config).run(&case(), |case| harness.compare(&case).map_err(TestCaseError::fail));
    eprintln!("differential: seed {seed}, {cases} cases in {:.1?}", started.elapsed());
    harness.report();
    match result {
        Ok(()) => {}
        Err(TestError::Fail(reason, case)) => panic!(
            "differential case failed (seed {seed}; rerun with PROPTEST_RNG_SEED={seed}):\n{reason}\n\
             Shrunk case, as a regression test for the end of runtime/tests/differential.rs:\n\n\
             #[test]\nfn regression_seed_{seed}() {{\n    check({case:?});\n}}\n"
        ),
        Err(TestError::Abort(reason)) => panic!("proptest aborted (seed {seed}): {reason}"),
    }
}

// Regression tests: shrunk cases printed by a failing run, pasted here.

/// DynamoDB Local keeps the scale of arithmetic results and the text of nested numbers; the comparison
/// normalizes them as DynamoDB does (see `Outcome::in_dynamodb_form`), and the memory backend must store `1` and `0`.
#[test]
fn numbers_are_compared_as_dynamodb_stores_them() {
    check(Case {
        keys: Keys::Partition,
        initial: Some(item([("m", m([("x", n("-0"))]))])),
        action: Act::Update(Some("SET a = :v0 + :v1".into())),
        condition: None,
        names: names([]),
        values: item([(":v0", n("0.5")), (":v1", n("0.5"))]),
        returning: Returning::AllNew,
    });
}

// The harness itself, without DynamoDB Local.

#[test]
fn a_case_prints_as_the_code_that_rebuilds_it() {
    let case = Case {
        keys: Keys::PartitionAndSort,
        initial: Some(item([("b", b(vec![1, 2])), ("f", boolean(true)), ("l", l([null(), s("😀")]))])),
        action: Act::Update(Some("SET #m.x = :v0".into())),
        condition: Some("attribute_exists(s)".into()),
        names: names([("#m", "m")]),
        values: item([(
            ":v0",
            m([("a", ss(["a"])), ("b", ns(["1"])), ("c", bs([vec![0]])), ("d", s(&"x".repeat(99)))]),
        )]),
        returning: Returning::UpdatedNew,
    };
    let printed = r##"Case {
        keys: Keys::PartitionAndSort,
        initial: Some(item([("b", b(vec![1, 2])), ("f", boolean(true)), ("l", l([null(), s("😀")]))])),
        action: Act::Update(Some("SET #m.x = :v0".into())),
        condition: Some("attribute_exists(s)".into()),
        names: names([("#m", "m")]),
        values: item([(":v0", m([("a", ss(["a"])), ("b", ns(["1"])), ("c", bs([vec![0]])), ("d", s(&"x".repeat(99)))]))]),
        returning: Returning::UpdatedNew,
    }"##;
    assert_eq!(format!("{case:?}"), printed);
    assert_eq!(
        format!("{:?}", Case { action: Act::Put(item([])), ..blank(Keys::Partition) }).lines().nth(3),
        Some("        action: Act::Put(item([])),")
    );
}

/// DynamoDB's normalized forms, as DynamoDB Local gives back top-level numbers.
#[test]
fn numbers_normalize_as_dynamodb_normalizes_them() {
    for (sent, stored) in [
        ("-0", "0"),
        ("-0.00", "0"),
        ("0E+5", "0"),
        ("00042", "42"),
        ("1.0", "1"),
        ("1.50", "1.5"),
        ("120.0", "120"),
        ("1e2", "100"),
        ("1E+20", "100000000000000000000"),
        ("123E+30", "123000000000000000000000000000000"),
        ("12.3400E3", "12340"),
        ("1E-2", "0.01"),
        ("1.2E-5", "0.000012"),
        ("1E-7", "0.0000001"),
        ("-2.5", "-2.5"),
        ("0.00000000000000000000000000000000000001", "0.00000000000000000000000000000000000001"),
        (
            "9.9999999999999999999999999999999999999E+125",
            &format!("99999999999999999999999999999999999999{}", "0".repeat(88)),
        ),
        ("1E-130", &format!("0.{}1", "0".repeat(129))),
        ("abc", "abc"),
    ] {
        assert_eq!(normalized_number(sent), stored, "{sent}");
    }
}

// ---------------------------------------------------------------------------------------------------------
// A case and the Rust code that rebuilds it.

/// One generated case: an initial item, then one write, run on a fresh key of one of the shared tables.
#[derive(Clone)]
struct Case {
    /// Which of the two tables: with or without a sort key.
    keys: Keys,
    /// The item stored first (without its key attributes, which each run adds), if any.
    initial: Option<RawItem>,
    /// What the write does.
    action: Act,
    /// The ConditionExpression.
    condition: Option<String>,
    /// The ExpressionAttributeNames.
    names: HashMap<String, String>,
    /// The ExpressionAttributeValues.
    values: RawItem,
    /// The ReturnValues.
    returning: Returning,
}

/// The key schema of a case's table.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Keys {
    /// `pk` (S).
    Partition,
    /// `pk` (S) and `sk` (S).
    PartitionAndSort,
}

/// The write of a case, without its key.
#[derive(Clone)]
enum Act {
    /// PutItem of this item plus the key.
    Put(RawItem),
    /// UpdateItem with this UpdateExpression.
    Update(Option<String>),
    /// DeleteItem.
    Delete,
}

impl Case {
    /// How big the printed case is, to keep the smallest example of a difference.
    fn size(&self) -> usize {
        format!("{self:?}").len()
    }

    /// The write of this case on `key` of `table`.
    fn write(&self, table: &str, key: &RawItem) -> Write {
        let action = match &self.action {
            Act::Put(item) => Action::Put(with_key(item, key)),
            Act::Update(expression) => {
                Action::Update { key: key.clone(), expression: expression.clone().map(Into::into) }
            }
            Act::Delete => Action::Delete { key: key.clone() },
        };
        Write {
            table: table.to_owned(),
            action,
            condition: self.condition.clone().map(Into::into),
            names: self.names.clone(),
            values: self.values.clone(),
            returning: self.returning,
        }
    }
}

/// `item` with the key attributes added.
fn with_key(item: &RawItem, key: &RawItem) -> RawItem {
    item.iter().chain(key).map(|(name, value)| (name.clone(), value.clone())).collect()
}

/// Prints the case as the Rust expression that rebuilds it, to paste into a regression test.
impl fmt::Debug for Case {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let text = |text: &Option<String>| match text {
            Some(text) => format!("Some({text:?}.into())"),
            None => "None".to_owned(),
        };
        let action = match &self.action {
            Act::Put(item) => format!("Act::Put({})", Code::Item(item)),
            Act::Update(expression) => format!("Act::Update({})", text(expression)),
            Act::Delete => "Act::Delete".to_owned(),
        };
        let initial = match &self.initial {
            Some(item) => format!("Some({})", Code::Item(item)),
            None => "None".to_owned(),
        };
        writeln!(f, "Case {{")?;
        writeln!(f, "        keys: Keys::{:?},", self.keys)?;
        writeln!(f, "        initial: {initial},")?;
        writeln!(f, "        action: {action},")?;
        writeln!(f, "        condition: {},", text(&self.condition))?;
        writeln!(f, "        names: {},", Code::Names(&self.names))?;
        writeln!(f, "        values: {},", Code::Item(&self.values))?;
        writeln!(f, "        returning: Returning::{:?},", self.returning)?;
        write!(f, "    }}")
    }
}

/// Rust code that builds a value with the constructors below.
enum Code<'a> {
    Value(&'a AttributeValue),
    Item(&'a RawItem),
    Names(&'a HashMap<String, String>),
}

impl fmt::Display for Code<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Code::Value(value) => write_value(f, value),
            Code::Item(item) => {
                let entries = sorted(item.iter());
                list(f, "item", entries.iter().map(|(name, value)| format!("({name:?}, {})", Code::Value(value))))
            }
            Code::Names(names) => {
                let entries = sorted(names.iter());
                list(f, "names", entries.iter().map(|(placeholder, name)| format!("({placeholder:?}, {name:?})")))
            }
        }
    }
}

fn write_value(f: &mut fmt::Formatter<'_>, value: &AttributeValue) -> fmt::Result {
    match value {
        AttributeValue::S(text) => match repeated(text) {
            Some((c, count)) => write!(f, "s(&{:?}.repeat({count}))", c.to_string()),
            None => write!(f, "s({text:?})"),
        },
        AttributeValue::N(number) => write!(f, "n({number:?})"),
        AttributeValue::B(bytes) => write!(f, "b(vec!{:?})", bytes.as_ref()),
        AttributeValue::Bool(flag) => write!(f, "boolean({flag})"),
        AttributeValue::Null(_) => write!(f, "null()"),
        AttributeValue::L(elements) => list(f, "l", elements.iter().map(|e| Code::Value(e).to_string())),
        AttributeValue::M(entries) => {
            let entries = sorted(entries.iter());
            list(f, "m", entries.iter().map(|(name, value)| format!("({name:?}, {})", Code::Value(value))))
        }
        AttributeValue::Ss(strings) => list(f, "ss", strings.iter().map(|s| format!("{s:?}"))),
        AttributeValue::Ns(numbers) => list(f, "ns", numbers.iter().map(|n| format!("{n:?}"))),
        AttributeValue::Bs(blobs) => list(f, "bs", blobs.iter().map(|b| format!("vec!{:?}", b.as_ref()))),
        other => write!(f, "{other:?}"),
    }
}

/// `name([a, b, ...])`.
fn list(f: &mut fmt::Formatter<'_>, name: &str, elements: impl Iterator<Item = String>) -> fmt::Result {
    write!(f, "{name}([{}])", elements.collect::<Vec<_>>().join(", "))
}

/// Map entries in key order, for stable output.
fn sorted<'a, V>(entries: impl Iterator<Item = (&'a String, &'a V)>) -> Vec<(&'a String, &'a V)> {
    let mut entries: Vec<_> = entries.collect();
    entries.sort_by_key(|(name, _)| *name);
    entries
}

/// A long string of one repeated character, printed as `repeat` rather than in full.
fn repeated(text: &str) -> Option<(char, usize)> {
    let first = text.chars().next()?;
    (text.len() > 64 && text.chars().all(|c| c == first)).then(|| (first, text.chars().count()))
}

// The constructors that the printed code calls.

fn item<const N: usize>(entries: [(&str, AttributeValue); N]) -> RawItem {
    entries.into_iter().map(|(name, value)| (name.to_owned(), value)).collect()
}

fn names<const N: usize>(entries: [(&str, &str); N]) -> HashMap<String, String> {
    entries.into_iter().map(|(placeholder, name)| (placeholder.to_owned(), name.to_owned())).collect()
}

fn s(text: &str) -> AttributeValue {
    AttributeValue::S(text.to_owned())
}

fn n(number: &str) -> AttributeValue {
    AttributeValue::N(number.to_owned())
}

fn b(bytes: Vec<u8>) -> AttributeValue {
    AttributeValue::B(Blob::new(bytes))
}

fn boolean(flag: bool) -> AttributeValue {
    AttributeValue::Bool(flag)
}

fn null() -> AttributeValue {
    AttributeValue::Null(true)
}

fn l<const N: usize>(elements: [AttributeValue; N]) -> AttributeValue {
    AttributeValue::L(elements.into())
}

fn m<const N: usize>(entries: [(&str, AttributeValue); N]) -> AttributeValue {
    AttributeValue::M(item(entries))
}

fn ss<const N: usize>(strings: [&str; N]) -> AttributeValue {
    AttributeValue::Ss(strings.map(str::to_owned).into())
}

fn ns<const N: usize>(numbers: [&str; N]) -> AttributeValue {
    AttributeValue::Ns(numbers.map(str::to_owned).into())
}

fn bs<const N: usize>(blobs: [Vec<u8>; N]) -> AttributeValue {
    AttributeValue::Bs(blobs.map(Blob::new).into())
}

// ---------------------------------------------------------------------------------------------------------
// Running a case on both backends.

/// Runs `case` on both backends and panics when they disagree. Regression tests call it.
fn check(case: Case) {
    if let Err(mismatch) = harness().compare(&case) {
        panic!("{mismatch}\n{case:?}");
    }
}

/// The two backends, each with the two shared tables, and the runtime every case runs on.
struct Harness {
    runtime: tokio::runtime::Runtime,
    memory: Db,
    local: Db,
    partition_table: String,
    sort_table: String,
    next_key: AtomicU64,
    messages: Mutex<MessageReport>,
}

/// One kind of message difference.
struct Difference {
    memory: String,
    local: String,
    case: Case,
}

/// Error messages that differ between the backends although the kind agrees.
#[derive(Default)]
struct MessageReport {
    compared: usize,
    /// Differing messages by their gist (each message up to its first `;` or `:`), with the shortest case that
    /// showed them and its two full messages.
    differing: BTreeMap<(String, String), Difference>,
    /// Answers by kind, to see how much of the run is accepted, refused by its condition, or invalid.
    kinds: BTreeMap<&'static str, usize>,
}

/// The harness of this test process, created on first use; fails when DynamoDB Local is not configured.
fn harness() -> &'static Harness {
    static HARNESS: OnceLock<Harness> = OnceLock::new();
    HARNESS.get_or_init(Harness::start)
}

impl Harness {
    fn start() -> Self {
        let runtime = tokio::runtime::Builder::new_multi_thread()
            .worker_threads(2)
            .enable_all()
            .build()
            .expect("a tokio runtime");
        let local = runtime.block_on(common::connect());
        let memory = Db::memory();
        let partition_table = common::unique_table_name("differential_pk");
        let sort_table = common::unique_table_name("differential_pk_sk");
        runtime.block_on(async {
            for db in [&memory, &local] {
                for (table, keys) in [(&partition_table, Keys::Partition), (&sort_table, Keys::PartitionAndSort)] {
                    if let Err(refusal) = raw::create_table(db, table, keys.schema()).await {
                        panic!("creating table {table}: {refusal:?}");
                    }
                }
            }
        });
        Harness {
            runtime,
            memory,
            local,
            partition_table,
            sort_table,
            next_key: AtomicU64::new(0),
            messages: Mutex::default(),
        }
    }

    /// Runs `case` on a fresh key on both backends; describes the difference if they disagree.
    fn compare(&self, case: &Case) -> Result<(), String> {
        let number = self.next_key.fetch_add(1, Ordering::Relaxed);
        let (table, key) = match case.keys {
            Keys::Partition => (&self.partition_table, item([("pk", s(&format!("case-{number}")))])),
            Keys::PartitionAndSort => {
                (&self.sort_table, item([("pk", s(&format!("case-{number}"))), ("sk", s("sort"))]))
            }
        };
        let (memory, local) = self.runtime.block_on(async {
            (run(&self.memory, table, case, &key).await, run(&self.local, table, case, &key).await.in_dynamodb_form())
        });
        if !memory.same_kind(&local) {
            return Err(format!("memory backend:  {memory:?}\nDynamoDB Local:  {local:?}"));
        }
        self.record(case, &memory, &local)?;
        match memory
            .messages()
            .zip(local.messages())
            .find(|(mine, theirs)| without_prefix(mine) != without_prefix(theirs))
        {
            Some((mine, theirs)) => {
                Err(format!("error messages differ:\nmemory backend:  {mine}\nDynamoDB Local:  {theirs}"))
            }
            None => Ok(()),
        }
    }

    /// Counts the answer and compares error messages.
    fn record(&self, case: &Case, memory: &Outcome, local: &Outcome) -> Result<(), String> {
        let mut report = self.messages.lock().unwrap_or_else(std::sync::PoisonError::into_inner);
        *report.kinds.entry(memory.answer.kind()).or_default() += 1;
        for (mine, theirs) in memory.messages().zip(local.messages()) {
            report.compared += 1;
            let (mine, theirs) = (without_prefix(mine), without_prefix(theirs));
            if mine != theirs {
                let difference = Difference { memory: mine.to_owned(), local: theirs.to_owned(), case: case.clone() };
                match report.differing.entry((gist(mine), gist(theirs))) {
                    Entry::Vacant(entry) => {
                        entry.insert(difference);
                    }
                    Entry::Occupied(mut entry) if difference.case.size() < entry.get().case.size() => {
                        entry.insert(difference);
                    }
                    Entry::Occupied(_) => {}
                }
            }
        }
        Ok(())
    }

    /// Prints what the run covered and the error messages that differ.
    fn report(&self) {
        let report = self.messages.lock().unwrap_or_else(std::sync::PoisonError::into_inner);
        eprintln!("differential: answers by kind {:?}", report.kinds);
        eprintln!(
            "differential: {} error messages compared, {} distinct differences",
            report.compared,
            report.differing.len()
        );
        for Difference { memory, local, case } in report.differing.values() {
            eprintln!("  memory backend:  {memory}\n  DynamoDB Local:  {local}\n  check({case:?});\n");
        }
    }
}

impl Keys {
    fn schema(self) -> KeySchema {
        let sort = match self {
            Keys::Partition => None,
            Keys::PartitionAndSort => Some(("sk", KeyKind::String)),
        };
        KeySchema { partition: ("pk", KeyKind::String), sort }
    }
}

/// Stores the initial item, runs the write, reads the item back.
async fn run(db: &Db, table: &str, case: &Case, key: &RawItem) -> Outcome {
    let setup = match &case.initial {
        Some(initial) => {
            let put = Case { action: Act::Put(initial.clone()), ..blank(case.keys) }.write(table, key);
            Answer::from(raw::write(db, put).await)
        }
        None => Answer::Returned(None),
    };
    let answer = Answer::from(raw::write(db, case.write(table, key)).await);
    let stored = Answer::from(raw::get(db, table, key.clone()).await.map_err(WriteRefusal::Failed));
    Outcome { setup, answer, stored }
}

/// A case that only does its action: no condition, no placeholders, nothing returned.
fn blank(keys: Keys) -> Case {
    Case {
        keys,
        initial: None,
        action: Act::Delete,
        condition: None,
        names: HashMap::new(),
        values: HashMap::new(),
        returning: Returning::Nothing,
    }
}

/// What one backend did with a case.
#[derive(Debug)]
struct Outcome {
    /// Storing the initial item.
    setup: Answer,
    /// The write.
    answer: Answer,
    /// The item read back afterwards.
    stored: Answer,
}

/// A backend's answer to one request, with sets in a canonical order.
enum Answer {
    Returned(Option<RawItem>),
    ConditionFailed(Option<RawItem>),
    /// DynamoDB's error: its code (`None`: no answer) and message.
    Refused {
        code: Option<String>,
        message: String,
    },
    /// A broken invariant of dynatomic.
    Internal(String),
}

impl From<Result<Option<RawItem>, WriteRefusal>> for Answer {
    fn from(result: Result<Option<RawItem>, WriteRefusal>) -> Self {
        let canonical = |item: Option<RawItem>| item.map(|item| canonical_item(&item));
        match result {
            Ok(item) => Answer::Returned(canonical(item)),
            Err(WriteRefusal::ConditionFailed { stored, .. }) => Answer::ConditionFailed(canonical(stored)),
            Err(WriteRefusal::Failed(Failure::Service(error))) => {
                Answer::Refused { code: error.code().map(str::to_owned), message: error.message().to_owned() }
            }
            Err(WriteRefusal::Failed(Failure::Internal(error))) => Answer::Internal(error.to_string()),
        }
    }
}

impl Answer {
    fn kind(&self) -> &'static str {
        match self {
            Answer::Returned(_) => "ok",
            Answer::ConditionFailed(_) => "condition failed",
            Answer::Refused { code: Some(code), .. } if code == "ValidationException" => "validation error",
            Answer::Refused { code: Some(code), .. } if code == "ResourceNotFoundException" => "table not found",
            Answer::Refused { .. } => "other service error",
            Answer::Internal(_) => "internal error",
        }
    }

    /// Equal answers, but errors only by their code.
    fn same_kind(&self, other: &Answer) -> bool {
        match (self, other) {
            (Answer::Returned(a), Answer::Returned(b)) | (Answer::ConditionFailed(a), Answer::ConditionFailed(b)) => {
                a == b
            }
            (Answer::Refused { code: a, .. }, Answer::Refused { code: b, .. }) => a.is_some() && a == b,
            _ => false,
        }
    }

    fn message(&self) -> Option<&str> {
        match self {
            Answer::Refused { message, .. } => Some(message),
            _ => None,
        }
    }
}

impl Outcome {
    /// DynamoDB Local's outcome as DynamoDB gives it: with every number in DynamoDB's normalized form.
    ///
    /// DynamoDB normalizes every number it stores (`1.0` -> `1`, `-0` -> `0`, `1E+2` -> `100`). DynamoDB Local
    /// does so only for top-level numbers and set elements that a request sends: the result of arithmetic
    /// keeps its scale (`SET a = :x + :y` with 0.5 and 0.5 stores `1.0`, 1.25 + 1.75 stores `3.00`), and a number
    /// inside a list or a map keeps the text it was sent with (`{"x": -0}` stays `-0`). So its numbers are
    /// normalized here, and the memory backend's numbers must already be in normalized form.
    fn in_dynamodb_form(self) -> Outcome {
        let normalize = |answer: Answer| match answer {
            Answer::Returned(item) => Answer::Returned(item.map(|item| map_numbers(&item))),
            Answer::ConditionFailed(item) => Answer::ConditionFailed(item.map(|item| map_numbers(&item))),
            other => other,
        };
        Outcome { setup: normalize(self.setup), answer: normalize(self.answer), stored: normalize(self.stored) }
    }

    fn same_kind(&self, other: &Outcome) -> bool {
        self.answers().zip(other.answers()).all(|(a, b)| a.same_kind(b))
    }

    fn answers(&self) -> impl Iterator<Item = &Answer> {
        [&self.setup, &self.answer, &self.stored].into_iter()
    }

    /// The error messages of the setup and of the write, in order (`None` where there is none).
    fn messages(&self) -> impl Iterator<Item = &str> {
        self.answers().filter_map(Answer::message)
    }
}

impl fmt::Debug for Answer {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let item = |item: &Option<RawItem>| match item {
            Some(item) => format!("Some({})", Code::Item(item)),
            None => "None".to_owned(),
        };
        match self {
            Answer::Returned(returned) => write!(f, "Returned({})", item(returned)),
            Answer::ConditionFailed(stored) => write!(f, "ConditionFailed({})", item(stored)),
            Answer::Refused { code, message } => write!(f, "Refused({code:?}, {message:?})"),
            Answer::Internal(error) => write!(f, "Internal({error})"),
        }
    }
}

/// The start of a message, up to its details: what a kind of difference is grouped by.
fn gist(message: &str) -> String {
    message.split([';', ':']).take(2).collect::<Vec<_>>().join(":")
}

/// DynamoDB's message without the prefix that real DynamoDB puts on some messages and others do not.
fn without_prefix(message: &str) -> &str {
    message.strip_prefix("1 validation error detected: ").unwrap_or(message)
}

/// The item with every set sorted, since DynamoDB gives set elements in no particular order.
fn canonical_item(item: &RawItem) -> RawItem {
    item.iter().map(|(name, value)| (name.clone(), canonical(value))).collect()
}

fn canonical(value: &AttributeValue) -> AttributeValue {
    match value {
        AttributeValue::L(elements) => AttributeValue::L(elements.iter().map(canonical).collect()),
        AttributeValue::M(entries) => AttributeValue::M(canonical_item(entries)),
        AttributeValue::Ss(strings) => AttributeValue::Ss(sorted_set(strings)),
        AttributeValue::Ns(numbers) => AttributeValue::Ns(sorted_set(numbers)),
        AttributeValue::Bs(blobs) => {
            let mut bytes: Vec<Vec<u8>> = blobs.iter().map(|b| b.as_ref().to_vec()).collect();
            bytes.sort();
            AttributeValue::Bs(bytes.into_iter().map(Blob::new).collect())
        }
        other => other.clone(),
    }
}

fn sorted_set(elements: &[String]) -> Vec<String> {
    let mut elements = elements.to_vec();
    elements.sort();
    elements
}

/// The item with every number, at any depth, in DynamoDB's normalized form.
fn map_numbers(item: &RawItem) -> RawItem {
    item.iter().map(|(name, value)| (name.clone(), normalized(value))).collect()
}

fn normalized(value: &AttributeValue) -> AttributeValue {
    match value {
        AttributeValue::N(number) => AttributeValue::N(normalized_number(number)),
        AttributeValue::Ns(numbers) => {
            AttributeValue::Ns(sorted_set(&numbers.iter().map(|n| normalized_number(n)).collect::<Vec<_>>()))
        }
        AttributeValue::L(elements) => AttributeValue::L(elements.iter().map(normalized).collect()),
        AttributeValue::M(entries) => AttributeValue::M(map_numbers(entries)),
        other => other.clone(),
    }
}

/// A decimal number as DynamoDB gives it back: plain notation, no leading or trailing zeros, no `-0`
/// (`stripTrailingZeros().toPlainString()` of Java's BigDecimal). Text that is not a number stays as it is.
fn normalized_number(text: &str) -> String {
    let (negative, unsigned) = match text.strip_prefix('-') {
        Some(rest) => (true, rest),
        None => (false, text.strip_prefix('+').unwrap_or(text)),
    };
    let (mantissa, exponent) = match unsigned.split_once(['e', 'E']) {
        Some((mantissa, exponent)) => (mantissa, exponent.parse::<i64>().ok()),
        None => (unsigned, Some(0)),
    };
    let (integer, fraction) = mantissa.split_once('.').unwrap_or((mantissa, ""));
    let digits = format!("{integer}{fraction}");
    let Some(exponent) = exponent.filter(|_| !digits.is_empty() && digits.bytes().all(|b| b.is_ascii_digit())) else {
        return text.to_owned();
    };
    // The value is `significant` × 10^scale.
    let trimmed = digits.trim_start_matches('0');
    let significant = trimmed.trim_end_matches('0');
    if significant.is_empty() {
        return "0".to_owned();
    }
    let scale = exponent - len(fraction) + len(trimmed) - len(significant);
    let point = len(significant) + scale;
    let plain = if scale >= 0 {
        format!("{significant}{}", zeros(scale))
    } else if point > 0 {
        let (integer, fraction) = significant.split_at(point.unsigned_abs() as usize);
        format!("{integer}.{fraction}")
    } else {
        format!("0.{}{significant}", zeros(-point))
    };
    if negative { format!("-{plain}") } else { plain }
}

fn len(digits: &str) -> i64 {
    i64::try_from(digits.len()).expect("a short number")
}

fn zeros(count: i64) -> String {
    "0".repeat(usize::try_from(count).expect("a non-negative count"))
}

/// A numeric environment variable, or `default` when it is not set; panics when it is set but not a number.
fn env_number<T: std::str::FromStr>(name: &str, default: T) -> T {
    match std::env::var(name) {
        Ok(text) => text.parse().unwrap_or_else(|_| panic!("{name}={text} is not a number")),
        Err(_) => default,
    }
}

// ---------------------------------------------------------------------------------------------------------
// Generators. A case is generated as a tree (`Spec`) and rendered to expression strings and placeholder maps,
// so that proptest shrinks the tree and the printed case stays readable.

/// Top-level attribute names of generated items; expressions use them with `#name` or bare.
const ITEM_NAMES: [&str; 6] = ["a", "b", "n", "l", "m", "s"];
/// Top-level names that expressions use rarely: the key attributes (not updatable) and a reserved word.
const RARE_NAMES: [&str; 3] = ["pk", "sk", "name"];
/// Names inside maps.
const MAP_KEYS: [&str; 3] = ["x", "y", "a"];
/// List indexes in paths: in range and out of range.
const INDEXES: [u32; 5] = [0, 1, 2, 5, 40];

/// Numbers: integers, decimals, negative, 38 significant digits, forms that DynamoDB normalizes (`-0`,
/// `00042`, `1.0`, exponents), and the ends of its range.
const NUMBERS: [&str; 22] = [
    "0",
    "1",
    "-1",
    "2",
    "10",
    "0.5",
    "-2.5",
    "3.14159",
    "100",
    "12345678901234567890123456789012345678",
    "-12345678901234567890123456789012345678",
    "99999999999999999999999999999999999999",
    "-0",
    "00042",
    "1.0",
    "1e2",
    "1E-2",
    "0.00000000000000000000000000000000000001",
    "0.12345678901234567890123456789012345678",
    "9.9999999999999999999999999999999999999E+125",
    "-9.9999999999999999999999999999999999999E+125",
    "1E-130",
];
/// Numbers DynamoDB refuses: too many digits, out of range, not a number.
const BAD_NUMBERS: [&str; 5] = ["123456789012345678901234567890123456789", "1E126", "1E-131", "abc", ""];
/// Strings, with multi-byte characters for size, ordering and prefixes.
const STRINGS: [&str; 11] = ["", "a", "ab", "abc", "b", "ba", "A", "é", "日本", "😀", "a😀b"];
/// Set elements, distinct within each pool so that every subset is a valid set.
const SET_STRINGS: [&str; 5] = ["a", "b", "ab", "é", "😀"];
const SET_NUMBERS: [&str; 6] = ["1", "2", "-3", "0.5", "100", "12345678901234567890123456789012345678"];
const SET_BYTES: [&[u8]; 4] = [&[0], &[1], &[1, 2], &[255]];
/// Binary values.
const BYTES: [&[u8]; 5] = [&[], &[0], &[1], &[1, 2], &[255, 1]];
/// The type names of `attribute_type`.
const TYPE_CODES: [&str; 10] = ["S", "SS", "N", "NS", "B", "BS", "BOOL", "NULL", "L", "M"];
const COMPARATORS: [&str; 6] = ["=", "<>", "<", "<=", ">", ">="];

/// An attribute name in an expression: `#name` or bare.
#[derive(Debug, Clone)]
struct Name {
    name: &'static str,
    alias: bool,
}

/// A document path: a name, then map entries and list elements.
#[derive(Debug, Clone)]
struct Path {
    head: Name,
    rest: Vec<Step>,
}

#[derive(Debug, Clone)]
enum Step {
    Field(Name),
    Index(u32),
}

/// An operand of an update or a condition.
#[derive(Debug, Clone)]
enum Operand {
    Path(Path),
    Value(AttributeValue),
    IfNotExists(Path, Box<Operand>),
    ListAppend(Box<Operand>, Box<Operand>),
    Size(Path),
}

/// The right-hand side of a SET action.
#[derive(Debug, Clone)]
enum SetValue {
    Single(Operand),
    Plus(Operand, Operand),
    Minus(Operand, Operand),
}

/// An UpdateExpression: each clause at most once, in `order`.
#[derive(Debug, Clone)]
struct UpdateSpec {
    set: Option<Vec<(Path, SetValue)>>,
    remove: Option<Vec<Path>>,
    add: Option<Vec<(Path, AttributeValue)>>,
    delete: Option<Vec<(Path, AttributeValue)>>,
    order: Vec<usize>,
}

/// A ConditionExpression: terms joined by AND and OR, rendered as written, so that precedence is tested. A
/// flat list (rather than a tree) lets proptest shrink a failing condition by dropping terms.
#[derive(Debug, Clone)]
struct Cond {
    first: Term,
    rest: Vec<(Joint, Term)>,
}

#[derive(Debug, Clone, Copy)]
enum Joint {
    And,
    Or,
}

/// `NOT` (0, 1 or 2 times) in front of a test or a parenthesized condition.
#[derive(Debug, Clone)]
struct Term {
    nots: usize,
    body: Body,
}

#[derive(Debug, Clone)]
enum Body {
    Test(Test),
    Group(Box<Cond>),
}

#[derive(Debug, Clone)]
enum Test {
    Compare(Operand, &'static str, Operand),
    Between(Operand, Operand, Operand),
    In(Operand, Vec<Operand>),
    Exists(Path),
    NotExists(Path),
    Type(Path, AttributeValue),
    BeginsWith(Operand, Operand),
    Contains(Operand, Operand),
}

#[derive(Debug, Clone)]
enum ActionSpec {
    Put(RawItem),
    Update(UpdateSpec),
    Delete,
}

/// A change made to a rendered case to make it invalid (or, for some, to test that it stays valid).
#[derive(Debug, Clone)]
enum Mutation {
    None,
    /// Leaves out one ExpressionAttributeNames entry: an undefined placeholder.
    DropName(usize),
    /// Leaves out one ExpressionAttributeValues entry.
    DropValue(usize),
    /// An unused `#unused`.
    ExtraName,
    /// An unused `:unused`.
    ExtraValue,
    /// Appends `REMOVE zz` to the update: valid unless the update already has a REMOVE clause.
    AppendRemove,
    /// Appends a dangling `,` to the update or ` AND` to the condition: a syntax error.
    Garble,
    /// Writes function names in upper case: they are case-sensitive.
    ShoutFunctions,
}

#[derive(Debug, Clone)]
struct Spec {
    keys: Keys,
    initial: Option<RawItem>,
    action: ActionSpec,
    condition: Option<Cond>,
    returning: Returning,
    /// Keywords in lower case (they are case-insensitive).
    lower: bool,
    mutation: Mutation,
}

fn case() -> impl Strategy<Value = Case> {
    spec().prop_map(|spec| spec.render())
}

/// The parts of a case, in the order proptest shrinks them: the ones that most often turn out irrelevant first
/// (each becomes `None` or its simplest form in one step), the initial item, whose values shrink slowly, last.
fn spec() -> impl Strategy<Value = Spec> {
    let action = prop_oneof![
        1 => Just(ActionSpec::Delete),
        8 => update().prop_map(ActionSpec::Update),
        1 => any_item().prop_map(ActionSpec::Put),
    ];
    // Put and Delete accept only NONE and ALL_OLD; the other modes are validation errors, tried less often.
    let put_returning = prop_oneof![6 => select(vec![Returning::Nothing, Returning::AllOld]), 1 => returning()];
    let keys = prop_oneof![3 => Just(Keys::Partition), 1 => Just(Keys::PartitionAndSort)];
    (
        proptest::option::weighted(0.5, condition()),
        action,
        mutation(),
        (returning(), put_returning),
        proptest::bool::weighted(0.1),
        keys,
        proptest::option::weighted(0.85, any_item()),
    )
        .prop_map(|(condition, action, mutation, (update_returning, put_returning), lower, keys, initial)| {
            let returning = if matches!(action, ActionSpec::Update(_)) { update_returning } else { put_returning };
            Spec { keys, initial, action, condition, returning, lower, mutation }
        })
}

fn returning() -> impl Strategy<Value = Returning> {
    select(vec![Returning::Nothing, Returning::AllOld, Returning::AllNew, Returning::UpdatedOld, Returning::UpdatedNew])
}

fn mutation() -> impl Strategy<Value = Mutation> {
    prop_oneof![
        40 => Just(Mutation::None),
        1 => (0..4usize).prop_map(Mutation::DropName),
        1 => (0..4usize).prop_map(Mutation::DropValue),
        1 => Just(Mutation::ExtraName),
        1 => Just(Mutation::ExtraValue),
        1 => Just(Mutation::AppendRemove),
        1 => Just(Mutation::Garble),
        1 => Just(Mutation::ShoutFunctions),
    ]
}

// Values.

fn number() -> BoxedStrategy<String> {
    prop_oneof![
        4 => select(&NUMBERS[..]).prop_map(str::to_owned),
        1 => (-1000i64..1000).prop_map(|i| i.to_string()),
        1 => (any::<bool>(), 0u32..1000, 0u32..10_000).prop_map(|(negative, int, fraction)| {
            format!("{}{int}.{fraction}", if negative { "-" } else { "" })
        }),
    ]
    .boxed()
}

fn string() -> impl Strategy<Value = String> {
    select(&STRINGS[..]).prop_map(str::to_owned)
}

fn bytes(pool: &'static [&'static [u8]]) -> impl Strategy<Value = Blob> {
    select(pool).prop_map(Blob::new)
}

fn scalar() -> BoxedStrategy<AttributeValue> {
    prop_oneof![
        3 => string().prop_map(AttributeValue::S),
        3 => number().prop_map(AttributeValue::N),
        1 => bytes(&BYTES).prop_map(AttributeValue::B),
        1 => any::<bool>().prop_map(AttributeValue::Bool),
        1 => Just(AttributeValue::Null(true)),
    ]
    .boxed()
}

/// A non-empty set without duplicates.
fn set() -> BoxedStrategy<AttributeValue> {
    fn owned(pool: &[&str]) -> Vec<String> {
        pool.iter().map(|s| (*s).to_owned()).collect()
    }
    prop_oneof![
        subsequence(owned(&SET_STRINGS), 1..=3).prop_map(AttributeValue::Ss),
        subsequence(owned(&SET_NUMBERS), 1..=3).prop_map(AttributeValue::Ns),
        subsequence(SET_BYTES.map(Blob::new).to_vec(), 1..=3).prop_map(AttributeValue::Bs),
    ]
    .boxed()
}

fn list_of(element: BoxedStrategy<AttributeValue>) -> BoxedStrategy<AttributeValue> {
    vec(element, 0..4).prop_map(AttributeValue::L).boxed()
}

fn map_of(entry: BoxedStrategy<AttributeValue>) -> BoxedStrategy<AttributeValue> {
    btree_map(select(&MAP_KEYS[..]), entry, 0..4)
        .prop_map(|entries| AttributeValue::M(entries.into_iter().map(|(k, v)| (k.to_owned(), v)).collect()))
        .boxed()
}

/// Any valid attribute value, with lists and maps nested up to two levels.
fn value() -> BoxedStrategy<AttributeValue> {
    prop_oneof![4 => scalar(), 1 => set()]
        .prop_recursive(2, 12, 3, |inner| prop_oneof![list_of(inner.clone()), map_of(inner)])
        .boxed()
}

/// Values DynamoDB refuses: bad numbers, empty sets, duplicate set elements, numbers that are equal as
/// numbers in one set. (Each is a validation error.)
fn invalid_value() -> BoxedStrategy<AttributeValue> {
    prop_oneof![
        select(&BAD_NUMBERS[..]).prop_map(n),
        Just(AttributeValue::Ss(Vec::new())),
        Just(AttributeValue::Ns(Vec::new())),
        Just(ss(["a", "a"])),
        Just(ns(["1", "1.0"])),
        Just(ss([""])),
        Just(l([n("1"), n("1E126")])),
    ]
    .boxed()
}

/// Strings big enough that two of them exceed the 400 KB item limit, and one does not.
fn big_string() -> BoxedStrategy<AttributeValue> {
    select(vec![100_000usize, 210_000]).prop_map(|len| AttributeValue::S("x".repeat(len))).boxed()
}

/// The value of a top-level attribute of a generated item: mostly of the type its name suggests.
fn attribute(name: &str) -> BoxedStrategy<AttributeValue> {
    let typical = match name {
        "a" => scalar(),
        "n" => number().prop_map(AttributeValue::N).boxed(),
        "l" => list_of(value()),
        "m" => map_of(value()),
        "s" => set(),
        _ => value(),
    };
    prop_oneof![3 => typical, 1 => value()].boxed()
}

/// An item without its key attributes.
fn any_item() -> BoxedStrategy<RawItem> {
    let attributes: Vec<_> = ITEM_NAMES
        .iter()
        .map(|&name| proptest::option::weighted(0.6, attribute(name)).prop_map(move |v| v.map(|v| (name, v))))
        .collect();
    attributes.prop_map(|attributes| attributes.into_iter().flatten().map(|(k, v)| (k.to_owned(), v)).collect()).boxed()
}

/// What an operand's value placeholder is likely to be used for.
#[derive(Debug, Clone, Copy)]
enum Hint {
    Any,
    Number,
    List,
    /// ADD: a number or a set.
    Addable,
    /// DELETE: a set.
    Set,
}

/// A value for an expression placeholder, mostly of the type its use needs, sometimes anything, sometimes
/// invalid or huge.
fn placeholder_value(hint: Hint) -> BoxedStrategy<AttributeValue> {
    let typical = match hint {
        Hint::Any => value(),
        Hint::Number => number().prop_map(AttributeValue::N).boxed(),
        Hint::List => list_of(value()),
        Hint::Addable => prop_oneof![number().prop_map(AttributeValue::N), set()].boxed(),
        Hint::Set => set(),
    };
    prop_oneof![30 => typical, 4 => value(), 2 => invalid_value(), 1 => big_string()].boxed()
}

// Paths and operands.

fn name(pool: &'static [&'static str]) -> impl Strategy<Value = Name> {
    (select(pool), proptest::bool::weighted(0.4)).prop_map(|(name, alias)| Name { name, alias })
}

fn path() -> BoxedStrategy<Path> {
    let head = prop_oneof![40 => name(&ITEM_NAMES), 1 => name(&RARE_NAMES)];
    let step = prop_oneof![name(&MAP_KEYS).prop_map(Step::Field), select(&INDEXES[..]).prop_map(Step::Index)];
    let rest = prop_oneof![3 => Just(Vec::new()), 2 => vec(step.clone(), 1..2), 1 => vec(step, 2..4)];
    (head, rest).prop_map(|(head, rest)| Path { head, rest }).boxed()
}

/// A path or a value.
fn leaf(hint: Hint) -> BoxedStrategy<Operand> {
    prop_oneof![path().prop_map(Operand::Path), placeholder_value(hint).prop_map(Operand::Value)].boxed()
}

/// An operand of a SET action: a path, a value, or `if_not_exists` / `list_append` over them (nested once in
/// the common `list_append(if_not_exists(l, :empty), :v)`), rarely `size()`, which updates do not allow.
fn update_operand(hint: Hint) -> BoxedStrategy<Operand> {
    let list = || leaf(Hint::List);
    prop_oneof![
        30 => leaf(hint),
        6 => (path(), leaf(hint)).prop_map(|(p, o)| Operand::IfNotExists(p, Box::new(o))),
        6 => (list(), list()).prop_map(|(a, b)| Operand::ListAppend(Box::new(a), Box::new(b))),
        4 => (path(), list(), list()).prop_map(|(p, a, b)| {
            Operand::ListAppend(Box::new(Operand::IfNotExists(p, Box::new(a))), Box::new(b))
        }),
        1 => path().prop_map(Operand::Size),
    ]
    .boxed()
}

fn set_value() -> BoxedStrategy<SetValue> {
    let number = || update_operand(Hint::Number);
    prop_oneof![
        4 => update_operand(Hint::Any).prop_map(SetValue::Single),
        1 => (number(), number()).prop_map(|(a, b)| SetValue::Plus(a, b)),
        1 => (number(), number()).prop_map(|(a, b)| SetValue::Minus(a, b)),
    ]
    .boxed()
}

fn update() -> impl Strategy<Value = UpdateSpec> {
    let set = prop_oneof![3 => vec((path(), set_value()), 1..2), 1 => vec((path(), set_value()), 2..4)];
    let remove = vec(path(), 1..3);
    let add = vec((path(), placeholder_value(Hint::Addable)), 1..2);
    let delete = vec((path(), placeholder_value(Hint::Set)), 1..2);
    (
        proptest::option::weighted(0.75, set),
        proptest::option::weighted(0.3, remove),
        proptest::option::weighted(0.25, add),
        proptest::option::weighted(0.2, delete),
        Just(vec![0, 1, 2, 3]).prop_shuffle(),
    )
        .prop_map(|(set, remove, add, delete, order)| UpdateSpec { set, remove, add, delete, order })
}

/// An operand of a condition: a path, a value or `size(path)`.
fn condition_operand() -> BoxedStrategy<Operand> {
    prop_oneof![
        3 => path().prop_map(Operand::Path),
        3 => condition_value().prop_map(Operand::Value),
        1 => path().prop_map(Operand::Size),
    ]
    .boxed()
}

/// A value in a condition: mostly a string or a number, which compare and order; other types make some
/// comparisons and functions invalid.
fn condition_value() -> BoxedStrategy<AttributeValue> {
    prop_oneof![
        6 => string().prop_map(AttributeValue::S),
        6 => number().prop_map(AttributeValue::N),
        1 => bytes(&BYTES).prop_map(AttributeValue::B),
        1 => scalar(),
        2 => placeholder_value(Hint::Any),
    ]
    .boxed()
}

fn test() -> BoxedStrategy<Test> {
    let operand = condition_operand;
    let type_code = prop_oneof![
        10 => select(&TYPE_CODES[..]).prop_map(s),
        1 => Just(s("X")),
        1 => Just(n("1")),
    ];
    prop_oneof![
        6 => (operand(), select(&COMPARATORS[..]), operand()).prop_map(|(a, op, b)| Test::Compare(a, op, b)),
        2 => (operand(), operand(), operand()).prop_map(|(a, low, high)| Test::Between(a, low, high)),
        2 => (operand(), vec(operand(), 1..4)).prop_map(|(a, list)| Test::In(a, list)),
        3 => path().prop_map(Test::Exists),
        3 => path().prop_map(Test::NotExists),
        1 => (path(), type_code).prop_map(|(p, t)| Test::Type(p, t)),
        2 => (operand(), operand()).prop_map(|(a, b)| Test::BeginsWith(a, b)),
        2 => (operand(), operand()).prop_map(|(a, b)| Test::Contains(a, b)),
    ]
    .boxed()
}

/// Terms joined by AND and OR.
fn chain(term: BoxedStrategy<Term>) -> BoxedStrategy<Cond> {
    let joint = prop_oneof![Just(Joint::And), Just(Joint::Or)];
    (term.clone(), vec((joint, term), 0..3)).prop_map(|(first, rest)| Cond { first, rest }).boxed()
}

fn term(body: BoxedStrategy<Body>) -> BoxedStrategy<Term> {
    let nots = prop_oneof![8 => Just(0), 3 => Just(1), 1 => Just(2)];
    (nots, body).prop_map(|(nots, body)| Term { nots, body }).boxed()
}

/// A condition with parenthesized groups nested up to two levels (`((a))` is a redundant-parentheses error).
fn condition() -> BoxedStrategy<Cond> {
    let test = || test().prop_map(Body::Test).boxed();
    let group = |inner: BoxedStrategy<Cond>| inner.prop_map(|c| Body::Group(Box::new(c)));
    let innermost = chain(term(test()));
    let inner = chain(term(prop_oneof![4 => test(), 1 => group(innermost)].boxed()));
    chain(term(prop_oneof![4 => test(), 1 => group(inner)].boxed()))
}

// Rendering a spec into a case.

/// Collects the placeholders of the expressions it renders.
struct Renderer {
    names: HashMap<String, String>,
    values: RawItem,
    lower: bool,
}

impl Renderer {
    fn keyword(&self, keyword: &str) -> String {
        if self.lower { keyword.to_lowercase() } else { keyword.to_owned() }
    }

    fn name(&mut self, name: &Name) -> String {
        if !name.alias {
            return name.name.to_owned();
        }
        let placeholder = format!("#{}", name.name);
        self.names.insert(placeholder.clone(), name.name.to_owned());
        placeholder
    }

    fn value(&mut self, value: &AttributeValue) -> String {
        let placeholder = format!(":v{}", self.values.len());
        self.values.insert(placeholder.clone(), value.clone());
        placeholder
    }

    fn path(&mut self, path: &Path) -> String {
        let mut text = self.name(&path.head);
        for step in &path.rest {
            match step {
                Step::Field(name) => {
                    let name = self.name(name);
                    let _ = write!(text, ".{name}");
                }
                Step::Index(index) => {
                    let _ = write!(text, "[{index}]");
                }
            }
        }
        text
    }

    fn operand(&mut self, operand: &Operand) -> String {
        match operand {
            Operand::Path(path) => self.path(path),
            Operand::Value(value) => self.value(value),
            Operand::IfNotExists(path, fallback) => {
                let path = self.path(path);
                format!("if_not_exists({path}, {})", self.operand(fallback))
            }
            Operand::ListAppend(a, b) => {
                let a = self.operand(a);
                format!("list_append({a}, {})", self.operand(b))
            }
            Operand::Size(path) => format!("size({})", self.path(path)),
        }
    }

    fn set_value(&mut self, value: &SetValue) -> String {
        match value {
            SetValue::Single(operand) => self.operand(operand),
            SetValue::Plus(a, b) | SetValue::Minus(a, b) => {
                let sign = if matches!(value, SetValue::Plus(..)) { '+' } else { '-' };
                let a = self.operand(a);
                format!("{a} {sign} {}", self.operand(b))
            }
        }
    }

    /// `KEYWORD item, item, ...`
    fn clause<T>(&mut self, keyword: &str, items: &[T], render: fn(&mut Self, &T) -> String) -> String {
        let items: Vec<String> = items.iter().map(|item| render(self, item)).collect();
        format!("{} {}", self.keyword(keyword), items.join(", "))
    }

    fn update(&mut self, update: &UpdateSpec) -> Option<String> {
        let clauses: Vec<String> = update
            .order
            .iter()
            .filter_map(|&clause| match clause {
                0 => update.set.as_ref().map(|set| {
                    self.clause("SET", set, |r, (path, value)| {
                        let path = r.path(path);
                        format!("{path} = {}", r.set_value(value))
                    })
                }),
                1 => update.remove.as_ref().map(|remove| self.clause("REMOVE", remove, Self::path)),
                2 => update.add.as_ref().map(|add| self.clause("ADD", add, Self::path_and_value)),
                _ => update.delete.as_ref().map(|delete| self.clause("DELETE", delete, Self::path_and_value)),
            })
            .collect();
        (!clauses.is_empty()).then(|| clauses.join(" "))
    }

    fn path_and_value(&mut self, (path, value): &(Path, AttributeValue)) -> String {
        let path = self.path(path);
        format!("{path} {}", self.value(value))
    }

    fn condition(&mut self, condition: &Cond) -> String {
        let mut text = self.term(&condition.first);
        for (joint, term) in &condition.rest {
            let joint = self.keyword(match joint {
                Joint::And => "AND",
                Joint::Or => "OR",
            });
            let term = self.term(term);
            let _ = write!(text, " {joint} {term}");
        }
        text
    }

    fn term(&mut self, term: &Term) -> String {
        let nots = format!("{} ", self.keyword("NOT")).repeat(term.nots);
        let body = match &term.body {
            Body::Test(test) => self.test(test),
            Body::Group(condition) => format!("({})", self.condition(condition)),
        };
        nots + &body
    }

    fn test(&mut self, test: &Test) -> String {
        match test {
            Test::Compare(a, op, b) => {
                let a = self.operand(a);
                format!("{a} {op} {}", self.operand(b))
            }
            Test::Between(a, low, high) => {
                let (a, low) = (self.operand(a), self.operand(low));
                let (between, and) = (self.keyword("BETWEEN"), self.keyword("AND"));
                format!("{a} {between} {low} {and} {}", self.operand(high))
            }
            Test::In(a, list) => {
                let a = self.operand(a);
                let list: Vec<String> = list.iter().map(|o| self.operand(o)).collect();
                format!("{a} {} ({})", self.keyword("IN"), list.join(", "))
            }
            Test::Exists(path) => format!("attribute_exists({})", self.path(path)),
            Test::NotExists(path) => format!("attribute_not_exists({})", self.path(path)),
            Test::Type(path, code) => {
                let path = self.path(path);
                format!("attribute_type({path}, {})", self.value(code))
            }
            Test::BeginsWith(a, b) => {
                let a = self.operand(a);
                format!("begins_with({a}, {})", self.operand(b))
            }
            Test::Contains(a, b) => {
                let a = self.operand(a);
                format!("contains({a}, {})", self.operand(b))
            }
        }
    }
}

impl Spec {
    fn render(&self) -> Case {
        let mut r = Renderer { names: HashMap::new(), values: HashMap::new(), lower: self.lower };
        let action = match &self.action {
            ActionSpec::Put(item) => Act::Put(item.clone()),
            ActionSpec::Update(update) => Act::Update(r.update(update)),
            ActionSpec::Delete => Act::Delete,
        };
        let condition = self.condition.as_ref().map(|c| r.condition(c));
        let mut case = Case {
            keys: self.keys,
            initial: self.initial.clone(),
            action,
            condition,
            names: r.names,
            values: r.values,
            returning: self.returning_as_dynamodb_local_does(),
        };
        self.mutation.apply(&mut case);
        case
    }
}

impl Spec {
    /// The ReturnValues, with UPDATED_OLD and UPDATED_NEW replaced by ALL_OLD and ALL_NEW when the update
    /// writes a nested path (`m.x`, `l[1]`).
    ///
    /// For such paths DynamoDB gives back only the updated fragment (`SET m.x = :v` returns `{m: {x: v}}`, as the
    /// memory backend does), but DynamoDB Local gives back the whole top-level attribute (`{m: {x: v, y: ..}}`),
    /// so it cannot be the reference for these; the fragments are left to the memory backend's own tests.
    fn returning_as_dynamodb_local_does(&self) -> Returning {
        let ActionSpec::Update(update) = &self.action else { return self.returning };
        if !update.targets().any(|path| !path.rest.is_empty()) {
            return self.returning;
        }
        match self.returning {
            Returning::UpdatedOld => Returning::AllOld,
            Returning::UpdatedNew => Returning::AllNew,
            other => other,
        }
    }
}

impl UpdateSpec {
    /// The paths the update writes.
    fn targets(&self) -> impl Iterator<Item = &Path> {
        let set = self.set.iter().flatten().map(|(path, _)| path);
        let remove = self.remove.iter().flatten();
        let add_delete = self.add.iter().chain(&self.delete).flatten().map(|(path, _)| path);
        set.chain(remove).chain(add_delete)
    }
}

impl Mutation {
    fn apply(&self, case: &mut Case) {
        match self {
            Mutation::None => {}
            Mutation::DropName(index) => drop_entry(&mut case.names, *index),
            Mutation::DropValue(index) => drop_entry(&mut case.values, *index),
            Mutation::ExtraName => {
                case.names.insert("#unused".to_owned(), "a".to_owned());
            }
            Mutation::ExtraValue => {
                case.values.insert(":unused".to_owned(), n("1"));
            }
            Mutation::AppendRemove => {
                if let Act::Update(expression) = &mut case.action {
                    let previous = expression.take().map(|e| e + " ").unwrap_or_default();
                    *expression = Some(previous + "REMOVE zz");
                }
            }
            Mutation::Garble => match (&mut case.action, &mut case.condition) {
                (Act::Update(Some(expression)), _) => expression.push(','),
                (_, Some(condition)) => condition.push_str(" AND"),
                _ => {}
            },
            Mutation::ShoutFunctions => {
                if let Act::Update(Some(expression)) = &mut case.action {
                    shout_functions(expression);
                }
                if let Some(condition) = &mut case.condition {
                    shout_functions(condition);
                }
            }
        }
    }
}

/// Removes the `index`-th entry (in key order, modulo the length) of a placeholder map, if it has any.
fn drop_entry<V>(map: &mut HashMap<String, V>, index: usize) {
    let mut keys: Vec<String> = map.keys().cloned().collect();
    keys.sort();
    if !keys.is_empty() {
        map.remove(&keys[index % keys.len()]);
    }
}

/// `if_not_exists(` becomes `IF_NOT_EXISTS(`, and so on: function names are case-sensitive.
fn shout_functions(text: &mut String) {
    for function in ["if_not_exists(", "list_append(", "attribute_exists(", "begins_with("] {
        *text = text.replace(function, &function.to_uppercase());
    }
}
