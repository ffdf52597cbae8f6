//! The store of the memory backend: tables, their items spread over independently locked shards, and the
//! locks a request that touches several shards takes in one global order.

use std::hash::{BuildHasher, BuildHasherDefault};
use std::sync::{Mutex, MutexGuard, PoisonError};

use crate::error::InternalError;
use crate::fast_hash::{FastHasher, FastMap};
use crate::identity::{ItemKey, KeyError, KeyNames};
use crate::request::{Failure, RawItem};
use crate::schema::KeyKind;

/// One table: its key attributes and its items, spread over shards by key.
pub(super) struct Table {
    pub(super) partition: (String, KeyKind),
    pub(super) sort: Option<(String, KeyKind)>,
    pub(super) shards: Box<[Mutex<Shard>]>,
    /// The attribute TTL is enabled on, if it is (DynamoDB deletes expired items in the background, typically
    /// within days; the memory backend keeps them, as a read within that delay finds them).
    pub(super) ttl: Mutex<Option<String>>,
}

/// The items of one shard of a table, by key.
pub(super) type Shard = FastMap<ItemKey, Stored>;

/// A shard's place in the one order every request that locks several shards takes them in: the table's
/// address, then the shard's number.
pub(super) type ShardId = (usize, usize);

/// A stored item and its size as DynamoDB counts it.
#[derive(Debug, Clone)]
pub(super) struct Stored {
    pub(super) item: RawItem,
    pub(super) size: usize,
}

/// Number of independently locked parts of a table (a power of two).
pub(super) const SHARDS: usize = 64;

/// The lock of a shard (or of the token log); a lock a panicking thread left is taken as it is, as the data
/// behind it is only changed by whole commits.
pub(super) fn lock<T>(mutex: &Mutex<T>) -> MutexGuard<'_, T> {
    mutex.lock().unwrap_or_else(PoisonError::into_inner)
}

impl Table {
    /// The shard that holds the item with this key.
    pub(super) fn shard(&self, key: &ItemKey) -> &Mutex<Shard> {
        &self.shards[Self::shard_number(key)]
    }

    /// The shard that holds the item with this key, and its place in the locking order.
    pub(super) fn shard_of(&self, key: &ItemKey) -> (ShardId, &Mutex<Shard>) {
        let number = Self::shard_number(key);
        ((std::ptr::from_ref(self) as usize, number), &self.shards[number])
    }

    pub(super) fn shard_number(key: &ItemKey) -> usize {
        // The high bits of FastHasher are the well mixed ones.
        let hash = BuildHasherDefault::<FastHasher>::default().hash_one(key);
        (hash >> 58) as usize % SHARDS
    }

    pub(super) fn key_names(&self) -> impl Iterator<Item = &(String, KeyKind)> {
        std::iter::once(&self.partition).chain(&self.sort)
    }

    /// The identity of the item a Key parameter names, refusing keys that do not fit the schema.
    pub(super) fn key_of(&self, key: &RawItem) -> Result<ItemKey, KeyError> {
        ItemKey::of_key(key, self.schema())
    }

    /// The identity of an item, refusing items whose key attributes are missing or do not fit the schema.
    pub(super) fn key_of_item(&self, item: &RawItem) -> Result<ItemKey, KeyError> {
        ItemKey::of_item(item, self.schema())
    }

    /// The table's key attributes.
    pub(super) fn schema(&self) -> KeyNames<'_> {
        KeyNames {
            partition: (&self.partition.0, self.partition.1),
            sort: self.sort.as_ref().map(|(n, k)| (n.as_str(), *k)),
        }
    }
}

/// The locks of a set of shards, taken in one global order ([`ShardId`]) so that requests that lock several
/// shards cannot deadlock, and held until this is dropped.
pub(super) struct Locked<'t> {
    guards: Vec<(ShardId, MutexGuard<'t, Shard>)>,
}

impl<'t> Locked<'t> {
    /// Locks each distinct shard of `shards`.
    pub(super) fn new(shards: impl Iterator<Item = (ShardId, &'t Mutex<Shard>)>) -> Self {
        let mut shards: Vec<_> = shards.collect();
        shards.sort_unstable_by_key(|(id, _)| *id);
        shards.dedup_by_key(|(id, _)| *id);
        Locked { guards: shards.into_iter().map(|(id, shard)| (id, lock(shard))).collect() }
    }

    /// The items of a locked shard.
    pub(super) fn shard(&self, id: ShardId) -> Result<&Shard, Failure> {
        let i = self.position(id)?;
        Ok(&self.guards[i].1)
    }

    /// The items of a locked shard, to change them.
    pub(super) fn shard_mut(&mut self, id: ShardId) -> Result<&mut Shard, Failure> {
        let i = self.position(id)?;
        Ok(&mut self.guards[i].1)
    }

    fn position(&self, id: ShardId) -> Result<usize, Failure> {
        self.guards
            .binary_search_by_key(&id, |(id, _)| *id)
            .map_err(|_| InternalError::new("a shard of the request was not locked").into())
    }
}
