//! Rust names for wire names.

const KEYWORDS: [&str; 51] = [
    "as", "break", "const", "continue", "crate", "else", "enum", "extern", "false", "fn", "for",
    "if", "impl", "in", "let", "loop", "match", "mod", "move", "mut", "pub", "ref", "return",
    "self", "Self", "static", "struct", "super", "trait", "true", "type", "unsafe", "use", "where",
    "while", "async", "await", "dyn", "abstract", "become", "box", "do", "final", "macro",
    "override", "priv", "typeof", "unsized", "virtual", "yield", "try",
];

/// Splits `OIDCProviderArn`, `system_disk.size`, `Tag.N.Key` into lower-case words, keeping
/// the mixed-case runs of acronyms together: `IPv6` (`ipv6`), `EIPs` (`eips`), `DDoS` (`ddos`),
/// `IoT` (`iot`).
fn words(name: &str) -> Vec<String> {
    let chars: Vec<char> = name.chars().collect();
    let at = |i: usize| chars.get(i).copied();
    let lower = |i: usize| at(i).is_some_and(|c| c.is_ascii_lowercase());
    let upper = |i: usize| at(i).is_some_and(|c| c.is_ascii_uppercase());
    let mut words = Vec::new();
    let mut current = String::new();
    for (i, &c) in chars.iter().enumerate() {
        if !c.is_ascii_alphanumeric() {
            if !current.is_empty() {
                words.push(std::mem::take(&mut current));
            }
            continue;
        }
        let prev = i.checked_sub(1);
        let boundary = c.is_ascii_uppercase()
            && !current.is_empty()
            && match prev {
                // `diskSize`, `v6Address`: a new word, unless this letter closes a one-letter
                // lower-case run inside an acronym (`DDoS`, `IoT`) and no word follows it.
                Some(p) if lower(p) || at(p).is_some_and(|c| c.is_ascii_digit()) => {
                    let acronym_tail = lower(p)
                        && !lower(p.wrapping_sub(1))
                        && upper(p.wrapping_sub(1))
                        && !lower(i + 1);
                    !acronym_tail
                }
                // `HTTPServer`: the last capital of a run starts the next word, unless what
                // follows is a one-letter suffix of the acronym (`IPv6`, `EIPs`).
                Some(p) if upper(p) && lower(i + 1) => lower(i + 2),
                _ => false,
            };
        if boundary {
            words.push(std::mem::take(&mut current));
        }
        current.push(c.to_ascii_lowercase());
    }
    if !current.is_empty() {
        words.push(current);
    }
    words
}

/// `snake_case`, a raw identifier for keywords, `n_` before a leading digit.
pub(crate) fn snake(name: &str) -> String {
    let mut out = words(name).join("_");
    if out.is_empty() {
        out.push_str("value");
    }
    if out.starts_with(|c: char| c.is_ascii_digit()) {
        out.insert_str(0, "n_");
    }
    if KEYWORDS.contains(&out.as_str()) {
        if out == "self" || out == "super" || out == "crate" || out == "Self" {
            out.push('_');
        } else {
            out.insert_str(0, "r#");
        }
    }
    out
}

/// `UpperCamelCase`.
pub(crate) fn camel(name: &str) -> String {
    let mut out: String = words(name)
        .iter()
        .map(|w| {
            let mut c = w.chars();
            c.next()
                .map(|f| f.to_ascii_uppercase().to_string() + c.as_str())
                .unwrap_or_default()
        })
        .collect();
    if out.is_empty() || out.starts_with(|c: char| c.is_ascii_digit()) {
        out.insert(0, 'N');
    }
    out
}

/// `SCREAMING_SNAKE_CASE`.
pub(crate) fn screaming(name: &str) -> String {
    snake(name).trim_start_matches("r#").to_ascii_uppercase()
}

/// Whether a field holds a secret and must be redacted in `Debug`: acs-core's rule, the one
/// its trace logs and error messages apply to the same names.
pub(crate) fn is_secret(name: &str) -> bool {
    acs_core::is_secret_parameter(name)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names() {
        assert_eq!(snake("OIDCProviderArn"), "oidc_provider_arn");
        assert_eq!(snake("DurationSeconds"), "duration_seconds");
        assert_eq!(snake("SAMLAssertion"), "saml_assertion");
        assert_eq!(snake("SystemDisk.Size"), "system_disk_size");
        assert_eq!(snake("type"), "r#type");
        assert_eq!(snake("self"), "self_");
        assert_eq!(snake("2fa"), "n_2fa");
        assert_eq!(snake("vpcid"), "vpcid");
        // Acronyms with a lower-case letter inside stay one word.
        assert_eq!(snake("IPv6Address"), "ipv6_address");
        assert_eq!(snake("Ipv6Address"), "ipv6_address");
        assert_eq!(snake("EIPs"), "eips");
        assert_eq!(snake("CurrentDDoSBasic"), "current_ddos_basic");
        assert_eq!(snake("IoTDevice"), "iot_device");
        assert_eq!(snake("InstanceIDs"), "instance_ids");
        assert_eq!(snake("HTTPServer"), "http_server");
        assert_eq!(snake("IsAvailable"), "is_available");
        assert_eq!(snake("VSwitchId"), "v_switch_id");
        assert_eq!(snake("PrivateIpV4"), "private_ipv4");
        assert_eq!(
            snake("IPv4GatewayRouteTableId"),
            "ipv4_gateway_route_table_id"
        );
        assert_eq!(snake("TraceIDs"), "trace_ids");
        assert_eq!(camel("AssumeRole"), "AssumeRole");
        assert_eq!(camel("data_disk"), "DataDisk");
        assert_eq!(screaming("AssumeRoleWithOIDC"), "ASSUME_ROLE_WITH_OIDC");
        assert!(
            is_secret("AccessKeySecret") && is_secret("SecurityToken") && is_secret("OIDCToken")
        );
        assert!(is_secret("SAMLAssertion") && is_secret("login_password") && !is_secret("RoleArn"));
        assert!(!is_secret("NextToken"));
    }
}
