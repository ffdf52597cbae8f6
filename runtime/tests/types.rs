//! The types real items hold, on both backends: enums, timestamps of every supported crate, TTL, exact decimals,
//! UUIDs and serde values. Each round-trips exactly, is stored in its documented form, decodes that form when
//! another writer stored it, and compares in conditions as the Rust values compare.
//!
//! Needs every type feature: `cargo test -p dynatomic --all-features` (run by `scripts/test.sh`).

mod common;

use std::collections::HashSet;
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use bigdecimal::BigDecimal;
use chrono::{DateTime, Utc};
use common::{Backend, Fixture, RawItem};
use dynatomic::{AttributeValue, Error, Item, Value, ValueError, condition, update};
use proptest::strategy::{Strategy, ValueTree};
use proptest::test_runner::{Config, TestRunner};
use rust_decimal::Decimal;
use uuid::Uuid;

on_both_backends!(
    every_type_round_trips_in_its_documented_form,
    forms_written_by_other_clients_decode,
    an_unknown_variant_names_the_attribute_and_the_string,
    conditions_compare_as_rust_compares,
    decimal_arithmetic_is_exact,
    values_outside_dynamodb_are_refused_before_sending,
    create_table_enables_ttl_and_expiry_is_a_condition,
    serde_fields_are_set_compared_and_removed,
);

#[derive(Value, Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[dynatomic(rename_all = "SCREAMING_SNAKE_CASE")]
enum Status {
    Pending,
    PaymentDue,
    #[dynatomic(rename = "done")]
    Shipped,
}

const STATUSES: [Status; 3] = [Status::Pending, Status::PaymentDue, Status::Shipped];

#[derive(serde::Serialize, serde::Deserialize, Debug, Clone, PartialEq)]
struct Prefs {
    theme: String,
    volume: u8,
}

#[derive(serde::Serialize, serde::Deserialize, Debug, Clone, PartialEq)]
enum Shape {
    Circle { radius: f64 },
    Square(u32),
}

/// An item with one field of every type.
#[derive(Item, Debug, Clone, PartialEq)]
#[dynatomic(rename_all = "camelCase")]
struct Record {
    #[dynatomic(partition_key)]
    id: Uuid,
    status: Status,
    past: HashSet<Status>,
    created_at: SystemTime,
    chrono_at: DateTime<Utc>,
    time_at: time::OffsetDateTime,
    jiff_at: jiff::Timestamp,
    #[dynatomic(ttl)]
    expires_at: Option<SystemTime>,
    balance: Decimal,
    big: BigDecimal,
    friends: HashSet<Uuid>,
    parent: Uuid,
    #[dynatomic(serde)]
    prefs: Prefs,
    #[dynatomic(serde)]
    shape: Option<Shape>,
    touched: u32,
}

/// A time given as seconds and nanoseconds since 1970, in every supported type.
#[derive(Debug, Clone, Copy)]
struct Moment(i64, u32);

impl Moment {
    fn system(self) -> SystemTime {
        let whole = Duration::from_secs(self.0.unsigned_abs());
        let at = if self.0 >= 0 { UNIX_EPOCH + whole } else { UNIX_EPOCH - whole };
        at + Duration::from_nanos(u64::from(self.1))
    }
    fn chrono(self) -> DateTime<Utc> {
        DateTime::from_timestamp(self.0, self.1).expect("in range")
    }
    fn time(self) -> time::OffsetDateTime {
        time::OffsetDateTime::from_unix_timestamp_nanos(i128::from(self.0) * 1_000_000_000 + i128::from(self.1))
            .expect("in range")
    }
    fn jiff(self) -> jiff::Timestamp {
        jiff::Timestamp::new(self.0, self.1 as i32).expect("in range")
    }
}

/// 0000-01-01T00:00:00Z, the first second stored, and the second after 9999-12-31T23:59:59Z, the last.
const FIRST: i64 = -62_167_219_200;
const AFTER_LAST: i64 = 253_402_300_800;
/// 9999-12-30T22:00:00Z, the last second `jiff::Timestamp` holds.
const LAST_JIFF: i64 = 253_402_207_200;

/// Times the four crates all hold.
fn moments() -> impl Strategy<Value = Moment> {
    (FIRST..=LAST_JIFF, 0..1_000_000_000_u32).prop_map(|(secs, nanos)| Moment(secs, nanos))
}

/// Pairs of times at most two seconds apart: the fixed-width fraction is what orders them.
fn near_moments() -> impl Strategy<Value = (Moment, Moment)> {
    (0..=LAST_JIFF - 2, 0..1_000_000_000_u32, -2_000_000_000_i64..2_000_000_000).prop_map(|(secs, nanos, delta)| {
        let total = i128::from(secs) * 1_000_000_000 + i128::from(nanos) + i128::from(delta);
        let at = |t: i128| Moment(t.div_euclid(1_000_000_000) as i64, t.rem_euclid(1_000_000_000) as u32);
        (at(i128::from(secs) * 1_000_000_000 + i128::from(nanos)), at(total))
    })
}

/// Decimals of every scale `rust_decimal` holds.
fn decimals() -> impl Strategy<Value = Decimal> {
    (-(1_i128 << 95)..(1_i128 << 95), 0..=28_u32).prop_map(|(m, scale)| Decimal::from_i128_with_scale(m, scale))
}

/// Decimals of up to 38 digits across DynamoDB's range.
fn big_decimals() -> impl Strategy<Value = BigDecimal> {
    (-(10_i128.pow(38) - 1)..10_i128.pow(38), -88_i64..=125).prop_map(|(m, scale)| BigDecimal::new(m.into(), scale))
}

/// `count` values of `strategy`, the same ones on every run.
fn samples<S: Strategy>(strategy: S, count: usize) -> Vec<S::Value> {
    let mut runner = TestRunner::new_with_rng(
        Config::default(),
        proptest::test_runner::TestRng::deterministic_rng(proptest::test_runner::RngAlgorithm::ChaCha),
    );
    (0..count).map(|_| strategy.new_tree(&mut runner).expect("a value").current()).collect()
}

fn record(id: Uuid, at: Moment, balance: Decimal, big: BigDecimal, status: Status) -> Record {
    Record {
        id,
        status,
        past: STATUSES.into_iter().filter(|s| *s != status).collect(),
        created_at: at.system(),
        chrono_at: at.chrono(),
        time_at: at.time(),
        jiff_at: at.jiff(),
        expires_at: Some(at.system()),
        balance,
        big,
        friends: [Uuid::from_u128(7), Uuid::from_u128(u128::MAX)].into(),
        parent: Uuid::from_u128(7),
        prefs: Prefs { theme: "dark".into(), volume: 7 },
        shape: Some(Shape::Circle { radius: 1.5 }),
        touched: 0,
    }
}

fn plain(at: Moment) -> Record {
    record(Uuid::from_u128(1), at, Decimal::ONE, BigDecimal::from(1), Status::Pending)
}

fn big(text: &str) -> BigDecimal {
    text.parse().expect("a decimal")
}

fn s(text: &str) -> AttributeValue {
    AttributeValue::S(text.to_owned())
}

fn n(text: &str) -> AttributeValue {
    AttributeValue::N(text.to_owned())
}

async fn every_type_round_trips_in_its_documented_form(backend: Backend) {
    let fx = Fixture::<Record>::new(backend, "types_round_trip").await;
    let edges = [
        (Moment(FIRST, 0), Decimal::MAX, big("99e124")),
        (Moment(LAST_JIFF, 999_999_999), Decimal::MIN, big("-9.9999999999999999999999999999999999999e125")),
        (Moment(951_825_600, 1), Decimal::new(1, 28), big("1e-130")),
        (Moment(1_709_208_000, 0), Decimal::new(-1, 28), big("-1e-130")),
        (Moment(-1, 999_999_999), Decimal::ZERO, BigDecimal::from(0)),
    ];
    let random = samples((moments(), decimals(), big_decimals()), 40);
    for (i, (at, balance, big)) in edges.into_iter().chain(random).enumerate() {
        let mut item = record(Uuid::from_u128(i as u128 + 1), at, balance, big, STATUSES[i % 3]);
        if i % 4 == 3 {
            item.expires_at = None;
        }
        fx.table.put(&item).await.unwrap_or_else(|e| panic!("put {item:?}: {e:?}"));
        let read = fx.stored(item.item_key()).await;
        // The TTL is stored as the second the time is in.
        let expected = Record { expires_at: item.expires_at.map(|_| Moment(at.0, 0).system()), ..item };
        assert_eq!(read, expected, "every field reads back as written");
    }

    // The stored form of the 2024 leap day at noon, as the README documents it.
    let leap = record(
        Uuid::from_u128(0xabc),
        Moment(1_709_208_000, 5_000),
        Decimal::new(1050, 2),
        BigDecimal::from(3),
        Status::PaymentDue,
    );
    fx.table.put(&leap).await.expect("put");
    let stored = fx.raw(leap.item_key()).await;
    assert_eq!(stored["id"], s("00000000-0000-0000-0000-000000000abc"));
    assert_eq!(stored["status"], s("PAYMENT_DUE"));
    for attribute in ["createdAt", "chronoAt", "timeAt", "jiffAt"] {
        assert_eq!(stored[attribute], s("2024-02-29T12:00:00.000005000Z"), "{attribute}");
    }
    assert_eq!(stored["expiresAt"], n("1709208000"));
    assert_eq!(stored["balance"], n("10.5"), "DynamoDB keeps the number, not the scale");
    let AttributeValue::Ss(past) = &stored["past"] else { panic!("a string set: {:?}", stored["past"]) };
    assert_eq!(past.iter().map(String::as_str).collect::<HashSet<_>>(), HashSet::from(["PENDING", "done"]));
    assert!(matches!(&stored["prefs"], AttributeValue::M(m) if m["volume"] == n("7")), "{:?}", stored["prefs"]);
}

async fn forms_written_by_other_clients_decode(backend: Backend) {
    let fx = Fixture::<Record>::new(backend, "types_other_clients").await;
    let id = Uuid::from_u128(42);
    // As boto3 or the AWS SDK would write them: RFC 3339 without a fraction or with an offset, uppercase UUIDs,
    // epoch seconds with a fraction, numbers in exponent form.
    let item: RawItem = [
        ("id", s("00000000-0000-0000-0000-00000000002a")),
        ("friends", AttributeValue::Ss(vec!["00000000-0000-0000-0000-00000000002A".into()])),
        ("parent", s("{00000000-0000-0000-0000-00000000002a}")),
        ("status", s("done")),
        ("createdAt", s("2024-02-29T12:00:00Z")),
        ("chronoAt", s("2024-02-29T13:00:00+01:00")),
        ("timeAt", s("2024-02-29T12:00:00.5Z")),
        ("jiffAt", s("2024-02-29T12:00:00.000000000Z")),
        // In the future (2100): DynamoDB Local's TTL sweeper deletes items whose TTL attribute has passed.
        ("expiresAt", n("4102444800.25")),
        ("balance", n("1.05E+1")),
        ("big", n("-2.5E-100")),
        ("prefs", AttributeValue::M([("theme".into(), s("light")), ("volume".into(), n("3"))].into())),
        ("touched", n("0")),
    ]
    .into_iter()
    .map(|(k, v)| (k.to_owned(), v))
    .collect();
    fx.put_raw(item).await;
    let read = fx.stored(Record::key(id)).await;
    let noon = Moment(1_709_208_000, 0);
    assert_eq!(read.id, id);
    assert_eq!((read.friends, read.parent), (HashSet::from([id]), id), "uppercase and braced UUIDs read");
    assert_eq!(read.status, Status::Shipped);
    assert!(read.past.is_empty(), "a missing set reads as empty");
    assert_eq!(read.created_at, noon.system());
    assert_eq!(read.chrono_at, noon.chrono());
    assert_eq!(read.time_at, Moment(1_709_208_000, 500_000_000).time());
    assert_eq!(read.jiff_at, noon.jiff());
    assert_eq!(read.expires_at, Some(Moment(4_102_444_800, 250_000_000).system()));
    assert_eq!(read.balance, Decimal::new(105, 1));
    assert_eq!(read.big, big("-2.5e-100"));
    assert_eq!(read.prefs, Prefs { theme: "light".into(), volume: 3 });
    assert_eq!(read.shape, None, "a missing serde Option reads as None");
}

async fn an_unknown_variant_names_the_attribute_and_the_string(backend: Backend) {
    let fx = Fixture::<Record>::new(backend, "types_unknown_variant").await;
    let item = plain(Moment(0, 0));
    fx.table.put(&item).await.expect("put");
    let mut stored = fx.raw(item.item_key()).await;
    stored.insert("status".into(), s("pendng"));
    fx.put_raw(stored).await;
    let Err(Error::Decode(error)) = fx.table.get(item.item_key()).await else { panic!("a decode error") };
    assert_eq!(error.path, "status");
    assert_eq!(
        error.to_string(),
        "cannot read attribute `status` as types::Status: \"pendng\" is no variant of it (the variants are stored as \"PENDING\", \"PAYMENT_DUE\", \"done\")"
    );
}

/// Whether the condition holds on the stored item: an update guarded by it is applied or refused.
async fn holds(fx: &Fixture<Record>, op: dynatomic::Update<Record>) -> bool {
    match fx.table.update(Record::key(Uuid::from_u128(1)), op).await {
        Ok(_) => true,
        Err(Error::ConditionFailed { .. }) => false,
        Err(other) => panic!("{other:?}"),
    }
}

async fn conditions_compare_as_rust_compares(backend: Backend) {
    let fx = Fixture::<Record>::new(backend, "types_order").await;
    let fixed = [(Moment(7, 5), Moment(7, 10)), (Moment(7, 999_999_999), Moment(8, 0)), (Moment(-1, 1), Moment(0, 0))];
    for (a, b) in fixed.into_iter().chain(samples((moments(), moments()), 12)).chain(samples(near_moments(), 12)) {
        fx.table.put(&plain(a)).await.expect("put");
        let expected = (a.0, a.1) < (b.0, b.1);
        let (system, chrono, time, jiff) = (b.system(), b.chrono(), b.time(), b.jiff());
        assert_eq!(
            holds(&fx, update!(Record: touched += 1; where created_at < system)).await,
            expected,
            "{a:?} < {b:?}"
        );
        assert_eq!(holds(&fx, update!(Record: touched += 1; where chrono_at < chrono)).await, expected);
        assert_eq!(holds(&fx, update!(Record: touched += 1; where time_at < time)).await, expected);
        assert_eq!(holds(&fx, update!(Record: touched += 1; where jiff_at < jiff)).await, expected);
        let (low, high) = if expected { (a.chrono(), b.chrono()) } else { (b.chrono(), a.chrono()) };
        assert!(holds(&fx, update!(Record: touched += 1; where chrono_at.between(low, high))).await);
    }
    for (a, b) in samples((decimals(), decimals()), 12) {
        let mut item = plain(Moment(0, 0));
        item.balance = a;
        fx.table.put(&item).await.expect("put");
        assert_eq!(holds(&fx, update!(Record: touched += 1; where balance < b)).await, a < b, "{a} < {b}");
        assert!(holds(&fx, update!(Record: touched += 1; where balance == a)).await, "{a} == {a}");
    }
    for (a, b) in samples((big_decimals(), big_decimals()), 12) {
        let mut item = plain(Moment(0, 0));
        item.big = a.clone();
        fx.table.put(&item).await.expect("put");
        let bound = b.clone();
        assert_eq!(holds(&fx, update!(Record: touched += 1; where big >= bound)).await, a >= b, "{a} >= {b}");
    }
    for (a, b) in samples((0..u128::MAX, 0..u128::MAX), 12) {
        let (a, b) = (Uuid::from_u128(a), Uuid::from_u128(b));
        let mut item = plain(Moment(0, 0));
        (item.friends, item.parent) = ([a].into(), a);
        fx.table.put(&item).await.expect("put");
        assert_eq!(holds(&fx, update!(Record: touched += 1; where friends.contains(b))).await, a == b);
        assert!(holds(&fx, update!(Record: touched += 1; where friends.contains(a))).await);
        assert_eq!(holds(&fx, update!(Record: touched += 1; where parent < b)).await, a < b, "{a} < {b}");
    }
    fx.table.put(&plain(Moment(0, 0))).await.expect("put");
    assert!(holds(&fx, update!(Record: status = Status::Shipped; where status == Status::Pending)).await);
    assert!(
        !holds(&fx, update!(Record: touched += 1; where status.is_in([Status::Pending, Status::PaymentDue]))).await
    );
    assert!(
        holds(&fx, update!(Record: touched += 1; where status != Status::Pending && past.contains(Status::PaymentDue)))
            .await
    );
    let read = fx.stored(Record::key(Uuid::from_u128(1))).await;
    assert_eq!((read.status, read.touched), (Status::Shipped, 1));
}

async fn decimal_arithmetic_is_exact(backend: Backend) {
    let fx = Fixture::<Record>::new(backend, "types_money").await;
    let mut item = plain(Moment(0, 0));
    item.balance = Decimal::new(10, 2); // 0.10
    fx.table.put(&item).await.expect("put");
    let key = || Record::key(Uuid::from_u128(1));
    let cents = Decimal::new(20, 2);
    fx.table.update(key(), update!(Record: balance += cents)).await.expect("0.10 + 0.20");
    assert_eq!(fx.stored(key()).await.balance, Decimal::new(30, 2), "0.30 exactly, as f64 cannot");

    let amount = Decimal::new(25, 2);
    fx.table.update(key(), update!(Record: balance -= amount; where balance >= amount)).await.expect("0.30 - 0.25");
    let refused = fx.table.update(key(), update!(Record: balance -= amount; where balance >= amount)).await;
    let Err(Error::ConditionFailed { explanation: Some(explanation), .. }) = refused else { panic!("{refused:?}") };
    assert_eq!(explanation.to_string(), "balance >= amount (balance = 0.05, amount = 0.25)");
    assert_eq!(fx.stored(key()).await.balance, Decimal::new(5, 2));

    let tiny: BigDecimal = big(&format!("0.{}1", "0".repeat(36)));
    let op = update!(Record: big = tiny.clone(), balance = Decimal::ZERO);
    fx.table.update(key(), op).await.expect("37 digits");
    let one = BigDecimal::from(1);
    fx.table.update(key(), update!(Record: big += one)).await.expect("1 + 1e-37: 38 digits");
    assert_eq!(fx.stored(key()).await.big, BigDecimal::from(1) + tiny);
}

async fn values_outside_dynamodb_are_refused_before_sending(backend: Backend) {
    let fx = Fixture::<Record>::new(backend, "types_refused").await;
    let mut item = plain(Moment(0, 0));
    item.big = big("1e126");
    let Err(Error::InvalidValue(ValueError::At { path, source })) = fx.table.put(&item).await else {
        panic!("refused")
    };
    assert_eq!(path, "big");
    assert!(matches!(*source, ValueError::OutOfRange(_)), "{source:?}");

    let mut item = plain(Moment(0, 0));
    item.chrono_at = DateTime::from_timestamp(AFTER_LAST, 0).expect("year 10000");
    let Err(Error::InvalidValue(ValueError::At { path, source })) = fx.table.put(&item).await else {
        panic!("refused")
    };
    assert_eq!(path, "chronoAt");
    assert!(matches!(*source, ValueError::TimeOutOfRange(_)), "{source:?}");

    let precise: BigDecimal = big(&format!("1.{}", "1".repeat(38)));
    let refused = fx.table.update(Record::key(Uuid::from_u128(1)), update!(Record: big = precise)).await;
    assert!(matches!(refused, Err(Error::InvalidValue(ValueError::At { .. }))), "{refused:?}");
    assert!(fx.try_raw(Record::key(Uuid::from_u128(1))).await.is_none(), "nothing was written");
}

/// A session that DynamoDB's TTL expires.
#[derive(Item, Debug, Clone, PartialEq)]
struct Session {
    #[dynatomic(partition_key)]
    id: Uuid,
    user: String,
    #[dynatomic(ttl)]
    expires_at: DateTime<Utc>,
}

/// The same table, with TTL on another attribute.
#[derive(Item, Debug, Clone, PartialEq)]
struct RenamedSession {
    #[dynatomic(partition_key)]
    id: Uuid,
    #[dynatomic(ttl)]
    ends_at: DateTime<Utc>,
}

async fn create_table_enables_ttl_and_expiry_is_a_condition(backend: Backend) {
    let fx = Fixture::<Session>::new(backend, "types_ttl").await;
    assert_eq!(fx.table.time_to_live().await.expect("describe").as_deref(), Some("expires_at"));
    fx.table.create_table().await.expect("creating it again leaves it as it is");
    assert_eq!(fx.table.time_to_live().await.expect("describe").as_deref(), Some("expires_at"));
    let renamed = fx.db.table_named::<RenamedSession>(fx.table.name());
    let refused = renamed.create_table().await;
    let Err(Error::Service(error)) = refused else { panic!("TTL on another attribute: {refused:?}") };
    assert_eq!(error.message(), "TimeToLive is active on a different AttributeName");
    assert_eq!(
        Fixture::<Record>::new(backend, "types_ttl_opt").await.table.time_to_live().await.expect("describe").as_deref(),
        Some("expiresAt")
    );

    // The sessions' clock runs an hour ahead of the real one: the "expired" session has not really expired, so
    // DynamoDB Local's TTL sweeper, which deletes items that have, cannot delete it before the update runs.
    let now = Utc::now() + chrono::Duration::hours(1);
    let expired =
        Session { id: Uuid::from_u128(1), user: "ann".into(), expires_at: now - chrono::Duration::seconds(5) };
    let live = Session { id: Uuid::from_u128(2), user: "bob".into(), expires_at: now + chrono::Duration::hours(1) };
    for session in [&expired, &live] {
        fx.table.put(session).await.expect("put");
    }
    assert_eq!(fx.raw(live.item_key()).await["expires_at"], n(&live.expires_at.timestamp().to_string()));
    // DynamoDB deletes expired items lazily (within days), so a read must check the time itself.
    let renew = |id| fx.table.update(Session::key(id), update!(Session: user = "renewed"; where expires_at > now));
    assert!(matches!(renew(expired.id).await, Err(Error::ConditionFailed { .. })), "an expired session is refused");
    renew(live.id).await.expect("a live session");
    let read = fx.stored(live.item_key()).await;
    assert_eq!(read.expires_at.timestamp(), live.expires_at.timestamp(), "stored to the second");
    assert_eq!(read.user, "renewed");
}

async fn serde_fields_are_set_compared_and_removed(backend: Backend) {
    let fx = Fixture::<Record>::new(backend, "types_serde").await;
    fx.table.put(&plain(Moment(0, 0))).await.expect("put");
    let key = || Record::key(Uuid::from_u128(1));
    let quiet = Prefs { theme: "dark".into(), volume: 0 };
    let square = Shape::Square(4);
    let op =
        update!(Record: prefs = quiet.clone(), shape = square.clone(); where shape == Shape::Circle { radius: 1.5 });
    fx.table.update(key(), op).await.expect("set");
    let read = fx.stored(key()).await;
    assert_eq!((read.prefs, read.shape), (quiet.clone(), Some(square.clone())));
    fx.table
        .update(key(), update!(Record: shape.remove(); where prefs == quiet && shape.exists()))
        .await
        .expect("remove");
    assert_eq!(fx.stored(key()).await.shape, None);
    let absent = condition!(Record: shape.exists());
    assert!(matches!(fx.table.delete(key()).when(absent).await, Err(Error::ConditionFailed { .. })));
}
