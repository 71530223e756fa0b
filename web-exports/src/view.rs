//! The page's "Verification" section, rendered here as HTML so that reading reports
//! adds nothing to the main bundle (the page inserts it as is).
//!
//! It is display only, over the core's [`ReportView`] (the model the CLI's table prints
//! too): the reports loaded, what to fix (failures first, each with its firewall rule in
//! the dialects of the accepting host, then the flows that need attention), a summary
//! by phase and host pair, and every plan flow grouped the same way with its verdicts
//! as runs of ports. Every mark is an icon and a word as well as a color. Several
//! reports are merged first, as `portplan merge` would. Every text from a file is
//! escaped.

use crate::verdicts::{self, Loaded};
use portplan_core::report::view::{FixItem, FlowView, Mark, ReportView, VerdictGroup};
use portplan_core::{Flow, Plan};
use std::fmt::Write;

/// Escapes text for HTML content and double-quoted attributes.
pub use portplan_core::export::markup::escape as esc;

fn dir(f: &Flow) -> String {
    format!("{} → {}", f.from, f.to)
}

/// `TCP 3725: verified (confirmed) 0.4 ms: NetBIOS WEB01`: one verdict group of a flow.
pub fn group_text(g: &VerdictGroup) -> String {
    format!("{}: {}", g.what(), g.sentence())
}

/// The mark as an icon, a word and a color: `✖ fail` in red, the icon hidden from
/// screen readers (the word says it), the sentence in the tooltip.
fn mark(m: Mark) -> String {
    format!(
        "<span class=\"status status-{cls}\" title=\"{label}\"><span class=\"icon\" aria-hidden=\"true\">{icon}</span> {word}</span>",
        cls = m.as_str().replace(' ', "-"),
        label = m.label(),
        icon = m.icon(),
        word = m.as_str()
    )
}

fn reports_list(o: &mut String, plan: &Plan, loaded: &Loaded) {
    o.push_str("<ul class=\"reports\">");
    for (name, r) in loaded.names().zip(verdicts::read(plan, loaded).iter()) {
        let name = esc(name);
        match r {
            // A preflight-only report: what the host read of itself, not probes.
            Some((r, true)) if r.flows.is_empty() && !r.preflight.is_empty() => {
                use portplan_core::preflight::Judgement;
                let flows = r.preflight.iter().flat_map(|p| &p.flows);
                let count = |j: Judgement| flows.clone().filter(|f| f.verdict() == j).count();
                let problems = (r.preflight.iter())
                    .flat_map(|p| &p.prerequisites)
                    .filter(|p| {
                        p.status != portplan_core::preflight::section::PrerequisiteStatus::Ok
                    })
                    .count();
                let _ = write!(
                    o,
                    "<li class=\"report preflight-report\" data-applies=\"true\"><strong>{name}</strong>: preflight on {} ({}, {} to {}): {} inbound flows allowed, {} blocked, {} unknown by the host's own firewall; {problems} prerequisites to look at</li>",
                    esc(&r.host),
                    esc(&r.probed_from),
                    esc(&r.started),
                    esc(&r.finished),
                    count(Judgement::Allowed),
                    count(Judgement::Blocked),
                    count(Judgement::Unknown),
                );
            }
            Some((r, true)) => {
                let (pass, attention, fail) = r.counts();
                let _ = write!(
                    o,
                    "<li class=\"report\" data-applies=\"true\"><strong>{name}</strong>: probed from {} ({}), {} to {}: {pass} pass, {attention} attention, {fail} fail</li>",
                    esc(&r.probed_from),
                    esc(&r.host),
                    esc(&r.started),
                    esc(&r.finished)
                );
            }
            Some((r, false)) => {
                let _ = write!(
                    o,
                    "<li class=\"report stale\" data-applies=\"false\"><strong>{name}</strong>: checked another plan ({}); the plan changed since it was loaded, so it is not shown</li>",
                    esc(&r.plan_digest)
                );
            }
            None => {
                let _ = write!(
                    o,
                    "<li class=\"report stale\" data-applies=\"false\"><strong>{name}</strong>: unreadable</li>"
                );
            }
        }
    }
    o.push_str("</ul>");
}

/// `a`, `a and b`, `a, b and c`.
fn and_list(items: &[&str]) -> String {
    match items {
        [] => String::new(),
        [one] => (*one).to_string(),
        [rest @ .., last] => format!("{} and {last}", rest.join(", ")),
    }
}

fn fix_item(o: &mut String, i: &FixItem) {
    let f = &i.flow;
    let _ = write!(
        o,
        "<li class=\"fix\" data-status=\"{s}\" data-rule=\"{rule}\" data-dir=\"{d}\">{mark} <strong>{label}</strong> {d} ({purpose}): <span class=\"concern\">{concern}</span>",
        s = i.mark.as_str(),
        mark = mark(i.mark),
        rule = esc(&f.rule),
        d = esc(&dir(f)),
        label = esc(&i.label),
        purpose = esc(&f.purpose),
        concern = esc(&i.concern),
    );
    if !i.also.is_empty() {
        let phases: Vec<&str> = i.phases().iter().map(|p| p.title()).collect();
        let _ = write!(
            o,
            " <span class=\"phases\">(in {})</span>",
            and_list(&phases)
        );
    }
    let action = i.action();
    if !action.is_empty() {
        let _ = write!(
            o,
            ". <span class=\"action\">To fix: {}</span>",
            esc(&action)
        );
    }
    let _ = write!(o, " <span class=\"hint\">{}</span>", esc(&i.hint));
    if let Some(fx) = i.fix.as_ref().filter(|fx| !fx.rules.is_empty()) {
        let _ = write!(
            o,
            "<details class=\"fix-rules\"><summary>The rule for {}'s firewall ({})</summary>",
            esc(&fx.host),
            fx.system.words()
        );
        for (d, rule) in &fx.rules {
            let _ = write!(
                o,
                "<p class=\"dialect\">{}</p><pre class=\"rule\" data-dialect=\"{}\">{}</pre>",
                d.as_str(),
                d.as_str(),
                esc(rule)
            );
        }
        o.push_str("</details>");
    }
    o.push_str("</li>");
}

/// Failures first, with the rule that lets each through; then the flows that need
/// attention with their hint (their path is open: no rule).
fn fixes(o: &mut String, view: &ReportView) {
    o.push_str("<h3>What to fix</h3>");
    if view.fixes.is_empty() {
        o.push_str("<p class=\"fixes-none\">Every checked flow passed.</p>");
        return;
    }
    o.push_str("<ol class=\"fixes\">");
    for i in &view.fixes {
        fix_item(o, i);
    }
    o.push_str("</ol>");
}

fn summary(o: &mut String, view: &ReportView) {
    o.push_str("<h3>By phase and host pair</h3><table class=\"summary\"><thead><tr><th>Phase</th><th>Hosts</th>");
    for (m, title) in Mark::ALL
        .iter()
        .zip(["Pass", "Attention", "Fail", "Not checked"])
    {
        let _ = write!(
            o,
            "<th><span aria-hidden=\"true\">{}</span> {title}</th>",
            m.icon(),
        );
    }
    o.push_str("</tr></thead><tbody>");
    for phase in &view.phases {
        for g in &phase.pairs {
            let c = &g.counts;
            let _ = write!(
                o,
                "<tr data-phase=\"{p}\" data-pair=\"{pair}\"><td>{title}</td><td>{pair}</td><td class=\"n-pass\">{}</td><td class=\"n-attention\">{}</td><td class=\"n-fail\">{}</td><td class=\"n-unchecked\">{}</td></tr>",
                c.pass,
                c.attention,
                c.fail,
                c.not_checked,
                p = phase.phase.as_str(),
                title = esc(phase.phase.title()),
                pair = esc(&format!("{} → {}", g.from, g.to)),
            );
        }
    }
    o.push_str("</tbody></table>");
}

fn flow_row(o: &mut String, f: &FlowView) {
    let fl = &f.flow;
    let _ = write!(
        o,
        "<tr class=\"verdict-flow\" data-status=\"{s}\" data-rule=\"{rule}\" data-dir=\"{d}\"><td>{mark}</td><td>{label}</td><td>{d}</td><td>{purpose}</td><td><ul class=\"probes\">",
        s = f.mark.as_str(),
        mark = mark(f.mark),
        rule = esc(&fl.rule),
        d = esc(&dir(fl)),
        label = esc(&f.label),
        purpose = esc(&fl.purpose),
    );
    if let Some(n) = f.verdicts.sampled {
        let _ = write!(o, "<li class=\"sampled\">{n} ports sampled</li>");
    }
    for g in &f.verdicts.groups {
        let _ = write!(
            o,
            "<li class=\"probe\" data-verdict=\"{}\">{}</li>",
            esc(g.verdict.as_str()),
            esc(&group_text(g))
        );
    }
    if let Some(cmd) = &f.run {
        // The check that would cover it runs on the host that opens the flow.
        let _ = write!(
            o,
            "<li class=\"not-checked\">No report covers this flow: run <code>{}</code> on {} and load its report.</li>",
            esc(cmd),
            esc(&fl.from)
        );
    }
    if !f.hint.is_empty() {
        let _ = write!(o, "<li class=\"hint\">{}</li>", esc(&f.hint));
    }
    o.push_str("</ul></td></tr>");
}

fn flows(o: &mut String, view: &ReportView) {
    o.push_str("<h3>Every flow</h3><table class=\"verdicts\"><thead><tr><th>Status</th><th>Flow</th><th>Direction</th><th>Purpose</th><th>Verdicts (reason, latency), ports as runs</th></tr></thead><tbody>");
    for phase in &view.phases {
        for g in &phase.pairs {
            let _ = write!(
                o,
                "<tr class=\"pair\"><th colspan=\"5\" scope=\"rowgroup\">{}: {}",
                esc(phase.phase.title()),
                esc(&g.heading)
            );
            o.push_str("</th></tr>");
            for f in &g.flows {
                flow_row(o, f);
            }
        }
    }
    o.push_str("</tbody></table>");
}

/// What `portplan preflight` read on each host (its own firewall, its prerequisites),
/// beside the check's verdicts: one part per host, in the report's words.
fn preflight(o: &mut String, report: &portplan_core::report::Report) {
    use portplan_core::preflight::section::ports_label;
    if report.preflight.is_empty() {
        return;
    }
    o.push_str(
        "<h3 id=\"preflight-title\">Preflight: what each host's own firewall and settings say</h3>",
    );
    for sec in &report.preflight {
        let _ = write!(
            o,
            "<section class=\"preflight\" data-host=\"{h}\"><h4>{h}</h4><p class=\"hint\">Firewall read from: {fw}</p>",
            h = esc(&sec.host),
            fw = esc(&sec.firewall)
        );
        if !sec.flows.is_empty() {
            o.push_str("<table class=\"verdicts preflight-flows\"><thead><tr><th>This host's firewall</th><th>Inbound flow</th><th>From</th><th>Phase</th><th>What decides</th></tr></thead><tbody>");
            for f in &sec.flows {
                let _ = write!(
                    o,
                    "<tr class=\"preflight-flow\" data-verdict=\"{v}\" data-rule=\"{rule}\"><td>{v}</td><td>{ports}</td><td>{from}</td><td>{phase}</td><td><ul class=\"probes\">",
                    v = f.verdict().as_str(),
                    rule = esc(&f.rule),
                    ports = esc(&ports_label(f.protocol, f.ports)),
                    from = esc(&f.from),
                    phase = esc(f.phase.title()),
                );
                for r in &f.results {
                    let d = &r.decision;
                    let mut why: Vec<&str> = d.evidence.iter().map(String::as_str).collect();
                    if !d.reason.is_empty() {
                        why.push(&d.reason);
                    }
                    let ports = r.ports.map(|p| format!("{p}: ")).unwrap_or_default();
                    let why = if why.is_empty() {
                        String::new()
                    } else {
                        format!(" ({})", esc(&why.join("; ")))
                    };
                    let _ = write!(
                        o,
                        "<li class=\"decision\" data-verdict=\"{v}\">{ports}{v}{why}</li>",
                        v = d.verdict.as_str(),
                    );
                }
                o.push_str("</ul></td></tr>");
            }
            o.push_str("</tbody></table>");
        }
        if !sec.prerequisites.is_empty() {
            o.push_str("<ul class=\"prerequisites\">");
            for p in &sec.prerequisites {
                let _ = write!(
                    o,
                    "<li class=\"prerequisite\" data-status=\"{s}\" data-id=\"{id}\"><strong>{s}</strong> {id}: {seen}",
                    s = p.status.as_str(),
                    id = esc(&p.id),
                    seen = esc(&p.observed),
                );
                if !p.fix.is_empty() {
                    let _ = write!(o, ". <span class=\"action\">To fix: {}</span>", esc(&p.fix));
                }
                if !p.caveat.is_empty() {
                    let _ = write!(o, " <span class=\"hint\">{}</span>", esc(&p.caveat));
                }
                let _ = write!(
                    o,
                    " <span class=\"source\">“{}” ({})</span></li>",
                    esc(&p.quote),
                    esc(&p.page)
                );
            }
            o.push_str("</ul>");
        }
        o.push_str("</section>");
    }
}

/// The whole section for the `loaded` reports over `plan`.
pub fn render(plan: &Plan, loaded: &Loaded) -> String {
    let mut o = String::with_capacity(8192);
    reports_list(&mut o, plan, loaded);
    match verdicts::fleet(plan, loaded) {
        Some(Ok(report)) => {
            let view = ReportView::build(plan, &report);
            fixes(&mut o, &view);
            summary(&mut o, &view);
            flows(&mut o, &view);
            preflight(&mut o, &report);
        }
        Some(Err(e)) => {
            let _ = write!(
                o,
                "<p class=\"field-error\" role=\"alert\">These reports cannot be read together: {}</p>",
                esc(&e)
            );
        }
        None => {}
    }
    o
}
