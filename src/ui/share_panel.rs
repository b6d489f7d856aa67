//! Sharing: "Copy link" (the whole state in the URL fragment), "Embed" (an
//! `<iframe>` snippet), and exports: metrics as CSV and JSON, the topology
//! as SVG.

use leptos::prelude::*;
use wasm_bindgen::JsCast;

use super::state::Lab;
use super::url;
use crate::sim::Simulation;

/// The time series as CSV: one row per window. Times and latencies to the
/// microsecond (a histogram's figures carry no more), not 15 digits.
pub fn metrics_csv(sim: &Simulation) -> String {
    let mut out =
        String::from("t_start_s,width_s,sent,completed,dropped,timed_out,failed,p50_ms,p95_ms,p99_ms,max_ms,mean_ms\n");
    let short = |x: f64| crate::format::trimmed(x, 3);
    for w in sim.series().iter() {
        let l = w.latency_ms;
        out.push_str(&format!(
            "{},{},{},{},{},{},{},{},{},{},{},{}\n",
            short(w.start_s),
            short(w.width_s),
            w.sent,
            w.completed,
            w.dropped,
            w.timed_out,
            w.failed,
            short(l.p50),
            short(l.p95),
            short(l.p99),
            short(l.max),
            short(l.mean)
        ));
    }
    out
}

/// Summary, time series and scenario as one JSON document.
pub fn metrics_json(sim: &Simulation) -> String {
    #[derive(serde::Serialize)]
    struct Export<'a> {
        scenario: &'a crate::sim::validate::ScenarioSpec,
        summary: crate::sim::Summary,
        series: &'a crate::sim::series::Series<crate::sim::metrics::WindowStats>,
    }
    let doc = Export { scenario: &sim.scenario().spec, summary: sim.summary(), series: sim.series() };
    serde_json::to_string(&doc).expect("metrics serialize")
}

/// Colours the topology's stylesheet gives, written into an exported SVG
/// so it stands alone.
const SVG_STYLE: &str = ".link{stroke:#d1d9e0;stroke-width:2}.node .shape{stroke:#fff;stroke-width:2}\
.node.source .shape{fill:#0969da}.node.router .shape{fill:#8250df}\
.node .glyph{fill:#fff;font:700 13px sans-serif;text-anchor:middle}.node .load{fill:#fff;font:11px sans-serif;text-anchor:end}\
.node .label{fill:#1f2328;font:12px sans-serif;paint-order:stroke;stroke:#fff;stroke-width:3px;stroke-linejoin:round}\
.node .label.inside{fill:#fff;font-weight:600;stroke:none}\
.node .queue-bar{fill:#d29922}.node .cross{stroke:#cf222e;stroke-width:4;visibility:hidden}.node.down .cross{visibility:visible}\
.node.down .shape{fill:#8c959f;stroke:#cf222e;stroke-dasharray:5 3}.node.absent{display:none}";

/// The topology as a standalone SVG document: its links, then its nodes.
pub fn topology_svg() -> Option<String> {
    let doc = web_sys::window()?.document()?;
    let links = doc.query_selector("[data-testid=topology] svg.links").ok()??;
    let nodes = doc.query_selector("[data-testid=topology] svg.nodes").ok()??;
    let view_box = nodes.get_attribute("viewBox").unwrap_or_default();
    Some(format!(
        "<svg xmlns=\"http://www.w3.org/2000/svg\" viewBox=\"{view_box}\"><style>{SVG_STYLE}</style><rect width=\"100%\" height=\"100%\" fill=\"#fff\"/>{}{}</svg>",
        links.inner_html(),
        nodes.inner_html()
    ))
}

/// Offers `content` as a file download.
pub fn download(name: &str, mime: &str, content: &str) -> Result<(), String> {
    let parts = js_sys::Array::of1(&wasm_bindgen::JsValue::from_str(content));
    let opts = web_sys::BlobPropertyBag::new();
    opts.set_type(mime);
    let blob = web_sys::Blob::new_with_str_sequence_and_options(&parts, &opts).map_err(|_| "cannot make a file")?;
    let href = web_sys::Url::create_object_url_with_blob(&blob).map_err(|_| "cannot make a download link")?;
    let doc = web_sys::window().and_then(|w| w.document()).ok_or("no document")?;
    let a: web_sys::HtmlAnchorElement = doc.create_element("a").map_err(|_| "no anchor")?.unchecked_into();
    a.set_href(&href);
    a.set_download(name);
    a.click();
    let _ = web_sys::Url::revoke_object_url(&href);
    Ok(())
}

/// Puts `text` on the clipboard; `Err` says why not (no permission, no
/// secure context) so the page can say so instead of claiming a copy.
async fn copy_to_clipboard(text: &str) -> Result<(), String> {
    let clipboard = web_sys::window().ok_or("no window")?.navigator().clipboard();
    wasm_bindgen_futures::JsFuture::from(clipboard.write_text(text))
        .await
        .map(|_| ())
        .map_err(|_| "the browser did not allow it: select the text and copy it by hand".to_string())
}

#[component]
pub fn SharePanel() -> impl IntoView {
    let lab = expect_context::<Lab>();
    let link = RwSignal::new(String::new());
    let embed = RwSignal::new(String::new());
    // What the last copy did, for the person: "Link copied." or why not.
    let copied = RwSignal::new(None::<String>);
    // A link made for another scenario must not stay on show.
    Effect::new(move |_| {
        lab.scene.track();
        link.set(String::new());
        embed.set(String::new());
        copied.set(None);
    });
    let copy_link = move |_| {
        let state = lab.share_state();
        leptos::task::spawn_local(async move {
            match url::link_for(&state, false).await {
                Ok(l) => {
                    if let Some(w) = web_sys::window() {
                        // The address bar shows the link too, so it can be copied by hand.
                        if let Some(hash) = l.split_once('#').map(|(_, h)| format!("#{h}")) {
                            let null = wasm_bindgen::JsValue::NULL;
                            let _ = w.history().and_then(|h| h.replace_state_with_url(&null, "", Some(&hash)));
                            // The app wrote this address: not a navigation to follow.
                            lab.address.set_value(url::href());
                        }
                    }
                    copied.set(Some(match copy_to_clipboard(&l).await {
                        Ok(()) => "Link copied: it opens this run at this moment.".into(),
                        Err(e) => format!("Link not copied: {e}."),
                    }));
                    link.set(l);
                }
                Err(e) => lab.notice.set(Some(e)),
            }
        });
    };
    let make_embed = move |_| {
        let state = lab.share_state();
        let name = lab.sim.with_value(|s| s.scenario().spec.name.replace('"', "&quot;"));
        leptos::task::spawn_local(async move {
            match url::link_for(&state, true).await {
                Ok(src) => {
                    let snippet = format!(
                        "<iframe src=\"{src}\" width=\"900\" height=\"640\" style=\"border:0\" title=\"Scale Lab: {name}\" loading=\"lazy\"></iframe>"
                    );
                    copied.set(Some(match copy_to_clipboard(&snippet).await {
                        Ok(()) => "Embed snippet copied: paste it into a docs page.".into(),
                        Err(e) => format!("Embed snippet not copied: {e}."),
                    }));
                    embed.set(snippet);
                }
                Err(e) => lab.notice.set(Some(e)),
            }
        });
    };
    let export = move |what: &'static str| {
        let result = match what {
            "csv" => lab.sim.with_value(|s| download("scalelab-metrics.csv", "text/csv", &metrics_csv(s))),
            "json" => lab.sim.with_value(|s| download("scalelab-metrics.json", "application/json", &metrics_json(s))),
            _ => topology_svg()
                .ok_or_else(|| "no topology".to_string())
                .and_then(|svg| download("scalelab-topology.svg", "image/svg+xml", &svg)),
        };
        if let Err(e) = result {
            lab.notice.set(Some(format!("Export failed: {e}")));
        }
    };
    view! {
        <section class="share" aria-label="Share and export">
            <h2>"Share"</h2>
            <div class="buttons">
                <button data-testid="copy-link" title="Copy a link that replays this run to this moment, playing or paused as it is now" on:click=copy_link>"Copy link"</button>
                <button data-testid="embed" title="Copy an iframe snippet for docs sites" on:click=make_embed>"Embed"</button>
            </div>
            <p class="copied" role="status" data-testid="copied">{move || copied.get()}</p>
            {move || (!link.get().is_empty()).then(|| view! {
                <label>"Link " <input readonly data-testid="link" prop:value=link.get() on:focus:target=move |ev| ev.target().select()/></label>
            })}
            {move || (!embed.get().is_empty()).then(|| view! {
                <label>"Embed snippet " <textarea readonly rows="4" data-testid="embed-snippet" prop:value=embed.get() on:focus:target=move |ev| ev.target().select()></textarea></label>
            })}
            <div class="buttons">
                <button data-testid="export-csv" title="Download the time series as CSV" on:click=move |_| export("csv")>"CSV"</button>
                <button data-testid="export-json" title="Download summary, time series and scenario as JSON" on:click=move |_| export("json")>"JSON"</button>
                <button data-testid="export-svg" title="Download the topology as SVG" on:click=move |_| export("svg")>"SVG"</button>
            </div>
        </section>
    }
}
