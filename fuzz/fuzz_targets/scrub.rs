//! The one scrubber every body excerpt goes through: never panics, and a value written as
//! `SecurityToken=<value>` inside any text never survives it.
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let text = String::from_utf8_lossy(data);
    let _ = acs_core::scrub_text(&text);
    let canary = "QzFuzzCanaryValue";
    for template in [
        format!("{text}SecurityToken={canary}"),
        format!("{text}\"AccessKeySecret\":\"{canary}\""),
        format!("{text}<SecurityToken>{canary}</SecurityToken>"),
    ] {
        let shown = acs_core::scrub_text(&template);
        assert!(!shown.contains(canary), "{template:?} -> {shown:?}");
    }
});
