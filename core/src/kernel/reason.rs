//! Verdicts, reason codes and their human messages: the kernel's wire contract (§1.9 of the
//! behaviour notes), plus the few codes we add for rules the original never checked.

use serde::Serialize;

/// What the kernel decided about a request. DENIED and BUSY are answers, not errors.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, schemars::JsonSchema)]
#[serde(rename_all = "SCREAMING_SNAKE_CASE")]
pub enum Verdict {
    Granted,
    Denied,
    Busy,
}

impl Verdict {
    pub fn as_str(self) -> &'static str {
        match self {
            Verdict::Granted => "GRANTED",
            Verdict::Denied => "DENIED",
            Verdict::Busy => "BUSY",
        }
    }
}

macro_rules! reason_codes {
    ($($variant:ident => $code:literal, $verdict:ident, $message:literal;)*) => {
        /// Every reason code the kernel emits.
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
        pub enum ReasonCode { $($variant),* }

        impl ReasonCode {
            pub const ALL: &'static [ReasonCode] = &[$(ReasonCode::$variant),*];
            pub fn as_str(self) -> &'static str {
                match self { $(ReasonCode::$variant => $code),* }
            }
            /// The human message the original prints for the code (ours for the new codes).
            pub fn human_message(self) -> &'static str {
                match self { $(ReasonCode::$variant => $message),* }
            }
            /// The verdict that always accompanies the code.
            pub fn verdict(self) -> Verdict {
                match self { $(ReasonCode::$variant => Verdict::$verdict),* }
            }
            pub fn parse(code: &str) -> Option<ReasonCode> {
                match code { $($code => Some(ReasonCode::$variant),)* _ => None }
            }
        }
    };
}

reason_codes! {
    GrantedOk => "GRANTED_OK", Granted, "Access granted.";
    BusyWriteHeld => "BUSY_WRITE_HELD", Busy, "Resource is locked by another agent.";
    BusyReadersPresent => "BUSY_READERS_PRESENT", Busy, "Resource has active readers.";
    BusyWorkInProgress => "BUSY_WORK_IN_PROGRESS", Busy, "Work item already has an active attempt by another agent. Use handoff instead of a new claim.";
    DenyPolicy => "DENY_POLICY", Denied, "Denied by policy.";
    DenyInvalidResources => "DENY_INVALID_RESOURCES", Denied, "Invalid resource specification.";
    DenyInvalidTtl => "DENY_INVALID_TTL", Denied, "TTL must be a positive integer (max 7 days).";
    DenyInvalidAgentId => "DENY_INVALID_AGENT_ID", Denied, "Agent ID must be a non-empty string.";
    DenyInvalidWorkId => "DENY_INVALID_WORK_ID", Denied, "Work ID not found. Use ADHOC- prefix for ad hoc work.";
    DenyWorkBlocked => "DENY_WORK_BLOCKED", Denied, "Work has unresolved blockers. Resolve blockers before claiming.";
    DenyPrereqsIncomplete => "DENY_PREREQS_INCOMPLETE", Denied, "Cannot start: blocking dependencies not complete.";
    DenyWorkCompleted => "DENY_WORK_COMPLETED", Denied, "Work item is completed; completed items cannot be reopened.";
    DenyPhaseFull => "DENY_PHASE_FULL", Denied, "POLICY: Maximum 50 active items per phase.";
    DenyAssignedToOther => "DENY_ASSIGNED_TO_OTHER", Denied, "Work item is assigned to another agent.";
    DenyEvidenceRequired => "DENY_EVIDENCE_REQUIRED", Denied, "A successful release needs evidence recorded on the lease.";
    DenyMissingLease => "DENY_MISSING_LEASE", Denied, "No active lease found.";
    LeaseNotFound => "LEASE_NOT_FOUND", Denied, "Lease not found.";
    ReleasedOk => "RELEASED_OK", Granted, "Lease released successfully.";
    ReleasedIdempotentReplay => "RELEASED_IDEMPOTENT_REPLAY", Granted, "Lease already released (idempotent).";
    ReleasedRollbackUnsupported => "RELEASED_ROLLBACK_UNSUPPORTED", Granted, "Rollback requested but unsupported.";
    OverrideForceRelease => "OVERRIDE_FORCE_RELEASE", Granted, "Force released by operator.";
    HandedOff => "HANDED_OFF", Granted, "Work handed off to another agent.";
    DenyNoReadyWork => "DENY_NO_READY_WORK", Denied, "No ready work item matches; nothing was claimed.";
}

impl Serialize for ReasonCode {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(self.as_str())
    }
}

impl schemars::JsonSchema for ReasonCode {
    fn schema_name() -> std::borrow::Cow<'static, str> {
        "ReasonCode".into()
    }
    fn json_schema(_: &mut schemars::SchemaGenerator) -> schemars::Schema {
        let codes: Vec<&str> = ReasonCode::ALL.iter().map(|c| c.as_str()).collect();
        schemars::json_schema!({"type": "string", "enum": codes})
    }
}

impl std::fmt::Display for ReasonCode {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

/// The holder of a conflicting lease.
#[derive(Debug, Clone, PartialEq, Serialize, schemars::JsonSchema)]
pub struct Owner {
    pub agent_id: String,
    pub lease_id: Option<String>,
}

/// The original's `Decision` object: verdict, code, message and the context around them.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Decision {
    pub decision: Verdict,
    pub reason_code: ReasonCode,
    pub human_message: &'static str,
    pub policy_rules_fired: Vec<&'static str>,
    pub owner: Option<Owner>,
    pub suggested_next_actions: Vec<String>,
    pub ttl_remaining_s: Option<i64>,
}

impl Decision {
    pub fn new(code: ReasonCode, rules: &[&'static str]) -> Self {
        Decision {
            decision: code.verdict(),
            reason_code: code,
            human_message: code.human_message(),
            policy_rules_fired: rules.to_vec(),
            owner: None,
            suggested_next_actions: Vec::new(),
            ttl_remaining_s: None,
        }
    }
    pub fn with_actions(mut self, actions: &[&str]) -> Self {
        self.suggested_next_actions = actions.iter().map(|s| s.to_string()).collect();
        self
    }
    pub fn is_granted(&self) -> bool {
        self.decision == Verdict::Granted
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn codes_round_trip_and_keep_the_original_messages() {
        for code in ReasonCode::ALL {
            assert_eq!(ReasonCode::parse(code.as_str()), Some(*code));
        }
        assert_eq!(
            ReasonCode::DenyInvalidWorkId.human_message(),
            "Work ID not found. Use ADHOC- prefix for ad hoc work."
        );
        assert_eq!(
            ReasonCode::ReleasedIdempotentReplay.verdict(),
            Verdict::Granted
        );
        assert_eq!(
            serde_json::to_value(Decision::new(ReasonCode::BusyWriteHeld, &[])).unwrap()
                ["reason_code"],
            "BUSY_WRITE_HELD"
        );
    }
}
