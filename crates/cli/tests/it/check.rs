//! `ovirt-upgrade check` as a user runs it: the report, the HTML file, JSON, languages, and
//! exit codes 0 (no failure), 1 (a failure) and 2 (could not run).

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

use crate::sim_serve;
use crate::{stderr, stdout};

fn scratch_dir(name: &str) -> PathBuf {
    let dir =
        std::env::temp_dir().join(format!("ovirt-upgrade-check-{}-{name}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    dir
}

fn run_in(dir: &Path, args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_ovirt-upgrade"))
        .args(args)
        .current_dir(dir)
        .env_remove("OVIRT_URL")
        .env_remove("OVIRT_CAFILE")
        .env("LANG", "C")
        .output()
        .expect("the binary runs")
}

#[test]
fn a_clean_route_exits_0_and_writes_the_html_report_beside_it() {
    let dir = scratch_dir("default-html");
    let output = run_in(
        &dir,
        &[
            "check",
            "--scenario",
            "example:standalone-local",
            "--as-of",
            "2026-11-23",
        ],
    );
    assert_eq!(output.status.code(), Some(0), "{}", stderr(&output));
    let text = stdout(&output);
    assert!(text.contains("= SUMMARY ="), "{text}");
    assert!(text.contains("FAILURES: 0"), "{text}");
    assert!(stderr(&output).contains("analyzer_report.html"));
    let html = std::fs::read_to_string(dir.join("analyzer_report.html")).unwrap();
    assert!(html.starts_with("<!DOCTYPE html>"));
    assert!(html.contains("Standalone Manager, local databases"));
}

#[test]
fn a_failure_exits_1_and_the_alias_works() {
    let dir = scratch_dir("failure");
    let report = dir.join("report.html");
    let output = run_in(
        &dir,
        &[
            "analyze",
            "--scenario",
            "example:standalone-remote",
            "--as-of",
            "2026-11-23",
            "--html",
            report.to_str().unwrap(),
        ],
    );
    assert_eq!(output.status.code(), Some(1), "{}", stderr(&output));
    assert!(stdout(&output).contains("FAIL: The remote engine database runs PostgreSQL 10"));
    assert!(std::fs::read_to_string(&report)
        .unwrap()
        .contains("database.remote-postgresql"));
    assert!(!dir.join("analyzer_report.html").exists());
}

#[test]
fn json_output_and_japanese() {
    let dir = scratch_dir("json");
    let output = run_in(
        &dir,
        &[
            "check",
            "--inventory",
            "example:pinned-and-ha",
            "--as-of",
            "2026-11-23",
            "--no-html",
            "--output",
            "json",
            "--lang",
            "ja",
        ],
    );
    assert_eq!(output.status.code(), Some(1), "{}", stderr(&output));
    let report: serde_json::Value = serde_json::from_slice(&output.stdout).unwrap();
    assert_eq!(report["current"], "4.4.10");
    assert_eq!(report["target"], "4.5.6");
    assert_eq!(report["lang"], "ja");
    assert_eq!(report["counts"]["failures"], 2);
    assert!(
        stderr(&output).is_empty(),
        "JSON mode says nothing else: {}",
        stderr(&output)
    );
    assert!(
        std::fs::read_dir(&dir).unwrap().next().is_none(),
        "--no-html wrote a file"
    );

    let text = run_in(
        &dir,
        &[
            "check",
            "--scenario",
            "example:pinned-and-ha",
            "--no-html",
            "--lang",
            "ja",
        ],
    );
    assert!(stdout(&text).contains("= まとめ ="), "{}", stdout(&text));
}

#[test]
fn quiet_and_verbose() {
    let dir = scratch_dir("verbosity");
    let quiet = run_in(
        &dir,
        &[
            "-q",
            "check",
            "--scenario",
            "example:self-hosted",
            "--no-html",
            "--as-of",
            "2026-11-23",
        ],
    );
    let quiet = stdout(&quiet);
    assert!(!quiet.contains("PASS: "), "{quiet}");
    assert!(quiet.contains("WARN: "));

    // Twelve EL7 hosts: host.os-reinstall names twelve, more than the ten shown by default.
    let scenario = dir.join("twelve.toml");
    std::fs::write(
        &scenario,
        r#"
[manager]
version = "4.3.11"
deployment = "standalone"
os = "el7.9"
[[clusters]]
name = "big"
version = "4.3"
hosts = { count = 12, memory = "128 GiB" }
"#,
    )
    .unwrap();
    let path = scenario.to_str().unwrap();
    let normal = stdout(&run_in(&dir, &["check", "--scenario", path, "--no-html"]));
    assert!(normal.contains("PASS: "));
    assert!(normal.contains("... and 2 more (-v shows all)"), "{normal}");
    let verbose = stdout(&run_in(
        &dir,
        &["-v", "check", "--scenario", path, "--no-html"],
    ));
    assert!(!verbose.contains("... and "), "{verbose}");
    assert!(verbose.contains("big-host12"), "{verbose}");
}

#[test]
fn a_chosen_target_and_the_route() {
    let dir = scratch_dir("target");
    let output = run_in(
        &dir,
        &[
            "check",
            "--scenario",
            "example:rhv-4.2",
            "--no-html",
            "--target",
            "4.4.10",
        ],
    );
    assert_eq!(output.status.code(), Some(1));
    assert!(
        stdout(&output).contains("ovirt-upgrade check --target 4.3.11"),
        "{}",
        stdout(&output)
    );
}

#[test]
fn what_cannot_be_checked_exits_2() {
    let dir = scratch_dir("errors");
    let cases: &[(&[&str], &str)] = &[
        (&["check", "--no-html"], "--inventory"),
        (
            &["check", "--scenario", "example:nowhere", "--no-html"],
            "no example named",
        ),
        (
            &[
                "check",
                "--scenario",
                "example:self-hosted",
                "--target",
                "4.2.8",
                "--no-html",
            ],
            "never downgraded",
        ),
        (
            &[
                "check",
                "--scenario",
                "example:self-hosted",
                "--target",
                "4.4.99",
                "--no-html",
            ],
            "4.4.10",
        ),
        (
            &[
                "check",
                "--scenario",
                "example:self-hosted",
                "--target",
                "four",
                "--no-html",
            ],
            "4.4.10",
        ),
        (
            &[
                "check",
                "--scenario",
                "example:self-hosted",
                "--as-of",
                "yesterday",
                "--no-html",
            ],
            "2026-11-23",
        ),
        (
            &[
                "check",
                "--scenario",
                "example:self-hosted",
                "--html",
                "/nonexistent/dir/report.html",
            ],
            "cannot write the HTML report",
        ),
    ];
    for (args, expected) in cases {
        let output = run_in(&dir, args);
        assert_eq!(
            output.status.code(),
            Some(2),
            "{args:?}: {}",
            stderr(&output)
        );
        assert!(
            stderr(&output).contains(expected),
            "{args:?}: {}",
            stderr(&output)
        );
    }

    let future = dir.join("future.json");
    std::fs::write(&future, r#"{"format": 9, "manager": {}}"#).unwrap();
    let output = run_in(
        &dir,
        &[
            "check",
            "--inventory",
            future.to_str().unwrap(),
            "--no-html",
        ],
    );
    assert_eq!(output.status.code(), Some(2));
    assert!(
        stderr(&output).contains("inventory format 9"),
        "{}",
        stderr(&output)
    );
}

#[test]
fn help_names_the_alias_and_the_exit_codes() {
    let dir = scratch_dir("help");
    let help = stdout(&run_in(&dir, &["check", "--help"]));
    for wanted in [
        "--inventory",
        "--scenario",
        "--target",
        "--html",
        "analyzer_report.html",
        "docs/check.md",
        "Exit codes",
    ] {
        assert!(help.contains(wanted), "{wanted}: {help}");
    }
    let top = stdout(&run_in(&dir, &["--help"]));
    assert!(top.contains("check"), "{top}");
}

/// Each rule's status and the objects of its findings, by rule id.
fn outcomes(report: &serde_json::Value) -> std::collections::BTreeMap<String, serde_json::Value> {
    report["results"]
        .as_array()
        .unwrap()
        .iter()
        .map(|rule| {
            let objects: Vec<&serde_json::Value> = rule["findings"]
                .as_array()
                .unwrap()
                .iter()
                .map(|finding| &finding["objects"])
                .collect();
            (
                rule["id"].as_str().unwrap().to_owned(),
                serde_json::json!({ "status": rule["status"], "objects": objects }),
            )
        })
        .collect()
}

#[test]
fn live_mode_finds_what_inventory_mode_finds_where_the_api_shows_it() {
    let served = sim_serve::Served::start("example:pinned-and-ha", "60");
    let dir = scratch_dir("live");
    let args = [
        "check",
        "--output",
        "json",
        "--no-html",
        "--as-of",
        "2026-01-01",
    ];
    let live = served.run(&dir, &[&args[..], &["--live"]].concat());
    assert!(
        matches!(live.status.code(), Some(0 | 1)),
        "{}",
        stderr(&live)
    );
    let file = run_in(
        &dir,
        &[&args[..], &["--scenario", "example:pinned-and-ha"]].concat(),
    );
    let mut live = outcomes(&serde_json::from_slice(&live.stdout).unwrap());
    let mut file = outcomes(&serde_json::from_slice(&file.stdout).unwrap());
    // Rules about what the API does not show (of the Manager only its version; VMs' vGPUs and
    // host devices are sub-collections the client does not read) are skipped live, saying so,
    // rather than judged on an absence.
    for unseen in [
        "backup.none",
        "backup.stale",
        "vm.vgpu",
        "vm.host-devices",
        "pki.sha1-signature",
    ] {
        assert_eq!(live[unseen]["status"], "skip", "{unseen}: {}", live[unseen]);
    }
    live.retain(|id, outcome| {
        let skipped_live = outcome["status"] == "skip" && file[id]["status"] != "skip";
        if skipped_live {
            file.remove(id);
        }
        !skipped_live
    });
    assert_eq!(live, file);
}

#[test]
fn live_mode_needs_an_engine() {
    let dir = scratch_dir("live-without-engine");
    let output = run_in(&dir, &["check", "--live"]);
    assert_eq!(output.status.code(), Some(2));
    assert!(stderr(&output).contains("--live reads an engine: name it with --engine URL"));
    let output = run_in(&dir, &["check"]);
    assert_eq!(output.status.code(), Some(2));
    assert!(stderr(&output).contains("--inventory FILE, --scenario FILE or --engine URL"));
}
