//! `cargo bench --bench ocr`: what OCR gets right and what it costs.
//!
//! 1. **Accuracy** per fixture set of `fixtures/ocr/manifest.json` (150/200/300 dpi scanner
//!    sets, the special cases): fields exact, missing, wrong-but-flagged, and **wrong fields
//!    presented as confident** (the number that must be zero), plus the kind found.
//! 2. **CPU per page**: tesseract in-process (one engine, loaded once: recognition alone, and
//!    jzz's whole page read with preparation and figure re-reads) next to the `tesseract`
//!    command-line tool on the same images (`OMP_THREAD_LIMIT=1`, as jzz runs it).
//! 3. **Pages per second**: one worker vs the pool on every core.
//!
//! Prints figures; asserts nothing. `JZZ_OCR_BENCH=accuracy|cpu|throughput` runs one part.

#[path = "../tests/common/ocr_score.rs"]
mod ocr_score;

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::Instant;

use jzz::classify::Rules;
use jzz::jobs::inspect::inspect_file;
use jzz::policy::Policy;
use jzz::read::Limits;
use ocr_score::{Score, confident_wrong_fields, reading, score};
use serde_json::Value;

fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("fixtures/ocr")
}

fn manifest() -> Vec<Value> {
    let text = std::fs::read_to_string(root().join("manifest.json")).expect("manifest");
    serde_json::from_str::<Vec<Value>>(&text).expect("manifest json")
}

fn thread_cpu() -> f64 {
    let mut t = libc::timespec {
        tv_sec: 0,
        tv_nsec: 0,
    };
    // SAFETY: clock_gettime writes into the struct we pass.
    unsafe { libc::clock_gettime(libc::CLOCK_THREAD_CPUTIME_ID, &mut t) };
    t.tv_sec as f64 + t.tv_nsec as f64 / 1e9
}

fn children_cpu() -> f64 {
    // SAFETY: getrusage writes into the struct we pass.
    let mut u: libc::rusage = unsafe { std::mem::zeroed() };
    unsafe { libc::getrusage(libc::RUSAGE_CHILDREN, &mut u) };
    let tv = |t: libc::timeval| t.tv_sec as f64 + t.tv_usec as f64 / 1e6;
    tv(u.ru_utime) + tv(u.ru_stime)
}

fn peak_mib() -> f64 {
    // SAFETY: getrusage writes into the struct we pass.
    let mut u: libc::rusage = unsafe { std::mem::zeroed() };
    unsafe { libc::getrusage(libc::RUSAGE_SELF, &mut u) };
    u.ru_maxrss as f64 / 1024.0
}

fn accuracy() {
    let rules = Rules::builtin().unwrap();
    let bar = Policy::builtin().unwrap().ocr_min_confidence as f64;
    let limits = Limits::default();
    let mut by_set: BTreeMap<String, (Score, usize, usize, f64)> = BTreeMap::new();
    let mut worst = Vec::new();
    let mut per_field: BTreeMap<String, Score> = BTreeMap::new();
    println!("OCR accuracy (fields of fixtures/ocr/manifest.json; confidence bar {bar})");
    println!(
        "{:<44} {:>6} {:>6} {:>7} {:>7} {:>7} {:>5} {:>6}",
        "file", "fields", "exact", "missing", "flagged", "CONF-WR", "kind", "s"
    );
    for e in manifest() {
        let file = e["file"].as_str().unwrap().to_string();
        let set = e["set"].as_str().unwrap().to_string();
        let t0 = Instant::now();
        let i = inspect_file(&root().join(&file), &file, &limits, &rules);
        let secs = t0.elapsed().as_secs_f64();
        let truth = &e["truth"];
        let kind_ok = i
            .classification
            .as_ref()
            .map(|c| serde_json::to_value(c.kind).unwrap())
            .as_ref()
            == truth.get("kind");
        let actual = reading(&i);
        let conf = i.min_confidence.map(f64::from);
        let s = score(truth, actual.as_ref(), conf, false, bar);
        let mut wrong = Vec::new();
        confident_wrong_fields(truth, actual.as_ref(), conf, false, bar, "", &mut wrong);
        for w in wrong {
            worst.push(format!("{file}{w}"));
        }
        // Per field name (amounts, months, names, IDs …): the last key of each field's path,
        // rows matched as the scorer matches them.
        ocr_score::walk(
            truth,
            actual.as_ref(),
            conf,
            false,
            bar,
            "",
            &mut |path, o, _, _, _, n| {
                let name = path.rsplit('.').next().unwrap_or(path);
                let name = name.split('[').next().unwrap_or(name).to_string();
                per_field.entry(name).or_default().count(o, n);
            },
        );
        println!(
            "{:<44} {:>6} {:>6} {:>7} {:>7} {:>7} {:>5} {:>6.1}",
            file,
            s.fields,
            s.exact,
            s.missing,
            s.flagged,
            s.confident_wrong,
            if kind_ok { "ok" } else { "WRONG" },
            secs
        );
        let entry = by_set.entry(set).or_default();
        entry.0.add(s);
        entry.1 += 1;
        entry.2 += usize::from(kind_ok);
        entry.3 += secs;
    }
    println!();
    println!(
        "{:<10} {:>5} {:>7} {:>8} {:>8} {:>8} {:>16} {:>9} {:>9}",
        "set",
        "files",
        "fields",
        "exact %",
        "missing",
        "flagged",
        "confident-wrong",
        "kind ok",
        "s/file"
    );
    let mut total = Score::default();
    for (set, (s, n, k, secs)) in &by_set {
        total.add(*s);
        println!(
            "{:<10} {:>5} {:>7} {:>7.1}% {:>8} {:>8} {:>16} {:>6}/{:<2} {:>9.2}",
            set,
            n,
            s.fields,
            s.percent_exact(),
            s.missing,
            s.flagged,
            s.confident_wrong,
            k,
            n,
            secs / *n as f64
        );
    }
    println!(
        "{:<10} {:>5} {:>7} {:>7.1}% {:>8} {:>8} {:>16}",
        "all",
        "",
        total.fields,
        total.percent_exact(),
        total.missing,
        total.flagged,
        total.confident_wrong
    );
    println!();
    println!("by field: exact/fields (confident-wrong)");
    for (k, s) in &per_field {
        println!(
            "  {:<16} {:>5}/{:<5} {:>6.1}%  ({})",
            k,
            s.exact,
            s.fields,
            s.percent_exact(),
            s.confident_wrong
        );
    }
    if worst.is_empty() {
        println!("\nwrong fields presented as confident: 0");
    } else {
        println!("\nwrong fields presented as confident: {}", worst.len());
        for w in worst.iter().take(40) {
            println!("  {w}");
        }
    }
}

fn images_for_cpu() -> Vec<PathBuf> {
    let mut v: Vec<PathBuf> = manifest()
        .iter()
        .filter(|e| e["set"] == "200dpi" || e["file"] == "set-300dpi/tax-export-printed.jpg")
        .map(|e| root().join(e["file"].as_str().unwrap()))
        .collect();
    v.sort();
    v
}

fn cpu() {
    let limits = Limits::default();
    let images = images_for_cpu();
    println!("\nOCR CPU seconds per page, one thread (tesseract chi_sim; OMP_THREAD_LIMIT=1)");
    println!(
        "{:<44} {:>12} {:>12} {:>12} {:>9}",
        "image", "in-process", "jzz page", "CLI", "in/CLI"
    );
    // Load the engine once, as a worker does.
    let warm = image::open(&images[0]).unwrap().to_luma8();
    jzz::read::ocr::with_engine("chi_sim", |o| o.recognize(&warm, 1, 60_000)).unwrap();
    let (mut sum_in, mut sum_page, mut sum_cli) = (0.0, 0.0, 0.0);
    for p in &images {
        let gray = image::open(p).unwrap();
        let g = gray.to_luma8();
        let t = thread_cpu();
        jzz::read::ocr::with_engine("chi_sim", |o| o.recognize(&g, 1, 60_000)).unwrap();
        let t_in = thread_cpu() - t;
        let t = thread_cpu();
        jzz::read::ocr::read_page(&gray, 1, &limits).unwrap();
        let t_page = thread_cpu() - t;
        let c = children_cpu();
        let ok = Command::new("tesseract")
            .arg(p)
            .args(["-", "-l", "chi_sim"])
            .env("OMP_THREAD_LIMIT", "1")
            .output()
            .map(|o| o.status.success())
            .unwrap_or(false);
        let t_cli = children_cpu() - c;
        if !ok {
            println!("{}: tesseract CLI failed", p.display());
        }
        sum_in += t_in;
        sum_page += t_page;
        sum_cli += t_cli;
        println!(
            "{:<44} {:>11.2}s {:>11.2}s {:>11.2}s {:>8.2}×",
            p.strip_prefix(root()).unwrap().display(),
            t_in,
            t_page,
            t_cli,
            t_in / t_cli
        );
    }
    let n = images.len() as f64;
    println!(
        "{:<44} {:>11.2}s {:>11.2}s {:>11.2}s {:>8.2}×",
        "mean",
        sum_in / n,
        sum_page / n,
        sum_cli / n,
        sum_in / sum_cli
    );
    println!(
        "in-process = recognition alone (engine loaded once); jzz page = seal/skew/rulings/upscale + recognition + figure re-reads; CLI = `tesseract IMG - -l chi_sim` (loads the model every call)"
    );
}

fn throughput() {
    let limits = Limits::default();
    let images: Vec<image::DynamicImage> = images_for_cpu()
        .iter()
        .map(|p| image::open(p).unwrap())
        .collect();
    let n = images.len();
    // One worker: this thread, one engine.
    jzz::read::ocr::read_page(&images[0], 1, &limits).unwrap();
    let t = Instant::now();
    for (k, img) in images.iter().enumerate() {
        jzz::read::ocr::read_page(img, k as u32 + 1, &limits).unwrap();
    }
    let one = t.elapsed().as_secs_f64();
    // The pool: every core (engines loaded by a first small batch).
    let workers = jzz::read::ocr::workers();
    let warm: Vec<(u32, image::DynamicImage)> = (0..workers)
        .map(|k| (k as u32 + 1, images[k % n].clone()))
        .collect();
    jzz::read::ocr::read_pages(warm, &limits);
    let pages: Vec<(u32, image::DynamicImage)> = images
        .iter()
        .cloned()
        .enumerate()
        .map(|(k, i)| (k as u32 + 1, i))
        .collect();
    let t = Instant::now();
    let r = jzz::read::ocr::read_pages(pages, &limits);
    let all = t.elapsed().as_secs_f64();
    let ok = r.iter().filter(|x| x.1.is_ok()).count();
    println!(
        "\nOCR pages per second ({n} pages: the 200-dpi set and the 300-dpi export, whole jzz page read)"
    );
    println!("  1 worker : {:.2} s → {:.2} pages/s", one, n as f64 / one);
    println!(
        "  {workers} workers: {:.2} s → {:.2} pages/s ({ok}/{n} read), {:.2}× one worker",
        all,
        n as f64 / all,
        one / all
    );
    println!("  peak RSS {:.0} MiB", peak_mib());
}

fn main() {
    let part = std::env::var("JZZ_OCR_BENCH").unwrap_or_default();
    if !Path::new(&root().join("manifest.json")).is_file() {
        eprintln!("fixtures/ocr/manifest.json missing: cargo run --example gen_ocr_fixtures");
        return;
    }
    if part.is_empty() || part == "accuracy" {
        accuracy();
    }
    if part.is_empty() || part == "cpu" {
        cpu();
    }
    if part.is_empty() || part == "throughput" {
        throughput();
    }
}
