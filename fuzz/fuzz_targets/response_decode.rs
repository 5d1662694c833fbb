//! Response decoding, JSON and XML, into an untyped value and into generated models (STS's
//! credentials answer, ECS's largest response).
#![no_main]

use acs_core::{Response, ResponseFormat};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|body: &[u8]| {
    let response = Response::new(
        200,
        http::HeaderMap::new(),
        bytes::Bytes::copy_from_slice(body),
    );
    for format in [ResponseFormat::Json, ResponseFormat::Xml] {
        let _ = response.decode::<serde_json::Value>(format);
        let _ = response.decode::<acs_sts::model::AssumeRoleResponse>(format);
        let _ = response.decode::<acs_ecs::model::DescribeInstancesResponse>(format);
    }
    let sensitive = response.with_sensitive_body(true);
    if let Err(error) = sensitive.decode::<acs_sts::model::AssumeRoleResponse>(ResponseFormat::Json)
    {
        let _ = error.to_string();
    }
});
