//! `ovirt-upgrade plan`, run as the built binary: the checklist in every format, detection from
//! an inventory, refusals with exit code 2, and the tracker through a window.

use std::path::PathBuf;
use std::process::{Command, Output};

use crate::sim_serve;
use crate::{stderr, stdout};

fn run(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_ovirt-upgrade"))
        .args(args)
        .env("LANG", "C")
        .env_remove("LC_ALL")
        .env_remove("LC_MESSAGES")
        .env_remove("OVIRT_URL")
        .output()
        .expect("the binary runs")
}

fn ok(args: &[&str]) -> String {
    let output = run(args);
    assert_eq!(
        output.status.code(),
        Some(0),
        "{args:?}\nstderr: {}",
        stderr(&output)
    );
    stdout(&output)
}

/// Runs a command that must be refused as bad input; returns its standard error.
fn refused(args: &[&str]) -> String {
    let output = run(args);
    assert_eq!(
        output.status.code(),
        Some(2),
        "{args:?}\nstdout: {}\nstderr: {}",
        stdout(&output),
        stderr(&output)
    );
    stderr(&output)
}

/// A fresh directory for one test's files.
fn scratch(name: &str) -> PathBuf {
    let dir = PathBuf::from(env!("CARGO_TARGET_TMPDIR"))
        .join("plan")
        .join(name);
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    dir
}

#[test]
fn prints_the_checklist_from_options() {
    let text = ok(&[
        "plan",
        "--from",
        "4.3.11",
        "--to",
        "4.4",
        "--deployment",
        "self-hosted",
        "--lang",
        "en",
    ]);
    assert!(
        text.contains("Upgrade plan: 4.3.11 → 4.4.10 — self-hosted engine"),
        "{text}"
    );
    assert!(text.contains("(4.3-4.4/deploy)"), "{text}");
    assert!(text.contains("$ hosted-engine --deploy --restore-from-file=/path/backup.bck"));
    assert!(text.contains(r#"Expect: {"health": "good", "vm": "up", "detail": "Up"}"#));
    let japanese = ok(&[
        "plan",
        "--from",
        "4.3.11",
        "--deployment",
        "self-hosted",
        "--lang",
        "ja",
    ]);
    assert!(
        japanese.contains("グローバルメンテナンスを有効にする"),
        "{japanese}"
    );
}

#[test]
fn json_has_the_documented_shape() {
    let text = ok(&[
        "plan",
        "--from",
        "4.4.3",
        "--to",
        "4.5",
        "--deployment",
        "self-hosted",
        "--output",
        "json",
    ]);
    let value: serde_json::Value = serde_json::from_str(&text).unwrap();
    assert_eq!(value["format"], 1);
    assert_eq!(value["route"]["to"], "4.5.6");
    let steps = value["steps"].as_array().unwrap();
    assert!(!steps.is_empty());
    for key in [
        "id",
        "title",
        "runs_on",
        "commands",
        "verify",
        "automated_by",
    ] {
        assert!(steps[0].get(key).is_some(), "no {key} in {}", steps[0]);
    }
    let healthy = steps
        .iter()
        .find(|s| s["id"] == "4.4-4.5/global-maintenance-off")
        .unwrap();
    assert_eq!(
        healthy["verify"]["expect"],
        r#"{"health": "good", "vm": "up", "detail": "Up"}"#
    );
}

#[test]
fn an_inventory_says_what_was_detected_from_what() {
    let text = ok(&[
        "plan",
        "--inventory",
        "example:hyperconverged",
        "--lang",
        "en",
    ]);
    assert!(
        text.contains("inventory: cluster \"hc\": gluster service; 2 gluster volumes"),
        "{text}"
    );
    assert!(text.contains("inventory: manager.deployment = self-hosted"));
    assert!(text.contains("--offline-repo, --new-manager-machine"));
    assert!(text.contains("4.3-4.4/gluster-deploy-manager"));
}

#[test]
fn bad_input_is_refused_with_the_reason_and_exit_code_2() {
    let cases: &[(&[&str], &str)] = &[
        (
            &["plan", "--from", "4.1.9", "--deployment", "standalone"],
            "not a release this tool knows",
        ),
        (
            &[
                "plan",
                "--from",
                "4.4.10",
                "--to",
                "4.3",
                "--deployment",
                "standalone",
            ],
            "downgrade",
        ),
        (
            &["plan", "--from", "3.6.12", "--deployment", "standalone"],
            "major version 3 to 4",
        ),
        (
            &[
                "plan",
                "--from",
                "4.3.11",
                "--deployment",
                "standalone",
                "--remote-dwh",
            ],
            "use --deployment standalone-remote-db",
        ),
        (
            &[
                "plan",
                "--from",
                "4.2.8",
                "--deployment",
                "standalone",
                "--sha1-certs=apache",
                "--external-ca",
            ],
            "--sha1-certs=all",
        ),
        (&["plan", "--from", "4.3.11"], "add --deployment"),
        (
            &["plan", "--from", "4.3.x", "--deployment", "standalone"],
            "4.4.10",
        ),
        (
            &["plan", "--from", "4.3.11", "--deployment", "hosted"],
            "self-hosted",
        ),
        (
            &["plan", "--inventory", "example:nowhere"],
            "no example named",
        ),
    ];
    for (args, reason) in cases {
        let err = refused(args);
        assert!(err.contains(reason), "{args:?}: {err}");
    }
}

#[test]
fn documents_are_written_to_files_or_standard_output() {
    let dir = scratch("documents");
    let html = dir.join("plan.html");
    let markdown = dir.join("plan.md");
    let text = ok(&[
        "plan",
        "--inventory",
        "example:standalone-local",
        "--html",
        html.to_str().unwrap(),
        "--markdown",
        markdown.to_str().unwrap(),
        "-q",
    ]);
    assert!(text.starts_with("Upgrade plan:"), "{text}");
    let page = std::fs::read_to_string(&html).unwrap();
    assert!(page.starts_with("<!DOCTYPE html>"));
    assert!(!page.contains("<script") && !page.contains("<link"));
    assert!(std::fs::read_to_string(&markdown)
        .unwrap()
        .starts_with("# Upgrade plan"));
    let printed = ok(&[
        "plan",
        "--from",
        "4.4.3",
        "--deployment",
        "standalone",
        "--markdown",
        "-",
    ]);
    assert!(
        printed.starts_with("# Upgrade plan: 4.4.3 → 4.4.10"),
        "{printed}"
    );
    refused(&[
        "plan",
        "--from",
        "4.4.3",
        "--deployment",
        "standalone",
        "--markdown",
        "-",
        "--html",
        "-",
    ]);
}

#[test]
fn a_tracker_follows_the_window() {
    let dir = scratch("tracker");
    let file = dir.join("window.json");
    let file = file.to_str().unwrap();
    ok(&[
        "plan",
        "--from",
        "4.4.3",
        "--deployment",
        "standalone",
        "--save",
        file,
        "-q",
    ]);
    let marked = ok(&[
        "plan",
        "done",
        "4.4.z/install-analyzer",
        "1.1.2",
        "--file",
        file,
    ]);
    assert!(marked.contains("[x] 1.1.1"), "{marked}");
    assert!(marked.contains("2 of "), "{marked}");
    assert!(marked.contains("Next: 1.1.3"), "{marked}");
    let status = ok(&["plan", "status", "--file", file]);
    assert!(status.contains("[x] 1.1.2"), "{status}");
    assert!(status.contains("[ ] 1.1.3"), "{status}");
    let json: serde_json::Value =
        serde_json::from_str(&ok(&["plan", "status", "--file", file, "--output", "json"])).unwrap();
    assert_eq!(json["progress"]["done"], 2);
    assert_eq!(json["progress"]["next"], "4.4.z/image-discrepancies");
    ok(&["plan", "done", "1.1.2", "--undo", "--file", file]);
    let json: serde_json::Value =
        serde_json::from_str(&ok(&["plan", "status", "--file", file, "--output", "json"])).unwrap();
    assert_eq!(json["progress"]["done"], 1);
    // No temporary file is left beside the tracker.
    let leftovers: Vec<_> = std::fs::read_dir(&dir)
        .unwrap()
        .map(|e| e.unwrap().file_name())
        .filter(|name| name != "window.json")
        .collect();
    assert!(leftovers.is_empty(), "{leftovers:?}");

    let err = refused(&["plan", "done", "engine-backup", "--file", file]);
    assert!(err.contains("there is no step `engine-backup`"), "{err}");
    let err = refused(&["plan", "done", "update-check", "--file", file]);
    assert!(err.contains("did you mean 4.4.z/update-check"), "{err}");
    let missing = dir.join("missing.json");
    let err = refused(&["plan", "status", "--file", missing.to_str().unwrap()]);
    assert!(err.contains("--save"), "{err}");
    std::fs::write(
        file,
        "{\"format\": 1, \"kind\": \"ovirt-upgrade plan tracker\",",
    )
    .unwrap();
    let err = refused(&["plan", "status", "--file", file]);
    assert!(
        err.contains("not valid JSON") && err.contains("--save"),
        "{err}"
    );
}

#[test]
fn help_lists_every_conditional_part() {
    let help = ok(&["plan", "--help"]);
    for option in [
        "--from",
        "--to",
        "--deployment",
        "--inventory",
        "--remote-engine-db",
        "--remote-dwh",
        "--local-storage",
        "--gluster",
        "--sha1-certs",
        "--external-ca",
        "--ovn",
        "--aaa-ldap",
        "--offline-repo",
        "--new-manager-machine",
        "--host-type",
        "--host-update",
        "--markdown",
        "--html",
        "--save",
        "standalone-remote-db",
        "individual, manual",
    ] {
        assert!(help.contains(option), "no {option} in:\n{help}");
    }
    let help = ok(&["plan", "done", "--help"]);
    assert!(help.contains("--undo"));
}

#[test]
fn the_plan_is_detected_from_a_live_engine() {
    let served = sim_serve::Served::start("example:self-hosted", "60");
    let dir = tempfile::tempdir().unwrap();
    // The API does not show the OVN provider the example has: the user says it.
    let live = served.run(dir.path(), &["plan", "--output", "json", "--ovn"]);
    assert!(
        live.status.success(),
        "{}",
        String::from_utf8_lossy(&live.stderr)
    );
    let file = run(&[
        "plan",
        "--output",
        "json",
        "--inventory",
        "example:self-hosted",
    ]);
    let live: serde_json::Value = serde_json::from_slice(&live.stdout).unwrap();
    let file: serde_json::Value = serde_json::from_slice(&file.stdout).unwrap();
    // The same route and steps: the self-hosted example keeps its databases on the Manager,
    // as a live read, which cannot see them, assumes; its certificates are SHA-256.
    let steps = |plan: &serde_json::Value| -> Vec<serde_json::Value> {
        plan["steps"]
            .as_array()
            .unwrap()
            .iter()
            .map(|s| s["id"].clone())
            .collect()
    };
    assert_eq!(live["route"], file["route"]);
    assert_eq!(steps(&live), steps(&file));
}
