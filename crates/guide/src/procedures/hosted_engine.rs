//! Self-hosted engine only: global maintenance around the Manager's update (§1.1.5, §1.2.4,
//! §1.2.7, §4.1.4) and emptying the hosted-engine host before the 4.4 upgrade (§1.1.4).

use super::sources::Proc;
use super::{check, look, Ctx, ENGINE_HEALTHY};
use crate::step::{Command, RunsOn, Section, Tool};
use crate::text::tr;

pub(crate) fn global_maintenance_on(ctx: &Ctx) -> Section {
    let mut section = ctx.section(
        "global-maintenance-on",
        ctx.cite(Proc::GlobalMaintenanceOn),
        tr(
            "Put the self-hosted engine into global maintenance",
            "セルフホストエンジンをグローバルメンテナンスモードにする",
        ),
    );
    section.add(
        section
            .step(
                "global-maintenance-on",
                RunsOn::HostedEngineNode,
                tr("Enable global maintenance", "グローバルメンテナンスを有効にする"),
                tr(
                    "In global maintenance the high-availability agents stop watching the Manager \
                     VM, so it can be updated, stopped or shut down without being restarted \
                     behind your back.",
                    "グローバルメンテナンス中は高可用性エージェントが Manager 用仮想マシンを監視しなくなるため、勝手に再起動されることなく更新・停止・シャットダウンできます。",
                ),
            )
            .run("hosted-engine --set-maintenance --mode=global")
            .verify(check(
                Command::shell("hosted-engine --vm-status"),
                None,
                tr(
                    "The status output says the cluster is in global maintenance mode. Do not go \
                     on before it does.",
                    "ステータスの出力に、クラスターがグローバルメンテナンスモードであると表示されること。表示されるまで先に進まない。",
                ),
            ))
            .auto(Tool::GlobalMaintenance, "on"),
    );
    section.build()
}

pub(crate) fn global_maintenance_off(ctx: &Ctx) -> Section {
    let mut section = ctx.section(
        "global-maintenance-off",
        ctx.cite(Proc::GlobalMaintenanceOff),
        tr(
            "Leave global maintenance",
            "グローバルメンテナンスモードを解除する",
        ),
    );
    section.add(section.step(
        "shutdown-manager-vm",
        RunsOn::ManagerVm,
        tr("Shut the Manager VM down", "Manager 用仮想マシンをシャットダウンする"),
        tr(
            "Log in to the Manager VM and shut it down, so that the high-availability agent \
             starts it afresh (with any new kernel) once maintenance ends.",
            "Manager 用仮想マシンにログインしてシャットダウンします。メンテナンス終了後に高可用性エージェントが (新しいカーネルも含めて) 起動し直すためです。",
        ),
    ));
    section.add(
        section
            .step(
                "global-maintenance-off",
                RunsOn::HostedEngineNode,
                tr("Disable global maintenance", "グローバルメンテナンスを無効にする"),
                tr(
                    "ovirt-ha-agent then starts the Manager VM and the Manager comes up by itself; \
                     allow up to about ten minutes.",
                    "解除すると ovirt-ha-agent が Manager 用仮想マシンを起動し、Manager は自動で立ち上がります。10 分ほどかかる場合があります。",
                ),
            )
            .run("hosted-engine --set-maintenance --mode=none")
            .verify(check(
                Command::shell("hosted-engine --vm-status"),
                Some(ENGINE_HEALTHY),
                tr(
                    "The Engine status line shows this value. While the VM is still starting it \
                     shows {\"reason\": \"bad vm status\", \"health\": \"bad\", \"vm\": \"up\", \
                     \"detail\": \"Powering up\"}: wait a few minutes and look again.",
                    "Engine status の行がこの値になること。仮想マシンの起動中は {\"reason\": \"bad vm status\", \"health\": \"bad\", \"vm\": \"up\", \"detail\": \"Powering up\"} と表示されるので、数分待ってから再確認する。",
                ),
            ))
            .auto(Tool::GlobalMaintenance, "off"),
    );
    section.build()
}

pub(crate) fn evacuate_hosted_engine_host(ctx: &Ctx) -> Section {
    let mut section = ctx.section(
        "evacuate-hosted-engine-host",
        ctx.cite(Proc::EvacuateHostedEngineHost),
        tr(
            "Empty the host that runs the Manager VM",
            "Manager 用仮想マシンが動いているホストを空にする",
        ),
    );
    section.add(
        section
            .step(
                "evacuate-hosted-engine-host",
                RunsOn::Portal,
                tr(
                    "Migrate every other VM off the Manager VM's host",
                    "Manager 用仮想マシン以外の仮想マシンをそのホストから移行する",
                ),
                tr(
                    "Until that host has been upgraded only the Manager VM may stay on it. Live \
                     migrate the other VMs to other hosts of the same cluster to avoid downtime.",
                    "そのホストのアップグレードが終わるまで、残してよいのは Manager 用仮想マシンだけです。ダウンタイムを避けるため、他の仮想マシンは同じクラスターの別ホストへライブマイグレーションします。",
                ),
            )
            .verify(look(tr(
                "Compute → Hosts shows the host running exactly one VM, HostedEngine.",
                "コンピュート → ホストで、そのホストで動いている仮想マシンが HostedEngine の 1 台だけであること。",
            ))),
    );
    section.build()
}
