//! The end of every chapter: raise each cluster's compatibility level, restart the VMs that then
//! carry a pending configuration, raise each data center (§1.1.10–§1.1.12 and copies). Also the
//! levels a new Manager no longer accepts, raised before it is installed.

use model::release::{supported_cluster_levels, NIC_RENAMING_LEVEL};
use model::Level;

use super::sources::Proc;
use super::{check, look, Ctx, SectionBuilder};
use crate::route::HopKind;
use crate::step::{Command, RunsOn, Section, Source, Tool};
use model::Text;

use crate::text::tr;

/// Level 4.7 needs newer hosts (oVirt 4.5.0 release notes).
const LEVEL_4_7: Level = Level::new(4, 7);

fn join_levels(levels: &[Level], or: &str) -> String {
    let text: Vec<String> = levels.iter().map(Level::to_string).collect();
    match text.split_last() {
        Some((last, rest)) if !rest.is_empty() => format!("{} {or} {last}", rest.join(", ")),
        _ => text.join(""),
    }
}

/// "Every data center and cluster is at 4.2 or 4.3": the levels both ends of the hop accept.
pub(crate) fn accepted_levels_prerequisite(ctx: &Ctx) -> Text {
    let target = supported_cluster_levels(ctx.hop.to);
    let both: Vec<Level> = supported_cluster_levels(ctx.hop.from)
        .iter()
        .copied()
        .filter(|level| target.contains(level))
        .collect();
    tr(
        format!(
            "Every data center and cluster is at compatibility level {}.",
            join_levels(&both, "or")
        ),
        format!(
            "すべてのデータセンターとクラスターの互換レベルが {} である。",
            join_levels(&both, "または")
        ),
    )
}

/// Whether the hop ends with raising levels: always after an upgrade; after an update only if
/// it brings a level the environment is not at yet.
pub(crate) fn needed(ctx: &Ctx) -> bool {
    let target = ctx.hop.target_level();
    match (ctx.hop.kind, ctx.env()) {
        (HopKind::Upgrade, _) => true,
        (HopKind::Update, Some(env)) if ctx.first => {
            env.clusters.iter().any(|c| c.level < target)
                || env.data_centers.iter().any(|d| d.level < target)
        }
        (HopKind::Update, _) => target > ctx.hop.source_level(),
    }
}

fn cluster_step(section: &SectionBuilder, key: &str, from: Level, to: Level) -> super::StepBuilder {
    section
        .step(
            key,
            RunsOn::Portal,
            tr(
                format!("Raise each cluster to compatibility level {to}"),
                format!("各クラスターの互換レベルを {to} に上げる"),
            ),
            tr(
                "A cluster's level is the feature set every one of its hosts supports. In Compute \
                 → Clusters select the cluster, Edit, set Compatibility Version on the General \
                 tab, and confirm the Change Cluster Compatibility Version dialog.",
                "クラスターの互換レベルは、そのクラスターの全ホストが対応する機能の範囲を表します。コンピュート → クラスターでクラスターを選んで編集し、全般タブで互換バージョンを設定して、Change Cluster Compatibility Version の確認ダイアログで確定します。",
            ),
        )
        .prereq(tr(
            "Every host of the cluster is updated to support the level: no host shows the \
             update-available icon.",
            "クラスター内の全ホストがそのレベルに対応するよう更新済みである (更新可能アイコンが表示されているホストがない)。",
        ))
        .warn(tr(
            "The change may be refused because some VMs or templates are set up wrongly: edit \
             each one; the Edit Virtual Machine window points at what to fix, and sometimes \
             saving it again is enough.",
            "一部の仮想マシンやテンプレートの設定が不適切だとして変更が拒否されることがあります。それぞれを編集してください。Edit Virtual Machine ウィンドウに直すべき項目が示され、保存し直すだけで済む場合もあります。",
        ))
        .warn_if(
            from < NIC_RENAMING_LEVEL && to >= NIC_RENAMING_LEVEL,
            tr(
                "From level 4.6 on, VirtIO NICs show up as different devices in the guests and \
                 may need reconfiguring. Test a VM first by setting its own compatibility level to \
                 4.6 and checking its network; if it breaks, give the VM a custom emulated machine \
                 matching its current one (pc-q35-rhel8.3.0 for level 4.5) before raising the \
                 cluster.",
                "互換レベル 4.6 以降では、ゲスト内で VirtIO NIC が別のデバイスとして認識され、NIC の再設定が必要になる場合があります。まず仮想マシン単位で互換レベルを 4.6 にしてネットワーク接続を確かめ、失敗する場合はクラスターを上げる前に、現在と同じカスタムのエミュレートマシン (互換レベル 4.5 なら pc-q35-rhel8.3.0) を仮想マシンに設定してください。",
            ),
        )
        .warn_if(
            to >= LEVEL_4_7,
            tr(
                "Level 4.7 needs hosts on RHEL 8.6 or later, CentOS Stream 8 or EL9, with \
                 libvirt 8.0.0 or newer (oVirt 4.5.0 release notes).",
                "互換レベル 4.7 には、RHEL 8.6 以降、CentOS Stream 8 または EL9 で libvirt 8.0.0 以降のホストが必要です (oVirt 4.5.0 リリースノート)。",
            ),
        )
        .verify(look(tr(
            format!("Compute → Clusters shows {to} as the cluster's compatibility version."),
            format!("コンピュート → クラスターで、クラスターの互換バージョンが {to} と表示されること。"),
        )))
        .auto(Tool::Compat, format!("--cluster CLUSTER --to {to} --restart-vms never"))
}

fn restart_step(section: &SectionBuilder, ctx: &Ctx, key: &str, to: Level) -> super::StepBuilder {
    let explanation = tr(
        "Running or suspended VMs keep their old configuration until they restart and carry a \
         pending-change icon meanwhile. In Compute → Virtual Machines search as below, then \
         select each VM and click Restart (or restart it from inside the guest). Do it right \
         away: a later edit of a VM can overwrite the pending level.",
        "実行中またはサスペンド中の仮想マシンは、再起動するまで古い設定のままで、その間は変更保留のアイコンが付きます。コンピュート → 仮想マシンで下の検索を行い、各仮想マシンを選んで再起動をクリックします (ゲスト内から再起動してもかまいません)。後で仮想マシンを編集すると保留中のレベルが上書きされることがあるため、すぐに行ってください。",
    );
    let explanation = if ctx.self_hosted() {
        tr(
            format!("{} The Manager VM needs no restart.", explanation.en),
            format!("{}Manager 用仮想マシンの再起動は不要です。", explanation.ja),
        )
    } else {
        explanation
    };
    section
        .step(
            key,
            RunsOn::Portal,
            tr(
                format!("Restart the VMs so they take level {to}"),
                format!("仮想マシンを再起動して互換レベル {to} を適用する"),
            ),
            explanation,
        )
        .cmd(Command::search("next_run_config_exists=True"))
        .warn(tr(
            "A VM whose snapshot is being previewed cannot change level: commit the snapshot or \
             undo the preview first.",
            "スナップショットをプレビュー中の仮想マシンは互換バージョンを変更できません。先にスナップショットをコミットするか、プレビューを取り消してください。",
        ))
        .verify(check(
            Command::search("next_run_config_exists=True"),
            None,
            tr(
                "The search finds no VM any more.",
                "検索結果に仮想マシンが 1 台も表示されないこと。",
            ),
        ))
        .auto(
            Tool::Compat,
            format!("--cluster CLUSTER --to {to} --restart-vms now"),
        )
}

fn data_center_step(section: &SectionBuilder, key: &str, to: Level) -> super::StepBuilder {
    section
        .step(
            key,
            RunsOn::Portal,
            tr(
                format!("Raise each data center to compatibility level {to}"),
                format!("各データセンターの互換レベルを {to} に上げる"),
            ),
            tr(
                "A data center's level must be one all its clusters support. In Compute → Data \
                 Centers select it, Edit, set Compatibility Version and confirm the Change Data \
                 Center Compatibility Version dialog.",
                "データセンターの互換レベルは、その中の全クラスターが対応するものでなければなりません。コンピュート → データセンターで選んで編集し、互換バージョンを設定して、Change Data Center Compatibility Version の確認ダイアログで確定します。",
            ),
        )
        .prereq(tr(
            "Every cluster and VM of the data center is already at the new level.",
            "データセンター内のすべてのクラスターと仮想マシンが、すでに新しいレベルになっている。",
        ))
        .verify(look(tr(
            format!("Compute → Data Centers shows {to} as its compatibility version."),
            format!("コンピュート → データセンターで互換バージョンが {to} と表示されること。"),
        )))
        .auto(Tool::Finish, format!("--to {to}"))
}

/// The lowest level a cluster may be at before the hop: what the inventory shows, or else the
/// lowest level the source Manager accepts (so that warnings err on the side of showing).
fn lowest_level_before(ctx: &Ctx) -> Level {
    let known = ctx
        .env()
        .filter(|_| ctx.first)
        .and_then(|env| env.clusters.iter().map(|c| c.level).min());
    known.unwrap_or_else(|| {
        *supported_cluster_levels(ctx.hop.from)
            .first()
            .expect("every known release accepts some level")
    })
}

pub(crate) fn clusters(ctx: &Ctx) -> Section {
    let mut section = ctx.section(
        "cluster-compatibility",
        ctx.cite(Proc::ClusterCompat),
        tr(
            "Raise the clusters' compatibility level",
            "クラスターの互換バージョンを上げる",
        ),
    );
    let step = cluster_step(
        &section,
        "cluster-compatibility",
        lowest_level_before(ctx),
        ctx.hop.target_level(),
    )
    .targets(ctx.cluster_names());
    section.add(step);
    section.build()
}

pub(crate) fn virtual_machines(ctx: &Ctx) -> Section {
    let mut section = ctx.section(
        "vm-compatibility",
        ctx.cite(Proc::VmCompat),
        tr(
            "Restart VMs for the new level",
            "新しいレベルのために仮想マシンを再起動する",
        ),
    );
    let step = restart_step(&section, ctx, "restart-vms", ctx.hop.target_level())
        .targets(ctx.cluster_names());
    section.add(step);
    section.build()
}

pub(crate) fn data_centers(ctx: &Ctx) -> Section {
    let mut section = ctx.section(
        "data-center-compatibility",
        ctx.cite(Proc::DataCenterCompat),
        tr(
            "Raise the data centers' compatibility level",
            "データセンターの互換バージョンを上げる",
        ),
    );
    let step = data_center_step(
        &section,
        "data-center-compatibility",
        ctx.hop.target_level(),
    )
    .targets(ctx.data_center_names());
    section.add(step);
    section.build()
}

/// Before an upgrade, the clusters and data centers below the lowest level the new Manager
/// accepts must be raised, or its engine-setup refuses to run.
pub(crate) fn raise_old_levels(ctx: &Ctx) -> Option<Section> {
    let env = ctx.env()?;
    if !ctx.first || ctx.hop.kind != HopKind::Upgrade {
        return None;
    }
    let minimum = ctx.hop.minimum_level();
    let old_clusters: Vec<String> = env
        .clusters
        .iter()
        .filter(|c| c.level < minimum)
        .map(|c| format!("{} ({})", c.name, c.level))
        .collect();
    let old_data_centers: Vec<String> = env
        .data_centers
        .iter()
        .filter(|d| d.level < minimum)
        .map(|d| format!("{} ({})", d.name, d.level))
        .collect();
    if old_clusters.is_empty() && old_data_centers.is_empty() {
        return None;
    }
    let lowest = env
        .clusters
        .iter()
        .chain(&env.data_centers)
        .map(|o| o.level)
        .min()
        .unwrap_or(minimum);
    let level = ctx.hop.source_level();
    let mut section = ctx.section(
        "raise-old-levels",
        Source::Beyond {
            en: "engine-setup's upgrade check of supported levels (research §4)",
            ja: "engine-setup のアップグレード時の互換レベル検査 (調査ノート §4)",
        },
        tr(
            format!("Raise levels that {} no longer accepts", ctx.hop.to.line()),
            format!(
                "{} が受け付けなくなる互換レベルを先に上げる",
                ctx.hop.to.line()
            ),
        ),
    );
    let reason = tr(
        format!(
            "engine-setup of {} refuses to upgrade while a data center or cluster is below \
             {minimum}; raise them now, on the {} Manager.",
            ctx.hop.to.line(),
            ctx.hop.from.line()
        ),
        format!(
            "{} の engine-setup は、{minimum} 未満のデータセンターやクラスターがあるとアップグレードを拒否します。{} の Manager のうちに上げておきます。",
            ctx.hop.to.line(),
            ctx.hop.from.line()
        ),
    );
    if !old_clusters.is_empty() {
        section.add(
            cluster_step(&section, "raise-clusters", lowest, level)
                .prereq(reason.clone())
                .targets(old_clusters.clone()),
        );
        section.add(restart_step(&section, ctx, "raise-restart-vms", level).targets(old_clusters));
    }
    if !old_data_centers.is_empty() {
        section.add(
            data_center_step(&section, "raise-data-centers", level)
                .prereq(reason)
                .targets(old_data_centers),
        );
    }
    Some(section.build())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn level_lists_read_naturally() {
        let levels = [Level::new(4, 2), Level::new(4, 3)];
        assert_eq!(join_levels(&levels, "or"), "4.2 or 4.3");
        assert_eq!(
            join_levels(
                &[Level::new(4, 1), Level::new(4, 2), Level::new(4, 3)],
                "or"
            ),
            "4.1, 4.2 or 4.3"
        );
        assert_eq!(join_levels(&levels[..1], "or"), "4.2");
    }
}
