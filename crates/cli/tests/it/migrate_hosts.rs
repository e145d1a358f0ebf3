//! `migrate-hosts`, `status` and its journal as a user runs them.

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

use crate::{stderr, stdout};

fn scratch(name: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!(
        "ovirt-upgrade-migrate-{}-{name}",
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
        .env("LANG", "C")
        .env("XDG_STATE_HOME", state)
        .output()
        .expect("the binary runs")
}

const SIM: [&str; 5] = [
    "migrate-hosts",
    "--cluster",
    "Production",
    "--sim",
    "example:self-hosted-migration",
];

#[test]
fn the_dry_run_orders_the_hosted_engine_hosts_and_names_what_waits() {
    let output = run_in(&scratch("dry"), &[&SIM[..], &["--dry-run"]].concat());
    assert!(output.status.success(), "{}", stderr(&output));
    insta::assert_snapshot!("migrate_hosts_dry_run_en", stdout(&output));
}

#[test]
fn a_43_manager_is_refused_before_anything_runs() {
    let output = run_in(
        &scratch("old"),
        &[
            "migrate-hosts",
            "--cluster",
            "Production",
            "--sim",
            "--dry-run",
        ],
    );
    assert_eq!(output.status.code(), Some(1));
    assert!(stdout(&output).contains("BLOCKER: the Manager runs 4.3.11"));
}

#[test]
fn a_run_on_the_simulated_engine_brings_every_host_back_and_status_shows_it() {
    let state = scratch("run");
    let journal = state.join("migrate.sqlite");
    let journal = journal.to_str().unwrap();
    let args = [&SIM[..], &["--sim-speed", "20000", "--journal", journal]].concat();
    let output = run_in(&state, &args);
    assert!(output.status.success(), "{}", stderr(&output));
    let summary = stdout(&output);
    assert!(
        summary.contains("reinstalled    4 (prod-host03"),
        "{summary}"
    );
    assert!(
        summary.contains("18 of 15 VMs: 1.20 per VM moved, at most 2"),
        "{summary}"
    );
    assert!(summary.contains("raise it to 4.6"), "{summary}");
    let status = run_in(&state, &["status", "--journal", journal]);
    assert!(stdout(&status).contains("finished"), "{}", stdout(&status));
}

/// A local-storage host (§1.1.9): the dry run says what its reinstall must keep; the run
/// brings the host back with its domain imported and its VMs registered and started.
#[test]
fn a_local_storage_host_keeps_its_storage_and_its_vms_come_back() {
    let state = scratch("local");
    let journal = state.join("migrate.sqlite");
    let journal = journal.to_str().unwrap();
    let local = [
        "migrate-hosts",
        "--cluster",
        "branch",
        "--sim",
        "example:local-storage-migration",
    ];
    let dry = run_in(&state, &[&local[..], &["--dry-run"]].concat());
    assert!(dry.status.success(), "{}", stderr(&dry));
    let plan = stdout(&dry);
    assert!(
        plan.contains("mkdir -p /data; mount /dev/<the disk that holds branch-local> /data"),
        "{plan}"
    );
    assert!(
        plan.contains("new first domain branch-localfs at /localfs"),
        "{plan}"
    );
    let args = [&local[..], &["--sim-speed", "20000", "--journal", journal]].concat();
    let output = run_in(&state, &args);
    assert!(output.status.success(), "{}", stderr(&output));
    let summary = stdout(&output);
    assert!(
        summary.contains(
            "registered from imported local domains  3 (archive, file-server, print-server)"
        ),
        "{summary}"
    );
    assert!(summary.contains("raise it to 4.6"), "{summary}");
}

#[test]
fn a_failed_reinstall_exits_1_naming_the_removed_host_and_its_machine() {
    let state = scratch("fail");
    let journal = state.join("migrate.sqlite");
    let journal = journal.to_str().unwrap();
    let args = [
        &SIM[..],
        &[
            "--sim-speed",
            "20000",
            "--sim-faults",
            "reinstall-fail:prod-host03",
            "--journal",
            journal,
        ],
    ]
    .concat();
    let output = run_in(&state, &args);
    assert_eq!(output.status.code(), Some(1), "{}", stderr(&output));
    let summary = stdout(&output);
    assert!(
        summary.contains("stopped: host prod-host03 failed"),
        "{summary}"
    );
    assert!(
        summary.contains("machine prod-host03.example.com does not boot"),
        "{summary}"
    );
    let status = run_in(&state, &["status", "--journal", journal]);
    assert!(
        stdout(&status).contains("interrupted"),
        "{}",
        stdout(&status)
    );
}

/// As an administrator runs it: a live engine (`sim serve`) and a reinstall hook, here the
/// simulator's own `sim reinstall`, standing in for PXE or Foreman. Every host is removed,
/// reinstalled by the hook, added back with the engine's SSH key and waited for until up.
#[test]
fn a_live_engine_and_a_reinstall_hook_bring_every_host_back() {
    let served = crate::sim_serve::Served::start("example:self-hosted-migration", "2000");
    let state = scratch("hook");
    let journal = state.join("migrate.sqlite");
    let hook = format!(
        "{} sim reinstall {{fqdn}} --os el8.6 --wait --engine {}",
        env!("CARGO_BIN_EXE_ovirt-upgrade"),
        served.url
    );
    let output = served.run(
        &state,
        &[
            "migrate-hosts",
            "--cluster",
            "Production",
            "--journal",
            journal.to_str().unwrap(),
            "--reinstall-command",
            &hook,
        ],
    );
    assert!(output.status.success(), "{}", stderr(&output));
    let summary = stdout(&output);
    assert!(summary.contains("outcome        completed"), "{summary}");
    assert!(
        summary.contains("reinstalled    4 (prod-host03"),
        "{summary}"
    );
    // Every running VM moved and none lost; how often each moved depends on real timing.
    assert!(summary.contains(" of 15 VMs: "), "{summary}");
}

/// A local-storage host against a live engine (`sim serve`): the reinstall by the hook, and
/// the import, which no REST call does, by the administrator in the portal once the run asks
/// for it (here `sim import-domain`, standing in for the portal).
#[test]
fn a_live_engine_waits_for_the_portal_import_of_a_local_domain() {
    let served = crate::sim_serve::Served::start("example:local-storage-migration", "2000");
    let state = scratch("live-local");
    let journal = state.join("migrate.sqlite");
    let journal = journal.to_str().unwrap();
    let hook = format!(
        "{} sim reinstall {{fqdn}} --os el8.6 --type ovirt_node --wait --engine {}",
        env!("CARGO_BIN_EXE_ovirt-upgrade"),
        served.url
    );
    let args = [
        "migrate-hosts",
        "--cluster",
        "branch",
        "--journal",
        journal,
        "--reinstall-command",
        &hook,
        // Bounds the wait for the import too, should this test not do it.
        "--reinstall-timeout",
        "3m",
    ];
    let output = std::thread::scope(|scope| {
        let run = scope.spawn(|| served.run(&state, &args));
        // The administrator imports the domain once `status` says the run waits for it.
        let mut asked = false;
        for _ in 0..600 {
            let status = run_in(
                &state,
                &["--output", "json", "status", "--journal", journal],
            );
            if stdout(&status).contains("\"import\"") {
                asked = true;
                break;
            }
            if run.is_finished() {
                break;
            }
            std::thread::sleep(std::time::Duration::from_millis(200));
        }
        assert!(asked, "the run never asked for the import");
        let imported = served.run(
            &state,
            &["sim", "import-domain", "branch-host", "--path", "/data"],
        );
        assert!(imported.status.success(), "{}", stderr(&imported));
        run.join().unwrap()
    });
    assert!(output.status.success(), "{}", stderr(&output));
    assert!(
        stderr(&output).contains("Local on Host, Host: branch-host, Path: /data"),
        "{}",
        stderr(&output)
    );
    let summary = stdout(&output);
    assert!(
        summary.contains(
            "registered from imported local domains  3 (archive, file-server, print-server)"
        ),
        "{summary}"
    );
}
