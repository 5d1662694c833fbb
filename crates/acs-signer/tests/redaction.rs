//! Canary tests: secrets and tokens never appear in any formatted output.

use acs_signer::{
    BearerToken, Credentials, SignableRequest, SignatureAlgorithm, SigningContext, sign,
    sign_with_bearer_token,
};

const SECRET: &str = "CANARY-SECRET-7f3a9c";
const TOKEN: &str = "CANARY-TOKEN-b81e2d";
const BEARER: &str = "CANARY-BEARER-44c0aa";

fn assert_clean(text: &str) {
    for canary in [SECRET, TOKEN, BEARER] {
        assert!(!text.contains(canary), "{canary} leaked into: {text}");
    }
    // Not even a fragment of the secret's distinctive part.
    assert!(
        !text.contains("7f3a9c") && !text.contains("b81e2d") && !text.contains("44c0aa"),
        "{text}"
    );
}

#[test]
fn credentials_never_show_their_secrets() -> Result<(), acs_signer::SigningError> {
    let creds = Credentials::new("LTAI-visible-id", SECRET)?.with_security_token(TOKEN)?;
    let debug = format!("{creds:?}");
    let display = format!("{creds}");
    let pretty = format!("{creds:#?}");
    for text in [&debug, &display, &pretty] {
        assert_clean(text);
    }
    assert!(
        debug.contains("LTAI-visible-id") && debug.contains("** redacted **"),
        "{debug}"
    );
    Ok(())
}

#[test]
fn bearer_tokens_never_show() -> Result<(), acs_signer::SigningError> {
    let token = BearerToken::new(BEARER)?;
    assert_clean(&format!("{token:?} {token} {token:#?}"));
    Ok(())
}

#[test]
fn signing_outputs_and_errors_never_show_secrets() -> Result<(), acs_signer::SigningError> {
    let creds = Credentials::new("LTAI-visible-id", SECRET)?.with_security_token(TOKEN)?;
    let query = [("Action", "GetCallerIdentity")];
    let request = SignableRequest::new("GET", "/").query(&query);
    for algorithm in [
        SignatureAlgorithm::RpcV1,
        SignatureAlgorithm::Roa,
        SignatureAlgorithm::Acs3HmacSha256,
        SignatureAlgorithm::Acs3HmacSm3,
    ] {
        let out = sign(algorithm, &request, &creds, &SigningContext::now()?)?;
        assert_clean(&format!(
            "{out:?} {out:#?} {:?} {:?}",
            out.headers(),
            out.query_params()
        ));
    }
    let token = BearerToken::new(BEARER)?;
    let out = sign_with_bearer_token(SignatureAlgorithm::RpcV1, &token, &SigningContext::now()?)?;
    assert_clean(&format!(
        "{out:?} {:?} {:?}",
        out.headers(),
        out.query_params()
    ));

    // Errors from bad secrets name the field, never the value.
    let err = Credentials::new("id", "s")?.with_security_token(format!("{TOKEN} with space"));
    let err = err.map(|_| ()).unwrap_err();
    assert_clean(&format!("{err} {err:?}"));
    let err = BearerToken::new(format!("{BEARER}\n"))
        .map(|_| ())
        .unwrap_err();
    assert_clean(&format!("{err} {err:?}"));
    Ok(())
}
