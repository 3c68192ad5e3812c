//! Property tests of the domain values (issue 13 §5): money, months, ID numbers, credit codes,
//! unit names. The expected values are computed here, independently of the code under test
//! (the 大写 writer, the check characters, the Excel serials), so a property cannot pass by
//! agreeing with the bug it should find. Case counts are set per block to keep the whole file
//! to a few seconds.

use chrono::{Datelike, Duration, NaiveDate};
use proptest::prelude::*;

use jzz::extract::tax_export::period::{one_month_range, period_of, period_text};
use jzz::extract::text_util::capital_rmb;
use jzz::model::{CreditCode, Fen, IdNumber, UnitNameMatch, YearMonth, compare_unit_names};
use jzz::read::Cell;

// ---------------------------------------------------------------- money

/// Full-width form of an ASCII amount: digits, `,` and `.` as typed on a Chinese keyboard.
fn fullwidth(s: &str) -> String {
    s.chars()
        .map(|c| match c {
            '0'..='9' => char::from_u32(c as u32 - '0' as u32 + 0xFF10).unwrap(),
            ',' => '，',
            '.' => '．',
            '-' => '－',
            c => c,
        })
        .collect()
}

const CN_DIGITS: [char; 10] = ['零', '壹', '贰', '叁', '肆', '伍', '陆', '柒', '捌', '玖'];

/// One group of four digits (0 < n < 10000) in capitals, zeros written as the
/// rules of 大写 do: one 零 for a run of zeros inside, none at the end.
fn capital_group(n: u64) -> String {
    let digits = [n / 1000, n / 100 % 10, n / 10 % 10, n % 10];
    let units = ["仟", "佰", "拾", ""];
    let mut out = String::new();
    let mut zero = false;
    let mut started = false;
    for (d, u) in digits.iter().zip(units) {
        if *d == 0 {
            zero = started;
            continue;
        }
        if zero {
            out.push('零');
            zero = false;
        }
        out.push(CN_DIGITS[*d as usize]);
        out.push_str(u);
        started = true;
    }
    out
}

/// A whole number of yuan in capitals (`壹亿零贰万零叁拾`), below 10¹².
fn capital_integer(n: u64) -> String {
    if n == 0 {
        return "零".into();
    }
    let groups = [
        (n / 100_000_000, "亿"),
        (n / 10_000 % 10_000, "万"),
        (n % 10_000, ""),
    ];
    let mut out = String::new();
    let mut pending_zero = false;
    for (g, unit) in groups {
        if g == 0 {
            pending_zero = !out.is_empty();
            continue;
        }
        // A group below 1000 after a higher one starts with 零 (壹万零伍佰).
        if pending_zero || (!out.is_empty() && g < 1000) {
            out.push('零');
        }
        pending_zero = false;
        out.push_str(&capital_group(g));
        out.push_str(unit);
    }
    out
}

/// An amount in capitals as a 发票 or a contract writes it.
fn capital_amount(fen: u64) -> String {
    let (yuan, jiao, f) = (fen / 100, fen / 10 % 10, fen % 10);
    let mut out = String::new();
    if yuan > 0 || (jiao == 0 && f == 0) {
        out.push_str(&capital_integer(yuan));
        out.push('元');
    }
    if jiao == 0 && f == 0 {
        out.push('整');
        return out;
    }
    if jiao > 0 {
        out.push(CN_DIGITS[jiao as usize]);
        out.push('角');
    } else if yuan > 0 {
        out.push('零');
    }
    if f > 0 {
        out.push(CN_DIGITS[f as usize]);
        out.push('分');
    }
    out
}

#[test]
fn the_capital_writer_of_this_file_is_right() {
    // The generator is code too: a few amounts written as a bank would.
    assert_eq!(capital_amount(123_456), "壹仟贰佰叁拾肆元伍角陆分");
    assert_eq!(capital_amount(5_000_000), "伍万元整");
    assert_eq!(capital_amount(1_000_203_000), "壹仟万贰仟零叁拾元整");
    assert_eq!(capital_amount(10_000_000_005), "壹亿元零伍分");
    assert_eq!(capital_amount(56), "伍角陆分");
    assert_eq!(capital_amount(1_000_500), "壹万零伍元整");
    assert_eq!(capital_amount(0), "零元整");
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(4000))]

    /// Every 分 value: formatted with thousands separators, plain, full-width, with ¥ and 元,
    /// it parses back to itself.
    #[test]
    fn money_round_trips(fen in -100_000_000_000_000i64..100_000_000_000_000i64) {
        let f = Fen(fen);
        prop_assert_eq!(Fen::parse(&f.to_string()), Ok(f));
        prop_assert_eq!(Fen::parse(&f.yuan_plain()), Ok(f));
        prop_assert_eq!(Fen::parse(&fullwidth(&f.to_string())), Ok(f));
        prop_assert_eq!(Fen::parse(&format!("¥{}元", f)), Ok(f));
        prop_assert_eq!(Fen::parse(&format!(" ￥ {} ", f.yuan_plain())), Ok(f));
    }

    /// An amount in capitals reads back to the 分 it was written from.
    #[test]
    fn capital_amounts_parse(fen in 0u64..100_000_000_000_000u64, prefix in prop::bool::ANY) {
        let text = capital_amount(fen);
        let text = if prefix { format!("人民币 {text}") } else { text };
        prop_assert_eq!(capital_rmb(&text), Some(Fen(fen as i64)), "{}", text);
    }

    /// Thousands separators in the wrong places are refused, not misread.
    #[test]
    fn misgrouped_separators_are_refused(
        yuan in 10_000u64..100_000_000u64,
        cut in prop::sample::select(vec![1usize, 2, 4]),
    ) {
        let digits = yuan.to_string();
        // A comma `cut` digits from the end, where only a group of three belongs.
        let (a, b) = digits.split_at(digits.len() - cut);
        let text = format!("{a},{b}");
        prop_assert!(Fen::parse(&text).is_err(), "{}", text);
    }
}

// ---------------------------------------------------------------- months

/// Excel's 1900-system serial of a date from 1900-03-01 on, computed here.
fn excel_serial(d: NaiveDate) -> f64 {
    (d - NaiveDate::from_ymd_opt(1899, 12, 30).unwrap()).num_days() as f64
}

fn month_strategy() -> impl Strategy<Value = (YearMonth, u32)> {
    (1901i32..=2199, 1u32..=12, 1u32..=31).prop_map(|(y, m, d)| {
        let ym = YearMonth::new(y, m).unwrap();
        (ym, d.min(ym.last_day().day()))
    })
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(2000))]

    /// Every written form of a month, and every date inside it, is that month.
    #[test]
    fn every_form_of_a_month(((ym, day), sep) in (month_strategy(), prop::sample::select(vec!["至", "—", "~", "到", "－"]))) {
        let (y, m) = (ym.year(), ym.month());
        let date = NaiveDate::from_ymd_opt(y, m, day).unwrap();
        let (first, last) = (ym.first_day(), ym.last_day());
        let forms = [
            format!("{y}-{m:02}"),
            format!("{y}-{m}"),
            format!("{y}{m:02}"),
            format!("{y}/{m:02}"),
            format!("{y}.{m:02}"),
            format!("{y}年{m}月"),
            format!("{y}年{m:02}月"),
            format!("{y}-{m:02}-{day:02}"),
            format!("{y}/{m}/{day}"),
            format!("{y}{m:02}{day:02}"),
            format!("{y}年{m}月{day}日"),
            format!("{y}-{m:02}-{day:02} 00:00:00"),
            fullwidth(&format!("{y}-{m:02}")),
            format!("{first} {sep} {last}"),
            format!("{first}{sep}{last}"),
            format!("{}{sep}{}", first.format("%Y年%-m月%-d日"), last.format("%Y年%-m月%-d日")),
            format!("{first}-{last}"),
            format!("{y}-{m:02} 至 {y}-{m:02}"),
            format!("{y}年{m}月~{y}年{m}月"),
        ];
        for f in &forms {
            prop_assert_eq!(period_text(f), Ok(ym), "{}", f);
            prop_assert_eq!(period_of(&Cell::Text(f.clone())), Ok(Some(ym)), "{}", f);
        }
        prop_assert_eq!(YearMonth::parse(&ym.to_string()), Ok(ym));
        prop_assert_eq!(period_of(&Cell::Date(date)), Ok(Some(ym)));
        prop_assert_eq!(period_of(&Cell::Number(excel_serial(date))), Ok(Some(ym)));
        // A serial with a time of day is still that day.
        prop_assert_eq!(period_of(&Cell::Number(excel_serial(date) + 0.75)), Ok(Some(ym)));
        if y <= 2100 {
            // A number cell of six digits is YYYYMM (up to 2100-12; above, it is a serial).
            prop_assert_eq!(period_of(&Cell::Number(f64::from(y as u32 * 100 + m))), Ok(Some(ym)));
        }
    }

    /// A range that is not exactly one calendar month is an error, never a month.
    #[test]
    fn a_range_of_anything_but_one_month_is_refused(
        (ym, _) in month_strategy(),
        start_shift in 0i64..40,
        end_shift in -40i64..40,
        sep in prop::sample::select(vec!["至", "—", "~", "-"]),
    ) {
        prop_assume!(start_shift != 0 || end_shift != 0);
        let a = ym.first_day() + Duration::days(start_shift);
        let b = ym.last_day() + Duration::days(end_shift);
        let text = format!("{a} {sep} {b}");
        match one_month_range(&text) {
            Some(Ok(m)) => {
                // Only a range that happens to be another whole month may pass, as that month.
                prop_assert!(a == m.first_day() && b == m.last_day(), "{} → {}", text, m);
            }
            Some(Err(_)) => {}
            None => prop_assert!(false, "{} not seen as a range", text),
        }
    }
}

// ---------------------------------------------------------------- ID numbers, credit codes

/// GB 11643 MOD 11-2, written out here.
fn id_check(first17: &[u8]) -> u8 {
    let weights = [7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2];
    let sum: u32 = first17
        .iter()
        .zip(weights)
        .map(|(d, w)| u32::from(d - b'0') * w)
        .sum();
    b"10X98765432"[(sum % 11) as usize]
}

fn id_strategy() -> impl Strategy<Value = String> {
    (100_000u32..=659_999, 0i64..45_000, 0u32..1000).prop_map(|(region, days, seq)| {
        let birth = NaiveDate::from_ymd_opt(1901, 1, 1).unwrap() + Duration::days(days);
        let first17 = format!("{region:06}{}{seq:03}", birth.format("%Y%m%d"));
        let check = id_check(first17.as_bytes()) as char;
        format!("{first17}{check}")
    })
}

const CREDIT_CHARSET: &[u8] = b"0123456789ABCDEFGHJKLMNPQRTUWXY";

/// GB 32100 check character, written out here.
fn credit_check(first17: &[u8]) -> u8 {
    let weights = [
        1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28,
    ];
    let sum: u32 = first17
        .iter()
        .zip(weights)
        .map(|(c, w)| CREDIT_CHARSET.iter().position(|x| x == c).unwrap() as u32 * w)
        .sum();
    CREDIT_CHARSET[((31 - sum % 31) % 31) as usize]
}

fn credit_strategy() -> impl Strategy<Value = String> {
    prop::collection::vec(0usize..31, 17).prop_map(|ix| {
        let first17: Vec<u8> = ix.iter().map(|&i| CREDIT_CHARSET[i]).collect();
        let mut s = String::from_utf8(first17.clone()).unwrap();
        s.push(credit_check(&first17) as char);
        s
    })
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(1000))]

    /// A valid number is accepted; every change of one character is caught.
    #[test]
    fn id_number_single_changes_are_detected(id in id_strategy()) {
        prop_assert!(IdNumber::parse(&id).is_ok(), "{}", id);
        prop_assert!(IdNumber::parse(&id.to_lowercase()).is_ok(), "{}", id);
        let bytes = id.as_bytes();
        for i in 0..18 {
            let alphabet: &[u8] = if i == 17 { b"0123456789X" } else { b"0123456789" };
            for &c in alphabet.iter().chain(b"X".iter().filter(|_| i < 17)) {
                if c == bytes[i] {
                    continue;
                }
                let mut changed = bytes.to_vec();
                changed[i] = c;
                let changed = String::from_utf8(changed).unwrap();
                prop_assert!(IdNumber::parse(&changed).is_err(), "{} → {}", id, changed);
            }
        }
    }

    /// A valid code is accepted; every change of one character to another of the alphabet
    /// (or outside it) is caught.
    #[test]
    fn credit_code_single_changes_are_detected(code in credit_strategy()) {
        prop_assert!(CreditCode::parse(&code).is_ok(), "{}", code);
        let bytes = code.as_bytes();
        for i in 0..18 {
            for &c in CREDIT_CHARSET.iter().chain(b"IOSVZ") {
                if c == bytes[i] {
                    continue;
                }
                let mut changed = bytes.to_vec();
                changed[i] = c;
                let changed = String::from_utf8(changed).unwrap();
                prop_assert!(CreditCode::parse(&changed).is_err(), "{} → {}", code, changed);
            }
        }
    }
}

// ---------------------------------------------------------------- unit names

/// Names built from what real names are made of, and of the variations between documents:
/// full- and half-width brackets, letters, digits, spaces, trailing punctuation.
fn unit_name() -> impl Strategy<Value = String> {
    let pieces = prop::sample::select(vec![
        "北京",
        "通州",
        "某某",
        "科技",
        "有限公司",
        "有限责任公司",
        "分公司",
        "（",
        "）",
        "(",
        ")",
        "Ａ",
        "A",
        "１",
        "1",
        " ",
        "\u{3000}",
        "。",
        "，",
        ".",
        "、",
        "-",
        "－",
    ]);
    prop::collection::vec(pieces, 0..8).prop_map(|v| v.concat())
}

fn same_outcome(a: &UnitNameMatch, b: &UnitNameMatch) -> bool {
    std::mem::discriminant(a) == std::mem::discriminant(b)
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(3000))]

    /// Comparing a with b is comparing b with a; a name is itself (unless it is empty).
    #[test]
    fn unit_name_comparison_is_symmetric_and_reflexive(a in unit_name(), b in unit_name()) {
        let (ab, ba) = (compare_unit_names(&a, &b), compare_unit_names(&b, &a));
        prop_assert!(same_outcome(&ab, &ba), "{:?} vs {:?}: {:?} / {:?}", a, b, ab, ba);
        prop_assert_eq!(ab.is_same(), ba.is_same());
        if let (UnitNameMatch::Equivalent { notes: x }, UnitNameMatch::Equivalent { notes: y }) = (&ab, &ba) {
            prop_assert_eq!(x, y, "{:?} vs {:?}", a, b);
        }
        let aa = compare_unit_names(&a, &a);
        if jzz::model::normalize_unit_name(&a).is_empty() {
            prop_assert!(!aa.is_same());
        } else {
            prop_assert_eq!(aa, UnitNameMatch::Identical, "{:?}", a);
        }
    }
}
