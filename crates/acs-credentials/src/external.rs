//! The CLI profile's `External` mode: credentials printed by a command.

use std::time::{Duration, SystemTime, UNIX_EPOCH};

use acs_core::{Error, ProvideCredentials};
use acs_signer::Credentials;

/// How long the command may run.
const TIMEOUT: Duration = Duration::from_secs(60);

/// How long an STS token printed without an expiry is used.
const UNDATED_TOKEN_LIFETIME: Duration = Duration::from_secs(60);

/// Runs a command that prints credentials as JSON (`mode` `AK` or `StsToken`,
/// `access_key_id`, `access_key_secret`, `sts_token`, optionally `expiration` or
/// `sts_expiration`); wrapped in the cache, so it runs again only when the credentials are due
/// for refresh. Its output is never echoed in errors or logs.
#[derive(Debug)]
pub(crate) struct ExternalProcess {
    command: String,
}

impl ExternalProcess {
    pub(crate) fn new(command: &str) -> Self {
        Self {
            command: command.to_owned(),
        }
    }
}

#[async_trait::async_trait]
impl ProvideCredentials for ExternalProcess {
    fn name(&self) -> &'static str {
        "external"
    }

    async fn provide_credentials(&self) -> Result<Credentials, Error> {
        let mut words = self.command.split_whitespace();
        let program = words
            .next()
            .ok_or_else(|| Error::credentials("external: process_command is empty"))?;
        let mut command = tokio::process::Command::new(program);
        command
            .args(words)
            .kill_on_drop(true)
            .stdin(std::process::Stdio::null());
        let output = tokio::time::timeout(TIMEOUT, command.output())
            .await
            .map_err(|_| {
                Error::credentials(format!(
                    "external: the command did not finish within {TIMEOUT:?}"
                ))
            })?
            .map_err(|e| {
                Error::credentials(format!("external: cannot run the command: {}", e.kind()))
            })?;
        if !output.status.success() {
            return Err(Error::credentials(format!(
                "external: the command failed ({})",
                output.status
            )));
        }
        parse_output(&output.stdout)
    }
}

/// The command's output: JSON credentials, as the CLI's `External` mode defines them.
pub(crate) fn parse_output(stdout: &[u8]) -> Result<Credentials, Error> {
    let value: serde_json::Value = serde_json::from_slice(stdout)
        .map_err(|_| Error::credentials("external: the command's output is not JSON"))?;
    let get = |key: &str| {
        value
            .get(key)
            .and_then(serde_json::Value::as_str)
            .filter(|v| !v.is_empty())
    };
    let (Some(id), Some(secret)) = (get("access_key_id"), get("access_key_secret")) else {
        return Err(Error::credentials(
            "external: the output lacks access_key_id or access_key_secret",
        ));
    };
    let credentials =
        Credentials::new(id, secret).map_err(|e| Error::credentials(format!("external: {e}")))?;
    let credentials = match (get("mode"), get("sts_token")) {
        (Some("StsToken"), Some(token)) => credentials
            .with_security_token(token)
            .map_err(|e| Error::credentials(format!("external: {e}")))?,
        (Some("StsToken"), None) => {
            return Err(Error::credentials(
                "external: StsToken output lacks sts_token",
            ));
        }
        _ => credentials,
    };
    // When the output says how long the token lasts (`expiration` as
    // yyyy-MM-ddTHH:mm:ssZ, or `sts_expiration` in Unix seconds as the CLI writes it), the
    // cache keeps it until shortly before then. A token without an expiry is taken to last
    // a minute (the cache refreshes it after half of that): never served long after it may
    // have lapsed, and not a process per call either. Access keys are long-term.
    let expiry = get("expiration")
        .and_then(acs_signer::parse_iso8601)
        .or_else(|| {
            value
                .get("sts_expiration")
                .and_then(serde_json::Value::as_u64)
                .and_then(|secs| UNIX_EPOCH.checked_add(Duration::from_secs(secs)))
        });
    let credentials = match (expiry, credentials.security_token().is_some()) {
        (Some(expiry), _) => credentials.with_expiry(expiry),
        (None, true) => credentials.with_expiry(SystemTime::now() + UNDATED_TOKEN_LIFETIME),
        (None, false) => credentials,
    };
    Ok(credentials.with_provider_name("external"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_expiry_past_what_the_clock_can_hold_is_no_panic() {
        // Found while seeding the fuzz target: `UNIX_EPOCH + u64::MAX seconds` overflowed.
        let out = br#"{"mode":"StsToken","access_key_id":"STS.x","access_key_secret":"s","sts_token":"t","sts_expiration":18446744073709551615}"#;
        let credentials = parse_output(out).expect("parsed");
        assert!(
            credentials.expiry().is_some(),
            "an undated token still expires"
        );
    }

    #[test]
    fn output_without_keys_is_a_typed_error() {
        assert!(parse_output(b"[").is_err());
        assert!(parse_output(br#"{"mode":"AK"}"#).is_err());
    }
}
