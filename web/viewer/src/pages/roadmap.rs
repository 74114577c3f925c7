//! The roadmap: every item by phase with its state; blocked items say why. Filter by state and
//! text; the selected item and filters are in the URL (`#/roadmap?state=blocked&item=RI-1`).

use crate::client::fetch;
use crate::pages::overview::why_list;
use crate::protocol::Request;
use crate::route::{router, Route};
use crate::state::state;
use crate::ui;
use leptos::prelude::*;
use motus_core::overview::{ItemState, RoadmapPage, RoadmapQuery};

/// Items per page.
const PAGE: usize = 200;

fn state_name(s: ItemState) -> &'static str {
    match s {
        ItemState::Ready => "ready",
        ItemState::Blocked => "blocked",
        ItemState::InProgress => "in_progress",
        ItemState::Completed => "completed",
        ItemState::Other => "other",
    }
}

pub fn page() -> impl IntoView {
    let st = state();
    let rt = router();
    // The worker filters and pages; only the shown items' reasons are worked out.
    let wanted = Memo::new(move |_| {
        let r = rt.route.get();
        (
            r.param("state"),
            r.param("q"),
            r.param("offset").parse::<usize>().unwrap_or(0),
        )
    });
    let data = fetch::<RoadmapPage>(move || {
        st.generation.track();
        let (state, text, offset) = wanted.get();
        Some(Request::Roadmap {
            query: RoadmapQuery {
                state,
                text,
                offset,
                limit: PAGE,
            },
        })
    });
    let search = RwSignal::new(rt.route.get_untracked().param("q"));
    view! {
        <section data-page="roadmap" class="roadmap">
            <input type="search" id="roadmap-search" placeholder="Filter by id or title"
                        prop:value=move || search.get()
                        on:input=move |ev| {
                            let v = event_target_value(&ev);
                            search.set(v.clone());
                            rt.replace(rt.route.get_untracked().with("q", v).with("offset", String::new()));
                        } />
            {ui::loaded(data, move |map: RoadmapPage| {
                let r = rt.route.get();
                let want = r.param("state");
                let item = r.param("item");
                let tabs = ["", "ready", "blocked", "in_progress", "completed"].iter().map(|s| {
                    let n = map.state_counts.iter().find(|(k, _)| k == s).map(|(_, n)| *n).unwrap_or(0);
                    let label = if s.is_empty() { "all".to_string() } else { s.replace('_', " ") };
                    let href = Route::to(&["roadmap"]).with("state", s.to_string()).with("q", r.param("q")).to_hash();
                    let active = want == *s;
                    view! { <a href=href class="tab" class:active=active data-state-tab=s.to_string()>{format!("{label} ({n})")}</a> }
                }).collect_view();
                let mut phase = String::new();
                let pager = ui::pager(map.offset, map.entries.len(), map.total, move |offset| {
                    rt.replace(rt.route.get_untracked().with("offset", offset.to_string()));
                });
                let rows = map.entries.iter()
                    .map(|e| {
                        let head = (e.item.phase != phase).then(|| {
                            phase = e.item.phase.clone();
                            view! { <tr class="phase-row"><th colspan="5">{phase.clone()}</th></tr> }
                        });
                        let selected = e.item.id == item;
                        let href = Route::to(&["roadmap"]).with("state", want.clone()).with("q", r.param("q")).with("item", e.item.id.clone()).to_hash();
                        let timeline = Route::to(&["work", &e.item.id]).to_hash();
                        let graph = Route::to(&["graph"]).with("focus", e.item.id.clone()).to_hash();
                        let why = ((!e.reasons.is_empty() || !e.waits_for.is_empty()) && (e.state == ItemState::Blocked || selected)).then(|| why_list(e));
                        view! {
                            {head}
                            <tr class="item-row" class:selected=selected data-item=e.item.id.clone() data-state=state_name(e.state)>
                                <td><a href=href>{e.item.id.clone()}</a></td>
                                <td class="title">{e.item.title.clone()}{why}
                                    {selected.then(|| view! { <div class="item-links"><a href=timeline>"Timeline →"</a>" "<a href=graph>"In the graph →"</a></div> })}
                                </td>
                                <td>{e.item_type.clone()}</td>
                                <td>{ui::badge(&e.item.status)}</td>
                                <td>{ui::badge(state_name(e.state))}</td>
                            </tr>
                        }
                    }).collect_view();
                view! {
                    <div class="tabs">{tabs}</div>
                    {pager}
                    <table class="grid roadmap-table"><thead><tr><th>"id"</th><th>"title / why"</th><th>"type"</th><th>"status"</th><th>"state"</th></tr></thead>
                    <tbody>{rows}</tbody></table>
                }
            })}
        </section>
    }
}
