//! Which host serves a product in a region.

use std::collections::BTreeMap;

/// How to reach a product: what generated clients know about its endpoints.
///
/// Resolution order: an explicit endpoint, then the product's region map, then the regional rule
/// `<product>[-<network>].<region>.aliyuncs.com`, then the product's global endpoint.
///
/// ```
/// use acs_core::EndpointRules;
/// let sts = EndpointRules::new("sts").with_global("sts.aliyuncs.com");
/// assert_eq!(sts.resolve(None, Some("cn-hangzhou"), None).as_deref(), Some("sts.cn-hangzhou.aliyuncs.com"));
/// assert_eq!(sts.resolve(None, Some("cn-hangzhou"), Some("vpc")).as_deref(), Some("sts-vpc.cn-hangzhou.aliyuncs.com"));
/// assert_eq!(sts.resolve(None, None, None).as_deref(), Some("sts.aliyuncs.com"));
/// assert_eq!(sts.resolve(Some("sts.example.internal"), Some("cn-hangzhou"), None).as_deref(), Some("sts.example.internal"));
/// ```
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct EndpointRules {
    product: String,
    regional: BTreeMap<String, String>,
    global: Option<String>,
}

impl EndpointRules {
    /// Rules for `product` (its endpoint code, lower case, such as `ecs`).
    pub fn new(product: impl Into<String>) -> Self {
        Self {
            product: product.into().to_ascii_lowercase(),
            regional: BTreeMap::new(),
            global: None,
        }
    }

    /// The same rules with an explicit endpoint for `region`.
    pub fn with_region(mut self, region: impl Into<String>, endpoint: impl Into<String>) -> Self {
        self.regional.insert(region.into(), endpoint.into());
        self
    }

    /// The same rules with the endpoint to use when no region is given.
    pub fn with_global(mut self, endpoint: impl Into<String>) -> Self {
        self.global = Some(endpoint.into());
        self
    }

    /// The host to call, or `None` when nothing applies (no explicit endpoint, no region and no
    /// global endpoint).
    pub fn resolve(
        &self,
        explicit: Option<&str>,
        region: Option<&str>,
        network: Option<&str>,
    ) -> Option<String> {
        if let Some(endpoint) = explicit.filter(|e| !e.is_empty()) {
            return Some(endpoint.to_owned());
        }
        let network = network.filter(|n| !n.is_empty() && *n != "public");
        if let Some(region) = region.filter(|r| !r.is_empty()) {
            if let Some(endpoint) = self.regional.get(region).filter(|_| network.is_none()) {
                return Some(endpoint.clone());
            }
            return Some(match network {
                Some(network) => format!("{}-{network}.{region}.aliyuncs.com", self.product),
                None => format!("{}.{region}.aliyuncs.com", self.product),
            });
        }
        self.global.clone()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn region_map_wins_over_the_rule() {
        let ecs =
            EndpointRules::new("Ecs").with_region("cn-hangzhou", "ecs-cn-hangzhou.aliyuncs.com");
        assert_eq!(
            ecs.resolve(None, Some("cn-hangzhou"), None).as_deref(),
            Some("ecs-cn-hangzhou.aliyuncs.com")
        );
        assert_eq!(
            ecs.resolve(None, Some("cn-beijing"), None).as_deref(),
            Some("ecs.cn-beijing.aliyuncs.com")
        );
        assert_eq!(
            ecs.resolve(None, Some("cn-hangzhou"), Some("vpc"))
                .as_deref(),
            Some("ecs-vpc.cn-hangzhou.aliyuncs.com")
        );
        assert_eq!(ecs.resolve(None, None, None), None);
    }
}
