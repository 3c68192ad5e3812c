//! The two PDF writers: [`render_krilla`] embeds subsetted Noto CJK (Type0 / Identity-H with a
//! ToUnicode CMap, krilla's content-hash document ID) and [`render_stsong`] writes by hand, with
//! lopdf, the non-embedded Adobe font STSong-Light (`UniGB-UCS2-H`, no ToUnicode) and a `/ID`
//! derived from the file's stem. Neither writes a date, so the bytes depend only on the pages.

use krilla::geom::{PathBuilder, Point};
use krilla::graphic::Graphic;
use krilla::metadata::Metadata;
use krilla::page::PageSettings;
use krilla::paint::{Fill, Stroke};
use krilla::surface::Surface;
use krilla::{Document, SerializeSettings};

use super::Res;
use super::fonts::Fonts;
use super::layout::{Op, Page};
use super::rng::Rng;

fn draw_ops(s: &mut Surface, ops: &[Op], fonts: &Fonts) {
    let mut lines: Vec<&Op> = vec![];
    let flush = |s: &mut Surface, lines: &mut Vec<&Op>| {
        if lines.is_empty() {
            return;
        }
        // One path per stroke width.
        let mut widths: Vec<f32> = vec![];
        for l in lines.iter() {
            if let Op::Line { w, .. } = l
                && !widths.contains(w)
            {
                widths.push(*w);
            }
        }
        for w in widths {
            let mut pb = PathBuilder::new();
            for l in lines.iter() {
                if let Op::Line {
                    x1,
                    y1,
                    x2,
                    y2,
                    w: lw,
                } = l
                    && *lw == w
                {
                    pb.move_to(*x1, *y1);
                    pb.line_to(*x2, *y2);
                }
            }
            if let Some(path) = pb.finish() {
                s.set_fill(None);
                s.set_stroke(Some(Stroke {
                    width: w,
                    ..Default::default()
                }));
                s.draw_path(&path);
            }
        }
        lines.clear();
    };
    for op in ops {
        match op {
            Op::Line { .. } => lines.push(op),
            Op::Text {
                x,
                y,
                size,
                face,
                s: text,
            } => {
                let f = fonts.face(*face);
                s.set_stroke(None);
                s.set_fill(Some(Fill::default()));
                s.draw_glyphs(
                    Point::from_xy(*x, *y),
                    &f.glyphs(text),
                    f.font.clone(),
                    text,
                    *size,
                    false,
                );
            }
            Op::Form(inner) => {
                flush(s, &mut lines);
                let mut sb = s.stream_builder();
                let mut inner_s = sb.surface();
                draw_ops(&mut inner_s, inner, fonts);
                inner_s.finish();
                let stream = sb.finish();
                s.draw_graphic(Graphic::new(stream, false));
            }
        }
    }
    flush(s, &mut lines);
}

/// `producer` names the generator in the document info (`jzz gen_pdf_fixtures`).
pub fn render_krilla(pages: &[Page], fonts: &Fonts, producer: &str) -> Res<Vec<u8>> {
    let settings = SerializeSettings {
        xmp_metadata: false,
        enable_tagging: false,
        ..Default::default()
    };
    let mut doc = Document::new_with(settings);
    doc.set_metadata(Metadata::new().producer(producer.to_string()));
    for p in pages {
        let mut page = doc.start_page_with(PageSettings::from_wh(p.w, p.h).ok_or("page size")?);
        let mut s = page.surface();
        draw_ops(&mut s, &p.ops, fonts);
        s.finish();
        page.finish();
    }
    doc.finish().map_err(|e| format!("krilla: {e:?}").into())
}

fn num(v: f32) -> String {
    let s = format!("{v:.2}");
    let s = s.trim_end_matches('0').trim_end_matches('.');
    if s == "-0" { "0".into() } else { s.into() }
}

/// Hand-written PDF with the non-embedded Adobe font STSong-Light
/// (Type0, UniGB-UCS2-H, CIDFontType0, no ToUnicode, no FontFile); `stem` seeds the `/ID`.
pub fn render_stsong(pages: &[Page], stem: &str, producer: &str) -> Res<Vec<u8>> {
    use lopdf::{Dictionary, Object, Stream, dictionary};
    let mut doc = lopdf::Document::with_version("1.4");
    let pages_id = doc.new_object_id();
    let desc = doc.add_object(dictionary! {
        "Type" => "FontDescriptor",
        "FontName" => "STSong-Light",
        "Flags" => 6,
        "FontBBox" => vec![(-25).into(), (-254).into(), 1000.into(), 880.into()],
        "ItalicAngle" => 0,
        "Ascent" => 880,
        "Descent" => -120,
        "CapHeight" => 880,
        "StemV" => 93,
    });
    let cid = doc.add_object(dictionary! {
        "Type" => "Font",
        "Subtype" => "CIDFontType0",
        "BaseFont" => "STSong-Light",
        "CIDSystemInfo" => dictionary! {
            "Registry" => Object::string_literal("Adobe"),
            "Ordering" => Object::string_literal("GB1"),
            "Supplement" => 2,
        },
        "FontDescriptor" => desc,
        "DW" => 1000,
        // UniGB-UCS2-H maps U+0020..U+007E to CIDs 1..95 (proportional Roman).
        "W" => vec![1.into(), 95.into(), 500.into()],
    });
    let font = doc.add_object(dictionary! {
        "Type" => "Font",
        "Subtype" => "Type0",
        "BaseFont" => "STSong-Light",
        "Encoding" => "UniGB-UCS2-H",
        "DescendantFonts" => vec![cid.into()],
    });
    let mut kids = vec![];
    for p in pages {
        let mut c = String::new();
        let mut lw = -1.0;
        for op in &p.ops {
            match op {
                Op::Text { x, y, size, s, .. } => {
                    let hex: String = s.encode_utf16().map(|u| format!("{u:04X}")).collect();
                    c += &format!(
                        "BT /F1 {} Tf 1 0 0 1 {} {} Tm <{hex}> Tj ET\n",
                        num(*size),
                        num(*x),
                        num(p.h - y)
                    );
                }
                Op::Line { x1, y1, x2, y2, w } => {
                    if *w != lw {
                        c += &format!("{} w\n", num(*w));
                        lw = *w;
                    }
                    c += &format!(
                        "{} {} m {} {} l S\n",
                        num(*x1),
                        num(p.h - y1),
                        num(*x2),
                        num(p.h - y2)
                    );
                }
                Op::Form(_) => return Err("forms are krilla-only".into()),
            }
        }
        let content = doc.add_object(Stream::new(Dictionary::new(), c.into_bytes()));
        let page = doc.add_object(dictionary! {
            "Type" => "Page",
            "Parent" => pages_id,
            "MediaBox" => vec![0.into(), 0.into(), Object::Real(p.w), Object::Real(p.h)],
            "Contents" => content,
            "Resources" => dictionary! { "Font" => dictionary! { "F1" => font } },
        });
        kids.push(page.into());
    }
    finish_lopdf(doc, pages_id, kids, producer, stem)
}

/// Completes a document written with lopdf: the page tree `pages_id` over `kids`, the catalog,
/// the producer, a fixed `/ID` drawn from `seed` and a classic xref table (lopdf defaults to an
/// xref stream for new documents).
pub fn finish_lopdf(
    mut doc: lopdf::Document,
    pages_id: lopdf::ObjectId,
    kids: Vec<lopdf::Object>,
    producer: &str,
    seed: &str,
) -> Res<Vec<u8>> {
    use lopdf::{Object, dictionary};
    let n = kids.len() as i64;
    doc.objects.insert(
        pages_id,
        Object::Dictionary(dictionary! { "Type" => "Pages", "Kids" => kids, "Count" => n }),
    );
    let catalog = doc.add_object(dictionary! { "Type" => "Catalog", "Pages" => pages_id });
    let info = doc.add_object(dictionary! {
        "Producer" => Object::string_literal(producer),
    });
    doc.trailer.set("Root", catalog);
    doc.trailer.set("Info", info);
    let mut id = Rng::new(seed);
    let idb: Vec<u8> = (0..2).flat_map(|_| id.next().to_be_bytes()).collect();
    let ids = Object::String(idb, lopdf::StringFormat::Hexadecimal);
    doc.trailer.set("ID", vec![ids.clone(), ids]);
    doc.reference_table.cross_reference_type = lopdf::xref::XrefType::CrossReferenceTable;
    let mut buf = vec![];
    doc.save_to(&mut buf)?;
    Ok(buf)
}
