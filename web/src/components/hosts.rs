//! Wizard step 2: virtualization hosts and clouds to discover, and Migrate Connectors.

use super::field::{enum_options, SelectField, TextField};
use crate::problems::Problems;
use crate::state::{Action, HostDraft, HostField, VhostDraft};
use portplan_core::support::Feature;
use portplan_core::types::Version;
use portplan_core::{Platform, Product};
use std::rc::Rc;
use yew::prelude::*;

#[derive(Properties, PartialEq)]
pub struct HostsProps {
    pub hosts: Vec<VhostDraft>,
    pub connectors: Vec<HostDraft>,
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
    let add_host = d.reform(|_| Action::AddHost);
    let add_connector = d.reform(|_| Action::AddConnector);
    let connector_reason =
        Version::parse(p.version.trim()).and_then(|v| Feature::Messaging.reason(p.product, &v));
    html! {
        <fieldset class="step" id="f-hosts">
            <legend>{ "2. Virtualization hosts to discover" }</legend>
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
                if let Some(r) = connector_reason {
                    <p class="field-note" id="connector-note">{ r }</p>
                }
            </details>
        </fieldset>
    }
}
