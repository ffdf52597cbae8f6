//! A task queue on locks: 8 workers claim 100 tasks. Each worker scans the tasks, claims one with `try_lock`
//! (a short lease, renewed by a heartbeat while it works), skips it when it is done, processes it, and commits
//! `done` with its name, which releases the claim in the same request. A task another worker holds is left for
//! a second pass, where the worker waits for it with `lock`: only a waiter takes an abandoned claim over, after
//! seeing it unchanged for a whole lease (`try_lock` does not wait, so it never does).
//!
//! Two workers misbehave: one dies in the middle of its first task (its lease is not renewed and its guard is
//! forgotten, as a crashed process would leave it), and the task is taken over by a waiting worker one lease
//! later; another stalls in the middle of its first task until a waiting worker has taken it over and finished
//! it, then tries to commit: the lease is lost, and its commit writes nothing. Each task is committed exactly
//! once, although two were processed twice.
//!
//! `cargo run --example task_queue` runs it on the embedded in-memory backend; with `DYNAMODB_ENDPOINT` set it
//! runs against that DynamoDB (`scripts/with-dynamodb-local.sh cargo run --example task_queue`).
//! It exits with an error when an outcome is not the expected one.

use std::collections::HashMap;
use std::sync::{Arc, Mutex, MutexGuard, PoisonError};
use std::time::{Duration, Instant};

use dynatomic::{Error, Item, Locked, Table};
/// What the example fails with: any error, printed, and the process exits with status 1.
type Failure = Box<dyn std::error::Error>;
/// What a worker fails with: it runs in a task of its own, so its error goes between threads.
type WorkerFailure = Box<dyn std::error::Error + Send + Sync>;

#[derive(Item, Debug, Clone, PartialEq)]
#[dynatomic(table = "task_queue_tasks")]
struct Task {
    #[dynatomic(partition_key)]
    id: String,
    input: u64,
    done: bool,
    /// The result: the input squared.
    output: Option<u64>,
    /// The worker that committed the task.
    worker: Option<String>,
    /// The fencing token of the claim that committed it: one more than the claim before it.
    claim: Option<u64>,
}

const TASKS: usize = 100;
const WORKERS: usize = 8;
/// The lease of a claim: a worker that stops renewing it loses the task one lease later.
const LEASE: Duration = Duration::from_millis(400);
/// How long a worker waits, in its second pass, for a task another worker holds.
const WAIT: Duration = Duration::from_secs(10);
/// The lock's action name.
const ACTION: &str = "process";

/// How a worker behaves on its first task.
#[derive(Debug, Clone, Copy, PartialEq)]
enum Fate {
    Healthy,
    /// Claims its first task without renewal, forgets the guard and stops: a crash.
    Dies,
    /// Claims its first task without renewal, pauses until another worker has finished it, then commits.
    Stalls,
}

/// What the workers did, recorded in the process.
#[derive(Debug, Default)]
struct Journal {
    /// The workers that processed each task (started its work under a claim).
    processed: HashMap<String, Vec<String>>,
    /// The workers whose commit of each task succeeded.
    committed: HashMap<String, Vec<String>>,
    /// The commits refused because the lease was lost: (task, worker).
    lost: Vec<(String, String)>,
    /// The task the dying worker died on, and the one the stalling worker stalled on, with their claims'
    /// fencing tokens.
    died_on: Option<(String, u64)>,
    stalled_on: Option<(String, u64)>,
}

type Shared = Arc<Mutex<Journal>>;

fn task_id(n: usize) -> String {
    format!("task-{n:03}")
}

fn worker_name(n: usize) -> String {
    format!("worker-{n}")
}

#[tokio::main]
async fn main() -> Result<(), Failure> {
    let db = dynatomic_examples::db_from_env().await;
    let tasks = db.table::<Task>();
    tasks.create_table().await?;
    // A fresh start, also when the table is left from an earlier run: `put` replaces each task, locks included.
    for n in 0..TASKS {
        let input = u64::try_from(n)?;
        tasks.put(&Task { id: task_id(n), input, done: false, output: None, worker: None, claim: None }).await?;
    }
    println!("{TASKS} tasks, {WORKERS} workers, a lease of {LEASE:?}; worker-3 will die, worker-5 will stall");

    let journal: Shared = Arc::default();
    let started = Instant::now();
    let workers: Vec<_> = (0..WORKERS)
        .map(|n| {
            let fate = match n {
                3 => Fate::Dies,
                5 => Fate::Stalls,
                _ => Fate::Healthy,
            };
            // Each worker starts its scan at another place, so that they rarely meet.
            let start = n * TASKS / WORKERS;
            tokio::spawn(work(tasks.clone(), worker_name(n), fate, start, journal.clone()))
        })
        .collect();
    for worker in workers {
        worker.await.map_err(|e| format!("a worker failed: {e}"))?.map_err(|e| e as Failure)?;
    }
    println!("all workers stopped after {:.1?}", started.elapsed());
    check(&tasks, &journal).await
}

/// A worker: a first pass over every task with `try_lock`, then a second pass that waits for the tasks it found
/// held by others.
async fn work(
    tasks: Table<Task>,
    name: String,
    mut fate: Fate,
    start: usize,
    journal: Shared,
) -> Result<(), WorkerFailure> {
    let mut held = Vec::new();
    for n in 0..TASKS {
        let id = task_id((start + n) % TASKS);
        // A read first, so that a done task costs no lock.
        if tasks.get(Task::key(id.as_str())).await?.is_none_or(|task| task.done) {
            continue;
        }
        let claim = tasks.try_lock(Task::key(id.as_str()), ACTION).lease(LEASE);
        let claim = if fate == Fate::Healthy { claim } else { claim.without_renewal() };
        let task = match claim.await {
            Ok(task) => task,
            Err(Error::LockHeld { .. }) => {
                held.push(id);
                continue;
            }
            Err(other) => return Err(other.into()),
        };
        if task.done {
            continue; // done since it was read: dropping the guard releases the claim
        }
        match fate {
            Fate::Healthy => run(&name, task, &journal).await?,
            Fate::Dies => {
                record(&journal, |j| {
                    j.processed.entry(id.clone()).or_default().push(name.clone());
                    j.died_on = Some((id.clone(), task.fence()));
                });
                println!("   {name}: claimed {id} (fence {}) and died", task.fence());
                // No commit, no release: the claim stays in the item until a waiter takes it over.
                std::mem::forget(task);
                return Ok(());
            }
            Fate::Stalls => {
                stall(&tasks, &name, task, &journal).await?;
                fate = Fate::Healthy;
            }
        }
    }
    for id in held {
        let task = tasks.lock(Task::key(id.as_str()), ACTION).lease(LEASE).wait(WAIT).await?;
        run(&name, task, &journal).await?;
    }
    Ok(())
}

/// Processes a claimed task, unless it is done, and commits it.
async fn run(name: &str, mut task: Locked<Task>, journal: &Shared) -> Result<(), WorkerFailure> {
    if task.done {
        return Ok(()); // dropping the guard releases the claim
    }
    let (id, fence) = (task.id.clone(), task.fence());
    record(journal, |j| j.processed.entry(id.clone()).or_default().push(name.to_owned()));
    if fence > 1 {
        println!("   {name}: took {id} over (fence {fence})");
    }
    tokio::time::sleep(Duration::from_millis(2)).await; // the work
    task.output = Some(task.input * task.input);
    task.done = true;
    task.worker = Some(name.to_owned());
    task.claim = Some(fence);
    commit(name, task, journal).await
}

/// Commits a task and records how the commit ended: a lost lease is recorded, not an error.
async fn commit(name: &str, task: Locked<Task>, journal: &Shared) -> Result<(), WorkerFailure> {
    let id = task.id.clone();
    match task.commit().await {
        Ok(()) => record(journal, |j| j.committed.entry(id).or_default().push(name.to_owned())),
        Err(Error::LockLost { .. }) => record(journal, |j| j.lost.push((id, name.to_owned()))),
        Err(other) => return Err(other.into()),
    }
    Ok(())
}

/// Processes a claimed task, but pauses (a long garbage collection, a frozen VM) until another worker has taken
/// the task over and finished it, then commits.
async fn stall(tasks: &Table<Task>, name: &str, mut task: Locked<Task>, journal: &Shared) -> Result<(), WorkerFailure> {
    let id = task.id.clone();
    record(journal, |j| {
        j.processed.entry(id.clone()).or_default().push(name.to_owned());
        j.stalled_on = Some((id.clone(), task.fence()));
    });
    println!("   {name}: claimed {id} (fence {}) and stalls", task.fence());
    let deadline = Instant::now() + WAIT;
    loop {
        tokio::time::sleep(Duration::from_millis(20)).await;
        if tasks.get(Task::key(id.as_str())).await?.is_some_and(|t| t.done) {
            break;
        }
        if Instant::now() >= deadline {
            return Err(format!("{id} was not taken over from the stalled {name}").into());
        }
    }
    task.output = Some(task.input * task.input);
    task.done = true;
    task.worker = Some(name.to_owned());
    task.claim = Some(task.fence());
    let fence = task.fence();
    commit(name, task, journal).await?;
    let lost = open(journal).lost.contains(&(id.clone(), name.to_owned()));
    println!(
        "   {name}: woke up, committed {id} (fence {fence}): {}",
        if lost { "refused, lease lost" } else { "done" }
    );
    Ok(())
}

fn record(journal: &Shared, change: impl FnOnce(&mut Journal)) {
    change(&mut open(journal));
}

/// The journal, held until the guard goes (never across an `.await`).
fn open(journal: &Shared) -> MutexGuard<'_, Journal> {
    // A worker that panicked while holding the journal left it as it was: keep using it.
    journal.lock().unwrap_or_else(PoisonError::into_inner)
}

/// Checks the stored tasks against the journal.
async fn check(tasks: &Table<Task>, journal: &Shared) -> Result<(), Failure> {
    let mut stored = HashMap::new();
    for n in 0..TASKS {
        let id = task_id(n);
        let task = tasks.get(Task::key(id.as_str())).await?.ok_or_else(|| format!("{id} is missing"))?;
        stored.insert(id, task);
    }
    let journal = open(journal);
    let mut per_worker: HashMap<&str, usize> = HashMap::new();
    for (id, task) in &stored {
        expect(task.done && task.output == Some(task.input * task.input), "every task should be done")?;
        let committed = journal.committed.get(id).map_or(&[][..], Vec::as_slice);
        let [worker] = committed else {
            return Err(format!("unexpected outcome: {id} was committed {} times, not once", committed.len()).into());
        };
        expect(task.worker.as_ref() == Some(worker), "the stored worker is the one whose commit succeeded")?;
        *per_worker.entry(worker.as_str()).or_default() += 1;
    }
    let mut per_worker: Vec<_> = per_worker.into_iter().collect();
    per_worker.sort_unstable();
    println!("tasks committed per worker: {per_worker:?}");
    let twice: usize = journal.processed.values().filter(|workers| workers.len() > 1).count();
    println!("tasks processed more than once: {twice}; commits refused for a lost lease: {:?}", journal.lost);

    let (died_on, died_fence) = journal.died_on.as_ref().ok_or("worker-3 should have died on a task")?;
    let died = stored.get(died_on).ok_or("the task worker-3 died on is missing")?;
    println!(
        "{died_on}: worker-3 died on it, {} finished it (fence {:?})",
        died.worker.as_deref().unwrap_or("?"),
        died.claim
    );
    expect(died.worker.is_some() && died.worker != Some(worker_name(3)), "another worker should finish it")?;
    expect(died.claim == Some(died_fence + 1), "the task should be finished under the next claim")?;
    let (stalled_on, stalled_fence) = journal.stalled_on.as_ref().ok_or("worker-5 should have stalled on a task")?;
    let stalled = stored.get(stalled_on).ok_or("the task worker-5 stalled on is missing")?;
    println!(
        "{stalled_on}: worker-5 stalled on it, {} finished it (fence {:?})",
        stalled.worker.as_deref().unwrap_or("?"),
        stalled.claim
    );
    expect(stalled.worker.is_some() && stalled.worker != Some(worker_name(5)), "another worker should finish it")?;
    expect(stalled.claim == Some(stalled_fence + 1), "the task should be finished under the next claim")?;
    expect(journal.lost.contains(&(stalled_on.clone(), worker_name(5))), "worker-5's late commit should be refused")?;
    for (id, worker) in &journal.lost {
        let committed = journal.committed.get(id).map_or(&[][..], Vec::as_slice);
        expect(!committed.contains(worker), "no commit of a lost lease should succeed")?;
    }
    let processed = |id: &str| journal.processed.get(id).map_or(0, Vec::len);
    expect(processed(died_on) == 2 && processed(stalled_on) == 2, "the two tasks were processed twice")?;
    println!("\nall outcomes as expected");
    Ok(())
}

fn expect(ok: bool, what: &str) -> Result<(), Failure> {
    if ok { Ok(()) } else { Err(format!("unexpected outcome: {what}").into()) }
}
