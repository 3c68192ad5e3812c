//! A row's evidence text, kept compact until it is cited.
//!
//! Every row of an export carries its understood cells with their headers (`姓名：张三 |
//! 证件号码：… | 本期收入：12000`), and precheck keeps every row's until the report is written:
//! 100,000 rows × 330 bytes. The headers are the same on every row of a sheet, so a row keeps
//! its values and shares the sheet's headers; the text is written out where it is cited (as
//! [`std::fmt::Display`], or serialized as the string).

use std::borrow::Cow;
use std::fmt;
use std::sync::Arc;

use serde::{Deserialize, Deserializer, Serialize, Serializer};

/// Between the values of a row (a value holding it makes the row's text plain).
const SEP: u8 = 0x1f;

/// The understood cells of a row as read, with their headers: the evidence a reviewer reads.
#[derive(Clone)]
pub struct RowText {
    /// The headers of the values, in column order; `None`: `text` is the whole evidence.
    headers: Option<Arc<[Box<str>]>>,
    /// One value per header (trimmed, possibly empty) joined by [`SEP`]; or the whole text.
    text: Arc<str>,
}

impl RowText {
    /// A text kept as it is (a printed export's line, a cached row).
    pub fn plain(text: &str) -> RowText {
        RowText {
            headers: None,
            text: Arc::from(text),
        }
    }

    /// The text of `values` (each trimmed) under `headers`: `header：value` for each value that
    /// is not empty, joined by ` | `. `buf` is scratch space, reused from row to row.
    pub fn of_values<'v>(
        headers: &Arc<[Box<str>]>,
        values: impl Iterator<Item = Cow<'v, str>> + Clone,
        buf: &mut String,
    ) -> RowText {
        buf.clear();
        for (i, v) in values.clone().enumerate() {
            if v.as_bytes().contains(&SEP) {
                let values: Vec<Cow<'_, str>> = values.collect();
                let pairs = headers.iter().map(|h| &**h);
                let whole = Display(pairs.zip(values.iter().map(|v| &**v)));
                return RowText::plain(&whole.to_string());
            }
            if i > 0 {
                buf.push(SEP as char);
            }
            buf.push_str(&v);
        }
        RowText {
            headers: Some(headers.clone()),
            text: Arc::from(buf.as_str()),
        }
    }

    /// Calls `f` with each piece of the text in turn.
    fn pieces(&self, mut f: impl FnMut(&str)) {
        let Some(headers) = &self.headers else {
            return f(&self.text);
        };
        let text = &*self.text;
        let ends = memchr::memchr_iter(SEP, text.as_bytes()).chain(std::iter::once(text.len()));
        let (mut start, mut first) = (0, true);
        for (h, end) in headers.iter().zip(ends) {
            // SEP is ASCII: `start` and `end` are character boundaries.
            let v = &text[start..end];
            start = end + 1;
            if v.is_empty() {
                continue;
            }
            if !first {
                f(" | ");
            }
            first = false;
            f(h);
            f("：");
            f(v);
        }
    }

    /// The text written out (as `to_string`, in one allocation).
    pub fn render(&self) -> String {
        let mut s = String::new();
        self.push_to(&mut s);
        s
    }

    /// Appends the text written out to `out` (cheaper than formatting it with `{}`).
    pub fn push_to(&self, out: &mut String) {
        out.reserve(match &self.headers {
            None => self.text.len(),
            Some(h) => self.text.len() + h.iter().map(|h| h.len() + 6).sum::<usize>(),
        });
        self.pieces(|p| out.push_str(p));
    }
}

/// `header：value | …` of the pairs whose value is not empty.
struct Display<I>(I);

impl<'a, I: Iterator<Item = (&'a str, &'a str)> + Clone> fmt::Display for Display<I> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let mut first = true;
        for (h, v) in self.0.clone() {
            if v.is_empty() {
                continue;
            }
            if !first {
                f.write_str(" | ")?;
            }
            first = false;
            f.write_str(h)?;
            f.write_str("：")?;
            f.write_str(v)?;
        }
        Ok(())
    }
}

impl fmt::Display for RowText {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let mut r = Ok(());
        self.pieces(|p| {
            if r.is_ok() {
                r = f.write_str(p);
            }
        });
        r
    }
}

impl fmt::Debug for RowText {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Debug::fmt(&self.to_string(), f)
    }
}

impl PartialEq for RowText {
    fn eq(&self, other: &RowText) -> bool {
        self.to_string() == other.to_string()
    }
}

impl From<&str> for RowText {
    fn from(text: &str) -> RowText {
        RowText::plain(text)
    }
}

impl Serialize for RowText {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.collect_str(self)
    }
}

impl<'de> Deserialize<'de> for RowText {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<RowText, D::Error> {
        String::deserialize(d).map(|s| RowText::plain(&s))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn headers(h: &[&str]) -> Arc<[Box<str>]> {
        h.iter().map(|h| Box::from(*h)).collect()
    }

    fn of(h: &Arc<[Box<str>]>, values: &[&'static str]) -> RowText {
        RowText::of_values(
            h,
            values.iter().map(|v| Cow::Borrowed(*v)),
            &mut String::new(),
        )
    }

    #[test]
    fn values_are_written_with_their_headers_skipping_empty_ones() {
        let h = headers(&["姓名", "证件类型", "本期收入"]);
        let t = of(&h, &["张三", "", "12000"]);
        assert_eq!(t.to_string(), "姓名：张三 | 本期收入：12000");
        assert_eq!(t.render(), t.to_string());
        let t = of(&h, &["", "", "1"]);
        assert_eq!(t.to_string(), "本期收入：1");
        assert_eq!(of(&h, &["", "", ""]).to_string(), "");
        assert_eq!(
            serde_json::to_string(&of(&h, &["a", "b", "c"])).unwrap(),
            "\"姓名：a | 证件类型：b | 本期收入：c\""
        );
    }

    #[test]
    fn a_value_holding_the_separator_is_kept_whole() {
        let h = headers(&["姓名", "备注"]);
        let t = of(&h, &["张三", "a\u{1f}b"]);
        assert!(t.headers.is_none());
        assert_eq!(t.to_string(), "姓名：张三 | 备注：a\u{1f}b");
        assert_eq!(t, RowText::plain("姓名：张三 | 备注：a\u{1f}b"));
    }
}
