//! The wizard state: a draft of the core's [`Scenario`] and the reducer that edits it.
//!
//! The draft mirrors the public scenario format field for field, but holds what a
//! person is typing rather than what the typed model can hold: drive letters stay
//! text until the core reads them, an empty target is "no target". Every check is the
//! core's: [`Draft::evaluate`] reads drive letters with [`DriveLetter::parse`], then
//! runs [`Scenario::validate`] and [`Plan::build`], so the page refuses exactly what the
//! CLI refuses, with the same path and message. (Building the scenario directly rather
//! than through JSON keeps `serde_json::Value` out of the wasm bundle.)

use crate::exports::Reports;
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
    /// Outside the server's network (dials public addresses); `None`: the core's
    /// default (outside when the workload uses the Migrate Agent).
    pub outside: Option<bool>,
    /// Both fields empty means "no target".
    pub target: HostDraft,
    /// The target's public (NAT) address; empty: none.
    pub target_public_address: String,
    /// The `hosts[]` entry the target VM is created on; empty: a physical or X2P target.
    pub target_container: String,
    /// The target dials the server's public address; `None`: when its container is a
    /// public cloud.
    pub target_outside: Option<bool>,
    /// An OS a paste could not read (`solaris`): a problem of the row until an OS is
    /// picked, never silently Windows.
    pub os_unknown: Option<String>,
    /// A row added and not edited yet: the plan ignores it until its first edit, so
    /// "Add workload" never turns a valid plan into an error.
    pub draft: bool,
}

/// The Migration Factory's Transformation Manager, as typed.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct FactoryDraft {
    pub name: String,
    pub address: String,
    pub appliance: bool,
    /// A remote PostgreSQL database; both fields empty: the database is local.
    pub database: HostDraft,
}

/// Which text field of the factory changed.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FactoryField {
    Name,
    Address,
    DatabaseName,
    DatabaseAddress,
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
            outside: None,
            target: HostDraft::default(),
            target_public_address: String::new(),
            target_container: String::new(),
            target_outside: None,
            os_unknown: None,
            draft: false,
        }
    }
}

/// The whole scenario being edited.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Draft {
    pub product: Product,
    pub version: String,
    pub server: HostDraft,
    /// The server's public (NAT) address; empty: none.
    pub server_public_address: String,
    /// A cloud-marketplace image (replication then defaults to target-listens).
    pub marketplace: bool,
    /// Runs in a public cloud (administrators may need RDP to it).
    pub cloud: bool,
    /// The cloud it runs in, when named (Azure, AWS: the NSG and security group
    /// downloads then hold the server's own rules).
    pub server_platform: Option<Platform>,
    pub hosts: Vec<VhostDraft>,
    pub connectors: Vec<HostDraft>,
    /// Administrators' machines that reach the server.
    pub admins: Vec<HostDraft>,
    /// The Migration Factory's Transformation Manager, if any.
    pub factory: Option<FactoryDraft>,
    pub workloads: Vec<WorkloadDraft>,
    pub replication: Option<Replication>,
}

impl Default for Draft {
    /// A small scenario of the newest Migrate release the core's table knows, so a
    /// fresh page shows a plan at once, and of a release the stored guides name.
    fn default() -> Draft {
        Draft {
            product: Product::Migrate,
            version: portplan_core::releases::of(Product::Migrate)
                .last()
                .map_or("2020.2", |r| r.version)
                .into(),
            server: HostDraft {
                name: "ps01".into(),
                address: "10.0.0.5".into(),
            },
            server_public_address: String::new(),
            marketplace: false,
            cloud: false,
            server_platform: None,
            hosts: vec![],
            connectors: vec![],
            admins: vec![],
            factory: None,
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
    admin_index: Vec<usize>,
    workload_index: Vec<usize>,
    /// Fields already replaced by a stand-in (`workloads[3].address`, draft paths): a
    /// second error there means the stand-in did not help, and the row is set aside.
    replaced: Vec<String>,
    /// Fields whose problem the draft already says (drive letters that do not read):
    /// the core's view of the same field is not listed again.
    said: Vec<String>,
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
        "admins" => 3,
        "factory" => 4,
        "workloads" => 5,
        _ => 0,
    };
    match split_row(path) {
        Some((list, i, _)) => (rank(list), i, String::new()),
        None => (
            rank(path.split('.').next().unwrap_or(path)),
            0,
            path.to_string(),
        ),
    }
}

impl Assembled {
    /// Takes a row's error into account so the rest of the row is still checked: the
    /// field is replaced by a stand-in the core accepts (a name or address of its own,
    /// no Windows version…), or the row is set aside when that cannot help. Returns the
    /// error's path in the draft.
    fn set_aside(&mut self, path: &str) -> Option<String> {
        let (list, i, rest) = split_row(path)?;
        let index = match list {
            "hosts" => &mut self.host_index,
            "connectors" => &mut self.connector_index,
            "admins" => &mut self.admin_index,
            "workloads" => &mut self.workload_index,
            _ => return None,
        };
        let original = *index.get(i)?;
        let draft_path = format!("{list}[{original}]{rest}");
        // `drives[2]` and `drives` are one control.
        let field = rest.split('[').next().unwrap_or(rest);
        let key = format!("{list}[{original}]{field}");
        if self.said.contains(&key) {
            // An empty path: nothing more to list.
            return self.remove(list, i, String::new());
        }
        let stand_in = format!("portplan-fixing-{list}-{original}");
        let s = &mut self.scenario;
        let replaced = !self.replaced.contains(&key)
            && match (list, field) {
                (_, ".name") => set_name(s, list, i, stand_in),
                (_, ".address") => set_address(s, list, i, format!("{stand_in}.invalid")),
                ("workloads", rest) => {
                    let w = &mut s.workloads[i];
                    match rest {
                        ".windows" => w.windows = None,
                        ".drives" => {
                            w.drives.clear();
                            if w.transfer == Transfer::BlockLegacy {
                                w.transfer = Transfer::File;
                            }
                        }
                        ".transfer" => w.transfer = Transfer::File,
                        ".agent" => w.agent = false,
                        _ => match (w.target.as_mut(), rest) {
                            (Some(t), ".target.name") => t.name = format!("{stand_in}-t"),
                            (Some(t), ".target.address") => {
                                t.address = format!("{stand_in}-t.invalid")
                            }
                            (Some(t), ".target.container") => t.container = None,
                            (Some(t), ".target.public_address") => t.public_address = None,
                            _ => return self.remove(list, i, draft_path),
                        },
                    }
                    true
                }
                _ => false,
            };
        if !replaced {
            return self.remove(list, i, draft_path);
        }
        self.replaced.push(key);
        Some(draft_path)
    }

    /// Sets a row aside: it is not checked further.
    fn remove(&mut self, list: &str, i: usize, draft_path: String) -> Option<String> {
        let s = &mut self.scenario;
        match list {
            "hosts" => drop((self.host_index.remove(i), s.hosts.remove(i))),
            "connectors" => drop((self.connector_index.remove(i), s.connectors.remove(i))),
            "admins" => drop((self.admin_index.remove(i), s.admins.remove(i))),
            _ => drop((self.workload_index.remove(i), s.workloads.remove(i))),
        }
        Some(draft_path)
    }

    /// Replaces a bad whole-scenario field by a value the core accepts, so the rows
    /// are still checked; `false` when that is not possible (the version).
    fn neutralise(&mut self, path: &str) -> bool {
        let s = &mut self.scenario;
        match path {
            "server.name" => s.server.name = "portplan-server-being-fixed".into(),
            "server.address" => s.server.address = "192.0.2.1".into(),
            "server.public_address" => s.server.public_address = None,
            "server.marketplace" => s.server.marketplace = false,
            "replication" => s.replication = None,
            "connectors" => {
                s.connectors.clear();
                self.connector_index.clear();
            }
            p if p.starts_with("factory") => s.factory = None,
            _ => return false,
        }
        true
    }
}

fn set_name(s: &mut Scenario, list: &str, i: usize, name: String) -> bool {
    match list {
        "hosts" => s.hosts[i].name = name,
        "connectors" => s.connectors[i].name = name,
        "admins" => s.admins[i].name = name,
        _ => s.workloads[i].name = name,
    }
    true
}

fn set_address(s: &mut Scenario, list: &str, i: usize, address: String) -> bool {
    match list {
        "hosts" => s.hosts[i].address = address,
        "connectors" => s.connectors[i].address = address,
        "admins" => s.admins[i].address = address,
        _ => s.workloads[i].address = address,
    }
    true
}

/// Empty text is "not given".
fn given(text: &str) -> Option<String> {
    let t = text.trim();
    (!t.is_empty()).then(|| t.to_string())
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
            server_public_address: s.server.public_address.clone().unwrap_or_default(),
            marketplace: s.server.marketplace,
            cloud: s.server.cloud,
            server_platform: s.server.platform,
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
            admins: s.admins.iter().map(host).collect(),
            factory: s.factory.as_ref().map(|f| FactoryDraft {
                name: f.name.clone(),
                address: f.address.clone(),
                appliance: f.appliance,
                database: f.database.as_ref().map(host).unwrap_or_default(),
            }),
            workloads: s
                .workloads
                .iter()
                .map(|w: &Workload| {
                    let t = w.target.as_ref();
                    WorkloadDraft {
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
                        outside: w.outside,
                        target: t
                            .map(|t| HostDraft {
                                name: t.name.clone(),
                                address: t.address.clone(),
                            })
                            .unwrap_or_default(),
                        target_public_address: t
                            .and_then(|t| t.public_address.clone())
                            .unwrap_or_default(),
                        target_container: t.and_then(|t| t.container.clone()).unwrap_or_default(),
                        target_outside: t.and_then(|t| t.outside),
                        os_unknown: None,
                        draft: false,
                    }
                })
                .collect(),
            replication: s.replication,
        }
    }

    /// The draft as the core's scenario (draft rows left out). Only drive letters and
    /// an OS a paste could not read can fail here, with the path a scenario file would
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
    /// host, connector and workload, and what could not be read (drive letters, an
    /// unknown OS): every such problem of a row, not the first.
    fn assemble(&self) -> (Assembled, Vec<FieldError>) {
        let host = |h: &HostDraft| Host {
            name: h.name.clone(),
            address: h.address.clone(),
        };
        let mut errors = Vec::new();
        let mut workloads = Vec::with_capacity(self.workloads.len());
        let mut workload_index = Vec::with_capacity(self.workloads.len());
        let mut said = Vec::new();
        for (i, w) in self.workloads.iter().enumerate() {
            if w.draft {
                continue;
            }
            if let Some(os) = &w.os_unknown {
                errors.push(FieldError {
                    path: format!("workloads[{i}].os"),
                    message: format!("{os:?} is neither Windows nor Linux: pick the OS"),
                });
            }
            let mut drives = Vec::new();
            for (j, d) in split_drives(&w.drives).into_iter().enumerate() {
                match DriveLetter::parse(d) {
                    Ok(d) => drives.push(d),
                    Err(e) => errors.push(FieldError {
                        path: format!("workloads[{i}].drives[{j}]"),
                        message: e.to_string(),
                    }),
                }
            }
            let mut transfer = w.transfer;
            if drives.len() != split_drives(&w.drives).len() {
                // The drives are said; what the core adds about them would be noise.
                said.push(format!("workloads[{i}].drives"));
                if transfer == Transfer::BlockLegacy && drives.is_empty() {
                    transfer = Transfer::File;
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
                transfer,
                agent: w.agent,
                outside: w.outside,
                target: (!no_target).then(|| Target {
                    name: w.target.name.clone(),
                    address: w.target.address.clone(),
                    public_address: given(&w.target_public_address),
                    container: given(&w.target_container),
                    outside: w.target_outside,
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
                public_address: given(&self.server_public_address),
                marketplace: self.marketplace,
                cloud: self.cloud,
                platform: self.server_platform,
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
            factory: self.factory.as_ref().map(|f| Factory {
                name: f.name.clone(),
                address: f.address.clone(),
                appliance: f.appliance,
                database: (!(f.database.name.is_empty() && f.database.address.is_empty()))
                    .then(|| host(&f.database)),
            }),
            admins: self.admins.iter().map(host).collect(),
            workloads,
            replication: self.replication,
        };
        let assembled = Assembled {
            host_index: (0..self.hosts.len()).collect(),
            connector_index: (0..self.connectors.len()).collect(),
            admin_index: (0..self.admins.len()).collect(),
            workload_index,
            scenario,
            replaced: Vec::new(),
            said,
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
    /// The core stops at its first error, so the field it refuses is replaced by a
    /// stand-in (or its row set aside) and the rest checked again: every problem of a
    /// row is listed at once, one wrong address in a wave of forty lists one error, and
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
            if !rest.is_empty() {
                errors.push(FieldError {
                    path: rest,
                    message,
                });
            }
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
                .chain(self.admins.iter().map(|h| &h.name))
                .chain(self.factory.iter().map(|f| &f.name))
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
    Outside(Option<bool>),
    Target(HostField, String),
    TargetPublicAddress(String),
    TargetContainer(String),
    TargetOutside(Option<bool>),
}

/// Everything the wizard can do to the draft.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Action {
    Product(Product),
    Version(String),
    Server(HostField, String),
    ServerPublicAddress(String),
    Marketplace(bool),
    Cloud(bool),
    /// The cloud the server runs in (named implies in a cloud).
    ServerPlatform(Option<Platform>),
    Replication(Option<Replication>),
    AddHost,
    RemoveHost(usize),
    Host(usize, HostField, String),
    HostPlatform(usize, Platform),
    AddConnector,
    RemoveConnector(usize),
    Connector(usize, HostField, String),
    AddAdmin,
    RemoveAdmin(usize),
    Admin(usize, HostField, String),
    /// Adds (`true`) or removes the Transformation Manager.
    SetFactory(bool),
    Factory(FactoryField, String),
    FactoryAppliance(bool),
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
            Action::ServerPublicAddress(v) => self.server_public_address = v,
            Action::Marketplace(m) => self.marketplace = m,
            Action::Cloud(c) => {
                self.cloud = c;
                if !c {
                    self.server_platform = None;
                }
            }
            Action::ServerPlatform(p) => {
                self.server_platform = p;
                self.cloud |= p.is_some();
            }
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
            Action::AddAdmin => {
                let name = self.unused_name("admin01");
                self.admins.push(HostDraft {
                    name,
                    address: String::new(),
                });
            }
            Action::RemoveAdmin(i) if i < self.admins.len() => {
                self.admins.remove(i);
            }
            Action::Admin(i, f, v) => {
                if let Some(h) = self.admins.get_mut(i) {
                    set_host(h, f, v);
                }
            }
            Action::SetFactory(on) => {
                if !on {
                    self.factory = None;
                } else if self.factory.is_none() {
                    self.factory = Some(FactoryDraft {
                        name: self.unused_name("ptm01"),
                        ..FactoryDraft::default()
                    });
                }
            }
            Action::Factory(field, v) => {
                if let Some(f) = self.factory.as_mut() {
                    match field {
                        FactoryField::Name => f.name = v,
                        FactoryField::Address => f.address = v,
                        FactoryField::DatabaseName => f.database.name = v,
                        FactoryField::DatabaseAddress => f.database.address = v,
                    }
                }
            }
            Action::FactoryAppliance(a) => {
                if let Some(f) = self.factory.as_mut() {
                    f.appliance = a;
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
                        // A NAT address is one target's own.
                        target_public_address: String::new(),
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
                        WorkloadEdit::Os(os) => {
                            w.os = os;
                            w.os_unknown = None;
                        }
                        WorkloadEdit::Windows(v) => w.windows = v,
                        WorkloadEdit::Drives(v) => w.drives = v,
                        WorkloadEdit::Transfer(t) => w.transfer = t,
                        WorkloadEdit::Agent(a) => w.agent = a,
                        WorkloadEdit::Outside(o) => w.outside = o,
                        WorkloadEdit::Target(f, v) => set_host(&mut w.target, f, v),
                        WorkloadEdit::TargetPublicAddress(v) => w.target_public_address = v,
                        WorkloadEdit::TargetContainer(v) => w.target_container = v,
                        WorkloadEdit::TargetOutside(o) => w.target_outside = o,
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
            Action::RemoveHost(_)
            | Action::RemoveConnector(_)
            | Action::RemoveAdmin(_)
            | Action::RemoveWorkload(_) => {}
        }
    }
}

/// The reducer Yew holds: the scenario being drafted and the verification reports
/// loaded for its plan. Cloning the draft per edit is cheap next to planning it.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Wizard {
    pub draft: Draft,
    pub reports: Reports,
}

/// What changes the wizard's state: an edit of the draft, or a new set of reports.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Change {
    Draft(Action),
    /// The reports after a load or after forgetting them (see [`Reports`]).
    Reports(Reports),
}

impl From<Action> for Change {
    fn from(a: Action) -> Change {
        Change::Draft(a)
    }
}

impl Reducible for Wizard {
    type Action = Change;
    fn reduce(self: Rc<Self>, change: Change) -> Rc<Self> {
        match change {
            Change::Draft(action) => {
                let mut draft = self.draft.clone();
                draft.apply(action);
                Rc::new(Wizard {
                    draft,
                    reports: self.reports.clone(),
                })
            }
            Change::Reports(reports) => Rc::new(Wizard {
                draft: self.draft.clone(),
                reports,
            }),
        }
    }
}

#[cfg(test)]
pub(crate) mod tests {
    use super::*;

    /// Every file of `examples/`: the scenario format field for field.
    pub(crate) const EXAMPLES: &[(&str, &str)] = &[
        ("agent-nat", include_str!("../../examples/agent-nat.json")),
        ("azure-nat", include_str!("../../examples/azure-nat.json")),
        (
            "factory-wave",
            include_str!("../../examples/factory-wave.json"),
        ),
        (
            "firewall-wave",
            include_str!("../../examples/firewall-wave.json"),
        ),
        (
            "legacy-block",
            include_str!("../../examples/legacy-block.json"),
        ),
        (
            "migrate-2020",
            include_str!("../../examples/migrate-2020.json"),
        ),
        ("protect", include_str!("../../examples/protect.json")),
        (
            "vmware-wave",
            include_str!("../../examples/vmware-wave.json"),
        ),
        ("wave-5", include_str!("../../examples/wave-5.json")),
        ("wave-50", include_str!("../../examples/wave-50.json")),
        (
            "windows-file",
            include_str!("../../examples/windows-file.json"),
        ),
    ];

    /// Every field of the format has a place in the wizard: each example becomes the
    /// page's state and comes back equal, and so does its plan, through the JSON the
    /// page exports and imports too.
    #[test]
    fn every_example_round_trips_through_the_page_state() {
        let listed = std::fs::read_dir(concat!(env!("CARGO_MANIFEST_DIR"), "/../examples"))
            .expect("examples")
            .count();
        assert_eq!(
            listed,
            EXAMPLES.len(),
            "an example is missing from the list"
        );
        for (name, text) in EXAMPLES {
            let s = Scenario::from_json(text).expect(name);
            let draft = Draft::from_scenario(&s);
            let (back, plan) = draft.evaluate().expect(name);
            assert_eq!(back, s, "{name}");
            assert_eq!(plan, Plan::build(&s).expect("plan"), "{name}");
            assert_eq!(draft.check().errors, vec![], "{name}");
            let exported = read_scenario(&back.to_json()).expect(name);
            assert_eq!(Draft::from_scenario(&exported), draft, "{name}");
        }
    }

    fn reduce(actions: Vec<Action>) -> Draft {
        let mut state = Rc::new(Wizard::default());
        for a in actions {
            state = state.reduce(a.into());
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

    /// Every field the format has is reached by an action of the wizard: the scenario
    /// of `agent-nat.json` and `factory-wave.json` typed field by field.
    #[test]
    fn the_wizard_types_every_field_of_the_format() {
        let d = reduce(vec![
            Action::Version("2019.5".into()),
            Action::ServerPublicAddress("203.0.113.10".into()),
            Action::Cloud(true),
            Action::AddHost,
            Action::Host(0, HostField::Name, "vc01".into()),
            Action::Host(0, HostField::Address, "10.0.0.20".into()),
            Action::HostPlatform(0, Platform::Vcenter),
            Action::AddAdmin,
            Action::Admin(0, HostField::Address, "10.0.9.10".into()),
            Action::SetFactory(true),
            Action::Factory(FactoryField::Address, "10.0.0.6".into()),
            Action::Factory(FactoryField::DatabaseName, "pg01".into()),
            Action::Factory(FactoryField::DatabaseAddress, "10.0.0.7".into()),
            Action::FactoryAppliance(true),
            Action::Workload(0, WorkloadEdit::Agent(true)),
            Action::Workload(0, WorkloadEdit::Outside(Some(true))),
            Action::Workload(0, WorkloadEdit::TargetContainer("vc01".into())),
            Action::Workload(0, WorkloadEdit::TargetPublicAddress("203.0.113.31".into())),
            Action::Workload(0, WorkloadEdit::TargetOutside(Some(false))),
        ]);
        let (s, plan) = d.evaluate().expect("plans");
        assert_eq!(s.server.public_address.as_deref(), Some("203.0.113.10"));
        assert!(s.server.cloud);
        assert_eq!(s.server.platform, None);
        assert_eq!(s.admins[0].name, "admin01");
        let f = s.factory.as_ref().expect("factory");
        assert_eq!((f.name.as_str(), f.appliance), ("ptm01", true));
        assert_eq!(f.database.as_ref().map(|h| h.name.as_str()), Some("pg01"));
        let t = s.workloads[0].target.as_ref().expect("target");
        assert_eq!(t.container.as_deref(), Some("vc01"));
        assert_eq!(t.public_address.as_deref(), Some("203.0.113.31"));
        assert_eq!(
            (s.workloads[0].outside, t.outside),
            (Some(true), Some(false))
        );
        // The container is discovered (server -> vCenter), the agent dials NAT.
        assert!(plan
            .flows
            .iter()
            .any(|f| f.from == "ps01" && f.to == "vc01"));
        assert!(
            plan.flows.iter().any(|f| f.address.is_some()),
            "no NAT flow"
        );
        assert_eq!(Draft::from_scenario(&s), d);
        assert_eq!(
            reduce(vec![Action::SetFactory(true), Action::SetFactory(false)]).factory,
            None
        );
    }

    /// One line per case: the server's cloud as the wizard sets it → the scenario's
    /// `cloud` and `platform` (naming a cloud says it is in one; leaving the cloud
    /// forgets which), and the server's plan host placed in it.
    #[test]
    fn the_servers_cloud_is_chosen_in_the_wizard() {
        use Action::{Cloud, ServerPlatform};
        let cases = [
            (vec![Cloud(true)], true, None),
            (
                vec![ServerPlatform(Some(Platform::Azure))],
                true,
                Some(Platform::Azure),
            ),
            (
                vec![Cloud(true), ServerPlatform(Some(Platform::Aws))],
                true,
                Some(Platform::Aws),
            ),
            (
                vec![ServerPlatform(Some(Platform::Aws)), ServerPlatform(None)],
                true,
                None,
            ),
            (
                vec![ServerPlatform(Some(Platform::Azure)), Cloud(false)],
                false,
                None,
            ),
        ];
        for (actions, cloud, platform) in cases {
            let (s, plan) = reduce(actions.clone()).evaluate().expect("plans");
            assert_eq!(
                (s.server.cloud, s.server.platform),
                (cloud, platform),
                "{actions:?}"
            );
            let server = plan
                .hosts
                .iter()
                .find(|h| h.role == portplan_core::Role::Server);
            assert_eq!(server.and_then(|h| h.platform), platform, "{actions:?}");
            // What the wizard made comes back the same from its file.
            assert_eq!(
                Draft::from_scenario(&s),
                reduce(actions.clone()),
                "{actions:?}"
            );
        }
    }

    /// One row with four mistakes lists four problems, not the first.
    #[test]
    fn every_problem_of_a_row_is_listed_at_once() {
        let d = reduce(vec![
            Action::Workload(0, WorkloadEdit::Address("10.0.1".into())),
            Action::Workload(0, WorkloadEdit::Windows("2007".into())),
            Action::Workload(0, WorkloadEdit::Drives("C 1 #".into())),
            Action::Workload(0, WorkloadEdit::Target(HostField::Name, "bad name".into())),
            Action::Workload(0, WorkloadEdit::TargetContainer("nowhere".into())),
        ]);
        let paths: Vec<String> = d.check().errors.into_iter().map(|e| e.path).collect();
        assert_eq!(
            paths,
            [
                "workloads[0].drives[1]",
                "workloads[0].drives[2]",
                "workloads[0].address",
                "workloads[0].windows",
                "workloads[0].target.name",
                "workloads[0].target.container",
            ]
        );
    }

    /// An OS a paste could not read stays a problem of its row until one is picked.
    #[test]
    fn an_unknown_os_is_a_problem_not_windows() {
        let mut row = WorkloadDraft::new("sol01".into());
        row.address = "10.0.1.50".into();
        row.os_unknown = Some("solaris".into());
        let d = reduce(vec![Action::AppendWorkloads(vec![row])]);
        let c = d.check();
        assert_eq!(c.plan, None);
        assert_eq!(c.errors[0].path, "workloads[0].os");
        assert!(c.errors[0]
            .message
            .contains("\"solaris\" is neither Windows nor Linux"));
        let mut fixed = d.clone();
        fixed.apply(Action::Workload(0, WorkloadEdit::Os(Os::Linux)));
        assert!(fixed.check().plan.is_some());
    }

    /// The Drives field reads what a paste reads: `C:\`, `C:`, `c`.
    #[test]
    fn drives_are_read_as_the_paste_reads_them() {
        let d = reduce(vec![Action::Workload(
            0,
            WorkloadEdit::Drives("C:\\, d:, e".into()),
        )]);
        let (s, _) = d.evaluate().expect("plans");
        let letters: Vec<String> = s.workloads[0]
            .drives
            .iter()
            .map(|d| d.to_string())
            .collect();
        assert_eq!(letters, ["C", "D", "E"]);
    }

    /// The page opens on the newest release of the core's table, with no warning.
    #[test]
    fn the_default_is_the_newest_known_release() {
        let d = Draft::default();
        let newest = portplan_core::releases::of(Product::Migrate)
            .last()
            .expect("releases");
        assert_eq!(d.version, newest.version);
        let (s, _) = d.evaluate().expect("plans");
        assert_eq!(
            portplan_core::releases::warning(s.product, &s.parsed_version()),
            None
        );
    }

    /// An edit of any scenario field, from small pools of good and bad values.
    fn any_edit() -> impl proptest::strategy::Strategy<Value = Action> {
        use proptest::prelude::*;
        let text = || {
            prop::sample::select(vec![
                "",
                "vc01",
                "az01",
                "203.0.113.9",
                "10.0.0.7",
                "bad name",
                "10.0.1",
            ])
            .prop_map(String::from)
        };
        let flag = || prop::option::of(any::<bool>());
        prop_oneof![
            text().prop_map(Action::ServerPublicAddress),
            any::<bool>().prop_map(Action::Marketplace),
            any::<bool>().prop_map(Action::Cloud),
            prop::option::of(prop::sample::select(
                portplan_core::scenario::SERVER_PLATFORMS.to_vec()
            ))
            .prop_map(Action::ServerPlatform),
            Just(Action::AddHost),
            (0..2usize, text()).prop_map(|(i, v)| Action::Host(i, HostField::Name, v)),
            (0..2usize, text()).prop_map(|(i, v)| Action::Host(i, HostField::Address, v)),
            (0..2usize).prop_map(|i| Action::HostPlatform(i, Platform::Azure)),
            Just(Action::AddAdmin),
            (0..2usize, text()).prop_map(|(i, v)| Action::Admin(i, HostField::Address, v)),
            any::<bool>().prop_map(Action::SetFactory),
            text().prop_map(|v| Action::Factory(FactoryField::Address, v)),
            text().prop_map(|v| Action::Factory(FactoryField::DatabaseAddress, v)),
            any::<bool>().prop_map(Action::FactoryAppliance),
            any::<bool>().prop_map(|a| Action::Workload(0, WorkloadEdit::Agent(a))),
            flag().prop_map(|o| Action::Workload(0, WorkloadEdit::Outside(o))),
            text().prop_map(|v| Action::Workload(0, WorkloadEdit::TargetContainer(v))),
            text().prop_map(|v| Action::Workload(0, WorkloadEdit::TargetPublicAddress(v))),
            flag().prop_map(|o| Action::Workload(0, WorkloadEdit::TargetOutside(o))),
            Just(Action::Replication(Some(Replication::TargetListens))),
        ]
    }

    proptest::proptest! {
        /// Whatever the wizard makes, a scenario it accepts comes back from the
        /// scenario's JSON (export, import, share link) as the same page state, and a
        /// draft it refuses lists at least one problem and no plan.
        #[test]
        fn every_wizard_state_round_trips(edits in proptest::collection::vec(any_edit(), 0..12)) {
            let mut d = Draft::default();
            d.apply(Action::Version("2019.5".into()));
            for e in edits {
                d.apply(e);
            }
            let c = d.check();
            match d.evaluate() {
                Ok((s, plan)) => {
                    proptest::prop_assert_eq!(&c.errors, &vec![]);
                    let back = read_scenario(&s.to_json()).expect("its own JSON");
                    proptest::prop_assert_eq!(&Draft::from_scenario(&back).evaluate(), &Ok((s.clone(), plan)));
                    proptest::prop_assert_eq!(Draft::from_scenario(&back).to_scenario(), Ok(s));
                }
                Err(_) => {
                    proptest::prop_assert!(!c.errors.is_empty());
                    proptest::prop_assert!(c.plan.is_none());
                }
            }
        }
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
