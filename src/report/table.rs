//! Plain-text tables that stay aligned with Chinese text: widths are display columns
//! (a Han character is two), not chars or bytes.

use unicode_width::UnicodeWidthStr;

/// Renders rows under a header; the last column is not padded.
pub fn render(header: &[&str], rows: &[Vec<String>]) -> String {
    let cols = header.len();
    let mut widths: Vec<usize> = header.iter().map(|h| h.width()).collect();
    for r in rows {
        for (i, c) in r.iter().enumerate().take(cols) {
            widths[i] = widths[i].max(c.width());
        }
    }
    let mut out = String::new();
    let line = |out: &mut String, cells: &mut dyn Iterator<Item = &str>| {
        let mut s = String::new();
        for (i, c) in cells.enumerate().take(cols) {
            s.push_str(c);
            if i + 1 < cols {
                s.push_str(&" ".repeat(widths[i] - c.width() + 2));
            }
        }
        out.push_str(s.trim_end());
        out.push('\n');
    };
    line(&mut out, &mut header.iter().copied());
    for r in rows {
        line(&mut out, &mut r.iter().map(String::as_str));
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn aligned_by_display_width() {
        let t = render(
            &["姓名", "结论", "问题"],
            &[
                vec!["欧阳明月".into(), "通过".into(), String::new()],
                vec!["Li".into(), "不通过".into(), "缺 2020-03".into()],
            ],
        );
        let lines: Vec<&str> = t.lines().collect();
        // The third column starts at the same display column on every line.
        let col = |l: &str, needle: &str| l[..l.find(needle).unwrap()].width();
        assert_eq!(col(lines[0], "问题"), col(lines[2], "缺"));
        assert_eq!(col(lines[0], "结论"), col(lines[1], "通过"));
        assert_eq!(col(lines[1], "通过"), col(lines[2], "不通过"));
    }
}
