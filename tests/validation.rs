//! The shared validation corpus (`../shared/corpus/validation/`, written independently of jzz
//! with the expected outcome of every employee and check) scored by its own `score.py` against
//! this build's binary. Skipped, saying so, when the corpus or python3 is not there; CI has
//! both. What it holds jzz to: no false pass (an employee or bundle called `pass` that is
//! not), no bundle false fail, every precheck employee right, and at least the share of
//! bundle checks right that this version reaches — a regression below it fails.

mod common;

use std::path::Path;
use std::process::Command;

use jzz::case::intake::IntakeLimits;
use jzz::checks::Status;
use jzz::classify::Rules;
use jzz::jobs::verify::{VerifyOptions, verify_path};
use jzz::policy::Policy;
use jzz::read::Limits;

/// Checks right (of 196) that this version reaches on the corpus; raise it when jzz improves.
const MIN_CHECKS_RIGHT: u32 = 196;

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

/// Issue 10: on bundles written independently of jzz, every pass and every fail cites the
/// values it stands on, and no decision stands on a value read below the OCR bar.
#[test]
fn validation_bundles_cite_every_decision() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("../shared/corpus/validation/bundles");
    let Ok(text) = std::fs::read_to_string(root.join("expected.json")) else {
        eprintln!("skipped: {} is not there", root.display());
        return;
    };
    let expected: serde_json::Value = serde_json::from_str(&text).expect("expected.json");
    let policy = Policy::builtin().unwrap();
    let rules = Rules::builtin().unwrap();
    let bar = policy.ocr_min_confidence as f32;
    let mut bare = Vec::new();
    let mut cases = 0;
    for case in expected["cases"].as_array().expect("cases") {
        let name = case["case"].as_str().unwrap();
        let as_of = case["as_of"]
            .as_str()
            .and_then(|s| chrono::NaiveDate::parse_from_str(s, "%Y-%m-%d").ok());
        let opts = VerifyOptions {
            as_of,
            today: as_of.unwrap(),
            limits: Limits::default(),
            intake: IntakeLimits::default(),
        };
        let (d, facts) = verify_path(&root.join(name), &policy, &rules, &opts, &mut |_, _| {})
            .unwrap_or_else(|e| panic!("{name}: {e}"));
        cases += 1;
        for c in &d.checks {
            if !matches!(c.status, Status::Pass | Status::Fail) {
                continue;
            }
            if c.evidence.is_empty() {
                bare.push(format!("{name}: {} {:?} cites nothing", c.id, c.status));
            }
            if c.id == "documents.readable" || c.id == "materials.complete" {
                continue;
            }
            bare.extend(
                common::misread_how(&c.evidence, &facts).map(|m| format!("{name}: {}: {m}", c.id)),
            );
            for e in &c.evidence {
                let conf = e.confidence.or_else(|| {
                    facts
                        .docs
                        .iter()
                        .find(|x| x.path == e.document)
                        .and_then(|x| x.min_confidence)
                });
                if conf.is_some_and(|x| x < bar) {
                    bare.push(format!("{name}: {} stands on {e:?}", c.id));
                }
            }
        }
    }
    assert!(cases >= 10, "only {cases} bundles");
    assert!(bare.is_empty(), "{}", bare.join("\n"));
}
