//! Reference mode: the port-rule catalog by product and release, searchable, and what
//! an upgrade between two releases changes, with no hosts entered. It is what
//! `portplan rules --product P --version V` and `portplan rules --product P --diff
//! OLD..NEW` print, from the same functions of the core ([`catalog`]), as HTML for the
//! page's `#reference-view` (the page renders the empty container and a way to open it).

use portplan_core::catalog::{self, conditions, ports};
use portplan_core::export::markup::escape as esc;
use portplan_core::releases;
use portplan_core::rules::Rule;
use portplan_core::types::{Product, Version};
use portplan_core::words;
use std::fmt::Write;

/// The product of a select's value (`migrate`), Migrate for anything else.
pub fn product_named(s: &str) -> Product {
    s.parse().unwrap_or(Product::Migrate)
}

/// The known releases of `product`, oldest first.
pub fn versions(product: Product) -> Vec<&'static str> {
    releases::of(product).map(|r| r.version).collect()
}

/// The release picker's value for "a version the release table does not list": the
/// version is then typed into `#ref-version-text`.
pub const OTHER: &str = "other";

/// `<option>`s of the product's releases, `selected` chosen (the newest when it is
/// not one of them); with `other`, a last "Another version…" option.
pub fn version_options(product: Product, selected: &str, other: bool) -> String {
    let vs = versions(product);
    let chosen = if vs.contains(&selected) || (other && selected == OTHER) {
        selected
    } else {
        vs.last().copied().unwrap_or_default()
    };
    let mut o: String = vs
        .iter()
        .map(|v| {
            let sel = if *v == chosen { " selected" } else { "" };
            format!("<option value=\"{v}\"{sel}>{v}</option>", v = esc(v))
        })
        .collect();
    if other {
        let sel = if chosen == OTHER { " selected" } else { "" };
        let _ = write!(
            o,
            "<option value=\"{OTHER}\"{sel}>Another version…</option>"
        );
    }
    o
}

/// What a `#reference=` address asks for: `migrate`, `migrate/2019.6`; `None` for
/// the product when it names none (Migrate then), and the version as given.
pub fn asked(spec: &str) -> (Product, Option<&str>) {
    let (product, version) = match spec.split_once('/') {
        Some((p, v)) => (p, Some(v).filter(|v| !v.is_empty())),
        None => (spec, None),
    };
    (product_named(product), version)
}

fn select(o: &mut String, id: &str, label: &str, options: &str) {
    let _ = write!(
        o,
        "<div class=\"field\"><label for=\"{id}\">{label}</label><select id=\"{id}\">{options}</select></div>"
    );
}

/// The controls, drawn once when the mode is first opened: product, release (or
/// another version, typed) and search for the catalog, then the two releases to
/// compare; the lists go into `#ref-rules-view` and `#ref-diff-view` ([`rules_html`],
/// [`diff_html`]). `version`: the release to list first (the newest without one; a
/// version the table does not know goes into the text field).
pub fn controls(product: Product, version: Option<&str>) -> String {
    let products: String = Product::ALL
        .iter()
        .map(|p| {
            let sel = if *p == product { " selected" } else { "" };
            format!(
                "<option value=\"{}\"{sel}>{}</option>",
                p.as_str(),
                words::product(*p)
            )
        })
        .collect();
    let vs = versions(product);
    let newest = vs.last().copied().unwrap_or_default();
    let before = vs.len().checked_sub(2).map_or(newest, |i| vs[i]);
    let mut o = String::new();
    o.push_str("<div class=\"row filters\">");
    select(&mut o, "ref-product", "Product", &products);
    let typed = version.filter(|v| !vs.contains(v));
    let picked = match (version, typed) {
        (_, Some(_)) => OTHER,
        (Some(v), None) => v,
        (None, _) => newest,
    };
    select(
        &mut o,
        "ref-version",
        "Release",
        &version_options(product, picked, true),
    );
    let _ = write!(
        o,
        "<div class=\"field\" id=\"ref-version-other\"{}><label for=\"ref-version-text\">Version</label><input type=\"text\" id=\"ref-version-text\" value=\"{}\" placeholder=\"e.g. 2019.6\" autocomplete=\"off\" aria-controls=\"ref-rules-view\"></div>",
        if typed.is_some() { "" } else { " hidden" },
        esc(typed.unwrap_or_default())
    );
    o.push_str("<div class=\"field\"><label for=\"ref-search\">Search the rules (id, port, phase, direction, purpose, condition, source, note)</label><input type=\"search\" id=\"ref-search\" placeholder=\"e.g. 3725 or replication\" autocomplete=\"off\" aria-controls=\"ref-rules-view\"></div></div>");
    o.push_str("<div id=\"ref-rules-view\"></div>");
    o.push_str("<h3 id=\"ref-diff-heading\">Compare two releases</h3><p class=\"hint\">What an upgrade changes: <code>portplan rules --product P --diff OLD..NEW</code>.</p><div class=\"row filters\">");
    select(
        &mut o,
        "ref-from",
        "Upgrade from release",
        &version_options(product, before, false),
    );
    select(
        &mut o,
        "ref-to",
        "to release",
        &version_options(product, newest, false),
    );
    o.push_str("</div><div id=\"ref-diff-view\"></div>");
    o
}

/// Every line `portplan rules` prints for `r` (header, purpose, conditions, source,
/// optional, notes), lowercased: what the search looks in.
fn haystack(r: &Rule) -> String {
    let mut s = format!(
        "{} {} {} -> {} {} {} {}",
        r.id,
        r.phase,
        r.from,
        r.to,
        r.protocol.as_str().to_uppercase(),
        ports(r),
        r.purpose
    );
    if let Some(c) = conditions(r) {
        let _ = write!(s, " when: {c}");
    }
    let _ = write!(s, " source: {} ({})", r.source, r.page);
    if r.optional {
        s.push_str(" optional");
    }
    for n in r.notes {
        let _ = write!(s, " note: {n}");
    }
    s.to_lowercase()
}

/// The rules of `product` at `version` whose `portplan rules` entry holds every word
/// of `query` (case-insensitive), in catalog order.
pub fn matching(product: Product, version: &Version, query: &str) -> Vec<&'static Rule> {
    let words: Vec<String> = query.split_whitespace().map(str::to_lowercase).collect();
    catalog::listed(Some(product), Some(version))
        .into_iter()
        .filter(|r| {
            let h = haystack(r);
            words.iter().all(|w| h.contains(w.as_str()))
        })
        .collect()
}

/// The source of a rule, linked to its page when the page is a web address.
fn source(o: &mut String, r: &Rule) {
    let page = match catalog::page_url(r.page) {
        Some(url) => format!(
            "<a class=\"page\" href=\"{}\" rel=\"noreferrer\">{}</a>",
            esc(&url),
            esc(r.page)
        ),
        None => format!("<span class=\"page\">{}</span>", esc(r.page)),
    };
    let _ = write!(
        o,
        "<p class=\"source\">source: <span class=\"src\">{}</span> ({page})</p>",
        esc(r.source)
    );
}

fn rule_card(o: &mut String, r: &Rule) {
    let _ = write!(
        o,
        "<li class=\"ref-rule\" data-rule=\"{id}\"><p class=\"ref-head\"><code class=\"id\">{id}</code> <span class=\"phase\">{phase}</span> <span class=\"dir\">{from} -&gt; {to}</span> <span class=\"flow\"><span class=\"proto\">{proto}</span> <span class=\"ports\">{ports}</span></span></p><p class=\"purpose\">{purpose}</p>",
        id = esc(r.id),
        phase = r.phase,
        from = r.from,
        to = r.to,
        proto = r.protocol.as_str().to_uppercase(),
        ports = esc(&ports(r)),
        purpose = esc(r.purpose),
    );
    if let Some(c) = conditions(r) {
        let _ = write!(
            o,
            "<p class=\"when\">when: <span class=\"cond\">{}</span></p>",
            esc(&c)
        );
    }
    source(o, r);
    if r.optional {
        o.push_str("<p class=\"optional\">optional</p>");
    }
    if !r.notes.is_empty() {
        o.push_str("<ul class=\"notes\">");
        for n in r.notes {
            let _ = write!(o, "<li>note: <span class=\"note\">{}</span></li>", esc(n));
        }
        o.push_str("</ul>");
    }
    o.push_str("</li>");
}

/// The catalog of `product` at `version`, filtered by `query`. A version the release
/// table does not know is listed by version order, as `portplan rules` does, under
/// the core's warning naming the nearest known releases.
pub fn rules_html(product: Product, version: &str, query: &str) -> String {
    let version = version.trim();
    if version.is_empty() {
        return "<p class=\"hint\" id=\"ref-version-warning\">Type a version, e.g. 2019.6.</p>"
            .into();
    }
    let Some(v) = Version::parse(version) else {
        return format!(
            "<p class=\"field-error\" role=\"alert\" id=\"ref-version-warning\">“{}” is not a version (e.g. 12.3).</p>",
            esc(version)
        );
    };
    let all = catalog::listed(Some(product), Some(&v)).len();
    let shown = matching(product, &v, query);
    let mut o = String::new();
    let q = query.trim();
    let count = if q.is_empty() {
        format!("{all} rules")
    } else {
        format!("{} of {all} rules match “{}”", shown.len(), esc(q))
    };
    if let Some(w) = releases::warning(product, &v) {
        let _ = write!(
            o,
            "<p class=\"warning\" id=\"ref-version-warning\" role=\"status\">{}</p>",
            esc(&w)
        );
    }
    let _ = write!(
        o,
        "<h3 id=\"ref-rules-title\">Rules of {} {}</h3><p id=\"ref-count\" role=\"status\">{count}</p><p class=\"hint\">As <code>portplan rules --product {} --version {}</code> lists them: the catalog filtered by release only (a plan also needs the workloads' OS, transfer method and hosts).</p><ul class=\"ref-rules\" id=\"ref-rules\">",
        words::product(product),
        esc(version),
        product.as_str(),
        esc(version),
    );
    for r in &shown {
        rule_card(&mut o, r);
    }
    o.push_str("</ul>");
    o
}

fn diff_line(o: &mut String, r: &Rule) {
    let _ = write!(
        o,
        "<li class=\"diff-rule\" data-rule=\"{id}\"><code class=\"id\">{id}</code> <span class=\"dir\">{from} -&gt; {to}</span> <span class=\"flow\"><span class=\"proto\">{proto}</span> <span class=\"ports\">{ports}</span></span> <span class=\"purpose\">{purpose}</span>",
        id = esc(r.id),
        from = r.from,
        to = r.to,
        proto = r.protocol.as_str().to_uppercase(),
        ports = esc(&ports(r)),
        purpose = esc(r.purpose),
    );
}

/// What going from release `from` to `to` of `product` changes: the sections of
/// `portplan rules --diff OLD..NEW`, with their titles and counts.
pub fn diff_html(product: Product, from: &str, to: &str) -> String {
    let (Some(a), Some(b)) = (Version::parse(from), Version::parse(to)) else {
        return "<p class=\"field-error\" role=\"alert\">Choose two releases.</p>".into();
    };
    let u = catalog::upgrade(product, &a, &b);
    let mut o = String::new();
    let _ = write!(
        o,
        "<h4 id=\"ref-diff-title\" class=\"diff-title\">{}</h4>",
        esc(&u.title)
    );
    if a == b {
        o.push_str("<p class=\"hint\">The same release twice: nothing changes.</p>");
    }
    for n in &u.notes {
        let _ = write!(o, "<p class=\"warning\">note: {}</p>", esc(n));
    }
    let mut section = |key: &str, title: &str, rules: &[&Rule]| {
        let _ = write!(
            o,
            "<section class=\"diff-section\" data-section=\"{key}\"><h4>{title} ({})</h4><ul class=\"diff-rules\">",
            rules.len()
        );
        for r in rules {
            diff_line(&mut o, r);
            o.push_str("</li>");
        }
        o.push_str("</ul></section>");
    };
    section("added", catalog::DIFF_ADDED, &u.diff.added);
    section("removed", catalog::DIFF_REMOVED, &u.diff.removed);
    let _ = write!(
        o,
        "<section class=\"diff-section\" data-section=\"documentation\"><h4>{} ({})</h4><ul class=\"diff-rules\">",
        catalog::DIFF_DOCUMENTATION,
        u.diff.documentation.len()
    );
    for (r, old, new) in &u.diff.documentation {
        diff_line(&mut o, r);
        let _ = write!(
            o,
            "<p class=\"doc-note\">{}</p></li>",
            esc(&catalog::documentation_note(old, new))
        );
    }
    o.push_str("</ul></section>");
    o
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_search_finds_the_rules_of_the_release() {
        let v = Version::parse("2020.2").expect("v");
        let hits = matching(Product::Migrate, &v, "3725");
        assert!(!hits.is_empty());
        assert!(hits.iter().all(|r| haystack(r).contains("3725")));
        let html = rules_html(Product::Migrate, "2020.2", "3725");
        assert_eq!(html.matches("<li class=\"ref-rule\"").count(), hits.len());
        assert!(html.contains("<a class=\"page\" href=\"https://"), "{html}");
        assert!(matching(Product::Migrate, &v, "no such words here").is_empty());
    }

    #[test]
    fn the_diff_has_the_cli_sections() {
        let html = diff_html(Product::Migrate, "2018.11", "2020.2");
        assert!(html.contains("Migrate 2018.11 -&gt; 2020.2"), "{html}");
        assert!(html.contains("<h4>Needed from the new version on (0)</h4>"));
        assert!(html.contains("<h4>No longer listed (8)</h4>"), "{html}");
        assert!(html.contains("data-rule=\"discovery.xen.ssh\""));
        let c = controls(Product::Migrate, None);
        assert!(c.contains("<option value=\"2019.8\" selected>"), "{c}");
    }

    #[test]
    fn another_version_is_listed_under_the_cores_warning() {
        let html = rules_html(Product::Migrate, "2019.6", "");
        let warning = releases::warning(Product::Migrate, &Version::parse("2019.6").expect("v"))
            .expect("2019.6 is no release");
        assert!(
            warning.contains("between") && warning.contains("2019.5"),
            "{warning}"
        );
        assert!(
            html.contains(&format!(
                "<p class=\"warning\" id=\"ref-version-warning\" role=\"status\">{}</p>",
                esc(&warning)
            )),
            "{html}"
        );
        assert!(html.contains("Rules of PlateSpin Migrate 2019.6"), "{html}");
        assert!(!rules_html(Product::Migrate, "2019.5", "").contains("ref-version-warning"));
        assert!(rules_html(Product::Migrate, "2019.x", "").contains("is not a version"));
        // A `#reference=` address: a known release is picked, another one typed.
        let known = controls(Product::Protect, Some("11.2.1"));
        assert!(
            known.contains("<option value=\"11.2.1\" selected>"),
            "{known}"
        );
        assert!(known.contains("id=\"ref-version-other\" hidden"));
        let typed = controls(Product::Migrate, Some("2030.1"));
        assert!(typed.contains("<option value=\"other\" selected>Another version…</option>"));
        assert!(typed.contains("value=\"2030.1\""), "{typed}");
        assert_eq!(asked("protect/11.2.1"), (Product::Protect, Some("11.2.1")));
        assert_eq!(asked("forge"), (Product::Forge, None));
        assert_eq!(asked(""), (Product::Migrate, None));
    }
}
