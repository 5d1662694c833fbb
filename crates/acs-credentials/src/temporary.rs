//! Temporary credentials from the four fields every credential service answers with: STS, the
//! ECS metadata service, a credentials URI and the CloudSSO portal.

use acs_core::Error;
use acs_signer::Credentials;

/// `AccessKeyId`, `AccessKeySecret`, `SecurityToken` and `Expiration`
/// (`yyyy-MM-ddTHH:mm:ssZ`), all required, as credentials named after `provider`.
pub(crate) fn temporary_credentials(
    id: Option<String>,
    secret: Option<String>,
    token: Option<String>,
    expiration: Option<String>,
    provider: &'static str,
) -> Result<Credentials, Error> {
    let lacks = |name: &str| Error::credentials(format!("{provider}: the answer lacks {name}"));
    let expiration = expiration.ok_or_else(|| lacks("Expiration"))?;
    let expiry = acs_signer::parse_iso8601(&expiration).ok_or_else(|| {
        Error::credentials(format!(
            "{provider}: Expiration is not yyyy-MM-ddTHH:mm:ssZ"
        ))
    })?;
    let token = token.ok_or_else(|| lacks("SecurityToken"))?;
    Credentials::new(
        id.ok_or_else(|| lacks("AccessKeyId"))?,
        secret.ok_or_else(|| lacks("AccessKeySecret"))?,
    )
    .and_then(|c| c.with_security_token(token))
    .map(|c| c.with_expiry(expiry).with_provider_name(provider))
    .map_err(|e| Error::credentials(format!("{provider}: {e}")))
}

/// The same fields from a JSON object (`None`: the answer had no such object).
pub(crate) fn from_json(
    object: Option<&serde_json::Value>,
    provider: &'static str,
) -> Result<Credentials, Error> {
    let field = |name: &str| {
        object
            .and_then(|o| o.get(name))
            .and_then(serde_json::Value::as_str)
            .filter(|v| !v.is_empty())
            .map(str::to_owned)
    };
    temporary_credentials(
        field("AccessKeyId"),
        field("AccessKeySecret"),
        field("SecurityToken"),
        field("Expiration"),
        provider,
    )
}
