//! The loopback HTTP server.

use std::collections::{HashMap, HashSet, VecDeque};
use std::future::Future as _;
use std::net::SocketAddr;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex, MutexGuard};
use std::time::{Duration, SystemTime};

use bytes::Bytes;
use http_body_util::{BodyExt, Full};
use hyper::service::service_fn;
use hyper_util::rt::TokioIo;
use tokio::net::TcpListener;
use tokio::task::JoinHandle;

use crate::reply::{Fault, Reply};
use crate::sts::Identity;
use crate::verify::{Key, Received, Rejection, Scheme, decode_path, verify};

/// What the server decided about one request.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum Verdict {
    /// Signed correctly with a registered key.
    Accepted,
    /// Unsigned, for an action allowed to be anonymous.
    Anonymous,
    /// Refused with this error code (for example `SignatureDoesNotMatch`).
    Rejected(String),
}

/// One request the server received.
#[derive(Debug, Clone)]
#[non_exhaustive]
pub struct RecordedRequest {
    /// The action (`Action` query parameter or `x-acs-action` header).
    pub action: String,
    /// The signature it carried.
    pub scheme: Scheme,
    /// The verdict.
    pub verdict: Verdict,
    /// The access key id it was signed with.
    pub access_key_id: Option<String>,
    /// The signature nonce.
    pub nonce: Option<String>,
    /// The HTTP method.
    pub method: String,
    /// The decoded path.
    pub path: String,
    /// The path exactly as it arrived (percent-encoded).
    pub raw_path: String,
    /// The decoded query parameters.
    pub query: Vec<(String, String)>,
    /// The headers, lower-case names.
    pub headers: Vec<(String, String)>,
    /// The decoded form fields, when the body is a form.
    pub form: Vec<(String, String)>,
}

#[derive(Default)]
struct State {
    keys: HashMap<String, Key>,
    bearer_tokens: HashSet<String>,
    anonymous: HashSet<String>,
    queued: HashMap<String, VecDeque<Reply>>,
    defaults: HashMap<String, Reply>,
    clock_offset_secs: i64,
    nonces: HashSet<String>,
    accept_replays: bool,
    sts: bool,
    issued: u64,
    metadata: Option<crate::metadata::Metadata>,
    cloud_sso: Option<CloudSso>,
    log: Vec<RecordedRequest>,
}

/// The CloudSSO portal emulation: who may sign in, and how often they did.
struct CloudSso {
    access_token: String,
    account_id: String,
    access_config: String,
    requests: usize,
}

struct Shared {
    state: Mutex<State>,
    request_ids: AtomicU64,
}

impl Shared {
    fn state(&self) -> MutexGuard<'_, State> {
        // A panic while holding the lock cannot leave the state half-updated in a way that
        // matters to tests; keep serving.
        self.state
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner())
    }

    fn server_now(&self) -> SystemTime {
        let offset = self.state().clock_offset_secs;
        let now = SystemTime::now();
        let by = Duration::from_secs(offset.unsigned_abs());
        if offset >= 0 {
            now + by
        } else {
            now.checked_sub(by).unwrap_or(now)
        }
    }

    fn next_request_id(&self) -> String {
        let n = self.request_ids.fetch_add(1, Ordering::Relaxed) + 1;
        format!("A1B2C3D4-0000-4000-8000-{n:012X}")
    }
}

/// A loopback emulator of Alibaba Cloud APIs on an ephemeral port.
///
/// It verifies every request's signature (RPC v1, ROA, V3 with SHA-256 or SM3) against the
/// registered keys, checks the timestamp (±15 minutes of its clock), rejects replayed nonces,
/// and answers with scripted replies in the real response shapes. It records every request so
/// a test can assert exactly what was sent. It stops when dropped.
///
/// ```
/// use acs_testkit::{Reply, TestServer};
/// # #[tokio::main(flavor = "current_thread")]
/// # async fn main() -> std::io::Result<()> {
/// let server = TestServer::start().await?;
/// server.add_access_key("LTAI5tTestKeyId", "test-secret");
/// server.set_reply("DescribeRegions", Reply::success(serde_json::json!({"Regions": {}})));
/// assert!(server.endpoint().starts_with("127.0.0.1:"));
/// # Ok(())
/// # }
/// ```
pub struct TestServer {
    shared: Arc<Shared>,
    addr: SocketAddr,
    task: JoinHandle<()>,
}

impl std::fmt::Debug for TestServer {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("TestServer")
            .field("addr", &self.addr)
            .finish_non_exhaustive()
    }
}

impl Drop for TestServer {
    fn drop(&mut self) {
        self.task.abort();
    }
}

impl TestServer {
    /// Starts a server on `127.0.0.1` with an ephemeral port. Needs a Tokio runtime.
    pub async fn start() -> std::io::Result<Self> {
        let listener = TcpListener::bind(("127.0.0.1", 0)).await?;
        let addr = listener.local_addr()?;
        let shared = Arc::new(Shared {
            state: Mutex::new(State::default()),
            request_ids: AtomicU64::new(0),
        });
        let accept_shared = shared.clone();
        let task = tokio::spawn(async move {
            loop {
                let Ok((stream, _)) = listener.accept().await else {
                    continue;
                };
                let shared = accept_shared.clone();
                tokio::spawn(async move {
                    let service = service_fn(move |request| {
                        let shared = shared.clone();
                        async move { handle(shared, request).await }
                    });
                    let _ = hyper::server::conn::http1::Builder::new()
                        .serve_connection(TokioIo::new(stream), service)
                        .await;
                });
            }
        });
        Ok(Self { shared, addr, task })
    }

    /// `127.0.0.1:<port>`, to use as a client's endpoint.
    pub fn endpoint(&self) -> String {
        self.addr.to_string()
    }

    /// The socket address.
    pub fn addr(&self) -> SocketAddr {
        self.addr
    }

    /// Accepts requests signed with this long-term key.
    pub fn add_access_key(&self, id: impl Into<String>, secret: impl Into<String>) {
        self.shared.state().keys.insert(
            id.into(),
            Key {
                secret: secret.into(),
                token: None,
                identity: None,
            },
        );
    }

    /// Accepts requests signed with these temporary credentials (the token must be sent).
    pub fn add_sts_credentials(
        &self,
        id: impl Into<String>,
        secret: impl Into<String>,
        token: impl Into<String>,
    ) {
        self.shared.state().keys.insert(
            id.into(),
            Key {
                secret: secret.into(),
                token: Some(token.into()),
                identity: None,
            },
        );
    }

    /// Accepts requests signed with a RAM user's key; `GetCallerIdentity` answers as that user.
    pub fn add_ram_user(
        &self,
        account_id: impl Into<String>,
        user_name: impl Into<String>,
        access_key_id: impl Into<String>,
        secret: impl Into<String>,
    ) {
        let account_id = account_id.into();
        let user_name = user_name.into();
        let user_id = format!("2{:017}", user_name.len() * 7919 + account_id.len());
        self.shared.state().keys.insert(
            access_key_id.into(),
            Key {
                secret: secret.into(),
                token: None,
                identity: Some(Identity::RamUser {
                    account_id,
                    user_name,
                    user_id,
                }),
            },
        );
    }

    /// Turns on the STS emulation: `AssumeRole`, `AssumeRoleWithOIDC` and `AssumeRoleWithSAML`
    /// check their parameters (required ones, `RoleArn` form, `DurationSeconds` in 900..=43200)
    /// and issue temporary credentials (`STS.`-prefixed key id, secret, token, `Expiration` =
    /// now + `DurationSeconds`) that the server then accepts; `GetCallerIdentity` answers who
    /// signed the request. The OIDC and SAML actions are accepted unsigned. Scripted replies
    /// still take precedence.
    pub fn enable_sts(&self) {
        let mut state = self.shared.state();
        state.sts = true;
        state.anonymous.insert("AssumeRoleWithOIDC".into());
        state.anonymous.insert("AssumeRoleWithSAML".into());
    }

    /// Accepts requests carrying this bearer token.
    pub fn add_bearer_token(&self, token: impl Into<String>) {
        self.shared.state().bearer_tokens.insert(token.into());
    }

    /// Lets `action` be called without a signature.
    pub fn allow_anonymous(&self, action: impl Into<String>) {
        self.shared.state().anonymous.insert(action.into());
    }

    /// The reply for every accepted call of `action` (after any queued ones).
    pub fn set_reply(&self, action: impl Into<String>, reply: Reply) {
        self.shared.state().defaults.insert(action.into(), reply);
    }

    /// Forgets the reply set for `action` by [`set_reply`](Self::set_reply) (queued ones stay):
    /// the emulation, if any, answers again.
    pub fn clear_reply(&self, action: &str) {
        self.shared.state().defaults.remove(action);
    }

    /// Replies for the next accepted calls of `action`, in order.
    pub fn push_replies(
        &self,
        action: impl Into<String>,
        replies: impl IntoIterator<Item = Reply>,
    ) {
        self.shared
            .state()
            .queued
            .entry(action.into())
            .or_default()
            .extend(replies);
    }

    /// Moves the server's clock by `seconds` (negative: behind). Requests more than 15 minutes
    /// off its clock are refused with `InvalidTimeStamp.Expired`.
    pub fn set_clock_offset(&self, seconds: i64) {
        self.shared.state().clock_offset_secs = seconds;
    }

    /// Accepts a nonce seen before (off by default): lets a benchmark replay one signed request.
    pub fn accept_replayed_nonces(&self, accept: bool) {
        self.shared.state().accept_replays = accept;
    }

    /// Turns on the ECS metadata emulation at `/latest/...`: the instance has RAM role `role`
    /// in `account_id`; with `require_token`, requests need an IMDSv2 token from
    /// `PUT /latest/api/token`. Credentials it hands out are accepted for API calls.
    pub fn enable_ecs_metadata(&self, role: &str, account_id: &str, require_token: bool) {
        self.shared.state().metadata = Some(crate::metadata::Metadata::new(
            role.to_owned(),
            account_id.to_owned(),
            require_token,
        ));
    }

    /// Makes the metadata service answer `Code: Failure` for the role's credentials (or stop).
    pub fn set_ecs_metadata_failing(&self, failing: bool) {
        if let Some(metadata) = self.shared.state().metadata.as_mut() {
            metadata.failing = failing;
        }
    }

    /// Makes `PUT /latest/api/token` fail (an instance without IMDSv2), or work again.
    pub fn set_ecs_metadata_tokens_off(&self, off: bool) {
        if let Some(metadata) = self.shared.state().metadata.as_mut() {
            metadata.tokens_off = off;
        }
    }

    /// The URL (`http://127.0.0.1:<port>/credentials-uri`) of a credentials-URI endpoint that
    /// hands out temporary credentials of the metadata role (requires
    /// [`enable_ecs_metadata`](Self::enable_ecs_metadata)), as `ALIBABA_CLOUD_CREDENTIALS_URI`
    /// expects them.
    pub fn credentials_uri(&self) -> String {
        format!("http://{}/credentials-uri", self.addr)
    }

    /// How many IMDSv2 tokens and role credentials the metadata service handed out.
    pub fn ecs_metadata_counts(&self) -> (usize, usize) {
        self.shared
            .state()
            .metadata
            .as_ref()
            .map_or((0, 0), |m| (m.token_requests, m.credential_requests))
    }

    /// Turns on the CloudSSO portal emulation at `POST /cloud-credentials` (what the CLI's
    /// `CloudSSO` profiles call): a request bearing `access_token` for `account_id` and access
    /// configuration `access_config` gets temporary credentials, accepted for API calls, whose
    /// identity is the assumed role `access_config` in `account_id`. The sign-in URL is
    /// [`endpoint`](Self::endpoint) with `http://`.
    pub fn enable_cloud_sso(&self, access_token: &str, account_id: &str, access_config: &str) {
        self.shared.state().cloud_sso = Some(CloudSso {
            access_token: access_token.to_owned(),
            account_id: account_id.to_owned(),
            access_config: access_config.to_owned(),
            requests: 0,
        });
    }

    /// How many requests the CloudSSO portal emulation received.
    pub fn cloud_sso_requests(&self) -> usize {
        self.shared
            .state()
            .cloud_sso
            .as_ref()
            .map_or(0, |c| c.requests)
    }

    /// Every request received so far.
    pub fn requests(&self) -> Vec<RecordedRequest> {
        self.shared.state().log.clone()
    }

    /// How many requests for `action` arrived.
    pub fn count(&self, action: &str) -> usize {
        self.shared
            .state()
            .log
            .iter()
            .filter(|r| r.action == action)
            .count()
    }

    /// How many requests for `action` got `verdict`.
    pub fn count_verdict(&self, action: &str, verdict: &Verdict) -> usize {
        self.shared
            .state()
            .log
            .iter()
            .filter(|r| r.action == action && &r.verdict == verdict)
            .count()
    }
}

type Body = http_body_util::combinators::BoxBody<Bytes, std::io::Error>;

/// A whole body.
fn full(bytes: impl Into<Bytes>) -> Body {
    Full::new(bytes.into())
        .map_err(|never| match never {})
        .boxed()
}

/// A body that sends `bytes`, waits a moment (so they are flushed), then fails, so the
/// connection closes before the declared `Content-Length` is reached: a real truncation on
/// the wire.
struct CutBody(Option<Bytes>, std::pin::Pin<Box<tokio::time::Sleep>>);

impl CutBody {
    fn new(bytes: Bytes) -> Self {
        Self(
            Some(bytes),
            Box::pin(tokio::time::sleep(Duration::from_millis(50))),
        )
    }
}

impl hyper::body::Body for CutBody {
    type Data = Bytes;
    type Error = std::io::Error;

    fn poll_frame(
        mut self: std::pin::Pin<&mut Self>,
        cx: &mut std::task::Context<'_>,
    ) -> std::task::Poll<Option<Result<hyper::body::Frame<Bytes>, std::io::Error>>> {
        if let Some(bytes) = self.0.take() {
            return std::task::Poll::Ready(Some(Ok(hyper::body::Frame::data(bytes))));
        }
        match self.1.as_mut().poll(cx) {
            std::task::Poll::Pending => std::task::Poll::Pending,
            std::task::Poll::Ready(()) => std::task::Poll::Ready(Some(Err(std::io::Error::other(
                "the test server cuts the body short",
            )))),
        }
    }
}

async fn handle(
    shared: Arc<Shared>,
    request: hyper::Request<hyper::body::Incoming>,
) -> Result<hyper::Response<Body>, std::io::Error> {
    let (parts, body) = request.into_parts();
    let body = body
        .collect()
        .await
        .map(|b| b.to_bytes())
        .unwrap_or_default();
    if parts.uri.path().starts_with("/latest/") {
        return Ok(metadata(&shared, &parts));
    }
    if parts.uri.path() == "/credentials-uri" {
        return Ok(credentials_uri(&shared));
    }
    if parts.uri.path() == "/cloud-credentials" {
        return Ok(cloud_credentials(&shared, &parts, &body));
    }
    let raw_query = parts.uri.query().unwrap_or("");
    let received = Received {
        method: parts.method.as_str().to_owned(),
        path: decode_path(parts.uri.path()).unwrap_or_default(),
        raw_path: parts.uri.path().to_owned(),
        query: crate::decode::parse_pairs(raw_query).unwrap_or_default(),
        headers: parts
            .headers
            .iter()
            .map(|(n, v)| {
                (
                    n.as_str().to_owned(),
                    String::from_utf8_lossy(v.as_bytes()).into_owned(),
                )
            })
            .chain(
                // An absolute-form request carries the host in its URI instead.
                parts
                    .uri
                    .authority()
                    .filter(|_| !parts.headers.contains_key("host"))
                    .map(|a| ("host".to_owned(), a.to_string())),
            )
            .collect(),
        body: body.to_vec(),
    };
    let action = received
        .query_param("Action")
        .or_else(|| received.header("x-acs-action"))
        .unwrap_or("")
        .to_owned();
    let xml = received
        .query_param("Format")
        .is_some_and(|f| f.eq_ignore_ascii_case("xml"))
        || received.header("accept").is_some_and(|a| a.contains("xml"));
    let server_now = shared.server_now();

    let (verdict, verified) = {
        let lookup = |id: &str| shared.state().keys.get(id).cloned();
        let bearer_known = |token: &str| shared.state().bearer_tokens.contains(token);
        match verify(&received, lookup, bearer_known, server_now) {
            Ok(v) if v.scheme == Scheme::Unsigned => {
                if shared.state().anonymous.contains(&action) {
                    (Ok(Verdict::Anonymous), Some(v))
                } else {
                    (Err(Rejection::missing_signature()), Some(v))
                }
            }
            Ok(v) => {
                let fresh = {
                    let mut state = shared.state();
                    let accept_replays = state.accept_replays;
                    v.nonce
                        .as_ref()
                        .is_some_and(|n| state.nonces.insert(n.clone()) || accept_replays)
                };
                if fresh {
                    (Ok(Verdict::Accepted), Some(v))
                } else {
                    (Err(Rejection::nonce_used()), Some(v))
                }
            }
            Err(rejection) => (Err(rejection), None),
        }
    };
    let form = received.form();
    {
        let mut state = shared.state();
        state.log.push(RecordedRequest {
            action: action.clone(),
            scheme: crate::verify::scheme_of(&received),
            verdict: match &verdict {
                Ok(v) => v.clone(),
                Err(r) => Verdict::Rejected(r.code.to_owned()),
            },
            access_key_id: verified.as_ref().and_then(|v| v.access_key_id.clone()),
            nonce: verified.as_ref().and_then(|v| v.nonce.clone()),
            method: received.method.clone(),
            path: received.path.clone(),
            raw_path: received.raw_path.clone(),
            query: received.query.clone(),
            headers: received.headers.clone(),
            form,
        });
    }
    let request_id = shared.next_request_id();
    let date = httpdate::fmt_http_date(server_now);
    if let Err(rejection) = verdict {
        return Ok(render_error(
            rejection.status,
            rejection.code,
            &rejection.message,
            &request_id,
            &date,
            xml,
        ));
    }
    let reply = {
        let mut state = shared.state();
        let queued = state.queued.get_mut(&action).and_then(VecDeque::pop_front);
        queued.or_else(|| state.defaults.get(&action).cloned())
    };
    let reply = match reply {
        Some(reply) => Some(reply),
        None if shared.state().sts => {
            let caller = verified.as_ref().and_then(|v| v.access_key_id.clone());
            sts_reply(&shared, &action, &received, caller.as_deref(), server_now)
        }
        None => None,
    };
    match reply.unwrap_or_else(|| Reply::success(serde_json::json!({}))) {
        Reply::Success(body) => Ok(render_success(&action, body, &request_id, &date, xml)),
        Reply::Error {
            status,
            code,
            message,
        } => Ok(render_error(
            status,
            &code,
            &message,
            &request_id,
            &date,
            xml,
        )),
        Reply::Fault(fault) => match fault {
            Fault::BareStatus(status) => Ok(response(
                status,
                "text/html",
                b"<html>error</html>".to_vec(),
                &date,
            )),
            Fault::Reset => Err(std::io::Error::other("connection reset by the test server")),
            Fault::Delay(by) => {
                tokio::time::sleep(by).await;
                Ok(render_success(
                    &action,
                    serde_json::json!({}),
                    &request_id,
                    &date,
                    xml,
                ))
            }
            Fault::Hang => {
                tokio::time::sleep(Duration::from_secs(3600)).await;
                Ok(response(504, "text/plain", Vec::new(), &date))
            }
            Fault::Malformed => Ok(response(
                200,
                "application/json",
                b"{\"RequestId\": \"unterminated".to_vec(),
                &date,
            )),
            Fault::LargeBody(n) => Ok(response(200, "application/json", vec![b' '; n], &date)),
            Fault::Truncated => {
                let body = Bytes::from_static(b"{\"RequestId\": \"cut");
                let length = body.len() + 64;
                let mut cut = response(200, "application/json", Vec::new(), &date);
                if let Ok(length) = http::HeaderValue::from_str(&length.to_string()) {
                    cut.headers_mut().insert("content-length", length);
                }
                Ok(cut.map(|_| CutBody::new(body).boxed()))
            }
            Fault::Raw {
                status,
                headers,
                body,
            } => {
                let mut builder = hyper::Response::builder().status(status);
                if !headers.iter().any(|(k, _)| k.eq_ignore_ascii_case("date")) {
                    builder = builder.header("date", date.as_str());
                }
                for (name, value) in &headers {
                    builder = builder.header(name.as_str(), value.as_str());
                }
                Ok(builder
                    .body(full(body))
                    .unwrap_or_else(|_| hyper::Response::new(full(Bytes::new()))))
            }
        },
    }
}

impl Rejection {
    fn missing_signature() -> Self {
        Rejection {
            status: 400,
            code: "IncompleteSignature",
            message: "The request is not signed.".into(),
        }
    }

    fn nonce_used() -> Self {
        Rejection {
            status: 400,
            code: "SignatureNonceUsed",
            message: "Specified signature nonce was used already.".into(),
        }
    }
}

fn response(status: u16, content_type: &str, body: Vec<u8>, date: &str) -> hyper::Response<Body> {
    let mut builder = hyper::Response::builder()
        .status(status)
        .header("content-type", content_type)
        .header("date", date);
    if status == 400 || status == 429 {
        builder = builder.header("connection", "keep-alive");
    }
    builder
        .body(full(body))
        .unwrap_or_else(|_| hyper::Response::new(full(Bytes::new())))
}

fn render_success(
    action: &str,
    body: serde_json::Value,
    request_id: &str,
    date: &str,
    xml: bool,
) -> hyper::Response<Body> {
    let mut body = body;
    if let serde_json::Value::Object(map) = &mut body {
        map.entry("RequestId")
            .or_insert_with(|| serde_json::Value::String(request_id.to_owned()));
    }
    let mut response = if xml {
        let mut text = String::from("<?xml version=\"1.0\" encoding=\"UTF-8\"?>");
        let root = format!("{action}Response");
        write_xml_element(&mut text, &root, &body);
        self::response(200, "text/xml;charset=utf-8", text.into_bytes(), date)
    } else {
        self::response(
            200,
            "application/json;charset=utf-8",
            body.to_string().into_bytes(),
            date,
        )
    };
    if let Ok(value) = http::HeaderValue::from_str(request_id) {
        response.headers_mut().insert("x-acs-request-id", value);
    }
    response
}

fn render_error(
    status: u16,
    code: &str,
    message: &str,
    request_id: &str,
    date: &str,
    xml: bool,
) -> hyper::Response<Body> {
    let host = "testkit.aliyuncs.com";
    let recommend = format!("https://api.aliyun.com/troubleshoot?q={code}");
    let mut response = if xml {
        let mut text = String::from("<?xml version=\"1.0\" encoding=\"UTF-8\"?><Error>");
        for (name, value) in [
            ("RequestId", request_id),
            ("HostId", host),
            ("Code", code),
            ("Message", message),
            ("Recommend", &recommend),
        ] {
            text.push_str(&format!("<{name}>{}</{name}>", escape(value)));
        }
        text.push_str("</Error>");
        self::response(status, "text/xml;charset=utf-8", text.into_bytes(), date)
    } else {
        let body = serde_json::json!({
            "RequestId": request_id, "HostId": host, "Code": code, "Message": message, "Recommend": recommend,
        });
        self::response(
            status,
            "application/json;charset=utf-8",
            body.to_string().into_bytes(),
            date,
        )
    };
    if let Ok(value) = http::HeaderValue::from_str(request_id) {
        response.headers_mut().insert("x-acs-request-id", value);
    }
    response
}

/// JSON to XML as Alibaba Cloud renders it: object fields become elements, arrays repeat
/// their element name.
fn write_xml_element(out: &mut String, name: &str, value: &serde_json::Value) {
    use serde_json::Value;
    match value {
        Value::Array(items) => {
            for item in items {
                write_xml_element(out, name, item);
            }
        }
        Value::Object(fields) => {
            out.push_str(&format!("<{name}>"));
            for (field, inner) in fields {
                write_xml_element(out, field, inner);
            }
            out.push_str(&format!("</{name}>"));
        }
        Value::Null => out.push_str(&format!("<{name}/>")),
        Value::String(s) => out.push_str(&format!("<{name}>{}</{name}>", escape(s))),
        other => out.push_str(&format!("<{name}>{other}</{name}>")),
    }
}

fn escape(text: &str) -> String {
    text.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
        .replace('"', "&quot;")
}

/// The STS emulation's answer to `action`, when it handles it.
fn sts_reply(
    shared: &Shared,
    action: &str,
    received: &Received,
    caller: Option<&str>,
    now: SystemTime,
) -> Option<Reply> {
    match action {
        "AssumeRole" | "AssumeRoleWithOIDC" | "AssumeRoleWithSAML" => {
            let mut params = received.query.clone();
            params.extend(received.form());
            let counter = {
                let mut state = shared.state();
                state.issued += 1;
                state.issued
            };
            Some(
                match crate::sts::assume_role(action, &params, now, counter) {
                    Ok(issued) => {
                        shared.state().keys.insert(
                            issued.access_key_id,
                            Key {
                                secret: issued.secret,
                                token: Some(issued.token),
                                identity: Some(issued.identity),
                            },
                        );
                        issued.reply
                    }
                    Err(reply) => reply,
                },
            )
        }
        "GetCallerIdentity" => {
            let identity =
                caller.and_then(|id| shared.state().keys.get(id).and_then(|k| k.identity.clone()));
            let identity = identity.unwrap_or_else(|| Identity::Account {
                account_id: "1234567890123456".into(),
            });
            Some(Reply::success(identity.caller_identity()))
        }
        _ => None,
    }
}

/// Answers an ECS metadata request.
fn metadata(shared: &Shared, parts: &http::request::Parts) -> hyper::Response<Body> {
    let header = |name: &str| {
        parts
            .headers
            .get(name)
            .and_then(|v| v.to_str().ok())
            .map(str::to_owned)
    };
    let now = shared.server_now();
    let date = httpdate::fmt_http_date(now);
    let mut state = shared.state();
    let Some(metadata) = state.metadata.as_mut() else {
        return response(
            404,
            "text/plain",
            b"metadata emulation is off".to_vec(),
            &date,
        );
    };
    let answer = metadata.handle(
        parts.method.as_str(),
        parts.uri.path(),
        header("x-aliyun-ecs-metadata-token").as_deref(),
        header("x-aliyun-ecs-metadata-token-ttl-seconds").as_deref(),
        now,
    );
    match answer {
        crate::metadata::Answer::Text(status, text) => {
            response(status, "text/plain", text.into_bytes(), &date)
        }
        crate::metadata::Answer::Credentials { status, body, key } => {
            if let Some((id, secret, token, identity)) = key {
                state.keys.insert(
                    id,
                    Key {
                        secret,
                        token: Some(token),
                        identity: Some(identity),
                    },
                );
            }
            response(status, "text/plain", body.into_bytes(), &date)
        }
    }
}

/// Answers the CloudSSO portal's `POST /cloud-credentials`.
fn cloud_credentials(
    shared: &Shared,
    parts: &http::request::Parts,
    body: &[u8],
) -> hyper::Response<Body> {
    let now = shared.server_now();
    let date = httpdate::fmt_http_date(now);
    let error = |status: u16, code: &str, message: &str| {
        let body = serde_json::json!({"ErrorCode": code, "ErrorMessage": message, "RequestId": "CloudSSO-Emulator"});
        response(
            status,
            "application/json",
            body.to_string().into_bytes(),
            &date,
        )
    };
    let (expected_token, account_id, access_config) = {
        let mut state = shared.state();
        let Some(sso) = state.cloud_sso.as_mut() else {
            return error(404, "NotFound", "enable the CloudSSO emulation first");
        };
        sso.requests += 1;
        (
            sso.access_token.clone(),
            sso.account_id.clone(),
            sso.access_config.clone(),
        )
    };
    if parts.method != http::Method::POST {
        return error(405, "MethodNotAllowed", "POST only");
    }
    let bearer = parts
        .headers
        .get(http::header::AUTHORIZATION)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.strip_prefix("Bearer "));
    if bearer != Some(expected_token.as_str()) {
        return error(
            401,
            "InvalidAccessToken",
            "The access token is invalid or expired.",
        );
    }
    let request: serde_json::Value = serde_json::from_slice(body).unwrap_or_default();
    let field = |name: &str| request.get(name).and_then(serde_json::Value::as_str);
    if field("AccountId") != Some(account_id.as_str())
        || field("AccessConfigurationId") != Some(access_config.as_str())
    {
        return error(
            403,
            "NoPermission",
            "No access to this account with this access configuration.",
        );
    }
    let counter = {
        let mut state = shared.state();
        state.issued += 1;
        state.issued
    };
    let params = [
        (
            "RoleArn".to_owned(),
            format!("acs:ram::{account_id}:role/{access_config}"),
        ),
        ("RoleSessionName".to_owned(), "cloudsso".to_owned()),
    ];
    let issued = match crate::sts::assume_role("AssumeRole", &params, now, counter) {
        Ok(issued) => issued,
        Err(_) => return error(500, "InternalError", "could not issue credentials"),
    };
    let expiration = match &issued.reply {
        Reply::Success(body) => body["Credentials"]["Expiration"].clone(),
        _ => serde_json::Value::Null,
    };
    let answer = serde_json::json!({
        "CloudCredential": {
            "AccessKeyId": issued.access_key_id,
            "AccessKeySecret": issued.secret,
            "SecurityToken": issued.token,
            "Expiration": expiration,
        },
        "RequestId": "CloudSSO-Emulator",
    });
    shared.state().keys.insert(
        issued.access_key_id,
        Key {
            secret: issued.secret,
            token: Some(issued.token),
            identity: Some(issued.identity),
        },
    );
    response(
        200,
        "application/json",
        answer.to_string().into_bytes(),
        &date,
    )
}

/// Answers the credentials-URI endpoint with fresh role credentials.
fn credentials_uri(shared: &Shared) -> hyper::Response<Body> {
    let now = shared.server_now();
    let date = httpdate::fmt_http_date(now);
    let mut state = shared.state();
    let Some(metadata) = state.metadata.as_mut() else {
        return response(
            404,
            "text/plain",
            b"enable the metadata emulation first".to_vec(),
            &date,
        );
    };
    let role = metadata.role.clone();
    let token = metadata.tokens.iter().next().cloned();
    let was_required = metadata.require_token;
    metadata.require_token = false;
    let answer = metadata.handle(
        "GET",
        &format!("/latest/meta-data/ram/security-credentials/{role}"),
        token.as_deref(),
        None,
        now,
    );
    metadata.require_token = was_required;
    match answer {
        crate::metadata::Answer::Credentials { status, body, key } => {
            if let Some((id, secret, token, identity)) = key {
                state.keys.insert(
                    id,
                    Key {
                        secret,
                        token: Some(token),
                        identity: Some(identity),
                    },
                );
            }
            response(status, "application/json", body.into_bytes(), &date)
        }
        crate::metadata::Answer::Text(status, text) => {
            response(status, "text/plain", text.into_bytes(), &date)
        }
    }
}
