//! Transactions: concurrent transfers and orders that keep their invariants, every way a transaction fails
//! (with the reason of each action and nothing written), idempotent commits, and consistent reads.

mod common;

use std::collections::HashMap;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::Instant;

use common::{Backend, Event, Fixture, unique_table_name};
use dynatomic::{
    ActionKind, Db, Item, Reason, ServiceErrorKind, Table, TransactionCanceled, TransactionError, ValueError,
    condition, update, upsert,
};
use tokio::sync::Barrier;

on_both_backends!(
    #[tokio::test(flavor = "multi_thread", worker_threads = 4)]
    transfers_keep_the_total,
    orders_never_oversell,
    snapshots_are_consistent_under_concurrent_transfers
);

on_both_backends!(
    a_canceled_transaction_lists_every_action_and_writes_nothing,
    create_refuses_an_existing_item,
    an_update_of_a_missing_item_cancels_the_transaction,
    a_false_condition_check_cancels_the_writes,
    put_if_and_delete_if_in_a_transaction,
    an_invalid_action_is_canceled_with_a_validation_reason,
    a_transaction_is_refused_before_sending_when_dynamodb_would_refuse_it,
    a_transaction_of_100_actions_is_applied,
    a_transaction_on_a_missing_table_is_reported_as_such,
    committing_twice_applies_once,
    a_token_names_one_transaction,
    read_transactions_read_items_of_several_tables,
    read_transactions_are_refused_before_sending_when_dynamodb_would_refuse_them
);

#[derive(Item, Debug, Clone, PartialEq)]
struct Account {
    #[dynatomic(partition_key)]
    id: String,
    balance: i64,
}

fn account(id: &str, balance: i64) -> Account {
    Account { id: id.to_owned(), balance }
}

/// Stock of a product.
#[derive(Item, Debug, Clone, PartialEq)]
struct Stock {
    #[dynatomic(partition_key)]
    sku: String,
    stock: i64,
}

/// An order: quantity per sku.
#[derive(Item, Debug, Clone, PartialEq)]
struct Order {
    #[dynatomic(partition_key)]
    id: String,
    quantities: HashMap<String, i64>,
}

fn order(id: &str, quantities: &[(&str, i64)]) -> Order {
    Order { id: id.to_owned(), quantities: quantities.iter().map(|(sku, q)| ((*sku).to_owned(), *q)).collect() }
}

/// An item of any size.
#[derive(Item, Debug, Clone, PartialEq)]
struct Blob {
    #[dynatomic(partition_key)]
    id: String,
    data: String,
}

/// Another table, of another struct, on the database of a fixture (separate `Db::memory()` values do not
/// share tables, so every table of one transaction must come from one `Db`).
async fn second_table<U: Item + std::fmt::Debug>(db: &Db, test: &str) -> Table<U> {
    let table = db.table_named::<U>(unique_table_name(test));
    if let Err(e) = table.create_table().await {
        panic!("creating table {}: {e:?}", table.name());
    }
    table
}

/// The cancellation of a transaction; panics on any other result.
fn cancellation(result: Result<(), TransactionError>) -> TransactionCanceled {
    match result {
        Err(TransactionError::Canceled(canceled)) => canceled,
        other => panic!("expected the transaction to be canceled, got {other:?}"),
    }
}

/// The reasons of every action, in order.
fn reasons(canceled: &TransactionCanceled) -> Vec<Reason> {
    canceled.actions.iter().map(|action| action.reason.clone()).collect()
}

/// The item, read with dynatomic (`None` when absent).
async fn read<T: Item + std::fmt::Debug>(table: &Table<T>, key: dynatomic::Key<T>) -> Option<T> {
    table.get(key).await.expect("get")
}

// ---------------------------------------------------------------------------------------------------------
// Balance transfers
// ---------------------------------------------------------------------------------------------------------

const ACCOUNTS: usize = 10;
const TASKS: usize = 16;

fn account_id(i: usize) -> String {
    format!("acct-{i}")
}

/// 20, 40, ..., 200: 1,100 in all.
fn initial_balance(i: usize) -> i64 {
    20 * (i as i64 + 1)
}

async fn open_accounts(table: &Table<Account>) -> i64 {
    for i in 0..ACCOUNTS {
        table.put(&account(&account_id(i), initial_balance(i))).await.expect("put");
    }
    (0..ACCOUNTS).map(initial_balance).sum()
}

/// What one task's transfers did.
#[derive(Debug, Default)]
struct Transfers {
    attempted: usize,
    /// (from, to, amount)
    applied: Vec<(usize, usize, i64)>,
    /// Refused because the payer's balance was below the amount.
    refused: usize,
    /// Canceled because another transaction was writing one of the accounts (DynamoDB only).
    conflicts: usize,
}

/// One transfer, one transaction: `amount` from `from` to `to`, refused when `from` has less.
async fn transfer(db: &Db, table: &Table<Account>, from: usize, to: usize, amount: i64, done: &mut Transfers) {
    done.attempted += 1;
    let result = db
        .transaction()
        .update(table, Account::key(account_id(from)), update!(Account: balance -= amount; where balance >= amount))
        .update(table, Account::key(account_id(to)), update!(Account: balance += amount))
        .commit()
        .await;
    match result {
        Ok(()) => done.applied.push((from, to, amount)),
        Err(TransactionError::Canceled(canceled)) => {
            let [debit, credit] = &canceled.actions[..] else { panic!("two actions expected: {canceled:?}") };
            assert_ne!(credit.reason, Reason::ConditionFailed, "the credit has no condition: {canceled}");
            match &debit.reason {
                Reason::ConditionFailed => {
                    let stored = debit.stored_item::<Account>().expect("the payer's stored item");
                    assert_eq!(stored.id, account_id(from));
                    assert!(stored.balance < amount, "refused although {} >= {amount}", stored.balance);
                    assert!(stored.balance >= 0, "negative balance: {stored:?}");
                    done.refused += 1;
                }
                _ if canceled.actions.iter().any(|a| a.reason == Reason::Conflict) => done.conflicts += 1,
                other => panic!("unexpected reason {other:?}: {canceled}"),
            }
        }
        Err(other) => panic!("transfer failed: {other}"),
    }
}

/// Spawns `tasks` tasks that each wait at `start`, then make `per_task` random transfers (task `i` seeded
/// with `seed + i`), and return what they did.
fn spawn_transfers(
    fx: &Fixture<Account>,
    tasks: usize,
    per_task: usize,
    seed: u64,
    start: &Arc<Barrier>,
) -> Vec<tokio::task::JoinHandle<Transfers>> {
    (0..tasks)
        .map(|task| {
            let (db, table, start) = (fx.db.clone(), fx.table.clone(), start.clone());
            tokio::spawn(async move {
                let mut rng = fastrand::Rng::with_seed(seed + task as u64);
                let mut done = Transfers::default();
                start.wait().await;
                for _ in 0..per_task {
                    let (from, to, amount) = random_transfer(&mut rng);
                    transfer(&db, &table, from, to, amount, &mut done).await;
                }
                done
            })
        })
        .collect()
}

/// Random transfers between two distinct accounts of `0..ACCOUNTS`.
fn random_transfer(rng: &mut fastrand::Rng) -> (usize, usize, i64) {
    let from = rng.usize(..ACCOUNTS);
    let to = (from + rng.usize(1..ACCOUNTS)) % ACCOUNTS;
    (from, to, rng.i64(1..=120))
}

/// Checks the stored balances against the initial ones and every applied transfer.
async fn check_balances(table: &Table<Account>, applied: &[(usize, usize, i64)], total: i64) {
    let mut expected: Vec<i64> = (0..ACCOUNTS).map(initial_balance).collect();
    for &(from, to, amount) in applied {
        expected[from] -= amount;
        expected[to] += amount;
    }
    let mut stored = Vec::new();
    for i in 0..ACCOUNTS {
        let account = read(table, Account::key(account_id(i))).await.expect("the account exists");
        stored.push(account.balance);
    }
    assert_eq!(stored, expected, "the balances are the initial ones plus the applied transfers");
    assert_eq!(stored.iter().sum::<i64>(), total, "money was created or lost");
    assert!(stored.iter().all(|b| *b >= 0), "a balance went negative: {stored:?}");
}

async fn transfers_keep_the_total(backend: Backend) {
    let per_task = match backend {
        Backend::DynamoDbLocal => 25,
        Backend::Memory => 500,
    };
    let fx = Fixture::<Account>::new(backend, "transfers").await;
    let total = open_accounts(&fx.table).await;
    assert_eq!(total, 1100);

    let start = Arc::new(Barrier::new(TASKS));
    let began = Instant::now();
    let tasks = spawn_transfers(&fx, TASKS, per_task, 0x5eed_0000, &start);
    let mut all = Transfers::default();
    for task in tasks {
        let done = task.await.expect("task panicked");
        all.attempted += done.attempted;
        all.applied.extend(done.applied);
        all.refused += done.refused;
        all.conflicts += done.conflicts;
    }
    let elapsed = began.elapsed();
    println!(
        "{backend:?}: {} transfers by {TASKS} tasks in {elapsed:.2?}: {} applied, {} refused for insufficient \
         balance, {} canceled by a conflict",
        all.attempted,
        all.applied.len(),
        all.refused,
        all.conflicts
    );

    assert_eq!(all.attempted, TASKS * per_task);
    assert_eq!(all.applied.len() + all.refused + all.conflicts, all.attempted);
    assert!(all.refused > 0, "no transfer was refused: the test does not exercise the condition");
    assert!(!all.applied.is_empty(), "no transfer was applied");
    if backend == Backend::Memory {
        assert_eq!(all.conflicts, 0, "the memory backend has no transaction conflicts");
    }
    check_balances(&fx.table, &all.applied, total).await;
}

// ---------------------------------------------------------------------------------------------------------
// Inventory
// ---------------------------------------------------------------------------------------------------------

const PRODUCTS: [(&str, i64); 6] =
    [("lamp", 40), ("desk", 30), ("chair", 25), ("shelf", 20), ("rug", 15), ("vase", 10)];

/// What one task's orders did.
#[derive(Debug, Default)]
struct Orders {
    committed: Vec<Order>,
    refused: Vec<String>,
    conflicts: Vec<String>,
}

/// An order of 2 or 3 distinct products, 1 to 4 of each.
fn random_order(rng: &mut fastrand::Rng, id: String) -> Order {
    let mut skus: Vec<&str> = PRODUCTS.iter().map(|(sku, _)| *sku).collect();
    rng.shuffle(&mut skus);
    let lines = rng.usize(2..=3);
    Order { id, quantities: skus[..lines].iter().map(|sku| ((*sku).to_owned(), rng.i64(1..=4))).collect() }
}

/// Reserves the stock of every line and records the order, in one transaction.
async fn place(db: &Db, stock: &Table<Stock>, orders: &Table<Order>, order: Order, done: &mut Orders) {
    let mut lines: Vec<(&String, i64)> = order.quantities.iter().map(|(sku, q)| (sku, *q)).collect();
    lines.sort();
    let mut transaction = db.transaction();
    for (sku, q) in &lines {
        let q = *q;
        transaction = transaction.update(stock, Stock::key(*sku), update!(Stock: stock -= q; where stock >= q));
    }
    let result = transaction.create(orders, &order).commit().await;
    match result {
        Ok(()) => done.committed.push(order),
        Err(TransactionError::Canceled(canceled)) => {
            assert_eq!(canceled.actions.len(), lines.len() + 1);
            let create = &canceled.actions[lines.len()];
            assert_eq!(create.kind, ActionKind::Create);
            assert_ne!(create.reason, Reason::ConditionFailed, "order ids are unique: {canceled}");
            let short: Vec<_> = canceled.failed().filter(|a| a.reason == Reason::ConditionFailed).collect();
            if short.is_empty() {
                assert!(canceled.failed().any(|a| a.reason == Reason::Conflict), "unexpected: {canceled}");
                done.conflicts.push(order.id);
                return;
            }
            for action in short {
                let (sku, q) = lines[action.index];
                let stored = action.stored_item::<Stock>().expect("the product's stored item");
                assert_eq!(&stored.sku, sku);
                assert!(stored.stock < q, "refused although {} >= {q}: {canceled}", stored.stock);
                assert!(stored.stock >= 0, "negative stock: {stored:?}");
            }
            done.refused.push(order.id);
        }
        Err(other) => panic!("order failed: {other}"),
    }
}

async fn orders_never_oversell(backend: Backend) {
    let per_task = match backend {
        Backend::DynamoDbLocal => 15,
        Backend::Memory => 200,
    };
    let fx = Fixture::<Stock>::new(backend, "inventory").await;
    let orders = second_table::<Order>(&fx.db, "inventory_orders").await;
    for (sku, stock) in PRODUCTS {
        fx.table.put(&Stock { sku: sku.into(), stock }).await.expect("put");
    }

    let start = Arc::new(Barrier::new(TASKS));
    let began = Instant::now();
    let tasks: Vec<_> = (0..TASKS)
        .map(|task| {
            let (db, stock, orders, start) = (fx.db.clone(), fx.table.clone(), orders.clone(), start.clone());
            tokio::spawn(async move {
                let mut rng = fastrand::Rng::with_seed(0x0dde_0000 + task as u64);
                let mut done = Orders::default();
                start.wait().await;
                for n in 0..per_task {
                    let order = random_order(&mut rng, format!("order-{task}-{n}"));
                    place(&db, &stock, &orders, order, &mut done).await;
                }
                done
            })
        })
        .collect();
    let mut all = Orders::default();
    for task in tasks {
        let done = task.await.expect("task panicked");
        all.committed.extend(done.committed);
        all.refused.extend(done.refused);
        all.conflicts.extend(done.conflicts);
    }
    let elapsed = began.elapsed();
    let attempted = TASKS * per_task;
    println!(
        "{backend:?}: {attempted} orders in {elapsed:.2?}: {} committed, {} refused for lack of stock, {} canceled \
         by a conflict",
        all.committed.len(),
        all.refused.len(),
        all.conflicts.len()
    );
    assert_eq!(all.committed.len() + all.refused.len() + all.conflicts.len(), attempted);
    assert!(!all.committed.is_empty() && !all.refused.is_empty(), "both outcomes must occur");
    if backend == Backend::Memory {
        assert!(all.conflicts.is_empty(), "the memory backend has no transaction conflicts");
    }

    // Every committed order is stored as it was sent, no other order is.
    let ids: Vec<String> =
        (0..TASKS).flat_map(|task| (0..per_task).map(move |n| format!("order-{task}-{n}"))).collect();
    let stored_orders: Vec<Order> = orders
        .batch_get(ids.iter().map(|id| Order::key(id.as_str())))
        .await
        .expect("batch_get")
        .into_iter()
        .flatten()
        .collect();
    assert_eq!(stored_orders.len(), all.committed.len(), "one order item per committed transaction");
    let mut committed = all.committed.clone();
    committed.sort_by(|a, b| a.id.cmp(&b.id));
    let mut stored_sorted = stored_orders.clone();
    stored_sorted.sort_by(|a, b| a.id.cmp(&b.id));
    assert_eq!(stored_sorted, committed);

    // Sold (by the stored orders) plus what is left is what there was.
    for (sku, initial) in PRODUCTS {
        let sold: i64 = stored_orders.iter().filter_map(|o| o.quantities.get(sku)).sum();
        let left = read(&fx.table, Stock::key(sku)).await.expect("the product exists").stock;
        println!("   {sku}: {initial} = {sold} sold + {left} left");
        assert!(left >= 0, "{sku}: negative stock {left}");
        assert_eq!(sold + left, initial, "{sku}: sold {sold} + left {left} != {initial}");
    }
}

// ---------------------------------------------------------------------------------------------------------
// Failures
// ---------------------------------------------------------------------------------------------------------

async fn a_canceled_transaction_lists_every_action_and_writes_nothing(backend: Backend) {
    let fx = Fixture::<Account>::new(backend, "canceled").await;
    let orders = second_table::<Order>(&fx.db, "canceled_orders").await;
    let accounts = &fx.table;
    for (id, balance) in [("a", 100), ("b", 5), ("c", 50)] {
        accounts.put(&account(id, balance)).await.expect("put");
    }
    let o1 = order("o1", &[("lamp", 1)]);
    orders.put(&o1).await.expect("put");

    let amount = 10;
    let result = fx
        .db
        .transaction()
        .update(accounts, Account::key("a"), update!(Account: balance -= amount; where balance >= amount))
        .update(accounts, Account::key("b"), update!(Account: balance -= amount; where balance >= amount))
        .put(accounts, &account("d", 1))
        .check(accounts, Account::key("c"), condition!(Account: balance > 1000))
        .delete_if(accounts, Account::key("e"), condition!(Account: balance == 0))
        .create(&orders, &order("o1", &[("desk", 2)]))
        .create(&orders, &order("o2", &[("desk", 2)]))
        .commit()
        .await;
    let canceled = cancellation(result);

    let ok = Reason::None;
    let failed = Reason::ConditionFailed;
    assert_eq!(
        reasons(&canceled),
        [ok.clone(), failed.clone(), ok.clone(), failed.clone(), failed.clone(), failed, ok]
    );
    let indices: Vec<usize> = canceled.actions.iter().map(|a| a.index).collect();
    assert_eq!(indices, [0, 1, 2, 3, 4, 5, 6]);
    let kinds: Vec<ActionKind> = canceled.actions.iter().map(|a| a.kind).collect();
    use ActionKind::{Check, Create, Delete, Put, Update};
    assert_eq!(kinds, [Update, Update, Put, Check, Delete, Create, Create]);
    let keys: Vec<&str> = canceled.actions.iter().map(|a| a.key.as_str()).collect();
    assert_eq!(
        keys,
        [r#"id = "a""#, r#"id = "b""#, r#"id = "d""#, r#"id = "c""#, r#"id = "e""#, r#"id = "o1""#, r#"id = "o2""#]
    );
    let tables: Vec<&str> = canceled.actions.iter().map(|a| a.table.as_str()).collect();
    let (acc, ord) = (accounts.name(), orders.name());
    assert_eq!(tables, [acc, acc, acc, acc, acc, ord, ord]);
    let failed_indices: Vec<usize> = canceled.failed().map(|a| a.index).collect();
    assert_eq!(failed_indices, [1, 3, 4, 5]);

    // The stored items of the failed conditions, as their structs; none where the item does not exist.
    let a = &canceled.actions;
    assert_eq!(a[0].stored_item::<Account>(), None, "the condition held: nothing handed back");
    assert!(a[0].stored.is_none());
    assert_eq!(a[1].stored_item::<Account>(), Some(&account("b", 5)));
    assert_eq!(a[3].stored_item::<Account>(), Some(&account("c", 50)));
    assert_eq!(a[4].stored_item::<Account>(), None, "there is no item e");
    assert!(a[4].stored.as_ref().map(|s| s.attributes()).is_none());
    assert_eq!(a[5].stored_item::<Order>(), Some(&o1));
    assert_eq!(a[5].stored_item::<Account>(), None, "an order is not an account");
    let o1_stored = a[5].stored.as_ref().expect("the stored order");
    assert!(o1_stored.decode_error().is_none());
    assert_eq!(o1_stored.attributes().get("id"), Some(&dynatomic::AttributeValue::S("o1".into())));
    assert_eq!(a[6].stored_item::<Order>(), None);

    let text = canceled.to_string();
    println!("{backend:?}: {text}");
    assert!(text.starts_with("transaction canceled, nothing was written: "), "{text}");
    for part in [
        format!(r#"action 1 (update of id = "b" in `{acc}`): condition failed"#),
        format!(r#"action 3 (condition check of id = "c" in `{acc}`): condition failed"#),
        format!(r#"action 4 (delete of id = "e" in `{acc}`): condition failed"#),
        format!(r#"action 5 (create of id = "o1" in `{ord}`): condition failed"#),
    ] {
        assert!(text.contains(&part), "{text:?} lacks {part:?}");
    }
    assert!(!text.contains("action 0") && !text.contains("action 2") && !text.contains("action 6"), "{text}");
    assert_eq!(TransactionError::Canceled(canceled).to_string(), text, "the error reads as its cancellation");

    // Nothing was written.
    assert_eq!(read(accounts, Account::key("a")).await, Some(account("a", 100)));
    assert_eq!(read(accounts, Account::key("b")).await, Some(account("b", 5)));
    assert_eq!(read(accounts, Account::key("c")).await, Some(account("c", 50)));
    assert_eq!(read(accounts, Account::key("d")).await, None);
    assert_eq!(read(accounts, Account::key("e")).await, None);
    assert_eq!(read(&orders, Order::key("o1")).await, Some(o1));
    assert_eq!(read(&orders, Order::key("o2")).await, None);
}

async fn create_refuses_an_existing_item(backend: Backend) {
    let fx = Fixture::<Account>::new(backend, "tx_create").await;
    fx.table.put(&account("a", 1)).await.expect("put");

    let result = fx
        .db
        .transaction()
        .upsert(&fx.table, Account::key("b"), upsert!(Account: balance += 5))
        .create(&fx.table, &account("a", 2))
        .commit()
        .await;
    let canceled = cancellation(result);
    assert_eq!(reasons(&canceled), [Reason::None, Reason::ConditionFailed]);
    assert_eq!(canceled.actions[0].kind, ActionKind::Upsert);
    assert_eq!(canceled.actions[1].kind, ActionKind::Create);
    assert_eq!(canceled.actions[1].stored_item::<Account>(), Some(&account("a", 1)));
    assert_eq!(read(&fx.table, Account::key("a")).await, Some(account("a", 1)), "nothing was overwritten");
    assert_eq!(read(&fx.table, Account::key("b")).await, None, "the update was not applied");

    // A free key: both are written.
    fx.db
        .transaction()
        .upsert(&fx.table, Account::key("b"), upsert!(Account: balance += 5))
        .create(&fx.table, &account("c", 3))
        .commit()
        .await
        .expect("create of a free key");
    assert_eq!(read(&fx.table, Account::key("b")).await, Some(account("b", 5)));
    assert_eq!(read(&fx.table, Account::key("c")).await, Some(account("c", 3)));
}

async fn an_update_of_a_missing_item_cancels_the_transaction(backend: Backend) {
    let fx = Fixture::<Account>::new(backend, "tx_update_missing").await;
    fx.table.put(&account("a", 10)).await.expect("put");
    let amount = 5;
    let debit = || update!(Account: balance -= amount; where balance >= amount);

    // `update` changes existing items only: a missing one cancels the transaction.
    let result = fx
        .db
        .transaction()
        .update(&fx.table, Account::key("a"), debit())
        .update(&fx.table, Account::key("b"), update!(Account: balance += amount))
        .commit()
        .await;
    let canceled = cancellation(result);
    assert_eq!(reasons(&canceled), [Reason::None, Reason::NotFound]);
    assert_eq!(canceled.actions[1].kind, ActionKind::Update);
    assert!(canceled.actions[1].stored.is_none(), "there is no item to hand back");
    assert!(canceled.only_checks_failed(), "a missing item is a failed check");
    let text = canceled.to_string();
    assert!(
        text.ends_with(&format!(r#"action 1 (update of id = "b" in `{}`): no such item to update"#, fx.table.name())),
        "{text}"
    );
    assert_eq!(read(&fx.table, Account::key("a")).await, Some(account("a", 10)), "nothing was written");
    assert_eq!(read(&fx.table, Account::key("b")).await, None, "the update created nothing");

    // Its own `where` on a missing item: still NotFound; a false `where` on an existing one: ConditionFailed.
    let result = fx
        .db
        .transaction()
        .update(&fx.table, Account::key("a"), update!(Account: balance -= 100; where balance >= 100))
        .update(&fx.table, Account::key("b"), debit())
        .commit()
        .await;
    assert_eq!(reasons(&cancellation(result)), [Reason::ConditionFailed, Reason::NotFound]);

    // `upsert` creates it.
    fx.db
        .transaction()
        .update(&fx.table, Account::key("a"), debit())
        .upsert(&fx.table, Account::key("b"), upsert!(Account: balance += amount))
        .commit()
        .await
        .expect("the credit creates b");
    assert_eq!(read(&fx.table, Account::key("a")).await, Some(account("a", 5)));
    assert_eq!(read(&fx.table, Account::key("b")).await, Some(account("b", 5)));
}

async fn a_false_condition_check_cancels_the_writes(backend: Backend) {
    let fx = Fixture::<Account>::new(backend, "tx_check").await;
    fx.table.put(&account("limit", 50)).await.expect("put");
    fx.table.put(&account("a", 10)).await.expect("put");
    let transfer = |minimum: i64| {
        fx.db
            .transaction()
            .check(&fx.table, Account::key("limit"), condition!(Account: balance >= minimum))
            .update(&fx.table, Account::key("a"), update!(Account: balance += 1))
            .put(&fx.table, &account("b", 7))
    };

    let canceled = cancellation(transfer(51).commit().await);
    assert_eq!(reasons(&canceled), [Reason::ConditionFailed, Reason::None, Reason::None]);
    assert_eq!(canceled.actions[0].kind, ActionKind::Check);
    assert_eq!(canceled.actions[0].stored_item::<Account>(), Some(&account("limit", 50)));
    assert_eq!(read(&fx.table, Account::key("a")).await, Some(account("a", 10)));
    assert_eq!(read(&fx.table, Account::key("b")).await, None);

    // A check on a missing item: its attributes are missing, so the comparison is false.
    let result = fx
        .db
        .transaction()
        .check(&fx.table, Account::key("nobody"), condition!(Account: balance >= 0))
        .update(&fx.table, Account::key("a"), update!(Account: balance += 1))
        .commit()
        .await;
    let canceled = cancellation(result);
    assert_eq!(reasons(&canceled), [Reason::ConditionFailed, Reason::None]);
    assert_eq!(canceled.actions[0].stored_item::<Account>(), None);
    assert_eq!(read(&fx.table, Account::key("nobody")).await, None, "a check writes nothing");

    // The check holds: the writes are applied, the checked item is not written.
    transfer(50).commit().await.expect("the check holds");
    assert_eq!(read(&fx.table, Account::key("a")).await, Some(account("a", 11)));
    assert_eq!(read(&fx.table, Account::key("b")).await, Some(account("b", 7)));
    assert_eq!(read(&fx.table, Account::key("limit")).await, Some(account("limit", 50)));
}

async fn put_if_and_delete_if_in_a_transaction(backend: Backend) {
    let fx = Fixture::<Account>::new(backend, "tx_put_delete_if").await;
    fx.table.put(&account("old", 0)).await.expect("put");
    fx.table.put(&account("kept", 3)).await.expect("put");

    // delete_if with a false condition.
    let result = fx
        .db
        .transaction()
        .delete_if(&fx.table, Account::key("kept"), condition!(Account: balance == 0))
        .put(&fx.table, &account("new", 1))
        .commit()
        .await;
    let canceled = cancellation(result);
    assert_eq!(reasons(&canceled), [Reason::ConditionFailed, Reason::None]);
    assert_eq!((canceled.actions[0].kind, canceled.actions[1].kind), (ActionKind::Delete, ActionKind::Put));
    assert_eq!(canceled.actions[0].stored_item::<Account>(), Some(&account("kept", 3)));
    assert_eq!(read(&fx.table, Account::key("kept")).await, Some(account("kept", 3)), "nothing was deleted");
    assert_eq!(read(&fx.table, Account::key("new")).await, None);

    // put_if with a false condition.
    let result = fx
        .db
        .transaction()
        .delete_if(&fx.table, Account::key("old"), condition!(Account: balance == 0))
        .put_if(&fx.table, &account("kept", 9), condition!(Account: balance > 3))
        .commit()
        .await;
    let canceled = cancellation(result);
    assert_eq!(reasons(&canceled), [Reason::None, Reason::ConditionFailed]);
    assert_eq!(canceled.actions[1].kind, ActionKind::Put);
    assert_eq!(canceled.actions[1].stored_item::<Account>(), Some(&account("kept", 3)));
    assert_eq!(read(&fx.table, Account::key("old")).await, Some(account("old", 0)), "nothing was deleted");
    assert_eq!(read(&fx.table, Account::key("kept")).await, Some(account("kept", 3)), "nothing was replaced");

    // Both conditions hold; a plain delete of a missing item is no error.
    fx.db
        .transaction()
        .delete_if(&fx.table, Account::key("old"), condition!(Account: balance == 0))
        .put_if(&fx.table, &account("kept", 9), condition!(Account: balance == 3))
        .delete(&fx.table, Account::key("never"))
        .commit()
        .await
        .expect("the conditions hold");
    assert_eq!(read(&fx.table, Account::key("old")).await, None);
    assert_eq!(read(&fx.table, Account::key("kept")).await, Some(account("kept", 9)));
}

/// An update that is invalid for the stored item: adding to a number stored as a string.
///
/// The DynamoDB service cancels the transaction and gives that action the reason `ValidationError` ("An
/// operand in the update expression has an incorrect data type"; see TransactWriteItems, "Validation
/// Error"), the other actions `None`. DynamoDB Local refuses the whole request with a ValidationException
/// and that message instead, which dynatomic reports as `TransactionError::Service` of kind `Validation`. The
/// memory backend follows the service.
async fn an_invalid_action_is_canceled_with_a_validation_reason(backend: Backend) {
    const MESSAGE: &str = "An operand in the update expression has an incorrect data type";
    let fx = Fixture::<Account>::new(backend, "tx_validation").await;
    fx.table.put(&account("a", 1)).await.expect("put");
    let s = |text: &str| dynatomic::AttributeValue::S(text.into());
    fx.put_raw(HashMap::from([("id".to_owned(), s("text")), ("balance".to_owned(), s("lots"))])).await;

    let result = fx
        .db
        .transaction()
        .update(&fx.table, Account::key("a"), update!(Account: balance += 1))
        .update(&fx.table, Account::key("text"), update!(Account: balance += 1))
        .commit()
        .await;
    println!("{backend:?}: {result:?}");
    match backend {
        Backend::DynamoDbLocal => match &result {
            Err(error @ TransactionError::Service(service)) if service.kind() == ServiceErrorKind::Validation => {
                assert_eq!((service.code(), service.message()), (Some("ValidationException"), MESSAGE));
                let text = error.to_string();
                assert!(
                    text.starts_with(&format!("DynamoDB request failed: ValidationException: {MESSAGE}")),
                    "{text}"
                );
            }
            other => panic!("expected DynamoDB Local's ValidationException, got {other:?}"),
        },
        Backend::Memory => {
            let canceled = cancellation(result);
            assert_eq!(reasons(&canceled), [Reason::None, Reason::Validation]);
            let invalid = &canceled.actions[1];
            assert_eq!(invalid.message.as_deref(), Some(MESSAGE));
            assert_eq!(invalid.stored_item::<Account>(), None, "only a failed condition hands back the item");
            assert!(!canceled.only_checks_failed(), "an invalid action is not a failed check");
            let text = canceled.to_string();
            let name = fx.table.name();
            assert!(
                text.ends_with(&format!(r#": action 1 (update of id = "text" in `{name}`): invalid ({MESSAGE})"#)),
                "{text}"
            );
        }
    }
    assert_eq!(read(&fx.table, Account::key("a")).await, Some(account("a", 1)), "nothing was written");
    assert_eq!(fx.raw(Account::key("text")).await.get("balance"), Some(&s("lots")));
}

async fn a_transaction_is_refused_before_sending_when_dynamodb_would_refuse_it(backend: Backend) {
    let fx = Fixture::<Account>::new(backend, "tx_refused").await;
    let events = second_table::<Event>(&fx.db, "tx_refused_events").await;
    let blobs = second_table::<Blob>(&fx.db, "tx_refused_blobs").await;
    let (db, accounts) = (&fx.db, &fx.table);
    let name = accounts.name();
    let plus = || update!(Account: balance += 1);

    // No actions.
    let empty = db.transaction();
    assert!(empty.is_empty());
    let error = empty.commit().await.expect_err("an empty transaction");
    assert!(matches!(error, TransactionError::Empty), "{error:?}");
    assert!(error.to_string().contains("no actions"), "{error}");

    // 101 actions.
    let many = (0..101).fold(db.transaction(), |t, i| t.update(accounts, Account::key(format!("n{i}")), plus()));
    assert_eq!(many.len(), 101);
    let error = many.commit().await.expect_err("101 actions");
    assert!(matches!(error, TransactionError::TooManyActions { count: 101 }), "{error:?}");
    let text = error.to_string();
    assert!(text.contains("101 actions") && text.contains("100"), "{text}");

    // Two actions on one item: update and check, with another action between them.
    let error = db
        .transaction()
        .update(accounts, Account::key("a"), plus())
        .update(accounts, Account::key("b"), plus())
        .check(accounts, Account::key("a"), condition!(Account: balance >= 0))
        .commit()
        .await
        .expect_err("update and check of one item");
    match &error {
        TransactionError::SameItem { first: 0, second: 2, table, key } => {
            assert_eq!((table.as_str(), key.as_str()), (name, r#"id = "a""#));
        }
        other => panic!("expected SameItem 0 and 2, got {other:?}"),
    }
    let text = error.to_string();
    assert!(text.contains(&format!(r#"actions 0 and 2 both concern the item id = "a" of table `{name}`"#)), "{text}");
    // Put and delete of one item.
    let error = db
        .transaction()
        .put(accounts, &account("a", 1))
        .delete(accounts, Account::key("a"))
        .commit()
        .await
        .expect_err("put and delete of one item");
    assert!(matches!(error, TransactionError::SameItem { first: 0, second: 1, .. }), "{error:?}");
    // The same key in two tables is two items; the same partition key with two sort keys too.
    let event = |sk: &str| Event { pk: "e".into(), sk: sk.into(), count: 1, note: None };
    let error = db
        .transaction()
        .put(&events, &event("x"))
        .update(&events, Event::key("e", "x"), update!(Event: count += 1))
        .commit()
        .await
        .expect_err("one item with a sort key");
    match &error {
        TransactionError::SameItem { first: 0, second: 1, table, key } => {
            assert_eq!((table.as_str(), key.as_str()), (events.name(), r#"pk = "e", sk = "x""#));
        }
        other => panic!("expected SameItem, got {other:?}"),
    }

    // Over 4 MB: 11 items of about 390 KB.
    let big = |i: usize| Blob { id: format!("big-{i}"), data: "x".repeat(390_000) };
    let error = (0..11).fold(db.transaction(), |t, i| t.put(&blobs, &big(i))).commit().await.expect_err("over 4 MB");
    match error {
        TransactionError::TooLarge { size } => {
            assert!((11 * 390_000..11 * 391_000).contains(&size), "{size}");
            let text = error.to_string();
            assert!(text.contains(&size.to_string()) && text.contains("4 MB"), "{text}");
        }
        other => panic!("expected TooLarge, got {other:?}"),
    }
    assert_eq!(read(&blobs, Blob::key("big-0")).await, None);

    // An empty key, at action 2.
    let error = db
        .transaction()
        .update(accounts, Account::key("a"), plus())
        .put(accounts, &account("b", 1))
        .update(accounts, Account::key(""), plus())
        .commit()
        .await
        .expect_err("an empty key");
    match &error {
        TransactionError::InvalidValue { action: 2, source: ValueError::EmptyKey(attribute) } => {
            assert_eq!(attribute, "id")
        }
        other => panic!("expected an invalid value at action 2, got {other:?}"),
    }
    let text = error.to_string();
    assert!(text.starts_with("action 2: invalid value: ") && text.contains("`id` is empty"), "{text}");

    // An item over 400 KB, at action 1.
    let error = db
        .transaction()
        .put(&blobs, &Blob { id: "small".into(), data: "x".into() })
        .put(&blobs, &Blob { id: "huge".into(), data: "x".repeat(410_000) })
        .commit()
        .await
        .expect_err("an item over 400 KB");
    assert!(
        matches!(&error, TransactionError::InvalidValue { action: 1, source: ValueError::ItemTooLarge { .. } }),
        "{error:?}"
    );
    assert!(error.to_string().starts_with("action 1: invalid value: the item is "), "{error}");
    assert_eq!(read(&blobs, Blob::key("small")).await, None);

    // Tokens: 36 characters at most, not empty.
    let generated = db.transaction();
    assert_eq!(generated.token().len(), 36);
    assert_ne!(generated.token(), db.transaction().token(), "each transaction has its own token");
    for token in ["t".repeat(37), String::new()] {
        let error = db
            .transaction()
            .update(accounts, Account::key("a"), plus())
            .with_token(token.clone())
            .commit()
            .await
            .expect_err("an invalid token");
        assert!(matches!(&error, TransactionError::InvalidToken { token: t } if *t == token), "{error:?}");
        let text = error.to_string();
        assert!(text.contains(&format!("{token:?}")) && text.contains("1 to 36 characters"), "{text}");
    }

    // Nothing was written by any of them.
    for id in ["a", "b", "n0", "n100"] {
        assert_eq!(read(accounts, Account::key(id)).await, None, "{id}");
    }
    assert_eq!(read(&events, Event::key("e", "x")).await, None);

    // The limits themselves are allowed: 36 characters, 10 items of 390 KB (3.9 MB), two sort keys.
    db.transaction()
        .upsert(accounts, Account::key("a"), upsert!(Account: balance += 1))
        // Unique per run: a token is remembered for 10 minutes by the DynamoDB Local both test passes share.
        .with_token(format!("{:x<36}", fastrand::u64(..)))
        .commit()
        .await
        .expect("a token of 36 characters");
    assert_eq!(read(accounts, Account::key("a")).await, Some(account("a", 1)));
    (0..10).fold(db.transaction(), |t, i| t.put(&blobs, &big(i))).commit().await.expect("10 items of 390 KB");
    assert_eq!(read(&blobs, Blob::key("big-9")).await, Some(big(9)));
    db.transaction()
        .put(&events, &event("x"))
        .upsert(&events, Event::key("e", "y"), upsert!(Event: count += 1))
        .put(accounts, &account("e", 1))
        .commit()
        .await
        .expect("two sort keys, and the same key in another table");
    assert_eq!(read(&events, Event::key("e", "y")).await.map(|e| e.count), Some(1));
}

async fn a_transaction_of_100_actions_is_applied(backend: Backend) {
    let fx = Fixture::<Account>::new(backend, "tx_100").await;
    let transaction = (0..100).fold(fx.db.transaction(), |t, i| {
        t.upsert(&fx.table, Account::key(format!("n{i}")), upsert!(Account: balance += i))
    });
    assert_eq!(transaction.len(), 100);
    transaction.commit().await.expect("100 actions");
    let stored = fx.table.batch_get((0..100).map(|i| Account::key(format!("n{i}")))).await.expect("batch_get");
    let balances: Vec<Option<i64>> = stored.into_iter().map(|a| a.map(|a| a.balance)).collect();
    assert_eq!(balances, (0..100).map(Some).collect::<Vec<_>>());
}

async fn a_transaction_on_a_missing_table_is_reported_as_such(backend: Backend) {
    let fx = Fixture::<Account>::new(backend, "tx_missing_table").await;
    let missing = fx.db.table_named::<Account>(unique_table_name("tx_never_created"));
    let error = fx
        .db
        .transaction()
        .upsert(&fx.table, Account::key("a"), upsert!(Account: balance += 1))
        .upsert(&missing, Account::key("a"), upsert!(Account: balance += 1))
        .commit()
        .await
        .expect_err("a missing table");
    println!("{backend:?}: {error:?}");
    match &error {
        TransactionError::Service(service) if service.kind() == ServiceErrorKind::TableNotFound => {
            assert_eq!(service.code(), Some("ResourceNotFoundException"));
            assert!(!service.message().is_empty());
        }
        other => panic!("expected TableNotFound, got {other:?}"),
    }
    assert!(error.to_string().starts_with("DynamoDB request failed: ResourceNotFoundException: "), "{error}");
    assert_eq!(read(&fx.table, Account::key("a")).await, None, "nothing was written");

    let mut reads = fx.db.read_transaction();
    reads.get(&fx.table, Account::key("a"));
    reads.get(&missing, Account::key("a"));
    let error = reads.send().await.expect_err("a missing table");
    assert!(
        matches!(&error, TransactionError::Service(service) if service.kind() == ServiceErrorKind::TableNotFound),
        "{error:?}"
    );
}

// ---------------------------------------------------------------------------------------------------------
// Idempotency
// ---------------------------------------------------------------------------------------------------------

async fn committing_twice_applies_once(backend: Backend) {
    let fx = Fixture::<Account>::new(backend, "tx_twice").await;
    fx.table.put(&account("a", 10)).await.expect("put");
    let amount = 10;
    let transaction = fx
        .db
        .transaction()
        .update(&fx.table, Account::key("a"), update!(Account: balance -= amount; where balance >= amount))
        .upsert(&fx.table, Account::key("b"), upsert!(Account: balance += amount));
    transaction.commit().await.expect("the first commit");
    // Applied again, the condition would fail (a has 0): the second commit is answered from the first.
    transaction.commit().await.expect("the same transaction, committed again");
    transaction.clone().commit().await.expect("and a third time");
    assert_eq!(read(&fx.table, Account::key("a")).await, Some(account("a", 0)));
    assert_eq!(read(&fx.table, Account::key("b")).await, Some(account("b", 10)), "credited once");

    // Another transaction with the same content but its own token is applied.
    let again = fx
        .db
        .transaction()
        .update(&fx.table, Account::key("a"), update!(Account: balance -= amount; where balance >= amount))
        .upsert(&fx.table, Account::key("b"), upsert!(Account: balance += amount));
    assert_ne!(again.token(), transaction.token());
    let canceled = cancellation(again.commit().await);
    assert_eq!(reasons(&canceled), [Reason::ConditionFailed, Reason::None]);
}

async fn a_token_names_one_transaction(backend: Backend) {
    let fx = Fixture::<Account>::new(backend, "tx_token").await;
    let token = format!("deposit-{}", fastrand::u32(..));
    let deposit = |amount: i64| {
        fx.db
            .transaction()
            .upsert(&fx.table, Account::key("c"), upsert!(Account: balance += amount))
            .put(&fx.table, &account("log", amount))
            .with_token(token.clone())
    };
    deposit(5).commit().await.expect("the first commit");
    // Built anew, identical, with the same token: applied once.
    let replay = deposit(5);
    assert_eq!(replay.token(), token);
    replay.commit().await.expect("the replay");
    assert_eq!(read(&fx.table, Account::key("c")).await, Some(account("c", 5)), "deposited once");

    // The same token for a different transaction.
    let error = deposit(6).commit().await.expect_err("another transaction with the token");
    println!("{backend:?}: {error}");
    match &error {
        TransactionError::TokenMismatch { token: t, .. } => assert_eq!(t, &token),
        other => panic!("expected TokenMismatch, got {other:?}"),
    }
    let text = error.to_string();
    assert!(
        text.contains(&format!("{token:?}")) && text.contains("already used for a different transaction"),
        "{text}"
    );
    assert_eq!(read(&fx.table, Account::key("c")).await, Some(account("c", 5)), "nothing was written");
    assert_eq!(read(&fx.table, Account::key("log")).await, Some(account("log", 5)));
    // DynamoDB Local sends its IdempotentParameterMismatchException without a message; the text must not end
    // in a separator followed by nothing then.
    assert!(!text.trim_end().ends_with(':'), "the text ends with an empty message: {text:?}");
}

// ---------------------------------------------------------------------------------------------------------
// TransactGetItems
// ---------------------------------------------------------------------------------------------------------

async fn read_transactions_read_items_of_several_tables(backend: Backend) {
    let fx = Fixture::<Account>::new(backend, "read_tx").await;
    let orders = second_table::<Order>(&fx.db, "read_tx_orders").await;
    fx.table.put(&account("a", 7)).await.expect("put");
    let o1 = order("o1", &[("lamp", 2)]);
    orders.put(&o1).await.expect("put");

    let mut reads = fx.db.read_transaction();
    let a = reads.get(&fx.table, Account::key("a"));
    let x = reads.get(&fx.table, Account::key("x"));
    let first = reads.get(&orders, Order::key("o1"));
    let absent = reads.get(&orders, Order::key("o2"));
    let a_in_orders = reads.get(&orders, Order::key("a"));
    let snapshot = reads.send().await.expect("send");
    assert_eq!(snapshot.get(&a).expect("a"), Some(account("a", 7)));
    assert_eq!(snapshot.get(&x).expect("x"), None);
    assert_eq!(snapshot.get(&first).expect("o1"), Some(o1));
    assert_eq!(snapshot.get(&absent).expect("o2"), None);
    assert_eq!(snapshot.get(&a_in_orders).expect("a in orders"), None, "the same key in another table");
    // Read again: the snapshot does not change.
    assert_eq!(snapshot.get(&a).expect("a"), Some(account("a", 7)));

    // A slot of another read transaction.
    let mut other = fx.db.read_transaction();
    let foreign = other.get(&fx.table, Account::key("a"));
    let other_snapshot = other.send().await.expect("send");
    let error = snapshot.get(&foreign).expect_err("a foreign slot");
    assert!(matches!(error, TransactionError::ForeignSlot), "{error:?}");
    assert!(error.to_string().contains("another read transaction"), "{error}");
    assert!(matches!(other_snapshot.get(&a), Err(TransactionError::ForeignSlot)));
    assert_eq!(other_snapshot.get(&foreign).expect("its own slot"), Some(account("a", 7)));

    // An item that does not fit its struct.
    let s = |text: &str| dynatomic::AttributeValue::S(text.into());
    fx.put_raw(HashMap::from([("id".to_owned(), s("bad")), ("balance".to_owned(), s("lots"))])).await;
    let mut reads = fx.db.read_transaction();
    let bad = reads.get(&fx.table, Account::key("bad"));
    let error = reads.send().await.expect("send").get(&bad).expect_err("a string balance");
    match error {
        TransactionError::Decode(decode) => assert_eq!(decode.path, "balance"),
        other => panic!("expected Decode, got {other:?}"),
    }
}

async fn read_transactions_are_refused_before_sending_when_dynamodb_would_refuse_them(backend: Backend) {
    let fx = Fixture::<Account>::new(backend, "read_tx_refused").await;
    fx.table.put(&account("n5", 5)).await.expect("put");

    let error = fx.db.read_transaction().send().await.expect_err("no reads");
    assert!(matches!(error, TransactionError::Empty), "{error:?}");

    let mut reads = fx.db.read_transaction();
    for i in 0..101 {
        reads.get(&fx.table, Account::key(format!("n{i}")));
    }
    let error = reads.send().await.expect_err("101 reads");
    assert!(matches!(error, TransactionError::TooManyActions { count: 101 }), "{error:?}");

    let mut reads = fx.db.read_transaction();
    reads.get(&fx.table, Account::key("a"));
    reads.get(&fx.table, Account::key("b"));
    reads.get(&fx.table, Account::key("a"));
    let error = reads.send().await.expect_err("one item twice");
    match &error {
        TransactionError::SameItem { first: 0, second: 2, table, key } => {
            assert_eq!((table.as_str(), key.as_str()), (fx.table.name(), r#"id = "a""#));
        }
        other => panic!("expected SameItem 0 and 2, got {other:?}"),
    }

    let mut reads = fx.db.read_transaction();
    reads.get(&fx.table, Account::key("a"));
    reads.get(&fx.table, Account::key(""));
    let error = reads.send().await.expect_err("an empty key");
    assert!(
        matches!(&error, TransactionError::InvalidValue { action: 1, source: ValueError::EmptyKey(_) }),
        "{error:?}"
    );

    // 100 reads are allowed.
    let mut reads = fx.db.read_transaction();
    let slots: Vec<_> = (0..100).map(|i| reads.get(&fx.table, Account::key(format!("n{i}")))).collect();
    let snapshot = reads.send().await.expect("100 reads");
    let found: Vec<usize> = (0..100).filter(|&i| snapshot.get(&slots[i]).expect("get").is_some()).collect();
    assert_eq!(found, [5]);
    assert_eq!(snapshot.get(&slots[5]).expect("get"), Some(account("n5", 5)));
}

/// Readers take snapshots of all accounts while transfers run: every snapshot has the initial total.
async fn snapshots_are_consistent_under_concurrent_transfers(backend: Backend) {
    const WRITERS: usize = 8;
    const READERS: usize = 4;
    let per_writer = match backend {
        Backend::DynamoDbLocal => 30,
        Backend::Memory => 500,
    };
    let fx = Fixture::<Account>::new(backend, "snapshots").await;
    let total = open_accounts(&fx.table).await;

    let writing = Arc::new(AtomicBool::new(true));
    let start = Arc::new(Barrier::new(WRITERS + READERS));
    let readers: Vec<_> = (0..READERS)
        .map(|_| {
            let (db, table, start, writing) = (fx.db.clone(), fx.table.clone(), start.clone(), writing.clone());
            tokio::spawn(async move {
                start.wait().await;
                let mut snapshots: Vec<Vec<i64>> = Vec::new();
                // At least one snapshot after the writers are done.
                let mut last = false;
                while !last {
                    last = !writing.load(Ordering::SeqCst);
                    let mut reads = db.read_transaction();
                    let slots: Vec<_> = (0..ACCOUNTS).map(|i| reads.get(&table, Account::key(account_id(i)))).collect();
                    let snapshot = reads.send().await.expect("a snapshot");
                    let balances: Vec<i64> = slots
                        .iter()
                        .map(|slot| snapshot.get(slot).expect("get").expect("the account exists").balance)
                        .collect();
                    assert_eq!(
                        balances.iter().sum::<i64>(),
                        total,
                        "a snapshot saw a transfer half done: {balances:?}"
                    );
                    assert!(balances.iter().all(|b| *b >= 0), "{balances:?}");
                    snapshots.push(balances);
                    // The memory backend answers without awaiting anything: let the writers run.
                    tokio::task::yield_now().await;
                }
                snapshots
            })
        })
        .collect();
    let writers = spawn_transfers(&fx, WRITERS, per_writer, 0xabcd_0000, &start);
    let mut applied = Vec::new();
    for writer in writers {
        applied.extend(writer.await.expect("writer panicked").applied);
    }
    writing.store(false, Ordering::SeqCst);
    let mut snapshots = Vec::new();
    for reader in readers {
        snapshots.extend(reader.await.expect("reader panicked"));
    }
    snapshots.sort();
    snapshots.dedup();
    println!(
        "{backend:?}: {} transfers applied, {} distinct snapshots, each with the total {total}",
        applied.len(),
        snapshots.len()
    );
    assert!(
        snapshots.len() > 2,
        "the readers did not see the transfers happen: {} distinct snapshots",
        snapshots.len()
    );
    check_balances(&fx.table, &applied, total).await;
}
