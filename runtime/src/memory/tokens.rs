//! The ClientRequestTokens of TransactWriteItems: a token names one successful request for 10 minutes.
//!
//! As on DynamoDB Local, a token is recorded only when its transaction succeeds (a canceled or refused
//! request leaves it free), a replay of the same request within 10 minutes succeeds without applying it
//! again, and a different request with the same token is refused. Tokens older than 10 minutes are
//! forgotten, oldest first, whenever the log is used, so the log holds only the last 10 minutes' tokens, and
//! at most [`MAX_TOKENS`] of them (beyond that, the oldest are forgotten sooner than on DynamoDB).
//!
//! A transaction holds the log only to look its token up and to record it: it runs without it, in parallel
//! with the transactions on other items. A second request with a token whose transaction is still running is
//! refused, as DynamoDB refuses it (`TransactionInProgressException`).

use std::collections::VecDeque;
use std::time::{Duration, Instant};

use crate::fast_hash::{FastMap, FastSet};
use crate::request::Write;

/// How long a token is remembered.
pub(super) const TOKEN_LIFETIME: Duration = Duration::from_secs(10 * 60);

/// The most tokens the log remembers: a steady 166 transactions a second for 10 minutes.
pub(super) const MAX_TOKENS: usize = 100_000;

/// The tokens of the successful transactions of the last 10 minutes, with their requests.
#[derive(Default)]
pub(super) struct Tokens {
    /// Each token's request and when it succeeded.
    requests: FastMap<String, (Instant, Vec<Write>)>,
    /// The tokens in the order they were recorded, to forget them in that order.
    order: VecDeque<(Instant, String)>,
    /// The tokens of the transactions running now.
    running: FastSet<String>,
}

/// What the log says about a transaction's token.
#[derive(Debug, PartialEq, Eq)]
pub(super) enum Seen {
    /// The token is free: run the transaction.
    New,
    /// The same request succeeded with this token: answer success without running it.
    Replay,
    /// A different request succeeded with this token.
    Mismatch,
    /// A request with this token is running: it is refused.
    Running,
}

impl Tokens {
    /// What the log knows of `token` for the request `actions`, at `now`.
    pub(super) fn seen(&mut self, token: &str, actions: &[Write], now: Instant) -> Seen {
        self.forget_expired(now);
        match self.requests.get(token) {
            None if self.running.contains(token) => Seen::Running,
            None => Seen::New,
            Some((_, request)) if request.as_slice() == actions => Seen::Replay,
            Some(_) => Seen::Mismatch,
        }
    }

    /// Notes that the transaction of `token` runs, until [`Tokens::finish`].
    pub(super) fn start(&mut self, token: &str) {
        self.running.insert(token.to_owned());
    }

    /// Notes that the transaction of `token` ended, without success.
    pub(super) fn finish(&mut self, token: &str) {
        self.running.remove(token);
    }

    /// Records that the request `actions` succeeded with `token` at `now`.
    pub(super) fn record(&mut self, token: String, actions: Vec<Write>, now: Instant) {
        self.running.remove(&token);
        self.forget_expired(now);
        while self.requests.len() >= MAX_TOKENS {
            let Some((_, oldest)) = self.order.pop_front() else { break };
            self.requests.remove(&oldest);
        }
        self.order.push_back((now, token.clone()));
        self.requests.insert(token, (now, actions));
    }

    /// Forgets the tokens recorded more than [`TOKEN_LIFETIME`] before `now`.
    fn forget_expired(&mut self, now: Instant) {
        while let Some((at, _)) = self.order.front() {
            if now.saturating_duration_since(*at) < TOKEN_LIFETIME {
                break;
            }
            if let Some((at, token)) = self.order.pop_front()
                && self.requests.get(&token).is_some_and(|(recorded, _)| *recorded == at)
            {
                self.requests.remove(&token);
            }
        }
    }

    /// How many tokens the log holds.
    #[cfg(test)]
    pub(super) fn len(&self) -> usize {
        self.requests.len()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::request::{Action, Returning};

    fn request(table: &str) -> Vec<Write> {
        vec![Write {
            table: table.to_owned(),
            action: Action::Delete { key: Default::default() },
            condition: None,
            names: Default::default(),
            values: Default::default(),
            returning: Returning::Nothing,
        }]
    }

    #[test]
    fn tokens_name_one_request_for_ten_minutes() {
        let mut tokens = Tokens::default();
        let start = Instant::now();
        assert_eq!(tokens.seen("t", &request("a"), start), Seen::New);
        tokens.record("t".into(), request("a"), start);
        assert_eq!(tokens.seen("t", &request("a"), start + Duration::from_secs(599)), Seen::Replay);
        assert_eq!(tokens.seen("t", &request("b"), start + Duration::from_secs(599)), Seen::Mismatch);
        assert_eq!(tokens.seen("u", &request("b"), start), Seen::New);
        tokens.record("u".into(), request("b"), start + Duration::from_secs(300));
        assert_eq!(tokens.seen("t", &request("b"), start + TOKEN_LIFETIME), Seen::New, "expired");
        assert_eq!(tokens.len(), 1, "the expired token is forgotten");
        assert_eq!(tokens.seen("u", &request("b"), start + TOKEN_LIFETIME), Seen::Replay);
        tokens.record("t".into(), request("b"), start + TOKEN_LIFETIME);
        assert_eq!(tokens.seen("x", &request("b"), start + 3 * TOKEN_LIFETIME), Seen::New);
        assert_eq!(tokens.len(), 0);
        assert!(tokens.order.is_empty());
    }

    #[test]
    fn a_running_token_is_refused_and_the_log_is_bounded() {
        let mut tokens = Tokens::default();
        let now = Instant::now();
        tokens.start("t");
        assert_eq!(tokens.seen("t", &request("a"), now), Seen::Running);
        tokens.finish("t");
        assert_eq!(tokens.seen("t", &request("a"), now), Seen::New, "a failed transaction leaves its token free");
        for i in 0..MAX_TOKENS + 10 {
            tokens.record(i.to_string(), request("a"), now);
        }
        assert_eq!(tokens.len(), MAX_TOKENS);
        assert_eq!(tokens.seen("0", &request("a"), now), Seen::New, "the oldest are forgotten first");
        assert_eq!(tokens.seen(&(MAX_TOKENS + 9).to_string(), &request("a"), now), Seen::Replay);
    }
}
