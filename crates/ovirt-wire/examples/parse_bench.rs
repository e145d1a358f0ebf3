//! Parses a 100,000-VM `/vms` document and prints MB/s and peak memory.
//!
//! `cargo run --release -p ovirt-wire --example parse_bench [-- VM_COUNT]`
//!
//! The document is written by this crate's writer from generated model VMs (the engine's
//! full VM shape, actions and links included) into a temporary file. Each way of reading
//! it then runs in a fresh child process, so that the child's peak resident memory
//! (`VmHWM` in `/proc/self/status`) covers only the document and what the read builds.
//! Targets: at least 150 MB/s, peak at most 3 × the document.

use std::io::Write;
use std::process::{Command, ExitCode};
use std::time::Instant;

use model::{Affinity, ClusterId, HostId, Level, Uuid, Vm, VmId, VmStatus, GIB};
use ovirt_wire::ApiPath;

const DEFAULT_VM_COUNT: usize = 100_000;
const MIN_MB_PER_SECOND: f64 = 150.0;
const MAX_PEAK_RATIO: f64 = 3.0;

/// What a child does with the document.
#[derive(Clone, Copy)]
enum Mode {
    /// `list_from_xml` into wire `Vm`s, then `to_model` on each.
    WireThenModel,
    /// `iter_xml_list`, converting each VM to the model as it is read.
    Streaming,
}

impl Mode {
    fn name(self) -> &'static str {
        match self {
            Mode::WireThenModel => "wire-then-model",
            Mode::Streaming => "streaming",
        }
    }

    fn from_name(name: &str) -> Option<Mode> {
        [Mode::WireThenModel, Mode::Streaming]
            .into_iter()
            .find(|m| m.name() == name)
    }
}

fn generate_vms(count: usize) -> Vec<Vm> {
    let clusters: Vec<ClusterId> = (0..8)
        .map(|i| ClusterId(Uuid::derived("cluster", &format!("cluster{i}"))))
        .collect();
    let hosts: Vec<HostId> = (0..500)
        .map(|i| HostId(Uuid::derived("host", &format!("host{i:03}"))))
        .collect();
    (0..count)
        .map(|i| {
            let name = format!("vm{i:06}");
            let running = i % 5 != 0;
            let affinity = match i % 20 {
                0 => Affinity::Pinned,
                1 | 2 => Affinity::UserMigratable,
                _ => Affinity::Migratable,
            };
            let host = hosts[i % hosts.len()];
            Vm {
                id: VmId(Uuid::derived("vm", &name)),
                cluster: clusters[i % clusters.len()],
                host: running.then_some(host),
                status: if running {
                    VmStatus::Up
                } else {
                    VmStatus::Down
                },
                memory: (1 + (i as u64 % 16)) * GIB,
                affinity,
                pinned_hosts: if affinity == Affinity::Pinned {
                    vec![host]
                } else {
                    Vec::new()
                },
                high_availability: i % 7 == 0,
                hosted_engine: false,
                next_run_pending: i % 11 == 0,
                custom_compatibility_version: (i % 11 == 0).then_some(Level::new(4, 6)),
                cpu_passthrough: i % 13 == 0,
                vgpu: false,
                host_devices: 0,
                snapshots: Vec::new(),
                name,
            }
        })
        .collect()
}

fn peak_resident_bytes() -> Option<u64> {
    let status = std::fs::read_to_string("/proc/self/status").ok()?;
    let line = status.lines().find(|l| l.starts_with("VmHWM:"))?;
    let kib: u64 = line.split_whitespace().nth(1)?.parse().ok()?;
    Some(kib * 1024)
}

fn mib(bytes: u64) -> f64 {
    bytes as f64 / (1024.0 * 1024.0)
}

/// In the child: read the file, parse it, print one result line.
fn run_child(mode: Mode, path: &str) -> ExitCode {
    let document = match std::fs::read(path) {
        Ok(document) => document,
        Err(error) => {
            eprintln!("cannot read {path}: {error}");
            return ExitCode::FAILURE;
        }
    };
    let before = peak_resident_bytes().unwrap_or(0);
    let started = Instant::now();
    let (parse_seconds, vms) = match mode {
        Mode::WireThenModel => {
            let wire = match ovirt_wire::list_from_xml::<ovirt_wire::Vm>(&document) {
                Ok(wire) => wire,
                Err(error) => {
                    eprintln!("parse failed: {error}");
                    return ExitCode::FAILURE;
                }
            };
            let parse_seconds = started.elapsed().as_secs_f64();
            let vms: Result<Vec<Vm>, _> = wire.iter().map(ovirt_wire::Vm::to_model).collect();
            (parse_seconds, vms.map_err(|e| e.to_string()))
        }
        Mode::Streaming => {
            let vms: Result<Vec<Vm>, String> =
                ovirt_wire::iter_xml_list::<ovirt_wire::Vm>(&document)
                    .map_err(|e| e.to_string())
                    .and_then(|list| {
                        list.map(|vm| {
                            vm.map_err(|e| e.to_string())
                                .and_then(|vm| vm.to_model().map_err(|e| e.to_string()))
                        })
                        .collect()
                    });
            (started.elapsed().as_secs_f64(), vms)
        }
    };
    let total_seconds = started.elapsed().as_secs_f64();
    let vms = match vms {
        Ok(vms) => vms,
        Err(error) => {
            eprintln!("conversion failed: {error}");
            return ExitCode::FAILURE;
        }
    };
    let peak = peak_resident_bytes().unwrap_or(0);
    println!(
        "{} {} {parse_seconds} {total_seconds} {before} {peak}",
        mode.name(),
        vms.len()
    );
    ExitCode::SUCCESS
}

fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().collect();
    if let [_, flag, mode, path] = args.as_slice() {
        if flag == "--child" {
            return match Mode::from_name(mode) {
                Some(mode) => run_child(mode, path),
                None => ExitCode::FAILURE,
            };
        }
    }
    let count = match args.get(1).map(|a| a.parse::<usize>()) {
        None => DEFAULT_VM_COUNT,
        Some(Ok(count)) if count > 0 => count,
        Some(_) => {
            eprintln!("usage: parse_bench [VM_COUNT]");
            return ExitCode::from(2);
        }
    };

    let started = Instant::now();
    let api = ApiPath::default();
    let wire: Vec<ovirt_wire::Vm> = generate_vms(count)
        .iter()
        .map(|vm| ovirt_wire::Vm::from_model(vm, &api))
        .collect();
    let document = ovirt_wire::list_to_xml(&wire);
    drop(wire);
    let size = document.len() as u64;
    let path = std::env::temp_dir().join(format!("ovirt-wire-bench-{}.xml", std::process::id()));
    if let Err(error) =
        std::fs::File::create(&path).and_then(|mut f| f.write_all(document.as_bytes()))
    {
        eprintln!("cannot write {}: {error}", path.display());
        return ExitCode::FAILURE;
    }
    drop(document);
    println!(
        "document: {count} VMs, {:.1} MiB ({} bytes/VM), written in {:.2} s",
        mib(size),
        size / count as u64,
        started.elapsed().as_secs_f64()
    );

    let exe = match std::env::current_exe() {
        Ok(exe) => exe,
        Err(error) => {
            eprintln!("cannot find this program: {error}");
            return ExitCode::FAILURE;
        }
    };
    let mut all_met = true;
    for mode in [Mode::WireThenModel, Mode::Streaming] {
        let output = Command::new(&exe)
            .args(["--child", mode.name()])
            .arg(&path)
            .output();
        let line = match &output {
            Ok(output) if output.status.success() => {
                String::from_utf8_lossy(&output.stdout).into_owned()
            }
            Ok(output) => {
                eprintln!(
                    "{}: {}",
                    mode.name(),
                    String::from_utf8_lossy(&output.stderr)
                );
                all_met = false;
                continue;
            }
            Err(error) => {
                eprintln!("{}: cannot start: {error}", mode.name());
                all_met = false;
                continue;
            }
        };
        let fields: Vec<&str> = line.split_whitespace().collect();
        let number = |i: usize| {
            fields
                .get(i)
                .and_then(|f| f.parse::<f64>().ok())
                .unwrap_or(0.0)
        };
        let (vms, parse_s, total_s, before, peak) =
            (number(1), number(2), number(3), number(4), number(5));
        let mb = size as f64 / 1e6;
        let parse_rate = mb / parse_s;
        let total_rate = mb / total_s;
        let ratio = peak / size as f64;
        let met =
            total_rate >= MIN_MB_PER_SECOND && ratio <= MAX_PEAK_RATIO && vms as usize == count;
        all_met &= met;
        println!(
            "{:<16} {vms:.0} VMs: parse {parse_s:.2} s = {parse_rate:.0} MB/s; with model conversion {total_s:.2} s = {total_rate:.0} MB/s; \
             peak RSS {:.1} MiB = {ratio:.2} x document (document loaded: {:.1} MiB, read added {:.1} MiB) {}",
            mode.name(),
            mib(peak as u64),
            mib(before as u64),
            mib((peak - before) as u64),
            if met { "ok" } else { "BELOW TARGET" }
        );
    }
    let _ = std::fs::remove_file(&path);
    println!(
        "targets: >= {MIN_MB_PER_SECOND:.0} MB/s (MB = 10^6 bytes), peak <= {MAX_PEAK_RATIO:.0} x document: {}",
        if all_met { "met" } else { "NOT met" }
    );
    if all_met {
        ExitCode::SUCCESS
    } else {
        ExitCode::FAILURE
    }
}
