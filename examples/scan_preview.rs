//! Developer tool: shows what OCR will see. Writes the page after jzz's preparation (red ink
//! suppressed, upright, deskewed, rulings erased, small print enlarged) as a PNG and prints
//! the notes.
//!
//! Usage: `cargo run --release --example scan_preview -- IN.png OUT.png`

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
    p.gray.save(output)?;
    for n in notes {
        println!("{n}");
    }
    Ok(())
}
