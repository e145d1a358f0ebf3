//! VMs: pending configuration, snapshots in preview, custom compatibility levels (checked by
//! engine-setup too), snapshot levels, and states that stop a migration.

use model::{Text, VmStatus};

use super::vm_evidence;
use crate::facts::{level_span, Facts};
use crate::rule::*;

pub(super) const RULES: &[Rule] = &[
    Rule {
        id: "vm.next-run-pending",
        severity: Severity::Fail,
        section: Section::Vms,
        scope: Scope::Vm,
        title: Text::new(
            "No VM has a configuration change waiting for its next start",
            "次回起動を待つ設定変更のある仮想マシンがない",
        ),
        blocks: &[Stage::ClusterLevel],
        fix: Text::new(
            "Restart them before the window (Compute › Virtual Machines, search `next_run_config_exists=True`, Restart), so that the level change is the only change their next restart brings.",
            "作業前に再起動します (コンピュート › 仮想マシンで `next_run_config_exists=True` を検索して再起動)。次回の再起動で適用されるのが互換レベルの変更だけになるようにします。",
        ),
        check: next_run_pending,
    },
    Rule {
        id: "vm.snapshot-in-preview",
        severity: Severity::Fail,
        section: Section::Vms,
        scope: Scope::Snapshot,
        title: Text::new("No VM has a snapshot in preview", "プレビュー中のスナップショットがない"),
        blocks: &[Stage::ClusterLevel],
        fix: Text::new(
            "Commit or undo each preview: Compute › Virtual Machines › Snapshots › Commit (or Undo).",
            "プレビューをコミットするか元に戻します: コンピュート › 仮想マシン › スナップショット › コミット (または元に戻す)。",
        ),
        check: snapshot_in_preview,
    },
    Rule {
        id: "vm.custom-level-unsupported",
        severity: Severity::Fail,
        section: Section::Vms,
        scope: Scope::Vm,
        title: Text::new(
            "No VM has a custom compatibility version the target does not accept",
            "ターゲットが受け付けないカスタム互換バージョンの仮想マシンがない",
        ),
        blocks: &[Stage::ManagerUpgrade],
        fix: Text::new(
            "Edit VM › System › Advanced Parameters › Custom Compatibility Version: clear it (use the cluster's) or pick a level the target accepts.",
            "仮想マシンの編集 › システム › 詳細パラメーター › カスタム互換バージョン を空にする (クラスターに従う) か、ターゲットが受け付ける互換レベルにします。",
        ),
        check: custom_level_unsupported,
    },
    Rule {
        id: "vm.custom-level-set",
        severity: Severity::Info,
        section: Section::Vms,
        scope: Scope::Vm,
        title: Text::new(
            "No VM overrides its cluster's compatibility level",
            "クラスターの互換レベルを上書きしている仮想マシンがない",
        ),
        blocks: &[],
        fix: Text::new(
            "Review them: they keep their own level when the cluster is raised; clear the override (Edit VM › System › Advanced Parameters) if it is no longer needed.",
            "確認します。クラスターを上げてもこれらは独自の互換レベルのままです。不要なら上書きを解除します (仮想マシンの編集 › システム › 詳細パラメーター)。",
        ),
        check: custom_level_set,
    },
    Rule {
        id: "vm.snapshot-level-unsupported",
        severity: Severity::Warn,
        section: Section::Vms,
        scope: Scope::Snapshot,
        title: Text::new(
            "No snapshot was taken at a level the target does not accept",
            "ターゲットが受け付けない互換レベルで作成されたスナップショットがない",
        ),
        blocks: &[Stage::ManagerUpgrade],
        fix: Text::new(
            "Delete the snapshots you do not need; engine-setup lists the others and stops unless you agree to lose them.",
            "不要なスナップショットを削除します。残りは engine-setup が一覧表示し、使えなくなることに同意しない限り停止します。",
        ),
        check: snapshot_level_unsupported,
    },
    Rule {
        id: "vm.unhealthy",
        severity: Severity::Warn,
        section: Section::Vms,
        scope: Scope::Vm,
        title: Text::new(
            "No VM is paused, unresponsive or locked",
            "一時停止、応答なし、ロック状態の仮想マシンがない",
        ),
        blocks: &[Stage::HostUpgrade],
        fix: Text::new(
            "Resume, repair or restart each one (Compute › Virtual Machines); a locked image may need `unlock_entity.sh` after its task is gone.",
            "それぞれ再開、修復、または再起動します (コンピュート › 仮想マシン)。ロックされたイメージは、タスクがなくなった後に `unlock_entity.sh` が必要な場合があります。",
        ),
        check: unhealthy,
    },
];

fn next_run_pending(f: &Facts) -> Outcome {
    let evidence = f
        .inventory
        .vms
        .iter()
        .filter(|vm| vm.next_run_pending)
        .map(|vm| vm_evidence(vm, Text::same(vm.status.to_string())))
        .collect();
    Outcome::one_if_any(evidence, |n| {
        Text::owned(
            format!("{n} VM(s) have a configuration change waiting for their next start: a cluster level change would pile onto it, and a later edit can overwrite the pending level"),
            format!("{n} 台の仮想マシンに次回起動を待つ設定変更があります。互換レベルの変更が重なり、その後の編集で保留中の互換レベルが上書きされる場合があります"),
        )
    })
}

fn snapshot_in_preview(f: &Facts) -> Outcome {
    let evidence = f
        .inventory
        .vms
        .iter()
        .filter_map(|vm| {
            let snapshot = vm.previewing_snapshot()?;
            Some(Evidence::new(
                Scope::Snapshot,
                format!("{}: {}", vm.name, snapshot.description),
                Some(snapshot.id.0),
                Text::owned("in preview", "プレビュー中"),
            ))
        })
        .collect();
    Outcome::one_if_any(evidence, |n| {
        Text::owned(
            format!("{n} VM(s) are previewing a snapshot: their compatibility level cannot change until the preview is committed or undone"),
            format!("{n} 台の仮想マシンがスナップショットをプレビュー中です。コミットまたは取り消すまで互換レベルを変更できません"),
        )
    })
}

fn custom_level_unsupported(f: &Facts) -> Outcome {
    let evidence = f
        .inventory
        .vms
        .iter()
        .filter_map(|vm| {
            let level = vm.custom_compatibility_version?;
            (!f.target_accepts(level)).then(|| vm_evidence(vm, Text::same(level.to_string())))
        })
        .collect();
    let (target, levels) = (f.target, level_span(f.target_levels));
    Outcome::one_if_any(evidence, |n| {
        Text::owned(
            format!("{n} VM(s) have a custom compatibility version outside what Manager {target} accepts ({levels}): engine-setup refuses to upgrade"),
            format!("{n} 台の仮想マシンのカスタム互換バージョンが Manager {target} の受け付ける範囲 ({levels}) の外で、engine-setup がアップグレードを拒否します"),
        )
    })
}

fn custom_level_set(f: &Facts) -> Outcome {
    let evidence = f
        .inventory
        .vms
        .iter()
        .filter_map(|vm| {
            let level = vm.custom_compatibility_version?;
            f.target_accepts(level).then(|| {
                vm_evidence(
                    vm,
                    Text::owned(
                        format!("{level} (cluster {})", f.cluster_name(vm.cluster)),
                        format!("{level} (クラスター {})", f.cluster_name(vm.cluster)),
                    ),
                )
            })
        })
        .collect();
    Outcome::one_if_any(evidence, |n| {
        Text::owned(
            format!("{n} VM(s) set their own compatibility level and do not follow their cluster's"),
            format!("{n} 台の仮想マシンが独自の互換レベルを設定しており、クラスターの互換レベルに従いません"),
        )
    })
}

fn snapshot_level_unsupported(f: &Facts) -> Outcome {
    let evidence = f
        .inventory
        .vms
        .iter()
        .flat_map(|vm| vm.snapshots.iter().map(move |s| (vm, s)))
        .filter_map(|(vm, snapshot)| {
            let level = snapshot.cluster_level?;
            (!f.target_accepts(level)).then(|| {
                Evidence::new(
                    Scope::Snapshot,
                    format!("{}: {}", vm.name, snapshot.description),
                    Some(snapshot.id.0),
                    Text::same(level.to_string()),
                )
            })
        })
        .collect();
    let target = f.target;
    Outcome::one_if_any(evidence, |n| {
        Text::owned(
            format!("{n} snapshot(s) were taken at a level Manager {target} does not accept: they become unusable, and engine-setup asks before going on"),
            format!("{n} 個のスナップショットが Manager {target} の受け付けない互換レベルで作成されています。使えなくなり、engine-setup は続行前に確認を求めます"),
        )
    })
}

fn unhealthy(f: &Facts) -> Outcome {
    let evidence = f
        .inventory
        .vms
        .iter()
        .filter(|vm| {
            matches!(
                vm.status,
                VmStatus::Paused
                    | VmStatus::NotResponding
                    | VmStatus::Unknown
                    | VmStatus::ImageLocked
            )
        })
        .map(|vm| {
            let host = f.host_name(vm.host);
            vm_evidence(vm, Text::same(format!("{} ({host})", vm.status)))
        })
        .collect();
    Outcome::one_if_any(evidence, |n| {
        Text::owned(
            format!("{n} VM(s) are paused, unresponsive or locked: they may not migrate, and their host then cannot enter maintenance"),
            format!("{n} 台の仮想マシンが一時停止、応答なし、またはロック状態です。移行できないことがあり、そのホストをメンテナンスにできません"),
        )
    })
}

#[cfg(test)]
mod tests {
    use model::{Level, Snapshot, SnapshotId, SnapshotStatus, Uuid, VmStatus};

    use crate::testing::*;

    fn snapshot(description: &str, status: SnapshotStatus, level: Option<Level>) -> Snapshot {
        Snapshot {
            id: SnapshotId(Uuid::derived("snapshot", description)),
            description: description.into(),
            status,
            cluster_level: level,
        }
    }

    #[test]
    fn pending_configuration_and_previews_fail() {
        let mut inventory = clean();
        inventory.vms[0].next_run_pending = true;
        inventory.vms[1].snapshots =
            vec![snapshot("before patch", SnapshotStatus::InPreview, None)];
        assert_fires("vm.next-run-pending", &inventory, None);
        let findings = assert_fires("vm.snapshot-in-preview", &inventory, None);
        assert!(evidence_names(&findings)[0].ends_with(": before patch"));
        assert_quiet("vm.next-run-pending", &clean(), None);
        assert_quiet("vm.snapshot-in-preview", &clean(), None);
    }

    #[test]
    fn custom_levels_against_the_target() {
        let mut inventory = clean_43();
        inventory.vms[0].custom_compatibility_version = Some(Level::new(4, 1));
        inventory.vms[1].custom_compatibility_version = Some(Level::new(4, 2));
        let target = Some("4.4.10");
        assert_eq!(
            evidence_names(&assert_fires(
                "vm.custom-level-unsupported",
                &inventory,
                target
            )),
            [inventory.vms[0].name.as_str()]
        );
        assert_eq!(
            evidence_names(&assert_fires("vm.custom-level-set", &inventory, target)),
            [inventory.vms[1].name.as_str()]
        );
        assert_quiet("vm.custom-level-unsupported", &inventory, Some("4.3.11"));
        assert_quiet("vm.custom-level-unsupported", &clean_43(), target);
        assert_quiet("vm.custom-level-set", &clean_43(), target);
    }

    #[test]
    fn snapshots_taken_at_an_old_level_warn() {
        let mut inventory = clean_43();
        inventory.vms[0].snapshots = vec![
            snapshot("2019", SnapshotStatus::Ok, Some(Level::new(4, 1))),
            snapshot("2021", SnapshotStatus::Ok, Some(Level::new(4, 3))),
        ];
        let findings = assert_fires("vm.snapshot-level-unsupported", &inventory, Some("4.4.10"));
        assert_eq!(findings[0].evidence.len(), 1);
        assert_quiet("vm.snapshot-level-unsupported", &inventory, Some("4.3.11"));
        assert_quiet("vm.snapshot-level-unsupported", &clean_43(), Some("4.4.10"));
    }

    #[test]
    fn paused_and_locked_vms_warn() {
        let mut inventory = clean();
        inventory.vms[0].status = VmStatus::Paused;
        inventory.vms[1].status = VmStatus::ImageLocked;
        assert_eq!(
            assert_fires("vm.unhealthy", &inventory, None)[0]
                .evidence
                .len(),
            2
        );
        assert_quiet("vm.unhealthy", &clean(), None);
    }
}
