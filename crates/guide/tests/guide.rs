//! The guide crate from the outside: every chapter's commands in the guide's order, detection
//! from every shipped example, refusals with their reasons, the tracker file, properties of
//! every plan, and snapshots of the rendered checklists.

use std::collections::BTreeSet;

use guide::render::{self, Done};
use guide::{
    Choices, CommandKind, DeploymentKind, HostTypes, HostUpdate, Options, Plan, PlanError,
    PlanRequest, Sha1Scope, Tracker, TrackerError, VersionSpec,
};
use model::{Lang, Version};

fn v(text: &str) -> Version {
    text.parse().unwrap()
}

fn request(from: &str, to: &str, deployment: DeploymentKind, options: Options) -> PlanRequest {
    PlanRequest {
        from: v(from),
        to: v(to),
        deployment,
        options,
        environment: None,
    }
}

fn plan_of(from: &str, to: &str, deployment: DeploymentKind, options: Options) -> Plan {
    guide::plan(&request(from, to, deployment, options)).unwrap()
}

/// One command as the guide prints it, its line continuations and spacing flattened.
fn normalise(text: &str) -> String {
    text.replace("\\\n", " ")
        .split_whitespace()
        .collect::<Vec<_>>()
        .join(" ")
}

/// Everything the checklist asks to type or write, in order: each step's commands (file
/// contents line by line), then its verification command.
fn typed(plan: &Plan) -> Vec<String> {
    let mut out = Vec::new();
    for step in plan.steps() {
        let commands = step
            .commands
            .iter()
            .chain(step.verify.iter().filter_map(|v| v.command.as_ref()));
        for command in commands {
            match command.kind {
                CommandKind::File { .. } => out.extend(command.text.lines().map(normalise)),
                CommandKind::Shell | CommandKind::Search => out.push(normalise(&command.text)),
            }
        }
    }
    out
}

/// Checks that the plan contains every command of `chapter`, in the chapter's order.
fn assert_in_guide_order(plan: &Plan, chapter: &str, expected: &[&str]) {
    let typed = typed(plan);
    let mut position = 0;
    for (index, command) in expected.iter().enumerate() {
        let wanted = normalise(command);
        match typed[position..].iter().position(|c| *c == wanted) {
            Some(found) => position += found + 1,
            None => panic!(
                "chapter {chapter}: command {} of the guide, `{wanted}`, is missing after \
                 position {position} of the plan; the plan has, from there:\n{}",
                index + 1,
                typed[position..].join("\n")
            ),
        }
    }
}

const ANALYSIS: &[&str] = &[
    "yum install rhv-log-collector-analyzer",
    "rhv-log-collector-analyzer --live",
    "rhv-log-collector-analyzer --live --html=/directory/filename.html",
    "yum install -y elinks",
    "elinks /home/user1/analyzer_report.html",
    "rhv-image-discrepancies",
];

const UPDATE_MANAGER: &[&str] = &[
    "engine-upgrade-check",
    r"yum update ovirt\*setup\* rh\*vm-setup-plugins",
    "engine-setup",
    "yum update --nobest",
];

const GLOBAL_MAINTENANCE_ON: &[&str] = &[
    "hosted-engine --set-maintenance --mode=global",
    "hosted-engine --vm-status",
];

const GLOBAL_MAINTENANCE_OFF: &[&str] = &[
    "hosted-engine --set-maintenance --mode=none",
    "hosted-engine --vm-status",
];

const UPGRADE_TO_43: &[&str] = &[
    "subscription-manager repos \\\n --enable=rhel-7-server-rhv-4.3-manager-rpms \\\n \
     --enable=jb-eap-7.2-for-rhel-7-server-rpms",
    r"yum update ovirt\*setup\* rh\*vm-setup-plugins",
    "engine-setup",
    "subscription-manager repos \\\n --disable=rhel-7-server-rhv-4.2-manager-rpms \\\n \
     --disable=jb-eap-7-for-rhel-7-server-rpms",
    "yum update",
];

const LOCAL_STORAGE: &[&str] = &[
    "clearpart --all --drives=device",
    "mkdir /data",
    "mount /dev/sdX1 /data",
    "chown -R 36:36 /data",
    "chmod -R 0755 /data",
    "blkid | grep -i sdX1",
    "UUID=\"a81a6879-3764-48d0-8b21-2898c318ef7c\" /data ext4 defaults 0 0",
    "mkdir -p /localfs",
    "chown 36:36 /localfs",
    "chmod -R 0755 /localfs",
];

const VM_RESTART: &[&str] = &["next_run_config_exists=True"];

const OPENSSL_DEFAULT: &[&str] = &[
    "cat /etc/pki/ovirt-engine/openssl.conf",
    "cp -p /etc/pki/ovirt-engine/openssl.conf \
     /etc/pki/ovirt-engine/openssl.conf.\"$(date +\"%Y%m%d%H%M%S\")\"",
    "sed -i 's/^default_md = sha1/default_md = sha256/' /etc/pki/ovirt-engine/openssl.conf",
];

const RESIGN_CA: &[&str] = &[
    "cp -p /etc/pki/ovirt-engine/private/ca.pem \
     /etc/pki/ovirt-engine/private/ca.pem.\"$(date +\"%Y%m%d%H%M%S\")\"",
    "openssl x509 -signkey /etc/pki/ovirt-engine/private/ca.pem -in /etc/pki/ovirt-engine/ca.pem \
     -out /etc/pki/ovirt-engine/ca.pem.new -days 3650 -sha256",
    "mv /etc/pki/ovirt-engine/ca.pem.new /etc/pki/ovirt-engine/ca.pem",
];

const RESIGN: &[&str] = &[
    ". /etc/ovirt-engine/engine.conf.d/10-setup-protocols.conf",
    "for name in $names; do subject=\"$( openssl x509 -in \
     /etc/pki/ovirt-engine/certs/\"${name}\".cer -noout -subject -nameopt compat | sed \
     's;subject=\\(.*\\);\\1;' )\" /usr/share/ovirt-engine/bin/pki-enroll-pkcs12.sh \
     --name=\"${name}\" --password=mypass --subject=\"${subject}\" \
     --san=DNS:\"${ENGINE_FQDN}\" --keep-key done",
];

const RESTART_ALL: &[&str] = &[
    "systemctl restart httpd",
    "systemctl restart ovirt-engine",
    "systemctl restart ovirt-websocket-proxy",
    "systemctl restart ovirt-imageio",
];

fn chain<'a>(parts: &[&[&'a str]]) -> Vec<&'a str> {
    parts.iter().flat_map(|p| p.iter().copied()).collect()
}

#[test]
fn chapter_1_1_self_hosted_4_3_to_4_4() {
    let options = Options {
        aaa_ldap: true,
        local_storage: true,
        ..Options::default()
    };
    let plan = plan_of("4.3.0", "4.4.10", DeploymentKind::SelfHosted, options);
    let expected = chain(&[
        ANALYSIS,
        GLOBAL_MAINTENANCE_ON,
        UPDATE_MANAGER,
        &[
            "systemctl stop ovirt-engine",
            "engine-backup --scope=all --mode=backup --file=backup.bck --log=backuplog.log",
            "shutdown",
            "hosted-engine --vm-status | grep -E 'Engine status|Hostname'",
            "hosted-engine --vm-shutdown",
            "yum install ovirt-hosted-engine-setup",
            "hosted-engine --deploy --restore-from-file=/path/backup.bck",
            "systemctl stop ovirt-engine",
            "yum install ovirt-engine-extension-aaa-ldap ovirt-engine-extension-aaa-misc",
            "engine-setup",
        ],
        LOCAL_STORAGE,
        VM_RESTART,
    ]);
    assert_in_guide_order(&plan, "1.1", &expected);
}

#[test]
fn chapter_1_2_self_hosted_4_2_to_4_3() {
    let options = Options {
        sha1_certs: Some(Sha1Scope::All),
        ..Options::default()
    };
    let plan = plan_of("4.2.0", "4.3.11", DeploymentKind::SelfHosted, options);
    let expected = chain(&[
        ANALYSIS,
        GLOBAL_MAINTENANCE_ON,
        UPDATE_MANAGER,
        UPGRADE_TO_43,
        GLOBAL_MAINTENANCE_OFF,
        VM_RESTART,
        OPENSSL_DEFAULT,
        RESIGN_CA,
        &[r#"names="engine apache websocket-proxy jboss imageio-proxy""#],
        &["hosted-engine --set-maintenance --mode=global"],
        RESIGN,
        RESTART_ALL,
        &["hosted-engine --set-maintenance --mode=none"],
    ]);
    assert_in_guide_order(&plan, "1.2", &expected);
}

#[test]
fn chapter_1_2_browser_warning_variant() {
    let options = Options {
        sha1_certs: Some(Sha1Scope::Apache),
        ..Options::default()
    };
    let plan = plan_of("4.2.8", "4.3.11", DeploymentKind::SelfHosted, options);
    let expected = chain(&[
        OPENSSL_DEFAULT,
        &[r#"names="apache""#],
        &["hosted-engine --set-maintenance --mode=global"],
        RESIGN,
        &["systemctl restart httpd"],
        &["hosted-engine --set-maintenance --mode=none"],
    ]);
    assert_in_guide_order(&plan, "1.2.12", &expected);
    assert!(!typed(&plan).contains(&normalise(RESIGN_CA[2])));
}

#[test]
fn chapter_2_1_standalone_4_3_to_4_4() {
    let options = Options {
        aaa_ldap: true,
        local_storage: true,
        gluster: true,
        new_manager_machine: true,
        ..Options::default()
    };
    let plan = plan_of("4.3.0", "4.4.10", DeploymentKind::Standalone, options);
    let expected = chain(&[
        ANALYSIS,
        UPDATE_MANAGER,
        &[
            "engine-backup --scope=all --mode=backup --file=backup.bck --log=backuplog.log",
            "yum install rhvm",
            "engine-backup --mode=restore --file=backup.bck --provision-all-databases",
            "yum install ovirt-engine-extension-aaa-ldap ovirt-engine-extension-aaa-misc",
            "engine-setup",
            // §2.1.5 runs engine-setup again after the decommissioning note.
            "engine-setup",
        ],
        LOCAL_STORAGE,
        // A standalone Manager has moved already: §2.1.8's host part only.
        &[
            "ansible-playbook -i archive_config_inventory.yml archive_config.yml --tags backupfiles",
            "gluster volume heal <volume> info summary",
            "pkill glusterfsd; pkill glusterfs",
            "systemctl stop glusterd",
            "umount /gluster_bricks/*",
            "ansible-playbook -i blacklist_inventory.yml \
             /etc/ansible/roles/gluster.ansible/playbooks/hc-ansible-deployment/tasks/gluster_deployment.yml \
             --tags blacklistdevices*",
            "mkdir /archive",
            "tar -xvf /root/ovirt-host-host1.example.com.tar.gz -C /archive/",
            "ansible-playbook -i archive_config_inventory.yml archive_config.yml --tags restorefiles",
            "grep -i \"gfid mismatch\" /var/log/glusterfs/*",
            "umount /gluster_bricks/*",
            "scp root@host1.example.com:/root/.ssh/authorized_keys /root/.ssh/",
            "grep -i \"gfid mismatch\" /var/log/glusterfs/*",
            "for vol in `gluster volume list`; do gluster volume set $vol group virt; done",
        ],
        VM_RESTART,
    ]);
    assert_in_guide_order(&plan, "2.1", &expected);
}

#[test]
fn chapter_2_2_standalone_4_2_to_4_3() {
    let options = Options {
        sha1_certs: Some(Sha1Scope::Apache),
        ..Options::default()
    };
    let plan = plan_of("4.2.0", "4.3.11", DeploymentKind::Standalone, options);
    let expected = chain(&[
        ANALYSIS,
        UPDATE_MANAGER,
        UPGRADE_TO_43,
        VM_RESTART,
        OPENSSL_DEFAULT,
        &[r#"names="apache""#],
        RESIGN,
        &["systemctl restart httpd"],
    ]);
    assert_in_guide_order(&plan, "2.2", &expected);
    assert!(!typed(&plan).iter().any(|c| c.contains("--mode=global")));
}

#[test]
fn chapter_3_1_remote_databases_4_3_to_4_4() {
    let options = Options {
        remote_engine_db: true,
        remote_dwh: true,
        aaa_ldap: true,
        local_storage: true,
        ..Options::default()
    };
    let plan = plan_of(
        "4.3.0",
        "4.4.10",
        DeploymentKind::StandaloneRemoteDb,
        options,
    );
    let expected = chain(&[
        ANALYSIS,
        UPDATE_MANAGER,
        &[
            "engine-backup --scope=all --mode=backup --file=backup.bck --log=backuplog.log",
            "yum install rhvm",
            "engine-backup --mode=restore --file=backup.bck --provision-all-databases",
            "yum install ovirt-engine-extension-aaa-ldap ovirt-engine-extension-aaa-misc",
            "engine-setup",
            "systemctl start ovirt-engine-dwhd.service",
            "engine-backup --file=<backupfile>",
            "systemctl stop ovirt-engine-dwhd",
            "systemctl disable ovirt-engine-dwhd",
            "dnf install ovirt-engine-dwh-setup",
            "engine-backup --mode=restore --file=backup.bck --provision-all-databases",
            "engine-setup",
            "systemctl restart ovirt-engine",
        ],
        LOCAL_STORAGE,
        VM_RESTART,
    ]);
    assert_in_guide_order(&plan, "3.1", &expected);
}

#[test]
fn chapter_3_2_remote_databases_4_2_to_4_3() {
    let options = Options {
        remote_engine_db: true,
        remote_dwh: true,
        sha1_certs: Some(Sha1Scope::All),
        external_ca: true,
        ..Options::default()
    };
    let plan = plan_of(
        "4.2.0",
        "4.3.11",
        DeploymentKind::StandaloneRemoteDb,
        options,
    );
    let expected = chain(&[
        ANALYSIS,
        UPDATE_MANAGER,
        &[
            "systemctl stop ovirt-engine",
            "systemctl stop ovirt-engine-dwhd",
            "subscription-manager repos --enable=rhel-7-server-rhv-4.3-manager-rpms",
            "subscription-manager repos --enable rhel-server-rhscl-7-rpms",
            "yum install rh-postgresql10 rh-postgresql10-postgresql-contrib",
            "systemctl stop rh-postgresql95-postgresql",
            "systemctl disable rh-postgresql95-postgresql",
            "scl enable rh-postgresql10 -- postgresql-setup \
             --upgrade-from=rh-postgresql95-postgresql --upgrade",
            "systemctl start rh-postgresql10-postgresql.service",
            "systemctl enable rh-postgresql10-postgresql.service",
            "systemctl status rh-postgresql10-postgresql.service",
            "cp -p /var/opt/rh/rh-postgresql95/lib/pgsql/data/pg_hba.conf \
             /var/opt/rh/rh-postgresql10/lib/pgsql/data/pg_hba.conf",
            "listen_addresses='*'",
            "autovacuum_vacuum_scale_factor=0.01",
            "autovacuum_analyze_scale_factor=0.075",
            "autovacuum_max_workers=6",
            "maintenance_work_mem=65536",
            "max_connections=150",
            "work_mem = 8192",
            "systemctl restart rh-postgresql10-postgresql.service",
        ],
        UPGRADE_TO_43,
        &[
            "systemctl stop ovirt-engine-dwhd",
            "systemctl disable ovirt-engine-dwhd",
            "rm -f /etc/ovirt-engine-dwh/ovirt-engine-dwhd.conf.d/*",
        ],
        // §3.2.6.1: the Data Warehouse machine repeats the Manager's upgrade.
        UPGRADE_TO_43,
        VM_RESTART,
        OPENSSL_DEFAULT,
        RESIGN_CA,
        &[r#"names="engine websocket-proxy jboss imageio-proxy""#],
        RESIGN,
        RESTART_ALL,
    ]);
    assert_in_guide_order(&plan, "3.2", &expected);
}

fn minor(to: &str, deployment: DeploymentKind, host_update: HostUpdate) -> Plan {
    let options = Options {
        host_update,
        offline_repo: true,
        ..Options::default()
    };
    plan_of("4.4.0", to, deployment, options)
}

const APPENDIX_A: &[&str] = &["reposync --newest-only -p /var/ftp/pub/rhevrepo"];

const APPENDIX_B: &[&str] = &[
    "[rhvh-4-for-rhel-8-x86_64-rpms]",
    "ls -al /etc/pki/entitlement/",
    "cd /etc/pki/entitlement/",
    "rct cat-cert 5659494963772844103.pem | grep rhvh/4/ | grep URL",
    "sslclientcert = /etc/pki/entitlement/5659494963772844103.pem",
    "sslclientkey = /etc/pki/entitlement/5659494963772844103-key.pem",
    "pwd",
    "reposync --repo rhvh-4-for-rhel-8-x86_64-rpms",
];

const HOST_REPOSITORIES_44: &[&str] = &[
    "subscription-manager repos --enable=rhvh-4-for-rhel-8-x86_64-rpms",
    "subscription-manager repos \\\n --enable=rhel-8-for-x86_64-baseos-eus-rpms \\\n \
     --enable=rhel-8-for-x86_64-appstream-eus-rpms \\\n \
     --enable=rhv-4-mgmt-agent-for-rhel-8-x86_64-rpms \\\n \
     --enable=advanced-virt-for-rhel-8-x86_64-rpms \\\n \
     --enable=fast-datapath-for-rhel-8-x86_64-rpms",
    "subscription-manager release --set=8.6",
];

#[test]
fn chapter_4_1_minor_updates_for_every_deployment() {
    for deployment in DeploymentKind::ALL {
        let options = Options {
            remote_engine_db: *deployment == DeploymentKind::StandaloneRemoteDb,
            ..Options::default()
        };
        let plan = plan_of("4.4.0", "4.4.10", *deployment, options);
        let mut expected: Vec<&str> = ANALYSIS.to_vec();
        if *deployment == DeploymentKind::SelfHosted {
            expected.extend(GLOBAL_MAINTENANCE_ON);
        }
        expected.extend([
            "subscription-manager repos --enable=jb-eap-7.4-for-rhel-8-x86_64-rpms",
            "engine-upgrade-check",
            r"yum update ovirt\*setup\* rh\*vm-setup-plugins",
            "engine-setup",
            "subscription-manager repos --disable=jb-eap-7.3-for-rhel-8-x86_64-rpms",
            "yum update --nobest",
        ]);
        if *deployment == DeploymentKind::SelfHosted {
            expected.extend(GLOBAL_MAINTENANCE_OFF);
        }
        expected.extend(VM_RESTART);
        assert_in_guide_order(&plan, &format!("4.1 ({deployment})"), &expected);
    }
}

#[test]
fn chapter_4_1_9_individual_hosts_and_the_appendices() {
    let plan = minor("4.4.10", DeploymentKind::Standalone, HostUpdate::Individual);
    let expected = chain(&[
        APPENDIX_A,
        APPENDIX_B,
        ANALYSIS,
        UPDATE_MANAGER,
        HOST_REPOSITORIES_44,
        VM_RESTART,
    ]);
    assert_in_guide_order(&plan, "4.1.9", &expected);
}

#[test]
fn chapter_4_1_10_manual_hosts_with_the_stream_of_each_release() {
    for (to, stream) in [
        ("4.4.2", "virt:8.2"),
        ("4.4.5", "virt:8.3"),
        ("4.4.8", "virt:av"),
        ("4.4.10", "virt:rhel"),
    ] {
        let plan = minor(to, DeploymentKind::Standalone, HostUpdate::Manual);
        let enable = format!("dnf module enable {stream}");
        let expected = chain(&[
            &HOST_REPOSITORIES_44[..2],
            &[
                "cat /etc/redhat-release",
                "dnf --refresh info --available redhat-release",
                "dnf module reset virt",
                "dnf module list virt",
                &enable,
                "dnf module -y enable nodejs:14",
                "dnf upgrade --nobest",
                "rpm -Uvh /var/imgbased/persisted-rpms/*",
            ],
        ]);
        assert_in_guide_order(&plan, &format!("4.1.10 (to {to})"), &expected);
    }
}

#[test]
fn chapter_4_1_5_cluster_upgrade_is_the_default() {
    let plan = minor("4.4.10", DeploymentKind::SelfHosted, HostUpdate::Cluster);
    let step = plan
        .step("4.4.z/cluster-upgrade")
        .expect("the cluster upgrade step");
    assert_eq!(
        step.automated_by.as_ref().unwrap().tool,
        guide::Tool::ClusterUpgrade
    );
    assert!(step.warnings.iter().any(|w| w.en.contains("/etc and /var")));
    assert!(step
        .warnings
        .iter()
        .any(|w| w.en.contains("self-hosted-engine nodes")));
    assert!(step
        .warnings
        .iter()
        .any(|w| w.en.contains("redhat-virtualization-host-image-update")));
}

// ---------------------------------------------------------------------------------------------
// Detection from the shipped examples

fn detected(example: &str) -> guide::Detection {
    let inventory = scenario::load(&format!("example:{example}")).unwrap();
    guide::detect(&inventory)
}

fn resolved_from(example: &str, choices: &Choices) -> guide::Resolved {
    guide::resolve(choices, Some(&detected(example))).unwrap()
}

fn hop_ids(plan: &Plan) -> Vec<String> {
    plan.route.hops.iter().map(|h| h.id()).collect()
}

/// (example, route, deployment, options that must be on, host types)
#[test]
fn every_example_yields_its_route_and_options() {
    struct Expected {
        example: &'static str,
        hops: &'static [&'static str],
        deployment: DeploymentKind,
        on: &'static [&'static str],
        host_types: HostTypes,
    }
    let cases = [
        Expected {
            example: "self-hosted",
            hops: &["4.3-4.4"],
            deployment: DeploymentKind::SelfHosted,
            on: &["ovn"],
            host_types: HostTypes::Rhel,
        },
        Expected {
            example: "standalone-local",
            hops: &["4.3-4.4"],
            deployment: DeploymentKind::Standalone,
            on: &[],
            host_types: HostTypes::Mixed,
        },
        Expected {
            example: "standalone-remote",
            hops: &["4.3-4.4"],
            deployment: DeploymentKind::StandaloneRemoteDb,
            on: &["remote-engine-db", "remote-dwh", "aaa-ldap"],
            host_types: HostTypes::Rhel,
        },
        Expected {
            example: "local-storage",
            hops: &["4.3-4.4"],
            deployment: DeploymentKind::Standalone,
            on: &["local-storage"],
            host_types: HostTypes::Rhel,
        },
        Expected {
            example: "hyperconverged",
            hops: &["4.3-4.4"],
            deployment: DeploymentKind::SelfHosted,
            on: &["gluster"],
            host_types: HostTypes::Rhvh,
        },
        Expected {
            example: "sha1-certificates",
            hops: &["4.4.z"],
            deployment: DeploymentKind::Standalone,
            on: &["sha1-certs", "external-ca"],
            host_types: HostTypes::Rhel,
        },
        Expected {
            example: "rhv-4.2",
            hops: &["4.2-4.3", "4.3-4.4"],
            deployment: DeploymentKind::Standalone,
            on: &["aaa-ldap"],
            host_types: HostTypes::Rhel,
        },
    ];
    let switches = [
        "remote-engine-db",
        "remote-dwh",
        "local-storage",
        "gluster",
        "sha1-certs",
        "external-ca",
        "ovn",
        "aaa-ldap",
        "offline-repo",
        "new-manager-machine",
    ];
    for case in &cases {
        let resolved = resolved_from(case.example, &Choices::default());
        let plan = resolved.plan().unwrap();
        assert_eq!(hop_ids(&plan), case.hops, "{}", case.example);
        assert_eq!(plan.request.deployment, case.deployment, "{}", case.example);
        assert_eq!(
            plan.request.options.host_types, case.host_types,
            "{}",
            case.example
        );
        for name in switches {
            let setting = plan
                .settings
                .iter()
                .find(|s| s.name == name)
                .unwrap_or_else(|| panic!("{}: no setting {name}", case.example));
            let on = setting.value != "no";
            assert_eq!(on, case.on.contains(&name), "{}: {name}", case.example);
            // Everything but the two undetectable switches says which fields it came from.
            let from_inventory = matches!(setting.origin, guide::Origin::Inventory { .. });
            let undetectable = name == "offline-repo" || name == "new-manager-machine";
            assert_eq!(from_inventory, !undetectable, "{}: {name}", case.example);
        }
    }
}

#[test]
fn detection_says_what_it_read_from_where() {
    let detection = detected("sha1-certificates");
    assert_eq!(detection.from.value, v("4.4.3"));
    assert_eq!(detection.from.evidence.en, "manager.version = 4.4.3");
    assert_eq!(detection.sha1_certs.value, Some(Sha1Scope::All));
    assert!(detection
        .sha1_certs
        .evidence
        .en
        .contains("certificate \"ca\": sha1WithRSAEncryption"));
    assert!(detection.external_ca.evidence.en.contains("\"apache\""));
    let remote = detected("standalone-remote");
    assert!(remote
        .deployment
        .evidence
        .en
        .contains("manager.database.placement = remote"));
    let hyperconverged = detected("hyperconverged");
    assert!(hyperconverged
        .gluster
        .evidence
        .en
        .contains("cluster \"hc\""));
    assert!(hyperconverged
        .gluster
        .evidence
        .ja
        .contains("クラスター \"hc\""));
    let local = detected("local-storage");
    assert!(local.local_storage.evidence.en.contains("\"Branch\""));
}

#[test]
fn a_manager_already_at_the_guides_end_plans_beyond_it_when_asked() {
    let detection = detected("pinned-and-ha");
    let resolved = guide::resolve(&Choices::default(), Some(&detection)).unwrap();
    let err = resolved.plan().unwrap_err().to_string();
    assert!(err.contains("already at 4.4.10"), "{err}");
    let choices = Choices {
        to: Some("4.5".parse().unwrap()),
        ..Choices::default()
    };
    let plan = guide::resolve(&choices, Some(&detection))
        .unwrap()
        .plan()
        .unwrap();
    assert_eq!(hop_ids(&plan), ["4.4-4.5"]);
    assert_eq!(plan.route.to, v("4.5.6"));
    let compat = plan.step("4.4-4.5/cluster-compatibility").unwrap();
    assert!(compat.title.en.contains("4.7"), "{}", compat.title.en);
    assert!(compat
        .warnings
        .iter()
        .any(|w| w.en.contains("libvirt 8.0.0")));
    assert!(!compat.source.in_guide() || plan.parts[0].chapter.is_none());
}

#[test]
fn options_on_the_command_line_win_over_the_inventory() {
    let choices = Choices {
        deployment: Some(DeploymentKind::Standalone),
        from: Some(VersionSpec::Exact(v("4.3.8"))),
        host_types: Some(HostTypes::Rhvh),
        ..Choices::default()
    };
    let resolved = resolved_from("self-hosted", &choices);
    assert_eq!(resolved.request.deployment, DeploymentKind::Standalone);
    assert_eq!(resolved.request.from, v("4.3.8"));
    assert_eq!(resolved.request.options.host_types, HostTypes::Rhvh);
    let origin = |name: &str| {
        resolved
            .settings
            .iter()
            .find(|s| s.name == name)
            .map(|s| s.origin.clone())
            .unwrap()
    };
    assert_eq!(origin("deployment"), guide::Origin::Option);
    assert_eq!(origin("from"), guide::Origin::Option);
}

#[test]
fn an_inventory_makes_the_checklist_concrete() {
    // RHV 4.2 example: a 4.1 cluster is still accepted by 4.3 but the plan names every cluster.
    let plan = resolved_from("rhv-4.2", &Choices::default())
        .plan()
        .unwrap();
    let compat = plan.step("4.2-4.3/cluster-compatibility").unwrap();
    assert_eq!(compat.targets, ["legacy", "current"]);
    // A 3.6 cluster on a 4.2 Manager must be raised before 4.3's engine-setup accepts it.
    let mut detection = detected("rhv-4.2");
    detection.environment.clusters[0].level = "3.6".parse().unwrap();
    let plan = guide::resolve(&Choices::default(), Some(&detection))
        .unwrap()
        .plan()
        .unwrap();
    let raise = plan
        .step("4.2-4.3/raise-clusters")
        .expect("old levels are raised first");
    assert_eq!(raise.targets, ["legacy (3.6)"]);
    assert!(position(&plan, "4.2-4.3/raise-clusters") < position(&plan, "4.2-4.3/engine-setup"));
    // The Manager's FQDN fills the CA download address.
    let choices = Choices {
        sha1_certs: Some(Sha1Scope::All),
        ..Choices::default()
    };
    let plan = resolved_from("standalone-local", &choices).plan().unwrap();
    let browsers = plan.step("4.3-4.4/sha1-browsers").unwrap();
    assert!(browsers
        .explanation
        .en
        .contains("http://rhvm.example.com/ovirt-engine/"));
}

// ---------------------------------------------------------------------------------------------
// Refusals

fn refused(from: &str, to: &str, deployment: DeploymentKind, options: Options) -> String {
    guide::plan(&request(from, to, deployment, options))
        .unwrap_err()
        .to_string()
}

#[test]
fn unknown_versions_downgrades_and_skipped_majors_are_refused_with_the_reason() {
    let standalone = DeploymentKind::Standalone;
    let cases = [
        ("4.1.9", "4.3.11", "not a release this tool knows"),
        ("4.3.11", "4.4.11", "ended at 4.4.10"),
        ("4.4.10", "4.6.0", "known lines: 4.2, 4.3, 4.4, 4.5"),
        ("4.4.10", "4.3.11", "downgrade"),
        ("3.6.12", "4.4.10", "major version 3 to 4"),
        ("4.5.2", "5.0.0", "major version 4 to 5"),
        ("4.3.11", "4.3.11", "nothing to plan"),
    ];
    for (from, to, reason) in cases {
        let err = refused(from, to, standalone, Options::default());
        assert!(err.contains(reason), "{from} → {to}: {err}");
    }
}

#[test]
fn conflicting_options_are_refused_with_the_fix() {
    let remote_dwh = Options {
        remote_dwh: true,
        ..Options::default()
    };
    let err = refused(
        "4.3.11",
        "4.4.10",
        DeploymentKind::Standalone,
        remote_dwh.clone(),
    );
    assert!(
        err.contains("use --deployment standalone-remote-db"),
        "{err}"
    );
    let err = refused("4.3.11", "4.4.10", DeploymentKind::SelfHosted, remote_dwh);
    assert!(err.contains("self-hosted chapter"), "{err}");
    let err = refused(
        "4.3.11",
        "4.4.10",
        DeploymentKind::StandaloneRemoteDb,
        Options::default(),
    );
    assert!(
        err.contains("--remote-engine-db, --remote-dwh or both"),
        "{err}"
    );
    let apache_external = Options {
        sha1_certs: Some(Sha1Scope::Apache),
        external_ca: true,
        ..Options::default()
    };
    let err = refused(
        "4.2.8",
        "4.3.11",
        DeploymentKind::Standalone,
        apache_external,
    );
    assert!(err.contains("--sha1-certs=all"), "{err}");
    assert!(matches!(
        guide::plan(&request(
            "4.3.11",
            "4.4.10",
            DeploymentKind::Standalone,
            Options {
                remote_engine_db: true,
                ..Options::default()
            }
        )),
        Err(PlanError::Conflict { .. })
    ));
}

// ---------------------------------------------------------------------------------------------
// The tracker file

fn saved() -> (Plan, Tracker) {
    let plan = plan_of(
        "4.3.11",
        "4.4.10",
        DeploymentKind::SelfHosted,
        Options::default(),
    );
    let tracker = Tracker::new(&plan);
    (plan, tracker)
}

fn load(bytes: &[u8]) -> Result<(Tracker, Plan), TrackerError> {
    Tracker::from_json(bytes, "window.json")
}

fn edited(edit: impl FnOnce(&mut serde_json::Value)) -> Vec<u8> {
    let (_, tracker) = saved();
    let mut value: serde_json::Value = serde_json::from_slice(&tracker.to_json()).unwrap();
    edit(&mut value);
    serde_json::to_vec(&value).unwrap()
}

#[test]
fn a_tracker_survives_the_window() {
    let (plan, mut tracker) = saved();
    tracker
        .mark_done(&plan, "1.1.1", Some("2026-11-28T22:00:00Z".into()))
        .unwrap();
    tracker
        .mark_done(&plan, "4.3-4.4/run-analyzer", None)
        .unwrap();
    let (loaded, rebuilt) = load(&tracker.to_json()).unwrap();
    assert_eq!(loaded.done_ids().len(), 2);
    let (number, next) = render::next_step(&rebuilt, &loaded.done_ids()).unwrap();
    assert_eq!(
        (number.as_str(), next.id.as_str()),
        ("1.1.3", "4.3-4.4/image-discrepancies")
    );
}

#[test]
fn a_tracker_edited_into_nonsense_is_refused_with_the_fix() {
    let cut = {
        let (_, tracker) = saved();
        let bytes = tracker.to_json();
        bytes[..bytes.len() / 2].to_vec()
    };
    let cases: Vec<(Vec<u8>, &str)> = vec![
        (cut, "not valid JSON"),
        (b"[1, 2, 3]".to_vec(), "not a readable plan tracker"),
        (
            edited(|v| v["kind"] = "shopping list".into()),
            "not a file written by `ovirt-upgrade plan --save`",
        ),
        (edited(|v| v["format"] = 7.into()), "tracker format 7"),
        (
            edited(|v| v["request"]["deployment"] = "hosted".into()),
            "not a readable plan tracker",
        ),
        (
            edited(|v| v["request"]["to"] = "4.3.1".into()),
            "cannot be planned: 4.3.11 → 4.3.1 is a downgrade",
        ),
        (
            edited(|v| v["steps"].as_array_mut().unwrap().swap(0, 1)),
            "differs from the plan its request gives, from step 1 on",
        ),
        (
            edited(|v| {
                v["steps"]
                    .as_array_mut()
                    .unwrap()
                    .pop()
                    .map(|_| ())
                    .unwrap()
            }),
            "saved by another version",
        ),
        (
            edited(|v| v["done"] = serde_json::json!({ "4.3-4.4/reboot-the-world": {} })),
            "step `4.3-4.4/reboot-the-world` is marked done but is not part of the plan",
        ),
        (
            edited(|v| v["colour"] = "blue".into()),
            "unknown field `colour`",
        ),
    ];
    for (bytes, expected) in cases {
        let err = load(&bytes).unwrap_err().to_string();
        assert!(err.contains(expected), "expected {expected:?} in: {err}");
        assert!(err.starts_with("window.json: "), "{err}");
        assert!(
            err.contains("plan --save") || err.contains("plan done"),
            "no fix named: {err}"
        );
    }
}

#[test]
fn marks_name_steps_by_id_or_number_and_suggest_near_misses() {
    let (plan, mut tracker) = saved();
    let err = tracker
        .mark_done(&plan, "deploy-engine", None)
        .unwrap_err()
        .to_string();
    assert!(err.contains("there is no step `deploy-engine`"), "{err}");
    let err = tracker
        .mark_done(&plan, "4.3-4.4/deploy", None)
        .map(|r| r.0)
        .unwrap();
    assert_eq!(err, "4.3-4.4/deploy");
    let err = tracker
        .mark_done(&plan, "engine-backup", None)
        .unwrap_err()
        .to_string();
    assert!(err.contains("did you mean 4.3-4.4/engine-backup"), "{err}");
}

#[test]
fn the_order_check_notices_missing_and_misplaced_commands() {
    let plan = plan_of(
        "4.4.0",
        "4.4.10",
        DeploymentKind::Standalone,
        Options::default(),
    );
    let misplaced = std::panic::catch_unwind(|| {
        assert_in_guide_order(&plan, "test", &["engine-setup", "engine-upgrade-check"])
    });
    assert!(misplaced.is_err());
    let missing = std::panic::catch_unwind(|| {
        assert_in_guide_order(
            &plan,
            "test",
            &["hosted-engine --set-maintenance --mode=global"],
        )
    });
    assert!(missing.is_err());
}

// ---------------------------------------------------------------------------------------------
// Properties of every plan

mod properties {
    use super::*;
    use model::release::{KNOWN_LEVELS, RELEASES};
    use proptest::prelude::*;

    fn version() -> impl Strategy<Value = Version> {
        (0..RELEASES.len()).prop_flat_map(|index| {
            let release = &RELEASES[index];
            (0..=release.latest_patch)
                .prop_map(move |patch| Version::new(release.line.major, release.line.minor, patch))
        })
    }

    fn pick<T: Copy + std::fmt::Debug + 'static>(all: &'static [T]) -> impl Strategy<Value = T> {
        (0..all.len()).prop_map(move |i| all[i])
    }

    fn options() -> impl Strategy<Value = Options> {
        (
            any::<[bool; 9]>(),
            prop::option::of(pick(Sha1Scope::ALL)),
            pick(HostTypes::ALL),
            pick(HostUpdate::ALL),
        )
            .prop_map(|(switches, sha1_certs, host_types, host_update)| Options {
                remote_engine_db: switches[0],
                remote_dwh: switches[1],
                local_storage: switches[2],
                gluster: switches[3],
                external_ca: switches[4],
                ovn: switches[5],
                aaa_ldap: switches[6],
                offline_repo: switches[7],
                new_manager_machine: switches[8],
                sha1_certs,
                host_types,
                host_update,
            })
    }

    fn named_levels() -> impl Strategy<Value = Vec<guide::NamedLevel>> {
        prop::collection::vec(pick(KNOWN_LEVELS), 0..4).prop_map(|levels| {
            levels
                .into_iter()
                .enumerate()
                .map(|(i, level)| guide::NamedLevel {
                    name: format!("object-{i}"),
                    level,
                })
                .collect()
        })
    }

    fn environment() -> impl Strategy<Value = Option<guide::Environment>> {
        prop::option::of(
            (named_levels(), named_levels()).prop_map(|(clusters, data_centers)| {
                guide::Environment {
                    manager_fqdn: Some("engine.example.com".into()),
                    manager_os: Some(model::ElVersion::new(8, 2)),
                    clusters,
                    data_centers,
                }
            }),
        )
    }

    fn plan_request() -> impl Strategy<Value = PlanRequest> {
        (
            version(),
            version(),
            pick(DeploymentKind::ALL),
            options(),
            environment(),
        )
            .prop_map(|(from, to, deployment, options, environment)| PlanRequest {
                from,
                to,
                deployment,
                options,
                environment,
            })
    }

    fn conflicting(request: &PlanRequest) -> bool {
        let o = &request.options;
        let remote = o.remote_engine_db || o.remote_dwh;
        let deployment = match request.deployment {
            DeploymentKind::Standalone | DeploymentKind::SelfHosted => remote,
            DeploymentKind::StandaloneRemoteDb => !remote,
        };
        deployment || (o.sha1_certs == Some(Sha1Scope::Apache) && o.external_ca)
    }

    fn has_japanese(text: &str) -> bool {
        text.chars().any(|c| ('\u{3040}'..='\u{9fff}').contains(&c))
    }

    /// Every `<` of the page opens one of the tags the renderer writes.
    fn only_known_tags(html: &str) -> Result<(), String> {
        const TAGS: &[&str] = &[
            "!DOCTYPE", "html", "head", "meta", "title", "style", "body", "h1", "h2", "h3", "h4",
            "p", "b", "table", "tr", "th", "td", "ul", "li", "section", "label", "input", "span",
            "pre", "code",
        ];
        for (at, _) in html.match_indices('<') {
            let rest = html[at + 1..].trim_start_matches('/');
            let name: String = rest
                .chars()
                .take_while(|c| c.is_ascii_alphanumeric() || *c == '!')
                .collect();
            if !TAGS.contains(&name.as_str()) {
                return Err(format!("unescaped `<{name}` at byte {at}"));
            }
        }
        Ok(())
    }

    fn check(plan: &Plan, request: &PlanRequest) -> Result<(), TestCaseError> {
        // The route is connected and ends where asked.
        let hops = &plan.route.hops;
        prop_assert_eq!(hops.first().unwrap().from, request.from);
        prop_assert_eq!(hops.last().unwrap().to, request.to);
        for pair in hops.windows(2) {
            prop_assert_eq!(pair[0].to, pair[1].from);
            prop_assert_eq!(pair[1].from.line().next(), pair[1].to.line());
        }
        // Ids are unique, stable in shape, and name their hop.
        let mut ids = BTreeSet::new();
        for (part, hop) in plan.parts.iter().zip(hops) {
            prop_assert_eq!(part.hop, *hop);
            prop_assert!(!part.sections.is_empty());
            let keys: Vec<&str> = part
                .sections
                .iter()
                .map(|s| s.id.rsplit('/').next().unwrap())
                .collect();
            // Only the local mirrors (appendices A and B) come before the analysis.
            let analysis = keys.iter().position(|k| *k == "analyze").unwrap();
            prop_assert!(keys[..analysis].iter().all(|k| k.starts_with("offline-")));
            prop_assert_eq!(analysis > 0, request.options.offline_repo);
            if hop.kind == guide::HopKind::Upgrade {
                prop_assert!(keys.contains(&"cluster-compatibility"));
                prop_assert!(keys.contains(&"data-center-compatibility"));
            }
            for section in &part.sections {
                prop_assert!(!section.steps.is_empty(), "empty section {}", section.id);
                for step in &section.steps {
                    let (prefix, key) = step.id.split_once('/').unwrap();
                    prop_assert_eq!(prefix, hop.id());
                    prop_assert!(key
                        .chars()
                        .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '-'));
                    prop_assert!(ids.insert(step.id.clone()), "duplicate id {}", step.id);
                    for text in [&step.title, &step.explanation]
                        .into_iter()
                        .chain(&step.prerequisites)
                        .chain(&step.warnings)
                    {
                        prop_assert!(!text.en.trim().is_empty() && !text.ja.trim().is_empty());
                        prop_assert!(has_japanese(&text.ja), "no Japanese in {:?}", text.ja);
                        prop_assert!(!has_japanese(&text.en), "Japanese in {:?}", text.en);
                    }
                    for command in &step.commands {
                        prop_assert!(!command.text.trim().is_empty());
                        prop_assert!(
                            !command.text.starts_with("# "),
                            "prompt in {}",
                            command.text
                        );
                    }
                }
            }
        }
        // The same request always gives the same plan.
        prop_assert_eq!(&guide::plan(request).unwrap(), plan);
        // Every rendering works; HTML escapes everything.
        for lang in [Lang::En, Lang::Ja] {
            let html = render::html::render(plan, lang, None);
            only_known_tags(&html).map_err(TestCaseError::fail)?;
            let json = render::json::render(plan, lang, None);
            prop_assert_eq!(json["steps"].as_array().unwrap().len(), ids.len());
            prop_assert!(
                render::text::render(plan, lang, None).contains(&plan.route.to.to_string())
            );
            prop_assert!(render::markdown::render(plan, lang, None).starts_with("# "));
        }
        // A saved tracker reads back to the same plan.
        let tracker = Tracker::new(plan);
        let (read, rebuilt) = Tracker::from_json(&tracker.to_json(), "t.json").unwrap();
        prop_assert_eq!(read, tracker);
        prop_assert_eq!(&rebuilt.parts, &plan.parts);
        Ok(())
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(300))]

        #[test]
        fn every_request_gives_a_sound_plan_or_a_reason(request in plan_request()) {
            match guide::plan(&request) {
                Ok(plan) => {
                    prop_assert!(!conflicting(&request));
                    check(&plan, &request)?;
                }
                Err(PlanError::Route(reason)) => {
                    prop_assert!(request.to <= request.from, "{}", reason);
                }
                Err(error @ (PlanError::Conflict { .. } | PlanError::Missing { .. })) => {
                    prop_assert!(conflicting(&request), "{}", error);
                }
                Err(error @ PlanError::NoProcedure { .. }) => {
                    prop_assert!(false, "{}", error);
                }
            }
        }
    }
}

// ---------------------------------------------------------------------------------------------
// Snapshots of representative checklists

/// Where the step with this id stands in the plan.
fn position(plan: &Plan, id: &str) -> usize {
    plan.steps()
        .position(|step| step.id == id)
        .unwrap_or_else(|| panic!("no step {id}"))
}

/// Every command of the plan, with the step that holds it.
fn commands(plan: &Plan) -> Vec<(&guide::Step, &guide::Command)> {
    plan.steps()
        .flat_map(|step| step.commands.iter().map(move |c| (step, c)))
        .collect()
}

fn command_containing<'a>(plan: &'a Plan, text: &str) -> Vec<&'a guide::Command> {
    commands(plan)
        .into_iter()
        .filter(|(_, c)| c.text.contains(text))
        .map(|(_, c)| c)
        .collect()
}

#[test]
fn a_standalone_manager_with_gluster_moves_the_manager_once() {
    let options = Options {
        gluster: true,
        ..Options::default()
    };
    let plan = plan_of("4.3.11", "4.4.10", DeploymentKind::Standalone, options);
    let backups = command_containing(&plan, "engine-backup --mode=backup");
    let backups =
        backups.len() + command_containing(&plan, "engine-backup --scope=all --mode=backup").len();
    assert_eq!(backups, 1, "one Manager backup, in §2.1.5");
    for deployment in [
        "hosted-engine",
        "he.yml",
        "he_gluster_vars",
        "newengine",
        "<appliance>",
    ] {
        assert!(
            command_containing(&plan, deployment).is_empty(),
            "a standalone plan deploys no Manager VM, but has {deployment}"
        );
    }
    let gluster: Vec<&str> = plan
        .steps()
        .filter(|s| s.id.contains("/gluster-"))
        .map(|s| s.id.rsplit('/').next().unwrap())
        .collect();
    assert!(gluster.contains(&"gluster-first-host-maintenance"));
    assert!(gluster.contains(&"gluster-first-host-add"));
    assert!(!gluster.contains(&"gluster-manager-backup"));
    assert!(!gluster.contains(&"gluster-remove-old-engine-storage"));
    assert!(plan.step("4.3-4.4/engine-backup").is_some());

    // Hyperconverged, the gluster procedure is the Manager's one move.
    let options = Options {
        gluster: true,
        ..Options::default()
    };
    let plan = plan_of("4.3.11", "4.4.10", DeploymentKind::SelfHosted, options);
    assert!(plan.step("4.3-4.4/engine-backup").is_none());
    assert!(plan.step("4.3-4.4/gluster-manager-backup").is_some());
    assert_eq!(
        command_containing(&plan, "ansible-playbook he.yml").len(),
        1
    );
}

#[test]
fn commands_beyond_the_guide_carry_their_source_in_every_output() {
    let plan = plan_of(
        "4.3.11",
        "4.4.10",
        DeploymentKind::Standalone,
        Options::default(),
    );
    let beyond = [
        "dnf module -y enable pki-deps",
        "dnf module -y enable postgresql:12",
        "dnf distro-sync --nobest",
        "--disable='*'",
        "openstack-16.2-cinderlib-for-rhel-8-x86_64-rpms",
        "rhceph-4-tools-for-rhel-8-x86_64-rpms",
    ];
    for text in beyond {
        let found = command_containing(&plan, text);
        assert!(!found.is_empty(), "{text}");
        for command in found {
            assert!(!command.in_guide(), "{text} is marked as the guide's");
        }
    }
    let manager_release = plan.step("4.3-4.4/install-rhvm").unwrap();
    let pin = manager_release
        .commands
        .iter()
        .find(|c| c.text.starts_with("subscription-manager release --set="))
        .unwrap();
    assert!(
        !pin.in_guide(),
        "the Manager's release pin is the Installation Guide's"
    );
    assert!(command_containing(&plan, "yum install rhvm")[0].in_guide());

    for (lang, marker) in [
        (Lang::En, "beyond the guide: RHV 4.4 Installation Guide"),
        (Lang::Ja, "ガイド外: RHV 4.4 インストールガイド"),
    ] {
        for (format, output) in [
            ("text", render::text::render(&plan, lang, None)),
            ("markdown", render::markdown::render(&plan, lang, None)),
            ("html", render::html::render(&plan, lang, None)),
        ] {
            let at = output.find("pki-deps").unwrap();
            assert!(
                output[at..].contains(marker),
                "{format} ({lang:?}) does not mark pki-deps"
            );
        }
        let json = render::json::render(&plan, lang, None);
        let pki = json["steps"]
            .as_array()
            .unwrap()
            .iter()
            .flat_map(|s| s["commands"].as_array().unwrap())
            .find(|c| c["text"] == "dnf module -y enable pki-deps")
            .unwrap();
        assert_eq!(pki["in_guide"], false);
        assert!(pki["source"].as_str().unwrap().starts_with(marker));
    }
}

#[test]
fn ovirt_centos_repositories_never_appear_in_a_plan_for_red_hat_virtualization() {
    for deployment in DeploymentKind::ALL {
        for from in ["4.2.3", "4.3.0", "4.4.0"] {
            let options = Options {
                offline_repo: true,
                ..Options::default()
            };
            let options = match deployment {
                DeploymentKind::StandaloneRemoteDb => Options {
                    remote_dwh: true,
                    ..options
                },
                _ => options,
            };
            let plan = plan_of(from, "4.4.10", *deployment, options);
            assert!(
                command_containing(&plan, "centos").is_empty(),
                "{from} → 4.4.10 {deployment:?}"
            );
        }
    }
    // oVirt 4.5 says so, and marks its repositories as oVirt's.
    let plan = plan_of(
        "4.4.10",
        "4.5.6",
        DeploymentKind::SelfHosted,
        Options::default(),
    );
    let centos = command_containing(&plan, "centos-release-ovirt45");
    assert!(!centos.is_empty());
    assert!(centos.iter().all(|c| !c.in_guide()));
    assert!(plan
        .notes
        .iter()
        .any(|n| n.en.contains("Red Hat Virtualization has no 4.5")));
}

#[test]
fn the_hyperconverged_route_raises_clusters_to_4_4_where_the_guide_says_and_keeps_the_extensions() {
    let options = Options {
        gluster: true,
        aaa_ldap: true,
        ..Options::default()
    };
    let plan = plan_of("4.3.11", "4.4.10", DeploymentKind::SelfHosted, options);
    let level = plan.step("4.3-4.4/gluster-cluster-level").unwrap();
    assert!(level.title.en.ends_with("level 4.4"), "{}", level.title.en);
    assert!(level
        .automated_by
        .as_ref()
        .unwrap()
        .args
        .contains("--to 4.4 "));
    // The compatibility section takes it on to 4.6, with the guide's VirtIO warning.
    let raise = plan
        .steps()
        .find(|s| {
            s.id.starts_with("4.3-4.4/")
                && s.title.en == "Raise each cluster to compatibility level 4.6"
        })
        .unwrap();
    assert!(raise.warnings.iter().any(|w| w.en.contains("VirtIO")));
    let install = command_containing(
        &plan,
        "yum install ovirt-engine-extension-aaa-ldap ovirt-engine-extension-aaa-misc",
    );
    assert_eq!(install.len(), 1, "§1.1.7's extension reinstall is kept");
    let deploy = position(&plan, "4.3-4.4/gluster-deploy-manager");
    let extensions = position(&plan, "4.3-4.4/install-extensions");
    assert!(deploy < extensions && extensions < position(&plan, "4.3-4.4/engine-setup"));
}

#[test]
fn the_image_discrepancies_check_wants_no_missing_images_and_no_discrepancies() {
    let plan = plan_of(
        "4.3.11",
        "4.4.10",
        DeploymentKind::Standalone,
        Options::default(),
    );
    let step = plan.step("4.3-4.4/image-discrepancies").unwrap();
    let expect = step.verify.as_ref().unwrap().expect.as_deref().unwrap();
    assert_eq!(
        expect.lines().collect::<Vec<_>>(),
        ["No missing images found", "No discrepancies found"]
    );
    let text = render::text::render(&plan, Lang::En, None);
    assert!(text.contains("Expect:\n") && text.contains("  No missing images found\n"));
}

fn reboot_warnings(plan: &Plan, id: &str) -> Vec<String> {
    plan.step(id)
        .unwrap()
        .warnings
        .iter()
        .map(|w| w.en.to_string())
        .filter(|w| w.contains("kernel"))
        .collect()
}

#[test]
fn a_self_hosted_manager_reboots_after_a_kernel_update_where_the_guide_does() {
    let reboot = "If a kernel package was updated, reboot the machine to finish.";
    // §1.1.6 and §1.2.5: reboot right away, also in the 4.3 → 4.4 hop that never leaves
    // global maintenance by hand.
    for (from, to, id) in [
        ("4.3.0", "4.4.10", "4.3-4.4/update-os"),
        ("4.2.0", "4.3.11", "4.2-4.3/update-os"),
    ] {
        let plan = plan_of(from, to, DeploymentKind::SelfHosted, Options::default());
        assert_eq!(reboot_warnings(&plan, id), [reboot], "{from} → {to}");
    }
    // §4.1.4: leave global maintenance with the Manager VM shut down.
    let plan = plan_of(
        "4.4.3",
        "4.4.10",
        DeploymentKind::SelfHosted,
        Options::default(),
    );
    let warnings = reboot_warnings(&plan, "4.4.z/update-os");
    assert!(
        warnings[0].contains("leaving global maintenance"),
        "{warnings:?}"
    );
}

#[test]
fn sha1_replacement_off_the_4_2_route_is_marked_beyond_the_guide() {
    let options = || Options {
        sha1_certs: Some(Sha1Scope::All),
        ..Options::default()
    };
    let plan = plan_of("4.3.11", "4.4.10", DeploymentKind::SelfHosted, options());
    let section = plan
        .parts
        .iter()
        .flat_map(|p| &p.sections)
        .find(|s| s.id.ends_with("/sha1-certificates"))
        .unwrap();
    assert!(!section.source.in_guide());
    assert!(section.steps.iter().all(|s| !s.source.in_guide()));
    assert!(section.source.describe().en.contains("§1.2.12"));
    for (from, to) in [("4.2.8", "4.3.11"), ("4.2.8", "4.4.10")] {
        let plan = plan_of(from, to, DeploymentKind::SelfHosted, options());
        let section = plan
            .parts
            .iter()
            .flat_map(|p| &p.sections)
            .find(|s| s.id.ends_with("/sha1-certificates"))
            .unwrap();
        assert_eq!(section.source, guide::Source::Guide { section: "1.2.12" });
    }
}

#[test]
fn the_standalone_move_to_4_4_runs_engine_setup_a_second_time_as_2_1_5_does() {
    let plan = plan_of(
        "4.3.11",
        "4.4.10",
        DeploymentKind::Standalone,
        Options::default(),
    );
    assert!(plan.step("4.3-4.4/engine-setup").is_some());
    assert!(plan.step("4.3-4.4/engine-setup-again").is_some());
    // §3.1.5 has one run only.
    let options = Options {
        remote_dwh: true,
        ..Options::default()
    };
    let plan = plan_of(
        "4.3.11",
        "4.4.10",
        DeploymentKind::StandaloneRemoteDb,
        options,
    );
    assert!(plan.step("4.3-4.4/engine-setup-again").is_none());
}

#[test]
fn a_new_manager_machine_is_the_self_hosted_deployment_host() {
    let options = Options {
        new_manager_machine: true,
        ..Options::default()
    };
    let plan = plan_of("4.3.11", "4.4.10", DeploymentKind::SelfHosted, options);
    let install = plan.step("4.3-4.4/install-deployment-host").unwrap();
    assert!(!install
        .explanation
        .en
        .contains("node that ran the Manager VM"));
    assert!(install.explanation.en.contains("new host"));
    let plan = plan_of(
        "4.3.11",
        "4.4.10",
        DeploymentKind::SelfHosted,
        Options::default(),
    );
    let install = plan.step("4.3-4.4/install-deployment-host").unwrap();
    assert!(install
        .explanation
        .en
        .contains("node that ran the Manager VM"));
}

#[test]
fn the_offline_rhvh_mirror_comes_before_any_rhvh_install() {
    for deployment in [DeploymentKind::SelfHosted, DeploymentKind::Standalone] {
        let options = Options {
            offline_repo: true,
            ..Options::default()
        };
        let plan = plan_of("4.3.11", "4.4.10", deployment, options);
        let ids: Vec<&str> = plan.steps().map(|s| s.id.as_str()).collect();
        let mirror = ids
            .iter()
            .position(|i| i.ends_with("/rhvh-mirror-sync"))
            .unwrap();
        let first_install = ids
            .iter()
            .position(|i| i.ends_with("/install-deployment-host") || i.ends_with("/install-el8"))
            .unwrap();
        assert!(mirror < first_install, "{deployment:?}");
    }
}

#[test]
fn the_guides_own_release_gets_the_guides_host_commands() {
    let options = || Options {
        host_update: HostUpdate::Manual,
        host_types: HostTypes::Rhel,
        ..Options::default()
    };
    // §4.1.10 for 4.4.10: release --set=8.6 and, on RHEL 8.6, virt:rhel, both as printed.
    for plan in [
        plan_of("4.4.3", "4.4.10", DeploymentKind::Standalone, options()),
        plan_of("4.3.11", "4.4.10", DeploymentKind::Standalone, options()),
    ] {
        let pins: Vec<_> = commands(&plan)
            .into_iter()
            .filter(|(step, c)| {
                step.runs_on != guide::RunsOn::Manager && c.text.contains("release --set")
            })
            .map(|(_, c)| c)
            .collect();
        assert!(!pins.is_empty());
        for pin in pins {
            assert_eq!(pin.text, "subscription-manager release --set=8.6");
            assert!(pin.in_guide());
        }
        for stream in command_containing(&plan, "dnf module enable virt:") {
            assert_eq!(stream.text, "dnf module enable virt:rhel");
            assert!(stream.in_guide());
        }
    }
    // An earlier target pins its own RHEL release, which the guide does not print.
    let plan = plan_of("4.4.0", "4.4.5", DeploymentKind::Standalone, options());
    let pin = command_containing(&plan, "release --set")[0];
    assert_eq!(pin.text, "subscription-manager release --set=8.3");
    assert!(!pin.in_guide());
}

fn from_example(example: &str, choices: &Choices) -> Plan {
    resolved_from(example, choices).plan().unwrap()
}

#[test]
fn snapshot_text_en_standalone_local_example() {
    let plan = from_example("standalone-local", &Choices::default());
    insta::assert_snapshot!(render::text::render(&plan, Lang::En, None));
}

#[test]
fn snapshot_text_ja_self_hosted_4_2_to_4_4() {
    let choices = Choices {
        from: Some(VersionSpec::Exact(v("4.2.8"))),
        to: Some("4.4".parse().unwrap()),
        deployment: Some(DeploymentKind::SelfHosted),
        sha1_certs: Some(Sha1Scope::Apache),
        ..Choices::default()
    };
    let plan = guide::resolve(&choices, None).unwrap().plan().unwrap();
    insta::assert_snapshot!(render::text::render(&plan, Lang::Ja, None));
}

#[test]
fn snapshot_json_en_remote_databases_4_2_to_4_3() {
    let choices = Choices {
        from: Some(VersionSpec::Exact(v("4.2.5"))),
        to: Some("4.3".parse().unwrap()),
        deployment: Some(DeploymentKind::StandaloneRemoteDb),
        sha1_certs: Some(Sha1Scope::All),
        external_ca: true,
        ..Choices::default()
    };
    let plan = guide::resolve(&choices, None).unwrap().plan().unwrap();
    insta::assert_snapshot!(serde_json::to_string_pretty(&render::json::render(
        &plan,
        Lang::En,
        None
    ))
    .unwrap());
}

#[test]
fn snapshot_json_ja_beyond_the_guide() {
    let choices = Choices {
        from: Some(VersionSpec::Exact(v("4.4.3"))),
        to: Some("4.5".parse().unwrap()),
        deployment: Some(DeploymentKind::SelfHosted),
        ovn: true,
        host_types: Some(HostTypes::Rhvh),
        ..Choices::default()
    };
    let plan = guide::resolve(&choices, None).unwrap().plan().unwrap();
    insta::assert_snapshot!(serde_json::to_string_pretty(&render::json::render(
        &plan,
        Lang::Ja,
        None
    ))
    .unwrap());
}

#[test]
fn snapshot_markdown_en_minor_update_by_hand_offline() {
    let choices = Choices {
        from: Some(VersionSpec::Exact(v("4.4.5"))),
        deployment: Some(DeploymentKind::Standalone),
        host_update: Some(HostUpdate::Manual),
        offline_repo: true,
        ..Choices::default()
    };
    let plan = guide::resolve(&choices, None).unwrap().plan().unwrap();
    insta::assert_snapshot!(render::markdown::render(&plan, Lang::En, None));
}

#[test]
fn snapshot_html_ja_minor_update_of_4_3() {
    let choices = Choices {
        from: Some(VersionSpec::Exact(v("4.3.5"))),
        to: Some("4.3".parse().unwrap()),
        deployment: Some(DeploymentKind::Standalone),
        host_update: Some(HostUpdate::Individual),
        host_types: Some(HostTypes::Rhel),
        ..Choices::default()
    };
    let plan = guide::resolve(&choices, None).unwrap().plan().unwrap();
    insta::assert_snapshot!(render::html::render(&plan, Lang::Ja, None));
}

#[test]
fn snapshot_text_en_progress_of_a_window() {
    let plan = from_example("sha1-certificates", &Choices::default());
    let mut tracker = Tracker::new(&plan);
    for step in ["1.1.1", "1.1.2", "1.1.3", "1.2.1"] {
        tracker
            .mark_done(&plan, step, Some("2026-11-28T22:15:00Z".into()))
            .unwrap();
    }
    let done: Done = tracker.done_ids();
    let full = render::text::render(&plan, Lang::En, Some(&done));
    let list = render::text::checklist(&plan, Lang::En, &tracker.done);
    insta::assert_snapshot!(format!(
        "{}\n{list}\n{full}",
        render::text::summary(&plan, Lang::En)
    ));
}
