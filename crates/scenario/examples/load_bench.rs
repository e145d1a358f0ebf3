//! Generates a 5,000-host / 100,000-VM / 300,000-disk environment, writes it as an inventory,
//! and loads it again in a fresh process, printing the time and the peak memory of each.
//!
//!     cargo run --release -p scenario --example load_bench
//!
//! Target: loading in at most 2 s and 1.5 GiB.

use std::process::Command;
use std::time::Instant;

use scenario::{generate, to_json, GenerateParams};

fn peak_memory_mib() -> f64 {
    let status = std::fs::read_to_string("/proc/self/status").unwrap_or_default();
    let kib: f64 = status
        .lines()
        .find_map(|line| line.strip_prefix("VmHWM:"))
        .and_then(|rest| rest.trim().trim_end_matches("kB").trim().parse().ok())
        .unwrap_or(f64::NAN);
    kib / 1024.0
}

fn load(path: &str) {
    let start = Instant::now();
    let inventory = scenario::load(path).unwrap_or_else(|e| panic!("{e}"));
    let seconds = start.elapsed().as_secs_f64();
    println!(
        "load:     {seconds:.2} s, peak memory {:.0} MiB ({} hosts, {} VMs, {} disks)",
        peak_memory_mib(),
        inventory.hosts.len(),
        inventory.vms.len(),
        inventory.disks.len()
    );
}

fn main() {
    let args: Vec<String> = std::env::args().collect();
    if let [_, flag, path] = args.as_slice() {
        if flag == "--load" {
            load(path);
            return;
        }
    }
    let params = GenerateParams {
        hosts: 5_000,
        vms: 100_000,
        clusters: 100,
        disks_per_vm: 3,
        seed: 1,
        ..Default::default()
    };
    let start = Instant::now();
    let inventory = generate(&params).unwrap_or_else(|e| panic!("{e}"));
    let generated = start.elapsed().as_secs_f64();
    let bytes = to_json(&inventory);
    let written = start.elapsed().as_secs_f64() - generated;
    let path = std::env::temp_dir().join(format!(
        "ovirt-upgrade-load-bench-{}.json",
        std::process::id()
    ));
    std::fs::write(&path, &bytes).expect("write the inventory");
    println!("generate: {generated:.2} s, serialise {written:.2} s, {:.0} MB of JSON, peak memory {:.0} MiB", bytes.len() as f64 / 1e6, peak_memory_mib());
    drop(inventory);

    // A fresh process, so the peak is the load's own.
    let status = Command::new(std::env::current_exe().expect("own path"))
        .arg("--load")
        .arg(&path)
        .status();
    let _ = std::fs::remove_file(&path);
    assert!(status.expect("run the loader").success(), "loading failed");
    println!("target:   load ≤ 2 s and ≤ 1536 MiB");
}
