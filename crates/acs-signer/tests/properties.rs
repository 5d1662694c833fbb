//! Property tests: POP encoding against a reference decoder, and canonicalisation invariants.

use proptest::prelude::*;

use acs_signer::{
    Credentials, Nonce, SignableRequest, SignatureAlgorithm, SigningContext, encoding, sign,
};

/// Reference decoder, written independently of the encoder: `%XX` to a byte, anything else as is.
fn decode(encoded: &str) -> Option<String> {
    let bytes = encoded.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        if bytes[i] == b'%' {
            let hex = encoded.get(i + 1..i + 3)?;
            out.push(u8::from_str_radix(hex, 16).ok()?);
            i += 3;
        } else {
            out.push(bytes[i]);
            i += 1;
        }
    }
    String::from_utf8(out).ok()
}

fn unreserved(b: u8) -> bool {
    b.is_ascii_alphanumeric() || matches!(b, b'-' | b'_' | b'.' | b'~')
}

/// Checks that `encoded` is exactly `input` with every byte outside `keep` as `%XX` (upper hex).
fn encoded_exactly(input: &str, encoded: &str, keep: impl Fn(u8) -> bool) -> bool {
    let mut expected = String::new();
    for b in input.bytes() {
        if keep(b) {
            expected.push(char::from(b));
        } else {
            expected.push_str(&format!("%{b:02X}"));
        }
    }
    expected == encoded
}

fn context() -> SigningContext {
    SigningContext::new(
        std::time::SystemTime::UNIX_EPOCH + std::time::Duration::from_secs(1_700_000_000),
        Nonce::new("fixed-nonce").expect("valid nonce"),
    )
}

fn params() -> impl Strategy<Value = Vec<(String, String)>> {
    // Distinct names (a map), values from all of Unicode.
    proptest::collection::btree_map("[A-Za-z][A-Za-z0-9.]{0,12}", any::<String>(), 0..20)
        .prop_map(|m| m.into_iter().collect())
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(512))]

    #[test]
    fn encoding_round_trips(s in any::<String>()) {
        prop_assert_eq!(decode(&encoding::percent_encode(&s)), Some(s.clone()));
        prop_assert_eq!(decode(&encoding::percent_encode_path(&s)), Some(s));
    }

    #[test]
    fn unreserved_is_untouched(s in "[A-Za-z0-9._~-]*") {
        prop_assert_eq!(encoding::percent_encode(&s), s.clone());
        prop_assert_eq!(encoding::percent_encode_path(&s), s);
    }

    #[test]
    fn every_other_byte_is_encoded(s in any::<String>()) {
        let encoded = encoding::percent_encode(&s);
        prop_assert!(encoded_exactly(&s, &encoded, unreserved), "{:?} -> {}", s, encoded);
        let path = encoding::percent_encode_path(&s);
        prop_assert!(encoded_exactly(&s, &path, |b| unreserved(b) || b == b'/'), "{:?} -> {}", s, path);
    }

    #[test]
    fn encoding_bytes_one_at_a_time(b in any::<u8>()) {
        let s: String = char::from(b).to_string();
        prop_assert!(encoded_exactly(&s, &encoding::percent_encode(&s), unreserved));
    }

    #[test]
    fn parameter_order_never_changes_the_signature(
        query in params(),
        headers in proptest::collection::btree_map("x-acs-[a-z]{1,8}", "[ -~]{0,16}", 0..6),
        seed in any::<u64>(),
    ) {
        let creds = Credentials::new("id", "secret").expect("valid");
        let headers: Vec<(String, String)> = headers.into_iter().collect();
        let mut shuffled_query = query.clone();
        let mut shuffled_headers = headers.clone();
        // Deterministic Fisher–Yates from the seed.
        let mut state = seed | 1;
        let mut next = |n: usize| {
            state ^= state << 13;
            state ^= state >> 7;
            state ^= state << 17;
            usize::try_from(state % n as u64).unwrap_or(0)
        };
        for i in (1..shuffled_query.len()).rev() {
            let j = next(i + 1);
            shuffled_query.swap(i, j);
        }
        for i in (1..shuffled_headers.len()).rev() {
            let j = next(i + 1);
            shuffled_headers.swap(i, j);
        }
        for algorithm in [
            SignatureAlgorithm::RpcV1,
            SignatureAlgorithm::Roa,
            SignatureAlgorithm::Acs3HmacSha256,
            SignatureAlgorithm::Acs3HmacSm3,
        ] {
            let a = SignableRequest::new("POST", "/a b").query(&query).headers(&headers);
            let b = SignableRequest::new("POST", "/a b").query(&shuffled_query).headers(&shuffled_headers);
            let sa = sign(algorithm, &a, &creds, &context()).expect("signs");
            let sb = sign(algorithm, &b, &creds, &context()).expect("signs");
            prop_assert_eq!(sa.signature(), sb.signature());
            prop_assert_eq!(sa.string_to_sign(), sb.string_to_sign());
        }
    }

    #[test]
    fn changing_any_value_changes_the_signature(query in params(), pick in any::<usize>()) {
        prop_assume!(!query.is_empty());
        let creds = Credentials::new("id", "secret").expect("valid");
        let mut changed = query.clone();
        let i = pick % changed.len();
        changed[i].1.push('!');
        for algorithm in [SignatureAlgorithm::RpcV1, SignatureAlgorithm::Roa, SignatureAlgorithm::Acs3HmacSha256] {
            let a = sign(algorithm, &SignableRequest::new("GET", "/").query(&query), &creds, &context()).expect("signs");
            let b = sign(algorithm, &SignableRequest::new("GET", "/").query(&changed), &creds, &context()).expect("signs");
            prop_assert_ne!(a.signature(), b.signature());
        }
    }

    #[test]
    fn rpc_string_to_sign_decodes_to_the_sorted_parameters(query in params()) {
        let creds = Credentials::new("id", "secret").expect("valid");
        let out = sign(SignatureAlgorithm::RpcV1, &SignableRequest::new("GET", "/").query(&query), &creds, &context()).expect("signs");
        let canonical = out.string_to_sign().strip_prefix("GET&%2F&").expect("prefix");
        let canonical = decode(canonical).expect("valid encoding");
        let mut expected: Vec<(String, String)> = query.clone();
        for (name, value) in out.query_params().filter(|(n, _)| *n != "Signature") {
            expected.push((name.to_string(), value.to_string()));
        }
        expected.sort();
        let rebuilt: Vec<String> = expected
            .iter()
            .map(|(k, v)| format!("{}={}", encoding::percent_encode(k), encoding::percent_encode(v)))
            .collect();
        prop_assert_eq!(canonical, rebuilt.join("&"));
    }
}

/// Names that sort right next to the signer's own parameters (which it writes from constants,
/// merged into the request's sorted parameters), plus the owned names themselves, which the
/// signer must drop from the request.
fn names_near_the_signers_own() -> impl Strategy<Value = Vec<(String, String)>> {
    let near = prop::sample::select(vec![
        "",
        "A",
        "AccessKeyIc",
        "AccessKeyId0",
        "AccessKeyIe",
        "Action",
        "SecurityTokem",
        "SecurityToken_",
        "SecurityTokeo",
        "Signatur",
        "Signature",
        "Signature0",
        "SignatureMethoc",
        "SignatureMethod~",
        "SignatureNoncd",
        "SignatureNonce.",
        "SignatureVersio",
        "SignatureVersionZ",
        "SignatureW",
        "Timestam",
        "Timestamp",
        "Timestamp0",
        "Timestampz",
        "Z",
        "a",
        "signature",
        "AccessKeyId",
        "SecurityToken",
        "SignatureMethod",
        "SignatureNonce",
        "SignatureVersion",
    ]);
    proptest::collection::btree_map(near, "[ -~é]{0,12}", 0..12)
        .prop_map(|m| m.into_iter().map(|(k, v)| (k.to_string(), v)).collect())
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(512))]

    /// The signer writes its own parameters from constants and merges them into the sorted
    /// request parameters: the result must be exactly the generic string-to-sign of every
    /// parameter sent, and the signature the HMAC of that string.
    #[test]
    fn rpc_own_parameters_merge_in_byte_order(query in names_near_the_signers_own(), token in any::<bool>()) {
        let mut creds = Credentials::new("LTAI5t/Key+Id", "secret").expect("valid");
        if token {
            creds = creds.with_security_token("CAIS+token/with=reserved").expect("valid");
        }
        let request = SignableRequest::new("POST", "/").query(&query);
        let out = sign(SignatureAlgorithm::RpcV1, &request, &creds, &context()).expect("signs");
        // The request's copies of these are always dropped, whatever the credentials.
        let owned = [
            "AccessKeyId", "BearerToken", "SecurityToken", "Signature", "SignatureMethod",
            "SignatureNonce", "SignatureType", "SignatureVersion", "Timestamp",
        ];
        let mut sent: Vec<(String, String)> = query
            .iter()
            .filter(|(name, _)| !owned.contains(&name.as_str()))
            .cloned()
            .collect();
        for (name, value) in out.query_params().filter(|(n, _)| *n != "Signature") {
            sent.push((name.to_string(), value.to_string()));
        }
        let expected = acs_signer::rpc::string_to_sign("POST", &sent).expect("valid");
        prop_assert_eq!(out.string_to_sign(), expected.as_str());
        prop_assert_eq!(out.signature(), acs_signer::rpc::signature("secret", &expected));
    }
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(256))]

    /// Any path, parameters and header values sign without panicking, with every algorithm,
    /// and the intermediate strings stay valid (the buffers are sized from upper bounds).
    #[test]
    fn arbitrary_requests_always_sign(
        path in any::<String>(),
        query in proptest::collection::vec((any::<String>(), any::<String>()), 0..40),
        form in proptest::collection::vec((any::<String>(), any::<String>()), 0..5),
        header_values in proptest::collection::vec("[ -~\u{80}-\u{10FFFF}]{0,40}", 0..6),
        body in proptest::collection::vec(any::<u8>(), 0..64),
    ) {
        let creds = Credentials::new("id", "secret").expect("valid")
            .with_security_token("token").expect("valid");
        let names = ["host", "content-type", "x-acs-a", "X-Acs-B", "accept", "content-md5"];
        let headers: Vec<(&str, &str)> =
            header_values.iter().zip(names).map(|(v, n)| (n, v.as_str())).collect();
        let request = SignableRequest::new("PUT", &path)
            .query(&query)
            .form(&form)
            .headers(&headers)
            .body(&body);
        for algorithm in [
            SignatureAlgorithm::RpcV1,
            SignatureAlgorithm::Roa,
            SignatureAlgorithm::Acs3HmacSha256,
            SignatureAlgorithm::Acs3HmacSm3,
        ] {
            let out = sign(algorithm, &request, &creds, &context()).expect("signs");
            prop_assert!(!out.signature().is_empty());
            prop_assert!(!out.string_to_sign().is_empty());
            if algorithm.is_v3() {
                let uri = if path.is_empty() { "/".to_string() } else { encoding::percent_encode_path(&path) };
                let expected = format!("PUT\n{uri}\n");
                prop_assert!(out.canonical_request().starts_with(&expected), "{}", expected);
            }
        }
    }
}
