//! `ovirt-upgrade sim serve`: a simulated engine over HTTP(S) until Ctrl-C, then its invariants.

use std::io::Write as _;
use std::net::SocketAddr;
use std::path::PathBuf;

use anyhow::{anyhow, Context as _};
use clap::Args;
use ovirt_sim::http::{HttpSim, ServeOptions, TlsProfile};
use ovirt_sim::{Faults, SimConfig, SimEngine, Simulator};

use crate::cli::OutputFormat;
use crate::context::{Context, Verbosity};
use crate::exit::{input_error, Exit};
use crate::text::tr;

#[derive(Debug, Args)]
pub struct ServeArgs {
    /// The environment: a scenario (.toml), an inventory (.json) or `example:NAME`.
    #[arg(long, value_name = "FILE")]
    pub(super) scenario: String,
    /// Address and port to listen on; loopback unless told otherwise. Port 0 picks a
    /// free port (the URL printed tells which).
    #[arg(long, value_name = "ADDR", default_value = "127.0.0.1:8080")]
    pub(super) listen: SocketAddr,
    /// How many times faster than real time the engine works: at 60 a host upgrade
    /// of about 20 minutes takes 20 seconds.
    #[arg(long, value_name = "X", default_value_t = 60.0)]
    pub(super) speed: f64,
    /// Serve HTTPS with a CA made at start; the CA is written to --ca-out and served at
    /// /ovirt-engine/services/pki-resource?resource=ca-certificate&format=X509-PEM-CA.
    #[arg(long)]
    pub(super) tls: bool,
    /// Where to write the CA certificate with --tls [default: a file in the temporary
    /// directory, named after the port].
    #[arg(long, value_name = "FILE", requires = "tls")]
    pub(super) ca_out: Option<PathBuf>,
    /// The state of the certificates served with --tls: sha256 (as engine-setup makes
    /// them today), sha1 (CA and server certificate signed with SHA-1, made with the
    /// openssl command) or expiring (the server certificate expires in 20 days).
    #[arg(
        long,
        value_name = "PROFILE",
        default_value = "sha256",
        requires = "tls"
    )]
    pub(super) tls_profile: TlsProfile,
    /// Faults to inject, comma-separated: install-fail:HOST, never-return:HOST,
    /// upgrade-abandoned:HOST, migration-fail:VM, random:P, and for API requests unavailable:P, slow:P, drop:P,
    /// token-expiry:P (e.g. `install-fail:host3,unavailable:0.02`).
    #[arg(long, value_name = "SPEC")]
    pub(super) faults: Option<String>,
    /// Seed of the engine's random choices and of the random faults.
    #[arg(long, default_value_t = 1)]
    pub(super) seed: u64,
}

pub(super) fn run(args: ServeArgs, ctx: &Context) -> anyhow::Result<Exit> {
    let inventory = scenario::load(&args.scenario)
        .with_context(|| format!("cannot load the environment {}", args.scenario))?;
    let faults: Faults = args
        .faults
        .as_deref()
        .unwrap_or("")
        .parse()
        .map_err(input_error)?;
    if !(args.speed > 0.0 && args.speed.is_finite()) {
        return Err(input_error(anyhow!(
            "--speed must be a positive factor, such as 60"
        )));
    }
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .context("cannot start the async runtime")?;
    runtime.block_on(async {
        let name = inventory.name.clone();
        let fault_text = faults.to_string();
        let simulator = Simulator::new(
            inventory,
            SimConfig::default(),
            faults,
            args.seed,
            crate::runs::clock::wall_clock(),
        );
        let engine = SimEngine::new(simulator, args.speed, args.seed);
        let options = ServeOptions {
            listen: args.listen,
            tls: args.tls,
            tls_profile: args.tls_profile,
            ..ServeOptions::default()
        };
        let credentials = options.credentials.clone();
        let server = HttpSim::start(engine, options)
            .await
            .with_context(|| format!("cannot serve the simulated engine on {}", args.listen))?;
        let ca_file = match server.ca_pem() {
            Some(pem) => {
                let path = args.ca_out.clone().unwrap_or_else(|| {
                    std::env::temp_dir().join(format!(
                        "ovirt-upgrade-sim-{}-ca.pem",
                        server.local_addr().port()
                    ))
                });
                std::fs::write(&path, pem)
                    .with_context(|| format!("cannot write the CA to {}", path.display()))?;
                Some(path)
            }
            None => None,
        };
        let url = server.api_url();
        match ctx.output {
            OutputFormat::Json => println!(
                "{}",
                serde_json::json!({
                    "url": url,
                    "username": credentials.username,
                    "password": credentials.password,
                    "ca_file": ca_file,
                    "speed": args.speed,
                    "faults": fault_text,
                })
            ),
            OutputFormat::Text => {
                let lang = ctx.lang;
                println!(
                    "{} \"{name}\": {url}",
                    tr(lang, "Simulated engine", "シミュレートされたエンジン")
                );
                println!(
                    "  {} {}  {} {}",
                    tr(lang, "username", "ユーザー名"),
                    credentials.username,
                    tr(lang, "password", "パスワード"),
                    credentials.password
                );
                if let Some(path) = &ca_file {
                    println!("  {} {}", tr(lang, "CA certificate:", "CA 証明書:"), path.display());
                }
                if ctx.says(Verbosity::Normal) {
                    println!(
                        "  {} {}×, {} {fault_text}",
                        tr(lang, "speed", "速度"),
                        args.speed,
                        tr(lang, "faults", "障害")
                    );
                    println!(
                        "{}",
                        tr(lang, "Press Ctrl-C to stop.", "Ctrl-C で停止します。")
                    );
                }
            }
        }
        std::io::stdout().flush().ok();
        tokio::signal::ctrl_c()
            .await
            .context("cannot wait for Ctrl-C")?;
        let violations = {
            let sim = server.engine().simulator();
            sim.history().check(sim.inventory(), sim.now())
        };
        server.stop().await;
        let held = violations.is_empty();
        if ctx.output == OutputFormat::Json {
            let violations: Vec<String> = violations.iter().map(ToString::to_string).collect();
            println!(
                "{}",
                serde_json::json!({ "stopped": true, "invariants_held": held, "violations": violations })
            );
        } else if held {
            if ctx.says(Verbosity::Normal) {
                eprintln!(
                    "{}",
                    tr(
                        ctx.lang,
                        "stopped; every invariant held",
                        "停止しました。すべての不変条件が保たれました"
                    )
                );
            }
        } else {
            eprintln!(
                "{}",
                tr(
                    ctx.lang,
                    "stopped; invariants broken:",
                    "停止しました。破られた不変条件:"
                )
            );
            for violation in &violations {
                eprintln!("  {violation}");
            }
        }
        Ok(if held {
            Exit::Success
        } else {
            Exit::Findings
        })
    })
}
