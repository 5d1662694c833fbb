//! Percent-encoding as Alibaba Cloud's APIs expect it ("POP encoding").
//!
//! RFC 3986: the unreserved set `A-Z a-z 0-9 - _ . ~` is kept as is; every other byte of the
//! UTF-8 form becomes `%XX` with upper-case hex. So a space is `%20` (never `+`), `*` is `%2A` and
//! `~` stays `~`. The path variant also keeps `/`.

/// Every `%XX` triplet, upper-case hex, for bytes 0 to 255, back to back.
const TRIPLETS: &str = {
    const HEX: &[u8; 16] = b"0123456789ABCDEF";
    const BYTES: [u8; 768] = {
        let mut out = [0u8; 768];
        let mut i = 0;
        while i < 256 {
            out[i * 3] = b'%';
            out[i * 3 + 1] = HEX[i >> 4];
            out[i * 3 + 2] = HEX[i & 15];
            i += 1;
        }
        out
    };
    match std::str::from_utf8(&BYTES) {
        Ok(s) => s,
        Err(_) => panic!("percent triplets are ASCII"),
    }
};

/// `true` for the bytes RFC 3986 calls unreserved.
const UNRESERVED: [bool; 256] = unreserved_table(false);
/// The unreserved bytes plus `/`, for paths.
const UNRESERVED_OR_SLASH: [bool; 256] = unreserved_table(true);

const fn unreserved_table(keep_slash: bool) -> [bool; 256] {
    let mut table = [false; 256];
    let mut b = 0;
    while b < 256 {
        let c = b as u8;
        table[b] = c.is_ascii_alphanumeric()
            || c == b'-'
            || c == b'_'
            || c == b'.'
            || c == b'~'
            || (keep_slash && c == b'/');
        b += 1;
    }
    table
}

/// Whether `byte` is left as is by [`percent_encode`].
///
/// ```
/// use acs_signer::encoding::is_unreserved;
/// assert!(is_unreserved(b'~') && is_unreserved(b'Z'));
/// assert!(!is_unreserved(b'*') && !is_unreserved(b' ') && !is_unreserved(b'/'));
/// ```
pub fn is_unreserved(byte: u8) -> bool {
    UNRESERVED[usize::from(byte)]
}

/// Percent-encodes a query name or value.
///
/// ```
/// use acs_signer::encoding::percent_encode;
/// assert_eq!(percent_encode("a/b/c/ test"), "a%2Fb%2Fc%2F%20test");
/// assert_eq!(percent_encode("*~é"), "%2A~%C3%A9");
/// ```
pub fn percent_encode(value: &str) -> String {
    let mut out = String::with_capacity(value.len() + value.len() / 2);
    percent_encode_into(&mut out, value);
    out
}

/// Appends the percent-encoded form of `value` to `out`.
///
/// ```
/// use acs_signer::encoding::percent_encode_into;
/// let mut query = String::from("Action=");
/// percent_encode_into(&mut query, "Describe Regions");
/// assert_eq!(query, "Action=Describe%20Regions");
/// ```
pub fn percent_encode_into(out: &mut String, value: &str) {
    encode(out, value, &UNRESERVED, 0);
}

/// Percent-encodes a URL path, keeping its `/` separators.
///
/// ```
/// use acs_signer::encoding::percent_encode_path;
/// assert_eq!(percent_encode_path("/path/ test"), "/path/%20test");
/// ```
pub fn percent_encode_path(path: &str) -> String {
    let mut out = String::with_capacity(path.len() + 8);
    percent_encode_path_into(&mut out, path);
    out
}

/// Appends the percent-encoded form of the URL path `path` to `out`, keeping `/`.
///
/// ```
/// use acs_signer::encoding::percent_encode_path_into;
/// let mut url = String::from("https://cs.aliyuncs.com");
/// percent_encode_path_into(&mut url, "/clusters/c 1");
/// assert_eq!(url, "https://cs.aliyuncs.com/clusters/c%201");
/// ```
pub fn percent_encode_path_into(out: &mut String, path: &str) {
    encode(out, path, &UNRESERVED_OR_SLASH, 0);
}

/// Appends `percent_encode(percent_encode(value))`, in one pass: an escaped byte becomes `%25XX`.
/// This is how RPC v1 encodes each parameter inside its string-to-sign.
pub(crate) fn double_percent_encode_into(out: &mut String, value: &str) {
    encode(out, value, &UNRESERVED, 1);
}

#[inline]
fn encode(out: &mut String, value: &str, keep: &[bool; 256], extra_levels: usize) {
    let bytes = value.as_bytes();
    out.reserve(bytes.len());
    let mut run_start = 0;
    for (i, &b) in bytes.iter().enumerate() {
        if keep[usize::from(b)] {
            continue;
        }
        // Bytes `run_start..i` are ASCII, so both ends are character boundaries.
        if run_start < i {
            out.push_str(&value[run_start..i]);
        }
        let triplet = usize::from(b) * 3;
        for _ in 0..extra_levels {
            out.push_str("%25");
        }
        if extra_levels == 0 {
            out.push_str(&TRIPLETS[triplet..triplet + 3]);
        } else {
            out.push_str(&TRIPLETS[triplet + 1..triplet + 3]);
        }
        run_start = i + 1;
    }
    if run_start < bytes.len() {
        // The tail after the last escaped byte is unreserved ASCII.
        out.push_str(&value[run_start..]);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn official_examples() {
        assert_eq!(percent_encode_path("/path/ test"), "/path/%20test");
        assert_eq!(percent_encode("a/b/c/ test"), "a%2Fb%2Fc%2F%20test");
        assert_eq!(
            percent_encode("2016-02-23T12:46:24Z"),
            "2016-02-23T12%3A46%3A24Z"
        );
        assert_eq!(percent_encode(" *~"), "%20%2A~");
    }

    #[test]
    fn double_encoding_equals_encoding_twice() {
        for value in ["", "abc", "a b", "é*~", "12:46", "%", "x=y&z"] {
            let mut once = String::new();
            double_percent_encode_into(&mut once, value);
            assert_eq!(once, percent_encode(&percent_encode(value)), "{value}");
        }
    }

    #[test]
    fn multibyte_characters_at_every_position() {
        assert_eq!(percent_encode("é"), "%C3%A9");
        assert_eq!(percent_encode("aé"), "a%C3%A9");
        assert_eq!(percent_encode("éa"), "%C3%A9a");
        assert_eq!(percent_encode("中文/x"), "%E4%B8%AD%E6%96%87%2Fx");
        assert_eq!(percent_encode_path("/中/"), "/%E4%B8%AD/");
    }
}
