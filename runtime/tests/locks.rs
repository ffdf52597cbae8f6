//! Locks with action names, on both backends: mutual exclusion of plain read-modify-write code, independent
//! actions on one item, a lost lease that writes nothing, takeover of an abandoned lock after one lease and not
//! before, deadlock-free locks on several items, fencing tokens, and items deleted under a lock.

mod common;

use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::Duration;

use common::{Backend, Fixture};
use dynatomic::{Error, Item, LockSetError, update};
use tokio::time::Instant;

on_both_backends!(
    #[tokio::test(flavor = "multi_thread", worker_threads = 4)]
    a_lock_makes_plain_code_exclusive,
    two_actions_are_held_at_once_and_both_commit,
    a_holder_that_lost_its_lease_writes_nothing,
    an_abandoned_lock_is_taken_over_after_one_lease_and_not_before,
    locks_on_several_items_never_deadlock,
    a_stale_fencing_token_is_refused_elsewhere,
    an_item_deleted_under_a_lock_is_not_recreated,
    missing_items_held_locks_and_dsl_updates,
    a_renewed_lease_outlives_its_length_and_commits,
);

/// An item with no version: only the lock keeps its writers apart.
#[derive(Item, Debug, Clone, PartialEq)]
struct Account {
    #[dynatomic(partition_key)]
    id: String,
    balance: i64,
    views: u64,
    name: String,
    note: Option<String>,
}

impl Account {
    fn new(id: &str, balance: i64) -> Self {
        Account { id: id.into(), balance, views: 0, name: id.to_uppercase(), note: None }
    }
}

/// A versioned item: a commit under a lock increments the version without comparing it.
#[derive(Item, Debug, Clone, PartialEq)]
struct Profile {
    #[dynatomic(partition_key)]
    id: String,
    name: String,
    views: u64,
    #[dynatomic(version)]
    version: u64,
}

/// Something a lock holder writes elsewhere, guarded by its fencing token.
#[derive(Item, Debug, Clone, PartialEq)]
struct Report {
    #[dynatomic(partition_key)]
    id: String,
    text: String,
    fence: u64,
}

async fn accounts(backend: Backend, test: &str, balances: &[(&str, i64)]) -> Fixture<Account> {
    let fx = Fixture::<Account>::new(backend, test).await;
    for (id, balance) in balances {
        fx.table.put(&Account::new(id, *balance)).await.expect("put");
    }
    fx
}

async fn a_lock_makes_plain_code_exclusive(backend: Backend) {
    let fx = Arc::new(accounts(backend, "locks_exclusive", &[("a", 0)]).await);
    let inside = Arc::new(AtomicUsize::new(0));
    let most = Arc::new(AtomicUsize::new(0));
    let tasks: Vec<_> = (0..16)
        .map(|_| {
            let (fx, inside, most) = (fx.clone(), inside.clone(), most.clone());
            tokio::spawn(async move {
                for _ in 0..25 {
                    let lock = fx.table.lock(Account::key("a"), "counter").wait(Duration::from_secs(120));
                    let mut account = lock.await.expect("lock");
                    let now = inside.fetch_add(1, Ordering::SeqCst) + 1;
                    most.fetch_max(now, Ordering::SeqCst);
                    account.balance += 1; // a read-modify-write of plain Rust: no version, no DSL arithmetic
                    tokio::task::yield_now().await;
                    inside.fetch_sub(1, Ordering::SeqCst);
                    account.commit().await.expect("commit");
                }
            })
        })
        .collect();
    for task in tasks {
        task.await.expect("task");
    }
    assert_eq!(fx.stored(Account::key("a")).await.balance, 400, "no increment was lost");
    assert_eq!(most.load(Ordering::SeqCst), 1, "one holder at a time");
}

async fn two_actions_are_held_at_once_and_both_commit(backend: Backend) {
    let fx = accounts(backend, "locks_two_actions", &[("a", 10)]).await;
    let mut profile = fx.table.lock(Account::key("a"), "profile_update").await.expect("lock");
    let mut views = fx.table.try_lock(Account::key("a"), "view_tracking").await.expect("another action is free");
    let held = fx.table.try_lock(Account::key("a"), "profile_update").await;
    assert!(matches!(held, Err(Error::LockHeld { ref action }) if action == "profile_update"), "{held:?}");
    profile.name = "Ann".into();
    views.views += 1;
    profile.commit().await.expect("profile");
    views.commit().await.expect("views: its read of `name` is not written back");
    let stored = fx.stored(Account::key("a")).await;
    assert_eq!((stored.name.as_str(), stored.views, stored.balance), ("Ann", 1, 10));

    // On a versioned item, both commits land and each increments the version.
    let pf = Fixture::<Profile>::new(backend, "locks_two_actions_versioned").await;
    pf.table.put(&Profile { id: "p".into(), name: "old".into(), views: 0, version: 0 }).await.expect("put");
    let mut rename = pf.table.lock(Profile::key("p"), "rename").await.expect("lock");
    let mut count = pf.table.lock(Profile::key("p"), "count").await.expect("lock");
    rename.name = "new".into();
    count.views += 5;
    rename.commit().await.expect("rename");
    count.commit().await.expect("count");
    assert_eq!(
        pf.stored(Profile::key("p")).await,
        Profile { id: "p".into(), name: "new".into(), views: 5, version: 3 }
    );
}

async fn a_holder_that_lost_its_lease_writes_nothing(backend: Backend) {
    let fx = accounts(backend, "locks_lost_lease", &[("a", 10)]).await;
    let lease = Duration::from_millis(300);
    // The first holder stalls: its lease is not renewed.
    let mut stalled = fx.table.lock(Account::key("a"), "job").lease(lease).without_renewal().await.expect("lock");
    let started = Instant::now();
    let mut successor = fx.table.lock(Account::key("a"), "job").wait(Duration::from_secs(10)).await.expect("takeover");
    assert!(started.elapsed() >= lease, "taken over after {:?}, before the lease of {lease:?}", started.elapsed());
    assert!(successor.fence() > stalled.fence());
    successor.note = Some("successor".into());
    successor.commit().await.expect("the successor commits");

    stalled.note = Some("stalled".into());
    stalled.balance = 0;
    let lost = stalled.commit().await;
    assert!(matches!(lost, Err(Error::LockLost { ref action, .. }) if action == "job"), "{lost:?}");
    let stored = fx.stored(Account::key("a")).await;
    assert_eq!((stored.note.as_deref(), stored.balance), (Some("successor"), 10), "only the successor wrote");
}

async fn an_abandoned_lock_is_taken_over_after_one_lease_and_not_before(backend: Backend) {
    let fx = accounts(backend, "locks_abandoned", &[("a", 10)]).await;
    let lease = Duration::from_millis(400);
    let leaked = fx.table.lock(Account::key("a"), "job").lease(lease).without_renewal().await.expect("lock");
    // Its holder is gone without releasing it: no drop, no renewal.
    std::mem::forget(leaked);
    let short = fx.table.lock(Account::key("a"), "job").wait(lease / 2).await;
    assert!(matches!(short, Err(Error::LockHeld { .. })), "not before one lease: {short:?}");
    let started = Instant::now();
    let taken = fx.table.lock(Account::key("a"), "job").wait(Duration::from_secs(10)).await.expect("takeover");
    assert!(started.elapsed() >= lease, "a waiter watches the lock for a whole lease: {:?}", started.elapsed());
    assert!(started.elapsed() < lease * 4, "and takes it soon after: {:?}", started.elapsed());
    drop(taken);
}

async fn locks_on_several_items_never_deadlock(backend: Backend) {
    let ids = ["a", "b", "c", "d"];
    let fx = Arc::new(accounts(backend, "locks_transfers", &ids.map(|id| (id, 1_000))).await);
    let tasks: Vec<_> = (0..8_u64)
        .map(|task| {
            let fx = fx.clone();
            tokio::spawn(async move {
                let mut rng = fastrand::Rng::with_seed(task);
                for _ in 0..200 {
                    let from = rng.usize(..4);
                    let to = (from + rng.usize(1..4)) % 4;
                    // Each task names the two accounts in its own order; the locks are taken in one order.
                    let (first, second) = if rng.bool() { (from, to) } else { (to, from) };
                    let mut locks = fx.db.locks();
                    let one = locks.lock(&fx.table, Account::key(ids[first]), "transfer");
                    let other = locks.lock(&fx.table, Account::key(ids[second]), "transfer");
                    let mut held = locks.wait(Duration::from_secs(120)).acquire().await.expect("locks");
                    let (payer, payee) = if first == from { (one, other) } else { (other, one) };
                    let amount = rng.i64(1..=50).min(held.get(&payer).expect("slot").balance);
                    held.get_mut(&payer).expect("slot").balance -= amount;
                    held.get_mut(&payee).expect("slot").balance += amount;
                    held.commit().await.expect("commit");
                }
            })
        })
        .collect();
    for task in tasks {
        task.await.expect("task");
    }
    let mut total = 0;
    for id in ids {
        let balance = fx.stored(Account::key(id)).await.balance;
        assert!(balance >= 0, "{id} has {balance}");
        total += balance;
    }
    assert_eq!(total, 4_000, "money is neither made nor lost");

    // Items of other types and tables in one set, committed in one transaction; a lost lease in it writes nothing.
    // On the same database: a memory backend's tables are those of one `Db::memory()`.
    let table = fx.db.table_named::<Profile>(common::unique_table_name("locks_set_profiles"));
    table.create_table().await.expect("create");
    let profiles = Fixture { backend, db: fx.db.clone(), table };
    profiles.table.put(&Profile { id: "p".into(), name: "old".into(), views: 0, version: 0 }).await.expect("put");
    let mut locks = fx.db.locks();
    let profile = locks.lock(&profiles.table, Profile::key("p"), "edit");
    let account = locks.lock(&fx.table, Account::key("a"), "edit");
    let mut held = locks.acquire().await.expect("locks");
    held.get_mut(&profile).expect("slot").name = "new".into();
    held.get_mut(&account).expect("slot").note = Some("edited".into());
    held.commit().await.expect("commit");
    assert_eq!(profiles.stored(Profile::key("p")).await.name, "new");
    assert_eq!(fx.stored(Account::key("a")).await.note.as_deref(), Some("edited"));
    assert!(matches!(held_elsewhere(&fx, &profiles).await, Err(LockSetError::ForeignSlot)));

    // Other code replaces the account while the set holds its lock, and with it the lock: the commit writes
    // nothing.
    let mut locks = fx.db.locks();
    let account = locks.lock(&fx.table, Account::key("b"), "edit");
    let profile = locks.lock(&profiles.table, Profile::key("p"), "edit");
    let mut held = locks.acquire().await.expect("locks");
    fx.table.put(&Account::new("b", 7)).await.expect("a put by other code");
    held.get_mut(&profile).expect("slot").name = "lost".into();
    held.get_mut(&account).expect("slot").balance = 0;
    let lost = held.commit().await;
    assert!(matches!(lost, Err(LockSetError::Lost { index: 0, .. })), "{lost:?}");
    assert_eq!(profiles.stored(Profile::key("p")).await.name, "new", "nothing was written");
}

/// A slot of one set given to another set's guards.
async fn held_elsewhere(fx: &Fixture<Account>, profiles: &Fixture<Profile>) -> Result<(), LockSetError> {
    let mut first = fx.db.locks();
    let slot = first.lock(&profiles.table, Profile::key("p"), "look");
    let mut second = fx.db.locks();
    second.lock(&fx.table, Account::key("c"), "look");
    let held = second.acquire().await?;
    held.get(&slot).map(drop)
}

async fn a_stale_fencing_token_is_refused_elsewhere(backend: Backend) {
    let fx = accounts(backend, "locks_fencing", &[("a", 10)]).await;
    let reports = Fixture::<Report>::new(backend, "locks_fencing_reports").await;
    reports.table.put(&Report { id: "r".into(), text: String::new(), fence: 0 }).await.expect("put");
    let write = |text: &'static str, token: u64| {
        reports.table.update(Report::key("r"), update!(Report: text = text, fence = token; where fence < token))
    };
    let first = fx.table.lock(Account::key("a"), "report").await.expect("lock");
    let stale = first.fence();
    first.release().await.expect("release");
    let second = fx.table.lock(Account::key("a"), "report").await.expect("lock");
    assert!(second.fence() > stale, "every acquisition has a larger token");
    write("second", second.fence()).await.expect("the current holder writes");
    let refused = write("first", stale).await;
    assert!(matches!(refused, Err(Error::ConditionFailed { .. })), "the stale token is refused: {refused:?}");
    assert_eq!(reports.stored(Report::key("r")).await.text, "second");
}

async fn an_item_deleted_under_a_lock_is_not_recreated(backend: Backend) {
    let fx = accounts(backend, "locks_deleted", &[("a", 10), ("b", 10)]).await;
    for (id, ignored) in [("a", false), ("b", true)] {
        let mut account = fx.table.lock(Account::key(id), "job").await.expect("lock");
        fx.table.delete(Account::key(id)).await.expect("deleted by other code");
        account.balance += 1;
        let commit = account.commit();
        let outcome = if ignored { commit.ignore_if_deleted().await } else { commit.await };
        match ignored {
            true => outcome.expect("ignored"),
            false => assert!(matches!(outcome, Err(Error::NotFound { .. })), "{outcome:?}"),
        }
        assert_eq!(fx.try_raw(Account::key(id)).await, None, "never a recreated partial item");
    }
}

async fn missing_items_held_locks_and_dsl_updates(backend: Backend) {
    let fx = accounts(backend, "locks_misc", &[("a", 10)]).await;
    let missing = fx.table.lock(Account::key("nobody"), "job").await;
    assert!(matches!(missing, Err(Error::NotFound { .. })), "{missing:?}");
    let created = fx.table.lock(Account::key("new"), "job").or_create(Account::new("new", 5)).await.expect("created");
    assert_eq!(created.balance, 5);
    drop(created);

    // An update of the DSL under the lock, instead of the guard's own changes.
    let stale_copy = Account::new("a", 999);
    let mut account = fx.table.lock_item(&stale_copy, "job").await.expect("lock");
    assert_eq!(account.balance, 10, "an instance lock reads the item again");
    account.name = "dropped".into();
    let amount = 4;
    account.update(update!(Account: balance -= amount; where balance >= amount)).await.expect("update");
    let stored = fx.stored(Account::key("a")).await;
    assert_eq!((stored.balance, stored.name.as_str()), (6, "A"));
    let again = fx.table.try_lock(Account::key("a"), "job").await.expect("the update released the lock");
    let raw = fx.raw(Account::key("a")).await;
    assert_eq!(raw["dynatomic:lock:job:fence"], dynatomic::AttributeValue::N(again.fence().to_string()));
    assert!(fx.table.get(Account::key("a")).await.expect("get").is_some(), "the lock's attributes are ignored");
    drop(again);

    // An update whose `where` is false writes nothing and leaves the lock to be released.
    let account = fx.table.lock(Account::key("a"), "limit").await.expect("lock");
    let too_much = 1_000;
    let refused = account.update(update!(Account: balance -= too_much; where balance >= too_much)).await;
    assert!(matches!(refused, Err(Error::ConditionFailed { .. })), "{refused:?}");
    assert_eq!(fx.stored(Account::key("a")).await.balance, 6, "nothing was written");
    let after = fx.table.lock(Account::key("a"), "limit").wait(Duration::from_secs(2)).await;
    let mut after = after.expect("the refused update's guard released the lock when it was dropped");

    // A field set to `None` is removed; a key may not change.
    after.note = Some("temporary".into());
    after.commit().await.expect("set");
    let mut account = fx.table.lock(Account::key("a"), "limit").await.expect("lock");
    assert_eq!(account.note.as_deref(), Some("temporary"));
    account.note = None;
    account.commit().await.expect("remove");
    assert!(!fx.raw(Account::key("a")).await.contains_key("note"), "REMOVE note");
    let mut account = fx.table.lock(Account::key("a"), "limit").await.expect("lock");
    account.id = "b".into();
    let moved = account.commit().await;
    assert!(
        matches!(moved, Err(Error::InvalidValue(dynatomic::ValueError::KeyChanged(ref key))) if key == "id"),
        "{moved:?}"
    );

    // The same lock twice in one set would wait for itself: refused before any is taken.
    let mut twice = fx.db.locks();
    twice.lock(&fx.table, Account::key("a"), "x");
    twice.lock(&fx.table, Account::key("a"), "x");
    let refused = twice.acquire().await;
    assert!(matches!(refused, Err(LockSetError::Duplicate { first: 0, second: 1 })), "{:?}", refused.err());
}

async fn a_renewed_lease_outlives_its_length_and_commits(backend: Backend) {
    let fx = accounts(backend, "locks_renewed", &[("a", 10)]).await;
    let lease = Duration::from_millis(300);
    let mut held = fx.table.lock(Account::key("a"), "job").lease(lease).await.expect("lock");
    tokio::time::sleep(lease * 3).await; // several heartbeats
    let waiter = fx.table.lock(Account::key("a"), "job").wait(lease * 2).await;
    assert!(matches!(waiter, Err(Error::LockHeld { .. })), "a renewed lease is not taken over: {:?}", waiter.err());
    assert!(!held.is_lost());
    held.balance += 1;
    held.commit().await.expect("the holder commits after three leases");
    assert_eq!(fx.stored(Account::key("a")).await.balance, 11);

    // Other code replaces the item, and with it the lock: the next renewal finds the lease lost.
    let held = fx.table.lock(Account::key("a"), "job").lease(lease).await.expect("lock");
    fx.table.put(&Account::new("a", 50)).await.expect("a put by other code");
    tokio::time::sleep(lease).await;
    assert!(held.is_lost(), "a renewal found the lease taken");
    assert!(matches!(held.commit().await, Err(Error::LockLost { .. })));
}

/// On the memory backend a lease follows tokio's clock: with paused time, a lease of an hour is waited out at
/// once, and a renewed lease is never taken over.
#[tokio::test(start_paused = true)]
async fn leases_follow_tokios_clock_on_memory() {
    let fx = accounts(Backend::Memory, "locks_paused", &[("a", 10), ("b", 10)]).await;
    let hour = Duration::from_secs(3600);
    let stalled = fx.table.lock(Account::key("a"), "job").lease(hour).without_renewal().await.expect("lock");
    let started = Instant::now();
    let taken = fx.table.lock(Account::key("a"), "job").wait(hour * 2).await.expect("takeover");
    assert!(started.elapsed() >= hour, "after one lease of tokio's clock: {:?}", started.elapsed());
    assert!(taken.fence() > stalled.fence());

    let renewed = fx.table.lock(Account::key("b"), "job").lease(hour).await.expect("lock");
    let refused = fx.table.lock(Account::key("b"), "job").wait(hour * 3).await;
    assert!(matches!(refused, Err(Error::LockHeld { .. })), "a renewed lease holds: {refused:?}");
    drop(renewed);
}
