//! `cargo xtask codegen`: product clients from Alibaba Cloud's API metadata.
//!
//! Stage one, here: reading the `api-docs.json` format into a checked model ([`ir`]), refusing
//! anything it does not understand with an error that names the API and field ([`parse`]).
//! Emitting the Rust crates from that model is the next stage.

pub(crate) mod ir;
pub(crate) mod parse;

/// Parses every spec given on the command line and reports what it found.
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
