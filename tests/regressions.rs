//! What the fuzzers found (`scripts/fuzz.sh`): every file under `tests/regressions/<target>/` is
//! run through the same invariant its fuzz target checks (`jzz::fuzzing::<target>`), so a crash,
//! a timeout or a broken promise found once stays fixed. Each invariant also runs over a few
//! fixtures of its kind, so the checks themselves are known to accept good input.

use std::panic::{AssertUnwindSafe, catch_unwind};
use std::path::{Path, PathBuf};
use std::time::Instant;

use jzz::fuzzing::{self, DEADLINE, TARGETS};

fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

/// Runs `target`'s invariant over `files`; returns a line per file that broke it.
fn check(target: &str, files: &[PathBuf]) -> Vec<String> {
    let mut bad = Vec::new();
    for f in files {
        let bytes = std::fs::read(f).unwrap_or_else(|e| panic!("{}: {e}", f.display()));
        let start = Instant::now();
        if catch_unwind(AssertUnwindSafe(|| fuzzing::run(target, &bytes))).is_err() {
            bad.push(format!("{target}: {} broke the invariant", f.display()));
        } else if start.elapsed() > DEADLINE {
            bad.push(format!(
                "{target}: {} took {:?}",
                f.display(),
                start.elapsed()
            ));
        }
    }
    bad
}

fn files_in(dir: &Path) -> Vec<PathBuf> {
    let mut v: Vec<PathBuf> = match std::fs::read_dir(dir) {
        Ok(rd) => rd
            .map(|e| e.unwrap().path())
            .filter(|p| p.is_file())
            .collect(),
        Err(_) => Vec::new(),
    };
    v.sort();
    v
}

#[test]
fn every_regression_file_keeps_its_invariant() {
    let dir = root().join("tests/regressions");
    let mut bad = Vec::new();
    let mut n = 0;
    for entry in std::fs::read_dir(&dir).expect("tests/regressions") {
        let path = entry.unwrap().path();
        if !path.is_dir() {
            continue;
        }
        let target = path.file_name().unwrap().to_string_lossy().to_string();
        assert!(
            TARGETS.contains(&target.as_str()),
            "tests/regressions/{target}: no such fuzz target (one of {TARGETS:?})"
        );
        let files = files_in(&path);
        n += files.len();
        bad.extend(check(&target, &files));
    }
    assert!(
        bad.is_empty(),
        "{} of {n} files:\n{}",
        bad.len(),
        bad.join("\n")
    );
}

#[test]
fn every_invariant_accepts_good_input() {
    let r = root();
    // `hostile:` names a file of the shared hostile corpus (its benign rows; the repository has
    // no xls or HTML-table fixture of its own).
    let cases: &[(&str, &[&str])] = &[
        (
            "pdf_text",
            &[
                "fixtures/pdf/tax-record-3pages.pdf",
                "fixtures/pdf/si-record.pdf",
                "fixtures/pdf/contract-iso-stsong.pdf",
                "fixtures/pdf/xuexin.pdf",
            ],
        ),
        (
            "pdf_images",
            &[
                "fixtures/ocr/special/scanned-bilevel.pdf",
                "fixtures/ocr/special/tax-list-200dpi.pdf",
            ],
        ),
        (
            "image",
            &[
                "fixtures/ocr/set-150dpi/tax-record-1page.jpg",
                "fixtures/ocr/special/tax-record-3pages.tif",
                "fixtures/ocr/special/export-seal.jpg",
            ],
        ),
        ("xlsx", &["fixtures/precheck/detail-current.xlsx"]),
        ("xls", &["hostile:xls/poi-chinese-provinces.xls"]),
        ("ods", &["fixtures/precheck/detail.ods"]),
        (
            "csv",
            &[
                "fixtures/precheck/detail-gbk.csv",
                "fixtures/precheck/detail-utf8-bom.csv",
            ],
        ),
        ("html", &["hostile:xls/crafted-html-table-as.xls"]),
        ("zip_intake", &["fixtures/bundles/complete-cat2-zip.zip"]),
        ("case_toml", &["fixtures/bundles/complete-cat1/case.toml"]),
        ("pipeline_toml", &["pipelines/new-application.toml"]),
        ("policy_toml", &["pipelines/policy.toml"]),
    ];
    let hostile = std::env::var_os("JZZ_HOSTILE_CORPUS")
        .map(PathBuf::from)
        .unwrap_or_else(|| r.join("../shared/corpus/hostile"));
    let mut bad = Vec::new();
    for (target, files) in cases {
        let files: Vec<PathBuf> = files
            .iter()
            .map(|f| match f.strip_prefix("hostile:") {
                Some(h) => hostile.join(h),
                None => r.join(f),
            })
            .collect();
        for f in &files {
            assert!(f.is_file(), "{}: fixture missing", f.display());
        }
        bad.extend(check(target, &files));
    }
    let covered: Vec<&str> = cases.iter().map(|c| c.0).collect();
    assert_eq!(covered, TARGETS, "a fixture for every target, in order");
    assert!(bad.is_empty(), "{}", bad.join("\n"));
}
