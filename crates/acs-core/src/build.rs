//! Turns an operation, its parameters and a credentials snapshot into a signed HTTP request.

use acs_signer::encoding::{percent_encode, percent_encode_into};
use acs_signer::{
    BearerToken, Credentials, SignableRequest, SignatureAlgorithm, SigningContext, SigningOutput,
};
use bytes::Bytes;

use crate::config::SignatureVersion;
use crate::error::Error;
use crate::operation::{BodyFormat, Operation, Request, ResponseFormat, Style};

/// Everything fixed for one call: where it goes and how it is signed.
pub(crate) struct Target<'a> {
    pub(crate) scheme: &'a str,
    pub(crate) host: &'a str,
    pub(crate) signature: SignatureVersion,
    pub(crate) user_agent: &'a str,
}

/// The algorithm for an operation's style under the client's setting.
pub(crate) fn algorithm(signature: SignatureVersion, style: Style) -> SignatureAlgorithm {
    match (signature, style) {
        (SignatureVersion::V3Sm3, _) => SignatureAlgorithm::Acs3HmacSm3,
        (SignatureVersion::Legacy, Style::Rpc) => SignatureAlgorithm::RpcV1,
        (SignatureVersion::Legacy, Style::Roa) => SignatureAlgorithm::Roa,
        _ => SignatureAlgorithm::Acs3HmacSha256,
    }
}

/// How one attempt authenticates.
#[derive(Clone, Copy)]
pub(crate) enum Auth<'a> {
    /// Unsigned (anonymous operations), with the time and nonce the official SDKs send anyway.
    None,
    /// Signed with an access key snapshot.
    Signed(&'a Credentials),
    /// Carrying a bearer token.
    Bearer(&'a BearerToken),
}

/// Builds one attempt's request.
pub(crate) fn build_request(
    operation: &Operation,
    request: &Request,
    target: &Target<'_>,
    auth: Auth<'_>,
    context: &SigningContext,
) -> Result<http::Request<Bytes>, Error> {
    // An unsigned RPC call goes in the RPC shape (action, version, time and nonce in the
    // query) whatever the signature setting: so the official SDKs send their anonymous RPC
    // operations (STS `AssumeRoleWithOIDC`, `AssumeRoleWithSAML`).
    let algorithm = match (auth, operation.style()) {
        (Auth::None, Style::Rpc) => SignatureAlgorithm::RpcV1,
        _ => algorithm(target.signature, operation.style()),
    };
    if operation.response() == ResponseFormat::Xml
        && matches!(
            algorithm,
            SignatureAlgorithm::Acs3HmacSha256 | SignatureAlgorithm::Acs3HmacSm3
        )
    {
        // The V3 request shape has no response-format parameter (RPC's `Format` is a legacy
        // common parameter), so the service answers JSON whatever `Accept` says.
        return Err(Error::construction(
            "XML responses need the legacy signatures (SignatureVersion::Legacy): \
             a V3-signed request has no response-format parameter and is answered in JSON",
        )
        .with_request_not_sent());
    }
    let path = expand_path(operation.pathname(), request.path_params())?;

    let mut query: Vec<(&str, &str)> = request
        .query_params()
        .iter()
        .map(|(k, v)| (k.as_str(), v.as_str()))
        .collect();
    let format = match operation.response() {
        ResponseFormat::Xml => "XML",
        _ => "JSON",
    };
    if algorithm == SignatureAlgorithm::RpcV1 {
        query.push(("Action", operation.action()));
        query.push(("Format", format));
        query.push(("Version", operation.version()));
    }
    let form: Vec<(&str, &str)> = request
        .form_params()
        .iter()
        .map(|(k, v)| (k.as_str(), v.as_str()))
        .collect();

    // The body: form fields, or the raw (JSON or binary) body.
    let (body, content_type): (Vec<u8>, Option<&str>) = if !form.is_empty() {
        let mut text = String::new();
        for (i, (k, v)) in form.iter().enumerate() {
            if i > 0 {
                text.push('&');
            }
            percent_encode_into(&mut text, k);
            text.push('=');
            percent_encode_into(&mut text, v);
        }
        (text.into_bytes(), Some("application/x-www-form-urlencoded"))
    } else if let Some(raw) = request.body() {
        let content_type = match operation.body() {
            BodyFormat::Json => "application/json; charset=utf-8",
            BodyFormat::Form => "application/x-www-form-urlencoded",
            _ => "application/octet-stream",
        };
        (raw.to_vec(), Some(content_type))
    } else {
        (Vec::new(), None)
    };

    let accept = match operation.response() {
        ResponseFormat::Xml => "application/xml",
        _ => "application/json",
    };
    let mut headers: Vec<(String, String)> = vec![
        ("host".into(), target.host.into()),
        ("x-acs-version".into(), operation.version().into()),
        ("x-acs-action".into(), operation.action().into()),
        ("user-agent".into(), target.user_agent.into()),
        ("accept".into(), accept.into()),
    ];
    if let Some(content_type) = content_type {
        headers.push(("content-type".into(), content_type.into()));
        if algorithm == SignatureAlgorithm::Roa {
            headers.push(("content-md5".into(), content_md5(&body)));
        }
    }
    for (name, value) in request.headers() {
        headers.push((name.to_ascii_lowercase(), value.clone()));
    }

    // `path` is encoded once (its parameters' values by `expand_path`) and goes on the wire
    // as it is; the signer signs exactly that.
    let signable = SignableRequest::new(operation.method(), &path)
        .encoded_path()
        .query(&query)
        .form(&form)
        .headers(&headers)
        .body(&body);
    let signing_failed = |e| Error::construction("the request cannot be signed").with_source(e);
    let output: Option<SigningOutput<'_>> = match auth {
        Auth::Signed(creds) => {
            Some(acs_signer::sign(algorithm, &signable, creds, context).map_err(signing_failed)?)
        }
        Auth::Bearer(token) => Some(
            acs_signer::sign_with_bearer_token(algorithm, token, context)
                .map_err(signing_failed)?,
        ),
        Auth::None => None,
    };
    let mut uri = format!("{}://{}{path}", target.scheme, target.host);
    let mut first = true;
    let mut add_query = |uri: &mut String, name: &str, value: &str| {
        uri.push(if first { '?' } else { '&' });
        first = false;
        percent_encode_into(uri, name);
        uri.push('=');
        percent_encode_into(uri, value);
    };
    for (name, value) in &query {
        add_query(&mut uri, name, value);
    }
    let mut builder = http::Request::builder().method(operation.method());
    for (name, value) in &headers {
        if name != "host" {
            builder = builder.header(name.as_str(), value.as_str());
        }
    }
    match &output {
        Some(output) => {
            for (name, value) in output.query_params() {
                add_query(&mut uri, name, value);
            }
            for (name, value) in output.headers() {
                builder = builder.header(name, value);
            }
        }
        None => {
            // Unsigned: still send the time and nonce, as the official SDKs do.
            let time = context
                .iso8601()
                .map_err(|e| Error::construction("bad clock").with_source(e))?;
            if algorithm == SignatureAlgorithm::RpcV1 {
                add_query(&mut uri, "Timestamp", &time);
                add_query(&mut uri, "SignatureNonce", context.nonce().as_str());
            } else {
                builder = builder
                    .header("x-acs-date", time.as_str())
                    .header("x-acs-signature-nonce", context.nonce().as_str());
            }
        }
    }
    builder
        .uri(uri)
        .body(Bytes::from(body))
        .map_err(|e| Error::construction("the HTTP request cannot be built").with_source(e))
}

/// Substitutes `{Name}` placeholders with percent-encoded path parameters: the path as sent
/// (and signed), each value encoded once, `/` inside a value included, as the official SDKs
/// encode them.
fn expand_path(template: &str, params: &[(String, String)]) -> Result<String, Error> {
    let mut out = String::with_capacity(template.len() + 32);
    let mut rest = template;
    while let Some(open) = rest.find('{') {
        out.push_str(&rest[..open]);
        let after = &rest[open + 1..];
        let close = after.find('}').ok_or_else(|| {
            Error::construction(format!("unterminated placeholder in {template}"))
        })?;
        let name = &after[..close];
        let value = params
            .iter()
            .find(|(k, _)| k == name)
            .map(|(_, v)| v)
            .ok_or_else(|| Error::construction(format!("missing path parameter {name}")))?;
        // Encoded like the official SDKs (a `/` inside a value stays data, not a separator).
        out.push_str(&percent_encode(value));
        rest = &after[close + 1..];
    }
    out.push_str(rest);
    Ok(out)
}

/// `Content-MD5` for ROA bodies: the Base64 of the body's MD5.
fn content_md5(body: &[u8]) -> String {
    use base64::Engine as _;
    use md5::Digest as _;
    base64::engine::general_purpose::STANDARD.encode(md5::Md5::digest(body))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn paths_expand_with_encoded_values() {
        let params = vec![("ClusterId".to_string(), "c 1/x".to_string())];
        assert_eq!(
            expand_path("/clusters/{ClusterId}/nodes", &params)
                .ok()
                .as_deref(),
            Some("/clusters/c%201%2Fx/nodes")
        );
        assert!(expand_path("/clusters/{ClusterId}", &[]).is_err());
        assert!(expand_path("/clusters/{ClusterId", &params).is_err());
    }

    #[test]
    fn content_md5_is_base64_of_md5() {
        // RFC 1321 test suite: MD5("abc") = 900150983cd24fb0d6963f7d28e17f72.
        assert_eq!(content_md5(b"abc"), "kAFQmDzST7DWlj99KOF/cg==");
        assert_eq!(content_md5(b""), "1B2M2Y8AsgTpgAmY7PhCfg==");
    }
}
