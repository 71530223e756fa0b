//! File edges of the CLI: bounded reads and atomic writes.

use anyhow::{Context, Result};
use portplan_core::scenario::MAX_INPUT_BYTES;
use std::io::{Read, Write};
use std::path::Path;

/// Reads a UTF-8 file (or stdin for `-`), refusing more than the core's input cap.
pub fn read_input(path: &Path) -> Result<String> {
    let mut buf = Vec::new();
    let limit = MAX_INPUT_BYTES as u64 + 1;
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
    if buf.len() > MAX_INPUT_BYTES {
        anyhow::bail!(
            "{}: larger than the {MAX_INPUT_BYTES}-byte limit",
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
    let tmp = temp_path(path);
    // Errors name the user's path, never the temporary file.
    let result = (|| -> std::io::Result<()> {
        let mut w = std::io::BufWriter::new(std::fs::File::create(&tmp)?);
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

/// The temporary file [`write_atomic`] writes first, beside `path`.
fn temp_path(path: &Path) -> std::path::PathBuf {
    let dir = path
        .parent()
        .filter(|d| !d.as_os_str().is_empty())
        .unwrap_or(Path::new("."));
    let name = path
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_else(|| "out".into());
    dir.join(format!(".{name}.{}.tmp", std::process::id()))
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
    let tmp = temp_path(path);
    std::fs::File::create(&tmp).map_err(|source| WriteFailed {
        path: path.display().to_string(),
        source,
    })?;
    let _ = std::fs::remove_file(&tmp);
    Ok(())
}
