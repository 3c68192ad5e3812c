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
use jzz::read::layout::{self, PlacedLine};
use jzz::read::text::{ReadBy, Region, TextPage};

fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

fn squeeze(s: &str) -> String {
    layout::normalize_line(s)
        .chars()
        .filter(|c| !c.is_whitespace())
        .collect()
}

/// The lines made of the runs of `page` whose centres lie in `region` (grown by a point).
fn lines_inside(page: &TextPage, region: &Region) -> Vec<PlacedLine> {
    let inside: Vec<_> = page
        .runs
        .iter()
        .filter(|r| {
            let (cx, cy) = (r.x + r.width / 2.0, r.y + r.size * 0.35);
            cx >= region.left - 1.0
                && cx <= region.right + 1.0
                && cy >= region.bottom - 1.0
                && cy <= region.top + 1.0
        })
        .cloned()
        .collect();
    let mut p = page.clone();
    p.runs = inside;
    layout::lines(&p)
        .iter()
        .filter_map(|l| l.placed())
        .collect()
}

/// Whether the text read inside the box holds what the evidence cites: every cell of a row
/// (`a | b | c`), every part of a field (`证件号码 …，姓名 …`).
fn holds(inside: &[PlacedLine], e: &Evidence) -> Result<(), String> {
    let all: String = inside.iter().map(|l| squeeze(&l.text)).collect();
    for cell in e.text.split(" | ") {
        let cell = cell.trim();
        if cell.is_empty() {
            continue;
        }
        // Whole, or character by character (a wrapped cell, `国家税务总局北京市 / 通州区税务局`,
        // comes back interleaved with the row's other cells).
        let mut bag: Vec<char> = all.chars().collect();
        let every_char = squeeze(cell)
            .chars()
            .all(|ch| match bag.iter().position(|&b| b == ch) {
                Some(i) => {
                    bag.swap_remove(i);
                    true
                }
                None => false,
            });
        let found = all.contains(&squeeze(cell))
            || layout::find_placed(inside, "", cell).is_some()
            || every_char;
        if !found {
            return Err(format!("「{cell}」 not in the box, which holds 「{all}」"));
        }
    }
    Ok(())
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
    let opts = VerifyOptions {
        as_of: None,
        today: NaiveDate::from_ymd_opt(2025, 11, 20).unwrap(),
        limits: Limits::default(),
        intake: IntakeLimits::default(),
    };
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
                if let Err(m) = holds(&lines_inside(page, &region), e) {
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
        let img = image::load_from_memory(&c.png).unwrap();
        // Only what is inside the red line.
        let (l, t, r, b) = c.boxed;
        let inner = img
            .crop_imm(
                l + 2,
                t + 2,
                (r - l).saturating_sub(4),
                (b - t).saturating_sub(4),
            )
            .to_luma8();
        // On a white margin, as print on paper is.
        let (w, h) = (inner.width() + 40, inner.height() + 40);
        let mut margin = image::GrayImage::from_pixel(w, h, image::Luma([255]));
        image::imageops::replace(&mut margin, &inner, 20, 20);
        let read =
            jzz::read::ocr::read_pages(vec![(1, image::DynamicImage::ImageLuma8(margin))], &limits);
        let page = read.into_iter().next().unwrap().1.unwrap().page;
        let text: String = page.runs.iter().map(|r| squeeze(&r.text)).collect();
        assert!(
            text.contains(&squeeze(value)),
            "{key}: OCR of the crop's box gave 「{text}」, not 「{value}」"
        );
    }
}
