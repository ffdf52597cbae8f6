//! `#[derive(Item)]`: reads a struct into a schema model, checks it, and generates the field probes, the
//! item conversion and the key.

use proc_macro2::{Ident, Span, TokenStream};
use quote::{ToTokens, format_ident, quote, quote_spanned};
use syn::ext::IdentExt;
use syn::spanned::Spanned;

use crate::case::{Case, read_rename_all};
use crate::diag::Errors;

/// The schema of one struct.
struct Schema {
    ident: Ident,
    vis: syn::Visibility,
    table: Option<syn::LitStr>,
    fields: Vec<Field>,
    /// The field with `#[dynatomic(ttl)]`, if there is one.
    ttl: Option<String>,
}

/// One field and its attribute.
struct Field {
    ident: Ident,
    ty: syn::Type,
    /// The attribute name: the `rename`, or the field's name.
    name: String,
    name_span: Span,
    key: Option<KeyPart>,
    /// The span of `version` in `#[dynatomic(version)]`, on the field whose attribute dynatomic manages.
    version: Option<Span>,
    /// The span of `default` in `#[dynatomic(default)]`, on a field read as `Default::default()` when its
    /// attribute is missing (and which an upsert need not set).
    default: Option<Span>,
    /// How the value is stored.
    storage: Storage,
}

impl Field {
    /// Whether an item can be read without the field's attribute: an `Option`, and stored as its own type also a
    /// set (a serde set needs its attribute).
    fn may_be_absent(&self) -> bool {
        match self.stored_as() {
            Storage::Serde(_) => option_inner(&self.ty).is_some(),
            Storage::Plain | Storage::Ttl(_) => absent_when_empty(&self.ty),
        }
    }

    /// How the field is stored: a key or the version as its own type, whatever else it is marked with (that is
    /// refused, once, by [`check_storage`]).
    fn stored_as(&self) -> Storage {
        match self.key.is_some() || self.version.is_some() {
            true => Storage::Plain,
            false => self.storage,
        }
    }
}

/// How a field's value is stored.
#[derive(Clone, Copy)]
enum Storage {
    /// As its type's `Attribute` impl says.
    Plain,
    /// `#[dynatomic(ttl)]` (the span of `ttl`): a timestamp stored as epoch seconds.
    Ttl(Span),
    /// `#[dynatomic(serde)]` (the span of `serde`): stored with serde_dynamo.
    Serde(Span),
}

impl Storage {
    /// The option that selects this storage, and its span.
    fn option(self) -> Option<(&'static str, Span)> {
        match self {
            Storage::Plain => None,
            Storage::Ttl(span) => Some(("ttl", span)),
            Storage::Serde(span) => Some(("serde", span)),
        }
    }

    /// The runtime functions that store and read the field: put, take, and take with a default.
    fn functions(self) -> (&'static str, &'static str, &'static str) {
        match self {
            Storage::Plain => ("put_field", "take_field", "take_field_or_default"),
            Storage::Ttl(_) => ("put_ttl", "take_ttl", "take_ttl"),
            Storage::Serde(_) => ("put_serde", "take_serde", "take_serde_or_default"),
        }
    }
}

/// The part of the table's key a field is.
#[derive(Clone, Copy, PartialEq)]
enum KeyPart {
    Partition,
    Sort,
}

impl KeyPart {
    /// The key part an attribute option names, if it names one.
    fn named(path: &syn::Path) -> Option<KeyPart> {
        [KeyPart::Partition, KeyPart::Sort].into_iter().find(|part| path.is_ident(part.word()))
    }

    /// The attribute option that marks a field as this key part.
    fn word(self) -> &'static str {
        match self {
            KeyPart::Partition => "partition_key",
            KeyPart::Sort => "sort_key",
        }
    }
}

pub(crate) fn expand(input: syn::DeriveInput) -> TokenStream {
    let mut errors = Errors::default();
    let schema = read(input, &mut errors);
    if let Some(schema) = &schema {
        check(schema, &mut errors);
    }
    let generated = schema.map(|s| generate(&s)).unwrap_or_default();
    let errors = errors.to_compile_errors();
    quote! { #errors #generated }
}

/// Reads a struct and its `dynatomic` attributes into a schema, refusing what the derive cannot describe.
fn read(input: syn::DeriveInput, errors: &mut Errors) -> Option<Schema> {
    let syn::Data::Struct(data) = input.data else {
        errors.at(
            input.ident.span(),
            "`#[derive(Item)]` works on structs only",
            "describe the item as a struct with named fields",
        );
        return None;
    };
    let syn::Fields::Named(named) = data.fields else {
        errors.at(
            input.ident.span(),
            "`#[derive(Item)]` needs named fields",
            "name every field: they are the item's attributes",
        );
        return None;
    };
    if !input.generics.params.is_empty() {
        // Nothing is generated for a generic struct: impls without its parameters would only add errors.
        errors.on(
            &input.generics,
            "`#[derive(Item)]` does not support generic structs",
            "remove the type, lifetime and const parameters: every field needs a concrete type",
        );
        return None;
    }
    let mut table: Option<syn::LitStr> = None;
    let mut rename_all = None;
    for attr in input.attrs.iter().filter(|a| a.path().is_ident("dynatomic")) {
        let parsed = attr.parse_nested_meta(|meta| {
            if meta.path.is_ident("rename_all") {
                read_rename_all(&meta, &mut rename_all, errors)
            } else if meta.path.is_ident("table") {
                let lit = string_value(&meta, "table = \"name\"")?;
                keep_first(&mut table, lit, errors, &meta.path, "table = \"name\"");
                Ok(())
            } else {
                Err(crate::diag::error(
                    meta.path.span(),
                    "unknown `dynatomic` attribute on a struct",
                    "the struct takes `#[dynatomic(table = \"name\")]` and `#[dynatomic(rename_all = \"camelCase\")]`",
                ))
            }
        });
        errors.keep(parsed);
    }
    let fields: Vec<Field> = named.named.into_iter().filter_map(|f| read_field(f, rename_all, errors)).collect();
    let ttl = fields.iter().find(|f| matches!(f.stored_as(), Storage::Ttl(_))).map(|f| f.name.clone());
    Some(Schema { ident: input.ident, vis: input.vis, table, fields, ttl })
}

/// Reads one field and its `dynatomic` attributes; a repeated or conflicting option is refused.
fn read_field(field: syn::Field, rename_all: Option<Case>, errors: &mut Errors) -> Option<Field> {
    let ident = field.ident?;
    let mut rename: Option<syn::LitStr> = None;
    let mut key: Option<KeyPart> = None;
    let mut version = None;
    let mut default = None;
    let mut storage = Storage::Plain;
    for attr in field.attrs.iter().filter(|a| a.path().is_ident("dynatomic")) {
        let parsed = attr.parse_nested_meta(|meta| {
            let path = &meta.path;
            if path.is_ident("version") {
                keep_first(&mut version, path.span(), errors, path, "version");
            } else if path.is_ident("default") {
                keep_first(&mut default, path.span(), errors, path, "default");
            } else if path.is_ident("ttl") || path.is_ident("serde") {
                let chosen = if path.is_ident("ttl") { Storage::Ttl(path.span()) } else { Storage::Serde(path.span()) };
                match storage.option() {
                    None => storage = chosen,
                    Some((earlier, _)) if path.is_ident(earlier) => repeated(errors, path, earlier),
                    Some((earlier, _)) => errors.at(
                        path.span(),
                        format_args!("a field is stored either as `ttl` or as `serde`, not both (`{earlier}` is given)"),
                        "keep one of them",
                    ),
                }
            } else if let Some(part) = KeyPart::named(path) {
                match key {
                    Some(earlier) if earlier == part => repeated(errors, path, part.word()),
                    Some(_) => {
                        errors.at(
                            path.span(),
                            "a field is either the partition key or the sort key, not both",
                            "keep one of `partition_key` and `sort_key` on this field",
                        );
                        // Read as the partition key, so that a missing one is not reported as well.
                        key = Some(KeyPart::Partition);
                    }
                    None => key = Some(part),
                }
            } else if path.is_ident("rename") {
                let lit = string_value(&meta, "rename = \"attribute_name\"")?;
                keep_first(&mut rename, lit, errors, path, "rename = \"attribute_name\"");
            } else {
                return Err(crate::diag::error(
                    path.span(),
                    "unknown `dynatomic` attribute on a field",
                    "a field takes `partition_key`, `sort_key`, `version`, `default`, `ttl`, `serde` or `rename = \"attribute_name\"`",
                ));
            }
            Ok(())
        });
        errors.keep(parsed);
    }
    let (name, name_span) = match (rename, rename_all) {
        (Some(lit), _) => (lit.value(), lit.span()),
        (None, Some(case)) => (case.field(&ident.unraw().to_string()), ident.span()),
        (None, None) => (ident.unraw().to_string(), ident.span()),
    };
    Some(Field { ident, ty: field.ty, name, name_span, key, version, default, storage })
}

/// The string literal after `option =`; anything else is refused with the way to write it, `usage`.
pub(crate) fn string_value(meta: &syn::meta::ParseNestedMeta, usage: &str) -> syn::Result<syn::LitStr> {
    meta.value().and_then(|value| value.parse()).map_err(|e| {
        crate::diag::error(
            e.span(),
            format_args!("`{}` takes a string literal", meta.path.to_token_stream()),
            format_args!("write `{usage}`"),
        )
    })
}

/// Keeps the first value of an attribute option in `slot`; a second one is refused (see [`repeated`]).
pub(crate) fn keep_first<T>(slot: &mut Option<T>, value: T, errors: &mut Errors, path: &syn::Path, usage: &str) {
    match slot {
        Some(_) => repeated(errors, path, usage),
        None => *slot = Some(value),
    }
}

/// Refuses an attribute option given a second time, on its `path`; the first one stays in effect.
fn repeated(errors: &mut Errors, path: &syn::Path, usage: &str) {
    errors.at(
        path.span(),
        format_args!("`{}` is given twice", path.to_token_stream()),
        format_args!("keep one `{usage}`"),
    );
}

/// Checks the rules that span fields: the key, the version and the attribute names.
fn check(schema: &Schema, errors: &mut Errors) {
    for part in [KeyPart::Partition, KeyPart::Sort] {
        for extra in schema.fields.iter().filter(|f| f.key == Some(part)).skip(1) {
            errors.at(
                extra.ident.span(),
                "a table has one partition key and at most one sort key",
                "mark only one field with this key attribute",
            );
        }
    }
    let has = |part| schema.fields.iter().any(|f| f.key == Some(part));
    let versions: Vec<(&Field, Span)> = schema.fields.iter().filter_map(|f| f.version.map(|span| (f, span))).collect();
    for (field, span) in &versions {
        if field.key.is_some() {
            errors.at(
                *span,
                "a key attribute cannot be the version",
                "put `#[dynatomic(version)]` on an integer field of its own, such as `version: u64`",
            );
        } else if !has(KeyPart::Partition) {
            errors.at(
                *span,
                "only an item with a partition key can have a version",
                "mark the partition key field with `#[dynatomic(partition_key)]`, or remove `version`",
            );
        }
    }
    for (_, span) in versions.iter().skip(1) {
        errors.at(*span, "an item has at most one version attribute", "keep `#[dynatomic(version)]` on one field");
    }
    for field in &schema.fields {
        let Some(span) = field.default else { continue };
        if field.key.is_some() {
            errors.at(span, "a key attribute has no default", "remove `default`: every item has its key");
        } else if field.version.is_some() {
            errors.at(span, "the version has no default", "remove `default`: a missing version reads as 0");
        }
    }
    check_storage(schema, errors);
    if has(KeyPart::Sort) && !has(KeyPart::Partition) {
        errors.at(
            schema.ident.span(),
            "a sort key needs a partition key",
            "mark the partition key field with `#[dynatomic(partition_key)]`",
        );
    }
    if let Some(table) = &schema.table
        && !has(KeyPart::Partition)
    {
        errors.at(
            table.span(),
            "a table needs a partition key",
            "mark the partition key field with `#[dynatomic(partition_key)]`",
        );
    }
    for (i, field) in schema.fields.iter().enumerate() {
        if field.name.is_empty() {
            errors.at(field.name_span, "an attribute name cannot be empty", "give `rename` a non-empty name");
        }
        if field.name.starts_with("dynatomic:") {
            errors.at(
                field.name_span,
                "attribute names that start with `dynatomic:` are dynatomic's own: its locks are stored under them",
                "give `rename` another name",
            );
        }
        if schema.fields[..i].iter().any(|earlier| earlier.name == field.name) {
            errors.at(
                field.name_span,
                format_args!("two fields are stored as the attribute `{}`", field.name),
                "every field needs its own attribute name: change one `rename`",
            );
        }
    }
}

/// Checks the fields stored as TTL or with serde: neither is a key or the version, a TTL has no default, and a
/// table has one TTL attribute.
fn check_storage(schema: &Schema, errors: &mut Errors) {
    for field in &schema.fields {
        let Some((option, span)) = field.storage.option() else { continue };
        if field.key.is_some() {
            errors.at(
                span,
                format_args!("a key attribute cannot be stored as `{option}`"),
                format_args!("remove `{option}`: a key is stored as its own type"),
            );
        } else if field.version.is_some() {
            errors.at(
                span,
                format_args!("the version cannot be stored as `{option}`"),
                format_args!("remove `{option}`"),
            );
        } else if let (Storage::Ttl(_), Some(default)) = (field.storage, field.default) {
            errors.at(
                default,
                "a TTL field has no default",
                "remove `default` and make the field an `Option`: an item without the attribute never expires",
            );
        }
    }
    let ttls: Vec<Span> = schema
        .fields
        .iter()
        .filter_map(|f| match f.stored_as() {
            Storage::Ttl(span) => Some(span),
            _ => None,
        })
        .collect();
    if let (Some(first), false) = (ttls.first(), schema.fields.iter().any(|f| f.key == Some(KeyPart::Partition))) {
        errors.at(
            *first,
            "TTL needs an item: DynamoDB reads it from a top-level attribute of a table's items",
            "move the field to the item that is stored in the table (the struct with the partition key)",
        );
    }
    for span in ttls.iter().skip(1).copied() {
        errors.at(
            span,
            "a table has at most one TTL attribute",
            "keep `#[dynatomic(ttl)]` on the one field DynamoDB should expire items by",
        );
    }
}

/// The type `update!` and `condition!` see for a field: its own, or the stored form of a TTL or serde field.
fn probe_type(field: &Field, item: &Ident) -> TokenStream {
    let ty = outside_self(&field.ty, item);
    match field.stored_as() {
        Storage::Plain => ty.into_token_stream(),
        Storage::Ttl(_) => quote_spanned! {ty.span()=> ::dynatomic::__private::Ttl<#ty> },
        Storage::Serde(_) => match option_inner(&ty) {
            Some(inner) => {
                quote_spanned! {ty.span()=> ::core::option::Option<::dynatomic::Serialized<#inner>> }
            }
            None => quote_spanned! {ty.span()=> ::dynatomic::Serialized<#ty> },
        },
    }
}

/// `T` of a type written `Option<T>`.
fn option_inner(ty: &syn::Type) -> Option<&syn::Type> {
    let syn::Type::Path(path) = ty else { return None };
    let last = path.path.segments.last().filter(|last| last.ident == "Option")?;
    match &last.arguments {
        syn::PathArguments::AngleBracketed(args) => match args.args.first() {
            Some(syn::GenericArgument::Type(inner)) if args.args.len() == 1 => Some(inner),
            _ => None,
        },
        _ => None,
    }
}

fn generate(schema: &Schema) -> TokenStream {
    let Schema { ident, vis, .. } = schema;
    let module = format_ident!("__dynatomic_{}", ident);
    let probe_struct = format_ident!("{}Fields", ident, span = ident.span());
    let probes = schema.fields.iter().map(|f| {
        let field = &f.ident;
        let ty = probe_type(f, ident);
        let role = match (f.key, f.version) {
            (Some(_), _) => quote!(::dynatomic::__private::PartOfKey),
            (None, Some(_)) => quote!(::dynatomic::__private::Version),
            (None, None) => quote!(::dynatomic::__private::Data),
        };
        quote_spanned! {f.ty.span()=> pub #field: ::dynatomic::__private::Attr<#ty, #role, #module::field_markers::#field> }
    });
    let markers = schema.fields.iter().map(|f| {
        let field = &f.ident;
        quote! { pub struct #field; }
    });
    let attribute_names = schema.fields.iter().map(|f| &f.name);
    // Each default stored as the field is, so that a default that is absent (`None`, an empty set) is absent.
    let defaults = schema.fields.iter().filter(|f| f.default.is_some()).map(|f| {
        let (name, ty) = (&f.name, &f.ty);
        let put = Ident::new(f.stored_as().functions().0, ty.span());
        quote_spanned! {ty.span()=>
            let mut stored = ::std::collections::HashMap::new();
            if let (::core::result::Result::Ok(()), ::core::option::Option::Some(value)) = (
                ::dynatomic::__private::#put(&mut stored, #name, &<#ty as ::core::default::Default>::default()),
                stored.remove(#name),
            ) {
                defaults.push((#name, value));
            }
        }
    });
    let defaults = match schema.fields.iter().any(|f| f.default.is_some()) {
        true => quote! {
            fn defaults() -> ::std::vec::Vec<(&'static str, ::dynatomic::AttributeValue)> {
                let mut defaults = ::std::vec::Vec::new();
                #(#defaults)*
                defaults
            }
        },
        false => TokenStream::new(),
    };
    let inits = schema.fields.iter().map(|f| {
        let (field, name) = (&f.ident, &f.name);
        quote! { #field: ::dynatomic::__private::Attr::new(#name) }
    });
    // Under the field type's span, so that an unsupported type is reported once, on the type.
    let puts = schema.fields.iter().map(|f| {
        let (field, name) = (&f.ident, &f.name);
        let put = Ident::new(f.stored_as().functions().0, f.ty.span());
        quote_spanned! {f.ty.span()=> ::dynatomic::__private::#put(&mut item, #name, &self.#field)?; }
    });
    let takes = schema.fields.iter().map(|f| {
        let (field, name) = (&f.ident, &f.name);
        let (_, take, take_or_default) = f.stored_as().functions();
        // A stored item without its version attribute is at version 0.
        let take = match (f.version, f.key) {
            (Some(_), None) => Ident::new("take_version", f.ty.span()),
            _ if f.default.is_some() => Ident::new(take_or_default, f.ty.span()),
            _ => Ident::new(take, f.ty.span()),
        };
        quote_spanned! {f.ty.span()=> #field: ::dynatomic::__private::#take(&mut item, #name)? }
    });
    let count = schema.fields.len();
    let type_name = ident.to_string();
    let item = generate_item(schema);
    let (coverage, upsertable) = generate_coverage(schema);
    // The runtime's naming rule, evaluated at compile time and reported on the literal.
    let table_name = schema.table.as_ref().map(|table| {
        quote_spanned! {table.span()=> const _: () = ::dynatomic::__private::assert_table_name(#table); }
    });
    quote! {
        #table_name

        /// The attribute probes of the struct's fields, read by `update!` and `condition!`. Beside the struct, so
        /// that its field types are named as the struct names them.
        #[doc(hidden)]
        #[allow(non_snake_case, non_camel_case_types, private_interfaces, missing_docs, dead_code)]
        #vis struct #probe_struct { #(#probes,)* }

        /// The field markers and the upsert coverage of the struct, which name no type of the user's.
        #[doc(hidden)]
        #[allow(non_snake_case, non_camel_case_types, missing_docs, dead_code)]
        #vis mod #module {
            /// A marker type per field, which the probes carry.
            pub mod field_markers {
                #(#markers)*
            }
            #coverage
        }

        impl ::dynatomic::Attribute for #ident {
            type Value = Self;
            type Fields = #probe_struct;

            fn to_attr(&self) -> ::core::result::Result<::dynatomic::AttributeValue, ::dynatomic::ValueError> {
                ::dynatomic::Document::to_item(self).map(::dynatomic::AttributeValue::M)
            }

            fn from_attr(value: ::dynatomic::AttributeValue) -> ::core::result::Result<Self, ::dynatomic::DecodeError> {
                ::dynatomic::Document::from_item(::dynatomic::__private::map_entries(value, #type_name)?)
            }

            fn fields() -> &'static Self::Fields {
                static FIELDS: #probe_struct = #probe_struct { #(#inits,)* };
                &FIELDS
            }
        }

        impl ::dynatomic::Document for #ident {
            const ATTRIBUTES: &'static [&'static str] = &[#(#attribute_names),*];

            #defaults

            fn to_item(&self) -> ::core::result::Result<
                ::std::collections::HashMap<::std::string::String, ::dynatomic::AttributeValue>,
                ::dynatomic::ValueError,
            > {
                let mut item = ::std::collections::HashMap::with_capacity(#count);
                #(#puts)*
                ::core::result::Result::Ok(item)
            }

            fn from_item(
                mut item: ::std::collections::HashMap<::std::string::String, ::dynatomic::AttributeValue>,
            ) -> ::core::result::Result<Self, ::dynatomic::DecodeError> {
                ::core::result::Result::Ok(Self { #(#takes,)* })
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

        impl ::dynatomic::kind::Measured for #ident {
            type Length = usize;
        }

        #item
        #upsertable
    }
}

/// The `Item` impl and the `key` constructor, for a struct with a partition key.
fn generate_item(schema: &Schema) -> TokenStream {
    let key_field = |part| schema.fields.iter().find(|f| f.key == Some(part));
    let Some(partition) = key_field(KeyPart::Partition) else {
        return TokenStream::new();
    };
    let keys: Vec<&Field> = [Some(partition), key_field(KeyPart::Sort)].into_iter().flatten().collect();
    let Schema { ident, vis, .. } = schema;
    let table = schema.table.as_ref().map(syn::LitStr::value).unwrap_or_else(|| ident.to_string());
    let key_def = |f: &Field| {
        let (name, ty) = (&f.name, &f.ty);
        quote_spanned! {ty.span()=> (#name, <#ty as ::dynatomic::KeyAttribute>::KIND) }
    };
    let partition_def = key_def(partition);
    let sort_def = match key_field(KeyPart::Sort) {
        Some(sort) => {
            let def = key_def(sort);
            quote!(::core::option::Option::Some(#def))
        }
        None => quote!(::core::option::Option::None),
    };
    let params = keys.iter().map(|f| {
        let (field, ty) = (&f.ident, &f.ty);
        quote! { #field: impl ::dynatomic::IntoValue<<#ty as ::dynatomic::Attribute>::Value> }
    });
    let from_params = keys.iter().map(|f| {
        let (field, name) = (&f.ident, &f.name);
        quote! { (#name, ::dynatomic::IntoValue::into_value(#field)) }
    });
    let from_self = keys.iter().map(|f| {
        let (field, name) = (&f.ident, &f.name);
        quote! { (#name, ::dynatomic::Attribute::to_attr(&self.#field)) }
    });
    let version_field = schema.fields.iter().find(|f| f.version.is_some() && f.key.is_none());
    let versioned = match version_field {
        Some(_) => quote! { impl ::dynatomic::Versioned for #ident {} },
        None => quote! { impl ::dynatomic::Unversioned for #ident {} },
    };
    // Through the one check that the field is an unsigned integer, so that another type is reported once.
    let version_type = match version_field {
        Some(f) => {
            let ty = &f.ty;
            quote_spanned! {ty.span()=> <#ty as ::dynatomic::kind::VersionNumber>::Stored }
        }
        None => quote! { () },
    };
    let version_items = version_field.map(|f| {
        let (field, name, ty) = (&f.ident, &f.name, &f.ty);
        // The one check that the field is an unsigned integer, under the field type's span.
        let max = quote_spanned! {ty.span()=> <#ty as ::dynatomic::kind::VersionNumber>::MAX };
        quote! {
            const VERSION: ::core::option::Option<&'static str> = ::core::option::Option::Some(#name);
            const VERSION_MAX: u64 = #max;

            fn version(&self) -> u64 {
                ::dynatomic::__private::version_number(&self.#field)
            }
        }
    });
    let ttl = schema.ttl.as_ref().map(|name| {
        quote! { const TTL: ::core::option::Option<&'static str> = ::core::option::Option::Some(#name); }
    });
    let doc = format!(
        "The key of the `{ident}` item with this {}.",
        if keys.len() == 2 { "partition key and sort key" } else { "partition key" }
    );
    quote! {
        impl ::dynatomic::Item for #ident {
            const TABLE: &'static str = #table;
            const KEY: ::dynatomic::KeySchema =
                ::dynatomic::KeySchema { partition: #partition_def, sort: #sort_def };

            type Version = #version_type;

            #ttl

            fn item_key(&self) -> ::dynatomic::Key<Self> {
                ::dynatomic::Key::__new([#(#from_self),*])
            }

            #version_items
        }

        #versioned

        impl #ident {
            #[doc = #doc]
            #vis fn key(#(#params),*) -> ::dynatomic::Key<Self> {
                ::dynatomic::Key::__new([#(#from_params),*])
            }
        }
    }
}

/// For an item, the record of the fields an `upsert!` sets (in the probe module): a type parameter per field
/// that is neither a key nor the version, `Covered` or `Uncovered`; `complete()` exists only when every field
/// without a default is covered, and each unmet bound names its field.
/// Returns the items of the probe module and the `Upsertable` impl, which goes next to the struct.
fn generate_coverage(schema: &Schema) -> (TokenStream, TokenStream) {
    if !schema.fields.iter().any(|f| f.key == Some(KeyPart::Partition)) {
        return (TokenStream::new(), TokenStream::new());
    }
    let ident = &schema.ident;
    let data: Vec<&Field> = schema.fields.iter().filter(|f| f.key.is_none() && f.version.is_none()).collect();
    let params: Vec<Ident> = (0..data.len()).map(|i| format_ident!("F{}", i)).collect();
    // A field with a default, an `Option` or a set is not required: it has a type parameter, and no bound.
    let required = data.iter().zip(&params).filter(|(f, _)| f.default.is_none() && !f.may_be_absent());
    let uncovered = data.iter().map(|_| quote!(::dynatomic::__private::Uncovered));
    let covers = schema.fields.iter().map(|f| {
        let field = &f.ident;
        let (covered, body) = match data.iter().position(|d| d.ident == f.ident) {
            Some(at) => {
                let next = params.iter().enumerate().map(|(i, p)| match i == at {
                    true => quote!(::dynatomic::__private::Covered),
                    false => quote!(#p),
                });
                (quote!(UpsertCoverage<#(#next),*>), quote!(UpsertCoverage(::core::marker::PhantomData)))
            }
            // Keys and the version are not written by an upsert's assignments (that is refused elsewhere).
            None => (quote!(Self), quote!(self)),
        };
        quote! {
            impl<#(#params),*> ::dynatomic::__private::Cover<field_markers::#field> for UpsertCoverage<#(#params),*> {
                type Covered = #covered;
                fn cover(self) -> Self::Covered { #body }
            }
        }
    });
    let required = required.map(|(f, param)| {
        let (field, ty) = (&f.ident, &f.ty);
        let message = format!("`upsert!` must set `{field}`: a new `{ident}` cannot be read without it");
        let label = format!("`{field}` is not set by this upsert");
        let bound = quote! { #param: upsert_required::#field };
        let check = quote_spanned! {ty.span()=>
            #[diagnostic::on_unimplemented(
                message = #message,
                label = #label,
                note = "set it in the upsert, give the field a default with `#[dynatomic(default)]`, or make it an `Option`"
            )]
            pub trait #field {}
            impl #field for ::dynatomic::__private::Covered {}
        };
        (bound, check)
    });
    let (bounds, checks): (Vec<_>, Vec<_>) = required.unzip();
    let inside = quote! {
        /// Which fields an `upsert!` sets.
        pub struct UpsertCoverage<#(#params),*>(pub ::core::marker::PhantomData<fn() -> (#(#params,)*)>);
        /// One trait per field an item cannot be read without: an upsert must set it.
        pub mod upsert_required {
            #(#checks)*
        }
        #(#covers)*
        impl<#(#params),*> UpsertCoverage<#(#params),*> {
            /// Compiles only when every field without a default is set.
            pub fn complete(self) where #(#bounds),* {}
        }
    };
    let module = format_ident!("__dynatomic_{}", ident);
    let upsertable = quote! {
        impl ::dynatomic::__private::Upsertable for #ident {
            type Coverage = #module::UpsertCoverage<#(#uncovered),*>;
            fn coverage() -> Self::Coverage {
                #module::UpsertCoverage(::core::marker::PhantomData)
            }
        }
    };
    (inside, upsertable)
}

/// Whether an item can be read without this field's attribute, by the type as written: `Option<T>` (absent is
/// `None`) and `HashSet` / `BTreeSet` (absent is empty, as DynamoDB has no empty sets). Another name for one of
/// these (a type alias) is taken for a required field, which an upsert must then set.
fn absent_when_empty(ty: &syn::Type) -> bool {
    match ty {
        syn::Type::Path(path) => path
            .path
            .segments
            .last()
            .is_some_and(|last| ["Option", "HashSet", "BTreeSet"].iter().any(|name| last.ident == name)),
        syn::Type::Group(group) => absent_when_empty(&group.elem),
        syn::Type::Paren(paren) => absent_when_empty(&paren.elem),
        _ => false,
    }
}

/// A field type as the probe struct, beside the item, names it: `Self` is the item.
fn outside_self(ty: &syn::Type, item: &Ident) -> syn::Type {
    let mut ty = ty.clone();
    name_self(&mut ty, item);
    ty
}

fn name_self(ty: &mut syn::Type, item: &Ident) {
    match ty {
        syn::Type::Path(type_path) if type_path.qself.is_none() => {
            let path = &mut type_path.path;
            if path.leading_colon.is_none() && path.segments.first().is_some_and(|first| first.ident == "Self") {
                // The item's own identifier, raw if it is written `r#Name`, at the span of `Self`.
                let mut ident = item.clone();
                ident.set_span(path.segments[0].ident.span());
                path.segments[0].ident = ident;
            }
            for segment in &mut path.segments {
                if let syn::PathArguments::AngleBracketed(args) = &mut segment.arguments {
                    for arg in &mut args.args {
                        if let syn::GenericArgument::Type(inner) = arg {
                            name_self(inner, item);
                        }
                    }
                }
            }
        }
        syn::Type::Array(array) => name_self(&mut array.elem, item),
        syn::Type::Slice(slice) => name_self(&mut slice.elem, item),
        syn::Type::Paren(paren) => name_self(&mut paren.elem, item),
        syn::Type::Group(group) => name_self(&mut group.elem, item),
        syn::Type::Tuple(tuple) => tuple.elems.iter_mut().for_each(|elem| name_self(elem, item)),
        _ => {}
    }
}
