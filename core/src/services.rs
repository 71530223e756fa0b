//! Service facts: which protocol confirmation a port gets, who runs the service behind
//! it (so a `closed` verdict gets the right advice), the ports that can never answer,
//! the dynamic RPC ranges and the Windows generations. The CLI's prober, its verdicts
//! and hints, and the page match on these values, never on port integers.
//!
//! ```
//! use portplan_core::services::{self, Confirmation};
//! use portplan_core::Protocol;
//! let smb = services::fact(Protocol::Tcp, 445).expect("a known service");
//! assert_eq!(smb.confirmation, Confirmation::Smb2);
//! assert!(services::fact(Protocol::Udp, 138).is_some_and(|f| f.never_answers()));
//! ```

use crate::types::{PortRange, Protocol, WindowsGeneration};

/// The protocol confirmation that proves the far end is the expected service.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Confirmation {
    /// An SSH identification banner (`SSH-2.0-…`).
    Ssh,
    /// An HTTP response to a `HEAD /`.
    Http,
    /// A TLS ServerHello.
    Tls,
    /// An SMB2 NEGOTIATE response, directly over TCP (445).
    Smb2,
    /// An SMB2 NEGOTIATE response after a NetBIOS session request (139).
    Smb2NetBios,
    /// A DCE/RPC bind to the endpoint mapper, and its list of dynamic ports.
    EndpointMapper,
    /// A NetBIOS node-status (NBSTAT) answer naming the host.
    NbStat,
    /// Nothing answers unsolicited datagrams there (the NetBIOS datagram service, UDP
    /// 138): silence is all a healthy host gives. See [`UDP_138_POLICY`].
    NeverAnswers,
}

/// Who runs the service, which decides what a `closed` port there means.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Owner {
    /// Windows itself: closed means its firewall rule group is off or the service is
    /// stopped, not that PlateSpin is missing.
    Windows {
        /// The Windows Firewall rule group that opens the port.
        firewall_group: &'static str,
        /// The Windows service that listens there.
        service: &'static str,
    },
    /// The operating system of a Linux workload (sshd).
    Linux { service: &'static str },
    /// The PlateSpin server's own web service (when the destination is the server).
    PlateSpinServer,
}

/// One service fact.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ServiceFact {
    pub protocol: Protocol,
    pub port: u16,
    /// How people name it in a hint (`SMB2`, `endpoint mapper`).
    pub name: &'static str,
    pub confirmation: Confirmation,
    pub owner: Owner,
}

impl ServiceFact {
    /// Whether the port never answers a probe (UDP 138).
    pub fn never_answers(&self) -> bool {
        self.confirmation == Confirmation::NeverAnswers
    }
}

const FILE_AND_PRINTER: &str = "File and Printer Sharing";

/// The table. One row per (protocol, port).
pub const SERVICES: &[ServiceFact] = &[
    ServiceFact {
        protocol: Protocol::Tcp,
        port: 22,
        name: "SSH",
        confirmation: Confirmation::Ssh,
        owner: Owner::Linux {
            service: "the SSH server (sshd)",
        },
    },
    ServiceFact {
        protocol: Protocol::Tcp,
        port: 80,
        name: "HTTP",
        confirmation: Confirmation::Http,
        owner: Owner::PlateSpinServer,
    },
    ServiceFact {
        protocol: Protocol::Tcp,
        port: 443,
        name: "TLS",
        confirmation: Confirmation::Tls,
        owner: Owner::PlateSpinServer,
    },
    ServiceFact {
        protocol: Protocol::Tcp,
        port: 135,
        name: "endpoint mapper",
        confirmation: Confirmation::EndpointMapper,
        owner: Owner::Windows {
            firewall_group: "Windows Management Instrumentation (WMI)",
            service: "Remote Procedure Call (RpcSs)",
        },
    },
    ServiceFact {
        protocol: Protocol::Tcp,
        port: 139,
        name: "SMB2",
        confirmation: Confirmation::Smb2NetBios,
        owner: Owner::Windows {
            firewall_group: FILE_AND_PRINTER,
            service: "Server (LanmanServer)",
        },
    },
    ServiceFact {
        protocol: Protocol::Tcp,
        port: 445,
        name: "SMB2",
        confirmation: Confirmation::Smb2,
        owner: Owner::Windows {
            firewall_group: FILE_AND_PRINTER,
            service: "Server (LanmanServer)",
        },
    },
    ServiceFact {
        protocol: Protocol::Udp,
        port: 137,
        name: "NetBIOS name service",
        confirmation: Confirmation::NbStat,
        owner: Owner::Windows {
            firewall_group: FILE_AND_PRINTER,
            service: "TCP/IP NetBIOS Helper (lmhosts)",
        },
    },
    ServiceFact {
        protocol: Protocol::Udp,
        port: 138,
        name: "NetBIOS datagram service",
        confirmation: Confirmation::NeverAnswers,
        owner: Owner::Windows {
            firewall_group: FILE_AND_PRINTER,
            service: "TCP/IP NetBIOS Helper (lmhosts)",
        },
    },
];

/// The fact for a port, if it is a known service.
pub fn fact(protocol: Protocol, port: u16) -> Option<&'static ServiceFact> {
    SERVICES
        .iter()
        .find(|f| f.protocol == protocol && f.port == port)
}

/// The confirmation a port gets, if any.
pub fn confirmation(protocol: Protocol, port: u16) -> Option<Confirmation> {
    fact(protocol, port).map(|f| f.confirmation)
}

/// The documented policy for UDP 138: it never answers (and `portplan listen` cannot
/// bind it on Windows, where the OS holds it), so silence is its healthy state. `check`
/// sends one datagram (no retry, no token round trip): an ICMP port unreachable reads
/// `closed`, an ICMP reject `filtered`, silence `open|filtered` with status **pass** —
/// a firewall that silently drops 138 cannot be told apart from the network, and the
/// hint says so.
pub const UDP_138_POLICY: &str = "UDP 138 (NetBIOS datagrams) never answers: silence is \
what a healthy Windows host gives, so it passes; a firewall that silently drops it looks \
the same, only an ICMP reject or port-unreachable shows";

/// The Windows generations and their dynamic RPC ranges (KB 929851).
pub const WINDOWS_GENERATIONS: &[(WindowsGeneration, PortRange, &str)] = &[
    (
        WindowsGeneration::Legacy,
        PortRange::lit(1025, 5000),
        "Windows 2003/XP and older: 1025-5000",
    ),
    (
        WindowsGeneration::Modern,
        PortRange::lit(49152, 65535),
        "Windows 2008/Vista and newer: 49152-65535",
    ),
];

/// The dynamic RPC range of a Windows generation and how to name it.
pub fn dynamic_rpc_range(g: WindowsGeneration) -> (PortRange, &'static str) {
    WINDOWS_GENERATIONS
        .iter()
        .find(|(gen, _, _)| *gen == g)
        .map_or(
            (
                PortRange::lit(49152, 65535),
                "Windows 2008/Vista and newer: 49152-65535",
            ),
            |(_, r, label)| (*r, *label),
        )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn one_row_per_port_and_the_facts_people_rely_on() {
        for (i, a) in SERVICES.iter().enumerate() {
            for b in &SERVICES[i + 1..] {
                assert!(
                    (a.protocol, a.port) != (b.protocol, b.port),
                    "{:?} {} twice",
                    a.protocol,
                    a.port
                );
            }
        }
        let cases = [
            (Protocol::Tcp, 22, Some(Confirmation::Ssh)),
            (Protocol::Tcp, 80, Some(Confirmation::Http)),
            (Protocol::Tcp, 443, Some(Confirmation::Tls)),
            (Protocol::Tcp, 139, Some(Confirmation::Smb2NetBios)),
            (Protocol::Tcp, 445, Some(Confirmation::Smb2)),
            (Protocol::Tcp, 135, Some(Confirmation::EndpointMapper)),
            (Protocol::Udp, 137, Some(Confirmation::NbStat)),
            (Protocol::Udp, 138, Some(Confirmation::NeverAnswers)),
            (Protocol::Tcp, 3725, None),
            (Protocol::Udp, 445, None),
        ];
        for (p, port, want) in cases {
            assert_eq!(confirmation(p, port), want, "{p:?} {port}");
        }
        assert!(matches!(
            fact(Protocol::Tcp, 445).map(|f| f.owner),
            Some(Owner::Windows {
                firewall_group: "File and Printer Sharing",
                ..
            })
        ));
    }

    #[test]
    fn dynamic_ranges_per_generation() {
        assert_eq!(
            dynamic_rpc_range(WindowsGeneration::Legacy).0,
            PortRange::lit(1025, 5000)
        );
        assert_eq!(
            dynamic_rpc_range(WindowsGeneration::Modern).0,
            PortRange::lit(49152, 65535)
        );
    }
}
