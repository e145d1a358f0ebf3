//! The async runtime the runs go on, and what Ctrl-C does to them.

use std::sync::Arc;

use anyhow::Context as _;
use orchestrator::StopSignal;

pub fn runtime() -> anyhow::Result<tokio::runtime::Runtime> {
    tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .context("cannot start the async runtime")
}

/// First Ctrl-C: stop starting new work and let what is under way finish (`telling` says
/// what that means for the run, printed through `say`). Second: leave at once; the journal
/// holds the run.
pub fn watch_ctrl_c(stop: Arc<StopSignal>, say: impl Fn(&str) + Send + 'static, telling: String) {
    tokio::spawn(async move {
        if tokio::signal::ctrl_c().await.is_err() {
            return;
        }
        stop.stop();
        say(&telling);
        if tokio::signal::ctrl_c().await.is_ok() {
            std::process::exit(130);
        }
    });
}
