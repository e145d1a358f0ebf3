//! Replacing SHA-1 certificates with SHA-256 ones (§1.2.12, §2.2.10, §3.2.11): the Apache
//! certificate alone to stop browser warnings, or the CA and everything it signed.

use super::sources::Proc;
use super::{check, look, manager_noun, Ctx, SectionBuilder};
use crate::request::{DeploymentKind, Sha1Scope};
use crate::route::HopKind;
use crate::step::{Command, RunsOn, Section, Source};
use crate::text::tr;

const OPENSSL_CONF: &str = "/etc/pki/ovirt-engine/openssl.conf";

/// The re-signing loop, exactly as the guide gives it (without its callout marker).
const RESIGN_LOOP: &str = r#"for name in $names; do
    subject="$(
        openssl \
            x509 \
            -in /etc/pki/ovirt-engine/certs/"${name}".cer \
            -noout \
            -subject \
            -nameopt compat \
        | sed \
            's;subject=\(.*\);\1;' \
    )"
   /usr/share/ovirt-engine/bin/pki-enroll-pkcs12.sh \
        --name="${name}" \
        --password=mypass \
        --subject="${subject}" \
        --san=DNS:"${ENGINE_FQDN}" \
        --keep-key
done"#;

/// The guide replaces certificates at the end of the 4.2 → 4.3 upgrade; on routes without that
/// hop the replacement closes the plan.
pub(crate) fn belongs_here(ctx: &Ctx) -> bool {
    let upgrade_to_43 = ctx.hop.kind == HopKind::Upgrade && ctx.targets_line(4, 3);
    ctx.opts().sha1_certs.is_some() && (upgrade_to_43 || (!ctx.route_reaches_43 && ctx.last))
}

/// The guide's own section when the route upgrades 4.2 → 4.3, where the guide places the
/// replacement; elsewhere the same procedure, marked as carried beyond the guide's route (its
/// first line speaks of RHV 4.4 signing with SHA-256, guide line 532).
fn source(ctx: &Ctx) -> Source {
    if ctx.route_reaches_43 {
        return ctx.cite(Proc::Sha1);
    }
    match ctx.req.deployment {
        DeploymentKind::SelfHosted => Source::Beyond {
            en: "guide §1.2.12, which the guide gives only within the 4.2 → 4.3 upgrade",
            ja: "ガイド 1.2.12 (ガイドでは 4.2 から 4.3 へのアップグレードの中の手順)",
        },
        DeploymentKind::Standalone => Source::Beyond {
            en: "guide §2.2.10, which the guide gives only within the 4.2 → 4.3 upgrade",
            ja: "ガイド 2.2.10 (ガイドでは 4.2 から 4.3 へのアップグレードの中の手順)",
        },
        DeploymentKind::StandaloneRemoteDb => Source::Beyond {
            en: "guide §3.2.11, which the guide gives only within the 4.2 → 4.3 upgrade",
            ja: "ガイド 3.2.11 (ガイドでは 4.2 から 4.3 へのアップグレードの中の手順)",
        },
    }
}

fn global_maintenance(section: &mut SectionBuilder, ctx: &Ctx, key: &str, on: bool) {
    if !ctx.self_hosted() {
        return;
    }
    let (title, mode) = if on {
        (
            tr(
                "Enable global maintenance",
                "グローバルメンテナンスを有効にする",
            ),
            "global",
        )
    } else {
        (
            tr(
                "Disable global maintenance",
                "グローバルメンテナンスを無効にする",
            ),
            "none",
        )
    };
    section.add(
        section
            .step(
                key,
                RunsOn::HostedEngineNode,
                title,
                tr(
                    "Restarting the Manager's services must not make the HA agents restart the \
                     Manager VM.",
                    "Manager のサービスを再起動しても、HA エージェントが Manager 用仮想マシンを再起動しないようにするためです。",
                ),
            )
            .run(format!("hosted-engine --set-maintenance --mode={mode}")),
    );
}

pub(crate) fn replace_sha1(ctx: &Ctx) -> Section {
    let scope = ctx.opts().sha1_certs.unwrap_or(Sha1Scope::All);
    let all = scope == Sha1Scope::All;
    let mut section = ctx.section(
        "sha1-certificates",
        source(ctx),
        if all {
            tr(
                "Replace every SHA-1 signed certificate with SHA-256",
                "SHA-1 で署名されたすべての証明書を SHA-256 に置き換える",
            )
        } else {
            tr(
                "Re-sign the Apache certificate with SHA-256 (browser warnings)",
                "Apache の証明書を SHA-256 で署名し直す (ブラウザーの警告対策)",
            )
        },
    );
    let manager = ctx.manager();
    section.add(
        section
            .step(
                "sha1-openssl-default",
                manager,
                tr(
                    "Make SHA-256 the PKI's default digest",
                    "PKI の既定のダイジェストを SHA-256 にする",
                ),
                tr(
                    format!(
                        "Log in to {} as root. RHV 4.4 signs with SHA-256, which is safer than \
                         SHA-1; a freshly installed PKI already does, an older one is switched \
                         here.",
                        manager_noun(ctx).en
                    ),
                    format!(
                        "root で{}にログインします。RHV 4.4 は SHA-1 より安全な SHA-256 で署名します。新規インストールの PKI はすでにそうなっていますが、古いものはここで切り替えます。",
                        manager_noun(ctx).ja
                    ),
                ),
            )
            .warn(tr(
                "Never let the certificates expire: an environment with expired certificates \
                 stops responding and its recovery is long and error-prone. Renew them in time \
                 (Administration Guide).",
                "証明書の有効期限を切らさないでください。期限が切れると環境は応答しなくなり、復旧は時間がかかり誤りも起きやすい作業になります。期限前に更新してください (管理ガイド参照)。",
            ))
            .run(format!("cat {OPENSSL_CONF}"))
            .cmd(
                Command::shell(format!(
                    "cp -p {OPENSSL_CONF} {OPENSSL_CONF}.\"$(date +\"%Y%m%d%H%M%S\")\""
                ))
                .noted(tr(
                    "only if it still says default_md = sha1",
                    "default_md = sha1 のままの場合のみ",
                )),
            )
            .cmd(
                Command::shell(format!(
                    "sed -i 's/^default_md = sha1/default_md = sha256/' {OPENSSL_CONF}"
                ))
                .noted(tr(
                    "only if it still says default_md = sha1",
                    "default_md = sha1 のままの場合のみ",
                )),
            )
            .verify(check(
                Command::shell(format!("cat {OPENSSL_CONF}")),
                Some("default_md = sha256"),
                tr(
                    "The file contains this line.",
                    "ファイルにこの行が含まれていること。",
                ),
            )),
    );
    if all {
        section.add(
            section
                .step(
                    "sha1-resign-ca",
                    manager,
                    tr(
                        "Re-sign the CA certificate",
                        "CA 証明書を署名し直す",
                    ),
                    tr(
                        "Keep a dated copy of the CA key, write the re-signed CA to ca.pem.new, \
                         then put it in place.",
                        "CA の鍵の日付付きコピーを残し、署名し直した CA を ca.pem.new に書き出してから置き換えます。",
                    ),
                )
                .run(
                    "cp -p /etc/pki/ovirt-engine/private/ca.pem \
                     /etc/pki/ovirt-engine/private/ca.pem.\"$(date +\"%Y%m%d%H%M%S\")\"",
                )
                .run(
                    "openssl x509 -signkey /etc/pki/ovirt-engine/private/ca.pem -in \
                     /etc/pki/ovirt-engine/ca.pem -out /etc/pki/ovirt-engine/ca.pem.new -days \
                     3650 -sha256",
                )
                .run("mv /etc/pki/ovirt-engine/ca.pem.new /etc/pki/ovirt-engine/ca.pem"),
        );
    }
    let names = match (all, ctx.opts().external_ca) {
        (false, _) => r#"names="apache""#,
        (true, false) => r#"names="engine apache websocket-proxy jboss imageio-proxy""#,
        (true, true) => r#"names="engine websocket-proxy jboss imageio-proxy""#,
    };
    section.add(
        section
            .step(
                "sha1-names",
                manager,
                tr(
                    "Name the certificates to re-sign",
                    "署名し直す証明書を指定する",
                ),
                if all && ctx.opts().external_ca {
                    tr(
                        "The Apache certificate comes from an external CA, so it is left out; \
                         see the Administration Guide's replacement of the Manager CA \
                         certificate for it.",
                        "Apache の証明書は外部 CA のものなので対象から外します。その証明書については管理ガイドの Manager CA 証明書の置き換えを参照してください。",
                    )
                } else {
                    tr(
                        "The shell variable lists the certificates the next step re-signs.",
                        "このシェル変数に、次の手順で署名し直す証明書を列挙します。",
                    )
                },
            )
            .run(names),
    );
    global_maintenance(&mut section, ctx, "sha1-global-maintenance-on", true);
    section.add(
        section
            .step(
                "sha1-resign",
                manager,
                tr(
                    "Re-sign the certificates",
                    "証明書を署名し直す",
                ),
                tr(
                    "First save copies of /etc/ovirt-engine/engine.conf.d and /etc/pki/ovirt-engine; \
                     then load the setup's protocol settings and re-enroll each named certificate, \
                     keeping its key.",
                    "まず /etc/ovirt-engine/engine.conf.d と /etc/pki/ovirt-engine のバックアップを保存し、セットアップのプロトコル設定を読み込んでから、指定した各証明書を鍵を保持したまま登録し直します。",
                ),
            )
            .run(". /etc/ovirt-engine/engine.conf.d/10-setup-protocols.conf")
            .run(RESIGN_LOOP)
            .warn(tr(
                "Leave --password=mypass exactly as it is.",
                "--password=mypass の値は変更しないでください。",
            ))
            .verify(check(
                Command::shell(
                    "openssl x509 -in /etc/pki/ovirt-engine/certs/apache.cer -noout -text | grep \
                     'Signature Algorithm'",
                ),
                Some("Signature Algorithm: sha256WithRSAEncryption"),
                tr(
                    "Re-signed certificates report SHA-256.",
                    "署名し直した証明書が SHA-256 と表示されること。",
                ),
            )),
    );
    let restart = section.step(
        "sha1-restart-services",
        manager,
        tr(
            "Restart the services that use the certificates",
            "証明書を使うサービスを再起動する",
        ),
        tr(
            "They load the new certificates on restart.",
            "再起動すると新しい証明書が読み込まれます。",
        ),
    );
    section.add(if all {
        restart
            .run("systemctl restart httpd")
            .run("systemctl restart ovirt-engine")
            .run("systemctl restart ovirt-websocket-proxy")
            .run("systemctl restart ovirt-imageio")
    } else {
        restart.run("systemctl restart httpd")
    });
    global_maintenance(&mut section, ctx, "sha1-global-maintenance-off", false);
    let fqdn = ctx
        .env()
        .and_then(|env| env.manager_fqdn.clone())
        .unwrap_or_else(|| "your-manager-fqdn".to_owned());
    section.add(
        section
            .step(
                "sha1-browsers",
                RunsOn::Browser,
                tr(
                    "Check the portal and renew the CA in browsers",
                    "ポータルを確認し、ブラウザーの CA を入れ替える",
                ),
                tr(
                    format!(
                        "Connect to the Administration Portal. A browser that had imported the CA \
                         or HTTPS certificate must drop it and import the new CA from \
                         http://{fqdn}/ovirt-engine/services/pki-resource?resource=ca-certificate&format=X509-PEM-CA \
                         as the browser's own instructions describe."
                    ),
                    format!(
                        "管理ポータルに接続します。以前に CA または HTTPS 証明書をインポートしたブラウザーでは、それを削除し、http://{fqdn}/ovirt-engine/services/pki-resource?resource=ca-certificate&format=X509-PEM-CA から新しい CA をブラウザーの手順に従ってインポートし直します。"
                    ),
                ),
            )
            .verify(look(tr(
                "The portal opens without a certificate warning.",
                "ポータルが証明書の警告なしで開くこと。",
            ))),
    );
    if all {
        section.add(
            section
                .step(
                    "sha1-enroll-hosts",
                    RunsOn::Portal,
                    tr(
                        "Enroll the hosts' certificates again",
                        "ホストの証明書を登録し直す",
                    ),
                    tr(
                        "For each host in Compute → Hosts: Management → Maintenance and confirm; \
                         once it is in maintenance, Installation → Enroll Certificate; then \
                         Management → Activate.",
                        "コンピュート → ホストの各ホストで、管理 → メンテナンスを実行して確定し、メンテナンスモードになったらインストール → 証明書の登録を実行し、最後に管理 → アクティブ化を実行します。",
                    ),
                )
                .verify(look(tr(
                    "Every host is Up again.",
                    "すべてのホストが再び Up になっていること。",
                ))),
        );
    }
    section.build()
}
