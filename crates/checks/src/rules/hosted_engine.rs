//! The self-hosted engine: the Manager VM, the hosts that may run it, their HA scores and
//! global maintenance, which engine-setup insists on.

use model::{Host, HostStatus, Level, Text, FULL_HOSTED_ENGINE_SCORE};

use super::{host_evidence, manager_evidence, vm_evidence};
use crate::facts::{can_run_engine_vm, gib, Facts};
use crate::rule::*;

const STANDALONE: Text = Text::new(
    "the Manager is standalone, not a self-hosted engine",
    "Manager はスタンドアロンで、セルフホストエンジンではありません",
);

pub(super) const RULES: &[Rule] = &[
    Rule {
        id: "he.engine-vm-missing",
        severity: Severity::Warn,
        section: Section::HostedEngine,
        scope: Scope::HostedEngine,
        title: Text::new(
            "The inventory shows the self-hosted engine's Manager VM",
            "インベントリーにセルフホストエンジンの Manager 用仮想マシンがある",
        ),
        blocks: &[],
        fix: Text::new(
            "Check `hosted-engine --vm-status` on a hosted-engine host, and take the inventory again with the HostedEngine VM in it.",
            "セルフホストエンジンホストで `hosted-engine --vm-status` を確認し、HostedEngine 仮想マシンを含めてインベントリーを取り直します。",
        ),
        check: engine_vm_missing,
    },
    Rule {
        id: "he.global-maintenance-required",
        severity: Severity::Info,
        section: Section::HostedEngine,
        scope: Scope::HostedEngine,
        title: Text::new(
            "Global maintenance is on when engine-setup runs",
            "engine-setup の実行時にグローバルメンテナンスモードである",
        ),
        blocks: &[Stage::ManagerUpgrade],
        fix: Text::new(
            "At the start of the window, on a hosted-engine host: `hosted-engine --set-maintenance --mode=global`, then confirm with `hosted-engine --vm-status`.",
            "作業開始時にセルフホストエンジンホストで `hosted-engine --set-maintenance --mode=global` を実行し、`hosted-engine --vm-status` で確認します。",
        ),
        check: global_maintenance_required,
    },
    Rule {
        id: "he.global-maintenance-on",
        severity: Severity::Warn,
        section: Section::HostedEngine,
        scope: Scope::HostedEngine,
        title: Text::new(
            "Global maintenance is off outside the window",
            "作業時間外はグローバルメンテナンスモードが無効",
        ),
        blocks: &[Stage::VmAvailability],
        fix: Text::new(
            "If no Manager work is going on: `hosted-engine --set-maintenance --mode=none` on a hosted-engine host.",
            "Manager の作業中でなければ、セルフホストエンジンホストで `hosted-engine --set-maintenance --mode=none` を実行します。",
        ),
        check: global_maintenance_on,
    },
    Rule {
        id: "he.maintenance-disagrees",
        severity: Severity::Warn,
        section: Section::HostedEngine,
        scope: Scope::HostedEngine,
        title: Text::new(
            "Hosted-engine hosts agree on global maintenance",
            "セルフホストエンジンホストのグローバルメンテナンス状態が一致している",
        ),
        blocks: &[Stage::ManagerUpgrade],
        fix: Text::new(
            "Compare `hosted-engine --vm-status` on each host; a host still attached to an old hosted-engine storage domain keeps the old state until that domain is detached.",
            "各ホストで `hosted-engine --vm-status` を比較します。古いセルフホストエンジン用ストレージドメインに接続したままのホストは、そのドメインをデタッチするまで古い状態を報告します。",
        ),
        check: maintenance_disagrees,
    },
    Rule {
        id: "he.score-degraded",
        severity: Severity::Warn,
        section: Section::HostedEngine,
        scope: Scope::Host,
        title: Text::new(
            "Every active hosted-engine host has the full HA score (3400)",
            "稼働中のすべてのセルフホストエンジンホストの HA スコアが満点 (3400)",
        ),
        blocks: &[Stage::HostUpgrade],
        fix: Text::new(
            "Read `hosted-engine --vm-status` and /var/log/ovirt-hosted-engine-ha/agent.log on the host: the score drops when a check of network, storage, memory or CPU load fails.",
            "ホストで `hosted-engine --vm-status` と /var/log/ovirt-hosted-engine-ha/agent.log を確認します。ネットワーク、ストレージ、メモリー、CPU 負荷のチェックに失敗するとスコアが下がります。",
        ),
        check: score_degraded,
    },
    Rule {
        id: "he.local-maintenance",
        severity: Severity::Warn,
        section: Section::HostedEngine,
        scope: Scope::Host,
        title: Text::new(
            "No hosted-engine host is left in local maintenance",
            "ローカルメンテナンスのままのセルフホストエンジンホストがない",
        ),
        blocks: &[Stage::HostUpgrade],
        fix: Text::new(
            "Activate the host (Compute › Hosts › Management › Activate) or run `hosted-engine --set-maintenance --mode=none` on it.",
            "ホストをアクティブにする (コンピュート › ホスト › 管理 › アクティブ化) か、そのホストで `hosted-engine --set-maintenance --mode=none` を実行します。",
        ),
        check: local_maintenance,
    },
    Rule {
        id: "he.no-spare-host",
        severity: Severity::Fail,
        section: Section::HostedEngine,
        scope: Scope::HostedEngine,
        title: Text::new(
            "A second hosted-engine host can take the Manager VM",
            "Manager 用仮想マシンを引き受けられる 2 台目のセルフホストエンジンホストがある",
        ),
        blocks: &[Stage::HostUpgrade],
        fix: Text::new(
            "Make another host of the Manager VM's cluster a hosted-engine host: Compute › Hosts › Edit (or Reinstall) › Hosted Engine › Deploy.",
            "Manager 用仮想マシンのクラスターの別のホストをセルフホストエンジンホストにします: コンピュート › ホスト › 編集 (または再インストール) › Hosted Engine › デプロイ。",
        ),
        check: no_spare_host,
    },
    Rule {
        id: "he.new-storage-domain",
        severity: Severity::Info,
        section: Section::HostedEngine,
        scope: Scope::HostedEngine,
        title: Text::new(
            "No new storage domain is needed for the Manager VM",
            "Manager 用仮想マシンに新しいストレージドメインが不要",
        ),
        blocks: &[Stage::ManagerUpgrade],
        fix: Text::new(
            "Prepare a new NFS export, iSCSI or FC LUN, or gluster volume for `hosted-engine --deploy --restore-from-file`; note the Manager VM's MAC address if it gets its address by DHCP; detach the old domain afterwards.",
            "`hosted-engine --deploy --restore-from-file` 用に新しい NFS エクスポート、iSCSI/FC LUN、または Gluster ボリュームを用意します。DHCP を使う場合は Manager 用仮想マシンの MAC アドレスを控え、作業後に古いドメインをデタッチします。",
        ),
        check: new_storage_domain,
    },
    Rule {
        id: "he.engine-host-vms",
        severity: Severity::Info,
        section: Section::HostedEngine,
        scope: Scope::Vm,
        title: Text::new(
            "Only the Manager VM runs on its host before the move to 4.4",
            "4.4 への移行前に Manager 用仮想マシンのホストでは Manager 用仮想マシンだけが動作している",
        ),
        blocks: &[Stage::ManagerUpgrade],
        fix: Text::new(
            "Migrate them to other hosts of the cluster (Compute › Virtual Machines › Migrate) before the window.",
            "作業前にクラスター内の別のホストへ移行します (コンピュート › 仮想マシン › 移行)。",
        ),
        check: engine_host_vms,
    },
];

fn hosted_engine_hosts<'a>(f: &Facts<'a>) -> impl Iterator<Item = &'a Host> {
    f.inventory
        .hosts
        .iter()
        .filter(|h| h.hosted_engine.is_some_and(|he| he.configured))
}

fn engine_vm_missing(f: &Facts) -> Outcome {
    if !f.self_hosted() {
        return Outcome::skip(STANDALONE);
    }
    if f.engine_vm.is_some() {
        return Outcome::pass();
    }
    Outcome::Found(vec![Finding::new(
        Text::owned(
            "The deployment is self-hosted but no VM is marked as the Manager VM: evacuation checks cannot keep it on hosted-engine hosts",
            "セルフホスト構成ですが、Manager 用仮想マシンとされた仮想マシンがありません。退避チェックでセルフホストエンジンホストへの配置を考慮できません",
        ),
        vec![manager_evidence(f, Text::owned("no HostedEngine VM", "HostedEngine 仮想マシンなし"))],
    )])
}

fn global_maintenance_required(f: &Facts) -> Outcome {
    if !f.self_hosted() {
        return Outcome::skip(STANDALONE);
    }
    if f.current == f.target {
        return Outcome::skip(Text::new(
            "the Manager is already at the target: engine-setup does not run",
            "Manager はすでにターゲットのバージョンで、engine-setup は実行しません",
        ));
    }
    if hosted_engine_hosts(f).any(|h| h.hosted_engine.is_some_and(|he| he.global_maintenance)) {
        return Outcome::pass();
    }
    Outcome::Found(vec![Finding::new(
        Text::owned(
            "engine-setup refuses to run on a self-hosted engine outside global maintenance: switch it on at the start of the window",
            "セルフホストエンジンでは、グローバルメンテナンスモードでないと engine-setup が実行を拒否します。作業開始時に有効にしてください",
        ),
        vec![manager_evidence(f, Text::owned("global maintenance: off", "グローバルメンテナンス: 無効"))],
    )])
}

fn global_maintenance_on(f: &Facts) -> Outcome {
    if !f.self_hosted() {
        return Outcome::skip(STANDALONE);
    }
    let evidence = hosted_engine_hosts(f)
        .filter(|h| h.hosted_engine.is_some_and(|he| he.global_maintenance))
        .map(|h| {
            host_evidence(
                h,
                Text::owned("reports global maintenance", "グローバルメンテナンスを報告"),
            )
        })
        .collect();
    Outcome::one_if_any(evidence, |_| {
        Text::owned(
            "Global maintenance is already on: while it lasts the HA agents do not restart the Manager VM if it or its host fails",
            "すでにグローバルメンテナンスモードです。この間は Manager 用仮想マシンやそのホストが停止しても HA エージェントが再起動しません",
        )
    })
}

fn maintenance_disagrees(f: &Facts) -> Outcome {
    if !f.self_hosted() {
        return Outcome::skip(STANDALONE);
    }
    let up: Vec<&Host> = hosted_engine_hosts(f)
        .filter(|h| h.status == HostStatus::Up)
        .collect();
    let global = |h: &&Host| h.hosted_engine.is_some_and(|he| he.global_maintenance);
    if up.iter().all(global) || !up.iter().any(global) {
        return Outcome::pass();
    }
    let evidence = up
        .iter()
        .map(|h| {
            let detail = if global(h) {
                Text::owned("global maintenance: on", "グローバルメンテナンス: 有効")
            } else {
                Text::owned("global maintenance: off", "グローバルメンテナンス: 無効")
            };
            host_evidence(h, detail)
        })
        .collect();
    Outcome::one_if_any(evidence, |_| {
        Text::owned(
            "Hosted-engine hosts disagree about global maintenance",
            "セルフホストエンジンホストの間でグローバルメンテナンスの状態が食い違っています",
        )
    })
}

fn score_degraded(f: &Facts) -> Outcome {
    if !f.self_hosted() {
        return Outcome::skip(STANDALONE);
    }
    let evidence = hosted_engine_hosts(f)
        .filter(|h| h.status == HostStatus::Up)
        .filter_map(|h| {
            let he = h.hosted_engine?;
            (!he.local_maintenance && he.score < FULL_HOSTED_ENGINE_SCORE).then(|| {
                host_evidence(
                    h,
                    Text::owned(
                        format!("score {} of {FULL_HOSTED_ENGINE_SCORE}", he.score),
                        format!("スコア {} / {FULL_HOSTED_ENGINE_SCORE}", he.score),
                    ),
                )
            })
        })
        .collect();
    Outcome::one_if_any(evidence, |n| {
        Text::owned(
            format!("{n} hosted-engine host(s) have a lowered HA score: the agents prefer other hosts for the Manager VM, and at 0 a host cannot run it"),
            format!("{n} 台のセルフホストエンジンホストの HA スコアが下がっています。Manager 用仮想マシンは他のホストが優先され、0 のホストでは実行できません"),
        )
    })
}

fn local_maintenance(f: &Facts) -> Outcome {
    if !f.self_hosted() {
        return Outcome::skip(STANDALONE);
    }
    let evidence = hosted_engine_hosts(f)
        .filter(|h| h.hosted_engine.is_some_and(|he| he.local_maintenance))
        .map(|h| host_evidence(h, Text::owned("local maintenance", "ローカルメンテナンス")))
        .collect();
    Outcome::one_if_any(evidence, |n| {
        Text::owned(
            format!("{n} hosted-engine host(s) are in local maintenance and cannot take the Manager VM"),
            format!("{n} 台のセルフホストエンジンホストがローカルメンテナンス中で、Manager 用仮想マシンを引き受けられません"),
        )
    })
}

fn no_spare_host(f: &Facts) -> Outcome {
    if !f.self_hosted() {
        return Outcome::skip(STANDALONE);
    }
    // The Manager VM only migrates between hosted-engine hosts of its own cluster.
    let cluster = f.engine_vm.map(|vm| vm.cluster);
    let candidates: Vec<&Host> = hosted_engine_hosts(f)
        .filter(|h| cluster.is_none_or(|c| h.cluster == c))
        .collect();
    let able = candidates.iter().filter(|h| can_run_engine_vm(h)).count();
    if able >= 2 {
        return Outcome::pass();
    }
    let mut evidence: Vec<Evidence> = candidates
        .iter()
        .map(|h| {
            let score = h.hosted_engine.map_or(0, |he| he.score);
            let detail = if can_run_engine_vm(h) {
                Text::owned(
                    format!("can run it (score {score})"),
                    format!("実行可能 (スコア {score})"),
                )
            } else {
                Text::owned(
                    format!("cannot run it ({}, score {score})", h.status),
                    format!("実行不可 ({}、スコア {score})", h.status),
                )
            };
            host_evidence(h, detail)
        })
        .collect();
    if evidence.is_empty() {
        evidence.push(manager_evidence(
            f,
            Text::owned("no hosted-engine host", "セルフホストエンジンホストなし"),
        ));
    }
    Outcome::one_if_any(evidence, |_| {
        Text::owned(
            format!("Only {able} hosted-engine host(s) can run the Manager VM: the host running it cannot enter maintenance, because the engine needs another one to move it to"),
            format!("Manager 用仮想マシンを実行できるセルフホストエンジンホストが {able} 台しかありません。移行先がないため、実行中のホストをメンテナンスにできません"),
        )
    })
}

fn new_storage_domain(f: &Facts) -> Outcome {
    if !f.self_hosted() {
        return Outcome::skip(STANDALONE);
    }
    if !f.enters(Level::new(4, 4)) {
        return Outcome::pass();
    }
    let evidence = f
        .inventory
        .storage_domains
        .iter()
        .filter(|sd| sd.hosted_engine)
        .map(|sd| {
            Evidence::new(
                Scope::StorageDomain,
                &sd.name,
                Some(sd.id.0),
                Text::owned(
                    "holds the 4.3 Manager VM",
                    "4.3 の Manager 用仮想マシンを格納",
                ),
            )
        })
        .collect::<Vec<_>>();
    let evidence = if evidence.is_empty() {
        vec![manager_evidence(
            f,
            Text::owned("self-hosted", "セルフホスト"),
        )]
    } else {
        evidence
    };
    Outcome::one_if_any(evidence, |_| {
        Text::owned(
            "The 4.4 Manager VM is deployed onto a new storage domain; the old hosted-engine domain is detached afterwards",
            "4.4 の Manager 用仮想マシンは新しいストレージドメインにデプロイし、古いセルフホストエンジン用ドメインは後でデタッチします",
        )
    })
}

fn engine_host_vms(f: &Facts) -> Outcome {
    if !f.self_hosted() {
        return Outcome::skip(STANDALONE);
    }
    if !f.enters(Level::new(4, 4)) {
        return Outcome::skip(Text::new(
            "the route does not redeploy the Manager VM",
            "この経路では Manager 用仮想マシンを再デプロイしません",
        ));
    }
    let Some(host) = f.engine_vm.and_then(|vm| vm.host) else {
        return Outcome::pass();
    };
    let host_name = f.host_name(Some(host));
    let evidence = f
        .running_on(host)
        .iter()
        .filter(|vm| !vm.hosted_engine)
        .map(|vm| vm_evidence(vm, Text::same(format!("{host_name}, {}", gib(vm.memory)))))
        .collect();
    Outcome::one_if_any(evidence, |n| {
        Text::owned(
            format!("{n} VM(s) share the host {host_name} with the Manager VM: that host is reinstalled first, so move them away"),
            format!("{n} 台の仮想マシンが Manager 用仮想マシンとホスト {host_name} を共有しています。このホストは最初に再インストールされるため、移行してください"),
        )
    })
}

#[cfg(test)]
mod tests {
    use model::{HostStatus, Level};

    use crate::testing::*;

    fn he_host_mut(inventory: &mut model::Inventory, n: usize) -> &mut model::HostedEngineState {
        inventory
            .hosts
            .iter_mut()
            .filter_map(|h| h.hosted_engine.as_mut())
            .nth(n)
            .unwrap()
    }

    #[test]
    fn standalone_managers_skip_every_hosted_engine_rule() {
        for rule in crate::rules::catalogue().filter(|r| r.id.starts_with("he.")) {
            assert_skipped(rule.id, &clean(), None);
        }
    }

    #[test]
    fn the_manager_vm_must_be_in_the_inventory() {
        let mut inventory = clean_self_hosted();
        inventory.vms.retain(|vm| !vm.hosted_engine);
        assert_fires("he.engine-vm-missing", &inventory, None);
        assert_quiet("he.engine-vm-missing", &clean_self_hosted(), None);
    }

    #[test]
    fn engine_setup_needs_global_maintenance_and_outside_the_window_it_should_be_off() {
        let mut inventory = clean_self_hosted();
        inventory.manager.version = v("4.5.4");
        assert_fires("he.global-maintenance-required", &inventory, None);
        assert_skipped("he.global-maintenance-required", &clean_self_hosted(), None);
        assert_quiet("he.global-maintenance-on", &inventory, None);

        for n in 0..3 {
            he_host_mut(&mut inventory, n).global_maintenance = true;
        }
        assert_quiet("he.global-maintenance-required", &inventory, None);
        assert_fires("he.global-maintenance-on", &inventory, None);
        assert_quiet("he.maintenance-disagrees", &inventory, None);

        he_host_mut(&mut inventory, 2).global_maintenance = false;
        let findings = assert_fires("he.maintenance-disagrees", &inventory, None);
        assert_eq!(findings[0].evidence.len(), 3);
        assert_quiet("he.maintenance-disagrees", &clean_self_hosted(), None);
    }

    #[test]
    fn scores_and_local_maintenance() {
        let mut inventory = clean_self_hosted();
        he_host_mut(&mut inventory, 1).score = 1800;
        he_host_mut(&mut inventory, 2).local_maintenance = true;
        let findings = assert_fires("he.score-degraded", &inventory, None);
        assert!(findings[0].evidence[0].detail.en.contains("1800"));
        assert_eq!(
            evidence_names(&assert_fires("he.local-maintenance", &inventory, None)).len(),
            1
        );
        assert_quiet("he.score-degraded", &clean_self_hosted(), None);
        assert_quiet("he.local-maintenance", &clean_self_hosted(), None);
    }

    #[test]
    fn the_manager_vm_needs_a_second_able_host() {
        let mut inventory = clean_self_hosted();
        he_host_mut(&mut inventory, 1).score = 0;
        assert_quiet("he.no-spare-host", &inventory, None);
        let third = inventory
            .hosts
            .iter_mut()
            .filter(|h| h.hosted_engine.is_some())
            .nth(2)
            .unwrap();
        third.status = HostStatus::NonResponsive;
        let findings = assert_fires("he.no-spare-host", &inventory, None);
        assert_eq!(findings[0].evidence.len(), 3);
        assert_quiet("he.no-spare-host", &clean_self_hosted(), None);
    }

    fn self_hosted_43() -> model::Inventory {
        let mut inventory = clean_self_hosted();
        inventory.manager.version = v("4.3.11");
        inventory.manager.os = "el7.9".parse().unwrap();
        for dc in &mut inventory.data_centers {
            dc.version = Level::new(4, 3);
        }
        for cluster in &mut inventory.clusters {
            cluster.version = Level::new(4, 3);
        }
        inventory
    }

    #[test]
    fn moving_a_self_hosted_engine_to_4_4() {
        let inventory = self_hosted_43();
        assert_fires("he.new-storage-domain", &inventory, Some("4.4.10"));
        assert_quiet("he.new-storage-domain", &inventory, Some("4.3.11"));

        // The clean scenario places two ordinary VMs beside the Manager VM on its host.
        let findings = assert_fires("he.engine-host-vms", &inventory, Some("4.4.10"));
        assert!(!evidence_names(&findings).contains(&"HostedEngine"));
        assert_skipped("he.engine-host-vms", &inventory, Some("4.3.11"));
        let mut alone = self_hosted_43();
        let engine_host = alone.vms.iter().find(|vm| vm.hosted_engine).unwrap().host;
        let other = alone
            .hosts
            .iter()
            .map(|h| h.id)
            .find(|&h| Some(h) != engine_host);
        for vm in alone
            .vms
            .iter_mut()
            .filter(|vm| !vm.hosted_engine && vm.host == engine_host)
        {
            vm.host = other;
        }
        assert_quiet("he.engine-host-vms", &alone, Some("4.4.10"));
    }
}
