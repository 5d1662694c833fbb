//! Checks a request's signature the way the service does, with acs-signer's canonicalisation.

use std::time::{Duration, SystemTime};

use acs_signer::{SignableRequest, SignatureAlgorithm, digest, roa, rpc, v3};

use crate::decode::{parse_pairs, percent_decode};

/// One registered key.
#[derive(Clone)]
pub(crate) struct Key {
    pub(crate) secret: String,
    pub(crate) token: Option<String>,
    pub(crate) identity: Option<crate::sts::Identity>,
}

/// A request as received, decoded.
pub(crate) struct Received {
    pub(crate) method: String,
    /// The path, percent-decoded once.
    pub(crate) path: String,
    /// The path exactly as sent: what the service canonicalises and signs.
    pub(crate) raw_path: String,
    pub(crate) query: Vec<(String, String)>,
    /// Lower-case names, in arrival order.
    pub(crate) headers: Vec<(String, String)>,
    pub(crate) body: Vec<u8>,
}

impl Received {
    pub(crate) fn header(&self, name: &str) -> Option<&str> {
        self.headers
            .iter()
            .find(|(n, _)| n == name)
            .map(|(_, v)| v.as_str())
    }

    pub(crate) fn query_param(&self, name: &str) -> Option<&str> {
        self.query
            .iter()
            .find(|(n, _)| n == name)
            .map(|(_, v)| v.as_str())
    }

    /// Form fields, when the body is a form.
    pub(crate) fn form(&self) -> Vec<(String, String)> {
        let is_form = self
            .header("content-type")
            .is_some_and(|t| t.starts_with("application/x-www-form-urlencoded"));
        match (is_form, std::str::from_utf8(&self.body)) {
            (true, Ok(text)) => parse_pairs(text).unwrap_or_default(),
            _ => Vec::new(),
        }
    }
}

/// Which signature a request carried.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum Scheme {
    /// RPC v1 (`Signature` query parameter).
    RpcV1,
    /// ROA (`Authorization: acs …`).
    Roa,
    /// V3 with SHA-256.
    Acs3HmacSha256,
    /// V3 with SM3.
    Acs3HmacSm3,
    /// A bearer token (`x-acs-bearer-token`, or `BearerToken` for RPC).
    Bearer,
    /// No signature at all.
    Unsigned,
}

/// Why a request was refused: the error the service would answer.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Rejection {
    pub(crate) status: u16,
    pub(crate) code: &'static str,
    pub(crate) message: String,
}

fn reject(status: u16, code: &'static str, message: impl Into<String>) -> Rejection {
    Rejection {
        status,
        code,
        message: message.into(),
    }
}

/// The outcome of a successful check.
pub(crate) struct Verified {
    pub(crate) scheme: Scheme,
    pub(crate) access_key_id: Option<String>,
    pub(crate) nonce: Option<String>,
}

/// How far the request time may be from the server's clock.
const MAX_SKEW: Duration = Duration::from_secs(15 * 60);

pub(crate) fn scheme_of(request: &Received) -> Scheme {
    let auth = request.header("authorization").unwrap_or("");
    if auth.starts_with("ACS3-HMAC-SHA256 ") {
        Scheme::Acs3HmacSha256
    } else if auth.starts_with("ACS3-HMAC-SM3 ") {
        Scheme::Acs3HmacSm3
    } else if auth.starts_with("acs ") {
        Scheme::Roa
    } else if request.query_param("Signature").is_some() {
        Scheme::RpcV1
    } else if request.header("x-acs-bearer-token").is_some()
        || request.query_param("BearerToken").is_some()
    {
        Scheme::Bearer
    } else {
        Scheme::Unsigned
    }
}

/// Verifies the signature, time, nonce and security token of `request`.
pub(crate) fn verify(
    request: &Received,
    lookup: impl Fn(&str) -> Option<Key>,
    bearer_known: impl Fn(&str) -> bool,
    server_now: SystemTime,
) -> Result<Verified, Rejection> {
    match scheme_of(request) {
        Scheme::Bearer => {
            let token = request
                .header("x-acs-bearer-token")
                .or_else(|| request.query_param("BearerToken"))
                .unwrap_or("");
            if !bearer_known(token) {
                return Err(reject(
                    401,
                    "InvalidBearerToken",
                    "The bearer token is invalid.",
                ));
            }
            let nonce = request
                .header("x-acs-signature-nonce")
                .or_else(|| request.query_param("SignatureNonce"))
                .map(str::to_owned);
            Ok(Verified {
                scheme: Scheme::Bearer,
                access_key_id: None,
                nonce,
            })
        }
        Scheme::Acs3HmacSha256 => verify_v3(
            request,
            SignatureAlgorithm::Acs3HmacSha256,
            &lookup,
            server_now,
        ),
        Scheme::Acs3HmacSm3 => verify_v3(
            request,
            SignatureAlgorithm::Acs3HmacSm3,
            &lookup,
            server_now,
        ),
        Scheme::Roa => verify_roa(request, &lookup, server_now),
        Scheme::RpcV1 => verify_rpc(request, &lookup, server_now),
        Scheme::Unsigned => Ok(Verified {
            scheme: Scheme::Unsigned,
            access_key_id: None,
            nonce: None,
        }),
    }
}

fn find_key(lookup: &impl Fn(&str) -> Option<Key>, id: &str) -> Result<Key, Rejection> {
    lookup(id).ok_or_else(|| {
        reject(
            404,
            "InvalidAccessKeyId.NotFound",
            "Specified access key is not found.",
        )
    })
}

fn check_token(key: &Key, sent: Option<&str>) -> Result<(), Rejection> {
    match (&key.token, sent) {
        (None, _) => Ok(()),
        (Some(expected), Some(sent)) if expected == sent => Ok(()),
        (Some(_), Some(_)) => Err(reject(
            400,
            "InvalidSecurityToken.Mismatch",
            "The security token does not match.",
        )),
        (Some(_), None) => Err(reject(
            400,
            "InvalidSecurityToken.Missing",
            "The security token is missing.",
        )),
    }
}

fn check_time(sent: Option<SystemTime>, server_now: SystemTime) -> Result<(), Rejection> {
    let sent = sent.ok_or_else(|| {
        reject(
            400,
            "InvalidTimeStamp.Format",
            "The timestamp is missing or malformed.",
        )
    })?;
    let skew = sent
        .duration_since(server_now)
        .unwrap_or_else(|e| e.duration());
    if skew > MAX_SKEW {
        return Err(reject(
            400,
            "InvalidTimeStamp.Expired",
            "Specified time stamp or date value is expired.",
        ));
    }
    Ok(())
}

fn mismatch(string_to_sign: &str) -> Rejection {
    reject(
        400,
        "SignatureDoesNotMatch",
        format!(
            "Specified signature does not match our calculation. server string to sign is:{string_to_sign}"
        ),
    )
}

fn verify_v3(
    request: &Received,
    algorithm: SignatureAlgorithm,
    lookup: &impl Fn(&str) -> Option<Key>,
    server_now: SystemTime,
) -> Result<Verified, Rejection> {
    let auth = request.header("authorization").unwrap_or("");
    let fields = auth.split_once(' ').map(|(_, rest)| rest).unwrap_or("");
    let field = |name: &str| {
        fields.split(',').find_map(|part| {
            part.trim()
                .strip_prefix(name)
                .and_then(|v| v.strip_prefix('='))
        })
    };
    let (Some(id), Some(signed), Some(_)) = (
        field("Credential"),
        field("SignedHeaders"),
        field("Signature"),
    ) else {
        return Err(reject(
            400,
            "IncompleteSignature",
            "The Authorization header is incomplete.",
        ));
    };
    let key = find_key(lookup, id)?;
    check_time(
        request
            .header("x-acs-date")
            .and_then(acs_signer::parse_iso8601),
        server_now,
    )?;
    check_token(&key, request.header("x-acs-security-token"))?;
    let declared_hash = request.header("x-acs-content-sha256").unwrap_or("");
    let body_hash = if algorithm == SignatureAlgorithm::Acs3HmacSm3 {
        digest::sm3(&request.body)
    } else {
        digest::sha256(&request.body)
    };
    if declared_hash != hex(&body_hash) {
        return Err(reject(
            400,
            "InvalidContentSha256",
            "x-acs-content-sha256 does not match the body.",
        ));
    }
    let signed_headers: Vec<(&str, &str)> = request
        .headers
        .iter()
        .filter(|(name, _)| signed.split(';').any(|s| s == name))
        .map(|(n, v)| (n.as_str(), v.as_str()))
        .collect();
    let signable = SignableRequest::new(&request.method, &request.raw_path)
        .encoded_path()
        .query(&request.query)
        .headers(&signed_headers);
    let canonical = v3::canonical_request(&signable, declared_hash).map_err(|_| {
        reject(
            400,
            "IncompleteSignature",
            "The request cannot be canonicalised.",
        )
    })?;
    let expected = v3::authorization(algorithm, id, &key.secret, &canonical);
    if expected != auth {
        return Err(mismatch(&v3::string_to_sign(algorithm, &canonical)));
    }
    let scheme = if algorithm == SignatureAlgorithm::Acs3HmacSm3 {
        Scheme::Acs3HmacSm3
    } else {
        Scheme::Acs3HmacSha256
    };
    Ok(Verified {
        scheme,
        access_key_id: Some(id.to_owned()),
        nonce: request.header("x-acs-signature-nonce").map(str::to_owned),
    })
}

fn verify_rpc(
    request: &Received,
    lookup: &impl Fn(&str) -> Option<Key>,
    server_now: SystemTime,
) -> Result<Verified, Rejection> {
    let mut params: Vec<(String, String)> = request.query.clone();
    params.extend(request.form());
    let get = |name: &str| {
        params
            .iter()
            .find(|(n, _)| n == name)
            .map(|(_, v)| v.clone())
    };
    let signature = get("Signature").unwrap_or_default();
    let id = get("AccessKeyId").ok_or_else(|| {
        reject(
            400,
            "MissingAccessKeyId",
            "AccessKeyId is mandatory for this action.",
        )
    })?;
    if get("SignatureMethod").as_deref() != Some("HMAC-SHA1")
        || get("SignatureVersion").as_deref() != Some("1.0")
    {
        return Err(reject(
            400,
            "InvalidSignatureMethod",
            "Specified signature method is not supported.",
        ));
    }
    let key = find_key(lookup, &id)?;
    check_time(
        get("Timestamp")
            .as_deref()
            .and_then(acs_signer::parse_iso8601),
        server_now,
    )?;
    check_token(&key, get("SecurityToken").as_deref())?;
    let nonce = get("SignatureNonce");
    params.retain(|(name, _)| name != "Signature");
    let string_to_sign = rpc::string_to_sign(&request.method, &params)
        .map_err(|_| reject(400, "InvalidParameter", "Bad HTTP method."))?;
    if rpc::signature(&key.secret, &string_to_sign) != signature {
        return Err(mismatch(&string_to_sign));
    }
    Ok(Verified {
        scheme: Scheme::RpcV1,
        access_key_id: Some(id),
        nonce,
    })
}

fn verify_roa(
    request: &Received,
    lookup: &impl Fn(&str) -> Option<Key>,
    server_now: SystemTime,
) -> Result<Verified, Rejection> {
    let auth = request.header("authorization").unwrap_or("");
    let Some((id, signature)) = auth.strip_prefix("acs ").and_then(|r| r.split_once(':')) else {
        return Err(reject(
            400,
            "IncompleteSignature",
            "The Authorization header is incomplete.",
        ));
    };
    let key = find_key(lookup, id)?;
    check_time(
        request
            .header("date")
            .and_then(|d| httpdate::parse_http_date(d).ok()),
        server_now,
    )?;
    check_token(&key, request.header("x-acs-security-token"))?;
    let headers: Vec<(&str, &str)> = request
        .headers
        .iter()
        .map(|(n, v)| (n.as_str(), v.as_str()))
        .collect();
    let signable = SignableRequest::new(&request.method, &request.raw_path)
        .encoded_path()
        .query(&request.query)
        .headers(&headers);
    let string_to_sign = roa::string_to_sign(&signable).map_err(|_| {
        reject(
            400,
            "IncompleteSignature",
            "The request cannot be canonicalised.",
        )
    })?;
    if roa::signature(&key.secret, &string_to_sign) != signature {
        return Err(mismatch(&string_to_sign));
    }
    Ok(Verified {
        scheme: Scheme::Roa,
        access_key_id: Some(id.to_owned()),
        nonce: request.header("x-acs-signature-nonce").map(str::to_owned),
    })
}

fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

/// Decodes the raw path once (what the client signed).
pub(crate) fn decode_path(raw: &str) -> Option<String> {
    percent_decode(raw, false)
}
