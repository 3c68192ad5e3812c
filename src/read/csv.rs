//! Delimited text: UTF-8 (with or without BOM), UTF-16 with BOM, or GBK (GB 18030), with the
//! delimiter (`,` tab `;` `|`) found from the first lines. Every field is text; numbers and
//! dates are interpreted by the extractors, exactly.

/// The name of the one sheet a text file is read as (it has none of its own; locators say
/// `sheet csv, row 5`, messages leave it out).
pub const SHEET: &str = "csv";

use super::{Limits, ReadError, RowSink, Rows};

/// Decodes the bytes to text, saying which encoding was used.
pub fn decode_text(bytes: &[u8]) -> Result<(String, &'static str), ReadError> {
    let strict = |enc: &'static encoding_rs::Encoding, b: &[u8], name: &'static str| {
        enc.decode_without_bom_handling_and_without_replacement(b)
            .map(|s| (s.into_owned(), name))
            .ok_or_else(|| ReadError::Encoding {
                detail: format!("it starts with a {name} byte-order mark but is not valid {name}"),
            })
    };
    if let Some(rest) = bytes.strip_prefix(&[0xEF, 0xBB, 0xBF]) {
        return strict(encoding_rs::UTF_8, rest, "UTF-8");
    }
    if let Some(rest) = bytes.strip_prefix(&[0xFF, 0xFE]) {
        return strict(encoding_rs::UTF_16LE, rest, "UTF-16LE");
    }
    if let Some(rest) = bytes.strip_prefix(&[0xFE, 0xFF]) {
        return strict(encoding_rs::UTF_16BE, rest, "UTF-16BE");
    }
    if let Ok(s) = std::str::from_utf8(bytes) {
        return Ok((s.to_string(), "UTF-8"));
    }
    if let Some(s) = encoding_rs::GB18030.decode_without_bom_handling_and_without_replacement(bytes)
    {
        return Ok((s.into_owned(), "GBK"));
    }
    Err(ReadError::Encoding {
        detail: "neither UTF-8, UTF-16 nor GBK".into(),
    })
}

/// The delimiter that splits the first lines most consistently.
fn sniff_delimiter(text: &str) -> u8 {
    let lines: Vec<&str> = text
        .lines()
        .filter(|l| !l.trim().is_empty())
        .take(30)
        .collect();
    let mut best = (b',', 0usize);
    for d in [b',', b'\t', b';', b'|'] {
        let counts: Vec<usize> = lines
            .iter()
            .map(|l| l.bytes().filter(|&b| b == d).count())
            .collect();
        // Score: how many lines have the most common non-zero count.
        let mut freq = std::collections::HashMap::new();
        for &c in counts.iter().filter(|&&c| c > 0) {
            *freq.entry(c).or_insert(0usize) += 1;
        }
        let score = freq.values().copied().max().unwrap_or(0);
        if score > best.1 {
            best = (d, score);
        }
    }
    best.0
}

/// Reads delimited text as one sheet named `csv` into `sink`; returns the reader's notes.
pub fn read_csv(
    bytes: &[u8],
    limits: &Limits,
    sink: &mut dyn RowSink,
) -> Result<Vec<String>, ReadError> {
    let (text, encoding) = decode_text(bytes)?;
    let delimiter = sniff_delimiter(&text);
    let mut reader = csv::ReaderBuilder::new()
        .has_headers(false)
        .flexible(true)
        .delimiter(delimiter)
        .from_reader(text.as_bytes());
    let mut b = Rows::new(limits, sink);
    b.begin_sheet(SHEET);
    let mut record = csv::StringRecord::new();
    let mut row: u32 = 0;
    loop {
        match reader.read_record(&mut record) {
            Ok(false) => break,
            Ok(true) => {}
            Err(e) => {
                return Err(ReadError::Corrupt {
                    format: "csv",
                    detail: e.to_string(),
                });
            }
        }
        if row >= limits.max_rows {
            return Err(ReadError::Limit(format!(
                "more than {} lines",
                limits.max_rows
            )));
        }
        if record.len() as u64 > limits.max_cols as u64 {
            return Err(ReadError::Limit(format!(
                "line {} has {} fields (at most {})",
                row + 1,
                record.len(),
                limits.max_cols
            )));
        }
        for (col, field) in record.iter().enumerate() {
            let cell = b.text(field);
            b.put(row, col as u32, cell)?;
        }
        row += 1;
    }
    b.end_sheet();
    let mut notes = vec![format!("text decoded as {encoding}")];
    if delimiter != b',' {
        notes.push(format!("delimiter {:?}", delimiter as char));
    }
    Ok(notes)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::read::{Cell, Collect, Format, Workbook};

    fn read_csv(bytes: &[u8], limits: &Limits) -> Result<Workbook, ReadError> {
        let mut c = Collect::default();
        let notes = super::read_csv(bytes, limits, &mut c)?;
        Ok(Workbook {
            format: Format::Csv,
            sheets: c.sheets,
            notes,
        })
    }

    #[test]
    fn encodings() {
        let (gbk, _, _) = encoding_rs::GBK.encode("姓名,收入\n张三,1\n");
        let wb = read_csv(&gbk, &Limits::default()).unwrap();
        assert_eq!(wb.sheets[0].rows[1].cells[0], Cell::Text("张三".into()));
        assert!(wb.notes[0].contains("GBK"));
        let mut bom = vec![0xEF, 0xBB, 0xBF];
        bom.extend_from_slice("姓名\t收入\n李四\t2\n".as_bytes());
        let wb = read_csv(&bom, &Limits::default()).unwrap();
        assert_eq!(wb.sheets[0].rows[0].cells[1], Cell::Text("收入".into()));
        let mut u16 = vec![0xFF, 0xFE];
        for u in "a,b\n".encode_utf16() {
            u16.extend_from_slice(&u.to_le_bytes());
        }
        let wb = read_csv(&u16, &Limits::default()).unwrap();
        assert_eq!(wb.sheets[0].rows[0].cells.len(), 2);
    }

    #[test]
    fn garbage_is_an_encoding_error() {
        let e = read_csv(&[0xFF, 0xFF, 0x00, 0x81], &Limits::default()).unwrap_err();
        assert!(matches!(e, ReadError::Encoding { .. }));
    }

    #[test]
    fn blank_lines_do_not_make_rows() {
        let wb = read_csv(b"a,b\n\n\n,\n1,2\n", &Limits::default()).unwrap();
        let idx: Vec<u32> = wb.sheets[0].rows.iter().map(|r| r.index).collect();
        assert_eq!(idx.len(), 2);
        assert_eq!(idx[0], 0);
    }
}
