//! Data-driven default-chain tests: each directory under `tests/chain_cases/` is one case.
//!
//! - `env`: `NAME=value` lines (`${URI}` becomes the emulator's credentials URL; in the CLI
//!   config file, so does `${URI}`, and `${SIGNIN}` becomes its CloudSSO sign-in URL);
//! - `files/`: files of the fake file system, at the same path from `/` (home is `/home/test`);
//! - `expected`: `provider <link>` (the chain link that must supply credentials), `key <id>`
//!   (their access key id), `identity <arn>` (what `GetCallerIdentity` answers with them), or
//!   `error <text>` lines (the chain must fail with every text in its message or the messages
//!   of its sources).
//!
//! Every case runs against a fresh acs-testkit emulator (STS, ECS metadata, credentials URL)
//! through `FakeEnvironment`: nothing reads the machine's environment or files, and nothing
//! leaves the loopback interface.

use std::path::Path;
use std::sync::Arc;

use acs_core::{ClientConfig, Protocol, ProvideCredentials};
use acs_credentials::{DefaultChain, FakeEnvironment};
use acs_sts::model::GetCallerIdentityRequest;
use acs_testkit::TestServer;

fn collect_files(root: &Path, dir: &Path, env: FakeEnvironment) -> FakeEnvironment {
    let mut env = env;
    for entry in std::fs::read_dir(dir).expect("read dir") {
        let path = entry.expect("entry").path();
        if path.is_dir() {
            env = collect_files(root, &path, env);
        } else {
            let relative = path.strip_prefix(root).expect("under root");
            let contents = std::fs::read_to_string(&path).expect("read file");
            env = env.with_file(&format!("/{}", relative.display()), &contents);
        }
    }
    env
}

async fn run_case(dir: &Path) -> Result<(), String> {
    let server = TestServer::start().await.map_err(|e| e.to_string())?;
    server.enable_sts();
    server.add_ram_user("1234567890123456", "alice", "LTAI5tAlice", "alice-secret");
    server.enable_ecs_metadata("EcsWorkerRole", "1234567890123456", true);
    server.enable_cloud_sso("sso-access-token", "1234567890123456", "ac-00reader");
    let url = format!("http://{}", server.endpoint());
    let mut env = FakeEnvironment::new()
        .with_home("/home/test")
        .with_endpoint("sts", &url)
        .with_endpoint("ecs_metadata", &url);
    let vars = std::fs::read_to_string(dir.join("env")).unwrap_or_default();
    for line in vars.lines().filter(|l| !l.trim().is_empty()) {
        let (name, value) = line
            .split_once('=')
            .ok_or_else(|| format!("bad env line {line:?}"))?;
        env = env.with_var(name, &value.replace("${URI}", &server.credentials_uri()));
    }
    let files = dir.join("files");
    if files.is_dir() {
        env = collect_files(&files, &files, env);
    }
    let chain = DefaultChain::with_environment(Arc::new(substitute_files(env, &server)));
    let expected = std::fs::read_to_string(dir.join("expected")).map_err(|e| e.to_string())?;
    let result = chain.provide_credentials().await;
    for line in expected.lines().filter(|l| !l.trim().is_empty()) {
        let (kind, value) = line.split_once(' ').unwrap_or((line, ""));
        match (kind, &result) {
            ("error", Err(err)) => {
                // The chain keeps each link's cause as a source: search the whole chain.
                let mut text = err.to_string();
                let mut source = std::error::Error::source(err);
                while let Some(cause) = source {
                    text.push_str(" <- ");
                    text.push_str(&cause.to_string());
                    source = cause.source();
                }
                if !text.contains(value) {
                    return Err(format!("error {text} lacks {value:?}"));
                }
            }
            ("error", Ok(c)) => {
                return Err(format!("expected an error, got {}", c.access_key_id()));
            }
            (_, Err(err)) => return Err(format!("expected {line:?}, got error {err}")),
            ("provider", Ok(_)) => {
                if chain.last_provider() != Some(value) {
                    return Err(format!(
                        "provider {:?}, expected {value}",
                        chain.last_provider()
                    ));
                }
            }
            ("key", Ok(c)) => {
                if c.access_key_id() != value {
                    return Err(format!("key {}, expected {value}", c.access_key_id()));
                }
            }
            ("identity", Ok(_)) => {
                let config = ClientConfig::builder()
                    .endpoint(server.endpoint())
                    .protocol(Protocol::Http)
                    .shared_credentials_provider(Arc::new(Shared(Arc::new(chain))))
                    .build()
                    .map_err(|e| e.to_string())?;
                let who = acs_sts::Client::new(config)
                    .map_err(|e| e.to_string())?
                    .get_caller_identity(&GetCallerIdentityRequest::new())
                    .await
                    .map_err(|e| format!("GetCallerIdentity: {e}"))?;
                if who.arn.as_deref() != Some(value) {
                    return Err(format!("identity {:?}, expected {value}", who.arn));
                }
                return Ok(());
            }
            (other, _) => return Err(format!("unknown expectation {other:?}")),
        }
    }
    Ok(())
}

/// A chain shared by reference, so the identity check reuses its cached credentials.
#[derive(Debug)]
struct Shared(Arc<DefaultChain>);

#[async_trait::async_trait]
impl ProvideCredentials for Shared {
    async fn provide_credentials(&self) -> Result<acs_signer::Credentials, acs_core::Error> {
        self.0.provide_credentials().await
    }
}

fn substitute_files(env: FakeEnvironment, server: &TestServer) -> FakeEnvironment {
    // Files are held in memory by the fake; rewrite any that mention ${URI}.
    for path in ["/home/test/.aliyun/config.json"] {
        if let Ok(text) = acs_credentials::Environment::read_file(&env, Path::new(path)) {
            let signin = format!("http://{}/d-00emulator/login", server.endpoint());
            let text = text
                .replace("${URI}", &server.credentials_uri())
                .replace("${SIGNIN}", &signin);
            env.set_file(path, &text);
        }
    }
    env
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn every_chain_case() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/chain_cases");
    let mut dirs: Vec<_> = std::fs::read_dir(&root)
        .expect("cases")
        .map(|e| e.expect("entry").path())
        .collect();
    dirs.sort();
    assert!(
        dirs.len() >= 30,
        "expected the whole case set, found {}",
        dirs.len()
    );
    let mut failures = Vec::new();
    for dir in &dirs {
        if let Err(why) = run_case(dir).await {
            failures.push(format!(
                "{}: {why}",
                dir.file_name()
                    .map(|n| n.to_string_lossy().into_owned())
                    .unwrap_or_default()
            ));
        }
    }
    assert!(
        failures.is_empty(),
        "{} of {} cases failed:\n{}",
        failures.len(),
        dirs.len(),
        failures.join("\n")
    );
}
