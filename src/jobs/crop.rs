//! The reviewer's crop: the piece of a page where a cited value was read, its box drawn on it
//! (issue 12 §2). A value carries its [`Region`] from the reader (`checks::Evidence::region`);
//! here the page is made into pixels again and cut around it:
//!
//! - a page read from its **text layer** is rendered by poppler's `pdftoppm` (Debian's
//!   `poppler-utils`, installed with the OCR dependencies): a maintained renderer that draws
//!   the non-embedded Chinese fonts of official PDFs (with `poppler-data`), run as a separate
//!   process so a hostile file can neither crash nor hold the caller — it is killed after
//!   [`RENDER_SECONDS`];
//! - a **scan or photo** (an image file, or the image of a PDF page without a text layer) is
//!   decoded as `jobs::inspect` decodes it and brought into the geometry OCR read it in
//!   ([`read::ocr::page_view`]: upright, deskewed, enlarged, cards straightened), where the
//!   words' boxes are.
//!
//! A spreadsheet's row has no page: the case page shows the row itself, highlighted.

use std::io::Read as _;
use std::time::{Duration, Instant};

use image::{GrayImage, Rgb, RgbImage};

use crate::read::layout::PlacedLine;
use crate::read::text::{ReadBy, Region};
use crate::read::{self, Format, Limits};

/// Dots per inch a text-layer page is rendered at.
pub const RENDER_DPI: u32 = 110;
/// How long `pdftoppm` may take for one page.
pub const RENDER_SECONDS: u64 = 20;
/// The crop's largest width and height in pixels.
pub const MAX_CROP: (u32, u32) = (1400, 700);

/// A crop, as PNG.
#[derive(Clone, Debug)]
pub struct Crop {
    /// PNG bytes.
    pub png: Vec<u8>,
    /// Size in pixels.
    pub width: u32,
    /// Height in pixels.
    pub height: u32,
    /// The box on the crop, `(left, top, right, bottom)` in its pixels.
    pub boxed: (u32, u32, u32, u32),
    /// How the page was made into pixels (`pdftoppm 110 dpi`, `the page as OCR read it`).
    pub how: String,
}

/// The page `region` lies on, as pixels, and how many pixels a page unit is.
pub fn page_pixels(
    bytes: &[u8],
    region: &Region,
    read_by: ReadBy,
    limits: &Limits,
) -> Result<(GrayImage, f32, String), String> {
    let format = read::sniff::sniff(bytes);
    let ocr_scale = read::ocr::ASSUMED_DPI / 72.0;
    match (format, read_by) {
        (Format::Pdf, ReadBy::TextLayer) => {
            let g = render_pdf_page(bytes, region.page, RENDER_DPI)?;
            Ok((
                g,
                RENDER_DPI as f32 / 72.0,
                format!("pdftoppm，{RENDER_DPI} dpi"),
            ))
        }
        (Format::Pdf, ReadBy::Ocr) => {
            let answers =
                read::pdf::page_images(bytes, &[region.page], limits).map_err(|e| e.to_string())?;
            let img = match answers.into_iter().next() {
                Some((_, Ok(Some(img)))) => img,
                Some((_, Ok(None))) => return Err(format!("第 {} 页没有图像", region.page)),
                Some((_, Err(e))) => return Err(e.to_string()),
                None => return Err(format!("没有第 {} 页", region.page)),
            };
            let g = read::ocr::page_view(&img.image.pixels).map_err(|e| e.to_string())?;
            Ok((g, ocr_scale, "OCR 所读的页面图像".to_string()))
        }
        (
            Format::Jpeg | Format::Png | Format::Gif | Format::Bmp | Format::Tiff | Format::Webp,
            _,
        ) => {
            let pages = read::image::decode_pages(bytes, limits).map_err(|e| e.to_string())?;
            let page = pages
                .into_iter()
                .nth(region.page.saturating_sub(1) as usize)
                .ok_or_else(|| format!("没有第 {} 页", region.page))?
                .map_err(|e| e.to_string())?;
            let g = read::ocr::page_view(&page.pixels).map_err(|e| e.to_string())?;
            Ok((g, ocr_scale, "OCR 所读的页面图像".to_string()))
        }
        (f, r) => Err(format!("{}（{}）没有页面可以截取", f.describe(), r.zh())),
    }
}

/// The crop of the page around `region`, the box drawn in red.
pub fn crop(
    bytes: &[u8],
    region: &Region,
    read_by: ReadBy,
    limits: &Limits,
) -> Result<Crop, String> {
    let (page, scale, how) = page_pixels(bytes, region, read_by, limits)?;
    Ok(cut(&page, region, scale, how))
}

/// Cuts `page` (pixels, `scale` pixels a page unit) around `region` and draws the box.
pub fn cut(page: &GrayImage, region: &Region, scale: f32, how: String) -> Crop {
    let (pw, ph) = page.dimensions();
    let px = |x: f32| (x * scale).round().clamp(0.0, pw as f32) as u32;
    let py = |y: f32| (ph as f32 - y * scale).round().clamp(0.0, ph as f32) as u32;
    // The box on the page, padded by a few pixels so the line does not cross the print.
    let pad = 4;
    let (l, t) = (
        px(region.left).saturating_sub(pad),
        py(region.top).saturating_sub(pad),
    );
    let (r, b) = (
        (px(region.right) + pad).min(pw),
        (py(region.bottom) + pad).min(ph),
    );
    let (r, b) = (r.max(l + 1).min(pw.max(1)), b.max(t + 1).min(ph.max(1)));
    // Context: a few lines above and below, the width of the page up to MAX_CROP, centred on
    // the box.
    let bh = b - t;
    let margin_y = (bh * 2).clamp(24, 160);
    let want_w = MAX_CROP.0.min(pw).max(r - l);
    let cx = (l + r) / 2;
    let x0 = cx.saturating_sub(want_w / 2).min(pw.saturating_sub(want_w));
    let x1 = (x0 + want_w).min(pw);
    let y0 = t.saturating_sub(margin_y);
    let y1 = (b + margin_y)
        .min(ph)
        .min(y0 + MAX_CROP.1.max(bh + 2 * margin_y));
    let (w, h) = ((x1 - x0).max(1), (y1 - y0).max(1));
    let mut out = RgbImage::new(w, h);
    for y in 0..h {
        for x in 0..w {
            let v = page
                .get_pixel_checked(x0 + x, y0 + y)
                .map_or(255, |p| p.0[0]);
            out.put_pixel(x, y, Rgb([v, v, v]));
        }
    }
    let boxed = (
        l.saturating_sub(x0),
        t.saturating_sub(y0),
        (r - x0).min(w - 1),
        (b - y0).min(h - 1),
    );
    draw_box(&mut out, boxed, 3);
    let mut png = Vec::new();
    let _ = image::DynamicImage::ImageRgb8(out)
        .write_to(&mut std::io::Cursor::new(&mut png), image::ImageFormat::Png);
    Crop {
        png,
        width: w,
        height: h,
        boxed,
        how,
    }
}

fn draw_box(img: &mut RgbImage, (l, t, r, b): (u32, u32, u32, u32), thick: u32) {
    let red = Rgb([214, 40, 40]);
    let (w, h) = img.dimensions();
    for k in 0..thick {
        for x in l.saturating_sub(k)..=(r + k).min(w - 1) {
            for y in [t.saturating_sub(k), (b + k).min(h - 1)] {
                img.put_pixel(x, y, red);
            }
        }
        for y in t.saturating_sub(k)..=(b + k).min(h - 1) {
            for x in [l.saturating_sub(k), (r + k).min(w - 1)] {
                img.put_pixel(x, y, red);
            }
        }
    }
}

/// Renders one page of a PDF to grey pixels with `pdftoppm` (its crop box, /Rotate applied —
/// the frame the text layer's coordinates are in), killed after [`RENDER_SECONDS`].
pub fn render_pdf_page(bytes: &[u8], page: u32, dpi: u32) -> Result<GrayImage, String> {
    let dir = tempfile::tempdir().map_err(|e| format!("临时目录：{e}"))?;
    let input = dir.path().join("in.pdf");
    std::fs::write(&input, bytes).map_err(|e| format!("临时文件：{e}"))?;
    let root = dir.path().join("page");
    let mut child = std::process::Command::new("pdftoppm")
        .args(["-f", &page.to_string(), "-l", &page.to_string()])
        .args([
            "-r",
            &dpi.to_string(),
            "-cropbox",
            "-gray",
            "-png",
            "-singlefile",
        ])
        .arg(&input)
        .arg(&root)
        .stdout(std::process::Stdio::null())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .map_err(|e| format!("无法运行 pdftoppm（poppler-utils）：{e}"))?;
    let started = Instant::now();
    let status = loop {
        match child.try_wait() {
            Ok(Some(s)) => break s,
            Ok(None) if started.elapsed() > Duration::from_secs(RENDER_SECONDS) => {
                let _ = child.kill();
                let _ = child.wait();
                return Err(format!("pdftoppm 渲染第 {page} 页超过 {RENDER_SECONDS} 秒"));
            }
            Ok(None) => std::thread::sleep(Duration::from_millis(10)),
            Err(e) => return Err(format!("pdftoppm：{e}")),
        }
    };
    if !status.success() {
        let mut err = String::new();
        if let Some(mut s) = child.stderr.take() {
            let _ = s.read_to_string(&mut err);
        }
        return Err(format!(
            "pdftoppm 无法渲染第 {page} 页：{}",
            err.lines().next().unwrap_or("(no message)")
        ));
    }
    let png = dir.path().join("page.png");
    let img = image::open(&png).map_err(|e| format!("pdftoppm 的输出无法读取：{e}"))?;
    Ok(img.to_luma8())
}

/// The text a page holds inside `region`: the lines made of the runs whose centres lie in it
/// (grown by a unit), for checking a box against what it cites.
pub fn lines_inside(page: &crate::read::text::TextPage, region: &Region) -> Vec<PlacedLine> {
    let mut p = page.clone();
    p.runs.retain(|r| {
        let (cx, cy) = (r.x + r.width / 2.0, r.y + r.size * 0.35);
        cx >= region.left - 1.0
            && cx <= region.right + 1.0
            && cy >= region.bottom - 1.0
            && cy <= region.top + 1.0
    });
    crate::read::layout::lines(&p)
        .iter()
        .filter_map(|l| l.placed())
        .collect()
}

/// Whether `inside` holds `cited` — every cell of a row (`a | b | c`) and every part of a field
/// (`证件号码 …，姓名 …`), whole or character by character (a wrapped cell comes back
/// interleaved with the row's other cells): `Err` names the first that is not there.
pub fn holds(inside: &[PlacedLine], cited: &str) -> Result<(), String> {
    let squeeze = |s: &str| -> String {
        crate::read::layout::normalize_line(s)
            .chars()
            .filter(|c| !c.is_whitespace())
            .collect()
    };
    let all: String = inside.iter().map(|l| squeeze(&l.text)).collect();
    for cell in cited.split(" | ").map(str::trim).filter(|c| !c.is_empty()) {
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
            || crate::read::layout::find_placed(inside, "", cell).is_some()
            || every_char;
        if !found {
            return Err(format!("「{cell}」 not in the box, which holds 「{all}」"));
        }
    }
    Ok(())
}

/// The words OCR reads inside the crop's box (the frame left out, on a white margin as print on
/// paper is), squeezed of spaces: for checking that a scan's crop shows the value. The box is
/// read as the page reader reads a ruled table: rulings (a cell's walls, a field's underline)
/// are whitened, and the cells between vertical rulings are read one under the other, each on
/// its own line — a wall read as `|` or an underline merged into the strokes above it would
/// otherwise make the words that are plainly there unreadable.
pub fn read_box(c: &Crop, limits: &Limits) -> Result<String, String> {
    let img = image::load_from_memory(&c.png).map_err(|e| e.to_string())?;
    let (l, t, r, b) = c.boxed;
    let mut inner = img
        .crop_imm(
            l + 2,
            t + 2,
            (r - l).saturating_sub(4),
            (b - t).saturating_sub(4),
        )
        .to_luma8();
    let cells = unrule(&mut inner);
    let gap = 24;
    let w = cells.iter().map(|&(_, cw)| cw).max().unwrap_or(0) + 40;
    let h = cells.len() as u32 * (inner.height() + gap) + 40;
    let mut sheet = GrayImage::from_pixel(w, h, image::Luma([255]));
    for (i, &(x0, cw)) in cells.iter().enumerate() {
        let cell = image::imageops::crop_imm(&inner, x0, 0, cw, inner.height()).to_image();
        let y = 20 + i as u32 * (inner.height() + gap);
        image::imageops::replace(&mut sheet, &cell, 20, i64::from(y));
    }
    let read = read::ocr::read_pages(vec![(1, image::DynamicImage::ImageLuma8(sheet))], limits);
    let page = match read.into_iter().next() {
        Some((_, Ok(p))) => p.page,
        Some((_, Err(e))) => return Err(e.to_string()),
        None => return Err("no OCR answer".into()),
    };
    Ok(page
        .runs
        .iter()
        .flat_map(|r| {
            crate::read::layout::normalize_line(&r.text)
                .chars()
                .collect::<Vec<_>>()
        })
        .filter(|c| !c.is_whitespace())
        .collect())
}

/// Whether `read` (what [`read_box`] gave) shows `cited`: each part of the citation (the cells
/// of a row `a | b`, the fields `证件号码 …，姓名 …` after their labels, the pieces of a masked
/// ID between its stars; parts under two characters aside) is in it, compared without spaces
/// and punctuation (a date cited `2026-02-28` is printed `2026.02.28`). `Err` names the first
/// part that is not.
pub fn shows(read: &str, cited: &str) -> Result<(), String> {
    let bare = |t: &str| -> String {
        crate::read::layout::normalize_line(t)
            .chars()
            .filter(|c| c.is_alphanumeric())
            .collect()
    };
    let read = bare(read);
    for part in cited
        .split(['，', '；', '|'])
        .map(|p| p.trim().rsplit_once(' ').map_or(p, |x| x.1))
        .flat_map(|p| p.split('*'))
        .map(bare)
        .filter(|p| p.chars().count() >= 2)
    {
        if !read.contains(&part) {
            return Err(format!("「{part}」 not in 「{read}」"));
        }
    }
    Ok(())
}

/// Whitens the rulings of `img` (a box a line or a row high): columns dark over nine tenths of
/// the height (a cell's walls) and dark runs across a quarter of the width (an underline, the
/// edge of a row). Returns the spans `(left, width)` between the walls that hold ink.
fn unrule(img: &mut GrayImage) -> Vec<(u32, u32)> {
    let (w, h) = img.dimensions();
    if w < 8 || h < 8 {
        return vec![(0, w)];
    }
    let ink = read::scan::ink_threshold(img);
    let dark = |img: &GrayImage, x: u32, y: u32| img.get_pixel(x, y).0[0] < ink;
    let walls: Vec<u32> = (0..w)
        .filter(|&x| (0..h).filter(|&y| dark(img, x, y)).count() as u32 * 10 >= h * 9)
        .collect();
    let min_run = (w / 4).max(40);
    let mut under = Vec::new();
    for y in 0..h {
        let mut x = 0;
        while x < w {
            let start = x;
            while x < w && dark(img, x, y) {
                x += 1;
            }
            if x - start >= min_run {
                under.extend((start..x).map(|i| (i, y)));
            }
            x += 1;
        }
    }
    for &x in &walls {
        for y in 0..h {
            img.put_pixel(x, y, image::Luma([255]));
        }
    }
    for (x, y) in under {
        img.put_pixel(x, y, image::Luma([255]));
    }
    // The spans between walls (a wall a few pixels thick is one), kept when they hold ink.
    let mut spans = Vec::new();
    let mut start = 0;
    for x in 0..=w {
        if x == w || walls.binary_search(&x).is_ok() {
            if x > start + 3 {
                spans.push((start, x - start));
            }
            start = x + 1;
        }
    }
    spans.retain(|&(x0, cw)| (x0..x0 + cw).any(|x| (0..h).any(|y| img.get_pixel(x, y).0[0] < ink)));
    if spans.is_empty() {
        spans.push((0, w));
    }
    spans
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_box_lands_where_the_region_is() {
        // A page 200 × 100 units at 2 px a unit; a dark square at units x 40–60, y 70–80
        // (y up), i.e. pixels x 80–120, y 40–60.
        let mut page = GrayImage::from_pixel(400, 200, image::Luma([255]));
        for y in 40..60 {
            for x in 80..120 {
                page.put_pixel(x, y, image::Luma([0]));
            }
        }
        let region = Region {
            page: 1,
            left: 40.0,
            bottom: 70.0,
            right: 60.0,
            top: 80.0,
        };
        let c = cut(&page, &region, 2.0, String::new());
        let img = image::load_from_memory(&c.png).unwrap().to_rgb8();
        assert_eq!((img.width(), img.height()), (c.width, c.height));
        let (l, t, r, b) = c.boxed;
        // Inside the box: the dark square, whole; on its edge: red.
        let mut dark = 0;
        for (x, y, p) in img.enumerate_pixels() {
            if p.0 == [0, 0, 0] {
                dark += 1;
                assert!(
                    x > l && x < r && y > t && y < b,
                    "dark pixel {x},{y} outside the box"
                );
            }
        }
        assert_eq!(dark, 40 * 20);
        assert_eq!(img.get_pixel(l, t).0, [214, 40, 40]);
        assert_eq!(img.get_pixel(r, b).0, [214, 40, 40]);
    }

    #[test]
    fn a_region_past_the_page_is_clamped() {
        let page = GrayImage::from_pixel(50, 50, image::Luma([255]));
        let region = Region {
            page: 1,
            left: -100.0,
            bottom: -5.0,
            right: 1e9,
            top: 1e9,
        };
        let c = cut(&page, &region, 1.0, String::new());
        assert!(c.width <= 50 && c.height <= 50);
    }

    #[test]
    fn walls_and_underlines_are_whitened_and_cells_split() {
        // A row 300 × 30: walls at x 0–1, 100–101 and 298–299; text-like blobs in both cells;
        // an underline 150 px long under the second cell's blob.
        let mut img = GrayImage::from_pixel(300, 30, image::Luma([255]));
        for y in 0..30 {
            for x in [0, 1, 100, 101, 298, 299] {
                img.put_pixel(x, y, image::Luma([0]));
            }
        }
        for (x0, x1) in [(10, 40), (120, 160)] {
            for y in 8..20 {
                for x in (x0..x1).step_by(3) {
                    img.put_pixel(x, y, image::Luma([0]));
                }
            }
        }
        for x in 120..270 {
            img.put_pixel(x, 24, image::Luma([0]));
        }
        let spans = unrule(&mut img);
        assert_eq!(spans, vec![(2, 98), (102, 196)]);
        for y in 0..30 {
            assert_eq!(img.get_pixel(100, y).0, [255], "wall left at y {y}");
        }
        assert_eq!(img.get_pixel(200, 24).0, [255], "underline left");
        assert_eq!(img.get_pixel(10, 8).0, [0], "print whitened");
    }

    #[test]
    fn a_citation_is_shown_part_by_part() {
        let read = "国家税务总局北京市2024.12.091176.652024.12.12工资薪金所得2024.11通州区税务局";
        assert!(shows(read, "2024.12.09 | 1176.65 | 2024-12-12 | 工资薪金所得").is_ok());
        assert!(shows(read, "2024.12.09 | 1176.66").is_err());
        assert!(
            shows(
                "证件号码110101199003071234姓名张三",
                "证件号码 1101**********1234，姓名 张三"
            )
            .is_ok()
        );
        assert!(shows("姓名张四", "姓名 张三").is_err());
    }
}
