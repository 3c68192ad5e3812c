//! `marriage_cert`: 结婚证 — the holder (持证人), the registration date, the 结婚证字号, and both
//! spouses' names, sexes, birth dates and ID numbers. 三(二)(6)A: a home owned by the
//! applicant's spouse is a residence proof together with the 结婚证 of both.

use chrono::NaiveDate;
use serde::{Deserialize, Serialize};

use super::degree::{Read, name_of};
use super::text_util::{ReadFrom, cite, dates_in, labelled};
use crate::read::layout::Line;

/// One spouse as printed.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Spouse {
    /// 姓名.
    pub name: Read<String>,
    /// 性别.
    pub sex: Option<String>,
    /// 出生日期.
    pub birth: Option<NaiveDate>,
    /// 身份证件号 as printed.
    pub id_number: Option<Read<String>>,
    /// Where `sex` and `birth` were read.
    #[serde(default, skip_serializing_if = "ReadFrom::is_empty")]
    pub read_from: ReadFrom,
}

/// A marriage certificate as read.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct MarriageCert {
    /// 持证人.
    pub holder: Option<String>,
    /// 登记日期.
    pub registered_on: Option<Read<NaiveDate>>,
    /// 结婚证字号.
    pub cert_number: Option<String>,
    /// The spouses, in printed order (two when read completely).
    pub spouses: Vec<Spouse>,
    /// Where `holder` and `cert_number` were read.
    #[serde(default, skip_serializing_if = "ReadFrom::is_empty")]
    pub read_from: ReadFrom,
    /// What could not be read.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub problems: Vec<String>,
}

const STOPS: &[&str] = &[
    "持证人",
    "登记日期",
    "结婚证字号",
    "姓名",
    "性别",
    "国籍",
    "出生日期",
    "身份证件号",
    "身份证件号码",
    "身份证号",
    "备注",
];

fn id_of(v: &str) -> Option<String> {
    let id: String = v.chars().filter(|c| c.is_ascii_alphanumeric()).collect();
    (id.len() >= 15).then(|| id.to_ascii_uppercase())
}

/// Reads a marriage certificate.
pub fn extract(lines: &[Line]) -> MarriageCert {
    let get = |l: &str| labelled(lines, l, STOPS);
    let mut problems = Vec::new();
    // Each 姓名 opens a spouse's block, which runs to the next 姓名.
    let starts: Vec<usize> = lines
        .iter()
        .enumerate()
        .filter(|(_, l)| l.normalized().contains("姓名"))
        .map(|(i, _)| i)
        .collect();
    let mut spouses = Vec::new();
    for (k, &s) in starts.iter().enumerate() {
        let end = starts.get(k + 1).copied().unwrap_or(lines.len());
        let block = &lines[s..end];
        let g = |l: &str| labelled(block, l, STOPS);
        let Some(name) = g("姓名") else { continue };
        let id_number = ["身份证件号码", "身份证件号", "身份证号"]
            .iter()
            .find_map(|l| g(l))
            .and_then(|v| {
                id_of(&v.value).map(|id| Read {
                    value: id,
                    source: v.source,
                })
            });
        let mut read_from = ReadFrom::new();
        let sex = g("性别").and_then(|v| {
            v.value
                .chars()
                .find(|c| *c == '男' || *c == '女')
                .map(|c| (String::from(c), v.source))
        });
        cite(&mut read_from, "sex", sex.as_ref().map(|s| &s.1));
        let birth =
            g("出生日期").and_then(|v| dates_in(&v.value).first().map(|d| (d.1, v.source.clone())));
        cite(&mut read_from, "birth", birth.as_ref().map(|b| &b.1));
        spouses.push(Spouse {
            name: Read {
                value: name_of(&name.value),
                source: name.source,
            },
            sex: sex.map(|s| s.0),
            birth: birth.map(|b| b.0),
            id_number,
            read_from,
        });
    }
    if spouses.len() != 2 {
        problems.push(format!("读到 {} 位当事人（应为 2 位）", spouses.len()));
    }
    let holder = get("持证人");
    let cert_number = get("结婚证字号");
    let mut read_from = ReadFrom::new();
    cite(&mut read_from, "holder", holder.as_ref().map(|v| &v.source));
    cite(
        &mut read_from,
        "cert_number",
        cert_number.as_ref().map(|v| &v.source),
    );
    MarriageCert {
        holder: holder.map(|v| v.value),
        registered_on: get("登记日期").and_then(|v| {
            dates_in(&v.value).first().map(|d| Read {
                value: d.1,
                source: v.source.clone(),
            })
        }),
        cert_number: cert_number.map(|v| v.value),
        spouses,
        read_from,
        problems,
    }
}

impl MarriageCert {
    /// The other spouse of the one named `name` (or with ID `id`), when the certificate names
    /// that person: `Some(other)`.
    pub fn spouse_of(&self, name: &str, id: Option<&str>) -> Option<&Spouse> {
        if self.spouses.len() != 2 {
            return None;
        }
        let is = |s: &Spouse| match (id, s.id_number.as_ref()) {
            (Some(a), Some(b)) => a.eq_ignore_ascii_case(&b.value) && s.name.value == name,
            _ => s.name.value == name,
        };
        match (is(&self.spouses[0]), is(&self.spouses[1])) {
            (true, false) => Some(&self.spouses[1]),
            (false, true) => Some(&self.spouses[0]),
            _ => None,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::extract::degree::lines_of_texts;

    #[test]
    fn reads_both_spouses() {
        let lines = lines_of_texts(&[
            "结婚证",
            "持证人 张三",
            "登记日期 2015年05月20日",
            "结婚证字号 J110105-2015-001234",
            "备注",
            "姓名 张三 性别 男",
            "国籍 中国 出生日期 1949年12月31日",
            "身份证件号 11010519491231002X",
            "姓名 李四 性别 女",
            "国籍 中国 出生日期 1990年03月07日",
            "身份证件号 110105199003070023",
        ]);
        let m = extract(&lines);
        assert_eq!(m.holder.as_deref(), Some("张三"));
        assert_eq!(m.cert_number.as_deref(), Some("J110105-2015-001234"));
        assert_eq!(m.spouses.len(), 2);
        assert_eq!(m.spouses[1].name.value, "李四");
        assert_eq!(m.spouses[1].sex.as_deref(), Some("女"));
        assert_eq!(
            m.spouses[0].id_number.as_ref().unwrap().value,
            "11010519491231002X"
        );
        assert_eq!(
            m.spouse_of("张三", Some("11010519491231002X"))
                .unwrap()
                .name
                .value,
            "李四"
        );
        assert!(m.spouse_of("王五", None).is_none());
        assert!(m.problems.is_empty());
    }
}
