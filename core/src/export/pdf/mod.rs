//! The plan as a PDF checklist for the people who open firewalls and tick boxes on site.
//!
//! Pure and reproducible: the date is an input, there is no creation timestamp, and the
//! document ID is derived from the plan digest, so the same plan and options give the
//! same bytes in the CLI and in the browser. Uses the standard Helvetica fonts (not
//! embedded) in WinAnsi encoding; characters outside it print as `?`.
//!
//! Page 1 holds the title, a summary and, if given, a caller-drawn figure
//! ([`FirstPageExtras`], e.g. the plan diagram); then one section per phase with a table
//! per host pair; the last page holds the notes (dynamic RPC, KB articles, drive ports).

mod cover;
pub mod figure;
mod layout;
pub(crate) mod metrics;
mod notes;
mod rules;
mod table;
mod widths;

pub use layout::{Rect, CONTENT_W, PAGE_H, PAGE_W};
pub use pdf_writer::Content;

use super::{grouped, Hosts, NoteIndex, PairGroup};
use crate::plan::{Flow as PlanFlow, Plan};
use crate::types::{Phase, Protocol};
use layout::{hline, text_at, text_right, Flow, MARGIN_X};
use metrics::Font;
use miniz_oxide::deflate::core::{
    compress, create_comp_flags_from_zip_params, CompressorOxide, TDEFLFlush, TDEFLStatus,
};
use pdf_writer::{Finish, Name, Pdf, Ref, TextStr};
use sha2::{Digest, Sha256};
use table::{Column, Table};

/// A figure drawn on page 1 below the summary, such as the plan diagram.
///
/// The PDF reserves `height(CONTENT_W)` points across the full text width and calls
/// `draw` with that area; draw with plain PDF path operators in user space (points,
/// origin bottom-left). Fonts `F1` (Helvetica) and `F2` (Helvetica-Bold) are available.
pub trait FirstPageExtras {
    /// Height wanted for the given width, in points (capped to what page 1 has left).
    fn height(&self, width: f32) -> f32;
    fn draw(&self, page: &mut Content, area: Rect);
}

/// What the document needs besides the plan; everything that varies is explicit.
#[derive(Clone, Copy)]
pub struct PdfOptions<'a> {
    /// Date printed on the document (`YYYY-MM-DD`), chosen by the caller.
    pub date: &'a str,
    /// Title line above product and version (e.g. a project name).
    pub title: &'a str,
    /// Optional figure for page 1.
    pub extras: Option<&'a dyn FirstPageExtras>,
}

impl<'a> PdfOptions<'a> {
    /// Options with the default title and no figure.
    pub fn new(date: &'a str) -> PdfOptions<'a> {
        PdfOptions {
            date,
            title: DEFAULT_TITLE,
            extras: None,
        }
    }
}

pub const DEFAULT_TITLE: &str = "Firewall checklist";

const COLUMNS: [Column; 6] = [
    Column {
        title: "Done",
        width: 26.0,
    },
    Column {
        title: "Direction",
        width: 92.0,
    },
    Column {
        title: "Protocol",
        width: 42.0,
    },
    Column {
        title: "Port(s)",
        width: 60.0,
    },
    Column {
        title: "Purpose",
        width: 172.0,
    },
    Column {
        title: "Source / notes",
        width: CONTENT_W - 26.0 - 92.0 - 42.0 - 60.0 - 172.0,
    },
];

const BODY: f32 = 8.0;

/// Renders the checklist.
pub fn render(plan: &Plan, opts: &PdfOptions<'_>) -> Vec<u8> {
    // The plan's digest is the whole plan serialized and hashed: once per document.
    let digest = plan.digest();
    let mut flow = Flow::new();
    cover::draw(&mut flow, plan, opts, &digest);
    let index = NoteIndex::of(plan);
    // The rules a team applies lead; every flow by phase and host pair follows.
    flow.new_page();
    rules::draw(&mut flow, plan, &index);
    flow.new_page();
    flow.paragraph(
        "Appendix: every flow, by phase and host pair",
        Font::Bold,
        16.0,
        CONTENT_W,
    );
    flow.gap(4.0);
    let hosts = Hosts::new(plan);
    for (phase, pairs) in grouped(plan) {
        phase_section(&mut flow, &hosts, phase, &pairs, &index);
    }
    flow.new_page();
    notes::draw(&mut flow, plan, &index);
    let subject = format!("PlateSpin {} {}", product_name(plan), plan.version);
    footers(&mut flow, &subject, opts.date);
    write(flow, &digest, opts, &subject)
}

pub(crate) fn product_name(plan: &Plan) -> &'static str {
    plan.product.title()
}

fn phase_section(
    flow: &mut Flow,
    hosts: &Hosts<'_>,
    phase: Phase,
    pairs: &[PairGroup<'_>],
    index: &NoteIndex<'_>,
) {
    let n: usize = pairs.iter().map(|g| g.flows.len()).sum();
    let heading = format!(
        "{} ({n} flow{})",
        phase.title(),
        if n == 1 { "" } else { "s" }
    );
    // Keep the phase heading with the first pair heading and its first row.
    let first = pairs.first().map(|g| hosts.pair_heading(g.from, g.to));
    let first_row = pairs
        .first()
        .and_then(|g| g.flows.first())
        .map(|f| row(f, index));
    let table = Table::new(&COLUMNS, true, BODY);
    let need =
        30.0 + first.as_deref().map_or(0.0, |h| {
            Flow::paragraph_height(h, Font::Bold, 10.0, CONTENT_W)
        }) + table.start_height(first_row.as_deref());
    flow.ensure(need);
    flow.gap(6.0);
    flow.paragraph(&heading, Font::Bold, 14.0, CONTENT_W);
    flow.gap(2.0);
    for g in pairs {
        pair_table(flow, hosts, g, &table, index);
    }
}

fn pair_table(
    flow: &mut Flow,
    hosts: &Hosts<'_>,
    g: &PairGroup<'_>,
    table: &Table<'_>,
    index: &NoteIndex<'_>,
) {
    let heading = hosts.pair_heading(g.from, g.to);
    let rows: Vec<Vec<String>> = g.flows.iter().map(|f| row(f, index)).collect();
    let head_h = Flow::paragraph_height(&heading, Font::Bold, 10.0, CONTENT_W);
    flow.ensure(8.0 + head_h + table.start_height(rows.first().map(Vec::as_slice)));
    flow.gap(8.0);
    flow.paragraph(&heading, Font::Bold, 10.0, CONTENT_W);
    flow.gap(1.0);
    let continued = format!("{heading} (continued)");
    table.draw(flow, &rows, &|f: &mut Flow| {
        f.paragraph(&continued, Font::Bold, 10.0, CONTENT_W);
        f.gap(1.0);
    });
    flow.ensure(22.0);
    flow.gap(14.0);
    let y = flow.y;
    text_at(
        flow.page(),
        MARGIN_X,
        y,
        Font::Regular,
        8.5,
        "Verified by: ____________________________________     Date: ____________________",
    );
    flow.gap(6.0);
}

/// The cells of one checklist row (the tick box cell stays empty); the last names the
/// rule, its source, the inferred mark and the numbers of the flow's notes.
fn row(f: &PlanFlow, index: &NoteIndex<'_>) -> Vec<String> {
    let (proto, ports) = match (f.protocol, f.ports) {
        (Protocol::Icmp, _) | (_, None) => ("ICMP".to_string(), "echo request".to_string()),
        (p, Some(r)) => (p.as_str().to_ascii_uppercase(), r.to_string()),
    };
    let source = f
        .rule()
        .map(|r| r.source.split([',', '"']).next().unwrap_or(r.source).trim())
        .unwrap_or("");
    let mut notes = if source.is_empty() {
        f.rule.clone()
    } else {
        format!("{} ({source})", f.rule)
    };
    if f.inferred {
        notes.push_str("; INFERRED");
    }
    if let Some(refs) = index.refs(f) {
        notes.push_str(&format!("; {refs}"));
    }
    vec![
        String::new(),
        format!("{} -> {}", f.from, f.to),
        proto,
        ports,
        f.purpose.clone(),
        notes,
    ]
}

fn footers(flow: &mut Flow, subject: &str, date: &str) {
    let total = flow.pages.len();
    let left = format!("{subject} - firewall checklist - {date}");
    for (i, page) in flow.pages.iter_mut().enumerate() {
        hline(page, MARGIN_X, MARGIN_X + CONTENT_W, 40.0, 0.5, 0.5);
        text_at(page, MARGIN_X, 28.0, Font::Regular, 7.5, &left);
        text_right(
            page,
            MARGIN_X + CONTENT_W,
            28.0,
            Font::Regular,
            7.5,
            &format!("Page {} of {total}", i + 1),
        );
    }
}

/// Serializes the laid-out pages; object numbers are assigned in a fixed order.
fn write(flow: Flow, digest: &str, opts: &PdfOptions<'_>, subject: &str) -> Vec<u8> {
    let mut pdf = Pdf::new();
    let catalog = Ref::new(1);
    let tree = Ref::new(2);
    let regular = Ref::new(3);
    let bold = Ref::new(4);
    let info = Ref::new(5);
    let n = flow.pages.len() as i32;
    let page_ref = |i: i32| Ref::new(6 + 2 * i);
    let content_ref = |i: i32| Ref::new(7 + 2 * i);

    pdf.catalog(catalog).pages(tree);
    pdf.pages(tree).kids((0..n).map(page_ref)).count(n);
    for (font, id) in [(Font::Regular, regular), (Font::Bold, bold)] {
        pdf.type1_font(id)
            .base_font(Name(font.base_name()))
            .encoding_predefined(Name(b"WinAnsiEncoding"));
    }
    let mut deflater = Deflater::new();
    for (i, content) in (0..n).zip(flow.pages) {
        let mut page = pdf.page(page_ref(i));
        page.media_box(pdf_writer::Rect::new(0.0, 0.0, PAGE_W, PAGE_H))
            .parent(tree)
            .contents(content_ref(i));
        page.resources()
            .fonts()
            .pair(Name(Font::Regular.resource()), regular)
            .pair(Name(Font::Bold.resource()), bold);
        page.finish();
        let packed = deflater.zlib(&content.finish());
        pdf.stream(content_ref(i), &packed)
            .filter(pdf_writer::Filter::FlateDecode);
    }
    let title = format!("{}: {subject}", opts.title);
    pdf.document_info(info)
        .title(TextStr(&title))
        .subject(TextStr(&format!("{subject}, {}", opts.date)))
        .producer(TextStr(concat!("portplan ", env!("CARGO_PKG_VERSION"))));
    let id = Sha256::digest(format!("{digest}\n{}\n{}", opts.date, opts.title));
    pdf.set_file_id((id[..16].to_vec(), id[..16].to_vec()));
    pdf.finish()
}

/// zlib streams of the pages, through one compressor: a new one per page allocated
/// and zeroed its 300 KB of tables a thousand times for a big plan.
///
/// Deflated at a fixed level: deterministic. Level 1 (miniz's fast greedy matcher)
/// shrinks a 1,000-workload checklist from 9.6 to 2.1 MB in a third of level 6's time
/// (1.7 MB): the document is tables of repeated words.
struct Deflater(Box<CompressorOxide>);

impl Deflater {
    const LEVEL: i32 = 1;

    fn new() -> Deflater {
        Deflater(Box::new(CompressorOxide::new(
            create_comp_flags_from_zip_params(Self::LEVEL, 15, 0),
        )))
    }

    fn zlib(&mut self, whole: &[u8]) -> Vec<u8> {
        self.0.reset();
        let mut input = whole;
        let mut out = vec![0; (input.len() / 2).max(64)];
        let mut at = 0;
        loop {
            let (status, read, wrote) =
                compress(&mut self.0, input, &mut out[at..], TDEFLFlush::Finish);
            at += wrote;
            match status {
                TDEFLStatus::Done => {
                    out.truncate(at);
                    return out;
                }
                TDEFLStatus::Okay if read <= input.len() => {
                    input = &input[read..];
                    if out.len() - at < 64 {
                        out.resize(out.len() * 2, 0);
                    }
                }
                // miniz reports no other status for a whole buffer with room to grow.
                _ => return miniz_oxide::deflate::compress_to_vec_zlib(whole, Self::LEVEL as u8),
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::Deflater;
    use miniz_oxide::inflate::decompress_to_vec_zlib;

    /// One compressor for every page: each stream inflates back to its page, the same
    /// bytes as a fresh compressor's, whatever came before (text, incompressible bytes
    /// that outgrow the first buffer, nothing).
    #[test]
    fn a_reused_compressor_gives_each_page_its_own_stream() {
        let mut noise = Vec::new();
        let mut x: u32 = 1;
        for _ in 0..200_000 {
            x = x.wrapping_mul(1_103_515_245).wrapping_add(12_345);
            noise.push((x >> 16) as u8);
        }
        let text = "BT /F1 8 Tf 45 700 Td (web01 -> web01-t) Tj ET\n".repeat(500);
        let pages: [&[u8]; 4] = [text.as_bytes(), &noise, b"", text.as_bytes()];
        let mut d = Deflater::new();
        for page in pages {
            let packed = d.zlib(page);
            assert_eq!(decompress_to_vec_zlib(&packed).expect("inflate"), page);
            assert_eq!(packed, Deflater::new().zlib(page));
        }
    }
}
