//! Storage: domain states and kinds, storage format, illegal volumes, and Gluster heals,
//! geo-replication and the guide's level requirement for hyperconverged upgrades.

use model::{DomainRole, Legality, Level, StorageDomain, StorageDomainStatus, StorageType, Text};

use super::{cluster_evidence, data_center_evidence};
use crate::facts::Facts;
use crate::rule::*;

/// The storage format data domains get when their data center reaches level 4.3.
const V5_LEVEL: Level = Level::new(4, 3);

pub(super) const RULES: &[Rule] = &[
    Rule {
        id: "storage.domain-inactive",
        severity: Severity::Fail,
        section: Section::Storage,
        scope: Scope::StorageDomain,
        title: Text::new(
            "Every attached storage domain is active or deliberately in maintenance",
            "アタッチされたすべてのストレージドメインがアクティブ、または意図的にメンテナンス中",
        ),
        blocks: &[Stage::HostUpgrade, Stage::DataCenterLevel],
        fix: Text::new(
            "Activate it (Storage › Domains › Data Center tab › Activate) after fixing what the events report, or detach it if no longer needed.",
            "イベントの内容を解決してからアクティブにする (ストレージ › ドメイン › データセンタータブ › アクティブ化) か、不要ならデタッチします。",
        ),
        check: domains_inactive,
    },
    Rule {
        id: "storage.domain-maintenance",
        severity: Severity::Info,
        section: Section::Storage,
        scope: Scope::StorageDomain,
        title: Text::new(
            "No attached storage domain is in maintenance",
            "メンテナンス中のアタッチされたストレージドメインがない",
        ),
        blocks: &[],
        fix: Text::new(
            "Activate it before raising the data center's level if its VMs or disks are still needed.",
            "その仮想マシンやディスクがまだ必要なら、データセンターの互換レベルを上げる前にアクティブにします。",
        ),
        check: domains_in_maintenance,
    },
    Rule {
        id: "storage.export-domain",
        severity: Severity::Warn,
        section: Section::Storage,
        scope: Scope::StorageDomain,
        title: Text::new("No Export domain is in use", "Export ドメインを使っていない"),
        blocks: &[],
        fix: Text::new(
            "Import what it holds into a data domain (or export VMs as OVA), then put it in maintenance and detach it.",
            "中身をデータドメインにインポート (または仮想マシンを OVA でエクスポート) してから、メンテナンスにしてデタッチします。",
        ),
        check: export_domains,
    },
    Rule {
        id: "storage.iso-domain",
        severity: Severity::Info,
        section: Section::Storage,
        scope: Scope::StorageDomain,
        title: Text::new("No ISO domain is in use", "ISO ドメインを使っていない"),
        blocks: &[],
        fix: Text::new(
            "Upload the ISO images to a data domain (Storage › Disks › Upload) and detach the ISO domain when nothing uses it.",
            "ISO イメージをデータドメインへアップロードし (ストレージ › ディスク › アップロード)、使われなくなったら ISO ドメインをデタッチします。",
        ),
        check: iso_domains,
    },
    Rule {
        id: "storage.format-upgrade",
        severity: Severity::Info,
        section: Section::Storage,
        scope: Scope::StorageDomain,
        title: Text::new(
            "No data domain changes storage format with its data center's level",
            "データセンターの互換レベル変更でストレージ形式が変わるデータドメインがない",
        ),
        blocks: &[Stage::DataCenterLevel],
        fix: Text::new(
            "Nothing to do by hand: make sure the domains are active when the data center's level is raised, so that all of them are converted.",
            "手作業は不要です。データセンターの互換レベルを上げるときにドメインがアクティブで、すべて変換されるようにします。",
        ),
        check: format_upgrade,
    },
    Rule {
        id: "disk.illegal-volumes",
        severity: Severity::Warn,
        section: Section::Storage,
        scope: Scope::Disk,
        title: Text::new("No disk has an illegal volume", "不正 (illegal) なボリュームを持つディスクがない"),
        blocks: &[Stage::VmAvailability],
        fix: Text::new(
            "Run `rhv-image-discrepancies` on the Manager, then remove or repair the broken snapshot; the VM may not start again until then.",
            "Manager で `rhv-image-discrepancies` を実行し、壊れたスナップショットを削除または修復します。それまで仮想マシンが再起動できない場合があります。",
        ),
        check: illegal_volumes,
    },
    Rule {
        id: "gluster.heals-pending",
        severity: Severity::Fail,
        section: Section::Storage,
        scope: Scope::GlusterVolume,
        title: Text::new(
            "No gluster volume has entries waiting to heal",
            "修復待ちのエントリーがある Gluster ボリュームがない",
        ),
        blocks: &[Stage::HostUpgrade],
        fix: Text::new(
            "Wait until `gluster volume heal VOLUME info summary` shows no entries; the engine refuses maintenance of a gluster host until then.",
            "`gluster volume heal VOLUME info summary` にエントリーがなくなるまで待ちます。それまでエンジンは Gluster ホストのメンテナンスを拒否します。",
        ),
        check: heals_pending,
    },
    Rule {
        id: "gluster.geo-replication",
        severity: Severity::Warn,
        section: Section::Storage,
        scope: Scope::GlusterVolume,
        title: Text::new(
            "No gluster volume has geo-replication sessions",
            "geo レプリケーションのセッションがある Gluster ボリュームがない",
        ),
        blocks: &[Stage::HostUpgrade],
        fix: Text::new(
            "Remove the geo-replication schedules of the storage domains and make sure no sync runs (`gluster volume geo-replication status`) before the upgrade.",
            "アップグレード前にストレージドメインの geo レプリケーションスケジュールを削除し、同期が実行中でないこと (`gluster volume geo-replication status`) を確認します。",
        ),
        check: geo_replication,
    },
    Rule {
        id: "gluster.deprecated",
        severity: Severity::Info,
        section: Section::Storage,
        scope: Scope::GlusterVolume,
        title: Text::new("No Gluster storage is in use", "Gluster ストレージを使っていない"),
        blocks: &[],
        fix: Text::new(
            "Plan a move of the VMs' disks to another storage type; GlusterFS storage will not be supported in later releases.",
            "仮想マシンのディスクを別のストレージへ移す計画を立てます。GlusterFS ストレージは今後のリリースでサポートされなくなります。",
        ),
        check: gluster_deprecated,
    },
    Rule {
        id: "gluster.levels-below-4.3",
        severity: Severity::Fail,
        section: Section::Storage,
        scope: Scope::Cluster,
        title: Text::new(
            "With Gluster, every data center and cluster is at level 4.3 before the move to 4.4",
            "Gluster 環境では 4.4 への移行前にすべてのデータセンターとクラスターが互換レベル 4.3",
        ),
        blocks: &[Stage::ManagerUpgrade, Stage::HostUpgrade],
        fix: Text::new(
            "Raise the clusters, then the data centers, to 4.3 with the current Manager before starting (Compute › Clusters / Data Centers › Edit › Compatibility Version).",
            "開始前に現在の Manager で、クラスター、次にデータセンターを 4.3 に上げます (コンピュート › クラスター / データセンター › 編集 › 互換バージョン)。",
        ),
        check: gluster_levels,
    },
];

fn domain_evidence(sd: &StorageDomain, detail: Text) -> Evidence {
    Evidence::new(Scope::StorageDomain, &sd.name, Some(sd.id.0), detail)
}

fn attached<'a>(f: &Facts<'a>) -> impl Iterator<Item = &'a StorageDomain> {
    f.inventory
        .storage_domains
        .iter()
        .filter(|sd| sd.data_center.is_some())
}

fn domains_inactive(f: &Facts) -> Outcome {
    let evidence = attached(f)
        .filter(|sd| {
            !matches!(
                sd.status,
                StorageDomainStatus::Active
                    | StorageDomainStatus::Maintenance
                    | StorageDomainStatus::PreparingForMaintenance
            )
        })
        .map(|sd| {
            domain_evidence(
                sd,
                Text::same(format!("{} ({}, {})", sd.status, sd.role, sd.storage)),
            )
        })
        .collect();
    Outcome::one_if_any(evidence, |n| {
        Text::owned(
            format!("{n} attached storage domain(s) are not active: hosts fail to connect their storage and VMs with disks there cannot run"),
            format!("アタッチされた {n} 個のストレージドメインがアクティブではありません。ホストのストレージ接続に失敗し、そこにディスクを持つ仮想マシンは動作できません"),
        )
    })
}

fn domains_in_maintenance(f: &Facts) -> Outcome {
    let evidence = attached(f)
        .filter(|sd| {
            matches!(
                sd.status,
                StorageDomainStatus::Maintenance | StorageDomainStatus::PreparingForMaintenance
            )
        })
        .map(|sd| domain_evidence(sd, Text::same(sd.status.to_string())))
        .collect();
    Outcome::one_if_any(evidence, |n| {
        Text::owned(
            format!("{n} attached storage domain(s) are in maintenance: their VMs and disks are unavailable"),
            format!("アタッチされた {n} 個のストレージドメインがメンテナンス中で、その仮想マシンとディスクは使えません"),
        )
    })
}

fn role_domains(f: &Facts, role: DomainRole) -> Vec<Evidence> {
    f.inventory
        .storage_domains
        .iter()
        .filter(|sd| sd.role == role)
        .map(|sd| {
            let dc = sd
                .data_center
                .and_then(|id| f.index.data_center(id))
                .map_or("-", |dc| dc.name.as_str());
            domain_evidence(sd, Text::same(format!("{}, {dc}", sd.storage)))
        })
        .collect()
}

fn export_domains(f: &Facts) -> Outcome {
    Outcome::one_if_any(role_domains(f, DomainRole::Export), |n| {
        Text::owned(
            format!("{n} Export domain(s) exist: Export domains are deprecated, and moving VMs now goes through data domains"),
            format!("{n} 個の Export ドメインがあります。Export ドメインは非推奨で、仮想マシンの移動はデータドメイン経由になります"),
        )
    })
}

fn iso_domains(f: &Facts) -> Outcome {
    Outcome::one_if_any(role_domains(f, DomainRole::Iso), |n| {
        Text::owned(
            format!("{n} ISO domain(s) exist: ISO domains are deprecated in favour of ISO images on data domains"),
            format!("{n} 個の ISO ドメインがあります。ISO ドメインは非推奨で、ISO イメージはデータドメインに置きます"),
        )
    })
}

fn format_upgrade(f: &Facts) -> Outcome {
    if f.newest_target_level()
        .is_none_or(|newest| newest < V5_LEVEL)
    {
        return Outcome::skip(Text::new(
            "the target does not offer level 4.3 or later",
            "ターゲットは互換レベル 4.3 以降を提供しません",
        ));
    }
    let evidence = attached(f)
        .filter(|sd| sd.role == DomainRole::Data)
        .filter_map(|sd| {
            let format = sd.format_version?;
            let dc = f.index.data_center(sd.data_center?)?;
            (format < 5 && dc.version < V5_LEVEL).then(|| {
                domain_evidence(
                    sd,
                    Text::same(format!("V{format} → V5 ({} {})", dc.name, dc.version)),
                )
            })
        })
        .collect();
    Outcome::one_if_any(evidence, |n| {
        Text::owned(
            format!("{n} data domain(s) are converted to storage format V5 when their data center reaches level 4.3"),
            format!("{n} 個のデータドメインは、データセンターが互換レベル 4.3 になるとストレージ形式 V5 に変換されます"),
        )
    })
}

fn illegal_volumes(f: &Facts) -> Outcome {
    let evidence = f
        .inventory
        .disks
        .iter()
        .filter_map(|disk| {
            let illegal = disk
                .volumes
                .iter()
                .filter(|v| v.legality == Legality::Illegal)
                .count();
            (illegal > 0).then(|| {
                let vm = disk
                    .vm
                    .and_then(|id| f.index.vm(id))
                    .map_or("-", |vm| vm.name.as_str());
                Evidence::new(
                    Scope::Disk,
                    &disk.alias,
                    Some(disk.id.0),
                    Text::owned(
                        format!(
                            "VM {vm}: {illegal} of {} volume(s) illegal",
                            disk.volumes.len()
                        ),
                        format!(
                            "仮想マシン {vm}: ボリューム {} 個中 {illegal} 個が不正",
                            disk.volumes.len()
                        ),
                    ),
                )
            })
        })
        .collect();
    Outcome::one_if_any(evidence, |n| {
        Text::owned(
            format!("{n} disk(s) have a volume marked illegal: their VM may fail to start after it stops"),
            format!("{n} 個のディスクに不正とされたボリュームがあります。仮想マシンを停止すると起動できない場合があります"),
        )
    })
}

fn gluster_volume_evidence(
    f: &Facts,
    volume: &model::GlusterVolume,
    detail_en: String,
    detail_ja: String,
) -> Evidence {
    Evidence::new(
        Scope::GlusterVolume,
        format!("{}/{}", f.cluster_name(volume.cluster), volume.name),
        Some(volume.id.0),
        Text::owned(detail_en, detail_ja),
    )
}

fn heals_pending(f: &Facts) -> Outcome {
    let evidence = f
        .inventory
        .gluster_volumes
        .iter()
        .filter(|v| v.pending_heals > 0)
        .map(|v| {
            let n = v.pending_heals;
            gluster_volume_evidence(
                f,
                v,
                format!("{n} entries to heal"),
                format!("修復待ち {n} エントリー"),
            )
        })
        .collect();
    Outcome::one_if_any(evidence, |n| {
        Text::owned(
            format!("{n} gluster volume(s) have entries waiting to heal: taking a replica down now risks the data"),
            format!("{n} 個の Gluster ボリュームに修復待ちのエントリーがあります。今レプリカを停止するとデータが危険です"),
        )
    })
}

fn geo_replication(f: &Facts) -> Outcome {
    let evidence = f
        .inventory
        .gluster_volumes
        .iter()
        .filter(|v| !v.geo_replication.is_empty())
        .map(|v| {
            let sessions = v.geo_replication.join(", ");
            gluster_volume_evidence(f, v, format!("to {sessions}"), format!("送信先 {sessions}"))
        })
        .collect();
    Outcome::one_if_any(evidence, |n| {
        Text::owned(
            format!("{n} gluster volume(s) replicate to another site: a sync running during the upgrade conflicts with it"),
            format!("{n} 個の Gluster ボリュームが別サイトへレプリケーションしています。アップグレード中に同期が走ると競合します"),
        )
    })
}

fn uses_gluster(f: &Facts) -> bool {
    !f.inventory.gluster_volumes.is_empty()
        || f.inventory.clusters.iter().any(|c| c.gluster_service)
        || f.inventory
            .storage_domains
            .iter()
            .any(|sd| sd.storage == StorageType::Glusterfs)
}

fn gluster_deprecated(f: &Facts) -> Outcome {
    if !uses_gluster(f) {
        return Outcome::pass();
    }
    let mut evidence: Vec<Evidence> = f
        .inventory
        .gluster_volumes
        .iter()
        .map(|v| {
            gluster_volume_evidence(f, v, "gluster volume".into(), "Gluster ボリューム".into())
        })
        .collect();
    evidence.extend(
        f.inventory
            .storage_domains
            .iter()
            .filter(|sd| sd.storage == StorageType::Glusterfs)
            .map(|sd| domain_evidence(sd, Text::same("glusterfs"))),
    );
    evidence.extend(
        f.inventory
            .clusters
            .iter()
            .filter(|c| c.gluster_service)
            .map(|c| cluster_evidence(c, Text::owned("gluster service", "Gluster サービス"))),
    );
    Outcome::one_if_any(evidence, |_| {
        Text::owned(
            "GlusterFS storage is deprecated and will lose support in later releases",
            "GlusterFS ストレージは非推奨で、今後のリリースでサポートされなくなります",
        )
    })
}

fn gluster_levels(f: &Facts) -> Outcome {
    if !uses_gluster(f) {
        return Outcome::skip(Text::new(
            "no Gluster storage is in use",
            "Gluster ストレージは使われていません",
        ));
    }
    if !f.enters(Level::new(4, 4)) {
        return Outcome::skip(Text::new(
            "the route does not move gluster hosts to 4.4",
            "この経路では Gluster ホストを 4.4 へ移しません",
        ));
    }
    let below = |level: Level| Text::same(format!("{level} < {V5_LEVEL}"));
    let mut evidence: Vec<Evidence> = f
        .inventory
        .data_centers
        .iter()
        .filter(|dc| dc.version < V5_LEVEL)
        .map(|dc| data_center_evidence(dc, below(dc.version)))
        .collect();
    evidence.extend(
        f.inventory
            .clusters
            .iter()
            .filter(|c| c.version < V5_LEVEL)
            .map(|c| cluster_evidence(c, below(c.version))),
    );
    Outcome::one_if_any(evidence, |n| {
        Text::owned(
            format!("{n} data center(s) or cluster(s) are below 4.3: the guide's Gluster upgrade to 4.4 starts only with everything at 4.3"),
            format!("{n} 個のデータセンターまたはクラスターが 4.3 未満です。ガイドの Gluster 環境の 4.4 へのアップグレードは、すべてが 4.3 でないと開始できません"),
        )
    })
}

#[cfg(test)]
mod tests {
    use model::{
        DomainRole, Legality, Level, StorageDomain, StorageDomainId, StorageDomainStatus,
        StorageType, Uuid,
    };

    use crate::testing::*;

    fn domain(
        inventory: &model::Inventory,
        name: &str,
        role: DomainRole,
        status: StorageDomainStatus,
    ) -> StorageDomain {
        StorageDomain {
            id: StorageDomainId(Uuid::derived("storage-domain", name)),
            name: name.into(),
            data_center: Some(inventory.data_centers[0].id),
            role,
            storage: StorageType::Nfs,
            status,
            master: false,
            hosted_engine: false,
            format_version: None,
            path: None,
        }
    }

    #[test]
    fn domain_states() {
        let mut inventory = clean();
        let inactive = domain(
            &inventory,
            "old-data",
            DomainRole::Data,
            StorageDomainStatus::Inactive,
        );
        let parked = domain(
            &inventory,
            "parked",
            DomainRole::Data,
            StorageDomainStatus::Maintenance,
        );
        inventory.storage_domains.extend([inactive, parked]);
        assert_eq!(
            evidence_names(&assert_fires("storage.domain-inactive", &inventory, None)),
            ["old-data"]
        );
        assert_eq!(
            evidence_names(&assert_fires(
                "storage.domain-maintenance",
                &inventory,
                None
            )),
            ["parked"]
        );
        assert_quiet("storage.domain-inactive", &clean(), None);
        assert_quiet("storage.domain-maintenance", &clean(), None);
    }

    #[test]
    fn export_and_iso_domains() {
        let mut inventory = clean();
        let export = domain(
            &inventory,
            "export",
            DomainRole::Export,
            StorageDomainStatus::Active,
        );
        let iso = domain(
            &inventory,
            "iso",
            DomainRole::Iso,
            StorageDomainStatus::Active,
        );
        inventory.storage_domains.extend([export, iso]);
        assert_eq!(
            evidence_names(&assert_fires("storage.export-domain", &inventory, None)),
            ["export"]
        );
        assert_eq!(
            evidence_names(&assert_fires("storage.iso-domain", &inventory, None)),
            ["iso"]
        );
        assert_quiet("storage.export-domain", &clean(), None);
        assert_quiet("storage.iso-domain", &clean(), None);
    }

    #[test]
    fn v4_domains_are_converted_when_the_data_center_reaches_4_3() {
        let mut inventory = clean_43();
        inventory.manager.version = v("4.2.8");
        inventory.manager.os = "el7.6".parse().unwrap();
        inventory.data_centers[0].version = Level::new(4, 2);
        inventory.storage_domains[0].format_version = Some(4);
        assert_fires("storage.format-upgrade", &inventory, Some("4.3.11"));
        assert_skipped("storage.format-upgrade", &inventory, Some("4.2.8"));
        assert_quiet("storage.format-upgrade", &clean_43(), Some("4.4.10"));
    }

    #[test]
    fn illegal_volumes_warn() {
        let mut inventory = clean();
        inventory.disks[0].volumes[0].legality = Legality::Illegal;
        let findings = assert_fires("disk.illegal-volumes", &inventory, None);
        assert!(
            findings[0].evidence[0].detail.en.contains("1 of 1"),
            "{findings:?}"
        );
        assert_quiet("disk.illegal-volumes", &clean(), None);
    }

    fn hyperconverged_43() -> model::Inventory {
        scenario::parse_scenario(
            r#"
name = "hc"
[manager]
version = "4.3.11"
deployment = "standalone"
os = "el7.9"
last_backup = "2026-11-20"
[[data_centers]]
name = "Default"
version = "4.3"
[[clusters]]
name = "hc"
version = "4.3"
gluster = true
hosts = { count = 3, memory = "256 GiB" }
[[gluster_volumes]]
name = "vmstore"
cluster = "hc"
"#,
            "hc.toml",
        )
        .unwrap()
    }

    #[test]
    fn gluster_heals_sessions_and_levels() {
        let mut inventory = hyperconverged_43();
        assert_fires("gluster.deprecated", &inventory, Some("4.4.10"));
        assert_quiet("gluster.deprecated", &clean(), None);
        for id in [
            "gluster.heals-pending",
            "gluster.geo-replication",
            "gluster.levels-below-4.3",
        ] {
            assert_quiet(id, &inventory, Some("4.4.10"));
        }
        inventory.gluster_volumes[0].pending_heals = 17;
        inventory.gluster_volumes[0].geo_replication = vec!["dr.example.com::vmstore-dr".into()];
        inventory.clusters[0].version = Level::new(4, 2);
        let heals = assert_fires("gluster.heals-pending", &inventory, Some("4.4.10"));
        assert_eq!(evidence_names(&heals), ["hc/vmstore"]);
        assert_fires("gluster.geo-replication", &inventory, Some("4.4.10"));
        assert_fires("gluster.levels-below-4.3", &inventory, Some("4.4.10"));
        assert_skipped("gluster.levels-below-4.3", &inventory, Some("4.3.11"));
        assert_skipped("gluster.levels-below-4.3", &clean_43(), Some("4.4.10"));
    }
}
