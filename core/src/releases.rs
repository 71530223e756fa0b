//! The released versions of each product that the stored vendor pages name.
//!
//! A scenario may name any version (a build such as 2019.5.1, or a release these pages
//! do not mention); the plan then follows the version order, and says which known
//! releases it falls between, so a typo such as `2019.6` does not pass unseen.

use crate::types::{Product, Version};

/// One release and the stored page (or article) that names it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Release {
    pub product: Product,
    pub version: &'static str,
    /// Where the release is named: the page of `reference/vendor-pages.md` or the article.
    pub named_in: &'static str,
}

const fn rel(product: Product, version: &'static str, named_in: &'static str) -> Release {
    Release {
        product,
        version,
        // Only a person reading the table needs where a release is named.
        named_in: crate::rules::prose(named_in),
    }
}

/// Known releases, per product in version order.
pub const RELEASES: &[Release] = &[
    rel(
        Product::PortabilitySuite,
        "8.1",
        "Portability Suite 8.1 configuration guide (Q14)",
    ),
    rel(
        Product::PortabilitySuite,
        "8.1.3",
        "TID 7920341 (legacy block-based ports)",
    ),
    rel(
        Product::Forge,
        "2.5",
        "TID 7920341 (legacy block-based ports)",
    ),
    rel(Product::Forge, "3", "Protect 11 / Forge 3 user guide (Q12)"),
    rel(
        Product::Forge,
        "11.1",
        "Forge 11.1 user guide (newer-versions.md #5)",
    ),
    rel(
        Product::Forge,
        "11.3",
        "Forge 11.3 user guide (newer-versions.md #5)",
    ),
    rel(Product::Protect, "10", "Protect 10 user guide (Q15)"),
    rel(Product::Protect, "11", "Protect 11 user guide (Q12)"),
    rel(
        Product::Protect,
        "11.2.1",
        "Protect 11.2.1 user guide (Q11)",
    ),
    rel(
        Product::Protect,
        "11.3",
        "Protect 11.3 user guide, container credentials (Q20)",
    ),
    rel(
        Product::Migrate,
        "9",
        "Migrate 9 user guide (newer-versions.md #1)",
    ),
    rel(
        Product::Migrate,
        "11",
        "TID 7920341 (\"version 11.x and above\")",
    ),
    rel(Product::Migrate, "12.2", "Migrate 12.2 user guide (Q8)"),
    rel(
        Product::Migrate,
        "12.2.1",
        "Migrate 12.2.1 user guide (Q10); Transformation Manager 1.1 SP1 release notes (Q22)",
    ),
    rel(
        Product::Migrate,
        "12.2.2",
        "Migrate 12.2.2 user guide, Migrate Agent requirements (Q18)",
    ),
    rel(
        Product::Migrate,
        "2018.11",
        "Migrate 2018.11 user guide (Q5, Q7, Q13)",
    ),
    rel(
        Product::Migrate,
        "2019.2",
        "Migrate 2019.2 user guide (Q1-Q3)",
    ),
    rel(
        Product::Migrate,
        "2019.5",
        "Migrate 2019.5 user guide (Q6, Q9)",
    ),
    rel(
        Product::Migrate,
        "2019.8",
        "Migrate 2019.8 user guide (newer-versions.md #2)",
    ),
    rel(
        Product::Migrate,
        "2020.2",
        "Migrate 2020.2 user guide (Q10, Q13)",
    ),
];

/// The known releases of one product, oldest first.
pub fn of(product: Product) -> impl Iterator<Item = &'static Release> {
    RELEASES.iter().filter(move |r| r.product == product)
}

/// The release a version is, or the known releases just before and after it.
pub fn place(
    product: Product,
    v: &Version,
) -> Result<&'static Release, (Option<&'static Release>, Option<&'static Release>)> {
    let parsed = |r: &Release| Version::parse(r.version).unwrap_or_default();
    if let Some(r) = of(product).find(|r| parsed(r) == *v) {
        return Ok(r);
    }
    let before = of(product).filter(|r| parsed(r) < *v).last();
    let after = of(product).find(|r| parsed(r) > *v);
    Err((before, after))
}

/// A warning for a version the table does not know, naming the nearest releases.
pub fn warning(product: Product, v: &Version) -> Option<String> {
    let (before, after) = place(product, v).err()?;
    let t = product.title();
    let near = match (before, after) {
        (Some(b), Some(a)) => format!("between {t} {} and {}", b.version, a.version),
        (Some(b), None) => format!(
            "after {t} {}, the newest release the stored guides name",
            b.version
        ),
        (None, Some(a)) => format!(
            "before {t} {}, the oldest release the stored guides name",
            a.version
        ),
        (None, None) => "with no known release to compare".to_string(),
    };
    Some(format!(
        "{t} {v} is not a release the stored vendor guides name; it is planned by version order, {near}."
    ))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn v(s: &str) -> Version {
        Version::parse(s).expect("version")
    }

    #[test]
    fn releases_are_in_order_and_parse() {
        for p in Product::ALL {
            let vs: Vec<Version> = of(*p).map(|r| v(r.version)).collect();
            assert!(!vs.is_empty(), "{p} has no release");
            assert!(
                vs.windows(2).all(|w| w[0] < w[1]),
                "{p} releases out of order"
            );
        }
    }

    #[test]
    fn unknown_versions_name_their_neighbours() {
        assert_eq!(warning(Product::Migrate, &v("2019.5")), None);
        assert_eq!(warning(Product::Migrate, &v("2019.5.0")), None);
        let w = warning(Product::Migrate, &v("2019.6")).expect("warning");
        assert!(w.contains("between Migrate 2019.5 and 2019.8"), "{w}");
        let w = warning(Product::Migrate, &v("2030.1")).expect("warning");
        assert!(w.contains("after Migrate 2020.2"), "{w}");
        // Releases the stored pages name are known (issue 24).
        for (p, known) in [
            (Product::Migrate, "12.2.2"),
            (Product::Protect, "11.3"),
            (Product::Forge, "11.3"),
        ] {
            assert_eq!(warning(p, &v(known)), None, "{p} {known}");
        }
    }
}

/// What changes in the catalog between two versions of one product (upgrade planning).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RuleDiff {
    /// Rules that apply at the newer version only.
    pub added: Vec<&'static crate::rules::Rule>,
    /// Rules that apply at the older version only.
    pub removed: Vec<&'static crate::rules::Rule>,
    /// Rules of both whose port a stored guide states at one version only.
    pub documentation: Vec<(&'static crate::rules::Rule, Option<String>, Option<String>)>,
}

/// The rules that start or stop applying going from `from` to `to`.
pub fn diff(product: Product, from: &Version, to: &Version) -> RuleDiff {
    let at = |v: &Version| {
        crate::rules::RULES
            .iter()
            .filter(|r| r.when.matches_product(product, v))
            .collect::<Vec<_>>()
    };
    let (old, new) = (at(from), at(to));
    RuleDiff {
        added: new.iter().filter(|r| !old.contains(r)).copied().collect(),
        removed: old.iter().filter(|r| !new.contains(r)).copied().collect(),
        documentation: old
            .iter()
            .filter(|r| new.contains(r))
            .map(|r| {
                (
                    *r,
                    r.undocumented_note(product, from),
                    r.undocumented_note(product, to),
                )
            })
            .filter(|(_, a, b)| a.is_some() != b.is_some())
            .collect(),
    }
}

#[cfg(test)]
mod diff_tests {
    use super::*;

    #[test]
    fn upgrading_migrate_drops_hyper_v_rows_and_keeps_xen_as_documented_earlier() {
        let v = |s| Version::parse(s).expect("v");
        let d = diff(Product::Migrate, &v("2018.11"), &v("2020.2"));
        let removed: Vec<&str> = d.removed.iter().map(|r| r.id).collect();
        assert!(
            removed.contains(&"discovery.hyperv.rpc-epmap"),
            "{removed:?}"
        );
        // Xen stays (2019.2 still documents Linux sources on XenServer), as 2018.11 has it.
        assert!(!removed.contains(&"discovery.xen.ssh"), "{removed:?}");
        assert!(d
            .documentation
            .iter()
            .any(|(r, old, new)| r.id == "discovery.xen.ssh" && old.is_none() && new.is_some()));
        assert!(d.added.is_empty(), "{:?}", d.added);
        // PTM 1.1's wording covers Migrate 12.2.1 only.
        let d = diff(Product::Migrate, &v("12.2.1"), &v("2019.5"));
        let removed: Vec<&str> = d.removed.iter().map(|r| r.id).collect();
        assert!(
            removed.contains(&"management.factory.stomp-connector")
                && removed.contains(&"management.factory.stomp-server"),
            "{removed:?}"
        );
        let d = diff(Product::Migrate, &v("12.1"), &v("2019.5"));
        let added: Vec<&str> = d.added.iter().map(|r| r.id).collect();
        assert!(
            added.contains(&"management.connector") && added.contains(&"management.factory.stomp"),
            "{added:?}"
        );
        assert!(d
            .documentation
            .iter()
            .any(|(r, _, _)| r.id == "discovery.kvm.ssh"));
    }
}
