//! `id_card`: 居民身份证 (front) — name, sex, ethnicity, birth date, address and the number.
//!
//! The number is kept only when its GB 11643 check character holds. An OCR reading may hold
//! characters that print like digits (`O`/`D`/`Q` for 0, `l`/`I`/`|` for 1, `Z` for 2, `S`
//! for 5, `G`/`b` for 6, `B` for 8, `g`/`q` for 9); they are replaced only when the whole
//! number then passes the check, and each replacement is recorded. A number that does not pass
//! is not kept: `id_number` is `None` and `problems` says why, so nothing can rest on it.
//!
//! Each value cites where it was read (`read_from`: the line and the lowest OCR confidence of
//! the words that hold it — not of a stray mark beside it), so a photo's weak field is judged
//! on its own and the document's confidence is the weakest of them. The number and the card's
//! other fields check each other: 出生 must be the birth date the number encodes and 性别 the
//! sex its sequence number gives. Where they agree, the field stands on the number as well
//! (its confidence is at least the number's); where they disagree, both are capped at
//! [`DISAGREEING`] and `problems` says so: one of the two is misread, and neither is presented
//! as sure.

use std::collections::BTreeMap;

use chrono::NaiveDate;
use serde::{Deserialize, Serialize};

use super::text_util::{Source, dates_in, labelled};
use crate::model::IdNumber;
use crate::model::text::normalize_for_match;
use crate::read::layout::Line;
use crate::read::text::{ReadBy, Region};

/// The confidence of two readings of the card that contradict each other (the number and its
/// birth date or sex): under any bar, as `read::ocr` gives two reads of a figure that differ.
pub const DISAGREEING: f32 = 30.0;

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
    /// Where each value was read (`name`, `sex`, `ethnicity`, `birth`, `address`,
    /// `id_number`), with the lowest OCR confidence of the words holding it.
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub read_from: BTreeMap<String, Source>,
}

/// The lowest OCR confidence of the runs of `line` that hold `value` (matched without spaces,
/// from the `after`-th normalized character on), or of the whole line when the value is not
/// found there as such; `None` for a text layer.
pub(crate) fn value_confidence(line: &Line, value: &str, after: usize) -> Option<f32> {
    let mut chars: Vec<(char, usize)> = Vec::new();
    for (k, r) in line.runs.iter().enumerate() {
        chars.extend(normalize_for_match(&r.text).chars().map(|c| (c, k)));
    }
    let want: Vec<char> = normalize_for_match(value).chars().collect();
    let found = (!want.is_empty() && want.len() <= chars.len())
        .then(|| {
            (after.min(chars.len())..=chars.len() - want.len()).find(|&i| {
                chars[i..i + want.len()]
                    .iter()
                    .map(|c| c.0)
                    .eq(want.iter().copied())
            })
        })
        .flatten();
    match found {
        Some(i) => {
            let mut runs: Vec<usize> = chars[i..i + want.len()].iter().map(|c| c.1).collect();
            runs.dedup();
            runs.iter()
                .filter_map(|&k| line.runs[k].confidence)
                .reduce(f32::min)
        }
        None => crate::read::text::min_confidence(line.runs.iter()),
    }
}

/// The source of `value` read on `line`: the line, with the value's own confidence.
fn value_source(line: &Line, value: &str, label: &str) -> Source {
    let n = line.normalized();
    let after = n
        .find(&normalize_for_match(label))
        .map_or(0, |i| n[..i].chars().count() + label.chars().count());
    Source {
        confidence: value_confidence(line, value, after),
        ..Source::of(line)
    }
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

/// Characters an OCR reads from a card's pattern around a value (guilloche arcs as quotes,
/// bars, dots).
pub(crate) const STRAY: &str = "“”\"'‘’`.,·-_:：|{}[]~^!！；;。，";

/// The card's lines without the marks an OCR reads from its pattern: stray characters at the
/// ends of each word trimmed, words of nothing else dropped — so `出 : 生` is the label 出生
/// and `：11` the day 11. A word keeps its confidence.
pub(crate) fn without_stray_marks(lines: &[Line]) -> Vec<Line> {
    lines
        .iter()
        .map(|l| {
            let mut l = l.clone();
            for r in &mut l.runs {
                r.text = r.text.trim_matches(|c: char| STRAY.contains(c)).to_string();
            }
            l.runs.retain(|r| !r.text.trim().is_empty());
            l
        })
        .filter(|l| !l.runs.is_empty())
        .collect()
}

/// The 56 民族 as a card prints them (without 族), longest first so that a reading with a
/// stray character before the name finds the name.
const ETHNICITIES: &[&str] = &[
    "柯尔克孜",
    "乌孜别克",
    "俄罗斯",
    "鄂温克",
    "塔吉克",
    "塔塔尔",
    "鄂伦春",
    "维吾尔",
    "哈萨克",
    "达斡尔",
    "蒙古",
    "布依",
    "朝鲜",
    "土家",
    "哈尼",
    "傈僳",
    "高山",
    "拉祜",
    "东乡",
    "纳西",
    "景颇",
    "仫佬",
    "布朗",
    "撒拉",
    "毛南",
    "仡佬",
    "锡伯",
    "阿昌",
    "普米",
    "德昂",
    "保安",
    "裕固",
    "独龙",
    "赫哲",
    "门巴",
    "珞巴",
    "基诺",
    "汉",
    "回",
    "藏",
    "苗",
    "彝",
    "壮",
    "侗",
    "瑶",
    "白",
    "满",
    "傣",
    "黎",
    "佤",
    "畲",
    "水",
    "土",
    "羌",
    "怒",
    "京",
];

/// The 民族 a reading names: the reading itself when it is one of the 56 (a trailing 族
/// allowed), else the longest one it ends with (a stray mark before it), else the longest one
/// it starts with (a stray mark after it); `None` when it names none — then the reading is no
/// 民族 at all. The value's confidence is that of the name's own words.
pub fn ethnicity_of(read: &str) -> Option<&'static str> {
    let r = read.strip_suffix('族').unwrap_or(read);
    ETHNICITIES
        .iter()
        .find(|e| r == **e)
        .or_else(|| ETHNICITIES.iter().find(|e| r.ends_with(**e)))
        .or_else(|| ETHNICITIES.iter().find(|e| r.starts_with(**e)))
        .copied()
}

/// Reads the front of an ID card.
pub fn extract(lines: &[Line]) -> IdCard {
    let lines = &without_stray_marks(lines);
    let get = |l: &str| labelled(lines, l, STOPS);
    let clean = |s: &str| {
        s.replace(' ', "")
            .trim_matches(|c: char| STRAY.contains(c))
            .to_string()
    };
    let line_of = |src: &Source| lines.iter().find(|l| l.locator() == src.locator);
    let mut read_from = BTreeMap::new();
    // A labelled value, cleaned, with where it was read.
    let mut value = |label: &str, key: &str, keep: &dyn Fn(&str) -> Option<String>| {
        let v = get(label)?;
        let val = keep(&clean(&v.value)).filter(|x| !x.is_empty())?;
        if let Some(l) = line_of(&v.source) {
            read_from.insert(key.to_string(), value_source(l, &val, label));
        }
        Some(val)
    };
    let name = value("姓名", "name", &|v| Some(v.to_string()));
    let sex_of = |v: &str| {
        v.chars()
            .find(|c| *c == '男' || *c == '女')
            .map(String::from)
    };
    let mut sex = value("性别", "sex", &sex_of);
    let ethnicity = value("民族", "ethnicity", &|v| {
        ethnicity_of(v).map(String::from)
    });
    if sex.is_none() {
        // 性别's label misread: the line that names the 民族 holds the sex before it.
        if let Some(l) = lines.iter().find(|l| l.normalized().contains("民族")) {
            let n = l.normalized();
            let before = &n[..n.find("民族").unwrap_or(n.len())];
            if let Some(v) = sex_of(before) {
                read_from.insert("sex".into(), value_source(l, &v, ""));
                sex = Some(v);
            }
        }
    }
    let mut problems = Vec::new();
    // The number: after its label, else any ID-like token on the card.
    let (id_read, mut source) = get("公民身份号码")
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
    if let (Some(src), Some(read)) = (&mut source, &id_read)
        && let Some(l) = line_of(src)
    {
        // The number is as sure as its own words, not a misread label beside it.
        let own = value_source(l, read, "公民身份号码");
        src.confidence = own.confidence;
        read_from.insert("id_number".into(), own);
    }
    let birth_read = get("出生").and_then(|v| {
        let d = dates_in(&v.value)
            .first()
            .map(|d| d.1)
            .or_else(|| lenient_date(&v.value))?;
        Some((d, v))
    });
    if let Some((_, v)) = &birth_read
        && let Some(l) = line_of(&v.source)
    {
        // The date's own words: from the first digit to 日.
        let n = clean(&v.value);
        let from = n.find(|c: char| c.is_ascii_digit()).unwrap_or(0);
        let to = n.rfind('日').map_or(n.len(), |i| i + '日'.len_utf8());
        read_from.insert(
            "birth".into(),
            value_source(l, &n[from..to.max(from)], "出生"),
        );
    }
    let birth = birth_read.map(|b| b.0);
    // The number and the fields it encodes check each other.
    let id_conf = read_from.get("id_number").and_then(|s| s.confidence);
    let mut cross =
        |key: &str, agree: Option<bool>, what: String, problems: &mut Vec<String>| match agree {
            Some(true) => {
                if let (Some(s), Some(c)) = (read_from.get_mut(key), id_conf) {
                    s.confidence = s.confidence.map(|x| x.max(c));
                }
            }
            Some(false) => {
                problems.push(what);
                for k in [key, "id_number"] {
                    if let Some(s) = read_from.get_mut(k) {
                        s.confidence = Some(s.confidence.unwrap_or(100.0).min(DISAGREEING));
                    }
                }
            }
            None => {}
        };
    if let Some(id) = &id_number {
        cross(
            "birth",
            birth.map(|b| b == id.birth_date()),
            format!(
                "出生日期 {} 与号码中的出生日期 {} 不一致",
                birth.map_or_else(String::new, |b| b.to_string()),
                id.birth_date()
            ),
            &mut problems,
        );
        let by_number = match id.sex() {
            crate::model::Sex::Male => "男",
            crate::model::Sex::Female => "女",
        };
        cross(
            "sex",
            sex.as_deref().map(|s| s == by_number),
            format!(
                "性别「{}」与号码的顺序码（{by_number}）不一致",
                sex.as_deref().unwrap_or("")
            ),
            &mut problems,
        );
    }
    if let (Some(src), Some(own)) = (&mut source, read_from.get("id_number")) {
        src.confidence = own.confidence;
    }
    // The address runs over several lines: from 住址 up to the number's label.
    let mut address_conf: Option<f32> = None;
    let mut address_lines = Vec::new();
    let mut address_region = None;
    let address = lines
        .iter()
        .position(|l| l.normalized().contains("住址"))
        .map(|i| {
            let first = get("住址").map(|v| clean(&v.value)).unwrap_or_default();
            if !first.is_empty() {
                address_conf = value_source(&lines[i], &first, "住址").confidence;
                address_lines.push(lines[i].locator());
                address_region = lines[i].region();
            }
            let mut a = first;
            for l in &lines[i + 1..] {
                let n = l.normalized();
                if STOPS.iter().any(|s| n.contains(s)) || id_token(&n).is_some() {
                    break;
                }
                let part = clean(&l.text());
                if part.is_empty() {
                    continue;
                }
                if let Some(c) = value_confidence(l, &part, 0) {
                    address_conf = Some(address_conf.map_or(c, |a| a.min(c)));
                }
                address_lines.push(l.locator());
                address_region = Region::join(address_region, l.region());
                a.push_str(&part);
            }
            a
        })
        .filter(|a| !a.is_empty());
    if let Some(a) = &address {
        read_from.insert(
            "address".into(),
            Source {
                locator: address_lines.join("; "),
                text: a.clone(),
                confidence: address_conf,
                read_by: ReadBy::of_runs(lines.iter().flat_map(|l| l.runs.iter())),
                region: address_region,
            },
        );
    }
    IdCard {
        name,
        sex,
        ethnicity,
        birth,
        address,
        id_number: id_number.map(|i| i.as_str().to_string()),
        id_read,
        corrections,
        problems,
        source,
        read_from,
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
    fn ethnicities_are_a_closed_list() {
        assert_eq!(ethnicity_of("汉"), Some("汉"));
        assert_eq!(ethnicity_of("汉族"), Some("汉"));
        assert_eq!(ethnicity_of("二汉"), Some("汉"));
        assert_eq!(ethnicity_of("蒙古"), Some("蒙古"));
        assert_eq!(ethnicity_of("土家"), Some("土家"));
        assert_eq!(ethnicity_of("柯尔克孜"), Some("柯尔克孜"));
        assert_eq!(ethnicity_of("汉王"), Some("汉"));
        assert_eq!(ethnicity_of("汊"), None);
        assert_eq!(ethnicity_of("满"), Some("满"));
        assert_eq!(ETHNICITIES.len(), 56);
    }

    fn card_lines(rows: &[&[(&str, f32)]]) -> Vec<Line> {
        let mut runs = Vec::new();
        for (i, row) in rows.iter().enumerate() {
            let mut x = 20.0;
            for (t, c) in row.iter() {
                let width = 12.0 * t.chars().count() as f32;
                runs.push(crate::read::text::TextRun {
                    text: t.to_string(),
                    x,
                    y: 500.0 - 20.0 * i as f32,
                    width,
                    size: 10.0,
                    confidence: Some(*c),
                });
                x += width + 8.0;
            }
        }
        let page = crate::read::text::TextPage {
            number: 1,
            width: 600.0,
            height: 600.0,
            layer: crate::read::text::TextLayer::Usable,
            runs,
            images: 1,
        };
        crate::read::layout::lines(&page)
    }

    /// Each value carries its own words' confidence; stray marks are neither values nor
    /// confidences; the number confirms the birth date and the sex it encodes.
    #[test]
    fn each_value_is_judged_on_its_own_words() {
        let c = extract(&card_lines(&[
            &[("姓名", 95.0), ("”", 5.0), ("张", 91.0), ("伟", 69.0)],
            &[
                ("性", 93.0),
                ("别", 90.0),
                ("“男", 59.0),
                ("民族", 57.0),
                ("“", 7.0),
                ("汉", 91.0),
            ],
            &[
                ("出", 92.0),
                (":", 20.0),
                ("生", 84.0),
                ("1949", 50.0),
                ("年", 96.0),
                ("12", 90.0),
                ("月", 93.0),
                ("：31", 40.0),
                ("日", 90.0),
            ],
            &[
                ("住址", 95.0),
                ("北京", 68.0),
                ("市", 96.0),
                ("西城", 96.0),
                ("区", 92.0),
            ],
            &[("某某街", 20.0), ("1", 90.0), ("号", 89.0)],
            &[("公民身份号码", 96.0), ("”11010519491231002X", 93.0)],
        ]));
        assert_eq!(c.name.as_deref(), Some("张伟"));
        assert_eq!(c.read_from["name"].confidence, Some(69.0));
        assert_eq!(c.ethnicity.as_deref(), Some("汉"));
        assert_eq!(c.read_from["ethnicity"].confidence, Some(91.0));
        assert_eq!(c.birth, NaiveDate::from_ymd_opt(1949, 12, 31));
        // 出生 agrees with the number: it stands on the number's confidence.
        assert_eq!(c.read_from["birth"].confidence, Some(93.0));
        // 性别 agrees with the number's sequence (002: even, female)? It says 男: a problem.
        assert_eq!(c.sex.as_deref(), Some("男"));
        assert!(c.problems.iter().any(|p| p.contains("性别")), "{c:?}");
        assert!(c.read_from["sex"].confidence <= Some(DISAGREEING));
        assert!(c.read_from["id_number"].confidence <= Some(DISAGREEING));
        assert_eq!(c.address.as_deref(), Some("北京市西城区某某街1号"));
        assert_eq!(c.read_from["address"].confidence, Some(20.0));
    }

    /// A birth date that is not the number's: both are capped, never presented as sure.
    #[test]
    fn a_birth_date_the_number_contradicts_is_unsure() {
        let c = extract(&card_lines(&[
            &[("姓名", 95.0), ("张伟", 95.0)],
            &[("性别", 95.0), ("女", 95.0), ("民族", 95.0), ("汉", 95.0)],
            &[
                ("出生", 95.0),
                ("1949", 95.0),
                ("年", 95.0),
                ("12", 95.0),
                ("月", 95.0),
                ("21", 95.0),
                ("日", 95.0),
            ],
            &[("公民身份号码", 96.0), ("11010519491231002X", 95.0)],
        ]));
        assert_eq!(c.id_number.as_deref(), Some("11010519491231002X"));
        assert!(c.problems.iter().any(|p| p.contains("出生日期")), "{c:?}");
        assert!(c.read_from["birth"].confidence <= Some(DISAGREEING));
        assert!(c.read_from["id_number"].confidence <= Some(DISAGREEING));
        // The sex agrees with the number.
        assert_eq!(c.read_from["sex"].confidence, Some(95.0));
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
