//! `id_card`: 居民身份证 (front) — name, sex, ethnicity, birth date, address and the number.
//!
//! The number is kept only when its GB 11643 check character holds. An OCR reading may hold
//! characters that print like digits (`O`/`D`/`Q` for 0, `l`/`I`/`|` for 1, `Z` for 2, `S`
//! for 5, `G`/`b` for 6, `B` for 8, `g`/`q` for 9); they are replaced only when the whole
//! number then passes the check, and each replacement is recorded. A number that does not pass
//! is not kept: `id_number` is `None` and `problems` says why, so nothing can rest on it.

use chrono::NaiveDate;
use serde::{Deserialize, Serialize};

use super::text_util::{Source, dates_in, labelled};
use crate::model::IdNumber;
use crate::read::layout::Line;

/// An ID card as read.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct IdCard {
    /// 姓名.
    pub name: Option<String>,
    /// 性别 as printed (男/女).
    pub sex: Option<String>,
    /// 民族.
    pub ethnicity: Option<String>,
    /// 出生.
    pub birth: Option<NaiveDate>,
    /// 住址 (joined across its lines).
    pub address: Option<String>,
    /// 公民身份号码, only when the check character holds.
    pub id_number: Option<String>,
    /// The number as read, before any correction.
    pub id_read: Option<String>,
    /// OCR confusions corrected in the number (`position 7: O → 0`).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub corrections: Vec<String>,
    /// What does not hold (check character, birth date disagreeing with the number …).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub problems: Vec<String>,
    /// Where the number was read.
    pub source: Option<Source>,
}

const STOPS: &[&str] = &["姓名", "性别", "民族", "出生", "住址", "公民身份号码"];

/// The digit a character that OCR confuses with one stands for.
fn as_digit(c: char) -> Option<char> {
    Some(match c {
        '0'..='9' => c,
        'O' | 'o' | 'D' | 'Q' | '〇' => '0',
        'l' | 'I' | '|' | 'i' | '!' => '1',
        'Z' | 'z' => '2',
        'S' | 's' => '5',
        'G' | 'b' => '6',
        'B' => '8',
        'g' | 'q' => '9',
        _ => return None,
    })
}

/// Finds an 18-character ID-like token in `s` (digits and look-alikes, the last may be `X`)
/// and returns it as read.
pub fn id_token(s: &str) -> Option<String> {
    let chars: Vec<char> = s.chars().filter(|c| !c.is_whitespace()).collect();
    let ok = |c: char| as_digit(c).is_some() || c == 'X' || c == 'x' || c == '×';
    // Longest run of candidate characters holding at least 15 real digits.
    let mut best: Option<String> = None;
    let mut i = 0;
    while i < chars.len() {
        if !ok(chars[i]) {
            i += 1;
            continue;
        }
        let start = i;
        while i < chars.len() && ok(chars[i]) {
            i += 1;
        }
        let run: String = chars[start..i].iter().collect();
        let digits = run.chars().filter(char::is_ascii_digit).count();
        if run.chars().count() >= 18
            && digits >= 15
            && best.as_ref().is_none_or(|b| run.len() > b.len())
        {
            best = Some(run);
        }
    }
    best
}

/// The number behind an OCR reading: `Ok((number, corrections))` when it passes the check
/// character as read or after replacing look-alike characters; `Err(why)` otherwise.
pub fn correct_id(read: &str) -> Result<(IdNumber, Vec<String>), String> {
    let chars: Vec<char> = read.chars().collect();
    if chars.len() != 18 {
        return Err(format!("号码「{read}」不是 18 位"));
    }
    let mut fixed = String::with_capacity(18);
    let mut corrections = Vec::new();
    for (k, &c) in chars.iter().enumerate() {
        let d = if k == 17 && matches!(c, 'X' | 'x' | '×') {
            'X'
        } else {
            as_digit(c).ok_or_else(|| format!("号码「{read}」第 {} 位「{c}」不是数字", k + 1))?
        };
        if d != c && !(k == 17 && d == 'X') {
            corrections.push(format!("第 {} 位「{c}」按「{d}」读", k + 1));
        }
        fixed.push(d);
    }
    match IdNumber::parse(&fixed) {
        Ok(id) => Ok((id, corrections)),
        Err(e) => Err(format!(
            "号码「{read}」{}未通过 GB 11643 校验（{e}），不采用",
            if corrections.is_empty() {
                String::new()
            } else {
                format!("（替换形近字符后为「{fixed}」）")
            }
        )),
    }
}

/// `1990 年 3 月 .7 日` as OCR reads it: the numbers before 年, 月 and 日, whatever stray
/// marks sit around them.
fn lenient_date(s: &str) -> Option<NaiveDate> {
    let mut parts = [None; 3];
    let mut digits = String::new();
    let mut k = 0;
    for c in s.chars() {
        if c.is_ascii_digit() {
            digits.push(c);
        } else if let Some(i) = "年月日".chars().position(|m| m == c) {
            if i == k {
                parts[k] = digits.parse::<u32>().ok();
                k += 1;
            }
            digits.clear();
        }
    }
    let [Some(y), Some(m), Some(d)] = parts else {
        return None;
    };
    NaiveDate::from_ymd_opt(i32::try_from(y).ok()?, m, d)
}

/// Reads the front of an ID card.
pub fn extract(lines: &[Line]) -> IdCard {
    let get = |l: &str| labelled(lines, l, STOPS);
    // OCR puts stray quotes and dots around values printed on a patterned card.
    let clean = |s: &str| {
        s.replace(' ', "")
            .trim_matches(|c: char| "“”\"'‘’`.,·-_:：".contains(c))
            .to_string()
    };
    let value = |l: &str| get(l).map(|v| clean(&v.value)).filter(|v| !v.is_empty());
    let mut problems = Vec::new();
    // The number: after its label, else any ID-like token on the card.
    let (id_read, source) = get("公民身份号码")
        .and_then(|v| id_token(&v.value).map(|t| (t, v.source)))
        .or_else(|| {
            lines
                .iter()
                .find_map(|l| id_token(&l.text()).map(|t| (t, Source::of(l))))
        })
        .map_or((None, None), |(t, s)| (Some(t), Some(s)));
    let (mut id_number, mut corrections) = (None, Vec::new());
    match id_read.as_deref().map(correct_id) {
        Some(Ok((id, c))) => {
            id_number = Some(id);
            corrections = c;
        }
        Some(Err(why)) => problems.push(why),
        None => problems.push("未读到公民身份号码".into()),
    }
    let birth = get("出生").and_then(|v| {
        dates_in(&v.value)
            .first()
            .map(|d| d.1)
            .or_else(|| lenient_date(&v.value))
    });
    if let (Some(b), Some(id)) = (birth, &id_number)
        && id.birth_date() != b
    {
        problems.push(format!(
            "出生日期 {b} 与号码中的出生日期 {} 不一致",
            id.birth_date()
        ));
    }
    // The address runs over several lines: from 住址 up to the number's label.
    let address = lines
        .iter()
        .position(|l| l.normalized().contains("住址"))
        .map(|i| {
            let mut a = get("住址").map(|v| v.value).unwrap_or_default();
            for l in &lines[i + 1..] {
                let n = l.normalized();
                if STOPS.iter().any(|s| n.contains(s)) || id_token(&n).is_some() {
                    break;
                }
                a.push_str(&l.text());
            }
            clean(&a)
        })
        .filter(|a| !a.is_empty());
    IdCard {
        name: value("姓名"),
        sex: value("性别").and_then(|s| {
            s.chars()
                .find(|c| *c == '男' || *c == '女')
                .map(String::from)
        }),
        ethnicity: value("民族"),
        birth,
        address,
        id_number: id_number.map(|i| i.as_str().to_string()),
        id_read,
        corrections,
        problems,
        source,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keeps_a_valid_number_as_read() {
        let (id, c) = correct_id("11010519491231002X").unwrap();
        assert_eq!(id.as_str(), "11010519491231002X");
        assert!(c.is_empty());
    }

    #[test]
    fn corrects_look_alikes_only_when_the_check_then_holds() {
        let (id, c) = correct_id("11O1O519491231002X").unwrap();
        assert_eq!(id.as_str(), "11010519491231002X");
        assert_eq!(c.len(), 2, "{c:?}");
        let (id, _) = correct_id("l1010519491231002x").unwrap();
        assert_eq!(id.as_str(), "11010519491231002X");
        // A real misread digit (7 for 1) is not "corrected": the check fails, nothing kept.
        assert!(correct_id("71010519491231002X").is_err());
        // Look-alikes that do not give a valid number are refused as well.
        let e = correct_id("11O1O519491231003X").unwrap_err();
        assert!(e.contains("GB 11643"), "{e}");
        assert!(correct_id("1101051949123100").is_err());
    }

    #[test]
    fn every_single_digit_misread_is_refused() {
        let good = "11010519491231002X";
        for k in 0..17 {
            for d in '0'..='9' {
                let mut s: Vec<char> = good.chars().collect();
                if s[k] == d {
                    continue;
                }
                s[k] = d;
                let s: String = s.into_iter().collect();
                assert!(correct_id(&s).is_err(), "{s} accepted");
            }
        }
    }

    #[test]
    fn reads_a_birth_date_through_stray_marks() {
        assert_eq!(
            lenient_date("-1990 年 3 月 .7 日"),
            NaiveDate::from_ymd_opt(1990, 3, 7)
        );
        assert_eq!(lenient_date("1990 年 13 月 7 日"), None);
    }

    #[test]
    fn finds_the_token() {
        assert_eq!(
            id_token("公民身份号码 1101 0519 4912 3100 2X").as_deref(),
            Some("11010519491231002X")
        );
        assert_eq!(id_token("出生 1990 年 3 月 7 日"), None);
    }
}
