//! Hosts: their state, their operating system against the target, pending updates, the
//! levels their vdsm supports, and OVN.

use model::{Host, HostStatus, Level, Text};

use super::{host_evidence, manager_evidence};
use crate::facts::{os_ranges, Facts};
use crate::rule::*;

pub(super) const RULES: &[Rule] = &[
    Rule {
        id: "host.not-up",
        severity: Severity::Warn,
        section: Section::Hosts,
        scope: Scope::Host,
        title: Text::new(
            "Every host is up or in maintenance",
            "すべてのホストが稼働中またはメンテナンス中",
        ),
        blocks: &[Stage::HostUpgrade],
        fix: Text::new(
            "Bring it back (Compute › Hosts › Management › Activate, or Installation › Reinstall after a failed install) or remove it (Compute › Hosts › Remove).",
            "復旧させる (コンピュート › ホスト › 管理 › アクティブ化、インストール失敗後は インストール › 再インストール) か、削除します (コンピュート › ホスト › 削除)。",
        ),
        check: hosts_not_up,
    },
    Rule {
        id: "host.in-maintenance",
        severity: Severity::Info,
        section: Section::Hosts,
        scope: Scope::Host,
        title: Text::new("No host is in maintenance", "メンテナンス中のホストがない"),
        blocks: &[],
        fix: Text::new(
            "Upgrade it first, since it runs no VM, then activate it (Compute › Hosts › Management › Activate).",
            "仮想マシンが動作していないので最初にアップグレードし、その後アクティブにします (コンピュート › ホスト › 管理 › アクティブ化)。",
        ),
        check: hosts_in_maintenance,
    },
    Rule {
        id: "host.os-reinstall",
        severity: Severity::Warn,
        section: Section::Hosts,
        scope: Scope::Host,
        title: Text::new(
            "Every host's OS major release suits the target",
            "すべてのホストの OS メジャーリリースがターゲットに合っている",
        ),
        blocks: &[Stage::HostUpgrade, Stage::ClusterLevel],
        fix: Text::new(
            "Host by host, after the Manager: migrate its VMs away, put it in maintenance, remove it, install RHEL 8.6 or RHVH 4.4 cleanly, and add it back to the same cluster.",
            "Manager の後でホストごとに、仮想マシンを移行し、メンテナンスにして削除し、RHEL 8.6 または RHVH 4.4 をクリーンインストールして、同じクラスターに追加し直します。",
        ),
        check: os_reinstall,
    },
    Rule {
        id: "host.os-newer-than-supported",
        severity: Severity::Fail,
        section: Section::Hosts,
        scope: Scope::Host,
        title: Text::new(
            "No host runs an OS release newer than the target supports",
            "ターゲットのサポートより新しい OS リリースのホストがない",
        ),
        blocks: &[Stage::HostUpgrade],
        fix: Text::new(
            "Reinstall the host with a supported release, or choose a target that supports its release.",
            "サポートされるリリースでホストを再インストールするか、そのリリースをサポートするターゲットを選びます。",
        ),
        check: os_too_new,
    },
    Rule {
        id: "host.os-update",
        severity: Severity::Info,
        section: Section::Hosts,
        scope: Scope::Host,
        title: Text::new(
            "No host runs an OS release older than the target supports",
            "ターゲットのサポートより古い OS リリースのホストがない",
        ),
        blocks: &[],
        fix: Text::new(
            "The host's update brings it into range: set `subscription-manager release --set=8.6` (RHEL 8) before Compute › Hosts › Installation › Upgrade.",
            "ホストの更新でサポート範囲に入ります。コンピュート › ホスト › インストール › アップグレードの前に `subscription-manager release --set=8.6` (RHEL 8) を設定します。",
        ),
        check: os_too_old,
    },
    Rule {
        id: "host.update-pending",
        severity: Severity::Info,
        section: Section::Hosts,
        scope: Scope::Host,
        title: Text::new("No host has updates waiting", "更新待ちのホストがない"),
        blocks: &[Stage::ClusterLevel],
        fix: Text::new(
            "Update them before raising their cluster's level: Compute › Clusters › Upgrade, or Compute › Hosts › Installation › Upgrade one at a time.",
            "クラスターの互換レベルを上げる前に更新します: コンピュート › クラスター › アップグレード、または コンピュート › ホスト › インストール › アップグレード で 1 台ずつ。",
        ),
        check: updates_pending,
    },
    Rule {
        id: "host.cluster-level-unsupported",
        severity: Severity::Fail,
        section: Section::Hosts,
        scope: Scope::Host,
        title: Text::new(
            "Every host supports its cluster's level",
            "すべてのホストがクラスターの互換レベルをサポートしている",
        ),
        blocks: &[Stage::HostUpgrade, Stage::ClusterLevel],
        fix: Text::new(
            "Update or reinstall the host so that its vdsm supports the level, or move it to a cluster at a level it supports.",
            "vdsm がその互換レベルをサポートするようにホストを更新または再インストールするか、サポートする互換レベルのクラスターへ移します。",
        ),
        check: cluster_level_unsupported,
    },
    Rule {
        id: "ovn.host-not-configured",
        severity: Severity::Warn,
        section: Section::Hosts,
        scope: Scope::Host,
        title: Text::new(
            "OVN is configured on every active host",
            "稼働中のすべてのホストで OVN が設定されている",
        ),
        blocks: &[Stage::VmAvailability],
        fix: Text::new(
            "Compute › Hosts › Management › Refresh Capabilities; if \"OVN configured\" stays No, reinstall the host from the Manager.",
            "コンピュート › ホスト › 管理 › 機能を更新 を実行します。「OVN configured」が No のままなら、Manager からホストを再インストールします。",
        ),
        check: ovn_not_configured,
    },
    Rule {
        id: "ovn.provider-upgrade",
        severity: Severity::Info,
        section: Section::Hosts,
        scope: Scope::Manager,
        title: Text::new(
            "No OVN provider goes through the OVN 2021 / OvS 2.15 update",
            "OVN 2021 / OvS 2.15 への更新を伴う OVN プロバイダーがない",
        ),
        blocks: &[Stage::HostUpgrade],
        fix: Text::new(
            "Upgrade the Manager first; disable ovirt-provider-ovn security groups on OVN networks that must work between old and new hosts; reboot each host after its upgrade and check \"OVN configured\" on its General tab.",
            "先に Manager をアップグレードし、新旧ホスト間で使う OVN ネットワークの ovirt-provider-ovn セキュリティーグループを無効にします。各ホストはアップグレード後に再起動し、一般タブの「OVN configured」を確認します。",
        ),
        check: ovn_provider_upgrade,
    },
];

fn hosts_not_up(f: &Facts) -> Outcome {
    let evidence = f
        .inventory
        .hosts
        .iter()
        .filter(|h| !matches!(h.status, HostStatus::Up | HostStatus::Maintenance))
        .map(|h| host_evidence(h, Text::same(h.status.to_string())))
        .collect();
    Outcome::one_if_any(evidence, |n| {
        Text::owned(
            format!("{n} host(s) are neither up nor in maintenance: they cannot take VMs and the cluster upgrade leaves them out"),
            format!("{n} 台のホストが稼働中でもメンテナンス中でもありません。仮想マシンを受け入れられず、クラスターのアップグレードからも外れます"),
        )
    })
}

fn hosts_in_maintenance(f: &Facts) -> Outcome {
    let evidence = f
        .inventory
        .hosts
        .iter()
        .filter(|h| h.status == HostStatus::Maintenance)
        .map(|h| host_evidence(h, Text::same("maintenance")))
        .collect();
    Outcome::one_if_any(evidence, |n| {
        Text::owned(
            format!("{n} host(s) are in maintenance: they cannot receive evacuated VMs until activated"),
            format!("{n} 台のホストがメンテナンス中で、アクティブにするまで退避する仮想マシンを受け入れられません"),
        )
    })
}

/// Where a host's OS stands against the target's host releases.
#[derive(PartialEq)]
enum OsFit {
    Supported,
    OtherMajor,
    TooOld,
    TooNew,
}

fn os_fit(f: &Facts, host: &Host) -> OsFit {
    let release = f.target_release;
    if release.host_os_supported(host.os) {
        return OsFit::Supported;
    }
    let same_major: Vec<_> = release
        .host_os
        .iter()
        .filter(|r| (r.from.major..=r.to.major).contains(&host.os.major))
        .collect();
    if same_major.is_empty() {
        OsFit::OtherMajor
    } else if same_major.iter().all(|r| host.os < r.from) {
        OsFit::TooOld
    } else {
        OsFit::TooNew
    }
}

fn os_evidence(f: &Facts, fit: OsFit) -> Vec<Evidence> {
    let ranges = os_ranges(f.target_release, false);
    f.inventory
        .hosts
        .iter()
        .filter(|h| os_fit(f, h) == fit)
        .map(|h| {
            host_evidence(
                h,
                Text::same(format!("{} ({}) → {ranges}", h.os, h.host_type)),
            )
        })
        .collect()
}

fn os_reinstall(f: &Facts) -> Outcome {
    let target = f.target;
    Outcome::one_if_any(os_evidence(f, OsFit::OtherMajor), |n| {
        Text::owned(
            format!("{n} host(s) run an OS major release that Manager {target} does not support: each is reinstalled cleanly, not updated, so its VMs must move away first"),
            format!("{n} 台のホストが Manager {target} のサポートしない OS メジャーリリースです。更新ではなくクリーンインストールになるため、先に仮想マシンを移行する必要があります"),
        )
    })
}

fn os_too_new(f: &Facts) -> Outcome {
    let target = f.target;
    Outcome::one_if_any(os_evidence(f, OsFit::TooNew), |n| {
        Text::owned(
            format!("{n} host(s) run an OS release newer than Manager {target} supports"),
            format!("{n} 台のホストが Manager {target} のサポートより新しい OS リリースです"),
        )
    })
}

fn os_too_old(f: &Facts) -> Outcome {
    let target = f.target;
    Outcome::one_if_any(os_evidence(f, OsFit::TooOld), |n| {
        Text::owned(
            format!("{n} host(s) run an OS release older than Manager {target} supports: their update must bring the OS along"),
            format!("{n} 台のホストが Manager {target} のサポートより古い OS リリースです。ホストの更新で OS も更新する必要があります"),
        )
    })
}

fn updates_pending(f: &Facts) -> Outcome {
    let evidence = f
        .inventory
        .hosts
        .iter()
        .filter(|h| h.update_available)
        .map(|h| host_evidence(h, Text::owned("update available", "更新あり")))
        .collect();
    Outcome::one_if_any(evidence, |n| {
        Text::owned(
            format!("{n} host(s) have updates waiting: a cluster's level can be raised only when all its hosts are updated"),
            format!("{n} 台のホストに更新があります。クラスターの互換レベルは、すべてのホストを更新してからでないと上げられません"),
        )
    })
}

fn cluster_level_unsupported(f: &Facts) -> Outcome {
    let evidence = f
        .inventory
        .hosts
        .iter()
        .filter(|h| !h.supported_levels.is_empty())
        .filter_map(|h| {
            let level = f.index.cluster(h.cluster)?.version;
            (!h.supported_levels.contains(&level)).then(|| {
                let supported: Vec<String> =
                    h.supported_levels.iter().map(Level::to_string).collect();
                host_evidence(
                    h,
                    Text::owned(
                        format!(
                            "cluster {} at {level}; host supports {}",
                            f.cluster_name(h.cluster),
                            supported.join(", ")
                        ),
                        format!(
                            "クラスター {} は {level}、ホストのサポートは {}",
                            f.cluster_name(h.cluster),
                            supported.join(", ")
                        ),
                    ),
                )
            })
        })
        .collect();
    Outcome::one_if_any(evidence, |n| {
        Text::owned(
            format!("{n} host(s) do not support their cluster's level: they cannot be operational in it"),
            format!("{n} 台のホストがクラスターの互換レベルをサポートしておらず、そのクラスターで稼働できません"),
        )
    })
}

fn ovn_not_configured(f: &Facts) -> Outcome {
    if !f.inventory.manager.ovn {
        return Outcome::skip(Text::new(
            "no OVN provider is configured",
            "OVN プロバイダーは設定されていません",
        ));
    }
    // Hosts report the flag from 4.4 on; older inventories cannot tell.
    if f.current.line() < Level::new(4, 4) {
        return Outcome::skip(Text::new(
            "hosts report \"OVN configured\" from 4.4 on",
            "ホストが「OVN configured」を報告するのは 4.4 以降です",
        ));
    }
    let evidence = f
        .inventory
        .hosts
        .iter()
        .filter(|h| h.status == HostStatus::Up && !h.ovn_configured)
        .map(|h| host_evidence(h, Text::owned("OVN configured: no", "OVN configured: No")))
        .collect();
    Outcome::one_if_any(evidence, |n| {
        Text::owned(
            format!("{n} active host(s) are not configured for OVN: VMs on OVN networks lose connectivity there"),
            format!("稼働中の {n} 台のホストで OVN が設定されておらず、そこでは OVN ネットワークの仮想マシンが通信できません"),
        )
    })
}

fn ovn_provider_upgrade(f: &Facts) -> Outcome {
    if !f.inventory.manager.ovn {
        return Outcome::skip(Text::new(
            "no OVN provider is configured",
            "OVN プロバイダーは設定されていません",
        ));
    }
    if f.target.line() < Level::new(4, 4) || f.current == f.target {
        return Outcome::pass();
    }
    Outcome::Found(vec![Finding::new(
        Text::owned(
            "OVN moves from 2.11 to 2021 and OvS to 2.15 on the way: it stays invisible to VMs only if the Manager goes first, security groups are off on shared OVN networks, and each host reboots after its upgrade",
            "途中で OVN が 2.11 から 2021 へ、OvS が 2.15 へ更新されます。Manager を先に更新し、共有する OVN ネットワークのセキュリティーグループを無効にし、各ホストをアップグレード後に再起動した場合にのみ、仮想マシンへの影響がありません",
        ),
        vec![manager_evidence(f, Text::same("ovirt-provider-ovn"))],
    )])
}

#[cfg(test)]
mod tests {
    use model::{ElVersion, HostStatus, Level};

    use crate::testing::*;

    #[test]
    fn host_states() {
        let mut inventory = clean();
        inventory.hosts[0].status = HostStatus::NonResponsive;
        inventory.hosts[1].status = HostStatus::Maintenance;
        assert_eq!(
            evidence_names(&assert_fires("host.not-up", &inventory, None)),
            [inventory.hosts[0].name.as_str()]
        );
        assert_eq!(
            evidence_names(&assert_fires("host.in-maintenance", &inventory, None)),
            [inventory.hosts[1].name.as_str()]
        );
        assert_quiet("host.not-up", &clean(), None);
        assert_quiet("host.in-maintenance", &clean(), None);
    }

    #[test]
    fn host_os_against_the_target() {
        assert_fires("host.os-reinstall", &clean_43(), Some("4.4.10"));
        assert_quiet("host.os-reinstall", &clean_43(), Some("4.3.11"));

        let mut inventory = clean_44();
        inventory.hosts[0].os = ElVersion::new(8, 8);
        inventory.hosts[1].os = ElVersion::new(8, 1);
        assert_eq!(
            evidence_names(&assert_fires(
                "host.os-newer-than-supported",
                &inventory,
                Some("4.4.10")
            )),
            [inventory.hosts[0].name.as_str()]
        );
        assert_eq!(
            evidence_names(&assert_fires("host.os-update", &inventory, Some("4.4.10"))),
            [inventory.hosts[1].name.as_str()]
        );
        // 4.5 supports el8.8 but not el8.1.
        assert_quiet("host.os-newer-than-supported", &inventory, Some("4.5.6"));
        assert_fires("host.os-update", &inventory, Some("4.5.6"));
        for id in [
            "host.os-reinstall",
            "host.os-newer-than-supported",
            "host.os-update",
        ] {
            assert_quiet(id, &clean_44(), Some("4.4.10"));
        }
    }

    #[test]
    fn updates_and_supported_levels() {
        let mut inventory = clean();
        inventory.hosts[2].update_available = true;
        assert_fires("host.update-pending", &inventory, None);
        assert_quiet("host.update-pending", &clean(), None);

        inventory.hosts[2].supported_levels = vec![Level::new(4, 5), Level::new(4, 6)];
        let findings = assert_fires("host.cluster-level-unsupported", &inventory, None);
        assert!(findings[0].evidence[0].detail.en.contains("4.7"));
        assert_quiet("host.cluster-level-unsupported", &clean(), None);
    }

    #[test]
    fn ovn_on_hosts_and_on_the_route() {
        let mut inventory = clean_44();
        inventory.manager.ovn = true;
        assert_fires("ovn.host-not-configured", &inventory, Some("4.4.10"));
        for host in &mut inventory.hosts {
            host.ovn_configured = true;
        }
        assert_quiet("ovn.host-not-configured", &inventory, Some("4.4.10"));
        assert_skipped("ovn.host-not-configured", &clean_44(), Some("4.4.10"));

        let mut old = clean_43();
        old.manager.ovn = true;
        assert_skipped("ovn.host-not-configured", &old, Some("4.4.10"));
        assert_fires("ovn.provider-upgrade", &old, Some("4.4.10"));
        assert_quiet("ovn.provider-upgrade", &old, Some("4.3.11"));
        assert_skipped("ovn.provider-upgrade", &clean_43(), Some("4.4.10"));
    }
}
