//! HTML tables, which web applications save with an `.xls` extension ("Excel export"). Each
//! `<table>` becomes a sheet; `<td>`/`<th>` become cells (`colspan` honoured), other tags are
//! dropped and the common entities decoded. A tolerant scanner, not a browser: enough for the
//! flat tables such exports contain.

use super::csv::decode_text;
use super::{Cell, Limits, ReadError, RowSink, Rows};

fn decode_entities(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    let mut rest = s;
    while let Some(i) = rest.find('&') {
        out.push_str(&rest[..i]);
        rest = &rest[i..];
        // Bytes, not a `str` slice: the 12th byte may fall inside a character (`A&B李`).
        let end = rest.bytes().take(12).position(|b| b == b';');
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

/// Reads every `<table>` of an HTML document into `sink`, one sheet per table.
pub fn read_html_tables(
    bytes: &[u8],
    limits: &Limits,
    sink: &mut dyn RowSink,
) -> Result<Vec<String>, ReadError> {
    let (text, encoding) = decode_text(bytes)?;
    let mut rows = Rows::new(limits, sink);
    let mut tables = 0usize;
    let mut in_table = false;
    let (mut row, mut col) = (0u32, 0u32);
    let mut cell: Option<(String, u32)> = None;
    let mut in_row = false;
    let mut rest = text.as_str();
    while let Some(lt) = rest.find('<') {
        if let Some((buf, _)) = cell.as_mut() {
            buf.push_str(&rest[..lt]);
        }
        let Some(gt) = rest[lt..].find('>') else {
            break;
        };
        let tag = &rest[lt + 1..lt + gt];
        rest = &rest[lt + gt + 1..];
        let closing = tag.starts_with('/');
        let name: String = tag
            .trim_start_matches('/')
            .chars()
            .take_while(|c| c.is_ascii_alphanumeric())
            .collect::<String>()
            .to_ascii_lowercase();
        // A cell ends at its own end tag, or at the next cell, row or table tag.
        if matches!(name.as_str(), "td" | "th" | "tr" | "table")
            && let Some((buf, span)) = cell.take()
        {
            if in_table {
                let v = decode_entities(buf.trim()).trim().to_string();
                rows.put(row, col, Cell::Text(v))?;
            }
            col += span;
        }
        match (name.as_str(), closing) {
            ("table", false) => {
                if in_table {
                    rows.end_sheet();
                }
                if tables >= limits.max_sheets {
                    in_table = false;
                    break;
                }
                tables += 1;
                rows.begin_sheet(&format!("table {tables}"));
                in_table = true;
                row = 0;
                in_row = false;
            }
            ("table", true) => {
                if in_table {
                    rows.end_sheet();
                }
                in_table = false;
            }
            ("tr", _) => {
                if in_row {
                    row += 1;
                }
                in_row = !closing;
                col = 0;
            }
            ("td" | "th", false) => cell = Some((String::new(), attr_colspan(tag))),
            ("br" | "p" | "div", _) => {
                if let Some((buf, _)) = cell.as_mut() {
                    buf.push('\n');
                }
            }
            _ => {}
        }
    }
    if in_table {
        rows.end_sheet();
    }
    if tables == 0 {
        return Err(ReadError::NotASpreadsheet {
            found: "文件内容是没有表格的网页（HTML）".into(),
        });
    }
    Ok(vec![format!("an HTML table (text decoded as {encoding})")])
}

#[cfg(test)]
mod tests {
    use crate::read::{Cell, Limits, read_workbook};

    /// Fuzzing (`html`): an `&` with a CJK character across its 12th byte and no `;` sliced a
    /// `str` inside the character and panicked — `北京A&B科技有限公司` in an exported table.
    #[test]
    fn ampersand_before_cjk_text() {
        let html = "<table><tr><td>北京A&B科技有限公司</td><td>&t\u{b}李</td></tr></table>";
        let wb = read_workbook(html.as_bytes(), &Limits::default()).unwrap();
        let r = &wb.sheets[0].rows[0];
        assert_eq!(r.cells[0], Cell::Text("北京A&B科技有限公司".into()));
        assert_eq!(r.cells[1], Cell::Text("&t\u{b}李".into()));
    }

    #[test]
    fn html_table_as_xls() {
        let html = "<html><body><table><tr><th>姓名</th><th colspan=2>证件&amp;号码</th><td>x</td></tr>\
                    <tr><td>张三<br>李</td><td></td><td>3</td><td>4</td></tr></table></body></html>";
        let wb = read_workbook(html.as_bytes(), &Limits::default()).unwrap();
        let s = &wb.sheets[0];
        assert_eq!(s.rows[0].cells[1], Cell::Text("证件&号码".into()));
        assert_eq!(s.rows[0].cells[3], Cell::Text("x".into()));
        assert_eq!(s.rows[1].index, 1);
        assert_eq!(s.rows[1].cells[0], Cell::Text("张三\n李".into()));
        assert_eq!(s.rows[1].cells[2], Cell::Text("3".into()));
    }
}
