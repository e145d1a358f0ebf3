//! Data centers and clusters: compatibility levels against the target (engine-setup's own
//! check), what raising them means, scheduling state, and the Storage Pool Manager.

use model::release::NIC_RENAMING_LEVEL;
use model::{DataCenterStatus, HostStatus, Level, SchedulingPolicy, SpmStatus, StorageKind, Text};

use super::{cluster_evidence, data_center_evidence, host_evidence};
use crate::facts::{level_span, Facts};
use crate::rule::*;

pub(super) const RULES: &[Rule] = &[
    Rule {
        id: "datacenter.compat-too-old",
        severity: Severity::Fail,
        section: Section::Compatibility,
        scope: Scope::DataCenter,
        title: Text::new(
            "Every data center is at a level the target accepts",
            "すべてのデータセンターがターゲットの受け付ける互換レベル",
        ),
        blocks: &[Stage::ManagerUpgrade],
        fix: Text::new(
            "With the current Manager, raise its clusters first, then the data center: Compute › Data Centers › Edit › Compatibility Version.",
            "現在の Manager で、先にクラスター、次にデータセンターの互換バージョンを上げます: コンピュート › データセンター › 編集 › 互換バージョン。",
        ),
        check: data_centers_too_old,
    },
    Rule {
        id: "cluster.compat-too-old",
        severity: Severity::Fail,
        section: Section::Compatibility,
        scope: Scope::Cluster,
        title: Text::new(
            "Every cluster is at a level the target accepts",
            "すべてのクラスターがターゲットの受け付ける互換レベル",
        ),
        blocks: &[Stage::ManagerUpgrade],
        fix: Text::new(
            "With the current Manager, update the cluster's hosts, then Compute › Clusters › Edit › General › Compatibility Version, and restart the VMs it marks with a pending change.",
            "現在の Manager でクラスターのホストを更新してから、コンピュート › クラスター › 編集 › 一般 › 互換バージョンを変更し、変更保留の印が付いた仮想マシンを再起動します。",
        ),
        check: clusters_too_old,
    },
    Rule {
        id: "datacenter.compat-behind",
        severity: Severity::Info,
        section: Section::Compatibility,
        scope: Scope::DataCenter,
        title: Text::new(
            "Every data center is at the target's newest level",
            "すべてのデータセンターがターゲットの最新互換レベル",
        ),
        blocks: &[],
        fix: Text::new(
            "As the last step, once its clusters and VMs are raised: Compute › Data Centers › Edit › Compatibility Version.",
            "最後の手順として、クラスターと仮想マシンを上げた後に変更します: コンピュート › データセンター › 編集 › 互換バージョン。",
        ),
        check: data_centers_behind,
    },
    Rule {
        id: "cluster.compat-behind",
        severity: Severity::Info,
        section: Section::Compatibility,
        scope: Scope::Cluster,
        title: Text::new(
            "Every cluster is at the target's newest level",
            "すべてのクラスターがターゲットの最新互換レベル",
        ),
        blocks: &[],
        fix: Text::new(
            "After its hosts are upgraded: Compute › Clusters › Edit › Compatibility Version, then restart every running VM (search `next_run_config_exists=True`); the Manager VM needs no restart.",
            "ホストのアップグレード後に、コンピュート › クラスター › 編集 › 互換バージョンを変更し、実行中の仮想マシンをすべて再起動します (検索: `next_run_config_exists=True`)。Manager 用仮想マシンの再起動は不要です。",
        ),
        check: clusters_behind,
    },
    Rule {
        id: "cluster.virtio-nic-renaming",
        severity: Severity::Warn,
        section: Section::Compatibility,
        scope: Scope::Cluster,
        title: Text::new(
            "No cluster crosses level 4.6, where VirtIO NICs are renamed",
            "VirtIO NIC の名前が変わる互換レベル 4.6 をまたぐクラスターがない",
        ),
        blocks: &[Stage::ClusterLevel],
        fix: Text::new(
            "Before raising the cluster, set a test VM's custom compatibility version to 4.6 and check its network; if it breaks, give the VMs a custom emulated machine matching the current one (pc-q35-rhel8.3.0 for level 4.5).",
            "クラスターを上げる前に、テスト用仮想マシンのカスタム互換バージョンを 4.6 にしてネットワークを確認します。接続できない場合は、現在と同じカスタムエミュレートマシン (互換 4.5 なら pc-q35-rhel8.3.0) を仮想マシンに設定します。",
        ),
        check: virtio_nic_renaming,
    },
    Rule {
        id: "cluster.maintenance-policy-set",
        severity: Severity::Warn,
        section: Section::Compatibility,
        scope: Scope::Cluster,
        title: Text::new(
            "No cluster is left on the cluster_maintenance scheduling policy",
            "cluster_maintenance スケジューリングポリシーのままのクラスターがない",
        ),
        blocks: &[Stage::VmAvailability],
        fix: Text::new(
            "If no upgrade is running: Compute › Clusters › Edit › Scheduling Policy, and restore the policy it had before.",
            "アップグレードが実行中でなければ、コンピュート › クラスター › 編集 › スケジューリングポリシーで元のポリシーに戻します。",
        ),
        check: maintenance_policy_set,
    },
    Rule {
        id: "cluster.upgrade-running",
        severity: Severity::Warn,
        section: Section::Compatibility,
        scope: Scope::Cluster,
        title: Text::new(
            "No cluster has its upgrade flag set",
            "アップグレード中フラグが立ったクラスターがない",
        ),
        blocks: &[Stage::HostUpgrade],
        fix: Text::new(
            "Let the running cluster upgrade finish; if none runs, clear the flag: POST /ovirt-engine/api/clusters/{id}/upgrade with <upgrade_action>finish</upgrade_action>.",
            "実行中のクラスターアップグレードの完了を待ちます。実行中でなければ、POST /ovirt-engine/api/clusters/{id}/upgrade に <upgrade_action>finish</upgrade_action> を送ってフラグを解除します。",
        ),
        check: upgrade_running,
    },
    Rule {
        id: "datacenter.not-up",
        severity: Severity::Warn,
        section: Section::Compatibility,
        scope: Scope::DataCenter,
        title: Text::new(
            "Every data center with hosts is up",
            "ホストのあるすべてのデータセンターが稼働中",
        ),
        blocks: &[Stage::HostUpgrade, Stage::DataCenterLevel],
        fix: Text::new(
            "Look at the data center's storage domains and hosts in Compute › Data Centers and the events, and bring its master storage domain up.",
            "コンピュート › データセンターとイベントでストレージドメインとホストを確認し、マスターストレージドメインを稼働させます。",
        ),
        check: data_centers_not_up,
    },
    Rule {
        id: "datacenter.local-storage",
        severity: Severity::Info,
        section: Section::Compatibility,
        scope: Scope::DataCenter,
        title: Text::new(
            "No data center uses local storage",
            "ローカルストレージのデータセンターがない",
        ),
        blocks: &[Stage::VmAvailability],
        fix: Text::new(
            "Plan the VMs' downtime. For 4.4, follow the guide's \"Upgrading RHVH while preserving local storage\": domain to maintenance, reinstall without touching the data disk, then import the old domain.",
            "仮想マシンの停止時間を計画します。4.4 へはガイドの「ローカルストレージを保持した状態での RHVH のアップグレード」に従い、ドメインをメンテナンスにし、データディスクに触れずに再インストールしてから古いドメインをインポートします。",
        ),
        check: local_storage,
    },
    Rule {
        id: "spm.none",
        severity: Severity::Fail,
        section: Section::Compatibility,
        scope: Scope::DataCenter,
        title: Text::new(
            "Every data center with an active host has an SPM",
            "稼働中のホストがあるすべてのデータセンターに SPM がある",
        ),
        blocks: &[Stage::HostUpgrade, Stage::DataCenterLevel],
        fix: Text::new(
            "Check the master storage domain and the events; choose an SPM by hand with Compute › Hosts › Management › Select as SPM.",
            "マスターストレージドメインとイベントを確認し、コンピュート › ホスト › 管理 › SPM として選択 で SPM を選びます。",
        ),
        check: no_spm,
    },
    Rule {
        id: "spm.contending",
        severity: Severity::Warn,
        section: Section::Compatibility,
        scope: Scope::Host,
        title: Text::new(
            "No host is contending for the SPM role",
            "SPM を争っているホストがない",
        ),
        blocks: &[Stage::HostUpgrade],
        fix: Text::new(
            "Wait for the election to settle and look at the events; the engine refuses maintenance while it lasts.",
            "選出が落ち着くのを待ち、イベントを確認します。その間はメンテナンスが拒否されます。",
        ),
        check: spm_contending,
    },
    Rule {
        id: "spm.single-candidate",
        severity: Severity::Warn,
        section: Section::Compatibility,
        scope: Scope::DataCenter,
        title: Text::new(
            "Every shared-storage data center has a second host for the SPM role",
            "共有ストレージのすべてのデータセンターに SPM を引き継げる 2 台目のホストがある",
        ),
        blocks: &[Stage::HostUpgrade],
        fix: Text::new(
            "Add or activate a second host in the data center before the window, or accept that storage operations stop while its only host is upgraded.",
            "作業前にデータセンターに 2 台目のホストを追加またはアクティブにするか、唯一のホストのアップグレード中はストレージ操作が止まることを受け入れます。",
        ),
        check: spm_single_candidate,
    },
];

fn accepted(f: &Facts) -> String {
    level_span(f.target_levels)
}

fn data_centers_too_old(f: &Facts) -> Outcome {
    let Some(&oldest) = f.target_levels.first() else {
        return Outcome::pass();
    };
    let evidence = f
        .inventory
        .data_centers
        .iter()
        .filter(|dc| dc.version < oldest)
        .map(|dc| data_center_evidence(dc, Text::same(format!("{} < {oldest}", dc.version))))
        .collect();
    let (target, levels) = (f.target, accepted(f));
    Outcome::one_if_any(evidence, |n| {
        Text::owned(
            format!("{n} data center(s) are below the levels Manager {target} accepts ({levels}): engine-setup stops on them"),
            format!("{n} 個のデータセンターが Manager {target} の受け付ける互換レベル ({levels}) より低く、engine-setup が停止します"),
        )
    })
}

fn clusters_too_old(f: &Facts) -> Outcome {
    let Some(&oldest) = f.target_levels.first() else {
        return Outcome::pass();
    };
    let evidence = f
        .inventory
        .clusters
        .iter()
        .filter(|c| c.version < oldest)
        .map(|c| cluster_evidence(c, Text::same(format!("{} < {oldest}", c.version))))
        .collect();
    let (target, levels) = (f.target, accepted(f));
    Outcome::one_if_any(evidence, |n| {
        Text::owned(
            format!("{n} cluster(s) are below the levels Manager {target} accepts ({levels}): engine-setup stops on them"),
            format!("{n} 個のクラスターが Manager {target} の受け付ける互換レベル ({levels}) より低く、engine-setup が停止します"),
        )
    })
}

fn data_centers_behind(f: &Facts) -> Outcome {
    let (Some(&oldest), Some(newest)) = (f.target_levels.first(), f.newest_target_level()) else {
        return Outcome::pass();
    };
    let evidence = f
        .inventory
        .data_centers
        .iter()
        .filter(|dc| dc.version >= oldest && dc.version < newest)
        .map(|dc| data_center_evidence(dc, Text::same(format!("{} → {newest}", dc.version))))
        .collect();
    Outcome::one_if_any(evidence, |n| {
        Text::owned(
            format!("{n} data center(s) can be raised to {newest} once their clusters are"),
            format!("{n} 個のデータセンターは、クラスターを上げた後に {newest} へ上げられます"),
        )
    })
}

fn clusters_behind(f: &Facts) -> Outcome {
    let (Some(&oldest), Some(newest)) = (f.target_levels.first(), f.newest_target_level()) else {
        return Outcome::pass();
    };
    let mut restarts = 0;
    let evidence = f
        .inventory
        .clusters
        .iter()
        .filter(|c| c.version >= oldest && c.version < newest)
        .map(|c| {
            let running = f
                .hosts_in_cluster(c.id)
                .iter()
                .flat_map(|h| f.running_on(h.id))
                .filter(|vm| !vm.hosted_engine)
                .count();
            restarts += running;
            cluster_evidence(
                c,
                Text::owned(
                    format!(
                        "{} → {newest}, {running} running VM(s) to restart",
                        c.version
                    ),
                    format!(
                        "{} → {newest}、再起動する実行中の仮想マシン {running} 台",
                        c.version
                    ),
                ),
            )
        })
        .collect();
    Outcome::one_if_any(evidence, |n| {
        Text::owned(
            format!("{n} cluster(s) can be raised to {newest} after their hosts are upgraded; {restarts} running VM(s) then need a restart to take the new level: plan that downtime"),
            format!("{n} 個のクラスターはホストのアップグレード後に {newest} へ上げられます。その後、実行中の仮想マシン {restarts} 台の再起動が必要なので、停止時間を計画してください"),
        )
    })
}

fn virtio_nic_renaming(f: &Facts) -> Outcome {
    if !f.target_accepts(NIC_RENAMING_LEVEL) {
        return Outcome::skip(Text::new(
            "the target does not offer level 4.6",
            "ターゲットは互換レベル 4.6 を提供しません",
        ));
    }
    let evidence = f
        .inventory
        .clusters
        .iter()
        .filter(|c| c.version < NIC_RENAMING_LEVEL)
        .map(|c| {
            cluster_evidence(
                c,
                Text::same(format!("{} → {NIC_RENAMING_LEVEL}+", c.version)),
            )
        })
        .collect();
    Outcome::one_if_any(evidence, |n| {
        Text::owned(
            format!("{n} cluster(s) would cross level 4.6: their VMs' VirtIO NICs then appear as different devices and may need their network configured again"),
            format!("{n} 個のクラスターが互換レベル 4.6 をまたぎます。仮想マシンの VirtIO NIC が別のデバイスとして認識され、ネットワークの再設定が必要になる場合があります"),
        )
    })
}

fn maintenance_policy_set(f: &Facts) -> Outcome {
    let evidence = f
        .inventory
        .clusters
        .iter()
        .filter(|c| c.scheduling_policy == SchedulingPolicy::ClusterMaintenance)
        .map(|c| cluster_evidence(c, Text::same("cluster_maintenance")))
        .collect();
    Outcome::one_if_any(evidence, |n| {
        Text::owned(
            format!("{n} cluster(s) use the cluster_maintenance policy, which starts no VM but highly available ones: maybe left over from an interrupted upgrade"),
            format!("{n} 個のクラスターが cluster_maintenance ポリシーで、高可用性以外の仮想マシンを起動できません。中断したアップグレードの名残の可能性があります"),
        )
    })
}

fn upgrade_running(f: &Facts) -> Outcome {
    let evidence = f
        .inventory
        .clusters
        .iter()
        .filter(|c| c.upgrade_running)
        .map(|c| cluster_evidence(c, Text::owned("upgrade in progress", "アップグレード中")))
        .collect();
    Outcome::one_if_any(evidence, |n| {
        Text::owned(
            format!("{n} cluster(s) are marked as being upgraded: another upgrade runs, or one was interrupted"),
            format!("{n} 個のクラスターがアップグレード中とされています。別のアップグレードが実行中か、中断されています"),
        )
    })
}

fn data_centers_not_up(f: &Facts) -> Outcome {
    let evidence = f
        .inventory
        .data_centers
        .iter()
        .filter(|dc| dc.status != DataCenterStatus::Up && !f.hosts_in_data_center(dc.id).is_empty())
        .map(|dc| data_center_evidence(dc, Text::same(dc.status.to_string())))
        .collect();
    Outcome::one_if_any(evidence, |n| {
        Text::owned(
            format!("{n} data center(s) with hosts are not up: their storage is not fully usable"),
            format!("ホストのある {n} 個のデータセンターが稼働中ではなく、ストレージを完全には使えません"),
        )
    })
}

fn local_storage(f: &Facts) -> Outcome {
    let evidence = f
        .inventory
        .data_centers
        .iter()
        .filter(|dc| dc.storage == StorageKind::Local)
        .map(|dc| {
            let hosts: Vec<&str> = f
                .hosts_in_data_center(dc.id)
                .iter()
                .map(|h| h.name.as_str())
                .collect();
            data_center_evidence(dc, Text::same(hosts.join(", ")))
        })
        .collect();
    let (en, ja) = if f.enters(Level::new(4, 4)) {
        (
            "; for 4.4 the host is reinstalled keeping its local disk, and the old domain is imported again",
            "。4.4 へはローカルディスクを保持したままホストを再インストールし、古いドメインをインポートし直します",
        )
    } else {
        ("", "")
    };
    Outcome::one_if_any(evidence, |n| {
        Text::owned(
            format!("{n} data center(s) keep VMs on local storage: they cannot move to another host and stop while their host is upgraded{en}"),
            format!("{n} 個のデータセンターがローカルストレージに仮想マシンを置いています。別のホストへ移行できず、ホストのアップグレード中は停止します{ja}"),
        )
    })
}

fn no_spm(f: &Facts) -> Outcome {
    let evidence = f
        .inventory
        .data_centers
        .iter()
        .filter(|dc| {
            let hosts = f.hosts_in_data_center(dc.id);
            hosts.iter().any(|h| h.status == HostStatus::Up)
                && hosts.iter().all(|h| h.spm == SpmStatus::None)
        })
        .map(|dc| data_center_evidence(dc, Text::owned("no SPM", "SPM なし")))
        .collect();
    Outcome::one_if_any(evidence, |n| {
        Text::owned(
            format!("{n} data center(s) have active hosts but no Storage Pool Manager: no disk, snapshot or storage change can run there"),
            format!("{n} 個のデータセンターに稼働中のホストがあるのに SPM がなく、ディスク、スナップショット、ストレージの変更ができません"),
        )
    })
}

fn spm_contending(f: &Facts) -> Outcome {
    let evidence = f
        .inventory
        .hosts
        .iter()
        .filter(|h| h.spm == SpmStatus::Contending)
        .map(|h| host_evidence(h, Text::same("contending")))
        .collect();
    Outcome::one_if_any(evidence, |n| {
        Text::owned(
            format!("{n} host(s) are contending for the SPM role"),
            format!("{n} 台のホストが SPM を争っています"),
        )
    })
}

fn spm_single_candidate(f: &Facts) -> Outcome {
    let evidence = f
        .inventory
        .data_centers
        .iter()
        .filter(|dc| dc.storage == StorageKind::Shared)
        .filter_map(|dc| {
            let up: Vec<_> = f
                .hosts_in_data_center(dc.id)
                .iter()
                .filter(|h| h.status == HostStatus::Up)
                .collect();
            match up.as_slice() {
                [only] => Some(data_center_evidence(
                    dc,
                    Text::owned(
                        format!("only up host: {}", only.name),
                        format!("稼働中の唯一のホスト: {}", only.name),
                    ),
                )),
                _ => None,
            }
        })
        .collect();
    Outcome::one_if_any(evidence, |n| {
        Text::owned(
            format!("{n} shared-storage data center(s) have a single active host: while it is upgraded no host can be SPM"),
            format!("{n} 個の共有ストレージのデータセンターで稼働中のホストが 1 台だけです。そのアップグレード中は SPM になれるホストがありません"),
        )
    })
}

#[cfg(test)]
mod tests {
    use model::{DataCenterStatus, HostStatus, Level, SchedulingPolicy, SpmStatus, StorageKind};

    use crate::testing::*;

    #[test]
    fn levels_below_what_the_target_accepts_fail() {
        let mut inventory = clean_43();
        inventory.data_centers[0].version = Level::new(4, 1);
        inventory.clusters[0].version = Level::new(4, 1);
        assert_fires("datacenter.compat-too-old", &inventory, Some("4.4.10"));
        assert_fires("cluster.compat-too-old", &inventory, Some("4.4.10"));
        // 4.3 still accepts 4.1.
        assert_quiet("datacenter.compat-too-old", &inventory, Some("4.3.11"));
        assert_quiet("cluster.compat-too-old", &inventory, Some("4.3.11"));
        assert_quiet("datacenter.compat-too-old", &clean_43(), Some("4.4.10"));
        assert_quiet("cluster.compat-too-old", &clean_43(), Some("4.4.10"));
    }

    #[test]
    fn levels_behind_the_newest_are_worth_knowing_with_the_restarts() {
        let findings = assert_fires("cluster.compat-behind", &clean_43(), Some("4.4.10"));
        assert!(
            findings[0].message.en.contains("6 running VM(s)"),
            "{findings:?}"
        );
        assert_fires("datacenter.compat-behind", &clean_43(), Some("4.4.10"));
        assert_quiet("cluster.compat-behind", &clean(), None);
        assert_quiet("datacenter.compat-behind", &clean(), None);
    }

    #[test]
    fn crossing_level_4_6_warns_about_nic_names() {
        assert_fires("cluster.virtio-nic-renaming", &clean_43(), Some("4.4.10"));
        assert_skipped("cluster.virtio-nic-renaming", &clean_43(), Some("4.3.11"));
        assert_quiet("cluster.virtio-nic-renaming", &clean_44(), Some("4.4.10"));
    }

    #[test]
    fn leftovers_of_an_interrupted_upgrade() {
        let mut inventory = clean();
        inventory.clusters[0].scheduling_policy = SchedulingPolicy::ClusterMaintenance;
        inventory.clusters[0].upgrade_running = true;
        assert_fires("cluster.maintenance-policy-set", &inventory, None);
        assert_fires("cluster.upgrade-running", &inventory, None);
        assert_quiet("cluster.maintenance-policy-set", &clean(), None);
        assert_quiet("cluster.upgrade-running", &clean(), None);
    }

    #[test]
    fn data_center_state_and_storage_kind() {
        let mut inventory = clean();
        inventory.data_centers[0].status = DataCenterStatus::NotOperational;
        assert_fires("datacenter.not-up", &inventory, None);
        assert_quiet("datacenter.not-up", &clean(), None);

        let mut local = clean_43();
        local.data_centers[0].storage = StorageKind::Local;
        let findings = assert_fires("datacenter.local-storage", &local, Some("4.4.10"));
        assert!(findings[0].message.en.contains("reinstalled"));
        assert_quiet("datacenter.local-storage", &clean_43(), Some("4.4.10"));
        // A local data center has one host by design; the SPM rule leaves it alone.
        local.hosts.truncate(1);
        assert_quiet("spm.single-candidate", &local, Some("4.4.10"));
    }

    #[test]
    fn the_storage_pool_manager() {
        let mut inventory = clean();
        for host in &mut inventory.hosts {
            host.spm = SpmStatus::None;
        }
        assert_fires("spm.none", &inventory, None);
        assert_quiet("spm.none", &clean(), None);

        inventory.hosts[1].spm = SpmStatus::Contending;
        assert_fires("spm.contending", &inventory, None);
        assert_quiet("spm.none", &inventory, None);
        assert_quiet("spm.contending", &clean(), None);

        let mut single = clean();
        for host in single.hosts.iter_mut().skip(1) {
            host.status = HostStatus::Maintenance;
        }
        assert_fires("spm.single-candidate", &single, None);
        assert_quiet("spm.single-candidate", &clean(), None);
    }
}
