//! `labor_contract`: parties and term.
//!
//! The 2019 national template (人社部《劳动合同（通用）》) prints all three term options and the
//! parties choose one (`按下列第__种方式`): the chosen option is found first and only it is read
//! — the other options' blanks (`____年__月__日`) must not be mistaken for dates. Older and
//! company phrasings (`本合同期限类型为…`, `合同期限自…起至…止`, `自…起为无固定期限`) are read
//! from the text around 期限. Dates come in Arabic or Chinese numerals, ISO, or with spaces in
//! filled blanks (`document-formats.md` §4).

use chrono::NaiveDate;
use serde::{Deserialize, Serialize};

use super::text_util::{Source, date, dates_in, labelled};
use crate::read::layout::Line;

/// The kind of term (劳动合同法 第十二条).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum TermType {
    /// 固定期限.
    Fixed,
    /// 无固定期限.
    OpenEnded,
    /// 以完成一定工作任务为期限.
    Task,
}

/// A labour contract as read.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct LaborContract {
    /// 甲方 (用人单位).
    pub employer: Option<String>,
    /// 甲方's 统一社会信用代码.
    pub employer_credit_code: Option<String>,
    /// 乙方 (劳动者).
    pub employee: Option<String>,
    /// 乙方's 居民身份证号码.
    pub employee_id: Option<String>,
    /// The term type, if it could be determined.
    pub term_type: Option<TermType>,
    /// Start of the term.
    pub start: Option<NaiveDate>,
    /// End of a fixed term.
    pub end: Option<NaiveDate>,
    /// The task of a task-bound term.
    pub task: Option<String>,
    /// End of probation, where stated as a date.
    pub probation_end: Option<NaiveDate>,
    /// Probation length, where stated in months.
    pub probation_months: Option<u32>,
    /// 签订日期.
    pub signed_on: Option<NaiveDate>,
    /// Where the term was read.
    pub term_source: Option<Source>,
    /// What could not be read.
    pub findings: Vec<String>,
}

const PARTY_STOPS: &[&str] = &[
    "统一社会信用代码",
    "法定代表人",
    "注册地",
    "经营地",
    "联系电话",
    "居民身份证号码",
    "身份证号码",
    "身份证号",
    "户籍地址",
    "经常居住地",
    "住所",
    "地址",
];

fn party(lines: &[Line], labels: &[&str]) -> Option<String> {
    labels
        .iter()
        .find_map(|l| labelled(lines, l, PARTY_STOPS))
        .map(|v| v.value.trim_matches(['_', ' ']).to_string())
        .filter(|v| !v.is_empty())
}

/// Chinese small numbers for 试用期为三个月 / 6个月.
fn months_in(s: &str) -> Option<u32> {
    let i = s.find("个月")?;
    let before: String = s[..i]
        .chars()
        .rev()
        .take_while(|c| c.is_ascii_digit() || "一二三四五六七八九十两".contains(*c))
        .collect::<Vec<_>>()
        .into_iter()
        .rev()
        .collect();
    if let Ok(n) = before.parse() {
        return Some(n);
    }
    let digit = |c: char| {
        "零一二三四五六七八九"
            .find(c)
            .map(|b| (b / 3) as u32)
            .or((c == '两').then_some(2))
    };
    let cs: Vec<char> = before.chars().collect();
    match cs.as_slice() {
        ['十'] => Some(10),
        [d] => digit(*d),
        ['十', d] => Some(10 + digit(*d)?),
        _ => None,
    }
}

/// Reads a labour contract from its lines.
pub fn extract(lines: &[Line]) -> LaborContract {
    let text: String = lines
        .iter()
        .map(|l| l.normalized())
        .collect::<Vec<_>>()
        .join("");
    let mut c = LaborContract {
        employer: party(lines, &["甲方(用人单位)", "甲方"]),
        employer_credit_code: labelled(lines, "统一社会信用代码", PARTY_STOPS).map(|v| v.value),
        employee: party(lines, &["乙方(劳动者)", "乙方"]),
        employee_id: labelled(lines, "居民身份证号码", PARTY_STOPS)
            .or_else(|| labelled(lines, "身份证号码", PARTY_STOPS))
            .map(|v| v.value),
        term_type: None,
        start: None,
        end: None,
        task: None,
        probation_end: None,
        probation_months: None,
        signed_on: None,
        term_source: None,
        findings: Vec::new(),
    };
    // Normalize the blank markers left in unfilled options.
    let chosen = text.find("按下列第").and_then(|i| {
        let rest = &text[i + "按下列第".len()..];
        let n: String = rest.chars().take_while(|ch| *ch != '种').collect();
        n.trim_matches('_')
            .trim()
            .parse::<u32>()
            .ok()
            .or(match n.trim() {
                "一" => Some(1),
                "二" => Some(2),
                "三" => Some(3),
                _ => None,
            })
    });
    let term_text: String = match chosen {
        Some(n) => {
            // The chosen option runs from `N.` (or `N、`) to the next option or 第二条.
            let marks = [
                format!("{n}.固定期限"),
                format!("{n}.无固定期限"),
                format!("{n}.以完成"),
                format!("{n}、"),
            ];
            let start = marks.iter().filter_map(|m| text.rfind(m.as_str())).max();
            match start {
                Some(s) => {
                    let rest = &text[s..];
                    let end = [format!("{}.", n + 1), "第二条".to_string()]
                        .iter()
                        .filter_map(|m| rest[2..].find(m.as_str()).map(|e| e + 2))
                        .min()
                        .unwrap_or(rest.len());
                    rest[..end].to_string()
                }
                None => {
                    c.findings
                        .push(format!("选择了第 {n} 种期限，但未找到该项条文"));
                    String::new()
                }
            }
        }
        None => {
            // Older phrasings: the sentence(s) around 期限.
            let i = text
                .find("合同期限")
                .or_else(|| text.find("本合同期限"))
                .or_else(|| text.find("期限类型"))
                .or_else(|| text.find("生效日期"));
            match i {
                Some(i) => {
                    let rest = &text[i..];
                    let end = rest.find("第二条").unwrap_or(rest.len().min(400));
                    let end = (0..=end)
                        .rev()
                        .find(|e| rest.is_char_boundary(*e))
                        .unwrap_or(0);
                    rest[..end].to_string()
                }
                None => String::new(),
            }
        }
    };
    if term_text.is_empty() {
        c.findings.push("未找到劳动合同期限条款".into());
    }
    let (term_part, probation_part) = match term_text.find("试用期") {
        Some(i) => (&term_text[..i], &term_text[i..]),
        None => (term_text.as_str(), ""),
    };
    let ds = dates_in(term_part);
    let open = term_part.contains("无固定期限") || term_part.contains("依法解除、终止");
    let task = term_part.contains("工作任务");
    c.term_type = if task && (chosen == Some(3) || !term_part.contains("固定期限")) {
        Some(TermType::Task)
    } else if open {
        Some(TermType::OpenEnded)
    } else if !ds.is_empty() {
        Some(TermType::Fixed)
    } else {
        None
    };
    c.start = ds.first().map(|d| d.1);
    if c.term_type == Some(TermType::Fixed) {
        c.end = ds.get(1).map(|d| d.1);
        if c.end.is_none() {
            c.findings.push("固定期限合同未写明终止日期".into());
        }
    }
    if c.term_type == Some(TermType::Task) {
        // 自…起至<task>工作任务完成时止
        let after_start = ds.first().map_or(term_part, |(i, _)| &term_part[*i..]);
        c.task = after_start
            .find("起至")
            .map(|i| &after_start[i + "起至".len()..])
            .and_then(|r| {
                r.find("完成时止")
                    .map(|e| r[..e].to_string())
                    .or_else(|| r.find("完成").map(|e| r[..e].to_string()))
            })
            .map(|t| t.trim_end_matches("工作任务").trim_matches('_').to_string())
            .filter(|t| !t.is_empty());
        if c.task.is_none() {
            c.findings.push(
                "以完成一定工作任务为期限，但未写明任务，需另附说明写明合同结束时间（三(二)(5)）"
                    .into(),
            );
        }
    }
    if !probation_part.is_empty() {
        let pds = dates_in(probation_part);
        c.probation_end = pds
            .last()
            .map(|d| d.1)
            .filter(|_| probation_part.contains('至'));
        c.probation_months = months_in(probation_part);
    }
    // Both parties often print their own 签订日期 on one line: the first date counts.
    c.signed_on = ["签订日期", "签订时间", "签约日期"]
        .iter()
        .find_map(|l| labelled(lines, l, &[]))
        .and_then(|v| date(&v.value).or_else(|| dates_in(&v.value).first().map(|d| d.1)));
    c.term_source = lines
        .iter()
        .find(|l| {
            let n = l.normalized();
            n.contains("期限") && (n.contains("自") || n.contains("生效"))
        })
        .map(Source::of);
    c
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::read::text::TextRun;

    fn lines(texts: &[&str]) -> Vec<Line> {
        texts
            .iter()
            .enumerate()
            .map(|(i, t)| Line {
                page: 1,
                index: i,
                y: 800.0 - i as f32 * 14.0,
                size: 10.0,
                runs: vec![TextRun {
                    text: t.to_string(),
                    x: 50.0,
                    y: 800.0 - i as f32 * 14.0,
                    width: 300.0,
                    size: 10.0,
                    confidence: None,
                }],
            })
            .collect()
    }

    fn d(y: i32, m: u32, day: u32) -> Option<NaiveDate> {
        NaiveDate::from_ymd_opt(y, m, day)
    }

    #[test]
    fn template_2019_chosen_option_only() {
        let c = extract(&lines(&[
            "甲方（用人单位）：北京通州某某（科技）有限公司 统一社会信用代码：91350100M000100Y43",
            "乙方（劳动者）：张三 居民身份证号码：11010519491231002X",
            "第一条 甲乙双方自用工之日起建立劳动关系，双方约定按下列第 2 种方式确定劳动合同期限：",
            "1. 固定期限：自____年__月__日起至____年__月__日止，其中，试用期从用工之日起至____年__月__日止。",
            "2. 无固定期限：自2018年7月1日起至依法解除、终止劳动合同时止，其中，试用期从用工之日起至2018年12月31日止。",
            "3. 以完成一定工作任务为期限：自____年__月__日起至________工作任务完成时止。",
            "第二条 …",
            "签订日期：2018年6月20日",
        ]));
        assert_eq!(c.employer.as_deref(), Some("北京通州某某（科技）有限公司"));
        assert_eq!(c.employee.as_deref(), Some("张三"));
        assert_eq!(c.employee_id.as_deref(), Some("11010519491231002X"));
        assert_eq!(c.term_type, Some(TermType::OpenEnded));
        assert_eq!(c.start, d(2018, 7, 1));
        assert_eq!(c.end, None);
        assert_eq!(c.probation_end, d(2018, 12, 31));
        assert_eq!(c.signed_on, d(2018, 6, 20));
    }

    #[test]
    fn task_bound_and_older_phrasings() {
        let c = extract(&lines(&[
            "双方约定按下列第3种方式确定劳动合同期限：",
            "1. 固定期限：自____年__月__日起至____年__月__日止。",
            "3. 以完成一定工作任务为期限：自2020年3月1日起至通州新办公楼装修项目工作任务完成时止。",
        ]));
        assert_eq!(c.term_type, Some(TermType::Task));
        assert_eq!(c.start, d(2020, 3, 1));
        assert_eq!(c.task.as_deref(), Some("通州新办公楼装修项目"));
        let c = extract(&lines(&[
            "甲方：北京某某有限公司",
            "乙方：李四",
            "第一条 本合同期限类型为固定期限合同。本合同生效日期：二〇二〇年一月一日，终止日期：二〇二二年十二月三十一日，其中试用期为三个月。",
        ]));
        assert_eq!(c.term_type, Some(TermType::Fixed));
        assert_eq!((c.start, c.end), (d(2020, 1, 1), d(2022, 12, 31)));
        assert_eq!(c.probation_months, Some(3));
        assert_eq!(c.employer.as_deref(), Some("北京某某有限公司"));
        let c = extract(&lines(&[
            "本合同期限自 2021 年 3 月 1 日起至 2024 年 2 月 29 日止，其中试用期自2021年3月1日起至2021年5月31日止。",
        ]));
        assert_eq!(
            (c.start, c.end, c.probation_end),
            (d(2021, 3, 1), d(2024, 2, 29), d(2021, 5, 31))
        );
        let c = extract(&lines(&["劳动合同期限自2025-01-01起为无固定期限"]));
        assert_eq!(
            (c.term_type, c.start),
            (Some(TermType::OpenEnded), d(2025, 1, 1))
        );
    }
}
