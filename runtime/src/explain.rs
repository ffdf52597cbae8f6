//! Explanations of failed conditions. DynamoDB only says that a condition failed, and hands back the stored
//! item; an explanation says which clauses were false, as the user wrote them in `update!` or `condition!`,
//! with the values they compared: `stock >= qty (stock = 3, qty = 5)`.
//!
//! The condition is parsed and each part of it decided again on the stored item by the expression language's
//! parser and evaluator (the crate's expression language, which the memory backend runs too), so that an
//! explanation follows DynamoDB's semantics (a missing attribute makes a comparison false, comparisons are
//! type-strict). The macros record the source text of each leaf clause in the order the leaves appear in the
//! expression text, of each name placeholder's path segment and of each value placeholder's expression; a
//! condition written by hand (without them) is explained in the DSL's notation all the same.

use std::borrow::Cow;
use std::cmp::Ordering;
use std::collections::HashMap;
use std::fmt::{self, Write as _};

use aws_sdk_dynamodb::types::AttributeValue;

use crate::expr::bind::Context;
use crate::expr::eval;
use crate::expr::parser::{self, Comparator, ConditionNode, Func, Name, OperandNode, PathElement};
use crate::expr::values::Attributes;

/// Why a condition was false: the clauses that made it so, as written, with the values they compared. Its
/// `Display` reads `stock >= qty (stock = 3, qty = 5)`, several clauses joined by `; `.
///
/// Only clauses that decided the outcome are listed: the false operands of a false `&&`, both operands of a
/// false `||`, a `!` whose operand was true; never a clause that held.
///
/// ```
/// use dynatomic::AttributeValue;
///
/// #[derive(dynatomic::Item)]
/// struct Product { #[dynatomic(partition_key)] sku: String, stock: i64, tags: Vec<String> }
///
/// let (qty, tag) = (5, "red");
/// let cond = dynatomic::condition!(Product: stock >= qty && (stock == 0 || tags.contains(tag)));
/// let stored = [("stock".to_owned(), AttributeValue::N("3".into()))].into();
/// let why = cond.explain(Some(&stored)).expect("the condition is false");
/// assert_eq!(why.to_string(), "stock >= qty (stock = 3, qty = 5); stock == 0 (stock = 3); tags.contains(tag) (tags = absent, tag = \"red\")");
/// let clauses: Vec<&str> = why.clauses().iter().map(|c| c.text()).collect();
/// assert_eq!(clauses, ["stock >= qty", "stock == 0", "tags.contains(tag)"]);
/// ```
#[derive(Debug, Clone, PartialEq)]
pub struct Explanation {
    clauses: Vec<FailedClause>,
}

impl Explanation {
    /// Why a write that needed its key free (`create`) was refused: the item with the key exists. It reads
    /// `!sku.exists() (sku = "desk")`.
    pub(crate) fn key_taken(attribute: &str, value: Option<&AttributeValue>) -> Self {
        let operand = Operand { name: attribute.to_owned(), value: value.cloned() };
        Explanation { clauses: vec![FailedClause { text: format!("!{attribute}.exists()"), operands: vec![operand] }] }
    }

    /// The clauses that made the condition false, in the order they are written.
    pub fn clauses(&self) -> &[FailedClause] {
        &self.clauses
    }
}

impl fmt::Display for Explanation {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        for (i, clause) in self.clauses.iter().enumerate() {
            if i > 0 {
                f.write_str("; ")?;
            }
            write!(f, "{clause}")?;
        }
        Ok(())
    }
}

/// One false clause of a condition: its text as written (`stock >= qty`, `!note.exists()`, `!(a && b)`) and its
/// operands with their values. Its `Display` reads `stock >= qty (stock = 3, qty = 5)`.
///
/// ```
/// use dynatomic::AttributeValue;
///
/// #[derive(dynatomic::Item)]
/// struct Product { #[dynatomic(partition_key)] sku: String, stock: i64 }
///
/// let qty = 5;
/// let cond = dynatomic::condition!(Product: stock >= qty);
/// let why = cond.explain(None).expect("there is no stock without an item");
/// let clause = &why.clauses()[0];
/// assert_eq!(clause.text(), "stock >= qty");
/// assert_eq!(clause.to_string(), "stock >= qty (stock = absent, qty = 5)");
/// assert_eq!(clause.operands().len(), 2);
/// ```
#[derive(Debug, Clone, PartialEq)]
pub struct FailedClause {
    text: String,
    operands: Vec<Operand>,
}

impl FailedClause {
    /// The clause as written in `update!` or `condition!`, such as `stock >= qty`.
    pub fn text(&self) -> &str {
        &self.text
    }

    /// The attributes and values the clause compared, each once, in the order they are written. A value
    /// written as a literal (`stock == 0`) is left out: its text says it all.
    pub fn operands(&self) -> &[Operand] {
        &self.operands
    }
}

impl fmt::Display for FailedClause {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.text)?;
        for (i, operand) in self.operands.iter().enumerate() {
            f.write_str(if i == 0 { " (" } else { ", " })?;
            write!(f, "{operand}")?;
        }
        if !self.operands.is_empty() {
            f.write_str(")")?;
        }
        Ok(())
    }
}

/// An operand of a failed clause: an attribute with its value in the stored item, or a value with the value
/// sent. Its `Display` reads `stock = 3`, `note = absent`, `tags = ["red", "blue"]`: numbers as they are,
/// strings quoted, binary as `b"..."`, sets in braces, lists in brackets, maps in braces with their keys in
/// order, and a long value cut short with `…`.
///
/// ```
/// use dynatomic::AttributeValue;
///
/// #[derive(dynatomic::Item)]
/// struct Product { #[dynatomic(partition_key)] sku: String, tags: Vec<String> }
///
/// let cond = dynatomic::condition!(Product: tags.len() > 2);
/// let tags = AttributeValue::L(vec![AttributeValue::S("red".into())]);
/// let why = cond.explain(Some(&[("tags".to_owned(), tags)].into())).expect("one tag is not more than two");
/// let operand = &why.clauses()[0].operands()[0];
/// assert_eq!(operand.name(), "tags.len()");
/// assert_eq!(operand.value(), Some(&AttributeValue::N("1".into())));
/// assert_eq!(operand.to_string(), "tags.len() = 1");
/// ```
#[derive(Debug, Clone, PartialEq)]
pub struct Operand {
    name: String,
    value: Option<AttributeValue>,
}

impl Operand {
    /// The operand as written: an attribute path (`address.city`), a size (`tags.len()`) or a Rust expression
    /// (`qty`).
    pub fn name(&self) -> &str {
        &self.name
    }

    /// Its value: for an attribute, as stored (`None`: the attribute is absent); for a value, as sent.
    pub fn value(&self) -> Option<&AttributeValue> {
        self.value.as_ref()
    }
}

impl fmt::Display for Operand {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match &self.value {
            Some(value) => write!(f, "{} = {}", self.name, shown(value)),
            None => write!(f, "{} = absent", self.name),
        }
    }
}

/// The source text behind an operation's expressions, as `update!` and `condition!` record it.
#[derive(Debug, Clone, Copy, Default)]
pub(crate) struct Sources {
    /// Each leaf clause of the condition (a comparison, `between`, `is_in` or method call) as written, in the
    /// order the leaves appear in the ConditionExpression text.
    pub(crate) clauses: &'static [&'static str],
    /// Each `#n` placeholder and the path segment it names, as written: `city`, `[user]`.
    pub(crate) names: &'static [(&'static str, &'static str)],
    /// Each `:v` placeholder and the Rust expression of its value, as written: `qty`.
    pub(crate) values: &'static [(&'static str, &'static str)],
}

impl Sources {
    fn find(pairs: &'static [(&'static str, &'static str)], placeholder: &str) -> Option<&'static str> {
        pairs.iter().find(|(p, _)| *p == placeholder).map(|(_, text)| *text)
    }
}

/// Why the condition `expression` is false for `stored` (`None`: there is no item), with `names` and `values` as
/// the request sent them and `sources` as the macro recorded them (empty for a condition written by hand).
/// `None` when the condition holds or does not parse.
pub(crate) fn explain(
    expression: &str,
    names: &HashMap<String, String>,
    values: &HashMap<String, AttributeValue>,
    sources: &Sources,
    stored: Option<&Attributes>,
) -> Option<Explanation> {
    let parsed = parser::condition(expression).ok()?;
    let context = Context::bind(&parsed.placeholders, names, values);
    let empty = Attributes::new();
    let item = stored.unwrap_or(&empty);
    if eval::condition(&parsed.root, item, &context) {
        return None;
    }
    // The recorded texts are used only if they match the leaves one for one.
    let texts = (sources.clauses.len() == leaves(&parsed.root)).then_some(sources.clauses);
    let writer = Writer { sources, texts, item, context: &context };
    let mut clauses = Vec::new();
    writer.failed(&parsed.root, &mut 0, &mut clauses);
    Some(Explanation { clauses })
}

/// The condition of an operation as written, kept while the request is sent, to explain a refusal with the
/// request's placeholder maps.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Explainer {
    expression: &'static str,
    sources: Sources,
}

impl Explainer {
    pub(crate) fn new(expression: &'static str, sources: Sources) -> Self {
        Explainer { expression, sources }
    }

    /// Why the condition is false for `stored`, with the placeholder maps of the request that carried it.
    pub(crate) fn explain(
        &self,
        names: &HashMap<String, String>,
        values: &HashMap<String, AttributeValue>,
        stored: Option<&Attributes>,
    ) -> Option<Explanation> {
        explain(self.expression, names, values, &self.sources, stored)
    }
}

/// How many leaves (comparisons, BETWEEN, IN, functions) a condition has.
fn leaves(condition: &ConditionNode) -> usize {
    match condition {
        ConditionNode::And(a, b) | ConditionNode::Or(a, b) => leaves(a) + leaves(b),
        ConditionNode::Not(inner) => leaves(inner),
        ConditionNode::Compare(..) | ConditionNode::Between(..) | ConditionNode::In(..) | ConditionNode::Call(..) => 1,
    }
}

/// Writes the failed clauses of a condition, deciding each part of it on the stored item as DynamoDB does.
struct Writer<'a> {
    sources: &'a Sources,
    /// The text of each leaf, if the recorded texts fit the condition.
    texts: Option<&'static [&'static str]>,
    /// The stored item (an absent item is an empty one).
    item: &'a Attributes,
    /// The condition's placeholders bound to the request's maps.
    context: &'a Context<'a>,
}

impl Writer<'_> {
    /// Adds the parts of `condition` that made it false to `out`; `next` is the index of its first leaf, and
    /// becomes that of the leaf after it.
    fn failed(&self, condition: &ConditionNode, next: &mut usize, out: &mut Vec<FailedClause>) {
        match condition {
            _ if eval::condition(condition, self.item, self.context) => *next += leaves(condition),
            // A false AND: its false operands (a true one is skipped); a false OR: both.
            ConditionNode::And(a, b) | ConditionNode::Or(a, b) => {
                self.failed(a, next, out);
                self.failed(b, next, out);
            }
            _ => {
                let text = self.text(condition, next);
                let mut operands = Vec::new();
                self.operands(condition, &mut operands);
                out.push(FailedClause { text, operands });
            }
        }
    }

    /// The text of `condition` in the DSL's notation, with parentheses only where precedence needs them.
    fn text(&self, condition: &ConditionNode, next: &mut usize) -> String {
        match condition {
            ConditionNode::Not(inner) => {
                let text = self.text(inner, next);
                match **inner {
                    ConditionNode::And(..) | ConditionNode::Or(..) | ConditionNode::Compare(..) => format!("!({text})"),
                    _ => format!("!{text}"),
                }
            }
            ConditionNode::And(a, b) => {
                let mut side = |condition: &ConditionNode| match condition {
                    ConditionNode::Or(..) => format!("({})", self.text(condition, next)),
                    _ => self.text(condition, next),
                };
                let a = side(a);
                format!("{a} && {}", side(b))
            }
            ConditionNode::Or(a, b) => {
                let a = self.text(a, next);
                format!("{a} || {}", self.text(b, next))
            }
            ConditionNode::Compare(comparator, ..) => self.leaf(condition, next, |subject, arguments| {
                let operator = match comparator {
                    Comparator::Eq => "==",
                    Comparator::Ne => "!=",
                    other => other.symbol(),
                };
                format!("{subject} {operator} {arguments}")
            }),
            ConditionNode::Between(..) => {
                self.leaf(condition, next, |subject, arguments| format!("{subject}.between({arguments})"))
            }
            ConditionNode::In(..) => {
                self.leaf(condition, next, |subject, arguments| format!("{subject}.is_in([{arguments}])"))
            }
            ConditionNode::Call(func, _) => self.leaf(condition, next, |subject, arguments| match func {
                Func::AttributeExists => format!("{subject}.exists()"),
                Func::AttributeNotExists => format!("!{subject}.exists()"),
                Func::BeginsWith | Func::Contains => format!("{subject}.{}({arguments})", func.name()),
                _ if arguments.is_empty() => format!("{}({subject})", func.name()),
                _ => format!("{}({subject}, {arguments})", func.name()),
            }),
        }
    }

    /// The text of the leaf `next`: as recorded, or else written by `notation` from its first operand (the
    /// subject) and its other operands (the arguments, joined by `, `).
    fn leaf(&self, leaf: &ConditionNode, next: &mut usize, notation: impl FnOnce(String, String) -> String) -> String {
        let index = *next;
        *next += 1;
        if let Some(text) = self.texts.and_then(|texts| texts.get(index)) {
            return (*text).to_owned();
        }
        let operands = leaf.operands();
        let subject = operands.first().map(|operand| self.name(operand)).unwrap_or_default();
        let arguments: Vec<String> = operands.iter().skip(1).map(|operand| self.argument(operand)).collect();
        notation(subject, arguments.join(", "))
    }

    /// An operand as written in a value position: an attribute is `#path`.
    fn argument(&self, operand: &OperandNode) -> String {
        match operand {
            OperandNode::Path(_) => format!("#{}", self.name(operand)),
            _ => self.name(operand),
        }
    }

    /// An operand as written: `address.city`, `scores[user]`, `tags.len()`, `qty`.
    fn name(&self, operand: &OperandNode) -> String {
        match operand {
            OperandNode::Path(path) => {
                let mut text = String::new();
                for element in &path.0 {
                    let step: Cow<'_, str> = match element {
                        PathElement::Name(Name::Placeholder(slot)) => {
                            let placeholder = self.context.name_text(*slot);
                            let name = Sources::find(self.sources.names, placeholder).or(self.context.name_of(*slot));
                            Cow::Borrowed(name.unwrap_or(placeholder))
                        }
                        PathElement::Name(Name::Bare(name)) => Cow::Borrowed(name),
                        PathElement::Index(index) => Cow::Owned(format!("[{index}]")),
                        PathElement::BadIndex(index) => Cow::Owned(format!("[{index}]")),
                        PathElement::Value(slot) => Cow::Borrowed(self.context.value_text(*slot)),
                    };
                    if !text.is_empty() && !step.starts_with('[') {
                        text.push('.');
                    }
                    text.push_str(&step);
                }
                text
            }
            OperandNode::Value(slot) => {
                let placeholder = self.context.value_text(*slot);
                Sources::find(self.sources.values, placeholder).unwrap_or(placeholder).to_owned()
            }
            OperandNode::Call(func, args) => match args.as_slice() {
                [arg] if *func == Func::Size => format!("{}.len()", self.name(arg)),
                _ => {
                    let args: Vec<String> = args.iter().map(|arg| self.name(arg)).collect();
                    format!("{}({})", func.name(), args.join(", "))
                }
            },
        }
    }

    /// The operands of the leaves of `condition`, each once, with their values on the stored item; a value
    /// whose text is the value itself (a literal) is left out.
    fn operands(&self, condition: &ConditionNode, out: &mut Vec<Operand>) {
        match condition {
            ConditionNode::And(a, b) | ConditionNode::Or(a, b) => {
                self.operands(a, out);
                self.operands(b, out);
            }
            ConditionNode::Not(inner) => self.operands(inner, out),
            leaf => {
                for operand in leaf.operands() {
                    let name = self.name(operand);
                    let value = eval::operand(operand, self.item, self.context).map(Cow::into_owned);
                    let literal = matches!(operand, OperandNode::Value(_))
                        && value.as_ref().is_some_and(|value| shown(value) == name);
                    if !literal && !out.iter().any(|known| known.name == name) {
                        out.push(Operand { name, value });
                    }
                }
            }
        }
    }
}

/// Most characters of a value an explanation shows; a longer value is cut, and ends in `…`.
const MAX_SHOWN: usize = 60;

/// A value as explanations show it (see [`Operand`]).
fn shown(value: &AttributeValue) -> String {
    let mut out = Limited { text: String::new(), room: MAX_SHOWN };
    if write_value(&mut out, value).is_err() {
        out.text.push('…');
    }
    out.text
}

/// Text that refuses to grow beyond `room` more characters.
struct Limited {
    text: String,
    room: usize,
}

impl fmt::Write for Limited {
    fn write_str(&mut self, s: &str) -> fmt::Result {
        for c in s.chars() {
            self.room = self.room.checked_sub(1).ok_or(fmt::Error)?;
            self.text.push(c);
        }
        Ok(())
    }
}

fn write_value(out: &mut Limited, value: &AttributeValue) -> fmt::Result {
    match value {
        AttributeValue::S(s) => write!(out, "{s:?}"),
        AttributeValue::N(n) => out.write_str(n),
        AttributeValue::B(bytes) => write_bytes(out, bytes.as_ref()),
        AttributeValue::Bool(b) => write!(out, "{b}"),
        AttributeValue::Null(_) => out.write_str("null"),
        AttributeValue::Ss(set) => {
            let mut set: Vec<&String> = set.iter().collect();
            set.sort();
            sequence(out, ["{", "}"], set, |out, s| write!(out, "{s:?}"))
        }
        AttributeValue::Ns(set) => {
            let mut set: Vec<&String> = set.iter().collect();
            set.sort_by(|a, b| numeric(a, b));
            sequence(out, ["{", "}"], set, |out, n| out.write_str(n))
        }
        AttributeValue::Bs(set) => {
            let mut set: Vec<&[u8]> = set.iter().map(|b| b.as_ref()).collect();
            set.sort();
            sequence(out, ["{", "}"], set, write_bytes)
        }
        AttributeValue::L(list) => sequence(out, ["[", "]"], list, write_value),
        AttributeValue::M(map) => {
            let mut entries: Vec<(&String, &AttributeValue)> = map.iter().collect();
            entries.sort_by(|a, b| a.0.cmp(b.0));
            sequence(out, ["{", "}"], entries, |out, (key, value)| {
                write!(out, "{key:?}: ")?;
                write_value(out, value)
            })
        }
        _ => out.write_str("?"),
    }
}

fn write_bytes(out: &mut Limited, bytes: &[u8]) -> fmt::Result {
    write!(out, "b\"{}\"", bytes.escape_ascii())
}

/// Items between brackets, separated by `, `.
fn sequence<I>(
    out: &mut Limited,
    [open, close]: [&str; 2],
    items: impl IntoIterator<Item = I>,
    mut each: impl FnMut(&mut Limited, I) -> fmt::Result,
) -> fmt::Result {
    out.write_str(open)?;
    for (i, item) in items.into_iter().enumerate() {
        if i > 0 {
            out.write_str(", ")?;
        }
        each(out, item)?;
    }
    out.write_str(close)
}

/// Numbers in numeric order (as far as an f64 tells them apart), then as text.
fn numeric(a: &str, b: &str) -> Ordering {
    let (x, y) = (a.parse::<f64>().ok(), b.parse::<f64>().ok());
    x.partial_cmp(&y).unwrap_or(Ordering::Equal).then_with(|| a.cmp(b))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn n(text: &str) -> AttributeValue {
        AttributeValue::N(text.into())
    }

    fn s(text: &str) -> AttributeValue {
        AttributeValue::S(text.into())
    }

    /// The attributes of a stored item.
    type StoredAttributes<'a> = &'a [(&'a str, AttributeValue)];

    /// A request as `update!` / `condition!` would build it: the expression, its placeholders and the source
    /// text the macro records.
    struct MacroRequest {
        expression: &'static str,
        names: HashMap<String, String>,
        values: HashMap<String, AttributeValue>,
        sources: Sources,
    }

    impl MacroRequest {
        fn new(expression: &'static str, names: &[(&str, &str)], values: &[(&str, AttributeValue)]) -> Self {
            MacroRequest {
                expression,
                names: names.iter().map(|(k, v)| ((*k).to_owned(), (*v).to_owned())).collect(),
                values: values.iter().map(|(k, v)| ((*k).to_owned(), v.clone())).collect(),
                sources: Sources::default(),
            }
        }

        fn written(
            mut self,
            clauses: &'static [&'static str],
            names: &'static [(&'static str, &'static str)],
            values: &'static [(&'static str, &'static str)],
        ) -> Self {
            self.sources = Sources { clauses, names, values };
            self
        }

        /// The explanation for a stored item (`None`: no item), as text.
        fn why(&self, stored: Option<StoredAttributes>) -> Option<String> {
            let stored: Option<Attributes> =
                stored.map(|item| item.iter().map(|(k, v)| ((*k).to_owned(), v.clone())).collect());
            let explanation = explain(self.expression, &self.names, &self.values, &self.sources, stored.as_ref());
            explanation.map(|e| e.to_string())
        }
    }

    /// `stock >= qty`, as the macro writes it.
    fn stock_at_least(qty: i64) -> MacroRequest {
        MacroRequest::new("#n0 >= :v0", &[("#n0", "stock")], &[(":v0", n(&qty.to_string()))]).written(
            &["stock >= qty"],
            &[("#n0", "stock")],
            &[(":v0", "qty")],
        )
    }

    #[test]
    fn a_false_comparison_shows_both_operands() {
        let request = stock_at_least(5);
        assert_eq!(request.why(Some(&[("stock", n("3"))])).as_deref(), Some("stock >= qty (stock = 3, qty = 5)"));
        assert_eq!(request.why(Some(&[("stock", n("5"))])), None, "the condition holds");
        assert_eq!(request.why(None).as_deref(), Some("stock >= qty (stock = absent, qty = 5)"));
        assert_eq!(
            request.why(Some(&[("stock", s("3"))])).as_deref(),
            Some("stock >= qty (stock = \"3\", qty = 5)"),
            "comparisons are type-strict"
        );
    }

    #[test]
    fn only_the_false_clauses_that_decided_are_listed() {
        // stock == 0 && (note.exists() || tags.contains(tag))
        let request = MacroRequest::new(
            "#n0 = :v0 AND (attribute_exists(#n1) OR contains(#n2, :v1))",
            &[("#n0", "stock"), ("#n1", "note"), ("#n2", "tags")],
            &[(":v0", n("0")), (":v1", s("x"))],
        )
        .written(
            &["stock == 0", "note.exists()", "tags.contains(tag)"],
            &[("#n0", "stock"), ("#n1", "note"), ("#n2", "tags")],
            &[(":v0", "0"), (":v1", "tag")],
        );
        let tags = AttributeValue::L(vec![s("y")]);
        let cases: [(StoredAttributes, Option<&str>); 5] = [
            (&[("stock", n("0")), ("note", s("n"))], None),
            (&[("stock", n("3")), ("note", s("n"))], Some("stock == 0 (stock = 3)")),
            (
                &[("stock", n("0")), ("tags", tags.clone())],
                Some("note.exists() (note = absent); tags.contains(tag) (tags = [\"y\"], tag = \"x\")"),
            ),
            (
                &[("stock", n("1")), ("tags", tags)],
                Some(
                    "stock == 0 (stock = 1); note.exists() (note = absent); tags.contains(tag) (tags = [\"y\"], tag = \"x\")",
                ),
            ),
            (&[("stock", n("2")), ("tags", AttributeValue::L(vec![s("x")]))], Some("stock == 0 (stock = 2)")),
        ];
        for (stored, expected) in cases {
            assert_eq!(request.why(Some(stored)).as_deref(), expected, "{stored:?}");
        }
    }

    #[test]
    fn a_false_negation_is_one_clause_written_with_its_operand() {
        let names: &[(&str, &str)] = &[("#n0", "stock"), ("#n1", "reserved")];
        let sources: &[(&str, &str)] = &[("#n0", "stock"), ("#n1", "reserved")];
        let stored: StoredAttributes = &[("stock", n("0")), ("reserved", n("5")), ("note", s("fragile"))];
        let request = MacroRequest::new("NOT (#n0 = :v0 AND #n1 > :v1)", names, &[(":v0", n("0")), (":v1", n("1"))])
            .written(&["stock == 0", "reserved > low"], sources, &[(":v0", "0"), (":v1", "low")]);
        assert_eq!(
            request.why(Some(stored)).as_deref(),
            Some("!(stock == 0 && reserved > low) (stock = 0, reserved = 5, low = 1)")
        );
        let request = MacroRequest::new("NOT #n0 = :v0", names, &[(":v0", n("0"))]).written(
            &["stock == 0"],
            sources,
            &[(":v0", "0")],
        );
        assert_eq!(request.why(Some(stored)).as_deref(), Some("!(stock == 0) (stock = 0)"));
        let request = MacroRequest::new("NOT (#n0 = :v0 OR #n1 = :v0) AND #n0 = :v0", names, &[(":v0", n("0"))]);
        assert_eq!(
            request.why(Some(stored)).as_deref(),
            Some("!(stock == :v0 || reserved == :v0) (stock = 0, :v0 = 0, reserved = 5)")
        );
        let request = MacroRequest::new("attribute_not_exists(#n0)", &[("#n0", "note")], &[]).written(
            &["!note.exists()"],
            &[("#n0", "note")],
            &[],
        );
        assert_eq!(request.why(Some(stored)).as_deref(), Some("!note.exists() (note = \"fragile\")"));
    }

    #[test]
    fn paths_are_written_as_in_the_dsl() {
        // `version` is stored as `ver`; `scores[user]` is an entry of a map.
        let request = MacroRequest::new(
            "#n0 = :v0 AND #n1.#n2 = :v1 AND #n3.#n4 = :v2",
            &[("#n0", "ver"), ("#n1", "scores"), ("#n2", "alice"), ("#n3", "address"), ("#n4", "city")],
            &[(":v0", n("4")), (":v1", n("5")), (":v2", s("Oslo"))],
        )
        .written(
            &["version == 4", "scores[user] == 5", "address.city == city"],
            &[("#n0", "version"), ("#n1", "scores"), ("#n2", "[user]"), ("#n3", "address"), ("#n4", "city")],
            &[(":v0", "4"), (":v1", "5"), (":v2", "city")],
        );
        let address = AttributeValue::M([("city".to_owned(), s("Bergen"))].into());
        let scores = AttributeValue::M([("alice".to_owned(), n("2"))].into());
        let stored: StoredAttributes = &[("ver", n("3")), ("scores", scores), ("address", address)];
        assert_eq!(
            request.why(Some(stored)).as_deref(),
            Some(
                "version == 4 (version = 3); scores[user] == 5 (scores[user] = 2); address.city == city (address.city = \"Bergen\", city = \"Oslo\")"
            )
        );
    }

    #[test]
    fn hand_written_conditions_are_explained_in_the_dsl_notation() {
        let request = MacroRequest::new(
            "attribute_not_exists(#pk) OR #n0 <> :v0 AND a.b[1] BETWEEN :lo AND :hi OR c IN (:v0, :lo) \
             OR size(d) < :v0 OR begins_with(e, :lo) OR #n0 > e OR attribute_type(c, :t)",
            &[("#pk", "pk"), ("#n0", "stock")],
            &[(":v0", n("1")), (":lo", n("2")), (":hi", n("3")), (":t", s("S"))],
        );
        let list = AttributeValue::L(vec![n("0"), n("9")]);
        let stored: StoredAttributes =
            &[("pk", s("a")), ("stock", n("1")), ("a", AttributeValue::M([("b".to_owned(), list)].into()))];
        let expected = [
            "!pk.exists() (pk = \"a\")",
            "c.is_in([:v0, :lo]) (c = absent, :v0 = 1, :lo = 2)",
            "d.len() < :v0 (d.len() = absent, :v0 = 1)",
            "e.begins_with(:lo) (e = absent, :lo = 2)",
            "stock > #e (stock = 1, e = absent)",
            "attribute_type(c, :t) (c = absent, :t = \"S\")",
        ];
        // `#n0 <> :v0` is false, so its AND is, and `a.b[1] BETWEEN ..` (9 is not in 2..=3) is not evaluated
        // first: both are listed, in order.
        let and = "stock != :v0 (stock = 1, :v0 = 1); a.b[1].between(:lo, :hi) (a.b[1] = 9, :lo = 2, :hi = 3)";
        let whole = format!("{}; {and}; {}", expected[0], expected[1..].join("; "));
        assert_eq!(request.why(Some(stored)), Some(whole));
    }

    #[test]
    fn recorded_texts_are_used_only_if_they_fit_the_leaves() {
        let request = stock_at_least(5).written(&["stock >= qty", "surplus"], &[("#n0", "stock")], &[(":v0", "qty")]);
        assert_eq!(request.why(None).as_deref(), Some("stock >= qty (stock = absent, qty = 5)"));
        let request = stock_at_least(5).written(&[], &[], &[]);
        assert_eq!(request.why(None).as_deref(), Some("stock >= :v0 (stock = absent, :v0 = 5)"));
    }

    #[test]
    fn expressions_that_do_not_parse_are_not_explained() {
        assert_eq!(MacroRequest::new("stock >=", &[], &[]).why(None), None);
        assert_eq!(MacroRequest::new("", &[], &[]).why(None), None);
    }

    #[test]
    fn values_are_shown_compactly_and_unambiguously() {
        let b = |bytes: &[u8]| aws_sdk_dynamodb::primitives::Blob::new(bytes);
        let cases = [
            (n("-1.5"), "-1.5"),
            (s("say \"hi\"\n"), r#""say \"hi\"\n""#),
            (AttributeValue::B(b(b"a\x00")), r#"b"a\x00""#),
            (AttributeValue::Bool(true), "true"),
            (AttributeValue::Null(true), "null"),
            (AttributeValue::Ss(vec!["b".into(), "a".into()]), r#"{"a", "b"}"#),
            (AttributeValue::Ns(vec!["10".into(), "9".into(), "-1".into()]), "{-1, 9, 10}"),
            (AttributeValue::Bs(vec![b(b"y"), b(b"x")]), r#"{b"x", b"y"}"#),
            (AttributeValue::L(vec![n("1"), s("x"), AttributeValue::L(vec![])]), r#"[1, "x", []]"#),
            (
                AttributeValue::M([("z".into(), n("1")), ("a".into(), AttributeValue::M(HashMap::new()))].into()),
                r#"{"a": {}, "z": 1}"#,
            ),
            (s(&"x".repeat(58)), &format!("\"{}\"", "x".repeat(58))),
            (s(&"x".repeat(59)), &format!("\"{}…", "x".repeat(59))),
            (AttributeValue::L(vec![n("12345"); 100]), &format!("[{}123…", "12345, ".repeat(8))),
        ];
        for (value, expected) in cases {
            assert_eq!(shown(&value), expected, "{value:?}");
        }
    }

    #[test]
    fn literal_values_and_repeated_operands_are_listed_once() {
        // stock.between(low, low) && stock != 7
        let request = MacroRequest::new(
            "#n0 BETWEEN :v0 AND :v1 AND #n0 <> :v2",
            &[("#n0", "stock")],
            &[(":v0", n("5")), (":v1", n("5")), (":v2", n("7"))],
        )
        .written(
            &["stock.between(low, low)", "stock != 7"],
            &[("#n0", "stock")],
            &[(":v0", "low"), (":v1", "low"), (":v2", "7")],
        );
        assert_eq!(
            request.why(Some(&[("stock", n("7"))])).as_deref(),
            Some("stock.between(low, low) (stock = 7, low = 5); stock != 7 (stock = 7)")
        );
    }
}
