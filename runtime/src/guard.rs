//! What dynatomic adds to a write besides the user's expressions, and what it expects of the stored item: that
//! the item exists (`update`) or does not (`create`), the version check and increment of a versioned item, that
//! the item is unchanged since it was read, and that the writer still holds its lock's lease.
//!
//! A [`Guard`] travels with its request. It writes the few expression strings of its own (composed once per call
//! site and shape of guard, then reused: see [`Memo`]), and when the backend refuses the condition it decides,
//! from the stored item the backend hands back, whether the guard failed (the item is missing, at another
//! version, or changed: a conflict or a missing item) or the user's own condition did (a business rule).

use std::borrow::Cow;
use std::sync::OnceLock;

use aws_sdk_dynamodb::types::AttributeValue;

use crate::error::ValueError;
use crate::expr::values;
use crate::limits::{MAX_EXPRESSION_BYTES, MAX_OPERATORS};
use crate::request::{Action, RawItem, Write};

/// The placeholder of the partition key's name, in the existence checks.
const KEY: &str = "#dynatomic_key";
/// The placeholder of the version attribute's name.
const VERSION: &str = "#dynatomic_version";
/// The placeholder of the version the write expects.
const EXPECTED: &str = ":dynatomic_version";
/// The placeholder of the version the write stores.
const NEXT: &str = ":dynatomic_next";
/// The placeholders of the numbers an unchecked increment of the version uses, and of the largest version.
const ZERO: &str = ":dynatomic_zero";
const ONE: &str = ":dynatomic_one";
const MAX: &str = ":dynatomic_max";

/// Whether the write needs the item to exist.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Presence {
    /// The item may or may not exist.
    Any,
    /// The item must exist (`update`): a missing item is [`Verdict::NotFound`].
    Exists,
    /// The key must be free (`create`).
    Absent,
}

/// Whether a request writes the item or only checks a condition on it (a transaction's condition check).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Intent {
    /// A put, update or delete.
    Write,
    /// A condition check, which writes nothing.
    Check,
}

/// What a user's condition says of an item that does not exist, as the macro that wrote it determined.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum MissingItem {
    /// The condition is false for a missing item: it already requires the item to exist.
    Fails,
    /// The condition may hold for a missing item.
    MayHold,
}

/// The version check of a write of a versioned item.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct VersionCheck {
    /// The version attribute's name.
    pub(crate) attribute: &'static str,
    /// The version the stored item must be at (0: no item, or an item without the attribute); `None`: any.
    pub(crate) expected: Option<u64>,
    /// The largest version the version field holds: a write that would go past it is refused.
    pub(crate) max: u64,
}

/// The stored item a write expects to find unchanged: each attribute equal, and the type's other attributes
/// absent.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct Unchanged {
    /// Each attribute as read; the `i`-th is `#g{i}` in the condition, and its value `:g{i}`.
    read: Vec<(String, Read)>,
    /// `#g0 = :g0 AND attribute_not_exists(#g1) AND ..`
    condition: String,
}

/// How one attribute was read.
#[derive(Debug, Clone, PartialEq)]
enum Read {
    /// With this value.
    Value(AttributeValue),
    /// Absent.
    Absent,
    /// With this value, which is the field's default: an item without the attribute reads the same.
    ValueOrAbsent(AttributeValue),
}

impl Unchanged {
    /// The check that the stored item is still `read` (its attributes), and that the attributes of `known`
    /// that `read` lacks are still absent. An attribute whose value read is in `defaults` (the fields read as
    /// their default when absent) may also be absent.
    pub(crate) fn new(read: &RawItem, known: &[&str], defaults: &[(&str, AttributeValue)]) -> Result<Self, ValueError> {
        let is_default =
            |name: &str, value: &AttributeValue| defaults.iter().any(|(n, d)| *n == name && values::equal(d, value));
        let mut present: Vec<(String, Read)> = read
            .iter()
            .map(|(name, value)| {
                let read = if is_default(name, value) {
                    Read::ValueOrAbsent(value.clone())
                } else {
                    Read::Value(value.clone())
                };
                (name.clone(), read)
            })
            .collect();
        present.sort_by(|a, b| a.0.cmp(&b.0));
        let absent =
            known.iter().filter(|name| !read.contains_key(**name)).map(|name| ((*name).to_owned(), Read::Absent));
        let read: Vec<_> = present.into_iter().chain(absent).collect();
        let clauses: Vec<String> = read
            .iter()
            .enumerate()
            .map(|(i, (_, read))| match read {
                Read::Value(_) => format!("#g{i} = :g{i}"),
                Read::Absent => format!("attribute_not_exists(#g{i})"),
                Read::ValueOrAbsent(_) => format!("(attribute_not_exists(#g{i}) OR #g{i} = :g{i})"),
            })
            .collect();
        let condition = clauses.join(" AND ");
        if read.len() * 3 > MAX_OPERATORS || condition.len() > MAX_EXPRESSION_BYTES / 2 {
            return Err(ValueError::TooManyToGuard { attributes: read.len() });
        }
        Ok(Unchanged { read, condition })
    }

    /// Adds the check's placeholders to a request's maps.
    fn add_placeholders(&self, write: &mut Write) {
        for (i, (name, read)) in self.read.iter().enumerate() {
            write.names.insert(format!("#g{i}"), name.clone());
            if let Read::Value(value) | Read::ValueOrAbsent(value) = read {
                write.values.insert(format!(":g{i}"), value.clone());
            }
        }
    }

    /// Whether `stored` (`None`: no item) is still the item read, compared as the condition compares: each
    /// attribute read equal by DynamoDB's equality, each other one absent.
    fn holds(&self, stored: Option<&RawItem>) -> bool {
        self.read.iter().all(|(name, read)| match (read, stored.and_then(|item| item.get(name))) {
            (Read::Value(read) | Read::ValueOrAbsent(read), Some(now)) => values::equal(now, read),
            (Read::Absent | Read::ValueOrAbsent(_), None) => true,
            _ => false,
        })
    }
}

/// The lease a write under a lock must still hold: the lock's holder attribute names this holder, and its fence
/// attribute this acquisition.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct LeaseCheck {
    /// The lock's action name.
    pub(crate) action: String,
    /// The attributes of the lock's holder and fencing token.
    pub(crate) holder_attribute: String,
    pub(crate) fence_attribute: String,
    /// The holder's id and its acquisition's fencing token.
    pub(crate) holder: String,
    pub(crate) fence: u64,
}

/// The holder of a released lock.
pub(crate) const RELEASED: &str = "-";

/// The placeholders of a lease check.
const LEASE_HOLDER: (&str, &str) = ("#dynatomic_lease_holder", ":dynatomic_lease_holder");
const LEASE_FENCE: (&str, &str) = ("#dynatomic_lease_fence", ":dynatomic_lease_fence");

impl LeaseCheck {
    /// Whether `stored` (`None`: no item) still names this holder and acquisition.
    fn holds(&self, stored: Option<&RawItem>) -> bool {
        let item = stored.map(|item| (item.get(&self.holder_attribute), item.get(&self.fence_attribute)));
        matches!(item, Some((Some(AttributeValue::S(holder)), Some(AttributeValue::N(fence))))
            if *holder == self.holder && fence.parse() == Ok(self.fence))
    }

    /// Whether `stored` shows this acquisition's lock released (holder free, same fencing token): what a write
    /// that releases it leaves, so a refused copy of such a write was sent again after it was applied.
    fn released(&self, stored: Option<&RawItem>) -> bool {
        let item = stored.map(|item| (item.get(&self.holder_attribute), item.get(&self.fence_attribute)));
        matches!(item, Some((Some(AttributeValue::S(holder)), Some(AttributeValue::N(fence))))
            if holder == RELEASED && fence.parse() == Ok(self.fence))
    }

    /// Adds the check to a request: its condition and placeholders.
    fn add_to(&self, write: &mut Write) {
        let check = format!("{} = {} AND {} = {}", LEASE_HOLDER.0, LEASE_HOLDER.1, LEASE_FENCE.0, LEASE_FENCE.1);
        write.condition = Some(Cow::Owned(match write.condition.take() {
            Some(condition) => format!("({condition}) AND {check}"),
            None => check,
        }));
        write.names.insert(LEASE_HOLDER.0.to_owned(), self.holder_attribute.clone());
        write.names.insert(LEASE_FENCE.0.to_owned(), self.fence_attribute.clone());
        write.values.insert(LEASE_HOLDER.1.to_owned(), AttributeValue::S(self.holder.clone()));
        write.values.insert(LEASE_FENCE.1.to_owned(), number(self.fence));
    }
}

/// An UpdateExpression with `assignment` added to its `SET` clause (which it gains if it has none).
pub(crate) fn with_assignment(assignment: &str, update: Option<&str>) -> String {
    match update {
        None => format!("SET {assignment}"),
        Some(update) => match update.strip_prefix("SET ") {
            Some(assignments) => format!("SET {assignment}, {assignments}"),
            None => format!("SET {assignment} {update}"),
        },
    }
}

/// What a write checks and increments besides the user's expressions.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct Guard {
    pub(crate) presence: Presence,
    pub(crate) version: Option<VersionCheck>,
    pub(crate) unchanged: Option<Box<Unchanged>>,
    /// The lease of the lock the write is made under.
    pub(crate) lease: Option<Box<LeaseCheck>>,
    /// The partition key's attribute name, for the existence checks.
    pub(crate) key: &'static str,
}

/// How the guard explains a refused condition.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Verdict {
    /// The write needed the item, and there is none.
    NotFound,
    /// The stored item is at another version.
    VersionConflict {
        /// The version the write expected.
        expected: u64,
        /// The stored item's version (`None`: no item).
        stored: Option<u64>,
    },
    /// The stored item is no longer the one read.
    Changed,
    /// The stored version is the largest its field holds: an increment without a check would pass it.
    VersionAtMax,
    /// The write was made under a lock whose lease the writer no longer holds.
    LeaseLost,
    /// The write released its lock, and the stored item shows that release: the write was applied, and this is
    /// a copy of it sent again (the SDK resends a request whose answer was lost).
    AppliedBefore,
    /// The guard holds: the user's condition failed (or, for `create`, the key is taken).
    Condition,
}

/// The user's expressions of a write, as the macros wrote them.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Texts {
    pub(crate) update: Option<&'static str>,
    pub(crate) condition: Option<&'static str>,
    pub(crate) missing_item: MissingItem,
}

impl Texts {
    /// A write without expressions of the user's.
    pub(crate) const NONE: Texts = Texts { update: None, condition: None, missing_item: MissingItem::MayHold };
}

/// What a guard adds to the expression texts: everything the composed strings depend on.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
struct Shape {
    /// Check that the item exists or not.
    presence: Presence,
    version: VersionShape,
    /// Set the next version in the UpdateExpression.
    set_version: VersionShape,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum VersionShape {
    None,
    /// `#v = :expected` (check) or `#v = :next` (set).
    Exactly,
    /// `(attribute_not_exists(#v) OR #v = :zero)`: version 0, which a missing attribute is too (check only).
    Zero,
    /// `(attribute_not_exists(#v) OR #v < :max)`: any version but the largest the field holds (check only).
    BelowMax,
    /// `#v = if_not_exists(#v, :zero) + :one` (set only).
    Increment,
}

/// The expressions of a write once a guard is added.
#[derive(Debug)]
struct Composed {
    update: Option<Box<str>>,
    condition: Option<Box<str>>,
}

/// The composed expressions of one call site of `update!` / `condition!` (or of the writes without
/// expressions), for the first `N` shapes of guard it meets: each is composed once, then every request reads it
/// without a lock. A call site meets one or two shapes in practice; past `N`, expressions are composed per
/// request.
#[derive(Debug)]
pub struct Memo<const N: usize> {
    slots: [OnceLock<(Shape, Composed)>; N],
}

impl<const N: usize> Memo<N> {
    /// An empty memo, for a `static`.
    #[allow(clippy::new_without_default)]
    pub const fn new() -> Self {
        Memo { slots: [const { OnceLock::new() }; N] }
    }

    /// The expressions of `shape`, composed from `texts`, from the memo or composed now.
    fn get(&'static self, shape: Shape, texts: Texts) -> (Option<Cow<'static, str>>, Option<Cow<'static, str>>) {
        for slot in &self.slots {
            let (found, composed) = slot.get_or_init(|| (shape, compose(shape, texts)));
            if *found == shape {
                let view = |text: &'static Option<Box<str>>| text.as_deref().map(Cow::Borrowed);
                return (view(&composed.update), view(&composed.condition));
            }
        }
        let composed = compose(shape, texts);
        (composed.update.map(|t| Cow::Owned(t.into())), composed.condition.map(|t| Cow::Owned(t.into())))
    }
}

/// The memo of the writes that have no expressions of the user's (puts, deletes, creates).
static PLAIN: Memo<8> = Memo::new();

/// Composes the expressions of a write: the user's, and those of the guard's shape.
fn compose(shape: Shape, texts: Texts) -> Composed {
    let set = match shape.set_version {
        VersionShape::None | VersionShape::Zero | VersionShape::BelowMax => None,
        VersionShape::Exactly => Some(format!("{VERSION} = {NEXT}")),
        VersionShape::Increment => Some(format!("{VERSION} = if_not_exists({VERSION}, {ZERO}) + {ONE}")),
    };
    let update = match set {
        None => texts.update.map(Box::from),
        Some(set) => Some(with_assignment(&set, texts.update).into()),
    };
    let presence = match shape.presence {
        Presence::Any => None,
        Presence::Exists => Some(format!("attribute_exists({KEY})")),
        Presence::Absent => Some(format!("attribute_not_exists({KEY})")),
    };
    let version = match shape.version {
        VersionShape::None | VersionShape::Increment => None,
        VersionShape::Exactly => Some(format!("{VERSION} = {EXPECTED}")),
        VersionShape::Zero => Some(format!("(attribute_not_exists({VERSION}) OR {VERSION} = {ZERO})")),
        VersionShape::BelowMax => Some(format!("(attribute_not_exists({VERSION}) OR {VERSION} < {MAX})")),
    };
    let checks: Vec<String> = [presence, version].into_iter().flatten().collect();
    let condition = match (texts.condition, checks.is_empty()) {
        (condition, true) => condition.map(Box::from),
        (None, false) => Some(checks.join(" AND ").into()),
        (Some(condition), false) => Some(format!("({condition}) AND {}", checks.join(" AND ")).into()),
    };
    Composed { update, condition }
}

impl Guard {
    /// A guard that adds nothing.
    pub(crate) fn none(key: &'static str) -> Self {
        Guard { presence: Presence::Any, version: None, unchanged: None, lease: None, key }
    }

    /// Adds the guard to `write`, whose own expressions are `texts` (memoised in `memo`, when the macros wrote
    /// them): the checks to its condition, the version increment to its update or item, and their placeholders.
    /// A delete or condition check at any version increments nothing, so checks nothing either: the guard drops
    /// that version, and its [`verdict`](Self::verdict) judges only what was sent.
    pub(crate) fn apply<const N: usize>(
        &mut self,
        write: &mut Write,
        texts: Texts,
        memo: Option<&'static Memo<N>>,
    ) -> Result<(), ValueError> {
        let updates = matches!(write.action, Action::Update { .. });
        if !updates && self.version.is_some_and(|check| check.expected.is_none()) {
            self.version = None;
        }
        // The common write adds nothing: no version, nothing read, and no existence check, or one the user's
        // condition already makes.
        let nothing = self.version.is_none()
            && self.unchanged.is_none()
            && self.lease.is_none()
            && (self.presence == Presence::Any
                || self.presence == Presence::Exists && texts.missing_item == MissingItem::Fails);
        if nothing {
            if let Action::Update { expression, .. } = &mut write.action {
                *expression = texts.update.map(Cow::Borrowed);
            }
            write.condition = texts.condition.map(Cow::Borrowed);
            return Ok(());
        }
        let writes = matches!(write.action, Action::Put(_) | Action::Update { .. });
        // A put stores its next version in the item; only an update sets it in its expression.
        let set_next = if updates { VersionShape::Exactly } else { VersionShape::None };
        let (version, set_version) = match self.version {
            None => (VersionShape::None, VersionShape::None),
            // An increment without a check still may not pass the field's largest number.
            Some(VersionCheck { expected: None, max: u64::MAX, .. }) => (VersionShape::None, VersionShape::Increment),
            Some(VersionCheck { expected: None, .. }) => (VersionShape::BelowMax, VersionShape::Increment),
            Some(VersionCheck { expected: Some(0), .. }) => (VersionShape::Zero, set_next),
            Some(VersionCheck { expected: Some(_), .. }) => (VersionShape::Exactly, set_next),
        };
        // A condition false for a missing item, or a check of a version of 1 or more, already needs the item.
        let presence = match self.presence {
            Presence::Exists if texts.missing_item == MissingItem::Fails || version == VersionShape::Exactly => {
                Presence::Any
            }
            presence => presence,
        };
        let shape = Shape { presence, version, set_version };
        let plain = Shape { presence: Presence::Any, version: VersionShape::None, set_version: VersionShape::None };
        let (update, condition) = match memo {
            _ if shape == plain => (texts.update.map(Cow::Borrowed), texts.condition.map(Cow::Borrowed)),
            Some(memo) => memo.get(shape, texts),
            None => PLAIN.get(shape, texts),
        };
        if let Action::Update { expression, .. } = &mut write.action {
            *expression = update;
        }
        write.condition = condition;
        if presence != Presence::Any {
            write.names.insert(KEY.to_owned(), self.key.to_owned());
        }
        if let Some(check) = self.version {
            let next = match check.expected {
                Some(expected) if writes && expected >= check.max => return Err(ValueError::VersionOverflow),
                Some(expected) if writes => Some(expected + 1),
                _ => None,
            };
            match (&mut write.action, next) {
                (Action::Put(item), Some(next)) => drop(item.insert(check.attribute.to_owned(), number(next))),
                (Action::Update { .. }, Some(next)) => drop(write.values.insert(NEXT.to_owned(), number(next))),
                (Action::Update { .. }, None) => {
                    write.values.insert(ZERO.to_owned(), number(0));
                    write.values.insert(ONE.to_owned(), number(1));
                }
                _ => {}
            }
            match version {
                VersionShape::Exactly => {
                    drop(write.values.insert(EXPECTED.to_owned(), number(check.expected.unwrap_or(0))))
                }
                VersionShape::Zero => drop(write.values.insert(ZERO.to_owned(), number(0))),
                VersionShape::BelowMax => drop(write.values.insert(MAX.to_owned(), number(check.max))),
                VersionShape::None | VersionShape::Increment => {}
            }
            if version != VersionShape::None || set_version != VersionShape::None {
                write.names.insert(VERSION.to_owned(), check.attribute.to_owned());
            }
        }
        if let Some(unchanged) = &self.unchanged {
            write.condition = Some(Cow::Owned(match write.condition.take() {
                Some(condition) => format!("({condition}) AND {}", unchanged.condition),
                None => unchanged.condition.clone(),
            }));
            unchanged.add_placeholders(write);
        }
        if let Some(lease) = &self.lease {
            lease.add_to(write);
        }
        Ok(())
    }

    /// Why the backend refused the condition of the write, given the stored item it handed back (`None`: no
    /// item).
    pub(crate) fn verdict(&self, stored: Option<&RawItem>) -> Verdict {
        if self.presence == Presence::Exists && stored.is_none() {
            return Verdict::NotFound;
        }
        if let Some(lease) = &self.lease {
            if lease.released(stored) {
                return Verdict::AppliedBefore;
            }
            if !lease.holds(stored) {
                return Verdict::LeaseLost;
            }
        }
        if let Some(VersionCheck { attribute, expected, max }) = self.version {
            // A version that is not a number a version field holds is past every expectation.
            let found = stored.map(|item| match item.get(attribute) {
                Some(AttributeValue::N(n)) => n.parse().unwrap_or(u64::MAX),
                _ => 0,
            });
            match expected {
                Some(expected) if found.unwrap_or(0) != expected => {
                    return Verdict::VersionConflict { expected, stored: found };
                }
                None if found.is_some_and(|version| version >= max) => return Verdict::VersionAtMax,
                _ => {}
            }
        }
        match &self.unchanged {
            Some(unchanged) if !unchanged.holds(stored) => Verdict::Changed,
            _ => Verdict::Condition,
        }
    }
}

fn number(n: u64) -> AttributeValue {
    AttributeValue::N(n.to_string())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn guard_with_lease(fence: u64) -> Guard {
        let lease = LeaseCheck {
            action: "job".into(),
            holder_attribute: "h".into(),
            fence_attribute: "f".into(),
            holder: "me".into(),
            fence,
        };
        Guard { lease: Some(Box::new(lease)), ..Guard::none("pk") }
    }

    fn stored(holder: &str, fence: u64) -> RawItem {
        RawItem::from([("h".into(), AttributeValue::S(holder.into())), ("f".into(), number(fence))])
    }

    #[test]
    fn a_lease_is_held_lost_or_released_by_its_own_write() {
        let guard = guard_with_lease(7);
        assert_eq!(guard.verdict(Some(&stored("me", 7))), Verdict::Condition, "held: the user's condition failed");
        assert_eq!(guard.verdict(Some(&stored("other", 8))), Verdict::LeaseLost, "taken over");
        assert_eq!(guard.verdict(Some(&stored(RELEASED, 8))), Verdict::LeaseLost, "released by a later holder");
        assert_eq!(guard.verdict(Some(&RawItem::new())), Verdict::LeaseLost, "the item was replaced");
        assert_eq!(guard.verdict(Some(&stored(RELEASED, 7))), Verdict::AppliedBefore, "a resent copy of the commit");
    }
}
