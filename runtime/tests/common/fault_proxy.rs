//! A fault-injecting HTTP proxy for integration tests: it sits between aws-sdk-dynamodb and DynamoDB Local,
//! forwards each request, and, as a seeded [`FaultPlan`] says, loses the answer of a request that was applied,
//! answers a throttling error or an internal server error without forwarding, or delays the request.
//!
//! ```ignore
//! let plan = FaultPlan::seeded(7).on("UpdateItem", Fault::Throttle, 1.0);
//! let proxy = FaultProxy::start(&endpoint, plan).await;
//! proxy.set_enabled(false); // set up tables without faults
//! let db = dynatomic::Db::connect_to(&proxy.endpoint()).await;
//! // ...
//! proxy.set_enabled(true);
//! assert_eq!(proxy.injected(FaultKind::Throttle), 3);
//! ```

use std::collections::BTreeMap;
use std::fmt;
use std::io;
use std::net::SocketAddr;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::{Arc, Mutex, MutexGuard, PoisonError};
use std::time::Duration;

use bytes::Bytes;
use http_body_util::{BodyExt, Full};
use hyper::body::Incoming;
use hyper::header::{self, HeaderValue};
use hyper::http::uri::{Authority, PathAndQuery, Scheme};
use hyper::server::conn::http1;
use hyper::service::service_fn;
use hyper::{HeaderMap, Request, Response, StatusCode, Uri};
use hyper_util::client::legacy::Client;
use hyper_util::client::legacy::connect::HttpConnector;
use hyper_util::rt::{TokioExecutor, TokioIo};
use tokio::net::TcpListener;
use tokio::task::{JoinHandle, JoinSet};

/// The header aws-sdk-dynamodb names the operation in: `DynamoDB_20120810.UpdateItem`.
const TARGET_HEADER: &str = "x-amz-target";

/// The operation name counted for a request without an `X-Amz-Target` header.
pub const UNKNOWN_OPERATION: &str = "(unknown)";

/// What the proxy does to a request instead of (or besides) forwarding it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Fault {
    /// Forwards the request, waits for DynamoDB Local's full answer, then closes the client's connection
    /// without answering: the write was applied, the caller sees an I/O error.
    LoseResponse,
    /// Answers 400 `ThrottlingException` without forwarding.
    Throttle,
    /// Answers 500 `InternalServerError` without forwarding.
    InternalError,
    /// Waits this long, then forwards the request as usual.
    Delay(Duration),
}

impl Fault {
    /// The kind of this fault, without its parameters.
    pub fn kind(self) -> FaultKind {
        match self {
            Fault::LoseResponse => FaultKind::LoseResponse,
            Fault::Throttle => FaultKind::Throttle,
            Fault::InternalError => FaultKind::InternalError,
            Fault::Delay(_) => FaultKind::Delay,
        }
    }
}

/// A [`Fault`] without its parameters, to count injections by.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum FaultKind {
    /// [`Fault::LoseResponse`].
    LoseResponse,
    /// [`Fault::Throttle`].
    Throttle,
    /// [`Fault::InternalError`].
    InternalError,
    /// [`Fault::Delay`].
    Delay,
}

impl FaultKind {
    /// Every kind, in the order of [`Counts::injected`]'s array.
    pub const ALL: [FaultKind; 4] =
        [FaultKind::LoseResponse, FaultKind::Throttle, FaultKind::InternalError, FaultKind::Delay];

    /// The index of this kind in a per-kind array.
    fn index(self) -> usize {
        self as usize
    }
}

/// One rule of a [`FaultPlan`]: inject `fault` with `probability` into requests of `operation` (every operation
/// when `None`).
#[derive(Debug, Clone, PartialEq)]
pub struct Rule {
    /// The fault to inject.
    pub fault: Fault,
    /// The chance, from 0 to 1, that a matching request gets the fault.
    pub probability: f64,
    /// The DynamoDB operation (such as `UpdateItem`) the rule applies to; `None` for all.
    pub operation: Option<String>,
}

/// Which faults the proxy injects: a list of [`Rule`]s, tried in order for each request (the first that matches
/// the operation and wins its draw applies), drawn from a seeded random generator so that a run can be repeated.
#[derive(Debug, Clone)]
pub struct FaultPlan {
    /// The rules, in the order they are tried.
    rules: Vec<Rule>,
    /// The draws.
    rng: fastrand::Rng,
}

impl FaultPlan {
    /// A plan without rules (every request is forwarded) whose draws start from `seed`.
    pub fn seeded(seed: u64) -> Self {
        FaultPlan { rules: Vec::new(), rng: fastrand::Rng::with_seed(seed) }
    }

    /// A plan that injects nothing.
    pub fn none() -> Self {
        FaultPlan::seeded(0)
    }

    /// Adds a rule: `fault` with `probability` (0 to 1) on every operation.
    pub fn always(self, fault: Fault, probability: f64) -> Self {
        self.rule(Rule { fault, probability, operation: None })
    }

    /// Adds a rule: `fault` with `probability` (0 to 1) on requests of `operation`, such as `"UpdateItem"`.
    pub fn on(self, operation: &str, fault: Fault, probability: f64) -> Self {
        self.rule(Rule { fault, probability, operation: Some(operation.to_owned()) })
    }

    /// Adds `rule` after the others.
    pub fn rule(mut self, rule: Rule) -> Self {
        self.rules.push(rule);
        self
    }

    /// The fault for a request of `operation`, if a rule draws one.
    fn draw(&mut self, operation: &str) -> Option<Fault> {
        let FaultPlan { rules, rng } = self;
        rules
            .iter()
            .filter(|rule| rule.operation.as_deref().is_none_or(|only| only == operation))
            .find(|rule| rule.probability >= 1.0 || rng.f64() < rule.probability)
            .map(|rule| rule.fault)
    }
}

/// Requests seen and faults injected, in total or for one operation.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Counts {
    /// Requests received from the client, with or without faults.
    pub requests: u64,
    /// Requests forwarded to DynamoDB Local that got its answer (including those whose answer was then lost).
    pub forwarded: u64,
    /// Faults injected, by [`FaultKind::index`].
    injected: [u64; 4],
}

impl Counts {
    /// How many faults of `kind` were injected.
    pub fn injected(&self, kind: FaultKind) -> u64 {
        self.injected[kind.index()]
    }

    /// How many faults of any kind were injected.
    pub fn injected_total(&self) -> u64 {
        self.injected.iter().sum()
    }
}

impl fmt::Display for Counts {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{} requests, {} forwarded", self.requests, self.forwarded)?;
        for kind in FaultKind::ALL {
            write!(f, ", {kind:?} {}", self.injected(kind))?;
        }
        Ok(())
    }
}

/// A snapshot of a proxy's counters.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Stats {
    /// All requests.
    pub total: Counts,
    /// Per DynamoDB operation (such as `UpdateItem`), or [`UNKNOWN_OPERATION`].
    pub per_operation: BTreeMap<String, Counts>,
}

/// The live counters: totals as atomics, per operation behind a lock.
#[derive(Debug, Default)]
struct Counters {
    /// [`Counts::requests`] in total.
    requests: AtomicU64,
    /// [`Counts::forwarded`] in total.
    forwarded: AtomicU64,
    /// [`Counts::injected`] in total.
    injected: [AtomicU64; 4],
    /// The counts per operation.
    per_operation: Mutex<BTreeMap<String, Counts>>,
}

impl Counters {
    /// Counts `change` on the total and on `operation`'s counts.
    fn count(&self, operation: &str, change: Change) {
        let mut per_operation = lock(&self.per_operation);
        let counts = per_operation.entry(operation.to_owned()).or_default();
        match change {
            Change::Request => {
                self.requests.fetch_add(1, Ordering::SeqCst);
                counts.requests += 1;
            }
            Change::Forwarded => {
                self.forwarded.fetch_add(1, Ordering::SeqCst);
                counts.forwarded += 1;
            }
            Change::Injected(kind) => {
                self.injected[kind.index()].fetch_add(1, Ordering::SeqCst);
                counts.injected[kind.index()] += 1;
            }
        }
    }

    /// The counts in total.
    fn total(&self) -> Counts {
        Counts {
            requests: self.requests.load(Ordering::SeqCst),
            forwarded: self.forwarded.load(Ordering::SeqCst),
            injected: std::array::from_fn(|i| self.injected[i].load(Ordering::SeqCst)),
        }
    }
}

/// One thing [`Counters::count`] counts.
#[derive(Debug, Clone, Copy)]
enum Change {
    /// A request arrived.
    Request,
    /// DynamoDB Local answered a forwarded request.
    Forwarded,
    /// A fault was injected.
    Injected(FaultKind),
}

/// What the proxy's tasks share with the [`FaultProxy`] handle.
#[derive(Debug)]
struct Shared {
    /// The client that forwards requests to DynamoDB Local.
    client: Client<HttpConnector, Full<Bytes>>,
    /// DynamoDB Local's scheme (`http`).
    scheme: Scheme,
    /// DynamoDB Local's host and port.
    authority: Authority,
    /// Whether the plan applies; when off, every request is forwarded.
    enabled: AtomicBool,
    /// The plan, with its generator's state.
    plan: Mutex<FaultPlan>,
    /// What happened so far.
    counters: Counters,
    /// Numbers the request ids of made-up answers.
    answers: AtomicU64,
}

/// The error a connection's service returns to make hyper close the connection without answering.
#[derive(Debug)]
struct LostResponse;

impl fmt::Display for LostResponse {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("fault proxy: response deliberately lost")
    }
}

impl std::error::Error for LostResponse {}

/// A running fault-injecting proxy on `127.0.0.1`; dropping it stops it and closes its connections.
#[derive(Debug)]
pub struct FaultProxy {
    /// Where it listens.
    address: SocketAddr,
    /// The state its tasks share.
    shared: Arc<Shared>,
    /// The task that accepts connections and owns the tasks serving them.
    task: JoinHandle<()>,
}

impl FaultProxy {
    /// Starts a proxy in front of `target` (DynamoDB Local's endpoint, such as `http://127.0.0.1:8000`) that
    /// injects faults as `plan` says, starting enabled.
    ///
    /// # Panics
    ///
    /// When `target` is not an `http://host:port` URL or no local port can be bound: both are broken test
    /// setups. [`FaultProxy::try_start`] returns these errors instead.
    pub async fn start(target: &str, plan: FaultPlan) -> FaultProxy {
        match FaultProxy::try_start(target, plan).await {
            Ok(proxy) => proxy,
            Err(e) => panic!("starting the fault proxy in front of {target}: {e}"),
        }
    }

    /// [`FaultProxy::start`], returning an error when `target` is not an `http://host:port` URL or no local
    /// port can be bound.
    pub async fn try_start(target: &str, plan: FaultPlan) -> io::Result<FaultProxy> {
        let invalid = |why: String| io::Error::new(io::ErrorKind::InvalidInput, why);
        let uri: Uri = target.parse().map_err(|e| invalid(format!("invalid target URL {target:?}: {e}")))?;
        let (Some(scheme), Some(authority)) = (uri.scheme().cloned(), uri.authority().cloned()) else {
            return Err(invalid(format!("the target {target:?} needs a scheme and a host")));
        };
        if scheme != Scheme::HTTP {
            return Err(invalid(format!("the target {target:?} is not plain http")));
        }
        let listener = TcpListener::bind(("127.0.0.1", 0)).await?;
        let address = listener.local_addr()?;
        let shared = Arc::new(Shared {
            client: Client::builder(TokioExecutor::new()).build(HttpConnector::new()),
            scheme,
            authority,
            enabled: AtomicBool::new(true),
            plan: Mutex::new(plan),
            counters: Counters::default(),
            answers: AtomicU64::new(0),
        });
        let task = tokio::spawn(accept(listener, Arc::clone(&shared)));
        Ok(FaultProxy { address, shared, task })
    }

    /// The URL to connect to, `http://127.0.0.1:PORT`, for `dynatomic::Db::connect_to`.
    pub fn endpoint(&self) -> String {
        format!("http://{}", self.address)
    }

    /// Turns the plan on or off: while off, every request is forwarded untouched (and still counted).
    pub fn set_enabled(&self, enabled: bool) {
        self.shared.enabled.store(enabled, Ordering::SeqCst);
    }

    /// Whether the plan is on.
    pub fn is_enabled(&self) -> bool {
        self.shared.enabled.load(Ordering::SeqCst)
    }

    /// Replaces the plan (and its generator) for the requests that arrive from now on.
    pub fn set_plan(&self, plan: FaultPlan) {
        *lock(&self.shared.plan) = plan;
    }

    /// Requests received so far, with or without faults.
    pub fn requests(&self) -> u64 {
        self.shared.counters.requests.load(Ordering::SeqCst)
    }

    /// Faults of `kind` injected so far.
    pub fn injected(&self, kind: FaultKind) -> u64 {
        self.shared.counters.injected[kind.index()].load(Ordering::SeqCst)
    }

    /// The counts of one operation, such as `"UpdateItem"` (zero when it was never seen).
    pub fn operation(&self, operation: &str) -> Counts {
        lock(&self.shared.counters.per_operation).get(operation).copied().unwrap_or_default()
    }

    /// A snapshot of every counter.
    pub fn stats(&self) -> Stats {
        let per_operation = lock(&self.shared.counters.per_operation).clone();
        Stats { total: self.shared.counters.total(), per_operation }
    }
}

impl Drop for FaultProxy {
    fn drop(&mut self) {
        // Dropping the accepting task drops its JoinSet, which aborts every connection's task.
        self.task.abort();
    }
}

/// Takes a lock, also after a panic elsewhere poisoned it (the counters stay usable).
fn lock<T>(mutex: &Mutex<T>) -> MutexGuard<'_, T> {
    mutex.lock().unwrap_or_else(PoisonError::into_inner)
}

/// Accepts connections until aborted and serves each in its own task, owned here so that aborting this task
/// stops them all.
async fn accept(listener: TcpListener, shared: Arc<Shared>) {
    let mut connections = JoinSet::new();
    loop {
        // Reap the connections that ended.
        while connections.try_join_next().is_some() {}
        let stream = match listener.accept().await {
            Ok((stream, _)) => stream,
            Err(e) => {
                eprintln!("fault proxy: accepting a connection: {e}");
                tokio::time::sleep(Duration::from_millis(10)).await;
                continue;
            }
        };
        let shared = Arc::clone(&shared);
        connections.spawn(async move {
            let service = service_fn(move |request| handle(Arc::clone(&shared), request));
            if let Err(e) = http1::Builder::new().serve_connection(TokioIo::new(stream), service).await {
                let deliberate = std::error::Error::source(&e).is_some_and(|source| source.is::<LostResponse>());
                if !deliberate {
                    eprintln!("fault proxy: serving a connection: {e}");
                }
            }
        });
    }
}

/// Answers one request: draws a fault, then answers it, forwards the request, or both.
async fn handle(shared: Arc<Shared>, request: Request<Incoming>) -> Result<Response<Full<Bytes>>, LostResponse> {
    let operation = operation(request.headers());
    shared.counters.count(&operation, Change::Request);
    let fault = if shared.enabled.load(Ordering::SeqCst) { lock(&shared.plan).draw(&operation) } else { None };
    match fault {
        None => Ok(forward(&shared, &operation, request).await),
        Some(Fault::Throttle) => {
            shared.counters.count(&operation, Change::Injected(FaultKind::Throttle));
            Ok(error_answer(
                &shared,
                StatusCode::BAD_REQUEST,
                "ThrottlingException",
                "Rate of requests exceeds the allowed throughput.",
            ))
        }
        Some(Fault::InternalError) => {
            shared.counters.count(&operation, Change::Injected(FaultKind::InternalError));
            Ok(error_answer(&shared, StatusCode::INTERNAL_SERVER_ERROR, "InternalServerError", "Internal server error"))
        }
        Some(Fault::Delay(delay)) => {
            shared.counters.count(&operation, Change::Injected(FaultKind::Delay));
            tokio::time::sleep(delay).await;
            Ok(forward(&shared, &operation, request).await)
        }
        Some(Fault::LoseResponse) => {
            let answer = forward(&shared, &operation, request).await;
            if answer.status() == StatusCode::BAD_GATEWAY {
                // DynamoDB Local was not reached: nothing was applied, so pass the failure on.
                return Ok(answer);
            }
            shared.counters.count(&operation, Change::Injected(FaultKind::LoseResponse));
            // hyper closes the connection without answering when the service fails.
            Err(LostResponse)
        }
    }
}

/// The operation `X-Amz-Target` names (`DynamoDB_20120810.UpdateItem` gives `UpdateItem`), or
/// [`UNKNOWN_OPERATION`].
fn operation(headers: &HeaderMap) -> String {
    headers
        .get(TARGET_HEADER)
        .and_then(|target| target.to_str().ok())
        .map(|target| target.rsplit('.').next().unwrap_or(target).to_owned())
        .filter(|name| !name.is_empty())
        .unwrap_or_else(|| UNKNOWN_OPERATION.to_owned())
}

/// Whether `name` is a hop-by-hop header, which a proxy does not pass on.
fn hop_by_hop(name: &header::HeaderName) -> bool {
    [
        header::CONNECTION,
        header::TRANSFER_ENCODING,
        header::TE,
        header::TRAILER,
        header::UPGRADE,
        header::PROXY_AUTHORIZATION,
        header::PROXY_AUTHENTICATE,
    ]
    .contains(name)
        || name.as_str() == "keep-alive"
        || name.as_str() == "proxy-connection"
}

/// Removes the hop-by-hop headers.
fn strip_hop_by_hop(headers: &mut HeaderMap) {
    let names: Vec<_> = headers.keys().filter(|name| hop_by_hop(name)).cloned().collect();
    for name in names {
        headers.remove(name);
    }
}

/// Sends `request` to DynamoDB Local and returns its full answer; a 502 when it cannot be reached or read.
/// The `Host` header is passed on unchanged, as the client signed it.
async fn forward(shared: &Shared, operation: &str, request: Request<Incoming>) -> Response<Full<Bytes>> {
    let (mut parts, body) = request.into_parts();
    let body = match body.collect().await {
        Ok(body) => body.to_bytes(),
        Err(e) => return bad_gateway(format!("reading the request: {e}")),
    };
    let mut uri = hyper::http::uri::Parts::default();
    uri.scheme = Some(shared.scheme.clone());
    uri.authority = Some(shared.authority.clone());
    uri.path_and_query = Some(parts.uri.path_and_query().cloned().unwrap_or_else(|| PathAndQuery::from_static("/")));
    parts.uri = match Uri::from_parts(uri) {
        Ok(uri) => uri,
        Err(e) => return bad_gateway(format!("building the target URL: {e}")),
    };
    strip_hop_by_hop(&mut parts.headers);
    let answer = match shared.client.request(Request::from_parts(parts, Full::new(body))).await {
        Ok(answer) => answer,
        Err(e) => return bad_gateway(format!("sending to DynamoDB Local: {e}")),
    };
    let (mut parts, body) = answer.into_parts();
    let body = match body.collect().await {
        Ok(body) => body.to_bytes(),
        Err(e) => return bad_gateway(format!("reading DynamoDB Local's answer: {e}")),
    };
    shared.counters.count(operation, Change::Forwarded);
    strip_hop_by_hop(&mut parts.headers);
    Response::from_parts(parts, Full::new(body))
}

/// A 502 for a request that could not be forwarded, logged because a test will see it as a failure.
fn bad_gateway(why: String) -> Response<Full<Bytes>> {
    eprintln!("fault proxy: {why}");
    let mut answer = Response::new(Full::new(Bytes::from(why)));
    *answer.status_mut() = StatusCode::BAD_GATEWAY;
    answer
}

/// An error answer as DynamoDB gives it: `status`, a JSON body with the error `code` and `message`, and a
/// request id.
fn error_answer(shared: &Shared, status: StatusCode, code: &str, message: &str) -> Response<Full<Bytes>> {
    let body = format!(r#"{{"__type":"com.amazonaws.dynamodb.v20120810#{code}","message":"{message}"}}"#);
    let mut answer = Response::new(Full::new(Bytes::from(body)));
    *answer.status_mut() = status;
    let number = shared.answers.fetch_add(1, Ordering::SeqCst);
    let headers = answer.headers_mut();
    headers.insert(header::CONTENT_TYPE, HeaderValue::from_static("application/x-amz-json-1.0"));
    if let Ok(id) = HeaderValue::from_str(&format!("FAULTPROXY{number:022}")) {
        headers.insert("x-amzn-requestid", id);
    }
    answer
}
