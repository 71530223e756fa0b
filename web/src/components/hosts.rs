//! Wizard step 2: virtualization hosts and clouds to discover (the containers targets
//! land on), Migrate Connectors, administrators' machines and the Migration Factory's
//! Transformation Manager.

use super::field::{enum_options, CheckField, SelectField, TextField};
use crate::problems::Problems;
use crate::state::{Action, FactoryDraft, FactoryField, HostDraft, HostField, VhostDraft};
use portplan_core::support::Feature;
use portplan_core::types::Version;
use portplan_core::{Platform, Product};
use std::rc::Rc;
use yew::prelude::*;

#[derive(Properties, PartialEq)]
pub struct HostsProps {
    pub hosts: Vec<VhostDraft>,
    pub connectors: Vec<HostDraft>,
    #[prop_or_default]
    pub admins: Vec<HostDraft>,
    #[prop_or_default]
    pub factory: Option<FactoryDraft>,
    pub product: Product,
    pub version: AttrValue,
    pub problems: Rc<Problems>,
    pub ondispatch: Callback<Action>,
}

/// A list of named machines (Migrate Connectors, administrators' machines): its JSON
/// key, the word for one in labels, and its actions.
struct Named {
    list: &'static str,
    one: &'static str,
    edit: fn(usize, HostField, String) -> Action,
    remove: fn(usize) -> Action,
}

const NAMED: [Named; 2] = [
    Named {
        list: "connectors",
        one: "connector",
        edit: Action::Connector,
        remove: Action::RemoveConnector,
    },
    Named {
        list: "admins",
        one: "administrator machine",
        edit: Action::Admin,
        remove: Action::RemoveAdmin,
    },
];

/// The rows of a [`Named`] list, one function for both lists.
fn named_rows(
    n: &'static Named,
    rows: &[HostDraft],
    problems: &Problems,
    d: &Callback<Action>,
) -> Html {
    if rows.is_empty() {
        return Html::default();
    }
    let row = |i: usize, h: &HostDraft| {
        let at = format!("{}[{i}]", n.list);
        let field = |f: HostField, what: &str, value: &str| {
            let path = format!(
                "{at}.{}",
                if f == HostField::Name {
                    "name"
                } else {
                    "address"
                }
            );
            let d = d.clone();
            html! {
                <td><TextField label={format!("{what} of {} {}", n.one, i + 1)} hide_label=true error={problems.field(&path)} {path}
                    value={value.to_string()} oninput={Callback::from(move |v| d.emit((n.edit)(i, f, v)))} /></td>
            }
        };
        let d = d.clone();
        html! {
            <tr key={i}>
                { field(HostField::Name, "Name", &h.name) }
                { field(HostField::Address, "Address", &h.address) }
                <td><button type="button" class="icon" aria-label={format!("Remove {} {}", n.one, i + 1)}
                    onclick={Callback::from(move |_| d.emit((n.remove)(i)))}>{ "✕" }</button></td>
            </tr>
        }
    };
    html! {
        <table class="rows">
            <thead><tr><th>{ "Name" }</th><th>{ "Address" }</th><th><span class="sr-only">{ "Remove" }</span></th></tr></thead>
            <tbody>{ for rows.iter().enumerate().map(|(i, h)| row(i, h)) }</tbody>
        </table>
    }
}

#[function_component]
pub fn Hosts(p: &HostsProps) -> Html {
    let d = p.ondispatch.clone();
    let host_row = |i: usize, h: &VhostDraft| {
        let at = format!("hosts[{i}]");
        let d1 = d.clone();
        let d2 = d.clone();
        let d3 = d.clone();
        let d4 = d.clone();
        html! {
            <tr key={i}>
                <td><TextField label={format!("Name of host {}", i + 1)} hide_label=true path={format!("{at}.name")} error={p.problems.field(&format!("{at}.name"))}
                    value={h.name.clone()} oninput={Callback::from(move |v| d1.emit(Action::Host(i, HostField::Name, v)))} /></td>
                <td><TextField label={format!("Address of host {}", i + 1)} hide_label=true path={format!("{at}.address")} error={p.problems.field(&format!("{at}.address"))}
                    value={h.address.clone()} oninput={Callback::from(move |v| d2.emit(Action::Host(i, HostField::Address, v)))} /></td>
                <td><SelectField label={format!("Platform of host {}", i + 1)} hide_label=true path={format!("{at}.platform")}
                    value={h.platform.as_str()} options={enum_options(Platform::ALL)}
                    onchange={Callback::from(move |v: String| if let Ok(pl) = v.parse() { d3.emit(Action::HostPlatform(i, pl)) })} /></td>
                <td><button type="button" class="icon" aria-label={format!("Remove host {}", i + 1)}
                    onclick={Callback::from(move |_| d4.emit(Action::RemoveHost(i)))}>{ "✕" }</button></td>
            </tr>
        }
    };
    // The factory's four text fields, one control in a loop (the page's first-load
    // module grows by each control written out).
    let factory_fields =
        |f: &FactoryDraft, fields: &[(&'static str, &'static str, FactoryField)]| {
            html! { <div class="row">{ for fields.iter().map(|&(label, path, field)| {
                let value = match field {
                    FactoryField::Name => &f.name,
                    FactoryField::Address => &f.address,
                    FactoryField::DatabaseName => &f.database.name,
                    FactoryField::DatabaseAddress => &f.database.address,
                };
                let d = d.clone();
                html! {
                    <TextField {label} {path} error={p.problems.field(path)} value={value.clone()}
                        oninput={Callback::from(move |v| d.emit(Action::Factory(field, v)))} />
                }
            }) }</div> }
        };
    let add_admin = d.reform(|_| Action::AddAdmin);
    let set_factory = d.reform(Action::SetFactory);
    let on_appliance = d.reform(Action::FactoryAppliance);
    let add_host = d.reform(|_| Action::AddHost);
    let add_connector = d.reform(|_| Action::AddConnector);
    let connector_reason =
        Version::parse(p.version.trim()).and_then(|v| Feature::Messaging.reason(p.product, &v));
    html! {
        <fieldset class="step" id="f-hosts">
            <legend>{ "2. Virtualization hosts, connectors, administrators, factory" }</legend>
            if !p.hosts.is_empty() {
                <table class="rows">
                    <thead><tr><th>{ "Name" }</th><th>{ "Address" }</th><th>{ "Platform" }</th><th><span class="sr-only">{ "Remove" }</span></th></tr></thead>
                    <tbody>{ for p.hosts.iter().enumerate().map(|(i, h)| host_row(i, h)) }</tbody>
                </table>
            }
            <button type="button" onclick={add_host}>{ "Add host" }</button>
            <details open={!p.connectors.is_empty()} id="f-connectors">
                <summary>{ format!("Migrate Connectors: {}", p.connectors.len()) }</summary>
                { named_rows(&NAMED[0], &p.connectors, &p.problems, &d) }
                <button type="button" id="add-connector" onclick={add_connector} disabled={connector_reason.is_some() && p.connectors.is_empty()}
                    aria-describedby={connector_reason.is_some().then_some("connector-note")}>{ "Add connector" }</button>
                if let Some(r) = connector_reason.clone() {
                    <p class="field-note" id="connector-note">{ r }</p>
                }
            </details>
            <details open={!p.admins.is_empty()} id="f-admins">
                <summary>{ format!("Administrators' machines: {}", p.admins.len()) }</summary>
                { named_rows(&NAMED[1], &p.admins, &p.problems, &d) }
                <button type="button" id="add-admin" onclick={add_admin}>{ "Add administrator machine" }</button>
            </details>
            <details open={p.factory.is_some()} id="f-factory">
                <summary>{ if p.factory.is_some() { "Migration Factory: Transformation Manager" } else { "Migration Factory: none" } }</summary>
                if let Some(f) = &p.factory {
                    { factory_fields(f, &[
                        ("Transformation Manager name", "factory.name", FactoryField::Name),
                        ("Transformation Manager address", "factory.address", FactoryField::Address),
                    ]) }
                    <CheckField label="The vendor's appliance" path="factory.appliance" checked={f.appliance} onchange={on_appliance} />
                    { factory_fields(f, &[
                        ("Remote database name (empty: local)", "factory.database.name", FactoryField::DatabaseName),
                        ("Remote database address", "factory.database.address", FactoryField::DatabaseAddress),
                    ]) }
                    if let Some(e) = p.problems.field("factory") {
                        <p class="field-error" role="alert">{ e }</p>
                    }
                    <button type="button" id="remove-factory" onclick={set_factory.reform(|_| false)}>{ "Remove the Transformation Manager" }</button>
                } else {
                    <button type="button" id="add-factory" onclick={set_factory.reform(|_| true)} disabled={connector_reason.is_some()}
                        aria-describedby={connector_reason.is_some().then_some("connector-note")}>{ "Add a Transformation Manager" }</button>
                }
            </details>
        </fieldset>
    }
}
