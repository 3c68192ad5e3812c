//! `cargo bench --bench pdf`: text-PDF pages per second and peak memory.
//!
//! For every PDF in `fixtures/pdf/` and the BENIGN Chinese PDFs of the shared hostile corpus:
//! the median over 15 runs of reading the text layer (lopdf + fonts + content streams), of
//! layout (lines, tables), and of classification + extraction, per page. Prints figures; asserts
//! nothing about time.

use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use jzz::classify::Rules;
use jzz::extract;
use jzz::jobs::inspect::document_lines;
use jzz::read::{Limits, pdf};

fn median(mut v: Vec<Duration>) -> Duration {
    v.sort();
    v[v.len() / 2]
}

fn peak_rss_mib() -> f64 {
    // SAFETY: getrusage writes into the struct we pass.
    let mut u: libc::rusage = unsafe { std::mem::zeroed() };
    unsafe { libc::getrusage(libc::RUSAGE_SELF, &mut u) };
    u.ru_maxrss as f64 / 1024.0
}

fn main() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let mut files: Vec<PathBuf> = std::fs::read_dir(root.join("fixtures/pdf"))
        .map(|d| d.flatten().map(|e| e.path()).collect())
        .unwrap_or_default();
    files.retain(|p| p.extension().is_some_and(|e| e == "pdf"));
    files.sort();
    for benign in [
        "pdfjs-issue12823.pdf",
        "pdfjs-issue19182.pdf",
        "pdfjs-issue19360.pdf",
        "pdfjs-issue4061.pdf",
        "pdfjs-issue8372.pdf",
    ] {
        let p = root.join("../shared/corpus/hostile/pdf").join(benign);
        if p.exists() {
            files.push(p);
        }
    }
    let limits = Limits::default();
    let rules = Rules::builtin().expect("rules");
    let runs = 15;
    println!("text-PDF benchmark: median of {runs} runs, one core");
    println!(
        "  {:<28} {:>5} {:>10} {:>10} {:>12} {:>10}",
        "file", "pages", "read ms/p", "layout ms/p", "extract ms/p", "total ms/p"
    );
    let (mut all_pages, mut all_time) = (0usize, Duration::ZERO);
    for f in &files {
        let bytes = std::fs::read(f).expect("read");
        let (mut tr, mut tl, mut te) = (vec![], vec![], vec![]);
        let mut pages = 0;
        for _ in 0..runs {
            let t = Instant::now();
            let Ok(doc) = pdf::read_pdf(&bytes, &limits) else {
                break;
            };
            tr.push(t.elapsed());
            pages = doc.pages.len();
            let t = Instant::now();
            let lines = document_lines(&doc);
            tl.push(t.elapsed());
            let t = Instant::now();
            let texts: Vec<String> = lines.iter().take(400).map(|l| l.text()).collect();
            let c = rules.classify(&texts);
            std::hint::black_box(extract::from_lines(c.kind, &lines, pages as u32));
            te.push(t.elapsed());
        }
        if tr.is_empty() || pages == 0 {
            println!(
                "  {:<28} unreadable",
                f.file_name().unwrap().to_string_lossy()
            );
            continue;
        }
        let (r, l, e) = (median(tr), median(tl), median(te));
        let per = |d: Duration| d.as_secs_f64() * 1e3 / pages as f64;
        all_pages += pages;
        all_time += r + l + e;
        println!(
            "  {:<28} {:>5} {:>10.2} {:>10.2} {:>12.2} {:>10.2}",
            f.file_name().unwrap().to_string_lossy(),
            pages,
            per(r),
            per(l),
            per(e),
            per(r + l + e)
        );
    }
    if all_pages > 0 {
        println!(
            "\n{all_pages} pages: {:.2} ms per page, {:.0} pages per second (read to record); peak RSS {:.1} MiB",
            all_time.as_secs_f64() * 1e3 / all_pages as f64,
            all_pages as f64 / all_time.as_secs_f64(),
            peak_rss_mib()
        );
    }
}
