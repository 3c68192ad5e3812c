//! `category.N`, `renewal.window`, `unit.registration_age`, `unit.capital`, `unit.tax_paid`,
//! `unit.headcount` (SPEC §4; 二(一), 二(二) 1–8, 三(三)).

use chrono::{Duration, Months};

use super::{Evidence, Finding, Status, case_tax};
use crate::checks::pipeline::{CheckSpec, Pipeline};
use crate::classify::Kind;
use crate::extract::Record;
use crate::facts::case::CaseFacts;
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
    if n == 1 || n == 2 {
        // Decided from the certificates read, where any was read; otherwise by the materials
        // rule below (a certificate present but not read is for a person).
        if let Some(x) = qualification(f, n) {
            return x;
        }
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

// ---------------------------------------------------------------------------------------------
// Categories 1 and 2 (二(二)1, 2): the certificate read, its holder, and for 1 the two years of
// work.

/// Months of work the case shows before the application date must reach this (二(二)1:
/// 具有2年以上工作经历).
const WORK_MONTHS: usize = 24;

fn evidence_of(doc: &str, s: &crate::extract::text_util::Source) -> super::Evidence {
    super::Evidence::of_source(doc, s)
}

fn same_name(a: &str, b: &str) -> bool {
    let strip = |s: &str| -> String { s.chars().filter(|c| !c.is_whitespace()).collect() };
    let (a, b) = (strip(a), strip(b));
    !a.is_empty() && a == b
}

/// Whether a printed ID number names the applicant: `Some(true)` same, `Some(false)` another
/// number, `None` when either is unknown.
fn same_id(f: &CaseFacts, printed: &str) -> Option<bool> {
    let mine = f
        .applicant_id
        .as_ref()
        .map(|i| i.as_str().to_string())
        .or_else(|| f.applicant_id_raw.clone())?;
    Some(mine.eq_ignore_ascii_case(printed.trim()))
}

/// The months of work the documents show up to the application date: social-insurance spells
/// and months, 纳税记录 wage rows, the tax export's wage months, and labour contracts from their
/// start to their end (or the application date). Each source's first and last month are cited.
///
/// The rule chosen: 二(二)1 asks for 2 years of 工作经历 and 三(二)Ⅱ①E proves it with the
/// last two years of the 个人权益记录 (with 外埠社保 where Beijing SI is shorter). jzz counts
/// the distinct months shown by any of these records, and a contract counts for the months
/// from its start (a contract started 24 months or more before the application date shows
/// 24 months). Months are counted once however many records show them.
fn work_months(
    f: &CaseFacts,
) -> (
    std::collections::BTreeSet<crate::model::YearMonth>,
    Vec<super::Evidence>,
) {
    use crate::model::YearMonth;
    use std::collections::BTreeSet;
    let last = YearMonth::from_date(f.as_of);
    let mut all = BTreeSet::new();
    let mut ev = Vec::new();
    let name_ok = |n: Option<&str>| match (n, f.applicant_name.as_deref()) {
        (Some(a), Some(b)) => same_name(a, b),
        _ => true,
    };
    for (d, r) in f.si_records() {
        if !name_ok(r.holder_name.as_deref()) {
            continue;
        }
        let mut cited = Vec::new();
        for s in &r.spells {
            if let (Some(a), Some(b)) = (s.from, s.to) {
                let b = b.min(last);
                if a <= b {
                    all.extend(YearMonth::range_inclusive(a, b));
                    cited.push(&s.source);
                }
            }
        }
        for m in &r.months {
            if let Some(p) = m.period
                && p <= last
            {
                all.insert(p);
                if cited.len() < 2 {
                    cited.push(&m.source);
                }
            }
        }
        ev.extend(cited.into_iter().take(3).map(|s| evidence_of(&d.path, s)));
    }
    for (d, r) in f.tax_records() {
        if !name_ok(r.holder_name.as_deref()) {
            continue;
        }
        let rows: Vec<_> = r
            .rows
            .iter()
            .filter(|x| x.item.contains("工资") && x.period.is_some_and(|p| p <= last))
            .collect();
        all.extend(rows.iter().filter_map(|x| x.period));
        for x in [rows.first(), rows.last()].into_iter().flatten() {
            ev.push(evidence_of(&d.path, &x.source));
        }
    }
    if let Some(p) = &f.person {
        let months: Vec<_> = p
            .months
            .iter()
            .filter(|(m, x)| **m <= last && x.income > Fen::ZERO && !x.rows.is_empty())
            .collect();
        all.extend(months.iter().map(|(m, _)| **m));
        let doc = f
            .docs_of(Kind::TaxExport)
            .next()
            .map_or("", |d| d.path.as_str());
        for (_, x) in [months.first(), months.last()].into_iter().flatten() {
            ev.push(super::Evidence::of_row(doc, &x.rows[0]));
        }
    }
    for (d, c) in f.contracts() {
        if !name_ok(c.employee.as_deref()) {
            continue;
        }
        let Some(start) = c.start else { continue };
        let end = c.end.map_or(f.as_of, |e| e.min(f.as_of));
        // Whole months only: the month the term reaches (the application date's) is not yet
        // worked, so a contract shows 24 months when it began 24 months before.
        let (a, b) = (
            YearMonth::from_date(start),
            YearMonth::from_date(end).pred(),
        );
        if a <= b {
            all.extend(YearMonth::range_inclusive(a, b));
            if let Some(s) = &c.term_source {
                ev.push(evidence_of(&d.path, s));
            }
        }
    }
    (all, ev)
}

/// `category.1` / `category.2` from the certificates read; `None` when no certificate of the
/// kind was read (the materials rule decides then).
fn qualification(f: &CaseFacts, n: u8) -> Option<Finding> {
    if n == 1 { degree_and_work(f) } else { title(f) }
}

/// A holder check shared by the certificates: name (and where printed, ID number or birth date)
/// against the applicant. `Err(why)` names what differs.
fn holder_is_applicant(
    f: &CaseFacts,
    name: &str,
    id: Option<&str>,
    birth: Option<chrono::NaiveDate>,
) -> Result<(), String> {
    let Some(me) = f.applicant_name.as_deref() else {
        return Err("申请人姓名未知，无法核对持证人".into());
    };
    if !same_name(name, me) {
        return Err(format!("持证人「{name}」不是申请人「{me}」"));
    }
    if let Some(id) = id
        && same_id(f, id) == Some(false)
    {
        return Err(format!("证件号码 {id} 与申请人的不一致"));
    }
    if let (Some(b), Some(mine)) = (birth, f.applicant_id.as_ref())
        && mine.birth_date() != b
    {
        return Err(format!(
            "出生日期 {b} 与申请人身份证号码中的 {} 不一致",
            mine.birth_date()
        ));
    }
    Ok(())
}

fn degree_and_work(f: &CaseFacts) -> Option<Finding> {
    use crate::extract::degree::DegreeLevel;
    const ID: &str = "category.1";
    const POLICY: &str = "二(二)1；三(二)Ⅱ①";
    let mut certs = Vec::new();
    let mut forms = Vec::new();
    for d in f.docs_of(Kind::Degree) {
        match &d.record {
            Some(Record::DegreeCert(c)) => certs.push((d, c)),
            Some(Record::Xuexin(x)) => forms.push((d, x)),
            _ => {}
        }
    }
    if certs.is_empty() && forms.is_empty() {
        return None;
    }
    let mut problems: Vec<String> = Vec::new();
    // The degree: a certificate of the applicant at 学士 or above.
    let mut degree: Option<(String, Vec<super::Evidence>)> = None;
    for (d, c) in &certs {
        let (Some(h), Some(l)) = (&c.holder, &c.level) else {
            problems.push(format!("{}：学位证书未读全（持证人或学位）", d.path));
            continue;
        };
        if let Err(why) = holder_is_applicant(f, &h.value, None, c.birth.as_ref().map(|b| b.value))
        {
            problems.push(format!("{}：{why}", d.path));
            continue;
        }
        if l.value < DegreeLevel::Bachelor {
            continue;
        }
        let mut ev = vec![evidence_of(&d.path, &h.source)];
        if l.source != h.source {
            ev.push(evidence_of(&d.path, &l.source));
        }
        if let Some(a) = &c.awarded_on {
            ev.push(evidence_of(&d.path, &a.source));
        }
        let better = degree.as_ref().is_none_or(|(_, e)| e.len() < ev.len());
        if better {
            degree = Some((
                format!(
                    "{} 持{}学位证书{}",
                    h.value,
                    l.value.label(),
                    c.awarded_on
                        .as_ref()
                        .map(|a| format!("（{} 授予）", a.value))
                        .unwrap_or_default()
                ),
                ev,
            ));
        }
    }
    // The 备案表: the holder and ID number must be the applicant's where it is in the bundle.
    let mut form_ev = Vec::new();
    for (d, x) in &forms {
        let Some(h) = &x.holder else { continue };
        match holder_is_applicant(
            f,
            &h.value,
            x.id_number.as_ref().map(|i| i.value.as_str()),
            x.birth.as_ref().map(|b| b.value),
        ) {
            Ok(()) => {
                form_ev.push(evidence_of(&d.path, &h.source));
                if let Some(i) = &x.id_number {
                    form_ev.push(evidence_of(&d.path, &i.source));
                }
            }
            Err(why) => problems.push(format!("{}（学信网备案表）：{why}", d.path)),
        }
    }
    let (months, work_ev) = work_months(f);
    let Some((what, mut ev)) = degree else {
        if !problems.is_empty() {
            return Some(Finding::new(
                ID,
                POLICY,
                Status::NeedsReview,
                format!("学位证书需人工核对：{}", problems.join("；")),
            ));
        }
        let mut x = Finding::new(
            ID,
            POLICY,
            Status::NeedsMaterial,
            "未见申请人的学士（含）以上学位证书（学信网备案表只证明学历，三(二)Ⅱ①C 要求学位证书）"
                .into(),
        );
        x.evidence = form_ev;
        return Some(x);
    };
    if !problems.is_empty() {
        let mut x = Finding::new(
            ID,
            POLICY,
            Status::NeedsReview,
            format!("{what}，但：{}", problems.join("；")),
        );
        x.evidence = ev;
        return Some(x);
    }
    ev.extend(form_ev);
    if months.len() >= WORK_MONTHS {
        let (a, b) = (
            months.first().map(ToString::to_string).unwrap_or_default(),
            months.last().map(ToString::to_string).unwrap_or_default(),
        );
        ev.extend(work_ev);
        let mut x = Finding::new(
            ID,
            POLICY,
            Status::Pass,
            format!(
                "{what}；社保、纳税记录或劳动合同显示工作经历 {} 个月（{a} 至 {b}），不少于 {WORK_MONTHS} 个月",
                months.len()
            ),
        );
        x.evidence = ev;
        return Some(x);
    }
    ev.extend(work_ev);
    let mut x = Finding::new(
        ID,
        POLICY,
        Status::NeedsMaterial,
        format!(
            "{what}；但材料只显示工作经历 {} 个月，不足 {WORK_MONTHS} 个月：须提供近两年社保个人权益记录，在京社保不足两年的提供外埠社保缴纳证明（三(二)Ⅱ①E）",
            months.len()
        ),
    );
    x.evidence = ev;
    Some(x)
}

fn title(f: &CaseFacts) -> Option<Finding> {
    use crate::extract::title_cert::TitleLevel;
    const ID: &str = "category.2";
    const POLICY: &str = "二(二)2；三(二)Ⅱ②";
    let certs: Vec<_> = f
        .docs_of(Kind::TitleCert)
        .filter_map(|d| match &d.record {
            Some(Record::TitleCert(c)) => Some((d, c)),
            _ => None,
        })
        .collect();
    if certs.is_empty() {
        return None;
    }
    let mut problems = Vec::new();
    let mut below = None;
    for (d, c) in &certs {
        let (Some(h), Some(l)) = (&c.holder, &c.level) else {
            problems.push(format!("{}：职称证书未读全（持证人或级别）", d.path));
            continue;
        };
        if let Err(why) = holder_is_applicant(
            f,
            &h.value,
            c.id_number.as_ref().map(|i| i.value.as_str()),
            None,
        ) {
            problems.push(format!("{}：{why}", d.path));
            continue;
        }
        let mut ev = vec![evidence_of(&d.path, &h.source)];
        if l.source != h.source {
            ev.push(evidence_of(&d.path, &l.source));
        }
        if let Some(i) = &c.id_number {
            ev.push(evidence_of(&d.path, &i.source));
        }
        let title = c.title.as_deref().unwrap_or("职称");
        if l.value >= TitleLevel::Intermediate {
            let mut x = Finding::new(
                ID,
                POLICY,
                Status::Pass,
                format!(
                    "{} 持{}职称（{title}）{}，达到中级（含）以上",
                    h.value,
                    l.value.label(),
                    c.obtained_on
                        .as_ref()
                        .map(|o| format!("，{} 取得", o.value))
                        .unwrap_or_default()
                ),
            );
            x.evidence = ev;
            return Some(x);
        }
        below = Some((
            format!(
                "{} 的职称为{}（{title}），低于中级",
                h.value,
                l.value.label()
            ),
            ev,
        ));
    }
    if problems.is_empty()
        && let Some((msg, ev)) = below
    {
        let mut x = Finding::new(ID, POLICY, Status::Fail, msg);
        x.evidence = ev;
        return Some(x);
    }
    Some(Finding::new(
        ID,
        POLICY,
        Status::NeedsReview,
        format!("职称证书需人工核对：{}", problems.join("；")),
    ))
}
