//! Name–value lists (query parameters, form fields, headers) as the signer reads them.

use std::cmp::Ordering;

use smallvec::SmallVec;

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
/// let slice: &[(&str, &str)] = &borrowed;
/// let as_dyn: &dyn Params = &slice;
/// assert_eq!(as_dyn.param(0).1, "cn-hangzhou");
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

/// A borrowed slice, so `&slice` coerces to `&dyn Params` (a bare slice is unsized).
impl<K: AsRef<str>, V: AsRef<str>> Params for &[(K, V)] {
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

/// A name–value pair with its sort key: the first 8 bytes of the name (lower-cased for headers)
/// as a big-endian number, zero-padded. Comparing keys settles almost every comparison without
/// `memcmp`; equal keys fall back to the full comparison, so the order is exact.
///
/// `repr(C)` with the two slices first: entries are copied in 16-byte pieces, which then line
/// up with how each slice was stored (a piece straddling two stores stalls on store-to-load
/// forwarding).
#[derive(Clone, Copy)]
#[repr(C)]
pub(crate) struct Entry<'a> {
    pub(crate) name: &'a str,
    /// Values are kept as bytes: the signer's own (timestamps, hashes) are inline ASCII and
    /// need no UTF-8 check to be written.
    pub(crate) value: &'a [u8],
    pub(crate) key: u64,
}

/// Pairs collected for sorting. Up to `N` pairs live on the stack (uninitialised until
/// pushed); more spill to the heap.
pub(crate) struct PairBuf<'a, const N: usize>
where
    [Entry<'a>; N]: smallvec::Array<Item = Entry<'a>>,
{
    entries: SmallVec<[Entry<'a>; N]>,
}

/// A buffer for query and form parameters.
pub(crate) type ParamBuf<'a> = PairBuf<'a, 32>;

/// A buffer for headers: requests carry a handful.
pub(crate) type HeaderBuf<'a> = PairBuf<'a, 12>;

impl<'a, const N: usize> PairBuf<'a, N>
where
    [Entry<'a>; N]: smallvec::Array<Item = Entry<'a>>,
{
    pub(crate) fn new() -> Self {
        Self {
            entries: SmallVec::new(),
        }
    }

    /// Adds a parameter, ordered by its name's bytes.
    #[inline]
    pub(crate) fn push(&mut self, name: &'a str, value: &'a [u8]) {
        self.entries.push(Entry {
            name,
            value,
            key: prefix(name.as_bytes(), false),
        });
    }

    /// Adds a header, ordered by its lower-cased name.
    #[inline]
    pub(crate) fn push_header(&mut self, name: &'a str, value: &'a [u8]) {
        self.entries.push(Entry {
            name,
            value,
            key: prefix(name.as_bytes(), true),
        });
    }

    fn as_mut_slice(&mut self) -> &mut [Entry<'a>] {
        &mut self.entries
    }

    /// The parameters in byte order of (name, value).
    pub(crate) fn sorted(&mut self) -> &[Entry<'a>] {
        let entries = self.as_mut_slice();
        sort_entries(entries, |a, b| {
            a.name.cmp(b.name).then_with(|| a.value.cmp(b.value))
        });
        entries
    }

    /// The headers in byte order of (lower-cased name, value).
    pub(crate) fn sorted_headers(&mut self) -> &[Entry<'a>] {
        let entries = self.as_mut_slice();
        sort_entries(entries, |a, b| {
            cmp_lowercase(a.name, b.name).then_with(|| a.value.cmp(b.value))
        });
        entries
    }
}

/// Sorts by key, then by `tie` among entries with equal keys: an insertion sort (requests
/// carry tens of parameters at most) whose comparisons are settled by the integer keys except
/// between names sharing their first 8 bytes. About half the instructions of
/// `sort_unstable_by` with the same ordering, which moves entries through a general closure.
fn sort_entries(entries: &mut [Entry<'_>], tie: fn(&Entry<'_>, &Entry<'_>) -> Ordering) {
    if entries.len() > 64 {
        entries.sort_unstable_by(|a, b| a.key.cmp(&b.key).then_with(|| tie(a, b)));
        return;
    }
    for i in 1..entries.len() {
        let current = entries[i];
        let mut j = i;
        while j > 0 {
            let before = &entries[j - 1];
            let less = if current.key == before.key {
                tie(&current, before) == Ordering::Less
            } else {
                current.key < before.key
            };
            if !less {
                break;
            }
            entries[j] = entries[j - 1];
            j -= 1;
        }
        entries[j] = current;
    }
}

fn cmp_lowercase(a: &str, b: &str) -> std::cmp::Ordering {
    a.bytes()
        .map(|c| c.to_ascii_lowercase())
        .cmp(b.bytes().map(|c| c.to_ascii_lowercase()))
}

/// [`prefix`] of a parameter name, at compile time.
pub(crate) const fn name_key(name: &str) -> u64 {
    let bytes = name.as_bytes();
    let mut key = 0u64;
    let mut i = 0;
    while i < 8 && i < bytes.len() {
        key |= (bytes[i] as u64) << (56 - 8 * i);
        i += 1;
    }
    key
}

/// The first 8 bytes of `name` (optionally lower-cased) as a big-endian number, zero-padded.
/// Where two keys differ, their order is the order of the names.
#[inline]
fn prefix(name: &[u8], lowercase: bool) -> u64 {
    // Short names are read as two overlapping words (or byte by byte), never copied into an
    // array read back as a whole, which stalls on store-to-load forwarding.
    let n = name.len();
    let mut head = match name {
        [a, b, c, d, e, f, g, h, ..] => [*a, *b, *c, *d, *e, *f, *g, *h],
        [a, b, c, d, ..] => {
            let first = u32::from_le_bytes([*a, *b, *c, *d]);
            let last = u32::from_le_bytes([name[n - 4], name[n - 3], name[n - 2], name[n - 1]]);
            // Little-endian: byte i at bits 8i; the overlap holds the same bytes twice.
            (u64::from(first) | u64::from(last) << (8 * (n - 4))).to_le_bytes()
        }
        [a, b, c] => [*a, *b, *c, 0, 0, 0, 0, 0],
        [a, b] => [*a, *b, 0, 0, 0, 0, 0, 0],
        [a] => [*a, 0, 0, 0, 0, 0, 0, 0],
        [] => [0; 8],
    };
    if lowercase {
        head.make_ascii_lowercase();
    }
    u64::from_be_bytes(head)
}

#[cfg(test)]
mod tests {
    use super::{HeaderBuf, ParamBuf};

    fn names(entries: &[super::Entry<'_>]) -> Vec<(String, String)> {
        entries
            .iter()
            .map(|e| {
                (
                    e.name.to_owned(),
                    String::from_utf8_lossy(e.value).into_owned(),
                )
            })
            .collect()
    }

    #[test]
    fn spills_past_inline_capacity_without_losing_pairs() {
        let names: Vec<String> = (0..200).rev().map(|i| format!("k{i:03}")).collect();
        let mut buf = ParamBuf::new();
        for name in &names {
            buf.push(name, b"v");
        }
        let sorted = buf.sorted();
        assert_eq!(sorted.len(), 200);
        assert!(
            sorted
                .iter()
                .zip(names.iter().rev())
                .all(|(e, n)| e.name == n)
        );
    }

    #[test]
    fn compile_time_keys_match_run_time_keys() {
        for name in [
            "",
            "A",
            "Timestamp",
            "AccessKeyId",
            "Sig",
            "é",
            "SignatureVersion",
            "12345678",
            "ab",
            "Acti",
            "Actio",
            "Policy",
            "Version",
        ] {
            assert_eq!(
                super::name_key(name),
                super::prefix(name.as_bytes(), false),
                "{name}"
            );
        }
    }

    #[test]
    fn keyed_sort_is_byte_order() {
        let pairs = [
            ("Signature", "b"),
            ("SignatureNonce", "a"),
            ("Sig", "a"),
            ("a", "a"),
            ("", "a"),
            ("SignatureMethod", "a"),
            ("Sig\u{0}x", "a"),
            ("é", "a"),
            ("Z", "a"),
            ("Signature", "a"),
            ("SignatureVersion", "a"),
            ("RoleArn", "a"),
            ("RoleSessionName", "a"),
        ];
        let mut buf = ParamBuf::new();
        for (n, v) in pairs {
            buf.push(n, v.as_bytes());
        }
        let mut expected: Vec<(String, String)> = pairs
            .iter()
            .map(|(n, v)| (n.to_string(), v.to_string()))
            .collect();
        expected.sort();
        assert_eq!(names(buf.sorted()), expected);
    }

    #[test]
    fn many_headers_spill_and_stay_sorted() {
        let names: Vec<String> = (0..30).rev().map(|i| format!("X-Acs-H{i:02}")).collect();
        let mut buf = HeaderBuf::new();
        for name in &names {
            buf.push_header(name, b"v");
        }
        let sorted: Vec<&str> = buf.sorted_headers().iter().map(|e| e.name).collect();
        let expected: Vec<&str> = names.iter().rev().map(String::as_str).collect();
        assert_eq!(sorted, expected);
    }

    #[test]
    fn header_sort_ignores_case() {
        let mut buf = ParamBuf::new();
        for (n, v) in [
            ("X-Acs-B", "1"),
            ("x-acs-a", "2"),
            ("x-acs-A", "1"),
            ("Host", "h"),
        ] {
            buf.push_header(n, v.as_bytes());
        }
        let got: Vec<(String, String)> = names(buf.sorted_headers())
            .into_iter()
            .map(|(n, v)| (n.to_lowercase(), v))
            .collect();
        let expected = [
            ("host", "h"),
            ("x-acs-a", "1"),
            ("x-acs-a", "2"),
            ("x-acs-b", "1"),
        ];
        assert_eq!(got, expected.map(|(n, v)| (n.to_string(), v.to_string())));
    }
}
