//! What a host's reinstall must leave on its machine before the engine deploys it, by the
//! host's kind, as `plan` gives it: the guide's "host-packages" step of the 4.3 → 4.4 host
//! migration (§1.1.8, §2.1.6, §3.1.7), RHVH and RHEL commands apart, and for a local-storage
//! host what keeps its storage (§1.1.9).

use std::fmt::Write as _;

use guide::{DeploymentKind, HostTypes, Options, PlanRequest};
use model::release::release;
use model::{Deployment, HostType, Inventory, Lang, Level, Text};
use orchestrator::migrate::{LocalStorage, MigrationPlan};

use crate::text::tr;

/// The step of the host migration whose commands a reinstalled machine needs.
const HOST_PACKAGES: &str = "/host-packages";

/// One kind of host in the plan: its hosts and the guide's commands for it.
#[derive(Debug, Clone, PartialEq)]
pub struct ReinstallNeeds {
    pub host_type: HostType,
    pub hosts: Vec<String>,
    pub commands: Vec<String>,
    /// Its local-storage hosts, each with what keeps its storage.
    pub local: Vec<(String, Vec<String>)>,
}

/// What a local-storage host's reinstall must do about its storage (§1.1.9): leave the disk
/// that holds each domain alone, mount it where the domain was, and make the directory of
/// the data center's new first domain, all owned by vdsm (36:36).
fn keep_local_storage(storage: &LocalStorage) -> Vec<String> {
    let mut commands =
        vec!["# kickstart: clearpart --all --drives=<the operating system's disk only>".to_owned()];
    for domain in &storage.domains {
        let path = &domain.path;
        commands.push(format!(
            "mkdir -p {path}; mount /dev/<the disk that holds {}> {path}; chown -R 36:36 {path}; chmod -R 0755 {path}",
            domain.name
        ));
        commands.push(format!(
            "# /etc/fstab: UUID=<its UUID, from blkid> {path} <its file system> defaults 0 0"
        ));
    }
    let first = &storage.first_path;
    commands.push(format!(
        "mkdir -p {first}; chown 36:36 {first}; chmod 0755 {first}"
    ));
    commands
}

/// The needs of the plan's hosts, one entry per kind of host among them.
pub fn reinstall_needs(inventory: &Inventory, plan: &MigrationPlan) -> Vec<ReinstallNeeds> {
    let four_three = release(Level::new(4, 3)).map(|r| r.latest());
    let four_four = release(Level::new(4, 4)).map(|r| r.latest());
    let (Some(from), Some(latest_44)) = (four_three, four_four) else {
        return Vec::new();
    };
    let to = if inventory.manager.version.line() >= Level::new(4, 4) {
        inventory.manager.version
    } else {
        latest_44
    };
    let deployment = match inventory.manager.deployment {
        Deployment::SelfHosted => DeploymentKind::SelfHosted,
        Deployment::Standalone => DeploymentKind::Standalone,
    };
    let mut needs: Vec<ReinstallNeeds> = Vec::new();
    for host in plan.hosts() {
        let Some(host_type) = inventory
            .hosts
            .iter()
            .find(|h| h.id == host.host)
            .map(|h| h.host_type)
        else {
            continue;
        };
        let local: Vec<(String, Vec<String>)> = host
            .local
            .iter()
            .map(|storage| (host.name.clone(), keep_local_storage(storage)))
            .collect();
        if let Some(need) = needs.iter_mut().find(|n| n.host_type == host_type) {
            need.hosts.push(host.name.clone());
            need.local.extend(local);
            continue;
        }
        let host_types = match host_type {
            HostType::Rhel => HostTypes::Rhel,
            HostType::OvirtNode => HostTypes::Rhvh,
        };
        let request = PlanRequest {
            from,
            to,
            deployment,
            options: Options {
                host_types,
                ..Options::default()
            },
            environment: None,
        };
        let commands = guide::plan(&request)
            .ok()
            .into_iter()
            .flat_map(|checklist| checklist.parts)
            .flat_map(|part| part.sections)
            .flat_map(|section| section.steps)
            .filter(|step| step.id.ends_with(HOST_PACKAGES))
            .flat_map(|step| step.commands)
            .map(|command| command.text)
            .collect();
        needs.push(ReinstallNeeds {
            host_type,
            hosts: vec![host.name.clone()],
            commands,
            local,
        });
    }
    needs
}

/// The needs as the plan prints them, after the hosts.
pub fn render(needs: &[ReinstallNeeds], lang: Lang) -> String {
    let mut out = String::new();
    for need in needs.iter().filter(|n| !n.commands.is_empty()) {
        let (installed, kind) = match need.host_type {
            HostType::Rhel => ("RHEL 8", tr(lang, "RHEL hosts", "RHEL ホスト")),
            HostType::OvirtNode => ("RHVH 4.4", tr(lang, "RHVH hosts", "RHVH ホスト")),
        };
        let _ = writeln!(
            out,
            "\n{} ({}): {}",
            kind,
            need.hosts.join(", "),
            Text::owned(
                format!("the reinstall puts {installed} on them, then runs what `plan` lists (guide §1.1.8):"),
                format!("再インストールで {installed} を入れ、`plan` と同じ次のコマンドを実行する (ガイド §1.1.8):"),
            )
            .get(lang)
        );
        for command in &need.commands {
            let _ = writeln!(out, "  {command}");
        }
        for (host, commands) in &need.local {
            let _ = writeln!(
                out,
                "{host}: {}",
                Text::new(
                    "it keeps its local storage (guide §1.1.9): the installer must not touch the disk that holds it, and after the installation:",
                    "ローカルストレージを保持します (ガイド §1.1.9)。インストーラーはそのディスクに触れず、インストール後に次を実行する:",
                )
                .get(lang)
            );
            for command in commands {
                let _ = writeln!(out, "  {command}");
            }
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use orchestrator::migrate::{plan, MigrateOptions};

    /// RHEL and RHVH hosts get the guide's own commands for their kind, each host named once.
    #[test]
    fn each_kind_of_host_gets_the_guides_commands_for_it() {
        let mut inventory = scenario::load("example:self-hosted-migration").unwrap();
        let node = inventory
            .hosts
            .iter_mut()
            .find(|h| h.name == "prod-host02")
            .unwrap();
        node.host_type = HostType::OvirtNode;
        let plan = plan(&inventory, "Production", &MigrateOptions::default()).unwrap();
        let needs = reinstall_needs(&inventory, &plan);
        let of = |kind| needs.iter().find(|n| n.host_type == kind).unwrap();
        let rhel = of(HostType::Rhel);
        assert_eq!(rhel.hosts.len(), 3);
        assert!(rhel
            .commands
            .iter()
            .any(|c| c == "dnf module enable virt:rhel"));
        let rhvh = of(HostType::OvirtNode);
        assert_eq!(rhvh.hosts, ["prod-host02"]);
        assert!(
            rhvh.commands.iter().all(|c| !c.contains("dnf module")),
            "{:?}",
            rhvh.commands
        );
        assert!(
            rhvh.commands.iter().any(|c| c.contains("rhvh-4")),
            "{:?}",
            rhvh.commands
        );
        let shown = render(&needs, Lang::Ja);
        assert!(shown.contains("RHVH ホスト (prod-host02)"), "{shown}");
    }
}
