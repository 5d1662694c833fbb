//! Entry points for the fuzz targets in `fuzz/` (feature `fuzzing`, hidden from the docs):
//! the private parsers of untrusted input, reachable without widening the public API.

use std::sync::Arc;

use crate::environment::{Environment, FakeEnvironment};

/// Parses `body` as each credentials endpoint's answer would be: the ECS metadata service,
/// a credentials URI and an External command's output. Results are dropped; only panics,
/// hangs and unbounded memory matter.
pub fn credentials_answers(body: &[u8]) {
    let text = String::from_utf8_lossy(body);
    let _ = crate::ecs::parse_role_credentials("fuzz-role", &text);
    let _ = crate::uri::parse_answer(body);
    let _ = crate::external::parse_output(body);
}

/// Reads `config_json` as `~/.aliyun/config.json` and `ini` as `~/.alibabacloud/credentials`,
/// with `profile` selected, as the default chain would (providers are built, never called).
pub fn profile_files(config_json: &str, ini: &str, profile: &str) {
    let mut env = FakeEnvironment::new()
        .with_home("/home/fuzz")
        .with_file("/home/fuzz/.aliyun/config.json", config_json)
        .with_file("/home/fuzz/.alibabacloud/credentials", ini);
    if !profile.is_empty() {
        env = env
            .with_var("ALIBABA_CLOUD_PROFILE", profile)
            .with_var("ALIBABA_CLOUD_CLI_PROFILE", profile);
    }
    let env: Arc<dyn Environment> = Arc::new(env);
    let _ = crate::profiles::cli_profile(&env);
    let _ = crate::profiles::ini_profile(&env);
}
