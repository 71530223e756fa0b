//! The catalog as `portplan rules` lists it, in words: which rules a product version
//! has, each rule's ports, conditions and page, and what an upgrade changes. The CLI's
//! `rules` command and the planner page's reference mode both print these, so the two
//! always say the same thing.

use crate::releases::{self, RuleDiff};
use crate::rules::{Flag, PortSpec, Rule, RULES};
use crate::types::{Product, Version, WindowsGeneration};

/// `portplan rules [--product P [--version V]]`: the rules of `product` (any version
/// when `version` is `None`), every rule when `product` is `None`, in catalog order.
pub fn listed(product: Option<Product>, version: Option<&Version>) -> Vec<&'static Rule> {
    RULES
        .iter()
        .filter(|r| match (product, version) {
            (Some(p), Some(v)) => r.when.matches_product(p, v),
            (Some(p), None) => {
                r.when.products.is_empty() || r.when.products.iter().any(|pr| pr.product == p)
            }
            _ => true,
        })
        .collect()
}

/// The rule's ports as the listing prints them: `3725`, `49152-65535`, `echo` (ICMP),
/// `dynamic RPC`, `10000+drive`.
pub fn ports(r: &Rule) -> String {
    match r.ports {
        PortSpec::None => "echo".to_string(),
        PortSpec::Fixed(p) => p.to_string(),
        PortSpec::DynamicRpc => "dynamic RPC".to_string(),
        PortSpec::Drives => "10000+drive".to_string(),
    }
}

fn generation(g: WindowsGeneration) -> &'static str {
    match g {
        WindowsGeneration::Legacy => "2003/XP and older",
        WindowsGeneration::Modern => "2008/Vista and newer",
    }
}

fn flag(f: Flag) -> &'static str {
    match f {
        Flag::CloudServer => "cloud-server",
        Flag::Appliance => "appliance",
        Flag::Container => "container",
    }
}

/// When the rule applies, one `key: values` part per condition it sets (the names of
/// its JSON `when`), `; `-separated: `products: Migrate 2019.2 and later; replication:
/// target-listens`. `None`: it applies to every product, version and workload.
pub fn conditions(r: &Rule) -> Option<String> {
    let w = &r.when;
    let join = |v: Vec<String>| v.join(", ");
    let mut parts = Vec::new();
    if !w.products.is_empty() {
        parts.push(format!(
            "products: {}",
            join(w.products.iter().map(|p| p.describe()).collect())
        ));
    }
    if let Some(os) = w.os {
        parts.push(format!("os: {os}"));
    }
    if !w.platforms.is_empty() {
        parts.push(format!(
            "platforms: {}",
            join(w.platforms.iter().map(|p| p.to_string()).collect())
        ));
    }
    if !w.transfers.is_empty() {
        parts.push(format!(
            "transfers: {}",
            join(w.transfers.iter().map(|t| t.to_string()).collect())
        ));
    }
    if let Some(a) = w.agent {
        parts.push(format!("agent: {}", if a { "yes" } else { "no" }));
    }
    if let Some(rep) = w.replication {
        parts.push(format!("replication: {rep}"));
    }
    if !w.flags.is_empty() {
        parts.push(format!(
            "flags: {}",
            join(w.flags.iter().map(|f| flag(*f).to_string()).collect())
        ));
    }
    if !w.generations.is_empty() {
        parts.push(format!(
            "generations: {}",
            join(
                w.generations
                    .iter()
                    .map(|g| generation(*g).to_string())
                    .collect()
            )
        ));
    }
    (!parts.is_empty()).then(|| parts.join("; "))
}

/// The web address of a rule's `page`: `https://` and the page for an address that
/// starts with a host name; `None` for a page named by a path only (the AWS Quick
/// Start template), which is shown as text.
pub fn page_url(page: &str) -> Option<String> {
    let host = page.split('/').next().unwrap_or_default();
    host.contains('.').then(|| format!("https://{page}"))
}

/// The section titles of `rules --diff`, in order: rules of the new version only, of
/// the old one only, and rules of both whose port a stored guide states at one only.
pub const DIFF_ADDED: &str = "Needed from the new version on";
pub const DIFF_REMOVED: &str = "No longer listed";
pub const DIFF_DOCUMENTATION: &str = "Stated by a stored guide at one version only";

/// `rules --diff OLD..NEW`: its title line (`Migrate 2018.11 -> 2020.2`), the notes
/// for versions no stored guide names, and the diff itself.
pub struct Upgrade {
    pub title: String,
    pub notes: Vec<String>,
    pub diff: RuleDiff,
}

/// What going from `from` to `to` changes, as `rules --diff` prints it.
pub fn upgrade(product: Product, from: &Version, to: &Version) -> Upgrade {
    Upgrade {
        title: format!("{} {from} -> {to}", product.title()),
        notes: [
            releases::warning(product, from),
            releases::warning(product, to),
        ]
        .into_iter()
        .flatten()
        .collect(),
        diff: releases::diff(product, from, to),
    }
}

/// The note of a rule under [`DIFF_DOCUMENTATION`]: the version's words without a
/// stored guide.
pub fn documentation_note(old: &Option<String>, new: &Option<String>) -> String {
    old.as_deref()
        .or(new.as_deref())
        .unwrap_or_default()
        .to_string()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::rules::rule;

    fn v(s: &str) -> Version {
        Version::parse(s).expect("version")
    }

    #[test]
    fn listing_and_words() {
        let all = listed(None, None);
        assert_eq!(all.len(), RULES.len());
        let m = listed(Some(Product::Migrate), Some(&v("2018.11")));
        assert!(m.iter().any(|r| r.id == "discovery.xen.ssh"));
        // Planned as 2018.11 documents it (2019.2 still documents XenServer sources).
        assert!(listed(Some(Product::Migrate), Some(&v("2020.2")))
            .iter()
            .any(|r| r.id == "discovery.xen.ssh"));
        let xen = rule("discovery.xen.ssh").expect("rule");
        assert_eq!(ports(xen), "22");
        let c = conditions(xen).expect("conditions");
        assert_eq!(c, "platforms: xenserver");
        let c = conditions(rule("discovery.icmp.windows-2008").expect("rule")).expect("conditions");
        assert_eq!(
            c,
            "products: Portability Suite 8.1 and later; os: windows; agent: no; generations: 2008/Vista and newer"
        );
        assert_eq!(
            page_url(xen.page).as_deref(),
            Some("https://support.microfocus.com/kb/doc.php?id=7920341")
        );
        assert_eq!(
            page_url(crate::rules::pages::AWS_QUICK_START),
            None,
            "a path is not an address"
        );
        let u = upgrade(Product::Migrate, &v("2018.11"), &v("2020.2"));
        assert_eq!(u.title, "Migrate 2018.11 -> 2020.2");
        assert!(u.notes.is_empty());
        assert_eq!(u.diff.removed.len(), 8);
        assert_eq!(
            upgrade(Product::Migrate, &v("2019.6"), &v("2020.2"))
                .notes
                .len(),
            1
        );
    }
}
