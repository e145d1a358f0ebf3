//! `ovirt-upgrade serve`: the Upgrade Helper, the check report and live runs in the browser
//! (the `web` crate); this module gathers the arguments and prints the address.

use std::net::SocketAddr;
use std::path::PathBuf;
use std::sync::Arc;
use std::time::Duration;

use anyhow::Context as _;
use clap::Args;

use crate::cli::OutputFormat;
use crate::context::Context;
use crate::exit::Exit;

/// Serve the checklist, the check report and the runs as web pages.
#[derive(Debug, Args)]
#[command(after_help = "\
Local by default: the address printed at start carries an access token (`?token=`) that every
page needs; share the page with --listen 0.0.0.0:8080 and the printed address. With --engine the
engine is read on the server; its password never reaches the browser. docs/serve.md.

Example:
  ovirt-upgrade serve --env example:demo --runs ~/.local/state/ovirt-upgrade")]
pub struct ServeArgs {
    /// Address and port to listen on (port 0 picks a free one).
    #[arg(long, value_name = "ADDR:PORT", default_value = "127.0.0.1:0")]
    pub listen: SocketAddr,
    /// The environment of the check report and of the helper's detection: a scenario (.toml),
    /// an inventory (.json) or `example:NAME` [default: the engine named with --engine].
    #[arg(long, value_name = "FILE")]
    pub env: Option<String>,
    /// Where the run journals (*.sqlite) are.
    #[arg(long, value_name = "DIR", default_value = ".")]
    pub runs: PathBuf,
    /// Where the Upgrade Helper keeps its trackers [default: the state directory].
    #[arg(long, value_name = "DIR")]
    pub state_dir: Option<PathBuf>,
}

pub fn run(args: ServeArgs, ctx: &Context) -> anyhow::Result<Exit> {
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
