//! How dynatomic waits before it sends again: exponential backoff with full jitter, bounded in attempts and
//! in time.

use std::time::{Duration, Instant};

use std::sync::Arc;

use crate::db::Db;
use crate::error::Error;
use crate::guard::Unchanged;
use crate::operation::Update;
use crate::schema::{Expect, Item, Key};
use crate::table::Table;
use crate::transaction::{CanceledAction, Reason, TransactionError};
use crate::write::AllNew;

/// When and how often to try again: the `n`-th retry waits a random time between zero and
/// `min(max_delay, base × 2ⁿ)` ("full jitter"), and there are at most `max_attempts` attempts in all, none
/// starting after `max_elapsed`.
///
/// Batch writes and reads use it to resend what DynamoDB left unprocessed ([`Db::with_backoff`](crate::Db::with_backoff)).
///
/// ```
/// use std::time::Duration;
/// let backoff = dynatomic::Backoff { max_attempts: 5, ..dynatomic::Backoff::default() };
/// assert!(backoff.delay(3) <= Duration::from_millis(25 * 8));
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Backoff {
    /// Attempts in all, the first included (at least 1).
    pub max_attempts: u32,
    /// The ceiling of the first retry's wait; each retry doubles it.
    pub base: Duration,
    /// The highest ceiling of a wait.
    pub max_delay: Duration,
    /// No attempt starts this long after the first one.
    pub max_elapsed: Duration,
}

impl Default for Backoff {
    /// 10 attempts, waits from up to 25 ms growing to up to 2 s, at most 20 s in all.
    fn default() -> Self {
        Backoff {
            max_attempts: 10,
            base: Duration::from_millis(25),
            max_delay: Duration::from_secs(2),
            max_elapsed: Duration::from_secs(20),
        }
    }
}

impl Backoff {
    /// The wait before retry number `retry` (0 for the first retry): uniformly random up to its ceiling.
    pub fn delay(&self, retry: u32) -> Duration {
        let ceiling = self.base.saturating_mul(2u32.saturating_pow(retry)).min(self.max_delay);
        Duration::from_nanos(fastrand::u64(0..=u64::try_from(ceiling.as_nanos()).unwrap_or(u64::MAX)))
    }

    /// Starts counting attempts.
    pub(crate) fn start(&self) -> Attempts {
        Attempts { backoff: *self, started: Instant::now(), made: 1 }
    }
}

/// The attempts made so far under one [`Backoff`].
#[derive(Debug)]
pub(crate) struct Attempts {
    backoff: Backoff,
    started: Instant,
    made: u32,
}

impl Attempts {
    /// Waits before the next attempt and returns `true`, or returns `false` when the bounds allow no more.
    pub(crate) async fn wait(&mut self) -> bool {
        let delay = self.backoff.delay(self.made - 1);
        if self.made >= self.backoff.max_attempts || self.started.elapsed() + delay > self.backoff.max_elapsed {
            return false;
        }
        tokio::time::sleep(delay).await;
        self.made += 1;
        true
    }
}

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
    /// [`Backoff`] (exponential, full jitter, bounded in attempts and time); any other error, or the last
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
                Err(error) if error.is_conflict() && attempts.wait().await => conflicts += 1,
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
        let keys: Vec<&str> = T::KEY.names().collect();
        loop {
            let raw = self.db.backend.get(self.name(), key.clone().into_attributes()?).await?;
            let raw =
                raw.filter(|item| !item.is_empty()).ok_or_else(|| Error::NotFound { table: self.name().to_owned() })?;
            let current = T::from_item(raw.clone())?;
            let update = change(&current);
            let mut key = key.clone();
            key.expect = match T::VERSION {
                Some(_) => Expect::Version(current.version()),
                None => Expect::Unchanged(Arc::new(Unchanged::new(&raw, T::ATTRIBUTES, &keys))),
            };
            match self.update(key, update).returning(AllNew).await {
                Ok(value) => return Ok(Retried { value, conflicts }),
                Err(error) if error.is_conflict() && attempts.wait().await => conflicts += 1,
                Err(error) => return Err(error),
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn delays_stay_under_their_growing_ceiling() {
        let backoff = Backoff::default();
        for retry in 0..40 {
            let ceiling = (backoff.base * 2u32.saturating_pow(retry.min(31))).min(backoff.max_delay);
            for _ in 0..50 {
                assert!(backoff.delay(retry) <= ceiling, "retry {retry}");
            }
        }
        // Full jitter: the waits spread over the whole range, not just near the ceiling.
        let waits: Vec<Duration> = (0..200).map(|_| backoff.delay(6)).collect();
        assert!(waits.iter().any(|w| *w < backoff.max_delay / 2));
        assert!(waits.iter().any(|w| *w > backoff.max_delay / 2));
    }

    #[tokio::test]
    async fn attempts_are_bounded_in_number_and_in_time() {
        let backoff = Backoff { max_attempts: 4, base: Duration::from_millis(1), ..Backoff::default() };
        let mut attempts = backoff.start();
        let mut made = 1;
        while attempts.wait().await {
            made += 1;
        }
        assert_eq!(made, 4);

        let backoff = Backoff {
            max_attempts: 1000,
            base: Duration::from_millis(5),
            max_delay: Duration::from_millis(5),
            max_elapsed: Duration::from_millis(60),
        };
        let started = Instant::now();
        let mut attempts = backoff.start();
        let mut made = 1;
        while attempts.wait().await {
            made += 1;
        }
        assert!(started.elapsed() <= Duration::from_millis(60) + Duration::from_millis(30));
        assert!((2..1000).contains(&made), "{made} attempts");
    }
}
