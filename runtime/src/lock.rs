//! Locks with action names on items, as rapyer has them: a section of ordinary Rust that reads an item, decides
//! and changes it, exclusive for one kind of work (`"transfer"`) on that item, while other kinds of work hold
//! their own locks on it. The write that saves the changes is conditioned on still holding the lease and
//! releases the lock in the same request, so a holder that lost its lease writes nothing.
//!
//! The lock of an action lives in the item, in four attributes named `dynatomic:lock:{action}:…`: the holder's
//! id (`-` when free), the fencing token (one more at each acquisition; a lock that starts anew, after the
//! item was created or replaced, starts from the acquirer's clock in microseconds, so that its tokens stay
//! above those before), the heartbeat count and the lease in milliseconds. Decoding ignores them and the derive refuses field names that start with
//! `dynatomic:`. A waiter takes an abandoned lock over only after it has seen the same holder, token and
//! heartbeat for a whole lease on its own monotonic clock, and takes it with a write conditioned on them, so no
//! clocks are compared between machines.

use std::future::{Future, IntoFuture};
use std::ops::{Deref, DerefMut};
use std::pin::Pin;
use std::time::Duration;

use aws_sdk_dynamodb::types::AttributeValue;
use tokio::time::Instant;

use crate::error::{Error, ValueError};
use crate::guard::{LeaseCheck, RELEASED, with_assignment};
use crate::operation::Update;
use crate::request::{Action, RawItem, Returning, Write, WriteRefusal, present};
use crate::schema::{Expect, Item, Key};
use crate::table::Table;
use crate::telemetry;
use crate::write::Prepared;

/// The start of the attribute names of every lock; field names may not start with `dynatomic:`.
const PREFIX: &str = "dynatomic:lock:";
/// The lease when none is asked for.
pub(crate) const DEFAULT_LEASE: Duration = Duration::from_secs(5);
/// How long a lock waits for another holder when no wait is asked for.
pub(crate) const DEFAULT_WAIT: Duration = Duration::from_secs(10);
/// The shortest lease: renewals a third of it apart.
const MIN_LEASE: Duration = Duration::from_millis(100);
/// A wait without end, as far as a deadline goes.
const FOREVER: Duration = Duration::from_secs(100 * 365 * 24 * 3600);
/// The first pause of a waiter, doubled at each attempt that finds the lock as it was.
const POLL_FIRST: Duration = Duration::from_millis(5);

/// The names of a lock's attributes.
#[derive(Debug, Clone)]
struct Names {
    holder: String,
    fence: String,
    beat: String,
    lease: String,
}

impl Names {
    fn of(action: &str) -> Names {
        let name = |part: &str| format!("{PREFIX}{action}:{part}");
        Names { holder: name("holder"), fence: name("fence"), beat: name("beat"), lease: name("lease") }
    }

    /// The names map of a request that uses `#lh`, `#lf`, `#lb` and `#ll`.
    fn placeholders(&self) -> [(String, String); 4] {
        [
            ("#lh".to_owned(), self.holder.clone()),
            ("#lf".to_owned(), self.fence.clone()),
            ("#lb".to_owned(), self.beat.clone()),
            ("#ll".to_owned(), self.lease.clone()),
        ]
    }
}

/// A held lock as stored: who holds it, which acquisition, how many heartbeats, and for how long a lease.
#[derive(Debug, Clone, PartialEq, Eq)]
struct Record {
    holder: String,
    fence: u64,
    beat: u64,
    lease: Duration,
}

impl Record {
    /// The lock held in `item`, if one is. A lease that cannot be read is taken to be the longer of `own` and
    /// the default, so that a damaged record is not taken over early.
    fn read(item: &RawItem, names: &Names, own: Duration) -> Option<Record> {
        let number = |name: &String| match item.get(name) {
            Some(AttributeValue::N(n)) => n.parse::<u64>().ok(),
            _ => None,
        };
        match item.get(&names.holder) {
            Some(AttributeValue::S(holder)) if holder != RELEASED => Some(Record {
                holder: holder.clone(),
                fence: number(&names.fence)?,
                beat: number(&names.beat).unwrap_or(0),
                lease: match number(&names.lease) {
                    Some(millis) if millis > 0 => Duration::from_millis(millis),
                    _ => own.max(DEFAULT_LEASE),
                },
            }),
            _ => None,
        }
    }
}

/// A holder id that no other acquisition has: random per process (from the OS, not from a seeded generator)
/// and per call.
fn holder_id() -> String {
    use std::hash::BuildHasher;
    static CALLS: std::sync::atomic::AtomicU64 = std::sync::atomic::AtomicU64::new(0);
    let call = CALLS.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
    let state = std::collections::hash_map::RandomState::new();
    let (a, b) = (state.hash_one((std::process::id(), call)), state.hash_one((call, std::time::SystemTime::now())));
    format!("{a:016x}{b:016x}")
}

/// The token a lock that starts anew counts from: this machine's clock in microseconds since 1970, so that a
/// lock whose attributes were replaced (the item was put or deleted and created again) still hands out tokens
/// above those before (which grew by one per acquisition, far slower than a microsecond each).
fn fence_floor() -> u64 {
    let since = std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).unwrap_or_default();
    u64::try_from(since.as_micros()).unwrap_or(u64::MAX / 2)
}

/// A number attribute value.
fn n(value: u64) -> AttributeValue {
    AttributeValue::N(value.to_string())
}

/// The builder [`Table::lock`] returns: awaiting it takes the lock and reads the item under it.
#[must_use = "a lock is taken only when it is awaited"]
pub struct LockRequest<'t, T> {
    table: &'t Table<T>,
    key: Key<T>,
    action: String,
    lease: Duration,
    wait: Duration,
    renewal: Renewal,
    missing: Option<T>,
}

/// Whether a held lease is renewed in the background.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Renewal {
    Heartbeat,
    None,
}

impl<T: Item> Table<T> {
    /// Takes the lock of `action` on the item with this key, waiting (by default up to 10 s) while another holder
    /// has it, and reads the item under it: a [`Locked`] guard that derefs to the item. Change it as plain Rust,
    /// then [`commit`](Locked::commit) the fields you changed. Locks of other actions on the item are
    /// independent. A key with no item is [`Error::NotFound`] unless [`or_create`](LockRequest::or_create) is
    /// given.
    ///
    /// ```
    /// # #[tokio::main(flavor = "current_thread")] async fn main() -> Result<(), Box<dyn std::error::Error>> {
    /// #[derive(dynatomic::Item, Debug, Clone)]
    /// struct Account { #[dynatomic(partition_key)] id: String, balance: i64 }
    ///
    /// let accounts = dynatomic::Db::memory().table::<Account>();
    /// accounts.create_table().await?;
    /// accounts.put(&Account { id: "ann".into(), balance: 100 }).await?;
    ///
    /// let mut account = accounts.lock(Account::key("ann"), "transfer").await?;
    /// account.balance -= 30; // plain code, decided on what was read under the lock
    /// account.commit().await?; // writes `balance` only if this lease still holds, and releases the lock
    /// assert_eq!(accounts.get(Account::key("ann")).await?.map(|a| a.balance), Some(70));
    /// # Ok(()) }
    /// ```
    pub fn lock(&self, key: Key<T>, action: impl Into<String>) -> LockRequest<'_, T> {
        LockRequest {
            table: self,
            key,
            action: action.into(),
            lease: DEFAULT_LEASE,
            wait: DEFAULT_WAIT,
            renewal: Renewal::Heartbeat,
            missing: None,
        }
    }

    /// Takes the lock of `action` only if no one holds it: another holder is [`Error::LockHeld`] at once. It
    /// does not take over an abandoned lock, which needs a whole lease of watching: a waiter with
    /// [`wait`](LockRequest::wait) longer than the lease does.
    pub fn try_lock(&self, key: Key<T>, action: impl Into<String>) -> LockRequest<'_, T> {
        self.lock(key, action).wait(Duration::ZERO)
    }

    /// Takes the lock of `action` on the item `item` is a copy of, and reads it again under the lock, so that no
    /// field of the copy is stale (rapyer's instance lock).
    pub fn lock_item(&self, item: &T, action: impl Into<String>) -> LockRequest<'_, T> {
        self.lock(item.item_key(), action)
    }
}

impl<'t, T: Item> LockRequest<'t, T> {
    /// How long a lease lasts without a heartbeat (default 5 s, at least 100 ms). While the guard lives, a
    /// background task renews it every third of that; a holder whose renewals stop (a pause, a lost connection,
    /// a crash) loses the lock to a waiter that has then watched it for a whole lease (one lease after the last
    /// renewal at the earliest).
    pub fn lease(mut self, lease: Duration) -> Self {
        self.lease = lease.max(MIN_LEASE);
        self
    }

    /// How long to wait for another holder (default 10 s) before giving up with [`Error::LockHeld`].
    pub fn wait(mut self, wait: Duration) -> Self {
        self.wait = wait;
        self
    }

    /// Holds the lease without renewing it: for a section known to be shorter than the lease, or to see what a
    /// stalled holder sees.
    pub fn without_renewal(mut self) -> Self {
        self.renewal = Renewal::None;
        self
    }

    /// Creates `item` first if there is no item, then locks it. `item` must have this key: one with another key
    /// is created as an item of its own, and the lock still finds no item ([`Error::NotFound`]).
    pub fn or_create(mut self, item: T) -> Self {
        self.missing = Some(item);
        self
    }
}

impl<'t, T: Item + Send + Sync> IntoFuture for LockRequest<'t, T> {
    type Output = Result<Locked<T>, Error<T>>;
    type IntoFuture = Pin<Box<dyn Future<Output = Self::Output> + Send + 't>>;

    fn into_future(self) -> Self::IntoFuture {
        let span = telemetry::lock_span("acquire", self.table.name(), &self.action);
        Box::pin(telemetry::in_span(span, self.acquire()))
    }
}

/// Why an attempt to take a lock failed.
enum Refused<T> {
    /// There is no item.
    Missing,
    /// Another holder has the lock.
    Held(Record),
    /// It changed between the read and the write: try again.
    Again,
    Failed(Error<T>),
}

impl<'t, T: Item + Send + Sync> LockRequest<'t, T> {
    async fn acquire(mut self) -> Result<Locked<T>, Error<T>> {
        if self.action.is_empty() {
            return Err(ValueError::EmptyName.into());
        }
        let names = Names::of(&self.action);
        let key = self.key.attributes().map_err(|e| Error::InvalidValue(e.clone()))?.clone();
        let holder = holder_id();
        // A wait too long to add to the clock (`Duration::MAX`) is a wait without end.
        let deadline = Instant::now().checked_add(self.wait).unwrap_or_else(|| Instant::now() + FOREVER);
        // The record another holder was seen with, and since when (on this process's monotonic clock).
        let mut seen: Option<(Record, Instant)> = None;
        let mut polls = 0;
        loop {
            let abandoned = seen.as_ref().filter(|(record, since)| since.elapsed() >= record.lease).map(|(r, _)| r);
            match self.attempt(&key, &names, &holder, abandoned).await {
                Ok(item) => return self.held(item, names, holder),
                Err(Refused::Again) => {
                    // The lock changed between this attempt's read and write: look at it afresh, soon.
                    seen = None;
                    if Instant::now() >= deadline {
                        return Err(Error::LockHeld { action: self.action.clone() });
                    }
                    tokio::time::sleep(POLL_FIRST).await;
                }
                Err(Refused::Missing) => match self.missing.take() {
                    Some(item) => match self.table.create(&item).await {
                        Ok(_) | Err(Error::ConditionFailed { .. }) => {}
                        Err(other) => return Err(other),
                    },
                    None => return Err(Error::NotFound { table: self.table.name().to_owned() }),
                },
                Err(Refused::Held(record)) => {
                    if seen.as_ref().is_none_or(|(known, _)| *known != record) {
                        seen = Some((record.clone(), Instant::now()));
                        polls = 0;
                    }
                    let now = Instant::now();
                    if now >= deadline {
                        return Err(Error::LockHeld { action: self.action.clone() });
                    }
                    // Poll soon after a release is likely, then less often (at most 4 times per lease), with jitter,
                    // and never past the deadline.
                    let poll = (POLL_FIRST * 2_u32.saturating_pow(polls)).min((record.lease / 4).max(POLL_FIRST));
                    polls = polls.saturating_add(1);
                    tokio::time::sleep(poll.mul_f64(0.5 + fastrand::f64()).min(deadline - now)).await;
                }
                Err(Refused::Failed(error)) => return Err(error),
            }
        }
    }

    /// One attempt: take a free lock, or `abandoned` (the record seen unchanged for a whole lease).
    async fn attempt(
        &self,
        key: &RawItem,
        names: &Names,
        holder: &str,
        abandoned: Option<&Record>,
    ) -> Result<RawItem, Refused<T>> {
        let mut values = RawItem::from([
            (":me".to_owned(), AttributeValue::S(holder.to_owned())),
            (":zero".to_owned(), n(0)),
            (":one".to_owned(), n(1)),
            (":lease".to_owned(), n(self.lease.as_millis().try_into().unwrap_or(u64::MAX))),
            (":floor".to_owned(), n(fence_floor())),
        ]);
        let mut names_map: std::collections::HashMap<String, String> = names.placeholders().into();
        let condition = match abandoned {
            None => {
                values.insert(":free".to_owned(), AttributeValue::S(RELEASED.to_owned()));
                names_map.insert("#pk".to_owned(), T::KEY.partition.0.to_owned());
                "attribute_exists(#pk) AND (attribute_not_exists(#lh) OR #lh = :free)"
            }
            Some(record) => {
                values.insert(":holder".to_owned(), AttributeValue::S(record.holder.clone()));
                values.insert(":fence".to_owned(), n(record.fence));
                values.insert(":beat".to_owned(), n(record.beat));
                "#lh = :holder AND #lf = :fence AND #lb = :beat"
            }
        };
        let update = "SET #lh = :me, #lf = if_not_exists(#lf, :floor) + :one, #lb = :zero, #ll = :lease";
        let write = Write {
            table: self.table.name().to_owned(),
            action: Action::Update { key: key.clone(), expression: Some(update.into()) },
            condition: Some(condition.into()),
            names: names_map,
            values,
            returning: Returning::AllNew,
        };
        match self.table.db.backend.write(write).await {
            Ok(item) => {
                present(item).ok_or_else(|| Refused::Failed(Error::NotFound { table: self.table.name().into() }))
            }
            Err(WriteRefusal::ConditionFailed { stored, .. }) => match present(stored) {
                None => Err(Refused::Missing),
                // The SDK sent the request again after it was applied: the lock is ours.
                Some(item) if item.get(&names.holder) == Some(&AttributeValue::S(holder.to_owned())) => Ok(item),
                Some(item) => Err(Record::read(&item, names, self.lease).map_or(Refused::Again, Refused::Held)),
            },
            Err(WriteRefusal::Failed(failure)) => {
                // It may have been applied before it failed: free the lock if it is ours.
                release_unheld(self.table, key, names, holder);
                Err(Refused::Failed(failure.into()))
            }
        }
    }

    /// The guard of a lock just taken, with the item read under it.
    fn held(self, stored: RawItem, names: Names, holder: String) -> Result<Locked<T>, Error<T>> {
        let fence = match stored.get(&names.fence) {
            Some(AttributeValue::N(fence)) => fence.parse().ok(),
            _ => None,
        };
        let lease = LeaseCheck {
            action: self.action.clone(),
            holder_attribute: names.holder.clone(),
            fence_attribute: names.fence.clone(),
            holder,
            fence: fence.unwrap_or_default(),
        };
        // A commit increments a versioned item's version without comparing it: the lease guards the write.
        let mut key = self.key;
        key.expect = match T::VERSION {
            Some(_) => Expect::AnyVersion,
            None => Expect::Unspecified,
        };
        let table = self.table.clone();
        let decoded = T::from_item(stored.clone())
            .map_err(|source| Error::AppliedUnreadable { attributes: Box::new(stored), source })
            .and_then(|item| Ok((item.to_item()?, item)));
        match decoded {
            Ok((read, item)) => {
                let lost = Lost::default();
                let renewal = match self.renewal {
                    Renewal::Heartbeat => {
                        Heartbeat::start(table.clone(), &key, &lease, names.beat, self.lease, lost.clone())
                    }
                    Renewal::None => None,
                };
                Ok(Locked { table, key, read, item, lease, renewal, lost, committed: false })
            }
            Err(error) => {
                release(&table, &key, &lease);
                Err(error)
            }
        }
    }
}

/// The background renewal of a lease: a heartbeat every third of the lease, each conditioned on still holding
/// it. Stops when the guard goes, or when the lease is found lost.
struct Heartbeat(tokio::task::JoinHandle<()>);

/// Whether a renewal found the lease taken over (shared by the guard and its heartbeat).
type Lost = std::sync::Arc<std::sync::atomic::AtomicBool>;

impl Heartbeat {
    /// Starts renewing the lease on the current tokio runtime; `None` outside one (the lease is then not
    /// renewed).
    fn start<T: Item>(
        table: Table<T>,
        key: &Key<T>,
        lease: &LeaseCheck,
        beat: String,
        every: Duration,
        lost: Lost,
    ) -> Option<Heartbeat> {
        let runtime = tokio::runtime::Handle::try_current().ok()?;
        let mut write = lease_write(&table, key, lease);
        write.action = Action::Update {
            key: key.attributes().cloned().unwrap_or_default(),
            expression: Some("SET #lb = #lb + :one".into()),
        };
        write.names.insert("#lb".to_owned(), beat);
        write.values.insert(":one".to_owned(), n(1));
        Some(Heartbeat(runtime.spawn(async move {
            loop {
                tokio::time::sleep((every / 3).max(Duration::from_millis(1))).await;
                if let Err(WriteRefusal::ConditionFailed { .. }) = table.db.backend.write(write.clone()).await {
                    lost.store(true, std::sync::atomic::Ordering::Relaxed);
                    return; // the commit will say so too
                }
            }
        })))
    }
}

impl Drop for Heartbeat {
    fn drop(&mut self) {
        self.0.abort();
    }
}

/// A write on the locked item conditioned on the lease, with nothing else yet.
fn lease_write<T: Item>(table: &Table<T>, key: &Key<T>, lease: &LeaseCheck) -> Write {
    Write {
        table: table.name().to_owned(),
        action: Action::Update { key: key.attributes().cloned().unwrap_or_default(), expression: None },
        condition: Some("#lh = :me AND #lf = :fence".into()),
        names: [("#lh".to_owned(), lease.holder_attribute.clone()), ("#lf".to_owned(), lease.fence_attribute.clone())]
            .into(),
        values: [(":me".to_owned(), AttributeValue::S(lease.holder.clone())), (":fence".to_owned(), n(lease.fence))]
            .into(),
        returning: Returning::Nothing,
    }
}

/// A held lock and the item read under it: derefs to the item, mutably. [`commit`](Self::commit) writes what
/// changed and releases the lock in one request; dropping the guard without it writes nothing and releases the
/// lock (best effort: the lease ends it anyway).
pub struct Locked<T: Item> {
    table: Table<T>,
    key: Key<T>,
    /// The item's attributes as read under the lock: what a commit compares with.
    read: RawItem,
    item: T,
    lease: LeaseCheck,
    renewal: Option<Heartbeat>,
    lost: Lost,
    committed: bool,
}

impl<T: Item> Deref for Locked<T> {
    type Target = T;

    fn deref(&self) -> &T {
        &self.item
    }
}

impl<T: Item> DerefMut for Locked<T> {
    fn deref_mut(&mut self) -> &mut T {
        &mut self.item
    }
}

impl<T: Item> std::fmt::Debug for Locked<T>
where
    T: std::fmt::Debug,
{
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Locked")
            .field("action", &self.lease.action)
            .field("fence", &self.lease.fence)
            .field("item", &self.item)
            .finish_non_exhaustive()
    }
}

impl<T: Item> Locked<T> {
    /// The fencing token of this acquisition: larger than that of every earlier acquisition of this action on
    /// this item (across a replaced item too, as long as the clocks of the machines that take the lock agree to
    /// within the time between its acquisitions). Store it with what the section writes elsewhere and condition those writes on it
    /// (`where fence < token`), so that a holder that lost its lease cannot overwrite its successor's work.
    pub fn fence(&self) -> u64 {
        self.lease.fence
    }

    /// The lock's action name.
    pub fn action(&self) -> &str {
        &self.lease.action
    }

    /// Whether a renewal of the lease found it taken over: the commit will be [`Error::LockLost`], so a long
    /// section can stop early. `false` does not promise the commit will land (the lease may be lost since the
    /// last renewal, or never renewed); the commit's own check does.
    pub fn is_lost(&self) -> bool {
        self.lost.load(std::sync::atomic::Ordering::Relaxed)
    }

    /// Writes the fields the code changed since the item was read (SET for a changed or new value, REMOVE for a
    /// field now absent), only if this lease still holds, and releases the lock, in one UpdateItem. A copy the
    /// SDK sends again after the first was applied (its answer was lost) finds the lock it released, and
    /// succeeds. A versioned
    /// item's version is incremented (when a field changed) without a check: the lease guards the write, so holders of different
    /// actions may both commit fields that do not overlap. A lost lease is [`Error::LockLost`]; an item deleted
    /// meanwhile is [`Error::NotFound`] (never recreated), or nothing with
    /// [`ignore_if_deleted`](Commit::ignore_if_deleted).
    pub fn commit(mut self) -> Commit<T> {
        let prepared = self.prepare_commit(None);
        Commit { locked: self, prepared, deleted: Deleted::IsAnError }
    }

    /// Applies an update built by [`update!`](crate::update) instead of the changes made through the guard
    /// (they are dropped), only if this lease still holds, and releases the lock, in one UpdateItem.
    pub fn update(mut self, update: Update<T>) -> Commit<T> {
        let prepared = self.prepare_commit(Some(update));
        Commit { locked: self, prepared, deleted: Deleted::IsAnError }
    }

    /// Releases the lock now, writing nothing, and waits for the release (dropping the guard releases it in
    /// the background). A lease already lost is not an error: the lock is someone else's.
    pub async fn release(mut self) -> Result<(), Error<T>> {
        self.renewal = None;
        match self.table.db.backend.write(release_write(&self.table, &self.key, &self.lease)).await {
            Ok(_) | Err(WriteRefusal::ConditionFailed { .. }) => {
                self.committed = true;
                Ok(())
            }
            Err(WriteRefusal::Failed(failure)) => Err(failure.into()),
        }
    }

    /// Stops renewing the lease, before a commit.
    pub(crate) fn stop_renewal(&mut self) {
        self.renewal = None;
    }

    /// The write that ends the section: `update`, or the changed fields; conditioned on the lease, releasing it.
    pub(crate) fn prepare_commit(&mut self, update: Option<Update<T>>) -> Result<Prepared, ValueError> {
        let key = self.key.clone();
        let lease = Some(self.lease.clone());
        let mut prepared = match update {
            Some(update) => self.table.prepare_update_under(key, update, lease)?,
            None => {
                let item = self.item.to_item()?;
                for name in T::KEY.names() {
                    if item.get(name) != self.read.get(name) {
                        return Err(ValueError::KeyChanged(name.to_owned()));
                    }
                }
                self.table.prepare_changes(key, &self.read, &item, lease)?
            }
        };
        let write = &mut prepared.write;
        if let Action::Update { expression, .. } = &mut write.action {
            let release = with_assignment("#dynatomic_lease_holder = :dynatomic_lock_free", expression.as_deref());
            *expression = Some(release.into());
        }
        write.values.insert(":dynatomic_lock_free".to_owned(), AttributeValue::S(RELEASED.to_owned()));
        Ok(prepared)
    }
}

impl<T: Item> Locked<T> {
    /// Records how a commit ended: applied, lost or deleted leave nothing to release; any other failure (a
    /// false `where`, a refused request) leaves the lock to the guard's drop.
    fn settle<O>(&mut self, sent: &Result<O, Error<T>>) {
        self.committed = matches!(sent, Ok(_) | Err(Error::LockLost { .. } | Error::NotFound { .. }));
    }

    /// Records how the transaction of a set of locks ended: only an applied one released this lock.
    pub(crate) fn settle_transaction(&mut self, sent: &Result<(), crate::transaction::TransactionError>) {
        self.committed = sent.is_ok();
    }

    pub(crate) fn table(&self) -> &Table<T> {
        &self.table
    }
}

impl<T: Item> Drop for Locked<T> {
    fn drop(&mut self) {
        self.renewal = None;
        if self.committed {
            return;
        }
        release(&self.table, &self.key, &self.lease);
    }
}

/// Releases a lock in the background if this lease still holds it (best effort: the lease ends it anyway).
fn release<T: Item>(table: &Table<T>, key: &Key<T>, lease: &LeaseCheck) {
    let Ok(runtime) = tokio::runtime::Handle::try_current() else { return };
    let release = release_write(table, key, lease);
    let backend = table.db.backend.clone();
    runtime.spawn(async move { drop(backend.write(release).await) });
}

/// Frees, in the background, a lock that an attempt may have taken before it failed: only if `holder` (this
/// attempt's own id) holds it.
fn release_unheld<T: Item>(table: &Table<T>, key: &RawItem, names: &Names, holder: &str) {
    let Ok(runtime) = tokio::runtime::Handle::try_current() else { return };
    let release = Write {
        table: table.name().to_owned(),
        action: Action::Update { key: key.clone(), expression: Some("SET #lh = :free".into()) },
        condition: Some("#lh = :me".into()),
        names: [("#lh".to_owned(), names.holder.clone())].into(),
        values: [
            (":me".to_owned(), AttributeValue::S(holder.to_owned())),
            (":free".to_owned(), AttributeValue::S(RELEASED.to_owned())),
        ]
        .into(),
        returning: Returning::Nothing,
    };
    let backend = table.db.backend.clone();
    runtime.spawn(async move { drop(backend.write(release).await) });
}

/// The write that frees a lock if this lease still holds it.
fn release_write<T: Item>(table: &Table<T>, key: &Key<T>, lease: &LeaseCheck) -> Write {
    let mut release = lease_write(table, key, lease);
    release.action = Action::Update {
        key: key.attributes().cloned().unwrap_or_default(),
        expression: Some("SET #lh = :free".into()),
    };
    release.values.insert(":free".to_owned(), AttributeValue::S(RELEASED.to_owned()));
    release
}

/// What a commit does when the item was deleted while it was locked.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Deleted {
    IsAnError,
    IsIgnored,
}

/// The builder [`Locked::commit`] and [`Locked::update`] return: awaiting it writes and releases the lock.
#[must_use = "a commit runs only when it is awaited"]
pub struct Commit<T: Item> {
    locked: Locked<T>,
    prepared: Result<Prepared, ValueError>,
    deleted: Deleted,
}

impl<T: Item> Commit<T> {
    /// An item deleted while it was locked is not an error: nothing is written, and it stays deleted
    /// (rapyer's `ignore_if_deleted`).
    pub fn ignore_if_deleted(mut self) -> Self {
        self.deleted = Deleted::IsIgnored;
        self
    }
}

impl<T: Item + Send + Sync> IntoFuture for Commit<T> {
    type Output = Result<(), Error<T>>;
    type IntoFuture = Pin<Box<dyn Future<Output = Self::Output> + Send>>;

    fn into_future(self) -> Self::IntoFuture {
        let Commit { mut locked, prepared, deleted } = self;
        let span = telemetry::lock_span("commit", locked.table.name(), locked.action());
        Box::pin(telemetry::in_span(span, async move {
            let prepared = prepared?;
            locked.renewal = None;
            let sent = locked.table.send(prepared).await;
            locked.settle(&sent);
            match sent {
                Ok(_) => Ok(()),
                Err(Error::NotFound { .. }) if deleted == Deleted::IsIgnored => Ok(()),
                Err(error) => Err(error),
            }
        }))
    }
}
