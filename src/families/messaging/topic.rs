//! RabbitMQ's topic-exchange matching.
//!
//! ```text
//!   binding  "*.order.#"      routing key "eu.order.created"
//!             │   │     └ # : zero or more words
//!             │   └ literal word
//!             └ * : exactly one word          words are split on '.'
//! ```
//! The empty string has no words: routing key "" matches `#` and `""` but
//! not `*`. Checked against the table in RabbitMQ's own topic exchange test.

/// The words of a routing or binding key ("" has none; "a..b" has an empty
/// middle word).
fn words(key: &str) -> Vec<&str> {
    if key.is_empty() { Vec::new() } else { key.split('.').collect() }
}

/// Whether a message with `routing_key` matches a queue bound with
/// `binding_key` on a topic exchange.
pub fn topic_matches(binding_key: &str, routing_key: &str) -> bool {
    let pattern = words(binding_key);
    let key = words(routing_key);
    // matched[j]: the pattern so far matches the first j words of the key.
    let mut matched = vec![false; key.len() + 1];
    matched[0] = true;
    for p in &pattern {
        let mut next = vec![false; key.len() + 1];
        match *p {
            // Zero or more words: reachable from any earlier match.
            "#" => {
                let mut any = false;
                for j in 0..=key.len() {
                    any |= matched[j];
                    next[j] = any;
                }
            }
            // Exactly one word: shift every match one word on.
            "*" => next[1..].copy_from_slice(&matched[..key.len()]),
            word => {
                for j in 1..=key.len() {
                    next[j] = matched[j - 1] && key[j - 1] == word;
                }
            }
        }
        matched = next;
    }
    matched[key.len()]
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn simple_cases() {
        assert!(topic_matches("*.order.#", "eu.order.created"));
        assert!(topic_matches("*.order.#", "eu.order"));
        assert!(!topic_matches("*.order.#", "order.created"));
        assert!(topic_matches("a.#.b", "a.b"));
        assert!(topic_matches("a.#.b", "a.x.y.b"));
        assert!(!topic_matches("a.#.b", "a.b.c"));
        assert!(topic_matches("#", ""));
        assert!(!topic_matches("*", ""));
        assert!(topic_matches("", ""));
        assert!(!topic_matches("", "a"));
        assert!(topic_matches("a..b", "a..b"), "empty words are words");
        assert!(topic_matches("a.*.b", "a..b"));
    }
}
