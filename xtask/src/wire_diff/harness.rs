//! The acs-rs side of the wire diff: a program, written against the generated crate's public
//! API exactly as a user writes it, that calls every compared operation once with the chosen
//! values.

use std::collections::BTreeMap;
use std::fmt::Write as _;

use serde_json::{Map, Value};

use crate::codegen::emit::{FieldNames, Table};

/// A Rust expression of type `ty` holding `value` (wire-named), built with the generated
/// types' public fields.
fn expr(value: &Value, ty: &str, table: &Table) -> Result<String, String> {
    if let ("Vec<u8>", Value::String(s)) = (ty, value) {
        return Ok(format!("String::from({s:?}).into_bytes()"));
    }
    if let Some(inner) = ty.strip_prefix("Vec<").and_then(|t| t.strip_suffix('>')) {
        let Value::Array(items) = value else {
            return Err(format!("{value} for {ty}"));
        };
        let items: Result<Vec<String>, String> =
            items.iter().map(|v| expr(v, inner, table)).collect();
        return Ok(format!("vec![{}]", items?.join(", ")));
    }
    if let Some(inner) = ty
        .strip_prefix("std::collections::BTreeMap<String, ")
        .and_then(|t| t.strip_suffix('>'))
    {
        let Value::Object(entries) = value else {
            return Err(format!("{value} for {ty}"));
        };
        let mut items = Vec::new();
        for (key, v) in entries {
            items.push(format!(
                "(String::from({key:?}), {})",
                expr(v, inner, table)?
            ));
        }
        return Ok(format!(
            "[{}].into_iter().collect::<std::collections::BTreeMap<_, _>>()",
            items.join(", ")
        ));
    }
    if let Some(inner) = ty.strip_prefix("Box<").and_then(|t| t.strip_suffix('>')) {
        return Ok(format!("Box::new({})", expr(value, inner, table)?));
    }
    Ok(match (ty, value) {
        ("String", Value::String(s)) => format!("String::from({s:?})"),
        (name, Value::String(s)) if table.enums.contains_key(name) => {
            format!("{name}::from({s:?})")
        }
        ("i32" | "i64" | "f32" | "f64", Value::Number(n)) => format!("{n}_{ty}"),
        ("bool", Value::Bool(b)) => b.to_string(),
        ("serde_json::Value", v) => {
            format!(
                "serde_json::from_str::<serde_json::Value>({:?}).unwrap()",
                v.to_string()
            )
        }
        (name, Value::Object(entries)) => {
            let fields = table
                .structs
                .get(name)
                .ok_or_else(|| format!("no struct {name}"))?;
            let mut out = format!("{{ let mut v = {name}::new();");
            for (key, v) in entries {
                let field = field(fields, key)?;
                let _ = write!(
                    out,
                    " v.{} = Some({});",
                    field.ident,
                    expr(v, &field.ty, table)?
                );
            }
            out.push_str(" v }");
            out
        }
        _ => return Err(format!("{value} for {ty}")),
    })
}

fn field<'a>(fields: &'a [FieldNames], wire: &str) -> Result<&'a FieldNames, String> {
    fields
        .iter()
        .find(|f| f.wire == wire)
        .ok_or_else(|| format!("no field {wire}"))
}

/// The harness's `main.rs`: one call per operation of `values` (by name; wire-named values of
/// every location), announced to the capture server first.
pub(crate) fn source(
    crate_ident: &str,
    table: &Table,
    values: &BTreeMap<String, Map<String, Value>>,
    missing: &BTreeMap<String, Map<String, Value>>,
) -> Result<String, String> {
    let mut calls = String::new();
    for (side, values) in [("rust", values), ("rust-missing", missing)] {
        calls.push_str(&calls_for(side, table, values)?);
    }
    // Every enumeration decodes a value it does not list into `Unknown`, and its first listed
    // value into a variant of its own, both written back as they came.
    for (name, values) in &table.enums {
        let Some(first) = values.first() else {
            continue;
        };
        let _ = write!(
            calls,
            "    {{\n        let unknown: Result<{name}, _> = serde_json::from_str(\"\\\"wire-diff-unlisted\\\"\");\n        let known: Result<{name}, _> = serde_json::from_str(&serde_json::to_string({first:?}).unwrap());\n        let fine = matches!(&unknown, Ok({name}::Unknown(v)) if v == \"wire-diff-unlisted\")\n            && matches!(&known, Ok(k) if !matches!(k, {name}::Unknown(_)) && k.as_str() == {first:?})\n            && serde_json::to_string(&known.as_ref().unwrap()).ok().as_deref() == Some(serde_json::to_string({first:?}).unwrap().as_str());\n        println!(\"enum\\t{name}\\t{{}}\", if fine {{ \"ok\" }} else {{ \"wrong\" }});\n    }}\n"
        );
    }
    Ok(program(crate_ident, &calls))
}

/// One block per operation of `values`: build the request, announce it as `side`, call.
fn calls_for(
    side: &str,
    table: &Table,
    values: &BTreeMap<String, Map<String, Value>>,
) -> Result<String, String> {
    let mut calls = String::new();
    for op in &table.operations {
        let Some(values) = values.get(&op.name) else {
            continue;
        };
        let mut args = Vec::new();
        for f in op.fields.iter().filter(|f| f.required) {
            let v = values
                .get(&f.wire)
                .ok_or_else(|| format!("{}: no value for required {}", op.name, f.wire))?;
            args.push(expr(v, &f.ty, table).map_err(|e| format!("{}: {e}", op.name))?);
        }
        let mut build = format!(
            "let mut request = {}::new({});",
            op.request,
            args.join(", ")
        );
        for (wire, v) in values {
            let f = field(&op.fields, wire).map_err(|e| format!("{}: {e}", op.name))?;
            if f.required {
                continue;
            }
            let v = expr(v, &f.ty, table).map_err(|e| format!("{}: {e}", op.name))?;
            let _ = write!(build, " request.{} = Some({v});", f.ident);
        }
        let _ = write!(
            calls,
            "    {{\n        {build}\n        mark(&address, {side:?}, {name:?});\n        if let Err(e) = client.{method}(&request).await {{\n            println!(\"{side}\\t{name}\\t{{e}}\");\n        }}\n    }}\n",
            name = op.name,
            method = op.method,
        );
    }
    Ok(calls)
}

/// The program around the calls.
fn program(crate_ident: &str, calls: &str) -> String {
    format!(
        "// Written by `cargo xtask wire-diff`; not part of the repository.\n\
#![allow(unused_mut, clippy::all)]\n\
use std::io::{{Read as _, Write as _}};\n\n\
use {crate_ident}::model::*;\n\n\
fn mark(address: &str, side: &str, op: &str) {{\n\
    let mut stream = std::net::TcpStream::connect(address).expect(\"capture server\");\n\
    let request = format!(\"POST /__wire_diff/begin?side={{side}}&op={{op}} HTTP/1.1\\r\\nhost: {{address}}\\r\\ncontent-length: 0\\r\\nconnection: close\\r\\n\\r\\n\");\n\
    stream.write_all(request.as_bytes()).expect(\"capture server\");\n\
    let mut answer = Vec::new();\n\
    let _ = stream.read_to_end(&mut answer);\n\
}}\n\n\
#[tokio::main(flavor = \"current_thread\")]\n\
async fn main() {{\n\
    let address = std::env::args().nth(1).expect(\"usage: harness <127.0.0.1:port> <v3|legacy>\");\n\
    let signature = match std::env::args().nth(2).as_deref() {{\n\
        Some(\"legacy\") => acs_core::SignatureVersion::Legacy,\n\
        _ => acs_core::SignatureVersion::V3,\n\
    }};\n\
    let config = acs_core::ClientConfig::builder()\n\
        .region(\"cn-hangzhou\")\n\
        .endpoint(address.clone())\n\
        .protocol(acs_core::Protocol::Http)\n\
        .retry(acs_core::RetryConfig::disabled())\n\
        .signature_version(signature)\n\
        .credentials_provider(acs_core::StaticCredentialsProvider::new(\n\
            acs_signer::Credentials::new(\"LTAIwirediff\", \"wire-diff-secret\").unwrap(),\n\
        ))\n\
        .build()\n\
        .unwrap();\n\
    let client = {crate_ident}::Client::new(config).unwrap();\n\
{calls}}}\n"
    )
}
