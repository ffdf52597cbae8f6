//! Faults the memory backend injects, and how a failed request is sent again before dynatomic sees the
//! failure ([`Resends`]): what aws-sdk-dynamodb does on DynamoDB, done the same way on the memory backend.

use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex, PoisonError};
use std::time::Duration;

use crate::capacity::Tally;
use crate::error::{ServiceError, ServiceErrorKind};
use crate::request::Failure;
use crate::telemetry::{Call, Operation};

/// How a request that was throttled, failed on the server (500) or got no answer is sent again before its
/// failure reaches dynatomic: aws-sdk-dynamodb's standard retry mode (exponential backoff with full jitter).
/// On DynamoDB the SDK does it; on [`Db::memory`](crate::Db::memory) with [`Faults`], dynatomic does it the same
/// way. Set with [`Db::with_resends`](crate::Db::with_resends).
///
/// A resent write whose first answer was lost may be applied twice (an `hits += 1` counts two): see
/// [`UpdateWrite::exactly_once`](crate::UpdateWrite::exactly_once).
///
/// ```
/// use std::time::Duration;
/// let resends = dynatomic::Resends { max_attempts: 5, ..dynatomic::Resends::default() };
/// assert_eq!(resends.initial_backoff, Duration::from_secs(1));
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Resends {
    /// Attempts in all, the first included (1: never resend).
    pub max_attempts: u32,
    /// The ceiling of the first resend's wait; each resend doubles it.
    pub initial_backoff: Duration,
    /// The highest ceiling of a wait.
    pub max_backoff: Duration,
}

impl Default for Resends {
    /// aws-sdk-dynamodb's defaults: 3 attempts, waits up to 1 s doubling up to 20 s.
    fn default() -> Self {
        Resends { max_attempts: 3, initial_backoff: Duration::from_secs(1), max_backoff: Duration::from_secs(20) }
    }
}

impl Resends {
    /// The wait before resend number `resend` (0 for the first).
    fn delay(&self, resend: u32) -> Duration {
        crate::backoff::full_jitter(self.initial_backoff, self.max_backoff, resend)
    }
}

/// What goes wrong with a request on the memory backend.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Fault {
    /// Refused before it is applied with DynamoDB's `ThrottlingException` (400): resent.
    Throttle,
    /// Refused before it is applied with a 500 `InternalServerError`: resent.
    Fail,
    /// Applied, and then its answer is lost: the caller sees no answer (a transport error), and the request is
    /// resent, as the SDK resends it after a timeout or a closed connection.
    LoseResponse,
    /// Answered this much later.
    Delay(Duration),
}

/// Faults for [`Db::memory`](crate::Db::memory), given to [`Db::with_faults`](crate::Db::with_faults): each
/// request draws, from a seeded generator, whether each rule's fault happens to it (the first that does
/// wins), or takes the next fault of a script. For tests of what happens when DynamoDB or the network
/// misbehave; the same faults against DynamoDB come from a proxy in front of it.
///
/// ```
/// use dynatomic::{Fault, Faults};
/// // 10% of UpdateItem answers lost, 5% of all requests throttled.
/// let faults = Faults::seeded(7).on("UpdateItem", Fault::LoseResponse, 0.10).always(Fault::Throttle, 0.05);
/// let db = dynatomic::Db::memory().with_faults(faults);
/// # drop(db);
/// ```
#[derive(Debug, Clone)]
pub struct Faults {
    seed: u64,
    rules: Vec<Rule>,
    script: Vec<Option<Fault>>,
    switch: FaultSwitch,
}

/// Turns a [`Faults`]' injection off and on while the database runs (on at the start), to set up without
/// faults, or to stop them before checking what they left: see [`Faults::switch`].
#[derive(Debug, Clone)]
pub struct FaultSwitch(Arc<AtomicBool>);

impl FaultSwitch {
    /// Injects the faults.
    pub fn on(&self) {
        self.0.store(true, Ordering::SeqCst);
    }

    /// Injects nothing: every request is answered as without faults.
    pub fn off(&self) {
        self.0.store(false, Ordering::SeqCst);
    }

    fn is_on(&self) -> bool {
        self.0.load(Ordering::SeqCst)
    }
}

/// One rule: this fault, with this probability, on requests of this operation (any, when `None`).
#[derive(Debug, Clone)]
struct Rule {
    fault: Fault,
    probability: f64,
    operation: Option<String>,
}

impl Faults {
    /// No faults yet, drawn from a generator with this seed.
    pub fn seeded(seed: u64) -> Self {
        Faults { seed, rules: Vec::new(), script: Vec::new(), switch: FaultSwitch(Arc::new(AtomicBool::new(true))) }
    }

    /// The faults of the first requests, in order (`None`: no fault), before the rules apply.
    pub fn script(faults: impl IntoIterator<Item = Option<Fault>>) -> Self {
        Faults { script: faults.into_iter().collect(), ..Faults::seeded(0) }
    }

    /// The switch that turns these faults off and on, for every database they are given to.
    ///
    /// ```
    /// use dynatomic::{Fault, Faults};
    /// let faults = Faults::seeded(1).always(Fault::Throttle, 1.0);
    /// let switch = faults.switch();
    /// let db = dynatomic::Db::memory_with_faults(faults);
    /// switch.off(); // set up tables and items without faults
    /// switch.on();
    /// # drop(db);
    /// ```
    pub fn switch(&self) -> FaultSwitch {
        self.switch.clone()
    }

    /// `fault` on each request with this probability.
    pub fn always(mut self, fault: Fault, probability: f64) -> Self {
        self.rules.push(Rule { fault, probability, operation: None });
        self
    }

    /// `fault` on each request of DynamoDB's `operation` (`UpdateItem`, `TransactWriteItems`, `BatchWriteItem`,
    /// ...) with this probability.
    pub fn on(mut self, operation: &str, fault: Fault, probability: f64) -> Self {
        self.rules.push(Rule { fault, probability, operation: Some(operation.to_owned()) });
        self
    }
}

/// The faults a memory backend injects, with their generator and how far their script has run.
#[derive(Debug)]
pub(crate) struct Injector {
    faults: Faults,
    state: Mutex<(fastrand::Rng, usize)>,
}

impl Injector {
    pub(crate) fn new(faults: Faults) -> Arc<Self> {
        let rng = fastrand::Rng::with_seed(faults.seed);
        Arc::new(Injector { faults, state: Mutex::new((rng, 0)) })
    }

    /// The fault of the next request of `operation`, if it has one.
    fn next(&self, operation: Operation) -> Option<Fault> {
        if !self.faults.switch.is_on() {
            return None;
        }
        let mut state = self.state.lock().unwrap_or_else(PoisonError::into_inner);
        let (rng, played) = &mut *state;
        if let Some(fault) = self.faults.script.get(*played) {
            *played += 1;
            return *fault;
        }
        let applies = |rule: &&Rule| rule.operation.as_deref().is_none_or(|name| name == operation.name());
        self.faults.rules.iter().filter(applies).find(|rule| rng.f64() < rule.probability).map(|rule| rule.fault)
    }
}

/// Runs a request on the memory backend with faults: each attempt may fail before or lose its answer after
/// being applied, and what the SDK would resend is resent under `resends`.
pub(crate) async fn run<Q: Clone, A, E: From<Failure>>(
    faults: &Injector,
    resends: Resends,
    call: &mut Call,
    request: Q,
    attempt: impl Fn(Q, &mut Tally) -> Result<A, E>,
) -> Result<A, E> {
    let mut made = 0;
    loop {
        made += 1;
        let failure = match faults.next(call.operation()) {
            None => return call.counted(|tally| attempt(request.clone(), tally)),
            Some(Fault::Delay(delay)) => {
                tokio::time::sleep(delay).await;
                return call.counted(|tally| attempt(request.clone(), tally));
            }
            Some(Fault::Throttle) => throttled(),
            Some(Fault::Fail) => {
                ServiceError::of_kind(ServiceErrorKind::Other, "InternalServerError", "Internal server error".into())
            }
            Some(Fault::LoseResponse) => {
                // The answer, whatever it was, is lost: only its effect on the items stays.
                drop(call.counted(|tally| attempt(request.clone(), tally)));
                ServiceError::transport(LostResponse)
            }
        };
        if made >= resends.max_attempts {
            return Err(Failure::Service(failure).into());
        }
        tokio::time::sleep(resends.delay(made - 1)).await;
    }
}

/// DynamoDB's answer to a throttled request.
fn throttled() -> ServiceError {
    ServiceError::new("ThrottlingException", "Rate of requests exceeds the allowed throughput.")
}

/// The cause of an answer lost by [`Fault::LoseResponse`].
#[derive(Debug, thiserror::Error)]
#[error("the response was lost (injected fault): the request may have been applied")]
struct LostResponse;
