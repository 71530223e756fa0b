//! The share link box: the page's own URL with the scenario in its fragment.

use web_sys::HtmlInputElement;
use yew::prelude::*;

#[derive(Properties, PartialEq)]
pub struct ShareLinkProps {
    /// The full URL, or `None` while the draft is not a valid scenario.
    pub url: Option<AttrValue>,
}

#[function_component]
pub fn ShareLink(p: &ShareLinkProps) -> Html {
    let onfocus =
        Callback::from(|e: FocusEvent| e.target_unchecked_into::<HtmlInputElement>().select());
    html! {
        <div class="field share no-print">
            <label for="share-link">{ "Share link (the scenario lives in the link; nothing is sent anywhere)" }</label>
            <input type="text" id="share-link" readonly=true {onfocus}
                value={p.url.clone().unwrap_or_else(|| AttrValue::from("(fix the highlighted field to update the link)"))} />
        </div>
    }
}
