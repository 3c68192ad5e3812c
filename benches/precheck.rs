//! `cargo bench --bench precheck`: how fast `jzz precheck` reads and checks a tax export, per
//! stage, how its peak memory grows with the number of rows, and (issue 14 §5) the whole
//! process against inflating the sheet alone with `unzip -p`.
//!
//! Prints figures; asserts nothing about time (speed is measured here, never in tests).
//!
//! - Part 1 times the stages in this process on the generated 3,000-employee export: wall time
//!   and the CPU time of the whole process (the reader runs on a second thread, the checks of
//!   the report too), medians of several runs.
//! - Part 2 runs the release binary on CSV slices of the export (1/12, 1/3 and all of its
//!   rows) and on the xlsx itself, and reads each child's peak RSS from `wait4`.
//! - Part 3 writes exports of 36,000 and 100,000 rows (the 3,000-employee sheet's data rows
//!   repeated under its header) and runs, alternately and several times, `jzz precheck
//!   --format json FILE > /dev/null` and `unzip -p FILE xl/worksheets/sheet1.xml > /dev/null`:
//!   the medians, their ratio, and jzz's peak RSS. The machine's load average is printed with
//!   them, since other work on the machine slows both, and not equally.
//!   `cargo bench --bench precheck -- --part3` runs part 3 alone.

use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use jzz::extract::tax_export;
use jzz::jobs::precheck::{PrecheckOptions, read_file};
use jzz::policy::Policy;
use jzz::read::{self, Limits, Row, RowSink};

/// Counts cells and drops the rows: the reader's own cost.
struct Discard(usize);

impl RowSink for Discard {
    fn begin_sheet(&mut self, _: &str) {}
    fn row(&mut self, row: &Row) {
        self.0 += row.cells.len();
    }
    fn end_sheet(&mut self) {}
}

fn median<T: Copy + PartialOrd>(mut v: Vec<T>) -> T {
    v.sort_by(|a, b| a.partial_cmp(b).unwrap());
    v[v.len() / 2]
}

/// CPU time of this process (all threads), seconds.
fn cpu_seconds() -> f64 {
    let mut t = libc::timespec {
        tv_sec: 0,
        tv_nsec: 0,
    };
    // SAFETY: plain FFI call with a valid out-pointer.
    unsafe { libc::clock_gettime(libc::CLOCK_PROCESS_CPUTIME_ID, &mut t) };
    t.tv_sec as f64 + t.tv_nsec as f64 / 1e9
}

/// Wall and CPU milliseconds of `f`.
fn timed(f: impl FnOnce()) -> (f64, f64) {
    let (t, c) = (Instant::now(), cpu_seconds());
    f();
    (t.elapsed().as_secs_f64() * 1e3, (cpu_seconds() - c) * 1e3)
}

fn load_average() -> String {
    std::fs::read_to_string("/proc/loadavg")
        .map(|s| s.split_whitespace().take(3).collect::<Vec<_>>().join(" "))
        .unwrap_or_else(|_| "?".into())
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

fn precheck(bin: &str, f: &Path) -> Command {
    let mut c = Command::new(bin);
    c.args(["precheck", "--as-of", "2020-12-20", "--format", "json"])
        .arg(f);
    c
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
        "jzz precheck benchmark — {} ({} bytes); load average {}",
        file.display(),
        bytes.len(),
        load_average()
    );

    // `-- --part3`: the comparison with `unzip -p` alone (parts 1 and 2 skipped).
    let part3_only = args.iter().any(|a| a == "--part3");
    if !part3_only {
        stages(&file, &bytes, &policy, &opts);
    }

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
    let slices = if part3_only {
        Vec::new()
    } else {
        vec![data.len() / 12, data.len() / 3, data.len()]
    };
    for n in slices {
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
    if !part3_only {
        paths.push(file.clone());
    }
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

/// Part 1: the stages timed in this process.
fn stages(file: &Path, bytes: &[u8], policy: &Policy, opts: &PrecheckOptions) {
    let limits = opts.limits;
    let iters = 7;
    let mut stages: Vec<Vec<(f64, f64)>> = vec![Vec::new(); 5];
    let (mut cells, mut rows, mut employees) = (0, 0, 0);
    for _ in 0..iters {
        stages[0].push(timed(|| {
            let mut d = Discard(0);
            read::read_rows(bytes, &limits, &mut d).expect("read");
            cells = d.0;
        }));
        stages[1].push(timed(|| {
            let mut n = 0;
            let mut take = |_: tax_export::TaxRow| n += 1;
            let mut sink = tax_export::TaxExportSink::handing_to(&mut take);
            read::read_rows(bytes, &limits, &mut sink).expect("read");
            sink.finish().expect("extract");
            rows = n;
        }));
        stages[2].push(timed(|| {
            let mut people = jzz::facts::PeopleBuilder::new(policy);
            let mut take = |r: tax_export::TaxRow| people.push(&r);
            let mut sink = tax_export::TaxExportSink::handing_to(&mut take);
            read::read_rows(bytes, &limits, &mut sink).expect("read");
            sink.finish().expect("extract");
            std::hint::black_box(people.finish());
        }));
        let mut p = None;
        stages[3].push(timed(|| {
            p = Some(read_file(file, "large-3000.xlsx", policy, opts).expect("precheck"));
        }));
        let p = p.unwrap();
        stages[4].push(timed(|| {
            p.with_report(|r| {
                employees = r.counts.employees;
                let mut out = std::io::BufWriter::new(std::io::sink());
                jzz::report::precheck::write_json(r, &mut out).expect("json");
            })
        }));
    }
    println!(
        "\n{rows} rows ({cells} cells), {employees} employees; median of {iters} runs (CPU: all threads):"
    );
    let labels = [
        "read only (rows dropped)",
        "read + extract (rows dropped)",
        "read + extract + facts",
        "read_file: + verdicts counted",
        "report: checks + JSON written",
    ];
    for (label, v) in labels.iter().zip(stages) {
        let wall = median(v.iter().map(|x| x.0).collect());
        let cpu = median(v.iter().map(|x| x.1).collect());
        println!(
            "  {label:<32} wall {wall:>7.1} ms  CPU {cpu:>7.1} ms  {:>9.0} rows/s",
            rows as f64 / wall * 1e3
        );
    }
}

/// Runs `jzz precheck --format json` on each file and prints wall time and peak RSS; for the
/// generated exports, alternately with `unzip -p`, several times.
fn measure_children(files: &[PathBuf]) {
    let bin = env!("CARGO_BIN_EXE_jzz");
    println!("\npeak RSS of `jzz precheck --format json` (release binary, one process per file):");
    println!(
        "  {:<24}  {:>8}  {:>10}  {:>10}",
        "file", "rows", "wall ms", "peak MiB"
    );
    let mut exports = Vec::new();
    for f in files {
        let name = f.file_name().unwrap().to_string_lossy().to_string();
        let rows = std::fs::read(f)
            .ok()
            .filter(|_| f.extension().is_some_and(|e| e == "csv"))
            .map(|b| b.iter().filter(|&&c| c == b'\n').count().saturating_sub(1))
            .or_else(|| {
                name.strip_prefix("export-")
                    .and_then(|n| n.strip_suffix(".xlsx"))
                    .and_then(|n| n.parse().ok())
            });
        let (d, kib, code) = run_measured(&mut precheck(bin, f));
        assert!(
            code == 0 || code == 1,
            "jzz exited {code} on {}",
            f.display()
        );
        println!(
            "  {:<24}  {:>8}  {:>10.1}  {:>10.1}",
            name,
            rows.map_or("-".to_string(), |r| r.to_string()),
            d.as_secs_f64() * 1e3,
            kib as f64 / 1024.0
        );
        if name.starts_with("export-") {
            exports.push((f, rows.unwrap_or(0)));
        }
    }
    let runs = 7;
    println!(
        "\njzz precheck (whole process, JSON to /dev/null) vs `unzip -p FILE xl/worksheets/sheet1.xml > /dev/null`,\nalternating, median of {runs} runs each; load average {}:",
        load_average()
    );
    println!(
        "  {:>8}  {:>9}  {:>9}  {:>7}  {:>9}  {:>10}",
        "rows", "jzz s", "unzip s", "ratio", "best jzz", "jzz peak"
    );
    for (f, rows) in exports {
        let (mut jzz, mut unzip, mut peak) = (Vec::new(), Vec::new(), 0);
        for _ in 0..runs {
            let (d, kib, code) = run_measured(&mut precheck(bin, f));
            assert!(code == 0 || code == 1, "jzz exited {code}");
            jzz.push(d.as_secs_f64());
            peak = peak.max(kib);
            let (u, _, ucode) = run_measured(
                Command::new("unzip")
                    .arg("-p")
                    .arg(f)
                    .arg("xl/worksheets/sheet1.xml"),
            );
            if ucode != 0 {
                println!("  (unzip not available: exit {ucode})");
                return;
            }
            unzip.push(u.as_secs_f64());
        }
        let best = jzz.iter().copied().fold(f64::MAX, f64::min)
            / unzip.iter().copied().fold(f64::MAX, f64::min);
        let (j, u) = (median(jzz), median(unzip));
        println!(
            "  {:>8}  {:>9.3}  {:>9.3}  {:>6.2}×  {:>8.2}×  {:>6.1} MiB",
            rows,
            j,
            u,
            j / u,
            best,
            peak as f64 / 1024.0
        );
    }
    println!("  (best jzz: the fastest jzz run over the fastest unzip run)");
}
