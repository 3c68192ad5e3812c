//! Amounts as the documents print them. Amounts are integer fen (分) everywhere in the
//! generators; these turn them into `1234.56`, `1,234.56` and capitals (壹仟贰佰叁拾肆元伍角陆分).

pub fn yuan(fen: i64) -> String {
    let sign = if fen < 0 { "-" } else { "" };
    format!("{sign}{}.{:02}", fen.abs() / 100, fen.abs() % 100)
}

pub fn yuan_thousands(fen: i64) -> String {
    let s = (fen.abs() / 100).to_string();
    let mut out = String::new();
    for (i, c) in s.chars().enumerate() {
        if i > 0 && (s.len() - i).is_multiple_of(3) {
            out.push(',');
        }
        out.push(c);
    }
    let sign = if fen < 0 { "-" } else { "" };
    format!("{sign}{out}.{:02}", fen.abs() % 100)
}

const CAP_DIGITS: [&str; 10] = ["零", "壹", "贰", "叁", "肆", "伍", "陆", "柒", "捌", "玖"];

pub fn cap_int(mut n: i64) -> String {
    const UNITS: [&str; 4] = ["", "拾", "佰", "仟"];
    const SECTIONS: [&str; 3] = ["", "万", "亿"];
    let mut secs = vec![];
    while n > 0 {
        secs.push(n % 10000);
        n /= 10000;
    }
    let mut s = String::new();
    let mut gap = false;
    for (i, &sec) in secs.iter().enumerate().rev() {
        if sec == 0 {
            gap = !s.is_empty();
            continue;
        }
        if !s.is_empty() && (gap || sec < 1000) {
            s.push('零');
        }
        gap = false;
        let mut started = false;
        let mut zero = false;
        for p in (0..4).rev() {
            let d = (sec / 10i64.pow(p)) % 10;
            if d == 0 {
                zero |= started;
            } else {
                if zero {
                    s.push('零');
                    zero = false;
                }
                s += CAP_DIGITS[d as usize];
                s += UNITS[p as usize];
                started = true;
            }
        }
        s += SECTIONS[i];
    }
    s
}

/// Amount in capital RMB, e.g. 123456 → 壹仟贰佰叁拾肆元伍角陆分, 100000 → 壹仟元整.
pub fn capitals(fen: i64) -> String {
    let neg = fen < 0;
    let fen = fen.abs();
    let (y, j, f) = (fen / 100, (fen / 10) % 10, fen % 10);
    let mut s = String::new();
    if y > 0 {
        s += &cap_int(y);
        s += "元";
    }
    if j == 0 && f == 0 {
        if y == 0 {
            s += "零元";
        }
        s += "整";
    } else {
        if j > 0 {
            s += CAP_DIGITS[j as usize];
            s += "角";
        } else if y > 0 {
            s += "零";
        }
        if f > 0 {
            s += CAP_DIGITS[f as usize];
            s += "分";
        }
    }
    if neg { format!("负{s}") } else { s }
}
