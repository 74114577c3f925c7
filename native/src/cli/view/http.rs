//! The HTTP side of `motus view` on hyper: one task per connection (an idle or slow client
//! never holds up another), a deadline for every request head, bounded head size and header
//! count, GET/HEAD only, and only for a Host naming this server's own loopback address.

use super::files::{content_type, Found, Root};
use super::live::Snapshots;
use bytes::Bytes;
use http_body_util::{combinators::BoxBody, BodyExt, Full};
use hyper::body::{Frame, Incoming};
use hyper::header::{self, HeaderValue};
use hyper::{Method, Request, Response, StatusCode};
use motus_core::answer::{self, ErrorAnswer};
use std::convert::Infallible;
use std::io::{Read, Seek, SeekFrom};
use std::net::SocketAddr;
use std::sync::Arc;

pub type Body = BoxBody<Bytes, std::io::Error>;

pub struct Site {
    pub root: Root,
    pub addr: SocketAddr,
    pub snapshots: Snapshots,
}

fn full(status: StatusCode, ctype: &str, body: impl Into<Bytes>) -> Response<Body> {
    let body = Full::new(body.into())
        .map_err(|never: Infallible| match never {})
        .boxed();
    let mut r = Response::new(body);
    *r.status_mut() = status;
    r.headers_mut()
        .insert(header::CONTENT_TYPE, HeaderValue::from_str(ctype).unwrap());
    r
}

fn text(status: StatusCode, msg: &str) -> Response<Body> {
    full(status, "text/plain; charset=utf-8", format!("{msg}\n"))
}

fn json(status: StatusCode, value: &serde_json::Value) -> Response<Body> {
    full(
        status,
        "application/json",
        serde_json::to_vec(value).unwrap_or_default(),
    )
}

/// The Host a browser sends for the URL we printed (or `localhost` on the same port). Any
/// other name is how DNS rebinding reaches a loopback server, so it gets nothing. Exactly one
/// Host header, and a request target in absolute form (`GET http://name/`, where HTTP says the
/// target's authority wins over Host) must name us too: no second name slips past the first.
fn host_is_ours(req: &Request<Incoming>, addr: SocketAddr) -> bool {
    let ours = |name: &str| {
        let name = name.to_ascii_lowercase();
        let port = addr.port();
        name == format!("{}:{port}", addr.ip()) || name == format!("localhost:{port}")
    };
    let mut hosts = req.headers().get_all(header::HOST).iter();
    let (Some(host), None) = (hosts.next(), hosts.next()) else {
        return false;
    };
    let Ok(host) = host.to_str() else {
        return false;
    };
    ours(host) && req.uri().authority().is_none_or(|a| ours(a.as_str()))
}

/// A request that names an Origin must name ours (the page itself); other sites' pages are
/// refused even if their request reached us.
fn origin_is_ours(req: &Request<Incoming>, addr: SocketAddr) -> bool {
    match req
        .headers()
        .get(header::ORIGIN)
        .and_then(|h| h.to_str().ok())
    {
        None => true,
        Some(o) => {
            let port = addr.port();
            o == format!("http://{}:{port}", addr.ip()) || o == format!("http://localhost:{port}")
        }
    }
}

fn harden(mut r: Response<Body>) -> Response<Body> {
    let h = r.headers_mut();
    for (k, v) in [
        ("cache-control", "no-store"),
        ("x-content-type-options", "nosniff"),
        ("referrer-policy", "no-referrer"),
        ("cross-origin-resource-policy", "same-origin"),
        ("x-frame-options", "DENY"),
        ("content-security-policy", "frame-ancestors 'none'"),
    ] {
        h.insert(k, HeaderValue::from_static(v));
    }
    r
}

pub async fn handle(site: Arc<Site>, req: Request<Incoming>) -> Result<Response<Body>, Infallible> {
    Ok(harden(route(site, req).await))
}

async fn route(site: Arc<Site>, req: Request<Incoming>) -> Response<Body> {
    if !host_is_ours(&req, site.addr) {
        return text(
            StatusCode::MISDIRECTED_REQUEST,
            &format!("motus view answers only for http://{}/", site.addr),
        );
    }
    if !origin_is_ours(&req, site.addr) {
        return text(
            StatusCode::FORBIDDEN,
            "requests from other origins are refused",
        );
    }
    let head = req.method() == Method::HEAD;
    if req.method() != Method::GET && !head {
        let mut r = text(StatusCode::METHOD_NOT_ALLOWED, "only GET and HEAD");
        r.headers_mut()
            .insert(header::ALLOW, HeaderValue::from_static("GET, HEAD"));
        return r;
    }
    let path = req.uri().path().to_string();
    let mut resp = if path == "/live/info" {
        live_info(&site).await
    } else if let Some(id) = path.strip_prefix("/live/snapshot/") {
        match site.snapshots.get(id) {
            Some(s) => match std::fs::File::open(&s.path) {
                Ok(f) => ranged(req.headers(), f, s.size, "application/vnd.sqlite3"),
                Err(_) => text(StatusCode::NOT_FOUND, "no such snapshot"),
            },
            None => text(
                StatusCode::NOT_FOUND,
                "no such snapshot (only the last two are kept)",
            ),
        }
    } else {
        match site.root.find(&path) {
            Some(Found::Bytes(b)) => {
                let len = b.len() as u64;
                ranged(
                    req.headers(),
                    std::io::Cursor::new(b),
                    len,
                    content_type(file_name(&path)),
                )
            }
            Some(Found::File(f, len)) => {
                ranged(req.headers(), f, len, content_type(file_name(&path)))
            }
            None => text(StatusCode::NOT_FOUND, "not found"),
        }
    };
    if head {
        *resp.body_mut() = Full::new(Bytes::new())
            .map_err(|never: Infallible| match never {})
            .boxed();
    }
    resp
}

fn file_name(path: &str) -> &str {
    if path.ends_with('/') {
        "index.html"
    } else {
        path
    }
}

async fn live_info(site: &Arc<Site>) -> Response<Body> {
    let s = site.clone();
    let taken = tokio::task::spawn_blocking(move || s.snapshots.take()).await;
    match taken {
        Ok(Ok(snap)) => {
            let mut doc = serde_json::to_value(&snap).unwrap_or_default();
            doc["ok"] = true.into();
            json(StatusCode::OK, &doc)
        }
        Ok(Err(e)) => json(
            StatusCode::OK,
            &answer::document(&ErrorAnswer::new(&e.code, &e.message)),
        ),
        Err(e) => json(
            StatusCode::INTERNAL_SERVER_ERROR,
            &answer::document(&ErrorAnswer::new("internal", &e.to_string())),
        ),
    }
}

/// `bytes=a-b`, `bytes=a-` or `bytes=-n` (one range) against a length: `Some(Ok((start, end)))`
/// inclusive, `Some(Err(()))` when unsatisfiable, `None` when there is no usable Range header.
fn parse_range(value: &str, len: u64) -> Option<Result<(u64, u64), ()>> {
    let spec = value.trim().strip_prefix("bytes=")?;
    if spec.contains(',') {
        return None; // several ranges: answer with the whole body, as RFC 9110 allows
    }
    let (a, b) = spec.split_once('-')?;
    let (a, b) = (a.trim(), b.trim());
    let range = if a.is_empty() {
        let n: u64 = b.parse().ok()?;
        if n == 0 || len == 0 {
            return Some(Err(()));
        }
        (len.saturating_sub(n), len - 1)
    } else {
        let start: u64 = a.parse().ok()?;
        let end: u64 = if b.is_empty() {
            len.saturating_sub(1)
        } else {
            b.parse().ok()?
        };
        if start >= len || end < start {
            return Some(Err(()));
        }
        (start, end.min(len - 1))
    };
    Some(Ok(range))
}

const CHUNK: usize = 256 * 1024;

/// A body read in chunks from a seekable source, so a large snapshot is never in memory.
struct ReaderBody<R> {
    src: R,
    start: Option<u64>,
    left: u64,
}

impl<R: Read + Seek + Unpin> hyper::body::Body for ReaderBody<R> {
    type Data = Bytes;
    type Error = std::io::Error;

    fn poll_frame(
        mut self: std::pin::Pin<&mut Self>,
        _cx: &mut std::task::Context<'_>,
    ) -> std::task::Poll<Option<Result<Frame<Bytes>, std::io::Error>>> {
        use std::task::Poll;
        let this = &mut *self;
        if let Some(start) = this.start.take() {
            if let Err(e) = this.src.seek(SeekFrom::Start(start)) {
                return Poll::Ready(Some(Err(e)));
            }
        }
        if this.left == 0 {
            return Poll::Ready(None);
        }
        // Local files: a 256 KiB read is short enough to do on the runtime's thread.
        let mut buf = vec![0u8; CHUNK.min(this.left as usize)];
        Poll::Ready(Some(match this.src.read(&mut buf) {
            Ok(0) => Err(std::io::Error::new(
                std::io::ErrorKind::UnexpectedEof,
                "the file shrank while it was sent",
            )),
            Ok(n) => {
                buf.truncate(n);
                this.left -= n as u64;
                Ok(Frame::data(Bytes::from(buf)))
            }
            Err(e) => Err(e),
        }))
    }

    fn is_end_stream(&self) -> bool {
        self.left == 0
    }

    fn size_hint(&self) -> hyper::body::SizeHint {
        hyper::body::SizeHint::with_exact(self.left)
    }
}

fn reader_body<R: Read + Seek + Send + Sync + Unpin + 'static>(
    src: R,
    start: u64,
    len: u64,
) -> Body {
    BodyExt::boxed(ReaderBody {
        src,
        start: Some(start),
        left: len,
    })
}

fn ranged<R: Read + Seek + Send + Sync + Unpin + 'static>(
    headers: &hyper::HeaderMap,
    src: R,
    len: u64,
    ctype: &str,
) -> Response<Body> {
    let range = headers
        .get(header::RANGE)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| parse_range(v, len));
    let (status, start, count) = match range {
        None => (StatusCode::OK, 0, len),
        Some(Ok((a, b))) => (StatusCode::PARTIAL_CONTENT, a, b - a + 1),
        Some(Err(())) => {
            let mut r = text(StatusCode::RANGE_NOT_SATISFIABLE, "range not satisfiable");
            r.headers_mut().insert(
                header::CONTENT_RANGE,
                HeaderValue::from_str(&format!("bytes */{len}")).unwrap(),
            );
            return r;
        }
    };
    let mut r = Response::new(reader_body(src, start, count));
    *r.status_mut() = status;
    let h = r.headers_mut();
    h.insert(header::CONTENT_TYPE, HeaderValue::from_str(ctype).unwrap());
    h.insert(header::CONTENT_LENGTH, HeaderValue::from(count));
    h.insert(header::ACCEPT_RANGES, HeaderValue::from_static("bytes"));
    if status == StatusCode::PARTIAL_CONTENT {
        h.insert(
            header::CONTENT_RANGE,
            HeaderValue::from_str(&format!("bytes {start}-{}/{len}", start + count - 1)).unwrap(),
        );
    }
    r
}

#[cfg(test)]
mod tests {
    use super::parse_range;

    #[test]
    fn ranges() {
        assert_eq!(parse_range("bytes=0-9", 100), Some(Ok((0, 9))));
        assert_eq!(parse_range("bytes=90-", 100), Some(Ok((90, 99))));
        assert_eq!(parse_range("bytes=-10", 100), Some(Ok((90, 99))));
        assert_eq!(parse_range("bytes=95-200", 100), Some(Ok((95, 99))));
        assert_eq!(parse_range("bytes=100-", 100), Some(Err(())));
        assert_eq!(parse_range("bytes=5-1", 100), Some(Err(())));
        assert_eq!(parse_range("bytes=0-1,5-6", 100), None);
        assert_eq!(parse_range("items=0-1", 100), None);
    }
}
