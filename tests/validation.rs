//! The shared validation corpus (`../shared/corpus/validation/`, written independently of jzz
//! with the expected outcome of every employee and check) scored by its own `score.py` against
//! this build's binary. Skipped, saying so, when the corpus or python3 is not there; CI has
//! both. What it holds jzz to: no false pass (an employee or bundle called `pass` that is
//! not), no bundle false fail, every precheck employee right, and at least the share of
//! bundle checks right that this version reaches — a regression below it fails.

use std::path::Path;
use std::process::Command;

/// Checks right (of 196) that this version reaches on the corpus; raise it when jzz improves.
const MIN_CHECKS_RIGHT: u32 = 185;

fn number_after(line: &str, key: &str) -> Option<u32> {
    let i = line.find(key)? + key.len();
    line[i..]
        .trim_start()
        .split(|c: char| !c.is_ascii_digit())
        .next()?
        .parse()
        .ok()
}

#[test]
fn validation_corpus_scores() {
    let corpus = Path::new(env!("CARGO_MANIFEST_DIR")).join("../shared/corpus/validation");
    let scorer = corpus.join("score.py");
    if !scorer.exists() {
        eprintln!("skipped: {} is not there", scorer.display());
        return;
    }
    let out = match Command::new("python3")
        .arg(&scorer)
        .arg(env!("CARGO_BIN_EXE_jzz"))
        .args(["--timeout", "300"])
        .output()
    {
        Ok(o) => o,
        Err(e) => {
            eprintln!("skipped: python3 cannot run: {e}");
            return;
        }
    };
    let text = String::from_utf8_lossy(&out.stdout).to_string();
    println!("{text}");
    let summary = text
        .lines()
        .rev()
        .find(|l| l.starts_with("precheck employees right"))
        .unwrap_or_else(|| {
            panic!(
                "no summary line:\n{text}\n{}",
                String::from_utf8_lossy(&out.stderr)
            )
        });
    let false_pass = number_after(summary, "FALSE PASS").expect("FALSE PASS figure");
    assert_eq!(false_pass, 0, "{summary}");
    let false_fail_line = text
        .lines()
        .find(|l| l.contains("bundle false fail"))
        .expect("false fail line");
    assert_eq!(
        number_after(false_fail_line, "not accepted)"),
        Some(0),
        "{false_fail_line}"
    );
    let employees = summary
        .split("precheck employees right")
        .nth(1)
        .and_then(|s| s.split(';').next())
        .unwrap_or("")
        .trim()
        .to_string();
    let (right, all) = employees.split_once('/').expect("employees N/M");
    assert_eq!(right, all, "precheck employees: {summary}");
    let checks = number_after(summary, "checks right").expect("checks right figure");
    assert!(
        checks >= MIN_CHECKS_RIGHT,
        "bundle checks right {checks} < {MIN_CHECKS_RIGHT}: {summary}"
    );
}
