//! Grayscale image → a [`TextPage`] of OCR words, each with its confidence (tesseract through
//! `leptess`).
//!
//! Contract:
//! - the languages are checked once, at engine start-up: a missing `chi_sim.traineddata` is an
//!   error that names the tessdata directory and the Debian package to install, never a silent
//!   fall-back to another language;
//! - one engine per thread and language, loaded once (`thread_local`), so callers parallelize
//!   by page; OpenMP inside tesseract is limited to one thread (tessdoc Benchmarks: its threads
//!   cost more CPU than they save). libgomp reads `OMP_THREAD_LIMIT` when it is loaded, before
//!   `main`, so setting the variable from inside the process is too late; instead each engine's
//!   thread calls `omp_set_num_threads(1)` (looked up with `dlsym`, as a tesseract built
//!   without OpenMP has no libgomp). Set `OMP_THREAD_LIMIT=1` in the environment as well when
//!   running jzz next to other tesseract users;
//! - words come out in page coordinates in points (origin bottom-left, y up, as
//!   [`crate::read::text`] says), taking the image at [`ASSUMED_DPI`] — only relative sizes
//!   matter to layout; each word's baseline and size are those of its tesseract line, so the
//!   words of one line share a baseline;
//! - a word read with low confidence is carried with its confidence (0–100): the case
//!   engine's low-confidence guard decides what it may prove, not this stage;
//! - the page is turned upright first when tesseract's orientation detection
//!   (`osd.traineddata`, Debian `tesseract-ocr-osd`) is confident it is rotated by 90, 180 or
//!   270 degrees; without `osd.traineddata` the check is skipped with a note.

use std::cell::RefCell;
use std::collections::HashMap;
use std::ffi::{CStr, CString};
use std::path::{Path, PathBuf};

use image::GrayImage;
use leptess::capi as c;

use super::ReadError;
use super::text::{TextLayer, TextPage, TextRun};

/// The resolution an image is taken to have when converting pixels to points.
pub const ASSUMED_DPI: f32 = 200.0;

/// The language of Chinese documents. `chi_sim` alone reads Chinese pages better than
/// `chi_sim+eng` (STYLE.md).
pub const CHINESE: &str = "chi_sim";

/// The directories searched for `*.traineddata`, after `$TESSDATA_PREFIX`.
const TESSDATA_DIRS: &[&str] = &[
    "/usr/share/tesseract-ocr/5/tessdata",
    "/usr/share/tesseract-ocr/4.00/tessdata",
    "/usr/share/tessdata",
    "/usr/local/share/tessdata",
    "/opt/homebrew/share/tessdata",
];

/// The Debian package that installs a tesseract language.
fn package_of(lang: &str) -> String {
    format!("tesseract-ocr-{}", lang.replace('_', "-").to_lowercase())
}

/// The tessdata directory: `$TESSDATA_PREFIX` (or its `tessdata/` subfolder) if set, else the
/// first of the usual places holding any traineddata.
pub fn tessdata_dir() -> Option<PathBuf> {
    if let Some(p) = std::env::var_os("TESSDATA_PREFIX") {
        let p = PathBuf::from(p);
        let sub = p.join("tessdata");
        return Some(if sub.is_dir() { sub } else { p });
    }
    TESSDATA_DIRS
        .iter()
        .map(PathBuf::from)
        .find(|d| d.join("eng.traineddata").is_file() || d.join("chi_sim.traineddata").is_file())
        .or_else(|| TESSDATA_DIRS.iter().map(PathBuf::from).find(|d| d.is_dir()))
}

/// Checks that every language of `langs` (`chi_sim`, or `chi_sim+eng`) is installed and says
/// exactly what is missing.
pub fn check_languages(langs: &str) -> Result<PathBuf, ReadError> {
    let Some(dir) = tessdata_dir() else {
        return Err(ReadError::Ocr(format!(
            "no tessdata directory found (looked at $TESSDATA_PREFIX and {}): apt-get install tesseract-ocr {}",
            TESSDATA_DIRS.join(", "),
            langs
                .split('+')
                .map(package_of)
                .collect::<Vec<_>>()
                .join(" ")
        )));
    };
    let missing: Vec<&str> = langs
        .split('+')
        .filter(|l| !dir.join(format!("{l}.traineddata")).is_file())
        .collect();
    if missing.is_empty() {
        return Ok(dir);
    }
    Err(ReadError::Ocr(format!(
        "tesseract language {} not found in {}: apt-get install {}",
        missing.join(", "),
        dir.display(),
        missing
            .iter()
            .map(|l| package_of(l))
            .collect::<Vec<_>>()
            .join(" ")
    )))
}

/// Limits OpenMP to one thread for parallel regions started from this thread.
fn limit_openmp_threads() {
    // SAFETY: dlsym with RTLD_DEFAULT and a NUL-terminated name only looks a symbol up; when
    // found it is libgomp's `void omp_set_num_threads(int)`, called with a valid int.
    unsafe {
        let f = libc::dlsym(libc::RTLD_DEFAULT, c"omp_set_num_threads".as_ptr());
        if !f.is_null() {
            let f: extern "C" fn(libc::c_int) = std::mem::transmute(f);
            f(1);
        }
    }
}

/// One tesseract engine for one language set (a raw C API handle: `leptess`'s safe wrapper
/// exposes neither the recognition monitor, which carries the deadline, nor orientation
/// detection).
pub struct Ocr {
    api: *mut c::TessBaseAPI,
}

impl Drop for Ocr {
    fn drop(&mut self) {
        // SAFETY: the handle came from TessBaseAPICreate and is dropped once.
        unsafe {
            c::TessBaseAPIEnd(self.api);
            c::TessBaseAPIDelete(self.api);
        }
    }
}

impl std::fmt::Debug for Ocr {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("Ocr")
    }
}

impl Ocr {
    /// Starts an engine for `langs` after checking that they are installed.
    pub fn new(langs: &str) -> Result<Ocr, ReadError> {
        let dir = check_languages(langs)?;
        limit_openmp_threads();
        let dir_c = CString::new(dir.to_string_lossy().as_bytes())
            .map_err(|_| ReadError::Ocr("the tessdata path holds a NUL byte".into()))?;
        let langs_c = CString::new(langs)
            .map_err(|_| ReadError::Ocr("the language name holds a NUL byte".into()))?;
        // SAFETY: a fresh handle; NUL-terminated strings that outlive the calls. On failure
        // `Ocr`'s Drop ends and deletes the handle. setMsgSeverity only sets leptonica's global
        // message level (an int).
        unsafe {
            let o = Ocr {
                api: c::TessBaseAPICreate(),
            };
            if c::TessBaseAPIInit3(o.api, dir_c.as_ptr(), langs_c.as_ptr()) != 0 {
                return Err(ReadError::Ocr(format!(
                    "tesseract could not load {langs} from {} (damaged traineddata?)",
                    dir.display()
                )));
            }
            // Tesseract's diagnostics ("Estimating resolution …") go nowhere: jzz's stderr is
            // for errors that name a file. Leptonica's likewise ("pixScanForForeground: invalid
            // box" when layout analysis crops an image region at a card's edge): they are
            // reported through return values the engine handles.
            c::TessBaseAPISetVariable(o.api, c"debug_file".as_ptr(), c"/dev/null".as_ptr());
            c::setMsgSeverity(c::L_SEVERITY_NONE as i32);
            // Fully automatic page segmentation without OSD (that is done apart, `upright`).
            c::TessBaseAPISetPageSegMode(o.api, c::TessPageSegMode_PSM_AUTO);
            Ok(o)
        }
    }

    /// Recognizes a grayscale page into word runs with confidences, stopping after
    /// `deadline_ms` (the words read until then are kept; the bool says it stopped).
    pub fn recognize(
        &mut self,
        img: &GrayImage,
        number: u32,
        deadline_ms: u64,
    ) -> Result<(TextPage, bool), ReadError> {
        self.recognize_as(img, number, deadline_ms, false)
    }

    /// [`Ocr::recognize`], reading the page as one uniform block of text when `block` (a table
    /// whose rulings were erased: automatic segmentation would read it column by column).
    pub fn recognize_as(
        &mut self,
        img: &GrayImage,
        number: u32,
        deadline_ms: u64,
        block: bool,
    ) -> Result<(TextPage, bool), ReadError> {
        let (w, h) = img.dimensions();
        let (wi, hi) = (
            i32::try_from(w).map_err(|_| ReadError::Limit("image too wide".into()))?,
            i32::try_from(h).map_err(|_| ReadError::Limit("image too tall".into()))?,
        );
        if img.as_raw().len() < w as usize * h as usize {
            return Err(ReadError::Ocr(
                "the image buffer is shorter than its size".into(),
            ));
        }
        let deadline = i32::try_from(deadline_ms).unwrap_or(i32::MAX);
        let start = std::time::Instant::now();
        // SAFETY: the pixel buffer holds w × h bytes (one byte per pixel, rows of w bytes,
        // checked above) and outlives recognition; the monitor is created and deleted here;
        // the TSV text is copied before TessDeleteText frees it.
        let tsv = unsafe {
            c::TessBaseAPISetImage(self.api, img.as_raw().as_ptr(), wi, hi, 1, wi);
            c::TessBaseAPISetSourceResolution(self.api, ASSUMED_DPI as i32);
            c::TessBaseAPISetPageSegMode(
                self.api,
                if block {
                    c::TessPageSegMode_PSM_SINGLE_BLOCK
                } else {
                    c::TessPageSegMode_PSM_AUTO
                },
            );
            let monitor = c::TessMonitorCreate();
            c::TessMonitorSetDeadlineMSecs(monitor, deadline);
            let _ = c::TessBaseAPIRecognize(self.api, monitor);
            c::TessMonitorDelete(monitor);
            let p = c::TessBaseAPIGetTsvText(self.api, 0);
            let tsv = if p.is_null() {
                None
            } else {
                let s = CStr::from_ptr(p).to_string_lossy().into_owned();
                c::TessDeleteText(p);
                Some(s)
            };
            c::TessBaseAPIClear(self.api);
            tsv
        };
        let stopped = start.elapsed().as_millis() as u64 >= deadline_ms;
        let tsv = tsv.ok_or_else(|| ReadError::Ocr("tesseract returned no result".into()))?;
        Ok((page_from_tsv(&tsv, w, h, number), stopped))
    }
}

/// One page's OCR budget. The work is decided by the page alone — its pixels (bounded by
/// [`super::Limits::max_ocr_pixels`] before recognition), at most `max_ocr_cells` cells read on
/// their own and `max_ocr_rereads` second reads, taken in reading order — so the same page gives
/// the same words on an idle and on a busy machine. The wall clock is only a last-resort guard:
/// past it the page is an error ([`ReadError::OcrGuard`]), never a page read in part.
#[derive(Debug)]
pub struct Budget {
    guard_at: std::time::Instant,
    guard_ms: u64,
    max_cells: usize,
    rereads_left: std::cell::Cell<usize>,
    rereads_refused: std::cell::Cell<usize>,
}

impl Budget {
    /// The budget of a page whose OCR starts now.
    pub fn new(limits: &super::Limits) -> Budget {
        Budget {
            guard_at: std::time::Instant::now()
                + std::time::Duration::from_millis(limits.max_ocr_millis),
            guard_ms: limits.max_ocr_millis,
            max_cells: limits.max_ocr_cells,
            rereads_left: std::cell::Cell::new(limits.max_ocr_rereads),
            rereads_refused: std::cell::Cell::new(0),
        }
    }

    /// The guard's error.
    fn guard_error(&self) -> ReadError {
        ReadError::OcrGuard {
            seconds: self.guard_ms.div_ceil(1000),
        }
    }

    /// An error once the wall-clock guard has passed.
    fn check(&self) -> Result<(), ReadError> {
        if std::time::Instant::now() >= self.guard_at {
            Err(self.guard_error())
        } else {
            Ok(())
        }
    }

    /// Milliseconds left before the guard (for tesseract's monitor).
    fn millis_left(&self) -> u64 {
        self.guard_at
            .saturating_duration_since(std::time::Instant::now())
            .as_millis() as u64
    }

    /// Grants up to `n` second reads; the rest are counted as refused.
    fn take(&self, n: usize) -> usize {
        let granted = n.min(self.rereads_left.get());
        self.rereads_left.set(self.rereads_left.get() - granted);
        self.rereads_refused
            .set(self.rereads_refused.get() + (n - granted));
        granted
    }

    /// The note for second reads the budget refused, if any.
    fn note(&self, number: u32) -> Option<String> {
        let n = self.rereads_refused.get();
        (n > 0).then(|| {
            format!("page {number}: {n} second reads left out by the page's OCR budget (they stay unconfirmed)")
        })
    }
}

impl Ocr {
    /// Reads each cell `(left, top, width, height)` of `img` (pixels) on its own as one block
    /// of text, into word runs in the page's point space (as [`Ocr::recognize`]). A cell
    /// without ink is skipped; only the first `budget.max_cells` cells are read (the cells
    /// read are the second value); past the budget's guard, an error.
    pub fn recognize_cells(
        &mut self,
        img: &GrayImage,
        number: u32,
        cells: &[crate::read::scan::Cell],
        budget: &Budget,
    ) -> Result<(Vec<TextRun>, Vec<crate::read::scan::Cell>), ReadError> {
        let (w, h) = img.dimensions();
        let (Ok(wi), Ok(hi)) = (i32::try_from(w), i32::try_from(h)) else {
            return Ok((Vec::new(), Vec::new()));
        };
        if img.as_raw().len() < w as usize * h as usize {
            return Ok((Vec::new(), Vec::new()));
        }
        let mut guard = Ok(());
        let ink = crate::read::scan::ink_threshold(img);
        let mut runs = Vec::new();
        let mut read = Vec::new();
        // SAFETY: the pixel buffer holds w × h bytes and outlives every call below; rectangles
        // lie inside the image (checked); each TSV result is copied before TessDeleteText.
        unsafe {
            c::TessBaseAPISetImage(self.api, img.as_raw().as_ptr(), wi, hi, 1, wi);
            c::TessBaseAPISetSourceResolution(self.api, ASSUMED_DPI as i32);
            c::TessBaseAPISetPageSegMode(self.api, c::TessPageSegMode_PSM_SINGLE_BLOCK);
            for &cell in cells.iter().take(budget.max_cells) {
                let (l, t, cw, ch) = cell;
                if l.saturating_add(cw) > w || t.saturating_add(ch) > h || cw < 4 || ch < 4 {
                    continue;
                }
                if let Err(e) = budget.check() {
                    guard = Err(e);
                    break;
                }
                read.push(cell);
                let dark = (t..t + ch)
                    .flat_map(|y| (l..l + cw).map(move |x| (x, y)))
                    .filter(|&(x, y)| img.get_pixel(x, y).0[0] < ink)
                    .take(8)
                    .count();
                if dark < 8 {
                    continue;
                }
                c::TessBaseAPISetRectangle(self.api, l as i32, t as i32, cw as i32, ch as i32);
                let p = c::TessBaseAPIGetTsvText(self.api, 0);
                if p.is_null() {
                    continue;
                }
                let tsv = CStr::from_ptr(p).to_string_lossy().into_owned();
                c::TessDeleteText(p);
                runs.extend(page_from_tsv(&tsv, w, h, number).runs);
            }
            c::TessBaseAPISetPageSegMode(self.api, c::TessPageSegMode_PSM_AUTO);
            c::TessBaseAPIClear(self.api);
        }
        guard.map(|_| (runs, read))
    }

    /// Re-reads each rectangle `(left, top, width, height)` of `img` (pixels) as one line with
    /// only `whitelist` allowed; `None` where nothing was read or the budget granted no
    /// second read (the first rectangles are granted); past the budget's guard, an error. The
    /// engine is returned to page mode afterwards.
    pub fn reread(
        &mut self,
        img: &GrayImage,
        rects: &[(i32, i32, i32, i32)],
        whitelist: &CStr,
        budget: &Budget,
    ) -> Result<Vec<Option<(String, f32)>>, ReadError> {
        let (w, h) = img.dimensions();
        let (Ok(wi), Ok(hi)) = (i32::try_from(w), i32::try_from(h)) else {
            return Ok(vec![None; rects.len()]);
        };
        if img.as_raw().len() < w as usize * h as usize {
            return Ok(vec![None; rects.len()]);
        }
        budget.check()?;
        let granted = budget.take(rects.len());
        let mut guard = Ok(());
        let mut out = Vec::with_capacity(rects.len());
        // SAFETY: the pixel buffer holds w × h bytes and outlives every call below; rectangles
        // are clamped to the image; each UTF-8 result is copied before TessDeleteText.
        unsafe {
            c::TessBaseAPISetImage(self.api, img.as_raw().as_ptr(), wi, hi, 1, wi);
            c::TessBaseAPISetSourceResolution(self.api, ASSUMED_DPI as i32);
            c::TessBaseAPISetPageSegMode(self.api, c::TessPageSegMode_PSM_SINGLE_LINE);
            c::TessBaseAPISetVariable(
                self.api,
                c"tessedit_char_whitelist".as_ptr(),
                whitelist.as_ptr(),
            );
            for (i, &(l, t, rw, rh)) in rects.iter().enumerate() {
                let (l, t) = (l.clamp(0, wi - 1), t.clamp(0, hi - 1));
                let (rw, rh) = (rw.min(wi - l), rh.min(hi - t));
                if i >= granted || rw < 4 || rh < 4 {
                    out.push(None);
                    continue;
                }
                if let Err(e) = budget.check() {
                    guard = Err(e);
                    break;
                }
                c::TessBaseAPISetRectangle(self.api, l, t, rw, rh);
                let p = c::TessBaseAPIGetUTF8Text(self.api);
                if p.is_null() {
                    out.push(None);
                    continue;
                }
                let text = CStr::from_ptr(p).to_string_lossy().trim().to_string();
                c::TessDeleteText(p);
                let conf = c::TessBaseAPIMeanTextConf(self.api) as f32;
                out.push((!text.is_empty()).then_some((text, conf.clamp(0.0, 100.0))));
            }
            c::TessBaseAPISetVariable(self.api, c"tessedit_char_whitelist".as_ptr(), c"".as_ptr());
            c::TessBaseAPISetPageSegMode(self.api, c::TessPageSegMode_PSM_AUTO);
            c::TessBaseAPIClear(self.api);
        }
        guard.map(|_| out)
    }
}

/// The characters of figures: amounts, dates, ID and credit-code digits.
const FIGURE_CHARS: &CStr = c"0123456789.,-:/X";

/// Whether a word is a figure worth a second read (an amount, a date, an ID number).
fn is_figure(t: &str) -> bool {
    t.chars().filter(|c| c.is_ascii_digit()).count() >= 2
        && t.chars().all(|c| {
            FIGURE_CHARS.to_bytes().contains(&(c as u8)) && c.is_ascii() || "，．－：".contains(c)
        })
}

/// The figure as compared between two reads: digits, the decimal point, `X`. A point at
/// either end is not compared: a figure printed with a space after its point (`516. 34`, as
/// 宋体 tables do) is two words, and the second read of one takes in its neighbour's point.
fn figure_key(t: &str) -> String {
    let k: String = t
        .chars()
        .map(|c| match c {
            '．' => '.',
            c => c,
        })
        .filter(|c| c.is_ascii_digit() || *c == '.' || *c == 'X' || *c == 'x')
        .map(|c| c.to_ascii_uppercase())
        .collect();
    k.trim_matches('.').to_string()
}

/// Confidence given to a figure whose second read disagrees with the first: under any bar a
/// reviewer would set, so it can never make a check pass.
pub const DISAGREEING_READS: f32 = 30.0;

/// An OCR'd page and what was done to read it.
#[derive(Debug)]
pub struct OcrPage {
    /// Words with confidences, in the page's own point space (see module doc).
    pub page: TextPage,
    /// What was done (turned upright, seal suppressed, rulings erased …) and what went wrong.
    pub notes: Vec<String>,
    /// Figures read twice, and how many of them disagreed.
    pub rereads: (usize, usize),
}

/// Reads one page image: red ink suppressed, turned upright, deskewed, rulings erased, small
/// print enlarged ([`super::scan`]), recognized with `chi_sim`, then every figure (amount,
/// date, ID number) read a second time alone on its line with only figure characters allowed.
/// Where the two reads disagree the word keeps its first reading with confidence
/// [`DISAGREEING_READS`]: such a value is never presented as sure.
///
/// A photo of a card with background around it ([`super::card::find_all`]) is read as a card
/// instead ([`read_card`]); a photo of two cards (the face and the back side by side) as both,
/// one above the other on one page.
pub fn read_page(
    pixels: &image::DynamicImage,
    number: u32,
    limits: &super::Limits,
) -> Result<OcrPage, ReadError> {
    let cards = cards_in_reading_order(pixels);
    if !cards.is_empty() {
        let mut read = Vec::with_capacity(cards.len());
        for card in &cards {
            read.push(read_card(pixels, card, number, limits)?);
        }
        return Ok(stack(read));
    }
    let (gray, mut notes) = super::scan::to_gray(pixels, true);
    let (gray, note) = upright(gray);
    notes.extend(note);
    let prepared = super::scan::prepare(gray, super::scan::Steps::default());
    notes.extend(prepared.notes);
    let gray = prepared.gray;
    let budget = Budget::new(limits);
    let table = prepared.table;
    // The table's closed cells are read one by one below: the page read sees them blank.
    let outside = if prepared.cells.is_empty() {
        None
    } else {
        let mut g = gray.clone();
        for &(l, t, w, h) in &prepared.cells {
            for y in t..(t + h).min(g.height()) {
                for x in l..(l + w).min(g.width()) {
                    g.put_pixel(x, y, image::Luma([255]));
                }
            }
        }
        Some(g)
    };
    let (mut page, stopped) = with_engine(CHINESE, |o| {
        // With the cells blank, what is left (titles, the header block, notes) is ordinary
        // print of mixed sizes: automatic segmentation reads it.
        o.recognize_as(
            outside.as_ref().unwrap_or(&gray),
            number,
            budget.millis_left(),
            table && outside.is_none(),
        )
    })?;
    if stopped {
        return Err(budget.guard_error());
    }
    drop(outside);
    read_unread_ink(
        &gray,
        &mut page,
        number,
        &prepared.cells,
        &budget,
        &mut notes,
    )?;
    // A ruled table: every closed cell read again on its own, its words replacing the page
    // read's words there. Read as one block, a row whose cells hold one and two lines (a
    // wrapped 入库税务机关 beside a one-line date) is cut into lines through the characters of
    // the one-line cells, which then come out as garbage with low confidence.
    let h = gray.height() as f32;
    let mut read_cells: Vec<super::scan::Cell> = Vec::new();
    if !prepared.cells.is_empty() {
        let cells = prepared.cells.clone();
        let (runs, read) = with_engine(CHINESE, |o| {
            o.recognize_cells(&gray, number, &cells, &budget)
        })?;
        page.runs.retain(|r| cell_of(&read, r, h).is_none());
        page.runs.extend(runs);
        // A page that is all table has its words in the cells only.
        if !page.runs.is_empty() {
            page.layer = TextLayer::Usable;
        }
        read_cells = read;
        if read_cells.len() < cells.len() {
            notes.push(format!(
                "page {number}: {} of {} table cells read on their own (the page's OCR budget); the rest keep the page's reading",
                read_cells.len(),
                cells.len()
            ));
        }
    }
    // Second reads share the page's budget; figures it does not grant stay unconfirmed
    // (low-confidence).
    drop_stray_marks(&mut page.runs);
    let dated = confirm_page_dates(&gray, &mut page, number, &budget, &mut notes)?;
    let rereads = confirm_figures(
        &gray,
        &mut page,
        number,
        &budget,
        &mut notes,
        &dated,
        &read_cells,
    )?;
    notes.extend(budget.note(number));
    Ok(OcrPage {
        page,
        notes,
        rereads,
    })
}

/// Print the page read left out ([`super::scan::unread_ink`]: automatic segmentation now and
/// then drops a column of labels whose values it read) read again piece by piece, each as one
/// block of text, its words added to the page. A piece whose words are all unsure (under
/// [`UNREAD_MIN_CONFIDENCE`]) was no print (a stroke of a seal, a scribble) and adds nothing.
fn read_unread_ink(
    gray: &GrayImage,
    page: &mut TextPage,
    number: u32,
    cells: &[super::scan::Cell],
    budget: &Budget,
    notes: &mut Vec<String>,
) -> Result<(), ReadError> {
    let s = 72.0 / ASSUMED_DPI;
    let mut sizes: Vec<f32> = page.runs.iter().map(|r| r.size / s).collect();
    if sizes.is_empty() {
        return Ok(());
    }
    sizes.sort_by(f32::total_cmp);
    let line_h = sizes[sizes.len() / 2].round() as u32;
    let h = gray.height() as f32;
    let mut covered: Vec<super::scan::Cell> = page
        .runs
        .iter()
        .map(|r| {
            let (l, t, w, rh) = run_rect(r, h);
            (
                l.max(0) as u32,
                t.max(0) as u32,
                w.max(0) as u32,
                rh.max(0) as u32,
            )
        })
        .collect();
    covered.extend_from_slice(cells);
    let pieces = super::scan::unread_ink(gray, &covered, line_h);
    if pieces.is_empty() {
        return Ok(());
    }
    // Each piece with a quarter of a line around it, as a cell is read.
    let pad = line_h / 4;
    let (gw, gh) = gray.dimensions();
    let rects: Vec<super::scan::Cell> = pieces
        .iter()
        .map(|&(l, t, w, ph)| {
            let (l0, t0) = (l.saturating_sub(pad), t.saturating_sub(pad));
            let (l1, t1) = ((l + w + pad).min(gw), (t + ph + pad).min(gh));
            (l0, t0, l1 - l0, t1 - t0)
        })
        .collect();
    let (runs, _) = with_engine(CHINESE, |o| o.recognize_cells(gray, number, &rects, budget))?;
    let mut added = 0;
    let mut kept = 0;
    for rect in &rects {
        let own: Vec<&TextRun> = runs
            .iter()
            .filter(|r| cell_of(std::slice::from_ref(rect), r, h).is_some())
            .collect();
        if own
            .iter()
            .any(|r| r.confidence.unwrap_or(0.0) >= UNREAD_MIN_CONFIDENCE)
        {
            kept += 1;
            added += own.len();
            page.runs.extend(own.into_iter().cloned());
        }
    }
    if added > 0 {
        notes.push(format!(
            "page {number}: {kept} pieces of print the page read left out were read on their own ({added} words)"
        ));
    }
    Ok(())
}

/// A piece of print read again ([`read_unread_ink`]) counts when one of its words is read at
/// least this surely.
const UNREAD_MIN_CONFIDENCE: f32 = 60.0;

/// Quote marks and full stops chi_sim reads in the blank between the columns of a table
/// without rulings (`”2017-01-31`, `“1820.00`, a lone `”` or `。。`).
const STRAY_MARKS: &[char] = &['“', '”', '"', '\'', '‘', '’', '`', '。'];

/// A lone stray mark read less surely than this is dropped.
const STRAY_MAX_CONFIDENCE: f32 = 50.0;

/// Takes the stray marks ([`STRAY_MARKS`]) off the figures they were read onto (a figure holds
/// no quote mark) and drops lone ones read unsurely: they join the words around them into one
/// cell and keep a figure from being read again.
fn drop_stray_marks(runs: &mut Vec<TextRun>) {
    for r in runs.iter_mut() {
        let t = r.text.trim_matches(STRAY_MARKS);
        if t.len() < r.text.len() && is_figure(t) {
            r.text = t.to_string();
        }
    }
    runs.retain(|r| {
        !(r.text.chars().all(|c| STRAY_MARKS.contains(&c))
            && r.confidence.unwrap_or(100.0) < STRAY_MAX_CONFIDENCE)
    });
}

/// Cards read from one photo as one page: the first on top, each next one below it.
fn stack(mut cards: Vec<OcrPage>) -> OcrPage {
    let mut out = cards.remove(0);
    for next in cards {
        // Page coordinates have y up: what is above moves up by the height added below.
        for r in &mut out.page.runs {
            r.y += next.page.height;
        }
        out.page.height += next.page.height;
        out.page.width = out.page.width.max(next.page.width);
        out.page.runs.extend(next.page.runs);
        if out.page.runs.is_empty() {
            out.page.layer = TextLayer::Absent;
        } else {
            out.page.layer = TextLayer::Usable;
        }
        out.notes.extend(next.notes);
        out.rereads.0 += next.rereads.0;
        out.rereads.1 += next.rereads.1;
    }
    out
}

/// The pixel rectangle `(left, top, width, height)` of a run on `gray`, padded by a quarter of
/// its line's height.
fn run_rect(r: &TextRun, img_h: f32) -> (i32, i32, i32, i32) {
    let s = 72.0 / ASSUMED_DPI;
    let (size, pad) = (r.size / s, (r.size / s * 0.25).max(3.0));
    let top = img_h - r.y / s - size;
    (
        (r.x / s - pad) as i32,
        (top - pad) as i32,
        (r.width / s + 2.0 * pad) as i32,
        (size + 2.0 * pad) as i32,
    )
}

/// Every figure of the page read a second time alone with [`FIGURE_CHARS`]; a figure read
/// differently, or not at all, the second time gets confidence [`DISAGREEING_READS`]. Returns
/// (figures, figures left unsure) and notes them.
fn confirm_figures(
    gray: &GrayImage,
    page: &mut TextPage,
    number: u32,
    budget: &Budget,
    notes: &mut Vec<String>,
    done: &[usize],
    cells: &[super::scan::Cell],
) -> Result<(usize, usize), ReadError> {
    let h = gray.height() as f32;
    // Each unit: the words read again together and the rectangle (left, top, width, height).
    // A table cell holding only figures is one unit (`516. 34` is two words, one amount);
    // any other figure is a unit alone.
    type Unit = (Vec<usize>, (i32, i32, i32, i32));
    let mut units: Vec<Unit> = Vec::new();
    let mut cell_unit: HashMap<usize, usize> = HashMap::new();
    let cell_index: Vec<Option<usize>> = page.runs.iter().map(|r| cell_of(cells, r, h)).collect();
    for i in 0..page.runs.len() {
        let r = &page.runs[i];
        if done.contains(&i) || !is_figure(&r.text) {
            continue;
        }
        let cell = cell_index[i].filter(|&c| {
            page.runs
                .iter()
                .zip(&cell_index)
                .filter(|(_, k)| **k == Some(c))
                .all(|(o, _)| is_figure(&o.text) || o.text.chars().all(|ch| ".．".contains(ch)))
        });
        if let Some(c) = cell {
            if let Some(&u) = cell_unit.get(&c) {
                units[u].0.push(i);
                continue;
            }
            let (l, t, w, ch) = cells[c];
            cell_unit.insert(c, units.len());
            units.push((vec![i], (l as i32, t as i32, w as i32, ch as i32)));
            continue;
        }
        units.push((vec![i], run_rect(r, h)));
    }
    // Words of a cell in reading order, for comparing with the cell's second read.
    for (members, _) in &mut units {
        members.sort_by(|&a, &b| {
            let (ra, rb) = (&page.runs[a], &page.runs[b]);
            rb.y.total_cmp(&ra.y).then(ra.x.total_cmp(&rb.x))
        });
    }
    let rects: Vec<(i32, i32, i32, i32)> = units.iter().map(|u| u.1).collect();
    let second = with_engine(CHINESE, |o| o.reread(gray, &rects, FIGURE_CHARS, budget))?;
    let figures: usize = units.iter().map(|u| u.0.len()).sum();
    let mut disagree = 0;
    let mut unread = 0;
    for ((members, _), again) in units.iter().zip(second) {
        let first: String = members
            .iter()
            .map(|&i| page.runs[i].text.as_str())
            .collect();
        let agreed = match &again {
            Some((t, _)) => figure_key(t) == figure_key(&first),
            None => false,
        };
        if agreed {
            continue;
        }
        if again.is_some() {
            disagree += members.len();
        } else {
            unread += members.len();
        }
        for &i in members {
            let r = &mut page.runs[i];
            r.confidence = Some(r.confidence.unwrap_or(100.0).min(DISAGREEING_READS));
        }
    }
    if disagree + unread > 0 {
        notes.push(format!(
            "page {number}: {disagree} of {} figures read differently the second time{}: they are marked low-confidence",
            figures,
            if unread > 0 {
                format!(" and {unread} could not be read again")
            } else {
                String::new()
            }
        ));
    }
    Ok((figures, disagree + unread))
}

/// The cell (of `cells`, pixels) a word's centre lies in, on a page `img_h` pixels tall.
fn cell_of(cells: &[super::scan::Cell], r: &TextRun, img_h: f32) -> Option<usize> {
    let s = 72.0 / ASSUMED_DPI;
    let (cx, cy) = ((r.x + r.width / 2.0) / s, img_h - (r.y + r.size / 2.0) / s);
    cells.iter().position(|&(l, t, w, ch)| {
        cx >= l as f32 && cx < (l + w) as f32 && cy >= t as f32 && cy < (t + ch) as f32
    })
}

/// The cards of a photo ([`super::card::find_all`]) in reading order: left to right when two
/// lie side by side, else top to bottom.
fn cards_in_reading_order(pixels: &image::DynamicImage) -> Vec<super::card::Card> {
    let mut cards = super::card::find_all(pixels);
    if let [a, b] = cards.as_slice() {
        let (ca, cb) = (a.centre(), b.centre());
        let by_x = (ca.0 - cb.0).abs() > (ca.1 - cb.1).abs();
        let key = |c: &super::card::Card| if by_x { c.centre().0 } else { c.centre().1 };
        cards.sort_by(|a, b| key(a).total_cmp(&key(b)));
    }
    cards
}

/// The page as OCR read it, for showing where a word was read: the same geometry as
/// [`read_page`] gives the page — cards found, straightened and turned, one above the other;
/// else upright, deskewed and enlarged as [`super::scan::prepare`] does — so a run's box (in
/// page units, 72 / [`ASSUMED_DPI`] per pixel, y up) falls on the pixels it was read from.
/// Rulings and faint print are kept (the reviewer sees the page, not what OCR was given).
pub fn page_view(pixels: &image::DynamicImage) -> Result<GrayImage, ReadError> {
    let cards = cards_in_reading_order(pixels);
    if !cards.is_empty() {
        let mut shown: Vec<GrayImage> = Vec::new();
        for card in &cards {
            let flat = super::card::straighten(pixels, card);
            let (gray, _) = super::scan::to_gray(&image::DynamicImage::ImageRgb8(flat), true);
            let gray = super::card::flatten_light(&gray);
            shown.push(upright_turns(gray, false).0);
        }
        let w = shown.iter().map(GrayImage::width).max().unwrap_or(1);
        let h: u32 = shown.iter().map(GrayImage::height).sum();
        let mut out = GrayImage::from_pixel(w, h.max(1), image::Luma([255]));
        let mut top = 0;
        for g in &shown {
            image::imageops::replace(&mut out, g, 0, i64::from(top));
            top += g.height();
        }
        return Ok(out);
    }
    let (gray, _) = super::scan::to_gray(pixels, true);
    let (gray, _) = upright(gray);
    Ok(super::scan::prepare_view(gray))
}

/// Reads a card found in a photo: the card straightened onto its own rectangle
/// ([`super::card::straighten`]), red ink suppressed, its light evened out
/// ([`super::card::flatten_light`]: the light labels of an ID card in a shadow are read like
/// those in the light), turned over if it is upside down, recognized, and its figures read a
/// second time as on a page.
pub fn read_card(
    pixels: &image::DynamicImage,
    card: &super::card::Card,
    number: u32,
    limits: &super::Limits,
) -> Result<OcrPage, ReadError> {
    let flat = super::card::straighten(pixels, card);
    let (gray, seal) = super::scan::to_gray(&image::DynamicImage::ImageRgb8(flat), true);
    let mut notes = vec![format!("page {number}: {}", card.note())];
    notes.extend(seal);
    let gray = super::card::flatten_light(&gray);
    let (gray, note) = upright_turns(gray, false);
    notes.extend(note.filter(|n| !n.starts_with("orientation not checked")));
    let budget = Budget::new(limits);
    let (mut page, stopped) = with_engine(CHINESE, |o| {
        o.recognize_as(&gray, number, budget.millis_left(), false)
    })?;
    if stopped {
        return Err(budget.guard_error());
    }
    let (ids, unsure_ids, mut done) =
        confirm_id_numbers(&gray, &mut page, number, &budget, &mut notes)?;
    let (dates, unsure_dates, dated) =
        confirm_dates(&gray, &mut page, number, &budget, &mut notes)?;
    done.extend(dated);
    let (n, unsure) = confirm_figures(&gray, &mut page, number, &budget, &mut notes, &done, &[])?;
    notes.extend(budget.note(number));
    page.runs.retain(|r| !r.text.is_empty());
    Ok(OcrPage {
        page,
        notes,
        rereads: (n + ids + dates, unsure + unsure_ids + unsure_dates),
    })
}

/// The characters of a date written 年月日.
const DATE_CHARS: &CStr = c"0123456789年月日";

/// The year, month and day of a date written `YYYY 年 M 月 D 日` (stray marks between the
/// parts aside), if they make a date.
fn ymd(t: &str) -> Option<(i32, u32, u32)> {
    let mut parts = [None; 3];
    let mut digits = String::new();
    let mut k = 0;
    for c in t.chars() {
        if c.is_ascii_digit() {
            digits.push(c);
        } else if let Some(i) = "年月日".chars().position(|m| m == c) {
            if i != k {
                return None;
            }
            parts[k] = digits.parse::<u32>().ok();
            k += 1;
            digits.clear();
        }
    }
    let [Some(y), Some(m), Some(d)] = parts else {
        return None;
    };
    let y = i32::try_from(y)
        .ok()
        .filter(|y| (1000..=9999).contains(y))?;
    chrono::NaiveDate::from_ymd_opt(y, m, d).map(|_| (y, m, d))
}

/// The dates of a card written 年月日 (出生 on the face), read again alone with only digits
/// and 年月日 allowed (`B`), and once more on the card scaled to 80% (`C`):
/// - the first reading (`A`) is a date and `B` the same date: confirmed as it stands;
/// - `A` is no date (a digit read as a character: `1988 年 了 月 24 泪`) while `B` = `C` is
///   one: the date is `B`, with their confidence;
/// - otherwise its words get [`DISAGREEING_READS`].
///
/// A date on an ID card is checked against the number by the extractor as well. Returns
/// (dates, dates left unsure, the runs handled).
fn confirm_dates(
    gray: &GrayImage,
    page: &mut TextPage,
    number: u32,
    budget: &Budget,
    notes: &mut Vec<String>,
) -> Result<(usize, usize, Vec<usize>), ReadError> {
    // Per line (runs sharing a baseline): the runs from the first holding a digit to the one
    // holding 日 (or the last), when the line holds 年 and 月.
    let mut spans: Vec<Vec<usize>> = Vec::new();
    let mut i = 0;
    while i < page.runs.len() {
        let y = page.runs[i].y;
        let mut j = i;
        while j < page.runs.len() && page.runs[j].y == y {
            j += 1;
        }
        let line: String = page.runs[i..j].iter().map(|r| r.text.as_str()).collect();
        if line.contains('年') && line.contains('月') {
            let first = (i..j).find(|&k| page.runs[k].text.chars().any(|c| c.is_ascii_digit()));
            if let Some(first) = first {
                let last = (first..j)
                    .find(|&k| page.runs[k].text.contains('日'))
                    .unwrap_or(j - 1);
                spans.push((first..=last).collect());
            }
        }
        i = j;
    }
    if spans.is_empty() {
        return Ok((0, 0, Vec::new()));
    }
    let (second, third) = read_groups_twice(gray, page, &spans, DATE_CHARS, budget)?;
    let mut unsure = 0;
    for ((g, b), c) in spans.iter().zip(second).zip(third) {
        let text: String = g.iter().map(|&i| page.runs[i].text.as_str()).collect();
        let a = ymd(&text);
        let b = b.and_then(|(t, conf)| ymd(&t).map(|d| (d, conf)));
        let c = c.and_then(|(t, conf)| ymd(&t).map(|d| (d, conf)));
        match (a, b, c) {
            (Some(a), Some((b, _)), _) if a == b => {}
            (None, Some((b, cb)), Some((c, cc))) if b == c => {
                let last = &page.runs[*g.last().expect("non-empty")];
                let right = last.x + last.width;
                let first = &mut page.runs[g[0]];
                first.width = right - first.x;
                first.text = format!("{}年{}月{}日", b.0, b.1, b.2);
                first.confidence = Some(cb.min(cc));
                for &k in &g[1..] {
                    page.runs[k].text.clear();
                }
                notes.push(format!(
                    "page {number}: a date read as 「{text}」 is no date; read twice more alone on its line (digits and 年月日 only) it is {}-{:02}-{:02} both times: that reading is kept",
                    b.0, b.1, b.2
                ));
            }
            (None, _, _) => {}
            _ => {
                unsure += 1;
                for &k in g {
                    let r = &mut page.runs[k];
                    r.confidence = Some(r.confidence.unwrap_or(100.0).min(DISAGREEING_READS));
                }
                notes.push(format!(
                    "page {number}: a date 「{text}」 was read differently the second time: it is marked low-confidence"
                ));
            }
        }
    }
    let read = spans.len();
    let handled = spans.into_iter().flatten().collect();
    Ok((read, unsure, handled))
}

/// The date written 年月日 in a text read again, whatever the second read put before its first
/// digit or after its 日 (a stroke of the label before it, read as a digit-only character, is
/// not part of the date; a digit it adds to the year makes no date).
fn ymd_in(t: &str) -> Option<(i32, u32, u32)> {
    let start = t.find(|c: char| c.is_ascii_digit())?;
    let rest = &t[start..];
    let end = rest.find('日')? + '日'.len_utf8();
    ymd(&rest[..end])
}

/// The runs of each date written 年月日 on a page, per line: from a run holding a digit to the
/// run holding its 日, every run between made of digits and 年/月 only (`2018`, `年`, `12`, `月`,
/// `20`, `日`, or one run `2018年12月20日`).
fn date_spans(runs: &[TextRun]) -> Vec<Vec<usize>> {
    let mut spans = Vec::new();
    let mut open: Vec<usize> = Vec::new();
    for (i, r) in runs.iter().enumerate() {
        let same_line = open.last().is_some_and(|&k| runs[k].y == r.y);
        if !same_line {
            open.clear();
        }
        let t = r.text.as_str();
        let datelike = t
            .chars()
            .any(|c| c.is_ascii_digit() || "年月日".contains(c))
            && t.chars()
                .all(|c| c.is_ascii_digit() || "年月日".contains(c) || "，,：:".contains(c));
        if !datelike {
            open.clear();
            continue;
        }
        if open.is_empty() && !t.chars().any(|c| c.is_ascii_digit()) {
            continue;
        }
        open.push(i);
        if t.contains('日') {
            let text: String = open.iter().map(|&k| runs[k].text.as_str()).collect();
            if ymd(&text).is_some() {
                spans.push(std::mem::take(&mut open));
            } else {
                open.clear();
            }
        }
    }
    spans
}

/// The dates written 年月日 on a page, each read again whole with only digits and 年月日
/// allowed: a date read the same both times is confirmed as it stands; otherwise its runs get
/// [`DISAGREEING_READS`]. Read digit group by digit group with figures only, a date's 年 and
/// 月 come out as digits or stray strokes and no date would ever be confirmed. Returns the
/// runs handled (the figure check leaves them alone) and notes the dates left unsure.
fn confirm_page_dates(
    gray: &GrayImage,
    page: &mut TextPage,
    number: u32,
    budget: &Budget,
    notes: &mut Vec<String>,
) -> Result<Vec<usize>, ReadError> {
    let spans = date_spans(&page.runs);
    if spans.is_empty() {
        return Ok(Vec::new());
    }
    let h = gray.height() as f32;
    let rects: Vec<(i32, i32, i32, i32)> = spans
        .iter()
        .map(|g| {
            let rs: Vec<_> = g.iter().map(|&i| run_rect(&page.runs[i], h)).collect();
            let l = rs.iter().map(|r| r.0).min().unwrap_or(0);
            let t = rs.iter().map(|r| r.1).min().unwrap_or(0);
            let r = rs.iter().map(|r| r.0 + r.2).max().unwrap_or(0);
            let b = rs.iter().map(|r| r.1 + r.3).max().unwrap_or(0);
            // OCR word boxes may start a little right of their ink: half a line more on the
            // left keeps the year's first digit.
            let more = (b - t) / 2;
            (l - more, t, r - l + more, b - t)
        })
        .collect();
    let second = with_engine(CHINESE, |o| o.reread(gray, &rects, DATE_CHARS, budget))?;
    let mut unsure = 0;
    for (g, again) in spans.iter().zip(second) {
        let text: String = g.iter().map(|&i| page.runs[i].text.as_str()).collect();
        if again.and_then(|(t, _)| ymd_in(&t)) == ymd(&text) {
            continue;
        }
        unsure += 1;
        for &k in g {
            let r = &mut page.runs[k];
            r.confidence = Some(r.confidence.unwrap_or(100.0).min(DISAGREEING_READS));
        }
    }
    if unsure > 0 {
        notes.push(format!(
            "page {number}: {unsure} of {} dates read differently the second time: they are marked low-confidence",
            spans.len()
        ));
    }
    Ok(spans.into_iter().flatten().collect())
}

/// The characters of a 公民身份号码.
const ID_CHARS: &CStr = c"0123456789X";

/// An ID number as compared between reads: its digits and `X`.
fn id_key(t: &str) -> String {
    t.chars()
        .filter(|c| c.is_ascii_digit() || *c == 'X' || *c == 'x')
        .map(|c| c.to_ascii_uppercase())
        .collect()
}

/// Whether a word is (part of) a printed ID number: digits and `X` only, quotes or dots an OCR
/// saw on the card's pattern around them aside.
fn id_part(t: &str) -> bool {
    let t = t.trim_matches(|c: char| !c.is_alphanumeric());
    !t.is_empty()
        && t.chars()
            .all(|c| c.is_ascii_digit() || c == 'X' || c == 'x')
}

/// The ID numbers of a card, read three times. Runs of one line that together are a number of
/// 15–19 digits (`A`) are read again alone on their band with only digits and `X` allowed
/// (`B`), and once more on the card scaled to 80% (`C`):
/// - `A` = `B`: confirmed — and when the check character holds, as sure as the surer of the
///   two reads;
/// - `A` fails the GB 11643 check while `B` = `C` passes it: the number is `B` (two agreeing
///   reads, and a single misread digit never passes the check), with their confidence;
/// - otherwise every run of the number gets [`DISAGREEING_READS`]: never sure.
///
/// Returns (numbers, numbers left unsure, the runs handled).
fn confirm_id_numbers(
    gray: &GrayImage,
    page: &mut TextPage,
    number: u32,
    budget: &Budget,
    notes: &mut Vec<String>,
) -> Result<(usize, usize, Vec<usize>), ReadError> {
    // Groups of consecutive runs on one line that are number parts.
    let mut groups: Vec<Vec<usize>> = Vec::new();
    for i in 0..page.runs.len() {
        let r = &page.runs[i];
        if !id_part(&r.text) {
            continue;
        }
        match groups.last_mut() {
            Some(g) if *g.last().expect("non-empty") + 1 == i && page.runs[i - 1].y == r.y => {
                g.push(i)
            }
            _ => groups.push(vec![i]),
        }
    }
    groups.retain(|g| {
        let n: usize = g.iter().map(|&i| id_key(&page.runs[i].text).len()).sum();
        (15..=19).contains(&n)
    });
    if groups.is_empty() {
        let found = read_number_band(gray, page, number, budget, notes)?;
        return Ok((
            usize::from(found.is_some()),
            usize::from(found == Some(false)),
            Vec::new(),
        ));
    }
    let (second, third) = read_groups_twice(gray, page, &groups, ID_CHARS, budget)?;
    let valid = |k: &str| crate::model::IdNumber::parse(k).is_ok();
    let mut unsure = 0;
    let mut drop = Vec::new();
    for ((g, b), c) in groups.iter().zip(second).zip(third) {
        let a: String = g.iter().map(|&i| id_key(&page.runs[i].text)).collect();
        let b = b.map(|(t, conf)| (id_key(&t), conf));
        let c = c.map(|(t, conf)| (id_key(&t), conf));
        match (&b, &c) {
            // Two reads agree and the check character holds: as sure as the surer read (the
            // first read's confidence suffers from stray marks of the card's pattern beside
            // the digits; the second read sees the digits alone).
            (Some((b, cb)), _) if *b == a && valid(b) => {
                for &i in g {
                    let r = &mut page.runs[i];
                    r.confidence = Some(r.confidence.unwrap_or(0.0).max(*cb));
                }
            }
            (Some((b, _)), _) if *b == a => {}
            (Some((b, cb)), Some((c, cc))) if b == c && valid(b) && !valid(&a) => {
                // One run carries the number read again; the others of the group go.
                let first = g[0];
                let last = &page.runs[*g.last().expect("non-empty")];
                let right = last.x + last.width;
                let r = &mut page.runs[first];
                r.width = right - r.x;
                r.text = b.clone();
                r.confidence = Some(cb.min(*cc));
                drop.extend(g.iter().skip(1).copied());
                notes.push(format!(
                    "page {number}: an ID number read as {} fails its check character; read twice more alone on its line (digits and X only) it is {} both times, which passes: that reading is kept",
                    crate::model::mask_id_like(&a),
                    crate::model::mask_id_like(b)
                ));
            }
            _ => {
                unsure += 1;
                for &i in g {
                    let r = &mut page.runs[i];
                    r.confidence = Some(r.confidence.unwrap_or(100.0).min(DISAGREEING_READS));
                }
                notes.push(format!(
                    "page {number}: an ID number was read differently the second time ({} / {}): it is marked low-confidence",
                    crate::model::mask_id_like(&a),
                    b.as_ref()
                        .map_or("nothing".to_string(), |b| crate::model::mask_id_like(&b.0))
                ));
            }
        }
    }
    // The runs merged into the first of their group are emptied here and dropped by the
    // caller once every index has been used.
    for i in drop {
        page.runs[i].text.clear();
    }
    let handled: Vec<usize> = groups.iter().flatten().copied().collect();
    Ok((groups.len(), unsure, handled))
}

/// The card's number band ([`super::card::number_band`]) read when the page's recognition
/// gave no number: twice with only digits and `X` allowed, on the card and on the card scaled
/// to 80%. Two agreeing reads that pass the GB 11643 check become a word with their
/// confidence; otherwise an 18-character reading is added with [`DISAGREEING_READS`], so the
/// extractor can say what it saw and nothing rests on it. Returns whether a number was added
/// and confirmed (`None`: nothing read).
fn read_number_band(
    gray: &GrayImage,
    page: &mut TextPage,
    number: u32,
    budget: &Budget,
    notes: &mut Vec<String>,
) -> Result<Option<bool>, ReadError> {
    let Some((l, t, w, h)) = super::card::number_band(gray) else {
        return Ok(None);
    };
    let rect = (l as i32, t as i32, w as i32, h as i32);
    let b = with_engine(CHINESE, |o| o.reread(gray, &[rect], ID_CHARS, budget))?;
    const SMALLER: f32 = 0.8;
    let small = image::imageops::resize(
        gray,
        (gray.width() as f32 * SMALLER) as u32,
        (gray.height() as f32 * SMALLER) as u32,
        image::imageops::FilterType::CatmullRom,
    );
    let k = |v: u32| (v as f32 * SMALLER) as i32;
    let c = with_engine(CHINESE, |o| {
        o.reread(&small, &[(k(l), k(t), k(w), k(h))], ID_CHARS, budget)
    })?;
    let (Some(Some((b, cb))), Some(c)) = (b.into_iter().next(), c.into_iter().next()) else {
        return Ok(None);
    };
    let b = id_key(&b);
    if b.len() != 18 {
        return Ok(None);
    }
    let confirmed = c.as_ref().is_some_and(|(c, _)| id_key(c) == b)
        && crate::model::IdNumber::parse(&b).is_ok();
    let conf = if confirmed {
        cb.min(c.map_or(0.0, |c| c.1))
    } else {
        DISAGREEING_READS
    };
    let s = 72.0 / ASSUMED_DPI;
    // The band is padded by a quarter of its text's height on each side.
    let text_h = h as f32 / 1.5;
    page.runs.push(TextRun {
        text: b.clone(),
        x: (l as f32 + text_h * 0.25) * s,
        y: (gray.height() as f32 - (t + h) as f32 + text_h * 0.25) * s,
        width: (w as f32 - text_h * 0.5) * s,
        size: text_h * s,
        confidence: Some(conf),
    });
    if page.runs.len() == 1 {
        page.layer = TextLayer::Usable;
    }
    notes.push(format!(
        "page {number}: the card's number band, which the page's reading missed, read alone (digits and X only): {}{}",
        crate::model::mask_id_like(&b),
        if confirmed {
            ", the same twice and its check character holds"
        } else {
            ", not confirmed by a second read or its check character: low-confidence"
        }
    ));
    Ok(Some(confirmed))
}

/// One read of a figure group again.
type Reread = Vec<Option<(String, f32)>>;

/// Reads each group of words (indices into `page.runs`) again as one line with only `chars`
/// allowed, twice: on `gray` as it is and on a copy at 80 % size (a figure that reads the same
/// at two sizes is not an accident of one scale).
fn read_groups_twice(
    gray: &GrayImage,
    page: &TextPage,
    groups: &[Vec<usize>],
    chars: &CStr,
    budget: &Budget,
) -> Result<(Reread, Reread), ReadError> {
    let h = gray.height() as f32;
    let rects: Vec<(i32, i32, i32, i32)> = groups
        .iter()
        .map(|g| {
            let rs: Vec<_> = g.iter().map(|&i| run_rect(&page.runs[i], h)).collect();
            let l = rs.iter().map(|r| r.0).min().unwrap_or(0);
            let t = rs.iter().map(|r| r.1).min().unwrap_or(0);
            let r = rs.iter().map(|r| r.0 + r.2).max().unwrap_or(0);
            let b = rs.iter().map(|r| r.1 + r.3).max().unwrap_or(0);
            (l, t, r - l, b - t)
        })
        .collect();
    let second = with_engine(CHINESE, |o| o.reread(gray, &rects, chars, budget))?;
    const SMALLER: f32 = 0.8;
    let small = image::imageops::resize(
        gray,
        (gray.width() as f32 * SMALLER) as u32,
        (gray.height() as f32 * SMALLER) as u32,
        image::imageops::FilterType::CatmullRom,
    );
    let scaled: Vec<(i32, i32, i32, i32)> = rects
        .iter()
        .map(|r| {
            let k = |v: i32| (v as f32 * SMALLER) as i32;
            (k(r.0), k(r.1), k(r.2), k(r.3))
        })
        .collect();
    let third = with_engine(CHINESE, |o| o.reread(&small, &scaled, chars, budget))?;
    Ok((second, third))
}

/// One page to read and where to send the answer.
struct Job {
    pixels: std::sync::Arc<image::DynamicImage>,
    number: u32,
    limits: super::Limits,
    reply: std::sync::mpsc::Sender<(u32, Result<OcrPage, ReadError>)>,
}

/// The process's OCR workers: one thread per core, each with its own engine loaded once and
/// kept (`with_engine`'s thread-local), fed pages through one queue. Any thread may submit;
/// pages of one document are read in parallel, and documents read on several threads share
/// the same workers, so the cores are never oversubscribed.
struct Pool {
    queue: std::sync::Mutex<std::sync::mpsc::Sender<Job>>,
}

static POOL: std::sync::OnceLock<Pool> = std::sync::OnceLock::new();

/// Number of OCR workers: the cores available (`JZZ_OCR_WORKERS` overrides, for benchmarks).
pub fn workers() -> usize {
    std::env::var("JZZ_OCR_WORKERS")
        .ok()
        .and_then(|v| v.parse().ok())
        .filter(|&n: &usize| n > 0)
        .unwrap_or_else(|| std::thread::available_parallelism().map_or(1, |n| n.get()))
}

fn pool() -> &'static Pool {
    POOL.get_or_init(|| {
        let (tx, rx) = std::sync::mpsc::channel::<Job>();
        let rx = std::sync::Arc::new(std::sync::Mutex::new(rx));
        for i in 0..workers() {
            let rx = rx.clone();
            let _ = std::thread::Builder::new()
                .name(format!("jzz-ocr-{i}"))
                .spawn(move || {
                    loop {
                        let job = {
                            let Ok(rx) = rx.lock() else { return };
                            match rx.recv() {
                                Ok(j) => j,
                                Err(_) => return,
                            }
                        };
                        let pixels = job.pixels;
                        let (number, limits) = (job.number, job.limits);
                        let answer =
                            super::guard::catch(move || read_page(&pixels, number, &limits))
                                .unwrap_or_else(|detail| {
                                    Err(ReadError::Ocr(format!(
                                        "OCR of page {number} crashed: {detail}"
                                    )))
                                });
                        let _ = job.reply.send((number, answer));
                    }
                });
        }
        Pool {
            queue: std::sync::Mutex::new(tx),
        }
    })
}

/// Reads several pages on the worker pool; answers in the order given.
pub fn read_pages(
    pages: Vec<(u32, image::DynamicImage)>,
    limits: &super::Limits,
) -> Vec<(u32, Result<OcrPage, ReadError>)> {
    let n = pages.len();
    let (tx, rx) = std::sync::mpsc::channel();
    let numbers: Vec<u32> = pages.iter().map(|p| p.0).collect();
    {
        let Ok(queue) = pool().queue.lock() else {
            return numbers
                .into_iter()
                .map(|k| (k, Err(ReadError::Ocr("the OCR workers are gone".into()))))
                .collect();
        };
        for (number, pixels) in pages {
            let _ = queue.send(Job {
                pixels: std::sync::Arc::new(pixels),
                number,
                limits: *limits,
                reply: tx.clone(),
            });
        }
    }
    drop(tx);
    let mut got: HashMap<u32, Result<OcrPage, ReadError>> = HashMap::new();
    for (k, r) in rx.iter().take(n) {
        got.insert(k, r);
    }
    numbers
        .into_iter()
        .map(|k| {
            let r = got
                .remove(&k)
                .unwrap_or_else(|| Err(ReadError::Ocr(format!("page {k} got no OCR answer"))));
            (k, r)
        })
        .collect()
}

/// Parses tesseract's TSV (level, page, block, par, line, word, left, top, width, height, conf,
/// text) into a page of word runs.
fn page_from_tsv(tsv: &str, w: u32, h: u32, number: u32) -> TextPage {
    let s = 72.0 / ASSUMED_DPI;
    let mut runs: Vec<TextRun> = Vec::new();
    // The current tesseract line: bottom and height in pixels.
    let mut line: Option<(f32, f32)> = None;
    // Whether the last run pushed is on the current line.
    let mut same_line = false;
    for row in tsv.lines() {
        let f: Vec<&str> = row.splitn(12, '\t').collect();
        if f.len() < 11 {
            continue;
        }
        let num = |i: usize| f[i].trim().parse::<f32>().ok();
        let (Some(level), Some(left), Some(top), Some(width), Some(height), Some(conf)) =
            (num(0), num(6), num(7), num(8), num(9), num(10))
        else {
            continue;
        };
        match level as i32 {
            4 => {
                line = Some((top + height, height));
                same_line = false;
            }
            5 => {
                let text = f.get(11).map(|t| t.trim()).unwrap_or("");
                if text.is_empty() || conf < 0.0 {
                    continue;
                }
                let (bottom, lh) = line.unwrap_or((top + height, height));
                // A word's box may run on over the words after it on its line (chi_sim gives
                // `2018` of `2018年12月20日` the width of the whole date): it ends where the
                // next word starts.
                if let Some(prev) = runs.last_mut().filter(|_| same_line)
                    && left * s > prev.x
                    && left * s < prev.right()
                {
                    prev.width = left * s - prev.x;
                }
                same_line = true;
                runs.push(TextRun {
                    text: text.to_string(),
                    x: left * s,
                    y: (h as f32 - bottom) * s,
                    width: width * s,
                    size: lh.max(1.0) * s,
                    confidence: Some(conf.clamp(0.0, 100.0)),
                });
            }
            _ => {}
        }
    }
    TextPage {
        number,
        width: w as f32 * s,
        height: h as f32 * s,
        layer: if runs.is_empty() {
            TextLayer::Absent
        } else {
            TextLayer::Usable
        },
        runs,
        images: 1,
    }
}

thread_local! {
    static ENGINES: RefCell<HashMap<String, Ocr>> = RefCell::new(HashMap::new());
    static OSD: RefCell<Option<Option<Osd>>> = const { RefCell::new(None) };
}

/// Runs `f` with this thread's engine for `langs`, starting it on first use.
pub fn with_engine<T>(
    langs: &str,
    f: impl FnOnce(&mut Ocr) -> Result<T, ReadError>,
) -> Result<T, ReadError> {
    ENGINES.with(|e| {
        let mut map = e.borrow_mut();
        if !map.contains_key(langs) {
            map.insert(langs.to_string(), Ocr::new(langs)?);
        }
        let engine = map.get_mut(langs).expect("inserted above");
        f(engine)
    })
}

/// Tesseract's orientation and script detection on a raw C API handle (`leptess` wraps no
/// `DetectOrientationScript`).
struct Osd(*mut c::TessBaseAPI);

impl Drop for Osd {
    fn drop(&mut self) {
        // SAFETY: the handle came from TessBaseAPICreate and is dropped once.
        unsafe {
            c::TessBaseAPIEnd(self.0);
            c::TessBaseAPIDelete(self.0);
        }
    }
}

impl Osd {
    fn new(dir: &Path) -> Option<Osd> {
        let dir = CString::new(dir.to_string_lossy().as_bytes()).ok()?;
        limit_openmp_threads();
        // SAFETY: a fresh handle, NUL-terminated strings that outlive the calls; on failure
        // the handle is dropped (End + Delete) by `Osd`'s Drop.
        unsafe {
            let osd = Osd(c::TessBaseAPICreate());
            if c::TessBaseAPIInit3(osd.0, dir.as_ptr(), c"osd".as_ptr()) != 0 {
                return None;
            }
            c::TessBaseAPISetVariable(osd.0, c"debug_file".as_ptr(), c"/dev/null".as_ptr());
            c::TessBaseAPISetPageSegMode(osd.0, c::TessPageSegMode_PSM_OSD_ONLY);
            Some(osd)
        }
    }

    /// Degrees the page is rotated clockwise from upright (0, 90, 180, 270) and the confidence,
    /// or `None` when tesseract cannot tell.
    fn detect(&mut self, img: &GrayImage) -> Option<(u32, f32)> {
        let (w, h) = img.dimensions();
        let (w, h) = (i32::try_from(w).ok()?, i32::try_from(h).ok()?);
        let mut deg: libc::c_int = 0;
        let mut conf: f32 = 0.0;
        let mut script: *const libc::c_char = std::ptr::null();
        let mut script_conf: f32 = 0.0;
        // SAFETY: the pixel buffer is w × h bytes (one byte per pixel, rows of w bytes) and
        // outlives the calls; the out-pointers are valid locals.
        let ok = unsafe {
            c::TessBaseAPISetImage(self.0, img.as_raw().as_ptr(), w, h, 1, w);
            c::TessBaseAPISetSourceResolution(self.0, ASSUMED_DPI as i32);
            let ok = c::TessBaseAPIDetectOrientationScript(
                self.0,
                &mut deg,
                &mut conf,
                &mut script,
                &mut script_conf,
            );
            c::TessBaseAPIClear(self.0);
            ok
        };
        (ok != 0).then_some((deg.rem_euclid(360) as u32, conf))
    }
}

/// Below this OSD confidence a page is not turned over (tesseract's own
/// `min_orientation_margin` default is 7).
const MIN_ORIENTATION_CONFIDENCE: f32 = 7.0;
/// Below this OSD confidence a page is not given a quarter turn (see [`upright`]).
const MIN_QUARTER_TURN_CONFIDENCE: f32 = 2.0;

/// Turns the page upright; returns the page and a note on what was done (or why nothing was
/// checked).
///
/// Tesseract's OSD says how far the page is turned clockwise and how sure it is. On Chinese
/// pages it is rarely sure by its own margin of 7: a printed export on its side scores 4.7,
/// while upright pages of the fixture sets score "0°" from 0.1 to 18.8 and never claim 90° or
/// 270°; a false 180° claim stays under 2. So a quarter turn is believed from
/// [`MIN_QUARTER_TURN_CONFIDENCE`], a half turn only from [`MIN_ORIENTATION_CONFIDENCE`].
pub fn upright(img: GrayImage) -> (GrayImage, Option<String>) {
    upright_turns(img, true)
}

/// [`upright`], believing only a half turn unless `quarter` (a straightened card lies on its
/// long side: only upside down is left to tell).
fn upright_turns(img: GrayImage, quarter: bool) -> (GrayImage, Option<String>) {
    let found = OSD.with(|o| {
        let mut o = o.borrow_mut();
        let osd = o.get_or_insert_with(|| {
            let dir = tessdata_dir()?;
            dir.join("osd.traineddata")
                .is_file()
                .then(|| Osd::new(&dir))
                .flatten()
        });
        osd.as_mut().map(|osd| osd.detect(&img))
    });
    match found {
        None => (
            img,
            Some(
                "orientation not checked: osd.traineddata is not installed (apt-get install tesseract-ocr-osd)"
                    .into(),
            ),
        ),
        Some(Some((deg, conf)))
            if (deg == 180 && conf >= MIN_ORIENTATION_CONFIDENCE)
                || (quarter
                    && (deg == 90 || deg == 270)
                    && conf >= MIN_QUARTER_TURN_CONFIDENCE) =>
        {
            // `deg` is how far the page is turned clockwise: turn it back.
            let turned = match deg {
                90 => image::imageops::rotate270(&img),
                180 => image::imageops::rotate180(&img),
                _ => image::imageops::rotate90(&img),
            };
            (
                turned,
                Some(format!(
                    "the page was turned by {deg}° (orientation confidence {conf:.1}) and was set upright"
                )),
            )
        }
        Some(_) => (img, None),
    }
}

/// The version of the tesseract library linked (`5.3.0`).
pub fn tesseract_version() -> String {
    // SAFETY: TessVersion returns a pointer to a static NUL-terminated string.
    let v = unsafe { std::ffi::CStr::from_ptr(leptess::capi::TessVersion()) };
    v.to_string_lossy().into_owned()
}

/// The language data file of `lang` in use: its path, size in bytes and sha256 (hex), or why
/// it cannot be found.
pub fn language_data(lang: &str) -> Result<(PathBuf, u64, String), String> {
    use sha2::Digest;
    use std::io::Read;
    let dir = tessdata_dir().ok_or("no tessdata directory")?;
    let path = dir.join(format!("{lang}.traineddata"));
    let mut f = std::fs::File::open(&path).map_err(|e| format!("{}: {e}", path.display()))?;
    let mut h = sha2::Sha256::new();
    let mut buf = vec![0u8; 1 << 16];
    let mut size = 0u64;
    loop {
        let n = f
            .read(&mut buf)
            .map_err(|e| format!("{}: {e}", path.display()))?;
        if n == 0 {
            break;
        }
        size += n as u64;
        h.update(&buf[..n]);
    }
    let hex = h.finalize().iter().map(|b| format!("{b:02x}")).collect();
    Ok((path, size, hex))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn figure_reads_compare_digits_and_inner_points() {
        assert_eq!(figure_key("34"), figure_key(".34"));
        assert_eq!(figure_key("11."), figure_key("11"));
        assert_eq!(figure_key("2020．01．15"), figure_key("2020.01.15"));
        assert_ne!(figure_key("516.34"), figure_key("51634"));
        assert_ne!(figure_key("3.4"), figure_key("34"));
        assert_ne!(figure_key("895.65"), figure_key("895.66"));
    }

    #[test]
    fn tsv_words_take_their_line_and_flip_y() {
        let tsv = "level\tpage_num\tblock_num\tpar_num\tline_num\tword_num\tleft\ttop\twidth\theight\tconf\ttext\n\
                   1\t1\t0\t0\t0\t0\t0\t0\t1000\t2000\t-1\t\n\
                   4\t1\t1\t1\t1\t0\t100\t200\t400\t50\t-1\t\n\
                   5\t1\t1\t1\t1\t1\t100\t205\t100\t40\t96.5\t姓名\n\
                   5\t1\t1\t1\t1\t2\t300\t210\t200\t38\t41.25\t王建国\n\
                   5\t1\t1\t1\t1\t3\t600\t210\t200\t38\t95\t \n";
        let p = page_from_tsv(tsv, 1000, 2000, 1);
        assert_eq!(p.runs.len(), 2);
        assert_eq!(p.layer, TextLayer::Usable);
        let s = 72.0 / ASSUMED_DPI;
        assert_eq!(p.runs[0].y, p.runs[1].y);
        assert!((p.runs[0].y - (2000.0 - 250.0) * s).abs() < 1e-3);
        assert!((p.runs[1].x - 300.0 * s).abs() < 1e-3);
        assert_eq!(p.runs[1].confidence, Some(41.25));
        assert!((p.height - 2000.0 * s).abs() < 1e-3);
    }

    #[test]
    fn a_word_box_ends_where_the_next_word_starts() {
        // chi_sim gives `2018` the box of the whole date: it is cut at 年.
        let tsv = "4\t1\t1\t1\t1\t0\t100\t200\t300\t40\t-1\t\n\
                   5\t1\t1\t1\t1\t1\t100\t200\t290\t40\t91\t2018\n\
                   5\t1\t1\t1\t1\t2\t180\t200\t30\t40\t91\t年\n\
                   4\t1\t1\t1\t2\t0\t100\t300\t300\t40\t-1\t\n\
                   5\t1\t1\t1\t2\t1\t90\t300\t50\t40\t91\t12\n";
        let p = page_from_tsv(tsv, 1000, 2000, 1);
        let s = 72.0 / ASSUMED_DPI;
        assert!((p.runs[0].width - 80.0 * s).abs() < 1e-3, "{:?}", p.runs[0]);
        assert!((p.runs[1].width - 30.0 * s).abs() < 1e-3);
        // A word on the next line is not the end of the one before.
        assert!((p.runs[2].x - 90.0 * s).abs() < 1e-3);
        assert!((p.runs[2].width - 50.0 * s).abs() < 1e-3);
    }

    #[test]
    fn stray_marks_leave_figures_and_gaps() {
        let run = |t: &str, c: f32| TextRun {
            text: t.into(),
            x: 0.0,
            y: 0.0,
            width: 8.0,
            size: 10.0,
            confidence: Some(c),
        };
        let mut runs = vec![
            run("”2017-01-31", 43.0),
            run("“1820.00", 47.0),
            run("”", 26.0),
            run("。。", 7.0),
            run("“甲方”", 80.0),
            run("”", 90.0),
        ];
        drop_stray_marks(&mut runs);
        let texts: Vec<&str> = runs.iter().map(|r| r.text.as_str()).collect();
        assert_eq!(texts, ["2017-01-31", "1820.00", "“甲方”", "”"]);
    }

    #[test]
    fn page_dates_are_found_and_compared_whole() {
        let run = |t: &str, x: f32, y: f32| TextRun {
            text: t.into(),
            x,
            y,
            width: 8.0,
            size: 10.0,
            confidence: Some(90.0),
        };
        let runs = vec![
            run("期", 0.0, 100.0),
            run(":", 10.0, 100.0),
            run("2018", 20.0, 100.0),
            run("年", 30.0, 100.0),
            run("12", 40.0, 100.0),
            run("月", 50.0, 100.0),
            run("20", 60.0, 100.0),
            run("日", 70.0, 100.0),
            run("至", 80.0, 100.0),
            run("2019年1月2日", 90.0, 100.0),
            // A date's parts across lines are no date.
            run("2020", 0.0, 80.0),
            run("年", 10.0, 80.0),
            run("3", 0.0, 60.0),
            run("月", 10.0, 60.0),
            run("4日", 20.0, 60.0),
        ];
        assert_eq!(date_spans(&runs), vec![vec![2, 3, 4, 5, 6, 7], vec![9]]);
        // A stroke before the year read as a digit makes no date.
        assert_eq!(ymd_in("1:2018年12月20日"), None);
        assert_eq!(ymd_in("日2018年12月20日1"), Some((2018, 12, 20)));
        assert_eq!(ymd_in("2018年12月20"), None);
    }

    #[test]
    fn card_numbers_and_dates_as_compared() {
        assert_eq!(ymd("1990年10月1日"), Some((1990, 10, 1)));
        assert_eq!(ymd(":1990 年 10 月 :1 日"), Some((1990, 10, 1)));
        assert_eq!(ymd("1988年了月24泪"), None);
        assert_eq!(ymd("1990年13月1日"), None);
        assert_eq!(ymd("1990月10年1日"), None);
        assert!(id_part("“370102195905121013"));
        assert!(id_part("4101"));
        assert!(!id_part("号码"));
        assert!(!id_part("”"));
        assert_eq!(id_key("4101 0519 9204 1176 2x"), "41010519920411762X");
    }

    #[test]
    fn package_names() {
        assert_eq!(package_of("chi_sim"), "tesseract-ocr-chi-sim");
        assert_eq!(package_of("eng"), "tesseract-ocr-eng");
    }

    #[test]
    fn a_missing_language_names_the_package() {
        let e = check_languages("chi_sim+xyz_qq").unwrap_err().to_string();
        assert!(
            e.contains("xyz_qq") && e.contains("apt-get install tesseract-ocr-xyz-qq"),
            "{e}"
        );
        assert!(!e.contains("chi_sim,"), "{e}");
    }
}
