//! A tour of dynatomic: atomic counters under contention, guarded writes that refuse to overdraw or
//! oversell, list and set updates, defaults, and a failed condition that shows the stored item; at the end, a
//! summary of every request from dynatomic's metrics (count, latency, capacity units).
//!
//! `cargo run --example tour` runs it on the embedded in-memory backend (no server needed); with
//! `DYNAMODB_ENDPOINT` set it runs the same steps against that DynamoDB (for example DynamoDB Local).
//! It exits with an error when an outcome is not the expected one.

use std::collections::{BTreeMap, HashSet};

use dynatomic::returning::AllNew;
use dynatomic::{Db, Error, Item, condition, update, upsert};
use metrics_util::debugging::{DebugValue, DebuggingRecorder, Snapshotter};
use rust_decimal::Decimal;
/// What the example fails with: any error, printed, and the process exits with status 1.
type Failure = Box<dyn std::error::Error>;

#[derive(Item, Debug)]
#[dynatomic(table = "tour_pages")]
struct Page {
    #[dynatomic(partition_key)]
    path: String,
    hits: u64,
}

#[derive(Item, Debug)]
#[dynatomic(table = "tour_accounts")]
struct Account {
    #[dynatomic(partition_key)]
    id: String,
    /// Money: an exact decimal, stored as a DynamoDB number without passing through `f64`.
    balance: Decimal,
}

#[derive(Item, Debug, Clone, PartialEq)]
#[dynatomic(table = "tour_products")]
struct Product {
    #[dynatomic(partition_key)]
    sku: String,
    stock: i64,
    reserved: i64,
    tags: Vec<String>,
    labels: HashSet<String>,
    #[dynatomic(rename = "ver")]
    version: Option<u64>,
}

#[tokio::main]
async fn main() -> Result<(), Failure> {
    // Any `metrics` recorder sees dynatomic's metrics; this one keeps every value, for the summary.
    let recorder = DebuggingRecorder::new();
    let snapshotter = recorder.snapshotter();
    recorder.install().map_err(|e| format!("cannot install the recorder: {e}"))?;
    let db = dynatomic_examples::db_from_env().await.with_consumed_capacity();
    counter(&db).await?;
    transfer(&db).await?;
    inventory(&db).await?;
    let summary = summarize(&snapshotter);
    println!("\n4. every request, from the metrics:\n{summary}");
    let upserts = summary.row("tour_pages", "UpdateItem");
    expect(upserts.is_some_and(|row| row.ok == 800 && row.write_units == 800.0), "800 upserts of one unit each")?;
    println!("\nall outcomes as expected");
    Ok(())
}

/// The requests of one operation on one table: how many, how many succeeded, their latencies and units.
#[derive(Default)]
struct Row {
    count: u64,
    ok: u64,
    seconds: Vec<f64>,
    read_units: f64,
    write_units: f64,
}

/// The rows by table and operation.
struct Summary(BTreeMap<(String, String), Row>);

impl Summary {
    fn row(&self, table: &str, operation: &str) -> Option<&Row> {
        self.0.get(&(table.to_owned(), operation.to_owned()))
    }
}

/// Everything dynatomic recorded, by table and operation.
fn summarize(snapshotter: &Snapshotter) -> Summary {
    let mut rows: BTreeMap<(String, String), Row> = BTreeMap::new();
    for (key, _, _, value) in snapshotter.snapshot().into_vec() {
        let key = key.key();
        let label =
            |name: &str| key.labels().find(|l| l.key() == name).map(|l| l.value().to_owned()).unwrap_or_default();
        let row = rows.entry((label("table"), label("operation"))).or_default();
        let values = || match &value {
            DebugValue::Histogram(values) => values.iter().map(|v| v.into_inner()).collect(),
            _ => Vec::new(),
        };
        match (key.name(), &value) {
            ("dynatomic_operations_total", DebugValue::Counter(n)) => {
                row.count += n;
                if label("outcome") == "ok" {
                    row.ok += n;
                }
            }
            ("dynatomic_operation_duration_seconds", _) => row.seconds.extend(values()),
            ("dynatomic_consumed_read_units", _) => row.read_units += values().iter().sum::<f64>(),
            ("dynatomic_consumed_write_units", _) => row.write_units += values().iter().sum::<f64>(),
            _ => {}
        }
    }
    rows.retain(|_, row| row.count > 0);
    Summary(rows)
}

impl std::fmt::Display for Summary {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        writeln!(
            f,
            "   {:<14} {:<19} {:>5} {:>5} {:>9} {:>9} {:>6} {:>6}",
            "table", "operation", "count", "ok", "p50 ms", "p99 ms", "RCU", "WCU"
        )?;
        for ((table, operation), row) in &self.0 {
            let mut seconds = row.seconds.clone();
            seconds.sort_by(f64::total_cmp);
            let quantile =
                |q: f64| seconds.get(((seconds.len() as f64 - 1.0) * q).round() as usize).map_or(0.0, |s| s * 1000.0);
            writeln!(
                f,
                "   {table:<14} {operation:<19} {:>5} {:>5} {:>9.3} {:>9.3} {:>6} {:>6}",
                row.count,
                row.ok,
                quantile(0.5),
                quantile(0.99),
                row.read_units,
                row.write_units
            )?;
        }
        Ok(())
    }
}

/// 16 tasks hammer one counter that does not exist yet; `upsert!` creates it, and no increment is lost.
async fn counter(db: &Db) -> Result<(), Failure> {
    let pages = db.table::<Page>();
    pages.create_table().await?;
    // A fresh start, also when the table is left from an earlier run.
    pages.delete(Page::key("/home")).await?;
    let (tasks, per_task) = (16, 50);
    let workers: Vec<_> = (0..tasks)
        .map(|_| {
            let pages = pages.clone();
            tokio::spawn(async move {
                for _ in 0..per_task {
                    pages.upsert(Page::key("/home"), upsert!(Page: hits += 1)).await?;
                }
                Ok::<_, Error<Page>>(())
            })
        })
        .collect();
    for worker in workers {
        worker.await.map_err(|e| format!("a worker failed: {e}"))??;
    }
    let home = pages.get(Page::key("/home")).await?.ok_or("the page was not created")?;
    println!("\n1. counter: {tasks} tasks x {per_task} `hits += 1` upserted on a missing item -> hits = {}", home.hits);
    expect(home.hits == tasks * per_task, "every increment should count")?;
    // `update!` changes existing items only: on a missing page it writes nothing.
    let missing = pages.update(Page::key("/nowhere"), update!(Page: hits += 1)).await;
    println!("   `hits += 1` updated on a missing page: {}", describe(&missing));
    expect(matches!(missing, Err(Error::NotFound { .. })), "an update of a missing page should find nothing")?;
    expect(pages.get(Page::key("/nowhere")).await?.is_none(), "the update should create nothing")?;
    Ok(())
}

/// A debit guarded by the balance: the second one would overdraw and is refused.
async fn transfer(db: &Db) -> Result<(), Failure> {
    let accounts = db.table::<Account>();
    accounts.create_table().await?;
    accounts.put(&Account { id: "alice".into(), balance: Decimal::new(10000, 2) }).await?;
    println!("\n2. guarded debit: alice has 100.00");
    // The first debit leaves 29.90; the second would overdraw and finds 29.90.
    let (amount, left) = (Decimal::new(7010, 2), Decimal::new(2990, 2));
    for done in [true, false] {
        let debit = update!(Account: balance -= amount; where balance >= amount);
        match accounts.update(Account::key("alice"), debit).returning(AllNew).await {
            Ok(alice) => {
                println!("   debit {amount}: done, balance {:.2}", alice.balance);
                expect(done && alice.balance == left, "the first debit should leave exactly 29.90")?;
            }
            Err(Error::ConditionFailed { stored, .. }) => {
                let balance = stored.as_ref().and_then(|s| s.item()).map(|a| a.balance);
                println!("   debit {amount}: refused, insufficient funds (stored balance {balance:?})");
                expect(!done && balance == Some(left), "the second debit should be refused with 29.90 left")?;
            }
            Err(other) => return Err(other.into()),
        }
    }
    let alice = accounts.get(Account::key("alice")).await?.ok_or("alice is missing")?;
    expect(alice.balance == left, "alice should have 29.90 left")?;
    Ok(())
}

/// Reservations, list and set updates, a default, and a failed condition with the stored item.
async fn inventory(db: &Db) -> Result<(), Failure> {
    let products = db.table::<Product>();
    products.create_table().await?;
    let lamp = Product {
        sku: "lamp".into(),
        stock: 5,
        reserved: 0,
        tags: vec!["home".into()],
        labels: HashSet::new(),
        version: None,
    };
    // A fresh start, also when the table is left from an earlier run.
    products.delete(Product::key("lamp")).await?;
    products.create(&lamp).await?;
    println!("\n3. inventory: lamp created with stock 5");
    let again = products.create(&lamp).await.map(|()| None);
    show("create again", &again, Outcome::Refused(&lamp))?;

    let qty = 3;
    let reserve = update!(Product: stock -= qty, reserved += qty; where stock >= qty);
    println!(
        "   reserve {qty}: {}  where {}",
        reserve.update_expression(),
        reserve.condition_expression().unwrap_or("")
    );
    let reserved = Product { stock: 2, reserved: 3, ..lamp.clone() };
    let result = products.update(Product::key("lamp"), reserve).returning(AllNew).await.map(Some);
    show("reserve 3", &result, Outcome::Done(&reserved))?;
    let reserve = update!(Product: stock -= qty, reserved += qty; where stock >= qty);
    let result = products.update(Product::key("lamp"), reserve).returning(AllNew).await.map(Some);
    show("reserve 3 more", &result, Outcome::Refused(&reserved))?;

    let lists = update!(Product: tags.append(["sale"]), labels.insert(["eco", "led"]));
    println!("   lists and sets: {}", lists.update_expression());
    let listed = Product {
        tags: vec!["home".into(), "sale".into()],
        labels: ["eco".to_owned(), "led".to_owned()].into(),
        ..reserved.clone()
    };
    let result = products.update(Product::key("lamp"), lists).returning(AllNew).await.map(Some);
    show("append a tag, insert labels", &result, Outcome::Done(&listed))?;
    let default = update!(Product: version.if_not_exists(1_u64), tags.prepend(["new"]), labels.delete(["led"]));
    let defaulted = Product {
        tags: vec!["new".into(), "home".into(), "sale".into()],
        labels: ["eco".to_owned()].into(),
        version: Some(1),
        ..listed
    };
    let result = products.update(Product::key("lamp"), default).returning(AllNew).await.map(Some);
    show("default version, prepend a tag, delete a label", &result, Outcome::Done(&defaulted))?;
    let discontinue = condition!(Product: stock == 0 && !labels.contains("eco"));
    println!("   delete only if sold out and not eco: {}", discontinue.expression());
    let result = products.delete(Product::key("lamp")).when(discontinue).await;
    show("conditional delete", &result, Outcome::Refused(&defaulted))?;
    let stored = products.get(Product::key("lamp")).await?;
    expect(stored.as_ref() == Some(&defaulted), "the lamp should still be stored as last updated")?;
    Ok(())
}

/// What a step should do: write and leave the item so, or be refused while the item is stored so.
enum Outcome<'a> {
    Done(&'a Product),
    Refused(&'a Product),
}

/// Prints what a step did (the item afterwards, or the stored item a failed condition carries), and checks it
/// is what it should be.
fn show(step: &str, result: &Result<Option<Product>, Error<Product>>, expected: Outcome<'_>) -> Result<(), Failure> {
    let as_expected = match (result, expected) {
        (Ok(Some(p)), Outcome::Done(expected)) => {
            println!(
                "   {step}: ok -> stock {}, reserved {}, tags {:?}, labels {:?}, version {:?}",
                p.stock,
                p.reserved,
                p.tags,
                sorted(&p.labels),
                p.version
            );
            p == expected
        }
        (Err(Error::ConditionFailed { stored: Some(stored), .. }), Outcome::Refused(expected)) => {
            let p = stored.item().ok_or("the stored item does not fit `Product`")?;
            println!(
                "   {step}: refused, the condition was false; stored item: stock {}, reserved {}, labels {:?}",
                p.stock,
                p.reserved,
                sorted(&p.labels)
            );
            p == expected
        }
        (other, _) => {
            println!("   {step}: {}", describe(other));
            false
        }
    };
    expect(as_expected, step)
}

/// What a write did, in a few words.
fn describe<R: std::fmt::Debug, T: std::fmt::Debug>(result: &Result<R, Error<T>>) -> String {
    match result {
        Ok(value) => format!("ok ({value:?})"),
        Err(error) => format!("failed: {error:?}"),
    }
}

fn expect(ok: bool, what: &str) -> Result<(), Failure> {
    if ok { Ok(()) } else { Err(format!("unexpected outcome: {what}").into()) }
}

fn sorted(labels: &HashSet<String>) -> Vec<&str> {
    let mut labels: Vec<&str> = labels.iter().map(String::as_str).collect();
    labels.sort_unstable();
    labels
}
