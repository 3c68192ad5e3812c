//! Checks a zip package (xlsx, ods) before any reader expands it: entry count, declared
//! sizes, encrypted entries. The zip reader refuses an entry that inflates past its declared
//! size, so bounding declared sizes bounds what is actually inflated.

use std::io::Cursor;

use super::{Limits, ReadError};

/// Inspects the central directory; `format` names the package in errors.
pub fn check(bytes: &[u8], limits: &Limits, format: &'static str) -> Result<(), ReadError> {
    let mut archive = zip::ZipArchive::new(Cursor::new(bytes)).map_err(|e| ReadError::Corrupt {
        format,
        detail: e.to_string(),
    })?;
    check_archive(&mut archive, limits, format)
}

/// [`check`] of an archive already open (a package read from its file).
pub fn check_archive<R: std::io::Read + std::io::Seek>(
    archive: &mut zip::ZipArchive<R>,
    limits: &Limits,
    format: &'static str,
) -> Result<(), ReadError> {
    if archive.len() > limits.max_zip_entries {
        return Err(ReadError::Limit(format!(
            "{} entries in the package (at most {})",
            archive.len(),
            limits.max_zip_entries
        )));
    }
    let mut total: u64 = 0;
    for i in 0..archive.len() {
        let entry = archive.by_index_raw(i).map_err(|e| ReadError::Corrupt {
            format,
            detail: e.to_string(),
        })?;
        if entry.encrypted() {
            return Err(ReadError::Encrypted);
        }
        let size = entry.size();
        if size > limits.max_entry_bytes {
            return Err(ReadError::Limit(format!(
                "entry \"{}\" expands to {} MiB (at most {} MiB)",
                entry.name().unwrap_or_default(),
                size >> 20,
                limits.max_entry_bytes >> 20
            )));
        }
        total = total.saturating_add(size);
        if total > limits.max_total_expanded_bytes {
            return Err(ReadError::Limit(format!(
                "the package expands to more than {} MiB",
                limits.max_total_expanded_bytes >> 20
            )));
        }
    }
    Ok(())
}

/// ODS repeat counts can declare billions of cells in a few bytes, and calamine builds each
/// sheet as a dense range (32 bytes a cell) up to its own limit of 100 million cells — 3 GiB.
/// This pass reads `content.xml` once, streaming, and computes each table's dense size from
/// the bounding box of its non-empty cells (`number-rows-repeated` × `number-columns-repeated`
/// included); trailing empty repeats, which LibreOffice writes by the million, cost nothing.
pub fn check_ods_cells(bytes: &[u8], limits: &Limits) -> Result<(), ReadError> {
    use quick_xml::events::{BytesStart, Event};

    let corrupt = |detail: String| ReadError::Corrupt {
        format: "ods",
        detail,
    };
    let mut archive =
        zip::ZipArchive::new(Cursor::new(bytes)).map_err(|e| corrupt(e.to_string()))?;
    let Ok(entry) = archive.by_name("content.xml") else {
        return Ok(()); // calamine reports the missing part in its own words
    };
    let mut reader = quick_xml::Reader::from_reader(std::io::BufReader::new(entry));
    let repeat = |e: &BytesStart, name: &str| -> u64 {
        e.attributes()
            .flatten()
            .find(|a| a.key.local_name().as_ref() == name)
            .and_then(|a| a.value.parse::<u64>().ok())
            .unwrap_or(1)
            .max(1)
    };
    let has_value = |e: &BytesStart| {
        e.attributes()
            .flatten()
            .any(|a| a.key.local_name().as_ref() == "value-type")
    };
    let cap = limits.max_cells as u64 / 2;
    let (mut row, mut col, mut row_rep) = (0u64, 0u64, 1u64);
    let (mut max_row, mut max_col) = (0u64, 0u64);
    let mut row_has = false;
    let mut total: u64 = 0;
    let mut buf = Vec::new();
    loop {
        let ev = reader
            .read_event_into(&mut buf)
            .map_err(|e| corrupt(e.to_string()))?;
        let (start, empty) = match &ev {
            Event::Start(e) => (Some(e), false),
            Event::Empty(e) => (Some(e), true),
            _ => (None, false),
        };
        if let Some(e) = start {
            match e.local_name().as_ref() {
                "table" => (row, max_row, max_col) = (0, 0, 0),
                "table-row" => {
                    row_rep = repeat(e, "number-rows-repeated");
                    col = 0;
                    row_has = false;
                    if empty {
                        row = row.saturating_add(row_rep);
                    }
                }
                "table-cell" | "covered-table-cell" => {
                    let n = repeat(e, "number-columns-repeated");
                    if !empty || has_value(e) {
                        max_col = max_col.max(col.saturating_add(n));
                        row_has = true;
                    }
                    col = col.saturating_add(n);
                }
                _ => {}
            }
        }
        match &ev {
            Event::End(e) if e.local_name().as_ref() == "table-row" => {
                if row_has {
                    max_row = row.saturating_add(row_rep);
                }
                row = row.saturating_add(row_rep);
            }
            Event::End(e) if e.local_name().as_ref() == "table" => {
                total = total.saturating_add(max_row.saturating_mul(max_col));
            }
            Event::Eof => break,
            _ => {}
        }
        if total > cap || max_row.saturating_mul(max_col) > cap {
            return Err(ReadError::Limit(format!(
                "the spreadsheet declares more than {cap} cells (repeated rows and columns)"
            )));
        }
        buf.clear();
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::io::Write;

    fn ods(content: &str) -> Vec<u8> {
        let mut w = zip::ZipWriter::new(Cursor::new(Vec::new()));
        let opts = zip::write::SimpleFileOptions::default();
        w.start_file("mimetype", opts).unwrap();
        w.write_all(b"application/vnd.oasis.opendocument.spreadsheet")
            .unwrap();
        w.start_file("content.xml", opts).unwrap();
        w.write_all(content.as_bytes()).unwrap();
        w.finish().unwrap().into_inner()
    }

    const HEAD: &str = r#"<office:document-content xmlns:office="o" xmlns:table="t" xmlns:text="x"><office:body><office:spreadsheet><table:table table:name="S">"#;
    const TAIL: &str =
        "</table:table></office:spreadsheet></office:body></office:document-content>";

    #[test]
    fn repeated_content_is_refused_trailing_empties_are_not() {
        let limits = Limits::default();
        // 40,000 rows × 1,000 columns of one value: 40 million cells.
        let bomb = format!(
            r#"{HEAD}<table:table-row table:number-rows-repeated="40000"><table:table-cell table:number-columns-repeated="1000" office:value-type="float" office:value="1"><text:p>1</text:p></table:table-cell></table:table-row>{TAIL}"#
        );
        assert!(matches!(
            check_ods_cells(&ods(&bomb), &limits),
            Err(ReadError::Limit(_))
        ));
        // One value, then LibreOffice's usual millions of empty repeats.
        let ok = format!(
            r#"{HEAD}<table:table-row><table:table-cell office:value-type="string"><text:p>姓名</text:p></table:table-cell><table:table-cell table:number-columns-repeated="16383"/></table:table-row><table:table-row table:number-rows-repeated="1048575"><table:table-cell table:number-columns-repeated="16384"/></table:table-row>{TAIL}"#
        );
        assert!(check_ods_cells(&ods(&ok), &limits).is_ok());
    }
}
