//! The withholding client's exports (`tax_export`): the 个人扣缴明细 / 综合所得明细 table and the
//! official 个人所得税扣缴申报表 (the client's 综合所得申报表), from sheets of cells to typed rows.
//!
//! Columns are found by their normalized header text, never by position: versions of the
//! client differ in 证件/证照, 本期/累计 prefixes, a leading `*`, full- or half-width brackets
//! (`../shared/docs/document-formats.md` §1); the spellings are data, in
//! `pipelines/export-columns.toml`. The header is found by content in the first
//! [`HEADER_SCAN_ROWS`] rows as a band of one to four rows read as a tree ([`header`]: the
//! 申报表's 本月（次）情况 → 收入额计算 → 收入). The header block above the table (税款所属期,
//! 扣缴义务人 and its credit code) applies to every row of the sheet.
//!
//! The withholding agent of a row comes from a 扣缴义务人 column, else the sheet's header
//! block, else a title row or the sheet's name that names a company — in that order.

pub mod header;
pub mod period;
pub mod row_text;

pub use row_text::RowText;

use serde::{Deserialize, Serialize};

use crate::model::text::{halfwidth, halfwidth_cow, normalize_for_match};
use crate::model::{CreditCode, Fen, IdNumber, YearMonth};
use std::borrow::Cow;
use std::sync::Arc;

use header::{Header, find_header};
use period::period_of;

use crate::read::text::ReadBy;
use crate::read::{Cell, Row, RowSink, Workbook};

/// How many non-empty rows from the top are searched for the header.
pub const HEADER_SCAN_ROWS: usize = 40;

/// Which of the two export layouts a sheet has.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Layout {
    /// 个人扣缴明细 / 综合所得明细: one row per person, month and 所得项目.
    Detail,
    /// 个人所得税扣缴申报表 (综合所得申报表): one month per sheet, agent in the header block.
    DeclarationForm,
}

/// A column's meaning.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Role {
    /// 姓名.
    Name,
    /// 证件类型.
    IdType,
    /// 证件号码.
    IdNumber,
    /// 纳税人识别号 (a resident's is the ID number).
    TaxpayerId,
    /// 税款所属期起.
    PeriodStart,
    /// 税款所属期止.
    PeriodEnd,
    /// 税款所属期 as one column.
    Period,
    /// 所得项目.
    IncomeItem,
    /// 本期收入.
    Income,
    /// 本期免税收入.
    Exempt,
    /// The month's tax (本期/累计 应补(退)税额).
    Tax,
    /// 扣缴义务人名称, where an export carries it as a column.
    Agent,
    /// 扣缴义务人纳税人识别号.
    AgentCode,
}

/// Header text normalized for matching: half-width, no spaces, no `*`, brackets, slashes or
/// unit suffixes, so `*证照号码`, `应补（退）税额`, `应补/退税额` and `本期收入(元)` all match.
pub fn norm_header(s: &str) -> String {
    let n = normalize_for_match(s);
    let n = n.replace("(元)", "").replace("(人民币元)", "");
    n.chars()
        .filter(|c| !matches!(c, '*' | '(' | ')' | '/' | '、' | ':' | '[' | ']'))
        .collect()
}

/// The withholding agent stated for a row, and where.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Agent {
    /// 扣缴义务人名称 as written.
    pub name: String,
    /// Its credit code as written, if stated.
    pub credit_code: Option<String>,
    /// `column` or `header_block`.
    pub stated_in: String,
}

/// One row of withholding, typed, with where it came from.
#[derive(Clone, Debug, Serialize, Deserialize)]
pub struct TaxRow {
    /// The file, when rows of several files are merged (empty inside one export).
    pub document: Arc<str>,
    /// Sheet name.
    pub sheet: Arc<str>,
    /// 1-based row number in the sheet (CSV: line number).
    pub row: u32,
    /// Where the row was read when it was not a sheet (a printed export: `page 1, line 12`).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub locator: Option<Arc<str>>,
    /// The box on the page, for a printed export.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub region: Option<crate::read::text::Region>,
    /// Layout of the sheet.
    pub layout: Layout,
    /// 姓名.
    pub name: String,
    /// 证件号码 as written (trimmed, half-width, upper-case).
    pub id_raw: String,
    /// The number, when it is a valid 居民身份证号码.
    pub id: Option<IdNumber>,
    /// 证件类型, if stated.
    pub id_type: Option<Arc<str>>,
    /// 税款所属期 (the month wages were paid and tax withheld).
    pub period: Option<YearMonth>,
    /// 所得项目; when the file has no such column this is assumed (see `item_assumed`).
    pub item: Arc<str>,
    /// True when the file has no 所得项目 column (the 正常工资薪金 template export).
    pub item_assumed: bool,
    /// 本期收入.
    pub income: Option<Fen>,
    /// 本期免税收入 (absent = 0).
    pub exempt: Option<Fen>,
    /// The month's tax; `None` when the file has no tax column or the cell is empty.
    pub tax: Option<Fen>,
    /// Withholding agent, where stated.
    pub agent: Option<Arc<Agent>>,
    /// What could not be read in this row; a row with problems is never used to pass.
    pub problems: Vec<String>,
    /// The understood cells of the row as read, with their headers: the evidence.
    pub text: RowText,
    /// The lowest OCR confidence (0–100) of the row's words, for a printed export read by OCR
    /// (`None` for a spreadsheet or a text layer).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub confidence: Option<f32>,
    /// A spreadsheet's cell, or a printed export's text layer or OCR.
    pub read_by: ReadBy,
}

/// What the header block above a table says.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct HeaderBlock {
    /// The title, if it names the official form.
    pub title: Option<String>,
    /// 税款所属期, when it is one month.
    pub period: Option<YearMonth>,
    /// The 税款所属期 text as read.
    pub period_text: Option<String>,
    /// 扣缴义务人名称.
    pub agent_name: Option<String>,
    /// 扣缴义务人纳税人识别号（统一社会信用代码）.
    pub agent_code: Option<String>,
    /// A company named by a title row (no `label：value`): the agent when nothing else says.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub title_agent: Option<String>,
}

/// The 合计 row and whether it agrees with the rows.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Totals {
    /// 1-based row of the 合计 line.
    pub row: u32,
    /// Its income total.
    pub income: Option<Fen>,
    /// Its tax total.
    pub tax: Option<Fen>,
    /// Sum of the rows' income.
    pub rows_income: Fen,
    /// Sum of the rows' tax.
    pub rows_tax: Fen,
}

/// One sheet that held a tax table.
#[derive(Clone, Debug, Serialize, Deserialize)]
pub struct SheetExtract {
    /// Sheet name.
    pub sheet: String,
    /// Layout.
    pub layout: Layout,
    /// 1-based header row (the lower one of a two-row header).
    pub header_row: u32,
    /// The columns understood: role, 1-based column, header text.
    pub columns: Vec<(Role, u32, String)>,
    /// The header block.
    pub header_block: HeaderBlock,
    /// The data rows.
    pub rows: Vec<TaxRow>,
    /// The 合计 row, if any.
    pub totals: Option<Totals>,
    /// Findings about the sheet (totals that disagree, columns missing …).
    pub notes: Vec<String>,
}

/// A whole export.
#[derive(Clone, Debug, Serialize, Deserialize)]
pub struct TaxExport {
    /// The sheets with a tax table.
    pub sheets: Vec<SheetExtract>,
    /// Sheets without one, and why.
    pub skipped: Vec<(String, String)>,
}

impl TaxExport {
    /// Every row of every sheet.
    pub fn rows(&self) -> impl Iterator<Item = &TaxRow> {
        self.sheets.iter().flat_map(|s| s.rows.iter())
    }
}

/// Why a workbook holds no usable tax table.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum ExtractError {
    /// No sheet had a recognizable header.
    #[error(
        "没有找到扣缴明细表（tax export）：前 {HEADER_SCAN_ROWS} 行中没有含 姓名、证件号码 和 本期收入（或 收入）的表头行{}",
        sheet_reasons(.0)
    )]
    NoHeader(Vec<(String, String)>),
    /// A header was found but no data rows follow it.
    #[error("表头之后没有数据行{}", sheet_named(.0))]
    NoRows(String),
}

/// Why each sheet was passed over. A text file's one pseudo-sheet ([`crate::read::csv::SHEET`]) is
/// not named: the file has no sheets, and the message above already says what is missing.
fn sheet_reasons(v: &[(String, String)]) -> String {
    if v.is_empty() {
        return "（工作簿中没有工作表）".into();
    }
    let parts: Vec<String> = v
        .iter()
        .filter(|(s, _)| s != crate::read::csv::SHEET)
        .map(|(s, r)| format!("工作表“{s}”：{r}"))
        .collect();
    if parts.is_empty() {
        return String::new();
    }
    format!("（{}）", parts.join("；"))
}

/// `（工作表“名称”）`, or nothing for a text file's pseudo-sheet.
fn sheet_named(s: &str) -> String {
    if s == crate::read::csv::SHEET {
        String::new()
    } else {
        format!("（工作表“{s}”）")
    }
}

/// Extracts every tax table of a workbook already in memory.
pub fn extract(wb: &Workbook) -> Result<TaxExport, ExtractError> {
    let mut sink = TaxExportSink::default();
    for sheet in &wb.sheets {
        sink.begin_sheet(&sheet.name);
        for row in &sheet.rows {
            sink.row(row);
        }
        sink.end_sheet();
    }
    sink.finish()
}

/// Extracts tax tables while a reader streams rows: the header is looked for in the first
/// [`HEADER_SCAN_ROWS`] rows of each sheet (kept until it is found); after it each row is
/// turned into a [`TaxRow`] and its cells are dropped, so memory grows with what was
/// understood, not with the sheet.
///
/// By default the rows are kept in their [`SheetExtract`]; [`TaxExportSink::handing_to`] hands
/// each to a consumer instead (the sheets then hold no rows), so that memory is what the
/// consumer keeps.
#[derive(Default)]
pub struct TaxExportSink<'c> {
    state: Option<SheetState>,
    sheets: Vec<SheetExtract>,
    skipped: Vec<(String, String)>,
    consumer: Option<&'c mut dyn FnMut(TaxRow)>,
    /// Rows handed to the consumer.
    handed: usize,
}

enum SheetState {
    Scanning { name: String, rows: Vec<Row> },
    Data(Box<SheetExtractor>),
    Skipped,
}

impl<'c> TaxExportSink<'c> {
    /// A sink that hands every row to `consumer` as soon as it is read, keeping none.
    pub fn handing_to(consumer: &'c mut dyn FnMut(TaxRow)) -> Self {
        TaxExportSink {
            consumer: Some(consumer),
            ..TaxExportSink::default()
        }
    }

    /// One data row: kept in its sheet, or handed to the consumer.
    fn take(
        x: &mut SheetExtractor,
        row: &Row,
        consumer: &mut Option<&'c mut dyn FnMut(TaxRow)>,
        handed: &mut usize,
    ) {
        if let Some(r) = x.feed(row) {
            match consumer {
                Some(c) => {
                    *handed += 1;
                    c(r)
                }
                None => x.rows.push(r),
            }
        }
    }

    /// The export, or why the workbook holds none.
    pub fn finish(mut self) -> Result<TaxExport, ExtractError> {
        self.end_sheet();
        if self.sheets.is_empty() {
            return Err(ExtractError::NoHeader(self.skipped));
        }
        if self.handed == 0 && self.sheets.iter().all(|s| s.rows.is_empty()) {
            return Err(ExtractError::NoRows(self.sheets[0].sheet.to_string()));
        }
        Ok(TaxExport {
            sheets: self.sheets,
            skipped: self.skipped,
        })
    }

    /// Looks for the header in the buffered rows; `last` when no more rows will come.
    fn try_header(&mut self, last: bool) {
        let Some(SheetState::Scanning { name, rows }) = &mut self.state else {
            return;
        };
        if !last && rows.len() <= HEADER_SCAN_ROWS {
            return;
        }
        let name = std::mem::take(name);
        let rows = std::mem::take(rows);
        match find_header(&rows) {
            Some(h) => {
                let mut x = SheetExtractor::new(&name, &rows, h);
                for r in &rows[x.first_data..] {
                    Self::take(&mut x, r, &mut self.consumer, &mut self.handed);
                }
                self.state = Some(SheetState::Data(Box::new(x)));
            }
            None => {
                let why = if rows.is_empty() {
                    "工作表是空的".to_string()
                } else {
                    "没有含 姓名、证件号码 和 本期收入 的表头行".to_string()
                };
                self.skipped.push((name, why));
                self.state = Some(SheetState::Skipped);
            }
        }
    }
}

impl RowSink for TaxExportSink<'_> {
    fn begin_sheet(&mut self, name: &str) {
        self.end_sheet();
        self.state = Some(SheetState::Scanning {
            name: name.to_string(),
            rows: Vec::new(),
        });
    }

    fn row(&mut self, row: &Row) {
        match &mut self.state {
            Some(SheetState::Scanning { rows, .. }) => {
                rows.push(row.clone());
                self.try_header(false);
            }
            Some(SheetState::Data(x)) => Self::take(x, row, &mut self.consumer, &mut self.handed),
            Some(SheetState::Skipped) | None => {}
        }
    }

    fn end_sheet(&mut self) {
        self.try_header(true);
        if let Some(SheetState::Data(x)) = self.state.take() {
            self.sheets.push(x.finish());
        }
        self.state = None;
    }
}

/// The row's non-empty cells, trimmed, in order.
fn filled_cells(row: &Row) -> Vec<String> {
    row.cells
        .iter()
        .map(|c| c.display().trim().to_string())
        .filter(|s| !s.is_empty())
        .collect()
}

fn line_of(row: &Row) -> String {
    let parts = filled_cells(row);
    halfwidth(&parts.join("  "))
}

/// Labels of a header block; a value ends where the next label starts.
const BLOCK_LABELS: &[&str] = &[
    "税款所属期",
    "税款所属日期",
    "扣缴义务人名称",
    "扣缴义务人纳税人识别号",
    "纳税人识别号",
    "统一社会信用代码",
    "金额单位",
    "填表日期",
    "申报日期",
];

/// The value after `label` and its colon, up to the next known label.
fn labeled_value(line: &str, label: &str) -> Option<String> {
    let start = line.find(label)? + label.len();
    let rest = &line[start..];
    let colon = rest.find(':')?;
    // The colon must follow the label closely (a qualifier such as （统一社会信用代码） may sit between).
    if rest[..colon].chars().count() > 14 {
        return None;
    }
    value_until_label(&rest[colon + 1..])
}

fn value_until_label(value: &str) -> Option<String> {
    let mut value = value;
    for other in BLOCK_LABELS {
        if let Some(i) = value.find(other) {
            value = &value[..i];
        }
    }
    let v = value.trim().trim_end_matches([',', ';', ':']).trim();
    (!v.is_empty()).then(|| v.to_string())
}

/// `扣缴义务人名称：X` or `扣缴义务人：X` (the 明细 export's block), never the agent's
/// 纳税人识别号 line.
fn agent_name_in(line: &str) -> Option<String> {
    let mut from = 0;
    while let Some(i) = line[from..].find("扣缴义务人") {
        let rest = &line[from + i + "扣缴义务人".len()..];
        let rest = rest.strip_prefix("名称").unwrap_or(rest).trim_start();
        if let Some(v) = rest.strip_prefix(':') {
            return value_until_label(v);
        }
        from += i + "扣缴义务人".len();
    }
    None
}

/// The agent's code on the agent's line (`纳税人识别号：…` after the name) or its own line.
fn agent_code_in(line: &str, agent_line: bool) -> Option<String> {
    if let Some(v) = labeled_value(line, "扣缴义务人纳税人识别号") {
        return Some(v);
    }
    if agent_line {
        return labeled_value(line, "纳税人识别号")
            .or_else(|| labeled_value(line, "统一社会信用代码"));
    }
    None
}

/// Endings of a company's name, longest first.
const COMPANY_ENDINGS: &[&str] = &[
    "有限责任公司",
    "股份有限公司",
    "有限公司",
    "分公司",
    "公司",
    "事务所",
    "合伙企业",
    "合伙)",
];

/// Words of a title that come before a company's name (`个人扣缴明细(北京某某有限公司)`).
const TITLE_WORDS: &[&str] = &[
    "明细",
    "申报表",
    "报告表",
    "扣缴",
    "查询",
    "导出",
    "清单",
    "工资表",
];

/// The company a title or a sheet name names (`北京某某科技有限公司2019年扣缴明细`), if any:
/// the text up to the last company ending, after any title words and leading dates.
fn company_in(text: &str) -> Option<String> {
    let t: String = halfwidth(text)
        .chars()
        .filter(|c| !c.is_whitespace())
        .collect();
    if t.contains(':') {
        return None;
    }
    let end = COMPANY_ENDINGS
        .iter()
        .filter_map(|e| t.rfind(e).map(|i| i + e.len()))
        .max()?;
    let mut name = &t[..end];
    for w in TITLE_WORDS {
        if let Some(i) = name.rfind(w) {
            name = &name[i + w.len()..];
        }
    }
    let name = name.trim_start_matches(|c: char| {
        c.is_ascii_digit() || matches!(c, '年' | '月' | '日' | '-' | '_' | '(' | '[' | '|' | ',')
    });
    (name.chars().count() >= 6).then(|| name.to_string())
}

fn read_header_block(rows: &[Row]) -> HeaderBlock {
    let mut hb = HeaderBlock::default();
    for row in rows {
        let line = line_of(row);
        if hb.title.is_none()
            && (line.contains("个人所得税扣缴申报表") || line.contains("综合所得申报表"))
        {
            hb.title = Some(line.trim().to_string());
        }
        for label in ["税款所属期", "税款所属日期"] {
            if hb.period_text.is_none()
                && let Some(v) = labeled_value(&line, label)
            {
                hb.period = period::one_month_range(&v)
                    .and_then(Result::ok)
                    .or_else(|| YearMonth::parse(&v).ok());
                hb.period_text = Some(v);
            }
        }
        let name = agent_name_in(&line);
        if hb.agent_code.is_none() {
            hb.agent_code = agent_code_in(&line, name.is_some());
        }
        if hb.agent_name.is_none() {
            hb.agent_name = name;
        }
        if hb.title_agent.is_none() {
            hb.title_agent = company_in(&line);
        }
    }
    hb
}

/// Money from one cell, exactly.
fn money_of(cell: &Cell) -> Result<Option<Fen>, String> {
    match cell {
        Cell::Empty => Ok(None),
        Cell::Number(x) => Fen::from_sheet_number(*x)
            .map(Some)
            .map_err(|e| e.to_string()),
        Cell::Text(t) if t.trim().is_empty() => Ok(None),
        Cell::Text(t) => Fen::parse(t).map(Some).map_err(|e| e.to_string()),
        other => Err(format!("\"{}\" 不是金额", other.display())),
    }
}

fn is_column_number_row(row: &Row) -> bool {
    let vals = filled_cells(row);
    vals.len() >= 3
        && vals
            .iter()
            .take(3)
            .enumerate()
            .all(|(i, v)| *v == (i + 1).to_string())
}

/// The first non-blank text of a row, trimmed and half-width (for 合计 / footer detection).
fn first_text(row: &Row) -> Cow<'_, str> {
    row.cells
        .iter()
        .find_map(|c| match c {
            Cell::Text(t) if !t.trim().is_empty() => Some(halfwidth_cow(t.trim())),
            Cell::Empty => None,
            _ => Some(Cow::Borrowed("")),
        })
        .unwrap_or(Cow::Borrowed(""))
}

/// Whether a text cell of the row holds the declaration that ends a 申报表 (谨声明…).
fn has_declaration(row: &Row) -> bool {
    // Every cell of every row is searched: one prepared searcher, not one per cell.
    static DECLARATION: std::sync::LazyLock<memchr::memmem::Finder<'static>> =
        std::sync::LazyLock::new(|| memchr::memmem::Finder::new("谨声明"));
    row.cells
        .iter()
        .any(|c| matches!(c, Cell::Text(t) if DECLARATION.find(t.as_bytes()).is_some()))
}

/// A cell as text, trimmed and half-width, borrowed from the cell when nothing changes.
fn cell_text(c: &Cell) -> Cow<'_, str> {
    match c {
        Cell::Empty => Cow::Borrowed(""),
        Cell::Text(t) => match halfwidth_cow(t.trim()) {
            Cow::Borrowed(b) => Cow::Borrowed(b.trim()),
            Cow::Owned(o) => Cow::Owned(o.trim().to_string()),
        },
        other => Cow::Owned(halfwidth(other.display().trim()).trim().to_string()),
    }
}

/// Turns the data rows of one sheet into [`TaxRow`]s, one row at a time.
struct SheetExtractor {
    sheet: Arc<str>,
    layout: Layout,
    header_row: u32,
    /// Index into the buffered rows of the first row after the header.
    first_data: usize,
    cols: Vec<header::HeaderCol>,
    /// The understood columns in column order, and their header texts (for evidence).
    evidence_cols: Vec<usize>,
    evidence_headers: Arc<[Box<str>]>,
    /// Reused while a row's evidence is written.
    scratch: String,
    hb: HeaderBlock,
    header_agent: Option<Arc<Agent>>,
    has_period_col: bool,
    c: Cols,
    rows: Vec<TaxRow>,
    totals: Option<Totals>,
    sum_income: Fen,
    sum_tax: Fen,
    notes: Vec<String>,
    ended: bool,
    first: bool,
    /// Repeated values (所得项目, 证件类型, agents) shared between rows instead of copied.
    interned: Vec<Arc<str>>,
    agents: Vec<Arc<Agent>>,
    /// The empty document name every row of one export shares.
    document: Arc<str>,
}

#[derive(Clone, Copy)]
struct Cols {
    name: Option<usize>,
    id: Option<usize>,
    idtype: Option<usize>,
    start: Option<usize>,
    end: Option<usize>,
    period: Option<usize>,
    item: Option<usize>,
    income: Option<usize>,
    exempt: Option<usize>,
    tax: Option<usize>,
    agent: Option<usize>,
    agent_code: Option<usize>,
}

impl SheetExtractor {
    fn new(sheet: &str, rows: &[Row], header: Header) -> SheetExtractor {
        let hb = read_header_block(&rows[..header.top]);
        let layout = if hb.title.is_some() {
            Layout::DeclarationForm
        } else {
            Layout::Detail
        };
        let c = Cols {
            name: header.col(Role::Name),
            id: header.col(Role::IdNumber).or(header.col(Role::TaxpayerId)),
            idtype: header.col(Role::IdType),
            start: header.col(Role::PeriodStart),
            end: header.col(Role::PeriodEnd),
            period: header.col(Role::Period),
            item: header.col(Role::IncomeItem),
            income: header.col(Role::Income),
            exempt: header.col(Role::Exempt),
            tax: header.col(Role::Tax),
            agent: header.col(Role::Agent),
            agent_code: header.col(Role::AgentCode),
        };
        let mut notes = Vec::new();
        let has_period_col = c.start.is_some() || c.end.is_some() || c.period.is_some();
        if !has_period_col && hb.period.is_none() {
            match &hb.period_text {
                Some(t) => notes.push(format!(
                    "表内没有税款所属期列，表头的税款所属期「{t}」不是单独一个月：各行所属期无法确定"
                )),
                None => notes.push(
                    "表内没有税款所属期列，表头也未写明税款所属期：各行所属期无法确定".into(),
                ),
            }
        }
        if c.tax.is_none() {
            notes.push("没有税额列（应补(退)税额）：无法判断零税额月份".into());
        }
        if c.item.is_none() {
            notes.push(
                "没有所得项目列：各行按正常工资薪金所得处理（正常工资薪金所得模板导出无此列）"
                    .into(),
            );
        }
        if let Some(code) = &hb.agent_code
            && let Err(e) = CreditCode::parse(code)
        {
            notes.push(format!("表头的扣缴义务人识别号无效：{e}"));
        }
        // The sheet's agent, for rows without a 扣缴义务人 cell: the header block, else a
        // title row, else the sheet's name.
        let header_agent = match (&hb.agent_name, &hb.title_agent, company_in(sheet)) {
            (Some(name), _, _) => Some(Agent {
                name: name.clone(),
                credit_code: hb.agent_code.clone(),
                stated_in: "header_block".into(),
            }),
            (None, Some(name), _) => Some(Agent {
                name: name.clone(),
                credit_code: hb.agent_code.clone(),
                stated_in: "title".into(),
            }),
            (None, None, Some(name)) => Some(Agent {
                name,
                credit_code: None,
                stated_in: "sheet_name".into(),
            }),
            (None, None, None) => None,
        }
        .map(Arc::new);
        let used = [
            c.name,
            c.id,
            c.idtype,
            c.start,
            c.end,
            c.period,
            c.item,
            c.income,
            c.exempt,
            c.tax,
            c.agent,
            c.agent_code,
        ];
        let mut evidence_cols: Vec<(usize, String)> = header
            .cols
            .iter()
            .filter(|h| used.contains(&Some(h.col)))
            .map(|h| (h.col, h.leaf.trim().to_string()))
            .collect();
        evidence_cols.sort();
        evidence_cols.dedup_by_key(|e| e.0);
        let evidence_headers = evidence_cols
            .iter()
            .map(|(_, h)| Box::from(h.as_str()))
            .collect();
        let evidence_cols = evidence_cols.into_iter().map(|(c, _)| c).collect();
        SheetExtractor {
            sheet: Arc::from(sheet),
            layout,
            header_row: rows[header.pos].index + 1,
            first_data: header.pos + 1,
            cols: header.cols,
            evidence_cols,
            evidence_headers,
            scratch: String::with_capacity(256),
            hb,
            header_agent,
            has_period_col,
            c,
            rows: Vec::new(),
            totals: None,
            sum_income: Fen::ZERO,
            sum_tax: Fen::ZERO,
            notes,
            ended: false,
            first: true,
            interned: Vec::new(),
            agents: Vec::new(),
            document: Arc::from(""),
        }
    }

    /// A shared copy of a short, often repeated value.
    fn intern(&mut self, v: &str) -> Arc<str> {
        if let Some(a) = self.interned.iter().find(|a| ***a == *v) {
            return a.clone();
        }
        let a: Arc<str> = Arc::from(v);
        if self.interned.len() < 256 {
            self.interned.push(a.clone());
        }
        a
    }

    /// A shared agent: most rows name the same one or two.
    fn agent(&mut self, name: &str, credit_code: Option<&str>) -> Arc<Agent> {
        if let Some(a) = self
            .agents
            .iter()
            .find(|a| a.name == name && a.credit_code.as_deref() == credit_code)
        {
            return a.clone();
        }
        let a = Arc::new(Agent {
            name: name.to_string(),
            credit_code: credit_code.map(str::to_string),
            stated_in: "column".into(),
        });
        if self.agents.len() < 256 {
            self.agents.push(a.clone());
        }
        a
    }

    /// The understood cells of a row with their headers: the evidence a reviewer reads.
    fn evidence(&mut self, row: &Row) -> RowText {
        let values = self.evidence_cols.iter().map(|&col| match row.get(col) {
            Cell::Text(t) => Cow::Borrowed(t.trim()),
            other => Cow::Owned(other.display().trim().to_string()),
        });
        RowText::of_values(&self.evidence_headers, values, &mut self.scratch)
    }

    /// The row as a [`TaxRow`], or `None` for a row that is not one (totals, a repeated
    /// header, the footer, a row without a name or number).
    fn feed(&mut self, row: &Row) -> Option<TaxRow> {
        if self.ended {
            return None;
        }
        if std::mem::take(&mut self.first) && is_column_number_row(row) {
            return None;
        }
        let c = self.c;
        let first = first_text(row);
        if has_declaration(row) || first.starts_with("扣缴义务人(签章)") {
            self.ended = true;
            return None;
        }
        if first.starts_with("合计") || first.starts_with("总计") {
            let cell = |col: Option<usize>| col.map_or(&Cell::Empty, |i| row.get(i));
            self.totals = Some(Totals {
                row: row.index + 1,
                income: money_of(cell(c.income)).ok().flatten(),
                tax: money_of(cell(c.tax)).ok().flatten(),
                rows_income: Fen::ZERO,
                rows_tax: Fen::ZERO,
            });
            return None;
        }
        let text_at = |col: Option<usize>| -> Cow<'_, str> {
            col.map_or(Cow::Borrowed(""), |i| cell_text(row.get(i)))
        };
        let name = text_at(c.name).into_owned();
        let id_raw = {
            let t = text_at(c.id);
            if t.is_ascii() {
                t.to_ascii_uppercase()
            } else {
                t.to_uppercase()
            }
        };
        // (Only a cell with 名 can read 姓名.)
        if name.contains('名') && norm_header(&name) == "姓名" {
            return None; // a repeated header (pages pasted together)
        }
        if name.is_empty() && id_raw.is_empty() {
            if row.cells.iter().filter(|c| !c.is_blank()).count() >= 2 {
                self.notes
                    .push(format!("第 {} 行没有姓名和证件号码，未读取", row.index + 1));
            }
            return None;
        }
        let mut problems = Vec::new();
        let id = IdNumber::parse(&id_raw).ok();
        if id_raw.is_empty() {
            problems.push("证件号码为空".to_string());
        }
        let cell = |col: Option<usize>| col.map_or(&Cell::Empty, |i| row.get(i));
        let period = if self.has_period_col {
            match (
                period_of(cell(c.start)),
                period_of(cell(c.end)),
                period_of(cell(c.period)),
            ) {
                (Ok(Some(a)), Ok(Some(b)), _) if a != b => {
                    problems.push(format!("税款所属期起止不在同一个月（{a} 至 {b}）"));
                    None
                }
                (Ok(Some(a)), _, _) | (_, Ok(Some(a)), _) | (_, _, Ok(Some(a))) => Some(a),
                (Err(e), _, _) | (_, Err(e), _) | (_, _, Err(e)) => {
                    problems.push(e);
                    None
                }
                _ => {
                    problems.push("税款所属期为空".to_string());
                    None
                }
            }
        } else {
            if self.hb.period.is_none() {
                problems.push("税款所属期无法确定".to_string());
            }
            self.hb.period
        };
        let mut money = |col: Option<usize>, what: &str| -> Option<Fen> {
            match money_of(cell(col)) {
                Ok(v) => v,
                Err(e) => {
                    problems.push(format!("{what}：{e}"));
                    None
                }
            }
        };
        let income = money(c.income, "本期收入");
        let exempt = money(c.exempt, "免税收入");
        let tax = money(c.tax, "税额");
        if income.is_none() && !problems.iter().any(|p| p.starts_with("本期收入")) {
            problems.push("本期收入为空".to_string());
        }
        let (item, item_assumed) = match c.item {
            Some(_) => (self.intern(&text_at(c.item)), false),
            None => (self.intern("正常工资薪金所得"), true),
        };
        let id_type = Some(text_at(c.idtype))
            .filter(|s| !s.is_empty())
            .map(|t| self.intern(&t));
        let agent_name = text_at(c.agent);
        let agent = if agent_name.is_empty() {
            self.header_agent.clone()
        } else {
            let code = Some(text_at(c.agent_code)).filter(|s| !s.is_empty());
            Some(self.agent(&agent_name, code.as_deref()))
        };
        self.sum_income = self
            .sum_income
            .checked_add(income.unwrap_or(Fen::ZERO))
            .unwrap_or(self.sum_income);
        self.sum_tax = self
            .sum_tax
            .checked_add(tax.unwrap_or(Fen::ZERO))
            .unwrap_or(self.sum_tax);
        let text = self.evidence(row);
        Some(TaxRow {
            document: self.document.clone(),
            sheet: self.sheet.clone(),
            row: row.index + 1,
            locator: None,
            region: None,
            layout: self.layout,
            name,
            id_raw,
            id,
            id_type,
            period,
            item,
            item_assumed,
            income,
            exempt,
            tax,
            agent,
            problems,
            text,
            confidence: None,
            read_by: ReadBy::Spreadsheet,
        })
    }

    fn finish(mut self) -> SheetExtract {
        if let Some(t) = self.totals.as_mut() {
            t.rows_income = self.sum_income;
            t.rows_tax = self.sum_tax;
            if let Some(v) = t.income.filter(|v| *v != self.sum_income) {
                self.notes.push(format!(
                    "合计行（第 {} 行）收入 {v} 与各行之和 {} 不符",
                    t.row, self.sum_income
                ));
            }
            if let Some(v) = t.tax.filter(|v| *v != self.sum_tax) {
                self.notes.push(format!(
                    "合计行（第 {} 行）税额 {v} 与各行之和 {} 不符",
                    t.row, self.sum_tax
                ));
            }
        }
        SheetExtract {
            sheet: self.sheet.to_string(),
            layout: self.layout,
            header_row: self.header_row,
            columns: self
                .cols
                .iter()
                .map(|h| (h.role, h.col as u32 + 1, h.path.clone()))
                .collect(),
            header_block: self.hb,
            rows: self.rows,
            totals: self.totals,
            notes: self.notes,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::header::role_of;
    use super::*;
    use crate::read::{Format, Sheet};

    fn t(s: &str) -> Cell {
        Cell::Text(s.to_string())
    }

    fn sheet(rows: Vec<Vec<Cell>>) -> Workbook {
        Workbook {
            format: Format::Csv,
            sheets: vec![Sheet {
                name: "s".into(),
                rows: rows
                    .into_iter()
                    .enumerate()
                    .filter(|(_, c)| c.iter().any(|c| !c.is_blank()))
                    .map(|(i, cells)| Row {
                        index: i as u32,
                        cells,
                    })
                    .collect(),
            }],
            notes: vec![],
        }
    }

    #[test]
    fn header_normalization() {
        assert_eq!(norm_header("*证照号码"), "证照号码");
        assert_eq!(norm_header("应补（退）税额"), "应补退税额");
        assert_eq!(norm_header("应补/退税额"), "应补退税额");
        assert_eq!(norm_header(" 本期收入(元) "), "本期收入");
        assert_eq!(role_of(&norm_header("累计收入额")), None);
        assert_eq!(
            role_of(&norm_header("本期收入")).map(|r| r.0),
            Some(Role::Income)
        );
    }

    #[test]
    fn detail_with_title_rows() {
        let wb = sheet(vec![
            vec![t("个人扣缴明细查询")],
            vec![],
            vec![
                t("姓名"),
                t("证件号码"),
                t("税款所属期起"),
                t("税款所属期止"),
                t("所得项目"),
                t("本期收入"),
                t("累计应补(退)税额"),
            ],
            vec![
                t("张三"),
                t("11010519491231002X"),
                t("2020-03-01"),
                t("2020-03-31"),
                t("正常工资薪金所得"),
                Cell::Number(12000.5),
                t("36.00"),
            ],
            vec![
                t("合计"),
                t(""),
                t(""),
                t(""),
                t(""),
                Cell::Number(12000.5),
                t("36.00"),
            ],
        ]);
        let x = extract(&wb).unwrap();
        let s = &x.sheets[0];
        assert_eq!(s.layout, Layout::Detail);
        assert_eq!(s.header_row, 3);
        let r = &s.rows[0];
        assert_eq!(r.period, YearMonth::new(2020, 3));
        assert_eq!(r.income, Some(Fen(1_200_050)));
        assert_eq!(r.tax, Some(Fen(3600)));
        assert!(r.id.is_some());
        assert!(r.problems.is_empty(), "{:?}", r.problems);
        assert!(s.notes.is_empty(), "{:?}", s.notes);
    }

    #[test]
    fn declaration_form_grouped_header_and_block() {
        let wb = sheet(vec![
            vec![t("个人所得税扣缴申报表")],
            vec![t("税款所属期：2020年03月01日至2020年03月31日")],
            vec![t("扣缴义务人名称："), t("北京通州某某科技有限公司")],
            vec![t(
                "扣缴义务人纳税人识别号（统一社会信用代码）：91350100M000100Y43",
            )],
            vec![
                t("序号"),
                t("姓名"),
                t("身份证件类型"),
                t("身份证件号码"),
                t("所得项目"),
                t("本月（次）情况"),
                t(""),
                t("税款计算"),
            ],
            vec![
                t(""),
                t(""),
                t(""),
                t(""),
                t(""),
                t("收入"),
                t("免税收入"),
                t("应补(退)税额"),
            ],
            vec![
                t("1"),
                t("2"),
                t("3"),
                t("4"),
                t("5"),
                t("6"),
                t("7"),
                t("8"),
            ],
            vec![
                Cell::Number(1.0),
                t("张三"),
                t("居民身份证"),
                t("11010519491231002X"),
                t("正常工资薪金所得"),
                Cell::Number(11000.0),
                Cell::Number(0.0),
                Cell::Number(0.0),
            ],
            vec![
                t("合计"),
                t(""),
                t(""),
                t(""),
                t(""),
                Cell::Number(11000.0),
                t(""),
                Cell::Number(1.0),
            ],
            vec![t(
                "谨声明：本扣缴申报表是根据国家税收法律法规及相关规定填报的。",
            )],
            vec![t("李四"), t("x")],
        ]);
        let x = extract(&wb).unwrap();
        let s = &x.sheets[0];
        assert_eq!(s.layout, Layout::DeclarationForm);
        assert_eq!(s.header_block.period, YearMonth::new(2020, 3));
        assert_eq!(
            s.header_block.agent_name.as_deref(),
            Some("北京通州某某科技有限公司")
        );
        assert_eq!(
            s.header_block.agent_code.as_deref(),
            Some("91350100M000100Y43")
        );
        assert_eq!(s.rows.len(), 1);
        let r = &s.rows[0];
        assert_eq!(r.period, YearMonth::new(2020, 3));
        assert_eq!(r.tax, Some(Fen::ZERO));
        assert_eq!(r.agent.as_ref().unwrap().stated_in, "header_block");
        assert!(
            s.notes
                .iter()
                .any(|n| n.contains("税额") && n.contains("不符")),
            "{:?}",
            s.notes
        );
    }

    #[test]
    fn no_header_is_an_error_naming_the_sheet() {
        let wb = sheet(vec![vec![t("a"), t("b")], vec![Cell::Number(1.0)]]);
        let e = extract(&wb).unwrap_err().to_string();
        assert!(e.contains("工作表“s”"), "{e}");
        assert!(e.contains("姓名"), "{e}");
    }

    /// A text file has no sheets: its pseudo-sheet is not named (issue 13 §4: a text file
    /// named `.xlsx` was reported as sheet "csv").
    #[test]
    fn no_header_in_a_text_file_names_no_sheet() {
        let wb = crate::read::read_workbook("a,b\n1,2\n".as_bytes(), &Default::default()).unwrap();
        let e = extract(&wb).unwrap_err().to_string();
        assert!(!e.contains("csv") && !e.contains("工作表"), "{e}");
        assert!(e.contains("没有找到扣缴明细表"), "{e}");
    }

    #[test]
    fn a_handing_sink_hands_on_the_rows_a_keeping_sink_keeps() {
        let wb = sheet(vec![
            vec![t("姓名"), t("证件号码"), t("税款所属期"), t("收入")],
            vec![t("张三"), t("11010519491231002X"), t("2020-03"), t("100")],
            vec![t("李四"), t("110105194912310021"), t("2020-03"), t("200")],
            vec![t("合计"), t(""), t(""), t("300")],
        ]);
        let kept = extract(&wb).unwrap();
        let mut handed = Vec::new();
        let mut take = |r: TaxRow| handed.push(r);
        let mut sink = TaxExportSink::handing_to(&mut take);
        for s in &wb.sheets {
            sink.begin_sheet(&s.name);
            for r in &s.rows {
                sink.row(r);
            }
            sink.end_sheet();
        }
        let x = sink.finish().unwrap();
        assert!(x.sheets[0].rows.is_empty());
        assert_eq!(x.sheets[0].totals, kept.sheets[0].totals);
        let texts = |v: &[TaxRow]| v.iter().map(|r| r.text.to_string()).collect::<Vec<_>>();
        assert_eq!(texts(&handed), texts(&kept.sheets[0].rows));
        // A header and no rows is still no rows when they are handed on.
        let wb = sheet(vec![vec![t("姓名"), t("证件号码"), t("所属期"), t("收入")]]);
        let mut take = |_: TaxRow| {};
        let mut sink = TaxExportSink::handing_to(&mut take);
        sink.begin_sheet("s");
        sink.row(&wb.sheets[0].rows[0]);
        assert_eq!(sink.finish().unwrap_err(), ExtractError::NoRows("s".into()));
    }

    #[test]
    fn header_only_is_no_rows() {
        let wb = sheet(vec![vec![t("姓名"), t("证件号码"), t("所属期"), t("收入")]]);
        assert_eq!(extract(&wb).unwrap_err(), ExtractError::NoRows("s".into()));
    }

    #[test]
    fn bad_values_become_row_problems() {
        let wb = sheet(vec![
            vec![t("姓名"), t("证件号码"), t("税款所属期"), t("收入")],
            vec![
                t("张三"),
                t("110105194912310021"),
                t("2020-13"),
                t("12,34.5"),
            ],
        ]);
        let x = extract(&wb).unwrap();
        let r = &x.sheets[0].rows[0];
        assert!(r.id.is_none());
        assert_eq!(r.period, None);
        assert_eq!(r.income, None);
        assert_eq!(r.problems.len(), 2, "{:?}", r.problems);
    }
}
