//! What generated code fills in: the description of one API operation and its parameters.

use std::fmt;

use serde::Serialize;

use crate::error::Error;

/// How an API is addressed.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum Style {
    /// Action-based APIs (`?Action=DescribeRegions`), path `/`.
    Rpc,
    /// Resource-oriented APIs (`GET /clusters/{ClusterId}`).
    Roa,
}

/// How an operation authenticates.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum AuthType {
    /// Signed with an access key (the usual case).
    AccessKey,
    /// Sent unsigned (for example `AssumeRoleWithOIDC`).
    Anonymous,
    /// Carries a bearer token.
    Bearer,
}

/// The format of the request body.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum BodyFormat {
    /// `application/x-www-form-urlencoded` fields.
    Form,
    /// A JSON document.
    Json,
    /// Raw bytes.
    Binary,
}

/// The format of the response body.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum ResponseFormat {
    /// A JSON document.
    Json,
    /// An XML document (RPC APIs called with `Format=XML`).
    Xml,
    /// No body worth decoding (for example HTTP 204).
    None,
}

/// One API operation, as its metadata describes it. Generated clients keep these in `const`s.
///
/// ```
/// use acs_core::{Operation, Style};
/// const ASSUME_ROLE: Operation = Operation::rpc("Sts", "2015-04-01", "AssumeRole");
/// assert_eq!(ASSUME_ROLE.style(), Style::Rpc);
/// assert_eq!(ASSUME_ROLE.method(), "POST");
/// const DESCRIBE_CLUSTER: Operation =
///     Operation::roa("CS", "2015-12-15", "DescribeClusterDetail", "GET", "/clusters/{ClusterId}");
/// assert_eq!(DESCRIBE_CLUSTER.pathname(), "/clusters/{ClusterId}");
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Operation {
    product: &'static str,
    version: &'static str,
    action: &'static str,
    style: Style,
    method: &'static str,
    pathname: &'static str,
    auth: AuthType,
    body: BodyFormat,
    response: ResponseFormat,
    idempotent: bool,
    sensitive_response: bool,
}

impl Operation {
    /// An RPC operation: `POST /`, signed, form body, JSON response.
    pub const fn rpc(product: &'static str, version: &'static str, action: &'static str) -> Self {
        Self {
            product,
            version,
            action,
            style: Style::Rpc,
            method: "POST",
            pathname: "/",
            auth: AuthType::AccessKey,
            body: BodyFormat::Form,
            response: ResponseFormat::Json,
            idempotent: false,
            sensitive_response: false,
        }
    }

    /// A ROA operation on `pathname` (with `{Param}` placeholders): signed, JSON in and out.
    pub const fn roa(
        product: &'static str,
        version: &'static str,
        action: &'static str,
        method: &'static str,
        pathname: &'static str,
    ) -> Self {
        Self {
            product,
            version,
            action,
            style: Style::Roa,
            method,
            pathname,
            auth: AuthType::AccessKey,
            body: BodyFormat::Json,
            response: ResponseFormat::Json,
            idempotent: false,
            sensitive_response: false,
        }
    }

    /// The same operation with another HTTP method.
    pub const fn with_method(mut self, method: &'static str) -> Self {
        self.method = method;
        self
    }

    /// The same operation with another authentication type.
    pub const fn with_auth(mut self, auth: AuthType) -> Self {
        self.auth = auth;
        self
    }

    /// The same operation with another request body format.
    pub const fn with_body(mut self, body: BodyFormat) -> Self {
        self.body = body;
        self
    }

    /// The same operation with another response format.
    pub const fn with_response(mut self, response: ResponseFormat) -> Self {
        self.response = response;
        self
    }

    /// The same operation, marked as safe to send again after a failure that may have reached
    /// the server (a timeout or a connection lost after sending): it only reads, or it carries
    /// an idempotency token (`ClientToken`) that stays the same across a call's attempts.
    /// Operations not so marked are retried only for failures that certainly did not reach the
    /// server, or that the server answered (throttling, transient codes, 5xx).
    ///
    /// ```
    /// use acs_core::Operation;
    /// const DESCRIBE: Operation = Operation::rpc("Ecs", "2014-05-26", "DescribeInstances").with_idempotent(true);
    /// assert!(DESCRIBE.is_idempotent());
    /// assert!(!Operation::rpc("Ecs", "2014-05-26", "DeleteInstance").is_idempotent());
    /// ```
    pub const fn with_idempotent(mut self, idempotent: bool) -> Self {
        self.idempotent = idempotent;
        self
    }

    /// The same operation, marked as answering with credentials (STS's `AssumeRole`): a
    /// response body that fails to decode is never quoted in errors or logs.
    pub const fn with_sensitive_response(mut self, sensitive: bool) -> Self {
        self.sensitive_response = sensitive;
        self
    }

    /// Whether the operation is safe to send again ([`with_idempotent`](Self::with_idempotent)).
    pub const fn is_idempotent(&self) -> bool {
        self.idempotent
    }

    /// Whether the response carries credentials
    /// ([`with_sensitive_response`](Self::with_sensitive_response)).
    pub const fn sensitive_response(&self) -> bool {
        self.sensitive_response
    }

    /// The product code, such as `Sts` or `Ecs`.
    pub const fn product(&self) -> &'static str {
        self.product
    }
    /// The API version, such as `2015-04-01`.
    pub const fn version(&self) -> &'static str {
        self.version
    }
    /// The action name, such as `AssumeRole`.
    pub const fn action(&self) -> &'static str {
        self.action
    }
    /// RPC or ROA.
    pub const fn style(&self) -> Style {
        self.style
    }
    /// The HTTP method.
    pub const fn method(&self) -> &'static str {
        self.method
    }
    /// The path template.
    pub const fn pathname(&self) -> &'static str {
        self.pathname
    }
    /// How the operation authenticates.
    pub const fn auth(&self) -> AuthType {
        self.auth
    }
    /// The request body format.
    pub const fn body(&self) -> BodyFormat {
        self.body
    }
    /// The response body format.
    pub const fn response(&self) -> ResponseFormat {
        self.response
    }
}

/// A fresh idempotency token (`ClientToken`): a random UUID (version 4) from the operating
/// system's CSPRNG. Generated clients fill one in when the caller leaves `ClientToken` unset,
/// once per call, so every attempt of that call carries the same token and retrying it cannot
/// repeat its effect.
///
/// ```
/// let token = acs_core::idempotency_token()?;
/// assert_eq!(token.len(), 36);
/// assert_eq!(&token[14..15], "4");
/// assert_ne!(token, acs_core::idempotency_token()?);
/// # Ok::<(), acs_core::Error>(())
/// ```
pub fn idempotency_token() -> Result<String, Error> {
    let nonce = acs_signer::Nonce::random()
        .map_err(|e| Error::construction("no idempotency token").with_source(e))?;
    let hex = nonce.as_str();
    // Version 4 and the RFC 4122 variant, in the canonical 8-4-4-4-12 form.
    let variant = match hex.as_bytes().get(16) {
        Some(b'0'..=b'3') => '8',
        Some(b'4'..=b'7') => '9',
        Some(b'8'..=b'b') => 'a',
        _ => 'b',
    };
    Ok(format!(
        "{}-{}-4{}-{variant}{}-{}",
        &hex[0..8],
        &hex[8..12],
        &hex[13..16],
        &hex[17..20],
        &hex[20..32]
    ))
}

/// The parameters of one call, by location. Names and values are unencoded.
///
/// ```
/// use acs_core::Request;
/// let mut request = Request::new();
/// request.query("RegionId", "cn-hangzhou");
/// request.query_repeat_list("InstanceIds", &["i-1", "i-2"]).unwrap();
/// assert_eq!(request.query_params(), &[
///     ("RegionId".to_string(), "cn-hangzhou".to_string()),
///     ("InstanceIds.1".to_string(), "i-1".to_string()),
///     ("InstanceIds.2".to_string(), "i-2".to_string()),
/// ]);
/// ```
#[derive(Clone, Default, PartialEq)]
pub struct Request {
    query: Vec<(String, String)>,
    form: Vec<(String, String)>,
    path: Vec<(String, String)>,
    headers: Vec<(String, String)>,
    body: Option<Vec<u8>>,
}

impl fmt::Debug for Request {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        // Values can hold secrets (SAML assertions, OIDC tokens): names only.
        let names =
            |v: &Vec<(String, String)>| v.iter().map(|(k, _)| k.clone()).collect::<Vec<_>>();
        f.debug_struct("Request")
            .field("query", &names(&self.query))
            .field("form", &names(&self.form))
            .field("path", &names(&self.path))
            .field("headers", &names(&self.headers))
            .field("body_bytes", &self.body.as_ref().map(Vec::len))
            .finish()
    }
}

impl Request {
    /// No parameters.
    pub fn new() -> Self {
        Self::default()
    }

    /// Adds a query parameter.
    pub fn query(&mut self, name: impl Into<String>, value: impl Into<String>) -> &mut Self {
        self.query.push((name.into(), value.into()));
        self
    }

    /// Adds a form-body parameter.
    pub fn form(&mut self, name: impl Into<String>, value: impl Into<String>) -> &mut Self {
        self.form.push((name.into(), value.into()));
        self
    }

    /// Sets a path parameter (`{Name}` in the operation's path template).
    pub fn path(&mut self, name: impl Into<String>, value: impl Into<String>) -> &mut Self {
        self.path.push((name.into(), value.into()));
        self
    }

    /// Adds a header.
    pub fn header(&mut self, name: impl Into<String>, value: impl Into<String>) -> &mut Self {
        self.headers.push((name.into(), value.into()));
        self
    }

    /// Sets a JSON body (ROA) from any serialisable value.
    pub fn json_body(&mut self, body: &impl Serialize) -> Result<&mut Self, Error> {
        let bytes = serde_json::to_vec(body)
            .map_err(|e| Error::construction(format!("the body cannot be serialised: {e}")))?;
        self.body = Some(bytes);
        Ok(self)
    }

    /// Sets a raw body.
    pub fn raw_body(&mut self, body: Vec<u8>) -> &mut Self {
        self.body = Some(body);
        self
    }

    /// Adds a list as `Name.1`, `Name.2`, … (`repeatList` style); objects inside become
    /// `Name.1.Field` (`flat` style), as the official SDKs flatten them.
    pub fn query_repeat_list(
        &mut self,
        name: &str,
        values: &impl Serialize,
    ) -> Result<&mut Self, Error> {
        flatten_into(&mut self.query, name, values)?;
        Ok(self)
    }

    /// [`query_repeat_list`](Self::query_repeat_list) into the form body.
    pub fn form_repeat_list(
        &mut self,
        name: &str,
        values: &impl Serialize,
    ) -> Result<&mut Self, Error> {
        flatten_into(&mut self.form, name, values)?;
        Ok(self)
    }

    /// Adds a value serialised as a JSON string (`json` style).
    pub fn query_json(&mut self, name: &str, value: &impl Serialize) -> Result<&mut Self, Error> {
        let text = serde_json::to_string(value)
            .map_err(|e| Error::construction(format!("{name} cannot be serialised: {e}")))?;
        self.query.push((name.to_owned(), text));
        Ok(self)
    }

    /// [`query_json`](Self::query_json) into the form body.
    pub fn form_json(&mut self, name: &str, value: &impl Serialize) -> Result<&mut Self, Error> {
        let text = serde_json::to_string(value)
            .map_err(|e| Error::construction(format!("{name} cannot be serialised: {e}")))?;
        self.form.push((name.to_owned(), text));
        Ok(self)
    }

    /// The query parameters.
    pub fn query_params(&self) -> &[(String, String)] {
        &self.query
    }
    /// The form-body parameters.
    pub fn form_params(&self) -> &[(String, String)] {
        &self.form
    }
    /// The path parameters.
    pub fn path_params(&self) -> &[(String, String)] {
        &self.path
    }
    /// The headers.
    pub fn headers(&self) -> &[(String, String)] {
        &self.headers
    }
    /// The raw body, if set.
    pub fn body(&self) -> Option<&[u8]> {
        self.body.as_deref()
    }
}

/// Flattens `value` under `prefix` the way the official SDKs do: arrays as `prefix.N` (from 1),
/// objects as `prefix.Field`, scalars as their text (`true`/`false` for booleans); nulls are
/// left out.
///
/// ```
/// use acs_core::flatten;
/// let tags = serde_json::json!([{"Key": "env", "Value": "prod"}]);
/// assert_eq!(flatten("Tag", &tags).unwrap(), vec![
///     ("Tag.1.Key".to_string(), "env".to_string()),
///     ("Tag.1.Value".to_string(), "prod".to_string()),
/// ]);
/// ```
pub fn flatten(prefix: &str, value: &impl Serialize) -> Result<Vec<(String, String)>, Error> {
    let mut out = Vec::new();
    flatten_into(&mut out, prefix, value)?;
    Ok(out)
}

fn flatten_into(
    out: &mut Vec<(String, String)>,
    prefix: &str,
    value: &impl Serialize,
) -> Result<(), Error> {
    let value = serde_json::to_value(value)
        .map_err(|e| Error::construction(format!("{prefix} cannot be serialised: {e}")))?;
    flatten_value(out, prefix.to_owned(), &value);
    Ok(())
}

fn flatten_value(out: &mut Vec<(String, String)>, key: String, value: &serde_json::Value) {
    use serde_json::Value;
    match value {
        Value::Null => {}
        Value::Bool(b) => out.push((key, b.to_string())),
        Value::Number(n) => out.push((key, n.to_string())),
        Value::String(s) => out.push((key, s.clone())),
        Value::Array(items) => {
            for (i, item) in items.iter().enumerate() {
                flatten_value(out, format!("{key}.{}", i + 1), item);
            }
        }
        Value::Object(fields) => {
            for (name, field) in fields {
                flatten_value(out, format!("{key}.{name}"), field);
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn nested_lists_and_objects() {
        let value = serde_json::json!([
            {"Key": "a", "Values": ["x", "y"], "Enabled": true, "Skip": null},
            {"Key": "b", "Size": 40}
        ]);
        let got = flatten("Filter", &value).unwrap_or_default();
        let expected = [
            ("Filter.1.Enabled", "true"),
            ("Filter.1.Key", "a"),
            ("Filter.1.Values.1", "x"),
            ("Filter.1.Values.2", "y"),
            ("Filter.2.Key", "b"),
            ("Filter.2.Size", "40"),
        ];
        let expected: Vec<(String, String)> = expected
            .iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect();
        assert_eq!(got, expected);
    }

    #[test]
    fn json_style_and_debug_hides_values() {
        let mut request = Request::new();
        request
            .query_json("Policy", &serde_json::json!({"Version": "1"}))
            .map(|_| ())
            .unwrap_or(());
        request.form("SAMLAssertion", "secret-assertion");
        assert_eq!(request.query_params()[0].1, r#"{"Version":"1"}"#);
        assert!(!format!("{request:?}").contains("secret-assertion"));
    }
}
