//! Name–value lists (query parameters, form fields, headers) as the signer reads them.

/// An ordered list of name–value pairs the signer can read without copying.
///
/// Implemented for slices, arrays and vectors of pairs of anything string-like, so a request
/// can keep its parameters however it likes.
///
/// ```
/// use acs_signer::Params;
/// let owned = vec![("Action".to_string(), "DescribeRegions".to_string())];
/// let borrowed = [("RegionId", "cn-hangzhou")];
/// assert_eq!(owned.param(0), ("Action", "DescribeRegions"));
/// assert_eq!(borrowed.param_count(), 1);
/// ```
pub trait Params {
    /// How many pairs the list holds.
    fn param_count(&self) -> usize;
    /// The pair at `index` (`index < param_count()`), as (name, value).
    fn param(&self, index: usize) -> (&str, &str);
}

impl<K: AsRef<str>, V: AsRef<str>> Params for [(K, V)] {
    fn param_count(&self) -> usize {
        self.len()
    }
    fn param(&self, index: usize) -> (&str, &str) {
        let (k, v) = &self[index];
        (k.as_ref(), v.as_ref())
    }
}

impl<K: AsRef<str>, V: AsRef<str>, const N: usize> Params for [(K, V); N] {
    fn param_count(&self) -> usize {
        N
    }
    fn param(&self, index: usize) -> (&str, &str) {
        let (k, v) = &self[index];
        (k.as_ref(), v.as_ref())
    }
}

impl<K: AsRef<str>, V: AsRef<str>> Params for Vec<(K, V)> {
    fn param_count(&self) -> usize {
        self.len()
    }
    fn param(&self, index: usize) -> (&str, &str) {
        let (k, v) = &self[index];
        (k.as_ref(), v.as_ref())
    }
}

/// Pairs collected for sorting. Up to `INLINE` pairs live on the stack; more spill to the heap.
pub(crate) struct PairBuf<'a> {
    inline: [(&'a str, &'a str); INLINE],
    len: usize,
    spilled: Vec<(&'a str, &'a str)>,
}

const INLINE: usize = 48;

impl<'a> PairBuf<'a> {
    pub(crate) fn new() -> Self {
        Self {
            inline: [("", ""); INLINE],
            len: 0,
            spilled: Vec::new(),
        }
    }

    pub(crate) fn push(&mut self, pair: (&'a str, &'a str)) {
        if self.spilled.is_empty() && self.len < INLINE {
            self.inline[self.len] = pair;
            self.len += 1;
            return;
        }
        if self.spilled.is_empty() {
            self.spilled.reserve(INLINE * 2);
            self.spilled.extend_from_slice(&self.inline[..self.len]);
        }
        self.spilled.push(pair);
    }

    pub(crate) fn as_mut_slice(&mut self) -> &mut [(&'a str, &'a str)] {
        if self.spilled.is_empty() {
            &mut self.inline[..self.len]
        } else {
            &mut self.spilled
        }
    }
}

#[cfg(test)]
mod tests {
    use super::PairBuf;

    #[test]
    fn spills_past_inline_capacity_without_losing_pairs() {
        let names: Vec<String> = (0..200).map(|i| format!("k{i:03}")).collect();
        let mut buf = PairBuf::new();
        for name in &names {
            buf.push((name, "v"));
        }
        let pairs = buf.as_mut_slice();
        assert_eq!(pairs.len(), 200);
        assert!(pairs.iter().zip(&names).all(|(p, n)| p.0 == n));
    }
}
