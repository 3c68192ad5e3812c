//! `cargo bench --bench verify`: bundles per second for `jzz verify` over the generated fixture
//! bundles (spreadsheets and text PDFs), and over the scanned bundle
//! `fixtures/ocr/bundles/scan-cat1` (10 files, 9 of them scans read by OCR on every core), and
//! peak memory. Prints figures; asserts nothing about time.

use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use chrono::NaiveDate;
use jzz::case::intake::IntakeLimits;
use jzz::classify::Rules;
use jzz::jobs::verify::{VerifyOptions, verify_path};
use jzz::policy::Policy;
use jzz::read::Limits;

fn main() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("fixtures/bundles");
    let mut bundles: Vec<PathBuf> = std::fs::read_dir(&root)
        .map(|d| d.flatten().map(|e| e.path()).collect())
        .unwrap_or_default();
    bundles.retain(|p| {
        let n = p.file_name().unwrap().to_string_lossy().to_string();
        n != "expected" && !n.ends_with(".md") && (p.is_dir() || n.ends_with(".zip"))
    });
    bundles.sort();
    let policy = Policy::builtin().expect("policy");
    let rules = Rules::builtin().expect("rules");
    let opts = VerifyOptions {
        as_of: None,
        today: NaiveDate::from_ymd_opt(2025, 11, 20).unwrap(),
        limits: Limits::default(),
        intake: IntakeLimits::default(),
    };
    let rounds = 5;
    let mut times: Vec<Duration> = Vec::new();
    let mut files = 0;
    let mut ok = 0;
    let (mut decided, mut checks, mut verdicts) = (0, 0, 0);
    for _ in 0..rounds {
        let t = Instant::now();
        files = 0;
        ok = 0;
        (decided, checks, verdicts) = (0, 0, 0);
        for b in &bundles {
            if let Ok((d, _)) = verify_path(b, &policy, &rules, &opts, &mut |_, _| {}) {
                files += d.documents.len();
                ok += 1;
                let review = jzz::checks::Status::NeedsReview;
                checks += d.checks.len();
                decided += d.checks.iter().filter(|c| c.status != review).count();
                verdicts += usize::from(d.verdict != review);
                std::hint::black_box(jzz::dossier::html::render(&d));
                std::hint::black_box(serde_json::to_string(&d).unwrap());
            }
        }
        times.push(t.elapsed());
    }
    times.sort();
    let median = times[times.len() / 2];
    // SAFETY: getrusage writes into the struct we pass.
    let mut u: libc::rusage = unsafe { std::mem::zeroed() };
    unsafe { libc::getrusage(libc::RUSAGE_SELF, &mut u) };
    println!(
        "jzz verify benchmark: {} bundles ({ok} verified, {files} documents), median of {rounds} rounds, files read on {} threads",
        bundles.len(),
        jzz::read::ocr::workers()
    );
    println!(
        "  {:.1} ms per round, {:.1} ms per bundle, {:.1} bundles per second (intake to JSON + HTML); peak RSS {:.1} MiB",
        median.as_secs_f64() * 1e3,
        median.as_secs_f64() * 1e3 / bundles.len().max(1) as f64,
        bundles.len() as f64 / median.as_secs_f64(),
        u.ru_maxrss as f64 / 1024.0
    );
    println!(
        "  decided (pass, fail, needs_material, not_applicable): {decided}/{checks} checks ({:.1}%), {verdicts}/{ok} verdicts not needs_review",
        100.0 * decided as f64 / checks.max(1) as f64
    );
    scan_bundles(&policy, &rules, &opts);
}

fn scan_bundles(policy: &Policy, rules: &Rules, opts: &VerifyOptions) {
    let b = Path::new(env!("CARGO_MANIFEST_DIR")).join("fixtures/ocr/bundles/scan-cat1");
    let rounds = 3;
    let mut times = Vec::new();
    let mut docs = 0;
    let mut verdict = String::new();
    // A first round loads the OCR engines (one per worker), as a long-running job has them.
    let _ = verify_path(&b, policy, rules, opts, &mut |_, _| {});
    for _ in 0..rounds {
        let t = Instant::now();
        if let Ok((d, _)) = verify_path(&b, policy, rules, opts, &mut |_, _| {}) {
            docs = d.documents.len();
            verdict = format!("{:?}", d.verdict);
        }
        times.push(t.elapsed());
    }
    times.sort();
    let median = times[times.len() / 2];
    // SAFETY: getrusage writes into the struct we pass.
    let mut u: libc::rusage = unsafe { std::mem::zeroed() };
    unsafe { libc::getrusage(libc::RUSAGE_SELF, &mut u) };
    println!(
        "scanned bundle scan-cat1 ({docs} documents, verdict {verdict}), median of {rounds} rounds, {} OCR workers",
        jzz::read::ocr::workers()
    );
    println!(
        "  {:.2} s per bundle, {:.3} bundles per second; peak RSS {:.1} MiB",
        median.as_secs_f64(),
        1.0 / median.as_secs_f64(),
        u.ru_maxrss as f64 / 1024.0
    );
}
