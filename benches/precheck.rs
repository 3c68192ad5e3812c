//! `cargo bench --bench precheck`: how fast `jzz precheck` reads and checks the generated
//! 3,000-employee export, per stage, and how its peak memory grows with the number of rows.
//!
//! Prints figures; asserts nothing about time (speed is measured here, never in tests).
//! Part 1 times the stages in this process on one core. Part 2 runs the release binary on
//! CSV slices of the export (1/12, 1/3 and all of its rows) and on the xlsx itself, and reads
//! each child's peak RSS from `wait4`.

use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use jzz::extract::tax_export;
use jzz::jobs::precheck::{PrecheckOptions, precheck_export};
use jzz::policy::Policy;
use jzz::read::{self, Limits, Row, RowSink};

/// Counts rows and drops them: the reader's own cost.
struct Discard(usize);

impl RowSink for Discard {
    fn begin_sheet(&mut self, _: &str) {}
    fn row(&mut self, row: &Row) {
        self.0 += row.cells.len();
    }
    fn end_sheet(&mut self) {}
}

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
    let args: Vec<String> = std::env::args().collect();
    if let Some(i) = args.iter().position(|a| a == "--measure-children") {
        let files: Vec<PathBuf> = args[i + 1..].iter().map(PathBuf::from).collect();
        measure_children(&files);
        return;
    }
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
    let mut cells = 0;
    for _ in 0..iters {
        let t = Instant::now();
        let mut d = Discard(0);
        read::read_rows(&bytes, &limits, &mut d).expect("read");
        t_read.push(t.elapsed());
        cells = d.0;
        let t = Instant::now();
        let mut sink = tax_export::TaxExportSink::default();
        read::read_rows(&bytes, &limits, &mut sink).expect("read");
        let export = sink.finish().expect("extract");
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
    let total = e + c + j;
    let ms = |d: Duration| d.as_secs_f64() * 1e3;
    println!(
        "\n{rows} rows ({cells} cells), {employees} employees; median of {iters} runs, one core:"
    );
    println!(
        "  read only (rows dropped)           {:>8.1} ms  {:>10.0} rows/s",
        ms(r),
        per_sec(rows, r)
    );
    println!(
        "  read + extract (streaming)         {:>8.1} ms  {:>10.0} rows/s",
        ms(e),
        per_sec(rows, e)
    );
    println!(
        "  facts + checks                     {:>8.1} ms  {:>10.0} rows/s",
        ms(c),
        per_sec(rows, c)
    );
    println!(
        "  JSON report                        {:>8.1} ms  {:>10.0} rows/s",
        ms(j),
        per_sec(rows, j)
    );
    println!(
        "  total (read to JSON)               {:>8.1} ms  {:>10.0} rows/s",
        ms(total),
        per_sec(rows, total)
    );

    // Part 2: peak memory of the binary against the number of rows. A child's ru_maxrss
    // starts from its parent's RSS when it is spawned from this (large) process, so the slices
    // are measured by a fresh, small copy of this bench (`--measure-children`).
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
    let mut paths = Vec::new();
    for n in [data.len() / 12, data.len() / 3, data.len()] {
        let path = dir.join(format!("slice-{n}.csv"));
        let mut w = csv::WriterBuilder::new()
            .flexible(true)
            .from_path(&path)
            .expect("csv");
        for r in std::iter::once(&sheet.rows[header_pos]).chain(data[..n].iter()) {
            w.write_record(r.cells.iter().map(|c| c.display()))
                .expect("write");
        }
        w.flush().expect("flush");
        paths.push(path);
    }
    paths.push(file.clone());
    // Part 3 (issue 14): whole exports of 36,000 and 100,000 rows — the 3,000-row sheet's data
    // rows repeated under its header, written as xlsx — measured against inflating the sheet
    // XML alone (`unzip -p`), the floor any xlsx reader stands on.
    for n in [36_000usize, 100_000] {
        let path = dir.join(format!("export-{n}.xlsx"));
        let mut book = rust_xlsxwriter::Workbook::new();
        let ws = book.add_worksheet();
        let header = &sheet.rows[header_pos];
        for (c, cell) in header.cells.iter().enumerate() {
            ws.write_string(0, c as u16, cell.display())
                .expect("header");
        }
        for i in 0..n {
            let r = &data[i % data.len()];
            for (c, cell) in r.cells.iter().enumerate() {
                ws.write_string(i as u32 + 1, c as u16, cell.display())
                    .expect("cell");
            }
        }
        book.save(&path).expect("save xlsx");
        paths.push(path);
    }
    drop(wb);
    let status = Command::new(std::env::current_exe().expect("self"))
        .arg("--measure-children")
        .args(&paths)
        .status()
        .expect("re-run self");
    assert!(status.success());
    let _ = std::fs::remove_dir_all(&dir);
}

/// Runs `jzz precheck --format json` on each file and prints wall time and peak RSS.
fn measure_children(files: &[PathBuf]) {
    let bin = env!("CARGO_BIN_EXE_jzz");
    println!("\npeak RSS of `jzz precheck --format json` (release binary, one process per file):");
    println!(
        "  {:<24}  {:>8}  {:>10}  {:>10}",
        "file", "rows", "wall ms", "peak MiB"
    );
    for f in files {
        let rows = std::fs::read(f)
            .ok()
            .filter(|_| f.extension().is_some_and(|e| e == "csv"))
            .map(|b| b.iter().filter(|&&c| c == b'\n').count().saturating_sub(1));
        let (d, kib, code) = run_measured(
            Command::new(bin)
                .args(["precheck", "--as-of", "2020-12-20", "--format", "json"])
                .arg(f),
        );
        assert!(
            code == 0 || code == 1,
            "jzz exited {code} on {}",
            f.display()
        );
        println!(
            "  {:<24}  {:>8}  {:>10.1}  {:>10.1}",
            f.file_name().unwrap().to_string_lossy(),
            rows.map_or("-".to_string(), |r| r.to_string()),
            d.as_secs_f64() * 1e3,
            kib as f64 / 1024.0
        );
        if f.file_name()
            .is_some_and(|n| n.to_string_lossy().starts_with("export-"))
        {
            let (u, _, ucode) = run_measured(
                Command::new("unzip")
                    .args(["-p"])
                    .arg(f)
                    .arg("xl/worksheets/sheet1.xml"),
            );
            if ucode == 0 {
                println!(
                    "  {:<24}  {:>8}  {:>10.1}  {:>10}   jzz / unzip = {:.2}",
                    "  unzip -p sheet1.xml",
                    "",
                    u.as_secs_f64() * 1e3,
                    "",
                    d.as_secs_f64() / u.as_secs_f64()
                );
            } else {
                println!("  (unzip not available: exit {ucode})");
            }
        }
    }
}
