//! The change request as a spreadsheet (`portplan plan --format xlsx -o FILE`): the
//! change-request CSV's rows (one per consolidated rule and protocol, same columns, same
//! text), then an approval column with a yes/no list and the vendor's words behind the
//! rule, under a frozen, filterable header.
//!
//! Built with `rust_xlsxwriter` (0.94: the last release that builds with the
//! workspace's rust-version). The workbook's dates are the caller's (`Options::date`),
//! so the same plan and date give the same bytes.

use super::change_csv::{rows, HEADER};
use crate::firewall::rules;
use crate::plan::Plan;
use rust_xlsxwriter::{
    DataValidation, DocProperties, ExcelDateTime, Format, FormatAlign, Workbook, XlsxError,
};

/// The columns after the change request's: who approves, and why the rule exists.
pub const EXTRA: [&str; 2] = ["approved", "vendor_quote"];

/// The workbook; `date` (`YYYY-MM-DD`) is its creation date.
pub fn render(plan: &Plan, date: &str) -> Vec<u8> {
    workbook(plan, date).unwrap_or_default()
}

fn workbook(plan: &Plan, date: &str) -> Result<Vec<u8>, XlsxError> {
    let mut book = Workbook::new();
    let when = parse_date(date).unwrap_or(ExcelDateTime::from_ymd(2000, 1, 1)?);
    book.set_properties(
        &DocProperties::new()
            .set_title("Firewall change request")
            .set_subject(format!(
                "PlateSpin {} {}",
                plan.product.title(),
                plan.version
            ))
            .set_creation_datetime(&when),
    );
    let sheet = book.add_worksheet();
    sheet.set_name("Change request")?;
    let bold = Format::new().set_bold();
    let wrap = Format::new().set_text_wrap().set_align(FormatAlign::Top);
    let header: Vec<&str> = HEADER.iter().chain(EXTRA.iter()).copied().collect();
    for (c, h) in header.iter().enumerate() {
        sheet.write_string_with_format(0, c as u16, *h, &bold)?;
    }
    let quotes = quotes(plan);
    let body = rows(plan);
    for (r, row) in body.iter().enumerate() {
        let at = r as u32 + 1;
        for (c, cell) in row.iter().enumerate() {
            sheet.write_string_with_format(at, c as u16, cell, &wrap)?;
        }
        let n: usize = row[0].trim_start_matches('R').parse().unwrap_or(0);
        let quote = quotes.get(n.wrapping_sub(1)).map_or("", String::as_str);
        sheet.write_string_with_format(at, HEADER.len() as u16 + 1, quote, &wrap)?;
    }
    let approved = HEADER.len() as u16;
    if !body.is_empty() {
        let list = DataValidation::new()
            .allow_list_strings(&["yes", "no"])?
            .set_input_title("Approved?")?
            .set_input_message("yes or no")?;
        sheet.add_data_validation(1, approved, body.len() as u32, approved, &list)?;
    }
    sheet.set_freeze_panes(1, 0)?;
    sheet.autofilter(0, 0, body.len() as u32, header.len() as u16 - 1)?;
    for (c, width) in [6, 14, 24, 14, 24, 18, 8, 18, 22, 50, 40, 30, 30, 10, 60]
        .iter()
        .enumerate()
    {
        sheet.set_column_width(c as u16, *width)?;
    }
    book.save_to_buffer()
}

/// Per consolidated rule, the vendor's words of its catalog rules, each with its source.
fn quotes(plan: &Plan) -> Vec<String> {
    rules(plan)
        .iter()
        .map(|r| {
            let mut seen: Vec<&str> = Vec::new();
            let mut out: Vec<String> = Vec::new();
            for id in &r.catalog {
                if let Some(rule) = crate::rules::rule(id) {
                    if !seen.contains(&rule.quote) {
                        seen.push(rule.quote);
                        out.push(format!(
                            "\u{201c}{}\u{201d} ({}, {})",
                            rule.quote, rule.source, rule.page
                        ));
                    }
                }
            }
            out.join("\n")
        })
        .collect()
}

fn parse_date(date: &str) -> Option<ExcelDateTime> {
    let mut parts = date.split('-').map(|p| p.parse::<u16>().ok());
    let (y, m, d) = (parts.next()??, parts.next()??, parts.next()??);
    ExcelDateTime::from_ymd(y, u8::try_from(m).ok()?, u8::try_from(d).ok()?).ok()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::Scenario;

    #[test]
    fn the_same_plan_and_date_give_the_same_workbook() {
        let s =
            Scenario::from_json(include_str!("../../../examples/azure-nat.json")).expect("example");
        let plan = Plan::build(&s).expect("plan");
        let a = render(&plan, "2026-01-01");
        assert!(a.starts_with(b"PK"), "a zip archive");
        assert_eq!(a, render(&plan, "2026-01-01"));
        assert_ne!(a, render(&plan, "2026-01-02"));
        let q = quotes(&plan);
        assert_eq!(q.len(), rules(&plan).len());
        assert!(q.iter().all(|q| !q.is_empty()), "{q:?}");
    }
}
