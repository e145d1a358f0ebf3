//! Text in both languages. Unlike [`model::Text`] it may own its strings, because step titles
//! and explanations often name the versions of the route being planned.

use std::borrow::Cow;

use model::Lang;
use serde::{Deserialize, Serialize};

/// A sentence or a title in English and Japanese.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Tr {
    pub en: Cow<'static, str>,
    pub ja: Cow<'static, str>,
}

impl Tr {
    pub fn new(en: impl Into<Cow<'static, str>>, ja: impl Into<Cow<'static, str>>) -> Tr {
        Tr {
            en: en.into(),
            ja: ja.into(),
        }
    }

    pub fn get(&self, lang: Lang) -> &str {
        match lang {
            Lang::En => &self.en,
            Lang::Ja => &self.ja,
        }
    }
}

/// Shorthand for [`Tr::new`], used throughout the procedures.
pub fn tr(en: impl Into<Cow<'static, str>>, ja: impl Into<Cow<'static, str>>) -> Tr {
    Tr::new(en, ja)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn picks_the_language_and_keeps_owned_text() {
        let version = "4.4";
        let text = tr(
            format!("Upgrade to {version}"),
            format!("{version} へアップグレード"),
        );
        assert_eq!(text.get(Lang::En), "Upgrade to 4.4");
        assert_eq!(text.get(Lang::Ja), "4.4 へアップグレード");
        let json = serde_json::to_string(&text).unwrap();
        assert_eq!(serde_json::from_str::<Tr>(&json).unwrap(), text);
    }
}
