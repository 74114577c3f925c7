//! The audit log, newest first, with filters by event type, actor, resource type, text and
//! date range — all kept in the URL (`#/audit?type=cli&actor=user&page=2&row=17`).

use crate::client::fetch;
use crate::protocol::Request;
use crate::route::{router, Route};
use crate::state::state;
use crate::ui;
use leptos::prelude::*;
use motus_core::overview::{AuditPage, AuditQuery};

const PAGE_SIZE: i64 = 50;

fn query(r: &Route) -> AuditQuery {
    AuditQuery {
        event_type: r.param("type"),
        actor: r.param("actor"),
        resource_type: r.param("resource"),
        text: r.param("q"),
        since: r.param("since"),
        until: r.param("until"),
        offset: (r.param_i64("page").max(1) - 1) * PAGE_SIZE,
        limit: PAGE_SIZE,
    }
}

fn facet_select(
    id: &'static str,
    key: &'static str,
    label: &'static str,
    values: Vec<(String, i64)>,
    current: String,
) -> impl IntoView {
    let rt = router();
    let opts = values
        .into_iter()
        .map(|(v, n)| {
            let sel = v == current;
            let text = format!("{} ({n})", if v.is_empty() { "(empty)" } else { &v });
            view! { <option value=v.clone() selected=sel>{text}</option> }
        })
        .collect_view();
    view! {
        <label>{label}" "
            <select id=id on:change=move |ev| {
                let v = event_target_value(&ev);
                rt.replace(rt.route.get_untracked().with(key, v).without("page").without("row"));
            }>
                <option value="" selected=current.is_empty()>"any"</option>
                {opts}
            </select>
        </label>
    }
}

pub fn page() -> impl IntoView {
    let st = state();
    let rt = router();
    let q = Memo::new(move |_| rt.route.with(query));
    let data = fetch::<AuditPage>(move || {
        st.generation.track();
        Some(Request::Audit { query: q.get() })
    });
    let text = RwSignal::new(rt.route.get_untracked().param("q"));
    let set_param = move |key: &'static str, v: String| {
        rt.replace(
            rt.route
                .get_untracked()
                .with(key, v)
                .without("page")
                .without("row"),
        );
    };
    view! {
        <section data-page="audit" class="audit">
            <div class="filter-bar">
                <input type="search" id="audit-text" placeholder="Search resource id, action, values"
                    prop:value=move || text.get()
                    on:change=move |ev| { let v = event_target_value(&ev); text.set(v.clone()); set_param("q", v) } />
                <label>"From "<input type="date" id="audit-since" prop:value=move || rt.route.get().param("since")
                    on:change=move |ev| set_param("since", event_target_value(&ev)) /></label>
                <label>"To "<input type="date" id="audit-until" prop:value=move || rt.route.get().param("until")
                    on:change=move |ev| set_param("until", event_target_value(&ev)) /></label>
            </div>
            {ui::loaded(data, move |p: AuditPage| {
                let r = rt.route.get();
                let selected = r.params.get("row").and_then(|v| v.parse::<i64>().ok());
                let page_no = r.param_i64("page").max(1);
                let pages = ((p.total + PAGE_SIZE - 1) / PAGE_SIZE).max(1);
                let detail = selected.and_then(|id| p.rows.iter().find(|a| a.id == id)).map(|a| {
                    let kv = [("old value", a.old_value.clone()), ("new value", a.new_value.clone()), ("context", a.context.clone())]
                        .into_iter()
                        .map(|(k, v)| view! { <div class="kv"><span class="k">{k}</span><pre class="value">{v.unwrap_or_else(|| "NULL".into())}</pre></div> })
                        .collect_view();
                    view! { <section class="row-detail" id="row-detail"><h3>{format!("Audit entry {}", a.id)}</h3>{kv}</section> }
                });
                let rows = p.rows.iter().map(|a| {
                    let id = a.id;
                    let sel = selected == Some(id);
                    view! {
                        <tr class="data-row" class:selected=sel data-audit=id.to_string() on:click=move |_| {
                            let r = rt.route.get_untracked();
                            rt.replace(if sel { r.without("row") } else { r.with("row", id.to_string()) });
                        }>
                            <td class="num">{id}</td><td>{a.timestamp.clone()}</td><td>{a.event_type.clone()}</td><td>{a.actor.clone()}</td>
                            <td>{a.resource_type.clone()}</td><td>{a.resource_id.clone()}</td><td>{a.action.clone()}</td>
                        </tr>
                    }
                }).collect_view();
                let go = move |n: i64| {
                    let r = rt.route.get_untracked().without("row");
                    rt.replace(if n <= 1 { r.without("page") } else { r.with("page", n.to_string()) });
                };
                view! {
                    <div class="filter-bar">
                        {facet_select("audit-type", "type", "Event type", p.event_types.clone(), r.param("type"))}
                        {facet_select("audit-actor", "actor", "Actor", p.actors.clone(), r.param("actor"))}
                        {facet_select("audit-resource", "resource", "Resource type", p.resource_types.clone(), r.param("resource"))}
                    </div>
                    <p><span id="audit-total" data-total=p.total.to_string()>{format!("{} entries", p.total)}</span></p>
                    <div class="grid-wrap"><table class="grid"><thead><tr><th>"id"</th><th>"time"</th><th>"event"</th><th>"actor"</th><th>"resource type"</th><th>"resource"</th><th>"action"</th></tr></thead>
                    <tbody>{rows}</tbody></table></div>
                    <div class="pager">
                        <button disabled={page_no <= 1} on:click=move |_| go(page_no - 1)>"‹ Previous"</button>
                        <span>{format!("Page {page_no} of {pages}")}</span>
                        <button disabled={page_no >= pages} on:click=move |_| go(page_no + 1)>"Next ›"</button>
                    </div>
                    {detail}
                }
            })}
        </section>
    }
}
