//! The lab itself: namespaces appear, are linked, and vanish on drop.

use portplan_tests::netns::{sh, Lab};

fn listed(ns: &str) -> bool {
    String::from_utf8_lossy(&sh(&["ip", "netns", "list"]).stdout)
        .lines()
        .any(|l| l.split_whitespace().next() == Some(ns))
}

#[test]
fn lab_links_hosts_and_cleans_up() {
    let ns_a;
    {
        let mut lab = Lab::new("lab");
        ns_a = lab.host("a");
        lab.host("b");
        let (ia, ib) = lab.link("a", "b");
        assert!(listed(&ns_a));
        let addrs = String::from_utf8_lossy(
            &lab.cmd("b", "ip")
                .args(["-4", "addr"])
                .output()
                .expect("ip addr")
                .stdout,
        )
        .to_string();
        assert!(addrs.contains(&ib), "{addrs}");
        assert_ne!(ia, ib);
        lab.nft("b", "table inet t {\n chain input {\n  type filter hook input priority 0; policy accept;\n  tcp dport 3725 drop\n }\n}\n");
        let rules = String::from_utf8_lossy(
            &lab.cmd("b", "nft")
                .args(["list", "ruleset"])
                .output()
                .expect("nft")
                .stdout,
        )
        .to_string();
        assert!(rules.contains("3725"), "{rules}");
    }
    assert!(!listed(&ns_a), "namespace {ns_a} survived the lab");
}
