//! End-to-end tests on small PDFs built with lopdf's writer.

use std::io::Write;

use lopdf::{Dictionary, Document, Object, ObjectId, Stream, dictionary};

use super::read_pdf;
use crate::read::text::{TextDocument, TextLayer, TextRun};
use crate::read::{Limits, ReadError};

/// A minimal document builder: one /Pages node, pages added in order.
struct Pdf {
    doc: Document,
    pages: ObjectId,
    kids: Vec<Object>,
    pages_extra: Dictionary,
}

fn helvetica() -> Dictionary {
    // Widths: 250 for space, 500 for everything else from 32 to 126.
    let widths: Vec<Object> = (32..=126)
        .map(|c| Object::Integer(if c == 32 { 250 } else { 500 }))
        .collect();
    dictionary! {
        "Type" => "Font",
        "Subtype" => "Type1",
        "BaseFont" => "Helvetica",
        "Encoding" => "WinAnsiEncoding",
        "FirstChar" => 32,
        "LastChar" => 126,
        "Widths" => widths,
    }
}

const TO_UNICODE: &[u8] = b"/CIDInit /ProcSet findresource begin 12 dict begin begincmap
/CMapName /Test-UCS def
1 begincodespacerange <0000> <FFFF> endcodespacerange
2 beginbfchar
<0001> <4E2D>
<0002> <6587>
endbfchar
1 beginbfrange
<0010> <0012> [<5DE5> <8D44> <0066006C>]
endbfrange
endcmap end end";

impl Pdf {
    fn new() -> Pdf {
        let mut doc = Document::with_version("1.5");
        let pages = doc.new_object_id();
        Pdf {
            doc,
            pages,
            kids: Vec::new(),
            pages_extra: Dictionary::new(),
        }
    }

    fn add(&mut self, o: impl Into<Object>) -> ObjectId {
        self.doc.add_object(o)
    }

    fn stream(&mut self, content: &[u8]) -> ObjectId {
        self.add(Stream::new(Dictionary::new(), content.to_vec()))
    }

    /// A Type0 font with the given encoding, optional ToUnicode and /W.
    fn type0(&mut self, encoding: Object, to_unicode: Option<&[u8]>, w: Vec<Object>) -> ObjectId {
        let cid = self.add(dictionary! {
            "Type" => "Font",
            "Subtype" => "CIDFontType2",
            "BaseFont" => "TestCID",
            "CIDSystemInfo" => dictionary! {
                "Registry" => Object::string_literal("Adobe"),
                "Ordering" => Object::string_literal("GB1"),
                "Supplement" => 2,
            },
            "DW" => 1000,
            "W" => w,
        });
        let mut f = dictionary! {
            "Type" => "Font",
            "Subtype" => "Type0",
            "BaseFont" => "TestCID",
            "Encoding" => encoding,
            "DescendantFonts" => vec![Object::Reference(cid)],
        };
        if let Some(tu) = to_unicode {
            let id = self.stream(tu);
            f.set("ToUnicode", id);
        }
        self.add(f)
    }

    fn page(&mut self, content: &[u8], resources: Dictionary, extra: Dictionary) -> ObjectId {
        let c = self.stream(content);
        let mut p = dictionary! {
            "Type" => "Page",
            "Parent" => self.pages,
            "Contents" => c,
            "Resources" => resources,
        };
        for (k, v) in extra.iter() {
            p.set(k.clone(), v.clone());
        }
        let id = self.add(p);
        self.kids.push(id.into());
        id
    }

    fn bytes(mut self) -> Vec<u8> {
        let mut pages = dictionary! {
            "Type" => "Pages",
            "Kids" => self.kids.clone(),
            "Count" => self.kids.len() as i64,
            "MediaBox" => vec![0.into(), 0.into(), 595.into(), 842.into()],
        };
        for (k, v) in self.pages_extra.iter() {
            pages.set(k.clone(), v.clone());
        }
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

fn fonts(entries: Vec<(&str, ObjectId)>) -> Dictionary {
    let mut f = Dictionary::new();
    for (k, id) in entries {
        f.set(k, id);
    }
    dictionary! { "Font" => f }
}

fn one_page(content: &[u8]) -> TextDocument {
    let mut p = Pdf::new();
    let f = p.add(helvetica());
    p.page(content, fonts(vec![("F1", f)]), Dictionary::new());
    read_pdf(&p.bytes(), &Limits::default()).unwrap()
}

fn texts(d: &TextDocument) -> Vec<String> {
    d.pages[0].runs.iter().map(|r| r.text.clone()).collect()
}

fn close(a: f32, b: f32) -> bool {
    (a - b).abs() < 0.01
}

#[test]
fn simple_text_positions_and_sizes() {
    let d = one_page(b"BT /F1 10 Tf 100 700 Td (Hello you) Tj ET q 2 0 0 2 0 0 cm BT /F1 10 Tf 10 20 Td 2 Tc (ab) Tj ET Q");
    let p = &d.pages[0];
    assert_eq!(p.layer, TextLayer::Usable);
    assert_eq!((p.width, p.height), (595.0, 842.0));
    let r = &p.runs[0];
    assert_eq!(r.text, "Hello you");
    assert!(close(r.x, 100.0) && close(r.y, 700.0));
    // 8 glyphs × 5 + one space × 2.5.
    assert!(close(r.width, 42.5), "{}", r.width);
    assert!(close(r.size, 10.0));
    let r = &p.runs[1];
    assert_eq!(r.text, "ab");
    assert!(close(r.x, 20.0) && close(r.y, 40.0));
    // (5 + 2) × 2 glyphs, doubled by the CTM.
    assert!(close(r.width, 28.0), "{}", r.width);
    assert!(close(r.size, 20.0));
}

#[test]
fn word_spacing_and_horizontal_scale() {
    let d = one_page(b"BT /F1 10 Tf 3 Tw 50 Tz 0 0 Td (a b) Tj ET");
    // ((5 + 2.5 + 3) + 5) × 0.5
    assert!(
        close(d.pages[0].runs[0].width, 7.75),
        "{}",
        d.pages[0].runs[0].width
    );
}

#[test]
fn tj_spacing_splits_runs() {
    let d = one_page(b"BT /F1 10 Tf 0 0 Td [(Hel) -20 (lo) -300 (World)] TJ [(A) -100 ( B)] TJ [(x) 400 (y)] TJ ET");
    assert_eq!(texts(&d), vec!["Hello", "World", "A", " B", "x", "y"]);
    let r = &d.pages[0].runs;
    // "Hel" 15 + 0.2 + "lo" 10 = 25.2; the gap of 3 moves World to 28.2.
    assert!(close(r[0].width, 25.2), "{}", r[0].width);
    assert!(close(r[1].x, 28.2), "{}", r[1].x);
}

#[test]
fn text_operators_quote_and_leading() {
    let d = one_page(
        b"BT /F1 10 Tf 12 TL 0 100 Td (a) Tj (b) ' 1 2 (c) \" 0 -10 TD (d) Tj T* (e) Tj ET",
    );
    let r = &d.pages[0].runs;
    assert_eq!(texts(&d), vec!["a", "b", "c", "d", "e"]);
    assert!(
        close(r[1].y, 88.0) && close(r[2].y, 76.0) && close(r[3].y, 66.0) && close(r[4].y, 56.0)
    );
}

#[test]
fn differences_and_glyph_names() {
    let mut p = Pdf::new();
    let f = p.add(dictionary! {
        "Type" => "Font",
        "Subtype" => "Type1",
        "BaseFont" => "Custom",
        "Encoding" => dictionary! {
            "Type" => "Encoding",
            "BaseEncoding" => "WinAnsiEncoding",
            "Differences" => vec![65.into(), "uni4E2D".into(), "eacute".into(), "f_i".into(), 70.into(), "g12".into()],
        },
    });
    p.page(
        b"BT /F1 10 Tf (ABCDE) Tj ET",
        fonts(vec![("F1", f)]),
        Dictionary::new(),
    );
    let d = read_pdf(&p.bytes(), &Limits::default()).unwrap();
    assert_eq!(texts(&d), vec!["中éfiDE"]);
    // Only unmapped glyphs fail: one g12 of two glyphs is too many.
    let mut p = Pdf::new();
    let f = p.add(dictionary! {
        "Type" => "Font", "Subtype" => "Type1", "BaseFont" => "Custom",
        "Encoding" => dictionary! { "Differences" => vec![65.into(), "g12".into()] },
    });
    p.page(
        b"BT /F1 10 Tf (AB) Tj ET",
        fonts(vec![("F1", f)]),
        Dictionary::new(),
    );
    let d = read_pdf(&p.bytes(), &Limits::default()).unwrap();
    assert!(matches!(d.pages[0].layer, TextLayer::Undecodable { .. }));
    assert!(d.pages[0].runs.is_empty());
}

/// Fuzzing (`pdf_text`): one unmapped glyph in ten stayed under the 30 % share, and the run
/// around it went on as text with a U+FFFD in it — a value with a hole, presented as sure.
#[test]
fn one_unmapped_glyph_amid_text_sends_the_page_to_ocr() {
    let mut p = Pdf::new();
    let f = p.add(dictionary! {
        "Type" => "Font", "Subtype" => "Type1", "BaseFont" => "Custom",
        "Encoding" => dictionary! { "Differences" => vec![65.into(), "g12".into()] },
    });
    p.page(
        b"BT /F1 10 Tf (BCDEAFGHIJ) Tj ET",
        fonts(vec![("F1", f)]),
        Dictionary::new(),
    );
    let d = read_pdf(&p.bytes(), &Limits::default()).unwrap();
    match &d.pages[0].layer {
        TextLayer::Undecodable { reason } => assert!(reason.contains("BCDE□FGHIJ"), "{reason}"),
        other => panic!("{other:?}: {:?}", d.pages[0].runs),
    }
    assert!(d.pages[0].runs.is_empty());
    // A run of nothing but unmapped glyphs beside decoded text is dropped; the page is usable.
    let mut p = Pdf::new();
    let f = p.add(dictionary! {
        "Type" => "Font", "Subtype" => "Type1", "BaseFont" => "Custom",
        "Encoding" => dictionary! { "Differences" => vec![65.into(), "g12".into()] },
    });
    p.page(
        b"BT /F1 10 Tf (BCDEFGHIJ) Tj 0 -20 Td (A) Tj ET",
        fonts(vec![("F1", f)]),
        Dictionary::new(),
    );
    let d = read_pdf(&p.bytes(), &Limits::default()).unwrap();
    assert_eq!(d.pages[0].layer, TextLayer::Usable);
    assert_eq!(texts(&d), vec!["BCDEFGHIJ"]);
}

#[test]
fn simple_font_tounicode_wins() {
    let mut p = Pdf::new();
    let tu = p.stream(
        b"1 begincodespacerange <00> <FF> endcodespacerange 1 beginbfchar <41> <4E2D> endbfchar",
    );
    let mut f = helvetica();
    f.set("ToUnicode", tu);
    let f = p.add(f);
    p.page(
        b"BT /F1 10 Tf (AB) Tj ET",
        fonts(vec![("F1", f)]),
        Dictionary::new(),
    );
    let d = read_pdf(&p.bytes(), &Limits::default()).unwrap();
    assert_eq!(texts(&d), vec!["中B"]);
}

#[test]
fn type0_identity_with_tounicode_and_widths() {
    let mut p = Pdf::new();
    let w = vec![
        1.into(),
        Object::Array(vec![900.into(), 800.into()]),
        16.into(),
        18.into(),
        600.into(),
    ];
    let f = p.type0("Identity-H".into(), Some(TO_UNICODE), w);
    p.page(
        b"BT /F1 10 Tf 10 10 Td <000100020010> Tj <00110012> Tj ET",
        fonts(vec![("F1", f)]),
        Dictionary::new(),
    );
    let d = read_pdf(&p.bytes(), &Limits::default()).unwrap();
    assert_eq!(d.pages[0].layer, TextLayer::Usable);
    assert_eq!(texts(&d), vec!["中文工", "资fl"]);
    let r: &Vec<TextRun> = &d.pages[0].runs;
    assert!(close(r[0].width, 9.0 + 8.0 + 6.0), "{}", r[0].width);
    assert!(close(r[1].x, 10.0 + 23.0));
}

#[test]
fn identity_without_tounicode_is_undecodable() {
    let mut p = Pdf::new();
    let f = p.type0("Identity-H".into(), None, vec![]);
    p.page(
        b"BT /F1 10 Tf <00010002> Tj ET",
        fonts(vec![("F1", f)]),
        Dictionary::new(),
    );
    let d = read_pdf(&p.bytes(), &Limits::default()).unwrap();
    match &d.pages[0].layer {
        TextLayer::Undecodable { reason } => assert!(reason.contains("Identity-H"), "{reason}"),
        other => panic!("{other:?}"),
    }
    assert!(d.pages[0].runs.is_empty());
}

#[test]
fn predefined_unigb_ucs2_and_gbk() {
    let mut p = Pdf::new();
    let ucs2 = p.type0(
        "UniGB-UCS2-H".into(),
        None,
        vec![1.into(), 95.into(), 500.into()],
    );
    let gbk = p.type0(
        "GBK-EUC-H".into(),
        None,
        vec![1.into(), 95.into(), 500.into()],
    );
    let utf16 = p.type0("UniGB-UTF16-H".into(), None, vec![]);
    p.page(
        b"BT /U 10 Tf <4E2D65870041> Tj /G 10 Tf <D6D0CEC441> Tj /T 10 Tf <D840DC0B> Tj ET",
        fonts(vec![("U", ucs2), ("G", gbk), ("T", utf16)]),
        Dictionary::new(),
    );
    let d = read_pdf(&p.bytes(), &Limits::default()).unwrap();
    assert_eq!(texts(&d), vec!["中文A", "中文A", "\u{2000B}"]);
    // Two full-width glyphs (DW 1000) and ASCII 'A' at CID 34 (W 500).
    assert!(
        close(d.pages[0].runs[0].width, 25.0),
        "{}",
        d.pages[0].runs[0].width
    );
    assert!(
        close(d.pages[0].runs[1].width, 25.0),
        "{}",
        d.pages[0].runs[1].width
    );
}

#[test]
fn gbk_bytes_in_simple_chinese_font() {
    let mut p = Pdf::new();
    let f = p.add(dictionary! {
        "Type" => "Font", "Subtype" => "TrueType",
        "BaseFont" => Object::Name(b"\xCB\xCE\xCC\xE5".to_vec()),
        "Encoding" => "WinAnsiEncoding",
    });
    p.page(
        b"BT /F1 10 Tf <C4BFC2BC2031> Tj ET",
        fonts(vec![("F1", f)]),
        Dictionary::new(),
    );
    let d = read_pdf(&p.bytes(), &Limits::default()).unwrap();
    assert_eq!(texts(&d), vec!["目录 1"]);
}

#[test]
fn invisible_text_counts() {
    let d = one_page(b"BT 3 Tr /F1 10 Tf (ocr) Tj ET");
    assert_eq!(d.pages[0].layer, TextLayer::Usable);
    assert_eq!(texts(&d), vec!["ocr"]);
}

#[test]
fn no_text_is_absent_and_images_are_counted() {
    let mut p = Pdf::new();
    let img = p.add(Stream::new(
        dictionary! { "Type" => "XObject", "Subtype" => "Image", "Width" => 1, "Height" => 1,
        "ColorSpace" => "DeviceGray", "BitsPerComponent" => 8 },
        vec![0],
    ));
    p.page(
        b"q 595 0 0 842 0 0 cm /Im1 Do Q BI /W 1 /H 1 /BPC 8 /CS /G ID \x00 EI",
        dictionary! { "XObject" => dictionary! { "Im1" => img } },
        Dictionary::new(),
    );
    let d = read_pdf(&p.bytes(), &Limits::default()).unwrap();
    assert_eq!(d.pages[0].layer, TextLayer::Absent);
    assert_eq!(d.pages[0].images, 2);
}

fn form(
    p: &mut Pdf,
    content: &[u8],
    resources: Option<Dictionary>,
    matrix: Option<[i64; 6]>,
) -> ObjectId {
    let mut d = dictionary! { "Type" => "XObject", "Subtype" => "Form",
    "BBox" => vec![0.into(), 0.into(), 1000.into(), 1000.into()] };
    if let Some(r) = resources {
        d.set("Resources", r);
    }
    if let Some(m) = matrix {
        d.set(
            "Matrix",
            m.iter().map(|&v| Object::Integer(v)).collect::<Vec<_>>(),
        );
    }
    p.add(Stream::new(d, content.to_vec()))
}

#[test]
fn form_xobjects_recurse_with_matrix_and_resources() {
    let mut p = Pdf::new();
    let f = p.add(helvetica());
    // The inner form has no /Resources: it falls back to its parent's (the outer form's).
    let inner = form(
        &mut p,
        b"BT /F1 10 Tf 0 0 Td (inner) Tj ET",
        None,
        Some([1, 0, 0, 1, 5, 5]),
    );
    let mut outer_res = fonts(vec![("F1", f)]);
    outer_res.set("XObject", dictionary! { "X2" => inner });
    let outer = form(
        &mut p,
        b"BT /F1 10 Tf 0 0 Td (outer) Tj ET /X2 Do",
        Some(outer_res),
        Some([2, 0, 0, 2, 100, 100]),
    );
    p.page(
        b"/X1 Do BT /F1 10 Tf 1 1 Td (page) Tj ET",
        dictionary! { "XObject" => dictionary! { "X1" => outer } },
        Dictionary::new(),
    );
    let d = read_pdf(&p.bytes(), &Limits::default()).unwrap();
    assert_eq!(texts(&d), vec!["outer", "inner"]);
    let r = &d.pages[0].runs;
    assert!(close(r[0].x, 100.0) && close(r[0].size, 20.0));
    assert!(close(r[1].x, 110.0) && close(r[1].y, 110.0));
    // The page has no font of its own: "page" is drawn without one.
    assert_eq!(d.pages[0].layer, TextLayer::Usable);
}

#[test]
fn form_cycle_and_depth_are_bounded() {
    let mut p = Pdf::new();
    let f = p.add(helvetica());
    let a = p.doc.new_object_id();
    let b = p.doc.new_object_id();
    let res_a = {
        let mut r = fonts(vec![("F1", f)]);
        r.set("XObject", dictionary! { "B" => b });
        r
    };
    let res_b = {
        let mut r = fonts(vec![("F1", f)]);
        r.set("XObject", dictionary! { "A" => a });
        r
    };
    let sa = Stream::new(
        dictionary! { "Subtype" => "Form", "Resources" => res_a },
        b"BT /F1 10 Tf (a) Tj ET /B Do".to_vec(),
    );
    let sb = Stream::new(
        dictionary! { "Subtype" => "Form", "Resources" => res_b },
        b"BT /F1 10 Tf (b) Tj ET /A Do /A Do".to_vec(),
    );
    p.doc.objects.insert(a, Object::Stream(sa));
    p.doc.objects.insert(b, Object::Stream(sb));
    p.page(
        b"/A Do",
        dictionary! { "XObject" => dictionary! { "A" => a } },
        Dictionary::new(),
    );
    let bytes = p.bytes();
    let d = read_pdf(&bytes, &Limits::default()).unwrap();
    assert_eq!(texts(&d), vec!["a", "b"]);
    assert!(d.notes.iter().any(|n| n.contains("cycle")), "{:?}", d.notes);

    // A chain deeper than the limit.
    let mut p = Pdf::new();
    let f = p.add(helvetica());
    let mut next: Option<ObjectId> = None;
    for i in 0..10 {
        let mut r = fonts(vec![("F1", f)]);
        let content = match next {
            Some(n) => {
                r.set("XObject", dictionary! { "N" => n });
                format!("BT /F1 10 Tf ({i}) Tj ET /N Do")
            }
            None => format!("BT /F1 10 Tf ({i}) Tj ET"),
        };
        next = Some(form(&mut p, content.as_bytes(), Some(r), None));
    }
    p.page(
        b"/N Do",
        dictionary! { "XObject" => dictionary! { "N" => next.unwrap() } },
        Dictionary::new(),
    );
    let limits = Limits {
        max_form_depth: 3,
        ..Limits::default()
    };
    let d = read_pdf(&p.bytes(), &limits).unwrap();
    assert_eq!(texts(&d), vec!["9", "8", "7"]);
    assert!(
        d.notes.iter().any(|n| n.contains("deeper than 3")),
        "{:?}",
        d.notes
    );
}

#[test]
fn flate_bomb_hits_the_stream_limit() {
    let mut e = flate2::write::ZlibEncoder::new(Vec::new(), flate2::Compression::best());
    e.write_all(b"BT /F1 10 Tf (x) Tj ET").unwrap();
    for _ in 0..64 {
        e.write_all(&[b' '; 1 << 16]).unwrap();
    }
    let z = e.finish().unwrap();
    let mut p = Pdf::new();
    let f = p.add(helvetica());
    let c = p.add(Stream::new(dictionary! { "Filter" => "FlateDecode" }, z));
    let page = p.page(b"", fonts(vec![("F1", f)]), Dictionary::new());
    p.doc.get_dictionary_mut(page).unwrap().set("Contents", c);
    let bytes = p.bytes();
    let small = Limits {
        max_stream_bytes: 1 << 20,
        ..Limits::default()
    };
    assert!(matches!(read_pdf(&bytes, &small), Err(ReadError::Limit(_))));
    let d = read_pdf(&bytes, &Limits::default()).unwrap();
    assert_eq!(texts(&d), vec!["x"]);
}

#[test]
fn operator_limit() {
    let content = b"q Q ".repeat(1000);
    let mut p = Pdf::new();
    p.page(&content, Dictionary::new(), Dictionary::new());
    let limits = Limits {
        max_ops_per_page: 100,
        ..Limits::default()
    };
    assert!(matches!(
        read_pdf(&p.bytes(), &limits),
        Err(ReadError::Limit(_))
    ));
}

#[test]
fn rotate_90_gives_upright_coordinates() {
    let mut p = Pdf::new();
    let f = p.add(helvetica());
    // Text running up the unrotated page reads left to right once the page is turned
    // 90° clockwise.
    p.page(
        b"BT /F1 10 Tf 0 1 -1 0 150 20 Tm (up) Tj ET",
        fonts(vec![("F1", f)]),
        dictionary! {
            "MediaBox" => vec![0.into(), 0.into(), 200.into(), 100.into()],
            "Rotate" => 90,
        },
    );
    let d = read_pdf(&p.bytes(), &Limits::default()).unwrap();
    let pg = &d.pages[0];
    assert_eq!((pg.width, pg.height), (100.0, 200.0));
    let r = &pg.runs[0];
    assert!(close(r.x, 20.0) && close(r.y, 50.0), "{r:?}");
    assert!(close(r.width, 10.0) && close(r.size, 10.0), "{r:?}");
}

#[test]
fn inherited_attributes_and_crop_box() {
    let mut p = Pdf::new();
    let f = p.add(helvetica());
    p.pages_extra = dictionary! {
        "Resources" => fonts(vec![("F1", f)]),
        "CropBox" => vec![10.into(), 20.into(), 310.into(), 420.into()],
        "Rotate" => 180,
    };
    let c = p.stream(b"BT /F1 10 Tf 110 120 Td (x) Tj ET");
    let page = p.add(dictionary! { "Type" => "Page", "Parent" => p.pages, "Contents" => c });
    p.kids.push(page.into());
    let d = read_pdf(&p.bytes(), &Limits::default()).unwrap();
    let pg = &d.pages[0];
    assert_eq!((pg.width, pg.height), (300.0, 400.0));
    assert_eq!(texts(&d), vec!["x"]);
    // Relative to the crop box (100, 100), then turned: (300 − 100, 400 − 100).
    assert!(
        close(pg.runs[0].x, 200.0) && close(pg.runs[0].y, 300.0),
        "{:?}",
        pg.runs[0]
    );
}

#[test]
fn content_array_and_page_limit() {
    let mut p = Pdf::new();
    let f = p.add(helvetica());
    let a = p.stream(b"BT /F1 10 Tf");
    let b = p.stream(b"(Hi) Tj ET");
    for _ in 0..3 {
        let page = p.add(dictionary! {
            "Type" => "Page", "Parent" => p.pages,
            "Contents" => vec![Object::Reference(a), Object::Reference(b)],
            "Resources" => fonts(vec![("F1", f)]),
        });
        p.kids.push(page.into());
    }
    let limits = Limits {
        max_pages: 1,
        ..Limits::default()
    };
    let d = read_pdf(&p.bytes(), &limits).unwrap();
    assert_eq!(d.pages.len(), 1);
    assert_eq!(texts(&d), vec!["Hi"]);
    assert!(
        d.notes
            .iter()
            .any(|n| n == "pages 2–3 not read (limit 1 pages)"),
        "{:?}",
        d.notes
    );
}

#[test]
fn type3_widths_use_the_font_matrix() {
    let mut p = Pdf::new();
    let f = p.add(dictionary! {
        "Type" => "Font", "Subtype" => "Type3",
        "FontMatrix" => vec![Object::Real(0.01), 0.into(), 0.into(), Object::Real(0.01), 0.into(), 0.into()],
        "FontBBox" => vec![0.into(), 0.into(), 100.into(), 100.into()],
        "CharProcs" => Dictionary::new(),
        "Encoding" => dictionary! { "Differences" => vec![65.into(), "A".into(), "B".into()] },
        "FirstChar" => 65, "LastChar" => 66,
        "Widths" => vec![50.into(), 100.into()],
    });
    p.page(
        b"BT /F1 10 Tf (AB) Tj ET",
        fonts(vec![("F1", f)]),
        Dictionary::new(),
    );
    let d = read_pdf(&p.bytes(), &Limits::default()).unwrap();
    assert_eq!(texts(&d), vec!["AB"]);
    assert!(
        close(d.pages[0].runs[0].width, 15.0),
        "{}",
        d.pages[0].runs[0].width
    );
}

#[test]
fn not_a_pdf() {
    assert_eq!(read_pdf(b"", &Limits::default()), Err(ReadError::Empty));
    assert!(matches!(
        read_pdf(b"\x89PNG\r\n\x1a\n....", &Limits::default()),
        Err(ReadError::Corrupt { format: "pdf", .. })
    ));
    let tiny = Limits {
        max_file_bytes: 3,
        ..Limits::default()
    };
    assert!(matches!(
        read_pdf(b"%PDF-1.4", &tiny),
        Err(ReadError::TooLarge { .. })
    ));
}

#[test]
fn garbage_content_does_not_fail() {
    let d = one_page(b"BT /F1 10 Tf ]]] >> ) } 1 2 3 4 5 6 7 8 9 cm (a) Tj Tj TJ 0 Td Q Q Q [[[[(b) 5 ] TJ <4 1> Tj ET");
    assert_eq!(texts(&d), vec!["a", "A"]);
}

#[test]
fn flipped_ctm_as_krilla_writes_it() {
    // y-down page space, text matrices flipped back.
    let d = one_page(b"1 0 0 -1 0 842 cm BT /F1 10 Tf 1 0 0 -1 100 100 Tm (top) Tj ET");
    let r = &d.pages[0].runs[0];
    assert!(close(r.x, 100.0) && close(r.y, 742.0), "{r:?}");
    assert!(close(r.size, 10.0) && close(r.width, 15.0), "{r:?}");
}
