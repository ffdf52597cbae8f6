//! Locks on several items taken in one call: in one global order, so that two callers that lock the same items
//! in opposite orders cannot deadlock, and committed together as one transaction.

use std::future::{Future, IntoFuture};
use std::ops::{Index, IndexMut};
use std::pin::Pin;
use std::time::Duration;

use crate::db::Db;
use crate::error::Error;
use crate::lock::{LockRequest, Locked};
use crate::schema::{Item, Key};
use crate::table::Table;
use crate::transaction::{ActionKind, Reason, TransactionError};

/// The builder [`Db::lock_all`] returns: awaiting it takes every lock.
#[must_use = "locks are taken only when awaited"]
pub struct LockAll<'t, T> {
    requests: Vec<LockRequest<'t, T>>,
}

impl Db {
    /// Takes the locks of several items of `T`, each `(table, key, action)`, and reads each under its lock. They
    /// are taken one by one in one global order (table name, key, action), whatever order they are given in, so
    /// that callers that lock the same items cannot deadlock; if one cannot be taken, those taken are released.
    /// The guards come back in the order given; [`LockedSet::commit`] writes them in one transaction, so name
    /// each item once.
    ///
    /// ```
    /// # #[tokio::main(flavor = "current_thread")] async fn main() -> Result<(), Box<dyn std::error::Error>> {
    /// #[derive(dynatomic::Item, Debug, Clone)]
    /// struct Account { #[dynatomic(partition_key)] id: String, balance: i64 }
    ///
    /// let db = dynatomic::Db::memory();
    /// let accounts = db.table::<Account>();
    /// accounts.create_table().await?;
    /// for id in ["ann", "bob"] {
    ///     accounts.put(&Account { id: id.into(), balance: 100 }).await?;
    /// }
    /// let mut pair = db
    ///     .lock_all([(&accounts, Account::key("bob"), "transfer"), (&accounts, Account::key("ann"), "transfer")])
    ///     .await?;
    /// pair[0].balance -= 30; // bob
    /// pair[1].balance += 30; // ann
    /// pair.commit().await?; // both or neither, each only if its lease still holds
    /// # Ok(()) }
    /// ```
    pub fn lock_all<'t, T: Item>(
        &self,
        locks: impl IntoIterator<Item = (&'t Table<T>, Key<T>, &'t str)>,
    ) -> LockAll<'t, T> {
        LockAll { requests: locks.into_iter().map(|(table, key, action)| table.lock(key, action)).collect() }
    }
}

impl<T: Item> LockAll<'_, T> {
    /// The lease of every lock (see [`LockRequest::lease`]).
    pub fn lease(mut self, lease: Duration) -> Self {
        self.requests = self.requests.into_iter().map(|request| request.lease(lease)).collect();
        self
    }

    /// How long to wait for each lock (see [`LockRequest::wait`]).
    pub fn wait(mut self, wait: Duration) -> Self {
        self.requests = self.requests.into_iter().map(|request| request.wait(wait)).collect();
        self
    }
}

impl<'t, T: Item + Send + Sync> IntoFuture for LockAll<'t, T> {
    type Output = Result<LockedSet<T>, Error<T>>;
    type IntoFuture = Pin<Box<dyn Future<Output = Self::Output> + Send + 't>>;

    fn into_future(self) -> Self::IntoFuture {
        Box::pin(async move {
            let mut ordered: Vec<(usize, LockRequest<'t, T>)> = self.requests.into_iter().enumerate().collect();
            // The one order: by table, key and action.
            ordered.sort_by_cached_key(|(_, request)| request.order());
            // The same lock twice would wait for itself: refused before any is taken.
            if let Some(pair) = ordered.windows(2).find(|pair| pair[0].1.order() == pair[1].1.order()) {
                let (first, second) = (pair[0].0.min(pair[1].0), pair[0].0.max(pair[1].0));
                return Err(Error::DuplicateKey { first, second });
            }
            let mut held = Vec::with_capacity(ordered.len());
            for (position, request) in ordered {
                // A lock that cannot be taken drops (and so releases) those taken before it.
                held.push((position, request.await?));
            }
            held.sort_by_key(|(position, _)| *position);
            Ok(LockedSet { locks: held.into_iter().map(|(_, locked)| locked).collect() })
        })
    }
}

impl<T: Item> LockRequest<'_, T> {
    /// Where the lock falls in the one order every set of locks is taken in: by table, by each key attribute's
    /// name and full value, and by action.
    fn order(&self) -> (String, String, String) {
        let mut key: Vec<_> = self.key().attributes().map(|key| key.iter().collect()).unwrap_or_default();
        key.sort_by(|a, b| a.0.cmp(b.0));
        (self.table().name().to_owned(), format!("{key:?}"), self.action_name().to_owned())
    }
}

/// Held locks of several items, in the order they were asked for: index it to reach each guard (and its item).
pub struct LockedSet<T: Item> {
    locks: Vec<Locked<T>>,
}

impl<T: Item> Index<usize> for LockedSet<T> {
    type Output = Locked<T>;

    fn index(&self, index: usize) -> &Locked<T> {
        &self.locks[index]
    }
}

impl<T: Item> IndexMut<usize> for LockedSet<T> {
    fn index_mut(&mut self, index: usize) -> &mut Locked<T> {
        &mut self.locks[index]
    }
}

impl<T: Item + Send + Sync> LockedSet<T> {
    /// The number of locks.
    pub fn len(&self) -> usize {
        self.locks.len()
    }

    /// Whether the set holds no lock.
    pub fn is_empty(&self) -> bool {
        self.locks.is_empty()
    }

    /// Writes each item's changed fields, each only if its lease still holds, and releases every lock, in one
    /// TransactWriteItems: all or nothing. A lost lease is [`Error::LockLost`], and an item deleted meanwhile
    /// [`Error::NotFound`], each as the [`Error::EntryFailed`] of its position.
    pub async fn commit(mut self) -> Result<(), Error<T>> {
        let Some(first) = self.locks.first() else { return Ok(()) };
        let table = first.table().clone();
        let mut transaction = table.db().transaction();
        for locked in &mut self.locks {
            locked.stop_renewal();
            transaction = transaction.push::<T>(ActionKind::Update, locked.prepare_commit(None));
        }
        let sent = transaction.commit().await;
        for locked in &mut self.locks {
            locked.settle_transaction(&sent);
        }
        sent.map_err(|error| self.failure(&table, error))
    }

    /// The error of a commit whose transaction failed.
    fn failure(&self, table: &Table<T>, error: TransactionError) -> Error<T> {
        let lost = match &error {
            TransactionError::Canceled(canceled) => {
                canceled.actions.iter().find(|action| action.reason == Reason::LockLost).map(|action| action.index)
            }
            _ => None,
        };
        match lost {
            Some(index) => {
                let action = self.locks[index].action().to_owned();
                Error::EntryFailed { index, failure: Box::new(Error::LockLost { action, stored: None }) }
            }
            None => table.entry_error(0, error),
        }
    }
}
