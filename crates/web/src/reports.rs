//! The check report and the image discrepancies report of the environment, made afresh on every
//! request (a reload or the Refresh button runs them again), with the same rules and renderers
//! as `ovirt-upgrade check` and `ovirt-upgrade discrepancies`.

use std::sync::Arc;
use std::time::Instant;

use axum::extract::State;
use axum::http::StatusCode;
use axum::response::{Html, IntoResponse, Response};
use discrepancies::EngineSource as _;
use maud::html;
use model::{Inventory, Lang, Text};

use crate::layout::{document, problem, PageLang};
use crate::runs::clock;
use crate::{App, Environment};

/// Reads the environment on a thread of its own: a live engine's client runs its own runtime.
pub(crate) async fn load(environment: &Environment) -> Result<Inventory, Text> {
    let load = environment.load.clone();
    let (send, receive) = tokio::sync::oneshot::channel();
    // Dropping the answer when the page was closed meanwhile is fine.
    std::thread::spawn(move || {
        let _ = send.send(load());
    });
    let failed = |detail: String| {
        Text::owned(
            format!("Cannot read the environment {}: {detail}", environment.name),
            format!("環境 {} を読み取れません: {detail}", environment.name),
        )
    };
    match receive.await {
        Ok(Ok(inventory)) => Ok(inventory),
        Ok(Err(error)) => Err(failed(format!("{error:#}"))),
        Err(_) => Err(failed("the reader stopped".to_owned())),
    }
}

/// `GET /check`: the report `check --html` writes, for the next stop on the route.
pub(crate) async fn check(State(app): State<Arc<App>>, PageLang(lang): PageLang) -> Response {
    let Some(environment) = &app.config.environment else {
        return problem(
            StatusCode::NOT_FOUND,
            lang,
            "/check",
            &Text::new(
                "No environment to check: start serve with --env FILE, --env example:NAME or --engine URL.",
                "チェックする環境がありません。serve を --env FILE、--env example:NAME または --engine URL 付きで起動してください。",
            ),
        );
    };
    let inventory = match load(environment).await {
        Ok(inventory) => inventory,
        Err(message) => return problem(StatusCode::BAD_GATEWAY, lang, "/check", &message),
    };
    let target = checks::default_target(inventory.manager.version);
    match checks::check(&inventory, target, orchestrator::clock::wall_clock().date()) {
        Ok(report) => Html(checks::render::html(&report, lang)).into_response(),
        Err(error) => problem(
            StatusCode::UNPROCESSABLE_ENTITY,
            lang,
            "/check",
            &Text::same(error.to_string()),
        ),
    }
}

/// `GET /discrepancies`: the environment's records against the storage side, compared afresh.
pub(crate) async fn discrepancies(
    State(app): State<Arc<App>>,
    PageLang(lang): PageLang,
) -> Response {
    const PATH: &str = "/discrepancies";
    let (Some(environment), Some(storage)) = (&app.config.environment, &app.config.storage) else {
        return problem(
            StatusCode::NOT_FOUND,
            lang,
            PATH,
            &Text::new(
                "No storage to compare: start serve with --env FILE (its simulated storage is used), or with --domain-dir, --lvs or --dump and --env or --engine.",
                "比較するストレージがありません。serve を --env FILE 付き(シミュレーションのストレージを使用)、または --domain-dir、--lvs、--dump と --env か --engine 付きで起動してください。",
            ),
        );
    };
    let started = Instant::now();
    let inventory = match load(environment).await {
        Ok(inventory) => inventory,
        Err(message) => return problem(StatusCode::BAD_GATEWAY, lang, PATH, &message),
    };
    let (sources, name) = (storage.sources.clone(), environment.name.clone());
    let compared = tokio::task::spawn_blocking(move || -> Result<_, Text> {
        let view = discrepancies::collect_storage(&sources).map_err(|error| {
            let detail = format!("{:#}", anyhow::Error::from(error));
            Text::owned(
                format!("Cannot read the storage side: {detail}"),
                format!("ストレージ側を読み取れません: {detail}"),
            )
        })?;
        let records = discrepancies::InventorySource::new(inventory, name)
            .collect()
            .map_err(|error| Text::same(error.to_string()))?;
        Ok(discrepancies::compare(&view, &records))
    })
    .await;
    let report = match compared {
        Ok(Ok(report)) => report,
        Ok(Err(message)) => return problem(StatusCode::BAD_GATEWAY, lang, PATH, &message),
        Err(error) => {
            return problem(
                StatusCode::INTERNAL_SERVER_ERROR,
                lang,
                PATH,
                &Text::same(error.to_string()),
            )
        }
    };
    let took = started.elapsed().as_millis();
    let title = Text::new("Image discrepancies", "イメージの不一致");
    let body = html! {
        h1 { (title.get(lang)) } "\n"
        p {
            b { (Text::new("Engine side", "エンジン側").get(lang)) ": " } code { (environment.name) } br;
            b { (Text::new("Storage side", "ストレージ側").get(lang)) ": " } code #storage { (storage.name) }
            @if storage.simulated {
                " " (Text::new(
                    "(simulated: the environment's file domains written at start, as `ovirt-upgrade sim storage` writes them)",
                    "(シミュレーション: 起動時に環境のファイルドメインを `ovirt-upgrade sim storage` と同じく書き出したもの)",
                ).get(lang))
            }
        }
        "\n"
        (refresh(lang, took))
        (discrepancies::html::html(&report, lang))
    };
    document(
        lang,
        PATH,
        title.get(lang),
        discrepancies::html::STYLE,
        body,
        None,
    )
    .into_response()
}

/// When the report was made, and the button that makes it again (a plain GET: no script).
fn refresh(lang: Lang, took: u128) -> maud::Markup {
    let at = clock(orchestrator::clock::wall_clock());
    html! {
        form method="get" action="/discrepancies" {
            input type="hidden" name="lang" value=(lang);
            span #collected data-at=(at) {
                (Text::owned(
                    format!("Compared at {at} UTC in {took} ms."),
                    format!("{at} UTC に比較({took} ms)。"),
                ).get(lang))
            }
            " "
            button #refresh type="submit" { (Text::new("Refresh", "再実行").get(lang)) }
        }
        "\n"
    }
}
