//! The languages the agent speaks: BCP 47 tags with a region, normalised
//! (`es-mx` → `es-MX`; a bare `es` takes the language's default region).

/// Every supported tag; the first of each language is its default region.
pub const SUPPORTED: &[&str] = &[
    "en-US", "en-GB", "en-AU", "en-CA", "en-IE", "en-NZ", "en-IN", "es-ES", "es-MX", "es-US",
    "es-AR", "es-CO", "es-CL", "fr-FR", "fr-CA", "fr-BE", "fr-CH", "de-DE", "de-AT", "de-CH",
    "pt-BR", "pt-PT",
];

/// The language the conversation is held in, for choosing a language pack.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Lang {
    En,
    Es,
    Fr,
    De,
    Pt,
}

/// Normalises a tag, or says which tags are supported.
pub fn normalize(tag: &str) -> Result<String, String> {
    let tag = tag.trim().replace('_', "-");
    let mut parts = tag.splitn(2, '-');
    let language = parts.next().unwrap_or_default().to_ascii_lowercase();
    let region = parts.next().map(str::to_ascii_uppercase);
    let candidate = match region {
        Some(region) => format!("{language}-{region}"),
        None => SUPPORTED
            .iter()
            .find(|t| t.starts_with(&format!("{language}-")))
            .map(|t| (*t).to_owned())
            .unwrap_or(language),
    };
    SUPPORTED
        .iter()
        .find(|t| **t == candidate)
        .map(|t| (*t).to_owned())
        .ok_or_else(|| {
            format!(
                "Unsupported language {:?}. Supported: {} (or just en, es, fr, de, pt).",
                tag,
                SUPPORTED.join(", ")
            )
        })
}

/// The pack a (normalised) tag speaks.
pub fn lang(tag: &str) -> Lang {
    match tag.get(..2) {
        Some("es") => Lang::Es,
        Some("fr") => Lang::Fr,
        Some("de") => Lang::De,
        Some("pt") => Lang::Pt,
        _ => Lang::En,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn normalises_case_and_default_regions() {
        assert_eq!(normalize("es-mx").as_deref(), Ok("es-MX"));
        assert_eq!(normalize("pt").as_deref(), Ok("pt-BR"));
        assert_eq!(normalize("en_gb").as_deref(), Ok("en-GB"));
        assert_eq!(normalize("fr").as_deref(), Ok("fr-FR"));
    }

    #[test]
    fn unsupported_tags_list_the_supported_ones() {
        let e = normalize("ja-JP").unwrap_err();
        assert!(e.contains("en-US") && e.contains("pt-PT"), "{e}");
        assert!(normalize("en-ZZ").is_err());
        assert!(normalize("").is_err());
    }
}
