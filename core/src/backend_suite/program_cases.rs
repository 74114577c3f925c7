//! Program management, terminology and the audit log on the backend under test.

use super::{ensure, ensure_eq, Case, Failure, Outcome, World};
use crate::kernel::{self, ClaimRequest, Options};
use crate::program::entity::{self, ListOptions, Values};
use crate::program::kinds::{FEATURE, PRODUCT, PROGRAM};
use crate::roadmap::{dependencies, items, DependencyType, NewItem};
use crate::terminology;

pub(super) const CASES: &[Case] = &[
    Case {
        name: "program::entities_form_a_checked_hierarchy",
        run: entities_form_a_checked_hierarchy,
    },
    Case {
        name: "program::history_keeps_versions_and_audit_rows",
        run: history_keeps_versions_and_audit_rows,
    },
    Case {
        name: "terminology::keys_are_validated_against_their_domain",
        run: keys_are_validated_against_their_domain,
    },
    Case {
        name: "audit::every_write_adds_one_audit_row",
        run: every_write_adds_one_audit_row,
    },
];

fn vals(pairs: &[(&str, &str)]) -> Values {
    pairs
        .iter()
        .map(|(k, v)| (k.to_string(), Some(v.to_string())))
        .collect()
}

fn entities_form_a_checked_hierarchy(w: &World<'_>) -> Outcome {
    let env = w.env();
    let program = entity::create(
        w.conn,
        &env,
        "suite",
        &PROGRAM,
        Some("prog-s"),
        &vals(&[("name", "Suite")]),
    )?;
    ensure_eq!(program["type_key"], "software", "the default type");
    entity::create(
        w.conn,
        &env,
        "suite",
        &PRODUCT,
        Some("prod-s"),
        &vals(&[("program_id", "prog-s"), ("name", "Suite product")]),
    )?;
    entity::create(
        w.conn,
        &env,
        "suite",
        &FEATURE,
        Some("feat-s"),
        &vals(&[("product_id", "prod-s"), ("name", "Suite feature")]),
    )?;
    let orphan = entity::create(
        w.conn,
        &env,
        "suite",
        &PRODUCT,
        None,
        &vals(&[("program_id", "nope"), ("name", "p")]),
    )
    .err()
    .map(|e| e.to_string());
    ensure_eq!(
        orphan,
        Some("invalid program: no program with id 'nope'".to_string())
    );
    let missing = entity::create(
        w.conn,
        &env,
        "suite",
        &PRODUCT,
        None,
        &vals(&[("name", "p")]),
    )
    .err()
    .map(|e| e.to_string());
    ensure_eq!(
        missing,
        Some("invalid product: missing required program_id".to_string())
    );
    let parent = entity::delete(w.conn, &env, "suite", &PRODUCT, "prod-s", None)
        .err()
        .map(|e| e.to_string());
    ensure_eq!(
        parent,
        Some(
            "invalid product: product prod-s is still used by feature feat-s; delete or move those first"
                .to_string()
        )
    );
    entity::delete(w.conn, &env, "suite", &FEATURE, "feat-s", Some("merged"))?;
    entity::delete(w.conn, &env, "suite", &PRODUCT, "prod-s", None)?;
    let child_first = entity::restore(w.conn, &env, "suite", &FEATURE, "feat-s");
    ensure!(
        child_first.is_err(),
        "a feature came back before its deleted product"
    );
    entity::restore(w.conn, &env, "suite", &PRODUCT, "prod-s")?;
    let f = entity::restore(w.conn, &env, "suite", &FEATURE, "feat-s")?;
    ensure!(f["deleted_at"].is_null(), "{f:?}");
    let features = entity::list(
        w.conn,
        &FEATURE,
        &ListOptions {
            parent: Some("prod-s".into()),
            ..Default::default()
        },
    )?;
    ensure_eq!(features.len(), 1);
    Ok(())
}

fn history_keeps_versions_and_audit_rows(w: &World<'_>) -> Outcome {
    let env = w.env();
    entity::create(
        w.conn,
        &env,
        "suite",
        &PRODUCT,
        Some("prod-h"),
        &vals(&[("program_id", "motus-cli"), ("name", "First")]),
    )?;
    w.clock.advance_seconds(1);
    entity::update(
        w.conn,
        &env,
        "alice",
        &PRODUCT,
        "prod-h",
        &vals(&[("name", "Second")]),
    )?;
    entity::update(
        w.conn,
        &env,
        "bob",
        &PRODUCT,
        "prod-h",
        &vals(&[("name", "Third")]),
    )?;
    let h = entity::history(w.conn, &PRODUCT, "prod-h")?;
    ensure_eq!(h.entity_id, "prod-h");
    ensure!(
        h.versions.len() >= 2,
        "versions after two updates: {:?}",
        h.versions
    );
    let numbers: Vec<i64> = h.versions.iter().map(|v| v.version).collect();
    let mut sorted = numbers.clone();
    sorted.sort();
    sorted.dedup();
    ensure_eq!(numbers, sorted, "version numbers increase");
    let actors: Vec<(&str, &str)> = h
        .audit
        .iter()
        .map(|a| (a.action.as_str(), a.actor.as_str()))
        .collect();
    ensure_eq!(
        actors,
        vec![("create", "suite"), ("update", "alice"), ("update", "bob")]
    );
    let last = h
        .audit
        .last()
        .and_then(|a| a.new_value.as_ref())
        .and_then(|v| v.get("name"))
        .cloned();
    ensure_eq!(last, Some(serde_json::json!("Third")));
    let erase = w.conn.execute("DELETE FROM entity_versions", &[]).err();
    ensure!(
        matches!(&erase, Some(crate::Error::KernelRule { .. })),
        "deleting version history gave {erase:?}"
    );
    Ok(())
}

fn keys_are_validated_against_their_domain(w: &World<'_>) -> Outcome {
    let env = w.env();
    let bad = entity::create(
        w.conn,
        &env,
        "suite",
        &PROGRAM,
        None,
        &vals(&[("name", "p"), ("type_key", "hardware")]),
    )
    .err();
    ensure_eq!(
        bad.as_ref().map(|e| (e.code(), e.to_string())),
        Some((
            "invalid_input",
            "invalid type: 'hardware' is not a program_type key; valid keys: software, content, infrastructure"
                .to_string()
        ))
    );
    let new_phase = |phase: &str| {
        items::add(
            w.conn,
            &env,
            "suite",
            &NewItem {
                id: Some(format!("RI-{phase}")),
                title: "in a new phase".into(),
                phase_key: phase.into(),
                ..Default::default()
            },
        )
    };
    let unknown = new_phase("phase_suite").err();
    ensure!(
        matches!(&unknown, Some(crate::Error::InvalidInput { field, .. }) if field == "phase"),
        "an unknown phase gave {unknown:?}"
    );
    let term = terminology::add(
        w.conn,
        &env,
        "suite",
        "roadmap_phase",
        "phase_suite",
        "Suite phase",
    )?;
    ensure_eq!(term.internal_key, "phase_suite");
    ensure!(
        terminology::terms(w.conn, "roadmap_phase")?
            .iter()
            .any(|t| t.internal_key == "phase_suite"),
        "the new key is not listed"
    );
    new_phase("phase_suite")?;
    let shouting = terminology::add(w.conn, &env, "suite", "roadmap_phase", "Phase-X", "x");
    ensure!(
        matches!(shouting, Err(crate::Error::InvalidInput { .. })),
        "a key with capitals and '-' was accepted"
    );
    let deprecated = terminology::validate(w.conn, "artifact", "artifact", "dna")
        .err()
        .map(|e| e.to_string());
    ensure_eq!(
        deprecated,
        Some(
            "invalid artifact: 'dna' is deprecated in terminology domain 'artifact'; use 'flight_rule' instead"
                .to_string()
        )
    );
    Ok(())
}

fn every_write_adds_one_audit_row(w: &World<'_>) -> Outcome {
    let env = w.env();
    let audit_rows = || w.rows_in("audit_log");
    let mut expected = audit_rows()?;
    // `rows` is 1 but for dependency edges, which the original's schema also logs itself
    // (trigger `audit_dependency_insert`, kept for compatibility).
    let mut step = |what: &str, event_prefix: &str, rows: i64| -> Outcome {
        expected += rows;
        ensure_eq!(audit_rows()?, expected, "audit rows after {what}");
        let last: String = crate::ConnectionExt::query_one(
            w.conn,
            "SELECT event_type FROM audit_log ORDER BY id DESC LIMIT 1",
            &[],
        )?;
        ensure!(
            last.starts_with(event_prefix),
            "the audit row for {what} is {last}, expected {event_prefix}…"
        );
        Ok(())
    };
    let claim = kernel::claim_work(
        w.conn,
        &env,
        &Options::default(),
        &ClaimRequest::new("ADHOC-SUITE-AUDIT", "audit", "agent-a"),
    )?;
    step("a claim", "work.", 1)?;
    let lease = claim
        .lease
        .ok_or_else(|| Failure(format!("not granted: {:?}", claim.decision)))?
        .lease_id;
    kernel::record_decision(
        w.conn,
        &env,
        &Options::default(),
        &lease,
        &kernel::DecisionRequest::new("audited"),
    )?;
    step("a decision", "work.", 1)?;
    items::add(
        w.conn,
        &env,
        "suite",
        &NewItem {
            id: Some("RI-AUD-1".into()),
            title: "one".into(),
            phase_key: "phase_a".into(),
            ..Default::default()
        },
    )?;
    step("a roadmap add", "roadmap.", 1)?;
    items::add(
        w.conn,
        &env,
        "suite",
        &NewItem {
            id: Some("RI-AUD-2".into()),
            title: "two".into(),
            phase_key: "phase_a".into(),
            ..Default::default()
        },
    )?;
    step("a second roadmap add", "roadmap.", 1)?;
    dependencies::add(
        w.conn,
        &env,
        "suite",
        "RI-AUD-2",
        "RI-AUD-1",
        DependencyType::Blocks,
        None,
    )?;
    step("a dependency add", "roadmap.", 2)?;
    entity::create(
        w.conn,
        &env,
        "suite",
        &PROGRAM,
        Some("prog-aud"),
        &vals(&[("name", "A")]),
    )?;
    step("a program add", "", 1)?;
    terminology::add(
        w.conn,
        &env,
        "suite",
        "roadmap_phase",
        "phase_aud",
        "Audited",
    )?;
    step("a terminology add", "", 1)?;
    // A refused write adds no row.
    let refused = items::add(
        w.conn,
        &env,
        "suite",
        &NewItem {
            id: Some("RI-AUD-1".into()),
            title: "duplicate".into(),
            phase_key: "phase_a".into(),
            ..Default::default()
        },
    );
    ensure!(refused.is_err(), "a duplicate id was accepted");
    ensure_eq!(audit_rows()?, expected, "audit rows after a refused add");
    // Reads add none.
    crate::roadmap::readiness::ready(w.conn, None)?;
    entity::history(w.conn, &PROGRAM, "prog-aud")?;
    ensure_eq!(audit_rows()?, expected, "audit rows after reads");
    let instance: i64 = w.count(
        "SELECT count(*) FROM audit_log WHERE instance_id IS NULL OR instance_id = ''",
        &[],
    )?;
    ensure_eq!(instance, 0, "audit rows without an instance id");
    Ok(())
}
