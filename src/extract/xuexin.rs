//! `degree` (the 学信网 form): 教育部学历证书电子注册备案表 — holder, ID number, birth date,
//! school, 层次 (本科/专科/硕士研究生/博士研究生), 专业, 毕(结)业日期, 证书编号 and the
//! 在线验证码 that 学信网 confirms (三(二)Ⅱ①B). The 备案表 states the 学历, not the 学位: a
//! 本科 graduate holds a 学士 degree only if the degree certificate says so.

use chrono::NaiveDate;
use serde::{Deserialize, Serialize};

use super::degree::{Read, name_of, token_after};
use super::text_util::{ReadFrom, Source, cite, dates_in, labelled};
use crate::read::layout::Line;

/// A 学历证书电子注册备案表 as read.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct XuexinRecord {
    /// 姓名.
    pub holder: Option<Read<String>>,
    /// 证件号码 as printed.
    pub id_number: Option<Read<String>>,
    /// 出生日期.
    pub birth: Option<Read<NaiveDate>>,
    /// 学校名称.
    pub school: Option<String>,
    /// 层次 (`本科`, `专科`, `硕士研究生`, `博士研究生`).
    pub level: Option<Read<String>>,
    /// 专业.
    pub major: Option<String>,
    /// 毕(结)业日期.
    pub graduated_on: Option<Read<NaiveDate>>,
    /// 毕(结)业 (`毕业`, `结业`, `肄业`).
    pub completion: Option<String>,
    /// 证书编号 (of the 学历证书).
    pub cert_number: Option<String>,
    /// 在线验证码: only 学信网 can confirm it.
    pub verification_code: Option<Read<String>>,
    /// 更新日期.
    pub updated_on: Option<NaiveDate>,
    /// Where the values without a source of their own were read (`school`, `major`,
    /// `completion`, `cert_number`, `updated_on`).
    #[serde(default, skip_serializing_if = "ReadFrom::is_empty")]
    pub read_from: ReadFrom,
    /// What could not be read.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub problems: Vec<String>,
}

const STOPS: &[&str] = &[
    "姓名",
    "性别",
    "证件号码",
    "民族",
    "出生日期",
    "学校名称",
    "层次",
    "专业",
    "学制",
    "学历类别",
    "学习形式",
    "入学日期",
    "毕(结)业日期",
    "毕(结)业",
    "证书编号",
    "在线验证码",
];

/// Whether the lines are a 学信网 备案表 rather than a certificate.
pub fn is_xuexin(lines: &[Line]) -> bool {
    lines.iter().take(12).any(|l| {
        let n = l.normalized();
        n.contains("电子注册备案表") || n.contains("学历认证报告")
    })
}

/// Reads a 备案表.
pub fn extract(lines: &[Line]) -> XuexinRecord {
    let get = |l: &str| labelled(lines, l, STOPS);
    let mut problems = Vec::new();
    let holder = get("姓名").map(|v| Read {
        value: name_of(&v.value),
        source: v.source,
    });
    let id_number = get("证件号码").and_then(|v| {
        let id: String = v
            .value
            .chars()
            .filter(|c| c.is_ascii_alphanumeric())
            .collect();
        (id.len() >= 15).then_some(Read {
            value: id.to_ascii_uppercase(),
            source: v.source,
        })
    });
    let date_of = |l: &str| {
        get(l).and_then(|v| {
            dates_in(&v.value).first().map(|d| Read {
                value: d.1,
                source: v.source.clone(),
            })
        })
    };
    let birth = date_of("出生日期");
    let graduated_on = date_of("毕(结)业日期");
    let level = get("层次").map(|v| Read {
        value: v.value.replace(' ', ""),
        source: v.source,
    });
    let mut read_from = ReadFrom::new();
    let completion = lines.iter().find_map(|l| {
        let n = l.normalized();
        let i = n.find("毕(结)业")?;
        let rest = &n[i + "毕(结)业".len()..];
        if rest.starts_with("日期") {
            return None;
        }
        ["毕业", "结业", "肄业"]
            .into_iter()
            .find(|w| rest.trim_start_matches(':').starts_with(w))
            .map(|w| (w.to_string(), Source::of(l)))
    });
    cite(
        &mut read_from,
        "completion",
        completion.as_ref().map(|c| &c.1),
    );
    let verification_code = lines.iter().find_map(|l| {
        let n = l.normalized();
        let (_, code) = token_after(&n, "在线验证码", |c| c.is_ascii_alphanumeric())?;
        (code.len() >= 8).then(|| Read {
            value: code.to_ascii_uppercase(),
            source: Source::of(l),
        })
    });
    let cert_number = lines.iter().find_map(|l| {
        token_after(&l.normalized(), "证书编号", |c| {
            c.is_ascii_alphanumeric()
        })
        .map(|x| (x.1, Source::of(l)))
    });
    cite(
        &mut read_from,
        "cert_number",
        cert_number.as_ref().map(|c| &c.1),
    );
    let updated = get("更新日期");
    let updated_on = updated
        .as_ref()
        .and_then(|v| dates_in(&v.value).first().map(|d| d.1));
    cite(
        &mut read_from,
        "updated_on",
        updated
            .as_ref()
            .filter(|_| updated_on.is_some())
            .map(|v| &v.source),
    );
    let school = get("学校名称");
    cite(&mut read_from, "school", school.as_ref().map(|v| &v.source));
    let major = get("专业");
    cite(&mut read_from, "major", major.as_ref().map(|v| &v.source));
    if holder.is_none() {
        problems.push("未读到姓名".into());
    }
    if level.is_none() {
        problems.push("未读到层次".into());
    }
    XuexinRecord {
        holder,
        id_number,
        birth,
        school: school.map(|v| v.value),
        level,
        major: major.map(|v| v.value),
        graduated_on,
        completion: completion.map(|c| c.0),
        cert_number: cert_number.map(|c| c.0),
        verification_code,
        updated_on,
        read_from,
        problems,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::extract::degree::lines_of_texts;

    #[test]
    fn reads_the_form() {
        let lines = lines_of_texts(&[
            "教育部学历证书电子注册备案表",
            "更新日期：2020年10月20日",
            "项目 内容 项目 内容",
            "姓名 韩涵洋 性别 女",
            "证件号码 370102198911076865 民族 汉族",
            "出生日期 1989年11月07日",
            "学校名称 华岳工业大学 层次 本科",
            "专业 机械设计制造及其自动化 学制 4年",
            "学历类别 普通高等教育 学习形式 普通全日制",
            "入学日期 2007年09月01日 毕（结）业日期 2011年07月01日",
            "毕（结）业 毕业 证书编号 187041201105426651",
            "在线验证码：7WJMMF4RNJBSCZ05",
        ]);
        assert!(is_xuexin(&lines));
        let x = extract(&lines);
        assert_eq!(x.holder.unwrap().value, "韩涵洋");
        assert_eq!(x.id_number.unwrap().value, "370102198911076865");
        assert_eq!(x.level.unwrap().value, "本科");
        assert_eq!(x.school.as_deref(), Some("华岳工业大学"));
        assert_eq!(x.major.as_deref(), Some("机械设计制造及其自动化"));
        assert_eq!(
            x.graduated_on.unwrap().value,
            NaiveDate::from_ymd_opt(2011, 7, 1).unwrap()
        );
        assert_eq!(x.completion.as_deref(), Some("毕业"));
        assert_eq!(x.cert_number.as_deref(), Some("187041201105426651"));
        assert_eq!(x.verification_code.unwrap().value, "7WJMMF4RNJBSCZ05");
        assert_eq!(
            x.birth.unwrap().value,
            NaiveDate::from_ymd_opt(1989, 11, 7).unwrap()
        );
        assert!(x.problems.is_empty());
    }
}
