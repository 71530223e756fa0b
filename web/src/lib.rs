//! # portplan-web
//!
//! The static planner page: a Yew wizard over the core's scenario model that shows the
//! plan live, with downloads and a share link. Everything is computed in the browser
//! by `portplan-core`; the page makes no request after loading its own files.
//!
//! - [`state`]: the wizard state as a reducer (native tests),
//! - [`share`]: the `#scenario=` link,
//! - [`exports`]: the lazily imported second module (diagram, PDF, reports),
//! - [`plan_view`]: every flow of the plan, drawn as it scrolls into view,
//! - `components/`: one component per file.
//!
//! Built with `cargo xtask site` (wasm-pack `--target web`); the crate also compiles
//! natively so its state and components are tested and linted with the workspace.

pub mod app;
pub mod components;
pub mod exports;
pub mod plan_view;
pub mod problems;
pub mod share;
pub mod state;

/// Entry point called by wasm-bindgen when the module loads.
#[cfg(target_arch = "wasm32")]
#[wasm_bindgen::prelude::wasm_bindgen(start)]
pub fn start() {
    console_error_panic_hook::set_once();
    let root = gloo_utils::document().get_element_by_id("app");
    match root {
        Some(root) => {
            // Drop the "Loading…" placeholder.
            root.set_inner_html("");
            yew::Renderer::<app::App>::with_root(root).render()
        }
        None => yew::Renderer::<app::App>::new().render(),
    };
}
