//! `cargo xtask codegen`: product clients from Alibaba Cloud's API metadata.
//!
//! [`parse`] reads the API Explorer `api-docs.json` format into a checked model ([`ir`]),
//! refusing what it does not understand with an error naming the API and field; [`emit`]
//! writes a crate from the model; the result is formatted with rustfmt. Each generated crate
//! keeps its input in `api/api-docs.json`, holding facts only ([`facts`]).

pub(crate) mod emit;
pub(crate) mod facts;
pub(crate) mod ir;
pub(crate) mod names;
pub(crate) mod parse;

use std::io::Write as _;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};

/// The generated crates of this workspace: (crate name, directory).
const PRODUCTS: [(&str, &str); 2] = [("acs-sts", "crates/acs-sts"), ("acs-ecs", "crates/acs-ecs")];

fn workspace_root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .parent()
        .map(Path::to_path_buf)
        .unwrap_or_default()
}

/// Generates the files of one crate from a spec, formatted.
pub(crate) fn generate(spec: &Path, crate_name: &str) -> Result<Vec<(String, String)>, String> {
    let text = std::fs::read_to_string(spec).map_err(|e| format!("{}: {e}", spec.display()))?;
    let product = parse::parse_product(&text).map_err(|e| format!("{}: {e}", spec.display()))?;
    emit::emit(&product, crate_name)
        .into_iter()
        .map(|(path, contents)| {
            let contents = if path.ends_with(".rs") {
                rustfmt(&contents)?
            } else {
                contents
            };
            Ok((path, contents))
        })
        .collect()
}

/// Formats Rust source with the toolchain's rustfmt.
fn rustfmt(source: &str) -> Result<String, String> {
    let mut child = Command::new("rustfmt")
        .args(["--edition", "2024", "--emit", "stdout", "--quiet"])
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .map_err(|e| format!("cannot run rustfmt: {e}"))?;
    child
        .stdin
        .take()
        .ok_or("no stdin for rustfmt")?
        .write_all(source.as_bytes())
        .map_err(|e| format!("rustfmt: {e}"))?;
    let output = child
        .wait_with_output()
        .map_err(|e| format!("rustfmt: {e}"))?;
    if !output.status.success() {
        return Err(format!(
            "rustfmt failed: {}",
            String::from_utf8_lossy(&output.stderr)
        ));
    }
    String::from_utf8(output.stdout).map_err(|e| format!("rustfmt output: {e}"))
}

/// Regenerates every product crate; with `check`, only compares and lists differences.
pub(crate) fn run(check: bool) -> Result<String, String> {
    let root = workspace_root();
    let mut report = String::new();
    let mut stale = Vec::new();
    for (crate_name, dir) in PRODUCTS {
        let dir = root.join(dir);
        let spec = dir.join("api/api-docs.json");
        if !spec.exists() {
            report.push_str(&format!(
                "{crate_name}: no spec at {}, skipped\n",
                spec.display()
            ));
            continue;
        }
        let files = generate(&spec, crate_name)?;
        // Generating twice must give the same bytes.
        if generate(&spec, crate_name)? != files {
            return Err(format!("{crate_name}: two generations differ"));
        }
        for (path, contents) in &files {
            let target = dir.join(path);
            let current = std::fs::read_to_string(&target).unwrap_or_default();
            if current == *contents {
                continue;
            }
            if check {
                stale.push(target.display().to_string());
            } else {
                if let Some(parent) = target.parent() {
                    std::fs::create_dir_all(parent)
                        .map_err(|e| format!("{}: {e}", parent.display()))?;
                }
                std::fs::write(&target, contents)
                    .map_err(|e| format!("{}: {e}", target.display()))?;
            }
        }
        report.push_str(&format!("{crate_name}: {} files\n", files.len()));
    }
    if !stale.is_empty() {
        return Err(format!(
            "generated code is out of date (run `cargo xtask codegen`):\n{}",
            stale.join("\n")
        ));
    }
    Ok(report)
}

/// Generates the crate for any spec into `out` as a standalone package (path dependencies on
/// this workspace's crates), then runs `cargo clippy` on it with warnings as errors: the check
/// that products the workspace does not ship still generate code that compiles cleanly.
pub(crate) fn probe(spec: &str, out: &str) -> Result<String, String> {
    let root = workspace_root();
    let crate_name = "acs-probe";
    let files = generate(Path::new(spec), crate_name)?;
    let out = Path::new(out);
    for (path, contents) in &files {
        let contents = if path == "Cargo.toml" {
            standalone_manifest(&root)
        } else {
            contents.clone()
        };
        let target = out.join(path);
        if let Some(parent) = target.parent() {
            std::fs::create_dir_all(parent).map_err(|e| format!("{}: {e}", parent.display()))?;
        }
        std::fs::write(&target, contents).map_err(|e| format!("{}: {e}", target.display()))?;
    }
    let status = Command::new(std::env::var("CARGO").unwrap_or_else(|_| "cargo".into()))
        .args(["clippy", "--quiet", "--manifest-path"])
        .arg(out.join("Cargo.toml"))
        .args(["--", "-D", "warnings"])
        .env("CARGO_TARGET_DIR", root.join("target/codegen-probe"))
        .status()
        .map_err(|e| format!("cannot run cargo: {e}"))?;
    if !status.success() {
        return Err(format!(
            "{spec}: the generated crate in {} does not build cleanly",
            out.display()
        ));
    }
    Ok(format!(
        "{spec}: generated {} files into {}; clippy clean\n",
        files.len(),
        out.display()
    ))
}

fn standalone_manifest(root: &Path) -> String {
    let core = root.join("crates/acs-core");
    format!(
        "[package]\nname = \"acs-probe\"\nversion = \"0.0.0\"\nedition = \"2024\"\npublish = false\n\n\
         [dependencies]\nacs-core = {{ path = {:?} }}\nserde = {{ version = \"1\", features = [\"derive\"] }}\nserde_json = \"1\"\n\n\
         [lints.rust]\nmissing_docs = \"warn\"\n\n[workspace]\n",
        core.display().to_string()
    )
}

/// Parses every spec given and reports what it found.
pub(crate) fn check(paths: &[String]) -> Result<String, String> {
    let mut report = String::new();
    for path in paths {
        let text = std::fs::read_to_string(path).map_err(|e| format!("{path}: {e}"))?;
        let product = parse::parse_product(&text).map_err(|e| format!("{path}: {e}"))?;
        let params: usize = product.operations.iter().map(|o| o.params.len()).sum();
        report.push_str(&format!(
            "{path}: {} {} ({:?}): {} operations, {} parameters, {} endpoints\n",
            product.code,
            product.version,
            product.style,
            product.operations.len(),
            params,
            product.endpoints.len()
        ));
    }
    Ok(report)
}
