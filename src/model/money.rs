//! Money as an exact integer number of 分 (fen).
//!
//! Permit rules compare salaries, tax and contribution bases to the fen;
//! floats would make those comparisons depend on rounding noise, so every
//! amount is parsed into an `i64` count of fen, and spreadsheet floats are
//! only accepted when they unambiguously denote a 2-decimal amount.

use std::fmt;
use std::iter::Sum;
use std::ops::{Add, AddAssign, Neg, Sub, SubAssign};
use std::str::FromStr;

use serde::{Deserialize, Serialize};
use thiserror::Error;

use crate::model::text::halfwidth;

/// An amount of money in 分 (1/100 yuan), exact, possibly negative (refunds).
#[derive(
    Clone, Copy, Debug, Default, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize,
)]
#[serde(transparent)]
pub struct Fen(pub i64);

/// Why an amount could not be read exactly; each message names the input so
/// a reviewer can find the offending cell.
#[derive(Clone, Debug, PartialEq, Eq, Error)]
pub enum MoneyError {
    /// Nothing but whitespace, currency signs or a sign: no amount was written.
    #[error("金额 \"{input}\" 为空 (empty amount)")]
    Empty {
        /// The text as given.
        input: String,
    },
    /// Letters or other characters that are not part of a decimal amount.
    #[error("金额 \"{input}\" 含有无法识别的字符 (not a decimal amount)")]
    Invalid {
        /// The text as given.
        input: String,
    },
    /// More than one decimal point, e.g. `1.2.3`.
    #[error("金额 \"{input}\" 含有多个小数点 (more than one decimal point)")]
    MultipleDecimalPoints {
        /// The text as given.
        input: String,
    },
    /// Thousands separators not in groups of three, e.g. `12,34.5`, which is
    /// ambiguous (could be a decimal comma) and therefore refused.
    #[error("金额 \"{input}\" 的千位分隔符不规范 (bad thousands separator)")]
    BadThousandsSeparator {
        /// The text as given.
        input: String,
    },
    /// Non-zero digits beyond 分: the amount cannot be represented exactly.
    #[error("金额 \"{input}\" 的小数超过两位 (more than 2 decimal places)")]
    TooManyDecimals {
        /// The text (or float rendering) as given.
        input: String,
    },
    /// The amount does not fit in an `i64` count of fen (or, for
    /// spreadsheet numbers, exceeds 9e15 yuan).
    #[error("金额 \"{input}\" 超出范围 (amount out of range)")]
    Overflow {
        /// The text (or float rendering) as given.
        input: String,
    },
    /// A spreadsheet cell held NaN or infinity.
    #[error("金额 \"{input}\" 不是有限数值 (not a finite number)")]
    NotFinite {
        /// The float rendering as given.
        input: String,
    },
}

/// Largest spreadsheet value (in yuan) accepted by [`Fen::from_sheet_number`];
/// beyond this f64 cannot tell fen apart anyway.
const SHEET_LIMIT: f64 = 9e15;

impl Fen {
    /// Zero fen, for sums and comparisons.
    pub const ZERO: Fen = Fen(0);

    /// Builds an amount from whole yuan for thresholds written in code
    /// (e.g. `Fen::from_yuan(5_000)`).
    ///
    /// Intended only for small constants: it multiplies by 100 without
    /// checking, so in a `const` context an overflow is a compile error and
    /// at run time it behaves like `i64` multiplication. Use [`Fen::parse`]
    /// for untrusted input.
    pub const fn from_yuan(yuan: i64) -> Fen {
        Fen(yuan * 100)
    }

    /// The raw number of fen, for storage and arithmetic outside this type.
    pub fn fen(self) -> i64 {
        self.0
    }

    /// Addition that reports overflow instead of wrapping or panicking.
    pub fn checked_add(self, o: Fen) -> Option<Fen> {
        self.0.checked_add(o.0).map(Fen)
    }

    /// Subtraction that reports overflow instead of wrapping or panicking.
    pub fn checked_sub(self, o: Fen) -> Option<Fen> {
        self.0.checked_sub(o.0).map(Fen)
    }

    /// Absolute value, saturating at `i64::MAX` fen rather than panicking.
    pub fn saturating_abs(self) -> Fen {
        Fen(self.0.saturating_abs())
    }

    /// Reads an amount exactly as people and exports write it.
    ///
    /// Accepts `12,345.67`, `12345.6`, `12345`, `.5`, `12.`, a `¥`/`￥`
    /// prefix, a trailing `元`, full-width digits and `．，`, surrounding
    /// whitespace, and a leading `-` or `−` (U+2212) for refunds (before or
    /// after the currency sign). Thousands separators must form groups of
    /// three; extra decimals are allowed only if they are zeros.
    pub fn parse(s: &str) -> Result<Fen, MoneyError> {
        // ASCII is its own half-width form: no copy for the usual figure.
        let norm: std::borrow::Cow<'_, str> = if s.is_ascii() {
            std::borrow::Cow::Borrowed(s)
        } else {
            std::borrow::Cow::Owned(halfwidth(s).replace('\u{2212}', "-"))
        };
        let mut rest = norm.trim();
        let mut negative = false;
        if let Some(r) = rest.strip_prefix('-') {
            negative = true;
            rest = r.trim_start();
        }
        if let Some(r) = rest.strip_prefix(['¥', '￥']) {
            rest = r.trim_start();
        }
        if !negative && let Some(r) = rest.strip_prefix('-') {
            negative = true;
            rest = r.trim_start();
        }
        if let Some(r) = rest.strip_suffix('元') {
            rest = r.trim_end();
        }
        let err_input = || s.to_string();
        if rest.is_empty() {
            return Err(MoneyError::Empty { input: err_input() });
        }
        if rest
            .chars()
            .any(|c| !(c.is_ascii_digit() || c == ',' || c == '.'))
        {
            return Err(MoneyError::Invalid { input: err_input() });
        }
        let mut parts = rest.split('.');
        let int_part = parts.next().unwrap_or("");
        let frac_part = parts.next();
        if parts.next().is_some() {
            return Err(MoneyError::MultipleDecimalPoints { input: err_input() });
        }
        let frac_part = frac_part.unwrap_or("");
        if frac_part.contains(',') {
            return Err(MoneyError::BadThousandsSeparator { input: err_input() });
        }
        if int_part.is_empty() && frac_part.is_empty() {
            return Err(MoneyError::Invalid { input: err_input() });
        }
        if int_part.contains(',') {
            let mut groups = int_part.split(',');
            let first_ok = groups.next().is_some_and(|g| (1..=3).contains(&g.len()));
            let rest_ok = groups.all(|g| g.len() == 3);
            if !first_ok || !rest_ok {
                return Err(MoneyError::BadThousandsSeparator { input: err_input() });
            }
        }
        let int_digits = int_part.bytes().filter(|b| *b != b',');
        let (cents, extra) = frac_part.split_at(frac_part.len().min(2));
        if extra.bytes().any(|b| b != b'0') {
            return Err(MoneyError::TooManyDecimals { input: err_input() });
        }
        let overflow = || MoneyError::Overflow { input: err_input() };
        let mut total: i64 = 0;
        for b in int_digits {
            total = total
                .checked_mul(10)
                .and_then(|t| t.checked_add(i64::from(b - b'0')))
                .ok_or_else(overflow)?;
        }
        let mut frac: i64 = 0;
        for i in 0..2 {
            let d = cents.as_bytes().get(i).map_or(0, |b| i64::from(b - b'0'));
            frac = frac * 10 + d;
        }
        total = total
            .checked_mul(100)
            .and_then(|t| t.checked_add(frac))
            .ok_or_else(overflow)?;
        Ok(Fen(if negative { -total } else { total }))
    }

    /// Converts a spreadsheet number (always an f64) to fen without letting
    /// binary float noise decide the amount.
    ///
    /// The shortest round-trip decimal of `x` is parsed exactly. If it has
    /// more than two decimals but rounding to two decimals gives an f64
    /// within `1e-9 × max(1, |x|)` of `x` (e.g. `10616.400000000001`), the
    /// rounded value is accepted; otherwise [`MoneyError::TooManyDecimals`].
    /// NaN, infinities and `|x| > 9e15` are refused.
    pub fn from_sheet_number(x: f64) -> Result<Fen, MoneyError> {
        let text = format!("{x}");
        if !x.is_finite() {
            return Err(MoneyError::NotFinite { input: text });
        }
        if x.abs() > SHEET_LIMIT {
            return Err(MoneyError::Overflow { input: text });
        }
        match Fen::parse(&text) {
            Err(MoneyError::TooManyDecimals { input }) => {
                let rounded = round_decimal_to_fen(&text).ok_or_else(|| MoneyError::Overflow {
                    input: input.clone(),
                })?;
                let back: f64 = rounded
                    .yuan_plain()
                    .parse()
                    .map_err(|_| MoneyError::Invalid {
                        input: input.clone(),
                    })?;
                let tolerance = 1e-9 * x.abs().max(1.0);
                if (back - x).abs() <= tolerance {
                    Ok(rounded)
                } else {
                    Err(MoneyError::TooManyDecimals { input })
                }
            }
            other => other,
        }
    }

    /// The amount as a plain decimal without separators (`12345.67`,
    /// `-0.05`), for exports and for re-parsing as a float.
    pub fn yuan_plain(self) -> String {
        let sign = if self.0 < 0 { "-" } else { "" };
        let abs = self.0.unsigned_abs();
        format!("{sign}{}.{:02}", abs / 100, abs % 100)
    }
}

/// Rounds a plain decimal string (as produced by f64 `Display`, so only an
/// optional `-`, digits and at most one `.`) half away from zero to fen.
fn round_decimal_to_fen(text: &str) -> Option<Fen> {
    let (negative, body) = match text.strip_prefix('-') {
        Some(b) => (true, b),
        None => (false, text),
    };
    let (int_part, frac_part) = body.split_once('.').unwrap_or((body, ""));
    let mut total: i64 = 0;
    for b in int_part.bytes() {
        if !b.is_ascii_digit() {
            return None;
        }
        total = total.checked_mul(10)?.checked_add(i64::from(b - b'0'))?;
    }
    let fb = frac_part.as_bytes();
    let digit = |i: usize| -> Option<i64> {
        match fb.get(i) {
            None => Some(0),
            Some(b) if b.is_ascii_digit() => Some(i64::from(b - b'0')),
            Some(_) => None,
        }
    };
    let mut cents = digit(0)? * 10 + digit(1)?;
    if digit(2)? >= 5 {
        cents += 1;
    }
    total = total.checked_mul(100)?.checked_add(cents)?;
    Some(Fen(if negative { -total } else { total }))
}

impl FromStr for Fen {
    type Err = MoneyError;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Fen::parse(s)
    }
}

impl fmt::Display for Fen {
    /// `12,345.67`: always two decimals and thousands commas, as reviewers
    /// expect to read amounts.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let abs = self.0.unsigned_abs();
        let digits = (abs / 100).to_string();
        let mut grouped = String::with_capacity(digits.len() + digits.len() / 3);
        for (i, c) in digits.chars().enumerate() {
            if i > 0 && (digits.len() - i).is_multiple_of(3) {
                grouped.push(',');
            }
            grouped.push(c);
        }
        let sign = if self.0 < 0 { "-" } else { "" };
        write!(f, "{sign}{grouped}.{:02}", abs % 100)
    }
}

impl Add for Fen {
    type Output = Fen;

    fn add(self, o: Fen) -> Fen {
        Fen(self.0 + o.0)
    }
}

impl Sub for Fen {
    type Output = Fen;

    fn sub(self, o: Fen) -> Fen {
        Fen(self.0 - o.0)
    }
}

impl Neg for Fen {
    type Output = Fen;

    fn neg(self) -> Fen {
        Fen(-self.0)
    }
}

impl AddAssign for Fen {
    fn add_assign(&mut self, o: Fen) {
        self.0 += o.0;
    }
}

impl SubAssign for Fen {
    fn sub_assign(&mut self, o: Fen) {
        self.0 -= o.0;
    }
}

impl Sum for Fen {
    fn sum<I: Iterator<Item = Fen>>(iter: I) -> Fen {
        iter.fold(Fen::ZERO, |a, b| a + b)
    }
}

impl<'a> Sum<&'a Fen> for Fen {
    fn sum<I: Iterator<Item = &'a Fen>>(iter: I) -> Fen {
        iter.copied().sum()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn p(s: &str) -> Result<i64, MoneyError> {
        Fen::parse(s).map(Fen::fen)
    }

    #[test]
    fn parse_common_forms() {
        assert_eq!(p("12,345.67"), Ok(1_234_567));
        assert_eq!(p("12345.6"), Ok(1_234_560));
        assert_eq!(p("12345"), Ok(1_234_500));
        assert_eq!(p("￥12,345.67"), Ok(1_234_567));
        assert_eq!(p("¥12,345.67"), Ok(1_234_567));
        assert_eq!(p("12,345.67元"), Ok(1_234_567));
        assert_eq!(p("¥ 12,345.67 元"), Ok(1_234_567));
        assert_eq!(p("１２，３４５．６７"), Ok(1_234_567));
        assert_eq!(p("  12.30\u{3000}"), Ok(1230));
        assert_eq!(p("-12.30"), Ok(-1230));
        assert_eq!(p("\u{2212}12.30"), Ok(-1230));
        assert_eq!(p("-¥12.30"), Ok(-1230));
        assert_eq!(p("¥-12.30"), Ok(-1230));
        assert_eq!(p(".5"), Ok(50));
        assert_eq!(p("12."), Ok(1200));
        assert_eq!(p("1,234,567.89"), Ok(123_456_789));
        assert_eq!(p("12.300"), Ok(1230));
        assert_eq!(p("0"), Ok(0));
        assert_eq!(p("-0"), Ok(0));
        assert_eq!(p("0.01"), Ok(1));
        assert_eq!("7.07".parse::<Fen>(), Ok(Fen(707)));
    }

    #[test]
    fn parse_errors() {
        assert!(matches!(
            Fen::parse("12,34.5"),
            Err(MoneyError::BadThousandsSeparator { .. })
        ));
        assert!(matches!(
            Fen::parse("1234,567"),
            Err(MoneyError::BadThousandsSeparator { .. })
        ));
        assert!(matches!(
            Fen::parse(",123"),
            Err(MoneyError::BadThousandsSeparator { .. })
        ));
        assert!(matches!(
            Fen::parse("123,"),
            Err(MoneyError::BadThousandsSeparator { .. })
        ));
        assert!(matches!(
            Fen::parse("1.234,5"),
            Err(MoneyError::BadThousandsSeparator { .. })
        ));
        assert!(matches!(
            Fen::parse("12.345"),
            Err(MoneyError::TooManyDecimals { .. })
        ));
        assert!(matches!(
            Fen::parse("12.301"),
            Err(MoneyError::TooManyDecimals { .. })
        ));
        assert!(matches!(Fen::parse(""), Err(MoneyError::Empty { .. })));
        assert!(matches!(Fen::parse("  "), Err(MoneyError::Empty { .. })));
        assert!(matches!(Fen::parse("¥"), Err(MoneyError::Empty { .. })));
        assert!(matches!(Fen::parse("-"), Err(MoneyError::Empty { .. })));
        assert!(matches!(Fen::parse("."), Err(MoneyError::Invalid { .. })));
        assert!(matches!(Fen::parse("12a"), Err(MoneyError::Invalid { .. })));
        assert!(matches!(
            Fen::parse("RMB 12"),
            Err(MoneyError::Invalid { .. })
        ));
        assert!(matches!(Fen::parse("1e5"), Err(MoneyError::Invalid { .. })));
        assert!(matches!(Fen::parse("--5"), Err(MoneyError::Invalid { .. })));
        assert!(matches!(Fen::parse("+5"), Err(MoneyError::Invalid { .. })));
        assert!(matches!(
            Fen::parse("1 234"),
            Err(MoneyError::Invalid { .. })
        ));
        assert!(matches!(
            Fen::parse("1.2.3"),
            Err(MoneyError::MultipleDecimalPoints { .. })
        ));
        assert!(matches!(
            Fen::parse("92233720368547758.08"),
            Err(MoneyError::Overflow { .. })
        ));
        assert!(matches!(
            Fen::parse("99999999999999999999999"),
            Err(MoneyError::Overflow { .. })
        ));
        assert_eq!(p("92233720368547758.07"), Ok(i64::MAX));
    }

    #[test]
    fn error_messages_name_input() {
        let e = Fen::parse("12,34.5").unwrap_err();
        assert_eq!(
            e.to_string(),
            "金额 \"12,34.5\" 的千位分隔符不规范 (bad thousands separator)"
        );
        assert!(
            Fen::parse("12.345")
                .unwrap_err()
                .to_string()
                .contains("12.345")
        );
    }

    #[test]
    fn sheet_numbers() {
        assert_eq!(Fen::from_sheet_number(10616.4), Ok(Fen(1_061_640)));
        assert_eq!(
            Fen::from_sheet_number(10616.400000000001),
            Ok(Fen(1_061_640))
        );
        assert_eq!(Fen::from_sheet_number(0.1 + 0.2), Ok(Fen(30)));
        assert_eq!(Fen::from_sheet_number(-0.1 - 0.2), Ok(Fen(-30)));
        assert_eq!(Fen::from_sheet_number(1.005 * 1000.0), Ok(Fen(100_500)));
        assert_eq!(Fen::from_sheet_number(12345.0), Ok(Fen(1_234_500)));
        assert_eq!(Fen::from_sheet_number(0.0), Ok(Fen(0)));
        assert_eq!(Fen::from_sheet_number(-0.0), Ok(Fen(0)));
        assert_eq!(Fen::from_sheet_number(0.1 + 0.2 - 0.3), Ok(Fen(0)));
        assert!(matches!(
            Fen::from_sheet_number(1e-7),
            Err(MoneyError::TooManyDecimals { .. })
        ));
        assert_eq!(
            Fen::from_sheet_number(1e15),
            Ok(Fen(100_000_000_000_000_000))
        );
        assert_eq!(Fen::from_sheet_number(0.30000000000000004), Ok(Fen(30)));
        assert_eq!(
            Fen::from_sheet_number(8999.995),
            Err(MoneyError::TooManyDecimals {
                input: "8999.995".into()
            })
        );
        assert!(matches!(
            Fen::from_sheet_number(10616.404),
            Err(MoneyError::TooManyDecimals { .. })
        ));
        assert!(matches!(
            Fen::from_sheet_number(12.345),
            Err(MoneyError::TooManyDecimals { .. })
        ));
        assert!(matches!(
            Fen::from_sheet_number(0.001),
            Err(MoneyError::TooManyDecimals { .. })
        ));
        assert!(matches!(
            Fen::from_sheet_number(f64::NAN),
            Err(MoneyError::NotFinite { .. })
        ));
        assert!(matches!(
            Fen::from_sheet_number(f64::INFINITY),
            Err(MoneyError::NotFinite { .. })
        ));
        assert!(matches!(
            Fen::from_sheet_number(1e21),
            Err(MoneyError::Overflow { .. })
        ));
        assert!(matches!(
            Fen::from_sheet_number(-9.1e15),
            Err(MoneyError::Overflow { .. })
        ));
        assert!(Fen::from_sheet_number(9e15).is_ok());
    }

    #[test]
    fn display_and_plain() {
        assert_eq!(Fen(1_234_567).to_string(), "12,345.67");
        assert_eq!(Fen(-1_234_567).to_string(), "-12,345.67");
        assert_eq!(Fen(5).to_string(), "0.05");
        assert_eq!(Fen(-5).to_string(), "-0.05");
        assert_eq!(Fen(0).to_string(), "0.00");
        assert_eq!(Fen(100_000).to_string(), "1,000.00");
        assert_eq!(Fen(12_345_678_900).to_string(), "123,456,789.00");
        assert_eq!(Fen(i64::MIN).to_string(), "-92,233,720,368,547,758.08");
        assert_eq!(Fen(1_234_567).yuan_plain(), "12345.67");
        assert_eq!(Fen(-5).yuan_plain(), "-0.05");
        for v in [0, 1, -1, 99, 100, 123_456_789, -987_654_321, i64::MAX] {
            assert_eq!(Fen::parse(&Fen(v).to_string()), Ok(Fen(v)));
            assert_eq!(Fen::parse(&Fen(v).yuan_plain()), Ok(Fen(v)));
        }
    }

    #[test]
    fn arithmetic() {
        const LIMIT: Fen = Fen::from_yuan(5_000);
        assert_eq!(LIMIT, Fen(500_000));
        let mut a = Fen(100);
        a += Fen(50);
        a -= Fen(25);
        assert_eq!(a, Fen(125));
        assert_eq!(Fen(3) + Fen(4) - Fen(10), Fen(-3));
        assert_eq!(-Fen(3), Fen(-3));
        assert_eq!([Fen(1), Fen(2), Fen(3)].iter().sum::<Fen>(), Fen(6));
        assert_eq!(vec![Fen(1), Fen(2)].into_iter().sum::<Fen>(), Fen(3));
        assert_eq!(Fen(i64::MAX).checked_add(Fen(1)), None);
        assert_eq!(Fen(i64::MIN).checked_sub(Fen(1)), None);
        assert_eq!(Fen(1).checked_sub(Fen(3)), Some(Fen(-2)));
        assert_eq!(Fen::ZERO.fen(), 0);
        assert_eq!(Fen(-7).saturating_abs(), Fen(7));
    }

    #[test]
    fn serde_transparent() {
        assert_eq!(serde_json::to_string(&Fen(1234)).unwrap(), "1234");
        assert_eq!(serde_json::from_str::<Fen>("-5").unwrap(), Fen(-5));
    }
}
