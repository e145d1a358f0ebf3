//! The Upgrade Helper: a form with `plan`'s choices, the checklist it gives (the same renderer
//! as `plan --html`), and a tick per step kept by the tracker `plan done` uses, one file per
//! plan in the state directory.

use std::path::{Path, PathBuf};
use std::sync::Arc;

use axum::extract::{Query, State};
use axum::http::StatusCode;
use axum::response::{Html, IntoResponse, Response};
use axum::Form;
use guide::render::html as checklist;
use guide::{
    Choices, DeploymentKind, HostTypes, HostUpdate, Plan, Sha1Scope, Tracker, VersionSpec,
};
use maud::{html, Markup};
use model::{Lang, Text};
use orchestrator::clock::wall_clock;
use serde::Deserialize;

use crate::layout::{document, href, problem, PageLang};
use crate::App;

/// Ticks a step with one POST and marks its card; puts the box back if the server refused.
const SCRIPT: &str = r#"
document.querySelectorAll("section.step input[type=checkbox]").forEach(function (box) {
  box.addEventListener("change", function () {
    var step = box.closest("section.step");
    fetch("/plan/tick" + location.search, {
      method: "POST",
      headers: {"Content-Type": "application/x-www-form-urlencoded"},
      body: "step=" + encodeURIComponent(step.id) + "&done=" + box.checked
    }).then(function (answer) {
      if (!answer.ok) { throw answer.status; }
      step.classList.toggle("done", box.checked);
      step.dataset.saved = box.checked;
    }).catch(function () { box.checked = !box.checked; });
  });
});
"#;

/// The form's fields, as the browser sends them: the words `plan` takes, "on" for a box.
#[derive(Debug, Default, Deserialize)]
pub(crate) struct PlanForm {
    #[serde(default)]
    from: String,
    #[serde(default)]
    to: String,
    #[serde(default)]
    deployment: String,
    detect: Option<String>,
    remote_engine_db: Option<String>,
    remote_dwh: Option<String>,
    local_storage: Option<String>,
    gluster: Option<String>,
    #[serde(default)]
    sha1_certs: String,
    external_ca: Option<String>,
    ovn: Option<String>,
    aaa_ldap: Option<String>,
    offline_repo: Option<String>,
    new_manager_machine: Option<String>,
    #[serde(default)]
    host_type: String,
    #[serde(default)]
    host_update: String,
}

/// The boxes of the form: field name and label.
const OPTIONS: [(&str, Text); 10] = [
    (
        "remote_engine_db",
        Text::new(
            "Engine database on its own machine",
            "エンジンデータベースが別マシン",
        ),
    ),
    (
        "remote_dwh",
        Text::new(
            "Data Warehouse on its own machine",
            "Data Warehouse が別マシン",
        ),
    ),
    (
        "local_storage",
        Text::new("Local storage", "ローカルストレージ"),
    ),
    (
        "gluster",
        Text::new("Gluster (hyperconverged)", "Gluster(ハイパーコンバージド)"),
    ),
    (
        "external_ca",
        Text::new(
            "HTTPS certificate from an external CA",
            "外部 CA の HTTPS 証明書",
        ),
    ),
    ("ovn", Text::new("ovirt-provider-ovn", "ovirt-provider-ovn")),
    ("aaa_ldap", Text::new("LDAP extension", "LDAP 拡張")),
    (
        "offline_repo",
        Text::new("Local repository mirror", "ローカルリポジトリミラー"),
    ),
    (
        "new_manager_machine",
        Text::new(
            "The 4.4 Manager on a new machine",
            "4.4 の Manager を新しいマシンに",
        ),
    ),
    (
        "detect",
        Text::new(
            "Read the rest from the environment",
            "残りを環境から読み取る",
        ),
    ),
];

impl PlanForm {
    fn ticked(&self, field: &str) -> bool {
        let value = match field {
            "remote_engine_db" => &self.remote_engine_db,
            "remote_dwh" => &self.remote_dwh,
            "local_storage" => &self.local_storage,
            "gluster" => &self.gluster,
            "external_ca" => &self.external_ca,
            "ovn" => &self.ovn,
            "aaa_ldap" => &self.aaa_ldap,
            "offline_repo" => &self.offline_repo,
            "new_manager_machine" => &self.new_manager_machine,
            _ => &self.detect,
        };
        value.is_some()
    }

    /// Whether the form was sent at all (a first visit shows it empty).
    fn is_filled(&self) -> bool {
        !self.from.is_empty() || !self.to.is_empty() || self.detect.is_some()
    }

    /// The form as `plan`'s choices, or what is wrong with a field.
    fn choices(&self) -> Result<Choices, String> {
        fn word<T: std::str::FromStr>(text: &str) -> Result<Option<T>, String>
        where
            T::Err: std::fmt::Display,
        {
            let text = text.trim();
            if text.is_empty() {
                return Ok(None);
            }
            text.parse()
                .map(Some)
                .map_err(|error: T::Err| error.to_string())
        }
        Ok(Choices {
            from: word::<VersionSpec>(&self.from)?,
            to: word::<VersionSpec>(&self.to)?,
            deployment: word::<DeploymentKind>(&self.deployment)?,
            remote_engine_db: self.ticked("remote_engine_db"),
            remote_dwh: self.ticked("remote_dwh"),
            local_storage: self.ticked("local_storage"),
            gluster: self.ticked("gluster"),
            sha1_certs: word::<Sha1Scope>(&self.sha1_certs)?,
            external_ca: self.ticked("external_ca"),
            ovn: self.ticked("ovn"),
            aaa_ldap: self.ticked("aaa_ldap"),
            offline_repo: self.ticked("offline_repo"),
            new_manager_machine: self.ticked("new_manager_machine"),
            host_types: word::<HostTypes>(&self.host_type)?,
            host_update: word::<HostUpdate>(&self.host_update)?,
        })
    }
}

/// The plan the form asks for, read against the environment when the form says so.
async fn make_plan(app: &App, form: &PlanForm) -> Result<Plan, Text> {
    let choices = form.choices().map_err(Text::same)?;
    let detection =
        match (&form.detect, &app.config.environment) {
            (None, _) => None,
            (Some(_), None) => return Err(Text::new(
                "No environment to read: start serve with --env or --engine.",
                "読み取る環境がありません。serve を --env または --engine 付きで起動してください。",
            )),
            (Some(_), Some(environment)) => {
                let inventory = crate::reports::load(environment).await?;
                Some(guide::detect(&inventory))
            }
        };
    guide::resolve(&choices, detection.as_ref())
        .and_then(|resolved| resolved.plan())
        .map_err(|error| Text::same(error.to_string()))
}

/// The tracker file of a plan: named after its request, so every plan keeps its own ticks.
fn tracker_path(state_dir: &Path, plan: &Plan) -> PathBuf {
    let request = serde_json::to_vec(&plan.request).expect("a request serialises");
    // FNV-1a: stable across builds, unlike the standard library's hasher.
    let hash = request
        .iter()
        .fold(0xcbf2_9ce4_8422_2325_u64, |hash, byte| {
            (hash ^ u64::from(*byte)).wrapping_mul(0x0100_0000_01b3)
        });
    state_dir.join(format!("plan-{hash:016x}.json"))
}

/// The tracker kept for `plan`, or a fresh one.
fn read_tracker(path: &Path, plan: &Plan) -> Result<Tracker, Text> {
    match std::fs::read(path) {
        Ok(bytes) => Tracker::from_json(&bytes, &path.display().to_string())
            .map(|(tracker, _)| tracker)
            .map_err(|error| Text::same(error.to_string())),
        Err(error) if error.kind() == std::io::ErrorKind::NotFound => Ok(Tracker::new(plan)),
        Err(error) => Err(Text::same(format!("{}: {error}", path.display()))),
    }
}

/// Writes the tracker whole or not at all, as `plan done` does.
fn write_tracker(path: &Path, tracker: &Tracker) -> std::io::Result<()> {
    if let Some(dir) = path.parent() {
        std::fs::create_dir_all(dir)?;
    }
    guide::file::write_atomically(path, &tracker.to_json())
}

fn form(app: &App, values: &PlanForm, lang: Lang) -> Markup {
    let select = |name: &str, chosen: &str, words: &[&str]| {
        html! {
            select name=(name) id=(name) {
                option value="" { "—" }
                @for word in words {
                    option value=(word) selected[*word == chosen] { (word) }
                }
            }
        }
    };
    html! {
        form method="get" action="/plan" {
            input type="hidden" name="lang" value=(lang);
            fieldset {
                label { (Text::new("From", "現在").get(lang)) " " input name="from" id="from" size="8" placeholder="4.3.11" value=(values.from); }
                label { (Text::new("To", "目標").get(lang)) " " input name="to" id="to" size="8" placeholder="4.4" value=(values.to); }
                label { (Text::new("Deployment", "構成").get(lang)) " "
                    (select("deployment", &values.deployment, &DeploymentKind::ALL.iter().map(|d| d.as_str()).collect::<Vec<_>>()))
                }
            }
            fieldset {
                @for (field, label) in &OPTIONS {
                    @if *field != "detect" || app.config.environment.is_some() {
                        label { input type="checkbox" name=(field) id=(field) checked[values.ticked(field)]; " " (label.get(lang)) }
                    }
                }
            }
            fieldset {
                label { (Text::new("SHA-1 certificates", "SHA-1 証明書").get(lang)) " "
                    (select("sha1_certs", &values.sha1_certs, &Sha1Scope::ALL.iter().map(|s| s.as_str()).collect::<Vec<_>>())) }
                label { (Text::new("Hosts", "ホスト").get(lang)) " "
                    (select("host_type", &values.host_type, &HostTypes::ALL.iter().map(|h| h.as_str()).collect::<Vec<_>>())) }
                label { (Text::new("Host update", "ホストの更新").get(lang)) " "
                    (select("host_update", &values.host_update, &HostUpdate::ALL.iter().map(|h| h.as_str()).collect::<Vec<_>>())) }
            }
            button type="submit" id="make" { (Text::new("Make the checklist", "チェックリストを作成").get(lang)) }
        }
        "\n"
    }
}

/// `GET /plan`: the form, and the checklist with its ticks once the form is sent.
pub(crate) async fn page(
    State(app): State<Arc<App>>,
    PageLang(lang): PageLang,
    Query(values): Query<PlanForm>,
) -> Response {
    let title = Text::new("Upgrade Helper", "アップグレードヘルパー");
    let made = if values.is_filled() {
        Some(make_plan(&app, &values).await.and_then(|plan| {
            let path = tracker_path(&app.config.state_dir, &plan);
            let tracker = read_tracker(&path, &plan)?;
            Ok((plan, path, tracker))
        }))
    } else {
        None
    };
    let status = match made {
        Some(Err(_)) => StatusCode::BAD_REQUEST,
        _ => StatusCode::OK,
    };
    let body = html! {
        h1 { (title.get(lang)) } "\n"
        (form(&app, &values, lang))
        @match &made {
            None => {}
            Some(Err(message)) => { p.error { (message.get(lang)) } "\n" }
            Some(Ok((plan, path, tracker))) => {
                p {
                    a href=(href(&format!("/plan/print?{}", query_of(&values)), lang)) { (Text::new("Printable page", "印刷用ページ").get(lang)) }
                    " · " (Text::new("Ticks are kept in", "チェックの保存先:").get(lang)) " " code { (path.display().to_string()) }
                    " (" code { "ovirt-upgrade plan status --file " (path.display().to_string()) } ")"
                }
                "\n"
                section #checklist { (checklist::checklist(plan, lang, Some(&tracker.done_ids()))) }
                "\n"
            }
        }
    };
    (
        status,
        document(
            lang,
            "/plan",
            title.get(lang),
            checklist::STYLE,
            body,
            Some(SCRIPT),
        ),
    )
        .into_response()
}

/// The form's values again as a query, for links that make the same plan.
fn query_of(values: &PlanForm) -> String {
    let mut pairs: Vec<(&str, &str)> = [
        ("from", values.from.as_str()),
        ("to", values.to.as_str()),
        ("deployment", values.deployment.as_str()),
        ("sha1_certs", values.sha1_certs.as_str()),
        ("host_type", values.host_type.as_str()),
        ("host_update", values.host_update.as_str()),
    ]
    .into_iter()
    .filter(|(_, value)| !value.is_empty())
    .collect();
    pairs.extend(
        OPTIONS
            .iter()
            .filter(|(field, _)| values.ticked(field))
            .map(|(field, _)| (*field, "on")),
    );
    pairs
        .iter()
        .map(|(name, value)| format!("{name}={}", encode(value)))
        .collect::<Vec<_>>()
        .join("&")
}

/// Percent-encodes a query value (versions and the guide's words need little).
fn encode(value: &str) -> String {
    value
        .bytes()
        .map(|byte| match byte {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'.' | b'_' => {
                (byte as char).to_string()
            }
            _ => format!("%{byte:02X}"),
        })
        .collect()
}

/// `GET /plan/print`: the checklist as `plan --html` writes it, with the ticks.
pub(crate) async fn printable(
    State(app): State<Arc<App>>,
    PageLang(lang): PageLang,
    Query(values): Query<PlanForm>,
) -> Response {
    let plan = match make_plan(&app, &values).await {
        Ok(plan) => plan,
        Err(message) => return problem(StatusCode::BAD_REQUEST, lang, "/plan", &message),
    };
    let path = tracker_path(&app.config.state_dir, &plan);
    match read_tracker(&path, &plan) {
        Ok(tracker) => {
            Html(checklist::render(&plan, lang, Some(&tracker.done_ids()))).into_response()
        }
        Err(message) => problem(StatusCode::CONFLICT, lang, "/plan", &message),
    }
}

/// A tick: the step and whether it is now done.
#[derive(Debug, Deserialize)]
pub(crate) struct Tick {
    step: String,
    done: bool,
}

/// `POST /plan/tick?<the form's query>`: marks a step done or not in the plan's tracker.
pub(crate) async fn tick(
    State(app): State<Arc<App>>,
    PageLang(lang): PageLang,
    Query(values): Query<PlanForm>,
    Form(tick): Form<Tick>,
) -> Response {
    let plan = match make_plan(&app, &values).await {
        Ok(plan) => plan,
        Err(message) => return problem(StatusCode::BAD_REQUEST, lang, "/plan", &message),
    };
    let path = tracker_path(&app.config.state_dir, &plan);
    let mut tracker = match read_tracker(&path, &plan) {
        Ok(tracker) => tracker,
        Err(message) => return problem(StatusCode::CONFLICT, lang, "/plan", &message),
    };
    let marked = if tick.done {
        tracker.mark_done(&plan, &tick.step, Some(wall_clock().to_string()))
    } else {
        tracker.mark_undone(&plan, &tick.step)
    };
    if let Err(error) = marked {
        return problem(
            StatusCode::BAD_REQUEST,
            lang,
            "/plan",
            &Text::same(error.to_string()),
        );
    }
    match write_tracker(&path, &tracker) {
        Ok(()) => StatusCode::NO_CONTENT.into_response(),
        Err(error) => problem(
            StatusCode::INTERNAL_SERVER_ERROR,
            lang,
            "/plan",
            &Text::same(format!("{}: {error}", path.display())),
        ),
    }
}
