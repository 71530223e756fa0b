//! Wizard step 1: product, version, the PlateSpin server and the replication direction.

use super::field::{enum_options, SelectField, TextField};
use crate::problems::Problems;
use crate::state::{Action, Draft, HostField};
use portplan_core::types::Replication;
use portplan_core::Product;
use std::rc::Rc;
use yew::prelude::*;

/// Versions the catalog has facts for; the field takes any version, these are hints.
const KNOWN_VERSIONS: &[&str] = &[
    "8.1.3", "9.0", "11.0", "11.2.1", "12.0", "12.3", "2018.11", "2019.2", "2019.5", "2019.8",
    "2020.2", "2.5",
];

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
                <TextField label="Version" path="version" error={p.problems.field("version")} value={d.version.clone()}
                    list="known-versions" placeholder="e.g. 12.3" oninput={on(Action::Version)} />
                <datalist id="known-versions">
                    { for KNOWN_VERSIONS.iter().map(|v| html! { <option value={*v} /> }) }
                </datalist>
            </div>
            <div class="row">
                <TextField label="PlateSpin server name" path="server.name" error={p.problems.field("server.name")} value={d.server.name.clone()}
                    oninput={on(|v| Action::Server(HostField::Name, v))} />
                <TextField label="PlateSpin server address" path="server.address" error={p.problems.field("server.address")} value={d.server.address.clone()}
                    placeholder="IP or DNS name" oninput={on(|v| Action::Server(HostField::Address, v))} />
                <SelectField label="Replication direction (Migrate 2019.2+)" path="replication" error={p.problems.field("replication")}
                    value={d.replication.map_or("", |r| r.as_str())}
                    options={replication} onchange={on_replication} />
            </div>
        </fieldset>
    }
}
