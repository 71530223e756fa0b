//! Wizard step 1: product, version, the PlateSpin server and the replication direction.

use super::field::{enum_options, SelectField, TextField};
use crate::problems::Problems;
use crate::state::{Action, Draft, HostField};
use portplan_core::releases;
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
    let mut replication = vec![(
        AttrValue::from(""),
        AttrValue::from("default (source listens)"),
    )];
    replication.extend(enum_options(Replication::ALL));
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
                <SelectField label="Replication direction" path="replication" error={p.problems.field("replication")}
                    value={d.replication.map_or("", |r| r.as_str())}
                    options={replication} {unavailable} onchange={on_replication} />
            </div>
        </fieldset>
    }
}
