//! Conditional updates per second: the embedded in-memory backend on one and on two threads (on one, also with
//! a tracing subscriber listening), and the same workload against DynamoDB at `DYNAMODB_ENDPOINT` (DynamoDB
//! Local) in the same run.
//!
//! Run with `scripts/with-dynamodb-local.sh cargo bench -p dynatomic --bench memory`; without
//! `DYNAMODB_ENDPOINT` the DynamoDB half is left out (and says so).

use std::time::{Duration, Instant};

use criterion::{Criterion, Throughput, criterion_group, criterion_main};
use dynatomic::{Db, Item, Table, update};
use tokio::runtime::{Builder, Runtime};
use tracing_subscriber::filter::LevelFilter;
use tracing_subscriber::layer::{Layer, SubscriberExt};

#[derive(Item)]
#[dynatomic(table = "bench_counters")]
struct Counter {
    #[dynatomic(partition_key)]
    id: String,
    hits: u64,
}

/// One conditional update: the workload measured everywhere.
async fn bump(counters: &Table<Counter>, id: &str) {
    let op = update!(Counter: hits += 1; where hits < u64::MAX);
    if let Err(e) = counters.update(Counter::key(id), op).await {
        panic!("benchmark update failed: {e}");
    }
}

fn runtime() -> Runtime {
    match Builder::new_current_thread().enable_all().build() {
        Ok(runtime) => runtime,
        Err(e) => panic!("cannot start a tokio runtime: {e}"),
    }
}

/// A table with one counter item per id, on `db`.
fn counters(runtime: &Runtime, db: &Db, ids: &[&str]) -> Table<Counter> {
    let counters = db.table::<Counter>();
    runtime.block_on(async {
        counters.create_table().await.unwrap_or_else(|e| panic!("create_table: {e}"));
        for id in ids {
            let counter = Counter { id: (*id).to_owned(), hits: 0 };
            counters.put(&counter).await.unwrap_or_else(|e| panic!("put: {e}"));
        }
    });
    counters
}

fn conditional_updates(c: &mut Criterion) {
    let runtime = runtime();
    let mut group = c.benchmark_group("conditional update `hits += 1; where hits < max`");
    group.throughput(Throughput::Elements(1));

    let memory = counters(&runtime, &Db::memory(), &["a", "b"]);
    group.bench_function("memory, 1 thread", |b| b.to_async(&runtime).iter(|| bump(&memory, "a")));
    group.bench_function("memory, 1 thread, with a tracing subscriber", |b| {
        // A subscriber that formats every span's fields at INFO, as a service logging to stdout does, writing
        // them nowhere: what dynatomic's spans cost when someone listens.
        let layer = tracing_subscriber::fmt::layer().with_writer(std::io::sink);
        let subscriber = tracing_subscriber::registry().with(layer.with_filter(LevelFilter::INFO));
        let _listening = tracing::subscriber::set_default(subscriber);
        b.to_async(&runtime).iter(|| bump(&memory, "a"))
    });
    group.bench_function("memory, 2 threads (one item each)", |b| {
        b.iter_custom(|iterations| two_threads(&memory, iterations))
    });

    match std::env::var("DYNAMODB_ENDPOINT") {
        Ok(endpoint) => {
            let db = runtime.block_on(Db::connect_to(&endpoint));
            let dynamodb = counters(&runtime, &db, &["a"]);
            group.sample_size(10).measurement_time(Duration::from_secs(10));
            group.bench_function("DynamoDB Local, 1 task", |b| b.to_async(&runtime).iter(|| bump(&dynamodb, "a")));
        }
        Err(_) => eprintln!("DYNAMODB_ENDPOINT is not set: the DynamoDB Local comparison is left out"),
    }
    group.finish();
}

/// `iterations` updates split over two threads, each with its own runtime and its own item.
fn two_threads(counters: &Table<Counter>, iterations: u64) -> Duration {
    let start = Instant::now();
    std::thread::scope(|scope| {
        for (id, share) in [("a", iterations / 2), ("b", iterations - iterations / 2)] {
            scope.spawn(move || {
                runtime().block_on(async {
                    for _ in 0..share {
                        bump(counters, id).await;
                    }
                })
            });
        }
    });
    start.elapsed()
}

criterion_group!(benches, conditional_updates);
criterion_main!(benches);
