//! Credentials from a URL (`ALIBABA_CLOUD_CREDENTIALS_URI`): `GET` answering JSON with
//! `AccessKeyId`, `AccessKeySecret`, `SecurityToken` and `Expiration`.

use std::sync::Arc;
use std::time::Duration;

use acs_core::{Error, HttpClient, HyperClient, ProvideCredentials, ProxyConfig, ResponseLimits};
use acs_signer::Credentials;
use bytes::Bytes;

use crate::cache::CachedProvider;

/// Fetches temporary credentials from a URL on every refresh (cached in between).
///
/// The URL must be `https://`, or `http://` to a loopback host or the metadata address
/// ([`acs_core::allows_plain_http`]); plain HTTP elsewhere needs
/// [`new_allowing_insecure_http`](Self::new_allowing_insecure_http) (or
/// `ALIBABA_CLOUD_CREDENTIALS_URI_ALLOW_INSECURE_HTTP=true` for the default chain). Its
/// `Debug` shows the URL without its query string, which may hold a token.
pub struct CredentialsUriProvider {
    http: Arc<dyn HttpClient>,
    uri: String,
}

impl std::fmt::Debug for CredentialsUriProvider {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("CredentialsUriProvider")
            .field("uri", &without_query(&self.uri))
            .finish_non_exhaustive()
    }
}

/// A URL for display: scheme, host and path; no user info, query or fragment.
fn without_query(uri: &str) -> String {
    match uri.parse::<http::Uri>() {
        Ok(parsed) => format!(
            "{}://{}{}",
            parsed.scheme_str().unwrap_or("?"),
            parsed.host().unwrap_or("?"),
            parsed.path()
        ),
        Err(_) => "<invalid URL>".to_owned(),
    }
}

impl CredentialsUriProvider {
    /// A provider reading `uri`: `https://`, or `http://` to a loopback host or the metadata
    /// address.
    ///
    /// ```
    /// use acs_credentials::CredentialsUriProvider;
    /// assert!(CredentialsUriProvider::new("http://127.0.0.1:8080/creds").is_ok());
    /// assert!(CredentialsUriProvider::new("https://creds.example.com/c").is_ok());
    /// assert!(CredentialsUriProvider::new("http://creds.example.com/c").is_err());
    /// ```
    pub fn new(uri: impl Into<String>) -> Result<CachedProvider<Self>, Error> {
        Self::build(uri.into(), false)
    }

    /// A provider reading `uri`, plain HTTP to any host included: the credentials then cross
    /// the network unencrypted.
    pub fn new_allowing_insecure_http(
        uri: impl Into<String>,
    ) -> Result<CachedProvider<Self>, Error> {
        Self::build(uri.into(), true)
    }

    pub(crate) fn build(
        uri: String,
        allow_insecure_http: bool,
    ) -> Result<CachedProvider<Self>, Error> {
        acs_core::check_credentials_url("credentials_uri", &uri, allow_insecure_http)?;
        let http = HyperClient::new(Duration::from_secs(5), &ProxyConfig::from_env())?;
        Ok(CachedProvider::new(Self {
            http: Arc::new(http),
            uri,
        }))
    }
}

#[async_trait::async_trait]
impl ProvideCredentials for CredentialsUriProvider {
    fn name(&self) -> &'static str {
        "credentials_uri"
    }

    async fn provide_credentials(&self) -> Result<Credentials, Error> {
        let request = http::Request::get(self.uri.as_str())
            .body(Bytes::new())
            .map_err(|e| Error::construction("credentials_uri: bad request").with_source(e))?;
        let response = self
            .http
            .send(
                request,
                ResponseLimits::new(Duration::from_secs(5), 64 * 1024),
            )
            .await?;
        if response.status() != 200 {
            return Err(Error::credentials(format!(
                "credentials_uri: HTTP {}",
                response.status()
            )));
        }
        parse_answer(response.body())
    }
}

/// The URL's answer: a JSON object with the four fields.
pub(crate) fn parse_answer(body: &[u8]) -> Result<Credentials, Error> {
    let value: serde_json::Value = serde_json::from_slice(body)
        .map_err(|_| Error::credentials("credentials_uri: the answer is not JSON"))?;
    crate::temporary::from_json(Some(&value), "credentials_uri")
}
