//! The run's token secret (`--secret-file`): random bytes `listen` and `check` share out
//! of band, so that only this run's responders can answer the token (the plan digest,
//! the key without it, is public). Read once, never printed, never in a report or log.

use anyhow::{bail, Context, Result};
use std::io::Read;
use std::path::Path;

/// Fewest bytes a secret may have: 128 bits, like the tag it keys.
pub const MIN_LEN: usize = 16;
/// Most bytes read: a secret is a line, not a file to stream.
const MAX_LEN: usize = 4096;

/// Reads the secret in `path`: a regular file of at least [`MIN_LEN`] bytes (a trailing
/// line break is not part of it) that on Unix only its owner may read or write (0600 or
/// 0400), since anyone who reads it can answer for every host of the run.
pub fn read(path: &Path) -> Result<Vec<u8>> {
    let shown = path.display();
    let f =
        std::fs::File::open(path).with_context(|| format!("--secret-file {shown}: cannot open"))?;
    // The open file's own metadata: no window between the check and the read.
    let meta = f
        .metadata()
        .with_context(|| format!("--secret-file {shown}: cannot read"))?;
    if !meta.is_file() {
        bail!("--secret-file {shown}: not a regular file");
    }
    #[cfg(unix)]
    {
        use std::os::unix::fs::MetadataExt;
        let mode = meta.mode() & 0o777;
        if mode & 0o077 != 0 {
            bail!(
                "--secret-file {shown}: mode {mode:04o} lets other users read or change it; \
                 make it readable by its owner only (chmod 600 {shown})"
            );
        }
    }
    let mut buf = Vec::new();
    f.take(MAX_LEN as u64 + 1)
        .read_to_end(&mut buf)
        .with_context(|| format!("--secret-file {shown}: cannot read"))?;
    if buf.len() > MAX_LEN {
        bail!("--secret-file {shown}: longer than {MAX_LEN} bytes; a secret is one line");
    }
    while buf.last().is_some_and(|b| matches!(b, b'\n' | b'\r')) {
        buf.pop();
    }
    if buf.len() < MIN_LEN {
        bail!(
            "--secret-file {shown}: {} bytes; a secret needs at least {MIN_LEN} random bytes \
             (e.g. `openssl rand -hex 32 > {shown}`)",
            buf.len()
        );
    }
    Ok(buf)
}

#[cfg(all(test, unix))]
mod tests {
    use super::*;
    use std::os::unix::fs::PermissionsExt;

    /// One line per case: content and mode → the secret, or the words of the refusal.
    #[test]
    fn only_a_private_file_of_enough_bytes_is_a_secret() {
        let dir = std::env::temp_dir().join(format!("portplan-secret-{}", std::process::id()));
        std::fs::create_dir_all(&dir).expect("dir");
        let cases: [(&str, u32, Result<&str, &str>); 5] = [
            ("0123456789abcdef0123\n", 0o600, Ok("0123456789abcdef0123")),
            ("0123456789abcdef", 0o400, Ok("0123456789abcdef")),
            (
                "0123456789abcdef0123\n",
                0o644,
                Err("mode 0644 lets other users read"),
            ),
            ("0123456789abcdef0123\n", 0o660, Err("chmod 600")),
            ("short\n", 0o600, Err("5 bytes; a secret needs at least 16")),
        ];
        for (i, (content, mode, want)) in cases.into_iter().enumerate() {
            let path = dir.join(format!("s{i}"));
            std::fs::write(&path, content).expect("write");
            std::fs::set_permissions(&path, std::fs::Permissions::from_mode(mode)).expect("chmod");
            match (read(&path), want) {
                (Ok(got), Ok(w)) => assert_eq!(got, w.as_bytes(), "case {i}"),
                (Err(e), Err(w)) => assert!(e.to_string().contains(w), "case {i}: {e}"),
                (got, w) => panic!("case {i}: {:?} but wanted {w:?}", got.map(|_| "a secret")),
            }
        }
        assert!(read(&dir).is_err(), "a directory is no secret");
        let _ = std::fs::remove_dir_all(&dir);
    }
}
