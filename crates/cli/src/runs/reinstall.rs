//! The operating-system reinstall of `migrate-hosts`, as the administrator gives it: a
//! command (PXE, kickstart, Foreman or Satellite) that returns once the machine is
//! reinstalled, a pause until the administrator touches a file, or the simulated engine's
//! machines. A local domain's import, which no REST call does, is asked of the
//! administrator in the Administration Portal, or done by the simulated engine.

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};
use std::sync::Mutex;

use model::{ElVersion, HostType, Lang, Text};
use orchestrator::migrate::{ReinstallState, Reinstaller};
use ovirt_sim::{MachineState, Reinstall, SimEngine};

use crate::report::reinstall::ReinstallNeeds;

/// How the header of a journal names a reinstall done by the simulated engine.
pub const SIMULATED: &str = "simulated";
/// How it names the pause.
pub const PAUSE: &str = "pause";

/// `CMD {host} {fqdn}` run by `sh -c`; exit 0 when the machine is reinstalled.
pub struct Command {
    pub template: String,
    /// Machines whose command succeeded in this process.
    done: Mutex<BTreeSet<String>>,
    lang: Lang,
}

impl Command {
    pub fn new(template: &str, lang: Lang) -> Command {
        Command {
            template: template.to_owned(),
            done: Mutex::default(),
            lang,
        }
    }
}

/// What the administrator does in the Administration Portal to import a local domain (the
/// guide's §1.1.9 steps); the run waits until the engine knows it.
fn ask_for_import(host: &str, data_center: &str, domain: &str, path: &str, lang: Lang) {
    let text = Text::owned(
        format!("import local domain {domain} of {host} now, as no REST call can: Administration Portal → Storage → Domains → Import Domain; Data Center: {data_center}, Domain Function: Data, Storage Type: Local on Host, Host: {host}, Path: {path}, Name: {domain}; confirm that it is attached to a data center already. The run goes on once the engine knows it."),
        format!("REST API ではできないため、{host} のローカルドメイン {domain} を今インポートしてください: 管理ポータル → ストレージ → ドメイン → ドメインのインポート。データセンター: {data_center}、ドメインの機能: データ、ストレージタイプ: ホスト上のローカル、ホスト: {host}、パス: {path}、名前: {domain}。データセンターにアタッチ済みという確認には OK を選びます。エンジンがドメインを認識すると実行が続きます。"),
    );
    eprintln!("{}", text.get(lang));
}

impl Reinstaller for Command {
    async fn import_local_domain(
        &self,
        name: &str,
        _: &str,
        data_center: &str,
        domain: &str,
        path: &str,
    ) -> Result<(), String> {
        ask_for_import(name, data_center, domain, path, self.lang);
        Ok(())
    }

    async fn start(&self, name: &str, address: &str) -> Result<(), String> {
        let line = self
            .template
            .replace("{host}", name)
            .replace("{fqdn}", address);
        let output = tokio::task::spawn_blocking(move || {
            std::process::Command::new("sh")
                .arg("-c")
                .arg(&line)
                .output()
        })
        .await
        .map_err(|e| e.to_string())?
        .map_err(|e| format!("cannot run the reinstall command: {e}"))?;
        if output.status.success() {
            self.done.lock().expect("lock").insert(address.to_owned());
            return Ok(());
        }
        let stderr = String::from_utf8_lossy(&output.stderr);
        let last = stderr
            .lines()
            .rev()
            .find(|l| !l.trim().is_empty())
            .unwrap_or("");
        Err(format!(
            "the reinstall command exited with {}: {last}",
            output.status
        ))
    }

    async fn state(&self, _: &str, address: &str) -> ReinstallState {
        match self.done.lock().expect("lock").contains(address) {
            true => ReinstallState::Done,
            false => ReinstallState::Unknown,
        }
    }
}

/// Waits for the administrator: the machine counts as reinstalled once its file exists.
pub struct Pause {
    pub folder: PathBuf,
    /// What each kind of host needs from its reinstall, printed with the host's turn.
    pub needs: Vec<ReinstallNeeds>,
    pub lang: Lang,
}

impl Pause {
    /// The file the administrator touches once `host` is reinstalled.
    pub fn marker(folder: &Path, host: &str) -> PathBuf {
        folder.join(format!("{host}.reinstalled"))
    }
}

impl Reinstaller for Pause {
    async fn import_local_domain(
        &self,
        name: &str,
        _: &str,
        data_center: &str,
        domain: &str,
        path: &str,
    ) -> Result<(), String> {
        ask_for_import(name, data_center, domain, path, self.lang);
        Ok(())
    }

    async fn start(&self, name: &str, address: &str) -> Result<(), String> {
        let needs: Vec<ReinstallNeeds> = self
            .needs
            .iter()
            .filter(|n| n.hosts.iter().any(|h| h == name))
            .cloned()
            .collect();
        eprint!("{}", crate::report::reinstall::render(&needs, self.lang));
        eprintln!(
            "reinstall {address} ({name}) with Enterprise Linux 8 now, then: touch {}",
            Pause::marker(&self.folder, name).display()
        );
        Ok(())
    }

    async fn state(&self, name: &str, _: &str) -> ReinstallState {
        match Pause::marker(&self.folder, name).exists() {
            true => ReinstallState::Done,
            false => ReinstallState::Running,
        }
    }
}

/// The in-process simulated engine's machines, reinstalled with `os`.
pub struct Simulated<'a> {
    pub engine: &'a SimEngine,
    pub os: ElVersion,
}

impl Reinstaller for Simulated<'_> {
    /// The administrator's import in the portal, done by the simulated engine.
    async fn import_local_domain(
        &self,
        _: &str,
        address: &str,
        _: &str,
        domain: &str,
        path: &str,
    ) -> Result<(), String> {
        self.engine
            .import_local_domain(address, path, domain)
            .map(drop)
            .map_err(|e| e.to_string())
    }

    async fn start(&self, _: &str, address: &str) -> Result<(), String> {
        // An RHVH machine gets RHVH 4.4, an Enterprise Linux one its next release.
        let host_type = self
            .engine
            .simulator()
            .machines()
            .iter()
            .find(|m| m.is(address))
            .map_or(HostType::Rhel, |m| m.host_type);
        let to = Reinstall {
            os: self.os,
            host_type,
            engine_key: true,
        };
        self.engine
            .reinstall_machine(address, to)
            .map_err(|e| e.to_string())
    }

    async fn state(&self, _: &str, address: &str) -> ReinstallState {
        let sim = self.engine.simulator();
        let machine = sim.machines().iter().find(|m| m.is(address));
        match machine.map(|m| (&m.state, m.os)) {
            Some((MachineState::Reinstalling(_), _)) => ReinstallState::Running,
            Some((MachineState::Failed, _)) => {
                ReinstallState::Failed("the machine does not boot after its reinstall".into())
            }
            Some((MachineState::Running, os)) if os == self.os => ReinstallState::Done,
            _ => ReinstallState::Unknown,
        }
    }
}
