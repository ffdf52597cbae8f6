//! The checks DynamoDB makes once the placeholders are known, in DynamoDB's order: document paths, overlapping
//! and conflicting update paths, undefined placeholders, operand counts and types, repeated paths, BETWEEN and
//! IN rules, and the operator limit.

use aws_sdk_dynamodb::types::AttributeValue;

use super::bind::Context;
use super::item_size::value_size;
use super::java;
use super::parser::{
    self, Comparator, ConditionExpr, ConditionNode, Func, OperandNode, Path, PathElement, PlaceholderSlot, SetValue,
    UpdateActionKind, UpdateExpr, message,
};
use super::path::{self, Resolved, Step};
use super::values::{self, compare, type_code};

/// Most values an IN list may hold.
use crate::limits::MAX_IN_OPERANDS;
/// Most operators and functions one expression may hold.
use crate::limits::MAX_OPERATORS;
/// The type names `attribute_type` accepts.
const TYPE_NAMES: [&str; 10] = ["S", "SS", "N", "NS", "B", "BS", "BOOL", "NULL", "L", "M"];

/// Validates an update expression; the error is DynamoDB's message without the expression prefix.
pub(crate) fn update(update: &UpdateExpr, context: &Context<'_>) -> Result<(), String> {
    // DynamoDB walks the actions last to first: first their target paths, then their values.
    for (seen, action) in update.actions.iter().rev().enumerate() {
        path::check(&action.path, context)?;
        let earlier = update.actions.iter().rev().take(seen);
        if earlier.clone().any(|other| clash(&other.path, &action.path, context)) {
            // Rare: build DynamoDB's path tree to name the paths its message names.
            let mut tree = PathTree::default();
            for path in earlier.chain([action]).filter_map(|a| path::resolve(&a.path, context)) {
                tree.insert(&path)?;
            }
        }
    }
    let mut checker = Checker { context, operators: 0 };
    for action in update.actions.iter().rev() {
        match &action.kind {
            UpdateActionKind::Set(SetValue::Operand(operand)) => drop(checker.operand(operand)?),
            UpdateActionKind::Set(SetValue::Plus(a, b)) => checker.arithmetic("+", a, b)?,
            UpdateActionKind::Set(SetValue::Minus(a, b)) => checker.arithmetic("-", a, b)?,
            UpdateActionKind::Remove => {}
            UpdateActionKind::Add(slot) => checker.set_operand("ADD", *slot, "ALLOWED_FOR_ADD_OPERAND")?,
            UpdateActionKind::Delete(slot) => checker.set_operand("DELETE", *slot, "ALLOWED_FOR_DELETE_OPERAND")?,
        }
    }
    Ok(())
}

/// Whether two update paths overlap (one is a prefix of the other, or they are equal) or conflict (the same
/// parent reached by a key in one and an index in the other).
fn clash<'a>(a: &'a Path, b: &'a Path, context: &Context<'a>) -> bool {
    let step = |element: &'a PathElement| match element {
        PathElement::Name(name) => context.name(name).map(Step::Key),
        PathElement::Index(index) => Some(Step::Index(*index as usize)),
        _ => None,
    };
    for (x, y) in a.0.iter().zip(&b.0) {
        match (step(x), step(y)) {
            (Some(x), Some(y)) if x == y => {}
            (Some(Step::Key(_)), Some(Step::Key(_))) | (Some(Step::Index(_)), Some(Step::Index(_))) => return false,
            _ => return true,
        }
    }
    true
}

/// The size DynamoDB counts for an update before applying it: for every SET and ADD action, the names of its
/// path and every value placeholder it uses (each time it is used). More than 400 KB is refused up front.
pub(crate) fn update_request_size(update: &UpdateExpr, context: &Context<'_>) -> usize {
    fn values(operand: &OperandNode, context: &Context<'_>) -> usize {
        match operand {
            OperandNode::Path(_) => 0,
            OperandNode::Value(slot) => context.value(*slot).map_or(0, value_size),
            OperandNode::Call(_, args) => args.iter().map(|arg| values(arg, context)).sum(),
        }
    }
    let names = |path: &parser::Path| -> usize {
        path.0
            .iter()
            .map(|element| match element {
                PathElement::Name(name) => context.name(name).map_or(0, str::len),
                _ => 0,
            })
            .sum()
    };
    update
        .actions
        .iter()
        .map(|action| match &action.kind {
            UpdateActionKind::Set(SetValue::Operand(operand)) => names(&action.path) + values(operand, context),
            UpdateActionKind::Set(SetValue::Plus(a, b) | SetValue::Minus(a, b)) => {
                names(&action.path) + values(a, context) + values(b, context)
            }
            UpdateActionKind::Add(slot) => names(&action.path) + context.value(*slot).map_or(0, value_size),
            UpdateActionKind::Remove | UpdateActionKind::Delete(_) => 0,
        })
        .sum()
}

/// Validates a condition expression; the error is DynamoDB's message without the expression prefix.
pub(crate) fn condition(condition: &ConditionExpr, context: &Context<'_>) -> Result<(), String> {
    Checker { context, operators: 0 }.condition(&condition.root)
}

/// The type an operand has before evaluation: a literal's, a function result's, or unknown (a path).
#[derive(Clone, Copy)]
enum Static<'a> {
    Unknown,
    Literal(&'a AttributeValue),
    Result(&'static str),
}

impl Static<'_> {
    fn symbol(self) -> Option<&'static str> {
        match self {
            Static::Unknown => None,
            Static::Literal(value) => Some(type_code(value)),
            Static::Result(symbol) => Some(symbol),
        }
    }
}

/// Which types an operand position accepts.
#[derive(Clone, Copy)]
enum Accepts {
    All,
    Number,
    List,
    Ordered,
    StringOrBinary,
    Sized,
}

impl Accepts {
    fn allows(self, symbol: &str) -> bool {
        match self {
            Accepts::All => true,
            Accepts::Number => symbol == "N",
            Accepts::List => symbol == "L",
            Accepts::Ordered => matches!(symbol, "S" | "N" | "B"),
            Accepts::StringOrBinary => matches!(symbol, "S" | "B"),
            Accepts::Sized => !matches!(symbol, "N" | "BOOL" | "NULL"),
        }
    }
}

struct Checker<'c, 'a> {
    context: &'c Context<'a>,
    operators: usize,
}

impl<'c, 'a: 'c> Checker<'c, 'a> {
    /// Validates an operand and its sub-operands; returns its static type.
    fn operand(&mut self, operand: &'a OperandNode) -> Result<Static<'a>, String> {
        match operand {
            OperandNode::Path(path) => {
                path::check(path, self.context)?;
                Ok(Static::Unknown)
            }
            OperandNode::Value(slot) => self.value(*slot).map(Static::Literal),
            OperandNode::Call(func, args) => {
                let types = self.arguments(args)?;
                self.call(func, args, &types)?;
                Ok(match func {
                    Func::Size => Static::Result("N"),
                    Func::ListAppend => Static::Result("L"),
                    _ => Static::Unknown,
                })
            }
        }
    }

    /// Validates the arguments of a function; returns the types of the first two (no function takes more).
    fn arguments(&mut self, args: &'a [OperandNode]) -> Result<[Static<'a>; 2], String> {
        let mut types = [Static::Unknown; 2];
        for (i, arg) in args.iter().enumerate() {
            let found = self.operand(arg)?;
            if let Some(slot) = types.get_mut(i) {
                *slot = found;
            }
        }
        Ok(types)
    }

    fn value(&self, slot: PlaceholderSlot) -> Result<&'a AttributeValue, String> {
        self.context.value(slot).ok_or_else(|| {
            message(
                "An expression attribute value used in expression is not defined",
                &[("attribute value", self.context.value_text(slot))],
            )
        })
    }

    /// Counts one operator, refusing the 301st.
    fn count(&mut self) -> Result<(), String> {
        self.operators += 1;
        if self.operators > MAX_OPERATORS {
            let count = self.operators.to_string();
            return Err(message("The expression contains too many operators", &[("operator count", &count)]));
        }
        Ok(())
    }

    fn types(name: &str, accepts: &[Accepts], types: &[Static<'_>]) -> Result<(), String> {
        for (accepts, found) in accepts.iter().zip(types) {
            if let Some(symbol) = found.symbol().filter(|symbol| !accepts.allows(symbol)) {
                return Err(message(
                    "Incorrect operand type for operator or function",
                    &[("operator or function", name), ("operand type", symbol)],
                ));
            }
        }
        Ok(())
    }

    /// Refuses a first operand that is a path repeated among the other operands (`a = a`).
    fn distinct(&self, name: &str, first: &'a OperandNode, rest: &[&'a OperandNode]) -> Result<(), String> {
        let OperandNode::Path(first) = first else { return Ok(()) };
        let repeated = rest
            .iter()
            .any(|operand| matches!(operand, OperandNode::Path(other) if path::same(first, other, self.context)));
        if repeated {
            let first = path::resolve(first, self.context).map(|p| p.to_string()).unwrap_or_default();
            return Err(message(
                "The first operand must be distinct from the remaining operands for this operator or function",
                &[("operator", name), ("first operand", &first)],
            ));
        }
        Ok(())
    }

    fn call(&mut self, func: &Func, args: &'a [OperandNode], types: &[Static<'a>]) -> Result<(), String> {
        let name = func.name();
        let (arity, accepts): (usize, &[Accepts]) = match func {
            Func::IfNotExists => (2, &[Accepts::All, Accepts::All]),
            Func::ListAppend => (2, &[Accepts::List, Accepts::List]),
            Func::Size => (1, &[Accepts::Sized]),
            Func::AttributeExists | Func::AttributeNotExists => (1, &[Accepts::All]),
            Func::AttributeType | Func::Contains => (2, &[Accepts::All, Accepts::All]),
            Func::BeginsWith => (2, &[Accepts::StringOrBinary, Accepts::StringOrBinary]),
            // Unknown functions are refused when the expression is parsed.
            Func::Unknown(_) => return Err(message("Invalid function name", &[("function", name)])),
        };
        if args.len() != arity {
            let count = args.len().to_string();
            return Err(message(
                "Incorrect number of operands for operator or function",
                &[("operator or function", name), ("number of operands", &count)],
            ));
        }
        Self::types(name, accepts, types)?;
        let needs_path = matches!(func, Func::IfNotExists | Func::AttributeExists | Func::AttributeNotExists);
        if needs_path && !matches!(args.first(), Some(OperandNode::Path(_))) {
            return Err(message("Operator or function requires a document path", &[("operator or function", name)]));
        }
        if matches!(func, Func::IfNotExists | Func::AttributeType | Func::BeginsWith | Func::Contains) {
            self.distinct(name, &args[0], &[&args[1]])?;
        }
        if *func == Func::AttributeType {
            Self::type_name(&args[1], types[1])?;
        }
        self.count()
    }

    /// The second operand of `attribute_type`: a string naming a DynamoDB type.
    fn type_name(operand: &OperandNode, found: Static<'_>) -> Result<(), String> {
        let wrong_type = |symbol: &str| {
            message(
                "Incorrect operand type for operator or function",
                &[("operator or function", "attribute_type"), ("operand type", symbol)],
            )
        };
        match (operand, found) {
            (OperandNode::Path(_), _) => Err(wrong_type(
                "{S,SS,DOUBLESET,DICT,DECIMAL,HD,DECIMALSET,L,N,NS,FS,BOOL,FLOAT,HDS,DOUBLE,NULL,INT,M,BS,B,INTSET}",
            )),
            (_, Static::Literal(AttributeValue::S(name))) if TYPE_NAMES.contains(&name.as_str()) => Ok(()),
            (_, Static::Literal(AttributeValue::S(name))) => Err(message(
                "Invalid attribute type name found",
                &[("type", name), ("valid types", "{N,BS,L,B,NULL,M,S,SS,NS,BOOL}")],
            )),
            (_, found) => Err(wrong_type(found.symbol().unwrap_or("N"))),
        }
    }

    /// `a + b`, `a - b`: numbers.
    fn arithmetic(&mut self, name: &str, a: &'a OperandNode, b: &'a OperandNode) -> Result<(), String> {
        let types = [self.operand(a)?, self.operand(b)?];
        Self::types(name, &[Accepts::Number, Accepts::Number], &types)?;
        self.count()
    }

    /// The value of ADD (a number or a set) or DELETE (a set).
    fn set_operand(&self, action: &str, slot: PlaceholderSlot, allowed: &str) -> Result<(), String> {
        let value = self.value(slot)?;
        let fits = match value {
            AttributeValue::Ss(_) | AttributeValue::Ns(_) | AttributeValue::Bs(_) => true,
            AttributeValue::N(_) => action == "ADD",
            _ => false,
        };
        if fits {
            return Ok(());
        }
        Err(message(
            "Incorrect operand type for operator or function",
            &[("operator", action), ("operand type", values::type_name(value)), ("typeSet", allowed)],
        ))
    }

    fn condition(&mut self, condition: &'a ConditionNode) -> Result<(), String> {
        match condition {
            ConditionNode::Compare(comparator, a, b) => {
                let types = [self.operand(a)?, self.operand(b)?];
                let accepts = match comparator {
                    Comparator::Eq | Comparator::Ne => Accepts::All,
                    _ => Accepts::Ordered,
                };
                Self::types(comparator.symbol(), &[accepts, accepts], &types)?;
                self.distinct(comparator.symbol(), a, &[b])?;
            }
            ConditionNode::Between(a, low, high) => {
                let types = [self.operand(a)?, self.operand(low)?, self.operand(high)?];
                Self::types("BETWEEN", &[Accepts::Ordered; 3], &types)?;
                self.distinct("BETWEEN", a, &[low, high])?;
                if let [_, Static::Literal(low), Static::Literal(high)] = types {
                    Self::bounds(low, high)?;
                }
            }
            ConditionNode::In(a, list) => {
                self.operand(a)?;
                for operand in list {
                    self.operand(operand)?;
                }
                let rest: Vec<&OperandNode> = list.iter().collect();
                self.distinct("IN", a, &rest)?;
                if list.len() > MAX_IN_OPERANDS {
                    let count = list.len().to_string();
                    return Err(message(
                        "The IN operator is provided with too many operands",
                        &[("number of operands", &count)],
                    ));
                }
            }
            ConditionNode::Call(func, args) => {
                let types = self.arguments(args)?;
                // `call` counts the function itself.
                return self.call(func, args, &types);
            }
            ConditionNode::Not(inner) => self.condition(inner)?,
            ConditionNode::And(a, b) | ConditionNode::Or(a, b) => {
                self.condition(a)?;
                self.condition(b)?;
            }
        }
        self.count()
    }

    /// BETWEEN with two literal bounds: the same type, lower first.
    fn bounds(low: &AttributeValue, high: &AttributeValue) -> Result<(), String> {
        let params = |low, high| [("lower bound operand", low), ("upper bound operand", high)];
        let (low_text, high_text) = (
            format!("AttributeValue: {}", values::java_text(low)),
            format!("AttributeValue: {}", values::java_text(high)),
        );
        if type_code(low) != type_code(high) {
            return Err(message(
                "The BETWEEN operator requires same data type for lower and upper bounds",
                &params(low_text.as_str(), high_text.as_str()),
            ));
        }
        if compare(low, high) == Some(std::cmp::Ordering::Greater) {
            return Err(message(
                "The BETWEEN operator requires upper bound to be greater than or equal to lower bound",
                &params(low_text.as_str(), high_text.as_str()),
            ));
        }
        Ok(())
    }
}

/// The update paths seen so far, as DynamoDB's tree of them, with children in insertion order.
#[derive(Default)]
struct PathTree<'a> {
    children: Vec<(Step<'a>, Option<PathTree<'a>>)>,
}

impl<'a> PathTree<'a> {
    /// The child a Java `HashMap` iterates first.
    fn first(&self) -> Option<&(Step<'a>, Option<PathTree<'a>>)> {
        let first = *java::iteration_order(self.children.iter().map(|(step, _)| *step)).first()?;
        self.children.get(first)
    }

    /// Adds a path, refusing one that overlaps (is a prefix of, equal to, or extends) or conflicts with (takes
    /// `.key` where another takes `[index]`) a path already in the tree.
    fn insert(&mut self, path: &Resolved<'a>) -> Result<(), String> {
        let steps = &path.0;
        let mut node = self;
        for (depth, step) in steps.iter().enumerate() {
            let Some(position) = node.children.iter().position(|(s, _)| s == step) else {
                if let Some((first, _)) = node.first()
                    && is_key(*first) != is_key(*step)
                {
                    return Err(Self::error("Two document paths conflict with each other", path, depth, node));
                }
                node.children.push((*step, Self::chain(&steps[depth + 1..])));
                return Ok(());
            };
            let is_last = depth + 1 == steps.len();
            if is_last || node.children[position].1.is_none() {
                return Err(Self::error("Two document paths overlap with each other", path, depth, node));
            }
            let Some(child) = node.children[position].1.as_mut() else { return Ok(()) };
            node = child;
        }
        Ok(())
    }

    /// The subtree of the rest of a path (`None` when nothing is left).
    fn chain(steps: &[Step<'a>]) -> Option<PathTree<'a>> {
        let (first, rest) = steps.split_first()?;
        Some(PathTree { children: vec![(*first, Self::chain(rest))] })
    }

    /// DynamoDB's error: the new path, and the path it reports as the other one: the new path's first `depth`
    /// steps followed by the first children of the node where the clash was found.
    fn error(base: &str, path: &Resolved<'_>, depth: usize, node: &PathTree<'_>) -> String {
        let mut other: Vec<Step<'_>> = path.0[..depth].to_vec();
        let mut current = Some(node);
        while let Some((step, child)) = current.and_then(PathTree::first) {
            other.push(*step);
            current = child.as_ref();
        }
        let (one, two) = (path.to_string(), Resolved(other.into_iter().collect()).to_string());
        message(
            &format!("{base}; must remove or rewrite one of these paths"),
            &[("path one", &one), ("path two", &two)],
        )
    }
}

/// Whether a step goes into a map (rather than a list).
fn is_key(step: Step<'_>) -> bool {
    matches!(step, Step::Key(_))
}

#[cfg(test)]
mod tests {
    use std::collections::HashMap;

    use super::super::parser;
    use super::*;

    fn update_error(text: &str, values: &[(&str, AttributeValue)]) -> String {
        let names = HashMap::new();
        let values: HashMap<String, AttributeValue> = values.iter().map(|(k, v)| (k.to_string(), v.clone())).collect();
        let parsed = parser::update(text).expect(text);
        update(&parsed, &Context::bind(&parsed.placeholders, &names, &values)).expect_err(text)
    }

    fn condition_error(text: &str, values: &[(&str, AttributeValue)]) -> String {
        let names = HashMap::new();
        let values: HashMap<String, AttributeValue> = values.iter().map(|(k, v)| (k.to_string(), v.clone())).collect();
        let parsed = parser::condition(text).expect(text);
        condition(&parsed, &Context::bind(&parsed.placeholders, &names, &values)).expect_err(text)
    }

    fn n(text: &str) -> AttributeValue {
        AttributeValue::N(text.into())
    }

    #[test]
    fn overlapping_paths_are_reported_as_dynamodb_reports_them() {
        let v = [(":v", n("1"))];
        let overlap = |one: &str, two: &str| {
            format!(
                "Two document paths overlap with each other; must remove or rewrite one of these paths; path one: {one}, path two: {two}"
            )
        };
        let conflict = |one: &str, two: &str| {
            format!(
                "Two document paths conflict with each other; must remove or rewrite one of these paths; path one: {one}, path two: {two}"
            )
        };
        // Each case was run against DynamoDB Local; the odd "path two" of the longer ones is what it reports.
        let cases = [
            ("SET a = :v, a.b = :v", overlap("[a]", "[a, b]")),
            ("SET a.b = :v, a = :v", overlap("[a, b]", "[a]")),
            ("SET a[0] = :v, a.b = :v", conflict("[a, [0]]", "[a, b]")),
            ("SET a.b = :v, a[0] = :v", conflict("[a, b]", "[a, [0]]")),
            ("ADD a :v DELETE a :v", overlap("[a]", "[a]")),
            ("SET a = :v, b = :v, a = :v", overlap("[a]", "[b]")),
            ("SET x = :v, y = :v, z = :v, x = :v", overlap("[x]", "[z]")),
            ("SET z = :v, y = :v, x = :v, y = :v", overlap("[y]", "[y]")),
            ("SET m = :v, n = :v, o = :v, m = :v", overlap("[m]", "[n]")),
            ("SET mm = :v, nn = :v, oo = :v, mm = :v", overlap("[mm]", "[mm]")),
            ("SET c = :v, a.b = :v, d = :v, a.x = :v, a = :v", overlap("[a, x]", "[a]")),
            ("REMOVE b, a SET a = :v", overlap("[a]", "[a]")),
            ("SET c = :v, a = :v, e = :v REMOVE b, a", overlap("[a]", "[e]")),
            ("REMOVE x, b[1], b.c", conflict("[b, [1]]", "[b, c]")),
            ("REMOVE b[1], b[1]", overlap("[b, [1]]", "[b, [1]]")),
            ("REMOVE a.b, a.b.c", overlap("[a, b]", "[a, b, c]")),
        ];
        for (text, expected) in cases {
            let values: &[(&str, AttributeValue)] = if text.contains(":v") { &v } else { &[] };
            assert_eq!(update_error(text, values), expected, "{text}");
        }
    }

    #[test]
    fn update_checks_follow_dynamodb() {
        let v = [(":v", n("1")), (":s", AttributeValue::S("x".into()))];
        // Actions are checked last to first, their paths before their values.
        let cases = [
            (
                "SET a = :w, b = :x",
                "An expression attribute value used in expression is not defined; attribute value: :x",
            ),
            (
                "SET a = :w, a = :v",
                "Two document paths overlap with each other; must remove or rewrite one of these paths; path one: [a], path two: [a]",
            ),
            (
                "SET #a = :v",
                "An expression attribute name used in the document path is not defined; attribute name: #a",
            ),
            (
                "SET c = :s + :v",
                "Incorrect operand type for operator or function; operator or function: +, operand type: S",
            ),
            (
                "SET c = list_append(l, :s)",
                "Incorrect operand type for operator or function; operator or function: list_append, operand type: S",
            ),
            (
                "SET a = if_not_exists(:v, :v)",
                "Operator or function requires a document path; operator or function: if_not_exists",
            ),
            (
                "SET a = if_not_exists(a)",
                "Incorrect number of operands for operator or function; operator or function: if_not_exists, number of operands: 1",
            ),
            (
                "SET a = if_not_exists(a, a)",
                "The first operand must be distinct from the remaining operands for this operator or function; operator: if_not_exists, first operand: [a]",
            ),
            (
                "ADD n :s",
                "Incorrect operand type for operator or function; operator: ADD, operand type: STRING, typeSet: ALLOWED_FOR_ADD_OPERAND",
            ),
            (
                "DELETE s :v",
                "Incorrect operand type for operator or function; operator: DELETE, operand type: NUMBER, typeSet: ALLOWED_FOR_DELETE_OPERAND",
            ),
            ("SET a.:v = :v", "Internal server error"),
        ];
        for (text, expected) in cases {
            assert_eq!(update_error(text, &v), expected, "{text}");
        }
    }

    #[test]
    fn condition_checks_follow_dynamodb() {
        let v = [
            (":v", n("1")),
            (":w", n("2")),
            (":s", AttributeValue::S("s".into())),
            (":t", AttributeValue::Bool(true)),
            (":n", n("1.50")),
            (":m", n("-1e2")),
        ];
        let cases = [
            (
                "a = a",
                "The first operand must be distinct from the remaining operands for this operator or function; operator: =, first operand: [a]",
            ),
            (
                "a.b <> a.b",
                "The first operand must be distinct from the remaining operands for this operator or function; operator: <>, first operand: [a, b]",
            ),
            (
                "a IN (b, a)",
                "The first operand must be distinct from the remaining operands for this operator or function; operator: IN, first operand: [a]",
            ),
            (
                "contains(a, a)",
                "The first operand must be distinct from the remaining operands for this operator or function; operator: contains, first operand: [a]",
            ),
            (
                "a = :w AND b = :x",
                "An expression attribute value used in expression is not defined; attribute value: :x",
            ),
            ("a < :t", "Incorrect operand type for operator or function; operator or function: <, operand type: BOOL"),
            (
                "begins_with(a, :v)",
                "Incorrect operand type for operator or function; operator or function: begins_with, operand type: N",
            ),
            (
                "size(:t) = :v",
                "Incorrect operand type for operator or function; operator or function: size, operand type: BOOL",
            ),
            (
                "size(size(a)) > :v",
                "Incorrect operand type for operator or function; operator or function: size, operand type: N",
            ),
            (
                "size(a, b) > :v",
                "Incorrect number of operands for operator or function; operator or function: size, number of operands: 2",
            ),
            (
                "attribute_exists(:v)",
                "Operator or function requires a document path; operator or function: attribute_exists",
            ),
            (
                "attribute_type(a, :v)",
                "Incorrect operand type for operator or function; operator or function: attribute_type, operand type: N",
            ),
            (
                "attribute_type(a, :s)",
                "Invalid attribute type name found; type: s, valid types: {N,BS,L,B,NULL,M,S,SS,NS,BOOL}",
            ),
            (
                "attribute_type(a, b)",
                "Incorrect operand type for operator or function; operator or function: attribute_type, operand type: {S,SS,DOUBLESET,DICT,DECIMAL,HD,DECIMALSET,L,N,NS,FS,BOOL,FLOAT,HDS,DOUBLE,NULL,INT,M,BS,B,INTSET}",
            ),
            (
                "a BETWEEN :v AND :s",
                "The BETWEEN operator requires same data type for lower and upper bounds; lower bound operand: AttributeValue: {N:1}, upper bound operand: AttributeValue: {S:s}",
            ),
            (
                "a BETWEEN :n AND :m",
                "The BETWEEN operator requires upper bound to be greater than or equal to lower bound; lower bound operand: AttributeValue: {N:1.50}, upper bound operand: AttributeValue: {N:-1e2}",
            ),
            (
                "a BETWEEN :t AND :t",
                "Incorrect operand type for operator or function; operator or function: BETWEEN, operand type: BOOL",
            ),
        ];
        for (text, expected) in cases {
            assert_eq!(condition_error(text, &v), expected, "{text}");
        }
        let list = (0..101).map(|i| format!(":v{i}")).collect::<Vec<_>>();
        let many: Vec<(&str, AttributeValue)> = list.iter().map(|k| (k.as_str(), n("1"))).collect();
        let text = format!("a IN ({})", list.join(", "));
        assert_eq!(
            condition_error(&text, &many),
            "The IN operator is provided with too many operands; number of operands: 101"
        );
        let text = vec!["a = :v"; 151].join(" AND ");
        assert_eq!(condition_error(&text, &v), "The expression contains too many operators; operator count: 301");
    }
}
