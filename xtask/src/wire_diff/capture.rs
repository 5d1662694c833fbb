//! A loopback HTTP/1.1 server that records every request and answers `200 {}`.
//!
//! A driver announces each operation with `POST /__wire_diff/begin?side=<side>&op=<name>`;
//! the requests that follow, until the next announcement, are that operation's.

use std::collections::BTreeMap;
use std::io::{BufRead, BufReader, Read, Write};
use std::net::{TcpListener, TcpStream};
use std::sync::{Arc, Mutex};
use std::time::Duration;

/// Requests larger than this are recorded as an error instead.
const MAX_BODY: usize = 16 * 1024 * 1024;

/// One captured request.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Captured {
    /// The method.
    pub(crate) method: String,
    /// The request target as sent (path and query, still encoded).
    pub(crate) target: String,
    /// Headers, names in lower case, in the order sent.
    pub(crate) headers: Vec<(String, String)>,
    /// The body.
    pub(crate) body: Vec<u8>,
}

/// Captured requests by (side, operation), in arrival order.
pub(crate) type Captures = BTreeMap<(String, String), Vec<Captured>>;

#[derive(Default)]
struct State {
    current: Option<(String, String)>,
    captures: Captures,
}

/// The running server; it stops with the process.
pub(crate) struct Server {
    port: u16,
    state: Arc<Mutex<State>>,
}

impl Server {
    /// Listens on an ephemeral loopback port.
    pub(crate) fn start() -> Result<Self, String> {
        let listener =
            TcpListener::bind("127.0.0.1:0").map_err(|e| format!("capture server: {e}"))?;
        let port = listener
            .local_addr()
            .map_err(|e| format!("capture server: {e}"))?
            .port();
        let state = Arc::new(Mutex::new(State::default()));
        let shared = Arc::clone(&state);
        std::thread::spawn(move || {
            for stream in listener.incoming().flatten() {
                let state = Arc::clone(&shared);
                std::thread::spawn(move || serve(stream, &state));
            }
        });
        Ok(Self { port, state })
    }

    /// The port it listens on.
    pub(crate) fn port(&self) -> u16 {
        self.port
    }

    /// Everything captured so far.
    pub(crate) fn captures(&self) -> Captures {
        self.state
            .lock()
            .map(|s| s.captures.clone())
            .unwrap_or_default()
    }
}

fn serve(stream: TcpStream, state: &Mutex<State>) {
    let _ = stream.set_read_timeout(Some(Duration::from_secs(30)));
    let Ok(mut writer) = stream.try_clone() else {
        return;
    };
    let mut reader = BufReader::new(stream);
    while let Some(request) = read_request(&mut reader) {
        let close = request
            .headers
            .iter()
            .any(|(n, v)| n == "connection" && v.eq_ignore_ascii_case("close"));
        let marker = request.target.strip_prefix("/__wire_diff/begin?");
        if let Some(query) = marker {
            let pairs: BTreeMap<String, String> =
                super::compare::decode_pairs(query).into_iter().collect();
            if let Ok(mut s) = state.lock() {
                s.current = Some((
                    pairs.get("side").cloned().unwrap_or_default(),
                    pairs.get("op").cloned().unwrap_or_default(),
                ));
            }
        } else if let Ok(mut s) = state.lock() {
            let key = s
                .current
                .clone()
                .unwrap_or_else(|| (String::new(), String::new()));
            s.captures.entry(key).or_default().push(request);
        }
        let body = br#"{"RequestId":"wire-diff"}"#;
        let head = format!(
            "HTTP/1.1 200 OK\r\ncontent-type: application/json;charset=utf-8\r\nx-acs-request-id: wire-diff\r\ncontent-length: {}\r\n\r\n",
            body.len()
        );
        if writer.write_all(head.as_bytes()).is_err() || writer.write_all(body).is_err() || close {
            return;
        }
    }
}

fn read_request(reader: &mut BufReader<TcpStream>) -> Option<Captured> {
    let mut line = String::new();
    reader.read_line(&mut line).ok()?;
    let mut parts = line.trim_end().splitn(3, ' ');
    let method = parts.next()?.to_owned();
    let target = parts.next()?.to_owned();
    if method.is_empty() {
        return None;
    }
    let mut headers = Vec::new();
    loop {
        let mut line = String::new();
        reader.read_line(&mut line).ok()?;
        let line = line.trim_end_matches(['\r', '\n']);
        if line.is_empty() {
            break;
        }
        let (name, value) = line.split_once(':')?;
        headers.push((name.trim().to_ascii_lowercase(), value.trim().to_owned()));
    }
    let header = |name: &str| {
        headers
            .iter()
            .find(|(n, _)| n == name)
            .map(|(_, v)| v.clone())
    };
    let mut body = Vec::new();
    if header("transfer-encoding").is_some_and(|v| v.eq_ignore_ascii_case("chunked")) {
        loop {
            let mut size = String::new();
            reader.read_line(&mut size).ok()?;
            let size = usize::from_str_radix(size.trim().split(';').next()?, 16).ok()?;
            if body.len() + size > MAX_BODY {
                return None;
            }
            let mut chunk = vec![0; size + 2];
            reader.read_exact(&mut chunk).ok()?;
            chunk.truncate(size);
            body.extend(chunk);
            if size == 0 {
                break;
            }
        }
    } else if let Some(length) = header("content-length") {
        let length: usize = length.parse().ok()?;
        if length > MAX_BODY {
            return None;
        }
        body = vec![0; length];
        reader.read_exact(&mut body).ok()?;
    }
    Some(Captured {
        method,
        target,
        headers,
        body,
    })
}
