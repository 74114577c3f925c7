-- 018_add_standards_doc_path
--
-- What: standards.doc_path TEXT - path of the document that explains a
-- standard.
--
-- Why: schema-compatible with motusos 0.3.x migration 018.

-- UP

ALTER TABLE standards ADD COLUMN doc_path TEXT;

-- DOWN

-- Comment only: the column is not removed automatically.
