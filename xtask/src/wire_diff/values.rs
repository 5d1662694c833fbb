//! Deterministic parameter values derived from each parameter's schema, and the pruning that
//! keeps only what both sides can express.

use serde_json::{Map, Value, json};

use crate::codegen::ir::{Location, Operation, Shape};

/// Text that exercises encoding: a space, `/`, `+`, `%` and non-ASCII.
fn text(label: &str, n: usize, ascii_only: bool) -> String {
    if ascii_only {
        format!("{label} v{n}/+%")
    } else {
        format!("{label} v{n}/+%é中")
    }
}

/// A value for `shape`, named after the field it fills; `n` tells list items apart.
/// `None` where nothing can be written (raw bytes, a recursion's second level).
pub(crate) fn value(shape: &Shape, label: &str, n: usize, ascii_only: bool) -> Option<Value> {
    Some(match shape {
        Shape::String { .. } => Value::String(text(label, n, ascii_only)),
        Shape::Integer { .. } => json!(6 + n),
        Shape::Number { .. } => json!(n as f64 + 0.5),
        Shape::Boolean => Value::Bool(true),
        // Bytes: text, as both sides can carry it.
        Shape::Binary => Value::String(text(label, n, true)),
        Shape::Recursive(_) => return None,
        Shape::Any => json!({ "k": text(label, n, ascii_only) }),
        Shape::Array(item) => Value::Array(
            (1..=2)
                .filter_map(|i| value(item, label, i, ascii_only))
                .collect(),
        ),
        Shape::Map(item) => {
            let mut map = Map::new();
            for i in 1..=2 {
                if let Some(v) = value(item, label, i, ascii_only) {
                    map.insert(format!("key{i}"), v);
                }
            }
            Value::Object(map)
        }
        Shape::Object(fields) => {
            let mut map = Map::new();
            for field in fields {
                if let Some(v) = value(&field.shape, &field.name, n, ascii_only) {
                    map.insert(field.name.clone(), v);
                }
            }
            Value::Object(map)
        }
        Shape::Named { shape, .. } => return value(shape, label, n, ascii_only),
    })
}

/// The values of one operation's parameters, by where the official SDK takes them.
#[derive(Debug, Clone, Default, PartialEq)]
pub(crate) struct OperationValues {
    /// Path parameters (the SDK's positional arguments).
    pub(crate) path: Map<String, Value>,
    /// Header parameters.
    pub(crate) headers: Map<String, Value>,
    /// Everything else (the SDK's request model).
    pub(crate) request: Map<String, Value>,
    /// The lone inline-object `body` parameter whose fields are the JSON body (ROA): the SDK's
    /// request model holds those fields at its top level, so they are in `request` one by one.
    /// (A `body` that is a shared component is one field of the SDK's model.)
    pub(crate) spread: Option<String>,
    /// The names in `request` that are fields of the spread body.
    pub(crate) spread_fields: Vec<String>,
}

/// Values for every parameter of `op`, or why the operation cannot be compared.
pub(crate) fn for_operation(op: &Operation, roa: bool) -> Result<OperationValues, String> {
    let mut out = OperationValues::default();
    let body: Vec<_> = op
        .params
        .iter()
        .filter(|p| p.location == Location::Body)
        .collect();
    if let [lone] = body.as_slice()
        && roa
        && lone.name.eq_ignore_ascii_case("body")
        && lone.component.is_none()
        && crate::codegen::emit::object_shape(&lone.shape).is_some()
    {
        out.spread = Some(lone.name.clone());
    }
    for param in &op.params {
        let header = param.location == Location::Header;
        let Some(v) = value(&param.shape, &param.name, 1, header) else {
            return Err(format!("parameter {} has no value to give", param.name));
        };
        if out.spread.as_deref() == Some(param.name.as_str()) {
            if let Value::Object(fields) = v {
                out.spread_fields = fields.keys().cloned().collect();
                out.request.extend(fields);
            }
            continue;
        }
        let place = match param.location {
            Location::Path => &mut out.path,
            Location::Header => &mut out.headers,
            _ => &mut out.request,
        };
        place.insert(param.name.clone(), v);
    }
    // The SDK's request model holds the body's fields beside the query parameters: one name
    // for both cannot be told apart.
    let query: Vec<&str> = op
        .params
        .iter()
        .filter(|p| {
            !matches!(
                p.location,
                Location::Path | Location::Header | Location::Body
            )
        })
        .map(|p| p.name.as_str())
        .collect();
    if let Some(clash) = out
        .spread_fields
        .iter()
        .find(|f| query.contains(&f.as_str()))
    {
        return Err(format!(
            "body field {clash} has the name of a query parameter, which the SDK's request model holds once"
        ));
    }
    Ok(out)
}

/// Removes from `value` (of `shape`, at path `at`) the first field the API requires, for the
/// check that a request missing one is refused before sending; the path the generated check
/// names (`Param.1.Field`), if there was one to remove.
pub(crate) fn remove_required(shape: &Shape, value: &mut Value, at: &str) -> Option<String> {
    match (shape, value) {
        (Shape::Object(fields), Value::Object(map)) => {
            for field in fields {
                if !map.contains_key(&field.name) {
                    continue;
                }
                let here = format!("{at}.{}", field.name);
                if field.required {
                    map.remove(&field.name);
                    return Some(here);
                }
                if let Some(found) = map
                    .get_mut(&field.name)
                    .and_then(|v| remove_required(&field.shape, v, &here))
                {
                    return Some(found);
                }
            }
            None
        }
        (Shape::Array(inner), Value::Array(items)) => items
            .iter_mut()
            .enumerate()
            .find_map(|(i, item)| remove_required(inner, item, &format!("{at}.{}", i + 1))),
        (Shape::Map(inner), Value::Object(entries)) => entries
            .iter_mut()
            .find_map(|(key, item)| remove_required(inner, item, &format!("{at}.{key}"))),
        (Shape::Named { shape, .. }, value) => remove_required(shape, value, at),
        _ => None,
    }
}

/// What both `ours` and the SDK's round trip of it (`theirs`) hold; the paths (wire names,
/// list positions from 1) of what only `ours` held go to `dropped`.
pub(crate) fn common(
    ours: &Value,
    theirs: Option<&Value>,
    at: &[String],
    dropped: &mut Vec<Vec<String>>,
) -> Option<Value> {
    let below = |key: String| {
        let mut path = at.to_vec();
        path.push(key);
        path
    };
    let Some(theirs) = theirs else {
        dropped.push(at.to_vec());
        return None;
    };
    match (ours, theirs) {
        (Value::Object(a), Value::Object(b)) => {
            let mut map = Map::new();
            for (key, v) in a {
                if let Some(kept) = common(v, b.get(key), &below(key.clone()), dropped) {
                    map.insert(key.clone(), kept);
                }
            }
            Some(Value::Object(map))
        }
        (Value::Array(a), Value::Array(b)) if a.len() == b.len() => {
            let mut items = Vec::new();
            for (i, (x, y)) in a.iter().zip(b).enumerate() {
                match common(x, Some(y), &below((i + 1).to_string()), dropped) {
                    Some(kept) => items.push(kept),
                    None => return None,
                }
            }
            Some(Value::Array(items))
        }
        (a, b) if a == b => Some(a.clone()),
        // A value the SDK holds differently: not comparable.
        _ => {
            dropped.push(at.to_vec());
            None
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_common_part_drops_what_the_sdk_does_not_know() {
        let ours = json!({"A": 1, "B": {"C": "x", "D": [1, 2]}, "E": true});
        let theirs = json!({"A": 1, "B": {"C": "x"}});
        let mut dropped = Vec::new();
        let kept = common(&ours, Some(&theirs), &[], &mut dropped);
        assert_eq!(kept, Some(json!({"A": 1, "B": {"C": "x"}})));
        assert_eq!(dropped, [vec!["B", "D"], vec!["E"]]);
    }

    #[test]
    fn a_required_nested_field_is_found_and_removed() {
        let field = |name: &str, required: bool, shape: Shape| crate::codegen::ir::Field {
            name: name.into(),
            required,
            deprecated: false,
            shape,
        };
        let text = Shape::String { values: vec![] };
        let shape = Shape::Array(Box::new(Shape::Object(vec![
            field("Optional", false, text.clone()),
            field("Key", true, text),
        ])));
        let mut v = json!([{"Optional": "a", "Key": "k"}, {"Key": "k2"}]);
        assert_eq!(
            remove_required(&shape, &mut v, "Tag").as_deref(),
            Some("Tag.1.Key")
        );
        assert_eq!(v, json!([{"Optional": "a"}, {"Key": "k2"}]));
    }

    #[test]
    fn values_exercise_encoding_and_lists_have_two_items() {
        let shape = Shape::Array(Box::new(Shape::String { values: vec![] }));
        let v = value(&shape, "Name", 1, false).expect("a value");
        assert_eq!(v, json!(["Name v1/+%é中", "Name v2/+%é中"]));
        let header = value(&Shape::String { values: vec![] }, "x-acs-h", 1, true);
        assert_eq!(header, Some(json!("x-acs-h v1/+%")));
    }
}
