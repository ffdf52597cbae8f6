//! The proc-macro half of [dynatomic](https://docs.rs/dynatomic): `#[derive(Item)]`, `update!` and
//! `condition!`. Use them through the `dynatomic` crate, which re-exports them with their documentation.

use proc_macro::TokenStream;

mod case;
mod derive;
mod diag;
mod dsl;
mod enum_value;
#[cfg(test)]
mod fuzz;

/// Derives dynatomic's schema traits for a struct. Documented in `dynatomic`.
#[proc_macro_derive(Item, attributes(dynatomic))]
pub fn derive_item(input: TokenStream) -> TokenStream {
    derive::expand(syn::parse_macro_input!(input as syn::DeriveInput)).into()
}

/// Derives dynatomic's attribute traits for an enum of unit variants, stored as strings. Documented in
/// `dynatomic`.
#[proc_macro_derive(Value, attributes(dynatomic))]
pub fn derive_value(input: TokenStream) -> TokenStream {
    enum_value::expand(syn::parse_macro_input!(input as syn::DeriveInput)).into()
}

/// Builds a checked UpdateExpression. Documented in `dynatomic`.
#[proc_macro]
pub fn update(input: TokenStream) -> TokenStream {
    dsl::expand(input.into(), dsl::Kind::Update).into()
}

/// Builds a checked UpdateExpression that may create the item. Documented in `dynatomic`.
#[proc_macro]
pub fn upsert(input: TokenStream) -> TokenStream {
    dsl::expand(input.into(), dsl::Kind::Upsert).into()
}

/// Builds a checked ConditionExpression. Documented in `dynatomic`.
#[proc_macro]
pub fn condition(input: TokenStream) -> TokenStream {
    dsl::expand(input.into(), dsl::Kind::Condition).into()
}
