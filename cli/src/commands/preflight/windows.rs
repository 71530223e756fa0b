//! The Windows readers of `portplan preflight`: the registry, the service manager,
//! `NetShareGetInfo`, and the firewall through `INetFwPolicy2` (COM), falling back to
//! the registry's rule strings. Only reading happens here; the core judges
//! (`preflight::windows`).
//!
//! Through `windows-sys` only, whose imports Windows 7 has (advapi32, netapi32, ole32,
//! oleaut32); the `windows` crate is not used because its COM support imports
//! `combase.dll` and WinRT error functions Windows 7 lacks. `windows-sys` has no COM
//! interfaces, so `INetFwPolicy2`'s vtable is written out below in netfw.h's order.
//! Whatever an API does not answer (wine answers `E_NOTIMPL` for most of the firewall
//! API, and its `NetShareGetInfo` is a stub) becomes "unknown" with the reason.
//!
//! The one module of the workspace with `unsafe`: these are C APIs, and there is no
//! safe wrapper that keeps to Windows 7's DLLs. Each block says what it relies on;
//! every handle, key, BSTR and COM reference is released once, by a guard or right
//! after its last use.
#![allow(unsafe_code)]

use portplan_core::preflight::rpc::{self, RpcInternet};
use portplan_core::preflight::section::PreflightSection;
use portplan_core::preflight::windows::{
    section as judge, ApiProfile, FirewallState, Read, ServiceState, WindowsHost,
};
use portplan_core::preflight::windows_rule::{
    self, Profile, GROUP_FILE_AND_PRINTER_SHARING, GROUP_WMI,
};
use portplan_core::{Plan, PlanHost};
use std::ffi::c_void;
use std::ptr::{null, null_mut};
use windows_sys::core::{BSTR, GUID, HRESULT};
use windows_sys::Win32::Foundation::{
    CloseHandle, GetLastError, SysAllocString, SysFreeString, ERROR_FILE_NOT_FOUND,
    ERROR_MORE_DATA, ERROR_NO_MORE_ITEMS, ERROR_SERVICE_DOES_NOT_EXIST, ERROR_SUCCESS, HANDLE,
};
use windows_sys::Win32::NetworkManagement::NetManagement::{
    NERR_NetNameNotFound, NetApiBufferFree,
};
use windows_sys::Win32::Security::{
    GetTokenInformation, TokenElevation, TOKEN_ELEVATION, TOKEN_QUERY,
};
use windows_sys::Win32::Storage::FileSystem::NetShareGetInfo;
use windows_sys::Win32::System::Com::{
    CoCreateInstance, CoInitializeEx, CoUninitialize, CLSCTX_INPROC_SERVER,
    COINIT_APARTMENTTHREADED,
};
use windows_sys::Win32::System::Registry::{
    RegCloseKey, RegEnumValueW, RegOpenKeyExW, RegQueryValueExW, HKEY, HKEY_LOCAL_MACHINE,
    KEY_READ, KEY_WOW64_64KEY, REG_DWORD, REG_EXPAND_SZ, REG_MULTI_SZ, REG_SZ,
};
use windows_sys::Win32::System::Services::{
    CloseServiceHandle, OpenSCManagerW, OpenServiceW, QueryServiceStatus, SC_MANAGER_CONNECT,
    SERVICE_QUERY_STATUS, SERVICE_RUNNING, SERVICE_STATUS,
};
use windows_sys::Win32::System::Threading::{GetCurrentProcess, OpenProcessToken};

const POLICY_SYSTEM: &str = r"SOFTWARE\Microsoft\Windows\CurrentVersion\Policies\System";
const LANMAN_PARAMETERS: &str = r"SYSTEM\CurrentControlSet\Services\LanmanServer\Parameters";
const RPC_INTERNET: &str = r"SOFTWARE\Microsoft\Rpc\Internet";
const PRODUCT_OPTIONS: &str = r"SYSTEM\CurrentControlSet\Control\ProductOptions";
const FIREWALL_POLICY: &str =
    r"SYSTEM\CurrentControlSet\Services\SharedAccess\Parameters\FirewallPolicy";
/// Group policy's firewall settings, which take precedence over the local ones.
const FIREWALL_GPO: &str = r"SOFTWARE\Policies\Microsoft\WindowsFirewall";

/// Reads this host and judges it against the plan.
pub fn section(plan: &Plan, host: &PlanHost) -> PreflightSection {
    let (firewall, source) = match elevated() {
        Ok(false) => (
            // The words of the Linux side, so a fleet report reads the same for both.
            FirewallState::Unknown("unknown: run elevated to read the firewall".to_string()),
            "nothing (not elevated)".to_string(),
        ),
        // Elevated, or the token would not say: try, and say what answered.
        Ok(true) | Err(_) => read_firewall(),
    };
    let w = WindowsHost {
        server_edition: server_edition(),
        local_account_token_filter_policy: dword(POLICY_SYSTEM, "LocalAccountTokenFilterPolicy"),
        auto_share_server: dword(LANMAN_PARAMETERS, "AutoShareServer"),
        auto_share_wks: dword(LANMAN_PARAMETERS, "AutoShareWks"),
        admin_share: admin_share(),
        lanman_server: service("LanmanServer"),
        winmgmt: service("Winmgmt"),
        firewall,
        rpc: rpc_ports(),
    };
    judge(plan, host, &w, source)
}

/// `s` as a NUL-terminated UTF-16 string.
fn wide(s: &str) -> Vec<u16> {
    s.encode_utf16().chain(std::iter::once(0)).collect()
}

/// A Win32 error code in words.
fn win32(code: u32) -> String {
    let name = match code {
        2 => " (not found)",
        5 => " (access denied)",
        50 => " (not supported)",
        120 => " (not implemented)",
        1060 => " (no such service)",
        _ => "",
    };
    format!("error {code}{name}")
}

/// An HRESULT in words: wine's firewall API answers E_NOTIMPL.
fn hresult(hr: HRESULT) -> String {
    let code = hr as u32;
    let name = match code {
        0x8000_4001 => " (E_NOTIMPL, not implemented)",
        0x8004_0154 => " (REGDB_E_CLASSNOTREG, class not registered)",
        0x8007_0005 => " (E_ACCESSDENIED)",
        0x8000_4002 => " (E_NOINTERFACE)",
        0x8007_0057 => " (E_INVALIDARG)",
        0x8001_0106 => " (RPC_E_CHANGED_MODE)",
        _ => "",
    };
    format!("HRESULT 0x{code:08X}{name}")
}

/// An open registry key of HKLM (the 64-bit view, also from the 32-bit build).
struct Key(HKEY);

impl Key {
    /// `Ok(None)`: the key does not exist.
    fn open(path: &str) -> Result<Option<Key>, String> {
        let p = wide(path);
        let mut h: HKEY = null_mut();
        // SAFETY: p is NUL-terminated and outlives the call; h is a valid out pointer.
        let rc = unsafe {
            RegOpenKeyExW(
                HKEY_LOCAL_MACHINE,
                p.as_ptr(),
                0,
                KEY_READ | KEY_WOW64_64KEY,
                &mut h,
            )
        };
        match rc {
            ERROR_SUCCESS => Ok(Some(Key(h))),
            ERROR_FILE_NOT_FOUND => Ok(None),
            e => Err(format!("HKLM\\{path}: {}", win32(e))),
        }
    }

    /// A value's type and bytes; `Ok(None)` when absent.
    fn value(&self, name: &str) -> Result<Option<(u32, Vec<u8>)>, String> {
        let n = wide(name);
        let mut data = vec![0u8; 256];
        for _ in 0..4 {
            let mut kind = 0u32;
            let mut size = u32::try_from(data.len()).unwrap_or(u32::MAX);
            // SAFETY: n is NUL-terminated; data has `size` writable bytes.
            let rc = unsafe {
                RegQueryValueExW(
                    self.0,
                    n.as_ptr(),
                    null(),
                    &mut kind,
                    data.as_mut_ptr(),
                    &mut size,
                )
            };
            match rc {
                ERROR_SUCCESS => {
                    data.truncate(size as usize);
                    return Ok(Some((kind, data)));
                }
                ERROR_FILE_NOT_FOUND => return Ok(None),
                ERROR_MORE_DATA => data.resize(size as usize, 0),
                e => return Err(format!("{name}: {}", win32(e))),
            }
        }
        Err(format!("{name}: its size kept changing while it was read"))
    }

    /// Every string value of the key (name, text), in the registry's order.
    fn strings(&self) -> Result<Vec<(String, String)>, String> {
        let mut out = Vec::new();
        let mut name = vec![0u16; 16_384];
        let mut data = vec![0u8; 4096];
        let mut index = 0u32;
        let mut grown = 0u32;
        // Bounded: a firewall has hundreds of rules, never a million, and a value's data
        // buffer grows a few times at most.
        while index < 1_000_000 && grown < 8 {
            let mut name_len = u32::try_from(name.len()).unwrap_or(u32::MAX);
            let mut size = u32::try_from(data.len()).unwrap_or(u32::MAX);
            let mut kind = 0u32;
            // SAFETY: name and data have the lengths passed; the rest are out pointers.
            let rc = unsafe {
                RegEnumValueW(
                    self.0,
                    index,
                    name.as_mut_ptr(),
                    &mut name_len,
                    null(),
                    &mut kind,
                    data.as_mut_ptr(),
                    &mut size,
                )
            };
            match rc {
                ERROR_SUCCESS => {
                    if kind == REG_SZ || kind == REG_EXPAND_SZ {
                        // (get: never trust a length from across the FFI to slice by)
                        let n = name.get(..name_len as usize).unwrap_or(&name[..]);
                        let d = data.get(..size as usize).unwrap_or(&data[..]);
                        out.push((String::from_utf16_lossy(n), utf16(d)));
                    }
                    index += 1;
                    grown = 0;
                }
                ERROR_MORE_DATA => {
                    data.resize((size as usize).max(data.len() * 2), 0);
                    grown += 1;
                }
                ERROR_NO_MORE_ITEMS => return Ok(out),
                e => return Err(format!("value {index}: {}", win32(e))),
            }
        }
        Err(format!(
            "value {index}: more than a million values, or data that kept growing"
        ))
    }
}

impl Drop for Key {
    fn drop(&mut self) {
        // SAFETY: the key was opened by RegOpenKeyExW and is closed once.
        unsafe { RegCloseKey(self.0) };
    }
}

/// REG_SZ bytes (UTF-16LE, NUL-terminated or not) as text.
fn utf16(bytes: &[u8]) -> String {
    let units: Vec<u16> = bytes
        .chunks_exact(2)
        .map(|c| u16::from_le_bytes([c[0], c[1]]))
        .collect();
    let end = units.iter().position(|u| *u == 0).unwrap_or(units.len());
    String::from_utf16_lossy(&units[..end])
}

/// REG_MULTI_SZ bytes as their strings.
fn multi(bytes: &[u8]) -> Vec<String> {
    let units: Vec<u16> = bytes
        .chunks_exact(2)
        .map(|c| u16::from_le_bytes([c[0], c[1]]))
        .collect();
    units
        .split(|u| *u == 0)
        .filter(|s| !s.is_empty())
        .map(String::from_utf16_lossy)
        .collect()
}

fn dword(path: &str, name: &str) -> Read<u32> {
    let key = match Key::open(path) {
        Ok(Some(k)) => k,
        Ok(None) => return Read::Absent,
        Err(e) => return Read::Failed(e),
    };
    match key.value(name) {
        Ok(Some((REG_DWORD, d))) if d.len() == 4 => {
            Read::Value(u32::from_le_bytes([d[0], d[1], d[2], d[3]]))
        }
        Ok(Some((kind, _))) => Read::Failed(format!("{name} is of type {kind}, not REG_DWORD")),
        Ok(None) => Read::Absent,
        Err(e) => Read::Failed(e),
    }
}

fn string(path: &str, name: &str) -> Result<Option<String>, String> {
    let Some(key) = Key::open(path)? else {
        return Ok(None);
    };
    Ok(key.value(name)?.map(|(_, d)| utf16(&d)))
}

/// `ProductType`: `WinNT` is a workstation, `ServerNT`/`LanmanNT` a server.
fn server_edition() -> Option<bool> {
    match string(PRODUCT_OPTIONS, "ProductType")
        .ok()
        .flatten()?
        .as_str()
    {
        "WinNT" => Some(false),
        "ServerNT" | "LanmanNT" => Some(true),
        _ => None,
    }
}

/// Whether this process runs elevated (UAC's elevated token, or UAC off for an
/// administrator).
fn elevated() -> Result<bool, String> {
    let mut token: HANDLE = null_mut();
    // SAFETY: the pseudo handle of this process; token is an out pointer.
    if unsafe { OpenProcessToken(GetCurrentProcess(), TOKEN_QUERY, &mut token) } == 0 {
        // SAFETY: no preconditions.
        return Err(win32(unsafe { GetLastError() }));
    }
    let mut e = TOKEN_ELEVATION { TokenIsElevated: 0 };
    let mut len = 0u32;
    // SAFETY: e is a TOKEN_ELEVATION of the size passed; token is open.
    let ok = unsafe {
        GetTokenInformation(
            token,
            TokenElevation,
            (&mut e as *mut TOKEN_ELEVATION).cast::<c_void>(),
            std::mem::size_of::<TOKEN_ELEVATION>() as u32,
            &mut len,
        )
    };
    // SAFETY: no preconditions.
    let err = unsafe { GetLastError() };
    // SAFETY: opened above, closed once.
    unsafe { CloseHandle(token) };
    if ok == 0 {
        return Err(win32(err));
    }
    Ok(e.TokenIsElevated != 0)
}

/// A service's state; its start type from the registry when it does not run.
fn service(name: &str) -> ServiceState {
    let n = wide(name);
    // SAFETY: local service manager, connect right only.
    let scm = unsafe { OpenSCManagerW(null(), null(), SC_MANAGER_CONNECT) };
    if scm.is_null() {
        // SAFETY: no preconditions.
        return ServiceState::Failed(format!(
            "the service manager: {}",
            win32(unsafe { GetLastError() })
        ));
    }
    // SAFETY: scm is open; n is NUL-terminated.
    let svc = unsafe { OpenServiceW(scm, n.as_ptr(), SERVICE_QUERY_STATUS) };
    let state = if svc.is_null() {
        // SAFETY: no preconditions.
        match unsafe { GetLastError() } {
            ERROR_SERVICE_DOES_NOT_EXIST => ServiceState::Missing,
            e => ServiceState::Failed(win32(e)),
        }
    } else {
        // SAFETY: SERVICE_STATUS is plain data; all zero is a valid value.
        let mut st: SERVICE_STATUS = unsafe { std::mem::zeroed() };
        // SAFETY: svc is open with SERVICE_QUERY_STATUS; st is an out pointer.
        let ok = unsafe { QueryServiceStatus(svc, &mut st) };
        // SAFETY: no preconditions.
        let err = unsafe { GetLastError() };
        // SAFETY: opened above, closed once.
        unsafe { CloseServiceHandle(svc) };
        if ok == 0 {
            ServiceState::Failed(win32(err))
        } else if st.dwCurrentState == SERVICE_RUNNING {
            ServiceState::Running
        } else {
            let start = match dword(
                &format!(r"SYSTEM\CurrentControlSet\Services\{name}"),
                "Start",
            ) {
                Read::Value(2) => "automatic".to_string(),
                Read::Value(3) => "manual".to_string(),
                Read::Value(4) => "disabled".to_string(),
                Read::Value(v) => format!("{v}"),
                Read::Absent | Read::Failed(_) => "not read".to_string(),
            };
            ServiceState::Stopped(start)
        }
    };
    // SAFETY: opened above, closed once.
    unsafe { CloseServiceHandle(scm) };
    state
}

/// `NetShareGetInfo(ADMIN$)` at level 0 (the name only, which needs no rights).
fn admin_share() -> Result<bool, String> {
    let name = wide("ADMIN$");
    let mut buf: *mut u8 = null_mut();
    // SAFETY: local server (NULL); name is NUL-terminated; buf is an out pointer.
    let rc = unsafe { NetShareGetInfo(null(), name.as_ptr(), 0, &mut buf) };
    if !buf.is_null() {
        // SAFETY: allocated by NetShareGetInfo, freed once.
        unsafe { NetApiBufferFree(buf.cast::<c_void>()) };
    }
    match rc {
        0 => Ok(true),
        e if e == NERR_NetNameNotFound => Ok(false),
        e => Err(format!("NetShareGetInfo: {}", win32(e))),
    }
}

/// `Rpc\Internet` and the system's dynamic range (`netsh` prints it; only its numbers
/// are read, since its labels are translated).
fn rpc_ports() -> Result<rpc::RpcPorts, String> {
    let key = Key::open(RPC_INTERNET)?;
    let mut values = RpcInternet::default();
    if let Some(k) = key {
        values.ports = match k.value("Ports")? {
            Some((REG_MULTI_SZ, d)) => Some(multi(&d)),
            Some((REG_SZ | REG_EXPAND_SZ, d)) => Some(vec![utf16(&d)]),
            Some((kind, _)) => return Err(format!("Rpc\\Internet Ports is of type {kind}")),
            None => None,
        };
        values.ports_internet_available =
            k.value("PortsInternetAvailable")?.map(|(_, d)| utf16(&d));
        values.use_internet_ports = k.value("UseInternetPorts")?.map(|(_, d)| utf16(&d));
    }
    let system = std::process::Command::new("netsh")
        .args(["int", "ipv4", "show", "dynamicport", "tcp"])
        .output()
        .ok()
        .filter(|o| o.status.success())
        .and_then(|o| rpc::parse_dynamic_port_output(&String::from_utf8_lossy(&o.stdout)));
    rpc::dynamic_ports(&values, system).map_err(|e| e.to_string())
}

/// The firewall through `INetFwPolicy2`, else the registry, else unknown with both whys.
fn read_firewall() -> (FirewallState, String) {
    let api_why = match policy2() {
        Ok(profiles) => return (FirewallState::Api { profiles }, "INetFwPolicy2".to_string()),
        Err(why) => why,
    };
    match registry_firewall() {
        Ok(state) => (
            state,
            format!("the registry's firewall rules (INetFwPolicy2: {api_why})"),
        ),
        Err(reg_why) => (
            FirewallState::Unknown(format!("INetFwPolicy2: {api_why}; the registry: {reg_why}")),
            "nothing".to_string(),
        ),
    }
}

/// The firewall's profile settings and rule strings from the registry (group policy's
/// over the local ones, as Windows applies them). The active profile is not in the
/// registry, so every profile is judged.
fn registry_firewall() -> Result<FirewallState, String> {
    let mut enabled = Vec::new();
    let mut block_all = Vec::new();
    for (profile, key) in [
        (Profile::Domain, "DomainProfile"),
        (Profile::Private, "StandardProfile"),
        (Profile::Public, "PublicProfile"),
    ] {
        // EnableFirewall, and DoNotAllowExceptions ("Block all incoming connections").
        for (name, into) in [
            ("EnableFirewall", &mut enabled),
            ("DoNotAllowExceptions", &mut block_all),
        ] {
            let from = |base: &str| dword(&format!(r"{base}\{key}"), name);
            match (from(FIREWALL_GPO), from(FIREWALL_POLICY)) {
                (Read::Value(v), _) | (_, Read::Value(v)) => into.push((profile, v != 0)),
                (Read::Failed(e), _) | (_, Read::Failed(e)) => return Err(e),
                (Read::Absent, Read::Absent) => {}
            }
        }
    }
    let mut texts = Vec::new();
    let mut found = false;
    for base in [FIREWALL_POLICY, FIREWALL_GPO] {
        if let Some(k) = Key::open(&format!(r"{base}\FirewallRules"))? {
            found = true;
            texts.extend(k.strings()?);
        }
    }
    if !found {
        return Err(format!(
            "HKLM\\{FIREWALL_POLICY}\\FirewallRules does not exist"
        ));
    }
    let mut rules = Vec::new();
    for (name, text) in texts {
        match windows_rule::parse(&text) {
            Ok(r) => rules.push(r),
            // A rule of a group we judge that does not read could change the answer.
            Err(e)
                if [GROUP_FILE_AND_PRINTER_SHARING, GROUP_WMI]
                    .iter()
                    .any(|g| text.to_ascii_lowercase().contains(&g.to_ascii_lowercase())) =>
            {
                return Err(format!("firewall rule {name}: {e}"))
            }
            Err(_) => {}
        }
    }
    Ok(FirewallState::Read {
        active: None,
        enabled,
        block_all,
        rules,
    })
}

/// `NetFwPolicy2` (netfw.h: CLSID_NetFwPolicy2).
const CLSID_NET_FW_POLICY2: GUID = GUID::from_u128(0xe2b3c97f_6ae1_41ac_817a_f6f92166d7dd);
/// `INetFwPolicy2` (netfw.h: IID_INetFwPolicy2).
const IID_INET_FW_POLICY2: GUID = GUID::from_u128(0x98325047_c671_4174_8d81_defcd3f03186);

/// `NET_FW_PROFILE_TYPE2` bits.
const PROFILES: [(i32, Profile); 3] = [
    (1, Profile::Domain),
    (2, Profile::Private),
    (4, Profile::Public),
];

type Getter = unsafe extern "system" fn(*mut c_void, *mut i32) -> HRESULT;
type ProfileBool = unsafe extern "system" fn(*mut c_void, i32, *mut i16) -> HRESULT;
type GroupBool = unsafe extern "system" fn(*mut c_void, i32, BSTR, *mut i16) -> HRESULT;

/// `INetFwPolicy2`'s vtable up to `IsRuleGroupEnabled`, in netfw.h's order: IUnknown
/// (3), IDispatch (4), then `get_CurrentProfileTypes`, `get_FirewallEnabled`,
/// `put_FirewallEnabled`, `get_`/`put_ExcludedInterfaces`, `get_BlockAllInboundTraffic`,
/// eight methods not called here (`put_BlockAllInboundTraffic` … `EnableRuleGroup`), and
/// `IsRuleGroupEnabled`.
#[repr(C)]
struct Policy2Vtbl {
    _query_interface: usize,
    _add_ref: usize,
    release: unsafe extern "system" fn(*mut c_void) -> u32,
    _dispatch: [usize; 4],
    get_current_profile_types: Getter,
    get_firewall_enabled: ProfileBool,
    _put_firewall_enabled_and_excluded_interfaces: [usize; 3],
    get_block_all_inbound_traffic: ProfileBool,
    _unused: [usize; 8],
    is_rule_group_enabled: GroupBool,
}

// The slots called, where netfw.h puts them (a miscount would call the wrong method).
const _: () = {
    let slot = std::mem::size_of::<usize>();
    assert!(std::mem::offset_of!(Policy2Vtbl, release) == 2 * slot);
    assert!(std::mem::offset_of!(Policy2Vtbl, get_current_profile_types) == 7 * slot);
    assert!(std::mem::offset_of!(Policy2Vtbl, get_firewall_enabled) == 8 * slot);
    assert!(std::mem::offset_of!(Policy2Vtbl, get_block_all_inbound_traffic) == 12 * slot);
    assert!(std::mem::offset_of!(Policy2Vtbl, is_rule_group_enabled) == 21 * slot);
};

#[repr(C)]
struct Policy2 {
    vtbl: *const Policy2Vtbl,
}

/// A BSTR freed when dropped.
struct Bstr(BSTR);

impl Bstr {
    fn new(s: &str) -> Bstr {
        let w = wide(s);
        // SAFETY: w is NUL-terminated; SysAllocString copies it.
        Bstr(unsafe { SysAllocString(w.as_ptr()) })
    }
}

impl Drop for Bstr {
    fn drop(&mut self) {
        // SAFETY: allocated by SysAllocString (or NULL, which it accepts), freed once.
        unsafe { SysFreeString(self.0) };
    }
}

/// The active profiles, whether the firewall is on in each, and whether the two rule
/// groups are enabled there.
fn policy2() -> Result<Vec<ApiProfile>, String> {
    // SAFETY: initialises COM for this thread; balanced below when it succeeded.
    let init = unsafe { CoInitializeEx(null(), COINIT_APARTMENTTHREADED as u32) };
    let result = if init < 0 {
        Err(format!("CoInitializeEx: {}", hresult(init)))
    } else {
        let r = with_policy2();
        // SAFETY: CoInitializeEx succeeded on this thread (S_OK or S_FALSE).
        unsafe { CoUninitialize() };
        r
    };
    result
}

fn with_policy2() -> Result<Vec<ApiProfile>, String> {
    let mut obj: *mut c_void = null_mut();
    // SAFETY: GUIDs are valid; obj is an out pointer for the interface asked for.
    let hr = unsafe {
        CoCreateInstance(
            &CLSID_NET_FW_POLICY2,
            null_mut(),
            CLSCTX_INPROC_SERVER,
            &IID_INET_FW_POLICY2,
            &mut obj,
        )
    };
    if hr < 0 || obj.is_null() {
        return Err(format!("CoCreateInstance: {}", hresult(hr)));
    }
    let this = obj;
    // SAFETY: obj is an INetFwPolicy2, whose first field is its vtable pointer.
    let vtbl = unsafe { &*(*obj.cast::<Policy2>()).vtbl };
    let out = (|| {
        let mut types = 0i32;
        // SAFETY: this is the interface; types is an out pointer.
        let hr = unsafe { (vtbl.get_current_profile_types)(this, &mut types) };
        if hr < 0 {
            return Err(format!("CurrentProfileTypes: {}", hresult(hr)));
        }
        let groups = [
            Bstr::new(GROUP_FILE_AND_PRINTER_SHARING),
            Bstr::new(GROUP_WMI),
        ];
        let mut profiles = Vec::new();
        for (bit, profile) in PROFILES {
            if types & bit == 0 {
                continue;
            }
            let mut on = 0i16;
            // SAFETY: as above; on is an out VARIANT_BOOL.
            let hr = unsafe { (vtbl.get_firewall_enabled)(this, bit, &mut on) };
            if hr < 0 {
                return Err(format!("FirewallEnabled({profile:?}): {}", hresult(hr)));
            }
            let mut all = 0i16;
            // SAFETY: as above; all is an out VARIANT_BOOL.
            let hr = unsafe { (vtbl.get_block_all_inbound_traffic)(this, bit, &mut all) };
            let block_all_inbound = (hr >= 0).then_some(all != 0);
            let answers = groups
                .iter()
                .zip([GROUP_FILE_AND_PRINTER_SHARING, GROUP_WMI])
                .map(|(b, name)| {
                    let mut en = 0i16;
                    // SAFETY: b is a live BSTR; en is an out VARIANT_BOOL.
                    let hr = unsafe { (vtbl.is_rule_group_enabled)(this, bit, b.0, &mut en) };
                    let r = if hr < 0 {
                        Err(hresult(hr))
                    } else {
                        Ok(en != 0)
                    };
                    (name.to_string(), r)
                })
                .collect();
            profiles.push(ApiProfile {
                profile,
                enabled: on != 0,
                block_all_inbound,
                groups: answers,
            });
        }
        Ok(profiles)
    })();
    // SAFETY: the reference CoCreateInstance gave, released once.
    unsafe { (vtbl.release)(this) };
    out
}
