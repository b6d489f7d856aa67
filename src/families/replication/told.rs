//! The story lines a replication node keeps for its panel: the newest
//! few, each stamped with the simulated time it happened.

use std::collections::VecDeque;

use crate::sim::family::Story;
use crate::sim::time::{SimTime, ns_to_s};

#[derive(Clone, Debug)]
pub struct Told {
    class: &'static str,
    keep: usize,
    /// Digits after the second's point in the stamp.
    digits: usize,
    lines: VecDeque<Story>,
}

impl Told {
    pub fn new(class: &'static str, keep: usize, digits: usize) -> Self {
        Told { class, keep, digits, lines: VecDeque::new() }
    }

    /// Tells `text` at `now` (`bad`: drawn as a failure), forgetting the
    /// oldest line past `keep`.
    pub fn tell(&mut self, now: SimTime, text: String, bad: bool) {
        if self.lines.len() == self.keep {
            self.lines.pop_front();
        }
        let text = format!("{:.*} s: {text}", self.digits, ns_to_s(now));
        self.lines.push_back(Story { req_id: 0, class: self.class, text, failed: bad });
    }

    /// The lines, oldest first (what `NodeView::stories` holds).
    pub fn lines(&self) -> Vec<Story> {
        self.lines.iter().cloned().collect()
    }
}
