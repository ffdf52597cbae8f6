//! How dynatomic waits before it sends again: exponential backoff with full jitter, bounded in attempts and
//! in time. Batches use it to resend what DynamoDB leaves unprocessed, and retries of conflicts between their
//! attempts.

use std::time::{Duration, Instant};

use crate::telemetry::{self, Operation};

/// When and how often to try again: the `n`-th retry waits a random time between zero and
/// `min(max_delay, base × 2ⁿ)` ("full jitter"), and there are at most `max_attempts` attempts in all, none
/// starting after `max_elapsed`.
///
/// Batches use it to resend what DynamoDB left unprocessed, and [`Db::retry`](crate::Db::retry),
/// [`Table::modify`](crate::Table::modify) and checked batches between retries of conflicts
/// ([`Db::with_backoff`](crate::Db::with_backoff)).
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
        full_jitter(self.base, self.max_delay, retry)
    }

    /// Starts counting attempts.
    pub(crate) fn start(&self) -> Attempts {
        Attempts { backoff: *self, started: Instant::now(), made: 1 }
    }
}

/// Exponential backoff with full jitter: the wait before retry number `retry` (0 for the first), uniformly
/// random up to `min(max, base × 2ʳᵉᵗʳʸ)`. dynatomic's retries ([`Backoff`]) and the SDK's resends
/// ([`Resends`](crate::Resends)) both wait so.
pub(crate) fn full_jitter(base: Duration, max: Duration, retry: u32) -> Duration {
    let ceiling = base.saturating_mul(2u32.saturating_pow(retry)).min(max);
    Duration::from_nanos(fastrand::u64(0..=u64::try_from(ceiling.as_nanos()).unwrap_or(u64::MAX)))
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
        if self.made >= self.backoff.max_attempts
            || self.started.elapsed().saturating_add(delay) > self.backoff.max_elapsed
        {
            return false;
        }
        tokio::time::sleep(delay).await;
        self.made += 1;
        true
    }

    /// Waits before retrying a conflict of `operation` and returns `true`, or returns `false` when the bounds
    /// allow no more; each with its event.
    pub(crate) async fn retry_conflict(&mut self, operation: &'static str) -> bool {
        let again = self.wait().await;
        let conflicts = if again { self.made - 1 } else { self.made };
        match again {
            true => telemetry::retrying(operation, conflicts),
            false => telemetry::gave_up(operation, conflicts),
        }
        again
    }

    /// Waits before resending the `entries` of a batch that DynamoDB left unprocessed and returns `true`, or
    /// returns `false` when the bounds allow no more; each with its event.
    pub(crate) async fn resend(&mut self, operation: Operation, table: &str, entries: usize) -> bool {
        let again = self.wait().await;
        match again {
            true => telemetry::resending(operation, table, entries),
            false => telemetry::batch_incomplete(operation, table, entries),
        }
        again
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
