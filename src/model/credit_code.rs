//! Unified social credit codes (统一社会信用代码, GB 32100-2015).
//!
//! Employers are identified on contracts, tax and social-insurance records
//! by this 18-character code; a mismatch or a typo means the documents may
//! not be about the same employer, so the code is validated strictly.

use std::fmt;
use std::str::FromStr;

use serde::{Deserialize, Deserializer, Serialize, Serializer};
use thiserror::Error;

use crate::model::text::{halfwidth, strip_spaces};

/// The 31 code symbols (no I, O, Z, S, V); a symbol's value is its index.
const CHARSET: &[u8; 31] = b"0123456789ABCDEFGHJKLMNPQRTUWXY";
/// Weights of positions 1–17 (3^(i−1) mod 31).
const WEIGHTS: [u32; 17] = [
    1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28,
];
/// Weights of the GB 11714 organization code body (positions 9–16).
const ORG_WEIGHTS: [u32; 8] = [3, 7, 9, 10, 5, 8, 4, 2];

/// Why a string is not a valid unified social credit code; each message
/// names the input (codes are public registration data, not masked).
#[derive(Clone, Debug, PartialEq, Eq, Error)]
pub enum CreditCodeError {
    /// Not 18 characters.
    #[error("统一社会信用代码 \"{input}\" 长度为 {len}，应为 18 位 (wrong length)")]
    Length {
        /// The text as given.
        input: String,
        /// Number of characters after normalization.
        len: usize,
    },
    /// A character outside the code alphabet (e.g. `I`, `O`, `Z`, `S`, `V`,
    /// punctuation), often a misread `1`/`0`/`2`/`5`.
    #[error("统一社会信用代码 \"{input}\" 第 {position} 位字符 '{ch}' 不合法 (invalid character)")]
    Character {
        /// The text as given.
        input: String,
        /// The offending character (after normalization).
        ch: char,
        /// Its 1-based position.
        position: usize,
    },
    /// The 18th character does not match the MOD 31 check: a typo.
    #[error(
        "统一社会信用代码 \"{input}\" 校验位错误：应为 {expected}，实为 {found} (check character mismatch)"
    )]
    CheckChar {
        /// The text as given.
        input: String,
        /// The check character computed from the first 17 characters.
        expected: char,
        /// The check character actually written.
        found: char,
    },
}

/// A validated unified social credit code in canonical (ASCII upper-case)
/// form. Serialized as its string; deserialization re-validates.
#[derive(Clone, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct CreditCode(String);

/// Value of a code symbol, or `None` if it is not in the alphabet.
fn value(b: u8) -> Option<u32> {
    CHARSET.iter().position(|&c| c == b).map(|i| i as u32)
}

/// The GB 32100 check character for the first 17 characters, or `None`
/// unless `first17` is exactly 17 symbols of the (upper-case) alphabet.
pub fn check_char(first17: &str) -> Option<char> {
    if first17.len() != 17 {
        return None;
    }
    let mut sum = 0u32;
    for (b, w) in first17.bytes().zip(WEIGHTS) {
        sum += value(b)? * w;
    }
    let c = (31 - sum % 31) % 31;
    CHARSET.get(c as usize).map(|&b| char::from(b))
}

impl CreditCode {
    /// Validates a code as written on documents: spaces are ignored,
    /// full-width characters converted and letters upper-cased.
    pub fn parse(s: &str) -> Result<CreditCode, CreditCodeError> {
        let norm = strip_spaces(&halfwidth(s)).to_ascii_uppercase();
        let input = || s.to_string();
        let len = norm.chars().count();
        if len != 18 {
            return Err(CreditCodeError::Length {
                input: input(),
                len,
            });
        }
        for (i, ch) in norm.chars().enumerate() {
            if !ch.is_ascii() || value(ch as u8).is_none() {
                return Err(CreditCodeError::Character {
                    input: input(),
                    ch,
                    position: i + 1,
                });
            }
        }
        let (first17, last) = norm.split_at(17);
        let found = last.chars().next().unwrap_or('?');
        let expected = check_char(first17).unwrap_or('?');
        if expected != found {
            return Err(CreditCodeError::CheckChar {
                input: input(),
                expected,
                found,
            });
        }
        Ok(CreditCode(norm))
    }

    /// The canonical 18-character code, for matching across documents.
    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// Position 1: the registering authority (`9` = market regulator,
    /// `1` = government bodies, `5` = civil affairs, …), which tells what
    /// kind of employer this is.
    pub fn registration_authority(&self) -> char {
        self.0.chars().next().unwrap_or('?')
    }

    /// Positions 3–8: the administrative division of registration
    /// (`11xxxx` for Beijing).
    pub fn region_code(&self) -> &str {
        self.0.get(2..8).unwrap_or("")
    }

    /// Positions 9–17: the embedded organization code (GB 11714).
    pub fn org_code(&self) -> &str {
        self.0.get(8..17).unwrap_or("")
    }

    /// Whether the embedded GB 11714 organization code (positions 9–16,
    /// check at 17) is self-consistent.
    ///
    /// Deliberately not required by [`CreditCode::parse`]: some genuine
    /// registrations carry organization codes that do not follow GB 11714,
    /// so a failure here is at most a hint for a reviewer.
    pub fn org_code_check_ok(&self) -> bool {
        let b = self.0.as_bytes();
        let (Some(body), Some(&written)) = (b.get(8..16), b.get(16)) else {
            return false;
        };
        let mut sum = 0u32;
        for (&c, w) in body.iter().zip(ORG_WEIGHTS) {
            let v = match c {
                b'0'..=b'9' => u32::from(c - b'0'),
                b'A'..=b'Z' => u32::from(c - b'A') + 10,
                _ => return false,
            };
            sum += v * w;
        }
        let expected = match 11 - sum % 11 {
            10 => b'X',
            11 => b'0',
            r => b'0' + r as u8,
        };
        expected == written
    }
}

impl fmt::Display for CreditCode {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl FromStr for CreditCode {
    type Err = CreditCodeError;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        CreditCode::parse(s)
    }
}

impl Serialize for CreditCode {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.serialize_str(&self.0)
    }
}

impl<'de> Deserialize<'de> for CreditCode {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        let s = String::deserialize(deserializer)?;
        CreditCode::parse(&s).map_err(serde::de::Error::custom)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const PUBLISHED: &str = "91350100M000100Y43";

    #[test]
    fn published_example_valid() {
        let c = CreditCode::parse(PUBLISHED).unwrap();
        assert_eq!(c.as_str(), PUBLISHED);
        assert_eq!(c.to_string(), PUBLISHED);
        assert_eq!(c.registration_authority(), '9');
        assert_eq!(c.region_code(), "350100");
        assert_eq!(c.org_code(), "M000100Y4");
        assert!(c.org_code_check_ok());
        assert_eq!(check_char("91350100M000100Y4"), Some('3'));
    }

    #[test]
    fn corruptions_invalid() {
        assert_eq!(
            CreditCode::parse("91350100M000100Y44"),
            Err(CreditCodeError::CheckChar {
                input: "91350100M000100Y44".into(),
                expected: '3',
                found: '4'
            })
        );
        // Every substitution of any single position by another valid symbol
        // must be caught (MOD 31 with weights coprime to 31).
        for pos in 0..18 {
            for &sym in CHARSET {
                let mut b = PUBLISHED.as_bytes().to_vec();
                if b[pos] == sym {
                    continue;
                }
                b[pos] = sym;
                let s = String::from_utf8(b).unwrap();
                assert!(
                    matches!(
                        CreditCode::parse(&s),
                        Err(CreditCodeError::CheckChar { .. })
                    ),
                    "{s}"
                );
            }
        }
        // A middle corruption changes the expected character.
        assert!(matches!(
            CreditCode::parse("91350100M000200Y43"),
            Err(CreditCodeError::CheckChar { found: '3', .. })
        ));
    }

    #[test]
    fn lenient_forms() {
        assert_eq!(
            CreditCode::parse("91350100m000100y43").unwrap().as_str(),
            PUBLISHED
        );
        assert_eq!(
            CreditCode::parse(" 91350100M000100Y43\t").unwrap().as_str(),
            PUBLISHED
        );
        assert_eq!(
            CreditCode::parse("９１３５０１００Ｍ０００１００Ｙ４３")
                .unwrap()
                .as_str(),
            PUBLISHED
        );
    }

    #[test]
    fn format_errors() {
        assert!(matches!(
            CreditCode::parse("91350100M000100Y4"),
            Err(CreditCodeError::Length { len: 17, .. })
        ));
        assert!(matches!(
            CreditCode::parse(""),
            Err(CreditCodeError::Length { len: 0, .. })
        ));
        assert!(matches!(
            CreditCode::parse("M000100Y4"),
            Err(CreditCodeError::Length { len: 9, .. })
        ));
        for (s, ch, position) in [
            ("91350100I000100Y43", 'I', 9),
            ("91350100O000100Y43", 'O', 9),
            ("9135010ZM000100Y43", 'Z', 8),
            ("S1350100M000100Y43", 'S', 1),
            ("91350100M000100V43", 'V', 16),
            ("91350100M000100Y4-", '-', 18),
            ("91350100M000100Y4北", '北', 18),
        ] {
            assert_eq!(
                CreditCode::parse(s),
                Err(CreditCodeError::Character {
                    input: s.into(),
                    ch,
                    position
                })
            );
        }
        let msg = CreditCode::parse("91350100I000100Y43")
            .unwrap_err()
            .to_string();
        assert!(
            msg.contains("91350100I000100Y43") && msg.contains("第 9 位"),
            "{msg}"
        );
    }

    #[test]
    fn check_char_input_rules() {
        assert_eq!(check_char("91350100M000100Y"), None);
        assert_eq!(check_char("91350100m000100Y4"), None);
        assert_eq!(check_char("91350100I000100Y4"), None);
    }

    #[test]
    fn generated_round_trip() {
        for first17 in [
            "91110000600000000",
            "91110105MA01ABCD1",
            "12100000400000624",
            "52110000500000000",
            "9111010800000000Y",
        ] {
            let c = check_char(first17).unwrap();
            let s = format!("{first17}{c}");
            let code = CreditCode::parse(&s).unwrap();
            assert_eq!(code.as_str(), s);
            let json = serde_json::to_string(&code).unwrap();
            assert_eq!(json, format!("\"{s}\""));
            assert_eq!(serde_json::from_str::<CreditCode>(&json).unwrap(), code);
        }
        assert!(serde_json::from_str::<CreditCode>("\"91350100M000100Y44\"").is_err());
    }

    #[test]
    fn org_code_check_optional() {
        // Outer check valid, inner organization-code check deliberately broken.
        let first17 = "91350100M000100Y5";
        let s = format!("{first17}{}", check_char(first17).unwrap());
        let c = CreditCode::parse(&s).unwrap();
        assert!(!c.org_code_check_ok());
    }
}
