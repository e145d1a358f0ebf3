//! The runs journaled in a directory, and a live page for one, whatever its kind: for a cluster
//! upgrade or a host migration its waves, each host's phase or stage, each VM's move, the
//! progress bar and the time against the plan; for a compatibility chain or a whole upgrade its
//! stages or steps and the progress bar; for every kind the event log. The page is fed by
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
use orchestrator::chain::state::StagePhase;
use orchestrator::chain::{
    ChainAction, ChainEntry, ChainHeader, ChainJournal, ChainRecord, ChainRun, ChainState,
    ChainStatus,
};
use orchestrator::journal::{
    kind_of, Action, Answer, ClusterRun, Effect, Entry, Fold, HostResult, Record, RunKind,
};
use orchestrator::migrate::{
    self, MigrateEntry, MigrateHeader, MigrateJournal, MigrateRecord, MigrateRun, MigrateState,
    MigrateStatus,
};
use orchestrator::state::{RunPhase, RunState};
use orchestrator::workflow::{
    WorkflowEntry, WorkflowHeader, WorkflowJournal, WorkflowRecord, WorkflowRun, WorkflowState,
    WorkflowStatus,
};
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

/// A journal as read once, of any kind.
enum Reading {
    Cluster {
        header: RunHeader,
        entries: Vec<Entry>,
    },
    Migrate {
        header: MigrateHeader,
        entries: Vec<MigrateEntry>,
    },
    Chain {
        header: ChainHeader,
        entries: Vec<ChainEntry>,
    },
    Workflow {
        header: WorkflowHeader,
        entries: Vec<WorkflowEntry>,
    },
}

impl Reading {
    fn read(path: &Path) -> Result<Reading, JournalError> {
        Ok(match kind_of(path)?.as_str() {
            ClusterRun::NAME => {
                let journal = Journal::open(path)?;
                Reading::Cluster {
                    header: journal.header().clone(),
                    entries: journal.entries()?,
                }
            }
            MigrateRun::NAME => {
                let journal = MigrateJournal::open(path)?;
                Reading::Migrate {
                    header: journal.header().clone(),
                    entries: journal.entries()?,
                }
            }
            ChainRun::NAME => {
                let journal = ChainJournal::open(path)?;
                Reading::Chain {
                    header: journal.header().clone(),
                    entries: journal.entries()?,
                }
            }
            // The workflow's, or a kind this version does not know, which opening says.
            _ => {
                let journal = WorkflowJournal::open(path)?;
                Reading::Workflow {
                    header: journal.header().clone(),
                    entries: journal.entries()?,
                }
            }
        })
    }

    fn records(&self) -> usize {
        match self {
            Reading::Cluster { entries, .. } => entries.len(),
            Reading::Migrate { entries, .. } => entries.len(),
            Reading::Chain { entries, .. } => entries.len(),
            Reading::Workflow { entries, .. } => entries.len(),
        }
    }

    fn kind(&self) -> &str {
        match self {
            Reading::Cluster { .. } => ClusterRun::NAME,
            Reading::Migrate { .. } => MigrateRun::NAME,
            Reading::Chain { .. } => ChainRun::NAME,
            Reading::Workflow { .. } => WorkflowRun::NAME,
        }
    }

    fn phase(&self) -> RunPhase {
        match self {
            Reading::Cluster { header, entries } => RunStatus::from_journal(header, entries).state,
            Reading::Migrate { header, entries } => {
                MigrateStatus::from_journal(header, entries).state
            }
            Reading::Chain { header, entries } => ChainStatus::from_journal(header, entries).state,
            Reading::Workflow { header, entries } => {
                WorkflowStatus::from_journal(header, entries).state
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

fn stage_word(phase: StagePhase) -> Text {
    match phase {
        StagePhase::Pending => Text::new("pending", "未着手"),
        StagePhase::UnderWay => Text::new("under way", "実行中"),
        StagePhase::Done => Text::new("done", "完了"),
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
                let phase = reading.as_ref().map(Reading::phase);
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
        Reading::Migrate { header, entries } => migrate_panel(header, entries, lang),
        Reading::Chain { header, entries } => chain_panel(header, entries, lang),
        Reading::Workflow { header, entries } => workflow_panel(header, entries, lang),
    }
}

/// The panel's first line: what the run is about, and where it stands.
fn heading(records: usize, facts: &[(Text, &str)], phase: RunPhase, lang: Lang) -> Markup {
    html! {
        p data-records=(records) {
            @for (label, value) in facts {
                b { (label.get(lang)) ": " } (value) " · "
            }
            b { (Text::new("State", "状態").get(lang)) ": " } span #state { (phase_word(Some(phase)).get(lang)) }
        }
        "\n"
    }
}

/// "3 of 8 hosts done (37%)" over the progress bar.
fn progress_bar(done: usize, of: usize, unit: (&str, &str), lang: Lang) -> Markup {
    let percent = (done * 100).checked_div(of).unwrap_or(0);
    let (en, ja) = unit;
    html! {
        p {
            label for="progress" {
                (Text::owned(
                    format!("{done} of {of} {en} done ({percent}%)"),
                    format!("{of} {ja}中 {done} 完了({percent}%)"),
                ).get(lang))
            }
            br;
            progress #progress max="100" value=(percent) { (percent) "%" }
        }
        "\n"
    }
}

/// Seconds from the first start to the newest record.
fn elapsed(began: Option<&Timestamp>, last: Option<Timestamp>) -> u64 {
    match (began, last) {
        (Some(began), Some(last)) => u64::try_from((last.0 - began.0) / 1000).unwrap_or(0),
        _ => 0,
    }
}

/// The time taken against the plan's: at the end, the run's; before it, what the plan leaves.
fn eta(
    ended: Option<(u64, u64, Text)>,
    predicted: u64,
    elapsed: u64,
    left: u64,
    lang: Lang,
) -> Markup {
    html! {
        p #eta {
            @if let Some((took, planned, outcome)) = ended {
                (Text::owned(
                    format!("Took {} min against {} min planned. {}", minutes(took), minutes(planned), outcome.en),
                    format!("所要 {} 分(計画 {} 分)。{}", minutes(took), minutes(planned), outcome.ja),
                ).get(lang))
            } @else {
                (Text::owned(
                    format!("Planned: {} min. Elapsed: {} min. By the plan, about {} min left.", minutes(predicted), minutes(elapsed), minutes(left)),
                    format!("計画: {} 分。経過: {} 分。計画では残り約 {} 分。", minutes(predicted), minutes(elapsed), minutes(left)),
                ).get(lang))
            }
        }
        "\n"
    }
}

fn stopping(reason: Option<&str>, lang: Lang) -> Markup {
    html! {
        @if let Some(reason) = reason {
            p.error { (Text::new("Stopping", "停止中").get(lang)) ": " (reason) } "\n"
        }
    }
}

/// A host of a wave as the page shows it.
struct HostRow<'a> {
    name: &'a str,
    phase: Text,
    predicted_seconds: u64,
}

/// A VM's move off a host of a wave.
struct MoveRow<'a> {
    vm: &'a str,
    from: &'a str,
    to: &'a str,
    state: Text,
}

/// A wave: its hosts with their phase, then its VMs' moves.
fn wave(
    number: usize,
    under_way: bool,
    hosts: &[HostRow],
    moves: &[MoveRow],
    lang: Lang,
) -> Markup {
    html! {
        h2 {
            (Text::owned(format!("Wave {}", number + 1), format!("ウェーブ {}", number + 1)).get(lang))
            @if under_way {
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
            @for host in hosts {
                tr data-host=(host.name) {
                    td { (host.name) }
                    td.phase { (host.phase.get(lang)) }
                    td { (minutes(host.predicted_seconds)) }
                }
                "\n"
            }
        }
        "\n"
        @if !moves.is_empty() {
            table.moves {
                tr {
                    th { "VM" }
                    th { (Text::new("From", "移行元").get(lang)) }
                    th { (Text::new("To", "移行先").get(lang)) }
                    th { (Text::new("Move", "移行").get(lang)) }
                }
                "\n"
                @for row in moves {
                    tr {
                        td { (row.vm) }
                        td { (row.from) }
                        td { (row.to) }
                        td { (row.state.get(lang)) }
                    }
                    "\n"
                }
            }
            "\n"
        }
    }
}

/// A chain's stages or a workflow's steps, each with where it stands.
fn steps(title: Text, rows: &[(Text, StagePhase)], lang: Lang) -> Markup {
    html! {
        h2 { (title.get(lang)) } "\n"
        table #steps {
            @for (number, (what, phase)) in rows.iter().enumerate() {
                tr data-phase=(json_word(phase)) {
                    td { (number + 1) }
                    td { (what.get(lang)) }
                    td.phase { (stage_word(*phase).get(lang)) }
                }
                "\n"
            }
        }
        "\n"
    }
}

/// A step's phase as the journal's JSON spells it, for scripts and tests to read.
fn json_word(phase: &StagePhase) -> String {
    serde_json::to_value(phase)
        .ok()
        .and_then(|value| value.as_str().map(str::to_owned))
        .unwrap_or_default()
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

/// The engine's answer to a step, as a line of the event log.
fn answered(step: u64, answer: &Answer) -> Text {
    match answer {
        Answer::Accepted => Text::owned(format!("#{step} accepted"), format!("#{step} 受理")),
        Answer::Refused { detail } => Text::owned(
            format!("#{step} refused: {detail}"),
            format!("#{step} 拒否: {detail}"),
        ),
        Answer::NoAnswer { error } => Text::owned(
            format!("#{step} no answer: {error}"),
            format!("#{step} 応答なし: {error}"),
        ),
    }
}

/// What a step came to, as a line of the event log.
fn observed(step: u64, effect: &Effect) -> Text {
    match effect {
        Effect::Done => Text::owned(format!("#{step} done"), format!("#{step} 完了")),
        Effect::Failed { reason } => Text::owned(
            format!("#{step} failed: {reason}"),
            format!("#{step} 失敗: {reason}"),
        ),
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
        Record::Began { resumed } => began_line(*resumed),
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
        Record::Answered { step, answer } => answered(*step, answer),
        Record::Observed { step, effect } => observed(*step, effect),
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
        Record::Stopping { reason } => stopping_line(reason),
        Record::Finished { summary } => finished_line(summary.outcome.message()),
    };
    text.get(lang).to_owned()
}

/// A journal's start or resumption, as a line of the event log.
fn began_line(resumed: bool) -> Text {
    match resumed {
        false => Text::new("the run began", "実行開始"),
        true => Text::new("the run was resumed", "実行再開"),
    }
}

/// Item `number` of a plan's list in its own words, or `#n` while the plan is not read.
fn numbered<T>(items: Option<&[T]>, number: usize, message: impl Fn(&T) -> Text) -> Text {
    items
        .and_then(|items| items.get(number))
        .map_or_else(|| Text::same(format!("#{}", number + 1)), message)
}

/// A journal's stop request, as a line of the event log.
fn stopping_line(reason: &str) -> Text {
    Text::owned(format!("stopping: {reason}"), format!("停止中: {reason}"))
}

/// A journal's end, as a line of the event log.
fn finished_line(outcome: Text) -> Text {
    Text::owned(
        format!("finished: {}", outcome.en),
        format!("終了: {}", outcome.ja),
    )
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
    let ended = status.summary.as_ref().map(|summary| {
        (
            summary.duration_seconds,
            summary.predicted_seconds,
            summary.outcome.message(),
        )
    });
    let current_wave = state.wave.map(|(_, wave)| wave);
    html! {
        (heading(entries.len(), &[
            (Text::new("Cluster", "クラスター"), &header.cluster_name),
            (Text::new("Engine", "エンジン"), &header.engine),
        ], status.state, lang))
        (progress_bar(state.finished_hosts.len(), names.len(), ("hosts", "ホスト"), lang))
        (eta(ended, plan.map_or(0, |p| p.prediction.duration_seconds), elapsed(state.began.first(), state.last_at), left_seconds, lang))
        (stopping(status.stopped_because.as_deref(), lang))
        @for (number, planned) in plan.into_iter().flat_map(|p| p.waves.iter().enumerate()) {
            @let in_wave = current_wave == Some(number);
            @let hosts: Vec<HostRow> = planned.hosts.iter().map(|host| HostRow {
                name: &host.name,
                phase: host_phase(&state, host.host, in_wave),
                predicted_seconds: host.predicted_seconds,
            }).collect();
            @let moves: Vec<MoveRow> = planned.hosts.iter().flat_map(|host| host.migrations.iter().map(|m| MoveRow {
                vm: &m.vm_name,
                from: &host.name,
                to: &m.to_name,
                state: move_state(&state, m.vm, host.host),
            })).collect();
            (wave(number, in_wave && status.summary.is_none(), &hosts, &moves, lang))
        }
        (log(entries.iter().map(|entry| (entry.at, describe(&entry.record, &names, lang))), lang))
    }
}

/// Where a host of a migration stands: its result, else the last stage asked of it.
fn migrate_phase(line: &migrate::state::HostStatusLine, in_current_wave: bool) -> Text {
    match (&line.result, line.stage) {
        (Some(migrate::HostResult::Migrated { seconds }), _) => Text::owned(
            format!("migrated in {} min", minutes(*seconds)),
            format!("移行完了({} 分)", minutes(*seconds)),
        ),
        (Some(migrate::HostResult::Failed { failure }), _) => {
            let why = failure.message();
            Text::owned(format!("failed: {}", why.en), format!("失敗: {}", why.ja))
        }
        (None, Some(stage)) => stage.message(),
        (None, None) if in_current_wave => Text::new("in the current wave", "現在のウェーブ"),
        (None, None) => Text::new("waiting", "待機中"),
    }
}

/// How each VM's move off each host stands in a migration, by VM and host name, and the wave
/// under way.
fn migrate_moves(entries: &[MigrateEntry]) -> (BTreeMap<(&str, &str), bool>, Option<usize>) {
    let mut moves = BTreeMap::new();
    let mut leaving: BTreeMap<&str, &str> = BTreeMap::new();
    let mut wave = None;
    for entry in entries {
        match &entry.record {
            MigrateRecord::WaveStarted { wave: started } => wave = Some(*started),
            MigrateRecord::Migrating { vm, from, .. } => {
                leaving.insert(vm, from);
                moves.insert((vm.as_str(), from.as_str()), false);
            }
            MigrateRecord::Migrated { vm, .. } => {
                if let Some(from) = leaving.remove(vm.as_str()) {
                    moves.insert((vm.as_str(), from), true);
                }
            }
            _ => {}
        }
    }
    (moves, wave)
}

fn migrate_panel(header: &MigrateHeader, entries: &[MigrateEntry], lang: Lang) -> Markup {
    let state = MigrateState::from_entries(entries);
    let status = MigrateStatus::from_journal(header, entries);
    let plan = state.plan.as_ref();
    let lines: BTreeMap<&str, &migrate::state::HostStatusLine> = status
        .hosts
        .iter()
        .map(|line| (line.host.as_str(), line))
        .collect();
    let (moves, current_wave) = migrate_moves(entries);
    let left_seconds: u64 = plan
        .into_iter()
        .flat_map(|p| &p.waves)
        .map(|wave| {
            wave.iter()
                .filter(|h| !state.results.contains_key(&h.name))
                .map(|h| h.predicted_seconds)
                .max()
                .unwrap_or(0)
        })
        .sum();
    let ended = status.summary.as_ref().map(|summary| {
        (
            summary.duration_seconds,
            summary.predicted_seconds,
            migrate_ending(summary),
        )
    });
    html! {
        (heading(entries.len(), &[
            (Text::new("Cluster", "クラスター"), &header.cluster_name),
            (Text::new("Engine", "エンジン"), &header.engine),
            (Text::new("Reinstall", "再インストール"), &header.reinstall),
        ], status.state, lang))
        (progress_bar(state.results.len(), plan.map_or(0, |p| p.hosts().count()), ("hosts", "ホスト"), lang))
        (eta(ended, plan.map_or(0, |p| p.prediction.duration_seconds), elapsed(state.began.first(), state.last_at), left_seconds, lang))
        (stopping(status.stopped_because.as_deref(), lang))
        @for (number, planned) in plan.into_iter().flat_map(|p| p.waves.iter().enumerate()) {
            @let in_wave = current_wave == Some(number);
            @let hosts: Vec<HostRow> = planned.iter().map(|host| HostRow {
                name: &host.name,
                phase: lines.get(host.name.as_str()).map_or_else(|| Text::new("waiting", "待機中"), |line| migrate_phase(line, in_wave)),
                predicted_seconds: host.predicted_seconds,
            }).collect();
            @let rows: Vec<MoveRow> = planned.iter().flat_map(|host| host.migrations.iter().map(|m| MoveRow {
                vm: &m.vm_name,
                from: &host.name,
                to: &m.to_name,
                state: match moves.get(&(m.vm_name.as_str(), host.name.as_str())) {
                    None => Text::new("planned", "計画済み"),
                    Some(false) => Text::new("migrating", "移行中"),
                    Some(true) => Text::new("moved", "移行済み"),
                },
            })).collect();
            (wave(number, in_wave && status.summary.is_none(), &hosts, &rows, lang))
        }
        (log(entries.iter().map(|entry| (entry.at, describe_migrate(&entry.record, lang))), lang))
    }
}

/// How a migration ended, from its summary.
fn migrate_ending(summary: &migrate::MigrateSummary) -> Text {
    match summary.failed.first() {
        None if summary.not_started.is_empty() => Text::owned(
            format!("{} host(s) migrated.", summary.migrated.len()),
            format!("{} ホストを移行しました。", summary.migrated.len()),
        ),
        None => Text::owned(
            format!(
                "Stopped with {} host(s) not started; `ovirt-upgrade resume` goes on.",
                summary.not_started.len()
            ),
            format!(
                "{} ホストが未着手のまま停止しました。`ovirt-upgrade resume` で続行します。",
                summary.not_started.len()
            ),
        ),
        Some(failed) => {
            let why = failed.failure.message();
            Text::owned(
                format!("{} failed: {}", failed.host, why.en),
                format!("{} 失敗: {}", failed.host, why.ja),
            )
        }
    }
}

/// A migration's record as a line of the event log.
fn describe_migrate(record: &MigrateRecord, lang: Lang) -> String {
    let text = match record {
        MigrateRecord::Planned { plan } => Text::owned(
            format!(
                "plan: {} waves, {} hosts",
                plan.waves.len(),
                plan.hosts().count()
            ),
            format!(
                "計画: {} ウェーブ、{} ホスト",
                plan.waves.len(),
                plan.hosts().count()
            ),
        ),
        MigrateRecord::Began { resumed } => began_line(*resumed),
        MigrateRecord::WaveStarted { wave } => Text::owned(
            format!("wave {} started", wave + 1),
            format!("ウェーブ {} 開始", wave + 1),
        ),
        MigrateRecord::Migrating { vm, from, to } => {
            Text::same(format!("migrate {vm}: {from} → {to}"))
        }
        MigrateRecord::Migrated { vm, to } => {
            Text::owned(format!("{vm} runs on {to}"), format!("{vm} は {to} で稼働"))
        }
        MigrateRecord::Held { host, vm } => Text::owned(
            format!("{host}: VM {} held until the host is back", vm.name),
            format!("{host}: VM {} をホストの復帰まで保留", vm.name),
        ),
        MigrateRecord::VmIntent { host, vm, stage } => {
            let what = stage.message();
            Text::owned(
                format!("{host}: {vm}: {}", what.en),
                format!("{host}: {vm}: {}", what.ja),
            )
        }
        MigrateRecord::VmDone { host, vm, stage } => {
            let what = stage.message();
            Text::owned(
                format!("{host}: {vm}: {} — done", what.en),
                format!("{host}: {vm}: {} — 完了", what.ja),
            )
        }
        MigrateRecord::Intent { host, stage } => {
            let what = stage.message();
            Text::owned(
                format!("{host}: {}", what.en),
                format!("{host}: {}", what.ja),
            )
        }
        MigrateRecord::Done { host, stage, .. } => {
            let what = stage.message();
            Text::owned(
                format!("{host}: {} — done", what.en),
                format!("{host}: {} — 完了", what.ja),
            )
        }
        MigrateRecord::HostFinished { host, result } => match result {
            migrate::HostResult::Migrated { seconds } => Text::owned(
                format!("{host} migrated in {} min", minutes(*seconds)),
                format!("{host} 移行完了({} 分)", minutes(*seconds)),
            ),
            migrate::HostResult::Failed { failure } => {
                let why = failure.message();
                Text::owned(
                    format!("{host} failed: {}", why.en),
                    format!("{host} 失敗: {}", why.ja),
                )
            }
        },
        MigrateRecord::Stopping { reason } => stopping_line(reason),
        MigrateRecord::Finished { summary } => finished_line(migrate_ending(summary)),
    };
    text.get(lang).to_owned()
}

fn chain_panel(header: &ChainHeader, entries: &[ChainEntry], lang: Lang) -> Markup {
    let state = ChainState::from_entries(entries);
    let status = ChainStatus::from_journal(header, entries);
    let stages: Vec<(Text, StagePhase)> = state
        .plan
        .iter()
        .flat_map(|p| &p.stages)
        .zip(&status.stages)
        .map(|(stage, line)| (stage.message(), line.state))
        .collect();
    let done = stages
        .iter()
        .filter(|(_, phase)| *phase == StagePhase::Done)
        .count();
    let target = status
        .target
        .map(|level| level.to_string())
        .unwrap_or_default();
    html! {
        (heading(entries.len(), &[
            (Text::new("Command", "コマンド"), &header.command),
            (Text::new("Engine", "エンジン"), &header.engine),
            (Text::new("Target level", "目標の互換レベル"), &target),
        ], status.state, lang))
        (progress_bar(done, stages.len(), ("stages", "ステージ"), lang))
        @if let Some(summary) = &status.summary {
            p #eta { (summary.outcome.message().get(lang)) } "\n"
        }
        (stopping(status.stopped_because.as_deref(), lang))
        (steps(Text::new("Stages", "ステージ"), &stages, lang))
        p {
            (Text::owned(
                format!("VMs restarted: {}. Failed: {}.", status.restarted, status.failed.len()),
                format!("再起動した VM: {}。失敗: {}。", status.restarted, status.failed.len()),
            ).get(lang))
            @if !status.restarting.is_empty() {
                " " (Text::new("Restarting now", "再起動中")
                    .get(lang)) ": " (status.restarting.join(", "))
            }
        }
        "\n"
        (log(entries.iter().map(|entry| (entry.at, describe_chain(&entry.record, &state, lang))), lang))
    }
}

/// A chain's record as a line of the event log.
fn describe_chain(record: &ChainRecord, state: &ChainState, lang: Lang) -> String {
    let stage = |number: usize| {
        numbered(
            state.plan.as_ref().map(|p| p.stages.as_slice()),
            number,
            |s| s.message(),
        )
    };
    let text = match record {
        ChainRecord::Planned { plan } => Text::owned(
            format!("plan: {} stages to {}", plan.stages.len(), plan.target),
            format!("計画: {} への {} ステージ", plan.target, plan.stages.len()),
        ),
        ChainRecord::Began { resumed } => began_line(*resumed),
        ChainRecord::StageStarted { stage: number } => {
            let what = stage(*number);
            Text::owned(
                format!("started: {}", what.en),
                format!("開始: {}", what.ja),
            )
        }
        ChainRecord::StageFinished { stage: number } => {
            let what = stage(*number);
            Text::owned(format!("done: {}", what.en), format!("完了: {}", what.ja))
        }
        ChainRecord::Intent { step, action } => Text::same(match action {
            ChainAction::SetClusterLevel { name, from, to, .. } => {
                format!("#{step} cluster {name}: {from} → {to}")
            }
            ChainAction::SetDataCenterLevel { name, from, to, .. } => {
                format!("#{step} data center {name}: {from} → {to}")
            }
            ChainAction::Reboot { vm_name, .. } => format!("#{step} restart {vm_name}"),
            ChainAction::Start { vm_name, .. } => format!("#{step} start {vm_name}"),
        }),
        ChainRecord::Answered { step, answer } => answered(*step, answer),
        ChainRecord::Observed { step, effect } => observed(*step, effect),
        ChainRecord::RestartsPlanned {
            stage: number,
            batches,
        } => {
            let vms: usize = batches.iter().map(Vec::len).sum();
            let what = stage(*number);
            Text::owned(
                format!(
                    "{}: {vms} VM(s) to restart in {} batch(es)",
                    what.en,
                    batches.len()
                ),
                format!("{}: 再起動する VM {vms}、{} バッチ", what.ja, batches.len()),
            )
        }
        ChainRecord::BatchStarted { batch, .. } => Text::owned(
            format!("restart batch {} started", batch + 1),
            format!("再起動バッチ {} 開始", batch + 1),
        ),
        ChainRecord::VmSettled { name, result, .. } => {
            let how = result.message();
            Text::owned(format!("{name}: {}", how.en), format!("{name}: {}", how.ja))
        }
        ChainRecord::Stopping { reason } => stopping_line(reason),
        ChainRecord::Finished { summary } => finished_line(summary.outcome.message()),
    };
    text.get(lang).to_owned()
}

fn workflow_panel(header: &WorkflowHeader, entries: &[WorkflowEntry], lang: Lang) -> Markup {
    let state = WorkflowState::from_entries(entries);
    let status = WorkflowStatus::from_journal(header, entries);
    let rows: Vec<(Text, StagePhase)> = status
        .steps
        .iter()
        .map(|line| (line.step.message(), line.state))
        .collect();
    let done = rows
        .iter()
        .filter(|(_, phase)| *phase == StagePhase::Done)
        .count();
    html! {
        (heading(entries.len(), &[
            (Text::new("Engine", "エンジン"), &header.engine),
            (Text::new("Journals", "ジャーナル"), &header.journals),
        ], status.state, lang))
        (progress_bar(done, rows.len(), ("steps", "ステップ"), lang))
        @if let Some(summary) = &status.summary {
            p #eta {
                (Text::owned(
                    format!("Took {} min.", minutes(summary.duration_seconds)),
                    format!("所要 {} 分。", minutes(summary.duration_seconds)),
                ).get(lang))
            }
            "\n"
        }
        (stopping(status.stopped_because.as_deref(), lang))
        (steps(Text::new("Steps", "ステップ"), &rows, lang))
        @if !status.runs.is_empty() {
            h2 { (Text::new("Runs of the steps", "ステップの実行").get(lang)) } "\n"
            ul {
                @for run in &status.runs {
                    li {
                        code { (run.journal) } ": "
                        (phase_word(Some(if run.finished { RunPhase::Finished } else { RunPhase::Interrupted })).get(lang))
                    }
                    "\n"
                }
            }
            "\n"
        }
        (log(entries.iter().map(|entry| (entry.at, describe_workflow(&entry.record, &state, lang))), lang))
    }
}

/// A workflow's record as a line of the event log.
fn describe_workflow(record: &WorkflowRecord, state: &WorkflowState, lang: Lang) -> String {
    let step = |number: usize| {
        numbered(
            state.plan.as_ref().map(|p| p.steps.as_slice()),
            number,
            |s| s.message(),
        )
    };
    let text = match record {
        WorkflowRecord::Planned { plan } => Text::owned(
            format!(
                "plan: {} steps, {} → {}",
                plan.steps.len(),
                plan.manager_from,
                plan.manager_to
            ),
            format!(
                "計画: {} ステップ、{} → {}",
                plan.steps.len(),
                plan.manager_from,
                plan.manager_to
            ),
        ),
        WorkflowRecord::Began { resumed } => began_line(*resumed),
        WorkflowRecord::StepStarted { step: number } => {
            let what = step(*number);
            Text::owned(
                format!("started: {}", what.en),
                format!("開始: {}", what.ja),
            )
        }
        WorkflowRecord::StepFinished { step: number } => {
            let what = step(*number);
            Text::owned(format!("done: {}", what.en), format!("完了: {}", what.ja))
        }
        WorkflowRecord::RunStarted { run, .. } => Text::owned(
            format!("run {} started", run.journal),
            format!("実行 {} 開始", run.journal),
        ),
        WorkflowRecord::RunFinished { journal, .. } => Text::owned(
            format!("run {journal} ended"),
            format!("実行 {journal} 終了"),
        ),
        WorkflowRecord::Activating { host, .. } => Text::owned(
            format!("activating {host} to install it again"),
            format!("{host} を再インストールのため有効化中"),
        ),
        WorkflowRecord::Activated { host, .. } => Text::owned(
            format!("{host} is active"),
            format!("{host} を有効化しました"),
        ),
        WorkflowRecord::Stopping { reason } => stopping_line(reason),
        WorkflowRecord::Finished { summary } => Text::owned(
            format!("finished in {} min", minutes(summary.duration_seconds)),
            format!("終了({} 分)", minutes(summary.duration_seconds)),
        ),
    };
    text.get(lang).to_owned()
}
