//! The crate's architecture, checked on its source: no import loop between the files of `src/`, the
//! expression language depends on nothing above it, and no file holds more than 700 lines of code before its
//! tests.
//!
//! File A uses file B when A names B's module in a path: in a `use` (`use crate::x::Y`, `use super::{a, b}`,
//! `use child::Z`) or in code (`crate::x::f()`, `super::super::y`, `self::child::z`, `child::f()` for a module
//! `child` declared where the path is written). Declaring `mod child;` is not a use by itself. A module is its
//! file (`foo.rs`, or `foo/mod.rs` for `foo`); an inline module (`mod tests { .. }`) belongs to its file. A
//! path through a re-export of the crate root (`crate::Item`) leads to the file the re-export names.

use std::collections::{BTreeMap, BTreeSet};
use std::fs;
use std::path::Path;

/// Most lines of code a file may hold before its tests (blank lines and comments do not count).
const MAX_CODE_LINES: usize = 700;

/// No loop of uses between files.
#[test]
fn no_file_takes_part_in_an_import_loop() {
    let source = Source::read();
    let cycles: Vec<String> = source.cycles().iter().map(|cycle| source.describe(cycle)).collect();
    assert!(cycles.is_empty(), "import loops:\n{}", cycles.join("\n"));
}

/// `limits.rs` uses nothing, `expr/` only itself, `limits.rs` and the shared hash, `explain.rs` only `expr/`, and
/// `memory/` never `explain.rs`.
#[test]
fn dependencies_go_one_way() {
    let source = Source::read();
    let mut wrong = Vec::new();
    for (from, to) in source.edges.keys() {
        let allowed = if from == "limits.rs" {
            false
        } else if from.starts_with("expr/") {
            to.starts_with("expr/") || to == "fast_hash.rs" || to == "limits.rs"
        } else if from == "explain.rs" {
            to.starts_with("expr/")
        } else if from.starts_with("memory/") {
            to != "explain.rs"
        } else {
            true
        };
        if !allowed {
            wrong.push(source.describe_edge(from, to));
        }
    }
    assert!(wrong.is_empty(), "uses against the layering (expr <- explain, expr <- memory):\n{}", wrong.join("\n"));
}

/// No file over 700 lines of code before its tests, but the known ones.
#[test]
fn no_file_is_too_long() {
    let source = Source::read();
    let over: Vec<String> = source
        .files
        .iter()
        .filter(|(_, file)| file.code_lines > MAX_CODE_LINES)
        .map(|(name, file)| format!("{name}: {} lines of code", file.code_lines))
        .collect();
    assert!(over.is_empty(), "files over {MAX_CODE_LINES} lines of code before their tests:\n{}", over.join("\n"));
}

/// The scanner finds the paths of use trees and code (not of comments and literals) and the module declarations.
#[test]
fn uses_are_found_in_use_trees_and_in_code() {
    let text = r##"
        //! `use crate::commented::Out;`
        use super::{self, sibling::{A, B as C}, *};
        use crate::AttributeValue;
        #[path = "elsewhere.rs"]
        mod child;
        fn f<'a>(c: char) -> &'a str { let _ = ('{', "crate::quoted::Out", r#"x"#); child::g(); crate::other::h() }
        #[cfg(test)]
        mod tests {
            use super::super::parent_item;
        }
    "##;
    let scan = scan(&lex(text));
    let paths: Vec<String> = scan.paths.iter().map(|(scope, path)| format!("{scope:?} {}", path.join("::"))).collect();
    assert_eq!(
        paths,
        [
            "[] super",
            "[] super::sibling::A",
            "[] super::sibling::B",
            "[] super",
            "[] crate::AttributeValue",
            "[] child::g",
            "[] crate::other::h",
            "[\"tests\"] super::super::parent_item",
        ]
    );
    assert_eq!(scan.children, [(Vec::new(), "child".to_owned(), Some("elsewhere.rs".to_owned()))]);
    assert_eq!(scan.inline, [(Vec::new(), "tests".to_owned())]);
    assert_eq!(scan.code_lines, 5, "the lines before `#[cfg(test)]`, without comments and blank lines");
}

/// The files of `src/`, the modules they hold and the uses between them.
struct Source {
    /// Each file by its path under `src/`.
    files: BTreeMap<String, File>,
    /// "File A uses file B", with the first path that makes it so.
    edges: BTreeMap<(String, String), String>,
}

/// One source file.
struct File {
    /// What the file declares and writes.
    scan: Scan,
    /// Its lines of code before its tests.
    code_lines: usize,
}

impl Source {
    /// Reads every file under `src/` and resolves the paths they write.
    fn read() -> Self {
        let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("src");
        let mut names = Vec::new();
        list(&root, &root, &mut names);
        let files: BTreeMap<String, File> = names
            .into_iter()
            .map(|name| {
                let text = fs::read_to_string(root.join(&name)).unwrap_or_else(|e| panic!("{name}: {e}"));
                let scan = scan(&lex(&text));
                let code_lines = scan.code_lines;
                (name, File { scan, code_lines })
            })
            .collect();
        let modules = Modules::of(&files);
        let mut edges = BTreeMap::new();
        for (name, file) in &files {
            let module = &modules.of_file[name];
            for (scope, path) in &file.scan.paths {
                let scope: Vec<String> = module.iter().chain(scope).cloned().collect();
                for target in modules.resolve(&scope, path) {
                    if target != *name {
                        edges.entry((name.clone(), target)).or_insert_with(|| path.join("::"));
                    }
                }
            }
        }
        Source { files, edges }
    }

    /// Every elementary import loop, each from its first file in sort order.
    fn cycles(&self) -> BTreeSet<Vec<String>> {
        let mut next: BTreeMap<&str, Vec<&str>> = BTreeMap::new();
        for (from, to) in self.edges.keys() {
            next.entry(from.as_str()).or_default().push(to.as_str());
        }
        let mut cycles = BTreeSet::new();
        for start in self.files.keys() {
            let mut path = vec![start.as_str()];
            walk(&next, &mut path, &mut cycles);
        }
        cycles
    }

    /// A loop with the path behind each of its uses.
    fn describe(&self, cycle: &[String]) -> String {
        let steps: Vec<String> = cycle
            .iter()
            .zip(cycle.iter().cycle().skip(1))
            .map(|(from, to)| format!("{from} -> {to} ({})", self.edges[&(from.clone(), to.clone())]))
            .collect();
        steps.join(", ")
    }

    /// A use with the path behind it.
    fn describe_edge(&self, from: &str, to: &str) -> String {
        format!("{from} -> {to} ({})", self.edges[&(from.to_owned(), to.to_owned())])
    }
}

/// Extends `path` (whose first file is the smallest of the loops looked for) by every file after the first,
/// recording the loops that return to it.
fn walk<'a>(next: &BTreeMap<&'a str, Vec<&'a str>>, path: &mut Vec<&'a str>, cycles: &mut BTreeSet<Vec<String>>) {
    let (start, last) = (path[0], path[path.len() - 1]);
    for &to in next.get(last).into_iter().flatten() {
        if to == start {
            cycles.insert(path.iter().map(|file| (*file).to_owned()).collect());
        } else if to > start && !path.contains(&to) {
            path.push(to);
            walk(next, path, cycles);
            path.pop();
        }
    }
}

/// The paths of the `.rs` files under `dir`, relative to `root`, with `/` between directories.
fn list(root: &Path, dir: &Path, out: &mut Vec<String>) {
    let entries = fs::read_dir(dir).unwrap_or_else(|e| panic!("{}: {e}", dir.display()));
    for entry in entries {
        let path = entry.expect("a directory entry").path();
        if path.is_dir() {
            list(root, &path, out);
        } else if path.extension().is_some_and(|ext| ext == "rs") {
            let relative = path.strip_prefix(root).expect("a file under src/");
            let parts: Vec<String> = relative.iter().map(|part| part.to_string_lossy().into_owned()).collect();
            out.push(parts.join("/"));
        }
    }
}

/// The crate's modules: the file of each, and the names the crate root re-exports.
struct Modules {
    /// Each module (file or inline) by its path from the crate root, and the file that holds it.
    files: BTreeMap<Vec<String>, String>,
    /// The module of each file.
    of_file: BTreeMap<String, Vec<String>>,
    /// The paths the crate root's `use` declarations bind, by the name they bind.
    root_uses: BTreeMap<String, Vec<Vec<String>>>,
}

impl Modules {
    /// Follows the `mod` declarations from `lib.rs`.
    fn of(files: &BTreeMap<String, File>) -> Self {
        let mut modules = Modules { files: BTreeMap::new(), of_file: BTreeMap::new(), root_uses: BTreeMap::new() };
        let mut pending = vec![("lib.rs".to_owned(), Vec::new())];
        while let Some((name, module)) = pending.pop() {
            let file = files.get(&name).unwrap_or_else(|| panic!("a module's file is missing: {name}"));
            // The directory of the file's child modules: its own for `lib.rs` and `mod.rs`, else one named as it.
            let dir = match name.rsplit_once('/') {
                _ if name == "lib.rs" => String::new(),
                Some((dir, "mod.rs")) => format!("{dir}/"),
                _ => format!("{}/", name.trim_end_matches(".rs")),
            };
            for (scope, child) in &file.scan.inline {
                let path: Vec<String> = module.iter().chain(scope).chain([child]).cloned().collect();
                modules.files.insert(path, name.clone());
            }
            for (scope, child, at) in &file.scan.children {
                let child_file = match at {
                    Some(at) => {
                        format!("{}{at}", name.rsplit_once('/').map_or(String::new(), |(dir, _)| format!("{dir}/")))
                    }
                    None => {
                        let base = format!("{dir}{}{child}", scope.iter().map(|s| format!("{s}/")).collect::<String>());
                        if files.contains_key(&format!("{base}.rs")) {
                            format!("{base}.rs")
                        } else {
                            format!("{base}/mod.rs")
                        }
                    }
                };
                pending.push((child_file, module.iter().chain(scope).chain([child]).cloned().collect()));
            }
            modules.files.insert(module.clone(), name.clone());
            modules.of_file.insert(name, module);
        }
        if let Some(unreached) = files.keys().find(|name| !modules.of_file.contains_key(*name)) {
            panic!("{unreached} is not declared as a module");
        }
        for (scope, path) in &files["lib.rs"].scan.paths {
            if let (true, Some(name)) = (scope.is_empty(), path.last()) {
                modules.root_uses.entry(name.clone()).or_default().push(path.clone());
            }
        }
        modules
    }

    /// The files a path written in module `scope` leads to (none for a path outside the crate): the file of its
    /// longest prefix that is a module or, for a name the crate root re-exports, the files the re-export leads to.
    fn resolve(&self, scope: &[String], path: &[String]) -> Vec<String> {
        let Some(first) = path.first() else { return Vec::new() };
        let (base, rest): (&[String], &[String]) = match first.as_str() {
            "crate" | "$crate" => (&[], &path[1..]),
            "self" => (scope, &path[1..]),
            "super" => {
                let supers = path.iter().take_while(|segment| *segment == "super").count();
                (&scope[..scope.len().saturating_sub(supers)], &path[supers..])
            }
            _ if self.files.contains_key(&[scope, &path[..1]].concat()) => (scope, path),
            _ => return Vec::new(),
        };
        let absolute = [base, rest].concat();
        let longest = (0..=absolute.len()).rev().find(|len| self.files.contains_key(&absolute[..*len])).unwrap_or(0);
        match absolute.first().and_then(|name| self.root_uses.get(name)) {
            Some(targets) if longest == 0 => {
                targets.iter().flat_map(|target| self.resolve(&[], &[target, &absolute[1..]].concat())).collect()
            }
            _ => vec![self.files[&absolute[..longest]].clone()],
        }
    }
}

/// What one file declares and writes.
#[derive(Debug, Default)]
struct Scan {
    /// Each path the file writes (in a `use` or in code), with the inline modules around it.
    paths: Vec<(Vec<String>, Vec<String>)>,
    /// Each `mod name;`: the inline modules around it, its name, and its `#[path]` if it has one.
    children: Vec<(Vec<String>, String, Option<String>)>,
    /// Each `mod name { .. }`: the inline modules around it, and its name.
    inline: Vec<(Vec<String>, String)>,
    /// The lines with code (not blank, not only comments) before the first `#[cfg(test)]`.
    code_lines: usize,
}

/// One token of Rust source: an identifier, a literal (a string's text, unescaped), `::` or another character.
#[derive(Debug)]
struct Token {
    /// The identifier, the punctuation, or a string literal's text (other literals are empty).
    text: String,
    /// Whether it is an identifier (or a keyword).
    ident: bool,
    /// Whether it is a literal.
    literal: bool,
    /// The first and last line it spans.
    lines: (usize, usize),
}

impl Token {
    /// Whether this is the punctuation `text`.
    fn is(&self, text: &str) -> bool {
        !self.literal && self.text == text
    }
}

/// The tokens of Rust source, without comments.
fn lex(text: &str) -> Vec<Token> {
    let chars: Vec<char> = text.chars().collect();
    let ident_char = |c: char| c.is_alphanumeric() || c == '_';
    let mut tokens = Vec::new();
    let (mut at, mut line) = (0, 1);
    while let Some(&c) = chars.get(at) {
        let first_line = line;
        let next = chars.get(at + 1).copied();
        let mut push = |text: String, ident: bool, literal: bool, line: usize| {
            tokens.push(Token { text, ident, literal, lines: (first_line, line) })
        };
        if c == '\n' {
            line += 1;
            at += 1;
        } else if c.is_whitespace() {
            at += 1;
        } else if c == '/' && next == Some('/') {
            while chars.get(at).is_some_and(|c| *c != '\n') {
                at += 1;
            }
        } else if c == '/' && next == Some('*') {
            let mut open = 0;
            while at < chars.len() {
                match (chars[at], chars.get(at + 1)) {
                    ('/', Some('*')) => (open, at) = (open + 1, at + 2),
                    ('*', Some('/')) => (open, at) = (open - 1, at + 2),
                    (c, _) => (line, at) = (line + usize::from(c == '\n'), at + 1),
                }
                if open == 0 {
                    break;
                }
            }
        } else if c == '"' {
            let (content, end) = string(&chars, at + 1, None, &mut line);
            push(content, false, true, line);
            at = end;
        } else if c == '\'' {
            // A character literal (`'x'`, `'\n'`), or the start of a lifetime (its name is read next).
            if next == Some('\\') {
                at += 3;
                while chars.get(at).is_some_and(|c| *c != '\'') {
                    at += 1;
                }
                push(String::new(), false, true, line);
                at += 1;
            } else if chars.get(at + 2) == Some(&'\'') {
                push(String::new(), false, true, line);
                at += 3;
            } else {
                at += 1;
            }
        } else if c.is_alphabetic() || c == '_' || (c == '$' && next.is_some_and(ident_char)) {
            let start = at;
            at += 1;
            while chars.get(at).copied().is_some_and(ident_char) {
                at += 1;
            }
            let word: String = chars[start..at].iter().collect();
            let hashes = chars[at..].iter().take_while(|c| **c == '#').count();
            match (word.as_str(), chars.get(at + hashes)) {
                ("r" | "br", Some('"')) => {
                    let (content, end) = string(&chars, at + hashes + 1, Some(hashes), &mut line);
                    push(content, false, true, line);
                    at = end;
                }
                ("b", Some('"')) if hashes == 0 => {
                    let (content, end) = string(&chars, at + 1, None, &mut line);
                    push(content, false, true, line);
                    at = end;
                }
                _ => push(word, true, false, line),
            }
        } else if c.is_ascii_digit() {
            while chars.get(at).copied().is_some_and(ident_char) {
                at += 1;
            }
            push(String::new(), false, true, line);
        } else if c == ':' && next == Some(':') {
            push("::".to_owned(), false, false, line);
            at += 2;
        } else {
            push(c.to_string(), false, false, line);
            at += 1;
        }
    }
    tokens
}

/// The text of a string literal from `at` (after its opening quote) and the position after its end; a raw
/// string (`hashes` given) ends at a quote followed by that many `#`, another at an unescaped quote.
fn string(chars: &[char], mut at: usize, hashes: Option<usize>, line: &mut usize) -> (String, usize) {
    let start = at;
    while let Some(&c) = chars.get(at) {
        match (c, hashes) {
            ('\\', None) => at += 1,
            ('"', None) => return (chars[start..at].iter().collect(), at + 1),
            ('"', Some(n)) if chars[at + 1..].iter().take(n).filter(|c| **c == '#').count() == n => {
                return (chars[start..at].iter().collect(), at + 1 + n);
            }
            ('\n', _) => *line += 1,
            _ => {}
        }
        at += 1;
    }
    (chars[start..].iter().collect(), at)
}

/// The declarations and paths of a file's tokens.
fn scan(tokens: &[Token]) -> Scan {
    let mut scan = Scan::default();
    let texts = |from: usize, expected: &[&str]| {
        expected.iter().enumerate().all(|(i, text)| tokens.get(from + i).is_some_and(|token| token.is(text)))
    };
    let tests = (0..tokens.len()).find(|at| texts(*at, &["#", "[", "cfg", "(", "test", ")", "]"]));
    let first_test_line = tests.map_or(usize::MAX, |at| tokens[at].lines.0);
    let code: BTreeSet<usize> =
        tokens.iter().flat_map(|token| token.lines.0..=token.lines.1).filter(|line| *line < first_test_line).collect();
    scan.code_lines = code.len();
    // The inline modules around the current token, each with the brace depth inside it.
    let mut inline: Vec<(String, usize)> = Vec::new();
    let mut depth = 0;
    let mut path_attribute = None;
    let mut at = 0;
    while let Some(token) = tokens.get(at) {
        let scope: Vec<String> = inline.iter().map(|(name, _)| name.clone()).collect();
        let follows_path = at > 0 && tokens[at - 1].is("::");
        let next_ident = tokens.get(at + 1).filter(|next| next.ident).map(|next| next.text.clone());
        at += 1;
        if token.is("{") {
            depth += 1;
        } else if token.is("}") {
            depth -= 1;
            while inline.last().is_some_and(|(_, inside)| *inside > depth) {
                inline.pop();
            }
        } else if token.is("#") && texts(at, &["[", "path", "="]) && tokens.get(at + 3).is_some_and(|t| t.literal) {
            path_attribute = Some(tokens[at + 3].text.clone());
        } else if let (true, Some(name)) = (token.is("mod"), next_ident) {
            if texts(at + 1, &[";"]) {
                scan.children.push((scope, name, path_attribute.take()));
            } else if texts(at + 1, &["{"]) {
                scan.inline.push((scope, name.clone()));
                depth += 1;
                inline.push((name, depth));
                at += 2;
            }
        } else if token.is("use") {
            let mut paths = Vec::new();
            use_tree(tokens, &mut at, Vec::new(), &mut paths);
            scan.paths.extend(paths.into_iter().map(|path| (scope.clone(), path)));
        } else if token.ident && !follows_path && texts(at, &["::"]) {
            let mut path = vec![token.text.clone()];
            while texts(at, &["::"]) && tokens.get(at + 1).is_some_and(|t| t.ident) {
                path.push(tokens[at + 1].text.clone());
                at += 2;
            }
            scan.paths.push((scope, path));
        }
    }
    scan
}

/// The paths of a use tree starting at `at` (after `use` or inside braces), each after `prefix`; `at` ends
/// after the tree.
fn use_tree(tokens: &[Token], at: &mut usize, mut prefix: Vec<String>, out: &mut Vec<Vec<String>>) {
    while let Some(token) = tokens.get(*at) {
        *at += 1;
        if token.is("{") {
            while tokens.get(*at).is_some_and(|token| !token.is("}")) {
                use_tree(tokens, at, prefix.clone(), out);
                if tokens.get(*at).is_some_and(|token| token.is(",")) {
                    *at += 1;
                }
            }
            *at += 1;
            return;
        } else if token.is("*") {
            out.push(prefix);
            return;
        } else if token.ident {
            if token.text == "self" && !prefix.is_empty() {
                out.push(prefix);
                return;
            }
            prefix.push(token.text.clone());
            if tokens.get(*at).is_some_and(|token| token.is("::")) {
                *at += 1;
                continue;
            }
            if tokens.get(*at).is_some_and(|token| token.ident && token.text == "as") {
                *at += 2;
            }
            out.push(prefix);
            return;
        }
    }
}
