//! Signs one request with every signature version and prints what would be sent.
//!
//! ```text
//! cargo run -p acs-examples --example sign_request
//! ```
//!
//! Uses a made-up key, so it needs no account and sends nothing.

use acs_signer::{
    Credentials, SignableRequest, SignatureAlgorithm, SigningContext, SigningError, sign,
};

fn main() -> Result<(), SigningError> {
    let credentials = Credentials::new("LTAI5tExampleKeyId", "example-secret-not-real")?;
    let query = [("RegionId", "cn-hangzhou")];
    let headers = [
        ("host", "ecs.cn-hangzhou.aliyuncs.com"),
        ("x-acs-action", "DescribeRegions"),
        ("x-acs-version", "2014-05-26"),
    ];
    let rpc_query = [
        ("Action", "DescribeRegions"),
        ("Version", "2014-05-26"),
        ("Format", "JSON"),
        ("RegionId", "cn-hangzhou"),
    ];
    for algorithm in [
        SignatureAlgorithm::RpcV1,
        SignatureAlgorithm::Roa,
        SignatureAlgorithm::Acs3HmacSha256,
        SignatureAlgorithm::Acs3HmacSm3,
    ] {
        let request = if algorithm == SignatureAlgorithm::RpcV1 {
            SignableRequest::new("GET", "/").query(&rpc_query)
        } else {
            SignableRequest::new("GET", "/")
                .query(&query)
                .headers(&headers)
        };
        let signed = sign(algorithm, &request, &credentials, &SigningContext::now()?)?;
        let mut report = format!("== {algorithm}\n");
        for (name, value) in signed.query_params() {
            report.push_str(&format!("query  {name}={value}\n"));
        }
        for (name, value) in signed.headers() {
            report.push_str(&format!("header {name}: {value}\n"));
        }
        report.push_str(&format!("string to sign:\n{}\n", signed.string_to_sign()));
        if !signed.canonical_request().is_empty() {
            report.push_str(&format!(
                "canonical request:\n{}\n",
                signed.canonical_request()
            ));
        }
        #[allow(clippy::print_stdout)]
        {
            println!("{report}");
        }
    }
    Ok(())
}
