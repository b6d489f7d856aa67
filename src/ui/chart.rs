//! Line charts drawn with plotters on a `<canvas>`: axes with units, a
//! legend, optional dashed lines (theory) and vertical markers (the fault
//! timeline). Colours follow the page's light or dark theme.

use plotters::prelude::*;
use plotters::style::text_anchor::{HPos, Pos, VPos};
use plotters_canvas::CanvasBackend;

use crate::format::{decimals, marker_groups, nice_top};

/// One line of a chart.
#[derive(Clone, Debug, PartialEq)]
pub struct Line {
    pub name: String,
    pub colour: RGBColor,
    pub points: Vec<(f64, f64)>,
    /// Dashed: a theoretical value rather than a measurement.
    pub dashed: bool,
}

#[derive(Clone, Debug, Default, PartialEq)]
pub struct ChartData {
    pub y_desc: &'static str,
    pub lines: Vec<Line>,
    /// (simulated second, label): the timeline's entries.
    pub markers: Vec<(f64, String)>,
    /// Shown x range, simulated seconds.
    pub x_range: (f64, f64),
    /// Fixed top of the y axis (e.g. 100 for percentages), else from the data.
    pub y_max: Option<f64>,
}

/// A palette that reads on light and dark backgrounds.
pub const PALETTE: [RGBColor; 10] = [
    RGBColor(0x2f, 0x81, 0xf7),
    RGBColor(0xd2, 0x99, 0x22),
    RGBColor(0xe5, 0x48, 0x4d),
    RGBColor(0x2d, 0xa4, 0x4e),
    RGBColor(0xa3, 0x71, 0xf7),
    RGBColor(0x1f, 0xb5, 0xb5),
    RGBColor(0xe0, 0x6c, 0x9f),
    RGBColor(0x8a, 0x6d, 0x3b),
    RGBColor(0x6e, 0x77, 0x81),
    RGBColor(0xf0, 0x88, 0x3e),
];

pub fn prefers_dark() -> bool {
    web_sys::window()
        .and_then(|w| w.match_media("(prefers-color-scheme: dark)").ok().flatten())
        .is_some_and(|m| m.matches())
}

/// Draws at the canvas's displayed size × device pixel ratio, so text stays
/// crisp and readable at any width.
pub fn draw(canvas: web_sys::HtmlCanvasElement, data: &ChartData) -> Result<(), String> {
    let ratio = super::canvas::pixel_ratio();
    let css_w = f64::from(canvas.client_width()).max(200.0);
    super::canvas::fit(&canvas, css_w, css_w * 300.0 / 560.0, ratio);
    let px = |x: f64| (x * ratio).round() as i32;
    // The family as plotters names it, not as a string: `FontFamily::from`
    // of a string lowercases it, which brought std's Unicode case tables
    // into the download (measured with the change).
    let font = |size: f64| (plotters::style::FontFamily::SansSerif, size * ratio);
    let (bg, fg, grid, muted) = if prefers_dark() {
        (RGBColor(0x16, 0x1b, 0x22), RGBColor(0xe6, 0xed, 0xf3), RGBColor(0x30, 0x36, 0x3d), RGBColor(0x91, 0x98, 0xa1))
    } else {
        (RGBColor(0xff, 0xff, 0xff), RGBColor(0x1f, 0x23, 0x28), RGBColor(0xe1, 0xe6, 0xeb), RGBColor(0x59, 0x63, 0x6e))
    };
    let err = |e: &dyn std::fmt::Display| e.to_string();
    let backend = CanvasBackend::with_canvas_object(canvas).ok_or("no 2d context")?;
    let root = backend.into_drawing_area();
    root.fill(&bg).map_err(|e| err(&e))?;
    let (x0, x1) = (data.x_range.0, data.x_range.1.max(data.x_range.0 + 1.0));
    let data_max = data.lines.iter().flat_map(|l| l.points.iter().map(|p| p.1)).fold(0.0, f64::max);
    let y1 = data.y_max.unwrap_or_else(|| nice_top(data_max));
    let mut chart = ChartBuilder::on(&root)
        .margin(px(8.0))
        .margin_right(px(14.0))
        .x_label_area_size(px(32.0))
        .y_label_area_size(px(50.0))
        .build_cartesian_2d(x0..x1, 0.0..y1)
        .map_err(|e| err(&e))?;
    let (x_dp, y_dp) = (decimals(x1 - x0, 6), decimals(y1, 5));
    chart
        .configure_mesh()
        .x_desc("simulated time (s)")
        .y_desc(data.y_desc)
        .x_labels(6)
        .y_labels(5)
        .x_label_formatter(&|v| format!("{v:.x_dp$}"))
        .y_label_formatter(&|v| format!("{v:.y_dp$}"))
        .axis_desc_style(font(12.0).into_font().color(&fg))
        .label_style(font(11.0).into_font().color(&fg))
        .axis_style(muted)
        .light_line_style(bg)
        .bold_line_style(grid)
        .draw()
        .map_err(|e| err(&e))?;
    // Markers under the lines; their labels, one per group of nearby
    // markers, along the top of the plot, each cut short before the next.
    let shown: Vec<(f64, String)> = data.markers.iter().filter(|(t, _)| *t >= x0 && *t <= x1).cloned().collect();
    for (t, _) in &shown {
        chart
            .draw_series(DashedLineSeries::new(vec![(*t, 0.0), (*t, y1)], 4, 4, muted.stroke_width(1)))
            .map_err(|e| err(&e))?;
    }
    let to_css_px = |t: f64| f64::from(chart.backend_coord(&(t, y1)).0) / ratio;
    let groups = marker_groups(&shown, to_css_px);
    let right_edge = f64::from(chart.plotting_area().get_pixel_range().0.end) / ratio;
    for (k, g) in groups.iter().enumerate() {
        let room = groups.get(k + 1).map_or(right_edge, |next| next.x_px) - g.x_px - 4.0;
        // About 6 CSS px a character at 10 px.
        let fits = ((room / 6.0).floor() as usize).max(1);
        let text: String = if g.label.chars().count() > fits {
            g.label.chars().take(fits.saturating_sub(1)).chain(['…']).collect()
        } else {
            g.label.clone()
        };
        let style = font(10.0).into_font().color(&muted).pos(Pos::new(HPos::Left, VPos::Top));
        chart.draw_series(std::iter::once(Text::new(text, (g.t, y1), style))).map_err(|e| err(&e))?;
    }
    // The legend is the page's, beside the chart (`charts.rs`): nothing is
    // drawn over the data.
    for line in &data.lines {
        let style = line.colour.stroke_width(px(2.0) as u32);
        if line.dashed {
            chart.draw_series(DashedLineSeries::new(line.points.clone(), 7, 5, style)).map_err(|e| err(&e))?;
        } else {
            chart.draw_series(LineSeries::new(line.points.clone(), style)).map_err(|e| err(&e))?;
        }
    }
    root.present().map_err(|e| err(&e))
}
