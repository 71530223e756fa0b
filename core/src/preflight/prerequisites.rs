//! The vendor's host prerequisites as data: what `preflight` checks on a host, the
//! vendor's words and page behind each, and the fix in the host's own dialect.
//!
//! Quotes are verbatim. Those from `reference/` are checked against it by a test; the
//! ones marked [`QuoteFrom::Issue26`] are the vendor's words as issue 26 quotes them from
//! the Migrate 2019.8/2020.2 "access-comm" pages, which `reference/` does not store: the
//! report says so beside them.

use crate::rules::pages;
use crate::types::{Os, Product, Role, Version};

/// Where a prerequisite's quote was checked.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum QuoteFrom {
    /// `reference/tid-7920341-port-requirements.txt`.
    Tid,
    /// `reference/vendor-pages.md`, under the page's heading.
    VendorPages,
    /// Issue 26's quotation of the page (not stored in `reference/`).
    Issue26,
}

impl QuoteFrom {
    pub const fn as_str(self) -> &'static str {
        match self {
            QuoteFrom::Tid => "reference/tid-7920341-port-requirements.txt",
            QuoteFrom::VendorPages => "reference/vendor-pages.md",
            QuoteFrom::Issue26 => "issue 26's quotation (page not stored in reference/)",
        }
    }
}

/// One prerequisite of a host.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Prerequisite {
    pub id: &'static str,
    pub product: Product,
    /// First version it applies to (`None`: every version).
    pub since: Option<&'static str>,
    /// The host's system (`None`: any).
    pub os: Option<Os>,
    pub roles: &'static [Role],
    /// What is checked, in words.
    pub check: &'static str,
    pub quote: &'static str,
    pub page: &'static str,
    pub quote_from: QuoteFrom,
    /// The fix, in the host's dialect (cmd/PowerShell on Windows, a shell on Linux).
    pub fix: &'static str,
    /// Where hardening guides forbid the fix, and the alternative.
    pub caveat: Option<&'static str>,
    /// For "not blocked inbound" prerequisites: the TCP port whose planned flows to the
    /// host decide it (judged from those flows by the section module).
    pub inbound_port: Option<u16>,
}

const WINDOWS_SOURCE: &[Role] = &[Role::Source, Role::VirtualizationHost];
const SOURCE: &[Role] = &[Role::Source];
const SERVER: &[Role] = &[Role::Server];

/// The table. One entry per fact; the CLI looks entries up by id.
pub const PREREQUISITES: &[Prerequisite] = &[
    Prerequisite {
        id: "windows.file-and-printer-sharing",
        product: Product::Migrate,
        since: None,
        os: Some(Os::Windows),
        roles: WINDOWS_SOURCE,
        check: "the Windows Firewall rule group File and Printer Sharing (@FirewallAPI.dll,-28502) is enabled inbound on the active profile",
        quote: "The Windows Firewall configured to allow File and Printer Sharing … (NB-Datagram-In) (NB-Name-In) (NB-Session-In) (SMB-In)",
        page: pages::ACCESS_2020_2,
        quote_from: QuoteFrom::Issue26,
        fix: "netsh advfirewall firewall set rule group=\"@FirewallAPI.dll,-28502\" new enable=Yes",
        inbound_port: None,
        caveat: None,
    },
    Prerequisite {
        id: "windows.wmi-in",
        product: Product::Migrate,
        since: None,
        os: Some(Os::Windows),
        roles: WINDOWS_SOURCE,
        check: "the Windows Firewall rule group Windows Management Instrumentation (@FirewallAPI.dll,-34251) is enabled inbound on the active profile, and the Winmgmt service runs",
        quote: "plus WMI-In",
        page: pages::ACCESS_2020_2,
        quote_from: QuoteFrom::Issue26,
        fix: "netsh advfirewall firewall set rule group=\"@FirewallAPI.dll,-34251\" new enable=Yes & sc config Winmgmt start= auto & net start Winmgmt",
        inbound_port: None,
        caveat: None,
    },
    Prerequisite {
        id: "windows.admin-share",
        product: Product::Migrate,
        since: None,
        os: Some(Os::Windows),
        roles: WINDOWS_SOURCE,
        check: "the Admin$ share exists: the Server service (LanmanServer) runs and AutoShareServer/AutoShareWks is not 0",
        quote: "the built-in Administrator or a domain admin with access to Admin$",
        page: pages::ACCESS_2020_2,
        quote_from: QuoteFrom::Issue26,
        fix: "reg add HKLM\\SYSTEM\\CurrentControlSet\\Services\\LanmanServer\\Parameters /v AutoShareServer /t REG_DWORD /d 1 /f & reg add HKLM\\SYSTEM\\CurrentControlSet\\Services\\LanmanServer\\Parameters /v AutoShareWks /t REG_DWORD /d 1 /f & sc config LanmanServer start= auto & net stop LanmanServer /y & net start LanmanServer",
        inbound_port: None,
        caveat: None,
    },
    Prerequisite {
        id: "windows.local-account-token-filter",
        product: Product::Migrate,
        since: Some("2019.8"),
        os: Some(Os::Windows),
        roles: WINDOWS_SOURCE,
        check: "LocalAccountTokenFilterPolicy is 1 under HKLM\\SOFTWARE\\Microsoft\\Windows\\CurrentVersion\\Policies\\System, when discovery uses a local administrator account other than the built-in Administrator",
        quote: "from 2019.8 `LocalAccountTokenFilterPolicy=1` for local administrator accounts",
        page: pages::ACCESS_2020_2,
        quote_from: QuoteFrom::Issue26,
        fix: "reg add HKLM\\SOFTWARE\\Microsoft\\Windows\\CurrentVersion\\Policies\\System /v LocalAccountTokenFilterPolicy /t REG_DWORD /d 1 /f",
        inbound_port: None,
        caveat: Some("CIS benchmarks set LocalAccountTokenFilterPolicy=0 (UAC restrictions for local accounts on network logons); where they apply, discover with a domain account or the built-in Administrator instead of changing it"),
    },
    Prerequisite {
        id: "windows.rpc-dynamic-range",
        product: Product::Migrate,
        since: None,
        os: Some(Os::Windows),
        roles: WINDOWS_SOURCE,
        check: "the ports RPC hands out (the system's dynamic range, or the Rpc\\Internet restriction of KB 154596) lie inside the dynamic range the plan opens to this host",
        quote: "WMI (RPC/DCOM) may use TCP ports 135 and 445 as well as random/dynamically assigned ports above 1024.",
        page: pages::TID,
        quote_from: QuoteFrom::Tid,
        fix: "netsh int ipv4 set dynamicport tcp start=49152 num=16384   # or open the restricted Rpc\\Internet ports in the firewall instead",
        inbound_port: None,
        caveat: None,
    },
    Prerequisite {
        id: "linux.sshd",
        product: Product::Migrate,
        since: None,
        os: Some(Os::Linux),
        roles: SOURCE,
        check: "an SSH server listens on TCP 22",
        quote: "SSH Port used when discovering Linux servers",
        page: pages::TID,
        quote_from: QuoteFrom::Tid,
        fix: "systemctl enable --now sshd   # ssh on Debian and Ubuntu",
        inbound_port: None,
        caveat: None,
    },
    Prerequisite {
        id: "linux.replication-port-free",
        product: Product::Migrate,
        since: None,
        os: Some(Os::Linux),
        roles: SOURCE,
        check: "no other program already listens on TCP 3725, the replication port the source listens on",
        quote: "The source listens for traffic on the replication port (default TCP/3725). The replication port must be open for inbound traffic on the source workload.",
        page: pages::DIRECTION,
        quote_from: QuoteFrom::VendorPages,
        fix: "ss -ltnp 'sport = :3725'   # find the program holding 3725, then stop it or move it",
        inbound_port: None,
        caveat: None,
    },
    Prerequisite {
        id: "server.http",
        product: Product::Migrate,
        since: None,
        os: None,
        roles: SERVER,
        check: "TCP 80 is not blocked inbound on the PlateSpin server",
        quote: "80 TCP - For HTTP communication between the PlateSpin Server and the source/target machines.",
        page: pages::TID,
        quote_from: QuoteFrom::Tid,
        fix: "netsh advfirewall firewall add rule name=\"PlateSpin HTTP\" dir=in action=allow protocol=TCP localport=80",
        inbound_port: Some(80),
        caveat: None,
    },
    Prerequisite {
        id: "server.https",
        product: Product::Migrate,
        since: None,
        os: None,
        roles: SERVER,
        check: "TCP 443 is not blocked inbound on the PlateSpin server",
        quote: "443 TCP - For HTTPS communication ( for version 11.x and above) between the PlateSpin Server and the source/target machines.",
        page: pages::TID,
        quote_from: QuoteFrom::Tid,
        fix: "netsh advfirewall firewall add rule name=\"PlateSpin HTTPS\" dir=in action=allow protocol=TCP localport=443",
        inbound_port: Some(443),
        caveat: None,
    },
    Prerequisite {
        id: "server.stomp",
        product: Product::Migrate,
        since: Some("2019.5"),
        os: None,
        roles: SERVER,
        check: "TCP 61613 is not blocked inbound on the PlateSpin server when Migrate Connectors exist",
        quote: "open TCP port 61613 for incoming STOMP traffic on the Migrate server host",
        page: pages::RABBITMQ,
        quote_from: QuoteFrom::VendorPages,
        fix: "netsh advfirewall firewall add rule name=\"PlateSpin STOMP\" dir=in action=allow protocol=TCP localport=61613",
        inbound_port: Some(61613),
        caveat: None,
    },
];

/// The prerequisites of a host of `role` running `os` in a plan of `product` `version`.
pub fn for_host(
    product: Product,
    version: &str,
    os: Option<Os>,
    role: Role,
) -> Vec<&'static Prerequisite> {
    let v = Version::parse(version);
    PREREQUISITES
        .iter()
        .filter(|p| p.product == product && p.roles.contains(&role))
        .filter(|p| p.os.is_none() || p.os == os)
        .filter(|p| match (p.since.and_then(Version::parse), &v) {
            (Some(since), Some(v)) => *v >= since,
            (Some(_), None) => false,
            (None, _) => true,
        })
        .collect()
}

/// A prerequisite by id.
pub fn prerequisite(id: &str) -> Option<&'static Prerequisite> {
    PREREQUISITES.iter().find(|p| p.id == id)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn norm(s: &str) -> String {
        s.split_whitespace().collect::<Vec<_>>().join(" ")
    }

    #[test]
    fn every_quote_from_reference_is_there_verbatim() {
        let tid = norm(include_str!(
            "../../../reference/tid-7920341-port-requirements.txt"
        ));
        let pages_md = include_str!("../../../reference/vendor-pages.md");
        for p in PREREQUISITES {
            let ok = match p.quote_from {
                QuoteFrom::Tid => tid.contains(&norm(p.quote)),
                QuoteFrom::VendorPages => {
                    let section = pages_md
                        .split("\n## ")
                        .find(|s| s.starts_with(p.page))
                        .unwrap_or_else(|| panic!("{}: no section for {}", p.id, p.page));
                    norm(section).contains(&norm(p.quote))
                }
                QuoteFrom::Issue26 => !p.quote.is_empty(),
            };
            assert!(
                ok,
                "{}: {:?} is not in {}",
                p.id,
                p.quote,
                p.quote_from.as_str()
            );
        }
    }

    #[test]
    fn hosts_get_the_prerequisites_of_their_system_role_and_version() {
        let ids = |v: &str, os, role| -> Vec<&str> {
            for_host(Product::Migrate, v, os, role)
                .iter()
                .map(|p| p.id)
                .collect()
        };
        let w = ids("2020.2", Some(Os::Windows), Role::Source);
        assert!(w.contains(&"windows.local-account-token-filter"), "{w:?}");
        let old = ids("2019.5", Some(Os::Windows), Role::Source);
        assert!(
            !old.contains(&"windows.local-account-token-filter"),
            "{old:?}"
        );
        assert_eq!(
            ids("2020.2", Some(Os::Linux), Role::Source),
            ["linux.sshd", "linux.replication-port-free"]
        );
        assert_eq!(
            ids("2019.2", None, Role::Server),
            ["server.http", "server.https"]
        );
        let latfp = prerequisite("windows.local-account-token-filter").expect("entry");
        assert!(latfp.caveat.is_some_and(|c| c.contains("CIS")));
        assert!(latfp.fix.starts_with("reg add "));
    }
}
