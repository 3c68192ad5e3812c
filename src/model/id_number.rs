//! 18-digit resident identity card numbers (公民身份号码, GB 11643-1999).
//!
//! The ID number ties every document to one person, so it is validated
//! strictly (length, characters, birth date, ISO 7064 MOD 11-2 check
//! character), and it is personal data: anything that may reach a log goes
//! through [`mask_id_like`].

use std::fmt;
use std::str::FromStr;

use chrono::{Datelike, NaiveDate};
use serde::{Deserialize, Deserializer, Serialize, Serializer};
use thiserror::Error;

use crate::model::text::{halfwidth, strip_spaces};

/// Weights of positions 1–17 under ISO 7064 MOD 11-2 (2^(18−i) mod 11).
const WEIGHTS: [u32; 17] = [7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2];
/// Check character for each value of `Σ dᵢwᵢ mod 11`.
const CHECK_CHARS: [char; 11] = ['1', '0', 'X', '9', '8', '7', '6', '5', '4', '3', '2'];

/// Why a string is not a valid ID number.
///
/// The `input` fields hold the number already masked by [`mask_id_like`],
/// because these errors end up in logs and `Debug` output.
#[derive(Clone, Debug, PartialEq, Eq, Error)]
pub enum IdError {
    /// Not 18 characters (e.g. a 15-digit pre-1999 number, which permits no
    /// longer accept).
    #[error("身份证号 \"{input}\" 长度为 {len}，应为 18 位 (wrong length)")]
    Length {
        /// The masked input.
        input: String,
        /// Number of characters after normalization.
        len: usize,
    },
    /// Something other than 17 digits followed by a digit or `X`.
    #[error("身份证号 \"{input}\" 含有非法字符 (invalid characters)")]
    Characters {
        /// The masked input.
        input: String,
    },
    /// Positions 7–14 are not a real date within 1900..=2100.
    #[error("身份证号 \"{input}\" 的出生日期无效 (invalid birth date)")]
    BirthDate {
        /// The masked input.
        input: String,
    },
    /// The last character does not match the MOD 11-2 check: a typo.
    #[error(
        "身份证号 \"{input}\" 校验位错误：应为 {expected}，实为 {found} (check digit mismatch)"
    )]
    CheckDigit {
        /// The masked input.
        input: String,
        /// The check character computed from the first 17 digits.
        expected: char,
        /// The check character actually written.
        found: char,
    },
}

/// Sex encoded in the sequence number (odd = male, even = female), used to
/// cross-check other documents.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Sex {
    /// Odd sequence number.
    Male,
    /// Even sequence number.
    Female,
}

/// A validated 18-character ID number in canonical form (ASCII, upper-case
/// `X`). Serialized as its string; deserialization re-validates.
///
/// `Debug` prints the full number; log [`IdNumber::masked`] instead.
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct IdNumber(String);

/// The MOD 11-2 check character for the first 17 digits, or `None` unless
/// `first17` is exactly 17 ASCII digits.
pub fn check_char(first17: &str) -> Option<char> {
    if first17.len() != 17 || !first17.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    let sum: u32 = first17
        .bytes()
        .zip(WEIGHTS)
        .map(|(b, w)| u32::from(b - b'0') * w)
        .sum();
    CHECK_CHARS.get((sum % 11) as usize).copied()
}

impl IdNumber {
    /// Validates an ID number as written on documents: surrounding and
    /// embedded spaces are ignored, full-width characters are converted and
    /// a lower-case `x` is accepted.
    pub fn parse(s: &str) -> Result<IdNumber, IdError> {
        // Digits and `X` only (the usual case) need no normalizing.
        let norm = if s.bytes().all(|b| b.is_ascii_digit() || b == b'X') {
            s.to_string()
        } else {
            strip_spaces(&halfwidth(s)).replace('x', "X")
        };
        let masked = || mask_id_like(&norm);
        let len = norm.chars().count();
        if len != 18 {
            return Err(IdError::Length {
                input: masked(),
                len,
            });
        }
        if !norm.is_ascii() {
            return Err(IdError::Characters { input: masked() });
        }
        let (first17, last) = norm.split_at(17);
        let last = last.chars().next().unwrap_or('?');
        if !first17.bytes().all(|b| b.is_ascii_digit()) || !(last.is_ascii_digit() || last == 'X') {
            return Err(IdError::Characters { input: masked() });
        }
        if birth_date_of(&norm).is_none() {
            return Err(IdError::BirthDate { input: masked() });
        }
        let expected =
            check_char(first17).ok_or_else(|| IdError::Characters { input: masked() })?;
        if expected != last {
            return Err(IdError::CheckDigit {
                input: masked(),
                expected,
                found: last,
            });
        }
        Ok(IdNumber(norm))
    }

    /// The canonical 18-character form, e.g. for matching across documents.
    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// The date of birth encoded in positions 7–14 (validated by `parse`).
    pub fn birth_date(&self) -> NaiveDate {
        birth_date_of(&self.0).unwrap_or_default()
    }

    /// Sex from the parity of the 3-digit sequence number (position 17).
    pub fn sex(&self) -> Sex {
        // ASCII digits have the same parity as their value ('0' is 48).
        let d = self.0.as_bytes().get(16).copied().unwrap_or(b'0');
        if d % 2 == 1 { Sex::Male } else { Sex::Female }
    }

    /// The 6-digit administrative division code where the number was issued.
    pub fn region_code(&self) -> &str {
        self.0.get(..6).unwrap_or("")
    }

    /// Age in completed years on `date` (e.g. for retirement-age checks).
    ///
    /// A person born on 02-29 becomes a year older on 03-01 in non-leap
    /// years. Negative if `date` is before the birth date.
    pub fn age_on(&self, date: NaiveDate) -> i32 {
        let b = self.birth_date();
        let mut age = date.year() - b.year();
        if (date.month(), date.day()) < (b.month(), b.day()) {
            age -= 1;
        }
        age
    }

    /// The number with the birth date hidden (`110105********002X`), for logs
    /// and reports.
    pub fn masked(&self) -> String {
        mask_id_like(&self.0)
    }
}

/// Birth date from positions 7–14 if it is a real date in 1900..=2100.
fn birth_date_of(norm: &str) -> Option<NaiveDate> {
    let s = norm.get(6..14)?;
    if !s.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    let y: i32 = s[..4].parse().ok()?;
    let m: u32 = s[4..6].parse().ok()?;
    let d: u32 = s[6..].parse().ok()?;
    if !(1900..=2100).contains(&y) {
        return None;
    }
    NaiveDate::from_ymd_opt(y, m, d)
}

/// Masks any string that might be an ID number before it reaches a log.
///
/// Strings of 10 or more characters keep their first 6 and last 4
/// characters with every character between replaced by `*` (so 18
/// characters give exactly what [`IdNumber::masked`] gives); shorter strings
/// become all `*`. Note that a string of exactly 10 characters is therefore
/// shown unmasked.
pub fn mask_id_like(s: &str) -> String {
    let chars: Vec<char> = s.chars().collect();
    let n = chars.len();
    if n < 10 {
        return "*".repeat(n);
    }
    let mut out: String = chars[..6].iter().collect();
    out.push_str(&"*".repeat(n - 10));
    out.extend(&chars[n - 4..]);
    out
}

/// Masks, inside free text (a log line, an error message, a file name), every run of ID-number
/// characters (digits and `X`) that could hold an ID number with [`mask_id_like`]: 18 or more
/// (an 18-digit number, alone or run into other digits, becomes `110105********002X`) or
/// exactly 15 (a first-generation number: `110105*****1002`). Other runs are left as they
/// are: a row number, an amount in 分, a time, and the 16- or 17-digit names of uploads
/// (`qpdf-fuzz-5344352869351424.pdf`), which hold no ID number and must stay recognisable
/// in an error that names the file.
pub fn mask_ids(s: &str) -> String {
    let chars: Vec<char> = s.chars().collect();
    let mut out = String::with_capacity(s.len());
    let mut i = 0;
    while i < chars.len() {
        let run = chars[i..]
            .iter()
            .take_while(|c| c.is_ascii_digit() || **c == 'X' || **c == 'x')
            .count();
        if run == 15 || run >= 18 {
            let t: String = chars[i..i + run].iter().collect();
            out.push_str(&mask_id_like(&t));
            i += run;
        } else if run > 0 {
            // The whole run is judged once: its tail is not a shorter run of its own.
            out.extend(&chars[i..i + run]);
            i += run;
        } else {
            out.push(chars[i]);
            i += 1;
        }
    }
    out
}

impl fmt::Display for IdNumber {
    /// The full canonical number; use [`IdNumber::masked`] for logs.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl FromStr for IdNumber {
    type Err = IdError;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        IdNumber::parse(s)
    }
}

impl Serialize for IdNumber {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.serialize_str(&self.0)
    }
}

impl<'de> Deserialize<'de> for IdNumber {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        let s = String::deserialize(deserializer)?;
        IdNumber::parse(&s).map_err(serde::de::Error::custom)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const PUBLISHED: &str = "11010519491231002X";

    fn d(y: i32, m: u32, dd: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(y, m, dd).unwrap()
    }

    /// Builds a valid number from 17 digits via `check_char`.
    fn make(first17: &str) -> String {
        format!("{first17}{}", check_char(first17).unwrap())
    }

    #[test]
    fn published_example_valid() {
        let id = IdNumber::parse(PUBLISHED).unwrap();
        assert_eq!(id.as_str(), PUBLISHED);
        assert_eq!(id.birth_date(), d(1949, 12, 31));
        assert_eq!(id.region_code(), "110105");
        assert_eq!(id.sex(), Sex::Female);
        assert_eq!(check_char("11010519491231002"), Some('X'));
        assert_eq!(id.to_string(), PUBLISHED);
    }

    #[test]
    fn one_digit_change_invalid() {
        // Sequence 002 -> 003: position 17 has weight 2, so S mod 11 goes
        // from 2 to 4 and the check character from 'X' to '8'.
        let e = IdNumber::parse("11010519491231003X").unwrap_err();
        assert_eq!(
            e,
            IdError::CheckDigit {
                input: "110105********003X".into(),
                expected: '8',
                found: 'X'
            }
        );
        assert!(IdNumber::parse("110105194912310038").is_ok());
        // Region 110105 -> 110106: weight 4 on position 6, S mod 11 = 6, '6'.
        assert!(matches!(
            IdNumber::parse("11010619491231002X"),
            Err(IdError::CheckDigit {
                expected: '6',
                found: 'X',
                ..
            })
        ));
        // Wrong check character itself.
        assert!(matches!(
            IdNumber::parse("110105194912310020"),
            Err(IdError::CheckDigit {
                expected: 'X',
                found: '0',
                ..
            })
        ));
    }

    #[test]
    fn lenient_input_forms() {
        assert_eq!(
            IdNumber::parse("11010519491231002x").unwrap().as_str(),
            PUBLISHED
        );
        assert_eq!(
            IdNumber::parse("  11010519491231002X\n").unwrap().as_str(),
            PUBLISHED
        );
        assert_eq!(
            IdNumber::parse("１１０１０５１９４９１２３１００２Ｘ")
                .unwrap()
                .as_str(),
            PUBLISHED
        );
        assert_eq!(
            IdNumber::parse("110105 19491231 002ｘ").unwrap().as_str(),
            PUBLISHED
        );
    }

    #[test]
    fn rejects() {
        assert_eq!(
            IdNumber::parse("110105491231002"),
            Err(IdError::Length {
                input: "110105*****1002".into(),
                len: 15
            })
        );
        assert!(matches!(
            IdNumber::parse(""),
            Err(IdError::Length { len: 0, .. })
        ));
        assert!(matches!(
            IdNumber::parse("11010519491231002XX"),
            Err(IdError::Length { len: 19, .. })
        ));
        assert!(matches!(
            IdNumber::parse("11010519491231002A"),
            Err(IdError::Characters { .. })
        ));
        assert!(matches!(
            IdNumber::parse("1101051949123100X2"),
            Err(IdError::Characters { .. })
        ));
        assert!(matches!(
            IdNumber::parse("北京000000000000000X"),
            Err(IdError::Characters { .. })
        ));
        // 1949-13-31 is not a date, even with a correct check character.
        let bad = make("11010519491331002");
        assert!(matches!(
            IdNumber::parse(&bad),
            Err(IdError::BirthDate { .. })
        ));
        assert!(matches!(
            IdNumber::parse(&make("11010518991231002")),
            Err(IdError::BirthDate { .. })
        ));
        assert!(matches!(
            IdNumber::parse(&make("11010521010101002")),
            Err(IdError::BirthDate { .. })
        ));
        assert!(matches!(
            IdNumber::parse(&make("11010519490229002")),
            Err(IdError::BirthDate { .. })
        ));
    }

    #[test]
    fn errors_are_masked() {
        let msg = IdNumber::parse("11010519491231003X")
            .unwrap_err()
            .to_string();
        assert!(!msg.contains("19491231"), "{msg}");
        assert!(msg.contains("110105********003X"));
        let dbg = format!("{:?}", IdNumber::parse("11010519491231003X").unwrap_err());
        assert!(!dbg.contains("19491231"));
    }

    #[test]
    fn check_char_input_rules() {
        assert_eq!(check_char("1101051949123100"), None);
        assert_eq!(check_char("110105194912310021"), None);
        assert_eq!(check_char("1101051949123100a"), None);
        assert_eq!(check_char("１１０１０５１９４９１２３１００２"), None);
    }

    #[test]
    fn generated_round_trip() {
        for first17 in [
            "11010119900307123",
            "31011519851120004",
            "44030420000229567",
            "51010219750615888",
            "65010219600101000",
        ] {
            let s = make(first17);
            let id = IdNumber::parse(&s).unwrap();
            assert_eq!(id.as_str(), s);
            let json = serde_json::to_string(&id).unwrap();
            assert_eq!(serde_json::from_str::<IdNumber>(&json).unwrap(), id);
        }
        assert!(serde_json::from_str::<IdNumber>("\"11010519491231003X\"").is_err());
    }

    #[test]
    fn age_and_sex() {
        let id = IdNumber::parse(&make("11010119900307123")).unwrap();
        assert_eq!(id.sex(), Sex::Male);
        assert_eq!(id.age_on(d(2020, 3, 7)), 30);
        assert_eq!(id.age_on(d(2020, 3, 6)), 29);
        assert_eq!(id.age_on(d(1989, 1, 1)), -2);
        let leap = IdNumber::parse(&make("44030420000229566")).unwrap();
        assert_eq!(leap.sex(), Sex::Female);
        assert_eq!(leap.age_on(d(2001, 2, 28)), 0);
        assert_eq!(leap.age_on(d(2001, 3, 1)), 1);
        assert_eq!(leap.age_on(d(2004, 2, 29)), 4);
        assert_eq!(serde_json::to_string(&Sex::Female).unwrap(), "\"female\"");
        assert_eq!(serde_json::from_str::<Sex>("\"male\"").unwrap(), Sex::Male);
    }

    #[test]
    fn masking() {
        let id = IdNumber::parse(PUBLISHED).unwrap();
        assert_eq!(id.masked(), "110105********002X");
        assert_eq!(mask_id_like(PUBLISHED), "110105********002X");
        assert_eq!(mask_id_like("123456789"), "*********");
        assert_eq!(mask_id_like(""), "");
        assert_eq!(mask_id_like("110105491231002"), "110105*****1002");
        assert_eq!(
            mask_id_like("一二三四五六七八九十甲乙"),
            "一二三四五六**九十甲乙"
        );
    }

    #[test]
    fn ids_are_masked_in_text() {
        assert_eq!(
            mask_ids("case 11010519491231002X failed"),
            "case 110105********002X failed"
        );
        assert_eq!(mask_ids("id=110105491231002,"), "id=110105*****1002,");
        assert_eq!(
            mask_ids("row 12, 2020-03-01T10:00:00"),
            "row 12, 2020-03-01T10:00:00"
        );
        assert_eq!(
            mask_ids("11010519491231002X20251103.jpg"),
            "110105****************1103.jpg"
        );
        assert_eq!(
            mask_ids("qpdf-fuzz-5344352869351424.pdf"),
            "qpdf-fuzz-5344352869351424.pdf"
        );
    }
}
