//! What may appear in trace-level logs of requests and responses.

/// Headers whose values are secrets or authenticate a request.
const SECRET_HEADERS: [&str; 5] = [
    "authorization",
    "x-acs-security-token",
    "x-acs-bearer-token",
    "proxy-authorization",
    "x-acs-accesskey-secret",
];

/// Names ending in `Token` that are not secrets: idempotency tokens, paging cursors, ids.
const NOT_SECRET_TOKENS: [&str; 5] = [
    "clienttoken",
    "nexttoken",
    "nextpagetoken",
    "continuationtoken",
    "tokenid",
];

/// Whether a parameter's or field's value is a secret or authenticates a request: the
/// signature, and any name ending in `Secret`, `Token` or `Password` or naming a private key,
/// SAML assertion or stored secret value (KMS `SecretData`; not `SecretDataType`). Idempotency tokens (`ClientToken`), paging cursors (`NextToken`,
/// `NextPageToken`) and ids (`…TokenId`) are not secrets, nor are password settings
/// (`PasswordLength`, `MaxPasswordAge`). Trace logs and error messages redact such values,
/// and generated models redact such fields in `Debug` (the code generator uses this same
/// rule).
///
/// ```
/// assert!(acs_core::is_secret_parameter("OIDCToken"));
/// assert!(acs_core::is_secret_parameter("Password"));
/// assert!(acs_core::is_secret_parameter("SecretData"));
/// assert!(!acs_core::is_secret_parameter("SecretDataType"));
/// assert!(!acs_core::is_secret_parameter("NextToken"));
/// assert!(!acs_core::is_secret_parameter("ClientToken"));
/// assert!(!acs_core::is_secret_parameter("RegionId"));
/// ```
pub fn is_secret_parameter(name: &str) -> bool {
    let lower = name.to_ascii_lowercase().replace(['_', '-', '.'], "");
    if NOT_SECRET_TOKENS.iter().any(|s| lower.ends_with(s)) {
        return false;
    }
    lower == "signature"
        || lower.ends_with("secret")
        || lower.ends_with("token")
        || lower.ends_with("password")
        || lower.ends_with("privatekey")
        || lower.ends_with("privatekeybody")
        || lower == "samlassertion"
        || lower.ends_with("secretdata")
}

const REDACTED: &str = "** redacted **";

/// `name: value` lines for the headers, secrets replaced.
pub(crate) fn headers(headers: &http::HeaderMap) -> String {
    let mut out = String::new();
    for (name, value) in headers {
        let shown = if SECRET_HEADERS.contains(&name.as_str()) {
            REDACTED
        } else {
            value.to_str().unwrap_or("<binary>")
        };
        out.push_str(name.as_str());
        out.push_str(": ");
        out.push_str(shown);
        out.push('\n');
    }
    out
}

/// The URL with secret query values replaced.
pub(crate) fn uri(uri: &http::Uri) -> String {
    let base = format!(
        "{}://{}{}",
        uri.scheme_str().unwrap_or("https"),
        uri.authority().map(|a| a.as_str()).unwrap_or(""),
        uri.path()
    );
    match uri.query() {
        Some(query) => format!("{base}?{}", pairs(query)),
        None => base,
    }
}

/// A form or query string with secret values replaced.
pub(crate) fn pairs(encoded: &str) -> String {
    encoded
        .split('&')
        .map(|pair| {
            let name = pair.split('=').next().unwrap_or("");
            if is_secret_parameter(name) {
                format!("{name}={REDACTED}")
            } else {
                pair.to_owned()
            }
        })
        .collect::<Vec<_>>()
        .join("&")
}

/// A body for the log: form bodies with secrets replaced, anything else by size only (JSON
/// bodies can hold secrets under any name).
pub(crate) fn body(content_type: Option<&str>, body: &[u8]) -> String {
    let is_form = content_type.is_some_and(|t| t.starts_with("application/x-www-form-urlencoded"));
    match (is_form, std::str::from_utf8(body)) {
        (true, Ok(text)) => pairs(text),
        _ => format!("<{} bytes>", body.len()),
    }
}

/// Separators that may stand between a secret's name and its value: quotes, `:` and `=`
/// (also percent-encoded once or twice, as in an echoed string-to-sign), `>` and blanks.
const VALUE_SEPARATORS: [&str; 9] = ["%253D", "%3D", "\\\"", "\"", "'", ":", "=", ">", " "];
/// What ends an unquoted value: form and text delimiters, markup, and `&` percent-encoded.
const VALUE_ENDS: [&str; 3] = ["%2526", "%26", "&amp;"];

/// `text` with the value after every secret-named field replaced, whatever the document's
/// format: JSON (`"AccessKeySecret": "…"`), XML (`<SecurityToken>…</SecurityToken>`), form or
/// query strings (`OIDCToken=…`, also percent-encoded), and plain text (`Password: …`). A value
/// that runs to the end of `text` (a cut-off excerpt) is replaced to the end. Names follow
/// [`is_secret_parameter`]; a name counts only with a real separator after it (`:`, `=`, `>`,
/// or `=` percent-encoded, with any quotes and blanks around it), and names inside a replaced
/// value are still looked at. Every body excerpt an error keeps goes through this function.
/// Its cost grows with the number of secret names times the length of their values: callers
/// bound what they pass (excerpts and error messages are at most a few KiB).
///
/// ```
/// # use acs_core::scrub_text;
/// let body = r#"{"Credentials":{"AccessKeySecret":"s3cr3t","SecurityToken":"CAIS"#;
/// let shown = scrub_text(body);
/// assert!(!shown.contains("s3cr3t") && !shown.contains("CAIS"));
/// assert!(shown.contains("AccessKeySecret"));
/// ```
pub fn scrub_text(text: &str) -> String {
    let bytes = text.as_bytes();
    // The byte ranges of secret values, in the order their names appear. Names inside a
    // value are scanned too: what looked like a value may be the next field's name.
    let mut ranges: Vec<(usize, usize)> = Vec::new();
    let mut i = 0;
    while i < bytes.len() {
        if !is_name_byte(bytes[i]) {
            i += 1;
            continue;
        }
        let start = i;
        while i < bytes.len() && is_name_byte(bytes[i]) {
            i += 1;
        }
        if !is_secret_parameter(&text[start..i]) {
            continue;
        }
        if let Some((value, quote)) = value_start(bytes, i) {
            let end = value_end(bytes, value, quote);
            if end > value {
                ranges.push((value, end));
            }
        }
    }
    ranges.sort_unstable();
    let mut out = String::with_capacity(text.len());
    let mut copied = 0;
    // The redaction being written: overlapping or touching ranges become one.
    let mut redacting: Option<usize> = None;
    for (start, end) in ranges {
        match redacting {
            Some(until) if start <= until => redacting = Some(until.max(end)),
            _ => {
                if let Some(until) = redacting {
                    copied = until;
                }
                out.push_str(&text[copied..start]);
                out.push_str(REDACTED);
                redacting = Some(end);
            }
        }
    }
    if let Some(until) = redacting {
        copied = until;
    }
    out.push_str(&text[copied..]);
    out
}

/// Where the value after a secret's name (ending at `after`) starts, and how it is quoted:
/// `None` unless a real key/value separator (`:`, `=`, `>`, or `=` percent-encoded) stands
/// between them, possibly with quotes and blanks around it.
fn value_start(bytes: &[u8], after: usize) -> Option<(usize, Quote)> {
    let mut value = after;
    let mut quote = Quote::None;
    let mut separated = false;
    'separators: loop {
        for separator in VALUE_SEPARATORS {
            if bytes[value..].starts_with(separator.as_bytes()) {
                match separator {
                    "\\\"" => quote = Quote::Escaped,
                    "\"" | "'" => quote = Quote::Plain,
                    " " => {}
                    _ => {
                        separated = true;
                        // A quote before the separator closed the name, not a value.
                        quote = Quote::None;
                    }
                }
                value += separator.len();
                continue 'separators;
            }
        }
        break;
    }
    (separated && value < bytes.len()).then_some((value, quote))
}

/// How a value is delimited.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Quote {
    /// Not quoted: it ends at a delimiter.
    None,
    /// `"…"` or `'…'`: it ends at the next unescaped quote.
    Plain,
    /// `\"…\"` (JSON inside a JSON string): it ends at the next `\"`.
    Escaped,
}

/// Bytes of a field name: letters, digits and the separators names use.
fn is_name_byte(byte: u8) -> bool {
    byte.is_ascii_alphanumeric() || matches!(byte, b'_' | b'-' | b'.')
}

/// Where a value starting at `start` ends: at the closing quote, or at a delimiter when
/// unquoted; the end of the text when none comes.
fn value_end(bytes: &[u8], start: usize, quote: Quote) -> usize {
    let mut j = start;
    while j < bytes.len() {
        let byte = bytes[j];
        match quote {
            Quote::Escaped if byte == b'\\' && bytes.get(j + 1) == Some(&b'"') => return j,
            Quote::Plain if byte == b'\\' => j += 1,
            Quote::Plain if matches!(byte, b'"' | b'\'') => return j,
            Quote::None
                if matches!(
                    byte,
                    b'&' | b'<'
                        | b'"'
                        | b'\''
                        | b','
                        | b';'
                        | b'}'
                        | b']'
                        | b' '
                        | b'\t'
                        | b'\r'
                        | b'\n'
                ) || VALUE_ENDS
                    .iter()
                    .any(|end| bytes[j..].starts_with(end.as_bytes())) =>
            {
                return j;
            }
            _ => {}
        }
        j += 1;
    }
    bytes.len()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn secret_parameter_names() {
        for name in [
            "Signature",
            "SecurityToken",
            "OIDCToken",
            "SAMLAssertion",
            "AccessKeySecret",
            "Password",
            "VncPassword",
            "KeyPairPrivateKey",
            "x-acs-security-token",
            "login_password",
            "LaunchConfiguration.Password",
            "ProxyPassword",
        ] {
            assert!(is_secret_parameter(name), "{name}");
        }
        for name in [
            "NextToken",
            "nextToken",
            "next_token",
            "NextPageToken",
            "ClientToken",
            "RegionId",
            "TokenId",
            "RoleArn",
            "PasswordLength",
            "MaxPasswordAge",
            "PasswordInherit",
            "PasswordResetRequired",
        ] {
            assert!(!is_secret_parameter(name), "{name}");
        }
    }

    #[test]
    fn secrets_are_replaced() {
        let uri: http::Uri =
            "https://sts.aliyuncs.com/?Action=A&Signature=abc%3D&SecurityToken=tok"
                .parse()
                .unwrap_or_default();
        let shown = super::uri(&uri);
        assert!(
            shown.contains("Action=A") && !shown.contains("abc") && !shown.contains("tok"),
            "{shown}"
        );
        let mut map = http::HeaderMap::new();
        map.insert(
            "authorization",
            http::HeaderValue::from_static("ACS3-HMAC-SHA256 Credential=x,Signature=y"),
        );
        map.insert("x-acs-action", http::HeaderValue::from_static("AssumeRole"));
        let shown = headers(&map);
        assert!(shown.contains("x-acs-action: AssumeRole") && !shown.contains("Signature=y"));
        let form = body(
            Some("application/x-www-form-urlencoded"),
            b"RoleArn=r&OIDCToken=eyJ",
        );
        assert_eq!(form, "RoleArn=r&OIDCToken=** redacted **");
        assert_eq!(
            body(Some("application/json"), b"{\"password\":\"p\"}"),
            "<16 bytes>"
        );
    }

    #[test]
    fn scrubbing_covers_every_format() {
        let cases = [
            r#"{"AccessKeyId":"STS.id","AccessKeySecret":"SECRET1","SecurityToken":"TOKEN1"}"#,
            r#"{"AccessKeySecret" : "SECRET1", "SecurityToken": "TOKEN1\"x"}"#,
            "<Credentials><AccessKeySecret>SECRET1</AccessKeySecret><SecurityToken>TOKEN1</SecurityToken></Credentials>",
            "Action=AssumeRoleWithOIDC&OIDCToken=SECRET1&SecurityToken=TOKEN1&RoleArn=r",
            "POST&%2F&OIDCToken%3DSECRET1%26SecurityToken%3DTOKEN1%26Version%3D1",
            "GET&%2F&SecurityToken%253DSECRET1%2526Version%253D1 SecurityToken%253DTOKEN1",
            "password: SECRET1\nSecurityToken = TOKEN1",
            "{\"SecurityToken\":\"TOKEN1-cut-off-before-its-end",
            "<SecurityToken>TOKEN1-cut-off",
            "OIDCToken=SECRET1",
            // Found by the fuzzer: a secret-named run right before a key once swallowed
            // the key as its value, and the key's own value was then shown.
            "x-ytoken\"AccessKeySecret\":\"SECRET1\" SecurityToken=TOKEN1",
            "token=\"AccessKeySecret\":\"SECRET1\",\"SecurityToken\":\"TOKEN1\"",
            "Password=SecurityToken=TOKEN1&OIDCToken=SECRET1",
        ];
        for case in cases {
            let shown = scrub_text(case);
            assert!(
                !shown.contains("SECRET1") && !shown.contains("TOKEN1"),
                "{case} -> {shown}"
            );
            assert!(shown.contains(REDACTED), "{shown}");
        }
        // What is not secret stays readable.
        let shown = scrub_text(r#"{"NextToken":"page-2","AccessKeyId":"STS.id","Code":"X"}"#);
        assert_eq!(
            shown,
            r#"{"NextToken":"page-2","AccessKeyId":"STS.id","Code":"X"}"#
        );
        assert_eq!(scrub_text("SecurityToken"), "SecurityToken");
        assert_eq!(scrub_text(""), "");
    }
}
