//! Locks on several items, of any tables and types, taken in one call: in one global order, so that two callers
//! that lock the same items in opposite orders cannot deadlock, and committed together as one transaction.

use std::any::Any;
use std::future::Future;
use std::marker::PhantomData;
use std::pin::Pin;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::Duration;

use crate::db::Db;
use crate::error::{DecodeError, Error, InternalError};
use crate::lock::{DEFAULT_LEASE, DEFAULT_WAIT, Locked};
use crate::schema::{Item, Key};
use crate::table::Table;
use crate::transaction::{ActionKind, Reason, Transaction, TransactionError};

/// Why locks on several items were not taken or not committed. Nothing was written in any case, and every
/// lock taken was released.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum LockSetError {
    /// Lock `index` is held by another holder, who did not release it within the wait.
    #[error("lock {index} (`{action}`) is held by another holder, who did not release it within the wait")]
    Held {
        /// The position of the lock, in the order the locks were named.
        index: usize,
        /// Its action name.
        action: String,
    },
    /// The item of lock `index` does not exist (or was deleted before the commit).
    #[error("lock {index}: the item is not in table `{table}`")]
    NotFound {
        /// The position of the lock.
        index: usize,
        /// The item's table.
        table: String,
    },
    /// The lease of lock `index` was lost before the commit: another holder took it over.
    #[error("lock {index} (`{action}`) was lost: its lease ran out and another holder took it over")]
    Lost {
        /// The position of the lock.
        index: usize,
        /// Its action name.
        action: String,
    },
    /// Locks `first` and `second` are the same lock, which would wait for itself.
    #[error("locks {first} and {second} are the same lock (table, key and action): name each once")]
    Duplicate {
        /// The position of the first.
        first: usize,
        /// The position of the second.
        second: usize,
    },
    /// A slot of another set of locks was given to [`HeldLocks::get`].
    #[error("this slot belongs to another set of locks")]
    ForeignSlot,
    /// The item of lock `index` does not fit its struct.
    #[error("lock {index}: the stored item does not fit the struct: {source}")]
    Decode {
        /// The position of the lock.
        index: usize,
        /// Why it does not fit.
        source: DecodeError,
    },
    /// The commit's transaction failed otherwise, or a request of a lock did: see the transaction's error.
    #[error(transparent)]
    Transaction(#[from] TransactionError),
}

impl LockSetError {
    /// The error of taking lock `index`.
    fn of<T>(index: usize, error: Error<T>) -> Self {
        match error {
            Error::LockHeld { action } => LockSetError::Held { index, action },
            Error::NotFound { table } => LockSetError::NotFound { index, table },
            Error::Decode(source) | Error::AppliedUnreadable { source, .. } => LockSetError::Decode { index, source },
            Error::InvalidValue(source) => TransactionError::InvalidValue { action: index, source }.into(),
            Error::Service(error) => TransactionError::Service(error).into(),
            Error::Internal(error) => TransactionError::Internal(error).into(),
            other => TransactionError::Internal(InternalError::new(format!("lock {index}: {other}"))).into(),
        }
    }
}

/// The future of one lock of a set, once its lease and wait are known.
type Taking<'t> = Pin<Box<dyn Future<Output = Result<Box<dyn HeldLock>, LockSetError>> + Send + 't>>;

/// One lock of a set: where it falls in the one order, and how to take it.
struct Entry<'t> {
    order: (String, String, String),
    take: Box<dyn FnOnce(Duration, Duration) -> Taking<'t> + Send + 't>,
}

/// Locks of several items named one by one ([`lock`](Self::lock)), then taken together
/// ([`acquire`](Self::acquire)). Made by [`Db::locks`].
#[must_use = "locks are taken only by `acquire`"]
pub struct LockSet<'t> {
    db: Db,
    id: u64,
    entries: Vec<Entry<'t>>,
    lease: Duration,
    wait: Duration,
}

/// Where one lock's guard is in the [`HeldLocks`] of its set.
pub struct LockSlot<T> {
    set: u64,
    index: usize,
    item: PhantomData<fn() -> T>,
}

impl<T> Clone for LockSlot<T> {
    fn clone(&self) -> Self {
        *self
    }
}

impl<T> Copy for LockSlot<T> {}

impl Db {
    /// A set of locks on several items, of any tables and types of this database: name each with
    /// [`LockSet::lock`], then take them all with [`LockSet::acquire`] and commit them together with
    /// [`HeldLocks::commit`] (through this database, as one transaction).
    ///
    /// ```
    /// # #[tokio::main(flavor = "current_thread")] async fn main() -> Result<(), Box<dyn std::error::Error>> {
    /// #[derive(dynatomic::Item, Debug, Clone)]
    /// struct Order { #[dynatomic(partition_key)] id: String, paid: bool }
    /// #[derive(dynatomic::Item, Debug, Clone)]
    /// struct Account { #[dynatomic(partition_key)] id: String, balance: i64 }
    ///
    /// let db = dynatomic::Db::memory();
    /// let (orders, accounts) = (db.table::<Order>(), db.table::<Account>());
    /// orders.create_table().await?;
    /// accounts.create_table().await?;
    /// orders.put(&Order { id: "o-1".into(), paid: false }).await?;
    /// accounts.put(&Account { id: "ann".into(), balance: 100 }).await?;
    ///
    /// let mut locks = db.locks();
    /// let order = locks.lock(&orders, Order::key("o-1"), "payment");
    /// let account = locks.lock(&accounts, Account::key("ann"), "payment");
    /// let mut held = locks.acquire().await?; // in one global order: no deadlock
    /// held.get_mut(&account)?.balance -= 30;
    /// held.get_mut(&order)?.paid = true;
    /// held.commit().await?; // one transaction, each write only if its lease still holds
    /// # Ok(()) }
    /// ```
    pub fn locks<'t>(&self) -> LockSet<'t> {
        static SETS: AtomicU64 = AtomicU64::new(0);
        let id = SETS.fetch_add(1, Ordering::Relaxed);
        LockSet { db: self.clone(), id, entries: Vec::new(), lease: DEFAULT_LEASE, wait: DEFAULT_WAIT }
    }
}

impl<'t> LockSet<'t> {
    /// Names the lock of `action` on the item with this key; its guard will be at the slot returned.
    pub fn lock<T: Item + Send + Sync>(
        &mut self,
        table: &'t Table<T>,
        key: Key<T>,
        action: impl Into<String>,
    ) -> LockSlot<T> {
        let (index, action) = (self.entries.len(), action.into());
        // By table, then each key attribute's name and whole value, then action.
        let mut parts: Vec<_> = key.attributes().map(|key| key.iter().collect()).unwrap_or_default();
        parts.sort_by(|a, b| a.0.cmp(b.0));
        let order = (table.name().to_owned(), format!("{parts:?}"), action.clone());
        let take = move |lease, wait| -> Taking<'t> {
            Box::pin(async move {
                match table.lock(key, action).lease(lease).wait(wait).await {
                    Ok(locked) => Ok(Box::new(locked) as Box<dyn HeldLock>),
                    Err(error) => Err(LockSetError::of(index, error)),
                }
            })
        };
        self.entries.push(Entry { order, take: Box::new(take) });
        LockSlot { set: self.id, index, item: PhantomData }
    }

    /// The lease of every lock (see [`LockRequest::lease`](crate::LockRequest::lease); default 5 s).
    pub fn lease(mut self, lease: Duration) -> Self {
        self.lease = lease;
        self
    }

    /// How long to wait for each lock (see [`LockRequest::wait`](crate::LockRequest::wait); default 10 s).
    pub fn wait(mut self, wait: Duration) -> Self {
        self.wait = wait;
        self
    }

    /// Takes every lock, one by one in one global order (table, key, action) whatever order they were named in,
    /// and reads each item under its lock. If one cannot be taken, those taken are released and its error is
    /// returned; the same lock named twice is refused before any is taken.
    pub async fn acquire(self) -> Result<HeldLocks, LockSetError> {
        let LockSet { db, id, entries, lease, wait } = self;
        let mut ordered: Vec<(usize, Entry<'t>)> = entries.into_iter().enumerate().collect();
        ordered.sort_by(|a, b| a.1.order.cmp(&b.1.order));
        if let Some(pair) = ordered.windows(2).find(|pair| pair[0].1.order == pair[1].1.order) {
            let (first, second) = (pair[0].0.min(pair[1].0), pair[0].0.max(pair[1].0));
            return Err(LockSetError::Duplicate { first, second });
        }
        let mut held = Vec::with_capacity(ordered.len());
        for (index, entry) in ordered {
            // A lock that cannot be taken drops (and so releases) those taken before it.
            held.push((index, (entry.take)(lease, wait).await?));
        }
        held.sort_by_key(|(index, _)| *index);
        Ok(HeldLocks { db, set: id, locks: held.into_iter().map(|(_, lock)| lock).collect() })
    }
}

/// A held lock of any item type, as a set keeps it.
trait HeldLock: Any + Send {
    fn as_any(&self) -> &dyn Any;
    fn as_any_mut(&mut self) -> &mut dyn Any;
    /// Adds this lock's commit to `transaction`, and stops renewing its lease.
    fn add_commit(&mut self, transaction: Transaction) -> Transaction;
    fn settle(&mut self, sent: &Result<(), TransactionError>);
    fn action(&self) -> &str;
    fn table(&self) -> &str;
}

impl<T: Item + Send + Sync> HeldLock for Locked<T> {
    fn as_any(&self) -> &dyn Any {
        self
    }

    fn as_any_mut(&mut self) -> &mut dyn Any {
        self
    }

    fn add_commit(&mut self, transaction: Transaction) -> Transaction {
        self.stop_renewal();
        transaction.push::<T>(ActionKind::Update, self.prepare_commit(None))
    }

    fn settle(&mut self, sent: &Result<(), TransactionError>) {
        self.settle_transaction(sent);
    }

    fn action(&self) -> &str {
        Locked::action(self)
    }

    fn table(&self) -> &str {
        self.table().name()
    }
}

/// The guards of a set of locks, reached by their slots: each derefs to its item, mutably.
pub struct HeldLocks {
    db: Db,
    set: u64,
    locks: Vec<Box<dyn HeldLock>>,
}

impl std::fmt::Debug for HeldLocks {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let actions: Vec<(&str, &str)> = self.locks.iter().map(|lock| (lock.table(), lock.action())).collect();
        f.debug_struct("HeldLocks").field("locks", &actions).finish()
    }
}

impl HeldLocks {
    /// The guard of the lock at `slot`.
    pub fn get<T: Item>(&self, slot: &LockSlot<T>) -> Result<&Locked<T>, LockSetError> {
        let lock = self.locks.get(slot.index).filter(|_| slot.set == self.set);
        lock.and_then(|lock| lock.as_any().downcast_ref()).ok_or(LockSetError::ForeignSlot)
    }

    /// The guard of the lock at `slot`, to change its item.
    pub fn get_mut<T: Item>(&mut self, slot: &LockSlot<T>) -> Result<&mut Locked<T>, LockSetError> {
        let lock = self.locks.get_mut(slot.index).filter(|_| slot.set == self.set);
        lock.and_then(|lock| lock.as_any_mut().downcast_mut()).ok_or(LockSetError::ForeignSlot)
    }

    /// Writes each item's changed fields, each only if its lease still holds, and releases every lock, in one
    /// TransactWriteItems: all or nothing. A lost lease is [`LockSetError::Lost`], an item deleted meanwhile
    /// [`LockSetError::NotFound`]; then nothing is written, and every lock is released.
    pub async fn commit(mut self) -> Result<(), LockSetError> {
        if self.locks.is_empty() {
            return Ok(());
        }
        let mut transaction = self.db.transaction();
        for lock in &mut self.locks {
            transaction = lock.add_commit(transaction);
        }
        let sent = transaction.commit().await;
        for lock in &mut self.locks {
            lock.settle(&sent);
        }
        sent.map_err(|error| self.failure(error))
    }

    /// The error of a commit whose transaction failed.
    fn failure(&self, error: TransactionError) -> LockSetError {
        let TransactionError::Canceled(canceled) = &error else { return error.into() };
        for action in &canceled.actions {
            let Some(lock) = self.locks.get(action.index) else { continue };
            match action.reason {
                Reason::LockLost => return LockSetError::Lost { index: action.index, action: lock.action().into() },
                Reason::NotFound => return LockSetError::NotFound { index: action.index, table: lock.table().into() },
                _ => {}
            }
        }
        error.into()
    }
}
