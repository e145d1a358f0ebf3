//! `ovirt-upgrade sim import-domain`: the administrator's Import Domain of a local domain in
//! the Administration Portal, on a simulated engine, as `migrate-hosts` asks for it.

use anyhow::Context as _;

use crate::cli::OutputFormat;
use crate::context::{Context, Verbosity};
use crate::exit::{input_error, Exit};
use crate::text::tr;

pub(super) fn run(machine: &str, path: &str, name: &str, ctx: &Context) -> anyhow::Result<Exit> {
    let live = crate::runs::live::connect(ctx)?;
    let answer = live
        .runtime
        .block_on(live.client.import_simulated_domain(machine, path, name))
        .with_context(|| format!("cannot import the domain at {path} on {machine}"))
        .map_err(input_error)?;
    let id = answer["imported"].as_str().unwrap_or_default();
    match ctx.output {
        OutputFormat::Json => println!("{answer}"),
        OutputFormat::Text if ctx.says(Verbosity::Normal) => println!(
            "{machine}:{path}: {} {id}",
            tr(ctx.lang, "imported as", "インポート済み:")
        ),
        OutputFormat::Text => {}
    }
    Ok(Exit::Success)
}
