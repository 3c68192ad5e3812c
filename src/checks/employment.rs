//! `employer.consistency` across a case, `contract.current`, `employment.tenure` (SPEC §4).

use chrono::Months;

use super::{Evidence, Finding, Status, month_list};
use crate::extract::contract::{LaborContract, TermType};
use crate::extract::text_util::Source;
use crate::facts::Window;
use crate::facts::case::CaseFacts;
use crate::model::{UnitNameMatch, YearMonth, compare_unit_names};

fn ev(document: &str, s: &Source) -> Evidence {
    Evidence::of_source(document, s)
}

/// The applicant unit as the case states it: `case.toml`, or the contract it was inferred
/// from.
fn unit_evidence(f: &CaseFacts, unit: &str) -> Evidence {
    match &f.unit_name_from {
        Some(document) => Evidence::inferred(f, document, "甲方", unit),
        None => Evidence::declared("[unit] name", unit),
    }
}

/// `employer.consistency`: 劳动合同签订单位、个税扣缴单位、社保缴纳单位和申请单位须为同一家单位
/// (三(四)(2)): the contract's 甲方, every withholding agent stated for a window month, every
/// social-insurance payer of a window month, and the applicant unit.
pub fn consistency(f: &CaseFacts, window: Option<&Window>) -> Finding {
    const ID: &str = "employer.consistency";
    const POLICY: &str = "三(四)(2)";
    let Some(unit) = f.unit_name.as_deref() else {
        return Finding::new(
            ID,
            POLICY,
            Status::NeedsReview,
            "申请单位未知（case.toml 未提供，合同中也未读到甲方）".into(),
        );
    };
    let mut differ: Vec<(String, Evidence)> = Vec::new();
    let mut months: Vec<YearMonth> = Vec::new();
    let mut compared = Vec::new();
    // Every name that agreed, cited once per (document, name): what the pass stands on.
    let mut agreed: Vec<(String, String, Evidence)> = Vec::new();
    let mut compare =
        |what: &str, name: &str, e: Evidence, m: Option<YearMonth>| match compare_unit_names(
            unit, name,
        ) {
            UnitNameMatch::Different { reason } => {
                let line = format!("{what}「{name}」（{reason}）");
                if !differ
                    .iter()
                    .any(|(l, d)| *l == line && d.document == e.document)
                {
                    differ.push((line, e));
                }
                if let Some(m) = m
                    && !months.contains(&m)
                {
                    months.push(m);
                }
            }
            _ => {
                if !compared.contains(&what.to_string()) {
                    compared.push(what.to_string());
                }
                match agreed
                    .iter_mut()
                    .find(|(d, n, _)| *d == e.document && n == name)
                {
                    // The weakest read of the same name stands for all of them.
                    Some((_, _, kept)) => {
                        if let Some(c) = e.confidence
                            && kept.confidence.is_none_or(|k| c < k)
                        {
                            *kept = e;
                        }
                    }
                    None => agreed.push((e.document.clone(), name.to_string(), e)),
                }
            }
        };
    for (d, c) in f.contracts() {
        if let Some(e) = &c.employer {
            compare(
                "劳动合同甲方",
                e,
                Evidence::of_field(d, "甲方（用人单位）", e),
                None,
            );
        }
    }
    if let (Some(p), Some(w)) = (&f.person, window) {
        for m in w.months() {
            if let Some(mf) = p.months.get(&m) {
                for a in &mf.agents {
                    let e = mf
                        .rows
                        .first()
                        .map(|r| Evidence::of_row("扣缴明细", r))
                        .unwrap_or_else(|| {
                            Evidence::inferred(f, "扣缴明细", &m.to_string(), &a.name)
                        });
                    compare("扣缴义务人", &a.name, e, Some(m));
                }
            }
        }
    }
    for (d, r) in f.si_records() {
        for s in &r.spells {
            let overlaps = window.is_none_or(|w| {
                s.from.is_none_or(|a| a <= w.to) && s.to.is_none_or(|b| b >= w.from)
            });
            if overlaps && !s.unit.is_empty() {
                let m = window.and_then(|w| s.from.map(|a| a.max(w.from)));
                compare("社保缴费单位", &s.unit, ev(&d.path, &s.source), m);
            }
        }
        for mo in &r.months {
            let inside = window.is_none_or(|w| mo.period.is_some_and(|p| p >= w.from && p <= w.to));
            if inside && !mo.unit.is_empty() {
                compare("社保缴费单位", &mo.unit, ev(&d.path, &mo.source), mo.period);
            }
        }
    }
    if differ.is_empty() {
        if compared.is_empty() {
            return Finding::new(
                ID,
                POLICY,
                Status::NeedsReview,
                format!("材料中没有载明用人、扣缴或缴费单位，无法与「{unit}」核对"),
            );
        }
        let mut x = Finding::new(
            ID,
            POLICY,
            Status::Pass,
            format!("{}均为「{unit}」", compared.join("、")),
        );
        x.evidence.push(unit_evidence(f, unit));
        x.evidence.extend(agreed.into_iter().map(|(_, _, e)| e));
        return x;
    }
    months.sort();
    let mut x = Finding::new(
        ID,
        POLICY,
        Status::Fail,
        format!(
            "与申请单位「{unit}」不一致：{}{}",
            differ
                .iter()
                .map(|d| d.0.clone())
                .collect::<Vec<_>>()
                .join("；"),
            if months.is_empty() {
                String::new()
            } else {
                format!("（{}）", month_list(&months, 6))
            }
        ),
    );
    x.months = months;
    x.evidence.push(unit_evidence(f, unit));
    x.evidence.extend(differ.into_iter().map(|d| d.1));
    x
}

fn covers(c: &LaborContract, day: chrono::NaiveDate) -> bool {
    let started = c.start.is_none_or(|s| s <= day);
    match c.term_type {
        Some(TermType::Fixed) => started && c.end.is_some_and(|e| e >= day),
        Some(TermType::OpenEnded) | Some(TermType::Task) => started,
        None => false,
    }
}

/// `contract.current`: a labour contract covers the application date; a task-bound term needs
/// its end in writing (三(二)(5): 须另附说明，写明合同具体结束时间).
pub fn current(f: &CaseFacts) -> Finding {
    const ID: &str = "contract.current";
    const POLICY: &str = "三(二)(5)";
    let contracts = f.contracts();
    if contracts.is_empty() {
        return Finding::new(
            ID,
            POLICY,
            Status::NeedsMaterial,
            "没有劳动（聘用）合同".into(),
        );
    }
    let cite = |d: &crate::facts::case::CaseDoc, c: &LaborContract| {
        c.term_source
            .as_ref()
            .map(|s| ev(&d.path, s))
            .into_iter()
            .collect::<Vec<_>>()
    };
    if let Some((d, c)) = contracts.iter().find(|(_, c)| covers(c, f.as_of)) {
        let (status, msg) = match c.term_type {
            Some(TermType::Fixed) => (
                Status::Pass,
                format!(
                    "固定期限合同 {} 至 {}，覆盖申请日",
                    fmt(c.start),
                    fmt(c.end)
                ),
            ),
            Some(TermType::OpenEnded) => (
                Status::Pass,
                format!("无固定期限合同，自 {} 起", fmt(c.start)),
            ),
            _ => (
                Status::NeedsMaterial,
                format!(
                    "以完成一定工作任务为期限（{}），须另附说明，写明合同具体结束时间",
                    c.task.as_deref().unwrap_or("任务未写明")
                ),
            ),
        };
        let mut x = Finding::new(ID, POLICY, status, msg);
        x.evidence = cite(d, c);
        return x;
    }
    let (d, c) = contracts[0];
    if c.term_type.is_none() || c.start.is_none() {
        let mut x = Finding::new(
            ID,
            POLICY,
            Status::NeedsReview,
            format!("{} 的合同期限无法读取", d.path),
        );
        x.evidence = cite(d, c);
        return x;
    }
    let mut x = Finding::new(
        ID,
        POLICY,
        Status::Fail,
        format!(
            "劳动合同期限 {} 至 {} 不覆盖申请日 {}",
            fmt(c.start),
            fmt(c.end),
            f.as_of
        ),
    );
    x.evidence = cite(d, c);
    x
}

fn fmt(d: Option<chrono::NaiveDate>) -> String {
    d.map_or("—".into(), |d| d.to_string())
}

/// `employment.tenure`: employed by the unit continuously for at least a year (二(二):
/// 在用人单位连续聘用1年以上) — from the current contract's start, else from the withholding
/// months of the window.
pub fn tenure(f: &CaseFacts, window: Option<&Window>, months: u32) -> Finding {
    const ID: &str = "employment.tenure";
    const POLICY: &str = "二(二)";
    let limit = f
        .as_of
        .checked_sub_months(Months::new(months))
        .unwrap_or(f.as_of);
    let contracts = f.contracts();
    if let Some((d, c)) = contracts.iter().find(|(_, c)| covers(c, f.as_of))
        && let Some(start) = c.start
    {
        {
            let mut x = if start <= limit {
                Finding::new(
                    ID,
                    POLICY,
                    Status::Pass,
                    format!("自 {start} 起受聘，至申请日已满 {months} 个月"),
                )
            } else {
                Finding::new(
                    ID,
                    POLICY,
                    Status::Fail,
                    format!("自 {start} 起受聘，至申请日 {} 不满 {months} 个月", f.as_of),
                )
            };
            x.evidence = c
                .term_source
                .as_ref()
                .map(|s| ev(&d.path, s))
                .into_iter()
                .collect();
            return x;
        }
    }
    if let (Some(p), Some(w)) = (&f.person, window)
        && w.months()
            .all(|m| p.months.get(&m).is_some_and(|x| x.present()))
    {
        return Finding::new(
            ID,
            POLICY,
            Status::Pass,
            format!(
                "{} 至 {} 连续由单位扣缴个税（合同起始日未读到）",
                w.from, w.to
            ),
        );
    }
    Finding::new(
        ID,
        POLICY,
        Status::NeedsMaterial,
        "无法确认连续聘用满一年：没有覆盖申请日的劳动合同起始日期".into(),
    )
}
