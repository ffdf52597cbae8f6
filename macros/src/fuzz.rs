//! The macros never panic: a property-based harness over the expansion cores of `update!`, `upsert!`,
//! `condition!`, `#[derive(Item)]` and `#[derive(Value)]`, run on `proc_macro2` token streams outside a
//! proc-macro context (proc_macro2's fallback implementation).
//!
//! An input is either a valid invocation from a corpus of seeds ([`UPDATES`], [`UPSERTS`], [`CONDITIONS`],
//! [`ITEMS`], [`VALUES`], after the README and `ui-tests/tests/pass/`) with 1 to 4 [`Mutation`]s of its
//! flattened token list (delete, duplicate, swap, insert or replace with a piece of [`POOL`], change a group's
//! delimiter, make an identifier raw), all inside one group at any depth (3 in 4) or anywhere; or (1 in 5)
//! random token trees, at most 4 groups deep, in the holes of a template. Each input is expanded inside
//! `catch_unwind`: a panic fails the test with the input and the panic message, once proptest has shrunk
//! it. One output in four must also parse as what the compiler reads it as, an expression for the DSL and
//! items for the derives (parsing costs twice what expanding does). Compile errors are expected output:
//! most mutated inputs are invalid.
//!
//! Every input is one the compiler could hand the macro: groups are balanced (a stray closing delimiter is
//! dropped, an unclosed group is closed at the end) and a punctuation is joint only before another one (or a
//! lifetime's quote before its name), as rustc's lexer makes them; only `Delimiter::None` groups and negative
//! literals need another macro to write them. The derives expand only inputs that parse as a
//! `syn::DeriveInput`, as in `lib.rs`, since the compiler derives on nothing else; at least one in four must.
//!
//! Run it with `cargo test -p dynatomic-macros fuzz`. Each test has a fixed seed ([`Target::seed`]), so
//! every run tries the same inputs: 100,000 in all, [`Target::cases`] per test. `PROPTEST_RNG_SEED=<u64>`
//! replaces every test's seed to explore other inputs, and `DYNATOMIC_FUZZ_FACTOR=<n>` runs n times as many
//! cases. A panic found here is fixed in the macro, and its input becomes a trybuild case under
//! `ui-tests/tests/` (`fail/` when the input is wrong, `pass/` when it is right).

use std::cell::Cell;
use std::ops::Range;
use std::panic::{AssertUnwindSafe, catch_unwind};

use proc_macro2::{Delimiter, Group, Literal, Spacing, TokenStream, TokenTree};
use proptest::collection::vec;
use proptest::prelude::*;
use proptest::sample::Index;
use proptest::test_runner::{Config, RngAlgorithm, RngSeed, TestCaseError, TestRunner};

use crate::dsl::Kind;

/// Assignments of `update!`, every form the README documents.
const UPDATES: &[&str] = &[
    "Product: stock -= qty, reserved += qty; where stock >= qty",
    "Product: stock = 5, price = price, active = true, note = \"new\", tags = [\"a\", \"b\"]",
    "Product: note = &label, address = whole, labels = vec![\"a\"], scores = HashMap::from([(\"k\".to_owned(), 1_i64)])",
    "Product: stock -= qty, reserved += qty, hits += 1, price -= 0.5,",
    "Product: price = #price + 1.5, reserved = #stock - 1, stock = 10 - #reserved",
    "Product: stock = #reserved, hits = #hits + #version",
    "Product: note.if_not_exists(\"first\"), tags.append(&more), address.city.if_not_exists(\"Oslo\")",
    "Product: tags.prepend([\"z\"]), history.append(vec![vec![1]])",
    "Product: labels.insert([\"sale\", \"new\"]), counts.delete(&gone)",
    "Product: note.remove(), scores[user].remove(), tags[3].remove(), address.zip.remove()",
    "Product: labels.delete([\"old\"]), note.remove(), stock -= 1, hits.if_not_exists(0); where stock > 0",
    "Product: address.city = \"Oslo\", address.geo.lat += 0.5, address.geo.lon = #address.geo.lat",
    "Product: tags[0] = \"first\", history[2][1] += 1, places[1].city = \"Bergen\", places[0].zip.remove()",
    "Product: scores[&user] += 1, scores[other] = #scores[user.as_str()], scores[format!(\"u-{}\", 7)].remove()",
    "Product: scores[\"alice\"] += 1; where scores[\"alice\"].exists()",
    "Product: version += 1; where version == 3",
    "models::Product: stock -= 1, price.amount = 100; where stock > 0",
    "crate::models::billing::Invoice: lines[0].children[1].sku = \"x\"",
    "Account: balance -= amount, status = Status::Paid; where balance >= amount && status == Status::Pending && expires_at > now",
    "Product: stock -= qty, reserved += qty; where stock >= qty && (note.exists() || !active.exists())",
    "Product: note.remove(); where !(price.between(1.0, 2.0) && note.begins_with(\"x\"))",
    "Order: prefs = value.clone(), extra.remove(); where prefs == &value && extra.exists()",
    "Account: balance -= 5; where active && balance >= 5",
    "Order: created_at = now, expires_at = later; where created_at < cutoff && status.is_in([Status::Pending, Status::Paid])",
    "Product: stock = (order.qty * 2), note = if x { Some(\"a\".into()) } else { None }; where tags.len() > 2 || !frozen",
    "<Product as Trait>::Assoc: r#type = 1, stock = u64::MAX as i64; where r#type != #stock && tags.contains(\"a\")",
];

/// `upsert!` invocations; [`UPDATES`] are upserts too.
const UPSERTS: &[&str] = &[
    "Account: balance += 10, active = true, frozen = false",
    "Account: balance = 0, active.if_not_exists(true), frozen = false, logins += 1; where !frozen",
    "Counter: hits += 1",
    "Counter: hits = #hits + 1, label.if_not_exists(String::new()); where !hits.exists() || hits < 10",
];

/// `condition!` invocations: every condition form, and how `&&`, `||`, `!` and parentheses combine.
const CONDITIONS: &[&str] = &[
    "Product: stock == 1 && stock != 2 && price < 3.0 && price <= 4.0 && hits > 5 && hits >= 6",
    "Product: stock >= #reserved && pk == \"p-1\" && sk < #pk && active != false && version == #hits",
    "Product: note.exists() && !address.zip.exists()",
    "Product: !!note.exists()",
    "Product: note.begins_with(\"ab\") && pk.begins_with(String::from(\"p-\"))",
    "Product: tags.contains(\"a\") && labels.contains(\"b\") && note.contains('c')",
    "Product: price.between(low, high) && address.city.between(\"A\", \"M\")",
    "Product: stock.is_in([1, 2, 3]) || note.is_in([\"x\"])",
    "Product: tags.len() > 2 && labels.len() <= #stock && scores.len() == 0 && note.len() < 10",
    "Product: stock > 0 || hits > 1 && active == true",
    "Product: (stock > 0 || hits > 1) && active == true",
    "Product: stock > 0 && hits > 1 || active == true",
    "Product: (stock > 0 && hits > 1) || (active == true)",
    "Product: !(stock > 0 || hits > 1) && !(active == true)",
    "Product: !(!note.exists() || tags.contains(\"a\"))",
    "Product: ((stock > 0))",
    "Product: scores[key].exists() && tags[0] == \"x\" && scores[&user].len() >= order.qty * 2",
    "Product: address.city == #tags[0] && stock <= #scores[other] || note == #address.city",
    "Invoice: !paid.exists() || paid == false",
    "Account: active && !frozen",
    "Account: created_at < cutoff && status.is_in([Status::Pending, Status::Paid])",
    "crate::Order: status == Status::Pending && prefs != value && expires_at > now",
];

/// `#[derive(Item)]` inputs: every attribute, nested and generic types, `Self`, and the shapes it refuses.
const ITEMS: &[&str] = &[
    "#[dynatomic(table = \"products\")]
     struct Product {
         #[dynatomic(partition_key)] pk: String,
         #[dynatomic(sort_key)] sk: String,
         stock: i64,
         price: f64,
         active: bool,
         tags: Vec<String>,
         labels: HashSet<String>,
         scores: HashMap<String, i64>,
         address: Address,
         note: Option<String>,
         #[dynatomic(default)] views: u64,
         #[dynatomic(rename = \"ver\")] revision: u64,
         #[dynatomic(version)] version: u64,
     }",
    "struct Address { city: String, zip: Option<String> }",
    "#[derive(Debug)]
     #[dynatomic(table = \"accounts\", rename_all = \"camelCase\")]
     pub struct Account {
         #[dynatomic(partition_key)] pub id: Uuid,
         pub status: Status,
         pub balance: Decimal,
         pub created_at: DateTime<Utc>,
         pub last_login: Option<std::time::SystemTime>,
         #[dynatomic(ttl)] pub expires_at: DateTime<Utc>,
         #[dynatomic(serde)] pub preferences: Preferences,
     }",
    "struct Counter { #[dynatomic(partition_key)] page: String, hits: u64, #[dynatomic(default)] label: String }",
    "pub struct Line { pub sku: String, pub children: Vec<Self>, parent: Option<Box<Self>> }",
    "struct Node {
         #[dynatomic(partition_key, rename = \"id\")] node_id: u64,
         children: Vec<Self>,
         index: std::collections::BTreeMap<String, Self>,
         total: super::Money,
         lines: Vec<self::Line>,
     }",
    "/// An event.
     #[serde(rename_all = \"camelCase\")]
     #[dynatomic(table = \"t.x-1\")]
     #[dynatomic(rename_all = \"SCREAMING-KEBAB-CASE\")]
     pub(crate) struct Event {
         #[serde(skip)]
         #[dynatomic(partition_key)]
         pub pk: String,
         #[dynatomic(sort_key)] at: jiff::Timestamp,
         #[dynatomic(version)] pub version: u32,
         #[dynatomic(ttl)] expires: Option<time::OffsetDateTime>,
         #[dynatomic(serde)] extra: Option<Extra>,
         #[dynatomic(default, rename = \"n\")] r#type: [u8; 4],
         tuple: (u8, Bytes),
     }",
    "struct Product<'a, T, const N: usize> where T: Clone { #[dynatomic(partition_key)] pk: &'a str, tags: [T; N] }",
    "enum NotAStruct { A, B(u8) }",
    "struct Tuple(#[dynatomic(partition_key)] String, u64);",
];

/// `#[derive(Value)]` inputs: unit enums with `rename` and `rename_all`, and the shapes it refuses.
const VALUES: &[&str] = &[
    "#[dynatomic(rename_all = \"snake_case\")] enum Status { Pending, Paid, #[dynatomic(rename = \"sent\")] Shipped }",
    "#[derive(Debug, Clone, Copy, PartialEq)] pub enum Color { Red, Green, Blue }",
    "#[dynatomic(rename_all = \"kebab-case\")] pub(crate) enum Phase { FirstStep, SecondStep = 2, r#Final }",
    "enum Level { #[dynatomic(rename = \"lo\")] Low, #[dynatomic(rename = \"hi\")] High, Über }",
    "#[dynatomic(rename_all = \"SCREAMING_SNAKE_CASE\")] #[repr(u8)] enum Priority { /// Lowest.
     Low = 1, High }",
    "enum Shape { Circle(f64), Square { side: f64 } }",
    "enum Generic<T> { A, B }",
    "struct NotAnEnum { a: u8 }",
];

/// Templates of the DSL macros for random token trees, which replace [`HOLE`].
const DSL_TEMPLATES: &[&str] = &[
    "__HOLE__",
    "Product: __HOLE__",
    "Product: stock = __HOLE__",
    "Product: stock -= qty; where __HOLE__",
    "Product: tags.append(__HOLE__), scores[__HOLE__] += 1",
    "__HOLE__: stock = 1; where stock.between(__HOLE__)",
    "Product: stock > 0 && (__HOLE__) || stock.is_in([__HOLE__])",
];

/// Templates of `#[derive(Item)]` for random token trees.
const ITEM_TEMPLATES: &[&str] = &[
    "__HOLE__",
    "struct S { __HOLE__ }",
    "#[dynatomic(__HOLE__)] struct S { #[dynatomic(partition_key)] id: String }",
    "struct S { #[dynatomic(__HOLE__)] id: String, n: u64 }",
    "struct S { #[dynatomic(partition_key)] id: __HOLE__, rest: Vec<__HOLE__> }",
];

/// Templates of `#[derive(Value)]` for random token trees.
const VALUE_TEMPLATES: &[&str] = &[
    "__HOLE__",
    "enum E { __HOLE__ }",
    "#[dynatomic(__HOLE__)] enum E { A, B }",
    "enum E { #[dynatomic(__HOLE__)] A, B }",
];

/// The identifier a template's hole is written as.
const HOLE: &str = "__HOLE__";

/// A piece of input that a mutation inserts, or a leaf of a random token tree.
enum Piece {
    /// Tokens as the lexer reads this text.
    Text(&'static str),
    /// The opening of a group.
    Open(Delimiter),
    /// The end of the innermost open group.
    Close,
    /// A token that no text lexes to, such as a negative literal, which another macro can produce.
    Built(fn() -> TokenTree),
}

/// What mutations insert: punctuation, keywords, identifiers of the seeds, literals of every kind.
const POOL: &[Piece] = &[
    Piece::Text(";"),
    Piece::Text(","),
    Piece::Text("."),
    Piece::Text(".."),
    Piece::Text("..="),
    Piece::Text("="),
    Piece::Text("+="),
    Piece::Text("-="),
    Piece::Text("=="),
    Piece::Text("!="),
    Piece::Text("=+"),
    Piece::Text("!"),
    Piece::Text("&&"),
    Piece::Text("||"),
    Piece::Text("&"),
    Piece::Text("|"),
    Piece::Text("<"),
    Piece::Text("<="),
    Piece::Text(">"),
    Piece::Text(">="),
    Piece::Text("+"),
    Piece::Text("-"),
    Piece::Text("*"),
    Piece::Text("/"),
    Piece::Text("?"),
    Piece::Text("@"),
    Piece::Text("$"),
    Piece::Text("#"),
    Piece::Text(":"),
    Piece::Text("::"),
    Piece::Text("->"),
    Piece::Text("=>"),
    Piece::Text("'a"),
    Piece::Text("'static"),
    Piece::Open(Delimiter::Parenthesis),
    Piece::Open(Delimiter::Bracket),
    Piece::Open(Delimiter::Brace),
    Piece::Open(Delimiter::None),
    Piece::Close,
    Piece::Text("()"),
    Piece::Text("[]"),
    Piece::Text("{}"),
    Piece::Text("where"),
    Piece::Text("fn"),
    Piece::Text("self"),
    Piece::Text("Self"),
    Piece::Text("super"),
    Piece::Text("crate"),
    Piece::Text("struct"),
    Piece::Text("enum"),
    Piece::Text("pub"),
    Piece::Text("mut"),
    Piece::Text("let"),
    Piece::Text("if"),
    Piece::Text("as"),
    Piece::Text("in"),
    Piece::Text("dyn"),
    Piece::Text("impl"),
    Piece::Text("true"),
    Piece::Text("_"),
    Piece::Text("r#type"),
    Piece::Text("r#where"),
    Piece::Text("r#Node"),
    Piece::Text("größe"),
    Piece::Text("__dynatomic_p0"),
    Piece::Text("__dynatomic_fields"),
    Piece::Text("stock"),
    Piece::Text("qty"),
    Piece::Text("tags"),
    Piece::Text("scores"),
    Piece::Text("address"),
    Piece::Text("city"),
    Piece::Text("note"),
    Piece::Text("active"),
    Piece::Text("version"),
    Piece::Text("Product"),
    Piece::Text("Status"),
    Piece::Text("Option"),
    Piece::Text("Vec"),
    Piece::Text("HashSet"),
    Piece::Text("u64"),
    Piece::Text("append"),
    Piece::Text("prepend"),
    Piece::Text("insert"),
    Piece::Text("delete"),
    Piece::Text("remove"),
    Piece::Text("if_not_exists"),
    Piece::Text("exists"),
    Piece::Text("contains"),
    Piece::Text("begins_with"),
    Piece::Text("between"),
    Piece::Text("is_in"),
    Piece::Text("len"),
    Piece::Text("dynatomic"),
    Piece::Text("partition_key"),
    Piece::Text("sort_key"),
    Piece::Text("rename"),
    Piece::Text("rename_all"),
    Piece::Text("table"),
    Piece::Text("version"),
    Piece::Text("default"),
    Piece::Text("ttl"),
    Piece::Text("serde"),
    Piece::Text("0"),
    Piece::Text("1"),
    Piece::Text("4294967295"),
    Piece::Text("4294967296"),
    Piece::Text("340282366920938463463374607431768211456"),
    Piece::Text("0xFFFF_FFFF_FFFF"),
    Piece::Text("1u8"),
    Piece::Text("7_i128"),
    Piece::Text("1.5"),
    Piece::Text("1e999"),
    Piece::Text("2.0f32"),
    Piece::Text("\"\""),
    Piece::Text("\"s\""),
    Piece::Text("\"camelCase\""),
    Piece::Text("\"snake_cas\""),
    Piece::Text("\"dynatomic:lock\""),
    Piece::Text("\"a\\\"b\\u{0}\""),
    Piece::Text("\"ünïcödé\""),
    Piece::Text("r#\"raw\"#"),
    Piece::Text("b\"bytes\""),
    Piece::Text("b'x'"),
    Piece::Text("'c'"),
    Piece::Text("c\"cstr\""),
    Piece::Text("#[doc = \"x\"]"),
    Piece::Text("#[dynatomic(partition_key)]"),
    Piece::Built(|| TokenTree::Literal(Literal::i64_unsuffixed(-1))),
    Piece::Built(|| TokenTree::Literal(Literal::f64_unsuffixed(-0.5))),
    Piece::Built(|| TokenTree::Literal(Literal::i128_suffixed(i128::MIN))),
];

/// The delimiters a group can be given.
const DELIMITERS: [Delimiter; 4] = [Delimiter::Parenthesis, Delimiter::Bracket, Delimiter::Brace, Delimiter::None];

/// One element of a flattened token stream: a token that is not a group, or a group's opening or closing.
#[derive(Clone)]
enum Flat {
    /// An identifier, punctuation or literal.
    Token(TokenTree),
    /// The opening of a group.
    Open(Delimiter),
    /// The closing of the innermost open group.
    Close,
}

/// Flattens a token stream at every depth.
fn flatten(stream: TokenStream, out: &mut Vec<Flat>) {
    for token in stream {
        match token {
            TokenTree::Group(group) => {
                out.push(Flat::Open(group.delimiter()));
                flatten(group.stream(), out);
                out.push(Flat::Close);
            }
            token => out.push(Flat::Token(token)),
        }
    }
}

/// Rebuilds a token stream as the lexer would read it: a closing with no open group is dropped, groups
/// still open at the end are closed there, and a punctuation is joint only before another punctuation (or a
/// quote before its lifetime's name).
fn rebuild(flat: &[Flat]) -> TokenStream {
    let mut open: Vec<(Delimiter, Vec<TokenTree>)> = vec![(Delimiter::None, Vec::new())];
    let close = |open: &mut Vec<(Delimiter, Vec<TokenTree>)>| {
        if open.len() > 1
            && let Some((delimiter, tokens)) = open.pop()
            && let Some((_, parent)) = open.last_mut()
        {
            parent.push(TokenTree::Group(Group::new(delimiter, tokens.into_iter().collect())));
        }
    };
    for (i, element) in flat.iter().enumerate() {
        match element {
            Flat::Open(delimiter) => open.push((*delimiter, Vec::new())),
            Flat::Close => close(&mut open),
            Flat::Token(token) => {
                let mut token = token.clone();
                if let TokenTree::Punct(punct) = &mut token {
                    let joint = match flat.get(i + 1) {
                        Some(Flat::Token(TokenTree::Punct(_))) => punct.spacing() == Spacing::Joint,
                        Some(Flat::Token(TokenTree::Ident(_))) => punct.as_char() == '\'',
                        _ => false,
                    };
                    let mut respaced =
                        proc_macro2::Punct::new(punct.as_char(), if joint { Spacing::Joint } else { Spacing::Alone });
                    respaced.set_span(punct.span());
                    *punct = respaced;
                }
                if let Some((_, tokens)) = open.last_mut() {
                    tokens.push(token);
                }
            }
        }
    }
    while open.len() > 1 {
        close(&mut open);
    }
    open.pop().map(|(_, tokens)| tokens.into_iter().collect()).unwrap_or_default()
}

/// The tokens of a text; the corpus and the pool lex.
fn lex(text: &str) -> TokenStream {
    text.parse().unwrap_or_else(|e| panic!("the harness's text `{text}` does not lex: {e}"))
}

/// The flattened tokens of a pool piece.
fn piece(index: Index) -> Vec<Flat> {
    match &POOL[index.index(POOL.len())] {
        Piece::Text(text) => {
            let mut out = Vec::new();
            flatten(lex(text), &mut out);
            out
        }
        Piece::Open(delimiter) => vec![Flat::Open(*delimiter)],
        Piece::Close => vec![Flat::Close],
        Piece::Built(build) => vec![Flat::Token(build())],
    }
}

/// One edit of a flattened token list; positions are taken modulo the list's length.
#[derive(Clone, Debug)]
enum Mutation {
    /// Deletes the token at a position.
    Delete(Index),
    /// Writes the token at a position twice.
    Duplicate(Index),
    /// Swaps the tokens at two positions.
    Swap(Index, Index),
    /// Inserts a piece of the [`POOL`] at a position.
    Insert(Index, Index),
    /// Replaces the token at a position with a piece of the [`POOL`].
    Replace(Index, Index),
    /// Gives a group (the n-th opening) one of the [`DELIMITERS`].
    Redelimit(Index, Index),
    /// Writes the n-th identifier as a raw identifier: `r#name`.
    Raw(Index),
}

impl Mutation {
    /// Applies the edit to the part `window` of `flat`, and moves the window's end by what it adds or removes.
    fn apply(&self, flat: &mut Vec<Flat>, window: &mut Range<usize>) {
        let (start, len) = (window.start, window.len());
        match self {
            Mutation::Insert(at, index) => {
                let at = start + at.index(len + 1);
                let piece = piece(*index);
                window.end += piece.len();
                flat.splice(at..at, piece);
            }
            _ if len == 0 => {}
            Mutation::Delete(at) => {
                flat.remove(start + at.index(len));
                window.end -= 1;
            }
            Mutation::Duplicate(at) => {
                let at = start + at.index(len);
                flat.insert(at, flat[at].clone());
                window.end += 1;
            }
            Mutation::Swap(a, b) => flat.swap(start + a.index(len), start + b.index(len)),
            Mutation::Replace(at, index) => {
                let at = start + at.index(len);
                let piece = piece(*index);
                window.end = window.end + piece.len() - 1;
                flat.splice(at..=at, piece);
            }
            Mutation::Redelimit(group, delimiter) => {
                let opens: Vec<usize> = window.clone().filter(|&i| matches!(flat[i], Flat::Open(_))).collect();
                if !opens.is_empty() {
                    flat[opens[group.index(opens.len())]] = Flat::Open(DELIMITERS[delimiter.index(DELIMITERS.len())]);
                }
            }
            Mutation::Raw(ident) => {
                // Every identifier but these has a raw form (and a raw one is raw already).
                let can_be_raw = |element: &Flat| match element {
                    Flat::Token(TokenTree::Ident(ident)) => {
                        let name = ident.to_string();
                        !["_", "self", "Self", "super", "crate"].contains(&name.as_str()) && !name.starts_with("r#")
                    }
                    _ => false,
                };
                let idents: Vec<usize> = window.clone().filter(|&i| can_be_raw(&flat[i])).collect();
                if !idents.is_empty() {
                    let at = idents[ident.index(idents.len())];
                    if let Flat::Token(TokenTree::Ident(ident)) = &mut flat[at] {
                        *ident = proc_macro2::Ident::new_raw(&ident.to_string(), ident.span());
                    }
                }
            }
        }
    }
}

/// The inside of a group of `flat` (the `focus`-th), or all of it: where a case's mutations go.
fn window(flat: &[Flat], focus: Option<Index>) -> Range<usize> {
    let opens: Vec<usize> = (0..flat.len()).filter(|&i| matches!(flat[i], Flat::Open(_))).collect();
    let Some(open) = focus.filter(|_| !opens.is_empty()).map(|focus| opens[focus.index(opens.len())]) else {
        return 0..flat.len();
    };
    let mut depth = 0_usize;
    for (i, element) in flat.iter().enumerate().skip(open + 1) {
        match element {
            Flat::Open(_) => depth += 1,
            Flat::Close if depth == 0 => return open + 1..i,
            Flat::Close => depth -= 1,
            Flat::Token(_) => {}
        }
    }
    open + 1..flat.len()
}

/// A random token tree: a pool piece, or a group of trees.
#[derive(Clone, Debug)]
enum Tree {
    /// A piece of the [`POOL`].
    Leaf(Index),
    /// A group with one of the [`DELIMITERS`].
    Group(Index, Vec<Tree>),
}

impl Tree {
    /// The tree's flattened tokens.
    fn flatten(&self, out: &mut Vec<Flat>) {
        match self {
            Tree::Leaf(index) => out.extend(piece(*index)),
            Tree::Group(delimiter, trees) => {
                out.push(Flat::Open(DELIMITERS[delimiter.index(DELIMITERS.len())]));
                trees.iter().for_each(|tree| tree.flatten(out));
                out.push(Flat::Close);
            }
        }
    }
}

/// One generated input.
#[derive(Clone, Debug)]
enum Case {
    /// A seed of the corpus with mutations, all inside one group of it (the `focus`-th) or anywhere.
    Mutated { seed: Index, focus: Option<Index>, mutations: Vec<Mutation> },
    /// Random token trees in every hole of a template.
    Random { template: Index, trees: Vec<Tree> },
}

/// The strategy of a mutation: inserts and deletions most often.
fn mutation() -> impl Strategy<Value = Mutation> {
    prop_oneof![
        3 => any::<Index>().prop_map(Mutation::Delete),
        2 => any::<Index>().prop_map(Mutation::Duplicate),
        2 => (any::<Index>(), any::<Index>()).prop_map(|(a, b)| Mutation::Swap(a, b)),
        3 => (any::<Index>(), any::<Index>()).prop_map(|(at, piece)| Mutation::Insert(at, piece)),
        2 => (any::<Index>(), any::<Index>()).prop_map(|(at, piece)| Mutation::Replace(at, piece)),
        1 => (any::<Index>(), any::<Index>()).prop_map(|(group, delimiter)| Mutation::Redelimit(group, delimiter)),
        1 => any::<Index>().prop_map(Mutation::Raw),
    ]
}

/// The strategy of a random token tree, at most 4 groups deep.
fn tree() -> impl Strategy<Value = Tree> {
    any::<Index>().prop_map(Tree::Leaf).prop_recursive(4, 32, 6, |inner| {
        (any::<Index>(), vec(inner, 0..6)).prop_map(|(delimiter, trees)| Tree::Group(delimiter, trees))
    })
}

/// The strategy of an input: four in five are mutated seeds.
fn case() -> impl Strategy<Value = Case> {
    prop_oneof![
        4 => (any::<Index>(), proptest::option::weighted(0.75, any::<Index>()), vec(mutation(), 1..=4))
            .prop_map(|(seed, focus, mutations)| Case::Mutated { seed, focus, mutations }),
        1 => (any::<Index>(), vec(tree(), 0..8)).prop_map(|(template, trees)| Case::Random { template, trees }),
    ]
}

/// What a test expands.
#[derive(Clone, Copy)]
enum Expansion {
    /// `update!`, `upsert!` or `condition!`.
    Dsl(Kind),
    /// `#[derive(Item)]`.
    Item,
    /// `#[derive(Value)]`.
    Value,
}

impl Expansion {
    /// The expansion of `input`; `None` when a derive's input is no `DeriveInput` (the compiler never derives on
    /// one, and `lib.rs` would return syn's error).
    fn expand(self, input: TokenStream) -> Option<TokenStream> {
        match self {
            Expansion::Dsl(kind) => Some(crate::dsl::expand(input, kind)),
            Expansion::Item => syn::parse2(input).ok().map(crate::derive::expand),
            Expansion::Value => syn::parse2(input).ok().map(crate::enum_value::expand),
        }
    }

    /// Checks that the output is what the compiler reads it as: an expression, or items.
    fn check(self, output: TokenStream) -> syn::Result<()> {
        match self {
            Expansion::Dsl(_) => syn::parse2::<syn::Expr>(output).map(drop),
            Expansion::Item | Expansion::Value => syn::parse2::<syn::File>(output).map(drop),
        }
    }
}

/// One fuzzed macro.
struct Target {
    /// What is expanded.
    expansion: Expansion,
    /// The valid inputs that are mutated.
    seeds: &'static [&'static [&'static str]],
    /// The templates random token trees are put into.
    templates: &'static [&'static str],
    /// How many inputs a run tries.
    cases: u32,
    /// The seed of the run's random numbers.
    seed: u64,
}

impl Target {
    /// The input a case describes.
    fn input(&self, case: &Case) -> TokenStream {
        let mut flat = Vec::new();
        match case {
            Case::Mutated { seed, focus, mutations } => {
                let seeds: Vec<&str> = self.seeds.iter().flat_map(|seeds| seeds.iter().copied()).collect();
                flatten(lex(seeds[seed.index(seeds.len())]), &mut flat);
                let mut window = window(&flat, *focus);
                mutations.iter().for_each(|mutation| mutation.apply(&mut flat, &mut window));
            }
            Case::Random { template, trees } => {
                let mut holes = Vec::new();
                flatten(lex(self.templates[template.index(self.templates.len())]), &mut holes);
                for element in holes {
                    match element {
                        Flat::Token(TokenTree::Ident(ident)) if ident == HOLE => {
                            trees.iter().for_each(|tree| tree.flatten(&mut flat));
                        }
                        element => flat.push(element),
                    }
                }
            }
        }
        rebuild(&flat)
    }

    /// Runs the target's cases; fails on the first input whose expansion panics or is malformed, once proptest
    /// has shrunk it.
    fn run(&self) {
        let defaults = Config::default();
        let factor = std::env::var("DYNATOMIC_FUZZ_FACTOR").ok().and_then(|f| f.parse::<u32>().ok()).unwrap_or(1);
        let config = Config {
            cases: self.cases.saturating_mul(factor.max(1)),
            rng_algorithm: RngAlgorithm::ChaCha,
            rng_seed: match defaults.rng_seed {
                RngSeed::Fixed(seed) => RngSeed::Fixed(seed),
                RngSeed::Random => RngSeed::Fixed(self.seed),
            },
            failure_persistence: None,
            ..defaults
        };
        let (inputs, expanded) = (Cell::new(0_u64), Cell::new(0_u64));
        let mut runner = TestRunner::new(config);
        // One output in four is parsed: parsing costs twice what expanding does.
        let result = runner.run(&(case(), proptest::bool::weighted(0.25)), |(case, parse)| {
            let input = self.input(&case);
            inputs.set(inputs.get() + 1);
            let output = catch_unwind(AssertUnwindSafe(|| self.expansion.expand(input.clone()))).map_err(|panic| {
                let message = panic
                    .downcast_ref::<&str>()
                    .map(|s| (*s).to_owned())
                    .or_else(|| panic.downcast_ref::<String>().cloned())
                    .unwrap_or_default();
                TestCaseError::fail(format!("the expansion panicked: {message}\ninput: {input}"))
            })?;
            let Some(output) = output else { return Ok(()) };
            expanded.set(expanded.get() + 1);
            if !parse {
                return Ok(());
            }
            self.expansion.check(output.clone()).map_err(|e| {
                TestCaseError::fail(format!("the expansion does not parse: {e}\ninput: {input}\noutput: {output}"))
            })
        });
        if let Err(failure) = result {
            panic!("{failure}");
        }
        println!("{} inputs, {} expanded", inputs.get(), expanded.get());
        // Derives expand only inputs that parse as a `DeriveInput`: enough of them must, or the derive is
        // hardly tested.
        assert!(expanded.get() * 4 >= inputs.get(), "only {} of {} inputs were expanded", expanded.get(), inputs.get());
    }
}

/// `update!`: 30,000 inputs.
#[test]
fn fuzz_update() {
    Target {
        expansion: Expansion::Dsl(Kind::Update),
        seeds: &[UPDATES],
        templates: DSL_TEMPLATES,
        cases: 30_000,
        seed: 1,
    }
    .run();
}

/// `upsert!`: 10,000 inputs.
#[test]
fn fuzz_upsert() {
    Target {
        expansion: Expansion::Dsl(Kind::Upsert),
        seeds: &[UPSERTS, UPDATES],
        templates: DSL_TEMPLATES,
        cases: 10_000,
        seed: 2,
    }
    .run();
}

/// `condition!`: 20,000 inputs.
#[test]
fn fuzz_condition() {
    Target {
        expansion: Expansion::Dsl(Kind::Condition),
        seeds: &[CONDITIONS],
        templates: DSL_TEMPLATES,
        cases: 20_000,
        seed: 3,
    }
    .run();
}

/// `#[derive(Item)]`: 25,000 inputs.
#[test]
fn fuzz_derive_item() {
    Target { expansion: Expansion::Item, seeds: &[ITEMS], templates: ITEM_TEMPLATES, cases: 25_000, seed: 4 }.run();
}

/// `#[derive(Value)]`: 15,000 inputs.
#[test]
fn fuzz_derive_value() {
    Target { expansion: Expansion::Value, seeds: &[VALUES], templates: VALUE_TEMPLATES, cases: 15_000, seed: 5 }.run();
}
