//! Filling templates, and writing lists and amounts the way each language
//! does.

use super::pack::Grammar;

/// Replaces each `{name}` with its value.
pub fn fill(template: &str, values: &[(&str, &str)]) -> String {
    values
        .iter()
        .fold(template.to_owned(), |text, (name, value)| {
            text.replace(&format!("{{{name}}}"), value)
        })
}

/// `a`, `a and b`, `a, b and c`.
pub fn list(items: &[String], grammar: &Grammar) -> String {
    match items {
        [] => String::new(),
        [one] => one.clone(),
        [rest @ .., last] => format!("{} {} {last}", rest.join(", "), grammar.and),
    }
}

/// `$89.99`, `89,99 €`, `1 250.00 CHF` — good enough to be read aloud.
pub fn money(value: f64, currency: &str, grammar: &Grammar) -> String {
    let amount = format!("{value:.2}");
    let amount = if grammar.decimal == '.' {
        amount
    } else {
        amount.replace('.', &grammar.decimal.to_string())
    };
    let symbol = match currency.to_ascii_lowercase().as_str() {
        "usd" => "$",
        "eur" => "€",
        "gbp" => "£",
        "brl" => "R$",
        "mxn" | "cad" | "aud" => "$",
        _ => "",
    };
    match (symbol, grammar.symbol_after) {
        ("", _) => format!("{amount} {}", currency.to_ascii_uppercase()),
        (s, false) => format!("{s}{amount}"),
        (s, true) => format!("{amount} {s}"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const EN: Grammar = Grammar {
        and: "and",
        decimal: '.',
        symbol_after: false,
    };
    const FR: Grammar = Grammar {
        and: "et",
        decimal: ',',
        symbol_after: true,
    };

    #[test]
    fn lists_and_amounts() {
        let items = vec!["A".to_owned(), "B".to_owned(), "C".to_owned()];
        assert_eq!(list(&items, &EN), "A, B and C");
        assert_eq!(list(&items[..2], &FR), "A et B");
        assert_eq!(money(89.99, "usd", &EN), "$89.99");
        assert_eq!(money(89.99, "eur", &FR), "89,99 €");
        assert_eq!(money(10.0, "chf", &EN), "10.00 CHF");
        assert_eq!(fill("Hi {name}!", &[("name", "Sarah")]), "Hi Sarah!");
    }
}
