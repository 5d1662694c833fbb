//! Proxy routing over loopback: a recording proxy sees exactly the CONNECTs it should.

use std::sync::{Arc, Mutex};
use std::time::Duration;

use acs_core::{
    Client, ClientConfig, EndpointRules, ErrorKind, Operation, ProxyConfig, Request, RetryConfig,
    StaticCredentialsProvider,
};
use acs_signer::Credentials;
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpListener;

const OP: Operation = Operation::rpc("Sts", "2015-04-01", "GetCallerIdentity");

/// A proxy that records each request head and refuses the tunnel.
async fn recording_proxy() -> (String, Arc<Mutex<Vec<String>>>) {
    let listener = TcpListener::bind("127.0.0.1:0").await.expect("bind");
    let addr = listener.local_addr().expect("addr").to_string();
    let seen = Arc::new(Mutex::new(Vec::new()));
    let log = seen.clone();
    tokio::spawn(async move {
        while let Ok((mut stream, _)) = listener.accept().await {
            let log = log.clone();
            tokio::spawn(async move {
                let mut head = Vec::new();
                let mut buf = [0u8; 1024];
                while !head.windows(4).any(|w| w == b"\r\n\r\n") {
                    match stream.read(&mut buf).await {
                        Ok(0) | Err(_) => break,
                        Ok(n) => head.extend_from_slice(&buf[..n]),
                    }
                }
                log.lock()
                    .expect("lock")
                    .push(String::from_utf8_lossy(&head).into_owned());
                let _ = stream
                    .write_all(b"HTTP/1.1 403 Forbidden\r\ncontent-length: 0\r\n\r\n")
                    .await;
            });
        }
    });
    (addr, seen)
}

fn client(endpoint: &str, proxy: ProxyConfig) -> Client {
    let config = ClientConfig::builder()
        .endpoint(endpoint)
        .proxy(proxy)
        .credentials_provider(StaticCredentialsProvider::new(
            Credentials::new("id", "secret").expect("valid"),
        ))
        .retry(RetryConfig::disabled())
        .attempt_timeout(Duration::from_secs(2))
        .build()
        .expect("config");
    Client::new(config, &EndpointRules::new("sts")).expect("client")
}

#[tokio::test]
async fn https_goes_through_the_proxy_with_its_credentials_kept_secret() {
    let (proxy, seen) = recording_proxy().await;
    let url = format!("http://proxyuser:proxy-pass-canary@{proxy}");
    let client = client(
        "sts.example.invalid",
        ProxyConfig::explicit(&url, "localhost").expect("proxy"),
    );
    let err = client
        .call(&OP, &Request::new())
        .await
        .expect_err("the proxy refuses");
    assert_eq!(err.kind(), ErrorKind::Connect);
    let text = format!("{err} {err:?} {client:?}");
    assert!(
        !text.contains("proxy-pass-canary") && !text.contains("cHJveHk"),
        "{text}"
    );
    let seen = seen.lock().expect("lock").clone();
    assert_eq!(seen.len(), 1, "{seen:?}");
    assert!(
        seen[0].starts_with("CONNECT sts.example.invalid:443 HTTP/1.1\r\n"),
        "{}",
        seen[0]
    );
    // Basic base64("proxyuser:proxy-pass-canary").
    assert!(
        seen[0]
            .to_ascii_lowercase()
            .contains("proxy-authorization: basic chjvehl1c2vyonbyb3h5lxbhc3mty2fuyxj5"),
        "{}",
        seen[0]
    );
}

#[tokio::test]
async fn no_proxy_hosts_connect_directly() {
    let (proxy, seen) = recording_proxy().await;
    let url = format!("http://{proxy}");
    for no_proxy in [".example.invalid", "sts.example.invalid", "*"] {
        let client = client(
            "sts.example.invalid",
            ProxyConfig::explicit(&url, no_proxy).expect("proxy"),
        );
        let err = client
            .call(&OP, &Request::new())
            .await
            .expect_err("no such host");
        assert!(
            matches!(err.kind(), ErrorKind::Connect | ErrorKind::Timeout),
            "{err}"
        );
    }
    assert!(
        seen.lock().expect("lock").is_empty(),
        "the proxy must not be used"
    );
}
