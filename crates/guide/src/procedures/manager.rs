//! The Manager itself: the update to the latest patch of its line (§1.1.6 and copies, §4.1.3),
//! the in-place upgrade to 4.3 (§1.2.6), the backup-and-restore move to 4.4 (§1.1.7, §2.1.5,
//! §3.1.5), and, beyond the guide, the upgrade to 4.5.

use model::release::{self, eap_repository, Release};
use model::{Level, Version};

use super::sources::{Chapter, Proc};
use super::{
    arrow, check, compat, continued, hosts, look, manager_noun, warnings, Ctx, SectionBuilder,
    StepBuilder, SETUP_SUCCEEDED,
};
use crate::request::DeploymentKind;
use crate::route::HopKind;
use crate::step::{Command, RunsOn, Section, Source, Verify};
use model::Text;

use crate::text::tr;

/// The RHV Installation Guide's repository list, which the upgrade guide points to.
const INSTALLATION_GUIDE: Source = Source::Beyond {
    en: "RHV Installation Guide, Enabling the Manager repositories (release knowledge base)",
    ja: "RHV インストールガイドの Manager リポジトリーの有効化 (リリース情報のデータ)",
};

/// The RHV 4.4 Installation Guide's preparation of a fresh RHEL 8 Manager machine, which the
/// upgrade guide only refers to ("complete the installation steps, such as yum install rhvm").
const INSTALLATION_GUIDE_44: Source = Source::Beyond {
    en: "RHV 4.4 Installation Guide, Enabling the Red Hat Virtualization Manager repositories",
    ja: "RHV 4.4 インストールガイドの Red Hat Virtualization Manager リポジトリーの有効化",
};

/// The oVirt 4.5 upgrade instructions.
pub(crate) const OVIRT_45: Source = Source::Beyond {
    en: "oVirt download page, Upgrade to 4.5 from 4.4; oVirt 4.5.0 release notes",
    ja:
        "oVirt ダウンロードページの「4.4 から 4.5 へのアップグレード」と oVirt 4.5.0 リリースノート",
};

fn release_of(version: Version) -> &'static Release {
    release::release_of(version).expect("routes only hold versions of known releases")
}

/// The repositories a Manager of `version` needs, with the JBoss EAP channel of that patch.
pub(crate) fn manager_repositories(version: Version) -> Vec<&'static str> {
    let eap = eap_repository(version);
    release_of(version)
        .manager_repositories
        .iter()
        .map(|repo| match eap {
            Some(eap) if repo.starts_with("jb-eap-") => eap,
            _ => repo,
        })
        .collect()
}

/// `subscription-manager repos` with one `--enable=` or `--disable=` line per repository.
pub(crate) fn repos_command(flag: &str, repos: &[&str]) -> String {
    let lines: Vec<String> = repos.iter().map(|r| format!("{flag}={r}")).collect();
    continued("subscription-manager repos", &lines)
}

/// Whether the line's machines run EL7 (yum) rather than EL8 (dnf).
fn runs_el7(line: Level) -> bool {
    line < Level::new(4, 4)
}

/// Lines from 4.5 on install from oVirt release packages rather than subscriptions.
fn uses_ovirt_release_package(line: Level) -> bool {
    line >= Level::new(4, 5)
}

/// The Manager update to the latest patch of its line: the whole hop for an update, the first
/// part of an upgrade.
pub(crate) fn update_manager(ctx: &Ctx) -> Section {
    let from = ctx.hop.from;
    let to = match ctx.hop.kind {
        HopKind::Upgrade => before_upgrade(ctx),
        HopKind::Update => ctx.hop.to,
    };
    let line = from.line();
    let source = if uses_ovirt_release_package(line) {
        Source::Beyond {
            en: "guide §4.1.3 applied to oVirt 4.5",
            ja: "ガイド 4.1.3 を oVirt 4.5 に適用",
        }
    } else {
        ctx.cite(Proc::UpdateManager)
    };
    let mut section = ctx.section(
        "update-manager",
        source,
        tr(
            format!("Update the Manager {}", arrow(from, to)),
            format!("Manager を更新する ({})", arrow(from, to)),
        ),
    );
    let manager = ctx.manager();
    section.add(repositories_step(&section, ctx, from));
    let eap_changes = eap_repository(from) != eap_repository(to);
    let old_eap = eap_repository(from);
    let new_eap = eap_repository(to);
    if let (true, Some(old_eap), Some(new_eap)) = (eap_changes, old_eap, new_eap) {
        section.add(
            section
                .step(
                    "update-add-eap",
                    manager,
                    tr(
                        "Add the JBoss EAP 7.4 channel",
                        "JBoss EAP 7.4 チャンネルを追加する",
                    ),
                    tr(
                        format!(
                            "From 4.4.9 on the Manager runs on EAP 7.4: subscribe to {new_eap} \
                             before updating, and drop {old_eap} afterwards."
                        ),
                        format!(
                            "4.4.9 以降の Manager は EAP 7.4 で動作します。更新前に {new_eap} を追加し、更新後に {old_eap} を外します。"
                        ),
                    ),
                )
                .run(repos_command("--enable", &[new_eap])),
        );
    }
    section.add(
        section
            .step(
                "update-check",
                manager,
                tr(
                    "Check that an update is available",
                    "更新が利用できるか確認する",
                ),
                tr(
                    "engine-upgrade-check asks the package manager whether newer setup packages \
                     exist, without changing anything.",
                    "engine-upgrade-check は、新しい setup パッケージがあるかどうかをパッケージマネージャーに問い合わせるだけで、何も変更しません。",
                ),
            )
            .run("engine-upgrade-check")
            .verify(check(
                Command::shell("engine-upgrade-check"),
                Some("Upgrade available."),
                tr(
                    "Exit status 0. \"No upgrade is available for the setup package.\" (exit \
                     status 1) means the enabled repositories hold nothing newer.",
                    "終了ステータスが 0 であること。\"No upgrade is available for the setup package.\" (終了ステータス 1) は、有効なリポジトリーに新しいものがないことを意味する。",
                ),
            )),
    );
    section.add(setup_packages_step(
        &section,
        "update-setup-packages",
        manager,
    ));
    section.add(
        engine_setup_step(&section, "update-engine-setup", manager).warn(warnings::stale_preview()),
    );
    if let (true, Some(old_eap)) = (eap_changes, old_eap) {
        section.add(
            section
                .step(
                    "update-remove-eap",
                    manager,
                    tr(
                        "Remove the JBoss EAP 7.3 channel",
                        "JBoss EAP 7.3 チャンネルを外す",
                    ),
                    tr(
                        "The updated Manager no longer needs the older EAP channel.",
                        "更新後の Manager に古い EAP チャンネルは不要です。",
                    ),
                )
                .run(repos_command("--disable", &[old_eap])),
        );
    }
    // Chapter 4's self-hosted update (§4.1.4) finishes a kernel update by leaving global
    // maintenance with the Manager VM shut down; the upgrade chapters (§1.1.6, §1.2.5) reboot
    // the machine right away, and the 4.3 → 4.4 hop never leaves global maintenance by hand.
    let reboot = if ctx.self_hosted() && ctx.chapter_or_nearest() == Chapter::Minor {
        tr(
            "If a kernel package was updated, the Manager VM picks it up when it is shut down \
             and started again while leaving global maintenance.",
            "カーネルパッケージが更新された場合、グローバルメンテナンス解除の際に Manager 用仮想マシンをシャットダウンして起動し直すことで反映されます。",
        )
    } else {
        warnings::reboot_after_kernel()
    };
    section.add(
        section
            .step(
                "update-os",
                manager,
                tr(
                    "Update the operating system and the other packages",
                    "OS とその他のパッケージを更新する",
                ),
                tr(
                    format!(
                        "The rest of {} is brought up to date once the Manager runs the new \
                         version.",
                        manager_noun(ctx).en
                    ),
                    format!(
                        "Manager が新しいバージョンで動き出したら、{}の残りのパッケージも最新にします。",
                        manager_noun(ctx).ja
                    ),
                ),
            )
            .run("yum update --nobest")
            .warn(warnings::ansible_conflict())
            .warn(reboot),
    );
    section.build()
}

/// Making sure the Manager machine sees the line's repositories.
fn repositories_step(section: &SectionBuilder, ctx: &Ctx, version: Version) -> StepBuilder {
    let line = version.line();
    let step = section
        .step(
            "update-repositories",
            ctx.manager(),
            tr(
                format!("Make sure the {line} repositories are enabled"),
                format!("{line} のリポジトリーが有効か確認する"),
            ),
            tr(
                "Updates reach the Manager through the Content Delivery Network; a missing \
                 channel makes the update look complete when it is not.",
                "更新はコンテンツ配信ネットワーク経由で届きます。チャンネルが欠けていると、更新が済んだように見えて実は済んでいないことがあります。",
            ),
        )
        .source(INSTALLATION_GUIDE);
    if uses_ovirt_release_package(line) {
        return step
            .cmd(
                Command::shell("dnf install -y centos-release-ovirt45")
                    .noted(tr(
                        "only if the oVirt 4.5 repositories are missing",
                        "oVirt 4.5 のリポジトリーがない場合のみ",
                    ))
                    .beyond_the_guide(OVIRT_45),
            )
            .source(OVIRT_45)
            .verify(check(
                Command::shell("dnf repolist"),
                None,
                tr(
                    "The oVirt 4.5 repositories are listed.",
                    "oVirt 4.5 のリポジトリーが一覧に表示されること。",
                ),
            ));
    }
    let repos = manager_repositories(version);
    let list = if runs_el7(line) {
        "yum repolist"
    } else {
        "dnf repolist"
    };
    step.cmd(Command::shell(repos_command("--enable", &repos)).noted(tr(
        "only for a repository missing from the list",
        "一覧にないリポジトリーがある場合のみ",
    )))
    .verify(check(
        Command::shell(list),
        None,
        tr(
            format!("The list includes {}.", repos.join(", ")),
            format!("一覧に {} が含まれていること。", repos.join(", ")),
        ),
    ))
}

fn setup_packages_step(section: &SectionBuilder, key: &str, runs_on: RunsOn) -> StepBuilder {
    section
        .step(
            key,
            runs_on,
            tr("Update the setup packages", "setup パッケージを更新する"),
            tr(
                "engine-setup must come from the new version before it can install it.",
                "新しいバージョンをインストールするには、engine-setup 自体を先に新しくしておく必要があります。",
            ),
        )
        .run(r"yum update ovirt\*setup\* rh\*vm-setup-plugins")
}

fn engine_setup_step(section: &SectionBuilder, key: &str, runs_on: RunsOn) -> StepBuilder {
    section
        .step(
            key,
            runs_on,
            tr("Run engine-setup", "engine-setup を実行する"),
            tr(
                "engine-setup asks its questions, stops ovirt-engine, installs the new packages, \
                 backs up and updates the database, reconfigures, and starts ovirt-engine again.",
                "engine-setup は設定に関する質問をしたあと、ovirt-engine を停止し、新しいパッケージのインストール、データベースのバックアップと更新、再設定を行い、ovirt-engine を起動し直します。",
            ),
        )
        .run("engine-setup")
        .warn(warnings::never_interrupt_setup())
        .verify(check(
            Command::shell("engine-setup"),
            Some(SETUP_SUCCEEDED),
            tr(
                "engine-setup ends with this line.",
                "engine-setup がこの行で終わること。",
            ),
        ))
}

/// 4.2 → 4.3 in place (§1.2.6, §2.2.5, §3.2.6).
/// The version the Manager has when its upgrade starts: the source line's latest when the
/// hop updates it first.
fn before_upgrade(ctx: &Ctx) -> Version {
    if ctx.hop.updates_source_first() {
        ctx.hop.source_release().latest()
    } else {
        ctx.hop.from
    }
}

fn upgrade_title(ctx: &Ctx) -> Text {
    let route = arrow(before_upgrade(ctx), ctx.hop.to);
    tr(
        format!("Upgrade the Manager {route}"),
        format!("Manager をアップグレードする ({route})"),
    )
}

pub(crate) fn upgrade_to_43(ctx: &Ctx) -> Section {
    let mut section = ctx.section(
        "upgrade-manager",
        ctx.cite(Proc::UpgradeManager),
        upgrade_title(ctx),
    );
    let remote = ctx.opts().remote_dwh || ctx.opts().remote_engine_db;
    in_place_upgrade_steps(&mut section, ctx, "", ctx.manager(), remote);
    section.build()
}

/// The in-place upgrade to the next EL7 line, on the Manager or (§3.2.6.1) on the machine that
/// runs Data Warehouse; `prefix` keeps the step ids apart.
pub(crate) fn in_place_upgrade_steps(
    section: &mut SectionBuilder,
    ctx: &Ctx,
    prefix: &str,
    runs_on: RunsOn,
    remote_databases: bool,
) {
    let old = manager_repositories(ctx.hop.from);
    let new = manager_repositories(ctx.hop.to);
    let added: Vec<&str> = new.iter().copied().filter(|r| !old.contains(r)).collect();
    let removed: Vec<&str> = old.iter().copied().filter(|r| !new.contains(r)).collect();
    let (from_line, to_line) = (ctx.hop.from.line(), ctx.hop.to.line());
    let first = section
        .step(
            &format!("{prefix}enable-new-repositories"),
            runs_on,
            tr(
                format!("Enable the {to_line} repositories"),
                format!("{to_line} のリポジトリーを有効にする"),
            ),
            tr(
                format!(
                    "Log in to the machine being upgraded. Only these channels change between \
                     {from_line} and {to_line}; every other repository stays as it is."
                ),
                format!(
                    "アップグレードするマシンにログインします。{from_line} と {to_line} で変わるのはこれらのチャンネルだけで、他のリポジトリーはそのままです。"
                ),
            ),
        )
        .run(repos_command("--enable", &added))
        .warn(warnings::keep_old_repositories());
    let first = if prefix.is_empty() {
        first.prereq(compat::accepted_levels_prerequisite(ctx))
    } else {
        first
    };
    section.add(first);
    section.add(setup_packages_step(
        section,
        &format!("{prefix}upgrade-setup-packages"),
        runs_on,
    ));
    section.add(
        engine_setup_step(section, &format!("{prefix}engine-setup"), runs_on).warn_if(
            remote_databases,
            tr(
                "engine-setup may offer to disconnect the remote Data Warehouse database during \
                 the upgrade: accept and let it continue.",
                "アップグレード中に engine-setup がリモートの Data Warehouse データベースとの接続を切るよう求めることがあります。切断して処理を続行させてください。",
            ),
        ),
    );
    section.add(
        section
            .step(
                &format!("{prefix}disable-old-repositories"),
                runs_on,
                tr(
                    format!("Disable the {from_line} repositories"),
                    format!("{from_line} のリポジトリーを無効にする"),
                ),
                tr(
                    format!(
                        "With the upgrade done, {from_line} packages must no longer be picked up \
                         on this machine."
                    ),
                    format!(
                        "アップグレードが終わったら、このマシンで {from_line} のパッケージが使われないようにします。"
                    ),
                ),
            )
            .run(repos_command("--disable", &removed)),
    );
    section.add(
        section
            .step(
                &format!("{prefix}upgrade-os"),
                runs_on,
                tr("Update the base operating system", "ベースの OS を更新する"),
                tr(
                    format!("The machine now runs {to_line}; bring the rest of it up to date."),
                    format!(
                        "このマシンは {to_line} になりました。残りのパッケージも最新にします。"
                    ),
                ),
            )
            .run("yum update")
            .warn(warnings::ansible_conflict())
            .warn(warnings::reboot_after_kernel()),
    );
}

/// The commands that prepare a fresh RHEL 8 Manager machine for 4.4.
fn manager_44_repositories(step: StepBuilder, version: Version) -> StepBuilder {
    let mut lines = vec!["--disable='*'".to_owned()];
    lines.extend(
        manager_repositories(version)
            .iter()
            .map(|r| format!("--enable={r}")),
    );
    step.cmd(
        Command::shell(continued("subscription-manager repos", &lines))
            .beyond_the_guide(INSTALLATION_GUIDE_44),
    )
    .cmd(
        Command::shell(format!(
            "subscription-manager release --set={}",
            hosts::rhel8_release_number(version)
        ))
        .beyond_the_guide(INSTALLATION_GUIDE_44),
    )
}

fn manager_44_repositories_listed() -> Verify {
    check(
        Command::shell("dnf repolist"),
        None,
        tr(
            "The 4.4 Manager repositories are listed.",
            "4.4 の Manager 用リポジトリーが一覧に表示されること。",
        ),
    )
}

fn external_ca_prerequisite() -> Text {
    tr(
        "The HTTPS certificate is signed by an external CA: the Administration Guide's \
         replacement of the Manager CA certificate has been followed, and that CA is in every \
         client's system-wide trust store (for virt-viewer). The backup carries the third-party \
         certificate, so the portal login keeps working.",
        "HTTPS 証明書が外部 CA の署名である: 管理ガイドの Manager CA 証明書の置き換え手順を済ませ、その CA を全クライアントのシステム全体のトラストストアに追加してある (virt-viewer のため)。バックアップにはサードパーティーの証明書が含まれるため、アップグレード後も管理ポータルにログインできる。",
    )
}

fn vms_at_43_prerequisite() -> Text {
    tr(
        "Every VM runs at cluster level 4.3 (no custom compatibility version below it).",
        "すべての仮想マシンのクラスター互換レベルが 4.3 である (それより低いカスタム互換バージョンがない)。",
    )
}

fn backup_step(section: &SectionBuilder, ctx: &Ctx) -> StepBuilder {
    section
        .step(
            "engine-backup",
            ctx.manager(),
            tr(
                "Back up the 4.3 Manager",
                "4.3 の Manager をバックアップする",
            ),
            tr(
                "The 4.4 Manager is built from this backup. Hosts and VMs keep running while the \
                 Manager is down.",
                "4.4 の Manager はこのバックアップから作られます。Manager が止まっている間もホストと仮想マシンは動き続けます。",
            ),
        )
        .run("engine-backup --scope=all --mode=backup --file=backup.bck --log=backuplog.log")
        .verify(check(
            Command::shell(format!("ovirt-upgrade backup verify backup.bck --target {}", ctx.hop.to))
                .beyond_the_guide(Source::Beyond { en: "ovirt-upgrade (docs/backup.md)", ja: "ovirt-upgrade (docs/backup.md)" }),
            None,
            tr(
                "backuplog.log reports no error, and the archive can be restored on the new Manager: \
                 exit 0, or every problem listed with the archive member and a fix. The old Manager \
                 is destroyed, so this backup is all there is.",
                "backuplog.log にエラーがなく、アーカイブを新しい Manager でリストアできること (終了コード 0。問題があればアーカイブ内のメンバーと対処が一覧されます)。古い Manager は破棄されるため、このバックアップがすべてです。",
            ),
        ))
}

fn copy_backup_step(section: &SectionBuilder, key: &str, runs_on: RunsOn) -> StepBuilder {
    section.step(
        key,
        runs_on,
        tr(
            "Copy the backup off the environment",
            "バックアップを環境の外にコピーする",
        ),
        tr(
            "Put backup.bck on a storage device outside the RHV environment: the machine it was \
             taken on is about to be reinstalled.",
            "backup.bck を RHV 環境の外にあるストレージデバイスに置きます。バックアップを取ったマシンはこの後再インストールされます。",
        ),
    )
}

/// The end of §1.1.7 after a deployment that did not come from §1.1.7 itself (the
/// hyperconverged one of §2.1.8): the extension packages the 4.3 Manager had are installed
/// again on the new Manager VM and engine-setup picks them up.
pub(crate) fn reinstall_extensions(section: &mut SectionBuilder, ctx: &Ctx) {
    let source = ctx.cite(Proc::UpgradeManager);
    section.add(stop_engine_44_step(section).source(source));
    section.add(extensions_step(section, ctx).source(source));
    section.add(
        engine_setup_step(section, "engine-setup", RunsOn::ManagerVm)
            .source(source)
            .explanation(tr(
                "engine-setup configures the new Manager with the extensions installed.",
                "engine-setup が、拡張機能を入れた新しい Manager を設定します。",
            )),
    );
}

fn stop_engine_44_step(section: &SectionBuilder) -> StepBuilder {
    section
        .step(
            "stop-engine-44",
            RunsOn::ManagerVm,
            tr(
                "Stop the engine on the new Manager VM",
                "新しい Manager 用仮想マシンでエンジンを停止する",
            ),
            tr(
                "Log in to the 4.4 Manager VM and stop ovirt-engine before configuring it.",
                "4.4 の Manager 用仮想マシンにログインし、設定の前に ovirt-engine を停止します。",
            ),
        )
        .run("systemctl stop ovirt-engine")
}

fn extensions_step(section: &SectionBuilder, ctx: &Ctx) -> StepBuilder {
    section
        .step(
            "install-extensions",
            ctx.manager(),
            tr(
                "Reinstall the LDAP extension packages",
                "LDAP 拡張パッケージを再インストールする",
            ),
            tr(
                "They were installed on the 4.3 Manager. Their configuration is not part of the \
                 backup: apply it again by hand afterwards.",
                "これらは 4.3 の Manager に入っていました。設定はバックアップに含まれないため、後から手作業で適用し直します。",
            ),
        )
        .run("yum install ovirt-engine-extension-aaa-ldap ovirt-engine-extension-aaa-misc")
        .warn(tr(
            "ovirt-engine-extension-aaa-ldap is deprecated; new installations use Red Hat Single \
             Sign-On instead.",
            "ovirt-engine-extension-aaa-ldap は非推奨です。新規インストールでは Red Hat Single Sign-On を使います。",
        ))
}

/// 4.3 → 4.4 for a standalone Manager: back up, reinstall on RHEL 8, restore (§2.1.5, §3.1.5).
pub(crate) fn upgrade_to_44_standalone(ctx: &Ctx) -> Section {
    let options = ctx.opts();
    let new_machine = options.new_manager_machine;
    let mut section = ctx.section(
        "upgrade-manager",
        ctx.cite(Proc::UpgradeManager),
        tr(
            format!(
                "Move the Manager to {} on RHEL 8 (backup and restore)",
                ctx.hop.to
            ),
            format!(
                "Manager を RHEL 8 上の {} に移行する (バックアップとリストア)",
                ctx.hop.to
            ),
        ),
    );
    let mut backup = backup_step(&section, ctx)
        .prereq(compat::accepted_levels_prerequisite(ctx))
        .prereq(vms_at_43_prerequisite());
    if options.external_ca {
        backup = backup.prereq(external_ca_prerequisite());
    }
    section.add(backup);
    section.add(copy_backup_step(&section, "copy-backup", ctx.manager()));
    let target_os = hosts::rhel8_release_number(ctx.hop.to);
    section.add(
        section
            .step(
                "install-rhel8",
                RunsOn::Manager,
                if new_machine {
                    tr(
                        format!("Install RHEL {target_os} on the new Manager machine"),
                        format!("新しい Manager マシンに RHEL {target_os} をインストールする"),
                    )
                } else {
                    tr(
                        format!("Reinstall the Manager machine with RHEL {target_os}"),
                        format!("Manager マシンを RHEL {target_os} で再インストールする"),
                    )
                },
                tr(
                    "Manager 4.4 runs on RHEL 8.2 to 8.6 only, so it needs a clean RHEL 8 \
                     installation even on the machine that ran 4.3.",
                    "Manager 4.4 は RHEL 8.2 から 8.6 でのみ動作するため、4.3 を動かしていたマシンでも RHEL 8 のクリーンインストールが必要です。",
                ),
            )
            .warn_if(
                !new_machine,
                tr(
                    "The reinstallation erases the 4.3 Manager: make sure the backup is safe \
                     elsewhere first.",
                    "再インストールで 4.3 の Manager は消えます。先にバックアップが別の場所に保存されていることを確かめてください。",
                ),
            ),
    );
    let rhvm = manager_44_repositories(
        section.step(
            "install-rhvm",
            RunsOn::Manager,
            tr(
                "Install the 4.4 Manager packages (without engine-setup)",
                "4.4 の Manager パッケージをインストールする (engine-setup は実行しない)",
            ),
            tr(
                "Enable the 4.4 repositories and module streams, then install rhvm. engine-setup \
                 runs only after the restore.",
                "4.4 のリポジトリーとモジュールストリームを有効にしてから rhvm をインストールします。engine-setup はリストアの後で実行します。",
            ),
        ),
        ctx.hop.to,
    );
    let postgresql = ctx.hop.target_release().postgresql_package;
    section.add(
        rhvm.cmd(
            Command::shell("dnf module -y enable pki-deps").beyond_the_guide(INSTALLATION_GUIDE_44),
        )
        .cmd(
            Command::shell(format!("dnf module -y enable {postgresql}"))
                .beyond_the_guide(INSTALLATION_GUIDE_44),
        )
        .cmd(Command::shell("dnf distro-sync --nobest").beyond_the_guide(INSTALLATION_GUIDE_44))
        .run("yum install rhvm")
        .warn(tr(
            "Do not run engine-setup yet.",
            "ここではまだ engine-setup を実行しないでください。",
        ))
        .verify(manager_44_repositories_listed()),
    );
    section.add(
        section
            .step(
                "restore",
                RunsOn::Manager,
                tr("Restore the backup", "バックアップをリストアする"),
                tr(
                    "Copy backup.bck onto the 4.4 Manager machine, then restore it: the restore \
                     creates the databases on this machine and loads the 4.3 Manager's data.",
                    "backup.bck を 4.4 の Manager マシンにコピーしてからリストアします。リストアはこのマシン上にデータベースを作り、4.3 の Manager のデータを読み込みます。",
                ),
            )
            .run("engine-backup --mode=restore --file=backup.bck --provision-all-databases")
            .warn(tr(
                "If the backup granted rights to extra database users, the restore creates them \
                 with random passwords: change those by hand if they must log in (Red Hat \
                 article 2686731).",
                "バックアップに追加のデータベースユーザーへの権限付与が含まれていると、それらのユーザーは無作為なパスワードで作成されます。ログインが必要なら手作業で変更してください (Red Hat ナレッジ 2686731)。",
            ))
            .warn_if(
                options.remote_engine_db,
                tr(
                    "--provision-all-databases puts the engine database on the new Manager \
                     machine; the old remote database server no longer serves the engine.",
                    "--provision-all-databases により、Manager データベースは新しい Manager マシン上に作られます。旧リモートデータベースサーバーは Manager には使われなくなります。",
                ),
            ),
    );
    if options.aaa_ldap {
        section.add(extensions_step(&section, ctx));
    }
    section.add(
        engine_setup_step(&section, "engine-setup", RunsOn::Manager).explanation(tr(
            "engine-setup configures the restored Manager. It comes up as 4.4 with every \
             cluster still at its old level; the hosts follow next.",
            "engine-setup がリストアした Manager を設定します。Manager は 4.4 として起動し、各クラスターの互換レベルは元のままです。次にホストを移行します。",
        )),
    );
    if new_machine {
        section.add(
            section
                .step(
                    "decommission-old-manager",
                    RunsOn::Manager,
                    tr(
                        "Decommission the 4.3 Manager machine",
                        "4.3 の Manager マシンを廃止する",
                    ),
                    tr(
                        "The 4.4 Manager on its new machine now owns the environment.",
                        "新しいマシン上の 4.4 Manager が環境を引き継ぎました。",
                    ),
                )
                .warn(warnings::two_managers()),
        );
    }
    if ctx.req.deployment == DeploymentKind::Standalone {
        section.add(
            engine_setup_step(&section, "engine-setup-again", RunsOn::Manager)
                .title(tr("Run engine-setup again", "engine-setup をもう一度実行する"))
                .explanation(tr(
                "§2.1.5 runs engine-setup once more after the decommissioning (guide line 743; \
                 §3.1.5 has no such second run). Run it on the 4.4 Manager machine and keep the \
                 answers of the first run.",
                "2.1.5 では廃止の後にもう一度 engine-setup を実行します (ガイド 743 行目。3.1.5 にはこの 2 回目はありません)。4.4 の Manager マシンで実行し、1 回目と同じ回答をします。",
            )),
        );
    }
    if options.remote_dwh {
        section.add(
            section
                .step(
                    "keep-dwh-running",
                    RunsOn::DwhMachine,
                    tr(
                        "Restart Data Warehouse if its upgrade waits",
                        "Data Warehouse のアップグレードを後回しにする場合はサービスを起動する",
                    ),
                    tr(
                        "engine-setup stopped the Data Warehouse service on the remote machine. \
                         If the next section does not follow right away, start it again.",
                        "engine-setup はリモートマシン上の Data Warehouse サービスも停止しています。次のセクションをすぐに続けない場合は、起動し直します。",
                    ),
                )
                .cmd(
                    Command::shell("systemctl start ovirt-engine-dwhd.service").noted(tr(
                        "only when postponing the Data Warehouse upgrade",
                        "Data Warehouse のアップグレードを後回しにする場合のみ",
                    )),
                ),
        );
    }
    section.build()
}

/// 4.3 → 4.4 for a self-hosted engine: redeploy the Manager VM from a backup (§1.1.7).
pub(crate) fn upgrade_to_44_self_hosted(ctx: &Ctx) -> Section {
    let options = ctx.opts();
    let mut section = ctx.section(
        "upgrade-manager",
        ctx.cite(Proc::UpgradeManager),
        tr(
            format!(
                "Redeploy the Manager as a {} self-hosted engine from a backup",
                ctx.hop.to
            ),
            format!(
                "バックアップから {} のセルフホストエンジンとして Manager をデプロイし直す",
                ctx.hop.to
            ),
        ),
    );
    if options.new_manager_machine {
        section.add(section.step(
            "prepare-new-host",
            RunsOn::Portal,
            tr(
                "Add the new deployment host to the cluster first",
                "新しいデプロイ用ホストを先にクラスターへ追加する",
            ),
            tr(
                "Reusing an existing host is recommended. A new host needs a unique name and must \
                 join the existing cluster before the upgrade starts.",
                "既存ホストの再利用が推奨されます。新しいホストを使う場合は、アップグレード開始前に一意の名前を付けて既存のクラスターに追加しておく必要があります。",
            ),
        ));
    }
    let mut policy = section
        .step(
            "maintenance-policy",
            RunsOn::Portal,
            tr(
                "Set the scheduling policy to cluster_maintenance",
                "スケジューリングポリシーを cluster_maintenance にする",
            ),
            tr(
                "In Compute → Clusters, edit the hosted-engine cluster and choose the \
                 cluster_maintenance policy so that no VM migrates by itself during the upgrade.",
                "コンピュート → クラスターでセルフホストエンジンのクラスターを編集し、アップグレード中に仮想マシンが自動で移行しないよう cluster_maintenance ポリシーを選びます。",
            ),
        )
        .warn(tr(
            "Set the cluster back to its usual scheduling policy once every host runs 4.4.",
            "すべてのホストが 4.4 になったら、クラスターのスケジューリングポリシーを元に戻してください。",
        ))
        .prereq(compat::accepted_levels_prerequisite(ctx))
        .prereq(vms_at_43_prerequisite())
        .prereq(tr(
            "A new storage domain is ready for the 4.4 Manager VM. The deployment renames the \
             4.3 domain and keeps its data for disaster recovery.",
            "4.4 の Manager 用仮想マシンのための新しいストレージドメインを用意してある。デプロイ時に 4.3 のドメインは名前が変更され、障害復旧のためデータが保持される。",
        ))
        .prereq(tr(
            "With DHCP and the same IP address wanted: the MAC address of the Manager VM is \
             written down; the deployment asks for it.",
            "DHCP で同じ IP アドレスを使い続ける場合: Manager 用仮想マシンの MAC アドレスを控えてある (デプロイ時に入力を求められる)。",
        ));
    if options.external_ca {
        policy = policy.prereq(external_ca_prerequisite());
    }
    section.add(policy);
    section.add(
        section
            .step(
                "stop-engine",
                RunsOn::ManagerVm,
                tr("Stop the engine service", "エンジンサービスを停止する"),
                tr(
                    "Log in to the Manager VM and stop ovirt-engine so the backup is consistent.",
                    "Manager 用仮想マシンにログインし、整合性のあるバックアップを取るため ovirt-engine を停止します。",
                ),
            )
            .run("systemctl stop ovirt-engine"),
    );
    section.add(backup_step(&section, ctx));
    section.add(copy_backup_step(&section, "copy-backup", RunsOn::ManagerVm));
    section.add(
        section
            .step(
                "shutdown-old-manager-vm",
                RunsOn::ManagerVm,
                tr("Shut the 4.3 Manager VM down", "4.3 の Manager 用仮想マシンをシャットダウンする"),
                tr(
                    "If the 4.4 Manager should reuse this VM's MAC address, note it before the \
                     shutdown.",
                    "4.4 の Manager でこの仮想マシンの MAC アドレスを再利用する場合は、シャットダウン前に控えておきます。",
                ),
            )
            .run("shutdown"),
    );
    section.add(
        section
            .step(
                "confirm-manager-down",
                RunsOn::HostedEngineNode,
                tr(
                    "Confirm the Manager VM is down",
                    "Manager 用仮想マシンの停止を確認する",
                ),
                tr(
                    "No host may still report the engine as up. If one does, log in to that host \
                     and shut the VM down from there.",
                    "エンジンが起動中と報告するホストがあってはいけません。あれば、そのホストにログインしてそこから仮想マシンを停止します。",
                ),
            )
            .run("hosted-engine --vm-status | grep -E 'Engine status|Hostname'")
            .cmd(
                Command::shell("hosted-engine --vm-shutdown").noted(tr(
                    "on a host whose detail field still says Up",
                    "detail 欄がまだ Up になっているホストで実行",
                )),
            )
            .warn(tr(
                "The 4.3 Manager VM must never run again once the 4.4 one is deployed: two \
                 Managers must never manage the same hosts or storage.",
                "4.4 の Manager をデプロイしたら、4.3 の Manager 用仮想マシンを二度と起動してはいけません。2 つの Manager が同じホストやストレージを管理してはならないためです。",
            ))
            .verify(look(tr(
                "No host shows \"detail\": \"Up\" in its engine status.",
                "どのホストのエンジンステータスにも \"detail\": \"Up\" が表示されないこと。",
            ))),
    );
    let target_os = hosts::rhel8_release_number(ctx.hop.to);
    let install = section.step(
        "install-deployment-host",
        RunsOn::DeploymentHost,
        tr(
            format!("Install RHVH 4.4 or RHEL {target_os} on the deployment host"),
            format!("デプロイ用ホストに RHVH 4.4 または RHEL {target_os} をインストールする"),
        ),
        if options.new_manager_machine {
            tr(
                "Use the new host added to the cluster before the upgrade started. It is a clean \
                 installation, with the 4.4 host repositories.",
                "アップグレード開始前にクラスターへ追加した新しいホストを使います。クリーンインストールで、4.4 のホスト用リポジトリーを有効にします。",
            )
        } else {
            tr(
                "Use the node that ran the Manager VM. Even on the same hardware this is a clean \
                 installation, with the 4.4 host repositories.",
                "Manager 用仮想マシンを動かしていたノードを使います。同じハードウェアでもクリーンインストールが必要で、4.4 のホスト用リポジトリーを有効にします。",
            )
        },
    );
    section.add(hosts::host_repository_commands(
        install, ctx, ctx.hop.to, true,
    ));
    section.add(
        section
            .step(
                "install-hosted-engine-setup",
                RunsOn::DeploymentHost,
                tr(
                    "Install the self-hosted engine deployment tool",
                    "セルフホストエンジンのデプロイツールをインストールする",
                ),
                tr(
                    "Then copy backup.bck onto this host.",
                    "その後、backup.bck をこのホストにコピーします。",
                ),
            )
            .run("yum install ovirt-hosted-engine-setup"),
    );
    section.add(
        section
            .step(
                "deploy",
                RunsOn::DeploymentHost,
                tr(
                    "Deploy the 4.4 self-hosted engine from the backup",
                    "バックアップから 4.4 のセルフホストエンジンをデプロイする",
                ),
                tr(
                    "The deployment turns global maintenance off and has the HA agent start the \
                     new Manager VM. This host then reports HA active; the others, still on the \
                     old engine storage, keep reporting global maintenance.",
                    "デプロイスクリプトはグローバルメンテナンスを自動で解除し、HA エージェントに新しい Manager 用仮想マシンを起動させます。このホストは HA がアクティブと報告しますが、旧エンジンストレージにつながったままの他のホストはグローバルメンテナンス中と報告し続けます。",
                ),
            )
            .cmd(Command::shell("tmux").noted(tr(
                "first, so that a dropped connection does not end the deployment; reattach with \
                 tmux attach",
                "先に実行しておくと、接続が切れてもデプロイが止まらない。再接続は tmux attach で行う",
            )))
            .run("hosted-engine --deploy --restore-from-file=/path/backup.bck")
            .warn(tr(
                "Do not interrupt the deployment.",
                "デプロイを中断しないでください。",
            ))
            .verify(check(
                Command::shell("hosted-engine --vm-status"),
                Some(super::ENGINE_HEALTHY),
                tr(
                    "This host reports the new Manager VM with this engine status.",
                    "このホストで新しい Manager 用仮想マシンのエンジンステータスがこの値になること。",
                ),
            )),
    );
    section.add(section.step(
        "detach-old-engine-storage",
        RunsOn::Portal,
        tr(
            "Detach the storage domain of the 4.3 Manager",
            "4.3 の Manager のストレージドメインをデタッチする",
        ),
        tr(
            "With several highly available self-hosted-engine nodes, detach the domain that \
             held the 4.3 Manager VM from its data center (Administration Guide); the 4.4 \
             Manager keeps a storage domain of its own.",
            "高可用性のセルフホストエンジンノードが複数ある場合は、4.3 の Manager 用仮想マシンが置かれていたドメインをデータセンターからデタッチします (管理ガイド参照)。4.4 の Manager には専用のストレージドメインを使います。",
        ),
    ));
    section.add(stop_engine_44_step(&section));
    section.add(
        manager_44_repositories(
            section.step(
                "manager-repositories",
                RunsOn::ManagerVm,
                tr(
                    "Enable the 4.4 Manager repositories",
                    "4.4 の Manager 用リポジトリーを有効にする",
                ),
                tr(
                    "Updates reach the Manager through the Content Delivery Network.",
                    "更新はコンテンツ配信ネットワーク経由で Manager に届きます。",
                ),
            ),
            ctx.hop.to,
        )
        .verify(manager_44_repositories_listed()),
    );
    if options.aaa_ldap {
        section.add(extensions_step(&section, ctx));
    }
    section.add(
        engine_setup_step(&section, "engine-setup", RunsOn::ManagerVm).explanation(tr(
            "The Manager comes up as 4.4 with every cluster still at 4.2 or 4.3. Next come the \
             self-hosted-engine nodes, then the other hosts, the same way.",
            "Manager は 4.4 として起動し、各クラスターは 4.2 または 4.3 のままです。次にセルフホストエンジンノード、続いて通常のホストを同じ手順で更新します。",
        )),
    );
    section.build()
}

/// 4.4 → 4.5, beyond the guide (oVirt's own upgrade notes).
pub(crate) fn upgrade_to_45(ctx: &Ctx) -> Section {
    let manager = ctx.manager();
    let mut section = ctx.section("upgrade-manager", OVIRT_45, upgrade_title(ctx));
    let supported: Vec<String> = ctx
        .hop
        .target_release()
        .manager_os
        .iter()
        .map(|r| r.to_string())
        .collect();
    let old_os = ctx
        .env()
        .and_then(|env| env.manager_os)
        .filter(|os| !ctx.hop.target_release().manager_os_supported(*os));
    let mut repositories = section
        .step(
            "ovirt45-repositories",
            manager,
            tr(
                "Install the oVirt 4.5 repositories",
                "oVirt 4.5 のリポジトリーをインストールする",
            ),
            tr(
                "oVirt 4.5 ships through CentOS repositories, enabled by a release package \
                 rather than by subscriptions.",
                "oVirt 4.5 は CentOS のリポジトリーで提供され、サブスクリプションではなくリリースパッケージで有効にします。",
            ),
        )
        .prereq(tr(
            format!(
                "The Manager machine runs {} (the 4.5 Manager needs EL 8.6 or later).",
                supported.join(" or ")
            ),
            format!(
                "Manager マシンが {} で動いている (4.5 の Manager には EL 8.6 以降が必要)。",
                supported.join(" または ")
            ),
        ))
        .prereq(compat::accepted_levels_prerequisite(ctx))
        .cmd(Command::shell("dnf install -y centos-release-ovirt45").beyond_the_guide(OVIRT_45));
    if let Some(os) = old_os {
        repositories = repositories.warn(tr(
            format!(
                "The inventory shows the Manager machine on {os}: update it to EL 8.6 or later \
                 first."
            ),
            format!(
                "インベントリーでは Manager マシンが {os} です。先に EL 8.6 以降へ更新してください。"
            ),
        ));
    }
    section.add(repositories);
    section.add(
        section
            .step(
                "update-packages",
                manager,
                tr("Update every package", "すべてのパッケージを更新する"),
                tr(
                    "This brings in the 4.5 setup packages along with the rest.",
                    "4.5 の setup パッケージもほかのパッケージと一緒に入ります。",
                ),
            )
            .run("dnf update -y --nobest"),
    );
    section.add(engine_setup_step(&section, "engine-setup", manager));
    section.build()
}
