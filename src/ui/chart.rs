//! A latency chart (p50/p95/p99 over simulated time) drawn with plotters on
//! a `<canvas>`. Colours follow the page's light or dark theme.

use leptos::html::Canvas;
use leptos::prelude::*;
use plotters::prelude::*;
use plotters_canvas::CanvasBackend;

/// One point of the latency chart.
#[derive(Clone, Copy, Debug, Default, PartialEq)]
pub struct LatencyPoint {
    pub t_s: f64,
    pub p50_ms: f64,
    pub p95_ms: f64,
    pub p99_ms: f64,
}

fn prefers_dark() -> bool {
    web_sys::window()
        .and_then(|w| w.match_media("(prefers-color-scheme: dark)").ok().flatten())
        .is_some_and(|m| m.matches())
}

fn draw(canvas: web_sys::HtmlCanvasElement, points: &[LatencyPoint]) -> Result<(), String> {
    let dark = prefers_dark();
    let (bg, fg, grid) = if dark {
        (RGBColor(0x16, 0x1b, 0x22), RGBColor(0xe6, 0xed, 0xf3), RGBColor(0x30, 0x36, 0x3d))
    } else {
        (RGBColor(0xff, 0xff, 0xff), RGBColor(0x1f, 0x23, 0x28), RGBColor(0xd8, 0xde, 0xe4))
    };
    let series = [
        ("p50", RGBColor(0x2f, 0x81, 0xf7), points.iter().map(|p| (p.t_s, p.p50_ms)).collect::<Vec<_>>()),
        ("p95", RGBColor(0xd2, 0x99, 0x22), points.iter().map(|p| (p.t_s, p.p95_ms)).collect()),
        ("p99", RGBColor(0xe5, 0x48, 0x4d), points.iter().map(|p| (p.t_s, p.p99_ms)).collect()),
    ];
    let backend = CanvasBackend::with_canvas_object(canvas).ok_or("no 2d context")?;
    let root = backend.into_drawing_area();
    root.fill(&bg).map_err(|e| e.to_string())?;
    let x0 = points.first().map_or(0.0, |p| p.t_s);
    let x1 = points.last().map_or(1.0, |p| p.t_s).max(x0 + 1.0);
    let y1 = points.iter().map(|p| p.p99_ms).fold(1.0, f64::max) * 1.1;
    let mut chart = ChartBuilder::on(&root)
        .margin(12)
        .x_label_area_size(36)
        .y_label_area_size(64)
        .build_cartesian_2d(x0..x1, 0.0..y1)
        .map_err(|e| e.to_string())?;
    chart
        .configure_mesh()
        .x_desc("simulated time (s)")
        .y_desc("latency (ms)")
        .axis_desc_style(("sans-serif", 13).into_font().color(&fg))
        .label_style(("sans-serif", 12).into_font().color(&fg))
        .axis_style(fg)
        .light_line_style(bg)
        .bold_line_style(grid)
        .x_labels(10)
        .y_labels(6)
        .draw()
        .map_err(|e| e.to_string())?;
    for (name, colour, data) in series {
        chart
            .draw_series(LineSeries::new(data, colour.stroke_width(2)))
            .map_err(|e| e.to_string())?
            .label(name)
            .legend(move |(x, y)| PathElement::new(vec![(x, y), (x + 16, y)], colour.stroke_width(2)));
    }
    chart
        .configure_series_labels()
        .position(SeriesLabelPosition::UpperLeft)
        .background_style(bg.mix(0.85))
        .border_style(grid)
        .label_font(("sans-serif", 12).into_font().color(&fg))
        .draw()
        .map_err(|e| e.to_string())?;
    root.present().map_err(|e| e.to_string())
}

/// Redraws whenever `points` changes.
#[component]
pub fn LatencyChart(#[prop(into)] points: Signal<Vec<LatencyPoint>>) -> impl IntoView {
    let canvas_ref = NodeRef::<Canvas>::new();
    Effect::new(move |_| {
        let data = points.get();
        if let Some(canvas) = canvas_ref.get()
            && let Err(e) = draw(canvas, &data)
        {
            leptos::logging::warn!("chart not drawn: {e}");
        }
    });
    view! {
        <canvas
            node_ref=canvas_ref
            class="chart"
            width="760"
            height="300"
            data-testid="latency-chart"
            aria-label="Latency percentiles p50, p95 and p99 over simulated time"
            role="img"
        ></canvas>
    }
}
