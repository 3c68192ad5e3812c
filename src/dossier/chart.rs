//! The month strip of `dossier.html`: one inline SVG, one column per month, oldest left.
//!
//! Each column has a bar of the month's taxable income (blue, red under the line, grey and
//! short when unknown), the monthly line (上年度本市职工月平均工资 × 1.2) drawn as a step
//! across the columns, and below the plot one cell for the month's social insurance (paid,
//! 补缴, missing, unknown). Months of the check window sit on a tinted ground; months outside
//! it are faded. Every mark carries a `<title>` with its figures, so hovering a bar says what
//! it stands for; the printed page says the same through the monthly table.
//!
//! Built with maud like the rest of the page (see `html.rs` for why): a payer's name in a
//! tooltip is escaped like any other value. SVG elements are always written with a closing tag
//! (`{}`), never as maud's void `;`, because inside `<svg>` an HTML parser does not know
//! `<rect>` as void and would nest every following mark in it.

use std::fmt;

use maud::{Markup, html};

use crate::checks::yuan_whole;
use crate::dossier::MonthRow;
use crate::model::Fen;

/// Colour of an income bar at or above the line.
const INCOME: &str = "#3d6fd6";
/// Colour of an income bar under the line (and of a missing SI month).
const UNDER: &str = "#d92d20";
/// Colour of the stub drawn for a month of unknown income.
const UNKNOWN: &str = "#b8c0cc";
/// Ground of the check window.
const WINDOW: &str = "#edf2fd";
/// The monthly line.
const LINE: &str = "#101828";

/// Width of the drawing (user units; the SVG scales to the page).
const W: f64 = 900.0;
/// Room for the y-axis labels.
const LEFT: f64 = 58.0;
const RIGHT: f64 = 6.0;
/// Height of the bar plot.
const PLOT_H: f64 = 170.0;
/// Height of a social-insurance cell.
const SI_H: f64 = 13.0;

/// Social-insurance month status: (CSS class, Chinese label). The classes colour the strip's
/// cells and the dots of the monthly table alike.
pub(super) fn si_class(s: Option<&str>) -> (&'static str, &'static str) {
    match s {
        Some("paid") => ("si-paid", "已缴"),
        Some("supplementary") => ("si-supp", "补缴"),
        Some("missing") => ("si-miss", "未缴"),
        _ => ("si-unk", "未知"),
    }
}

/// A coordinate written with one decimal.
struct F1(f64);

impl fmt::Display for F1 {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{:.1}", self.0)
    }
}

/// How crowded the columns are, which decides the month labels.
#[derive(Clone, Copy, PartialEq)]
enum Crowd {
    /// Up to 14 months: horizontal `2020-03` and the amount over each bar.
    Roomy,
    /// Up to 36 months: slanted `2020-03`.
    Slanted,
    /// More: vertical `20-03`.
    Vertical,
}

/// Where things go for a given number of months.
struct Geometry {
    crowd: Crowd,
    /// Width of one month's column.
    col: f64,
    /// Top of the plot.
    top: f64,
    /// The zero line of the bars.
    base: f64,
    /// Top of the social-insurance cells.
    si_y: f64,
    /// Top of the month labels.
    lab_y: f64,
    /// Height of the whole drawing.
    h: f64,
    /// The largest income or line (fen, at least 1): the top of the plot.
    max: f64,
}

impl Geometry {
    fn new(ms: &[&MonthRow]) -> Self {
        let n = ms.len();
        let crowd = if n <= 14 {
            Crowd::Roomy
        } else if n <= 36 {
            Crowd::Slanted
        } else {
            Crowd::Vertical
        };
        let top = if crowd == Crowd::Roomy { 24.0 } else { 14.0 };
        let base = top + PLOT_H;
        let si_y = base + 5.0;
        let lab_y = si_y + SI_H + 4.0;
        let label_h = match crowd {
            Crowd::Roomy => 16.0,
            Crowd::Slanted => 44.0,
            Crowd::Vertical => 34.0,
        };
        let max = ms
            .iter()
            .flat_map(|m| [m.income_fen, m.threshold_fen])
            .flatten()
            .map(Fen::fen)
            .max()
            .unwrap_or(0)
            .max(1) as f64;
        Geometry {
            crowd,
            col: (W - LEFT - RIGHT) / n as f64,
            top,
            base,
            si_y,
            lab_y,
            h: lab_y + label_h + 2.0,
            max,
        }
    }

    /// The y of an amount in fen (negative amounts sit on the base).
    fn y_of(&self, fen: i64) -> f64 {
        self.base - (fen.max(0) as f64 / self.max * PLOT_H)
    }

    /// Left edge of column `i`.
    fn x0(&self, i: usize) -> f64 {
        LEFT + i as f64 * self.col
    }
}

/// A round step (1, 2 or 5 × 10ⁿ yuan) giving about four grid lines up to `max_yuan`.
fn nice_step(max_yuan: f64) -> i64 {
    let raw = max_yuan / 4.0;
    if raw.is_nan() || raw <= 1.0 {
        return 1;
    }
    let p = 10f64.powf(raw.log10().floor());
    let f = raw / p;
    let m = if f <= 1.0 {
        1.0
    } else if f <= 2.0 {
        2.0
    } else if f <= 5.0 {
        5.0
    } else {
        10.0
    };
    (m * p).round().max(1.0) as i64
}

/// Whether the month's income is known and under its line.
pub(super) fn under_line(m: &MonthRow) -> bool {
    matches!((m.income_fen, m.threshold_fen), (Some(i), Some(t)) if i < t)
}

/// The strip for months in display order (at least one).
pub(super) fn strip(ms: &[&MonthRow]) -> Markup {
    let g = Geometry::new(ms);
    html! {
        svg.strip viewBox=(format!("0 0 {W} {:.0}", g.h)) width="100%" role="img"
            aria-label="月度收入与社保图" font-size="11" {
            (window_ground(ms, &g))
            (axis(&g))
            (year_boundaries(ms, &g))
            @for i in 0..ms.len() {
                (column(ms, i, &g))
            }
            (line_values(ms, &g))
            line x1=(LEFT) x2=(F1(W - RIGHT)) y1=(F1(g.base)) y2=(F1(g.base)) stroke="#667085"
                stroke-width="1" {}
        }
    }
}

/// The tinted ground: one rectangle per run of consecutive in-window months.
fn window_ground(ms: &[&MonthRow], g: &Geometry) -> Markup {
    let mut runs = Vec::new();
    let mut i = 0;
    while i < ms.len() {
        if ms[i].in_window {
            let start = i;
            while i < ms.len() && ms[i].in_window {
                i += 1;
            }
            runs.push((start, i));
        } else {
            i += 1;
        }
    }
    let y = g.top - 6.0;
    html! {
        @for (start, end) in runs {
            rect x=(F1(g.x0(start))) y=(F1(y)) width=(F1((end - start) as f64 * g.col))
                height=(F1(g.si_y + SI_H + 3.0 - y)) fill=(WINDOW) {}
        }
    }
}

/// Grid lines with their amounts in yuan, and the labels of the axis and the SI row.
fn axis(g: &Geometry) -> Markup {
    let step = nice_step(g.max / 100.0);
    let ks = (1..50i64).take_while(|k| (k * step * 100) as f64 <= g.max);
    html! {
        @for k in ks {
            @let y = g.y_of(k * step * 100);
            line x1=(LEFT) x2=(F1(W - RIGHT)) y1=(F1(y)) y2=(F1(y)) stroke="#dfe3ea" stroke-width="1" {}
            text x=(F1(LEFT - 5.0)) y=(F1(y + 3.5)) text-anchor="end" fill="#667085" font-size="11" {
                (yuan_whole(Fen::from_yuan(k * step)))
            }
        }
        text x=(F1(LEFT - 5.0)) y=(F1(g.base + 3.5)) text-anchor="end" fill="#667085" font-size="11" { "0" }
        text x=(F1(LEFT - 5.0)) y=(F1(g.top - 8.0)) text-anchor="end" fill="#667085" font-size="11" { "元" }
        text x=(F1(LEFT - 5.0)) y=(F1(g.si_y + SI_H - 3.0)) text-anchor="end" fill="#344054"
            font-size="11.5" { "社保" }
    }
}

/// A dashed line before every January but the first column.
fn year_boundaries(ms: &[&MonthRow], g: &Geometry) -> Markup {
    html! {
        @for (i, _) in ms.iter().enumerate().skip(1).filter(|(_, m)| m.period.is_some_and(|p| p.month() == 1)) {
            line x1=(F1(g.x0(i))) x2=(F1(g.x0(i))) y1=(F1(g.top - 6.0)) y2=(F1(g.si_y + SI_H))
                stroke="#98a2b3" stroke-width="1" stroke-dasharray="2 3" {}
        }
    }
}

/// One month: its bar, its piece of the line, its amount, its SI cell and its label.
fn column(ms: &[&MonthRow], i: usize, g: &Geometry) -> Markup {
    let m = ms[i];
    let x0 = g.x0(i);
    let cx = x0 + g.col / 2.0;
    let bw = (g.col * 0.62).clamp(2.0, 40.0);
    let period = m
        .period
        .map(|p| p.to_string())
        .unwrap_or_else(|| "月份未知".to_string());
    let under = under_line(m);
    let income_txt = match m.income_fen {
        Some(f) => format!("收入 {f} 元"),
        None => "收入未知".to_string(),
    };
    let thr_txt = match m.threshold_fen {
        Some(t) if under => format!("，标准 {t} 元，差 {} 元", t - m.income_fen.unwrap_or(t)),
        Some(t) => format!("，标准 {t} 元"),
        None => "，标准未知".to_string(),
    };
    let (fill, y, bh) = match m.income_fen {
        Some(f) => {
            let bh = (g.base - g.y_of(f.fen())).max(2.0);
            (if under { UNDER } else { INCOME }, g.base - bh, bh)
        }
        None => (UNKNOWN, g.base - 6.0, 6.0),
    };
    // A step in the line where the previous month's differs.
    let prev_line = i
        .checked_sub(1)
        .and_then(|j| ms[j].threshold_fen)
        .filter(|p| Some(*p) != m.threshold_fen);
    let (si_cls, si_zh) = si_class(m.si_status.as_deref());
    let roomy = g.crowd == Crowd::Roomy;
    html! {
        g opacity=[(!m.in_window).then_some("0.4")] {
            rect x=(F1(cx - bw / 2.0)) y=(F1(y)) width=(F1(bw)) height=(F1(bh)) fill=(fill) rx="1.5" {
                title { (period) " " (income_txt) (thr_txt) }
            }
            @if m.income_fen.is_none() {
                text x=(F1(cx)) y=(F1(g.base - 9.0)) text-anchor="middle" fill="#667085" font-size="10" { "?" }
            }
            // The line: a segment across the whole column, so consecutive months draw a step.
            @if let Some(t) = m.threshold_fen {
                @let ty = g.y_of(t.fen());
                line x1=(F1(x0)) x2=(F1(x0 + g.col)) y1=(F1(ty)) y2=(F1(ty)) stroke=(LINE) stroke-width="1.8" {
                    title { (period) " 月收入标准 " (t) " 元" }
                }
                @if let Some(p) = prev_line {
                    line x1=(F1(x0)) x2=(F1(x0)) y1=(F1(g.y_of(p.fen()))) y2=(F1(ty)) stroke=(LINE)
                        stroke-width="1.8" {}
                }
            }
            // The amount over the bar when there is room.
            @if let (true, Some(f)) = (roomy, m.income_fen) {
                text x=(F1(cx)) y=(F1((y - 4.0).min(g.base - 4.0))) text-anchor="middle"
                    fill=(if under { "#b42318" } else { "#344054" })
                    font-weight=(if under { "700" } else { "400" }) font-size="10.5" {
                    (yuan_whole(f))
                }
            }
            rect class=(si_cls) x=(F1(x0 + 1.0)) y=(F1(g.si_y)) width=(F1((g.col - 2.0).max(1.0)))
                height=(SI_H) rx="2" {
                title {
                    (period) " 社保" (si_zh)
                    @if let Some(p) = &m.si_payer { "，缴费单位 " (p) }
                }
            }
            @if roomy && m.si_status.as_deref() == Some("supplementary") {
                text x=(F1(cx)) y=(F1(g.si_y + SI_H - 3.0)) text-anchor="middle" fill="#fff" font-size="9"
                    font-weight="700" { "补缴" }
            }
            (month_label(m, cx, under, g))
        }
    }
}

/// The month under its column, as crowded as the strip allows.
fn month_label(m: &MonthRow, cx: f64, under: bool, g: &Geometry) -> Markup {
    let label = match (g.crowd, m.period) {
        (Crowd::Vertical, Some(p)) => format!("{:02}-{:02}", p.year().rem_euclid(100), p.month()),
        (_, Some(p)) => p.to_string(),
        (_, None) => "?".to_string(),
    };
    let fill = if under { "#b42318" } else { "#344054" };
    match g.crowd {
        Crowd::Roomy => html! {
            text x=(F1(cx)) y=(F1(g.lab_y + 11.0)) text-anchor="middle" fill=(fill) font-size="11.5" { (label) }
        },
        Crowd::Slanted => html! {
            text transform=(format!("translate({:.1},{:.1}) rotate(-45)", cx + 3.0, g.lab_y + 4.0))
                text-anchor="end" fill=(fill) font-size="10" { (label) }
        },
        Crowd::Vertical => html! {
            text transform=(format!("translate({:.1},{:.1}) rotate(-90)", cx + 3.5, g.lab_y + 1.0))
                text-anchor="end" fill=(fill) font-size="9.5" { (label) }
        },
    }
}

/// The value of the line at the start of each run of equal lines, drawn over the bars.
fn line_values(ms: &[&MonthRow], g: &Geometry) -> Markup {
    html! {
        @for (i, m) in ms.iter().enumerate() {
            @if let Some(t) = m.threshold_fen.filter(|t| i == 0 || ms[i - 1].threshold_fen != Some(*t)) {
                text x=(F1(g.x0(i) + 2.0)) y=(F1(g.y_of(t.fen()) - 4.0)) fill=(LINE) font-size="10.5"
                    font-weight="700" stroke="#fff" stroke-width="3" paint-order="stroke" {
                    "标准 " (yuan_whole(t))
                }
            }
        }
    }
}

/// The key under the strip: what each colour means; `multiplier` is the policy's (`1.2`).
pub(super) fn legend(multiplier: &str) -> Markup {
    let swatch = |colour: &str| html! { i.sw style={ "background:" (colour) } {} };
    html! {
        div.legend {
            span.lg { "收入：" }
            span { (swatch(INCOME)) "月应税收入" }
            span { (swatch(UNDER)) "低于月收入标准" }
            span { (swatch(UNKNOWN)) "收入未知" }
            span { i.ln {} "月收入标准（上年度本市职工月平均工资 × " (multiplier) "）" }
        }
        div.legend {
            span.lg { "社保：" }
            span { (swatch("#12b76a")) "已缴" }
            span { (swatch("#f79009")) "补缴" }
            span { (swatch(UNDER)) "未缴" }
            span { (swatch("#d0d5dd")) "未知" }
            span.lg style="margin-left:16px" { "底色：" }
            span { i.sw.win {} "核验期（期外月份淡化）" }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn nice_steps() {
        assert_eq!(nice_step(25_000.0), 10_000);
        assert_eq!(nice_step(11_288.0), 5_000);
        assert_eq!(nice_step(0.01), 1);
        assert_eq!(nice_step(f64::NAN), 1);
    }

    #[test]
    fn svg_marks_are_closed() {
        let m = MonthRow {
            period: Some(crate::model::YearMonth::new(2024, 1).unwrap()),
            income_fen: Some(Fen::from_yuan(9_000)),
            threshold_fen: Some(Fen::from_yuan(10_616)),
            si_payer: Some("<b>&".into()),
            in_window: true,
            ..MonthRow::default()
        };
        let svg = strip(&[&m]).into_string();
        assert_eq!(svg.matches("<rect").count(), svg.matches("</rect>").count());
        assert_eq!(svg.matches("<line").count(), svg.matches("</line>").count());
        assert!(svg.contains("缴费单位 &lt;b&gt;&amp;</title>"));
        assert!(svg.contains(&format!("fill=\"{UNDER}\"")));
    }
}
