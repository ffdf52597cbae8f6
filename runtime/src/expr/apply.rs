//! Applying an update expression to an item, with DynamoDB's rules: every right-hand side reads the item
//! before the update, parents of a path must exist, list indexes refer to the original positions (an index
//! past the end appends), and ADD / DELETE work on numbers and sets. Also projects the updated paths for
//! UPDATED_OLD / UPDATED_NEW.

use std::borrow::Cow;
use std::collections::BTreeMap;

use aws_sdk_dynamodb::types::AttributeValue;

use super::bind::Context;
#[cfg(test)]
use super::eval::MISSING;
use super::eval::{self, WRONG_TYPE};
use super::java;
use super::parser::{PlaceholderSlot, UpdateActionKind, UpdateExpr};
use super::path::{self, Resolved, Step};
use super::values::{self, Attributes};

/// DynamoDB's message for a path whose parent is missing or of the wrong type.
const INVALID_PATH: &str = "The document path provided in the update expression is invalid for update";

/// What an action does at its path once its value is known.
#[derive(Debug, Clone, PartialEq)]
enum Change {
    Put(AttributeValue),
    Remove,
    Nothing,
}

/// Changes below one attribute: the rest of each path and what happens there.
type Nested<'p, 's> = Vec<(&'p [Step<'s>], Change)>;

/// The outcome of an update: the new value of every top-level attribute it touches (`None`: removed), in the
/// order first touched, and the paths it targets.
#[derive(Debug)]
pub(crate) struct Changes<'a> {
    pub(crate) attributes: Vec<(&'a str, Option<AttributeValue>)>,
    pub(crate) paths: Vec<Resolved<'a>>,
}

/// Computes what `update` does to `item` (the stored item, or the key alone for a new item), without changing it.
///
/// DynamoDB applies the actions by walking a tree of their paths, each node's children in the order a Java
/// `HashMap` iterates them, and stops at the first error; so that it reports the same error when several
/// actions fail, the actions are computed in that order here.
pub(crate) fn update<'a>(
    update: &'a UpdateExpr,
    item: &Attributes,
    context: &'a Context<'a>,
) -> Result<Changes<'a>, String> {
    let paths = update
        .actions
        .iter()
        .map(|action| path::resolve(&action.path, context).ok_or_else(|| "Internal server error".to_owned()))
        .collect::<Result<Vec<_>, _>>()?;
    let mut tree = Node::default();
    for (i, path) in paths.iter().enumerate().rev() {
        tree.insert(&path.0, i);
    }
    let mut changes: Vec<Change> = (0..paths.len()).map(|_| Change::Nothing).collect();
    let compute = |i: usize, current: Option<&AttributeValue>| -> Result<Change, String> {
        let value = |slot: &PlaceholderSlot| context.value(*slot).ok_or_else(|| WRONG_TYPE.to_owned());
        let Some(action) = update.actions.get(i) else { return Ok(Change::Nothing) };
        Ok(match &action.kind {
            UpdateActionKind::Set(set) => match eval::set_value(set, item, context)? {
                // Values of the request are stored with their numbers in canonical form.
                Cow::Borrowed(value) => Change::Put(values::canonical(value)),
                Cow::Owned(value) => Change::Put(value),
            },
            UpdateActionKind::Remove => Change::Remove,
            UpdateActionKind::Add(slot) => match values::add(current, value(slot)?) {
                Some(result) => Change::Put(values::canonical(&result?)),
                None => return Err(WRONG_TYPE.to_owned()),
            },
            UpdateActionKind::Delete(slot) => match current {
                None => Change::Nothing,
                Some(current) => match values::delete(current, value(slot)?) {
                    None => return Err(WRONG_TYPE.to_owned()),
                    Some(None) => Change::Remove,
                    Some(Some(left)) => Change::Put(left),
                },
            },
        })
    };
    tree.walk(Container::Item(item), &mut |i, current| {
        let change = compute(i, current)?;
        if let Some(slot) = changes.get_mut(i) {
            *slot = change;
        }
        Ok(())
    })?;
    // Apply the changes attribute by attribute, on copies of the attributes they touch.
    let mut take = |j: usize| std::mem::replace(&mut changes[j], Change::Nothing);
    let mut attributes: Vec<(&'a str, Option<AttributeValue>)> = Vec::with_capacity(paths.len());
    for (i, path) in paths.iter().enumerate() {
        let Some(Step::Key(name)) = path.0.first().copied() else { continue };
        if attributes.iter().any(|(n, _)| *n == name) {
            continue; // applied with the first change of this attribute
        }
        let same = |j: &usize| paths[*j].0.first() == Some(&Step::Key(name));
        let new = if path.0.len() == 1 && !(i + 1..paths.len()).any(|j| same(&j)) {
            match take(i) {
                Change::Put(value) => Some(value),
                Change::Remove => None,
                Change::Nothing => continue,
            }
        } else {
            let group: Nested<'_, 'a> = (i..paths.len()).filter(same).map(|j| (&paths[j].0[1..], take(j))).collect();
            apply_to(item.get(name).cloned(), group)
        };
        attributes.push((name, new));
    }
    Ok(Changes { attributes, paths })
}

/// DynamoDB's tree of update paths: each step leads to an action (by index) or to more steps; children are kept
/// in insertion order (the actions are inserted last to first, as DynamoDB does).
#[derive(Default)]
struct Node<'a> {
    children: Vec<(Step<'a>, Child<'a>)>,
}

enum Child<'a> {
    Action(usize),
    Node(Node<'a>),
}

/// Where a node's steps lead from: the item itself, or a value inside it (`None`: not there).
#[derive(Clone, Copy)]
enum Container<'i> {
    Item(&'i Attributes),
    Value(Option<&'i AttributeValue>),
}

impl<'a> Node<'a> {
    fn insert(&mut self, steps: &[Step<'a>], action: usize) {
        let Some((first, rest)) = steps.split_first() else { return };
        if rest.is_empty() {
            self.children.push((*first, Child::Action(action)));
            return;
        }
        match self.children.iter_mut().find(|(step, _)| step == first) {
            Some((_, Child::Node(node))) => node.insert(rest, action),
            // Overlapping paths were refused when the expression was validated.
            Some((_, Child::Action(_))) => {}
            None => {
                let mut node = Node::default();
                node.insert(rest, action);
                self.children.push((*first, Child::Node(node)));
            }
        }
    }

    /// Visits the actions in DynamoDB's order, with the current value at each action's path; refuses a path
    /// whose parent is missing or is not the map or list its next step needs.
    fn walk<'i>(
        &self,
        container: Container<'i>,
        visit: &mut impl FnMut(usize, Option<&'i AttributeValue>) -> Result<(), String>,
    ) -> Result<(), String> {
        if let Container::Value(value) = container {
            let fits = matches!(
                (value, self.children.first()),
                (Some(AttributeValue::M(_)), Some((Step::Key(_), _)))
                    | (Some(AttributeValue::L(_)), Some((Step::Index(_), _)))
            );
            if !fits {
                return Err(INVALID_PATH.to_owned());
            }
        }
        for i in java::iteration_order(self.children.iter().map(|(step, _)| *step)).iter() {
            let Some((step, child)) = self.children.get(*i) else { continue };
            let current = match (container, step) {
                (Container::Item(item), Step::Key(key)) => item.get(*key),
                (Container::Item(_), Step::Index(_)) => None,
                (Container::Value(value), step) => value.and_then(|value| path::child(value, *step)),
            };
            match child {
                Child::Action(action) => visit(*action, current)?,
                Child::Node(node) => node.walk(Container::Value(current), visit)?,
            }
        }
        Ok(())
    }
}

/// The new value of one top-level attribute after its changes (paths relative to it).
fn apply_to(current: Option<AttributeValue>, mut changes: Nested<'_, '_>) -> Option<AttributeValue> {
    if let [([], _)] = changes.as_slice() {
        return match changes.pop().map(|(_, change)| change) {
            Some(Change::Put(value)) => Some(value),
            Some(Change::Remove) => None,
            _ => current,
        };
    }
    let mut value = current?;
    apply_nested(&mut value, changes);
    Some(value)
}

/// Applies changes below a map or list value (each path has at least one step).
fn apply_nested(value: &mut AttributeValue, changes: Nested<'_, '_>) {
    match value {
        AttributeValue::M(map) => {
            for (key, group) in group_by(changes) {
                let Step::Key(key) = key else { continue };
                match group.as_slice() {
                    [([], Change::Put(v))] => {
                        map.insert(key.to_owned(), v.clone());
                    }
                    [([], Change::Remove)] => {
                        map.remove(key);
                    }
                    [([], Change::Nothing)] => {}
                    _ => {
                        if let Some(child) = map.get_mut(key) {
                            apply_nested(child, group);
                        }
                    }
                }
            }
        }
        AttributeValue::L(list) => {
            let length = list.len();
            let mut removed = Vec::new();
            let mut appended = BTreeMap::new();
            for (step, group) in group_by(changes) {
                let Step::Index(index) = step else { continue };
                match group.as_slice() {
                    [([], Change::Put(v))] if index < length => list[index] = v.clone(),
                    [([], Change::Put(v))] => {
                        appended.insert(index, v.clone());
                    }
                    [([], Change::Remove)] if index < length => removed.push(index),
                    [([], _)] => {}
                    _ => {
                        if let Some(child) = list.get_mut(index) {
                            apply_nested(child, group);
                        }
                    }
                }
            }
            // Removals refer to the original positions, so remove from the end.
            removed.sort_unstable_by(|a, b| b.cmp(a));
            for index in removed {
                list.remove(index);
            }
            list.extend(appended.into_values());
        }
        _ => {}
    }
}

/// Groups changes by their first step, keeping the rest of each path.
fn group_by<'p, 's>(changes: Nested<'p, 's>) -> Vec<(Step<'s>, Nested<'p, 's>)> {
    let mut groups: Vec<(Step<'s>, Nested<'p, 's>)> = Vec::new();
    for (path, change) in changes {
        let Some((first, rest)) = path.split_first() else { continue };
        match groups.iter_mut().find(|(step, _)| step == first) {
            Some((_, group)) => group.push((rest, change)),
            None => groups.push((*first, vec![(rest, change)])),
        }
    }
    groups
}

/// A projection under construction: the values found at some paths of an item.
enum Projection {
    Value(AttributeValue),
    Map(BTreeMap<String, Projection>),
    List(BTreeMap<usize, Projection>),
}

impl Projection {
    fn into_value(self) -> AttributeValue {
        match self {
            Projection::Value(value) => value,
            Projection::Map(map) => AttributeValue::M(map.into_iter().map(|(k, v)| (k, v.into_value())).collect()),
            Projection::List(list) => AttributeValue::L(list.into_values().map(Projection::into_value).collect()),
        }
    }

    /// Adds the value at `steps` below this node (creating the maps and lists on the way).
    fn insert(&mut self, steps: &[Step<'_>], value: &AttributeValue) {
        let Some((step, rest)) = steps.split_first() else {
            *self = Projection::Value(value.clone());
            return;
        };
        let empty = || {
            if matches!(rest.first(), Some(Step::Index(_))) {
                Projection::List(BTreeMap::new())
            } else {
                Projection::Map(BTreeMap::new())
            }
        };
        let child = match (self, step) {
            (Projection::Map(map), Step::Key(key)) => map.entry((*key).to_owned()).or_insert_with(empty),
            (Projection::List(list), Step::Index(index)) => list.entry(*index).or_insert_with(empty),
            _ => return,
        };
        child.insert(rest, value);
    }
}

/// The attributes at `paths` of an item whose top-level attributes `top` looks up (UPDATED_OLD / UPDATED_NEW),
/// or `None` when none of them exists.
pub(crate) fn project<'v>(
    top: impl Fn(&str) -> Option<&'v AttributeValue>,
    paths: &[Resolved<'_>],
) -> Option<Attributes> {
    let mut root = Projection::Map(BTreeMap::new());
    for path in paths {
        let Some((Step::Key(first), rest)) = path.0.split_first() else { continue };
        let mut value = top(first);
        for step in rest {
            value = value.and_then(|v| path::child(v, *step));
        }
        if let Some(value) = value {
            root.insert(&path.0, value);
        }
    }
    match root.into_value() {
        AttributeValue::M(map) if !map.is_empty() => Some(map.into_iter().collect()),
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use std::collections::HashMap;

    use super::super::parser;
    use super::*;

    fn n(t: &str) -> AttributeValue {
        AttributeValue::N(t.into())
    }

    fn item() -> Attributes {
        [
            ("n".to_owned(), n("5")),
            ("s".to_owned(), AttributeValue::S("str".into())),
            ("l".to_owned(), AttributeValue::L(vec![n("1"), n("2"), n("3")])),
            ("m".to_owned(), AttributeValue::M([("x".to_owned(), n("1"))].into())),
            ("ss".to_owned(), AttributeValue::Ss(vec!["a".into(), "b".into()])),
        ]
        .into()
    }

    fn values() -> HashMap<String, AttributeValue> {
        [
            (":v".to_owned(), n("9")),
            (":s".to_owned(), AttributeValue::S("x".into())),
            (":ss".to_owned(), AttributeValue::Ss(vec!["b".into(), "c".into()])),
            (":all".to_owned(), AttributeValue::Ss(vec!["a".into(), "b".into()])),
        ]
        .into()
    }

    /// The item after `text`, or the error.
    fn run(text: &str) -> Result<Attributes, String> {
        let names = HashMap::new();
        let values = values();
        let parsed = parser::update(text).expect(text);
        let context = Context::bind(&parsed.placeholders, &names, &values);
        let mut item = item();
        let changes = update(&parsed, &item, &context)?;
        for (name, value) in changes.attributes {
            match value {
                Some(value) => item.insert(name.to_owned(), value),
                None => item.remove(name),
            };
        }
        Ok(item)
    }

    fn list(text: &str) -> Vec<AttributeValue> {
        match run(text).expect(text).remove("l") {
            Some(AttributeValue::L(list)) => list,
            other => panic!("{text}: {other:?}"),
        }
    }

    #[test]
    fn list_indexes_follow_dynamodb() {
        let s = |t: &str| AttributeValue::S(t.into());
        assert_eq!(list("SET l[1] = :v"), [n("1"), n("9"), n("3")]);
        assert_eq!(list("SET l[7] = :v, l[5] = :s"), [n("1"), n("2"), n("3"), s("x"), n("9")]);
        assert_eq!(list("SET l[3] = :s"), [n("1"), n("2"), n("3"), s("x")]);
        assert_eq!(list("REMOVE l[0], l[2]"), [n("2")]);
        assert_eq!(list("REMOVE l[9]"), [n("1"), n("2"), n("3")]);
        assert_eq!(list("SET l[1] = :s REMOVE l[0]"), [s("x"), n("3")]);
        assert_eq!(list("SET l[5] = :s REMOVE l[0]"), [n("2"), n("3"), s("x")]);
        assert_eq!(list("ADD l[7] :v"), [n("1"), n("2"), n("3"), n("9")]);
    }

    #[test]
    fn rules_and_errors_follow_dynamodb() {
        assert_eq!(run("SET c = c + :v"), Err(MISSING.to_owned()));
        assert_eq!(run("SET m.q.r = :v"), Err(INVALID_PATH.to_owned()));
        assert_eq!(run("SET l.x = :v"), Err(INVALID_PATH.to_owned()));
        assert_eq!(run("SET q[0] = :v"), Err(INVALID_PATH.to_owned()));
        assert_eq!(run("REMOVE q.r"), Err(INVALID_PATH.to_owned()));
        assert_eq!(run("SET l[5].x = :v"), Err(INVALID_PATH.to_owned()));
        assert_eq!(run("ADD s :v"), Err(WRONG_TYPE.to_owned()));
        assert_eq!(run("DELETE n :ss"), Err(WRONG_TYPE.to_owned()));
        // Type errors while computing values come before path errors, which come before missing operands.
        assert_eq!(run("SET a = q + :v, b = s + :v"), Err(WRONG_TYPE.to_owned()));
        assert_eq!(run("SET c = q, x.y = :v"), Err(INVALID_PATH.to_owned()));
        assert_eq!(run("ADD s :v SET c = q"), Err(MISSING.to_owned()));
        assert_eq!(run("SET c = q ADD s :v"), Err(WRONG_TYPE.to_owned()));
        // ADD and DELETE of sets check their types with the values, before paths and missing operands.
        assert_eq!(run("REMOVE x.y DELETE n :ss"), Err(WRONG_TYPE.to_owned()));
        assert_eq!(run("DELETE n :ss SET c = q"), Err(WRONG_TYPE.to_owned()));
        let swapped = run("SET m.x = n, n = m.x").unwrap();
        assert_eq!((&swapped["n"], &swapped["m"]), (&n("1"), &AttributeValue::M([("x".to_owned(), n("5"))].into())));
    }

    #[test]
    fn add_and_delete_on_sets() {
        let after = run("ADD ss :ss, z :v").unwrap();
        assert_eq!(after["ss"], AttributeValue::Ss(vec!["a".into(), "b".into(), "c".into()]));
        assert_eq!(after["z"], n("9"));
        assert!(!run("DELETE ss :all").unwrap().contains_key("ss"), "an emptied set is removed");
        assert_eq!(run("DELETE q :ss").unwrap(), item(), "DELETE on a missing set does nothing");
    }

    #[test]
    fn projections_keep_only_the_paths() {
        let item = item();
        let names = HashMap::new();
        let values = HashMap::new();
        let projected = |text: &str| {
            let parsed = parser::update(text).unwrap();
            let context = Context::bind(&parsed.placeholders, &names, &values);
            let paths: Vec<_> = parsed.actions.iter().filter_map(|a| path::resolve(&a.path, &context)).collect();
            project(|name| item.get(name), &paths)
        };
        let some = projected("SET m.x = :v, l[2] = :v, l[0] = :v, q = :v").unwrap();
        assert_eq!(some["m"], AttributeValue::M([("x".to_owned(), n("1"))].into()));
        assert_eq!(some["l"], AttributeValue::L(vec![n("1"), n("3")]));
        assert!(!some.contains_key("q"));
        assert_eq!(projected("REMOVE q, l[7]"), None);
    }
}
