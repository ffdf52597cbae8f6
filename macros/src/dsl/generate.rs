//! Lowering to DynamoDB expression strings, and the code that checks every field, operator and value with
//! the compiler, each check under the span of the user's token it is about.

use proc_macro2::{Ident, Span, TokenStream};
use quote::{format_ident, quote, quote_spanned};
use syn::spanned::Spanned;

use super::Kind;
use super::model::*;
use super::parse::Parsed;
use super::source;
use crate::diag::Errors;

pub(crate) fn generate(parsed: &Parsed, kind: Kind, errors: &Errors) -> TokenStream {
    let invocation = &parsed.invocation;
    let mut out = Builder::default();
    let mut clauses = Clauses::default();
    for assignment in &invocation.assignments {
        out.assignment(assignment, &mut clauses);
    }
    let condition = invocation.condition.as_ref().map(|c| out.condition(c, Precedence::Or));
    // Only the clauses of the condition that is sent: salvaged parts come with a compile error.
    let leaves = std::mem::take(&mut out.leaves);
    for part in &parsed.salvaged {
        out.condition(part, Precedence::Or);
    }
    for path in &parsed.unparsed_paths {
        out.probe(path);
    }
    let item = &invocation.item;
    let names = out.names.iter().map(|(placeholder, probe)| {
        quote! { (#placeholder, ::dynatomic::__private::Attr::name(#probe)) }
    });
    let values = out.values.iter().map(|(placeholder, value)| quote! { (#placeholder, #value) });
    let pairs = |pairs: &[(String, String)]| {
        let pairs = pairs.iter().map(|(placeholder, text)| quote! { (#placeholder, #text) });
        quote! { &[#(#pairs),*] }
    };
    // The source text explanations of a failed condition are made of, as `&'static` data.
    let (name_sources, value_sources) = (pairs(&out.name_sources), pairs(&out.value_sources));
    let missing_item = match invocation.condition.as_ref().map(Condition::holds_on_missing_item) {
        Some(false) => quote!(::dynatomic::__private::MissingItem::Fails),
        Some(true) | None => quote!(::dynatomic::__private::MissingItem::MayHold),
    };
    let option = |text: Option<String>| match text {
        Some(text) => quote!(::core::option::Option::Some(#text)),
        None => quote!(::core::option::Option::None),
    };
    let update = match kind {
        Kind::Update | Kind::Upsert => option(Some(clauses.render())),
        Kind::Condition => option(None),
    };
    let condition = option(condition);
    let compiled = quote! {
        static __DYNATOMIC_COMPILED: ::dynatomic::__private::Compiled = ::dynatomic::__private::Compiled {
            update: #update,
            condition: #condition,
            missing_item: #missing_item,
            clauses: &[#(#leaves),*],
            names: #name_sources,
            values: #value_sources,
            memo: ::dynatomic::__private::Memo::new(),
        };
    };
    let new = quote!(__new(&__DYNATOMIC_COMPILED, [#(#names),*], [#(#values),*]));
    let built = match kind {
        Kind::Update => quote! { ::dynatomic::Update::<#item>::#new },
        Kind::Upsert => {
            let coverage = out.coverage(item);
            quote! {{
                #coverage
                ::dynatomic::Upsert::__new(::dynatomic::Update::<#item>::#new)
            }}
        }
        Kind::Condition => quote! { ::dynatomic::Condition::<#item>::#new },
    };
    let fields = &out.fields;
    let root = quote_spanned! {item.span()=> let #fields = ::dynatomic::__private::fields::<#item>(); };
    let probes = &out.probes;
    let checks = &out.checks;
    let errors = errors.to_compile_errors();
    quote! {{
        #errors
        #root
        #(#probes)*
        #(#checks)*
        #compiled
        #built
    }}
}

/// The clauses of an UpdateExpression, in DynamoDB's order.
#[derive(Default)]
struct Clauses {
    set: Vec<String>,
    remove: Vec<String>,
    add: Vec<String>,
    delete: Vec<String>,
}

impl Clauses {
    fn render(&self) -> String {
        [("SET", &self.set), ("REMOVE", &self.remove), ("ADD", &self.add), ("DELETE", &self.delete)]
            .into_iter()
            .filter(|(_, actions)| !actions.is_empty())
            .map(|(keyword, actions)| format!("{keyword} {}", actions.join(", ")))
            .collect::<Vec<_>>()
            .join(" ")
    }
}

/// Binding strength in a ConditionExpression, loosest first: parentheses are written only where needed,
/// so DynamoDB never sees redundant ones.
#[derive(Clone, Copy, PartialEq, PartialOrd)]
enum Precedence {
    Or,
    And,
    Not,
}

/// The generated pieces: probe bindings, checks, and the placeholders of names and values.
struct Builder {
    fields: Ident,
    /// `let` bindings of the probes, one per distinct path prefix.
    probes: Vec<TokenStream>,
    /// Probe locals by the text of their path prefix.
    probe_of: Vec<(String, Ident)>,
    checks: Vec<TokenStream>,
    /// `#n` placeholders and the probe that names each one.
    names: Vec<(String, Ident)>,
    /// `#n` placeholders by the text of their path prefix.
    name_of: Vec<(String, String)>,
    /// `:v` placeholders and the code that converts each value.
    values: Vec<(String, TokenStream)>,
    /// The text of every leaf of the ConditionExpression (comparison, BETWEEN, IN, function), as the user wrote
    /// it, in the order the leaves appear in the expression text. The invariant the runtime relies on to match
    /// a leaf of the parsed expression with its text: [`Builder::primary`] writes exactly one leaf and pushes
    /// exactly its text, and `AND`, `OR` and `NOT` write their operands left to right.
    leaves: Vec<String>,
    /// `#n` placeholders and the path segment each one names, as written: `city`, `[user]`.
    name_sources: Vec<(String, String)>,
    /// `:v` placeholders and the Rust expression of each value, as written: `qty`.
    value_sources: Vec<(String, String)>,
    /// How many checked probes the rules have bound.
    checked: usize,
    /// The probes of the top-level fields an assignment gives a value even when the item is new: what an
    /// upsert covers.
    covered: Vec<Ident>,
}

impl Default for Builder {
    fn default() -> Self {
        Builder {
            fields: Ident::new("__dynatomic_fields", Span::call_site()),
            probes: Vec::new(),
            probe_of: Vec::new(),
            checks: Vec::new(),
            names: Vec::new(),
            name_of: Vec::new(),
            values: Vec::new(),
            leaves: Vec::new(),
            name_sources: Vec::new(),
            value_sources: Vec::new(),
            checked: 0,
            covered: Vec::new(),
        }
    }
}

impl Builder {
    /// Binds a probe for every prefix of `path` and returns the last one.
    fn probe(&mut self, path: &Path) -> Ident {
        let mut previous = self.fields.clone();
        for (i, segment) in path.segments.iter().enumerate() {
            let key = path.text_of(i + 1);
            let shared = !matches!(segment, Segment::Key(_));
            if let Some((_, probe)) = self.probe_of.iter().find(|(k, _)| shared && *k == key) {
                previous = probe.clone();
                continue;
            }
            let probe = format_ident!("__dynatomic_p{}", self.probe_of.len());
            // Field access goes through explicit derefs, so that an unknown field is reported on the type of
            // the probe struct (`ProductFields`), not on the probe.
            let init = match segment {
                Segment::Field(ident) if i == 0 => quote! { &(*#previous).#ident },
                Segment::Field(ident) => quote! { &(**#previous).#ident },
                Segment::Index(_, span) => {
                    let (previous, span) = (respan(&previous, *span), at(*span));
                    quote_spanned! {span=> &::dynatomic::__private::element(#previous) }
                }
                Segment::Key(expr) => {
                    let (previous, span) = (respan(&previous, expr.span()), at(expr.span()));
                    quote_spanned! {span=> &::dynatomic::__private::entry(#previous, #expr) }
                }
            };
            self.probes.push(quote! { let #probe = #init; });
            self.probe_of.push((key, probe.clone()));
            previous = probe;
        }
        previous
    }

    /// The DynamoDB text of `path`, with a `#n` placeholder for every name, and its probe.
    fn path(&mut self, path: &Path) -> (String, Ident) {
        let probe = self.probe(path);
        let mut text = String::new();
        for (i, segment) in path.segments.iter().enumerate() {
            let key = path.text_of(i + 1);
            let written = match segment {
                Segment::Index(index, _) => {
                    text.push_str(&format!("[{index}]"));
                    continue;
                }
                Segment::Field(ident) => ident.to_string(),
                Segment::Key(expr) => format!("[{}]", source::text(expr)),
            };
            let shared = matches!(segment, Segment::Field(_));
            let existing = self.name_of.iter().find(|(k, _)| shared && *k == key).map(|(_, n)| n.clone());
            let placeholder = existing.unwrap_or_else(|| {
                let placeholder = format!("#n{}", self.names.len());
                let segment_probe = self.probe_of.iter().rev().find(|(k, _)| *k == key).map(|(_, p)| p.clone());
                self.names.push((placeholder.clone(), segment_probe.unwrap_or_else(|| probe.clone())));
                self.name_sources.push((placeholder.clone(), written));
                self.name_of.push((key, placeholder.clone()));
                placeholder
            });
            if i > 0 {
                text.push('.');
            }
            text.push_str(&placeholder);
        }
        (text, probe)
    }

    /// A `:v` placeholder for the value `code` computes.
    fn value(&mut self, code: TokenStream) -> String {
        let placeholder = format!(":v{}", self.values.iter().filter(|(p, _)| p.starts_with(":v")).count());
        self.values.push((placeholder.clone(), code));
        placeholder
    }

    /// A placeholder for a constant the expression needs (`:zero`, `:empty`), added once.
    fn constant(&mut self, placeholder: &str, code: TokenStream) -> String {
        if !self.values.iter().any(|(p, _)| p == placeholder) {
            self.values.push((placeholder.to_owned(), code));
        }
        placeholder.to_owned()
    }

    /// A Rust value for the attribute of `probe`, type-checked under the value's span.
    fn typed_value(&mut self, probe: &Ident, expr: &syn::Expr) -> String {
        let (probe, span) = (respan(probe, expr.span()), at(expr.span()));
        let code = quote_spanned! {span=> ::dynatomic::__private::value(&#probe, #expr) };
        let placeholder = self.value(code);
        self.value_sources.push((placeholder.clone(), source::text(expr)));
        placeholder
    }

    /// A rule check reported at `span`; returns the probe of what the operation works on next, so that the
    /// checks after a failed rule are not reported too.
    fn rule(&mut self, span: Span, rule: &str, probe: &Ident) -> Ident {
        let span = at(span);
        let checked = format_ident!("__dynatomic_c{}", self.checked, span = span);
        self.checked += 1;
        let probe = respan(probe, span);
        let rule = Ident::new(rule, span);
        self.checks.push(quote_spanned! {span=> let #checked = ::dynatomic::__private::#rule(&#probe); });
        checked
    }

    /// A rule check reported at `span` that leads to no further check (`remove()`).
    fn final_rule(&mut self, span: Span, rule: &str, probe: &Ident) {
        let span = at(span);
        let (probe, rule) = (respan(probe, span), Ident::new(rule, span));
        self.checks.push(quote_spanned! {span=> ::dynatomic::__private::#rule(&#probe); });
    }

    /// Two attributes that must have the same type; a mismatch is reported on `span`.
    fn same_type(&mut self, span: Span, a: &Ident, b: &Ident) {
        let (a, b, span) = (respan(a, span), respan(b, span), at(span));
        self.checks.push(quote_spanned! {span=>
            let _: [::dynatomic::__private::AttributeType<_>; 2] =
                [::dynatomic::__private::attribute_type(&#a), ::dynatomic::__private::attribute_type(&#b)];
        });
    }

    /// An operand of `SET target = ...`: a value of the target's type, or an attribute of the same type.
    fn set_operand(&mut self, target: &Ident, operand: &Operand) -> String {
        match operand {
            Operand::Value(expr) => self.typed_value(target, expr),
            Operand::Attribute(path) => {
                let (text, probe) = self.path(path);
                self.same_type(path.span(), target, &probe);
                text
            }
        }
    }

    fn assignment(&mut self, assignment: &Assignment, clauses: &mut Clauses) {
        let (target, probe) = self.path(&assignment.target);
        // What gives the attribute a value on a new item: not a removal or a set difference, and not a value
        // read from another attribute, which a new item does not have.
        let creates = !matches!(
            assignment.action,
            Action::Remove(_)
                | Action::SetElements { add: false, .. }
                | Action::Set(Operand::Attribute(_))
                | Action::SetArithmetic { .. }
        );
        if assignment.target.segments.len() == 1 && creates {
            self.covered.push(probe.clone());
        }
        let writable = self.rule(assignment.target.span(), "writable", &probe);
        match &assignment.action {
            Action::Set(operand) => {
                let value = self.set_operand(&writable, operand);
                clauses.set.push(format!("{target} = {value}"));
            }
            Action::SetArithmetic { left, op, right } => {
                let number = self.rule(op.span, "number", &writable);
                let left = self.set_operand(&number, left);
                let right = self.set_operand(&number, right);
                clauses.set.push(format!("{target} = {left} {} {right}", op.symbol()));
            }
            Action::Counter { op, value } => {
                let number = self.rule(op.span, "number", &writable);
                let zero = self.constant(":zero", quote!(::dynatomic::__private::zero()));
                let value = self.typed_value(&number, value);
                clauses.set.push(format!("{target} = if_not_exists({target}, {zero}) {} {value}", op.symbol()));
            }
            Action::IfNotExists(value) => {
                let value = self.typed_value(&writable, value);
                clauses.set.push(format!("{target} = if_not_exists({target}, {value})"));
            }
            Action::Append { method, value, at_start } => {
                let list = self.rule(method.span(), "list", &writable);
                let empty = self.constant(":empty", quote!(::dynatomic::__private::empty_list()));
                let value = self.typed_value(&list, value);
                let existing = format!("if_not_exists({target}, {empty})");
                let (first, second) = if *at_start { (value, existing) } else { (existing, value) };
                clauses.set.push(format!("{target} = list_append({first}, {second})"));
            }
            Action::SetElements { method, value, add } => {
                let set = self.rule(method.span(), "set", &writable);
                let value = self.typed_value(&set, value);
                let clause = if *add { &mut clauses.add } else { &mut clauses.delete };
                clause.push(format!("{target} {value}"));
            }
            Action::Remove(method) => {
                self.final_rule(method.span(), "removable", &writable);
                clauses.remove.push(target);
            }
        }
    }

    /// The check that an upsert sets every field of `item` without a default, reported on the item type: each
    /// covered field moves the type-level record of the fields set along, and only a record with every required
    /// field set has `complete`.
    fn coverage(&self, item: &syn::Type) -> TokenStream {
        let span = at(item.span());
        let state = Ident::new("__dynatomic_coverage", span);
        let steps = self.covered.iter().map(|probe| {
            let probe = respan(probe, span);
            quote_spanned! {span=> let #state = ::dynatomic::__private::cover(#probe, #state); }
        });
        quote_spanned! {span=>
            let #state = ::dynatomic::__private::coverage::<#item>();
            #(#steps)*
            #state.complete();
        }
    }

    /// The ConditionExpression text of `condition`, parenthesised if it binds looser than `context`.
    fn condition(&mut self, condition: &Condition, context: Precedence) -> String {
        let (text, own) = match condition {
            Condition::Or(a, b) => (
                format!("{} OR {}", self.condition(a, Precedence::Or), self.condition(b, Precedence::Or)),
                Precedence::Or,
            ),
            Condition::And(a, b) => (
                format!("{} AND {}", self.condition(a, Precedence::And), self.condition(b, Precedence::And)),
                Precedence::And,
            ),
            Condition::Not(inner) => (format!("NOT {}", self.condition(inner, Precedence::Not)), Precedence::Not),
            _ => return self.primary(condition),
        };
        if own < context { format!("({text})") } else { text }
    }

    /// The text of a leaf condition, whose source text it records (see [`Builder::leaves`]).
    fn primary(&mut self, condition: &Condition) -> String {
        self.leaves.extend(source::clause(condition));
        match condition {
            Condition::Compare { left, op, right } => self.comparison(left, *op, right),
            Condition::Exists { path, negated, .. } => {
                let (text, _) = self.path(path);
                let function = if *negated { "attribute_not_exists" } else { "attribute_exists" };
                format!("{function}({text})")
            }
            Condition::Flag { path, negated } => {
                let (text, probe) = self.path(path);
                self.final_rule(path.span(), "flag", &probe);
                let placeholder = self.constant(":true", quote!(::dynatomic::__private::flag_true()));
                if !self.value_sources.iter().any(|(p, _)| *p == placeholder) {
                    self.value_sources.push((placeholder.clone(), "true".to_owned()));
                }
                // `<>` holds for a missing attribute, as `!` of a missing bool should; `=` does not.
                format!("{text} {} {placeholder}", if *negated { "<>" } else { "=" })
            }
            Condition::BeginsWith { path, method, value } => {
                let (text, probe) = self.path(path);
                let prefixed = self.rule(method.span(), "prefixed", &probe);
                let value = self.typed_value(&prefixed, value);
                format!("begins_with({text}, {value})")
            }
            Condition::Contains { path, method, value } => {
                let (text, probe) = self.path(path);
                let needle = self.rule(method.span(), "searchable", &probe);
                let value = self.typed_value(&needle, value);
                format!("contains({text}, {value})")
            }
            Condition::Between { path, method, low, high } => {
                let (text, probe) = self.path(path);
                let ordered = self.rule(method.span(), "ordered", &probe);
                let low = self.typed_value(&ordered, low);
                let high = self.typed_value(&ordered, high);
                format!("{text} BETWEEN {low} AND {high}")
            }
            Condition::IsIn { path, values, .. } => {
                let (text, probe) = self.path(path);
                let values: Vec<String> = values.iter().map(|v| self.typed_value(&probe, v)).collect();
                format!("{text} IN ({})", values.join(", "))
            }
            Condition::And(..) | Condition::Or(..) | Condition::Not(..) => self.condition(condition, Precedence::Not),
        }
    }

    fn comparison(&mut self, left: &Measure, op: Comparison, right: &Operand) -> String {
        let (left_text, operand, measured) = match left {
            Measure::Attribute(path) => {
                let (text, probe) = self.path(path);
                let operand = if op.kind.is_ordering() { self.rule(op.span, "ordered", &probe) } else { probe };
                (text, operand, false)
            }
            Measure::Len { path, method } => {
                let (text, probe) = self.path(path);
                (format!("size({text})"), self.rule(method.span(), "measured", &probe), true)
            }
        };
        let right_text = match right {
            Operand::Value(expr) => self.typed_value(&operand, expr),
            Operand::Attribute(path) => {
                let (text, probe) = self.path(path);
                if measured {
                    // A size compares with any number attribute.
                    self.final_rule(path.span(), "number", &probe);
                } else {
                    self.same_type(path.span(), &operand, &probe);
                }
                text
            }
        };
        format!("{left_text} {} {right_text}", op.kind.dynamodb())
    }
}

/// The same local variable, at the location of the user's token `span`.
fn respan(ident: &Ident, span: Span) -> Ident {
    Ident::new(&ident.to_string(), at(span))
}

/// The location of the user's token `span`, in the hygiene context of the macro call. Every token of a
/// generated check carries it: rustc reports a check whose tokens mix hygiene contexts on the whole macro
/// call, rust-analyzer maps only call-context tokens back to the user's text, and the generated locals
/// (named `__dynatomic_*` so that they cannot meet a user's) resolve the same way wherever the user's tokens
/// come from, also when `update!` is called from inside another macro.
fn at(span: Span) -> Span {
    Span::call_site().located_at(span)
}

#[cfg(test)]
mod tests {
    use super::super::parse;
    use super::*;

    /// The ConditionExpression of `condition!(Product: <condition>)` and what the builder records for it.
    fn lowered(condition: &str) -> (String, Builder) {
        let input: TokenStream = format!("Product: {condition}").parse().expect(condition);
        let mut errors = Errors::default();
        let parsed = parse::parse(input, Kind::Condition, &mut errors).expect(condition);
        assert!(errors.into_error().is_none(), "{condition}");
        let mut out = Builder::default();
        let text = out.condition(parsed.invocation.condition.as_ref().expect(condition), Precedence::Or);
        (text, out)
    }

    /// The leaves of a ConditionExpression the builder wrote, in the order they appear: the text between `AND`,
    /// `OR`, `NOT` and grouping parentheses (not those of a function call or IN list, nor BETWEEN's `AND`).
    fn leaves_of(expression: &str) -> Vec<String> {
        let mut leaves = vec![String::new()];
        // Per open parenthesis: whether it is part of a leaf.
        let mut parens: Vec<bool> = Vec::new();
        let (mut between, mut rest) = (false, expression);
        while let Some(c) = rest.chars().next() {
            let leaf = leaves.last_mut().expect("a leaf");
            let inside = parens.last() == Some(&true);
            let keyword = ["AND ", "OR ", "NOT "].into_iter().find(|k| rest.starts_with(k));
            match keyword {
                Some(keyword) if !inside && (leaf.is_empty() || leaf.ends_with(' ')) => {
                    rest = &rest[keyword.len()..];
                    if keyword == "AND " && between {
                        between = false;
                        leaf.push_str(keyword);
                    } else {
                        leaves.push(String::new());
                    }
                    continue;
                }
                _ => {}
            }
            rest = &rest[c.len_utf8()..];
            let keep = match c {
                '(' => {
                    let call = leaf.ends_with(|c: char| c.is_alphanumeric() || c == '_') || leaf.ends_with("IN ");
                    parens.push(inside || call);
                    inside || call
                }
                ')' => parens.pop() == Some(true),
                _ => true,
            };
            if keep {
                leaf.push(c);
                between |= leaf.ends_with(" BETWEEN");
            }
        }
        leaves.into_iter().map(|l| l.trim().to_owned()).filter(|l| !l.is_empty()).collect()
    }

    #[test]
    fn each_leaf_text_is_recorded_in_the_order_the_leaves_appear() {
        let (expression, out) = lowered(
            "a == 1 || !(b.contains(x) && c.between(lo, hi)) && !d.exists() \
             || e.len() > n && f.is_in([1, 2]) && (g.begins_with(\"p\") || h != #a) && i.exists()",
        );
        assert_eq!(
            expression,
            "#n0 = :v0 OR NOT (contains(#n1, :v1) AND #n2 BETWEEN :v2 AND :v3) AND attribute_not_exists(#n3) \
             OR size(#n4) > :v4 AND #n5 IN (:v5, :v6) AND (begins_with(#n6, :v7) OR #n7 <> #n0) AND attribute_exists(#n8)"
        );
        let expected = [
            ("#n0 = :v0", "a == 1"),
            ("contains(#n1, :v1)", "b.contains(x)"),
            ("#n2 BETWEEN :v2 AND :v3", "c.between(lo, hi)"),
            ("attribute_not_exists(#n3)", "!d.exists()"),
            ("size(#n4) > :v4", "e.len() > n"),
            ("#n5 IN (:v5, :v6)", "f.is_in([1, 2])"),
            ("begins_with(#n6, :v7)", "g.begins_with(\"p\")"),
            ("#n7 <> #n0", "h != #a"),
            ("attribute_exists(#n8)", "i.exists()"),
        ];
        let pairs: Vec<(String, &str)> =
            leaves_of(&expression).into_iter().zip(out.leaves.iter().map(String::as_str)).collect();
        let expected: Vec<(String, &str)> = expected.iter().map(|(leaf, text)| ((*leaf).to_owned(), *text)).collect();
        assert_eq!(pairs, expected);
        assert_eq!(out.leaves.len(), expected.len());
    }

    #[test]
    fn placeholders_record_what_they_stand_for_as_written() {
        let (expression, out) =
            lowered("address.city == city && scores[ & user ].len() >= order . qty*2 && version != #address.zip");
        assert_eq!(expression, "#n0.#n1 = :v0 AND size(#n2.#n3) >= :v1 AND #n4 <> #n0.#n5");
        let pairs =
            |pairs: &[(String, String)]| -> Vec<String> { pairs.iter().map(|(p, t)| format!("{p} {t}")).collect() };
        assert_eq!(
            pairs(&out.name_sources),
            ["#n0 address", "#n1 city", "#n2 scores", "#n3 [&user]", "#n4 version", "#n5 zip"]
        );
        assert_eq!(pairs(&out.value_sources), [":v0 city", ":v1 order.qty * 2"]);
        assert_eq!(
            out.leaves,
            ["address.city == city", "scores[&user].len() >= order.qty * 2", "version != #address.zip"]
        );
    }
}
