//! The README's "What the compiler checks" tables and the compile-fail cases match one to one: every case
//! they name exists under `tests/fail/`, every case there is named, and every check names a case.

use std::collections::BTreeSet;
use std::path::Path;

/// The heading of the README section that lists the checks.
const SECTION: &str = "## What the compiler checks";

/// The case names of each table row of the section: its check (first cell) and the backticked names of its
/// last cell.
fn rows(readme: &str) -> Vec<(String, Vec<String>)> {
    let start = readme.find(SECTION).unwrap_or_else(|| panic!("README.md has no section `{SECTION}`"));
    let section = &readme[start + SECTION.len()..];
    let section = &section[..section.find("\n## ").unwrap_or(section.len())];
    section
        .lines()
        .map(str::trim)
        .filter(|line| line.starts_with('|') && !line.starts_with("|---") && line != &"| check | cases |")
        .map(|line| {
            let cells = line.trim_matches('|');
            let check = cells.split('|').next().unwrap_or_default().trim().to_owned();
            let cases = cells.rsplit('|').next().unwrap_or_default();
            let names = cases.split('`').skip(1).step_by(2).map(str::to_owned).collect();
            (check, names)
        })
        .collect()
}

/// The stems of the `.rs` files in `dir`.
fn cases(dir: &Path) -> BTreeSet<String> {
    let entries = std::fs::read_dir(dir).unwrap_or_else(|e| panic!("cannot read {}: {e}", dir.display()));
    entries
        .map(|entry| entry.expect("a directory entry").path())
        .filter(|path| path.extension().is_some_and(|ext| ext == "rs"))
        .filter_map(|path| path.file_stem().map(|stem| stem.to_string_lossy().into_owned()))
        .collect()
}

#[test]
fn the_readme_names_every_compile_fail_case_and_only_those() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let readme = std::fs::read_to_string(root.join("../README.md")).expect("read README.md");
    let rows = rows(&readme);
    assert!(!rows.is_empty(), "the section `{SECTION}` of README.md has no table rows");
    let on_disk = cases(&root.join("tests/fail"));
    let named: BTreeSet<String> = rows.iter().flat_map(|(_, names)| names.iter().cloned()).collect();

    let mut problems = Vec::new();
    for (check, _) in rows.iter().filter(|(_, names)| names.is_empty()) {
        problems.push(format!("the check \"{check}\" names no case"));
    }
    for name in named.difference(&on_disk) {
        problems.push(format!("README.md names `{name}`, but there is no tests/fail/{name}.rs"));
    }
    for name in on_disk.difference(&named) {
        problems.push(format!("tests/fail/{name}.rs is not named in the README section `{SECTION}`"));
    }
    assert!(problems.is_empty(), "README.md and tests/fail/ disagree:\n  {}", problems.join("\n  "));
}
