//! `si.continuity` (and `renewal.si_continuity`), `si.base_matches_income` (SPEC §4; 二(二),
//! 三(二)(13)).
//!
//! The rights record is aggregated per employer spell and per year (`document-formats.md` §3):
//! a month counts as paid when a spell covers it, and a year marked `*` contains 补缴 somewhere,
//! so every window month of that year needs the unit's explanation. A month-by-month 缴费明细,
//! where present, decides month questions.

use std::collections::BTreeMap;

use super::{Evidence, Finding, Status, month_list};
use crate::checks::pipeline::CheckSpec;
use crate::facts::Window;
use crate::facts::case::CaseFacts;
use crate::model::{Fen, YearMonth};
use crate::policy::Policy;

/// What the social-insurance documents say about one month.
#[derive(Clone, Debug, Default)]
pub struct SiMonth {
    /// `paid` or `supplementary` (补缴, 缓缴, late arrival, or a `*` year).
    pub status: &'static str,
    /// The paying unit.
    pub payer: Option<String>,
    /// The monthly base (from the 缴费明细, or the year's base divided by its months).
    pub base: Option<Fen>,
    /// Where.
    pub evidence: Vec<Evidence>,
}

/// The social-insurance timeline of a case.
pub fn months(f: &CaseFacts) -> BTreeMap<YearMonth, SiMonth> {
    let mut out: BTreeMap<YearMonth, SiMonth> = BTreeMap::new();
    let ev = Evidence::of_source;
    for (d, r) in f.si_records() {
        for s in &r.spells {
            if let (Some(a), Some(b)) = (s.from, s.to) {
                for m in YearMonth::range_inclusive(a, b).take(600) {
                    let e = out.entry(m).or_default();
                    if e.status.is_empty() {
                        e.status = "paid";
                    }
                    e.payer.get_or_insert_with(|| s.unit.clone());
                    if e.evidence.is_empty() {
                        e.evidence.push(ev(&d.path, &s.source));
                    }
                }
            }
        }
        for y in &r.years {
            let (Some(a), Some(b)) = (y.from, y.to) else {
                continue;
            };
            let base = y
                .pension
                .as_ref()
                .and_then(|p| match (p.base_fen, p.months) {
                    (Some(b), Some(n)) if n > 0 => Some(Fen(b.fen() / n as i64)),
                    _ => None,
                });
            for m in YearMonth::range_inclusive(a, b).take(24) {
                let e = out.entry(m).or_default();
                if y.supplementary {
                    e.status = "supplementary";
                    e.evidence.push(ev(&d.path, &y.source));
                }
                if e.base.is_none() {
                    e.base = base;
                }
            }
        }
    }
    // The month-by-month records last: where one states a month, it decides that month (a `*`
    // year of the rights record says only that 补缴 happened somewhere in the year). Several
    // rows for one month (a 补差 row beside the normal one): any 补缴 row marks the month.
    let mut decided: std::collections::BTreeSet<YearMonth> = std::collections::BTreeSet::new();
    for (d, r) in f.si_records() {
        for mo in r
            .months
            .iter()
            .filter(|m| m.insurance.is_empty() || m.insurance.contains("养老"))
        {
            let Some(p) = mo.period else { continue };
            let e = out.entry(p).or_default();
            if decided.insert(p) {
                e.status = "paid";
                e.evidence.clear();
            }
            if mo.supplementary {
                e.status = "supplementary";
            }
            if !mo.unit.is_empty() {
                e.payer = Some(mo.unit.clone());
            }
            if mo.base_fen.is_some() {
                e.base = mo.base_fen;
            }
            e.evidence.push(ev(&d.path, &mo.source));
        }
    }
    out
}

/// The evidence of some months, each entry once (a spell covers many months).
fn months_evidence(sm: &BTreeMap<YearMonth, SiMonth>, months: &[YearMonth]) -> Vec<Evidence> {
    let mut out: Vec<Evidence> = Vec::new();
    for e in months
        .iter()
        .filter_map(|m| sm.get(m))
        .flat_map(|s| s.evidence.iter())
    {
        if !out
            .iter()
            .any(|o| o.document == e.document && o.locator == e.locator)
        {
            out.push(e.clone());
        }
    }
    out
}

/// `si.continuity` / `renewal.si_continuity`: paid in every month of the window; 缓缴、断缴、补缴
/// need the unit's explanation (三(二)(13)B).
pub fn continuity(f: &CaseFacts, w: &Window, id: &'static str) -> Finding {
    let policy = if id == "renewal.si_continuity" {
        "三(三)"
    } else {
        "三(二)(13)"
    };
    if f.si_records().is_empty() {
        return Finding::new(
            id,
            policy,
            Status::NotApplicable,
            "材料中没有社保记录（工作居住证管理系统自动比对社保，无需提交）；如有缓缴、断缴、补缴须另附说明".into(),
        );
    }
    let sm = months(f);
    let missing: Vec<YearMonth> = w.months().filter(|m| !sm.contains_key(m)).collect();
    let supplementary: Vec<YearMonth> = w
        .months()
        .filter(|m| sm.get(m).is_some_and(|x| x.status == "supplementary"))
        .collect();
    if missing.is_empty() && supplementary.is_empty() {
        let mut x = Finding::new(
            id,
            policy,
            Status::Pass,
            format!("{} 至 {} 每月均有社保缴费", w.from, w.to),
        );
        x.evidence = months_evidence(&sm, &w.months().collect::<Vec<_>>());
        return x;
    }
    let mut parts = Vec::new();
    if !missing.is_empty() {
        parts.push(format!("{} 没有缴费记录（断缴）", month_list(&missing, 6)));
    }
    if !supplementary.is_empty() {
        parts.push(format!("{} 含补缴或迟缴", month_list(&supplementary, 6)));
    }
    let mut x = Finding::new(
        id,
        policy,
        Status::NeedsMaterial,
        format!(
            "{}：单位须出具说明材料，详细说明社保缴纳情况及原因（三(二)(13)B）",
            parts.join("；")
        ),
    );
    x.evidence = months_evidence(&sm, &supplementary);
    x.months = missing.into_iter().chain(supplementary).collect();
    x.months.sort();
    x.months.dedup();
    x
}

/// `si.base_matches_income`: 社保缴费基数与个税申报收入额相符 (二(二)). The base is compared with
/// the month's taxable income clamped to that contribution year's base limits; a base under the
/// income is under-declared (a finding); a base above it needs the unit's material on the wage
/// adjustment (三(二)(13)A).
pub fn base_matches_income(
    f: &CaseFacts,
    w: &Window,
    spec: &CheckSpec,
    policy: &Policy,
) -> Finding {
    const ID: &str = "si.base_matches_income";
    const POLICY: &str = "二(二)；三(二)(13)A";
    let tol = spec.tolerance_permille.unwrap_or(100) as i64;
    let Some(p) = &f.person else {
        return Finding::new(
            ID,
            POLICY,
            Status::NotApplicable,
            "没有载明收入的扣缴明细".into(),
        );
    };
    let sm = months(f);
    let mut under = Vec::new();
    let mut over = Vec::new();
    // Months whose base is the upper limit derived from the wage table, and months that
    // cannot be judged because the table has no limits for their year.
    let mut capped: Vec<String> = Vec::new();
    let mut unknown: Vec<String> = Vec::new();
    let mut compared = 0;
    let mut evidence = Vec::new();
    // What a pass stands on: every compared month's base and income.
    let mut compared_evidence = Vec::new();
    for m in w.months() {
        let (Some(mf), Some(s)) = (p.months.get(&m).filter(|x| x.present()), sm.get(&m)) else {
            continue;
        };
        let Some(base) = s.base else { continue };
        let income = mf.taxable_income(policy.tax.income_basis);
        let limits = policy
            .si_base
            .iter()
            .filter(|b| b.from.parse::<YearMonth>().is_ok_and(|from| from <= m))
            .max_by_key(|b| b.from.clone());
        let expected = match limits {
            Some(l) => Fen(income.fen().clamp(l.lower * 100, l.upper * 100)),
            None => income,
        };
        compared += 1;
        compared_evidence.extend(s.evidence.iter().cloned());
        compared_evidence.extend(super::tax::month_evidence("扣缴明细", mf));
        let diff = base.fen() - expected.fen();
        if diff.abs() * 1000 > tol * expected.fen().max(1) {
            if diff < 0 && limits.is_none() {
                // The table has no limits for this year: a base under the income may be the
                // upper limit (3 × a previous year's average monthly wage; which year applies
                // from which month is not verified before 2021, so either of the two before).
                let cap = |y: i32| {
                    policy
                        .average_wage
                        .get(&y)
                        .and_then(|a| a.monthly.as_ref())
                        .filter(|f| f.status == crate::policy::FigureStatus::Verified)
                        .map(|f| f.yuan * 3 * 100)
                };
                let y = m.year();
                if let Some(py) = [y - 1, y - 2]
                    .into_iter()
                    .find(|py| cap(*py) == Some(base.fen()))
                {
                    capped.push(format!("{m}（{py} 年平均工资 × 3）"));
                } else {
                    unknown.push(format!("{m} 基数 {base} 元，收入 {income} 元"));
                    evidence.extend(s.evidence.iter().cloned());
                    evidence.extend(super::tax::month_evidence("扣缴明细", mf));
                }
                continue;
            }
            if diff < 0 {
                under.push(format!("{m} 基数 {base} 元，收入 {income} 元"));
            } else {
                over.push(format!("{m} 基数 {base} 元，收入 {income} 元"));
            }
            evidence.extend(s.evidence.iter().cloned());
            evidence.extend(super::tax::month_evidence("扣缴明细", mf));
        }
    }
    if compared == 0 {
        return Finding::new(
            ID,
            POLICY,
            Status::NotApplicable,
            "没有同时载明社保基数与收入的月份".into(),
        );
    }
    let mut x = if !under.is_empty() {
        Finding::new(
            ID,
            POLICY,
            Status::Fail,
            format!("社保基数低于申报收入（少报基数）：{}", under.join("；")),
        )
    } else if !over.is_empty() {
        Finding::new(
            ID,
            POLICY,
            Status::NeedsMaterial,
            format!(
                "社保基数与当期收入不一致，如因工资调整，须提供应税收入材料并加盖公章及财务章（三(二)(13)A）：{}",
                over.join("；")
            ),
        )
    } else if !unknown.is_empty() {
        Finding::new(
            ID,
            POLICY,
            Status::NeedsReview,
            format!(
                "社保基数低于申报收入，政策表缺少该年度社保缴费基数上下限，无法判断是否为封顶基数：{}",
                unknown.join("；")
            ),
        )
    } else {
        evidence = compared_evidence;
        let mut msg = format!("{compared} 个月的社保基数与申报收入相符（容差 {}‰）", tol);
        if !capped.is_empty() {
            msg.push_str(&format!(
                "；其中 {} 个月收入高于上限，基数为缴费基数上限：{}",
                capped.len(),
                capped.join("、")
            ));
        }
        Finding::new(ID, POLICY, Status::Pass, msg)
    };
    x.evidence = evidence;
    x
}
