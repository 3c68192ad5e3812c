//! A scanned or photographed page → the cleanest grayscale tesseract can read.
//!
//! Contract: in: the decoded pixels of one page (colour kept where the source had colour);
//! out: a [`Prepared`] grayscale page and notes on what was done, in the order done:
//! 1. **red seals suppressed** — a 公章 is red ink stamped over the figures; a pixel whose red
//!    channel clearly dominates is replaced by its red channel (red ink on white paper is
//!    bright there, black print under the ink stays dark), so the seal fades and the figures
//!    under it stay;
//! 2. **small skew corrected** — the angle in ±[`MAX_SKEW_DEG`]° whose horizontal projection
//!    of dark pixels is sharpest (text lines and rulings line up with the rows), found on a
//!    reduced copy, then the page is rotated back with white fill; angles under 0.15° are left;
//! 3. **rulings erased** — on a page with a grid (long horizontal *and* vertical dark runs),
//!    the pixels of runs longer than a table cell's text are whitened: tesseract reads the
//!    cells of a gridded table as garbage while the lines are there;
//! 4. **small print enlarged** — when text lines are under [`MIN_TEXT_PX`] pixels tall (e.g.
//!    a 150-dpi scan), the page is scaled up (at most 2×).
//!
//! Pure image arithmetic: no I/O, no float decides anything but where pixels go. Turning a
//! page by 90/180/270° is `ocr::upright`'s job (it needs the engine), done before this.

use image::{DynamicImage, GrayImage, Luma, RgbImage, imageops::FilterType};

/// The largest skew corrected, degrees.
pub const MAX_SKEW_DEG: f32 = 4.0;
/// Below this text-line height (pixels) a page is enlarged before OCR (10-point print is 28
/// pixels tall at 200 dpi, 21 at 150 dpi).
pub const MIN_TEXT_PX: u32 = 24;
/// The text-line height small print is enlarged to.
const TARGET_TEXT_PX: f32 = 32.0;
/// The most a page is enlarged.
const MAX_UPSCALE: f32 = 2.0;

/// A page ready for OCR.
#[derive(Debug)]
pub struct Prepared {
    /// The grayscale page.
    pub gray: GrayImage,
    /// Output pixels per input pixel (1.0 unless small print was enlarged).
    pub scale: f32,
    /// Whether a ruled table was found (and its rulings erased).
    pub table: bool,
    /// The ruled table's cells, `(left, top, width, height)` in pixels of [`Prepared::gray`]:
    /// each is read on its own ([`super::ocr::read_page`]), since a row whose cells hold one
    /// and two lines of text is otherwise cut into lines across the characters.
    pub cells: Vec<Cell>,
    /// What was done.
    pub notes: Vec<String>,
}

/// A table cell, `(left, top, width, height)` in pixels.
pub type Cell = (u32, u32, u32, u32);

/// Options, mostly for tests and benchmarks that compare with and without a step.
#[derive(Clone, Copy, Debug)]
pub struct Steps {
    /// Suppress red ink.
    pub seal: bool,
    /// Correct small skew.
    pub deskew: bool,
    /// Erase table rulings.
    pub rulings: bool,
    /// Enlarge small print.
    pub upscale: bool,
}

impl Default for Steps {
    fn default() -> Self {
        Steps {
            seal: true,
            deskew: true,
            rulings: true,
            upscale: true,
        }
    }
}

/// Step 1: the page in grayscale, red ink suppressed when `seal` and the page has colour.
pub fn to_gray(img: &DynamicImage, seal: bool) -> (GrayImage, Vec<String>) {
    let mut notes = Vec::new();
    let gray = match img {
        DynamicImage::ImageLuma8(g) => g.clone(),
        other if seal && has_colour(other) => {
            let (g, n) = suppress_red(&other.to_rgb8());
            if n > 0 {
                notes.push(format!(
                    "red ink (a seal) suppressed: {n} pixels lightened before OCR"
                ));
            }
            g
        }
        other => other.to_luma8(),
    };
    (gray, notes)
}

/// Steps 2–4 of the module doc over an upright grayscale page.
pub fn prepare(mut gray: GrayImage, steps: Steps) -> Prepared {
    let mut notes = Vec::new();
    if steps.deskew
        && let Some(angle) = skew_angle(&gray)
    {
        gray = rotate(&gray, -angle);
        notes.push(format!("skew of {angle:.1}° corrected"));
    }
    let mut table = false;
    let mut cells = Vec::new();
    if steps.rulings {
        let found = erase_grid(&mut gray);
        if found.pixels > 0 {
            table = true;
            notes.push(format!(
                "table rulings erased ({} pixels) before OCR",
                found.pixels
            ));
            cells = found.cells;
        }
    }
    let mut scale = 1.0;
    if steps.upscale
        && let Some(x) = line_height(&gray)
        && x < MIN_TEXT_PX
        && x > 4
    {
        scale = (TARGET_TEXT_PX / x as f32).min(MAX_UPSCALE);
        let (w, h) = gray.dimensions();
        let (nw, nh) = (
            (w as f32 * scale).round() as u32,
            (h as f32 * scale).round() as u32,
        );
        gray = image::imageops::resize(&gray, nw, nh, FilterType::CatmullRom);
        for c in &mut cells {
            *c = (
                (c.0 as f32 * scale) as u32,
                (c.1 as f32 * scale) as u32,
                (c.2 as f32 * scale) as u32,
                (c.3 as f32 * scale) as u32,
            );
        }
        notes.push(format!(
            "small print (lines ≈ {x} px tall) enlarged {scale:.2}× before OCR"
        ));
    }
    Prepared {
        gray,
        scale,
        table,
        cells,
        notes,
    }
}

/// The page with the geometry [`prepare`] gives it — the same skew correction and the same
/// enlargement, decided the same way — but with its rulings and everything else kept: what a
/// reviewer is shown around a word OCR read, at the coordinates OCR read it.
pub fn prepare_view(mut gray: GrayImage) -> GrayImage {
    if let Some(angle) = skew_angle(&gray) {
        gray = rotate(&gray, -angle);
    }
    let mut erased = gray.clone();
    erase_grid(&mut erased);
    if let Some(x) = line_height(&erased)
        && x < MIN_TEXT_PX
        && x > 4
    {
        let scale = (TARGET_TEXT_PX / x as f32).min(MAX_UPSCALE);
        let (w, h) = gray.dimensions();
        let (nw, nh) = (
            (w as f32 * scale).round() as u32,
            (h as f32 * scale).round() as u32,
        );
        gray = image::imageops::resize(&gray, nw, nh, FilterType::CatmullRom);
    }
    gray
}

fn has_colour(img: &DynamicImage) -> bool {
    !matches!(
        img,
        DynamicImage::ImageLuma8(_) | DynamicImage::ImageLuma16(_)
    )
}

/// Whether a pixel is red ink: red well above green and blue.
fn is_red(r: u8, g: u8, b: u8) -> bool {
    let (r, g, b) = (r as i16, g as i16, b as i16);
    r > 90 && r - g.max(b) > 50
}

/// Replaces red-dominant pixels by their red channel; others by their luminance. Returns the
/// page and the number of pixels taken as red ink.
pub fn suppress_red(img: &RgbImage) -> (GrayImage, usize) {
    let (w, h) = img.dimensions();
    let mut out = GrayImage::new(w, h);
    let mut n = 0;
    for (o, p) in out.pixels_mut().zip(img.pixels()) {
        let [r, g, b] = p.0;
        o.0[0] = if is_red(r, g, b) {
            n += 1;
            // Push what remains of the ink towards the paper.
            r.saturating_add(((255 - r as u16) / 2) as u8)
        } else {
            ((r as u32 * 299 + g as u32 * 587 + b as u32 * 114) / 1000) as u8
        };
    }
    (out, n)
}

/// The Otsu threshold of a grayscale page: below it is ink.
pub fn otsu(img: &GrayImage) -> u8 {
    let mut hist = [0u64; 256];
    for p in img.pixels() {
        hist[p.0[0] as usize] += 1;
    }
    let total: u64 = hist.iter().sum();
    if total == 0 {
        return 128;
    }
    let sum: f64 = hist
        .iter()
        .enumerate()
        .map(|(i, &c)| i as f64 * c as f64)
        .sum();
    let (mut sum_b, mut w_b, mut best, mut best_t) = (0.0, 0u64, -1.0, 128u8);
    for (t, &c) in hist.iter().enumerate() {
        w_b += c;
        if w_b == 0 {
            continue;
        }
        let w_f = total - w_b;
        if w_f == 0 {
            break;
        }
        sum_b += t as f64 * c as f64;
        let m_b = sum_b / w_b as f64;
        let m_f = (sum - sum_b) / w_f as f64;
        let between = w_b as f64 * w_f as f64 * (m_b - m_f).powi(2);
        if between > best {
            best = between;
            best_t = t as u8;
        }
    }
    // The classes are [0, best_t] and (best_t, 255]: pixels below the returned value are ink.
    best_t.saturating_add(1)
}

/// The gray level below which a pixel is ink: Otsu's threshold, kept between 64 and 160 so
/// that a page of gray paper with white margins is not split into "paper" and "white".
pub fn ink_threshold(img: &GrayImage) -> u8 {
    otsu(img).clamp(64, 160)
}

/// Dark pixels of a reduced copy (at most `max_side` on the long side): (width, height, ink).
fn ink_mask(img: &GrayImage, max_side: u32) -> (u32, u32, Vec<bool>, f32) {
    let (w, h) = img.dimensions();
    let f = (max_side as f32 / w.max(h) as f32).min(1.0);
    let small;
    let src = if f < 1.0 {
        small = image::imageops::resize(
            img,
            ((w as f32 * f) as u32).max(1),
            ((h as f32 * f) as u32).max(1),
            FilterType::Triangle,
        );
        &small
    } else {
        img
    };
    let t = ink_threshold(src);
    let mask = src.pixels().map(|p| p.0[0] < t).collect();
    (src.width(), src.height(), mask, f)
}

/// The skew of the page's text lines in degrees (positive: lines rise to the right), or
/// `None` when it is under 0.15° or cannot be told (a blank page).
pub fn skew_angle(img: &GrayImage) -> Option<f32> {
    let (w, h, mask, _) = ink_mask(img, 1200);
    let points: Vec<(f32, f32)> = (0..h)
        .flat_map(|y| (0..w).map(move |x| (x, y)))
        .filter(|&(x, y)| mask[(y * w + x) as usize])
        .map(|(x, y)| (x as f32, y as f32))
        .collect();
    if points.len() < 200 || points.len() as f32 > 0.5 * (w * h) as f32 {
        return None;
    }
    let score = |deg: f32| -> f64 {
        let (s, c) = deg.to_radians().sin_cos();
        let n = (h + w) as usize * 2;
        let mut bins = vec![0u32; n];
        for &(x, y) in &points {
            // Row of the point once the page is turned by −deg around the origin.
            let r = y * c + x * s + w as f32;
            if r >= 0.0 && (r as usize) < n {
                bins[r as usize] += 1;
            }
        }
        bins.iter().map(|&b| (b as f64) * (b as f64)).sum()
    };
    let mut best = (0.0f32, score(0.0));
    let mut deg = -MAX_SKEW_DEG;
    while deg <= MAX_SKEW_DEG + 1e-3 {
        let s = score(deg);
        if s > best.1 {
            best = (deg, s);
        }
        deg += 0.25;
    }
    // Refine around the best coarse angle.
    let centre = best.0;
    let mut d = centre - 0.25;
    while d <= centre + 0.25 + 1e-3 {
        let s = score(d);
        if s > best.1 {
            best = (d, s);
        }
        d += 0.05;
    }
    // With y down, a line rising to the right at θ keeps y + x·tan θ constant: the sharpest
    // projection is at the rise angle itself.
    let angle = best.0;
    (angle.abs() >= 0.15).then_some(angle)
}

/// Rotates by `deg` degrees counter-clockwise (as seen) about the centre, white fill,
/// bilinear, same size.
pub fn rotate(img: &GrayImage, deg: f32) -> GrayImage {
    let (w, h) = img.dimensions();
    let (s, c) = deg.to_radians().sin_cos();
    let (cx, cy) = (w as f32 / 2.0, h as f32 / 2.0);
    let mut out = GrayImage::from_pixel(w, h, Luma([255]));
    let px = |x: i64, y: i64| -> f32 {
        if x < 0 || y < 0 || x >= w as i64 || y >= h as i64 {
            255.0
        } else {
            img.get_pixel(x as u32, y as u32).0[0] as f32
        }
    };
    for y in 0..h {
        for x in 0..w {
            // Inverse map: the source of output (x, y). Counter-clockwise on screen with y
            // down is a clockwise rotation of the coordinates.
            let (dx, dy) = (x as f32 - cx, y as f32 - cy);
            let sx = c * dx - s * dy + cx;
            let sy = s * dx + c * dy + cy;
            let (x0, y0) = (sx.floor(), sy.floor());
            let (fx, fy) = (sx - x0, sy - y0);
            let (x0, y0) = (x0 as i64, y0 as i64);
            let v = px(x0, y0) * (1.0 - fx) * (1.0 - fy)
                + px(x0 + 1, y0) * fx * (1.0 - fy)
                + px(x0, y0 + 1) * (1.0 - fx) * fy
                + px(x0 + 1, y0 + 1) * fx * fy;
            out.put_pixel(x, y, Luma([v.round().clamp(0.0, 255.0) as u8]));
        }
    }
    out
}

/// Whitens the long horizontal and vertical dark runs of a ruled table (only when both are
/// present: a page of text with an underline is left alone). Returns the pixels whitened.
pub fn erase_rulings(img: &mut GrayImage) -> usize {
    erase_grid(img).pixels
}

/// What [`erase_grid`] found.
#[derive(Debug, Default)]
pub struct Grid {
    /// Pixels whitened.
    pub pixels: usize,
    /// The cells closed by rulings on all four sides.
    pub cells: Vec<Cell>,
}

/// [`erase_rulings`], also returning the table's cells: the rectangles between neighbouring
/// horizontal and vertical rulings where all four rulings are really there (a cell merged
/// across a missing ruling is not one; its text stays with the page's own read).
pub fn erase_grid(img: &mut GrayImage) -> Grid {
    let (w, h) = img.dimensions();
    if w < 50 || h < 50 {
        return Grid::default();
    }
    let t = ink_threshold(img);
    let dark = |img: &GrayImage, x: u32, y: u32| img.get_pixel(x, y).0[0] < t;
    // A ruling is longer than any cell's text line could be dark without a gap: an eighth of
    // the page width across, a twentieth of the height down (table rows are short).
    let min_h = (w / 8).max(40);
    let min_v = (h / 25).max(40);
    let mut erase = vec![false; (w * h) as usize];
    let mut h_rows = std::collections::BTreeSet::new();
    for y in 0..h {
        let mut x = 0;
        while x < w {
            if dark(img, x, y) {
                let start = x;
                while x < w && dark(img, x, y) {
                    x += 1;
                }
                if x - start >= min_h {
                    h_rows.insert(y);
                    for i in start..x {
                        erase[(y * w + i) as usize] = true;
                    }
                }
            } else {
                x += 1;
            }
        }
    }
    let mut v_cols = std::collections::BTreeSet::new();
    for x in 0..w {
        let mut y = 0;
        while y < h {
            if dark(img, x, y) {
                let start = y;
                while y < h && dark(img, x, y) {
                    y += 1;
                }
                if y - start >= min_v {
                    v_cols.insert(x);
                    for i in start..y {
                        erase[(i * w + x) as usize] = true;
                    }
                }
            } else {
                y += 1;
            }
        }
    }
    // A grid: at least five separate long horizontal lines (rows) and three vertical ones (each
    // ruling is a few pixels thick: neighbouring rows count as one line).
    let lines = |s: &std::collections::BTreeSet<u32>| {
        let mut n = 0;
        let mut last = None;
        for &v in s {
            if last.is_none_or(|l: u32| v > l + 2) {
                n += 1;
            }
            last = Some(v);
        }
        n
    };
    if lines(&h_rows) < 5 || lines(&v_cols) < 3 {
        return Grid::default();
    }
    let cells = grid_cells(&h_rows, &v_cols, &erase, w);
    let mut n = 0;
    for (i, e) in erase.iter().enumerate() {
        if *e {
            let (x, y) = (i as u32 % w, i as u32 / w);
            img.put_pixel(x, y, Luma([255]));
            n += 1;
            // The anti-aliased fringe of the line goes with it.
            for (nx, ny) in [
                (x.wrapping_sub(1), y),
                (x + 1, y),
                (x, y.wrapping_sub(1)),
                (x, y + 1),
            ] {
                if nx < w && ny < h && img.get_pixel(nx, ny).0[0] < 230 && !dark(img, nx, ny) {
                    img.put_pixel(nx, ny, Luma([255]));
                }
            }
        }
    }
    Grid { pixels: n, cells }
}

/// Rulings a few pixels thick as `(first, last)` pixel of each line.
fn clusters(s: &std::collections::BTreeSet<u32>) -> Vec<(u32, u32)> {
    let mut out: Vec<(u32, u32)> = Vec::new();
    for &v in s {
        match out.last_mut() {
            Some(last) if v <= last.1 + 2 => last.1 = v,
            _ => out.push((v, v)),
        }
    }
    out
}

/// The closed cells of a grid whose ruling pixels are `erase` (row-major, `w` wide).
fn grid_cells(
    h_rows: &std::collections::BTreeSet<u32>,
    v_cols: &std::collections::BTreeSet<u32>,
    erase: &[bool],
    w: u32,
) -> Vec<Cell> {
    let hs = clusters(h_rows);
    let vs = clusters(v_cols);
    let at = |x: u32, y: u32| erase.get((y * w + x) as usize).copied().unwrap_or(false);
    // A vertical ruling crosses the band (y0, y1) at its middle; a horizontal one the span
    // (x0, x1) at its middle. Rulings are a few pixels thick: any pixel of the line counts.
    let v_there = |v: (u32, u32), y: u32| (v.0..=v.1).any(|x| at(x, y));
    let h_there = |hl: (u32, u32), x: u32| (hl.0..=hl.1).any(|y| at(x, y));
    let mut cells = Vec::new();
    for pair in hs.windows(2) {
        let (top, bottom) = (pair[0], pair[1]);
        let (y0, y1) = (top.1 + 1, bottom.0);
        if y1 <= y0 + 4 {
            continue;
        }
        let mid = (y0 + y1) / 2;
        let walls: Vec<(u32, u32)> = vs.iter().copied().filter(|&v| v_there(v, mid)).collect();
        for wall in walls.windows(2) {
            let (x0, x1) = (wall[0].1 + 1, wall[1].0);
            if x1 <= x0 + 4 {
                continue;
            }
            let xm = (x0 + x1) / 2;
            if h_there(top, xm) && h_there(bottom, xm) {
                cells.push((x0, y0, x1 - x0, y1 - y0));
            }
        }
    }
    cells
}

/// The typical height of a text line in pixels: the median height of the bands of
/// consecutive rows holding some ink (a page without rulings), or `None` for a blank page.
pub fn line_height(img: &GrayImage) -> Option<u32> {
    let (w, h) = img.dimensions();
    let t = ink_threshold(img);
    let rows: Vec<u32> = (0..h)
        .map(|y| (0..w).filter(|&x| img.get_pixel(x, y).0[0] < t).count() as u32)
        .collect();
    // A row is a text row when it holds a little ink (not a ruling, not empty).
    let mut bands = Vec::new();
    let mut run = 0u32;
    for &c in &rows {
        if c > 0 && c < w * 9 / 10 {
            run += 1;
        } else {
            if run > 1 {
                bands.push(run);
            }
            run = 0;
        }
    }
    if run > 1 {
        bands.push(run);
    }
    if bands.len() < 3 {
        return None;
    }
    bands.sort_unstable();
    Some(bands[bands.len() / 2])
}

/// The most pieces of print [`unread_ink`] returns for one page.
pub const MAX_UNREAD: usize = 40;

/// Pieces of print that no word of a page read covers: automatic page segmentation now and
/// then leaves out a whole column of labels (`专业`, `入学日期` of a form whose values it read).
/// `covered` are the rectangles read already (each word's box, padded; the table cells read on
/// their own), `line_h` the height of a line of print in pixels. Ink outside them is smeared
/// along its rows across gaps under half a line, and each connected piece that looks like a
/// line of print is returned as a rectangle `(left, top, width, height)`: ½–2½ lines tall, at
/// least ¾ of a line wide, 4–55 % ink (not a speck, not a dark band), clear of the page's edge
/// (a photo's desk, a scanner lid's shadow); the largest first, at most [`MAX_UNREAD`].
pub fn unread_ink(img: &GrayImage, covered: &[Cell], line_h: u32) -> Vec<Cell> {
    let (w, h) = img.dimensions();
    let (wu, hu) = (w as usize, h as usize);
    if w < 8 || h < 8 || line_h < 4 {
        return Vec::new();
    }
    let t = ink_threshold(img);
    let mut cov = vec![false; wu * hu];
    for &(l, top, cw, ch) in covered {
        for y in top.min(h)..top.saturating_add(ch).min(h) {
            let row = y as usize * wu;
            cov[row + l.min(w) as usize..row + l.saturating_add(cw).min(w) as usize].fill(true);
        }
    }
    let ink = |x: usize, y: usize| !cov[y * wu + x] && img.as_raw()[y * wu + x] < t;
    // Uncovered ink, smeared along rows over gaps under half a line.
    let gap = (line_h / 2).max(2) as usize;
    let mut m = vec![false; wu * hu];
    for y in 0..hu {
        let mut last: Option<usize> = None;
        for x in 0..wu {
            if !ink(x, y) {
                continue;
            }
            if let Some(l) = last
                && x - l <= gap
            {
                m[y * wu + l..y * wu + x].fill(true);
            }
            m[y * wu + x] = true;
            last = Some(x);
        }
    }
    // Connected pieces (4-neighbours) of the smeared mask: bounding box and ink pixels.
    let mut seen = vec![false; wu * hu];
    let mut pieces: Vec<(Cell, usize)> = Vec::new();
    let mut stack = Vec::new();
    for start in 0..wu * hu {
        if !m[start] || seen[start] {
            continue;
        }
        seen[start] = true;
        stack.push(start);
        let (mut x0, mut y0, mut x1, mut y1) = (usize::MAX, usize::MAX, 0, 0);
        let mut dark = 0usize;
        while let Some(i) = stack.pop() {
            let (x, y) = (i % wu, i / wu);
            (x0, y0, x1, y1) = (x0.min(x), y0.min(y), x1.max(x), y1.max(y));
            if ink(x, y) {
                dark += 1;
            }
            let mut push = |j: usize| {
                if m[j] && !seen[j] {
                    seen[j] = true;
                    stack.push(j);
                }
            };
            if x > 0 {
                push(i - 1);
            }
            if x + 1 < wu {
                push(i + 1);
            }
            if y > 0 {
                push(i - wu);
            }
            if y + 1 < hu {
                push(i + wu);
            }
        }
        let (bw, bh) = (x1 - x0 + 1, y1 - y0 + 1);
        let lh = line_h as usize;
        let density = dark as f32 / (bw * bh) as f32;
        let margin = 3;
        if 2 * bh >= lh
            && 2 * bh <= 5 * lh
            && 4 * bw >= 3 * lh
            && (0.04..=0.55).contains(&density)
            && x0 >= margin
            && y0 >= margin
            && x1 + margin < wu
            && y1 + margin < hu
        {
            pieces.push(((x0 as u32, y0 as u32, bw as u32, bh as u32), dark));
        }
    }
    pieces.sort_by_key(|p| std::cmp::Reverse(p.1));
    pieces.truncate(MAX_UNREAD);
    pieces.into_iter().map(|p| p.0).collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use image::Rgb;

    #[test]
    fn print_no_word_covers_is_found() {
        let mut g = GrayImage::from_pixel(400, 200, Luma([235]));
        // Three "words" of strokes 20 px tall: two covered by the page read, one not.
        let word = |g: &mut GrayImage, x0: u32, y0: u32| {
            for x in (x0..x0 + 60).step_by(6) {
                for y in y0..y0 + 20 {
                    g.put_pixel(x, y, Luma([20]));
                    g.put_pixel(x + 1, y, Luma([20]));
                }
            }
        };
        word(&mut g, 20, 40);
        word(&mut g, 200, 40);
        word(&mut g, 20, 120);
        // A speck and a dark band at the edge are no print.
        g.put_pixel(300, 150, Luma([0]));
        for y in 0..200 {
            for x in 390..400 {
                g.put_pixel(x, y, Luma([10]));
            }
        }
        let covered = [(15, 35, 70, 30), (195, 35, 70, 30)];
        let found = unread_ink(&g, &covered, 22);
        assert_eq!(found.len(), 1, "{found:?}");
        // The third word, its strokes from x 20 to 75, rows 120–139.
        assert_eq!(found[0], (20, 120, 56, 20));
        // Everything covered: nothing to read again.
        assert!(unread_ink(&g, &[(0, 0, 390, 200)], 22).is_empty());
    }

    fn page_with_lines(w: u32, h: u32) -> GrayImage {
        let mut g = GrayImage::from_pixel(w, h, Luma([255]));
        // Text-like blocks: short dark dashes along rows every 40 px.
        for row in 0..(h / 40) {
            let y0 = 20 + row * 40;
            for x in (30..w - 30).step_by(14) {
                for y in y0..y0 + 12 {
                    for dx in 0..9 {
                        if y < h {
                            g.put_pixel(x + dx, y, Luma([20]));
                        }
                    }
                }
            }
        }
        g
    }

    #[test]
    fn red_ink_fades_black_stays() {
        let mut img = RgbImage::from_pixel(4, 1, Rgb([255, 255, 255]));
        img.put_pixel(0, 0, Rgb([220, 40, 40])); // seal ink on paper
        img.put_pixel(1, 0, Rgb([0, 0, 0])); // print
        img.put_pixel(2, 0, Rgb([10, 2, 2])); // print under the seal (multiplied)
        img.put_pixel(3, 0, Rgb([20, 30, 120])); // blue ink of a handwritten note
        let (g, n) = suppress_red(&img);
        assert_eq!(n, 1);
        assert!(g.get_pixel(0, 0).0[0] > 200, "{:?}", g.get_pixel(0, 0));
        assert!(g.get_pixel(1, 0).0[0] < 20);
        assert!(g.get_pixel(2, 0).0[0] < 20);
        assert!(g.get_pixel(3, 0).0[0] < 80);
    }

    #[test]
    fn otsu_splits_ink_from_paper() {
        let mut g = GrayImage::from_pixel(10, 10, Luma([240]));
        for x in 0..10 {
            g.put_pixel(x, 0, Luma([15]));
        }
        let t = otsu(&g);
        assert!(t > 15 && t < 240, "{t}");
    }

    #[test]
    fn finds_and_corrects_skew() {
        let page = page_with_lines(800, 600);
        assert_eq!(skew_angle(&page), None);
        for deg in [2.0f32, -1.5] {
            let skewed = rotate(&page, deg);
            let found = skew_angle(&skewed).expect("a skew");
            assert!((found - deg).abs() < 0.2, "rotated {deg}, found {found}");
            let back = rotate(&skewed, -found);
            assert!(skew_angle(&back).is_none_or(|a| a.abs() < 0.3));
        }
    }

    #[test]
    fn erases_a_grid_not_text() {
        let mut g = page_with_lines(800, 600);
        let text_only = g.clone();
        let mut plain = text_only.clone();
        assert_eq!(erase_rulings(&mut plain), 0, "text alone is not a table");
        for y in (10..590).step_by(40) {
            for x in 10..790 {
                g.put_pixel(x, y, Luma([0]));
            }
        }
        for x in (10..790).step_by(100) {
            for y in 10..590 {
                g.put_pixel(x, y, Luma([0]));
            }
        }
        let grid = erase_grid(&mut g);
        let n = grid.pixels;
        assert!(n > 10_000, "{n}");
        // 14 bands of 40 px between 15 horizontal rulings, 7 columns of 100 px between 8
        // vertical ones: every cell closed.
        assert_eq!(grid.cells.len(), 14 * 7, "{:?}", &grid.cells[..3]);
        assert_eq!(grid.cells[0], (11, 11, 99, 39));
        // Rulings gone, text dashes kept.
        assert_eq!(g.get_pixel(400, 10).0[0], 255);
        assert_eq!(g.get_pixel(110, 300).0[0], 255);
        assert!(g.get_pixel(31, 25).0[0] < 50);
    }

    #[test]
    fn small_print_is_enlarged() {
        let g = page_with_lines(800, 600);
        let x = line_height(&g).unwrap();
        assert_eq!(x, 12);
        let p = prepare(g, Steps::default());
        assert!(p.scale > 1.5, "{}", p.scale);
        assert!(p.notes.iter().any(|n| n.contains("enlarged")));
    }
}
