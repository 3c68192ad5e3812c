//! Records merged into one timeline per person and month: what the checks see.
//!
//! Contract: built only from extracted records (no I/O); every month keeps the rows it came
//! from, so every finding can cite them. Where the 明细 and the 申报表 of one file both state a
//! month, the 明细 rows give the figures and a disagreement is recorded, never averaged.

pub mod case;
pub mod case_toml;

use std::collections::{BTreeMap, HashMap};
use std::sync::Arc;

use chrono::{Datelike, NaiveDate};
use serde::Serialize;

use crate::extract::tax_export::{Agent, Layout, RowText, TaxRow};
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
    /// Its box on the page, for a printed export.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub region: Option<crate::read::text::Region>,
    /// The row's understood cells as read.
    pub text: RowText,
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
            region: r.region,
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

/// Wage rows of one layout in one person's month, summed as they arrive.
#[derive(Default)]
struct Part {
    rows: Vec<RowRef>,
    income: Fen,
    exempt: Fen,
    /// `None` once a row lacks a tax figure.
    tax: Option<Fen>,
    problems: Vec<String>,
    agents: Vec<Arc<Agent>>,
}

impl Part {
    fn add(&mut self, r: &TaxRow) {
        if self.rows.is_empty() {
            self.tax = Some(Fen::ZERO);
        }
        self.income = self
            .income
            .checked_add(r.income.unwrap_or(Fen::ZERO))
            .unwrap_or(self.income);
        self.exempt = self
            .exempt
            .checked_add(r.exempt.unwrap_or(Fen::ZERO))
            .unwrap_or(self.exempt);
        self.tax = match (self.tax, r.tax) {
            (Some(t), Some(x)) => t.checked_add(x),
            _ => None,
        };
        // A month has a row or two: no room for four (a Vec's first growth) in 10⁵ months.
        self.rows.reserve_exact(1);
        self.rows.push(RowRef::of(r));
        self.problems
            .extend(r.problems.iter().map(|p| format!("第 {} 行：{p}", r.row)));
        if let Some(a) = &r.agent {
            push_agent(&mut self.agents, a);
        }
    }
}

/// One person's month while rows arrive: the 明细 wage rows, and the rest (in most exports
/// nothing) apart, so that a month of a 明细 alone stays small.
#[derive(Default)]
struct MonthAcc {
    /// Wage rows of a 明细.
    detail: Part,
    rest: Option<Box<MonthRest>>,
}

/// What a month holds besides its 明细 wage rows.
#[derive(Default)]
struct MonthRest {
    /// Wage rows of a 申报表.
    form: Part,
    /// Every 申报表 row (any 所得项目) and the agents they state.
    form_rows: Vec<RowRef>,
    form_agents: Vec<Arc<Agent>>,
    other: Vec<OtherIncome>,
}

/// One person while rows arrive.
struct PersonAcc {
    id_raw: String,
    id: Option<IdNumber>,
    id_type: Option<Arc<str>>,
    names: Vec<String>,
    /// Months in order (a person has a dozen or two: a sorted `Vec`, smaller than a tree).
    months: Vec<(YearMonth, MonthAcc)>,
    unplaced: Vec<(RowRef, Vec<String>)>,
}

/// Builds the people of an export from its rows one at a time, keeping per person and month
/// only what the checks read and cite (sums, problems, agents and the rows' references),
/// never the rows themselves: `jobs::precheck` feeds it while the file is being read.
///
/// The result is [`people`]'s: people in first-seen order (by 证件号码, or by name where the
/// number is empty), months in order; where a month has 明细 wage rows they give its figures,
/// else the 申报表's, and both stated is compared.
pub struct PeopleBuilder<'p> {
    policy: &'p Policy,
    index: HashMap<String, usize>,
    people: Vec<PersonAcc>,
    /// 所得项目 seen and whether each is a wage item (a few distinct values per file).
    items: Vec<(Arc<str>, bool)>,
    rows: usize,
}

impl<'p> PeopleBuilder<'p> {
    /// An empty builder.
    pub fn new(policy: &'p Policy) -> Self {
        PeopleBuilder {
            policy,
            index: HashMap::new(),
            people: Vec::new(),
            items: Vec::new(),
            rows: 0,
        }
    }

    /// Rows pushed so far.
    pub fn rows(&self) -> usize {
        self.rows
    }

    fn is_wage(&mut self, item: &Arc<str>) -> bool {
        if let Some((_, w)) = self
            .items
            .iter()
            .find(|(i, _)| Arc::ptr_eq(i, item) || **i == **item)
        {
            return *w;
        }
        let w = self.policy.is_wage_item(item);
        if self.items.len() < 64 {
            self.items.push((item.clone(), w));
        }
        w
    }

    /// Takes one row into its person's timeline.
    pub fn push(&mut self, r: &TaxRow) {
        self.rows += 1;
        let slot = if r.id_raw.is_empty() {
            let key = format!("姓名:{}", r.name);
            self.slot(key, r)
        } else if let Some(&i) = self.index.get(r.id_raw.as_str()) {
            i
        } else {
            self.slot(r.id_raw.clone(), r)
        };
        let wage = r.period.is_some() && self.is_wage(&r.item);
        let p = &mut self.people[slot];
        if !r.name.is_empty() && !p.names.contains(&r.name) {
            p.names.push(r.name.clone());
        }
        if p.id.is_none() {
            p.id = r.id.clone();
        }
        if p.id_type.is_none() {
            p.id_type = r.id_type.clone();
        }
        let Some(period) = r.period else {
            p.unplaced.push((RowRef::of(r), r.problems.clone()));
            return;
        };
        let i = match p.months.binary_search_by_key(&period, |(m, _)| *m) {
            Ok(i) => i,
            Err(i) => {
                p.months.insert(i, (period, MonthAcc::default()));
                i
            }
        };
        let m = &mut p.months[i].1;
        if wage && r.layout == Layout::Detail {
            m.detail.add(r);
            return;
        }
        let rest = m.rest.get_or_insert_default();
        if !wage {
            rest.other.push(OtherIncome {
                period,
                item: r.item.clone(),
                income: r.income,
                source: RowRef::of(r),
            });
        }
        if r.layout == Layout::DeclarationForm {
            rest.form_rows.push(RowRef::of(r));
            if let Some(a) = &r.agent {
                push_agent(&mut rest.form_agents, a);
            }
            if wage {
                rest.form.add(r);
            }
        }
    }

    fn slot(&mut self, key: String, r: &TaxRow) -> usize {
        if let Some(&i) = self.index.get(&key) {
            return i;
        }
        let i = self.people.len();
        self.index.insert(key, i);
        self.people.push(PersonAcc {
            id_raw: r.id_raw.clone(),
            id: None,
            id_type: None,
            names: Vec::new(),
            months: Vec::new(),
            unplaced: Vec::new(),
        });
        i
    }

    /// The timelines, in first-seen order.
    pub fn finish(self) -> Vec<PersonFacts> {
        self.people.into_iter().map(PersonAcc::finish).collect()
    }
}

impl PersonAcc {
    fn finish(self) -> PersonFacts {
        // In order already: collected (BTreeMap's bulk build, full nodes), not inserted.
        let mut months = Vec::with_capacity(self.months.len());
        let mut other_income = Vec::new();
        for (period, acc) in self.months {
            let rest = acc.rest.map(|r| *r).unwrap_or_default();
            other_income.extend(rest.other);
            let mut m = MonthFacts {
                form_rows: rest.form_rows,
                agents: rest.form_agents,
                ..MonthFacts::default()
            };
            let both = !acc.detail.rows.is_empty() && !rest.form.rows.is_empty();
            let (used, form) = if acc.detail.rows.is_empty() {
                (rest.form, None)
            } else {
                (acc.detail, Some(rest.form))
            };
            if used.rows.is_empty() {
                if !m.form_rows.is_empty() {
                    months.push((period, m));
                }
                continue;
            }
            let (income, tax) = (used.income, used.tax);
            m.income = used.income;
            m.exempt = used.exempt;
            m.tax = used.tax;
            m.rows = used.rows;
            m.problems = used.problems;
            for a in &used.agents {
                push_agent(&mut m.agents, a);
            }
            if both && let Some(form) = form {
                let (fi, ft) = (form.income, form.tax);
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
            months.push((period, m));
        }
        PersonFacts {
            id_raw: self.id_raw,
            id: self.id,
            id_type: self.id_type,
            names: self.names,
            months: months.into_iter().collect(),
            other_income,
            unplaced: self.unplaced,
        }
    }
}

/// Groups rows by person (证件号码, or the name where the number is empty) in first-seen order.
pub fn people(rows: &[&TaxRow], policy: &Policy) -> Vec<PersonFacts> {
    let mut b = PeopleBuilder::new(policy);
    for r in rows {
        b.push(r);
    }
    b.finish()
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

#[cfg(test)]
mod tests {
    use super::*;

    fn row(n: u32, id: &str, name: &str, period: Option<(i32, u32)>, layout: Layout) -> TaxRow {
        TaxRow {
            document: Arc::from(""),
            sheet: Arc::from(if layout == Layout::Detail {
                "明细"
            } else {
                "申报表"
            }),
            row: n,
            locator: None,
            region: None,
            layout,
            name: name.into(),
            id_raw: id.into(),
            id: IdNumber::parse(id).ok(),
            id_type: None,
            period: period.and_then(|(y, m)| YearMonth::new(y, m)),
            item: Arc::from("正常工资薪金所得"),
            item_assumed: false,
            income: Some(Fen::from_yuan(10_000)),
            exempt: None,
            tax: Some(Fen::from_yuan(30)),
            agent: None,
            problems: Vec::new(),
            text: RowText::plain(&format!("第 {n} 行")),
            confidence: None,
            read_by: crate::read::text::ReadBy::Spreadsheet,
        }
    }

    /// Rows in any order: people in first-seen order, months in order; a month's 明细 rows
    /// give its figures and a 申报表 that disagrees is recorded; other items, rows without a
    /// month and names are kept as `people` always kept them.
    #[test]
    fn the_builder_groups_rows_as_they_arrive() {
        let policy = Policy::builtin().unwrap();
        let a = "11010519491231002X";
        let mut rows = [
            row(2, a, "张三", Some((2020, 3)), Layout::Detail),
            row(3, "", "李四", Some((2020, 1)), Layout::Detail),
            row(4, a, "张三", Some((2020, 1)), Layout::Detail),
            row(5, a, "张叁", Some((2020, 1)), Layout::Detail),
            row(6, a, "张三", Some((2020, 1)), Layout::DeclarationForm),
            row(7, a, "张三", Some((2020, 2)), Layout::DeclarationForm),
            row(8, a, "张三", None, Layout::Detail),
            row(9, a, "张三", Some((2019, 12)), Layout::Detail),
        ];
        rows[4].income = Some(Fen::from_yuan(9_000));
        rows[7].item = Arc::from("劳务报酬所得");
        rows[7].problems = vec!["x".into()];
        let refs: Vec<&TaxRow> = rows.iter().collect();
        let people = people(&refs, &policy);
        assert_eq!(people.len(), 2);
        let p = &people[0];
        assert_eq!(p.names, vec!["张三", "张叁"]);
        assert!(p.id.is_some());
        let ym = |y, m| YearMonth::new(y, m).unwrap();
        let jan = &p.months[&ym(2020, 1)];
        assert_eq!(jan.income, Fen::from_yuan(20_000));
        assert_eq!(jan.tax, Some(Fen::from_yuan(60)));
        assert_eq!(jan.rows.iter().map(|r| r.row).collect::<Vec<_>>(), [4, 5]);
        assert_eq!(jan.form_rows.len(), 1);
        assert_eq!(jan.disagreements.len(), 2, "{:?}", jan.disagreements);
        // A month the 申报表 alone states: its figures.
        let feb = &p.months[&ym(2020, 2)];
        assert_eq!(feb.income, Fen::from_yuan(10_000));
        assert!(feb.disagreements.is_empty());
        assert_eq!(p.other_income.len(), 1);
        assert_eq!(p.other_income[0].period, ym(2019, 12));
        assert!(!p.months.contains_key(&ym(2019, 12)));
        assert_eq!(p.unplaced.len(), 1);
        assert_eq!(
            p.months.keys().copied().collect::<Vec<_>>(),
            [ym(2020, 1), ym(2020, 2), ym(2020, 3)]
        );
        assert_eq!(people[1].name(), "李四");
        assert_eq!(people[1].id_raw, "");
    }
}
