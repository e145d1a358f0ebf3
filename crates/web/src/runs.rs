//! The runs journaled in a directory, and a live page for one: waves, each host's phase, each
//! VM's move, the progress bar, the ETA against the plan and the event log. The page is fed by
//! server-sent events made by reading the journal again as it grows, so a run started from the
//! terminal shows as well as one started anywhere else.

use std::collections::BTreeMap;
use std::convert::Infallible;
use std::path::{Path, PathBuf};
use std::sync::Arc;

use axum::extract::{Path as UrlPath, State};
use axum::http::StatusCode;
use axum::response::sse::{Event, KeepAlive, Sse};
use axum::response::{IntoResponse, Response};
use futures_util::Stream;
use maud::{html, Markup};
use model::{HostId, Lang, Text, Timestamp};
use orchestrator::chain::{ChainJournal, ChainRun, ChainStatus};
use orchestrator::journal::{
    kind_of, Action, Answer, ClusterRun, Effect, Entry, Fold, HostResult, Record, RunKind,
};
use orchestrator::state::{RunPhase, RunState};
use orchestrator::workflow::{WorkflowJournal, WorkflowStatus};
use orchestrator::{Journal, JournalError, RunHeader, RunStatus};

use crate::layout::{document, href, problem, PageLang};
use crate::App;

/// Replaces the live part of the page with each version the server sends.
const SCRIPT: &str = r#"
var live = document.getElementById("live");
var source = new EventSource(live.dataset.events);
source.addEventListener("update", function (event) {
  live.innerHTML = event.data;
  live.dataset.records = live.querySelector("[data-records]").dataset.records;
});
"#;

/// How many of the newest records the event log shows.
const LOG_LINES: usize = 200;

fn json<T: serde::Serialize>(value: &T) -> serde_json::Value {
    serde_json::to_value(value).unwrap_or_default()
}

/// A journal as read once: a cluster upgrade in detail, any other kind by its status.
enum Reading {
    Cluster {
        header: RunHeader,
        entries: Vec<Entry>,
    },
    Other {
        kind: String,
        status: serde_json::Value,
        records: Vec<(Timestamp, String)>,
    },
}

impl Reading {
    fn read(path: &Path) -> Result<Reading, JournalError> {
        let kind = kind_of(path)?;
        let generic = |status: serde_json::Value, records: Vec<(Timestamp, serde_json::Value)>| {
            Reading::Other {
                kind: kind.clone(),
                status,
                records: records
                    .into_iter()
                    .map(|(at, record)| {
                        (
                            at,
                            record["record"].as_str().unwrap_or("?").replace('_', " "),
                        )
                    })
                    .collect(),
            }
        };
        Ok(match kind.as_str() {
            ClusterRun::NAME => {
                let journal = Journal::open(path)?;
                Reading::Cluster {
                    header: journal.header().clone(),
                    entries: journal.entries()?,
                }
            }
            ChainRun::NAME => {
                let journal = ChainJournal::open(path)?;
                let entries = journal.entries()?;
                let status = ChainStatus::from_journal(journal.header(), &entries);
                generic(
                    json(&status),
                    entries.iter().map(|e| (e.at, json(&e.record))).collect(),
                )
            }
            _ => {
                let journal = WorkflowJournal::open(path)?;
                let entries = journal.entries()?;
                let status = WorkflowStatus::from_journal(journal.header(), &entries);
                generic(
                    json(&status),
                    entries.iter().map(|e| (e.at, json(&e.record))).collect(),
                )
            }
        })
    }

    fn records(&self) -> usize {
        match self {
            Reading::Cluster { entries, .. } => entries.len(),
            Reading::Other { records, .. } => records.len(),
        }
    }

    fn kind(&self) -> &str {
        match self {
            Reading::Cluster { .. } => ClusterRun::NAME,
            Reading::Other { kind, .. } => kind,
        }
    }

    fn phase(&self) -> Option<RunPhase> {
        match self {
            Reading::Cluster { header, entries } => {
                Some(RunStatus::from_journal(header, entries).state)
            }
            Reading::Other { status, .. } => {
                serde_json::from_value::<String>(status["state"].clone())
                    .ok()
                    .map(|state| match state.as_str() {
                        "planned" => RunPhase::Planned,
                        "finished" => RunPhase::Finished,
                        _ => RunPhase::Interrupted,
                    })
            }
        }
    }
}

fn phase_word(phase: Option<RunPhase>) -> Text {
    match phase {
        Some(RunPhase::Planned) => Text::new("planned", "計画済み"),
        Some(RunPhase::Interrupted) => Text::new("under way or interrupted", "実行中または中断"),
        Some(RunPhase::Finished) => Text::new("finished", "完了"),
        None => Text::new("unknown", "不明"),
    }
}

/// The journals in the directory, newest first.
fn journals(dir: &Path) -> Vec<PathBuf> {
    let mut found: Vec<(std::time::SystemTime, PathBuf)> = std::fs::read_dir(dir)
        .into_iter()
        .flatten()
        .filter_map(Result::ok)
        .map(|entry| entry.path())
        .filter(|path| path.extension().is_some_and(|e| e == "sqlite") && kind_of(path).is_ok())
        .filter_map(|path| Some((path.metadata().ok()?.modified().ok()?, path)))
        .collect();
    found.sort_by_key(|(modified, _)| std::cmp::Reverse(*modified));
    found.into_iter().map(|(_, path)| path).collect()
}

/// `GET /runs`: every journal in the directory, its kind and where it stands.
pub(crate) async fn list(State(app): State<Arc<App>>, PageLang(lang): PageLang) -> Response {
    let dir = app.config.runs_dir.clone();
    let rows = tokio::task::spawn_blocking(move || {
        journals(&dir)
            .into_iter()
            .map(|path| {
                let reading = Reading::read(&path).ok();
                let name = path
                    .file_name()
                    .map(|n| n.to_string_lossy().into_owned())
                    .unwrap_or_default();
                let kind = reading
                    .as_ref()
                    .map(|r| r.kind().to_owned())
                    .unwrap_or_default();
                let phase = reading.as_ref().and_then(Reading::phase);
                let records = reading.as_ref().map_or(0, Reading::records);
                (name, kind, phase, records)
            })
            .collect::<Vec<_>>()
    })
    .await
    .unwrap_or_default();
    let title = Text::new("Runs", "実行");
    let body = html! {
        h1 { (title.get(lang)) } "\n"
        p { (Text::new("Journals in", "ジャーナルの場所:").get(lang)) " " code { (app.config.runs_dir.display().to_string()) } } "\n"
        @if rows.is_empty() {
            p { (Text::new("No run has been journaled here yet.", "ここにはまだ実行のジャーナルがありません。").get(lang)) } "\n"
        } @else {
            table #runs {
                tr {
                    th { (Text::new("Journal", "ジャーナル").get(lang)) }
                    th { (Text::new("Kind", "種類").get(lang)) }
                    th { (Text::new("State", "状態").get(lang)) }
                    th { (Text::new("Records", "レコード").get(lang)) }
                }
                "\n"
                @for (name, kind, phase, records) in &rows {
                    tr {
                        td { a href=(href(&format!("/runs/{name}"), lang)) { (name) } }
                        td { (kind) }
                        td { (phase_word(*phase).get(lang)) }
                        td { (records) }
                    }
                    "\n"
                }
            }
            "\n"
        }
    };
    document(lang, "/runs", title.get(lang), "", body, None).into_response()
}

/// The journal a page names, when it is one in the directory.
fn journal_path(app: &App, file: &str) -> Option<PathBuf> {
    let plain = !file.contains(['/', '\\']) && !file.starts_with('.') && file.ends_with(".sqlite");
    let path = app.config.runs_dir.join(file);
    (plain && path.is_file()).then_some(path)
}

fn no_such_run(lang: Lang, file: &str) -> Response {
    problem(
        StatusCode::NOT_FOUND,
        lang,
        "/runs",
        &Text::owned(
            format!("There is no journal {file} here."),
            format!("ジャーナル {file} はありません。"),
        ),
    )
}

async fn read_async(path: PathBuf) -> Result<Reading, Text> {
    tokio::task::spawn_blocking(move || Reading::read(&path))
        .await
        .map_err(|error| Text::same(error.to_string()))?
        .map_err(|error| Text::same(error.to_string()))
}

/// `GET /runs/{file}`: the live page; its panel is replaced by each update the stream sends.
pub(crate) async fn live(
    State(app): State<Arc<App>>,
    PageLang(lang): PageLang,
    UrlPath(file): UrlPath<String>,
) -> Response {
    let Some(path) = journal_path(&app, &file) else {
        return no_such_run(lang, &file);
    };
    let reading = match read_async(path).await {
        Ok(reading) => reading,
        Err(message) => return problem(StatusCode::UNPROCESSABLE_ENTITY, lang, "/runs", &message),
    };
    let body = html! {
        h1 { (file) } "\n"
        div #live data-events=(href(&format!("/runs/{file}/events"), lang)) data-records=(reading.records()) {
            (panel(&reading, lang))
        }
        "\n"
    };
    document(lang, "/runs", &file, "", body, Some(SCRIPT)).into_response()
}

/// `GET /runs/{file}/events`: the panel again each time the journal has grown.
pub(crate) async fn events(
    State(app): State<Arc<App>>,
    PageLang(lang): PageLang,
    UrlPath(file): UrlPath<String>,
) -> Response {
    let Some(path) = journal_path(&app, &file) else {
        return no_such_run(lang, &file);
    };
    Sse::new(updates(path, lang, app.config.poll))
        .keep_alive(KeepAlive::default())
        .into_response()
}

/// The journal read every `poll`; an event whenever its record count changed (the first read
/// always sends one, so a page opened late catches up at once).
fn updates(
    path: PathBuf,
    lang: Lang,
    poll: std::time::Duration,
) -> impl Stream<Item = Result<Event, Infallible>> {
    futures_util::stream::unfold(None::<usize>, move |seen| {
        let path = path.clone();
        async move {
            loop {
                if seen.is_some() {
                    tokio::time::sleep(poll).await;
                }
                // A journal being written may be busy for a moment: read it on the next turn.
                let Ok(reading) = read_async(path.clone()).await else {
                    tokio::time::sleep(poll).await;
                    continue;
                };
                let records = reading.records();
                if seen != Some(records) {
                    let event = Event::default()
                        .event("update")
                        .id(records.to_string())
                        .data(panel(&reading, lang).into_string());
                    return Some((Ok(event), Some(records)));
                }
            }
        }
    })
}

/// The live part of a run's page.
fn panel(reading: &Reading, lang: Lang) -> Markup {
    match reading {
        Reading::Cluster { header, entries } => cluster_panel(header, entries, lang),
        Reading::Other {
            kind,
            status,
            records,
        } => html! {
            p data-records=(records.len()) {
                b { (Text::new("Kind", "種類").get(lang)) ": " } (kind) " · "
                b { (Text::new("State", "状態").get(lang)) ": " } span #state { (phase_word(reading.phase()).get(lang)) }
            }
            "\n"
            table {
                @for (name, value) in status.as_object().into_iter().flatten() {
                    @if !value.is_object() && !value.is_array() {
                        tr { th { (name) } td { (value.as_str().map_or_else(|| value.to_string(), str::to_owned)) } } "\n"
                    }
                }
            }
            "\n"
            (log(records.iter().map(|(at, what)| (*at, what.clone())), lang))
        },
    }
}

/// "14:03:07": an engine time of day, UTC.
pub(crate) fn clock(at: Timestamp) -> String {
    let seconds = at.0.div_euclid(1000).rem_euclid(86_400);
    format!(
        "{:02}:{:02}:{:02}",
        seconds / 3600,
        seconds % 3600 / 60,
        seconds % 60
    )
}

fn minutes(seconds: u64) -> String {
    format!("{}", seconds.div_ceil(60))
}

fn log(lines: impl DoubleEndedIterator<Item = (Timestamp, String)>, lang: Lang) -> Markup {
    let lines: Vec<_> = lines.rev().take(LOG_LINES).collect();
    html! {
        h2 { (Text::new("Event log (newest first)", "イベントログ(新しい順)").get(lang)) } "\n"
        ol.log reversed {
            @for (at, what) in &lines {
                li { time { (clock(*at)) } " " (what) } "\n"
            }
        }
        "\n"
    }
}

/// What a host is doing, from the journal.
fn host_phase(state: &RunState, host: HostId, in_current_wave: bool) -> Text {
    if let Some((_, result)) = state.finished_hosts.get(&host) {
        return match result {
            HostResult::Upgraded { .. } => Text::new("upgraded", "アップグレード済み"),
            HostResult::Current => Text::new("already current", "更新不要"),
            HostResult::Failed { failure } => {
                let why = failure.message();
                Text::owned(format!("failed: {}", why.en), format!("失敗: {}", why.ja))
            }
        };
    }
    match state.host_steps(host).last().map(|(_, step)| &step.action) {
        Some(Action::Upgrade { .. }) => Text::new("upgrading", "アップグレード中"),
        Some(Action::UpgradeCheck { .. }) => Text::new("checking for updates", "更新を確認中"),
        Some(Action::Migrate { .. } | Action::Shutdown { .. } | Action::PowerOff { .. }) => {
            Text::new("moving its VMs away", "VM を退避中")
        }
        Some(Action::Start { .. }) => Text::new("starting its VMs again", "VM を再起動中"),
        _ if in_current_wave => Text::new("in the current wave", "現在のウェーブ"),
        _ => Text::new("waiting", "待機中"),
    }
}

/// How a VM's move off `from` stands (a VM may move in several waves).
fn move_state(state: &RunState, vm: model::VmId, from: HostId) -> Text {
    let last = state
        .vm_steps(vm)
        .filter(|(_, s)| matches!(s.action, Action::Migrate { from: off, .. } if off == from))
        .last();
    match last.map(|(_, step)| (&step.answer, &step.effect)) {
        None => Text::new("planned", "計画済み"),
        Some((_, Some(Effect::Done))) => Text::new("moved", "移行済み"),
        Some((_, Some(Effect::Failed { reason }))) => {
            Text::owned(format!("failed: {reason}"), format!("失敗: {reason}"))
        }
        Some((Some(Answer::Refused { detail }), _)) => {
            Text::owned(format!("refused: {detail}"), format!("拒否: {detail}"))
        }
        Some(_) => Text::new("migrating", "移行中"),
    }
}

/// A record as a line of the event log, with host names from the plan.
fn describe(record: &Record, names: &BTreeMap<HostId, String>, lang: Lang) -> String {
    let host = |id: &HostId| names.get(id).cloned().unwrap_or_else(|| id.to_string());
    let text = match record {
        Record::Planned { revision, plan, .. } => Text::owned(
            format!(
                "plan {revision}: {} waves, {} hosts",
                plan.waves.len(),
                plan.steps().count()
            ),
            format!(
                "計画 {revision}: {} ウェーブ、{} ホスト",
                plan.waves.len(),
                plan.steps().count()
            ),
        ),
        Record::Began { resumed: false } => Text::new("the run began", "実行開始"),
        Record::Began { resumed: true } => Text::new("the run was resumed", "実行再開"),
        Record::Intent { step, action } => {
            let what = match action {
                Action::Migrate {
                    vm_name, from, to, ..
                } => format!("migrate {vm_name}: {} → {}", host(from), host(to)),
                Action::Upgrade { host: h, .. } => format!("upgrade {}", host(h)),
                Action::UpgradeCheck { host: h } => format!("check {} for updates", host(h)),
                Action::Shutdown { vm_name, .. } => format!("shut down {vm_name}"),
                Action::PowerOff { vm_name, .. } => format!("power off {vm_name}"),
                Action::Start { vm_name, .. } => format!("start {vm_name}"),
                Action::SetPolicy { to, .. } => format!("scheduling policy {to:?}"),
                Action::StartUpgradeFlag => "cluster upgrade flag on".to_owned(),
                Action::FinishUpgradeFlag => "cluster upgrade flag off".to_owned(),
                Action::UpdateProgress { percent } => format!("progress {percent}%"),
            };
            Text::same(format!("#{step} {what}"))
        }
        Record::Answered { step, answer } => match answer {
            Answer::Accepted => Text::owned(format!("#{step} accepted"), format!("#{step} 受理")),
            Answer::Refused { detail } => Text::owned(
                format!("#{step} refused: {detail}"),
                format!("#{step} 拒否: {detail}"),
            ),
            Answer::NoAnswer { error } => Text::owned(
                format!("#{step} no answer: {error}"),
                format!("#{step} 応答なし: {error}"),
            ),
        },
        Record::Observed { step, effect } => match effect {
            Effect::Done => Text::owned(format!("#{step} done"), format!("#{step} 完了")),
            Effect::Failed { reason } => Text::owned(
                format!("#{step} failed: {reason}"),
                format!("#{step} 失敗: {reason}"),
            ),
        },
        Record::Retargeted { vm, to, reason } => {
            Text::same(format!("{vm} → {}: {reason}", host(to)))
        }
        Record::WaveStarted { wave, .. } => Text::owned(
            format!("wave {} started", wave + 1),
            format!("ウェーブ {} 開始", wave + 1),
        ),
        Record::HostFinished { name, result, .. } => match result {
            HostResult::Upgraded { seconds } => Text::owned(
                format!("{name} upgraded in {} min", minutes(*seconds)),
                format!("{name} アップグレード完了({} 分)", minutes(*seconds)),
            ),
            HostResult::Current => Text::owned(
                format!("{name} already current"),
                format!("{name} 更新不要"),
            ),
            HostResult::Failed { failure } => {
                let why = failure.message();
                Text::owned(
                    format!("{name} failed: {}", why.en),
                    format!("{name} 失敗: {}", why.ja),
                )
            }
        },
        Record::Progress { percent } => {
            Text::owned(format!("progress {percent}%"), format!("進捗 {percent}%"))
        }
        Record::Stopping { reason } => {
            Text::owned(format!("stopping: {reason}"), format!("停止中: {reason}"))
        }
        Record::Finished { summary } => {
            let outcome = summary.outcome.message();
            Text::owned(
                format!("finished: {}", outcome.en),
                format!("終了: {}", outcome.ja),
            )
        }
    };
    text.get(lang).to_owned()
}

fn cluster_panel(header: &RunHeader, entries: &[Entry], lang: Lang) -> Markup {
    let state = RunState::from_entries(entries);
    let status = RunStatus::from_journal(header, entries);
    let plan = state.plan.as_ref();
    let names: BTreeMap<HostId, String> = plan
        .into_iter()
        .flat_map(|p| p.steps())
        .map(|s| (s.host, s.name.clone()))
        .collect();
    let planned = names.len();
    let finished = state.finished_hosts.len();
    let percent = (finished * 100).checked_div(planned).unwrap_or(0);
    // The plan's time for what is left: each unfinished wave takes as long as its slowest host.
    let left_seconds: u64 = plan
        .into_iter()
        .flat_map(|p| &p.waves)
        .map(|wave| {
            wave.hosts
                .iter()
                .filter(|h| !state.finished_hosts.contains_key(&h.host))
                .map(|h| h.predicted_seconds)
                .max()
                .unwrap_or(0)
        })
        .sum();
    let predicted = plan.map_or(0, |p| p.prediction.duration_seconds);
    let elapsed = match (state.began.first(), state.last_at) {
        (Some(began), Some(last)) => u64::try_from((last.0 - began.0) / 1000).unwrap_or(0),
        _ => 0,
    };
    let current_wave = state.wave.map(|(_, wave)| wave);
    html! {
        p data-records=(entries.len()) {
            b { (Text::new("Cluster", "クラスター").get(lang)) ": " } (header.cluster_name) " · "
            b { (Text::new("Engine", "エンジン").get(lang)) ": " } code { (header.engine) } " · "
            b { (Text::new("State", "状態").get(lang)) ": " } span #state { (phase_word(Some(status.state)).get(lang)) }
        }
        "\n"
        p {
            label for="progress" {
                (Text::owned(
                    format!("{finished} of {planned} hosts done ({percent}%)"),
                    format!("{planned} ホスト中 {finished} 完了({percent}%)"),
                ).get(lang))
            }
            br;
            progress #progress max="100" value=(percent) { (percent) "%" }
        }
        "\n"
        p #eta {
            @if let Some(summary) = &status.summary {
                (Text::owned(
                    format!("Took {} min against {} min planned. {}", minutes(summary.duration_seconds), minutes(summary.predicted_seconds), summary.outcome.message().en),
                    format!("所要 {} 分(計画 {} 分)。{}", minutes(summary.duration_seconds), minutes(summary.predicted_seconds), summary.outcome.message().ja),
                ).get(lang))
            } @else {
                (Text::owned(
                    format!("Planned: {} min. Elapsed: {} min. By the plan, about {} min left.", minutes(predicted), minutes(elapsed), minutes(left_seconds)),
                    format!("計画: {} 分。経過: {} 分。計画では残り約 {} 分。", minutes(predicted), minutes(elapsed), minutes(left_seconds)),
                ).get(lang))
            }
        }
        "\n"
        @if let Some(reason) = &status.stopped_because {
            p.error { (Text::new("Stopping", "停止中").get(lang)) ": " (reason) } "\n"
        }
        @for (number, wave) in plan.into_iter().flat_map(|p| p.waves.iter().enumerate()) {
            h2 {
                (Text::owned(format!("Wave {}", number + 1), format!("ウェーブ {}", number + 1)).get(lang))
                @if current_wave == Some(number) && status.summary.is_none() {
                    " " (Text::new("(under way)", "(実行中)").get(lang))
                }
            }
            "\n"
            table.hosts {
                tr {
                    th { (Text::new("Host", "ホスト").get(lang)) }
                    th { (Text::new("Phase", "フェーズ").get(lang)) }
                    th { (Text::new("Planned (min)", "計画(分)").get(lang)) }
                }
                "\n"
                @for host in &wave.hosts {
                    tr data-host=(host.name) {
                        td { (host.name) }
                        td.phase { (host_phase(&state, host.host, current_wave == Some(number)).get(lang)) }
                        td { (minutes(host.predicted_seconds)) }
                    }
                    "\n"
                }
            }
            "\n"
            @let moves: Vec<_> = wave.hosts.iter().flat_map(|h| h.migrations.iter().map(move |m| (h, m))).collect();
            @if !moves.is_empty() {
                table.moves {
                    tr {
                        th { "VM" }
                        th { (Text::new("From", "移行元").get(lang)) }
                        th { (Text::new("To", "移行先").get(lang)) }
                        th { (Text::new("Move", "移行").get(lang)) }
                    }
                    "\n"
                    @for (host, migration) in &moves {
                        tr {
                            td { (migration.vm_name) }
                            td { (host.name) }
                            td { (migration.to_name) }
                            td { (move_state(&state, migration.vm, host.host).get(lang)) }
                        }
                        "\n"
                    }
                }
                "\n"
            }
        }
        (log(entries.iter().map(|entry| (entry.at, describe(&entry.record, &names, lang))), lang))
    }
}
