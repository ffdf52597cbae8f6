//! Soaks: many mixed operations at once, then the invariants. On the memory backend, 2 threads x
//! `SOAK_OPERATIONS` (default 1,000,000) operations; on DynamoDB Local, 64 tasks for `SOAK_SECONDS` (default 10).
//! Each prints the operations it ran and the errors by kind.
//!
//! The mix, on 16 counters and 8 accounts: `hits += 1` upserts (every one must count), transfers between
//! accounts in transactions guarded by the balance (money is conserved), versioned `modify` of one shared
//! document (no update lost), puts and deletes of scratch items, and reads.

mod common;

use std::collections::BTreeMap;
use std::time::{Duration, Instant};

use common::{Backend, Doc, Fixture};
use dynatomic::{Db, Error, Item, Table, TransactionError, update, upsert};

/// A counter.
#[derive(Item, Debug, Clone, PartialEq)]
struct Counter {
    #[dynatomic(partition_key)]
    id: String,
    hits: u64,
}

/// An account.
#[derive(Item, Debug, Clone, PartialEq)]
struct Account {
    #[dynatomic(partition_key)]
    id: String,
    balance: i64,
}

const COUNTERS: usize = 16;
const ACCOUNTS: usize = 8;
const OPENING_BALANCE: i64 = 1_000;

/// The tables of a soak.
#[derive(Clone)]
struct Tables {
    db: Db,
    counters: Table<Counter>,
    accounts: Table<Account>,
    docs: Table<Doc>,
}

/// What one worker did: successes, and refusals and errors by kind.
#[derive(Debug, Default)]
struct Tally {
    increments: u64,
    appends: u64,
    operations: u64,
    outcomes: BTreeMap<&'static str, u64>,
}

impl Tally {
    fn add(&mut self, other: Tally) {
        self.increments += other.increments;
        self.appends += other.appends;
        self.operations += other.operations;
        for (kind, count) in other.outcomes {
            *self.outcomes.entry(kind).or_default() += count;
        }
    }
}

async fn tables(backend: Backend, test: &str) -> Tables {
    let counters = Fixture::<Counter>::new(backend, &format!("{test}_counters")).await;
    let db = counters.db.clone();
    let accounts = db.table_named::<Account>(common::unique_table_name(&format!("{test}_accounts")));
    let docs = db.table_named::<Doc>(common::unique_table_name(&format!("{test}_docs")));
    accounts.create_table().await.expect("create accounts");
    docs.create_table().await.expect("create docs");
    for id in 0..ACCOUNTS {
        accounts.put(&Account { id: id.to_string(), balance: OPENING_BALANCE }).await.expect("put account");
    }
    docs.put(&Doc::new("shared", "", 0)).await.expect("put doc");
    Tables { db, counters: counters.table, accounts, docs }
}

/// One operation of the mix, chosen by `rng`, counted in `tally`.
async fn operate(tables: &Tables, rng: &mut fastrand::Rng, worker: usize, tally: &mut Tally) {
    tally.operations += 1;
    let outcome = match rng.u8(..100) {
        0..40 => {
            let id = rng.usize(..COUNTERS).to_string();
            let sent = tables.counters.upsert(Counter::key(id), upsert!(Counter: hits += 1)).await;
            tally.increments += u64::from(sent.is_ok());
            kind(sent.map(drop))
        }
        40..60 => {
            let (from, to) = (rng.usize(..ACCOUNTS), rng.usize(..ACCOUNTS));
            let amount = rng.i64(1..=300);
            if from == to {
                "same account"
            } else {
                let sent = tables
                    .db
                    .transaction()
                    .update(
                        &tables.accounts,
                        Account::key(from.to_string()),
                        update!(Account: balance -= amount; where balance >= amount),
                    )
                    .update(&tables.accounts, Account::key(to.to_string()), update!(Account: balance += amount))
                    .commit()
                    .await;
                match sent {
                    Ok(()) => "ok",
                    Err(TransactionError::Canceled(canceled)) if canceled.only_checks_failed() => "overdraw refused",
                    Err(TransactionError::Canceled(_)) => "transaction conflict",
                    Err(other) => panic!("transfer: {other}"),
                }
            }
        }
        60..65 => {
            let digit = worker % 10;
            let sent =
                tables.docs.modify(Doc::key("shared"), |doc| update!(Doc: text = format!("{}{digit}", doc.text))).await;
            tally.appends += u64::from(sent.is_ok());
            kind(sent.map(drop))
        }
        65..80 => {
            let id = format!("scratch-{worker}-{}", rng.u8(..8));
            kind(tables.counters.put(&Counter { id, hits: 0 }).await)
        }
        80..85 => {
            let id = format!("scratch-{worker}-{}", rng.u8(..8));
            kind(tables.counters.delete(Counter::key(id)).await.map(drop))
        }
        _ => kind(tables.accounts.get(Account::key(rng.usize(..ACCOUNTS).to_string())).await.map(drop)),
    };
    *tally.outcomes.entry(outcome).or_default() += 1;
}

/// An outcome's kind, for the report; an error no operation of the mix can have fails the soak.
fn kind<T: std::fmt::Debug>(result: Result<(), Error<T>>) -> &'static str {
    match result {
        Ok(()) => "ok",
        Err(Error::VersionConflict { .. }) => "version conflict",
        Err(error) if error.service().is_some_and(dynatomic::ServiceError::is_throttling) => "throttled",
        Err(other) => panic!("unexpected error: {other}"),
    }
}

/// The invariants at the end: every counted increment and append is there, and money is conserved.
async fn check(tables: &Tables, tally: &Tally) {
    let mut hits = 0;
    for id in 0..COUNTERS {
        hits += tables.counters.get(Counter::key(id.to_string())).await.expect("get").map_or(0, |c| c.hits);
    }
    assert_eq!(hits, tally.increments, "every increment counted once");
    let mut money = 0;
    for id in 0..ACCOUNTS {
        let account = tables.accounts.get(Account::key(id.to_string())).await.expect("get").expect("account");
        assert!(account.balance >= 0, "no account overdrawn");
        money += account.balance;
    }
    assert_eq!(money, OPENING_BALANCE * ACCOUNTS as i64, "money is conserved");
    let doc = tables.docs.get(Doc::key("shared")).await.expect("get").expect("doc");
    assert_eq!(doc.text.len() as u64, tally.appends, "no append lost");
    println!(
        "{} operations: {:?}; checked: {hits} increments, {} appends, {money} in all accounts",
        tally.operations, tally.outcomes, tally.appends
    );
}

#[test]
fn memory_two_threads() {
    let per_thread: u64 = std::env::var("SOAK_OPERATIONS").ok().and_then(|n| n.parse().ok()).unwrap_or(1_000_000);
    let runtime = || tokio::runtime::Builder::new_current_thread().enable_all().build().expect("a runtime");
    let tables = runtime().block_on(tables(Backend::Memory, "soak"));
    let started = Instant::now();
    let tallies: Vec<Tally> = std::thread::scope(|scope| {
        let workers: Vec<_> = (0..2)
            .map(|worker| {
                let tables = tables.clone();
                scope.spawn(move || {
                    runtime().block_on(async {
                        let (mut rng, mut tally) = (fastrand::Rng::with_seed(worker as u64), Tally::default());
                        for _ in 0..per_thread {
                            operate(&tables, &mut rng, worker, &mut tally).await;
                        }
                        tally
                    })
                })
            })
            .collect();
        workers.into_iter().map(|worker| worker.join().expect("a worker panicked")).collect()
    });
    let mut tally = Tally::default();
    tallies.into_iter().for_each(|t| tally.add(t));
    println!("memory soak: {:.1} s", started.elapsed().as_secs_f64());
    runtime().block_on(check(&tables, &tally));
    assert_eq!(tally.operations, 2 * per_thread);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn dynamodb_local_64_tasks() {
    let seconds: u64 = std::env::var("SOAK_SECONDS").ok().and_then(|n| n.parse().ok()).unwrap_or(10);
    let tables = tables(Backend::DynamoDbLocal, "soak").await;
    let until = Instant::now() + Duration::from_secs(seconds);
    let workers: Vec<_> = (0..64)
        .map(|worker| {
            let tables = tables.clone();
            tokio::spawn(async move {
                let (mut rng, mut tally) = (fastrand::Rng::with_seed(worker as u64), Tally::default());
                while Instant::now() < until {
                    operate(&tables, &mut rng, worker, &mut tally).await;
                }
                tally
            })
        })
        .collect();
    let mut tally = Tally::default();
    for worker in workers {
        tally.add(worker.await.expect("a worker panicked"));
    }
    check(&tables, &tally).await;
}
