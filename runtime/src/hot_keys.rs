//! The hot key detector: counts writes per partition key over a sliding window and says when a key passes a
//! threshold (the database's telemetry warns). DynamoDB throttles one partition at about 1,000 write units a second, whatever the table's
//! capacity, so one busy key can throttle while the table looks idle.

use std::sync::Mutex;
use std::time::{Duration, Instant};

use crate::fast_hash::FastMap;

/// When a partition key is hot: more than `threshold` writes within `window`, counted by the process that
/// sends them (other processes writing the same key are not seen). Given to
/// [`Db::with_hot_key_warnings`](crate::Db::with_hot_key_warnings).
///
/// ```
/// use std::time::Duration;
/// let db = dynatomic::Db::memory()
///     .with_hot_key_warnings(dynatomic::HotKeys { threshold: 500, window: Duration::from_secs(1) });
/// # drop(db);
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct HotKeys {
    /// Writes to one partition key within the window that make it hot.
    pub threshold: u32,
    /// The length of the sliding window.
    pub window: Duration,
}

impl Default for HotKeys {
    /// 1,000 writes a second: DynamoDB's limit for one partition, for items up to 1 KB.
    fn default() -> Self {
        HotKeys { threshold: 1000, window: Duration::from_secs(1) }
    }
}

/// The detector a database with hot key warnings shares between its handles.
#[derive(Debug)]
pub(crate) struct Detector {
    settings: HotKeys,
    started: Instant,
    counts: Mutex<Counts>,
}

/// The counts of the keys written in the current window and the one before.
#[derive(Debug, Default)]
struct Counts {
    window: u64,
    keys: FastMap<(String, String), Count>,
}

/// One key's writes in its last two windows.
#[derive(Debug)]
struct Count {
    window: u64,
    current: u32,
    previous: u32,
    warned: bool,
}

impl Detector {
    pub(crate) fn new(settings: HotKeys) -> Self {
        Detector { settings, started: Instant::now(), counts: Mutex::new(Counts::default()) }
    }

    /// Counts a write to the item with this partition key (as text); returns the writes counted in the window
    /// when the key has just become hot.
    pub(crate) fn wrote(&self, table: &str, key: String) -> Option<u64> {
        self.wrote_at(Instant::now(), table, key)
    }

    fn wrote_at(&self, now: Instant, table: &str, key: String) -> Option<u64> {
        let window = self.settings.window.max(Duration::from_millis(1));
        let elapsed = now.saturating_duration_since(self.started);
        let index = u64::try_from(elapsed.as_nanos() / window.as_nanos()).unwrap_or(u64::MAX);
        // How far into the current window: the previous window counts for what is left of it.
        let into = (elapsed.as_nanos() % window.as_nanos()) as f64 / window.as_nanos() as f64;
        let mut counts = self.counts.lock().unwrap_or_else(std::sync::PoisonError::into_inner);
        if counts.window != index {
            counts.window = index;
            counts.keys.retain(|_, count| count.window + 1 >= index);
        }
        let count = counts.keys.entry((table.to_owned(), key)).or_insert(Count {
            window: index,
            current: 0,
            previous: 0,
            warned: false,
        });
        if count.window != index {
            count.previous = if count.window + 1 == index { count.current } else { 0 };
            count.current = 0;
            count.window = index;
        }
        count.current = count.current.saturating_add(1);
        let writes = f64::from(count.previous) * (1.0 - into) + f64::from(count.current);
        let threshold = f64::from(self.settings.threshold);
        if writes >= threshold && !count.warned {
            count.warned = true;
            return Some(writes.round() as u64);
        }
        if writes < threshold / 2.0 {
            count.warned = false;
        }
        None
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_key_is_hot_once_it_passes_the_threshold_within_the_window() {
        let detector = Detector::new(HotKeys { threshold: 3, window: Duration::from_secs(1) });
        let start = detector.started;
        let at = |ms| start + Duration::from_millis(ms);
        assert_eq!(detector.wrote_at(at(0), "t", "k".into()), None);
        assert_eq!(detector.wrote_at(at(100), "t", "other".into()), None);
        assert_eq!(detector.wrote_at(at(200), "t", "k".into()), None);
        assert_eq!(detector.wrote_at(at(300), "t", "k".into()), Some(3), "three writes within a second");
        assert_eq!(detector.wrote_at(at(400), "t", "k".into()), None, "said once");
        // Half a window later, half of the first window's four writes still count: 2 + 1 is still hot.
        assert_eq!(detector.wrote_at(at(1500), "t", "k".into()), None);
        // Long after, the key is cold: its count starts over, and it can become hot again.
        assert_eq!(detector.wrote_at(at(10_000), "t", "k".into()), None);
        let counts = detector.counts.lock().expect("lock");
        assert_eq!(counts.keys.len(), 1, "keys not written for two windows are forgotten");
        let count = counts.keys.values().next().expect("the key");
        assert_eq!((count.current, count.previous, count.warned), (1, 0, false));
        drop(counts);
        assert_eq!(detector.wrote_at(at(10_100), "t", "k".into()), None);
        assert_eq!(detector.wrote_at(at(10_200), "t", "k".into()), Some(3));
    }
}
