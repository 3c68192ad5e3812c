//! Bytes → sheets of cells (this stage), later also pages of positioned text and images.
//!
//! Contract of the stage:
//! - input: the bytes of one file and its name (the name is a hint only: the format is
//!   decided by [`sniff`] from the content);
//! - output: a [`Workbook`] of sparse rows of [`Cell`]s, or a [`ReadError`] that says what is
//!   wrong in words a clerk understands;
//! - never panics, hangs or allocates without bound: sizes, zip entries, rows, columns and
//!   cells are checked against [`Limits`] before and while reading, and third-party readers
//!   run under [`guard::catch`] so that a library's panic becomes an error naming the file.

pub mod card;
pub mod cfbguard;
pub mod csv;
pub mod guard;
pub mod html;
pub mod image;
pub mod layout;
pub mod ocr;
pub mod pdf;
pub mod scan;
pub mod sheet;
pub mod sniff;
pub mod text;
pub(crate) mod xlsx;
pub mod zipguard;

use chrono::NaiveDate;

pub use sniff::{Format, sniff};

/// Bounds on what one file may make us read or allocate.
#[derive(Clone, Copy, Debug)]
pub struct Limits {
    /// Largest input file accepted, bytes.
    pub max_file_bytes: u64,
    /// Largest expanded size of one zip entry (declared size; the zip reader enforces it).
    pub max_entry_bytes: u64,
    /// Largest expanded size of all zip entries together.
    pub max_total_expanded_bytes: u64,
    /// Most zip entries in a workbook package.
    pub max_zip_entries: usize,
    /// Most rows in one sheet (Excel's own limit).
    pub max_rows: u32,
    /// Most columns in one row.
    pub max_cols: u32,
    /// Most non-blank cells read from the whole workbook (a bound on work; memory is bounded by
    /// what the [`RowSink`] keeps).
    pub max_cells: usize,
    /// Most sheets read.
    pub max_sheets: usize,
    /// Most PDF pages read; later pages are reported, not read.
    pub max_pages: usize,
    /// Largest decoded size of one PDF stream (content stream, form XObject, CMap).
    pub max_stream_bytes: u64,
    /// Most content-stream operators interpreted on one page (forms included).
    pub max_ops_per_page: usize,
    /// Deepest nesting of form XObjects.
    pub max_form_depth: usize,
    /// Wall-clock budget for reading one document, milliseconds.
    pub max_millis: u64,
    /// Widest and tallest image decoded, pixels (checked from the header, before decoding).
    pub max_image_side: u32,
    /// Most memory the image decoder may allocate for one image, bytes.
    pub max_image_alloc: u64,
    /// Most pixels handed to OCR: a larger image is scaled down to this many first, which
    /// bounds OCR work — an A4 page is 3.9 million pixels at 200 dpi (≈ 1 s of OCR on one core),
    /// 8.7 million at 300 dpi. With [`Limits::max_ocr_cells`] and [`Limits::max_ocr_rereads`]
    /// this is the page's OCR budget: decided before recognition from the page alone, so the
    /// same page gives the same words on an idle and on a busy machine.
    pub max_ocr_pixels: u64,
    /// Most table cells of one page read on their own (the first in reading order); the rest
    /// keep the page read's words, with a note.
    pub max_ocr_cells: usize,
    /// Most second reads (figures, ID numbers, dates) of one page; the rest stay unconfirmed
    /// (low confidence), with a note.
    pub max_ocr_rereads: usize,
    /// Last-resort guard on one page's OCR, all passes, wall-clock milliseconds. It is not the
    /// budget (that is pixels, cells and re-reads): a page that runs past it — a hung engine,
    /// a machine overloaded many times over — is an error naming the page, never a page read
    /// in part.
    pub max_ocr_millis: u64,
    /// Most pages of one document read by OCR (a scanned bundle page is 2–5 s of CPU).
    pub max_ocr_pages: usize,
}

impl Limits {
    /// The first check of every reader: not empty, not larger than `max_file_bytes`.
    pub fn check_bytes(&self, bytes: &[u8]) -> Result<(), ReadError> {
        if bytes.is_empty() {
            return Err(ReadError::Empty);
        }
        if bytes.len() as u64 > self.max_file_bytes {
            return Err(ReadError::TooLarge {
                size: bytes.len() as u64,
                limit: self.max_file_bytes,
            });
        }
        Ok(())
    }
}

impl Default for Limits {
    fn default() -> Self {
        Limits {
            max_file_bytes: 100 << 20,
            max_entry_bytes: 200 << 20,
            max_total_expanded_bytes: 400 << 20,
            max_zip_entries: 10_000,
            max_rows: 1_048_576,
            max_cols: 16_384,
            max_cells: 20_000_000,
            max_sheets: 256,
            max_pages: 500,
            max_stream_bytes: 64 << 20,
            max_ops_per_page: 2_000_000,
            max_form_depth: 12,
            max_millis: 8_000,
            max_image_side: 12_000,
            max_image_alloc: 512 << 20,
            max_ocr_pixels: 12_000_000,
            max_ocr_cells: 600,
            max_ocr_rereads: 400,
            max_ocr_millis: 120_000,
            max_ocr_pages: 60,
        }
    }
}

/// Why a file could not be read.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ReadError {
    /// The file could not be opened or read.
    #[error("无法读取：{0}")]
    Io(String),
    /// Zero bytes.
    #[error("文件是空的（0 字节）")]
    Empty,
    /// Larger than [`Limits::max_file_bytes`].
    #[error("文件有 {size} 字节，超过 {limit} 字节的上限（limit）")]
    TooLarge {
        /// Actual size.
        size: u64,
        /// Limit.
        limit: u64,
    },
    /// Password-protected or with encrypted entries.
    #[error("文件已加密或设了密码（encrypted）；请去掉密码后重新导出")]
    Encrypted,
    /// The content is another kind of file.
    #[error("{found}，不是表格（需要 xlsx、xls、ods 或 csv）")]
    NotASpreadsheet {
        /// What it is, in words: `文件内容是 GIF 图片` ([`Format::content_is`]).
        found: String,
    },
    /// A spreadsheet format, but damaged.
    #[error("{format} 文件已损坏（{detail}）")]
    Corrupt {
        /// xlsx, xls, ods, csv.
        format: &'static str,
        /// The reader's message.
        detail: String,
    },
    /// Text that is not UTF-8, UTF-16 or GBK.
    #[error("文字编码无法识别（{detail}）；请另存为 UTF-8 或 GBK")]
    Encoding {
        /// What was tried.
        detail: String,
    },
    /// A bound of [`Limits`] was hit: a bomb, or a file far larger than any export.
    #[error("文件超出安全上限（limit）：{0}")]
    Limit(String),
    /// An image that cannot be decoded.
    #[error("{format} 图片无法解码（{detail}）")]
    Image {
        /// png, jpeg, …
        format: &'static str,
        /// The decoder's message.
        detail: String,
    },
    /// OCR could not run (tesseract or a language missing, or tesseract failed).
    #[error("OCR 无法使用：{0}")]
    Ocr(String),
    /// A page's OCR ran past the last-resort wall-clock guard ([`Limits::max_ocr_millis`]).
    #[error(
        "一页的 OCR 超过了 {seconds} 秒的保护时限（guard；引擎卡住或机器过载）：文件不按读了一部分的结果使用，请重新读取"
    )]
    OcrGuard {
        /// The guard, seconds.
        seconds: u64,
    },
    /// A third-party reader panicked on this input.
    #[error("{format} 读取器处理此文件时崩溃（{detail}）；文件已损坏或是恶意构造的")]
    Crashed {
        /// The format being read.
        format: &'static str,
        /// The panic message.
        detail: String,
    },
}

impl ReadError {
    /// An I/O error in words: a missing file, a folder or a permission problem said in
    /// Chinese with the English term; anything else as the system says it.
    pub fn io(e: &std::io::Error) -> ReadError {
        ReadError::Io(io_reason(e))
    }
}

/// An I/O error in words for messages (`不存在（not found）` rather than `No such file or
/// directory (os error 2)`).
pub fn io_reason(e: &std::io::Error) -> String {
    use std::io::ErrorKind;
    match e.kind() {
        ErrorKind::NotFound => "不存在（not found）".into(),
        ErrorKind::PermissionDenied => "没有读取权限（permission denied）".into(),
        ErrorKind::IsADirectory => "这是文件夹，不是文件（is a directory）".into(),
        _ => format!("读取出错（{e}）"),
    }
}

/// One cell as read, before any interpretation.
#[derive(Clone, Debug, PartialEq)]
pub enum Cell {
    /// Nothing.
    Empty,
    /// Text, as written.
    Text(String),
    /// A number cell. Money is never decided on this float: see `Fen::from_sheet_number`.
    Number(f64),
    /// A date-formatted cell.
    Date(NaiveDate),
    /// TRUE/FALSE.
    Bool(bool),
    /// An error value such as `#REF!`.
    Error(String),
}

impl Cell {
    /// True for [`Cell::Empty`] and blank text.
    pub fn is_blank(&self) -> bool {
        match self {
            Cell::Empty => true,
            // Most text starts with a visible ASCII character: no need to look further.
            Cell::Text(t) => match t.as_bytes().first() {
                Some(b) if b.is_ascii_graphic() => false,
                _ => t.chars().all(char::is_whitespace),
            },
            _ => false,
        }
    }

    /// The cell as text for display and evidence (numbers in shortest form).
    pub fn display(&self) -> String {
        match self {
            Cell::Empty => String::new(),
            Cell::Text(t) => t.clone(),
            Cell::Number(n) => format!("{n}"),
            Cell::Date(d) => d.format("%Y-%m-%d").to_string(),
            Cell::Bool(b) => b.to_string(),
            Cell::Error(e) => e.clone(),
        }
    }
}

/// One non-empty row.
#[derive(Clone, Debug, PartialEq)]
pub struct Row {
    /// 0-based row index in the sheet (for CSV: the record number).
    pub index: u32,
    /// Cells from column A; trailing empty cells dropped.
    pub cells: Vec<Cell>,
}

impl Row {
    /// The cell at a 0-based column, or `Empty`.
    pub fn get(&self, col: usize) -> &Cell {
        self.cells.get(col).unwrap_or(&Cell::Empty)
    }
}

/// One sheet: only rows with at least one non-blank cell are kept.
#[derive(Clone, Debug, PartialEq)]
pub struct Sheet {
    /// The sheet's name (`Sheet1`; for CSV the file name).
    pub name: String,
    /// Non-empty rows in order.
    pub rows: Vec<Row>,
}

/// A spreadsheet as read.
#[derive(Clone, Debug, PartialEq)]
pub struct Workbook {
    /// The format found in the content.
    pub format: Format,
    /// Sheets in workbook order.
    pub sheets: Vec<Sheet>,
    /// What the reader noticed (encoding guessed, sheets skipped …).
    pub notes: Vec<String>,
}

/// Receives a workbook row by row, so that a reader never has to hold a whole sheet: the
/// tax-export extractor keeps only what it understood of each row.
///
/// Rows arrive in sheet order with blank rows skipped (out-of-order rows in hand-edited XML
/// arrive as written). A row is lent: the reader reuses its cells for the next row once the
/// sink returns (a sink keeps what it needs by copying it).
pub trait RowSink {
    /// A new sheet starts.
    fn begin_sheet(&mut self, name: &str);
    /// One non-empty row.
    fn row(&mut self, row: &Row);
    /// The sheet ended.
    fn end_sheet(&mut self);
}

/// A sink that keeps everything: a [`Workbook`].
#[derive(Default)]
pub(crate) struct Collect {
    pub(crate) sheets: Vec<Sheet>,
}

impl RowSink for Collect {
    fn begin_sheet(&mut self, name: &str) {
        self.sheets.push(Sheet {
            name: name.to_string(),
            rows: Vec::new(),
        });
    }
    fn row(&mut self, row: &Row) {
        if let Some(s) = self.sheets.last_mut() {
            s.rows.push(row.clone());
        }
    }
    fn end_sheet(&mut self) {}
}

/// Most spare cell strings kept for reuse, and the largest one kept.
const SPARE_STRINGS: usize = 4096;
const SPARE_CAPACITY: usize = 256;

/// Rows sent from a reading thread to the thread of the sink, in order (see [`Rows::batched`]).
pub(crate) enum Batch {
    /// A sheet starts.
    Begin(String),
    /// Rows, in order.
    Rows(Vec<Row>),
    /// The sheet ended.
    End,
}

/// Rows per [`Batch::Rows`].
const BATCH_ROWS: usize = 128;

/// Where assembled rows go.
enum Out<'a> {
    /// Straight to a sink on this thread.
    Sink(&'a mut dyn RowSink),
    /// In batches through a channel to the sink's thread, which sends the batches back to be
    /// reused.
    Batches {
        tx: std::sync::mpsc::SyncSender<Batch>,
        back: std::sync::mpsc::Receiver<Vec<Row>>,
        batch: Vec<Row>,
        free: Vec<Row>,
    },
}

/// Assembles cells into rows for a [`RowSink`], enforcing the row, column and cell limits.
/// A row's storage (its cells and their text) is reused for later rows.
pub(crate) struct Rows<'a> {
    limits: &'a Limits,
    out: Out<'a>,
    cells: usize,
    /// The row being assembled (`open` false: none).
    current: Row,
    open: bool,
    /// Text of cells already handed on, cleared, for [`Rows::text`].
    spare: Vec<String>,
}

impl<'a> Rows<'a> {
    pub(crate) fn new(limits: &'a Limits, sink: &'a mut dyn RowSink) -> Self {
        Rows::with(limits, Out::Sink(sink))
    }

    /// Rows for a sink on another thread: batches go to `tx`, and come back through `back`.
    pub(crate) fn batched(
        limits: &'a Limits,
        tx: std::sync::mpsc::SyncSender<Batch>,
        back: std::sync::mpsc::Receiver<Vec<Row>>,
    ) -> Self {
        Rows::with(
            limits,
            Out::Batches {
                tx,
                back,
                batch: Vec::with_capacity(BATCH_ROWS),
                free: Vec::new(),
            },
        )
    }

    fn with(limits: &'a Limits, out: Out<'a>) -> Self {
        Rows {
            limits,
            out,
            cells: 0,
            current: Row {
                index: 0,
                cells: Vec::new(),
            },
            open: false,
            spare: Vec::new(),
        }
    }

    /// A text cell, in a reused string when there is one.
    pub(crate) fn text(&mut self, s: &str) -> Cell {
        let mut t = self.spare.pop().unwrap_or_default();
        t.push_str(s);
        Cell::Text(t)
    }

    /// Keeps the text of `cells` for reuse and empties them.
    fn recycle(spare: &mut Vec<String>, cells: &mut Vec<Cell>) {
        for c in cells.drain(..) {
            if let Cell::Text(mut t) = c
                && t.capacity() <= SPARE_CAPACITY
                && spare.len() < SPARE_STRINGS
            {
                t.clear();
                spare.push(t);
            }
        }
    }

    fn flush(&mut self) {
        if !std::mem::take(&mut self.open) {
            return;
        }
        match &mut self.out {
            Out::Sink(sink) => {
                sink.row(&self.current);
                Rows::recycle(&mut self.spare, &mut self.current.cells);
            }
            Out::Batches {
                tx,
                back,
                batch,
                free,
            } => {
                if free.is_empty()
                    && let Ok(rows) = back.try_recv()
                {
                    free.extend(rows);
                }
                let mut next = free.pop().unwrap_or(Row {
                    index: 0,
                    cells: Vec::new(),
                });
                Rows::recycle(&mut self.spare, &mut next.cells);
                batch.push(std::mem::replace(&mut self.current, next));
                if batch.len() >= BATCH_ROWS {
                    let full = std::mem::replace(batch, Vec::with_capacity(BATCH_ROWS));
                    let _ = tx.send(Batch::Rows(full));
                }
            }
        }
    }

    /// Sends what is batched (before a sheet event, so that order holds).
    fn send_batch(&mut self, then: Option<Batch>) {
        if let Out::Batches { tx, batch, .. } = &mut self.out {
            if !batch.is_empty() {
                let full = std::mem::replace(batch, Vec::with_capacity(BATCH_ROWS));
                let _ = tx.send(Batch::Rows(full));
            }
            if let Some(b) = then {
                let _ = tx.send(b);
            }
        }
    }

    pub(crate) fn begin_sheet(&mut self, name: &str) {
        self.flush();
        match &mut self.out {
            Out::Sink(sink) => sink.begin_sheet(name),
            Out::Batches { .. } => self.send_batch(Some(Batch::Begin(name.to_string()))),
        }
    }

    pub(crate) fn end_sheet(&mut self) {
        self.flush();
        match &mut self.out {
            Out::Sink(sink) => sink.end_sheet(),
            Out::Batches { .. } => self.send_batch(Some(Batch::End)),
        }
    }

    /// Puts a cell; blank cells are dropped. Rows are expected in order: a cell of another
    /// row than the current one closes the current row.
    pub(crate) fn put(&mut self, row: u32, col: u32, cell: Cell) -> Result<(), ReadError> {
        if cell.is_blank() {
            return Ok(());
        }
        if row >= self.limits.max_rows {
            return Err(ReadError::Limit(format!(
                "a cell in row {} (more than {} rows)",
                row as u64 + 1,
                self.limits.max_rows
            )));
        }
        if col >= self.limits.max_cols {
            return Err(ReadError::Limit(format!(
                "a cell in column {} (more than {} columns)",
                col as u64 + 1,
                self.limits.max_cols
            )));
        }
        self.cells += 1;
        if self.cells > self.limits.max_cells {
            return Err(ReadError::Limit(format!(
                "more than {} cells in the workbook",
                self.limits.max_cells
            )));
        }
        if !self.open || self.current.index != row {
            self.flush();
            self.current.index = row;
            self.open = true;
        }
        let r = &mut self.current;
        let col = col as usize;
        if col == r.cells.len() {
            r.cells.push(cell);
        } else {
            if col > r.cells.len() {
                r.cells.resize(col + 1, Cell::Empty);
            }
            r.cells[col] = cell;
        }
        Ok(())
    }
}

/// What a reader found besides the rows.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ReadInfo {
    /// The format found in the content.
    pub format: Format,
    /// What the reader noticed (encoding guessed, sheets skipped …).
    pub notes: Vec<String>,
}

/// Reads a spreadsheet row by row into `sink`; see [`read_workbook`].
pub fn read_rows(
    bytes: &[u8],
    limits: &Limits,
    sink: &mut dyn RowSink,
) -> Result<ReadInfo, ReadError> {
    limits.check_bytes(bytes)?;
    let format = sniff(bytes);
    let notes = match format {
        Format::Xlsx => sheet::read_xlsx(bytes, limits, sink)?,
        Format::Ods => sheet::read_ods(bytes, limits, sink)?,
        Format::Xls => sheet::read_xls(bytes, limits, sink)?,
        Format::EncryptedOffice => return Err(ReadError::Encrypted),
        Format::Csv => csv::read_csv(bytes, limits, sink)?,
        Format::Html => html::read_html_tables(bytes, limits, sink)?,
        other => {
            return Err(ReadError::NotASpreadsheet {
                found: other.content_is(),
            });
        }
    };
    Ok(ReadInfo { format, notes })
}

/// Reads a file from disk into `sink`, refusing oversized files before loading them.
pub fn read_rows_file(
    path: &std::path::Path,
    limits: &Limits,
    sink: &mut dyn RowSink,
) -> Result<ReadInfo, ReadError> {
    let meta = std::fs::metadata(path).map_err(|e| ReadError::io(&e))?;
    if meta.is_dir() {
        return Err(ReadError::Io(
            "这是文件夹，不是文件（is a directory）".into(),
        ));
    }
    if !meta.is_file() {
        return Err(ReadError::Io("不是普通文件（not a regular file）".into()));
    }
    if meta.len() > limits.max_file_bytes {
        return Err(ReadError::TooLarge {
            size: meta.len(),
            limit: limits.max_file_bytes,
        });
    }
    // An xlsx is read from its file by each of its readers, never loaded whole.
    if meta.len() > 0 && is_xlsx_file(path) {
        let notes = sheet::read_xlsx_from(xlsx::Origin::File(path), limits, sink)?;
        return Ok(ReadInfo {
            format: Format::Xlsx,
            notes,
        });
    }
    let bytes = std::fs::read(path).map_err(|e| ReadError::io(&e))?;
    read_rows(&bytes, limits, sink)
}

/// Whether the file is a zip whose entries make it an xlsx (as [`sniff`] would say).
fn is_xlsx_file(path: &std::path::Path) -> bool {
    use std::io::Read;
    let mut head = [0u8; 4];
    let zip = std::fs::File::open(path)
        .and_then(|mut f| f.read_exact(&mut head))
        .is_ok()
        && (head == *b"PK\x03\x04" || head == *b"PK\x05\x06");
    zip && xlsx::Origin::File(path)
        .archive()
        .is_ok_and(|a| sniff::sniff_archive(&a) == Format::Xlsx)
}

/// Reads a whole spreadsheet (xlsx, xls, ods, csv, or an HTML table saved as .xls) into
/// memory. The format comes from the content. For large files prefer [`read_rows`] with a sink
/// that keeps only what it needs.
pub fn read_workbook(bytes: &[u8], limits: &Limits) -> Result<Workbook, ReadError> {
    let mut c = Collect::default();
    let info = read_rows(bytes, limits, &mut c)?;
    Ok(Workbook {
        format: info.format,
        sheets: c.sheets,
        notes: info.notes,
    })
}

/// [`read_workbook`] from a file.
pub fn read_workbook_file(path: &std::path::Path, limits: &Limits) -> Result<Workbook, ReadError> {
    let mut c = Collect::default();
    let info = read_rows_file(path, limits, &mut c)?;
    Ok(Workbook {
        format: info.format,
        sheets: c.sheets,
        notes: info.notes,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rows_are_sparse_and_bounded() {
        let limits = Limits {
            max_cells: 4,
            ..Limits::default()
        };
        let mut c = Collect::default();
        let mut b = Rows::new(&limits, &mut c);
        b.begin_sheet("s");
        b.put(0, 0, Cell::Text("a".into())).unwrap();
        b.put(5, 2, Cell::Number(1.0)).unwrap();
        b.put(5, 0, Cell::Text("x".into())).unwrap();
        b.put(7, 0, Cell::Empty).unwrap();
        b.put(8, 1, Cell::Text(" ".into())).unwrap();
        b.put(9, 3, Cell::Bool(true)).unwrap();
        let e = b.put(9, 4, Cell::Text("far".into())).unwrap_err();
        assert!(matches!(e, ReadError::Limit(_)));
        b.end_sheet();
        let s = &c.sheets[0];
        let idx: Vec<u32> = s.rows.iter().map(|r| r.index).collect();
        assert_eq!(idx, vec![0, 5, 9]);
        assert_eq!(s.rows[1].cells.len(), 3);
    }

    #[test]
    fn row_and_column_limits() {
        let limits = Limits::default();
        let mut c = Collect::default();
        let mut b = Rows::new(&limits, &mut c);
        assert!(b.put(2_000_000, 0, Cell::Bool(true)).is_err());
        assert!(b.put(0, 20_000, Cell::Bool(true)).is_err());
    }
}
