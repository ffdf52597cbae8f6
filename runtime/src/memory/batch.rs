//! Batches on the memory backend: BatchWriteItem and BatchGetItem to one table, with DynamoDB Local's limits,
//! its checks in its order and its messages. Every write is applied, each on its own, and nothing is left
//! unprocessed.

use aws_sdk_dynamodb::types::AttributeValue;

use super::Memory;
use super::phases::invalid;
use super::phases::{check_item_values, sized};
use super::store::lock;
use crate::capacity::{self, Tally};
use crate::fast_hash::FastHasher;
use crate::identity::ItemKey;
use crate::limits::{MAX_BATCH_READS, MAX_BATCH_WRITES};
use crate::request::{BatchOp, Failure, RawItem};

/// DynamoDB's message for a batch that names one item twice.
pub(super) const DUPLICATE_KEYS: &str = "Provided list of item keys contains duplicates";

impl Memory {
    /// BatchWriteItem to one table: every put and delete is applied (none is left unprocessed), each on its
    /// own, as DynamoDB applies them.
    pub(crate) fn batch_write(&self, name: &str, ops: Vec<BatchOp>, tally: &mut Tally) -> Result<(), Failure> {
        let table = name;
        if ops.is_empty() {
            return Err(invalid(format!("The batch write request list for a table cannot be null or empty: {table}")));
        }
        if ops.len() > MAX_BATCH_WRITES {
            return Err(invalid("Too many items requested for the BatchWriteItem call"));
        }
        let mut items = Vec::with_capacity(ops.len());
        for op in &ops {
            items.push(match op {
                BatchOp::Put(item) => {
                    check_item_values(item)?;
                    Some(sized(item)?)
                }
                BatchOp::Delete(key) => {
                    check_item_values(key)?;
                    None
                }
            });
        }
        let table = self.table(table)?;
        let mut keys: Vec<ItemKey> = Vec::with_capacity(ops.len());
        for op in &ops {
            let key = match op {
                BatchOp::Put(item) => table.key_of_item(item)?,
                BatchOp::Delete(key) => table.key_of(key)?,
            };
            if keys.contains(&key) {
                return Err(invalid(DUPLICATE_KEYS));
            }
            keys.push(key);
        }
        for (key, item) in keys.into_iter().zip(items) {
            let mut shard = lock(table.shard(&key));
            let size = item.as_ref().map_or(0, |stored| stored.size);
            let old = match item {
                Some(stored) => shard.insert(key, stored),
                None => shard.remove(&key),
            };
            tally.add(name, capacity::write_units(size, old.map_or(0, |old| old.size)));
        }
        Ok(())
    }

    /// BatchGetItem from one table: the items found, one per key that names one, in no particular order.
    pub(crate) fn batch_get(&self, name: &str, keys: Vec<RawItem>, tally: &mut Tally) -> Result<Vec<RawItem>, Failure> {
        let table = name;
        // DynamoDB Local compares the keys as sent (`1` and `1.0` differ), before any other check.
        if has_duplicates(&keys) {
            return Err(invalid(DUPLICATE_KEYS));
        }
        if keys.is_empty() {
            return Err(invalid(format!(
                "The list of keys in RequestItems for BatchGetItem is required: {table} has empty list"
            )));
        }
        if keys.len() > MAX_BATCH_READS {
            return Err(invalid("Too many items requested for the BatchGetItem call"));
        }
        keys.iter().try_for_each(check_item_values)?;
        let table = self.table(table)?;
        let keys = keys.iter().map(|key| table.key_of(key)).collect::<Result<Vec<_>, _>>()?;
        let found = keys.iter().filter_map(|key| {
            let stored = lock(table.shard(key)).get(key).cloned()?;
            // DynamoDB Local counts the items found, each rounded up on its own.
            tally.add(name, capacity::read_units(stored.size));
            Some(stored.item)
        });
        Ok(found.collect())
    }
}

/// Whether two keys of a batch are equal as sent.
fn has_duplicates(keys: &[RawItem]) -> bool {
    let mut hashed: Vec<(u64, usize)> = keys.iter().map(raw_hash).zip(0..).collect();
    hashed.sort_unstable();
    hashed.chunk_by(|a, b| a.0 == b.0).any(|same_hash| {
        same_hash.iter().enumerate().any(|(n, (_, i))| same_hash[..n].iter().any(|(_, j)| keys[*i] == keys[*j]))
    })
}

/// A hash of a key as sent that equal keys share (whatever the order of their attributes); keys with equal
/// hashes are then compared.
fn raw_hash(key: &RawItem) -> u64 {
    use std::hash::Hasher;
    key.iter().fold(0u64, |sum, (name, value)| {
        let mut hasher = FastHasher::default();
        hasher.write(name.as_bytes());
        match value {
            AttributeValue::S(s) | AttributeValue::N(s) => hasher.write(s.as_bytes()),
            AttributeValue::B(b) => hasher.write(b.as_ref()),
            other => hasher.write(crate::expr::values::type_code(other).as_bytes()),
        }
        sum.wrapping_add(hasher.finish())
    })
}
