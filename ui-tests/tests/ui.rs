//! Compile-pass and compile-fail cases of `update!`, `condition!` and `#[derive(dynatomic::Item)]`.
//!
//! Regenerate the expected diagnostics with `TRYBUILD=overwrite cargo test -p dynatomic-ui-tests`.

#[test]
fn ui() {
    let t = trybuild::TestCases::new();
    t.pass("tests/pass/*.rs");
    t.compile_fail("tests/fail/*.rs");
}
