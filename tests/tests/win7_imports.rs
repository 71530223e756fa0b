//! The shipped Windows binaries start on Windows 7 SP1 / Server 2008 R2: every DLL and
//! every function they import is one that Windows 7 has.
//!
//! Windows resolves imports when it loads a program, so a single missing function (Rust
//! ≥ 1.78's `ProcessPrng` from `bcryptprimitives.dll`, or `WaitOnAddress`) stops the
//! binary before `main` with "The procedure entry point … could not be located". Wine
//! set to Windows 7 does not catch that: it implements the newer functions anyway. So
//! this test reads the import tables itself (a small PE reader, no external tool) and
//! compares them with the allow-list `tests/fixtures/win7-imports.txt`, whose header
//! says how each entry was checked.
//!
//! `cargo xtask cross` (debug builds) and `cargo xtask dist` (the release binaries in
//! dist/) run it with `PORTPLAN_WINDOWS_EXES` set, hence `#[ignore]` in a plain run.

use std::collections::{BTreeMap, BTreeSet};
use std::path::PathBuf;

/// Functions that exist only on Windows 8 or later, which a Rust toolchain or crate
/// update could bring in; the allow-list must never contain them (a second guard
/// against an entry added without checking).
const NEWER_THAN_WIN7: &[&str] = &[
    "ProcessPrng",
    "WaitOnAddress",
    "WakeByAddressSingle",
    "WakeByAddressAll",
    "GetSystemTimePreciseAsFileTime",
    "SetThreadDescription",
    "GetThreadDescription",
    "CreateFile2",
    "GetTempPath2W",
    "SetFileInformationByHandle2",
    "GetProcessMitigationPolicy",
    "SetProcessMitigationPolicy",
    "CopyFile2",
    "GetCurrentThreadStackLimits",
    "PrefetchVirtualMemory",
];

/// `dll (lowercase) → functions` from the allow-list file.
fn allow_list() -> BTreeMap<String, BTreeSet<String>> {
    let text = include_str!("../fixtures/win7-imports.txt");
    let mut out: BTreeMap<String, BTreeSet<String>> = BTreeMap::new();
    let mut dll = None;
    for line in text.lines() {
        let line = line.split('#').next().unwrap_or("").trim();
        if line.is_empty() {
            continue;
        }
        if let Some(name) = line.strip_prefix('[').and_then(|l| l.strip_suffix(']')) {
            dll = Some(name.to_ascii_lowercase());
            out.entry(name.to_ascii_lowercase()).or_default();
        } else {
            let d = dll.clone().expect("a function before any [dll] heading");
            out.entry(d).or_default().insert(line.to_string());
        }
    }
    out
}

/// Imported `(dll, function)` pairs not on the allow-list (ordinals as `#N`).
fn not_on_windows_7(
    imports: &BTreeMap<String, Vec<String>>,
    allowed: &BTreeMap<String, BTreeSet<String>>,
) -> Vec<String> {
    let mut bad = Vec::new();
    for (dll, functions) in imports {
        match allowed.get(&dll.to_ascii_lowercase()) {
            None => bad.push(format!("{dll} (the whole DLL)")),
            Some(ok) => bad.extend(
                functions
                    .iter()
                    .filter(|f| !ok.contains(*f))
                    .map(|f| format!("{dll}!{f}")),
            ),
        }
    }
    bad
}

/// A PE file's import table: `DLL name (lowercase) → imported functions`, read from
/// the bytes.
/// Handles PE32 (i686) and PE32+ (x86-64); ordinal imports read as `#N`.
fn imports(pe: &[u8]) -> Result<BTreeMap<String, Vec<String>>, String> {
    let u16_at = |o: usize| -> Result<u16, String> {
        pe.get(o..o + 2)
            .map(|b| u16::from_le_bytes([b[0], b[1]]))
            .ok_or(format!("truncated at {o:#x}"))
    };
    let u32_at = |o: usize| -> Result<u32, String> {
        pe.get(o..o + 4)
            .map(|b| u32::from_le_bytes([b[0], b[1], b[2], b[3]]))
            .ok_or(format!("truncated at {o:#x}"))
    };
    let u64_at = |o: usize| -> Result<u64, String> {
        Ok(u64::from(u32_at(o)?) | (u64::from(u32_at(o + 4)?) << 32))
    };
    if pe.get(..2) != Some(b"MZ") {
        return Err("no MZ header".into());
    }
    let nt = u32_at(0x3c)? as usize;
    if pe.get(nt..nt + 4) != Some(b"PE\0\0") {
        return Err("no PE signature".into());
    }
    let coff = nt + 4;
    let sections = usize::from(u16_at(coff + 2)?);
    let opt_size = usize::from(u16_at(coff + 16)?);
    let opt = coff + 20;
    let pe32_plus = match u16_at(opt)? {
        0x10b => false,
        0x20b => true,
        m => return Err(format!("unknown optional header magic {m:#x}")),
    };
    // Data directory 1 is the import table.
    let dirs = opt + if pe32_plus { 112 } else { 96 };
    let import_rva = u32_at(dirs + 8)?;
    let table = opt + opt_size;
    let file_offset = |rva: u32| -> Result<usize, String> {
        for s in 0..sections {
            let h = table + s * 40;
            let (vsize, va, raw_size, raw) = (
                u32_at(h + 8)?,
                u32_at(h + 12)?,
                u32_at(h + 16)?,
                u32_at(h + 20)?,
            );
            if rva >= va && rva < va + vsize.max(raw_size) {
                return Ok((rva - va + raw) as usize);
            }
        }
        Err(format!("RVA {rva:#x} in no section"))
    };
    let c_str = |o: usize| -> Result<String, String> {
        let bytes = pe.get(o..).ok_or("string out of file")?;
        let end = bytes.iter().position(|&b| b == 0).ok_or("unterminated")?;
        Ok(String::from_utf8_lossy(&bytes[..end]).into_owned())
    };
    let mut out = BTreeMap::new();
    if import_rva == 0 {
        return Ok(out);
    }
    let mut desc = file_offset(import_rva)?;
    loop {
        let (lookup, name, first) = (u32_at(desc)?, u32_at(desc + 12)?, u32_at(desc + 16)?);
        if name == 0 {
            break;
        }
        let dll = c_str(file_offset(name)?)?;
        let mut thunk = file_offset(if lookup != 0 { lookup } else { first })?;
        let mut functions = Vec::new();
        loop {
            let (entry, ordinal) = if pe32_plus {
                let v = u64_at(thunk)?;
                (v & 0x7fff_ffff, v >> 63 == 1)
            } else {
                let v = u64::from(u32_at(thunk)?);
                (v & 0x7fff_ffff, v >> 31 == 1)
            };
            if entry == 0 && !ordinal {
                break;
            }
            functions.push(if ordinal {
                format!("#{}", entry & 0xffff)
            } else {
                c_str(file_offset(entry as u32)? + 2)?
            });
            thunk += if pe32_plus { 8 } else { 4 };
        }
        // A DLL may have several descriptors (std's raw-dylib imports add their own), in
        // any case: merge them under the lowercase name.
        let all: &mut Vec<String> = out.entry(dll.to_ascii_lowercase()).or_default();
        all.extend(functions);
        desc += 20;
    }
    Ok(out)
}

#[test]
#[ignore = "needs the Windows builds: `cargo xtask cross` and `cargo xtask dist` run it"]
fn windows_binaries_import_only_what_windows_7_has() {
    let list = std::env::var_os("PORTPLAN_WINDOWS_EXES")
        .expect("PORTPLAN_WINDOWS_EXES is not set: run `cargo xtask cross`");
    let exes: Vec<PathBuf> = std::env::split_paths(&list).collect();
    assert!(!exes.is_empty(), "PORTPLAN_WINDOWS_EXES names no binary");
    let allowed = allow_list();
    for exe in exes {
        let bytes = std::fs::read(&exe).unwrap_or_else(|e| panic!("{}: {e}", exe.display()));
        let table = imports(&bytes).unwrap_or_else(|e| panic!("{}: {e}", exe.display()));
        // A real import table: the loader needs kernel32, and a socket tool ws2_32.
        for dll in ["kernel32.dll", "ws2_32.dll"] {
            assert!(
                table.contains_key(dll),
                "{} imports no {dll}: {table:?}",
                exe.display()
            );
        }
        let bad = not_on_windows_7(&table, &allowed);
        assert!(
            bad.is_empty(),
            "{} imports what Windows 7 SP1 does not ship (or what the allow-list \
             tests/fixtures/win7-imports.txt has not been checked for):\n  {}",
            exe.display(),
            bad.join("\n  ")
        );
        let n: usize = table.values().map(Vec::len).sum();
        eprintln!(
            "{}: {n} imports from {:?}, all on Windows 7",
            exe.display(),
            table.keys().collect::<Vec<_>>()
        );
    }
}

#[test]
fn the_allow_list_names_nothing_newer_than_windows_7() {
    let allowed = allow_list();
    assert!(allowed.contains_key("kernel32.dll"));
    for (dll, functions) in &allowed {
        assert!(
            !dll.starts_with("api-ms-win-") && dll != "bcryptprimitives.dll",
            "{dll} is not a Windows 7 DLL"
        );
        for f in functions {
            assert!(
                !NEWER_THAN_WIN7.contains(&f.as_str()),
                "{dll}!{f} needs Windows 8 or later"
            );
        }
    }
}

/// What a Rust ≥ 1.78 `x86_64-pc-windows-gnu` binary imports is rejected, by DLL and by
/// function.
#[test]
fn imports_of_a_windows_10_build_are_rejected() {
    let allowed = allow_list();
    let table: BTreeMap<String, Vec<String>> = [
        ("bcryptprimitives.dll", vec!["ProcessPrng"]),
        ("api-ms-win-core-synch-l1-2-0.dll", vec!["WaitOnAddress"]),
        (
            "KERNEL32.dll",
            vec!["GetSystemTimePreciseAsFileTime", "CloseHandle"],
        ),
    ]
    .into_iter()
    .map(|(d, f)| (d.to_string(), f.into_iter().map(String::from).collect()))
    .collect();
    assert_eq!(
        not_on_windows_7(&table, &allowed),
        [
            "KERNEL32.dll!GetSystemTimePreciseAsFileTime",
            "api-ms-win-core-synch-l1-2-0.dll (the whole DLL)",
            "bcryptprimitives.dll (the whole DLL)",
        ]
    );
}

#[test]
fn the_reader_refuses_what_is_not_a_pe_file() {
    assert!(imports(b"\x7fELF").is_err());
    let mut fake = b"MZ".to_vec();
    fake.resize(0x40, 0);
    fake[0x3c] = 0x40;
    fake.extend_from_slice(b"XX\0\0");
    assert_eq!(imports(&fake), Err("no PE signature".to_string()));
}
