//! A schema with the attribute types beyond the basic ones: a `#[derive(Value)]` enum, a `SystemTime`
//! timestamp, a TTL field and serde fields (included with `#[path]`, not a test itself).

use std::time::SystemTime;

#[derive(dynatomic::Value, Clone, Copy, PartialEq, Debug)]
#[dynatomic(rename_all = "snake_case")]
pub enum Status {
    Pending,
    Paid,
    #[dynatomic(rename = "sent")]
    Shipped,
}

#[derive(dynatomic::Value, Clone, Copy, PartialEq, Debug)]
pub enum Color {
    Red,
    Blue,
}

#[derive(serde::Serialize, serde::Deserialize, Clone, PartialEq, Debug)]
pub struct Prefs {
    pub theme: String,
    pub volume: u8,
}

#[derive(dynatomic::Item)]
#[dynatomic(table = "orders", rename_all = "camelCase")]
pub struct Order {
    #[dynatomic(partition_key)]
    pub order_id: String,
    pub status: Status,
    pub color: Color,
    pub created_at: SystemTime,
    #[dynatomic(ttl)]
    pub expires_at: Option<SystemTime>,
    #[dynatomic(serde)]
    pub prefs: Prefs,
    #[dynatomic(serde)]
    pub extra: Option<Prefs>,
}
