//! A rate limiter: at most `LIMIT` requests per user in each fixed window of `WINDOW`, counted with one
//! conditional write per request. The counter of a window is an item keyed by the user and the window's start;
//! a request is allowed when an `upsert!` can create the counter (the first request of the window) or increment
//! it while it is below the limit, and refused when that condition is false. DynamoDB decides the condition and
//! the increment in one step, so the limit is exact under any concurrency: 20 tasks sending 5 requests each
//! against a limit of 30 get exactly 30 through. No locks are needed: a lock would cost two writes and a wait
//! per request where one conditional counter does, and no request ever waits for another.
//!
//! The next window is another item, so the count starts again when the window rolls over. An old window's
//! item expires with DynamoDB's TTL (`#[dynatomic(ttl)] expires_at`, enabled by `create_table`); DynamoDB
//! deletes expired items lazily, so a write that must not touch an expired window says so itself
//! (`where expires_at > now`), as the refund of a request does here.
//!
//! `cargo run --example rate_limiter` runs it on the embedded in-memory backend; with `DYNAMODB_ENDPOINT` set it
//! runs against that DynamoDB (`scripts/with-dynamodb-local.sh cargo run --example rate_limiter`).
//! It exits with an error when an outcome is not the expected one.

use std::time::{Duration, SystemTime, UNIX_EPOCH};

use dynatomic::{Error, Item, Table, update, upsert};
/// What the example fails with: any error, printed, and the process exits with status 1.
type Failure = Box<dyn std::error::Error>;

/// The requests of one user in one window.
#[derive(Item, Debug, Clone, PartialEq)]
#[dynatomic(table = "rate_limiter_windows")]
struct Window {
    #[dynatomic(partition_key)]
    user: String,
    /// The window's start, in seconds since the Unix epoch.
    #[dynatomic(sort_key)]
    start: u64,
    /// The requests allowed in the window.
    count: u32,
    /// When DynamoDB may delete the item: the window's end and a margin.
    #[dynatomic(ttl)]
    expires_at: SystemTime,
}

/// The requests a user may make in a window.
const LIMIT: u32 = 30;
/// The length of a window, in seconds.
const WINDOW: u64 = 60;
/// How long a window's item is kept after the window ends, in seconds.
const MARGIN: u64 = 300;

/// The start of the window `now` falls in, in seconds since the Unix epoch.
fn window_start(now: SystemTime) -> u64 {
    let seconds = now.duration_since(UNIX_EPOCH).map_or(0, |since| since.as_secs());
    seconds - seconds % WINDOW
}

/// Counts a request of `user` at `now` if the user has requests left in this window: one conditional write.
async fn allow(windows: &Table<Window>, user: &str, now: SystemTime) -> Result<Result<u32, Refused>, Error<Window>> {
    let start = window_start(now);
    let expires_at = UNIX_EPOCH + Duration::from_secs(start + WINDOW + MARGIN);
    // The first request of the window creates the counter (no `count` yet); the others increment it while it is
    // below the limit.
    let count =
        upsert!(Window: count += 1, expires_at.if_not_exists(expires_at); where !count.exists() || count < LIMIT);
    match windows.upsert(Window::key(user, start), count).returning(dynatomic::returning::AllNew).await {
        Ok(window) => Ok(Ok(window.count)),
        Err(Error::ConditionFailed { stored, explanation }) => {
            let count = stored.as_ref().and_then(|s| s.item()).map(|w| w.count);
            Ok(Err(Refused { count, explanation: explanation.map(|e| e.to_string()) }))
        }
        Err(other) => Err(other),
    }
}

/// Why a request was refused: the stored count, and the condition's explanation.
#[derive(Debug)]
struct Refused {
    count: Option<u32>,
    explanation: Option<String>,
}

#[tokio::main]
async fn main() -> Result<(), Failure> {
    let db = dynatomic_examples::db_from_env().await;
    let windows = db.table::<Window>();
    windows.create_table().await?;
    let ttl = windows.time_to_live().await?;
    println!("TTL attribute of {}: {ttl:?}", windows.name());
    expect(ttl.as_deref() == Some("expires_at"), "create_table should enable TTL on expires_at")?;

    // The clock is passed in, so that the next window comes without waiting a minute. The burst's requests all
    // arrive at one instant, so that they fall in one window even when a real window ends during the run.
    let now = SystemTime::now();
    let start = window_start(now);
    let next = now + Duration::from_secs(WINDOW);
    // A fresh start, also when the table is left from an earlier run.
    for (user, start) in [("ann", start), ("ann", start + WINDOW), ("bob", start)] {
        windows.delete(Window::key(user, start)).await?;
    }

    // 1. A burst: 20 tasks x 5 requests of ann, against a limit of 30.
    let (tasks, per_task) = (20, 5);
    let burst: Vec<_> = (0..tasks)
        .map(|_| {
            let windows = windows.clone();
            tokio::spawn(async move {
                let mut outcomes = Vec::new();
                for _ in 0..per_task {
                    outcomes.push(allow(&windows, "ann", now).await?);
                }
                Ok::<_, Error<Window>>(outcomes)
            })
        })
        .collect();
    let mut outcomes = Vec::new();
    for task in burst {
        outcomes.extend(task.await.map_err(|e| format!("a burst task failed: {e}"))??);
    }
    let mut counts: Vec<u32> = outcomes.iter().filter_map(|o| o.as_ref().ok().copied()).collect();
    counts.sort_unstable();
    let refused: Vec<&Refused> = outcomes.iter().filter_map(|o| o.as_ref().err()).collect();
    println!(
        "\n1. ann: {tasks} tasks x {per_task} requests at once, limit {LIMIT}: {} allowed, {} refused",
        counts.len(),
        refused.len()
    );
    expect(counts.len() == 30 && refused.len() == 70, "exactly 30 allowed, 70 refused")?;
    expect(counts == (1..=LIMIT).collect::<Vec<_>>(), "the allowed requests are counted 1 to 30, each once")?;
    let first = refused.first().ok_or("a refused request")?;
    println!(
        "   a refused request found count = {:?}: {}",
        first.count,
        first.explanation.as_deref().unwrap_or("(no explanation)")
    );
    expect(refused.iter().all(|r| r.count == Some(LIMIT)), "each refusal found the window full")?;
    let stored = windows.get(Window::key("ann", start)).await?.ok_or("ann's window is missing")?;
    let expiry = stored.expires_at.duration_since(UNIX_EPOCH)?.as_secs();
    println!("   stored: count {}, expires_at {expiry} (the window's end + {MARGIN} s)", stored.count);
    expect(stored.count == LIMIT, "the stored count should be the limit")?;
    let expires_at = UNIX_EPOCH + Duration::from_secs(start + WINDOW + MARGIN);
    expect(stored.expires_at == expires_at, "the window should expire at its end plus the margin")?;

    // 2. Limits are per user: bob is not limited by ann's window.
    let bob = allow(&windows, "bob", now).await?;
    println!("\n2. bob, in the same window: {}", describe(&bob));
    expect(matches!(bob, Ok(1)), "bob's first request should be allowed")?;

    // 3. The window rolls over: ann's next request falls in a new window, another item.
    let later = allow(&windows, "ann", next).await?;
    println!("\n3. ann, {WINDOW} s later: {}", describe(&later));
    expect(matches!(later, Ok(1)), "the next window should start a new count")?;
    let old = windows.get(Window::key("ann", start)).await?.ok_or("ann's first window is missing")?;
    expect(old.count == LIMIT, "the old window is left as it was, for the TTL to delete")?;

    // 4. A refund: a request that was allowed but not served gives its slot back, only while its window is live.
    println!("\n4. refunds to ann's first window, guarded by `where expires_at > now`");
    let refund = |now: SystemTime| {
        windows.update(Window::key("ann", start), update!(Window: count -= 1; where expires_at > now && count > 0))
    };
    refund(now).await?;
    let live = windows.get(Window::key("ann", start)).await?.ok_or("ann's window is missing")?;
    println!("   while the window is live: refunded, count {}", live.count);
    expect(live.count == LIMIT - 1, "a refund to a live window should count")?;
    // Past its expiry the item may still be stored (DynamoDB deletes it within days): the guard refuses it.
    let expired = expires_at + Duration::from_secs(1);
    match refund(expired).await {
        Err(Error::ConditionFailed { explanation, .. }) => {
            let why = explanation.map_or_else(|| "(no explanation)".to_owned(), |e| e.to_string());
            println!("   after the window expired (the item is still stored): refused, {why}");
        }
        Ok(()) => return Err("a refund to an expired window went through".into()),
        Err(other) => return Err(other.into()),
    }
    let kept = windows.get(Window::key("ann", start)).await?.ok_or("ann's window is missing")?;
    expect(kept.count == LIMIT - 1, "the refused refund should write nothing")?;

    println!("\nall outcomes as expected");
    Ok(())
}

fn describe(outcome: &Result<u32, Refused>) -> String {
    match outcome {
        Ok(count) => format!("allowed, request {count} of the window"),
        Err(refused) => format!("refused, count {:?}", refused.count),
    }
}

fn expect(ok: bool, what: &str) -> Result<(), Failure> {
    if ok { Ok(()) } else { Err(format!("unexpected outcome: {what}").into()) }
}
