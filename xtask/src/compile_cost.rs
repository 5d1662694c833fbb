//! `cargo xtask compile-cost`: what a binary that assumes a role costs to build, with acs-sts
//! and, in the same run, with aws-sdk-sts + aws-config.
//!
//! Both projects are written to `target/compile-cost/`, outside the workspace, and built clean
//! in release mode one after the other, each with its own target directory. The report gives
//! the wall-clock build time and the binary size (as built, and stripped).

use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::Instant;

const ACS_MAIN: &str = r#"use acs_core::{ClientConfig, StaticCredentialsProvider};
use acs_signer::Credentials;
use acs_sts::model::AssumeRoleRequest;

#[tokio::main(flavor = "current_thread")]
async fn main() -> Result<(), Box<dyn std::error::Error>> {
    let creds = Credentials::new(std::env::var("AK")?, std::env::var("SK")?)?;
    let config = ClientConfig::builder()
        .region("cn-hangzhou")
        .credentials_provider(StaticCredentialsProvider::new(creds))
        .build()?;
    let sts = acs_sts::Client::new(config)?;
    let out = sts.assume_role(&AssumeRoleRequest::new(std::env::var("ROLE")?, "cost")).await?;
    println!("{:?}", out.credentials.and_then(|c| c.expiration));
    Ok(())
}
"#;

const AWS_MAIN: &str = r#"#[tokio::main(flavor = "current_thread")]
async fn main() -> Result<(), Box<dyn std::error::Error>> {
    let config = aws_config::load_defaults(aws_config::BehaviorVersion::latest()).await;
    let sts = aws_sdk_sts::Client::new(&config);
    let out = sts.assume_role().role_arn(std::env::var("ROLE")?).role_session_name("cost").send().await?;
    println!("{:?}", out.credentials().map(|c| c.expiration().clone()));
    Ok(())
}
"#;

fn write(dir: &Path, manifest: &str, main: &str) -> Result<(), String> {
    std::fs::create_dir_all(dir.join("src")).map_err(|e| e.to_string())?;
    std::fs::write(dir.join("Cargo.toml"), manifest).map_err(|e| e.to_string())?;
    std::fs::write(dir.join("src/main.rs"), main).map_err(|e| e.to_string())
}

fn build(dir: &Path, name: &str) -> Result<(f64, u64, u64), String> {
    let target = dir.join("target");
    let _ = std::fs::remove_dir_all(&target);
    let started = Instant::now();
    let status = Command::new(std::env::var("CARGO").unwrap_or_else(|_| "cargo".into()))
        .args(["build", "--release", "--quiet", "--manifest-path"])
        .arg(dir.join("Cargo.toml"))
        .env("CARGO_TARGET_DIR", &target)
        .status()
        .map_err(|e| format!("cannot run cargo: {e}"))?;
    if !status.success() {
        return Err(format!("{name}: build failed"));
    }
    let seconds = started.elapsed().as_secs_f64();
    let binary = target.join("release").join(name);
    let size = std::fs::metadata(&binary)
        .map_err(|e| format!("{}: {e}", binary.display()))?
        .len();
    let stripped_path = target.join(format!("{name}.stripped"));
    let stripped = Command::new("strip")
        .arg("-o")
        .arg(&stripped_path)
        .arg(&binary)
        .status()
        .ok()
        .filter(|s| s.success())
        .and_then(|_| std::fs::metadata(&stripped_path).ok())
        .map_or(0, |m| m.len());
    Ok((seconds, size, stripped))
}

/// Builds both and reports.
pub(crate) fn run(root: &Path) -> Result<String, String> {
    let base: PathBuf = root.join("target/compile-cost");
    let acs = base.join("acs");
    let aws = base.join("aws");
    let path = |krate: &str| root.join("crates").join(krate).display().to_string();
    write(
        &acs,
        &format!(
            "[package]\nname = \"cost-acs\"\nversion = \"0.0.0\"\nedition = \"2024\"\n\n[dependencies]\n\
             acs-core = {{ path = {:?} }}\nacs-signer = {{ path = {:?} }}\nacs-sts = {{ path = {:?} }}\n\
             tokio = {{ version = \"1\", features = [\"rt\", \"macros\"] }}\n\n[workspace]\n",
            path("acs-core"),
            path("acs-signer"),
            path("acs-sts")
        ),
        ACS_MAIN,
    )?;
    write(
        &aws,
        "[package]\nname = \"cost-aws\"\nversion = \"0.0.0\"\nedition = \"2024\"\n\n[dependencies]\n\
         aws-config = \"1\"\naws-sdk-sts = \"1\"\ntokio = { version = \"1\", features = [\"rt\", \"macros\"] }\n\n[workspace]\n",
        AWS_MAIN,
    )?;
    let (acs_s, acs_size, acs_stripped) = build(&acs, "cost-acs")?;
    let (aws_s, aws_size, aws_stripped) = build(&aws, "cost-aws")?;
    let mib = |b: u64| b as f64 / (1024.0 * 1024.0);
    Ok(format!(
        "clean release build of a binary that assumes a role (same machine, same run)\n\
         | stack | build time | binary | stripped |\n|---|---|---|---|\n\
         | acs-sts + acs-core | {acs_s:.0} s | {:.1} MiB | {:.1} MiB |\n\
         | aws-sdk-sts + aws-config | {aws_s:.0} s | {:.1} MiB | {:.1} MiB |\n",
        mib(acs_size),
        mib(acs_stripped),
        mib(aws_size),
        mib(aws_stripped)
    ))
}
