//! Databases and Data Warehouse on machines of their own (chapter 3): PostgreSQL 9.5 → 10 before
//! 4.3 (§3.2.5), the Data Warehouse machine's own 4.3 upgrade (§3.2.6.1), and its move to 4.4
//! (§3.1.6).

use super::manager::in_place_upgrade_steps;
use super::sources::Proc;
use super::{check, look, Ctx, SectionBuilder, SETUP_SUCCEEDED};
use crate::step::{Command, RunsOn, Section};
use model::Text;

use crate::text::tr;

/// The settings §3.2.5 puts into postgresql.conf.
const POSTGRESQL_SETTINGS: &str = "listen_addresses='*'\n\
     autovacuum_vacuum_scale_factor=0.01\n\
     autovacuum_analyze_scale_factor=0.075\n\
     autovacuum_max_workers=6\n\
     maintenance_work_mem=65536\n\
     max_connections=150\n\
     work_mem = 8192";

/// One remote database whose PostgreSQL moves to the new major version.
struct RemoteDatabase {
    prefix: &'static str,
    runs_on: RunsOn,
    title: Text,
    /// Where the service that uses the database runs, and its name.
    service_host: RunsOn,
    service: &'static str,
}

/// §3.2.5, once per database that lives on another machine.
pub(crate) fn remote_postgresql_10(ctx: &Ctx) -> Vec<Section> {
    let options = ctx.opts();
    let mut databases = Vec::new();
    if options.remote_engine_db {
        databases.push(RemoteDatabase {
            prefix: "engine-db-",
            runs_on: RunsOn::DatabaseMachine,
            title: tr(
                "the remote engine database",
                "リモートの Manager データベース",
            ),
            service_host: RunsOn::Manager,
            service: "ovirt-engine",
        });
    }
    if options.remote_dwh {
        databases.push(RemoteDatabase {
            prefix: "dwh-db-",
            runs_on: RunsOn::DwhMachine,
            title: tr(
                "the remote Data Warehouse database",
                "リモートの Data Warehouse データベース",
            ),
            service_host: RunsOn::DwhMachine,
            service: "ovirt-engine-dwhd",
        });
    }
    databases
        .iter()
        .map(|database| postgresql_upgrade(ctx, database))
        .collect()
}

fn postgresql_upgrade(ctx: &Ctx, database: &RemoteDatabase) -> Section {
    let old = ctx.hop.source_release();
    let new = ctx.hop.target_release();
    let (old_pkg, new_pkg) = (old.postgresql_package, new.postgresql_package);
    let (old_version, new_version) = (old.postgresql, new.postgresql);
    let p = database.prefix;
    let on = database.runs_on;
    let key = |name: &str| format!("{p}{name}");
    let mut section = ctx.section(
        &format!("{p}postgresql"),
        ctx.cite(Proc::RemotePostgresql),
        tr(
            format!(
                "Upgrade {} from PostgreSQL {old_version} to {new_version}",
                database.title.en
            ),
            format!(
                "{}を PostgreSQL {old_version} から {new_version} にアップグレードする",
                database.title.ja
            ),
        ),
    );
    section.add(
        section
            .step(
                &key("stop-service"),
                database.service_host,
                tr(
                    format!("Stop {}", database.service),
                    format!("{} を停止する", database.service),
                ),
                tr(
                    format!(
                        "{} {new_version} replaces PostgreSQL {old_version}. A local database is \
                         upgraded by engine-setup; a remote one must be upgraded by hand before \
                         the Manager, starting by stopping the service that uses it.",
                        ctx.hop.to.line()
                    ),
                    format!(
                        "{} では PostgreSQL {old_version} に代わって {new_version} を使います。ローカルのデータベースは engine-setup が自動でアップグレードしますが、リモートのものは Manager より先に手作業でアップグレードする必要があります。まず、そのデータベースを使うサービスを停止します。",
                        ctx.hop.to.line()
                    ),
                ),
            )
            .run(format!("systemctl stop {}", database.service)),
    );
    section.add(
        section
            .step(
                &key("repositories"),
                on,
                tr(
                    format!("Enable a repository that carries PostgreSQL {new_version}"),
                    format!("PostgreSQL {new_version} を含むリポジトリーを有効にする"),
                ),
                tr(
                    "Either the Manager repository or the Software Collections one provides it.",
                    "Manager のリポジトリーか Software Collections のリポジトリーのどちらかで入手できます。",
                ),
            )
            .run(format!(
                "subscription-manager repos --enable=rhel-7-server-rhv-{}-manager-rpms",
                ctx.hop.to.line()
            ))
            .cmd(
                Command::shell("subscription-manager repos --enable rhel-server-rhscl-7-rpms")
                    .noted(tr(
                        "or, instead, the Software Collections repository",
                        "または、代わりに Software Collections のリポジトリー",
                    )),
            ),
    );
    section.add(
        section
            .step(
                &key("install-postgresql"),
                on,
                tr(
                    format!("Install PostgreSQL {new_version}"),
                    format!("PostgreSQL {new_version} をインストールする"),
                ),
                tr(
                    "The server and its contrib modules.",
                    "サーバー本体と contrib モジュールです。",
                ),
            )
            .run(format!(
                "yum install {new_pkg} {new_pkg}-postgresql-contrib"
            )),
    );
    section.add(
        section
            .step(
                &key("stop-old-postgresql"),
                on,
                tr(
                    format!("Stop and disable PostgreSQL {old_version}"),
                    format!("PostgreSQL {old_version} を停止して無効にする"),
                ),
                tr(
                    "The old server must be down while its data is converted.",
                    "データの変換中、古いサーバーは停止している必要があります。",
                ),
            )
            .run(format!("systemctl stop {old_pkg}-postgresql"))
            .run(format!("systemctl disable {old_pkg}-postgresql")),
    );
    section.add(
        section
            .step(
                &key("upgrade-data"),
                on,
                tr(
                    format!("Convert the data to PostgreSQL {new_version}"),
                    format!("データを PostgreSQL {new_version} 形式に変換する"),
                ),
                tr(
                    "postgresql-setup copies the old cluster into the new version's data directory.",
                    "postgresql-setup が古いクラスターを新しいバージョンのデータディレクトリーに移します。",
                ),
            )
            .run(format!(
                "scl enable {new_pkg} -- postgresql-setup --upgrade-from={old_pkg}-postgresql \
                 --upgrade"
            )),
    );
    let service = format!("{new_pkg}-postgresql.service");
    section.add(
        section
            .step(
                &key("start-postgresql"),
                on,
                tr(
                    format!("Start and enable PostgreSQL {new_version}"),
                    format!("PostgreSQL {new_version} を起動して有効にする"),
                ),
                tr(
                    "Start the new server, enable it at boot, and check that it runs.",
                    "新しいサーバーを起動し、起動時に有効にして、動作していることを確認します。",
                ),
            )
            .run(format!("systemctl start {service}"))
            .run(format!("systemctl enable {service}"))
            .run(format!("systemctl status {service}"))
            .verify(check(
                Command::shell(format!("systemctl status {service}")),
                Some("Active: active (running)"),
                tr(
                    "The status shows the service loaded, enabled and running.",
                    "ステータスでサービスが loaded、enabled、running と表示されること。",
                ),
            )),
    );
    section.add(
        section
            .step(
                &key("settings"),
                on,
                tr(
                    "Carry over the client rules and set the server parameters",
                    "クライアント設定を引き継ぎ、サーバーのパラメーターを設定する",
                ),
                tr(
                    "pg_hba.conf comes over from the old data directory; postgresql.conf gets \
                     the parameters the engine needs; a restart applies them.",
                    "pg_hba.conf は古いデータディレクトリーからコピーし、postgresql.conf には Manager が必要とするパラメーターを設定し、再起動して反映させます。",
                ),
            )
            .run(format!(
                "cp -p /var/opt/rh/{old_pkg}/lib/pgsql/data/pg_hba.conf \
                 /var/opt/rh/{new_pkg}/lib/pgsql/data/pg_hba.conf"
            ))
            .file(
                &format!("/var/opt/rh/{new_pkg}/lib/pgsql/data/postgresql.conf"),
                POSTGRESQL_SETTINGS,
            )
            .run(format!("systemctl restart {service}")),
    );
    section.build()
}

/// §3.2.6.1: with Data Warehouse elsewhere, the Manager's own dwhd goes, and the Data Warehouse
/// machine is upgraded like the Manager.
pub(crate) fn finish_remote_dwh_43(ctx: &Ctx) -> Section {
    let mut section = ctx.section(
        "finish-remote-dwh",
        ctx.cite(Proc::RemoteDwhFinish43),
        tr(
            "Finish the remote Data Warehouse upgrade",
            "リモート Data Warehouse のアップグレードを完了する",
        ),
    );
    section.add(
        section
            .step(
                "stop-manager-dwhd",
                RunsOn::Manager,
                tr(
                    "Stop the Data Warehouse service on the Manager machine",
                    "Manager マシン上の Data Warehouse サービスを停止する",
                ),
                tr(
                    "After the upgrade ovirt-engine-dwhd runs on the Manager machine. With Data \
                     Warehouse on another machine, stop and disable it here and delete the \
                     configuration engine-setup created.",
                    "アップグレード後、ovirt-engine-dwhd は Manager マシン上で動いています。Data Warehouse が別のマシンにある場合は、ここで停止・無効化し、engine-setup が作った設定ファイルを削除します。",
                ),
            )
            .run("systemctl stop ovirt-engine-dwhd")
            .run("systemctl disable ovirt-engine-dwhd")
            .run("rm -f /etc/ovirt-engine-dwh/ovirt-engine-dwhd.conf.d/*"),
    );
    in_place_upgrade_steps(&mut section, ctx, "dwh-", RunsOn::DwhMachine, false);
    section.build()
}

fn restore_steps(section: &mut SectionBuilder) {
    section.add(
        section
            .step(
                "dwh-restore",
                RunsOn::DwhMachine,
                tr(
                    "Restore the Data Warehouse backup",
                    "Data Warehouse のバックアップをリストアする",
                ),
                tr(
                    "Copy the backup from the storage device onto the Data Warehouse machine, then \
                     restore it.",
                    "ストレージデバイスから Data Warehouse マシンへバックアップをコピーし、リストアします。",
                ),
            )
            .run("engine-backup --mode=restore --file=backup.bck --provision-all-databases"),
    );
    section.add(
        section
            .step(
                "dwh-engine-setup",
                RunsOn::DwhMachine,
                tr(
                    "Run engine-setup on the Data Warehouse machine",
                    "Data Warehouse マシンで engine-setup を実行する",
                ),
                tr(
                    "It configures Data Warehouse 4.4 against the restored database.",
                    "リストアしたデータベースに対して Data Warehouse 4.4 を設定します。",
                ),
            )
            .run("engine-setup")
            .warn(super::warnings::never_interrupt_setup())
            .verify(check(
                Command::shell("engine-setup"),
                Some(SETUP_SUCCEEDED),
                tr(
                    "engine-setup ends with this line.",
                    "engine-setup がこの行で終わること。",
                ),
            )),
    );
    section.add(
        section
            .step(
                "dwh-restart-engine",
                RunsOn::Manager,
                tr(
                    "Restart the Manager so it connects to Data Warehouse",
                    "Data Warehouse に接続するため Manager を再起動する",
                ),
                tr(
                    "The Manager picks up the Data Warehouse database on restart.",
                    "再起動すると Manager は Data Warehouse データベースに接続します。",
                ),
            )
            .run("systemctl restart ovirt-engine"),
    );
}

/// §3.1.6: the Data Warehouse machine is reinstalled on EL8 and restored, like the Manager.
pub(crate) fn remote_dwh_44(ctx: &Ctx) -> Section {
    let mut section = ctx.section(
        "remote-dwh",
        ctx.cite(Proc::RemoteDwh44),
        tr(
            "Upgrade the remote Data Warehouse service and database",
            "リモートの Data Warehouse サービスとデータベースをアップグレードする",
        ),
    );
    section.add(
        section
            .step(
                "dwh-backup",
                RunsOn::DwhMachine,
                tr(
                    "Back up the Data Warehouse machine",
                    "Data Warehouse マシンをバックアップする",
                ),
                tr(
                    "Log in to the Data Warehouse machine. Under 4.4 the same command also covers \
                     the Grafana service and database (Grafana did not exist in 4.3).",
                    "Data Warehouse マシンにログインします。4.4 では同じコマンドで Grafana のサービスとデータベースもバックアップされます (4.3 には Grafana はありません)。",
                ),
            )
            .prereq(tr(
                "A storage device outside the RHV environment to keep the backup on.",
                "バックアップを保管するための、RHV 環境外のストレージデバイスがある。",
            ))
            .run("engine-backup --file=<backupfile>")
            .verify(look(tr(
                "The backup file exists and is copied to the storage device.",
                "バックアップファイルが作成され、ストレージデバイスにコピーされていること。",
            ))),
    );
    section.add(
        section
            .step(
                "dwh-stop",
                RunsOn::DwhMachine,
                tr(
                    "Stop and disable Data Warehouse",
                    "Data Warehouse を停止して無効にする",
                ),
                tr(
                    "Nothing may write to the database between the backup and the reinstallation.",
                    "バックアップから再インストールまでの間、データベースに書き込ませないためです。",
                ),
            )
            .run("systemctl stop ovirt-engine-dwhd")
            .run("systemctl disable ovirt-engine-dwhd"),
    );
    section.add(section.step(
        "dwh-reinstall",
        RunsOn::DwhMachine,
        tr(
            "Reinstall the machine with RHEL 8.6 or RHVH 4.4",
            "マシンを RHEL 8.6 または RHVH 4.4 で再インストールする",
        ),
        tr(
            "Then prepare PostgreSQL as the Installation Guide's \"Preparing a remote PostgreSQL \
             database\" describes for a standalone Manager with remote databases.",
            "その後、リモートデータベースを使うスタンドアロン Manager のインストールガイドにある「リモート PostgreSQL データベースの準備」のとおりに PostgreSQL を準備します。",
        ),
    ));
    section.add(
        section
            .step(
                "dwh-install",
                RunsOn::DwhMachine,
                tr(
                    "Install the Data Warehouse setup package",
                    "Data Warehouse の setup パッケージをインストールする",
                ),
                tr(
                    "Follow the 4.4 guide for installing Data Warehouse on a separate machine — \
                     enabling its repositories — up to and including this command, and no \
                     further.",
                    "4.4 の「別のマシンへの Data Warehouse のインストールおよび設定」に従い、リポジトリーの有効化からこのコマンドまでを実行し、それ以降は行いません。",
                ),
            )
            .run("dnf install ovirt-engine-dwh-setup"),
    );
    restore_steps(&mut section);
    section.build()
}
