//! A time series that keeps its most recent `cap` points and clones in
//! O(points / CHUNK): full chunks are shared (`Arc`), only the open tail is
//! copied. That is what lets the run keep checkpoints of its whole state
//! (`checkpoint.rs`) without a copy of every window per checkpoint.
//!
//! ```text
//!   chunks: [Arc<64 points>] [Arc<64 points>] …   tail: Vec (< 64 points)
//!            ^ skip: points of the first chunk already dropped
//! ```

use std::collections::VecDeque;
use std::sync::Arc;

const CHUNK: usize = 64;

#[derive(Clone, Debug)]
pub struct Series<T> {
    chunks: VecDeque<Arc<Vec<T>>>,
    tail: Vec<T>,
    /// Points of `chunks[0]` no longer in the series.
    skip: usize,
    len: usize,
    cap: usize,
}

impl<T: Clone> Series<T> {
    /// An empty series that keeps at most `cap` points (at least 1).
    pub fn new(cap: usize) -> Self {
        Series { chunks: VecDeque::new(), tail: Vec::new(), skip: 0, len: 0, cap: cap.max(1) }
    }

    /// Appends a point, dropping the oldest when the series is full.
    pub fn push_back(&mut self, x: T) {
        if self.len == self.cap {
            self.pop_front();
        }
        self.tail.push(x);
        self.len += 1;
        if self.tail.len() == CHUNK {
            self.chunks.push_back(Arc::new(std::mem::take(&mut self.tail)));
        }
    }

    fn pop_front(&mut self) {
        if let Some(first) = self.chunks.front() {
            self.skip += 1;
            if self.skip == first.len() {
                self.chunks.pop_front();
                self.skip = 0;
            }
        } else {
            self.tail.remove(0);
        }
        self.len -= 1;
    }

    pub fn len(&self) -> usize {
        self.len
    }

    pub fn is_empty(&self) -> bool {
        self.len == 0
    }

    /// Oldest first.
    pub fn iter(&self) -> impl DoubleEndedIterator<Item = &T> + Clone {
        let skip = self.skip;
        self.chunks
            .iter()
            .enumerate()
            .flat_map(move |(i, c)| c[if i == 0 { skip } else { 0 }..].iter())
            .chain(self.tail.iter())
    }

    pub fn front(&self) -> Option<&T> {
        self.get(0)
    }

    pub fn back(&self) -> Option<&T> {
        self.tail.last().or_else(|| self.chunks.back().and_then(|c| c.last()))
    }

    /// The `i`-th point, oldest first.
    pub fn get(&self, i: usize) -> Option<&T> {
        if i >= self.len {
            return None;
        }
        let i = i + self.skip;
        let in_chunks = self.chunks.len() * CHUNK;
        if i < in_chunks { Some(&self.chunks[i / CHUNK][i % CHUNK]) } else { self.tail.get(i - in_chunks) }
    }
}

impl<T: Clone> std::ops::Index<usize> for Series<T> {
    type Output = T;
    fn index(&self, i: usize) -> &T {
        self.get(i).expect("index within the series")
    }
}

impl<T: Clone + PartialEq> PartialEq for Series<T> {
    fn eq(&self, other: &Self) -> bool {
        self.len == other.len && self.iter().eq(other.iter())
    }
}

impl<T: Clone + serde::Serialize> serde::Serialize for Series<T> {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.collect_seq(self.iter())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keeps_the_most_recent_points_like_a_bounded_deque() {
        for cap in [1, 5, 63, 64, 65, 200] {
            let mut s = Series::new(cap);
            let mut d = VecDeque::new();
            assert!(s.is_empty());
            for x in 0..1_000u32 {
                s.push_back(x);
                assert!(!s.is_empty());
                if d.len() == cap {
                    d.pop_front();
                }
                d.push_back(x);
                assert_eq!(s.len(), d.len());
                assert_eq!(s.back(), d.back());
                assert_eq!(s.front(), d.front());
                if x % 37 == 0 {
                    assert!(s.iter().eq(d.iter()), "cap {cap} after {x}");
                    assert!((0..d.len()).all(|i| s.get(i) == d.get(i)));
                    assert_eq!(s.get(d.len()), None);
                }
            }
        }
    }

    #[test]
    fn a_clone_shares_full_chunks_and_diverges_independently() {
        let mut a = Series::new(1_000);
        (0..300u32).for_each(|x| a.push_back(x));
        let b = a.clone();
        assert!(Arc::ptr_eq(&a.chunks[0], &b.chunks[0]), "full chunks are shared, not copied");
        a.push_back(999);
        assert_eq!(b.len(), 300);
        assert_eq!(b.back(), Some(&299));
        assert_eq!(a.back(), Some(&999));
    }

    #[test]
    fn series_are_equal_when_their_points_are() {
        let mut a = Series::new(100);
        (0..150u32).for_each(|x| a.push_back(x));
        let mut b = a.clone();
        assert_eq!(a, b);
        // The same length, one point different.
        b.push_back(7);
        a.push_back(8);
        assert_ne!(a, b);
        // The same points kept in other chunks: a bound of 50 holds 100..150.
        let mut c = Series::new(50);
        (0..150u32).for_each(|x| c.push_back(x));
        let mut d = Series::new(50);
        (100..150u32).for_each(|x| d.push_back(x));
        assert_eq!(c, d);
        d.push_back(150);
        assert_ne!(c, d);
    }
}
