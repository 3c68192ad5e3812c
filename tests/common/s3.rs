//! A real S3-protocol server on loopback for integration tests: moto in server mode.
//!
//! ```ignore
//! mod common;
//! use common::s3::S3Server;
//!
//! let s3 = S3Server::start(); // fresh server, fresh empty bucket
//! let store = s3.store(); // Arc<dyn ObjectStore> on that bucket
//! let url = s3.url("cases"); // "s3://<bucket>/cases"
//! let mut cmd = std::process::Command::new(env!("CARGO_BIN_EXE_jzz"));
//! s3.apply_env(&mut cmd); // AWS_* pointing at the server, nothing inherited
//! ```
//!
//! The server binary comes from `JZZ_MOTO_SERVER`, else from `bash scripts/s3-server.sh path`
//! (install it with `bash scripts/s3-server.sh install`; `.ci/s3-setup.sh` does that in CI).
//! Each `S3Server` is its own moto process (its own empty state), bound to 127.0.0.1 on a port
//! the kernel picks (`-p 0`; the port is read back from moto's "Running on" line, so two
//! servers never race for a port). Dropping it kills the process and reaps it.
//! Set `JZZ_S3_LOG=1` to see moto's own log (one line per request) on stderr.

use std::collections::VecDeque;
use std::io::{BufRead, BufReader, Read, Write};
use std::net::{SocketAddr, TcpStream};
use std::process::{Child, Command, Stdio};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::mpsc;
use std::sync::{Arc, Mutex};
use std::thread;
use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};

use object_store::aws::{AmazonS3, AmazonS3Builder};
use object_store::{BackoffConfig, ClientOptions, ObjectStore, RetryConfig};

/// Everything about starting (finding, spawning, answering, creating the bucket) is bounded
/// by this.
const START_TIMEOUT: Duration = Duration::from_secs(30);
/// How many of moto's last output lines are kept for panic messages.
const LOG_LINES: usize = 40;

pub const REGION: &str = "us-east-1";
pub const ACCESS_KEY_ID: &str = "test";
pub const SECRET_ACCESS_KEY: &str = "test";

pub struct S3Server {
    /// `http://127.0.0.1:PORT`
    pub endpoint: String,
    /// A fresh bucket created on this server, e.g. `jzz-test-1234-0-5f3a`.
    pub bucket: String,
    pub port: u16,
    child: Child,
    log: Arc<Mutex<VecDeque<String>>>,
}

impl S3Server {
    /// Starts moto on a free loopback port (bound to 127.0.0.1 only), waits until it answers
    /// (at most 30 s) and creates a fresh bucket with a unique name.
    ///
    /// Panics with a message naming `scripts/s3-server.sh install` if the server cannot be
    /// found, and with moto's last output lines if it cannot be started.
    pub fn start() -> S3Server {
        let deadline = Instant::now() + START_TIMEOUT;
        let program = server_path();
        let mut cmd = Command::new(&program);
        cmd.args(["-H", "127.0.0.1", "-p", "0"])
            .stdin(Stdio::null())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .env("PYTHONUNBUFFERED", "1")
            .env("PYTHONDONTWRITEBYTECODE", "1");
        // moto reads a few AWS_*/MOTO_* settings of its own; keep the host's out of it.
        for (key, _) in std::env::vars_os() {
            if let Some(key) = key.to_str()
                && (key.starts_with("AWS_") || key.starts_with("MOTO_"))
            {
                cmd.env_remove(key);
            }
        }
        let mut child = cmd.spawn().unwrap_or_else(|e| {
            panic!(
                "cannot run the S3 test server {program}: {e}\n\
                 install it with: bash scripts/s3-server.sh install \
                 (or set JZZ_MOTO_SERVER to a moto_server executable)"
            )
        });

        let log = Arc::new(Mutex::new(VecDeque::with_capacity(LOG_LINES)));
        let (tx, rx) = mpsc::channel::<String>();
        let echo = std::env::var_os("JZZ_S3_LOG").is_some_and(|v| v != "0" && !v.is_empty());
        let stdout = child.stdout.take().expect("piped stdout");
        let stderr = child.stderr.take().expect("piped stderr");
        spawn_drain(stdout, tx.clone(), Arc::clone(&log), echo);
        spawn_drain(stderr, tx, Arc::clone(&log), echo);

        // From here on a panic must not leak the process: wrap it before anything can fail.
        let mut server = S3Server {
            endpoint: String::new(),
            bucket: String::new(),
            port: 0,
            child,
            log,
        };

        // 1. The port, from moto's (werkzeug's) " * Running on http://127.0.0.1:PORT" line.
        let port = loop {
            let now = Instant::now();
            if now >= deadline {
                server.fail("did not report its port within 30 s");
            }
            match rx.recv_timeout((deadline - now).min(Duration::from_millis(200))) {
                Ok(line) => {
                    if let Some(port) = parse_port(&line) {
                        break port;
                    }
                }
                Err(mpsc::RecvTimeoutError::Timeout) => {}
                Err(mpsc::RecvTimeoutError::Disconnected) => {
                    // Both streams closed: the process is gone (or closed them). Say why.
                    thread::sleep(Duration::from_millis(200));
                    let why = match server.child.try_wait() {
                        Ok(Some(status)) => format!("exited before reporting a port ({status})"),
                        _ => "closed its output before reporting a port".to_string(),
                    };
                    server.fail(&why);
                }
            }
            if let Ok(Some(status)) = server.child.try_wait() {
                server.fail(&format!("exited early ({status})"));
            }
        };
        drop(rx); // the drain threads keep reading (into the log); sends now just fail
        server.port = port;
        server.endpoint = format!("http://127.0.0.1:{port}");

        // 2. Readiness: GET / answers with any HTTP status.
        while let Err(e) = http(port, "GET", "/") {
            if let Ok(Some(status)) = server.child.try_wait() {
                server.fail(&format!("exited early ({status})"));
            }
            if Instant::now() >= deadline {
                server.fail(&format!(
                    "did not answer GET / on port {port} within 30 s (last error: {e})"
                ));
            }
            thread::sleep(Duration::from_millis(50));
        }

        // 3. A fresh bucket. moto accepts an unsigned path-style PUT /<bucket>.
        let bucket = unique_bucket_name();
        match http(port, "PUT", &format!("/{bucket}")) {
            Ok((200, _)) => {}
            Ok((status, body)) => server.fail(&format!(
                "answered {status} to PUT /{bucket} (create bucket): {}",
                body.trim()
            )),
            Err(e) => server.fail(&format!("PUT /{bucket} (create bucket) failed: {e}")),
        }
        server.bucket = bucket;
        server
    }

    /// The env vars a client (or the jzz binary) needs to reach this server.
    pub fn env(&self) -> Vec<(String, String)> {
        [
            ("AWS_ENDPOINT", self.endpoint.as_str()),
            ("AWS_ENDPOINT_URL", self.endpoint.as_str()),
            ("AWS_REGION", REGION),
            ("AWS_ACCESS_KEY_ID", ACCESS_KEY_ID),
            ("AWS_SECRET_ACCESS_KEY", SECRET_ACCESS_KEY),
            ("AWS_ALLOW_HTTP", "true"),
        ]
        .into_iter()
        .map(|(k, v)| (k.to_string(), v.to_string()))
        .collect()
    }

    /// Removes every inherited `AWS_*` variable from `cmd` (a host's `AWS_ENDPOINT_URL_S3`,
    /// `AWS_SESSION_TOKEN`, `AWS_PROFILE`… would otherwise override or confuse the test
    /// config) and sets [`S3Server::env`].
    pub fn apply_env<'a>(&self, cmd: &'a mut Command) -> &'a mut Command {
        for (key, _) in std::env::vars_os() {
            if let Some(key) = key.to_str()
                && key.starts_with("AWS_")
            {
                cmd.env_remove(key);
            }
        }
        cmd.envs(self.env())
    }

    /// `s3://<bucket>`, or `s3://<bucket>/<prefix>` when `prefix` is not empty (leading and
    /// trailing slashes of `prefix` are dropped).
    pub fn url(&self, prefix: &str) -> String {
        let prefix = prefix.trim_matches('/');
        if prefix.is_empty() {
            format!("s3://{}", self.bucket)
        } else {
            format!("s3://{}/{prefix}", self.bucket)
        }
    }

    /// An object_store client for the bucket: path-style, plain http, static test
    /// credentials, and short retries (a dead server fails a test in seconds, not minutes).
    pub fn store(&self) -> Arc<dyn ObjectStore> {
        Arc::new(self.amazon_s3())
    }

    /// The same client as [`S3Server::store`], as the concrete type (for S3-only APIs such as
    /// `object_store::list::PaginatedListStore`).
    pub fn amazon_s3(&self) -> AmazonS3 {
        AmazonS3Builder::new()
            .with_endpoint(&self.endpoint)
            .with_bucket_name(&self.bucket)
            .with_region(REGION)
            .with_access_key_id(ACCESS_KEY_ID)
            .with_secret_access_key(SECRET_ACCESS_KEY)
            .with_virtual_hosted_style_request(false)
            // `with_client_options` replaces the whole ClientOptions, including a previous
            // `with_allow_http(true)` (then every request fails with reqwest's `BadScheme`),
            // so allow_http goes in here.
            .with_client_options(
                ClientOptions::new()
                    .with_allow_http(true)
                    .with_connect_timeout(Duration::from_secs(5))
                    .with_timeout(Duration::from_secs(30)),
            )
            .with_retry(RetryConfig {
                backoff: BackoffConfig {
                    init_backoff: Duration::from_millis(50),
                    max_backoff: Duration::from_millis(500),
                    base: 2.0,
                },
                max_retries: 2,
                retry_timeout: Duration::from_secs(10),
            })
            .build()
            .unwrap_or_else(|e| panic!("object_store client for {}: {e}", self.endpoint))
    }

    /// moto's last output lines (for assertions' messages).
    pub fn recent_log(&self) -> String {
        let log = self.log.lock().unwrap_or_else(|e| e.into_inner());
        log.iter()
            .map(String::as_str)
            .collect::<Vec<_>>()
            .join("\n")
    }

    fn fail(&mut self, what: &str) -> ! {
        let _ = self.child.kill();
        let _ = self.child.wait();
        thread::sleep(Duration::from_millis(50)); // let the drain threads catch the last lines
        panic!(
            "S3 test server (moto) {what}\n--- its last output ---\n{}\n---\n\
             if moto is missing or broken: bash scripts/s3-server.sh install",
            self.recent_log()
        );
    }
}

impl Drop for S3Server {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// `JZZ_MOTO_SERVER`, else what `bash scripts/s3-server.sh path` prints.
fn server_path() -> String {
    if let Some(path) = std::env::var_os("JZZ_MOTO_SERVER").filter(|p| !p.is_empty()) {
        return path.to_string_lossy().into_owned();
    }
    let script = concat!(env!("CARGO_MANIFEST_DIR"), "/scripts/s3-server.sh");
    let out = Command::new("bash")
        .args([script, "path"])
        .stdin(Stdio::null())
        .output()
        .unwrap_or_else(|e| panic!("cannot run bash {script} path: {e}"));
    let path = String::from_utf8_lossy(&out.stdout).trim().to_string();
    if !out.status.success() || path.is_empty() {
        panic!(
            "the S3 test server (moto) is not installed: {}\n\
             install it with: bash scripts/s3-server.sh install \
             (or set JZZ_MOTO_SERVER to a moto_server executable)",
            String::from_utf8_lossy(&out.stderr).trim()
        );
    }
    path
}

fn spawn_drain<R: Read + Send + 'static>(
    stream: R,
    tx: mpsc::Sender<String>,
    log: Arc<Mutex<VecDeque<String>>>,
    echo: bool,
) {
    thread::spawn(move || {
        // Byte lines, decoded lossily: stopping on bad UTF-8 would stop draining, and moto
        // would then block on a full pipe.
        let mut reader = BufReader::new(stream);
        let mut buf = Vec::new();
        loop {
            buf.clear();
            match reader.read_until(b'\n', &mut buf) {
                Ok(0) | Err(_) => break,
                Ok(_) => {}
            }
            let line = String::from_utf8_lossy(&buf).trim_end().to_string();
            if echo {
                eprintln!("[moto] {line}");
            }
            {
                let mut log = log.lock().unwrap_or_else(|e| e.into_inner());
                if log.len() == LOG_LINES {
                    log.pop_front();
                }
                log.push_back(line.clone());
            }
            let _ = tx.send(line);
        }
    });
}

/// The port in werkzeug's " * Running on http://127.0.0.1:PORT" line.
fn parse_port(line: &str) -> Option<u16> {
    const NEEDLE: &str = "Running on http://127.0.0.1:";
    let rest = &line[line.find(NEEDLE)? + NEEDLE.len()..];
    let digits: String = rest.chars().take_while(char::is_ascii_digit).collect();
    digits.parse().ok().filter(|&p| p != 0)
}

fn unique_bucket_name() -> String {
    static NEXT: AtomicUsize = AtomicUsize::new(0);
    let n = NEXT.fetch_add(1, Ordering::Relaxed);
    let nanos = SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map(|d| d.subsec_nanos())
        .unwrap_or(0);
    // 3-63 chars, lowercase letters, digits and hyphens.
    format!("jzz-test-{}-{n}-{nanos:08x}", std::process::id())
}

/// One bodiless HTTP/1.1 request on loopback; returns (status, body). Bounded by timeouts.
fn http(port: u16, method: &str, path: &str) -> std::io::Result<(u16, String)> {
    let addr = SocketAddr::from(([127, 0, 0, 1], port));
    let mut stream = TcpStream::connect_timeout(&addr, Duration::from_secs(2))?;
    stream.set_read_timeout(Some(Duration::from_secs(5)))?;
    stream.set_write_timeout(Some(Duration::from_secs(5)))?;
    write!(
        stream,
        "{method} {path} HTTP/1.1\r\nHost: 127.0.0.1:{port}\r\nContent-Length: 0\r\n\
         Connection: close\r\n\r\n"
    )?;
    let mut response = Vec::new();
    stream.take(1 << 20).read_to_end(&mut response)?;
    let text = String::from_utf8_lossy(&response);
    let status = text
        .strip_prefix("HTTP/1.")
        .and_then(|rest| rest.get(2..5))
        .and_then(|code| code.parse().ok())
        .ok_or_else(|| {
            std::io::Error::new(
                std::io::ErrorKind::InvalidData,
                format!(
                    "not an HTTP response: {:?}",
                    text.chars().take(80).collect::<String>()
                ),
            )
        })?;
    let body = text
        .split_once("\r\n\r\n")
        .map_or("", |(_, b)| b)
        .to_string();
    Ok((status, body))
}
