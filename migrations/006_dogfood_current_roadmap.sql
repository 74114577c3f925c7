-- 006_dogfood_current_roadmap
--
-- What: nothing. In motusos 0.3.x this migration is an empty placeholder
-- (the roadmap it once synchronised is no longer seeded).
--
-- Why: keeps the version numbering and the ledger identical to the
-- original, so a database written by the original and one written by this
-- project list the same 20 migrations.

-- UP

-- (no statements)

-- DOWN

-- (nothing to undo)
