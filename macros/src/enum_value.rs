//! `#[derive(Value)]`: an enum of unit variants stored as a string attribute, one string per variant.

use proc_macro2::{Ident, TokenStream};
use quote::quote;
use syn::spanned::Spanned;

use crate::case::{Case, read_rename_all};
use crate::diag::Errors;

/// One variant and the string it is stored as.
struct Variant {
    ident: Ident,
    name: syn::LitStr,
}

pub(crate) fn expand(input: syn::DeriveInput) -> TokenStream {
    let mut errors = Errors::default();
    let variants = read(&input, &mut errors);
    let generated = variants.map(|variants| generate(&input.ident, &variants)).unwrap_or_default();
    let errors = errors.to_compile_errors();
    quote! { #errors #generated }
}

/// Reads the variants and their stored strings, refusing what cannot be stored as one string per variant.
/// `None` when no impl can be generated.
fn read(input: &syn::DeriveInput, errors: &mut Errors) -> Option<Vec<Variant>> {
    let syn::Data::Enum(data) = &input.data else {
        errors.at(
            input.ident.span(),
            "`#[derive(Value)]` works on enums of unit variants only",
            "derive `dynatomic::Item` for a struct: it is stored as a map",
        );
        return None;
    };
    if !input.generics.params.is_empty() {
        errors.on(
            &input.generics,
            "`#[derive(Value)]` does not support generic enums",
            "remove the parameters: each variant is stored as a fixed string",
        );
        return None;
    }
    if data.variants.is_empty() {
        errors.at(
            input.ident.span(),
            "an enum without variants has no value to store",
            "add the variants the attribute can hold",
        );
        return None;
    }
    let mut rename_all = None;
    for attr in input.attrs.iter().filter(|a| a.path().is_ident("dynatomic")) {
        let parsed = attr.parse_nested_meta(|meta| match meta.path.is_ident("rename_all") {
            true => read_rename_all(&meta, &mut rename_all, errors),
            false => Err(crate::diag::error(
                meta.path.span(),
                "unknown `dynatomic` attribute on an enum",
                "the enum takes `#[dynatomic(rename_all = \"snake_case\")]`",
            )),
        });
        errors.keep(parsed);
    }
    let mut variants: Vec<Variant> = Vec::new();
    let mut complete = true;
    for variant in &data.variants {
        if !matches!(variant.fields, syn::Fields::Unit) {
            errors.on(
                &variant.fields,
                format_args!(
                    "variant `{}` holds data, and `#[derive(Value)]` stores unit variants only",
                    variant.ident
                ),
                "store an enum with data as a whole field with `#[dynatomic(serde)]` (dynatomic's `serde` feature)",
            );
            complete = false;
            continue;
        }
        let name = read_variant_rename(variant, errors).unwrap_or_else(|| {
            let written = variant.ident.to_string();
            let name = rename_all.map_or_else(|| written.clone(), |case: Case| case.variant(&written));
            syn::LitStr::new(&name, variant.ident.span())
        });
        if name.value().is_empty() {
            errors.at(name.span(), "a variant cannot be stored as an empty string", "give `rename` a non-empty name");
        }
        if let Some(earlier) = variants.iter().find(|v| v.name.value() == name.value()) {
            errors.at(
                name.span(),
                format_args!(
                    "variants `{}` and `{}` are both stored as \"{}\"",
                    earlier.ident,
                    variant.ident,
                    name.value()
                ),
                "every variant needs its own string: give one of them `#[dynatomic(rename = \"...\")]`",
            );
        }
        variants.push(Variant { ident: variant.ident.clone(), name });
    }
    complete.then_some(variants)
}

/// The `#[dynatomic(rename = "...")]` of a variant, if it has one.
fn read_variant_rename(variant: &syn::Variant, errors: &mut Errors) -> Option<syn::LitStr> {
    let mut rename = None;
    for attr in variant.attrs.iter().filter(|a| a.path().is_ident("dynatomic")) {
        let parsed = attr.parse_nested_meta(|meta| {
            if !meta.path.is_ident("rename") {
                return Err(crate::diag::error(
                    meta.path.span(),
                    "unknown `dynatomic` attribute on a variant",
                    "a variant takes `#[dynatomic(rename = \"stored_name\")]`",
                ));
            }
            let literal = crate::derive::string_value(&meta, "rename = \"stored_name\"")?;
            crate::derive::keep_first(&mut rename, literal, errors, &meta.path, "rename = \"stored_name\"");
            Ok(())
        });
        errors.keep(parsed);
    }
    rename
}

fn generate(ident: &Ident, variants: &[Variant]) -> TokenStream {
    let idents: Vec<&Ident> = variants.iter().map(|v| &v.ident).collect();
    let names: Vec<&syn::LitStr> = variants.iter().map(|v| &v.name).collect();
    // A string two variants share (already an error) is read as the first, so that no arm is unreachable.
    let readable: Vec<&Variant> = variants
        .iter()
        .enumerate()
        .filter(|(i, v)| !variants[..*i].iter().any(|earlier| earlier.name.value() == v.name.value()))
        .map(|(_, v)| v)
        .collect();
    let (read_idents, read_names): (Vec<&Ident>, Vec<&syn::LitStr>) =
        readable.iter().map(|v| (&v.ident, &v.name)).unzip();
    quote! {
        impl ::dynatomic::Attribute for #ident {
            type Value = Self;
            type Fields = ::dynatomic::__private::NoFields<Self>;

            fn to_attr(&self) -> ::core::result::Result<::dynatomic::AttributeValue, ::dynatomic::ValueError> {
                let name = match self { #(Self::#idents => #names,)* };
                ::core::result::Result::Ok(::dynatomic::AttributeValue::S(::std::string::String::from(name)))
            }

            fn from_attr(value: ::dynatomic::AttributeValue) -> ::core::result::Result<Self, ::dynatomic::DecodeError> {
                let text = ::dynatomic::__private::variant_text::<Self>(value)?;
                match text.as_str() {
                    #(#read_names => ::core::result::Result::Ok(Self::#read_idents),)*
                    other => ::core::result::Result::Err(
                        ::dynatomic::__private::unknown_variant::<Self>(other, &[#(#read_names),*]),
                    ),
                }
            }

            fn fields() -> &'static Self::Fields {
                ::dynatomic::__private::no_fields()
            }
        }

        impl ::dynatomic::IntoValue<#ident> for #ident {
            fn into_value(self) -> ::core::result::Result<::dynatomic::AttributeValue, ::dynatomic::ValueError> {
                ::dynatomic::Attribute::to_attr(&self)
            }
        }

        impl ::dynatomic::IntoValue<#ident> for &#ident {
            fn into_value(self) -> ::core::result::Result<::dynatomic::AttributeValue, ::dynatomic::ValueError> {
                ::dynatomic::Attribute::to_attr(self)
            }
        }

        impl ::dynatomic::KeyAttribute for #ident {
            const KIND: ::dynatomic::KeyKind = ::dynatomic::KeyKind::String;
        }

        impl ::dynatomic::SetElement for #ident {
            fn set_of(elements: ::std::vec::Vec<::dynatomic::AttributeValue>) -> ::dynatomic::AttributeValue {
                ::dynatomic::__private::string_set(elements)
            }

            fn elements_of(
                set: ::dynatomic::AttributeValue,
            ) -> ::core::result::Result<::std::vec::Vec<::dynatomic::AttributeValue>, ::dynatomic::AttributeValue> {
                ::dynatomic::__private::string_set_elements(set)
            }
        }
    }
}
