//! The report's charts as SVG, written by hand so that every language gets the same bytes: no
//! floating point printed beyond one decimal, no ids from a counter, no clock. Each chart has a
//! `<title>` and `<desc>` (read aloud by screen readers); the report puts a data table under
//! each one.

use std::fmt::Write;

/// Colours a reader with any common colour-vision deficiency tells apart (Okabe and Ito), the
/// last a neutral grey kept for "other".
pub(crate) const PALETTE: [&str; 8] = [
    "#0072B2", "#E69F00", "#009E73", "#CC79A7", "#56B4E9", "#D55E00", "#F0E442", "#8C8C8C",
];
/// The colour of "other".
pub(crate) const OTHER: &str = PALETTE[7];

/// Text made safe inside XML and HTML.
pub(crate) fn esc(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            c => out.push(c),
        }
    }
    out
}

/// A number with one decimal (deterministic in every language: Rust formats it).
fn n(x: f64) -> String {
    let r = (x * 10.0).round() / 10.0;
    if r == r.trunc() {
        format!("{}", r as i64)
    } else {
        format!("{r:.1}")
    }
}

/// A percentage with one decimal.
pub(crate) fn percent(part: f64, whole: f64) -> String {
    if whole <= 0.0 {
        return "0%".into();
    }
    format!("{}%", n(part * 100.0 / whole))
}

/// One slice, band or segment: its label, colour and value.
pub(crate) struct Part<'a> {
    pub label: &'a str,
    pub colour: &'a str,
    pub value: f64,
}

fn open(out: &mut String, width: u32, height: u32, title: &str, desc: &str) {
    let _ = write!(
        out,
        "<svg xmlns=\"http://www.w3.org/2000/svg\" viewBox=\"0 0 {width} {height}\" width=\"{width}\" height=\"{height}\" role=\"img\" aria-label=\"{}\"><title>{}</title><desc>{}</desc>",
        esc(title),
        esc(title),
        esc(desc)
    );
}

fn legend(out: &mut String, x: f64, y: f64, parts: &[Part<'_>], total: f64) {
    for (i, p) in parts.iter().enumerate() {
        let row = y + i as f64 * 24.0;
        let _ = write!(
            out,
            "<rect x=\"{}\" y=\"{}\" width=\"14\" height=\"14\" rx=\"2\" fill=\"{}\"/><text x=\"{}\" y=\"{}\" font-size=\"13\">{} <tspan fill=\"#444\">{}</tspan></text>",
            n(x),
            n(row),
            p.colour,
            n(x + 22.0),
            n(row + 12.0),
            esc(p.label),
            percent(p.value, total)
        );
    }
}

/// A donut of `parts` (largest first), with a legend of labels and percentages beside it.
pub(crate) fn donut(title: &str, parts: &[Part<'_>]) -> String {
    let total: f64 = parts.iter().map(|p| p.value).sum();
    let height = (40.0 + parts.len() as f64 * 24.0).max(260.0) as u32;
    let mut out = String::new();
    let desc = parts
        .iter()
        .map(|p| format!("{} {}", p.label, percent(p.value, total)))
        .collect::<Vec<_>>()
        .join("; ");
    open(&mut out, 760, height, title, &desc);
    let (cx, cy, r, inner) = (130.0, 130.0, 110.0, 62.0);
    if total > 0.0 {
        let mut angle = -std::f64::consts::FRAC_PI_2;
        for p in parts.iter().filter(|p| p.value > 0.0) {
            let sweep = p.value / total * std::f64::consts::TAU;
            if sweep >= std::f64::consts::TAU - 1e-9 {
                let _ = write!(
                    out,
                    "<circle cx=\"{}\" cy=\"{}\" r=\"{}\" fill=\"{}\"/>",
                    n(cx),
                    n(cy),
                    n(r),
                    p.colour
                );
            } else {
                let (a0, a1) = (angle, angle + sweep);
                let large = u8::from(sweep > std::f64::consts::PI);
                let _ = write!(
                    out,
                    "<path d=\"M{} {} A{} {} 0 {large} 1 {} {} L{} {} Z\" fill=\"{}\" stroke=\"#fff\" stroke-width=\"1.5\"/>",
                    n(cx + r * a0.cos()),
                    n(cy + r * a0.sin()),
                    n(r),
                    n(r),
                    n(cx + r * a1.cos()),
                    n(cy + r * a1.sin()),
                    n(cx),
                    n(cy),
                    p.colour
                );
            }
            angle += sweep;
        }
        let _ = write!(
            out,
            "<circle cx=\"{}\" cy=\"{}\" r=\"{}\" fill=\"#fff\"/>",
            n(cx),
            n(cy),
            n(inner)
        );
    }
    legend(&mut out, 280.0, 24.0, parts, total);
    out.push_str("</svg>");
    out
}

/// A 100% stacked area: for each day (x), each band's part of that day's total (y), bands in
/// the order given (the first at the bottom), with the first, middle and last days named.
pub(crate) fn stacked_area(title: &str, days: &[String], bands: &[(Part<'_>, Vec<f64>)]) -> String {
    let (left, top, width, height): (f64, f64, f64, f64) = (48.0, 16.0, 680.0, 220.0);
    // The legend goes under the plot: set labels are long.
    let legend_top = top + height + 32.0;
    let svg_height = (legend_top + bands.len() as f64 * 24.0 + 8.0) as u32;
    let mut out = String::new();
    let desc = format!(
        "{} bands over {} days, from {} to {}",
        bands.len(),
        days.len(),
        days.first().map(String::as_str).unwrap_or(""),
        days.last().map(String::as_str).unwrap_or("")
    );
    open(&mut out, 760, svg_height, title, &desc);
    let totals: Vec<f64> = (0..days.len())
        .map(|d| {
            bands
                .iter()
                .map(|(_, v)| v.get(d).copied().unwrap_or(0.0))
                .sum()
        })
        .collect();
    let x = |d: usize| {
        if days.len() <= 1 {
            left + width / 2.0
        } else {
            left + width * d as f64 / (days.len() - 1) as f64
        }
    };
    let y = |f: f64| top + height * (1.0 - f);
    let mut below = vec![0.0f64; days.len()];
    for (part, values) in bands {
        let above: Vec<f64> = (0..days.len())
            .map(|d| {
                let v = values.get(d).copied().unwrap_or(0.0);
                below[d] + if totals[d] > 0.0 { v / totals[d] } else { 0.0 }
            })
            .collect();
        let mut d_attr = String::new();
        for (i, f) in above.iter().enumerate() {
            let _ = write!(
                d_attr,
                "{}{} {} ",
                if i == 0 { "M" } else { "L" },
                n(x(i)),
                n(y(*f))
            );
        }
        for i in (0..days.len()).rev() {
            let _ = write!(d_attr, "L{} {} ", n(x(i)), n(y(below[i])));
        }
        let _ = write!(out, "<path d=\"{}Z\" fill=\"{}\"/>", d_attr, part.colour);
        below = above;
    }
    for tick in [0.0, 0.25, 0.5, 0.75, 1.0] {
        let _ = write!(
            out,
            "<line x1=\"{}\" x2=\"{}\" y1=\"{}\" y2=\"{}\" stroke=\"#fff\" stroke-opacity=\"0.6\"/><text x=\"{}\" y=\"{}\" font-size=\"11\" text-anchor=\"end\">{}%</text>",
            n(left),
            n(left + width),
            n(y(tick)),
            n(y(tick)),
            n(left - 6.0),
            n(y(tick) + 4.0),
            n(tick * 100.0)
        );
    }
    let marks: Vec<usize> = match days.len() {
        0 => vec![],
        1 => vec![0],
        len => vec![0, (len - 1) / 2, len - 1],
    };
    for (k, &d) in marks.iter().enumerate() {
        let anchor = match (k, marks.len()) {
            (0, l) if l > 1 => "start",
            (k, l) if k + 1 == l && l > 1 => "end",
            _ => "middle",
        };
        let _ = write!(
            out,
            "<text x=\"{}\" y=\"{}\" font-size=\"11\" text-anchor=\"{anchor}\">{}</text>",
            n(x(d)),
            n(top + height + 16.0),
            esc(&days[d])
        );
    }
    // The legend names each band with its part on the last day.
    let last: Vec<Part<'_>> = bands
        .iter()
        .map(|(p, v)| Part {
            label: p.label,
            colour: p.colour,
            value: v.last().copied().unwrap_or(0.0),
        })
        .collect();
    legend(
        &mut out,
        left,
        legend_top,
        &last,
        totals.last().copied().unwrap_or(0.0),
    );
    out.push_str("</svg>");
    out
}

/// Horizontal bars, one per row, each cut into segments (the same kinds in every row), with a
/// legend of the kinds.
pub(crate) fn stacked_bars(
    title: &str,
    rows: &[(String, Vec<f64>)],
    kinds: &[(&str, &str)],
) -> String {
    let (left, top, width, bar) = (150.0, 16.0, 420.0, 22.0);
    let height = top + rows.len() as f64 * (bar + 14.0) + 40.0;
    let mut out = String::new();
    let desc = format!(
        "{} rows of {}",
        rows.len(),
        kinds.iter().map(|k| k.0).collect::<Vec<_>>().join(", ")
    );
    open(&mut out, 760, height.max(60.0) as u32, title, &desc);
    let most = rows
        .iter()
        .map(|(_, v)| v.iter().sum::<f64>())
        .fold(0.0f64, f64::max);
    for (r, (label, values)) in rows.iter().enumerate() {
        let y = top + r as f64 * (bar + 14.0);
        let _ = write!(
            out,
            "<text x=\"{}\" y=\"{}\" font-size=\"13\" text-anchor=\"end\">{}</text>",
            n(left - 8.0),
            n(y + 16.0),
            esc(label)
        );
        let mut x = left;
        for (k, v) in values.iter().enumerate() {
            let w = if most > 0.0 { width * v / most } else { 0.0 };
            if w > 0.0 {
                let _ = write!(
                    out,
                    "<rect x=\"{}\" y=\"{}\" width=\"{}\" height=\"{}\" fill=\"{}\"/>",
                    n(x),
                    n(y),
                    n(w),
                    n(bar),
                    kinds.get(k).map_or(OTHER, |k| k.1)
                );
            }
            x += w;
        }
    }
    let y = top + rows.len() as f64 * (bar + 14.0) + 6.0;
    let mut x = left;
    for (kind, colour) in kinds {
        let _ = write!(
            out,
            "<rect x=\"{}\" y=\"{}\" width=\"12\" height=\"12\" fill=\"{colour}\"/><text x=\"{}\" y=\"{}\" font-size=\"12\">{}</text>",
            n(x),
            n(y),
            n(x + 16.0),
            n(y + 10.0),
            esc(kind)
        );
        x += 24.0 + 7.0 * kind.len() as f64;
    }
    out.push_str("</svg>");
    out
}
