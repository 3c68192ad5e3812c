//! `cargo bench --bench nightly`: 1,000 generated cases (spreadsheet and text-PDF bundles) on
//! the local store: cases per second for a cold run, a warm re-run and a re-run after a policy
//! change, and the peak memory of each `jzz nightly` process. Every case's files carry a unique
//! trailer, so the cold run really reads every file. Prints figures; asserts only that the
//! runs succeed.

use std::path::Path;
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

fn copy_unique(from: &Path, to: &Path, tag: &str) {
    std::fs::create_dir_all(to).unwrap();
    for e in std::fs::read_dir(from).unwrap().flatten() {
        let p = e.path();
        let mut bytes = std::fs::read(&p).unwrap();
        if p.file_name().unwrap() != "case.toml" {
            bytes.extend_from_slice(format!("\n%{tag}\n").as_bytes());
        }
        std::fs::write(to.join(e.file_name()), bytes).unwrap();
    }
}

fn run(store: &Path, args: &[&str]) -> (Duration, f64) {
    let t = Instant::now();
    #[allow(clippy::zombie_processes)]
    let child = Command::new(env!("CARGO_BIN_EXE_jzz"))
        .arg("nightly")
        .arg("--store")
        .arg(format!("file://{}", store.display()))
        .args(args)
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    let pid = child.id() as libc::pid_t;
    let mut status = 0;
    // SAFETY: plain FFI with valid out-pointers; the child is ours and not yet reaped.
    let mut usage: libc::rusage = unsafe { std::mem::zeroed() };
    let r = unsafe { libc::wait4(pid, &mut status, 0, &mut usage) };
    assert_eq!(r, pid);
    assert!(
        libc::WIFEXITED(status) && libc::WEXITSTATUS(status) == 0,
        "jzz nightly failed"
    );
    (t.elapsed(), usage.ru_maxrss as f64 / 1024.0)
}

fn main() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("fixtures/bundles");
    let templates = [
        "complete-cat1",
        "under-threshold",
        "only-tax-record",
        "renewal-ok",
        "si-monthly-late",
    ];
    let n = 1000;
    let dir = tempfile::tempdir().unwrap();
    for i in 0..n {
        let t = templates[i % templates.len()];
        copy_unique(
            &root.join(t),
            &dir.path().join(format!("pending/case-{i:04}")),
            &format!("jzz-bench-{i}"),
        );
    }
    let store = dir.path();
    let conc = "4";
    let (cold, cold_mib) = run(store, &["--run-id", "cold", "--concurrency", conc]);
    let (warm, warm_mib) = run(store, &["--run-id", "warm", "--concurrency", conc]);
    let policy = jzz::policy::BUILTIN_POLICY.replace(
        "monthly = { yuan = 11937, status = \"verified\"",
        "monthly = { yuan = 12000, status = \"verified\"",
    );
    let p = store.join("policy.toml");
    std::fs::write(&p, policy).unwrap();
    let (pol, pol_mib) = run(
        store,
        &[
            "--run-id",
            "policy",
            "--concurrency",
            conc,
            "--policy",
            p.to_str().unwrap(),
        ],
    );
    let per = |d: Duration| n as f64 / d.as_secs_f64();
    println!(
        "jzz nightly benchmark: {n} cases ({} templates, unique bytes per case), --concurrency {conc}, 2 cores",
        templates.len()
    );
    println!(
        "  cold run          {:>8.2} s  {:>8.1} cases/s  peak RSS {:>6.1} MiB",
        cold.as_secs_f64(),
        per(cold),
        cold_mib
    );
    println!(
        "  warm re-run       {:>8.2} s  {:>8.1} cases/s  peak RSS {:>6.1} MiB  ({:.1}× the cold run)",
        warm.as_secs_f64(),
        per(warm),
        warm_mib,
        cold.as_secs_f64() / warm.as_secs_f64()
    );
    println!(
        "  policy change     {:>8.2} s  {:>8.1} cases/s  peak RSS {:>6.1} MiB  (checks only, no reading)",
        pol.as_secs_f64(),
        per(pol),
        pol_mib
    );
}
