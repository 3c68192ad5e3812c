//! HTML tables, which web applications save with an `.xls` extension ("Excel export"). Each
//! `<table>` becomes a sheet; `<td>`/`<th>` become cells (`colspan` honoured), other tags are
//! dropped and the common entities decoded. A tolerant scanner, not a browser: enough for the
//! flat tables such exports contain.

use super::csv::decode_text;
use super::sniff::Format;
use super::{Cell, Limits, ReadError, SheetBuilder, Workbook};

fn decode_entities(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    let mut rest = s;
    while let Some(i) = rest.find('&') {
        out.push_str(&rest[..i]);
        rest = &rest[i..];
        let end = rest[..rest.len().min(12)].find(';');
        let Some(end) = end else {
            out.push('&');
            rest = &rest[1..];
            continue;
        };
        let ent = &rest[1..end];
        let ch = match ent {
            "amp" => Some('&'),
            "lt" => Some('<'),
            "gt" => Some('>'),
            "quot" => Some('"'),
            "apos" => Some('\''),
            "nbsp" => Some(' '),
            _ if ent.starts_with("#x") || ent.starts_with("#X") => {
                u32::from_str_radix(&ent[2..], 16)
                    .ok()
                    .and_then(char::from_u32)
            }
            _ if ent.starts_with('#') => ent[1..].parse().ok().and_then(char::from_u32),
            _ => None,
        };
        match ch {
            Some(c) => {
                out.push(c);
                rest = &rest[end + 1..];
            }
            None => {
                out.push('&');
                rest = &rest[1..];
            }
        }
    }
    out.push_str(rest);
    out
}

fn attr_colspan(tag: &str) -> u32 {
    let lower = tag.to_ascii_lowercase();
    lower
        .find("colspan")
        .and_then(|i| {
            let v = lower[i + 7..].trim_start().strip_prefix('=')?.trim_start();
            let v = v.trim_start_matches(['"', '\'']);
            let n: String = v.chars().take_while(|c| c.is_ascii_digit()).collect();
            n.parse().ok()
        })
        .unwrap_or(1)
        .clamp(1, 1000)
}

/// Reads every `<table>` of an HTML document.
pub fn read_html_tables(bytes: &[u8], limits: &Limits) -> Result<Workbook, ReadError> {
    let (text, encoding) = decode_text(bytes)?;
    let mut sheets = Vec::new();
    let mut budget = limits.max_cells;
    let mut builder: Option<SheetBuilder> = None;
    let (mut row, mut col) = (0u32, 0u32);
    let mut in_cell: Option<(String, u32)> = None;
    let mut in_row = false;
    let mut rest = text.as_str();
    while let Some(lt) = rest.find('<') {
        if let Some((buf, _)) = in_cell.as_mut() {
            buf.push_str(&rest[..lt]);
        }
        let Some(gt) = rest[lt..].find('>') else {
            break;
        };
        let tag = &rest[lt + 1..lt + gt];
        rest = &rest[lt + gt + 1..];
        let name: String = tag
            .trim_start_matches('/')
            .chars()
            .take_while(|c| c.is_ascii_alphanumeric())
            .collect::<String>()
            .to_ascii_lowercase();
        let closing = tag.starts_with('/');
        let flush = |b: &mut Option<SheetBuilder>,
                     cell: &mut Option<(String, u32)>,
                     row: u32,
                     col: &mut u32|
         -> Result<(), ReadError> {
            if let (Some(b), Some((buf, span))) = (b.as_mut(), cell.take()) {
                let v = decode_entities(buf.trim()).trim().to_string();
                b.put(row, *col, Cell::Text(v))?;
                *col += span;
            }
            Ok(())
        };
        match (name.as_str(), closing) {
            ("table", false) => {
                if let Some(b) = builder.take() {
                    let (sheet, left) = b.finish(format!("table {}", sheets.len() + 1));
                    budget = left;
                    sheets.push(sheet);
                }
                if sheets.len() >= limits.max_sheets {
                    break;
                }
                builder = Some(SheetBuilder::new(limits, budget));
                row = 0;
                in_row = false;
            }
            ("table", true) => {
                flush(&mut builder, &mut in_cell, row, &mut col)?;
                if let Some(b) = builder.take() {
                    let (sheet, left) = b.finish(format!("table {}", sheets.len() + 1));
                    budget = left;
                    sheets.push(sheet);
                }
            }
            ("tr", false) => {
                flush(&mut builder, &mut in_cell, row, &mut col)?;
                if in_row {
                    row += 1;
                }
                in_row = true;
                col = 0;
            }
            ("tr", true) => {
                flush(&mut builder, &mut in_cell, row, &mut col)?;
                if in_row {
                    row += 1;
                }
                in_row = false;
            }
            ("td" | "th", false) => {
                flush(&mut builder, &mut in_cell, row, &mut col)?;
                in_cell = Some((String::new(), attr_colspan(tag)));
            }
            ("td" | "th", true) => flush(&mut builder, &mut in_cell, row, &mut col)?,
            ("br" | "p" | "div", _) => {
                if let Some((buf, _)) = in_cell.as_mut() {
                    buf.push('\n');
                }
            }
            _ => {}
        }
    }
    if let Some(b) = builder.take() {
        sheets.push(b.finish(format!("table {}", sheets.len() + 1)).0);
    }
    if sheets.is_empty() {
        return Err(ReadError::NotASpreadsheet {
            found: "an HTML page without a table".into(),
        });
    }
    Ok(Workbook {
        format: Format::Html,
        sheets,
        notes: vec![format!("an HTML table (text decoded as {encoding})")],
    })
}
