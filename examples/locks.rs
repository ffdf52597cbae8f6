//! Locks with action names, in rapyer's three scenarios: sections of plain Rust that read items, decide and
//! change them, exclusive for one kind of work on each item:
//!
//! 1. a money transfer between two accounts under the `"transfer"` locks of both, taken with `db.locks()` in
//!    one global order (so transfers in opposite directions cannot deadlock) and committed in one transaction;
//!    an overdraft is refused in plain Rust, and concurrent transfers in both directions conserve the total;
//! 2. two kinds of work on one user at once: `"profile_update"` and `"view_tracking"` are independent locks, so
//!    page views are counted while the profile is being edited, and both commits land (each writes only the
//!    fields it changed);
//! 3. order and inventory processing: an order is locked with the products it needs (items of two types, in one
//!    set), the stock is checked in plain Rust, reserved, and the order marked processed, all in one
//!    transaction; an order that asks for too much is rejected by dropping its locks, which writes nothing.
//!
//! `cargo run --example locks` runs it on the embedded in-memory backend; with `DYNAMODB_ENDPOINT` set it runs
//! against that DynamoDB (`scripts/with-dynamodb-local.sh cargo run --example locks`).
//! It exits with an error when an outcome is not the expected one.

use std::collections::BTreeMap;
use std::time::Duration;

use dynatomic::{Db, Error, Item, LockSetError, LockSlot, Table, Value};
use rust_decimal::Decimal;
/// What the example fails with: any error, printed, and the process exits with status 1.
type Failure = Box<dyn std::error::Error>;

#[derive(Item, Debug, Clone, PartialEq)]
#[dynatomic(table = "locks_accounts")]
struct Account {
    #[dynatomic(partition_key)]
    id: String,
    balance: Decimal,
}

#[derive(Item, Debug, Clone, PartialEq)]
#[dynatomic(table = "locks_users")]
struct User {
    #[dynatomic(partition_key)]
    id: String,
    name: String,
    bio: String,
    views: u64,
}

/// The states of an order, stored as "pending" and "processed".
#[derive(Value, Debug, Clone, Copy, PartialEq)]
#[dynatomic(rename_all = "lowercase")]
enum Status {
    Pending,
    Processed,
}

#[derive(Item, Debug, Clone, PartialEq)]
#[dynatomic(table = "locks_orders")]
struct Order {
    #[dynatomic(partition_key)]
    id: String,
    /// Quantity per sku.
    lines: BTreeMap<String, i64>,
    status: Status,
}

#[derive(Item, Debug, Clone, PartialEq)]
#[dynatomic(table = "locks_products")]
struct Product {
    #[dynatomic(partition_key)]
    sku: String,
    stock: i64,
    reserved: i64,
}

/// How long a caller waits for a lock another holder has (the default is 10 s).
const WAIT: Duration = Duration::from_secs(30);

#[tokio::main]
async fn main() -> Result<(), Failure> {
    let db = dynatomic_examples::db_from_env().await;
    transfers(&db).await?;
    two_actions(&db).await?;
    orders(&db).await?;
    println!("\nall outcomes as expected");
    Ok(())
}

// 1. Transfers under two locks ------------------------------------------------------------------------------

/// Moves `amount` from one account to the other under the `"transfer"` locks of both; `false` when `from` has
/// too little, in which case nothing is written.
async fn transfer(
    db: &Db,
    accounts: &Table<Account>,
    from: &str,
    to: &str,
    amount: Decimal,
) -> Result<bool, LockSetError> {
    let mut locks = db.locks();
    let payer = locks.lock(accounts, Account::key(from), "transfer");
    let payee = locks.lock(accounts, Account::key(to), "transfer");
    // Taken in one global order whatever the order named: transfers in opposite directions cannot deadlock.
    let mut held = locks.wait(WAIT).acquire().await?;
    if held.get(&payer)?.balance < amount {
        return Ok(false); // dropping the guards releases both locks; nothing was written
    }
    held.get_mut(&payer)?.balance -= amount; // plain Rust on what was read under the locks
    held.get_mut(&payee)?.balance += amount;
    held.commit().await?; // one transaction: both balances or neither, each only while its lease holds
    Ok(true)
}

async fn balances(accounts: &Table<Account>) -> Result<(Decimal, Decimal), Failure> {
    let alice = accounts.get(Account::key("alice")).await?.ok_or("alice is missing")?;
    let bob = accounts.get(Account::key("bob")).await?.ok_or("bob is missing")?;
    Ok((alice.balance, bob.balance))
}

async fn transfers(db: &Db) -> Result<(), Failure> {
    println!("\n1. transfers under two locks");
    let accounts = db.table::<Account>();
    accounts.create_table().await?;
    // A fresh start, also when the table is left from an earlier run: `put` replaces the items, locks included.
    accounts.put(&Account { id: "alice".into(), balance: Decimal::new(10000, 2) }).await?;
    accounts.put(&Account { id: "bob".into(), balance: Decimal::new(5000, 2) }).await?;
    let total = Decimal::new(15000, 2);
    println!("   alice has 100.00, bob 50.00");

    let amount = Decimal::new(3000, 2);
    let done = transfer(db, &accounts, "alice", "bob", amount).await?;
    let (alice, bob) = balances(&accounts).await?;
    println!("   alice -> bob {amount}: {}; alice {alice:.2}, bob {bob:.2}", if done { "done" } else { "refused" });
    expect(done && alice == Decimal::new(7000, 2) && bob == Decimal::new(8000, 2), "alice 70.00, bob 80.00")?;

    let amount = Decimal::new(20000, 2);
    let done = transfer(db, &accounts, "bob", "alice", amount).await?;
    let (alice, bob) = balances(&accounts).await?;
    println!(
        "   bob -> alice {amount}: {}; alice {alice:.2}, bob {bob:.2}",
        if done { "done" } else { "refused, too little" }
    );
    expect(!done && (alice, bob) == (Decimal::new(7000, 2), Decimal::new(8000, 2)), "the overdraft wrote nothing")?;

    // 8 tasks, half of them moving money one way and half the other way, all on the same two accounts: the
    // locks are taken in one order, so none deadlocks, and no transfer is lost.
    let (tasks, per_task) = (8, 5);
    let (there, back) = (Decimal::new(250, 2), Decimal::new(175, 2)); // 2.50 alice -> bob, 1.75 bob -> alice
    let workers: Vec<_> = (0..tasks)
        .map(|task| {
            let (db, accounts) = (db.clone(), accounts.clone());
            tokio::spawn(async move {
                let (from, to, amount) = if task % 2 == 0 { ("alice", "bob", there) } else { ("bob", "alice", back) };
                let mut done = 0;
                for _ in 0..per_task {
                    done += usize::from(transfer(&db, &accounts, from, to, amount).await?);
                }
                Ok::<_, LockSetError>(done)
            })
        })
        .collect();
    let mut done = 0;
    for worker in workers {
        done += worker.await.map_err(|e| format!("a transfer task failed: {e}"))??;
    }
    let (alice, bob) = balances(&accounts).await?;
    println!(
        "   {tasks} tasks x {per_task} transfers in opposite directions ({there} alice -> bob, {back} bob -> alice): \
         {done} done; alice {alice:.2}, bob {bob:.2}, total {:.2}",
        alice + bob
    );
    expect(done == tasks * per_task, "every concurrent transfer should go through")?;
    // 20 transfers each way: alice 70.00 - 20 x 2.50 + 20 x 1.75 = 55.00.
    expect(alice == Decimal::new(5500, 2) && bob == Decimal::new(9500, 2), "alice 55.00, bob 95.00")?;
    expect(alice + bob == total, "the total should be conserved")?;
    Ok(())
}

// 2. Two actions on one item ----------------------------------------------------------------------------------

async fn two_actions(db: &Db) -> Result<(), Failure> {
    println!("\n2. profile_update and view_tracking on one user at once");
    let users = db.table::<User>();
    users.create_table().await?;
    users.put(&User { id: "u-1".into(), name: "Ann".into(), bio: String::new(), views: 0 }).await?;

    let mut profile = users.lock(User::key("u-1"), "profile_update").await?;
    println!("   editor: holds profile_update (fence {}), reads views = {}", profile.fence(), profile.views);
    // The same action is exclusive: a second editor is refused at once with `try_lock`.
    match users.try_lock(User::key("u-1"), "profile_update").await {
        Err(Error::LockHeld { action }) => println!("   second editor: refused, {action} is held"),
        Ok(_) => return Err("a second profile_update lock was granted".into()),
        Err(other) => return Err(other.into()),
    }

    // Meanwhile page views are counted under the other action, each under its own lock, without waiting.
    let views = 10;
    let tracker = {
        let users = users.clone();
        tokio::spawn(async move {
            for _ in 0..views {
                let mut user = users.try_lock(User::key("u-1"), "view_tracking").await?;
                user.views += 1;
                user.commit().await?; // writes `views` only
            }
            Ok::<_, Error<User>>(())
        })
    };
    tracker.await.map_err(|e| format!("the view tracker failed: {e}"))??;
    println!("   tracker: counted {views} views under view_tracking while profile_update was held");

    profile.name = "Ann Smith".into();
    profile.bio = "Writes about databases.".into();
    // The editor's copy still says views = 0, but the commit writes only the fields it changed.
    profile.commit().await?;
    let stored = users.get(User::key("u-1")).await?.ok_or("u-1 is missing")?;
    println!("   editor: committed; stored name {:?}, bio {:?}, views {}", stored.name, stored.bio, stored.views);
    expect(stored.name == "Ann Smith" && stored.bio == "Writes about databases.", "the profile edit should land")?;
    expect(stored.views == views, "every view should be counted, and not overwritten by the editor's copy")?;
    Ok(())
}

// 3. Orders and inventory ------------------------------------------------------------------------------------

/// How processing an order ended.
#[derive(Debug, PartialEq)]
enum Outcome {
    Processed,
    /// The order was processed already; nothing was done.
    AlreadyProcessed,
    /// Too little stock of these skus; nothing was written.
    Rejected(Vec<String>),
}

/// Locks the order and its products, checks the stock in plain Rust, reserves it and marks the order processed.
async fn process(db: &Db, orders: &Table<Order>, products: &Table<Product>, id: &str) -> Result<Outcome, Failure> {
    print!("   process {id}: ");
    // The order's lines, as read before the locks: the order is read again under its lock below.
    let listed = orders.get(Order::key(id)).await?.ok_or_else(|| format!("{id} is missing"))?;
    let mut locks = db.locks();
    let order = locks.lock(orders, Order::key(id), "process");
    let lines: Vec<(String, i64, LockSlot<Product>)> = listed
        .lines
        .iter()
        .map(|(sku, qty)| (sku.clone(), *qty, locks.lock(products, Product::key(sku.as_str()), "inventory")))
        .collect();
    let mut held = locks.wait(WAIT).acquire().await?;
    if held.get(&order)?.status == Status::Processed || held.get(&order)?.lines != listed.lines {
        println!("already processed, nothing to do");
        return Ok(Outcome::AlreadyProcessed); // dropping the guards releases every lock
    }
    let mut short = Vec::new();
    for (sku, qty, slot) in &lines {
        let in_stock = held.get(slot)?.stock;
        if in_stock < *qty {
            short.push((sku.clone(), format!("{sku} (wants {qty}, {in_stock} in stock)")));
        }
    }
    if !short.is_empty() {
        let what: Vec<&str> = short.iter().map(|(_, what)| what.as_str()).collect();
        println!("rejected, too little {}; locks dropped, nothing written", what.join(", "));
        return Ok(Outcome::Rejected(short.into_iter().map(|(sku, _)| sku).collect()));
    }
    for (_, qty, slot) in &lines {
        let product = held.get_mut(slot)?;
        product.stock -= qty;
        product.reserved += qty;
    }
    held.get_mut(&order)?.status = Status::Processed;
    // One transaction: the reservations and the order's status together, or nothing.
    held.commit().await?;
    let reserved: Vec<(&str, i64)> = lines.iter().map(|(sku, qty, _)| (sku.as_str(), *qty)).collect();
    println!("reserved {reserved:?}, order processed");
    Ok(Outcome::Processed)
}

async fn orders(db: &Db) -> Result<(), Failure> {
    println!("\n3. orders and inventory");
    let (orders, products) = (db.table::<Order>(), db.table::<Product>());
    orders.create_table().await?;
    products.create_table().await?;
    for (sku, stock) in [("lamp", 5), ("desk", 2), ("chair", 10)] {
        products.put(&Product { sku: sku.into(), stock, reserved: 0 }).await?;
    }
    let order = |id: &str, lines: &[(&str, i64)]| Order {
        id: id.into(),
        lines: lines.iter().map(|(sku, qty)| ((*sku).to_owned(), *qty)).collect(),
        status: Status::Pending,
    };
    orders.put(&order("order-1", &[("lamp", 2), ("desk", 1)])).await?;
    orders.put(&order("order-2", &[("desk", 2), ("chair", 1)])).await?;
    orders.put(&order("order-3", &[("lamp", 3), ("chair", 4)])).await?;
    println!("   stock: lamp 5, desk 2, chair 10");

    expect(process(db, &orders, &products, "order-1").await? == Outcome::Processed, "order-1 should be processed")?;
    let rejected = process(db, &orders, &products, "order-2").await?;
    expect(rejected == Outcome::Rejected(vec!["desk".into()]), "order-2 should be rejected, short of desks")?;
    expect(process(db, &orders, &products, "order-3").await? == Outcome::Processed, "order-3 should be processed")?;
    let again = process(db, &orders, &products, "order-1").await?;
    expect(again == Outcome::AlreadyProcessed, "order-1 should not be processed twice")?;

    let mut stored = BTreeMap::new();
    for sku in ["lamp", "desk", "chair"] {
        let product = products.get(Product::key(sku)).await?.ok_or_else(|| format!("{sku} is missing"))?;
        stored.insert(sku, (product.stock, product.reserved));
    }
    println!("   (stock, reserved): {stored:?}");
    let expected = BTreeMap::from([("lamp", (0, 5)), ("desk", (1, 1)), ("chair", (6, 4))]);
    expect(stored == expected, "order-1 and order-3 reserved their stock, order-2 nothing")?;
    for (id, status) in [("order-1", Status::Processed), ("order-2", Status::Pending), ("order-3", Status::Processed)] {
        let order = orders.get(Order::key(id)).await?.ok_or_else(|| format!("{id} is missing"))?;
        println!("   {id}: {:?}", order.status);
        expect(order.status == status, "order-1 and order-3 processed, order-2 still pending")?;
    }
    Ok(())
}

fn expect(ok: bool, what: &str) -> Result<(), Failure> {
    if ok { Ok(()) } else { Err(format!("unexpected outcome: {what}").into()) }
}
