//! A `jzz serve` process on loopback for the tests: started on port 0 (the address read from
//! its first line), accounts and tokens made with `jzz admin`, killed with SIGKILL or stopped
//! with SIGTERM.

use std::io::{BufRead, BufReader};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

/// A running server.
pub struct Serve {
    /// The process.
    pub child: Child,
    /// `http://127.0.0.1:PORT`.
    pub base: String,
    /// The data directory.
    pub data: PathBuf,
    /// The database URL given with `--db` (None: the SQLite file in the data directory).
    pub db: Option<String>,
    stderr_log: PathBuf,
}

/// The jzz binary.
pub fn jzz() -> Command {
    Command::new(env!("CARGO_BIN_EXE_jzz"))
}

/// `jzz admin` on a data directory (and database): stdout, or a panic with stderr.
pub fn admin(data: &Path, db: Option<&str>, args: &[&str]) -> String {
    let mut c = jzz();
    c.arg("admin").arg("--data").arg(data);
    if let Some(db) = db {
        c.arg("--db").arg(db);
    }
    let out = c.args(args).output().expect("run jzz admin");
    assert!(
        out.status.success(),
        "jzz admin {args:?}: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8_lossy(&out.stdout).into_owned()
}

/// A unit account with a token: the token.
pub fn unit_token(data: &Path, db: Option<&str>, login: &str, code: &str, name: &str) -> String {
    admin(
        data,
        db,
        &[
            "user",
            "add",
            login,
            "--role",
            "unit",
            "--unit-code",
            code,
            "--unit-name",
            name,
            "--no-password",
        ],
    );
    admin(data, db, &["token", "add", login]).trim().to_string()
}

/// An account of another role with a token: the token.
pub fn role_token(data: &Path, db: Option<&str>, login: &str, role: &str) -> String {
    admin(
        data,
        db,
        &["user", "add", login, "--role", role, "--no-password"],
    );
    admin(data, db, &["token", "add", login]).trim().to_string()
}

impl Serve {
    /// Starts `jzz serve --addr 127.0.0.1:0 --data DATA [--db DB] ARGS…` and waits for its
    /// address.
    pub fn start(data: &Path, db: Option<&str>, args: &[&str]) -> Serve {
        let stderr_log = data.join(format!(
            "serve-{}.log",
            std::time::SystemTime::now()
                .duration_since(std::time::UNIX_EPOCH)
                .unwrap()
                .as_nanos()
        ));
        std::fs::create_dir_all(data).unwrap();
        let mut c = jzz();
        c.args(["serve", "--addr", "127.0.0.1:0", "--log-format", "json"])
            .arg("--data")
            .arg(data);
        if let Some(db) = db {
            c.arg("--db").arg(db);
        }
        let mut child = c
            .args(args)
            .stdout(Stdio::piped())
            .stderr(std::fs::File::create(&stderr_log).unwrap())
            .spawn()
            .expect("start jzz serve");
        let stdout = child.stdout.take().unwrap();
        let (tx, rx) = std::sync::mpsc::channel();
        std::thread::spawn(move || {
            for line in BufReader::new(stdout).lines().map_while(Result::ok) {
                if let Some(a) = line.strip_prefix("jzz serve: listening on ") {
                    let _ = tx.send(a.to_string());
                }
            }
        });
        let base = match rx.recv_timeout(Duration::from_secs(60)) {
            Ok(b) => b,
            Err(_) => {
                let _ = child.kill();
                panic!(
                    "jzz serve did not start:\n{}",
                    std::fs::read_to_string(&stderr_log).unwrap_or_default()
                );
            }
        };
        Serve {
            child,
            base,
            data: data.to_path_buf(),
            db: db.map(str::to_string),
            stderr_log,
        }
    }

    /// The URL of a path.
    pub fn url(&self, path: &str) -> String {
        format!("{}{path}", self.base)
    }

    /// SIGKILL, no goodbye.
    pub fn kill9(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }

    /// SIGTERM and wait for the exit status.
    pub fn terminate(&mut self) -> std::process::ExitStatus {
        unsafe {
            libc::kill(self.child.id() as i32, libc::SIGTERM);
        }
        let t = Instant::now();
        loop {
            if let Some(s) = self.child.try_wait().unwrap() {
                return s;
            }
            assert!(
                t.elapsed() < Duration::from_secs(120),
                "no exit after SIGTERM"
            );
            std::thread::sleep(Duration::from_millis(50));
        }
    }

    /// What the server logged.
    pub fn log(&self) -> String {
        std::fs::read_to_string(&self.stderr_log).unwrap_or_default()
    }
}

impl Drop for Serve {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// A multipart form of every file of a bundle folder (case.toml included).
pub fn bundle_form(dir: &Path) -> reqwest::blocking::multipart::Form {
    let mut names: Vec<PathBuf> = std::fs::read_dir(dir)
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.is_file())
        .collect();
    names.sort();
    let mut form = reqwest::blocking::multipart::Form::new();
    for p in names {
        let name = p.file_name().unwrap().to_string_lossy().into_owned();
        let part =
            reqwest::blocking::multipart::Part::bytes(std::fs::read(&p).unwrap()).file_name(name);
        form = form.part("file", part);
    }
    form
}

/// A blocking HTTP client with a generous timeout.
pub fn client() -> reqwest::blocking::Client {
    reqwest::blocking::Client::builder()
        .timeout(Duration::from_secs(120))
        .build()
        .unwrap()
}

/// Polls a case until its state is `done` or `failed`: the case JSON.
pub fn wait_done(
    c: &reqwest::blocking::Client,
    s: &Serve,
    token: &str,
    id: &str,
    within: Duration,
) -> serde_json::Value {
    let t = Instant::now();
    loop {
        let r = c
            .get(s.url(&format!("/api/v1/cases/{id}")))
            .bearer_auth(token)
            .send()
            .unwrap();
        assert_eq!(r.status(), 200);
        let v: serde_json::Value = r.json().unwrap();
        if v["state"] == "done" || v["state"] == "failed" {
            return v;
        }
        assert!(
            t.elapsed() < within,
            "case {id} still {} after {within:?}:\n{}",
            v["state"],
            s.log()
        );
        std::thread::sleep(Duration::from_millis(100));
    }
}

/// A valid credit code for a second unit (its check character found by trying each).
pub fn unit_b_code() -> String {
    let first17 = "91110105MA00Q8T3X";
    "0123456789ABCDEFGHJKLMNPQRTUWXY"
        .chars()
        .map(|c| format!("{first17}{c}"))
        .find(|c| jzz::model::CreditCode::parse(c).is_ok())
        .expect("a check character")
}

/// Polls a case until it is done with `n` dossiers in its history (at most 120 s): the case JSON.
pub fn wait_dossiers(
    c: &reqwest::blocking::Client,
    s: &Serve,
    token: &str,
    id: &str,
    n: i64,
) -> serde_json::Value {
    let t = Instant::now();
    loop {
        let v = wait_done(c, s, token, id, Duration::from_secs(120));
        if v["dossiers"] == n || t.elapsed() > Duration::from_secs(120) {
            return v;
        }
        std::thread::sleep(Duration::from_millis(100));
    }
}

/// The `src` of every crop image (`<img class="crop" … src="…">`) on a case page.
pub fn crop_srcs(page: &str) -> Vec<String> {
    page.split("<img class=\"crop\"")
        .skip(1)
        .filter_map(|x| {
            x.split("src=\"")
                .nth(1)?
                .split('"')
                .next()
                .map(str::to_string)
        })
        .collect()
}

/// A browser-like client (cookies kept, redirects not followed) logged in through the login
/// page as `login`.
pub fn logged_in(s: &Serve, login: &str, password: &str) -> reqwest::blocking::Client {
    let b = reqwest::blocking::Client::builder()
        .cookie_store(true)
        .redirect(reqwest::redirect::Policy::none())
        .timeout(Duration::from_secs(300))
        .build()
        .unwrap();
    let page = b.get(s.url("/login")).send().unwrap().text().unwrap();
    let k = r#"name="csrf" value=""#;
    let i = page.find(k).unwrap() + k.len();
    let csrf = page[i..].split('"').next().unwrap().to_string();
    let r = b
        .post(s.url("/login"))
        .form(&[
            ("login", login),
            ("password", password),
            ("csrf", csrf.as_str()),
        ])
        .send()
        .unwrap();
    assert_eq!(r.status(), 303, "login {login}");
    b
}
