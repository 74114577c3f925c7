//! One TCP connection to one dqlite node: the handshake, then one request and its
//! response(s) at a time.

use crate::error::{ClientError, Result};
use crate::wire::{self, Request, Response};
use std::io::{Read, Write};
use std::net::{TcpStream, ToSocketAddrs};
use std::time::Duration;

/// Timeouts for one connection.
#[derive(Debug, Clone, Copy)]
pub struct Timeouts {
    pub connect: Duration,
    /// For each read and write: a node that stops answering fails the call instead of
    /// hanging it.
    pub io: Duration,
}

impl Default for Timeouts {
    fn default() -> Self {
        Timeouts {
            connect: Duration::from_millis(1000),
            io: Duration::from_secs(15),
        }
    }
}

pub struct NodeConn {
    address: String,
    stream: TcpStream,
}

impl NodeConn {
    /// Connects and sends the protocol version.
    pub fn connect(address: &str, t: Timeouts) -> Result<NodeConn> {
        let io_err = |source| ClientError::Io {
            address: address.to_owned(),
            source,
        };
        let addrs: Vec<_> = address.to_socket_addrs().map_err(io_err)?.collect();
        let mut last = None;
        for a in addrs {
            match TcpStream::connect_timeout(&a, t.connect) {
                Ok(stream) => {
                    stream.set_nodelay(true).map_err(io_err)?;
                    stream.set_read_timeout(Some(t.io)).map_err(io_err)?;
                    stream.set_write_timeout(Some(t.io)).map_err(io_err)?;
                    let mut conn = NodeConn {
                        address: address.to_owned(),
                        stream,
                    };
                    conn.stream
                        .write_all(&wire::PROTOCOL_VERSION.to_le_bytes())
                        .map_err(io_err)?;
                    return Ok(conn);
                }
                Err(e) => last = Some(e),
            }
        }
        Err(io_err(last.unwrap_or_else(|| {
            std::io::Error::new(std::io::ErrorKind::NotFound, "address resolves to nothing")
        })))
    }

    pub fn address(&self) -> &str {
        &self.address
    }

    fn io(&self, source: std::io::Error) -> ClientError {
        ClientError::Io {
            address: self.address.clone(),
            source,
        }
    }

    pub fn send(&mut self, req: &Request<'_>) -> Result<()> {
        let bytes = wire::encode_request(req)?;
        self.stream.write_all(&bytes).map_err(|e| self.io(e))
    }

    /// Reads the next response (a failure response is returned as a value, not an error).
    pub fn recv(&mut self) -> Result<Response> {
        let mut h = [0u8; 8];
        self.stream.read_exact(&mut h).map_err(|e| self.io(e))?;
        let header = wire::decode_header(h)?;
        let mut body = vec![0u8; header.body_bytes];
        self.stream.read_exact(&mut body).map_err(|e| self.io(e))?;
        wire::decode_response(header.kind, &body)
    }

    /// Sends a request and reads its response; a failure response becomes an error.
    pub fn call(&mut self, req: &Request<'_>) -> Result<Response> {
        self.send(req)?;
        match self.recv()? {
            Response::Failure { code, message } => Err(ClientError::Server { code, message }),
            r => Ok(r),
        }
    }
}
