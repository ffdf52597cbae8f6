//! A DynamoDB table name has 3 to 255 characters: too short, and too long.

#[derive(dynatomic::Item)]
#[dynatomic(table = "pr")]
struct Product {
    #[dynatomic(partition_key)]
    pk: String,
}

#[derive(dynatomic::Item)]
#[dynatomic(
    table = "orders_orders_orders_orders_orders_orders_orders_orders_orders_orders_orders_orders_orders_orders_orders_orders_orders_orders_orders_orders_orders_orders_orders_orders_orders_orders_orders_orders_orders_orders_orders_orders_orders_orders_orders_orders_orde"
)]
struct Order {
    #[dynatomic(partition_key)]
    pk: String,
}

fn main() {}
