//! The official oVirt clients against `ovirt-upgrade sim serve`: the Python SDK
//! (`ovirt-engine-sdk-python`) and the `ovirt.ovirt` Ansible collection, which nobody here
//! wrote. `scripts/python-clients` installs them in `.venv` (`scripts/test` runs it); without
//! them these tests fail and say so, they never skip.

use std::io::{BufRead as _, BufReader, Read as _};
use std::path::{Path, PathBuf};
use std::process::{Child, ChildStdout, Command, Output, Stdio};

fn workspace() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../..")
        .canonicalize()
        .unwrap()
}

fn clients_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/clients")
}

/// A program of the venv with the official clients.
fn venv_program(name: &str) -> PathBuf {
    let path = workspace().join(".venv/bin").join(name);
    assert!(
        path.exists(),
        "{} is missing: run scripts/python-clients (scripts/test does) to install the official oVirt clients",
        path.display()
    );
    path
}

/// `sim serve` on a free loopback port, at 600× so an upgrade takes seconds.
struct Served {
    /// With `--tls`, where the CA was written.
    ca_file: Option<String>,
    child: Child,
    stdout: BufReader<ChildStdout>,
    url: String,
    username: String,
    password: String,
}

fn serve(extra: &[&str]) -> Served {
    serve_scenario(
        clients_dir().join("environment.toml").to_str().unwrap(),
        extra,
    )
}

/// `sim serve` of a scenario file or `example:NAME`.
fn serve_scenario(scenario: &str, extra: &[&str]) -> Served {
    let mut child = Command::new(env!("CARGO_BIN_EXE_ovirt-upgrade"))
        .args([
            "--output",
            "json",
            "sim",
            "serve",
            "--listen",
            "127.0.0.1:0",
            "--speed",
            "600",
            "--scenario",
        ])
        .arg(scenario)
        .args(extra)
        .env("LANG", "C")
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("the binary runs");
    let mut stdout = BufReader::new(child.stdout.take().unwrap());
    let mut line = String::new();
    stdout.read_line(&mut line).unwrap();
    if line.trim().is_empty() {
        let mut error = String::new();
        child
            .stderr
            .take()
            .unwrap()
            .read_to_string(&mut error)
            .unwrap();
        panic!("sim serve did not start: {error}");
    }
    let started: serde_json::Value = serde_json::from_str(&line).unwrap();
    let text = |key: &str| {
        started[key]
            .as_str()
            .unwrap_or_else(|| panic!("no {key} in {line}"))
            .to_owned()
    };
    let ca_file = started["ca_file"].as_str().map(str::to_owned);
    Served {
        url: text("url"),
        username: text("username"),
        password: text("password"),
        ca_file,
        child,
        stdout,
    }
}

impl Served {
    /// Ctrl-C, as a user stops it: the server reports whether every invariant held.
    fn stop(mut self) -> Output {
        let interrupted = Command::new("kill")
            .args(["-INT", &self.child.id().to_string()])
            .status()
            .unwrap();
        assert!(interrupted.success());
        let mut stdout = String::new();
        self.stdout.read_to_string(&mut stdout).unwrap();
        let mut stderr = String::new();
        self.child
            .stderr
            .take()
            .unwrap()
            .read_to_string(&mut stderr)
            .unwrap();
        let status = self.child.wait().unwrap();
        Output {
            status,
            stdout: stdout.into_bytes(),
            stderr: stderr.into_bytes(),
        }
    }
}

impl Drop for Served {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

fn assert_ran(what: &str, output: &Output) {
    assert!(
        output.status.success(),
        "{what} failed ({}):\n--- stdout\n{}\n--- stderr\n{}",
        output.status,
        String::from_utf8_lossy(&output.stdout),
        String::from_utf8_lossy(&output.stderr)
    );
}

fn assert_invariants_held(served: Served) {
    let stopped = served.stop();
    assert_ran("sim serve", &stopped);
    let report: serde_json::Value = serde_json::from_slice(&stopped.stdout).unwrap();
    assert_eq!(report["invariants_held"], true, "{report}");
}

#[test]
fn the_python_sdk_searches_upgrades_migrates_and_raises_a_cluster() {
    let python = venv_program("python");
    let served = serve(&[]);
    let output = Command::new(python)
        .arg(clients_dir().join("sdk_session.py"))
        .args([&served.url, &served.username, &served.password])
        .output()
        .expect("python runs");
    assert_ran("the SDK session", &output);
    assert!(String::from_utf8_lossy(&output.stdout).contains("sdk session passed"));
    assert_invariants_held(served);
}

/// Runs a playbook of tests/clients against `served`, with `vars` in its environment, in a
/// scratch directory of its own.
fn run_playbook(name: &str, served: &Served, vars: &[(&str, &str)]) -> Output {
    let playbook = venv_program("ansible-playbook");
    let scratch = std::env::temp_dir().join(format!(
        "ovirt-upgrade-{}-{}",
        name.trim_end_matches(".yml"),
        std::process::id()
    ));
    std::fs::create_dir_all(&scratch).unwrap();
    let output = Command::new(playbook)
        .arg(clients_dir().join(name))
        .env("ENGINE_URL", &served.url)
        .env("ENGINE_USER", &served.username)
        .env("ENGINE_PASSWORD", &served.password)
        .envs(vars.iter().copied())
        .env("ANSIBLE_LOCAL_TEMP", &scratch)
        .env("ANSIBLE_LOCALHOST_WARNING", "false")
        .env("ANSIBLE_INVENTORY_UNPARSED_WARNING", "false")
        .env("ANSIBLE_NOCOLOR", "true")
        .output()
        .expect("ansible-playbook runs");
    let _ = std::fs::remove_dir_all(&scratch);
    assert_ran(name, &output);
    assert!(String::from_utf8_lossy(&output.stdout).contains("failed=0"));
    output
}

#[test]
fn the_ansible_collection_upgrades_a_host() {
    let served = serve(&[]);
    run_playbook("ansible_upgrade.yml", &served, &[]);
    assert_invariants_held(served);
}

/// Runs oVirt's own rolling-upgrade role, `ovirt.ovirt.cluster_upgrade`, on the Branch
/// cluster of the demo with the Manager at `manager_version`; the playbook checks what the
/// role left in the engine (hosts upgraded with event 842 or 888, its progress events with
/// origin cluster_upgrade, its job ended, the scheduling policy restored).
fn the_cluster_upgrade_role_runs_at(manager_version: &str) {
    let served = serve_scenario("example:demo", &[]);
    let started = std::time::Instant::now();
    run_playbook(
        "cluster_upgrade_role.yml",
        &served,
        &[
            ("MANAGER_VERSION", manager_version),
            ("CLUSTER_NAME", "Branch"),
        ],
    );
    let took = started.elapsed();
    println!(
        "the cluster_upgrade role upgraded the Branch cluster (2 hosts) at engine {manager_version} in {:.1} s at 600x",
        took.as_secs_f64()
    );
    assert_invariants_held(served);
}

#[test]
fn the_cluster_upgrade_role_runs_to_completion_on_engine_4_4_10() {
    the_cluster_upgrade_role_runs_at("4.4.10");
}

#[test]
fn the_cluster_upgrade_role_runs_to_completion_on_engine_4_5_6() {
    the_cluster_upgrade_role_runs_at("4.5.6");
}

#[test]
fn the_python_sdk_verifies_tls_with_the_published_ca() {
    let python = venv_program("python");
    let scratch = std::env::temp_dir().join(format!("ovirt-upgrade-tls-{}", std::process::id()));
    std::fs::create_dir_all(&scratch).unwrap();
    let ca = scratch.join("ca.pem");
    let served = serve(&["--tls", "--ca-out", ca.to_str().unwrap()]);
    assert!(
        served.url.starts_with("https://127.0.0.1:"),
        "{}",
        served.url
    );
    assert_eq!(served.ca_file.as_deref(), ca.to_str());
    let connect = |ca_file: &Path| {
        Command::new(&python)
            .args([
                "-c",
                "import sys, ovirtsdk4 as sdk\n\
                 c = sdk.Connection(url=sys.argv[1], username=sys.argv[2], password=sys.argv[3], ca_file=sys.argv[4])\n\
                 print(len(c.system_service().hosts_service().list()))\n\
                 c.close()",
            ])
            .args([&served.url, &served.username, &served.password])
            .arg(ca_file)
            .output()
            .expect("python runs")
    };
    let trusted = connect(&ca);
    assert_ran("the SDK over TLS", &trusted);
    assert_eq!(
        String::from_utf8_lossy(&trusted.stdout).trim(),
        "3",
        "the environment has three hosts"
    );

    // Another CA: the SDK refuses the server, as with a real engine.
    let other = scratch.join("other.pem");
    let stranger = serve(&["--tls", "--ca-out", other.to_str().unwrap()]);
    drop(stranger);
    let refused = connect(&other);
    assert!(!refused.status.success());
    assert!(
        String::from_utf8_lossy(&refused.stderr).contains("SSL"),
        "{}",
        String::from_utf8_lossy(&refused.stderr)
    );
    let _ = std::fs::remove_dir_all(&scratch);
    assert_invariants_held(served);
}

#[test]
fn sim_serve_refuses_bad_input_with_exit_code_2() {
    let run = |args: &[&str]| {
        Command::new(env!("CARGO_BIN_EXE_ovirt-upgrade"))
            .args(["sim", "serve", "--listen", "127.0.0.1:0"])
            .args(args)
            .env("LANG", "C")
            .output()
            .expect("the binary runs")
    };
    for (args, says) in [
        (
            &["--scenario", "missing.toml"][..],
            "cannot load the environment missing.toml",
        ),
        (
            &[
                "--scenario",
                "example:self-hosted",
                "--faults",
                "explode:host1",
            ],
            "fault `explode:host1` is not understood",
        ),
        (
            &["--scenario", "example:self-hosted", "--speed", "0"],
            "--speed must be a positive factor",
        ),
    ] {
        let output = run(args);
        assert_eq!(output.status.code(), Some(2), "{args:?}");
        let stderr = String::from_utf8_lossy(&output.stderr);
        assert!(stderr.contains(says), "{args:?}: {stderr}");
    }
}
