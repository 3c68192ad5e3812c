//! The header of a tax table, read as a tree, and the column synonyms of
//! `pipelines/export-columns.toml`.
//!
//! A header is a band of one to [`MAX_BAND`] adjacent rows. In a grouped header (the
//! 个人所得税扣缴申报表: 本月（次）情况 → 收入额计算 → 收入) a parent label spans its children: the
//! readers keep only the top-left cell of a merged region, so an empty cell right of a label
//! continues that label as long as a lower row of the band labels the column and the parent
//! above does not change. Each column is then named by its path, top to bottom; a vertically
//! merged leaf (姓名 over three rows) is simply a shorter path.

use std::sync::OnceLock;

use serde::Deserialize;

use super::{HEADER_SCAN_ROWS, Role, norm_header};
use crate::model::IdNumber;
use crate::model::text::halfwidth;
use crate::read::{Cell, Row};

/// The synonyms table compiled in.
pub const BUILTIN_COLUMNS: &str = include_str!("../../../pipelines/export-columns.toml");

/// Most rows a header band may have.
pub const MAX_BAND: usize = 4;

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawTable {
    schema: String,
    column: Vec<RawColumn>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawColumn {
    role: Role,
    headers: Vec<String>,
}

/// Header spellings per role, normalized with [`norm_header`]; within a role the order is a
/// priority.
#[derive(Debug)]
pub struct Synonyms {
    entries: Vec<(Role, Vec<String>)>,
}

impl Synonyms {
    /// Parses and validates a table: known schema, known roles, no empty spelling, no
    /// spelling under two roles.
    pub fn from_toml(text: &str) -> Result<Synonyms, String> {
        const WHERE: &str = "pipelines/export-columns.toml";
        let raw: RawTable = toml::from_str(text).map_err(|e| format!("{WHERE}: {e}"))?;
        if raw.schema != "jzz.export-columns/1" {
            return Err(format!("{WHERE}: schema \"{}\"", raw.schema));
        }
        let mut entries: Vec<(Role, Vec<String>)> = Vec::new();
        for c in raw.column {
            let mut headers = Vec::new();
            for h in c.headers {
                let n = norm_header(&h);
                if n.is_empty() {
                    return Err(format!("{WHERE}: role {:?}: empty header \"{h}\"", c.role));
                }
                if let Some((other, _)) = entries.iter().find(|(_, hs)| hs.contains(&n)) {
                    return Err(format!(
                        "{WHERE}: header \"{h}\" is listed under {:?} and {:?}",
                        other, c.role
                    ));
                }
                if !headers.contains(&n) {
                    headers.push(n);
                }
            }
            match entries.iter_mut().find(|(r, _)| *r == c.role) {
                Some((_, hs)) => hs.extend(headers),
                None => entries.push((c.role, headers)),
            }
        }
        Ok(Synonyms { entries })
    }

    /// The table compiled in (validated by a unit test; it is not input).
    pub fn builtin() -> &'static Synonyms {
        static S: OnceLock<Synonyms> = OnceLock::new();
        S.get_or_init(|| {
            Synonyms::from_toml(BUILTIN_COLUMNS).unwrap_or_else(|e| {
                // Only reachable if the built-in file is broken; the unit tests load it.
                eprintln!("jzz: {e}");
                Synonyms {
                    entries: Vec::new(),
                }
            })
        })
    }

    /// The role of a normalized header and its priority within the role.
    pub fn role_of(&self, norm: &str) -> Option<(Role, usize)> {
        self.entries
            .iter()
            .find_map(|(role, hs)| hs.iter().position(|h| h == norm).map(|p| (*role, p)))
    }
}

/// The role of one header text (normalized here).
pub fn role_of(text: &str) -> Option<(Role, usize)> {
    Synonyms::builtin().role_of(&norm_header(text))
}

/// One understood column of a header.
#[derive(Clone, Debug)]
pub struct HeaderCol {
    /// Its meaning.
    pub role: Role,
    /// 0-based column.
    pub col: usize,
    /// Priority within the role (lower wins).
    pub prio: usize,
    /// The leaf label as written.
    pub leaf: String,
    /// The whole path, `本月（次）情况 / 收入额计算 / 收入`.
    pub path: String,
}

/// A header found in the first rows of a sheet.
#[derive(Debug)]
pub struct Header {
    /// Index into the buffered rows of the first row of the band.
    pub top: usize,
    /// Index into the buffered rows of the last row of the band.
    pub pos: usize,
    /// The understood columns.
    pub cols: Vec<HeaderCol>,
}

impl Header {
    /// The column of a role (the highest-priority one).
    pub fn col(&self, role: Role) -> Option<usize> {
        self.cols
            .iter()
            .filter(|c| c.role == role)
            .min_by_key(|c| c.prio)
            .map(|c| c.col)
    }
}

fn cell_text(c: &Cell) -> String {
    c.display().trim().to_string()
}

/// Text that is a figure (`12,000.00`, `3%`, `-5`): a data cell, never a header label.
fn is_figure(s: &str) -> bool {
    let s = halfwidth(s);
    let s = s.trim();
    !s.is_empty()
        && s.chars().any(|c| c.is_ascii_digit())
        && s.chars()
            .all(|c| c.is_ascii_digit() || matches!(c, ',' | '.' | '-' | '+' | '%'))
}

/// A row that could be part of a header band: text labels only — no numbers, dates, figures,
/// ID numbers or `label：value` cells — and not a column-number row.
fn band_row(row: &Row) -> bool {
    let mut any = false;
    for c in &row.cells {
        match c {
            Cell::Empty => {}
            Cell::Text(t) if t.trim().is_empty() => {}
            Cell::Text(t) => {
                let h = halfwidth(t.trim());
                if is_figure(&h) || h.contains(':') || IdNumber::parse(&h).is_ok() {
                    return false;
                }
                any = true;
            }
            _ => return false,
        }
    }
    any
}

/// The first row of a band: a header row has several labels (a title or a `label：value`
/// line has one or two).
fn band_start(row: &Row) -> bool {
    band_row(row) && row.cells.iter().filter(|c| !c.is_blank()).count() >= 3
}

/// The path of every column of a band, top to bottom.
pub fn column_paths(band: &[&Row]) -> Vec<Vec<String>> {
    let h = band.len();
    let width = band.iter().map(|r| r.cells.len()).max().unwrap_or(0);
    let raw: Vec<Vec<String>> = band
        .iter()
        .map(|r| (0..width).map(|c| cell_text(r.get(c))).collect())
        .collect();
    // label[r][c] and the column where that label starts (its owner).
    let mut label: Vec<Vec<Option<usize>>> = vec![vec![None; width]; h];
    for r in 0..h {
        for c in 0..width {
            if !raw[r][c].is_empty() {
                label[r][c] = Some(c);
                continue;
            }
            if c == 0 {
                continue;
            }
            let Some(owner) = label[r][c - 1] else {
                continue;
            };
            let below = (r + 1..h).any(|rr| !raw[rr][c].is_empty());
            let same_parent = r == 0 || label[r - 1][c] == label[r - 1][c - 1];
            if below && same_parent {
                label[r][c] = Some(owner);
            }
        }
    }
    (0..width)
        .map(|c| {
            let mut path: Vec<String> = Vec::new();
            for row in label.iter().zip(raw.iter()) {
                if let Some(owner) = row.0[c] {
                    let t = row.1[owner].clone();
                    if path.last() != Some(&t) {
                        path.push(t);
                    }
                }
            }
            path
        })
        .collect()
}

/// The role of a column path: its leaf, then its last two labels joined, then the whole path.
fn role_of_path(path: &[String]) -> Option<(Role, usize)> {
    let leaf = path.last()?;
    if let Some(r) = role_of(leaf) {
        return Some(r);
    }
    if path.len() >= 2 {
        let two = format!("{}{}", path[path.len() - 2], leaf);
        if let Some(r) = role_of(&two) {
            return Some(r);
        }
    }
    if path.len() >= 3 {
        return role_of(&path.concat());
    }
    None
}

/// The understood columns of a band; of two columns with one role, the higher priority (then
/// the first) wins.
pub fn roles_of_band(band: &[&Row]) -> Vec<HeaderCol> {
    let mut out: Vec<HeaderCol> = Vec::new();
    for (col, path) in column_paths(band).into_iter().enumerate() {
        let Some((role, prio)) = role_of_path(&path) else {
            continue;
        };
        if out.iter().any(|c| c.role == role && c.prio <= prio) {
            continue;
        }
        out.retain(|c| c.role != role);
        out.push(HeaderCol {
            role,
            col,
            prio,
            leaf: path.last().cloned().unwrap_or_default(),
            path: path.join(" / "),
        });
    }
    out.sort_by_key(|c| c.col);
    out
}

/// Name, an ID column and income: enough to read rows.
pub fn complete(cols: &[HeaderCol]) -> bool {
    let has = |r| cols.iter().any(|c| c.role == r);
    has(Role::Name) && (has(Role::IdNumber) || has(Role::TaxpayerId)) && has(Role::Income)
}

/// A row that continues a complete header downwards: header-like, and blank where the
/// header's name and ID columns are (a data row has them).
fn continues(row: &Row, cols: &[HeaderCol]) -> bool {
    band_row(row)
        && cols
            .iter()
            .filter(|c| matches!(c.role, Role::Name | Role::IdNumber))
            .all(|c| row.get(c.col).is_blank())
}

fn adjacent(a: &Row, b: &Row) -> bool {
    b.index == a.index + 1
}

/// The header among the first [`HEADER_SCAN_ROWS`] rows: the first band of one to
/// [`MAX_BAND`] adjacent rows whose columns name a person, an ID and income.
pub fn find_header(rows: &[Row]) -> Option<Header> {
    let n = rows.len().min(HEADER_SCAN_ROWS);
    for top in 0..n {
        if !band_start(&rows[top]) {
            continue;
        }
        let mut end = top + 1;
        loop {
            let band: Vec<&Row> = rows[top..end].iter().collect();
            let cols = roles_of_band(&band);
            if complete(&cols) {
                let mut best = (end, cols);
                while best.0 < rows.len()
                    && best.0 - top < MAX_BAND
                    && adjacent(&rows[best.0 - 1], &rows[best.0])
                    && continues(&rows[best.0], &best.1)
                {
                    let band: Vec<&Row> = rows[top..=best.0].iter().collect();
                    let more = roles_of_band(&band);
                    if !complete(&more) {
                        break;
                    }
                    best = (best.0 + 1, more);
                }
                return Some(Header {
                    top,
                    pos: best.0 - 1,
                    cols: best.1,
                });
            }
            if end - top >= MAX_BAND
                || end >= rows.len()
                || !adjacent(&rows[end - 1], &rows[end])
                || !band_row(&rows[end])
            {
                break;
            }
            end += 1;
        }
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    fn row(index: u32, cells: &[&str]) -> Row {
        Row {
            index,
            cells: cells
                .iter()
                .map(|s| {
                    if s.is_empty() {
                        Cell::Empty
                    } else {
                        Cell::Text(s.to_string())
                    }
                })
                .collect(),
        }
    }

    #[test]
    fn builtin_table_loads() {
        let s = Synonyms::from_toml(BUILTIN_COLUMNS).unwrap();
        assert_eq!(s.role_of("身份证照号码").map(|r| r.0), Some(Role::IdNumber));
        assert_eq!(s.role_of("申报收入额").map(|r| r.0), Some(Role::Income));
        assert_eq!(s.role_of("应补退税额").map(|r| r.0), Some(Role::Tax));
        assert_eq!(s.role_of("累计收入额"), None);
    }

    #[test]
    fn a_spelling_under_two_roles_is_an_error() {
        let e = Synonyms::from_toml(
            "schema = \"jzz.export-columns/1\"\n[[column]]\nrole = \"name\"\nheaders = [\"姓名\"]\n[[column]]\nrole = \"income\"\nheaders = [\"*姓名\"]\n",
        )
        .unwrap_err();
        assert!(e.contains("姓名"), "{e}");
        let e = Synonyms::from_toml(
            "schema = \"jzz.export-columns/1\"\n[[column]]\nrole = \"salary\"\nheaders = [\"x\"]\n",
        )
        .unwrap_err();
        assert!(e.contains("salary"), "{e}");
    }

    #[test]
    fn three_row_grouped_header_by_paths() {
        let rows = vec![
            row(0, &["个人所得税扣缴申报表"]),
            row(
                4,
                &[
                    "序号",
                    "姓名",
                    "身份证件号码",
                    "本月（次）情况",
                    "",
                    "",
                    "",
                    "累计情况",
                    "",
                    "税款计算",
                    "",
                ],
            ),
            row(
                5,
                &[
                    "",
                    "",
                    "",
                    "收入额计算",
                    "",
                    "",
                    "减除费用",
                    "累计收入额",
                    "累计专项附加扣除",
                    "应纳税额",
                    "应补/退税额",
                ],
            ),
            row(
                6,
                &["", "", "", "收入", "费用", "免税收入", "", "", "子女教育"],
            ),
            row(7, &["1", "2", "3", "4", "5"]),
        ];
        let h = find_header(&rows).unwrap();
        assert_eq!((h.top, h.pos), (1, 3));
        assert_eq!(h.col(Role::Name), Some(1));
        assert_eq!(h.col(Role::Income), Some(3));
        assert_eq!(h.col(Role::Exempt), Some(5));
        assert_eq!(h.col(Role::Tax), Some(10));
        let inc = h.cols.iter().find(|c| c.role == Role::Income).unwrap();
        assert_eq!(inc.path, "本月（次）情况 / 收入额计算 / 收入");
        let paths = column_paths(&[&rows[1], &rows[2], &rows[3]]);
        assert_eq!(paths[6], vec!["本月（次）情况", "减除费用"]);
        assert_eq!(paths[8], vec!["累计情况", "累计专项附加扣除", "子女教育"]);
        assert_eq!(paths[1], vec!["姓名"]);
    }

    #[test]
    fn period_band_with_start_and_end_children() {
        let rows = vec![
            row(0, &["姓名", "证件号码", "税款所属期", "", "收入额"]),
            row(1, &["", "", "起", "止", ""]),
            row(
                2,
                &[
                    "张三",
                    "11010519491231002X",
                    "2020-03-01",
                    "2020-03-31",
                    "1",
                ],
            ),
        ];
        let h = find_header(&rows).unwrap();
        assert_eq!(h.pos, 1);
        assert_eq!(h.col(Role::PeriodStart), Some(2));
        assert_eq!(h.col(Role::PeriodEnd), Some(3));
    }

    #[test]
    fn a_data_row_never_joins_the_band() {
        let rows = vec![
            row(0, &["姓名", "证件号码", "所属期", "收入"]),
            row(1, &["张三", "", "2020-03", "12,000.00"]),
        ];
        let h = find_header(&rows).unwrap();
        assert_eq!(h.pos, 0);
    }
}
