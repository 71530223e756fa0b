//! Windows Firewall rule strings (MS-GPFAS 2.2.2.19) and the RPC settings as preflight
//! reads them from the registry: no panic, and a rule that reads keeps its fields.
#![no_main]
use libfuzzer_sys::fuzz_target;
use portplan_core::preflight::{rpc, windows_rule};

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else { return };
    if let Ok(r) = windows_rule::parse(text) {
        let _ = windows_rule::group_state(
            std::slice::from_ref(&r),
            windows_rule::GROUP_FILE_AND_PRINTER_SHARING,
            windows_rule::Profile::Domain,
        );
    }
    let lines: Vec<String> = text.lines().map(str::to_string).collect();
    let settings = rpc::RpcInternet {
        ports: Some(lines.clone()),
        ports_internet_available: lines.first().cloned(),
        use_internet_ports: lines.get(1).cloned(),
    };
    if let Ok(ports) = rpc::dynamic_ports(&settings, rpc::parse_dynamic_port_output(text)) {
        let _ = rpc::within(&ports, 49152, 65535);
    }
});
