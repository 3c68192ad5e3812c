//! `jzz serve`: units upload cases over an HTTP API; a durable queue in the database; workers
//! judge each case as `jzz nightly` does and keep every dossier a case ever had.
//!
//! - **Accepted means kept.** An upload is read into a scratch folder and opened with the
//!   bundle intake (the same limits and refusals as `jzz verify`: a zip bomb or an oversized
//!   upload is refused whole, with nothing stored); its files go to the store
//!   (`pending/<case-id>/…`, SPEC §6), then the case and its job are committed in one
//!   transaction; only then does the answer say 202.
//! - **Exactly once.** A worker leases a job (`db::Db::claim`), renews the lease while it works,
//!   writes the dossier (`dossiers/<case-id>/dossier.json`, `.html`, and
//!   `dossiers/<case-id>/history/<job-id>.json`, keyed by the job so a retried job overwrites its
//!   own entry), and then finishes the job only if it still holds the lease. A server killed at
//!   any moment leaves a job queued or leased; its lease runs out and another worker (or the
//!   restarted server) takes it.
//! - **Scoped.** A `unit` account sees only its unit's cases: every route that takes a case id
//!   answers 404 for another unit's case, as for a case that does not exist.
//! - The judging is `nightly::judge_one`: the same extraction cache and case state, so the
//!   nightly run skips web-uploaded cases that nothing changed since.

pub mod api;
pub mod db;
pub mod evidence;
pub mod pages;
pub mod review;
pub mod tls;
pub mod worker;

use std::net::SocketAddr;
use std::path::PathBuf;
use std::sync::Arc;
use std::time::Duration;

use crate::case::intake::IntakeLimits;
use crate::classify::Rules;
use crate::policy::Policy;
use crate::read::Limits;
use crate::store::Store;

/// What the server was asked.
#[derive(Clone)]
pub struct ServeOptions {
    /// Where to listen (`127.0.0.1:0` picks a free port; the address is printed).
    pub addr: SocketAddr,
    /// The store URL (`file:///…` or `s3://…`).
    pub store_url: String,
    /// The database URL (`sqlite://…` or `postgres://…`).
    pub db_url: String,
    /// Scratch space for uploads being read.
    pub data_dir: PathBuf,
    /// Cases judged at once.
    pub workers: usize,
    /// How long a worker holds a job without renewing it.
    pub lease: Duration,
    /// The largest upload accepted, in bytes.
    pub max_upload_bytes: u64,
    /// Session cookies marked `Secure` (served over TLS, directly or behind a proxy).
    pub secure_cookies: bool,
    /// Serve HTTPS with this certificate chain and private key (PEM files).
    pub tls: Option<(PathBuf, PathBuf)>,
    /// On SIGTERM, how long the cases in hand may take before they go back to the queue.
    pub shutdown_grace: Duration,
    /// The policy table and its text (for the cases' fingerprints).
    pub policy: Arc<Policy>,
    /// The policy table's text.
    pub policy_text: String,
    /// Classification rules.
    pub rules: Arc<Rules>,
    /// Reading limits.
    pub limits: Limits,
    /// Bundle limits.
    pub intake: IntakeLimits,
}

/// What every request handler shares.
pub struct AppState {
    /// The database.
    pub db: db::Db,
    /// The store.
    pub store: Store,
    /// The options.
    pub opts: ServeOptions,
    /// Uploads accepted since start (for `/metrics`).
    pub uploads: std::sync::atomic::AtomicU64,
    /// Seconds spent judging cases, in milliseconds (for `/metrics`).
    pub processing_ms: std::sync::atomic::AtomicU64,
    /// Recent failed logins per login name.
    pub login_failures:
        std::sync::Mutex<std::collections::HashMap<String, Vec<std::time::Instant>>>,
}

/// The server could not start.
#[derive(Debug, thiserror::Error)]
pub enum ServeError {
    /// The database.
    #[error(transparent)]
    Db(#[from] db::DbError),
    /// The store.
    #[error(transparent)]
    Store(#[from] crate::store::StoreError),
    /// The TLS certificate or key.
    #[error(transparent)]
    Tls(#[from] tls::TlsError),
    /// The listening socket.
    #[error("无法监听 {addr}（listen）：{message}")]
    Listen {
        /// The address.
        addr: SocketAddr,
        /// Why.
        message: String,
    },
}

/// Runs the server until SIGTERM or Ctrl-C: binds, prints `jzz serve: listening on
/// http(s)://ADDR` on stdout, starts the workers, serves. A policy table other than the one the
/// database last saw queues every judged case again. On shutdown new requests are refused, the
/// requests in flight are answered, and the workers finish the case in hand within
/// `shutdown_grace` or give it back to the queue.
pub async fn serve(opts: ServeOptions) -> Result<(), ServeError> {
    let tls_config = match &opts.tls {
        Some((cert, key)) => Some(tls::config(cert, key)?),
        None => None,
    };
    let db = db::Db::open(&opts.db_url).await?;
    let policy_hash = opts.policy.sha256.clone();
    if db.policy_changed(&policy_hash).await? {
        let n = db.requeue_all("policy", None).await?;
        println!("jzz serve: the policy table changed; {n} cases queued again");
        tracing::info!(cases = n, policy = %&policy_hash[..16], "policy changed: cases queued again");
    }
    let store = Store::open(&opts.store_url)?;
    std::fs::create_dir_all(opts.data_dir.join("uploads")).map_err(|e| ServeError::Listen {
        addr: opts.addr,
        message: format!("{}：{e}", opts.data_dir.display()),
    })?;
    let listener = tokio::net::TcpListener::bind(opts.addr)
        .await
        .map_err(|e| ServeError::Listen {
            addr: opts.addr,
            message: e.to_string(),
        })?;
    let addr = listener.local_addr().map_err(|e| ServeError::Listen {
        addr: opts.addr,
        message: e.to_string(),
    })?;
    let state = Arc::new(AppState {
        db,
        store,
        opts,
        uploads: Default::default(),
        processing_ms: Default::default(),
        login_failures: Default::default(),
    });
    let (stop_tx, stop_rx) = tokio::sync::watch::channel(false);
    let mut workers = Vec::new();
    for n in 0..state.opts.workers.max(1) {
        workers.push(tokio::spawn(worker::run(state.clone(), n, stop_rx.clone())));
    }
    let scheme = if tls_config.is_some() {
        "https"
    } else {
        "http"
    };
    println!("jzz serve: listening on {scheme}://{addr}");
    tracing::info!(addr = %addr, workers = state.opts.workers, scheme, "serve started");
    let app = api::router(state.clone());
    let stopping = async {
        shutdown_signal().await;
        tracing::info!("serve stopping");
    };
    let served = match tls_config {
        Some(cfg) => {
            tls::serve(listener, app, cfg, stopping).await;
            Ok(())
        }
        None => {
            axum::serve(listener, app)
                .with_graceful_shutdown(stopping)
                .await
        }
    };
    let _ = stop_tx.send(true);
    for w in workers {
        let _ = w.await;
    }
    served.map_err(|e| ServeError::Listen {
        addr,
        message: e.to_string(),
    })
}

async fn shutdown_signal() {
    let ctrl_c = async {
        let _ = tokio::signal::ctrl_c().await;
    };
    let term = async {
        match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
            Ok(mut s) => {
                s.recv().await;
            }
            Err(_) => std::future::pending::<()>().await,
        }
    };
    tokio::select! {
        _ = ctrl_c => {},
        _ = term => {},
    }
}

/// A new API token: the token (shown once) and the hash the database keeps.
pub fn new_token() -> (String, String) {
    let token = format!("jzz_{}", db::random_hex(24));
    let hash = token_hash(&token);
    (token, hash)
}

/// The stored form of a token: its sha256 (a token has 192 random bits; a slow hash adds
/// nothing and would cost every request).
pub fn token_hash(token: &str) -> String {
    crate::case::intake::sha256_hex(token.as_bytes())
}

/// An argon2id hash of a password (PHC string).
pub fn hash_password(password: &str) -> Result<String, String> {
    use argon2::password_hash::{PasswordHasher, SaltString, rand_core::OsRng};
    let salt = SaltString::generate(&mut OsRng);
    argon2::Argon2::default()
        .hash_password(password.as_bytes(), &salt)
        .map(|h| h.to_string())
        .map_err(|e| e.to_string())
}
