//! `ovirt-upgrade inventory`: read an environment and say what it is.

use std::fmt::Write as _;
use std::path::PathBuf;

use anyhow::Context as _;
use clap::Subcommand;
use model::summary::{StatusCounts, Summary};
use model::{Deployment, Lang};

use crate::cli::OutputFormat;
use crate::context::Context;
use crate::exit::Exit;
use crate::text::{count_of, gib, table, tr};

#[derive(Debug, Subcommand)]
pub enum InventoryCommand {
    /// Summarise an environment: versions, deployment, data centers, clusters, host and VM states.
    Show {
        /// A scenario (.toml), an inventory (.json) or `example:NAME`
        /// [default: the embedded example `self-hosted`].
        file: Option<String>,
    },
    /// List the example environments shipped with the tool.
    Examples,
    /// Read a live engine's whole environment (through its REST API, read-only) into an
    /// inventory file that `inventory show`, `check --inventory` and the other commands read.
    #[command(after_help = "\
Needs --engine URL (or OVIRT_URL) and the credentials. What the API does not show stays at its
default: the Manager's databases, Data Warehouse, extensions, certificates, OVN and backups; hosts'
supported cluster levels and packages other than vdsm and libvirt; VMs' vGPUs and host devices;
gluster volumes. docs/client.md lists them.

Examples:
  ovirt-upgrade inventory export --engine https://engine.example.com/ovirt-engine/api \\
      --ca-file ca.pem --password-file pw.txt --out env.json
  ovirt-upgrade inventory show env.json")]
    Export {
        /// Where to write the inventory [default: standard output].
        #[arg(long, value_name = "FILE")]
        out: Option<PathBuf>,
    },
}

pub fn run(command: InventoryCommand, ctx: &Context) -> anyhow::Result<Exit> {
    match command {
        InventoryCommand::Show { file } => {
            let spec =
                file.unwrap_or_else(|| format!("example:{}", scenario::default_example().name));
            let inventory = scenario::load(&spec)
                .with_context(|| format!("cannot load the environment {spec}"))?;
            let summary = inventory.summary();
            match ctx.output {
                OutputFormat::Json => super::print_json(&summary)?,
                OutputFormat::Text => print!("{}", render_summary(&summary, ctx.lang)),
            }
        }
        InventoryCommand::Examples => match ctx.output {
            OutputFormat::Json => {
                let list: Vec<_> = scenario::EXAMPLES
                    .iter()
                    .map(|e| serde_json::json!({ "name": e.name, "file": e.file, "title": example_title(e) }))
                    .collect();
                super::print_json(&list)?;
            }
            OutputFormat::Text => {
                let rows: Vec<Vec<String>> = scenario::EXAMPLES
                    .iter()
                    .map(|e| vec![format!("example:{}", e.name), example_title(e)])
                    .collect();
                print!("{}", table(&rows));
            }
        },
        InventoryCommand::Export { out } => export(out.as_deref(), ctx)?,
    }
    Ok(Exit::Success)
}

/// Reads the engine and writes what it read, as an inventory.
fn export(out: Option<&std::path::Path>, ctx: &Context) -> anyhow::Result<()> {
    if crate::runs::live::engine_url(ctx).is_none() {
        return Err(crate::exit::input_error(anyhow::anyhow!(
            "inventory export reads a live engine: name it with --engine URL or OVIRT_URL"
        )));
    }
    let live = crate::runs::live::connect(ctx)?;
    let inventory = live.read_inventory(ctx, ovirt_client::Scope::Everything)?;
    let bytes = scenario::to_json(&inventory);
    let Some(path) = out else {
        use std::io::Write as _;
        std::io::stdout()
            .write_all(&bytes)
            .context("cannot write the inventory to standard output")?;
        return Ok(());
    };
    std::fs::write(path, &bytes)
        .with_context(|| format!("cannot write the inventory to {}", path.display()))
        .map_err(crate::exit::input_error)?;
    if ctx.says(crate::context::Verbosity::Normal) {
        let lang = ctx.lang;
        eprintln!(
            "{} {}: {}, {}, {}, {}",
            tr(lang, "Wrote", "書き出しました:"),
            path.display(),
            count_of(lang, inventory.hosts.len(), ("host", "hosts"), "ホスト"),
            count_of(lang, inventory.vms.len(), ("VM", "VMs"), "仮想マシン"),
            count_of(
                lang,
                inventory.storage_domains.len(),
                ("storage domain", "storage domains"),
                "ストレージドメイン"
            ),
            count_of(lang, inventory.disks.len(), ("disk", "disks"), "ディスク"),
        );
    }
    Ok(())
}

/// An example's `name = "..."` line, without loading it.
fn example_title(example: &scenario::Example) -> String {
    example
        .text
        .lines()
        .find_map(|line| line.strip_prefix("name = \""))
        .map_or_else(String::new, |rest| rest.trim_end_matches('"').to_owned())
}

fn counts(states: &StatusCounts) -> String {
    states
        .iter()
        .map(|(state, n)| format!("{state} {n}"))
        .collect::<Vec<_>>()
        .join(", ")
}

fn yes_no(lang: Lang, value: bool) -> &'static str {
    if value {
        tr(lang, "yes", "あり")
    } else {
        tr(lang, "no", "なし")
    }
}

/// `local`, `remote` or `none`, in the output language.
fn placement(lang: Lang, placement: &'static str) -> &'static str {
    let ja = match placement {
        "local" => "ローカル",
        "remote" => "リモート",
        "none" => "なし",
        _ => placement,
    };
    tr(lang, placement, ja)
}

/// The summary as the terminal shows it.
pub fn render_summary(summary: &Summary, lang: Lang) -> String {
    let t = |en, ja| tr(lang, en, ja);
    let mut out = String::new();
    let m = &summary.manager;
    if !summary.name.is_empty() {
        let _ = writeln!(out, "{}: {}", t("Environment", "環境"), summary.name);
    }
    let _ = writeln!(out, "{}: {}\n", t("Source", "読み込み元"), summary.source);

    let deployment = match m.deployment {
        Deployment::SelfHosted => t("self-hosted engine", "セルフホストエンジン"),
        Deployment::Standalone => t("standalone Manager", "スタンドアロン Manager"),
    };
    let latest = match m.latest_in_line {
        Some(latest) if latest == m.version => {
            t("the latest of its line", "この系列の最新").to_owned()
        }
        Some(latest) => format!("{} {latest}", t("latest of its line:", "この系列の最新:")),
        None => String::new(),
    };
    let levels = m
        .supported_levels
        .iter()
        .map(|l| l.to_string())
        .collect::<Vec<_>>()
        .join(", ");
    let extensions = if m.extensions.is_empty() {
        t("none", "なし").to_owned()
    } else {
        m.extensions
            .iter()
            .map(|e| e.as_str())
            .collect::<Vec<_>>()
            .join(", ")
    };
    let _ = writeln!(out, "{}", t("Manager", "Manager"));
    let rows = vec![
        vec![
            t("Version", "バージョン").into(),
            format!("{} ({latest})", m.version),
        ],
        vec![t("Deployment", "デプロイメント").into(), deployment.into()],
        vec![t("Operating system", "OS").into(), m.os.clone()],
        vec![
            t("Engine database", "Manager データベース").into(),
            placement(lang, m.database.as_str()).into(),
        ],
        vec![
            t("Data Warehouse", "Data Warehouse").into(),
            placement(lang, m.dwh.as_str()).into(),
        ],
        vec!["Grafana".into(), yes_no(lang, m.grafana).into()],
        vec![
            t("OVN provider", "OVN プロバイダー").into(),
            yes_no(lang, m.ovn).into(),
        ],
        vec![t("Extensions", "拡張パッケージ").into(), extensions],
        vec![
            t("Cluster levels accepted", "対応するクラスター互換レベル").into(),
            levels,
        ],
        vec![
            t("SHA-1 certificates", "SHA-1 証明書").into(),
            m.sha1_certificates.to_string(),
        ],
    ];
    for line in table(&rows).lines() {
        let _ = writeln!(out, "  {line}");
    }

    for dc in &summary.data_centers {
        let storage = match dc.storage {
            model::StorageKind::Shared => t("shared storage", "共有ストレージ"),
            model::StorageKind::Local => t("local storage", "ローカルストレージ"),
        };
        let _ = writeln!(
            out,
            "\n{} {} ({} {}, {}, {})",
            t("Data center", "データセンター"),
            dc.name,
            t("level", "互換レベル"),
            dc.version,
            storage,
            count_of(
                lang,
                dc.storage_domains,
                ("storage domain", "storage domains"),
                "ストレージドメイン"
            ),
        );
        if dc.clusters.is_empty() {
            let _ = writeln!(out, "  {}", t("no clusters", "クラスターなし"));
            continue;
        }
        let mut rows = vec![vec![
            t("Cluster", "クラスター").into(),
            t("Level", "互換レベル").into(),
            t("Hosts", "ホスト").into(),
            t("HE hosts", "HE ホスト").into(),
            t("VMs (running)", "仮想マシン (実行中)").into(),
            t("Memory used", "メモリー使用").into(),
            t("Host states", "ホストの状態").into(),
            t("VM states", "仮想マシンの状態").into(),
        ]];
        for c in &dc.clusters {
            rows.push(vec![
                c.name.clone(),
                c.version.to_string(),
                c.hosts.to_string(),
                c.hosted_engine_hosts.to_string(),
                format!("{} ({})", c.vms, c.running_vms),
                format!("{} / {}", gib(c.vm_memory), gib(c.host_memory)),
                counts(&c.host_states),
                counts(&c.vm_states),
            ]);
        }
        for line in table(&rows).lines() {
            let _ = writeln!(out, "  {line}");
        }
    }

    let totals = &summary.totals;
    let vms = format!(
        "{} ({}, {})",
        count_of(lang, totals.vms, ("VM", "VMs"), "仮想マシン"),
        count_of(lang, totals.pinned_vms, ("pinned", "pinned"), "固定"),
        count_of(lang, totals.ha_vms, ("HA", "HA"), "高可用性"),
    );
    let parts = [
        count_of(
            lang,
            totals.data_centers,
            ("data center", "data centers"),
            "データセンター",
        ),
        count_of(lang, totals.clusters, ("cluster", "clusters"), "クラスター"),
        count_of(lang, totals.hosts, ("host", "hosts"), "ホスト"),
        vms,
        count_of(
            lang,
            totals.storage_domains,
            ("storage domain", "storage domains"),
            "ストレージドメイン",
        ),
        count_of(lang, totals.disks, ("disk", "disks"), "ディスク"),
        count_of(
            lang,
            totals.gluster_volumes,
            ("gluster volume", "gluster volumes"),
            "Gluster ボリューム",
        ),
    ];
    let _ = writeln!(out, "\n{}: {}", t("Totals", "合計"), parts.join(", "));
    let _ = writeln!(
        out,
        "{}: {}",
        t("Host states", "ホストの状態"),
        counts(&totals.host_states)
    );
    let _ = writeln!(
        out,
        "{}: {}",
        t("VM states", "仮想マシンの状態"),
        counts(&totals.vm_states)
    );
    out
}
