//! Image bytes → page images for OCR.
//!
//! Contract: in: the bytes of a PNG, JPEG, TIFF, BMP, WebP or GIF and [`Limits`]; out: a
//! [`PageImage`] — 8-bit gray for gray and bilevel sources, 8-bit RGB for colour ones
//! (colour is kept: seals are told apart by colour), transparency flattened onto white — of
//! at most `max_ocr_pixels` pixels, or a [`ReadError`] naming what is wrong. [`decode`] reads
//! the first frame; [`decode_pages`] every page of a multi-page TIFF (each page its own result,
//! so one damaged page does not lose the others). The decoders are pure Rust (`image`, `tiff`)
//! with explicit limits: the dimensions in the header are checked against `max_image_side`
//! and the allocation against `max_image_alloc` before any pixel is decoded, so a
//! 65,535 × 65,535 "bomb" is refused from its header. Decoders run under [`guard::catch`]: a
//! decoder's panic is an error.
//!
//! The PDF reader hands the images it decodes itself (`read::pdf::page_images`) through the
//! same [`finish`], so a scanned PDF page and a photo of the page reach OCR alike.

use std::io::Cursor;

use image::{
    DynamicImage, GrayImage, ImageBuffer, ImageFormat, ImageReader, Luma, Rgb, RgbImage,
    imageops::FilterType,
};

use super::{Limits, ReadError, guard};

/// A decoded page image and what was done to it.
#[derive(Debug, Clone)]
pub struct PageImage {
    /// `ImageLuma8` for gray and bilevel sources, `ImageRgb8` for colour ones; scaled down to
    /// at most `max_ocr_pixels`.
    pub pixels: DynamicImage,
    /// Width and height as decoded, before any scaling.
    pub original: (u32, u32),
    /// What was noticed (scaled down, data short, …).
    pub notes: Vec<String>,
}

fn format_name(f: Option<ImageFormat>) -> &'static str {
    match f {
        Some(ImageFormat::Png) => "png",
        Some(ImageFormat::Jpeg) => "jpeg",
        Some(ImageFormat::Tiff) => "tiff",
        Some(ImageFormat::Bmp) => "bmp",
        Some(ImageFormat::WebP) => "webp",
        Some(ImageFormat::Gif) => "gif",
        _ => "image",
    }
}

/// The `image` crate's limits from ours: widest/tallest side and the most memory.
pub(crate) fn image_limits(limits: &Limits) -> image::Limits {
    let mut l = image::Limits::default();
    l.max_image_width = Some(limits.max_image_side);
    l.max_image_height = Some(limits.max_image_side);
    l.max_alloc = Some(limits.max_image_alloc);
    l
}

/// An `image` error in our words (a limit hit is [`ReadError::Limit`], naming the limits).
pub(crate) fn image_error(
    format: &'static str,
    e: image::ImageError,
    limits: &Limits,
) -> ReadError {
    match e {
        image::ImageError::Limits(l) => ReadError::Limit(format!(
            "the {format} image is larger than {side} × {side} pixels or needs more than {} MiB to decode ({l})",
            limits.max_image_alloc >> 20,
            side = limits.max_image_side,
        )),
        other => ReadError::Image {
            format,
            detail: other.to_string(),
        },
    }
}

/// Decodes a JPEG with the `jpeg-decoder` crate: the size is read from the header and
/// checked against the limits before any pixel is decoded. (`image` 0.25's own JPEG decoder,
/// zune-jpeg 0.5, turns colour JPEGs with optimized Huffman tables — `jpegoptim`, `cjpeg
/// -optimize`, many phone and web pipelines — into green stripes without an error; tesseract's
/// libjpeg reads the same files correctly. A test below keeps that case.)
pub(crate) fn decode_jpeg(data: &[u8], limits: &Limits) -> Result<DynamicImage, ReadError> {
    use jpeg_decoder::{Decoder, PixelFormat};
    let side = limits.max_image_side;
    let alloc = limits.max_image_alloc;
    let decoded = guard::catch(|| {
        let mut d = Decoder::new(data);
        d.read_info()?;
        let info = d.info().ok_or(jpeg_decoder::Error::Format("no frame header".into()))?;
        let (w, h) = (info.width as u32, info.height as u32);
        let comps: u64 = match info.pixel_format {
            PixelFormat::L8 => 1,
            PixelFormat::L16 => 2,
            PixelFormat::RGB24 => 3,
            PixelFormat::CMYK32 => 4,
        };
        if w > side || h > side || w as u64 * h as u64 * comps > alloc {
            return Ok(Err(ReadError::Limit(format!(
                "the jpeg image is {w} × {h} pixels: larger than {side} × {side} pixels or more than {} MiB to decode",
                alloc >> 20
            ))));
        }
        d.set_max_decoding_buffer_size(alloc as usize);
        let px = d.decode()?;
        Ok::<_, jpeg_decoder::Error>(Ok((w, h, info.pixel_format, px)))
    })
    .map_err(|detail| ReadError::Crashed {
        format: "jpeg",
        detail,
    })?
    .map_err(|e| ReadError::Image {
        format: "jpeg",
        detail: e.to_string(),
    })??;
    let (w, h, fmt, px) = decoded;
    let short = || ReadError::Image {
        format: "jpeg",
        detail: "the decoder returned fewer pixels than the header declares".into(),
    };
    Ok(match fmt {
        PixelFormat::L8 => {
            DynamicImage::ImageLuma8(GrayImage::from_raw(w, h, px).ok_or_else(short)?)
        }
        PixelFormat::L16 => {
            let g: Vec<u8> = px.chunks_exact(2).map(|c| c[0]).collect();
            DynamicImage::ImageLuma8(GrayImage::from_raw(w, h, g).ok_or_else(short)?)
        }
        PixelFormat::RGB24 => {
            DynamicImage::ImageRgb8(image::RgbImage::from_raw(w, h, px).ok_or_else(short)?)
        }
        PixelFormat::CMYK32 => {
            // jpeg-decoder undoes Adobe's inversion: plain CMYK, 0 = no ink.
            let rgb: Vec<u8> = px
                .chunks_exact(4)
                .flat_map(|c| {
                    let k = 255 - c[3] as u16;
                    [0, 1, 2].map(|i| ((255 - c[i] as u16) * k / 255) as u8)
                })
                .collect();
            DynamicImage::ImageRgb8(image::RgbImage::from_raw(w, h, rgb).ok_or_else(short)?)
        }
    })
}

/// Decodes an image (format from the content; the first frame of a multi-frame file)
/// within `limits`, keeping colour.
pub fn decode(bytes: &[u8], limits: &Limits) -> Result<PageImage, ReadError> {
    limits.check_bytes(bytes)?;
    if image::guess_format(bytes).ok() == Some(ImageFormat::Jpeg) {
        let img = decode_jpeg(bytes, limits)?;
        return finish(img, limits, Vec::new(), "jpeg");
    }
    let reader = ImageReader::new(Cursor::new(bytes))
        .with_guessed_format()
        .map_err(|e| ReadError::io(&e))?;
    let format = format_name(reader.format());
    if reader.format().is_none() {
        return Err(ReadError::Image {
            format,
            detail:
                "the content is not an image format jzz reads (png, jpeg, tiff, bmp, webp, gif)"
                    .into(),
        });
    }
    let l = image_limits(limits);
    let decoded = guard::catch(move || {
        let mut reader = reader;
        reader.limits(l);
        reader.decode()
    })
    .map_err(|detail| ReadError::Crashed { format, detail })?;
    let img = decoded.map_err(|e| image_error(format, e, limits))?;
    finish(img, limits, Vec::new(), format)
}

/// Decodes an image into 8-bit grayscale (the pixels of the result are `ImageLuma8`).
pub fn decode_gray(bytes: &[u8], limits: &Limits) -> Result<PageImage, ReadError> {
    let mut p = decode(bytes, limits)?;
    if !matches!(p.pixels, DynamicImage::ImageLuma8(_)) {
        p.pixels = DynamicImage::ImageLuma8(p.pixels.to_luma8());
    }
    Ok(p)
}

/// Every page of a multi-page TIFF, at most `max_pages` (a note on the last page read says
/// when there were more) and within `max_millis` (past it, one `Limit` error stands for the
/// pages not read), each decoded on its own: a damaged page is an `Err` in its slot
/// and the pages around it survive. A page whose directory cannot be read ends the list
/// (the next page is found through it). Other formats are one page; for them, and for a
/// TIFF whose header or first directory is unreadable, the error is the outer one.
pub fn decode_pages(
    bytes: &[u8],
    limits: &Limits,
) -> Result<Vec<Result<PageImage, ReadError>>, ReadError> {
    limits.check_bytes(bytes)?;
    // BigTIFF (version 43) is not recognised by `image`, but `tiff` reads it.
    let tiff = image::guess_format(bytes).ok() == Some(ImageFormat::Tiff)
        || bytes.starts_with(b"II\x2b\0")
        || bytes.starts_with(b"MM\0\x2b");
    if !tiff {
        return decode(bytes, limits).map(|p| vec![Ok(p)]);
    }
    guard::catch(|| tiff_pages(bytes, limits)).unwrap_or_else(|detail| {
        Err(ReadError::Crashed {
            format: "tiff",
            detail,
        })
    })
}

fn tiff_error(e: tiff::TiffError, limits: &Limits) -> ReadError {
    match e {
        tiff::TiffError::LimitsExceeded => ReadError::Limit(format!(
            "the tiff image needs more than {} MiB to decode",
            limits.max_image_alloc >> 20
        )),
        other => ReadError::Image {
            format: "tiff",
            detail: other.to_string(),
        },
    }
}

fn tiff_pages(
    bytes: &[u8],
    limits: &Limits,
) -> Result<Vec<Result<PageImage, ReadError>>, ReadError> {
    let mut tl = tiff::decoder::Limits::default();
    let alloc = usize::try_from(limits.max_image_alloc).unwrap_or(usize::MAX);
    tl.decoding_buffer_size = alloc;
    tl.intermediate_buffer_size = alloc;
    let mut dec = tiff::decoder::Decoder::new(Cursor::new(bytes))
        .map_err(|e| tiff_error(e, limits))?
        .with_limits(tl);
    let start = std::time::Instant::now();
    let mut pages = Vec::new();
    loop {
        pages.push(tiff_page(&mut dec, limits));
        if !dec.more_images() {
            break;
        }
        if start.elapsed().as_millis() as u64 > limits.max_millis {
            pages.push(Err(ReadError::Limit(format!(
                "reading the TIFF took longer than {} ms; pages from {} on were not read",
                limits.max_millis,
                pages.len() + 1
            ))));
            break;
        }
        if pages.len() >= limits.max_pages {
            if let Some(Ok(last)) = pages.last_mut() {
                last.notes.push(format!(
                    "the TIFF has more than {} pages; the rest were not read",
                    limits.max_pages
                ));
            }
            break;
        }
        if let Err(e) = dec.next_image() {
            // The chain of directories is broken here: the pages after it cannot be found.
            pages.push(Err(tiff_error(e, limits)));
            break;
        }
    }
    Ok(pages)
}

/// The current page of a TIFF: gray (1, 8, 16 bits; WhiteIsZero is inverted by the
/// decoder), gray + alpha, RGB, RGBA (8, 16 bits) and CMYK (8 bits).
fn tiff_page(
    dec: &mut tiff::decoder::Decoder<Cursor<&[u8]>>,
    limits: &Limits,
) -> Result<PageImage, ReadError> {
    use tiff::ColorType as C;
    use tiff::decoder::DecodingResult as R;
    let (w, h) = dec.dimensions().map_err(|e| tiff_error(e, limits))?;
    check_size("tiff", w, h, 1, limits)?;
    let ct = dec.colortype().map_err(|e| tiff_error(e, limits))?;
    let samples: u64 = match ct {
        C::Gray(1 | 8 | 16) => 1,
        C::GrayA(8 | 16) => 2,
        C::RGB(8 | 16) => 3,
        C::RGBA(8 | 16) | C::CMYK(8) => 4,
        other => {
            return Err(ReadError::Image {
                format: "tiff",
                detail: format!("the colour type {other:?} is not supported"),
            });
        }
    };
    let bytes_per = if ct.bit_depth() == 16 { 2 } else { 1 };
    check_size("tiff", w, h, samples * bytes_per, limits)?;
    let data = dec.read_image().map_err(|e| tiff_error(e, limits))?;
    let (wu, hu) = (w as usize, h as usize);
    let n = wu * hu;
    let short = || ReadError::Image {
        format: "tiff",
        detail: "the decoded data is shorter than the image".into(),
    };
    let img = match (ct, data) {
        (C::Gray(1), R::U8(v)) => {
            let stride = wu.div_ceil(8);
            if v.len() < stride * hu {
                return Err(short());
            }
            let mut out = vec![0u8; n];
            for (y, row) in v.chunks_exact(stride).take(hu).enumerate() {
                for x in 0..wu {
                    if row[x / 8] & (0x80 >> (x % 8)) != 0 {
                        out[y * wu + x] = 255;
                    }
                }
            }
            DynamicImage::ImageLuma8(GrayImage::from_raw(w, h, out).ok_or_else(short)?)
        }
        (C::Gray(8), R::U8(v)) => {
            DynamicImage::ImageLuma8(GrayImage::from_raw(w, h, v).ok_or_else(short)?)
        }
        (C::Gray(16), R::U16(v)) => DynamicImage::ImageLuma16(
            ImageBuffer::<Luma<u16>, _>::from_raw(w, h, v).ok_or_else(short)?,
        ),
        (C::GrayA(8), R::U8(v)) => {
            DynamicImage::ImageLumaA8(ImageBuffer::from_raw(w, h, v).ok_or_else(short)?)
        }
        (C::GrayA(16), R::U16(v)) => {
            DynamicImage::ImageLumaA16(ImageBuffer::from_raw(w, h, v).ok_or_else(short)?)
        }
        (C::RGB(8), R::U8(v)) => {
            DynamicImage::ImageRgb8(RgbImage::from_raw(w, h, v).ok_or_else(short)?)
        }
        (C::RGB(16), R::U16(v)) => DynamicImage::ImageRgb16(
            ImageBuffer::<Rgb<u16>, _>::from_raw(w, h, v).ok_or_else(short)?,
        ),
        (C::RGBA(8), R::U8(v)) => {
            DynamicImage::ImageRgba8(ImageBuffer::from_raw(w, h, v).ok_or_else(short)?)
        }
        (C::RGBA(16), R::U16(v)) => {
            DynamicImage::ImageRgba16(ImageBuffer::from_raw(w, h, v).ok_or_else(short)?)
        }
        (C::CMYK(8), R::U8(v)) => {
            if v.len() < n * 4 {
                return Err(short());
            }
            let rgb: Vec<u8> = v
                .chunks_exact(4)
                .take(n)
                .flat_map(|p| cmyk_to_rgb(p[0], p[1], p[2], p[3]))
                .collect();
            DynamicImage::ImageRgb8(RgbImage::from_raw(w, h, rgb).ok_or_else(short)?)
        }
        _ => {
            return Err(ReadError::Image {
                format: "tiff",
                detail: "the decoded samples do not match the colour type".into(),
            });
        }
    };
    finish(img, limits, Vec::new(), "tiff")
}

/// CMYK ink (0 = none, 255 = full) → RGB, without a colour profile.
pub(crate) fn cmyk_to_rgb(c: u8, m: u8, y: u8, k: u8) -> [u8; 3] {
    let w = 255 - k as u32;
    [
        ((255 - c as u32) * w / 255) as u8,
        ((255 - m as u32) * w / 255) as u8,
        ((255 - y as u32) * w / 255) as u8,
    ]
}

/// Refuses an image larger than `max_image_side` on a side, or whose `bytes_per_pixel`
/// buffer would exceed `max_image_alloc` — before anything is allocated.
pub(crate) fn check_size(
    what: &str,
    w: u32,
    h: u32,
    bytes_per_pixel: u64,
    limits: &Limits,
) -> Result<(), ReadError> {
    let side = limits.max_image_side;
    if w > side || h > side {
        return Err(ReadError::Limit(format!(
            "the {what} image is {w} × {h} pixels, larger than the {side} × {side} limit"
        )));
    }
    let need = w as u64 * h as u64 * bytes_per_pixel;
    if need > limits.max_image_alloc {
        return Err(ReadError::Limit(format!(
            "the {what} image ({w} × {h} pixels) needs {} MiB to decode, more than the {} MiB limit",
            need >> 20,
            limits.max_image_alloc >> 20
        )));
    }
    Ok(())
}

/// Flattens transparency onto white (a transparent pixel is paper, whatever its colour
/// bytes say).
fn flatten<P: image::Pixel<Subpixel = u8>>(
    img: &ImageBuffer<P, Vec<u8>>,
    gray: bool,
) -> DynamicImage {
    let (w, h) = img.dimensions();
    let ch = P::CHANNEL_COUNT as usize;
    let src = img.as_raw();
    let colors = ch - 1;
    let mut out = Vec::with_capacity(w as usize * h as usize * colors);
    for p in src.chunks_exact(ch) {
        let a = p[colors] as u32;
        for &c in &p[..colors] {
            out.push(((c as u32 * a + 255 * (255 - a)) / 255) as u8);
        }
    }
    if gray {
        DynamicImage::ImageLuma8(GrayImage::from_raw(w, h, out).expect("sized above"))
    } else {
        DynamicImage::ImageRgb8(RgbImage::from_raw(w, h, out).expect("sized above"))
    }
}

/// The last step of every decoder: refuses an empty image, converts to 8-bit gray (gray
/// sources) or RGB (colour sources) with transparency on white, and scales down to
/// `max_ocr_pixels` (with a note).
pub(crate) fn finish(
    img: DynamicImage,
    limits: &Limits,
    mut notes: Vec<String>,
    format: &'static str,
) -> Result<PageImage, ReadError> {
    let (w, h) = (img.width(), img.height());
    if w == 0 || h == 0 {
        return Err(ReadError::Image {
            format,
            detail: format!("the image has no pixels ({w} × {h})"),
        });
    }
    let has_alpha = img.color().has_alpha();
    let has_color = img.color().has_color();
    let mut pixels = match img {
        DynamicImage::ImageLuma8(_) | DynamicImage::ImageRgb8(_) => img,
        other if has_alpha && has_color => flatten(&other.to_rgba8(), false),
        other if has_alpha => flatten(&other.to_luma_alpha8(), true),
        other if has_color => DynamicImage::ImageRgb8(other.to_rgb8()),
        other => DynamicImage::ImageLuma8(other.to_luma8()),
    };
    let n = w as u64 * h as u64;
    if n > limits.max_ocr_pixels {
        let f = (limits.max_ocr_pixels as f64 / n as f64).sqrt();
        let nw = ((w as f64 * f) as u32).max(1);
        let nh = ((h as f64 * f) as u32).max(1);
        pixels = pixels.resize_exact(nw, nh, FilterType::Triangle);
        notes.push(format!(
            "the {w} × {h} image was scaled down to {nw} × {nh} for OCR"
        ));
    }
    Ok(PageImage {
        pixels,
        original: (w, h),
        notes,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A colour JPEG with optimized Huffman tables (as `jpegoptim` writes): zune-jpeg 0.5.15
    /// decodes it as green stripes; jzz must read the red square as red.
    #[test]
    fn optimized_huffman_colour_jpeg_decodes_right() {
        use jpeg_encoder::{ColorType, Encoder, SamplingFactor};
        let mut img = image::RgbImage::from_pixel(64, 48, image::Rgb([230, 230, 230]));
        for x in 10..30 {
            for y in 10..30 {
                img.put_pixel(x, y, image::Rgb([210, 40, 40]));
            }
        }
        for sf in [SamplingFactor::R_4_2_0, SamplingFactor::R_4_4_4] {
            let mut buf = vec![];
            let mut enc = Encoder::new(&mut buf, 85);
            enc.set_optimized_huffman_tables(true);
            enc.set_sampling_factor(sf);
            enc.encode(img.as_raw(), 64, 48, ColorType::Rgb).unwrap();
            let p = decode(&buf, &Limits::default()).unwrap();
            let rgb = p.pixels.to_rgb8();
            let [r, g, b] = rgb.get_pixel(20, 20).0;
            assert!(r > 180 && g < 80 && b < 80, "{:?}", (r, g, b));
            let [r, g, b] = rgb.get_pixel(50, 40).0;
            assert!(r > 200 && g > 200 && b > 200, "{:?}", (r, g, b));
        }
    }

    fn png(w: u32, h: u32) -> Vec<u8> {
        let img = GrayImage::from_pixel(w, h, image::Luma([200]));
        let mut out = Cursor::new(Vec::new());
        img.write_to(&mut out, ImageFormat::Png).unwrap();
        out.into_inner()
    }

    #[test]
    fn decodes_to_gray_and_scales_down() {
        let limits = Limits {
            max_ocr_pixels: 2_500,
            ..Limits::default()
        };
        let p = decode_gray(&png(100, 100), &limits).unwrap();
        assert_eq!(p.original, (100, 100));
        assert_eq!((p.pixels.width(), p.pixels.height()), (50, 50));
        assert!(matches!(p.pixels, DynamicImage::ImageLuma8(_)));
        assert_eq!(p.notes.len(), 1);
    }

    #[test]
    fn refuses_oversized_and_garbage() {
        let limits = Limits {
            max_image_side: 50,
            ..Limits::default()
        };
        let e = decode_gray(&png(60, 10), &limits).unwrap_err();
        assert!(matches!(e, ReadError::Limit(_)), "{e}");
        assert!(e.to_string().contains("50 × 50"), "{e}");
        let e = decode_gray(b"not an image at all", &Limits::default()).unwrap_err();
        assert!(matches!(e, ReadError::Image { .. }), "{e}");
        let mut bytes = png(20, 20);
        bytes.truncate(40);
        let e = decode_gray(&bytes, &Limits::default()).unwrap_err();
        assert!(matches!(e, ReadError::Image { .. }), "{e}");
    }

    /// A TIFF with one gray page per entry of `pages` (width, height, value).
    fn tiff(pages: &[(u32, u32, u8)]) -> Vec<u8> {
        let mut out = Cursor::new(Vec::new());
        let mut enc = tiff::encoder::TiffEncoder::new(&mut out).unwrap();
        for &(w, h, v) in pages {
            let data = vec![v; (w * h) as usize];
            enc.write_image::<tiff::encoder::colortype::Gray8>(w, h, &data)
                .unwrap();
        }
        out.into_inner()
    }

    /// Points the strip of the `index`-th page (0-based) past the end of the file.
    fn break_page(bytes: &mut [u8], index: usize) {
        assert_eq!(&bytes[..4], b"II*\0");
        let u16_at = |b: &[u8], o: usize| u16::from_le_bytes([b[o], b[o + 1]]) as usize;
        let u32_at =
            |b: &[u8], o: usize| u32::from_le_bytes(b[o..o + 4].try_into().unwrap()) as usize;
        let mut ifd = u32_at(bytes, 4);
        for _ in 0..index {
            let n = u16_at(bytes, ifd);
            ifd = u32_at(bytes, ifd + 2 + 12 * n);
        }
        let n = u16_at(bytes, ifd);
        for e in 0..n {
            let at = ifd + 2 + 12 * e;
            if u16_at(bytes, at) == 273 {
                let far = (bytes.len() as u32 + 10_000).to_le_bytes();
                match u16_at(bytes, at + 2) {
                    4 => bytes[at + 8..at + 12].copy_from_slice(&far),
                    3 => bytes[at + 8..at + 10].copy_from_slice(&[0xff, 0xff]),
                    t => panic!("StripOffsets of type {t}"),
                }
                return;
            }
        }
        panic!("no StripOffsets");
    }

    #[test]
    fn multi_page_tiff_gives_every_page() {
        let bytes = tiff(&[(30, 20, 10), (40, 25, 120), (20, 10, 250)]);
        let pages = decode_pages(&bytes, &Limits::default()).unwrap();
        assert_eq!(pages.len(), 3);
        let sizes: Vec<(u32, u32)> = pages.iter().map(|p| p.as_ref().unwrap().original).collect();
        assert_eq!(sizes, vec![(30, 20), (40, 25), (20, 10)]);
        let p = pages[1].as_ref().unwrap();
        match &p.pixels {
            DynamicImage::ImageLuma8(g) => assert_eq!(g.get_pixel(3, 3)[0], 120),
            other => panic!("{:?}", other.color()),
        }
        // max_pages bounds the pages read, with a note.
        let limits = Limits {
            max_pages: 2,
            ..Limits::default()
        };
        let pages = decode_pages(&bytes, &limits).unwrap();
        assert_eq!(pages.len(), 2);
        assert!(pages[1].as_ref().unwrap().notes[0].contains("more than 2 pages"));
    }

    #[test]
    fn a_damaged_tiff_page_does_not_lose_the_others() {
        let mut bytes = tiff(&[(30, 20, 10), (40, 25, 120), (20, 10, 250)]);
        break_page(&mut bytes, 1);
        let pages = decode_pages(&bytes, &Limits::default()).unwrap();
        assert_eq!(pages.len(), 3);
        assert_eq!(pages[0].as_ref().unwrap().original, (30, 20));
        let e = pages[1].as_ref().unwrap_err();
        assert!(
            matches!(e, ReadError::Image { format: "tiff", .. }),
            "{e:?}"
        );
        assert_eq!(pages[2].as_ref().unwrap().original, (20, 10));
    }

    #[test]
    fn other_formats_are_one_page_and_colour_is_kept() {
        let img = image::RgbaImage::from_fn(4, 2, |x, _| {
            if x == 0 {
                image::Rgba([200, 0, 0, 255])
            } else {
                image::Rgba([0, 0, 0, 0])
            }
        });
        let mut out = Cursor::new(Vec::new());
        img.write_to(&mut out, ImageFormat::Png).unwrap();
        let pages = decode_pages(out.get_ref(), &Limits::default()).unwrap();
        assert_eq!(pages.len(), 1);
        let p = pages[0].as_ref().unwrap();
        match &p.pixels {
            DynamicImage::ImageRgb8(c) => {
                assert_eq!(c.get_pixel(0, 0).0, [200, 0, 0]);
                // Transparent is paper, whatever its colour bytes.
                assert_eq!(c.get_pixel(2, 1).0, [255, 255, 255]);
            }
            other => panic!("{:?}", other.color()),
        }
        // A gray PNG stays gray, and decode_gray always gives gray.
        assert!(matches!(
            decode(&png(4, 4), &Limits::default()).unwrap().pixels,
            DynamicImage::ImageLuma8(_)
        ));
        assert!(matches!(
            decode_gray(out.get_ref(), &Limits::default())
                .unwrap()
                .pixels,
            DynamicImage::ImageLuma8(_)
        ));
        // Oversized TIFF pages are refused from the directory.
        let big = tiff(&[(60, 10, 0)]);
        let limits = Limits {
            max_image_side: 50,
            ..Limits::default()
        };
        let pages = decode_pages(&big, &limits).unwrap();
        let e = pages[0].as_ref().unwrap_err();
        assert!(
            matches!(e, ReadError::Limit(_)) && e.to_string().contains("50 × 50"),
            "{e}"
        );
    }
}
