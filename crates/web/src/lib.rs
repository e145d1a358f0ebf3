//! `ovirt-upgrade serve`: the Upgrade Helper (a form giving the guide's checklist, ticked with
//! the same tracker as `plan done`), the check report and the image discrepancies report of an
//! environment, and the runs journaled in a directory with a live page for each, fed by
//! server-sent events as the journal grows.
//!
//! Local by default; every request carries the access token (`?token=` once, then a cookie).
//! The crate never prints: [`Server::bind`] returns the address and token for the binary to
//! show. Pages are maud templates inside `page::document`, in English or Japanese (`?lang=`, or
//! the browser's Accept-Language).

mod access;
mod helper;
mod layout;
mod reports;
mod runs;

use std::net::SocketAddr;
use std::path::PathBuf;
use std::sync::Arc;
use std::time::Duration;

use axum::routing::{get, post};
use axum::Router;
use model::{Inventory, Lang};

pub use access::new_token;

/// Reads an environment's inventory afresh: from a file, or from a live engine whose
/// credentials stay with the caller.
pub type LoadInventory = dyn Fn() -> anyhow::Result<Inventory> + Send + Sync;

/// The environment whose check report the server shows.
#[derive(Clone)]
pub struct Environment {
    /// How pages name it: a file, `example:NAME` or the engine's URL (never a password).
    pub name: String,
    pub load: Arc<LoadInventory>,
}

/// The storage side of the discrepancies report; the environment is its engine side.
#[derive(Clone)]
pub struct Storage {
    /// How the page names it: the paths given, or the simulated tree's directory.
    pub name: String,
    /// Written at start from the environment by the simulator (`ovirt-upgrade sim storage`),
    /// not read from real storage.
    pub simulated: bool,
    pub sources: Vec<discrepancies::StorageSource>,
}

/// What the server serves.
#[derive(Clone)]
pub struct Config {
    /// Where the Upgrade Helper keeps its trackers, one file per plan.
    pub state_dir: PathBuf,
    /// Where the run journals (`*.sqlite`) are looked for.
    pub runs_dir: PathBuf,
    pub environment: Option<Environment>,
    /// The storage the discrepancies report reads, compared with the environment's records.
    pub storage: Option<Storage>,
    /// The language when a request names none.
    pub lang: Lang,
    /// How often a live page's journal is read again.
    pub poll: Duration,
}

/// Everything a request handler needs.
pub(crate) struct App {
    pub config: Config,
    pub token: String,
}

/// The routes, each behind the access token.
pub fn router(config: Config, token: String) -> Router {
    let app = Arc::new(App { config, token });
    Router::new()
        .route("/", get(layout::index))
        .route("/plan", get(helper::page))
        .route("/plan/print", get(helper::printable))
        .route("/plan/tick", post(helper::tick))
        .route("/check", get(reports::check))
        .route("/discrepancies", get(reports::discrepancies))
        .route("/runs", get(runs::list))
        .route("/runs/{file}", get(runs::live))
        .route("/runs/{file}/events", get(runs::events))
        .layer(axum::middleware::from_fn_with_state(
            app.clone(),
            access::require_token,
        ))
        .with_state(app)
}

/// A server bound to its address, not yet serving.
pub struct Server {
    listener: tokio::net::TcpListener,
    router: Router,
    pub address: SocketAddr,
    pub token: String,
}

impl Server {
    /// Binds `listen` (port 0 picks a free port) with a fresh access token.
    pub async fn bind(listen: SocketAddr, config: Config) -> std::io::Result<Server> {
        let listener = tokio::net::TcpListener::bind(listen).await?;
        let address = listener.local_addr()?;
        let token = new_token()?;
        Ok(Server {
            router: router(config, token.clone()),
            listener,
            address,
            token,
        })
    }

    /// The address to open, with the token that lets the browser in.
    pub fn url(&self) -> String {
        format!("http://{}/?token={}", self.address, self.token)
    }

    /// Serves until `shutdown` completes.
    pub async fn serve(
        self,
        shutdown: impl std::future::Future<Output = ()> + Send + 'static,
    ) -> std::io::Result<()> {
        axum::serve(self.listener, self.router)
            .with_graceful_shutdown(shutdown)
            .await
    }
}
