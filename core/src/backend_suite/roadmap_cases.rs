//! The roadmap on the backend under test: readiness with dependencies and blockers, cycle
//! refusal, versioned history, soft delete and restore.

use super::{ensure, ensure_eq, Case, Failure, Outcome, World};
use crate::kernel::{self, BlockRequest, UnblockRequest};
use crate::roadmap::{self, dependencies, items, readiness, DependencyType, ItemUpdate, NewItem};

pub(super) const CASES: &[Case] = &[
    Case {
        name: "roadmap::readiness_follows_dependencies",
        run: readiness_follows_dependencies,
    },
    Case {
        name: "roadmap::open_blockers_hold_an_item_back",
        run: open_blockers_hold_an_item_back,
    },
    Case {
        name: "roadmap::a_dependency_cycle_is_refused_and_nothing_written",
        run: a_dependency_cycle_is_refused_and_nothing_written,
    },
    Case {
        name: "roadmap::every_change_is_versioned_and_deletes_are_soft",
        run: every_change_is_versioned_and_deletes_are_soft,
    },
];

fn item(w: &World<'_>, id: &str, rank: f64) -> Result<roadmap::Item, Failure> {
    Ok(items::add(
        w.conn,
        &w.env(),
        "suite",
        &NewItem {
            id: Some(id.into()),
            title: format!("Item {id}"),
            phase_key: "phase_a".into(),
            rank: Some(rank),
            ..Default::default()
        },
    )?)
}

fn dep(w: &World<'_>, item: &str, on: &str, kind: DependencyType) -> Outcome {
    dependencies::add(w.conn, &w.env(), "suite", item, on, kind, None)?;
    Ok(())
}

fn ready_ids(w: &World<'_>) -> Result<Vec<String>, Failure> {
    Ok(readiness::ready(w.conn, None)?
        .into_iter()
        .map(|i| i.id)
        .collect())
}

fn readiness_follows_dependencies(w: &World<'_>) -> Outcome {
    item(w, "A", 1.0)?;
    item(w, "B", 2.0)?;
    item(w, "C", 3.0)?;
    item(w, "D", 4.0)?;
    dep(w, "B", "A", DependencyType::Blocks)?;
    dep(w, "C", "B", DependencyType::Blocks)?;
    dep(w, "D", "A", DependencyType::Soft)?;
    ensure_eq!(ready_ids(w)?, vec!["A".to_string(), "D".to_string()]);
    ensure_eq!(readiness::ready_count(w.conn)?, 2);
    let blocked = readiness::blocked(w.conn)?;
    let held: Vec<(&str, Vec<String>)> = blocked
        .iter()
        .map(|b| (b.item.id.as_str(), b.blocking_dependencies.clone()))
        .collect();
    ensure_eq!(
        held,
        vec![("B", vec!["A".to_string()]), ("C", vec!["B".to_string()])]
    );
    let why = readiness::why(w.conn, "C")?;
    ensure!(!why.ready, "C reported ready: {why:?}");
    ensure_eq!(why.roots, vec!["A".to_string()], "the chain's root");
    let chain: Vec<&str> = why
        .blocking_dependencies
        .iter()
        .map(|n| n.id.as_str())
        .collect();
    ensure!(
        chain.contains(&"B") && chain.contains(&"A"),
        "why C names {chain:?}, expected B and A"
    );
    ensure!(
        readiness::why(w.conn, "D")?.ready,
        "a soft dependency blocked D"
    );
    let reviewer = items::Completer {
        agent: "suite",
        role: Some("reviewer"),
    };
    let done = items::complete(w.conn, &w.env(), &reviewer, "A", None)?;
    ensure_eq!(done.unblocked, vec!["B".to_string()]);
    ensure_eq!(ready_ids(w)?, vec!["B".to_string(), "D".to_string()]);
    let early = items::complete(w.conn, &w.env(), &reviewer, "C", None);
    ensure!(
        early.is_err(),
        "completing C before its prerequisite B succeeded: {early:?}"
    );
    ensure_eq!(
        items::get(w.conn, "C")?.status_key,
        "pending",
        "C after a refused completion"
    );
    Ok(())
}

fn open_blockers_hold_an_item_back(w: &World<'_>) -> Outcome {
    item(w, "X", 1.0)?;
    item(w, "Y", 2.0)?;
    let b = kernel::create_blocker(
        w.conn,
        &w.env(),
        &BlockRequest {
            target: "X".into(),
            reason_code: "missing_info".into(),
            title: "need the spec".into(),
            description: None,
            needs: Some("spec".into()),
            severity: "blocking".into(),
            agent: "suite".into(),
        },
    )?;
    ensure_eq!(b.work_id, "X");
    ensure_eq!(ready_ids(w)?, vec!["Y".to_string()]);
    let blocked = readiness::blocked(w.conn)?;
    ensure_eq!(blocked.len(), 1);
    ensure_eq!(blocked[0].item.id, "X");
    ensure_eq!(blocked[0].blockers, vec![b.blocker_id.clone()]);
    let why = readiness::why(w.conn, "X")?;
    ensure!(!why.ready, "{why:?}");
    ensure_eq!(
        why.blockers
            .iter()
            .map(|r| r.id.clone())
            .collect::<Vec<_>>(),
        vec![b.blocker_id.clone()]
    );
    kernel::resolve_blocker(
        w.conn,
        &w.env(),
        &UnblockRequest {
            blocker_id: b.blocker_id.clone(),
            resolution: "spec written".into(),
            waiver: Some("reviewed in person".into()),
            agent: "suite".into(),
        },
    )?;
    ensure_eq!(ready_ids(w)?, vec!["X".to_string(), "Y".to_string()]);
    ensure!(readiness::blocked(w.conn)?.is_empty(), "still blocked");
    Ok(())
}

fn a_dependency_cycle_is_refused_and_nothing_written(w: &World<'_>) -> Outcome {
    for (i, id) in ["A", "B", "C"].iter().enumerate() {
        item(w, id, i as f64 + 1.0)?;
    }
    dep(w, "A", "B", DependencyType::Blocks)?;
    dep(w, "B", "C", DependencyType::Blocks)?;
    let before = w.counts(&["roadmap_dependencies", "audit_log"])?;
    let err = dependencies::add(
        w.conn,
        &w.env(),
        "suite",
        "C",
        "A",
        DependencyType::Blocks,
        None,
    )
    .err();
    ensure_eq!(
        err.as_ref().map(|e| (e.code(), e.to_string())),
        Some((
            "kernel_rule",
            "Circular dependency detected: C -> A -> B -> C".to_string()
        ))
    );
    let itself = dependencies::add(
        w.conn,
        &w.env(),
        "suite",
        "A",
        "A",
        DependencyType::Blocks,
        None,
    )
    .err()
    .map(|e| e.to_string());
    ensure_eq!(
        itself,
        Some("Circular dependency detected: A -> A".to_string())
    );
    let soft = dependencies::add(
        w.conn,
        &w.env(),
        "suite",
        "C",
        "A",
        DependencyType::Soft,
        None,
    );
    ensure!(soft.is_err(), "a soft edge closing a cycle was accepted");
    ensure_eq!(
        w.counts(&["roadmap_dependencies", "audit_log"])?,
        before,
        "rows after refused cycles"
    );
    ensure_eq!(
        dependencies::path(w.conn, "A", "C")?,
        Some(vec!["A".to_string(), "B".to_string(), "C".to_string()])
    );
    Ok(())
}

fn every_change_is_versioned_and_deletes_are_soft(w: &World<'_>) -> Outcome {
    item(w, "V", 1.0)?;
    w.clock.advance_seconds(1);
    let updated = items::update(
        w.conn,
        &w.env(),
        "suite",
        "V",
        &ItemUpdate {
            title: Some("Renamed".into()),
            ..Default::default()
        },
    )?;
    ensure_eq!(updated.title, "Renamed");
    // Same millisecond as the last change: the stamp still moves, so the version is kept.
    let again = items::update(
        w.conn,
        &w.env(),
        "suite",
        "V",
        &ItemUpdate {
            owner: Some(Some("alice".into())),
            ..Default::default()
        },
    )?;
    ensure!(
        again.updated_at > updated.updated_at,
        "updated_at did not move: {} then {}",
        updated.updated_at,
        again.updated_at
    );
    let history = items::history(w.conn, "V")?;
    ensure!(
        history.versions.len() >= 2,
        "versions after two updates: {:?}",
        history.versions
    );
    let titles: Vec<String> = history
        .versions
        .iter()
        .filter_map(|v| {
            v.data
                .get("title")
                .and_then(|t| t.as_str())
                .map(String::from)
        })
        .collect();
    ensure!(
        titles.iter().any(|t| t == "Renamed"),
        "no version holds the new title: {titles:?}"
    );
    let actions: Vec<&str> = history.audit.iter().map(|a| a.action.as_str()).collect();
    ensure_eq!(actions, vec!["create", "update", "update"]);
    items::delete(w.conn, &w.env(), "suite", "V", Some("merged"))?;
    let live = items::list(w.conn, &roadmap::ListFilter::default())?;
    ensure!(live.iter().all(|i| i.id != "V"), "a deleted item is listed");
    ensure!(
        items::get(w.conn, "V")?.is_deleted(),
        "the item row is gone instead of soft-deleted"
    );
    let restored = items::restore(w.conn, &w.env(), "suite", "V")?;
    ensure!(!restored.is_deleted(), "{restored:?}");
    let twice = items::restore(w.conn, &w.env(), "suite", "V");
    ensure!(
        matches!(twice, Err(crate::Error::InvalidInput { .. })),
        "restoring a live item gave {twice:?}"
    );
    Ok(())
}
