//! Work items with kernel history, and one item's timeline: attempts with their leases,
//! evidence (hash re-computed here in the browser; a mismatch is shown as such), decisions,
//! outcomes, blockers and handoffs.

use crate::client::fetch;
use crate::protocol::Request;
use crate::route::{router, Route};
use crate::state::state;
use crate::ui;
use leptos::prelude::*;
use motus_core::overview::{AttemptView, EvidenceView, HashCheck, Timeline, WorkRef};

pub fn page() -> impl IntoView {
    let rt = router();
    let work_id = Memo::new(move |_| rt.route.with(|r| r.arg().map(str::to_string)));
    move || match work_id.get() {
        None => list().into_any(),
        Some(id) => timeline(id).into_any(),
    }
}

fn list() -> impl IntoView {
    let st = state();
    let data = fetch::<Vec<WorkRef>>(move || {
        st.generation.track();
        Some(Request::WorkItems)
    });
    view! {
        <section data-page="work">
            <h2>"Work items with history"</h2>
            {ui::loaded(data, |items: Vec<WorkRef>| {
                let rows = items.into_iter().map(|w| {
                    let href = Route::to(&["work", &w.work_id]).to_hash();
                    view! {
                        <tr data-work=w.work_id.clone()>
                            <td><a href=href>{w.work_id.clone()}</a></td>
                            <td>{w.title.clone().unwrap_or_default()}</td>
                            <td class="num">{w.attempts}</td><td class="num">{w.evidence}</td><td class="num">{w.decisions}</td>
                        </tr>
                    }
                }).collect_view();
                view! {
                    <table class="grid"><thead><tr><th>"work id"</th><th>"title"</th><th>"attempts"</th><th>"evidence"</th><th>"decisions"</th></tr></thead>
                    <tbody>{rows}</tbody></table>
                }
            })}
        </section>
    }
}

fn hash_check(e: &EvidenceView) -> impl IntoView {
    let stored = e.sha256.clone().unwrap_or_default();
    match &e.check {
        HashCheck::Verified => view! {
            <span class="hash ok" data-hash="verified" title=stored.clone()>{format!("✓ hash verified in this browser: {}", stored)}</span>
        }.into_any(),
        HashCheck::Mismatch { computed } => view! {
            <span class="hash bad" data-hash="mismatch">{format!("✗ HASH MISMATCH — stored {stored}, content hashes to {computed}. This evidence changed after it was recorded.")}</span>
        }.into_any(),
        HashCheck::NotCheckable { reason } => view! {
            <span class="hash na" data-hash="not_checkable">{format!("– not checkable here: {reason}")}</span>
        }.into_any(),
    }
}

fn evidence_list(list: &[EvidenceView]) -> impl IntoView {
    list.iter()
        .map(|e| {
            let details = [
                ("tests", e.test_results.clone()),
                ("diff", e.diff_summary.clone()),
                ("log", e.log_excerpt.clone()),
                ("artifacts", e.artifacts.clone()),
            ]
            .into_iter()
            .filter_map(|(k, v)| v.map(|v| view! { <div class="kv"><span class="k">{k}</span><pre class="value">{v}</pre></div> }))
            .collect_view();
            view! {
                <li class="evidence" data-evidence=e.id.clone()>
                    <div><strong>{e.evidence_type.clone()}</strong>" "<code>{e.id.clone()}</code>" · "{e.created_at.clone()}" · "{e.created_by.clone()}</div>
                    {hash_check(e)}
                    {details}
                </li>
            }
        })
        .collect_view()
}

fn attempt_card(a: &AttemptView) -> impl IntoView {
    let title = if a.id.is_empty() {
        "Not tied to an attempt".to_string()
    } else {
        format!("Attempt {}", a.id)
    };
    let meta = if a.id.is_empty() {
        String::new()
    } else {
        format!(
            "by {} · started {} · {} · outcome {}",
            a.worker_id,
            a.started_at,
            a.ended_at
                .clone()
                .map(|e| format!("ended {e}"))
                .unwrap_or_else(|| "still open".into()),
            a.outcome.clone().unwrap_or_else(|| "none".into())
        )
    };
    let leases = a.leases.iter().map(|l| view! {
        <li><code>{l.lease_id.clone()}</code>" "{l.owner_agent_id.clone()}" · "{ui::badge(&l.status)}" "{l.outcome.clone().unwrap_or_default()}" · issued "{l.issued_at.clone()}</li>
    }).collect_view();
    let decisions = a.decisions.iter().map(|d| view! {
        <li class="decision"><strong>{d.summary.clone()}</strong>" · "{d.decision_type.clone()}" · "{d.decided_by.clone()}" · "{d.decided_at.clone()}
            {d.rationale.clone().map(|r| view! { <div class="rationale">{r}</div> })}</li>
    }).collect_view();
    let outcomes = a.outcomes.iter().map(|o| view! {
        <li>{o.outcome_type.clone()}" "{o.path.clone().unwrap_or_default()}" "{o.description.clone().unwrap_or_default()}" · "{o.created_at.clone()}</li>
    }).collect_view();
    let (nl, ne, nd, no) = (
        a.leases.len(),
        a.evidence.len(),
        a.decisions.len(),
        a.outcomes.len(),
    );
    view! {
        <article class="attempt" data-attempt=a.id.clone()>
            <h3>{title}</h3>
            <p class="meta">{meta}</p>
            {(nl > 0).then(|| view! { <h4>{format!("Leases ({nl})")}</h4><ul>{leases}</ul> })}
            {(ne > 0).then(|| view! { <h4>{format!("Evidence ({ne})")}</h4><ul class="evidence-list">{evidence_list(&a.evidence)}</ul> })}
            {(nd > 0).then(|| view! { <h4>{format!("Decisions ({nd})")}</h4><ul>{decisions}</ul> })}
            {(no > 0).then(|| view! { <h4>{format!("Outcomes ({no})")}</h4><ul>{outcomes}</ul> })}
        </article>
    }
}

fn timeline(id: String) -> impl IntoView {
    let st = state();
    let data = fetch::<Timeline>(move || {
        st.generation.track();
        Some(Request::Timeline {
            work_id: id.clone(),
        })
    });
    view! {
        <section data-page="timeline" class="timeline">
            <a href="#/work">"← all work items"</a>
            {ui::loaded(data, |t: Timeline| {
                let title = t.item.as_ref().map(|i| i.title.clone()).unwrap_or_else(|| "(not a roadmap item)".into());
                let status = t.item.as_ref().map(|i| i.status.clone()).unwrap_or_default();
                let attempts = t.attempts.iter().map(attempt_card).collect_view();
                let blockers = t.blockers.iter().map(|b| view! {
                    <li>{b.title.clone()}" · "{b.reason_code.clone()}" · "{b.severity.clone()}" · "{b.created_at.clone()}
                        {b.resolved_at.clone().map(|r| format!(" · resolved {r}"))}</li>
                }).collect_view();
                let handoffs = t.handoffs.iter().map(|h| view! {
                    <li>{format!("{} → {}", h.from, h.to.clone().unwrap_or_else(|| "next agent".into()))}" · "{h.at.clone()}<pre class="value">{h.reason.clone()}</pre></li>
                }).collect_view();
                let verified = t.attempts.iter().flat_map(|a| &a.evidence).filter(|e| e.check == HashCheck::Verified).count();
                let mismatched = t.attempts.iter().flat_map(|a| &a.evidence).filter(|e| matches!(e.check, HashCheck::Mismatch { .. })).count();
                let (nb, nh) = (t.blockers.len(), t.handoffs.len());
                view! {
                    <h2><code>{t.work_id.clone()}</code>" "{title}" "{ui::badge(&status)}</h2>
                    <p id="hash-summary">{format!("{verified} evidence hashes verified, {mismatched} mismatched")}</p>
                    {attempts}
                    <h3>{format!("Blockers ({nb})")}</h3><ul>{blockers}</ul>
                    <h3>{format!("Handoffs ({nh})")}</h3><ul>{handoffs}</ul>
                }
            })}
        </section>
    }
}
