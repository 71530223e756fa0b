//! What a product version supports, in words, for forms that disable what does not
//! apply: read from the ranges of [`crate::rules`] (no version is written here).

use crate::rules::{
    ProductRange, AGENT_PRODUCTS, BLOCK_PRODUCTS, LEGACY_PRODUCTS, MESSAGING_PRODUCTS,
    TARGET_LISTENS_PRODUCTS,
};
use crate::types::{Os, Product, Transfer, Version};

/// An option of the scenario that only some product versions have.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Feature {
    /// The Migrate Agent on a workload.
    Agent,
    /// `replication: target-listens`.
    TargetListens,
    /// `transfer: block-legacy`.
    BlockLegacy,
    /// `transfer: block`.
    Block,
    /// Migrate Connectors and the Migration Factory (event messaging).
    Messaging,
}

impl Feature {
    fn ranges(self) -> &'static [ProductRange] {
        match self {
            Feature::Agent => AGENT_PRODUCTS,
            Feature::TargetListens => TARGET_LISTENS_PRODUCTS,
            Feature::BlockLegacy => LEGACY_PRODUCTS,
            Feature::Block => BLOCK_PRODUCTS,
            Feature::Messaging => MESSAGING_PRODUCTS,
        }
    }

    fn title(self) -> &'static str {
        match self {
            Feature::Agent => "The Migrate Agent",
            Feature::TargetListens => "Replication with the target listening",
            Feature::BlockLegacy => "Legacy block-based transfer",
            Feature::Block => "Block-based transfer",
            Feature::Messaging => "Migrate Connectors",
        }
    }

    /// Whether `product` at `v` has it.
    pub fn applies(self, product: Product, v: &Version) -> bool {
        self.ranges()
            .iter()
            .any(|r| r.product == product && r.contains(v))
    }

    /// The products and versions that have it: `Migrate 12.2 or later`.
    pub fn products(self) -> String {
        let one = |r: &ProductRange| {
            let b = |x: &[u32]| x.iter().map(u32::to_string).collect::<Vec<_>>().join(".");
            let t = r.product.title();
            match (r.min, r.max) {
                (Some(lo), Some(hi)) => format!("{t} {} to {}", b(lo), b(hi)),
                (Some(lo), None) => format!("{t} {} or later", b(lo)),
                (None, Some(hi)) => format!("{t} {} or earlier", b(hi)),
                (None, None) => t.to_string(),
            }
        };
        let all: Vec<String> = self.ranges().iter().map(one).collect();
        match all.split_last() {
            Some((last, rest)) if !rest.is_empty() => format!("{}, or {last}", rest.join(", ")),
            _ => all.concat(),
        }
    }

    /// Why it is not offered for `product` at `v`, or `None` when it is.
    pub fn reason(self, product: Product, v: &Version) -> Option<String> {
        (!self.applies(product, v)).then(|| {
            format!(
                "{} needs {}; this plan is for {} {v}.",
                self.title(),
                self.products(),
                product.title()
            )
        })
    }
}

/// Why a transfer method is not offered for a workload, or `None` when it is.
pub fn transfer_reason(t: Transfer, os: Os, product: Product, v: &Version) -> Option<String> {
    let feature = match t {
        Transfer::Block => Some(Feature::Block),
        Transfer::BlockLegacy => Some(Feature::BlockLegacy),
        _ => None,
    };
    if let Some(r) = feature.and_then(|f| f.reason(product, v)) {
        return Some(r);
    }
    match (t, os) {
        (Transfer::VssBbt, Os::Linux) => {
            Some("VSS block-based transfer is for Windows workloads only.".into())
        }
        (Transfer::BlockLegacy, Os::Linux) => {
            Some("Legacy block-based transfer is for Windows workloads only.".into())
        }
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn v(s: &str) -> Version {
        Version::parse(s).expect("version")
    }

    #[test]
    fn reasons_follow_the_rule_ranges() {
        assert_eq!(Feature::Agent.reason(Product::Migrate, &v("12.3")), None);
        let r = Feature::Agent
            .reason(Product::Migrate, &v("12.0"))
            .expect("reason");
        assert_eq!(
            r,
            "The Migrate Agent needs Migrate 12.2 or later; this plan is for Migrate 12.0."
        );
        assert_eq!(
            Feature::BlockLegacy.products(),
            "Portability Suite 8.1.3 or earlier, or Forge 2.5 or earlier"
        );
        assert_eq!(
            Feature::Block.products(),
            "Migrate 9 or later, Protect, or Forge 3 or later"
        );
        assert!(Feature::TargetListens.applies(Product::Migrate, &v("2018.11")));
        // Wherever the agent is: its source contacts the target (Migrate 12.2.2, Q18).
        assert!(Feature::TargetListens.applies(Product::Migrate, &v("12.2")));
        assert!(!Feature::TargetListens.applies(Product::Migrate, &v("12.1")));
        assert!(
            transfer_reason(Transfer::VssBbt, Os::Linux, Product::Migrate, &v("12.3")).is_some()
        );
        assert!(transfer_reason(
            Transfer::BlockLegacy,
            Os::Windows,
            Product::Migrate,
            &v("12.3")
        )
        .is_some());
        assert!(
            transfer_reason(Transfer::Block, Os::Linux, Product::Migrate, &v("12.3")).is_none()
        );
    }
}
