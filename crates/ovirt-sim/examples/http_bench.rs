//! The HTTP simulator answering `GET /ovirt-engine/api/hosts` for a generated 2,000-host
//! environment, on loopback, from several keep-alive connections at once. Prints requests
//! per second, latency percentiles and the size of the document.
//!
//!     cargo run --release -p ovirt-sim --example http_bench
//!
//! Client and server share the machine (2 cores here), so the figures are a floor.

use std::time::{Duration, Instant};

use model::{Deployment, Timestamp, Version};
use ovirt_sim::http::{Credentials, HttpSim, ServeOptions};
use ovirt_sim::{SimConfig, SimEngine, Simulator};
use scenario::{generate, GenerateParams};

const HOSTS: u32 = 2_000;
/// Requests per connection, and the wall-time bound of one round.
const REQUESTS_PER_CONNECTION: usize = 60;
const ROUND_LIMIT: Duration = Duration::from_secs(60);

fn percentile(sorted: &[Duration], p: f64) -> Duration {
    sorted[((sorted.len() as f64 - 1.0) * p).round() as usize]
}

/// One connection's client: reqwest keeps the connection alive between requests.
fn client() -> reqwest::Client {
    reqwest::Client::builder()
        .pool_max_idle_per_host(1)
        .build()
        .expect("a client")
}

async fn round(url: &str, token: &str, connections: usize) -> (Vec<Duration>, Duration, usize) {
    let started = Instant::now();
    let mut tasks = Vec::new();
    for _ in 0..connections {
        let (url, token) = (url.to_owned(), token.to_owned());
        tasks.push(tokio::spawn(async move {
            let client = client();
            let mut latencies = Vec::with_capacity(REQUESTS_PER_CONNECTION);
            let mut size = 0;
            for _ in 0..REQUESTS_PER_CONNECTION {
                if started.elapsed() > ROUND_LIMIT {
                    break;
                }
                let sent = Instant::now();
                let response = client
                    .get(&url)
                    .bearer_auth(&token)
                    .header("Version", "4")
                    .send()
                    .await
                    .expect("an answer");
                assert!(
                    response.status().is_success(),
                    "GET /hosts answered {}",
                    response.status()
                );
                size = response.bytes().await.expect("a body").len();
                latencies.push(sent.elapsed());
            }
            (latencies, size)
        }));
    }
    let mut latencies = Vec::new();
    let mut size = 0;
    for task in tasks {
        let (mine, my_size) = task.await.expect("the connection's task");
        latencies.extend(mine);
        size = my_size;
    }
    let elapsed = started.elapsed();
    latencies.sort();
    (latencies, elapsed, size)
}

fn main() {
    let _ = rustls::crypto::ring::default_provider().install_default();
    let params = GenerateParams {
        hosts: HOSTS,
        vms: 40_000,
        clusters: 20,
        disks_per_vm: 1,
        seed: 1,
        manager_version: Version::new(4, 4, 10),
        deployment: Deployment::Standalone,
    };
    let inventory = generate(&params).expect("the generated environment");
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .expect("a runtime");
    runtime.block_on(async {
        let simulator = Simulator::new(inventory, SimConfig::default(), Default::default(), 1, Timestamp::from_millis(1_768_046_400_000));
        let server = HttpSim::start(SimEngine::new(simulator, 1.0, 1), ServeOptions::default()).await.expect("the server");
        let credentials = Credentials::default();
        let token_url = format!("{}/ovirt-engine/sso/oauth/token", server.api_url().trim_end_matches("/ovirt-engine/api"));
        let form = format!("grant_type=password&scope=ovirt-app-api&username={}&password={}", credentials.username.replace('@', "%40"), credentials.password);
        let answer = client().post(token_url).body(form).send().await.expect("SSO answers").text().await.expect("a token");
        let token = answer.split('"').nth(3).expect("access_token").to_owned();
        let url = format!("{}/hosts", server.api_url());

        println!("GET /ovirt-engine/api/hosts, {HOSTS} hosts, loopback, keep-alive");
        round(&url, &token, 1).await;
        for connections in [1, 4, 8] {
            let (latencies, elapsed, size) = round(&url, &token, connections).await;
            let per_second = latencies.len() as f64 / elapsed.as_secs_f64();
            println!(
                "{connections} connection{}: {:>6.1} requests/s, {:>6.1} MB/s, latency p50 {:>6.1} ms, p99 {:>6.1} ms ({} requests, document {:.2} MB)",
                if connections == 1 { " " } else { "s" },
                per_second,
                per_second * size as f64 / 1e6,
                percentile(&latencies, 0.50).as_secs_f64() * 1e3,
                percentile(&latencies, 0.99).as_secs_f64() * 1e3,
                latencies.len(),
                size as f64 / 1e6,
            );
        }
        server.stop().await;
    });
}
