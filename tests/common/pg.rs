//! A real PostgreSQL server on loopback for the tests: Debian's `postgresql` package
//! (`scripts/pg-deps.sh` installs it), a fresh cluster in a temporary directory made with
//! `initdb`, started with `pg_ctl` on a free port, stopped and removed when dropped. PostgreSQL
//! refuses to run as root: as root the cluster belongs to the `postgres` user and the commands
//! run through `runuser`.

use std::path::{Path, PathBuf};
use std::process::Command;

/// A running cluster.
pub struct Pg {
    dir: tempfile::TempDir,
    bin: PathBuf,
    root: bool,
    /// `postgres://jzz@127.0.0.1:PORT/postgres`.
    pub url: String,
}

fn pg_bin() -> PathBuf {
    let mut found: Vec<PathBuf> = std::fs::read_dir("/usr/lib/postgresql")
        .map(|r| r.flatten().map(|e| e.path().join("bin")).collect())
        .unwrap_or_default();
    found.retain(|b| b.join("initdb").exists());
    found.sort();
    found.pop().unwrap_or_else(|| {
        panic!(
            "PostgreSQL is not installed (no /usr/lib/postgresql/*/bin/initdb): \
             run `bash scripts/pg-deps.sh` (Debian package postgresql)"
        )
    })
}

fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port()
}

impl Pg {
    /// Starts a fresh cluster; panics with the server's log when it cannot.
    pub fn start() -> Pg {
        let bin = pg_bin();
        let root = unsafe { libc::geteuid() } == 0;
        let dir = tempfile::tempdir().unwrap();
        if root {
            let st = Command::new("chown")
                .args(["-R", "postgres:postgres"])
                .arg(dir.path())
                .status()
                .unwrap();
            assert!(st.success(), "chown the cluster directory to postgres");
        }
        let data = dir.path().join("data");
        let mut pg = Pg {
            dir,
            bin,
            root,
            url: String::new(),
        };
        pg.run(
            "initdb",
            &[
                "-D",
                data.to_str().unwrap(),
                "-A",
                "trust",
                "-U",
                "jzz",
                "-E",
                "UTF8",
                "--no-sync",
            ],
        );
        let port = free_port();
        let opts = format!(
            "-p {port} -k {} -c listen_addresses=127.0.0.1 -c fsync=off",
            pg.dir.path().display()
        );
        let log = pg.dir.path().join("server.log");
        pg.run(
            "pg_ctl",
            &[
                "-D",
                data.to_str().unwrap(),
                "-o",
                &opts,
                "-l",
                log.to_str().unwrap(),
                "-w",
                "-t",
                "60",
                "start",
            ],
        );
        pg.url = format!("postgres://jzz@127.0.0.1:{port}/postgres");
        pg
    }

    fn run(&self, tool: &str, args: &[&str]) {
        let exe = self.bin.join(tool);
        let out = if self.root {
            Command::new("runuser")
                .args(["-u", "postgres", "--"])
                .arg(&exe)
                .args(args)
                .current_dir(self.dir.path())
                .output()
        } else {
            Command::new(&exe)
                .args(args)
                .current_dir(self.dir.path())
                .output()
        }
        .unwrap_or_else(|e| panic!("{}: {e}", exe.display()));
        assert!(
            out.status.success(),
            "{tool} {args:?}: {}{}\n{}",
            String::from_utf8_lossy(&out.stdout),
            String::from_utf8_lossy(&out.stderr),
            std::fs::read_to_string(self.dir.path().join("server.log")).unwrap_or_default()
        );
    }

    /// The cluster's directory.
    pub fn dir(&self) -> &Path {
        self.dir.path()
    }
}

impl Drop for Pg {
    fn drop(&mut self) {
        let data = self.dir.path().join("data");
        if data.exists() && !self.url.is_empty() {
            let exe = self.bin.join("pg_ctl");
            let args = ["-D", data.to_str().unwrap_or(""), "-m", "immediate", "stop"];
            let _ = if self.root {
                Command::new("runuser")
                    .args(["-u", "postgres", "--"])
                    .arg(&exe)
                    .args(args)
                    .output()
            } else {
                Command::new(&exe).args(args).output()
            };
        }
    }
}
