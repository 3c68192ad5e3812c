//! Developer tool: shows a photographed card as OCR will see it. Finds the card
//! (`jzz::read::card`), straightens it, evens its light and writes the grayscale card as a PNG,
//! printing what was found; an image without a card says so.
//!
//! Usage: `cargo run --release --example card_preview -- IN.jpg OUT.png`

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let args: Vec<String> = std::env::args().collect();
    let (Some(input), Some(output)) = (args.get(1), args.get(2)) else {
        return Err("usage: card_preview IN OUT.png".into());
    };
    // Decoded as jzz decodes it (`image`'s own JPEG decoder differs on some files).
    let img =
        jzz::read::image::decode(&std::fs::read(input)?, &jzz::read::Limits::default())?.pixels;
    let Some(card) = jzz::read::card::find(&img) else {
        println!("no card found in {input}");
        return Ok(());
    };
    println!("{}", card.note());
    let flat = jzz::read::card::straighten(&img, &card);
    let (gray, notes) = jzz::read::scan::to_gray(&image::DynamicImage::ImageRgb8(flat), true);
    let gray = jzz::read::card::flatten_light(&gray);
    gray.save(output)?;
    for n in notes {
        println!("{n}");
    }
    Ok(())
}
