//! Text metrics of the standard Helvetica fonts in WinAnsi encoding, and line wrapping.
//!
//! The standard 14 fonts are not embedded, but a viewer lays them out with the Adobe
//! metrics, so we measure with the same widths (from the Adobe AFM files) to wrap text
//! inside table cells instead of letting long host names run over the next column.

use super::widths::{HELVETICA, HELVETICA_BOLD};

/// Which of the two fonts the document uses.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Font {
    Regular,
    Bold,
}

impl Font {
    /// Resource name in the page's font dictionary.
    pub fn resource(self) -> &'static [u8] {
        match self {
            Font::Regular => b"F1",
            Font::Bold => b"F2",
        }
    }
    pub fn base_name(self) -> &'static [u8] {
        match self {
            Font::Regular => b"Helvetica",
            Font::Bold => b"Helvetica-Bold",
        }
    }
    fn widths(self) -> &'static [u16; 224] {
        match self {
            Font::Regular => &HELVETICA,
            Font::Bold => &HELVETICA_BOLD,
        }
    }
}

/// The WinAnsi (Windows-1252) code of `c`; characters outside it become `?`.
pub fn winansi(c: char) -> u8 {
    let u = u32::from(c);
    match u {
        0x20..=0x7e | 0xa0..=0xff => u as u8,
        _ => match c {
            '€' => 0x80,
            '‚' => 0x82,
            'ƒ' => 0x83,
            '„' => 0x84,
            '…' => 0x85,
            '†' => 0x86,
            '‡' => 0x87,
            'ˆ' => 0x88,
            '‰' => 0x89,
            'Š' => 0x8a,
            '‹' => 0x8b,
            'Œ' => 0x8c,
            'Ž' => 0x8e,
            '‘' => 0x91,
            '’' => 0x92,
            '“' => 0x93,
            '”' => 0x94,
            '•' => 0x95,
            '–' => 0x96,
            '—' => 0x97,
            '˜' => 0x98,
            '™' => 0x99,
            'š' => 0x9a,
            '›' => 0x9b,
            'œ' => 0x9c,
            'ž' => 0x9e,
            'Ÿ' => 0x9f,
            '\t' | '\n' | '\r' => b' ',
            _ => b'?',
        },
    }
}

/// `s` in WinAnsi bytes, ready for a PDF string.
pub fn encode(s: &str) -> Vec<u8> {
    s.chars().map(winansi).collect()
}

/// Advance width of `s` at `size` points.
pub fn width(s: &str, font: Font, size: f32) -> f32 {
    let w = font.widths();
    let units: u32 = s
        .chars()
        .map(|c| u32::from(w[usize::from(winansi(c).saturating_sub(32))]))
        .sum();
    units as f32 * size / 1000.0
}

/// Greedy word wrap of `s` into lines no wider than `max` points. Words wider than a
/// line (FQDNs, rule ids) are split after `.`, `-`, `/` or `_` where possible, else at
/// any character, so nothing is ever clipped. Always returns at least one line.
pub fn wrap(s: &str, font: Font, size: f32, max: f32) -> Vec<String> {
    let space = width(" ", font, size);
    let mut lines = Vec::new();
    for para in s.split('\n') {
        let mut line = String::new();
        let mut line_w = 0.0;
        for word in para.split(' ').filter(|w| !w.is_empty()) {
            let word_w = width(word, font, size);
            let joined = if line.is_empty() {
                word_w
            } else {
                line_w + space + word_w
            };
            if joined <= max {
                if !line.is_empty() {
                    line.push(' ');
                }
                line.push_str(word);
                line_w = joined;
                continue;
            }
            if !line.is_empty() {
                lines.push(std::mem::take(&mut line));
            }
            let mut rest = word;
            while width(rest, font, size) > max {
                let (head, tail) = split_word(rest, font, size, max);
                lines.push(head.to_string());
                rest = tail;
            }
            line = rest.to_string();
            line_w = width(rest, font, size);
        }
        lines.push(line);
    }
    lines
}

/// Splits a too-wide word: the longest prefix that fits, preferably ending in a
/// separator; at least one character so the loop always advances.
fn split_word(word: &str, font: Font, size: f32, max: f32) -> (&str, &str) {
    let mut fit = 0;
    let mut sep = 0;
    for (i, c) in word.char_indices() {
        let end = i + c.len_utf8();
        if width(&word[..end], font, size) > max {
            break;
        }
        fit = end;
        if matches!(c, '.' | '-' | '/' | '_' | ':' | ',') {
            sep = end;
        }
    }
    let cut = if sep > 0 {
        sep
    } else if fit > 0 {
        fit
    } else {
        word.chars().next().map_or(word.len(), char::len_utf8)
    };
    word.split_at(cut)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn widths_match_the_afm() {
        // Helvetica: "A" is 667, space 278; Helvetica-Bold "A" 722.
        assert!((width("A A", Font::Regular, 1000.0) - 1612.0).abs() < 0.01);
        assert!((width("A", Font::Bold, 1000.0) - 722.0).abs() < 0.01);
        assert_eq!(encode("é→€"), vec![0xe9, b'?', 0x80]);
    }

    #[test]
    fn wrapping_never_exceeds_the_width() {
        let s = "ps01.very-long-subdomain.corp.example.com talks to a1234567890123456789012345";
        for max in [20.0, 40.0, 80.0, 200.0] {
            let lines = wrap(s, Font::Regular, 8.0, max);
            assert_eq!(lines.concat().replace(' ', ""), s.replace(' ', ""));
            for l in &lines {
                assert!(
                    width(l, Font::Regular, 8.0) <= max || l.chars().count() == 1,
                    "{l}"
                );
            }
        }
        assert_eq!(wrap("", Font::Regular, 8.0, 50.0), vec![String::new()]);
    }
}
