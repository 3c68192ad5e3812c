//! Measures the reviewer's crops over bundles: each bundle verified as `jzz verify` does, then
//! every value a check cites from a page (text layer or OCR) — is it boxed; for a text layer,
//! does the box hold the cited text (`jobs::crop::holds` over the page's runs); for OCR, does
//! OCR of the crop's box give the cited value (the text, spaces aside; for a composite citation
//! each part). Each distinct box is counted once. Prints the counts and every miss.
//!
//! Usage: `cargo run --release --example crop_survey -- BUNDLE_DIR…` (e.g. the folders of
//! `../shared/corpus/validation/bundles/`). With `CROP_DUMP=DIR`, the crop of each OCR miss is
//! written there as `miss-N.png` (N as in the list printed).

use std::collections::HashSet;

use jzz::read::Limits;
use jzz::read::text::ReadBy;

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let policy = jzz::policy::Policy::builtin()?;
    let rules = jzz::classify::Rules::builtin()?;
    let opts = jzz::jobs::verify::VerifyOptions {
        as_of: None,
        today: chrono::Local::now().date_naive(),
        limits: Limits::default(),
        intake: jzz::case::intake::IntakeLimits::default(),
    };
    let limits = Limits::default();
    let (mut cited, mut boxed, mut absent) = (0, 0, 0);
    let (mut text_ok, mut text_n, mut ocr_ok, mut ocr_n) = (0, 0, 0, 0);
    let mut misses = Vec::new();
    for dir in std::env::args().skip(1) {
        let dir = std::path::PathBuf::from(dir);
        let Ok((d, _)) =
            jzz::jobs::verify::verify_path(&dir, &policy, &rules, &opts, &mut |_, _| {})
        else {
            eprintln!("{}: not verified", dir.display());
            continue;
        };
        let mut seen = HashSet::new();
        for c in &d.checks {
            for e in &c.evidence {
                let Some(read_by @ (ReadBy::TextLayer | ReadBy::Ocr)) = e.read_by else {
                    continue;
                };
                if e.locator == "file" || e.locator == "kind" {
                    continue;
                }
                let at = format!("{} {} {} {}", dir.display(), c.id, e.document, e.locator);
                let Some(region) = e.region else {
                    if e.text.starts_with("没有") {
                        absent += 1;
                    } else {
                        cited += 1;
                        misses.push(format!("{at}: no box for 「{}」", e.text));
                    }
                    continue;
                };
                if !seen.insert(format!("{}{:?}{}", e.document, region, e.text)) {
                    continue;
                }
                cited += 1;
                boxed += 1;
                let bytes = std::fs::read(dir.join(&e.document))?;
                if read_by == ReadBy::TextLayer {
                    text_n += 1;
                    let doc = jzz::read::pdf::read_pdf(&bytes, &limits)?;
                    let Some(page) = doc.pages.get(region.page as usize - 1) else {
                        misses.push(format!("{at}: no page {}", region.page));
                        continue;
                    };
                    match jzz::jobs::crop::holds(
                        &jzz::jobs::crop::lines_inside(page, &region),
                        &e.text,
                    ) {
                        Ok(()) => text_ok += 1,
                        Err(m) => misses.push(format!("{at}: {m}")),
                    }
                } else {
                    ocr_n += 1;
                    let crop = jzz::jobs::crop::crop(&bytes, &region, read_by, &limits)?;
                    let read = jzz::jobs::crop::read_box(&crop, &limits)?;
                    if jzz::jobs::crop::shows(&read, &e.text).is_ok() {
                        ocr_ok += 1;
                    } else {
                        if let Ok(d) = std::env::var("CROP_DUMP") {
                            let _ =
                                std::fs::write(format!("{d}/miss-{}.png", misses.len()), &crop.png);
                        }
                        misses.push(format!(
                            "{at}: OCR of the box gave 「{read}」 for 「{}」 (confidence {:?})",
                            e.text, e.confidence
                        ));
                    }
                }
            }
        }
    }
    for m in &misses {
        println!("miss: {m}");
    }
    println!(
        "cited values read from a page: {cited} (+{absent} absences, no page); boxed {boxed}; text layer: the box holds the text {text_ok}/{text_n}; OCR: OCR of the crop gives the value {ocr_ok}/{ocr_n}"
    );
    Ok(())
}
