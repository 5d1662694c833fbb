//! Credential value types: an access key pair (optionally temporary, with an STS security token)
//! and a bearer token.
//!
//! Secrets live in zeroizing storage that is wiped when the last copy is dropped, and no
//! formatting trait ever prints them.

use std::fmt;
use std::sync::{Arc, OnceLock};
use std::time::SystemTime;

use zeroize::Zeroizing;

use crate::error::{SigningError, SigningErrorKind};
use crate::sha1_mac::HmacSha1Key;

const REDACTED: &str = "** redacted **";

/// An Alibaba Cloud access key pair, optionally temporary (an STS security token and an expiry).
///
/// Cloning is cheap (a reference count), so a credentials cache can hand out copies freely.
/// The secret and the token are wiped from memory when the last copy is dropped, and neither
/// `Debug` nor `Display` ever shows them.
///
/// ```
/// use acs_signer::Credentials;
///
/// let creds = Credentials::new("LTAI5tExampleKeyId", "example-secret")?
///     .with_security_token("example-sts-token")?;
/// assert_eq!(creds.access_key_id(), "LTAI5tExampleKeyId");
/// let shown = format!("{creds:?} {creds}");
/// assert!(!shown.contains("example-secret") && !shown.contains("example-sts-token"));
/// # Ok::<(), acs_signer::SigningError>(())
/// ```
#[derive(Clone)]
pub struct Credentials {
    inner: Arc<CredentialsInner>,
}

struct CredentialsInner {
    access_key_id: String,
    access_key_secret: Zeroizing<String>,
    security_token: Option<Zeroizing<String>>,
    expiry: Option<SystemTime>,
    provider_name: Option<&'static str>,
    /// RPC v1's HMAC key (`secret + "&"`), prepared on first use; wiped on drop.
    rpc_v1_key: OnceLock<HmacSha1Key>,
}

impl Credentials {
    /// Long-term credentials from an access key id and its secret.
    ///
    /// Fails when either is empty, or when the key id holds characters that cannot travel in an
    /// HTTP header (anything but visible ASCII).
    ///
    /// ```
    /// use acs_signer::Credentials;
    /// assert!(Credentials::new("LTAI5tExampleKeyId", "secret").is_ok());
    /// assert!(Credentials::new("", "secret").is_err());
    /// assert!(Credentials::new("id with space", "secret").is_err());
    /// ```
    pub fn new(
        access_key_id: impl Into<String>,
        access_key_secret: impl Into<String>,
    ) -> Result<Self, SigningError> {
        let access_key_id = access_key_id.into();
        let access_key_secret = Zeroizing::new(access_key_secret.into());
        check_header_token(&access_key_id, Field::AccessKeyId)?;
        if access_key_secret.is_empty() {
            return Err(invalid("the access key secret is empty"));
        }
        Ok(Self {
            inner: Arc::new(CredentialsInner {
                access_key_id,
                access_key_secret,
                security_token: None,
                expiry: None,
                provider_name: None,
                rpc_v1_key: OnceLock::new(),
            }),
        })
    }

    /// The same key pair with an STS security token: temporary credentials.
    ///
    /// ```
    /// use acs_signer::Credentials;
    /// let sts = Credentials::new("STS.NExampleKeyId", "secret")?.with_security_token("token")?;
    /// assert_eq!(sts.security_token(), Some("token"));
    /// # Ok::<(), acs_signer::SigningError>(())
    /// ```
    pub fn with_security_token(self, token: impl Into<String>) -> Result<Self, SigningError> {
        let token = Zeroizing::new(token.into());
        check_header_token(&token, Field::SecurityToken)?;
        Ok(self.map(|inner| inner.security_token = Some(token)))
    }

    /// The same credentials with the instant after which they are no longer valid.
    ///
    /// ```
    /// use std::time::{Duration, SystemTime};
    /// use acs_signer::Credentials;
    /// let at = SystemTime::UNIX_EPOCH + Duration::from_secs(1_700_000_000);
    /// let creds = Credentials::new("id", "secret")?.with_expiry(at);
    /// assert_eq!(creds.expiry(), Some(at));
    /// # Ok::<(), acs_signer::SigningError>(())
    /// ```
    pub fn with_expiry(self, expiry: SystemTime) -> Self {
        self.map(|inner| inner.expiry = Some(expiry))
    }

    /// The same credentials, labelled with the name of the provider that produced them.
    ///
    /// ```
    /// use acs_signer::Credentials;
    /// let creds = Credentials::new("id", "secret")?.with_provider_name("environment");
    /// assert_eq!(creds.provider_name(), Some("environment"));
    /// # Ok::<(), acs_signer::SigningError>(())
    /// ```
    pub fn with_provider_name(self, name: &'static str) -> Self {
        self.map(|inner| inner.provider_name = Some(name))
    }

    fn map(self, change: impl FnOnce(&mut CredentialsInner)) -> Self {
        let mut inner = match Arc::try_unwrap(self.inner) {
            Ok(inner) => inner,
            Err(shared) => CredentialsInner {
                access_key_id: shared.access_key_id.clone(),
                access_key_secret: shared.access_key_secret.clone(),
                security_token: shared.security_token.clone(),
                expiry: shared.expiry,
                provider_name: shared.provider_name,
                rpc_v1_key: OnceLock::new(),
            },
        };
        change(&mut inner);
        Self {
            inner: Arc::new(inner),
        }
    }

    /// The access key id (not a secret: it names the key).
    pub fn access_key_id(&self) -> &str {
        &self.inner.access_key_id
    }

    /// The access key secret. Handle with care: never log it.
    ///
    /// ```
    /// # use acs_signer::Credentials;
    /// let creds = Credentials::new("id", "secret")?;
    /// assert_eq!(creds.access_key_secret(), "secret");
    /// # Ok::<(), acs_signer::SigningError>(())
    /// ```
    pub fn access_key_secret(&self) -> &str {
        &self.inner.access_key_secret
    }

    /// RPC v1's HMAC-SHA1 key, `secret + "&"`, prepared once per credentials.
    pub(crate) fn rpc_v1_key(&self) -> &HmacSha1Key {
        self.inner
            .rpc_v1_key
            .get_or_init(|| HmacSha1Key::rpc_v1(self.inner.access_key_secret.as_bytes()))
    }

    /// The STS security token, present for temporary credentials. Handle with care: never log it.
    pub fn security_token(&self) -> Option<&str> {
        self.inner.security_token.as_deref().map(String::as_str)
    }

    /// When these credentials stop being valid; `None` for long-term keys.
    pub fn expiry(&self) -> Option<SystemTime> {
        self.inner.expiry
    }

    /// The name of the provider that produced these credentials, when one was recorded.
    pub fn provider_name(&self) -> Option<&'static str> {
        self.inner.provider_name
    }

    /// Whether these credentials have expired at `now` (never, for long-term keys).
    ///
    /// ```
    /// use std::time::{Duration, SystemTime};
    /// use acs_signer::Credentials;
    /// let at = SystemTime::UNIX_EPOCH + Duration::from_secs(100);
    /// let creds = Credentials::new("id", "secret")?.with_expiry(at);
    /// assert!(!creds.is_expired_at(at - Duration::from_secs(1)));
    /// assert!(creds.is_expired_at(at));
    /// # Ok::<(), acs_signer::SigningError>(())
    /// ```
    pub fn is_expired_at(&self, now: SystemTime) -> bool {
        self.inner.expiry.is_some_and(|expiry| now >= expiry)
    }
}

impl fmt::Debug for Credentials {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let mut out = f.debug_struct("Credentials");
        out.field("access_key_id", &self.inner.access_key_id)
            .field("access_key_secret", &Redacted);
        if self.inner.security_token.is_some() {
            out.field("security_token", &Redacted);
        }
        if let Some(expiry) = self.inner.expiry {
            out.field("expiry", &expiry);
        }
        if let Some(name) = self.inner.provider_name {
            out.field("provider_name", &name);
        }
        out.finish()
    }
}

impl fmt::Display for Credentials {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let kind = if self.inner.security_token.is_some() {
            "temporary"
        } else {
            "long-term"
        };
        write!(f, "{kind} access key {}", self.inner.access_key_id)
    }
}

/// A bearer token, used instead of a signature by the few APIs that accept one.
///
/// The token is wiped when the last copy is dropped and never shown by `Debug` or `Display`.
///
/// ```
/// use acs_signer::BearerToken;
/// let token = BearerToken::new("example-bearer-token")?;
/// assert_eq!(token.token(), "example-bearer-token");
/// assert!(!format!("{token:?} {token}").contains("example-bearer-token"));
/// # Ok::<(), acs_signer::SigningError>(())
/// ```
#[derive(Clone)]
pub struct BearerToken {
    inner: Arc<BearerInner>,
}

struct BearerInner {
    token: Zeroizing<String>,
    expiry: Option<SystemTime>,
}

impl BearerToken {
    /// A bearer token; fails when it is empty or holds anything but visible ASCII.
    pub fn new(token: impl Into<String>) -> Result<Self, SigningError> {
        let token = Zeroizing::new(token.into());
        check_header_token(&token, Field::BearerToken)?;
        Ok(Self {
            inner: Arc::new(BearerInner {
                token,
                expiry: None,
            }),
        })
    }

    /// The same token with the instant after which it is no longer valid.
    ///
    /// ```
    /// use std::time::SystemTime;
    /// use acs_signer::BearerToken;
    /// let token = BearerToken::new("t")?.with_expiry(SystemTime::UNIX_EPOCH);
    /// assert_eq!(token.expiry(), Some(SystemTime::UNIX_EPOCH));
    /// # Ok::<(), acs_signer::SigningError>(())
    /// ```
    pub fn with_expiry(self, expiry: SystemTime) -> Self {
        Self {
            inner: Arc::new(BearerInner {
                token: self.inner.token.clone(),
                expiry: Some(expiry),
            }),
        }
    }

    /// The token. Handle with care: never log it.
    pub fn token(&self) -> &str {
        &self.inner.token
    }

    /// When the token stops being valid, when known.
    pub fn expiry(&self) -> Option<SystemTime> {
        self.inner.expiry
    }
}

impl fmt::Debug for BearerToken {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("BearerToken")
            .field("token", &Redacted)
            .field("expiry", &self.inner.expiry)
            .finish()
    }
}

impl fmt::Display for BearerToken {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("bearer token ")?;
        f.write_str(REDACTED)
    }
}

/// Prints `** redacted **` in place of a secret.
pub(crate) struct Redacted;

impl fmt::Debug for Redacted {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(REDACTED)
    }
}

fn invalid(detail: &'static str) -> SigningError {
    SigningError::new(SigningErrorKind::InvalidCredentials, detail)
}

/// Key ids and tokens travel in headers and query strings: non-empty visible ASCII only.
fn check_header_token(value: &str, field: Field) -> Result<(), SigningError> {
    let (empty, bad_chars) = match field {
        Field::AccessKeyId => (
            "the access key id is empty",
            "the access key id holds characters other than visible ASCII",
        ),
        Field::SecurityToken => (
            "the security token is empty",
            "the security token holds characters other than visible ASCII",
        ),
        Field::BearerToken => (
            "the bearer token is empty",
            "the bearer token holds characters other than visible ASCII",
        ),
    };
    if value.is_empty() {
        return Err(invalid(empty));
    }
    if !value.bytes().all(|b| b.is_ascii_graphic()) {
        return Err(invalid(bad_chars));
    }
    Ok(())
}

#[derive(Clone, Copy)]
enum Field {
    AccessKeyId,
    SecurityToken,
    BearerToken,
}
