//! `portplan plan --format rules`: the consolidated firewall rules as text, the same
//! rules as the page's firewall view, the change request and the scripts.
//!
//! ```text
//! R3  40 sources -> ps01 (10.20.0.5)
//!     from  10.1.0.1-10.1.0.36, 192.168.50.11-192.168.50.14
//!     ports TCP 80, 443
//!     why   Discovery, Conversion / take control: HTTPS to the server
//! ```

use crate::firewall::{rules, GroupRule};
use crate::plan::Plan;
use std::fmt::Write;

pub fn render(plan: &Plan) -> String {
    let rules = rules(plan);
    let mut out = format!(
        "{} firewall rules for PlateSpin {} {} ({} flows)\n",
        rules.len(),
        plan.product.title(),
        plan.version,
        plan.flows.len()
    );
    for (i, r) in rules.iter().enumerate() {
        out.push('\n');
        rule(&mut out, i + 1, r);
    }
    out
}

/// `R1`, `R2`…: the rule's number in every output of one plan.
pub fn id(n: usize) -> String {
    format!("R{n}")
}

fn rule(out: &mut String, n: usize, r: &GroupRule) {
    let side = |g: &crate::firewall::Group| match g.members.as_slice() {
        [one] => one.text(),
        _ => g.label(),
    };
    let _ = writeln!(out, "{:<4}{} -> {}", id(n), side(&r.from), side(&r.to));
    if r.from.members.len() > 1 {
        let _ = writeln!(out, "    from  {}", r.from.addresses());
    }
    if r.to.members.len() > 1 {
        let _ = writeln!(out, "    to    {}", r.to.addresses());
    }
    let _ = writeln!(out, "    ports {}", r.ports_text());
    let _ = writeln!(out, "    why   {}", r.comment());
    for g in [&r.from, &r.to] {
        if g.members.len() > 1 {
            let _ = writeln!(out, "    hosts {}", g.hosts());
        }
    }
}
