//! The Manager itself: its backup, its PKI, its extensions and where its databases live.

use model::{Certificate, DatabasePlacement, DwhPlacement, Extension, Level, Text};

use super::manager_evidence;
use crate::facts::Facts;
use crate::rule::*;

/// The Log Collection Analysis tool wants a backup at most two weeks old; so do we.
const BACKUP_MAX_AGE_DAYS: i64 = 14;

pub(super) const RULES: &[Rule] = &[
    Rule {
        id: "backup.none",
        severity: Severity::Fail,
        section: Section::Manager,
        scope: Scope::Manager,
        title: Text::new(
            "A successful engine-backup is recorded",
            "成功した engine-backup の記録がある",
        ),
        blocks: &[Stage::ManagerUpgrade, Stage::Recovery],
        fix: Text::new(
            "On the Manager machine: `engine-backup --scope=all --mode=backup --file=backup.bck --log=backup.log`, then copy backup.bck off the environment.",
            "Manager マシンで `engine-backup --scope=all --mode=backup --file=backup.bck --log=backup.log` を実行し、backup.bck を環境外のストレージへコピーします。",
        ),
        check: backup_none,
    },
    Rule {
        id: "backup.stale",
        severity: Severity::Warn,
        section: Section::Manager,
        scope: Scope::Manager,
        title: Text::new(
            "The last successful engine-backup is at most 14 days old",
            "最後に成功した engine-backup が 14 日以内",
        ),
        blocks: &[Stage::Recovery],
        fix: Text::new(
            "Take a fresh backup right before the window: `engine-backup --scope=all --mode=backup --file=backup.bck --log=backup.log`.",
            "作業直前に新しいバックアップを取得します: `engine-backup --scope=all --mode=backup --file=backup.bck --log=backup.log`。",
        ),
        check: backup_stale,
    },
    Rule {
        id: "pki.expired",
        severity: Severity::Fail,
        section: Section::Manager,
        scope: Scope::Certificate,
        title: Text::new(
            "No Manager certificate has expired",
            "期限切れの Manager 証明書がない",
        ),
        blocks: &[Stage::ManagerUpgrade, Stage::HostUpgrade],
        fix: Text::new(
            "Renew the PKI first: run `engine-setup` and answer Yes when it offers to renew the certificates, then enroll the hosts again (Compute › Hosts › Installation › Enroll Certificate).",
            "まず PKI を更新します。`engine-setup` を実行し、証明書の更新を提案されたら Yes と答え、その後ホストの証明書を登録し直します (コンピュート › ホスト › インストール › 証明書の登録)。",
        ),
        check: certificates_expired,
    },
    Rule {
        id: "pki.expiring-30-days",
        severity: Severity::Warn,
        section: Section::Manager,
        scope: Scope::Certificate,
        title: Text::new(
            "No Manager certificate expires within 30 days",
            "30 日以内に期限切れになる Manager 証明書がない",
        ),
        blocks: &[Stage::ManagerUpgrade],
        fix: Text::new(
            "Renew before the window: `engine-setup` offers to renew certificates that expire soon; answer Yes.",
            "作業前に更新します。`engine-setup` は期限が近い証明書の更新を提案するので Yes と答えます。",
        ),
        check: certificates_expiring_30,
    },
    Rule {
        id: "pki.expiring-90-days",
        severity: Severity::Info,
        section: Section::Manager,
        scope: Scope::Certificate,
        title: Text::new(
            "No Manager certificate expires within 90 days",
            "90 日以内に期限切れになる Manager 証明書がない",
        ),
        blocks: &[],
        fix: Text::new(
            "Plan the renewal; the next `engine-setup` run offers it.",
            "更新を計画します。次回の `engine-setup` 実行時に更新が提案されます。",
        ),
        check: certificates_expiring_90,
    },
    Rule {
        id: "pki.sha1-signature",
        severity: Severity::Warn,
        section: Section::Manager,
        scope: Scope::Certificate,
        title: Text::new(
            "Manager certificates are signed with SHA-256",
            "Manager 証明書が SHA-256 で署名されている",
        ),
        blocks: &[],
        fix: Text::new(
            "Follow the guide's \"Replacing SHA-1 certificates with SHA-256\": set `default_md = sha256` in /etc/pki/ovirt-engine/openssl.conf and re-sign the certificates with pki-enroll-pkcs12.sh (a self-hosted engine in global maintenance).",
            "ガイドの「SHA-1 証明書の SHA-256 証明書への置き換え」に従い、/etc/pki/ovirt-engine/openssl.conf を `default_md = sha256` にして pki-enroll-pkcs12.sh で証明書を署名し直します (セルフホストエンジンはグローバルメンテナンスモードで)。",
        ),
        check: sha1_signatures,
    },
    Rule {
        id: "pki.san-mismatch",
        severity: Severity::Warn,
        section: Section::Manager,
        scope: Scope::Certificate,
        title: Text::new(
            "The Manager's HTTPS certificate is valid for the Manager's FQDN",
            "Manager の HTTPS 証明書が Manager の FQDN に対して有効",
        ),
        blocks: &[],
        fix: Text::new(
            "Reach the Manager by a name its certificate carries, or give the certificate the FQDN as a subject alternative name: `/usr/share/ovirt-engine/setup/bin/ovirt-engine-rename` re-issues the engine's certificates for a new FQDN; a certificate from an external CA is re-issued by that CA.",
            "証明書に含まれる名前で Manager に接続するか、証明書のサブジェクト代替名に FQDN を加えます。`/usr/share/ovirt-engine/setup/bin/ovirt-engine-rename` は新しい FQDN でエンジンの証明書を発行し直します。外部 CA の証明書はその CA に再発行を依頼します。",
        ),
        check: names_mismatch,
    },
    Rule {
        id: "pki.external-ca",
        severity: Severity::Warn,
        section: Section::Manager,
        scope: Scope::Certificate,
        title: Text::new(
            "No certificate from an external CA needs attention on the move to 4.4",
            "4.4 への移行で対応が必要な外部 CA 証明書がない",
        ),
        blocks: &[Stage::ManagerUpgrade],
        fix: Text::new(
            "Before the upgrade follow the Administration Guide's \"Replacing the Manager CA certificate\", and add the CA certificate to the system trust store of every client (BZ#1313379).",
            "アップグレード前に管理ガイドの「Red Hat Virtualization Manager CA 証明書の置き換え」に従い、CA 証明書をすべてのクライアントのシステムトラストストアに追加します (BZ#1313379)。",
        ),
        check: external_ca,
    },
    Rule {
        id: "aaa.ldap-deprecated",
        severity: Severity::Warn,
        section: Section::Manager,
        scope: Scope::Manager,
        title: Text::new(
            "No deprecated aaa-ldap extension on a 4.4 or later target",
            "4.4 以降のターゲットで非推奨の aaa-ldap 拡張を使っていない",
        ),
        blocks: &[Stage::ManagerUpgrade],
        fix: Text::new(
            "Plan the move to Red Hat Single Sign-On or IdM. Until then, on the new Manager: `yum install ovirt-engine-extension-aaa-ldap` and copy /etc/ovirt-engine/extensions.d and /etc/ovirt-engine/aaa back before logging in.",
            "Red Hat Single Sign-On または IdM への移行を計画します。それまでは新しい Manager で `yum install ovirt-engine-extension-aaa-ldap` を実行し、/etc/ovirt-engine/extensions.d と /etc/ovirt-engine/aaa を戻してからログインします。",
        ),
        check: ldap_deprecated,
    },
    Rule {
        id: "manager.extensions-reinstall",
        severity: Severity::Info,
        section: Section::Manager,
        scope: Scope::Manager,
        title: Text::new(
            "No optional extension must be reinstalled by hand on the new Manager",
            "新しい Manager に手動で再インストールする拡張パッケージがない",
        ),
        blocks: &[],
        fix: Text::new(
            "On the new Manager, before `engine-setup`: `yum install` the extension packages and re-apply their configuration; the backup does not carry it.",
            "新しい Manager で `engine-setup` の前に拡張パッケージを `yum install` し、設定を手動で適用し直します。バックアップには含まれません。",
        ),
        check: extensions_reinstall,
    },
    Rule {
        id: "database.remote-postgresql",
        severity: Severity::Fail,
        section: Section::Manager,
        scope: Scope::Database,
        title: Text::new(
            "A remote engine database runs the target's PostgreSQL",
            "リモートの Manager データベースがターゲットの PostgreSQL で動作している",
        ),
        blocks: &[Stage::ManagerUpgrade],
        fix: Text::new(
            "Upgrade the database machine's PostgreSQL before engine-setup (guide: \"Upgrading remote databases\"): install the new server, `postgresql-setup --upgrade`, carry pg_hba.conf and the tuned postgresql.conf settings over.",
            "engine-setup の前にデータベースマシンの PostgreSQL をアップグレードします (ガイド「リモートデータベースのアップグレード」): 新しいサーバーをインストールし、`postgresql-setup --upgrade` を実行し、pg_hba.conf と調整済みの postgresql.conf 設定を引き継ぎます。",
        ),
        check: engine_database_version,
    },
    Rule {
        id: "database.remote-postgresql-unknown",
        severity: Severity::Warn,
        section: Section::Manager,
        scope: Scope::Database,
        title: Text::new(
            "The PostgreSQL version of a remote engine database is known",
            "リモートの Manager データベースの PostgreSQL バージョンが分かっている",
        ),
        blocks: &[],
        fix: Text::new(
            "Read it on the database machine (`psql -c 'SHOW server_version'`) and record it in the inventory (`database_postgresql`).",
            "データベースマシンで確認し (`psql -c 'SHOW server_version'`)、インベントリーに記録します (`database_postgresql`)。",
        ),
        check: engine_database_unknown,
    },
    Rule {
        id: "dwh.remote-postgresql",
        severity: Severity::Fail,
        section: Section::Manager,
        scope: Scope::Database,
        title: Text::new(
            "A remote Data Warehouse database runs the target's PostgreSQL",
            "リモートの Data Warehouse データベースがターゲットの PostgreSQL で動作している",
        ),
        blocks: &[Stage::ManagerUpgrade],
        fix: Text::new(
            "Stop ovirt-engine-dwhd and upgrade the Data Warehouse machine's PostgreSQL before engine-setup, as for the engine database.",
            "engine-setup の前に ovirt-engine-dwhd を停止し、Manager データベースと同じ手順で Data Warehouse マシンの PostgreSQL をアップグレードします。",
        ),
        check: dwh_database_version,
    },
    Rule {
        id: "dwh.remote-postgresql-unknown",
        severity: Severity::Warn,
        section: Section::Manager,
        scope: Scope::Database,
        title: Text::new(
            "The PostgreSQL version of a remote Data Warehouse database is known",
            "リモートの Data Warehouse データベースの PostgreSQL バージョンが分かっている",
        ),
        blocks: &[],
        fix: Text::new(
            "Read it on the Data Warehouse machine (`psql -c 'SHOW server_version'`) and record it in the inventory (`dwh_postgresql`).",
            "Data Warehouse マシンで確認し (`psql -c 'SHOW server_version'`)、インベントリーに記録します (`dwh_postgresql`)。",
        ),
        check: dwh_database_unknown,
    },
    Rule {
        id: "dwh.remote-machine",
        severity: Severity::Info,
        section: Section::Manager,
        scope: Scope::Database,
        title: Text::new(
            "No remote Data Warehouse machine must be reinstalled for 4.4",
            "4.4 のために再インストールするリモート Data Warehouse マシンがない",
        ),
        blocks: &[],
        fix: Text::new(
            "After the Manager: `engine-backup` on the Data Warehouse machine, reinstall it with RHEL 8, install ovirt-engine-dwh-setup, `engine-backup --mode=restore --provision-all-databases`, `engine-setup`, then restart ovirt-engine on the Manager.",
            "Manager の後で、Data Warehouse マシンで `engine-backup` を取得し、RHEL 8 で再インストールして ovirt-engine-dwh-setup をインストールし、`engine-backup --mode=restore --provision-all-databases` と `engine-setup` を実行してから、Manager の ovirt-engine を再起動します。",
        ),
        check: dwh_machine,
    },
];

fn backup_none(f: &Facts) -> Outcome {
    if f.inventory.manager.last_backup.is_some() {
        return Outcome::pass();
    }
    Outcome::Found(vec![Finding::new(
        Text::owned(
            "No successful engine-backup is recorded for this Manager: without one a failed upgrade cannot be rolled back",
            "この Manager には成功した engine-backup の記録がありません。バックアップがないと、失敗したアップグレードを元に戻せません",
        ),
        vec![manager_evidence(f, Text::owned("last backup: none", "最終バックアップ: なし"))],
    )])
}

fn backup_stale(f: &Facts) -> Outcome {
    let Some(date) = f.inventory.manager.last_backup else {
        return Outcome::skip(Text::new(
            "no backup is recorded (backup.none)",
            "バックアップの記録がありません (backup.none)",
        ));
    };
    let age = date.days_until(f.now);
    if age <= BACKUP_MAX_AGE_DAYS {
        return Outcome::pass();
    }
    let now = f.now;
    Outcome::Found(vec![Finding::new(
        Text::owned(
            format!("The last successful engine-backup is from {date}, {age} days before {now}"),
            format!("最後に成功した engine-backup は {date} のもので、{now} の {age} 日前です"),
        ),
        vec![manager_evidence(
            f,
            Text::owned(
                format!("last backup: {date}"),
                format!("最終バックアップ: {date}"),
            ),
        )],
    )])
}

fn certificate_evidence(certificate: &Certificate, detail: Text) -> Evidence {
    Evidence::new(Scope::Certificate, &certificate.name, None, detail)
}

/// Certificates whose days left (negative once expired) fall in `days`.
fn expiring(f: &Facts, days: std::ops::RangeInclusive<i64>) -> Vec<Evidence> {
    f.inventory
        .manager
        .certificates
        .iter()
        .filter_map(|c| {
            let left = f.now.days_until(c.not_after);
            days.contains(&left).then(|| {
                let date = c.not_after;
                let detail = if left < 0 {
                    Text::owned(
                        format!("expired on {date} ({} days ago)", -left),
                        format!("{date} に期限切れ ({} 日前)", -left),
                    )
                } else {
                    Text::owned(
                        format!("expires on {date} (in {left} days)"),
                        format!("{date} に期限切れ (残り {left} 日)"),
                    )
                };
                certificate_evidence(c, detail)
            })
        })
        .collect()
}

fn certificates_expired(f: &Facts) -> Outcome {
    Outcome::one_if_any(expiring(f, i64::MIN..=-1), |n| {
        Text::owned(
            format!("{n} certificate(s) of the Manager have expired: hosts and clients can no longer trust the Manager"),
            format!("Manager の証明書 {n} 件が期限切れです。ホストやクライアントが Manager を信頼できません"),
        )
    })
}

fn certificates_expiring_30(f: &Facts) -> Outcome {
    Outcome::one_if_any(expiring(f, 0..=30), |n| {
        Text::owned(
            format!("{n} certificate(s) expire within 30 days: one that expires during the window makes the environment unreachable"),
            format!("{n} 件の証明書が 30 日以内に期限切れになります。作業中に期限が切れると環境に接続できなくなります"),
        )
    })
}

fn certificates_expiring_90(f: &Facts) -> Outcome {
    Outcome::one_if_any(expiring(f, 31..=90), |n| {
        Text::owned(
            format!("{n} certificate(s) expire within 90 days"),
            format!("{n} 件の証明書が 90 日以内に期限切れになります"),
        )
    })
}

fn sha1_signatures(f: &Facts) -> Outcome {
    let evidence = f
        .inventory
        .manager
        .certificates
        .iter()
        .filter(|c| c.is_sha1())
        .map(|c| certificate_evidence(c, Text::same(c.signature_algorithm.clone())))
        .collect();
    Outcome::one_if_any(evidence, |n| {
        Text::owned(
            format!("{n} certificate(s) are signed with SHA-1: browsers and newer clients refuse or warn about them"),
            format!("{n} 件の証明書が SHA-1 で署名されています。ブラウザーや新しいクライアントは拒否するか警告を出します"),
        )
    })
}

fn names_mismatch(f: &Facts) -> Outcome {
    let fqdn = &f.inventory.manager.fqdn;
    if fqdn.is_empty() {
        return Outcome::skip(Text::new(
            "the Manager's FQDN is not recorded",
            "Manager の FQDN が記録されていません",
        ));
    }
    let evidence = f
        .inventory
        .manager
        .certificates
        .iter()
        .filter(|c| c.is_valid_for(fqdn) == Some(false))
        .map(|c| {
            let names = c
                .subject_alt_names
                .as_deref()
                .unwrap_or_default()
                .join(", ");
            let detail = if names.is_empty() {
                Text::owned("no subject alternative name", "サブジェクト代替名なし")
            } else {
                Text::owned(
                    format!("valid for: {names}"),
                    format!("有効な名前: {names}"),
                )
            };
            certificate_evidence(c, detail)
        })
        .collect();
    Outcome::one_if_any(evidence, |n| {
        Text::owned(
            format!("{n} certificate(s) are not valid for {fqdn}: clients that check names (the SDK, Ansible, browsers) refuse the connection"),
            format!("{n} 件の証明書が {fqdn} に対して有効ではありません。名前を確認するクライアント (SDK、Ansible、ブラウザー) は接続を拒否します"),
        )
    })
}

fn external_ca(f: &Facts) -> Outcome {
    if !f.enters(Level::new(4, 4)) {
        return Outcome::skip(Text::new(
            "the route does not restore the Manager onto 4.4",
            "この経路では Manager を 4.4 へ復元しません",
        ));
    }
    let evidence = f
        .inventory
        .manager
        .certificates
        .iter()
        .filter(|c| c.external_ca)
        .map(|c| certificate_evidence(c, Text::owned("issued by an external CA", "外部 CA が発行")))
        .collect();
    Outcome::one_if_any(evidence, |n| {
        Text::owned(
            format!("{n} certificate(s) come from an external CA: the backup carries them to the 4.4 Manager, but clients must trust that CA"),
            format!("{n} 件の証明書が外部 CA のものです。バックアップで 4.4 Manager に引き継がれますが、クライアントがその CA を信頼している必要があります"),
        )
    })
}

fn ldap_deprecated(f: &Facts) -> Outcome {
    if !f.inventory.manager.extensions.contains(&Extension::AaaLdap)
        || f.target.line() < Level::new(4, 4)
    {
        return Outcome::pass();
    }
    let target = f.target;
    Outcome::Found(vec![Finding::new(
        Text::owned(
            format!("ovirt-engine-extension-aaa-ldap is deprecated for Manager {target}, and an upgrade through a backup does not carry its configuration"),
            format!("ovirt-engine-extension-aaa-ldap は Manager {target} では非推奨で、バックアップ経由のアップグレードでは設定が引き継がれません"),
        ),
        vec![manager_evidence(f, Text::same("ovirt-engine-extension-aaa-ldap"))],
    )])
}

fn extensions_reinstall(f: &Facts) -> Outcome {
    if !f.enters(Level::new(4, 4)) {
        return Outcome::skip(Text::new(
            "the route does not restore the Manager onto a new machine",
            "この経路では Manager を新しいマシンへ復元しません",
        ));
    }
    // aaa-jdbc (the internal domain) comes with the engine itself.
    let evidence = f
        .inventory
        .manager
        .extensions
        .iter()
        .filter(|e| **e != Extension::AaaJdbc)
        .map(|e| manager_evidence(f, Text::same(format!("ovirt-engine-extension-{e}"))))
        .collect();
    Outcome::one_if_any(evidence, |n| {
        Text::owned(
            format!("{n} extension package(s) must be installed again on the 4.4 Manager and configured by hand"),
            format!("{n} 個の拡張パッケージを 4.4 Manager に再インストールし、手動で設定する必要があります"),
        )
    })
}

/// One of the Manager's two databases, as the rules about remote PostgreSQL see it.
struct Database<'a> {
    /// Its default name in PostgreSQL.
    name: &'static str,
    what: Text,
    /// None when it is not installed at all.
    remote: Option<bool>,
    postgresql: Option<&'a str>,
}

fn engine_database<'a>(f: &Facts<'a>) -> Database<'a> {
    let db = &f.inventory.manager.database;
    Database {
        name: "engine",
        what: Text::new("engine database", "Manager データベース"),
        remote: Some(db.placement == DatabasePlacement::Remote),
        postgresql: db.postgresql.as_deref(),
    }
}

fn dwh_database<'a>(f: &Facts<'a>) -> Database<'a> {
    let dwh = &f.inventory.manager.dwh;
    Database {
        name: "ovirt_engine_history",
        what: Text::new("Data Warehouse database", "Data Warehouse データベース"),
        remote: match dwh.placement {
            DwhPlacement::None => None,
            placement => Some(placement == DwhPlacement::Remote),
        },
        postgresql: dwh.postgresql.as_deref(),
    }
}

/// Skips a database that is local or absent; engine-setup upgrades a local one itself.
fn remote_only(db: &Database) -> Option<Outcome> {
    match db.remote {
        None => Some(Outcome::skip(Text::new(
            "Data Warehouse is not installed",
            "Data Warehouse はインストールされていません",
        ))),
        Some(false) => Some(Outcome::skip(Text::new(
            "the database is local: engine-setup upgrades it",
            "データベースはローカルにあり、engine-setup がアップグレードします",
        ))),
        Some(true) => None,
    }
}

/// Whether a remote database runs the PostgreSQL the target needs.
fn remote_version(f: &Facts, db: Database) -> Outcome {
    if let Some(skipped) = remote_only(&db) {
        return skipped;
    }
    let needed = f.target_release.postgresql;
    match db.postgresql {
        Some(running) if running.trim() != needed => {
            let (target, what) = (f.target, db.what);
            Outcome::Found(vec![Finding::new(
                Text::owned(
                    format!("The remote {} runs PostgreSQL {running}; Manager {target} needs PostgreSQL {needed}", what.en),
                    format!("リモートの {}は PostgreSQL {running} で動作していますが、Manager {target} には PostgreSQL {needed} が必要です", what.ja),
                ),
                vec![Evidence::new(
                    Scope::Database,
                    db.name,
                    None,
                    Text::same(format!("PostgreSQL {running} → {needed}")),
                )],
            )])
        }
        _ => Outcome::pass(),
    }
}

fn engine_database_version(f: &Facts) -> Outcome {
    remote_version(f, engine_database(f))
}

fn dwh_database_version(f: &Facts) -> Outcome {
    remote_version(f, dwh_database(f))
}

fn unknown_version(db: Database) -> Outcome {
    if let Some(skipped) = remote_only(&db) {
        return skipped;
    }
    if db.postgresql.is_some() {
        return Outcome::pass();
    }
    let what = db.what;
    Outcome::Found(vec![Finding::new(
        Text::owned(
            format!("The PostgreSQL version of the remote {} is not known, so it cannot be compared with the target's", what.en),
            format!("リモートの {}の PostgreSQL バージョンが不明なため、ターゲットと比較できません", what.ja),
        ),
        vec![Evidence::new(Scope::Database, db.name, None, Text::same("PostgreSQL ?"))],
    )])
}

fn engine_database_unknown(f: &Facts) -> Outcome {
    unknown_version(engine_database(f))
}

fn dwh_database_unknown(f: &Facts) -> Outcome {
    unknown_version(dwh_database(f))
}

fn dwh_machine(f: &Facts) -> Outcome {
    if f.inventory.manager.dwh.placement != DwhPlacement::Remote || !f.enters(Level::new(4, 4)) {
        return Outcome::pass();
    }
    Outcome::Found(vec![Finding::new(
        Text::owned(
            "Data Warehouse runs on its own machine: after the Manager it is backed up, reinstalled with RHEL 8 and restored",
            "Data Warehouse は別のマシンで動作しています。Manager の後で、バックアップ、RHEL 8 での再インストール、復元を行います",
        ),
        vec![Evidence::new(Scope::Database, dwh_database(f).name, None, Text::owned("remote", "リモート"))],
    )])
}

#[cfg(test)]
mod tests {
    use model::{Certificate, DatabasePlacement, DwhPlacement, Extension};

    use crate::testing::*;

    fn certificate(name: &str, signature: &str, not_after: &str, external_ca: bool) -> Certificate {
        Certificate {
            name: name.into(),
            signature_algorithm: signature.into(),
            not_after: not_after.parse().unwrap(),
            external_ca,
            subject_alt_names: None,
        }
    }

    #[test]
    fn a_missing_backup_fails_and_an_old_one_warns() {
        let mut none = clean();
        none.manager.last_backup = None;
        assert_fires("backup.none", &none, None);
        assert_quiet("backup.none", &clean(), None);
        assert_skipped("backup.stale", &none, None);

        let mut old = clean();
        old.manager.last_backup = Some("2026-11-08".parse().unwrap());
        let findings = assert_fires("backup.stale", &old, None);
        assert!(findings[0].message.en.contains("15 days"), "{findings:?}");
        old.manager.last_backup = Some("2026-11-09".parse().unwrap());
        assert_quiet("backup.stale", &old, None);
    }

    #[test]
    fn certificate_expiry_is_graded_by_days_left() {
        let mut inventory = clean();
        inventory.manager.certificates = vec![
            certificate("engine", "sha256WithRSAEncryption", "2026-11-22", false),
            certificate("apache", "sha256WithRSAEncryption", "2026-12-23", false),
            certificate(
                "websocket-proxy",
                "sha256WithRSAEncryption",
                "2027-02-21",
                false,
            ),
            certificate("ca", "sha256WithRSAEncryption", "2027-02-22", false),
        ];
        assert_eq!(
            evidence_names(&assert_fires("pki.expired", &inventory, None)),
            ["engine"]
        );
        assert_eq!(
            evidence_names(&assert_fires("pki.expiring-30-days", &inventory, None)),
            ["apache"]
        );
        assert_eq!(
            evidence_names(&assert_fires("pki.expiring-90-days", &inventory, None)),
            ["websocket-proxy"]
        );
        for id in [
            "pki.expired",
            "pki.expiring-30-days",
            "pki.expiring-90-days",
        ] {
            assert_quiet(id, &clean(), None);
        }
    }

    #[test]
    fn sha1_and_external_ca_certificates() {
        let mut inventory = clean_43();
        inventory.manager.certificates = vec![
            certificate("engine", "sha1WithRSAEncryption", "2030-01-01", false),
            certificate("apache", "sha256WithRSAEncryption", "2030-01-01", true),
        ];
        assert_eq!(
            evidence_names(&assert_fires(
                "pki.sha1-signature",
                &inventory,
                Some("4.4.10")
            )),
            ["engine"]
        );
        assert_quiet("pki.sha1-signature", &clean_43(), Some("4.4.10"));
        assert_eq!(
            evidence_names(&assert_fires("pki.external-ca", &inventory, Some("4.4.10"))),
            ["apache"]
        );
        assert_skipped("pki.external-ca", &inventory, Some("4.3.11"));
        assert_quiet("pki.external-ca", &clean_43(), Some("4.4.10"));
    }

    #[test]
    fn a_server_certificate_without_the_managers_fqdn_warns() {
        let mut inventory = clean();
        inventory.manager.fqdn = "engine.example.com".into();
        let named = |names: &[&str]| Certificate {
            subject_alt_names: Some(names.iter().map(|n| n.to_string()).collect()),
            ..certificate("apache", "sha256WithRSAEncryption", "2030-01-01", false)
        };
        inventory.manager.certificates = vec![
            certificate("ca", "sha256WithRSAEncryption", "2030-01-01", false),
            named(&["engine.example.com"]),
        ];
        assert_quiet("pki.san-mismatch", &inventory, None);
        inventory.manager.certificates[1] = named(&["localhost", "127.0.0.1"]);
        let findings = assert_fires("pki.san-mismatch", &inventory, None);
        assert_eq!(
            evidence_names(&findings),
            ["apache"],
            "the CA's names were not read"
        );
        assert!(
            findings[0].evidence[0]
                .detail
                .en
                .contains("localhost, 127.0.0.1"),
            "{findings:?}"
        );
        inventory.manager.certificates[1] = named(&[]);
        assert!(
            assert_fires("pki.san-mismatch", &inventory, None)[0].evidence[0]
                .detail
                .en
                .contains("no subject alternative name")
        );
        inventory.manager.fqdn.clear();
        assert_skipped("pki.san-mismatch", &inventory, None);
    }

    #[test]
    fn extensions_on_the_move_to_4_4() {
        let mut inventory = clean_43();
        inventory.manager.extensions =
            vec![Extension::AaaLdap, Extension::AaaMisc, Extension::AaaJdbc];
        assert_fires("aaa.ldap-deprecated", &inventory, Some("4.4.10"));
        assert_quiet("aaa.ldap-deprecated", &inventory, Some("4.3.11"));
        assert_quiet("aaa.ldap-deprecated", &clean_43(), Some("4.4.10"));
        let findings = assert_fires("manager.extensions-reinstall", &inventory, Some("4.4.10"));
        assert_eq!(
            findings[0].evidence.len(),
            2,
            "aaa-jdbc comes with the engine"
        );
        assert_quiet("manager.extensions-reinstall", &clean_43(), Some("4.4.10"));
    }

    #[test]
    fn remote_databases_must_run_the_targets_postgresql() {
        let mut inventory = clean_43();
        inventory.manager.database.placement = DatabasePlacement::Remote;
        inventory.manager.database.postgresql = Some("10".into());
        inventory.manager.dwh.placement = DwhPlacement::Remote;
        inventory.manager.dwh.postgresql = Some("10".into());
        assert_fires("database.remote-postgresql", &inventory, Some("4.4.10"));
        assert_fires("dwh.remote-postgresql", &inventory, Some("4.4.10"));
        assert_fires("dwh.remote-machine", &inventory, Some("4.4.10"));
        assert_quiet("database.remote-postgresql", &inventory, Some("4.3.11"));
        assert_quiet("dwh.remote-postgresql", &inventory, Some("4.3.11"));
        assert_quiet("dwh.remote-machine", &inventory, Some("4.3.11"));
        assert_skipped("database.remote-postgresql", &clean_43(), Some("4.4.10"));
        assert_skipped("dwh.remote-postgresql", &clean_43(), Some("4.4.10"));
        assert_quiet("dwh.remote-machine", &clean_43(), Some("4.4.10"));

        assert_quiet(
            "database.remote-postgresql-unknown",
            &inventory,
            Some("4.4.10"),
        );
        assert_quiet("dwh.remote-postgresql-unknown", &inventory, Some("4.4.10"));
        inventory.manager.database.postgresql = None;
        inventory.manager.dwh.postgresql = None;
        assert_fires(
            "database.remote-postgresql-unknown",
            &inventory,
            Some("4.4.10"),
        );
        assert_fires("dwh.remote-postgresql-unknown", &inventory, Some("4.4.10"));
        assert_quiet("database.remote-postgresql", &inventory, Some("4.4.10"));
        assert_skipped(
            "database.remote-postgresql-unknown",
            &clean_43(),
            Some("4.4.10"),
        );

        let mut no_dwh = clean_43();
        no_dwh.manager.dwh.placement = DwhPlacement::None;
        let report = run(&no_dwh, Some("4.4.10"));
        let result = report
            .results
            .iter()
            .find(|r| r.rule.id == "dwh.remote-postgresql")
            .unwrap();
        assert!(result.skip_reason().unwrap().en.contains("not installed"));
    }
}
