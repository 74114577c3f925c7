//! `motus view`: serves the browser viewer on 127.0.0.1 so a person can open a database in
//! their browser. The viewer is built into the binary (or, for developers, a build directory
//! given with `--dir`); the server hands out only those files, plus consistent snapshots of
//! the database it was started on (`/live/…`, see docs/viewer.md). Defences and their tests are
//! listed in docs/security.md ("motus view").

mod files;
mod http;
mod live;

use super::ctx::Ctx;
use crate::output::CliError;
use clap::Args;
use files::Root;
use std::path::PathBuf;
use std::sync::Arc;
use std::time::Duration;

#[derive(Debug, Args)]
#[command(
    after_long_help = "Examples:\n  motus view                       # http://127.0.0.1:8700/\n  motus view --port 0              # any free port (printed)\n  motus --db ./copy.db view        # the page's \"live\" database is ./copy.db"
)]
pub struct ViewArgs {
    /// Port on 127.0.0.1 (0 picks a free one, printed on start)
    #[arg(long, default_value_t = 8700)]
    pub port: u16,
    /// Serve this viewer build directory instead of the one built into the binary (for
    /// developers of the viewer)
    #[arg(long, value_name = "DIR")]
    pub dir: Option<PathBuf>,
}

/// How long a client may take to send one request head (also how long an idle keep-alive
/// connection stays open).
const HEAD_TIMEOUT: Duration = Duration::from_secs(10);
/// Largest request head hyper buffers (request line plus headers); more gets 431.
const MAX_HEAD_BYTES: usize = 16 * 1024;
const MAX_HEADERS: usize = 64;
/// Connections served at once; more wait in the kernel's accept queue.
const MAX_CONNECTIONS: usize = 64;

fn root(dir: Option<PathBuf>) -> Result<Root, CliError> {
    match dir {
        Some(d) => {
            let real = d.canonicalize().map_err(|e| {
                CliError::usage(format!("--dir {}: {e}; pass a built viewer directory (scripts/build-web writes web/viewer/dist)", d.display()))
            })?;
            if !real.join("index.html").is_file() {
                return Err(CliError::usage(format!(
                    "--dir {}: no index.html there; pass a built viewer directory (scripts/build-web writes web/viewer/dist)",
                    d.display()
                )));
            }
            Ok(Root::Dir(real))
        }
        None if Root::embedded_is_present() => Ok(Root::Embedded),
        None => Err(CliError::failed(
            "no_viewer",
            "this motus binary was built without the viewer (web/viewer/dist had no index.html at build time); reinstall from a checkout that has it (`scripts/install`), or pass --dir with a viewer build",
        )),
    }
}

pub fn run(ctx: &Ctx, args: ViewArgs) -> Result<u8, CliError> {
    crate::cluster::refuse_file_only(
        &ctx.db_path,
        "view",
        "the viewer opens a file in the browser; `motus db export --out F.jsonl --db dqlite://…` then `motus db import F.jsonl --db copy.db` makes one",
    )?;
    let root = root(args.dir)?;
    let rt = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .max_blocking_threads(4)
        .enable_all()
        .build()?;
    rt.block_on(serve(ctx.db_path.clone(), root, args.port))
}

async fn serve(db: PathBuf, root: Root, port: u16) -> Result<u8, CliError> {
    use hyper_util::rt::{TokioIo, TokioTimer};
    let listener = tokio::net::TcpListener::bind(("127.0.0.1", port))
        .await
        .map_err(|e| {
            CliError::failed(
                "cannot_listen",
                format!("cannot listen on 127.0.0.1:{port} ({e}); pick another port with --port"),
            )
        })?;
    let addr = listener.local_addr()?;
    let site = Arc::new(http::Site {
        root,
        addr,
        snapshots: live::Snapshots::new(db)?,
    });
    crate::output::say(&format!(
        "Motus viewer: http://{addr}/  (serving {}; press Ctrl+C to stop)\nOpen a database in the page; it stays in your browser and is never uploaded. The page's \"live\" view reads snapshots of {}.",
        site.root.describe(),
        site.snapshots.source().display()
    ));
    let slots = Arc::new(tokio::sync::Semaphore::new(MAX_CONNECTIONS));
    let stop = shutdown_signal();
    tokio::pin!(stop);
    loop {
        let permit = tokio::select! {
            _ = &mut stop => break,
            p = slots.clone().acquire_owned() => p.expect("the semaphore is never closed"),
        };
        let (stream, _) = tokio::select! {
            _ = &mut stop => break,
            a = listener.accept() => match a {
                Ok(a) => a,
                Err(_) => continue, // EMFILE and friends: try again with the next client
            },
        };
        let site = site.clone();
        tokio::spawn(async move {
            let _permit = permit;
            let service = hyper::service::service_fn(move |req| http::handle(site.clone(), req));
            let _ = hyper::server::conn::http1::Builder::new()
                .timer(TokioTimer::new())
                .header_read_timeout(HEAD_TIMEOUT)
                .max_buf_size(MAX_HEAD_BYTES)
                .max_headers(MAX_HEADERS)
                .serve_connection(TokioIo::new(stream), service)
                .await;
        });
    }
    // Dropping the site deletes the snapshot directory.
    drop(site);
    Ok(0)
}

/// Ctrl+C, or SIGTERM on unix (a service manager, `kill`).
async fn shutdown_signal() {
    #[cfg(unix)]
    {
        use tokio::signal::unix::{signal, SignalKind};
        let mut term = signal(SignalKind::terminate()).expect("a SIGTERM handler");
        tokio::select! {
            _ = tokio::signal::ctrl_c() => {},
            _ = term.recv() => {},
        }
    }
    #[cfg(not(unix))]
    {
        let _ = tokio::signal::ctrl_c().await;
    }
}
