//! `ovirt-upgrade discrepancies`: storage-domain volume metadata against the engine's records,
//! printed the way the Image Discrepancies tool (`rhv-image-discrepancies`) prints; and
//! `ovirt-upgrade sim storage`, which writes storage trees with planted discrepancies.

use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use anyhow::{bail, Context as _};
use clap::{ArgGroup, Args};
use discrepancies::block::{BlockOptions, SlotLayout};
use discrepancies::db::DbSource;
use discrepancies::report::Summary;
use discrepancies::{EngineSource, InventorySource, Report, StorageSource};
use model::{Lang, StorageDomainId, Text};
use serde::Serialize;

use crate::cli::OutputFormat;
use crate::context::{Context, Verbosity};
use crate::exit::{input_error, Exit};
use crate::text::tr;

/// Where each side comes from, and how to compare.
#[derive(Debug, Args)]
#[command(group(
    ArgGroup::new("engine_side")
        .args(["inventory", "scenario", "db", "db_conf"])
))]
#[command(after_help = "\
The engine side is one of --inventory, --scenario, --db, --db-conf, or the live engine named with
--engine URL (or OVIRT_URL): its disks and each data domain's disk snapshots, read through the
REST API (docs/client.md).")]
pub struct DiscrepanciesArgs {
    /// An inventory snapshot (.json), or `example:NAME`.
    #[arg(long, value_name = "FILE", help_heading = "Engine side (one of)")]
    pub inventory: Option<String>,
    /// A scenario (.toml), or `example:NAME`.
    #[arg(long, value_name = "FILE", help_heading = "Engine side (one of)")]
    pub scenario: Option<String>,
    /// The engine database, read only, as a connection string
    /// (`host=/run/postgresql dbname=engine user=engine`). Give the password in PGPASSWORD.
    #[arg(long, value_name = "CONNECTION", help_heading = "Engine side (one of)")]
    pub db: Option<String>,
    /// The engine database, from the engine's own settings file
    /// (/etc/ovirt-engine/engine.conf.d/10-setup-database.conf).
    #[arg(long, value_name = "FILE", help_heading = "Engine side (one of)")]
    pub db_conf: Option<PathBuf>,

    /// A mounted file storage domain (its dom_md/ and images/), or a directory of them such as
    /// /rhev/data-center/mnt/SERVER:_PATH. Repeatable.
    #[arg(long = "domain-dir", value_name = "DIR", help_heading = "Storage side")]
    pub domain_dirs: Vec<PathBuf>,
    /// Block domains: the output of
    /// `lvs --reportformat json --units b -o vg_name,lv_name,lv_tags,lv_size`. Repeatable.
    #[arg(long, value_name = "FILE", help_heading = "Storage side")]
    pub lvs: Vec<PathBuf>,
    /// Where a block domain's metadata LV is, when not /dev/VG/metadata (a copy made with dd
    /// will do). Repeatable.
    #[arg(
        long = "metadata-lv",
        value_name = "VG=PATH",
        help_heading = "Storage side"
    )]
    pub metadata_lvs: Vec<String>,
    /// The block domains' format version, which places the metadata slots
    /// [default: found from the metadata].
    #[arg(long, value_name = "4|5", help_heading = "Storage side")]
    pub block_version: Option<u8>,
    /// vdsm's own dump of a domain: `vdsm-tool dump-volume-chains SD -o json` or
    /// `vdsm-client StorageDomain dump sd_id=SD`. Prefix it with `SD=` unless the dump or its
    /// file name (SD.json) says the domain. Repeatable.
    #[arg(long = "dump", value_name = "[SD=]FILE", help_heading = "Storage side")]
    pub dumps: Vec<String>,

    /// Collect both sides twice and report only the differences seen both times (the guide
    /// says to rerun the tool to confirm what it finds).
    #[arg(long)]
    pub confirm: bool,
    /// Seconds between the two collections of --confirm.
    #[arg(
        long,
        value_name = "SECONDS",
        default_value_t = 10,
        requires = "confirm"
    )]
    pub confirm_interval: u64,
}

pub fn run(args: DiscrepanciesArgs, ctx: &Context) -> anyhow::Result<Exit> {
    let mut engine = engine_source(&args, ctx)?;
    let sources = storage_sources(&args).map_err(input_error)?;

    let first = collect(engine.as_mut(), &sources, ctx)?;
    let report = if args.confirm {
        if ctx.says(Verbosity::Normal) {
            let interval = args.confirm_interval;
            let collecting = Text::owned(
                format!("Collecting again in {interval} s to confirm..."),
                format!("確認のため {interval} 秒後に再度収集します..."),
            );
            eprintln!("{}", collecting.get(ctx.lang));
        }
        std::thread::sleep(Duration::from_secs(args.confirm_interval));
        let second = collect(engine.as_mut(), &sources, ctx)?;
        discrepancies::confirm(&first, &second)
    } else {
        first
    };

    let summary = report.summary();
    match ctx.output {
        OutputFormat::Json => super::print_json(&JsonReport {
            engine: engine.describe(),
            summary: &summary,
            report: &report,
        })?,
        OutputFormat::Text => {
            print!("{}", discrepancies::render_text(&report));
            if ctx.says(Verbosity::Normal) {
                eprint!("{}", render_summary(&report, &summary, ctx.lang));
            }
        }
    }
    Ok(if summary.discrepancies > 0 {
        Exit::Findings
    } else {
        Exit::Success
    })
}

#[derive(Serialize)]
struct JsonReport<'a> {
    /// Where the engine side came from.
    engine: String,
    summary: &'a Summary,
    #[serde(flatten)]
    report: &'a Report,
}

fn engine_source(args: &DiscrepanciesArgs, ctx: &Context) -> anyhow::Result<Box<dyn EngineSource>> {
    let named = [&args.inventory, &args.scenario, &args.db]
        .iter()
        .any(|side| side.is_some())
        || args.db_conf.is_some();
    if !named {
        if crate::runs::live::engine_url(ctx).is_some() {
            return Ok(Box::new(ApiSource {
                live: crate::runs::live::connect(ctx)?,
            }));
        }
        return Err(input_error(anyhow::anyhow!(
            "the engine side is required: give --inventory, --scenario, --db, --db-conf or --engine URL"
        )));
    }
    database_or_file_source(args).map_err(input_error)
}

/// The engine's records through its REST API: disks and each data domain's disk snapshots.
struct ApiSource {
    live: crate::runs::live::Live,
}

impl EngineSource for ApiSource {
    fn describe(&self) -> String {
        format!("engine {}", self.live.client.url())
    }

    fn collect(&mut self) -> Result<discrepancies::EngineView, discrepancies::engine::SourceError> {
        let inventory = self
            .live
            .runtime
            .block_on(
                self.live
                    .client
                    .read_inventory(ovirt_client::Scope::Storage, &|_| {}),
            )
            .map_err(|error| discrepancies::engine::SourceError {
                source_name: self.describe(),
                message: error.to_string(),
            })?;
        InventorySource::new(inventory, self.live.client.url()).collect()
    }
}

fn database_or_file_source(args: &DiscrepanciesArgs) -> anyhow::Result<Box<dyn EngineSource>> {
    if let Some(spec) = args.inventory.as_ref().or(args.scenario.as_ref()) {
        let inventory =
            scenario::load(spec).with_context(|| format!("cannot load the environment {spec}"))?;
        return Ok(Box::new(InventorySource::new(inventory, spec.clone())));
    }
    let source = if let Some(connection) = &args.db {
        DbSource::parse(connection).context("--db")?
    } else if let Some(path) = &args.db_conf {
        let text = std::fs::read_to_string(path)
            .with_context(|| format!("cannot read the database settings {}", path.display()))?;
        DbSource::from_engine_conf(&text)
            .with_context(|| format!("cannot use the database settings {}", path.display()))?
    } else {
        bail!("name the engine side: --inventory, --scenario, --db or --db-conf");
    };
    Ok(Box::new(match std::env::var("PGPASSWORD") {
        Ok(password) if !password.is_empty() => source.with_default_password(&password),
        _ => source,
    }))
}

fn storage_sources(args: &DiscrepanciesArgs) -> anyhow::Result<Vec<StorageSource>> {
    let mut sources: Vec<StorageSource> = args
        .domain_dirs
        .iter()
        .map(|dir| StorageSource::FileDomain(dir.clone()))
        .collect();
    let layout = match args.block_version {
        None => None,
        Some(version @ 3..=5) => Some(SlotLayout::for_version(version)),
        Some(other) => {
            bail!("--block-version {other}: block domains have format version 3, 4 or 5")
        }
    };
    let mut metadata_paths = std::collections::BTreeMap::new();
    for item in &args.metadata_lvs {
        let (vg, path) = item
            .split_once('=')
            .filter(|(vg, path)| !vg.is_empty() && !path.is_empty())
            .with_context(|| format!("--metadata-lv `{item}`: write it as VG=PATH"))?;
        metadata_paths.insert(vg.to_owned(), PathBuf::from(path));
    }
    if args.lvs.is_empty() && (!metadata_paths.is_empty() || layout.is_some()) {
        bail!(
            "--metadata-lv and --block-version describe block domains: give their --lvs report too"
        );
    }
    for lvs in &args.lvs {
        sources.push(StorageSource::Block {
            lvs: lvs.clone(),
            options: BlockOptions {
                metadata_paths: metadata_paths.clone(),
                layout,
            },
        });
    }
    for item in &args.dumps {
        let (domain, path) = match item.split_once('=') {
            Some((domain, path)) => {
                let domain: StorageDomainId = domain.parse().with_context(|| {
                    format!("--dump `{item}`: `{domain}` is not a storage domain UUID")
                })?;
                (Some(domain), PathBuf::from(path))
            }
            None => (None, PathBuf::from(item)),
        };
        sources.push(StorageSource::Dump { path, domain });
    }
    if sources.is_empty() {
        bail!("name the storage side: --domain-dir, --lvs or --dump");
    }
    Ok(sources)
}

/// Collects both sides once and compares them.
fn collect(
    engine: &mut dyn EngineSource,
    sources: &[StorageSource],
    ctx: &Context,
) -> anyhow::Result<Report> {
    let started = Instant::now();
    let storage = discrepancies::collect_storage(sources)?;
    let storage_time = started.elapsed();
    let started = Instant::now();
    let view = engine.collect()?;
    if ctx.says(Verbosity::Verbose) {
        let volumes: usize = storage.domains.iter().map(|d| d.volumes.len()).sum();
        eprintln!(
            "read {} storage domain(s), {volumes} volume(s) in {:.2} s; {} from {} in {:.2} s",
            storage.domains.len(),
            storage_time.as_secs_f64(),
            view.volume_count(),
            engine.describe(),
            started.elapsed().as_secs_f64()
        );
    }
    Ok(discrepancies::compare(&storage, &view))
}

/// The summary on standard error, so that standard output stays exactly the tool's format.
fn render_summary(report: &Report, summary: &Summary, lang: Lang) -> String {
    let t = |en, ja| tr(lang, en, ja);
    let mut out = String::from("\n");
    let Summary {
        domains_checked: domains,
        volumes_on_storage: on_storage,
        volumes_in_engine: in_engine,
        discrepancies: found,
        safe_to_ignore,
        notices,
        transient,
        ..
    } = *summary;
    let ending = if found == 1 { "y" } else { "ies" };
    let mut parts = vec![Text::owned(
        format!("{domains} storage domain(s), {on_storage} volume(s) on storage, {in_engine} in the engine's records: {found} discrepanc{ending}"),
        format!("ストレージドメイン {domains}、ストレージ上のボリューム {on_storage}、エンジンの記録 {in_engine}: 不一致 {found} 件"),
    )];
    if safe_to_ignore > 0 {
        parts.push(Text::owned(
            format!("{safe_to_ignore} on ISO/Export domains (safe to ignore)"),
            format!("ISO/Export ドメイン上 {safe_to_ignore} 件 (無視できます)"),
        ));
    }
    if notices > 0 {
        parts.push(Text::owned(
            format!("{notices} notice(s)"),
            format!("お知らせ {notices} 件"),
        ));
    }
    if report.confirmed {
        parts.push(Text::owned(
            format!("{transient} seen in only one of the two collections (not reported)"),
            format!("2 回の収集の一方でのみ検出 {transient} 件 (報告対象外)"),
        ));
    }
    let parts: Vec<&str> = parts.iter().map(|part| part.get(lang)).collect();
    out.push_str(t("Summary: ", "概要: "));
    out.push_str(&parts.join(t(", ", "、")));
    out.push('\n');
    if !report.not_scanned.is_empty() {
        let list: Vec<String> = report.not_scanned.iter().map(|d| d.to_string()).collect();
        let list = list.join(", ");
        let not_scanned = Text::owned(
            format!(
                "Not scanned: the engine has data domain(s) no storage source covered: {list}\n"
            ),
            format!("未確認: ストレージ側の入力がないデータドメイン: {list}\n"),
        );
        out.push_str(not_scanned.get(lang));
    }
    if summary.discrepancies > 0 && !report.confirmed {
        out.push_str(t(
            "Stop storage activity and run again with --confirm to drop differences caused by operations in flight.\n",
            "ストレージの操作を止め、--confirm を付けて再実行すると、実行中の操作による差異を除外できます。\n",
        ));
    }
    out
}

/// `ovirt-upgrade sim storage`: writes the storage tree of an environment's file domains.
pub fn sim_storage(
    spec: &str,
    out: &Path,
    plant: usize,
    seed: u64,
    ctx: &Context,
) -> anyhow::Result<Exit> {
    let inventory =
        scenario::load(spec).with_context(|| format!("cannot load the environment {spec}"))?;
    if let Ok(mut entries) = std::fs::read_dir(out) {
        if entries.next().is_some() {
            return Err(input_error(anyhow::anyhow!(
                "{} is not empty: give a new or empty directory for the storage tree",
                out.display()
            )));
        }
    }
    std::fs::create_dir_all(out).with_context(|| format!("cannot create {}", out.display()))?;
    let written = discrepancies::sim::write_storage(&inventory, out, plant, seed)
        .with_context(|| format!("cannot write the storage tree under {}", out.display()))?;
    let manifest = out.join("planted.json");
    let mut json = serde_json::to_vec_pretty(&written.planted)?;
    json.push(b'\n');
    std::fs::write(&manifest, json)
        .with_context(|| format!("cannot write {}", manifest.display()))?;

    match ctx.output {
        OutputFormat::Json => super::print_json(&written)?,
        OutputFormat::Text if ctx.says(Verbosity::Normal) => {
            let t = |en, ja| tr(ctx.lang, en, ja);
            for domain in &written.domains {
                println!(
                    "{} {} ({}, {} {})",
                    t("wrote", "書き込み:"),
                    domain.path.display(),
                    domain.name,
                    domain.volumes,
                    t("volume(s)", "ボリューム")
                );
            }
            for domain in &written.skipped {
                println!(
                    "{} {} ({}): {}",
                    t("skipped", "スキップ:"),
                    domain.id,
                    domain.name,
                    domain.reason
                );
            }
            println!(
                "{} {}/{} ({})",
                t("planted", "仕込んだ不一致:"),
                written.planted.len(),
                written.requested,
                manifest.display()
            );
            for plant in &written.planted {
                let subject = plant
                    .volume
                    .map(|v| format!(" {v}"))
                    .or_else(|| plant.image.map(|i| format!(" {i}")))
                    .unwrap_or_default();
                println!(
                    "  {:<17} {}{subject}: {}",
                    plant.kind.as_str(),
                    plant.domain,
                    plant.detail
                );
            }
            println!(
                "{} ovirt-upgrade discrepancies --scenario {spec} --domain-dir {}",
                t("check with:", "確認:"),
                out.display()
            );
        }
        OutputFormat::Text => {}
    }
    Ok(Exit::Success)
}
