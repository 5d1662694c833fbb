//! The CLI profile's `External` mode: credentials printed by a command.

use std::time::Duration;

use acs_core::{Error, ProvideCredentials};
use acs_signer::Credentials;

/// How long the command may run.
const TIMEOUT: Duration = Duration::from_secs(60);

/// Runs a command that prints credentials as JSON (`mode` `AK` or `StsToken`,
/// `access_key_id`, `access_key_secret`, `sts_token`). Its output is never echoed in errors or
/// logs.
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
        let value: serde_json::Value = serde_json::from_slice(&output.stdout)
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
        let credentials = Credentials::new(id, secret)
            .map_err(|e| Error::credentials(format!("external: {e}")))?;
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
        Ok(credentials.with_provider_name("external"))
    }
}
