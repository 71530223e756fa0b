//! The Linux binary shipped for old sources needs nothing from the host: no dynamic
//! loader (`PT_INTERP`), no shared library (`DT_NEEDED`), so glibc's age on RHEL 6 or
//! SLES 11 does not matter, only the kernel's (README, "Which hosts").
//!
//! `cargo xtask cross` runs this file for the musl target, where it must be static; in
//! a plain (glibc) `cargo test` the same reader must find the loader, which keeps the
//! reader honest.

use std::process::Command;

const BIN: &str = env!("CARGO_BIN_EXE_portplan");

/// What the ELF file says about run-time linking: its interpreter and needed libraries.
#[derive(Debug, Default)]
struct Linking {
    interpreter: Option<String>,
    needed: usize,
}

fn linking(elf: &[u8]) -> Linking {
    assert_eq!(elf.get(..4), Some(&b"\x7fELF"[..]), "not an ELF file");
    assert_eq!(elf[4], 2, "not a 64-bit ELF file");
    let u16_at = |o: usize| u16::from_le_bytes([elf[o], elf[o + 1]]);
    let u32_at = |o: usize| u32::from_le_bytes(elf[o..o + 4].try_into().expect("4 bytes"));
    let u64_at = |o: usize| u64::from_le_bytes(elf[o..o + 8].try_into().expect("8 bytes"));
    let (phoff, phentsize, phnum) = (u64_at(0x20) as usize, u16_at(0x36), u16_at(0x38));
    let mut out = Linking::default();
    for i in 0..usize::from(phnum) {
        let ph = phoff + i * usize::from(phentsize);
        let (kind, offset, size) = (
            u32_at(ph),
            u64_at(ph + 8) as usize,
            u64_at(ph + 32) as usize,
        );
        match kind {
            // PT_INTERP: the path of the loader, NUL-terminated.
            3 => {
                let path = &elf[offset..offset + size];
                out.interpreter = Some(
                    String::from_utf8_lossy(path)
                        .trim_end_matches('\0')
                        .to_string(),
                );
            }
            // PT_DYNAMIC: count DT_NEEDED (tag 1) entries up to DT_NULL.
            2 => {
                for e in elf[offset..offset + size].chunks_exact(16) {
                    match u64::from_le_bytes(e[..8].try_into().expect("8 bytes")) {
                        0 => break,
                        1 => out.needed += 1,
                        _ => {}
                    }
                }
            }
            _ => {}
        }
    }
    out
}

#[test]
fn the_musl_build_needs_no_loader_and_no_library() {
    let elf = std::fs::read(BIN).expect("read the binary");
    let l = linking(&elf);
    if cfg!(target_env = "musl") {
        assert_eq!(l.interpreter, None, "the musl build asks for a loader");
        assert_eq!(l.needed, 0, "the musl build needs shared libraries");
    } else {
        // glibc builds are dynamic: the reader must see that.
        assert!(
            l.interpreter
                .as_deref()
                .is_some_and(|p| p.contains("ld-linux")),
            "{l:?}"
        );
        assert!(l.needed > 0, "{l:?}");
    }
}

/// Proof by running: inside an empty root directory (no /lib, no loader, no /etc) the
/// musl binary still plans. Needs root for chroot (CI is).
#[test]
#[cfg_attr(
    not(target_env = "musl"),
    ignore = "only the musl build is static: `cargo xtask cross` runs it"
)]
fn the_musl_build_runs_in_an_empty_root() {
    portplan_tests::netns::require_root();
    let root = std::env::temp_dir().join(format!("portplan-emptyroot-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&root);
    std::fs::create_dir_all(&root).expect("mkdir");
    std::fs::copy(BIN, root.join("portplan")).expect("copy binary");
    let o = Command::new("chroot")
        .arg(&root)
        .args(["/portplan", "drive-port", "C"])
        .output()
        .expect("chroot");
    let _ = std::fs::remove_dir_all(&root);
    assert!(
        o.status.success(),
        "in an empty root: {}",
        String::from_utf8_lossy(&o.stderr)
    );
    assert!(String::from_utf8_lossy(&o.stdout).contains("10002"));
}
