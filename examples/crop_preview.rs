//! Developer tool: the reviewer's crop of a value, as `jzz serve` shows it. Reads FILE (a PDF,
//! an image), finds the line holding VALUE (after LABEL, when given) as a record's field is
//! found, and writes the crop with its box as OUT.png.
//!
//! Usage: `cargo run --release --example crop_preview -- FILE VALUE OUT.png [LABEL]`

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let args: Vec<String> = std::env::args().collect();
    let (Some(file), Some(value), Some(out)) = (args.get(1), args.get(2), args.get(3)) else {
        return Err("usage: crop_preview FILE VALUE OUT.png [LABEL]".into());
    };
    let label = args.get(4).map_or("", String::as_str);
    let bytes = std::fs::read(file)?;
    let limits = jzz::read::Limits::default();
    let rules = jzz::classify::Rules::builtin()?;
    let i = jzz::jobs::inspect::inspect_bytes(&bytes, file, &limits, &rules);
    if let Some(e) = &i.error {
        return Err(e.clone().into());
    }
    let region = jzz::read::layout::find_value(&i.lines, label, value)
        .ok_or("the value is on no line read")?;
    let read_by = i.read_by().unwrap_or(jzz::read::text::ReadBy::TextLayer);
    let c = jzz::jobs::crop::crop(&bytes, &region, read_by, &limits)?;
    std::fs::write(out, &c.png)?;
    println!(
        "{region:?}\n{} × {} px, box {:?}, {}",
        c.width, c.height, c.boxed, c.how
    );
    Ok(())
}
