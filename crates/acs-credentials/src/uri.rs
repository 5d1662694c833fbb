//! Credentials from a URL (`ALIBABA_CLOUD_CREDENTIALS_URI`): `GET` answering JSON with
//! `AccessKeyId`, `AccessKeySecret`, `SecurityToken` and `Expiration`.

use std::sync::Arc;
use std::time::Duration;

use acs_core::{Error, HttpClient, HyperClient, ProvideCredentials, ProxyConfig, ResponseLimits};
use acs_signer::Credentials;
use bytes::Bytes;

use crate::cache::CachedProvider;

/// Fetches temporary credentials from a URL on every refresh (cached in between).
#[derive(Debug)]
pub struct CredentialsUriProvider {
    http: Arc<dyn HttpClient>,
    uri: String,
}

impl CredentialsUriProvider {
    /// A provider reading `uri` (`http://` or `https://`).
    pub fn new(uri: impl Into<String>) -> Result<CachedProvider<Self>, Error> {
        let uri = uri.into();
        let parsed: http::Uri = uri
            .parse()
            .map_err(|_| Error::construction("credentials_uri: not a valid URL"))?;
        if !matches!(parsed.scheme_str(), Some("http" | "https")) || parsed.host().is_none() {
            return Err(Error::construction(
                "credentials_uri: needs an http:// or https:// URL",
            ));
        }
        let http = HyperClient::new(Duration::from_secs(5), &ProxyConfig::from_env())?;
        Ok(CachedProvider::new(Self {
            http: Arc::new(http),
            uri,
        }))
    }
}

#[async_trait::async_trait]
impl ProvideCredentials for CredentialsUriProvider {
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
        let value: serde_json::Value = serde_json::from_slice(response.body())
            .map_err(|_| Error::credentials("credentials_uri: the answer is not JSON"))?;
        crate::temporary::from_json(Some(&value), "credentials_uri")
    }
}
