//! The rules that need no types: paths written twice or overlapping, `is_in` sizes, self-comparisons.

use quote::ToTokens;

use super::model::*;
use crate::diag::Errors;

/// The most operands DynamoDB takes in one `IN`.
const MAX_IN_OPERANDS: usize = 100;

pub(crate) fn check(invocation: &Invocation, errors: &mut Errors) {
    let targets: Vec<&Path> = invocation.assignments.iter().map(|a| &a.target).collect();
    for (i, later) in targets.iter().enumerate() {
        if let Some(earlier) = targets[..i].iter().find(|earlier| overlap(earlier, later)) {
            let (message, help) = if earlier.text() == later.text() {
                (format!("`{}` is written twice in one update", later.text()), "combine the two into one assignment")
            } else {
                (
                    format!("`{}` overlaps `{}`, which this update also writes", later.text(), earlier.text()),
                    "DynamoDB refuses two actions on overlapping paths: write the parent or its parts, not both",
                )
            };
            errors.on(later.to_token_stream(), message, help);
        }
    }
    if let Some(condition) = &invocation.condition {
        check_condition(condition, errors);
    }
}

/// Whether two targets overlap: one is the other or contains it, or they address one attribute as a map
/// and as a list.
fn overlap(a: &Path, b: &Path) -> bool {
    a.segments.iter().zip(&b.segments).enumerate().all(|(i, (x, y))| match (x, y) {
        (Segment::Field(x), Segment::Field(y)) => x == y,
        (Segment::Index(x, _), Segment::Index(y, _)) => x == y,
        (Segment::Key(_), Segment::Key(_)) => a.text_of(i + 1) == b.text_of(i + 1),
        _ => true,
    })
}

fn check_condition(condition: &Condition, errors: &mut Errors) {
    match condition {
        Condition::And(a, b) | Condition::Or(a, b) => {
            check_condition(a, errors);
            check_condition(b, errors);
        }
        Condition::Not(inner) => check_condition(inner, errors),
        Condition::Compare { left: Measure::Attribute(left), right: Operand::Attribute(right), .. }
            if left.text() == right.text() =>
        {
            errors.on(
                right.to_token_stream(),
                format_args!("`{}` is compared with itself", left.text()),
                "compare the attribute with a value or another attribute",
            );
        }
        Condition::IsIn { method, values, .. } if values.is_empty() => {
            errors.at(method.span(), "`is_in` needs at least one value", "list the values: `field.is_in([a, b])`");
        }
        Condition::IsIn { method, values, .. } if values.len() > MAX_IN_OPERANDS => {
            errors.at(
                method.span(),
                format_args!("`is_in` takes at most {MAX_IN_OPERANDS} values, not {}", values.len()),
                "DynamoDB's IN compares with at most 100 values: split the check, or use `between` for a range",
            );
        }
        _ => {}
    }
}
