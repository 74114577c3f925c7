//! The program hierarchy: program → product → feature → bugs, with releases and change
//! requests under their product.

use crate::client::fetch;
use crate::protocol::Request;
use crate::state::state;
use crate::ui;
use leptos::prelude::*;
use motus_core::overview::HierarchyNode;

fn node(n: &HierarchyNode) -> AnyView {
    let children = n.children.iter().map(node).collect_view();
    let kind = n.kind.replace('_', " ");
    view! {
        <li class=format!("h-node h-{}", n.kind) data-node=n.id.clone()>
            <span class="h-kind">{kind}</span>" "
            <strong>{n.name.clone()}</strong>" "
            <code>{n.id.clone()}</code>" "
            {(!n.status.is_empty()).then(|| ui::badge(&n.status))}" "
            <small>{n.detail.clone()}</small>
            {(!n.children.is_empty()).then(|| view! { <ul>{children}</ul> })}
        </li>
    }
    .into_any()
}

pub fn page() -> impl IntoView {
    let st = state();
    let data = fetch::<Vec<HierarchyNode>>(move || {
        st.generation.track();
        Some(Request::Programs)
    });
    view! {
        <section data-page="programs" class="programs">
            <h2>"Programs, products, features, bugs and releases"</h2>
            {ui::loaded(data, |list: Vec<HierarchyNode>| {
                if list.is_empty() {
                    return view! { <p>"No programs recorded."</p> }.into_any();
                }
                let items = list.iter().map(node).collect_view();
                view! { <ul class="hierarchy">{items}</ul> }.into_any()
            })}
        </section>
    }
}
