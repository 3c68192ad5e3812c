//! Reading values out of lines of text: labelled fields (`纳税人名称：张三`), dates in the forms
//! Chinese documents use (`2020年1月1日`, `2020.01.10`, `二〇二〇年一月一日`, `2020 年 1 月 1 日`),
//! and amounts in capital RMB (`壹仟贰佰叁拾肆元伍角陆分`), which must agree with the figures.

use chrono::NaiveDate;
use serde::{Deserialize, Serialize};

use crate::model::{Fen, YearMonth, parse_date};
use crate::read::layout::Line;
use crate::read::text::{ReadBy, Region};

/// Where a value was read: page, line and the line's text.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Source {
    /// `page 1, line 7`.
    pub locator: String,
    /// The text read.
    pub text: String,
    /// The lowest OCR confidence (0–100) of what was read there; `None` for text layers.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub confidence: Option<f32>,
    /// How it was read: a text layer, OCR or (for a tax export's row) a spreadsheet.
    pub read_by: ReadBy,
    /// Where on the page (a text layer's or OCR's box); `None` for a spreadsheet's row and
    /// for what points at nothing.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub region: Option<Region>,
}

impl Source {
    /// The source of a whole line.
    pub fn of(line: &Line) -> Source {
        Source {
            locator: line.locator(),
            text: line.text(),
            confidence: crate::read::text::min_confidence(line.runs.iter()),
            read_by: ReadBy::of_runs(&line.runs),
            region: line.region(),
        }
    }

    /// The source of a table row.
    pub fn of_row(r: &crate::read::layout::TableRow) -> Source {
        Source {
            locator: r.locator(),
            text: r.text.clone(),
            confidence: r.confidence,
            read_by: r.read_by,
            region: r.region,
        }
    }

    /// A source that points at nothing (a value the document does not hold).
    pub fn none(read_by: ReadBy) -> Source {
        Source {
            locator: String::new(),
            text: String::new(),
            confidence: None,
            read_by,
            region: None,
        }
    }
}

/// Where each value of a record that holds it without a source of its own was read, by the
/// field's name (`read_from.school`): the line and its lowest OCR confidence, so that a value
/// read unsurely is judged by its own words, not by the record's other values.
pub type ReadFrom = std::collections::BTreeMap<String, Source>;

/// Notes in `read_from` where `field` was read, when it was.
pub fn cite(read_from: &mut ReadFrom, field: &str, source: Option<&Source>) {
    if let Some(s) = source {
        read_from.insert(field.to_string(), s.clone());
    }
}

/// A labelled value and the line it was read from.
#[derive(Clone, Debug, PartialEq)]
pub struct Labelled {
    /// The value, normalized.
    pub value: String,
    /// Where.
    pub source: Source,
}

/// Finds `label` (normalized, e.g. `纳税人名称`) on a line and returns what follows its colon,
/// up to the next of `stops` (other labels on the same line). A qualifier between label and
/// colon (`扣缴义务人纳税人识别号（统一社会信用代码）：`) is skipped; with no colon, the value
/// is what follows the label directly.
pub fn labelled(lines: &[Line], label: &str, stops: &[&str]) -> Option<Labelled> {
    for l in lines {
        let n = l.normalized();
        let Some(i) = n.find(label) else { continue };
        let rest = &n[i + label.len()..];
        // OCR reads a colon as a semicolon now and then.
        let start = match rest.find([':', ';']) {
            Some(c) if rest[..c].chars().count() <= 14 => i + label.len() + c + 1,
            _ => i + label.len(),
        };
        let mut end = n.len();
        for s in stops {
            if let Some(j) = n[start..].find(s)
                && j > 0
            {
                end = end.min(start + j);
            }
        }
        // The normalized text is the tidy text in half-width forms, character for character:
        // cut the same characters from the tidy text to keep the value as printed.
        let (a, b) = (n[..start].chars().count(), n[..end].chars().count());
        let value: String = l.display().chars().skip(a).take(b - a).collect();
        let v = value
            .trim()
            .trim_start_matches([':', '：', ';', '；'])
            .trim_matches(|c: char| c == '_' || c.is_whitespace());
        if !v.is_empty() {
            return Some(Labelled {
                value: v.to_string(),
                source: Source::of(l),
            });
        }
    }
    None
}

fn cn_digit(c: char) -> Option<u32> {
    Some(match c {
        '〇' | '零' | 'O' | 'o' | '○' => 0,
        '一' | '壹' => 1,
        '二' | '贰' | '两' => 2,
        '三' | '叁' => 3,
        '四' | '肆' => 4,
        '五' | '伍' => 5,
        '六' | '陆' => 6,
        '七' | '柒' => 7,
        '八' | '捌' => 8,
        '九' | '玖' => 9,
        _ => return None,
    })
}

/// `十二` → 12, `三十一` → 31, `九` → 9 (numbers below 100 as written in dates).
fn small_cn_number(s: &str) -> Option<u32> {
    let chars: Vec<char> = s.chars().collect();
    match chars.as_slice() {
        ['十'] => Some(10),
        [d] => cn_digit(*d),
        ['十', d] => Some(10 + cn_digit(*d)?),
        [t, '十'] => Some(cn_digit(*t)? * 10),
        [t, '十', d] => Some(cn_digit(*t)? * 10 + cn_digit(*d)?),
        _ => None,
    }
}

/// Rewrites a date written in Chinese numerals (`二〇二〇年一月一日`) in Arabic digits.
pub fn arabic_date(s: &str) -> Option<String> {
    let (y, rest) = s.split_once('年')?;
    let (m, rest) = rest.split_once('月')?;
    let d = rest.trim_end_matches(['日', '号']);
    let year: String = y
        .chars()
        .map(|c| cn_digit(c).map(|d| char::from(b'0' + d as u8)))
        .collect::<Option<String>>()?;
    if year.len() != 4 {
        return None;
    }
    Some(format!(
        "{year}年{}月{}日",
        small_cn_number(m)?,
        small_cn_number(d)?
    ))
}

/// A date in any form a Chinese document prints: `2020年1月1日`, `2020 年 1 月 1 日`,
/// `2020.01.10`, `2020-01-01`, `2020/1/1`, `20200101`, `二〇二〇年一月一日`.
pub fn date(s: &str) -> Option<NaiveDate> {
    let t: String = s.chars().filter(|c| !c.is_whitespace()).collect();
    let t = t.trim_end_matches(['。', '.', ',', '，', ';', '；']);
    if let Ok(d) = parse_date(t) {
        return Some(d);
    }
    arabic_date(t).and_then(|a| parse_date(&a).ok())
}

/// A month: `2020.01`, `2020-01`, `202001`, `2020年1月`.
pub fn month(s: &str) -> Option<YearMonth> {
    let t: String = s.chars().filter(|c| !c.is_whitespace()).collect();
    YearMonth::parse(t.trim_start_matches('*')).ok()
}

/// All dates in a text, in order (each `YYYY年M月D日`, `YYYY-MM-DD`, `YYYY.MM.DD` or Chinese
/// numeral form).
pub fn dates_in(s: &str) -> Vec<(usize, NaiveDate)> {
    let chars: Vec<(usize, char)> = s.char_indices().collect();
    let mut out = Vec::new();
    let mut i = 0;
    while i < chars.len() {
        let (start, c) = chars[i];
        let is_start = c.is_ascii_digit() || cn_digit(c).is_some();
        if !is_start
            || (i > 0 && (chars[i - 1].1.is_ascii_digit() || cn_digit(chars[i - 1].1).is_some()))
        {
            i += 1;
            continue;
        }
        // Try the longest candidate first: up to 16 characters.
        let mut found = None;
        for len in (8..=16).rev() {
            if i + len > chars.len() {
                continue;
            }
            let end = if i + len < chars.len() {
                chars[i + len].0
            } else {
                s.len()
            };
            let cand = &s[start..end];
            if let Some(d) = date(cand) {
                found = Some((len, d));
                break;
            }
        }
        match found {
            Some((len, d)) => {
                out.push((start, d));
                i += len;
            }
            None => i += 1,
        }
    }
    out
}

/// An amount in capital RMB (`壹仟贰佰叁拾肆元伍角陆分`, `伍万元整`, `人民币壹佰元整`).
pub fn capital_rmb(s: &str) -> Option<Fen> {
    let t: String = s
        .chars()
        .filter(|c| !c.is_whitespace())
        .skip_while(|c| !"零壹贰叁肆伍陆柒捌玖拾佰仟万亿元圆角分".contains(*c))
        .collect();
    let t = t.trim_end_matches(['整', '正']);
    let (int_part, frac) = match t.find(['元', '圆']) {
        Some(i) => (&t[..i], &t[i + '元'.len_utf8()..]),
        None if t.contains(['角', '分']) => ("", t),
        None => (t, ""),
    };
    let mut total: i64 = 0;
    let mut section: i64 = 0;
    let mut number: i64 = 0;
    let mut any = false;
    for c in int_part.chars() {
        if let Some(d) = cn_digit(c) {
            number = d as i64;
            any = true;
            continue;
        }
        let unit = match c {
            '拾' | '十' => 10,
            '佰' | '百' => 100,
            '仟' | '千' => 1000,
            '万' => {
                section += number;
                total += section * 10_000;
                section = 0;
                number = 0;
                continue;
            }
            '亿' => {
                section += number;
                total = (total + section) * 100_000_000;
                section = 0;
                number = 0;
                continue;
            }
            _ => return None,
        };
        section += if number == 0 && unit == 10 { 1 } else { number } * unit;
        number = 0;
        any = true;
    }
    total += section + number;
    let mut fen = total.checked_mul(100)?;
    let mut rest = frac;
    for (unit, mult) in [('角', 10), ('分', 1)] {
        if let Some(i) = rest.find(unit) {
            let digits: Vec<char> = rest[..i].chars().filter(|c| *c != '零').collect();
            let d = match digits.as_slice() {
                [d] => cn_digit(*d)?,
                _ => return None,
            };
            fen += d as i64 * mult;
            any = true;
            rest = &rest[i + unit.len_utf8()..];
        }
    }
    if !rest.trim_start_matches('零').is_empty() {
        return None;
    }
    any.then_some(Fen(fen))
}

/// An amount cell as printed, with the spaces a 宋体 table sets after the decimal point or
/// between thousands (`373. 16`, `1, 174. 86`) taken out. Only a cell of nothing but digits,
/// points, commas, a sign and spaces is squeezed; any other text is returned as it is, so a
/// cell holding two figures side by side (`373.16 2020.01.15`) stays two.
pub fn squeeze_amount(s: &str) -> String {
    let t = s.trim();
    let only_figure = t
        .chars()
        .all(|c| c.is_ascii_digit() || ".,-， ".contains(c));
    let digits_then_point = t.split_whitespace().count() == 2
        && t.split_whitespace()
            .next()
            .is_some_and(|a| a.ends_with(['.', ',', '，']));
    if only_figure && (t.split_whitespace().count() == 1 || digits_then_point) {
        t.split_whitespace().collect()
    } else {
        s.to_string()
    }
}

/// The first decimal amount in a text (`1234.56`, `1,234.56`).
pub fn first_amount(s: &str) -> Option<Fen> {
    let mut start = None;
    for (i, c) in s.char_indices() {
        match (start, c.is_ascii_digit() || c == '.' || c == ',') {
            (None, true) if c.is_ascii_digit() => start = Some(i),
            (Some(st), false) => {
                if let Ok(f) = Fen::parse(&s[st..i]) {
                    return Some(f);
                }
                start = None;
            }
            _ => {}
        }
    }
    start.and_then(|st| Fen::parse(&s[st..]).ok())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_colon_read_as_a_semicolon_still_ends_the_label() {
        let lines = crate::extract::degree::lines_of_texts(&[
            "纳税人名称;欧阳明哲",
            "打印日期;:2019-03-05 查验码:K7QW",
        ]);
        let v = labelled(&lines, "纳税人名称", &[]).unwrap();
        assert_eq!(v.value, "欧阳明哲");
        let v = labelled(&lines, "打印日期", &["查验码"]).unwrap();
        assert_eq!(v.value, "2019-03-05");
    }

    #[test]
    fn amounts_lose_the_space_after_their_point() {
        assert_eq!(squeeze_amount("373. 16"), "373.16");
        assert_eq!(squeeze_amount("1, 174.86"), "1,174.86");
        assert_eq!(squeeze_amount(" 895.65 "), "895.65");
        // Two figures side by side stay two.
        assert_eq!(squeeze_amount("373.16 2020.01.15"), "373.16 2020.01.15");
        assert_eq!(squeeze_amount("373 16"), "373 16");
        assert_eq!(squeeze_amount("约 373. 16"), "约 373. 16");
    }

    fn d(y: i32, m: u32, day: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(y, m, day).unwrap()
    }

    #[test]
    fn dates() {
        assert_eq!(date("2020年1月1日"), Some(d(2020, 1, 1)));
        assert_eq!(date("2020 年 1 月 1 日"), Some(d(2020, 1, 1)));
        assert_eq!(date("2020.01.10"), Some(d(2020, 1, 10)));
        assert_eq!(date("二〇二〇年一月一日"), Some(d(2020, 1, 1)));
        assert_eq!(date("二〇二二年十二月三十一日"), Some(d(2022, 12, 31)));
        assert_eq!(date("2024年2月29日"), Some(d(2024, 2, 29)));
        assert_eq!(date("二〇一九年十月十日"), Some(d(2019, 10, 10)));
        assert_eq!(date("2023年2月29日"), None);
        let found = dates_in("自2020年1月1日起至2022年12月31日止，其中试用期至2020年3月31日止");
        let ds: Vec<NaiveDate> = found.iter().map(|x| x.1).collect();
        assert_eq!(ds, vec![d(2020, 1, 1), d(2022, 12, 31), d(2020, 3, 31)]);
        let found = dates_in("生效日期:二〇二〇年一月一日,终止日期:二〇二二年十二月三十一日");
        assert_eq!(found.len(), 2, "{found:?}");
    }

    #[test]
    fn capitals() {
        assert_eq!(capital_rmb("壹仟贰佰叁拾肆元伍角陆分"), Some(Fen(123_456)));
        assert_eq!(capital_rmb("(大写)伍万元整"), Some(Fen(5_000_000)));
        assert_eq!(capital_rmb("壹拾元零伍分"), Some(Fen(1_005)));
        assert_eq!(capital_rmb("拾元整"), Some(Fen(1_000)));
        assert_eq!(capital_rmb("叁万零伍佰元整"), Some(Fen(3_050_000)));
        assert_eq!(
            capital_rmb("壹佰贰拾叁万肆仟伍佰陆拾柒元捌角玖分"),
            Some(Fen(123_456_789))
        );
        assert_eq!(capital_rmb("玖角"), Some(Fen(90)));
        assert_eq!(capital_rmb("hello"), None);
    }

    #[test]
    fn amounts() {
        assert_eq!(first_amount("金额合计 1234.56 元"), Some(Fen(123_456)));
        assert_eq!(first_amount("x"), None);
    }
}
