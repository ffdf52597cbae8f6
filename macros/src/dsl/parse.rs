//! Parsing `update!` / `condition!` input into the model. Input is split into chunks at top-level `;`, `,`,
//! `&&` and `||` first, so that one malformed chunk is reported and the others are still parsed and checked.

use proc_macro2::{Delimiter, Ident, Spacing, Span, TokenStream, TokenTree};
use quote::ToTokens;
use syn::parse::Parser;
use syn::spanned::Spanned;

use super::Kind;
use super::model::*;
use crate::diag::{Errors, error, nearest};

const UPDATE_METHODS: &[&str] = &["if_not_exists", "append", "prepend", "insert", "delete", "remove"];
const CONDITION_METHODS: &[&str] = &["exists", "begins_with", "contains", "between", "is_in", "len"];
const UPDATE_SYNTAX: &str = "write `update!(Type: field = value, counter += 1, ...; where condition)`";

/// The result of parsing: what could be read, and the leading paths of chunks that could not (so that
/// field probes can still be expanded for them).
pub(crate) struct Parsed {
    pub(crate) invocation: Invocation,
    pub(crate) unparsed_paths: Vec<Path>,
    /// The parts of a condition that failed to parse which did parse: they are still type-checked.
    pub(crate) salvaged: Vec<Condition>,
}

/// Parses a whole invocation; `None` when not even `Type:` could be read.
pub(crate) fn parse(input: TokenStream, kind: Kind, errors: &mut Errors) -> Option<Parsed> {
    let (item, colon, body) = errors.keep(header.parse2(input))?;
    let mut parsed = Parsed {
        invocation: Invocation { item, assignments: Vec::new(), condition: None },
        unparsed_paths: Vec::new(),
        salvaged: Vec::new(),
    };
    let mut parts = split(&body, is_punct(';'));
    match kind {
        Kind::Update | Kind::Upsert => {
            let assignments = parts.remove(0);
            parse_assignments(&assignments.tokens, colon, &mut parsed, errors);
            if let Some(clause) = parts.first() {
                parse_where(&clause.tokens, clause.separator, &mut parsed, errors);
            }
            for extra in parts.iter().skip(1) {
                let span = extra.separator.unwrap_or_else(Span::call_site);
                errors.at(span, "an update has one `;`, before its `where` condition", UPDATE_SYNTAX);
            }
        }
        Kind::Condition => {
            for extra in parts.iter().skip(1) {
                let span = extra.separator.unwrap_or_else(Span::call_site);
                errors.at(span, "unexpected `;` in a condition", "combine conditions with `&&` and `||`");
            }
            let tokens = &parts[0].tokens;
            if tokens.is_empty() {
                errors.at(
                    Span::call_site(),
                    "`condition!` needs a condition",
                    "write `condition!(Type: field == value)`",
                );
            } else {
                parse_condition_into(tokens, &mut parsed, errors);
            }
        }
    }
    Some(parsed)
}

/// `Type:` and the tokens after it.
fn header(input: syn::parse::ParseStream) -> syn::Result<(syn::Type, Span, Vec<TokenTree>)> {
    const HELP: &str = "start with the item type and a colon: `update!(Product: stock -= 1)`";
    let start = input.span();
    let item: syn::Type = input.parse().map_err(|_| error(start, "expected the item type first", HELP))?;
    let colon =
        input.parse::<syn::Token![:]>().map_err(|_| error(start, "expected the item type and `:` first", HELP))?;
    let body: TokenStream = input.parse()?;
    Ok((item, colon.span, body.into_iter().collect()))
}

/// A run of tokens between two separators, and the separator before it.
struct Chunk {
    tokens: Vec<TokenTree>,
    separator: Option<Span>,
}

impl Chunk {}

/// Splits tokens at the top-level separators that `at` recognises (and says how many tokens each is).
fn split(tokens: &[TokenTree], at: impl Fn(&[TokenTree]) -> usize) -> Vec<Chunk> {
    let mut chunks = vec![Chunk { tokens: Vec::new(), separator: None }];
    let mut i = 0;
    while i < tokens.len() {
        let width = at(&tokens[i..]);
        if width > 0 {
            chunks.push(Chunk { tokens: Vec::new(), separator: Some(tokens[i].span()) });
            i += width;
        } else {
            if let Some(chunk) = chunks.last_mut() {
                chunk.tokens.push(tokens[i].clone());
            }
            i += 1;
        }
    }
    chunks
}

/// A one-character separator such as `;` or `,`.
fn is_punct(ch: char) -> impl Fn(&[TokenTree]) -> usize {
    move |tokens| usize::from(matches!(tokens.first(), Some(TokenTree::Punct(p)) if p.as_char() == ch))
}

/// A two-character operator such as `&&` or `||`.
fn is_double(ch: char) -> impl Fn(&[TokenTree]) -> usize {
    move |tokens| match tokens {
        [TokenTree::Punct(a), TokenTree::Punct(b), ..]
            if a.as_char() == ch && a.spacing() == Spacing::Joint && b.as_char() == ch =>
        {
            2
        }
        _ => 0,
    }
}

fn punct_at(tokens: &[TokenTree], i: usize) -> Option<(char, Spacing, Span)> {
    match tokens.get(i) {
        Some(TokenTree::Punct(p)) => Some((p.as_char(), p.spacing(), p.span())),
        _ => None,
    }
}

fn stream(tokens: &[TokenTree]) -> TokenStream {
    tokens.iter().cloned().collect()
}

/// Parses a Rust expression in a value position.
fn expression(tokens: &[TokenTree], after: Span, what: &str) -> syn::Result<syn::Expr> {
    if tokens.is_empty() {
        return Err(error(
            after,
            format_args!("expected {what}"),
            "write a Rust expression, or `#field` for a stored attribute",
        ));
    }
    let parser = |input: syn::parse::ParseStream| {
        let expr: syn::Expr = input.parse()?;
        if !input.is_empty() {
            return Err(error(
                input.span(),
                "unexpected token after the value",
                "separate assignments with `,` and conditions with `&&` or `||`; parenthesise a value that contains them",
            ));
        }
        Ok(expr)
    };
    parser.parse2(stream(tokens))
}

fn parse_assignments(tokens: &[TokenTree], colon: Span, parsed: &mut Parsed, errors: &mut Errors) {
    let mut chunks = split(tokens, is_punct(','));
    if chunks.len() > 1 && chunks.last().is_some_and(|c| c.tokens.is_empty()) {
        chunks.pop(); // a trailing comma
    }
    if chunks.iter().all(|c| c.tokens.is_empty()) {
        errors.at(
            colon,
            "`update!` needs at least one assignment",
            "write `field = value`, `counter += 1` or `field.remove()` after the type",
        );
        return;
    }
    for chunk in chunks {
        let after = chunk.separator.unwrap_or(colon);
        if chunk.tokens.is_empty() {
            errors.at(after, "expected an assignment between these commas", "remove the extra comma");
            continue;
        }
        let mut tokens = chunk.tokens.as_slice();
        if let Some(at) = tokens.iter().position(|t| matches!(t, TokenTree::Ident(i) if i == "where")) {
            errors.at(
                tokens[at].span(),
                "`where` must follow a `;`",
                "separate the condition: `update!(Type: assignments; where condition)`",
            );
            tokens = &tokens[..at];
        }
        match assignment(tokens) {
            Ok(assignment) => parsed.invocation.assignments.push(assignment),
            Err(e) => {
                errors.push(e);
                parsed.unparsed_paths.extend(leading_path(tokens));
            }
        }
    }
}

fn parse_where(tokens: &[TokenTree], separator: Option<Span>, parsed: &mut Parsed, errors: &mut Errors) {
    let semicolon = separator.unwrap_or_else(Span::call_site);
    match tokens.split_first() {
        None => errors.at(semicolon, "nothing follows this `;`", "add `where condition`, or remove the `;`"),
        Some((TokenTree::Ident(keyword), rest)) if keyword == "where" => {
            if rest.is_empty() {
                errors.at(
                    keyword.span(),
                    "`where` needs a condition after it",
                    "write `where field >= value`, or remove `; where`",
                );
            } else {
                parse_condition_into(rest, parsed, errors);
            }
        }
        Some((first, _)) => errors.at(first.span(), "expected `where` after `;`", "write `; where condition`"),
    }
}

fn parse_condition_into(tokens: &[TokenTree], parsed: &mut Parsed, errors: &mut Errors) {
    match condition(tokens, &mut parsed.salvaged) {
        Ok(condition) => parsed.invocation.condition = Some(condition),
        Err(e) => {
            errors.push(e);
            collect_condition_paths(tokens, &mut parsed.unparsed_paths);
        }
    }
}

/// `cond := and ('||' and)*`. Parts that parse are kept in `salvage` when another part does not.
fn condition(tokens: &[TokenTree], salvage: &mut Vec<Condition>) -> syn::Result<Condition> {
    fold(tokens, is_double('|'), "||", conjunction, Condition::Or, salvage)
}

/// `and := unary ('&&' unary)*`
fn conjunction(tokens: &[TokenTree], salvage: &mut Vec<Condition>) -> syn::Result<Condition> {
    fold(tokens, is_double('&'), "&&", unary, Condition::And, salvage)
}

/// A parser of one operand of `&&` or `||`.
type OperandParser = fn(&[TokenTree], &mut Vec<Condition>) -> syn::Result<Condition>;

fn fold(
    tokens: &[TokenTree],
    at: impl Fn(&[TokenTree]) -> usize,
    symbol: &str,
    operand: OperandParser,
    join: fn(Box<Condition>, Box<Condition>) -> Condition,
    salvage: &mut Vec<Condition>,
) -> syn::Result<Condition> {
    let mut parts = Vec::new();
    let mut failure = Errors::default();
    for chunk in split(tokens, at) {
        if chunk.tokens.is_empty() {
            let span = chunk.separator.unwrap_or_else(Span::call_site);
            failure.at(
                span,
                format_args!("expected a condition next to `{symbol}`"),
                "write a condition on both sides",
            );
            continue;
        }
        match operand(&chunk.tokens, salvage) {
            Ok(part) => parts.push(part),
            Err(e) => failure.push(e),
        }
    }
    if let Some(e) = failure.into_error() {
        salvage.extend(parts);
        return Err(e);
    }
    let mut parts = parts.into_iter();
    let first =
        parts.next().ok_or_else(|| error(Span::call_site(), "expected a condition", "write `field == value`"))?;
    Ok(parts.fold(first, |left, right| join(Box::new(left), Box::new(right))))
}

/// `unary := '!' unary | '(' cond ')' | primary`
fn unary(tokens: &[TokenTree], salvage: &mut Vec<Condition>) -> syn::Result<Condition> {
    match tokens {
        [TokenTree::Punct(bang), rest @ ..] if bang.as_char() == '!' => {
            if rest.is_empty() {
                return Err(error(
                    bang.span(),
                    "expected a condition after `!`",
                    "write `!field.exists()` or `!(condition)`",
                ));
            }
            Ok(match unary(rest, salvage)? {
                Condition::Exists { path, method, negated } => Condition::Exists { path, method, negated: !negated },
                Condition::Flag { path, negated } => Condition::Flag { path, negated: !negated },
                other => Condition::Not(Box::new(other)),
            })
        }
        [TokenTree::Group(group)] if group.delimiter() == Delimiter::Parenthesis => {
            let inner: Vec<TokenTree> = group.stream().into_iter().collect();
            if inner.is_empty() {
                return Err(error(group.span(), "empty parentheses", "put a condition inside them"));
            }
            condition(&inner, salvage)
        }
        _ => primary(tokens),
    }
}

/// A comparison, a condition method on a path, or a bool attribute standing alone.
fn primary(tokens: &[TokenTree]) -> syn::Result<Condition> {
    let (path, rest) = path(tokens)?;
    if rest.is_empty() {
        return Ok(Condition::Flag { path, negated: false });
    }
    if let Some((method, args, rest)) = method_call(rest, CONDITION_METHODS, "condition")? {
        if method == "len" {
            no_arguments(&method, &args)?;
            let measure = Measure::Len { path, method };
            return comparison(measure, rest, tokens);
        }
        expect_end(rest, "after this condition")?;
        let one = |args: Vec<syn::Expr>| exactly::<1>(&method, args).map(|[v]| v);
        return Ok(match method.to_string().as_str() {
            "exists" => {
                no_arguments(&method, &args)?;
                Condition::Exists { path, method, negated: false }
            }
            "begins_with" => Condition::BeginsWith { value: one(args)?, path, method },
            "contains" => Condition::Contains { value: one(args)?, path, method },
            "between" => {
                let [low, high] = exactly::<2>(&method, args)?;
                Condition::Between { path, method, low, high }
            }
            _ => {
                let list = one(args)?;
                let syn::Expr::Array(array) = list else {
                    return Err(syn::Error::new_spanned(
                        list,
                        "`is_in` takes an array literal\n\nhelp: write `field.is_in([a, b, c])`",
                    ));
                };
                Condition::IsIn { values: array.elems.into_iter().collect(), path, method }
            }
        });
    }
    comparison(Measure::Attribute(path), rest, tokens)
}

/// `measure cmp operand`
fn comparison(left: Measure, rest: &[TokenTree], whole: &[TokenTree]) -> syn::Result<Condition> {
    let (op, width) = comparator(rest).ok_or_else(|| match rest.first() {
        Some(token) => error(token.span(), "expected a comparison operator", "compare with `==`, `!=`, `<`, `<=`, `>` or `>=`"),
        None => syn::Error::new_spanned(
            stream(whole),
            "expected a condition\n\nhelp: compare the attribute (`field == value`) or call a condition method: `exists()`, `begins_with(v)`, `contains(v)`, `between(lo, hi)`, `is_in([..])`",
        ),
    })?;
    let right = operand(&rest[width..], op.span, "a value to compare with")?;
    Ok(Condition::Compare { left, op, right })
}

/// The comparison operator at the start of `tokens`, and how many tokens it takes.
fn comparator(tokens: &[TokenTree]) -> Option<(Comparison, usize)> {
    let (first, spacing, span) = punct_at(tokens, 0)?;
    let second = punct_at(tokens, 1).filter(|_| spacing == Spacing::Joint).map(|(c, ..)| c);
    let (kind, width) = match (first, second) {
        ('=', Some('=')) => (ComparisonKind::Eq, 2),
        ('!', Some('=')) => (ComparisonKind::Ne, 2),
        ('<', Some('=')) => (ComparisonKind::Le, 2),
        ('>', Some('=')) => (ComparisonKind::Ge, 2),
        ('<', _) => (ComparisonKind::Lt, 1),
        ('>', _) => (ComparisonKind::Gt, 1),
        _ => return None,
    };
    Some((Comparison { kind, span }, width))
}

/// A value position: `#path`, or a Rust expression.
fn operand(tokens: &[TokenTree], after: Span, what: &str) -> syn::Result<Operand> {
    match tokens {
        [TokenTree::Punct(hash), rest @ ..] if hash.as_char() == '#' => {
            let (path, rest) = path(rest).map_err(|_| {
                error(hash.span(), "expected an attribute path after `#`", "write `#field` to read a stored attribute")
            })?;
            expect_end(rest, "after this attribute")?;
            Ok(Operand::Attribute(path))
        }
        _ => expression(tokens, after, what).map(Operand::Value),
    }
}

/// One assignment: `path = v`, `path += v`, `path -= v` or `path.method(args)`.
fn assignment(tokens: &[TokenTree]) -> syn::Result<Assignment> {
    if let [TokenTree::Punct(hash), ..] = tokens
        && hash.as_char() == '#'
    {
        return Err(error(
            hash.span(),
            "the target of an assignment is written without `#`",
            "`#field` reads a stored attribute on the right-hand side; write `field = value`",
        ));
    }
    let (target, rest) = path(tokens)?;
    if let Some((method, args, rest)) = method_call(rest, UPDATE_METHODS, "update")? {
        expect_end(rest, "after this assignment")?;
        let one = |args| exactly::<1>(&method, args).map(|[v]| v);
        let action = match method.to_string().as_str() {
            "if_not_exists" => Action::IfNotExists(one(args)?),
            "append" | "prepend" => Action::Append { at_start: method == "prepend", value: one(args)?, method },
            "insert" | "delete" => Action::SetElements { add: method == "insert", value: one(args)?, method },
            _ => {
                no_arguments(&method, &args)?;
                Action::Remove(method)
            }
        };
        return Ok(Assignment { target, action });
    }
    let action = match rest {
        [TokenTree::Punct(op), TokenTree::Punct(eq), value @ ..]
            if matches!(op.as_char(), '+' | '-') && op.spacing() == Spacing::Joint && eq.as_char() == '=' =>
        {
            let arithmetic = Arithmetic { plus: op.as_char() == '+', span: op.span() };
            Action::Counter { op: arithmetic, value: expression(value, eq.span(), "a value after the operator")? }
        }
        [TokenTree::Punct(eq), TokenTree::Punct(next), ..] if eq.as_char() == '=' && eq.spacing() == Spacing::Joint => {
            return Err(match next.as_char() {
                '+' => syn::Error::new_spanned(
                    stream(&rest[..2]),
                    "`=+` is not an operator\n\nhelp: to add, write `+=`; to set, write `= value`",
                ),
                '=' => syn::Error::new_spanned(
                    stream(&rest[..2]),
                    "`==` compares; an assignment sets with `=`\n\nhelp: write `field = value`, or move the comparison after `; where`",
                ),
                _ => return set_action(&rest[1..], eq.span()).map(|action| Assignment { target, action }),
            });
        }
        [TokenTree::Punct(eq), value @ ..] if eq.as_char() == '=' => set_action(value, eq.span())?,
        [] => {
            return Err(error(
                target.span(),
                "expected an assignment after this attribute",
                "write `= value`, `+= value`, `-= value` or a method such as `.remove()`",
            ));
        }
        [token, ..] => {
            return Err(error(token.span(), "expected `=`, `+=`, `-=` or a method call", UPDATE_SYNTAX));
        }
    };
    Ok(Assignment { target, action })
}

/// The right-hand side of `=`: a value, `#path`, or an addition or subtraction with a `#path`.
fn set_action(tokens: &[TokenTree], eq: Span) -> syn::Result<Action> {
    let is_hash = |t: &TokenTree| matches!(t, TokenTree::Punct(p) if p.as_char() == '#');
    let Some(hash) = tokens.iter().position(is_hash) else {
        return expression(tokens, eq, "a value after `=`").map(|v| Action::Set(Operand::Value(v)));
    };
    let arithmetic_at = |i: usize| match punct_at(tokens, i) {
        Some((c @ ('+' | '-'), Spacing::Alone, span)) => Some(Arithmetic { plus: c == '+', span }),
        _ => None,
    };
    if hash == 0 {
        let (_, rest) = path(&tokens[1..])?;
        let consumed = tokens.len() - rest.len();
        if rest.is_empty() {
            return operand(tokens, eq, "a value").map(Action::Set);
        }
        let op = arithmetic_at(consumed).ok_or_else(|| {
            error(rest[0].span(), "expected `+` or `-` after the attribute", "write `field = #other + value`")
        })?;
        let left = operand(&tokens[..consumed], eq, "a value")?;
        let right = operand(&tokens[consumed + 1..], op.span, "a value after the operator")?;
        return Ok(Action::SetArithmetic { left, op, right });
    }
    let op = hash.checked_sub(1).and_then(arithmetic_at).ok_or_else(|| {
        error(
            tokens[hash].span(),
            "`#attribute` must stand alone or after `+` / `-`",
            "write `field = #other`, `#other + value` or `value - #other`",
        )
    })?;
    let left = operand(&tokens[..hash - 1], eq, "a value before the operator")?;
    let right = operand(&tokens[hash..], op.span, "an attribute after the operator")?;
    Ok(Action::SetArithmetic { left, op, right })
}

/// Reads a path from the start of `tokens`; returns it and the tokens after it. A `.name(` is a method
/// call, not a segment, and ends the path.
fn path(tokens: &[TokenTree]) -> syn::Result<(Path, &[TokenTree])> {
    let first = match tokens.first() {
        Some(TokenTree::Ident(ident)) if ident != "where" => ident.clone(),
        Some(other) => {
            return Err(error(
                other.span(),
                "expected an attribute name",
                "start with a field of the item, such as `stock` or `address.city`",
            ));
        }
        None => return Err(error(Span::call_site(), "expected an attribute name", "start with a field of the item")),
    };
    let mut segments = vec![Segment::Field(field_name(&first)?)];
    let mut rest = &tokens[1..];
    loop {
        match rest {
            [TokenTree::Punct(dot), TokenTree::Ident(name), after @ ..] if dot.as_char() == '.' => {
                if matches!(after.first(), Some(TokenTree::Group(g)) if g.delimiter() == Delimiter::Parenthesis) {
                    break;
                }
                segments.push(Segment::Field(field_name(name)?));
                rest = after;
            }
            [TokenTree::Punct(dot), TokenTree::Literal(index), ..] if dot.as_char() == '.' => {
                return Err(error(
                    index.span(),
                    "a list element is written with brackets",
                    format_args!("write `[{index}]`"),
                ));
            }
            [TokenTree::Group(group), after @ ..] if group.delimiter() == Delimiter::Bracket => {
                segments.push(bracket_segment(group)?);
                rest = after;
            }
            _ => break,
        }
    }
    Ok((Path { segments }, rest))
}

/// A field name of a path; a keyword is refused, as the field access the checks are made of would not parse.
fn field_name(ident: &Ident) -> syn::Result<Ident> {
    if syn::parse2::<Ident>(ident.to_token_stream()).is_ok() {
        return Ok(ident.clone());
    }
    let help = match ident.to_string().as_str() {
        "self" | "Self" | "super" | "crate" | "_" => "start with a field of the item, such as `stock`".to_owned(),
        keyword => format!("a field named `{keyword}` is written as a raw identifier: `r#{keyword}`"),
    };
    Err(error(ident.span(), format_args!("expected an attribute name, found `{ident}`"), help))
}

/// `[3]` is a list element; `[expr]` a map entry.
fn bracket_segment(group: &proc_macro2::Group) -> syn::Result<Segment> {
    let span = group.span();
    if group.stream().is_empty() {
        return Err(error(span, "empty brackets", "write a list index such as `[0]`, or a map key such as `[key]`"));
    }
    let expr: syn::Expr = syn::parse2(group.stream())?;
    match &expr {
        syn::Expr::Lit(syn::ExprLit { lit: syn::Lit::Int(int), .. }) => int
            .base10_parse::<u32>()
            .map(|i| Segment::Index(i, int.span()))
            .map_err(|_| error(int.span(), "a list index must fit in a u32", "use a smaller index")),
        syn::Expr::Unary(syn::ExprUnary { op: syn::UnOp::Neg(_), expr: operand, .. })
            if matches!(&**operand, syn::Expr::Lit(syn::ExprLit { lit: syn::Lit::Int(_), .. })) =>
        {
            Err(syn::Error::new_spanned(
                &expr,
                "a list index is a non-negative integer literal\n\nhelp: write an index such as `[0]`; a map key is a string expression such as `[key]`",
            ))
        }
        _ => Ok(Segment::Key(expr)),
    }
}

/// A `.method(args)` at the start of `tokens`, if there is one; an unknown method is an error.
/// A method call: its name, its arguments, and the tokens after it.
type MethodCall<'t> = (Ident, Vec<syn::Expr>, &'t [TokenTree]);

fn method_call<'t>(tokens: &'t [TokenTree], known: &[&str], context: &str) -> syn::Result<Option<MethodCall<'t>>> {
    let [TokenTree::Punct(dot), TokenTree::Ident(name), TokenTree::Group(args), rest @ ..] = tokens else {
        return Ok(None);
    };
    if dot.as_char() != '.' || args.delimiter() != Delimiter::Parenthesis {
        return Ok(None);
    }
    let text = name.to_string();
    if !known.contains(&text.as_str()) {
        let other = if context == "update" { CONDITION_METHODS } else { UPDATE_METHODS };
        let help = if other.contains(&text.as_str()) {
            let place =
                if context == "update" { "in a condition, after `; where`" } else { "in an assignment of `update!`" };
            format!("`{text}` belongs {place}")
        } else if let Some(close) = nearest(&text, known) {
            format!("did you mean `{close}`?")
        } else {
            format!(
                "the {context} methods are {}",
                known.iter().map(|m| format!("`{m}`")).collect::<Vec<_>>().join(", ")
            )
        };
        return Err(error(name.span(), format_args!("unknown {context} method `{text}`"), help));
    }
    let parser = syn::punctuated::Punctuated::<syn::Expr, syn::Token![,]>::parse_terminated;
    let args = parser.parse2(args.stream())?.into_iter().collect();
    Ok(Some((name.clone(), args, rest)))
}

fn no_arguments(method: &Ident, args: &[syn::Expr]) -> syn::Result<()> {
    match args.first() {
        Some(arg) => {
            Err(error(arg.span(), format_args!("`{method}()` takes no arguments"), format_args!("write `{method}()`")))
        }
        None => Ok(()),
    }
}

fn exactly<const N: usize>(method: &Ident, args: Vec<syn::Expr>) -> syn::Result<[syn::Expr; N]> {
    let count = args.len();
    args.try_into().map_err(|_| {
        let plural = if N == 1 { "" } else { "s" };
        error(
            method.span(),
            format_args!("`{method}` takes {N} argument{plural}, not {count}"),
            format_args!("pass {N} value{plural}"),
        )
    })
}

fn expect_end(rest: &[TokenTree], place: &str) -> syn::Result<()> {
    match rest.first() {
        Some(token) => Err(error(
            token.span(),
            format_args!("unexpected tokens {place}"),
            "separate assignments with `,` and conditions with `&&` or `||`",
        )),
        None => Ok(()),
    }
}

/// The path an unparsable assignment starts with, for field probes.
fn leading_path(tokens: &[TokenTree]) -> Option<Path> {
    path(tokens).ok().map(|(path, _)| path)
}

/// The paths each part of an unparsable condition starts with, for field probes.
fn collect_condition_paths(tokens: &[TokenTree], out: &mut Vec<Path>) {
    for chunk in split(tokens, |t| is_double('|')(t).max(is_double('&')(t))) {
        let mut tokens = chunk.tokens.as_slice();
        while let [TokenTree::Punct(bang), rest @ ..] = tokens {
            if bang.as_char() != '!' {
                break;
            }
            tokens = rest;
        }
        match tokens {
            [TokenTree::Group(group)] if group.delimiter() == Delimiter::Parenthesis => {
                let inner: Vec<TokenTree> = group.stream().into_iter().collect();
                collect_condition_paths(&inner, out);
            }
            _ => out.extend(leading_path(tokens)),
        }
        // `a > #b`: the attribute on the right is a field too.
        for (i, token) in tokens.iter().enumerate() {
            if matches!(token, TokenTree::Punct(p) if p.as_char() == '#') {
                out.extend(leading_path(&tokens[i + 1..]));
            }
        }
    }
}

impl ToTokens for Path {
    fn to_tokens(&self, tokens: &mut TokenStream) {
        for (i, segment) in self.segments.iter().enumerate() {
            match segment {
                Segment::Field(ident) if i == 0 => ident.to_tokens(tokens),
                Segment::Field(ident) => tokens.extend(quote::quote!(.#ident)),
                Segment::Index(index, span) => {
                    let lit = proc_macro2::Literal::u32_unsuffixed(*index);
                    tokens.extend(quote::quote_spanned!(*span=> [#lit]));
                }
                Segment::Key(expr) => tokens.extend(quote::quote!([#expr])),
            }
        }
    }
}
