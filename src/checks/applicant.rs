//! `documents.readable`, `materials.complete`, `applicant.identity`, `applicant.age`,
//! `applicant.hukou`, `residence.proof` for a whole case (SPEC §4).

use chrono::Months;

use super::{Evidence, Finding, Status};
use crate::checks::pipeline::{CheckSpec, Pipeline};
use crate::extract::Record;
use crate::facts::case::{CaseDoc, CaseFacts};
use crate::facts::case_toml::Hukou;
use crate::model::{IdNumber, Sex};
use crate::policy::Policy;
use crate::read::text::ReadBy;

/// A file named as a whole (read or not, a material or not): cited by what it is, not judged
/// by the OCR bar.
fn file_ev(d: Option<&CaseDoc>, path: &str, text: &str) -> Evidence {
    Evidence {
        document: path.to_string(),
        locator: "file".to_string(),
        text: text.to_string(),
        confidence: None,
        read_by: d.and_then(|d| d.read_by),
        region: None,
    }
}

/// `documents.readable`: every file was read; one that could not be is named with the reason,
/// and the rest of the bundle is still checked.
pub fn documents_readable(f: &CaseFacts) -> Finding {
    let mut bad: Vec<String> = f
        .docs
        .iter()
        .filter_map(|d| d.error.as_ref().map(|e| format!("{}：{e}", d.path)))
        .collect();
    bad.extend(f.intake_problems.iter().map(|(p, r)| format!("{p}：{r}")));
    let dups: Vec<String> = f
        .docs
        .iter()
        .filter_map(|d| {
            d.duplicate_of
                .as_ref()
                .map(|o| format!("{} 与 {o} 内容相同", d.path))
        })
        .collect();
    let unknown = f
        .docs
        .iter()
        .filter(|d| d.error.is_none() && d.kind == crate::classify::Kind::Unknown)
        .count();
    let mut tail = String::new();
    if !dups.is_empty() {
        tail.push_str(&format!("；重复上传：{}", dups.join("、")));
    }
    if unknown > 0 {
        tail.push_str(&format!("；{unknown} 份材料未识别类型"));
    }
    let low: Vec<String> = f
        .docs
        .iter()
        .filter_map(|d| {
            d.min_confidence
                .filter(|c| *c < f.ocr_bar)
                .map(|c| format!("{}（{c:.0}%）", d.path))
        })
        .collect();
    if !low.is_empty() {
        tail.push_str(&format!(
            "；{} 份材料 OCR 识别置信度低于 {:.0}%：{}，其中低于该置信度的内容不作为任何一项核验的依据",
            low.len(),
            f.ocr_bar,
            low.join("、")
        ));
    }
    if bad.is_empty() {
        let mut x = Finding::new(
            "documents.readable",
            "—",
            Status::Pass,
            format!("{} 份材料均已读取{tail}", f.docs.len()),
        );
        x.evidence = f
            .docs
            .iter()
            .map(|d| file_ev(Some(d), &d.path, &format!("已读取，类型 {}", d.kind.id())))
            .collect();
        x
    } else {
        // A bomb can refuse a thousand entries: name the first ten, count the rest.
        let mut listed = bad.iter().take(10).cloned().collect::<Vec<_>>().join("；");
        if bad.len() > 10 {
            listed.push_str(&format!("；等 {} 份", bad.len()));
        }
        let mut x = Finding::new(
            "documents.readable",
            "—",
            Status::NeedsReview,
            format!("{} 份材料无法读取：{listed}{tail}", bad.len()),
        );
        x.evidence = f
            .docs
            .iter()
            .filter_map(|d| d.error.as_ref().map(|e| file_ev(Some(d), &d.path, e)))
            .collect();
        x
    }
}

/// `materials.complete`: the materials the pipeline lists are present (三(二) Ⅰ; 三(三); 三(一)).
/// Each material present is cited by the file that is it; a missing material while a file of
/// unknown kind (an unreadable photo, a page OCR could not read well) is in the bundle is
/// `needs_review` naming that file — it may be the material — never a plain request for it.
pub fn materials_complete(f: &CaseFacts, p: &Pipeline) -> (Finding, Vec<String>) {
    let mut missing = Vec::new();
    let mut evidence = Vec::new();
    for m in &p.materials {
        let found: Vec<&crate::facts::case::CaseDoc> = m
            .kinds
            .iter()
            .flat_map(|k| f.docs_of(*k))
            .filter(|d| d.duplicate_of.is_none())
            .collect();
        if found.is_empty() {
            missing.push(format!("{}（{}）", m.name, m.section));
        }
        for d in found {
            evidence.push(Evidence {
                locator: "kind".to_string(),
                ..file_ev(Some(d), &d.path, &format!("{}：{}", m.name, d.kind.id()))
            });
        }
    }
    let policy = match p.name.as_str() {
        "renewal" => "三(三)",
        "unit-registration" => "三(一)",
        _ => "三(二) Ⅰ",
    };
    // Files that could be a missing material: not classified, or classified from text read
    // below the OCR bar.
    let unsure: Vec<String> = f
        .docs
        .iter()
        .filter(|d| d.duplicate_of.is_none())
        .filter(|d| {
            d.kind == crate::classify::Kind::Unknown
                || d.min_confidence.is_some_and(|c| c < f.ocr_bar)
        })
        .map(|d| d.path.clone())
        .collect();
    let x = if missing.is_empty() {
        let mut x = Finding::new(
            "materials.complete",
            policy,
            Status::Pass,
            "所需材料齐全".into(),
        );
        x.evidence = evidence;
        x
    } else if !unsure.is_empty() {
        let mut x = Finding::new(
            "materials.complete",
            policy,
            Status::NeedsReview,
            format!(
                "未识别到：{}；{} 未能识别类型或识别置信度低，可能就是所缺材料，需人工核对",
                missing.join("；"),
                unsure.join("、")
            ),
        );
        x.evidence = unsure
            .iter()
            .map(|u| {
                let d = f.docs.iter().find(|d| &d.path == u);
                file_ev(d, u, "未识别类型或 OCR 置信度低")
            })
            .collect();
        x
    } else {
        Finding::new(
            "materials.complete",
            policy,
            Status::NeedsMaterial,
            format!("缺少：{}", missing.join("；")),
        )
    };
    (x, missing)
}

/// A personal name as compared: letters and CJK characters only, so a stray mark an OCR read
/// before or after the name (`。戴远天`), spaces and the middle dot of a transliterated name
/// do not make two spellings differ.
fn name_key(n: &str) -> String {
    n.chars().filter(|c| c.is_alphanumeric()).collect()
}

/// Where the applicant's ID number was taken from: `case.toml`, or the document it was
/// inferred from (SPEC §2: what case.toml lacks is inferred and recorded).
fn applicant_id_evidence(f: &CaseFacts, raw: &str) -> Evidence {
    match &f.applicant_id_from {
        Some((document, note)) => Evidence::inferred(f, document, "证件号码", note),
        None => Evidence::declared("[applicant] id_number", &crate::model::mask_id_like(raw)),
    }
}

/// `applicant.identity`: the ID number is valid (GB 11643) and every document that names the
/// applicant names the same person (三(二)(4)). Every place compared is cited; a document read
/// below the OCR bar is not compared (a misread digit is no contradiction, and no agreement
/// either) and is named in the message.
pub fn identity(f: &CaseFacts) -> Finding {
    const ID: &str = "applicant.identity";
    const POLICY: &str = "三(二)(4)";
    let Some(raw) = f.applicant_id_raw.as_deref() else {
        return Finding::new(
            ID,
            POLICY,
            Status::NeedsReview,
            "未找到申请人证件号码".into(),
        );
    };
    let id = match IdNumber::parse(raw) {
        Ok(id) => id,
        Err(e) => {
            let mut x = Finding::new(ID, POLICY, Status::Fail, format!("证件号码无效：{e}"));
            x.evidence.push(applicant_id_evidence(f, raw));
            return x;
        }
    };
    let name = f.applicant_name.clone().unwrap_or_default();
    let mut differ: Vec<Evidence> = Vec::new();
    let mut agree: Vec<Evidence> = Vec::new();
    let mut unsure: Vec<String> = Vec::new();
    let mut seen = 0;
    let mut check =
        |doc: &crate::facts::case::CaseDoc, what: &str, n: Option<&str>, i: Option<&str>| {
            if n.is_none() && i.is_none() {
                return;
            }
            if doc.min_confidence.is_some_and(|c| c < f.ocr_bar) {
                if !unsure.contains(&doc.path) {
                    unsure.push(doc.path.clone());
                }
                return;
            }
            let mut ok = true;
            let mut shown = Vec::new();
            if let Some(i) = i {
                seen += 1;
                shown.push(format!("证件号码 {}", crate::model::mask_id_like(i)));
                if !crate::model::text::strip_spaces(i).eq_ignore_ascii_case(id.as_str()) {
                    ok = false;
                    differ.push(Evidence::of_field(
                        doc,
                        what,
                        &format!("证件号码 {}", crate::model::mask_id_like(i)),
                    ));
                }
            }
            if let Some(n) = n {
                shown.push(format!("姓名 {n}"));
                if !name.is_empty() && name_key(n) != name_key(&name) {
                    ok = false;
                    differ.push(Evidence::of_field(doc, what, &format!("姓名 {n}")));
                }
            }
            if ok {
                agree.push(Evidence::of_field(doc, what, &shown.join("，")));
            }
        };
    for d in f.docs.iter().filter(|d| d.duplicate_of.is_none()) {
        match &d.record {
            Some(Record::TaxRecord(r)) => check(
                d,
                "纳税人",
                r.holder_name.as_deref(),
                r.id_number.as_deref(),
            ),
            Some(Record::SiRecord(r)) => check(
                d,
                "参保人",
                r.holder_name.as_deref(),
                r.id_number.as_deref(),
            ),
            Some(Record::LaborContract(c)) => {
                check(d, "乙方", c.employee.as_deref(), c.employee_id.as_deref())
            }
            Some(Record::ResidencePermit(r)) => {
                check(d, "持证人", r.holder.as_deref(), r.id_number.as_deref())
            }
            // An ID card's number is only kept when its check character holds (OCR).
            Some(Record::IdCard(c)) => {
                check(d, "身份证", c.name.as_deref(), c.id_number.as_deref())
            }
            _ => {}
        }
    }
    if let Some(p) = &f.person {
        // The export rows of the applicant were chosen by this ID (or name): cite one row.
        if let Some(r) = p.months.values().flat_map(|m| m.rows.iter()).next() {
            seen += 1;
            agree.push(Evidence::of_row("扣缴明细", r));
        }
    }
    let unsure_note = if unsure.is_empty() {
        String::new()
    } else {
        format!(
            "；{} 的 OCR 识别置信度低于 {:.0}%，未参与比对",
            unsure.join("、"),
            f.ocr_bar
        )
    };
    if differ.is_empty() {
        if agree.is_empty() {
            let mut x = Finding::new(
                ID,
                POLICY,
                Status::NeedsReview,
                format!("证件号码校验位正确，但没有可比对姓名和证件号码的材料{unsure_note}"),
            );
            x.evidence.push(applicant_id_evidence(f, raw));
            return x;
        }
        let mut x = Finding::new(
            ID,
            POLICY,
            Status::Pass,
            format!(
                "证件号码 {} 校验位正确；{} 份材料载明的姓名与证件号码与申请人一致（{seen} 处证件号码）{unsure_note}",
                id.masked(),
                agree.len()
            ),
        );
        x.evidence.push(applicant_id_evidence(f, raw));
        if !name.is_empty() && f.applicant_name_from.is_none() {
            x.evidence
                .push(Evidence::declared("[applicant] name", &name));
        }
        x.evidence.extend(agree);
        x
    } else {
        let mut x = Finding::new(
            ID,
            POLICY,
            Status::Fail,
            format!(
                "{} 处材料的姓名或证件号码与申请人（{}）不一致{unsure_note}",
                differ.len(),
                id.masked()
            ),
        );
        x.evidence.push(applicant_id_evidence(f, raw));
        x.evidence.extend(differ);
        x
    }
}

/// `applicant.age`: below the statutory retirement age on the application date (三(二)(4):
/// 男性不超过60周岁，女性不超过55周岁（女性工人身份不超过50周岁）). The birth date and sex are
/// those the ID number encodes; the number is cited.
pub fn age(f: &CaseFacts, policy: &Policy) -> Finding {
    const ID: &str = "applicant.age";
    const POLICY: &str = "二(二)；三(二)(4)";
    let Some(id) = &f.applicant_id else {
        return Finding::new(
            ID,
            POLICY,
            Status::NeedsReview,
            "没有有效的证件号码，无法计算年龄".into(),
        );
    };
    let age = id.age_on(f.as_of);
    let r = &policy.retirement;
    let (limit, who) = match (id.sex(), f.female_worker) {
        (Sex::Male, _) => (r.male, "男性"),
        (Sex::Female, Some(true)) => (r.female_worker, "女性工人"),
        (Sex::Female, _) => (r.female, "女性"),
    };
    let mut cite = applicant_id_evidence(f, id.as_str());
    cite.text = format!(
        "{}（出生日期 {}，{}）",
        cite.text,
        id.birth_date(),
        if id.sex() == Sex::Male { "男" } else { "女" }
    );
    let mut evidence = vec![cite];
    if let Some(w) = f.female_worker {
        evidence.push(Evidence::declared(
            "[applicant] female_worker",
            &w.to_string(),
        ));
    }
    if age >= limit as i32 {
        let mut x = Finding::new(
            ID,
            POLICY,
            Status::Fail,
            format!(
                "{} 时 {age} 周岁，已到{who}法定退休年龄 {limit} 周岁",
                f.as_of
            ),
        );
        x.evidence = evidence;
        return x;
    }
    if id.sex() == Sex::Female && f.female_worker.is_none() && age >= r.female_worker as i32 {
        let mut x = Finding::new(
            ID,
            POLICY,
            Status::NeedsReview,
            format!(
                "{age} 周岁的女性：如为工人身份，退休年龄为 {} 周岁；case.toml 未说明 female_worker",
                r.female_worker
            ),
        );
        x.evidence = evidence;
        return x;
    }
    let mut x = Finding::new(
        ID,
        POLICY,
        Status::Pass,
        format!(
            "{} 时 {age} 周岁，未到{who}法定退休年龄 {limit} 周岁",
            f.as_of
        ),
    );
    x.evidence = evidence;
    x
}

/// `applicant.hukou`: not Beijing, collective, school-temporary or foreign (二(二)). The
/// household registration is what `case.toml` declares (no uploaded document states it
/// reliably); the declaration is cited.
pub fn hukou(f: &CaseFacts) -> Finding {
    const ID: &str = "applicant.hukou";
    const POLICY: &str = "二(二)";
    let declared = |h: Hukou| Evidence::declared("[applicant] hukou", h.as_str());
    match f.hukou {
        Some(Hukou::NonBeijing) => {
            let mut x = Finding::new(ID, POLICY, Status::Pass, "非北京市户籍".into());
            x.evidence.push(declared(Hukou::NonBeijing));
            x
        }
        Some(h) => {
            let what = match h {
                Hukou::Beijing => "北京市户籍",
                Hukou::BeijingCollective => "北京市集体户口",
                Hukou::SchoolTemporary => "学校临时户口",
                Hukou::Foreign => "非中国籍",
                Hukou::NonBeijing => unreachable!("matched above"),
            };
            let mut x = Finding::new(
                ID,
                POLICY,
                Status::Fail,
                format!("申请人为{what}，不在受理范围之内"),
            );
            x.evidence.push(declared(h));
            x
        }
        None => Finding::new(
            ID,
            POLICY,
            Status::NeedsReview,
            "case.toml 未说明户口性质（hukou），材料中无法判断".into(),
        ),
    }
}

/// `residence.proof` (三(二)(6)): any one proof in the bundle that holds is enough, and every
/// proof is considered, not only the first found:
/// - a 北京市居住证 valid on the application date;
/// - A: a residential 不动产权证书 of the applicant, or of the spouse when a 结婚证 names both;
/// - B: a lease with the applicant as 承租人 that has begun and has at least
///   `lease_months_left` months to run; a home let by a private person (租住居民户房屋) also needs
///   that person's 不动产权证书 in the bundle (an organisation as 出租方 does not).
///
/// A certificate in another person's name that no lease or 结婚证 explains stays for a person
/// to judge (亲友住房 under D needs a 借住声明 jzz does not read). A value read by OCR is cited
/// with the document's lowest confidence, so the guard can hold an unsure pass.
pub fn residence(f: &CaseFacts, spec: &CheckSpec) -> Finding {
    use crate::facts::case::CaseDoc;
    const ID: &str = "residence.proof";
    const POLICY: &str = "三(二)(6)";
    let months_left = spec.lease_months_left.unwrap_or(6);
    let (permits, certs, leases) = f.residence();
    let evd = |d: &CaseDoc, locator: &str, text: &str| Evidence::of_field(d, locator, text);
    let evs = |d: &CaseDoc, s: &crate::extract::text_util::Source| {
        let mut e = Evidence::of_source(&d.path, s);
        if e.confidence.is_none() && d.min_confidence.is_some() {
            e.confidence = d.min_confidence;
            e.read_by = Some(ReadBy::Ocr);
        }
        e
    };
    let strip = |s: &str| -> String { s.chars().filter(|c| !c.is_whitespace()).collect() };
    let same = |a: &str, b: &str| !strip(a).is_empty() && strip(a) == strip(b);
    let my_id = f
        .applicant_id
        .as_ref()
        .map(|i| i.as_str().to_string())
        .or_else(|| f.applicant_id_raw.clone());
    // The applicant: same name, and the same number where one is printed.
    let is_me = |name: &str, id: Option<&str>| {
        f.applicant_name.as_deref().is_some_and(|me| same(name, me))
            && match (id, my_id.as_deref()) {
                (Some(a), Some(b)) => a.eq_ignore_ascii_case(b),
                _ => true,
            }
    };
    let pass = |message: String, evidence: Vec<Evidence>| {
        let mut x = Finding::new(ID, POLICY, Status::Pass, message);
        x.evidence = evidence;
        x
    };
    for (d, p) in &permits {
        if let Some(to) = p.valid_to
            && to >= f.as_of
            && p.valid_from.is_none_or(|from| from <= f.as_of)
        {
            return pass(
                format!("北京市居住证有效期至 {to}"),
                vec![evd(d, "有效期限", &to.to_string())],
            );
        }
    }
    // Spouses named with the applicant on a 结婚证.
    let spouses: Vec<(
        &CaseDoc,
        &crate::extract::marriage_cert::Spouse,
        Vec<Evidence>,
    )> = f
        .docs
        .iter()
        .filter(|d| d.duplicate_of.is_none())
        .filter_map(|d| match &d.record {
            Some(Record::MarriageCert(m)) => {
                let me = f.applicant_name.as_deref()?;
                let other = m.spouse_of(me, my_id.as_deref())?;
                let mine = m.spouses.iter().find(|s| !std::ptr::eq(*s, other))?;
                let mut ev = vec![evs(d, &mine.name.source), evs(d, &other.name.source)];
                ev.extend(mine.id_number.iter().map(|i| evs(d, &i.source)));
                ev.extend(other.id_number.iter().map(|i| evs(d, &i.source)));
                Some((d, other, ev))
            }
            _ => None,
        })
        .collect();
    let residential = |c: &crate::extract::property_cert::PropertyCert| {
        c.use_.as_deref().is_some_and(|u| u.contains("住宅"))
    };
    let mut unexplained = Vec::new();
    for (d, c) in &certs {
        let Some(h) = c.holder.as_deref() else {
            continue;
        };
        let mut ev = vec![
            evd(d, "权利人", h),
            evd(d, "用途", c.use_.as_deref().unwrap_or("")),
        ];
        if !residential(c) {
            if is_me(h, None) {
                unexplained.push(format!(
                    "不动产权证书（权利人 {h}）：用途「{}」不是住宅或未读到",
                    c.use_.as_deref().unwrap_or("—")
                ));
            }
            continue;
        }
        if is_me(h, None) {
            return pass(
                format!("不动产权证书（权利人 {h}，申请人本人，用途住宅）"),
                ev,
            );
        }
        if let Some((md, _, mev)) = spouses.iter().find(|(_, s, _)| same(&s.name.value, h)) {
            ev.extend(mev.iter().cloned());
            return pass(
                format!(
                    "不动产权证书（权利人 {h}）：结婚证（{}）载明其为申请人配偶（三(二)(6)A；配偶身份证另须原件核验）",
                    md.path
                ),
                ev,
            );
        }
        // The lessor's certificate of a lease in the bundle is the lease's supporting proof.
        if !leases
            .iter()
            .any(|(_, l)| l.lessor.as_deref().is_some_and(|o| same(o, h)))
        {
            unexplained.push(format!(
                "不动产权证书（权利人 {h}）：权利人不是申请人，也无结婚证或租赁合同说明与申请人的关系"
            ));
        }
    }
    let needed = f.as_of.checked_add_months(Months::new(months_left));
    let mut short: Vec<(String, Vec<Evidence>)> = Vec::new();
    let mut missing_cert = Vec::new();
    let mut others = Vec::new();
    for (d, l) in &leases {
        let Some(lessee) = l.lessee.as_deref() else {
            others.push(format!("{}：未读到承租人", d.path));
            continue;
        };
        if !is_me(lessee, l.lessee_id.as_deref()) {
            others.push(format!("{}：承租人「{lessee}」不是申请人", d.path));
            continue;
        }
        let mut ev = Vec::new();
        ev.extend(l.lessee_source.iter().map(|s| evs(d, s)));
        ev.extend(l.term_source.iter().map(|s| evs(d, s)));
        let (Some(start), Some(end), Some(needed)) = (l.start, l.end, needed) else {
            others.push(format!("{}：未读到租赁期限", d.path));
            continue;
        };
        if start > f.as_of {
            short.push((
                format!("租赁合同自 {start} 起，申请日 {} 尚未开始", f.as_of),
                ev,
            ));
            continue;
        }
        if end < needed {
            short.push((
                format!(
                    "租赁合同至 {end}，不足 {months_left} 个月（三(二)(6)B：尚有6个月以上租赁期限）"
                ),
                ev,
            ));
            continue;
        }
        let term =
            format!("租赁合同（承租人 {lessee}）{start} 至 {end}，尚有 {months_left} 个月以上");
        let lessor = l.lessor.as_deref().unwrap_or("");
        let organisation = [
            "公司",
            "中心",
            "集团",
            "单位",
            "管理处",
            "委员会",
            "大学",
            "学院",
            "医院",
        ]
        .iter()
        .any(|w| lessor.contains(w));
        if organisation {
            return pass(format!("{term}；出租方为单位 {lessor}"), ev);
        }
        let cert = certs
            .iter()
            .find(|(_, c)| residential(c) && c.holder.as_deref().is_some_and(|h| same(h, lessor)));
        match cert {
            Some((cd, c)) => {
                ev.push(evd(cd, "权利人", c.holder.as_deref().unwrap_or("")));
                ev.push(evd(cd, "用途", c.use_.as_deref().unwrap_or("")));
                return pass(
                    format!("{term}；出租人 {lessor} 的不动产权证书（用途住宅）已提供"),
                    ev,
                );
            }
            None => missing_cert.push((
                format!(
                    "{term}，但未见出租人「{}」的《不动产权证书》或《房屋所有权证》（三(二)(6)B：租住居民户房屋的还需提供）",
                    if lessor.is_empty() { "—" } else { lessor }
                ),
                ev,
            )),
        }
    }
    if !unexplained.is_empty() {
        return Finding::new(ID, POLICY, Status::NeedsReview, unexplained.join("；"));
    }
    if let Some((msg, ev)) = short.into_iter().next() {
        let mut x = Finding::new(ID, POLICY, Status::Fail, msg);
        x.evidence = ev;
        return x;
    }
    if let Some((msg, ev)) = missing_cert.into_iter().next() {
        let mut x = Finding::new(ID, POLICY, Status::NeedsMaterial, msg);
        x.evidence = ev;
        return x;
    }
    if !others.is_empty() {
        return Finding::new(ID, POLICY, Status::NeedsReview, others.join("；"));
    }
    Finding::new(
        ID,
        POLICY,
        Status::NeedsMaterial,
        "没有居住证、申请人或其配偶的不动产权证书或申请人的租赁合同".into(),
    )
}
