//! Storage that survives the host reinstallation of 4.3 → 4.4: local storage domains (§1.1.9,
//! §2.1.7, §3.1.8) and hyperconverged gluster storage (§2.1.8).

use model::Level;

use super::sources::Proc;
use super::{look, manager, Ctx, SectionBuilder, StepBuilder};
use crate::step::{Command, RunsOn, Section, Tool};
use model::Text;

use crate::text::tr;

const PLAYBOOKS: &str = "/etc/ansible/roles/gluster.ansible/playbooks/hc-ansible-deployment";

pub(crate) fn local_storage(ctx: &Ctx) -> Section {
    let mut section = ctx.section(
        "local-storage",
        ctx.cite(Proc::LocalStorage),
        tr(
            "Upgrade hosts with local storage, keeping their data",
            "ローカルストレージのデータを残したままホストをアップグレードする",
        ),
    );
    section.add(
        section
            .step(
                "local-domain-maintenance",
                RunsOn::Portal,
                tr(
                    "Put the host's local storage domain into maintenance",
                    "ホストのローカルストレージドメインをメンテナンスモードにする",
                ),
                tr(
                    "Local storage is shared with no other host, so its VMs cannot move to \
                     another cluster. Instead the host is reinstalled with its data disk kept, a \
                     new local domain is created under 4.4 and the old storage is imported into \
                     it. Start in Data Centers: the Storage tab of the details pane, select the \
                     domain, Maintenance.",
                    "ローカルストレージは他のホストと共有されないため、その仮想マシンを別のクラスターへ移すことはできません。代わりに、データディスクを残してホストを再インストールし、4.4 で新しいローカルドメインを作り、古いストレージをそこへインポートします。まずデータセンターの詳細ペインのストレージタブでドメインを選び、メンテナンスをクリックします。",
                ),
            )
            .prereq(tr(
                "The 4.4 Manager is installed and running.",
                "4.4 の Manager がインストールされ、動作している。",
            ))
            .prereq(super::compat::accepted_levels_prerequisite(ctx)),
    );
    section.add(
        section
            .step(
                "local-reinstall",
                RunsOn::EachHost,
                tr(
                    "Reinstall the host, keeping the VM disk",
                    "仮想マシン用ディスクを残してホストを再インストールする",
                ),
                tr(
                    "Reinstall Red Hat Virtualization Host as the Installation Guide describes. \
                     In a kickstart installation, limit clearing to the OS disk.",
                    "インストールガイドのとおりに Red Hat Virtualization Host を再インストールします。キックスタートでインストールする場合は、消去の対象を OS のディスクに限定します。",
                ),
            )
            .warn(tr(
                "On the Installation Destination screen select only the device for the operating \
                 system, never the one that stores the VMs.",
                "インストール先の画面では OS 用のデバイスだけを選び、仮想マシンを保存しているデバイスは決して選ばないでください。",
            ))
            .cmd(
                Command::file("kickstart file", "clearpart --all --drives=device").noted(tr(
                    "kickstart installations only; replace device with the OS disk",
                    "キックスタートの場合のみ。device は OS 用ディスクに置き換える",
                )),
            ),
    );
    section.add(
        section
            .step(
                "local-mount-old-storage",
                RunsOn::EachHost,
                tr(
                    "Mount the old local storage",
                    "古いローカルストレージをマウントする",
                ),
                tr(
                    "On the reinstalled host, mount the old local storage (here /dev/sdX1) on a \
                     new directory such as /data, owned by vdsm (36:36).",
                    "再インストールしたホストで、古いローカルストレージ (ここでは /dev/sdX1) を /data などの新しいディレクトリーにマウントし、所有者を vdsm (36:36) にします。",
                ),
            )
            .run("mkdir /data")
            .run("mount /dev/sdX1 /data")
            .run("chown -R 36:36 /data")
            .run("chmod -R 0755 /data"),
    );
    section.add(
        section
            .step(
                "local-fstab",
                RunsOn::EachHost,
                tr(
                    "Mount it at every boot",
                    "起動時に自動でマウントされるようにする",
                ),
                tr(
                    "An /etc/fstab entry by UUID keeps the storage mounted if the server restarts.",
                    "UUID で /etc/fstab に登録しておけば、サーバーが再起動してもストレージがマウントされます。",
                ),
            )
            .run("blkid | grep -i sdX1")
            .cmd(
                Command::file(
                    "/etc/fstab",
                    "UUID=\"a81a6879-3764-48d0-8b21-2898c318ef7c\" /data ext4 defaults 0 0",
                )
                .noted(tr(
                    "with the UUID and file system type blkid printed",
                    "blkid が表示した UUID とファイルシステムの種類に置き換える",
                )),
            ),
    );
    section.add(section.step(
        "local-new-data-center",
        RunsOn::Portal,
        tr(
            "Create a local data center, cluster and host",
            "ローカルのデータセンター、クラスター、ホストを作成する",
        ),
        tr(
            "Create a data center with Storage Type Local, a cluster in it, and add the host to \
             the Manager in that cluster.",
            "ストレージタイプを Local にしたデータセンターと、その中のクラスターを作成し、そのクラスターにホストを Manager へ追加します。",
        ),
    ));
    section.add(
        section
            .step(
                "local-new-domain-directory",
                RunsOn::EachHost,
                tr(
                    "Prepare a directory for the new local domain",
                    "新しいローカルドメイン用のディレクトリーを用意する",
                ),
                tr(
                    "The first local storage domain of the new data center lives here.",
                    "新しいデータセンターの最初のローカルストレージドメインをここに作ります。",
                ),
            )
            .run("mkdir -p /localfs")
            .run("chown 36:36 /localfs")
            .run("chmod -R 0755 /localfs"),
    );
    section.add(section.step(
        "local-create-and-import",
        RunsOn::Portal,
        tr(
            "Create the new domain and import the old one",
            "新しいドメインを作り、古いドメインをインポートする",
        ),
        tr(
            "In Storage, New Domain: name localfs, path /localfs. Once it is active, Import \
             Domain with name Data, storage type Local on Host and path /data, and confirm the \
             message that the domain is already attached to a data center.",
            "ストレージで新規ドメインを作成します (名前 localfs、パス /localfs)。アクティブになったらドメインのインポートで、名前 Data、ストレージタイプ Local on Host、パス /data を指定し、ドメインがすでにデータセンターにアタッチされているというメッセージを確認して進めます。",
        ),
    ));
    section.add(section.step(
        "local-activate-domain",
        RunsOn::Portal,
        tr("Activate the imported domain", "インポートしたドメインをアクティブにする"),
        tr(
            "In Data Centers, the Storage tab of the details pane: select the new data domain and \
             click Activate.",
            "データセンターの詳細ペインのストレージタブで新しいデータドメインを選び、アクティブ化をクリックします。",
        ),
    ));
    section.add(
        section
            .step(
                "local-import-vms",
                RunsOn::Portal,
                tr(
                    "Import the VMs and their disks",
                    "仮想マシンとそのディスクをインポートする",
                ),
                tr(
                    "In Storage select data, open the VM Import tab, select the VMs and click \
                     Import.",
                    "ストレージで data を選び、VM Import タブで仮想マシンを選択してインポートをクリックします。",
                ),
            )
            .verify(look(tr(
                "Every VM is imported and works as before.",
                "すべての仮想マシンがインポートされ、以前と同じように動作すること。",
            ))),
    );
    section.add(section.step(
        "local-retire-localfs",
        RunsOn::Portal,
        tr(
            "Put localfs into maintenance and detach it",
            "localfs をメンテナンスモードにしてデタッチする",
        ),
        tr(
            "With the VMs safe, select localfs in Storage, open the Data Center tab, click \
             Maintenance and confirm, then Detach and confirm. The host now runs 4.4 with its \
             4.3 storage and VMs imported.",
            "仮想マシンの無事を確認したら、ストレージで localfs を選び、データセンタータブでメンテナンスをクリックして確定し、続いてデタッチして確定します。これでホストは 4.4 になり、4.3 のストレージと仮想マシンがインポートされました。",
        ),
    ));
    section.build()
}

/// The level §2.1.8 raises the gluster cluster to once its hosts run 4.4: "Compatibility
/// Version を 4.4 に更新" (guide line 961). The compatibility sections after it take the
/// cluster on to the target level, with the VirtIO NIC warning of level 4.6.
const GLUSTER_CLUSTER_LEVEL: Level = Level::new(4, 4);

/// What §2.1.8 asks before it starts.
fn gluster_prerequisites(step: StepBuilder) -> StepBuilder {
    step.prereq(tr(
        "Geo-replication schedules on the storage domains are removed and no \
         geo-replication sync is running.",
        "ストレージドメインの geo レプリケーションのスケジュールを削除済みで、geo レプリケーションの同期が実行されていない。",
    ))
    .prereq(tr(
        "Every data center and cluster is at compatibility level 4.3.",
        "すべてのデータセンターとクラスターの互換レベルが 4.3 である。",
    ))
    .warn(tr(
        "Network-Bound Disk Encryption (NBDE) cannot be turned on during an upgrade; it \
         is for new 4.4 deployments only. GlusterFS storage is deprecated.",
        "Network-Bound Disk Encryption (NBDE) はアップグレード時には有効にできず、4.4 の新規デプロイメント専用です。GlusterFS ストレージは非推奨です。",
    ))
}

/// §2.1.8. The guide writes it for a hyperconverged Manager VM: it backs the Manager up and
/// deploys a new self-hosted engine onto a new gluster volume. A standalone Manager has already
/// moved to 4.4 by §2.1.5, so for it only the host part applies: every gluster host goes through
/// the guide's "next host" loop and is reinstalled from the portal, and the Manager moves once.
pub(crate) fn gluster(ctx: &Ctx) -> Section {
    let hyperconverged = ctx.self_hosted();
    let level = GLUSTER_CLUSTER_LEVEL;
    let mut section = ctx.section(
        "gluster",
        ctx.cite(Proc::Gluster),
        tr(
            "Upgrade RHVH while keeping gluster storage",
            "Gluster ストレージを保持したまま RHVH をアップグレードする",
        ),
    );
    if hyperconverged {
        section.add(gluster_prerequisites(
            section
                .step(
                    "gluster-engine-bricks",
                    RunsOn::EachHost,
                    tr(
                        "Prepare a brick for the new Manager volume on each of the three hosts",
                        "3 台の各ホストに新しい Manager ボリューム用のブリックを用意する",
                    ),
                    tr(
                        "The 4.4 Manager gets a gluster volume of its own. Carve a 100 GB logical \
                         volume out of a volume group with enough free space (or, with a spare disk, \
                         create the volume from the web console), format it as XFS, mount it through \
                         /etc/fstab on /gluster_bricks/newengine and label it for SELinux.",
                        "4.4 の Manager には専用の Gluster ボリュームを用意します。空きが十分なボリュームグループから 100 GB の論理ボリュームを切り出し (予備ディスクがあれば Web コンソールからボリュームを作成)、XFS でフォーマットし、/etc/fstab 経由で /gluster_bricks/newengine にマウントして SELinux のラベルを付けます。",
                    ),
                )
                .run("vgdisplay <VG_NAME> | grep -i free")
                .run("lvcreate -n gluster_lv_newengine -L 100G <EXISTING_VG>")
                .run("mkfs.xfs <LV_NAME>")
                .run("mkdir /gluster_bricks/newengine")
                .run("semanage fcontext -a -t glusterd_brick_t /gluster_bricks/newengine")
                .run("restorecon -Rv /gluster_bricks/newengine")
                .prereq(tr(
                    "Three hosts have 100 GB of extra space for the new Manager volume.",
                    "新しい Manager ボリュームのために、3 台のホストにそれぞれ 100 GB の追加領域がある。",
                )),
        ));
        section.add(
            section
                .step(
                    "gluster-engine-volume",
                    RunsOn::AnyHost,
                    tr(
                        "Create, tune and start the newengine volume",
                        "newengine ボリュームを作成・設定・起動する",
                    ),
                    tr(
                        "A replica 3 volume over the three new bricks, with the options a Manager \
                         volume needs.",
                        "3 つの新しいブリックで replica 3 のボリュームを作り、Manager 用ボリュームに必要なオプションを設定します。",
                    ),
                )
                .run(
                    "gluster volume create newengine replica 3 \
                     host1:/gluster_bricks/newengine/newengine \
                     host2:/gluster_bricks/newengine/newengine \
                     host3:/gluster_bricks/newengine/newengine",
                )
                .run("gluster volume set newengine group virt")
                .run("gluster volume set newengine network.ping-timeout 30")
                .run("gluster volume set newengine cluster.granular-entry-heal enable")
                .run("gluster volume set newengine network.remote-dio off")
                .run("gluster volume set newengine performance.strict-o-direct on")
                .run("gluster volume set newengine storage.owner-uid 36")
                .run("gluster volume set newengine storage.owner-gid 36")
                .run("gluster volume start newengine"),
        );
    }
    let backup_configuration = section
        .step(
            "gluster-backup-configuration",
            RunsOn::AnyHost,
            tr(
                "Back up the gluster configuration of every 4.3 node",
                "すべての 4.3 ノードの Gluster 設定をバックアップする",
            ),
            tr(
                "The backup playbook ships with the latest RHVH 4.3; otherwise create it and \
                 its inventory. Run it from the playbook directory: each host gets \
                 /root/RHVH-<HOSTNAME>-backup.tar.gz. Copy every archive to a backup host.",
                "バックアップ用 Playbook は最新の RHVH 4.3 に含まれています。ない場合は Playbook とインベントリーを作成します。Playbook のディレクトリーで実行すると、各ホストに /root/RHVH-<HOSTNAME>-backup.tar.gz ができます。すべてのアーカイブをバックアップ用ホストにコピーします。",
            ),
        )
        .cmd(
            Command::file(
                format!("{PLAYBOOKS}/archive_config_inventory.yml"),
                "all:\n  hosts:\n    host1:\n    host2:\n    host3:\n  vars:\n    \
                 backup_dir: /archive\n    nbde_setup: false\n    upgrade: true",
            )
            .noted(tr(
                "backup_dir: where the archive is extracted; nbde_setup stays false (4.3 has \
                 no NBDE); upgrade: true has no effect on the backup",
                "backup_dir はアーカイブを展開する場所、nbde_setup は false のまま (4.3 は NBDE 非対応)、upgrade: true はバックアップには影響しない",
            )),
        )
        .run(
            "ansible-playbook -i archive_config_inventory.yml archive_config.yml --tags \
             backupfiles",
        );
    section.add(if hyperconverged {
        backup_configuration
    } else {
        gluster_prerequisites(backup_configuration)
    });
    section.add(section.step(
        "gluster-evacuate-first-host",
        RunsOn::Portal,
        tr(
            "Migrate the VMs off the first host",
            "最初のホストから仮想マシンを移行する",
        ),
        tr(
            "Move the VMs running on the first host to the other hosts of the cluster.",
            "最初のホストで動いている仮想マシンを、クラスター内の他のホストへ移行します。",
        ),
    ));
    if hyperconverged {
        section.add(
            section
                .step(
                    "gluster-manager-backup",
                    ctx.manager(),
                    tr("Back up the Manager", "Manager をバックアップする"),
                    tr(
                        "With global maintenance on, log in to the Manager VM, stop ovirt-engine and \
                         take the backup; copy it to a remote host, then shut the Manager down.",
                        "グローバルメンテナンスを有効にした状態で Manager 用仮想マシンにログインし、ovirt-engine を停止してバックアップを取ります。バックアップをリモートホストにコピーしてから Manager をシャットダウンします。",
                    ),
                )
                .run("systemctl stop ovirt-engine")
                .run(
                    "engine-backup --mode=backup --scope=all --file=<backup-file.tar.gz> \
                     --log=<logfile>",
                ),
        );
    }
    section.add(
        section
            .step(
                "gluster-heal-before",
                RunsOn::AnyHost,
                tr(
                    "Wait for self-heal on every replica 3 volume",
                    "すべての replica 3 ボリュームで自己修復の完了を待つ",
                ),
                tr(
                    "No brick may go down while heals are pending.",
                    "修復が保留中の間は、どのブリックも停止させてはいけません。",
                ),
            )
            .run("gluster volume heal <volume> info summary")
            .verify(look(tr(
                "Every volume reports zero entries pending heal.",
                "すべてのボリュームで修復待ちのエントリーが 0 であること。",
            ))),
    );
    if !hyperconverged {
        section.add(first_host_maintenance_step(&section));
    }
    section.add(
        section
            .step(
                "gluster-stop-first-host",
                RunsOn::FirstHost,
                tr(
                    "Stop gluster and unmount the bricks on the first host",
                    "最初のホストで Gluster を停止し、ブリックをアンマウントする",
                ),
                tr(
                    "Stopping the brick processes and unmounting keeps the file systems \
                     consistent for the reinstallation.",
                    "ブリックのプロセスを止めてアンマウントすることで、再インストールに向けてファイルシステムの整合性を保ちます。",
                ),
            )
            .run("pkill glusterfsd; pkill glusterfs")
            .run("systemctl stop glusterd")
            .run("umount /gluster_bricks/*"),
    );
    let reinstall = section
        .step(
            "gluster-reinstall-first-host",
            RunsOn::FirstHost,
            tr(
                "Reinstall the first host with RHVH 4.4",
                "最初のホストを RHVH 4.4 で再インストールする",
            ),
            tr(
                "Install from the RHVH 4.4 ISO formatting the OS disk only. Once it is up, \
                 subscribe to the RHVH 4.4 repositories or install the downloaded RHVH 4.4 \
                 appliance.",
                "RHVH 4.4 の ISO から、OS ディスクだけをフォーマットしてインストールします。起動したら RHVH 4.4 のリポジトリーをサブスクライブするか、ダウンロードした RHVH 4.4 アプライアンスをインストールします。",
            ),
        )
        .warn(tr(
            "The bricks live on the other disks: the installer must not format them.",
            "ブリックは他のディスク上にあります。インストーラーにそれらをフォーマットさせないでください。",
        ));
    section.add(if hyperconverged {
        reinstall.run("yum install <appliance>")
    } else {
        reinstall.explanation(tr(
            "Install from the RHVH 4.4 ISO formatting the OS disk only. Once it is up, \
             subscribe to the RHVH 4.4 repositories as the Installation Guide describes.",
            "RHVH 4.4 の ISO から、OS ディスクだけをフォーマットしてインストールします。起動したら、インストールガイドのとおりに RHVH 4.4 のリポジトリーをサブスクライブします。",
        ))
    });
    section.add(
        section
            .step(
                "gluster-blacklist-devices",
                RunsOn::FirstHost,
                tr(
                    "Keep multipath away from the gluster devices",
                    "Gluster のデバイスをマルチパスの対象から外す",
                ),
                tr(
                    "Create an SSH key pair and allow password-less SSH from the host to itself by \
                     its front-end and back-end FQDNs, write the inventory, and run the playbook.",
                    "SSH の鍵ペアを作り、フロントエンドとバックエンドの FQDN でホスト自身へパスワードなしの SSH ができるようにしてから、インベントリーを書いて Playbook を実行します。",
                ),
            )
            .file(
                &format!("{PLAYBOOKS}/blacklist_inventory.yml"),
                "hc_nodes:\n  hosts:\n    host1-backend-FQDN.example.com:\n      \
                 blacklist_mpath_devices:\n         - sda\n         - sdb",
            )
            .run(format!(
                "ansible-playbook -i blacklist_inventory.yml {PLAYBOOKS}/tasks/gluster_deployment.yml \
                 --tags blacklistdevices*"
            )),
    );
    section.add(
        section
            .step(
                "gluster-restore-configuration",
                RunsOn::FirstHost,
                tr(
                    "Restore the host's gluster configuration",
                    "ホストの Gluster 設定をリストアする",
                ),
                if hyperconverged {
                    tr(
                        "Copy the Manager backup and this host's configuration archive from the \
                         backup host with scp, extract the archive, point the inventory at this \
                         host alone and run the restore.",
                        "Manager のバックアップとこのホストの設定アーカイブを scp でバックアップ用ホストからコピーし、アーカイブを展開し、インベントリーをこのホストだけに向けてリストアを実行します。",
                    )
                } else {
                    tr(
                        "Copy this host's configuration archive from the backup host with scp, \
                         extract it, point the inventory at this host alone and run the restore.",
                        "このホストの設定アーカイブを scp でバックアップ用ホストからコピーして展開し、インベントリーをこのホストだけに向けてリストアを実行します。",
                    )
                },
            )
            .run("mkdir /archive")
            .run("tar -xvf /root/ovirt-host-host1.example.com.tar.gz -C /archive/")
            .cmd(
                Command::file(
                    format!("{PLAYBOOKS}/archive_config_inventory.yml"),
                    "all:\n  hosts:\n    host1.example.com:\n  vars:\n    backup_dir: /archive\n    \
                     nbde_setup: false\n    upgrade: true",
                )
                .noted(tr(
                    "exactly one host under hosts",
                    "hosts にはホストを 1 台だけ書く",
                )),
            )
            .run(
                "ansible-playbook -i archive_config_inventory.yml archive_config.yml --tags \
                 restorefiles",
            ),
    );
    if hyperconverged {
        section.add(
            section
                .step(
                    "gluster-deploy-manager",
                    RunsOn::FirstHost,
                    tr(
                        "Deploy the Manager VM from the backup onto newengine",
                        "バックアップから newengine 上に Manager 用仮想マシンをデプロイする",
                    ),
                    tr(
                        "hosted-engine --deploy --restore-from-file does the same interactively; this \
                         is the automated way through ovirt-ansible-hosted-engine-setup. The old \
                         Manager VM is discarded; its MAC address and FQDN can be reused.",
                        "hosted-engine --deploy --restore-from-file でも対話的に同じことができます。ここでは ovirt-ansible-hosted-engine-setup による自動化された方法を使います。古い Manager 用仮想マシンは破棄されますが、MAC アドレスと FQDN は再利用できます。",
                    ),
                )
                .file(
                    &format!("{PLAYBOOKS}/he.yml"),
                    "- name: Deploy oVirt hosted engine\n  hosts: localhost\n  roles:\n    - role: \
                     ovirt.hosted_engine_setup",
                )
                .cmd(
                    Command::file(
                        format!("{PLAYBOOKS}/he_gluster_vars.json"),
                        HE_GLUSTER_VARS,
                    )
                    .noted(tr(
                        "he_restore_from_file is the absolute path of the copied backup and \
                         he_storage_domain_path the new gluster volume. For a static address add \
                         he_vm_ip_addr, he_vm_ip_prefix, he_dns_addr and he_default_gateway; without \
                         DNS add \"he_vm_etc_hosts\": true and \"he_network_test\": \"ping\".",
                        "he_restore_from_file はコピーしたバックアップの絶対パス、he_storage_domain_path は新しい Gluster ボリュームを指す。静的アドレスなら he_vm_ip_addr、he_vm_ip_prefix、he_dns_addr、he_default_gateway を追加し、DNS がなければ \"he_vm_etc_hosts\": true と \"he_network_test\": \"ping\" を追加する。",
                    )),
                )
                .run(format!("cd {PLAYBOOKS}"))
                .run("ansible-playbook he.yml --extra-vars \"@he_gluster_vars.json\"")
                .cmd(Command::shell("ovirt-hosted-engine-cleanup").noted(tr(
                    "only after a failed deployment: read /var/log/ovirt-hosted-engine-setup, fix the \
                     cause, clean up, and deploy again",
                    "デプロイに失敗した場合のみ: /var/log/ovirt-hosted-engine-setup で原因を調べて直し、クリーンアップしてから再デプロイする",
                )))
                .warn(tr(
                    "Do not interrupt the deployment.",
                    "デプロイを中断しないでください。",
                )),
        );
        section.add(
            section
                .step(
                    "gluster-check-first-host",
                    RunsOn::Portal,
                    tr(
                        "Check the new Manager and the volumes",
                        "新しい Manager とボリュームを確認する",
                    ),
                    tr(
                        "Log in to the Administration Portal of the new Manager.",
                        "新しい Manager の管理ポータルにログインします。",
                    ),
                )
                .verify(look(tr(
                    "Every host is up and self-heal has finished on the gluster volumes.",
                    "すべてのホストが up で、Gluster ボリュームの自己修復が完了していること。",
                ))),
        );
        if ctx.opts().aaa_ldap {
            manager::reinstall_extensions(&mut section, ctx);
        }
    } else {
        section.add(reinstall_from_portal_step(
            &section,
            "gluster-first-host-add",
            tr(
                "First host: reinstall it from the portal",
                "最初のホスト: 管理ポータルから再インストールする",
            ),
        ));
    }
    section.add(
        section
            .step(
                "gluster-next-host-reinstall",
                RunsOn::EachHost,
                tr(
                    "Next host: maintenance, unmount, reinstall",
                    "次のホスト: メンテナンス、アンマウント、再インストール",
                ),
                tr(
                    "For each remaining host, in turn: move it to Maintenance in the portal, \
                     stopping the gluster service; unmount its bricks; reinstall it with RHVH \
                     4.4, formatting the OS disk only.",
                    "残りの各ホストで順番に: 管理ポータルでメンテナンスモードにして Gluster サービスを停止し、ブリックをアンマウントし、OS ディスクだけをフォーマットして RHVH 4.4 で再インストールします。",
                ),
            )
            .run("umount /gluster_bricks/*"),
    );
    section.add(
        section
            .step(
                "gluster-next-host-restore",
                RunsOn::EachHost,
                tr(
                    "Next host: restore its configuration",
                    "次のホスト: 設定をリストアする",
                ),
                tr(
                    "If multipath is not configured on it, blacklist the gluster devices with the \
                     inventory already made on the first host (SSH key from the first host, new \
                     host name in the inventory). Copy and extract its configuration archive, run \
                     the restore playbook for this host only, and copy the authorized keys from \
                     the first 4.4 host.",
                    "マルチパスの設定がない場合は、最初のホストで作ったインベントリーを使って Gluster のデバイスを除外します (最初のホストからの SSH 鍵、インベントリーに新しいホスト名)。設定アーカイブをコピーして展開し、このホストだけを対象にリストア用 Playbook を実行し、最初の 4.4 ホストから authorized_keys をコピーします。",
                ),
            )
            .warn(tr(
                "Run the restore for this host's own name, never against a host already done.",
                "リストアはこのホスト自身の名前で実行し、処理済みのホストに対して実行しないでください。",
            ))
            .run("scp root@host1.example.com:/root/.ssh/authorized_keys /root/.ssh/"),
    );
    if hyperconverged {
        section.add(
            section
                .step(
                    "gluster-next-host-deploy",
                    RunsOn::Portal,
                    tr(
                        "Next host: reinstall it as a self-hosted-engine node",
                        "次のホスト: セルフホストエンジンノードとして再インストールする",
                    ),
                    tr(
                        "The host waits in Maintenance. Use Installation → Reinstall and, in the \
                         Hosted Engine tab, choose Deploy; wait for the host to come Up, then check \
                         for GFID mismatches and repeat with the next host.",
                        "ホストはメンテナンス状態で待機しています。インストール → 再インストールを実行し、Hosted Engine タブで Deploy を選びます。ホストが Up になったら GFID の不一致を確認し、次のホストで繰り返します。",
                    ),
                )
                .cmd(gfid_mismatch_check())
                .verify(look(tr(
                    "The host is Up and the grep finds no GFID mismatch.",
                    "ホストが Up になり、grep で GFID の不一致が見つからないこと。",
                ))),
        );
    } else {
        section.add(reinstall_from_portal_step(
            &section,
            "gluster-next-host-add",
            tr(
                "Next host: reinstall it from the portal",
                "次のホスト: 管理ポータルから再インストールする",
            ),
        ));
    }
    section.add(section.step(
        "gluster-network",
        RunsOn::Portal,
        tr(
            "Attach the gluster logical network (if any)",
            "Gluster 論理ネットワークをアタッチする (ある場合)",
        ),
        tr(
            "When the cluster has a separate gluster logical network, attach it to the required \
             interface of every host.",
            "クラスターに独立した Gluster 論理ネットワークがある場合は、各ホストの必要なインターフェイスにアタッチします。",
        ),
    ));
    if hyperconverged {
        section.add(section.step(
            "gluster-remove-old-engine-storage",
            RunsOn::Portal,
            tr(
                "Remove the old Manager storage domain and volume",
                "古い Manager のストレージドメインとボリュームを削除する",
            ),
            tr(
                "The old domain is the hosted_storage without a gold star in Storage → Domains: put \
                 it into Maintenance, wait, detach it and remove it. Then in Storage → Volumes stop \
                 the old Manager volume and remove it.",
                "古いドメインは、ストレージ → ドメインで金色の星が付いていない hosted_storage です。メンテナンスモードにして移行を待ち、デタッチしてから削除します。続いてストレージ → ボリュームで古い Manager ボリュームを停止し、削除します。",
            ),
        ));
    }
    section.add(
        section
            .step(
                "gluster-cluster-level",
                RunsOn::Portal,
                tr(
                    format!("Raise the gluster cluster to level {level}"),
                    format!("Gluster クラスターの互換レベルを {level} に上げる"),
                ),
                tr(
                    format!(
                        "In Compute → Clusters edit the cluster (Default, usually) and set its \
                         Compatibility Version to {level}, as the guide says here. The warning \
                         says its VMs must restart: the compatibility sections below take care \
                         of that, and of any higher level."
                    ),
                    format!(
                        "コンピュート → クラスターでクラスター (通常は Default) を編集し、ガイドのとおりここでは互換バージョンを {level} にします。仮想マシンの再起動が必要だという警告が出ますが、その対応とそれより上のレベルへの変更は後の互換バージョンのセクションで行います。"
                    ),
                ),
            )
            .auto(
                Tool::Compat,
                format!("--cluster CLUSTER --to {level} --restart-vms never"),
            ),
    );
    section.add(
        section
            .step(
                "gluster-new-volume-options",
                RunsOn::AnyHost,
                tr(
                    "Apply the RHVH 4.4 volume options to every volume",
                    "RHVH 4.4 のボリュームオプションをすべてのボリュームに適用する",
                ),
                tr(
                    "RHVH 4.4 brings new gluster volume options.",
                    "RHVH 4.4 では新しい Gluster ボリュームオプションが使えます。",
                ),
            )
            .run("for vol in `gluster volume list`; do gluster volume set $vol group virt; done"),
    );
    section.add(section.step(
        "gluster-cleanup",
        RunsOn::EachHost,
        tr("Clean up the backups", "バックアップを片付ける"),
        tr(
            "On every node, remove the archives and the extracted backup configuration.",
            "すべてのノードで、アーカイブと展開したバックアップ設定を削除します。",
        ),
    ));
    section.build()
}

/// The guide's "next host" start (line 931), which a standalone Manager's first host takes too:
/// the Manager is up and must see the host leave before its bricks go down.
fn first_host_maintenance_step(section: &SectionBuilder) -> StepBuilder {
    section.step(
        "gluster-first-host-maintenance",
        RunsOn::Portal,
        tr(
            "Put the first host into maintenance",
            "最初のホストをメンテナンスモードにする",
        ),
        tr(
            "In the Administration Portal move the host to Maintenance, stopping the gluster \
             service as it goes.",
            "管理ポータルでホストをメンテナンスモードにし、その際に Gluster サービスを停止します。",
        ),
    )
}

/// A reinstalled gluster host rejoins a standalone Manager from the portal, as the guide's
/// "next host" does (line 943), without the self-hosted-engine deployment: there is no
/// Manager VM to host.
fn reinstall_from_portal_step(section: &SectionBuilder, key: &str, title: Text) -> StepBuilder {
    section
        .step(
            key,
            RunsOn::Portal,
            title,
            tr(
                "The host waits in Maintenance. Use Installation → Reinstall; the Manager is \
                 standalone, so leave the Hosted Engine tab alone. Wait for the host to come Up, \
                 then check for GFID mismatches before the next host.",
                "ホストはメンテナンス状態で待機しています。インストール → 再インストールを実行します。Manager はスタンドアロンなので Hosted Engine タブは変更しません。ホストが Up になったら、次のホストに進む前に GFID の不一致を確認します。",
            ),
        )
        .cmd(gfid_mismatch_check())
        .verify(look(tr(
            "The host is Up, self-heal has finished on its volumes and the grep finds no GFID \
             mismatch.",
            "ホストが Up になり、ボリュームの自己修復が完了し、grep で GFID の不一致が見つからないこと。",
        )))
}

/// The guide's check of a reinstalled host's bricks (line 949).
fn gfid_mismatch_check() -> Command {
    Command::shell("grep -i \"gfid mismatch\" /var/log/glusterfs/*").noted(tr(
        "on the host; resolve any mismatch it finds",
        "ホスト上で実行し、不一致があれば解決する",
    ))
}

/// The guide's example of he_gluster_vars.json.
const HE_GLUSTER_VARS: &str = r#"{
  "he_appliance_password": "<password>",
  "he_admin_password": "<password>",
  "he_domain_type": "glusterfs",
  "he_fqdn": "<hostedengine.example.com>",
  "he_vm_mac_addr": "<00:18:15:20:59:01>",
  "he_default_gateway": "<19.70.12.254>",
  "he_mgmt_network": "ovirtmgmt",
  "he_storage_domain_name": "HostedEngine",
  "he_storage_domain_path": "</newengine>",
  "he_storage_domain_addr": "<host1.example.com>",
  "he_mount_options": "backup-volfile-servers=<host2.example.com>:<host3.example.com>",
  "he_bridge_if": "<eth0>",
  "he_enable_hc_gluster_service": true,
  "he_mem_size_MB": "16384",
  "he_cluster": "Default",
  "he_restore_from_file": "/root/engine-backup.tar.gz",
  "he_vcpus": 4
}"#;
