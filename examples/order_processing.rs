//! Order processing with a transaction: an order reserves the stock of each of its products and is recorded,
//! all in one TransactWriteItems request, so an order is never recorded without its stock, and stock is never
//! reserved for an order that was not recorded. An order that asks for more than is in stock changes nothing,
//! and the canceled transaction says which product was short.
//!
//! `cargo run --example order_processing` runs it on the embedded in-memory backend; with `DYNAMODB_ENDPOINT`
//! set it runs against that DynamoDB (`scripts/with-dynamodb-local.sh cargo run --example order_processing`).
//! It exits with an error when an outcome is not the expected one.

use std::collections::BTreeMap;

use dynatomic::{Db, Item, Reason, Table, TransactionError, update};
/// What the example fails with: any error, printed, and the process exits with status 1.
type Failure = Box<dyn std::error::Error>;

#[derive(Item, Debug, Clone, PartialEq)]
#[dynatomic(table = "order_processing_products")]
struct Product {
    #[dynatomic(partition_key)]
    sku: String,
    name: String,
    stock: i64,
}

#[derive(Item, Debug, Clone, PartialEq)]
#[dynatomic(table = "order_processing_orders")]
struct Order {
    #[dynatomic(partition_key)]
    id: String,
    customer: String,
    /// Quantity per sku.
    lines: BTreeMap<String, i64>,
}

/// The catalog, in the order it is shown.
const SKUS: [&str; 3] = ["lamp", "desk", "chair"];

/// How placing an order ended.
#[derive(Debug, PartialEq)]
enum Outcome {
    Placed,
    /// The first product short of stock: sku, quantity asked, stock there was.
    Short {
        sku: String,
        wanted: i64,
        in_stock: i64,
    },
}

#[tokio::main]
async fn main() -> Result<(), Failure> {
    let db = dynatomic_examples::db_from_env().await;
    let products = db.table::<Product>();
    let orders = db.table::<Order>();
    products.create_table().await?;
    orders.create_table().await?;

    // A fresh start, also when the tables are left from an earlier run.
    let catalog = [("lamp", "Desk lamp", 5), ("desk", "Standing desk", 2), ("chair", "Office chair", 4)];
    let catalog: Vec<Product> =
        catalog.into_iter().map(|(sku, name, stock)| Product { sku: sku.into(), name: name.into(), stock }).collect();
    products.batch_put(&catalog).await?;
    orders.batch_delete([Order::key("order-1"), Order::key("order-2")]).await?;
    println!("\ninventory:");
    show_inventory(&db, &products).await?;

    // Order 1: everything is in stock.
    let first = order("order-1", "ada", &[("lamp", 2), ("desk", 1)]);
    println!("\n{} by {}: {}", first.id, first.customer, describe(&first));
    let outcome = place(&db, &products, &orders, &first).await?;
    report(&outcome);
    expect(outcome == Outcome::Placed, "order-1 should have been placed")?;
    expect(orders.get(Order::key("order-1")).await? == Some(first), "order-1 should be recorded")?;
    let after = show_inventory(&db, &products).await?;
    expect(after == stock(&[("lamp", 3), ("desk", 1), ("chair", 4)]), "order-1 should reserve its stock")?;

    // Order 2: one lamp is there, but only one desk is left.
    let second = order("order-2", "grace", &[("lamp", 1), ("desk", 3), ("chair", 1)]);
    println!("\n{} by {}: {}", second.id, second.customer, describe(&second));
    let outcome = place(&db, &products, &orders, &second).await?;
    report(&outcome);
    let expected = Outcome::Short { sku: "desk".into(), wanted: 3, in_stock: 1 };
    expect(outcome == expected, "order-2 should have been refused for lack of desks")?;
    expect(orders.get(Order::key("order-2")).await?.is_none(), "order-2 should not be recorded")?;
    let after = show_inventory(&db, &products).await?;
    expect(after == stock(&[("lamp", 3), ("desk", 1), ("chair", 4)]), "order-2 should change no stock")?;

    println!("\nall outcomes as expected");
    Ok(())
}

fn order(id: &str, customer: &str, lines: &[(&str, i64)]) -> Order {
    Order {
        id: id.into(),
        customer: customer.into(),
        lines: lines.iter().map(|(sku, qty)| ((*sku).to_owned(), *qty)).collect(),
    }
}

/// Reserves every line's stock (`where stock >= qty`) and records the order, in one transaction.
async fn place(db: &Db, products: &Table<Product>, orders: &Table<Order>, order: &Order) -> Result<Outcome, Failure> {
    let lines: Vec<(&String, i64)> = order.lines.iter().map(|(sku, qty)| (sku, *qty)).collect();
    let mut transaction = db.transaction();
    for &(sku, qty) in &lines {
        let reserve = update!(Product: stock -= qty; where stock >= qty);
        transaction = transaction.update(products, Product::key(sku.as_str()), reserve);
    }
    // The order is recorded only if no order has its id.
    transaction = transaction.create(orders, order);

    match transaction.commit().await {
        Ok(()) => Ok(Outcome::Placed),
        Err(TransactionError::Canceled(canceled)) => {
            println!("   {canceled}");
            for action in &canceled.actions {
                println!("   action {} ({} of {}): {}", action.index, action.kind, action.key, action.reason);
            }
            // Actions 0..lines.len() are the reservations, in the order of `lines`.
            let short = canceled
                .failed()
                .find(|action| action.reason == Reason::ConditionFailed && action.index < lines.len())
                .ok_or_else(|| format!("canceled, but no product was short: {canceled}"))?;
            let (sku, wanted) = lines[short.index];
            let in_stock = short.stored_item::<Product>().map(|p| p.stock).ok_or("the short product's stored item")?;
            Ok(Outcome::Short { sku: sku.clone(), wanted, in_stock })
        }
        Err(other) => Err(other.into()),
    }
}

fn report(outcome: &Outcome) {
    match outcome {
        Outcome::Placed => println!("   -> placed: stock reserved and order recorded together"),
        Outcome::Short { sku, wanted, in_stock } => {
            println!("   -> refused: {sku} is short (wanted {wanted}, {in_stock} in stock); nothing was changed")
        }
    }
}

fn describe(order: &Order) -> String {
    order.lines.iter().map(|(sku, qty)| format!("{qty} x {sku}")).collect::<Vec<_>>().join(", ")
}

/// Every product of the catalog, read as one consistent snapshot (TransactGetItems).
async fn inventory(db: &Db, products: &Table<Product>) -> Result<Vec<Product>, Failure> {
    let mut reads = db.read_transaction();
    let slots: Vec<_> = SKUS.iter().map(|sku| reads.get(products, Product::key(*sku))).collect();
    let snapshot = reads.send().await?;
    let mut found = Vec::new();
    for (sku, slot) in SKUS.iter().zip(&slots) {
        found.push(snapshot.get(slot)?.ok_or_else(|| format!("product {sku} is missing"))?);
    }
    Ok(found)
}

/// Prints the inventory and returns the stock by sku.
async fn show_inventory(db: &Db, products: &Table<Product>) -> Result<Vec<(String, i64)>, Failure> {
    let inventory = inventory(db, products).await?;
    for product in &inventory {
        println!("   {:<6} {:<14} stock {}", product.sku, product.name, product.stock);
    }
    Ok(inventory.into_iter().map(|product| (product.sku, product.stock)).collect())
}

/// The stock a list of (sku, stock) pairs describes.
fn stock(pairs: &[(&str, i64)]) -> Vec<(String, i64)> {
    pairs.iter().map(|(sku, stock)| ((*sku).to_owned(), *stock)).collect()
}

fn expect(ok: bool, what: &str) -> Result<(), Failure> {
    if ok { Ok(()) } else { Err(format!("unexpected outcome: {what}").into()) }
}
