//! The bytes on the wire: message framing, the request bodies we send and the response
//! bodies we read (dqlite wire protocol, version 1).
//!
//! Everything is a sequence of 8-byte little-endian words. A message is one header word
//! (body size in words: 4 bytes; type: 1 byte; schema revision: 1 byte; 2 unused bytes)
//! and a body. Text is NUL-terminated and zero-padded to a word boundary; a blob is its
//! length word followed by its bytes, padded. Statement parameters travel as a tuple whose
//! header holds a count byte and one type byte per value; rows come back as tuples whose
//! header holds one 4-bit type code per column.

use crate::error::{ClientError, Result};

/// The protocol version sent in the handshake.
pub const PROTOCOL_VERSION: u64 = 1;

/// Ends a ROWS response when the result set is complete.
pub const ROWS_DONE: u64 = 0xffff_ffff_ffff_ffff;
/// Ends a ROWS response when more rows follow in another ROWS response.
pub const ROWS_PART: u64 = 0xeeee_eeee_eeee_eeee;

/// The largest response body we accept (a corrupt header must not make us allocate
/// gigabytes). dqlite sends rows in batches of about one memory page.
pub const MAX_BODY_BYTES: usize = 256 * 1024 * 1024;

/// The parameter tuple's count is one byte in schema revision 0.
pub const MAX_PARAMS: usize = 255;

mod code {
    pub const LEADER: u8 = 0;
    pub const CLIENT: u8 = 1;
    pub const OPEN: u8 = 3;
    pub const PREPARE: u8 = 4;
    pub const EXEC: u8 = 5;
    pub const QUERY: u8 = 6;
    pub const FINALIZE: u8 = 7;
    pub const EXEC_SQL: u8 = 8;
    pub const QUERY_SQL: u8 = 9;
    pub const INTERRUPT: u8 = 10;
    pub const ADD: u8 = 12;
    pub const ASSIGN: u8 = 13;
    pub const REMOVE: u8 = 14;
    pub const CLUSTER: u8 = 16;
    pub const TRANSFER: u8 = 17;

    pub const R_FAILURE: u8 = 0;
    pub const R_SERVER: u8 = 1;
    pub const R_WELCOME: u8 = 2;
    pub const R_SERVERS: u8 = 3;
    pub const R_DB: u8 = 4;
    pub const R_STMT: u8 = 5;
    pub const R_RESULT: u8 = 6;
    pub const R_ROWS: u8 = 7;
    pub const R_EMPTY: u8 = 8;
}

/// Value type codes (SQLite's, plus dqlite's special ones).
mod vtype {
    pub const INTEGER: u8 = 1;
    pub const FLOAT: u8 = 2;
    pub const TEXT: u8 = 3;
    pub const BLOB: u8 = 4;
    pub const NULL: u8 = 5;
    pub const UNIXTIME: u8 = 9;
    pub const ISO8601: u8 = 10;
    pub const BOOLEAN: u8 = 11;
}

/// One SQLite value as it crosses the wire.
#[derive(Debug, Clone, PartialEq)]
pub enum Value {
    Null,
    Integer(i64),
    Real(f64),
    Text(String),
    Blob(Vec<u8>),
}

/// A node's role in the cluster.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Role {
    Voter,
    Standby,
    Spare,
}

impl Role {
    pub fn code(self) -> u64 {
        match self {
            Role::Voter => 0,
            Role::Standby => 1,
            Role::Spare => 2,
        }
    }
    pub fn from_code(c: u64) -> Result<Role> {
        match c {
            0 => Ok(Role::Voter),
            1 => Ok(Role::Standby),
            2 => Ok(Role::Spare),
            other => Err(ClientError::protocol(format!("unknown node role {other}"))),
        }
    }
    pub fn name(self) -> &'static str {
        match self {
            Role::Voter => "voter",
            Role::Standby => "standby",
            Role::Spare => "spare",
        }
    }
}

/// One member of the cluster, as CLUSTER reports it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NodeInfo {
    pub id: u64,
    pub address: String,
    pub role: Role,
}

/// A request, ready to be framed.
#[derive(Debug, Clone, PartialEq)]
pub enum Request<'a> {
    Leader,
    Client {
        id: u64,
    },
    Open {
        name: &'a str,
    },
    Prepare {
        db: u32,
        sql: &'a str,
    },
    Exec {
        db: u32,
        stmt: u32,
        params: &'a [Value],
    },
    Query {
        db: u32,
        stmt: u32,
        params: &'a [Value],
    },
    Finalize {
        db: u32,
        stmt: u32,
    },
    ExecSql {
        db: u32,
        sql: &'a str,
        params: &'a [Value],
    },
    QuerySql {
        db: u32,
        sql: &'a str,
        params: &'a [Value],
    },
    Interrupt {
        db: u32,
    },
    Add {
        id: u64,
        address: &'a str,
    },
    Assign {
        id: u64,
        role: Role,
    },
    Remove {
        id: u64,
    },
    Cluster,
    Transfer {
        id: u64,
    },
}

/// One batch of rows (a ROWS response).
#[derive(Debug, Clone, PartialEq, Default)]
pub struct RowBatch {
    pub columns: Vec<String>,
    pub rows: Vec<Vec<Value>>,
    /// Another ROWS response follows with the rest of the result.
    pub more: bool,
}

/// A decoded response.
#[derive(Debug, Clone, PartialEq)]
pub enum Response {
    Failure {
        code: u64,
        message: String,
    },
    Server {
        id: u64,
        address: String,
    },
    Welcome {
        heartbeat_timeout: u64,
    },
    Servers(Vec<NodeInfo>),
    Db {
        id: u32,
    },
    Stmt {
        db: u32,
        id: u32,
        params: u64,
    },
    Result {
        last_insert_id: u64,
        rows_affected: u64,
    },
    Rows(RowBatch),
    Empty,
}

impl Response {
    pub fn kind(&self) -> &'static str {
        match self {
            Response::Failure { .. } => "FAILURE",
            Response::Server { .. } => "SERVER",
            Response::Welcome { .. } => "WELCOME",
            Response::Servers(_) => "SERVERS",
            Response::Db { .. } => "DB",
            Response::Stmt { .. } => "STMT",
            Response::Result { .. } => "RESULT",
            Response::Rows(_) => "ROWS",
            Response::Empty => "EMPTY",
        }
    }
}

fn pad8(n: usize) -> usize {
    n.div_ceil(8) * 8
}

/// Builds a message body word by word.
#[derive(Default)]
struct Body(Vec<u8>);

impl Body {
    fn u64(&mut self, v: u64) {
        self.0.extend_from_slice(&v.to_le_bytes());
    }
    fn u32_pair(&mut self, a: u32, b: u32) {
        self.0.extend_from_slice(&a.to_le_bytes());
        self.0.extend_from_slice(&b.to_le_bytes());
    }
    fn text(&mut self, s: &str) -> Result<()> {
        if s.as_bytes().contains(&0) {
            return Err(ClientError::InvalidInput {
                message: "text containing a NUL byte cannot be sent to a dqlite node (the protocol ends text at the first NUL); send it as a blob".into(),
            });
        }
        let start = self.0.len();
        self.0.extend_from_slice(s.as_bytes());
        self.0.resize(start + pad8(s.len() + 1), 0);
        Ok(())
    }
    fn blob(&mut self, b: &[u8]) {
        self.u64(b.len() as u64);
        let start = self.0.len();
        self.0.extend_from_slice(b);
        self.0.resize(start + pad8(b.len()), 0);
    }
    fn params(&mut self, params: &[Value]) -> Result<()> {
        if params.is_empty() {
            return Ok(());
        }
        if params.len() > MAX_PARAMS {
            return Err(ClientError::InvalidInput {
                message: format!(
                    "{} parameters in one statement; a dqlite statement takes at most {MAX_PARAMS}",
                    params.len()
                ),
            });
        }
        // Header: count byte, one type byte per value, zero-padded to a word boundary.
        let start = self.0.len();
        self.0.push(params.len() as u8);
        for p in params {
            self.0.push(match p {
                Value::Null => vtype::NULL,
                Value::Integer(_) => vtype::INTEGER,
                Value::Real(_) => vtype::FLOAT,
                Value::Text(_) => vtype::TEXT,
                Value::Blob(_) => vtype::BLOB,
            });
        }
        self.0.resize(start + pad8(1 + params.len()), 0);
        for p in params {
            match p {
                Value::Null => self.u64(0),
                Value::Integer(i) => self.u64(*i as u64),
                Value::Real(f) => self.u64(f.to_bits()),
                Value::Text(s) => self.text(s)?,
                Value::Blob(b) => self.blob(b),
            }
        }
        Ok(())
    }
}

/// Frames a request: header word and body.
pub fn encode_request(req: &Request<'_>) -> Result<Vec<u8>> {
    let mut b = Body::default();
    let kind = match req {
        Request::Leader => {
            b.u64(0);
            code::LEADER
        }
        Request::Client { id } => {
            b.u64(*id);
            code::CLIENT
        }
        Request::Open { name } => {
            b.text(name)?;
            b.u64(0); // flags: ignored by the node
            b.text("")?; // vfs: the node's own
            code::OPEN
        }
        Request::Prepare { db, sql } => {
            b.u64(*db as u64);
            b.text(sql)?;
            code::PREPARE
        }
        Request::Exec { db, stmt, params } => {
            b.u32_pair(*db, *stmt);
            b.params(params)?;
            code::EXEC
        }
        Request::Query { db, stmt, params } => {
            b.u32_pair(*db, *stmt);
            b.params(params)?;
            code::QUERY
        }
        Request::Finalize { db, stmt } => {
            b.u32_pair(*db, *stmt);
            code::FINALIZE
        }
        Request::ExecSql { db, sql, params } => {
            b.u64(*db as u64);
            b.text(sql)?;
            b.params(params)?;
            code::EXEC_SQL
        }
        Request::QuerySql { db, sql, params } => {
            b.u64(*db as u64);
            b.text(sql)?;
            b.params(params)?;
            code::QUERY_SQL
        }
        Request::Interrupt { db } => {
            b.u64(*db as u64);
            code::INTERRUPT
        }
        Request::Add { id, address } => {
            b.u64(*id);
            b.text(address)?;
            code::ADD
        }
        Request::Assign { id, role } => {
            b.u64(*id);
            b.u64(role.code());
            code::ASSIGN
        }
        Request::Remove { id } => {
            b.u64(*id);
            code::REMOVE
        }
        Request::Cluster => {
            b.u64(1); // format 1: id, address and role
            code::CLUSTER
        }
        Request::Transfer { id } => {
            b.u64(*id);
            code::TRANSFER
        }
    };
    debug_assert_eq!(b.0.len() % 8, 0);
    let words = u32::try_from(b.0.len() / 8).map_err(|_| ClientError::InvalidInput {
        message: "request too large for one dqlite message".into(),
    })?;
    let mut out = Vec::with_capacity(8 + b.0.len());
    out.extend_from_slice(&words.to_le_bytes());
    out.push(kind);
    out.push(0); // schema revision 0 of every body
    out.extend_from_slice(&[0, 0]);
    out.extend_from_slice(&b.0);
    Ok(out)
}

/// A response header: body size in bytes and type code.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Header {
    pub body_bytes: usize,
    pub kind: u8,
}

pub fn decode_header(h: [u8; 8]) -> Result<Header> {
    let words = u32::from_le_bytes([h[0], h[1], h[2], h[3]]) as usize;
    let body_bytes = words * 8;
    if body_bytes > MAX_BODY_BYTES {
        return Err(ClientError::protocol(format!(
            "response body of {body_bytes} bytes announced (limit {MAX_BODY_BYTES})"
        )));
    }
    Ok(Header {
        body_bytes,
        kind: h[4],
    })
}

/// Reads a body word by word, refusing to run past its end.
struct Cursor<'a> {
    buf: &'a [u8],
    pos: usize,
}

impl<'a> Cursor<'a> {
    fn remaining(&self) -> usize {
        self.buf.len() - self.pos
    }
    fn take(&mut self, n: usize) -> Result<&'a [u8]> {
        if n > self.remaining() {
            return Err(ClientError::protocol(format!(
                "response body ends early (wanted {n} bytes at offset {}, {} left)",
                self.pos,
                self.remaining()
            )));
        }
        let s = &self.buf[self.pos..self.pos + n];
        self.pos += n;
        Ok(s)
    }
    fn peek_u64(&self) -> Result<u64> {
        if self.remaining() < 8 {
            return Err(ClientError::protocol("response body ends early"));
        }
        Ok(u64::from_le_bytes(
            self.buf[self.pos..self.pos + 8].try_into().unwrap(),
        ))
    }
    fn u64(&mut self) -> Result<u64> {
        Ok(u64::from_le_bytes(self.take(8)?.try_into().unwrap()))
    }
    fn u32_pair(&mut self) -> Result<(u32, u32)> {
        let w = self.take(8)?;
        Ok((
            u32::from_le_bytes(w[0..4].try_into().unwrap()),
            u32::from_le_bytes(w[4..8].try_into().unwrap()),
        ))
    }
    fn text(&mut self) -> Result<String> {
        let rest = &self.buf[self.pos..];
        let len = rest
            .iter()
            .position(|&b| b == 0)
            .ok_or_else(|| ClientError::protocol("text without its terminating NUL"))?;
        let bytes = self.take(pad8(len + 1))?;
        Ok(String::from_utf8_lossy(&bytes[..len]).into_owned())
    }
    fn blob(&mut self) -> Result<Vec<u8>> {
        let len = self.u64()? as usize;
        if len > self.remaining() {
            return Err(ClientError::protocol(format!(
                "blob of {len} bytes announced, {} left in the body",
                self.remaining()
            )));
        }
        let bytes = self.take(pad8(len))?;
        Ok(bytes[..len].to_vec())
    }
}

/// Decodes a response body of the given type.
pub fn decode_response(kind: u8, body: &[u8]) -> Result<Response> {
    let mut c = Cursor { buf: body, pos: 0 };
    let r = match kind {
        code::R_FAILURE => Response::Failure {
            code: c.u64()?,
            message: c.text()?,
        },
        code::R_SERVER => Response::Server {
            id: c.u64()?,
            address: c.text()?,
        },
        code::R_WELCOME => Response::Welcome {
            heartbeat_timeout: c.u64()?,
        },
        code::R_SERVERS => {
            let n = c.u64()? as usize;
            // Each node takes at least three words: a count this large is garbage.
            if n > c.remaining() / 24 {
                return Err(ClientError::protocol(format!("{n} servers announced")));
            }
            let mut nodes = Vec::with_capacity(n);
            for _ in 0..n {
                nodes.push(NodeInfo {
                    id: c.u64()?,
                    address: c.text()?,
                    role: Role::from_code(c.u64()?)?,
                });
            }
            Response::Servers(nodes)
        }
        code::R_DB => Response::Db {
            id: c.u32_pair()?.0,
        },
        code::R_STMT => {
            let (db, id) = c.u32_pair()?;
            Response::Stmt {
                db,
                id,
                params: c.u64()?,
            }
        }
        code::R_RESULT => Response::Result {
            last_insert_id: c.u64()?,
            rows_affected: c.u64()?,
        },
        code::R_ROWS => Response::Rows(decode_rows(&mut c)?),
        code::R_EMPTY => Response::Empty,
        other => {
            return Err(ClientError::protocol(format!(
                "unknown response type {other}"
            )))
        }
    };
    Ok(r)
}

fn decode_rows(c: &mut Cursor<'_>) -> Result<RowBatch> {
    let n = c.u64()? as usize;
    if n == 0 || n > c.remaining() / 8 {
        return Err(ClientError::protocol(format!(
            "{n} columns announced in a rows response"
        )));
    }
    let mut columns = Vec::with_capacity(n);
    for _ in 0..n {
        columns.push(c.text()?);
    }
    let header_bytes = pad8(n.div_ceil(2));
    let mut rows = Vec::new();
    loop {
        // A row header never equals a marker: its 4-bit type codes are at most 11.
        match c.peek_u64()? {
            ROWS_DONE | ROWS_PART => {
                let more = c.u64()? == ROWS_PART;
                return Ok(RowBatch {
                    columns,
                    rows,
                    more,
                });
            }
            _ => {}
        }
        let header = c.take(header_bytes)?;
        let mut row = Vec::with_capacity(n);
        for i in 0..n {
            let slot = header[i / 2];
            let t = if i % 2 == 0 { slot & 0x0f } else { slot >> 4 };
            row.push(match t {
                vtype::INTEGER | vtype::UNIXTIME => Value::Integer(c.u64()? as i64),
                vtype::FLOAT => Value::Real(f64::from_bits(c.u64()?)),
                vtype::TEXT => Value::Text(c.text()?),
                // The node sends NULL in a DATETIME-declared column as "".
                vtype::ISO8601 => match c.text()? {
                    s if s.is_empty() => Value::Null,
                    s => Value::Text(s),
                },
                vtype::BLOB => Value::Blob(c.blob()?),
                vtype::NULL => {
                    c.u64()?;
                    Value::Null
                }
                vtype::BOOLEAN => Value::Integer((c.u64()? != 0) as i64),
                other => {
                    return Err(ClientError::protocol(format!(
                        "unknown value type {other} in column {}",
                        columns[i]
                    )))
                }
            });
        }
        rows.push(row);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn words(bytes: &[u8]) -> Vec<u64> {
        bytes
            .chunks(8)
            .map(|w| u64::from_le_bytes(w.try_into().unwrap()))
            .collect()
    }

    #[test]
    fn header_holds_size_in_words_type_and_revision() {
        let m = encode_request(&Request::Leader).unwrap();
        assert_eq!(m.len(), 16);
        assert_eq!(&m[..8], &[1, 0, 0, 0, 0, 0, 0, 0]);
        let m = encode_request(&Request::Client { id: 7 }).unwrap();
        assert_eq!(&m[..8], &[1, 0, 0, 0, 1, 0, 0, 0]);
        assert_eq!(words(&m[8..]), vec![7]);
    }

    #[test]
    fn text_is_nul_terminated_and_padded() {
        // "main" + NUL fits one word; 8 bytes of text need a second word for the NUL.
        let m = encode_request(&Request::Open { name: "main" }).unwrap();
        assert_eq!(&m[8..16], b"main\0\0\0\0");
        assert_eq!(words(&m[16..24]), vec![0]);
        assert_eq!(&m[24..32], &[0u8; 8]);
        assert_eq!(m[0], 3);
        let m = encode_request(&Request::Open { name: "abcdefgh" }).unwrap();
        assert_eq!(&m[8..24], b"abcdefgh\0\0\0\0\0\0\0\0");
    }

    #[test]
    fn text_with_nul_is_refused() {
        let e = encode_request(&Request::QuerySql {
            db: 0,
            sql: "SELECT ?",
            params: &[Value::Text("a\0b".into())],
        })
        .unwrap_err();
        assert!(matches!(e, ClientError::InvalidInput { .. }), "{e}");
    }

    #[test]
    fn params_tuple_has_count_types_and_values() {
        let params = [
            Value::Integer(-2),
            Value::Real(1.5),
            Value::Text("hi".into()),
            Value::Blob(vec![1, 2, 3]),
            Value::Null,
        ];
        let m = encode_request(&Request::Exec {
            db: 0,
            stmt: 9,
            params: &params,
        })
        .unwrap();
        assert_eq!(m[4], 5);
        let body = &m[8..];
        assert_eq!(&body[0..8], &[0, 0, 0, 0, 9, 0, 0, 0]);
        // count 5, then types, padded to one word (1 + 5 bytes < 8).
        assert_eq!(&body[8..16], &[5, 1, 2, 3, 4, 5, 0, 0]);
        let w = words(&body[16..]);
        assert_eq!(w[0] as i64, -2);
        assert_eq!(f64::from_bits(w[1]), 1.5);
        assert_eq!(&body[32..40], b"hi\0\0\0\0\0\0");
        assert_eq!(w[3], 3); // blob length
        assert_eq!(&body[48..56], &[1, 2, 3, 0, 0, 0, 0, 0]);
        assert_eq!(w[5], 0); // null
        assert_eq!(body.len(), 64);
        assert_eq!(u32::from_le_bytes(m[0..4].try_into().unwrap()) as usize, 8);
    }

    #[test]
    fn params_header_grows_past_seven_values() {
        let params = vec![Value::Integer(1); 8];
        let m = encode_request(&Request::QuerySql {
            db: 0,
            sql: "x",
            params: &params,
        })
        .unwrap();
        let body = &m[24..]; // header, db word, "x" word
        assert_eq!(body[0], 8);
        assert_eq!(&body[1..9], &[1; 8]);
        assert_eq!(&body[9..16], &[0; 7]);
        assert_eq!(body.len(), 16 + 8 * 8);
    }

    #[test]
    fn too_many_params_are_refused() {
        let params = vec![Value::Null; 256];
        assert!(encode_request(&Request::ExecSql {
            db: 0,
            sql: "x",
            params: &params
        })
        .is_err());
    }

    #[test]
    fn no_params_means_no_tuple() {
        let m = encode_request(&Request::ExecSql {
            db: 0,
            sql: "BEGIN",
            params: &[],
        })
        .unwrap();
        assert_eq!(m.len(), 8 + 8 + 8);
    }

    #[test]
    fn cluster_asks_for_roles_and_assign_sends_the_role() {
        let m = encode_request(&Request::Cluster).unwrap();
        assert_eq!(m[4], 16);
        assert_eq!(words(&m[8..]), vec![1]);
        let m = encode_request(&Request::Assign {
            id: 3,
            role: Role::Spare,
        })
        .unwrap();
        assert_eq!(words(&m[8..]), vec![3, 2]);
    }

    fn body(ws: &[&[u8]]) -> Vec<u8> {
        ws.concat()
    }
    fn w(v: u64) -> [u8; 8] {
        v.to_le_bytes()
    }

    #[test]
    fn decodes_failure_server_result_and_stmt() {
        let b = body(&[&w(1811), b"no way\0\0"]);
        assert_eq!(
            decode_response(0, &b).unwrap(),
            Response::Failure {
                code: 1811,
                message: "no way".into()
            }
        );
        let b = body(&[&w(2), b"127.0.0.1:9001\0\0"]);
        assert_eq!(
            decode_response(1, &b).unwrap(),
            Response::Server {
                id: 2,
                address: "127.0.0.1:9001".into()
            }
        );
        let b = body(&[&w(10), &w(1)]);
        assert_eq!(
            decode_response(6, &b).unwrap(),
            Response::Result {
                last_insert_id: 10,
                rows_affected: 1
            }
        );
        let b = body(&[&[0, 0, 0, 0, 4, 0, 0, 0], &w(2)]);
        assert_eq!(
            decode_response(5, &b).unwrap(),
            Response::Stmt {
                db: 0,
                id: 4,
                params: 2
            }
        );
    }

    #[test]
    fn decodes_servers_with_roles() {
        let b = body(&[
            &w(2),
            &w(1),
            b"a:1\0\0\0\0\0",
            &w(0),
            &w(2),
            b"b:2\0\0\0\0\0",
            &w(2),
        ]);
        assert_eq!(
            decode_response(3, &b).unwrap(),
            Response::Servers(vec![
                NodeInfo {
                    id: 1,
                    address: "a:1".into(),
                    role: Role::Voter
                },
                NodeInfo {
                    id: 2,
                    address: "b:2".into(),
                    role: Role::Spare
                },
            ])
        );
    }

    #[test]
    fn decodes_rows_of_every_type_and_the_markers() {
        // 3 columns; row 1: integer, text, null; row 2: float, blob, iso8601 "" (NULL).
        let b = body(&[
            &w(3),
            b"a\0\0\0\0\0\0\0",
            b"b\0\0\0\0\0\0\0",
            b"c\0\0\0\0\0\0\0",
            &[0x31, 0x05, 0, 0, 0, 0, 0, 0],
            &w((-5i64) as u64),
            b"xy\0\0\0\0\0\0",
            &w(0),
            &[0x42, 0x0a, 0, 0, 0, 0, 0, 0],
            &w(2.25f64.to_bits()),
            &w(2),
            &[9, 8, 0, 0, 0, 0, 0, 0],
            &[0; 8],
            &w(ROWS_PART),
        ]);
        let Response::Rows(batch) = decode_response(7, &b).unwrap() else {
            panic!()
        };
        assert_eq!(batch.columns, vec!["a", "b", "c"]);
        assert!(batch.more);
        assert_eq!(
            batch.rows,
            vec![
                vec![Value::Integer(-5), Value::Text("xy".into()), Value::Null],
                vec![Value::Real(2.25), Value::Blob(vec![9, 8]), Value::Null],
            ]
        );
        let b = body(&[&w(1), b"n\0\0\0\0\0\0\0", &w(ROWS_DONE)]);
        let Response::Rows(batch) = decode_response(7, &b).unwrap() else {
            panic!()
        };
        assert!(!batch.more);
        assert!(batch.rows.is_empty());
    }

    #[test]
    fn seventeen_columns_take_two_header_words() {
        let mut parts: Vec<Vec<u8>> = vec![w(17).to_vec()];
        for _ in 0..17 {
            parts.push(b"c\0\0\0\0\0\0\0".to_vec());
        }
        let mut header = vec![0x11u8; 8];
        header.extend_from_slice(&[0x01, 0, 0, 0, 0, 0, 0, 0]);
        parts.push(header);
        for i in 0..17u64 {
            parts.push(w(i).to_vec());
        }
        parts.push(w(ROWS_DONE).to_vec());
        let b = parts.concat();
        let Response::Rows(batch) = decode_response(7, &b).unwrap() else {
            panic!()
        };
        assert_eq!(batch.rows.len(), 1);
        assert_eq!(batch.rows[0][16], Value::Integer(16));
    }

    #[test]
    fn truncated_and_garbage_bodies_are_errors_not_panics() {
        assert!(decode_response(0, &w(1)).is_err());
        assert!(decode_response(1, &body(&[&w(1), b"noterm!!"])).is_err());
        assert!(decode_response(7, &body(&[&w(1), b"a\0\0\0\0\0\0\0"])).is_err());
        assert!(decode_response(7, &body(&[&w(1 << 40)])).is_err());
        assert!(decode_response(3, &body(&[&w(1 << 40)])).is_err());
        assert!(decode_response(4, &[]).is_err());
        assert!(decode_response(99, &[]).is_err());
        // A blob whose length runs past the body.
        let b = body(&[
            &w(1),
            b"a\0\0\0\0\0\0\0",
            &[4, 0, 0, 0, 0, 0, 0, 0],
            &w(1000),
        ]);
        assert!(decode_response(7, &b).is_err());
        // An unknown value type.
        let b = body(&[&w(1), b"a\0\0\0\0\0\0\0", &[7, 0, 0, 0, 0, 0, 0, 0], &w(0)]);
        assert!(decode_response(7, &b).is_err());
        let mut h = [0u8; 8];
        h[..4].copy_from_slice(&u32::MAX.to_le_bytes());
        assert!(decode_header(h).is_err());
    }
}
