//! A live engine for the commands: the connection options turned into a logged-in client,
//! and the environment read from it with a progress bar on standard error.

use std::io::IsTerminal as _;
use std::sync::Mutex;

use anyhow::{anyhow, Context as _};
use indicatif::{ProgressBar, ProgressDrawTarget, ProgressStyle};
use model::Inventory;
use ovirt_client::{Client, Config, Password, Progress, Scope, Stage, Tls};

use crate::cli::OutputFormat;
use crate::context::{Context, Verbosity};
use crate::exit::input_error;
use crate::text::tr;

/// A client and the runtime it runs on.
pub struct Live {
    pub runtime: tokio::runtime::Runtime,
    pub client: Client,
}

/// The engine named with `--engine` or OVIRT_URL, if any.
pub fn engine_url(ctx: &Context) -> Option<&str> {
    ctx.connection
        .engine
        .as_deref()
        .filter(|url| !url.trim().is_empty())
}

/// The password: from --password-file, else OVIRT_PASSWORD, else asked for on a terminal.
fn password(ctx: &Context, url: &str) -> anyhow::Result<Password> {
    let args = &ctx.connection;
    if let Some(path) = &args.password_file {
        let text = std::fs::read_to_string(path)
            .with_context(|| format!("cannot read the password file {}", path.display()))
            .map_err(input_error)?;
        return Ok(Password::new(text.lines().next().unwrap_or_default()));
    }
    if let Some(password) = std::env::var("OVIRT_PASSWORD")
        .ok()
        .filter(|p| !p.is_empty())
    {
        return Ok(Password::new(password));
    }
    if !std::io::stdin().is_terminal() {
        return Err(input_error(anyhow!(
            "no password for {} at {url}: give it in OVIRT_PASSWORD or with --password-file FILE",
            args.username
        )));
    }
    let user = &args.username;
    let prompt = model::Text::owned(
        format!("Password for {user} at {url}: "),
        format!("{url} の {user} のパスワード: "),
    );
    let prompt = prompt.get(ctx.lang);
    rpassword::prompt_password(prompt)
        .map(Password::new)
        .context("cannot read the password from the terminal")
        .map_err(input_error)
}

/// Logs in to the named engine, to read it. Failing to connect or log in is an input error:
/// the options need fixing.
pub fn connect(ctx: &Context) -> anyhow::Result<Live> {
    let url = engine_url(ctx)
        .ok_or_else(|| input_error(anyhow!("name the engine with --engine URL or OVIRT_URL")))?;
    connect_to(ctx, url, None, Scope::Everything)
}

/// Logs in to the engine at `url` for a rolling upgrade: every request carries the run's
/// correlation id, and the engine is watched through its hosts and VMs only.
pub fn connect_for_run(ctx: &Context, url: &str, correlation_id: &str) -> anyhow::Result<Live> {
    connect_to(ctx, url, Some(correlation_id.to_owned()), Scope::Compute)
}

/// How the engine's certificate is checked, from --ca-file and --insecure.
pub fn tls(ctx: &Context) -> Tls {
    match (&ctx.connection.ca_file, ctx.connection.insecure) {
        (_, true) => Tls::Insecure,
        (Some(path), false) => Tls::CaFile(path.clone()),
        (None, false) => Tls::System,
    }
}

fn connect_to(
    ctx: &Context,
    url: &str,
    correlation_id: Option<String>,
    seam_scope: Scope,
) -> anyhow::Result<Live> {
    let url = url.to_owned();
    let mut config = Config::new(&url, &ctx.connection.username, password(ctx, &url)?);
    config.tls = tls(ctx);
    config.correlation_id = correlation_id;
    config.seam_scope = seam_scope;
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .context("cannot start the async runtime")?;
    let client = runtime
        .block_on(Client::connect(&config))
        .with_context(|| format!("cannot connect to the engine at {url}"))
        .map_err(input_error)?;
    Ok(Live { runtime, client })
}

impl Live {
    /// Reads the environment, showing which part is being read.
    pub fn read_inventory(&self, ctx: &Context, scope: Scope) -> anyhow::Result<Inventory> {
        let stages = Stage::of(scope);
        let bar = if ctx.output == OutputFormat::Text
            && ctx.verbosity != Verbosity::Quiet
            && std::io::stderr().is_terminal()
        {
            ProgressBar::with_draw_target(Some(stages.len() as u64), ProgressDrawTarget::stderr())
        } else {
            ProgressBar::hidden()
        };
        bar.set_style(
            ProgressStyle::with_template("{prefix} [{bar:24}] {pos}/{len} {msg}")
                .unwrap_or_else(|_| ProgressStyle::default_bar())
                .progress_chars("=> "),
        );
        bar.set_prefix(tr(ctx.lang, "reading the engine", "エンジンを読み込み中").to_owned());
        let parts = Mutex::new(0usize);
        let lang = ctx.lang;
        let progress = |event: Progress| match event {
            Progress::Started { stage, parts: n } => {
                *parts.lock().unwrap_or_else(|p| p.into_inner()) = n;
                bar.set_message(stage_name(stage, lang).to_owned());
            }
            Progress::Advanced { stage, done } => {
                let total = *parts.lock().unwrap_or_else(|p| p.into_inner());
                bar.set_message(format!("{} {done}/{total}", stage_name(stage, lang)));
            }
            Progress::Finished { stage, .. } if stage != Stage::VmDetails => bar.inc(1),
            Progress::Finished { .. } => {}
        };
        let url = self.client.url().to_owned();
        let export = self
            .runtime
            .block_on(self.client.export(scope, &progress))
            .with_context(|| format!("cannot read the environment from the engine at {url}"))
            .map_err(input_error);
        bar.finish_and_clear();
        let export = export?;
        if ctx.says(Verbosity::Normal) {
            for warning in &export.warnings {
                eprintln!("{} {warning}", tr(ctx.lang, "warning:", "警告:"));
            }
        }
        Ok(export.inventory)
    }
}

impl Drop for Live {
    /// Ends the session, whatever path the command took; a failed logout harms nothing.
    fn drop(&mut self) {
        let _ = self.runtime.block_on(self.client.close());
    }
}

fn stage_name(stage: Stage, lang: model::Lang) -> &'static str {
    let ja = match stage {
        Stage::DataCenters => "データセンター",
        Stage::Clusters => "クラスター",
        Stage::Hosts => "ホスト",
        Stage::Vms => "仮想マシン",
        Stage::VmDetails => "仮想マシンのディスクとスナップショット",
        Stage::StorageDomains => "ストレージドメイン",
        Stage::Disks => "ディスク",
        Stage::Volumes => "ボリューム",
    };
    tr(lang, stage.as_str(), ja)
}
