//! The attribute types beyond the basic ones in expressions: a `#[derive(Value)]` enum is set and compared with
//! its variants, a `SystemTime` is ordered, a TTL field is compared with a `SystemTime` (stored as epoch seconds),
//! and a serde field is set, compared, tested and, as an `Option`, removed; `rename_all` names the struct's
//! attributes and the enum's stored strings.

#[path = "../common/names.rs"]
mod names;
use names::names;

use std::time::{Duration, SystemTime, UNIX_EPOCH};

use dynatomic::{AttributeValue, Document, condition, update};

#[path = "../common/typed.rs"]
mod typed;
use typed::*;

fn main() {
    // `rename_all = "camelCase"` on the struct, `rename_all = "snake_case"` and `rename` on the enum.
    assert_eq!(Order::ATTRIBUTES, ["orderId", "status", "color", "createdAt", "expiresAt", "prefs", "extra"]);

    // An enum is set and compared with its variants, stored as their strings.
    let op = update!(Order: status = Status::Paid; where status == Status::Pending && color != Color::Red);
    assert_eq!(op.update_expression(), "SET #n0 = :v0");
    assert_eq!(op.condition_expression(), Some("#n0 = :v1 AND #n1 <> :v2"));
    let values = op.values().expect("values convert");
    assert_eq!(values[":v0"], &AttributeValue::S("paid".into()));
    assert_eq!(values[":v1"], &AttributeValue::S("pending".into()));
    assert_eq!(values[":v2"], &AttributeValue::S("Red".into()));
    let c = condition!(Order: status.is_in([Status::Pending, Status::Paid, Status::Shipped]));
    assert_eq!(c.expression(), "#n0 IN (:v0, :v1, :v2)");
    assert_eq!(c.values().expect("values convert")[":v2"], &AttributeValue::S("sent".into()));

    // A timestamp is ordered; a TTL field is compared with its own timestamp type, as epoch seconds.
    let now = UNIX_EPOCH + Duration::from_secs(1_700_000_000);
    let (a, b) = (now - Duration::from_secs(3600), now);
    let cutoff = now - Duration::from_secs(60);
    let c = condition!(Order: created_at < cutoff && created_at.between(a, b) && expires_at > now);
    assert_eq!(c.expression(), "#n0 < :v0 AND #n0 BETWEEN :v1 AND :v2 AND #n1 > :v3");
    assert_eq!(c.names(), names([("#n0", "createdAt"), ("#n1", "expiresAt")]));
    let values = c.values().expect("values convert");
    assert!(matches!(values[":v0"], AttributeValue::S(_)), "a timestamp is stored as a string");
    assert_eq!(values[":v3"], &AttributeValue::N("1700000000".into()));
    let later: SystemTime = now + Duration::from_secs(86_400);
    let op = update!(Order: created_at = now, expires_at = later);
    assert_eq!(op.update_expression(), "SET #n0 = :v0, #n1 = :v1");

    // A serde field is set and compared with a value of its own type; an optional one is removed and tested.
    let value = Prefs { theme: "dark".into(), volume: 3 };
    let op = update!(Order: prefs = value.clone(), extra.remove(); where prefs == &value && extra.exists());
    assert_eq!(op.update_expression(), "SET #n0 = :v0 REMOVE #n1");
    assert_eq!(op.condition_expression(), Some("#n0 = :v1 AND attribute_exists(#n1)"));
    assert!(matches!(op.values().expect("values convert")[":v0"], AttributeValue::M(_)));
    let c = condition!(Order: prefs != value || !extra.exists());
    assert_eq!(c.expression(), "#n0 <> :v0 OR attribute_not_exists(#n1)");
}
