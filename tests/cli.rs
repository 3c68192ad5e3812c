//! The command line as a person meets it (issue 13 §4): `--help` gives each command a one-line
//! summary and the details and examples below it; an error names the path once and says, in
//! Chinese, what is wrong — and what a file is when it is not what its name claims.

use std::path::Path;
use std::process::Command;

use unicode_width::UnicodeWidthStr;

fn jzz(args: &[&str]) -> (i32, String, String) {
    let out = Command::new(env!("CARGO_BIN_EXE_jzz"))
        .args(args)
        .output()
        .expect("run jzz");
    (
        out.status.code().unwrap_or(-1),
        String::from_utf8_lossy(&out.stdout).into_owned(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

/// The one error line of a failed run in text mode.
fn error_line(args: &[&str]) -> (i32, String) {
    let mut all = vec!["--log-format", "text"];
    all.extend_from_slice(args);
    let (code, _, stderr) = jzz(&all);
    let errors: Vec<&str> = stderr.lines().filter(|l| l.contains(" ERROR ")).collect();
    assert_eq!(errors.len(), 1, "{args:?}: {stderr}");
    (code, errors[0].to_string())
}

const COMMANDS: [&str; 4] = ["precheck", "verify", "nightly", "inspect"];

#[test]
fn help_lists_each_command_on_one_short_line() {
    let (code, stdout, _) = jzz(&["--help"]);
    assert_eq!(code, 0);
    for c in COMMANDS {
        let lines: Vec<&str> = stdout
            .lines()
            .filter(|l| l.trim_start().starts_with(&format!("{c} ")))
            .collect();
        assert_eq!(lines.len(), 1, "{c}: {stdout}");
        let width = UnicodeWidthStr::width(lines[0]);
        assert!(width <= 80, "{c}: {width} columns: {}", lines[0]);
        // A summary, not the details: it says something in a few words.
        let summary = lines[0].trim_start()[c.len()..].trim();
        assert!(summary.chars().count() >= 8, "{c}: {summary}");
    }
}

#[test]
fn each_command_help_has_details_and_examples() {
    for c in COMMANDS {
        let (code, stdout, _) = jzz(&[c, "--help"]);
        assert_eq!(code, 0, "{c}");
        // The summary first, the details (at least the exit statuses) below it.
        let first = stdout.lines().next().unwrap_or_default();
        assert!(UnicodeWidthStr::width(first) <= 80, "{c}: {first}");
        assert!(stdout.contains("退出状态"), "{c}: {stdout}");
        assert!(stdout.contains("示例"), "{c}: {stdout}");
        assert!(stdout.contains(&format!("\n  jzz {c} ")), "{c}: {stdout}");
        // The details are laid out for a terminal: no line of them is wider than 80 columns.
        let details = stdout.split("Usage:").next().unwrap();
        for l in details.lines() {
            assert!(UnicodeWidthStr::width(l) <= 80, "{c}: {l}");
        }
    }
    let (_, verify, _) = jzz(&["verify", "--help"]);
    assert!(verify.contains("jzz verify 张三.zip --out "), "{verify}");
}

/// Every line of every command's help — summary, details, options, examples — fits an
/// 80-column terminal, the subcommands of serve's `admin` included.
#[test]
fn every_help_line_fits_80_columns() {
    let commands: [&[&str]; 10] = [
        &[],
        &["precheck"],
        &["verify"],
        &["nightly"],
        &["inspect"],
        &["serve"],
        &["admin"],
        &["admin", "user", "add"],
        &["admin", "token", "add"],
        &["admin", "rerun"],
    ];
    for c in commands {
        let mut args = c.to_vec();
        args.push("--help");
        let (code, stdout, _) = jzz(&args);
        assert_eq!(code, 0, "{c:?}");
        for l in stdout.lines() {
            assert!(UnicodeWidthStr::width(l) <= 80, "{c:?}: {l}");
        }
    }
}

/// Counts the occurrences of `path` in the message part of a text log line (before the
/// `file=` field, which repeats it for machines).
fn times_named(line: &str, path: &str) -> usize {
    let message = line.split(" file=").next().unwrap();
    message.matches(path).count()
}

fn fixture_dir() -> tempfile::TempDir {
    let tmp = tempfile::tempdir().unwrap();
    let d = tmp.path();
    std::fs::write(d.join("text.xlsx"), "姓名,证件号码\n张三,1\n").unwrap();
    std::fs::write(d.join("empty.xlsx"), b"").unwrap();
    std::fs::write(d.join("pdf.xlsx"), b"%PDF-1.4\n%%EOF\n").unwrap();
    std::fs::write(d.join("gif.xlsx"), b"GIF89a\x01\x00\x01\x00").unwrap();
    let good = Path::new(env!("CARGO_MANIFEST_DIR")).join("fixtures/precheck/detail-current.xlsx");
    let bytes = std::fs::read(good).unwrap();
    std::fs::write(d.join("truncated.xlsx"), &bytes[..bytes.len() / 3]).unwrap();
    std::fs::create_dir(d.join("folder")).unwrap();
    tmp
}

#[test]
fn errors_name_the_path_once() {
    let tmp = fixture_dir();
    let d = tmp.path();
    let missing = d.join("不存在.xlsx");
    let cases: Vec<(&str, std::path::PathBuf)> = vec![
        ("precheck", missing.clone()),
        ("precheck", d.join("folder")),
        ("precheck", d.join("empty.xlsx")),
        ("precheck", d.join("text.xlsx")),
        ("precheck", d.join("pdf.xlsx")),
        ("precheck", d.join("gif.xlsx")),
        ("precheck", d.join("truncated.xlsx")),
        ("verify", missing.clone()),
        ("verify", d.join("empty.xlsx")),
        ("verify", d.join("text.xlsx")),
        ("verify", d.join("truncated.xlsx")),
        ("inspect", missing.clone()),
        ("inspect", d.join("folder")),
        ("inspect", d.join("empty.xlsx")),
        ("inspect", d.join("pdf.xlsx")),
    ];
    for (cmd, path) in cases {
        let p = path.to_str().unwrap();
        let mut args = vec![cmd, p];
        let out = d.join("out");
        if cmd == "verify" {
            args.extend(["--out", out.to_str().unwrap()]);
        }
        let (code, line) = error_line(&args);
        assert_eq!(code, 2, "{cmd} {p}: {line}");
        assert_eq!(times_named(&line, p), 1, "{cmd} {p}: {line}");
        // Said in Chinese, not in the operating system's English.
        assert!(!line.contains("os error"), "{cmd} {p}: {line}");
        assert!(
            line.split(" file=")
                .next()
                .unwrap()
                .chars()
                .any(|c| ('\u{4e00}'..='\u{9fff}').contains(&c)),
            "{cmd} {p}: {line}"
        );
    }
    // Regression (issue 13 §4): `jzz verify /x` said `/x: /x: not found`.
    let (_, line) = error_line(&["verify", missing.to_str().unwrap()]);
    assert!(line.contains("不存在"), "{line}");
}

#[test]
fn a_file_is_named_for_what_it_is() {
    let tmp = fixture_dir();
    let d = tmp.path();
    // A text file named .xlsx is text, not a workbook with a sheet called "csv".
    let text = d.join("text.xlsx");
    let (code, line) = error_line(&["precheck", text.to_str().unwrap()]);
    assert_eq!(code, 2);
    assert!(
        line.contains("文件内容是纯文本（CSV），不是 Excel 工作簿（xlsx）"),
        "{line}"
    );
    assert!(
        !line.contains("\"csv\"") && !line.contains("“csv”"),
        "{line}"
    );
    // Still read by its content: inspect reads it, and says what it is.
    let (code, stdout, _) = jzz(&["inspect", text.to_str().unwrap()]);
    assert_eq!(code, 0, "{stdout}");
    assert!(
        stdout.contains("note: 文件内容是纯文本（CSV），不是 Excel 工作簿（xlsx）"),
        "{stdout}"
    );
    // A PDF named .xlsx, an image named .xlsx.
    let (_, line) = error_line(&["precheck", d.join("pdf.xlsx").to_str().unwrap()]);
    assert!(
        line.contains("文件内容是 PDF 文档，不是 Excel 工作簿"),
        "{line}"
    );
    let (_, line) = error_line(&["precheck", d.join("gif.xlsx").to_str().unwrap()]);
    assert!(line.contains("文件内容是 GIF 图片，不是表格"), "{line}");
    // A text file given as a bundle.
    let (_, line) = error_line(&["verify", text.to_str().unwrap()]);
    assert!(
        line.contains("不是案件") && line.contains("纯文本"),
        "{line}"
    );
}

/// A readable export whose name lies is still checked, with the truth in the notes.
#[test]
fn a_csv_export_named_xlsx_is_read_and_named() {
    let tmp = tempfile::tempdir().unwrap();
    let src = Path::new(env!("CARGO_MANIFEST_DIR")).join("fixtures/precheck/detail-utf8.csv");
    let p = tmp.path().join("扣缴明细.xlsx");
    std::fs::copy(src, &p).unwrap();
    let (code, stdout, stderr) = jzz(&[
        "precheck",
        p.to_str().unwrap(),
        "--as-of",
        "2020-12-20",
        "--format",
        "json",
    ]);
    assert!(code == 0 || code == 1, "{stderr}");
    let v: serde_json::Value = serde_json::from_str(&stdout).unwrap();
    assert!(
        v["file_notes"][0]
            .as_str()
            .is_some_and(|n| n.contains("文件内容是纯文本（CSV）")),
        "{v}"
    );
    assert!(!v["employees"].as_array().unwrap().is_empty());
}
