//! A bounds-checked cursor over untrusted bytes: every read returns `None` past the
//! end instead of panicking, so parsers can use `?` and stay panic-free.

/// Little-endian by default (SMB, DCE/RPC with `drep` LE); `*_be` for network order.
#[derive(Debug, Clone)]
pub struct Cursor<'a> {
    data: &'a [u8],
    pos: usize,
}

impl<'a> Cursor<'a> {
    pub fn new(data: &'a [u8]) -> Cursor<'a> {
        Cursor { data, pos: 0 }
    }
    pub fn pos(&self) -> usize {
        self.pos
    }
    pub fn remaining(&self) -> usize {
        self.data.len().saturating_sub(self.pos)
    }
    /// Moves to absolute offset `pos` (fails past the end).
    pub fn seek(&mut self, pos: usize) -> Option<()> {
        (pos <= self.data.len()).then(|| self.pos = pos)
    }
    pub fn take(&mut self, n: usize) -> Option<&'a [u8]> {
        let end = self.pos.checked_add(n)?;
        let s = self.data.get(self.pos..end)?;
        self.pos = end;
        Some(s)
    }
    pub fn skip(&mut self, n: usize) -> Option<()> {
        self.take(n).map(|_| ())
    }
    /// Skips to the next multiple of `n` (NDR alignment), relative to the start.
    pub fn align(&mut self, n: usize) -> Option<()> {
        let rem = self.pos % n;
        if rem == 0 {
            Some(())
        } else {
            self.skip(n - rem)
        }
    }
    pub fn u8(&mut self) -> Option<u8> {
        self.take(1).map(|b| b[0])
    }
    pub fn u16(&mut self) -> Option<u16> {
        self.array().map(u16::from_le_bytes)
    }
    pub fn u16_be(&mut self) -> Option<u16> {
        self.array().map(u16::from_be_bytes)
    }
    pub fn u32(&mut self) -> Option<u32> {
        self.array().map(u32::from_le_bytes)
    }
    pub fn u32_be(&mut self) -> Option<u32> {
        self.array().map(u32::from_be_bytes)
    }
    pub fn u64(&mut self) -> Option<u64> {
        self.array().map(u64::from_le_bytes)
    }
    pub fn array<const N: usize>(&mut self) -> Option<[u8; N]> {
        let s = self.take(N)?;
        let mut a = [0u8; N];
        a.copy_from_slice(s);
        Some(a)
    }
}

/// Formats a GUID stored in the little-endian Microsoft layout (DCE/RPC, SMB).
pub fn guid_le(b: &[u8; 16]) -> String {
    format!(
        "{:08x}-{:04x}-{:04x}-{:02x}{:02x}-{:02x}{:02x}{:02x}{:02x}{:02x}{:02x}",
        u32::from_le_bytes([b[0], b[1], b[2], b[3]]),
        u16::from_le_bytes([b[4], b[5]]),
        u16::from_le_bytes([b[6], b[7]]),
        b[8],
        b[9],
        b[10],
        b[11],
        b[12],
        b[13],
        b[14],
        b[15]
    )
}

/// Printable text for a report: control characters and invalid UTF-8 replaced, length
/// capped, so a hostile banner cannot inject terminal escapes or huge lines.
pub fn printable(bytes: &[u8], max_chars: usize) -> String {
    String::from_utf8_lossy(bytes)
        .chars()
        .map(|c| if c.is_control() { '?' } else { c })
        .take(max_chars)
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_past_end_are_none() {
        let mut c = Cursor::new(&[1, 2, 3]);
        assert_eq!(c.u16(), Some(0x0201));
        assert_eq!(c.u16(), None);
        assert_eq!(c.u8(), Some(3));
        assert_eq!(c.u8(), None);
        assert_eq!(c.take(usize::MAX), None);
        assert_eq!(c.seek(4), None);
    }

    #[test]
    fn guid_layout() {
        let epm = [
            0x08, 0x83, 0xaf, 0xe1, 0x1f, 0x5d, 0xc9, 0x11, 0x91, 0xa4, 0x08, 0x00, 0x2b, 0x14,
            0xa0, 0xfa,
        ];
        assert_eq!(guid_le(&epm), "e1af8308-5d1f-11c9-91a4-08002b14a0fa");
    }

    #[test]
    fn printable_strips_escapes() {
        assert_eq!(printable(b"a\x1b[2Jb\r\n", 10), "a?[2Jb??");
        assert_eq!(printable(b"abcdef", 3), "abc");
    }
}
