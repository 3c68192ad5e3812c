//! Test-fixture generator for jzz's OCR: page images of existing text-PDF fixtures, with the
//! ground truth a clerk reads from them. See `fixtures/ocr/README.md` for the file list.
//!
//! Rasterizes with `pdftoppm` (Debian `poppler-utils`), processes the pixels itself (rotation,
//! blur, noise, perspective, seal/ink overlays) and writes `fixtures/ocr/`:
//!
//! - The original four images (byte-identical to before): `residence-permit-200dpi.png`,
//!   `contract-200dpi.png`, `bundle-permit-200dpi.png`, `bundle-permit-degraded.png` (a photo of a
//!   photo: scaled to 1/4, blurred, scaled to 1/2, contrast flattened), and `truth.json`.
//! - `set-150dpi/`, `set-200dpi/`, `set-300dpi/`: the five single-page sources
//!   (`tax-export-printed`, `tax-record-1page`, `si-record`, `contract-2019-fixed` page 1,
//!   `residence-permit`) as grayscale flatbed scans: 1–3° skew (angle and sign per image, white
//!   fill), gray paper with a gradient, gaussian-ish noise, slight blur; JPEG quality 85.
//! - `special/`: the export turned 90°; a strongly JPEG-compressed tax record; the export in
//!   colour with two red seals over the amount cells and the header; the export with a
//!   handwritten-style blue note and signature below the table and a seal next to it; a phone
//!   photo of the contract (perspective, uneven light, desk border); two synthetic ID-card fronts
//!   with valid GB 11643 numbers (one ending in X); a multi-page TIFF; two image-only PDFs (DCT
//!   gray / DCT RGB / Flate gray pages, and a 1-bit page), written with lopdf; the newer kinds
//!   (`tax-list`, `si-monthly`, `xuexin`, `title-cert`, `marriage-cert`, `degree-masters`) as
//!   200 dpi flatbed scans (`<stem>-200dpi.jpg`, the two-page 纳税清单 an image-only PDF).
//! - `id-photo/`: phone photos of ID cards (three faces, one number ending in X; two backs,
//!   one 长期; both sides side by side in one photo): turned 3–10°, in perspective, on wood, a
//!   desk or cloth, uneven light and on some a hard-edged shadow band, colour cast, JPEG.
//! - `manifest.json`: one entry per new file (file, set, source, pages, dpi, width, height,
//!   color, degradations, truth). The truth is copied from `fixtures/pdf/truth/<name>.json`
//!   (page 1 of the contract without `signed_on`, which is printed on page 2), or built here for
//!   the ID cards.
//!
//! Seals, the note and the ID-card text are drawn as small PDFs with krilla (Noto Sans CJK SC
//! from Debian's `fonts-noto-cjk`), rasterized with `pdftoppm` in colour and multiplied onto the
//! page. JPEGs are written with `jpeg-encoder` (scalar code, optimized Huffman tables, 4:2:0).
//!
//! Usage: `cargo run --release --example gen_ocr_fixtures -- fixtures/ocr [sets|special|id-photo]`
//! (the optional second argument regenerates only one group and leaves `manifest.json` alone;
//! `id-photo` replaces its own entries in it).
//!
//! Independent of the jzz library: the truth must not come from the code under test.
//! Deterministic: every random choice comes from a splitmix64 PRNG seeded with the output file
//! name (gaussian-ish noise is an Irwin–Hall sum, no libm), so a given poppler version gives the
//! same bytes on every run.

#[path = "common/mod.rs"]
mod common;

use std::path::{Path, PathBuf};
use std::process::Command;
use std::sync::atomic::{AtomicUsize, Ordering};

use image::{GrayImage, ImageFormat, Luma, Rgb, RgbImage, imageops::FilterType};
use krilla::color::rgb;
use krilla::geom::{PathBuilder, Point, Transform};
use krilla::num::NormalizedF32;
use krilla::page::PageSettings;
use krilla::paint::{Fill, LineCap, LineJoin, Stroke};
use krilla::surface::Surface;
use krilla::{Document, SerializeSettings};
use serde_json::{Value, json};

use common::fonts::OtFace;
use common::ids::id_check;
use common::pdf::finish_lopdf;
use common::rng::Rng;

type Res<T> = Result<T, Box<dyn std::error::Error>>;

const PDF_DIR: &str = "fixtures/pdf";

// ───────────────────────────── rasterizing ─────────────────────────────

static TMP_N: AtomicUsize = AtomicUsize::new(0);

/// A fresh temporary path without extension.
fn tmp_path() -> PathBuf {
    let n = TMP_N.fetch_add(1, Ordering::Relaxed);
    std::env::temp_dir().join(format!("jzz-ocr-gen-{}-{n}", std::process::id()))
}

/// One page of `pdf` through `pdftoppm` at `dpi`, grayscale or RGB.
fn pdftoppm(pdf: &Path, page: u32, dpi: u32, gray: bool) -> Res<image::DynamicImage> {
    let tmp = tmp_path();
    let mut cmd = Command::new("pdftoppm");
    cmd.args(["-r", &dpi.to_string()]);
    if gray {
        cmd.arg("-gray");
    }
    let status = cmd
        .args(["-png", "-singlefile"])
        .args(["-f", &page.to_string(), "-l", &page.to_string()])
        .arg(pdf)
        .arg(&tmp)
        .status()
        .map_err(|e| format!("pdftoppm (apt-get install poppler-utils): {e}"))?;
    if !status.success() {
        return Err(format!("pdftoppm failed on {}", pdf.display()).into());
    }
    let png = tmp.with_extension("png");
    let img = image::open(&png)?;
    std::fs::remove_file(&png)?;
    Ok(img)
}

/// The original 200 dpi grayscale rasterization (kept as it was for the first four images).
fn rasterize(pdf: &Path, page: u32) -> Res<GrayImage> {
    Ok(pdftoppm(pdf, page, 200, true)?.into_luma8())
}

fn gray_at(pdf: &str, page: u32, dpi: u32) -> Res<GrayImage> {
    Ok(pdftoppm(&Path::new(PDF_DIR).join(pdf), page, dpi, true)?.into_luma8())
}

fn rgb_at(pdf: &str, page: u32, dpi: u32) -> Res<RgbImage> {
    Ok(pdftoppm(&Path::new(PDF_DIR).join(pdf), page, dpi, false)?.into_rgb8())
}

fn page_count(pdf: &str) -> Res<u32> {
    let out = Command::new("pdfinfo")
        .arg(Path::new(PDF_DIR).join(pdf))
        .output()?;
    let text = String::from_utf8_lossy(&out.stdout);
    let line = text
        .lines()
        .find(|l| l.starts_with("Pages:"))
        .ok_or("pdfinfo: no Pages")?;
    Ok(line[6..].trim().parse()?)
}

// ───────────────────────────── pixel operations ─────────────────────────────

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

/// Bilinear sample of a gray image; `fill` outside.
fn sample(img: &GrayImage, x: f32, y: f32, fill: f32) -> f32 {
    let (w, h) = img.dimensions();
    if x < -1.0 || y < -1.0 || x > w as f32 || y > h as f32 {
        return fill;
    }
    let (x0, y0) = (x.floor(), y.floor());
    let (fx, fy) = (x - x0, y - y0);
    let px = |xi: f32, yi: f32| -> f32 {
        if xi < 0.0 || yi < 0.0 || xi >= w as f32 || yi >= h as f32 {
            fill
        } else {
            img.get_pixel(xi as u32, yi as u32).0[0] as f32
        }
    };
    let a = px(x0, y0) * (1.0 - fx) + px(x0 + 1.0, y0) * fx;
    let b = px(x0, y0 + 1.0) * (1.0 - fx) + px(x0 + 1.0, y0 + 1.0) * fx;
    a * (1.0 - fy) + b * fy
}

/// Rotates by `deg` (positive = clockwise on screen) about the centre, same canvas, white fill.
fn rotate_gray(img: &GrayImage, deg: f32) -> GrayImage {
    let (w, h) = img.dimensions();
    let (s, c) = deg.to_radians().sin_cos();
    let (cx, cy) = (w as f32 / 2.0, h as f32 / 2.0);
    GrayImage::from_fn(w, h, |x, y| {
        let (dx, dy) = (x as f32 + 0.5 - cx, y as f32 + 0.5 - cy);
        // Inverse rotation: destination → source.
        let sx = c * dx + s * dy + cx - 0.5;
        let sy = -s * dx + c * dy + cy - 0.5;
        Luma([sample(img, sx, sy, 255.0).round() as u8])
    })
}

/// Smooth value noise in `[0, 1]`: random values on a `cell`-pixel grid, bilinearly interpolated.
fn value_noise(w: u32, h: u32, cell: u32, rng: &mut Rng) -> Vec<f32> {
    let gw = w / cell + 2;
    let gh = h / cell + 2;
    let grid: Vec<f32> = (0..gw * gh).map(|_| rng.unit()).collect();
    let mut out = Vec::with_capacity((w * h) as usize);
    for y in 0..h {
        let gy = y as f32 / cell as f32;
        let (y0, fy) = (gy.floor() as u32, gy.fract());
        for x in 0..w {
            let gx = x as f32 / cell as f32;
            let (x0, fx) = (gx.floor() as u32, gx.fract());
            let g = |i: u32, j: u32| grid[(j * gw + i) as usize];
            let a = g(x0, y0) * (1.0 - fx) + g(x0 + 1, y0) * fx;
            let b = g(x0, y0 + 1) * (1.0 - fx) + g(x0 + 1, y0 + 1) * fx;
            out.push(a * (1.0 - fy) + b * fy);
        }
    }
    out
}

/// A flatbed scan: skew, slight blur, gray paper with a gradient, gaussian-ish noise.
fn scan(img: &GrayImage, dpi: u32, rng: &mut Rng) -> (GrayImage, Vec<String>) {
    let angle = (rng.sign() * rng.uniform(1.0, 3.0) * 10.0).round() / 10.0;
    let rotated = rotate_gray(img, angle);
    let paper = rng.uniform(232.0, 240.0).round();
    let grad = rng.uniform(3.0, 7.0);
    let noise = 2.0;
    let ink = 22.0;
    let (w, h) = rotated.dimensions();
    // Paper shade and sensor noise first, then the optics blur (which softens the noise too).
    let shaded = GrayImage::from_fn(w, h, |x, y| {
        let v = rotated.get_pixel(x, y).0[0] as f32 / 255.0;
        let bg = paper - grad * (x as f32 / w as f32 + y as f32 / h as f32 - 1.0);
        let p = ink + (bg - ink) * v + noise * rng.gauss();
        Luma([p.round().clamp(0.0, 255.0) as u8])
    });
    let sigma = 0.35 * dpi as f32 / 150.0;
    let out = image::imageops::blur(&shaded, sigma);
    let deg = vec![
        format!("skew {angle:+.1}°"),
        format!("noise σ={noise} (before blur)"),
        format!("blur σ={sigma:.2}px"),
        format!("gray paper {paper}±{grad:.0}, ink {ink}"),
    ];
    (out, deg)
}

fn gray_to_rgb(img: &GrayImage, tint: [f32; 3]) -> RgbImage {
    RgbImage::from_fn(img.width(), img.height(), |x, y| {
        let v = img.get_pixel(x, y).0[0] as f32;
        Rgb(tint.map(|t| (v * t / 255.0).round() as u8))
    })
}

/// Multiplies `ov` (ink drawn on white) onto `page` with opacity `alpha * texture`.
fn multiply(page: &mut RgbImage, ov: &RgbImage, alpha: f32, texture: Option<&[f32]>) {
    assert_eq!(page.dimensions(), ov.dimensions(), "overlay size");
    let w = page.width();
    for (x, y, p) in page.enumerate_pixels_mut() {
        let o = ov.get_pixel(x, y).0;
        if o == [255, 255, 255] {
            continue;
        }
        let a = alpha * texture.map_or(1.0, |t| t[(y * w + x) as usize]);
        for (pc, oc) in p.0.iter_mut().zip(o) {
            let m = 1.0 - a * (1.0 - oc as f32 / 255.0);
            *pc = (*pc as f32 * m).round() as u8;
        }
    }
}

fn add_rgb_noise(img: &mut RgbImage, sigma: f32, rng: &mut Rng) {
    for p in img.pixels_mut() {
        let n = sigma * rng.gauss();
        for c in 0..3 {
            p.0[c] = (p.0[c] as f32 + n + 0.5 * sigma * rng.gauss())
                .round()
                .clamp(0.0, 255.0) as u8;
        }
    }
}

/// Solves the 8 unknowns of the homography mapping `from[i]` to `to[i]`.
fn homography(from: [(f64, f64); 4], to: [(f64, f64); 4]) -> [f64; 8] {
    let mut a = [[0f64; 9]; 8];
    for i in 0..4 {
        let ((x, y), (u, v)) = (from[i], to[i]);
        a[2 * i] = [x, y, 1.0, 0.0, 0.0, 0.0, -x * u, -y * u, u];
        a[2 * i + 1] = [0.0, 0.0, 0.0, x, y, 1.0, -x * v, -y * v, v];
    }
    for col in 0..8 {
        let piv = (col..8)
            .max_by(|&i, &j| a[i][col].abs().total_cmp(&a[j][col].abs()))
            .unwrap();
        a.swap(col, piv);
        for r in 0..8 {
            if r != col {
                let f = a[r][col] / a[col][col];
                let pivot = a[col];
                for (x, pv) in a[r].iter_mut().zip(pivot).skip(col) {
                    *x -= f * pv;
                }
            }
        }
    }
    std::array::from_fn(|i| a[i][8] / a[i][i])
}

// ───────────────────────────── encoding ─────────────────────────────

/// JPEG via `jpeg-encoder` (scalar code, optimized Huffman tables, 4:2:0 chroma, JFIF density).
fn jpeg_bytes(img: &image::DynamicImage, q: u8, dpi: u32) -> Res<Vec<u8>> {
    use jpeg_encoder::{ColorType, Encoder, PixelDensity, SamplingFactor};
    let mut buf = vec![];
    let mut enc = Encoder::new(&mut buf, q);
    enc.set_optimized_huffman_tables(true);
    enc.set_sampling_factor(SamplingFactor::R_4_2_0);
    enc.set_density(PixelDensity::dpi(dpi as u16));
    let (w, h) = (img.width() as u16, img.height() as u16);
    match img {
        image::DynamicImage::ImageLuma8(g) => enc.encode(g.as_raw(), w, h, ColorType::Luma)?,
        other => enc.encode(other.to_rgb8().as_raw(), w, h, ColorType::Rgb)?,
    }
    Ok(buf)
}

fn write_jpeg(img: &image::DynamicImage, q: u8, dpi: u32, path: &Path) -> Res<()> {
    std::fs::write(path, jpeg_bytes(img, q, dpi)?)?;
    Ok(())
}

/// PNG with the best deflate level and adaptive filters (the new fixtures; `save` keeps the
/// original four files byte-identical).
fn png_best(img: &image::DynamicImage, path: &Path) -> Res<()> {
    use image::ImageEncoder;
    use image::codecs::png::{CompressionType, FilterType as PngFilter, PngEncoder};
    let mut buf = vec![];
    let enc = PngEncoder::new_with_quality(&mut buf, CompressionType::Best, PngFilter::Adaptive);
    enc.write_image(
        img.as_bytes(),
        img.width(),
        img.height(),
        img.color().into(),
    )?;
    std::fs::write(path, buf)?;
    Ok(())
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

// ───────────────────────────── fonts (for krilla overlays) ─────────────────────────────

struct Fonts {
    sans: OtFace,
    bold: OtFace,
}

fn fill(c: (u8, u8, u8)) -> Fill {
    Fill {
        paint: rgb::Color::new(c.0, c.1, c.2).into(),
        opacity: NormalizedF32::ONE,
        rule: Default::default(),
    }
}

fn stroke(c: (u8, u8, u8), width: f32) -> Stroke {
    Stroke {
        paint: rgb::Color::new(c.0, c.1, c.2).into(),
        width,
        line_cap: LineCap::Round,
        line_join: LineJoin::Round,
        ..Default::default()
    }
}

/// Text with its baseline starting at (x, y), top-down page coordinates.
fn text(s: &mut Surface, f: &OtFace, x: f32, y: f32, size: f32, c: (u8, u8, u8), t: &str) {
    s.set_stroke(None);
    s.set_fill(Some(fill(c)));
    s.draw_glyphs(
        Point::from_xy(x, y),
        &f.glyphs(t),
        f.font.clone(),
        t,
        size,
        false,
    );
}

/// One glyph centred at (x, y) (em box centre), rotated by `deg` and scaled by (sx, 1).
#[allow(clippy::too_many_arguments)]
fn glyph_at(s: &mut Surface, f: &OtFace, ch: char, x: f32, y: f32, size: f32, deg: f32, sx: f32) {
    let t = ch.to_string();
    let adv = f.width(&t) * size;
    s.push_transform(&Transform::from_translate(x, y));
    s.push_transform(&Transform::from_rotate(deg));
    s.push_transform(&Transform::from_scale(sx, 1.0));
    s.set_stroke(None);
    s.draw_glyphs(
        Point::from_xy(-adv / 2.0, 0.38 * size),
        &f.glyphs(&t),
        f.font.clone(),
        &t,
        size,
        false,
    );
    s.pop();
    s.pop();
    s.pop();
}

fn circle(pb: &mut PathBuilder, cx: f32, cy: f32, r: f32) {
    let k = 0.552_284_8 * r;
    pb.move_to(cx + r, cy);
    pb.cubic_to(cx + r, cy + k, cx + k, cy + r, cx, cy + r);
    pb.cubic_to(cx - k, cy + r, cx - r, cy + k, cx - r, cy);
    pb.cubic_to(cx - r, cy - k, cx - k, cy - r, cx, cy - r);
    pb.cubic_to(cx + k, cy - r, cx + r, cy - k, cx + r, cy);
    pb.close();
}

/// Draws an overlay of `w × h` pt with krilla and rasterizes it in colour at `dpi`.
fn overlay(w: f32, h: f32, dpi: u32, draw: impl FnOnce(&mut Surface)) -> Res<RgbImage> {
    let settings = SerializeSettings {
        xmp_metadata: false,
        enable_tagging: false,
        ..Default::default()
    };
    let mut doc = Document::new_with(settings);
    {
        let mut page = doc.start_page_with(PageSettings::from_wh(w, h).ok_or("page size")?);
        let mut s = page.surface();
        draw(&mut s);
        s.finish();
        page.finish();
    }
    let pdf = doc.finish().map_err(|e| format!("krilla: {e:?}"))?;
    let path = tmp_path().with_extension("pdf");
    std::fs::write(&path, pdf)?;
    let img = pdftoppm(&path, 1, dpi, false)?.into_rgb8();
    std::fs::remove_file(&path)?;
    Ok(img)
}

/// A round company seal (公章): ring, five-pointed star, name on the upper arc, a line of text
/// below the star; centre (cx, cy), radius r, turned by `deg`.
#[allow(clippy::too_many_arguments)]
fn seal(
    s: &mut Surface,
    f: &OtFace,
    cx: f32,
    cy: f32,
    r: f32,
    deg: f32,
    name: &str,
    below: &str,
    c: (u8, u8, u8),
) {
    s.push_transform(&Transform::from_rotate_at(deg, cx, cy));
    let mut pb = PathBuilder::new();
    circle(&mut pb, cx, cy, r * 0.965);
    let ring = pb.finish().expect("ring");
    s.set_fill(None);
    s.set_stroke(Some(stroke(c, r * 0.07)));
    s.draw_path(&ring);
    s.set_stroke(None);
    // Star.
    let (rs, ri) = (r * 0.3, r * 0.3 * 0.382);
    let mut pb = PathBuilder::new();
    for i in 0..10 {
        let a = (-90.0 + 36.0 * i as f32).to_radians();
        let rr = if i % 2 == 0 { rs } else { ri };
        let (x, y) = (cx + rr * a.cos(), cy - 0.02 * r + rr * a.sin());
        if i == 0 {
            pb.move_to(x, y);
        } else {
            pb.line_to(x, y);
        }
    }
    pb.close();
    s.set_fill(Some(fill(c)));
    s.draw_path(&pb.finish().expect("star"));
    // Arc text, each glyph upright towards the rim, left to right over the top.
    let chars: Vec<char> = name.chars().collect();
    let n = chars.len() as f32;
    let rt = r * 0.7;
    let size = (r * 0.26).min(rt * 230f32.to_radians() / (n - 1.0) / 0.9);
    let step = (size * 0.9 / rt).to_degrees();
    for (i, ch) in chars.iter().enumerate() {
        let phi = (i as f32 - (n - 1.0) / 2.0) * step;
        let (sn, cs) = phi.to_radians().sin_cos();
        glyph_at(s, f, *ch, cx + rt * sn, cy - rt * cs, size, phi, 0.8);
    }
    let bs = r * 0.17;
    let bw = f.width(below) * bs;
    text(s, f, cx - bw / 2.0, cy + 0.62 * r, bs, c, below);
    s.pop();
}

const SEAL_RED: (u8, u8, u8) = (220, 42, 48);
const INK_BLUE: (u8, u8, u8) = (22, 40, 120);

/// Seal ink: opacity 0.7 with smooth unevenness (0.55–1 of it) as from a worn stamp pad.
fn seal_texture(w: u32, h: u32, dpi: u32, rng: &mut Rng) -> Vec<f32> {
    value_noise(w, h, dpi / 25, rng)
        .into_iter()
        .map(|v| 0.55 + 0.45 * v)
        .collect()
}

// ───────────────────────────── ID cards ─────────────────────────────

fn id_valid(id: &str) -> bool {
    id.len() == 18 && id[..17].bytes().all(|b| b.is_ascii_digit()) && {
        id_check(&id[..17]) == id.as_bytes()[17] as char
    }
}

/// The first sequence number (odd for men, even for women) from `seq` on whose check character
/// satisfies `want`.
fn id_number(region_birth: &str, mut seq: u32, male: bool, want: impl Fn(char) -> bool) -> String {
    loop {
        if (seq % 2 == 1) == male {
            let first = format!("{region_birth}{seq:03}");
            let c = id_check(&first);
            if want(c) {
                let id = format!("{first}{c}");
                assert!(id_valid(&id));
                return id;
            }
        }
        seq += 1;
    }
}

struct Person {
    name: &'static str,
    sex: &'static str,
    ethnicity: &'static str,
    birth: (u32, u32, u32),
    address: &'static str,
    id: String,
}

fn id_card(fonts: &Fonts, p: &Person, rng: &mut Rng) -> Res<RgbImage> {
    let (w, h) = (85.6 / 25.4 * 72.0, 54.0 / 25.4 * 72.0);
    let label = (30, 70, 125);
    let black = (16, 16, 16);
    let ov = overlay(w, h, 300, |s| {
        let (lx, vx, ls, vs) = (16.0, 44.0, 8.0, 10.0);
        text(s, &fonts.sans, lx, 30.0, ls, label, "姓名");
        text(s, &fonts.bold, vx, 30.5, vs + 1.0, black, p.name);
        text(s, &fonts.sans, lx, 50.0, ls, label, "性别");
        text(s, &fonts.sans, vx, 50.0, vs, black, p.sex);
        text(s, &fonts.sans, 78.0, 50.0, ls, label, "民族");
        text(s, &fonts.sans, 104.0, 50.0, vs, black, p.ethnicity);
        text(s, &fonts.sans, lx, 70.0, ls, label, "出生");
        let (y, m, d) = p.birth;
        let birth = format!("{y}  年  {m}  月  {d}  日");
        text(s, &fonts.sans, vx, 70.0, vs, black, &birth);
        text(s, &fonts.sans, lx, 90.0, ls, label, "住址");
        let chars: Vec<char> = p.address.chars().collect();
        let mut line = String::new();
        let mut y = 90.0;
        for ch in chars {
            line.push(ch);
            if fonts.sans.width(&line) * vs > 112.0 {
                line.pop();
                text(s, &fonts.sans, vx, y, vs, black, &line);
                y += 14.0;
                line = ch.to_string();
            }
        }
        text(s, &fonts.sans, vx, y, vs, black, &line);
        text(s, &fonts.sans, lx, 136.0, ls, label, "公民身份号码");
        let mut x = 80.0;
        for ch in p.id.chars() {
            let t = ch.to_string();
            text(s, &fonts.bold, x, 136.5, 11.0, black, &t);
            x += fonts.bold.width(&t) * 11.0 + 0.9;
        }
    })?;
    let (pw, ph) = ov.dimensions();
    let tex = value_noise(pw, ph, 40, rng);
    let mut card = RgbImage::from_fn(pw, ph, |x, y| {
        let (fx, fy) = (x as f32, y as f32);
        // Light blue base with a soft gradient and a faint guilloche.
        let t = fx / pw as f32;
        let base = [222.0 + 14.0 * t, 233.0 + 6.0 * t, 244.0 - 6.0 * t];
        let g = ((fx * 0.045 + 3.0 * (fy * 0.012).sin()).sin()
            * (fy * 0.05 + 2.0 * (fx * 0.01).sin()).sin())
        .abs();
        let line = if g < 0.08 {
            10.0 * (1.0 - g / 0.08)
        } else {
            0.0
        };
        let n = 6.0 * (tex[(y * pw + x) as usize] - 0.5);
        let mut px = [0u8; 3];
        for c in 0..3 {
            let d = if c == 2 { line * 0.3 } else { line };
            px[c] = (base[c] - d + n).round().clamp(0.0, 255.0) as u8;
        }
        Rgb(px)
    });
    // Photo placeholder: pale panel with a gray head-and-shoulders silhouette.
    let (x0, x1, y0, y1) = (
        0.66 * pw as f32,
        0.93 * pw as f32,
        0.12 * ph as f32,
        0.78 * ph as f32,
    );
    let (hx, hy, hr) = ((x0 + x1) / 2.0, y0 + 0.36 * (y1 - y0), 0.24 * (x1 - x0));
    for (x, y, p) in card.enumerate_pixels_mut() {
        let (fx, fy) = (x as f32, y as f32);
        if fx >= x0 && fx < x1 && fy >= y0 && fy < y1 {
            let head = ((fx - hx) / hr).powi(2) + ((fy - hy) / (hr * 1.25)).powi(2) < 1.0;
            let sw = (x1 - x0) * 0.46;
            let body = fy > hy + hr * 1.1
                && ((fx - hx) / sw).powi(2) + ((fy - y1) / ((y1 - hy) * 0.6)).powi(2) < 1.0;
            *p = if head || body {
                Rgb([120, 124, 130])
            } else {
                Rgb([236, 240, 244])
            };
        }
    }
    multiply(&mut card, &ov, 1.0, None);
    // Rounded corners on white (a card on a scanner lid).
    let rad = 0.035 * pw as f32;
    for (x, y, p) in card.enumerate_pixels_mut() {
        let cx = (x as f32 + 0.5).clamp(rad, pw as f32 - rad);
        let cy = (y as f32 + 0.5).clamp(rad, ph as f32 - rad);
        let d = ((x as f32 + 0.5 - cx).powi(2) + (y as f32 + 0.5 - cy).powi(2)).sqrt();
        if d > rad {
            *p = Rgb([255, 255, 255]);
        }
    }
    let mut card = image::imageops::blur(&card, 0.6);
    add_rgb_noise(&mut card, 2.0, rng);
    Ok(card)
}

// ───────────────────────────── image-only PDFs ─────────────────────────────

/// A PDF whose pages are each one image XObject covering the page (`w × h` pt), no text.
fn image_pdf(pages: Vec<(f32, f32, lopdf::Dictionary, Vec<u8>)>, seed: &str) -> Res<Vec<u8>> {
    use lopdf::{Dictionary, Object, Stream, dictionary};
    let mut doc = lopdf::Document::with_version("1.4");
    let pages_id = doc.new_object_id();
    let mut kids = vec![];
    for (w, h, dict, data) in pages {
        let img = doc.add_object(Stream::new(dict, data).with_compression(false));
        let content = format!("q {w} 0 0 {h} 0 0 cm /Im0 Do Q\n");
        let content = doc.add_object(Stream::new(Dictionary::new(), content.into_bytes()));
        let page = doc.add_object(dictionary! {
            "Type" => "Page",
            "Parent" => pages_id,
            "MediaBox" => vec![0.into(), 0.into(), Object::Real(w), Object::Real(h)],
            "Contents" => content,
            "Resources" => dictionary! { "XObject" => dictionary! { "Im0" => img } },
        });
        kids.push(page.into());
    }
    finish_lopdf(doc, pages_id, kids, "jzz gen_ocr_fixtures", seed)
}

fn img_dict(w: u32, h: u32, cs: &str, bpc: i64, filter: &str) -> lopdf::Dictionary {
    use lopdf::dictionary;
    dictionary! {
        "Type" => "XObject",
        "Subtype" => "Image",
        "Width" => w as i64,
        "Height" => h as i64,
        "ColorSpace" => cs,
        "BitsPerComponent" => bpc,
        "Filter" => filter,
    }
}

fn deflate(data: &[u8]) -> Res<Vec<u8>> {
    use std::io::Write;
    let mut e = flate2::write::ZlibEncoder::new(vec![], flate2::Compression::best());
    e.write_all(data)?;
    Ok(e.finish()?)
}

// ───────────────────────────── scanned bundles ─────────────────────────────

/// `bundles/scan-cat1/`: the bundle `fixtures/bundles/complete-cat1` as a unit uploads it after
/// printing and scanning: every PDF replaced by a scanned PDF (each page rasterized at 200 dpi,
/// a flatbed scan's skew, paper shade, noise and blur, JPEG q70 in DCTDecode), the 居住证 as a
/// phone-camera-like PNG; `case.toml` and the withholding export (xlsx) kept as they are.
/// The generator of the original bundle says what every check should find; on the scans a
/// check may also be `needs_review` (a value read below the OCR bar), never `pass` where the
/// original does not pass.
fn bundles(out: &Path) -> Res<()> {
    let src = Path::new("fixtures/bundles/complete-cat1");
    let dir = out.join("bundles/scan-cat1");
    if dir.exists() {
        std::fs::remove_dir_all(&dir)?;
    }
    std::fs::create_dir_all(&dir)?;
    let mut names: Vec<PathBuf> = std::fs::read_dir(src)?
        .map(|e| e.map(|e| e.path()))
        .collect::<Result<_, _>>()?;
    names.sort();
    for p in names {
        let name = p.file_name().unwrap().to_string_lossy().to_string();
        let target = dir.join(&name);
        if !name.ends_with(".pdf") {
            std::fs::copy(&p, &target)?;
            continue;
        }
        let mut rng = Rng::new(&name);
        // Absolute: the helpers resolve names against fixtures/pdf.
        let pdf = std::fs::canonicalize(&p)?.to_string_lossy().to_string();
        if name == "居住证.pdf" {
            // The permit photographed and saved as PNG (file name kept but for the extension).
            let (img, _) = scan(&gray_at(&pdf, 1, 200)?, 200, &mut rng);
            png_best(
                &image::DynamicImage::ImageLuma8(img),
                &target.with_extension("png"),
            )?;
            continue;
        }
        let mut pages = vec![];
        for k in 1..=page_count(&pdf)? {
            let (img, _) = scan(&gray_at(&pdf, k, 200)?, 200, &mut rng);
            let (w, h) = img.dimensions();
            let jpeg = jpeg_bytes(&image::DynamicImage::ImageLuma8(img), 70, 200)?;
            pages.push((
                w as f32 * 72.0 / 200.0,
                h as f32 * 72.0 / 200.0,
                img_dict(w, h, "DeviceGray", 8, "DCTDecode"),
                jpeg,
            ));
        }
        std::fs::write(&target, image_pdf(pages, &name)?)?;
        println!("wrote {}", target.display());
    }
    Ok(())
}

// ───────────────────────────── manifest ─────────────────────────────

fn pdf_truth(stem: &str) -> Res<Value> {
    let path = Path::new(PDF_DIR)
        .join("truth")
        .join(format!("{stem}.json"));
    Ok(serde_json::from_str(&std::fs::read_to_string(path)?)?)
}

/// The truth of page 1 of the contract: `signed_on` is printed on page 2 only.
fn contract_p1_truth() -> Res<Value> {
    let mut t = pdf_truth("contract-2019-fixed")?;
    t.as_object_mut().ok_or("truth")?.remove("signed_on");
    Ok(t)
}

const CONTRACT_NOTE: &str =
    "page 1 only: signed_on (签订日期, printed on page 2) is dropped from the truth";

struct Out {
    dir: PathBuf,
    manifest: Vec<Value>,
}

impl Out {
    fn record(&mut self, rel: &str, dims: (u32, u32), mut entry: Value) -> Res<()> {
        let size = std::fs::metadata(self.dir.join(rel))?.len();
        println!("wrote {rel} ({} × {}, {size} bytes)", dims.0, dims.1);
        let mut e = json!({ "file": rel, "width": dims.0, "height": dims.1 });
        e.as_object_mut()
            .ok_or("entry")?
            .append(entry.as_object_mut().ok_or("entry")?);
        self.manifest.push(e);
        Ok(())
    }
}

/// The five single-page sources of the resolution sets: (stem, page).
const SET_SOURCES: [(&str, u32); 5] = [
    ("tax-export-printed", 1),
    ("tax-record-1page", 1),
    ("si-record", 1),
    ("contract-2019-fixed", 1),
    ("residence-permit", 1),
];

/// The resolution sets are JPEG quality 85 at every dpi: with the scanner noise a PNG of an A4
/// page is 1.2 MB at 150 dpi and 2–3.5 MB at 200/300 dpi, a JPEG 0.14–0.9 MB.
const SET_JPEG_Q: u8 = 85;

fn sets(out: &mut Out) -> Res<()> {
    for dpi in [150, 200, 300] {
        let dir = format!("set-{dpi}dpi");
        std::fs::create_dir_all(out.dir.join(&dir))?;
        for (stem, page) in SET_SOURCES {
            let rel = format!("{dir}/{stem}.jpg");
            let mut rng = Rng::new(&rel);
            let src = gray_at(&format!("{stem}.pdf"), page, dpi)?;
            let (img, mut deg) = scan(&src, dpi, &mut rng);
            let dims = img.dimensions();
            write_jpeg(&img.into(), SET_JPEG_Q, dpi, &out.dir.join(&rel))?;
            deg.push(format!("jpeg q{SET_JPEG_Q}"));
            let (truth, note) = if stem == "contract-2019-fixed" {
                (contract_p1_truth()?, Some(CONTRACT_NOTE))
            } else {
                (pdf_truth(stem)?, None)
            };
            let mut e = json!({
                "set": format!("{dpi}dpi"),
                "source": format!("{PDF_DIR}/{stem}.pdf"),
                "pages": [page],
                "dpi": dpi,
                "color": "gray",
                "degradations": deg,
                "truth": truth,
            });
            if let Some(n) = note {
                e["note"] = n.into();
            }
            out.record(&rel, dims, e)?;
        }
    }
    Ok(())
}

fn special_entry(source: &str, pages: &[u32], dpi: u32, color: &str, deg: &[&str]) -> Value {
    json!({
        "set": "special",
        "source": format!("{PDF_DIR}/{source}.pdf"),
        "pages": pages,
        "dpi": dpi,
        "color": color,
        "degradations": deg,
    })
}

// Export page geometry (pt, top-down), from `pdftotext -bbox fixtures/pdf/tax-export-printed.pdf`:
// the table spans x 48–793, y 50–546; the footer 第 1 页，共 1 页 sits at x 393–449, y 572–580.
const EXPORT_W: f32 = 842.0;
const EXPORT_H: f32 = 595.0;

fn specials(out: &mut Out, fonts: &Fonts) -> Res<()> {
    std::fs::create_dir_all(out.dir.join("special"))?;
    let export = "tax-export-printed";
    let export_truth = pdf_truth(export)?;

    // Export on its side.
    {
        let rel = "special/export-rotated90.png";
        let img = image::imageops::rotate90(&gray_at("tax-export-printed.pdf", 1, 200)?);
        png_best(&img.clone().into(), &out.dir.join(rel))?;
        let mut e = special_entry(export, &[1], 200, "gray", &["rotated 90° clockwise"]);
        e["truth"] = export_truth.clone();
        out.record(rel, img.dimensions(), e)?;
    }

    // A clean 300-dpi scan of a 纳税记录 with one smudge (a thumb of toner) over the
    // subtitle (原《税收完税证明》), outside the table: the smudged words read with low
    // confidence, the table's rows read well.
    {
        let rel = "special/tax-record-smudged.png";
        let mut rng = Rng::new(rel);
        let mut img = gray_at("tax-record-stsong.pdf", 1, 300)?;
        // The subtitle's middle at 300 dpi (the page is 2480 × 3509): centre, radii.
        let (cx, cy, rx, ry) = (1220.0f32, 612.0f32, 170.0f32, 42.0f32);
        for y in (cy - ry) as u32..=(cy + ry) as u32 {
            for x in (cx - rx) as u32..=(cx + rx) as u32 {
                let d = ((x as f32 - cx) / rx).powi(2) + ((y as f32 - cy) / ry).powi(2);
                if d > 1.0 {
                    continue;
                }
                // Darkest at the centre, fading to the edge, grainy.
                let shade = (1.0 - d).sqrt() * (0.62 + 0.12 * rng.gauss()).clamp(0.3, 0.9);
                let p = img.get_pixel_mut(x, y);
                p.0[0] = (p.0[0] as f32 * (1.0 - shade)).round().clamp(0.0, 255.0) as u8;
            }
        }
        png_best(&img.clone().into(), &out.dir.join(rel))?;
        let mut e = special_entry(
            "tax-record-stsong",
            &[1],
            300,
            "gray",
            &["smudge over the subtitle, outside the table"],
        );
        e["truth"] = pdf_truth("tax-record-stsong")?;
        out.record(rel, img.dimensions(), e)?;
    }

    // Strong JPEG compression.
    {
        let rel = "special/tax-record-jpeg.jpg";
        let img = gray_at("tax-record-1page.pdf", 1, 200)?;
        let dims = img.dimensions();
        write_jpeg(&img.into(), 40, 200, &out.dir.join(rel))?;
        let mut e = special_entry("tax-record-1page", &[1], 200, "gray", &["jpeg q40"]);
        e["truth"] = pdf_truth("tax-record-1page")?;
        out.record(rel, dims, e)?;
    }

    // Two seals: one over the amount columns, one over the title/header.
    {
        let rel = "special/export-seal.jpg";
        let mut rng = Rng::new(rel);
        let mut page = rgb_at("tax-export-printed.pdf", 1, 300)?;
        let ov = overlay(EXPORT_W, EXPORT_H, 300, |s| {
            seal(
                s,
                &fonts.bold,
                612.0,
                318.0,
                60.0,
                -14.0,
                "北京通州云启科技有限公司",
                "财务专用章",
                SEAL_RED,
            );
            seal(
                s,
                &fonts.bold,
                600.0,
                62.0,
                48.0,
                9.0,
                "国家税务总局北京市通州区税务局",
                "业务专用章",
                SEAL_RED,
            );
        })?;
        let (w, h) = page.dimensions();
        let tex = seal_texture(w, h, 300, &mut rng);
        multiply(&mut page, &ov, 0.72, Some(&tex));
        write_jpeg(&page.into(), 85, 300, &out.dir.join(rel))?;
        let mut e = special_entry(
            export,
            &[1],
            300,
            "rgb",
            &[
                "red seal Ø120pt at (612,318)pt over the 本期收入/本期免税收入 cells of rows 10–15",
                "red seal Ø96pt at (600,62)pt over the title and column headers",
                "seal RGB(220,42,48) multiplied, alpha 0.72 × uneven ink 0.55–1",
                "jpeg q85",
            ],
        );
        e["truth"] = export_truth.clone();
        out.record(rel, (w, h), e)?;
    }

    // Handwritten note below the table, with a seal next to it.
    {
        let rel = "special/export-note.png";
        let note = "刘洋连续缴纳情况属实";
        let mut rng = Rng::new(rel);
        let mut page = rgb_at("tax-export-printed.pdf", 1, 200)?;
        let jit: Vec<[f32; 4]> = (0..note.chars().count())
            .map(|_| {
                [
                    rng.uniform(-7.0, 7.0),
                    rng.uniform(-1.3, 1.3),
                    rng.uniform(-1.0, 1.2),
                    rng.uniform(-1.0, 1.5),
                ]
            })
            .collect();
        let scribble: Vec<(f32, f32)> = (0..9)
            .map(|i| {
                (
                    222.0 + 8.0 * i as f32 + rng.uniform(-4.0, 4.0),
                    570.0 + rng.uniform(-11.0, 8.0),
                )
            })
            .collect();
        let ink = overlay(EXPORT_W, EXPORT_H, 200, |s| {
            s.set_fill(Some(fill(INK_BLUE)));
            let mut x = 62.0;
            for (ch, j) in note.chars().zip(jit.iter()) {
                let size = 15.0 + j[2];
                glyph_at(
                    s,
                    &fonts.sans,
                    ch,
                    x + size / 2.0,
                    567.0 + j[1],
                    size,
                    j[0],
                    0.92,
                );
                x += size * 0.95 + j[3];
            }
            // Signature: a flowing scribble, then an underline stroke.
            let mut pb = PathBuilder::new();
            pb.move_to(scribble[0].0, scribble[0].1);
            for w in scribble.windows(3).step_by(2) {
                pb.cubic_to(
                    w[0].0 + 6.0,
                    w[0].1 - 14.0,
                    w[1].0 - 4.0,
                    w[1].1 + 12.0,
                    w[2].0,
                    w[2].1,
                );
            }
            pb.move_to(214.0, 584.0);
            pb.quad_to(250.0, 578.0, 292.0, 581.0);
            s.set_fill(None);
            s.set_stroke(Some(stroke(INK_BLUE, 1.1)));
            s.draw_path(&pb.finish().expect("scribble"));
        })?;
        let red = overlay(EXPORT_W, EXPORT_H, 200, |s| {
            seal(
                s,
                &fonts.bold,
                342.0,
                553.0,
                40.0,
                -8.0,
                "北京通州云启科技有限公司",
                "人事专用章",
                SEAL_RED,
            );
        })?;
        let (w, h) = page.dimensions();
        multiply(&mut page, &ink, 0.92, None);
        let tex = seal_texture(w, h, 200, &mut rng);
        multiply(&mut page, &red, 0.7, Some(&tex));
        png_best(&page.clone().into(), &out.dir.join(rel))?;
        let mut e = special_entry(
            export,
            &[1],
            200,
            "rgb",
            &[
                "handwritten-style note 刘洋连续缴纳情况属实 in dark blue ink RGB(22,40,120) below the table (y 555–580pt, x 60–215pt), per-glyph rotation ±7° and baseline jitter",
                "signature scribble x 214–292pt",
                "red seal Ø80pt at (342,553)pt right of the signature, over the bottom table rows",
            ],
        );
        e["truth"] = export_truth.clone();
        e["handwriting"] = json!({ "note": note, "ink": "dark blue" });
        out.record(rel, (w, h), e)?;
    }

    // Phone photo of the contract.
    {
        let rel = "special/contract-photo.jpg";
        let mut rng = Rng::new(rel);
        let src = gray_at("contract-2019-fixed.pdf", 1, 250)?;
        let (sw, sh) = src.dimensions();
        let (w, h) = (2400u32, 3200u32);
        let dst = [
            (214.0, 246.0),
            (2206.0, 182.0),
            (2282.0, 3034.0),
            (146.0, 2978.0),
        ];
        let srcq = [
            (0.0, 0.0),
            (sw as f64, 0.0),
            (sw as f64, sh as f64),
            (0.0, sh as f64),
        ];
        let hm = homography(dst, srcq);
        let wood = value_noise(w, h, 160, &mut rng);
        let grain = value_noise(w, h / 8 + 1, 24, &mut rng);
        let mut img = RgbImage::from_fn(w, h, |x, y| {
            let (fx, fy) = (x as f64, y as f64);
            let d = hm[6] * fx + hm[7] * fy + 1.0;
            let u = ((hm[0] * fx + hm[1] * fy + hm[2]) / d) as f32;
            let v = ((hm[3] * fx + hm[4] * fy + hm[5]) / d) as f32;
            // Light: brighter top-left, darker bottom-right, vignette.
            let (nx, ny) = (x as f32 / w as f32 - 0.5, y as f32 / h as f32 - 0.5);
            let light = (1.0 - 0.16 * (nx + ny) - 0.55 * (nx * nx + ny * ny)).clamp(0.3, 1.1);
            let inside = u >= 0.0 && v >= 0.0 && u < sw as f32 && v < sh as f32;
            if inside {
                let g = sample(&src, u, v, 255.0) / 255.0;
                let paper = [246.0, 241.0, 229.0];
                let ink = 30.0;
                Rgb(paper.map(|p| ((ink + (p - ink) * g) * light).clamp(0.0, 255.0) as u8))
            } else {
                // Desk: brown wood with slow variation and horizontal grain; soft shadow at the
                // paper's edge.
                let wv = wood[(y * w + x) as usize];
                let gv = grain[((y / 8) * w + x) as usize];
                let edge = (-u).max(u - sw as f32).max(-v).max(v - sh as f32);
                let shadow = if edge < 40.0 {
                    0.55 + 0.45 * edge / 40.0
                } else {
                    1.0
                };
                let base = [120.0, 84.0, 56.0];
                let k = (0.8 + 0.3 * wv + 0.12 * gv) * light * shadow;
                Rgb(base.map(|b| (b * k).clamp(0.0, 255.0) as u8))
            }
        });
        img = image::imageops::blur(&img, 0.9);
        add_rgb_noise(&mut img, 1.5, &mut rng);
        write_jpeg(&img.into(), 80, 250, &out.dir.join(rel))?;
        let mut e = special_entry(
            "contract-2019-fixed",
            &[1],
            250,
            "rgb",
            &[
                "phone photo: page rasterized at 250 dpi, perspective-warped into a 2400×3200 frame (corners TL(214,246) TR(2206,182) BR(2282,3034) BL(146,2978))",
                "warm paper tint, uneven light (top-left brighter, vignette)",
                "wooden-desk border with shadow at the paper edge",
                "blur σ=0.9px",
                "colour noise σ=1.5",
                "jpeg q80",
            ],
        );
        e["truth"] = contract_p1_truth()?;
        e["note"] = CONTRACT_NOTE.into();
        out.record(rel, (w, h), e)?;
    }

    // ID cards.
    let people = [
        (
            "special/id-card.jpg",
            Person {
                name: "张伟",
                sex: "男",
                ethnicity: "汉",
                birth: (1990, 3, 7),
                address: "河北省石家庄市长安区中山东路123号",
                id: id_number("13010219900307", 431, true, |c| c != 'X'),
            },
        ),
        (
            "special/id-card-x.jpg",
            Person {
                name: "李秀英",
                sex: "女",
                ethnicity: "汉",
                birth: (1986, 11, 23),
                address: "北京市海淀区中关村南大街27号院3号楼502号",
                id: id_number("11010819861123", 262, false, |c| c == 'X'),
            },
        ),
    ];
    for (rel, p) in &people {
        let mut rng = Rng::new(rel);
        assert!(id_valid(&p.id), "{}", p.id);
        let card = id_card(fonts, p, &mut rng)?;
        let dims = card.dimensions();
        write_jpeg(&card.into(), 90, 300, &out.dir.join(rel))?;
        let (y, m, d) = p.birth;
        let e = json!({
            "set": "special",
            "source": null,
            "pages": [1],
            "dpi": 300,
            "color": "rgb",
            "degradations": ["synthetic card 85.6×54 mm, light-blue guilloche background", "blur σ=0.6px", "colour noise σ=2", "jpeg q90"],
            "truth": {
                "kind": "id_card",
                "name": p.name,
                "sex": p.sex,
                "ethnicity": p.ethnicity,
                "birth": format!("{y:04}-{m:02}-{d:02}"),
                "address": p.address,
                "id_number": p.id,
            },
        });
        out.record(rel, dims, e)?;
    }

    // Multi-page TIFF.
    let three = "tax-record-3pages";
    let n = page_count(&format!("{three}.pdf"))?;
    let pages: Vec<GrayImage> = (1..=n)
        .map(|p| gray_at(&format!("{three}.pdf"), p, 200))
        .collect::<Res<_>>()?;
    {
        use tiff::encoder::{
            Compression, DeflateLevel, Predictor, Rational, TiffEncoder, colortype::Gray8,
        };
        let rel = "special/tax-record-3pages.tif";
        let mut buf = std::io::Cursor::new(vec![]);
        let mut enc = TiffEncoder::new(&mut buf)?
            .with_compression(Compression::Deflate(DeflateLevel::Best))
            .with_predictor(Predictor::Horizontal);
        for p in &pages {
            let mut im = enc.new_image::<Gray8>(p.width(), p.height())?;
            im.resolution(tiff::tags::ResolutionUnit::Inch, Rational { n: 200, d: 1 });
            im.write_data(p.as_raw())?;
        }
        std::fs::write(out.dir.join(rel), buf.into_inner())?;
        let pnums: Vec<u32> = (1..=n).collect();
        let mut e = special_entry(
            three,
            &pnums,
            200,
            "gray",
            &["multi-page TIFF, Deflate with horizontal predictor, clean"],
        );
        e["truth"] = pdf_truth(three)?;
        out.record(rel, pages[0].dimensions(), e)?;
    }

    // Image-only PDF, 3 pages: DCT gray, DCT RGB (tinted), Flate gray.
    {
        let rel = "special/scanned.pdf";
        let mut rng = Rng::new(rel);
        let (pw, ph) = (595.0, 842.0);
        let mut pdf_pages = vec![];
        let p1 = &pages[0];
        let (w, h) = p1.dimensions();
        pdf_pages.push((
            pw,
            ph,
            img_dict(w, h, "DeviceGray", 8, "DCTDecode"),
            jpeg_bytes(&p1.clone().into(), 85, 200)?,
        ));
        let mut p2 = gray_to_rgb(&pages[1], [250.0, 244.0, 226.0]);
        add_rgb_noise(&mut p2, 1.5, &mut rng);
        let (w, h) = p2.dimensions();
        pdf_pages.push((
            pw,
            ph,
            img_dict(w, h, "DeviceRGB", 8, "DCTDecode"),
            jpeg_bytes(&p2.into(), 85, 200)?,
        ));
        let p3 = &pages[2];
        let (w, h) = p3.dimensions();
        pdf_pages.push((
            pw,
            ph,
            img_dict(w, h, "DeviceGray", 8, "FlateDecode"),
            deflate(p3.as_raw())?,
        ));
        std::fs::write(out.dir.join(rel), image_pdf(pdf_pages, rel)?)?;
        let pnums: Vec<u32> = (1..=n).collect();
        let mut e = special_entry(
            three,
            &pnums,
            200,
            "gray/rgb",
            &[
                "image-only PDF, no text",
                "page 1: DCTDecode DeviceGray q85",
                "page 2: DCTDecode DeviceRGB q85, warm tint, noise σ=1.5",
                "page 3: FlateDecode DeviceGray 8-bit",
            ],
        );
        e["truth"] = pdf_truth(three)?;
        out.record(rel, (w, h), e)?;
    }
    {
        let rel = "special/scanned-bilevel.pdf";
        let img = gray_at("tax-record-1page.pdf", 1, 300)?;
        let (w, h) = img.dimensions();
        let row = w.div_ceil(8) as usize;
        // 1 bit per pixel, MSB first, rows padded to a byte; 1 = white (DeviceGray, no Decode).
        let mut bits = vec![0u8; row * h as usize];
        for (x, y, p) in img.enumerate_pixels() {
            if p.0[0] >= 150 {
                bits[y as usize * row + x as usize / 8] |= 0x80 >> (x % 8);
            }
        }
        let pdf = image_pdf(
            vec![(
                595.0,
                842.0,
                img_dict(w, h, "DeviceGray", 1, "FlateDecode"),
                deflate(&bits)?,
            )],
            rel,
        )?;
        std::fs::write(out.dir.join(rel), pdf)?;
        let mut e = special_entry(
            "tax-record-1page",
            &[1],
            300,
            "bilevel",
            &["image-only PDF, 1-bit FlateDecode DeviceGray (0 = black), threshold 150"],
        );
        e["truth"] = pdf_truth("tax-record-1page")?;
        out.record(rel, (w, h), e)?;
    }
    kind_scans(out)?;
    Ok(())
}

/// The newer document kinds as flatbed scans (issue 14), each at `dpi` through [`scan`]: the
/// 地税-era 纳税清单 (two pages, an image-only PDF), the monthly 个人缴费明细, the 学信网 备案表,
/// the 职称证书, the 结婚证 and the 硕士学位证书 (one page each, JPEG). The truth is the text
/// PDF's.
const KIND_SCANS: [(&str, u32); 6] = [
    ("tax-list", 200),
    ("si-monthly", 200),
    ("xuexin", 200),
    ("title-cert", 200),
    ("marriage-cert", 200),
    ("degree-masters", 200),
];

/// JPEG quality of the kind scans (single pages as `.jpg`, the pages of a PDF as DCTDecode).
const KIND_JPEG_Q: u8 = 85;

fn kind_scans(out: &mut Out) -> Res<()> {
    for (stem, dpi) in KIND_SCANS {
        let pdf = format!("{stem}.pdf");
        let n = page_count(&pdf)?;
        let ext = if n == 1 { "jpg" } else { "pdf" };
        let rel = format!("special/{stem}-{dpi}dpi.{ext}");
        // One stream for all pages of the file: each page its own skew, paper and noise.
        let mut rng = Rng::new(&rel);
        let mut deg = Vec::new();
        let mut pages = Vec::new();
        for k in 1..=n {
            let (img, d) = scan(&gray_at(&pdf, k, dpi)?, dpi, &mut rng);
            if n == 1 {
                deg.extend(d);
            } else {
                deg.extend(d.into_iter().map(|x| format!("page {k}: {x}")));
            }
            pages.push(img);
        }
        let dims = pages[0].dimensions();
        if n == 1 {
            let img = pages.pop().ok_or("no page")?;
            write_jpeg(&img.into(), KIND_JPEG_Q, dpi, &out.dir.join(&rel))?;
            deg.push(format!("jpeg q{KIND_JPEG_Q}"));
        } else {
            let mut pdf_pages = Vec::new();
            for img in pages {
                let (w, h) = img.dimensions();
                let jpeg = jpeg_bytes(&img.into(), KIND_JPEG_Q, dpi)?;
                pdf_pages.push((
                    w as f32 * 72.0 / dpi as f32,
                    h as f32 * 72.0 / dpi as f32,
                    img_dict(w, h, "DeviceGray", 8, "DCTDecode"),
                    jpeg,
                ));
            }
            std::fs::write(out.dir.join(&rel), image_pdf(pdf_pages, &rel)?)?;
            deg.insert(0, "image-only PDF, no text".into());
            deg.push(format!("every page DCTDecode DeviceGray q{KIND_JPEG_Q}"));
        }
        let pnums: Vec<u32> = (1..=n).collect();
        let mut e = json!({
            "set": "special",
            "source": format!("{PDF_DIR}/{pdf}"),
            "pages": pnums,
            "dpi": dpi,
            "color": "gray",
            "degradations": deg,
        });
        e["truth"] = pdf_truth(stem)?;
        out.record(&rel, dims, e)?;
    }
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

    let fonts = Fonts {
        sans: OtFace::load("NotoSansCJK-Regular.ttc")?,
        bold: OtFace::load("NotoSansCJK-Bold.ttc")?,
    };
    let mut o = Out {
        dir: out.clone(),
        manifest: vec![],
    };
    let only = std::env::args().nth(2);
    if only.is_none() || only.as_deref() == Some("sets") {
        sets(&mut o)?;
    }
    if only.as_deref() != Some("sets")
        && only.as_deref() != Some("bundles")
        && only.as_deref() != Some("id-photo")
    {
        specials(&mut o, &fonts)?;
    }
    if only.is_none() {
        id_photos(&mut o, &fonts)?;
    } else if only.as_deref() == Some("id-photo") {
        id_photos(&mut o, &fonts)?;
        merge_manifest(&out, "id-photo/", std::mem::take(&mut o.manifest))?;
    }
    if only.is_none() || only.as_deref() == Some("bundles") {
        bundles(&out)?;
    }
    if only.is_none() {
        std::fs::write(
            out.join("manifest.json"),
            serde_json::to_string_pretty(&o.manifest)? + "\n",
        )?;
        println!(
            "wrote {} ({} entries)",
            out.join("manifest.json").display(),
            o.manifest.len()
        );
    }
    Ok(())
}

// ───────────────────────────── ID-card photos (`id-photo/`) ─────────────────────────────
//
// Phone photos of ID cards, front and back: the card drawn at 300 dpi (a second face layout
// with spaced labels and guilloche rings beside `id_card`'s), then photographed: laid on a
// textured surface (wood, gray desk, cloth) with a soft drop shadow, turned 3–10°, in
// perspective (a keystone plus corner jitter), under uneven light (a gradient, a vignette, and
// on some a hard-edged shadow band as from the phone or a hand), with a colour cast, blur,
// sensor noise and JPEG. Truth: the face as `id_card` (name, sex, ethnicity, birth, address,
// id_number), the back as `id_card_back` (authority, valid_from, valid_to or long_term).

/// The back of a card: 签发机关 and 有效期限 (`YYYY.MM.DD-YYYY.MM.DD`, or `YYYY.MM.DD-长期`).
struct CardBack {
    authority: &'static str,
    from: (u32, u32, u32),
    /// `None`: 长期.
    to: Option<(u32, u32, u32)>,
}

/// Size of an ID-1 card in points.
const CARD_PT: (f32, f32) = (85.6 / 25.4 * 72.0, 54.0 / 25.4 * 72.0);

/// A light card background: tinted base with a soft gradient, value noise and faint guilloche
/// rings (thin circles of many radii), at the overlay's pixel size.
fn card_base(pw: u32, ph: u32, tint: [f32; 3], rng: &mut Rng) -> RgbImage {
    let tex = value_noise(pw, ph, 40, rng);
    let rings: Vec<(f32, f32, f32)> = (0..14)
        .map(|_| {
            (
                rng.uniform(0.0, pw as f32),
                rng.uniform(0.0, ph as f32),
                rng.uniform(0.12, 0.45) * pw as f32,
            )
        })
        .collect();
    RgbImage::from_fn(pw, ph, |x, y| {
        let (fx, fy) = (x as f32, y as f32);
        let t = fx / pw as f32 - 0.5;
        let mut ring = 0.0f32;
        for &(cx, cy, r) in &rings {
            let d = (((fx - cx).powi(2) + (fy - cy).powi(2)).sqrt() - r).abs();
            ring = ring.max((1.0 - d / 1.6).max(0.0));
        }
        let n = 5.0 * (tex[(y * pw + x) as usize] - 0.5);
        Rgb(std::array::from_fn(|c| {
            let v = tint[c] + 8.0 * t - 16.0 * ring * if c == 2 { 0.4 } else { 1.0 } + n;
            v.round().clamp(0.0, 255.0) as u8
        }))
    })
}

/// Draws the photo placeholder (a pale panel with a gray silhouette) into `card`.
fn photo_panel(card: &mut RgbImage, x0: f32, x1: f32, y0: f32, y1: f32) {
    let (hx, hy, hr) = ((x0 + x1) / 2.0, y0 + 0.36 * (y1 - y0), 0.24 * (x1 - x0));
    for (x, y, p) in card.enumerate_pixels_mut() {
        let (fx, fy) = (x as f32, y as f32);
        if fx >= x0 && fx < x1 && fy >= y0 && fy < y1 {
            let head = ((fx - hx) / hr).powi(2) + ((fy - hy) / (hr * 1.25)).powi(2) < 1.0;
            let sw = (x1 - x0) * 0.46;
            let body = fy > hy + hr * 1.1
                && ((fx - hx) / sw).powi(2) + ((fy - y1) / ((y1 - hy) * 0.6)).powi(2) < 1.0;
            *p = if head || body {
                Rgb([118, 122, 128])
            } else {
                Rgb([226, 230, 236])
            };
        }
    }
}

/// The face with spaced labels (`姓  名`), as most cards print them; the name in bold, the
/// number in bold with a little tracking; an optional red 样本 mark at the top right.
fn id_card_face_spaced(fonts: &Fonts, p: &Person, sample: bool, rng: &mut Rng) -> Res<RgbImage> {
    let (w, h) = CARD_PT;
    let label = (52, 104, 168);
    let black = (20, 20, 22);
    let ov = overlay(w, h, 300, |s| {
        let (lx, vx, ls, vs) = (17.0, 46.0, 8.5, 10.5);
        let spaced = |s: &mut Surface, x: f32, y: f32, a: &str, b: &str| {
            text(s, &fonts.sans, x, y, ls, label, a);
            text(s, &fonts.sans, x + ls * 1.9, y, ls, label, b);
        };
        spaced(s, lx, 30.0, "姓", "名");
        text(s, &fonts.bold, vx, 30.5, vs + 0.5, black, p.name);
        spaced(s, lx, 51.0, "性", "别");
        text(s, &fonts.sans, vx, 51.0, vs, black, p.sex);
        spaced(s, 76.0, 51.0, "民", "族");
        text(s, &fonts.sans, 102.0, 51.0, vs, black, p.ethnicity);
        spaced(s, lx, 72.0, "出", "生");
        let (y, m, d) = p.birth;
        text(s, &fonts.sans, vx, 72.0, vs, black, &format!("{y}"));
        let mut x = vx + fonts.sans.width(&format!("{y}")) * vs + 4.0;
        for (v, unit) in [
            (None, "年"),
            (Some(m), ""),
            (None, "月"),
            (Some(d), ""),
            (None, "日"),
        ] {
            let t = v.map_or(unit.to_string(), |v| v.to_string());
            text(s, &fonts.sans, x, 72.0, vs, black, &t);
            x += fonts.sans.width(&t) * vs + 4.0;
        }
        spaced(s, lx, 93.0, "住", "址");
        let mut line = String::new();
        let mut y = 93.0;
        for ch in p.address.chars() {
            line.push(ch);
            if fonts.sans.width(&line) * vs > 104.0 {
                line.pop();
                text(s, &fonts.sans, vx, y, vs, black, &line);
                y += 14.5;
                line = ch.to_string();
            }
        }
        text(s, &fonts.sans, vx, y, vs, black, &line);
        text(s, &fonts.sans, lx, 138.0, ls, label, "公民身份号码");
        let mut x = 86.0;
        for ch in p.id.chars() {
            let t = ch.to_string();
            text(s, &fonts.bold, x, 138.5, 11.5, black, &t);
            x += fonts.bold.width(&t) * 11.5 + 1.2;
        }
        if sample {
            text(
                s,
                &fonts.sans,
                180.0,
                16.0,
                6.0,
                (200, 60, 60),
                "样本 · 仅供测试",
            );
        }
    })?;
    let (pw, ph) = ov.dimensions();
    let mut card = card_base(pw, ph, [234.0, 238.0, 242.0], rng);
    photo_panel(
        &mut card,
        0.67 * pw as f32,
        0.93 * pw as f32,
        0.14 * ph as f32,
        0.70 * ph as f32,
    );
    multiply(&mut card, &ov, 1.0, None);
    Ok(card)
}

/// The back: the national emblem (a red disc with five gold stars), 中华人民共和国 over a
/// large 居民身份证, and 签发机关 / 有效期限 with their values.
fn id_card_back(fonts: &Fonts, b: &CardBack, rng: &mut Rng) -> Res<RgbImage> {
    let (w, h) = CARD_PT;
    let dark = (30, 30, 34);
    let ov = overlay(w, h, 300, |s| {
        let mut pb = PathBuilder::new();
        circle(&mut pb, 42.0, 44.0, 24.0);
        s.set_stroke(None);
        s.set_fill(Some(fill((200, 40, 40))));
        s.draw_path(&pb.finish().expect("disc"));
        for (i, (dx, dy, r)) in [
            (-8.0, -8.0, 6.0),
            (3.0, -14.0, 2.5),
            (8.0, -8.5, 2.5),
            (8.5, -1.0, 2.5),
            (3.5, 4.0, 2.5),
        ]
        .iter()
        .enumerate()
        {
            let mut pb = PathBuilder::new();
            for k in 0..10 {
                let a = (-90.0 + 36.0 * k as f32 + 7.0 * i as f32).to_radians();
                let rr = if k % 2 == 0 { *r } else { r * 0.382 };
                let (x, y) = (42.0 + dx + rr * a.cos(), 44.0 + dy + rr * a.sin());
                if k == 0 {
                    pb.move_to(x, y);
                } else {
                    pb.line_to(x, y);
                }
            }
            pb.close();
            s.set_fill(Some(fill((240, 200, 60))));
            s.draw_path(&pb.finish().expect("star"));
        }
        text(s, &fonts.bold, 86.0, 38.0, 13.0, dark, "中华人民共和国");
        let mut x = 82.0;
        for ch in "居民身份证".chars() {
            let t = ch.to_string();
            text(s, &fonts.bold, x, 74.0, 22.0, dark, &t);
            x += fonts.bold.width(&t) * 22.0 + 4.0;
        }
        text(s, &fonts.sans, 40.0, 120.0, 8.5, dark, "签发机关");
        text(s, &fonts.sans, 84.0, 120.0, 10.0, dark, b.authority);
        text(s, &fonts.sans, 40.0, 140.0, 8.5, dark, "有效期限");
        let (y, m, d) = b.from;
        let to = b.to.map_or("长期".to_string(), |(y, m, d)| {
            format!("{y:04}.{m:02}.{d:02}")
        });
        text(
            s,
            &fonts.sans,
            84.0,
            140.0,
            10.0,
            dark,
            &format!("{y:04}.{m:02}.{d:02}-{to}"),
        );
    })?;
    let (pw, ph) = ov.dimensions();
    let mut card = card_base(pw, ph, [238.0, 236.0, 226.0], rng);
    multiply(&mut card, &ov, 1.0, None);
    Ok(card)
}

/// Background textures a card is photographed on.
#[derive(Clone, Copy, Debug)]
enum Ground {
    Wood,
    Desk,
    Cloth,
}

/// How a card is photographed.
struct Shot {
    canvas: (u32, u32),
    /// The card's width over the canvas width.
    share: f32,
    /// Turn, degrees (positive = clockwise on screen).
    deg: f32,
    /// Keystone: the card's far (top) edge shorter by this share.
    keystone: f32,
    surface: Ground,
    /// A hard-edged shadow over part of the frame: (angle of its edge in degrees, where the
    /// edge crosses the centre line as a share of the width, light kept in the shadow).
    band: Option<(f32, f32, f32)>,
    cast: [f32; 3],
    blur: f32,
    noise: f32,
    quality: u8,
}

/// Bilinear RGB sample; `None` outside.
fn sample_rgb(img: &RgbImage, x: f32, y: f32) -> Option<[f32; 3]> {
    let (w, h) = img.dimensions();
    if x < 0.0 || y < 0.0 || x > (w - 1) as f32 || y > (h - 1) as f32 {
        return None;
    }
    let (x0, y0) = (x.floor() as u32, y.floor() as u32);
    let (x1, y1) = ((x0 + 1).min(w - 1), (y0 + 1).min(h - 1));
    let (fx, fy) = (x - x0 as f32, y - y0 as f32);
    let p = |x: u32, y: u32| img.get_pixel(x, y).0.map(f32::from);
    let (a, b, c, d) = (p(x0, y0), p(x1, y0), p(x0, y1), p(x1, y1));
    Some(std::array::from_fn(|k| {
        a[k] * (1.0 - fx) * (1.0 - fy)
            + b[k] * fx * (1.0 - fy)
            + c[k] * (1.0 - fx) * fy
            + d[k] * fx * fy
    }))
}

/// Signed distance (card pixels) from the rounded card's outline: negative inside.
fn card_sdf(u: f32, v: f32, w: f32, h: f32, r: f32) -> f32 {
    let (qx, qy) = (
        (u - w / 2.0).abs() - (w / 2.0 - r),
        (v - h / 2.0).abs() - (h / 2.0 - r),
    );
    let outside = (qx.max(0.0).powi(2) + qy.max(0.0).powi(2)).sqrt();
    outside + qx.max(qy).min(0.0) - r
}

/// The homography from photo pixels to a `card`'s pixels when it is laid `share` of the
/// canvas wide with its centre at `(cx, cy)`, turned `deg` and in `keystone` perspective, each
/// corner jittered by ±1.2%.
fn place(
    card: &RgbImage,
    shot: &Shot,
    (cx, cy): (f32, f32),
    share: f32,
    deg: f32,
    rng: &mut Rng,
) -> [f64; 8] {
    let (w, _) = shot.canvas;
    let (cw, ch) = (card.width() as f32, card.height() as f32);
    let pw = share * w as f32;
    let ph = pw * ch / cw;
    let (s, c) = deg.to_radians().sin_cos();
    let k = shot.keystone / 2.0;
    let rel = [
        (-0.5 + k / 2.0, -0.5),
        (0.5 - k / 2.0, -0.5),
        (0.5, 0.5),
        (-0.5, 0.5),
    ];
    let corners: Vec<(f64, f64)> = rel
        .iter()
        .map(|&(x, y)| {
            let (x, y) = (
                x * pw + rng.uniform(-0.012, 0.012) * pw,
                y * ph + rng.uniform(-0.012, 0.012) * ph,
            );
            ((cx + x * c - y * s) as f64, (cy + x * s + y * c) as f64)
        })
        .collect();
    let dst = [corners[0], corners[1], corners[2], corners[3]];
    let src = [
        (0.0, 0.0),
        (cw as f64, 0.0),
        (cw as f64, ch as f64),
        (0.0, ch as f64),
    ];
    homography(dst, src)
}

/// Renders the photo: the surface, each card (with the homography from photo to card pixels
/// and its width in the photo) with its drop shadow, the light, the cast, blur and noise.
fn render(cards: &[(&RgbImage, [f64; 8], f32)], shot: &Shot, rng: &mut Rng) -> RgbImage {
    let (w, h) = shot.canvas;
    let map = |hm: &[f64; 8], x: f32, y: f32| -> (f32, f32) {
        let (fx, fy) = (x as f64, y as f64);
        let d = hm[6] * fx + hm[7] * fy + 1.0;
        (
            ((hm[0] * fx + hm[1] * fy + hm[2]) / d) as f32,
            ((hm[3] * fx + hm[4] * fy + hm[5]) / d) as f32,
        )
    };
    let tex = value_noise(w, h, 90, rng);
    let fine = value_noise(w, h, 6, rng);
    let band = shot.band.map(|(deg, at, keep)| {
        let (s, c) = deg.to_radians().sin_cos();
        (s, c, at * w as f32, keep)
    });
    let (sdx, sdy) = (0.012 * w as f32, 0.016 * w as f32);
    let mut img = RgbImage::from_fn(w, h, |x, y| {
        let (fx, fy) = (x as f32 + 0.5, y as f32 + 0.5);
        let (nx, ny) = (fx / w as f32 - 0.5, fy / h as f32 - 0.5);
        let mut light =
            (1.04 - 0.18 * (nx * 0.8 + ny * 0.6) - 0.45 * (nx * nx + ny * ny)).clamp(0.4, 1.1);
        if let Some((s, c, at, keep)) = band {
            // Signed distance from the band's edge (a line through (at, h/2) at `deg`).
            let d = (fx - at) * c + (fy - h as f32 / 2.0) * s;
            let t = ((d + 2.0) / 4.0).clamp(0.0, 1.0);
            light *= keep + (1.0 - keep) * t;
        }
        let tv = tex[(y * w + x) as usize];
        let fv = fine[(y * w + x) as usize];
        let ground: [f32; 3] = match shot.surface {
            Ground::Wood => {
                let grain = ((fy * 0.09 + 6.0 * tv).sin() * 0.5 + 0.5) * 0.12;
                let k = 0.78 + 0.3 * tv + grain;
                [128.0 * k, 92.0 * k, 62.0 * k]
            }
            Ground::Desk => {
                let k = 0.9 + 0.12 * tv + 0.05 * fv;
                [112.0 * k, 112.0 * k, 108.0 * k]
            }
            Ground::Cloth => {
                let weave = (((fx * 0.9).sin() * (fy * 0.9).sin()) * 0.5 + 0.5) * 0.08;
                let k = 0.85 + 0.15 * tv + weave;
                [52.0 * k, 72.0 * k, 118.0 * k]
            }
        };
        let mut px = ground;
        for &(card, hm, pw) in cards {
            let (cw, ch) = (card.width() as f32, card.height() as f32);
            // Card pixels per photo pixel, for anti-aliasing the outline.
            let k_px = cw / pw;
            let radius = 0.037 * cw;
            // Drop shadow: the card's outline shifted down-right, soft.
            let (su, sv) = map(&hm, fx - sdx, fy - sdy);
            let ssd = card_sdf(su, sv, cw, ch, radius) / k_px;
            let shade = 1.0 - 0.45 * (1.0 - (ssd / (0.02 * w as f32)).clamp(0.0, 1.0));
            px = px.map(|g| g * shade);
            let (u, v) = map(&hm, fx, fy);
            let sd = card_sdf(u, v, cw, ch, radius) / k_px;
            let cover = (0.5 - sd).clamp(0.0, 1.0);
            if cover > 0.0 {
                let cp = sample_rgb(card, u.clamp(0.0, cw - 1.0), v.clamp(0.0, ch - 1.0))
                    .unwrap_or([255.0; 3]);
                px = std::array::from_fn(|i| cp[i] * cover + px[i] * (1.0 - cover));
            }
        }
        Rgb(std::array::from_fn(|i| {
            (px[i] * light * shot.cast[i]).round().clamp(0.0, 255.0) as u8
        }))
    });
    img = image::imageops::blur(&img, shot.blur);
    add_rgb_noise(&mut img, shot.noise, rng);
    img
}

/// What `shot` does to a photo, for the manifest.
fn shot_notes(shot: &Shot, what: String) -> Vec<String> {
    let (w, h) = shot.canvas;
    let mut deg = vec![
        format!("{what} in a {}×{} photo on {:?}", w, h, shot.surface),
        format!("turned {:+.1}°", shot.deg),
        format!(
            "perspective: far edge {:.0}% shorter, corners jittered ±1.2%",
            shot.keystone * 100.0
        ),
        "drop shadow, light gradient and vignette".into(),
    ];
    if let Some((d, at, keep)) = shot.band {
        deg.push(format!(
            "hard-edged shadow band (edge at {d:.0}° through x = {:.0}% of the width, light ×{keep:.2})",
            at * 100.0
        ));
    }
    deg.push(format!(
        "colour cast ×({:.2}, {:.2}, {:.2})",
        shot.cast[0], shot.cast[1], shot.cast[2]
    ));
    deg.push(format!("blur σ={:.1}px", shot.blur));
    deg.push(format!("colour noise σ={:.1}", shot.noise));
    deg.push(format!("jpeg q{}", shot.quality));
    deg
}

/// The card photographed as `shot` says; returns the photo and the degradations for the
/// manifest.
fn photograph(card: &RgbImage, shot: &Shot, rng: &mut Rng) -> (RgbImage, Vec<String>) {
    let (w, h) = shot.canvas;
    let centre = (
        w as f32 / 2.0 + rng.uniform(-0.03, 0.03) * w as f32,
        h as f32 / 2.0 + rng.uniform(-0.03, 0.03) * h as f32,
    );
    let hm = place(card, shot, centre, shot.share, shot.deg, rng);
    let pw = shot.share * w as f32;
    let img = render(&[(card, hm, pw)], shot, rng);
    (img, shot_notes(shot, format!("card {pw:.0} px wide")))
}

/// Two cards photographed side by side (the face on the left, turned by `shot.deg`; the back
/// on the right, turned the other way by half as much), each `shot.share` of the width.
fn photograph_pair(
    face: &RgbImage,
    back: &RgbImage,
    shot: &Shot,
    rng: &mut Rng,
) -> (RgbImage, Vec<String>) {
    let (w, h) = shot.canvas;
    let pw = shot.share * w as f32;
    let left = place(
        face,
        shot,
        (0.26 * w as f32, 0.5 * h as f32),
        shot.share,
        shot.deg,
        rng,
    );
    let right = place(
        back,
        shot,
        (0.74 * w as f32, 0.52 * h as f32),
        shot.share,
        -shot.deg / 2.0,
        rng,
    );
    let img = render(&[(face, left, pw), (back, right, pw)], shot, rng);
    (
        img,
        shot_notes(
            shot,
            format!(
                "face (left) and back (right, turned {:+.1}°), each {pw:.0} px wide",
                -shot.deg / 2.0
            ),
        ),
    )
}

/// Writes `id-photo/` and returns nothing; its manifest entries go through `out`.
fn id_photos(out: &mut Out, fonts: &Fonts) -> Res<()> {
    std::fs::create_dir_all(out.dir.join("id-photo"))?;
    let faces = [
        (
            "id-photo/face-wood.jpg",
            Person {
                name: "周建明",
                sex: "男",
                ethnicity: "汉",
                birth: (1985, 6, 14),
                address: "山西省太原市小店区长治路218号3单元502室",
                id: id_number("14010519850614", 215, true, |c| c != 'X'),
            },
            true,
            Shot {
                canvas: (1040, 700),
                share: 0.82,
                deg: 4.2,
                keystone: 0.03,
                surface: Ground::Wood,
                band: None,
                cast: [1.03, 1.0, 0.94],
                blur: 0.8,
                noise: 2.0,
                quality: 85,
            },
        ),
        (
            "id-photo/face-x-band.jpg",
            Person {
                name: "何丽娟",
                sex: "女",
                ethnicity: "回",
                birth: (1993, 12, 2),
                address: "宁夏回族自治区银川市兴庆区解放西街46号",
                id: id_number("64010419931202", 128, false, |c| c == 'X'),
            },
            false,
            Shot {
                canvas: (1040, 700),
                share: 0.8,
                deg: -6.5,
                keystone: 0.05,
                surface: Ground::Desk,
                band: Some((8.0, 0.3, 0.72)),
                cast: [0.97, 1.0, 1.04],
                blur: 0.9,
                noise: 2.5,
                quality: 80,
            },
        ),
        (
            "id-photo/face-cloth.jpg",
            Person {
                name: "欧阳振华",
                sex: "男",
                ethnicity: "满",
                birth: (1978, 1, 30),
                address: "辽宁省沈阳市和平区南京北街9号",
                id: id_number("21010219780130", 351, true, |c| c != 'X'),
            },
            true,
            Shot {
                canvas: (1280, 960),
                share: 0.74,
                deg: 9.5,
                keystone: 0.06,
                surface: Ground::Cloth,
                band: Some((-70.0, 0.62, 0.8)),
                cast: [1.05, 1.0, 0.9],
                blur: 1.0,
                noise: 2.0,
                quality: 82,
            },
        ),
    ];
    for (rel, p, spaced, shot) in &faces {
        let mut rng = Rng::new(rel);
        assert!(id_valid(&p.id), "{}", p.id);
        let card = if *spaced {
            id_card_face_spaced(fonts, p, rel.contains("wood"), &mut rng)?
        } else {
            id_card(fonts, p, &mut rng)?
        };
        let (img, mut deg) = photograph(&card, shot, &mut rng);
        write_jpeg(&img.clone().into(), shot.quality, 200, &out.dir.join(rel))?;
        deg.insert(
            0,
            if *spaced {
                "synthetic card face 85.6×54 mm, spaced labels, guilloche rings".into()
            } else {
                "synthetic card face 85.6×54 mm (the id-card.jpg layout)".to_string()
            },
        );
        let (y, m, d) = p.birth;
        let e = json!({
            "set": "id-photo",
            "source": null,
            "pages": [1],
            "dpi": null,
            "color": "rgb",
            "degradations": deg,
            "truth": {
                "kind": "id_card",
                "name": p.name,
                "sex": p.sex,
                "ethnicity": p.ethnicity,
                "birth": format!("{y:04}-{m:02}-{d:02}"),
                "address": p.address,
                "id_number": p.id,
            },
        });
        out.record(rel, img.dimensions(), e)?;
    }
    let backs = [
        (
            "id-photo/back-dated.jpg",
            CardBack {
                authority: "太原市公安局小店分局",
                from: (2016, 8, 19),
                to: Some((2036, 8, 19)),
            },
            Shot {
                canvas: (1040, 700),
                share: 0.8,
                deg: -3.6,
                keystone: 0.04,
                surface: Ground::Wood,
                band: None,
                cast: [1.02, 1.0, 0.95],
                blur: 0.8,
                noise: 2.0,
                quality: 85,
            },
        ),
        (
            "id-photo/back-long-term.jpg",
            CardBack {
                authority: "沈阳市公安局和平分局",
                from: (2021, 3, 5),
                to: None,
            },
            Shot {
                canvas: (1040, 700),
                share: 0.78,
                deg: 7.0,
                keystone: 0.05,
                surface: Ground::Desk,
                band: Some((12.0, 0.72, 0.75)),
                cast: [0.98, 1.0, 1.03],
                blur: 0.9,
                noise: 2.0,
                quality: 82,
            },
        ),
    ];
    for (rel, b, shot) in &backs {
        let mut rng = Rng::new(rel);
        let card = id_card_back(fonts, b, &mut rng)?;
        let (img, mut deg) = photograph(&card, shot, &mut rng);
        write_jpeg(&img.clone().into(), shot.quality, 200, &out.dir.join(rel))?;
        deg.insert(
            0,
            "synthetic card back 85.6×54 mm (emblem, title, 签发机关, 有效期限)".into(),
        );
        let (y, m, d) = b.from;
        let mut truth = json!({
            "kind": "id_card_back",
            "authority": b.authority,
            "valid_from": format!("{y:04}-{m:02}-{d:02}"),
            "long_term": b.to.is_none(),
        });
        if let Some((y, m, d)) = b.to {
            truth["valid_to"] = format!("{y:04}-{m:02}-{d:02}").into();
        }
        let e = json!({
            "set": "id-photo",
            "source": null,
            "pages": [1],
            "dpi": null,
            "color": "rgb",
            "degradations": deg,
            "truth": truth,
        });
        out.record(rel, img.dimensions(), e)?;
    }
    // Both sides in one photo, side by side: read as one page, the face makes it the ID card.
    {
        let rel = "id-photo/both-sides.jpg";
        let mut rng = Rng::new(rel);
        let p = Person {
            name: "林晓燕",
            sex: "女",
            ethnicity: "汉",
            birth: (1991, 9, 26),
            address: "福建省福州市鼓楼区五四路158号",
            id: id_number("35010219910926", 186, false, |c| c != 'X'),
        };
        assert!(id_valid(&p.id), "{}", p.id);
        let face = id_card_face_spaced(fonts, &p, false, &mut rng)?;
        let back = id_card_back(
            fonts,
            &CardBack {
                authority: "福州市公安局鼓楼分局",
                from: (2012, 4, 17),
                to: Some((2032, 4, 17)),
            },
            &mut rng,
        )?;
        let shot = Shot {
            canvas: (1600, 900),
            share: 0.44,
            deg: 3.5,
            keystone: 0.03,
            surface: Ground::Desk,
            band: None,
            cast: [1.02, 1.0, 0.96],
            blur: 0.8,
            noise: 2.0,
            quality: 85,
        };
        let (img, mut deg) = photograph_pair(&face, &back, &shot, &mut rng);
        write_jpeg(&img.clone().into(), shot.quality, 200, &out.dir.join(rel))?;
        deg.insert(
            0,
            "synthetic face (spaced labels) and back, side by side".into(),
        );
        let (y, m, d) = p.birth;
        let e = json!({
            "set": "id-photo",
            "source": null,
            "pages": [1],
            "dpi": null,
            "color": "rgb",
            "degradations": deg,
            "truth": {
                "kind": "id_card",
                "name": p.name,
                "sex": p.sex,
                "ethnicity": p.ethnicity,
                "birth": format!("{y:04}-{m:02}-{d:02}"),
                "address": p.address,
                "id_number": p.id,
            },
        });
        out.record(rel, img.dimensions(), e)?;
    }
    Ok(())
}

/// Replaces the entries of `prefix` in `manifest.json` by `entries` (regenerating one group
/// leaves the others' entries as they are).
fn merge_manifest(dir: &Path, prefix: &str, entries: Vec<Value>) -> Res<()> {
    let path = dir.join("manifest.json");
    let mut all: Vec<Value> = match std::fs::read_to_string(&path) {
        Ok(t) => serde_json::from_str(&t)?,
        Err(_) => vec![],
    };
    all.retain(|e| !e["file"].as_str().is_some_and(|f| f.starts_with(prefix)));
    all.extend(entries);
    std::fs::write(&path, serde_json::to_string_pretty(&all)? + "\n")?;
    println!("wrote {} ({} entries)", path.display(), all.len());
    Ok(())
}
