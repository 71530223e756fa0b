//! Pasted or imported workload lists: what a spreadsheet copy or a CSV/TSV export gives.
//!
//! The separator is found from the first line (tab, `;` or `,`, fields may be quoted);
//! a header line is recognised by its names (`Hostname`, `IP address`, `Target name`…)
//! and maps columns in any order. Without a header the columns are the short form
//! `name,address,os,drives` (more trailing fields are more drives). Values are read
//! the way inventories write them: `Windows Server 2016 Standard` is Windows 2016,
//! `RHEL 8` is Linux, `C:\` is drive C.
//!
//! Each row is judged at once with the core's own checks of names, addresses and drive
//! letters, so the preview shows its problems before anything is added; the rows'
//! cross-checks (duplicates, product rules) are the wizard's, once they are in.
//!
//! This lives in the exports module (it is not needed to show the first plan): the page
//! hands over the pasted text and gets back the preview as HTML ([`preview_html`]) and
//! each row as a line of fields ([`Row::encode`]) it turns into wizard rows.

use portplan_core::export::markup::escape as esc;
use portplan_core::scenario::{check_address, check_name, MAX_WORKLOADS};
use portplan_core::words::{self, split_drives, words};
use portplan_core::{DriveLetter, Os, Transfer};

/// A workload as read from a row: the wizard's fields, as typed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Row {
    pub name: String,
    pub address: String,
    pub os: Os,
    /// Windows generation text (`2016`, `2003 R2`); empty means "not given".
    pub windows: String,
    /// Drive letters as text (`C, E`).
    pub drives: String,
    pub transfer: Transfer,
    pub agent: bool,
    pub target_name: String,
    pub target_address: String,
}

/// Between the fields of [`Row::encode`]: a control character no cell keeps (cells are
/// trimmed, and a pasted line never holds one).
pub const FIELD_SEPARATOR: char = '\u{1f}';

impl Row {
    fn new(name: String) -> Row {
        Row {
            name,
            address: String::new(),
            os: Os::Windows,
            windows: String::new(),
            drives: String::new(),
            transfer: Transfer::File,
            agent: false,
            target_name: String::new(),
            target_address: String::new(),
        }
    }

    /// The fields for the page, in this order: name, address, os, windows, drives,
    /// transfer, agent (`1` or empty), target name, target address (the file spelling of
    /// the enums), joined by [`FIELD_SEPARATOR`].
    pub fn encode(&self) -> String {
        let clean = |s: &str| s.replace(FIELD_SEPARATOR, " ");
        [
            clean(&self.name),
            clean(&self.address),
            self.os.as_str().to_string(),
            clean(&self.windows),
            clean(&self.drives),
            self.transfer.as_str().to_string(),
            if self.agent { "1" } else { "" }.to_string(),
            clean(&self.target_name),
            clean(&self.target_address),
        ]
        .join(&FIELD_SEPARATOR.to_string())
    }
}

/// A column of a workload list.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Column {
    Name,
    Address,
    Os,
    Windows,
    Drives,
    Transfer,
    TargetName,
    TargetAddress,
    Agent,
    /// A column the planner has no use for (kept out, named in the preview).
    Ignored,
}

impl Column {
    /// The column a header cell names, or `None` if it is not a header word.
    pub fn from_header(cell: &str) -> Option<Column> {
        let key: String = cell
            .chars()
            .filter(|c| c.is_ascii_alphanumeric())
            .collect::<String>()
            .to_ascii_lowercase();
        Some(match key.as_str() {
            "name" | "hostname" | "host" | "server" | "servername" | "workload" | "vm"
            | "vmname" | "computer" | "computername" | "source" | "sourcename" | "machine" => {
                Column::Name
            }
            "address" | "ip" | "ipaddress" | "ipv4" | "ipv4address" | "sourceaddress"
            | "sourceip" | "fqdn" | "dnsname" | "addr" => Column::Address,
            "os" | "operatingsystem" | "ostype" | "osfamily" | "platform" => Column::Os,
            "windows" | "windowsversion" | "osversion" | "version" | "winversion" => {
                Column::Windows
            }
            "drives" | "drive" | "driveletters" | "volumes" | "disks" => Column::Drives,
            "transfer" | "transfermethod" | "method" | "transfertype" => Column::Transfer,
            "targetname" | "target" | "targethost" | "targetvm" | "targethostname" => {
                Column::TargetName
            }
            "targetaddress" | "targetip" | "targetipaddress" | "targetfqdn" => {
                Column::TargetAddress
            }
            "agent" | "migrateagent" | "useagent" => Column::Agent,
            _ => return None,
        })
    }

    pub fn title(self) -> &'static str {
        match self {
            Column::Name => "name",
            Column::Address => "address",
            Column::Os => "OS",
            Column::Windows => "Windows version",
            Column::Drives => "drives",
            Column::Transfer => "transfer",
            Column::TargetName => "target name",
            Column::TargetAddress => "target address",
            Column::Agent => "agent",
            Column::Ignored => "ignored",
        }
    }
}

/// One row as read, with what is wrong with it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PastedRow {
    /// 1-based line of the pasted text.
    pub line: usize,
    pub workload: Row,
    pub errors: Vec<String>,
}

/// A whole paste, ready to preview.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Pasted {
    /// `tab`, `semicolon` or `comma`.
    pub separator: &'static str,
    /// The columns, from the header or the short form.
    pub columns: Vec<Column>,
    pub header: bool,
    /// Header cells that name nothing the planner uses.
    pub ignored: Vec<String>,
    pub rows: Vec<PastedRow>,
}

impl Pasted {
    pub fn problem_rows(&self) -> usize {
        self.rows.iter().filter(|r| !r.errors.is_empty()).count()
    }
}

fn separator(line: &str) -> (char, &'static str) {
    if line.contains('\t') {
        ('\t', "tab")
    } else if line.matches(';').count() > line.matches(',').count() {
        (';', "semicolon")
    } else {
        (',', "comma")
    }
}

/// Splits one line at `sep`, honouring double quotes (`"C, E"`, `""` for a quote).
fn split_line(line: &str, sep: char) -> Vec<String> {
    let mut out = Vec::new();
    let mut cell = String::new();
    let mut quoted = false;
    let mut chars = line.chars().peekable();
    while let Some(c) = chars.next() {
        match c {
            '"' if quoted && chars.peek() == Some(&'"') => {
                cell.push('"');
                chars.next();
            }
            '"' => quoted = !quoted,
            c if c == sep && !quoted => out.push(std::mem::take(&mut cell).trim().to_string()),
            c => cell.push(c),
        }
    }
    out.push(cell.trim().to_string());
    out
}

/// The Windows generation named in an inventory's OS text: `Windows Server 2008 R2
/// Enterprise` → `2008 R2`, `Windows 10 Pro` → `10`.
pub fn windows_in(text: &str) -> Option<String> {
    let words: Vec<String> = text
        .split(|c: char| c.is_whitespace() || c == '-' || c == '_')
        .map(str::to_ascii_lowercase)
        .collect();
    for (i, w) in words.iter().enumerate() {
        let r2 = words.get(i + 1).is_some_and(|n| n == "r2");
        match w.as_str() {
            "2003" | "2008" | "2012" if r2 => return Some(format!("{w} R2")),
            "2003" | "2008" | "2012" | "2016" | "2019" | "2022" | "2025" | "xp" | "10" | "11" => {
                return Some(w.clone())
            }
            _ => {}
        }
    }
    None
}

/// `Windows Server 2016` is Windows; `RHEL 8`, `Ubuntu 22.04`, `SLES 15` are Linux.
pub fn os_of(text: &str) -> Option<Os> {
    let t = text.to_ascii_lowercase();
    const LINUX: &[&str] = &[
        "linux", "rhel", "red hat", "redhat", "centos", "ubuntu", "debian", "suse", "sles",
        "oracle", "rocky", "alma", "fedora", "oel",
    ];
    if t.starts_with("win") || t.contains("windows") {
        Some(Os::Windows)
    } else if LINUX.iter().any(|l| t.contains(l)) {
        Some(Os::Linux)
    } else {
        None
    }
}

/// `file`, `file-based`, `VSS block-based`, `block`, `legacy`, `block-legacy`…
pub fn transfer_of(text: &str) -> Option<Transfer> {
    let t: String = text
        .chars()
        .filter(|c| c.is_ascii_alphanumeric())
        .collect::<String>()
        .to_ascii_lowercase();
    Some(match t.as_str() {
        "" | "file" | "filebased" | "filetransfer" => Transfer::File,
        "vss" | "vssbbt" | "block" | "blockbased" | "bbt" | "vssblockbased" => Transfer::VssBbt,
        "legacy" | "blocklegacy" | "legacyblockbased" | "legacyblock" => Transfer::BlockLegacy,
        _ => return None,
    })
}

fn agent_of(text: &str) -> Option<bool> {
    match text.trim().to_ascii_lowercase().as_str() {
        "" | "no" | "n" | "false" | "0" | "-" => Some(false),
        "yes" | "y" | "true" | "1" | "x" | "agent" => Some(true),
        _ => None,
    }
}

/// `C:\`, `C:`, `c` → `C`; letters stay text for the core to judge.
fn drives_of(cells: &[&str]) -> String {
    cells
        .iter()
        .flat_map(|c| split_drives(c))
        .map(|d| d.trim_end_matches(['\\', '/']).trim_end_matches(':'))
        .filter(|d| !d.is_empty())
        .map(str::to_ascii_uppercase)
        .collect::<Vec<_>>()
        .join(", ")
}

/// Reads pasted text; `room` is how many more workloads the scenario can take, checked
/// before any row is read so a huge paste is refused at once.
pub fn parse(text: &str, room: usize) -> Result<Pasted, String> {
    let mut lines = text
        .lines()
        .enumerate()
        .filter(|(_, l)| !l.trim().is_empty());
    let Some((first_n, first)) = lines.next() else {
        return Err("Nothing to add: paste rows of name, address, OS, drives (a spreadsheet copy with a header row works too).".into());
    };
    let (sep, separator) = separator(first);
    let head = split_line(first, sep);
    let known = head.iter().filter_map(|c| Column::from_header(c)).count();
    let header = head
        .iter()
        .any(|c| Column::from_header(c) == Some(Column::Name))
        && known * 2 >= head.iter().filter(|c| !c.is_empty()).count();
    let count = text.lines().filter(|l| !l.trim().is_empty()).count() - usize::from(header);
    if count > room {
        let have = MAX_WORKLOADS - room.min(MAX_WORKLOADS);
        return Err(format!(
            "That is {count} rows: a scenario holds at most {MAX_WORKLOADS} workloads, and with the {have} already there {room} more fit. Nothing was added."
        ));
    }
    let (columns, ignored) = if header {
        let cols: Vec<Column> = head
            .iter()
            .map(|c| Column::from_header(c).unwrap_or(Column::Ignored))
            .collect();
        let ignored = head
            .iter()
            .zip(&cols)
            .filter(|(c, col)| **col == Column::Ignored && !c.is_empty())
            .map(|(c, _)| c.clone())
            .collect();
        (cols, ignored)
    } else {
        (
            vec![Column::Name, Column::Address, Column::Os, Column::Drives],
            vec![],
        )
    };
    let rows_iter: Box<dyn Iterator<Item = (usize, &str)>> = if header {
        Box::new(lines)
    } else {
        Box::new(std::iter::once((first_n, first)).chain(lines))
    };
    let rows = rows_iter
        .map(|(n, line)| read_row(n + 1, &split_line(line, sep), &columns, header))
        .collect();
    Ok(Pasted {
        separator,
        columns,
        header,
        ignored,
        rows,
    })
}

fn read_row(line: usize, cells: &[String], columns: &[Column], header: bool) -> PastedRow {
    let get = |c: Column| -> Vec<&str> {
        columns
            .iter()
            .zip(cells)
            .filter(|(col, _)| **col == c)
            .map(|(_, v)| v.as_str())
            .collect()
    };
    let one = |c: Column| get(c).first().copied().unwrap_or("").to_string();
    let mut errors = Vec::new();
    let mut w = Row::new(one(Column::Name));
    w.address = one(Column::Address);
    let os_text = one(Column::Os);
    let windows_text = one(Column::Windows);
    w.os = if os_text.is_empty() {
        Os::Windows
    } else {
        match os_of(&os_text) {
            Some(os) => os,
            None => {
                errors.push(format!("OS “{os_text}” is neither Windows nor Linux."));
                Os::Windows
            }
        }
    };
    if w.os == Os::Windows {
        w.windows = windows_in(&windows_text)
            .or_else(|| windows_in(&os_text))
            .unwrap_or(windows_text);
    }
    let mut drives = get(Column::Drives);
    if !header {
        // Short form: every field after the OS is a drive.
        drives = cells.iter().skip(3).map(String::as_str).collect();
    }
    w.drives = drives_of(&drives);
    let transfer_text = one(Column::Transfer);
    match transfer_of(&transfer_text) {
        Some(t) => w.transfer = t,
        None => errors.push(format!(
            "transfer “{transfer_text}” is not file-based, VSS block-based or legacy block-based."
        )),
    }
    let agent_text = one(Column::Agent);
    match agent_of(&agent_text) {
        Some(a) => w.agent = a,
        None => errors.push(format!("agent “{agent_text}” is not yes or no.")),
    }
    w.target_name = one(Column::TargetName);
    w.target_address = one(Column::TargetAddress);
    if let Err(m) = check_name(&w.name) {
        errors.push(format!("name: {}", words(&m)));
    }
    if let Err(m) = check_address(&w.address) {
        errors.push(format!("address: {}", words(&m)));
    }
    for d in split_drives(&w.drives) {
        if let Err(e) = DriveLetter::parse(d) {
            errors.push(format!("drives: {}", words(&e.to_string())));
        }
    }
    if !(w.target_name.is_empty() && w.target_address.is_empty()) {
        if let Err(m) = check_name(&w.target_name) {
            errors.push(format!("target name: {}", words(&m)));
        }
        if let Err(m) = check_address(&w.target_address) {
            errors.push(format!("target address: {}", words(&m)));
        }
    }
    PastedRow {
        line,
        workload: w,
        errors,
    }
}

/// Rows listed in the preview (those with problems first, then a few ready ones); the
/// counts cover all.
const SHOWN: usize = 50;

/// The preview of a paste: how it was read and each row with its problems. The page
/// adds its buttons to append, replace or cancel below it; nothing is added before.
pub fn preview_html(p: &Pasted) -> String {
    let rows = &p.rows;
    let bad = p.problem_rows();
    let columns: Vec<&str> = p.columns.iter().map(|c| c.title()).collect();
    let mut o = format!(
        "<p id=\"paste-summary\">Read {} rows ({}-separated, {}: {}). ",
        rows.len(),
        p.separator,
        if p.header {
            "columns from the header"
        } else {
            "no header, short form"
        },
        esc(&columns.join(", "))
    );
    if bad == 0 {
        o.push_str("Every row is ready.");
    } else {
        o.push_str(&format!("{bad} of {} rows have problems (listed below); they are added as typed so you can fix them in the table.", rows.len()));
    }
    o.push_str("</p><ul class=\"pasted\">");
    let listed = rows
        .iter()
        .filter(|r| !r.errors.is_empty())
        .chain(rows.iter().filter(|r| r.errors.is_empty()).take(3))
        .take(SHOWN);
    for r in listed {
        let w = &r.workload;
        let text = format!(
            "line {}: {} {} {} {} {} {} → {} {}",
            r.line,
            w.name,
            w.address,
            words::os(w.os),
            w.windows,
            w.drives,
            words::transfer(w.transfer),
            w.target_name,
            w.target_address
        );
        let (class, said) = if r.errors.is_empty() {
            ("pasted", "ready".to_string())
        } else {
            ("pasted invalid", r.errors.join(" "))
        };
        o.push_str(&format!(
            "<li class=\"{class}\" data-line=\"{}\">{} — <span class=\"row-errors\">{}</span></li>",
            r.line,
            esc(&text),
            esc(&said)
        ));
    }
    o.push_str("</ul>");
    o
}

#[cfg(test)]
mod tests {
    use super::*;

    /// (name, address, os, windows, drives, transfer, target name, target address)
    type Row<'a> = (
        &'a str,
        &'a str,
        Os,
        &'a str,
        &'a str,
        Transfer,
        &'a str,
        &'a str,
    );

    fn give(text: &str, expected: &[Row<'_>]) {
        let p = parse(text, MAX_WORKLOADS).expect("parses");
        let got: Vec<Row<'_>> = p
            .rows
            .iter()
            .map(|r| {
                let w = &r.workload;
                (
                    w.name.as_str(),
                    w.address.as_str(),
                    w.os,
                    w.windows.as_str(),
                    w.drives.as_str(),
                    w.transfer,
                    w.target_name.as_str(),
                    w.target_address.as_str(),
                )
            })
            .collect();
        assert_eq!(got, expected, "{text:?}");
        for r in &p.rows {
            assert_eq!(r.errors, Vec::<String>::new(), "{text:?}");
        }
    }

    use Os::{Linux, Windows};
    use Transfer::{BlockLegacy, File, VssBbt};

    #[test]
    fn short_form_rows() {
        give(
            "a,10.0.0.1,windows,C",
            &[("a", "10.0.0.1", Windows, "", "C", File, "", "")],
        );
        give(
            "name,address,os,drives\nb,h.example,linux,",
            &[("b", "h.example", Linux, "", "", File, "", "")],
        );
        give(
            "d,10.0.0.4,windows,C,D;E",
            &[("d", "10.0.0.4", Windows, "", "C, D, E", File, "", "")],
        );
        give(
            "f\t10.0.0.6\t\tC\n\n g \t 10.0.0.7 \t linux",
            &[
                ("f", "10.0.0.6", Windows, "", "C", File, "", ""),
                ("g", "10.0.0.7", Linux, "", "", File, "", ""),
            ],
        );
    }

    #[test]
    fn spreadsheet_copies_with_headers_in_any_order() {
        // What Excel puts on the clipboard: tabs, a header, inventory words.
        give(
            "Hostname\tIP\tOperating System\tTarget name\tTarget IP\tDrives\tTransfer\tOwner\n\
             web01\t10.0.1.10\tWindows Server 2016 Standard\tweb01-t\t10.0.2.10\tC:\\, D:\\\tVSS block-based\tAnna\n\
             db01\t10.0.1.11\tRHEL 8\tdb01-t\t10.0.2.11\t\t\tBo",
            &[
                ("web01", "10.0.1.10", Windows, "2016", "C, D", VssBbt, "web01-t", "10.0.2.10"),
                ("db01", "10.0.1.11", Linux, "", "", File, "db01-t", "10.0.2.11"),
            ],
        );
        // A European spreadsheet's CSV: semicolons, quoted cells.
        give(
            "Name;Address;OS;Windows version;Drives;Transfer\n\"old01\";10.0.1.20;Windows;2003 R2;\"C; E\";legacy",
            &[("old01", "10.0.1.20", Windows, "2003 R2", "C, E", BlockLegacy, "", "")],
        );
        let p = parse("Name,IP,Owner\na,10.0.0.1,x", 10).expect("parses");
        assert!(p.header);
        assert_eq!(p.ignored, ["Owner"]);
        assert_eq!(p.separator, "comma");
    }

    #[test]
    fn problems_are_per_row_in_words() {
        let p = parse(
            "name,address,os,transfer\nok,10.0.0.1,windows,file\nbad one,10.0.0.5:443,solaris,teleport",
            10,
        )
        .expect("parses");
        assert_eq!(p.rows[0].errors, Vec::<String>::new());
        let e = &p.rows[1].errors;
        assert_eq!(p.rows[1].line, 3);
        assert_eq!(e.len(), 4, "{e:?}");
        assert!(
            e[0].contains("“solaris” is neither Windows nor Linux"),
            "{e:?}"
        );
        assert!(e[1].contains("“teleport”"), "{e:?}");
        assert!(
            e[2].starts_with("name: “bad one” is not a host name"),
            "{e:?}"
        );
        assert!(e[3].starts_with("address: “10.0.0.5:443”"), "{e:?}");
        assert_eq!(p.problem_rows(), 1);
    }

    #[test]
    fn the_cap_is_checked_before_reading_rows() {
        let text: String = (0..12).map(|i| format!("vm{i},10.0.0.{i}\n")).collect();
        let e = parse(&text, 10).expect_err("too many");
        assert!(e.starts_with("That is 12 rows"), "{e}");
        assert!(parse(&text, 12).is_ok());
        assert!(parse("\n\n", 10).is_err());
    }
}

#[cfg(test)]
mod page_tests {
    use super::*;

    #[test]
    fn the_page_gets_the_preview_and_each_row_as_fields() {
        let p = parse(
            "Hostname\tIP\tOS\tAgent\tTarget name\tTarget IP\nweb<1>\t10.0.1.10\tRHEL 8\tyes\tweb01-t\t10.0.2.10\nok\t10.0.1.11\tWindows Server 2016",
            10,
        )
        .expect("parses");
        let html = preview_html(&p);
        assert!(html.starts_with("<p id=\"paste-summary\">Read 2 rows (tab-separated, columns from the header: name, address, OS, agent, target name, target address). 1 of 2 rows have problems"), "{html}");
        assert!(
            html.contains(
                "<li class=\"pasted invalid\" data-line=\"2\">line 2: web&lt;1&gt; 10.0.1.10 Linux"
            ),
            "{html}"
        );
        assert!(html.contains("<li class=\"pasted\" data-line=\"3\">line 3: ok 10.0.1.11 Windows 2016  file-based →   — <span class=\"row-errors\">ready</span></li>"), "{html}");
        assert_eq!(
            p.rows[0].workload.encode(),
            "web<1>\u{1f}10.0.1.10\u{1f}linux\u{1f}\u{1f}\u{1f}file\u{1f}1\u{1f}web01-t\u{1f}10.0.2.10"
        );
    }
}
