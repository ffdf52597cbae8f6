//! What dynatomic guarantees when requests fail, on both injectors: the memory backend with injected faults,
//! resent as aws-sdk-dynamodb resends them, and DynamoDB Local behind a fault-injecting proxy, resent by the
//! SDK itself. Seeded, so each run draws the same faults. Lost answers make plain counters over-count and
//! exactly-once writes count exactly; transactions sent again with their token apply once; batches never lose
//! an item silently; versioned read-modify-write loses no update under throttling.

mod common;

use std::time::Duration;

use common::fault_proxy::{self, FaultPlan, FaultProxy};
use common::{Backend, Doc, Product};
use dynatomic::{Backoff, Db, Error, Fault, FaultSwitch, Faults, Item, Resends, TransactionError, update};

on_both_backends!(
    lost_answers_make_plain_counters_over_count_and_exactly_once_counters_exact,
    transfers_resent_with_their_token_apply_once_and_conserve_the_balances,
    throttled_batches_name_every_item_they_did_not_write,
    versioned_modify_loses_no_update_under_throttling,
    a_holder_whose_renewals_are_throttled_loses_the_lock_and_writes_nothing,
);

/// A prefix of the tokens of this run: tokens name one request for 10 minutes, and the test passes of one CI
/// run share one DynamoDB Local.
fn run_id() -> String {
    format!("{:08x}", fastrand::Rng::new().u32(..))
}

/// Resends as the SDK's, with waits short enough for a test.
fn quick(max_attempts: u32) -> Resends {
    Resends { max_attempts, initial_backoff: Duration::from_micros(100), max_backoff: Duration::from_millis(1) }
}

/// A database on `backend` whose requests meet `faults` (operation, fault, probability) between `start` and
/// `stop`, resent under `resends`, and a clean handle on the same tables that meets none: in memory, a second
/// handle; on DynamoDB Local, the requests of `db` go through a proxy, which must stay alive.
struct Faulty {
    db: Db,
    clean: Db,
    switch: Option<FaultSwitch>,
    proxy: Option<FaultProxy>,
}

impl Faulty {
    async fn new(backend: Backend, seed: u64, faults: &[(&str, Fault, f64)], resends: Resends) -> Self {
        match backend {
            Backend::Memory => {
                let injected = faults.iter().fold(Faults::seeded(seed), |all, (op, f, p)| all.on(op, *f, *p));
                let switch = injected.switch();
                switch.off();
                let clean = Db::memory();
                let db = clean.with_faults(injected).expect("a memory database").with_resends(resends);
                Faulty { db, clean, switch: Some(switch), proxy: None }
            }
            Backend::DynamoDbLocal => {
                let plan = faults.iter().fold(FaultPlan::seeded(seed), |all, (op, fault, p)| {
                    let fault = match fault {
                        Fault::Throttle => fault_proxy::Fault::Throttle,
                        Fault::Fail => fault_proxy::Fault::InternalError,
                        Fault::LoseResponse => fault_proxy::Fault::LoseResponse,
                        Fault::Delay(delay) => fault_proxy::Fault::Delay(*delay),
                    };
                    all.on(op, fault, *p)
                });
                let endpoint =
                    std::env::var("DYNAMODB_ENDPOINT").expect("DYNAMODB_ENDPOINT: run under scripts/test.sh");
                let proxy = FaultProxy::start(&endpoint, plan).await;
                proxy.set_enabled(false);
                let db = Db::connect_to(&proxy.endpoint()).await.with_resends(resends);
                Faulty { db, clean: common::connect().await, switch: None, proxy: Some(proxy) }
            }
        }
    }

    /// From now on, the requests of `db` meet the faults.
    fn start(&self) {
        self.switch.iter().for_each(FaultSwitch::on);
        self.proxy.iter().for_each(|proxy| proxy.set_enabled(true));
    }

    /// From now on, they do not.
    fn stop(&self) {
        self.switch.iter().for_each(FaultSwitch::off);
        self.proxy.iter().for_each(|proxy| proxy.set_enabled(false));
    }

    /// A fresh table of `T`, reached through `db`.
    async fn table<T: Item + std::fmt::Debug>(&self, test: &str) -> dynatomic::Table<T> {
        let table = self.db.table_named::<T>(common::unique_table_name(test));
        self.clean.table_named::<T>(table.name()).create_table().await.expect("create");
        table
    }
}

async fn a_holder_whose_renewals_are_throttled_loses_the_lock_and_writes_nothing(backend: Backend) {
    let faulty = Faulty::new(backend, 3, &[("UpdateItem", Fault::Throttle, 1.0)], quick(3)).await;
    let products = faulty.table::<Product>("faults_lock").await;
    products.put(&Product::sample("a")).await.expect("put");
    let lease = Duration::from_millis(300);
    let mut holder = products.lock(Product::key("a"), "restock").lease(lease).await.expect("lock");
    // Every UpdateItem of the holder's client is throttled from now on: its renewals fail, its lease runs out.
    faulty.start();
    let other = faulty.clean.table_named::<Product>(products.name());
    let taker = other.lock(Product::key("a"), "restock").lease(lease).wait(Duration::from_secs(10)).await;
    let mut taker = taker.expect("another client takes the lock over once the lease ran out");
    // The holder's client recovers, and the holder, unaware, commits.
    faulty.stop();
    holder.stock += 100;
    let lost = holder.commit().await;
    assert!(matches!(lost, Err(Error::LockLost { .. })), "{lost:?}");
    taker.reserved += 1;
    taker.commit().await.expect("the new holder commits");
    let stored = other.get(Product::key("a")).await.expect("get").expect("the item");
    assert_eq!((stored.stock, stored.reserved), (10, 3), "only the new holder's change was written");
}

/// A counter item.
#[derive(Item, Debug, Clone, PartialEq)]
struct Page {
    #[dynatomic(partition_key)]
    path: String,
    hits: u64,
}

/// Sends `hits += 1` 1,000 times on a backend that loses 10% of UpdateItem answers, resending each increment
/// until it succeeds (the SDK resends three times; the caller retries what still fails); returns the count.
async fn count_with_lost_answers(backend: Backend, exactly_once: bool) -> (u64, u32) {
    // An exactly-once write is a TransactWriteItems: its answers are lost as often.
    let lost = [("UpdateItem", Fault::LoseResponse, 0.10), ("TransactWriteItems", Fault::LoseResponse, 0.10)];
    let faulty = Faulty::new(backend, 1000, &lost, quick(3)).await;
    let pages = faulty.table::<Page>("faults_counter").await;
    pages.put(&Page { path: "/".into(), hits: 0 }).await.expect("put");
    faulty.start();
    let mut failures = 0;
    let run = run_id();
    for increment in 0..1000 {
        // The id of this increment, kept across the caller's own retries of it.
        let id = format!("{run}-increment-{increment}");
        loop {
            let op = update!(Page: hits += 1);
            let sent = match exactly_once {
                true => pages.update(Page::key("/"), op).exactly_once(&id).await,
                false => pages.update(Page::key("/"), op).await,
            };
            match sent {
                Ok(()) => break,
                Err(Error::Service(error)) if error.kind() == dynatomic::ServiceErrorKind::Transport => failures += 1,
                Err(other) => panic!("increment {increment}: {other}"),
            }
        }
    }
    let hits = pages.get(Page::key("/")).await.expect("get").expect("the page").hits;
    (hits, failures)
}

async fn lost_answers_make_plain_counters_over_count_and_exactly_once_counters_exact(backend: Backend) {
    let (plain, plain_failures) = count_with_lost_answers(backend, false).await;
    let (exact, exact_failures) = count_with_lost_answers(backend, true).await;
    println!(
        "{backend:?}: 1,000 `hits += 1` with 10% of answers lost: plain {plain} ({} counted twice, {plain_failures} \
         calls failed after 3 attempts), exactly once {exact} ({exact_failures} calls failed after 3 attempts)",
        plain - 1000
    );
    assert_eq!(exact, 1000, "an exactly-once increment is applied once, however often it is sent");
    assert!(exact_failures > 0, "the seed makes some increments fail three times: the caller's retries are tested");
    assert!((1050..=1150).contains(&plain), "about one in ten increments is applied twice: {plain}");
}

/// An account of the transfer test.
#[derive(Item, Debug, Clone, PartialEq)]
struct Account {
    #[dynatomic(partition_key)]
    id: String,
    balance: i64,
}

async fn transfers_resent_with_their_token_apply_once_and_conserve_the_balances(backend: Backend) {
    let faults = [("TransactWriteItems", Fault::LoseResponse, 0.10), ("TransactWriteItems", Fault::Throttle, 0.05)];
    let faulty = Faulty::new(backend, 500, &faults, quick(3)).await;
    let db = &faulty.db;
    let accounts = faulty.table::<Account>("faults_transfers").await;
    let mut expected = [100_i64; 5];
    for (id, balance) in expected.iter().enumerate() {
        accounts.put(&Account { id: id.to_string(), balance: *balance }).await.expect("put");
    }
    faulty.start();
    let mut rng = fastrand::Rng::with_seed(7);
    let run = run_id();
    let (mut applied, mut refused, mut resent) = (0, 0, 0);
    for transfer in 0..500 {
        let (from, to) = (rng.usize(..5), rng.usize(..5));
        if from == to {
            continue;
        }
        let amount = rng.i64(1..=40);
        let transaction = db
            .transaction()
            .with_token(format!("{run}-transfer-{transfer}"))
            .update(
                &accounts,
                Account::key(from.to_string()),
                update!(Account: balance -= amount; where balance >= amount),
            )
            .update(&accounts, Account::key(to.to_string()), update!(Account: balance += amount));
        loop {
            match transaction.commit().await {
                Ok(()) => {
                    expected[from] -= amount;
                    expected[to] += amount;
                    applied += 1;
                    break;
                }
                Err(TransactionError::Canceled(canceled)) if canceled.only_checks_failed() => {
                    refused += 1;
                    break;
                }
                Err(TransactionError::Service(error)) if error.kind() != dynatomic::ServiceErrorKind::Validation => {
                    resent += 1
                }
                Err(other) => panic!("transfer {transfer}: {other}"),
            }
        }
    }
    let mut balances = [0_i64; 5];
    for (id, balance) in balances.iter_mut().enumerate() {
        *balance = accounts.get(Account::key(id.to_string())).await.expect("get").expect("account").balance;
    }
    println!(
        "{backend:?}: 500 transfers at 15% faults: {applied} applied, {refused} refused (overdraw), {resent} sent again by the caller"
    );
    assert_eq!(balances, expected, "each transfer applied exactly once");
    assert_eq!(balances.iter().sum::<i64>(), 500, "money is conserved");
}

async fn throttled_batches_name_every_item_they_did_not_write(backend: Backend) {
    let faulty = Faulty::new(backend, 25, &[("BatchWriteItem", Fault::Throttle, 0.5)], quick(2)).await;
    let products = faulty.table::<Product>("faults_batches").await;
    faulty.start();
    let items: Vec<Product> = (0..200).map(|i| Product::sample(&format!("p{i:03}"))).collect();
    let unprocessed = match products.batch_put(&items).await {
        Ok(()) => Vec::new(),
        Err(Error::BatchIncomplete { unprocessed, cause }) => {
            let cause = cause.expect("a cause");
            assert!(cause.service().is_some_and(dynatomic::ServiceError::is_throttling), "{cause}");
            unprocessed
        }
        Err(other) => panic!("{other}"),
    };
    assert!(!unprocessed.is_empty(), "half the chunks throttled twice in a row: some are left");
    for (index, item) in items.iter().enumerate() {
        let stored = products.get(Product::key(&item.pk)).await.expect("get");
        assert_eq!(stored.is_some(), !unprocessed.contains(&index), "item {index}: written, or named unprocessed");
    }
}

async fn versioned_modify_loses_no_update_under_throttling(backend: Backend) {
    let faults = [("GetItem", Fault::Throttle, 0.10), ("UpdateItem", Fault::Throttle, 0.10)];
    let faulty = Faulty::new(backend, 16, &faults, quick(5)).await;
    // 16 writers on one item: more patience than the default for conflicts.
    let patient = Backoff { max_attempts: 100, base: Duration::from_millis(1), ..Backoff::default() };
    let docs =
        faulty.db.clone().with_backoff(patient).table_named::<Doc>(faulty.table::<Doc>("faults_modify").await.name());
    docs.put(&Doc::new("d", "", 0)).await.expect("put");
    faulty.start();
    let tasks: Vec<_> = (0..16)
        .map(|task| {
            let docs = docs.clone();
            tokio::spawn(async move {
                for _ in 0..25 {
                    loop {
                        let append = |doc: &Doc| update!(Doc: text = format!("{}{}", doc.text, task % 10));
                        match docs.modify(Doc::key("d"), append).await {
                            Ok(_) => break,
                            Err(error) if error.service().is_some_and(dynatomic::ServiceError::is_throttling) => {}
                            Err(other) => panic!("task {task}: {other}"),
                        }
                    }
                }
            })
        })
        .collect();
    for task in tasks {
        task.await.expect("a task panicked");
    }
    let doc = docs.get(Doc::key("d")).await.expect("get").expect("the doc");
    assert_eq!(doc.text.len(), 400, "16 x 25 appends, none lost");
    assert_eq!(doc.version, 401);
}
