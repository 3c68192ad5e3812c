//! OCR accuracy on the special fixtures of `fixtures/ocr/manifest.json` (rotated page, JPEG,
//! red seals over the table, a handwritten note, a phone photo, ID cards, a multi-page TIFF,
//! scanned PDFs) and a scanned bundle through `jzz verify`. The worst outcome — a wrong value
//! presented as confident — must not occur; the benchmark (`cargo bench --bench ocr`) prints
//! the figures for every resolution set.

mod common;

use std::path::PathBuf;

use chrono::NaiveDate;
use common::ocr_score::{Score, confident_wrong_fields, reading, score, walk};
use jzz::case::intake::IntakeLimits;
use jzz::checks::Status;
use jzz::classify::Rules;
use jzz::jobs::inspect::inspect_file;
use jzz::jobs::verify::{VerifyOptions, verify_path};
use jzz::policy::Policy;
use jzz::read::Limits;
use serde_json::{Value, json};

fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("fixtures/ocr")
}

fn entry(file: &str) -> Value {
    let m: Vec<Value> =
        serde_json::from_str(&std::fs::read_to_string(root().join("manifest.json")).unwrap())
            .unwrap();
    m.into_iter()
        .find(|e| e["file"] == file)
        .unwrap_or_else(|| panic!("{file} not in the manifest"))
}

/// One fixture as read and scored.
struct Read {
    score: Score,
    /// The kind found.
    kind: Option<String>,
    /// The fields wrong yet presented as sure.
    wrong: Vec<String>,
    /// The fields read with no confidence of their own or of an enclosing source: such a
    /// value would be judged by the record's other values. (`layout` is the extractor's name
    /// for what it read, not a value read.)
    unsourced: Vec<String>,
}

/// Reads one fixture and scores it.
fn read(file: &str) -> Read {
    let e = entry(file);
    let rules = Rules::builtin().unwrap();
    let bar = Policy::builtin().unwrap().ocr_min_confidence as f64;
    let i = inspect_file(&root().join(file), file, &Limits::default(), &rules);
    assert_eq!(i.error, None, "{file}: {:?}", i.notes);
    let kind = i.classification.as_ref().map(|c| {
        serde_json::to_value(c.kind)
            .unwrap()
            .as_str()
            .unwrap()
            .to_string()
    });
    let actual = reading(&i);
    let conf = i.min_confidence.map(f64::from);
    let score = score(&e["truth"], actual.as_ref(), conf, false, bar);
    let mut wrong = Vec::new();
    confident_wrong_fields(
        &e["truth"],
        actual.as_ref(),
        conf,
        false,
        bar,
        "",
        &mut wrong,
    );
    let mut unsourced = Vec::new();
    walk(
        &e["truth"],
        actual.as_ref(),
        None,
        false,
        bar,
        "",
        &mut |p, _, _, a, c, _| {
            if a.is_some() && c.is_none() && p != ".layout" {
                unsourced.push(p.to_string());
            }
        },
    );
    Read {
        score,
        kind,
        wrong,
        unsourced,
    }
}

/// Asserts the kind, no confident-wrong field and at least `min_exact` % exact.
fn check(file: &str, kind: &str, min_exact: f64) {
    let Read {
        score: s,
        kind: k,
        wrong,
        ..
    } = read(file);
    assert_eq!(k.as_deref(), Some(kind), "{file}");
    assert!(
        wrong.is_empty(),
        "{file}: wrong values presented as sure: {wrong:#?}"
    );
    assert!(
        s.percent_exact() >= min_exact,
        "{file}: {:.1}% exact ({s:?}), expected ≥ {min_exact}%",
        s.percent_exact()
    );
}

#[test]
fn scorer_outcomes() {
    let t = json!({"kind": "x", "name": "张三", "rows": [{"a": 1, "b": 2}, {"a": 3, "b": 4}]});
    let a = json!({"name": "张 三", "rows": [{"a": 3, "b": 5, "source": {"confidence": 40.0}}, {"a": 1, "b": 2}]});
    let s = score(&t, Some(&a), Some(90.0), false, 80.0);
    assert_eq!((s.fields, s.exact, s.flagged), (5, 4, 1));
    let a = json!({"name": "李四", "rows": []});
    let s = score(&t, Some(&a), Some(90.0), false, 80.0);
    assert_eq!((s.confident_wrong, s.missing), (1, 4));
}

/// A red seal stamped over the amounts: suppressed by colour, every row read.
#[test]
fn export_under_red_seals() {
    check("special/export-seal.jpg", "tax_export", 95.0);
}

/// A page scanned on its side is turned upright before reading.
#[test]
fn export_rotated_90() {
    check("special/export-rotated90.png", "tax_export", 90.0);
}

/// The handwritten 连续缴纳情况属实 note does not disturb the table.
#[test]
fn export_with_handwritten_note() {
    check("special/export-note.png", "tax_export", 95.0);
}

/// The ID card: the number kept because its check digit holds; name, sex, birth, address.
#[test]
fn id_cards() {
    check("special/id-card.jpg", "id_card", 80.0);
    // Sex and ethnicity of the second card are read or not depending on the build's float
    // rounding in deskewing (3 or 4 of 6 fields): the number and the name must be there.
    check("special/id-card-x.jpg", "id_card", 45.0);
}

/// Scanned PDFs (DCT gray and RGB, Flate gray, 1-bit) and a 3-page TIFF read page by page.
#[test]
fn scanned_pdfs_and_tiff() {
    for f in [
        "special/scanned.pdf",
        "special/scanned-bilevel.pdf",
        "special/tax-record-3pages.tif",
        "special/tax-record-jpeg.jpg",
    ] {
        check(f, "tax_record", 0.0);
    }
}

/// Issue 14: flatbed scans of the newer kinds (the 地税-era 纳税清单 as a two-page image-only
/// PDF, the monthly 个人缴费明细, the 学信网 备案表, the 职称证书, the 结婚证, the 硕士学位证书),
/// each scored field by field against its text PDF's truth: the kind found, no wrong value
/// presented as sure, every value read with a confidence of its own (its line's, its row's),
/// and at least the share of fields exact measured when they were added
/// less about one field (a build's float rounding in deskewing, a page cut short by the OCR
/// time limit on a busy machine). Measured: 纳税清单 199/200 (one agent's （ read as 〈,
/// unsure), 缴费明细 99/99, 备案表 9/9, 职称 7/7, 结婚证 11/11, 学位证书 7/8 (the award date
/// in Chinese numerals under the signatures is not read: missing, not wrong).
#[test]
fn scans_of_the_newer_kinds() {
    let cases = [
        ("special/tax-list-200dpi.pdf", "tax_record", 95.0),
        ("special/si-monthly-200dpi.jpg", "si_record", 95.0),
        ("special/xuexin-200dpi.jpg", "degree", 88.0),
        ("special/title-cert-200dpi.jpg", "title_cert", 85.0),
        ("special/marriage-cert-200dpi.jpg", "marriage_cert", 90.0),
        ("special/degree-masters-200dpi.jpg", "degree", 75.0),
    ];
    let mut failures = Vec::new();
    for (file, kind, min_exact) in cases {
        let Read {
            score: s,
            kind: k,
            wrong,
            unsourced,
        } = read(file);
        eprintln!(
            "{file}: {}/{} exact ({:.1}%), {} missing, {} flagged, {} confident-wrong",
            s.exact,
            s.fields,
            s.percent_exact(),
            s.missing,
            s.flagged,
            s.confident_wrong
        );
        if k.as_deref() != Some(kind) {
            failures.push(format!("{file}: kind {k:?}, expected {kind}"));
        }
        if !wrong.is_empty() {
            failures.push(format!(
                "{file}: wrong values presented as sure: {wrong:#?}"
            ));
        }
        if !unsourced.is_empty() {
            failures.push(format!(
                "{file}: values read with no confidence of their own: {unsourced:?}"
            ));
        }
        if s.percent_exact() < min_exact {
            failures.push(format!(
                "{file}: {:.1}% exact ({s:?}), expected ≥ {min_exact}%",
                s.percent_exact()
            ));
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

/// A phone photo of a contract page: kind found, nothing wrong presented as sure.
#[test]
fn contract_photo() {
    check("special/contract-photo.jpg", "labor_contract", 0.0);
}

/// The scanned bundle (every PDF of `complete-cat1` printed and scanned, the permit as a
/// photo): no check passes on a value read below the bar, nothing fails on one, and the
/// verdict is not `pass` (the original is `needs_review` for its category).
#[test]
fn scanned_bundle_never_passes_on_unsure_values() {
    let policy = Policy::builtin().unwrap();
    let bar = policy.ocr_min_confidence as f32;
    let opts = VerifyOptions {
        as_of: Some(NaiveDate::from_ymd_opt(2025, 11, 20).unwrap()),
        today: NaiveDate::from_ymd_opt(2025, 11, 20).unwrap(),
        limits: Limits::default(),
        intake: IntakeLimits::default(),
    };
    let (d, facts) = verify_path(
        &root().join("bundles/scan-cat1"),
        &policy,
        &Rules::builtin().unwrap(),
        &opts,
        &mut |_, _| {},
    )
    .unwrap();
    assert_ne!(d.verdict, Status::Pass);
    assert_eq!(d.documents.len(), 10);
    let low_docs: Vec<&str> = facts
        .docs
        .iter()
        .filter(|x| x.min_confidence.is_some_and(|c| c < bar))
        .map(|x| x.path.as_str())
        .collect();
    for c in &d.checks {
        if c.id == "documents.readable" {
            assert_eq!(c.status, Status::Pass, "{c:?}");
            continue;
        }
        // materials.complete cites files by the kind they were found to be, not values read
        // from them: the OCR bar does not apply to it (issue 10).
        if c.id == "materials.complete" {
            assert!(c.evidence.iter().all(|e| e.locator == "kind"), "{c:?}");
            continue;
        }
        assert_ne!(c.status, Status::Fail, "a failure on scanned values: {c:?}");
        if c.status == Status::Pass {
            for e in &c.evidence {
                assert!(
                    e.confidence.is_none_or(|x| x >= bar),
                    "{} passes on {e:?}",
                    c.id
                );
                assert!(
                    e.confidence.is_some() || !low_docs.contains(&e.document.as_str()),
                    "{} passes citing a low-confidence document: {e:?}",
                    c.id
                );
            }
            assert!(
                !c.evidence.is_empty() || low_docs.is_empty(),
                "{} passes on nothing",
                c.id
            );
        }
    }
    // The kinds were found from the scans.
    let kinds: Vec<String> = facts
        .docs
        .iter()
        .map(|x| {
            serde_json::to_value(x.kind)
                .unwrap()
                .as_str()
                .unwrap()
                .to_string()
        })
        .collect();
    for k in [
        "tax_record",
        "labor_contract",
        "si_record",
        "residence_permit",
        "tax_export",
    ] {
        assert!(kinds.iter().any(|x| x == k), "{k} not found in {kinds:?}");
    }
}
