//! `tax_record`, layout `tax_list`: the 地税-era 个人所得税纳税清单 (2017–2018 and earlier), printed
//! by the local tax bureau before the 2019 system. Unlike the 纳税记录 it states the income and
//! the withholding agent of each month: 所得项目, 税款所属期起 / 止 (or one 税款所属时期 cell
//! `2017-01-01 至 2017-01-31`), 申报收入额 (or 收入额), 实缴税额, 扣缴义务人, 入库日期; above the
//! table 纳税人名称, 证件号码, 税务机关, 打印日期 and a 查验码 that only the issuing office can
//! confirm; below it a 合计 row (`document-formats.md` §2, "Older formats").
//!
//! A row's period must be exactly one calendar month (the 1st to the last day); any other span
//! is kept as read and flagged, never spread over months. A 合计 that disagrees with the rows is
//! a finding.

use chrono::{Datelike, NaiveDate};
use serde::{Deserialize, Serialize};

use super::text_util::{ReadFrom, Source, cite, date, labelled, month};
use crate::model::{Fen, YearMonth};
use crate::read::layout::{Cell, Line, Table, cells_by_names, read_table, rest_of_page};

/// One row of the 纳税清单.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct TaxListRow {
    /// 所得项目 as printed (`工资、薪金所得`).
    pub item: String,
    /// 税款所属期起.
    pub period_from: Option<NaiveDate>,
    /// 税款所属期止.
    pub period_to: Option<NaiveDate>,
    /// The month, when 起/止 span exactly one calendar month.
    pub period: Option<YearMonth>,
    /// 申报收入额 / 收入额.
    pub income_fen: Option<Fen>,
    /// 实缴税额.
    pub tax_fen: Option<Fen>,
    /// 扣缴义务人.
    pub agent: Option<String>,
    /// 入库日期.
    pub paid_on: Option<NaiveDate>,
    /// What could not be read, or does not hold (a period that is not one month).
    pub problems: Vec<String>,
    /// Where.
    pub source: Source,
}

/// A 个人所得税纳税清单.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct TaxList {
    /// Always `tax_list` (tells it apart from the 纳税记录's `nsjl` / `wszm`).
    pub layout: String,
    /// 纳税人名称.
    pub holder_name: Option<String>,
    /// 证件号码 / 纳税人识别号.
    pub id_number: Option<String>,
    /// 税务机关.
    pub authority: Option<String>,
    /// 打印日期.
    pub printed_on: Option<NaiveDate>,
    /// 查验码 / 验证码: confirmable only by the issuing office.
    pub verification_code: Option<String>,
    /// Where the code was read.
    pub verification_source: Option<Source>,
    /// Pages read.
    pub pages: u32,
    /// The rows, in printed order.
    pub rows: Vec<TaxListRow>,
    /// 合计 income.
    pub total_income_fen: Option<Fen>,
    /// 合计 tax.
    pub total_tax_fen: Option<Fen>,
    /// Where the 合计 was read.
    pub total_source: Option<Source>,
    /// Disagreements and what could not be read.
    pub findings: Vec<String>,
    /// Where the header's values were read (`holder_name`, `id_number`, `authority`,
    /// `printed_on`).
    #[serde(default, skip_serializing_if = "ReadFrom::is_empty")]
    pub read_from: ReadFrom,
}

const LABELS: &[&str] = &[
    "纳税人名称",
    "纳税人识别号",
    "证件类型",
    "证件号码",
    "税务机关",
    "打印日期",
    "查验码",
    "验证码",
    "金额单位",
];

/// Whether the lines are a 纳税清单 (its title, or a table header with income and agent): the
/// 纳税记录 has neither income nor agent columns.
pub fn is_tax_list(lines: &[Line]) -> bool {
    lines
        .iter()
        .take(8)
        .any(|l| l.normalized().contains("纳税清单"))
        || lines.iter().any(is_header)
}

fn is_header(l: &Line) -> bool {
    let n = l.normalized();
    n.contains("所得项目") && n.contains("收入额") && n.contains("扣缴义务人")
}

/// The column names a 纳税清单 prints (`document-formats.md` §2), for cutting an OCR'd header
/// line into its columns.
const COLUMNS: &[&str] = &[
    "序号",
    "所得项目",
    "税种",
    "品目名称",
    "税款所属期起",
    "税款所属期止",
    "税款所属时期",
    "税款所属期",
    "申报日期",
    "申报收入额",
    "收入额",
    "实缴税额",
    "实缴(退)税额",
    "扣缴义务人",
    "征收机关",
    "入库日期",
    "入库时间",
];

/// The header's cells: by the gaps between its runs on a text layer; by the column names it
/// holds when OCR'd ([`cells_by_names`]: OCR splits and joins the names across the gaps).
fn header_cells(l: &Line) -> Vec<Cell> {
    let ocr = l.runs.iter().any(|r| r.confidence.is_some());
    ocr.then(|| cells_by_names(l, COLUMNS))
        .flatten()
        .unwrap_or_else(|| l.cells(1.2))
}

/// Each table of the document: its header's cells ([`header_cells`]) over the rest of its
/// page. A row starts with its 税款所属期 (the 序号 before it is a small figure OCR often
/// misreads as a character or drops; the period is never absent from a row).
fn tables(lines: &[Line], stop: impl Fn(&Line) -> bool + Copy) -> Vec<Table> {
    lines
        .iter()
        .enumerate()
        .filter(|(_, l)| is_header(l))
        .map(|(i, l)| {
            let header = header_cells(l);
            let key = header
                .iter()
                .position(|c| {
                    let t = c.text();
                    t.contains("所属期") || t.contains("所属时期")
                })
                .unwrap_or(0);
            read_table(&header, &rest_of_page(lines, i), key, stop)
        })
        .collect()
}

fn money(s: &str) -> Option<Fen> {
    let t = s.trim();
    if t.is_empty() {
        return None;
    }
    Fen::parse(t).ok()
}

/// The month of a 起/止 pair, when it is exactly one calendar month.
pub fn one_month(from: NaiveDate, to: NaiveDate) -> Option<YearMonth> {
    let m = YearMonth::try_from_date(from)?;
    (from.day() == 1 && to == m.last_day()).then_some(m)
}

fn code(s: &str) -> Option<String> {
    let t: String = crate::model::text::halfwidth(s)
        .chars()
        .take_while(|c| c.is_ascii_alphanumeric() || c.is_whitespace())
        .filter(|c| !c.is_whitespace())
        .collect();
    (t.len() >= 6).then_some(t)
}

/// Reads a 纳税清单 from its lines.
pub fn extract(lines: &[Line], pages: u32) -> TaxList {
    let get = |label: &str| labelled(lines, label, LABELS);
    let code_l = get("查验码").or_else(|| get("验证码"));
    let holder = get("纳税人名称");
    let id = get("证件号码").or_else(|| get("纳税人识别号"));
    let authority = get("税务机关");
    let printed = get("打印日期");
    let printed_on = printed.as_ref().and_then(|v| date(&v.value));
    let mut read_from = ReadFrom::new();
    cite(
        &mut read_from,
        "holder_name",
        holder.as_ref().map(|v| &v.source),
    );
    cite(&mut read_from, "id_number", id.as_ref().map(|v| &v.source));
    cite(
        &mut read_from,
        "authority",
        authority.as_ref().map(|v| &v.source),
    );
    cite(
        &mut read_from,
        "printed_on",
        printed
            .as_ref()
            .filter(|_| printed_on.is_some())
            .map(|v| &v.source),
    );
    let mut x = TaxList {
        layout: "tax_list".into(),
        holder_name: holder.map(|v| v.value),
        id_number: id.map(|v| crate::model::text::strip_spaces(&v.value)),
        authority: authority.map(|v| v.value),
        printed_on,
        verification_code: code_l.as_ref().and_then(|v| code(&v.value)),
        verification_source: code_l.map(|v| v.source),
        pages,
        rows: Vec::new(),
        total_income_fen: None,
        total_tax_fen: None,
        total_source: None,
        findings: Vec::new(),
        read_from,
    };
    let stop = |l: &Line| {
        let n = l.normalized();
        n.starts_with("合计")
            || n.starts_with("本页小计")
            || n.starts_with("注")
            || n.starts_with("说明")
            || (n.starts_with("第") && n.contains("页"))
    };
    for t in tables(lines, stop) {
        let col = |f: &dyn Fn(&str) -> bool| t.headers.iter().position(|h| f(h));
        let c_item = col(&|h| h.contains("所得项目"));
        let c_from = col(&|h| h.contains("所属期起") || h.contains("所属时期起"));
        let c_to = col(&|h| h.contains("所属期止") || h.contains("所属时期止"));
        let c_span = col(&|h| h.contains("所属期") || h.contains("所属时期"));
        let c_income = col(&|h| h.contains("收入额") || h.contains("收入"));
        let c_tax = col(&|h| h.contains("实缴") || h.contains("税额"));
        let c_agent = col(&|h| h.contains("扣缴义务人"));
        let c_paid = col(&|h| h.contains("入库"));
        for r in &t.rows {
            let cell =
                |c: Option<usize>| c.and_then(|c| r.cells.get(c)).cloned().unwrap_or_default();
            // Rows under a 序号 column: the key column is the first; a line that only wraps
            // a long agent name has no key and joined its row already.
            let (from_text, to_text) = match (c_from, c_to) {
                (Some(_), Some(_)) => (cell(c_from), cell(c_to)),
                _ => {
                    let s = cell(c_span);
                    match s.split_once(['至', '~', '～']) {
                        Some((a, b)) => (a.trim().to_string(), b.trim().to_string()),
                        None => (s.clone(), String::new()),
                    }
                }
            };
            let mut problems = Vec::new();
            let (period_from, period_to) = (date(&from_text), date(&to_text));
            let period = match (period_from, period_to) {
                (Some(a), Some(b)) => {
                    let m = one_month(a, b);
                    if m.is_none() {
                        problems.push(format!(
                            "税款所属期 {from_text} 至 {to_text} 不是一个自然月"
                        ));
                    }
                    m
                }
                // A single month printed alone (`2017-06`, `2017年06月`).
                (None, None) if to_text.is_empty() && month(&from_text).is_some() => {
                    month(&from_text)
                }
                _ => {
                    problems.push(format!("税款所属期「{from_text}」「{to_text}」无法读取"));
                    None
                }
            };
            let income_text = cell(c_income);
            let income_fen = money(&income_text);
            if income_fen.is_none() {
                problems.push(format!("申报收入额「{income_text}」无法读取"));
            }
            let tax_text = cell(c_tax);
            let tax_fen = money(&tax_text);
            if tax_fen.is_none() {
                problems.push(format!("实缴税额「{tax_text}」无法读取"));
            }
            let agent = Some(cell(c_agent)).filter(|a| !a.is_empty());
            if c_agent.is_some() && agent.is_none() {
                problems.push("扣缴义务人为空".into());
            }
            x.rows.push(TaxListRow {
                // A stray mark OCR reads in the gap before the item is not part of it.
                item: cell(c_item)
                    .trim_matches(|c: char| "，,、.。:：;；".contains(c))
                    .to_string(),
                period_from,
                period_to,
                period,
                income_fen,
                tax_fen,
                agent,
                paid_on: date(&cell(c_paid)),
                problems,
                source: Source::of_row(r),
            });
        }
    }
    if x.rows.is_empty() {
        x.findings.push("未找到纳税清单的明细行".into());
    }
    read_total(lines, &mut x);
    x
}

/// The 合计 line: its amounts, in order, are the income and the tax totals; each must equal the
/// sum of the rows.
fn read_total(lines: &[Line], x: &mut TaxList) {
    let Some(l) = lines
        .iter()
        .rev()
        .find(|l| l.normalized().starts_with("合计"))
    else {
        return;
    };
    let amounts: Vec<Fen> = l
        .text()
        .split_whitespace()
        .filter_map(|t| money(t.trim_start_matches("合计")))
        .collect();
    let (income, tax) = match amounts.as_slice() {
        [i, t, ..] => (Some(*i), Some(*t)),
        _ => (None, None),
    };
    x.total_income_fen = income;
    x.total_tax_fen = tax;
    x.total_source = Some(Source::of(l));
    let sum = |f: fn(&TaxListRow) -> Option<Fen>| {
        x.rows
            .iter()
            .map(f)
            .try_fold(Fen::ZERO, |a, v| v.and_then(|v| a.checked_add(v)))
    };
    if let (Some(t), Some(s)) = (income, sum(|r| r.income_fen))
        && t != s
    {
        x.findings
            .push(format!("合计收入额 {t} 元，明细行合计 {s} 元，不一致"));
    }
    if let (Some(t), Some(s)) = (tax, sum(|r| r.tax_fen))
        && t != s
    {
        x.findings
            .push(format!("合计实缴税额 {t} 元，明细行合计 {s} 元，不一致"));
    }
}
