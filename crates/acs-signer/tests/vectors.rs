//! Known-answer tests: every vector here was published by Alibaba Cloud (API documentation or the
//! official SDKs' own tests). Each is checked through the low-level functions and, where the
//! vector allows it, through the high-level `sign` with an injected time and nonce.

use std::time::{Duration, SystemTime};

use acs_signer::{
    Credentials, Nonce, SignableRequest, SignatureAlgorithm, SigningContext, SigningError, digest,
    encoding, roa, rpc, sign, v3,
};

fn at(rfc3339_utc: &str) -> SystemTime {
    // Small parser for "YYYY-MM-DDTHH:MM:SSZ" so the tests do not share the code under test.
    let n = |r: std::ops::Range<usize>| rfc3339_utc[r].parse::<i64>().expect("digits");
    let (y, m, d) = (n(0..4), n(5..7), n(8..10));
    let (hh, mm, ss) = (n(11..13), n(14..16), n(17..19));
    // Days from civil (Howard Hinnant).
    let y = if m <= 2 { y - 1 } else { y };
    let era = y.div_euclid(400);
    let yoe = y - era * 400;
    let mp = (m + 9) % 12;
    let doy = (153 * mp + 2) / 5 + d - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    let days = era * 146_097 + doe - 719_468;
    let secs = days * 86_400 + hh * 3600 + mm * 60 + ss;
    SystemTime::UNIX_EPOCH + Duration::from_secs(u64::try_from(secs).expect("after 1970"))
}

fn context(time: &str, nonce: &str) -> Result<SigningContext, SigningError> {
    Ok(SigningContext::new(at(time), Nonce::new(nonce)?))
}

// ---------------------------------------------------------------------------------------- RPC

const ECS_DOC_STRING_TO_SIGN: &str = "GET&%2F&AccessKeyId%3Dtestid%26Action%3DDescribeRegions%26Format%3DXML%26SignatureMethod%3DHMAC-SHA1%26SignatureNonce%3D3ee8c1b8-83d3-44af-a94f-4e0ad82fd6cf%26SignatureVersion%3D1.0%26Timestamp%3D2016-02-23T12%253A46%253A24Z%26Version%3D2014-05-26";

#[test]
fn rpc_ecs_documentation_example_low_level() -> Result<(), SigningError> {
    let params = [
        ("AccessKeyId", "testid"),
        ("Action", "DescribeRegions"),
        ("Format", "XML"),
        ("SignatureMethod", "HMAC-SHA1"),
        ("SignatureNonce", "3ee8c1b8-83d3-44af-a94f-4e0ad82fd6cf"),
        ("SignatureVersion", "1.0"),
        ("Timestamp", "2016-02-23T12:46:24Z"),
        ("Version", "2014-05-26"),
    ];
    let sts = rpc::string_to_sign("GET", &params)?;
    assert_eq!(sts, ECS_DOC_STRING_TO_SIGN);
    assert_eq!(
        rpc::signature("testsecret", &sts),
        "OLeaidS1JvxuMvnyHOwuJ+uX5qY="
    );
    Ok(())
}

#[test]
fn rpc_ecs_documentation_example_through_the_signer() -> Result<(), SigningError> {
    let creds = Credentials::new("testid", "testsecret")?;
    // Unsorted on purpose: order must not matter.
    let query = [
        ("Version", "2014-05-26"),
        ("Action", "DescribeRegions"),
        ("Format", "XML"),
    ];
    let request = SignableRequest::new("GET", "/").query(&query);
    let ctx = context(
        "2016-02-23T12:46:24Z",
        "3ee8c1b8-83d3-44af-a94f-4e0ad82fd6cf",
    )?;
    let out = sign(SignatureAlgorithm::RpcV1, &request, &creds, &ctx)?;
    assert_eq!(out.string_to_sign(), ECS_DOC_STRING_TO_SIGN);
    assert_eq!(out.signature(), "OLeaidS1JvxuMvnyHOwuJ+uX5qY=");
    let params: Vec<_> = out.query_params().collect();
    assert_eq!(
        params,
        [
            ("AccessKeyId", "testid"),
            ("SignatureMethod", "HMAC-SHA1"),
            ("SignatureNonce", "3ee8c1b8-83d3-44af-a94f-4e0ad82fd6cf"),
            ("SignatureVersion", "1.0"),
            ("Timestamp", "2016-02-23T12:46:24Z"),
            ("Signature", "OLeaidS1JvxuMvnyHOwuJ+uX5qY="),
        ]
    );
    assert_eq!(out.headers().count(), 0);
    Ok(())
}

#[test]
fn rpc_query_and_body_parameters_are_signed_together() -> Result<(), SigningError> {
    let sts = rpc::string_to_sign("GET", &[("query", "test"), ("body", "test")])?;
    assert_eq!(sts, "GET&%2F&body%3Dtest%26query%3Dtest");
    assert_eq!(
        rpc::signature("secret", &sts),
        "XlUyV4sXjOuX5FnjUz9IF9tm5rU="
    );
    Ok(())
}

#[test]
fn rpc_form_parameters_are_merged_with_the_query() -> Result<(), SigningError> {
    let creds = Credentials::new("testid", "testsecret")?;
    let ctx = context(
        "2016-02-23T12:46:24Z",
        "3ee8c1b8-83d3-44af-a94f-4e0ad82fd6cf",
    )?;
    let all = [
        ("Version", "2014-05-26"),
        ("Action", "DescribeRegions"),
        ("Format", "XML"),
    ];
    let query = [("Version", "2014-05-26")];
    let form = [("Action", "DescribeRegions"), ("Format", "XML")];
    let together = sign(
        SignatureAlgorithm::RpcV1,
        &SignableRequest::new("GET", "/").query(&all),
        &creds,
        &ctx,
    )?;
    let split = sign(
        SignatureAlgorithm::RpcV1,
        &SignableRequest::new("GET", "/").query(&query).form(&form),
        &creds,
        &ctx,
    )?;
    assert_eq!(together.signature(), split.signature());
    Ok(())
}

#[test]
fn rpc_adds_the_security_token_and_replaces_stale_auth_parameters() -> Result<(), SigningError> {
    let creds = Credentials::new("STS.id", "secret")?.with_security_token("tok/en+=")?;
    let ctx = context("2024-01-02T03:04:05Z", "n1")?;
    let query = [
        ("Action", "GetCallerIdentity"),
        ("Signature", "stale"),
        ("Timestamp", "old"),
    ];
    let out = sign(
        SignatureAlgorithm::RpcV1,
        &SignableRequest::new("POST", "/").query(&query),
        &creds,
        &ctx,
    )?;
    assert!(
        out.string_to_sign()
            .contains("SecurityToken%3Dtok%252Fen%252B%253D")
    );
    assert!(!out.string_to_sign().contains("stale") && !out.string_to_sign().contains("old"));
    assert!(out.string_to_sign().starts_with("POST&%2F&"));
    let params: Vec<_> = out.query_params().collect();
    assert!(params.contains(&("SecurityToken", "tok/en+=")));
    // The stale parameters must be replaced: the expected string-to-sign is the one without them.
    let expected = rpc::string_to_sign(
        "POST",
        &[
            ("AccessKeyId", "STS.id"),
            ("Action", "GetCallerIdentity"),
            ("SecurityToken", "tok/en+="),
            ("SignatureMethod", "HMAC-SHA1"),
            ("SignatureNonce", "n1"),
            ("SignatureVersion", "1.0"),
            ("Timestamp", "2024-01-02T03:04:05Z"),
        ],
    )?;
    assert_eq!(out.string_to_sign(), expected);
    assert_eq!(out.signature(), rpc::signature("secret", &expected));
    Ok(())
}

// ---------------------------------------------------------------------------------------- ROA

#[test]
fn roa_official_signature() -> Result<(), SigningError> {
    let headers = [
        ("Accept", "application/octet-stream"),
        ("Date", "2018-12-04T03:55:31Z"),
        ("x-acs-signature-method", "HMAC-SHA1"),
        ("x-acs-signature-version", "1.0"),
    ];
    let request = SignableRequest::new("GET", "/").headers(&headers);
    let sts = roa::string_to_sign(&request)?;
    assert_eq!(
        sts,
        "GET\napplication/octet-stream\n\n\n2018-12-04T03:55:31Z\nx-acs-signature-method:HMAC-SHA1\nx-acs-signature-version:1.0\n/"
    );
    let signature = roa::signature("access_key_secret", &sts);
    assert_eq!(
        format!("acs access_key_id:{signature}"),
        "acs access_key_id:HKCpm41tJg6b3EYdtGMbNuwALZU="
    );
    Ok(())
}

#[test]
fn roa_official_string_to_sign_with_query() -> Result<(), SigningError> {
    let query = [("ccp", "ok"), ("test", "tests"), ("test1", "")];
    let headers = [
        ("x-acs-meta", "user"),
        ("accept", "application/json"),
        ("content-md5", "md5"),
        ("content-type", "application/json"),
        ("date", "date"),
    ];
    let request = SignableRequest::new("GET", "Pathname")
        .query(&query)
        .headers(&headers);
    assert_eq!(
        roa::string_to_sign(&request)?,
        "GET\napplication/json\nmd5\napplication/json\ndate\nx-acs-meta:user\nPathname?ccp=ok&test=tests&test1"
    );
    Ok(())
}

#[test]
fn roa_signer_adds_its_headers_and_signs_them() -> Result<(), SigningError> {
    let creds =
        Credentials::new("access_key_id", "access_key_secret")?.with_security_token("tkn")?;
    let headers = [
        ("accept", "application/json"),
        ("x-acs-version", "2015-12-15"),
        ("date", "stale"),
    ];
    let query = [("name", "a b")];
    let request = SignableRequest::new("GET", "/clusters")
        .query(&query)
        .headers(&headers);
    let ctx = context("2018-12-04T03:55:31Z", "abc")?;
    let out = sign(SignatureAlgorithm::Roa, &request, &creds, &ctx)?;
    assert_eq!(
        out.string_to_sign(),
        "GET\napplication/json\n\n\nTue, 04 Dec 2018 03:55:31 GMT\n\
         x-acs-security-token:tkn\nx-acs-signature-method:HMAC-SHA1\nx-acs-signature-nonce:abc\n\
         x-acs-signature-version:1.0\nx-acs-version:2015-12-15\n/clusters?name=a b"
    );
    let expected = format!(
        "acs access_key_id:{}",
        roa::signature("access_key_secret", out.string_to_sign())
    );
    assert_eq!(out.authorization(), expected);
    let headers: Vec<_> = out.headers().collect();
    assert_eq!(
        headers,
        [
            ("date", "Tue, 04 Dec 2018 03:55:31 GMT"),
            ("x-acs-signature-nonce", "abc"),
            ("x-acs-signature-method", "HMAC-SHA1"),
            ("x-acs-signature-version", "1.0"),
            ("x-acs-security-token", "tkn"),
            ("authorization", expected.as_str()),
        ]
    );
    Ok(())
}

// ----------------------------------------------------------------------------------------- V3

const RUN_INSTANCES_QUERY: [(&str, &str); 2] = [
    (
        "ImageId",
        "win2019_1809_x64_dtc_zh-cn_40G_alibase_20230811.vhd",
    ),
    ("RegionId", "cn-shanghai"),
];
const RUN_INSTANCES_AUTH: &str = "ACS3-HMAC-SHA256 Credential=YourAccessKeyId,SignedHeaders=host;x-acs-action;x-acs-content-sha256;x-acs-date;x-acs-signature-nonce;x-acs-version,Signature=e521358f7776c97df52e6b2891a8bc73026794a071b50c3323388c4e0df64804";
const EMPTY_SHA256: &str = "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855";

#[test]
fn v3_documentation_example_low_level() -> Result<(), SigningError> {
    let headers = [
        ("host", "ecs.cn-shanghai.aliyuncs.com"),
        ("x-acs-action", "RunInstances"),
        ("x-acs-version", "2014-05-26"),
        ("x-acs-date", "2023-10-26T09:01:01Z"),
        ("x-acs-signature-nonce", "d410180a5abf7fe235dd9b74aca91fc0"),
        ("x-acs-content-sha256", EMPTY_SHA256),
    ];
    let request = SignableRequest::new("POST", "/")
        .query(&RUN_INSTANCES_QUERY)
        .headers(&headers);
    let canonical = v3::canonical_request(&request, EMPTY_SHA256)?;
    assert_eq!(
        hex::encode(digest::sha256(canonical.as_bytes())),
        "29622f5feb1e9fcaaa2e276a72889c975f7b16f00e02be1ca34965b18cd85015"
    );
    let auth = v3::authorization(
        SignatureAlgorithm::Acs3HmacSha256,
        "YourAccessKeyId",
        "YourAccessKeySecret",
        &canonical,
    );
    assert_eq!(auth, RUN_INSTANCES_AUTH);
    Ok(())
}

#[test]
fn v3_documentation_example_through_the_signer() -> Result<(), SigningError> {
    let creds = Credentials::new("YourAccessKeyId", "YourAccessKeySecret")?;
    let headers = [
        ("Host", "ecs.cn-shanghai.aliyuncs.com"),
        ("x-acs-action", "RunInstances"),
        ("x-acs-version", "2014-05-26"),
        ("user-agent", "not signed"),
    ];
    let request = SignableRequest::new("POST", "/")
        .query(&RUN_INSTANCES_QUERY)
        .headers(&headers);
    let ctx = context("2023-10-26T09:01:01Z", "d410180a5abf7fe235dd9b74aca91fc0")?;
    let out = sign(SignatureAlgorithm::Acs3HmacSha256, &request, &creds, &ctx)?;
    assert_eq!(out.authorization(), RUN_INSTANCES_AUTH);
    assert_eq!(
        hex::encode(digest::sha256(out.canonical_request().as_bytes())),
        "29622f5feb1e9fcaaa2e276a72889c975f7b16f00e02be1ca34965b18cd85015"
    );
    assert_eq!(
        out.string_to_sign(),
        "ACS3-HMAC-SHA256\n29622f5feb1e9fcaaa2e276a72889c975f7b16f00e02be1ca34965b18cd85015"
    );
    let headers: Vec<_> = out.headers().collect();
    assert_eq!(
        headers,
        [
            ("x-acs-date", "2023-10-26T09:01:01Z"),
            ("x-acs-signature-nonce", "d410180a5abf7fe235dd9b74aca91fc0"),
            ("x-acs-content-sha256", EMPTY_SHA256),
            ("authorization", RUN_INSTANCES_AUTH),
        ]
    );
    assert_eq!(out.query_params().count(), 0);
    Ok(())
}

#[test]
fn v3_empty_path_empty_value_and_repeated_headers() -> Result<(), SigningError> {
    let query = [("test", "ok"), ("empty", "")];
    let headers = [("x-acs-test", "http"), ("x-acs-TEST", "https")];
    let hash = "55e12e91650d2fec56ec74e1d3e4ddbfce2ef3a65890c2a19ecf88a307e76a23";
    let request = SignableRequest::new("GET", "")
        .query(&query)
        .headers(&headers);
    let canonical = v3::canonical_request(&request, hash)?;
    assert_eq!(
        canonical,
        format!("GET\n/\nempty=&test=ok\nx-acs-test:http,https\n\nx-acs-test\n{hash}")
    );
    assert_eq!(
        v3::authorization(
            SignatureAlgorithm::Acs3HmacSha256,
            "acesskey",
            "secret",
            &canonical
        ),
        "ACS3-HMAC-SHA256 Credential=acesskey,SignedHeaders=x-acs-test,Signature=d16b30a7699ae9e43875b13195b2f81bcc3ed10c14a9b5eb780e51619aa50be1"
    );
    Ok(())
}

#[test]
fn v3_sm3_hashes_payload_and_request_with_sm3() -> Result<(), SigningError> {
    let creds = Credentials::new("id", "secret")?.with_security_token("tok")?;
    let headers = [
        ("host", "sts.aliyuncs.com"),
        ("content-type", "application/x-www-form-urlencoded"),
    ];
    let body = b"RoleArn=acs%3Aram%3A%3A1%3Arole%2Fr";
    let request = SignableRequest::new("POST", "/")
        .headers(&headers)
        .body(body);
    let out = sign(
        SignatureAlgorithm::Acs3HmacSm3,
        &request,
        &creds,
        &context("2024-01-01T00:00:00Z", "n")?,
    )?;
    assert_eq!(out.payload_hash(), hex::encode(digest::sm3(body)));
    let sts = format!(
        "ACS3-HMAC-SM3\n{}",
        hex::encode(digest::sm3(out.canonical_request().as_bytes()))
    );
    assert_eq!(out.string_to_sign(), sts);
    assert_eq!(
        out.signature(),
        hex::encode(digest::hmac_sm3(b"secret", sts.as_bytes()))
    );
    assert!(out.authorization().starts_with(
        "ACS3-HMAC-SM3 Credential=id,SignedHeaders=content-type;host;x-acs-content-sha256;x-acs-date;x-acs-security-token;x-acs-signature-nonce,Signature="
    ));
    assert!(
        out.canonical_request()
            .contains("\nx-acs-security-token:tok\n")
    );
    assert!(out.headers().any(|h| h == ("x-acs-security-token", "tok")));
    Ok(())
}

#[test]
fn v3_body_hash_is_sent_and_signed() -> Result<(), SigningError> {
    let creds = Credentials::new("id", "secret")?;
    let request = SignableRequest::new("POST", "/").body(b"abc");
    let out = sign(
        SignatureAlgorithm::Acs3HmacSha256,
        &request,
        &creds,
        &context("2024-01-01T00:00:00Z", "n")?,
    )?;
    let abc = "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad";
    assert_eq!(out.payload_hash(), abc);
    assert!(out.canonical_request().ends_with(&format!("\n{abc}")));
    Ok(())
}

#[test]
fn v3_rejects_a_malformed_precomputed_payload_hash() -> Result<(), SigningError> {
    let creds = Credentials::new("id", "secret")?;
    let ctx = context("2024-01-01T00:00:00Z", "n")?;
    for bad in ["", "ABC", &"A".repeat(64), &"0".repeat(63)] {
        let request = SignableRequest::new("GET", "/").payload_hash(bad);
        assert!(
            sign(SignatureAlgorithm::Acs3HmacSha256, &request, &creds, &ctx).is_err(),
            "{bad}"
        );
    }
    Ok(())
}

// ----------------------------------------------------------------------- primitives, encoding

#[test]
fn hmac_sm3_primitive() {
    assert_eq!(
        hex::encode(digest::hmac_sm3(b"secret", b"source")),
        "b9ff646822f41ef647c1416fa2b8408923828abc0464af6706e18db3e8553da8"
    );
}

#[test]
fn pop_encoding_examples() {
    assert_eq!(
        encoding::percent_encode_path("/path/ test"),
        "/path/%20test"
    );
    assert_eq!(
        encoding::percent_encode("a/b/c/ test"),
        "a%2Fb%2Fc%2F%20test"
    );
}

// ------------------------------------------------------------------------------------- bearer

#[test]
fn bearer_tokens_sign_nothing() -> Result<(), SigningError> {
    let token = acs_signer::BearerToken::new("bearer-canary")?;
    let ctx = context("2024-01-01T00:00:00Z", "n")?;
    let rpc = acs_signer::sign_with_bearer_token(SignatureAlgorithm::RpcV1, &token, &ctx)?;
    let params: Vec<_> = rpc.query_params().collect();
    assert!(params.contains(&("BearerToken", "bearer-canary")));
    assert!(params.contains(&("SignatureType", "BEARERTOKEN")));
    assert!(
        rpc.headers()
            .any(|h| h == ("x-acs-bearer-token", "bearer-canary"))
    );
    assert!(!params.iter().any(|(n, _)| *n == "Signature"));
    for algorithm in [SignatureAlgorithm::Roa, SignatureAlgorithm::Acs3HmacSha256] {
        let out = acs_signer::sign_with_bearer_token(algorithm, &token, &ctx)?;
        let headers: Vec<_> = out.headers().collect();
        assert!(headers.contains(&("x-acs-bearer-token", "bearer-canary")));
        assert!(headers.contains(&("x-acs-signature-type", "BEARERTOKEN")));
        assert!(!headers.iter().any(|(n, _)| *n == "authorization"));
        assert_eq!(out.query_params().count(), 0);
    }
    Ok(())
}

// ------------------------------------------------------------------------------------- inputs

#[test]
fn rejects_bad_inputs_with_typed_errors() -> Result<(), SigningError> {
    use acs_signer::SigningErrorKind as K;
    let creds = Credentials::new("id", "secret")?;
    let ctx = context("2024-01-01T00:00:00Z", "n")?;
    let bad_method = SignableRequest::new("get", "/");
    assert_eq!(
        sign(SignatureAlgorithm::RpcV1, &bad_method, &creds, &ctx)
            .map(|_| ())
            .unwrap_err()
            .kind(),
        K::InvalidMethod
    );
    let injected = [("x-acs-action", "A\r\nx-evil: 1")];
    let request = SignableRequest::new("GET", "/").headers(&injected);
    for algorithm in [SignatureAlgorithm::Roa, SignatureAlgorithm::Acs3HmacSha256] {
        let err = sign(algorithm, &request, &creds, &ctx)
            .map(|_| ())
            .unwrap_err();
        assert_eq!(err.kind(), K::InvalidHeader);
    }
    let early = SigningContext::new(
        SystemTime::UNIX_EPOCH - Duration::from_secs(1),
        Nonce::new("n")?,
    );
    let err = sign(
        SignatureAlgorithm::RpcV1,
        &SignableRequest::new("GET", "/"),
        &creds,
        &early,
    )
    .map(|_| ())
    .unwrap_err();
    assert_eq!(err.kind(), K::InvalidTime);
    assert_eq!(
        Credentials::new("id", "").map(|_| ()).unwrap_err().kind(),
        K::InvalidCredentials
    );
    assert!(
        Credentials::new("id", "s")?
            .with_security_token("a b")
            .is_err()
    );
    Ok(())
}
