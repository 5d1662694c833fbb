//! What may appear in trace-level logs of requests and responses.

/// Headers whose values are secrets or authenticate a request.
const SECRET_HEADERS: [&str; 5] = [
    "authorization",
    "x-acs-security-token",
    "x-acs-bearer-token",
    "proxy-authorization",
    "x-acs-accesskey-secret",
];

/// Whether a parameter's or field's value is a secret or authenticates a request: the
/// signature, and any name ending in `Secret` or `Token` (except the `NextToken` paging cursor)
/// or naming a password, private key or SAML assertion. Trace logs and error messages redact
/// such values, and generated models redact such fields in `Debug` (the code generator uses
/// this same rule).
///
/// ```
/// assert!(acs_core::is_secret_parameter("OIDCToken"));
/// assert!(acs_core::is_secret_parameter("Password"));
/// assert!(!acs_core::is_secret_parameter("NextToken"));
/// assert!(!acs_core::is_secret_parameter("RegionId"));
/// ```
pub fn is_secret_parameter(name: &str) -> bool {
    let lower = name.to_ascii_lowercase().replace(['_', '-', '.'], "");
    if lower == "nexttoken" {
        return false;
    }
    lower == "signature"
        || lower.ends_with("secret")
        || lower.ends_with("token")
        || lower.contains("password")
        || lower.ends_with("privatekey")
        || lower.ends_with("privatekeybody")
        || lower == "samlassertion"
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
        ] {
            assert!(is_secret_parameter(name), "{name}");
        }
        for name in ["NextToken", "RegionId", "TokenId", "RoleArn"] {
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
}
