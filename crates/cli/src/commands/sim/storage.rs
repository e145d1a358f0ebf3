//! `ovirt-upgrade sim storage`: the storage tree of an environment's file domains, with
//! discrepancies planted for `discrepancies` to find.

use std::path::Path;

use anyhow::Context as _;

use crate::cli::OutputFormat;
use crate::context::{Context, Verbosity};
use crate::exit::{input_error, Exit};
use crate::text::tr;

/// `ovirt-upgrade sim storage`: writes the storage tree of an environment's file domains.
pub(super) fn run(
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
        OutputFormat::Json => super::super::print_json(&written)?,
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
