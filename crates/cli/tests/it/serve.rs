//! `ovirt-upgrade serve` in a real headless Chromium (Debian's, through its chromedriver): the
//! form gives `plan`'s checklist, a tick survives a reload, the discrepancies page shows the
//! demo's simulated storage and its Refresh finds a disk removed meanwhile, live pages follow a
//! cluster upgrade and a host migration from the terminal to their end, and a compatibility
//! chain's page shows its stages. Screenshots go to
//! target/tmp/serve-*.png (the `-ja` ones in Japanese); the page's load time and the delay from a
//! journal write to the page are printed, not asserted.

use std::io::{BufRead as _, BufReader};
use std::path::Path;
use std::process::{Child, Command, Stdio};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};

use fantoccini::{Client, ClientBuilder, Locator};
use orchestrator::Journal;

const CHROMEDRIVER: &str = "/usr/bin/chromedriver";
/// Generous: the machine running the tests may be busy with other builds.
const PATIENCE: Duration = Duration::from_secs(300);

/// A child process ended with the test.
struct Running(Child);

impl Drop for Running {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port()
}

fn wall_ms() -> f64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .unwrap()
        .as_secs_f64()
        * 1000.0
}

/// `serve` over `dir`, and the address it printed.
fn serve(dir: &Path) -> (Running, String) {
    let mut child = Command::new(env!("CARGO_BIN_EXE_ovirt-upgrade"))
        .args(["serve", "--env", "example:demo", "--runs"])
        .arg(dir)
        .arg("--state-dir")
        .arg(dir.join("state"))
        .stdout(Stdio::piped())
        .spawn()
        .unwrap();
    let mut line = String::new();
    BufReader::new(child.stdout.take().unwrap())
        .read_line(&mut line)
        .unwrap();
    (Running(child), line.trim().to_owned())
}

async fn browser() -> (Running, Client) {
    let port = free_port();
    let driver = Running(
        Command::new(CHROMEDRIVER)
            .arg(format!("--port={port}"))
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .unwrap(),
    );
    let args = [
        "--headless",
        "--no-sandbox",
        "--disable-gpu",
        "--disable-dev-shm-usage",
        "--disable-quic",
        "--no-first-run",
        "--disable-background-networking",
        "--disable-component-update",
        "--disable-sync",
        "--window-size=1200,1600",
    ];
    let mut capabilities = serde_json::Map::new();
    capabilities.insert(
        "goog:chromeOptions".into(),
        serde_json::json!({ "binary": "/usr/bin/chromium", "args": args }),
    );
    let started = Instant::now();
    loop {
        let connector = hyper_util::client::legacy::connect::HttpConnector::new();
        match ClientBuilder::new(connector)
            .capabilities(capabilities.clone())
            .connect(&format!("http://127.0.0.1:{port}"))
            .await
        {
            Ok(client) => return (driver, client),
            // chromedriver takes a moment to listen.
            Err(error) if started.elapsed() < PATIENCE => {
                let _ = error;
                tokio::time::sleep(Duration::from_millis(100)).await;
            }
            Err(error) => panic!("chromedriver did not start Chromium: {error}"),
        }
    }
}

/// Waits until the page's `condition` (a JavaScript expression) holds.
async fn until(client: &Client, condition: &str) {
    let started = Instant::now();
    loop {
        let value = client
            .execute(&format!("return !!({condition});"), vec![])
            .await
            .unwrap();
        if value == serde_json::Value::Bool(true) {
            return;
        }
        assert!(
            started.elapsed() < PATIENCE,
            "waited {PATIENCE:?} for {condition}"
        );
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
}

async fn screenshot(client: &Client, name: &str) {
    let dir = Path::new(env!("CARGO_TARGET_TMPDIR"));
    std::fs::write(
        dir.join(format!("serve-{name}.png")),
        client.screenshot().await.unwrap(),
    )
    .unwrap();
}

/// Milliseconds from the navigation's start to the page's load event.
async fn load_time(client: &Client) -> f64 {
    until(
        client,
        "performance.getEntriesByType('navigation')[0].loadEventEnd > 0",
    )
    .await;
    let value = client
        .execute(
            "return performance.getEntriesByType('navigation')[0].loadEventEnd;",
            vec![],
        )
        .await
        .unwrap();
    value.as_f64().unwrap()
}

fn step_ids(html: &str) -> Vec<String> {
    html.split("<section class=\"step\" id=\"")
        .skip(1)
        .map(|rest| rest[..rest.find('"').unwrap()].to_owned())
        .collect()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_three_pages_work_in_a_real_browser() {
    if !Path::new(CHROMEDRIVER).exists() {
        eprintln!("skipped: no {CHROMEDRIVER}; install chromium and chromium-driver (scripts/test does, as root)");
        return;
    }
    let dir = tempfile::tempdir().unwrap();
    let (_server, url) = serve(dir.path());
    let base = url.split("/?").next().unwrap().to_owned();
    let (_driver, client) = browser().await;

    // The form gives the checklist `plan --html` writes for the same choices.
    client.goto(&url.replacen("/?", "/plan?", 1)).await.unwrap();
    let plan_load = load_time(&client).await;
    client
        .find(Locator::Id("from"))
        .await
        .unwrap()
        .send_keys("4.3.11")
        .await
        .unwrap();
    client
        .find(Locator::Id("to"))
        .await
        .unwrap()
        .send_keys("4.4")
        .await
        .unwrap();
    client
        .find(Locator::Id("deployment"))
        .await
        .unwrap()
        .select_by_value("self-hosted")
        .await
        .unwrap();
    client
        .find(Locator::Id("ovn"))
        .await
        .unwrap()
        .click()
        .await
        .unwrap();
    client
        .find(Locator::Id("make"))
        .await
        .unwrap()
        .click()
        .await
        .unwrap();
    until(
        &client,
        "document.querySelectorAll('section.step').length > 0",
    )
    .await;
    let shown: Vec<String> = client
        .execute(
            "return [...document.querySelectorAll('section.step')].map(s => s.id);",
            vec![],
        )
        .await
        .unwrap()
        .as_array()
        .unwrap()
        .iter()
        .map(|id| id.as_str().unwrap().to_owned())
        .collect();
    let printed = Command::new(env!("CARGO_BIN_EXE_ovirt-upgrade"))
        .args([
            "plan",
            "--from",
            "4.3.11",
            "--to",
            "4.4",
            "--deployment",
            "self-hosted",
            "--ovn",
            "--html",
            "-",
        ])
        .output()
        .unwrap();
    assert_eq!(shown, step_ids(&String::from_utf8(printed.stdout).unwrap()));

    // A tick is kept: it survives a reload.
    let first = format!("section.step[id='{}'] input", shown[0]);
    client
        .find(Locator::Css(&first))
        .await
        .unwrap()
        .click()
        .await
        .unwrap();
    until(
        &client,
        &format!(
            "document.getElementById('{}').dataset.saved === 'true'",
            shown[0]
        ),
    )
    .await;
    client.refresh().await.unwrap();
    until(
        &client,
        &format!("document.querySelector(\"{first}\").checked"),
    )
    .await;
    screenshot(&client, "plan").await;

    client.goto(&format!("{base}/check")).await.unwrap();
    until(&client, "document.querySelector('h1') !== null").await;
    screenshot(&client, "check").await;

    // A run started from the terminal, followed live to its end.
    let journal = dir.path().join("live.sqlite");
    let _run = Running(
        Command::new(env!("CARGO_BIN_EXE_ovirt-upgrade"))
            .args([
                "-q",
                "cluster-upgrade",
                "--cluster",
                "Production",
                "--sim",
                "--sim-speed",
                "300",
                "--journal",
            ])
            .arg(&journal)
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .unwrap(),
    );
    // When each record count first showed in the journal, seen from here.
    let written: Arc<Mutex<Vec<(usize, f64)>>> = Arc::default();
    let done = Arc::new(AtomicBool::new(false));
    let watcher = {
        let (written, done, journal) = (written.clone(), done.clone(), journal.clone());
        std::thread::spawn(move || {
            let mut last = 0;
            while !done.load(Ordering::Relaxed) {
                if let Ok(count) = Journal::open(&journal)
                    .and_then(|j| j.entries())
                    .map(|e| e.len())
                {
                    if count != last {
                        written.lock().unwrap().push((count, wall_ms()));
                        last = count;
                    }
                }
                std::thread::sleep(Duration::from_millis(5));
            }
        })
    };
    let started = Instant::now();
    while !journal.exists() {
        assert!(started.elapsed() < PATIENCE, "the run wrote no journal");
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    client
        .goto(&format!("{base}/runs/live.sqlite"))
        .await
        .unwrap();
    let live_load = load_time(&client).await;
    client
        .execute(
            "window.seen = []; new MutationObserver(() => window.seen.push([+document.getElementById('live').dataset.records, Date.now()])).observe(document.getElementById('live'), {attributes: true});",
            vec![],
        )
        .await
        .unwrap();
    until(
        &client,
        "document.getElementById('state').textContent === 'finished'",
    )
    .await;
    until(&client, "document.getElementById('progress').value === 100").await;
    screenshot(&client, "run").await;
    done.store(true, Ordering::Relaxed);
    watcher.join().unwrap();

    let seen = client.execute("return window.seen;", vec![]).await.unwrap();
    let written = std::mem::take(&mut *written.lock().unwrap());
    let mut delays: Vec<f64> = seen
        .as_array()
        .unwrap()
        .iter()
        .filter_map(|pair| {
            let (records, shown_at) = (pair[0].as_u64()? as usize, pair[1].as_f64()?);
            let (_, written_at) = written.iter().find(|(count, _)| *count >= records)?;
            Some(shown_at - written_at)
        })
        .collect();
    delays.sort_by(f64::total_cmp);
    client.goto(&format!("{base}/runs")).await.unwrap();
    until(&client, "document.getElementById('runs') !== null").await;
    screenshot(&client, "runs").await;

    let discrepancies_load = discrepancies_page(&client, &base).await;
    let migrate_updates = host_migration(&client, &base, dir.path()).await;
    chain(&client, &base, dir.path()).await;
    client.close().await.unwrap();

    println!("serve: /plan loaded in {plan_load:.0} ms, the live run page in {live_load:.0} ms, /discrepancies in {discrepancies_load:.0} ms; the host migration's page took {migrate_updates} updates");
    if let (Some(median), Some(worst)) = (delays.get(delays.len() / 2), delays.last()) {
        println!(
            "serve: journal write to page: median {median:.0} ms, worst {worst:.0} ms over {} updates (the server reads the journal every 250 ms)",
            delays.len()
        );
    }
}

/// The discrepancies page on the demo's simulated storage: nothing found, then a disk removed
/// from that storage shows after Refresh. Returns the page's load time.
async fn discrepancies_page(client: &Client, base: &str) -> f64 {
    client.goto(&format!("{base}/discrepancies")).await.unwrap();
    let load = load_time(client).await;
    until(
        client,
        "document.getElementById('summary').textContent.includes(': 0 discrepancies')",
    )
    .await;
    let storage = client
        .find(Locator::Id("storage"))
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    let images = std::fs::read_dir(&storage)
        .unwrap()
        .map(|domain| domain.unwrap().path().join("images"))
        .find(|images| images.read_dir().is_ok_and(|mut d| d.next().is_some()))
        .unwrap();
    let image = images.read_dir().unwrap().next().unwrap().unwrap().path();
    std::fs::remove_dir_all(&image).unwrap();
    client
        .find(Locator::Id("refresh"))
        .await
        .unwrap()
        .click()
        .await
        .unwrap();
    until(
        client,
        "document.body.textContent.includes('is on DB but not on storage')",
    )
    .await;
    screenshot(client, "discrepancies").await;
    client
        .goto(&format!("{base}/discrepancies?lang=ja"))
        .await
        .unwrap();
    until(
        client,
        "document.getElementById('summary').textContent.includes('不一致')",
    )
    .await;
    screenshot(client, "discrepancies-ja").await;
    load
}

/// A host migration started from the terminal on the simulator, followed on its live page to
/// its end. Returns how many updates the page took.
async fn host_migration(client: &Client, base: &str, dir: &Path) -> u64 {
    let journal = dir.join("migrate.sqlite");
    let _run = Running(
        Command::new(env!("CARGO_BIN_EXE_ovirt-upgrade"))
            .args([
                "-q",
                "migrate-hosts",
                "--cluster",
                "Production",
                "--sim",
                "example:self-hosted-migration",
                "--sim-speed",
                "600",
                "--journal",
            ])
            .arg(&journal)
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .unwrap(),
    );
    let started = Instant::now();
    while !journal.exists() {
        assert!(
            started.elapsed() < PATIENCE,
            "the migration wrote no journal"
        );
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    client
        .goto(&format!("{base}/runs/migrate.sqlite?lang=ja"))
        .await
        .unwrap();
    client
        .execute(
            "window.updates = 0; new MutationObserver(() => window.updates++).observe(document.getElementById('live'), {attributes: true});",
            vec![],
        )
        .await
        .unwrap();
    // Somewhere in the middle: a host on its way, in Japanese.
    until(
        client,
        "[...document.querySelectorAll('td.phase')].some(td => td.textContent.includes('移行完了'))",
    )
    .await;
    screenshot(client, "migrate-ja").await;
    until(
        client,
        "document.getElementById('state').textContent === '完了'",
    )
    .await;
    until(client, "document.getElementById('progress').value === 100").await;
    let phases = client
        .execute(
            "return [...document.querySelectorAll('td.phase')].map(td => td.textContent);",
            vec![],
        )
        .await
        .unwrap();
    let phases = phases.as_array().unwrap();
    assert!(!phases.is_empty());
    assert!(
        phases
            .iter()
            .all(|p| p.as_str().unwrap().starts_with("移行完了")),
        "{phases:?}"
    );
    let updates = client
        .execute("return window.updates;", vec![])
        .await
        .unwrap()
        .as_u64()
        .unwrap();
    assert!(updates > 1, "the page took {updates} update(s)");
    client
        .goto(&format!("{base}/runs/migrate.sqlite"))
        .await
        .unwrap();
    until(
        client,
        "document.getElementById('state').textContent === 'finished'",
    )
    .await;
    screenshot(client, "migrate").await;
    updates
}

/// A compatibility chain run from the terminal: its page shows every stage done.
async fn chain(client: &Client, base: &str, dir: &Path) {
    let demo = super::finish::updated_demo(dir);
    let status = Command::new(env!("CARGO_BIN_EXE_ovirt-upgrade"))
        .args(["-q", "finish", "--to", "4.6", "--sim", &demo])
        .args(["--sim-speed", "2000", "--journal"])
        .arg(dir.join("chain.sqlite"))
        .stdout(Stdio::null())
        .status()
        .unwrap();
    assert!(status.success());
    client
        .goto(&format!("{base}/runs/chain.sqlite"))
        .await
        .unwrap();
    until(
        client,
        "document.getElementById('state').textContent === 'finished'",
    )
    .await;
    let phases = client
        .execute(
            "return [...document.querySelectorAll('#steps tr')].map(tr => tr.dataset.phase);",
            vec![],
        )
        .await
        .unwrap();
    let phases = phases.as_array().unwrap();
    assert!(!phases.is_empty());
    assert!(phases.iter().all(|p| p == "done"), "{phases:?}");
    until(client, "document.getElementById('progress').value === 100").await;
    screenshot(client, "chain").await;
}
