//! The guide's procedures as data: one function per procedure, each returning a [`Section`]
//! of steps for the hop being planned, and [`sections`], which puts a hop's procedures in the
//! guide's order for the deployment and options asked for.

mod analysis;
mod certificates;
mod compat;
mod databases;
mod hosted_engine;
mod hosts;
mod manager;
pub(crate) mod sources;
mod storage;

use model::Level;

use crate::request::{DeploymentKind, Environment, Options, PlanRequest};
use crate::route::{Hop, HopKind};
use crate::step::{Automation, Command, RunsOn, Section, Source, Step, Tool, Verify};
use model::Text;

use crate::text::tr;
use sources::{Chapter, Proc};

/// What every procedure needs to know about the hop it is planned for.
pub(crate) struct Ctx<'a> {
    pub req: &'a PlanRequest,
    pub hop: Hop,
    pub chapter: Option<Chapter>,
    /// The first hop of the route: the inventory describes the environment as it is before it.
    pub first: bool,
    /// The last hop of the route.
    pub last: bool,
    /// Some hop of the route upgrades 4.2 → 4.3, where the guide replaces SHA-1 certificates.
    pub route_reaches_43: bool,
}

impl Ctx<'_> {
    pub fn opts(&self) -> &Options {
        &self.req.options
    }

    pub fn self_hosted(&self) -> bool {
        self.req.deployment == DeploymentKind::SelfHosted
    }

    /// Where Manager commands run: the standalone machine or the HostedEngine VM.
    pub fn manager(&self) -> RunsOn {
        if self.self_hosted() {
            RunsOn::ManagerVm
        } else {
            RunsOn::Manager
        }
    }

    pub fn env(&self) -> Option<&Environment> {
        self.req.environment.as_ref()
    }

    /// The guide's chapter for the hop, or the one whose procedures fit it best.
    pub fn chapter_or_nearest(&self) -> Chapter {
        self.chapter
            .unwrap_or_else(|| Chapter::nearest(&self.hop, self.req.deployment))
    }

    pub fn cite(&self, proc: Proc) -> Source {
        sources::cite(proc, self.chapter_or_nearest(), self.req.deployment)
    }

    /// The target line, such as 4.4.
    pub fn target_line(&self) -> Level {
        self.hop.to.line()
    }

    pub fn targets_line(&self, major: u16, minor: u16) -> bool {
        self.target_line() == Level::new(major, minor)
    }

    pub fn section(&self, key: &str, source: Source, title: Text) -> SectionBuilder {
        SectionBuilder {
            hop_id: self.hop.id(),
            section: Section {
                id: format!("{}/{key}", self.hop.id()),
                title,
                source,
                steps: Vec::new(),
            },
        }
    }

    pub fn cluster_names(&self) -> Vec<String> {
        self.env()
            .map(|env| env.clusters.iter().map(|c| c.name.clone()).collect())
            .unwrap_or_default()
    }

    pub fn data_center_names(&self) -> Vec<String> {
        self.env()
            .map(|env| env.data_centers.iter().map(|d| d.name.clone()).collect())
            .unwrap_or_default()
    }
}

/// Collects the steps of one section.
pub(crate) struct SectionBuilder {
    hop_id: String,
    section: Section,
}

impl SectionBuilder {
    /// A step of this section; its id is `{hop}/{key}` and it cites the section's source.
    pub fn step(&self, key: &str, runs_on: RunsOn, title: Text, explanation: Text) -> StepBuilder {
        StepBuilder(Step {
            id: format!("{}/{key}", self.hop_id),
            title,
            explanation,
            runs_on,
            commands: Vec::new(),
            prerequisites: Vec::new(),
            warnings: Vec::new(),
            verify: None,
            automated_by: None,
            source: self.section.source,
            targets: Vec::new(),
        })
    }

    pub fn add(&mut self, step: StepBuilder) {
        self.section.steps.push(step.0);
    }

    pub fn build(self) -> Section {
        self.section
    }
}

/// Builds one step.
pub(crate) struct StepBuilder(Step);

impl StepBuilder {
    pub fn run(self, text: impl Into<String>) -> Self {
        self.cmd(Command::shell(text))
    }

    pub fn cmd(mut self, command: Command) -> Self {
        self.0.commands.push(command);
        self
    }

    pub fn file(self, path: &str, text: impl Into<String>) -> Self {
        self.cmd(Command::file(path, text))
    }

    pub fn prereq(mut self, text: Text) -> Self {
        self.0.prerequisites.push(text);
        self
    }

    pub fn warn(mut self, text: Text) -> Self {
        self.0.warnings.push(text);
        self
    }

    pub fn warn_if(self, condition: bool, text: Text) -> Self {
        if condition {
            self.warn(text)
        } else {
            self
        }
    }

    pub fn verify(mut self, verify: Verify) -> Self {
        self.0.verify = Some(verify);
        self
    }

    pub fn auto(mut self, tool: Tool, args: impl Into<String>) -> Self {
        self.0.automated_by = Some(Automation {
            tool,
            args: args.into(),
        });
        self
    }

    pub fn source(mut self, source: Source) -> Self {
        self.0.source = source;
        self
    }

    /// Replaces the title of a shared step with one that fits where it is used.
    pub fn title(mut self, text: Text) -> Self {
        self.0.title = text;
        self
    }

    /// Replaces the explanation of a shared step with one that fits where it is used.
    pub fn explanation(mut self, text: Text) -> Self {
        self.0.explanation = text;
        self
    }

    pub fn targets(mut self, targets: Vec<String>) -> Self {
        self.0.targets = targets;
        self
    }
}

/// Verification by a command and what it prints.
pub(crate) fn check(command: Command, expect: Option<&str>, how: Text) -> Verify {
    Verify {
        command: Some(command),
        expect: expect.map(str::to_owned),
        how,
    }
}

/// Verification by looking (in the portal, in a file).
pub(crate) fn look(how: Text) -> Verify {
    Verify {
        command: None,
        expect: None,
        how,
    }
}

/// A multi-line command: the first line, then each further line indented behind a `\`.
pub(crate) fn continued(first: &str, rest: &[String]) -> String {
    let mut text = first.to_owned();
    for line in rest {
        text.push_str(" \\\n    ");
        text.push_str(line);
    }
    text
}

/// The warnings the guide repeats around engine-setup and package updates.
pub(crate) mod warnings {
    use model::Text;

    use crate::text::tr;

    pub fn never_interrupt_setup() -> Text {
        tr(
            "engine-setup may run for a long time. Never stop it part-way: let it finish, \
             even when it seems to hang.",
            "engine-setup は長時間かかる場合があります。途中で止めず、止まったように見えても完了まで待ってください。",
        )
    }

    pub fn stale_preview() -> Text {
        tr(
            "The settings preview repeats the answers given at installation; a value changed later \
             with engine-config may show its old value there, but engine-setup keeps the newer one.",
            "設定のプレビューはインストール時の回答を表示します。後から engine-config で変更した値は古いまま表示されることがありますが、engine-setup が新しい値を上書きすることはありません。",
        )
    }

    pub fn ansible_conflict() -> Text {
        tr(
            "If the update stops on conflicting Ansible packages, follow the Red Hat article about \
             yum update failing on the RHV Manager because of an ansible conflict.",
            "Ansible パッケージの競合で更新が止まった場合は、RHV Manager で yum update が ansible の競合で失敗する件の Red Hat ナレッジ記事に従ってください。",
        )
    }

    pub fn reboot_after_kernel() -> Text {
        tr(
            "If a kernel package was updated, reboot the machine to finish.",
            "カーネルパッケージが更新された場合は、マシンを再起動して作業を完了させます。",
        )
    }

    pub fn rhvh_keeps_etc_var() -> Text {
        tr(
            "An RHVH update keeps local changes only under /etc and /var; changes anywhere else on \
             the host are overwritten.",
            "RHVH の更新で保持されるのは /etc と /var 配下の変更だけです。それ以外の場所に加えた変更は上書きされます。",
        )
    }

    pub fn two_managers() -> Text {
        tr(
            "Two Managers must never manage the same hosts or storage: keep the old Manager \
             stopped for good once the new one takes over.",
            "2 つの Manager が同じホストやストレージを管理してはいけません。新しい Manager が引き継いだら、古い Manager は停止したままにしてください。",
        )
    }

    pub fn keep_old_repositories() -> Text {
        tr(
            "Keep the previous version's repositories enabled until engine-setup has succeeded: \
             if the upgrade fails, engine-setup rolls back with them and explains how.",
            "engine-setup が成功するまで、前のバージョンのリポジトリーは有効のままにします。アップグレードに失敗すると、engine-setup はそれらを使って元に戻し、その方法を案内します。",
        )
    }
}

/// The message engine-setup prints when it succeeded.
pub(crate) const SETUP_SUCCEEDED: &str = "Execution of setup completed successfully";

/// The engine status `hosted-engine --vm-status` shows once the Manager is back.
pub(crate) const ENGINE_HEALTHY: &str = r#"{"health": "good", "vm": "up", "detail": "Up"}"#;

/// A release line this build has no procedure for.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct NoProcedure;

/// A hop's sections in the guide's order.
pub(crate) fn sections(ctx: &Ctx) -> Result<Vec<Section>, NoProcedure> {
    let options = ctx.opts();
    let mut out = Vec::new();
    if options.offline_repo {
        out.push(analysis::offline_manager_repository(ctx));
        // Appendix B's RHVH mirror must exist before any RHVH 4.4 is installed or updated from
        // it, and the self-hosted move installs one inside the Manager's upgrade.
        if options.host_types.has_rhvh() && ctx.targets_line(4, 4) {
            out.push(analysis::offline_rhvh_repository(ctx));
        }
    }
    out.push(analysis::analyze(ctx));
    out.extend(compat::raise_old_levels(ctx));
    match ctx.hop.kind {
        HopKind::Update => {
            if ctx.self_hosted() {
                out.push(hosted_engine::global_maintenance_on(ctx));
            }
            out.push(manager::update_manager(ctx));
            if ctx.self_hosted() {
                out.push(hosted_engine::global_maintenance_off(ctx));
            }
            hosts_in_place(ctx, &mut out);
        }
        HopKind::Upgrade if ctx.targets_line(4, 3) => {
            if ctx.self_hosted() {
                out.push(hosted_engine::global_maintenance_on(ctx));
            }
            if ctx.hop.updates_source_first() {
                out.push(manager::update_manager(ctx));
            }
            out.extend(databases::remote_postgresql_10(ctx));
            out.push(manager::upgrade_to_43(ctx));
            if options.remote_dwh {
                out.push(databases::finish_remote_dwh_43(ctx));
            }
            if ctx.self_hosted() {
                out.push(hosted_engine::global_maintenance_off(ctx));
            }
            hosts_in_place(ctx, &mut out);
        }
        HopKind::Upgrade if ctx.targets_line(4, 4) => {
            if ctx.self_hosted() {
                out.push(hosted_engine::evacuate_hosted_engine_host(ctx));
                out.push(hosted_engine::global_maintenance_on(ctx));
            }
            if ctx.hop.updates_source_first() {
                out.push(manager::update_manager(ctx));
            }
            // A hyperconverged self-hosted engine is redeployed by the gluster procedure itself.
            let hyperconverged = ctx.self_hosted() && options.gluster;
            if ctx.self_hosted() && !hyperconverged {
                out.push(manager::upgrade_to_44_self_hosted(ctx));
            } else if !ctx.self_hosted() {
                out.push(manager::upgrade_to_44_standalone(ctx));
            }
            if options.remote_dwh {
                out.push(databases::remote_dwh_44(ctx));
            }
            if options.ovn {
                out.push(hosts::ovn_before_hosts(ctx));
            }
            if hyperconverged {
                out.push(storage::gluster(ctx));
            } else {
                out.push(hosts::migrate_hosts_44(ctx));
            }
            if options.local_storage {
                out.push(storage::local_storage(ctx));
            }
            if options.gluster && !hyperconverged {
                out.push(storage::gluster(ctx));
            }
            if options.ovn {
                out.push(hosts::ovn_after_hosts(ctx));
            }
        }
        HopKind::Upgrade if ctx.targets_line(4, 5) => {
            if ctx.self_hosted() {
                out.push(hosted_engine::global_maintenance_on(ctx));
            }
            if ctx.hop.updates_source_first() {
                out.push(manager::update_manager(ctx));
            }
            out.push(manager::upgrade_to_45(ctx));
            if ctx.self_hosted() {
                out.push(hosted_engine::global_maintenance_off(ctx));
            }
            hosts_in_place(ctx, &mut out);
        }
        HopKind::Upgrade => return Err(NoProcedure),
    }
    if compat::needed(ctx) {
        out.push(compat::clusters(ctx));
        out.push(compat::virtual_machines(ctx));
        out.push(compat::data_centers(ctx));
    }
    if certificates::belongs_here(ctx) {
        out.push(certificates::replace_sha1(ctx));
    }
    Ok(out)
}

/// Hosts updated where they stand (every hop but 4.3 → 4.4, which reinstalls them).
fn hosts_in_place(ctx: &Ctx, out: &mut Vec<Section>) {
    let options = ctx.opts();
    let ovn_applies = options.ovn && ctx.target_line() >= Level::new(4, 4);
    if ovn_applies {
        out.push(hosts::ovn_before_hosts(ctx));
    }
    out.push(hosts::update_hosts(ctx));
    if ovn_applies {
        out.push(hosts::ovn_after_hosts(ctx));
    }
}

/// "4.3 → 4.4" in titles.
pub(crate) fn arrow(from: impl std::fmt::Display, to: impl std::fmt::Display) -> String {
    format!("{from} → {to}")
}

/// The self-hosted or standalone wording of the same sentence.
pub(crate) fn by_deployment(ctx: &Ctx, self_hosted: Text, standalone: Text) -> Text {
    if ctx.self_hosted() {
        self_hosted
    } else {
        standalone
    }
}

/// Text that names the Manager as the guide does for each deployment.
pub(crate) fn manager_noun(ctx: &Ctx) -> Text {
    by_deployment(
        ctx,
        tr("the Manager virtual machine", "Manager 用仮想マシン"),
        tr("the Manager machine", "Manager マシン"),
    )
}
