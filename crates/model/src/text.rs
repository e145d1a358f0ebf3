//! The two languages the tool speaks, and text that carries both.

use std::borrow::Cow;
use std::fmt;
use std::str::FromStr;

use serde::{Deserialize, Serialize};

/// Output language. Japanese because the guide is Japanese; English for everyone else.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Lang {
    #[default]
    En,
    Ja,
}

impl Lang {
    /// The language a locale string such as `ja_JP.UTF-8` asks for; English otherwise.
    pub fn from_locale(locale: &str) -> Lang {
        if locale.to_ascii_lowercase().starts_with("ja") {
            Lang::Ja
        } else {
            Lang::En
        }
    }
}

impl fmt::Display for Lang {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Lang::En => "en",
            Lang::Ja => "ja",
        })
    }
}

impl FromStr for Lang {
    type Err = crate::UnknownValue;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        match s {
            "en" => Ok(Lang::En),
            "ja" => Ok(Lang::Ja),
            _ => Err(crate::UnknownValue {
                kind: "language",
                value: s.to_owned(),
                expected: "en, ja".into(),
            }),
        }
    }
}

/// Text in English and Japanese: the one bilingual type every crate speaks in. Fixed wording
/// borrows its strings ([`Text::new`], usable in constants); a message made at run time with an
/// environment's names and numbers owns them ([`Text::owned`]).
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct Text {
    pub en: Cow<'static, str>,
    pub ja: Cow<'static, str>,
}

impl Text {
    pub const fn new(en: &'static str, ja: &'static str) -> Text {
        Text {
            en: Cow::Borrowed(en),
            ja: Cow::Borrowed(ja),
        }
    }

    pub fn owned(en: impl Into<Cow<'static, str>>, ja: impl Into<Cow<'static, str>>) -> Text {
        Text {
            en: en.into(),
            ja: ja.into(),
        }
    }

    /// Text that reads the same in both languages: a version, a name, a number.
    pub fn same(text: impl Into<Cow<'static, str>>) -> Text {
        let text = text.into();
        Text {
            en: text.clone(),
            ja: text,
        }
    }

    pub fn get(&self, lang: Lang) -> &str {
        match lang {
            Lang::En => &self.en,
            Lang::Ja => &self.ja,
        }
    }

    /// The wording in `lang`, without copying it.
    pub fn into_lang(self, lang: Lang) -> Cow<'static, str> {
        match lang {
            Lang::En => self.en,
            Lang::Ja => self.ja,
        }
    }
}

/// A length of time as people say it: `1 h 21 min` / `1 時間 21 分`, `16 min` / `16 分`,
/// `45 s` / `45 秒`.
pub fn duration(seconds: u64) -> Text {
    let (h, m, s) = (seconds / 3600, seconds / 60 % 60, seconds % 60);
    match (h, m) {
        (0, 0) => Text::owned(format!("{s} s"), format!("{s} 秒")),
        (0, _) => Text::owned(format!("{m} min"), format!("{m} 分")),
        _ => Text::owned(format!("{h} h {m} min"), format!("{h} 時間 {m} 分")),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn locale_picks_the_language() {
        assert_eq!(Lang::from_locale("ja_JP.UTF-8"), Lang::Ja);
        assert_eq!(Lang::from_locale("en_US.UTF-8"), Lang::En);
        assert_eq!(Lang::from_locale("C"), Lang::En);
        assert_eq!(Text::new("Hosts", "ホスト").get(Lang::Ja), "ホスト");
    }

    #[test]
    fn owned_text_keeps_the_names_of_the_run_and_reads_back_from_json() {
        let version = "4.4";
        let text = Text::owned(
            format!("Upgrade to {version}"),
            format!("{version} へアップグレード"),
        );
        assert_eq!(text.get(Lang::En), "Upgrade to 4.4");
        assert_eq!(text.clone().into_lang(Lang::Ja), "4.4 へアップグレード");
        let json = serde_json::to_string(&text).unwrap();
        assert_eq!(
            json,
            r#"{"en":"Upgrade to 4.4","ja":"4.4 へアップグレード"}"#
        );
        assert_eq!(serde_json::from_str::<Text>(&json).unwrap(), text);
        assert_eq!(Text::same("4.4.10").get(Lang::Ja), "4.4.10");
    }

    #[test]
    fn a_duration_reads_in_both_languages() {
        assert_eq!(duration(45), Text::new("45 s", "45 秒"));
        assert_eq!(duration(16 * 60 + 5), Text::new("16 min", "16 分"));
        assert_eq!(duration(81 * 60), Text::new("1 h 21 min", "1 時間 21 分"));
    }
}
