//! What the served pages share around `page::document`: the language a request asks for, the
//! navigation, links that keep the language, and the start page.

use std::sync::Arc;

use axum::extract::{FromRequestParts, State};
use axum::http::request::Parts;
use axum::http::{header, StatusCode};
use axum::response::{Html, IntoResponse, Response};
use maud::{html, Markup, PreEscaped};
use model::{Lang, Text};

use crate::App;

/// The served pages' own rules: the navigation bar and the live run's figures.
const STYLE: &str = "\
nav{display:flex;gap:1.2rem;border-bottom:1px solid #999;padding-bottom:.4rem}\
nav a[aria-current]{font-weight:bold;text-decoration:none}\
.error{border-left:4px solid #c00;padding-left:.6rem}\
form fieldset{margin:.6rem 0}form label{margin-right:1rem;white-space:nowrap}\
progress{width:100%;height:1.4rem}\
ol.log{font-family:ui-monospace,monospace;font-size:.85rem;max-height:24rem;overflow-y:auto}";

/// The language of a page: `?lang=`, else the browser's first choice, else the server's.
pub(crate) struct PageLang(pub Lang);

impl FromRequestParts<Arc<App>> for PageLang {
    type Rejection = std::convert::Infallible;

    async fn from_request_parts(
        parts: &mut Parts,
        app: &Arc<App>,
    ) -> Result<Self, Self::Rejection> {
        let asked = parts
            .uri
            .query()
            .into_iter()
            .flat_map(|query| query.split('&'))
            .find_map(|pair| pair.strip_prefix("lang=")?.parse::<Lang>().ok());
        let browser = || {
            let accepted = parts.headers.get(header::ACCEPT_LANGUAGE)?.to_str().ok()?;
            let first = accepted.split(',').next()?.trim();
            Some(Lang::from_locale(first))
        };
        Ok(PageLang(asked.or_else(browser).unwrap_or(app.config.lang)))
    }
}

/// A link to `path` in `lang`; `path` may carry a query of its own.
pub(crate) fn href(path: &str, lang: Lang) -> String {
    let joiner = if path.contains('?') { '&' } else { '?' };
    format!("{path}{joiner}lang={lang}")
}

/// The pages the navigation names: path and label.
const PAGES: [(&str, Text); 5] = [
    ("/", Text::new("Start", "トップ")),
    (
        "/plan",
        Text::new("Upgrade Helper", "アップグレードヘルパー"),
    ),
    ("/check", Text::new("Check report", "チェックレポート")),
    (
        "/discrepancies",
        Text::new("Image discrepancies", "イメージの不一致"),
    ),
    ("/runs", Text::new("Runs", "実行")),
];

/// A served page: the shared document with the navigation, `body`, and the page's script.
pub(crate) fn document(
    lang: Lang,
    current: &str,
    title: &str,
    style: &str,
    body: Markup,
    script: Option<&str>,
) -> Html<String> {
    let other = match lang {
        Lang::En => (Lang::Ja, "日本語"),
        Lang::Ja => (Lang::En, "English"),
    };
    let body = html! {
        nav {
            @for (path, label) in &PAGES {
                a href=(href(path, lang)) aria-current=[(*path == current).then_some("page")] {
                    (label.get(lang))
                }
            }
            a href=(href(current, other.0)) lang=(other.0) { (other.1) }
        }
        "\n"
        (body)
        @if let Some(script) = script {
            script { (PreEscaped(script)) } "\n"
        }
    };
    let style = format!("{STYLE}{style}");
    Html(page::document(lang, title, &style, body).into_string())
}

/// A page that says what went wrong, with its status.
pub(crate) fn problem(status: StatusCode, lang: Lang, current: &str, message: &Text) -> Response {
    let title = Text::new("Cannot show this page", "このページを表示できません");
    let body = html! {
        h1 { (title.get(lang)) } "\n"
        p.error { (message.get(lang)) } "\n"
    };
    (
        status,
        document(lang, current, title.get(lang), "", body, None),
    )
        .into_response()
}

pub(crate) async fn index(State(app): State<Arc<App>>, PageLang(lang): PageLang) -> Html<String> {
    let title = Text::new(
        "ovirt-upgrade in the browser",
        "ブラウザで使う ovirt-upgrade",
    );
    let environment = app.config.environment.as_ref().map(|e| e.name.as_str());
    let body = html! {
        h1 { (title.get(lang)) } "\n"
        ul {
            li {
                a href=(href("/plan", lang)) { (PAGES[1].1.get(lang)) } ": "
                (Text::new(
                    "the guide's checklist for a route, ticked step by step (the same tracker as `plan done`).",
                    "経路ごとのガイドのチェックリスト。手順ごとにチェックできます(`plan done` と同じトラッカー)。",
                ).get(lang))
            }
            li {
                a href=(href("/check", lang)) { (PAGES[2].1.get(lang)) } ": "
                @match environment {
                    Some(name) => code { (name) },
                    None => (Text::new("no environment given (--env or --engine)", "環境の指定なし(--env または --engine)").get(lang)),
                }
            }
            li {
                a href=(href("/discrepancies", lang)) { (PAGES[3].1.get(lang)) } ": "
                @match &app.config.storage {
                    Some(storage) => code { (storage.name) },
                    None => (Text::new("no storage given (--domain-dir, --lvs, --dump, or --env for its simulated storage)", "ストレージの指定なし(--domain-dir、--lvs、--dump、またはシミュレーションのストレージを使う --env)").get(lang)),
                }
            }
            li {
                a href=(href("/runs", lang)) { (PAGES[4].1.get(lang)) } ": "
                code { (app.config.runs_dir.display().to_string()) }
            }
        }
    };
    document(lang, "/", title.get(lang), "", body, None)
}
