//! `rename_all`: the attribute names of a struct's fields or the stored strings of an enum's variants, in
//! one of serde's case conventions and with serde's spelling of them.

use crate::diag;

/// A case convention of `rename_all`.
#[derive(Clone, Copy)]
pub(crate) enum Case {
    Lower,
    Upper,
    Pascal,
    Camel,
    Snake,
    ScreamingSnake,
    Kebab,
    ScreamingKebab,
}

/// Every convention, as serde spells it.
const CASES: [(&str, Case); 8] = [
    ("lowercase", Case::Lower),
    ("UPPERCASE", Case::Upper),
    ("PascalCase", Case::Pascal),
    ("camelCase", Case::Camel),
    ("snake_case", Case::Snake),
    ("SCREAMING_SNAKE_CASE", Case::ScreamingSnake),
    ("kebab-case", Case::Kebab),
    ("SCREAMING-KEBAB-CASE", Case::ScreamingKebab),
];

impl Case {
    /// The convention a `rename_all = "..."` literal names; anything else is refused on the literal.
    pub(crate) fn parse(literal: &syn::LitStr) -> syn::Result<Case> {
        let value = literal.value();
        CASES.iter().find(|(name, _)| *name == value).map(|(_, case)| *case).ok_or_else(|| {
            let names: Vec<&str> = CASES.iter().map(|(name, _)| *name).collect();
            let help = match diag::nearest(&value, &names) {
                Some(near) => format!("did you mean \"{near}\"?"),
                None => format!("use one of serde's conventions: {}", names.join(", ")),
            };
            diag::error(literal.span(), format_args!("unknown `rename_all` convention \"{value}\""), help)
        })
    }

    /// The name of a variant (written in PascalCase) in this convention.
    pub(crate) fn variant(self, variant: &str) -> String {
        let mut words = String::new();
        for (i, ch) in variant.char_indices() {
            if i > 0 && ch.is_uppercase() {
                words.push('_');
            }
            words.push(ch);
        }
        match self {
            Case::Pascal => variant.to_owned(),
            Case::Camel => lower_first(variant),
            Case::Lower => variant.to_ascii_lowercase(),
            Case::Upper => variant.to_ascii_uppercase(),
            other => other.field(&words.to_ascii_lowercase()),
        }
    }

    /// The name of a field (written in snake_case) in this convention.
    pub(crate) fn field(self, field: &str) -> String {
        match self {
            Case::Lower | Case::Snake => field.to_owned(),
            Case::Upper | Case::ScreamingSnake => field.to_ascii_uppercase(),
            Case::Kebab => field.replace('_', "-"),
            Case::ScreamingKebab => field.replace('_', "-").to_ascii_uppercase(),
            Case::Pascal => field.split('_').map(upper_first).collect(),
            Case::Camel => lower_first(&field.split('_').map(upper_first).collect::<String>()),
        }
    }
}

// serde changes the case of ASCII letters only.
fn upper_first(word: &str) -> String {
    let mut chars = word.chars();
    chars.next().map(|first| std::iter::once(first.to_ascii_uppercase()).chain(chars).collect()).unwrap_or_default()
}

fn lower_first(word: &str) -> String {
    let mut chars = word.chars();
    chars.next().map(|first| std::iter::once(first.to_ascii_lowercase()).chain(chars).collect()).unwrap_or_default()
}

/// Reads `rename_all = "..."` into `slot`, refusing a second one.
pub(crate) fn read_rename_all(
    meta: &syn::meta::ParseNestedMeta,
    slot: &mut Option<Case>,
    errors: &mut diag::Errors,
) -> syn::Result<()> {
    let literal = crate::derive::string_value(meta, "rename_all = \"snake_case\"")?;
    let case = Case::parse(&literal)?;
    crate::derive::keep_first(slot, case, errors, &meta.path, "rename_all = \"...\"");
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn variants_follow_serde() {
        let cases: Vec<String> = CASES.iter().map(|(_, case)| case.variant("PaymentDue")).collect();
        assert_eq!(
            cases,
            [
                "paymentdue",
                "PAYMENTDUE",
                "PaymentDue",
                "paymentDue",
                "payment_due",
                "PAYMENT_DUE",
                "payment-due",
                "PAYMENT-DUE"
            ]
        );
    }

    #[test]
    fn only_ascii_letters_change_case() {
        assert_eq!(Case::Upper.variant("Straße"), "STRAßE");
        assert_eq!(Case::Snake.variant("ÜberZahl"), "Über_zahl");
        assert_eq!(Case::Pascal.field("über_groß"), "überGroß");
    }

    #[test]
    fn fields_follow_serde() {
        let cases: Vec<String> = CASES.iter().map(|(_, case)| case.field("created_at")).collect();
        assert_eq!(
            cases,
            [
                "created_at",
                "CREATED_AT",
                "CreatedAt",
                "createdAt",
                "created_at",
                "CREATED_AT",
                "created-at",
                "CREATED-AT"
            ]
        );
    }
}
