//! `update!` and `condition!`: parse the invocation into a model, check what can be checked without types,
//! then generate the expression strings and the typed checks that the compiler runs under the user's spans.

use proc_macro2::TokenStream;

use crate::diag::Errors;

mod check;
mod generate;
mod model;
mod parse;
mod source;

/// Which macro is expanding.
#[derive(Clone, Copy, PartialEq)]
pub(crate) enum Kind {
    /// `update!`: an update of an existing item.
    Update,
    /// `upsert!`: an update that may create the item, so it must set every field without a default.
    Upsert,
    /// `condition!`
    Condition,
}

pub(crate) fn expand(input: TokenStream, kind: Kind) -> TokenStream {
    let mut errors = Errors::default();
    let Some(parsed) = parse::parse(input, kind, &mut errors) else {
        return errors.to_compile_errors();
    };
    check::check(&parsed.invocation, &mut errors);
    generate::generate(&parsed, kind, &errors)
}
