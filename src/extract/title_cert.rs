//! `title_cert`: 专业技术资格证书 / 职称证书 — holder, ID number, the 资格 (title) with its level
//! (初级/中级/副高级/正高级), 专业, the date obtained and the 证书编号 (二(二)2, 三(二)Ⅱ②).
//!
//! The level is read from a `级别` / `资格级别` label where printed; otherwise from the title's
//! name by the usual series (`高级工程师` 副高, `工程师` 中级, `助理工程师` 初级 …). A title
//! whose level cannot be told stays `None`: nothing passes on it.

use chrono::NaiveDate;
use serde::{Deserialize, Serialize};

use super::degree::{Read, name_of};
use super::text_util::{ReadFrom, cite, dates_in, labelled};
use crate::read::layout::Line;

/// A 职称 level.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum TitleLevel {
    /// 初级 (员级 and 助理级).
    Junior,
    /// 中级.
    Intermediate,
    /// 副高级.
    ViceSenior,
    /// 正高级.
    Senior,
}

impl TitleLevel {
    /// As printed.
    pub fn label(self) -> &'static str {
        match self {
            TitleLevel::Junior => "初级",
            TitleLevel::Intermediate => "中级",
            TitleLevel::ViceSenior => "副高级",
            TitleLevel::Senior => "正高级",
        }
    }

    /// A level written out (`中级`, `副高`, `高级`, `正高级`, `初级`, `员级`, `助理级`).
    pub fn parse(s: &str) -> Option<TitleLevel> {
        let s = s.trim();
        Some(if s.starts_with("正高") {
            TitleLevel::Senior
        } else if s.starts_with("副高") || s.starts_with("高级") {
            TitleLevel::ViceSenior
        } else if s.starts_with("中级") {
            TitleLevel::Intermediate
        } else if s.starts_with("初级") || s.starts_with("员级") || s.starts_with("助理级") {
            TitleLevel::Junior
        } else {
            return None;
        })
    }

    /// The level a title's name implies (`高级工程师` → 副高级), by the common series.
    pub fn of_title(name: &str) -> Option<TitleLevel> {
        let n = name.trim();
        if n.is_empty() {
            return None;
        }
        if n.contains("正高级")
            || n.contains("研究员") && !n.contains("助理研究员") && !n.contains("副研究员")
            || n == "教授"
            || n.starts_with("主任") && !n.starts_with("副主任")
        {
            return Some(TitleLevel::Senior);
        }
        if n.contains("高级")
            || n.contains("副研究员")
            || n.contains("副教授")
            || n.contains("副主任")
        {
            return Some(TitleLevel::ViceSenior);
        }
        if n.contains("助理") || n.ends_with('员') || n == "医士" || n == "药士" || n == "护士"
        {
            return Some(TitleLevel::Junior);
        }
        if n.contains("中级")
            || [
                "工程师",
                "经济师",
                "会计师",
                "统计师",
                "审计师",
                "讲师",
                "主治医师",
                "主管",
                "编辑",
                "记者",
                "翻译",
                "农艺师",
                "律师",
            ]
            .iter()
            .any(|x| n.ends_with(x))
        {
            return Some(TitleLevel::Intermediate);
        }
        None
    }
}

/// A title certificate as read.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct TitleCert {
    /// 姓名.
    pub holder: Option<Read<String>>,
    /// 身份证号 as printed.
    pub id_number: Option<Read<String>>,
    /// The title (资格名称 / 职称 / 专业技术资格), as printed.
    pub title: Option<String>,
    /// The level: from a 级别 label, else implied by the title.
    pub level: Option<Read<TitleLevel>>,
    /// 专业.
    pub major: Option<String>,
    /// The date the 资格 was obtained (评审通过 / 取得 / 批准 / 授予 date).
    pub obtained_on: Option<Read<NaiveDate>>,
    /// 证书编号 / 管理号.
    pub cert_number: Option<String>,
    /// Where the values without a source of their own were read (`title`, `major`,
    /// `cert_number`).
    #[serde(default, skip_serializing_if = "ReadFrom::is_empty")]
    pub read_from: ReadFrom,
    /// What could not be read.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub problems: Vec<String>,
}

const STOPS: &[&str] = &[
    "姓名",
    "性别",
    "出生",
    "身份证号",
    "身份证号码",
    "证件号码",
    "工作单位",
    "资格名称",
    "职称名称",
    "专业技术资格",
    "专业技术职务",
    "资格级别",
    "级别",
    "专业",
    "评审时间",
    "取得时间",
    "批准时间",
    "授予时间",
    "取得资格时间",
    "评审委员会",
    "发证机关",
    "证书编号",
    "管理号",
];

/// Reads a title certificate.
pub fn extract(lines: &[Line]) -> TitleCert {
    // A label counts where a colon follows it or it opens the line (not inside a title such
    // as 专业技术资格证书 or 职称证书).
    let get = |label: &str| {
        lines.iter().find_map(|l| {
            let n = l.normalized();
            let i = n.find(label)?;
            let rest = &n[i + label.len()..];
            let colon = rest.starts_with(':');
            let opens = i == 0
                && !["技术", "证书", "评审", "系列"]
                    .iter()
                    .any(|x| rest.starts_with(x));
            (colon || opens)
                .then(|| labelled(std::slice::from_ref(l), label, STOPS))
                .flatten()
        })
    };
    let first = |ls: &[&str]| ls.iter().find_map(|l| get(l));
    let mut problems = Vec::new();
    let holder = get("姓名").map(|v| Read {
        value: name_of(&v.value),
        source: v.source,
    });
    let id_number = first(&["身份证号码", "身份证号", "证件号码"]).and_then(|v| {
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
    let title = first(&[
        "资格名称",
        "职称名称",
        "专业技术资格",
        "专业技术职务",
        "职称",
    ]);
    let explicit = first(&["资格级别", "级别"])
        .and_then(|v| TitleLevel::parse(&v.value).map(|l| (l, v.source)));
    let level = explicit
        .or_else(|| {
            let t = title.as_ref()?;
            TitleLevel::of_title(&t.value).map(|l| (l, t.source.clone()))
        })
        .map(|(value, source)| Read { value, source });
    if level.is_none() {
        problems.push("未读到职称级别".into());
    }
    let obtained_on = first(&[
        "取得资格时间",
        "评审时间",
        "取得时间",
        "批准时间",
        "授予时间",
        "评审通过时间",
        "发证日期",
    ])
    .and_then(|v| {
        dates_in(&v.value).first().map(|d| Read {
            value: d.1,
            source: v.source.clone(),
        })
    });
    let cert_number = first(&["证书编号", "管理号"]);
    let major = get("专业");
    let mut read_from = ReadFrom::new();
    cite(&mut read_from, "title", title.as_ref().map(|v| &v.source));
    cite(&mut read_from, "major", major.as_ref().map(|v| &v.source));
    cite(
        &mut read_from,
        "cert_number",
        cert_number.as_ref().map(|v| &v.source),
    );
    TitleCert {
        holder,
        id_number,
        title: title.map(|t| t.value),
        level,
        major: major.map(|v| v.value),
        obtained_on,
        cert_number: cert_number.map(|v| v.value),
        read_from,
        problems,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::extract::degree::lines_of_texts;

    #[test]
    fn levels_from_titles() {
        assert_eq!(
            TitleLevel::of_title("工程师"),
            Some(TitleLevel::Intermediate)
        );
        assert_eq!(TitleLevel::of_title("助理工程师"), Some(TitleLevel::Junior));
        assert_eq!(
            TitleLevel::of_title("高级工程师"),
            Some(TitleLevel::ViceSenior)
        );
        assert_eq!(
            TitleLevel::of_title("正高级工程师"),
            Some(TitleLevel::Senior)
        );
        assert_eq!(TitleLevel::of_title("研究员"), Some(TitleLevel::Senior));
        assert_eq!(TitleLevel::of_title("助理研究员"), Some(TitleLevel::Junior));
        assert_eq!(TitleLevel::of_title("技术员"), Some(TitleLevel::Junior));
        assert_eq!(TitleLevel::of_title("某某"), None);
        assert_eq!(TitleLevel::parse("副高级"), Some(TitleLevel::ViceSenior));
    }

    #[test]
    fn reads_a_certificate() {
        let lines = lines_of_texts(&[
            "北京市专业技术资格证书",
            "姓名：李明 性别：男",
            "身份证号：11010519491231002X",
            "资格名称：工程师",
            "专业：计算机应用技术",
            "级别：中级",
            "取得资格时间：2018年12月20日",
            "证书编号：GC2018-0001234",
        ]);
        let t = extract(&lines);
        assert_eq!(t.holder.unwrap().value, "李明");
        assert_eq!(t.id_number.unwrap().value, "11010519491231002X");
        assert_eq!(t.title.as_deref(), Some("工程师"));
        assert_eq!(t.level.unwrap().value, TitleLevel::Intermediate);
        assert_eq!(t.major.as_deref(), Some("计算机应用技术"));
        assert_eq!(
            t.obtained_on.unwrap().value,
            NaiveDate::from_ymd_opt(2018, 12, 20).unwrap()
        );
        assert_eq!(t.cert_number.as_deref(), Some("GC2018-0001234"));
    }
}
