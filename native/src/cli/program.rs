//! `motus program|product|feature|release|cr|bug|standard|charter …` and shared history text.

use motus_core::program::history::History;

/// History as text: one line per snapshot, then the audit trail.
pub fn history_text(h: &History) -> String {
    let mut s = format!("History of {} {}", h.entity_type, h.entity_id);
    if h.versions.is_empty() && h.audit.is_empty() {
        s.push_str("\n  (no recorded changes)");
    }
    for v in &h.versions {
        s.push_str(&format!(
            "\n  v{} {} by {}: {}",
            v.version, v.created_at, v.changed_by, v.data
        ));
    }
    if !h.audit.is_empty() {
        s.push_str("\nAudit:");
        for a in &h.audit {
            s.push_str(&format!(
                "\n  {} {} {} ({})",
                a.timestamp, a.actor, a.action, a.event_type
            ));
        }
    }
    s
}
