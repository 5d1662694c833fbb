//! Keeps only the facts of a spec: names, locations, types, flags, ranges, enums, endpoints.
//!
//! Descriptions, titles, summaries, examples, response demos and error-code prose are
//! dropped, so a spec committed beside a generated crate carries no copied text.

use serde_json::{Map, Value};

/// Keys whose values are prose or samples, removed wherever they appear.
const PROSE: [&str; 15] = [
    "description",
    "title",
    "summary",
    "example",
    "responseDemo",
    "errorCodes",
    "requestParamsDescription",
    "responseParamsDescription",
    "extraInfo",
    "staticInfo",
    "enumValueTitles",
    "directories",
    "systemTags",
    "changeSet",
    "ramActions",
];

/// The spec without prose, keys sorted (stable output).
pub(crate) fn strip(value: &Value) -> Value {
    match value {
        Value::Object(map) => {
            let mut out = Map::new();
            for (key, inner) in map {
                if key == "systemTags" {
                    // One fact among the tags: whether the operation reads or writes.
                    if let Some(kind) = inner.get("operationType") {
                        let mut tags = Map::new();
                        tags.insert("operationType".to_owned(), kind.clone());
                        out.insert(key.clone(), Value::Object(tags));
                    }
                } else if !PROSE.contains(&key.as_str()) {
                    out.insert(key.clone(), strip(inner));
                }
            }
            Value::Object(out)
        }
        Value::Array(items) => Value::Array(items.iter().map(strip).collect()),
        other => other.clone(),
    }
}

/// Reads `source`, strips it, writes `dest` (pretty-printed).
pub(crate) fn import(source: &str, dest: &str) -> Result<String, String> {
    let text = std::fs::read_to_string(source).map_err(|e| format!("{source}: {e}"))?;
    let value: Value = serde_json::from_str(&text).map_err(|e| format!("{source}: {e}"))?;
    let stripped = strip(&value);
    // The stripped spec must still describe the same product.
    let pretty = serde_json::to_string_pretty(&stripped).map_err(|e| e.to_string())? + "\n";
    let original = super::parse::parse_product(&text).map_err(|e| format!("{source}: {e}"))?;
    let reparsed =
        super::parse::parse_product(&pretty).map_err(|e| format!("stripped {source}: {e}"))?;
    if original != reparsed {
        return Err(format!("{source}: stripping changed the model"));
    }
    if let Some(parent) = std::path::Path::new(dest).parent() {
        std::fs::create_dir_all(parent).map_err(|e| format!("{}: {e}", parent.display()))?;
    }
    std::fs::write(dest, &pretty).map_err(|e| format!("{dest}: {e}"))?;
    Ok(format!(
        "{dest}: {} bytes (from {} bytes)\n",
        pretty.len(),
        text.len()
    ))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn prose_goes_facts_stay() {
        let spec = serde_json::json!({
            "apis": {"A": {"summary": "x", "parameters": [{"name": "P", "in": "query",
                "schema": {"type": "integer", "description": "说明", "example": "1", "maximum": 5, "enum": ["1"]}}]}}
        });
        let stripped = strip(&spec);
        let schema = &stripped["apis"]["A"]["parameters"][0]["schema"];
        assert_eq!(
            schema,
            &serde_json::json!({"type": "integer", "maximum": 5, "enum": ["1"]})
        );
        assert!(stripped["apis"]["A"].get("summary").is_none());
    }
}
