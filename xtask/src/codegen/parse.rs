//! Reads API Explorer `api-docs.json` metadata into the generator's model.
//!
//! Anything the generator does not understand is an error naming the API and the field,
//! never a silent guess.

use std::collections::BTreeMap;
use std::fmt;

use serde_json::{Map, Value};

use super::ir::{Auth, Field, Location, Operation, Param, ParamStyle, Product, Shape, Style};

/// A construct the generator cannot translate, with where it was found.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct SpecError {
    /// The API it concerns, if any.
    pub(crate) api: Option<String>,
    /// The path to the offending field, such as `parameters[2] (Tag).schema.items`.
    pub(crate) field: String,
    /// What is wrong.
    pub(crate) message: String,
}

impl fmt::Display for SpecError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match &self.api {
            Some(api) => write!(f, "API {api}, {}: {}", self.field, self.message),
            None => write!(f, "{}: {}", self.field, self.message),
        }
    }
}

impl std::error::Error for SpecError {}

/// Where we are in the document, for error messages.
struct Ctx<'a> {
    api: Option<&'a str>,
    components: &'a Map<String, Value>,
    /// Components found recurring inside their own expansion, until that expansion ends.
    recursive: std::cell::RefCell<std::collections::BTreeSet<String>>,
}

impl Ctx<'_> {
    fn error(&self, field: &str, message: impl Into<String>) -> SpecError {
        SpecError {
            api: self.api.map(str::to_owned),
            field: field.to_owned(),
            message: message.into(),
        }
    }
}

/// Parses a whole `api-docs.json` document.
pub(crate) fn parse_product(text: &str) -> Result<Product, SpecError> {
    let doc: Value = serde_json::from_str(text).map_err(|e| SpecError {
        api: None,
        field: "document".into(),
        message: format!("not JSON: {e}"),
    })?;
    let empty = Map::new();
    let components = doc
        .pointer("/components/schemas")
        .and_then(Value::as_object)
        .unwrap_or(&empty);
    let top = Ctx {
        api: None,
        components,
        recursive: Default::default(),
    };
    let info = doc
        .get("info")
        .and_then(Value::as_object)
        .ok_or_else(|| top.error("info", "missing"))?;
    let text_of = |key: &str| {
        info.get(key)
            .and_then(Value::as_str)
            .map(str::to_owned)
            .ok_or_else(|| top.error(&format!("info.{key}"), "missing"))
    };
    let style = match text_of("style")?.as_str() {
        // `V3` products are action-based: the official SDKs call them as RPC APIs (path `/`,
        // `x-acs-action`), signed with V3 like every other style.
        "RPC" | "V3" => Style::Rpc,
        "ROA" => Style::Roa,
        own @ ("OSS" | "SLS" | "PDS" | "AliGenie") => {
            return Err(top.error(
                "info.style",
                format!(
                    "style {own:?} has a signature of its own, which acs-rs does not implement yet"
                ),
            ));
        }
        // Function Compute: resource paths like ROA (the official SDKs call it with
        // `style = 'ROA'`); its binary bodies are `format: binary` parameters and responses.
        "FC" => Style::Roa,
        other => return Err(top.error("info.style", format!("unknown style {other:?}"))),
    };
    let mut endpoints = BTreeMap::new();
    for (i, entry) in doc
        .get("endpoints")
        .and_then(Value::as_array)
        .into_iter()
        .flatten()
        .enumerate()
    {
        let region = entry.get("regionId").and_then(Value::as_str);
        let endpoint = entry.get("endpoint").and_then(Value::as_str);
        match (region, endpoint) {
            (Some(region), Some(endpoint)) => {
                endpoints.insert(region.to_owned(), endpoint.to_owned());
            }
            _ => return Err(top.error(&format!("endpoints[{i}]"), "needs regionId and endpoint")),
        }
    }
    let apis = doc
        .get("apis")
        .and_then(Value::as_object)
        .ok_or_else(|| top.error("apis", "missing"))?;
    let mut operations = Vec::with_capacity(apis.len());
    for (name, api) in apis {
        let ctx = Ctx {
            api: Some(name),
            components,
            recursive: Default::default(),
        };
        operations.push(parse_operation(&ctx, name, api, style)?);
    }
    operations.sort_by(|a, b| a.name.cmp(&b.name));
    Ok(Product {
        code: text_of("product")?,
        version: text_of("version")?,
        style,
        endpoints,
        operations,
    })
}

fn parse_operation(
    ctx: &Ctx<'_>,
    name: &str,
    api: &Value,
    style: Style,
) -> Result<Operation, SpecError> {
    let methods: Vec<String> = api
        .get("methods")
        .and_then(Value::as_array)
        .into_iter()
        .flatten()
        .map(|m| {
            m.as_str()
                .map(str::to_ascii_uppercase)
                .ok_or_else(|| ctx.error("methods", "not text"))
        })
        .collect::<Result<_, _>>()?;
    const KNOWN: [&str; 8] = [
        "GET", "POST", "PUT", "DELETE", "PATCH", "HEAD", "OPTIONS", "TRACE",
    ];
    if let Some(bad) = methods.iter().find(|m| !KNOWN.contains(&m.as_str())) {
        return Err(ctx.error("methods", format!("unknown method {bad}")));
    }
    // POST when offered; else the first named; with none named, the style's default (POST
    // for RPC, GET for ROA), which the operation's documentation then says.
    let method_defaulted = methods.is_empty();
    let method = if methods.iter().any(|m| m == "POST") {
        "POST".to_owned()
    } else {
        match (methods.first(), style) {
            (Some(first), _) => first.clone(),
            (None, Style::Rpc) => "POST".to_owned(),
            (None, Style::Roa) => "GET".to_owned(),
        }
    };
    let path = match style {
        Style::Rpc => "/".to_owned(),
        // Some metadata writes path parameters `[Name]`: the same as `{Name}`.
        Style::Roa => api
            .get("path")
            .and_then(Value::as_str)
            .map(|p| p.replace('[', "{").replace(']', "}"))
            .ok_or_else(|| ctx.error("path", "a ROA API needs a path"))?,
    };
    let auth = parse_security(ctx, api.get("security"))?;
    let mut params = Vec::new();
    for (i, param) in api
        .get("parameters")
        .and_then(Value::as_array)
        .into_iter()
        .flatten()
        .enumerate()
    {
        let param = parse_param(ctx, i, param)?;
        // Some operations list a parameter twice (84 of ECS's): one field per wire name,
        // required if either entry says so.
        match params
            .iter_mut()
            .find(|p: &&mut Param| p.name == param.name)
        {
            Some(first) if first.location == param.location && first.shape == param.shape => {
                first.required |= param.required;
                first.deprecated &= param.deprecated;
            }
            Some(_) => {
                return Err(ctx.error(
                    &format!("parameters[{i}] ({})", param.name),
                    "listed twice with different locations or types",
                ));
            }
            None => params.push(param),
        }
    }
    // A GET or HEAD request has no body (servers drop one): its body parameters travel in the
    // query, where the official SDKs send them.
    if matches!(method.as_str(), "GET" | "HEAD") {
        for param in params.iter_mut().filter(|p| {
            matches!(p.location, Location::Body | Location::FormData) && p.shape != Shape::Binary
        }) {
            param.location = Location::Query;
        }
    }
    for param in params.iter().filter(|p| p.location == Location::Path) {
        if !path.contains(&format!("{{{}}}", param.name)) {
            return Err(ctx.error(
                &format!("parameter {}", param.name),
                format!("path parameter absent from {path}"),
            ));
        }
    }
    let response = match api.pointer("/responses/200/schema") {
        Some(schema) => Some(parse_shape(
            ctx,
            "responses.200.schema",
            schema,
            &mut Vec::new(),
        )?),
        None => None,
    };
    let read_only = match api
        .get("systemTags")
        .and_then(|tags| tags.get("operationType"))
        .and_then(Value::as_str)
    {
        Some("get" | "list") => true,
        Some("create" | "update" | "delete") => false,
        _ => {
            matches!(method.as_str(), "GET" | "HEAD")
                || ["Describe", "List", "Get", "Query"]
                    .iter()
                    .any(|prefix| name.starts_with(prefix))
        }
    };
    Ok(Operation {
        name: name.to_owned(),
        method,
        method_defaulted,
        path,
        auth,
        read_only,
        deprecated: api
            .get("deprecated")
            .and_then(Value::as_bool)
            .unwrap_or(false),
        params,
        response,
    })
}

fn parse_security(ctx: &Ctx<'_>, security: Option<&Value>) -> Result<Auth, SpecError> {
    let Some(list) = security.and_then(Value::as_array).filter(|l| !l.is_empty()) else {
        return Ok(Auth::AccessKey);
    };
    let mut kinds = Vec::new();
    let mut unknown = None;
    for (i, entry) in list.iter().enumerate() {
        let map = entry
            .as_object()
            .ok_or_else(|| ctx.error(&format!("security[{i}]"), "not an object"))?;
        for key in map.keys() {
            let kind = match key.as_str() {
                "AK" => Some(Auth::AccessKey),
                "Anonymous" | "ARS_OIDC" => Some(Auth::Anonymous),
                "BearerToken" | "Bearer" | "bearer" => Some(Auth::Bearer),
                // Another way to call the same API; the access key is what SDKs use.
                "APP" => None,
                other => {
                    unknown.get_or_insert((i, other.to_owned()));
                    None
                }
            };
            kinds.extend(kind);
        }
    }
    // Another scheme beside an access key (`PrivateKey`, say) is another way in: the
    // access key wins. Only an operation offering nothing known is refused.
    if let (Some((i, other)), false) = (&unknown, kinds.contains(&Auth::AccessKey)) {
        return Err(ctx.error(
            &format!("security[{i}]"),
            format!("unsupported security scheme {other:?} and no access key offered"),
        ));
    }
    // An access key wins when offered; otherwise the first scheme given.
    if kinds.contains(&Auth::AccessKey) {
        return Ok(Auth::AccessKey);
    }
    kinds
        .first()
        .copied()
        .ok_or_else(|| ctx.error("security", "no supported security scheme"))
}

fn parse_param(ctx: &Ctx<'_>, index: usize, param: &Value) -> Result<Param, SpecError> {
    let name = param
        .get("name")
        .and_then(Value::as_str)
        .ok_or_else(|| ctx.error(&format!("parameters[{index}]"), "missing name"))?;
    let field = format!("parameter {name}");
    let location = match param.get("in").and_then(Value::as_str) {
        Some("query") => Location::Query,
        Some("body") => Location::Body,
        Some("formData") => Location::FormData,
        Some("path") => Location::Path,
        Some("header") => Location::Header,
        other => return Err(ctx.error(&field, format!("unknown location {other:?}"))),
    };
    let explicit_style = param.get("style").and_then(Value::as_str);
    let style = match explicit_style {
        None | Some("simple") => ParamStyle::Simple,
        Some("repeatList") => ParamStyle::RepeatList,
        Some("flat") => ParamStyle::Flat,
        Some("json") => ParamStyle::Json,
        Some("spaceDelimited") => ParamStyle::SpaceDelimited,
        Some("pipeDelimited") => ParamStyle::PipeDelimited,
        Some(other) => return Err(ctx.error(&field, format!("unknown style {other:?}"))),
    };
    let schema = param
        .get("schema")
        .ok_or_else(|| ctx.error(&field, "missing schema"))?;
    let shape = parse_shape(ctx, &format!("{field}.schema"), schema, &mut Vec::new())?;
    // Without a style, the official SDKs flatten lists and objects (`Name.1`, `Name.Field`);
    // an explicit `simple` joins a list with commas.
    let style = match (explicit_style, &shape) {
        (None, Shape::Array(_)) => ParamStyle::RepeatList,
        (None, Shape::Object(_) | Shape::Map(_) | Shape::Named { .. }) => ParamStyle::Flat,
        _ => style,
    };
    // A path parameter is always required: the path cannot be built without it, whatever
    // the metadata says (19 of CS's are marked optional).
    let required =
        location == Location::Path || flag(param, "required") || flag(schema, "required");
    let deprecated = flag(param, "deprecated") || flag(schema, "deprecated");
    let component = schema
        .get("$ref")
        .and_then(Value::as_str)
        .and_then(|r| r.rsplit('/').next())
        .map(str::to_owned);
    Ok(Param {
        name: name.to_owned(),
        location,
        style,
        required,
        deprecated,
        shape,
        component,
    })
}

fn flag(value: &Value, key: &str) -> bool {
    value.get(key).and_then(Value::as_bool).unwrap_or(false)
}

/// Parses a schema; `seen` holds the component names being expanded, to catch cycles.
fn parse_shape(
    ctx: &Ctx<'_>,
    field: &str,
    schema: &Value,
    seen: &mut Vec<String>,
) -> Result<Shape, SpecError> {
    let schema = schema
        .as_object()
        .ok_or_else(|| ctx.error(field, "a schema must be an object"))?;
    if let Some(reference) = schema.get("$ref") {
        let reference = reference
            .as_str()
            .ok_or_else(|| ctx.error(field, "$ref must be text"))?;
        let name = reference
            .strip_prefix("#/components/schemas/")
            .ok_or_else(|| ctx.error(field, format!("unsupported $ref {reference:?}")))?;
        if seen.iter().any(|s| s == name) {
            // A recursive schema: point back at the enclosing expansion (boxed in Rust).
            ctx.recursive.borrow_mut().insert(name.to_owned());
            return Ok(Shape::Recursive(name.to_owned()));
        }
        let target = ctx
            .components
            .get(name)
            .ok_or_else(|| ctx.error(field, format!("$ref to missing schema {name}")))?;
        seen.push(name.to_owned());
        let shape = parse_shape(ctx, &format!("{field} -> {name}"), target, seen);
        seen.pop();
        let shape = shape?;
        // Only a component that recurred inside its own expansion is named.
        if ctx.recursive.borrow_mut().remove(name) {
            return Ok(Shape::Named {
                component: name.to_owned(),
                shape: Box::new(shape),
            });
        }
        return Ok(shape);
    }
    let format = schema.get("format").and_then(Value::as_str);
    let kind = schema.get("type").and_then(Value::as_str);
    let kind = match kind {
        Some(kind) => kind,
        None if schema.contains_key("properties") => "object",
        None if schema.contains_key("items") => "array",
        None => "any",
    };
    Ok(match kind {
        "string" => match format {
            Some("binary") => Shape::Binary,
            _ => Shape::String {
                values: schema
                    .get("enum")
                    .and_then(Value::as_array)
                    .map(|values| {
                        values
                            .iter()
                            .map(|v| v.as_str().map_or_else(|| v.to_string(), str::to_owned))
                            .collect()
                    })
                    .unwrap_or_default(),
            },
        },
        "integer" => match format {
            Some("int32") => Shape::Integer { bits: 32 },
            Some("int64") | None => Shape::Integer { bits: 64 },
            Some(other) => {
                return Err(ctx.error(field, format!("unknown integer format {other:?}")));
            }
        },
        "number" => match format {
            Some("float") => Shape::Number { bits: 32 },
            Some("double") | None => Shape::Number { bits: 64 },
            Some(other) => return Err(ctx.error(field, format!("unknown number format {other:?}"))),
        },
        "boolean" => Shape::Boolean,
        "any" => Shape::Any,
        "array" => match schema.get("items") {
            Some(items) => Shape::Array(Box::new(parse_shape(
                ctx,
                &format!("{field}.items"),
                items,
                seen,
            )?)),
            // Declared without items (SLB, HBR): a list of any JSON values, which decodes
            // whatever the service sends.
            None => Shape::Array(Box::new(Shape::Any)),
        },
        "object" => match (schema.get("properties"), schema.get("additionalProperties")) {
            (Some(properties), _) => {
                let properties = properties
                    .as_object()
                    .ok_or_else(|| ctx.error(field, "properties must be an object"))?;
                let mut fields = Vec::with_capacity(properties.len());
                for (name, property) in properties {
                    let shape = parse_shape(ctx, &format!("{field}.{name}"), property, seen)?;
                    fields.push(Field {
                        name: name.clone(),
                        required: flag(property, "required"),
                        deprecated: flag(property, "deprecated"),
                        shape,
                    });
                }
                Shape::Object(fields)
            }
            (None, Some(Value::Object(values))) => Shape::Map(Box::new(parse_shape(
                ctx,
                &format!("{field}.additionalProperties"),
                &Value::Object(values.clone()),
                seen,
            )?)),
            (None, Some(Value::Bool(true))) | (None, None) => Shape::Map(Box::new(Shape::Any)),
            (None, Some(other)) => {
                return Err(ctx.error(field, format!("unsupported additionalProperties {other}")));
            }
        },
        other => return Err(ctx.error(field, format!("unknown type {other:?}"))),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn shared(name: &str) -> String {
        let path = format!(
            "{}/../../shared/api-docs/{name}/api-docs.json",
            env!("CARGO_MANIFEST_DIR")
        );
        std::fs::read_to_string(&path)
            .unwrap_or_else(|e| panic!("{path}: {e} (CI keeps ../shared beside the repository)"))
    }

    #[test]
    fn a_parameter_listed_twice_is_one_parameter() {
        let doc = r#"{"info":{"style":"RPC","product":"T","version":"1"},"apis":{"Op":{"methods":["post"],"parameters":[
            {"name":"RegionId","in":"query","schema":{"type":"string","required":true}},
            {"name":"ClientToken","in":"query","schema":{"type":"string","required":false}},
            {"name":"RegionId","in":"query","schema":{"type":"string","required":true}},
            {"name":"ClientToken","in":"query","schema":{"type":"string","required":true}}]}}}"#;
        let product = parse_product(doc).expect("parses");
        let params = &product.operations[0].params;
        let names: Vec<(&str, bool)> = params
            .iter()
            .map(|p| (p.name.as_str(), p.required))
            .collect();
        assert_eq!(names, [("RegionId", true), ("ClientToken", true)]);
        // Full ECS: RunInstances lists RegionId twice.
        let ecs = parse_product(&shared("ecs-2014-05-26")).expect("ecs");
        let run = ecs
            .operations
            .iter()
            .find(|o| o.name == "RunInstances")
            .expect("RunInstances");
        assert_eq!(
            run.params.iter().filter(|p| p.name == "RegionId").count(),
            1
        );
        let clash = doc.replacen(
            r#""in":"query","schema":{"type":"string","required":true}}]"#,
            r#""in":"body","schema":{"type":"string","required":true}}]"#,
            1,
        );
        assert!(
            parse_product(&clash).is_err(),
            "a clash is refused, not merged"
        );
    }

    #[test]
    fn style_v3_is_action_based_and_own_signature_styles_are_refused_by_name() {
        let arms = parse_product(&shared("arms-2019-08-08")).expect("arms parses");
        assert_eq!(arms.style, Style::Rpc);
        assert!(arms.operations.iter().all(|o| o.path == "/"));
        for own in ["OSS", "SLS", "PDS", "AliGenie"] {
            let doc = format!(
                r#"{{"info":{{"style":"{own}","product":"T","version":"1"}},"apis":{{}}}}"#
            );
            let err = parse_product(&doc).expect_err("refused");
            assert!(err.to_string().contains(own), "{err}");
        }
    }

    #[test]
    fn bracketed_path_parameters_are_path_parameters() {
        let doc = r#"{"info":{"style":"ROA","product":"T","version":"1"},"apis":{"Op":{"methods":["get"],"path":"/functions/[functionName]/code","parameters":[{"name":"functionName","in":"path","schema":{"type":"string"}}]}}}"#;
        let product = parse_product(doc).expect("parses");
        assert_eq!(product.operations[0].path, "/functions/{functionName}/code");
        assert!(product.operations[0].params[0].required);
    }

    #[test]
    fn every_http_method_and_none_at_all() {
        let doc = |methods: &str| {
            format!(
                r#"{{"info":{{"style":"RPC","product":"T","version":"1"}},"apis":{{"Op":{{{methods}"parameters":[]}}}}}}"#
            )
        };
        let trace = parse_product(&doc(r#""methods":["trace"],"#)).expect("TRACE");
        assert_eq!(trace.operations[0].method, "TRACE");
        let none = parse_product(&doc("")).expect("no methods");
        assert_eq!(none.operations[0].method, "POST");
        assert!(none.operations[0].method_defaulted);
        let empty = parse_product(&doc(r#""methods":[],"#)).expect("empty methods");
        assert_eq!(empty.operations[0].method, "POST");
    }

    #[test]
    fn an_array_without_items_is_a_list_of_any_value() {
        let slb = parse_product(&shared("slb-2014-05-15")).expect("slb parses");
        assert!(!slb.operations.is_empty());
        let hbr = parse_product(&shared("hbr-2017-09-08")).expect("hbr parses");
        assert!(!hbr.operations.is_empty());
        let doc = r#"{"info":{"style":"RPC","product":"T","version":"1"},"apis":{"Op":{"methods":["post"],"parameters":[{"name":"L","in":"query","style":"repeatList","schema":{"type":"array"}}]}}}"#;
        let product = parse_product(doc).expect("parses");
        assert_eq!(
            product.operations[0].params[0].shape,
            Shape::Array(Box::new(Shape::Any))
        );
    }

    #[test]
    fn an_access_key_beside_another_scheme_wins() {
        let doc = r#"{"info":{"style":"RPC","product":"T","version":"1"},"apis":{"Op":{"methods":["post"],"security":[{"AK":[]},{"PrivateKey":[]}]}}}"#;
        let product = parse_product(doc).expect("parses");
        assert_eq!(product.operations[0].auth, Auth::AccessKey);
        let alone = doc.replace(r#"{"AK":[]},"#, "");
        let err = parse_product(&alone).expect_err("nothing known offered");
        assert!(err.to_string().contains("PrivateKey"), "{err}");
    }

    #[test]
    fn a_path_parameter_is_required_even_when_marked_optional() {
        let cs = parse_product(&shared("cs-2015-12-15")).expect("cs");
        let op = cs
            .operations
            .iter()
            .find(|o| o.name == "CreateClusterDiagnosis")
            .expect("CreateClusterDiagnosis");
        let cluster = op
            .params
            .iter()
            .find(|p| p.name == "cluster_id")
            .expect("cluster_id");
        assert_eq!(cluster.location, Location::Path);
        assert!(cluster.required, "the metadata leaves it optional");
    }

    #[test]
    fn parses_every_reference_product() {
        let sts = parse_product(&shared("sts-2015-04-01")).expect("sts");
        assert_eq!(
            (sts.code.as_str(), sts.version.as_str(), sts.style),
            ("Sts", "2015-04-01", Style::Rpc)
        );
        let names: Vec<&str> = sts.operations.iter().map(|o| o.name.as_str()).collect();
        assert_eq!(
            names,
            [
                "AssumeRole",
                "AssumeRoleWithOIDC",
                "AssumeRoleWithSAML",
                "GetCallerIdentity"
            ]
        );
        let auth: Vec<Auth> = sts.operations.iter().map(|o| o.auth).collect();
        assert_eq!(
            auth,
            [
                Auth::AccessKey,
                Auth::Anonymous,
                Auth::Anonymous,
                Auth::AccessKey
            ]
        );
        assert_eq!(
            sts.endpoints.get("cn-hangzhou").map(String::as_str),
            Some("sts.cn-hangzhou.aliyuncs.com")
        );
        let assume = &sts.operations[0];
        assert_eq!(assume.method, "POST");
        let role_arn = assume
            .params
            .iter()
            .find(|p| p.name == "RoleArn")
            .expect("RoleArn");
        assert!(role_arn.required && role_arn.location == Location::Query);
        let duration = assume
            .params
            .iter()
            .find(|p| p.name == "DurationSeconds")
            .expect("DurationSeconds");
        assert_eq!(duration.shape, Shape::Integer { bits: 64 });
        let Some(Shape::Object(fields)) = &assume.response else {
            panic!("object response")
        };
        assert!(
            fields
                .iter()
                .any(|f| f.name == "Credentials" && matches!(f.shape, Shape::Object(_)))
        );

        let ecs = parse_product(&shared("ecs-2014-05-26")).expect("full ECS");
        assert_eq!(ecs.operations.len(), 347);
        let styles: std::collections::BTreeSet<String> = ecs
            .operations
            .iter()
            .flat_map(|o| o.params.iter().map(|p| format!("{:?}", p.style)))
            .collect();
        assert!(
            styles.contains("RepeatList") && styles.contains("Flat") && styles.contains("Json")
        );
        let subset = parse_product(&shared("ecs-2014-05-26-subset")).expect("ECS subset");
        assert_eq!(subset.operations.len(), 7);

        let cs = parse_product(&shared("cs-2015-12-15")).expect("CS");
        assert_eq!((cs.style, cs.operations.len()), (Style::Roa, 117));
        let detail = cs
            .operations
            .iter()
            .find(|o| o.name == "DescribeClusterDetail")
            .expect("op");
        assert_eq!(
            (detail.method.as_str(), detail.path.as_str()),
            ("GET", "/clusters/{ClusterId}")
        );
        let create = cs
            .operations
            .iter()
            .find(|o| o.name == "CreateCluster")
            .expect("op");
        let body = create
            .params
            .iter()
            .find(|p| p.location == Location::Body)
            .expect("body");
        assert_eq!(body.style, ParamStyle::Json);
        assert!(
            matches!(body.shape, Shape::Object(_)),
            "$refs resolved inside the body"
        );
    }

    fn minimal(api: &str) -> String {
        format!(
            r#"{{"info":{{"style":"RPC","product":"Test","version":"2020-01-01"}},"endpoints":[],"apis":{{"Op":{api}}}}}"#
        )
    }

    #[test]
    fn unknown_constructs_name_the_api_and_field() {
        let cases = [
            (
                r#"{"methods":["post"],"parameters":[{"name":"A","in":"query","schema":{"type":"integer","format":"int16"}}]}"#,
                "parameter A.schema",
                "int16",
            ),
            (
                r#"{"methods":["post"],"parameters":[{"name":"B","in":"cookie","schema":{"type":"string"}}]}"#,
                "parameter B",
                "cookie",
            ),
            (
                r#"{"methods":["post"],"parameters":[{"name":"C","in":"query","style":"matrix","schema":{"type":"string"}}]}"#,
                "parameter C",
                "matrix",
            ),
            (
                r#"{"methods":["post"],"security":[{"Kerberos":[]}]}"#,
                "security[0]",
                "Kerberos",
            ),
            (r#"{"methods":["fetch"]}"#, "methods", "FETCH"),
            (
                r#"{"methods":["post"],"parameters":[{"name":"D","in":"query","schema":{"type":"tuple"}}]}"#,
                "parameter D.schema",
                "tuple",
            ),
            (
                r##"{"methods":["post"],"parameters":[{"name":"E","in":"query","schema":{"$ref":"#/components/schemas/nope"}}]}"##,
                "parameter E.schema",
                "missing schema nope",
            ),
        ];
        for (api, field, needle) in cases {
            let err = parse_product(&minimal(api)).expect_err(api);
            assert_eq!(err.api.as_deref(), Some("Op"), "{err}");
            assert_eq!(err.field, field, "{err}");
            assert!(err.to_string().contains(needle), "{err}");
        }
    }

    #[test]
    fn recursive_references_point_back_to_their_named_component() {
        let doc = r##"{"info":{"style":"RPC","product":"T","version":"1"},"components":{"schemas":{"node":{"type":"object","properties":{"child":{"$ref":"#/components/schemas/node"}}}}},"apis":{"Op":{"methods":["get"],"parameters":[{"name":"N","in":"query","schema":{"$ref":"#/components/schemas/node"}}]}}}"##;
        let product = parse_product(doc).expect("a cycle is supported");
        let param = &product.operations[0].params[0];
        assert_eq!(param.style, ParamStyle::Flat, "an unstyled object flattens");
        let Shape::Named { component, shape } = &param.shape else {
            panic!("{:?}", param.shape)
        };
        assert_eq!(component, "node");
        assert_eq!(
            **shape,
            Shape::Object(vec![Field {
                name: "child".into(),
                required: false,
                deprecated: false,
                shape: Shape::Recursive("node".into()),
            }])
        );
        // Data Lake Formation's recursive schemas (Table -> TableVersion -> Table) parse.
        let datalake = parse_product(&shared("datalake-2020-07-10")).expect("datalake parses");
        assert!(!datalake.operations.is_empty());
    }
}
