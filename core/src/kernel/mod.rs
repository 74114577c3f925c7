//! The work kernel: agents claim work, gather context, record outcomes, evidence and
//! decisions, and release — plus heartbeat, handoff, force release, blockers and cleanup.
//!
//! Every call is one write transaction that takes the lock up front ([`write_tx`]): the
//! checks, the lease/attempt/kernel rows, the lease event and the audit row commit together
//! or not at all. DENIED and BUSY are verdicts ([`Decision`]), not errors; an `Err` means
//! nothing was written. See `docs/kernel.md` for the design and where we differ from the
//! original.
//!
//! [`write_tx`]: crate::connection::write_tx

pub mod blockers;
pub mod canonical;
pub mod claim;
pub mod claim_next;
pub mod expiry;
pub mod invariants;
mod journal;
pub mod lease;
pub mod lifecycle;
pub mod query;
pub mod reason;
pub mod records;
pub mod release;
pub mod work_item;

pub use blockers::{create_blocker, resolve_blocker, BlockRequest, BlockerView, UnblockRequest};
pub use claim::{claim_work, ClaimRequest, ClaimResponse};
pub use claim_next::{claim_next, ClaimNextRequest, ClaimNextResponse, NextFilter};
pub use lease::{Lease, LeaseStatus, Mode, Resource};
pub use lifecycle::{cleanup, get_context, handoff, heartbeat};
pub use query::{lease_status, list_leases, verify_evidence};
pub use reason::{Decision, ReasonCode, Verdict};
pub use records::{
    put_outcome, record_decision, record_evidence, DecisionRequest, EvidenceRequest, FileArtifact,
    OutcomeRequest, Recorded,
};
pub use release::{force_release, release_work, ForceTarget, ReleaseOutcome};

/// Per-host switches.
#[derive(Debug, Clone, Copy)]
pub struct Options {
    /// Write a `metrics` row per call, like the original (`MC_METRICS_ENABLED=0` turns it off).
    pub metrics: bool,
}

impl Default for Options {
    fn default() -> Self {
        Options { metrics: true }
    }
}

#[cfg(test)]
mod tests;

#[cfg(all(test, feature = "rusqlite", not(target_family = "wasm")))]
mod model_tests;
