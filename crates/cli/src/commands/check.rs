//! `ovirt-upgrade check` (alias `analyze`): every known blocker and risk of the upgrade, found
//! before the window, from an inventory or a scenario.

use std::path::{Path, PathBuf};

use anyhow::Context as _;
use checks::render::{self, TextOptions};
use clap::{ArgGroup, Args};
use model::{Date, Inventory, Lang, Version};

use crate::cli::OutputFormat;
use crate::context::{Context, Verbosity};
use crate::exit::{input_error, Exit};
use crate::runs::clock::today;
use crate::text::tr;

#[derive(Debug, Args)]
#[command(group(ArgGroup::new("environment").args(["inventory", "scenario"])))]
#[command(after_help = "\
Every rule has a stable id (`cluster.compat-too-old`) and a severity: FAIL blocks a step of the
upgrade, WARN is a risk or extra work, INFO helps plan the window; PASS and SKIP say a rule found
nothing or does not apply. docs/check.md lists every rule.

With --engine URL (or OVIRT_URL) and no file, the environment is read from the live engine,
read-only (docs/client.md): what the API does not show about the Manager (databases, extensions,
certificates, backups) is then unknown to the rules that need it.

Exit codes: 0 no FAIL; 1 at least one FAIL; 2 the check could not run (a file, a target).")]
pub struct CheckArgs {
    /// An inventory snapshot (.json); a scenario or `example:NAME` is read too.
    #[arg(long, value_name = "FILE")]
    pub inventory: Option<String>,
    /// A scenario (.toml) or `example:NAME`; an inventory is read too.
    #[arg(long, value_name = "FILE")]
    pub scenario: Option<String>,
    /// The version to upgrade to [default: the next stop on the route: the newest release of
    /// the Manager's line, or when it is there, the newest release of the next line].
    #[arg(long, value_name = "VERSION")]
    pub target: Option<Version>,
    /// Where to write the HTML report.
    #[arg(long, value_name = "PATH", default_value = "analyzer_report.html")]
    pub html: PathBuf,
    /// Do not write the HTML report.
    #[arg(long)]
    pub no_html: bool,
    /// The day to count certificate expiry and backup age from, as YYYY-MM-DD [default: today].
    #[arg(long, value_name = "DATE")]
    pub as_of: Option<Date>,
    /// Read the environment from the engine named with --engine (read-only); the default
    /// when no file is given.
    #[arg(long, conflicts_with = "environment")]
    pub live: bool,
}

pub fn run(args: CheckArgs, ctx: &Context) -> anyhow::Result<Exit> {
    let inventory = match args.inventory.or(args.scenario) {
        Some(spec) => {
            scenario::load(&spec).with_context(|| format!("cannot load the environment {spec}"))?
        }
        None if crate::runs::live::engine_url(ctx).is_some() => {
            crate::runs::live::connect(ctx)?.read_inventory(ctx, ovirt_client::Scope::Everything)?
        }
        None if args.live => {
            return Err(input_error(anyhow::anyhow!(
                "--live reads an engine: name it with --engine URL or OVIRT_URL"
            )))
        }
        None => {
            return Err(input_error(anyhow::anyhow!(
                "give the environment with --inventory FILE, --scenario FILE or --engine URL"
            )))
        }
    };
    let target = args
        .target
        .unwrap_or_else(|| checks::default_target(inventory.manager.version));
    let now = args.as_of.unwrap_or_else(today);
    let html = (!args.no_html).then_some(args.html.as_path());
    let report = analyse(&inventory, target, now, html, ctx.lang)?;
    match ctx.output {
        OutputFormat::Json => println!("{}", render::json(&report, ctx.lang)),
        OutputFormat::Text => {
            let options = TextOptions {
                lang: ctx.lang,
                show_passed: ctx.verbosity != Verbosity::Quiet,
                evidence_limit: (ctx.verbosity != Verbosity::Verbose).then_some(10),
            };
            print!("{}", render::text(&report, &options));
        }
    }
    if !args.no_html && ctx.says(Verbosity::Normal) {
        let written = tr(ctx.lang, "HTML report written to", "HTML レポートの出力先:");
        eprintln!("{written} {}", args.html.display());
    }
    Ok(if report.has_failures() {
        Exit::Findings
    } else {
        Exit::Success
    })
}

/// Runs every rule and writes the HTML report to `html`, when given: the command's work,
/// shared with the demo.
pub(crate) fn analyse<'a>(
    inventory: &'a Inventory,
    target: Version,
    now: Date,
    html: Option<&Path>,
    lang: Lang,
) -> anyhow::Result<checks::Report<'a>> {
    let report = checks::check(inventory, target, now)?;
    if let Some(path) = html {
        std::fs::write(path, render::html(&report, lang))
            .with_context(|| format!("cannot write the HTML report to {}", path.display()))
            .map_err(input_error)?;
    }
    Ok(report)
}
