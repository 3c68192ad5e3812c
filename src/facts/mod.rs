//! Records merged into one timeline per person and month: what the checks see.
//!
//! Contract: built only from extracted records (no I/O); every month keeps the rows it came
//! from, so every finding can cite them. Where the 明细 and the 申报表 of one file both state a
//! month, the 明细 rows give the figures and a disagreement is recorded, never averaged.

pub mod case;
pub mod case_toml;

use std::collections::BTreeMap;
use std::sync::Arc;

use chrono::{Datelike, NaiveDate};
use serde::Serialize;

use crate::extract::tax_export::{Agent, Layout, TaxRow};
use crate::model::{Fen, IdNumber, YearMonth};
use crate::policy::{IncomeBasis, Policy};
use crate::read::text::ReadBy;

/// Where a fact was read: a row of a sheet.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct RowRef {
    /// The file (empty when the rows come from one export).
    #[serde(skip_serializing_if = "is_empty")]
    pub document: Arc<str>,
    /// Sheet name.
    pub sheet: Arc<str>,
    /// 1-based row.
    pub row: u32,
    /// The location when the row was not read from a sheet (`page 1, line 12`).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub at: Option<Arc<str>>,
    /// The row's understood cells as read.
    pub text: Arc<str>,
    /// Layout of the sheet.
    pub layout: Layout,
    /// OCR confidence of the row (a printed export read by OCR).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub confidence: Option<f32>,
    /// A spreadsheet's cell, or a printed export's text layer or OCR.
    pub read_by: ReadBy,
}

fn is_empty(s: &Arc<str>) -> bool {
    s.is_empty()
}

impl RowRef {
    fn of(r: &TaxRow) -> RowRef {
        RowRef {
            document: r.document.clone(),
            sheet: r.sheet.clone(),
            row: r.row,
            at: r.locator.clone(),
            text: r.text.clone(),
            layout: r.layout,
            confidence: r.confidence,
            read_by: r.read_by,
        }
    }

    /// `sheet 综合所得明细, row 14`.
    pub fn locator(&self) -> String {
        match &self.at {
            Some(a) => a.to_string(),
            None => format!("sheet {}, row {}", self.sheet, self.row),
        }
    }
}

/// One person's wage withholding in one 税款所属期.
#[derive(Clone, Debug, Default, Serialize)]
pub struct MonthFacts {
    /// The wage rows the figures come from.
    pub rows: Vec<RowRef>,
    /// Sum of 本期收入 of those rows.
    pub income: Fen,
    /// Sum of 本期免税收入.
    pub exempt: Fen,
    /// Sum of the month's tax; `None` when any row lacks a tax figure.
    pub tax: Option<Fen>,
    /// Agents stated for the month (by the rows, or by a 申报表 header block for the month).
    pub agents: Vec<Arc<Agent>>,
    /// 申报表 rows of this person and month (any 所得项目): what covers a zero-tax month.
    pub form_rows: Vec<RowRef>,
    /// Values that could not be read in this month's rows: the month cannot pass.
    pub problems: Vec<String>,
    /// Where the 明细 and the 申报表 disagree about this month.
    pub disagreements: Vec<String>,
}

impl MonthFacts {
    /// The income compared with the threshold under the policy's basis.
    pub fn taxable_income(&self, basis: IncomeBasis) -> Fen {
        match basis {
            IncomeBasis::Income => self.income,
            IncomeBasis::IncomeMinusExempt => self.income - self.exempt,
        }
    }

    /// Whether any wage row was found for the month.
    pub fn present(&self) -> bool {
        !self.rows.is_empty()
    }
}

/// Income under another 所得项目: reported, never counted as monthly wage.
#[derive(Clone, Debug, Serialize)]
pub struct OtherIncome {
    /// 税款所属期.
    pub period: YearMonth,
    /// 所得项目.
    pub item: Arc<str>,
    /// 本期收入.
    pub income: Option<Fen>,
    /// Where.
    pub source: RowRef,
}

/// One person's timeline from a tax export.
#[derive(Clone, Debug, Serialize)]
pub struct PersonFacts {
    /// The 证件号码 as written (the grouping key).
    pub id_raw: String,
    /// The number, when valid.
    #[serde(skip)]
    pub id: Option<IdNumber>,
    /// 证件类型, if stated.
    pub id_type: Option<Arc<str>>,
    /// Names seen for this number, first first.
    pub names: Vec<String>,
    /// Wage withholding by 税款所属期.
    pub months: BTreeMap<YearMonth, MonthFacts>,
    /// Other 所得项目.
    pub other_income: Vec<OtherIncome>,
    /// Rows that could not be placed in a month, with why.
    pub unplaced: Vec<(RowRef, Vec<String>)>,
}

impl PersonFacts {
    /// The first name seen.
    pub fn name(&self) -> &str {
        self.names.first().map(String::as_str).unwrap_or("")
    }
}

fn push_agent(agents: &mut Vec<Arc<Agent>>, a: &Arc<Agent>) {
    if !agents
        .iter()
        .any(|b| Arc::ptr_eq(a, b) || (b.name == a.name && b.credit_code == a.credit_code))
    {
        agents.push(a.clone());
    }
}

fn sum_rows(rows: &[&TaxRow]) -> (Fen, Fen, Option<Fen>) {
    let mut income = Fen::ZERO;
    let mut exempt = Fen::ZERO;
    let mut tax = Some(Fen::ZERO);
    for r in rows {
        income = income
            .checked_add(r.income.unwrap_or(Fen::ZERO))
            .unwrap_or(income);
        exempt = exempt
            .checked_add(r.exempt.unwrap_or(Fen::ZERO))
            .unwrap_or(exempt);
        tax = match (tax, r.tax) {
            (Some(t), Some(x)) => t.checked_add(x),
            _ => None,
        };
    }
    (income, exempt, tax)
}

/// Groups rows by person (证件号码, or the name where the number is empty) in first-seen order.
pub fn people(rows: &[&TaxRow], policy: &Policy) -> Vec<PersonFacts> {
    let mut order: Vec<String> = Vec::new();
    let mut groups: BTreeMap<String, Vec<&TaxRow>> = BTreeMap::new();
    for r in rows {
        let key = if r.id_raw.is_empty() {
            format!("姓名:{}", r.name)
        } else {
            r.id_raw.clone()
        };
        let g = groups.entry(key.clone()).or_default();
        if g.is_empty() {
            order.push(key);
        }
        g.push(r);
    }
    order
        .into_iter()
        .map(|key| person(&groups[&key], policy))
        .collect()
}

fn person(rows: &[&TaxRow], policy: &Policy) -> PersonFacts {
    let first = rows[0];
    let mut names: Vec<String> = Vec::new();
    for r in rows {
        if !r.name.is_empty() && !names.contains(&r.name) {
            names.push(r.name.clone());
        }
    }
    let mut by_month: BTreeMap<YearMonth, Vec<&TaxRow>> = BTreeMap::new();
    let mut unplaced = Vec::new();
    let mut other_income = Vec::new();
    for r in rows {
        match r.period {
            Some(p) => by_month.entry(p).or_default().push(r),
            None => unplaced.push((RowRef::of(r), r.problems.clone())),
        }
    }
    let mut months = BTreeMap::new();
    for (period, rs) in by_month {
        let mut m = MonthFacts::default();
        let wage: Vec<&TaxRow> = rs
            .iter()
            .copied()
            .filter(|r| policy.is_wage_item(&r.item))
            .collect();
        for r in rs.iter().filter(|r| !policy.is_wage_item(&r.item)) {
            other_income.push(OtherIncome {
                period,
                item: r.item.clone(),
                income: r.income,
                source: RowRef::of(r),
            });
        }
        for r in rs.iter().filter(|r| r.layout == Layout::DeclarationForm) {
            m.form_rows.push(RowRef::of(r));
            if let Some(a) = &r.agent {
                push_agent(&mut m.agents, a);
            }
        }
        let detail: Vec<&TaxRow> = wage
            .iter()
            .copied()
            .filter(|r| r.layout == Layout::Detail)
            .collect();
        let form: Vec<&TaxRow> = wage
            .iter()
            .copied()
            .filter(|r| r.layout == Layout::DeclarationForm)
            .collect();
        let used = if detail.is_empty() { &form } else { &detail };
        if used.is_empty() {
            if !m.form_rows.is_empty() {
                months.insert(period, m);
            }
            continue;
        }
        let (income, exempt, tax) = sum_rows(used);
        m.income = income;
        m.exempt = exempt;
        m.tax = tax;
        for r in used.iter() {
            m.rows.push(RowRef::of(r));
            m.problems
                .extend(r.problems.iter().map(|p| format!("第 {} 行：{p}", r.row)));
            if let Some(a) = &r.agent {
                push_agent(&mut m.agents, a);
            }
        }
        if !detail.is_empty() && !form.is_empty() {
            let (fi, _, ft) = sum_rows(&form);
            if fi != income {
                m.disagreements
                    .push(format!("{period} 明细收入 {income} 元，申报表收入 {fi} 元"));
            }
            if ft != tax {
                m.disagreements.push(format!(
                    "{period} 明细税额 {} 元，申报表税额 {} 元",
                    tax.map_or("—".into(), |t| t.to_string()),
                    ft.map_or("—".into(), |t| t.to_string())
                ));
            }
        }
        months.insert(period, m);
    }
    PersonFacts {
        id_raw: first.id_raw.clone(),
        id: rows.iter().find_map(|r| r.id.clone()),
        id_type: rows.iter().find_map(|r| r.id_type.clone()),
        names,
        months,
        other_income,
        unplaced,
    }
}

/// The months the policy looks at on an application date.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Window {
    /// First month.
    pub from: YearMonth,
    /// Last month.
    pub to: YearMonth,
    /// Why the window ends where it does, when that is not simply the previous month.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub note: Option<String>,
}

impl Window {
    /// The months, oldest first.
    pub fn months(&self) -> impl Iterator<Item = YearMonth> {
        YearMonth::range_inclusive(self.from, self.to)
    }
}

/// The window of `len` months for a person on `as_of`.
///
/// Declaration lag: tax withheld in month M is declared by the 15th of M+1 (个人所得税法 第十四条;
/// the day is `tax.declaration_deadline_day`), so the latest 税款所属期 due on `as_of` is the
/// month before it. On or before the deadline day that month may not be declared yet: if the
/// person has no wage row for it, the window ends one month earlier and says so. After the
/// deadline a missing month is missing.
pub fn window(as_of: NaiveDate, len: u32, person: &PersonFacts, policy: &Policy) -> Window {
    let latest_due = YearMonth::from_date(as_of).pred();
    let declared = person.months.get(&latest_due).is_some_and(|m| m.present());
    let (to, note) = if !declared && as_of.day() <= policy.tax.declaration_deadline_day {
        (
            latest_due.pred(),
            Some(format!(
                "{latest_due} 的扣缴申报期至 {} 日截止，{} 尚在申报期内且文件中没有 {latest_due} 的记录，窗口截至 {}",
                policy.tax.declaration_deadline_day,
                as_of.format("%Y-%m-%d"),
                latest_due.pred()
            )),
        )
    } else {
        (latest_due, None)
    };
    Window {
        from: to.add_months(-(len as i32 - 1)),
        to,
        note,
    }
}
