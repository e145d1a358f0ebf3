//! Hosts: updated in place a cluster at a time (§1.2.8, §4.1.5), one by one (§4.1.9) or by hand
//! (§4.1.10); reinstalled on EL8 for 4.4 (§1.1.8); and the OVN/OvS considerations of the 4.4
//! chapters.

use model::release::virt_module_stream;
use model::{ElVersion, Level, Version};

use super::manager::{repos_command, OVIRT_45};
use super::sources::Proc;
use super::{check, look, Ctx, SectionBuilder, StepBuilder};
use crate::request::HostUpdate;
use crate::step::{Command, RunsOn, Section, Source, Tool};
use model::Text;

use crate::text::tr;

/// The RHEL 8 minor release a 4.4 Manager version was built on; the guide's current text (the
/// latest 4.4) pins hosts and Manager to 8.6 with `subscription-manager release --set=8.6`.
pub(crate) fn rhel8_release(version: Version) -> ElVersion {
    let minor = match version.patch {
        0..=2 => 2,
        3..=5 => 3,
        6..=8 => 4,
        9 => 5,
        _ => 6,
    };
    ElVersion::new(8, minor)
}

/// "8.6", as `subscription-manager release` and titles want it.
pub(crate) fn rhel8_release_number(version: Version) -> String {
    let os = rhel8_release(version);
    format!("{}.{}", os.major, os.minor.unwrap_or(0))
}

/// The `virt` module stream RHEL hosts enable for a 4.4 Manager version (§4.1.10).
fn virt_stream(version: Version) -> &'static str {
    virt_module_stream(version, rhel8_release(version))
        .expect("the stream is asked for 4.4 versions only")
}

/// Where the RHEL release of a 4.4 target older than the guide's own 4.4.10 comes from.
const RHEL_RELEASE_OF_TARGET: Source = Source::Beyond {
    en: "guide §4.1.9 pins RHEL 8.6 for 4.4.10; the RHEL release of this target is from the RHV \
         4.4 release notes",
    ja: "ガイド 4.1.9 は 4.4.10 向けに RHEL 8.6 を指定。このターゲットの RHEL リリースは RHV 4.4 リリースノートによる",
};

fn on_rhvh() -> Text {
    tr("on RHVH hosts", "RHVH ホストの場合")
}

fn on_rhel() -> Text {
    tr("on RHEL hosts", "RHEL ホストの場合")
}

/// The repository commands a host of the hop's target version needs, for the host types in
/// use; `fresh` adds the `virt` module stream a newly installed RHEL 8 host enables.
pub(crate) fn host_repository_commands(
    step: StepBuilder,
    ctx: &Ctx,
    version: Version,
    fresh: bool,
) -> StepBuilder {
    let types = ctx.opts().host_types;
    let release = ctx.hop.target_release();
    let mut step = step;
    if version.line() >= Level::new(4, 5) {
        if types.has_rhvh() {
            step = step.cmd(
                Command::shell("dnf install -y centos-release-ovirt45 --enablerepo=extras")
                    .noted(tr("on oVirt Node hosts", "oVirt Node ホストの場合"))
                    .beyond_the_guide(OVIRT_45),
            );
        }
        if types.has_rhel() {
            step = step.cmd(
                Command::shell("dnf install -y centos-release-ovirt45")
                    .noted(tr(
                        "on Enterprise Linux hosts",
                        "Enterprise Linux ホストの場合",
                    ))
                    .beyond_the_guide(OVIRT_45),
            );
        }
        return step;
    }
    if types.has_rhvh() {
        step = step.cmd(
            Command::shell(repos_command("--enable", release.rhvh_repositories)).noted(on_rhvh()),
        );
    }
    if types.has_rhel() {
        step = step.cmd(
            Command::shell(repos_command("--enable", release.host_repositories)).noted(on_rhel()),
        );
        if version.line() == Level::new(4, 4) {
            let pin = Command::shell(format!(
                "subscription-manager release --set={}",
                rhel8_release_number(version)
            ))
            .noted(on_rhel());
            // The guide pins 8.6, the RHEL release of its own 4.4.10; earlier targets pin theirs.
            let pin = if version == release.latest() {
                pin
            } else {
                pin.beyond_the_guide(RHEL_RELEASE_OF_TARGET)
            };
            step = step.cmd(pin);
            if fresh {
                step = step
                    .cmd(Command::shell("dnf module reset virt").noted(on_rhel()))
                    .cmd(
                        Command::shell(format!("dnf module enable {}", virt_stream(version)))
                            .noted(on_rhel()),
                    );
            }
        }
    }
    step
}

fn package_list_command(line: Level) -> &'static str {
    if line < Level::new(4, 4) {
        "yum repolist"
    } else {
        "dnf repolist"
    }
}

fn repositories_step(section: &SectionBuilder, ctx: &Ctx) -> StepBuilder {
    let step = section
        .step(
            "host-repositories",
            RunsOn::EachHost,
            tr(
                "Make sure each host has the right repositories",
                "各ホストで適切なリポジトリーが有効か確認する",
            ),
            tr(
                "A host only sees the updates its repositories carry.",
                "ホストが受け取れる更新は、有効なリポジトリーにあるものだけです。",
            ),
        )
        .verify(check(
            Command::shell(package_list_command(ctx.target_line())),
            None,
            tr(
                "The list shows the repositories enabled above.",
                "上で有効にしたリポジトリーが一覧に表示されること。",
            ),
        ));
    host_repository_commands(step, ctx, ctx.hop.to, false)
}

/// The warnings every in-place host update carries.
fn host_update_warnings(step: StepBuilder, ctx: &Ctx, pinned_stop_themselves: bool) -> StepBuilder {
    let options = ctx.opts();
    let crosses_4_4_9 = ctx.targets_line(4, 4) && ctx.hop.from.patch <= 9 && ctx.hop.to.patch > 9;
    step.warn_if(
        options.host_types.has_rhvh(),
        super::warnings::rhvh_keeps_etc_var(),
    )
    .warn_if(
        ctx.self_hosted(),
        tr(
            "The Manager VM moves only between self-hosted-engine nodes of its cluster, never \
             onto ordinary hosts.",
            "Manager 用仮想マシンは、同じクラスター内のセルフホストエンジンノード間でしか移行できず、通常のホストには移れません。",
        ),
    )
    .warn(tr(
        "The cluster needs enough free memory to empty a host, or migrations hang and fail. \
         Shutting some VMs down first lowers the need.",
        "ホストを空にできるだけの空きメモリーがクラスターに必要です。足りないと移行がハングして失敗します。先に一部の仮想マシンを停止すると必要量が減ります。",
    ))
    .warn(if pinned_stop_themselves {
        tr(
            "VMs pinned to a host (vGPU VMs, for example) cannot migrate: they are shut down \
             during the update unless you choose to skip their hosts.",
            "ホストに固定された仮想マシン (vGPU を使う仮想マシンなど) は移行できません。そのホストをスキップしない限り、更新中はシャットダウンされます。",
        )
    } else {
        tr(
            "VMs pinned to a host (vGPU VMs, for example) cannot migrate: shut them down before \
             updating their host.",
            "ホストに固定された仮想マシン (vGPU を使う仮想マシンなど) は移行できません。そのホストを更新する前にシャットダウンしてください。",
        )
    })
    .warn_if(
        options.local_storage,
        tr(
            "VMs of a local-storage data center cannot move to another host: shut them down while \
             their host is updated.",
            "ローカルストレージのデータセンターにある仮想マシンは別のホストへ移れません。そのホストの更新中はシャットダウンしておきます。",
        ),
    )
    .warn_if(
        options.gluster,
        tr(
            "On gluster hosts, let self-heal finish (gluster volume heal <volume> info summary) \
             before the next host goes down.",
            "Gluster ホストでは、次のホストを停止する前に自己修復の完了を待ちます (gluster volume heal <volume> info summary)。",
        ),
    )
    .warn_if(
        crosses_4_4_9 && options.host_types.has_rhvh(),
        tr(
            "An RHVH host that cannot update from 4.4.9 to a later version is repaired with \
             dnf reinstall redhat-virtualization-host-image-update.",
            "RHVH ホストが 4.4.9 からそれ以降に更新できない場合は、dnf reinstall redhat-virtualization-host-image-update で修復します。",
        ),
    )
}

/// Hosts updated in place, by the method asked for.
pub(crate) fn update_hosts(ctx: &Ctx) -> Section {
    match ctx.opts().host_update {
        HostUpdate::Cluster => cluster_upgrade(ctx),
        HostUpdate::Individual => individual_hosts(ctx),
        HostUpdate::Manual => manual_hosts(ctx),
    }
}

/// The guide's §4.1.9 and §4.1.10 are written for 4.4 hosts; on other lines they are adapted.
fn adapted_source(ctx: &Ctx, proc: Proc, adapted: Source) -> Source {
    if ctx.targets_line(4, 4) {
        ctx.cite(proc)
    } else {
        adapted
    }
}

fn cluster_upgrade(ctx: &Ctx) -> Section {
    let mut section = ctx.section(
        "update-hosts",
        ctx.cite(Proc::UpdateClusterHosts),
        tr("Update the hosts", "ホストを更新する"),
    );
    if ctx.targets_line(4, 5) && ctx.hop.kind == crate::route::HopKind::Upgrade {
        section.add(repositories_step(&section, ctx).source(Source::Beyond {
            en: "oVirt download page, Upgrade to 4.5 from 4.4 (host side)",
            ja: "oVirt ダウンロードページの「4.4 から 4.5 へのアップグレード」(ホスト側)",
        }));
    }
    let step = section
        .step(
            "cluster-upgrade",
            RunsOn::Portal,
            tr(
                "Upgrade every host of a cluster, one cluster at a time",
                "クラスター単位で全ホストを更新する (1 度に 1 クラスター)",
            ),
            tr(
                "In Compute → Clusters the Upgrade status column shows where updates wait. Select \
                 a cluster, click Upgrade, choose its hosts, set the options, review the hosts and \
                 VMs affected and start; the progress screen can be closed without stopping the \
                 run. Options and their defaults: Stop Pinned VMs (on; clear it to skip hosts \
                 with pinned VMs), Upgrade Timeout 60 minutes per host, Check Upgrade (off), \
                 Reboot After Upgrade (on), Use Maintenance Policy (on: only highly available VMs \
                 may start during the run).",
                "コンピュート → クラスターの Upgrade status 列で、更新待ちのクラスターがわかります。クラスターを選んで Upgrade をクリックし、ホストを選び、オプションを設定し、影響を受けるホストと仮想マシンを確認してから開始します。進捗画面は閉じても処理は止まりません。オプションと既定値: Stop Pinned VMs (オン。外すと固定された仮想マシンのあるホストを飛ばす)、Upgrade Timeout はホストごとに 60 分、Check Upgrade (オフ)、Reboot After Upgrade (オン)、Use Maintenance Policy (オン。実行中に起動できるのは高可用性仮想マシンだけ)。",
            ),
        )
        .verify(look(tr(
            "The cluster's upgrade finishes at 100 %, every host is Up, and Compute → Hosts \
             shows no update left for them.",
            "クラスターのアップグレードが 100 % で終わり、すべてのホストが Up で、コンピュート → ホストに残りの更新が表示されないこと。",
        )))
        .auto(Tool::ClusterUpgrade, "--cluster CLUSTER")
        .targets(ctx.cluster_names());
    section.add(host_update_warnings(step, ctx, true));
    section.build()
}

fn individual_hosts(ctx: &Ctx) -> Section {
    let source = adapted_source(
        ctx,
        Proc::UpdateIndividualHost,
        Source::Beyond {
            en: "guide §4.1.9 applied to this release line",
            ja: "ガイド 4.1.9 をこのリリース系列に適用",
        },
    );
    let mut section = ctx.section(
        "update-hosts",
        source,
        tr("Update the hosts one by one", "ホストを 1 台ずつ更新する"),
    );
    section.add(repositories_step(&section, ctx));
    section.add(
        section
            .step(
                "check-for-upgrade",
                RunsOn::Portal,
                tr("Check the host for updates", "ホストの更新を確認する"),
                tr(
                    "In Compute → Hosts select the host and use Installation → Check for Upgrade; \
                     the result appears among the events of the notification drawer. Only hosts \
                     that are Up or Non Operational are checked, not those in Maintenance.",
                    "コンピュート → ホストでホストを選び、インストール → アップグレードの確認を実行します。結果は通知ドロワーのイベントに表示されます。確認されるのはステータスが Up か Non Operational のホストだけで、Maintenance のホストは対象外です。",
                ),
            ),
    );
    let upgrade = section
        .step(
            "upgrade-host",
            RunsOn::Portal,
            tr("Upgrade the host", "ホストをアップグレードする"),
            tr(
                "When an update is available use Installation → Upgrade. Do it at a quiet time: \
                 the host's VMs migrate away first. Repeat for every host of the environment.",
                "更新があればインストール → アップグレードを実行します。ホストの仮想マシンが先に移行されるため、利用の少ない時間帯に行います。環境内のすべてのホストで繰り返します。",
            ),
        )
        .verify(look(tr(
            "The host goes Maintenance > Installing > Reboot > Up. If it ends in Install Failed, \
             run Installation → Upgrade again from there.",
            "ホストが Maintenance > Installing > Reboot > Up と遷移すること。Install Failed になった場合は、その状態からインストール → アップグレードをもう一度実行する。",
        )))
        .auto(Tool::ClusterUpgrade, "--cluster CLUSTER --hosts HOST");
    section.add(host_update_warnings(upgrade, ctx, false));
    section.build()
}

fn manual_hosts(ctx: &Ctx) -> Section {
    let source = adapted_source(
        ctx,
        Proc::UpdateHostManually,
        Source::Beyond {
            en: "guide §4.1.10 applied to this release line",
            ja: "ガイド 4.1.10 をこのリリース系列に適用",
        },
    );
    let el8_line = ctx.targets_line(4, 4);
    let mut section = ctx.section(
        "update-hosts",
        source,
        tr("Update the hosts by hand", "ホストを手動で更新する"),
    );
    section.add(
        repositories_step(&section, ctx).prereq(tr(
            "This is for experienced administrators: Red Hat supports updating hosts from the \
             Administration Portal, and steps such as certificate renewal are left to you.",
            "これは上級管理者向けの手順です。Red Hat がサポートするのは管理ポータルからのホスト更新で、証明書の更新などの作業は自分で行う前提です。",
        )),
    );
    section.add(host_update_warnings(
        section.step(
            "host-maintenance",
            RunsOn::Portal,
            tr("Put the host into maintenance", "ホストをメンテナンスモードにする"),
            tr(
                "In Compute → Hosts select the host and use Management → Maintenance; its VMs \
                 migrate away.",
                "コンピュート → ホストでホストを選び、管理 → メンテナンスを実行します。仮想マシンは他のホストへ移行されます。",
            ),
        ),
        ctx,
        false,
    ));
    if el8_line && ctx.opts().host_types.has_rhel() {
        section.add(
            section
                .step(
                    "rhel-release-check",
                    RunsOn::EachHost,
                    tr(
                        "Compare the installed and available RHEL releases",
                        "インストール済みと利用可能な RHEL リリースを比べる",
                    ),
                    tr(
                        "On RHEL hosts, see which redhat-release the repositories offer compared \
                         with the one installed (8.2.z against 8.3, say).",
                        "RHEL ホストで、リポジトリーが提供する redhat-release とインストール済みのものを比べます (8.2.z と 8.3 など)。",
                    ),
                )
                .run("cat /etc/redhat-release")
                .run("dnf --refresh info --available redhat-release")
                .warn(tr(
                    "The Advanced Virtualization module usually ships after the RHEL minor \
                     release. If the new stream is not out yet, or enabling it fails, stop here \
                     and cancel the update: going on can break the host.",
                    "Advanced Virtualization モジュールは通常 RHEL のマイナーリリースより遅れて提供されます。新しいストリームがまだない、または有効化でエラーになる場合は、ここで中止して更新を取り消してください。続けるとホストが壊れるおそれがあります。",
                )),
        );
        let stream = virt_stream(ctx.hop.to);
        section.add(
            section
                .step(
                    "virt-module",
                    RunsOn::EachHost,
                    tr(
                        format!("Switch the virt module to {stream}"),
                        format!("virt モジュールを {stream} に切り替える"),
                    ),
                    tr(
                        format!(
                            "RHV {} pairs with the {stream} stream. Resetting is harmless when the \
                             stream is already enabled.",
                            ctx.hop.to
                        ),
                        format!(
                            "RHV {} に対応するのは {stream} ストリームです。すでに有効な場合もリセットして問題ありません。",
                            ctx.hop.to
                        ),
                    ),
                )
                .run("dnf module reset virt")
                .cmd(Command::shell("dnf module list virt").noted(tr(
                    "to see which stream is enabled",
                    "有効なストリームを確認する",
                )))
                .run(format!("dnf module enable {stream}"))
                .run("dnf module -y enable nodejs:14")
                .verify(check(
                    Command::shell("dnf module list virt"),
                    None,
                    tr(
                        format!("The {stream} stream is marked enabled."),
                        format!("{stream} ストリームが有効と表示されること。"),
                    ),
                )),
        );
    }
    let upgrade_command = if ctx.target_line() < Level::new(4, 4) {
        "yum update"
    } else {
        "dnf upgrade --nobest"
    };
    section.add(
        section
            .step(
                "host-upgrade",
                RunsOn::EachHost,
                tr("Update the host's packages", "ホストのパッケージを更新する"),
                tr(
                    "Security and bug fixes arrive this way too: update hosts regularly.",
                    "セキュリティーやバグの修正もこの方法で適用されます。ホストは定期的に更新してください。",
                ),
            )
            .run(upgrade_command),
    );
    let mut reboot = section
        .step(
            "host-reboot",
            RunsOn::EachHost,
            tr(
                "Reboot the host and activate it",
                "ホストを再起動してアクティブにする",
            ),
            tr(
                "Reboot so that every update takes effect, then bring the host back with \
                 Management → Activate in the Administration Portal. Repeat for every host.",
                "すべての更新を反映させるため再起動し、管理ポータルの管理 → アクティブ化でホストを戻します。すべてのホストで繰り返します。",
            ),
        )
        .verify(look(tr(
            "The host is Up in Compute → Hosts with no update pending.",
            "コンピュート → ホストでホストが Up になり、保留中の更新がないこと。",
        )));
    if ctx.opts().host_types.has_rhvh() {
        reboot = reboot.cmd(
            Command::shell("rpm -Uvh /var/imgbased/persisted-rpms/*").noted(tr(
                "on RHVH, when the imgbased log shows an extra package failed to reinstall: put \
                 the missing package into /var/imgbased/persisted-rpms first",
                "RHVH で、imgbased のログに追加パッケージの再インストール失敗がある場合: 足りないパッケージを /var/imgbased/persisted-rpms に置いてから実行",
            )),
        );
    }
    section.add(reboot);
    section.build()
}

/// 4.3 → 4.4: every host is reinstalled on EL8 and added back, one at a time (§1.1.8).
pub(crate) fn migrate_hosts_44(ctx: &Ctx) -> Section {
    let target_os = rhel8_release_number(ctx.hop.to);
    let mut section = ctx.section(
        "migrate-hosts",
        ctx.cite(Proc::MigrateHosts44),
        tr(
            format!("Move the hosts to {}, one at a time", ctx.hop.to.line()),
            format!("ホストを 1 台ずつ {} に移行する", ctx.hop.to.line()),
        ),
    );
    let gluster_too = ctx.opts().gluster;
    section.add(
        section
            .step(
                "evacuate-host",
                RunsOn::Portal,
                tr(
                    "Pick a host and migrate its VMs away",
                    "ホストを選び、仮想マシンを移行する",
                ),
                if gluster_too {
                    tr(
                        "Take a host that is not a gluster node (those follow the gluster \
                         procedure) and live migrate its VMs to other hosts of the cluster.",
                        "Gluster ノードではないホスト (Gluster ノードは Gluster の手順で扱う) を選び、その仮想マシンを同じクラスターの別ホストへライブマイグレーションします。",
                    )
                } else {
                    tr(
                        "Live migrate the host's VMs to other hosts of the same cluster, to keep \
                         their downtime minimal.",
                        "ダウンタイムを最小限にするため、そのホストの仮想マシンを同じクラスターの別ホストへライブマイグレーションします。",
                    )
                },
            )
            .prereq(tr(
                "The 4.4 Manager is installed and running.",
                "4.4 の Manager がインストールされ、動作している。",
            ))
            .prereq(super::compat::accepted_levels_prerequisite(ctx))
            .warn(tr(
                "VMs with CPU passthrough may fail to migrate from 4.3 to 4.4: RHEL 7 and RHEL 8 \
                 kernels expose different CPU flags.",
                "CPU パススルーの仮想マシンは 4.3 から 4.4 へ正しく移行できない場合があります。RHEL 7 と RHEL 8 ではカーネルが公開する CPU フラグが異なるためです。",
            ))
            .targets(ctx.cluster_names()),
    );
    section.add(section.step(
        "remove-host",
        RunsOn::Portal,
        tr(
            "Put the host into maintenance and remove it",
            "ホストをメンテナンスモードにして削除する",
        ),
        tr(
            "Management → Maintenance, then Remove (Administration Guide, Removing a Host).",
            "管理 → メンテナンスの後に削除します (管理ガイドのホストの削除を参照)。",
        ),
    ));
    section.add(
        section
            .step(
                "install-el8",
                RunsOn::EachHost,
                tr(
                    format!("Install RHEL {target_os} or RHVH 4.4 on the host"),
                    format!("ホストに RHEL {target_os} または RHVH 4.4 をインストールする"),
                ),
                tr(
                    "4.4 hosts need RHEL 8.2 to 8.6: a clean installation, even on the hardware \
                     that ran 4.3.",
                    "4.4 のホストには RHEL 8.2 から 8.6 が必要です。4.3 を動かしていたハードウェアでもクリーンインストールになります。",
                ),
            )
            .warn(tr(
                "Detach every storage device other than the OS disk before installing, so that no \
                 data disk is initialised by mistake.",
                "インストールの前に OS ディスク以外のストレージをすべてデタッチしてください。データディスクを誤って初期化しないためです。",
            )),
    );
    section.add(host_repository_commands(
        section.step(
            "host-packages",
            RunsOn::EachHost,
            tr(
                "Enable the 4.4 host repositories",
                "4.4 のホスト用リポジトリーを有効にする",
            ),
            tr(
                "The packages that make the machine an RHV 4.4 host come from these channels.",
                "マシンを RHV 4.4 のホストにするためのパッケージは、これらのチャンネルから入ります。",
            ),
        ),
        ctx,
        ctx.hop.to,
        true,
    ));
    section.add(
        section
            .step(
                "add-host",
                RunsOn::Portal,
                tr(
                    "Add the host back to the same cluster",
                    "ホストを同じクラスターに追加し直す",
                ),
                if ctx.self_hosted() {
                    tr(
                        "Add it in Compute → Hosts → New to the cluster it left; for a \
                         self-hosted-engine node choose Deploy in the Hosted Engine tab. Migrate \
                         VMs onto it, then repeat with the next host until all run 4.4.",
                        "コンピュート → ホスト → 新規で元のクラスターに追加します。セルフホストエンジンノードの場合は Hosted Engine タブで Deploy を選びます。仮想マシンをこのホストへ移行したら、すべてが 4.4 になるまで次のホストで繰り返します。",
                    )
                } else {
                    tr(
                        "Add it in Compute → Hosts → New to the cluster it left, migrate VMs onto \
                         it, then repeat with the next host until all run 4.4.",
                        "コンピュート → ホスト → 新規で元のクラスターに追加し、仮想マシンをこのホストへ移行したら、すべてが 4.4 になるまで次のホストで繰り返します。",
                    )
                },
            )
            .verify(look(tr(
                "The host is Up in its cluster and takes VMs again.",
                "ホストが元のクラスターで Up になり、仮想マシンを受け入れていること。",
            ))),
    );
    section.build()
}

fn ovn_prerequisite() -> Text {
    tr(
        "The Manager has been upgraded before any host.",
        "どのホストよりも先に Manager がアップグレードされている。",
    )
}

/// Before the hosts: keep OVN networks working between old and new hosts.
pub(crate) fn ovn_before_hosts(ctx: &Ctx) -> Section {
    let mut section = ctx.section(
        "ovn-before-hosts",
        ctx.cite(Proc::Ovn),
        tr(
            "Prepare OVN for the move to OVN 2021 and OvS 2.15",
            "OVN 2021 / OvS 2.15 への移行に備えて OVN を準備する",
        ),
    );
    section.add(
        section
            .step(
                "ovn-security-groups",
                RunsOn::Portal,
                tr(
                    "Turn off ovirt-provider-ovn security groups",
                    "ovirt-provider-ovn のセキュリティーグループを無効にする",
                ),
                tr(
                    "The move from OVN/OvS 2.11 stays invisible to users when, before any host is \
                     upgraded, security groups are disabled on every OVN network that must keep \
                     working between hosts still on 2.11.",
                    "OVN/OvS 2.11 からの移行は、ホストをアップグレードする前に、2.11 のホスト間で動き続ける必要のあるすべての OVN ネットワークでセキュリティーグループを無効にしておけば、ユーザーからは見えません。",
                ),
            )
            .prereq(ovn_prerequisite()),
    );
    section.build()
}

/// After the hosts: every host must report OVN configured.
pub(crate) fn ovn_after_hosts(ctx: &Ctx) -> Section {
    let mut section = ctx.section(
        "ovn-after-hosts",
        ctx.cite(Proc::Ovn),
        tr(
            "Check OVN on the upgraded hosts",
            "アップグレードしたホストの OVN を確認する",
        ),
    );
    section.add(
        section
            .step(
                "ovn-configured",
                RunsOn::Portal,
                tr(
                    "Make sure every host reports OVN configured",
                    "すべてのホストが OVN configured と報告することを確認する",
                ),
                tr(
                    "Each upgraded host must be rebooted and carry OVN 2021 or later and OvS 2.15; \
                     the portal step reconfigures OVN and renews its certificates. If a host's \
                     General tab says OVN configured: No, use Management → Refresh Capabilities; \
                     if that fails, reinstall the host from the 4.4 or later Manager.",
                    "アップグレードした各ホストは再起動済みで、OVN 2021 以降と OvS 2.15 になっている必要があります。管理ポータルでの操作により OVN が再設定され証明書が更新されます。ホストの全般タブで OVN configured が No の場合は、管理 → 機能を更新を実行し、それでも失敗する場合は 4.4 以降の Manager からホストを再インストールします。",
                ),
            )
            .verify(look(tr(
                "The General tab of every host shows OVN configured: Yes (ovn_configured is true \
                 in the REST API).",
                "すべてのホストの全般タブで OVN configured が Yes であること (REST API では ovn_configured が true)。",
            ))),
    );
    section.build()
}
