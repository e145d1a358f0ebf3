//! `cluster-upgrade`, `status`, `resume` and `bench rolling` as a user runs them.

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

use crate::sim_serve;
use crate::{stderr, stdout};

/// A scratch directory that doubles as the state directory, so no test writes into $HOME.
fn scratch(name: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!(
        "ovirt-upgrade-cluster-{}-{name}",
        std::process::id()
    ));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    dir
}

fn run_in(state: &Path, args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_ovirt-upgrade"))
        .args(args)
        .env_remove("OVIRT_URL")
        .env_remove("OVIRT_CAFILE")
        .env_remove("OVIRT_PASSWORD")
        .env("LANG", "C")
        .env("XDG_STATE_HOME", state)
        .output()
        .expect("the binary runs")
}

fn run(args: &[&str]) -> Output {
    run_in(&scratch("default"), args)
}

#[test]
fn the_dry_run_prints_waves_moves_predictions_and_blockers() {
    let output = run(&[
        "cluster-upgrade",
        "--cluster",
        "Production",
        "--sim",
        "--dry-run",
    ]);
    assert!(output.status.success(), "{}", stderr(&output));
    insta::assert_snapshot!("dry_run_self_hosted_en", stdout(&output));
}

#[test]
fn the_dry_run_speaks_japanese_and_plans_parallel_waves() {
    let output = run(&[
        "cluster-upgrade",
        "--cluster",
        "Production",
        "--sim",
        "--dry-run",
        "--max-parallel",
        "2",
        "--lang",
        "ja",
    ]);
    assert!(output.status.success(), "{}", stderr(&output));
    insta::assert_snapshot!("dry_run_self_hosted_parallel_ja", stdout(&output));
}

#[test]
fn the_dry_run_in_json_is_the_plan() {
    let args = [
        "cluster-upgrade",
        "--cluster",
        "compute",
        "--sim",
        "example:pinned-and-ha",
        "--check-upgrade",
        "--dry-run",
        "--output",
        "json",
    ];
    let output = run(&args);
    let plan: serde_json::Value =
        serde_json::from_str(&stdout(&output)).expect("one JSON document");
    assert_eq!(plan["cluster_name"], "compute");
    let stops: Vec<&str> = plan["waves"]
        .as_array()
        .unwrap()
        .iter()
        .flat_map(|w| w["hosts"].as_array().unwrap())
        .flat_map(|h| h["stops"].as_array().unwrap())
        .map(|s| s["name"].as_str().unwrap())
        .collect();
    assert!(
        stops.contains(&"sap-hana") && stops.contains(&"cad-desktop"),
        "{stops:?}"
    );
    assert!(plan["notices"]
        .as_array()
        .unwrap()
        .iter()
        .any(|n| n["kind"] == "pinned_highly_available"));
}

#[test]
fn a_blocked_plan_exits_1_and_names_the_blocker() {
    let output = run(&[
        "cluster-upgrade",
        "--sim",
        "example:local-storage",
        "--check-upgrade",
        "--dry-run",
    ]);
    assert_eq!(output.status.code(), Some(1), "{}", stderr(&output));
    let text = stdout(&output);
    assert!(
        text.contains("host branch-host is the only host up in the cluster"),
        "{text}"
    );
    let refused = run(&[
        "cluster-upgrade",
        "--sim",
        "example:local-storage",
        "--check-upgrade",
    ]);
    assert_eq!(refused.status.code(), Some(1));
    assert!(
        stderr(&refused).contains("the run cannot start: the plan has blockers"),
        "{}",
        stderr(&refused)
    );
}

#[test]
fn a_run_streams_json_events_and_status_reads_its_journal() {
    let state = scratch("json");
    let journal = state.join("run.sqlite");
    let journal_arg = journal.to_str().unwrap();
    let args = [
        "cluster-upgrade",
        "--cluster",
        "Development",
        "--sim",
        "--sim-speed",
        "2000",
        "--output",
        "json",
        "--journal",
        journal_arg,
    ];
    let output = run_in(&state, &args);
    assert!(output.status.success(), "{}", stderr(&output));
    let events: Vec<serde_json::Value> = stdout(&output)
        .lines()
        .map(|l| serde_json::from_str(l).expect("every line is JSON"))
        .collect();
    assert_eq!(events[0]["event"], "run_started");
    assert!(events.iter().all(|e| e["at"].is_string()));
    let correlation = events[0]["correlation_id"].as_str().unwrap();
    let engine_events: Vec<&serde_json::Value> = events
        .iter()
        .filter(|e| e["event"] == "engine_event")
        .collect();
    assert!(
        !engine_events.is_empty(),
        "the engine's own events come along"
    );
    assert!(
        engine_events
            .iter()
            .all(|e| e["correlation_id"] == correlation),
        "under the run's correlation id"
    );
    let last = events.last().unwrap();
    assert_eq!(last["event"], "run_finished");
    assert_eq!(last["summary"]["outcome"]["kind"], "completed");
    assert_eq!(last["summary"]["upgraded"].as_array().unwrap().len(), 3);
    assert!(last["summary"]["skipped"]
        .as_array()
        .unwrap()
        .iter()
        .any(|s| s["host"] == "dev-host04"));
    let percents: Vec<u64> = events
        .iter()
        .filter(|e| e["event"] == "progress")
        .map(|e| e["percent"].as_u64().unwrap())
        .collect();
    assert!(
        percents.windows(2).all(|w| w[0] < w[1]) && percents.last() == Some(&100),
        "{percents:?}"
    );

    let status = run_in(
        &state,
        &["status", "--journal", journal_arg, "--output", "json"],
    );
    assert!(status.status.success(), "{}", stderr(&status));
    let status: serde_json::Value = serde_json::from_str(&stdout(&status)).unwrap();
    assert_eq!(status["state"], "finished");
    assert_eq!(status["upgraded"].as_array().unwrap().len(), 3);
    let text = run_in(&state, &["status", "--journal", journal_arg]);
    assert!(
        stdout(&text).contains("finished") && stdout(&text).contains("Development"),
        "{}",
        stdout(&text)
    );

    let resume = run_in(&state, &["resume", "--journal", journal_arg]);
    assert_eq!(resume.status.code(), Some(2));
    assert!(
        stderr(&resume).contains("ended with its process"),
        "{}",
        stderr(&resume)
    );
}

#[test]
fn a_failed_host_is_reported_and_exits_1() {
    let state = scratch("failed");
    let output = run_in(
        &state,
        &[
            "cluster-upgrade",
            "--cluster",
            "Development",
            "--sim",
            "--sim-speed",
            "2000",
            "--sim-faults",
            "install-fail:dev-host02",
        ],
    );
    assert_eq!(output.status.code(), Some(1), "{}", stderr(&output));
    let summary = stdout(&output);
    assert!(
        summary
            .lines()
            .any(|l| l.trim_start().starts_with("failed") && l.ends_with("dev-host02")),
        "{summary}"
    );
    assert!(
        summary.contains("needs attention: dev-host02 (install_failed)"),
        "{summary}"
    );
    assert!(
        stderr(&output).contains("dev-host02 FAILED"),
        "{}",
        stderr(&output)
    );
    // The default journal went to the state directory, and status finds it.
    let status = run_in(&state, &["status"]);
    assert!(
        stdout(&status).contains("cluster-upgrade-sim-Development.sqlite"),
        "{}",
        stdout(&status)
    );
}

#[test]
fn bad_input_exits_2_with_the_reason() {
    let cases: [(&[&str], &str); 8] = [
        (
            &["cluster-upgrade", "--cluster", "Prodution", "--sim"],
            "did you mean `Production`",
        ),
        (
            &[
                "cluster-upgrade",
                "--cluster",
                "Production",
                "--sim",
                "--hosts",
                "prod-host1",
            ],
            "no host named `prod-host1` (did you mean `prod-host01`?)",
        ),
        (
            &[
                "cluster-upgrade",
                "--cluster",
                "Production",
                "--sim",
                "--max-parallel",
                "0",
            ],
            "at least one host must be upgraded at a time",
        ),
        (
            &[
                "cluster-upgrade",
                "--cluster",
                "Production",
                "--sim",
                "--timeout",
                "5x",
            ],
            "is not a duration",
        ),
        (
            &[
                "cluster-upgrade",
                "--cluster",
                "Production",
                "--sim",
                "--sim-faults",
                "explode:h1",
            ],
            "fault `explode:h1` is not understood",
        ),
        (
            &["cluster-upgrade", "--sim"],
            "name the cluster to upgrade with --cluster (clusters: Production, Development)",
        ),
        (
            &[
                "cluster-upgrade",
                "--cluster",
                "Production",
                "--engine",
                "https://engine.example.com/ovirt-engine/api",
            ],
            "no password for admin@internal at https://engine.example.com/ovirt-engine/api",
        ),
        (
            &["status", "--journal", "/nonexistent/run.sqlite"],
            "does not exist",
        ),
    ];
    for (args, message) in cases {
        let output = run(args);
        assert_eq!(
            output.status.code(),
            Some(2),
            "{args:?}: {}",
            stderr(&output)
        );
        assert!(
            stderr(&output).contains(message),
            "{args:?}: {}",
            stderr(&output)
        );
    }
}

/// Without the venv of oVirt's clients, the benchmark against the real role says what to run.
#[test]
fn bench_against_the_role_without_the_venv_names_the_fix() {
    let output = run(&[
        "bench",
        "rolling",
        "--against-role",
        "--seeds",
        "1",
        "--venv",
        "/nonexistent/venv",
    ]);
    assert_eq!(output.status.code(), Some(2));
    let error = stderr(&output);
    assert!(
        error.contains("/nonexistent/venv/bin/ansible-playbook is missing")
            && error.contains("scripts/python-clients"),
        "{error}"
    );
}

#[test]
fn bench_rolling_reports_every_strategy_in_json() {
    let output = run(&[
        "bench",
        "rolling",
        "--seeds",
        "2",
        "--first-seed",
        "2",
        "--output",
        "json",
    ]);
    let report: serde_json::Value =
        serde_json::from_str(&stdout(&output)).expect("one JSON document");
    let names: Vec<&str> = report["strategies"]
        .as_array()
        .unwrap()
        .iter()
        .map(|s| s["strategy"].as_str().unwrap())
        .collect();
    assert_eq!(
        names,
        [
            "planner",
            "planner-parallel-2",
            "ovirt-role",
            "xen-orchestra"
        ]
    );
    assert_eq!(report["runs"].as_array().unwrap().len(), 8);
    assert!(
        report["targets"]["mean_migrations_per_vm"]
            .as_f64()
            .unwrap()
            >= 1.0
    );
    assert!(report["comparison"]["invariant_violations"]
        .as_array()
        .unwrap()
        .is_empty());
}

#[test]
fn a_rolling_upgrade_runs_against_sim_serve_and_its_journal_shows_it() {
    let served = sim_serve::Served::start("example:self-hosted", "3000");
    let state = scratch("live");
    let output = served.run(
        &state,
        &[
            "cluster-upgrade",
            "--cluster",
            "Development",
            "--hosts",
            "dev-host01,dev-host02",
            "--output",
            "json",
        ],
    );
    assert_eq!(output.status.code(), Some(0), "{}", stderr(&output));
    let events: Vec<serde_json::Value> = stdout(&output)
        .lines()
        .map(|line| serde_json::from_str(line).unwrap())
        .collect();
    let upgraded = events
        .iter()
        .filter(|e| e["event"] == "host_upgraded")
        .count();
    assert_eq!(upgraded, 2, "the two hosts asked for");
    let finished = events.last().unwrap();
    assert_eq!(finished["event"], "run_finished", "{finished}");

    // The journal names the engine by its URL, so `status` and `resume` find it.
    let status = run_in(&state, &["status", "--output", "json"]);
    let status: serde_json::Value = serde_json::from_slice(&status.stdout).unwrap();
    assert_eq!(status["engine"], served.url.as_str());
    let again = served.run(&state, &["resume"]);
    assert_eq!(again.status.code(), Some(2));
    assert!(
        stderr(&again).contains("has already finished"),
        "{}",
        stderr(&again)
    );
}

#[test]
fn a_run_against_a_live_engine_killed_mid_way_is_resumed_to_the_end() {
    use std::io::BufRead as _;
    let served = sim_serve::Served::start("example:self-hosted", "3000");
    let state = scratch("live-killed");
    let mut child = Command::new(env!("CARGO_BIN_EXE_ovirt-upgrade"))
        .args(["cluster-upgrade", "--cluster", "Development", "--hosts"])
        .args([
            "dev-host01,dev-host02",
            "--output",
            "json",
            "--engine",
            &served.url,
        ])
        .env("OVIRT_PASSWORD", &served.password)
        .env("LANG", "C")
        .env("XDG_STATE_HOME", &state)
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::null())
        .spawn()
        .unwrap();
    let lines = std::io::BufReader::new(child.stdout.take().unwrap()).lines();
    let mut seen = Vec::new();
    for line in lines {
        let event: serde_json::Value = serde_json::from_str(&line.unwrap()).unwrap();
        let name = event["event"].as_str().unwrap_or("").to_owned();
        seen.push(name.clone());
        if name == "host_upgraded" {
            break;
        }
    }
    assert!(seen.iter().any(|e| e == "host_upgraded"), "{seen:?}");
    // Killed between the first host and the second, as a crash would.
    child.kill().unwrap();
    child.wait().unwrap();

    let output = served.run(&state, &["resume", "--output", "json"]);
    assert_eq!(output.status.code(), Some(0), "{}", stderr(&output));
    let events: Vec<serde_json::Value> = stdout(&output)
        .lines()
        .map(|line| serde_json::from_str(line).unwrap())
        .collect();
    let summary = &events.last().unwrap()["summary"];
    assert_eq!(summary["outcome"]["kind"], "completed", "{summary}");
    let upgraded: Vec<&str> = summary["upgraded"]
        .as_array()
        .unwrap()
        .iter()
        .map(|h| h["host"].as_str().unwrap())
        .collect();
    assert!(
        upgraded.contains(&"dev-host01") && upgraded.contains(&"dev-host02"),
        "{summary}"
    );
}
