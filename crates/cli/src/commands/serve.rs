//! `ovirt-upgrade serve`: the Upgrade Helper, the check and discrepancies reports and live runs
//! in the browser (the `web` crate); this module gathers the arguments, writes the simulated
//! storage the discrepancies report reads by default, and prints the address.

use std::net::SocketAddr;
use std::path::PathBuf;
use std::sync::Arc;
use std::time::Duration;

use anyhow::Context as _;
use clap::Args;

use super::discrepancies::StorageArgs;
use crate::cli::OutputFormat;
use crate::context::Context;
use crate::exit::{input_error, Exit};

/// Serve the checklist, the check and discrepancies reports and the runs as web pages.
#[derive(Debug, Args)]
#[command(after_help = "\
Local by default: the address printed at start carries an access token (`?token=`) that every
page needs; share the page with --listen 0.0.0.0:8080 and the printed address. With --engine the
engine is read on the server; its password never reaches the browser. The discrepancies page
compares the environment's records with the storage named as for `ovirt-upgrade discrepancies`
(--domain-dir, --lvs, --dump); with --env and none of them, with the environment's file domains
as `ovirt-upgrade sim storage` writes them, in a temporary directory. docs/serve.md.

Example:
  ovirt-upgrade serve --env example:demo --runs ~/.local/state/ovirt-upgrade")]
pub struct ServeArgs {
    /// Address and port to listen on (port 0 picks a free one).
    #[arg(long, value_name = "ADDR:PORT", default_value = "127.0.0.1:0")]
    pub listen: SocketAddr,
    /// The environment of the check report, of the helper's detection and of the discrepancies
    /// page's engine side: a scenario (.toml), an inventory (.json) or `example:NAME`
    /// [default: the engine named with --engine].
    #[arg(long, value_name = "FILE")]
    pub env: Option<String>,
    /// Where the run journals (*.sqlite) are.
    #[arg(long, value_name = "DIR", default_value = ".")]
    pub runs: PathBuf,
    /// Where the Upgrade Helper keeps its trackers [default: the state directory].
    #[arg(long, value_name = "DIR")]
    pub state_dir: Option<PathBuf>,
    /// The storage side of the discrepancies page [default: with --env, its simulated storage].
    #[command(flatten)]
    pub storage: StorageArgs,
}

pub fn run(args: ServeArgs, ctx: &Context) -> anyhow::Result<Exit> {
    let sources = args.storage.sources().map_err(input_error)?;
    // The simulated storage's directory lives as long as the server.
    let (storage, _simulated) = if !sources.is_empty() {
        let name = args.storage.describe();
        let storage = web::Storage {
            name,
            simulated: false,
            sources,
        };
        (Some(storage), None)
    } else if let Some(spec) = &args.env {
        let (storage, dir) = simulated_storage(spec)?;
        (Some(storage), Some(dir))
    } else {
        (None, None)
    };
    let environment = match args.env {
        Some(spec) => Some(web::Environment {
            name: spec.clone(),
            load: Arc::new(move || {
                scenario::load(&spec).with_context(|| format!("cannot load the environment {spec}"))
            }),
        }),
        None if crate::runs::live::engine_url(ctx).is_some() => {
            let live = Arc::new(crate::runs::live::connect(ctx)?);
            Some(web::Environment {
                name: live.client.url().to_string(),
                load: Arc::new(move || {
                    Ok(live.runtime.block_on(
                        live.client
                            .read_inventory(ovirt_client::Scope::Everything, &|_| {}),
                    )?)
                }),
            })
        }
        None => None,
    };
    let state_dir = match args.state_dir {
        Some(dir) => dir,
        None => crate::runs::journal::state_directory()?,
    };
    let config = web::Config {
        state_dir,
        runs_dir: args.runs,
        environment,
        storage,
        lang: ctx.lang,
        poll: Duration::from_millis(250),
    };
    let runtime = crate::runs::runtime::runtime()?;
    runtime.block_on(async {
        let server = web::Server::bind(args.listen, config)
            .await
            .with_context(|| format!("cannot listen on {}", args.listen))?;
        match ctx.output {
            OutputFormat::Json => super::print_json(&serde_json::json!({
                "url": server.url(),
                "token": server.token,
            }))?,
            OutputFormat::Text => println!("{}", server.url()),
        }
        let stopped = async {
            let _ = tokio::signal::ctrl_c().await;
        };
        server.serve(stopped).await.context("the server stopped")
    })?;
    Ok(Exit::Success)
}

/// The environment's file domains written to a temporary directory by the simulator, without
/// planted faults: what `sim storage --seed 0` writes.
fn simulated_storage(spec: &str) -> anyhow::Result<(web::Storage, tempfile::TempDir)> {
    let inventory =
        scenario::load(spec).with_context(|| format!("cannot load the environment {spec}"))?;
    let dir = tempfile::Builder::new()
        .prefix("ovirt-upgrade-storage-")
        .tempdir()
        .context("cannot make a temporary directory for the simulated storage")?;
    discrepancies::sim::write_storage(&inventory, dir.path(), 0, 0).with_context(|| {
        format!(
            "cannot write the simulated storage of {spec} under {}",
            dir.path().display()
        )
    })?;
    let storage = web::Storage {
        name: dir.path().display().to_string(),
        simulated: true,
        sources: vec![discrepancies::StorageSource::FileDomain(
            dir.path().to_path_buf(),
        )],
    };
    Ok((storage, dir))
}
