//! dynatomic in one screen: reserve stock atomically, and see a refused reservation.
//!
//! `cargo run -p dynatomic-examples --example quickstart` runs it on the embedded in-memory backend; with
//! `DYNAMODB_ENDPOINT` set it runs against that DynamoDB (for DynamoDB Local:
//! `scripts/with-dynamodb-local.sh cargo run -p dynatomic-examples --example quickstart`).
//! It exits with an error when an outcome is not the expected one.

use dynatomic::returning::AllNew;
use dynatomic::{Error, Item, update};
/// What the example fails with: any error, printed, and the process exits with status 1.
type Failure = Box<dyn std::error::Error>;

#[derive(Item, Debug)]
#[dynatomic(table = "quickstart_products")]
struct Product {
    #[dynatomic(partition_key)]
    sku: String,
    stock: i64,
    reserved: i64,
}

#[tokio::main]
async fn main() -> Result<(), Failure> {
    let db = dynatomic_examples::db_from_env().await;
    let products = db.table::<Product>();
    products.create_table().await?;

    products.put(&Product { sku: "sku-1".into(), stock: 5, reserved: 0 }).await?;
    // The first reservation of 3 goes through (5 -> 2); the second finds 2 and is refused.
    let expected = [Some((2, 3)), None];
    for (qty, expected) in [3, 3].into_iter().zip(expected) {
        let op = update!(Product: stock -= qty, reserved += qty; where stock >= qty);
        println!("reserve {qty}: {}  [where {}]", op.update_expression(), op.condition_expression().unwrap_or("-"));
        match products.update(Product::key("sku-1"), op).returning(AllNew).await {
            Ok(now) => {
                println!("  {}: stock {}, reserved {}", now.sku, now.stock, now.reserved);
                if expected != Some((now.stock, now.reserved)) {
                    return Err(format!("unexpected outcome: reserve {qty} should have left {expected:?}").into());
                }
            }
            Err(Error::ConditionFailed { stored, .. }) => {
                let stock = stored.as_ref().and_then(|s| s.item()).map(|p| p.stock);
                println!("  refused: not enough stock (stored stock: {stock:?})");
                if expected.is_some() || stock != Some(2) {
                    return Err(format!("unexpected outcome: reserve {qty} was refused with stock {stock:?}").into());
                }
            }
            Err(other) => return Err(other.into()),
        }
    }
    println!("all outcomes as expected");
    Ok(())
}
