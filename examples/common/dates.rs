//! Months and days of the PDF and bundle generators, and the ways Chinese documents print them
//! (`2025年3月`, `2025年03月05日`, `二〇二五年三月五日`, `2025.03.05`). Plain integers, no chrono:
//! a printed date is exactly what the fixture's truth says.

use serde::{Serialize, Serializer};

#[derive(Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Debug)]
pub struct Ym(pub i32, pub u32);

impl Ym {
    pub fn add(self, n: i32) -> Ym {
        let t = self.0 * 12 + self.1 as i32 - 1 + n;
        Ym(t.div_euclid(12), (t.rem_euclid(12) + 1) as u32)
    }
    pub fn iso(self) -> String {
        format!("{:04}-{:02}", self.0, self.1)
    }
    pub fn compact(self) -> String {
        format!("{:04}{:02}", self.0, self.1)
    }
    pub fn last_day(self) -> u32 {
        match self.1 {
            2 if self.0 % 4 == 0 && (self.0 % 100 != 0 || self.0 % 400 == 0) => 29,
            2 => 28,
            4 | 6 | 9 | 11 => 30,
            _ => 31,
        }
    }
    pub fn day(self, d: u32) -> Ymd {
        Ymd(self.0, self.1, d)
    }
}

/// Serialised as `2020-03`, the form of the truth files.
impl Serialize for Ym {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(&self.iso())
    }
}

#[derive(Clone, Copy, Debug)]
pub struct Ymd(pub i32, pub u32, pub u32);

impl Ymd {
    pub fn iso(self) -> String {
        format!("{:04}-{:02}-{:02}", self.0, self.1, self.2)
    }
}

/// Serialised as `2020-03-05`, the form of the truth files.
impl Serialize for Ymd {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(&self.iso())
    }
}

pub fn ym_cn(m: Ym) -> String {
    format!("{}年{}月", m.0, m.1)
}

pub fn ymd_cn(d: Ymd) -> String {
    format!("{}年{}月{}日", d.0, d.1, d.2)
}

/// `2020年01月05日`
pub fn ymd_cn0(d: Ymd) -> String {
    format!("{}年{:02}月{:02}日", d.0, d.1, d.2)
}

/// `2020.01.05`
pub fn ymd_dot(d: Ymd) -> String {
    format!("{:04}.{:02}.{:02}", d.0, d.1, d.2)
}

/// 二〇二〇年一月一日
pub fn ymd_hanzi(d: Ymd) -> String {
    const D: [&str; 10] = ["〇", "一", "二", "三", "四", "五", "六", "七", "八", "九"];
    let small = |n: u32| -> String {
        match n {
            1..=9 => D[n as usize].to_string(),
            10 => "十".into(),
            11..=19 => format!("十{}", D[(n - 10) as usize]),
            _ if n.is_multiple_of(10) => format!("{}十", D[(n / 10) as usize]),
            _ => format!("{}十{}", D[(n / 10) as usize], D[(n % 10) as usize]),
        }
    };
    let y: String =
        d.0.to_string()
            .chars()
            .map(|c| D[c.to_digit(10).unwrap() as usize])
            .collect();
    format!("{y}年{}月{}日", small(d.1), small(d.2))
}

/// `2020-01-05` → `2020.01.05` (and `2020-01` → `2020.01`).
pub fn iso_to_dot(s: &str) -> String {
    s.replace('-', ".")
}
