//! Concurrent writers on one item: counters lose no increment and guarded decrements never oversell.

mod common;

use std::future::IntoFuture;
use std::sync::Arc;

use common::{Backend, Fixture, Product};
use dynatomic::{Error, Item, Table, update};
use tokio::sync::Barrier;

on_both_backends!(
    #[tokio::test(flavor = "multi_thread", worker_threads = 4)]
    counters_lose_no_increment,
    guarded_decrements_never_oversell
);

const TASKS: usize = 32;

/// Runs `work` in `TASKS` tasks that start together, and returns their results in task order.
async fn race<R, F>(table: &Table<Product>, work: impl Fn(Table<Product>) -> F) -> Vec<R>
where
    R: Send + 'static,
    F: Future<Output = R> + Send + 'static,
{
    let start = Arc::new(Barrier::new(TASKS));
    let tasks: Vec<_> = (0..TASKS)
        .map(|_| {
            let (start, job) = (start.clone(), work(table.clone()));
            tokio::spawn(async move {
                start.wait().await;
                job.await
            })
        })
        .collect();
    let mut results = Vec::with_capacity(TASKS);
    for task in tasks {
        results.push(task.await.expect("task panicked"));
    }
    results
}

async fn counters_lose_no_increment(backend: Backend) {
    const PER_TASK: u64 = 100;
    let fx = Fixture::<Product>::new(backend, "concurrent_counter").await;
    let sample = Product::sample("hot");
    fx.table.put(&sample).await.expect("put");

    race(&fx.table, |table| async move {
        for _ in 0..PER_TASK {
            table.update(Product::key("hot"), update!(Product: hits += 1)).await.expect("increment");
        }
    })
    .await;

    let stored = fx.stored(sample.item_key()).await;
    assert_eq!(stored.hits, TASKS as u64 * PER_TASK);
    assert_eq!(stored, Product { hits: 3200, ..sample });
}

async fn guarded_decrements_never_oversell(backend: Backend) {
    let fx = Fixture::<Product>::new(backend, "concurrent_stock").await;
    let sample = Product { stock: 20, ..Product::sample("scarce") };
    fx.table.put(&sample).await.expect("put");

    let results = race(&fx.table, |table| async move {
        table.update(Product::key("scarce"), update!(Product: stock -= 1; where stock >= 1)).await
    })
    .await;

    let mut sold = 0;
    let mut refused = 0;
    for result in results {
        match result {
            Ok(()) => sold += 1,
            Err(Error::ConditionFailed { stored: Some(stored), .. }) => {
                let stock = stored.item().expect("the stored product").stock;
                assert_eq!(stock, 0, "a decrement is refused only when the stock is gone");
                refused += 1;
            }
            Err(other) => panic!("unexpected error: {other:?}"),
        }
    }
    assert_eq!((sold, refused), (20, 12));
    assert_eq!(fx.stored(sample.item_key()).await, Product { stock: 0, ..sample });
}

/// Two OS threads, each with its own runtime, add 1 to one counter 100,000 times each on the memory backend:
/// every single-item write is atomic, so none is lost.
#[test]
fn memory_counters_are_exact_across_threads() {
    const PER_THREAD: u64 = 100_000;
    let runtime = || tokio::runtime::Builder::new_current_thread().build().expect("a runtime");
    let fx = runtime().block_on(Fixture::<Product>::new(Backend::Memory, "threads"));
    let sample = Product::sample("hot");
    runtime().block_on(fx.table.put(&sample).into_future()).expect("put");

    let threads: Vec<_> = (0..2)
        .map(|_| {
            let table = fx.table.clone();
            std::thread::spawn(move || {
                runtime().block_on(async {
                    for _ in 0..PER_THREAD {
                        table.update(Product::key("hot"), update!(Product: hits += 1)).await.expect("increment");
                    }
                })
            })
        })
        .collect();
    for thread in threads {
        thread.join().expect("thread panicked");
    }
    let stored = runtime().block_on(fx.stored(sample.item_key()));
    assert_eq!(stored, Product { hits: 2 * PER_THREAD, ..sample });
}
