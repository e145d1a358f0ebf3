//! A compatibility chain's plan: as `--dry-run` prints it, and in brief before a run.

use std::fmt::Write as _;

use model::Lang;
use orchestrator::chain::{self, ChainBlocker, ChainPlan, ChainWarning, RestartMode, Stage};

use crate::text::{count_of, section, table, tr};

fn object_text(stage: &Stage, lang: Lang) -> String {
    let (from, to) = stage.levels();
    let kind = match (stage, lang) {
        (Stage::Cluster { .. }, Lang::En) => "cluster",
        (Stage::DataCenter { .. }, Lang::En) => "data center",
        (Stage::Cluster { .. }, Lang::Ja) => "クラスター",
        (Stage::DataCenter { .. }, Lang::Ja) => "データセンター",
    };
    match (from == to, lang) {
        (true, Lang::En) => format!("{kind} {}: restarts at {to}", stage.name()),
        (true, Lang::Ja) => format!("{kind} {}: {to} での再起動", stage.name()),
        (false, _) => format!("{kind} {} {from} → {to}", stage.name()),
    }
}

fn blocker_text(blocker: &ChainBlocker, lang: Lang) -> String {
    if lang == Lang::En {
        return blocker.to_string();
    }
    match blocker {
        ChainBlocker::HostsWithoutLevel { cluster, level, hosts } => format!(
            "クラスター {cluster}: 稼働中のホストが互換レベル {level} に対応していません: {}。先にアップグレードしてください (ovirt-upgrade cluster-upgrade --cluster {cluster})",
            hosts.join(", ")
        ),
        ChainBlocker::SnapshotsInPreview { cluster, vms } => format!(
            "クラスター {cluster}: スナップショットをプレビュー中の仮想マシンがあります: {}。先にコミットするかプレビューを取り消してください",
            vms.join(", ")
        ),
        ChainBlocker::VmsCannotTakeLevel { cluster, vms } => format!(
            "クラスター {cluster}: この Manager が対応しないカスタム互換バージョンの仮想マシンはエンジンが更新できません: {}。各仮想マシンを編集し、カスタム互換バージョンを空にするか変更してください",
            vms.iter().map(|(v, l)| format!("{v} ({l})")).collect::<Vec<_>>().join(", ")
        ),
        ChainBlocker::UpgradeRunning { cluster } => format!(
            "クラスター {cluster}: ホストのアップグレード中です (アップグレード中フラグ)。完了してから互換レベルを上げてください"
        ),
        ChainBlocker::SuspendedVms { data_center, vms } => format!(
            "データセンター {data_center}: サスペンド中の仮想マシンが互換レベルの変更を妨げます: {}。再開するかシャットダウンしてください",
            vms.join(", ")
        ),
    }
}

fn warning_text(warning: &ChainWarning, lang: Lang) -> String {
    if lang == Lang::En {
        return warning.to_string();
    }
    match warning {
        ChainWarning::NicRenaming { cluster, from, machine } => format!(
            "クラスター {cluster} は互換レベル 4.6 をまたぎます。ゲスト内で VirtIO NIC が別のデバイスとして認識され、再設定が必要になる場合があります。まず仮想マシンのカスタム互換バージョンを 4.6 にしてネットワークを確かめ、失敗する場合は {from} で使っているものと同じカスタムのエミュレートマシン{}を設定してください",
            machine.as_deref().map_or_else(|| " (各仮想マシンの詳細に表示)".to_owned(), |m| format!(" ({m})"))
        ),
        ChainWarning::HostsLeftBehind { cluster, hosts } => format!(
            "クラスター {cluster}: 稼働していない次のホストは新しい互換レベルに対応せず、アップグレードするまで戻れません: {}",
            hosts.iter().map(|(h, s)| format!("{h} ({s})")).collect::<Vec<_>>().join(", ")
        ),
        ChainWarning::AlreadyPending { cluster, vms } => format!(
            "クラスター {cluster}: 次の仮想マシンには別の変更も保留されており、再起動で一緒に適用されます: {}",
            vms.join(", ")
        ),
        ChainWarning::CannotRestart { cluster, vms } => format!(
            "クラスター {cluster}: 次の状態の仮想マシンは再起動しません。通常の状態に戻ってから手動で再起動してください: {}",
            vms.iter().map(|(v, s)| format!("{v} ({s})")).collect::<Vec<_>>().join(", ")
        ),
        ChainWarning::CustomLevels { cluster, vms } => format!(
            "クラスター {cluster}: 次の仮想マシンは独自の互換レベルを持ち、クラスターに従いません: {}",
            vms.iter().map(|(v, l)| format!("{v} ({l})")).collect::<Vec<_>>().join(", ")
        ),
    }
}

fn restarts_line(plan: &ChainPlan, lang: Lang) -> String {
    let vms = plan.restarts();
    let batch = plan.options.batch;
    match (plan.options.restart, lang) {
        (RestartMode::Now, Lang::En) => format!(
            "{vms} running VMs restarted to take the level, {batch} at a time, highly available ones one at a time; the Manager's VM is never restarted"
        ),
        (RestartMode::Now, Lang::Ja) => format!(
            "実行中の仮想マシン {vms} 台を再起動して新しい互換レベルを適用 ({batch} 台ずつ、高可用性の仮想マシンは 1 台ずつ)。Manager 用仮想マシンは再起動しません"
        ),
        (RestartMode::List, Lang::En) => format!("{vms} running VMs will wait for a restart: they are listed, not restarted"),
        (RestartMode::List, Lang::Ja) => format!("実行中の仮想マシン {vms} 台が再起動待ちになります。一覧を表示し、再起動はしません"),
        (RestartMode::Never, Lang::En) => format!("{vms} running VMs are left to take the level at their next restart"),
        (RestartMode::Never, Lang::Ja) => format!("実行中の仮想マシン {vms} 台は次回の再起動で新しい互換レベルになります"),
    }
}

/// The stages and what to mind, as printed before a run.
pub fn render_plan_brief(plan: &ChainPlan, lang: Lang) -> String {
    let mut out = String::new();
    let _ = writeln!(
        out,
        "{}",
        match lang {
            Lang::En => format!(
                "Compatibility level {} (Manager {}): {}",
                plan.target,
                plan.manager,
                count_of(lang, plan.stages.len(), ("stage", "stages"), "")
            ),
            Lang::Ja => format!(
                "互換レベル {} (Manager {}): {} 段階",
                plan.target,
                plan.manager,
                plan.stages.len()
            ),
        }
    );
    let _ = writeln!(out, "  {}", restarts_line(plan, lang));
    for warning in &plan.warnings {
        let _ = writeln!(
            out,
            "  {} {}",
            tr(lang, "warning:", "警告:"),
            warning_text(warning, lang)
        );
    }
    out
}

/// The plan as the dry run prints it.
pub fn render_plan(plan: &ChainPlan, lang: Lang) -> String {
    let mut out = String::new();
    let _ = writeln!(
        out,
        "{}",
        match lang {
            Lang::En => format!(
                "Compatibility chain to level {} (Manager {})",
                plan.target, plan.manager
            ),
            Lang::Ja => format!(
                "互換レベル {} への変更 (Manager {})",
                plan.target, plan.manager
            ),
        }
    );
    let _ = writeln!(out, "  {}", restarts_line(plan, lang));
    let mut rows = Vec::new();
    for (i, stage) in plan.stages.iter().enumerate() {
        let restarts = match (stage, lang) {
            (
                Stage::Cluster {
                    restarts,
                    highly_available,
                    ..
                },
                Lang::En,
            ) => {
                format!("{restarts} VMs to restart ({highly_available} highly available)")
            }
            (
                Stage::Cluster {
                    restarts,
                    highly_available,
                    ..
                },
                Lang::Ja,
            ) => {
                format!("再起動する仮想マシン {restarts} 台 (高可用性 {highly_available} 台)")
            }
            (Stage::DataCenter { .. }, _) => String::new(),
        };
        rows.push(vec![
            format!("{}.", i + 1),
            object_text(stage, lang),
            restarts,
        ]);
    }
    out.push('\n');
    for line in table(&rows).lines() {
        let _ = writeln!(out, "  {line}");
    }
    section(
        &mut out,
        tr(lang, "Already there", "変更不要"),
        plan.unchanged
            .iter()
            .map(|o| {
                let kind = match (o.kind, lang) {
                    (chain::ObjectKind::Cluster, Lang::En) => "cluster",
                    (chain::ObjectKind::DataCenter, Lang::En) => "data center",
                    (chain::ObjectKind::Cluster, Lang::Ja) => "クラスター",
                    (chain::ObjectKind::DataCenter, Lang::Ja) => "データセンター",
                };
                format!("{kind} {} ({})", o.name, o.level)
            })
            .collect(),
    );
    section(
        &mut out,
        tr(lang, "Warnings", "警告"),
        plan.warnings
            .iter()
            .map(|w| warning_text(w, lang))
            .collect(),
    );
    section(
        &mut out,
        tr(lang, "Blockers", "ブロッカー"),
        plan.blockers
            .iter()
            .map(|b| blocker_text(b, lang))
            .collect(),
    );
    let verdict = match (plan.is_feasible(), lang) {
        (true, Lang::En) => "\nNo blockers: the same command without --dry-run carries it out.",
        (true, Lang::Ja) => "\nブロッカーなし: --dry-run を外すと実行します。",
        (false, Lang::En) => "\nThe chain cannot start until the blockers are dealt with.",
        (false, Lang::Ja) => "\nブロッカーを解消するまで実行できません。",
    };
    let _ = writeln!(out, "{verdict}");
    out
}
