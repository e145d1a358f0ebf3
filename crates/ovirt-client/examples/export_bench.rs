//! Reads a large generated environment from the HTTP simulated engine with
//! `Client::read_inventory` and prints the time, the requests and the client's peak memory.
//!
//! `cargo run --release -p ovirt-client --example export_bench [-- HOSTS VMS]`
//! (default 2,000 hosts and 40,000 VMs in 40 clusters, one disk each).
//!
//! The simulated engine is served in this process; the read runs in a child process of the
//! same program, so that its peak resident memory (`VmHWM`) is the client's alone.

use std::process::{Command, ExitCode};
use std::time::Instant;

use model::Timestamp;
use ovirt_client::{Client, Config, Password, Progress, Scope, Stage};
use ovirt_sim::http::{Credentials, HttpSim, ServeOptions};
use ovirt_sim::{SimConfig, SimEngine, Simulator};

fn peak_resident_bytes() -> u64 {
    let status = std::fs::read_to_string("/proc/self/status").unwrap_or_default();
    status
        .lines()
        .find_map(|line| line.strip_prefix("VmHWM:"))
        .and_then(|rest| {
            rest.trim()
                .trim_end_matches("kB")
                .trim()
                .parse::<u64>()
                .ok()
        })
        .map_or(0, |kib| kib * 1024)
}

fn mib(bytes: u64) -> f64 {
    bytes as f64 / (1024.0 * 1024.0)
}

/// The child: reads everything from `url`, prints one line of figures.
fn read(url: &str, password: &str) -> ExitCode {
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .expect("a runtime");
    let config = Config::new(
        url,
        Credentials::default().username,
        Password::new(password),
    );
    let started = Instant::now();
    let requests = std::sync::atomic::AtomicUsize::new(0);
    // Seconds per stage, in order.
    let stages = std::sync::Mutex::new(Vec::<(Stage, Instant, f64)>::new());
    let result = runtime.block_on(async {
        let client = Client::connect(&config).await?;
        let count = |event: Progress| match event {
            // A VM read on its own takes two requests: disk attachments and snapshots.
            Progress::Started { stage, parts } => {
                let per_part = if stage == Stage::VmDetails { 2 } else { 1 };
                requests.fetch_add(parts * per_part, std::sync::atomic::Ordering::Relaxed);
                stages.lock().unwrap().push((stage, Instant::now(), 0.0));
            }
            Progress::Finished { stage, .. } => {
                if let Some(entry) = stages
                    .lock()
                    .unwrap()
                    .iter_mut()
                    .find(|(s, _, _)| *s == stage)
                {
                    entry.2 = entry.1.elapsed().as_secs_f64();
                }
            }
            Progress::Advanced { .. } => {}
        };
        let inventory = client.read_inventory(Scope::Everything, &count).await?;
        client.close().await?;
        Ok::<_, ovirt_client::ClientError>(inventory)
    });
    let seconds = started.elapsed().as_secs_f64();
    match result {
        Ok(inventory) => {
            let volumes: usize = inventory.disks.iter().map(|d| d.volumes.len()).sum();
            let stages: Vec<String> = stages
                .into_inner()
                .unwrap()
                .iter()
                .map(|(stage, _, seconds)| {
                    format!("{}={seconds:.2}", stage.as_str().replace(' ', "_"))
                })
                .collect();
            println!(
                "{seconds:.2} {} {} {} {} {} {} {}",
                peak_resident_bytes(),
                inventory.hosts.len(),
                inventory.vms.len(),
                inventory.disks.len(),
                volumes,
                requests.into_inner(),
                stages.join(" ")
            );
            ExitCode::SUCCESS
        }
        Err(error) => {
            eprintln!("export_bench: the read failed: {error}");
            ExitCode::FAILURE
        }
    }
}

fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().collect();
    if args.get(1).map(String::as_str) == Some("--read") {
        return read(&args[2], &args[3]);
    }
    let number = |index: usize, default: u32| {
        args.get(index)
            .and_then(|text| text.parse().ok())
            .unwrap_or(default)
    };
    let (hosts, vms) = (number(1, 2_000), number(2, 40_000));
    let params = scenario::GenerateParams {
        hosts,
        vms,
        clusters: (hosts / 50).max(1),
        disks_per_vm: 1,
        seed: 1,
        ..scenario::GenerateParams::default()
    };
    let inventory = match scenario::generate(&params) {
        Ok(inventory) => inventory,
        Err(error) => {
            eprintln!("export_bench: cannot generate the environment: {error}");
            return ExitCode::FAILURE;
        }
    };
    println!(
        "environment: {} hosts, {} VMs, {} disks in {} clusters",
        inventory.hosts.len(),
        inventory.vms.len(),
        inventory.disks.len(),
        inventory.clusters.len()
    );
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(1)
        .enable_all()
        .build()
        .expect("a runtime");
    let start = Timestamp::from_millis(1_768_046_400_000);
    let simulator = Simulator::new(
        inventory,
        SimConfig::default(),
        Default::default(),
        1,
        start,
    );
    let server = match runtime.block_on(HttpSim::start(
        SimEngine::new(simulator, 1.0, 1),
        ServeOptions::default(),
    )) {
        Ok(server) => server,
        Err(error) => {
            eprintln!("export_bench: cannot serve: {error}");
            return ExitCode::FAILURE;
        }
    };
    let output = Command::new(std::env::current_exe().expect("this program"))
        .args([
            "--read",
            &server.api_url(),
            &Credentials::default().password,
        ])
        .output()
        .expect("the child runs");
    if !output.status.success() {
        eprint!("{}", String::from_utf8_lossy(&output.stderr));
        return ExitCode::FAILURE;
    }
    let figures = String::from_utf8_lossy(&output.stdout);
    let fields: Vec<f64> = figures
        .split_whitespace()
        .take(7)
        .filter_map(|field| field.parse().ok())
        .collect();
    let stages: Vec<String> = figures
        .split_whitespace()
        .skip(7)
        .map(|stage| stage.replace('_', " ").replace('=', ": ") + " s")
        .collect();
    let [seconds, peak, hosts, vms, disks, volumes, requests] = fields[..] else {
        eprintln!("export_bench: unexpected figures from the child: {figures}");
        return ExitCode::FAILURE;
    };
    println!(
        "read {hosts} hosts, {vms} VMs, {disks} disks ({volumes} volumes) in {seconds:.2} s over {requests} requests"
    );
    println!(
        "{:.0} VMs/s; client peak memory {:.1} MiB",
        vms / seconds,
        mib(peak as u64)
    );
    println!("by stage: {}", stages.join(", "));
    ExitCode::SUCCESS
}
