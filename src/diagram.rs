//! Where the diagram draws each node and its name, in CSS pixels for the
//! width the page gives it, so names are always drawn at a readable size
//! (12 px) rather than scaled down with the whole drawing. Pure, so a
//! native test checks every preset at phone and desktop widths: no two
//! names overlap, no name sits on a link (where message dots travel) or on
//! another node, and everything is inside the drawing.
//!
//! ```text
//!   wide:   clients ──► balancers ──► servers ──► stores      layers left to right
//!   narrow: clients                                            layers top to bottom,
//!             ▼                                                 a crowded layer wrapped
//!           balancers                                           into several rows
//!             ▼
//!           servers servers servers
//! ```
//! A layer is a node's longest path from a client (consumers sit after the
//! broker they read from). A box's name is inside it (the box is drawn
//! over links and dots); a circle's or diamond's name goes beside it where
//! no link passes, trying below, above, right and left in turn.

use crate::families::{Glyph, glyph};
use crate::sim::validate::{NodeIdx, Scenario};

/// Names' font size (CSS px).
pub const LABEL_PX: f64 = 12.0;
/// The load text inside a box ("3/8 · q12"), font size.
pub const LOAD_PX: f64 = 11.0;
/// Height of a box.
pub const BOX_H: f64 = 32.0;
/// A circle's radius; a diamond's half-diagonal.
pub const CIRCLE_R: f64 = 16.0;
pub const DIAMOND_R: f64 = 20.0;
/// Room kept around the drawing.
const PAD: f64 = 10.0;
/// Inside a box, around its name and load text.
const BOX_PAD: f64 = 7.0;
/// Gap between two boxes of a layer, and the least room between layers
/// (so links between them show).
const GAP: f64 = 10.0;
const LAYER_GAP: f64 = 26.0;
/// A dot's radius at most: a name this far from a link is never under one.
const DOT_R: f64 = 4.0;
/// The least height of a drawing (a two-node design is short).
const MIN_HEIGHT: f64 = 120.0;
/// The widest a box is drawn.
const MAX_BOX_W: f64 = 200.0;
/// Below this width per layer the diagram runs top to bottom.
const MIN_PITCH: f64 = 96.0;
/// The load text's longest form, in characters ("1234 in · q99999").
const LOAD_CHARS: usize = 11;

/// An axis-aligned rectangle: left, top, width, height (CSS px).
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Rect {
    pub x: f64,
    pub y: f64,
    pub w: f64,
    pub h: f64,
}

impl Rect {
    fn centred(cx: f64, cy: f64, w: f64, h: f64) -> Rect {
        Rect { x: cx - w / 2.0, y: cy - h / 2.0, w, h }
    }

    fn grown(self, by: f64) -> Rect {
        Rect { x: self.x - by, y: self.y - by, w: self.w + 2.0 * by, h: self.h + 2.0 * by }
    }

    pub fn overlaps(&self, o: &Rect) -> bool {
        self.x < o.x + o.w && o.x < self.x + self.w && self.y < o.y + o.h && o.y < self.y + self.h
    }

    pub fn inside(&self, w: f64, h: f64) -> bool {
        self.x >= 0.0 && self.y >= 0.0 && self.x + self.w <= w && self.y + self.h <= h
    }

    /// Whether the segment (x0, y0)–(x1, y1) passes through the rectangle
    /// (Liang–Barsky clipping).
    pub fn crossed_by(&self, (x0, y0): (f64, f64), (x1, y1): (f64, f64)) -> bool {
        let (dx, dy) = (x1 - x0, y1 - y0);
        let (mut t0, mut t1) = (0.0f64, 1.0f64);
        for (p, q) in [(-dx, x0 - self.x), (dx, self.x + self.w - x0), (-dy, y0 - self.y), (dy, self.y + self.h - y0)] {
            if p == 0.0 {
                if q < 0.0 {
                    return false;
                }
            } else {
                let r = q / p;
                if p < 0.0 {
                    t0 = t0.max(r);
                } else {
                    t1 = t1.min(r);
                }
                if t0 > t1 {
                    return false;
                }
            }
        }
        true
    }
}

/// How a name is aligned on its anchor point (SVG's `text-anchor`).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Anchor {
    Start,
    Middle,
    End,
}

/// One node as the diagram draws it.
#[derive(Clone, Debug, PartialEq)]
pub struct Place {
    /// The centre.
    pub x: f64,
    pub y: f64,
    /// The shape's bounds (a circle's or diamond's square).
    pub shape: Rect,
    /// The name's bounds, as estimated here (the test in the browser reads
    /// the real ones), and where its text is anchored.
    pub label: Rect,
    pub label_at: (f64, f64),
    pub anchor: Anchor,
    /// A box wide enough to show its load text beside its name.
    pub show_load: bool,
}

/// Where everything is drawn, and the drawing's size.
#[derive(Clone, Debug, PartialEq)]
pub struct Layout {
    pub width: f64,
    pub height: f64,
    /// Layers run top to bottom (a narrow page).
    pub vertical: bool,
    pub nodes: Vec<Place>,
}

impl Layout {
    /// The centre of node `i`.
    pub fn pos(&self, i: NodeIdx) -> (f64, f64) {
        let p = &self.nodes[i as usize];
        (p.x, p.y)
    }
}

/// The width of `text` at `px` in a common sans-serif (DejaVu Sans, the
/// widest of the usual system fonts), a little generously: narrow letters
/// take less, wide ones more.
pub fn text_width(text: &str, px: f64) -> f64 {
    let em: f64 = text
        .chars()
        .map(|c| match c {
            'i' | 'j' | 'l' | '.' | ',' | ':' | ';' | '\'' | '|' | '!' | 'I' => 0.32,
            'f' | 't' | 'r' | '-' | '(' | ')' | ' ' | '1' => 0.44,
            'm' | 'w' | 'M' | 'W' => 0.92,
            c if c.is_ascii_uppercase() => 0.72,
            _ => 0.62,
        })
        .sum();
    em * px
}

/// The layer of each node: its longest path from a client; a consumer
/// one after the broker it reads from.
fn layers(s: &Scenario) -> Vec<usize> {
    let topo = &s.topology;
    let mut layer = vec![0usize; topo.ids.len()];
    // Paths are at most MAX_HOPS long and acyclic: relax that many times.
    for _ in 0..=crate::sim::validate::limits::MAX_HOPS {
        for l in &topo.links {
            layer[l.to as usize] = layer[l.to as usize].max(layer[l.from as usize] + 1);
        }
    }
    // Consumers link to their broker but read from it: draw them after it.
    // A consumer is what speaks a family protocol and neither sends nor
    // stores (a Kafka or RabbitMQ consumer).
    for (i, spec) in s.node_specs.iter().enumerate() {
        if spec.is_messaging()
            && !spec.is_source()
            && !spec.kind.is_leaf_store()
            && let Some((_, broker)) = topo.target_of(i as NodeIdx)
        {
            layer[i] = layer[broker as usize] + 1;
        }
    }
    layer
}

/// The nodes of each layer, each layer ordered by where its parents sit
/// (the mean rank of the nodes linking to it), so fewer links cross.
fn ordered_layers(s: &Scenario, layer: &[usize]) -> Vec<Vec<usize>> {
    let n_layers = layer.iter().max().map_or(1, |m| m + 1);
    let mut members: Vec<Vec<usize>> = vec![Vec::new(); n_layers];
    for (i, &l) in layer.iter().enumerate() {
        members[l].push(i);
    }
    let mut rank = vec![0.0f64; layer.len()];
    for (l, nodes) in members.iter_mut().enumerate() {
        if l > 0 {
            let parent_rank = |i: usize| {
                let rs: Vec<f64> =
                    s.topology.links.iter().filter(|k| k.to as usize == i).map(|k| rank[k.from as usize]).collect();
                if rs.is_empty() { 0.0 } else { rs.iter().sum::<f64>() / rs.len() as f64 }
            };
            let mut keyed: Vec<(f64, usize)> = nodes.iter().map(|&i| (parent_rank(i), i)).collect();
            keyed.sort_unstable_by(|a, b| a.0.total_cmp(&b.0).then(a.1.cmp(&b.1)));
            *nodes = keyed.into_iter().map(|(_, i)| i).collect();
        }
        let n = nodes.len().max(1) as f64;
        for (k, &i) in nodes.iter().enumerate() {
            rank[i] = (k as f64 + 0.5) / n;
        }
    }
    members
}

/// One node's size needs.
struct Needs {
    glyph: Glyph,
    label_w: f64,
}

impl Needs {
    fn is_box(&self) -> bool {
        matches!(self.glyph, Glyph::Station | Glyph::Broker)
    }
    fn radius(&self) -> f64 {
        if matches!(self.glyph, Glyph::Diamond(_)) { DIAMOND_R } else { CIRCLE_R }
    }
    /// A box with its name only, and with its load text too.
    fn box_min(&self) -> f64 {
        self.label_w + 2.0 * BOX_PAD
    }
    fn box_full(&self) -> f64 {
        self.label_w + text_width(&"8".repeat(LOAD_CHARS), LOAD_PX) + 3.0 * BOX_PAD
    }
    /// Width it takes in a layer, its name beside or under it included.
    fn extent(&self, box_w: f64) -> f64 {
        if self.is_box() { box_w } else { (2.0 * self.radius()).max(self.label_w) }
    }
}

/// Lays out `s` for a drawing `width` CSS pixels wide.
pub fn layout(s: &Scenario, width: f64) -> Layout {
    let width = width.clamp(240.0, 4000.0);
    let layer = layers(s);
    let members = ordered_layers(s, &layer);
    let needs: Vec<Needs> = s
        .node_specs
        .iter()
        .zip(&s.topology.ids)
        .map(|(spec, id)| Needs { glyph: glyph(spec.kind_name()), label_w: text_width(id, LABEL_PX) })
        .collect();
    let mut layout = horizontal(&members, &needs, width).unwrap_or_else(|| vertical(&members, &needs, width));
    place_labels(s, &needs, &mut layout);
    layout
}

/// Each layer's box width: its boxes' full width where the room allows,
/// else their names alone; `None` if a name does not fit.
fn box_widths(members: &[Vec<usize>], needs: &[Needs], room: f64) -> Option<Vec<(f64, bool)>> {
    members
        .iter()
        .map(|nodes| {
            let boxes: Vec<&Needs> = nodes.iter().map(|&i| &needs[i]).filter(|n| n.is_box()).collect();
            let full = boxes.iter().map(|n| n.box_full()).fold(0.0, f64::max).max(110.0);
            let least = boxes.iter().map(|n| n.box_min()).fold(0.0, f64::max);
            if full <= room {
                Some((full.min(MAX_BOX_W), true))
            } else if least <= room {
                Some((room.max(least), false))
            } else {
                None
            }
        })
        .collect()
}

/// Layers left to right, or `None` when they do not fit side by side.
fn horizontal(members: &[Vec<usize>], needs: &[Needs], width: f64) -> Option<Layout> {
    let n_layers = members.len();
    let extent =
        |l: usize, widths: &[(f64, bool)]| members[l].iter().map(|&i| needs[i].extent(widths[l].0)).fold(0.0, f64::max);
    // Widths from the room between layer centres, refined once: the end
    // layers' own widths set the margins.
    let mut widths = box_widths(members, needs, MAX_BOX_W)?;
    for _ in 0..2 {
        let left = PAD + extent(0, &widths) / 2.0;
        let right = PAD + extent(n_layers - 1, &widths) / 2.0;
        if n_layers == 1 {
            break;
        }
        let pitch = (width - left - right) / (n_layers - 1) as f64;
        if pitch < MIN_PITCH {
            return None;
        }
        widths = box_widths(members, needs, (pitch - LAYER_GAP).min(MAX_BOX_W))?;
    }
    let left = PAD + extent(0, &widths) / 2.0;
    let right = PAD + extent(n_layers - 1, &widths) / 2.0;
    let pitch = if n_layers > 1 { (width - left - right) / (n_layers - 1) as f64 } else { 0.0 };
    // Rows: a box and its gap; a circle, its name under it and a gap.
    let row = |i: usize| if needs[i].is_box() { BOX_H + GAP } else { 2.0 * needs[i].radius() + LABEL_PX + 2.0 * GAP };
    let tallest = members.iter().map(|m| m.iter().map(|&i| row(i)).sum::<f64>()).fold(0.0, f64::max);
    let height = (tallest + 2.0 * PAD + LABEL_PX).max(MIN_HEIGHT);
    let mut nodes = vec![empty_place(); needs.len()];
    for (l, layer) in members.iter().enumerate() {
        let x = if n_layers > 1 { left + l as f64 * pitch } else { width / 2.0 };
        let step = (height - 2.0 * PAD) / layer.len().max(1) as f64;
        for (k, &i) in layer.iter().enumerate() {
            let y = PAD + step * (k as f64 + 0.5);
            nodes[i] = shape_at(&needs[i], x, y, widths[l]);
        }
    }
    Some(Layout { width, height, vertical: false, nodes })
}

/// Layers top to bottom, a crowded layer wrapped into several rows (each
/// node as wide as it needs: a box its name, a circle the wider of itself
/// and its name, which goes above or below it).
fn vertical(members: &[Vec<usize>], needs: &[Needs], width: f64) -> Layout {
    let room = width - 2.0 * PAD;
    let mut nodes = vec![empty_place(); needs.len()];
    // Room above the first row for a name that goes there.
    let mut y = PAD + LABEL_PX + 4.0;
    for layer in members {
        let boxes = || layer.iter().filter(|&&i| needs[i].is_box()).map(|&i| &needs[i]);
        let least = boxes().map(Needs::box_min).fold(0.0, f64::max);
        let full = boxes().map(Needs::box_full).fold(0.0, f64::max);
        let total = |box_w: f64| layer.iter().map(|&i| needs[i].extent(box_w) + GAP).sum::<f64>();
        // The load text too, if the whole layer still fits in one row.
        let show_load = total(full) <= room;
        let box_w = if show_load { full } else { least.min(room) };
        let mut rows: Vec<Vec<usize>> = vec![Vec::new()];
        let mut used = 0.0;
        for &i in layer {
            let w = needs[i].extent(box_w) + GAP;
            let row = rows.last_mut().expect("one row at least");
            if !row.is_empty() && used + w > room {
                rows.push(vec![i]);
                used = w;
            } else {
                row.push(i);
                used += w;
            }
        }
        let row_h =
            layer.iter().map(|&i| if needs[i].is_box() { BOX_H } else { 2.0 * needs[i].radius() }).fold(0.0, f64::max);
        for (r, row) in rows.iter().enumerate() {
            let cy = y + row_h / 2.0 + r as f64 * (row_h + GAP + LABEL_PX);
            // Spread the row: the room left over shared out between its nodes.
            let widths: Vec<f64> = row.iter().map(|&i| needs[i].extent(box_w)).collect();
            let spare = (room - widths.iter().sum::<f64>()) / row.len() as f64;
            let mut x = PAD;
            for (&i, w) in row.iter().zip(&widths) {
                let cx = x + (w + spare) / 2.0;
                nodes[i] = shape_at(&needs[i], cx, cy, (box_w, show_load));
                x += w + spare;
            }
        }
        let n_rows = rows.len() as f64;
        y += n_rows * row_h + (n_rows - 1.0) * (GAP + LABEL_PX) + LAYER_GAP + LABEL_PX;
    }
    let height = (y - LAYER_GAP + PAD).max(MIN_HEIGHT);
    Layout { width, height, vertical: true, nodes }
}

fn empty_place() -> Place {
    let r = Rect { x: 0.0, y: 0.0, w: 0.0, h: 0.0 };
    Place { x: 0.0, y: 0.0, shape: r, label: r, label_at: (0.0, 0.0), anchor: Anchor::Middle, show_load: false }
}

/// A node's shape centred at (x, y); a box's name inside it, on the left.
fn shape_at(n: &Needs, x: f64, y: f64, (box_w, show_load): (f64, bool)) -> Place {
    if n.is_box() {
        let shape = Rect::centred(x, y, box_w, BOX_H);
        let label = Rect { x: shape.x + BOX_PAD, y: y - LABEL_PX / 2.0 - 2.0, w: n.label_w, h: LABEL_PX + 4.0 };
        Place { x, y, shape, label, label_at: (shape.x + BOX_PAD, y + 4.0), anchor: Anchor::Start, show_load }
    } else {
        let r = n.radius();
        let shape = Rect::centred(x, y, 2.0 * r, 2.0 * r);
        let label = Rect { x: x - n.label_w / 2.0, y: y + r + 3.0, w: n.label_w, h: LABEL_PX + 4.0 };
        Place { x, y, shape, label, label_at: (x, y + r + 3.0 + LABEL_PX), anchor: Anchor::Middle, show_load: false }
    }
}

/// Puts each circle's and diamond's name where no link passes and nothing
/// else is drawn: below, above, right or left of it (right first when the
/// layers run top to bottom), else where it meets the fewest.
fn place_labels(s: &Scenario, needs: &[Needs], layout: &mut Layout) {
    let segments: Vec<((f64, f64), (f64, f64))> =
        s.topology.links.iter().map(|l| (layout.pos(l.from), layout.pos(l.to))).collect();
    let (w, h) = (layout.width, layout.height);
    let mut taken: Vec<Rect> = layout.nodes.iter().map(|p| p.shape).collect();
    // Box names are inside their boxes: already placed.
    taken.extend(layout.nodes.iter().zip(needs).filter(|(_, n)| n.is_box()).map(|(p, _)| p.label));
    for (i, n) in needs.iter().enumerate() {
        if n.is_box() {
            continue;
        }
        let (x, y) = (layout.nodes[i].x, layout.nodes[i].y);
        let (r, lw, lh) = (n.radius(), n.label_w, LABEL_PX + 4.0);
        let below =
            (Rect { x: x - lw / 2.0, y: y + r + 3.0, w: lw, h: lh }, (x, y + r + 3.0 + LABEL_PX), Anchor::Middle);
        let above = (Rect { x: x - lw / 2.0, y: y - r - 3.0 - lh, w: lw, h: lh }, (x, y - r - 7.0), Anchor::Middle);
        let right = (Rect { x: x + r + 5.0, y: y - lh / 2.0, w: lw, h: lh }, (x + r + 5.0, y + 4.0), Anchor::Start);
        let left = (Rect { x: x - r - 5.0 - lw, y: y - lh / 2.0, w: lw, h: lh }, (x - r - 5.0, y + 4.0), Anchor::End);
        let candidates = if layout.vertical { [above, right, left, below] } else { [below, above, right, left] };
        let conflicts = |rect: &Rect| {
            let near = rect.grown(DOT_R);
            let own = layout.nodes[i].shape;
            usize::from(!rect.inside(w, h)) * 100
                + segments.iter().filter(|(a, b)| near.crossed_by(*a, *b)).count() * 10
                + taken.iter().filter(|t| **t != own && t.overlaps(rect)).count() * 10
        };
        let best = candidates.iter().min_by_key(|c| conflicts(&c.0)).copied().unwrap_or(below);
        let place = &mut layout.nodes[i];
        (place.label, place.label_at, place.anchor) = best;
        taken.push(best.0);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_segment_crosses_a_rectangle_only_where_it_passes() {
        let r = Rect { x: 10.0, y: 10.0, w: 10.0, h: 10.0 };
        assert!(r.crossed_by((0.0, 15.0), (30.0, 15.0)), "straight through");
        assert!(r.crossed_by((15.0, 15.0), (100.0, 100.0)), "from inside");
        assert!(!r.crossed_by((0.0, 0.0), (30.0, 5.0)), "above it");
        assert!(!r.crossed_by((0.0, 15.0), (5.0, 15.0)), "stops short");
        assert!(r.crossed_by((0.0, 0.0), (30.0, 30.0)), "a diagonal");
        assert!(!r.crossed_by((0.0, 30.0), (9.0, 0.0)), "a diagonal beside it");
    }

    #[test]
    fn wider_names_are_wider() {
        assert!(text_width("app-1", LABEL_PX) < text_width("analytics-1", LABEL_PX));
        assert!(text_width("mmm", LABEL_PX) > text_width("iii", LABEL_PX));
    }
}
