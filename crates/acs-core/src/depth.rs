//! A bound on nesting, checked before any document from outside is deserialised.
//!
//! serde's derived and `serde_json::Value` deserialisers recurse once per nesting level, and
//! quick-xml's deserialiser has no depth limit of its own: a 6 KB body nested 2,000 levels deep
//! overflows a thread's stack and aborts the process. Every body is first scanned here, without
//! recursion, in linear time.

use crate::error::Error;

/// The deepest nesting accepted in a response or error body (objects and arrays in JSON,
/// elements in XML). Real Alibaba Cloud responses nest a dozen levels at most.
pub const MAX_DEPTH: usize = 100;

/// Why a body was refused.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum DepthError {
    /// Nested deeper than [`MAX_DEPTH`].
    TooDeep,
    /// Not well-formed enough to scan (XML only).
    Unreadable,
}

impl DepthError {
    /// The typed error for a response with this `status`. The body is not quoted.
    pub(crate) fn into_error(self, status: u16) -> Error {
        let message = match self {
            Self::TooDeep => format!("the body nests deeper than {MAX_DEPTH} levels"),
            Self::Unreadable => "the XML body is not well-formed".to_owned(),
        };
        Error::malformed_withheld(status, message)
    }
}

/// Checks a JSON document's nesting. Brackets inside strings do not count; anything else is
/// left to the parser.
pub(crate) fn check_json(body: &[u8]) -> Result<(), DepthError> {
    let mut depth = 0usize;
    let mut in_string = false;
    let mut escaped = false;
    for &byte in body {
        if in_string {
            match byte {
                _ if escaped => escaped = false,
                b'\\' => escaped = true,
                b'"' => in_string = false,
                _ => {}
            }
            continue;
        }
        match byte {
            b'"' => in_string = true,
            b'{' | b'[' => {
                depth += 1;
                if depth > MAX_DEPTH {
                    return Err(DepthError::TooDeep);
                }
            }
            b'}' | b']' => depth = depth.saturating_sub(1),
            _ => {}
        }
    }
    Ok(())
}

/// Checks an XML document's element nesting with quick-xml's streaming reader (which does not
/// recurse).
pub(crate) fn check_xml(body: &[u8]) -> Result<(), DepthError> {
    use quick_xml::events::Event;
    let mut reader = quick_xml::Reader::from_reader(body);
    let mut buf = Vec::new();
    let mut depth = 0usize;
    loop {
        match reader.read_event_into(&mut buf) {
            Ok(Event::Start(_)) => {
                depth += 1;
                if depth > MAX_DEPTH {
                    return Err(DepthError::TooDeep);
                }
            }
            Ok(Event::End(_)) => depth = depth.saturating_sub(1),
            Ok(Event::Eof) => return Ok(()),
            Ok(_) => {}
            Err(_) => return Err(DepthError::Unreadable),
        }
        buf.clear();
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn json_nesting_is_counted_outside_strings() {
        let ok = format!("{}{}", "[".repeat(MAX_DEPTH), "]".repeat(MAX_DEPTH));
        assert_eq!(check_json(ok.as_bytes()), Ok(()));
        let deep = "[".repeat(MAX_DEPTH + 1);
        assert_eq!(check_json(deep.as_bytes()), Err(DepthError::TooDeep));
        let quoted = format!("{{\"a\":\"{}\\\"{}\"}}", "[".repeat(500), "{".repeat(500));
        assert_eq!(check_json(quoted.as_bytes()), Ok(()));
        // Siblings do not add up.
        let wide = "[]".repeat(10_000);
        assert_eq!(check_json(wide.as_bytes()), Ok(()));
    }

    #[test]
    fn xml_nesting_is_counted_by_elements() {
        let ok = format!("{}{}", "<a>".repeat(MAX_DEPTH), "</a>".repeat(MAX_DEPTH));
        assert_eq!(check_xml(ok.as_bytes()), Ok(()));
        let deep = "<a>".repeat(MAX_DEPTH + 1);
        assert_eq!(check_xml(deep.as_bytes()), Err(DepthError::TooDeep));
        let empty = "<a/>".repeat(10_000);
        assert_eq!(check_xml(empty.as_bytes()), Ok(()));
        let comments = format!("<r><!-- {} --></r>", "<a>".repeat(1000));
        assert_eq!(check_xml(comments.as_bytes()), Ok(()));
    }
}
