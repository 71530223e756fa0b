//! File edges of the CLI: bounded reads and atomic writes.

use anyhow::{Context, Result};
use portplan_core::scenario::MAX_PLAN_BYTES;
use std::io::{Read, Write};
use std::path::Path;

/// Reads a UTF-8 file (or stdin for `-`), refusing more than the largest input the core
/// reads (a plan or a report of the most workloads a scenario may have); each format's
/// own, smaller cap (a scenario's) is the core's to apply.
pub fn read_input(path: &Path) -> Result<String> {
    let mut buf = Vec::new();
    let limit = MAX_PLAN_BYTES as u64 + 1;
    if path.as_os_str() == "-" {
        std::io::stdin()
            .take(limit)
            .read_to_end(&mut buf)
            .context("reading standard input")?;
    } else {
        let f = std::fs::File::open(path)
            .with_context(|| format!("{}: cannot open", path.display()))?;
        f.take(limit)
            .read_to_end(&mut buf)
            .with_context(|| format!("{}: cannot read", path.display()))?;
    }
    if buf.len() > MAX_PLAN_BYTES {
        anyhow::bail!(
            "{}: larger than the {MAX_PLAN_BYTES}-byte limit",
            path.display()
        );
    }
    String::from_utf8(buf).map_err(|e| {
        anyhow::anyhow!(
            "{}: not UTF-8 text (byte {})",
            path.display(),
            e.utf8_error().valid_up_to()
        )
    })
}

/// An output could not be written (disk full, a directory that does not exist or takes
/// no new file): its own exit code, [`EXIT_WRITE`], since the input was fine.
#[derive(Debug, thiserror::Error)]
#[error("{path}: cannot write")]
pub struct WriteFailed {
    pub path: String,
    #[source]
    pub source: std::io::Error,
}

/// Exit code of a run whose output could not be written.
pub const EXIT_WRITE: u8 = 3;

/// Writes `bytes` to `path` ([`write_atomic`]); `None` writes to stdout.
pub fn write_output(path: Option<&Path>, bytes: &[u8]) -> Result<()> {
    match path {
        None => write_stdout_with(|w| w.write_all(bytes)),
        Some(p) => write_atomic(p, bytes),
    }
}

/// Streams what `fill` produces to stdout (a closed pipe is not an error).
pub fn write_stdout_with(fill: impl FnOnce(&mut dyn Write) -> std::io::Result<()>) -> Result<()> {
    let mut out = std::io::BufWriter::new(std::io::stdout().lock());
    match fill(&mut out).and_then(|()| out.flush()) {
        Err(e) if e.kind() == std::io::ErrorKind::BrokenPipe => Ok(()),
        r => r.context("writing standard output"),
    }
}

/// Writes `bytes` to `path` through a temporary file and a rename ([`write_atomic_with`]).
pub fn write_atomic(path: &Path, bytes: &[u8]) -> Result<()> {
    write_atomic_with(path, |w| w.write_all(bytes))
}

/// Writes what `fill` produces (streamed through a buffer, never held whole in memory)
/// to `path` through a temporary file and a rename, so a reader never sees half a file.
/// A path that names something other than a regular file (`/dev/stdout`, a FIFO, a
/// terminal) is written in place: renaming over it would replace the device or the
/// link, not write to it.
pub fn write_atomic_with(
    path: &Path,
    fill: impl FnOnce(&mut dyn Write) -> std::io::Result<()>,
) -> Result<()> {
    let failed = |source| WriteFailed {
        path: path.display().to_string(),
        source,
    };
    if std::fs::metadata(path).is_ok_and(|m| !m.is_file() && !m.is_dir()) {
        let f = std::fs::OpenOptions::new()
            .write(true)
            .open(path)
            .map_err(failed)?;
        let mut w = std::io::BufWriter::new(f);
        return fill(&mut w)
            .and_then(|()| w.flush())
            .map_err(|e| failed(e).into());
    }
    let (tmp, file) = create_temp(path).map_err(failed)?;
    // Errors name the user's path, never the temporary file.
    let result = (|| -> std::io::Result<()> {
        let mut w = std::io::BufWriter::new(file);
        fill(&mut w)?;
        let f = w
            .into_inner()
            .map_err(std::io::IntoInnerError::into_error)?;
        f.sync_all()?;
        std::fs::rename(&tmp, path)
    })();
    if result.is_err() {
        let _ = std::fs::remove_file(&tmp);
    }
    result.map_err(|e| failed(e).into())
}

/// Creates the temporary file [`write_atomic`] writes first, beside `path`: a random
/// name, created only if nothing has that name (`O_EXCL`, which never follows a
/// symbolic link, and `O_NOFOLLOW` on Unix). In a directory other users can write
/// (`/tmp`), nobody can guess the name ahead or plant a link that makes us overwrite
/// another file.
fn create_temp(path: &Path) -> std::io::Result<(std::path::PathBuf, std::fs::File)> {
    let dir = path
        .parent()
        .filter(|d| !d.as_os_str().is_empty())
        .unwrap_or(Path::new("."));
    let name = path
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_else(|| "out".into());
    let mut last = None;
    // A clash of 64 random bits is next to impossible; a few tries cover a planted name.
    for _ in 0..4 {
        let mut bytes = [0u8; 8];
        crate::proto::token::fill_random(&mut bytes).map_err(std::io::Error::other)?;
        let suffix: String = bytes.iter().map(|b| format!("{b:02x}")).collect();
        let tmp = dir.join(format!(".{name}.{suffix}.tmp"));
        let mut open = std::fs::OpenOptions::new();
        open.write(true).create_new(true);
        #[cfg(unix)]
        {
            use std::os::unix::fs::OpenOptionsExt;
            open.custom_flags(libc::O_NOFOLLOW);
        }
        match open.open(&tmp) {
            Ok(f) => return Ok((tmp, f)),
            Err(e) if e.kind() == std::io::ErrorKind::AlreadyExists => last = Some(e),
            Err(e) => return Err(e),
        }
    }
    Err(last.unwrap_or_else(|| std::io::Error::other("no free temporary name")))
}

/// Checks, before any work, that [`write_atomic`] can write `path`: its directory
/// exists and takes a new file, and `path` is not a directory. The error names `path`.
pub fn check_writable(path: &Path) -> Result<()> {
    if path.is_dir() {
        anyhow::bail!("{}: is a directory, not a file to write", path.display());
    }
    if std::fs::metadata(path).is_ok_and(|m| !m.is_file()) {
        // A device or a FIFO is written in place; opening it is the check.
        return Ok(());
    }
    let (tmp, _) = create_temp(path).map_err(|source| WriteFailed {
        path: path.display().to_string(),
        source,
    })?;
    let _ = std::fs::remove_file(&tmp);
    Ok(())
}

#[cfg(all(test, unix))]
mod tests {
    use super::*;

    /// The temporary file never goes through a planted link: a link at every name the
    /// old scheme used (`.NAME.<pid>.tmp`) leaves its victim untouched, and names are
    /// random, not the pid.
    #[test]
    fn a_planted_link_is_never_followed() {
        let dir = std::env::temp_dir().join(format!("portplan-io-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        std::fs::create_dir_all(&dir).expect("dir");
        let victim = dir.join("victim");
        std::fs::write(&victim, "keep me").expect("victim");
        let out = dir.join("report.json");
        let old_name = dir.join(format!(".report.json.{}.tmp", std::process::id()));
        std::os::unix::fs::symlink(&victim, &old_name).expect("link");
        write_atomic(&out, b"{}\n").expect("write");
        assert_eq!(std::fs::read_to_string(&victim).expect("read"), "keep me");
        assert_eq!(std::fs::read_to_string(&out).expect("read"), "{}\n");
        let (a, _) = create_temp(&out).expect("temp");
        let (b, _) = create_temp(&out).expect("temp");
        assert_ne!(a, b, "random names");
        let name = a.file_name().expect("name").to_string_lossy().into_owned();
        assert!(!name.contains(&std::process::id().to_string()), "{name}");
        // Overwriting a link at the target replaces the link, not what it points to.
        let linked = dir.join("linked.json");
        std::os::unix::fs::symlink(&victim, &linked).expect("link");
        write_atomic(&linked, b"new").expect("write");
        assert_eq!(std::fs::read_to_string(&victim).expect("read"), "keep me");
        let _ = std::fs::remove_dir_all(&dir);
    }
}
