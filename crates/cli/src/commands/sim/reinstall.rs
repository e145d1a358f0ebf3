//! `ovirt-upgrade sim reinstall`: the administrator's operating-system reinstall of a host, on
//! a simulated engine's machine, as `migrate-hosts --reinstall-command` calls it.

use anyhow::Context as _;
use model::{ElVersion, HostType};

use crate::cli::OutputFormat;
use crate::context::{Context, Verbosity};
use crate::exit::{input_error, Exit};
use crate::text::tr;

/// How often `sim reinstall --wait` looks at the machine.
const REINSTALL_POLL: std::time::Duration = std::time::Duration::from_secs(2);

pub(super) fn run(
    machine: &str,
    os: ElVersion,
    host_type: HostType,
    engine_key: bool,
    wait: bool,
    ctx: &Context,
) -> anyhow::Result<Exit> {
    let live = crate::runs::live::connect(ctx)?;
    let answer = live
        .runtime
        .block_on(
            live.client
                .reinstall_simulated_machine(machine, os, host_type, engine_key),
        )
        .with_context(|| format!("cannot reinstall {machine}"))
        .map_err(input_error)?;
    let address = answer["reinstalling"]["address"]
        .as_str()
        .unwrap_or(machine)
        .to_owned();
    let state = if wait {
        loop {
            let machines = live.runtime.block_on(live.client.simulated_machines())?;
            let state = machines["machines"]
                .as_array()
                .into_iter()
                .flatten()
                .find(|m| m["address"] == address.as_str())
                .and_then(|m| m["state"].as_str())
                .unwrap_or("unknown")
                .to_owned();
            if state != "reinstalling" {
                break state;
            }
            std::thread::sleep(REINSTALL_POLL);
        }
    } else {
        "reinstalling".to_owned()
    };
    match ctx.output {
        OutputFormat::Json => println!(
            "{}",
            serde_json::json!({ "machine": address, "os": os.to_string(), "state": state })
        ),
        OutputFormat::Text if ctx.says(Verbosity::Normal) => println!(
            "{address}: {os}, {}",
            match state.as_str() {
                "running" => tr(ctx.lang, "reinstalled", "再インストール済み"),
                "failed" => tr(ctx.lang, "its reinstall failed", "再インストールに失敗"),
                _ => tr(ctx.lang, "reinstalling", "再インストール中"),
            }
        ),
        OutputFormat::Text => {}
    }
    Ok(Exit::clean(state != "failed"))
}
