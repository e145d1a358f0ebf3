//! The shorthand the procedures write their bilingual text with.

use std::borrow::Cow;

use model::Text;

/// [`Text::owned`], short because the procedures call it on almost every line; step titles and
/// explanations often name the versions of the route being planned.
pub fn tr(en: impl Into<Cow<'static, str>>, ja: impl Into<Cow<'static, str>>) -> Text {
    Text::owned(en, ja)
}
