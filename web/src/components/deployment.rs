//! Wizard step 1: product, version, the PlateSpin server (its public NAT address, a
//! cloud-marketplace image, in a public cloud) and the replication direction, which
//! says the direction the plan uses and why.

use super::field::{CheckField, SelectField, TextField};
use crate::problems::Problems;
use crate::state::{Action, Draft, HostField};
use portplan_core::releases;
use portplan_core::scenario::Direction;
use portplan_core::support::Feature;
use portplan_core::types::{Replication, Version};
use portplan_core::Product;
use std::rc::Rc;
use yew::prelude::*;

/// The picker's value for "a version the release table does not list".
const OTHER: &str = "other";

#[derive(Properties, PartialEq)]
pub struct DeploymentProps {
    pub draft: Draft,
    pub problems: Rc<Problems>,
    /// The core's notes about the server's public address (agent workloads dialling a
    /// private one), shown beside that field.
    #[prop_or_default]
    pub server_notes: Rc<Vec<String>>,
    pub ondispatch: Callback<Action>,
}

#[function_component]
pub fn Deployment(p: &DeploymentProps) -> Html {
    let d = &p.draft;
    let on = |f: fn(String) -> Action| p.ondispatch.reform(f);
    let on_product = p
        .ondispatch
        .reform(|v: String| Action::Product(v.parse().unwrap_or(Product::Migrate)));
    let on_replication = p
        .ondispatch
        .reform(|v: String| Action::Replication(v.parse().ok()));
    let parsed = Version::parse(d.version.trim());
    let known: Vec<&'static str> = releases::of(d.product).map(|r| r.version).collect();
    let is_known = parsed
        .as_ref()
        .is_some_and(|v| releases::place(d.product, v).is_ok());
    // "Another version" chosen: the text field shows even while the version is a known one.
    let other = use_state(|| false);
    let show_text = *other || !is_known;
    let version_warning = parsed
        .as_ref()
        .and_then(|v| releases::warning(d.product, v));
    let pick = {
        let (d, other) = (p.ondispatch.clone(), other.clone());
        Callback::from(move |v: String| {
            if v == OTHER {
                other.set(true);
            } else {
                other.set(false);
                d.emit(Action::Version(v));
            }
        })
    };
    let mut picks: Vec<(AttrValue, AttrValue)> = known
        .iter()
        .map(|v| (AttrValue::from(*v), AttrValue::from(*v)))
        .collect();
    picks.push((AttrValue::from(OTHER), AttrValue::from("Another version…")));
    let picked = if show_text {
        AttrValue::from(OTHER)
    } else {
        AttrValue::from(d.version.trim().to_string())
    };
    let listens_reason = parsed
        .as_ref()
        .and_then(|v| Feature::TargetListens.reason(d.product, v));
    let mut unavailable = vec![];
    if let Some(r) = &listens_reason {
        if d.replication != Some(Replication::TargetListens) {
            unavailable.push((
                AttrValue::from(Replication::TargetListens.as_str()),
                AttrValue::from(r.clone()),
            ));
        }
    }
    // The direction the plan uses when none is chosen, and why (the core's rule).
    let agents = d.workloads.iter().any(|w| w.agent && !w.draft);
    let default = Direction::of(None, agents, d.marketplace);
    let used = Direction::of(d.replication, agents, d.marketplace);
    let why = match (default.reason, d.replication) {
        (Some(_), None) if agents => " (agents)",
        (Some(_), None) => " (marketplace)",
        _ => "",
    };
    let mut replication = vec![(
        AttrValue::from(""),
        AttrValue::from(format!(
            "default: {}{why}",
            super::labels::replication(default.replication)
        )),
    )];
    replication.extend(super::labels::options(
        Replication::ALL,
        super::labels::replication,
    ));
    let on_public = on(Action::ServerPublicAddress);
    let on_marketplace = p.ondispatch.reform(Action::Marketplace);
    let on_cloud = p.ondispatch.reform(Action::Cloud);
    let on_server_platform = p
        .ondispatch
        .reform(|v: String| Action::ServerPlatform(v.parse().ok()));
    // The clouds a scenario may name for its server (`scenario::SERVER_PLATFORMS`).
    let server_platforms = [("", "not said"), ("azure", "Azure"), ("aws", "AWS")]
        .map(|(v, t)| (AttrValue::from(v), AttrValue::from(t)))
        .to_vec();
    let marketplace_reason = parsed
        .as_ref()
        .and_then(|v| Feature::Agent.reason(d.product, v))
        .filter(|_| !d.marketplace)
        .map(AttrValue::from);
    let notes = &p.server_notes;
    html! {
        <fieldset class="step">
            <legend>{ "1. Product and PlateSpin server" }</legend>
            <div class="row">
                <SelectField label="Product" path="product" error={p.problems.field("product")} value={d.product.as_str()}
                    options={super::labels::options(Product::ALL, super::labels::product)} onchange={on_product} />
                <SelectField label="Release" path="version-pick" value={picked} options={picks} onchange={pick} />
                if show_text {
                    <TextField label="Version" path="version" error={p.problems.field("version")} value={d.version.clone()}
                        placeholder="e.g. 12.3" oninput={on(Action::Version)} />
                }
            </div>
            if let Some(w) = version_warning {
                <p class="warning" id="version-warning" role="status">{ w }</p>
            }
            <div class="row">
                <TextField label="PlateSpin server name" path="server.name" error={p.problems.field("server.name")} value={d.server.name.clone()}
                    oninput={on(|v| Action::Server(HostField::Name, v))} />
                <TextField label="PlateSpin server address" path="server.address" error={p.problems.field("server.address")} value={d.server.address.clone()}
                    placeholder="IP or DNS name" oninput={on(|v| Action::Server(HostField::Address, v))} />
                <TextField label="Public address (NAT)" path="server.public_address" error={p.problems.field("server.public_address")}
                    value={d.server_public_address.clone()} placeholder="none" oninput={on_public} />
            </div>
            if let Some(first) = notes.first() {
                <p class="warning" id="server-public-note" role="status">
                    { first.clone() }
                    if notes.len() > 1 { { format!(" ({} more workloads alike.)", notes.len() - 1) } }
                </p>
            }
            <div class="row">
                <CheckField label="Cloud-marketplace image" path="server.marketplace" error={p.problems.field("server.marketplace")}
                    checked={d.marketplace} disabled={marketplace_reason} onchange={on_marketplace} />
                <CheckField label="In a public cloud (Azure, AWS)" path="server.cloud" checked={d.cloud} onchange={on_cloud} />
                <SelectField label="Which cloud (its own NSG or security group)" path="server.platform" error={p.problems.field("server.platform")}
                    value={d.server_platform.map_or("", |p| p.as_str())} options={server_platforms} onchange={on_server_platform} />
            </div>
            <div class="row">
                <SelectField label="Replication direction" path="replication" error={p.problems.field("replication")}
                    value={d.replication.map_or("", |r| r.as_str())}
                    options={replication} {unavailable} onchange={on_replication} />
            </div>
            <p class="field-note" id="replication-used">
                { format!("The plan uses {}", super::labels::replication(used.replication)) }
                { match (d.replication, used.reason) {
                    (Some(_), _) => ": chosen here.".to_string(),
                    (None, Some(r)) => format!(". {r}"),
                    (None, None) => ": the vendor's default (SourceListensForConnection=True).".to_string(),
                } }
            </p>
        </fieldset>
    }
}
