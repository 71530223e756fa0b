//! Geometry of the network diagram: nothing overlaps, every text fits its box, every
//! arrow runs between its two boxes without crossing another, identical workloads
//! collapse. Checked on the computed rectangles for the shipped examples (1, 3, 5 and
//! 50 workloads), with and without a verdict overlay, and on random scenarios.

use portplan_core::diagram::{self, Diagram, Overlay, Rect, Signal};
use portplan_core::{Plan, Port, Scenario};
use proptest::prelude::*;

fn scenario(name: &str) -> Scenario {
    let text = std::fs::read_to_string(portplan_tests::example(name)).expect("example");
    Scenario::from_json(&text).expect("valid example")
}

fn plan(name: &str) -> Plan {
    Plan::build(&scenario(name)).expect("plannable example")
}

/// An overlay giving the flows every verdict in turn, so labels split into many colors.
fn mixed_overlay(plan: &Plan) -> Overlay {
    let mut o = Overlay::new();
    for (i, f) in plan.flows.iter().enumerate() {
        let s = Signal::ALL[i % Signal::ALL.len()];
        o.insert(&f.from, &f.to, f.protocol, f.ports.map(|r| r.first), s);
    }
    o
}

/// Every geometric promise of the layout; panics with the offending items.
fn assert_clean(what: &str, d: &Diagram) {
    let canvas = Rect {
        x: 0,
        y: 0,
        w: d.width,
        h: d.height,
    };
    for (i, a) in d.boxes.iter().enumerate() {
        assert!(
            canvas.contains(&a.rect),
            "{what}: box {:?} leaves the canvas",
            a.hosts
        );
        for t in &a.texts {
            assert!(
                a.rect.contains(&t.bounds()),
                "{what}: {:?} overflows its box {:?}",
                t.content(),
                a.rect
            );
        }
        for b in &d.boxes[i + 1..] {
            assert!(
                !a.rect.overlaps(&b.rect),
                "{what}: boxes {:?} and {:?} overlap",
                a.hosts,
                b.hosts
            );
        }
    }
    for (i, a) in d.arrows.iter().enumerate() {
        let l = &a.label.rect;
        let name = format!("{what}: label {} -> {} {:?}", a.from, a.to, a.label_text());
        assert!(canvas.contains(l), "{name} leaves the canvas");
        for t in &a.label.lines {
            assert!(
                l.contains(&t.bounds()),
                "{name}: text {:?} overflows {l:?}",
                t.bounds()
            );
        }
        for b in &d.boxes {
            assert!(!l.overlaps(&b.rect), "{name} overlaps box {:?}", b.hosts);
        }
        for (j, b) in d.arrows.iter().enumerate() {
            if i != j {
                assert!(
                    !l.overlaps(&b.label.rect),
                    "{name} overlaps the label of {} -> {}",
                    b.from,
                    b.to
                );
                assert!(
                    !crosses(a.start.y, a.start.x, a.end.x, &b.label.rect),
                    "{what}: arrow {} -> {} runs through the label of {} -> {}",
                    a.from,
                    a.to,
                    b.from,
                    b.to
                );
            }
        }
        // Horizontal, from the edge of the opener's box to the edge of the acceptor's.
        assert_eq!(a.start.y, a.end.y, "{name}: not horizontal");
        let from = d
            .boxes
            .iter()
            .position(|b| b.hosts.contains(&a.from) && on_edge(&b.rect, a.start.x, a.start.y));
        let to = d
            .boxes
            .iter()
            .position(|b| b.hosts.contains(&a.to) && on_edge(&b.rect, a.end.x, a.end.y));
        let (Some(from), Some(to)) = (from, to) else {
            panic!("{name}: arrow ends are not on the edges of their boxes");
        };
        for (k, b) in d.boxes.iter().enumerate() {
            if k != from && k != to {
                assert!(
                    !crosses(a.start.y, a.start.x, a.end.x, &b.rect),
                    "{name}: arrow runs through box {:?}",
                    b.hosts
                );
            }
        }
        assert!(
            l.bottom() <= a.start.y && a.start.y - l.bottom() < 12,
            "{name}: not just above its arrow"
        );
    }
    for t in d.texts.iter().chain(d.legend.iter().map(|e| &e.text)) {
        assert!(
            canvas.contains(&t.bounds()),
            "{what}: {:?} leaves the canvas",
            t.content()
        );
        for b in &d.boxes {
            assert!(
                !t.bounds().overlaps(&b.rect),
                "{what}: {:?} overlaps box {:?}",
                t.content(),
                b.hosts
            );
        }
    }
}

fn on_edge(r: &Rect, x: i32, y: i32) -> bool {
    (x == r.x || x == r.right()) && r.y < y && y < r.bottom()
}

/// Whether the horizontal segment at `y` from `x1` to `x2` enters the rectangle.
fn crosses(y: i32, x1: i32, x2: i32, r: &Rect) -> bool {
    let (lo, hi) = (x1.min(x2), x1.max(x2));
    r.y <= y && y <= r.bottom() && lo < r.right() && r.x < hi
}

#[test]
fn no_label_overlaps_another_box_in_the_examples() {
    for name in [
        "windows-file.json",
        "wave-5.json",
        "wave-50.json",
        "migrate-2020.json",
        "legacy-block.json",
        "azure-nat.json",
        "protect.json",
        "vmware-wave.json",
    ] {
        let p = plan(name);
        assert_clean(name, &diagram::layout(&p, None));
        assert_clean(
            &format!("{name} + overlay"),
            &diagram::layout(&p, Some(&mixed_overlay(&p))),
        );
    }
}

#[test]
fn every_host_pair_and_direction_is_one_arrow_in_the_small_examples() {
    for (name, arrows, boxes) in [
        // server -> esx01; server <-> web01; web01-t -> web01; web01-t -> server
        ("windows-file.json", 5, 4),
        // vc01, conn01; 3 x (server <-> source, target -> source, target -> server);
        // lnx01 (no target): server <-> source; dmz01 (agent): 3 arrows, all opened by it
        ("wave-5.json", 2 + 3 * 4 + 2 + 3, 12),
        ("migrate-2020.json", 3 + 1 + 4 + 4 + 3, 11),
    ] {
        let p = plan(name);
        let mut pairs: Vec<(&str, &str)> = p
            .flows
            .iter()
            .map(|f| (f.from.as_str(), f.to.as_str()))
            .collect();
        pairs.sort();
        pairs.dedup();
        let d = diagram::layout(&p, None);
        assert_eq!(d.arrows.len(), pairs.len(), "{name}");
        assert_eq!(d.arrows.len(), arrows, "{name}");
        assert_eq!(d.boxes.len(), boxes, "{name}: one box per host");
        assert_eq!(d.boxes.len(), p.hosts.len(), "{name}");
    }
}

#[test]
fn fifty_identical_workloads_collapse_into_one_box_each_side() {
    let d = diagram::layout(&plan("wave-50.json"), None);
    let titles: Vec<String> = d.boxes.iter().map(|b| b.texts[0].content()).collect();
    assert_eq!(
        titles,
        [
            "ps01",
            "esx01",
            "web01 … web50 (50)",
            "web01-t … web50-t (50)"
        ]
    );
    assert_eq!(d.boxes[2].hosts.len(), 50);
    assert_eq!(d.boxes[3].hosts[49], "web50-t");
    assert_eq!(
        d.arrows.len(),
        1 + 2 + 1 + 1,
        "esx01, server<->source, target->source, target->server"
    );
}

/// Workloads of wave-50, cut to `n`, with `odd` changed to an older Windows.
fn wave(n: usize, odd: Option<usize>) -> Plan {
    let mut s = scenario("wave-50.json");
    s.workloads.truncate(n);
    if let Some(i) = odd {
        s.workloads[i].windows = Some("2003".into());
    }
    Plan::build(&s).expect("plannable")
}

fn source_titles(d: &Diagram) -> Vec<String> {
    d.boxes
        .iter()
        .filter(|b| b.role == portplan_core::Role::Source)
        .map(|b| b.texts[0].content())
        .collect()
}

#[test]
fn collapsing_starts_above_the_threshold_and_keeps_odd_workloads_apart() {
    let t = diagram::COLLAPSE_THRESHOLD;
    assert_eq!(
        source_titles(&diagram::layout(&wave(t, None), None)).len(),
        t
    );
    assert_eq!(
        source_titles(&diagram::layout(&wave(t + 1, None), None)),
        [format!("web01 … web0{} ({})", t + 1, t + 1)]
    );
    // web07 on Windows 2003 uses other RPC ports: it stands alone, in its place.
    let d = diagram::layout(&wave(50, Some(6)), None);
    assert_eq!(source_titles(&d), ["web01 … web50 (49)", "web07"]);
    assert_clean("wave-50 with web07 on 2003", &d);
    let web07 = d
        .arrows
        .iter()
        .find(|a| a.from == "ps01" && a.to == "web07")
        .expect("arrow to web07");
    assert!(
        web07.label_text().contains("1025-5000"),
        "{}",
        web07.label_text()
    );
}

#[test]
fn a_workload_with_a_different_verdict_leaves_its_group() {
    let p = plan("wave-50.json");
    let mut o = Overlay::new();
    for f in &p.flows {
        let bad = f.to == "web13" && f.ports.map(|r| r.first.get()) == Some(445);
        let s = if bad { Signal::Filtered } else { Signal::Pass };
        o.insert(&f.from, &f.to, f.protocol, f.ports.map(|r| r.first), s);
    }
    let d = diagram::layout(&p, Some(&o));
    assert_eq!(source_titles(&d), ["web01 … web50 (49)", "web13"]);
    let a = d
        .arrows
        .iter()
        .find(|a| a.to == "web13")
        .expect("arrow to web13");
    assert_eq!(a.status, Some(Signal::Filtered));
    assert_eq!(a.color(), diagram::status_color(Signal::Filtered));
    let red: Vec<&str> = a
        .label
        .lines
        .iter()
        .flat_map(|l| &l.spans)
        .filter(|s| s.status == Some(Signal::Filtered))
        .map(|s| s.text.as_str())
        .collect();
    assert_eq!(red, ["445"]);
    let group = d
        .arrows
        .iter()
        .find(|a| a.to == "web01")
        .expect("arrow to the group");
    assert_eq!(group.status, Some(Signal::Pass));
}

#[test]
fn flows_that_fit_no_column_pair_are_drawn_between_repeated_boxes() {
    let mut p = plan("windows-file.json");
    let mut extra = p.flows[0].clone();
    extra.from = "esx01".into();
    extra.to = "web01".into();
    extra.ports = Port::new(902).map(portplan_core::PortRange::single);
    p.flows.push(extra);
    let d = diagram::layout(&p, None);
    assert_clean("windows-file + esx01 -> web01", &d);
    let aliases: Vec<&Vec<String>> = d
        .boxes
        .iter()
        .filter(|b| b.alias)
        .map(|b| &b.hosts)
        .collect();
    assert_eq!(
        aliases,
        [&vec!["esx01".to_string()], &vec!["web01".to_string()]]
    );
    let a = d
        .arrows
        .iter()
        .find(|a| a.from == "esx01" && a.to == "web01")
        .expect("odd arrow");
    assert_eq!(a.label_text(), "TCP 902");
}

#[test]
fn the_same_plan_gives_the_same_layout() {
    let p = plan("migrate-2020.json");
    let again = Plan::from_json(&p.to_json()).expect("round trip");
    assert_eq!(diagram::layout(&p, None), diagram::layout(&again, None));
}

fn workload(i: usize, kind: u8, target: bool) -> serde_json::Value {
    let mut w = match kind % 5 {
        0 => {
            serde_json::json!({"os": "windows", "windows": "2019", "transfer": "file", "drives": ["C"]})
        }
        1 => serde_json::json!({"os": "windows", "windows": "2003", "transfer": "vss-bbt"}),
        2 => serde_json::json!({"os": "linux"}),
        3 => serde_json::json!({"os": "windows", "windows": "2016", "agent": true}),
        _ => serde_json::json!({"os": "windows", "windows": "2012", "drives": ["C", "D", "E"]}),
    };
    w["name"] = format!("w{i:02}-with-a-longer-name-{kind}").into();
    w["address"] = format!("10.1.0.{}", i + 1).into();
    // An agent workload needs a container for its target (no X2P, Q7): left without one.
    if target && kind % 5 != 3 {
        w["target"] =
            serde_json::json!({"name": format!("t{i:02}"), "address": format!("10.2.0.{}", i + 1)});
    }
    w
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 40, ..ProptestConfig::default() })]
    #[test]
    fn random_scenarios_lay_out_cleanly(ws in proptest::collection::vec((0u8..5, any::<bool>()), 0..14), vhosts in 0usize..4, conn in any::<bool>()) {
        let platforms = ["vcenter", "hyper-v", "esxi", "azure"];
        // 2019.8: the last Migrate release whose guide lists Hyper-V hosts (Q13).
        let s = serde_json::json!({
            "format": 1, "product": "migrate", "version": "2019.8",
            "server": {"name": "ps01", "address": "10.0.0.5"},
            "hosts": (0..vhosts).map(|i| serde_json::json!({"name": format!("vh{i}"), "address": format!("10.0.9.{}", i + 1), "platform": platforms[i]})).collect::<Vec<_>>(),
            "connectors": if conn { vec![serde_json::json!({"name": "conn01", "address": "10.0.5.2"})] } else { vec![] },
            "workloads": ws.iter().enumerate().map(|(i, (k, t))| workload(i, *k, *t)).collect::<Vec<_>>(),
        });
        let p = Plan::build(&Scenario::from_json(&s.to_string()).expect("scenario")).expect("plan");
        assert_clean("random", &diagram::layout(&p, None));
        assert_clean("random + overlay", &diagram::layout(&p, Some(&mixed_overlay(&p))));
    }
}

#[test]
fn the_checker_catches_a_label_on_a_box_and_an_arrow_through_a_box() {
    let good = diagram::layout(&plan("windows-file.json"), None);
    let mut on_box = good.clone();
    on_box.arrows[0].label.rect.x = on_box.boxes[0].rect.x;
    let mut through = good.clone();
    through.arrows[0].end.x = through.width - 1;
    through.arrows[0].start.x = 1;
    for bad in [on_box, through] {
        let caught = std::panic::catch_unwind(|| assert_clean("mutated", &bad));
        assert!(caught.is_err(), "a broken layout passed the checks");
    }
}

#[test]
fn three_hundred_workloads_with_different_verdicts_stay_apart_and_clean() {
    let mut s = scenario("wave-50.json");
    let template = s.workloads[0].clone();
    s.workloads = (0..300)
        .map(|i| {
            let mut w = template.clone();
            w.name = format!("web{i:03}");
            w.address = format!("10.1.{}.{}", i / 200, i % 200 + 1);
            if let Some(t) = &mut w.target {
                t.name = format!("web{i:03}-t");
                t.address = format!("10.2.{}.{}", i / 200, i % 200 + 1);
            }
            w
        })
        .collect();
    let p = Plan::build(&s).expect("plan");
    // Four ports of workload i get the base-4 digits of i as verdicts: 256 distinct
    // combinations, so at most a few workloads can share a box.
    let mut o = Overlay::new();
    for f in &p.flows {
        let host = if f.from.starts_with("web") {
            &f.from
        } else {
            &f.to
        };
        let Some(i) = host.get(3..6).and_then(|n| n.parse::<usize>().ok()) else {
            continue; // esx01
        };
        let digit = match f.ports.map(|r| r.first.get()) {
            Some(445) => i % 4,
            Some(135) => i / 4 % 4,
            Some(139) => i / 16 % 4,
            Some(3725) => i / 64 % 4,
            _ => 0,
        };
        o.insert(
            &f.from,
            &f.to,
            f.protocol,
            f.ports.map(|r| r.first),
            Signal::ALL[digit],
        );
    }
    let started = std::time::Instant::now();
    let d = diagram::layout(&p, Some(&o));
    let svg = portplan_core::export::svg::render_diagram(&d);
    let took = started.elapsed();
    assert!(
        took < std::time::Duration::from_secs(5),
        "layout + SVG took {took:?}"
    );
    assert!(svg.len() > 100_000);
    let sources = source_titles(&d);
    assert!(sources.len() >= 256, "{} source boxes", sources.len());
    assert_clean("300 workloads, mixed verdicts", &d);
}
