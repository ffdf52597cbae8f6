//! Document paths: checking them, reading them from an item, and resolving their placeholders.

use std::fmt;

use aws_sdk_dynamodb::types::AttributeValue;

use super::bind::Context;
use super::parser::{Name, Path, PathElement, message};
use super::small::Small;
use super::values::Attributes;

/// Deepest document path DynamoDB accepts.
use crate::limits::MAX_PATH_DEPTH as MAX_DEPTH;

/// One step of a resolved path: a map key (or top-level attribute name) or a list index.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Step<'a> {
    Key(&'a str),
    Index(usize),
}

impl Default for Step<'_> {
    fn default() -> Self {
        Step::Index(0)
    }
}

/// A resolved path, such as `[address, city]` or `[tags, [0]]` in DynamoDB's notation.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Resolved<'a>(pub(crate) Small<Step<'a>, 4>);

impl fmt::Display for Resolved<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("[")?;
        for (i, step) in self.0.iter().enumerate() {
            if i > 0 {
                f.write_str(", ")?;
            }
            match step {
                Step::Key(key) => f.write_str(key)?,
                Step::Index(index) => write!(f, "[{index}]")?,
            }
        }
        f.write_str("]")
    }
}

/// The steps of a path with its placeholders resolved; `None` for a step that cannot be resolved (never the
/// case once the path has been [`check`]ed).
fn steps<'a>(path: &'a Path, context: &'a Context<'a>) -> impl Iterator<Item = Option<Step<'a>>> + 'a {
    path.0.iter().map(|element| match element {
        PathElement::Name(name) => context.name(name).map(Step::Key),
        PathElement::Index(index) => Some(Step::Index(*index as usize)),
        PathElement::Value(_) | PathElement::BadIndex(_) => None,
    })
}

/// Checks a path as DynamoDB does: at most 32 steps, every `#name` defined.
pub(crate) fn check(path: &Path, context: &Context<'_>) -> Result<(), String> {
    if path.0.len() > MAX_DEPTH {
        let depth = path.0.len().to_string();
        return Err(message("The document path has too many nesting levels", &[("nesting levels", &depth)]));
    }
    for element in &path.0 {
        match element {
            PathElement::Name(Name::Placeholder(slot)) if context.name_of(*slot).is_none() => {
                return Err(message(
                    "An expression attribute name used in the document path is not defined",
                    &[("attribute name", context.name_text(*slot))],
                ));
            }
            // DynamoDB accepts `.:value` in its grammar and then fails with an internal error.
            PathElement::Value(_) | PathElement::BadIndex(_) => return Err("Internal server error".to_owned()),
            _ => {}
        }
    }
    Ok(())
}

/// Resolves a checked path (`None` if it was not checked and does not resolve).
pub(crate) fn resolve<'a>(path: &'a Path, context: &'a Context<'a>) -> Option<Resolved<'a>> {
    steps(path, context).collect::<Option<Small<_, 4>>>().map(Resolved)
}

/// Whether two checked paths name the same attribute.
pub(crate) fn same(a: &Path, b: &Path, context: &Context<'_>) -> bool {
    a.0.len() == b.0.len() && steps(a, context).zip(steps(b, context)).all(|(x, y)| x.is_some() && x == y)
}

/// The value at a path of an item, if there is one.
pub(crate) fn get<'i>(item: &'i Attributes, path: &Path, context: &Context<'_>) -> Option<&'i AttributeValue> {
    let mut steps = steps(path, context);
    let Some(Step::Key(first)) = steps.next()? else { return None };
    steps.try_fold(item.get(first)?, |value, step| child(value, step?))
}

/// One step into a map or list value.
pub(crate) fn child<'v>(value: &'v AttributeValue, step: Step<'_>) -> Option<&'v AttributeValue> {
    match (value, step) {
        (AttributeValue::M(map), Step::Key(key)) => map.get(key),
        (AttributeValue::L(list), Step::Index(index)) => list.get(index),
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use std::collections::HashMap;

    use super::super::parser::{PlaceholderSlot, UsedPlaceholders};
    use super::*;

    #[test]
    fn checks_resolves_reads_and_displays_paths() {
        let path = Path(vec![
            PathElement::Name(Name::Placeholder(PlaceholderSlot(0))),
            PathElement::Name(Name::Bare("b".into())),
            PathElement::Index(1),
        ]);
        let placeholders = UsedPlaceholders { names: vec!["#a".into()], values: vec![] };
        let names: HashMap<String, String> = [("#a".to_owned(), "a.x".to_owned())].into();
        let values = HashMap::new();
        let context = Context::bind(&placeholders, &names, &values);
        assert_eq!(check(&path, &context), Ok(()));
        assert_eq!(resolve(&path, &context).unwrap().to_string(), "[a.x, b, [1]]");
        let list = AttributeValue::L(vec![AttributeValue::N("1".into()), AttributeValue::N("2".into())]);
        let item: Attributes = [("a.x".to_owned(), AttributeValue::M([("b".to_owned(), list)].into()))].into();
        assert_eq!(get(&item, &path, &context), Some(&AttributeValue::N("2".into())));
        assert!(same(&path, &path.clone(), &context));

        let empty = HashMap::new();
        let unbound = Context::bind(&placeholders, &empty, &values);
        assert_eq!(
            check(&path, &unbound).unwrap_err(),
            "An expression attribute name used in the document path is not defined; attribute name: #a"
        );
        let deep = Path(vec![PathElement::Name(Name::Bare("a".into())); 33]);
        assert_eq!(
            check(&deep, &context).unwrap_err(),
            "The document path has too many nesting levels; nesting levels: 33"
        );
    }
}
