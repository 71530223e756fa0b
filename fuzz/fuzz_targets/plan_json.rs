//! Plan JSON written on another host: parsing and every renderer that takes a plan
//! (tables, CSVs, the firewall dialects, SVG, PDF) must never panic, and an accepted plan
//! must round-trip.
#![no_main]
use libfuzzer_sys::fuzz_target;
use portplan_core::export::{change_csv, csv, firewall, markdown, pdf, svg, table};
use portplan_core::Plan;

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else { return };
    let Ok(plan) = Plan::from_json(text) else { return };
    let _ = table::render(&plan);
    let _ = markdown::render(&plan);
    let _ = csv::render(&plan);
    let _ = change_csv::render(&plan);
    let _ = firewall::powershell::render(&plan);
    let _ = firewall::netsh::render(&plan);
    let _ = firewall::nftables::render(&plan);
    let _ = firewall::iptables::render(&plan);
    let _ = firewall::firewalld::render(&plan);
    let _ = svg::render(&plan, None);
    let _ = pdf::render(&plan, &pdf::PdfOptions::new("2026-01-01"));
    let _ = plan.digest();
    assert_eq!(Plan::from_json(&plan.to_json()).ok().as_ref(), Some(&plan));
});
