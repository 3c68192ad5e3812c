//! `degree` (a degree certificate): 学士/硕士/博士学位证书 — holder, sex, birth date, school,
//! 专业, the 学位 (level and 学科门类), the award date and the 证书编号 (二(二)1, 三(二)Ⅱ①C).
//!
//! The certificate is prose, not a form: `韩涵洋，女，1989年11月7日生。在华岳工业大学机械设计
//! 制造及其自动化专业完成了本科学习计划……授予工学学士学位。` with the award date printed in
//! Chinese numerals (`二〇一一年七月一日`) under the signatures. The prose wraps anywhere, so the
//! lines are read joined ([`Joined`]) and each value cites the lines it was read from. A value
//! that is not found is `None`; nothing is guessed from the file name or the title alone
//! except the level, which the title states as well (`学士学位证书`).

use chrono::NaiveDate;
use serde::{Deserialize, Serialize};

use super::text_util::{ReadFrom, Source, dates_in};
use crate::read::layout::Line;
use crate::read::text::ReadBy;

/// A 学位 level.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum DegreeLevel {
    /// 学士.
    Bachelor,
    /// 硕士.
    Master,
    /// 博士.
    Doctor,
}

impl DegreeLevel {
    /// The level as printed.
    pub fn label(self) -> &'static str {
        match self {
            DegreeLevel::Bachelor => "学士",
            DegreeLevel::Master => "硕士",
            DegreeLevel::Doctor => "博士",
        }
    }

    fn find(s: &str) -> Option<DegreeLevel> {
        // The highest named wins: a doctor's certificate may mention nothing else, but a
        // sentence like 授予博士学位 must not read as 学士 because 学士 is a substring nowhere.
        [
            ("博士", DegreeLevel::Doctor),
            ("硕士", DegreeLevel::Master),
            ("学士", DegreeLevel::Bachelor),
        ]
        .into_iter()
        .find(|(k, _)| s.contains(k))
        .map(|(_, l)| l)
    }
}

/// A value and where it was read.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Read<T> {
    /// The value.
    pub value: T,
    /// Where.
    pub source: Source,
}

/// A degree certificate as read.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct DegreeCert {
    /// The holder (the name before `，男，` / `，女，`).
    pub holder: Option<Read<String>>,
    /// 男/女 as printed.
    pub sex: Option<String>,
    /// `1989年11月7日生`.
    pub birth: Option<Read<NaiveDate>>,
    /// The school and 专业 as printed between 在 and 专业 (`华岳工业大学机械设计制造及其自动化`).
    pub school_and_major: Option<String>,
    /// The 专业 alone, where the school's name could be cut off (`…大学`, `…学院`).
    pub major: Option<String>,
    /// The 学位 level.
    pub level: Option<Read<DegreeLevel>>,
    /// The 学科门类 (`工学`, `经济学`).
    pub field: Option<String>,
    /// The award date (the date under the signatures, often in Chinese numerals).
    pub awarded_on: Option<Read<NaiveDate>>,
    /// 证书编号.
    pub cert_number: Option<Read<String>>,
    /// Where the values without a source of their own were read (`sex`, `school_and_major`,
    /// `major`, `field`).
    #[serde(default, skip_serializing_if = "ReadFrom::is_empty")]
    pub read_from: ReadFrom,
    /// What could not be read.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub problems: Vec<String>,
}

/// Lines joined into one normalized text, remembering where each line starts, so a value read
/// across a wrap can cite the lines it spans.
pub(crate) struct Joined<'a> {
    /// The normalized text of every line, joined without separators.
    pub text: String,
    starts: Vec<usize>,
    lines: &'a [Line],
}

impl<'a> Joined<'a> {
    /// Joins `lines`.
    pub fn new(lines: &'a [Line]) -> Joined<'a> {
        let mut text = String::new();
        let mut starts = Vec::with_capacity(lines.len());
        for l in lines {
            starts.push(text.len());
            text.push_str(&l.normalized());
        }
        Joined {
            text,
            starts,
            lines,
        }
    }

    fn line_of(&self, at: usize) -> usize {
        self.starts
            .partition_point(|s| *s <= at)
            .saturating_sub(1)
            .min(self.lines.len().saturating_sub(1))
    }

    /// The source of the text between byte offsets `from` and `to`: the lines it spans, their
    /// text joined, the lowest OCR confidence among them.
    pub fn source(&self, from: usize, to: usize) -> Source {
        if self.lines.is_empty() {
            return Source::none(ReadBy::TextLayer);
        }
        let (a, b) = (
            self.line_of(from),
            self.line_of(to.saturating_sub(1).max(from)),
        );
        let span = &self.lines[a..=b.max(a)];
        let locator = if span.len() == 1 {
            span[0].locator()
        } else {
            format!("{}–{}", span[0].locator(), span[span.len() - 1].index + 1)
        };
        Source {
            locator,
            text: span.iter().map(Line::text).collect::<Vec<_>>().join(" / "),
            confidence: span
                .iter()
                .filter_map(|l| crate::read::text::min_confidence(l.runs.iter()))
                .reduce(f32::min),
            read_by: ReadBy::of_runs(span.iter().flat_map(|l| l.runs.iter())),
            region: span
                .iter()
                .map(Line::region)
                .fold(None, crate::read::text::Region::join),
        }
    }
}

/// The text after `label` (and an optional colon) made of characters `ok` accepts.
pub(crate) fn token_after(
    s: &str,
    label: &str,
    ok: impl Fn(char) -> bool,
) -> Option<(usize, String)> {
    let i = s.find(label)? + label.len();
    let rest = s[i..].trim_start_matches([':', ' ']);
    let at = s.len() - rest.len();
    let v: String = rest.chars().take_while(|c| ok(*c)).collect();
    (!v.is_empty()).then_some((at, v))
}

/// A person's name as printed on a certificate: 2–4 Han characters (a middle dot allowed for
/// names of minorities), nothing else.
pub(crate) fn plausible_name(s: &str) -> bool {
    let n = s.chars().count();
    (2..=15).contains(&n)
        && s.chars()
            .all(|c| ('\u{4e00}'..='\u{9fff}').contains(&c) || c == '·' || c == '•')
}

/// A person's name as read after its label: spaces out, and any mark OCR read at either end
/// (a stray `”` where the next label's gap was) trimmed: a name is Han characters and `·`.
/// A name in Latin letters is kept as read, without its spaces.
pub(crate) fn name_of(s: &str) -> String {
    let t: String = s.chars().filter(|c| !c.is_whitespace()).collect();
    let han = t.trim_matches(|c: char| !(('\u{4e00}'..='\u{9fff}').contains(&c) || c == '·'));
    if han.is_empty() { t } else { han.to_string() }
}

/// Lines of text-layer text, one run each (for the extractors' unit tests).
#[cfg(test)]
pub(crate) fn lines_of_texts(texts: &[&str]) -> Vec<Line> {
    texts
        .iter()
        .enumerate()
        .map(|(i, t)| Line {
            page: 1,
            index: i,
            y: 800.0 - i as f32 * 14.0,
            size: 10.0,
            runs: vec![crate::read::text::TextRun {
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

const SCHOOL_ENDS: &[&str] = &["大学", "学院", "研究院", "研究所", "学校", "党校"];

/// Reads a degree certificate.
pub fn extract(lines: &[Line]) -> DegreeCert {
    let j = Joined::new(lines);
    let t = &j.text;
    let mut problems = Vec::new();
    let mut read_from = ReadFrom::new();
    // Holder, sex and birth: `NAME,女,1989年11月7日生`.
    let mut holder = None;
    let mut sex = None;
    let mut birth = None;
    for mark in [",男,", ",女,"] {
        if let Some(i) = t.find(mark) {
            // The name is the Han run right before the mark (after the title, if on one line).
            let before = &t[..i];
            let start = before
                .char_indices()
                .rev()
                .take_while(|(_, c)| ('\u{4e00}'..='\u{9fff}').contains(c) || *c == '·')
                .last()
                .map_or(i, |(k, _)| k);
            let mut name = &t[start..i];
            // A title on the same joined text (`学士学位证书韩涵洋`): cut after 证书.
            if let Some(k) = name.rfind("证书") {
                name = &name[k + "证书".len()..];
            }
            let name_start = i - name.len();
            if plausible_name(name) && name.chars().count() <= 6 {
                holder = Some(Read {
                    value: name.to_string(),
                    source: j.source(name_start, i),
                });
            }
            sex = Some(mark.trim_matches(',').to_string());
            read_from.insert("sex".into(), j.source(i, i + mark.len()));
            let after = i + mark.len();
            if let Some((k, d)) = dates_in(&t[after..]).first().copied()
                && k < 4
            {
                birth = Some(Read {
                    value: d,
                    source: j.source(after, after + 20.min(t.len() - after)),
                });
            }
            break;
        }
    }
    if holder.is_none() {
        problems.push("未读到学位获得者姓名".into());
    }
    // School and 专业: `在…专业`.
    let opening = [",在", "。在", ".在"]
        .iter()
        .filter_map(|p| t.find(p).map(|i| i + p.len()))
        .min();
    let (school_and_major, major) = match opening {
        Some(from) => match t[from..].find("专业") {
            Some(k) if k > 0 => {
                let sm = t[from..from + k].to_string();
                let major = SCHOOL_ENDS
                    .iter()
                    .filter_map(|e| sm.rfind(e).map(|p| p + e.len()))
                    .max()
                    .map(|p| sm[p..].to_string())
                    .filter(|m| !m.is_empty());
                let source = j.source(from, from + k);
                read_from.insert("school_and_major".into(), source.clone());
                if major.is_some() {
                    read_from.insert("major".into(), source);
                }
                (Some(sm), major)
            }
            _ => (None, None),
        },
        None => (None, None),
    };
    // Level and field: `授予工学学士学位`; else the title.
    let mut level = None;
    let mut field = None;
    if let Some(i) = t.find("授予") {
        let from = i + "授予".len();
        if let Some(k) = t[from..].find("学位") {
            let s = &t[from..from + k];
            if let Some(l) = DegreeLevel::find(s) {
                let f = s.trim_end_matches(l.label());
                let source = j.source(i, from + k + "学位".len());
                if !f.is_empty() && f.chars().count() <= 8 {
                    field = Some(f.to_string());
                    read_from.insert("field".into(), source.clone());
                }
                level = Some(Read { value: l, source });
            }
        }
    }
    if level.is_none()
        && let Some((k, l)) = lines.iter().take(3).enumerate().find_map(|(k, l)| {
            let n = l.normalized();
            n.contains("学位证书")
                .then(|| DegreeLevel::find(&n))
                .flatten()
                .map(|x| (k, x))
        })
    {
        level = Some(Read {
            value: l,
            source: Source::of(&lines[k]),
        });
    }
    if level.is_none() {
        problems.push("未读到学位（学士/硕士/博士）".into());
    }
    // The award date: the last date not followed by 生 (a birth date).
    let awarded_on = dates_in(t)
        .into_iter()
        .rfind(|(k, _)| {
            let tail = &t[*k..];
            let end = tail.find('日').map_or(tail.len(), |e| e + '日'.len_utf8());
            !tail[end..].starts_with('生')
        })
        .map(|(k, d)| Read {
            value: d,
            source: j.source(k, k + 1),
        });
    if awarded_on.is_none() {
        problems.push("未读到授予日期".into());
    }
    let cert_number = token_after(t, "证书编号", |c| c.is_ascii_alphanumeric()).map(|(k, v)| {
        let len = v.len();
        Read {
            value: v,
            source: j.source(k, k + len),
        }
    });
    DegreeCert {
        holder,
        sex,
        birth,
        school_and_major,
        major,
        level,
        field,
        awarded_on,
        cert_number,
        read_from,
        problems,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_lose_stray_marks() {
        assert_eq!(name_of("李秀英”"), "李秀英");
        assert_eq!(name_of(" 王 建国 "), "王建国");
        assert_eq!(name_of("阿依·买买提"), "阿依·买买提");
        assert_eq!(name_of("JOHN SMITH"), "JOHNSMITH");
    }

    #[test]
    fn reads_a_bachelors_certificate() {
        let lines = lines_of_texts(&[
            "学 士 学 位 证 书",
            "韩涵洋，女，1989年11月7日生。在华岳工业大学机械设计制造及其自",
            "动化专业完成了本科学习计划，业已毕业，经审核符合《中华人民共和国学",
            "位条例》的规定，授予工学学士学位。",
            "华岳工业大学  校长",
            "学位评定委员会主席",
            "二〇一一年七月一日",
            "证书编号：105962011917010",
        ]);
        let d = extract(&lines);
        assert_eq!(d.holder.as_ref().unwrap().value, "韩涵洋");
        assert_eq!(d.sex.as_deref(), Some("女"));
        assert_eq!(
            d.birth.as_ref().unwrap().value,
            NaiveDate::from_ymd_opt(1989, 11, 7).unwrap()
        );
        assert_eq!(d.major.as_deref(), Some("机械设计制造及其自动化"));
        assert_eq!(d.level.as_ref().unwrap().value, DegreeLevel::Bachelor);
        assert_eq!(d.field.as_deref(), Some("工学"));
        assert_eq!(
            d.awarded_on.as_ref().unwrap().value,
            NaiveDate::from_ymd_opt(2011, 7, 1).unwrap()
        );
        assert_eq!(d.cert_number.as_ref().unwrap().value, "105962011917010");
        assert!(d.problems.is_empty(), "{:?}", d.problems);
        assert_eq!(d.awarded_on.unwrap().source.locator, "page 1, line 7");
    }

    #[test]
    fn reads_a_masters_certificate_with_the_level_in_the_title_only() {
        let lines = lines_of_texts(&[
            "硕士学位证书",
            "李四，男，1992年3月5日生。在某某大学计算机科学与技术学科",
            "完成了硕士研究生学习计划，通过论文答辩，经审核授予学位。",
            "二〇一八年六月三十日",
        ]);
        let d = extract(&lines);
        assert_eq!(d.holder.unwrap().value, "李四");
        assert_eq!(d.level.unwrap().value, DegreeLevel::Master);
        assert_eq!(
            d.awarded_on.unwrap().value,
            NaiveDate::from_ymd_opt(2018, 6, 30).unwrap()
        );
        assert!(d.cert_number.is_none());
    }

    #[test]
    fn nothing_is_guessed_from_unrelated_text() {
        let lines = lines_of_texts(&["学位评定委员会", "某某说明"]);
        let d = extract(&lines);
        assert!(d.holder.is_none() && d.level.is_none() && d.awarded_on.is_none());
        assert_eq!(d.problems.len(), 3);
    }
}
