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

pub(crate) fn workspace_root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .parent()
        .map(Path::to_path_buf)
        .unwrap_or_default()
}

/// Generates the files of one crate from a spec, formatted.
pub(crate) fn generate(spec: &Path, crate_name: &str) -> Result<Vec<(String, String)>, String> {
    let text = std::fs::read_to_string(spec).map_err(|e| format!("{}: {e}", spec.display()))?;
    let product = parse::parse_product(&text).map_err(|e| format!("{}: {e}", spec.display()))?;
    Ok(generate_with_table(&product, crate_name)?.0)
}

/// The formatted files of one crate, and the names the generated code gives its requests.
pub(crate) fn generate_with_table(
    product: &ir::Product,
    crate_name: &str,
) -> Result<(Vec<(String, String)>, emit::Table), String> {
    let (files, table) = emit::emit_with_table(product, crate_name);
    let files = files
        .into_iter()
        .map(|(path, contents)| {
            let contents = if path.ends_with(".rs") {
                rustfmt(&contents)?
            } else {
                contents
            };
            Ok((path, contents))
        })
        .collect::<Result<Vec<_>, String>>()?;
    Ok((files, table))
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
    let text = std::fs::read_to_string(spec).map_err(|e| format!("{spec}: {e}"))?;
    let product = parse::parse_product(&text).map_err(|e| format!("{spec}: {e}"))?;
    // A name of its own per product, so no probe can pass on another's artifacts.
    let crate_name = format!(
        "acs-probe-{}-{}",
        product.code.to_ascii_lowercase(),
        product.version
    );
    let files = generate(Path::new(spec), &crate_name)?;
    let out = Path::new(out);
    // Nothing stale from an earlier probe into the same directory.
    let src = out.join("src");
    if src.exists() {
        std::fs::remove_dir_all(&src).map_err(|e| format!("{}: {e}", src.display()))?;
    }
    let cargo = std::env::var("CARGO").unwrap_or_else(|_| "cargo".into());
    let target_dir = root.join("target/codegen-probe");
    for (path, contents) in &files {
        let contents = if path == "Cargo.toml" {
            standalone_manifest(&root, &crate_name)
        } else {
            contents.clone()
        };
        let target = out.join(path);
        if let Some(parent) = target.parent() {
            std::fs::create_dir_all(parent).map_err(|e| format!("{}: {e}", parent.display()))?;
        }
        std::fs::write(&target, contents).map_err(|e| format!("{}: {e}", target.display()))?;
    }
    // The verdict comes from a fresh build of the probe crate itself (its dependencies are
    // reused): its own artifacts are removed first.
    let cleaned = Command::new(&cargo)
        .args(["clean", "--quiet", "-p", &crate_name, "--manifest-path"])
        .arg(out.join("Cargo.toml"))
        .env("CARGO_TARGET_DIR", &target_dir)
        .status()
        .map_err(|e| format!("cannot run cargo: {e}"))?;
    if !cleaned.success() {
        return Err(format!(
            "{spec}: cannot clean the probe's earlier artifacts"
        ));
    }
    let started = std::time::Instant::now();
    let status = Command::new(&cargo)
        .args(["clippy", "--quiet", "--manifest-path"])
        .arg(out.join("Cargo.toml"))
        .args(["--", "-D", "warnings"])
        .env("CARGO_TARGET_DIR", &target_dir)
        .status()
        .map_err(|e| format!("cannot run cargo: {e}"))?;
    if !status.success() {
        return Err(format!(
            "{spec}: the generated crate in {} does not build cleanly",
            out.display()
        ));
    }
    Ok(format!(
        "{spec}: generated {} files into {} as {crate_name}; clippy clean ({:.1} s)\n",
        files.len(),
        out.display(),
        started.elapsed().as_secs_f64()
    ))
}

pub(crate) fn standalone_manifest(root: &Path, crate_name: &str) -> String {
    let core = root.join("crates/acs-core");
    format!(
        "[package]\nname = \"{crate_name}\"\nversion = \"0.0.0\"\nedition = \"2024\"\npublish = false\n\n\
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
