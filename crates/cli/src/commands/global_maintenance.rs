//! `ovirt-upgrade global-maintenance on|off|status`: the self-hosted engine's global
//! maintenance through the Manager VM's `maintenance` action, and its state as
//! `hosted-engine --vm-status` shows it.

use std::time::Duration;

use anyhow::Context as _;
use clap::{Args, ValueEnum};
use model::engine::Engine;
use orchestrator::hosted_engine::{self, HostedEngineView};
use orchestrator::TokioClock;

use super::parse_minutes;
use crate::cli::OutputFormat;
use crate::context::Context;
use crate::exit::Exit;
use crate::report::maintenance::{render_report, render_view};
use crate::report::print_json;
use crate::report::progress::Progress;
use crate::runs::clock::wall_clock;
use crate::runs::ids::RunIds;
use crate::runs::target::{EngineWork, SimArgs, Target};

/// Turn a self-hosted engine's global maintenance on or off, or show it.
#[derive(Debug, Args)]
#[command(after_help = "\
`on` before the Manager's update: the HA agents then leave the Manager VM alone. `off` after it:
the agents start the Manager VM again when it is down, and the command waits until the engine
reports {\"health\": \"good\", \"vm\": \"up\", \"detail\": \"Up\"}, telling each status on the way
(\"Powering up\" while the VM boots; the guide allows up to ten minutes). `status` shows every
hosted-engine host like `hosted-engine --vm-status`. Asking for the state it is in already
changes nothing.

Examples:
  ovirt-upgrade global-maintenance status --sim
  ovirt-upgrade global-maintenance on --sim example:demo
  ovirt-upgrade global-maintenance off --timeout 20m
  ovirt-upgrade global-maintenance status --engine https://engine.example.com/ovirt-engine/api

Exit codes: 0 done (or already so); 1 the engine refused, or did not come back in time; 2 an
environment without a hosted engine, or a bad option.")]
pub struct GlobalMaintenanceArgs {
    /// What to do.
    #[arg(value_enum)]
    pub action: MaintenanceAction,
    /// How long the hosts may take to report it and, turning it off, the engine to come back
    /// with good health: minutes (15m, 20) or hours (1h).
    #[arg(long, value_name = "DURATION", default_value = "15m", value_parser = parse_minutes)]
    pub timeout: u32,
    #[command(flatten)]
    pub sim: SimArgs,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum MaintenanceAction {
    On,
    Off,
    Status,
}

pub fn run(args: GlobalMaintenanceArgs, ctx: &Context) -> anyhow::Result<Exit> {
    let target = Target::choose(&args.sim, ctx, &RunIds::fresh().correlation)?;
    target.carry_out(wall_clock(), None, Maintenance { args, ctx })?
}

struct Maintenance<'a> {
    args: GlobalMaintenanceArgs,
    ctx: &'a Context,
}

impl EngineWork for Maintenance<'_> {
    type Output = anyhow::Result<Exit>;

    async fn on<E: Engine>(self, engine: &E, clock: &TokioClock) -> anyhow::Result<Exit> {
        let ctx = self.ctx;
        let enabled = match self.args.action {
            MaintenanceAction::Status => {
                let inventory = engine
                    .inventory()
                    .await
                    .context("cannot read the environment from the engine")?;
                let view = HostedEngineView::of(&inventory)?;
                match ctx.output {
                    OutputFormat::Json => print_json(&view)?,
                    OutputFormat::Text => print!("{}", render_view(&view, ctx.lang)),
                }
                return Ok(Exit::Success);
            }
            MaintenanceAction::On => true,
            MaintenanceAction::Off => false,
        };
        // The engine's statuses on the way show as lines; JSON is the report alone.
        let progress = Progress::text_only(ctx);
        let timeout = Duration::from_secs(u64::from(self.args.timeout) * 60);
        let report =
            hosted_engine::set_global_maintenance(engine, clock, enabled, timeout, &progress)
                .await?;
        match ctx.output {
            OutputFormat::Json => print_json(&report)?,
            OutputFormat::Text => print!("{}", render_report(&report, ctx.lang)),
        }
        Ok(Exit::Success)
    }
}
