//! Understanding the customer. `LanguageModel` is the seam where a real
//! model plugs in; `KeywordModel` is the built-in one: it listens for each
//! language pack's words, which is enough for the simulator and for plain
//! replies.

use super::packs::pack;
use crate::language::Lang;

/// What the agent asked, so a reply can be read in context.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Expect {
    /// A yes/no question (or an offer).
    YesNo,
    /// A 1-to-5 satisfaction score.
    Rating,
}

/// What the customer meant.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Intent {
    Yes,
    No,
    /// Wants a human.
    Human,
    /// Wants to be called back later.
    Callback,
    Rating(u8),
    Unclear,
}

/// Reads a customer's reply.
pub trait LanguageModel: Send + Sync {
    fn understand(&self, lang: Lang, text: &str, expect: Expect) -> Intent;
}

/// Keyword matching on whole words, with the pack's phrases.
#[derive(Debug, Clone, Copy, Default)]
pub struct KeywordModel;

impl LanguageModel for KeywordModel {
    fn understand(&self, lang: Lang, text: &str, expect: Expect) -> Intent {
        let words = &pack(lang).words;
        let said = normalize(text);
        let has = |phrases: &[&str]| {
            phrases
                .iter()
                .any(|p| contains_phrase(&said, &normalize(p)))
        };
        if has(words.human) {
            return Intent::Human;
        }
        if expect == Expect::Rating
            && let Some(score) = rating(&said, &words.numbers)
        {
            return Intent::Rating(score);
        }
        if has(words.callback) {
            return Intent::Callback;
        }
        // "No" first: "no thanks" carries a polite word that also means yes.
        if has(words.no) {
            return Intent::No;
        }
        if has(words.yes) {
            return Intent::Yes;
        }
        Intent::Unclear
    }
}

/// Lower-case words separated by single spaces, accents kept.
fn normalize(text: &str) -> Vec<String> {
    text.to_lowercase()
        .split(|c: char| !c.is_alphanumeric() && c != '\'')
        .filter(|w| !w.is_empty())
        .map(str::to_owned)
        .collect()
}

fn contains_phrase(words: &[String], phrase: &[String]) -> bool {
    !phrase.is_empty() && words.windows(phrase.len()).any(|w| w == phrase)
}

fn rating(words: &[String], numbers: &[&[&str]; 5]) -> Option<u8> {
    words.iter().find_map(|w| match w.as_str() {
        "1" | "2" | "3" | "4" | "5" => w.parse().ok(),
        _ => numbers
            .iter()
            .position(|spelled| spelled.iter().any(|s| s == w))
            .map(|i| i as u8 + 1),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn en(text: &str) -> Intent {
        KeywordModel.understand(Lang::En, text, Expect::YesNo)
    }

    #[test]
    fn reads_plain_english_replies() {
        assert_eq!(en("Yes please"), Intent::Yes);
        assert_eq!(en("No thanks"), Intent::No);
        assert_eq!(en("I want to talk to a human"), Intent::Human);
        assert_eq!(en("Could you call me back tomorrow?"), Intent::Callback);
        assert_eq!(en("Hmm, what?"), Intent::Unclear);
        assert_eq!(
            en("I know it now"),
            Intent::Unclear,
            "no/now are whole words"
        );
        assert_eq!(
            KeywordModel.understand(Lang::En, "four, I think", Expect::Rating),
            Intent::Rating(4)
        );
    }
}
