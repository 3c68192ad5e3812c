//! Page images from small PDFs built in memory: one image drawn with
//! `q W 0 0 H x y cm /Im0 Do Q`, per filter, colour space and bit depth.

use std::io::Write;

use flate2::{Compression, write::ZlibEncoder};
use image::{DynamicImage, GrayImage, Luma, Rgb, RgbImage};
use lopdf::{Dictionary, Document, Object, ObjectId, Stream, dictionary};

use super::*;
use crate::read::{Limits, ReadError};
use image::ImageFormat;
use std::io::Cursor;

/// A document builder: pages with XObject resources.
struct Pdf {
    doc: Document,
    pages: ObjectId,
    kids: Vec<Object>,
}

impl Pdf {
    fn new() -> Pdf {
        let mut doc = Document::with_version("1.5");
        let pages = doc.new_object_id();
        Pdf {
            doc,
            pages,
            kids: Vec::new(),
        }
    }

    fn image(&mut self, mut dict: Dictionary, data: Vec<u8>) -> ObjectId {
        dict.set("Type", "XObject");
        dict.set("Subtype", "Image");
        self.doc.add_object(Stream::new(dict, data))
    }

    fn page(&mut self, content: &[u8], xobjects: Vec<(&str, ObjectId)>, extra: Dictionary) {
        let mut x = Dictionary::new();
        for (k, id) in xobjects {
            x.set(k, id);
        }
        let c = self
            .doc
            .add_object(Stream::new(Dictionary::new(), content.to_vec()));
        let mut p = dictionary! {
            "Type" => "Page",
            "Parent" => self.pages,
            "Contents" => c,
            "Resources" => dictionary! { "XObject" => x },
        };
        for (k, v) in extra.iter() {
            p.set(k.clone(), v.clone());
        }
        let id = self.doc.add_object(p);
        self.kids.push(id.into());
    }

    fn bytes(mut self) -> Vec<u8> {
        let pages = dictionary! {
            "Type" => "Pages",
            "Kids" => self.kids.clone(),
            "Count" => self.kids.len() as i64,
            "MediaBox" => vec![0.into(), 0.into(), 595.into(), 842.into()],
        };
        self.doc
            .objects
            .insert(self.pages, Object::Dictionary(pages));
        let catalog = self.doc.add_object(dictionary! {
            "Type" => "Catalog",
            "Pages" => self.pages,
        });
        self.doc.trailer.set("Root", catalog);
        let mut out = Vec::new();
        self.doc.save_to(&mut out).unwrap();
        out
    }
}

fn zlib(data: &[u8]) -> Vec<u8> {
    let mut e = ZlibEncoder::new(Vec::new(), Compression::default());
    e.write_all(data).unwrap();
    e.finish().unwrap()
}

fn jpeg(img: DynamicImage) -> Vec<u8> {
    let mut out = Cursor::new(Vec::new());
    img.write_to(&mut out, ImageFormat::Jpeg).unwrap();
    out.into_inner()
}

/// A one-page PDF drawing `/Im0` (the given dictionary and data) at 100 100 scaled to
/// 200 × 100 points.
fn one_image(dict: Dictionary, data: Vec<u8>) -> Vec<u8> {
    let mut p = Pdf::new();
    let im = p.image(dict, data);
    p.page(
        b"q 200 0 0 100 100 100 cm /Im0 Do Q",
        vec![("Im0", im)],
        Dictionary::new(),
    );
    p.bytes()
}

fn first(bytes: &[u8], limits: &Limits) -> Result<Option<PdfPageImage>, ReadError> {
    let mut v = page_images(bytes, &[1], limits).unwrap();
    assert_eq!(v.len(), 1);
    assert_eq!(v[0].0, 1);
    v.remove(0).1
}

fn decoded(dict: Dictionary, data: Vec<u8>) -> PdfPageImage {
    first(&one_image(dict, data), &Limits::default())
        .unwrap()
        .expect("an image")
}

fn gray(p: &PdfPageImage) -> &GrayImage {
    match &p.image.pixels {
        DynamicImage::ImageLuma8(g) => g,
        other => panic!("expected gray, got {:?}", other.color()),
    }
}

fn rgb(p: &PdfPageImage) -> &RgbImage {
    match &p.image.pixels {
        DynamicImage::ImageRgb8(g) => g,
        other => panic!("expected RGB, got {:?}", other.color()),
    }
}

/// 16 × 8: the left half black, the right half white.
fn halves_gray() -> GrayImage {
    GrayImage::from_fn(16, 8, |x, _| Luma([if x < 8 { 0 } else { 255 }]))
}

#[test]
fn dct_gray() {
    let data = jpeg(DynamicImage::ImageLuma8(halves_gray()));
    let p = decoded(
        dictionary! { "Width" => 16, "Height" => 8, "ColorSpace" => "DeviceGray",
        "BitsPerComponent" => 8, "Filter" => "DCTDecode" },
        data,
    );
    let g = gray(&p);
    assert_eq!(g.dimensions(), (16, 8));
    assert!(g.get_pixel(2, 4)[0] < 40, "{:?}", g.get_pixel(2, 4));
    assert!(g.get_pixel(13, 4)[0] > 215, "{:?}", g.get_pixel(13, 4));
    assert_eq!(p.describe, "/Im0 DCTDecode 16×8 DeviceGray 8 bpc");
    assert_eq!(p.page, 1);
    assert_eq!(p.image.original, (16, 8));
}

#[test]
fn dct_rgb_keeps_colour() {
    let img = RgbImage::from_fn(16, 16, |x, _| {
        if x < 8 {
            Rgb([220, 0, 0])
        } else {
            Rgb([0, 0, 220])
        }
    });
    let p = decoded(
        dictionary! { "Width" => 16, "Height" => 16, "ColorSpace" => "DeviceRGB",
        "BitsPerComponent" => 8, "Filter" => "DCTDecode" },
        jpeg(DynamicImage::ImageRgb8(img)),
    );
    let c = rgb(&p);
    let red = c.get_pixel(2, 8);
    assert!(red[0] > 180 && red[1] < 60 && red[2] < 60, "{red:?}");
    let blue = c.get_pixel(13, 8);
    assert!(blue[2] > 180 && blue[0] < 60, "{blue:?}");
}

#[test]
fn flate_gray_8_bit_and_bbox() {
    let data: Vec<u8> = (0..12).map(|i| i * 20).collect();
    let p = decoded(
        dictionary! { "Width" => 4, "Height" => 3, "ColorSpace" => "DeviceGray",
        "BitsPerComponent" => 8, "Filter" => "FlateDecode" },
        zlib(&data),
    );
    assert_eq!(gray(&p).as_raw(), &data);
    // The unit square through `200 0 0 100 100 100 cm`.
    assert_eq!(p.bbox, [100.0, 100.0, 300.0, 200.0]);
    assert!(p.image.notes.is_empty(), "{:?}", p.image.notes);
}

#[test]
fn flate_rgb_with_png_predictor() {
    // 3 × 2 RGB; row 0 with the Sub filter, row 1 with Up.
    let px: [[u8; 9]; 2] = [
        [10, 20, 30, 40, 50, 60, 70, 80, 90],
        [15, 25, 35, 45, 55, 65, 200, 210, 220],
    ];
    let mut enc = vec![1u8];
    for i in 0..9 {
        let left = if i >= 3 { px[0][i - 3] } else { 0 };
        enc.push(px[0][i].wrapping_sub(left));
    }
    enc.push(2);
    for (b, a) in px[1].iter().zip(&px[0]) {
        enc.push(b.wrapping_sub(*a));
    }
    let p = decoded(
        dictionary! { "Width" => 3, "Height" => 2, "ColorSpace" => "DeviceRGB",
        "BitsPerComponent" => 8, "Filter" => "FlateDecode",
        "DecodeParms" => dictionary! { "Predictor" => 15, "Colors" => 3, "Columns" => 3,
            "BitsPerComponent" => 8 } },
        zlib(&enc),
    );
    let want: Vec<u8> = px.concat();
    assert_eq!(rgb(&p).as_raw(), &want);
}

#[test]
fn one_bit_gray_with_and_without_decode() {
    // 8 × 2: row 0 = 1 0 1 1 1 1 1 1, row 1 all 0.
    let dict = || {
        dictionary! { "Width" => 8, "Height" => 2, "ColorSpace" => "DeviceGray",
        "BitsPerComponent" => 1 }
    };
    let data = vec![0b1011_1111, 0];
    let p = decoded(dict(), data.clone());
    let g = gray(&p);
    assert_eq!(g.get_pixel(0, 0)[0], 255);
    assert_eq!(g.get_pixel(1, 0)[0], 0, "a 0 sample in DeviceGray is black");
    assert_eq!(g.get_pixel(5, 1)[0], 0);
    let mut d = dict();
    d.set("Decode", vec![1.into(), 0.into()]);
    let p = decoded(d, data);
    let g = gray(&p);
    assert_eq!(
        g.get_pixel(0, 0)[0],
        0,
        "/Decode [1 0]: a 1 sample is black"
    );
    assert_eq!(g.get_pixel(1, 0)[0], 255);
}

#[test]
fn image_mask_paints_zero_samples() {
    let p = decoded(
        dictionary! { "Width" => 8, "Height" => 1, "ImageMask" => true },
        vec![0b0111_1111],
    );
    let g = gray(&p);
    assert_eq!(g.get_pixel(0, 0)[0], 0);
    assert_eq!(g.get_pixel(1, 0)[0], 255);
    assert!(p.describe.contains("ImageMask"), "{}", p.describe);
    let p = decoded(
        dictionary! { "Width" => 8, "Height" => 1, "ImageMask" => true,
        "Decode" => vec![1.into(), 0.into()] },
        vec![0b0111_1111],
    );
    assert_eq!(gray(&p).get_pixel(0, 0)[0], 255);
    assert_eq!(gray(&p).get_pixel(1, 0)[0], 0);
}

#[test]
fn indexed_over_rgb_with_string_and_stream_lookup() {
    // 4 × 1 at 2 bits: indices 0 1 2 3.
    let palette = vec![255, 0, 0, 0, 255, 0, 0, 0, 255, 255, 255, 255];
    let data = vec![0b0001_1011];
    let cs = Object::Array(vec![
        "Indexed".into(),
        "DeviceRGB".into(),
        3.into(),
        Object::String(palette.clone(), StringFormat::Hexadecimal),
    ]);
    let p = decoded(
        dictionary! { "Width" => 4, "Height" => 1, "ColorSpace" => cs,
        "BitsPerComponent" => 2 },
        data.clone(),
    );
    assert_eq!(rgb(&p).as_raw(), &palette);
    assert!(
        p.describe.contains("Indexed(DeviceRGB, 3)"),
        "{}",
        p.describe
    );

    // The lookup table as a Flate stream, the base as a named ICCBased space of the page.
    let mut pdf = Pdf::new();
    let lut = pdf.doc.add_object(Stream::new(
        dictionary! { "Filter" => "FlateDecode" },
        zlib(&palette),
    ));
    let icc = pdf
        .doc
        .add_object(Stream::new(dictionary! { "N" => 3 }, vec![0; 16]));
    let cs = Object::Array(vec![
        "Indexed".into(),
        Object::Array(vec!["ICCBased".into(), icc.into()]),
        3.into(),
        lut.into(),
    ]);
    let im = pdf.image(
        dictionary! { "Width" => 4, "Height" => 1, "ColorSpace" => cs,
        "BitsPerComponent" => 2 },
        data,
    );
    pdf.page(
        b"q 4 0 0 1 0 0 cm /Im0 Do Q",
        vec![("Im0", im)],
        Dictionary::new(),
    );
    let p = first(&pdf.bytes(), &Limits::default()).unwrap().unwrap();
    assert_eq!(rgb(&p).as_raw(), &palette);
}

#[test]
fn cmyk_becomes_rgb() {
    let p = decoded(
        dictionary! { "Width" => 3, "Height" => 1, "ColorSpace" => "DeviceCMYK",
        "BitsPerComponent" => 8 },
        vec![0, 0, 0, 255, 0, 255, 255, 0, 0, 0, 0, 0],
    );
    assert_eq!(rgb(&p).as_raw(), &vec![0, 0, 0, 255, 0, 0, 255, 255, 255]);
}

#[test]
fn sixteen_bit_gray() {
    let p = decoded(
        dictionary! { "Width" => 2, "Height" => 1, "ColorSpace" => "DeviceGray",
        "BitsPerComponent" => 16 },
        vec![0xff, 0xff, 0x10, 0x00],
    );
    assert_eq!(gray(&p).as_raw(), &vec![255, 16]);
}

#[test]
fn image_inside_a_form_xobject() {
    let mut pdf = Pdf::new();
    let im = pdf.image(
        dictionary! { "Width" => 2, "Height" => 2, "ColorSpace" => "DeviceGray",
        "BitsPerComponent" => 8 },
        vec![0, 50, 100, 150],
    );
    let form = pdf.doc.add_object(Stream::new(
        dictionary! {
            "Type" => "XObject", "Subtype" => "Form",
            "BBox" => vec![0.into(), 0.into(), 100.into(), 100.into()],
            "Matrix" => vec![1.into(), 0.into(), 0.into(), 1.into(), 10.into(), 20.into()],
            "Resources" => dictionary! { "XObject" => dictionary! { "Im0" => im } },
        },
        b"q 50 0 0 40 0 0 cm /Im0 Do Q".to_vec(),
    ));
    pdf.page(
        b"q 2 0 0 2 0 0 cm /Fm0 Do Q",
        vec![("Fm0", form)],
        Dictionary::new(),
    );
    let p = first(&pdf.bytes(), &Limits::default()).unwrap().unwrap();
    assert_eq!(gray(&p).as_raw(), &vec![0, 50, 100, 150]);
    // (0..50, 0..40) + (10, 20), then doubled.
    assert_eq!(p.bbox, [20.0, 40.0, 120.0, 120.0]);
    assert!(p.describe.starts_with("/Im0 "), "{}", p.describe);
}

#[test]
fn the_largest_of_two_images_wins() {
    let mut pdf = Pdf::new();
    let small = pdf.image(
        dictionary! { "Width" => 2, "Height" => 2, "ColorSpace" => "DeviceGray",
        "BitsPerComponent" => 8 },
        vec![0; 4],
    );
    let big = pdf.image(
        dictionary! { "Width" => 6, "Height" => 4, "ColorSpace" => "DeviceGray",
        "BitsPerComponent" => 8 },
        vec![77; 24],
    );
    pdf.page(
        b"q 500 0 0 700 0 0 cm /Small Do Q q 300 0 0 200 10 10 cm /Big Do Q q 1 0 0 1 0 0 cm /Small Do Q",
        vec![("Small", small), ("Big", big)],
        Dictionary::new(),
    );
    let p = first(&pdf.bytes(), &Limits::default()).unwrap().unwrap();
    assert!(p.describe.starts_with("/Big "), "{}", p.describe);
    assert_eq!(gray(&p).dimensions(), (6, 4));
    assert_eq!(p.bbox, [10.0, 10.0, 310.0, 210.0]);
}

#[test]
fn over_the_pixel_limits_is_refused_before_decoding() {
    // 20,000 × 20,000 declared with 10 bytes of data: refused from the dictionary.
    let bytes = one_image(
        dictionary! { "Width" => 20_000, "Height" => 20_000, "ColorSpace" => "DeviceRGB",
        "BitsPerComponent" => 8, "Filter" => "FlateDecode" },
        zlib(&[0; 10]),
    );
    let e = first(&bytes, &Limits::default()).unwrap_err();
    assert!(matches!(e, ReadError::Limit(_)), "{e}");
    assert!(e.to_string().contains("12000 × 12000"), "{e}");
    // Within the side limit but over the allocation limit.
    let limits = Limits {
        max_image_alloc: 1 << 20,
        ..Limits::default()
    };
    let bytes = one_image(
        dictionary! { "Width" => 1000, "Height" => 1000, "ColorSpace" => "DeviceRGB",
        "BitsPerComponent" => 8, "Filter" => "FlateDecode" },
        zlib(&[0; 10]),
    );
    let e = first(&bytes, &limits).unwrap_err();
    assert!(matches!(e, ReadError::Limit(_)), "{e}");
    assert!(e.to_string().contains("1 MiB limit"), "{e}");
}

#[test]
fn truncated_flate_keeps_the_rows_that_decoded() {
    let data: Vec<u8> = (0..200u32 * 200).map(|i| (i * 7 % 251) as u8).collect();
    let z = zlib(&data);
    let p = decoded(
        dictionary! { "Width" => 200, "Height" => 200, "ColorSpace" => "DeviceGray",
        "BitsPerComponent" => 8, "Filter" => "FlateDecode" },
        z[..z.len() / 2].to_vec(),
    );
    let g = gray(&p);
    assert_eq!(&g.as_raw()[..200], &data[..200], "the first row decoded");
    assert!(
        g.as_raw()[199 * 200..].iter().all(|&v| v == 255),
        "missing rows are white"
    );
    assert!(
        p.image.notes.iter().any(|n| n.contains("ends after row")),
        "{:?}",
        p.image.notes
    );
}

#[test]
fn jbig2_and_jpx_are_refused_by_name() {
    let bytes = one_image(
        dictionary! { "Width" => 8, "Height" => 8, "ColorSpace" => "DeviceGray",
        "BitsPerComponent" => 1, "Filter" => "JBIG2Decode" },
        vec![0; 20],
    );
    let e = first(&bytes, &Limits::default()).unwrap_err();
    assert!(
        matches!(
            e,
            ReadError::Image {
                format: "jbig2",
                ..
            }
        ),
        "{e:?}"
    );
    assert!(e.to_string().contains("JBIG2"), "{e}");
    let bytes = one_image(
        dictionary! { "Width" => 8, "Height" => 8, "Filter" => vec!["FlateDecode".into(), "JPXDecode".into()] },
        vec![0; 20],
    );
    let e = first(&bytes, &Limits::default()).unwrap_err();
    assert!(e.to_string().contains("JPEG 2000"), "{e}");
}

#[test]
fn ccitt_group_4() {
    // 16 × 3: row 0 black in columns 0–3, row 1 white, row 2 black in 8–15.
    let rows: [Vec<bool>; 3] = [
        (0..16).map(|x| x < 4).collect(),
        vec![false; 16],
        (0..16).map(|x| x >= 8).collect(),
    ];
    let mut enc = fax::encoder::Encoder::new(fax::VecWriter::new());
    for r in &rows {
        enc.encode_line(
            r.iter().map(|&b| {
                if b {
                    fax::Color::Black
                } else {
                    fax::Color::White
                }
            }),
            16,
        )
        .unwrap();
    }
    let data = enc.finish().unwrap().finish();
    let p = decoded(
        dictionary! { "Width" => 16, "Height" => 3, "ColorSpace" => "DeviceGray",
        "BitsPerComponent" => 1, "Filter" => "CCITTFaxDecode",
        "DecodeParms" => dictionary! { "K" => -1, "Columns" => 16, "Rows" => 3 } },
        data.clone(),
    );
    let g = gray(&p);
    for (y, r) in rows.iter().enumerate() {
        for (x, &black) in r.iter().enumerate() {
            assert_eq!(
                g.get_pixel(x as u32, y as u32)[0],
                if black { 0 } else { 255 },
                "({x}, {y})"
            );
        }
    }
    // BlackIs1 with the default Decode makes the same picture: black samples are 1 and
    // DeviceGray 1 is white — so it comes out inverted, as in a viewer.
    let p = decoded(
        dictionary! { "Width" => 16, "Height" => 3, "ColorSpace" => "DeviceGray",
        "BitsPerComponent" => 1, "Filter" => "CCITTFaxDecode",
        "DecodeParms" => dictionary! { "K" => -1, "Columns" => 16, "BlackIs1" => true } },
        data,
    );
    assert_eq!(gray(&p).get_pixel(0, 0)[0], 255);
    assert_eq!(gray(&p).get_pixel(5, 0)[0], 0);
}

#[test]
fn inline_image_with_abbreviations() {
    let mut pdf = Pdf::new();
    pdf.page(
        b"q 40 0 0 20 5 6 cm BI /W 4 /H 2 /CS /G /BPC 8 /F /AHx /D [0 1] ID 00 40 80 ff ff 80 40 00> EI Q",
        vec![],
        Dictionary::new(),
    );
    let p = first(&pdf.bytes(), &Limits::default()).unwrap().unwrap();
    assert_eq!(
        gray(&p).as_raw(),
        &vec![0, 0x40, 0x80, 0xff, 0xff, 0x80, 0x40, 0]
    );
    assert_eq!(p.bbox, [5.0, 6.0, 45.0, 26.0]);
    assert!(
        p.describe.starts_with("an inline image AHx"),
        "{}",
        p.describe
    );
    // The dictionary parser: nested dictionaries, booleans and arrays.
    let d = parse_inline_dict(b" /IM true /DP << /K -1 /Columns 8 >> /D [1 0] /F [/AHx /CCF]");
    assert_eq!(d.get(b"ImageMask").unwrap(), &Object::Boolean(true));
    let dp = d.get(b"DecodeParms").unwrap().as_dict().unwrap();
    assert_eq!(dp.get(b"K").unwrap().as_i64().unwrap(), -1);
    assert_eq!(d.get(b"Decode").unwrap().as_array().unwrap().len(), 2);
    assert_eq!(d.get(b"Filter").unwrap().as_array().unwrap().len(), 2);
}

#[test]
fn rotated_page_bbox_and_scaling() {
    let mut pdf = Pdf::new();
    let im = pdf.image(
        dictionary! { "Width" => 100, "Height" => 50, "ColorSpace" => "DeviceGray",
        "BitsPerComponent" => 8 },
        vec![128; 5000],
    );
    pdf.page(
        b"q 100 0 0 50 0 0 cm /Im0 Do Q",
        vec![("Im0", im)],
        dictionary! { "Rotate" => 90 },
    );
    let limits = Limits {
        max_ocr_pixels: 1250,
        ..Limits::default()
    };
    let p = first(&pdf.bytes(), &limits).unwrap().unwrap();
    // Displayed 842 × 595: user (x, y) → (y, 595 − x).
    assert_eq!(p.bbox, [0.0, 495.0, 50.0, 595.0]);
    assert_eq!(p.image.original, (100, 50));
    assert_eq!(gray(&p).dimensions(), (50, 25));
    assert!(p.image.notes.iter().any(|n| n.contains("scaled down")));
}

#[test]
fn pages_without_images_and_missing_pages() {
    let mut pdf = Pdf::new();
    pdf.page(b"0 0 m 10 10 l S", vec![], Dictionary::new());
    let im = pdf.image(
        dictionary! { "Width" => 1, "Height" => 1, "ColorSpace" => "DeviceGray",
        "BitsPerComponent" => 8 },
        vec![9],
    );
    pdf.page(b"/Im0 Do", vec![("Im0", im)], Dictionary::new());
    let v = page_images(&pdf.bytes(), &[2, 1, 3], &Limits::default()).unwrap();
    let pages: Vec<u32> = v.iter().map(|(n, _)| *n).collect();
    assert_eq!(pages, vec![2, 1, 3]);
    assert_eq!(v[0].1.as_ref().unwrap().as_ref().unwrap().page, 2);
    assert!(v[1].1.as_ref().unwrap().is_none());
    let e = v[2].1.as_ref().unwrap_err();
    assert!(e.to_string().contains("no page 3"), "{e}");
    assert!(matches!(
        page_images(b"", &[1], &Limits::default()),
        Err(ReadError::Empty)
    ));
}
