//! The agent guide: what `motus prime` prints and the MCP server's prompt
//! `motus-agent-guide` returns (one text, so the two never drift). A test checks that
//! every tool and every reason code it names exists.

/// The server's `instructions` (shown by clients at connection time): the loop in brief.
pub const INSTRUCTIONS: &str = "Motus coordinates agent work in one SQLite database. Loop: \
claim_next (or claim WORK_ID) -> context -> do the work (heartbeat before expires_at) -> \
evidence -> release. Every answer has `ok`; a refusal carries `reason_code` and \
`suggested_next_actions`. The prompt motus-agent-guide has the full guide.";

/// The guide. Keep it short and exact: agents paste it into their instructions.
pub const GUIDE: &str = r#"# Working with Motus

Motus records who works on what, what was decided and what proves it, in one SQLite file
shared by every agent. Use it through the MCP tools (server: `motus mcp`) or the CLI
(`motus --json work ...`); both give the same answers. Every answer has `ok`: true when the
call did what you asked. A refusal has `ok: false`, a `reason_code`, a `message` and
`suggested_next_actions` with real ids.

## The loop

1. Get work: `claim_next` (CLI `motus work claim --next`), optionally with `phase`,
   `item_type` or `assignee`. It picks the first ready item by rank and claims it in one
   step; keep its `lease_id` and `work_id`. For a named item: `claim` with `work_id`
   (`ADHOC-<name>` creates ad hoc work).
2. Read it: `context` with the `lease_id` — the item, prerequisites, blockers, and what is
   already recorded.
3. Do the work. The lease holds until `expires_at` (default one hour) and nothing renews
   it for you: call `heartbeat` before it runs out (every half ttl is safe).
4. Record as you go: `evidence` (`test_result` with passed/failed/skipped, `diff`, `log`,
   `build_artifact` with a file...), `decision` for a choice you made and why, `outcome`
   for a file or artifact you produced.
5. Finish: `release` with `success` (after evidence: the item is completed), `failure`,
   `partial` (someone should continue) or `aborted`. Then go back to 1.

If you cannot go on: `block` the item (reason_code such as `missing_info`,
`missing_approval`, `external_wait`; a title; what you `needs`), then `release` with
`failure` or `partial`. Passing work to a named agent: `handoff` with a reason.
To plan: `roadmap_add` (with `depends_on`), `roadmap_dep_add`; to look: `roadmap_ready`,
`roadmap_blocked`, `roadmap_why`, `roadmap_show`, `status`, `list`, `verify`.

## Reason codes and what to do

| reason_code | do this |
|---|---|
| GRANTED_OK | go on with the `lease_id` you got |
| DENY_NO_READY_WORK | nothing ready matches: `roadmap_blocked` / `roadmap_why` to see what waits, or stop |
| BUSY_WRITE_HELD, BUSY_READERS_PRESENT | another lease holds it (`owner`): take other work with `claim_next`; if the owner is you, use your lease |
| BUSY_WORK_IN_PROGRESS | another agent works on the item: take other work, or ask the owner for a `handoff` |
| DENY_WORK_BLOCKED | open blockers: resolve one with `unblock` (resolution plus evidence or a waiver), or take other work |
| DENY_PREREQS_INCOMPLETE | `missing_prereqs` lists what must finish first: work on those |
| DENY_WORK_COMPLETED | already done: take other work |
| DENY_PHASE_FULL | 50 ad hoc items are in progress: release or finish some first |
| DENY_ASSIGNED_TO_OTHER | the item is assigned to another agent (`owner` names them): take other work; `override_assignment` only when you are meant to take it over |
| DENY_EVIDENCE_REQUIRED | a `success` release needs evidence: record it with `evidence`, then release again (or release `partial`/`failure`) |
| DENY_MISSING_LEASE | your lease is no longer active (expired or released): claim again |
| LEASE_NOT_FOUND | that `lease_id` does not exist: use the one your claim returned |
| DENY_INVALID_WORK_ID, DENY_INVALID_AGENT_ID, DENY_INVALID_TTL, DENY_INVALID_RESOURCES | fix that argument and call again |
| RELEASED_OK, RELEASED_IDEMPOTENT_REPLAY, RELEASED_ROLLBACK_UNSUPPORTED | released; read `warnings` |
| HANDED_OFF | the other agent now holds the work on a new lease |

A call that cannot run at all is a tool error (CLI: exit 1 or 2) with
`{"ok": false, "error": {"code", "message"}}`: `invalid_input` (fix the arguments: the
message says what is accepted), `not_found` (a wrong id), `kernel_rule` (a rule refused the
write; the message names it), `busy` (the database was locked: retry). Nothing was written.
"#;

#[cfg(test)]
mod tests {
    use super::*;
    use motus_core::kernel::ReasonCode;

    #[test]
    fn every_reason_code_named_in_the_guide_exists_and_the_common_ones_are_there() {
        for word in GUIDE.split(|c: char| !(c.is_ascii_uppercase() || c == '_')) {
            let looks_like_code = word.len() > 6
                && word.contains('_')
                && ["GRANTED", "DENY", "BUSY", "LEASE", "RELEASED", "HANDED"]
                    .iter()
                    .any(|p| word.starts_with(p));
            if looks_like_code {
                assert!(ReasonCode::parse(word).is_some(), "guide names {word}");
            }
        }
        for code in ReasonCode::ALL {
            // Operator-only and rarely-seen codes may stay out; the agent-facing ones not.
            if matches!(
                code,
                ReasonCode::DenyPolicy | ReasonCode::OverrideForceRelease
            ) {
                continue;
            }
            assert!(GUIDE.contains(code.as_str()), "guide misses {code}");
        }
    }

    #[test]
    fn the_guide_names_every_tool_and_only_tools_that_exist() {
        let registry = super::super::tools::registry();
        let names = registry.names();
        for name in &names {
            assert!(
                GUIDE.contains(&format!("`{name}`")),
                "guide misses tool {name}"
            );
        }
        for word in GUIDE.split('`').skip(1).step_by(2) {
            if word.starts_with("roadmap_") || word.starts_with("claim") {
                assert!(
                    names.contains(&word),
                    "guide names tool {word}, which does not exist"
                );
            }
        }
    }
}
