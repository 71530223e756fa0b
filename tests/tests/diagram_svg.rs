//! The SVG of the network diagram: well-formed XML, byte-stable snapshots of every
//! shipped example, and — read back from the SVG alone — the ports between any two hosts
//! and the phases of every arrow are exactly the plan's.

use portplan_core::diagram::{self, Overlay, Signal};
use portplan_core::export::svg;
use portplan_core::{Plan, Protocol, Scenario};
use std::collections::BTreeMap;

const EXAMPLES: &[&str] = &[
    "windows-file",
    "wave-5",
    "wave-50",
    "migrate-2020",
    "legacy-block",
    "azure-nat",
    "protect",
    "vmware-wave",
];

fn plan(name: &str) -> Plan {
    let path = portplan_tests::example(&format!("{name}.json"));
    let text = std::fs::read_to_string(path).expect("example");
    Plan::build(&Scenario::from_json(&text).expect("scenario")).expect("plan")
}

fn parse(svg: &str) -> roxmltree::Document<'_> {
    let doc =
        roxmltree::Document::parse(svg).unwrap_or_else(|e| panic!("not well-formed XML: {e}"));
    let root = doc.root_element();
    assert_eq!(root.tag_name().name(), "svg");
    assert_eq!(
        root.tag_name().namespace(),
        Some("http://www.w3.org/2000/svg")
    );
    doc
}

/// All text below a node, one `<text>` element per entry.
fn lines(node: roxmltree::Node<'_, '_>) -> Vec<String> {
    node.descendants()
        .filter(|n| n.has_tag_name("text"))
        // Text nodes of a <text> are its own and its <tspan>s', in order.
        .map(|t| {
            t.descendants()
                .filter(|d| d.is_text())
                .filter_map(|d| d.text())
                .collect()
        })
        .collect()
}

/// Port intervals per protocol, merged; ICMP as (icmp, 0, 0).
type Intervals = Vec<(Protocol, u32, u32)>;

fn merged(mut v: Intervals) -> Intervals {
    v.sort();
    let mut out: Intervals = Vec::new();
    for (p, a, b) in v {
        match out.last_mut() {
            Some(l) if l.0 == p && a <= l.2 + 1 => l.2 = l.2.max(b),
            _ => out.push((p, a, b)),
        }
    }
    out
}

/// Reads `TCP 135, 139, 49152-65535 · UDP 137-138 · ICMP` (possibly wrapped) back.
fn read_label(text: &str) -> Intervals {
    let mut proto = None;
    let mut out = Vec::new();
    for tok in text
        .split(|c: char| c == ',' || c == '·' || c.is_whitespace())
        .filter(|t| !t.is_empty())
    {
        match tok {
            "TCP" => proto = Some(Protocol::Tcp),
            "UDP" => proto = Some(Protocol::Udp),
            "ICMP" => out.push((Protocol::Icmp, 0, 0)),
            _ => {
                let (a, b) = tok.split_once('-').unwrap_or((tok, tok));
                let p =
                    proto.unwrap_or_else(|| panic!("port {tok:?} before a protocol in {text:?}"));
                out.push((p, a.parse().expect("port"), b.parse().expect("port")));
            }
        }
    }
    merged(out)
}

#[test]
fn every_example_renders_well_formed_svg_matching_its_snapshot() {
    for name in EXAMPLES {
        let p = plan(name);
        let out = svg::render(&p, None);
        parse(&out);
        assert_eq!(out, svg::render(&p, None), "{name}: same plan, same bytes");
        insta::assert_snapshot!(format!("diagram_{name}"), out);
    }
    let p = plan("migrate-2020");
    let mut o = Overlay::new();
    for (i, f) in p.flows.iter().enumerate() {
        let s = [
            Signal::Pass,
            Signal::Pass,
            Signal::Closed,
            Signal::Pass,
            Signal::Filtered,
        ][i % 5];
        o.insert(&f.from, &f.to, f.protocol, f.ports.map(|r| r.first), s);
    }
    let out = svg::render(&p, Some(&o));
    parse(&out);
    insta::assert_snapshot!("diagram_migrate-2020_overlay", out);
}

#[test]
fn a_reader_can_name_the_ports_and_phases_between_any_two_hosts_from_the_svg() {
    for name in EXAMPLES {
        let p = plan(name);
        let out = svg::render(&p, None);
        let doc = parse(&out);
        // Which box each host is drawn in (collapsed boxes hold many).
        let mut box_of: BTreeMap<String, usize> = BTreeMap::new();
        for (i, g) in doc
            .descendants()
            .filter(|n| n.attribute("class") == Some("host"))
            .enumerate()
        {
            for h in g.attribute("data-hosts").unwrap_or("").split(' ') {
                assert!(
                    box_of.insert(h.to_string(), i).is_none(),
                    "{name}: {h} drawn twice"
                );
            }
        }
        let mut drawn: BTreeMap<(usize, usize), (Intervals, Vec<String>)> = BTreeMap::new();
        for g in doc
            .descendants()
            .filter(|n| n.attribute("class") == Some("flow"))
        {
            let from = box_of[g.attribute("data-from").unwrap_or("")];
            let to = box_of[g.attribute("data-to").unwrap_or("")];
            let ports = read_label(&lines(g).join(" "));
            let phases = g
                .descendants()
                .filter(|n| n.has_tag_name("circle"))
                .filter_map(|c| {
                    c.descendants()
                        .find(|d| d.has_tag_name("title"))
                        .and_then(|t| t.text())
                })
                .map(str::to_string)
                .collect();
            assert!(
                drawn.insert((from, to), (ports, phases)).is_none(),
                "{name}: two arrows {from} -> {to}"
            );
        }
        let mut expected: BTreeMap<(&str, &str), (Intervals, Vec<String>)> = BTreeMap::new();
        for f in &p.flows {
            let e = expected.entry((&f.from, &f.to)).or_default();
            e.0.push(match f.ports {
                Some(r) => (f.protocol, r.first.get().into(), r.last.get().into()),
                None => (Protocol::Icmp, 0, 0),
            });
            let title = f.phase.title().to_string();
            if !e.1.contains(&title) {
                e.1.push(title);
            }
        }
        let mut pairs_seen = 0;
        for ((from, to), (ports, phases)) in expected {
            let key = (box_of[from], box_of[to]);
            let (got_ports, got_phases) = drawn
                .get(&key)
                .unwrap_or_else(|| panic!("{name}: no arrow {from} -> {to}"));
            assert_eq!(got_ports, &merged(ports), "{name}: ports {from} -> {to}");
            assert_eq!(got_phases, &phases, "{name}: phases {from} -> {to}");
            pairs_seen += 1;
        }
        assert!(pairs_seen >= drawn.len(), "{name}: arrows without flows");
    }
}

#[test]
fn verdicts_color_the_arrow_and_each_port() {
    let p = plan("windows-file");
    let mut o = Overlay::new();
    for f in p
        .flows
        .iter()
        .filter(|f| f.from == "ps01" && f.to == "web01")
    {
        let s = match f.ports.map(|r| r.first.get()) {
            Some(445) => Signal::Filtered,
            Some(135) => Signal::Closed,
            _ => Signal::Pass,
        };
        o.insert(&f.from, &f.to, f.protocol, f.ports.map(|r| r.first), s);
    }
    let out = svg::render(&p, Some(&o));
    let doc = parse(&out);
    let g = doc
        .descendants()
        .find(|n| {
            n.attribute("data-from") == Some("ps01") && n.attribute("data-to") == Some("web01")
        })
        .expect("arrow ps01 -> web01");
    let stroke = g
        .children()
        .find(|n| n.has_tag_name("line"))
        .and_then(|l| l.attribute("stroke"));
    assert_eq!(stroke, Some(diagram::status_color(Signal::Filtered)));
    let colored: BTreeMap<&str, &str> = g
        .descendants()
        .filter(|n| n.has_tag_name("tspan"))
        .map(|t| (t.text().unwrap_or(""), t.attribute("fill").unwrap_or("")))
        .collect();
    assert_eq!(
        colored.get("445"),
        Some(&diagram::status_color(Signal::Filtered))
    );
    assert_eq!(
        colored.get("135"),
        Some(&diagram::status_color(Signal::Closed))
    );
    assert_eq!(
        colored.get("49152-65535"),
        Some(&diagram::status_color(Signal::Pass))
    );
    // Unprobed arrows are grey, and the legend explains all four colors.
    let other = doc
        .descendants()
        .find(|n| n.attribute("data-from") == Some("web01"))
        .expect("arrow from web01");
    let stroke = other
        .children()
        .find(|n| n.has_tag_name("line"))
        .and_then(|l| l.attribute("stroke"));
    assert_eq!(stroke, Some(diagram::status_color(Signal::Unknown)));
    let legend = doc
        .descendants()
        .find(|n| n.attribute("class") == Some("legend"))
        .expect("legend");
    let texts = lines(legend);
    for s in Signal::ALL {
        assert!(
            texts.iter().any(|t| t == s.legend()),
            "legend lacks {:?}: {texts:?}",
            s.legend()
        );
    }
}

#[test]
fn host_names_are_escaped() {
    let mut p = plan("windows-file");
    let evil = r#"a&b<c>"d'"#;
    for f in &mut p.flows {
        if f.to == "web01" {
            f.to = evil.into();
        }
        if f.from == "web01" {
            f.from = evil.into();
        }
    }
    for h in &mut p.hosts {
        if h.name == "web01" {
            h.name = evil.into();
        }
    }
    let out = svg::render(&p, None);
    let doc = parse(&out);
    assert!(doc
        .descendants()
        .any(|n| n.attribute("data-to") == Some(evil)));
    assert!(doc.descendants().any(|n| n.text() == Some(evil)));
}
