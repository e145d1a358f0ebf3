//! Can every host be put into maintenance? Memory for its VMs on the other hosts, the Manager
//! VM's own hosts, and the VMs that cannot move at all and what stopping them means.

use model::{Affinity, Level, Text, Vm};

use super::{host_evidence, vm_evidence};
use crate::capacity::{stays_on_host, Verdict};
use crate::facts::{gib, Facts};
use crate::rule::*;

pub(super) const RULES: &[Rule] = &[
    Rule {
        id: "evacuation.memory-short",
        severity: Severity::Fail,
        section: Section::Evacuation,
        scope: Scope::Host,
        title: Text::new(
            "The other hosts of each cluster have memory for every host's VMs",
            "各クラスターの他のホストに、どのホストの仮想マシンも受け入れるメモリーがある",
        ),
        blocks: &[Stage::HostUpgrade],
        fix: Text::new(
            "Free memory before the window: shut down VMs that can wait, move some to another cluster, or add a host; otherwise the host hangs in Preparing For Maintenance.",
            "作業前にメモリーを空けます。後回しにできる仮想マシンを停止する、別のクラスターへ移す、ホストを追加するなどします。そうしないとホストが「メンテナンス準備中」のまま止まります。",
        ),
        check: memory_short,
    },
    Rule {
        id: "evacuation.memory-fragmented",
        severity: Severity::Warn,
        section: Section::Evacuation,
        scope: Scope::Host,
        title: Text::new(
            "Every VM of each host fits on one of the other hosts",
            "各ホストのどの仮想マシンも他のいずれかのホストに収まる",
        ),
        blocks: &[Stage::HostUpgrade],
        fix: Text::new(
            "Make room on one host for the largest VMs (shut down or move smaller ones), or shut the listed VMs down for the host's upgrade.",
            "大きな仮想マシン用に 1 台のホストの空きを作る (小さな仮想マシンを停止または移行する) か、ホストのアップグレード中は示された仮想マシンを停止します。",
        ),
        check: memory_fragmented,
    },
    Rule {
        id: "evacuation.no-other-host",
        severity: Severity::Warn,
        section: Section::Evacuation,
        scope: Scope::Host,
        title: Text::new(
            "No cluster depends on a single active host",
            "稼働中のホストが 1 台だけのクラスターがない",
        ),
        blocks: &[Stage::HostUpgrade, Stage::VmAvailability],
        fix: Text::new(
            "Add or activate a second host in the cluster, or plan to shut its VMs down for the upgrade.",
            "クラスターに 2 台目のホストを追加またはアクティブにするか、アップグレード中は仮想マシンを停止する計画にします。",
        ),
        check: no_other_host,
    },
    Rule {
        id: "evacuation.engine-vm-no-room",
        severity: Severity::Fail,
        section: Section::Evacuation,
        scope: Scope::Host,
        title: Text::new(
            "Another hosted-engine host has memory for the Manager VM",
            "別のセルフホストエンジンホストに Manager 用仮想マシンのメモリーがある",
        ),
        blocks: &[Stage::HostUpgrade],
        fix: Text::new(
            "Free memory on another hosted-engine host (migrate ordinary VMs off it), or make one more host a hosted-engine host.",
            "別のセルフホストエンジンホストのメモリーを空ける (通常の仮想マシンを移行する) か、セルフホストエンジンホストを 1 台増やします。",
        ),
        check: engine_vm_no_room,
    },
    Rule {
        id: "vm.pinned",
        severity: Severity::Warn,
        section: Section::Evacuation,
        scope: Scope::Vm,
        title: Text::new(
            "No running VM is pinned to its host",
            "ホストに固定された実行中の仮想マシンがない",
        ),
        blocks: &[Stage::HostUpgrade, Stage::VmAvailability],
        fix: Text::new(
            "Plan each one's downtime with its owner, or allow migration (Edit VM › Host › Migration mode) if it can move; to keep one running, skip its host (clear \"Stop Pinned VMs\").",
            "所有者と停止時間を計画するか、移行できる仮想マシンなら移行を許可します (仮想マシンの編集 › ホスト › 移行モード)。稼働を続けるにはそのホストをスキップします (「Stop Pinned VMs」を外す)。",
        ),
        check: pinned,
    },
    Rule {
        id: "vm.user-migratable",
        severity: Severity::Info,
        section: Section::Evacuation,
        scope: Scope::Vm,
        title: Text::new(
            "No running VM migrates only by hand",
            "手動でのみ移行する実行中の仮想マシンがない",
        ),
        blocks: &[Stage::HostUpgrade],
        fix: Text::new(
            "Migrate them explicitly before their host's upgrade (Compute › Virtual Machines › Migrate), or set Migration mode to allow automatic migration.",
            "ホストのアップグレード前に明示的に移行する (コンピュート › 仮想マシン › 移行) か、移行モードを自動移行を許可する設定にします。",
        ),
        check: user_migratable,
    },
    Rule {
        id: "vm.vgpu",
        severity: Severity::Warn,
        section: Section::Evacuation,
        scope: Scope::Vm,
        title: Text::new("No running VM uses a vGPU", "vGPU を使う実行中の仮想マシンがない"),
        blocks: &[Stage::HostUpgrade, Stage::VmAvailability],
        fix: Text::new(
            "Plan their downtime: they are shut down during their host's upgrade and started again on it afterwards.",
            "停止時間を計画します。ホストのアップグレード中は停止し、その後同じホストで起動し直します。",
        ),
        check: vgpu,
    },
    Rule {
        id: "vm.host-devices",
        severity: Severity::Warn,
        section: Section::Evacuation,
        scope: Scope::Vm,
        title: Text::new(
            "No running VM uses host devices",
            "ホストデバイスを使う実行中の仮想マシンがない",
        ),
        blocks: &[Stage::HostUpgrade, Stage::VmAvailability],
        fix: Text::new(
            "Plan their downtime, or detach the devices (Edit VM › Host Devices) if the VM can do without them for a while.",
            "停止時間を計画するか、しばらく不要ならデバイスを外します (仮想マシンの編集 › ホストデバイス)。",
        ),
        check: host_devices,
    },
    Rule {
        id: "vm.cpu-passthrough",
        severity: Severity::Warn,
        section: Section::Evacuation,
        scope: Scope::Vm,
        title: Text::new(
            "No running VM uses CPU passthrough on the move from EL7 to EL8 hosts",
            "EL7 から EL8 ホストへの移行で CPU パススルーを使う実行中の仮想マシンがない",
        ),
        blocks: &[Stage::HostUpgrade],
        fix: Text::new(
            "Shut them down on the 4.3 host and start them on a 4.4 host instead of migrating them, or turn CPU passthrough off for the move.",
            "移行せずに 4.3 のホストで停止し、4.4 のホストで起動するか、移行の間だけ CPU パススルーを無効にします。",
        ),
        check: cpu_passthrough,
    },
    Rule {
        id: "vm.ha-maintenance-policy",
        severity: Severity::Info,
        section: Section::Evacuation,
        scope: Scope::Vm,
        title: Text::new(
            "No highly available VM behaves differently under the maintenance policy",
            "メンテナンスポリシーの下で動作が変わる高可用性仮想マシンがない",
        ),
        blocks: &[Stage::VmAvailability],
        fix: Text::new(
            "Nothing to change; know that during the run only these VMs restart on their own, possibly on a host that is not upgraded yet.",
            "変更は不要です。作業中に自動で再起動するのはこれらの仮想マシンだけで、まだアップグレードしていないホストで起動することもあります。",
        ),
        check: ha_under_maintenance_policy,
    },
];

fn memory_short(f: &Facts) -> Outcome {
    let evidence = f
        .evacuations()
        .iter()
        .filter(|e| matches!(e.verdict, Verdict::Short))
        .map(|e| {
            let (moving, vms, free, largest) =
                (gib(e.moving_memory), e.moving.len(), gib(e.free_total), gib(e.largest_free));
            host_evidence(
                e.host,
                Text::owned(
                    format!("{vms} VM(s), {moving} to move; {} other host(s) have {free} free, at most {largest} on one", e.receivers),
                    format!("移行する仮想マシン {vms} 台、{moving}。他のホスト {} 台の空きは {free}、1 台あたり最大 {largest}", e.receivers),
                ),
            )
        })
        .collect();
    Outcome::one_if_any(evidence, |n| {
        Text::owned(
            format!("{n} host(s) cannot be emptied: the other active hosts of their cluster lack the memory for their VMs"),
            format!("{n} 台のホストを空にできません。クラスター内の他の稼働中ホストに、その仮想マシンを受け入れるメモリーが足りません"),
        )
    })
}

fn memory_fragmented(f: &Facts) -> Outcome {
    let evidence = f
        .evacuations()
        .iter()
        .filter_map(|e| match &e.verdict {
            Verdict::Fragmented(unplaced) => {
                let names: Vec<String> = unplaced
                    .iter()
                    .map(|vm| format!("{} ({})", vm.name, gib(vm.memory)))
                    .collect();
                Some(host_evidence(
                    e.host,
                    Text::owned(
                        format!("no room for {}", names.join(", ")),
                        format!("入りきらない仮想マシン: {}", names.join("、")),
                    ),
                ))
            }
            _ => None,
        })
        .collect();
    Outcome::one_if_any(evidence, |n| {
        Text::owned(
            format!("{n} host(s) have VMs that find no single other host with room, though the memory is there in total"),
            format!("{n} 台のホストで、合計のメモリーは足りるのに、収まる移行先ホストが見つからない仮想マシンがあります"),
        )
    })
}

fn no_other_host(f: &Facts) -> Outcome {
    let evidence = f
        .evacuations()
        .iter()
        .filter(|e| matches!(e.verdict, Verdict::NoOtherHost))
        .map(|e| {
            let (vms, memory) = (e.moving.len(), gib(e.moving_memory));
            host_evidence(
                e.host,
                Text::owned(
                    format!(
                        "cluster {}: {vms} running VM(s), {memory}",
                        f.cluster_name(e.host.cluster)
                    ),
                    format!(
                        "クラスター {}: 実行中の仮想マシン {vms} 台、{memory}",
                        f.cluster_name(e.host.cluster)
                    ),
                ),
            )
        })
        .collect();
    Outcome::one_if_any(evidence, |n| {
        Text::owned(
            format!("{n} host(s) are the only active host of their cluster: their VMs must be shut down while they are upgraded"),
            format!("{n} 台のホストがクラスター内で唯一の稼働中ホストです。アップグレード中は仮想マシンを停止する必要があります"),
        )
    })
}

fn engine_vm_no_room(f: &Facts) -> Outcome {
    if !f.self_hosted() {
        return Outcome::skip(Text::new(
            "the Manager is standalone, not a self-hosted engine",
            "Manager はスタンドアロンで、セルフホストエンジンではありません",
        ));
    }
    let needed = f.engine_vm.map_or(0, |vm| vm.memory);
    let evidence = f
        .evacuations()
        .iter()
        .filter_map(|e| match e.verdict {
            Verdict::EngineVmNoRoom(free) => Some(host_evidence(
                e.host,
                Text::owned(
                    format!("Manager VM needs {}; hosted-engine hosts have at most {} free", gib(needed), gib(free)),
                    format!("Manager 用仮想マシンには {} 必要、セルフホストエンジンホストの空きは最大 {}", gib(needed), gib(free)),
                ),
            )),
            _ => None,
        })
        .collect();
    Outcome::one_if_any(evidence, |_| {
        Text::owned(
            "The Manager VM's host cannot enter maintenance: no other hosted-engine host has room for it",
            "Manager 用仮想マシンのホストをメンテナンスにできません。他のセルフホストエンジンホストに空きがありません",
        )
    })
}

/// Running VMs matching `wanted`, one evidence each naming their host.
fn running_vms(f: &Facts, wanted: impl Fn(&Vm) -> bool) -> Vec<Evidence> {
    f.inventory
        .vms
        .iter()
        .filter(|vm| vm.is_running() && wanted(vm))
        .map(|vm| {
            let host = f.host_name(vm.host);
            let detail = if vm.high_availability {
                Text::owned(
                    format!("on {host}, highly available"),
                    format!("{host} 上、高可用性"),
                )
            } else {
                Text::owned(format!("on {host}"), format!("{host} 上"))
            };
            vm_evidence(vm, detail)
        })
        .collect()
}

fn pinned(f: &Facts) -> Outcome {
    Outcome::one_if_any(running_vms(f, |vm| vm.affinity == Affinity::Pinned), |n| {
        Text::owned(
            format!("{n} running VM(s) are pinned to their host: they are shut down while it is upgraded, and under the cluster_maintenance policy those not highly available stay down until the whole cluster is done"),
            format!("{n} 台の実行中の仮想マシンがホストに固定されています。ホストのアップグレード中は停止し、cluster_maintenance ポリシーの下では高可用性でないものはクラスター全体の完了まで停止したままです"),
        )
    })
}

fn user_migratable(f: &Facts) -> Outcome {
    let manual = |vm: &Vm| vm.affinity == Affinity::UserMigratable && !stays_on_host(vm);
    Outcome::one_if_any(running_vms(f, manual), |n| {
        Text::owned(
            format!("{n} running VM(s) migrate only when asked: the engine will not move them itself when their host enters maintenance"),
            format!("{n} 台の実行中の仮想マシンは手動でのみ移行します。ホストをメンテナンスにしてもエンジンは自動で移行しません"),
        )
    })
}

fn vgpu(f: &Facts) -> Outcome {
    Outcome::one_if_any(running_vms(f, |vm| vm.vgpu), |n| {
        Text::owned(
            format!("{n} running VM(s) use a vGPU and cannot be live-migrated: they stop while their host is upgraded"),
            format!("{n} 台の実行中の仮想マシンが vGPU を使っており、ライブマイグレーションできません。ホストのアップグレード中は停止します"),
        )
    })
}

fn host_devices(f: &Facts) -> Outcome {
    Outcome::one_if_any(running_vms(f, |vm| vm.host_devices > 0), |n| {
        Text::owned(
            format!("{n} running VM(s) use host devices (PCI, USB, SCSI passthrough) and cannot be live-migrated"),
            format!("{n} 台の実行中の仮想マシンがホストデバイス (PCI、USB、SCSI パススルー) を使っており、ライブマイグレーションできません"),
        )
    })
}

fn cpu_passthrough(f: &Facts) -> Outcome {
    if !f.enters(Level::new(4, 4)) {
        return Outcome::skip(Text::new(
            "the route does not move VMs from EL7 to EL8 hosts",
            "この経路では仮想マシンを EL7 から EL8 のホストへ移しません",
        ));
    }
    Outcome::one_if_any(running_vms(f, |vm| vm.cpu_passthrough), |n| {
        Text::owned(
            format!("{n} running VM(s) pass the host CPU through: EL7 and EL8 kernels expose different CPU flags, so their migration to 4.4 hosts may fail"),
            format!("{n} 台の実行中の仮想マシンがホスト CPU をパススルーしています。EL7 と EL8 のカーネルでは CPU フラグが異なるため、4.4 ホストへの移行に失敗する場合があります"),
        )
    })
}

fn ha_under_maintenance_policy(f: &Facts) -> Outcome {
    if f.current == f.target {
        return Outcome::skip(Text::new(
            "the Manager is already at the target: no host upgrade is planned",
            "Manager はすでにターゲットのバージョンで、ホストのアップグレードは予定されていません",
        ));
    }
    let ha = |vm: &Vm| vm.high_availability && !vm.hosted_engine;
    Outcome::one_if_any(running_vms(f, ha), |n| {
        Text::owned(
            format!("{n} running VM(s) are highly available: under cluster_maintenance they are the only VMs that start again by themselves, after a host failure even on a host not upgraded yet"),
            format!("{n} 台の実行中の仮想マシンが高可用性です。cluster_maintenance の下で自動的に再起動するのはこれらだけで、ホスト障害時にはまだアップグレードしていないホストで起動することもあります"),
        )
    })
}

#[cfg(test)]
mod tests {
    use model::{Affinity, HostStatus, Inventory, GIB};

    use crate::testing::*;

    /// Two hosts of 64 GiB, each with what the scheduler leaves free.
    fn two_hosts(free: [u64; 2]) -> Inventory {
        let mut inventory = clean();
        inventory.hosts.truncate(2);
        for (host, free) in inventory.hosts.iter_mut().zip(free) {
            host.memory = 64 * GIB;
            host.max_scheduling_memory = free * GIB;
        }
        let hosts: Vec<_> = inventory.hosts.iter().map(|h| h.id).collect();
        for (n, vm) in inventory.vms.iter_mut().enumerate() {
            vm.host = Some(hosts[n % 2]);
            vm.memory = 8 * GIB;
        }
        inventory
    }

    #[test]
    fn hosts_whose_vms_do_not_fit_elsewhere_fail() {
        // Each host runs three 8 GiB VMs: 24 GiB to move.
        let short = two_hosts([40, 20]);
        let findings = assert_fires("evacuation.memory-short", &short, None);
        assert_eq!(evidence_names(&findings), [short.hosts[0].name.as_str()]);
        assert!(
            findings[0].evidence[0].detail.en.contains("24 GiB to move"),
            "{findings:?}"
        );
        assert_quiet("evacuation.memory-short", &two_hosts([30, 30]), None);
        assert_quiet("evacuation.memory-short", &clean(), None);
    }

    #[test]
    fn memory_split_across_hosts_warns() {
        let mut inventory = clean();
        for host in &mut inventory.hosts {
            host.max_scheduling_memory = 10 * GIB;
        }
        // 7 + 7 + 6 GiB into two hosts with 10 GiB free: enough in total, but no host takes
        // two of them.
        let first = inventory.hosts[0].id;
        inventory.vms.truncate(3);
        for (vm, size) in inventory.vms.iter_mut().zip([7, 7, 6]) {
            vm.host = Some(first);
            vm.memory = size * GIB;
        }
        let findings = assert_fires("evacuation.memory-fragmented", &inventory, None);
        let detail = &findings[0].evidence[0].detail.en;
        assert!(
            detail.contains(&format!("{} (6 GiB)", inventory.vms[2].name)),
            "{detail}"
        );
        assert_quiet("evacuation.memory-short", &inventory, None);
        inventory.vms[2].memory = 3 * GIB;
        assert_quiet("evacuation.memory-fragmented", &inventory, None);
        assert_quiet("evacuation.memory-fragmented", &clean(), None);
    }

    #[test]
    fn a_lone_host_has_nowhere_to_send_its_vms() {
        let mut inventory = clean();
        for host in inventory.hosts.iter_mut().skip(1) {
            host.status = HostStatus::Maintenance;
        }
        let first = inventory.hosts[0].id;
        for vm in &mut inventory.vms {
            vm.host = Some(first);
        }
        assert_fires("evacuation.no-other-host", &inventory, None);
        assert_quiet("evacuation.memory-short", &inventory, None);
        assert_quiet("evacuation.no-other-host", &clean(), None);
    }

    #[test]
    fn the_manager_vm_needs_room_on_a_hosted_engine_host() {
        let mut inventory = clean_self_hosted();
        let engine_host = inventory
            .vms
            .iter()
            .find(|vm| vm.hosted_engine)
            .unwrap()
            .host;
        for host in &mut inventory.hosts {
            if host.hosted_engine.is_some() && Some(host.id) != engine_host {
                host.max_scheduling_memory = 8 * GIB;
            }
        }
        let findings = assert_fires("evacuation.engine-vm-no-room", &inventory, None);
        assert!(
            findings[0].evidence[0].detail.en.contains("16 GiB"),
            "{findings:?}"
        );
        assert_quiet("evacuation.engine-vm-no-room", &clean_self_hosted(), None);
        assert_skipped("evacuation.engine-vm-no-room", &clean(), None);
    }

    #[test]
    fn vms_that_cannot_move() {
        let mut inventory = clean_43();
        let host = inventory.vms[0].host.unwrap();
        inventory.vms[0].affinity = Affinity::Pinned;
        inventory.vms[0].pinned_hosts = vec![host];
        inventory.vms[0].high_availability = true;
        inventory.vms[1].affinity = Affinity::UserMigratable;
        inventory.vms[2].vgpu = true;
        inventory.vms[3].host_devices = 2;
        inventory.vms[4].cpu_passthrough = true;
        let target = Some("4.4.10");
        let pinned = assert_fires("vm.pinned", &inventory, target);
        assert!(pinned[0].evidence[0].detail.en.contains("highly available"));
        assert_fires("vm.user-migratable", &inventory, target);
        assert_fires("vm.vgpu", &inventory, target);
        assert_fires("vm.host-devices", &inventory, target);
        assert_fires("vm.cpu-passthrough", &inventory, target);
        assert_skipped("vm.cpu-passthrough", &inventory, Some("4.3.11"));
        assert_eq!(
            evidence_names(&assert_fires(
                "vm.ha-maintenance-policy",
                &inventory,
                target
            )),
            [inventory.vms[0].name.as_str()]
        );
        for id in [
            "vm.pinned",
            "vm.user-migratable",
            "vm.vgpu",
            "vm.host-devices",
            "vm.cpu-passthrough",
            "vm.ha-maintenance-policy",
        ] {
            assert_quiet(id, &clean_43(), target);
        }
        // A VM that is down does not count.
        inventory.vms[2].status = model::VmStatus::Down;
        inventory.vms[2].host = None;
        assert_quiet("vm.vgpu", &inventory, target);
    }
}
