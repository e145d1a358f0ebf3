//! Times the checks on large generated environments and prints the figures.
//!
//!     cargo run --release -p checks --example check_bench
//!
//! 1. A 10,000-host / 200,000-VM / 600,000-disk environment in 100 clusters: every rule once,
//!    after loading. Target: at most 2 s.
//! 2. One cluster of 400 hosts at two sizes, 20,000 and 200,000 VMs: the evacuation rules must
//!    grow with the VMs (about 10× the time for 10× the VMs), not with their square (100×).

use std::time::Instant;

use checks::render::{self, TextOptions};
use checks::{check, default_target};
use model::{Date, Lang};
use scenario::{generate, GenerateParams};

fn now() -> Date {
    "2026-11-23".parse().unwrap()
}

/// Seconds taken by the best of `runs` runs of every rule.
fn time_check(inventory: &model::Inventory, runs: usize) -> (f64, checks::Counts) {
    let target = default_target(inventory.manager.version);
    let mut best = f64::INFINITY;
    let mut counts = checks::Counts::default();
    for _ in 0..runs {
        let start = Instant::now();
        let report = check(inventory, target, now()).unwrap_or_else(|e| panic!("{e}"));
        best = best.min(start.elapsed().as_secs_f64());
        counts = report.counts();
    }
    (best, counts)
}

fn generated(hosts: u32, vms: u32, clusters: u32, disks_per_vm: u32) -> model::Inventory {
    let start = Instant::now();
    let inventory = generate(&GenerateParams {
        hosts,
        vms,
        clusters,
        disks_per_vm,
        seed: 1,
        ..Default::default()
    })
    .unwrap_or_else(|e| panic!("{e}"));
    println!(
        "generated {hosts} hosts, {vms} VMs, {} disks in {clusters} cluster(s) in {:.1} s",
        inventory.disks.len(),
        start.elapsed().as_secs_f64()
    );
    inventory
}

fn main() {
    let large = generated(10_000, 200_000, 100, 3);
    let (seconds, counts) = time_check(&large, 3);
    println!(
        "check:    {seconds:.3} s for {} rules ({} failures, {} warnings)  target ≤ 2 s",
        counts.total, counts.failures, counts.warnings
    );
    let report = check(&large, default_target(large.manager.version), now()).unwrap();
    let start = Instant::now();
    let text = render::text(&report, &TextOptions::new(Lang::En));
    let json = render::json(&report, Lang::En);
    let html = render::html(&report, Lang::En);
    println!(
        "render:   {:.3} s for text ({} kB), JSON ({} kB) and HTML ({} kB)",
        start.elapsed().as_secs_f64(),
        text.len() / 1000,
        json.len() / 1000,
        html.len() / 1000
    );
    drop(report);
    drop(large);

    let small = generated(400, 20_000, 1, 1);
    let big = generated(400, 200_000, 1, 1);
    let (small_seconds, _) = time_check(&small, 5);
    let (big_seconds, _) = time_check(&big, 5);
    println!(
        "one cluster of 400 hosts: {small_seconds:.4} s with 20,000 VMs, {big_seconds:.4} s with 200,000 VMs: \
         {:.1}× the time for 10× the VMs (linear ≈ 10×, quadratic ≈ 100×)",
        big_seconds / small_seconds
    );
}
