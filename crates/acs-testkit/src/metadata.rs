//! ECS instance metadata emulation: IMDSv2 tokens, role discovery and role credentials.

use std::collections::HashSet;
use std::time::{Duration, SystemTime};

use crate::sts::{Identity, iso8601};

/// How the emulated metadata service behaves.
#[derive(Debug, Clone)]
pub(crate) struct Metadata {
    pub(crate) role: String,
    pub(crate) account_id: String,
    pub(crate) require_token: bool,
    pub(crate) tokens: HashSet<String>,
    pub(crate) token_requests: usize,
    pub(crate) credential_requests: usize,
    pub(crate) issued: u64,
    /// Serve `Code: Failure` (a role that cannot be assumed).
    pub(crate) failing: bool,
    /// Refuse `PUT /latest/api/token` (an instance without IMDSv2).
    pub(crate) tokens_off: bool,
}

/// What the handler should answer.
pub(crate) enum Answer {
    Text(u16, String),
    Credentials {
        status: u16,
        body: String,
        key: Option<(String, String, String, Identity)>,
    },
}

impl Metadata {
    pub(crate) fn new(role: String, account_id: String, require_token: bool) -> Self {
        Self {
            role,
            account_id,
            require_token,
            tokens: HashSet::new(),
            token_requests: 0,
            credential_requests: 0,
            issued: 0,
            failing: false,
            tokens_off: false,
        }
    }

    /// Handles `method path` with the request's `token` header and `ttl` header.
    pub(crate) fn handle(
        &mut self,
        method: &str,
        path: &str,
        token: Option<&str>,
        ttl: Option<&str>,
        now: SystemTime,
    ) -> Answer {
        if path == "/latest/api/token" {
            if method != "PUT" {
                return Answer::Text(405, "method not allowed".into());
            }
            if self.tokens_off {
                return Answer::Text(404, "not found".into());
            }
            let Some(ttl) = ttl
                .and_then(|t| t.parse::<u64>().ok())
                .filter(|t| (1..=21600).contains(t))
            else {
                return Answer::Text(
                    400,
                    "X-aliyun-ecs-metadata-token-ttl-seconds must be 1..=21600".into(),
                );
            };
            self.token_requests += 1;
            let token = format!("imds-token-{}-{ttl}", self.token_requests);
            self.tokens.insert(token.clone());
            return Answer::Text(200, token);
        }
        let valid_token = token.is_some_and(|t| self.tokens.contains(t));
        if token.is_some() && !valid_token {
            return Answer::Text(401, "invalid metadata token".into());
        }
        if self.require_token && !valid_token {
            return Answer::Text(401, "a metadata token is required".into());
        }
        let prefix = "/latest/meta-data/ram/security-credentials/";
        match path.strip_prefix(prefix) {
            Some("") => Answer::Text(200, self.role.clone()),
            Some(role) if role == self.role => {
                self.credential_requests += 1;
                if self.failing {
                    return Answer::Credentials {
                        status: 200,
                        body: r#"{"Code":"Failure"}"#.into(),
                        key: None,
                    };
                }
                self.issued += 1;
                let n = self.issued;
                let id = format!("STS.NEcsRole{n:08}");
                let secret = format!("EcsRoleSecret{n:08}");
                let token = format!("CAISEcsRoleToken{n:08}");
                let expiration = iso8601(now + Duration::from_secs(6 * 3600));
                let body = serde_json::json!({
                    "Code": "Success", "AccessKeyId": id, "AccessKeySecret": secret,
                    "SecurityToken": token, "Expiration": expiration, "LastUpdated": iso8601(now),
                })
                .to_string();
                let identity = Identity::AssumedRole {
                    account_id: self.account_id.clone(),
                    role_name: self.role.clone(),
                    session_name: "ecs-instance".into(),
                    role_id: "300000000000000001".into(),
                };
                Answer::Credentials {
                    status: 200,
                    body,
                    key: Some((id, secret, token, identity)),
                }
            }
            Some(_) => Answer::Text(404, "no such role".into()),
            None => Answer::Text(404, "not found".into()),
        }
    }
}
