"""`motus mcp` driven by the official MCP Python SDK over stdio: the handshake, every tool's
schemas, the quickstart cycle checked afterwards with the binary, the error paths, honest
lease expiry, and 8 concurrent sessions racing claim_next.

The SDK validates every successful tool result against the tool's declared output schema
(ClientSession.call_tool raises when the structured content does not conform), so every call
below is also a schema check."""

import json
import time

import anyio
import pytest
from jsonschema.validators import validator_for

KERNEL_TOOLS = {
    "claim",
    "claim_next",
    "context",
    "outcome",
    "evidence",
    "decision",
    "release",
    "heartbeat",
    "handoff",
    "block",
    "unblock",
    "status",
    "list",
    "verify",
}
ROADMAP_TOOLS = {
    "roadmap_ready",
    "roadmap_blocked",
    "roadmap_why",
    "roadmap_show",
    "roadmap_add",
    "roadmap_dep_add",
}


async def call(s, name: str, args: dict | None = None) -> tuple[bool, dict]:
    """Calls a tool; returns (is_error, the structured document)."""
    res = await s.call_tool(name, args or {})
    doc = res.structured_content
    assert isinstance(doc, dict), f"{name}: no structured content: {res}"
    # The text content is the same document (for clients that only read text).
    assert json.loads(res.content[0].text) == doc
    assert doc["ok"] is (not res.is_error) or "reason_code" in doc or "accepted" in doc, doc
    return bool(res.is_error), doc


def run(coro_fn, *args):
    return anyio.run(coro_fn, *args)


def test_initialize_lists_every_tool_with_valid_input_and_output_schemas(home):
    async def main():
        async with home.session() as s:
            tools = (await s.list_tools()).tools
            names = {t.name for t in tools}
            assert names == KERNEL_TOOLS | ROADMAP_TOOLS, names ^ (KERNEL_TOOLS | ROADMAP_TOOLS)
            for t in tools:
                assert t.description, t.name
                for schema in (t.input_schema, t.output_schema):
                    assert schema is not None and schema.get("type") == "object", (t.name, schema)
                    validator_for(schema).check_schema(schema)
                assert "ok" in t.output_schema["properties"], t.name
                assert "ok" in t.output_schema.get("required", []), t.name
                # Unknown arguments are refused, so the schema says so too.
                assert t.input_schema.get("additionalProperties") is False, t.name
            prompts = (await s.list_prompts()).prompts
            assert [p.name for p in prompts] == ["motus-agent-guide"]
            guide = (await s.get_prompt("motus-agent-guide")).messages[0].content.text
            return guide

    guide = run(main)
    code, doc = home.cli("prime")
    assert code == 0 and doc["guide"] == guide
    for tool in KERNEL_TOOLS | ROADMAP_TOOLS:
        assert f"`{tool}`" in guide, f"the guide does not name {tool}"


def test_the_quickstart_cycle_through_tools_is_in_the_database(home):
    async def main():
        async with home.session(agent="quick") as s:
            err, claim = await call(s, "claim", {"work_id": "ADHOC-TASK-001", "intent": "My first task"})
            assert not err and claim["ok"] and claim["reason_code"] == "GRANTED_OK", claim
            assert claim["agent_id"] == "quick"
            lease = claim["lease_id"]
            err, ctx = await call(s, "context", {"lease_id": lease})
            assert not err and ctx["ok"], ctx
            err, ev = await call(
                s, "evidence", {"lease_id": lease, "evidence_type": "test_result", "passed": 3}
            )
            assert not err and ev["accepted"] and ev["evidence_id"], ev
            err, dec = await call(
                s, "decision", {"lease_id": lease, "decision": "Use the ADHOC- prefix for ad hoc work"}
            )
            assert not err and dec["accepted"], dec
            err, out = await call(
                s, "outcome", {"lease_id": lease, "outcome_type": "file", "path": "src/lib.rs"}
            )
            assert not err and out["accepted"], out
            err, rel = await call(s, "release", {"lease_id": lease, "outcome": "success"})
            assert not err and rel["ok"] and rel["reason_code"] == "RELEASED_OK", rel
            err, st = await call(s, "status", {"lease_id": lease})
            assert not err and st["lease_status"] == "released", st
            err, ver = await call(s, "verify", {"target": lease})
            assert not err and ver["ok"] and ver["checked"] == 1, ver
            err, ls = await call(s, "list", {"all": True})
            assert not err and ls["count"] == 1, ls
            return lease

    lease = run(main)
    # The database as the binary sees it afterwards.
    code, st = home.cli("work", "status", lease)
    assert code == 0 and st["lease_status"] == "released", st
    assert len(st["evidence"]) == 1 and len(st["decisions"]) == 1 and len(st["outcomes"]) == 1, st
    code, ver = home.cli("work", "verify", lease)
    assert code == 0 and ver["failed"] == 0, ver
    code, item = home.cli("roadmap", "show", "ADHOC-TASK-001")
    assert code == 0 and item["item"]["status_key"] == "completed", item
    code, doctor = home.cli("doctor")
    assert code == 0, doctor


def test_roadmap_tools_plan_with_dependencies_and_claim_next_follows_them(home):
    async def main():
        async with home.session(agent="planner") as s:
            for id_, deps in [("PARSER", []), ("LEXER", []), ("REL", ["PARSER", "LEXER"])]:
                err, doc = await call(
                    s, "roadmap_add", {"title": id_, "phase": "phase_a", "id": id_, "depends_on": deps}
                )
                assert not err and doc["id"] == id_, doc
                assert [e["depends_on_id"] for e in doc["depends_on"]] == deps
            err, ready = await call(s, "roadmap_ready")
            assert [i["id"] for i in ready["items"]] == ["PARSER", "LEXER"], ready
            err, blocked = await call(s, "roadmap_blocked")
            assert [i["id"] for i in blocked["items"]] == ["REL"], blocked
            err, why = await call(s, "roadmap_why", {"id": "REL"})
            assert not why["ready"] and sorted(why["roots"]) == ["LEXER", "PARSER"], why
            err, show = await call(s, "roadmap_show", {"id": "REL"})
            assert show["item"]["id"] == "REL" and not show["ready"], show
            assert {e["depends_on_id"] for e in show["depends_on"]} == {"PARSER", "LEXER"}
            err, edge = await call(s, "roadmap_dep_add", {"item": "LEXER", "depends_on": "PARSER"})
            assert not err and edge["dependency_type"] == "blocks", edge
            got = []
            for _ in range(2):
                err, c = await call(s, "claim_next")
                assert c["ok"], c
                got.append(c["work_id"])
                ev = await call(s, "evidence", {"lease_id": c["lease_id"], "evidence_type": "test_result", "passed": 1})
                assert ev[1]["accepted"]
                rel = await call(s, "release", {"lease_id": c["lease_id"], "outcome": "success"})
                assert rel[1]["ok"], rel
            assert got == ["PARSER", "LEXER"]
            err, c = await call(s, "claim_next", {"phase": "phase_b"})
            assert not err and not c["ok"] and c["reason_code"] == "DENY_NO_READY_WORK", c
            err, c = await call(s, "claim_next")
            assert c["work_id"] == "REL", c

    run(main)


def test_every_error_path_returns_the_contract_code_and_writes_nothing(home):
    async def main():
        async with home.session(agent="err") as s:
            err, c = await call(s, "claim", {"work_id": "ADHOC-E", "intent": "x"})
            lease = c["lease_id"]
            errors = [
                ("claim", {"work_id": "ADHOC-E", "bogus": 1}, "invalid_input"),
                ("claim", {}, "invalid_input"),
                ("claim", {"work_id": "ADHOC-F", "mode": "exclusive"}, "invalid_input"),
                ("evidence", {"lease_id": lease, "evidence_type": "vibes"}, "invalid_input"),
                ("evidence", {"lease_id": lease, "evidence_type": "log", "bogus": 1}, "invalid_input"),
                ("evidence", {"evidence_type": "log"}, "invalid_input"),
                ("evidence", {"lease_id": lease, "evidence_type": "test_result", "passed": -1}, "invalid_input"),
                ("release", {"lease_id": lease, "outcome": "great"}, "invalid_input"),
                ("context", {"lease_id": "not-a-lease"}, "invalid_input"),
                ("decision", {"lease_id": lease, "decision": "x", "decision_type": "coin_flip"}, "invalid_input"),
                ("unblock", {"blocker_id": "blocker-nope", "resolution": "r"}, "not_found"),
                ("roadmap_show", {"id": "NOPE"}, "not_found"),
                ("roadmap_why", {"id": "NOPE"}, "not_found"),
                ("roadmap_add", {"title": "x", "phase": "phase_zz"}, "invalid_input"),
                ("roadmap_add", {"title": "x", "phase": "phase_a", "depends_on": ["NOPE"]}, "not_found"),
                ("roadmap_dep_add", {"item": "NOPE", "depends_on": "ADHOC-E"}, "not_found"),
                ("roadmap_ready", {"limit": "many"}, "invalid_input"),
            ]
            for name, args, code in errors:
                err, doc = await call(s, name, args)
                assert err, (name, args, doc)
                assert doc == {"ok": False, "error": doc["error"]} or doc["ok"] is False, doc
                assert doc["error"]["code"] == code, (name, args, doc)
                assert doc["error"]["message"], doc
            # A cycle is refused by the rule, and the message names it.
            for id_ in ("A", "B"):
                await call(s, "roadmap_add", {"title": id_, "phase": "phase_a", "id": id_})
            await call(s, "roadmap_dep_add", {"item": "A", "depends_on": "B"})
            err, doc = await call(s, "roadmap_dep_add", {"item": "B", "depends_on": "A"})
            assert err and doc["error"]["code"] == "kernel_rule", doc
            assert "B -> A -> B" in doc["error"]["message"], doc
            # Refused verdicts are answers, not tool errors: ok false and a reason code.
            verdicts = [
                ("claim", {"work_id": "TASK-NOPE"}, "DENY_INVALID_WORK_ID"),
                ("claim", {"work_id": "ADHOC-E", "ttl_s": 0}, "DENY_INVALID_TTL"),
                ("context", {"lease_id": "lease-20260101-deadbeef"}, "DENY_MISSING_LEASE"),
                ("heartbeat", {"lease_id": "lease-20260101-deadbeef"}, "LEASE_NOT_FOUND"),
            ]
            for name, args, reason in verdicts:
                err, doc = await call(s, name, args)
                assert not err and doc["ok"] is False and doc["reason_code"] == reason, (name, doc)
            # An unknown tool is a protocol error the SDK raises.
            with pytest.raises(Exception):
                await s.call_tool("drop_database", {})
            return lease

    lease = run(main)
    # Nothing the refused calls sent was written.
    code, st = home.cli("work", "status", lease)
    assert st["lease_status"] == "active" and st["evidence"] == [] and st["decisions"] == [], st
    code, items = home.cli("roadmap", "list")
    assert sorted(i["id"] for i in items["items"]) == ["A", "ADHOC-E", "B"], items


def test_a_session_lease_expires_unless_the_agent_heartbeats(home):
    async def main():
        async with home.session(agent="slow") as s:
            err, a = await call(s, "claim", {"work_id": "ADHOC-SLOW", "ttl_s": 1})
            err, b = await call(s, "claim", {"work_id": "ADHOC-BEAT", "ttl_s": 2})
            assert a["ok"] and b["ok"], (a, b)
            await anyio.sleep(1.0)
            err, hb = await call(s, "heartbeat", {"lease_id": b["lease_id"], "ttl_s": 5})
            assert hb["ok"] and hb["reason_code"] == "GRANTED_OK", hb
            await anyio.sleep(1.5)
            # The session stayed open and busy, yet nothing renewed the first lease.
            err, ctx = await call(s, "context", {"lease_id": a["lease_id"]})
            assert not ctx["ok"] and ctx["reason_code"] == "DENY_MISSING_LEASE", ctx
            err, ctx = await call(s, "context", {"lease_id": b["lease_id"]})
            assert ctx["ok"], ctx
            return a["lease_id"], b["lease_id"]

    expired, renewed = run(main)
    assert home.cli("work", "status", expired)[1]["lease_status"] == "expired"
    assert home.cli("work", "status", renewed)[1]["lease_status"] == "active"


def test_eight_concurrent_sessions_get_each_ready_item_exactly_once(home):
    items = [f"ITEM-{i:02d}" for i in range(12)]
    for i, id_ in enumerate(items):
        code, _ = home.cli("roadmap", "add", id_, "--phase", "phase_a", "--id", id_, "--rank", str(12 - i))
        assert code == 0
    got: dict[str, list[str]] = {}
    refusals: dict[str, int] = {}

    async def agent(n: int):
        name = f"agent-{n}"
        got[name] = []
        async with home.session(agent=name) as s:
            while True:
                err, doc = await call(s, "claim_next")
                assert not err, doc
                if not doc["ok"]:
                    assert doc["reason_code"] == "DENY_NO_READY_WORK", doc
                    refusals[name] = refusals.get(name, 0) + 1
                    return
                got[name].append(doc["work_id"])

    async def main():
        async with anyio.create_task_group() as tg:
            for n in range(8):
                tg.start_soon(agent, n)

    run(main)
    granted = [w for ws in got.values() for w in ws]
    assert sorted(granted) == sorted(items), got
    assert len(set(granted)) == len(granted), got
    assert refusals == {f"agent-{n}": 1 for n in range(8)}, refusals
    code, leases = home.cli("work", "list")
    assert leases["count"] == 12, leases
    holders = {(l["work_id"], l["agent_id"]) for l in leases["items"]}
    assert holders == {(w, a) for a, ws in got.items() for w in ws}
