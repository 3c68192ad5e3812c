//! The invariants the fuzz targets (`fuzz/fuzz_targets/`) and `tests/regressions.rs` check,
//! one function per target: each takes arbitrary bytes, runs them through the production entry
//! point with small [`limits`], and panics when a promise of that stage is broken. Returning
//! normally means the input was handled as promised: a result or an error, within the limits.
//!
//! What every function asserts beyond "no panic":
//! - the result respects the [`Limits`] it was given (rows, columns, cells, sheets, pages,
//!   pixels, files and bytes of a bundle);
//! - it came back within [`DEADLINE`], measured as the smaller of the wall-clock time and the
//!   process's CPU time (the documents' own budget is far smaller). The smaller of the two is
//!   past the deadline only when the input itself took that long: a starved fuzzer (a build
//!   beside it) has a long wall time and little CPU, a test harness running other tests in
//!   parallel much CPU and a short wall time. libFuzzer's `-timeout` (wall clock, 60 s in
//!   `scripts/fuzz.sh`) and `-rss_limit_mb` catch hangs and memory on top;
//! - for the text readers (CSV, HTML tables, the PDF text layer): no value presented as sure
//!   holds a U+FFFD that was not written in the file — a character the reader could not decode
//!   and replaced (a text-layer run has no confidence, so every run it hands on is "sure").
//!
//! Nothing here runs OCR: the image targets stop before recognition. The library does not
//! depend on libFuzzer; the fuzz crate calls these functions.

use std::time::{Duration, Instant};

use crate::case::intake::{BundleSource, IntakeLimits, ZipSource, sha256_hex};
use crate::classify::Rules;
use crate::read::text::TextLayer;
use crate::read::{self, Collect, Limits, RowSink, Workbook};

/// The longest any one input may take, whatever the target. The limits below give a document
/// 2 s of reading; the rest is margin for a loaded machine and a debug build.
pub const DEADLINE: Duration = Duration::from_secs(10);

/// Small limits, so that one execution is fast and a bomb is refused early.
pub fn limits() -> Limits {
    Limits {
        max_file_bytes: 4 << 20,
        max_entry_bytes: 16 << 20,
        max_total_expanded_bytes: 32 << 20,
        max_zip_entries: 200,
        max_rows: 5_000,
        max_cols: 256,
        max_cells: 50_000,
        max_sheets: 8,
        max_pages: 4,
        max_stream_bytes: 4 << 20,
        max_ops_per_page: 50_000,
        max_form_depth: 6,
        max_millis: 2_000,
        max_image_side: 2_000,
        max_image_alloc: 32 << 20,
        max_ocr_pixels: 250_000,
        max_ocr_cells: 20,
        max_ocr_rereads: 20,
        max_ocr_millis: 1_000,
        max_ocr_pages: 2,
    }
}

/// Small bundle limits.
pub fn intake_limits() -> IntakeLimits {
    IntakeLimits {
        max_files: 20,
        max_file_bytes: 2 << 20,
        max_total_bytes: 8 << 20,
        max_ratio: 200,
        max_nesting: 1,
    }
}

/// The names of the targets, as `scripts/fuzz.sh` and `tests/regressions/<target>/` use them.
pub const TARGETS: &[&str] = &[
    "pdf_text",
    "pdf_images",
    "image",
    "xlsx",
    "xls",
    "ods",
    "csv",
    "html",
    "zip_intake",
    "case_toml",
    "pipeline_toml",
    "policy_toml",
];

/// Runs the invariant of the target named `target` (one of [`TARGETS`]) on `data`.
pub fn run(target: &str, data: &[u8]) {
    match target {
        "pdf_text" => pdf_text(data),
        "pdf_images" => pdf_images(data),
        "image" => image(data),
        "xlsx" => xlsx(data),
        "xls" => xls(data),
        "ods" => ods(data),
        "csv" => csv(data),
        "html" => html(data),
        "zip_intake" => zip_intake(data),
        "case_toml" => case_toml(data),
        "pipeline_toml" => pipeline_toml(data),
        "policy_toml" => policy_toml(data),
        other => panic!("no fuzz target {other:?}"),
    }
}

/// When an input's work began, on the wall clock and on the process's CPU clock.
#[derive(Clone, Copy)]
struct Started {
    wall: Instant,
    cpu: Option<Duration>,
}

/// The CPU time of this process so far (all its threads), if the clock can be read.
fn process_cpu() -> Option<Duration> {
    let mut t = libc::timespec {
        tv_sec: 0,
        tv_nsec: 0,
    };
    // SAFETY: `t` is a valid timespec for the call to write.
    let ok = unsafe { libc::clock_gettime(libc::CLOCK_PROCESS_CPUTIME_ID, &mut t) } == 0;
    (ok && t.tv_sec >= 0).then(|| Duration::new(t.tv_sec as u64, t.tv_nsec as u32))
}

fn started() -> Started {
    Started {
        wall: Instant::now(),
        cpu: process_cpu(),
    }
}

fn in_time(start: Started, what: &str) {
    let wall = start.wall.elapsed();
    let cpu = match (process_cpu(), start.cpu) {
        (Some(now), Some(then)) => now.saturating_sub(then),
        _ => wall,
    };
    let took = wall.min(cpu);
    assert!(
        took <= DEADLINE,
        "{what} took {took:?} (wall clock {wall:?}, CPU {cpu:?}; more than {DEADLINE:?})"
    );
}

fn rules() -> &'static Rules {
    static RULES: std::sync::OnceLock<Rules> = std::sync::OnceLock::new();
    RULES.get_or_init(|| Rules::builtin().expect("built-in kinds.toml"))
}

fn count_fffd(s: &str) -> usize {
    s.chars().filter(|&c| c == '\u{FFFD}').count()
}

/// An upper bound on the U+FFFD characters a file honestly contains: the character written in
/// UTF-8, UTF-16 (either order) or GB 18030, or as an HTML character reference (`&#xFFFD;`,
/// `&#65533;`). A reader's output holding more replaced something.
pub fn written_fffd(bytes: &[u8]) -> usize {
    let count = |pat: &[u8]| bytes.windows(pat.len()).filter(|w| *w == pat).count();
    let ci = |pat: &[u8]| {
        bytes
            .windows(pat.len())
            .filter(|w| w.eq_ignore_ascii_case(pat))
            .count()
    };
    count(&[0xEF, 0xBF, 0xBD])
        + count(&[0xFD, 0xFF])
        + count(&[0xFF, 0xFD])
        + count(&[0x84, 0x31, 0xA4, 0x37])
        + ci(b"fffd")
        + count(b"65533")
}

/// Checks a workbook against the limits it was read with.
fn check_workbook(wb: &Workbook, limits: &Limits) {
    assert!(
        wb.sheets.len() <= limits.max_sheets,
        "{} sheets",
        wb.sheets.len()
    );
    let mut cells = 0usize;
    for s in &wb.sheets {
        for r in &s.rows {
            assert!(r.index < limits.max_rows, "row {}", r.index);
            assert!(
                r.cells.len() <= limits.max_cols as usize,
                "{} columns",
                r.cells.len()
            );
            assert!(
                r.cells.iter().any(|c| !c.is_blank()),
                "a blank row was kept"
            );
            cells += r.cells.iter().filter(|c| !c.is_blank()).count();
        }
    }
    assert!(cells <= limits.max_cells, "{cells} cells");
}

fn workbook_text(wb: &Workbook) -> usize {
    wb.sheets
        .iter()
        .flat_map(|s| s.rows.iter())
        .flat_map(|r| r.cells.iter())
        .map(|c| count_fffd(&c.display()))
        .sum::<usize>()
        + wb.sheets.iter().map(|s| count_fffd(&s.name)).sum::<usize>()
}

type Reader = fn(&[u8], &Limits, &mut dyn RowSink) -> Result<Vec<String>, read::ReadError>;

/// One spreadsheet reader, then what `jzz inspect` does with a workbook (classification and
/// the tax-export extractor). `text`: the reader decodes text itself (CSV, HTML), so the
/// U+FFFD rule applies to its cells.
fn sheet(data: &[u8], reader: Reader, text: bool) {
    let limits = limits();
    let start = started();
    if limits.check_bytes(data).is_err() {
        return;
    }
    let mut c = Collect::default();
    let got = reader(data, &limits, &mut c);
    in_time(start, "reading");
    let Ok(notes) = got else { return };
    let wb = Workbook {
        format: read::sniff(data),
        sheets: c.sheets,
        notes,
    };
    check_workbook(&wb, &limits);
    if text {
        let (n, w) = (workbook_text(&wb), written_fffd(data));
        assert!(n <= w, "{n} U+FFFD in the cells, {w} written in the file");
    }
    let _ = rules().classify(&crate::classify::workbook_lines(&wb, 40));
    if let Ok(x) = crate::extract::tax_export::extract(&wb) {
        let rows = crate::extract::ExportRows::of(&x);
        if text {
            let json = serde_json::to_string(&rows).expect("rows serialize");
            let (n, w) = (count_fffd(&json), written_fffd(data));
            assert!(n <= w, "{n} U+FFFD in the rows, {w} written in the file");
        }
    }
    in_time(start, "reading and extracting");
}

/// xlsx through the streaming reader (zip guard, calamine's cell reader).
pub fn xlsx(data: &[u8]) {
    sheet(data, read::sheet::read_xlsx, false);
}

/// xls (BIFF) through calamine behind the panic guard.
pub fn xls(data: &[u8]) {
    sheet(data, read::sheet::read_xls, false);
}

/// ods through the zip guard, the repeat-count check and calamine.
pub fn ods(data: &[u8]) {
    sheet(data, read::sheet::read_ods, false);
}

/// CSV with encoding and delimiter detection.
pub fn csv(data: &[u8]) {
    sheet(data, read::csv::read_csv, true);
}

/// An HTML table saved as `.xls`.
pub fn html(data: &[u8]) {
    sheet(data, read::html::read_html_tables, true);
}

/// The PDF path of `jzz inspect` without OCR: bytes → text pages → lines → classification →
/// the record of the kind found.
pub fn pdf_text(data: &[u8]) {
    let limits = limits();
    let start = started();
    let got = read::pdf::read_pdf(data, &limits);
    in_time(start, "reading the PDF");
    let Ok(doc) = got else { return };
    assert!(
        doc.pages.len() <= limits.max_pages,
        "{} pages",
        doc.pages.len()
    );
    for (i, p) in doc.pages.iter().enumerate() {
        assert_eq!(p.number as usize, i + 1, "pages out of order");
        if p.layer != TextLayer::Usable {
            assert!(
                p.runs.is_empty(),
                "page {}: runs kept from a {:?} page",
                p.number,
                p.layer
            );
        }
        for r in &p.runs {
            assert!(r.confidence.is_none(), "a text-layer run with a confidence");
            assert!(
                !r.text.contains('\u{FFFD}'),
                "page {}: a usable run holds U+FFFD: {:?}",
                p.number,
                r.text
            );
        }
    }
    let lines = crate::jobs::inspect::document_lines(&doc);
    let texts: Vec<String> = lines.iter().take(400).map(|l| l.text()).collect();
    let c = rules().classify(&texts);
    if let Some(record) = crate::extract::from_lines(c.kind, &lines, doc.pages.len() as u32) {
        let json = serde_json::to_string(&record).expect("records serialize");
        assert!(!json.contains('\u{FFFD}'), "a record holds U+FFFD: {json}");
    }
    if c.kind == crate::classify::Kind::TaxExport {
        let _ = crate::extract::printed_export(&lines);
    }
    in_time(start, "reading and extracting");
}

fn check_page_image(p: &read::image::PageImage, limits: &Limits) {
    let (w, h) = (p.pixels.width() as u64, p.pixels.height() as u64);
    assert!(w > 0 && h > 0, "an empty image {w} × {h}");
    // Scaling rounds each side: allow a row and a column of slack.
    assert!(
        (w - 1) * (h - 1) <= limits.max_ocr_pixels,
        "{w} × {h} pixels handed to OCR (at most {})",
        limits.max_ocr_pixels
    );
    let (ow, oh) = p.original;
    assert!(
        ow <= limits.max_image_side && oh <= limits.max_image_side,
        "decoded {ow} × {oh}"
    );
    assert!(
        matches!(
            p.pixels,
            image::DynamicImage::ImageLuma8(_) | image::DynamicImage::ImageRgb8(_)
        ),
        "not 8-bit gray or RGB"
    );
}

/// What happens to a page image before recognition: the card finder, gray with red ink
/// suppressed, deskew, rulings, upscaling.
fn prepare_page(p: &read::image::PageImage) {
    let _ = read::card::find_all(&p.pixels);
    let (gray, _) = read::scan::to_gray(&p.pixels, true);
    let (w, h) = gray.dimensions();
    let prepared = read::scan::prepare(gray, read::scan::Steps::default());
    let (pw, ph) = prepared.gray.dimensions();
    // Deskew turns within a few degrees; upscaling at most doubles.
    assert!(
        pw as u64 * ph as u64 <= (w as u64 + h as u64 + 4).pow(2) * 4,
        "{w} × {h} prepared into {pw} × {ph}"
    );
    for &(l, t, cw, ch) in &prepared.cells {
        assert!(
            l as u64 + cw as u64 <= pw as u64 + 1 && t as u64 + ch as u64 <= ph as u64 + 1,
            "a table cell ({l}, {t}, {cw}, {ch}) outside the {pw} × {ph} page"
        );
    }
}

/// Image files (PNG, JPEG, TIFF pages, BMP, WebP, GIF) through decoding and scan preparation.
pub fn image(data: &[u8]) {
    let limits = limits();
    let start = started();
    let got = read::image::decode_pages(data, &limits);
    in_time(start, "decoding");
    let Ok(pages) = got else { return };
    assert!(!pages.is_empty(), "no pages and no error");
    assert!(pages.len() <= limits.max_pages + 1, "{} pages", pages.len());
    for p in pages.iter().flatten().take(limits.max_ocr_pages) {
        check_page_image(p, &limits);
        prepare_page(p);
    }
    in_time(start, "decoding and preparing");
}

/// The image of each page of a PDF (filters, predictors, CCITT, colour spaces), then scan
/// preparation.
pub fn pdf_images(data: &[u8]) {
    let limits = limits();
    let start = started();
    let asked: Vec<u32> = (1..=limits.max_pages as u32 + 1).collect();
    let got = read::pdf::page_images(data, &asked, &limits);
    in_time(start, "decoding page images");
    let Ok(answers) = got else { return };
    assert_eq!(
        answers.iter().map(|a| a.0).collect::<Vec<_>>(),
        asked,
        "pages answered out of order"
    );
    for (_, a) in &answers {
        if let Ok(Some(img)) = a {
            check_page_image(&img.image, &limits);
        }
    }
    if let Some((_, Ok(Some(img)))) = answers.first() {
        prepare_page(&img.image);
    }
    in_time(start, "decoding and preparing");
}

/// A zip uploaded as a bundle.
pub fn zip_intake(data: &[u8]) {
    let limits = intake_limits();
    let start = started();
    let src = ZipSource {
        id: "fuzz".into(),
        bytes: data.to_vec(),
    };
    let got = src.open(&limits);
    in_time(start, "opening the bundle");
    let Ok(b) = got else { return };
    assert!(b.files.len() <= limits.max_files, "{} files", b.files.len());
    let mut total = 0u64;
    for f in &b.files {
        assert!(
            f.bytes.len() as u64 <= limits.max_file_bytes,
            "{}: {} bytes",
            f.path,
            f.bytes.len()
        );
        total += f.bytes.len() as u64;
        assert_eq!(f.sha256, sha256_hex(&f.bytes), "{}: wrong hash", f.path);
        assert!(!f.path.is_empty(), "a file without a name");
        assert!(!f.path.starts_with('/'), "{}: absolute", f.path);
        assert!(
            !f.path
                .split('/')
                .any(|c| c == ".." || c == "." || c.is_empty()),
            "{}: a path that leaves or bends the bundle",
            f.path
        );
        assert!(
            !f.path.contains('\\') && !f.path.contains('\0'),
            "{:?}",
            f.path
        );
        // `C:/…` names a drive; `%:/…` names nothing but a folder called `%:`.
        assert!(
            !(f.path.len() >= 2
                && f.path.as_bytes()[0].is_ascii_alphabetic()
                && f.path.as_bytes()[1] == b':'),
            "{}: a drive letter",
            f.path
        );
    }
    assert!(total <= limits.max_total_bytes, "{total} bytes held");
    assert!(
        b.files.windows(2).all(|w| w[0].path < w[1].path),
        "files not sorted or not unique"
    );
    if let Some((path, text)) = &b.case_toml {
        assert!(text.len() as u64 <= 1 << 20, "{path}: {} bytes", text.len());
        assert!(!text.starts_with('\u{feff}'), "{path}: BOM kept");
        let _ = crate::facts::case_toml::parse(text, path);
    }
}

/// `case.toml`: a result, or an error whose line and column point into the text.
pub fn case_toml(data: &[u8]) {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    match crate::facts::case_toml::parse(text, "case.toml") {
        Ok(c) => {
            let _ = c.judged_on();
        }
        Err(e) => {
            let lines = text.split('\n').count();
            assert!(
                e.line >= 1 && e.line <= lines,
                "line {} of {lines}: {e}",
                e.line
            );
            let line = text
                .trim_start_matches('\u{feff}')
                .split('\n')
                .nth(e.line - 1)
                .unwrap_or("");
            assert!(
                e.column >= 1 && e.column <= line.chars().count() + 1,
                "column {} of a {}-character line: {e}",
                e.column,
                line.chars().count()
            );
            assert!(!e.message.trim().is_empty(), "an error without a message");
            assert!(e.to_string().contains("case.toml"), "{e}");
        }
    }
}

/// A pipeline file (`pipelines/*.toml`): every check it names has a parameter set the engine
/// can read.
pub fn pipeline_toml(data: &[u8]) {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    match crate::checks::pipeline::Pipeline::from_toml(text, "fuzz.toml") {
        Ok(p) => {
            assert_eq!(p.schema, "jzz.pipeline/1");
            let _ = serde_json::to_string(&p.stages);
        }
        Err(e) => assert!(e.starts_with("fuzz.toml"), "{e}"),
    }
}

/// The policy table: every figure it accepts gives a threshold, exactly (the multiplier times
/// the average, rounded half up to the yuan, in 分), without overflow.
pub fn policy_toml(data: &[u8]) {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    let Ok(p) = crate::policy::Policy::from_toml(text, "fuzz.toml") else {
        return;
    };
    for year in 1990..=2035 {
        for m in [
            &p.thresholds.monthly_income,
            &p.thresholds.category_4,
            &p.thresholds.category_5,
        ] {
            if let Ok(t) = p.monthly_multiple(year, m) {
                assert!(t.fen.fen() >= 0, "{year}: a negative line {:?}", t.fen);
                assert_eq!(t.fen.fen() % 100, 0, "{year}: a line not in whole yuan");
            }
            if let Ok(t) = p.annual_multiple(year, m) {
                assert!(t.fen.fen() >= 0, "{year}: a negative line {:?}", t.fen);
            }
        }
        if let Ok(ym) = format!("{year}-06").parse() {
            let _ = p.monthly_threshold(ym);
        }
    }
    let _ = p.is_wage_item("正常工资薪金");
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn written_fffd_counts_every_spelling() {
        assert_eq!(written_fffd("a\u{FFFD}b".as_bytes()), 1);
        assert_eq!(written_fffd(b"&#xFFFD; &#65533;"), 2);
        assert_eq!(written_fffd(b"plain"), 0);
    }

    #[test]
    fn every_target_runs() {
        for t in TARGETS {
            run(t, b"");
            run(t, b"\0\xff garbage");
        }
    }

    #[test]
    fn the_cpu_clock_advances_with_work() {
        let s = started();
        // Work until the process's CPU clock has moved 50 ms (a loaded machine only makes this
        // take longer on the wall clock); a clock that did not move would spin to the cap.
        let cap = Instant::now();
        let mut x = 0u64;
        while process_cpu().unwrap() - s.cpu.unwrap() < Duration::from_millis(50) {
            assert!(
                cap.elapsed() < Duration::from_secs(20),
                "the CPU clock does not move"
            );
            x = std::hint::black_box(x.wrapping_add(1));
        }
        in_time(s, "50 ms of work");
    }
}
