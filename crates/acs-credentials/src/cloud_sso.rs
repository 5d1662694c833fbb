//! The CLI's `CloudSSO` profiles: temporary credentials from the CloudSSO portal, requested
//! with the access token `aliyun configure --mode CloudSSO` saved after signing in.

use std::sync::Arc;
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use acs_core::{Error, HttpClient, HyperClient, ProvideCredentials, ProxyConfig, ResponseLimits};
use acs_signer::{BearerToken, Credentials};
use bytes::Bytes;

use crate::cache::CachedProvider;

/// Requests temporary credentials for one account and access configuration from the CloudSSO
/// portal (`POST <sign-in URL host>/cloud-credentials`, bearer access token, JSON body), on
/// every refresh (cached in between). The access token is never printed.
///
/// ```
/// use acs_credentials::CloudSsoProvider;
/// let far = std::time::SystemTime::now() + std::time::Duration::from_secs(3600);
/// let provider = CloudSsoProvider::new(
///     "https://signin-cn-shanghai.alibabacloudsso.com/d-00abcd/login",
///     "1234567890123456",
///     "ac-00abcd",
///     "access-token-from-the-cli",
///     far,
/// )?;
/// assert!(!format!("{provider:?}").contains("access-token-from-the-cli"));
/// # Ok::<(), acs_core::Error>(())
/// ```
#[derive(Debug)]
pub struct CloudSsoProvider {
    http: Arc<dyn HttpClient>,
    url: String,
    account_id: String,
    access_config: String,
    access_token: BearerToken,
}

impl CloudSsoProvider {
    /// A provider for `account_id` and access configuration `access_config`, signing in at
    /// `sign_in_url` (HTTPS; plain HTTP only for a loopback host) with `access_token`, which
    /// expires at `token_expiry`. An expired access token is refused here: sign in again with
    /// the CLI.
    pub fn new(
        sign_in_url: &str,
        account_id: impl Into<String>,
        access_config: impl Into<String>,
        access_token: impl Into<String>,
        token_expiry: SystemTime,
    ) -> Result<CachedProvider<Self>, Error> {
        let (account_id, access_config) = (account_id.into(), access_config.into());
        if account_id.is_empty() || access_config.is_empty() {
            return Err(Error::construction(
                "cloud_sso: the account id and the access configuration are required",
            ));
        }
        if token_expiry <= SystemTime::now() {
            return Err(Error::credentials(
                "cloud_sso: the access token has expired; sign in again with `aliyun configure --mode CloudSSO`",
            ));
        }
        let access_token = BearerToken::new(access_token)
            .map_err(|e| Error::construction(format!("cloud_sso: access token: {e}")))?;
        let parsed: http::Uri = sign_in_url
            .parse()
            .map_err(|_| Error::construction("cloud_sso: the sign-in URL is not a valid URL"))?;
        let host = parsed
            .authority()
            .map(|a| a.as_str().to_owned())
            .ok_or_else(|| Error::construction("cloud_sso: the sign-in URL has no host"))?;
        let loopback = parsed
            .host()
            .map(|h| h.trim_start_matches('[').trim_end_matches(']'))
            .is_some_and(|h| {
                h == "localhost"
                    || h.parse::<std::net::IpAddr>()
                        .is_ok_and(|ip| ip.is_loopback())
            });
        let scheme = match parsed.scheme_str() {
            Some("https") => "https",
            Some("http") if loopback => "http",
            _ => {
                return Err(Error::construction(
                    "cloud_sso: the sign-in URL must be https:// (http:// only for loopback)",
                ));
            }
        };
        let http = HyperClient::new(Duration::from_secs(5), &ProxyConfig::from_env())?;
        Ok(CachedProvider::new(Self {
            http: Arc::new(http),
            url: format!("{scheme}://{host}/cloud-credentials"),
            account_id,
            access_config,
            access_token,
        }))
    }

    /// From a CLI profile's seconds-since-epoch expiry.
    pub(crate) fn token_expiry(seconds: i64) -> SystemTime {
        UNIX_EPOCH
            .checked_add(Duration::from_secs(u64::try_from(seconds).unwrap_or(0)))
            .unwrap_or(UNIX_EPOCH)
    }
}

#[async_trait::async_trait]
impl ProvideCredentials for CloudSsoProvider {
    fn name(&self) -> &'static str {
        "cloud_sso"
    }

    async fn provide_credentials(&self) -> Result<Credentials, Error> {
        let body = serde_json::json!({
            "AccountId": self.account_id,
            "AccessConfigurationId": self.access_config,
        });
        let request = http::Request::post(self.url.as_str())
            .header(http::header::ACCEPT, "application/json")
            .header(http::header::CONTENT_TYPE, "application/json")
            .header(
                http::header::AUTHORIZATION,
                format!("Bearer {}", self.access_token.token()),
            )
            .body(Bytes::from(body.to_string()))
            .map_err(|_| Error::construction("cloud_sso: cannot build the request"))?;
        let response = self
            .http
            .send(
                request,
                ResponseLimits::new(Duration::from_secs(10), 64 * 1024),
            )
            .await?;
        let value: Option<serde_json::Value> = serde_json::from_slice(response.body()).ok();
        if response.status() != 200 {
            // The portal's error code is safe to show; its message may quote the request.
            let code = value
                .as_ref()
                .and_then(|v| v.get("ErrorCode"))
                .and_then(serde_json::Value::as_str)
                .unwrap_or("no error code");
            // A hostile portal could echo the token back: never show it, nor a long code.
            let code: String = code
                .replace(self.access_token.token(), "** redacted **")
                .chars()
                .take(64)
                .collect();
            let hint = if response.status() == 401 {
                "; the access token may have expired: sign in again with `aliyun configure --mode CloudSSO`"
            } else {
                ""
            };
            return Err(Error::credentials(format!(
                "cloud_sso: HTTP {} ({code}){hint}",
                response.status()
            )));
        }
        crate::temporary::from_json(
            value.as_ref().and_then(|v| v.get("CloudCredential")),
            "cloud_sso",
        )
    }
}
