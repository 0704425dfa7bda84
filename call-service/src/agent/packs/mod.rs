//! The language packs, one file per language.

mod de;
mod en;
mod es;
mod fr;
mod pt;

use super::pack::Pack;
use crate::language::Lang;

/// The pack of a language.
pub fn pack(lang: Lang) -> &'static Pack {
    match lang {
        Lang::En => &en::PACK,
        Lang::Es => &es::PACK,
        Lang::Fr => &fr::PACK,
        Lang::De => &de::PACK,
        Lang::Pt => &pt::PACK,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::agent::nlu::{Expect, Intent, KeywordModel, LanguageModel};
    use std::collections::BTreeSet;

    const ALL: [Lang; 5] = [Lang::En, Lang::Es, Lang::Fr, Lang::De, Lang::Pt];

    fn placeholders(template: &str) -> BTreeSet<String> {
        template
            .split('{')
            .skip(1)
            .filter_map(|rest| rest.split_once('}').map(|(name, _)| name.to_owned()))
            .collect()
    }

    /// Every template of every pack, by name, via Debug (the packs are
    /// plain data).
    fn templates(pack: &Pack) -> Vec<String> {
        let debug = format!("{:#?}", pack.agent);
        debug.lines().map(str::to_owned).collect()
    }

    #[test]
    fn every_translation_has_the_english_placeholders() {
        let english = templates(pack(Lang::En));
        for lang in ALL {
            let other = templates(pack(lang));
            assert_eq!(english.len(), other.len(), "{lang:?}");
            for (en, line) in english.iter().zip(&other) {
                assert_eq!(placeholders(en), placeholders(line), "{lang:?}: {line}");
            }
        }
    }

    #[test]
    fn the_simulated_customer_is_understood_in_every_language() {
        let model = KeywordModel;
        for lang in ALL {
            let c = &pack(lang).customer;
            let yes_no = |text: &str| model.understand(lang, text, Expect::YesNo);
            for agree in [
                c.agree_cart,
                c.agree_order,
                c.agree_follow_up,
                c.agree_notification,
                c.thanks,
            ] {
                assert_eq!(yes_no(agree), Intent::Yes, "{lang:?}: {agree}");
            }
            assert_eq!(yes_no(c.decline), Intent::No, "{lang:?}: {}", c.decline);
            assert_eq!(
                yes_no(c.ask_for_human),
                Intent::Human,
                "{lang:?}: {}",
                c.ask_for_human
            );
            for score in 1..=5u8 {
                let text = c.rating.replace("{score}", &score.to_string());
                assert_eq!(
                    model.understand(lang, &text, Expect::Rating),
                    Intent::Rating(score),
                    "{lang:?}: {text}"
                );
            }
        }
    }
}
