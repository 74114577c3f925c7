//! The dependency graph as SVG, laid out in layers by the worker (Sugiyama's method). Arrows
//! point from a prerequisite to the item that waits for it. Clicking a node selects it
//! (`#/graph?focus=RI-1`) and highlights its edges.

use crate::client::fetch;
use crate::graph_layout::{NODE_H, NODE_W};
use crate::protocol::{PlacedGraph, Request};
use crate::route::{router, Route};
use crate::state::state;
use crate::ui;
use leptos::prelude::*;
use motus_core::overview::ItemState;

/// At most this many items are drawn; the rest are counted and left to the roadmap page.
const GRAPH_LIMIT: usize = 600;

fn short(s: &str, n: usize) -> String {
    if s.chars().count() > n {
        s.chars().take(n - 1).collect::<String>() + "…"
    } else {
        s.to_string()
    }
}

pub fn page() -> impl IntoView {
    let st = state();
    let rt = router();
    let data = fetch::<PlacedGraph>(move || {
        st.generation.track();
        Some(Request::Graph { limit: GRAPH_LIMIT })
    });
    view! {
        <section data-page="graph" class="graph">
            <p class="hint">"Arrows go from a prerequisite to the item that waits for it. Solid: blocks; dashed: soft; dotted: related. Click a node to highlight its links."</p>
            <div class="legend">{ui::badge("ready")}{ui::badge("blocked")}{ui::badge("in_progress")}{ui::badge("completed")}{ui::badge("other")}</div>
            {ui::loaded(data, move |g: PlacedGraph| {
                let focus = rt.route.get().param("focus");
                if g.nodes.is_empty() {
                    return view! { <p>"No dependencies recorded in this database."</p> }.into_any();
                }
                let edges = g.edges.iter().map(|e| {
                    let hot = !focus.is_empty() && (e.from == focus || e.to == focus);
                    let class = format!("edge edge-{}{}", e.dependency_type, if hot { " hot" } else { "" });
                    let title = format!("{} → {} ({})", e.from, e.to, e.dependency_type);
                    view! {
                        <line class=class x1=e.x1 y1=e.y1 x2=e.x2 y2=e.y2 marker-end="url(#arrow)"><title>{title}</title></line>
                    }
                }).collect_view();
                let nodes = g.nodes.iter().map(|p| {
                    let state = match p.node.state {
                        ItemState::Ready => "ready", ItemState::Blocked => "blocked",
                        ItemState::InProgress => "in_progress", ItemState::Completed => "completed",
                        ItemState::Other => "other",
                    };
                    let selected = p.node.id == focus;
                    let looped = g.self_loops.contains(&p.node.id);
                    let class = format!("node node-{state}{}{}", if selected { " selected" } else { "" }, if looped { " self-loop" } else { "" });
                    let id = p.node.id.clone();
                    let click = move |_| {
                        let r = Route::to(&["graph"]).with("focus", id.clone());
                        rt.replace(r);
                    };
                    let tip = format!("{}: {} ({})", p.node.id, p.node.title, p.node.status);
                    view! {
                        <g class=class transform=format!("translate({},{})", p.x, p.y) data-node=p.node.id.clone() on:click=click>
                            <title>{tip}</title>
                            <rect width=NODE_W height=NODE_H rx="6"></rect>
                            <text x="8" y="17" class="node-id">{short(&p.node.id, 24)}</text>
                            <text x="8" y="35" class="node-title">{short(&p.node.title, 26)}</text>
                        </g>
                    }
                }).collect_view();
                let w = g.width + 20.0;
                let h = g.height + 20.0;
                let count = if g.total_nodes > g.nodes.len() {
                    format!("{} of {} items drawn (unfinished first), {} of {} dependencies. The roadmap page lists them all.", g.nodes.len(), g.total_nodes, g.edges.len(), g.total_edges)
                } else {
                    format!("{} items, {} dependencies", g.nodes.len(), g.edges.len())
                };
                let loops = (!g.self_loops.is_empty()).then(|| view! {
                    <p class="warning" id="graph-self-loops">{format!("These items depend on themselves (a damaged or hand-edited file), so they can never be ready: {}", g.self_loops.join(", "))}</p>
                });
                let cyclic = g.cyclic.then(|| view! {
                    <p class="warning" id="graph-cycle">"The dependencies form a cycle: the items on it wait for each other and can never be ready. Arrows that close a cycle point upwards."</p>
                });
                view! {
                    <p id="graph-count" data-total=g.total_nodes.to_string()>{count}</p>
                    {loops}
                    {cyclic}
                    <div class="svg-wrap">
                        <svg id="dep-graph" xmlns="http://www.w3.org/2000/svg" width=w height=h viewBox=format!("-10 -10 {w} {h}")>
                            <defs>
                                <marker id="arrow" viewBox="0 0 10 10" refX="10" refY="5" markerWidth="7" markerHeight="7" orient="auto-start-reverse">
                                    <path d="M 0 0 L 10 5 L 0 10 z"></path>
                                </marker>
                            </defs>
                            <g class="edges">{edges}</g>
                            <g class="nodes">{nodes}</g>
                        </svg>
                    </div>
                }.into_any()
            })}
        </section>
    }
}
