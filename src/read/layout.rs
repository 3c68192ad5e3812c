//! Positioned runs → lines → table rows and cells.
//!
//! Lines: runs whose baselines lie within a fraction of the font size of each other, sorted
//! left to right. Tables: column boundaries come from a header line (the midpoints between
//! neighbouring header cells); each following line's runs fall into the column that contains
//! their centre; a line with nothing in the table's key column is a wrapped continuation
//! (国家税务总局北京市 / 通州区税务局) and joins the nearest row, so a wrapped cell stays one cell.

use serde::Serialize;

use super::text::{ReadBy, Region, TextPage, TextRun};
use crate::model::text::halfwidth;

/// One visual line of a page.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Line {
    /// Page number (1-based).
    pub page: u32,
    /// Index of the line on its page, top first (for locators).
    pub index: usize,
    /// Baseline (page coordinates, y up).
    pub y: f32,
    /// Typical font size of the line.
    pub size: f32,
    /// Runs left to right.
    pub runs: Vec<TextRun>,
}

fn is_cjk(c: char) -> bool {
    matches!(c as u32, 0x2E80..=0x9FFF | 0xF900..=0xFAFF | 0xFF00..=0xFFEF)
}

/// Joins run texts: no space between CJK neighbours, a space where a visible gap separates
/// two non-CJK runs (so `2020.01.10` and `123.45` in adjacent cells do not fuse).
fn join_runs<'a>(runs: impl Iterator<Item = &'a TextRun>) -> String {
    let mut out = String::new();
    let mut prev: Option<&TextRun> = None;
    for r in runs {
        if let Some(p) = prev {
            let gap = r.x - p.right();
            let last = out.chars().last();
            let next = r.text.chars().next();
            let both_cjk = last.is_some_and(is_cjk) && next.is_some_and(is_cjk);
            if gap > 0.25 * p.size.max(1.0) && !both_cjk {
                out.push(' ');
            }
        }
        out.push_str(&r.text);
        prev = Some(r);
    }
    out
}

/// Text as printed, tidied: no spaces between CJK characters (PDF text layers and OCR put
/// them there), runs of white space (U+3000 included) collapsed to one. Full-width forms are
/// kept, so names read back exactly as printed.
pub fn tidy_line(s: &str) -> String {
    let chars: Vec<char> = s.chars().collect();
    let mut out = String::with_capacity(s.len());
    let mut i = 0;
    while i < chars.len() {
        let c = chars[i];
        if c.is_whitespace() {
            let mut j = i;
            while j < chars.len() && chars[j].is_whitespace() {
                j += 1;
            }
            let before = out.chars().last();
            let after = chars.get(j).copied();
            let drop = out.is_empty()
                || after.is_none()
                || before.is_some_and(is_cjk)
                || after.is_some_and(is_cjk);
            if !drop {
                out.push(' ');
            }
            i = j;
            continue;
        }
        out.push(c);
        i += 1;
    }
    out
}

/// [`tidy_line`] in half-width forms, for matching labels and phrases. Character for
/// character the same length as the tidy text, so a match here can be cut from it.
pub fn normalize_line(s: &str) -> String {
    halfwidth(&tidy_line(s))
}

/// A line as a document keeps it for citing: its box and its text normalized
/// ([`normalize_line`]), so a value a record holds without a source of its own can still be
/// pointed at on the page ([`find_placed`]).
#[derive(Clone, Debug, PartialEq, Serialize, serde::Deserialize)]
pub struct PlacedLine {
    /// The box around the line.
    pub region: Region,
    /// The normalized text.
    pub text: String,
}

/// Where `text` — a record's value as a check cites it — is written among `lines`: each part
/// of it (parts are separated by `，`/`；`; a part may start with its label, `姓名 张三`) is
/// looked for as [`find_value`] does, and the boxes of the parts found on the first page
/// holding one are joined. `None` when no part is found.
pub fn find_placed(lines: &[PlacedLine], label: &str, text: &str) -> Option<Region> {
    let mut out: Option<Region> = None;
    for part in text.split(['，', '；', ',', ';']) {
        let part = part.trim();
        // `姓名 张三`: the value is what follows the label.
        let (label, value) = match part.rsplit_once(char::is_whitespace) {
            Some((l, v)) if !l.chars().any(|c| c.is_ascii_digit()) => (l.trim(), v.trim()),
            _ => (label, part),
        };
        if let Some(r) = find_value(lines, label, value) {
            out = Some(out.map_or(r, |o| o.union(&r)));
        }
    }
    out
}

/// The line of `lines` that holds `value` (compared normalized, spaces ignored; a `*` of a
/// masked ID number stands for any character; a date `YYYY-MM-DD` also as it is written on
/// paper, `2026年2月28日`, `2026.02.28` …), the first that also holds `label` first, else the
/// first at all (a repeat — a header on every page — is the same value); then two lines in a
/// row on one page that hold it between them (a value wrapped onto the next line), boxed
/// together. `None` when no line holds it or it is shorter than two characters.
pub fn find_value(lines: &[PlacedLine], label: &str, value: &str) -> Option<Region> {
    let squeeze = |s: &str| -> Vec<char> {
        normalize_line(s)
            .chars()
            .filter(|c| !c.is_whitespace())
            .collect()
    };
    let wanted: Vec<Vec<char>> = written_forms(value)
        .iter()
        .map(|v| squeeze(v))
        .filter(|v| v.len() >= 2)
        .collect();
    if wanted.is_empty() {
        return None;
    }
    let label = squeeze(label);
    let texts: Vec<Vec<char>> = lines.iter().map(|l| squeeze(&l.text)).collect();
    let holds = |t: &[char]| wanted.iter().any(|w| find_masked(t, w));
    let holding: Vec<usize> = (0..lines.len()).filter(|&i| holds(&texts[i])).collect();
    let with_label = holding
        .iter()
        .copied()
        .find(|&i| !label.is_empty() && find_masked(&texts[i], &label));
    if let Some(i) = with_label.or(holding.first().copied()) {
        return Some(lines[i].region);
    }
    (1..lines.len()).find_map(|i| {
        let (a, b) = (&lines[i - 1], &lines[i]);
        let joined: Vec<char> = texts[i - 1]
            .iter()
            .chain(texts[i].iter())
            .copied()
            .collect();
        (a.region.page == b.region.page && holds(&joined)).then(|| a.region.union(&b.region))
    })
}

/// Whether `pat` occurs in `hay`, a `*` in `pat` matching any one character.
fn find_masked(hay: &[char], pat: &[char]) -> bool {
    pat.len() <= hay.len()
        && hay
            .windows(pat.len())
            .any(|w| w.iter().zip(pat).all(|(h, p)| *p == '*' || h == p))
}

/// `value` and, for a date `YYYY-MM-DD`, the ways paper writes it.
fn written_forms(value: &str) -> Vec<String> {
    let mut out = vec![value.to_string()];
    let parts: Vec<&str> = value.split('-').collect();
    if let [y, m, d] = parts[..]
        && y.len() == 4
        && [y, m, d]
            .iter()
            .all(|p| p.chars().all(|c| c.is_ascii_digit()))
        && let (Ok(mn), Ok(dn)) = (m.parse::<u32>(), d.parse::<u32>())
    {
        out.extend([
            format!("{y}年{mn}月{dn}日"),
            format!("{y}年{m}月{d}日"),
            format!("{y}.{m}.{d}"),
            format!("{y}.{mn}.{dn}"),
            format!("{y}/{m}/{d}"),
            format!("{y}/{mn}/{dn}"),
            format!("{y}{m}{d}"),
            format!("{y}-{mn}-{dn}"),
        ]);
    }
    out
}

impl Line {
    /// The line kept for citing: its box and normalized text (`None` for a line without a
    /// usable box).
    pub fn placed(&self) -> Option<PlacedLine> {
        Some(PlacedLine {
            region: self.region()?,
            text: self.normalized(),
        })
    }

    /// The line's text as drawn.
    pub fn text(&self) -> String {
        join_runs(self.runs.iter())
    }

    /// The text as printed, tidied ([`tidy_line`]): what values are read from.
    pub fn display(&self) -> String {
        tidy_line(&self.text())
    }

    /// [`normalize_line`] of the text: what labels and phrases are matched against.
    pub fn normalized(&self) -> String {
        normalize_line(&self.text())
    }

    /// Left edge.
    pub fn x0(&self) -> f32 {
        self.runs.first().map_or(0.0, |r| r.x)
    }

    /// `page 2, line 14`.
    pub fn locator(&self) -> String {
        format!("page {}, line {}", self.page, self.index + 1)
    }

    /// The box around the line's runs.
    pub fn region(&self) -> Option<Region> {
        Region::of_runs(self.page, &self.runs)
    }

    /// Splits the line into cells at gaps wider than `gap_em` × font size.
    pub fn cells(&self, gap_em: f32) -> Vec<Cell> {
        let mut out: Vec<Cell> = Vec::new();
        for r in &self.runs {
            match out.last_mut() {
                Some(c) if r.x - c.x1 <= gap_em * r.size.max(1.0) => {
                    c.runs.push(r.clone());
                    c.x1 = c.x1.max(r.right());
                }
                _ => out.push(Cell {
                    x0: r.x,
                    x1: r.right(),
                    runs: vec![r.clone()],
                }),
            }
        }
        out
    }
}

/// A horizontal group of runs.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Cell {
    /// Left edge.
    pub x0: f32,
    /// Right edge.
    pub x1: f32,
    /// Runs left to right.
    pub runs: Vec<TextRun>,
}

impl Cell {
    /// The cell's text as printed, tidied.
    pub fn text(&self) -> String {
        tidy_line(&join_runs(self.runs.iter()))
    }

    /// Horizontal centre.
    pub fn center(&self) -> f32 {
        (self.x0 + self.x1) / 2.0
    }
}

/// Groups a page's runs into lines, top to bottom.
pub fn lines(page: &TextPage) -> Vec<Line> {
    let mut runs: Vec<&TextRun> = page
        .runs
        .iter()
        .filter(|r| !r.text.trim().is_empty())
        .collect();
    runs.sort_by(|a, b| b.y.total_cmp(&a.y).then(a.x.total_cmp(&b.x)));
    let mut out: Vec<Line> = Vec::new();
    for r in runs {
        let tol = 0.35 * r.size.max(1.0);
        match out.last_mut() {
            Some(l) if (l.y - r.y).abs() <= tol => l.runs.push(r.clone()),
            _ => out.push(Line {
                page: page.number,
                index: 0,
                y: r.y,
                size: r.size,
                runs: vec![r.clone()],
            }),
        }
    }
    for (i, l) in out.iter_mut().enumerate() {
        l.runs.sort_by(|a, b| a.x.total_cmp(&b.x));
        // Overlapping duplicates (fake bold drawn twice) are dropped.
        l.runs
            .dedup_by(|b, a| a.text == b.text && (a.x - b.x).abs() < 0.5);
        l.index = i;
        let mut sizes: Vec<f32> = l.runs.iter().map(|r| r.size).collect();
        sizes.sort_by(f32::total_cmp);
        l.size = sizes[sizes.len() / 2];
    }
    out
}

/// A table read under a header line.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Table {
    /// Header texts, one per column.
    pub headers: Vec<String>,
    /// Rows of cell texts, one per column (empty string where blank).
    pub rows: Vec<TableRow>,
}

/// One table row, possibly built from several lines.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct TableRow {
    /// Page.
    pub page: u32,
    /// The first line of the row (1-based, as in locators).
    pub line: usize,
    /// Cell texts by column.
    pub cells: Vec<String>,
    /// The row's text as read (cells joined by ` | `), for evidence.
    pub text: String,
    /// The lowest OCR confidence of the row's runs (`None` for a text layer).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub confidence: Option<f32>,
    /// The lowest OCR confidence of the runs of each cell (`None` for a text layer or an
    /// empty cell): a value read from some cells is as sure as those cells, whatever a wrapped
    /// cell beside it says.
    #[serde(skip)]
    pub cell_confidence: Vec<Option<f32>>,
    /// Text layer or OCR.
    pub read_by: ReadBy,
    /// The box around the row's lines (continuation lines included).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub region: Option<Region>,
}

impl TableRow {
    /// `page 1, line 14`.
    pub fn locator(&self) -> String {
        format!("page {}, line {}", self.page, self.line)
    }

    /// The lowest OCR confidence of the cells `cols` (a column that is absent counts for
    /// nothing); the row's when the cells' are not known.
    pub fn confidence_of(&self, cols: &[Option<usize>]) -> Option<f32> {
        if self.cell_confidence.is_empty() {
            return self.confidence;
        }
        cols.iter()
            .flatten()
            .filter_map(|c| self.cell_confidence.get(*c).copied().flatten())
            .fold(None, |a, b| min_opt(a, Some(b)))
    }
}

fn min_opt(a: Option<f32>, b: Option<f32>) -> Option<f32> {
    match (a, b) {
        (Some(x), Some(y)) => Some(x.min(y)),
        (x, None) => x,
        (None, y) => y,
    }
}

/// Column boundaries from header cells: midpoints between neighbours' edges.
pub fn column_bounds(header: &[Cell]) -> Vec<(f32, f32)> {
    let n = header.len();
    (0..n)
        .map(|i| {
            let lo = if i == 0 {
                f32::NEG_INFINITY
            } else {
                (header[i - 1].x1 + header[i].x0) / 2.0
            };
            let hi = if i + 1 == n {
                f32::INFINITY
            } else {
                (header[i].x1 + header[i + 1].x0) / 2.0
            };
            (lo, hi)
        })
        .collect()
}

fn column_of(bounds: &[(f32, f32)], x: f32) -> usize {
    bounds
        .iter()
        .position(|(lo, hi)| x >= *lo && x < *hi)
        .unwrap_or(bounds.len().saturating_sub(1))
}

/// Whether a run is text read by OCR: Chinese without figures, or punctuation alone (the `)`
/// of `(科技)有限公司`).
fn ocr_text(r: &TextRun) -> bool {
    r.confidence.is_some()
        && !r.text.chars().any(|c| c.is_ascii_alphanumeric())
        && (r.text.chars().any(is_cjk) || r.text.chars().all(|c| c.is_ascii_punctuation()))
}

/// The widest gap (in font sizes) between two OCR words of one phrase.
const PHRASE_GAP_EM: f32 = 1.0;

/// The column of each run of a line: a run's by its centre, an OCR'd phrase's by the phrase's
/// centre. A text layer gives a cell's text as one run; OCR gives a word per character or two,
/// with gaps where a full-width bracket or a wide glyph stood, and a unit name that begins left
/// of its column's header would lose its first words to the column before: OCR words of
/// Chinese text less than [`PHRASE_GAP_EM`] apart are one phrase.
fn run_columns(runs: &[TextRun], bounds: &[(f32, f32)]) -> Vec<usize> {
    let mut out = vec![0; runs.len()];
    let mut i = 0;
    while i < runs.len() {
        let mut j = i + 1;
        if ocr_text(&runs[i]) {
            while j < runs.len()
                && ocr_text(&runs[j])
                && runs[j].x - runs[j - 1].right() <= PHRASE_GAP_EM * runs[j].size.max(1.0)
            {
                j += 1;
            }
        }
        let col = column_of(bounds, (runs[i].x + runs[j - 1].right()) / 2.0);
        out[i..j].fill(col);
        i = j;
    }
    out
}

/// The header cells of a line found by the column names it holds (`names`, as printed without
/// spaces): each name found, longest first, becomes one cell from its first character to its
/// last. OCR reads a header's names a character or two per word and joins neighbouring names
/// across narrow gaps (or bridges them with stray marks), so the gaps between runs no longer
/// tell where one name ends. A character's position is its share of its run's width. `None`
/// when fewer than two names are found.
pub fn cells_by_names(line: &Line, names: &[&str]) -> Option<Vec<Cell>> {
    // The line's characters without spaces, each with its horizontal extent and run.
    let mut chars: Vec<(char, f32, f32, usize)> = Vec::new();
    for (k, r) in line.runs.iter().enumerate() {
        let t: Vec<char> = halfwidth(&r.text)
            .chars()
            .filter(|c| !c.is_whitespace())
            .collect();
        let n = t.len().max(1) as f32;
        for (j, c) in t.into_iter().enumerate() {
            let x0 = r.x + r.width * j as f32 / n;
            chars.push((c, x0, x0 + r.width / n, k));
        }
    }
    let text: Vec<char> = chars.iter().map(|c| c.0).collect();
    let mut taken = vec![false; text.len()];
    let mut sorted: Vec<Vec<char>> = names
        .iter()
        .map(|n| {
            halfwidth(n)
                .chars()
                .filter(|c| !c.is_whitespace())
                .collect()
        })
        .collect();
    sorted.sort_by_key(|n: &Vec<char>| std::cmp::Reverse(n.len()));
    let mut cells = Vec::new();
    for name in sorted.iter().filter(|n| !n.is_empty()) {
        let mut i = 0;
        while i + name.len() <= text.len() {
            let span = i..i + name.len();
            if text[span.clone()] == name[..] && !taken[span.clone()].iter().any(|t| *t) {
                taken[span.clone()].iter_mut().for_each(|t| *t = true);
                let (a, b) = (chars[span.start], chars[span.end - 1]);
                cells.push(Cell {
                    x0: a.1,
                    x1: b.2,
                    runs: line.runs[a.3..=b.3].to_vec(),
                });
                i = span.end;
            } else {
                i += 1;
            }
        }
    }
    if cells.len() < 2 {
        return None;
    }
    // The cell's text is its name (its runs may hold a neighbour's characters too).
    for c in &mut cells {
        let name: String = chars
            .iter()
            .zip(&taken)
            .filter(|(ch, t)| **t && ch.1 >= c.x0 - 0.01 && ch.2 <= c.x1 + 0.01)
            .map(|(ch, _)| ch.0)
            .collect();
        let r = &c.runs[0];
        c.runs = vec![TextRun {
            text: name,
            x: c.x0,
            y: r.y,
            width: c.x1 - c.x0,
            size: r.size,
            confidence: r.confidence,
        }];
    }
    cells.sort_by(|a, b| a.x0.total_cmp(&b.x0));
    Some(cells)
}

/// Reads the rows below a header. `lines` are the lines after the header (on one page, top
/// to bottom); reading stops at the first line for which `stop` is true. `key` is the column
/// that every new row fills (a date, a sequence number); lines without it are continuations.
pub fn read_table(
    header: &[Cell],
    lines: &[Line],
    key: usize,
    stop: impl Fn(&Line) -> bool,
) -> Table {
    let bounds = column_bounds(header);
    let ncol = bounds.len();
    struct Draft {
        page: u32,
        line: usize,
        y: f32,
        parts: Parts,
        confidence: Option<f32>,
        cell_conf: Vec<Option<f32>>,
        read_by: ReadBy,
        region: Option<Region>,
    }
    /// Per column, the texts of a row with their baselines.
    type Parts = Vec<Vec<(f32, String)>>;
    let mut drafts: Vec<Draft> = Vec::new();
    /// A continuation line waiting for its row: baseline, parts, row and cell confidences,
    /// its box.
    type Pending = (f32, Parts, Option<f32>, Vec<Option<f32>>, Option<Region>);
    let mut pending: Vec<Pending> = Vec::new();
    // A line far below the table's last line (a signature block, the issuing office) ends
    // the table even without a stop phrase: more than 3 font sizes, or 1.6 row pitches.
    let mut last_y: Option<f32> = None;
    let mut pitches: Vec<f32> = Vec::new();
    for l in lines {
        if stop(l) {
            break;
        }
        if let Some(y) = last_y {
            let mut p = pitches.clone();
            p.sort_by(f32::total_cmp);
            let pitch = p.get(p.len() / 2).copied().unwrap_or(0.0);
            if y - l.y > (3.0 * l.size.max(1.0)).max(1.6 * pitch) {
                break;
            }
        }
        last_y = Some(l.y);
        let mut parts: Parts = vec![Vec::new(); ncol];
        let mut cell_conf: Vec<Option<f32>> = vec![None; ncol];
        let confidence = crate::read::text::min_confidence(l.runs.iter());
        // A cell that spans columns (long text) is split by run centres, an OCR'd phrase by
        // its own centre ([`run_columns`]).
        let run_col = run_columns(&l.runs, &bounds);
        let mut k = 0;
        for c in l.cells(0.6) {
            let mut by_col: Vec<Vec<&TextRun>> = vec![Vec::new(); ncol];
            for r in &c.runs {
                by_col[run_col[k]].push(r);
                k += 1;
            }
            for (i, rs) in by_col.into_iter().enumerate() {
                if !rs.is_empty() {
                    cell_conf[i] = min_opt(
                        cell_conf[i],
                        crate::read::text::min_confidence(rs.iter().copied()),
                    );
                    parts[i].push((l.y, tidy_line(&join_runs(rs.into_iter()))));
                }
            }
        }
        if !parts[key].is_empty() {
            if let Some(prev) = drafts.last() {
                pitches.push(prev.y - l.y);
            }
            let mut d = Draft {
                page: l.page,
                line: l.index + 1,
                y: l.y,
                parts,
                confidence,
                cell_conf,
                read_by: ReadBy::of_runs(&l.runs),
                region: l.region(),
            };
            // Continuation lines seen just above this row belong to it when they are nearer
            // to it than to the row before (a vertically centred row with a wrapped cell).
            for (py, pparts, pconf, pcells, preg) in pending.drain(..) {
                let prev_dist = drafts.last().map_or(f32::INFINITY, |p| p.y - py);
                let this_dist = py - d.y;
                let target = if this_dist < prev_dist {
                    &mut d
                } else {
                    drafts.last_mut().expect("prev exists when nearer")
                };
                for (i, p) in pparts.into_iter().enumerate() {
                    target.parts[i].extend(p);
                }
                for (i, c) in pcells.into_iter().enumerate() {
                    target.cell_conf[i] = min_opt(target.cell_conf[i], c);
                }
                target.confidence = min_opt(target.confidence, pconf);
                target.region = Region::join(target.region, preg);
            }
            drafts.push(d);
        } else {
            pending.push((l.y, parts, confidence, cell_conf, l.region()));
        }
    }
    // Trailing continuation lines belong to the last row.
    if let Some(last) = drafts.last_mut() {
        for (_, pparts, pconf, pcells, preg) in pending.drain(..) {
            last.region = Region::join(last.region, preg);
            for (i, p) in pparts.into_iter().enumerate() {
                last.parts[i].extend(p);
            }
            for (i, c) in pcells.into_iter().enumerate() {
                last.cell_conf[i] = min_opt(last.cell_conf[i], c);
            }
            last.confidence = min_opt(last.confidence, pconf);
        }
    }
    let rows = drafts
        .into_iter()
        .map(|d| {
            let cells: Vec<String> = d
                .parts
                .into_iter()
                .map(|mut ps| {
                    ps.sort_by(|a, b| b.0.total_cmp(&a.0));
                    let texts: Vec<String> = ps.into_iter().map(|p| p.1).collect();
                    tidy_line(&texts.join(" "))
                })
                .collect();
            let text = cells
                .iter()
                .filter(|c| !c.is_empty())
                .cloned()
                .collect::<Vec<_>>()
                .join(" | ");
            TableRow {
                page: d.page,
                line: d.line,
                cells,
                text,
                confidence: d.confidence,
                cell_confidence: d.cell_conf,
                read_by: d.read_by,
                region: d.region,
            }
        })
        .collect();
    Table {
        headers: header.iter().map(Cell::text).collect(),
        rows,
    }
}

/// Every table of a document: each line for which `is_header` holds starts one, read with
/// [`read_table`] over the rest of its page (forms repeat their header on continuation pages,
/// so a table never runs across a page break).
pub fn tables(
    lines: &[Line],
    is_header: impl Fn(&Line) -> bool,
    key: usize,
    stop: impl Fn(&Line) -> bool + Copy,
) -> Vec<Table> {
    lines
        .iter()
        .enumerate()
        .filter(|(_, l)| is_header(l))
        .map(|(i, l)| read_table(&l.cells(1.2), &rest_of_page(lines, i), key, stop))
        .collect()
}

/// The lines after `lines[i]` on its page.
pub fn rest_of_page(lines: &[Line], i: usize) -> Vec<Line> {
    lines[i + 1..]
        .iter()
        .take_while(|x| x.page == lines[i].page)
        .cloned()
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::read::text::TextLayer;

    fn run(text: &str, x: f32, y: f32) -> TextRun {
        TextRun {
            text: text.into(),
            x,
            y,
            width: text.chars().count() as f32 * 10.0,
            size: 10.0,
            confidence: None,
        }
    }

    fn page(runs: Vec<TextRun>) -> TextPage {
        TextPage {
            number: 1,
            width: 595.0,
            height: 842.0,
            runs,
            layer: TextLayer::Usable,
            images: 0,
        }
    }

    #[test]
    fn lines_by_baseline_and_normalized_text() {
        let p = page(vec![
            run("纳税人", 10.0, 700.0),
            run("名称：", 40.0, 700.5),
            run("张 三", 100.0, 699.8),
            run("金额", 10.0, 680.0),
            run("123.45", 50.0, 680.0),
        ]);
        let ls = lines(&p);
        assert_eq!(ls.len(), 2);
        assert_eq!(ls[0].normalized(), "纳税人名称:张三");
        assert_eq!(ls[1].normalized(), "金额123.45");
        assert_eq!(ls[1].text(), "金额 123.45");
    }

    #[test]
    fn wrapped_cell_stays_one_cell() {
        // Header: 申报日期 | 金额 | 入库税务机关
        let header = vec![
            Cell {
                x0: 10.0,
                x1: 50.0,
                runs: vec![run("申报日期", 10.0, 600.0)],
            },
            Cell {
                x0: 100.0,
                x1: 120.0,
                runs: vec![run("金额", 100.0, 600.0)],
            },
            Cell {
                x0: 200.0,
                x1: 260.0,
                runs: vec![run("入库税务机关", 200.0, 600.0)],
            },
        ];
        let p = page(vec![
            // Row 1, vertically centred, authority wrapped above and below its baseline.
            run("国家税务总局北京市", 200.0, 585.0),
            run("2020.01.10", 10.0, 580.0),
            run("12.30", 100.0, 580.0),
            run("通州区税务局", 200.0, 575.0),
            // Row 2, top-aligned wrap.
            run("2020.02.10", 10.0, 555.0),
            run("45.60", 100.0, 555.0),
            run("国家税务总局北京市", 200.0, 555.0),
            run("通州区税务局", 200.0, 545.0),
            run("金额合计", 10.0, 520.0),
        ]);
        let ls = lines(&p);
        let t = read_table(&header, &ls, 0, |l| l.normalized().starts_with("金额合计"));
        assert_eq!(t.rows.len(), 2, "{t:#?}");
        assert_eq!(
            t.rows[0].cells,
            vec!["2020.01.10", "12.30", "国家税务总局北京市通州区税务局"]
        );
        assert_eq!(
            t.rows[1].cells,
            vec!["2020.02.10", "45.60", "国家税务总局北京市通州区税务局"]
        );
    }

    fn ocr(text: &str, x: f32, y: f32, width: f32) -> TextRun {
        TextRun {
            text: text.into(),
            x,
            y,
            width,
            size: 10.0,
            confidence: Some(90.0),
        }
    }

    #[test]
    fn an_ocr_phrase_goes_to_the_column_of_its_centre() {
        let header = vec![
            Cell {
                x0: 100.0,
                x1: 140.0,
                runs: vec![run("个人缴费", 100.0, 700.0)],
            },
            Cell {
                x0: 200.0,
                x1: 260.0,
                runs: vec![run("缴费单位名称", 200.0, 700.0)],
            },
        ];
        // The unit name starts left of the midpoint between the headers (170): read as one
        // run (a text layer) or as OCR words, it is the unit's.
        let p = page(vec![
            ocr("720.00", 110.0, 680.0, 30.0),
            ocr("北京", 150.0, 680.0, 20.0),
            ocr("通州", 172.0, 680.0, 20.0),
            ocr("恒信达商贸有限公司", 194.0, 680.0, 90.0),
        ]);
        let t = read_table(&header, &lines(&p), 0, |_| false);
        assert_eq!(
            t.rows[0].cells,
            vec!["720.00", "北京通州恒信达商贸有限公司"]
        );
    }

    #[test]
    fn header_cells_by_column_names() {
        // OCR: the names split into characters, two names joined by a stray mark.
        let p = page(vec![
            ocr("序号", 10.0, 700.0, 20.0),
            ocr("”所", 40.0, 700.0, 20.0),
            ocr("得项目", 60.0, 700.0, 30.0),
            ocr("税款所属期起", 110.0, 700.0, 60.0),
            ocr("”", 171.0, 700.0, 3.0),
            ocr("税款所属期止", 176.0, 700.0, 60.0),
        ]);
        let l = &lines(&p)[0];
        let names = [
            "序号",
            "所得项目",
            "税款所属期起",
            "税款所属期止",
            "税款所属期",
        ];
        let cells = cells_by_names(l, &names).unwrap();
        let texts: Vec<String> = cells.iter().map(Cell::text).collect();
        assert_eq!(texts, names[..4]);
        assert!((cells[1].x0 - 50.0).abs() < 0.01 && (cells[1].x1 - 90.0).abs() < 0.01);
        assert!((cells[3].x0 - 176.0).abs() < 0.01);
        assert!(cells_by_names(l, &["序号", "姓名"]).is_none());
    }

    #[test]
    fn normalization() {
        assert_eq!(normalize_line("2020 年 1 月 1 日"), "2020年1月1日");
        assert_eq!(
            normalize_line("  甲方（用人单位）： 北京  "),
            "甲方(用人单位):北京"
        );
        assert_eq!(normalize_line("A  B"), "A B");
    }
}
