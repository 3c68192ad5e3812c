//! A card in a photo → the card alone, straightened, evenly lit.
//!
//! Contract: in: the decoded pixels of one page image; out: the card's four corners when the
//! image shows one ID-1 card (85.6 × 54 mm: 居民身份证, 居住证) with background around it
//! ([`find`]), the card warped onto a [`CARD_WIDTH`] × [`CARD_HEIGHT`] rectangle
//! ([`straighten`]) and its uneven light flattened ([`flatten_light`]). Nothing found is
//! `None` and the page is read as a page (`read::scan`), as before.
//!
//! How the card is found, on a copy reduced to [`FIND_SIDE`] pixels:
//! 1. the light (or, for a card on white paper, the dark) pixels by Otsu's threshold of the
//!    smoothed luminance, and their connected regions; a region touching the image border is
//!    not a card (there is no background around it);
//! 2. rough corners of a region: its extreme points towards the four diagonals (right for a
//!    rectangle turned less than 45°);
//! 3. each side: the outermost region pixel of every row (left, right) or column (top,
//!    bottom) between its rough corners, leaving out the ends where the corners are rounded;
//!    a straight line through them by total least squares, refitted without the points far
//!    from it (a thumb over the edge, a shadow);
//! 4. the corners are where neighbouring sides meet — on a card with rounded corners they lie
//!    outside the card, where the corners would be if they were square; the four of them give
//!    the perspective (a homography), not just a rotation;
//! 5. a card is the region whose four sides are straight (most points within a pixel or two of
//!    their line), whose corners are near right angles, whose long side is 1.45–1.75 times its
//!    short side (85.6 / 54 = 1.585; A4 is 1.414), and which covers at least
//!    [`MIN_AREA_SHARE`] of the image. The first region (largest first) that holds is taken.
//!
//! Pure image arithmetic: no I/O, no engine (`read::ocr` reads the straightened card).

use image::{DynamicImage, GrayImage, Luma, Rgb, RgbImage};

/// Width of the straightened card, pixels (85.6 mm at ≈ 380 dpi: the values printed on a card
/// come out ≈ 40 px tall, which tesseract reads well).
pub const CARD_WIDTH: u32 = 1280;
/// Height of the straightened card: `CARD_WIDTH` × 54 / 85.6.
pub const CARD_HEIGHT: u32 = 807;
/// The card's aspect ratio (ISO/IEC 7810 ID-1).
pub const CARD_ASPECT: f32 = 85.6 / 54.0;
/// Long side over short side accepted as a card (perspective changes the ratio a little).
const ASPECT_RANGE: (f32, f32) = (1.45, 1.75);
/// The long side of the reduced copy the card is looked for in.
pub const FIND_SIDE: u32 = 480;
/// The least share of the image a card covers.
pub const MIN_AREA_SHARE: f32 = 0.12;
/// The largest angle between neighbouring sides' deviation from 90°, degrees.
const MAX_CORNER_DEVIATION: f32 = 20.0;

/// A card found in an image: its corners in image pixels, clockwise from the top left of the
/// card as it reads (top left, top right, bottom right, bottom left).
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Card {
    /// Corners, image pixels.
    pub corners: [(f32, f32); 4],
    /// The angle of the top edge, degrees (positive: the card is turned clockwise).
    pub angle: f32,
    /// Long side over short side as found.
    pub aspect: f32,
    /// The share of the image the card covers.
    pub area_share: f32,
}

impl Card {
    /// The mean of the corners.
    pub fn centre(&self) -> (f32, f32) {
        let c = self.corners;
        (
            (c[0].0 + c[1].0 + c[2].0 + c[3].0) / 4.0,
            (c[0].1 + c[1].1 + c[2].1 + c[3].1) / 4.0,
        )
    }

    /// Whether a point lies inside the card's outline.
    pub fn contains(&self, p: (f32, f32)) -> bool {
        let c = self.corners;
        // Inside a clockwise (y down) convex outline: right of no side.
        (0..4).all(|k| {
            let (a, b) = (c[k], c[(k + 1) % 4]);
            (b.0 - a.0) * (p.1 - a.1) - (b.1 - a.1) * (p.0 - a.0) >= 0.0
        })
    }

    /// What was done, for the page's notes.
    pub fn note(&self) -> String {
        let c = |i: usize| {
            format!(
                "({:.0},{:.0})",
                self.corners[i].0.round(),
                self.corners[i].1.round()
            )
        };
        format!(
            "a card was found in the photo (corners {} {} {} {}, turned {:+.1}°, sides {:.2}:1, {:.0}% of the image) and straightened to {CARD_WIDTH}×{CARD_HEIGHT} px before OCR",
            c(0),
            c(1),
            c(2),
            c(3),
            self.angle,
            self.aspect,
            self.area_share * 100.0
        )
    }
}

/// The most cards read from one photo (the face and the back of an ID card, side by side).
pub const MAX_CARDS: usize = 2;

/// Looks for one card with background around it; `None` when the image does not show one.
pub fn find(img: &DynamicImage) -> Option<Card> {
    find_all(img).into_iter().next()
}

/// Every card (at most [`MAX_CARDS`], largest first) with background around it: a photo of the
/// face and the back side by side gives both. Empty when the image shows none.
pub fn find_all(img: &DynamicImage) -> Vec<Card> {
    let (w, h) = (img.width(), img.height());
    if w < 64 || h < 64 {
        return Vec::new();
    }
    let f = (FIND_SIDE as f32 / w.max(h) as f32).min(1.0);
    let (sw, sh) = (
        ((w as f32 * f).round() as u32).max(1),
        ((h as f32 * f).round() as u32).max(1),
    );
    // Area averaging (`thumbnail`) is cheap on a 12-megapixel photo; the full-size gray copy
    // is made only for a card found.
    let small = if f < 1.0 {
        img.thumbnail_exact(sw, sh).to_luma8()
    } else {
        img.to_luma8()
    };
    let small = image::imageops::blur(&small, 1.0);
    let lum: Vec<u8> = small.pixels().map(|p| p.0[0]).collect();
    // Three ways to tell card from background: lighter or darker than Otsu's threshold, and
    // unlike the background seen at the image border.
    let t = super::scan::otsu(&small);
    let mut found = components(&lum.iter().map(|&v| v >= t).collect::<Vec<_>>(), sw, sh);
    found.extend(components(
        &lum.iter().map(|&v| v < t).collect::<Vec<_>>(),
        sw,
        sh,
    ));
    if let Some((bg, k)) = background(&small) {
        found.extend(components(
            &lum.iter()
                .map(|&v| (v as i32 - bg as i32).abs() > k)
                .collect::<Vec<_>>(),
            sw,
            sh,
        ));
    }
    found.sort_by_key(|r| std::cmp::Reverse(r.len()));
    let min_area = (MIN_AREA_SHARE * (sw * sh) as f32) as usize;
    let mut cards: Vec<Card> = Vec::new();
    let mut gray: Option<GrayImage> = None;
    for r in found.iter().take_while(|r| r.len() >= min_area / 2) {
        if cards.len() == MAX_CARDS {
            break;
        }
        if let Some(mut card) = quad_of(r, sw, sh).filter(|c| stands_out(&small, c)) {
            // Back to the image's pixels (pixel centres).
            for c in &mut card.corners {
                *c = ((c.0 + 0.5) / f - 0.5, (c.1 + 0.5) / f - 0.5);
            }
            // The same card found again (light and unlike-the-border regions are often one),
            // or a card-shaped panel on a card found already, is not another card.
            let centre = card.centre();
            if card.area_share >= MIN_AREA_SHARE && !cards.iter().any(|c| c.contains(centre)) {
                let gray = gray.get_or_insert_with(|| img.to_luma8());
                cards.push(refine(gray, card, 1.0 / f));
            }
        }
    }
    cards
}

/// The background's level (the median of the image's outer ring) and how far from it a pixel
/// must be to belong to what lies on it (half the way to the median of the image's centre).
fn background(img: &GrayImage) -> Option<(u8, i32)> {
    let (w, h) = img.dimensions();
    let mut ring: Vec<u8> = img
        .enumerate_pixels()
        .filter(|(x, y, _)| *x < 2 || *y < 2 || *x + 2 >= w || *y + 2 >= h)
        .map(|(_, _, p)| p.0[0])
        .collect();
    let mut centre: Vec<u8> = img
        .enumerate_pixels()
        .filter(|(x, y, _)| *x >= w / 4 && *x < w * 3 / 4 && *y >= h / 4 && *y < h * 3 / 4)
        .map(|(_, _, p)| p.0[0])
        .collect();
    if ring.is_empty() || centre.is_empty() {
        return None;
    }
    ring.sort_unstable();
    centre.sort_unstable();
    let (bg, c) = (ring[ring.len() / 2], centre[centre.len() / 2]);
    Some((bg, ((c as i32 - bg as i32).abs() / 2).max(10)))
}

/// The connected regions (4-neighbours) of the set pixels that do not touch the border, as
/// lists of pixel indices.
fn components(mask: &[bool], w: u32, h: u32) -> Vec<Vec<u32>> {
    let (w, h) = (w as usize, h as usize);
    let mut seen = vec![false; mask.len()];
    let mut out = Vec::new();
    let mut stack = Vec::new();
    for start in 0..mask.len() {
        if !mask[start] || seen[start] {
            continue;
        }
        let mut region = Vec::new();
        let mut border = false;
        seen[start] = true;
        stack.push(start);
        while let Some(i) = stack.pop() {
            region.push(i as u32);
            let (x, y) = (i % w, i / w);
            if x == 0 || y == 0 || x == w - 1 || y == h - 1 {
                border = true;
            }
            let mut visit = |j: usize| {
                if mask[j] && !seen[j] {
                    seen[j] = true;
                    stack.push(j);
                }
            };
            if x > 0 {
                visit(i - 1);
            }
            if x + 1 < w {
                visit(i + 1);
            }
            if y > 0 {
                visit(i - w);
            }
            if y + 1 < h {
                visit(i + w);
            }
        }
        if !border {
            out.push(region);
        }
    }
    out
}

/// A straight line: a point on it and its unit direction.
#[derive(Clone, Copy, Debug)]
struct Line {
    c: (f64, f64),
    d: (f64, f64),
}

impl Line {
    fn distance(&self, p: (f64, f64)) -> f64 {
        ((p.0 - self.c.0) * -self.d.1 + (p.1 - self.c.1) * self.d.0).abs()
    }

    fn meet(&self, o: &Line) -> Option<(f64, f64)> {
        // c1 + t d1 = c2 + s d2.
        let det = self.d.0 * -o.d.1 + self.d.1 * o.d.0;
        if det.abs() < 1e-9 {
            return None;
        }
        let (bx, by) = (o.c.0 - self.c.0, o.c.1 - self.c.1);
        let t = (bx * -o.d.1 + by * o.d.0) / det;
        Some((self.c.0 + t * self.d.0, self.c.1 + t * self.d.1))
    }
}

/// Total least squares line through points.
fn fit(points: &[(f64, f64)]) -> Option<Line> {
    if points.len() < 2 {
        return None;
    }
    let n = points.len() as f64;
    let (mx, my) = points
        .iter()
        .fold((0.0, 0.0), |a, p| (a.0 + p.0 / n, a.1 + p.1 / n));
    let (mut sxx, mut syy, mut sxy) = (0.0, 0.0, 0.0);
    for p in points {
        let (dx, dy) = (p.0 - mx, p.1 - my);
        sxx += dx * dx;
        syy += dy * dy;
        sxy += dx * dy;
    }
    // Direction of the largest eigenvector of the covariance.
    let theta = 0.5 * (2.0 * sxy).atan2(sxx - syy);
    Some(Line {
        c: (mx, my),
        d: (theta.cos(), theta.sin()),
    })
}

/// A line through the points, refitted without those far from the first fit; with the share
/// of points within `tol` of it.
fn robust_fit(points: &[(f64, f64)], tol: f64) -> Option<(Line, f64)> {
    let first = fit(points)?;
    let mut d: Vec<f64> = points.iter().map(|p| first.distance(*p)).collect();
    d.sort_by(f64::total_cmp);
    let cut = (3.0 * d[d.len() / 2]).max(tol);
    let kept: Vec<(f64, f64)> = points
        .iter()
        .copied()
        .filter(|p| first.distance(*p) <= cut)
        .collect();
    let line = fit(&kept)?;
    let near = points.iter().filter(|p| line.distance(**p) <= tol).count();
    Some((line, near as f64 / points.len() as f64))
}

/// The card a region outlines, if it is one (corners in the reduced copy's pixels).
fn quad_of(region: &[u32], w: u32, h: u32) -> Option<Card> {
    let wu = w as usize;
    let (mut minx, mut maxx, mut miny, mut maxy) = (usize::MAX, 0, usize::MAX, 0);
    for &i in region {
        let (x, y) = (i as usize % wu, i as usize / wu);
        minx = minx.min(x);
        maxx = maxx.max(x);
        miny = miny.min(y);
        maxy = maxy.max(y);
    }
    let (bw, bh) = (maxx - minx + 1, maxy - miny + 1);
    if bw < 24 || bh < 24 {
        return None;
    }
    // Outermost pixel per row and per column of the bounding box.
    let mut left = vec![usize::MAX; bh];
    let mut right = vec![0usize; bh];
    let mut top = vec![usize::MAX; bw];
    let mut bottom = vec![0usize; bw];
    // Rough corners: extremes towards the diagonals.
    let mut tl = (i64::MAX, (0, 0));
    let mut tr = (i64::MIN, (0, 0));
    let mut br = (i64::MIN, (0, 0));
    let mut bl = (i64::MIN, (0, 0));
    for &i in region {
        let (x, y) = (i as usize % wu, i as usize / wu);
        let (rx, ry) = (x - minx, y - miny);
        left[ry] = left[ry].min(x);
        right[ry] = right[ry].max(x);
        top[rx] = top[rx].min(y);
        bottom[rx] = bottom[rx].max(y);
        let (xi, yi) = (x as i64, y as i64);
        if xi + yi < tl.0 {
            tl = (xi + yi, (x, y));
        }
        if xi - yi > tr.0 {
            tr = (xi - yi, (x, y));
        }
        if xi + yi > br.0 {
            br = (xi + yi, (x, y));
        }
        if yi - xi > bl.0 {
            bl = (yi - xi, (x, y));
        }
    }
    let (tl, tr, br, bl) = (tl.1, tr.1, br.1, bl.1);
    // Side points between two rough corners, without the rounded ends (a fifth of the side at
    // each end).
    let span = |a: usize, b: usize| -> (usize, usize) {
        let (lo, hi) = (a.min(b), a.max(b));
        let m = (hi - lo) / 5;
        (lo + m, hi - m)
    };
    let cols = |a: usize, b: usize, of: &[usize], bad: usize| -> Vec<(f64, f64)> {
        let (lo, hi) = span(a, b);
        (lo..=hi)
            .filter(|&x| of[x - minx] != bad)
            .map(|x| (x as f64, of[x - minx] as f64))
            .collect()
    };
    let rows = |a: usize, b: usize, of: &[usize], bad: usize| -> Vec<(f64, f64)> {
        let (lo, hi) = span(a, b);
        (lo..=hi)
            .filter(|&y| of[y - miny] != bad)
            .map(|y| (of[y - miny] as f64, y as f64))
            .collect()
    };
    let sides = [
        cols(tl.0, tr.0, &top, usize::MAX),
        rows(tr.1, br.1, &right, 0),
        cols(bl.0, br.0, &bottom, 0),
        rows(tl.1, bl.1, &left, usize::MAX),
    ];
    let mut lines = Vec::with_capacity(4);
    for pts in &sides {
        if pts.len() < 8 {
            return None;
        }
        let (line, share) = robust_fit(pts, 1.5)?;
        // A card's edges are straight: most of the side lies on its line.
        if share < 0.8 {
            return None;
        }
        lines.push(line);
    }
    let mut corners = [(0.0f64, 0.0f64); 4];
    for k in 0..4 {
        // Corner k is where side k−1 meets side k (top-left = left ∩ top, …).
        corners[k] = lines[(k + 3) % 4].meet(&lines[k])?;
    }
    // Near right angles at every corner, and convex (turning the same way).
    let vec = |a: (f64, f64), b: (f64, f64)| (b.0 - a.0, b.1 - a.1);
    for k in 0..4 {
        let (a, b, c) = (corners[(k + 3) % 4], corners[k], corners[(k + 1) % 4]);
        let (u, v) = (vec(b, a), vec(b, c));
        let cross = u.0 * v.1 - u.1 * v.0;
        let dot = u.0 * v.0 + u.1 * v.1;
        let angle = cross.atan2(dot).to_degrees().abs() as f32;
        if (angle - 90.0).abs() > MAX_CORNER_DEVIATION || cross >= 0.0 {
            return None;
        }
    }
    let len = |a: (f64, f64), b: (f64, f64)| ((b.0 - a.0).powi(2) + (b.1 - a.1).powi(2)).sqrt();
    let across = (len(corners[0], corners[1]) + len(corners[3], corners[2])) / 2.0;
    let down = (len(corners[0], corners[3]) + len(corners[1], corners[2])) / 2.0;
    let aspect = (across.max(down) / across.min(down).max(1.0)) as f32;
    if !(ASPECT_RANGE.0..=ASPECT_RANGE.1).contains(&aspect) {
        return None;
    }
    // Shoelace area of the quadrilateral; the region must fill it (not a frame, not a blob
    // whose outline happens to be straight in four places).
    let area = 0.5
        * (0..4)
            .map(|k| {
                let (a, b) = (corners[k], corners[(k + 1) % 4]);
                a.0 * b.1 - b.0 * a.1
            })
            .sum::<f64>()
            .abs();
    if (region.len() as f64) < 0.8 * area {
        // The region holds the card's light pixels only; its text and photo are holes. Count
        // the holes in: every pixel between the left and right outline of its row.
        let filled: usize = (0..bh)
            .filter(|&r| left[r] != usize::MAX)
            .map(|r| right[r] - left[r] + 1)
            .sum();
        if (filled as f64) < 0.9 * area {
            return None;
        }
    }
    // A card photographed upright on its long side: turn the corners so that the top edge is
    // a long side (the engine's orientation check turns it over if it is upside down).
    let corners = if down > across {
        [corners[3], corners[0], corners[1], corners[2]]
    } else {
        corners
    };
    let angle = (corners[1].1 - corners[0].1)
        .atan2(corners[1].0 - corners[0].0)
        .to_degrees() as f32;
    Some(Card {
        corners: corners.map(|c| (c.0 as f32, c.1 as f32)),
        angle,
        aspect,
        area_share: (area / (w as f64 * h as f64)) as f32,
    })
}

/// The card's sides found again on the full image: along each side, the strongest change of
/// brightness across it within `reach` reduced pixels of where it was found, a line through
/// those edge points, and the corners where the new lines meet. A side whose edge is not found
/// clearly (too few points on one straight line) keeps its first line.
fn refine(gray: &GrayImage, card: Card, scale: f32) -> Card {
    let (w, h) = gray.dimensions();
    let lum = |x: f32, y: f32| -> Option<f32> {
        if x < 0.0 || y < 0.0 || x >= (w - 1) as f32 || y >= (h - 1) as f32 {
            return None;
        }
        let (x0, y0) = (x.floor(), y.floor());
        let (fx, fy) = (x - x0, y - y0);
        let p = |dx: u32, dy: u32| gray.get_pixel(x0 as u32 + dx, y0 as u32 + dy).0[0] as f32;
        Some(
            p(0, 0) * (1.0 - fx) * (1.0 - fy)
                + p(1, 0) * fx * (1.0 - fy)
                + p(0, 1) * (1.0 - fx) * fy
                + p(1, 1) * fx * fy,
        )
    };
    let reach = 1.5 * scale + 2.0;
    let c = card.corners;
    let mut lines = Vec::with_capacity(4);
    for k in 0..4 {
        let (a, b) = (c[k], c[(k + 1) % 4]);
        let len = ((b.0 - a.0).powi(2) + (b.1 - a.1).powi(2)).sqrt();
        let d = ((b.0 - a.0) / len, (b.1 - a.1) / len);
        // Outward normal of a clockwise outline (y down).
        let n = (d.1, -d.0);
        let mut pts = Vec::new();
        let samples = 80;
        for i in 0..=samples {
            let t = 0.2 + 0.6 * i as f32 / samples as f32;
            let p = (a.0 + t * (b.0 - a.0), a.1 + t * (b.1 - a.1));
            // The profile across the side, half-pixel steps.
            let steps = (2.0 * reach / 0.5) as i32;
            let prof: Option<Vec<f32>> = (0..=steps)
                .map(|j| {
                    let s = -reach + 0.5 * j as f32;
                    lum(p.0 + s * n.0, p.1 + s * n.1)
                })
                .collect();
            let Some(prof) = prof else { continue };
            let grad: Vec<f32> = prof.windows(3).map(|x| (x[2] - x[0]).abs()).collect();
            let Some((j, &g)) = grad.iter().enumerate().max_by(|x, y| x.1.total_cmp(y.1)) else {
                continue;
            };
            if g < 12.0 || j == 0 || j + 1 >= grad.len() {
                continue;
            }
            // Sub-pixel peak (parabola through the neighbours).
            let (l, r) = (grad[j - 1], grad[j + 1]);
            let den = l - 2.0 * g + r;
            let off = if den.abs() > 1e-6 {
                0.5 * (l - r) / den
            } else {
                0.0
            };
            let s = -reach + 0.5 * (j as f32 + 1.0 + off);
            pts.push(((p.0 + s * n.0) as f64, (p.1 + s * n.1) as f64));
        }
        let first = Line {
            c: (a.0 as f64, a.1 as f64),
            d: (d.0 as f64, d.1 as f64),
        };
        let line = match robust_fit(&pts, 1.0) {
            Some((l, share)) if pts.len() * 10 >= samples * 6 && share >= 0.7 => l,
            _ => first,
        };
        lines.push(line);
    }
    let mut corners = card.corners;
    for k in 0..4 {
        match lines[(k + 3) % 4].meet(&lines[k]) {
            Some(p) => corners[k] = (p.0 as f32, p.1 as f32),
            None => return card,
        }
    }
    // The refinement only fine-tunes: a corner that moved far is a wrong edge, keep the first.
    let moved = corners
        .iter()
        .zip(card.corners)
        .any(|(a, b)| ((a.0 - b.0).powi(2) + (a.1 - b.1).powi(2)).sqrt() > 2.0 * reach);
    if moved {
        return card;
    }
    let angle = (corners[1].1 - corners[0].1)
        .atan2(corners[1].0 - corners[0].0)
        .to_degrees();
    Card {
        corners,
        angle,
        ..card
    }
}

/// Least difference of brightness between a card and what lies around it, along a side.
const MIN_EDGE_CONTRAST: f32 = 24.0;

/// Whether the card differs in brightness from its surroundings along at least three sides: a
/// strip just inside each side against a strip just outside (medians, so print near the edge
/// does not count). A card on a table or on paper does; the outline of a ruled table on a
/// scanned page, white paper on both sides of a thin line, does not.
fn stands_out(img: &GrayImage, card: &Card) -> bool {
    let (w, h) = img.dimensions();
    let c = card.corners;
    let len = |a: (f32, f32), b: (f32, f32)| ((b.0 - a.0).powi(2) + (b.1 - a.1).powi(2)).sqrt();
    let short = len(c[0], c[1]).min(len(c[0], c[3]));
    let d = (0.04 * short).max(3.0);
    let mut sides = 0;
    for k in 0..4 {
        let (a, b) = (c[k], c[(k + 1) % 4]);
        let l = len(a, b).max(1.0);
        // Outward normal of the clockwise outline (y down).
        let n = ((b.1 - a.1) / l, -(b.0 - a.0) / l);
        let (mut inside, mut outside) = (Vec::new(), Vec::new());
        for i in 0..=40 {
            let t = 0.15 + 0.7 * i as f32 / 40.0;
            let p = (a.0 + t * (b.0 - a.0), a.1 + t * (b.1 - a.1));
            for s in [-d, -1.5 * d, d, 1.5 * d] {
                let (x, y) = ((p.0 + s * n.0).round(), (p.1 + s * n.1).round());
                if x >= 0.0 && y >= 0.0 && (x as u32) < w && (y as u32) < h {
                    let v = img.get_pixel(x as u32, y as u32).0[0];
                    if s < 0.0 {
                        inside.push(v);
                    } else {
                        outside.push(v);
                    }
                }
            }
        }
        if inside.len() < 20 || outside.len() < 20 {
            continue;
        }
        inside.sort_unstable();
        outside.sort_unstable();
        let diff = inside[inside.len() / 2] as f32 - outside[outside.len() / 2] as f32;
        if diff.abs() >= MIN_EDGE_CONTRAST {
            sides += 1;
        }
    }
    sides >= 3
}

/// The homography mapping each `from[i]` to `to[i]` (8 coefficients, the ninth is 1).
pub fn homography(from: [(f64, f64); 4], to: [(f64, f64); 4]) -> Option<[f64; 8]> {
    let mut a = [[0f64; 9]; 8];
    for i in 0..4 {
        let ((x, y), (u, v)) = (from[i], to[i]);
        a[2 * i] = [x, y, 1.0, 0.0, 0.0, 0.0, -x * u, -y * u, u];
        a[2 * i + 1] = [0.0, 0.0, 0.0, x, y, 1.0, -x * v, -y * v, v];
    }
    // Gauss–Jordan with partial pivoting.
    for col in 0..8 {
        let piv = (col..8).max_by(|&i, &j| a[i][col].abs().total_cmp(&a[j][col].abs()))?;
        if a[piv][col].abs() < 1e-12 {
            return None;
        }
        a.swap(col, piv);
        for r in 0..8 {
            if r != col {
                let f = a[r][col] / a[col][col];
                let pivot = a[col];
                for (x, p) in a[r].iter_mut().zip(pivot).skip(col) {
                    *x -= f * p;
                }
            }
        }
    }
    Some(std::array::from_fn(|i| a[i][8] / a[i][i]))
}

/// Applies a homography to a point.
pub fn apply(h: &[f64; 8], x: f64, y: f64) -> (f64, f64) {
    let d = h[6] * x + h[7] * y + 1.0;
    (
        (h[0] * x + h[1] * y + h[2]) / d,
        (h[3] * x + h[4] * y + h[5]) / d,
    )
}

/// The card warped onto a `CARD_WIDTH × CARD_HEIGHT` image (bilinear; the corners of the output
/// are the card's corners; outside the photo white).
pub fn straighten(img: &DynamicImage, card: &Card) -> RgbImage {
    let src = img.to_rgb8();
    let (w, h) = (CARD_WIDTH as f64, CARD_HEIGHT as f64);
    let rect = [(0.0, 0.0), (w, 0.0), (w, h), (0.0, h)];
    // The corners are pixel centres of the photo; the output's corners are its pixel edges.
    let quad = card.corners.map(|c| (c.0 as f64 + 0.5, c.1 as f64 + 0.5));
    let Some(m) = homography(rect, quad) else {
        return RgbImage::from_pixel(CARD_WIDTH, CARD_HEIGHT, Rgb([255, 255, 255]));
    };
    let (sw, sh) = (src.width() as i64, src.height() as i64);
    let px = |x: i64, y: i64| -> [f32; 3] {
        if x < 0 || y < 0 || x >= sw || y >= sh {
            [255.0; 3]
        } else {
            src.get_pixel(x as u32, y as u32).0.map(f32::from)
        }
    };
    // The card's rounded corners (ISO/IEC 7810: 3.18 mm): outside them is background, made
    // paper-white so that the engine sees no dark blocks at the card's corners.
    let r = CARD_WIDTH as f32 * 3.18 / 85.6;
    let (wf, hf) = (CARD_WIDTH as f32, CARD_HEIGHT as f32);
    RgbImage::from_fn(CARD_WIDTH, CARD_HEIGHT, |x, y| {
        let (fx, fy) = (x as f32 + 0.5, y as f32 + 0.5);
        let (cx, cy) = (fx.clamp(r, wf - r), fy.clamp(r, hf - r));
        if (fx - cx).powi(2) + (fy - cy).powi(2) > r * r {
            return Rgb([255, 255, 255]);
        }
        let (sx, sy) = apply(&m, x as f64 + 0.5, y as f64 + 0.5);
        let (sx, sy) = (sx - 0.5, sy - 0.5);
        let (x0, y0) = (sx.floor(), sy.floor());
        let (fx, fy) = ((sx - x0) as f32, (sy - y0) as f32);
        let (x0, y0) = (x0 as i64, y0 as i64);
        let (a, b, c, d) = (
            px(x0, y0),
            px(x0 + 1, y0),
            px(x0, y0 + 1),
            px(x0 + 1, y0 + 1),
        );
        Rgb(std::array::from_fn(|k| {
            let v = a[k] * (1.0 - fx) * (1.0 - fy)
                + b[k] * fx * (1.0 - fy)
                + c[k] * (1.0 - fx) * fy
                + d[k] * fx * fy;
            v.round().clamp(0.0, 255.0) as u8
        }))
    })
}

/// Where the card's number is printed: the lowest line of print in the lower part of the card
/// (`公民身份号码 110105…` on the face) and, in that line, the widest stretch of print without a
/// gap wider than 0.6 of the line's height, if it is at least 5 line heights wide (18 digits are
/// about 10); the rectangle `(left, top, width, height)` around it, padded by a quarter of the
/// line's height. `None` when no such line is found.
pub fn number_band(gray: &GrayImage) -> Option<(u32, u32, u32, u32)> {
    let (w, h) = gray.dimensions();
    if w < 100 || h < 60 {
        return None;
    }
    let t = super::scan::ink_threshold(gray);
    let (x0, x1) = (w / 50, w - w / 50);
    let ink = |x: u32, y: u32| gray.get_pixel(x, y).0[0] < t;
    let min_row = (w / 300).max(3);
    let rows: Vec<bool> = (0..h)
        .map(|y| (x0..x1).filter(|&x| ink(x, y)).count() as u32 >= min_row)
        .collect();
    // Bands of inked rows in the lower 40%, gaps of up to 2 rows bridged, lowest first.
    let (lo, hi) = (h * 3 / 5, h - h / 50);
    let mut bands: Vec<(u32, u32)> = Vec::new();
    let mut y = lo;
    while y < hi {
        if !rows[y as usize] {
            y += 1;
            continue;
        }
        let start = y;
        let mut end = y;
        while y < hi
            && (rows[y as usize] || (y + 2 < hi && (rows[y as usize + 1] || rows[y as usize + 2])))
        {
            if rows[y as usize] {
                end = y;
            }
            y += 1;
        }
        bands.push((start, end + 1));
    }
    for &(top, bottom) in bands.iter().rev() {
        let bh = bottom - top;
        if bh < h / 40 || bh > h / 8 {
            continue;
        }
        let cols: Vec<bool> = (0..w)
            .map(|x| x >= x0 && x < x1 && (top..bottom).any(|y| ink(x, y)))
            .collect();
        // Stretches of print with gaps under 0.6 line heights.
        let gap = (bh as f32 * 0.6) as u32;
        let mut best: Option<(u32, u32)> = None;
        let mut x = 0;
        while x < w {
            if !cols[x as usize] {
                x += 1;
                continue;
            }
            let start = x;
            let mut end = x;
            let mut blank = 0;
            while x < w && blank <= gap {
                if cols[x as usize] {
                    end = x;
                    blank = 0;
                } else {
                    blank += 1;
                }
                x += 1;
            }
            let span = end + 1 - start;
            if best.is_none_or(|b| span >= b.1 - b.0) {
                best = Some((start, end + 1));
            }
        }
        if let Some((a, b)) = best
            && b - a >= 5 * bh
        {
            let pad = bh / 4 + 1;
            let (l, t) = (a.saturating_sub(pad), top.saturating_sub(pad));
            return Some((l, t, (b + pad).min(w) - l, (bottom + pad).min(h) - t));
        }
    }
    None
}

/// Side of the blocks the background light is estimated on, pixels.
const LIGHT_BLOCK: u32 = 4;
/// Half the width of the window (in blocks) whose brightest block is taken as the paper: wider
/// than a stroke of the card's print, narrower than the light's changes.
const LIGHT_REACH: i64 = 6;

/// Evens out the light over a grayscale card: each pixel is divided by the paper's brightness
/// around it (the brightest blocks nearby), so print under a shadow or a darker band of the
/// photo is as dark against its paper as print in the light, and the engine's single global
/// threshold separates print from paper everywhere.
pub fn flatten_light(img: &GrayImage) -> GrayImage {
    let (w, h) = img.dimensions();
    if w < LIGHT_BLOCK * 4 || h < LIGHT_BLOCK * 4 {
        return img.clone();
    }
    let (bw, bh) = (w.div_ceil(LIGHT_BLOCK), h.div_ceil(LIGHT_BLOCK));
    // The 90th percentile of each block (the paper between strokes, not a speck of glare).
    let mut blocks = vec![0f32; (bw * bh) as usize];
    let mut vals = Vec::with_capacity((LIGHT_BLOCK * LIGHT_BLOCK) as usize);
    for by in 0..bh {
        for bx in 0..bw {
            vals.clear();
            for y in by * LIGHT_BLOCK..((by + 1) * LIGHT_BLOCK).min(h) {
                for x in bx * LIGHT_BLOCK..((bx + 1) * LIGHT_BLOCK).min(w) {
                    vals.push(img.get_pixel(x, y).0[0]);
                }
            }
            vals.sort_unstable();
            blocks[(by * bw + bx) as usize] = vals[vals.len() * 9 / 10] as f32;
        }
    }
    // A closing of the blocks (the brightest within reach, then the darkest of those within
    // reach): print narrower than the window is taken away, while a step in the light (the
    // edge of a shadow) stays where it is instead of spreading by the window's width.
    let at = |v: &[f32], x: i64, y: i64| {
        v[(y.clamp(0, bh as i64 - 1) * bw as i64 + x.clamp(0, bw as i64 - 1)) as usize]
    };
    let window = |v: &[f32], bright: bool| -> Vec<f32> {
        let mut out = vec![0f32; v.len()];
        for by in 0..bh as i64 {
            for bx in 0..bw as i64 {
                let mut m = if bright { 0f32 } else { 255f32 };
                for dy in -LIGHT_REACH..=LIGHT_REACH {
                    for dx in -LIGHT_REACH..=LIGHT_REACH {
                        let x = at(v, bx + dx, by + dy);
                        m = if bright { m.max(x) } else { m.min(x) };
                    }
                }
                out[(by * bw as i64 + bx) as usize] = m;
            }
        }
        out
    };
    let smooth = window(&window(&blocks, true), false);
    GrayImage::from_fn(w, h, |x, y| {
        // Bilinear between block centres.
        let gx = (x as f32 + 0.5) / LIGHT_BLOCK as f32 - 0.5;
        let gy = (y as f32 + 0.5) / LIGHT_BLOCK as f32 - 0.5;
        let (x0, y0) = (gx.floor(), gy.floor());
        let (fx, fy) = (gx - x0, gy - y0);
        let (x0, y0) = (x0 as i64, y0 as i64);
        let p = at(&smooth, x0, y0) * (1.0 - fx) * (1.0 - fy)
            + at(&smooth, x0 + 1, y0) * fx * (1.0 - fy)
            + at(&smooth, x0, y0 + 1) * (1.0 - fx) * fy
            + at(&smooth, x0 + 1, y0 + 1) * fx * fy;
        let v = img.get_pixel(x, y).0[0] as f32;
        Luma([(v * 255.0 / p.max(16.0)).round().clamp(0.0, 255.0) as u8])
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A photo of a card: a textured dark background, the card (light, rounded corners, with
    /// dark bars for text and a gray photo) mapped onto `corners`.
    fn photo(w: u32, h: u32, corners: [(f64, f64); 4], card_light: u8, bg: u8) -> RgbImage {
        let (cw, ch) = (856.0, 540.0);
        let m = homography(corners, [(0.0, 0.0), (cw, 0.0), (cw, ch), (0.0, ch)]).unwrap();
        let r = 32.0;
        RgbImage::from_fn(w, h, |x, y| {
            let (u, v) = apply(&m, x as f64 + 0.5, y as f64 + 0.5);
            let inside = u >= 0.0 && v >= 0.0 && u < cw && v < ch && {
                let (cx, cy) = (u.clamp(r, cw - r), v.clamp(r, ch - r));
                (u - cx).powi(2) + (v - cy).powi(2) <= r * r
            };
            if inside {
                let text = ((60.0..500.0).contains(&u)
                    && [
                        (80.0, 110.0),
                        (150.0, 180.0),
                        (220.0, 250.0),
                        (440.0, 470.0),
                    ]
                    .iter()
                    .any(|(a, b)| v >= *a && v < *b)
                    && (u as i64 / 22) % 2 == 0)
                    || ((600.0..800.0).contains(&u) && (100.0..380.0).contains(&v));
                let l = if text { 40 } else { card_light };
                Rgb([l, l, l.saturating_add(6)])
            } else {
                // Wood-like stripes.
                let s = ((x as f64 * 0.05 + y as f64 * 0.01).sin() * 8.0) as i16;
                let l = (bg as i16 + s).clamp(0, 255) as u8;
                Rgb([l.saturating_add(20), l, l.saturating_sub(15)])
            }
        })
    }

    fn turned(cx: f64, cy: f64, w: f64, h: f64, deg: f64) -> [(f64, f64); 4] {
        let (s, c) = deg.to_radians().sin_cos();
        [(-w, -h), (w, -h), (w, h), (-w, h)].map(|(x, y)| {
            let (x, y) = (x / 2.0, y / 2.0);
            (cx + x * c - y * s, cy + x * s + y * c)
        })
    }

    fn assert_corners(found: &Card, truth: [(f64, f64); 4], tol: f32) {
        for (f, t) in found.corners.iter().zip(truth) {
            let d = ((f.0 - t.0 as f32).powi(2) + (f.1 - t.1 as f32).powi(2)).sqrt();
            assert!(d <= tol, "corner {f:?} vs {t:?} ({d:.1} px)\n{found:?}");
        }
    }

    #[test]
    fn finds_a_turned_card() {
        for deg in [-9.0, -4.0, 3.0, 8.0] {
            let truth = turned(520.0, 350.0, 820.0, 517.0, deg);
            let img = DynamicImage::ImageRgb8(photo(1040, 700, truth, 230, 80));
            let card = find(&img).unwrap_or_else(|| panic!("no card at {deg}°"));
            // The side lines are fitted where the card is straight; the corners are where the
            // rounded corners would be if they were square.
            assert_corners(&card, truth, 1.5);
            assert!((card.angle as f64 - deg).abs() < 0.3, "{deg}: {card:?}");
            assert!((card.aspect - 1.586).abs() < 0.03, "{card:?}");
        }
    }

    #[test]
    fn finds_the_face_and_the_back_side_by_side() {
        let left = turned(330.0, 480.0, 560.0, 353.0, -4.0);
        let right = turned(960.0, 470.0, 560.0, 353.0, 5.0);
        let a = photo(1300, 960, left, 230, 80);
        let b = photo(1300, 960, right, 228, 80);
        // Both cards on one background.
        let img = RgbImage::from_fn(1300, 960, |x, y| {
            let (pa, pb) = (a.get_pixel(x, y), b.get_pixel(x, y));
            if pa.0[0] > 150 || pa.0[0] < 60 {
                *pa
            } else {
                *pb
            }
        });
        let cards = find_all(&DynamicImage::ImageRgb8(img));
        assert_eq!(cards.len(), 2, "{cards:?}");
        let mut found: Vec<Card> = cards.clone();
        found.sort_by(|x, y| x.centre().0.total_cmp(&y.centre().0));
        assert_corners(&found[0], left, 2.0);
        assert_corners(&found[1], right, 2.0);
        // One card is one card, however many ways it is found.
        let one = photo(1040, 700, turned(520.0, 350.0, 820.0, 517.0, 3.0), 230, 80);
        assert_eq!(find_all(&DynamicImage::ImageRgb8(one)).len(), 1);
    }

    #[test]
    fn finds_a_card_in_perspective() {
        let truth = [
            (150.0, 120.0),
            (905.0, 80.0),
            (930.0, 600.0),
            (120.0, 560.0),
        ];
        let img = DynamicImage::ImageRgb8(photo(1040, 700, truth, 225, 70));
        let card = find(&img).expect("a card");
        assert_corners(&card, truth, 1.5);
    }

    #[test]
    fn finds_a_card_on_white_paper() {
        // A photocopy-like scan: a light gray card on white.
        let truth = turned(800.0, 700.0, 700.0, 441.0, 2.0);
        let img = DynamicImage::ImageRgb8(photo(1600, 1400, truth, 205, 250));
        let card = find(&img).expect("a card");
        assert_corners(&card, truth, 1.5);
    }

    #[test]
    fn no_card_in_pages_and_scenes() {
        // A scanned page: white to the border, text inside.
        let page = photo(
            1200,
            1700,
            turned(600.0, 850.0, 1400.0, 2000.0, 0.0),
            240,
            240,
        );
        assert_eq!(find(&DynamicImage::ImageRgb8(page)), None);
        // An A4 page on a desk in landscape: 1.414, not a card.
        let a4 = turned(520.0, 350.0, 840.0, 594.0, 3.0);
        assert_eq!(
            find(&DynamicImage::ImageRgb8(photo(1040, 700, a4, 235, 80))),
            None
        );
        // A card cut by the image border: no background around it.
        let cut = turned(520.0, 350.0, 1100.0, 694.0, 0.0);
        assert_eq!(
            find(&DynamicImage::ImageRgb8(photo(1040, 700, cut, 230, 80))),
            None
        );
        // A small card far away: too little of the image to read.
        let small = turned(520.0, 350.0, 200.0, 126.0, 0.0);
        assert_eq!(
            find(&DynamicImage::ImageRgb8(photo(1040, 700, small, 230, 80))),
            None
        );
        // A light disc (a plate on a table) is not straight-edged.
        let disc = RgbImage::from_fn(1040, 700, |x, y| {
            let d = ((x as f32 - 520.0).powi(2) + (y as f32 - 350.0).powi(2)).sqrt();
            if d < 300.0 {
                Rgb([230, 230, 230])
            } else {
                Rgb([80, 60, 50])
            }
        });
        assert_eq!(find(&DynamicImage::ImageRgb8(disc)), None);
        // A scanned landscape page whose ruled table has a card's proportions: the same white
        // paper on both sides of the table's outline.
        let table = RgbImage::from_fn(1600, 1130, |x, y| {
            let inside = (100..1500).contains(&x) && (150..1030).contains(&y);
            let rule = inside
                && (!(104..1496).contains(&x)
                    || !(154..1026).contains(&y)
                    || (y - 150) % 80 < 3
                    || (x - 100) % 200 < 3);
            if rule {
                Rgb([30, 30, 30])
            } else {
                Rgb([245, 245, 245])
            }
        });
        assert_eq!(find(&DynamicImage::ImageRgb8(table)), None);
        // Blank.
        let blank = RgbImage::from_pixel(800, 600, Rgb([128, 128, 128]));
        assert_eq!(find(&DynamicImage::ImageRgb8(blank)), None);
    }

    #[test]
    fn a_card_standing_on_its_short_side_is_laid_down() {
        let truth = turned(350.0, 520.0, 517.0, 820.0, 4.0);
        let img = DynamicImage::ImageRgb8(photo(700, 1040, truth, 230, 80));
        let card = find(&img).expect("a card");
        // The top edge is a long side.
        let c = card.corners;
        let top = ((c[1].0 - c[0].0).powi(2) + (c[1].1 - c[0].1).powi(2)).sqrt();
        let left = ((c[3].0 - c[0].0).powi(2) + (c[3].1 - c[0].1).powi(2)).sqrt();
        assert!(top > left * 1.4, "{card:?}");
    }

    #[test]
    fn straightening_brings_the_print_back_in_place() {
        let truth = [
            (150.0, 120.0),
            (905.0, 80.0),
            (930.0, 600.0),
            (120.0, 560.0),
        ];
        let img = DynamicImage::ImageRgb8(photo(1040, 700, truth, 225, 70));
        let card = find(&img).expect("a card");
        let flat = straighten(&img, &card);
        assert_eq!(flat.dimensions(), (CARD_WIDTH, CARD_HEIGHT));
        // The photo block of the generated card spans u 600–800, v 100–380 of 856 × 540.
        let k = CARD_WIDTH as f32 / 856.0;
        let at = |u: f32, v: f32| flat.get_pixel((u * k) as u32, (v * k) as u32).0[0];
        assert!(at(700.0, 240.0) < 80, "inside the photo block");
        assert!(at(700.0, 60.0) > 180, "above it");
        assert!(at(560.0, 240.0) > 180, "left of it");
        assert!(at(840.0, 240.0) > 180, "right of it");
        // A text bar row (v 150–180) is dark in its dark cells, light between the rows.
        assert!(at(95.0, 165.0) < 80 && at(95.0, 130.0) > 180);
    }

    #[test]
    fn the_number_band_is_the_wide_line_at_the_bottom() {
        let mut g = GrayImage::from_pixel(CARD_WIDTH, CARD_HEIGHT, Luma([250]));
        let mut block = |x0: u32, y0: u32, w: u32, h: u32| {
            for y in y0..y0 + h {
                for x in x0..x0 + w {
                    g.put_pixel(x, y, Luma([30]));
                }
            }
        };
        // Label lines above, a label at the bottom left, then 18 "digits" 24 px wide.
        block(90, 100, 80, 40);
        block(240, 100, 300, 40);
        block(90, 680, 210, 36);
        for k in 0..18 {
            block(380 + k * 44, 670, 26, 46);
        }
        let (l, t, w, h) = number_band(&g).expect("a band");
        assert!(l > 340 && l < 380, "{l}");
        assert!(l + w > 380 + 17 * 44 + 26 && l + w < 1280, "{l} {w}");
        assert!(t < 670 && t + h > 716 && h < 80, "{t} {h}");
        // A card without a long line at the bottom.
        let blank = GrayImage::from_pixel(CARD_WIDTH, CARD_HEIGHT, Luma([250]));
        assert_eq!(number_band(&blank), None);
    }

    #[test]
    fn flattening_evens_a_dark_band() {
        // Paper 240 with a band at 170 on the left third; text strokes at 40 and 30.
        let img = GrayImage::from_fn(600, 300, |x, y| {
            let paper = if x < 200 { 170.0 } else { 240.0 };
            let ink = (y % 40 < 6) && (x % 30 < 4);
            Luma([if ink {
                (paper * 0.2f32) as u8
            } else {
                paper as u8
            }])
        });
        let out = flatten_light(&img);
        let v = |x, y| out.get_pixel(x, y).0[0];
        // Paper away from the band's edge is white on both sides, ink dark on both.
        assert!(
            v(100, 20) > 240 && v(400, 20) > 240,
            "{} {}",
            v(100, 20),
            v(400, 20)
        );
        assert!(
            v(91, 2) < 80 && v(391, 2) < 80,
            "{} {}",
            v(91, 2),
            v(391, 2)
        );
        // Close to the band's edge too: the step does not spread.
        assert!(
            v(190, 20) > 215 && v(210, 20) > 215,
            "{} {}",
            v(190, 20),
            v(210, 20)
        );
    }
}
