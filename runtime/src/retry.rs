//! Retrying work that another writer got in the way of: what a conflict is, [`Db::retry`] and
//! [`Table::modify`].

use std::sync::Arc;

use crate::db::Db;
use crate::error::Error;
use crate::guard::Unchanged;
use crate::operation::Update;
use crate::request::present;
use crate::schema::{Expect, Item, Key};
use crate::table::Table;
use crate::transaction::{CanceledAction, Reason, TransactionError};
use crate::write::AllNew;

/// An error that another writer caused, so that doing the work again on fresh data may succeed: the stored
/// item is at another version than the one read ([`Key::at_version`](crate::Key::at_version)), or no longer the
/// item read ([`Key::if_unchanged`]), or a transaction was canceled only for these or for a conflict with
/// another transaction.
///
/// A condition written in `where` or [`condition!`](crate::condition) is a rule, not a conflict: when it is
/// false ([`Error::ConditionFailed`]), it fails at once with its explanation, as does a missing item
/// ([`Error::NotFound`]). To make a retried write depend on what was read, say so with the key:
/// `Key::if_unchanged(&read)`.
pub trait Conflict {
    /// Whether this error is such a conflict.
    fn is_conflict(&self) -> bool;
}

impl<T> Conflict for Error<T> {
    fn is_conflict(&self) -> bool {
        matches!(self, Error::VersionConflict { .. } | Error::Changed { .. })
    }
}

impl Conflict for TransactionError {
    fn is_conflict(&self) -> bool {
        match self {
            TransactionError::Canceled(canceled) => {
                let retryable = |action: &CanceledAction| {
                    matches!(action.reason, Reason::VersionConflict { .. } | Reason::Changed | Reason::Conflict)
                };
                canceled.failed().next().is_some() && canceled.failed().all(retryable)
            }
            _ => false,
        }
    }
}

/// A result reached after retrying conflicts.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Retried<R> {
    /// The result.
    pub value: R,
    /// How many attempts failed with a conflict before it.
    pub conflicts: u32,
}

impl Db {
    /// Runs `attempt` until it succeeds, retrying it after each [`Conflict`] with this database's
    /// [`Backoff`](crate::Backoff) (exponential, full jitter, bounded in attempts and time); any other error, or the last
    /// conflict when the bounds are reached, is returned. `attempt` should read what it needs each time, so
    /// that it works on fresh data.
    ///
    /// A failed `where` or [`condition!`](crate::condition) is a rule, not a conflict: it is returned at once.
    /// Conflicts are what the key says to check: [`Key::at_version`](crate::Key::at_version) and
    /// [`Key::if_unchanged`]. Throttling and transient service errors are not conflicts either: aws-sdk-dynamodb
    /// retries those itself, as its client is configured ([`Db::from_client`]).
    ///
    /// ```
    /// # #[derive(dynatomic::Item, Debug)]
    /// # struct Account { #[dynatomic(partition_key)] id: String, balance: i64 }
    /// # async fn demo() -> Result<(), Box<dyn std::error::Error>> {
    /// use dynatomic::{update, Db};
    /// let db = Db::memory();
    /// let accounts = db.table::<Account>();
    /// accounts.create_table().await?;
    /// accounts.put(&Account { id: "a".into(), balance: 100 }).await?;
    /// accounts.put(&Account { id: "b".into(), balance: 0 }).await?;
    /// // Move a tenth of a's balance to b, whatever it is when the transfer runs.
    /// let moved = db
    ///     .retry(|| async {
    ///         let mut reads = db.read_transaction();
    ///         let a = reads.get(&accounts, Account::key("a"));
    ///         let read = reads.send().await?.get(&a)?.expect("a has an account");
    ///         let tenth = read.balance / 10;
    ///         db.transaction()
    ///             .update(&accounts, Account::key("a").if_unchanged(&read), update!(Account: balance -= tenth))
    ///             .update(&accounts, Account::key("b"), update!(Account: balance += tenth))
    ///             .commit()
    ///             .await
    ///             .map(|()| tenth)
    ///     })
    ///     .await?;
    /// assert_eq!((moved.value, moved.conflicts), (10, 0));
    /// # Ok(()) }
    /// # tokio::runtime::Builder::new_current_thread().enable_time().build().unwrap().block_on(demo()).unwrap();
    /// ```
    pub async fn retry<R, E: Conflict, F: Future<Output = Result<R, E>>>(
        &self,
        mut attempt: impl FnMut() -> F,
    ) -> Result<Retried<R>, E> {
        let mut attempts = self.backoff.start();
        let mut conflicts = 0;
        loop {
            match attempt().await {
                Ok(value) => return Ok(Retried { value, conflicts }),
                Err(error) if error.is_conflict() && attempts.retry_conflict("retry").await => conflicts += 1,
                Err(error) => return Err(error),
            }
        }
    }
}

impl<T: Item + Sync> Table<T> {
    /// Read-modify-write of an existing item: reads the item with this key, lets `change` build an update from
    /// it, and applies the update only if the item is still as read: at the version read, for a versioned item,
    /// and otherwise with every attribute as read ([`Key::if_unchanged`]). When another writer changed the item
    /// in between, it reads the item again and calls `change` again, as [`Db::retry`] does. A missing item is
    /// [`Error::NotFound`]; a `where` part of the update that is false is [`Error::ConditionFailed`] at once (a
    /// rule, not a conflict). Returns the item as written and the number of conflicts retried. The item is read
    /// and written with strongly consistent operations.
    ///
    /// ```
    /// # #[derive(dynatomic::Item, Debug)]
    /// # struct Doc { #[dynatomic(partition_key)] id: String, words: u64 }
    /// # async fn demo() -> Result<(), dynatomic::Error<Doc>> {
    /// let docs = dynatomic::Db::memory().table::<Doc>();
    /// docs.create_table().await?;
    /// docs.create(&Doc { id: "a".into(), words: 10 }).await?;
    /// let doubled = docs.modify(Doc::key("a"), |doc| dynatomic::update!(Doc: words = doc.words * 2)).await?;
    /// assert_eq!((doubled.value.words, doubled.conflicts), (20, 0));
    /// # Ok(()) }
    /// # tokio::runtime::Builder::new_current_thread().enable_time().build().unwrap().block_on(demo()).unwrap();
    /// ```
    pub async fn modify(&self, key: Key<T>, mut change: impl FnMut(&T) -> Update<T>) -> Result<Retried<T>, Error<T>> {
        let mut attempts = self.db.backoff.start();
        let mut conflicts = 0;
        loop {
            let raw = self.db.backend.get(self.name(), key.clone().into_attributes()?).await?;
            let raw = present(raw).ok_or_else(|| Error::NotFound { table: self.name().to_owned() })?;
            // An item without a version is guarded by every attribute as read, before it is decoded.
            let unchanged = T::VERSION.is_none().then(|| Unchanged::new(&raw, T::ATTRIBUTES, &[]));
            let current = T::from_item(raw)?;
            let update = change(&current);
            let mut key = key.clone();
            key.expect = match unchanged {
                Some(unchanged) => Expect::Unchanged(Arc::new(unchanged)),
                None => Expect::Version(current.version()),
            };
            match self.update(key, update).returning(AllNew).await {
                Ok(value) => return Ok(Retried { value, conflicts }),
                Err(error) if error.is_conflict() && attempts.retry_conflict("modify").await => conflicts += 1,
                Err(error) => return Err(error),
            }
        }
    }
}
