//! `global-maintenance`, `compat`, `finish` and `demo` as a user runs them.

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

use crate::sim_serve;
use crate::{stderr, stdout};

/// A scratch directory that doubles as the state directory, so no test writes into $HOME.
fn scratch(name: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!(
        "ovirt-upgrade-finish-{}-{name}",
        std::process::id()
    ));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    dir
}

fn run_in(state: &Path, args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_ovirt-upgrade"))
        .args(args)
        .current_dir(state)
        .env_remove("OVIRT_URL")
        .env_remove("OVIRT_CAFILE")
        .env("LANG", "C")
        .env("XDG_STATE_HOME", state)
        .output()
        .expect("the binary runs")
}

/// The demo environment once its Manager runs 4.4.10, which offers level 4.6: what the
/// compatibility chain meets after the Manager's update.
pub(crate) fn updated_demo(dir: &Path) -> String {
    let text = std::fs::read_to_string(
        Path::new(env!("CARGO_MANIFEST_DIR")).join("../../examples/demo.toml"),
    )
    .unwrap()
    .replace("version = \"4.4.5\"", "version = \"4.4.10\"");
    let path = dir.join("updated-demo.toml");
    std::fs::write(&path, text).unwrap();
    path.to_str().unwrap().to_owned()
}

#[test]
fn global_maintenance_status_shows_every_hosted_engine_host() {
    let state = scratch("status");
    let output = run_in(
        &state,
        &["global-maintenance", "status", "--sim", "example:demo"],
    );
    assert!(output.status.success(), "{}", stderr(&output));
    insta::assert_snapshot!("global_maintenance_status_en", stdout(&output));
    let on = run_in(
        &state,
        &["global-maintenance", "on", "--sim", "example:demo"],
    );
    assert!(on.status.success(), "{}", stderr(&on));
    assert!(
        stdout(&on).contains("Global maintenance is on"),
        "{}",
        stdout(&on)
    );
    let off = run_in(
        &state,
        &[
            "global-maintenance",
            "off",
            "--sim",
            "example:demo",
            "--output",
            "json",
        ],
    );
    assert!(off.status.success(), "{}", stderr(&off));
    let report: serde_json::Value = serde_json::from_str(&stdout(&off)).unwrap();
    assert_eq!(
        report["already"], true,
        "the simulated engine starts out of maintenance"
    );
    assert_eq!(report["view"]["engine_status"]["health"], "good");
}

#[test]
fn the_dry_run_shows_the_chain_in_order_with_its_warnings() {
    let state = scratch("dry-run");
    let demo = updated_demo(&state);
    let output = run_in(
        &state,
        &["finish", "--to", "4.6", "--sim", &demo, "--dry-run"],
    );
    assert!(output.status.success(), "{}", stderr(&output));
    insta::assert_snapshot!("finish_dry_run_en", stdout(&output));
    let output = run_in(
        &state,
        &[
            "compat",
            "--cluster",
            "Production",
            "--to",
            "4.6",
            "--sim",
            &demo,
            "--dry-run",
            "--batch",
            "8",
            "--lang",
            "ja",
        ],
    );
    assert!(output.status.success(), "{}", stderr(&output));
    insta::assert_snapshot!("compat_dry_run_ja", stdout(&output));
}

#[test]
fn finish_streams_json_events_and_status_reads_its_journal() {
    let state = scratch("json");
    let demo = updated_demo(&state);
    let journal = state.join("chain.sqlite");
    let journal_arg = journal.to_str().unwrap();
    let output = run_in(
        &state,
        &[
            "finish",
            "--to",
            "4.6",
            "--sim",
            &demo,
            "--sim-speed",
            "2000",
            "--output",
            "json",
            "--journal",
            journal_arg,
        ],
    );
    assert!(output.status.success(), "{}", stderr(&output));
    let events: Vec<serde_json::Value> = stdout(&output)
        .lines()
        .map(|l| serde_json::from_str(l).expect("every line is JSON"))
        .collect();
    assert_eq!(events[0]["event"], "chain_started");
    let raised: Vec<&str> = events
        .iter()
        .filter(|e| e["event"] == "level_raised")
        .map(|e| e["object"].as_str().unwrap())
        .collect();
    assert_eq!(
        raised,
        [
            "cluster Branch",
            "data center Branch",
            "cluster Development",
            "cluster Production",
            "data center Default"
        ]
    );
    let restarted = events
        .iter()
        .filter(|e| e["event"] == "vm_restarted")
        .count();
    assert_eq!(restarted, 35);
    let last = events.last().unwrap();
    assert_eq!(last["event"], "chain_finished");
    assert_eq!(last["summary"]["outcome"]["kind"], "completed");
    assert_eq!(
        last["summary"]["end_state"]["pending"]
            .as_array()
            .unwrap()
            .len(),
        0
    );

    let status = run_in(
        &state,
        &["status", "--journal", journal_arg, "--output", "json"],
    );
    assert!(status.status.success(), "{}", stderr(&status));
    let status: serde_json::Value = serde_json::from_str(&stdout(&status)).unwrap();
    assert_eq!(status["state"], "finished");
    assert_eq!(status["restarted"], 35);
    assert_eq!(status["command"], "finish --to 4.6");
    let text = run_in(&state, &["status", "--journal", journal_arg]);
    assert!(
        stdout(&text).contains("[x] data center Default 4.5 → 4.6"),
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
fn a_vm_that_will_not_start_again_exits_1_and_is_named() {
    let state = scratch("start-fail");
    let demo = updated_demo(&state);
    let output = run_in(
        &state,
        &[
            "compat",
            "--cluster",
            "Branch",
            "--to",
            "4.6",
            "--sim",
            &demo,
            "--sim-speed",
            "2000",
            "--sim-faults",
            "start-fail:branch-vm03",
        ],
    );
    assert_eq!(output.status.code(), Some(1), "{}", stderr(&output));
    let summary = stdout(&output);
    assert!(
        summary.contains("branch-vm03: did not start again"),
        "{summary}"
    );
    assert!(
        summary.contains("1 VMs wait for a restart") || summary.contains("no VM waits"),
        "{summary}"
    );
    // The default journal went to the state directory, and status finds it.
    let status = run_in(&state, &["status"]);
    assert!(
        stdout(&status).contains("compat-sim-cluster-Branch-4.6.sqlite"),
        "{}",
        stdout(&status)
    );
}

#[test]
fn bad_input_exits_2_with_the_reason_and_changes_nothing() {
    let state = scratch("bad");
    let demo = updated_demo(&state);
    let cases: [(&[&str], &str); 8] = [
        (
            &[
                "compat",
                "--cluster",
                "Production",
                "--to",
                "4.6",
                "--sim",
                "example:demo",
            ],
            "the Manager (4.4.5) does not offer level 4.6",
        ),
        (
            &[
                "compat",
                "--data-center",
                "Default",
                "--to",
                "4.6",
                "--sim",
                &demo,
            ],
            "data center Default cannot go above its clusters: Production is at 4.5",
        ),
        (
            &["finish", "--to", "4.6", "--sim", &demo, "--batch", "0"],
            "a batch holds at least one VM",
        ),
        (
            &[
                "compat",
                "--cluster",
                "Prodution",
                "--to",
                "4.6",
                "--sim",
                &demo,
            ],
            "did you mean `Production`",
        ),
        (
            &[
                "compat",
                "--cluster",
                "Production",
                "--to",
                "4.4",
                "--sim",
                &demo,
            ],
            "a compatibility level never goes down",
        ),
        (
            &["finish", "--to", "4.9", "--sim", &demo],
            "compatibility level 4.9 does not exist",
        ),
        (
            &[
                "global-maintenance",
                "on",
                "--sim",
                "example:standalone-local",
            ],
            "has no hosted engine (its Manager is standalone)",
        ),
        (&["compat", "--to", "4.6", "--sim", &demo], "--cluster"),
    ];
    for (args, message) in cases {
        let output = run_in(&state, args);
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
    let journals = std::fs::read_dir(state.join("ovirt-upgrade"))
        .map(|d| d.count())
        .unwrap_or(0);
    assert_eq!(journals, 0, "nothing was started");
}

/// The demo end to end, faster than its default speed: its folder holds the reports, the
/// checklist and the summary, and the summary says every host was upgraded, every level is
/// at the target, no VM was lost, and only the pinned VM it reported was down.
#[test]
fn the_demo_upgrades_everything_and_leaves_its_files() {
    let state = scratch("demo");
    let output = run_in(
        &state,
        &[
            "demo",
            "--out",
            "show",
            "--sim-speed",
            "2000",
            "--lang",
            "en",
        ],
    );
    assert!(
        output.status.success(),
        "{}\n{}",
        stdout(&output),
        stderr(&output)
    );
    let out = state.join("show");
    for file in [
        "analyzer_report.html",
        "analyzer_report_after.html",
        "checklist.md",
        "checklist.html",
        "summary.txt",
        "summary.json",
        "journals/finish.sqlite",
        "journals/cluster-upgrade-Production.sqlite",
    ] {
        assert!(out.join(file).is_file(), "{file} is missing");
    }
    assert!(std::fs::read_to_string(out.join("analyzer_report.html"))
        .unwrap()
        .ends_with("</html>\n"));
    let summary: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(out.join("summary.json")).unwrap()).unwrap();
    assert_eq!(summary["hosts"]["upgraded"], summary["hosts"]["total"]);
    assert_eq!(summary["hosts"]["total"], 9);
    assert_eq!(
        summary["hosts"]["failed_first"],
        serde_json::json!(["dev-host02"])
    );
    assert_eq!(summary["every_level_at_target"], true);
    assert_eq!(summary["target_level"], "4.6");
    assert_eq!(summary["manager_to"], "4.4.10");
    assert_eq!(summary["invariant_violations"], serde_json::json!([]));
    assert_eq!(summary["vms_down_unreported"], serde_json::json!([]));
    let pinned: Vec<&str> = summary["downtime"]["pinned"]
        .as_array()
        .unwrap()
        .iter()
        .map(|d| d["vm"].as_str().unwrap())
        .collect();
    assert_eq!(
        pinned,
        ["db-primary"],
        "only the pinned VM was down during the host upgrades"
    );
    assert_eq!(summary["downtime"]["restarted_for_level"], 35);
    assert!(summary["migrations"].as_u64().unwrap() > 0);
    let wall = summary["wall_seconds"].as_f64().unwrap();
    assert!(wall > 0.0 && wall < 60.0, "{wall}");
    let text = stdout(&output);
    assert!(
        text.contains("every host upgraded") && text.contains("of wall time"),
        "{text}"
    );
    assert!(
        stderr(&output).contains("Powering up"),
        "the engine's status while it boots is told"
    );

    let status = run_in(
        &state,
        &["status", "--journal", "show/journals/finish.sqlite"],
    );
    assert!(stdout(&status).contains("finished"), "{}", stdout(&status));

    // The workflow's own journal names the runs' journals and every step done.
    let workflow = run_in(
        &state,
        &["status", "--journal", "show/journals/workflow.sqlite"],
    );
    let text = stdout(&workflow);
    assert!(workflow.status.success(), "{}", stderr(&workflow));
    assert!(
        text.contains("finished") && text.contains("finish.sqlite"),
        "{text}"
    );
    assert_eq!(text.matches("[x]").count(), 5, "{text}");
    // Its engine ended with the demo: nothing to resume.
    let resume = run_in(
        &state,
        &["resume", "--journal", "show/journals/workflow.sqlite"],
    );
    assert_eq!(resume.status.code(), Some(2), "{}", stderr(&resume));
    assert!(stderr(&resume).contains("ended with its process"));
}

#[test]
fn global_maintenance_and_the_chain_run_against_a_live_engine() {
    let state = scratch("live");
    let served = sim_serve::Served::start("example:demo", "3000");
    let json = |output: &Output| -> serde_json::Value {
        assert!(output.status.success(), "{}", stderr(output));
        serde_json::from_slice(&output.stdout).unwrap()
    };
    let on = json(&served.run(&state, &["global-maintenance", "on", "--output", "json"]));
    assert_eq!(on["view"]["global_maintenance"], "on", "{on}");
    let status = json(&served.run(
        &state,
        &["global-maintenance", "status", "--output", "json"],
    ));
    assert_eq!(status["global_maintenance"], "on", "{status}");
    let off = served.run(&state, &["global-maintenance", "off"]);
    assert!(off.status.success(), "{}", stderr(&off));
    let status = json(&served.run(
        &state,
        &["global-maintenance", "status", "--output", "json"],
    ));
    assert_eq!(status["global_maintenance"], "off", "{status}");
    assert_eq!(status["engine_status"]["health"], "good", "{status}");

    // The chain over HTTP: the 4.1 cluster and its data center of a 4.2 Manager go to 4.2.
    let served = sim_serve::Served::start("example:rhv-4.2", "3000");
    let finish = served.run(&state, &["finish", "--to", "4.2"]);
    assert!(
        finish.status.success(),
        "{}\n{}",
        stdout(&finish),
        stderr(&finish)
    );
    let exported = state.join("after.json");
    let export = served.run(
        &state,
        &["inventory", "export", "--out", exported.to_str().unwrap()],
    );
    assert!(export.status.success(), "{}", stderr(&export));
    let after: serde_json::Value =
        serde_json::from_slice(&std::fs::read(&exported).unwrap()).unwrap();
    for kind in ["clusters", "data_centers"] {
        for object in after[kind].as_array().unwrap() {
            assert_eq!(object["version"], "4.2", "{kind}: {object}");
        }
    }
    let status = run_in(&state, &["status", "--output", "json"]);
    let status: serde_json::Value = serde_json::from_slice(&status.stdout).unwrap();
    assert_eq!(status["engine"], served.url.as_str(), "{status}");
}
