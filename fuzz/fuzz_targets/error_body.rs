//! Service error bodies (JSON and XML) as any server may send them, and the error built from
//! a body that is not one (its scrubbed excerpt).
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|body: &[u8]| {
    if let Some(error) = acs_core::ServiceError::parse(400, None, body) {
        let _ = error.to_string();
    }
    let error = acs_core::Error::malformed(500, "fuzz", body);
    let _ = format!("{error} {error:?}");
});
