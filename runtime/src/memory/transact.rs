//! Multi-item requests on the memory backend: TransactWriteItems, TransactGetItems, BatchWriteItem and
//! BatchGetItem. (Placeholder until implemented.)

use super::Memory;
use crate::request::{BatchOp, RawItem, Refusal, TransactWrite};

fn pending() -> Refusal {
    Refusal::Service("not implemented yet".into())
}

impl Memory {
    /// TransactWriteItems.
    pub(crate) fn transact_write(&self, _request: TransactWrite) -> Result<(), Refusal> {
        Err(pending())
    }

    /// TransactGetItems.
    pub(crate) fn transact_get(&self, _items: Vec<(String, RawItem)>) -> Result<Vec<Option<RawItem>>, Refusal> {
        Err(pending())
    }

    /// BatchWriteItem.
    pub(crate) fn batch_write(&self, _table: &str, _ops: Vec<BatchOp>) -> Result<(), Refusal> {
        Err(pending())
    }

    /// BatchGetItem.
    pub(crate) fn batch_get(&self, _table: &str, _keys: Vec<RawItem>) -> Result<Vec<RawItem>, Refusal> {
        Err(pending())
    }
}
