//! A tour of dynatomic: atomic counters under contention, guarded writes that refuse to overdraw or
//! oversell, list and set updates, defaults, and a failed condition that shows the stored item.
//!
//! `cargo run --example tour` runs it on the embedded in-memory backend (no server needed); with
//! `DYNAMODB_ENDPOINT` set it runs the same steps against that DynamoDB (for example DynamoDB Local).

use std::collections::HashSet;

use dynatomic::{Db, Error, Item, condition, update};

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
    balance: i64,
}

#[derive(Item, Debug)]
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

type Failure = Box<dyn std::error::Error + Send + Sync>;

#[tokio::main]
async fn main() -> Result<(), Failure> {
    let db = dynatomic_examples::db_from_env().await;
    counter(&db).await?;
    transfer(&db).await?;
    inventory(&db).await?;
    Ok(())
}

/// 16 tasks hammer one counter; no increment is lost.
async fn counter(db: &Db) -> Result<(), Failure> {
    let pages = db.table::<Page>();
    pages.create_table().await?;
    let (tasks, per_task) = (16, 50);
    let workers: Vec<_> = (0..tasks)
        .map(|_| {
            let pages = pages.clone();
            tokio::spawn(async move {
                for _ in 0..per_task {
                    pages.update(Page::key("/home"), update!(Page: hits += 1)).await?;
                }
                Ok::<_, Error<Page>>(())
            })
        })
        .collect();
    for worker in workers {
        worker.await??;
    }
    let home = pages.get(Page::key("/home")).await?.ok_or("the page was not created")?;
    println!("\n1. counter: {tasks} tasks x {per_task} `hits += 1` on a missing item -> hits = {}", home.hits);
    Ok(())
}

/// A debit guarded by the balance: the second one would overdraw and is refused.
async fn transfer(db: &Db) -> Result<(), Failure> {
    let accounts = db.table::<Account>();
    accounts.create_table().await?;
    accounts.put(&Account { id: "alice".into(), balance: 100 }).await?;
    println!("\n2. guarded debit: alice has 100");
    for amount in [70, 70] {
        let debit = update!(Account: balance -= amount; where balance >= amount);
        match accounts.update_return_new(Account::key("alice"), debit).await {
            Ok(alice) => println!("   debit {amount}: done, balance {}", alice.balance),
            Err(Error::ConditionFailed { stored, .. }) => {
                let balance = stored.map(|a| a.balance);
                println!("   debit {amount}: refused, insufficient funds (stored balance {balance:?})");
            }
            Err(other) => return Err(other.into()),
        }
    }
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
    products.create(&lamp).await?;
    println!("\n3. inventory: lamp created with stock 5");
    show("create again", products.create(&lamp).await.map(|()| None));

    let qty = 3;
    let reserve = update!(Product: stock -= qty, reserved += qty; where stock >= qty);
    println!(
        "   reserve {qty}: {}  where {}",
        reserve.update_expression(),
        reserve.condition_expression().unwrap_or("")
    );
    show("reserve 3", products.update_return_new(Product::key("lamp"), reserve).await.map(Some));
    let reserve = update!(Product: stock -= qty, reserved += qty; where stock >= qty);
    show("reserve 3 more", products.update_return_new(Product::key("lamp"), reserve).await.map(Some));

    let lists = update!(Product: tags.append(["sale"]), labels.insert(["eco", "led"]));
    println!("   lists and sets: {}", lists.update_expression());
    show("append a tag, insert labels", products.update_return_new(Product::key("lamp"), lists).await.map(Some));
    let default = update!(Product: version.if_not_exists(1_u64), tags.prepend(["new"]), labels.delete(["led"]));
    show(
        "default version, prepend a tag, delete a label",
        products.update_return_new(Product::key("lamp"), default).await.map(Some),
    );
    let discontinue = condition!(Product: stock == 0 && !labels.contains("eco"));
    println!("   delete only if sold out and not eco: {}", discontinue.expression());
    show("conditional delete", products.delete_if(Product::key("lamp"), discontinue).await);
    Ok(())
}

/// Prints what a step did: the item afterwards, or the stored item a failed condition carries.
fn show(step: &str, result: Result<Option<Product>, Error<Product>>) {
    match result {
        Ok(Some(p)) => println!(
            "   {step}: ok -> stock {}, reserved {}, tags {:?}, labels {:?}, version {:?}",
            p.stock,
            p.reserved,
            p.tags,
            sorted(&p.labels),
            p.version
        ),
        Ok(None) => println!("   {step}: ok"),
        Err(Error::ConditionFailed { stored: Some(p), .. }) => println!(
            "   {step}: refused, the condition was false; stored item: stock {}, reserved {}, labels {:?}",
            p.stock,
            p.reserved,
            sorted(&p.labels)
        ),
        Err(other) => println!("   {step}: failed: {other}"),
    }
}

fn sorted(labels: &HashSet<String>) -> Vec<&str> {
    let mut labels: Vec<&str> = labels.iter().map(String::as_str).collect();
    labels.sort_unstable();
    labels
}
