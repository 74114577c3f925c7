//! Statements the client never sends. dqlite 1.11.1 (Debian bookworm) crashes its leader
//! on `INSERT … RETURNING` (an assertion in its VFS) and on `PRAGMA journal_mode=…` (one
//! client sending it to each leader in turn took a 3-node cluster down), so both are
//! refused here, before any byte reaches a node.
//!
//! The check tokenizes SQL the way SQLite does for what matters here: it skips comments
//! and string literals, and reads quoted identifiers (`"x"`, `[x]`, `` `x` ``) as names, so
//! `PRAGMA "journal_mode" = delete` is caught and `SELECT 'returning'` is not.

use crate::error::{ClientError, Result};

#[derive(Debug, PartialEq)]
enum Token {
    /// A bare word, lowercased.
    Word(String),
    /// A quoted identifier or a string literal, unquoted (SQLite accepts both as a
    /// pragma name).
    Quoted(String),
    Punct(char),
}

fn tokens(sql: &str) -> Vec<Token> {
    let chars: Vec<char> = sql.chars().collect();
    let mut out = Vec::new();
    let mut i = 0;
    while i < chars.len() {
        let c = chars[i];
        if c.is_whitespace() {
            i += 1;
        } else if c == '-' && chars.get(i + 1) == Some(&'-') {
            while i < chars.len() && chars[i] != '\n' {
                i += 1;
            }
        } else if c == '/' && chars.get(i + 1) == Some(&'*') {
            i += 2;
            while i < chars.len() && !(chars[i] == '*' && chars.get(i + 1) == Some(&'/')) {
                i += 1;
            }
            i += 2;
        } else if c == '\'' || c == '"' || c == '`' || c == '[' {
            let close = if c == '[' { ']' } else { c };
            let mut text = String::new();
            i += 1;
            while i < chars.len() {
                if chars[i] == close {
                    // A doubled quote is an escaped quote (not inside [...]).
                    if close != ']' && chars.get(i + 1) == Some(&close) {
                        text.push(close);
                        i += 2;
                        continue;
                    }
                    break;
                }
                text.push(chars[i]);
                i += 1;
            }
            i += 1;
            out.push(Token::Quoted(text.to_lowercase()));
        } else if c.is_alphanumeric() || c == '_' || c == '$' || !c.is_ascii() {
            let start = i;
            while i < chars.len()
                && (chars[i].is_alphanumeric()
                    || chars[i] == '_'
                    || chars[i] == '$'
                    || !chars[i].is_ascii())
            {
                i += 1;
            }
            let word: String = chars[start..i].iter().collect();
            out.push(Token::Word(word.to_lowercase()));
        } else {
            out.push(Token::Punct(c));
            i += 1;
        }
    }
    out
}

fn name(t: Option<&Token>) -> Option<&str> {
    match t {
        Some(Token::Word(w)) | Some(Token::Quoted(w)) => Some(w),
        _ => None,
    }
}

/// Whether `sql` is at most one statement (only `;` after it): such SQL can be prepared
/// once and run again; a script goes through EXEC_SQL. Conservative: a trigger body's
/// inner `;` counts as more than one.
pub fn single_statement(sql: &str) -> bool {
    let toks = tokens(sql);
    match toks.iter().position(|t| *t == Token::Punct(';')) {
        None => true,
        Some(i) => toks[i..].iter().all(|t| *t == Token::Punct(';')),
    }
}

/// Whether a query selects `*` or `table.*`: its result's shape follows the schema. A
/// dqlite 1.11 node reads a prepared statement's columns before the step that re-plans
/// it after a schema change, so a cached `SELECT *` would return the old shape (measured
/// here: after `ALTER TABLE … ADD COLUMN`, the old column names and rows cut to them).
/// Such queries are never cached, and the client makes the node reload its schema
/// before each (the same happens to SQL sent as text after another connection changed
/// the schema); an explicit column list keeps its shape.
pub fn selects_star(sql: &str) -> bool {
    let toks = tokens(sql);
    toks.iter().enumerate().any(|(i, t)| {
        *t == Token::Punct('*')
            && i > 0
            && match &toks[i - 1] {
                Token::Word(w) => matches!(w.as_str(), "select" | "distinct" | "all"),
                Token::Punct(p) => *p == ',' || *p == '.',
                Token::Quoted(_) => false,
            }
    })
}

/// Refuses SQL that would crash a dqlite 1.11 leader.
pub fn check(sql: &str) -> Result<()> {
    let toks = tokens(sql);
    for (i, t) in toks.iter().enumerate() {
        match t {
            Token::Word(w) if w == "returning" => {
                return Err(ClientError::Refused {
                    message: "a statement with RETURNING crashes dqlite 1.11 nodes; run the write, then SELECT what it wrote in the same transaction".into(),
                });
            }
            Token::Word(w) if w == "pragma" => {
                // PRAGMA [schema .] name
                let mut pragma = name(toks.get(i + 1));
                if toks.get(i + 2) == Some(&Token::Punct('.')) {
                    pragma = name(toks.get(i + 3));
                }
                if pragma == Some("journal_mode") {
                    return Err(ClientError::Refused {
                        message: "PRAGMA journal_mode crashes dqlite 1.11 nodes, and a cluster's journal is the nodes' business (always WAL); it is never sent".into(),
                    });
                }
            }
            _ => {}
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::{check, selects_star, single_statement};

    #[test]
    fn finds_star_result_columns_only() {
        for sql in [
            "SELECT * FROM t",
            "select distinct * from t",
            "SELECT a, * FROM t",
            "SELECT t.* FROM t",
            "SELECT \"x\".* FROM x",
        ] {
            assert!(selects_star(sql), "{sql}");
        }
        for sql in [
            "SELECT count(*) FROM t",
            "SELECT a*b, a * 2 FROM t",
            "SELECT '*' FROM t",
            "SELECT a FROM t -- *",
        ] {
            assert!(!selects_star(sql), "{sql}");
        }
    }

    #[test]
    fn tells_one_statement_from_a_script() {
        for sql in [
            "SELECT 1",
            "SELECT 1;",
            "SELECT ';' ; ;",
            "INSERT INTO t VALUES ('a;b') -- ;x",
        ] {
            assert!(single_statement(sql), "{sql}");
        }
        for sql in [
            "SELECT 1; SELECT 2",
            "BEGIN; COMMIT",
            "CREATE TRIGGER t AFTER INSERT ON x BEGIN SELECT 1; END",
        ] {
            assert!(!single_statement(sql), "{sql}");
        }
    }

    fn refused(sql: &str) -> bool {
        check(sql).is_err()
    }

    #[test]
    fn refuses_returning_in_any_spelling() {
        for sql in [
            "INSERT INTO t(a) VALUES (1) RETURNING id",
            "insert into t values(1) returning *",
            "UPDATE t SET a = 2 ReTuRnInG a",
            "DELETE FROM t\nRETURNING\t*",
            "INSERT INTO t VALUES (1)/* c */RETURNING a",
            "SELECT 1; INSERT INTO t VALUES(1) RETURNING a;",
        ] {
            assert!(refused(sql), "{sql}");
        }
    }

    #[test]
    fn refuses_journal_mode_in_any_spelling() {
        for sql in [
            "PRAGMA journal_mode=DELETE",
            "pragma journal_mode = wal",
            "PRAGMA main.journal_mode=DELETE",
            "PRAGMA \"journal_mode\" = delete",
            "PRAGMA [JOURNAL_MODE]",
            "PRAGMA 'journal_mode'='delete'",
            "PRAGMA main . `journal_mode`",
            "  -- leading comment\n PRAGMA /* x */ journal_mode",
            "PRAGMA journal_mode",
            "SELECT 1; PRAGMA journal_mode=MEMORY",
        ] {
            assert!(refused(sql), "{sql}");
        }
    }

    #[test]
    fn lets_everything_else_through() {
        for sql in [
            "SELECT 'returning' AS x",
            "SELECT \"returning\" FROM t",
            "INSERT INTO t(note) VALUES ('PRAGMA journal_mode=DELETE')",
            "-- RETURNING in a comment\nSELECT 1",
            "/* PRAGMA journal_mode */ SELECT 1",
            "SELECT returning_count FROM t",
            "PRAGMA foreign_keys = ON",
            "PRAGMA journal_size_limit",
            "SELECT 'it''s returning'",
            "CREATE TABLE t(id INTEGER PRIMARY KEY, journal_mode TEXT)",
        ] {
            assert!(!refused(sql), "{sql}");
        }
    }
}
