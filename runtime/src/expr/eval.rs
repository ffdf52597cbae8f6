//! Evaluation of conditions and of update operands on an item, with DynamoDB's semantics: a missing operand
//! makes every comparison false except `<>`, comparisons are type-strict, and nothing is a runtime error.

use std::borrow::Cow;
use std::cmp::Ordering;

use aws_sdk_dynamodb::types::AttributeValue;

use super::bind::Context;
use super::parser::{Comparator, ConditionNode, Func, OperandNode, SetValue};
use super::path;
use super::values::{self, Attributes, compare, equal, holds, number_value};

/// DynamoDB's message when an update operand has the wrong type.
pub(crate) const WRONG_TYPE: &str = "An operand in the update expression has an incorrect data type";
/// DynamoDB's message for an update operand that does not exist.
pub(crate) const MISSING: &str = "The provided expression refers to an attribute that does not exist in the item";

/// The value of an operand of a condition, `None` when it is missing.
pub(crate) fn operand<'a>(
    operand: &OperandNode,
    item: &'a Attributes,
    context: &Context<'a>,
) -> Option<Cow<'a, AttributeValue>> {
    match operand {
        OperandNode::Path(p) => path::get(item, p, context).map(Cow::Borrowed),
        OperandNode::Value(slot) => context.value(*slot).map(Cow::Borrowed),
        OperandNode::Call(Func::Size, args) => {
            let size = values::size(&*self::operand(args.first()?, item, context)?)?;
            Some(Cow::Owned(AttributeValue::N(size.to_string())))
        }
        OperandNode::Call(..) => None,
    }
}

/// Whether a condition holds for an item (an absent item is an empty one).
pub(crate) fn condition(condition: &ConditionNode, item: &Attributes, context: &Context<'_>) -> bool {
    let value = |o: &OperandNode| operand(o, item, context);
    match condition {
        ConditionNode::Compare(comparator, a, b) => match (value(a), value(b)) {
            (Some(a), Some(b)) => {
                let order = || compare(&a, &b);
                match comparator {
                    Comparator::Eq => equal(&a, &b),
                    Comparator::Ne => !equal(&a, &b),
                    Comparator::Lt => order() == Some(Ordering::Less),
                    Comparator::Le => matches!(order(), Some(Ordering::Less | Ordering::Equal)),
                    Comparator::Gt => order() == Some(Ordering::Greater),
                    Comparator::Ge => matches!(order(), Some(Ordering::Greater | Ordering::Equal)),
                }
            }
            _ => *comparator == Comparator::Ne,
        },
        ConditionNode::Between(a, low, high) => match (value(a), value(low), value(high)) {
            (Some(a), Some(low), Some(high)) => {
                matches!(compare(&a, &low), Some(Ordering::Greater | Ordering::Equal))
                    && matches!(compare(&a, &high), Some(Ordering::Less | Ordering::Equal))
            }
            _ => false,
        },
        ConditionNode::In(a, list) => {
            value(a).is_some_and(|a| list.iter().any(|candidate| value(candidate).is_some_and(|c| equal(&a, &c))))
        }
        ConditionNode::Call(func, args) => call(func, args, item, context),
        ConditionNode::Not(inner) => !self::condition(inner, item, context),
        ConditionNode::And(a, b) => self::condition(a, item, context) && self::condition(b, item, context),
        ConditionNode::Or(a, b) => self::condition(a, item, context) || self::condition(b, item, context),
    }
}

/// A condition function.
fn call(func: &Func, args: &[OperandNode], item: &Attributes, context: &Context<'_>) -> bool {
    let value = |i: usize| args.get(i).and_then(|o| operand(o, item, context));
    match func {
        Func::AttributeExists => value(0).is_some(),
        Func::AttributeNotExists => value(0).is_none(),
        Func::AttributeType => match (value(0), value(1)) {
            (Some(a), Some(t)) => matches!(&*t, AttributeValue::S(t) if t == values::type_code(&a)),
            _ => false,
        },
        Func::BeginsWith => match (value(0), value(1)) {
            (Some(a), Some(b)) => match (&*a, &*b) {
                (AttributeValue::S(a), AttributeValue::S(b)) => a.starts_with(b.as_str()),
                (AttributeValue::B(a), AttributeValue::B(b)) => a.as_ref().starts_with(b.as_ref()),
                _ => false,
            },
            _ => false,
        },
        Func::Contains => match (value(0), value(1)) {
            (Some(a), Some(b)) => holds(&a, &b),
            _ => false,
        },
        // Refused when the expression was validated.
        Func::IfNotExists | Func::ListAppend | Func::Size | Func::Unknown(_) => false,
    }
}

/// The value of a SET right-hand side on the item before the update, or DynamoDB's error: a missing operand,
/// an operand of the wrong type, a result beyond DynamoDB's number limits. Operands are read first (an
/// `if_not_exists` whose fallback is missing fails then), then checked left to right.
pub(crate) fn set_value<'a>(
    value: &SetValue,
    item: &'a Attributes,
    context: &Context<'a>,
) -> Result<Cow<'a, AttributeValue>, String> {
    let (a, b, add) = match value {
        SetValue::Operand(o) => return present(update_operand(o, item, context)?),
        SetValue::Plus(a, b) => (a, b, true),
        SetValue::Minus(a, b) => (a, b, false),
    };
    let (a, b) = (update_operand(a, item, context)?, update_operand(b, item, context)?);
    let number = |value: Option<Cow<'_, AttributeValue>>| match present(value)?.as_ref() {
        AttributeValue::N(n) => values::number(n),
        _ => Err(WRONG_TYPE.to_owned()),
    };
    let (a, b) = (number(a)?, number(b)?);
    let result = if add { a.add(b) } else { a.sub(b) };
    number_value(result).map(Cow::Owned)
}

/// An operand that must exist.
fn present(value: Option<Cow<'_, AttributeValue>>) -> Result<Cow<'_, AttributeValue>, String> {
    value.ok_or_else(|| MISSING.to_owned())
}

/// An operand of an update: a path (`None` when it is missing), a value, `if_not_exists` or `list_append`.
fn update_operand<'a>(
    operand: &OperandNode,
    item: &'a Attributes,
    context: &Context<'a>,
) -> Result<Option<Cow<'a, AttributeValue>>, String> {
    match operand {
        OperandNode::Path(p) => Ok(path::get(item, p, context).map(Cow::Borrowed)),
        OperandNode::Value(slot) => Ok(context.value(*slot).map(Cow::Borrowed)),
        OperandNode::Call(Func::IfNotExists, args) => {
            let [OperandNode::Path(p), fallback] = args.as_slice() else { return Ok(None) };
            // The fallback must exist even when the attribute is there.
            let fallback = present(update_operand(fallback, item, context)?)?;
            Ok(Some(path::get(item, p, context).map_or(fallback, Cow::Borrowed)))
        }
        OperandNode::Call(Func::ListAppend, args) => {
            let [a, b] = args.as_slice() else { return Ok(None) };
            let (a, b) = (update_operand(a, item, context)?, update_operand(b, item, context)?);
            let list = |value: Option<Cow<'a, AttributeValue>>| match present(value)?.as_ref() {
                AttributeValue::L(list) => Ok(list.clone()),
                _ => Err(WRONG_TYPE.to_owned()),
            };
            let (mut a, b) = (list(a)?, list(b)?);
            a.extend(b);
            // Owned results are stored as they are: numbers from the request's values must be canonical.
            Ok(Some(Cow::Owned(AttributeValue::L(a.iter().map(values::canonical).collect()))))
        }
        OperandNode::Call(..) => Ok(None),
    }
}

#[cfg(test)]
mod tests {
    use std::collections::HashMap;

    use super::super::parser;
    use super::*;

    fn item() -> Attributes {
        let n = |t: &str| AttributeValue::N(t.into());
        let s = |t: &str| AttributeValue::S(t.into());
        [
            ("n".to_owned(), n("5")),
            ("s".to_owned(), s("str")),
            ("u".to_owned(), s("h\u{e9}\u{1F600}")),
            ("l".to_owned(), AttributeValue::L(vec![n("1"), s("x"), AttributeValue::L(vec![n("2")])])),
            ("m".to_owned(), AttributeValue::M([("x".to_owned(), n("1"))].into())),
            ("ss".to_owned(), AttributeValue::Ss(vec!["a".into(), "b".into()])),
            ("t".to_owned(), AttributeValue::Bool(true)),
            ("nul".to_owned(), AttributeValue::Null(true)),
        ]
        .into()
    }

    fn holds(text: &str, values: &[(&str, AttributeValue)]) -> bool {
        let values: HashMap<String, AttributeValue> = values.iter().map(|(k, v)| (k.to_string(), v.clone())).collect();
        let names = HashMap::new();
        let parsed = parser::condition(text).expect(text);
        condition(&parsed.root, &item(), &Context::bind(&parsed.placeholders, &names, &values))
    }

    #[test]
    fn conditions_evaluate_like_dynamodb() {
        let n = |t: &str| AttributeValue::N(t.into());
        let s = |t: &str| AttributeValue::S(t.into());
        type Case<'a> = (&'a str, Vec<(&'a str, AttributeValue)>, bool);
        let cases: Vec<Case> = vec![
            ("size(u) = :v", vec![(":v", n("4"))], true),
            ("size(n) = :v", vec![(":v", n("1"))], false),
            ("size(n) <> :v", vec![(":v", n("1"))], true),
            ("size(m) = :v", vec![(":v", n("1"))], true),
            ("n = :v", vec![(":v", n("5.0"))], true),
            ("n = :v", vec![(":v", s("5"))], false),
            ("q <> :v", vec![(":v", n("1"))], true),
            ("q = :v", vec![(":v", n("1"))], false),
            ("NOT q = :v", vec![(":v", n("1"))], true),
            ("NOT q < :v", vec![(":v", n("1"))], true),
            ("q IN (:v)", vec![(":v", n("1"))], false),
            ("n < :v", vec![(":v", s("6"))], false),
            ("s < :v", vec![(":v", s("stz"))], true),
            ("u < :v", vec![(":v", s("h\u{ffff}"))], true),
            ("nul = :v", vec![(":v", AttributeValue::Null(true))], true),
            ("begins_with(s, :v)", vec![(":v", s("st"))], true),
            ("begins_with(s, :v)", vec![(":v", s(""))], true),
            ("begins_with(l, :v)", vec![(":v", s("s"))], false),
            ("contains(s, :v)", vec![(":v", s("tr"))], true),
            ("contains(ss, :v)", vec![(":v", s("a"))], true),
            ("contains(l, :v)", vec![(":v", AttributeValue::L(vec![n("2.0")]))], true),
            ("contains(m, :v)", vec![(":v", s("x"))], false),
            ("attribute_type(n, :v)", vec![(":v", s("N"))], true),
            ("attribute_type(n, :v)", vec![(":v", s("S"))], false),
            ("n IN (:a, :b)", vec![(":a", s("5")), (":b", n("5.0"))], true),
            ("n BETWEEN :a AND :b", vec![(":a", n("5")), (":b", n("5"))], true),
            ("n BETWEEN :a AND :b", vec![(":a", s("a")), (":b", s("z"))], false),
            ("attribute_exists(l[2][0])", vec![], true),
            ("attribute_exists(l[5])", vec![], false),
            ("attribute_not_exists(s[0])", vec![], true),
            ("attribute_exists(m.x) AND NOT attribute_exists(m.y) OR t = :v", vec![(":v", n("1"))], true),
        ];
        for (text, values, expected) in cases {
            assert_eq!(holds(text, &values), expected, "{text}");
        }
    }

    #[test]
    fn set_values_read_the_item_before_the_update() {
        let values: HashMap<String, AttributeValue> =
            [(":one".to_owned(), AttributeValue::N("1".into())), (":s".to_owned(), AttributeValue::S("x".into()))]
                .into();
        let names = HashMap::new();
        let item = item();
        let eval = |text: &str| {
            let parsed = parser::update(text).expect(text);
            let context = Context::bind(&parsed.placeholders, &names, &values);
            let parser::UpdateActionKind::Set(value) = &parsed.actions[0].kind else { panic!("{text}") };
            set_value(value, &item, &context).map(Cow::into_owned)
        };
        let (missing, wrong) = (Err(MISSING.to_owned()), Err(WRONG_TYPE.to_owned()));
        assert_eq!(eval("SET a = n + :one"), Ok(AttributeValue::N("6".into())));
        assert_eq!(eval("SET a = if_not_exists(q, :one) - :one"), Ok(AttributeValue::N("0".into())));
        assert_eq!(eval("SET a = q + :one"), missing);
        assert_eq!(eval("SET a = if_not_exists(n, q)"), missing, "the fallback must exist");
        assert_eq!(eval("SET a = s + :one"), wrong);
        assert_eq!(eval("SET a = list_append(s, l)"), wrong);
        // Checked left to right, but a missing `if_not_exists` fallback fails while the operands are read.
        assert_eq!(eval("SET a = q - s"), missing);
        assert_eq!(eval("SET a = s - q"), wrong);
        assert_eq!(eval("SET a = s + if_not_exists(q, r)"), missing);
        let Ok(AttributeValue::L(list)) = eval("SET a = list_append(l, l)") else { panic!("a list") };
        assert_eq!(list.len(), 6);
    }
}
