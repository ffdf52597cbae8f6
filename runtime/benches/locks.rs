//! Increments of one item by 1, 4 and 16 concurrent tasks: under a lock (read, `+= 1` in Rust, commit) and with
//! `Table::modify` (optimistic: read, write if unchanged, retry on a conflict). Prints operations per second, and
//! per operation the time spent waiting for the lock or the conflicts retried.
//!
//! A plain benchmark (no criterion: each figure is one timed run of a whole workload). Run it against DynamoDB
//! Local with `scripts/with-dynamodb-local.sh cargo bench -p dynatomic --bench locks`; without
//! `DYNAMODB_ENDPOINT` it runs on the memory backend (and says so).

use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::{Duration, Instant};

use dynatomic::{Db, Item, Table, update};

#[derive(Item, Debug, Clone)]
#[dynatomic(table = "bench_lock_counters")]
struct Counter {
    #[dynatomic(partition_key)]
    id: String,
    count: u64,
}

/// Increments per workload, shared by its tasks.
const INCREMENTS: u64 = 320;

/// How the tasks of a workload keep their increments apart.
#[derive(Debug, Clone, Copy)]
enum Guarding {
    Lock,
    Optimistic,
}

/// Runs `INCREMENTS` increments of one fresh item over `tasks` tasks; returns the elapsed time and the total of
/// what it waited (microseconds under a lock) or retried (conflicts of `modify`).
async fn workload(counters: &Table<Counter>, guarding: Guarding, tasks: u64) -> (Duration, u64) {
    let id = format!("{guarding:?}-{tasks}");
    if let Err(e) = counters.put(&Counter { id: id.clone(), count: 0 }).await {
        panic!("put: {e}");
    }
    let cost = Arc::new(AtomicU64::new(0));
    let started = Instant::now();
    let handles: Vec<_> = (0..tasks)
        .map(|_| {
            let (counters, cost, id) = (counters.clone(), cost.clone(), id.clone());
            tokio::spawn(async move {
                for _ in 0..INCREMENTS / tasks {
                    match guarding {
                        Guarding::Lock => {
                            let asked = Instant::now();
                            let lock = counters.lock(Counter::key(id.as_str()), "count").wait(Duration::from_secs(600));
                            let mut counter = lock.await.unwrap_or_else(|e| panic!("lock: {e}"));
                            cost.fetch_add(asked.elapsed().as_micros() as u64, Ordering::Relaxed);
                            counter.count += 1;
                            counter.commit().await.unwrap_or_else(|e| panic!("commit: {e}"));
                        }
                        Guarding::Optimistic => {
                            let change = |c: &Counter| {
                                let next = c.count + 1;
                                update!(Counter: count = next)
                            };
                            let done = counters.modify(Counter::key(id.as_str()), change).await;
                            let done = done.unwrap_or_else(|e| panic!("modify: {e}"));
                            cost.fetch_add(u64::from(done.conflicts), Ordering::Relaxed);
                        }
                    }
                }
            })
        })
        .collect();
    for handle in handles {
        handle.await.unwrap_or_else(|e| panic!("task: {e}"));
    }
    let elapsed = started.elapsed();
    match counters.get(Counter::key(id.as_str())).await {
        Ok(Some(counter)) if counter.count == INCREMENTS / tasks * tasks => {}
        other => panic!("an increment was lost: {other:?}"),
    }
    (elapsed, cost.load(Ordering::Relaxed))
}

fn main() {
    let runtime = tokio::runtime::Builder::new_multi_thread().enable_all().build();
    let runtime = runtime.unwrap_or_else(|e| panic!("cannot start a tokio runtime: {e}"));
    runtime.block_on(async {
        let db = match std::env::var("DYNAMODB_ENDPOINT") {
            Ok(endpoint) => {
                println!("DynamoDB at {endpoint}");
                Db::connect_to(&endpoint).await
            }
            Err(_) => {
                println!("memory backend (set DYNAMODB_ENDPOINT for DynamoDB Local)");
                Db::memory()
            }
        };
        let counters = db.table::<Counter>();
        if let Err(e) = counters.create_table().await {
            panic!("create_table: {e}");
        }
        println!("{INCREMENTS} increments of one item:");
        println!("{:<11} {:>5} {:>10} {:>22}", "guarding", "tasks", "ops/s", "per operation");
        for tasks in [1, 4, 16] {
            for guarding in [Guarding::Lock, Guarding::Optimistic] {
                let (elapsed, cost) = workload(&counters, guarding, tasks).await;
                let ops = (INCREMENTS / tasks * tasks) as f64;
                let per_op = match guarding {
                    Guarding::Lock => format!("{:.1} ms waiting", cost as f64 / ops / 1000.0),
                    Guarding::Optimistic => format!("{:.2} conflicts", cost as f64 / ops),
                };
                println!(
                    "{:<11} {tasks:>5} {:>10.0} {per_op:>22}",
                    format!("{guarding:?}"),
                    ops / elapsed.as_secs_f64()
                );
            }
        }
    });
}
