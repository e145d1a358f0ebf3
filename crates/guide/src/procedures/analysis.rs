//! Before anything changes: the Log Collection Analysis tool and the Image Discrepancies tool
//! (§1.1.3 and its copies), and the local repository mirrors of appendices A and B.

use model::Version;

use super::sources::Proc;
use super::{check, look, manager_noun, Ctx};
use crate::route::HopKind;
use crate::step::{Command, RunsOn, Section, Tool};
use crate::text::tr;

/// The first release that ships `rhv-image-discrepancies` (in rhv-log-collector-analyzer-0.2.15).
const IMAGE_DISCREPANCIES_SINCE: Version = Version::new(4, 3, 8);

/// What `rhv-image-discrepancies` prints for a clean storage domain: both of its checks, as in
/// the guide's sample output.
const IMAGE_DISCREPANCIES_CLEAN: &str = "No missing images found\nNo discrepancies found";

pub(crate) fn analyze(ctx: &Ctx) -> Section {
    let line = ctx.hop.from.line();
    let title = match ctx.hop.kind {
        HopKind::Update => tr(
            format!("Look for problems before updating to {}", ctx.hop.to),
            format!("{} への更新の前に問題を洗い出す", ctx.hop.to),
        ),
        HopKind::Upgrade => tr(
            format!("Look for problems before {}", ctx.target_line()),
            format!("{} の前に問題を洗い出す", ctx.target_line()),
        ),
    };
    let mut section = ctx.section("analyze", ctx.cite(Proc::Analyze), title);
    section.add(
        section
            .step(
                "install-analyzer",
                ctx.manager(),
                tr(
                    "Install the Log Collection Analysis tool",
                    "Log Collection Analysis ツールをインストールする",
                ),
                tr(
                    "The analyzer reads the running environment and reports the known issues that \
                     would block the upgrade, each with a suggested fix.",
                    "アナライザーは稼働中の環境を読み取り、アップグレードを妨げる既知の問題を、推奨される対処方法とともに報告します。",
                ),
            )
            .prereq(tr(
                format!(
                    "The {line} Manager repositories are enabled on {} (updates come from the \
                     Content Delivery Network).",
                    manager_noun(ctx).en
                ),
                format!(
                    "{}で {line} の Manager 用リポジトリーが有効になっている (更新はコンテンツ配信ネットワークから提供される)。",
                    manager_noun(ctx).ja
                ),
            ))
            .run("yum install rhv-log-collector-analyzer"),
    );
    section.add(
        section
            .step(
                "run-analyzer",
                ctx.manager(),
                tr("Run the analyzer and read its report", "アナライザーを実行してレポートを読む"),
                tr(
                    "It writes analyzer_report.html in the current directory; --html chooses \
                     another place. A terminal browser such as ELinks can show it on the spot.",
                    "レポートはカレントディレクトリーの analyzer_report.html に書き出されます。--html で保存先を変えられます。ELinks のようなテキストブラウザーならその場で読めます。",
                ),
            )
            .run("rhv-log-collector-analyzer --live")
            .cmd(
                Command::shell("rhv-log-collector-analyzer --live --html=/directory/filename.html")
                    .noted(tr(
                        "instead, to save the report elsewhere",
                        "代わりに、レポートを別の場所に保存する場合",
                    )),
            )
            .cmd(
                Command::shell("yum install -y elinks")
                    .noted(tr("to read the report in a terminal", "ターミナルでレポートを読む場合")),
            )
            .cmd(
                Command::shell("elinks /home/user1/analyzer_report.html").noted(tr(
                    "Insert/Delete scroll, PageUp/PageDown page, [ and ] scroll sideways",
                    "Insert/Delete で上下スクロール、PageUp/PageDown でページ送り、[ と ] で左右スクロール",
                )),
            )
            .verify(look(tr(
                "Every problem in the report is fixed or understood before going on.",
                "レポートのすべての問題を解決するか、影響を理解してから先に進む。",
            )))
            .auto(Tool::Check, format!("--inventory FILE --target {}", ctx.hop.to)),
    );
    let old_manager = ctx.hop.from < IMAGE_DISCREPANCIES_SINCE;
    section.add(
        section
            .step(
                "image-discrepancies",
                ctx.manager(),
                tr(
                    "Compare storage with the database (Image Discrepancies tool)",
                    "ストレージとデータベースを照合する (Image Discrepancies ツール)",
                ),
                tr(
                    "The tool compares the volumes on every storage domain with the engine \
                     database and warns about volumes or attributes that differ, so that a broken \
                     chain is not carried into the new version. It reports; it fixes nothing.",
                    "このツールは各ストレージドメイン上のボリュームを Manager のデータベースと照合し、食い違うボリュームや属性を警告します。壊れたチェーンを新しいバージョンへ持ち込まないためのもので、修正は行いません。",
                ),
            )
            .source(ctx.cite(Proc::ImageDiscrepancies))
            .prereq(tr(
                "rhv-log-collector-analyzer-0.2.15-0.el7ev or later (RHV 4.3.8 and later).",
                "rhv-log-collector-analyzer-0.2.15-0.el7ev 以降 (RHV 4.3.8 以降) が入っている。",
            ))
            .prereq(tr(
                "Nothing changes the storage domains while it runs: no snapshots created or \
                 removed, no disks created, edited, moved or removed. VMs may keep running.",
                "実行中はストレージドメインを変更する操作をしない (スナップショットの作成・削除、ディスクの作成・編集・移動・削除をしない)。仮想マシンは動かしたままでよい。",
            ))
            .warn_if(
                old_manager,
                tr(
                    format!(
                        "The tool arrived in 4.3.8; a {} Manager does not have it, so use \
                         ovirt-upgrade discrepancies instead.",
                        ctx.hop.from
                    ),
                    format!(
                        "このツールは 4.3.8 で追加されたため、{} の Manager にはありません。代わりに ovirt-upgrade discrepancies を使います。",
                        ctx.hop.from
                    ),
                ),
            )
            .run("rhv-image-discrepancies")
            .verify(check(
                Command::shell("rhv-image-discrepancies"),
                Some(IMAGE_DISCREPANCIES_CLEAN),
                tr(
                    "Every storage domain reports both lines: no missing image (a volume on \
                     storage but not in the database, or the other way round) and no differing \
                     attribute. When something is reported, run the tool again to rule out work \
                     that happened during the run; findings on Export and ISO domains can be \
                     ignored.",
                    "すべてのストレージドメインで両方の行が表示されること (ストレージとデータベースの一方にしかないボリュームがなく、属性の食い違いもない)。何か報告された場合は、実行中の操作による誤検出でないか再実行して確かめる。Export ドメインと ISO ドメインの報告は無視してよい。",
                ),
            ))
            .auto(
                Tool::Discrepancies,
                "--db-conf /etc/ovirt-engine/engine.conf.d/10-setup-database.conf --domain-dir DIR \
                 --confirm",
            ),
    );
    section.build()
}

/// Appendix A: refresh the local mirror the Manager installs from.
pub(crate) fn offline_manager_repository(ctx: &Ctx) -> Section {
    let mut section = ctx.section(
        "offline-repository",
        ctx.cite(Proc::OfflineManagerRepository),
        tr(
            "Refresh the local repository mirror",
            "ローカルリポジトリーのミラーを更新する",
        ),
    );
    section.add(
        section
            .step(
                "offline-reposync",
                RunsOn::RepositoryServer,
                tr(
                    "Download the newest packages into the mirror",
                    "最新のパッケージをミラーに取り込む",
                ),
                tr(
                    "A Manager that installs from a local repository (over FTP, say) only sees \
                     updates once the mirror has fetched them from the Content Delivery Network. \
                     The first run downloads a lot and takes long.",
                    "ローカルリポジトリー (FTP 経由など) からインストールする Manager は、ミラーがコンテンツ配信ネットワークから取り込んだ更新しか見えません。初回はダウンロード量が多く、時間がかかります。",
                ),
            )
            .run("reposync --newest-only -p /var/ftp/pub/rhevrepo")
            .verify(check(
                Command::shell("yum repolist"),
                None,
                tr(
                    "On the Manager machine, the mirror's repositories are listed and reachable \
                     before any update or upgrade starts.",
                    "更新やアップグレードを始める前に、Manager マシンでミラーのリポジトリーが一覧に表示され、利用できること。",
                ),
            )),
    );
    section.build()
}

/// Appendix B: a local mirror of the RHVH repository, for hosts without CDN access.
pub(crate) fn offline_rhvh_repository(ctx: &Ctx) -> Section {
    let mut section = ctx.section(
        "offline-rhvh-repository",
        ctx.cite(Proc::OfflineRhvhRepository),
        tr(
            "Mirror the RHVH repository locally",
            "RHVH リポジトリーをローカルにミラーする",
        ),
    );
    section.add(
        section
            .step(
                "rhvh-mirror-definition",
                RunsOn::RepositoryServer,
                tr(
                    "Define the RHVH repository on the mirror server",
                    "ミラーサーバーに RHVH リポジトリーを定義する",
                ),
                tr(
                    "Without Red Hat Satellite, RHVH images can come from a repository that a \
                     local RHEL machine mirrors from the CDN. Leave the two certificate fields \
                     empty for now.",
                    "Red Hat Satellite がない環境では、ローカルの RHEL マシンが CDN からミラーしたリポジトリーから RHVH を入手できます。証明書の 2 つの項目は後で埋めるため、ここでは空のままにします。",
                ),
            )
            .file(
                "/etc/yum.repos.d/rhvh-mirror.repo",
                "[rhvh-4-for-rhel-8-x86_64-rpms]\n\
                 name = Red Hat Virtualization Host for RHEL 8 x86_64 (RPMs)\n\
                 baseurl = https://cdn.redhat.com/content/dist/layered/rhel8/x86_64/rhvh/4/os\n\
                 enabled = 0\n\
                 gpgcheck = 1\n\
                 gpgkey = file:///etc/pki/rpm-gpg/RPM-GPG-KEY-redhat-release\n\
                 sslverify = 1\n\
                 sslcacert = /etc/rhsm/ca/redhat-uep.pem\n\
                 metadata_expire = 86400\n\
                 enabled_metadata = 1\n\
                 sslclientcert =\n\
                 sslclientkey =",
            ),
    );
    section.add(
        section
            .step(
                "rhvh-mirror-certificate",
                RunsOn::RepositoryServer,
                tr(
                    "Find the entitlement certificate for RHVH",
                    "RHVH のエンタイトルメント証明書を特定する",
                ),
                tr(
                    "/etc/pki/entitlement holds several certificate and key pairs; only one of \
                     them grants the RHVH content. Inspect each certificate and keep the one whose \
                     URLs include rhvh/4, then fill in its full paths.",
                    "/etc/pki/entitlement には証明書と鍵のペアが複数ありますが、RHVH のコンテンツを許可するのはそのうち 1 つだけです。各証明書を調べて rhvh/4 を含む URL を持つものを選び、そのフルパスを設定します。",
                ),
            )
            .run("ls -al /etc/pki/entitlement/")
            .run("cd /etc/pki/entitlement/")
            .cmd(
                Command::shell("rct cat-cert 5659494963772844103.pem | grep rhvh/4/ | grep URL")
                    .noted(tr(
                        "repeat for each certificate number listed",
                        "一覧にある各証明書の番号で繰り返す",
                    )),
            )
            .file(
                "/etc/yum.repos.d/rhvh-mirror.repo",
                "sslclientcert = /etc/pki/entitlement/5659494963772844103.pem\n\
                 sslclientkey = /etc/pki/entitlement/5659494963772844103-key.pem",
            )
            .verify(look(tr(
                "The chosen certificate lists /content/dist/layered/rhel8/x86_64/rhvh/4/os among \
                 its URLs.",
                "選んだ証明書の URL に /content/dist/layered/rhel8/x86_64/rhvh/4/os が含まれていること。",
            ))),
    );
    section.add(
        section
            .step(
                "rhvh-mirror-sync",
                RunsOn::RepositoryServer,
                tr("Synchronise the RHVH mirror", "RHVH のミラーを同期する"),
                tr(
                    "Run reposync from the directory that should hold the mirror.",
                    "ミラーを置くディレクトリーで reposync を実行します。",
                ),
            )
            .run("pwd")
            .run("reposync --repo rhvh-4-for-rhel-8-x86_64-rpms")
            .warn(tr(
                "Subscription Manager renews the entitlement certificates from time to time: \
                 check the certificate and key pair again before every reposync.",
                "Subscription Manager はエンタイトルメント証明書を定期的に作り直します。reposync のたびに証明書と鍵のペアを確認し直してください。",
            ))
            .verify(look(tr(
                "reposync ends after downloading every package, \
                 redhat-virtualization-host-image-update among them.",
                "reposync が redhat-virtualization-host-image-update を含むすべてのパッケージをダウンロードして終了すること。",
            ))),
    );
    section.build()
}
