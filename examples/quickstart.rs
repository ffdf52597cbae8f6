//! dynatomic in one screen: reserve stock atomically, and see a refused reservation.
//!
//! Runs against DynamoDB at `DYNAMODB_ENDPOINT` (for DynamoDB Local: `scripts/with-dynamodb-local.sh
//! cargo run -p dynatomic-examples --example quickstart`).

use dynatomic::{Db, Error, Item, update};

#[derive(Item, Debug)]
#[dynatomic(table = "quickstart_products")]
struct Product {
    #[dynatomic(partition_key)]
    sku: String,
    stock: i64,
    reserved: i64,
}

#[tokio::main]
async fn main() -> Result<(), Box<dyn std::error::Error>> {
    let endpoint = std::env::var("DYNAMODB_ENDPOINT")
        .map_err(|_| "set DYNAMODB_ENDPOINT, or run through scripts/with-dynamodb-local.sh")?;
    let db = Db::connect(Some(&endpoint)).await;
    let products = db.table::<Product>();
    products.create_table().await?;

    products.put(&Product { sku: "sku-1".into(), stock: 5, reserved: 0 }).await?;
    for qty in [3, 3] {
        let op = update!(Product: stock -= qty, reserved += qty; where stock >= qty);
        println!("reserve {qty}: {}  [where {}]", op.update_expression(), op.condition_expression().unwrap_or("-"));
        match products.update_return_new(Product::key("sku-1"), op).await {
            Ok(now) => println!("  {}: stock {}, reserved {}", now.sku, now.stock, now.reserved),
            Err(Error::ConditionFailed { stored, .. }) => {
                let stock = stored.map(|p| p.stock);
                println!("  refused: not enough stock (stored stock: {stock:?})");
            }
            Err(other) => return Err(other.into()),
        }
    }
    Ok(())
}
