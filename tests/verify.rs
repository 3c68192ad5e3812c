//! `jzz verify` over the generated fixture bundles (`fixtures/bundles/`, written by
//! `examples/gen_bundles.rs`): every bundle's verdict and every check status as its generator
//! intended (`fixtures/bundles/expected/<name>.json`), golden dossiers, the HTML, exit codes.
//! Refresh goldens with `UPDATE_GOLDEN=1 cargo test --test verify`.

mod common;

use std::path::{Path, PathBuf};
use std::process::Command;

use chrono::NaiveDate;
use jzz::case::intake::IntakeLimits;
use jzz::classify::Rules;
use jzz::jobs::verify::{VerifyOptions, verify_path};
use jzz::policy::Policy;
use jzz::read::Limits;
use serde_json::Value;

fn bundles() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("fixtures/bundles")
}

fn expected(name: &str) -> Value {
    let p = bundles().join("expected").join(format!("{name}.json"));
    serde_json::from_str(
        &std::fs::read_to_string(&p).unwrap_or_else(|e| panic!("{}: {e}", p.display())),
    )
    .unwrap()
}

fn opts(as_of: Option<NaiveDate>) -> VerifyOptions {
    VerifyOptions {
        as_of,
        // Bundles without case.toml are judged on the date their expected file names.
        today: NaiveDate::from_ymd_opt(2025, 11, 20).unwrap(),
        limits: Limits::default(),
        intake: IntakeLimits::default(),
    }
}

fn bundle_paths() -> Vec<(String, PathBuf)> {
    let mut v: Vec<(String, PathBuf)> = std::fs::read_dir(bundles())
        .unwrap()
        .flatten()
        .map(|e| e.path())
        .filter(|p| {
            let n = p.file_name().unwrap().to_string_lossy().to_string();
            n != "expected" && !n.ends_with(".md") && (p.is_dir() || n.ends_with(".zip"))
        })
        .map(|p| {
            let n = p.file_stem().unwrap().to_string_lossy().to_string();
            (n, p)
        })
        .collect();
    v.sort();
    v
}

#[test]
fn every_bundle_as_its_generator_intended() {
    let policy = Policy::builtin().unwrap();
    let rules = Rules::builtin().unwrap();
    let all = bundle_paths();
    assert!(all.len() >= 25, "only {} bundles", all.len());
    let mut failures = Vec::new();
    let mut checks_compared = 0;
    for (name, path) in &all {
        let exp = expected(name);
        let as_of = exp["as_of"]
            .as_str()
            .map(|s| NaiveDate::parse_from_str(s, "%Y-%m-%d").unwrap());
        let r = verify_path(path, &policy, &rules, &opts(as_of), &mut |_, _| {});
        if exp["error"].as_bool() == Some(true) {
            if r.is_ok() {
                failures.push(format!("{name}: verified, expected an error"));
            }
            continue;
        }
        let (d, _) = match r {
            Ok(x) => x,
            Err(e) => {
                failures.push(format!("{name}: {e}"));
                continue;
            }
        };
        let v = serde_json::to_value(&d).unwrap();
        if v["verdict"] != exp["verdict"] {
            failures.push(format!(
                "{name}: verdict {}, expected {}",
                v["verdict"], exp["verdict"]
            ));
        }
        for (id, status) in exp["checks"].as_object().into_iter().flatten() {
            checks_compared += 1;
            let got = d.checks.iter().find(|c| c.id == id);
            match got {
                None => failures.push(format!("{name}: no check {id}")),
                Some(c) => {
                    let s = serde_json::to_value(c.status).unwrap();
                    if &s != status {
                        failures.push(format!(
                            "{name}: {id} {s}, expected {status} — {}",
                            c.message
                        ));
                    }
                }
            }
        }
    }
    let (decided, total, verdicts_decided, cited) = decided_share(&all);
    println!(
        "decided (pass/fail/needs_material/not_applicable): {decided}/{total} checks ({:.1}%), {verdicts_decided}/{} verdicts not needs_review",
        100.0 * decided as f64 / total.max(1) as f64,
        all.len()
    );
    assert!(
        cited.is_empty(),
        "a pass or fail cites nothing:\n{}",
        cited.join("\n")
    );
    assert!(
        failures.is_empty(),
        "{} mismatches ({checks_compared} checks compared over {} bundles):\n{}",
        failures.len(),
        all.len(),
        failures.join("\n")
    );
}

fn golden(name: &str, actual: &str) {
    let path = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/golden")
        .join(name);
    if std::env::var_os("UPDATE_GOLDEN").is_some() {
        std::fs::create_dir_all(path.parent().unwrap()).unwrap();
        std::fs::write(&path, actual).unwrap();
    }
    let expected = std::fs::read_to_string(&path)
        .unwrap_or_else(|_| panic!("{} missing: run with UPDATE_GOLDEN=1", path.display()));
    assert!(
        actual == expected,
        "{} differs from the output; UPDATE_GOLDEN=1 if intended",
        path.display()
    );
}

/// The whole dossier JSON of two bundles, reviewed like code.
#[test]
fn golden_dossiers() {
    let policy = Policy::builtin().unwrap();
    let rules = Rules::builtin().unwrap();
    for name in ["complete-cat1", "mixed-junk"] {
        let (d, _) = verify_path(
            &bundles().join(name),
            &policy,
            &rules,
            &opts(None),
            &mut |_, _| {},
        )
        .unwrap();
        // The stamp: the policy and pipelines hashes are the source's, the rest the build's
        // and the machine's (kept out of the golden, checked for shape).
        let stamp = &d.produced_by;
        assert_eq!(stamp.jzz, env!("CARGO_PKG_VERSION"));
        assert_eq!(stamp.policy_sha256, policy.sha256);
        assert!(
            stamp.language_data.starts_with("chi_sim sha256 "),
            "{stamp:?}"
        );
        assert!(!stamp.commit.is_empty() && !stamp.tesseract.is_empty());
        let mut fixed = d.clone();
        let varies = "(varies by build and machine)".to_string();
        fixed.produced_by.commit = varies.clone();
        fixed.produced_by.tesseract = varies.clone();
        fixed.produced_by.language_data = varies;
        golden(
            &format!("dossier-{name}.json"),
            &(serde_json::to_string_pretty(&fixed).unwrap() + "\n"),
        );
        let html = jzz::dossier::html::render(&d);
        assert!(html.starts_with("<!DOCTYPE html>"), "{name}");
        assert!(html.contains(d.verdict.label_zh()), "{name}");
        assert!(
            !html.contains("src=\"http") && !html.contains("href=\"http"),
            "{name}: network reference"
        );
        assert!(html.contains("<svg"), "{name}: month strip");
    }
}

/// The command: exit status 0/1/2 of SPEC §6 and both files written whole.
#[test]
fn verify_command_writes_the_dossier() {
    let out = tempfile::tempdir().unwrap();
    let run = |bundle: &Path| {
        Command::new(env!("CARGO_BIN_EXE_jzz"))
            .arg("verify")
            .arg(bundle)
            .arg("--out")
            .arg(out.path())
            .output()
            .unwrap()
    };
    // Exit 1 for any verdict but pass.
    let o = run(&bundles().join("missing-month"));
    assert_eq!(
        o.status.code(),
        Some(1),
        "{}",
        String::from_utf8_lossy(&o.stderr)
    );
    // Exit 0 for a pass.
    let o = run(&bundles().join("complete-cat1"));
    assert_eq!(
        o.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&o.stderr)
    );
    let json: Value =
        serde_json::from_slice(&std::fs::read(out.path().join("dossier.json")).unwrap()).unwrap();
    assert_eq!(json["schema"], "jzz.dossier/1");
    for k in [
        "case_id",
        "pipeline",
        "as_of",
        "verdict",
        "checks",
        "documents",
        "months",
        "verification_codes",
    ] {
        assert!(json.get(k).is_some(), "stable field {k}");
    }
    assert!(out.path().join("dossier.html").exists());
    let o = run(&bundles().join("bad-case-toml"));
    assert_eq!(o.status.code(), Some(2));
    let err = String::from_utf8_lossy(&o.stderr);
    assert!(err.contains("case.toml") && err.contains(":3:"), "{err}");
    let o = run(Path::new("/nonexistent/bundle"));
    assert_eq!(o.status.code(), Some(2));
}

/// A document read once and kept (issue 6's cache) gives the same dossier as reading it again:
/// every document of every bundle goes through JSON and back.
#[test]
fn stored_documents_give_the_same_dossier() {
    use jzz::facts::case::{CaseDoc, StoredDoc};
    use jzz::jobs::verify::{read_doc, verify_docs};
    let policy = Policy::builtin().unwrap();
    let rules = Rules::builtin().unwrap();
    let limits = Limits::default();
    let mut compared = 0;
    for (name, path) in bundle_paths() {
        let exp = expected(&name);
        if exp["error"].as_bool() == Some(true) {
            continue;
        }
        let as_of = exp["as_of"]
            .as_str()
            .map(|s| NaiveDate::parse_from_str(s, "%Y-%m-%d").unwrap());
        let o = opts(as_of);
        let bundle = jzz::case::intake::open_path(&path, &o.intake).unwrap();
        let docs: Vec<CaseDoc> = bundle
            .files
            .iter()
            .map(|f| read_doc(&f.path, &f.bytes, &f.sha256, &limits, &rules))
            .collect();
        let stored: Vec<CaseDoc> = docs
            .iter()
            .map(|d| {
                let json = serde_json::to_string(&d.to_stored()).unwrap();
                let back: StoredDoc = serde_json::from_str(&json).unwrap();
                CaseDoc::from_stored(&d.path, back)
                    .unwrap_or_else(|| panic!("{name}: {} does not read back", d.path))
            })
            .collect();
        let (a, _) = verify_docs(&bundle, docs, &policy, &o).unwrap();
        let (b, _) = verify_docs(&bundle, stored, &policy, &o).unwrap();
        assert_eq!(
            serde_json::to_string(&a).unwrap(),
            serde_json::to_string(&b).unwrap(),
            "{name}"
        );
        compared += 1;
    }
    assert!(compared >= 30, "{compared}");
}

/// Over every bundle: checks decided (anything but `needs_review`), all checks, verdicts
/// decided, and every pass or fail that cites no value (which must be none).
fn decided_share(all: &[(String, PathBuf)]) -> (usize, usize, usize, Vec<String>) {
    let policy = Policy::builtin().unwrap();
    let rules = Rules::builtin().unwrap();
    let (mut decided, mut total, mut verdicts, mut bare) = (0, 0, 0, Vec::new());
    for (name, path) in all {
        let as_of = expected(name)["as_of"]
            .as_str()
            .map(|s| NaiveDate::parse_from_str(s, "%Y-%m-%d").unwrap());
        let Ok((d, facts)) = verify_path(path, &policy, &rules, &opts(as_of), &mut |_, _| {})
        else {
            continue;
        };
        if d.verdict != jzz::checks::Status::NeedsReview {
            verdicts += 1;
        }
        for c in &d.checks {
            total += 1;
            if c.status != jzz::checks::Status::NeedsReview {
                decided += 1;
            }
            if matches!(
                c.status,
                jzz::checks::Status::Pass | jzz::checks::Status::Fail
            ) && c.evidence.is_empty()
            {
                bare.push(format!("{name}: {} {:?}", c.id, c.status));
            }
            if matches!(
                c.status,
                jzz::checks::Status::Pass | jzz::checks::Status::Fail
            ) && !matches!(c.id, "documents.readable" | "materials.complete")
            {
                bare.extend(
                    common::misread_how(&c.evidence, &facts)
                        .map(|m| format!("{name}: {}: {m}", c.id)),
                );
            }
        }
    }
    (decided, total, verdicts, bare)
}

/// A bundle made in a temporary directory: `case.toml` plus `files`.
fn temp_bundle(case_toml: &str, files: &[(&str, Vec<u8>)]) -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("case.toml"), case_toml).unwrap();
    for (name, bytes) in files {
        std::fs::write(dir.path().join(name), bytes).unwrap();
    }
    dir
}

const NEW_CASE: &str = r#"
[application]
type = "new"
date = "2020-11-18"
category = 1

[unit]
name = "北京某某科技有限公司"

[applicant]
name = "肖嘉雪"
id_number = "320102198406233226"
hukou = "non-beijing"
"#;

/// Issue 10: no check passes on nothing — an empty bundle, a bundle whose only export has
/// periods that cannot be read, and one whose only tax document is a poorly read scan. Every
/// check id of every pipeline runs; none passes.
#[test]
fn no_pass_on_nothing() {
    let policy = Policy::builtin().unwrap();
    let rules = Rules::builtin().unwrap();
    // An export whose 税款所属期 cannot be read on any row.
    let csv = std::fs::read_to_string(
        Path::new(env!("CARGO_MANIFEST_DIR")).join("fixtures/precheck/detail-utf8.csv"),
    )
    .unwrap();
    let unreadable: String = csv
        .lines()
        .enumerate()
        .map(|(i, l)| {
            if i == 0 {
                l.to_string()
            } else {
                l.replacen("2019年", "第三季度", 1)
                    .replacen("2020年", "第一季度", 1)
            }
        })
        .collect::<Vec<_>>()
        .join("\n");
    let scan = std::fs::read(
        Path::new(env!("CARGO_MANIFEST_DIR")).join("fixtures/ocr/set-150dpi/tax-record-1page.jpg"),
    )
    .unwrap();
    let cases = [
        ("empty", Vec::new()),
        (
            "unreadable-periods",
            vec![("扣缴明细.csv", unreadable.into_bytes())],
        ),
        ("low-confidence-scan", vec![("IMG_0001.jpg", scan)]),
    ];
    for pipeline in ["new", "renewal", "unit-registration"] {
        let extra = if pipeline == "renewal" {
            "\npermit_expiry = \"2020-12-31\""
        } else {
            ""
        };
        let toml = NEW_CASE.replace("type = \"new\"", &format!("type = \"{pipeline}\"{extra}"));
        for (name, files) in &cases {
            let dir = temp_bundle(&toml, files);
            let (d, _) = verify_path(dir.path(), &policy, &rules, &opts(None), &mut |_, _| {})
                .unwrap_or_else(|e| panic!("{pipeline}/{name}: {e}"));
            for c in &d.checks {
                // documents.readable says the files were read; the declared values (hukou,
                // age from the declared ID number, the renewal window from the declared
                // expiry) stand on case.toml and are cited.
                let declared = c.evidence.iter().all(|e| e.document == "case.toml");
                assert!(
                    c.status != jzz::checks::Status::Pass
                        || c.id == "documents.readable"
                        || (declared && !c.evidence.is_empty()),
                    "{pipeline}/{name}: {} passed on {:?}: {}",
                    c.id,
                    c.evidence.iter().map(|e| &e.document).collect::<Vec<_>>(),
                    c.message
                );
            }
        }
    }
}
