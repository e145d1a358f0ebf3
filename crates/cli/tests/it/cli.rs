//! The binary as a user runs it: output, languages, exit codes, and errors on bad input.

use std::process::{Command, Output};

use crate::sim_serve;
use crate::{stderr, stdout};

fn run(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_ovirt-upgrade"))
        .args(args)
        .env_remove("OVIRT_URL")
        .env_remove("OVIRT_CAFILE")
        .env("LANG", "C")
        .output()
        .expect("the binary runs")
}

fn temp_file(name: &str, contents: &str) -> std::path::PathBuf {
    let dir = std::env::temp_dir().join(format!("ovirt-upgrade-cli-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let path = dir.join(name);
    std::fs::write(&path, contents).unwrap();
    path
}

#[test]
fn inventory_show_summarises_the_embedded_default() {
    let output = run(&["inventory", "show"]);
    assert!(output.status.success(), "{}", stderr(&output));
    insta::assert_snapshot!("inventory_show_default_en", stdout(&output));
}

#[test]
fn inventory_show_speaks_japanese() {
    let output = run(&[
        "inventory",
        "show",
        "example:standalone-remote",
        "--lang",
        "ja",
    ]);
    assert!(output.status.success(), "{}", stderr(&output));
    insta::assert_snapshot!("inventory_show_remote_ja", stdout(&output));
}

#[test]
fn language_follows_the_locale() {
    let output = Command::new(env!("CARGO_BIN_EXE_ovirt-upgrade"))
        .args(["inventory", "show", "example:local-storage"])
        .env_remove("LC_ALL")
        .env_remove("LC_MESSAGES")
        .env("LANG", "ja_JP.UTF-8")
        .output()
        .unwrap();
    assert!(
        stdout(&output).contains("データセンター Branch"),
        "{}",
        stdout(&output)
    );
}

#[test]
fn inventory_show_json_carries_the_counts() {
    let output = run(&[
        "inventory",
        "show",
        "example:hyperconverged",
        "--output",
        "json",
    ]);
    assert!(output.status.success());
    let summary: serde_json::Value = serde_json::from_slice(&output.stdout).unwrap();
    assert_eq!(summary["manager"]["deployment"], "self-hosted");
    assert_eq!(summary["manager"]["version"], "4.3.11");
    assert_eq!(summary["totals"]["hosts"], 3);
    assert_eq!(summary["totals"]["gluster_volumes"], 2);
    assert_eq!(
        summary["data_centers"][0]["clusters"][0]["hosted_engine_hosts"],
        3
    );
}

#[test]
fn every_example_is_listed_and_shows() {
    let output = run(&["inventory", "examples"]);
    let listing = stdout(&output);
    for example in scenario::EXAMPLES {
        assert!(
            listing.contains(&format!("example:{}", example.name)),
            "{listing}"
        );
        let shown = run(&["inventory", "show", &format!("example:{}", example.name)]);
        assert!(
            shown.status.success(),
            "{}: {}",
            example.name,
            stderr(&shown)
        );
    }
}

#[test]
fn a_broken_scenario_exits_2_naming_file_line_and_fix() {
    let path = temp_file(
        "broken.toml",
        "[manager]\nversion = \"4.3.11\"\ndeployment = \"standalone\"\nos = \"el7.9\"\n\n[[clusters]]\nname = \"A\"\nversion = \"4.3\"\n\n[[vms]]\nname = \"web\"\ncluster = \"A\"\nhost = \"ghost\"\nmemory = \"4 GiB\"\n",
    );
    let output = run(&["inventory", "show", path.to_str().unwrap()]);
    assert_eq!(output.status.code(), Some(2));
    let message = stderr(&output);
    assert!(
        message.contains("broken.toml:13:8: VM \"web\": host \"ghost\" does not exist"),
        "{message}"
    );
    assert!(message.contains("hint:"), "{message}");
    assert!(!message.contains("panicked"), "{message}");
}

#[test]
fn bad_files_of_every_kind_exit_2_without_a_panic() {
    let cases = [
        ("syntax.toml", "[manager\nversion = 1\n"),
        ("unknown.toml", "[manager]\nversion = \"4.3.11\"\ndeployment = \"standalone\"\nos = \"el7\"\ncolour = \"red\"\n"),
        ("version.toml", "[manager]\nversion = \"4.8.0\"\ndeployment = \"standalone\"\nos = \"el7\"\n"),
        ("garbage.json", "{\"format\": 1, \"manager\": 12}"),
        ("binary.toml", "\u{0}\u{1}\u{2}"),
    ];
    for (name, contents) in cases {
        let path = temp_file(name, contents);
        let output = run(&["inventory", "show", path.to_str().unwrap()]);
        let message = stderr(&output);
        assert_eq!(output.status.code(), Some(2), "{name}: {message}");
        assert!(message.contains(name), "{name}: {message}");
        assert!(!message.contains("panicked"), "{name}: {message}");
    }
    let output = run(&["inventory", "show", "/no/such/file.toml"]);
    assert_eq!(output.status.code(), Some(2));
    assert!(stderr(&output).contains("cannot read the file"));
}

#[test]
fn generate_writes_the_same_bytes_for_the_same_seed() {
    let args = [
        "sim",
        "generate",
        "--hosts",
        "20",
        "--vms",
        "150",
        "--clusters",
        "2",
        "--seed",
        "11",
    ];
    let first = run(&args);
    let second = run(&args);
    assert!(first.status.success(), "{}", stderr(&first));
    assert_eq!(first.stdout, second.stdout);

    let path = std::env::temp_dir().join(format!(
        "ovirt-upgrade-generated-{}.json",
        std::process::id()
    ));
    let written = run(&[&args[..], &["--out", path.to_str().unwrap()]].concat());
    assert!(written.status.success());
    assert_eq!(std::fs::read(&path).unwrap(), first.stdout);
    let shown = run(&[
        "inventory",
        "show",
        path.to_str().unwrap(),
        "--output",
        "json",
    ]);
    let summary: serde_json::Value = serde_json::from_slice(&shown.stdout).unwrap();
    assert_eq!(summary["totals"]["vms"], 150);
    let _ = std::fs::remove_file(path);

    let refused = run(&[
        "sim",
        "generate",
        "--hosts",
        "1",
        "--vms",
        "5",
        "--clusters",
        "3",
        "--seed",
        "1",
    ]);
    assert_eq!(refused.status.code(), Some(2));
    assert!(stderr(&refused).contains("1 hosts cannot fill 3 clusters"));
}

#[test]
fn connection_options_are_checked_before_any_work() {
    let output = run(&["inventory", "show", "--engine", "ftp://engine"]);
    assert_eq!(output.status.code(), Some(2));
    assert!(stderr(&output).contains("must start with https://"));

    let output = run(&[
        "inventory",
        "show",
        "--engine",
        "https://engine.example.com",
        "--password-file",
        "/no/such/password",
    ]);
    assert_eq!(output.status.code(), Some(2));
    assert!(stderr(&output).contains("cannot read the password file"));

    let not_pem = temp_file("ca.pem", "hello");
    let output = run(&["inventory", "show", "--ca-file", not_pem.to_str().unwrap()]);
    assert_eq!(output.status.code(), Some(2));
    assert!(stderr(&output).contains("holds no PEM certificate"));

    let output = run(&[
        "inventory",
        "show",
        "--insecure",
        "--ca-file",
        not_pem.to_str().unwrap(),
    ]);
    assert_eq!(
        output.status.code(),
        Some(2),
        "--insecure and --ca-file conflict"
    );

    let help = run(&["--help"]);
    let text = stdout(&help);
    assert!(text.contains("Exit codes: 0 ok; 1 findings or a failure; 2 a usage or input error."));
    assert!(text.contains("OVIRT_PASSWORD"));
    assert!(
        !text.contains("--password "),
        "the password is never an argument"
    );
}

#[test]
fn usage_errors_exit_2() {
    assert_eq!(run(&["inventory", "shw"]).status.code(), Some(2));
    assert_eq!(
        run(&["--output", "yaml", "inventory", "show"])
            .status
            .code(),
        Some(2)
    );
}

#[test]
fn inventory_export_reads_a_live_engine_into_a_file_inventory_show_reads() {
    let served = sim_serve::Served::start("example:standalone-remote", "60");
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("env.json");
    let output = served.run(
        dir.path(),
        &["inventory", "export", "--out", out.to_str().unwrap()],
    );
    assert!(output.status.success(), "{}", stderr(&output));
    assert!(
        stderr(&output).contains("Wrote") && stderr(&output).contains("6 hosts, 60 VMs"),
        "{}",
        stderr(&output)
    );

    let summary = |spec: &str| -> serde_json::Value {
        let output = run(&["--output", "json", "inventory", "show", spec]);
        assert!(output.status.success(), "{}", stderr(&output));
        serde_json::from_str(&stdout(&output)).unwrap()
    };
    let exported = summary(out.to_str().unwrap());
    let scenario = summary("example:standalone-remote");
    // What the API shows comes back whole (in the API's order, by name); the Manager's
    // machine and databases do not.
    let by_name = |summary: &serde_json::Value| {
        let mut data_centers = summary["data_centers"].as_array().unwrap().clone();
        data_centers.sort_by_key(|dc| dc["name"].as_str().unwrap().to_owned());
        data_centers
    };
    assert_eq!(by_name(&exported), by_name(&scenario));
    assert_eq!(exported["totals"], scenario["totals"]);
    assert_eq!(
        exported["manager"]["version"],
        scenario["manager"]["version"]
    );
    assert_eq!(exported["source"], served.url.as_str());

    // To standard output without --out.
    let output = served.run(dir.path(), &["inventory", "export"]);
    let inventory: serde_json::Value = serde_json::from_slice(&output.stdout).unwrap();
    assert_eq!(inventory["format"], 1);
}

#[test]
fn inventory_export_says_what_is_missing_or_wrong() {
    let output = run(&["inventory", "export"]);
    assert_eq!(output.status.code(), Some(2));
    assert!(
        stderr(&output).contains("inventory export reads a live engine: name it with --engine URL")
    );

    let served = sim_serve::Served::start("example:local-storage", "60");
    let dir = tempfile::tempdir().unwrap();
    let password = dir.path().join("password");
    std::fs::write(&password, "not-it\n").unwrap();
    let output = served.run(
        dir.path(),
        &[
            "inventory",
            "export",
            "--password-file",
            password.to_str().unwrap(),
        ],
    );
    assert_eq!(output.status.code(), Some(2), "{}", stderr(&output));
    let text = stderr(&output);
    assert!(
        text.contains("error: cannot connect to the engine at http://127.0.0.1:"),
        "{text}"
    );
    assert!(text.contains("login as admin@internal failed"), "{text}");
    assert!(text.contains("hint: check the user name"), "{text}");

    // Nothing listens where the engine should be.
    let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let url = format!("http://{}/ovirt-engine/api", listener.local_addr().unwrap());
    drop(listener);
    let output = Command::new(env!("CARGO_BIN_EXE_ovirt-upgrade"))
        .args(["inventory", "export", "--engine", &url])
        .env("OVIRT_PASSWORD", "x")
        .env("LANG", "C")
        .output()
        .unwrap();
    assert_eq!(output.status.code(), Some(2));
    assert!(
        stderr(&output).contains("connection refused"),
        "{}",
        stderr(&output)
    );
}
