//! Attribute values as DynamoDB checks, compares and stores them.

use std::cmp::Ordering;
use std::collections::HashMap;

use aws_sdk_dynamodb::types::AttributeValue;

use super::decimal::{Decimal, NumberError};
pub(crate) use crate::limits::{MAX_ITEM_DEPTH, MAX_VALUE_DEPTH};

/// Attributes by name: an item, or the entries of a map value.
pub(crate) type Attributes = HashMap<String, AttributeValue>;

/// Prefix of the parameter errors DynamoDB reports for values it refuses.
const INVALID_PARAMETERS: &str = "One or more parameter values were invalid: ";

/// DynamoDB's message for a value nested too deeply.
pub(crate) const TOO_DEEP: &str = "Nesting Levels have exceeded supported limits";

/// Checks a value sent to DynamoDB (an item attribute or an expression value) of at most `depth` levels; the
/// error is DynamoDB's message.
pub(crate) fn check(value: &AttributeValue, depth: usize) -> Result<(), String> {
    // A list or map needs a level of its own and one for its elements ([`depth`]).
    let container = matches!(value, AttributeValue::L(_) | AttributeValue::M(_));
    if depth == 0 || container && depth == 1 {
        return Err(format!("{TOO_DEEP}: Attributes in the item have nested levels beyond supported limit"));
    }
    match value {
        AttributeValue::N(n) => number(n).map(drop),
        AttributeValue::Ns(set) => {
            empty_set(set, "An number set  may not be empty")?;
            let parsed = set.iter().map(|n| number(n)).collect::<Result<Vec<_>, _>>()?;
            if has_duplicates(parsed.iter()) {
                return Err("Input collection contains duplicates".to_owned());
            }
            Ok(())
        }
        AttributeValue::Ss(set) => {
            empty_set(set, "An string set  may not be empty")?;
            if has_duplicates(set.iter()) {
                return Err(format!("{INVALID_PARAMETERS}Input collection [{}] contains duplicates", set.join(", ")));
            }
            Ok(())
        }
        AttributeValue::Bs(set) => {
            empty_set(set, "Binary sets should not be empty")?;
            if has_duplicates(set.iter().map(|b| b.as_ref())) {
                return Err(format!("{INVALID_PARAMETERS}Input collection of type BS contains duplicates."));
            }
            Ok(())
        }
        AttributeValue::Null(false) => {
            Err(format!("{INVALID_PARAMETERS}Null attribute value types must have the value of true"))
        }
        AttributeValue::L(list) => list.iter().try_for_each(|value| check(value, depth - 1)),
        AttributeValue::M(map) => check_map(map, depth - 1),
        AttributeValue::S(_) | AttributeValue::B(_) | AttributeValue::Bool(_) | AttributeValue::Null(true) => Ok(()),
        _ => Err("Supplied AttributeValue is empty, must contain exactly one of the supported datatypes".into()),
    }
}

/// Checks every value of a map (or item) of at most `depth` levels; an empty name is refused.
pub(crate) fn check_map(map: &HashMap<String, AttributeValue>, depth: usize) -> Result<(), String> {
    map.iter().try_for_each(
        |(name, value)| if name.is_empty() { Err("Empty attribute name".to_owned()) } else { check(value, depth) },
    )
}

/// The levels of a value: one, plus, for a list or map, the deepest of its elements, at least one even when it is
/// empty (DynamoDB Local refuses an empty list where a number would still fit: a list or map needs a level for
/// its elements).
pub(crate) fn depth(value: &AttributeValue) -> usize {
    1 + match value {
        AttributeValue::L(list) => list.iter().map(depth).max().unwrap_or(1),
        AttributeValue::M(map) => map.values().map(depth).max().unwrap_or(1),
        _ => 0,
    }
}

/// A checked value with every number in canonical form, as DynamoDB stores it.
pub(crate) fn canonical(value: &AttributeValue) -> AttributeValue {
    let number = |n: &String| Decimal::parse(n).map_or_else(|_| n.clone(), |d| d.to_string());
    match value {
        AttributeValue::N(n) => AttributeValue::N(number(n)),
        AttributeValue::Ns(set) => AttributeValue::Ns(set.iter().map(number).collect()),
        AttributeValue::L(list) => AttributeValue::L(list.iter().map(canonical).collect()),
        AttributeValue::M(map) => AttributeValue::M(canonical_map(map)),
        other => other.clone(),
    }
}

/// A checked map (or item) with every number in canonical form.
pub(crate) fn canonical_map(map: &HashMap<String, AttributeValue>) -> HashMap<String, AttributeValue> {
    map.iter().map(|(name, value)| (name.clone(), canonical(value))).collect()
}

fn empty_set<T>(set: &[T], message: &str) -> Result<(), String> {
    if set.is_empty() { Err(format!("{INVALID_PARAMETERS}{message}")) } else { Ok(()) }
}

fn has_duplicates<T: Ord>(set: impl Iterator<Item = T>) -> bool {
    let mut sorted: Vec<T> = set.collect();
    sorted.sort();
    sorted.windows(2).any(|w| w[0] == w[1])
}

/// Parses a number, with DynamoDB's message on failure.
pub(crate) fn number(text: &str) -> Result<Decimal, String> {
    Decimal::parse(text).map_err(|e| e.message().to_owned())
}

/// The result of arithmetic as a stored number, with DynamoDB's message on failure.
pub(crate) fn number_value(result: Result<Decimal, NumberError>) -> Result<AttributeValue, String> {
    result.map(|d| AttributeValue::N(d.to_string())).map_err(|e| e.message().to_owned())
}

/// DynamoDB's name for a value's type in ADD and DELETE errors.
pub(crate) fn type_name(value: &AttributeValue) -> &'static str {
    match value {
        AttributeValue::S(_) => "STRING",
        AttributeValue::N(_) => "NUMBER",
        AttributeValue::B(_) => "BINARY",
        AttributeValue::Bool(_) => "BOOLEAN",
        AttributeValue::Null(_) => "NULL",
        AttributeValue::L(_) => "LIST",
        AttributeValue::M(_) => "MAP",
        AttributeValue::Ss(_) => "STRING_SET",
        AttributeValue::Ns(_) => "NUMBER_SET",
        AttributeValue::Bs(_) => "BINARY_SET",
        _ => "UNKNOWN",
    }
}

/// The short name of a value's DynamoDB type as DynamoDB prints it (`S`, `N`, `BOOL`, `SS` ...), also in this
/// crate's error messages.
pub(crate) fn type_code(value: &AttributeValue) -> &'static str {
    match value {
        AttributeValue::S(_) => "S",
        AttributeValue::N(_) => "N",
        AttributeValue::B(_) => "B",
        AttributeValue::Bool(_) => "BOOL",
        AttributeValue::Null(_) => "NULL",
        AttributeValue::L(_) => "L",
        AttributeValue::M(_) => "M",
        AttributeValue::Ss(_) => "SS",
        AttributeValue::Ns(_) => "NS",
        AttributeValue::Bs(_) => "BS",
        _ => "an unknown type",
    }
}

/// Compares numbers numerically; unreadable numbers (never stored) compare as text.
fn cmp_numbers(a: &str, b: &str) -> Ordering {
    match (Decimal::parse(a), Decimal::parse(b)) {
        (Ok(a), Ok(b)) => a.cmp(&b),
        _ => a.cmp(b),
    }
}

fn same_number(a: &str, b: &str) -> bool {
    a == b || cmp_numbers(a, b) == Ordering::Equal
}

/// DynamoDB's equality: same type and same content; numbers by value, sets in any order.
pub(crate) fn equal(a: &AttributeValue, b: &AttributeValue) -> bool {
    use AttributeValue as V;
    match (a, b) {
        (V::N(a), V::N(b)) => same_number(a, b),
        (V::S(a), V::S(b)) => a == b,
        (V::B(a), V::B(b)) => a == b,
        (V::Bool(a), V::Bool(b)) => a == b,
        (V::Null(_), V::Null(_)) => true,
        (V::L(a), V::L(b)) => a.len() == b.len() && a.iter().zip(b).all(|(a, b)| equal(a, b)),
        (V::M(a), V::M(b)) => a.len() == b.len() && a.iter().all(|(k, v)| b.get(k).is_some_and(|w| equal(v, w))),
        (V::Ss(a), V::Ss(b)) => a.len() == b.len() && a.iter().all(|x| b.contains(x)),
        (V::Bs(a), V::Bs(b)) => a.len() == b.len() && a.iter().all(|x| b.contains(x)),
        (V::Ns(a), V::Ns(b)) => a.len() == b.len() && a.iter().all(|x| b.iter().any(|y| same_number(x, y))),
        _ => false,
    }
}

/// DynamoDB's order: numbers by value, strings by UTF-8 bytes, binary by unsigned bytes; `None` for any other
/// pair (different types, or types without an order).
pub(crate) fn compare(a: &AttributeValue, b: &AttributeValue) -> Option<Ordering> {
    use AttributeValue as V;
    match (a, b) {
        (V::N(a), V::N(b)) => Some(cmp_numbers(a, b)),
        (V::S(a), V::S(b)) => Some(a.as_bytes().cmp(b.as_bytes())),
        (V::B(a), V::B(b)) => Some(a.as_ref().cmp(b.as_ref())),
        _ => None,
    }
}

/// Whether a set or list holds `element` (`contains` on collections).
pub(crate) fn holds(collection: &AttributeValue, element: &AttributeValue) -> bool {
    use AttributeValue as V;
    match (collection, element) {
        (V::S(s), V::S(part)) => s.contains(part.as_str()),
        (V::B(b), V::B(part)) => {
            let (b, part) = (b.as_ref(), part.as_ref());
            part.is_empty() || b.windows(part.len()).any(|w| w == part)
        }
        (V::Ss(set), V::S(s)) => set.contains(s),
        (V::Ns(set), V::N(n)) => set.iter().any(|m| same_number(m, n)),
        (V::Bs(set), V::B(b)) => set.contains(b),
        (V::L(list), element) => list.iter().any(|e| equal(e, element)),
        _ => false,
    }
}

/// `size()`: characters of a string (UTF-16 code units, as DynamoDB counts them), bytes of binary, elements of
/// a collection; `None` for other types.
pub(crate) fn size(value: &AttributeValue) -> Option<usize> {
    use AttributeValue as V;
    Some(match value {
        V::S(s) => s.encode_utf16().count(),
        V::B(b) => b.as_ref().len(),
        V::Ss(set) => set.len(),
        V::Ns(set) => set.len(),
        V::Bs(set) => set.len(),
        V::L(list) => list.len(),
        V::M(map) => map.len(),
        _ => return None,
    })
}

/// DynamoDB's (Java SDK's) text of a value in BETWEEN errors: `{N:1.50}`, `{S:abc}`.
pub(crate) fn java_text(value: &AttributeValue) -> String {
    match value {
        AttributeValue::N(n) => format!("{{N:{n}}}"),
        AttributeValue::S(s) => format!("{{S:{s}}}"),
        AttributeValue::B(b) => {
            let len = b.as_ref().len();
            format!("{{B:java.nio.HeapByteBuffer[pos=0 lim={len} cap={len}]}}")
        }
        other => format!("{{{}:...}}", type_code(other)),
    }
}

/// `ADD` of a value to an attribute (absent: the value itself); `None` when the types do not fit.
pub(crate) fn add(current: Option<&AttributeValue>, value: &AttributeValue) -> Option<Result<AttributeValue, String>> {
    use AttributeValue as V;
    Some(match (current, value) {
        (None, value) => Ok(value.clone()),
        (Some(V::N(a)), V::N(b)) => match (Decimal::parse(a), Decimal::parse(b)) {
            (Ok(a), Ok(b)) => number_value(a.add(b)),
            _ => return None,
        },
        (Some(V::Ss(a)), V::Ss(b)) => Ok(V::Ss(union(a, b, |x, y| x == y))),
        (Some(V::Bs(a)), V::Bs(b)) => Ok(V::Bs(union(a, b, |x, y| x == y))),
        (Some(V::Ns(a)), V::Ns(b)) => Ok(V::Ns(union(a, b, |x, y| same_number(x, y)))),
        _ => return None,
    })
}

/// `DELETE` of set elements: the difference, `Some(None)` when nothing is left, `None` when the types do not fit.
pub(crate) fn delete(current: &AttributeValue, value: &AttributeValue) -> Option<Option<AttributeValue>> {
    use AttributeValue as V;
    let left = match (current, value) {
        (V::Ss(a), V::Ss(b)) => V::Ss(difference(a, b, |x, y| x == y)),
        (V::Bs(a), V::Bs(b)) => V::Bs(difference(a, b, |x, y| x == y)),
        (V::Ns(a), V::Ns(b)) => V::Ns(difference(a, b, |x, y| same_number(x, y))),
        _ => return None,
    };
    Some(size(&left).is_some_and(|n| n > 0).then_some(left))
}

fn union<T: Clone>(a: &[T], b: &[T], same: impl Fn(&T, &T) -> bool) -> Vec<T> {
    let mut out = a.to_vec();
    for x in b {
        if !out.iter().any(|y| same(x, y)) {
            out.push(x.clone());
        }
    }
    out
}

fn difference<T: Clone>(a: &[T], b: &[T], same: impl Fn(&T, &T) -> bool) -> Vec<T> {
    a.iter().filter(|x| !b.iter().any(|y| same(x, y))).cloned().collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use aws_sdk_dynamodb::primitives::Blob;

    fn n(text: &str) -> AttributeValue {
        AttributeValue::N(text.into())
    }

    fn normalized(value: &AttributeValue) -> Result<AttributeValue, String> {
        check(value, MAX_VALUE_DEPTH).map(|()| canonical(value))
    }

    fn strings(items: &[&str]) -> Vec<String> {
        items.iter().map(|s| s.to_string()).collect()
    }

    #[test]
    fn normalises_numbers_everywhere() {
        let value = AttributeValue::L(vec![n("1.50"), AttributeValue::Ns(strings(&["-0", "010"]))]);
        let expected = AttributeValue::L(vec![n("1.5"), AttributeValue::Ns(strings(&["0", "10"]))]);
        assert_eq!(normalized(&value), Ok(expected));
    }

    #[test]
    fn refuses_with_dynamodb_messages() {
        let err = |v: AttributeValue| normalized(&v).unwrap_err();
        assert_eq!(err(n("x")), "A value provided cannot be converted into a number");
        assert_eq!(err(n("1e126")), NumberError::Overflow.message());
        assert_eq!(
            err(AttributeValue::Ss(vec![])),
            "One or more parameter values were invalid: An string set  may not be empty"
        );
        assert_eq!(
            err(AttributeValue::Ns(vec![])),
            "One or more parameter values were invalid: An number set  may not be empty"
        );
        assert_eq!(
            err(AttributeValue::Bs(vec![])),
            "One or more parameter values were invalid: Binary sets should not be empty"
        );
        assert_eq!(
            err(AttributeValue::Ss(strings(&["x", "x"]))),
            "One or more parameter values were invalid: Input collection [x, x] contains duplicates"
        );
        assert_eq!(err(AttributeValue::Ns(strings(&["1", "1.0"]))), "Input collection contains duplicates");
        let blob = || Blob::new(vec![1]);
        assert_eq!(
            err(AttributeValue::Bs(vec![blob(), blob()])),
            "One or more parameter values were invalid: Input collection of type BS contains duplicates."
        );
        assert_eq!(err(AttributeValue::M([(String::new(), n("1"))].into())), "Empty attribute name");
        assert!(err(AttributeValue::Null(false)).ends_with("Null attribute value types must have the value of true"));
        let nested = |levels: usize| (1..levels).fold(n("1"), |inner, _| AttributeValue::L(vec![inner]));
        assert_eq!(depth(&nested(33)), 33);
        assert!(check(&nested(32), MAX_ITEM_DEPTH).is_ok());
        assert!(check(&nested(33), MAX_ITEM_DEPTH).unwrap_err().starts_with(TOO_DEEP));
        assert!(check(&nested(33), MAX_VALUE_DEPTH).is_ok());
        // An empty list counts a level for its elements: 32 lists are too deep, whatever they hold.
        let lists =
            |count: usize| (1..count).fold(AttributeValue::L(vec![]), |inner, _| AttributeValue::L(vec![inner]));
        assert_eq!(depth(&lists(31)), 32);
        assert!(check(&lists(31), MAX_ITEM_DEPTH).is_ok());
        assert!(check(&lists(32), MAX_ITEM_DEPTH).is_err());
        assert!(check(&AttributeValue::M(HashMap::new()), 1).is_err());
    }

    #[test]
    fn equality_is_type_strict_and_deep() {
        assert!(equal(&n("1.0"), &n("1")));
        assert!(!equal(&n("1"), &AttributeValue::S("1".into())));
        assert!(equal(&AttributeValue::Ss(strings(&["a", "b"])), &AttributeValue::Ss(strings(&["b", "a"]))));
        assert!(equal(&AttributeValue::Ns(strings(&["2.5", "1"])), &AttributeValue::Ns(strings(&["1.0", "2.50"]))));
        assert!(!equal(&AttributeValue::L(vec![n("1"), n("2")]), &AttributeValue::L(vec![n("2"), n("1")])));
        let map = |v: &str| AttributeValue::M([("x".to_owned(), AttributeValue::L(vec![n(v)]))].into());
        assert!(equal(&map("2"), &map("2.00")));
        assert!(!equal(&map("2"), &map("3")));
    }

    #[test]
    fn order_and_size_follow_dynamodb() {
        let s = |t: &str| AttributeValue::S(t.into());
        assert_eq!(compare(&n("10"), &n("9")), Some(Ordering::Greater));
        // UTF-8 byte order: U+00E9 (C3 A9) sorts before U+FFFF (EF BF BF) and after every ASCII character.
        assert_eq!(compare(&s("h\u{e9}"), &s("h\u{ffff}")), Some(Ordering::Less));
        assert_eq!(compare(&s("\u{e9}"), &s("z")), Some(Ordering::Greater));
        assert_eq!(compare(&n("1"), &s("1")), None);
        assert_eq!(compare(&AttributeValue::Bool(true), &AttributeValue::Bool(false)), None);
        assert_eq!(size(&s("h\u{e9}\u{1F600}")), Some(4), "UTF-16 code units");
        assert_eq!(size(&n("12")), None);
        assert!(holds(&s("string"), &s("rin")));
        assert!(holds(&AttributeValue::Ns(strings(&["2.5"])), &n("2.50")));
        assert!(!holds(&AttributeValue::Ss(strings(&["a"])), &AttributeValue::Ss(strings(&["a"]))));
    }

    #[test]
    fn add_and_delete_on_numbers_and_sets() {
        assert_eq!(add(Some(&n("1")), &n("1.5")), Some(Ok(n("2.5"))));
        assert_eq!(add(None, &n("3")), Some(Ok(n("3"))));
        let ss = |items: &[&str]| AttributeValue::Ss(strings(items));
        assert_eq!(add(Some(&ss(&["a", "b"])), &ss(&["b", "c"])), Some(Ok(ss(&["a", "b", "c"]))));
        assert_eq!(add(Some(&ss(&["a"])), &n("1")), None);
        assert_eq!(delete(&ss(&["a", "b"]), &ss(&["b", "c"])), Some(Some(ss(&["a"]))));
        assert_eq!(delete(&ss(&["a"]), &ss(&["a"])), Some(None));
        assert_eq!(delete(&n("1"), &ss(&["a"])), None);
    }
}
