//! `upsert!` may create the item, so it must set every field the item cannot be read without: here it sets
//! `stock` but neither `reserved` nor `body`. `Option` fields, sets, keys, the version and fields marked
//! `#[dynatomic(default)]` may be left out.

#[derive(dynatomic::Item)]
struct Item {
    #[dynatomic(partition_key)]
    pk: String,
    stock: i64,
    reserved: i64,
    body: String,
    note: Option<String>,
    labels: std::collections::HashSet<String>,
    #[dynatomic(default)]
    hits: u64,
    #[dynatomic(version)]
    version: u64,
}

fn main() {
    let _ = dynatomic::upsert!(Item: stock = 1, note = "n");
}
