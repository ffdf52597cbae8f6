//! Transactions per second on the memory backend: a transfer (two conditional updates in one
//! TransactWriteItems) on one thread, and on two threads that transfer between different accounts, which
//! should take about the same time per transaction each: transactions on different items run in parallel.
//!
//! Run with `cargo bench -p dynatomic --bench transactions`.

use std::time::{Duration, Instant};

use criterion::{Criterion, Throughput, criterion_group, criterion_main};
use dynatomic::{Db, Item, Table, update};
use tokio::runtime::{Builder, Runtime};

#[derive(Item)]
#[dynatomic(table = "bench_accounts")]
struct Account {
    #[dynatomic(partition_key)]
    id: String,
    balance: i64,
}

/// One transfer of 1 from `from` to `to`, guarded by the balance.
async fn transfer(db: &Db, accounts: &Table<Account>, from: &str, to: &str) {
    let result = db
        .transaction()
        .update(accounts, Account::key(from), update!(Account: balance -= 1; where balance >= 1))
        .update(accounts, Account::key(to), update!(Account: balance += 1))
        .commit()
        .await;
    if let Err(e) = result {
        panic!("benchmark transfer failed: {e}");
    }
}

fn runtime() -> Runtime {
    match Builder::new_current_thread().enable_all().build() {
        Ok(runtime) => runtime,
        Err(e) => panic!("cannot start a tokio runtime: {e}"),
    }
}

fn transactions(c: &mut Criterion) {
    let runtime = runtime();
    let db = Db::memory();
    let accounts = db.table::<Account>();
    runtime.block_on(async {
        accounts.create_table().await.unwrap_or_else(|e| panic!("create_table: {e}"));
        for id in ["a1", "a2", "b1", "b2"] {
            let account = Account { id: id.to_owned(), balance: i64::MAX / 2 };
            accounts.put(&account).await.unwrap_or_else(|e| panic!("put: {e}"));
        }
    });
    let mut group = c.benchmark_group("transfer: two conditional updates in one transaction");
    group.throughput(Throughput::Elements(1));
    group.bench_function("memory, 1 thread", |b| b.to_async(&runtime).iter(|| transfer(&db, &accounts, "a1", "a2")));
    group.bench_function("memory, 2 threads (different accounts)", |b| {
        b.iter_custom(|iterations| two_threads(&db, &accounts, iterations))
    });
    group.finish();
}

/// `iterations` transfers split over two threads, each with its own runtime and its own accounts.
fn two_threads(db: &Db, accounts: &Table<Account>, iterations: u64) -> Duration {
    let start = Instant::now();
    std::thread::scope(|scope| {
        for ((from, to), share) in [(("a1", "a2"), iterations / 2), (("b1", "b2"), iterations - iterations / 2)] {
            scope.spawn(move || {
                runtime().block_on(async {
                    for _ in 0..share {
                        transfer(db, accounts, from, to).await;
                    }
                })
            });
        }
    });
    start.elapsed()
}

criterion_group!(benches, transactions);
criterion_main!(benches);
