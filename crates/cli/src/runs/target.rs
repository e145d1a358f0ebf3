//! The engine a run talks to: a real one (or `sim serve`) through the HTTP client, or the
//! simulated engine in-process, and how a journal names it.

use std::fmt;
use std::future::Future;
use std::path::Path;

use anyhow::{anyhow, Context as _};
use clap::Args;
use model::engine::Engine;
use model::{Inventory, Lang, PackageVersion, Text, Timestamp, Version};
use orchestrator::workflow::ManagerSetup;
use orchestrator::TokioClock;
use ovirt_sim::{Faults, SimConfig, SimEngine, Simulator};

use super::live::{self, Live};
use super::runtime::runtime;
use crate::context::Context;
use crate::exit::input_error;

/// How much faster than real time the simulated engine runs by default: a 25-minute host
/// upgrade takes 2.5 seconds.
pub const DEFAULT_SIM_SPEED: f64 = 600.0;
/// How a journal names an in-process simulated engine; it ends with its process.
const IN_PROCESS: &str = "in-process simulated engine";

/// The simulated engine, built in: the embedded default when no engine is named.
#[derive(Debug, Args)]
#[command(next_help_heading = "Simulated engine")]
pub struct SimArgs {
    /// Run against the simulated engine loaded with ENVIRONMENT: a scenario (.toml), an
    /// inventory (.json) or example:NAME [default: example:self-hosted].
    #[arg(long, value_name = "ENVIRONMENT", num_args = 0..=1, default_missing_value = "")]
    pub sim: Option<String>,
    /// How many times faster than real time the simulated engine runs.
    #[arg(long, value_name = "FACTOR", default_value_t = DEFAULT_SIM_SPEED)]
    pub sim_speed: f64,
    /// Faults for the simulated engine to inject, such as
    /// install-fail:HOST,never-return:HOST,migration-fail:VM,random:0.05,unavailable:0.02
    /// (and for the compatibility chain start-fail:VM,refuse-level:NAME,install-fail-once:HOST).
    #[arg(long, value_name = "FAULTS")]
    pub sim_faults: Option<String>,
    /// Seed of the simulated engine's random choices.
    #[arg(long, value_name = "SEED", default_value_t = 1)]
    pub sim_seed: u64,
}

/// The engine a journal was written against.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum JournalEngine {
    /// An engine that outlives ovirt-upgrade, by its API URL: its runs can be resumed.
    Url(String),
    /// The simulated engine of one process, loaded with `environment`: gone with it.
    InProcess { environment: String, run: String },
}

impl JournalEngine {
    /// The engine a journal's header names.
    pub fn of(journaled: &str) -> JournalEngine {
        match journaled.strip_prefix(IN_PROCESS) {
            Some(rest) => {
                let (environment, run) = rest
                    .trim_start_matches(" (")
                    .split_once("), run ")
                    .unwrap_or((rest, ""));
                JournalEngine::InProcess {
                    environment: environment.to_owned(),
                    run: run.to_owned(),
                }
            }
            None => JournalEngine::Url(journaled.to_owned()),
        }
    }

    pub fn is_in_process(&self) -> bool {
        matches!(self, JournalEngine::InProcess { .. })
    }
}

impl fmt::Display for JournalEngine {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            JournalEngine::Url(url) => f.write_str(url),
            JournalEngine::InProcess { environment, run } => {
                write!(f, "{IN_PROCESS} ({environment}), run {run}")
            }
        }
    }
}

/// Why a journal of an in-process run cannot be resumed, and what to do instead.
pub fn refuse_in_process_resume(path: &Path, lang: Lang) -> anyhow::Error {
    let shown = path.display();
    let refusal = Text::owned(
        format!(
            "journal {shown} was written against an {IN_PROCESS}, which ended with its process; runs against an engine that outlives ovirt-upgrade (a real one, or `ovirt-upgrade sim serve` through --engine) can be resumed; `ovirt-upgrade status --journal {shown}` shows where it stood"
        ),
        format!(
            "ジャーナル {shown} はプロセス内のシミュレーションエンジンに対する実行で、エンジンはプロセスとともに終了しました。再開できるのは ovirt-upgrade より長く生きるエンジン (実エンジン、または --engine で接続する `ovirt-upgrade sim serve`) に対する実行です。`ovirt-upgrade status --journal {shown}` で状況を確認できます"
        ),
    );
    input_error(anyhow!(refusal.into_lang(lang)))
}

/// The engine a journal's run is resumed against: the journal's own unless --engine names
/// another (which the journal's own check then refuses), logged in with the run's
/// correlation id. In-process runs are refused.
pub fn connect_for_resume(
    ctx: &Context,
    path: &Path,
    journaled: &str,
    correlation_id: &str,
) -> anyhow::Result<Live> {
    let url = match JournalEngine::of(journaled) {
        JournalEngine::InProcess { .. } => return Err(refuse_in_process_resume(path, ctx.lang)),
        JournalEngine::Url(url) => live::engine_url(ctx).map_or(url, str::to_owned),
    };
    live::connect_for_run(ctx, &url, correlation_id)
}

/// Work on an engine, whichever it is.
pub trait EngineWork {
    type Output;
    fn on<E: Engine>(self, engine: &E, clock: &TokioClock) -> impl Future<Output = Self::Output>;
}

/// The engine a run talks to.
pub enum Target {
    Live(Live),
    Sim(Box<SimTarget>),
}

impl Target {
    /// A named engine (`--engine` or OVIRT_URL) unless `--sim` asks for the simulated one.
    pub fn choose(sim: &SimArgs, ctx: &Context, correlation_id: &str) -> anyhow::Result<Target> {
        if let (None, Some(url)) = (&sim.sim, live::engine_url(ctx)) {
            return Ok(Target::Live(live::connect_for_run(
                ctx,
                url,
                correlation_id,
            )?));
        }
        SimTarget::choose(sim).map(|sim| Target::Sim(Box::new(sim)))
    }

    /// The environment as the run starts from it: read from the engine, or the scenario's.
    pub fn inventory(
        &self,
        ctx: &Context,
        scope: ovirt_client::Scope,
    ) -> anyhow::Result<Inventory> {
        match self {
            Target::Live(live) => live.read_inventory(ctx, scope),
            Target::Sim(sim) => Ok(sim.inventory.clone()),
        }
    }

    /// Who a journal of run `run_id` belongs to.
    pub fn journal_engine(&self, run_id: &str) -> JournalEngine {
        match self {
            Target::Live(live) => JournalEngine::Url(live.client.url().to_owned()),
            Target::Sim(sim) => JournalEngine::InProcess {
                environment: sim.spec.clone(),
                run: run_id.to_owned(),
            },
        }
    }

    /// Carries `work` out from `start`: on a real engine in real time, on the simulated one
    /// at its speed, its requests under `correlation_id`.
    pub fn carry_out<W: EngineWork>(
        self,
        start: Timestamp,
        correlation_id: Option<&str>,
        work: W,
    ) -> anyhow::Result<W::Output> {
        match self {
            Target::Live(live) => Ok(live
                .runtime
                .block_on(work.on(&live.client, &TokioClock::new(start, 1.0)))),
            Target::Sim(sim) => Ok(runtime()?.block_on(async {
                let engine = sim.engine(start);
                engine
                    .simulator()
                    .set_correlation_id(correlation_id.map(str::to_owned));
                work.on(&engine, &TokioClock::new(start, sim.speed)).await
            })),
        }
    }
}

/// The simulated engine, loaded with an environment.
pub struct SimTarget {
    pub spec: String,
    pub inventory: Inventory,
    faults: Faults,
    pub speed: f64,
    seed: u64,
}

impl SimTarget {
    pub fn choose(sim: &SimArgs) -> anyhow::Result<SimTarget> {
        let spec = match sim.sim.as_deref() {
            None | Some("") => format!("example:{}", scenario::default_example().name),
            Some(spec) => spec.to_owned(),
        };
        let inventory =
            scenario::load(&spec).with_context(|| format!("cannot load the environment {spec}"))?;
        let faults: Faults = sim.sim_faults.as_deref().unwrap_or("").parse()?;
        Ok(SimTarget {
            spec,
            inventory,
            faults,
            speed: check_speed(sim.sim_speed)?,
            seed: sim.sim_seed,
        })
    }

    /// The simulated engine, with newer host packages published so `--check-upgrade` finds them.
    pub fn engine(&self, start: Timestamp) -> SimEngine {
        simulated_engine(
            &self.inventory,
            self.faults.clone(),
            self.seed,
            self.speed,
            start,
        )
    }
}

/// `speed`, when it is a positive factor.
pub fn check_speed(speed: f64) -> anyhow::Result<f64> {
    if speed > 0.0 && speed.is_finite() {
        Ok(speed)
    } else {
        Err(input_error(anyhow!(
            "--sim-speed must be a positive factor, such as 600"
        )))
    }
}

/// A simulated engine over `inventory` from `start`, `speed` times faster than real time,
/// with a vdsm newer than any installed published so that hosts have an update.
pub fn simulated_engine(
    inventory: &Inventory,
    faults: Faults,
    seed: u64,
    speed: f64,
    start: Timestamp,
) -> SimEngine {
    let mut simulator =
        Simulator::new(inventory.clone(), SimConfig::default(), faults, seed, start);
    if let Some(update) = newer_vdsm(inventory) {
        simulator.publish_host_update(update);
    }
    SimEngine::new(simulator, speed, seed)
}

/// A vdsm one step newer than the newest installed (`4.30.51-1.el7ev` → `4.30.51.1-1.el7ev`).
pub fn newer_vdsm(inventory: &Inventory) -> Option<PackageVersion> {
    let newest = inventory
        .hosts
        .iter()
        .filter_map(|h| h.packages.get("vdsm"))
        .max()?;
    let (version, release) = newest
        .as_str()
        .split_once('-')
        .unwrap_or((newest.as_str(), "1"));
    Some(PackageVersion::new(format!("{version}.1-{release}")))
}

/// engine-setup as the simulated engine plays it: the Manager takes the version and its VM
/// is shut down to boot afresh.
pub struct SimulatedSetup<'a>(pub &'a SimEngine);

impl ManagerSetup for SimulatedSetup<'_> {
    async fn update(&self, to: Version) -> Result<(), String> {
        self.0
            .simulator()
            .update_manager(to)
            .map_err(|e| format!("the simulated engine-setup failed: {e}"))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_journal_names_its_engine_and_reads_it_back() {
        for engine in [
            JournalEngine::Url("https://engine.example.com/ovirt-engine/api".into()),
            JournalEngine::InProcess {
                environment: "example:demo".into(),
                run: "0123".into(),
            },
        ] {
            assert_eq!(JournalEngine::of(&engine.to_string()), engine);
        }
        assert_eq!(
            JournalEngine::InProcess {
                environment: "example:self-hosted".into(),
                run: "r1".into()
            }
            .to_string(),
            "in-process simulated engine (example:self-hosted), run r1"
        );
    }
}
