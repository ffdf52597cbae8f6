//! The parsed form of an `update!` or `condition!` invocation.

use proc_macro2::{Ident, Span};

/// A document path: `stock`, `address.city`, `tags[0]`, `scores[user]`.
#[derive(Clone)]
pub(crate) struct Path {
    pub(crate) segments: Vec<Segment>,
}

#[derive(Clone)]
pub(crate) enum Segment {
    /// `.field` (or the first field).
    Field(Ident),
    /// `[3]`: a list element.
    Index(u32, Span),
    /// `[expr]`: a map entry whose key is a Rust string expression.
    Key(syn::Expr),
}

impl Path {
    /// The span of the path's last segment, where rules about the attribute itself are reported.
    pub(crate) fn span(&self) -> Span {
        match self.segments.last() {
            Some(Segment::Field(ident)) => ident.span(),
            Some(Segment::Index(_, span)) => *span,
            Some(Segment::Key(expr)) => syn::spanned::Spanned::span(expr),
            None => Span::call_site(),
        }
    }

    /// The path as the user wrote it, for messages and for comparing paths.
    pub(crate) fn text(&self) -> String {
        self.text_of(self.segments.len())
    }

    /// The first `len` segments as text: the identity of a prefix.
    pub(crate) fn text_of(&self, len: usize) -> String {
        let mut text = String::new();
        for segment in &self.segments[..len] {
            match segment {
                Segment::Field(ident) if text.is_empty() => text.push_str(&ident.to_string()),
                Segment::Field(ident) => text.push_str(&format!(".{ident}")),
                Segment::Index(i, _) => text.push_str(&format!("[{i}]")),
                Segment::Key(expr) => text.push_str(&format!("[{}]", super::source::text(expr))),
            }
        }
        text
    }
}

/// A value position: a Rust expression, or `#path` for an attribute of the stored item.
pub(crate) enum Operand {
    Value(syn::Expr),
    Attribute(Path),
}

/// One assignment of `update!`.
pub(crate) struct Assignment {
    pub(crate) target: Path,
    pub(crate) action: Action,
}

/// What an assignment does to its target. Spans are those of the operator or method name.
pub(crate) enum Action {
    /// `path = operand`
    Set(Operand),
    /// `path = a + b` / `path = a - b`, where `a` or `b` is a `#path`.
    SetArithmetic { left: Operand, op: Arithmetic, right: Operand },
    /// `path += v` / `path -= v`
    Counter { op: Arithmetic, value: syn::Expr },
    /// `path.if_not_exists(v)`
    IfNotExists(syn::Expr),
    /// `path.append(v)` / `path.prepend(v)`
    Append { method: Ident, value: syn::Expr, at_start: bool },
    /// `path.insert(v)` / `path.delete(v)`
    SetElements { method: Ident, value: syn::Expr, add: bool },
    /// `path.remove()`
    Remove(Ident),
}

#[derive(Clone, Copy)]
pub(crate) struct Arithmetic {
    pub(crate) plus: bool,
    pub(crate) span: Span,
}

impl Arithmetic {
    pub(crate) fn symbol(self) -> &'static str {
        if self.plus { "+" } else { "-" }
    }
}

/// A condition (the `where` part of `update!`, or all of `condition!`).
pub(crate) enum Condition {
    And(Box<Condition>, Box<Condition>),
    Or(Box<Condition>, Box<Condition>),
    Not(Box<Condition>),
    Compare {
        left: Measure,
        op: Comparison,
        right: Operand,
    },
    Exists {
        path: Path,
        method: Ident,
        negated: bool,
    },
    /// A bool attribute standing alone (`active`), or negated (`!frozen`).
    Flag {
        path: Path,
        negated: bool,
    },
    BeginsWith {
        path: Path,
        method: Ident,
        value: syn::Expr,
    },
    Contains {
        path: Path,
        method: Ident,
        value: syn::Expr,
    },
    Between {
        path: Path,
        method: Ident,
        low: syn::Expr,
        high: syn::Expr,
    },
    IsIn {
        path: Path,
        method: Ident,
        values: Vec<syn::Expr>,
    },
}

impl Condition {
    /// Whether the condition holds for an item that does not exist: every attribute is missing, so every
    /// comparison is false but `!=`, which is true, and every function is false but `attribute_not_exists`.
    pub(crate) fn holds_on_missing_item(&self) -> bool {
        match self {
            Condition::And(a, b) => a.holds_on_missing_item() && b.holds_on_missing_item(),
            Condition::Or(a, b) => a.holds_on_missing_item() || b.holds_on_missing_item(),
            Condition::Not(inner) => !inner.holds_on_missing_item(),
            Condition::Compare { op, .. } => op.kind == ComparisonKind::Ne,
            Condition::Exists { negated, .. } | Condition::Flag { negated, .. } => *negated,
            Condition::BeginsWith { .. }
            | Condition::Contains { .. }
            | Condition::Between { .. }
            | Condition::IsIn { .. } => false,
        }
    }
}

/// The left side of a comparison: an attribute, or its size.
pub(crate) enum Measure {
    Attribute(Path),
    Len { path: Path, method: Ident },
}

#[derive(Clone, Copy)]
pub(crate) struct Comparison {
    pub(crate) kind: ComparisonKind,
    pub(crate) span: Span,
}

#[derive(Clone, Copy, PartialEq)]
pub(crate) enum ComparisonKind {
    Eq,
    Ne,
    Lt,
    Le,
    Gt,
    Ge,
}

impl ComparisonKind {
    /// The DynamoDB comparator.
    pub(crate) fn dynamodb(self) -> &'static str {
        match self {
            ComparisonKind::Eq => "=",
            ComparisonKind::Ne => "<>",
            ComparisonKind::Lt => "<",
            ComparisonKind::Le => "<=",
            ComparisonKind::Gt => ">",
            ComparisonKind::Ge => ">=",
        }
    }

    /// The Rust operator, as written in the DSL.
    pub(crate) fn rust(self) -> &'static str {
        match self {
            ComparisonKind::Eq => "==",
            ComparisonKind::Ne => "!=",
            ComparisonKind::Lt => "<",
            ComparisonKind::Le => "<=",
            ComparisonKind::Gt => ">",
            ComparisonKind::Ge => ">=",
        }
    }

    pub(crate) fn is_ordering(self) -> bool {
        !matches!(self, ComparisonKind::Eq | ComparisonKind::Ne)
    }
}

/// A whole invocation.
pub(crate) struct Invocation {
    pub(crate) item: syn::Type,
    pub(crate) assignments: Vec<Assignment>,
    pub(crate) condition: Option<Condition>,
}
