//! `cargo xtask wire-diff <api-docs.json> <python package>`: the generated Rust client and the
//! official Python SDK send every operation of a product, with the same deterministic values,
//! to a loopback capture server; the two requests must match.
//!
//! 1. The official package (`alibabacloud_ecs20140526`, optionally `==version`) is installed
//!    from the Python package index into `target/wire-diff/venv`.
//! 2. Every parameter gets a value derived from its schema ([`values`]). The SDK's models
//!    round-trip them ([`driver.py`](driver.py) `probe`); what only one side knows (an
//!    operation or parameter the SDK's version and the metadata disagree on) is skipped and
//!    counted, never forced.
//! 3. The crate is generated into `target/wire-diff/<crate>/product` and a program calling
//!    every operation through its public API ([`harness`]) is built beside it.
//! 4. Both send to one capture server ([`capture`]); the requests are compared ([`compare`]):
//!    method, path, query multiset, form and JSON bodies, content type, `x-acs-*` and header
//!    parameters. Signatures, nonces, dates and user agents are not compared.

mod capture;
mod compare;
mod harness;
mod values;

use std::collections::BTreeMap;
use std::fmt::Write as _;
use std::path::{Path, PathBuf};
use std::process::Command;

use serde_json::{Map, Value, json};

use crate::codegen::ir::{Location, Operation, Product, Shape, Style};
use crate::codegen::{self, parse};

/// The share of an product's operations that may be skipped before the run fails.
const MAX_SKIPPED_PERCENT: usize = 5;

const DRIVER: &str = include_str!("driver.py");

fn run_checked(command: &mut Command, what: &str) -> Result<String, String> {
    let output = command
        .output()
        .map_err(|e| format!("cannot run {what}: {e}"))?;
    if !output.status.success() {
        return Err(format!(
            "{what} failed:\n{}{}",
            String::from_utf8_lossy(&output.stdout),
            String::from_utf8_lossy(&output.stderr)
        ));
    }
    Ok(String::from_utf8_lossy(&output.stdout).into_owned())
}

/// The virtual environment's Python, with `packages` installed.
fn python_with(root: &Path, packages: &[&str]) -> Result<PathBuf, String> {
    let venv = root.join("target/wire-diff/venv");
    let python = venv.join("bin/python");
    if !python.exists() {
        run_checked(
            Command::new("python3").arg("-m").arg("venv").arg(&venv),
            "python3 -m venv",
        )?;
    }
    run_checked(
        Command::new(&python)
            .args([
                "-m",
                "pip",
                "install",
                "--quiet",
                "--disable-pip-version-check",
            ])
            .args(packages),
        "pip install",
    )?;
    Ok(python)
}

/// `alibabacloud_ecs20140526` from `alibabacloud-ecs20140526==7.11.8`.
fn module_name(package: &str) -> String {
    package
        .split(['=', '<', '>', '~', '!', ' '])
        .next()
        .unwrap_or(package)
        .replace('-', "_")
        .to_ascii_lowercase()
}

fn write(path: &Path, contents: &str) -> Result<(), String> {
    if let Some(parent) = path.parent() {
        std::fs::create_dir_all(parent).map_err(|e| format!("{}: {e}", parent.display()))?;
    }
    std::fs::write(path, contents).map_err(|e| format!("{}: {e}", path.display()))
}

fn read_json(path: &Path) -> Result<Value, String> {
    let text = std::fs::read_to_string(path).map_err(|e| format!("{}: {e}", path.display()))?;
    serde_json::from_str(&text).map_err(|e| format!("{}: {e}", path.display()))
}

/// Whether the field at `segments` (below a parameter of `shape`) is one the API requires.
fn required_at(shape: &Shape, segments: &[&str]) -> bool {
    let Some((first, rest)) = segments.split_first() else {
        return false;
    };
    match shape {
        Shape::Object(fields) => fields.iter().find(|f| f.name == *first).is_some_and(|f| {
            if rest.is_empty() {
                f.required
            } else {
                required_at(&f.shape, rest)
            }
        }),
        // A list index or map key.
        Shape::Array(inner) | Shape::Map(inner) => required_at(inner, rest),
        Shape::Named { shape, .. } => required_at(shape, segments),
        _ => false,
    }
}

/// Whether the metadata (`spec`) allows `method` for operation `name` (or names none).
fn allows(spec: &Value, name: &str, method: &str) -> bool {
    match spec["apis"][name]["methods"].as_array() {
        Some(methods) if !methods.is_empty() => methods
            .iter()
            .filter_map(Value::as_str)
            .any(|m| m.eq_ignore_ascii_case(method)),
        _ => true,
    }
}

/// One operation as both sides will send it.
struct Planned {
    /// For the Python driver's `send`.
    python: Value,
    /// Every value by wire name, for the Rust harness.
    rust: Map<String, Value>,
}

/// What was left out, and why.
#[derive(Default)]
struct Skips {
    operations: Vec<(String, String)>,
    parameters: Vec<(String, String)>,
}

fn plan(
    product: &Product,
    python: &Path,
    module: &str,
    work: &Path,
    skips: &mut Skips,
) -> Result<BTreeMap<String, Planned>, String> {
    let mut candidates = Vec::new();
    let mut probe_input = Vec::new();
    for op in &product.operations {
        match values::for_operation(op, product.style == Style::Roa) {
            Ok(v) => {
                probe_input.push(json!({
                    "op": op.name, "path": v.path, "headers": v.headers, "request": v.request,
                }));
                candidates.push((op, v));
            }
            Err(why) => skips.operations.push((op.name.clone(), why)),
        }
    }
    let driver = work.join("driver.py");
    write(&driver, DRIVER)?;
    let input = work.join("probe-input.json");
    let output = work.join("probe-output.json");
    write(
        &input,
        &serde_json::to_string(&probe_input).map_err(|e| e.to_string())?,
    )?;
    run_checked(
        Command::new(python)
            .arg(&driver)
            .args(["probe", module])
            .arg(&input)
            .arg(&output),
        "the Python driver (probe)",
    )?;
    let probed = read_json(&output)?;
    let probed = probed.as_array().ok_or("probe output is not a list")?;
    let mut planned = BTreeMap::new();
    for ((op, ours), theirs) in candidates.into_iter().zip(probed) {
        if let Some(p) = plan_one(op, &ours, theirs, module, skips) {
            planned.insert(op.name.clone(), p);
        }
    }
    Ok(planned)
}

fn plan_one(
    op: &Operation,
    ours: &values::OperationValues,
    theirs: &Value,
    module: &str,
    skips: &mut Skips,
) -> Option<Planned> {
    let skip = |skips: &mut Skips, why: String| {
        skips.operations.push((op.name.clone(), why));
        None
    };
    let Some(method) = theirs["method"].as_str() else {
        return skip(skips, format!("not in {module}"));
    };
    // Path parameters: the SDK's positional arguments, matched by name.
    let path_args: Vec<Option<&str>> = theirs["path_args"]
        .as_array()
        .map(|a| a.iter().map(Value::as_str).collect())
        .unwrap_or_default();
    if path_args.iter().any(Option::is_none) {
        return skip(
            skips,
            "the SDK takes a path argument the metadata does not name".into(),
        );
    }
    let path_args: Vec<&str> = path_args.into_iter().flatten().collect();
    if let Some(missing) = ours.path.keys().find(|k| !path_args.contains(&k.as_str())) {
        return skip(
            skips,
            format!("path parameter {missing} is not an argument of the SDK's method"),
        );
    }
    let headers_model = theirs["headers_model"].as_bool().unwrap_or(false);
    let mut request = ours.request.clone();
    if !headers_model {
        request.extend(ours.headers.clone());
    }
    let mut dropped = Vec::new();
    let kept_request = values::common(
        &Value::Object(request),
        Some(&theirs["request"]),
        &[],
        &mut dropped,
    );
    let kept_headers = if headers_model {
        values::common(
            &Value::Object(ours.headers.clone()),
            Some(&theirs["headers"]),
            &[],
            &mut dropped,
        )
    } else {
        Some(Value::Object(Map::new()))
    };
    for path in &dropped {
        let shown = path.join(".");
        // A spread body's fields are below the `body` parameter.
        let (param, below): (Option<&crate::codegen::ir::Param>, Vec<&str>) = match &ours.spread {
            Some(body) if !op.params.iter().any(|p| Some(&p.name) == path.first()) => (
                op.params.iter().find(|p| &p.name == body),
                path.iter().map(String::as_str).collect(),
            ),
            _ => (
                path.first()
                    .and_then(|first| op.params.iter().find(|p| &p.name == first)),
                path.iter().skip(1).map(String::as_str).collect(),
            ),
        };
        let Some(param) = param else {
            continue;
        };
        if (below.is_empty() && param.required) || required_at(&param.shape, &below) {
            return skip(
                skips,
                format!("required parameter {shown} is not in {module}"),
            );
        }
        skips
            .parameters
            .push((format!("{}: {shown}", op.name), format!("not in {module}")));
    }
    let as_map = |v: Option<Value>| match v {
        Some(Value::Object(m)) => m,
        _ => Map::new(),
    };
    let request = as_map(kept_request);
    let headers = as_map(kept_headers);
    let mut rust = ours.path.clone();
    match &ours.spread {
        Some(body) => {
            // Header parameters merged into the SDK's request stay parameters of their own.
            let (fields, others): (Map<String, Value>, Map<String, Value>) = request
                .clone()
                .into_iter()
                .partition(|(k, _)| ours.spread_fields.contains(k));
            rust.insert(body.clone(), Value::Object(fields));
            rust.extend(others);
        }
        None => rust.extend(request.clone()),
    }
    rust.extend(headers.clone());
    Some(Planned {
        python: json!({
            "op": op.name, "method": method, "path_args": path_args, "nested": theirs["nested"],
            "path": ours.path, "headers": headers, "request": request,
        }),
        rust,
    })
}

/// Runs the whole comparison for one product; the report, or an error when anything differs
/// or too much was skipped.
pub(crate) fn run(spec: &str, package: &str) -> Result<String, String> {
    let started = std::time::Instant::now();
    let root = codegen::workspace_root();
    let text = std::fs::read_to_string(spec).map_err(|e| format!("{spec}: {e}"))?;
    let product = parse::parse_product(&text).map_err(|e| format!("{spec}: {e}"))?;
    let crate_name = format!(
        "acs-wire-diff-{}-{}",
        product.code.to_ascii_lowercase(),
        product.version
    );
    let work = root.join("target/wire-diff").join(&crate_name);
    let module = module_name(package);
    let python = python_with(&root, &["alibabacloud_tea_openapi", package])?;
    let installed = run_checked(
        Command::new(&python).args(["-m", "pip", "show", &module]),
        "pip show",
    )?;
    let version = installed
        .lines()
        .find_map(|l| l.strip_prefix("Version: "))
        .unwrap_or("?")
        .to_owned();

    let mut skips = Skips::default();
    let planned = plan(&product, &python, &module, &work, &mut skips)?;

    // The generated crate and the harness.
    let (files, table) = codegen::generate_with_table(&product, &crate_name)?;
    let product_dir = work.join("product");
    if product_dir.join("src").exists() {
        std::fs::remove_dir_all(product_dir.join("src")).map_err(|e| e.to_string())?;
    }
    for (path, contents) in &files {
        let contents = if path == "Cargo.toml" {
            codegen::standalone_manifest(&root, &crate_name)
        } else {
            contents.clone()
        };
        write(&product_dir.join(path), &contents)?;
    }
    let rust_values: BTreeMap<String, Map<String, Value>> = planned
        .iter()
        .map(|(name, p)| (name.clone(), p.rust.clone()))
        .collect();
    // The same values with one required nested field removed, for each operation that has
    // one: the generated check must refuse them before sending.
    let mut missing: BTreeMap<String, Map<String, Value>> = BTreeMap::new();
    let mut missing_fields: BTreeMap<String, String> = BTreeMap::new();
    for (name, p) in &planned {
        let Some(op) = product.operations.iter().find(|o| &o.name == name) else {
            continue;
        };
        let mut values = p.rust.clone();
        let removed = op.params.iter().find_map(|param| {
            values
                .get_mut(&param.name)
                .and_then(|v| values::remove_required(&param.shape, v, &param.name))
        });
        if let Some(field) = removed {
            missing.insert(name.clone(), values);
            missing_fields.insert(name.clone(), field);
        }
    }
    let harness_dir = work.join("harness");
    let harness_name = format!("{crate_name}-harness");
    write(
        &harness_dir.join("src/main.rs"),
        &harness::source("product", &table, &rust_values, &missing)?,
    )?;
    write(
        &harness_dir.join("Cargo.toml"),
        &format!(
            "[package]\nname = \"{harness_name}\"\nversion = \"0.0.0\"\nedition = \"2024\"\npublish = false\n\n\
             [dependencies]\nproduct = {{ package = \"{crate_name}\", path = \"../product\" }}\n\
             acs-core = {{ path = {core:?} }}\nacs-signer = {{ path = {signer:?} }}\n\
             serde_json = \"1\"\ntokio = {{ version = \"1\", features = [\"rt\", \"macros\"] }}\n\n[workspace]\n",
            core = root.join("crates/acs-core").display().to_string(),
            signer = root.join("crates/acs-signer").display().to_string(),
        ),
    )?;
    // The workspace's resolved versions, so the harness builds what the workspace tests.
    std::fs::copy(root.join("Cargo.lock"), harness_dir.join("Cargo.lock"))
        .map_err(|e| format!("Cargo.lock: {e}"))?;
    let target_dir = root.join("target/wire-diff/target");
    let cargo = std::env::var("CARGO").unwrap_or_else(|_| "cargo".into());
    run_checked(
        Command::new(&cargo)
            .args(["build", "--quiet", "--manifest-path"])
            .arg(harness_dir.join("Cargo.toml"))
            .env("CARGO_TARGET_DIR", &target_dir),
        "building the Rust harness",
    )?;

    // Both sides send, with the V3 signature (the official SDKs' default) and again with the
    // legacy ones (RPC v1, ROA), each compared.
    let skipped_before_sending = skips.operations.len();
    let mut enum_checks: Vec<(String, bool)> = Vec::new();
    let spec_methods: Value = serde_json::from_str(&text).map_err(|e| format!("{spec}: {e}"))?;
    let mut differs: std::collections::BTreeSet<String> = std::collections::BTreeSet::new();
    let mut differing = Vec::new();
    let mut normalised: BTreeMap<compare::Normalised, Vec<String>> = BTreeMap::new();
    let mut method_skipped: std::collections::BTreeSet<String> = std::collections::BTreeSet::new();
    for mode in ["v3", "legacy"] {
        let server = capture::Server::start()?;
        let send_input = work.join("send-input.json");
        let send_output = work.join("send-output.json");
        let python_ops: Vec<&Value> = planned.values().map(|p| &p.python).collect();
        write(
            &send_input,
            &serde_json::to_string(&python_ops).map_err(|e| e.to_string())?,
        )?;
        run_checked(
            Command::new(&python)
                .arg(work.join("driver.py"))
                .args(["send", &module])
                .arg(&send_input)
                .arg(&send_output)
                .arg(server.port().to_string())
                .arg(mode),
            "the Python driver (send)",
        )?;
        let python_errors = read_json(&send_output)?;
        let harness_output = run_checked(
            Command::new(target_dir.join("debug").join(&harness_name))
                .arg(format!("127.0.0.1:{}", server.port()))
                .arg(mode),
            "the Rust harness",
        )?;
        enum_checks.clear();
        let mut rust_errors: BTreeMap<&str, &str> = BTreeMap::new();
        let mut refused: BTreeMap<&str, &str> = BTreeMap::new();
        for line in harness_output.lines() {
            let mut parts = line.splitn(3, '\t');
            match (parts.next(), parts.next(), parts.next()) {
                (Some("rust"), Some(op), Some(e)) => {
                    rust_errors.insert(op, e);
                }
                (Some("rust-missing"), Some(op), Some(e)) => {
                    refused.insert(op, e);
                }
                (Some("enum"), Some(name), Some(verdict)) => {
                    enum_checks.push((name.to_owned(), verdict == "ok"));
                }
                _ => {}
            }
        }
        let captures = server.captures();
        // Kept for a look at what each side sent.
        let dump: Vec<Value> = captures
            .iter()
            .map(|((side, op), requests)| {
                json!({
                    "side": side, "op": op,
                    "requests": requests.iter().map(|r| json!({
                        "method": r.method, "target": r.target, "headers": r.headers,
                        "body": String::from_utf8_lossy(&r.body),
                    })).collect::<Vec<_>>(),
                })
            })
            .collect();
        write(
            &work.join(format!("captures-{mode}.json")),
            &serde_json::to_string_pretty(&dump).map_err(|e| e.to_string())?,
        )?;

        // Compare.
        for name in planned.keys() {
            if method_skipped.contains(name) {
                continue;
            }
            let Some(op) = product.operations.iter().find(|o| &o.name == name) else {
                continue;
            };
            let side = |s: &str| {
                captures
                    .get(&(s.to_owned(), name.clone()))
                    .cloned()
                    .unwrap_or_default()
            };
            let (python_sent, rust_sent) = (side("python"), side("rust"));
            let problem = match (python_sent.as_slice(), rust_sent.as_slice()) {
                ([p], [_]) if !allows(&spec_methods, name, &p.method) => {
                    // The SDK was generated from metadata that names another method.
                    method_skipped.insert(name.clone());
                    skips.operations.push((
                        name.clone(),
                        format!(
                            "{module} sends {}, which the metadata does not allow",
                            p.method
                        ),
                    ));
                    continue;
                }
                ([p], [r]) => {
                    let facts = compare::Facts {
                        header_params: op
                            .params
                            .iter()
                            .filter(|p| p.location == Location::Header)
                            .map(|p| p.name.to_ascii_lowercase())
                            .collect(),
                        rpc_post: product.style == Style::Rpc && op.method == "POST",
                        metadata_body: op
                            .params
                            .iter()
                            .any(|p| matches!(p.location, Location::Body | Location::FormData)),
                        known: op
                            .params
                            .iter()
                            .map(|p| p.name.split('.').next().unwrap_or(&p.name).to_owned())
                            .collect(),
                        binary_body: op
                            .params
                            .iter()
                            .any(|p| p.location == Location::Body && p.shape == Shape::Binary),
                    };
                    let verdict = compare::compare(p, r, &facts);
                    for what in verdict.sdk_only.into_iter().filter(|_| mode == "v3") {
                        skips
                            .parameters
                            .push((format!("{name}: {what}"), format!("only in {module}")));
                    }
                    for (kind, what) in verdict.normalised {
                        normalised
                            .entry(kind)
                            .or_default()
                            .push(format!("{name} ({mode}) {what}"));
                    }
                    if verdict.differences.is_empty() {
                        continue;
                    }
                    verdict.differences
                }
                (p, r) => vec![format!(
                    "requests sent: Python {} ({}), Rust {} ({})",
                    p.len(),
                    python_errors[name.as_str()].as_str().unwrap_or("no error"),
                    r.len(),
                    rust_errors.get(name.as_str()).unwrap_or(&"no error"),
                )],
            };
            differs.insert(name.clone());
            differing.push((format!("{name} ({mode})"), problem));
        }

        // Every request missing a required nested field was refused, naming it, and not sent.
        for (name, field) in &missing_fields {
            let sent = captures
                .get(&("rust-missing".to_owned(), name.clone()))
                .map_or(0, Vec::len);
            let expected = format!("missing required parameter {field}");
            match refused.get(name.as_str()) {
            Some(e) if sent == 0 && e.contains(&expected) => {}
            other => differing.push((
                format!("{name} ({mode})"),
                vec![format!(
                    "without the required {field}: {sent} requests sent, error {:?} (expected one naming it)",
                    other
                )],
            )),
        }
        }
    } // each signature mode
    for (name, fine) in &enum_checks {
        if !fine {
            differing.push((
                format!("enum {name}"),
                vec!["does not decode an unlisted value into Unknown, or a listed one into its variant".into()],
            ));
        }
    }
    let total = product.operations.len();
    let compared = planned.len() - (skips.operations.len() - skipped_before_sending);
    let identical = compared - differs.len();
    let mut report = String::new();
    let _ = writeln!(
        report,
        "{} {} against {module} {version}: {total} operations in the metadata, {compared} compared, {identical} identical, {} differing, {} skipped; {} refused without a required nested field; {} enums decode unlisted values into Unknown ({:.1} s)",
        product.code,
        product.version,
        differing.len(),
        skips.operations.len(),
        missing_fields.len(),
        enum_checks.iter().filter(|(_, fine)| *fine).count(),
        started.elapsed().as_secs_f64()
    );
    for (name, problems) in differing.iter().take(30) {
        let _ = writeln!(report, "  DIFFERS {name}:");
        for p in problems.iter().take(4) {
            let _ = writeln!(report, "    {p}");
        }
    }
    for (name, why) in &skips.operations {
        let _ = writeln!(report, "  skipped operation {name}: {why}");
    }
    if !skips.parameters.is_empty() {
        let _ = writeln!(
            report,
            "  {} parameters left out (only one side has them):",
            skips.parameters.len()
        );
        for (at, why) in &skips.parameters {
            let _ = writeln!(report, "    {at}: {why}");
        }
    }
    for (kind, places) in &normalised {
        let _ = writeln!(
            report,
            "  normalised in {} places: {}\n    {}",
            places.len(),
            kind.describe(),
            places
                .iter()
                .take(8)
                .cloned()
                .collect::<Vec<_>>()
                .join(", ")
        );
    }
    let skipped_share = skips.operations.len() * 100;
    if !differing.is_empty() {
        return Err(format!("{report}{} operations differ", differing.len()));
    }
    if skipped_share >= MAX_SKIPPED_PERCENT * total.max(1) {
        return Err(format!(
            "{report}{} of {total} operations skipped: at least {MAX_SKIPPED_PERCENT}%",
            skips.operations.len()
        ));
    }
    Ok(report)
}
