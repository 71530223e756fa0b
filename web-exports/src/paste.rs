//! Pasted or imported workload lists: what a spreadsheet copy or a CSV/TSV export gives.
//!
//! The separator is found from the first line (tab, `;` or `,`, fields may be quoted);
//! a header line is recognised by its names (`Hostname`, `IP address`, `Target name`,
//! `Target Container`, `Public IP (NAT)`, `Migrate Agent`…) and maps columns in any
//! order; every column it does not use is named in the preview. An RVTools vInfo export
//! (`VM`, `Powerstate`, `Template`, `OS according to the configuration file`, `Primary
//! IP Address`, `DNS Name`…) is recognised as such: its templates are skipped and its
//! `Disks` (a count), `Host` and `Cluster` (where the VM runs now) are not read as
//! drives or names. Without a header the columns are the short form
//! `name,address,os,drives` (more trailing fields are more drives). Values are read
//! the way inventories write them: `Windows Server 2016 Standard` is Windows 2016,
//! `RHEL 8` is Linux, `C:\` is drive C (the core's drive parser).
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
    /// The `hosts[]` entry the target lands on (`Target Container`); empty: none.
    pub target_container: String,
    /// The target's public (NAT) address; empty: none.
    pub target_public_address: String,
    /// The source is outside the server's network; `None`: not said.
    pub outside: Option<bool>,
    /// The OS text when it is neither Windows nor Linux (`solaris`): the wizard keeps
    /// it as a problem of the row, never a guess.
    pub os_unknown: String,
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
            target_container: String::new(),
            target_public_address: String::new(),
            outside: None,
            os_unknown: String::new(),
        }
    }

    /// The fields for the page, in this order: name, address, os, windows, drives,
    /// transfer, agent (`1` or empty), target name, target address, target container,
    /// target public address, outside (`1`, `0` or empty), unknown OS text (the file
    /// spelling of the enums), joined by [`FIELD_SEPARATOR`].
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
            clean(&self.target_container),
            clean(&self.target_public_address),
            match self.outside {
                Some(true) => "1",
                Some(false) => "0",
                None => "",
            }
            .to_string(),
            clean(&self.os_unknown),
        ]
        .join(&FIELD_SEPARATOR.to_string())
    }
}

/// A column of a workload list.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Column {
    Name,
    Address,
    /// A DNS name, the address when the row has no other (`DNS Name`, `FQDN`).
    DnsName,
    Os,
    /// RVTools' `OS according to the VMware Tools`: the OS when the configured one is
    /// empty.
    OsTools,
    Windows,
    Drives,
    Transfer,
    TargetName,
    TargetAddress,
    TargetContainer,
    TargetPublicAddress,
    Agent,
    Outside,
    /// RVTools' `Template`: a template is not a workload.
    Template,
    /// A column the planner has no use for (kept out, named in the preview).
    Ignored,
}

/// The header cell as a key: letters and digits, lower case (`Public IP (NAT)` →
/// `publicipnat`).
fn key(cell: &str) -> String {
    cell.chars()
        .filter(|c| c.is_ascii_alphanumeric())
        .collect::<String>()
        .to_ascii_lowercase()
}

/// Whether a header row is an RVTools vInfo export: its own column names.
fn is_rvtools(head: &[String]) -> bool {
    let has = |k: &str| head.iter().any(|c| key(c) == k);
    has("vm")
        && (has("powerstate")
            || has("osaccordingtotheconfigurationfile")
            || has("primaryipaddress"))
}

impl Column {
    /// The column a header cell names, or `None` if it is not a header word.
    pub fn from_header(cell: &str) -> Option<Column> {
        Some(match key(cell).as_str() {
            "name" | "hostname" | "host" | "server" | "servername" | "workload" | "vm"
            | "vmname" | "computer" | "computername" | "source" | "sourcename" | "machine"
            | "sourcevm" | "workloadname" => Column::Name,
            "address" | "ip" | "ipaddress" | "ipv4" | "ipv4address" | "sourceaddress"
            | "sourceip" | "addr" | "primaryipaddress" | "sourceipaddress" => Column::Address,
            "fqdn" | "dnsname" | "dns" => Column::DnsName,
            "os"
            | "operatingsystem"
            | "ostype"
            | "osfamily"
            | "platform"
            | "guestos"
            | "osaccordingtotheconfigurationfile" => Column::Os,
            "osaccordingtothevmwaretools" => Column::OsTools,
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
            "targetcontainer"
            | "container"
            | "targetcluster"
            | "targetplatform"
            | "targetcloud"
            | "destination"
            | "destinationcontainer" => Column::TargetContainer,
            "publicip"
            | "publicipnat"
            | "publicaddress"
            | "publicaddressnat"
            | "natip"
            | "nataddress"
            | "natpublicip"
            | "publicipaddress"
            | "targetpublicip"
            | "targetpublicaddress"
            | "targetnat"
            | "targetnatip"
            | "targetpublicipnat" => Column::TargetPublicAddress,
            "agent" | "migrateagent" | "useagent" => Column::Agent,
            "outside" | "outsidenetwork" | "behindnat" | "external" => Column::Outside,
            "template" => Column::Template,
            _ => return None,
        })
    }

    /// The column a header cell names in an RVTools vInfo export: `Disks` is a count,
    /// `Host` the ESX host the VM runs on now, neither a drive nor the VM's name.
    fn from_rvtools(cell: &str) -> Column {
        match key(cell).as_str() {
            "disks" | "host" | "cluster" | "datacenter" => Column::Ignored,
            _ => Column::from_header(cell).unwrap_or(Column::Ignored),
        }
    }

    pub fn title(self) -> &'static str {
        match self {
            Column::Name => "name",
            Column::Address => "address",
            Column::DnsName => "DNS name",
            Column::Os => "OS",
            Column::OsTools => "OS if not configured",
            Column::Windows => "Windows version",
            Column::Drives => "drives",
            Column::Transfer => "transfer",
            Column::TargetName => "target name",
            Column::TargetAddress => "target address",
            Column::TargetContainer => "target container",
            Column::TargetPublicAddress => "target public address (NAT)",
            Column::Agent => "agent",
            Column::Outside => "outside",
            Column::Template => "templates skipped",
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
    /// The header's cells as written (empty without a header).
    pub names: Vec<String>,
    pub header: bool,
    /// An RVTools vInfo export.
    pub rvtools: bool,
    /// Rows left out: RVTools templates, by line.
    pub skipped: Vec<usize>,
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

/// `Windows Server 2016` is Windows; `RHEL 8`, `Ubuntu 22.04`, `SLES 15`, `Oracle
/// Linux` are Linux; `Oracle Solaris 11`, AIX and the BSDs are neither (PlateSpin
/// migrates none of them), so never guessed.
pub fn os_of(text: &str) -> Option<Os> {
    let t = text.to_ascii_lowercase();
    const LINUX: &[&str] = &[
        "linux", "rhel", "red hat", "redhat", "centos", "ubuntu", "debian", "suse", "sles",
        "rocky", "alma", "fedora", "oel",
    ];
    const NEITHER: &[&str] = &[
        "solaris", "sunos", "aix", "hp-ux", "bsd", "darwin", "mac os", "netware", "unixware",
    ];
    if NEITHER.iter().any(|n| t.contains(n)) {
        None
    } else if t.starts_with("win") || t.contains("windows") {
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

/// `C:\`, `C:`, `c` → `C` (the core's one drive parser); what it cannot read stays
/// text for the wizard to show as the row's problem.
fn drives_of(cells: &[&str]) -> String {
    cells
        .iter()
        .flat_map(|c| split_drives(c))
        .map(|d| DriveLetter::parse(d).map_or_else(|_| d.to_string(), |l| l.to_string()))
        .collect::<Vec<_>>()
        .join(", ")
}

/// `yes`/`no` and the usual spellings; empty is "not said".
fn flag_of(text: &str) -> Result<Option<bool>, ()> {
    if text.trim().is_empty() {
        return Ok(None);
    }
    agent_of(text).map(Some).ok_or(())
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
    let rvtools = is_rvtools(&head);
    let known = head.iter().filter_map(|c| Column::from_header(c)).count();
    // A header names the workload's column and mostly known ones; or it is RVTools'
    // (dozens of columns, a few used); a first line holding an IP address is a row.
    let header = rvtools
        || (head
            .iter()
            .any(|c| Column::from_header(c) == Some(Column::Name))
            && (known * 2 >= head.iter().filter(|c| !c.is_empty()).count()
                || (known >= 2 && !head.iter().any(|c| c.parse::<std::net::IpAddr>().is_ok()))));
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
            .map(|c| {
                if rvtools {
                    Column::from_rvtools(c)
                } else {
                    Column::from_header(c).unwrap_or(Column::Ignored)
                }
            })
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
    let template = columns.iter().position(|c| *c == Column::Template);
    let mut skipped = Vec::new();
    let mut rows = Vec::new();
    for (n, line) in rows_iter {
        let cells = split_line(line, sep);
        let is_template = template
            .and_then(|t| cells.get(t))
            .is_some_and(|v| agent_of(v) == Some(true));
        if is_template {
            skipped.push(n + 1);
            continue;
        }
        rows.push(read_row(n + 1, &cells, &columns, header));
    }
    Ok(Pasted {
        separator,
        columns,
        names: if header { head } else { vec![] },
        header,
        rvtools,
        skipped,
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
    if w.address.is_empty() {
        w.address = one(Column::DnsName);
    }
    let mut os_text = one(Column::Os);
    if os_text.is_empty() {
        os_text = one(Column::OsTools);
    }
    let windows_text = one(Column::Windows);
    w.os = if os_text.is_empty() {
        Os::Windows
    } else {
        match os_of(&os_text) {
            Some(os) => os,
            None => {
                errors.push(format!(
                    "OS “{os_text}” is neither Windows nor Linux: pick it in the table."
                ));
                w.os_unknown = os_text.clone();
                Os::Windows
            }
        }
    };
    if w.os == Os::Windows && w.os_unknown.is_empty() {
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
    w.target_container = one(Column::TargetContainer);
    w.target_public_address = one(Column::TargetPublicAddress);
    let outside_text = one(Column::Outside);
    match flag_of(&outside_text) {
        Ok(o) => w.outside = o,
        Err(()) => errors.push(format!("outside “{outside_text}” is not yes or no.")),
    }
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
    if !w.target_public_address.is_empty() {
        if let Err(m) = check_address(&w.target_public_address) {
            errors.push(format!("target public address: {}", words(&m)));
        }
    }
    if w.target_name.is_empty()
        && w.target_address.is_empty()
        && !(w.target_container.is_empty() && w.target_public_address.is_empty())
    {
        errors
            .push("a target container or public address without a target name and address.".into());
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
    // Each used column with the header word it came from; then every ignored one by
    // name.
    let used: Vec<String> = p
        .columns
        .iter()
        .enumerate()
        .filter(|(_, c)| **c != Column::Ignored)
        .map(|(i, c)| match p.names.get(i) {
            Some(n) if !n.eq_ignore_ascii_case(c.title()) => format!("{} ({n})", c.title()),
            _ => c.title().to_string(),
        })
        .collect();
    let mut o = format!(
        "<p id=\"paste-summary\">Read {} rows ({}-separated, {}: {}",
        rows.len(),
        p.separator,
        if p.rvtools {
            "an RVTools vInfo export, columns used"
        } else if p.header {
            "columns from the header"
        } else {
            "no header, short form"
        },
        esc(&used.join(", "))
    );
    if !p.ignored.is_empty() {
        o.push_str(&format!(
            "; <span id=\"paste-ignored\">ignored: {}</span>",
            esc(&p.ignored.join(", "))
        ));
    }
    o.push_str("). ");
    if !p.skipped.is_empty() {
        o.push_str(&match p.skipped.len() {
            1 => "Skipped 1 template (not a workload). ".to_string(),
            n => format!("Skipped {n} templates (not workloads). "),
        });
    }
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
        let mut text = format!(
            "line {}: {} {} {} {} {} {} → {} {}",
            r.line,
            w.name,
            w.address,
            if w.os_unknown.is_empty() {
                words::os(w.os)
            } else {
                &w.os_unknown
            },
            w.windows,
            w.drives,
            words::transfer(w.transfer),
            w.target_name,
            w.target_address
        );
        if w.agent {
            text.push_str(" (agent)");
        }
        if !w.target_container.is_empty() {
            text.push_str(&format!(" on {}", w.target_container));
        }
        if !w.target_public_address.is_empty() {
            text.push_str(&format!(" NAT {}", w.target_public_address));
        }
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
mod props {
    use super::*;
    use proptest::prelude::*;

    proptest! {
        /// A sheet with a header of the usual words and any columns of no use, in any
        /// order: the header is never a workload, every row is one, and every unused
        /// column is named.
        #[test]
        fn a_header_is_never_a_workload(
            extra in proptest::collection::vec("[A-Z][a-z]{2,8}", 0..6),
            names in proptest::collection::vec("[a-z][a-z0-9]{0,7}", 1..20),
            tab in any::<bool>(),
        ) {
            let sep = if tab { "\t" } else { "," };
            let unused: Vec<String> = extra
                .into_iter()
                .filter(|e| Column::from_header(e).is_none())
                .collect();
            let mut head = vec!["VM Name".to_string(), "IP Address".to_string()];
            head.extend(unused.iter().cloned());
            let mut text = head.join(sep);
            for (i, n) in names.iter().enumerate() {
                let mut row = vec![n.clone(), format!("10.0.0.{}", i + 1)];
                row.extend(unused.iter().map(|_| "x".to_string()));
                text.push('\n');
                text.push_str(&row.join(sep));
            }
            let p = parse(&text, MAX_WORKLOADS).expect("parses");
            prop_assert!(p.header);
            prop_assert_eq!(p.rows.len(), names.len());
            prop_assert!(p.rows.iter().all(|r| r.workload.name != "VM Name"));
            prop_assert_eq!(&p.ignored, &unused);
        }

        /// Any text: an answer, never a panic.
        #[test]
        fn any_text_is_read_or_refused(text in "\\PC{0,200}") {
            let _ = parse(&text, 10).map(|p| preview_html(&p));
        }
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
        assert!(html.starts_with("<p id=\"paste-summary\">Read 2 rows (tab-separated, columns from the header: name (Hostname), address (IP), OS, agent, target name, target address (Target IP)). 1 of 2 rows have problems"), "{html}");
        assert!(
            html.contains(
                "<li class=\"pasted invalid\" data-line=\"2\">line 2: web&lt;1&gt; 10.0.1.10 Linux"
            ),
            "{html}"
        );
        assert!(html.contains("<li class=\"pasted\" data-line=\"3\">line 3: ok 10.0.1.11 Windows 2016  file-based →   — <span class=\"row-errors\">ready</span></li>"), "{html}");
        assert_eq!(
            p.rows[0].workload.encode(),
            "web<1>\u{1f}10.0.1.10\u{1f}linux\u{1f}\u{1f}\u{1f}file\u{1f}1\u{1f}web01-t\u{1f}10.0.2.10\u{1f}\u{1f}\u{1f}\u{1f}"
        );
    }

    /// The wave of the issue: every column a pre-sales sheet has, two of them of no use
    /// to the planner and named as such.
    #[test]
    fn a_wave_with_containers_and_nat_names_what_it_ignores() {
        let p = parse(
            "VM Name,IP Address,Operating System,Drives,Target VM,Target IP,Target Container,Migrate Agent,Public IP (NAT),Owner,Wave\n\
             app01,10.0.1.11,Windows Server 2008 R2 Enterprise,C:\\ D:\\,app01-t,10.0.2.11,vc01,no,203.0.113.11,Anna,1\n\
             lnx01,10.0.1.12,Ubuntu 22.04,,lnx01-t,10.0.2.12,vc01,yes,203.0.113.12,Bo,1",
            10,
        )
        .expect("parses");
        assert_eq!(p.ignored, ["Owner", "Wave"]);
        let w = &p.rows[0].workload;
        assert_eq!(
            (
                w.windows.as_str(),
                w.drives.as_str(),
                w.target_container.as_str(),
                w.target_public_address.as_str()
            ),
            ("2008 R2", "C, D", "vc01", "203.0.113.11")
        );
        assert!(p.rows[1].workload.agent);
        assert!(p.rows.iter().all(|r| r.errors.is_empty()), "{:?}", p.rows);
        let html = preview_html(&p);
        assert!(html.contains("target container, agent (Migrate Agent), target public address (NAT) (Public IP (NAT)); <span id=\"paste-ignored\">ignored: Owner, Wave</span>)"), "{html}");
        assert!(!html.contains("ignored,"), "{html}");
    }

    /// An RVTools vInfo export: its header is never a workload, templates are skipped,
    /// `Disks` (a count) and `Host` (where the VM runs now) are not read.
    #[test]
    fn an_rvtools_vinfo_export_is_read_as_such() {
        let text = "VM\tPowerstate\tTemplate\tDNS Name\tCPUs\tMemory\tDisks\tPrimary IP Address\tOS according to the configuration file\tOS according to the VMware Tools\tDatacenter\tCluster\tHost\n\
            web01\tpoweredOn\tFalse\tweb01.corp.example\t2\t4096\t2\t10.1.0.11\tMicrosoft Windows Server 2016 (64-bit)\tMicrosoft Windows Server 2016 Standard\tDC1\tCL1\tesx01.corp.example\n\
            tpl-w2k19\tpoweredOff\tTrue\t\t2\t4096\t1\t\tMicrosoft Windows Server 2019 (64-bit)\t\tDC1\tCL1\tesx01.corp.example\n\
            db01\tpoweredOff\tFalse\tdb01.corp.example\t4\t8192\t3\t\tRed Hat Enterprise Linux 8 (64-bit)\t\tDC1\tCL1\tesx02.corp.example\n\
            sol01\tpoweredOn\tFalse\t\t1\t1024\t1\t10.1.0.13\tOracle Solaris 11 (64-bit)\t\tDC1\tCL1\tesx02.corp.example";
        let p = parse(text, 10).expect("parses");
        assert!(p.rvtools && p.header);
        let got: Vec<(&str, &str, Os, &str, &str)> = p
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
                )
            })
            .collect();
        assert_eq!(
            got,
            [
                ("web01", "10.1.0.11", Os::Windows, "2016", ""),
                ("db01", "db01.corp.example", Os::Linux, "", ""),
                ("sol01", "10.1.0.13", Os::Windows, "", ""),
            ]
        );
        assert_eq!(p.skipped, [3]);
        // Solaris is a problem carried to the wizard, not Windows.
        assert_eq!(p.rows[2].workload.os_unknown, "Oracle Solaris 11 (64-bit)");
        assert_eq!(p.problem_rows(), 1);
        let html = preview_html(&p);
        assert!(html.contains("an RVTools vInfo export, columns used: name (VM), templates skipped (Template), DNS name, address (Primary IP Address), OS (OS according to the configuration file), OS if not configured (OS according to the VMware Tools); <span id=\"paste-ignored\">ignored: Powerstate, CPUs, Memory, Disks, Datacenter, Cluster, Host</span>)"), "{html}");
        assert!(
            html.contains("Skipped 1 template (not a workload)."),
            "{html}"
        );
    }
}
