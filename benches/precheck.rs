//! `cargo bench --bench precheck`: how fast `jzz precheck` reads and checks the generated
//! 3,000-employee export, per stage, and how its peak memory grows with the number of rows.
//!
//! Prints figures; asserts nothing about time (speed is measured here, never in tests).
//! Part 1 times the stages in this process on one core. Part 2 runs the release binary on
//! CSV slices of the export (1/12, 1/3 and all of its rows) and reads each child's peak RSS
//! from `wait4`.

use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use jzz::extract::tax_export;
use jzz::jobs::precheck::{PrecheckOptions, precheck_export};
use jzz::policy::Policy;
use jzz::read::{self, Limits};

fn median(mut v: Vec<Duration>) -> Duration {
    v.sort();
    v[v.len() / 2]
}

fn per_sec(n: usize, d: Duration) -> f64 {
    n as f64 / d.as_secs_f64()
}

/// Runs a command and returns (wall time, peak RSS in KiB, exit code) from wait4.
fn run_measured(cmd: &mut Command) -> (Duration, i64, i32) {
    let start = Instant::now();
    // The child is reaped by wait4 below, which also reports its peak RSS.
    #[allow(clippy::zombie_processes)]
    let child = cmd
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .expect("spawn");
    let pid = child.id() as libc::pid_t;
    let mut status = 0;
    // SAFETY: plain FFI call with valid out-pointers; the child is ours and not yet reaped.
    let mut usage: libc::rusage = unsafe { std::mem::zeroed() };
    let r = unsafe { libc::wait4(pid, &mut status, 0, &mut usage) };
    assert_eq!(r, pid, "wait4");
    let code = if libc::WIFEXITED(status) {
        libc::WEXITSTATUS(status)
    } else {
        -1
    };
    (start.elapsed(), usage.ru_maxrss, code)
}

fn main() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let file: PathBuf = std::env::args()
        .skip(1)
        .find(|a| !a.starts_with('-'))
        .map(PathBuf::from)
        .unwrap_or_else(|| root.join("fixtures/precheck/large-3000.xlsx"));
    let policy = Policy::builtin().expect("policy");
    let limits = Limits::default();
    let opts = PrecheckOptions {
        as_of: chrono::NaiveDate::from_ymd_opt(2020, 12, 20).unwrap(),
        unit: Some("北京通州某某（科技）有限公司".into()),
        limits,
    };
    let bytes = std::fs::read(&file).expect("read fixture");
    println!(
        "jzz precheck benchmark — {} ({} bytes)",
        file.display(),
        bytes.len()
    );

    // Part 1: stages, in process, one core.
    let iters = 7;
    let (mut t_read, mut t_extract, mut t_check, mut t_json) = (vec![], vec![], vec![], vec![]);
    let mut rows = 0;
    let mut employees = 0;
    for _ in 0..iters {
        let t = Instant::now();
        let wb = read::read_workbook(&bytes, &limits).expect("read");
        t_read.push(t.elapsed());
        let t = Instant::now();
        let export = tax_export::extract(&wb).expect("extract");
        t_extract.push(t.elapsed());
        let t = Instant::now();
        let report = precheck_export(&export, "large-3000.xlsx", &policy, &opts);
        t_check.push(t.elapsed());
        let t = Instant::now();
        let json = jzz::report::precheck::json(&report);
        t_json.push(t.elapsed());
        rows = report.counts.rows;
        employees = report.counts.employees;
        std::hint::black_box(json);
    }
    let (r, e, c, j) = (
        median(t_read),
        median(t_extract),
        median(t_check),
        median(t_json),
    );
    let total = r + e + c + j;
    println!("\n{rows} rows, {employees} employees; median of {iters} runs on one core:");
    println!(
        "  read (calamine, xlsx)   {:>8.1} ms  {:>10.0} rows/s",
        r.as_secs_f64() * 1e3,
        per_sec(rows, r)
    );
    println!(
        "  extract (tax_export)    {:>8.1} ms  {:>10.0} rows/s",
        e.as_secs_f64() * 1e3,
        per_sec(rows, e)
    );
    println!(
        "  facts + checks          {:>8.1} ms  {:>10.0} rows/s",
        c.as_secs_f64() * 1e3,
        per_sec(rows, c)
    );
    println!(
        "  JSON report             {:>8.1} ms  {:>10.0} rows/s",
        j.as_secs_f64() * 1e3,
        per_sec(rows, j)
    );
    println!(
        "  total                   {:>8.1} ms  {:>10.0} rows/s",
        total.as_secs_f64() * 1e3,
        per_sec(rows, total)
    );

    // Part 2: peak memory of the binary against the number of rows.
    let bin = env!("CARGO_BIN_EXE_jzz");
    let wb = read::read_workbook(&bytes, &limits).expect("read");
    let sheet = &wb.sheets[0];
    let header_pos = sheet
        .rows
        .iter()
        .position(|r| r.cells.iter().any(|c| c.display().trim() == "姓名"))
        .expect("header row");
    let data = &sheet.rows[header_pos + 1..];
    let dir = std::env::temp_dir().join(format!("jzz-bench-{}", std::process::id()));
    std::fs::create_dir_all(&dir).expect("tmp dir");
    println!("\npeak RSS of `jzz precheck --format json` (release binary, one process per file):");
    println!(
        "  {:>8}  {:>10}  {:>10}  {:>12}",
        "rows", "wall ms", "peak MiB", "KiB per row"
    );
    for n in [data.len() / 12, data.len() / 3, data.len()] {
        let path = dir.join(format!("slice-{n}.csv"));
        let mut w = csv::Writer::from_path(&path).expect("csv");
        for r in std::iter::once(&sheet.rows[header_pos]).chain(data[..n].iter()) {
            w.write_record(r.cells.iter().map(|c| c.display()))
                .expect("write");
        }
        w.flush().expect("flush");
        drop(w);
        let (d, kib, code) = run_measured(
            Command::new(bin)
                .args(["precheck", "--as-of", "2020-12-20", "--format", "json"])
                .arg(&path),
        );
        assert!(
            code == 0 || code == 1,
            "jzz exited {code} on {}",
            path.display()
        );
        println!(
            "  {:>8}  {:>10.1}  {:>10.1}  {:>12.2}",
            n,
            d.as_secs_f64() * 1e3,
            kib as f64 / 1024.0,
            kib as f64 / n as f64
        );
    }
    let (d, kib, code) = run_measured(
        Command::new(bin)
            .args(["precheck", "--as-of", "2020-12-20", "--format", "json"])
            .arg(&file),
    );
    assert!(code == 0 || code == 1, "jzz exited {code}");
    println!(
        "  xlsx {rows} rows: {:.1} ms wall, {:.1} MiB peak RSS (whole process)",
        d.as_secs_f64() * 1e3,
        kib as f64 / 1024.0
    );
    let _ = std::fs::remove_dir_all(&dir);
}
