//! `ovirt-upgrade plan`: the Upgrade Guide's checklist for one environment and route, and a
//! tracker file to tick steps off during a long window.

use std::path::{Path, PathBuf};
use std::str::FromStr;

use anyhow::Context as _;
use clap::builder::{PossibleValuesParser, TypedValueParser};
use clap::{Args, Subcommand};
use guide::{
    Choices, DeploymentKind, HostTypes, HostUpdate, Marked, Plan, Sha1Scope, Tracker, VersionSpec,
};

use crate::cli::OutputFormat;
use crate::context::{Context, Verbosity};
use crate::exit::{input_error, Exit};
use crate::report;
use crate::runs::clock::wall_clock;
use crate::text::tr;

/// Where `--save`, `done` and `status` keep the tracker when no file is named.
const DEFAULT_TRACKER: &str = "ovirt-upgrade-plan.json";

/// A value parser that lists the accepted words in `--help` and parses them with `FromStr`.
fn words<T>(all: &'static [T], name: fn(T) -> &'static str) -> impl TypedValueParser<Value = T>
where
    T: Copy + Send + Sync + 'static + FromStr<Err = guide::UnknownWord>,
{
    PossibleValuesParser::new(all.iter().map(move |value| name(*value)))
        .try_map(|word: String| word.parse::<T>())
}

/// Make the checklist for an upgrade: the Upgrade Guide's steps for this environment and route.
#[derive(Debug, Args)]
#[command(args_conflicts_with_subcommands = true)]
#[command(after_help = "\
Every route of the guide for each deployment, several hops at once (4.2 → 4.3 → 4.4, each line
updated to its latest release first), and beyond the guide 4.4 → 4.5. Each step has a stable id,
where it runs, its commands exactly as the guide gives them, how to verify it, and the
ovirt-upgrade command that can do it. docs/plan.md describes every option.

Examples:
  ovirt-upgrade plan --from 4.3.11 --to 4.4 --deployment self-hosted --ovn
  ovirt-upgrade plan --inventory example:standalone-remote --lang ja --html plan.html
  ovirt-upgrade plan --inventory env.json --save window.json
  ovirt-upgrade plan done 4.3-4.4/engine-backup --file window.json
  ovirt-upgrade plan status --file window.json

Exit codes: 0 ok; 2 an unknown version, a route the guide does not allow, conflicting options,
or an unusable tracker file.")]
pub struct PlanArgs {
    #[command(subcommand)]
    pub action: Option<PlanAction>,
    #[command(flatten)]
    pub make: MakeArgs,
}

#[derive(Debug, Subcommand)]
pub enum PlanAction {
    /// Mark steps of a saved plan done (by id, or by number such as 1.4.2).
    Done {
        /// Step ids or numbers, as the checklist shows them.
        #[arg(required = true, value_name = "STEP")]
        steps: Vec<String>,
        /// Take the marks back instead.
        #[arg(long)]
        undo: bool,
        /// The tracker written by `plan --save`.
        #[arg(long, value_name = "FILE", default_value = DEFAULT_TRACKER)]
        file: PathBuf,
    },
    /// Show how far a saved plan has come, and the next step.
    Status {
        /// The tracker written by `plan --save`.
        #[arg(long, value_name = "FILE", default_value = DEFAULT_TRACKER)]
        file: PathBuf,
        /// Print the whole checklist, with its marks, instead of one line per step.
        #[arg(long)]
        full: bool,
        #[command(flatten)]
        documents: DocumentArgs,
    },
}

/// Where to write the checklist as a document.
#[derive(Debug, Args)]
pub struct DocumentArgs {
    /// Also write the checklist as Markdown to FILE (`-` for standard output).
    #[arg(long, value_name = "FILE", help_heading = "Documents")]
    pub markdown: Option<PathBuf>,
    /// Also write the checklist as one printable HTML page to FILE (`-` for standard output).
    #[arg(long, value_name = "FILE", help_heading = "Documents")]
    pub html: Option<PathBuf>,
}

#[derive(Debug, Args)]
pub struct MakeArgs {
    /// The Manager's version now: 4.3.11, or 4.3 for "some 4.3" [default: from --inventory].
    #[arg(long, value_name = "VERSION")]
    pub from: Option<VersionSpec>,
    /// The version to reach: 4.4.10, or 4.4 for the latest 4.4 [default: the newest version the
    /// guide covers, or the latest of the Manager's line].
    #[arg(long, value_name = "VERSION")]
    pub to: Option<VersionSpec>,
    /// Which of the guide's chapters: self-hosted (1), standalone with local databases (2),
    /// standalone with a remote database or Data Warehouse (3) [default: from --inventory].
    #[arg(long, value_name = "KIND", value_parser = words(DeploymentKind::ALL, DeploymentKind::as_str))]
    pub deployment: Option<DeploymentKind>,
    /// Read versions, deployment and options from an environment: an inventory (.json), a
    /// scenario (.toml) or `example:NAME`. Options given here win over what it shows.
    /// Without it, a live engine named with --engine (or OVIRT_URL) is read instead.
    #[arg(long, value_name = "FILE")]
    pub inventory: Option<String>,

    /// The engine database lives on a machine of its own.
    #[arg(long, help_heading = "Conditional parts of the guide")]
    pub remote_engine_db: bool,
    /// Data Warehouse lives on a machine of its own.
    #[arg(long, help_heading = "Conditional parts of the guide")]
    pub remote_dwh: bool,
    /// A data center keeps VMs on storage local to its host (kept across the 4.4 reinstall).
    #[arg(long, help_heading = "Conditional parts of the guide")]
    pub local_storage: bool,
    /// Hosts serve gluster storage (hyperconverged; kept across the 4.4 reinstall).
    #[arg(long, help_heading = "Conditional parts of the guide")]
    pub gluster: bool,
    /// The Manager's certificates are signed with SHA-1: re-sign all of them, or only the Apache
    /// one (browser warnings).
    #[arg(
        long,
        value_name = "SCOPE",
        num_args = 0..=1,
        default_missing_value = "all",
        value_parser = words(Sha1Scope::ALL, Sha1Scope::as_str),
        help_heading = "Conditional parts of the guide"
    )]
    pub sha1_certs: Option<Sha1Scope>,
    /// The HTTPS (Apache) certificate was issued by an external CA.
    #[arg(long, help_heading = "Conditional parts of the guide")]
    pub external_ca: bool,
    /// ovirt-provider-ovn is in use (the OVN 2021 / OvS 2.15 move).
    #[arg(long, help_heading = "Conditional parts of the guide")]
    pub ovn: bool,
    /// The LDAP extension packages (ovirt-engine-extension-aaa-ldap, -misc) are installed.
    #[arg(long, help_heading = "Conditional parts of the guide")]
    pub aaa_ldap: bool,
    /// Packages come from a local repository mirror (the guide's appendices A and B).
    #[arg(long, help_heading = "Conditional parts of the guide")]
    pub offline_repo: bool,
    /// The 4.4 Manager goes on a new machine (self-hosted: is deployed from a new host).
    #[arg(long, help_heading = "Conditional parts of the guide")]
    pub new_manager_machine: bool,
    /// What the hosts run [default: from --inventory, else both variants].
    #[arg(
        long,
        value_name = "TYPE",
        value_parser = words(HostTypes::ALL, HostTypes::as_str),
        help_heading = "Conditional parts of the guide"
    )]
    pub host_type: Option<HostTypes>,
    /// How hosts are updated in place: the portal's cluster upgrade, one by one in the portal,
    /// or by hand with dnf [default: cluster].
    #[arg(
        long,
        value_name = "METHOD",
        value_parser = words(HostUpdate::ALL, HostUpdate::as_str),
        help_heading = "Conditional parts of the guide"
    )]
    pub host_update: Option<HostUpdate>,

    #[command(flatten)]
    pub documents: DocumentArgs,
    /// Save a tracker to FILE, to mark steps done with `plan done` during the window
    /// [default FILE: ovirt-upgrade-plan.json].
    #[arg(
        long,
        value_name = "FILE",
        num_args = 0..=1,
        default_missing_value = DEFAULT_TRACKER,
        help_heading = "Documents"
    )]
    pub save: Option<PathBuf>,
}

pub fn run(args: PlanArgs, ctx: &Context) -> anyhow::Result<Exit> {
    match args.action {
        None => make(args.make, ctx),
        Some(PlanAction::Done { steps, undo, file }) => done(&steps, undo, &file, ctx),
        Some(PlanAction::Status {
            file,
            full,
            documents,
        }) => status(&file, full, &documents, ctx),
    }
}

fn make(args: MakeArgs, ctx: &Context) -> anyhow::Result<Exit> {
    let inventory = match &args.inventory {
        Some(spec) => Some(
            scenario::load(spec).with_context(|| format!("cannot load the environment {spec}"))?,
        ),
        None if crate::runs::live::engine_url(ctx).is_some() => {
            let live = crate::runs::live::connect(ctx)?;
            Some(live.read_inventory(ctx, ovirt_client::Scope::Everything)?)
        }
        None => None,
    };
    let choices = Choices {
        from: args.from,
        to: args.to,
        deployment: args.deployment,
        remote_engine_db: args.remote_engine_db,
        remote_dwh: args.remote_dwh,
        local_storage: args.local_storage,
        gluster: args.gluster,
        sha1_certs: args.sha1_certs,
        external_ca: args.external_ca,
        ovn: args.ovn,
        aaa_ldap: args.aaa_ldap,
        offline_repo: args.offline_repo,
        new_manager_machine: args.new_manager_machine,
        host_types: args.host_type,
        host_update: args.host_update,
    };
    let plan = checklist(&choices, inventory.as_ref())?;
    let printed_document = report::plan::write_documents(&plan, &args.documents, None, ctx)?;
    if let Some(path) = &args.save {
        report::plan::write_atomically(path, &Tracker::new(&plan).to_json())?;
        if ctx.says(Verbosity::Normal) {
            eprintln!(
                "{} {}",
                tr(
                    ctx.lang,
                    "Saved the tracker to",
                    "トラッカーを保存しました:"
                ),
                path.display()
            );
        }
    }
    if !printed_document {
        report::plan::print(&plan, None, ctx)?;
    }
    Ok(Exit::Success)
}

/// The guide's checklist for `choices`, the rest read from `inventory` when there is one:
/// the command's work, shared with the demo.
pub(crate) fn checklist(
    choices: &Choices,
    inventory: Option<&model::Inventory>,
) -> anyhow::Result<Plan> {
    let detection = inventory.map(guide::detect);
    guide::resolve(choices, detection.as_ref())
        .and_then(|resolved| resolved.plan())
        .map_err(input_error)
}

/// Reads a tracker, or says how to make one.
fn load_tracker(file: &Path) -> anyhow::Result<(Tracker, Plan)> {
    let bytes = std::fs::read(file)
        .with_context(|| {
            format!(
                "cannot read the tracker {} (save one with `ovirt-upgrade plan ... --save {}`)",
                file.display(),
                file.display()
            )
        })
        .map_err(input_error)?;
    Ok(Tracker::from_json(&bytes, &file.display().to_string())?)
}

fn done(steps: &[String], undo: bool, file: &Path, ctx: &Context) -> anyhow::Result<Exit> {
    let (mut tracker, plan) = load_tracker(file)?;
    let at = wall_clock().to_string();
    let mut changed = Vec::new();
    for step in steps {
        let (id, marked) = if undo {
            tracker.mark_undone(&plan, step)
        } else {
            tracker.mark_done(&plan, step, Some(at.clone()))
        }
        .map_err(input_error)?;
        changed.push((id, marked));
    }
    if changed.iter().any(|(_, marked)| *marked == Marked::Changed) {
        report::plan::write_atomically(file, &tracker.to_json())?;
    }
    report::plan::marks(&plan, &tracker.done_ids(), &changed, undo, file, ctx)?;
    Ok(Exit::Success)
}

fn status(
    file: &Path,
    full: bool,
    documents: &DocumentArgs,
    ctx: &Context,
) -> anyhow::Result<Exit> {
    let (tracker, plan) = load_tracker(file)?;
    let finished = tracker.done_ids();
    if report::plan::write_documents(&plan, documents, Some(&finished), ctx)? {
        return Ok(Exit::Success);
    }
    if full || ctx.output == OutputFormat::Json {
        report::plan::print(&plan, Some(&finished), ctx)?;
        return Ok(Exit::Success);
    }
    report::plan::status(&plan, &tracker, ctx.lang);
    Ok(Exit::Success)
}

#[cfg(test)]
mod tests {
    use clap::CommandFactory;

    #[test]
    fn the_guide_knows_which_commands_ship() {
        let cli = crate::cli::Cli::command();
        for tool in guide::Tool::ALL {
            let ships = cli.find_subcommand(tool.subcommand()).is_some();
            assert_eq!(
                ships,
                tool.available(),
                "`ovirt-upgrade {}` {} in this build: update guide::step::AVAILABLE_TOOLS",
                tool.subcommand(),
                if ships { "exists" } else { "does not exist" }
            );
        }
    }
}
