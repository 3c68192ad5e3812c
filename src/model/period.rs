//! Calendar months (contribution and tax periods) and date parsing.
//!
//! Social-insurance and tax records are per month, and every source spells
//! months and dates differently (`2019年3月`, `201903`, `2019/3/31`, Excel
//! serial numbers). Parsing them all here into [`YearMonth`] and
//! [`NaiveDate`] lets continuity and overlap rules work on real values.

use std::fmt;
use std::str::FromStr;

use chrono::{Datelike, Duration, NaiveDate};
use serde::{Deserialize, Deserializer, Serialize, Serializer};
use thiserror::Error;

use crate::model::text::{halfwidth, strip_spaces};

/// Earliest year a [`YearMonth`] may hold; older periods are data errors.
const MIN_YEAR: i32 = 1900;
/// Latest year a [`YearMonth`] may hold; later periods are data errors.
const MAX_YEAR: i32 = 2200;

/// Why a month or date could not be read; each message names the input.
#[derive(Clone, Debug, PartialEq, Eq, Error)]
pub enum PeriodError {
    /// Nothing was written.
    #[error("日期 \"{input}\" 为空 (empty date)")]
    Empty {
        /// The text as given.
        input: String,
    },
    /// Not one of the recognised month or date layouts.
    #[error("日期 \"{input}\" 格式无法识别 (unrecognised date format)")]
    Format {
        /// The text as given.
        input: String,
    },
    /// Month outside 1..=12, e.g. `2019-13` or `2019-00`.
    #[error("日期 \"{input}\" 的月份无效 (invalid month)")]
    Month {
        /// The text as given.
        input: String,
    },
    /// Day that does not exist in its month, e.g. `2019-02-30`.
    #[error("日期 \"{input}\" 的日无效 (invalid day)")]
    Day {
        /// The text as given.
        input: String,
    },
    /// Year outside the supported range (1900..=2200 for months).
    #[error("日期 \"{input}\" 的年份超出范围 (year out of range)")]
    Year {
        /// The text as given.
        input: String,
    },
    /// A month was given where a full date (with day) is required.
    #[error("日期 \"{input}\" 缺少日 (not a full date)")]
    NotADate {
        /// The text as given.
        input: String,
    },
}

/// A calendar month, the unit of contribution and tax periods.
///
/// Always within 1900-01..=2200-12, so every method is total. Ordered
/// chronologically. Serialized as the string `"2019-03"`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct YearMonth {
    year: i32,
    month: u32,
}

impl YearMonth {
    /// Earliest representable month (1900-01); `add_months` saturates here.
    pub const MIN: YearMonth = YearMonth {
        year: MIN_YEAR,
        month: 1,
    };
    /// Latest representable month (2200-12); `add_months` saturates here.
    pub const MAX: YearMonth = YearMonth {
        year: MAX_YEAR,
        month: 12,
    };

    /// Builds a month, refusing years outside 1900..=2200 and months outside
    /// 1..=12 so that invalid periods cannot exist.
    pub fn new(year: i32, month: u32) -> Option<YearMonth> {
        ((MIN_YEAR..=MAX_YEAR).contains(&year) && (1..=12).contains(&month))
            .then_some(YearMonth { year, month })
    }

    /// The calendar year.
    pub fn year(self) -> i32 {
        self.year
    }

    /// The month, 1..=12.
    pub fn month(self) -> u32 {
        self.month
    }

    /// The month containing `d`.
    ///
    /// Dates outside 1900..=2200 are clamped to [`YearMonth::MIN`] /
    /// [`YearMonth::MAX`]; use [`YearMonth::try_from_date`] to detect that.
    pub fn from_date(d: NaiveDate) -> YearMonth {
        YearMonth::try_from_date(d).unwrap_or(if d.year() < MIN_YEAR {
            YearMonth::MIN
        } else {
            YearMonth::MAX
        })
    }

    /// The month containing `d`, or `None` if `d` is outside 1900..=2200.
    pub fn try_from_date(d: NaiveDate) -> Option<YearMonth> {
        YearMonth::new(d.year(), d.month())
    }

    /// The first day of the month, e.g. for comparing with contract start dates.
    pub fn first_day(self) -> NaiveDate {
        NaiveDate::from_ymd_opt(self.year, self.month, 1).unwrap_or_default()
    }

    /// The last day of the month (28–31), e.g. for "employed through the end
    /// of the period" checks.
    pub fn last_day(self) -> NaiveDate {
        let (y, m) = if self.month == 12 {
            (self.year + 1, 1)
        } else {
            (self.year, self.month + 1)
        };
        NaiveDate::from_ymd_opt(y, m, 1)
            .and_then(|d| d.pred_opt())
            .unwrap_or_default()
    }

    /// Zero-based month count since year 0, for arithmetic.
    fn index(self) -> i64 {
        i64::from(self.year) * 12 + i64::from(self.month) - 1
    }

    /// Inverse of [`YearMonth::index`], saturating at the supported bounds.
    fn from_index(i: i64) -> YearMonth {
        let i = i.clamp(YearMonth::MIN.index(), YearMonth::MAX.index());
        // Both casts are in range after the clamp.
        YearMonth {
            year: i.div_euclid(12) as i32,
            month: i.rem_euclid(12) as u32 + 1,
        }
    }

    /// Moves `n` months forward (or back if negative).
    ///
    /// Saturates at [`YearMonth::MIN`] / [`YearMonth::MAX`] instead of
    /// panicking; periods near those bounds are never genuine.
    pub fn add_months(self, n: i32) -> YearMonth {
        YearMonth::from_index(self.index() + i64::from(n))
    }

    /// The following month (saturating at [`YearMonth::MAX`]).
    pub fn succ(self) -> YearMonth {
        self.add_months(1)
    }

    /// The preceding month (saturating at [`YearMonth::MIN`]).
    pub fn pred(self) -> YearMonth {
        self.add_months(-1)
    }

    /// `self − earlier` in months: 2019-03 since 2018-12 is 3; negative if
    /// `earlier` is actually later.
    pub fn months_since(self, earlier: YearMonth) -> i32 {
        // Bounded by ±3612, so the cast cannot truncate.
        (self.index() - earlier.index()) as i32
    }

    /// Every month from `from` to `to`, both included; empty if `from > to`.
    pub fn range_inclusive(from: YearMonth, to: YearMonth) -> impl Iterator<Item = YearMonth> {
        let n = to.months_since(from);
        (0..=n).map(move |i| from.add_months(i))
    }

    /// Reads a month in any layout found in documents: `2019-03`, `2019-3`,
    /// `2019/03`, `2019.03`, `2019年3月`, `201903`, or a full date (`2019-03-01`,
    /// `2019/3/31`, `20190301`, `2019年3月1日`, `2019.03.01`, optionally with a
    /// time part) which gives its month. Full-width digits and spaces are
    /// tolerated; the day, if present, must exist.
    pub fn parse(s: &str) -> Result<YearMonth, PeriodError> {
        let (year, month, _day) = parse_fields(s)?;
        YearMonth::new(year, month).ok_or_else(|| PeriodError::Year {
            input: s.to_string(),
        })
    }
}

impl fmt::Display for YearMonth {
    /// `2019-03`, the canonical spelling used in reports and serde.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{:04}-{:02}", self.year, self.month)
    }
}

impl FromStr for YearMonth {
    type Err = PeriodError;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        YearMonth::parse(s)
    }
}

impl Serialize for YearMonth {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.collect_str(self)
    }
}

impl<'de> Deserialize<'de> for YearMonth {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        let s = String::deserialize(deserializer)?;
        YearMonth::parse(&s).map_err(serde::de::Error::custom)
    }
}

/// Reads a full date: `2019-03-01`, `2019/3/31`, `20190301`, `2019年3月1日`,
/// `2019.03.01`, optionally followed by a time (`2019-03-01 00:00:00`,
/// `2019-03-01T08:00:00+08:00`) which is ignored.
///
/// Any real date with a 4-digit year is accepted (e.g. `9999-12-31`, which
/// some systems use for "no end date"); month-only input is an error.
pub fn parse_date(s: &str) -> Result<NaiveDate, PeriodError> {
    let (year, month, day) = parse_fields(s)?;
    let day = day.ok_or_else(|| PeriodError::NotADate {
        input: s.to_string(),
    })?;
    NaiveDate::from_ymd_opt(year, month, day).ok_or_else(|| PeriodError::Day {
        input: s.to_string(),
    })
}

/// Splits off and sanity-checks a trailing time of day, returning the date
/// part. A time starts at the last space or `T` before the first `:`.
fn strip_time(s: &str) -> Option<&str> {
    let Some(colon) = s.find(':') else {
        return Some(s);
    };
    let cut = s[..colon].rfind([' ', 'T'])?;
    let time = &s[cut + 1..];
    let ok = time.trim().starts_with(|c: char| c.is_ascii_digit())
        && time
            .chars()
            .all(|c| c.is_ascii_digit() || matches!(c, ':' | '.' | '+' | '-' | 'Z' | ' '));
    ok.then_some(&s[..cut])
}

/// `Some(n)` if `s` is 1..=max_len ASCII digits (min_len..=max_len).
fn digits(s: &str, min_len: usize, max_len: usize) -> Option<u32> {
    let ok = (min_len..=max_len).contains(&s.len()) && s.bytes().all(|b| b.is_ascii_digit());
    if ok { s.parse().ok() } else { None }
}

/// Recognises the layout only: year, month and optional day as numbers.
fn split_fields(d: &str) -> Option<(u32, u32, Option<u32>)> {
    if d.bytes().all(|b| b.is_ascii_digit()) {
        return match d.len() {
            6 => Some((digits(&d[..4], 4, 4)?, digits(&d[4..], 2, 2)?, None)),
            8 => Some((
                digits(&d[..4], 4, 4)?,
                digits(&d[4..6], 2, 2)?,
                Some(digits(&d[6..], 2, 2)?),
            )),
            _ => None,
        };
    }
    if let Some((y, rest)) = d.split_once('年') {
        let (m, rest) = rest.split_once('月')?;
        let day = if rest.is_empty() {
            None
        } else {
            let dd = rest
                .strip_suffix('日')
                .or_else(|| rest.strip_suffix('号'))?;
            Some(digits(dd, 1, 2)?)
        };
        return Some((digits(y, 4, 4)?, digits(m, 1, 2)?, day));
    }
    let sep = d.chars().find(|c| !c.is_ascii_digit())?;
    if !matches!(sep, '-' | '/' | '.') {
        return None;
    }
    let parts: Vec<&str> = d.split(sep).collect();
    match parts.as_slice() {
        [y, m] => Some((digits(y, 4, 4)?, digits(m, 1, 2)?, None)),
        [y, m, dd] => Some((digits(y, 4, 4)?, digits(m, 1, 2)?, Some(digits(dd, 1, 2)?))),
        _ => None,
    }
}

/// `2020-03` or `2020-03-01` exactly, valid: the usual spelling, which [`parse_fields`] reads
/// without its general (allocating) path, to the same fields.
fn iso_fields(s: &str) -> Option<(i32, u32, Option<u32>)> {
    let b = s.as_bytes();
    if !matches!(b.len(), 7 | 10) || b[4] != b'-' || (b.len() == 10 && b[7] != b'-') {
        return None;
    }
    let num = |r: std::ops::Range<usize>| {
        b[r].iter().try_fold(0u32, |n, &d| {
            d.is_ascii_digit().then(|| n * 10 + u32::from(d - b'0'))
        })
    };
    let (year, month) = (num(0..4)? as i32, num(5..7)?);
    let day = if b.len() == 10 {
        Some(num(8..10)?)
    } else {
        None
    };
    if !(1..=12).contains(&month) {
        return None;
    }
    if let Some(d) = day {
        NaiveDate::from_ymd_opt(year, month, d)?;
    }
    Some((year, month, day))
}

/// Shared parser behind [`YearMonth::parse`] and [`parse_date`]: validates
/// the month and, if present, the day; the year range is checked by callers.
fn parse_fields(s: &str) -> Result<(i32, u32, Option<u32>), PeriodError> {
    if let Some(fields) = iso_fields(s) {
        return Ok(fields);
    }
    let input = || s.to_string();
    let norm = halfwidth(s);
    let norm = norm.trim();
    if strip_spaces(norm).is_empty() {
        return Err(PeriodError::Empty { input: input() });
    }
    let date_part = strip_time(norm).ok_or_else(|| PeriodError::Format { input: input() })?;
    let compact = strip_spaces(date_part);
    let (year, month, day) =
        split_fields(&compact).ok_or_else(|| PeriodError::Format { input: input() })?;
    // At most 4 digits, so it fits.
    let year = year as i32;
    if !(1..=12).contains(&month) {
        return Err(PeriodError::Month { input: input() });
    }
    if let Some(d) = day
        && NaiveDate::from_ymd_opt(year, month, d).is_none()
    {
        return Err(PeriodError::Day { input: input() });
    }
    Ok((year, month, day))
}

/// Converts an Excel date serial (as read from a spreadsheet cell) to a date.
///
/// In the 1900 system serial 1 is 1900-01-01 and serial 60 is Lotus's
/// phantom 1900-02-29, which never existed and yields `None`; from 61
/// (1900-03-01) on the usual offset applies. In the 1904 system serial 0 is
/// 1904-01-01. The fraction (time of day) is ignored. Non-finite, negative,
/// zero (1900 system) or beyond 9999-12-31 serials yield `None`.
pub fn excel_serial_to_date(serial: f64, is_1904: bool) -> Option<NaiveDate> {
    if !serial.is_finite() {
        return None;
    }
    let days = serial.floor();
    if !(0.0..=3_000_000.0).contains(&days) {
        return None;
    }
    // In range after the check above.
    let days = days as i64;
    let (base, offset) = if is_1904 {
        (NaiveDate::from_ymd_opt(1904, 1, 1)?, days)
    } else {
        match days {
            0 | 60 => return None,
            1..=59 => (NaiveDate::from_ymd_opt(1899, 12, 31)?, days),
            _ => (NaiveDate::from_ymd_opt(1899, 12, 30)?, days),
        }
    };
    let date = base.checked_add_signed(Duration::try_days(offset)?)?;
    (date.year() <= 9999).then_some(date)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ym(y: i32, m: u32) -> YearMonth {
        YearMonth::new(y, m).unwrap()
    }

    #[test]
    fn the_usual_spelling_reads_as_the_general_path_reads_it() {
        for s in [
            "2020-03",
            "2020-03-01",
            "2020-02-29",
            "2019-02-29",
            "2020-13",
            "2020-00-01",
            "0000-01",
            "2020-1-01",
            "2020/03/01",
            "2020-03-1",
            "20a0-03",
            "2020-03-32",
        ] {
            let general = || {
                let compact = strip_spaces(halfwidth(s).trim());
                let (y, m, d) = split_fields(&compact)?;
                let ok = (1..=12).contains(&m)
                    && d.is_none_or(|d| NaiveDate::from_ymd_opt(y as i32, m, d).is_some());
                ok.then_some((y as i32, m, d))
            };
            if let Some(fast) = iso_fields(s) {
                assert_eq!(Some(fast), general(), "{s}");
            }
            assert_eq!(parse_fields(s).ok(), general(), "{s}");
        }
    }

    fn d(y: i32, m: u32, dd: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(y, m, dd).unwrap()
    }

    #[test]
    fn new_bounds() {
        assert!(YearMonth::new(1899, 12).is_none());
        assert!(YearMonth::new(2201, 1).is_none());
        assert!(YearMonth::new(2019, 0).is_none());
        assert!(YearMonth::new(2019, 13).is_none());
        assert_eq!(ym(2019, 3).year(), 2019);
        assert_eq!(ym(2019, 3).month(), 3);
    }

    #[test]
    fn parse_month_forms() {
        for s in [
            "2019-03",
            "2019-3",
            "2019/03",
            "2019.03",
            "2019年3月",
            "2019年03月",
            "201903",
            "2019-03-01",
            "2019/3/31",
            "20190301",
            "2019年3月1日",
            "2019.03.01",
            "２０１９－０３",
            " 2019 年 3 月 ",
            "2019\u{3000}年３月",
            "2019-03-31 23:59:59",
        ] {
            assert_eq!(YearMonth::parse(s), Ok(ym(2019, 3)), "{s}");
        }
        assert_eq!("2019-12".parse::<YearMonth>(), Ok(ym(2019, 12)));
    }

    #[test]
    fn parse_month_errors() {
        assert!(matches!(
            YearMonth::parse("2019-13"),
            Err(PeriodError::Month { .. })
        ));
        assert!(matches!(
            YearMonth::parse("2019-00"),
            Err(PeriodError::Month { .. })
        ));
        assert!(matches!(
            YearMonth::parse("201913"),
            Err(PeriodError::Month { .. })
        ));
        assert!(matches!(
            YearMonth::parse("2019-02-30"),
            Err(PeriodError::Day { .. })
        ));
        assert!(matches!(
            YearMonth::parse("2019-02-00"),
            Err(PeriodError::Day { .. })
        ));
        assert!(matches!(
            YearMonth::parse("1899-12"),
            Err(PeriodError::Year { .. })
        ));
        assert!(matches!(
            YearMonth::parse(""),
            Err(PeriodError::Empty { .. })
        ));
        assert!(matches!(
            YearMonth::parse(" \u{3000}"),
            Err(PeriodError::Empty { .. })
        ));
        for s in [
            "garbage",
            "2019",
            "19-03",
            "2019-03/01",
            "2019--03",
            "2019-003",
            "2019年3",
            "2019年3月1",
            "2019.03.",
            "2019-03-01-02",
            "2019030",
            "2019-03-01 noon",
            "2019-03-01 ab:cd",
            "03/01/2019",
            "2019-03-01X00:00",
        ] {
            assert!(
                matches!(YearMonth::parse(s), Err(PeriodError::Format { .. })),
                "{s}"
            );
        }
        let e = YearMonth::parse("2019-13").unwrap_err();
        assert!(e.to_string().contains("2019-13"));
    }

    #[test]
    fn parse_date_forms() {
        for s in [
            "2019-03-01",
            "2019/3/1",
            "20190301",
            "2019年3月1日",
            "2019.03.01",
            "2019-03-01 00:00:00",
            "2019-03-01T08:30:00",
            "2019-03-01T08:30:00+08:00",
            "2019-03-01 00:00:00.000",
            "２０１９年３月１日",
            "2019年3月1号",
        ] {
            assert_eq!(parse_date(s), Ok(d(2019, 3, 1)), "{s}");
        }
        assert_eq!(parse_date("2020-02-29"), Ok(d(2020, 2, 29)));
        assert_eq!(parse_date("9999-12-31"), Ok(d(9999, 12, 31)));
        assert!(matches!(
            parse_date("2019-02-29"),
            Err(PeriodError::Day { .. })
        ));
        assert!(matches!(
            parse_date("2019-04-31"),
            Err(PeriodError::Day { .. })
        ));
        assert!(matches!(
            parse_date("2019-03"),
            Err(PeriodError::NotADate { .. })
        ));
        assert!(matches!(
            parse_date("2019年3月"),
            Err(PeriodError::NotADate { .. })
        ));
        assert!(matches!(parse_date("x"), Err(PeriodError::Format { .. })));
    }

    #[test]
    fn days_and_arithmetic() {
        assert_eq!(ym(2019, 3).first_day(), d(2019, 3, 1));
        assert_eq!(ym(2019, 2).last_day(), d(2019, 2, 28));
        assert_eq!(ym(2020, 2).last_day(), d(2020, 2, 29));
        assert_eq!(ym(2019, 12).last_day(), d(2019, 12, 31));
        assert_eq!(YearMonth::MAX.last_day(), d(2200, 12, 31));
        assert_eq!(YearMonth::from_date(d(2019, 3, 17)), ym(2019, 3));
        assert_eq!(YearMonth::from_date(d(1800, 3, 17)), YearMonth::MIN);
        assert_eq!(YearMonth::from_date(d(3000, 3, 17)), YearMonth::MAX);
        assert_eq!(YearMonth::try_from_date(d(3000, 3, 17)), None);
        assert_eq!(ym(2019, 12).succ(), ym(2020, 1));
        assert_eq!(ym(2020, 1).pred(), ym(2019, 12));
        assert_eq!(ym(2019, 3).add_months(-15), ym(2017, 12));
        assert_eq!(ym(2019, 3).add_months(24), ym(2021, 3));
        assert_eq!(YearMonth::MAX.succ(), YearMonth::MAX);
        assert_eq!(YearMonth::MIN.pred(), YearMonth::MIN);
        assert_eq!(ym(2019, 3).add_months(i32::MAX), YearMonth::MAX);
        assert_eq!(ym(2019, 3).add_months(i32::MIN), YearMonth::MIN);
        assert_eq!(ym(2019, 3).months_since(ym(2018, 12)), 3);
        assert_eq!(ym(2018, 12).months_since(ym(2019, 3)), -3);
        assert!(ym(2018, 12) < ym(2019, 1));
    }

    #[test]
    fn ranges() {
        let r: Vec<_> = YearMonth::range_inclusive(ym(2018, 11), ym(2019, 2)).collect();
        assert_eq!(
            r,
            vec![ym(2018, 11), ym(2018, 12), ym(2019, 1), ym(2019, 2)]
        );
        assert_eq!(
            YearMonth::range_inclusive(ym(2019, 2), ym(2019, 2)).count(),
            1
        );
        assert_eq!(
            YearMonth::range_inclusive(ym(2019, 3), ym(2019, 2)).count(),
            0
        );
        assert_eq!(
            YearMonth::range_inclusive(ym(2200, 11), YearMonth::MAX).count(),
            2
        );
    }

    #[test]
    fn display_and_serde() {
        assert_eq!(ym(2019, 3).to_string(), "2019-03");
        assert_eq!(serde_json::to_string(&ym(2019, 3)).unwrap(), "\"2019-03\"");
        assert_eq!(
            serde_json::from_str::<YearMonth>("\"2019-03\"").unwrap(),
            ym(2019, 3)
        );
        assert!(serde_json::from_str::<YearMonth>("\"2019-13\"").is_err());
        assert!(serde_json::from_str::<YearMonth>("201903").is_err());
    }

    #[test]
    fn excel_serials() {
        assert_eq!(excel_serial_to_date(1.0, false), Some(d(1900, 1, 1)));
        assert_eq!(excel_serial_to_date(59.0, false), Some(d(1900, 2, 28)));
        assert_eq!(excel_serial_to_date(60.0, false), None);
        assert_eq!(excel_serial_to_date(61.0, false), Some(d(1900, 3, 1)));
        assert_eq!(excel_serial_to_date(43525.0, false), Some(d(2019, 3, 1)));
        assert_eq!(excel_serial_to_date(43525.75, false), Some(d(2019, 3, 1)));
        assert_eq!(
            excel_serial_to_date(2958465.0, false),
            Some(d(9999, 12, 31))
        );
        assert_eq!(excel_serial_to_date(2958466.0, false), None);
        assert_eq!(excel_serial_to_date(0.0, false), None);
        assert_eq!(excel_serial_to_date(-1.0, false), None);
        assert_eq!(excel_serial_to_date(f64::NAN, false), None);
        assert_eq!(excel_serial_to_date(f64::INFINITY, false), None);
        assert_eq!(excel_serial_to_date(1e300, false), None);
        assert_eq!(excel_serial_to_date(0.0, true), Some(d(1904, 1, 1)));
        assert_eq!(excel_serial_to_date(42063.0, true), Some(d(2019, 3, 1)));
        assert_eq!(excel_serial_to_date(-0.5, true), None);
    }
}
