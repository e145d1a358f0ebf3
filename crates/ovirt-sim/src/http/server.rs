//! Listening and serving connections: plain HTTP/1.1 or TLS, keep-alive, and the transport
//! faults, which need a hand on the connection (a dropped connection closes it unanswered).

use std::net::SocketAddr;
use std::sync::{Arc, Mutex};

use axum::body::Body;
use axum::http::{header, Request, Response};
use hyper::body::Incoming;
use hyper::service::{service_fn, Service as _};
use hyper_util::rt::TokioIo;
use hyper_util::service::TowerToHyperService;
use ovirt_wire::ApiPath;
use tokio::net::{TcpListener, TcpStream};
use tokio::sync::oneshot;
use tokio::task::JoinHandle;
use tokio_rustls::TlsAcceptor;

use super::auth::{Credentials, Tokens};
use super::{reply, router, tls, App, API_PATH};
use crate::{SimEngine, SLOW_ANSWER};

/// How to serve the simulator.
#[derive(Debug, Clone)]
pub struct ServeOptions {
    /// Where to listen; port 0 picks a free one.
    pub listen: SocketAddr,
    /// The one user that may log in.
    pub credentials: Credentials,
    /// Serve HTTPS with a CA made at start.
    pub tls: bool,
    /// The state of the certificates served with `tls`.
    pub tls_profile: tls::TlsProfile,
}

impl Default for ServeOptions {
    fn default() -> Self {
        ServeOptions {
            listen: SocketAddr::from(([127, 0, 0, 1], 0)),
            credentials: Credentials::default(),
            tls: false,
            tls_profile: tls::TlsProfile::default(),
        }
    }
}

#[derive(Debug, thiserror::Error)]
pub enum ServeError {
    #[error("cannot listen on {address}: {source} (is another program using the port? choose another with --listen)")]
    Listen {
        address: SocketAddr,
        source: std::io::Error,
    },
    #[error(transparent)]
    Tls(#[from] tls::TlsError),
}

/// A running simulated engine. Stops when [`HttpSim::stop`] is called or it is dropped.
pub struct HttpSim {
    address: SocketAddr,
    tls: bool,
    ca_pem: Option<String>,
    engine: SimEngine,
    shutdown: Option<oneshot::Sender<()>>,
    task: Option<JoinHandle<()>>,
}

/// The connection was closed on purpose, without an answer (a transport fault).
#[derive(Debug, thiserror::Error)]
#[error("connection dropped by the simulated transport fault")]
struct Dropped;

impl HttpSim {
    /// Listens and serves `engine` until stopped.
    pub async fn start(engine: SimEngine, options: ServeOptions) -> Result<HttpSim, ServeError> {
        let listener =
            TcpListener::bind(options.listen)
                .await
                .map_err(|source| ServeError::Listen {
                    address: options.listen,
                    source,
                })?;
        let address = listener.local_addr().map_err(|source| ServeError::Listen {
            address: options.listen,
            source,
        })?;
        let tls = options
            .tls
            .then(|| tls::generate(address.ip(), options.tls_profile))
            .transpose()?;
        let ca_pem = tls.as_ref().map(|t| t.ca_pem.clone());
        let app = Arc::new(App {
            engine: engine.clone(),
            tokens: Tokens::default(),
            credentials: options.credentials,
            api: ApiPath::new(API_PATH),
            ca_pem: ca_pem.clone(),
            jobs: Mutex::new(Default::default()),
        });
        let (shutdown, stopped) = oneshot::channel();
        let task = tokio::spawn(accept_loop(listener, app, tls.map(|t| t.acceptor), stopped));
        Ok(HttpSim {
            address,
            tls: options.tls,
            ca_pem,
            engine,
            shutdown: Some(shutdown),
            task: Some(task),
        })
    }

    pub fn local_addr(&self) -> SocketAddr {
        self.address
    }

    /// `http://127.0.0.1:PORT/ovirt-engine/api` (`https` with TLS); an unspecified listen
    /// address is shown as the loopback one.
    pub fn api_url(&self) -> String {
        let ip = if self.address.ip().is_unspecified() {
            "127.0.0.1".parse().expect("an address")
        } else {
            self.address.ip()
        };
        let scheme = if self.tls { "https" } else { "http" };
        format!(
            "{scheme}://{}{API_PATH}",
            SocketAddr::new(ip, self.address.port())
        )
    }

    /// The CA that signed the server certificate, in PEM; `None` without TLS.
    pub fn ca_pem(&self) -> Option<&str> {
        self.ca_pem.as_deref()
    }

    pub fn engine(&self) -> &SimEngine {
        &self.engine
    }

    /// Stops listening; connections being served finish their request.
    pub async fn stop(mut self) {
        if let Some(shutdown) = self.shutdown.take() {
            let _ = shutdown.send(());
        }
        if let Some(task) = self.task.take() {
            let _ = task.await;
        }
    }
}

impl Drop for HttpSim {
    fn drop(&mut self) {
        if let Some(task) = &self.task {
            task.abort();
        }
    }
}

async fn accept_loop(
    listener: TcpListener,
    app: Arc<App>,
    tls: Option<TlsAcceptor>,
    mut stopped: oneshot::Receiver<()>,
) {
    let router = router(app.clone());
    loop {
        let stream = tokio::select! {
            _ = &mut stopped => return,
            accepted = listener.accept() => match accepted {
                Ok((stream, _)) => stream,
                // Out of file descriptors and the like: try again shortly rather than spin.
                Err(_) => {
                    tokio::time::sleep(std::time::Duration::from_millis(50)).await;
                    continue;
                }
            },
        };
        let _ = stream.set_nodelay(true);
        tokio::spawn(serve_connection(
            stream,
            app.clone(),
            router.clone(),
            tls.clone(),
        ));
    }
}

async fn serve_connection(
    stream: TcpStream,
    app: Arc<App>,
    router: axum::Router,
    tls: Option<TlsAcceptor>,
) {
    let router = TowerToHyperService::new(router);
    let service = service_fn(move |request: Request<Incoming>| {
        let (app, router) = (app.clone(), router.clone());
        async move {
            if request.uri().path().starts_with(API_PATH) {
                let roll = app.engine.roll_transport();
                if roll.slow {
                    tokio::time::sleep(SLOW_ANSWER).await;
                }
                if roll.dropped {
                    return Err(Dropped);
                }
                if roll.unavailable {
                    return Ok(reply::unavailable());
                }
                if roll.token_expired {
                    if let Some(token) = bearer_token(&request) {
                        app.tokens.expire(&token);
                    }
                }
            }
            let response: Response<Body> = match router.call(request).await {
                Ok(response) => response,
                Err(never) => match never {},
            };
            Ok::<_, Dropped>(response)
        }
    });
    let http = hyper::server::conn::http1::Builder::new();
    // Errors here are the client going away or a dropped connection: nothing to report.
    let _ = match tls {
        Some(acceptor) => match acceptor.accept(stream).await {
            Ok(stream) => http.serve_connection(TokioIo::new(stream), service).await,
            Err(_) => return,
        },
        None => http.serve_connection(TokioIo::new(stream), service).await,
    };
}

fn bearer_token(request: &Request<Incoming>) -> Option<String> {
    let value = request
        .headers()
        .get(header::AUTHORIZATION)?
        .to_str()
        .ok()?
        .trim();
    let token = value
        .strip_prefix("Bearer ")
        .or_else(|| value.strip_prefix("bearer "))?;
    Some(token.trim().to_owned())
}
