//! The comparison of two captured requests, and the named normalisations it applies.

use serde_json::Value;

use super::capture::Captured;

/// Headers that differ on every request or belong to the signature, not to the call: the
/// comparison leaves them out (the signature is verified elsewhere, against published vectors
/// and the official SDKs).
const SIGNATURE_HEADERS: [&str; 6] = [
    "x-acs-date",
    "x-acs-signature-nonce",
    // A digest of the body bytes; the bodies themselves are compared (JSON as values).
    "x-acs-content-sha256",
    "x-acs-signature-method",
    "x-acs-signature-version",
    // Telemetry: the name of the credentials provider the SDK used (`static_ak`), not part of
    // the call; acs-rs does not report it.
    "x-acs-credentials-provider",
];

/// Query parameters of the legacy RPC shape that differ on every request or are the
/// signature itself.
const SIGNATURE_QUERY: [&str; 3] = ["Timestamp", "SignatureNonce", "Signature"];

/// The common parameters of the legacy RPC shape, which are no operation's parameters.
const COMMON_QUERY: [&str; 8] = [
    "Action",
    "Version",
    "Format",
    "AccessKeyId",
    "SignatureMethod",
    "SignatureVersion",
    "SecurityToken",
    "SignatureType",
];

/// A known quirk of the official Python SDK or a deliberate difference of acs-rs, which the
/// comparison normalises; each applied one is listed in the report.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub(crate) enum Normalised {
    /// The Python SDK writes booleans in query, form and header values as `True`/`False`
    /// (`str()` of a Python bool); the Go and Java SDKs and the metadata write `true`/`false`,
    /// which acs-rs sends.
    PythonBooleans,
    /// acs-rs sends the secret text parameters of RPC POST operations (passwords, keys,
    /// tokens) in the form body, where they stay out of URLs and access logs; the official
    /// SDK sends them in the query. The service reads RPC parameters from either.
    SecretInFormBody,
    /// The tea-based SDKs write the RPC `Format` parameter as `json`; the legacy
    /// aliyun-python-sdk-core and acs-rs write `JSON` (the service reads either).
    FormatCase,
    /// Under the legacy ROA signature the Python SDK labels a raw byte body
    /// `application/json`; its V3 path and the metadata (`consumes`) say
    /// `application/octet-stream`, which acs-rs sends.
    BinaryAsJson,
}

impl Normalised {
    /// What it is, for the report.
    pub(crate) fn describe(self) -> &'static str {
        match self {
            Self::PythonBooleans => {
                "Python SDK quirk: booleans written True/False in query, form and headers (Go, Java and the metadata: true/false)"
            }
            Self::BinaryAsJson => {
                "Python SDK quirk: under the legacy ROA signature a byte body is labelled application/json (its V3 path and the metadata: application/octet-stream)"
            }
            Self::FormatCase => {
                "Python SDK style: the RPC Format parameter written `json` (legacy aliyun-python-sdk-core and acs-rs: `JSON`)"
            }
            Self::SecretInFormBody => {
                "acs-rs by design: secret text parameters of RPC POST operations go in the form body, not the URL (the official SDK: the query)"
            }
        }
    }
}

/// What a comparison found.
#[derive(Debug, Default)]
pub(crate) struct Verdict {
    /// Every difference, in words.
    pub(crate) differences: Vec<String>,
    /// The normalisations applied.
    pub(crate) normalised: Vec<(Normalised, String)>,
    /// What the SDK sent for parameters only it has (its version is newer than the
    /// metadata): left out of the comparison and counted.
    pub(crate) sdk_only: Vec<String>,
}

/// Decodes `a=b&c=d` (form encoding: `+` is a space) into pairs, in order.
pub(crate) fn decode_pairs(text: &str) -> Vec<(String, String)> {
    text.split('&')
        .filter(|p| !p.is_empty())
        .map(|pair| {
            let (k, v) = pair.split_once('=').unwrap_or((pair, ""));
            (decode(k), decode(v))
        })
        .collect()
}

fn decode(text: &str) -> String {
    let bytes = text.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        let escaped = bytes
            .get(i + 1..i + 3)
            .and_then(|h| std::str::from_utf8(h).ok())
            .and_then(|h| u8::from_str_radix(h, 16).ok());
        match (bytes[i], escaped) {
            (b'%', Some(b)) => {
                out.push(b);
                i += 3;
                continue;
            }
            (b'+', _) => out.push(b' '),
            (b, _) => out.push(b),
        }
        i += 1;
    }
    String::from_utf8_lossy(&out).into_owned()
}

fn header<'a>(request: &'a Captured, name: &str) -> Option<&'a str> {
    request
        .headers
        .iter()
        .find(|(n, _)| n == name)
        .map(|(_, v)| v.as_str())
}

fn split_target(target: &str) -> (&str, &str) {
    target.split_once('?').unwrap_or((target, ""))
}

fn python_booleans(pairs: &mut [(String, String)], at: &str, verdict: &mut Verdict) {
    for (key, value) in pairs.iter_mut() {
        let fixed = match value.as_str() {
            "True" => "true",
            "False" => "false",
            _ => continue,
        };
        verdict
            .normalised
            .push((Normalised::PythonBooleans, format!("{at} {key}")));
        *value = fixed.to_owned();
    }
}

fn sorted(mut pairs: Vec<(String, String)>) -> Vec<(String, String)> {
    pairs.sort();
    pairs
}

/// Moves out of `python` the pairs of parameters the metadata does not have (`known` holds
/// the roots of its parameter names): the SDK sends some unset (`Tag=[]`). Named in `out`.
fn sdk_only_pairs(
    python: &mut Vec<(String, String)>,
    known: &[String],
    at: &str,
    out: &mut Vec<String>,
) {
    python.retain(|(key, value)| {
        let root = key.split('.').next().unwrap_or(key);
        let unknown = !known.iter().any(|k| k == root) && !COMMON_QUERY.contains(&root);
        if unknown {
            out.push(format!("{at} {key}={value}"));
        }
        !unknown
    });
}

/// What `a` has that `b` lacks (multiset difference), as `key=value` lines.
fn missing(a: &[(String, String)], b: &[(String, String)]) -> Vec<String> {
    let mut b = b.to_vec();
    let mut out = Vec::new();
    for pair in a {
        if let Some(i) = b.iter().position(|p| p == pair) {
            b.remove(i);
        } else {
            out.push(format!("{}={}", pair.0, pair.1));
        }
    }
    out
}

fn list_differences(
    what: &str,
    python: &[(String, String)],
    rust: &[(String, String)],
    verdict: &mut Verdict,
) {
    let only_python = missing(python, rust);
    let only_rust = missing(rust, python);
    if !only_python.is_empty() {
        verdict.differences.push(format!(
            "{what} only from Python: {}",
            only_python.join(" & ")
        ));
    }
    if !only_rust.is_empty() {
        verdict
            .differences
            .push(format!("{what} only from Rust: {}", only_rust.join(" & ")));
    }
}

/// Where two JSON values differ, as `path: Python … / Rust …` lines (at most eight).
fn json_differences(python: &Value, rust: &Value, at: &str, out: &mut Vec<String>) {
    if out.len() >= 8 {
        return;
    }
    let short = |v: Option<&Value>| {
        v.map_or_else(
            || "absent".to_owned(),
            |v| {
                let text = v.to_string();
                if text.chars().count() > 80 {
                    format!("{}…", text.chars().take(80).collect::<String>())
                } else {
                    text
                }
            },
        )
    };
    match (python, rust) {
        (Value::Object(p), Value::Object(r)) => {
            let keys: std::collections::BTreeSet<&String> = p.keys().chain(r.keys()).collect();
            for key in keys {
                match (p.get(key), r.get(key)) {
                    (Some(a), Some(b)) => json_differences(a, b, &format!("{at}.{key}"), out),
                    (a, b) => out.push(format!(
                        "{at}.{key}: Python {} / Rust {}",
                        short(a),
                        short(b)
                    )),
                }
            }
        }
        (Value::Array(p), Value::Array(r)) if p.len() == r.len() => {
            for (i, (a, b)) in p.iter().zip(r).enumerate() {
                json_differences(a, b, &format!("{at}[{i}]"), out);
            }
        }
        (a, b) if a == b => {}
        (a, b) => out.push(format!(
            "{at}: Python {} / Rust {}",
            short(Some(a)),
            short(Some(b))
        )),
    }
}

/// Removes from `python` the empty lists at keys `rust` lacks (the SDK's models write an unset
/// list as `[]`; every field the metadata has is filled, so these are fields only the SDK
/// has), naming each in `out`.
fn sdk_only_empty_lists(python: &mut Value, rust: &Value, at: &str, out: &mut Vec<String>) {
    match (python, rust) {
        (Value::Object(p), Value::Object(r)) => {
            p.retain(|key, value| {
                let lone = value.as_array().is_some_and(Vec::is_empty) && !r.contains_key(key);
                if lone {
                    out.push(format!("body {at}.{key} (sent as [])"));
                }
                !lone
            });
            for (key, value) in p.iter_mut() {
                if let Some(theirs) = r.get(key) {
                    sdk_only_empty_lists(value, theirs, &format!("{at}.{key}"), out);
                }
            }
        }
        (Value::Array(p), Value::Array(r)) => {
            for (i, (a, b)) in p.iter_mut().zip(r).enumerate() {
                sdk_only_empty_lists(a, b, &format!("{at}[{i}]"), out);
            }
        }
        _ => {}
    }
}

fn is_form(content_type: Option<&str>) -> bool {
    content_type.is_some_and(|c| c.starts_with("application/x-www-form-urlencoded"))
}

fn is_json(content_type: Option<&str>) -> bool {
    content_type.is_some_and(|c| c.starts_with("application/json"))
}

/// What the comparison needs to know of an operation's metadata.
#[derive(Debug, Default)]
pub(crate) struct Facts {
    /// Its header parameters, lower case (compared whatever their names).
    pub(crate) header_params: Vec<String>,
    /// Whether it is an RPC POST, where secrets move to the form body.
    pub(crate) rpc_post: bool,
    /// Whether the metadata gives it body or form parameters.
    pub(crate) metadata_body: bool,
    /// The roots of its parameters' names.
    pub(crate) known: Vec<String>,
    /// Whether its body is raw bytes.
    pub(crate) binary_body: bool,
}

/// Compares the request the official SDK sent with the one acs-rs sent.
pub(crate) fn compare(python: &Captured, rust: &Captured, facts: &Facts) -> Verdict {
    let Facts {
        header_params,
        rpc_post,
        metadata_body,
        known,
        binary_body,
    } = facts;
    let (rpc_post, metadata_body, binary_body) = (*rpc_post, *metadata_body, *binary_body);
    let mut verdict = Verdict::default();
    if python.method != rust.method {
        verdict.differences.push(format!(
            "method: Python {} / Rust {}",
            python.method, rust.method
        ));
    }
    let (python_path, python_query) = split_target(&python.target);
    let (rust_path, rust_query) = split_target(&rust.target);
    if python_path != rust_path {
        verdict
            .differences
            .push(format!("path: Python {python_path} / Rust {rust_path}"));
    }
    // The legacy RPC shape's time and nonce differ on every request.
    let call_only = |pairs: Vec<(String, String)>| -> Vec<(String, String)> {
        pairs
            .into_iter()
            .filter(|(k, _)| !SIGNATURE_QUERY.contains(&k.as_str()))
            .collect()
    };
    let mut python_query = call_only(decode_pairs(python_query));
    let rust_query = call_only(decode_pairs(rust_query));
    python_booleans(&mut python_query, "query", &mut verdict);
    sdk_only_pairs(&mut python_query, known, "query", &mut verdict.sdk_only);
    for (key, value) in &mut python_query {
        if key == "Format"
            && value == "json"
            && rust_query.iter().any(|(k, v)| k == "Format" && v == "JSON")
        {
            *value = "JSON".into();
            verdict
                .normalised
                .push((Normalised::FormatCase, "query Format".into()));
        }
    }

    let python_type = header(python, "content-type");
    let rust_type = header(rust, "content-type");
    // An operation whose body parameters only the SDK has: it sends them unset, as an empty
    // form or `{}`.
    let sdk_only_body = !metadata_body
        && rust.body.is_empty()
        && ((is_form(python_type) && python.body.is_empty())
            || (is_json(python_type)
                && serde_json::from_slice::<Value>(&python.body)
                    .is_ok_and(|p| p == Value::Object(Default::default()))));
    // Bodies.
    if sdk_only_body {
        verdict.sdk_only.push(format!(
            "an empty body ({})",
            python_type.unwrap_or_default()
        ));
    } else if is_form(python_type) || is_form(rust_type) {
        let mut python_form = decode_pairs(&String::from_utf8_lossy(&python.body));
        let rust_form = decode_pairs(&String::from_utf8_lossy(&rust.body));
        python_booleans(&mut python_form, "form", &mut verdict);
        sdk_only_pairs(&mut python_form, known, "form", &mut verdict.sdk_only);
        if rpc_post {
            // A secret acs-rs moved from the query to the form body.
            for pair in missing(&rust_form, &python_form) {
                let (key, value) = pair.split_once('=').unwrap_or((&pair, ""));
                if !crate::codegen::names::is_secret(key) {
                    continue;
                }
                let found = python_query
                    .iter()
                    .position(|(k, v)| k == key && v == value);
                if let Some(i) = found {
                    let moved = python_query.remove(i);
                    verdict
                        .normalised
                        .push((Normalised::SecretInFormBody, moved.0.clone()));
                    python_form.push(moved);
                }
            }
        }
        list_differences(
            "form",
            &sorted(python_form),
            &sorted(rust_form),
            &mut verdict,
        );
    } else if !binary_body && (is_json(python_type) || is_json(rust_type)) {
        let mut python_json: Result<Value, _> = serde_json::from_slice(&python.body);
        let rust_json: Result<Value, _> = serde_json::from_slice(&rust.body);
        // Lists the SDK's models write as `[]` when unset, for fields only the SDK has (every
        // field the metadata has is filled with two items).
        if let (Ok(p), Ok(r)) = (&mut python_json, &rust_json) {
            sdk_only_empty_lists(p, r, "", &mut verdict.sdk_only);
        }
        match (python_json, rust_json) {
            (Ok(p), Ok(r)) if p == r => {}
            (Ok(p), Ok(r)) => {
                let mut paths = Vec::new();
                json_differences(&p, &r, "", &mut paths);
                for path in paths {
                    verdict.differences.push(format!("JSON body {path}"));
                }
            }
            _ => verdict.differences.push(format!(
                "body (not JSON on one side): Python {:?} / Rust {:?}",
                String::from_utf8_lossy(&python.body),
                String::from_utf8_lossy(&rust.body)
            )),
        }
    } else if python.body != rust.body {
        verdict.differences.push(format!(
            "body: Python {:?} / Rust {:?}",
            String::from_utf8_lossy(&python.body),
            String::from_utf8_lossy(&rust.body)
        ));
    }
    list_differences(
        "query",
        &sorted(python_query),
        &sorted(rust_query),
        &mut verdict,
    );
    // The content type, unless the only body is the secrets acs-rs moved there.
    let moved_secrets_only = python.body.is_empty()
        && verdict
            .normalised
            .iter()
            .any(|(k, _)| *k == Normalised::SecretInFormBody);
    let normalise_type = |t: Option<&str>| t.map(|t| t.replace(' ', "").to_ascii_lowercase());
    let binary_labelled_json = binary_body
        && python.body == rust.body
        && is_json(python_type)
        && rust_type == Some("application/octet-stream");
    if binary_labelled_json {
        verdict
            .normalised
            .push((Normalised::BinaryAsJson, "content-type".into()));
    }
    let explained = sdk_only_body
        || binary_labelled_json
        || (moved_secrets_only && python_type.is_none() && is_form(rust_type));
    if normalise_type(python_type) != normalise_type(rust_type) && !explained {
        verdict.differences.push(format!(
            "content-type: Python {python_type:?} / Rust {rust_type:?}"
        ));
    }

    // Headers: `x-acs-*` and the operation's header parameters.
    let compared = |request: &Captured| -> Vec<(String, String)> {
        sorted(
            request
                .headers
                .iter()
                .filter(|(name, _)| {
                    (name.starts_with("x-acs-") && !SIGNATURE_HEADERS.contains(&name.as_str()))
                        || header_params.iter().any(|h| h.eq_ignore_ascii_case(name))
                })
                .cloned()
                .collect(),
        )
    };
    let mut python_headers = compared(python);
    python_booleans(&mut python_headers, "header", &mut verdict);
    list_differences(
        "header",
        &sorted(python_headers),
        &compared(rust),
        &mut verdict,
    );
    verdict
}

#[cfg(test)]
mod tests {
    use super::*;

    fn facts(rpc_post: bool, metadata_body: bool) -> Facts {
        Facts {
            rpc_post,
            metadata_body,
            known: known(),
            ..Facts::default()
        }
    }

    fn known() -> Vec<String> {
        ["A", "B", "C", "D", "X", "DryRun", "Password", "DryRun2"]
            .map(String::from)
            .to_vec()
    }

    fn request(target: &str, headers: &[(&str, &str)], body: &str) -> Captured {
        Captured {
            method: "POST".into(),
            target: target.into(),
            headers: headers
                .iter()
                .map(|(n, v)| ((*n).to_owned(), (*v).to_owned()))
                .collect(),
            body: body.as_bytes().to_vec(),
        }
    }

    #[test]
    fn parameters_only_the_sdk_has_are_set_aside_but_common_ones_are_compared() {
        let python = request("/?Action=Run&Format=json&A=1&Tag=%5B%5D", &[], "");
        let rust = request("/?Action=Run&Format=JSON&A=1", &[], "");
        let verdict = compare(&python, &rust, &facts(true, false));
        assert!(verdict.differences.is_empty(), "{:?}", verdict.differences);
        assert_eq!(verdict.sdk_only, ["query Tag=[]"]);
        // A common parameter missing on one side is a difference.
        let rust = request("/?Format=JSON&A=1", &[], "");
        assert!(
            !compare(&python, &rust, &facts(true, false))
                .differences
                .is_empty()
        );
    }

    #[test]
    fn decoding_reads_form_encoding() {
        assert_eq!(
            decode_pairs("a=x%20y+z&b=%E4%B8%AD&c=100%"),
            [
                ("a".into(), "x y z".into()),
                ("b".into(), "中".into()),
                ("c".into(), "100%".into())
            ]
        );
    }

    #[test]
    fn identical_requests_have_no_difference_whatever_the_order_and_nonce() {
        let form = [("content-type", "application/x-www-form-urlencoded")];
        let a = request(
            "/?B=2&A=1",
            &[
                ("x-acs-action", "Run"),
                ("x-acs-signature-nonce", "1"),
                form[0],
            ],
            "C=3&D=4",
        );
        let b = request(
            "/?A=1&B=2",
            &[
                ("x-acs-signature-nonce", "2"),
                ("x-acs-action", "Run"),
                form[0],
            ],
            "D=4&C=3",
        );
        let verdict = compare(&a, &b, &facts(true, true));
        assert!(verdict.differences.is_empty(), "{:?}", verdict.differences);
    }

    #[test]
    fn a_different_value_anywhere_is_a_difference() {
        let json = [("content-type", "application/json; charset=utf-8")];
        let a = request("/clusters/a%20b?X=1", &json, r#"{"k":[1,2]}"#);
        assert_eq!(
            compare(
                &a,
                &request("/clusters/a+b?X=1", &json, r#"{"k":[1,2]}"#),
                &facts(false, true),
            )
            .differences
            .len(),
            1
        );
        assert_eq!(
            compare(
                &a,
                &request("/clusters/a%20b?X=2", &json, r#"{"k":[1,2]}"#),
                &facts(false, true),
            )
            .differences
            .len(),
            2
        );
        // Each differing place in the JSON body is named.
        assert_eq!(
            compare(
                &a,
                &request("/clusters/a%20b?X=1", &json, r#"{"k":[2,1]}"#),
                &facts(false, true),
            )
            .differences
            .len(),
            2
        );
        let other_action = request(
            "/clusters/a%20b?X=1",
            &[json[0], ("x-acs-action", "B")],
            r#"{"k":[1,2]}"#,
        );
        assert!(
            !compare(&a, &other_action, &facts(false, true))
                .differences
                .is_empty()
        );
    }

    #[test]
    fn a_byte_body_labelled_json_by_the_python_legacy_path_is_named() {
        let python = request(
            "/f",
            &[("content-type", "application/json; charset=utf-8")],
            "raw",
        );
        let rust = request("/f", &[("content-type", "application/octet-stream")], "raw");
        let binary = Facts {
            binary_body: true,
            metadata_body: true,
            ..Facts::default()
        };
        let verdict = compare(&python, &rust, &binary);
        assert!(verdict.differences.is_empty(), "{:?}", verdict.differences);
        assert_eq!(verdict.normalised[0].0, Normalised::BinaryAsJson);
        // Different bytes are still a difference.
        let rust = request(
            "/f",
            &[("content-type", "application/octet-stream")],
            "other",
        );
        assert!(!compare(&python, &rust, &binary).differences.is_empty());
    }

    #[test]
    fn python_booleans_and_secrets_in_the_form_are_normalised_and_named() {
        let form = [("content-type", "application/x-www-form-urlencoded")];
        let python = request("/?DryRun=True&Password=p%201", &form, "A=1");
        let rust = request("/?DryRun=true", &form, "A=1&Password=p+1");
        let verdict = compare(&python, &rust, &facts(true, true));
        assert!(verdict.differences.is_empty(), "{:?}", verdict.differences);
        let kinds: Vec<Normalised> = verdict.normalised.iter().map(|(k, _)| *k).collect();
        assert_eq!(
            kinds,
            [Normalised::PythonBooleans, Normalised::SecretInFormBody]
        );
        // Not for a non-secret parameter, nor outside RPC POST.
        let rust = request("/?DryRun=true&Password=p+1", &form, "A=1&DryRun2=true");
        assert!(
            !compare(&python, &rust, &facts(true, true))
                .differences
                .is_empty()
        );
        let rust = request("/?DryRun=true", &form, "A=1&Password=p+1");
        assert!(
            !compare(&python, &rust, &facts(false, true))
                .differences
                .is_empty()
        );
    }
}
