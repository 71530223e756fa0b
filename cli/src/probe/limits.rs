//! The open-file budget. Every in-flight probe holds one socket, so concurrency is
//! sized below the descriptor limit (RustScan's top complaint is panicking on EMFILE).

/// Descriptors kept back for stdio, the runtime, DNS and the report file.
const RESERVE: u64 = 64;
/// Even with a huge limit, more in-flight connects than this only floods the path.
const MAX_DEFAULT: u64 = 8192;

/// Raises the soft RLIMIT_NOFILE to the hard limit where allowed; returns the soft limit
/// in force afterwards (`None` where the platform has no such limit).
pub fn raise_nofile() -> Option<u64> {
    #[cfg(unix)]
    {
        let (soft, hard) = rlimit::Resource::NOFILE.get().ok()?;
        if soft < hard && rlimit::Resource::NOFILE.set(hard, hard).is_ok() {
            return Some(hard);
        }
        Some(soft)
    }
    #[cfg(not(unix))]
    {
        None
    }
}

/// Default concurrency for a descriptor limit: below it, and never above the cap.
pub fn default_concurrency(nofile: Option<u64>) -> usize {
    let n = match nofile {
        Some(limit) => limit.saturating_sub(RESERVE).saturating_mul(9) / 10,
        None => 1024,
    };
    n.clamp(1, MAX_DEFAULT) as usize
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn concurrency_stays_below_the_limit() {
        assert_eq!(default_concurrency(Some(1024)), 864);
        assert_eq!(default_concurrency(Some(20)), 1);
        assert_eq!(default_concurrency(Some(1 << 20)), 8192);
        assert_eq!(default_concurrency(None), 1024);
        for limit in [65u64, 100, 256, 4096, 20000] {
            assert!((default_concurrency(Some(limit)) as u64) < limit);
        }
    }
}
