//! The schema the compile-fail cases are written against (included with `#[path]`, not a test itself).

use std::collections::{HashMap, HashSet};

#[derive(dynatomic::Item)]
pub struct Address {
    pub city: String,
    pub zip: Option<String>,
}

#[derive(dynatomic::Item)]
#[dynatomic(table = "products")]
pub struct Product {
    #[dynatomic(partition_key)]
    pub pk: String,
    #[dynatomic(sort_key)]
    pub sk: String,
    pub stock: i64,
    pub reserved: i64,
    pub price: f64,
    pub hits: u64,
    pub active: bool,
    pub tags: Vec<String>,
    pub labels: HashSet<String>,
    pub scores: HashMap<String, i64>,
    pub address: Address,
    pub note: Option<String>,
    #[dynatomic(rename = "ver")]
    pub version: u64,
}
