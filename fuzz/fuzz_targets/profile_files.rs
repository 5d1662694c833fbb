//! The CLI profile (`config.json`) and the INI credentials file, with a selected profile name.
//! The input is split on `\0` into the JSON, the INI text and the profile name.
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let text = String::from_utf8_lossy(data);
    let mut parts = text.splitn(3, '\0');
    let json = parts.next().unwrap_or("");
    let ini = parts.next().unwrap_or("");
    let profile = parts.next().unwrap_or("");
    acs_credentials::fuzzing::profile_files(json, ini, profile);
});
