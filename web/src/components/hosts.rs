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
    let connector_row = |i: usize, h: &HostDraft| {
        let at = format!("connectors[{i}]");
        let d1 = d.clone();
        let d2 = d.clone();
        let d3 = d.clone();
        html! {
            <tr key={i}>
                <td><TextField label={format!("Name of connector {}", i + 1)} hide_label=true path={format!("{at}.name")} error={p.problems.field(&format!("{at}.name"))}
                    value={h.name.clone()} oninput={Callback::from(move |v| d1.emit(Action::Connector(i, HostField::Name, v)))} /></td>
                <td><TextField label={format!("Address of connector {}", i + 1)} hide_label=true path={format!("{at}.address")} error={p.problems.field(&format!("{at}.address"))}
                    value={h.address.clone()} oninput={Callback::from(move |v| d2.emit(Action::Connector(i, HostField::Address, v)))} /></td>
                <td><button type="button" class="icon" aria-label={format!("Remove connector {}", i + 1)}
                    onclick={Callback::from(move |_| d3.emit(Action::RemoveConnector(i)))}>{ "✕" }</button></td>
            </tr>
        }
    };
    let admin_row = |i: usize, h: &HostDraft| {
        let at = format!("admins[{i}]");
        let d1 = d.clone();
        let d2 = d.clone();
        let d3 = d.clone();
        html! {
            <tr key={i}>
                <td><TextField label={format!("Name of administrator machine {}", i + 1)} hide_label=true path={format!("{at}.name")} error={p.problems.field(&format!("{at}.name"))}
                    value={h.name.clone()} oninput={Callback::from(move |v| d1.emit(Action::Admin(i, HostField::Name, v)))} /></td>
                <td><TextField label={format!("Address of administrator machine {}", i + 1)} hide_label=true path={format!("{at}.address")} error={p.problems.field(&format!("{at}.address"))}
                    value={h.address.clone()} oninput={Callback::from(move |v| d2.emit(Action::Admin(i, HostField::Address, v)))} /></td>
                <td><button type="button" class="icon" aria-label={format!("Remove administrator machine {}", i + 1)}
                    onclick={Callback::from(move |_| d3.emit(Action::RemoveAdmin(i)))}>{ "✕" }</button></td>
            </tr>
        }
    };
    let factory_field =
        |label: &'static str, path: &'static str, field: FactoryField, value: &str| {
            let d = d.clone();
            html! {
                <TextField {label} {path} error={p.problems.field(path)} value={value.to_string()}
                    oninput={Callback::from(move |v| d.emit(Action::Factory(field, v)))} />
            }
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
                if !p.connectors.is_empty() {
                    <table class="rows">
                        <thead><tr><th>{ "Name" }</th><th>{ "Address" }</th><th><span class="sr-only">{ "Remove" }</span></th></tr></thead>
                        <tbody>{ for p.connectors.iter().enumerate().map(|(i, h)| connector_row(i, h)) }</tbody>
                    </table>
                }
                <button type="button" id="add-connector" onclick={add_connector} disabled={connector_reason.is_some() && p.connectors.is_empty()}
                    aria-describedby={connector_reason.is_some().then_some("connector-note")}>{ "Add connector" }</button>
                if let Some(r) = connector_reason.clone() {
                    <p class="field-note" id="connector-note">{ r }</p>
                }
            </details>
            <details open={!p.admins.is_empty()} id="f-admins">
                <summary>{ format!("Administrators' machines: {}", p.admins.len()) }</summary>
                if !p.admins.is_empty() {
                    <table class="rows">
                        <thead><tr><th>{ "Name" }</th><th>{ "Address" }</th><th><span class="sr-only">{ "Remove" }</span></th></tr></thead>
                        <tbody>{ for p.admins.iter().enumerate().map(|(i, h)| admin_row(i, h)) }</tbody>
                    </table>
                }
                <button type="button" id="add-admin" onclick={add_admin}>{ "Add administrator machine" }</button>
            </details>
            <details open={p.factory.is_some()} id="f-factory">
                <summary>{ if p.factory.is_some() { "Migration Factory: Transformation Manager" } else { "Migration Factory: none" } }</summary>
                if let Some(f) = &p.factory {
                    <div class="row">
                        { factory_field("Transformation Manager name", "factory.name", FactoryField::Name, &f.name) }
                        { factory_field("Transformation Manager address", "factory.address", FactoryField::Address, &f.address) }
                        <CheckField label="The vendor's appliance" path="factory.appliance" checked={f.appliance} onchange={on_appliance} />
                    </div>
                    <div class="row">
                        { factory_field("Remote database name (empty: local)", "factory.database.name", FactoryField::DatabaseName, &f.database.name) }
                        { factory_field("Remote database address", "factory.database.address", FactoryField::DatabaseAddress, &f.database.address) }
                    </div>
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
