//! `motus view`: serves the built browser viewer (static files) on 127.0.0.1 so a person can
//! open a coordination.db in their browser. The database file is chosen in the page and never
//! sent to this server: it only hands out the viewer's own files.

use super::Ctx;
use crate::output::CliError;
use clap::Args;
use std::io::{BufRead, BufReader, Write};
use std::net::{TcpListener, TcpStream};
use std::path::{Component, Path, PathBuf};

#[derive(Debug, Args)]
pub struct ViewArgs {
    /// Port on 127.0.0.1 (0 picks a free one)
    #[arg(long, default_value_t = 8700)]
    pub port: u16,
    /// The built viewer [default: $MOTUS_VIEWER_DIR, else <exe>/../share/motus/viewer, else web/viewer/dist]
    #[arg(long, value_name = "DIR")]
    pub dir: Option<PathBuf>,
    /// Stop after serving this many requests (for tests)
    #[arg(long, hide = true)]
    pub max_requests: Option<u64>,
}

fn find_dir(explicit: Option<PathBuf>) -> Result<PathBuf, CliError> {
    let mut candidates = Vec::new();
    if let Some(d) = explicit {
        candidates.push(d);
    } else {
        if let Some(d) = std::env::var_os("MOTUS_VIEWER_DIR") {
            candidates.push(PathBuf::from(d));
        }
        if let Ok(exe) = std::env::current_exe() {
            if let Some(bin) = exe.parent() {
                candidates.push(bin.join("../share/motus/viewer"));
            }
        }
        candidates.push(PathBuf::from("web/viewer/dist"));
    }
    candidates
        .into_iter()
        .find(|d| d.join("index.html").is_file())
        .ok_or_else(|| {
            CliError::usage(
                "the built viewer was not found (no index.html); build it with `scripts/build-web` in the motus source tree, then run `motus view --dir web/viewer/dist`",
            )
        })
}

fn content_type(path: &Path) -> &'static str {
    match path.extension().and_then(|e| e.to_str()).unwrap_or("") {
        "html" => "text/html; charset=utf-8",
        "js" => "text/javascript; charset=utf-8",
        "wasm" => "application/wasm",
        "css" => "text/css; charset=utf-8",
        "json" => "application/json",
        "svg" => "image/svg+xml",
        _ => "application/octet-stream",
    }
}

/// Maps a request path onto a file inside `root`, refusing anything that climbs out.
fn resolve(root: &Path, target: &str) -> Option<PathBuf> {
    let path = target.split(['?', '#']).next().unwrap_or("/");
    let rel = Path::new(path.trim_start_matches('/'));
    if rel.components().any(|c| !matches!(c, Component::Normal(_))) {
        return None;
    }
    let file = if path.ends_with('/') || rel.as_os_str().is_empty() {
        root.join(rel).join("index.html")
    } else {
        root.join(rel)
    };
    file.is_file().then_some(file)
}

fn serve(root: &Path, mut stream: TcpStream) -> std::io::Result<()> {
    let mut line = String::new();
    let mut reader = BufReader::new(stream.try_clone()?);
    reader.read_line(&mut line)?;
    // Drain the headers; requests with bodies are not accepted.
    loop {
        let mut h = String::new();
        if reader.read_line(&mut h)? == 0 || h == "\r\n" || h == "\n" {
            break;
        }
    }
    let mut parts = line.split_whitespace();
    let (method, target) = (parts.next().unwrap_or(""), parts.next().unwrap_or("/"));
    let (status, ctype, body) = if method != "GET" && method != "HEAD" {
        ("405 Method Not Allowed", "text/plain", b"only GET".to_vec())
    } else {
        match resolve(root, target) {
            Some(f) => ("200 OK", content_type(&f), std::fs::read(&f)?),
            None => ("404 Not Found", "text/plain", b"not found".to_vec()),
        }
    };
    let head = format!(
        "HTTP/1.1 {status}\r\nContent-Type: {ctype}\r\nContent-Length: {}\r\nCache-Control: no-store\r\nX-Content-Type-Options: nosniff\r\nConnection: close\r\n\r\n",
        body.len()
    );
    stream.write_all(head.as_bytes())?;
    if method != "HEAD" {
        stream.write_all(&body)?;
    }
    stream.flush()
}

pub fn run(_ctx: &Ctx, args: ViewArgs) -> Result<u8, CliError> {
    let root = find_dir(args.dir)?;
    let listener = TcpListener::bind(("127.0.0.1", args.port)).map_err(|e| {
        CliError::usage(format!(
            "cannot listen on 127.0.0.1:{} ({e}); pick another port with --port",
            args.port
        ))
    })?;
    let addr = listener.local_addr()?;
    println!(
        "Motus viewer: http://{addr}/  (serving {}; press Ctrl+C to stop)",
        root.display()
    );
    println!(
        "Open your coordination.db in the page; it stays in your browser and is never uploaded."
    );
    let mut served = 0u64;
    for stream in listener.incoming() {
        if let Ok(s) = stream {
            if let Err(e) = serve(&root, s) {
                eprintln!("motus view: a request failed: {e}");
            }
        }
        served += 1;
        if args.max_requests.is_some_and(|m| served >= m) {
            break;
        }
    }
    Ok(0)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn paths_never_leave_the_viewer_directory() {
        let root = std::env::temp_dir().join(format!("motus-view-{}", std::process::id()));
        std::fs::create_dir_all(&root).unwrap();
        std::fs::write(root.join("index.html"), "x").unwrap();
        assert!(resolve(&root, "/").is_some());
        assert!(resolve(&root, "/index.html?x=1").is_some());
        assert!(resolve(&root, "/../etc/passwd").is_none());
        assert!(resolve(&root, "/missing.js").is_none());
        std::fs::remove_dir_all(&root).unwrap();
    }
}
