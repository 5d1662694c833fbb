//! STS emulation: AssumeRole, AssumeRoleWithOIDC, AssumeRoleWithSAML and GetCallerIdentity
//! answered from the server's own state, so temporary credentials it issues work for later
//! calls.

use std::time::{Duration, SystemTime};

use crate::reply::Reply;

/// Who a key belongs to, for `GetCallerIdentity`.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum Identity {
    /// The account's own (root) key.
    Account {
        /// The account id.
        account_id: String,
    },
    /// A RAM user's key.
    RamUser {
        /// The account id.
        account_id: String,
        /// The user name.
        user_name: String,
        /// The user id.
        user_id: String,
    },
    /// Temporary credentials from assuming a role.
    AssumedRole {
        /// The account id.
        account_id: String,
        /// The role name.
        role_name: String,
        /// The session name.
        session_name: String,
        /// The role id.
        role_id: String,
    },
}

impl Identity {
    /// The `GetCallerIdentity` body for this identity.
    pub(crate) fn caller_identity(&self) -> serde_json::Value {
        match self {
            Identity::Account { account_id } => serde_json::json!({
                "AccountId": account_id, "UserId": account_id, "PrincipalId": account_id,
                "Arn": format!("acs:ram::{account_id}:root"), "IdentityType": "Account",
            }),
            Identity::RamUser {
                account_id,
                user_name,
                user_id,
            } => serde_json::json!({
                "AccountId": account_id, "UserId": user_id, "PrincipalId": user_id,
                "Arn": format!("acs:ram::{account_id}:user/{user_name}"), "IdentityType": "RAMUser",
            }),
            Identity::AssumedRole {
                account_id,
                role_name,
                session_name,
                role_id,
            } => serde_json::json!({
                "AccountId": account_id, "RoleId": role_id,
                "PrincipalId": format!("{role_id}:{session_name}"),
                "Arn": format!("acs:ram::{account_id}:assumed-role/{role_name}/{session_name}"),
                "IdentityType": "AssumedRoleUser",
            }),
        }
    }
}

/// Temporary credentials to register, and the reply announcing them.
pub(crate) struct Issued {
    pub(crate) access_key_id: String,
    pub(crate) secret: String,
    pub(crate) token: String,
    pub(crate) identity: Identity,
    pub(crate) reply: Reply,
}

fn missing(name: &str) -> Reply {
    Reply::error(
        400,
        "MissingParameter",
        format!(
            "The input parameter \"{name}\" that is mandatory for processing this request is not supplied."
        ),
    )
}

/// Handles an assume-role action from its parameters; `counter` makes issued ids unique.
pub(crate) fn assume_role(
    action: &str,
    params: &[(String, String)],
    now: SystemTime,
    counter: u64,
) -> Result<Issued, Reply> {
    let get = |name: &str| {
        params
            .iter()
            .find(|(n, _)| n == name)
            .map(|(_, v)| v.as_str())
            .filter(|v| !v.is_empty())
    };
    let required: &[&str] = match action {
        "AssumeRoleWithOIDC" => &["OIDCProviderArn", "RoleArn", "OIDCToken", "RoleSessionName"],
        "AssumeRoleWithSAML" => &["SAMLProviderArn", "RoleArn", "SAMLAssertion"],
        _ => &["RoleArn", "RoleSessionName"],
    };
    for name in required {
        if get(name).is_none() {
            return Err(missing(name));
        }
    }
    let role_arn = get("RoleArn").unwrap_or_default();
    let Some((account_id, role_name)) = role_arn
        .strip_prefix("acs:ram::")
        .and_then(|rest| rest.split_once(":role/"))
        .filter(|(account, role)| !account.is_empty() && !role.is_empty())
    else {
        return Err(Reply::error(
            400,
            "InvalidParameter.RoleArn",
            "The parameter RoleArn is wrongly formed.",
        ));
    };
    let duration = match get("DurationSeconds") {
        None => 3600,
        Some(text) => match text.parse::<u64>() {
            Ok(seconds) if (900..=43200).contains(&seconds) => seconds,
            _ => {
                return Err(Reply::error(
                    400,
                    "InvalidParameter.DurationSeconds",
                    "The Min/Max value of DurationSeconds is 15min/12hr.",
                ));
            }
        },
    };
    let session_name = get("RoleSessionName").unwrap_or("saml-session").to_owned();
    let role_id = format!("3{counter:017}");
    let access_key_id = format!("STS.NTestKit{counter:08}");
    let secret = format!("TestKitSecret{counter:08}{}", role_name.len());
    let token = format!("CAIS{}TestKitToken{counter:08}", account_id.len());
    let expiration = iso8601(now + Duration::from_secs(duration));
    let body = serde_json::json!({
        "Credentials": {
            "AccessKeyId": access_key_id, "AccessKeySecret": secret,
            "SecurityToken": token, "Expiration": expiration,
        },
        "AssumedRoleUser": {
            "AssumedRoleId": format!("{role_id}:{session_name}"),
            "Arn": format!("acs:ram::{account_id}:role/{role_name}/{session_name}"),
        },
    });
    Ok(Issued {
        access_key_id: access_key_id.clone(),
        secret: secret.clone(),
        token: token.clone(),
        identity: Identity::AssumedRole {
            account_id: account_id.to_owned(),
            role_name: role_name.to_owned(),
            session_name,
            role_id,
        },
        reply: Reply::success(body),
    })
}

/// `time` as `yyyy-MM-ddTHH:mm:ssZ` (UTC), the way STS and the metadata service write
/// `Expiration`: for scripting replies that carry a time.
///
/// ```
/// use std::time::{Duration, SystemTime};
/// let at = SystemTime::UNIX_EPOCH + Duration::from_secs(1_700_000_000);
/// assert_eq!(acs_testkit::iso8601(at), "2023-11-14T22:13:20Z");
/// ```
pub fn iso8601(time: SystemTime) -> String {
    acs_signer::Nonce::new("expiration")
        .and_then(|nonce| acs_signer::SigningContext::new(time, nonce).iso8601())
        .unwrap_or_default()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn params(pairs: &[(&str, &str)]) -> Vec<(String, String)> {
        pairs
            .iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect()
    }

    #[test]
    fn validates_like_sts() {
        let now = SystemTime::UNIX_EPOCH + Duration::from_secs(1_700_000_000);
        let ok = assume_role(
            "AssumeRole",
            &params(&[
                ("RoleArn", "acs:ram::123:role/reader"),
                ("RoleSessionName", "s"),
                ("DurationSeconds", "900"),
            ]),
            now,
            1,
        );
        let issued = ok.unwrap_or_else(|_| unreachable!());
        assert!(issued.access_key_id.starts_with("STS."));
        let Reply::Success(body) = &issued.reply else {
            unreachable!()
        };
        assert_eq!(body["Credentials"]["Expiration"], "2023-11-14T22:28:20Z");
        for (duration, ok) in [
            ("899", false),
            ("43200", true),
            ("43201", false),
            ("x", false),
        ] {
            let r = assume_role(
                "AssumeRole",
                &params(&[
                    ("RoleArn", "acs:ram::1:role/r"),
                    ("RoleSessionName", "s"),
                    ("DurationSeconds", duration),
                ]),
                now,
                2,
            );
            assert_eq!(r.is_ok(), ok, "{duration}");
        }
        let err = assume_role(
            "AssumeRoleWithOIDC",
            &params(&[("RoleArn", "acs:ram::1:role/r"), ("RoleSessionName", "s")]),
            now,
            3,
        );
        assert!(
            matches!(err, Err(Reply::Error { ref message, .. }) if message.contains("OIDCProviderArn"))
        );
        assert!(
            assume_role(
                "AssumeRole",
                &params(&[
                    ("RoleArn", "arn:aws:iam::1:role/r"),
                    ("RoleSessionName", "s")
                ]),
                now,
                4
            )
            .is_err()
        );
    }
}
