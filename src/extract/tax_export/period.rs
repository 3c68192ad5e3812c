//! 税款所属期 in every written form: `2019-08`, `201908`, `2019年8月`, a date, an Excel
//! serial, or a range of one calendar month (`2019-08-01 至 2019-08-31`, `A—B`, `A~B`, and
//! `A-B` of two full dates). A range that is not exactly one calendar month is an error that
//! names it: the row cannot be placed in a month.

use crate::model::text::halfwidth;
use crate::model::{YearMonth, excel_serial_to_date, parse_date};
use crate::read::Cell;

/// Separators of a range; `-` only between two full dates (it is also inside them).
const RANGE_SEPARATORS: &[char] = &['至', '到', '~', '—', '–', '－', '〜', '-'];

/// One side of a range: a full date, or a month.
#[derive(Clone, Copy, PartialEq, Eq)]
enum End {
    Date(chrono::NaiveDate),
    Month(YearMonth),
}

fn end_of(s: &str) -> Option<End> {
    let s = s.trim();
    if s.is_empty() {
        return None;
    }
    if let Ok(d) = parse_date(s) {
        return Some(End::Date(d));
    }
    YearMonth::parse(s).ok().map(End::Month)
}

/// A range `A sep B` of one calendar month: `Some(Ok(month))`; `Some(Err(why))` when it is a
/// range of anything else; `None` when the text is not a range.
pub fn one_month_range(text: &str) -> Option<Result<YearMonth, String>> {
    let t = halfwidth(text.trim());
    let t: String = t.chars().filter(|c| !c.is_whitespace()).collect();
    for (i, sep) in t.char_indices() {
        if !RANGE_SEPARATORS.contains(&sep) || i == 0 {
            continue;
        }
        let (a, b) = (&t[..i], &t[i + sep.len_utf8()..]);
        let (Some(x), Some(y)) = (end_of(a), end_of(b)) else {
            continue;
        };
        let month = match (x, y) {
            (End::Date(a), End::Date(b)) => {
                let m = YearMonth::from_date(a);
                (a == m.first_day() && b == m.last_day()).then_some(m)
            }
            // `-` between two months is ambiguous with the months' own dashes.
            (End::Month(a), End::Month(b)) if sep != '-' => (a == b).then_some(a),
            (End::Month(_), End::Month(_)) => continue,
            _ => None,
        };
        return Some(month.ok_or_else(|| {
            format!(
                "税款所属期「{}」不是单独一个自然月（应为当月 1 日至月末）",
                text.trim()
            )
        }));
    }
    None
}

/// 税款所属期 from text: one month (a date names its month) or a range of one month.
pub fn period_text(text: &str) -> Result<YearMonth, String> {
    let t = text.trim();
    if let Ok(m) = YearMonth::parse(t) {
        return Ok(m);
    }
    match one_month_range(t) {
        Some(r) => r,
        None => Err(format!("税款所属期「{t}」无法识别")),
    }
}

/// 税款所属期 from one cell: a date, `2020-03`, `2020年3月`, `202003`, `20200301`, an Excel
/// serial, or a range of one month.
pub fn period_of(cell: &Cell) -> Result<Option<YearMonth>, String> {
    match cell {
        Cell::Empty => Ok(None),
        Cell::Date(d) => Ok(Some(YearMonth::from_date(*d))),
        Cell::Number(n) if n.fract() == 0.0 && (190_001.0..=210_012.0).contains(n) => {
            YearMonth::parse(&format!("{}", *n as i64))
                .map(Some)
                .map_err(|e| e.to_string())
        }
        Cell::Number(n) if n.fract() == 0.0 && (19_000_101.0..=21_001_231.0).contains(n) => {
            YearMonth::parse(&format!("{}", *n as i64))
                .map(Some)
                .map_err(|e| e.to_string())
        }
        Cell::Number(n) => excel_serial_to_date(*n, false)
            .map(|d| Some(YearMonth::from_date(d)))
            .ok_or_else(|| format!("税款所属期 \"{n}\" 不是日期")),
        Cell::Text(t) if t.trim().is_empty() => Ok(None),
        Cell::Text(t) => period_text(t).map(Some),
        other => Err(format!("税款所属期 \"{}\" 不是日期", other.display())),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ym(y: i32, m: u32) -> YearMonth {
        YearMonth::new(y, m).unwrap()
    }

    #[test]
    fn every_written_form() {
        for t in [
            "2019-08",
            "201908",
            "2019年8月",
            "2019年08月",
            "2019-08-15",
            "2019/8/1",
            "20190801",
            "2019-08-01 至 2019-08-31",
            "2019-08-01至2019-08-31",
            "2019-08-01—2019-08-31",
            "2019-08-01~2019-08-31",
            "2019-08-01～2019-08-31",
            "2019-08-01-2019-08-31",
            "2019年08月01日至2019年08月31日",
            "2019年8月1日-2019年8月31日",
            "20190801-20190831",
            "2019-08 至 2019-08",
        ] {
            assert_eq!(period_text(t), Ok(ym(2019, 8)), "{t}");
        }
        assert_eq!(period_of(&Cell::Number(201908.0)), Ok(Some(ym(2019, 8))));
        assert_eq!(period_of(&Cell::Number(43678.0)), Ok(Some(ym(2019, 8))));
    }

    #[test]
    fn a_range_of_more_or_less_than_a_month_is_named() {
        for t in [
            "2019-08-01 至 2019-09-30",
            "2019-08-01 至 2019-08-15",
            "2019-08-02~2019-08-31",
            "2019-08 至 2019-12",
            "2019年01月-2019年12月",
        ] {
            let e = period_text(t).unwrap_err();
            assert!(e.contains(t.trim()), "{t}: {e}");
        }
        assert!(period_text("八月").is_err());
    }
}
