//! The wizard state: a draft of the core's [`Scenario`] and the reducer that edits it.
//!
//! The draft mirrors the public scenario format field for field, but holds what a
//! person is typing rather than what the typed model can hold: drive letters stay
//! text until the core reads them, an empty target is "no target". Every check is the
//! core's: [`Draft::evaluate`] reads drive letters with [`DriveLetter::parse`], then
//! runs [`Scenario::validate`] and [`Plan::build`], so the page refuses exactly what the
//! CLI refuses, with the same path and message. (Building the scenario directly rather
//! than through JSON keeps `serde_json::Value` out of the wasm bundle.)

use portplan_core::scenario::{
    Factory, Host, Server, Target, VirtualizationHost, Workload, SCENARIO_FORMAT,
};
use portplan_core::types::Replication;
use portplan_core::{DriveLetter, InputError, Os, Plan, Platform, Product, Scenario, Transfer};
use std::rc::Rc;
use yew::Reducible;

/// A name and an address (the PlateSpin server, a connector, a target).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct HostDraft {
    pub name: String,
    pub address: String,
}

/// A virtualization host or cloud to discover.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct VhostDraft {
    pub name: String,
    pub address: String,
    pub platform: Platform,
}

/// A source workload and its target, as typed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct WorkloadDraft {
    pub name: String,
    pub address: String,
    pub os: Os,
    /// Windows generation text (`2016`, `2003`…); empty means "not given".
    pub windows: String,
    /// Drive letters as typed (`C, E`); each becomes one string for the core to read.
    pub drives: String,
    pub transfer: Transfer,
    pub agent: bool,
    /// Both fields empty means "no target".
    pub target: HostDraft,
    /// A row added and not edited yet: the plan ignores it until its first edit, so
    /// "Add workload" never turns a valid plan into an error.
    pub draft: bool,
    /// Scenario fields the wizard has no input for yet, kept from an import or a link
    /// so the page plans exactly what `portplan plan` plans for the same file.
    pub kept: KeptWorkload,
}

/// A workload's imported fields without a wizard input (NAT, the target's container).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct KeptWorkload {
    pub outside: Option<bool>,
    pub target_public_address: Option<String>,
    pub target_container: Option<String>,
    pub target_outside: Option<bool>,
}

/// A scenario's imported fields without a wizard input (the server's public address,
/// marketplace and cloud marks, the Migration Factory, administrators' machines).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Kept {
    pub server_public_address: Option<String>,
    pub marketplace: bool,
    pub cloud: bool,
    pub factory: Option<Factory>,
    pub admins: Vec<Host>,
}

impl WorkloadDraft {
    /// A new Windows file-transfer workload, the most common case.
    pub fn new(name: String) -> WorkloadDraft {
        WorkloadDraft {
            name,
            address: String::new(),
            os: Os::Windows,
            windows: String::new(),
            drives: String::new(),
            transfer: Transfer::File,
            agent: false,
            target: HostDraft::default(),
            draft: false,
            kept: KeptWorkload::default(),
        }
    }
}

/// The whole scenario being edited.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Draft {
    pub product: Product,
    pub version: String,
    pub server: HostDraft,
    pub hosts: Vec<VhostDraft>,
    pub connectors: Vec<HostDraft>,
    pub workloads: Vec<WorkloadDraft>,
    pub replication: Option<Replication>,
    pub kept: Kept,
}

impl Default for Draft {
    /// A small Migrate scenario, so a fresh page shows a plan at once.
    fn default() -> Draft {
        Draft {
            product: Product::Migrate,
            version: "12.3".into(),
            server: HostDraft {
                name: "ps01".into(),
                address: "10.0.0.5".into(),
            },
            hosts: vec![],
            connectors: vec![],
            workloads: vec![WorkloadDraft {
                address: "10.0.1.10".into(),
                windows: "2016".into(),
                drives: "C".into(),
                target: HostDraft {
                    name: "web01-t".into(),
                    address: "10.0.2.10".into(),
                },
                ..WorkloadDraft::new("web01".into())
            }],
            replication: None,
            kept: Kept::default(),
        }
    }
}

pub use portplan_core::words::split_drives;

/// At most this many problems are listed; fixing them shows the next ones.
pub const MAX_ERRORS: usize = 100;

/// One problem of the draft: the field's path in the draft (1 row = 1 index, as the
/// core's JSON paths, drafts counted) and the core's message.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FieldError {
    pub path: String,
    pub message: String,
}

/// What the core says about a whole draft.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Checked {
    /// The scenario and its plan, when nothing is wrong.
    pub plan: Option<(Scenario, Plan)>,
    pub errors: Vec<FieldError>,
}

/// A scenario made from a draft, remembering where each of its rows came from.
struct Assembled {
    scenario: Scenario,
    host_index: Vec<usize>,
    connector_index: Vec<usize>,
    workload_index: Vec<usize>,
}

/// `workloads[3].name` → `("workloads", 3, ".name")`.
fn split_row(path: &str) -> Option<(&str, usize, &str)> {
    let (list, rest) = path.split_once('[')?;
    let (index, rest) = rest.split_once(']')?;
    Some((list, index.parse().ok()?, rest))
}

/// Sort key: the order of the fields on the page.
fn page_order(path: &str) -> (u8, usize, String) {
    let rank = |list: &str| match list {
        "hosts" => 1,
        "connectors" => 2,
        "workloads" => 3,
        _ => 0,
    };
    match split_row(path) {
        Some((list, i, _)) => (rank(list), i, String::new()),
        None => (rank(path), 0, path.to_string()),
    }
}

impl Assembled {
    /// Removes the row an error is about; returns the error's path in the draft.
    fn set_aside(&mut self, path: &str) -> Option<String> {
        let (list, i, rest) = split_row(path)?;
        let index = match list {
            "hosts" => &mut self.host_index,
            "connectors" => &mut self.connector_index,
            "workloads" => &mut self.workload_index,
            _ => return None,
        };
        if i >= index.len() {
            return None;
        }
        let original = index.remove(i);
        match list {
            "hosts" => drop(self.scenario.hosts.remove(i)),
            "connectors" => drop(self.scenario.connectors.remove(i)),
            _ => drop(self.scenario.workloads.remove(i)),
        }
        Some(format!("{list}[{original}]{rest}"))
    }

    /// Replaces a bad whole-scenario field by a value the core accepts, so the rows
    /// are still checked; `false` when that is not possible (the version).
    fn neutralise(&mut self, path: &str) -> bool {
        let s = &mut self.scenario;
        match path {
            "server.name" => s.server.name = "portplan-server-being-fixed".into(),
            "server.address" => s.server.address = "192.0.2.1".into(),
            "replication" => s.replication = None,
            "connectors" => {
                s.connectors.clear();
                self.connector_index.clear();
            }
            _ => return false,
        }
        true
    }
}

impl Draft {
    /// Copies a parsed scenario into the wizard (import, share link).
    pub fn from_scenario(s: &Scenario) -> Draft {
        let host = |h: &Host| HostDraft {
            name: h.name.clone(),
            address: h.address.clone(),
        };
        Draft {
            product: s.product,
            version: s.version.clone(),
            server: HostDraft {
                name: s.server.name.clone(),
                address: s.server.address.clone(),
            },
            hosts: s
                .hosts
                .iter()
                .map(|h: &VirtualizationHost| VhostDraft {
                    name: h.name.clone(),
                    address: h.address.clone(),
                    platform: h.platform,
                })
                .collect(),
            connectors: s.connectors.iter().map(host).collect(),
            workloads: s
                .workloads
                .iter()
                .map(|w: &Workload| WorkloadDraft {
                    name: w.name.clone(),
                    address: w.address.clone(),
                    os: w.os,
                    windows: w.windows.clone().unwrap_or_default(),
                    drives: w
                        .drives
                        .iter()
                        .map(|d| d.to_string())
                        .collect::<Vec<_>>()
                        .join(", "),
                    transfer: w.transfer,
                    agent: w.agent,
                    target: w
                        .target
                        .as_ref()
                        .map(|t| HostDraft {
                            name: t.name.clone(),
                            address: t.address.clone(),
                        })
                        .unwrap_or_default(),
                    draft: false,
                    kept: KeptWorkload {
                        outside: w.outside,
                        target_public_address: w
                            .target
                            .as_ref()
                            .and_then(|t| t.public_address.clone()),
                        target_container: w.target.as_ref().and_then(|t| t.container.clone()),
                        target_outside: w.target.as_ref().and_then(|t| t.outside),
                    },
                })
                .collect(),
            replication: s.replication,
            kept: Kept {
                server_public_address: s.server.public_address.clone(),
                marketplace: s.server.marketplace,
                cloud: s.server.cloud,
                factory: s.factory.clone(),
                admins: s.admins.clone(),
            },
        }
    }

    /// The draft as the core's scenario (draft rows left out). Only drive letters can
    /// fail here, through the core's own parser and with the path a scenario file would
    /// get.
    pub fn to_scenario(&self) -> Result<Scenario, InputError> {
        let (scenario, errors) = self.assemble();
        match errors.into_iter().next() {
            Some(e) => Err(InputError::Json {
                path: e.path,
                message: e.message,
            }),
            None => Ok(scenario.scenario),
        }
    }

    /// The scenario of every row that can be read, with the original index of each
    /// host, connector and workload, and the drive letters that could not be read.
    fn assemble(&self) -> (Assembled, Vec<FieldError>) {
        let host = |h: &HostDraft| Host {
            name: h.name.clone(),
            address: h.address.clone(),
        };
        let mut errors = Vec::new();
        let mut workloads = Vec::with_capacity(self.workloads.len());
        let mut workload_index = Vec::with_capacity(self.workloads.len());
        'rows: for (i, w) in self.workloads.iter().enumerate() {
            if w.draft {
                continue;
            }
            let mut drives = Vec::new();
            for (j, d) in split_drives(&w.drives).into_iter().enumerate() {
                match DriveLetter::parse(d) {
                    Ok(d) => drives.push(d),
                    Err(e) => {
                        errors.push(FieldError {
                            path: format!("workloads[{i}].drives[{j}]"),
                            message: e.to_string(),
                        });
                        continue 'rows;
                    }
                }
            }
            // The Windows field only applies to Windows rows; a value left over from
            // before the OS changed is kept in the draft but not planned.
            let windows = w.windows.trim();
            let windows = (w.os == Os::Windows && !windows.is_empty()).then(|| windows.to_string());
            let no_target = w.target.name.is_empty() && w.target.address.is_empty();
            workloads.push(Workload {
                name: w.name.clone(),
                address: w.address.clone(),
                os: w.os,
                windows,
                drives,
                transfer: w.transfer,
                agent: w.agent,
                outside: w.kept.outside,
                target: (!no_target).then(|| Target {
                    name: w.target.name.clone(),
                    address: w.target.address.clone(),
                    public_address: w.kept.target_public_address.clone(),
                    container: w.kept.target_container.clone(),
                    outside: w.kept.target_outside,
                }),
            });
            workload_index.push(i);
        }
        let scenario = Scenario {
            format: SCENARIO_FORMAT,
            product: self.product,
            version: self.version.trim().to_string(),
            server: Server {
                name: self.server.name.clone(),
                address: self.server.address.clone(),
                public_address: self.kept.server_public_address.clone(),
                marketplace: self.kept.marketplace,
                cloud: self.kept.cloud,
            },
            hosts: self
                .hosts
                .iter()
                .map(|h| VirtualizationHost {
                    name: h.name.clone(),
                    address: h.address.clone(),
                    platform: h.platform,
                })
                .collect(),
            connectors: self.connectors.iter().map(host).collect(),
            factory: self.kept.factory.clone(),
            admins: self.kept.admins.clone(),
            workloads,
            replication: self.replication,
        };
        let assembled = Assembled {
            host_index: (0..self.hosts.len()).collect(),
            connector_index: (0..self.connectors.len()).collect(),
            workload_index,
            scenario,
        };
        (assembled, errors)
    }

    /// Runs the core on the draft: the validated scenario and its plan, or the first
    /// problem, exactly as `portplan plan` would report it for the same file.
    pub fn evaluate(&self) -> Result<(Scenario, Plan), InputError> {
        let scenario = self.to_scenario()?;
        scenario.validate()?;
        let plan = Plan::build(&scenario)?;
        Ok((scenario, plan))
    }

    /// Every problem of the draft (up to [`MAX_ERRORS`]), in page order, each with the
    /// path of the field in the draft; and the plan when there is none.
    ///
    /// The core stops at its first error, so a row it refuses is set aside and the
    /// rest checked again: one wrong address in a wave of forty lists one error, and
    /// forty wrong ones list forty.
    pub fn check(&self) -> Checked {
        let (mut a, mut errors) = self.assemble();
        while errors.len() < MAX_ERRORS {
            let Err(e) = a.scenario.validate() else {
                break;
            };
            let (path, message) = (e.path().to_string(), e.to_string());
            let message = message
                .strip_prefix(&format!("{path}: "))
                .unwrap_or(&message)
                .to_string();
            let rest = match a.set_aside(&path) {
                Some(original) => original,
                None => {
                    // A field of the whole scenario: the rows cannot be judged without
                    // it, except for those that do not depend on it.
                    let stop = !a.neutralise(&path);
                    errors.push(FieldError { path, message });
                    if stop {
                        break;
                    }
                    continue;
                }
            };
            errors.push(FieldError {
                path: rest,
                message,
            });
        }
        // In page order (the drive letters were read first); an insertion keeps the
        // page's wasm free of another sort.
        let mut ordered: Vec<FieldError> = Vec::with_capacity(errors.len());
        for e in errors {
            let key = page_order(&e.path);
            let at = ordered
                .iter()
                .position(|o| page_order(&o.path) > key)
                .unwrap_or(ordered.len());
            ordered.insert(at, e);
        }
        let errors = ordered;
        if !errors.is_empty() {
            return Checked { plan: None, errors };
        }
        match Plan::build(&a.scenario) {
            Ok(plan) => Checked {
                plan: Some((a.scenario, plan)),
                errors,
            },
            Err(e) => Checked {
                plan: None,
                errors: vec![FieldError {
                    path: e.path().to_string(),
                    message: e.to_string(),
                }],
            },
        }
    }

    /// A workload name not used yet by any host of the draft: `base`, `base-2`, `base-3`…
    fn unused_name(&self, base: &str) -> String {
        let taken = |n: &str| {
            let n = n.to_ascii_lowercase();
            std::iter::once(&self.server.name)
                .chain(self.hosts.iter().map(|h| &h.name))
                .chain(self.connectors.iter().map(|h| &h.name))
                .chain(self.workloads.iter().map(|w| &w.name))
                .chain(self.workloads.iter().map(|w| &w.target.name))
                .any(|t| t.to_ascii_lowercase() == n)
        };
        if !taken(base) {
            return base.to_string();
        }
        (2..)
            .map(|i| format!("{base}-{i}"))
            .find(|n| !taken(n))
            .unwrap_or_else(|| base.to_string())
    }
}

/// Reads the shape of a scenario file (import, share link); its rules are the core's
/// [`Scenario::validate`], run afterwards like for any draft.
///
/// Not [`Scenario::from_json`]: that wraps serde in `serde_path_to_error`, which would
/// add about 10 KiB (gzipped) to the page. Shape errors then name the line and column
/// (`unknown variant "solaris" … at line 9 column 22`) instead of a JSON path.
pub fn read_scenario(text: &str) -> Result<Scenario, InputError> {
    use portplan_core::scenario::MAX_INPUT_BYTES;
    if text.len() > MAX_INPUT_BYTES {
        return Err(InputError::TooLarge {
            size: text.len(),
            limit: MAX_INPUT_BYTES,
        });
    }
    serde_json::from_str(text).map_err(|e| InputError::Json {
        path: "$".into(),
        message: e.to_string(),
    })
}

/// Which text field of a host changed.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum HostField {
    Name,
    Address,
}

/// One edit of a workload row.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum WorkloadEdit {
    Name(String),
    Address(String),
    Os(Os),
    Windows(String),
    Drives(String),
    Transfer(Transfer),
    Agent(bool),
    Target(HostField, String),
}

/// Everything the wizard can do to the draft.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Action {
    Product(Product),
    Version(String),
    Server(HostField, String),
    Replication(Option<Replication>),
    AddHost,
    RemoveHost(usize),
    Host(usize, HostField, String),
    HostPlatform(usize, Platform),
    AddConnector,
    RemoveConnector(usize),
    Connector(usize, HostField, String),
    AddWorkload,
    DuplicateWorkload(usize),
    RemoveWorkload(usize),
    Workload(usize, WorkloadEdit),
    /// Appends pasted rows (see [`crate::paste`]); they replace the untouched sample.
    AppendWorkloads(Vec<WorkloadDraft>),
    /// Replaces every workload by pasted rows.
    ReplaceWorkloads(Vec<WorkloadDraft>),
    /// Removes every workload.
    ClearWorkloads,
    /// Replaces everything (imported file, share link).
    Load(Box<Draft>),
}

fn set_host(h: &mut HostDraft, field: HostField, value: String) {
    match field {
        HostField::Name => h.name = value,
        HostField::Address => h.address = value,
    }
}

impl Draft {
    /// Applies one action; indexes out of range are ignored (a stale event after a removal).
    pub fn apply(&mut self, action: Action) {
        match action {
            Action::Product(p) => self.product = p,
            Action::Version(v) => self.version = v,
            Action::Server(f, v) => set_host(&mut self.server, f, v),
            Action::Replication(r) => self.replication = r,
            Action::AddHost => {
                let name = self.unused_name("esx01");
                self.hosts.push(VhostDraft {
                    name,
                    address: String::new(),
                    platform: Platform::Esxi,
                });
            }
            Action::RemoveHost(i) if i < self.hosts.len() => {
                self.hosts.remove(i);
            }
            Action::Host(i, f, v) => {
                if let Some(h) = self.hosts.get_mut(i) {
                    match f {
                        HostField::Name => h.name = v,
                        HostField::Address => h.address = v,
                    }
                }
            }
            Action::HostPlatform(i, p) => {
                if let Some(h) = self.hosts.get_mut(i) {
                    h.platform = p;
                }
            }
            Action::AddConnector => {
                let name = self.unused_name("connector01");
                self.connectors.push(HostDraft {
                    name,
                    address: String::new(),
                });
            }
            Action::RemoveConnector(i) if i < self.connectors.len() => {
                self.connectors.remove(i);
            }
            Action::Connector(i, f, v) => {
                if let Some(h) = self.connectors.get_mut(i) {
                    set_host(h, f, v);
                }
            }
            Action::AddWorkload => {
                let name = self.unused_name(&format!("vm{:02}", self.workloads.len() + 1));
                self.workloads.push(WorkloadDraft {
                    draft: true,
                    ..WorkloadDraft::new(name)
                });
            }
            Action::DuplicateWorkload(i) => {
                if let Some(w) = self.workloads.get(i).cloned() {
                    let name = self.unused_name(&w.name);
                    let target = if w.target.name.is_empty() {
                        w.target.clone()
                    } else {
                        HostDraft {
                            name: self.unused_name(&w.target.name),
                            address: String::new(),
                        }
                    };
                    let copy = WorkloadDraft {
                        name,
                        address: String::new(),
                        target,
                        draft: true,
                        ..w
                    };
                    self.workloads.insert(i + 1, copy);
                }
            }
            Action::RemoveWorkload(i) if i < self.workloads.len() => {
                self.workloads.remove(i);
            }
            Action::Workload(i, edit) => {
                if let Some(w) = self.workloads.get_mut(i) {
                    let before = w.clone();
                    match edit {
                        WorkloadEdit::Name(v) => w.name = v,
                        WorkloadEdit::Address(v) => w.address = v,
                        WorkloadEdit::Os(os) => w.os = os,
                        WorkloadEdit::Windows(v) => w.windows = v,
                        WorkloadEdit::Drives(v) => w.drives = v,
                        WorkloadEdit::Transfer(t) => w.transfer = t,
                        WorkloadEdit::Agent(a) => w.agent = a,
                        WorkloadEdit::Target(f, v) => set_host(&mut w.target, f, v),
                    }
                    // Committing an unchanged value (leaving a field) keeps a draft a draft.
                    if *w != before {
                        w.draft = false;
                    }
                }
            }
            Action::AppendWorkloads(rows) => {
                // The untouched sample row gives way to a real wave.
                if self.workloads == Draft::default().workloads {
                    self.workloads.clear();
                }
                self.workloads.extend(rows)
            }
            Action::ReplaceWorkloads(rows) => self.workloads = rows,
            Action::ClearWorkloads => self.workloads.clear(),
            Action::Load(d) => *self = *d,
            Action::RemoveHost(_) | Action::RemoveConnector(_) | Action::RemoveWorkload(_) => {}
        }
    }
}

/// The reducer Yew holds; cloning the draft per edit is cheap next to planning it.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Wizard {
    pub draft: Draft,
}

impl Reducible for Wizard {
    type Action = Action;
    fn reduce(self: Rc<Self>, action: Action) -> Rc<Self> {
        let mut draft = self.draft.clone();
        draft.apply(action);
        Rc::new(Wizard { draft })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Fields without a wizard input survive an import: the page plans an imported
    /// scenario with NAT, containers, admins and a Migration Factory as the CLI does.
    #[test]
    fn imported_fields_without_an_input_are_kept() {
        let text = include_str!("../../examples/azure-nat.json");
        let s = Scenario::from_json(text).expect("example");
        let back = Draft::from_scenario(&s).to_scenario().expect("scenario");
        assert_eq!(back, s);
        assert_eq!(
            Plan::build(&back).expect("plan").to_json(),
            Plan::build(&s).expect("plan").to_json()
        );
    }

    fn reduce(actions: Vec<Action>) -> Draft {
        let mut state = Rc::new(Wizard::default());
        for a in actions {
            state = state.reduce(a);
        }
        state.draft.clone()
    }

    fn error_of(d: &Draft) -> (String, String) {
        let e = d.evaluate().expect_err("draft should be refused");
        (e.path().to_string(), e.to_string())
    }

    #[test]
    fn the_default_draft_plans() {
        let (_, plan) = Draft::default().evaluate().expect("default plans");
        assert!(plan
            .flows
            .iter()
            .any(|f| f.ports.map(|p| p.first.get()) == Some(3725)));
    }

    #[test]
    fn every_shipped_example_round_trips_through_the_draft() {
        for text in [
            include_str!("../../examples/windows-file.json"),
            include_str!("../../examples/legacy-block.json"),
            include_str!("../../examples/migrate-2020.json"),
            include_str!("../../examples/wave-50.json"),
        ] {
            let s = Scenario::from_json(text).expect("example");
            let (back, plan) = Draft::from_scenario(&s).evaluate().expect("plans");
            assert_eq!(back, s);
            assert_eq!(plan, Plan::build(&s).expect("plan"));
        }
    }

    #[test]
    fn legacy_block_workload_gets_one_port_per_drive() {
        let d = reduce(vec![
            Action::Product(Product::PortabilitySuite),
            Action::Version("8.1.3".into()),
            Action::Workload(0, WorkloadEdit::Transfer(Transfer::BlockLegacy)),
            Action::Workload(0, WorkloadEdit::Drives("c e".into())),
        ]);
        let (_, plan) = d.evaluate().expect("plans");
        let ports: Vec<u16> = plan
            .flows
            .iter()
            .filter(|f| f.rule.starts_with("legacy"))
            .filter_map(|f| f.ports.map(|p| p.first.get()))
            .collect();
        for p in [9999, 10002, 10004] {
            assert!(ports.contains(&p), "{p} missing from {ports:?}");
        }
    }

    #[test]
    fn the_core_names_the_field_of_each_mistake() {
        let cases: Vec<(Vec<Action>, &str, &str)> = vec![
            (
                vec![Action::Workload(0, WorkloadEdit::Drives("C, 1".into()))],
                "workloads[0].drives[1]",
                "\"1\" is not a drive letter",
            ),
            (
                vec![Action::Workload(0, WorkloadEdit::Name("ps01".into()))],
                "workloads[0].name",
                "already used",
            ),
            (
                vec![Action::Workload(
                    0,
                    WorkloadEdit::Transfer(Transfer::BlockLegacy),
                )],
                "workloads[0].transfer",
                "block-legacy",
            ),
            (
                vec![Action::Version("12.x".into())],
                "version",
                "is not a version",
            ),
            (
                vec![
                    Action::AddWorkload,
                    Action::Workload(1, WorkloadEdit::Name("db01".into())),
                ],
                "workloads[1].address",
                "not an IP address",
            ),
        ];
        for (actions, path, text) in cases {
            let (p, message) = error_of(&reduce(actions));
            assert_eq!(p, path, "{message}");
            assert!(message.contains(text), "{message:?} lacks {text:?}");
        }
    }

    #[test]
    fn an_untouched_new_row_is_a_draft_the_plan_ignores() {
        let d = reduce(vec![Action::AddWorkload]);
        assert!(d.workloads[1].draft);
        let c = d.check();
        assert_eq!(c.errors, vec![]);
        assert_eq!(c.plan.map(|(s, _)| s.workloads.len()), Some(1));
        let d = reduce(vec![
            Action::AddWorkload,
            Action::Workload(1, WorkloadEdit::Address("10.0.1.11".into())),
        ]);
        assert!(!d.workloads[1].draft);
        assert_eq!(d.check().plan.map(|(s, _)| s.workloads.len()), Some(2));
    }

    #[test]
    fn every_bad_row_is_listed_and_the_rest_still_checked() {
        let mut actions = vec![];
        for i in 1..=3 {
            actions.push(Action::AddWorkload);
            actions.push(Action::Workload(
                i,
                WorkloadEdit::Address(format!("10.0.1.{}", 20 + i)),
            ));
        }
        actions.push(Action::Workload(1, WorkloadEdit::Drives("C 1".into())));
        actions.push(Action::Workload(3, WorkloadEdit::Address("10.0.1".into())));
        actions.push(Action::Workload(2, WorkloadEdit::Name("web01".into())));
        actions.push(Action::Server(HostField::Address, "10.0.0.".into()));
        let c = reduce(actions).check();
        let paths: Vec<&str> = c.errors.iter().map(|e| e.path.as_str()).collect();
        assert_eq!(
            paths,
            [
                "server.address",
                "workloads[1].drives[1]",
                "workloads[2].name",
                "workloads[3].address"
            ]
        );
        assert_eq!(c.plan, None);
    }

    #[test]
    fn a_windows_version_left_on_a_linux_row_is_not_planned() {
        let d = reduce(vec![Action::Workload(0, WorkloadEdit::Os(Os::Linux))]);
        assert_eq!(d.workloads[0].windows, "2016");
        let (s, _) = d.check().plan.expect("plans");
        assert_eq!(s.workloads[0].windows, None);
    }

    #[test]
    fn pasted_rows_replace_the_untouched_sample_or_everything() {
        let row = WorkloadDraft::new("app01".into());
        let d = reduce(vec![Action::AppendWorkloads(vec![row.clone()])]);
        assert_eq!(d.workloads, vec![row.clone()]);
        let d = reduce(vec![
            Action::Workload(0, WorkloadEdit::Drives("C D".into())),
            Action::AppendWorkloads(vec![row.clone()]),
        ]);
        assert_eq!(d.workloads.len(), 2);
        let d = reduce(vec![
            Action::AddWorkload,
            Action::ReplaceWorkloads(vec![row.clone()]),
        ]);
        assert_eq!(d.workloads, vec![row]);
        assert!(reduce(vec![Action::ClearWorkloads]).workloads.is_empty());
    }

    #[test]
    fn add_duplicate_remove_keep_names_unique() {
        let d = reduce(vec![
            Action::AddWorkload,
            Action::DuplicateWorkload(0),
            Action::DuplicateWorkload(0),
        ]);
        let names: Vec<&str> = d.workloads.iter().map(|w| w.name.as_str()).collect();
        assert_eq!(names, ["web01", "web01-3", "web01-2", "vm02"]);
        assert_eq!(d.workloads[1].target.name, "web01-t-3");
        assert_eq!(d.workloads[1].drives, "C");
        let d = reduce(vec![
            Action::AddWorkload,
            Action::RemoveWorkload(0),
            Action::RemoveWorkload(7),
        ]);
        let names: Vec<&str> = d.workloads.iter().map(|w| w.name.as_str()).collect();
        assert_eq!(names, ["vm02"]);
    }

    #[test]
    fn hosts_and_connectors_edit_in_place() {
        let d = reduce(vec![
            Action::AddHost,
            Action::Host(0, HostField::Address, "10.0.0.20".into()),
            Action::HostPlatform(0, Platform::Vcenter),
            Action::Product(Product::Migrate),
            Action::Version("2019.5".into()),
            Action::AddConnector,
            Action::Connector(0, HostField::Address, "10.0.0.30".into()),
            Action::Replication(Some(Replication::TargetListens)),
        ]);
        let (s, _) = d.evaluate().expect("plans");
        assert_eq!(s.hosts[0].platform, Platform::Vcenter);
        assert_eq!(s.connectors[0].address, "10.0.0.30");
        assert_eq!(s.replication, Some(Replication::TargetListens));
    }

    #[test]
    fn an_empty_target_is_no_target() {
        let d = reduce(vec![
            Action::Workload(0, WorkloadEdit::Target(HostField::Name, String::new())),
            Action::Workload(0, WorkloadEdit::Target(HostField::Address, String::new())),
        ]);
        let (s, _) = d.evaluate().expect("plans");
        assert_eq!(s.workloads[0].target, None);
    }
}
