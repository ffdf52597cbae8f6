//! A DynamoDB table name holds only letters, digits, `_`, `-` and `.`.

#[derive(dynatomic::Item)]
#[dynatomic(table = "my products")]
struct Product {
    #[dynatomic(partition_key)]
    pk: String,
}

fn main() {}
