//! `bench rolling --against-role`: oVirt's own `ovirt.ovirt.cluster_upgrade` role, run by
//! `ansible-playbook` from the venv `scripts/python-clients` makes, against one simulated engine
//! served over HTTP, and our planner through the HTTP client against an identical fresh one at
//! the same speed. Both are judged from the engines afterwards: migrations (event 63), the
//! engine time taken, the pinned VMs' downtime, the window a host was out, hosts left in
//! maintenance, failures, the scheduling policy. Beside them: the per-seed lower bound on
//! migrations and our in-process re-enactment of the role, to see how far it drifts.

use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::{Duration, Instant};

use anyhow::{anyhow, Context as _};
use model::{HostStatus, Timestamp, Version};
use orchestrator::baseline::AnsiblePace;
use orchestrator::bench::{self, RunMetrics, Strategy, Workload};
use orchestrator::{Clock, TokioClock};
use ovirt_client::{Client, Config, Password, Tls};
use ovirt_sim::http::{Credentials, HttpSim, ServeOptions};
use ovirt_sim::{SimConfig, SimEngine, Simulator};
use serde::Serialize;

use super::bench::{invariant_violations, measure_costs, on_seeds, run_one, BENCH_START};
use crate::exit::input_error;

/// The playbook: the role with the Upgrade wizard's choices.
const PLAYBOOK: &str = include_str!("../../assets/bench_role.yml");
/// What the real role is called in the report.
const REAL_ROLE: &str = "ovirt-role (real)";
/// The role's `upgrade_timeout`, in the engine's seconds.
const ROLE_UPGRADE_TIMEOUT_SECONDS: f64 = 3600.0;
/// A role run that has not ended after this long (real time) is stopped and counted stuck.
const ROLE_WALL_LIMIT: Duration = Duration::from_secs(15 * 60);
/// The shortest real pause between two polls of ours.
const SHORTEST_REAL_POLL: Duration = Duration::from_millis(100);
/// What to run: the seeds, how many at once, and the engines' speed and version.
#[derive(Debug, Clone)]
pub struct AgainstRole {
    pub seeds: Vec<u64>,
    pub jobs: usize,
    pub speed: f64,
    pub engine_version: Version,
    /// Hosts at once in our second run (1: no second run).
    pub max_parallel: usize,
    /// The Python venv holding ansible-playbook and the ovirt.ovirt collection.
    pub venv: PathBuf,
}

/// One seed: the workload's bound and the three runs.
#[derive(Debug, Serialize)]
pub struct Seed {
    pub seed: u64,
    pub hosts: usize,
    pub movable_vms: usize,
    pub lower_bound: usize,
    /// Ours one host at a time, as `cluster-upgrade` runs by default.
    pub ours: RunMetrics,
    /// Ours with `--max-parallel` above 1, for the window.
    pub ours_parallel: Option<RunMetrics>,
    pub role: RunMetrics,
    /// Our re-enactment of the role, in process on a paused clock.
    pub reenacted_role: RunMetrics,
    /// The real role's run, from `ansible-playbook`.
    pub role_exit_code: Option<i32>,
    pub role_wall_seconds: f64,
    pub invariant_violations: Vec<String>,
}

/// Runs every seed, `on_seed` told of each as it ends; gives them in seed order.
pub fn run(setup: &AgainstRole, on_seed: impl Fn(&Seed) + Sync) -> anyhow::Result<Vec<Seed>> {
    if !(setup.speed > 0.0 && setup.speed.is_finite()) {
        return Err(input_error(anyhow!(
            "--speed must be a positive factor, such as 300"
        )));
    }
    let ansible = setup.venv.join("bin/ansible-playbook");
    if !ansible.exists() {
        return Err(input_error(anyhow!(
            "{} is missing: run scripts/python-clients to make the venv with oVirt's Ansible \
             collection, or name another venv with --venv",
            ansible.display()
        )));
    }
    let scratch =
        std::env::temp_dir().join(format!("ovirt-upgrade-bench-role-{}", std::process::id()));
    std::fs::create_dir_all(&scratch)
        .with_context(|| format!("cannot create {}", scratch.display()))?;
    let playbook = scratch.join("cluster_upgrade.yml");
    std::fs::write(&playbook, PLAYBOOK)
        .with_context(|| format!("cannot write {}", playbook.display()))?;
    let outcomes = on_seeds(&setup.seeds, setup.jobs, |seed| {
        let workload = bench::role_workload(seed);
        // Ansible's seconds last `speed` times longer on the engines the real role meets.
        let pace = AnsiblePace {
            engine_speed: setup.speed,
        };
        let (reenacted_role, _) = run_one(&workload, Strategy::OvirtRole { pace });
        let runtime = tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()
            .context("cannot start the async runtime")?;
        let race = Race {
            setup,
            credentials: Credentials::default(),
            workload: &workload,
            ansible: &ansible,
            playbook: &playbook,
            scratch: &scratch,
        };
        let outcome = runtime.block_on(race.run(reenacted_role))?;
        on_seed(&outcome);
        anyhow::Ok(outcome)
    });
    let _ = std::fs::remove_dir_all(&scratch);
    outcomes.into_iter().collect()
}

/// One seed's two engines and two clients.
struct Race<'a> {
    setup: &'a AgainstRole,
    /// The one user every engine of the seed lets in, given to both clients.
    credentials: Credentials,
    workload: &'a Workload,
    ansible: &'a Path,
    playbook: &'a Path,
    scratch: &'a Path,
}

impl Race<'_> {
    async fn run(&self, reenacted_role: RunMetrics) -> anyhow::Result<Seed> {
        let parallel = self.setup.max_parallel.max(1);
        let for_role = self.serve().await?;
        let for_us = self.serve().await?;
        let for_us_parallel = self.serve().await?;
        let (role, ours, ours_parallel) =
            tokio::join!(self.role(&for_role), self.ours(&for_us, 1), async {
                match parallel {
                    1 => Ok(None),
                    _ => self.ours(&for_us_parallel, parallel).await.map(Some),
                }
            });
        let (role, role_exit_code, role_wall) = role?;
        let (ours, ours_parallel) = (ours?, ours_parallel?);
        let mut violations = Vec::new();
        for (who, served) in [
            ("role", &for_role),
            ("ours", &for_us),
            ("ours parallel", &for_us_parallel),
        ] {
            let simulator = served.engine().simulator();
            let seed = self.workload.seed;
            violations.extend(
                invariant_violations(&simulator)
                    .into_iter()
                    .map(|v| format!("seed {seed} {who}: {v}")),
            );
        }
        for served in [for_role, for_us, for_us_parallel] {
            served.stop().await;
        }
        Ok(Seed {
            seed: self.workload.seed,
            hosts: self.workload.hosts,
            movable_vms: ours.migratable_vms,
            lower_bound: ours.lower_bound,
            ours,
            ours_parallel,
            role,
            reenacted_role,
            role_exit_code,
            role_wall_seconds: role_wall.as_secs_f64(),
            invariant_violations: violations,
        })
    }

    /// A fresh simulated engine over the workload, at the version and speed asked for.
    async fn serve(&self) -> anyhow::Result<HttpSim> {
        let mut simulator = Simulator::new(
            self.workload.inventory.clone(),
            SimConfig::default(),
            Default::default(),
            self.workload.seed,
            BENCH_START,
        );
        simulator
            .set_manager_version(self.setup.engine_version)
            .map_err(|e| input_error(anyhow!("--engine-version: {e}")))?;
        let engine = SimEngine::new(simulator, self.setup.speed, self.workload.seed);
        let options = ServeOptions {
            credentials: self.credentials.clone(),
            ..ServeOptions::default()
        };
        Ok(HttpSim::start(engine, options).await?)
    }

    /// oVirt's role through `ansible-playbook`, then what the engine shows.
    async fn role(&self, served: &HttpSim) -> anyhow::Result<(RunMetrics, Option<i32>, Duration)> {
        let (from, first_event) = {
            let simulator = served.engine().simulator();
            (simulator.now(), newest_event(&simulator))
        };
        let timeout = (ROLE_UPGRADE_TIMEOUT_SECONDS / self.setup.speed)
            .ceil()
            .max(1.0);
        let mut command = Command::new(self.ansible);
        command
            .arg(self.playbook)
            .env("ENGINE_URL", served.api_url())
            .env("ENGINE_USER", &self.credentials.username)
            .env("ENGINE_PASSWORD", &self.credentials.password)
            .env("CLUSTER_NAME", cluster_name(self.workload))
            .env("UPGRADE_TIMEOUT_SECONDS", format!("{timeout}"))
            .env("ANSIBLE_LOCAL_TEMP", self.scratch)
            .env("ANSIBLE_LOCALHOST_WARNING", "false")
            .env("ANSIBLE_INVENTORY_UNPARSED_WARNING", "false")
            .env("ANSIBLE_NOCOLOR", "true")
            .stdout(std::process::Stdio::null())
            .stderr(std::process::Stdio::null());
        let began = Instant::now();
        let mut child = command
            .spawn()
            .with_context(|| format!("cannot run {}", self.ansible.display()))?;
        let status = loop {
            if let Some(status) = child.try_wait()? {
                break Some(status);
            }
            if began.elapsed() > ROLE_WALL_LIMIT {
                let _ = child.kill();
                let _ = child.wait();
                break None;
            }
            tokio::time::sleep(Duration::from_millis(200)).await;
        };
        let wall = began.elapsed();
        let simulator = served.engine().simulator();
        let until = simulator.now();
        let mut metrics = RunMetrics::new(self.workload, REAL_ROLE.into());
        metrics.makespan_seconds = ((until.0 - from.0) / 1000).max(0) as u64;
        bench::judge(&mut metrics, self.workload, simulator.inventory());
        let events = simulator.events(Some(first_event));
        metrics.count_migrations(&events, first_event);
        // The role's rescue logs this when a host fails; its own account, read from the engine.
        let failed = format!("Upgrade of cluster {} failed.", cluster_name(self.workload));
        metrics.failures = events.iter().filter(|e| e.description == failed).count();
        metrics.stuck = status.is_none()
            || simulator
                .inventory()
                .hosts
                .iter()
                .any(|h| h.status == HostStatus::PreparingForMaintenance);
        measure_costs(&mut metrics, &simulator, self.workload, from, until);
        Ok((metrics, status.and_then(|s| s.code()), wall))
    }

    /// Our planner and executor through the HTTP client, on the engine's clock.
    async fn ours(&self, served: &HttpSim, max_parallel: usize) -> anyhow::Result<RunMetrics> {
        let mut config = Config::new(
            served.api_url(),
            &self.credentials.username,
            Password::new(self.credentials.password.clone()),
        );
        config.tls = Tls::System;
        let client = Client::connect(&config)
            .await
            .with_context(|| format!("cannot log in to {}", served.api_url()))?;
        let from = served.engine().simulator().now();
        let clock = PacedClock {
            engine: TokioClock::new(from, self.setup.speed),
            speed: self.setup.speed,
        };
        let strategy = Strategy::Planner { max_parallel };
        let mut metrics = bench::run_strategy(&client, &clock, self.workload, strategy).await;
        let _ = client.close().await;
        let simulator = served.engine().simulator();
        let until = simulator.now();
        measure_costs(&mut metrics, &simulator, self.workload, from, until);
        Ok(metrics)
    }
}

/// The engine's clock for our client, polling no faster than a client on a real engine
/// could matter: at --speed 300 the executor's 3 s would be 10 ms of real time, a load that
/// would slow the role's engine beside it.
struct PacedClock {
    engine: TokioClock,
    speed: f64,
}

impl Clock for PacedClock {
    fn now(&self) -> Timestamp {
        self.engine.now()
    }

    async fn sleep(&self, duration: Duration) {
        tokio::time::sleep(duration.div_f64(self.speed).max(SHORTEST_REAL_POLL)).await;
    }
}

fn newest_event(simulator: &Simulator) -> u64 {
    simulator.events(None).first().map_or(0, |e| e.id)
}

fn cluster_name(workload: &Workload) -> String {
    workload
        .inventory
        .clusters
        .iter()
        .find(|c| c.id == workload.cluster)
        .map(|c| c.name.clone())
        .unwrap_or_default()
}
