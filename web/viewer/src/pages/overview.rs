//! The overview: counts, active leases, ready and blocked work, recent activity.

use crate::client::{fetch, Load};
use crate::protocol::Request;
use crate::route::Route;
use crate::state::state;
use crate::ui;
use leptos::prelude::*;
use motus_core::overview::{Activity, LeaseSummary, OverviewCounts, OverviewWork, RoadmapEntry};

/// A lease's resources (stored as JSON) as short "type: id" chips, not raw JSON.
fn resources(raw: &str) -> AnyView {
    let parsed: Option<Vec<String>> = serde_json::from_str::<serde_json::Value>(raw)
        .ok()
        .and_then(|v| {
            let list = match v {
                serde_json::Value::Array(a) => a,
                other => vec![other],
            };
            Some(
                list.iter()
                    .map(|r| match r {
                        serde_json::Value::Object(m) => {
                            let kind = m
                                .get("type")
                                .or_else(|| m.get("resource_type"))
                                .and_then(|v| v.as_str())
                                .unwrap_or("");
                            let id = m
                                .get("id")
                                .or_else(|| m.get("path"))
                                .or_else(|| m.get("resource_id"))
                                .and_then(|v| v.as_str())
                                .unwrap_or("");
                            if kind.is_empty() && id.is_empty() {
                                serde_json::Value::Object(m.clone()).to_string()
                            } else if kind.is_empty() {
                                id.to_string()
                            } else {
                                format!("{kind}: {id}")
                            }
                        }
                        serde_json::Value::String(s) => s.clone(),
                        other => other.to_string(),
                    })
                    .collect(),
            )
        });
    match parsed {
        Some(items) => {
            let chips = items
                .into_iter()
                .map(|t| view! { <span class="chip">{t}</span> })
                .collect_view();
            view! { <span class="chips">{chips}</span> }.into_any()
        }
        None => view! { <span>{raw.to_string()}</span> }.into_any(),
    }
}

/// Why an item waits: the roadmap's own sentences, then links to its open prerequisites.
pub fn why_list(e: &RoadmapEntry) -> impl IntoView {
    let reasons = e
        .reasons
        .iter()
        .map(|r| view! { <li class="blocking"><span class="why">{r.clone()}</span></li> })
        .collect_view();
    // With the roadmap's sentences shown, the prerequisites only need to be links.
    let terse = !e.reasons.is_empty();
    let links = e
        .waits_for
        .iter()
        .filter(|w| !terse || w.dependency_type != "blocks")
        .map(|w| {
            let href = Route::to(&["roadmap"])
                .with("item", w.depends_on.clone())
                .to_hash();
            let blocking = w.dependency_type == "blocks";
            view! {
                <li class:blocking=blocking class="prereq">
                    <span class="why">{w.why.clone()}</span>
                    " — " <a href=href>{w.depends_on_title.clone()}</a>
                </li>
            }
        })
        .collect_view();
    let open = e
        .waits_for
        .iter()
        .filter(|w| terse && w.dependency_type == "blocks")
        .map(|w| {
            let href = Route::to(&["roadmap"])
                .with("item", w.depends_on.clone())
                .to_hash();
            view! { <a class="prereq-link" href=href>{w.depends_on.clone()}</a>" " }
        })
        .collect_view();
    let open = terse.then(|| view! { <li class="prereq-links">"open: "{open}</li> });
    view! { <ul class="why-list">{reasons}{open}{links}</ul> }
}

pub fn page() -> impl IntoView {
    let st = state();
    // Three answers, cheapest first: the worker answers in order, so the counts show while
    // the ready/blocked panels and the recent activity are still being worked out.
    // The first screen came with the open's answer; asked for only if it did not.
    let preloaded = st
        .db
        .with_untracked(|d| d.as_ref().and_then(|o| o.overview.clone()));
    let has_preloaded = preloaded.is_some();
    let asked = fetch::<OverviewCounts>(move || {
        st.generation.track();
        (!has_preloaded).then_some(Request::Overview)
    });
    let first = Signal::derive(move || match &preloaded {
        Some(o) => Load::Ready(o.clone()),
        None => asked.get(),
    });
    let work = fetch::<OverviewWork>(move || {
        st.generation.track();
        Some(Request::OverviewWork)
    });
    let recent = fetch::<Vec<Activity>>(move || {
        st.generation.track();
        Some(Request::Recent)
    });
    // When the first answer estimated some counts, the exact ones follow and replace it.
    // Asked for once the panels have answered: the exact counts may read the whole file, and
    // the worker answers in order, so the panels must not queue behind them.
    let exact = fetch::<OverviewCounts>(move || match (first.get(), work.get()) {
        (Load::Ready(o), Load::Ready(_) | Load::Failed(_)) if !o.exact => {
            Some(Request::OverviewExact)
        }
        _ => None,
    });
    let exact_failed = Signal::derive(move || match exact.get() {
        Load::Failed(f) => Some(f.message),
        _ => None,
    });
    // The preloaded first screen is there from the first render (no effect's turn to wait
    // for); the effect only replaces it when something new comes.
    let (data, set_data) = signal(first.get_untracked());
    Effect::new(move |_| {
        let shown = match (exact.get(), first.get()) {
            (Load::Ready(o), _) => Load::Ready(o),
            (_, f) => f,
        };
        if data.with_untracked(|d| *d != shown) {
            set_data.set(shown);
        }
    });
    view! {
        <section data-page="overview" class="overview">
            {ui::loaded(data, move |o: OverviewCounts| {
                let counts = o.counts.iter().map(|c| {
                    let (n, title) = if c.estimated {
                        (format!("≈{}", ui::approx(c.count)), "estimated from the size of the table; the exact count follows")
                    } else {
                        (c.count.to_string(), "")
                    };
                    view! {
                        <a class="count" class:estimated=c.estimated title=title href=Route::to(&["table", &c.table]).to_hash() data-count=c.table.clone()>
                            <span class="n">{n}</span><span class="label">{c.label.clone()}</span>
                        </a>
                    }
                }).collect_view();
                let exact = o.exact;
                // When the exact counts could not be worked out (a file so big that counting
                // every leaf outran the time budget), the estimates stay and say so.
                let exact_state = move || match exact_failed.get() {
                    Some(_) if !exact => "failed".to_string(),
                    _ => exact.to_string(),
                };
                let exact_note = move || {
                    exact_failed.get().filter(|_| !exact).map(|m| {
                        view! { <p class="hint" id="exact-failed">{format!("The counts marked ≈ stay estimates: the exact count was stopped ({m})")}</p> }
                    })
                };
                let statuses = o.items_by_status.iter().map(|(s, n)| view! {
                    <span class="status-count" data-status=s.clone()>{ui::badge(s)}" "{*n}</span>
                }).collect_view();
                let leases = o.active_leases.iter().map(lease_row).collect_view();
                let n_leases = o.active_lease_count;
                let more_leases = (n_leases as usize > o.active_leases.len()).then(|| view! {
                    <p class="hint">{format!("The newest {} of {n_leases} are listed; the Tables page has them all.", o.active_leases.len())}</p>
                });
                view! {
                    <div class="counts" id="overview-counts" data-exact=exact_state>{counts}</div>
                    {exact_note}
                    <div class="statuses">"Roadmap by status: "{if exact { statuses.into_any() } else { view! { <span class="loading">"counting…"</span> }.into_any() }}</div>
                    {ui::loaded(work, work_panels)}
                    <section class="panel" id="leases-panel">
                        <h3>"Active leases " <span class="n" id="active-lease-count">{n_leases}</span></h3>
                        <p class="hint">"Leases whose status is active. The original expires leases lazily, so compare the deadlines with the time the copy was made."</p>
                        {more_leases}
                        <div class="grid-wrap"><table class="grid"><thead><tr><th>"lease"</th><th>"agent"</th><th>"work"</th><th>"mode"</th><th>"resources"</th><th>"expires"</th><th>"heartbeat deadline"</th></tr></thead>
                        <tbody>{leases}</tbody></table></div>
                    </section>
                    <section class="panel" id="recent-panel">
                        <h3>"Recent activity"</h3>
                        {ui::loaded(recent, |rows: Vec<Activity>| {
                            let recent = rows.iter().map(|a| view! {
                                <tr><td>{a.at.clone()}</td><td>{ui::badge(&a.source)}</td><td>{a.subject.clone()}</td><td>{a.detail.clone()}</td></tr>
                            }).collect_view();
                            view! { <div class="grid-wrap"><table class="grid"><tbody>{recent}</tbody></table></div> }
                        })}
                    </section>
                }
            })}
        </section>
    }
}

fn lease_row(l: &LeaseSummary) -> impl IntoView {
    view! {
        <tr>
            <td>{l.lease_id.clone()}</td><td>{l.owner_agent_id.clone()}</td>
            <td>{l.work_id.clone().unwrap_or_default()}</td><td>{l.mode.clone()}</td>
            <td>{resources(&l.resources)}</td><td>{l.expires_at.clone()}</td><td>{l.heartbeat_deadline.clone()}</td>
        </tr>
    }
}

fn work_panels(o: OverviewWork) -> impl IntoView {
    let ready = o.ready.iter().map(|i| {
                    let href = Route::to(&["roadmap"]).with("item", i.id.clone()).to_hash();
                    view! { <li><a href=href>{i.id.clone()}</a>" "{i.title.clone()}" "<small>{i.phase.clone()}</small></li> }
                }).collect_view();
    let blocked = o
        .blocked
        .iter()
        .map(|e| {
            let href = Route::to(&["roadmap"])
                .with("item", e.item.id.clone())
                .to_hash();
            view! {
                <li class="blocked-item" data-item=e.item.id.clone()>
                    <a href=href>{e.item.id.clone()}</a>" "{e.item.title.clone()}
                    {why_list(e)}
                </li>
            }
        })
        .collect_view();
    view! {
        <div class="columns">
            <section class="panel" id="ready-panel">
                <h3>"Ready to work on " <span class="n" id="ready-count">{o.ready_count}</span></h3>
                <ul>{ready}</ul>
                <a href=Route::to(&["roadmap"]).with("state", "ready").to_hash()>"All ready items →"</a>
            </section>
            <section class="panel" id="blocked-panel">
                <h3>"Blocked " <span class="n" id="blocked-count">{o.blocked_count}</span></h3>
                <ul>{blocked}</ul>
                <a href=Route::to(&["roadmap"]).with("state", "blocked").to_hash()>"All blocked items and why →"</a>
            </section>
        </div>
    }
}
