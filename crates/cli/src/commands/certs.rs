//! `ovirt-upgrade certs`: the engine's CA and HTTPS certificate as the engine presents them,
//! read without logging in and without refusing what is wrong with them.

use std::fmt::Write as _;
use std::time::Duration;

use anyhow::{anyhow, Context as _};
use clap::Args;
use model::{Date, Lang, Text};
use ovirt_client::{CaSource, CertificateFacts, ChainCheck, EngineCertificates};
use serde_json::{json, Value};

use crate::cli::OutputFormat;
use crate::context::Context;
use crate::exit::{input_error, Exit};
use crate::text::{table, tr};

/// How long reading the certificates may take.
const PATIENCE: Duration = Duration::from_secs(30);

/// Read the engine's CA and HTTPS certificate.
#[derive(Debug, Args)]
#[command(after_help = "\
The CA comes from /ovirt-engine/services/pki-resource?resource=ca-certificate&format=X509-PEM-CA
(or from --ca-file when given), the HTTPS certificate from the TLS handshake itself: a SHA-1,
expired or misnamed certificate is read, never refused. No login is needed. `check --engine`
runs the pki rules on the same facts.

Examples:
  ovirt-upgrade certs --engine https://engine.example.com/ovirt-engine/api
  ovirt-upgrade certs --engine https://engine.example.com/ovirt-engine/api --output json

Exit codes: 0 read; 1 the engine could not be reached; 2 a bad option.")]
pub struct CertsArgs {
    /// The day expiry counts from, as YYYY-MM-DD [default: today].
    #[arg(long, value_name = "DATE")]
    pub as_of: Option<Date>,
}

pub fn run(args: CertsArgs, ctx: &Context) -> anyhow::Result<Exit> {
    let url = crate::runs::live::engine_url(ctx)
        .ok_or_else(|| input_error(anyhow!("name the engine with --engine URL or OVIRT_URL")))?;
    let read = crate::runs::runtime::runtime()?
        .block_on(ovirt_client::read_certificates(
            url,
            &crate::runs::live::tls(ctx),
            PATIENCE,
        ))
        .with_context(|| format!("cannot read the certificates of the engine at {url}"))?;
    let now = args.as_of.unwrap_or_else(crate::runs::clock::today);
    match ctx.output {
        OutputFormat::Json => super::print_json(&to_json(&read, url, now))?,
        OutputFormat::Text => print!("{}", render(&read, url, now, ctx.lang)),
    }
    Ok(Exit::Success)
}

fn chain_name(chain: &ChainCheck) -> &'static str {
    match chain {
        ChainCheck::Verified => "verified",
        ChainCheck::BadSignature => "bad_signature",
        ChainCheck::NamesOnly { .. } => "names_only",
        ChainCheck::OtherIssuer => "other_issuer",
    }
}

fn facts_json(facts: &CertificateFacts, now: Date) -> Value {
    json!({
        "subject": facts.subject,
        "issuer": facts.issuer,
        "serial": facts.serial,
        "signature_algorithm": facts.signature_algorithm,
        "sha1": is_sha1(facts),
        "not_before": facts.not_before,
        "not_after": facts.not_after,
        "days_left": now.days_until(facts.not_after),
        "subject_alt_names": facts.subject_alt_names,
    })
}

fn to_json(read: &EngineCertificates, url: &str, now: Date) -> Value {
    let ca_source = match &read.ca_source {
        CaSource::Published(url) => json!({ "published": url }),
        CaSource::File(path) => json!({ "file": path }),
    };
    let mut https = facts_json(&read.https, now);
    https["valid_for_fqdn"] = json!(read.https_valid_for_fqdn());
    json!({
        "format": 1,
        "engine": url,
        "fqdn": read.fqdn,
        "now": now,
        "ca_source": ca_source,
        "ca": facts_json(&read.ca, now),
        "https": https,
        "presented": read.presented,
        "chain": chain_name(&read.chain),
        "issued_by_ca": read.chain.issued_by_ca(),
    })
}

fn is_sha1(facts: &CertificateFacts) -> bool {
    model::is_sha1_signature(&facts.signature_algorithm)
}

fn render(read: &EngineCertificates, url: &str, now: Date, lang: Lang) -> String {
    let mut out = String::new();
    let _ = writeln!(
        out,
        "{} {url} ({})\n",
        tr(lang, "Certificates of the engine at", "エンジンの証明書:"),
        read.fqdn
    );
    let ca_from = match &read.ca_source {
        CaSource::Published(url) => format!("{} {url}", tr(lang, "published at", "公開元")),
        CaSource::File(path) => format!(
            "{} {}",
            tr(lang, "from the file", "ファイル"),
            path.display()
        ),
    };
    let _ = writeln!(out, "CA ({ca_from})");
    out.push_str(&certificate_table(&read.ca, now, lang, Vec::new()));
    let names = if read.https.subject_alt_names.is_empty() {
        tr(lang, "none", "なし").to_owned()
    } else {
        read.https.subject_alt_names.join(", ")
    };
    let fqdn = &read.fqdn;
    let names_note = if read.https_valid_for_fqdn() {
        Text::owned(format!("valid for {fqdn}"), format!("{fqdn} に対して有効"))
    } else {
        Text::owned(
            format!("NOT valid for {fqdn}: clients that check names refuse it"),
            format!("{fqdn} に対して無効: 名前を確認するクライアントは拒否します"),
        )
    };
    let names_note = names_note.get(lang);
    let chain = match &read.chain {
        ChainCheck::Verified => Text::new(
            "issued by the CA (issuer and signature verified)",
            "CA が発行 (発行者と署名を確認済み)",
        ),
        ChainCheck::NamesOnly { algorithm } => Text::owned(
            format!("issued by the CA by name (a {algorithm} signature cannot be verified here)"),
            format!("名前の上では CA が発行 ({algorithm} の署名はここでは検証できません)"),
        ),
        ChainCheck::BadSignature => Text::new(
            "NOT issued by this CA: the issuer's name matches but the CA's key does not verify the signature",
            "この CA の発行ではありません: 発行者名は一致しますが、CA の鍵で署名を検証できません",
        ),
        ChainCheck::OtherIssuer => Text::new(
            "issued by another CA (an external CA, or a proxy in between)",
            "別の CA が発行 (外部 CA、または間にあるプロキシー)",
        ),
    };
    let presented = read.presented;
    let presented = Text::owned(
        format!("apache, {presented} presented"),
        format!("apache、提示 {presented} 件"),
    );
    let _ = writeln!(
        out,
        "\n{} ({})",
        tr(lang, "HTTPS certificate", "HTTPS 証明書"),
        presented.get(lang)
    );
    let extra = vec![
        vec![
            tr(lang, "names:", "名前:").to_owned(),
            format!("{names} ({names_note})"),
        ],
        vec![
            tr(lang, "chain:", "チェーン:").to_owned(),
            chain.into_lang(lang).into_owned(),
        ],
    ];
    out.push_str(&certificate_table(&read.https, now, lang, extra));
    out
}

fn certificate_table(
    facts: &CertificateFacts,
    now: Date,
    lang: Lang,
    extra: Vec<Vec<String>>,
) -> String {
    let left = now.days_until(facts.not_after);
    let (from, until) = (&facts.not_before, &facts.not_after);
    let validity = if left < 0 {
        Text::owned(
            format!("{from} .. {until} (EXPIRED {} days ago)", -left),
            format!("{from} .. {until} ({} 日前に期限切れ)", -left),
        )
    } else {
        Text::owned(
            format!("{from} .. {until} ({left} days left)"),
            format!("{from} .. {until} (残り {left} 日)"),
        )
    };
    let algorithm = &facts.signature_algorithm;
    let signature = if is_sha1(facts) {
        Text::owned(
            format!("{algorithm} (SHA-1: see the guide's \"Replacing SHA-1 certificates with SHA-256\")"),
            format!("{algorithm} (SHA-1: ガイドの「SHA-1 証明書の SHA-256 証明書への置き換え」を参照)"),
        )
    } else {
        Text::same(algorithm.clone())
    };
    let (validity, signature) = (validity.get(lang), signature.get(lang));
    let mut rows = vec![
        vec![
            tr(lang, "subject:", "サブジェクト:").to_owned(),
            facts.subject.clone(),
        ],
        vec![
            tr(lang, "issuer:", "発行者:").to_owned(),
            facts.issuer.clone(),
        ],
        vec![
            tr(lang, "serial:", "シリアル:").to_owned(),
            facts.serial.clone(),
        ],
        vec![
            tr(lang, "signature:", "署名:").to_owned(),
            signature.to_owned(),
        ],
        vec![
            tr(lang, "valid:", "有効期間:").to_owned(),
            validity.to_owned(),
        ],
    ];
    rows.extend(extra);
    table(&rows)
        .lines()
        .map(|line| format!("  {line}\n"))
        .collect()
}
