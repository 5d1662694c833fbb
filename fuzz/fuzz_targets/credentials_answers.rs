//! Credentials JSON from the ECS metadata service, a credentials URI and an External command.
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|body: &[u8]| {
    acs_credentials::fuzzing::credentials_answers(body);
});
