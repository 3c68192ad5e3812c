//! `tax.continuity`, `tax.income_threshold`, `tax.zero_tax_months` (SPEC §4; policy 二(二),
//! 三(二)(7)).

use super::{Evidence, Finding, Shortfall, Status, month_list, yuan_whole};
use crate::facts::{MonthFacts, PersonFacts, Window};
use crate::model::YearMonth;
use crate::policy::{FigureStatus, Policy};

/// Evidence for the rows of one month.
pub fn month_evidence(document: &str, m: &MonthFacts) -> Vec<Evidence> {
    m.rows
        .iter()
        .map(|r| Evidence::of_row(document, r))
        .collect()
}

/// Evidence for every window month the person has: the rows a pass stands on.
fn window_evidence(person: &PersonFacts, window: &Window, document: &str) -> Vec<Evidence> {
    window
        .months()
        .filter_map(|p| person.months.get(&p))
        .flat_map(|m| month_evidence(document, m))
        .collect()
}

/// `tax.continuity`: a wage-withholding row in every month of the window (三(二)(7): 最近12个月
/// 需要连续缴纳).
pub fn continuity(person: &PersonFacts, window: &Window, document: &str) -> Finding {
    const ID: &str = "tax.continuity";
    const POLICY: &str = "三(二)(7)";
    let missing: Vec<YearMonth> = window
        .months()
        .filter(|m| !person.months.get(m).is_some_and(MonthFacts::present))
        .collect();
    let n = window.months().count();
    if missing.is_empty() {
        let mut f = Finding::new(
            ID,
            POLICY,
            Status::Pass,
            format!(
                "{} 至 {} 连续 {n} 个月均有工资薪金扣缴记录",
                window.from, window.to
            ),
        );
        f.evidence = window_evidence(person, window, document);
        return f;
    }
    let mut f = if person.unplaced.is_empty() {
        Finding::new(
            ID,
            POLICY,
            Status::Fail,
            format!("缺少 {} 的工资薪金扣缴记录", month_list(&missing, 6)),
        )
    } else {
        // A row whose 税款所属期 could not be read may be the missing month.
        Finding::new(
            ID,
            POLICY,
            Status::NeedsReview,
            format!(
                "缺少 {} 的工资薪金扣缴记录；另有 {} 行的税款所属期无法读取，需人工核对",
                month_list(&missing, 6),
                person.unplaced.len()
            ),
        )
    };
    f.evidence = person
        .unplaced
        .iter()
        .map(|(r, problems)| Evidence {
            text: format!("{}（{}）", r.text, problems.join("；")),
            ..Evidence::of_row(document, r)
        })
        .collect();
    f.months = missing;
    f
}

/// `tax.income_threshold`: every month of the window at or above 1.2 × the previous year's
/// average monthly wage (二(二); the guide's table in 三(二)(7)).
///
/// A month judged against a figure that is only reported cannot pass: it needs review. A month
/// whose year is missing from the policy table needs review and names the year.
pub fn income_threshold(
    person: &PersonFacts,
    window: &Window,
    policy: &Policy,
    document: &str,
) -> Finding {
    const ID: &str = "tax.income_threshold";
    const POLICY: &str = "二(二)；三(二)(7) 表";
    let basis = policy.tax.income_basis;
    let mut under = Vec::new();
    let mut review: Vec<(YearMonth, String)> = Vec::new();
    let mut absent = Vec::new();
    let mut evidence = Vec::new();
    for period in window.months() {
        let Some(m) = person.months.get(&period).filter(|m| m.present()) else {
            absent.push(period);
            continue;
        };
        if !m.problems.is_empty() {
            review.push((
                period,
                format!("{period} 的数据无法读取（{}）", m.problems.join("；")),
            ));
            evidence.extend(month_evidence(document, m));
            continue;
        }
        let income = m.taxable_income(basis);
        match policy.monthly_threshold(period) {
            Err(gap) => review.push((period, format!("{period}：{gap}"))),
            Ok(t) if income < t.fen => {
                under.push(Shortfall {
                    period,
                    income_fen: income,
                    threshold_fen: t.fen,
                    shortfall_fen: t.fen - income,
                });
                evidence.extend(month_evidence(document, m));
            }
            Ok(t) if t.status == FigureStatus::Reported => review.push((
                period,
                format!(
                    "{period} 收入 {income} 元达到 {} 元，但 {} 年平均工资 {} 元仅为转述数据（{}），未经核实",
                    yuan_whole(t.fen),
                    t.basis_year,
                    t.average_yuan,
                    t.source
                ),
            )),
            Ok(_) => {}
        }
    }
    if !under.is_empty() {
        let parts: Vec<String> = under
            .iter()
            .take(6)
            .map(|s| {
                format!(
                    "{} 收入 {} 元，低于 {} 元（差 {} 元）",
                    s.period,
                    s.income_fen,
                    yuan_whole(s.threshold_fen),
                    s.shortfall_fen
                )
            })
            .collect();
        let mut msg = parts.join("；");
        if under.len() > 6 {
            msg.push_str(&format!("；共 {} 个月低于标准", under.len()));
        }
        let mut f = Finding::new(ID, POLICY, Status::Fail, msg);
        f.months = under.iter().map(|s| s.period).collect();
        f.shortfalls = under;
        f.evidence = evidence;
        return f;
    }
    if !review.is_empty() {
        let mut f = Finding::new(
            ID,
            POLICY,
            Status::NeedsReview,
            review
                .iter()
                .map(|r| r.1.clone())
                .collect::<Vec<_>>()
                .join("；"),
        );
        f.months = review.iter().map(|r| r.0).collect();
        f.evidence = evidence;
        return f;
    }
    if !absent.is_empty() {
        let mut f = Finding::new(
            ID,
            POLICY,
            Status::NeedsMaterial,
            format!(
                "{} 没有收入记录，无法判断是否达到标准",
                month_list(&absent, 6)
            ),
        );
        f.months = absent;
        return f;
    }
    let mut f = Finding::new(
        ID,
        POLICY,
        Status::Pass,
        format!(
            "{} 至 {} 每月应税收入均不低于上一年度北京市平均工资的 {} 倍",
            window.from, window.to, policy.thresholds.monthly_income
        ),
    );
    f.evidence = window_evidence(person, window, document);
    f
}

/// `tax.zero_tax_months`: a month with zero tax withheld must be covered by the export's
/// 综合所得申报表 (三(二)(7): 如果员工存在有个税为 0 情况，请打印导出表格的标签 2“综合所得申报表”).
pub fn zero_tax_months(person: &PersonFacts, window: &Window, document: &str) -> Finding {
    const ID: &str = "tax.zero_tax_months";
    const POLICY: &str = "三(二)(7)";
    let mut uncovered = Vec::new();
    let mut covered = Vec::new();
    let mut unknown = Vec::new();
    let mut evidence = Vec::new();
    for period in window.months() {
        let Some(m) = person.months.get(&period).filter(|m| m.present()) else {
            continue;
        };
        match m.tax {
            None => unknown.push(period),
            Some(t) if t.fen() == 0 => {
                if m.form_rows.is_empty() {
                    uncovered.push(period);
                    evidence.extend(month_evidence(document, m));
                } else {
                    covered.push(period);
                    evidence.extend(m.form_rows.iter().map(|r| Evidence::of_row(document, r)));
                }
            }
            Some(_) => {}
        }
    }
    if !uncovered.is_empty() {
        let mut f = Finding::new(
            ID,
            POLICY,
            Status::NeedsMaterial,
            format!(
                "{} 个税为 0，文件中没有该月的综合所得申报表：需打印导出表格的标签 2“综合所得申报表”并加盖公章、财务章",
                month_list(&uncovered, 6)
            ),
        );
        f.months = uncovered;
        f.evidence = evidence;
        return f;
    }
    if !unknown.is_empty() {
        let mut f = Finding::new(
            ID,
            POLICY,
            Status::NeedsReview,
            format!(
                "{} 的税额无法读取，无法判断是否为零税额月份",
                month_list(&unknown, 6)
            ),
        );
        f.months = unknown;
        return f;
    }
    if !covered.is_empty() {
        let mut f = Finding::new(
            ID,
            POLICY,
            Status::Pass,
            format!(
                "{} 个税为 0，已有该月的综合所得申报表",
                month_list(&covered, 6)
            ),
        );
        f.months = covered;
        f.evidence = evidence;
        return f;
    }
    let evidence = window_evidence(person, window, document);
    if evidence.is_empty() {
        return Finding::new(
            ID,
            POLICY,
            Status::NotApplicable,
            "窗口内没有该员工的工资薪金扣缴记录，无零税额月份可查".to_string(),
        );
    }
    let mut f = Finding::new(
        ID,
        POLICY,
        Status::Pass,
        "窗口内没有个税为 0 的月份".to_string(),
    );
    f.evidence = evidence;
    f
}
