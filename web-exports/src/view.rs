//! The page's "Verification" section, rendered here as HTML so that reading reports
//! adds nothing to the main bundle (the page inserts it as is).
//!
//! It is display only: the reports loaded, what to fix first (the core's
//! [`fixes`](portplan_core::fixes::fixes): each failing flow with its firewall rule in
//! every dialect, then the flows that need attention), a summary by phase and host pair,
//! and every plan flow with each port's verdict, reason, latency and detail. Several
//! reports are merged first, as `portplan merge` would. Every text from a file is escaped.

use crate::verdicts::{self, entries, tally, worst};
use portplan_core::export::{self, port_label};
use portplan_core::fixes::fixes as core_fixes;
use portplan_core::report::{FlowReport, ProbeResult, Report, Status};
use portplan_core::{Flow, Plan};
use std::fmt::Write;

/// Escapes text for HTML content and double-quoted attributes.
pub use portplan_core::export::markup::escape as esc;

fn dir(f: &Flow) -> String {
    format!("{} → {}", f.from, f.to)
}

/// `TCP 3725: open (syn-ack, 0.4 ms) NetBIOS WEB01`.
pub fn probe_text(p: &ProbeResult) -> String {
    let mut t = p.protocol.as_str().to_ascii_uppercase();
    match (p.port, p.through) {
        (Some(port), Some(last)) => {
            let _ = write!(t, " {port}-{last} ({} ports)", p.port_count());
        }
        (Some(port), None) => {
            let _ = write!(t, " {port}");
        }
        _ => {}
    }
    let _ = write!(t, ": {} ({}", p.verdict, p.reason);
    if let Some(ms) = p.latency_ms {
        let _ = write!(t, ", {ms:.1} ms");
    }
    if p.attempts > 1 {
        let _ = write!(t, ", {} attempts", p.attempts);
    }
    t.push(')');
    if !p.detail.is_empty() {
        let _ = write!(t, " {}", p.detail);
    }
    t
}

fn status_name(s: Option<Status>) -> &'static str {
    s.map_or("not checked", Status::as_str)
}

fn reports_list(o: &mut String, plan: &Plan, texts: &[String], names: &[String]) {
    o.push_str("<ul class=\"reports\">");
    for (i, r) in verdicts::read(plan, texts).iter().enumerate() {
        let name = esc(names.get(i).map_or("report", String::as_str));
        match r {
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

fn fix_item(o: &mut String, f: &Flow, status: Status, text: &str, hint: &str) {
    let _ = write!(
        o,
        "<li class=\"fix\" data-status=\"{s}\" data-rule=\"{rule}\" data-dir=\"{d}\"><span class=\"status status-{s}\">{s}</span> <strong>{label}</strong> {d} ({purpose}): {text} <span class=\"hint\">{hint}</span>",
        s = status.as_str(),
        rule = esc(&f.rule),
        d = esc(&dir(f)),
        label = esc(&port_label(f)),
        purpose = esc(&f.purpose),
        text = esc(text),
        hint = esc(hint)
    );
}

/// The failing flows with the rule that lets each through (the core's fixes), then
/// the flows that need attention with their hint (their path is open: no rule).
fn fixes(o: &mut String, plan: &Plan, report: &Report) {
    let fixes = core_fixes(plan, report);
    let attention: Vec<(&Flow, &FlowReport)> = plan
        .flows
        .iter()
        .flat_map(|f| {
            entries(std::slice::from_ref(report), f)
                .into_iter()
                .map(move |e| (f, e))
        })
        .filter(|(_, e)| e.status == Status::Attention)
        .collect();
    o.push_str("<h3>What to fix</h3>");
    if fixes.is_empty() && attention.is_empty() {
        o.push_str("<p class=\"fixes-none\">Every checked flow passed.</p>");
        return;
    }
    o.push_str("<ol class=\"fixes\">");
    for fx in &fixes {
        fix_item(
            o,
            &fx.flow,
            Status::Fail,
            &format!("{} on {}'s firewall.", fx.summary, fx.host),
            &fx.hint,
        );
        o.push_str("<details class=\"fix-rules\"><summary>The rule, per firewall</summary>");
        for (d, rule) in &fx.rules {
            let _ = write!(
                o,
                "<p class=\"dialect\">{}</p><pre class=\"rule\" data-dialect=\"{}\">{}</pre>",
                d.as_str(),
                d.as_str(),
                esc(rule)
            );
        }
        o.push_str("</details></li>");
    }
    for (f, e) in attention {
        fix_item(o, f, e.status, "", &e.hint);
        o.push_str("</li>");
    }
    o.push_str("</ol>");
}

fn summary(o: &mut String, plan: &Plan, reports: &[Report]) {
    o.push_str("<h3>By phase and host pair</h3><table class=\"summary\"><thead><tr><th>Phase</th><th>Hosts</th><th>Pass</th><th>Attention</th><th>Fail</th><th>Not checked</th></tr></thead><tbody>");
    for (phase, pairs) in export::grouped(plan) {
        for g in pairs {
            let [pass, attention, fail, unchecked] = tally(reports, g.flows.iter().copied());
            let _ = write!(
                o,
                "<tr data-phase=\"{p}\" data-pair=\"{pair}\"><td>{title}</td><td>{pair}</td><td class=\"n-pass\">{pass}</td><td class=\"n-attention\">{attention}</td><td class=\"n-fail\">{fail}</td><td class=\"n-unchecked\">{unchecked}</td></tr>",
                p = phase.as_str(),
                title = esc(phase.title()),
                pair = esc(&format!("{} → {}", g.from, g.to)),
            );
        }
    }
    o.push_str("</tbody></table>");
}

fn flows(o: &mut String, plan: &Plan, reports: &[Report]) {
    o.push_str("<h3>Every flow</h3><table class=\"verdicts\"><thead><tr><th>Status</th><th>Flow</th><th>Direction</th><th>Purpose</th><th>Per port: verdict (reason, latency) detail</th></tr></thead><tbody>");
    for f in &plan.flows {
        let es = entries(reports, f);
        let s = status_name(worst(&es));
        let _ = write!(
            o,
            "<tr class=\"verdict-flow\" data-status=\"{s}\" data-rule=\"{rule}\" data-dir=\"{d}\"><td class=\"status status-{cls}\">{s}</td><td>{label}</td><td>{d}</td><td>{purpose}</td><td><ul class=\"probes\">",
            cls = s.replace(' ', "-"),
            rule = esc(&f.rule),
            d = esc(&dir(f)),
            label = esc(&port_label(f)),
            purpose = esc(&f.purpose),
        );
        for p in es.iter().flat_map(|e| e.probes.iter()) {
            let _ = write!(
                o,
                "<li class=\"probe\" data-verdict=\"{}\">{}</li>",
                esc(p.verdict.as_str()),
                esc(&probe_text(p))
            );
        }
        if es.is_empty() {
            // The check that would cover it runs on the host that opens the flow.
            let _ = write!(
                o,
                "<li class=\"not-checked\">No report covers this flow: run <code>portplan check --from {h}</code> on {h} and load its report.</li>",
                h = esc(&f.from)
            );
        }
        o.push_str("</ul></td></tr>");
    }
    o.push_str("</tbody></table>");
}

/// The whole section for the reports `texts` (file names in `names`) over `plan`.
pub fn render(plan: &Plan, texts: &[String], names: &[String]) -> String {
    let mut o = String::with_capacity(8192);
    reports_list(&mut o, plan, texts, names);
    match verdicts::fleet(plan, texts, names) {
        Some(Ok(report)) => {
            fixes(&mut o, plan, &report);
            let reports = [report];
            summary(&mut o, plan, &reports);
            flows(&mut o, plan, &reports);
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
