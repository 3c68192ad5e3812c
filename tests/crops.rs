//! The reviewer's crops (issue 12 §2): every value a check cites from a page carries a box
//! (`evidence[].region`), the box holds the cited text, and the crop cut around it shows print
//! inside the box — for text-layer PDFs (rendered by pdftoppm) and for a scan (OCR of the crop
//! gives the value).

use std::path::PathBuf;

use chrono::NaiveDate;
use jzz::case::intake::IntakeLimits;
use jzz::checks::Evidence;
use jzz::classify::Rules;
use jzz::jobs::crop;
use jzz::jobs::verify::{VerifyOptions, verify_path};
use jzz::policy::Policy;
use jzz::read::Limits;
use jzz::read::layout;
use jzz::read::text::ReadBy;

fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

fn squeeze(s: &str) -> String {
    layout::normalize_line(s)
        .chars()
        .filter(|c| !c.is_whitespace())
        .collect()
}

/// Verification as `jzz verify` on 2025-11-20 (the fixtures' windows end before it).
fn opts() -> VerifyOptions {
    VerifyOptions {
        as_of: None,
        today: NaiveDate::from_ymd_opt(2025, 11, 20).unwrap(),
        limits: Limits::default(),
        intake: IntakeLimits::default(),
    }
}

fn is_cited_value(e: &Evidence) -> bool {
    matches!(e.read_by, Some(ReadBy::TextLayer | ReadBy::Ocr))
        && e.locator != "file"
        && e.locator != "kind"
}

#[test]
fn text_layer_values_are_boxed_and_the_crop_shows_them() {
    let policy = Policy::builtin().unwrap();
    let rules = Rules::builtin().unwrap();
    let opts = opts();
    let bundles = root().join("fixtures/bundles");
    let mut names: Vec<PathBuf> = std::fs::read_dir(&bundles)
        .unwrap()
        .flatten()
        .map(|e| e.path())
        .filter(|p| p.is_dir() && p.file_name().is_some_and(|n| n != "expected"))
        .collect();
    names.sort();
    let (mut cited, mut boxed, mut cropped) = (0, 0, 0);
    let mut problems = Vec::new();
    let mut rendered = std::collections::HashMap::new();
    for dir in &names {
        let Ok((d, _)) = verify_path(dir, &policy, &rules, &opts, &mut |_, _| {}) else {
            continue;
        };
        for c in &d.checks {
            for e in c.evidence.iter().filter(|e| is_cited_value(e)) {
                if e.read_by != Some(ReadBy::TextLayer) {
                    continue;
                }
                cited += 1;
                let at = format!("{} {} {} {}", dir.display(), c.id, e.document, e.locator);
                let Some(region) = e.region else {
                    // What a check says is missing (`没有 2025-06 的工资薪金所得行`) is on no page.
                    if !e.text.starts_with("没有") {
                        problems.push(format!("{at}: no box for 「{}」", e.text));
                    }
                    continue;
                };
                boxed += 1;
                let bytes = std::fs::read(dir.join(&e.document)).unwrap();
                let doc = jzz::read::pdf::read_pdf(&bytes, &Limits::default()).unwrap();
                let page = &doc.pages[region.page as usize - 1];
                assert!(
                    region.left >= -1.0
                        && region.bottom >= -5.0
                        && region.right <= page.width + 1.0
                        && region.top <= page.height + 5.0,
                    "{at}: {region:?} outside the page {} × {}",
                    page.width,
                    page.height
                );
                if let Err(m) = crop::holds(&crop::lines_inside(page, &region), &e.text) {
                    problems.push(format!("{at}: {m}"));
                }
                // The crop: print (dark pixels) inside the box drawn on it.
                let key = (dir.join(&e.document), region.page);
                let (pix, scale) = rendered
                    .entry(key)
                    .or_insert_with(|| {
                        let (g, s, _) = crop::page_pixels(
                            &bytes,
                            &region,
                            ReadBy::TextLayer,
                            &Limits::default(),
                        )
                        .unwrap();
                        (g, s)
                    })
                    .clone();
                let c = crop::cut(&pix, &region, scale, String::new());
                let img = image::load_from_memory(&c.png).unwrap().to_rgb8();
                let (l, t, r, b) = c.boxed;
                let dark = (t + 3..b.saturating_sub(2))
                    .flat_map(|y| (l + 3..r.saturating_sub(2)).map(move |x| (x, y)))
                    .filter(|&(x, y)| {
                        let p = img.get_pixel(x, y).0;
                        p[0] < 128 && p[0] == p[1]
                    })
                    .count();
                if dark < 20 {
                    problems.push(format!(
                        "{at}: the crop's box shows no print ({dark} dark pixels)"
                    ));
                } else {
                    cropped += 1;
                }
            }
        }
    }
    eprintln!(
        "text-layer values cited {cited}, boxed {boxed}, crops with print in the box {cropped}"
    );
    assert!(cited >= 200, "only {cited} cited values");
    assert!(problems.is_empty(), "{}", problems.join("\n"));
}

/// A scan: the words OCR read carry boxes in the page as OCR saw it; the crop cut there, read
/// again by OCR, gives the value.
#[test]
fn a_scans_crop_read_again_gives_the_value() {
    let file = "residence-permit-200dpi.png";
    let bytes = std::fs::read(root().join("fixtures/ocr").join(file)).unwrap();
    let limits = Limits::default();
    let i = jzz::jobs::inspect::inspect_bytes(&bytes, file, &limits, &Rules::builtin().unwrap());
    assert!(i.error.is_none(), "{:?}", i.error);
    let truth: serde_json::Value = serde_json::from_str(
        &std::fs::read_to_string(root().join("fixtures/ocr/truth.json")).unwrap(),
    )
    .unwrap();
    for (label, key) in [("持证人", "holder"), ("公民身份号码", "id_number")] {
        let value = truth[file][key].as_str().unwrap();
        let region = layout::find_value(&i.lines, label, value)
            .unwrap_or_else(|| panic!("{key} 「{value}」 is not on any line read"));
        let c = crop::crop(&bytes, &region, ReadBy::Ocr, &limits).unwrap();
        let text = crop::read_box(&c, &limits).unwrap();
        assert!(
            text.contains(&squeeze(value)),
            "{key}: OCR of the crop's box gave 「{text}」, not 「{value}」"
        );
    }
}

/// The scanned bundle end to end: every value a check cites from OCR — the contract's employer,
/// the ruled rows of the 个税完税证明 — has a box, and OCR of the crop cut around the box gives
/// the value (each cell of a row, each field).
#[test]
fn every_ocr_value_of_the_scanned_bundle_reads_back_from_its_crop() {
    let opts = opts();
    let dir = root().join("fixtures/ocr/bundles/scan-cat1");
    let (d, _) = verify_path(
        &dir,
        &Policy::builtin().unwrap(),
        &Rules::builtin().unwrap(),
        &opts,
        &mut |_, _| {},
    )
    .unwrap();
    let mut seen = std::collections::HashSet::new();
    let mut problems = Vec::new();
    for c in &d.checks {
        for e in c.evidence.iter().filter(|e| e.read_by == Some(ReadBy::Ocr)) {
            if !is_cited_value(e) {
                continue;
            }
            let at = format!("{} {} {}", c.id, e.document, e.locator);
            let Some(region) = e.region else {
                problems.push(format!("{at}: no box for 「{}」", e.text));
                continue;
            };
            if !seen.insert(format!("{}{region:?}{}", e.document, e.text)) {
                continue;
            }
            let bytes = std::fs::read(dir.join(&e.document)).unwrap();
            let c = crop::crop(&bytes, &region, ReadBy::Ocr, &opts.limits).unwrap();
            let read = crop::read_box(&c, &opts.limits).unwrap();
            if let Err(m) = crop::shows(&read, &e.text) {
                problems.push(format!("{at}: {m}"));
            }
        }
    }
    eprintln!("OCR values cited and cropped: {}", seen.len());
    assert!(seen.len() >= 15, "only {} OCR values cited", seen.len());
    assert!(problems.is_empty(), "{}", problems.join("\n"));
}
