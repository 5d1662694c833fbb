//! The CLI profile (`~/.aliyun/config.json`) and the INI profile
//! (`~/.alibabacloud/credentials`).

use std::collections::{BTreeMap, BTreeSet};
use std::path::PathBuf;
use std::sync::Arc;

use acs_core::{SharedCredentialsProvider, StaticCredentialsProvider};
use acs_signer::Credentials;

use crate::cache::CachedProvider;
use crate::cloud_sso::CloudSsoProvider;
use crate::ecs::EcsRamRoleProvider;
use crate::environment::Environment;
use crate::sts_role::{OidcRoleArnProvider, RamRoleArnProvider, StsEndpoint};
use crate::uri::CredentialsUriProvider;

/// What reading a profile source gave: nothing configured (with why), a provider, or a
/// configuration error (the source is configured but unusable).
pub(crate) enum Found {
    NotConfigured(String),
    Provider(SharedCredentialsProvider),
    Invalid(String),
}

fn profile_name(env: &dyn Environment, default: Option<&str>) -> String {
    env.var("ALIBABA_CLOUD_PROFILE")
        .or_else(|| default.map(str::to_owned))
        .unwrap_or_else(|| "default".into())
}

fn home_file(env: &dyn Environment, var: &str, relative: &str) -> Option<PathBuf> {
    env.var(var)
        .map(PathBuf::from)
        .or_else(|| env.home_dir().map(|h| h.join(relative)))
}

fn access_key(
    id: Option<&str>,
    secret: Option<&str>,
    token: Option<&str>,
    source: &str,
) -> Result<SharedCredentialsProvider, String> {
    let (Some(id), Some(secret)) = (
        id.filter(|v| !v.is_empty()),
        secret.filter(|v| !v.is_empty()),
    ) else {
        return Err(format!("{source}: access key id and secret are required"));
    };
    let credentials = Credentials::new(id, secret).map_err(|e| format!("{source}: {e}"))?;
    let credentials = match token.filter(|t| !t.is_empty()) {
        Some(token) => credentials
            .with_security_token(token)
            .map_err(|e| format!("{source}: {e}"))?,
        None => credentials,
    };
    Ok(Arc::new(StaticCredentialsProvider::new(
        credentials.with_provider_name("profile"),
    )))
}

/// `~/.alibabacloud/credentials` (or `ALIBABA_CLOUD_CREDENTIALS_FILE`), section
/// `ALIBABA_CLOUD_PROFILE` (default `default`), types `access_key`, `ecs_ram_role`,
/// `ram_role_arn` and `oidc_role_arn`; `enable = false` skips the section.
pub(crate) fn ini_profile(env: &Arc<dyn Environment>) -> Found {
    let Some(path) = home_file(
        env.as_ref(),
        "ALIBABA_CLOUD_CREDENTIALS_FILE",
        ".alibabacloud/credentials",
    ) else {
        return Found::NotConfigured("no home directory".into());
    };
    let text = match env.read_file(&path) {
        Ok(text) => text,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
            return Found::NotConfigured(format!("no file at {}", path.display()));
        }
        Err(e) => return Found::Invalid(format!("{}: {e}", path.display())),
    };
    let name = profile_name(env.as_ref(), None);
    let sections = parse_ini(&text);
    let Some(section) = sections.get(&name) else {
        return Found::NotConfigured(format!("{} has no [{name}] section", path.display()));
    };
    if section
        .get("enable")
        .is_some_and(|v| v.eq_ignore_ascii_case("false"))
    {
        return Found::NotConfigured(format!("[{name}] in {} has enable = false", path.display()));
    }
    let get = |key: &str| section.get(key).map(String::as_str);
    let source = format!("[{name}] in {}", path.display());
    let sts = StsEndpoint::from_environment(env.as_ref());
    let result = match get("type") {
        Some("access_key") => access_key(
            get("access_key_id"),
            get("access_key_secret"),
            None,
            &source,
        ),
        Some("ecs_ram_role") => ecs(env, get("role_name"), &source),
        Some("ram_role_arn") => access_key(
            get("access_key_id"),
            get("access_key_secret"),
            None,
            &source,
        )
        .and_then(|base| {
            role(
                base,
                get("role_arn"),
                get("role_session_name"),
                get("policy"),
                None,
                sts,
                &source,
            )
        }),
        Some("oidc_role_arn") => oidc(
            env,
            get("role_arn"),
            get("oidc_provider_arn"),
            get("oidc_token_file_path"),
            get("role_session_name"),
            sts,
            &source,
        ),
        Some(other) => Err(format!("{source}: unknown type {other:?}")),
        None => Err(format!("{source}: no type")),
    };
    match result {
        Ok(provider) => Found::Provider(provider),
        Err(reason) => Found::Invalid(reason),
    }
}

fn parse_ini(text: &str) -> BTreeMap<String, BTreeMap<String, String>> {
    let mut sections: BTreeMap<String, BTreeMap<String, String>> = BTreeMap::new();
    let mut current = None;
    for line in text.lines() {
        let line = line.trim();
        if line.is_empty() || line.starts_with('#') || line.starts_with(';') {
            continue;
        }
        if let Some(name) = line.strip_prefix('[').and_then(|l| l.strip_suffix(']')) {
            current = Some(name.trim().to_owned());
            sections.entry(name.trim().to_owned()).or_default();
        } else if let (Some(section), Some((key, value))) = (&current, line.split_once('=')) {
            let value = value.trim().trim_matches('"');
            sections
                .entry(section.clone())
                .or_default()
                .insert(key.trim().to_owned(), value.to_owned());
        }
    }
    sections
}

fn ecs(
    env: &Arc<dyn Environment>,
    role: Option<&str>,
    source: &str,
) -> Result<SharedCredentialsProvider, String> {
    let mut builder = EcsRamRoleProvider::builder().disable_v1(
        env.var("ALIBABA_CLOUD_IMDSV1_DISABLED")
            .is_some_and(|v| v.eq_ignore_ascii_case("true")),
    );
    if let Some(role) = role.filter(|r| !r.is_empty()) {
        builder = builder.role(role);
    }
    if let Some(endpoint) = env.endpoint_override("ecs_metadata") {
        builder = builder.endpoint(endpoint);
    }
    builder
        .build()
        .map(|p| Arc::new(p) as SharedCredentialsProvider)
        .map_err(|e| format!("{source}: {e}"))
}

fn role(
    base: SharedCredentialsProvider,
    role_arn: Option<&str>,
    session: Option<&str>,
    policy: Option<&str>,
    duration: Option<u32>,
    sts: StsEndpoint,
    source: &str,
) -> Result<SharedCredentialsProvider, String> {
    let role_arn = role_arn
        .filter(|r| !r.is_empty())
        .ok_or_else(|| format!("{source}: a role ARN is required"))?;
    let mut builder = RamRoleArnProvider::builder(base, role_arn).sts(sts);
    if let Some(session) = session.filter(|s| !s.is_empty()) {
        builder = builder.session_name(session);
    }
    if let Some(policy) = policy.filter(|p| !p.is_empty()) {
        builder = builder.policy(policy);
    }
    if let Some(duration) = duration {
        builder = builder.duration_seconds(duration);
    }
    builder
        .build()
        .map(|p| Arc::new(p) as SharedCredentialsProvider)
        .map_err(|e| format!("{source}: {e}"))
}

fn oidc(
    env: &Arc<dyn Environment>,
    role_arn: Option<&str>,
    provider_arn: Option<&str>,
    token_file: Option<&str>,
    session: Option<&str>,
    sts: StsEndpoint,
    source: &str,
) -> Result<SharedCredentialsProvider, String> {
    let need = |v: Option<&str>, what: &str| {
        v.filter(|s| !s.is_empty())
            .map(str::to_owned)
            .ok_or_else(|| format!("{source}: {what} is required"))
    };
    let provider = OidcRoleArnProvider::new(
        env.clone(),
        sts,
        need(role_arn, "a role ARN")?,
        need(provider_arn, "an OIDC provider ARN")?,
        need(token_file, "an OIDC token file")?.into(),
        session.filter(|s| !s.is_empty()).map(str::to_owned),
        None,
    )
    .map_err(|e| format!("{source}: {e}"))?;
    Ok(Arc::new(provider))
}

/// `~/.aliyun/config.json` (or `ALIBABA_CLOUD_CONFIG_FILE`), profile `ALIBABA_CLOUD_PROFILE`,
/// else the file's `current`, else `default`; disabled by
/// `ALIBABA_CLOUD_CLI_PROFILE_DISABLED=true`.
pub(crate) fn cli_profile(env: &Arc<dyn Environment>) -> Found {
    if env
        .var("ALIBABA_CLOUD_CLI_PROFILE_DISABLED")
        .is_some_and(|v| v.eq_ignore_ascii_case("true"))
    {
        return Found::NotConfigured("disabled by ALIBABA_CLOUD_CLI_PROFILE_DISABLED".into());
    }
    let Some(path) = home_file(
        env.as_ref(),
        "ALIBABA_CLOUD_CONFIG_FILE",
        ".aliyun/config.json",
    ) else {
        return Found::NotConfigured("no home directory".into());
    };
    let text = match env.read_file(&path) {
        Ok(text) => text,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
            return Found::NotConfigured(format!("no file at {}", path.display()));
        }
        Err(e) => return Found::Invalid(format!("{}: {e}", path.display())),
    };
    let config: serde_json::Value = match serde_json::from_str(&text) {
        Ok(config) => config,
        Err(e) => return Found::Invalid(format!("{}: not valid JSON ({e})", path.display())),
    };
    let name = profile_name(
        env.as_ref(),
        config.get("current").and_then(serde_json::Value::as_str),
    );
    let mut visiting = BTreeSet::new();
    match cli_provider(
        env,
        &config,
        &name,
        &path.display().to_string(),
        &mut visiting,
    ) {
        Ok(provider) => Found::Provider(provider),
        Err(reason) => Found::Invalid(reason),
    }
}

fn cli_provider(
    env: &Arc<dyn Environment>,
    config: &serde_json::Value,
    name: &str,
    file: &str,
    visiting: &mut BTreeSet<String>,
) -> Result<SharedCredentialsProvider, String> {
    if !visiting.insert(name.to_owned()) {
        return Err(format!(
            "profile {name:?} in {file}: source_profile forms a cycle"
        ));
    }
    let profile = config
        .get("profiles")
        .and_then(serde_json::Value::as_array)
        .and_then(|ps| {
            ps.iter()
                .find(|p| p.get("name").and_then(serde_json::Value::as_str) == Some(name))
        })
        .ok_or_else(|| format!("{file} has no profile named {name:?}"))?;
    let get = |key: &str| {
        profile
            .get(key)
            .and_then(serde_json::Value::as_str)
            .filter(|v| !v.is_empty())
    };
    let source = format!("profile {name:?} in {file}");
    let duration = profile
        .get("expired_seconds")
        .and_then(serde_json::Value::as_u64)
        .and_then(|d| u32::try_from(d).ok())
        .filter(|d| *d > 0);
    let mut sts = StsEndpoint::from_environment(env.as_ref());
    if let Some(region) = get("sts_region") {
        sts = sts.region(region);
    }
    match get("mode").unwrap_or("AK") {
        "AK" => access_key(
            get("access_key_id"),
            get("access_key_secret"),
            None,
            &source,
        ),
        "StsToken" => {
            if get("sts_token").is_none() {
                return Err(format!("{source}: sts_token is required"));
            }
            access_key(
                get("access_key_id"),
                get("access_key_secret"),
                get("sts_token"),
                &source,
            )
        }
        "RamRoleArn" => access_key(
            get("access_key_id"),
            get("access_key_secret"),
            None,
            &source,
        )
        .and_then(|base| {
            role(
                base,
                get("ram_role_arn"),
                get("ram_session_name"),
                get("policy"),
                duration,
                sts,
                &source,
            )
        }),
        "ChainableRamRoleArn" => {
            let parent = get("source_profile")
                .ok_or_else(|| format!("{source}: source_profile is required"))?;
            let base = cli_provider(env, config, parent, file, visiting)?;
            role(
                base,
                get("ram_role_arn"),
                get("ram_session_name"),
                get("policy"),
                duration,
                sts,
                &source,
            )
        }
        "EcsRamRole" => ecs(env, get("ram_role_name"), &source),
        "OIDC" => oidc(
            env,
            get("ram_role_arn"),
            get("oidc_provider_arn"),
            get("oidc_token_file"),
            get("ram_session_name"),
            sts,
            &source,
        ),
        "CredentialsURI" => {
            let uri = get("credentials_uri")
                .ok_or_else(|| format!("{source}: credentials_uri is required"))?;
            CredentialsUriProvider::new(uri)
                .map(|p| Arc::new(p) as SharedCredentialsProvider)
                .map_err(|e| format!("{source}: {e}"))
        }
        "External" => {
            let command = get("process_command")
                .ok_or_else(|| format!("{source}: process_command is required"))?;
            Ok(Arc::new(CachedProvider::new(
                crate::external::ExternalProcess::new(command),
            )))
        }
        "CloudSSO" => {
            let (Some(url), Some(account), Some(config), Some(token)) = (
                get("cloud_sso_sign_in_url"),
                get("cloud_sso_account_id"),
                get("cloud_sso_access_config"),
                get("access_token"),
            ) else {
                return Err(format!(
                    "{source}: cloud_sso_sign_in_url, cloud_sso_account_id, cloud_sso_access_config and access_token are required; sign in with `aliyun configure --mode CloudSSO`"
                ));
            };
            let expiry = profile
                .get("cloud_sso_access_token_expire")
                .and_then(serde_json::Value::as_i64)
                .map(CloudSsoProvider::token_expiry)
                .ok_or_else(|| format!("{source}: cloud_sso_access_token_expire is required"))?;
            CloudSsoProvider::new(url, account, config, token, expiry)
                .map(|p| Arc::new(p) as SharedCredentialsProvider)
                .map_err(|e| format!("{source}: {e}"))
        }
        other => Err(format!("{source}: unknown mode {other:?}")),
    }
}

#[cfg(test)]
mod tests {
    use super::parse_ini;

    #[test]
    fn ini_sections_keys_and_comments() {
        let parsed = parse_ini(
            "# c\n[default]\ntype = access_key\naccess_key_id = \"a\"\n; c\n[other]\nenable=false\n",
        );
        assert_eq!(parsed["default"]["type"], "access_key");
        assert_eq!(parsed["default"]["access_key_id"], "a");
        assert_eq!(parsed["other"]["enable"], "false");
    }
}
