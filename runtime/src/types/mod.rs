//! Attribute types beyond the standard scalars and collections of `attribute.rs`: enums of unit variants
//! (`#[derive(Value)]`, helpers in `__private`), timestamps and TTL timestamps, and with their cargo features
//! exact decimals, UUIDs and any serde type.

#[cfg(any(feature = "rust_decimal", feature = "bigdecimal"))]
mod decimal;
pub(crate) mod serde;
pub(crate) mod timestamp;
#[cfg(feature = "uuid")]
mod uuid;
