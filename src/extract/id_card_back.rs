//! `id_card_back`: the back of the 居民身份证 (the side with the national emblem) — 签发机关 and
//! 有效期限 (`2016.08.19-2036.08.19`, or `2021.03.05-长期`).
//!
//! The back names neither the holder nor the number: alone it does not prove who the applicant
//! is, and the materials check does not count it as the ID card (`pipelines/*.toml` ask for
//! `id_card`, the face). It is read so that it is not an unknown file, and so a reviewer sees
//! the validity.
//!
//! The validity checks itself: a card is issued for 5, 10 or 20 years (by age at issue) and
//! expires on the day and month it was issued, or is 长期 (long-term). A period that is not one
//! of those, or an authority that is not a 公安 office (…公安局 / …分局), is a problem and its
//! values are capped at [`super::id_card::DISAGREEING`]: one of them is misread.

use std::collections::BTreeMap;

use chrono::{Datelike, NaiveDate};
use serde::{Deserialize, Serialize};

use super::id_card::{DISAGREEING, STRAY, value_confidence, without_stray_marks};
use super::text_util::{Source, labelled};
use crate::read::layout::Line;

/// The back of an ID card as read.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct IdCardBack {
    /// 签发机关.
    pub authority: Option<String>,
    /// 有效期限, first day.
    pub valid_from: Option<NaiveDate>,
    /// 有效期限, last day (`None` when long-term or unread).
    pub valid_to: Option<NaiveDate>,
    /// 有效期限 ends in 长期.
    pub long_term: bool,
    /// What does not hold.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub problems: Vec<String>,
    /// Where each value was read, by field name (`authority`, `valid_from`, `valid_to`,
    /// `long_term`), with the lowest OCR confidence of the words holding it.
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub read_from: BTreeMap<String, Source>,
}

const STOPS: &[&str] = &["签发机关", "有效期限"];

/// `2016.08.19-2036.08.19`, `20160819-20360819`, `2021.03.05-长期` as OCR reads them (any
/// separators): the first date, and the second date or `None` with `true` for 长期.
pub fn validity(s: &str) -> Option<(NaiveDate, Option<NaiveDate>, bool)> {
    let groups: Vec<&str> = s
        .split(|c: char| !c.is_ascii_digit())
        .filter(|g| !g.is_empty())
        .collect();
    let ymd = |y: &str, m: &str, d: &str| {
        NaiveDate::from_ymd_opt(y.parse().ok()?, m.parse().ok()?, d.parse().ok()?)
    };
    let eight = |g: &str| ymd(&g[0..4], &g[4..6], &g[6..8]);
    let lens: Vec<usize> = groups.iter().map(|g| g.len()).collect();
    let (from, to) = match lens.as_slice() {
        [4, 1 | 2, 1 | 2, 4, 1 | 2, 1 | 2] => (
            ymd(groups[0], groups[1], groups[2])?,
            Some(ymd(groups[3], groups[4], groups[5])?),
        ),
        [8, 8] => (eight(groups[0])?, Some(eight(groups[1])?)),
        [4, 1 | 2, 1 | 2] => (ymd(groups[0], groups[1], groups[2])?, None),
        [8] => (eight(groups[0])?, None),
        _ => return None,
    };
    let long = to.is_none() && s.contains("长期");
    if to.is_none() && !long {
        return None;
    }
    Some((from, to, long))
}

/// Whether `to` is 5, 10 or 20 years after `from`, on the same month and day.
fn issued_term(from: NaiveDate, to: NaiveDate) -> bool {
    [5, 10, 20].iter().any(|y| {
        to.year() == from.year() + y && to.month() == from.month() && to.day() == from.day()
    })
}

/// Reads the back of an ID card.
pub fn extract(lines: &[Line]) -> IdCardBack {
    let lines = &without_stray_marks(lines);
    let clean = |s: &str| {
        s.replace(' ', "")
            .trim_matches(|c: char| STRAY.contains(c))
            .to_string()
    };
    let line_of = |src: &Source| lines.iter().find(|l| l.locator() == src.locator);
    let mut read_from = BTreeMap::new();
    let mut problems = Vec::new();
    let authority = labelled(lines, "签发机关", STOPS).and_then(|v| {
        let a = clean(&v.value);
        if a.is_empty() {
            return None;
        }
        if let Some(l) = line_of(&v.source) {
            read_from.insert(
                "authority".to_string(),
                Source {
                    confidence: value_confidence(l, &a, 0),
                    ..v.source.clone()
                },
            );
        }
        Some(a)
    });
    let (mut valid_from, mut valid_to, mut long_term) = (None, None, false);
    match labelled(lines, "有效期限", STOPS) {
        Some(v) => {
            let text = clean(&v.value);
            let src = line_of(&v.source).map(|l| Source {
                confidence: value_confidence(l, &text, 0),
                ..v.source.clone()
            });
            match validity(&text) {
                Some((f, t, l)) => {
                    valid_from = Some(f);
                    valid_to = t;
                    long_term = l;
                    if let Some(src) = src {
                        for k in ["valid_from", "valid_to", "long_term"] {
                            if k != "valid_to" || t.is_some() {
                                read_from.insert(k.to_string(), src.clone());
                            }
                        }
                    }
                    if let Some(t) = t
                        && !issued_term(f, t)
                    {
                        problems.push(format!(
                            "有效期限 {f} 至 {t} 不是 5、10 或 20 年的有效期，可能有误读"
                        ));
                    }
                }
                None => problems.push(format!("有效期限「{text}」无法读取")),
            }
        }
        None => problems.push("未读到有效期限".into()),
    }
    match &authority {
        Some(a) if !(a.contains("公安") && a.ends_with('局')) => {
            problems.push(format!("签发机关「{a}」不是公安机关的名称，可能有误读"));
        }
        None => problems.push("未读到签发机关".into()),
        _ => {}
    }
    if !problems.is_empty() {
        for s in read_from.values_mut() {
            s.confidence = s.confidence.map(|c| c.min(DISAGREEING));
        }
    }
    IdCardBack {
        authority,
        valid_from,
        valid_to,
        long_term,
        problems,
        read_from,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::read::text::{TextLayer, TextPage, TextRun};

    fn d(y: i32, m: u32, d: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(y, m, d).unwrap()
    }

    #[test]
    fn reads_the_validity_in_its_forms() {
        assert_eq!(
            validity("2016.08.19-2036.08.19"),
            Some((d(2016, 8, 19), Some(d(2036, 8, 19)), false))
        );
        assert_eq!(
            validity("2016.08.19—2036.08.19"),
            Some((d(2016, 8, 19), Some(d(2036, 8, 19)), false))
        );
        assert_eq!(
            validity("20160819-20360819"),
            Some((d(2016, 8, 19), Some(d(2036, 8, 19)), false))
        );
        assert_eq!(
            validity("2021.03.05-长期"),
            Some((d(2021, 3, 5), None, true))
        );
        assert_eq!(validity("2021.03.05-"), None);
        assert_eq!(validity("2021.13.05-2031.13.05"), None);
        assert!(issued_term(d(2016, 8, 19), d(2036, 8, 19)));
        assert!(!issued_term(d(2016, 8, 19), d(2036, 8, 18)));
        assert!(!issued_term(d(2016, 8, 19), d(2031, 8, 19)));
    }

    fn lines(rows: &[(&str, f32)]) -> Vec<Line> {
        let mut runs = Vec::new();
        for (i, (t, c)) in rows.iter().enumerate() {
            let mut x = 20.0;
            for w in t.split(' ') {
                let width = 12.0 * w.chars().count() as f32;
                runs.push(TextRun {
                    text: w.to_string(),
                    x,
                    y: 500.0 - 20.0 * i as f32,
                    width,
                    size: 10.0,
                    confidence: Some(*c),
                });
                x += width + 10.0;
            }
        }
        let page = TextPage {
            number: 1,
            width: 600.0,
            height: 600.0,
            layer: TextLayer::Usable,
            runs,
            images: 1,
        };
        crate::read::layout::lines(&page)
    }

    #[test]
    fn reads_a_back_and_doubts_an_odd_period() {
        let b = extract(&lines(&[
            ("中华人民共和国", 95.0),
            ("居民身份证", 95.0),
            ("签发机关 太原市公安局小店分局", 92.0),
            ("有效期限 2016.08.19-2036.08.19", 91.0),
        ]));
        assert_eq!(b.authority.as_deref(), Some("太原市公安局小店分局"));
        assert_eq!(b.valid_from, Some(d(2016, 8, 19)));
        assert_eq!(b.valid_to, Some(d(2036, 8, 19)));
        assert!(!b.long_term && b.problems.is_empty(), "{b:?}");
        assert_eq!(b.read_from["valid_to"].confidence, Some(91.0));
        // 2036.08.18: one digit misread — not a term cards are issued for.
        let b = extract(&lines(&[
            ("签发机关 太原市公安局小店分局", 92.0),
            ("有效期限 2016.08.19-2036.08.18", 91.0),
        ]));
        assert_eq!(b.problems.len(), 1, "{b:?}");
        assert!(
            b.read_from
                .values()
                .all(|s| s.confidence <= Some(DISAGREEING))
        );
        let b = extract(&lines(&[
            ("签发机关 沈阳市公安局和平分局", 90.0),
            ("有效期限 2021.03.05-长期", 90.0),
        ]));
        assert!(
            b.long_term && b.valid_to.is_none() && b.problems.is_empty(),
            "{b:?}"
        );
    }
}
