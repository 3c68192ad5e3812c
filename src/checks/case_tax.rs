//! The tax checks of a case: the window, `tax.continuity`, `tax.income_threshold` and
//! `tax.zero_tax_months` over every document, `tax.cross_document`, the renewal's
//! `renewal.income_yearly`, and categories 4 and 5 (SPEC §4).
//!
//! Monthly income comes only from documents that state it (the withholding export, as a
//! spreadsheet or printed): a bundle with only 纳税记录 cannot pass the income threshold and
//! needs material (三(二)(7)).

use chrono::Datelike;

use super::{Evidence, Finding, Status, month_list, tax, yuan_whole};
use crate::facts::Window;
use crate::facts::case::CaseFacts;
use crate::model::{Fen, YearMonth};
use crate::policy::{FigureStatus, Policy, Threshold};

/// The window of `len` months for the case: from the applicant's export timeline when there
/// is one (with the declaration lag of `facts::window`), else from the 纳税记录's months.
pub fn window(f: &CaseFacts, len: u32, policy: &Policy) -> Window {
    if let Some(p) = &f.person {
        return crate::facts::window(f.as_of, len, p, policy);
    }
    let latest_due = YearMonth::from_date(f.as_of).pred();
    let declared = f.tax_paid.contains_key(&latest_due);
    let to = if !declared && f.as_of.day() <= policy.tax.declaration_deadline_day {
        latest_due.pred()
    } else {
        latest_due
    };
    Window {
        from: to.add_months(-(len as i32 - 1)),
        to,
        note: (to != latest_due).then(|| format!("{latest_due} 尚在申报期内，窗口截至 {to}")),
    }
}

fn paid_evidence(f: &CaseFacts, m: YearMonth) -> Vec<Evidence> {
    f.tax_paid
        .get(&m)
        .into_iter()
        .flatten()
        .map(|p| Evidence::of_source(&p.document, &p.source))
        .collect()
}

/// What a tax check over the window stands on: the export rows of every window month (the
/// 纳税记录 rows of the months no export states).
fn window_evidence(f: &CaseFacts, w: &Window) -> Vec<Evidence> {
    let mut v = Vec::new();
    for m in w.months() {
        match f
            .person
            .as_ref()
            .and_then(|p| p.months.get(&m))
            .filter(|x| x.present())
        {
            Some(mf) => v.extend(tax::month_evidence("扣缴明细", mf)),
            None => v.extend(paid_evidence(f, m)),
        }
    }
    v
}

/// What a month's absence stands on: the rows of the nearest months before and after it that
/// are there (the record runs past the gap), and every 纳税记录 read, which has no wage row
/// for it either.
fn gap_evidence(f: &CaseFacts, missing: &[YearMonth]) -> Vec<Evidence> {
    let mut v = Vec::new();
    let present = |m: &YearMonth| {
        f.person
            .as_ref()
            .and_then(|p| p.months.get(m))
            .is_some_and(|x| x.present())
            || f.tax_paid.contains_key(m)
    };
    let rows_of = |m: YearMonth| -> Vec<Evidence> {
        match f
            .person
            .as_ref()
            .and_then(|p| p.months.get(&m))
            .filter(|x| x.present())
        {
            Some(mf) => tax::month_evidence("扣缴明细", mf),
            None => paid_evidence(f, m),
        }
    };
    for m in missing {
        let before = (1..=24).map(|k| m.add_months(-k)).find(|x| present(x));
        let after = (1..=24).map(|k| m.add_months(k)).find(|x| present(x));
        for n in before.into_iter().chain(after) {
            v.extend(rows_of(n));
        }
    }
    for (d, _) in f.tax_records() {
        v.push(Evidence::of_field(
            d,
            "工资薪金所得",
            &format!("没有 {} 的工资薪金所得行", month_list(missing, 12)),
        ));
    }
    v
}

/// A pass cites the window's rows; a failure that cites nothing cites what the absence of its
/// months stands on.
fn cite_window(f: &CaseFacts, w: &Window, mut x: Finding) -> Finding {
    match x.status {
        Status::Pass if x.evidence.is_empty() => x.evidence = window_evidence(f, w),
        Status::Fail if x.evidence.is_empty() => x.evidence = gap_evidence(f, &x.months),
        _ => {}
    }
    x
}

/// `tax.continuity` (or `renewal.tax_continuity` with 36 months).
pub fn continuity(f: &CaseFacts, w: &Window, id: &'static str) -> Finding {
    cite_window(f, w, continuity_of(f, w, id))
}

fn continuity_of(f: &CaseFacts, w: &Window, id: &'static str) -> Finding {
    if let Some(p) = &f.person {
        let mut x = tax::continuity(p, w, "扣缴明细");
        x.id = id;
        // Months the export lacks but a 纳税记录 shows paid are still withheld months.
        if x.status != Status::Pass {
            let still: Vec<YearMonth> = x
                .months
                .iter()
                .copied()
                .filter(|m| !f.tax_paid.contains_key(m))
                .collect();
            if still.is_empty() && !x.months.is_empty() {
                return Finding::new(
                    id,
                    "三(二)(7)",
                    Status::Pass,
                    format!(
                        "{} 至 {} 每月均有扣缴记录（部分月份见纳税记录）",
                        w.from, w.to
                    ),
                );
            }
        }
        if id == "renewal.tax_continuity" {
            x.policy = "三(三)";
        }
        return x;
    }
    if f.tax_paid.is_empty() {
        return Finding::new(
            id,
            "三(二)(7)",
            Status::NeedsMaterial,
            "没有扣缴明细导出表或纳税记录".into(),
        );
    }
    let missing: Vec<YearMonth> = w.months().filter(|m| !f.tax_paid.contains_key(m)).collect();
    if missing.is_empty() {
        return Finding::new(
            id,
            "三(二)(7)",
            Status::Pass,
            format!(
                "纳税记录显示 {} 至 {} 每月均有工资薪金个税入库",
                w.from, w.to
            ),
        );
    }
    // A month absent from the 纳税记录 may be a month with zero tax: only the export can tell.
    let mut x = Finding::new(
        id,
        "三(二)(7)",
        Status::NeedsMaterial,
        format!(
            "纳税记录中没有 {} 的工资薪金个税：可能是个税为 0 的月份，需提供扣缴明细导出表及综合所得申报表",
            month_list(&missing, 6)
        ),
    );
    x.months = missing;
    x
}

/// `tax.income_threshold`.
pub fn income_threshold(f: &CaseFacts, w: &Window, policy: &Policy) -> Finding {
    match &f.person {
        Some(p) => cite_window(f, w, tax::income_threshold(p, w, policy, "扣缴明细")),
        None => Finding::new(
            "tax.income_threshold",
            "二(二)；三(二)(7)",
            Status::NeedsMaterial,
            "材料中没有载明收入的文件（纳税记录不含收入）：需提供扣缴客户端导出的个人扣缴明细（三(二)(7)）".into(),
        ),
    }
}

/// `tax.zero_tax_months`.
pub fn zero_tax(f: &CaseFacts, w: &Window) -> Finding {
    match &f.person {
        Some(p)
            if !w
                .months()
                .any(|m| p.months.get(&m).is_some_and(|x| x.present())) =>
        {
            Finding::new(
                "tax.zero_tax_months",
                "三(二)(7)",
                Status::NotApplicable,
                "扣缴明细中没有窗口内的月份，零税额月份无从判断（见 tax.continuity）".into(),
            )
        }
        Some(p) => cite_window(f, w, tax::zero_tax_months(p, w, "扣缴明细")),
        None => Finding::new(
            "tax.zero_tax_months",
            "三(二)(7)",
            Status::NotApplicable,
            "没有扣缴明细，零税额月份见 tax.continuity".into(),
        ),
    }
}

/// `tax.cross_document`: wherever two documents state the same month — two exports (the
/// spreadsheet and its printed scan), or an export and the 纳税记录 — they agree on the tax.
/// A disagreement is a finding, never averaged away.
pub fn cross_document(f: &CaseFacts) -> Finding {
    const ID: &str = "tax.cross_document";
    let mut diffs: Vec<String> = Vec::new();
    let mut months: Vec<YearMonth> = Vec::new();
    let mut evidence = Vec::new();
    let mut compared = f.export_months_compared;
    let mut agreeing = Vec::new();
    for d in &f.export_disagreements {
        diffs.push(format!(
            "{} {} 收入 {}、税额 {}，{} 收入 {}、税额 {}",
            d.period,
            d.first.0,
            d.first.1,
            d.first.2.map_or("—".into(), |t| t.to_string()),
            d.second.0,
            d.second.1,
            d.second.2.map_or("—".into(), |t| t.to_string())
        ));
        months.push(d.period);
    }
    if let Some(p) = &f.person {
        for (m, paid) in &f.tax_paid {
            let Some(mf) = p.months.get(m).filter(|x| x.present()) else {
                continue;
            };
            let Some(t) = mf.tax else { continue };
            compared += 1;
            let sum = paid.iter().fold(Fen::ZERO, |a, p| a + p.amount);
            if sum != t {
                diffs.push(format!("{m} 扣缴明细税额 {t} 元，纳税记录实缴 {sum} 元"));
                months.push(*m);
                evidence.extend(tax::month_evidence("扣缴明细", mf));
                evidence.extend(paid_evidence(f, *m));
            } else {
                agreeing.extend(tax::month_evidence("扣缴明细", mf));
                agreeing.extend(paid_evidence(f, *m));
            }
        }
    }
    months.sort();
    months.dedup();
    if compared == 0 {
        return Finding::new(
            ID,
            "—",
            Status::NotApplicable,
            "没有两份材料载明同一月份".into(),
        );
    }
    if diffs.is_empty() {
        return Finding::new(
            ID,
            "—",
            Status::Pass,
            format!("{compared} 个月在两份材料中一致"),
        )
        .citing(agreeing);
    }
    let mut x = Finding::new(
        ID,
        "—",
        Status::Fail,
        format!("材料之间不一致：{}", diffs.join("；")),
    );
    x.months = months;
    x.evidence = evidence;
    x
}

/// `renewal.income_yearly`: in each year held, the average monthly taxable income is at least
/// that year's new-application line (三(三): 原则上持证期间每年月均应税收入不低于当年新办要求).
pub fn renewal_income_yearly(f: &CaseFacts, w: &Window, policy: &Policy) -> Finding {
    const ID: &str = "renewal.income_yearly";
    const POLICY: &str = "三(三)";
    let Some(p) = &f.person else {
        return Finding::new(
            ID,
            POLICY,
            Status::NeedsMaterial,
            "没有载明收入的扣缴明细".into(),
        );
    };
    let mut under = Vec::new();
    let mut review = Vec::new();
    let mut parts = Vec::new();
    let cited = window_evidence(f, w);
    for year in w.from.year()..=w.to.year() {
        let ms: Vec<YearMonth> = w.months().filter(|m| m.year() == year).collect();
        let incomes: Vec<Fen> = ms
            .iter()
            .filter_map(|m| {
                p.months
                    .get(m)
                    .filter(|x| x.present())
                    .map(|x| x.taxable_income(policy.tax.income_basis))
            })
            .collect();
        if incomes.is_empty() {
            continue;
        }
        let total = incomes.iter().fold(Fen::ZERO, |a, b| a + *b);
        // Average in whole 分, rounded down: never rounds a shortfall away.
        let avg = Fen(total.fen() / incomes.len() as i64);
        match policy.monthly_threshold(ms[0]) {
            Err(gap) => review.push(format!("{year} 年：{gap}")),
            Ok(t) => {
                parts.push(format!(
                    "{year} 年月均 {avg} 元（{} 个月），标准 {} 元",
                    incomes.len(),
                    yuan_whole(t.fen)
                ));
                if avg < t.fen {
                    under.push(format!(
                        "{year} 年月均 {avg} 元，低于 {} 元",
                        yuan_whole(t.fen)
                    ));
                } else if t.status == FigureStatus::Reported {
                    review.push(format!(
                        "{year} 年标准依据的 {} 年平均工资仅为转述数据",
                        t.basis_year
                    ));
                }
            }
        }
    }
    if !under.is_empty() {
        return Finding::new(ID, POLICY, Status::Fail, under.join("；")).citing(cited);
    }
    if !review.is_empty() {
        return Finding::new(ID, POLICY, Status::NeedsReview, review.join("；"));
    }
    if parts.is_empty() {
        return Finding::new(
            ID,
            POLICY,
            Status::NeedsMaterial,
            "持证期间没有收入记录".into(),
        );
    }
    Finding::new(ID, POLICY, Status::Pass, parts.join("；")).citing(cited)
}

/// A yearly line as the reviewer checks it: `282,780 元（12 × 23,565，2018 年全口径月平均工资 7,855 × 3）`.
fn line_of(t: &Threshold<'_>) -> String {
    match t.twelve_times {
        Some(m) => format!(
            "{} 元（12 × {}，{} 年{}月平均工资 {} × {}）",
            yuan_whole(t.fen),
            yuan_whole(m),
            t.basis_year,
            t.caliber,
            yuan_whole(Fen::from_yuan(t.average_yuan)),
            t.multiplier
        ),
        None => format!(
            "{} 元（{} 年{}年平均工资 {} × {}）",
            yuan_whole(t.fen),
            t.basis_year,
            t.caliber,
            yuan_whole(Fen::from_yuan(t.average_yuan)),
            t.multiplier
        ),
    }
}

/// `category.4` / `category.5`: each of the last three calendar years' taxable income above
/// 3 × / 6 × the previous year's average annual wage (二(二)4, 5). Income comes only from an
/// export covering all twelve months of each year.
pub fn category_income(f: &CaseFacts, policy: &Policy, n: u8) -> Finding {
    let id: &'static str = if n == 4 { "category.4" } else { "category.5" };
    let mult = if n == 4 {
        &policy.thresholds.category_4
    } else {
        &policy.thresholds.category_5
    };
    let Some(p) = &f.person else {
        return Finding::new(
            id,
            "二(二)",
            Status::NeedsMaterial,
            "近三年每年应税收入需扣缴明细（纳税记录不含收入）".into(),
        );
    };
    let last = f.as_of.year() - 1;
    let cited: Vec<Evidence> = ((last - 2)..=last)
        .flat_map(|y| (1..=12).filter_map(move |m| YearMonth::new(y, m)))
        .filter_map(|m| p.months.get(&m).filter(|x| x.present()))
        .flat_map(|mf| tax::month_evidence("扣缴明细", mf))
        .collect();
    let mut parts = Vec::new();
    let mut short = Vec::new();
    let mut missing = Vec::new();
    for year in (last - 2)..=last {
        let months: Vec<YearMonth> = (1..=12).filter_map(|m| YearMonth::new(year, m)).collect();
        if !months
            .iter()
            .all(|m| p.months.get(m).is_some_and(|x| x.present()))
        {
            missing.push(year);
            continue;
        }
        let total = months.iter().fold(Fen::ZERO, |a, m| {
            a + p.months[m].taxable_income(policy.tax.income_basis)
        });
        match policy.annual_multiple(year - 1, mult) {
            Err(gap) => {
                missing.push(year);
                parts.push(format!("{year} 年：{gap}"));
            }
            Ok(t) if total > t.fen && t.status == FigureStatus::Verified => {
                parts.push(format!("{year} 年 {total} 元 > {}", line_of(&t)))
            }
            Ok(t) if total > t.fen => parts.push(format!(
                "{year} 年 {total} 元 > {}（标准为转述数据）",
                line_of(&t)
            )),
            Ok(t) => short.push(format!(
                "{year} 年应税收入 {total} 元，未超过 {}",
                line_of(&t)
            )),
        }
    }
    if !short.is_empty() {
        return Finding::new(id, "二(二)", Status::Fail, short.join("；")).citing(cited);
    }
    if !missing.is_empty() {
        let mut msg = format!(
            "{} 年没有全年收入记录或政策表缺少年度平均工资",
            missing
                .iter()
                .map(|y| y.to_string())
                .collect::<Vec<_>>()
                .join("、")
        );
        if !parts.is_empty() {
            msg.push_str(&format!("；{}", parts.join("；")));
        }
        return Finding::new(id, "二(二)", Status::NeedsMaterial, msg);
    }
    let status = if parts.iter().any(|p| p.contains("转述")) {
        Status::NeedsReview
    } else {
        Status::Pass
    };
    Finding::new(id, "二(二)", status, parts.join("；")).citing(cited)
}
