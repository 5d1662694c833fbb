//! The generator's model of a product: only the facts code generation needs.

use std::collections::BTreeMap;

/// One product version, as its API metadata describes it.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct Product {
    /// The product code (`Sts`, `Ecs`, `CS`).
    pub(crate) code: String,
    /// The API version (`2015-04-01`).
    pub(crate) version: String,
    /// RPC or ROA.
    pub(crate) style: Style,
    /// Region id to endpoint host.
    pub(crate) endpoints: BTreeMap<String, String>,
    /// Every operation, sorted by name.
    pub(crate) operations: Vec<Operation>,
}

/// How the product's APIs are addressed.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Style {
    /// `?Action=…` on `/`.
    Rpc,
    /// Resource paths.
    Roa,
}

/// One API.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct Operation {
    /// The action name (`AssumeRole`).
    pub(crate) name: String,
    /// The HTTP method to use (upper case; POST preferred when several are allowed).
    pub(crate) method: String,
    /// Whether the metadata names no method, so `method` is the style's default.
    pub(crate) method_defaulted: bool,
    /// The path template (ROA), `/` for RPC.
    pub(crate) path: String,
    /// How it authenticates.
    pub(crate) auth: Auth,
    /// Whether the metadata marks it deprecated.
    pub(crate) deprecated: bool,
    /// Whether it only reads (the metadata's operation type `get` or `list`; without one, a
    /// GET or HEAD method or a `Describe`/`List`/`Get`/`Query` name), so it is safe to repeat.
    pub(crate) read_only: bool,
    /// Its parameters, in metadata order.
    pub(crate) params: Vec<Param>,
    /// The shape of a successful response body, if it has one.
    pub(crate) response: Option<Shape>,
}

/// How an operation authenticates.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Auth {
    /// Signed with an access key.
    AccessKey,
    /// Unsigned (`Anonymous`, and `ARS_OIDC`, which carries its OIDC token as a parameter).
    Anonymous,
    /// A bearer token.
    Bearer,
}

/// Where a parameter travels.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Location {
    /// The query string.
    Query,
    /// The request body (ROA: the JSON body; RPC: form fields).
    Body,
    /// Form fields.
    FormData,
    /// A `{Name}` placeholder in the path.
    Path,
    /// A header.
    Header,
}

/// How a structured parameter value is serialised.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum ParamStyle {
    /// A scalar as text.
    Simple,
    /// A list as `Name.1`, `Name.2`, … (objects inside as `Name.1.Field`).
    RepeatList,
    /// An object or list of objects as `Name.Field` / `Name.1.Field`.
    Flat,
    /// The value as one JSON string.
    Json,
    /// A list joined with spaces.
    SpaceDelimited,
    /// A list joined with `|`.
    PipeDelimited,
}

/// One parameter.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct Param {
    /// The wire name.
    pub(crate) name: String,
    /// Where it travels.
    pub(crate) location: Location,
    /// How it is serialised.
    pub(crate) style: ParamStyle,
    /// Whether it must be given.
    pub(crate) required: bool,
    /// Whether the metadata marks it deprecated.
    pub(crate) deprecated: bool,
    /// Its type.
    pub(crate) shape: Shape,
    /// The shared component (`components.schemas`) its schema refers to, if it is one.
    pub(crate) component: Option<String>,
}

/// A value's type.
#[derive(Debug, Clone, PartialEq)]
pub(crate) enum Shape {
    /// Text, optionally restricted to `values`.
    String {
        /// The allowed values, when the metadata lists them.
        values: Vec<String>,
    },
    /// A whole number of 32 or 64 bits.
    Integer {
        /// 32 or 64.
        bits: u8,
    },
    /// A floating-point number of 32 or 64 bits.
    Number {
        /// 32 or 64.
        bits: u8,
    },
    /// true or false.
    Boolean,
    /// Raw bytes.
    Binary,
    /// Any JSON value (the metadata gives no type).
    Any,
    /// A list.
    Array(Box<Shape>),
    /// An object with named fields.
    Object(Vec<Field>),
    /// A map from text keys to values.
    Map(Box<Shape>),
    /// A shared schema (`components.schemas`) that contains itself: its shape, named so the
    /// place it recurs can point back to it.
    Named {
        /// The component's name.
        component: String,
        /// Its shape.
        shape: Box<Shape>,
    },
    /// Where a recursive component recurs: the enclosing [`Shape::Named`] of that name.
    Recursive(String),
}

/// A named field of an object.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct Field {
    /// The wire name.
    pub(crate) name: String,
    /// Whether it must be present.
    pub(crate) required: bool,
    /// Whether the metadata marks it deprecated.
    pub(crate) deprecated: bool,
    /// Its type.
    pub(crate) shape: Shape,
}
