//! xlsx, xls and ods through calamine, under the limits of [`Limits`].
//!
//! xlsx is read by jzz's own streaming reader (`read::xlsx`) when it understands the package,
//! else by calamine. There it is streamed cell by cell (`worksheet_cells_reader`), never through calamine's dense
//! `Range`: a sheet with cells at A1 and XFD1048576 would otherwise allocate 17 billion cells
//! (512 GiB) and abort the process (`crafted-dimension-xfd1048576.xlsx`). xls and ods are read
//! through `worksheet_range`, whose own cell limits hold for those formats; everything runs
//! under [`guard::catch`].

use std::io::Cursor;

use calamine::{Data, DataRef, Ods, Reader, Xls, Xlsx};
use chrono::NaiveDate;

use super::xlsx::Origin;
use super::{Cell, Limits, ReadError, RowSink, Rows, guard, zipguard};
use crate::model::parse_date;

fn lib_error(format: &'static str, e: impl std::fmt::Display) -> ReadError {
    let detail = e.to_string();
    if detail.to_ascii_lowercase().contains("password") {
        ReadError::Encrypted
    } else {
        ReadError::Corrupt { format, detail }
    }
}

fn crashed(format: &'static str) -> impl Fn(String) -> ReadError {
    move |detail| ReadError::Crashed { format, detail }
}

fn date_from_ymd(y: u16, m: u8, d: u8) -> Option<NaiveDate> {
    NaiveDate::from_ymd_opt(y as i32, m as u32, d as u32)
}

fn cell_from_ref(v: DataRef<'_>) -> Cell {
    match v {
        DataRef::Int(i) => Cell::Number(i as f64),
        DataRef::Float(f) => Cell::Number(f),
        DataRef::String(s) => Cell::Text(s),
        DataRef::SharedString(s) => Cell::Text(s.to_string()),
        DataRef::Bool(b) => Cell::Bool(b),
        DataRef::DateTime(dt) if dt.is_datetime() => {
            let (y, m, d, ..) = dt.to_ymd_hms_milli();
            date_from_ymd(y, m, d).map_or(Cell::Number(dt.as_f64()), Cell::Date)
        }
        DataRef::DateTime(dt) => Cell::Number(dt.as_f64()),
        DataRef::DateTimeIso(s) => parse_date(&s).map_or(Cell::Text(s), Cell::Date),
        DataRef::DurationIso(s) => Cell::Text(s),
        DataRef::Error(e) => Cell::Error(format!("{e}")),
        DataRef::Empty => Cell::Empty,
    }
}

fn cell_from_data(v: &Data) -> Cell {
    match v {
        Data::Int(i) => Cell::Number(*i as f64),
        Data::Float(f) => Cell::Number(*f),
        Data::String(s) => Cell::Text(s.clone()),
        Data::Bool(b) => Cell::Bool(*b),
        Data::DateTime(dt) if dt.is_datetime() => {
            let (y, m, d, ..) = dt.to_ymd_hms_milli();
            date_from_ymd(y, m, d).map_or(Cell::Number(dt.as_f64()), Cell::Date)
        }
        Data::DateTime(dt) => Cell::Number(dt.as_f64()),
        Data::DateTimeIso(s) => parse_date(s).map_or(Cell::Text(s.clone()), Cell::Date),
        Data::DurationIso(s) => Cell::Text(s.clone()),
        Data::Error(e) => Cell::Error(format!("{e}")),
        Data::Empty => Cell::Empty,
    }
}

/// Reads an xlsx package into `sink`; returns the reader's notes.
pub fn read_xlsx(
    bytes: &[u8],
    limits: &Limits,
    sink: &mut dyn RowSink,
) -> Result<Vec<String>, ReadError> {
    read_xlsx_from(Origin::Bytes(bytes), limits, sink)
}

/// [`read_xlsx`] of a package in memory or in its file.
pub(crate) fn read_xlsx_from(
    origin: Origin<'_>,
    limits: &Limits,
    sink: &mut dyn RowSink,
) -> Result<Vec<String>, ReadError> {
    let mut archive = origin.archive().map_err(|e| ReadError::Corrupt {
        format: "xlsx",
        detail: e.to_string(),
    })?;
    zipguard::check_archive(&mut archive, limits, "xlsx")?;
    drop(archive);
    // jzz's own reader when it understands the package (it streams a sheet at the speed of
    // inflating it); calamine otherwise, which then says what is wrong in its words.
    let open = || super::xlsx::package::open(origin, limits.max_entry_bytes);
    if let Ok(Some(pkg)) = guard::catch(open) {
        return guard::catch(|| super::xlsx::read(&pkg, origin, limits, sink))
            .map_err(crashed("xlsx"))?;
    }
    match origin {
        Origin::Bytes(bytes) => read_xlsx_calamine(bytes, limits, sink),
        Origin::File(path) => {
            let bytes = std::fs::read(path).map_err(|e| ReadError::Io(e.to_string()))?;
            read_xlsx_calamine(&bytes, limits, sink)
        }
    }
}

/// Reads an xlsx package through calamine alone (the reader of packages jzz's own does not
/// understand, and the reference its tests compare it with).
pub fn read_xlsx_calamine(
    bytes: &[u8],
    limits: &Limits,
    sink: &mut dyn RowSink,
) -> Result<Vec<String>, ReadError> {
    zipguard::check(bytes, limits, "xlsx")?;
    guard::catch(|| read_xlsx_inner(bytes, limits, sink)).map_err(crashed("xlsx"))?
}

fn read_xlsx_inner(
    bytes: &[u8],
    limits: &Limits,
    sink: &mut dyn RowSink,
) -> Result<Vec<String>, ReadError> {
    let mut wb: Xlsx<_> = Xlsx::new(Cursor::new(bytes)).map_err(|e| lib_error("xlsx", e))?;
    let names = wb.sheet_names();
    let mut notes = Vec::new();
    let mut rows = Rows::new(limits, sink);
    // Empty cells are not kept, but a sheet of millions of them is still work: bound them too.
    let mut seen: u64 = 0;
    let max_seen = limits.max_cells as u64 * 4;
    for name in names.into_iter().take(limits.max_sheets) {
        let mut reader = match wb.worksheet_cells_reader(&name) {
            Ok(r) => r,
            Err(calamine::XlsxError::NotAWorksheet(t)) => {
                notes.push(format!(
                    "sheet \"{name}\" is a {t}, not a worksheet: skipped"
                ));
                continue;
            }
            Err(e) => return Err(lib_error("xlsx", format!("sheet \"{name}\": {e}"))),
        };
        rows.begin_sheet(&name);
        loop {
            let cell = reader
                .next_cell()
                .map_err(|e| lib_error("xlsx", format!("sheet \"{name}\": {e}")))?;
            let Some(cell) = cell else { break };
            seen += 1;
            if seen > max_seen {
                return Err(ReadError::Limit(format!(
                    "more than {max_seen} cells (most of them empty)"
                )));
            }
            let (row, col) = cell.get_position();
            rows.put(row, col, cell_from_ref(cell.get_value().clone()))?;
        }
        rows.end_sheet();
    }
    Ok(notes)
}

/// Reads an OpenDocument spreadsheet into `sink`.
pub fn read_ods(
    bytes: &[u8],
    limits: &Limits,
    sink: &mut dyn RowSink,
) -> Result<Vec<String>, ReadError> {
    zipguard::check(bytes, limits, "ods")?;
    zipguard::check_ods_cells(bytes, limits)?;
    guard::catch(|| {
        let wb: Ods<_> = Ods::new(Cursor::new(bytes)).map_err(|e| lib_error("ods", e))?;
        read_ranges(wb, limits, "ods", sink)
    })
    .map_err(crashed("ods"))?
}

/// Reads a BIFF5/BIFF8 workbook into `sink`.
pub fn read_xls(
    bytes: &[u8],
    limits: &Limits,
    sink: &mut dyn RowSink,
) -> Result<Vec<String>, ReadError> {
    // calamine follows a looping sector chain until memory runs out, and reserves room for the
    // cells a sheet declares however many: both refused first, as is an encrypted workbook.
    super::cfbguard::check(bytes, limits.max_cells as u64).map_err(|why| {
        if why == super::cfbguard::ENCRYPTED {
            ReadError::Encrypted
        } else {
            ReadError::Corrupt {
                format: "xls",
                detail: why,
            }
        }
    })?;
    guard::catch(|| {
        let wb: Xls<_> = Xls::new(Cursor::new(bytes)).map_err(|e| lib_error("xls", e))?;
        read_ranges(wb, limits, "xls", sink)
    })
    .map_err(crashed("xls"))?
}

fn read_ranges<RS, R>(
    mut wb: R,
    limits: &Limits,
    fname: &'static str,
    sink: &mut dyn RowSink,
) -> Result<Vec<String>, ReadError>
where
    RS: std::io::Read + std::io::Seek,
    R: Reader<RS>,
    R::Error: std::fmt::Display,
{
    let names = wb.sheet_names();
    let mut rows = Rows::new(limits, sink);
    for name in names.into_iter().take(limits.max_sheets) {
        let range = wb
            .worksheet_range(&name)
            .map_err(|e| lib_error(fname, format!("sheet \"{name}\": {e}")))?;
        let (r0, c0) = range.start().unwrap_or((0, 0));
        rows.begin_sheet(&name);
        for (r, c, v) in range.used_cells() {
            rows.put(r0 + r as u32, c0 + c as u32, cell_from_data(v))?;
        }
        rows.end_sheet();
    }
    Ok(Vec::new())
}
