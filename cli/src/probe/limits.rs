//! The open-file budget. Every in-flight probe holds one socket, so concurrency is
//! sized below the descriptor limit (RustScan's top complaint is panicking on EMFILE).

/// Descriptors kept back for stdio, the runtime, DNS and the report file.
const RESERVE: u64 = 64;
/// Even with a huge limit, more in-flight connects than this only floods the path and
/// costs memory (about 1.4 KB per probe in flight). Measured (BENCHMARKS.md, issue 13):
/// 2048 against 8192 keeps every wall-time figure (10,000 pairs 0.12-0.13 of nmap's, one
/// host's 16,384 ports 0.12-0.14, SYN-limited 0 wrong) and lowers the peak from 15.2-16.0
/// to 11.0-11.2 MiB, below nmap's 15.1-15.3.
const MAX_DEFAULT: u64 = 2048;

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
        assert_eq!(default_concurrency(Some(1 << 20)), 2048);
        assert_eq!(default_concurrency(None), 1024);
        for limit in [65u64, 100, 256, 4096, 20000] {
            assert!((default_concurrency(Some(limit)) as u64) < limit);
        }
    }
}
