//! `category.N`, `renewal.window`, `unit.registration_age`, `unit.capital`, `unit.tax_paid`,
//! `unit.headcount` (SPEC §4; 二(一), 二(二) 1–8, 三(三)).

use chrono::{Duration, Months};

use super::{Evidence, Finding, Status, case_tax};
use crate::case::facts::CaseFacts;
use crate::case::pipeline::{CheckSpec, Pipeline};
use crate::classify::Kind;
use crate::extract::Record;
use crate::model::Fen;
use crate::policy::Policy;

/// `category.N` for the category the applicant relies on. 4 and 5 are decided from three
/// calendar years of income; the others by the materials present, with `needs_review` where
/// only a person can judge (an award, a patent's economic benefit).
pub fn category(f: &CaseFacts, p: &Pipeline, policy: &Policy) -> Finding {
    let Some(n) = f.category else {
        return Finding::new(
            "category",
            "二(二)",
            Status::NeedsReview,
            "case.toml 未说明申请人依据的条件（category 1–8）".into(),
        );
    };
    if n == 4 || n == 5 {
        return case_tax::category_income(f, policy, n);
    }
    let id: &'static str = match n {
        1 => "category.1",
        2 => "category.2",
        3 => "category.3",
        6 => "category.6",
        7 => "category.7",
        _ => "category.8",
    };
    let Some(m) = p.category_materials.iter().find(|m| m.category == n) else {
        return Finding::new(
            id,
            "二(二)",
            Status::NeedsReview,
            format!("条件 {n} 无材料规则"),
        );
    };
    let present: Vec<&str> = m
        .kinds
        .iter()
        .filter(|k| f.docs_of(**k).next().is_some())
        .map(|k| k.id())
        .collect();
    if m.kinds.is_empty() {
        return Finding::new(
            id,
            "二(二)；三(二)Ⅱ",
            Status::NeedsReview,
            format!("条件 {n}：{}，需人工审核", m.name),
        );
    }
    if present.is_empty() {
        return Finding::new(
            id,
            "二(二)；三(二)Ⅱ",
            Status::NeedsMaterial,
            format!("条件 {n} 需提供：{}", m.name),
        );
    }
    Finding::new(
        id,
        "二(二)；三(二)Ⅱ",
        Status::NeedsReview,
        format!(
            "条件 {n} 的材料已提供（{}），是否符合条件需人工审核",
            present.join("、")
        ),
    )
}

/// `renewal.window`: 证件有效期满前60日内办理续签；超过有效期未办理的，自动失效 (三(三)).
pub fn renewal_window(f: &CaseFacts, spec: &CheckSpec) -> Finding {
    const ID: &str = "renewal.window";
    let days = spec.days.unwrap_or(60) as i64;
    let Some(expiry) = f.permit_expiry else {
        return Finding::new(
            ID,
            "三(三)",
            Status::NeedsMaterial,
            "case.toml 未提供证件有效期（permit_expiry）".into(),
        );
    };
    let opens = expiry - Duration::days(days);
    let cited = [
        Evidence::declared("[application] permit_expiry", &expiry.to_string()),
        Evidence::declared("[application] date", &f.as_of.to_string()),
    ];
    let x = if f.as_of > expiry {
        Finding::new(
            ID,
            "三(三)",
            Status::Fail,
            format!("证件已于 {expiry} 到期，超过有效期未续签的工作居住证自动失效"),
        )
    } else if f.as_of < opens {
        Finding::new(
            ID,
            "三(三)",
            Status::Fail,
            format!(
                "续签期自 {opens} 起（有效期满前 {days} 日内），申请日 {} 尚早",
                f.as_of
            ),
        )
    } else {
        Finding::new(
            ID,
            "三(三)",
            Status::Pass,
            format!("申请日在有效期满（{expiry}）前 {days} 日内"),
        )
    };
    x.citing(cited)
}

/// `unit.registration_age`: registered in Tongzhou for at least a year (二(一)1).
pub fn registration_age(f: &CaseFacts, spec: &CheckSpec) -> Finding {
    const ID: &str = "unit.registration_age";
    let months = spec.months.unwrap_or(12);
    let Some(on) = f.registered_on else {
        return Finding::new(
            ID,
            "二(一)1",
            Status::NeedsMaterial,
            "未提供单位在通州区登记注册日期（case.toml registered_on 或营业执照）".into(),
        );
    };
    let limit = f
        .as_of
        .checked_sub_months(Months::new(months))
        .unwrap_or(f.as_of);
    let cited = [Evidence::declared("[unit] registered_on", &on.to_string())];
    let x = if on <= limit {
        Finding::new(
            ID,
            "二(一)1",
            Status::Pass,
            format!("{on} 起在通州区登记注册，已满 {months} 个月"),
        )
    } else {
        Finding::new(
            ID,
            "二(一)1",
            Status::Fail,
            format!("{on} 起登记注册，至 {} 不满 {months} 个月", f.as_of),
        )
    };
    x.citing(cited)
}

/// `unit.capital`: a legal-person enterprise's registered capital is at least 100 万元 (二(一)1).
pub fn capital(f: &CaseFacts, spec: &CheckSpec) -> Finding {
    const ID: &str = "unit.capital";
    let min = Fen::from_yuan(spec.min_yuan.unwrap_or(1_000_000));
    let cited: Vec<Evidence> = f
        .registered_capital
        .map(|c| Evidence::declared("[unit] registered_capital", &c.to_string()))
        .into_iter()
        .collect();
    let x = match (f.legal_person, f.registered_capital) {
        (Some(false), _) => Finding::new(
            ID,
            "二(一)1",
            Status::NotApplicable,
            "非法人单位，不要求注册资本".into(),
        ),
        (_, None) => Finding::new(
            ID,
            "二(一)1",
            Status::NeedsMaterial,
            "未提供注册资本（case.toml registered_capital 或营业执照）".into(),
        ),
        (_, Some(c)) if c >= min => Finding::new(
            ID,
            "二(一)1",
            Status::Pass,
            format!("注册资本 {c} 元，不低于 {min} 元"),
        ),
        (_, Some(c)) => Finding::new(
            ID,
            "二(一)1",
            Status::Fail,
            format!("注册资本 {c} 元，低于 {min} 元"),
        ),
    };
    x.citing(cited)
}

/// `unit.tax_paid`: 近一年纳税额不低于20万元或近三年累计不低于60万元 (二(一)2), from the
/// 涉税信息查询结果告知书 — whose amounts jzz does not read yet, so a person confirms them.
pub fn tax_paid(f: &CaseFacts) -> Finding {
    const ID: &str = "unit.tax_paid";
    if f.docs_of(Kind::TaxNotice).next().is_none() {
        return Finding::new(
            ID,
            "二(一)2",
            Status::NeedsMaterial,
            "没有涉税信息查询结果告知书".into(),
        );
    }
    Finding::new(
        ID,
        "二(一)2",
        Status::NeedsReview,
        "涉税信息查询结果告知书已提供；纳税额需人工核对（近一年 ≥ 20 万元或近三年 ≥ 60 万元）"
            .into(),
    )
}

/// `unit.headcount`: 近一年合法用工人数不低于10人 (二(一)3), from the 单位职工缴费信息.
pub fn headcount(f: &CaseFacts, spec: &CheckSpec) -> Finding {
    const ID: &str = "unit.headcount";
    let min = spec.min.unwrap_or(10) as usize;
    let staff: Vec<&crate::extract::si_unit_record::Staff> = f
        .docs
        .iter()
        .filter_map(|d| match &d.record {
            Some(Record::SiUnitRecord(r)) => Some(r.staff.iter()),
            _ => None,
        })
        .flatten()
        .collect();
    if staff.is_empty() {
        return Finding::new(
            ID,
            "二(一)3",
            Status::NeedsMaterial,
            "没有单位职工缴费信息".into(),
        );
    }
    let mut ids: Vec<&str> = staff.iter().map(|s| s.id_masked.as_str()).collect();
    ids.sort();
    ids.dedup();
    let cited: Vec<Evidence> = f
        .docs
        .iter()
        .filter_map(|d| match &d.record {
            Some(Record::SiUnitRecord(r)) => Some(
                r.staff
                    .iter()
                    .map(|s| Evidence::of_source(&d.path, &s.source))
                    .collect::<Vec<_>>(),
            ),
            _ => None,
        })
        .flatten()
        .collect();
    let x = if ids.len() >= min {
        Finding::new(
            ID,
            "二(一)3",
            Status::Pass,
            format!("单位职工缴费信息列出 {} 人，不少于 {min} 人", ids.len()),
        )
    } else {
        Finding::new(
            ID,
            "二(一)3",
            Status::Fail,
            format!("单位职工缴费信息仅 {} 人，少于 {min} 人", ids.len()),
        )
    };
    x.citing(cited)
}
