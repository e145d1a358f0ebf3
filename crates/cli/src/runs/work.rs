//! Each kind of run carried out on an engine with its progress and Ctrl-C: from its plan,
//! or picked up from its journal.

use std::sync::Arc;

use model::engine::{Engine, SshAuthentication};
use orchestrator::chain::{self, ChainJournal, ChainPlan, ChainSummary};
use orchestrator::migrate::executor::Hands;
use orchestrator::migrate::{
    self, MigrateError, MigrateJournal, MigrateSummary, MigrationPlan, Reinstaller,
};
use orchestrator::{ExecuteError, Journal, Plan, StopSignal, Summary, TokioClock};

use super::runtime::watch_ctrl_c;
use super::target::EngineWork;
use crate::context::Context;
use crate::report::progress::Progress;
use crate::text::tr;

/// A cluster's rolling upgrade: `plan` from the start, or the journaled run when none.
pub struct Rolling<'a> {
    pub journal: &'a mut Journal,
    pub plan: Option<Plan>,
    pub ctx: &'a Context,
}

impl EngineWork for Rolling<'_> {
    type Output = Result<Summary, ExecuteError>;

    async fn on<E: Engine>(self, engine: &E, clock: &TokioClock) -> Self::Output {
        let progress = Progress::new(self.ctx);
        let stop = Arc::new(StopSignal::new());
        watch_ctrl_c(
            stop.clone(),
            progress.printer(),
            tr(
                self.ctx.lang,
                "stopping: hosts already upgrading finish and the cluster is put back; Ctrl-C again leaves at once",
                "停止します: アップグレード中のホストを完了させ、クラスターを元に戻します。もう一度 Ctrl-C ですぐに終了します",
            )
            .to_owned(),
        );
        let result = match self.plan {
            Some(plan) => {
                orchestrator::run(engine, clock, self.journal, plan, &progress, &stop).await
            }
            None => orchestrator::resume(engine, clock, self.journal, &progress, &stop).await,
        };
        progress.close();
        result
    }
}

/// A compatibility chain: `plan` from the start, or the journaled chain when none.
pub struct Chain<'a> {
    pub journal: &'a mut ChainJournal,
    pub plan: Option<ChainPlan>,
    pub ctx: &'a Context,
}

impl EngineWork for Chain<'_> {
    type Output = Result<ChainSummary, ExecuteError>;

    async fn on<E: Engine>(self, engine: &E, clock: &TokioClock) -> Self::Output {
        let progress = Progress::new(self.ctx);
        let stop = Arc::new(StopSignal::new());
        watch_ctrl_c(
            stop.clone(),
            progress.printer(),
            tr(
                self.ctx.lang,
                "stopping: the batch under way finishes, nothing new starts; Ctrl-C again leaves at once",
                "停止します: 実行中のバッチを完了させ、新しい処理は始めません。もう一度 Ctrl-C ですぐに終了します",
            )
            .to_owned(),
        );
        let result = match self.plan {
            Some(plan) => chain::run(engine, clock, self.journal, plan, &progress, &stop).await,
            None => chain::resume(engine, clock, self.journal, &progress, &stop).await,
        };
        progress.close();
        result
    }
}

/// A cluster's host migration: `plan` from the start, or the journaled run when none, its
/// reinstalls by `reinstaller`.
pub struct HostMigration<'a, R> {
    pub journal: &'a mut MigrateJournal,
    pub plan: Option<MigrationPlan>,
    pub reinstaller: &'a R,
    pub ssh: SshAuthentication,
    pub ctx: &'a Context,
}

impl<R: Reinstaller> EngineWork for HostMigration<'_, R> {
    type Output = Result<MigrateSummary, MigrateError>;

    async fn on<E: Engine>(self, engine: &E, clock: &TokioClock) -> Self::Output {
        let progress = Progress::new(self.ctx);
        let stop = Arc::new(StopSignal::new());
        watch_ctrl_c(
            stop.clone(),
            progress.printer(),
            tr(
                self.ctx.lang,
                "stopping: the wave under way finishes, nothing new starts; Ctrl-C again leaves at once",
                "停止します: 実行中のウェーブを完了させ、新しい処理は始めません。もう一度 Ctrl-C ですぐに終了します",
            )
            .to_owned(),
        );
        let hands = Hands {
            engine,
            clock,
            reinstaller: self.reinstaller,
            ssh: &self.ssh,
            sink: &progress,
            stop: &stop,
        };
        let result = match self.plan {
            Some(plan) => migrate::run(hands, self.journal, plan).await,
            None => migrate::resume(hands, self.journal).await,
        };
        progress.close();
        result
    }
}
