//! How dynatomic waits before it sends again: exponential backoff with full jitter, bounded in attempts and
//! in time.

use std::time::{Duration, Instant};

use crate::db::Db;
use crate::error::Error;
use crate::operation::Update;
use crate::schema::{Item, Key};
use crate::table::Table;
use crate::transaction::{CanceledAction, Reason, TransactionError};
use crate::version::Expected;

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

/// An error that another writer may have caused, so that doing the work again on fresh data may succeed: a
/// failed condition, a version conflict, or a transaction canceled for one of these or for a conflict.
pub trait Conflict {
    /// Whether this error is such a conflict.
    fn is_conflict(&self) -> bool;
}

impl<T> Conflict for Error<T> {
    fn is_conflict(&self) -> bool {
        matches!(self, Error::ConditionFailed { .. } | Error::VersionConflict { .. })
    }
}

impl Conflict for TransactionError {
    fn is_conflict(&self) -> bool {
        match self {
            TransactionError::Canceled(canceled) => {
                let retryable = |action: &CanceledAction| {
                    matches!(action.reason, Reason::ConditionFailed | Reason::VersionConflict { .. } | Reason::Conflict)
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
    /// Throttling and transient service errors are not conflicts: aws-sdk-dynamodb retries those itself, as
    /// its client is configured ([`Db::from_client`]).
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
    /// // Move a tenth of a's balance to b, whatever it is when the transfer runs.
    /// let moved = db
    ///     .retry(|| async {
    ///         let mut reads = db.read_transaction();
    ///         let a = reads.get(&accounts, Account::key("a"));
    ///         let read = reads.send().await?.get(&a)?.map_or(0, |a| a.balance);
    ///         let tenth = read / 10;
    ///         db.transaction()
    ///             .update(&accounts, Account::key("a"), update!(Account: balance -= tenth; where balance == read))
    ///             .update(&accounts, Account::key("b"), update!(Account: balance += tenth))
    ///             .commit()
    ///             .await?;
    ///         Ok::<_, dynatomic::TransactionError>(tenth)
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

impl<T: Item> Table<T> {
    /// Read-modify-write: reads the item with this key, lets `change` build an update from it (`None` when
    /// there is no item), and applies the update, expecting the item to be as read: at the version read, for
    /// a versioned item, and otherwise under the update's own `where` condition. On a conflict it reads the
    /// item again and calls `change` again, as [`Db::retry`] does. Returns the item as written and the number
    /// of conflicts retried. The item is read and written with strongly consistent operations.
    ///
    /// ```
    /// # #[derive(dynatomic::Item, Debug)]
    /// # struct Doc { #[dynatomic(partition_key)] id: String, words: u64, #[dynatomic(version)] version: u64 }
    /// # async fn demo() -> Result<(), dynatomic::Error<Doc>> {
    /// let docs = dynatomic::Db::memory().table::<Doc>();
    /// docs.create_table().await?;
    /// docs.create(&Doc { id: "a".into(), words: 10, version: 0 }).await?;
    /// let doubled = docs
    ///     .modify(Doc::key("a"), |doc| {
    ///         let words = doc.map_or(0, |d| d.words * 2);
    ///         dynatomic::update!(Doc: words = words)
    ///     })
    ///     .await?;
    /// assert_eq!((doubled.value.words, doubled.value.version), (20, 2));
    /// # Ok(()) }
    /// # tokio::runtime::Builder::new_current_thread().enable_time().build().unwrap().block_on(demo()).unwrap();
    /// ```
    pub async fn modify(
        &self,
        key: Key<T>,
        mut change: impl FnMut(Option<&T>) -> Update<T>,
    ) -> Result<Retried<T>, Error<T>> {
        let mut attempts = self.db().backoff.start();
        let mut conflicts = 0;
        loop {
            let current = self.get(key.clone()).await?;
            let update = change(current.as_ref());
            let mut key = key.clone();
            if T::VERSION.is_some() {
                key.version = Expected::Exactly(current.as_ref().map_or(0, Item::version));
            }
            match self.update_return_new(key, update).await {
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
