//! Test-fixture generator for jzz's OCR: page images of existing text-PDF fixtures.
//!
//! Rasterizes with `pdftoppm` (Debian `poppler-utils`) at 200 dpi, converts to 8-bit grayscale
//! PNG with the `image` crate and writes `fixtures/ocr/`:
//! - `residence-permit-200dpi.png` (from `fixtures/pdf/residence-permit.pdf`) and
//!   `contract-200dpi.png` (page 1 of `fixtures/pdf/contract-2019-fixed.pdf`);
//! - `bundle-permit-200dpi.png` and `bundle-permit-degraded.png`: the 居住证 of the bundle
//!   `fixtures/bundles/complete-cat1`, clean and degraded (scaled down to 1/4, blurred, scaled
//!   back up, contrast flattened) — a photo of a photo, to show the low-confidence guard;
//! - `truth.json`: the fields a clerk reads from each clean image (copied from the PDF truth).
//!
//! Usage: `cargo run --example gen_ocr_fixtures -- fixtures/ocr`
//!
//! Independent of the jzz library. Deterministic for a given poppler version.

use std::path::{Path, PathBuf};
use std::process::Command;

use image::{GrayImage, ImageFormat, imageops::FilterType};

type Res<T> = Result<T, Box<dyn std::error::Error>>;

fn rasterize(pdf: &Path, page: u32) -> Res<GrayImage> {
    let tmp = std::env::temp_dir().join(format!("jzz-ocr-gen-{}", std::process::id()));
    let status = Command::new("pdftoppm")
        .args(["-r", "200", "-gray", "-png", "-singlefile"])
        .args(["-f", &page.to_string(), "-l", &page.to_string()])
        .arg(pdf)
        .arg(&tmp)
        .status()
        .map_err(|e| format!("pdftoppm (apt-get install poppler-utils): {e}"))?;
    if !status.success() {
        return Err(format!("pdftoppm failed on {}", pdf.display()).into());
    }
    let png = tmp.with_extension("png");
    let img = image::open(&png)?.into_luma8();
    std::fs::remove_file(&png)?;
    Ok(img)
}

fn degrade(img: &GrayImage) -> GrayImage {
    let (w, h) = img.dimensions();
    let small = image::imageops::resize(img, w / 4, h / 4, FilterType::Triangle);
    let blurred = image::imageops::blur(&small, 0.7);
    let mut big = image::imageops::resize(&blurred, w / 2, h / 2, FilterType::Triangle);
    // Flatten the contrast: black becomes mid-gray.
    for p in big.pixels_mut() {
        p.0[0] = 60 + (p.0[0] as u16 * 180 / 255) as u8;
    }
    big
}

fn save(img: &GrayImage, path: &Path) -> Res<()> {
    img.save_with_format(path, ImageFormat::Png)?;
    println!(
        "wrote {} ({} × {})",
        path.display(),
        img.width(),
        img.height()
    );
    Ok(())
}

fn main() -> Res<()> {
    let out = PathBuf::from(
        std::env::args()
            .nth(1)
            .unwrap_or_else(|| "fixtures/ocr".into()),
    );
    std::fs::create_dir_all(&out)?;
    let permit = rasterize(Path::new("fixtures/pdf/residence-permit.pdf"), 1)?;
    save(&permit, &out.join("residence-permit-200dpi.png"))?;
    let contract = rasterize(Path::new("fixtures/pdf/contract-2019-fixed.pdf"), 1)?;
    save(&contract, &out.join("contract-200dpi.png"))?;
    let bundle = rasterize(Path::new("fixtures/bundles/complete-cat1/居住证.pdf"), 1)?;
    save(&bundle, &out.join("bundle-permit-200dpi.png"))?;
    save(&degrade(&bundle), &out.join("bundle-permit-degraded.png"))?;

    let pdf_truth: serde_json::Value = serde_json::from_str(&std::fs::read_to_string(
        "fixtures/pdf/truth/residence-permit.json",
    )?)?;
    let truth = serde_json::json!({
        "residence-permit-200dpi.png": {
            "kind": pdf_truth["kind"],
            "holder": pdf_truth["holder"],
            "id_number": pdf_truth["id_number"],
            "valid_from": pdf_truth["valid_from"],
            "valid_to": pdf_truth["valid_to"],
        }
    });
    std::fs::write(
        out.join("truth.json"),
        serde_json::to_string_pretty(&truth)? + "\n",
    )?;
    println!("wrote {}", out.join("truth.json").display());
    Ok(())
}
