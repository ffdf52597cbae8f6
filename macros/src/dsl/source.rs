//! The user's conditions and values as text, for explanations of failed conditions: `stock >= qty`,
//! `tags.contains("red")`, `address.city == city`, `order.qty * 2`. Tokens are spaced the way rustfmt spaces
//! a simple expression, whatever spacing the user wrote.

use proc_macro2::{Delimiter, Spacing, TokenStream, TokenTree};
use quote::ToTokens;

use super::model::*;

/// The text of a leaf condition (a comparison, `exists()`, `begins_with`, `contains`, `between`, `is_in`), as
/// written; `None` for `&&`, `||` and `!` of a condition, which are not leaves.
pub(crate) fn clause(condition: &Condition) -> Option<String> {
    let method = |path: &Path, method: &str, args: &[&syn::Expr]| {
        let args: Vec<String> = args.iter().map(text).collect();
        format!("{}.{method}({})", path.text(), args.join(", "))
    };
    Some(match condition {
        Condition::Compare { left, op, right } => {
            let left = match left {
                Measure::Attribute(path) => path.text(),
                Measure::Len { path, .. } => format!("{}.len()", path.text()),
            };
            let right = match right {
                Operand::Value(expr) => text(expr),
                Operand::Attribute(path) => format!("#{}", path.text()),
            };
            format!("{left} {} {right}", op.kind.rust())
        }
        Condition::Exists { path, negated, .. } => {
            format!("{}{}.exists()", if *negated { "!" } else { "" }, path.text())
        }
        Condition::Flag { path, negated } => format!("{}{}", if *negated { "!" } else { "" }, path.text()),
        Condition::BeginsWith { path, value, .. } => method(path, "begins_with", &[value]),
        Condition::Contains { path, value, .. } => method(path, "contains", &[value]),
        Condition::Between { path, low, high, .. } => method(path, "between", &[low, high]),
        Condition::IsIn { path, values, .. } => {
            let values: Vec<String> = values.iter().map(text).collect();
            format!("{}.is_in([{}])", path.text(), values.join(", "))
        }
        Condition::And(..) | Condition::Or(..) | Condition::Not(..) => return None,
    })
}

/// Rust tokens as text.
pub(crate) fn text(tokens: &impl ToTokens) -> String {
    let atoms = atoms(tokens.to_token_stream());
    let mut out = String::new();
    for (i, atom) in atoms.iter().enumerate() {
        if i > 0 && spaced(&atoms, i) {
            out.push(' ');
        }
        match atom {
            Atom::Word(word) | Atom::Op(word) => out.push_str(word),
            Atom::Group(Delimiter::Parenthesis, inner) => out.push_str(&format!("({inner})")),
            Atom::Group(Delimiter::Bracket, inner) => out.push_str(&format!("[{inner}]")),
            Atom::Group(Delimiter::Brace, inner) if inner.is_empty() => out.push_str("{}"),
            Atom::Group(Delimiter::Brace, inner) => out.push_str(&format!("{{ {inner} }}")),
            Atom::Group(Delimiter::None, inner) => out.push_str(inner),
        }
    }
    out
}

/// A unit of spacing: an identifier or literal, an operator of one or more characters, or a group with its
/// contents already as text.
enum Atom {
    Word(String),
    Op(String),
    Group(Delimiter, String),
}

fn atoms(tokens: TokenStream) -> Vec<Atom> {
    let mut atoms = Vec::new();
    let mut joint = false;
    for token in tokens {
        let next_joint = matches!(&token, TokenTree::Punct(p) if p.spacing() == Spacing::Joint);
        match token {
            TokenTree::Punct(punct) => match atoms.last_mut() {
                Some(Atom::Op(op)) if joint => op.push(punct.as_char()),
                _ => atoms.push(Atom::Op(punct.as_char().to_string())),
            },
            TokenTree::Ident(ident) => atoms.push(Atom::Word(ident.to_string())),
            TokenTree::Literal(literal) => atoms.push(Atom::Word(literal.to_string())),
            TokenTree::Group(group) => atoms.push(Atom::Group(group.delimiter(), text(&group.stream()))),
        }
        joint = next_joint;
    }
    atoms
}

/// Whether a space goes between `atoms[i - 1]` and `atoms[i]`.
fn spaced(atoms: &[Atom], i: usize) -> bool {
    let (before, atom) = (&atoms[i - 1], &atoms[i]);
    let macro_bang = |at: usize| matches!(&atoms[at], Atom::Op(op) if op == "!") && at > 0 && is_word(&atoms[at - 1]);
    match atom {
        Atom::Op(op) if matches!(op.as_str(), "." | "," | ";" | ":" | "::" | "?" | ".." | "..=") => return false,
        Atom::Op(_) if macro_bang(i) => return false,
        Atom::Group(Delimiter::Parenthesis | Delimiter::Bracket, _)
            if is_word(before) || matches!(before, Atom::Group(..)) || macro_bang(i - 1) =>
        {
            return false;
        }
        _ => {}
    }
    match before {
        Atom::Op(op) if matches!(op.as_str(), "." | "::" | ".." | "..=" | "'") => false,
        Atom::Op(_) => !(macro_bang(i - 1) || unary(atoms, i - 1)),
        _ => true,
    }
}

fn is_word(atom: &Atom) -> bool {
    matches!(atom, Atom::Word(_))
}

/// Whether the operator `atoms[i]` is a prefix operator (`-x`, `!x`, `&x`, `*x`): it starts the expression or
/// follows another operator.
fn unary(atoms: &[Atom], i: usize) -> bool {
    let Atom::Op(op) = &atoms[i] else { return false };
    matches!(op.as_str(), "-" | "!" | "&" | "&&" | "*")
        && (i == 0 || matches!(&atoms[i - 1], Atom::Op(before) if before != "?"))
}

#[cfg(test)]
mod tests {
    fn expr(text: &str) -> String {
        let expr: syn::Expr = syn::parse_str(text).expect(text);
        super::text(&expr)
    }

    #[test]
    fn expressions_are_spaced_like_rustfmt() {
        let cases = [
            ("qty", "qty"),
            ("order . qty*2", "order.qty * 2"),
            ("- 1", "-1"),
            ("a - -1", "a - -1"),
            ("& name", "&name"),
            ("&mut x", "&mut x"),
            ("!flag", "!flag"),
            ("* boxed", "*boxed"),
            ("f( a,b )", "f(a, b)"),
            ("x.min( 3 )", "x.min(3)"),
            ("v [0] [1]", "v[0][1]"),
            ("vec! [1 ,2]", "vec![1, 2]"),
            ("format!(\"{}\", x)", "format!(\"{}\", x)"),
            ("u64 :: MAX", "u64::MAX"),
            ("i64::from( x ) as u64", "i64::from(x) as u64"),
            ("x?", "x?"),
            ("a..=b", "a..=b"),
            ("(a + b) * c", "(a + b) * c"),
            ("\"red\"", "\"red\""),
            ("Point { x: 1, y: 2 }", "Point { x: 1, y: 2 }"),
            ("a && !b || c >= d", "a && !b || c >= d"),
            ("[1, 2, 3]", "[1, 2, 3]"),
        ];
        for (written, expected) in cases {
            assert_eq!(expr(written), expected, "{written}");
        }
    }
}
