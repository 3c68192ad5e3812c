//! Image bytes → one 8-bit grayscale raster for OCR.
//!
//! Contract: in: the bytes of a PNG, JPEG, TIFF, BMP, WebP or GIF (the first frame) and
//! [`Limits`]; out: a [`GrayImage`] of at most `max_ocr_pixels` pixels, or a [`ReadError`]
//! naming what is wrong. The decoder is the pure-Rust `image` crate with explicit limits: the
//! dimensions in the header are checked against `max_image_side` and the allocation against
//! `max_image_alloc` before any pixel is decoded, so a 65,535 × 65,535 "bomb" is refused
//! from its header. Decoders run under [`guard::catch`]: a decoder's panic is an error.

use std::io::Cursor;

use image::{GrayImage, ImageFormat, ImageReader, imageops::FilterType};

use super::{Limits, ReadError, guard};

/// A decoded page image and what was done to it.
#[derive(Debug)]
pub struct PageImage {
    /// Grayscale pixels, scaled down to at most `max_ocr_pixels`.
    pub gray: GrayImage,
    /// Width and height as decoded, before any scaling.
    pub original: (u32, u32),
    /// What was noticed (scaled down …).
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

/// Decodes an image (format from the content) into grayscale within `limits`.
pub fn decode_gray(bytes: &[u8], limits: &Limits) -> Result<PageImage, ReadError> {
    limits.check_bytes(bytes)?;
    let reader = ImageReader::new(Cursor::new(bytes))
        .with_guessed_format()
        .map_err(|e| ReadError::Io(e.to_string()))?;
    let format = format_name(reader.format());
    if reader.format().is_none() {
        return Err(ReadError::Image {
            format,
            detail:
                "the content is not an image format jzz reads (png, jpeg, tiff, bmp, webp, gif)"
                    .into(),
        });
    }
    let side = limits.max_image_side;
    let alloc = limits.max_image_alloc;
    let decoded = guard::catch(move || {
        let mut reader = reader;
        let mut l = image::Limits::default();
        l.max_image_width = Some(side);
        l.max_image_height = Some(side);
        l.max_alloc = Some(alloc);
        reader.limits(l);
        reader.decode()
    })
    .map_err(|detail| ReadError::Crashed { format, detail })?;
    let img = decoded.map_err(|e| match e {
        image::ImageError::Limits(l) => ReadError::Limit(format!(
            "the {format} image is larger than {side} × {side} pixels or needs more than {} MiB to decode ({l})",
            alloc >> 20
        )),
        other => ReadError::Image {
            format,
            detail: other.to_string(),
        },
    })?;
    let (w, h) = (img.width(), img.height());
    if w == 0 || h == 0 {
        return Err(ReadError::Image {
            format,
            detail: format!("the image has no pixels ({w} × {h})"),
        });
    }
    let mut gray = img.into_luma8();
    let mut notes = Vec::new();
    let pixels = w as u64 * h as u64;
    if pixels > limits.max_ocr_pixels {
        let f = (limits.max_ocr_pixels as f64 / pixels as f64).sqrt();
        let nw = ((w as f64 * f) as u32).max(1);
        let nh = ((h as f64 * f) as u32).max(1);
        gray = image::imageops::resize(&gray, nw, nh, FilterType::Triangle);
        notes.push(format!(
            "the {w} × {h} image was scaled down to {nw} × {nh} for OCR"
        ));
    }
    Ok(PageImage {
        gray,
        original: (w, h),
        notes,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

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
        assert_eq!(p.gray.dimensions(), (50, 50));
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
}
