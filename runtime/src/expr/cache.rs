//! Each thread's cache of parsed expressions, so that requests that repeat an expression parse it once.

use std::cell::RefCell;
use std::rc::Rc;
use std::thread::LocalKey;

use super::expression::Expression;
use super::parser::{ConditionExpr, UpdateExpr};
use crate::fast_hash::FastMap;

/// Parsed expressions kept per kind and thread; the cache starts over when it is full.
const CACHE_SIZE: usize = 4096;

/// An expression parsed once: the syntax tree, or DynamoDB's error message.
pub(super) type Parsed<T> = Rc<Result<T, String>>;

/// Parsed expressions by their text, so that repeated requests skip parsing. Each thread keeps its own (a
/// parsed expression depends on its text alone), so looking one up takes no lock.
pub(super) type Cache<T> = RefCell<FastMap<Box<str>, Parsed<T>>>;

thread_local! {
    /// The thread's parsed UpdateExpressions.
    pub(super) static UPDATES: Cache<UpdateExpr> = RefCell::new(FastMap::default());
    /// The thread's parsed ConditionExpressions.
    pub(super) static CONDITIONS: Cache<ConditionExpr> = RefCell::new(FastMap::default());
}

/// The parsed expression of `text`, from the thread's cache of `T`s.
pub(super) fn parsed<T: Expression>(cache: &'static LocalKey<Cache<T>>, text: &str) -> Parsed<T> {
    cache.with(|cache| {
        if let Some(parsed) = cache.borrow().get(text) {
            return parsed.clone();
        }
        let parsed = Rc::new(T::parse(text));
        let mut cache = cache.borrow_mut();
        if cache.len() >= CACHE_SIZE {
            cache.clear();
        }
        cache.insert(text.into(), parsed.clone());
        parsed
    })
}
