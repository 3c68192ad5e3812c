//! `tax_record`: the 个人所得税纳税记录 (tax app / 自然人电子税务局, layout `nsjl`) and the older
//! 税收完税证明 (文书式, layout `wszm`).
//!
//! What the 纳税记录 holds (`../shared/docs/document-formats.md` §2): tax paid per 税款所属期 and
//! 所得项目, with dates and the 入库税务机关 — no income and no withholding agent. The
//! 金额合计 and its amount in capitals must agree with the rows; a disagreement is recorded as a
//! finding (it is how a forged page shows), never smoothed over.

use chrono::NaiveDate;
use serde::{Deserialize, Serialize};

use super::text_util::{Source, capital_rmb, date, first_amount, labelled, month};
use crate::model::{Fen, YearMonth};
use crate::read::layout::{Line, tables};

/// One paid row.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct TaxRecordRow {
    /// 申报日期 (`nsjl`).
    pub declared_on: Option<NaiveDate>,
    /// 实缴(退)金额.
    pub amount_fen: Option<Fen>,
    /// 入(退)库日期.
    pub paid_on: Option<NaiveDate>,
    /// 所得项目 (`nsjl`) or 品目名称 (`wszm`).
    pub item: String,
    /// 税款所属期 (for `wszm` the month of 税款所属时期's start).
    pub period: Option<YearMonth>,
    /// 入库税务机关 (`nsjl`), the wrapped cell joined.
    pub authority: String,
    /// 备注.
    pub remark: String,
    /// 原凭证号 (`wszm`).
    pub voucher_number: Option<String>,
    /// 税种 (`wszm`).
    pub tax_type: Option<String>,
    /// Where.
    pub source: Source,
}

/// A 纳税记录 or 完税证明.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct TaxRecord {
    /// `nsjl` (纳税记录) or `wszm` (税收完税证明).
    pub layout: String,
    /// 纳税人名称.
    pub holder_name: Option<String>,
    /// 身份证件号码 / 纳税人识别号.
    pub id_number: Option<String>,
    /// 记录期间 from.
    pub period_from: Option<YearMonth>,
    /// 记录期间 to.
    pub period_to: Option<YearMonth>,
    /// 查询验证码 (16 characters): confirmable only by the tax office.
    pub verification_code: Option<String>,
    /// The record number line, as printed.
    pub record_number: Option<String>,
    /// 开具时间 / 填发日期.
    pub issued_on: Option<NaiveDate>,
    /// 税务机关 (`wszm` header).
    pub authority: Option<String>,
    /// Pages read.
    pub pages: u32,
    /// The rows, in printed order.
    pub rows: Vec<TaxRecordRow>,
    /// 金额合计 figure.
    pub total_fen: Option<Fen>,
    /// 金额合计 in capitals, as printed.
    pub total_capitals: Option<String>,
    /// Where the total was read.
    pub total_source: Option<Source>,
    /// Disagreements found while reading (totals, capitals, undated rows).
    pub findings: Vec<String>,
}

const LABELS: &[&str] = &[
    "记录期间",
    "纳税人名称",
    "纳税人识别号",
    "身份证件类型",
    "身份证件号码",
    "金额单位",
    "填发日期",
    "税务机关",
    "开具时间",
];

fn is_code_group(s: &str) -> bool {
    s.len() == 4
        && s.chars()
            .all(|c| c.is_ascii_uppercase() || c.is_ascii_digit())
}

/// The 16-character 查询验证码: groups of 4 printed after (or under) the label, right of it.
fn verification_code(lines: &[Line]) -> Option<String> {
    let (li, label_x) = lines.iter().enumerate().find_map(|(i, l)| {
        l.runs
            .iter()
            .find(|r| r.text.contains("验证码"))
            .map(|r| (i, r.x))
    })?;
    let mut code = String::new();
    for l in lines.iter().skip(li).take(4) {
        for r in l.runs.iter().filter(|r| r.x >= label_x - 60.0) {
            let t = crate::model::text::halfwidth(&r.text);
            let t = t.rsplit([':', '：']).next().unwrap_or("");
            for g in t.split_whitespace() {
                if is_code_group(g)
                    || (g.len() == 16 && g.chars().all(|c| c.is_ascii_alphanumeric()))
                {
                    code.push_str(g);
                }
            }
        }
        if code.len() >= 16 {
            break;
        }
    }
    (code.len() == 16).then_some(code)
}

fn record_period(s: &str) -> (Option<YearMonth>, Option<YearMonth>) {
    match s.split_once('至') {
        Some((a, b)) => (month(a), month(b)),
        None => (None, None),
    }
}

/// Reads a 纳税记录 / 完税证明 from all its lines (pages in order).
pub fn extract(lines: &[Line], pages: u32) -> TaxRecord {
    let all: String = lines
        .iter()
        .map(|l| l.normalized())
        .collect::<Vec<_>>()
        .join("\n");
    // The 纳税记录 names its predecessor under its title (（原《税收完税证明》）), so the legacy
    // form is the one that never says 纳税记录 (an OCR'd title may lose a character: 卜人所得税).
    let legacy = all.contains("税收完税证明") && !all.contains("纳税记录");
    let get = |label: &str| labelled(lines, label, LABELS).map(|v| v.value);
    let (period_from, period_to) = get("记录期间").map_or((None, None), |v| record_period(&v));
    let id_number = get("身份证件号码").or_else(|| get("纳税人识别号"));
    let issued_on = get("开具时间")
        .or_else(|| get("填发日期"))
        .and_then(|v| date(&v));
    // `(2020)京0112记录 38914619` at the top left: the first cell of its line, spaces removed.
    let record_number = lines.iter().find_map(|l| {
        let n = l.normalized();
        (n.contains("记录") && n.starts_with('(') && !n.contains("记录期间"))
            .then(|| {
                l.cells(1.5)
                    .first()
                    .map(|c| crate::model::text::strip_spaces(&c.text()))
            })
            .flatten()
            .filter(|_| !legacy)
    });
    let mut rec = TaxRecord {
        layout: if legacy { "wszm" } else { "nsjl" }.to_string(),
        holder_name: get("纳税人名称"),
        id_number,
        period_from,
        period_to,
        verification_code: verification_code(lines),
        record_number,
        issued_on,
        authority: if legacy { get("税务机关") } else { None },
        pages,
        rows: Vec::new(),
        total_fen: None,
        total_capitals: None,
        total_source: None,
        findings: Vec::new(),
    };
    // Each page repeats the column header; read the table under every header.
    let header_word = if legacy {
        "原凭证号"
    } else {
        "申报日期"
    };
    let stop = |l: &Line| {
        let n = l.normalized();
        n.starts_with("金额合计")
            || n.contains("合计(大写)")
            || n.starts_with("说明")
            || n.starts_with("当前第")
            || n.starts_with("妥善保管")
            || n.starts_with("填票人")
    };
    for table in tables(lines, |l| l.normalized().starts_with(header_word), 0, stop) {
        let col = |name: &str| table.headers.iter().position(|h| h.contains(name));
        let c_declared = col("申报日期");
        let c_amount = col("实缴");
        let c_paid = col("库日期");
        let c_item = col("所得项目").or(col("品目名称"));
        let c_period = col("所属期").or(col("所属时期"));
        let c_auth = col("入库税务机关");
        let c_remark = col("备注");
        let c_voucher = col("原凭证号");
        let c_type = col("税种");
        for r in table.rows {
            let cell =
                |c: Option<usize>| c.and_then(|c| r.cells.get(c)).cloned().unwrap_or_default();
            let period_text = cell(c_period);
            let period = if legacy {
                // 税款所属时期 `2018-07-01至2018-07-31`: the month of its start.
                super::text_util::dates_in(&period_text)
                    .first()
                    .map(|d| YearMonth::from_date(d.1))
                    .or_else(|| month(&period_text))
            } else {
                month(&period_text)
            };
            // OCR may run 所得项目 and 税款所属期 into one cell (`工资薪金所得。2019.12`): the
            // period is then the month written at the end of the item cell, used only when the
            // period cell gives none.
            let (item_text, period) = match period {
                None if !legacy => split_trailing_month(&cell(c_item)),
                p => (cell(c_item), p),
            };
            // OCR may read the 实缴(退)金额 and 入(退)库日期 headers as one cell: then the
            // amount and the date share a column, in that order.
            let merged = c_amount.is_some() && c_amount == c_paid;
            let amount_text = if merged {
                cell(c_amount)
                    .split_whitespace()
                    .next()
                    .unwrap_or_default()
                    .to_string()
            } else {
                cell(c_amount)
            };
            let paid_text = if merged {
                cell(c_paid)
                    .split_whitespace()
                    .nth(1)
                    .unwrap_or_default()
                    .to_string()
            } else {
                cell(c_paid)
            };
            let amount = Fen::parse(&super::text_util::squeeze_amount(&amount_text)).ok();
            if amount.is_none() {
                rec.findings.push(format!(
                    "{}：实缴金额「{}」无法读取",
                    r.locator(),
                    cell(c_amount)
                ));
            }
            rec.rows.push(TaxRecordRow {
                declared_on: c_declared.and_then(|_| date(&cell(c_declared))),
                amount_fen: amount,
                paid_on: date(&paid_text),
                item: item_text,
                period,
                authority: cell(c_auth),
                remark: cell(c_remark),
                voucher_number: c_voucher.map(|_| cell(c_voucher)),
                tax_type: c_type.map(|_| cell(c_type)),
                // As sure as the cells the row's values are read from: a wrapped 入库税务机关
                // beside them does not lower them.
                source: Source {
                    confidence: r.confidence_of(&[c_declared, c_amount, c_paid, c_item, c_period]),
                    ..Source::of_row(&r)
                },
            });
        }
    }
    // 金额合计: the figure and the capitals, on the same line or the next.
    if let Some(i) = lines
        .iter()
        .position(|l| l.normalized().contains("合计") && l.normalized().contains("金额"))
    {
        let text: String = lines[i..lines.len().min(i + 2)]
            .iter()
            .map(|l| l.normalized())
            .collect::<Vec<_>>()
            .join(" ");
        let caps: String = text
            .chars()
            .skip_while(|c| !"零壹贰叁肆伍陆柒捌玖拾佰仟万亿".contains(*c))
            .take_while(|c| "零壹贰叁肆伍陆柒捌玖拾佰仟万亿元圆角分整正".contains(*c))
            .collect();
        let figure_text: String = text
            .replace(&caps, " ")
            .chars()
            .filter(|c| c.is_ascii_digit() || *c == '.' || *c == ' ' || *c == ',')
            .collect();
        rec.total_fen = first_amount(&figure_text);
        rec.total_capitals = (!caps.is_empty()).then_some(caps);
        rec.total_source = Some(Source::of(&lines[i]));
    }
    check_totals(&mut rec);
    rec
}

fn check_totals(rec: &mut TaxRecord) {
    let sum = rec
        .rows
        .iter()
        .try_fold(Fen::ZERO, |acc, r| acc.checked_add(r.amount_fen?));
    match (rec.total_fen, sum) {
        (Some(t), Some(s)) if t != s => rec
            .findings
            .push(format!("金额合计 {t} 元与各行之和 {s} 元不符")),
        (None, _) if !rec.rows.is_empty() => rec.findings.push("未找到金额合计".into()),
        _ => {}
    }
    if let (Some(t), Some(c)) = (rec.total_fen, rec.total_capitals.as_deref()) {
        match capital_rmb(c) {
            Some(v) if v == t => {}
            Some(v) => rec
                .findings
                .push(format!("金额合计大写「{c}」为 {v} 元，与小写 {t} 元不符")),
            None => rec.findings.push(format!("金额合计大写「{c}」无法读取")),
        }
    }
}

/// `工资薪金所得。2019.12国` → (`工资薪金所得`, 2019-12): a `YYYY.MM` / `YYYY-MM` / `YYYYMM` /
/// `YYYY年M月` month at the end of a cell, with stray marks around it; the cell unchanged and no
/// month when there is none.
fn split_trailing_month(cell: &str) -> (String, Option<YearMonth>) {
    let chars: Vec<char> = cell.chars().collect();
    // The last run of digits and month separators that starts with four digits.
    let is_part = |c: char| c.is_ascii_digit() || matches!(c, '.' | '-' | '年' | '月');
    let Some(end) = chars.iter().rposition(|c| c.is_ascii_digit()) else {
        return (cell.to_string(), None);
    };
    let mut start = end;
    while start > 0 && is_part(chars[start - 1]) {
        start -= 1;
    }
    let token: String = chars[start..=end].iter().collect();
    let token = token.trim_end_matches(['.', '-']).to_string();
    let month_end = if chars.get(end + 1) == Some(&'月') {
        "月"
    } else {
        ""
    };
    match month(&format!("{token}{month_end}")) {
        Some(m) if token.chars().take(4).all(|c| c.is_ascii_digit()) => {
            let item: String = chars[..start].iter().collect();
            let item = item
                .trim_end_matches(|c: char| !c.is_alphanumeric())
                .to_string();
            (item, Some(m))
        }
        _ => (cell.to_string(), None),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn rec(total: Option<Fen>, caps: Option<&str>, amounts: &[i64]) -> TaxRecord {
        TaxRecord {
            layout: "nsjl".into(),
            holder_name: None,
            id_number: None,
            period_from: None,
            period_to: None,
            verification_code: None,
            record_number: None,
            issued_on: None,
            authority: None,
            pages: 1,
            rows: amounts
                .iter()
                .map(|a| TaxRecordRow {
                    declared_on: None,
                    amount_fen: Some(Fen(*a)),
                    paid_on: None,
                    item: String::new(),
                    period: None,
                    authority: String::new(),
                    remark: String::new(),
                    voucher_number: None,
                    tax_type: None,
                    source: Source::none(crate::read::text::ReadBy::TextLayer),
                })
                .collect(),
            total_fen: total,
            total_capitals: caps.map(str::to_string),
            total_source: None,
            findings: Vec::new(),
        }
    }

    /// A forged or altered page shows as totals that disagree with the rows or the capitals.
    #[test]
    fn totals_must_agree() {
        let mut r = rec(Some(Fen(3000)), Some("叁拾元整"), &[1000, 2000]);
        check_totals(&mut r);
        assert!(r.findings.is_empty(), "{:?}", r.findings);
        let mut r = rec(Some(Fen(3100)), Some("叁拾壹元整"), &[1000, 2000]);
        check_totals(&mut r);
        assert!(r.findings[0].contains("与各行之和"), "{:?}", r.findings);
        let mut r = rec(Some(Fen(3000)), Some("叁拾伍元整"), &[1000, 2000]);
        check_totals(&mut r);
        assert!(r.findings[0].contains("大写"), "{:?}", r.findings);
        let mut r = rec(None, None, &[1000]);
        check_totals(&mut r);
        assert_eq!(r.findings, vec!["未找到金额合计".to_string()]);
    }

    #[test]
    fn a_period_run_into_the_item_cell_is_split_off() {
        let ym = |s: &str| s.parse::<YearMonth>().ok();
        assert_eq!(
            split_trailing_month("工资薪金所得。2019.12国"),
            ("工资薪金所得".to_string(), ym("2019-12"))
        );
        assert_eq!(
            split_trailing_month("薪金所得 2020-03"),
            ("薪金所得".to_string(), ym("2020-03"))
        );
        assert_eq!(
            split_trailing_month("工资薪金所得2020年1月"),
            ("工资薪金所得".to_string(), ym("2020-01"))
        );
        // No month: the cell as it was.
        assert_eq!(
            split_trailing_month("工资薪金所得"),
            ("工资薪金所得".to_string(), None)
        );
        assert_eq!(
            split_trailing_month("忆工资薪金所得 12"),
            ("忆工资薪金所得 12".to_string(), None)
        );
        assert_eq!(
            split_trailing_month("所得 2019.13"),
            ("所得 2019.13".to_string(), None)
        );
    }
}
