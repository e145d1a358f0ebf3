//! `ovirt-upgrade sim serve` in the background, for the tests of the commands that talk to a
//! live engine through `--engine`. Stopped when dropped.

use std::io::{BufRead as _, BufReader, Read as _};
use std::path::Path;
use std::process::{Child, Command, Output, Stdio};

pub struct Served {
    child: Child,
    pub url: String,
    pub password: String,
    /// The CA file written with `--tls`.
    pub ca_file: Option<String>,
}

impl Served {
    /// Serves `environment` on a free loopback port, `speed` times faster than real time.
    pub fn start(environment: &str, speed: &str) -> Served {
        Served::start_with(environment, speed, &[])
    }

    /// As [`Served::start`], with more options for `sim serve` (`--tls`, `--tls-profile`).
    pub fn start_with(environment: &str, speed: &str, options: &[&str]) -> Served {
        let mut child = Command::new(env!("CARGO_BIN_EXE_ovirt-upgrade"))
            .args([
                "--output",
                "json",
                "sim",
                "serve",
                "--listen",
                "127.0.0.1:0",
            ])
            .args(["--speed", speed, "--scenario", environment])
            .args(options)
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
            let _ = child.stderr.take().unwrap().read_to_string(&mut error);
            panic!("sim serve did not start: {error}");
        }
        let started: serde_json::Value = serde_json::from_str(&line).unwrap();
        Served {
            url: started["url"].as_str().unwrap().to_owned(),
            password: started["password"].as_str().unwrap().to_owned(),
            ca_file: started["ca_file"].as_str().map(str::to_owned),
            child,
        }
    }

    /// Runs `ovirt-upgrade --engine URL ARGS` with the password in OVIRT_PASSWORD, keeping
    /// journals under `state`.
    pub fn run(&self, state: &Path, args: &[&str]) -> Output {
        Command::new(env!("CARGO_BIN_EXE_ovirt-upgrade"))
            .args(args)
            .args(["--engine", &self.url])
            .env_remove("OVIRT_CAFILE")
            .env("OVIRT_PASSWORD", &self.password)
            .env("LANG", "C")
            .env("XDG_STATE_HOME", state)
            .stdin(Stdio::null())
            .output()
            .expect("the binary runs")
    }
}

impl Drop for Served {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}
