//! `ovirt-upgrade discrepancies`: storage-domain volume metadata against the engine's records,
//! printed the way the Image Discrepancies tool (`rhv-image-discrepancies`) prints; and
//! `ovirt-upgrade sim storage`, which writes storage trees with planted discrepancies.

use std::path::PathBuf;
use std::time::{Duration, Instant};

use anyhow::{bail, Context as _};
use clap::{ArgGroup, Args};
use discrepancies::block::{BlockOptions, SlotLayout};
use discrepancies::db::DbSource;
use discrepancies::report::Summary;
use discrepancies::{EngineSource, InventorySource, Report, StorageSource};
use model::{StorageDomainId, Text};
use serde::Serialize;

use crate::cli::OutputFormat;
use crate::context::{Context, Verbosity};
use crate::exit::{input_error, Exit};
use crate::report;

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

    #[command(flatten)]
    pub storage: StorageArgs,

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

/// The storage side of a comparison; `serve` takes the same options for its discrepancies page.
#[derive(Debug, Args)]
pub struct StorageArgs {
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
}

pub fn run(args: DiscrepanciesArgs, ctx: &Context) -> anyhow::Result<Exit> {
    let mut engine = engine_source(&args, ctx)?;
    let sources = args.storage.sources().map_err(input_error)?;
    if sources.is_empty() {
        return Err(input_error(anyhow::anyhow!(
            "name the storage side: --domain-dir, --lvs or --dump"
        )));
    }

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
                eprint!(
                    "{}",
                    report::discrepancies::summary(&report, &summary, ctx.lang)
                );
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

impl StorageArgs {
    /// The paths the options name, for a page to show.
    pub fn describe(&self) -> String {
        let paths = self
            .domain_dirs
            .iter()
            .chain(&self.lvs)
            .map(|p| p.display().to_string());
        paths
            .chain(self.dumps.iter().cloned())
            .collect::<Vec<_>>()
            .join(", ")
    }

    /// The sources the options name; none when none is given.
    pub fn sources(&self) -> anyhow::Result<Vec<StorageSource>> {
        let mut sources: Vec<StorageSource> = self
            .domain_dirs
            .iter()
            .map(|dir| StorageSource::FileDomain(dir.clone()))
            .collect();
        let layout = match self.block_version {
            None => None,
            Some(version @ 3..=5) => Some(SlotLayout::for_version(version)),
            Some(other) => {
                bail!("--block-version {other}: block domains have format version 3, 4 or 5")
            }
        };
        let mut metadata_paths = std::collections::BTreeMap::new();
        for item in &self.metadata_lvs {
            let (vg, path) = item
                .split_once('=')
                .filter(|(vg, path)| !vg.is_empty() && !path.is_empty())
                .with_context(|| format!("--metadata-lv `{item}`: write it as VG=PATH"))?;
            metadata_paths.insert(vg.to_owned(), PathBuf::from(path));
        }
        if self.lvs.is_empty() && (!metadata_paths.is_empty() || layout.is_some()) {
            bail!(
            "--metadata-lv and --block-version describe block domains: give their --lvs report too"
        );
        }
        for lvs in &self.lvs {
            sources.push(StorageSource::Block {
                lvs: lvs.clone(),
                options: BlockOptions {
                    metadata_paths: metadata_paths.clone(),
                    layout,
                },
            });
        }
        for item in &self.dumps {
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
        Ok(sources)
    }
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
