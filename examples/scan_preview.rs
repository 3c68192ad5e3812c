//! Developer tool: shows what OCR will see. Writes the page after jzz's preparation (red ink
//! suppressed, upright, deskewed, rulings erased, small print enlarged) as a PNG and prints
//! the notes.
//!
//! Usage: `cargo run --release --example scan_preview -- IN.png OUT.png [WIDTH]`

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let args: Vec<String> = std::env::args().collect();
    let (Some(input), Some(output)) = (args.get(1), args.get(2)) else {
        return Err("usage: scan_preview IN OUT.png".into());
    };
    let img = image::open(input)?;
    let (gray, mut notes) = jzz::read::scan::to_gray(&img, true);
    let (gray, note) = jzz::read::ocr::upright(gray);
    notes.extend(note);
    let p = jzz::read::scan::prepare(gray, jzz::read::scan::Steps::default());
    notes.extend(p.notes);
    // An optional width to shrink the picture to, for looking at it.
    let out = match args.get(3).and_then(|w| w.parse::<u32>().ok()) {
        Some(w) if w < p.gray.width() => {
            let h = (p.gray.height() as u64 * w as u64 / p.gray.width() as u64) as u32;
            image::imageops::resize(&p.gray, w, h, image::imageops::FilterType::Triangle)
        }
        _ => p.gray,
    };
    out.save(output)?;
    for n in notes {
        println!("{n}");
    }
    Ok(())
}
