//! A read-only SQLite VFS that reads the database where it is: from the `File` the user chose
//! (synchronous slices with `FileReaderSync`, allowed in a worker) or from `motus view`'s
//! snapshot over HTTP range requests (synchronous XHR, also worker-only). Nothing copies the
//! whole file: reads go through a bounded block cache, so memory does not grow with the file.
//!
//! A `-wal` chosen with the database is applied read-only: its committed frames
//! ([`motus_core::file_tools::wal_frames`]) replace the pages they hold, and the database ends where the
//! last commit says. The header's WAL markers are shown to SQLite as rollback mode, so SQLite
//! never looks for a `-wal` or `-shm` of its own.

use motus_core::file_tools::wal_frames::WalIndex;
use rsqlite_vfs::{
    register_vfs, AccessMode, LockLevel, MemChunksFile, OpenAccess, OpenOptions, OpenRequest,
    OpenedFile, SQLiteIoMethods, SQLiteVfs, SyncOptions, VfsError, VfsErrorCode, VfsFile,
    VfsResult, VfsStore,
};
use sqlite_wasm_rs::vfs as rsqlite_vfs;
use sqlite_wasm_rs::WasmOsCallback;
use std::cell::{Cell, RefCell};
use std::collections::HashMap;
use std::rc::Rc;
use wasm_bindgen::JsCast;

/// The name SQLite knows this VFS by.
pub const VFS_NAME: &str = "motus-ro";

/// Where the bytes come from.
pub enum Source {
    File(web_sys::File),
    /// A same-origin URL that answers `Range: bytes=a-b` with 206.
    Http(String),
}

/// Reads one source in aligned blocks, keeping the most recently used ones.
pub struct Reader {
    source: Source,
    len: u64,
    block: u64,
    max_blocks: usize,
    blocks: HashMap<u64, (Vec<u8>, u64)>,
    tick: u64,
    file_reader: Option<web_sys::FileReaderSync>,
    /// The block after the last fetched run, and that run's length: a miss right there
    /// means SQLite is scanning, so the next run is twice as long.
    next_block: u64,
    run: u64,
    /// Bytes actually fetched from the source, for the figures the page shows.
    pub fetched: u64,
}

/// At most this much of a source is held in memory at once.
const CACHE_BYTES: u64 = 24 * 1024 * 1024;
/// A file this small is read in one go on the first miss: each read of a `File` costs about a
/// millisecond whatever its size (plus ~4 ms per MiB), so one read beats dozens of blocks.
pub const WHOLE_FILE_BYTES: u64 = 8 * 1024 * 1024;
/// The longest read-ahead of a scan, in bytes.
const MAX_RUN_BYTES: u64 = 2 * 1024 * 1024;

impl Reader {
    pub fn new(source: Source, len: u64) -> Result<Reader, String> {
        // HTTP round trips cost more than slices of a local file: fetch bigger blocks.
        let block: u64 = match source {
            Source::File(_) => 64 * 1024,
            Source::Http(_) => 256 * 1024,
        };
        let file_reader = match source {
            Source::File(_) => Some(web_sys::FileReaderSync::new().map_err(|_| {
                "this browser cannot read files in a worker; use a current Chromium, Firefox or Safari"
                    .to_string()
            })?),
            Source::Http(_) => None,
        };
        Ok(Reader {
            source,
            len,
            block,
            max_blocks: (CACHE_BYTES / block) as usize,
            blocks: HashMap::new(),
            tick: 0,
            file_reader,
            next_block: u64::MAX,
            run: 1,
            fetched: 0,
        })
    }

    pub fn len(&self) -> u64 {
        self.len
    }

    fn fetch(&mut self, start: u64, end: u64) -> Result<Vec<u8>, String> {
        self.fetched += end - start;
        match &self.source {
            Source::File(file) => {
                let slice = file
                    .slice_with_f64_and_f64(start as f64, end as f64)
                    .map_err(|_| "cannot slice the file".to_string())?;
                let buf = self
                    .file_reader
                    .as_ref()
                    .expect("file reader")
                    .read_as_array_buffer(&slice)
                    .map_err(|e| {
                        format!(
                            "the browser could not read the file ({}); check that it still exists and has not changed, then open it again",
                            js_error(&e)
                        )
                    })?;
                Ok(js_sys::Uint8Array::new(&buf).to_vec())
            }
            Source::Http(url) => {
                let xhr = web_sys::XmlHttpRequest::new().map_err(|e| js_error(&e))?;
                xhr.open_with_async("GET", url, false)
                    .map_err(|e| js_error(&e))?;
                xhr.set_request_header("Range", &format!("bytes={}-{}", start, end - 1))
                    .map_err(|e| js_error(&e))?;
                xhr.set_response_type(web_sys::XmlHttpRequestResponseType::Arraybuffer);
                xhr.send().map_err(|e| {
                    format!(
                        "the motus view server did not answer ({}); check that `motus view` is still running, then reload",
                        js_error(&e)
                    )
                })?;
                let status = xhr.status().unwrap_or(0);
                if status != 206 && !(status == 200 && start == 0 && end == self.len) {
                    return Err(format!(
                        "the motus view server answered {status} for a part of the snapshot; reload the page to take a new snapshot"
                    ));
                }
                let buf = xhr.response().map_err(|e| js_error(&e))?;
                let bytes = js_sys::Uint8Array::new(&buf).to_vec();
                if bytes.len() as u64 != end - start {
                    return Err(format!(
                        "the server sent {} bytes where {} were asked for; reload the page",
                        bytes.len(),
                        end - start
                    ));
                }
                Ok(bytes)
            }
        }
    }

    /// Fetches the run of blocks starting at `b` (missing from the cache): the whole file when
    /// it is small, a growing run when the misses follow each other, else one block.
    fn fill(&mut self, b: u64, tick: u64) -> Result<(), String> {
        let last = self.len.div_ceil(self.block).max(1);
        let max_run = (MAX_RUN_BYTES / self.block).max(1);
        let (first, count) = if self.len <= WHOLE_FILE_BYTES {
            (0, last)
        } else if b == self.next_block {
            self.run = (self.run * 2).min(max_run);
            (b, self.run)
        } else {
            self.run = 1;
            (b, 1)
        };
        let count = count.min(last - first).min(self.max_blocks as u64).max(1);
        let start = first * self.block;
        let end = ((first + count) * self.block).min(self.len);
        let data = self.fetch(start, end)?;
        self.next_block = first + count;
        for (i, chunk) in data.chunks(self.block as usize).enumerate() {
            let key = first + i as u64;
            if self.blocks.contains_key(&key) {
                continue;
            }
            if self.blocks.len() >= self.max_blocks {
                if let Some(old) = self
                    .blocks
                    .iter()
                    .min_by_key(|(_, (_, t))| *t)
                    .map(|(k, _)| *k)
                {
                    self.blocks.remove(&old);
                }
            }
            // The block asked for is the newest; the read-ahead ones just before it.
            let t = if key == b {
                tick
            } else {
                tick.saturating_sub(1)
            };
            self.blocks.insert(key, (chunk.to_vec(), t));
        }
        Ok(())
    }

    /// Fills `buf` from `offset`; returns how many bytes exist there (short at the end).
    pub fn read(&mut self, buf: &mut [u8], offset: u64) -> Result<usize, String> {
        let mut done = 0usize;
        while done < buf.len() {
            let at = offset + done as u64;
            if at >= self.len {
                break;
            }
            let b = at / self.block;
            self.tick += 1;
            let tick = self.tick;
            if !self.blocks.contains_key(&b) {
                self.fill(b, tick)?;
            }
            let entry = self.blocks.get_mut(&b).expect("block just cached");
            entry.1 = tick;
            let within = (at - b * self.block) as usize;
            let n = (entry.0.len() - within).min(buf.len() - done);
            buf[done..done + n].copy_from_slice(&entry.0[within..within + n]);
            done += n;
        }
        Ok(done)
    }

    /// Exactly `buf.len()` bytes from `offset`.
    pub fn read_exact(&mut self, buf: &mut [u8], offset: u64) -> Result<(), String> {
        let n = self.read(buf, offset)?;
        if n < buf.len() {
            return Err(format!(
                "the file ends at {} bytes, before offset {}",
                self.len,
                offset + buf.len() as u64
            ));
        }
        Ok(())
    }
}

fn js_error(e: &wasm_bindgen::JsValue) -> String {
    if let Some(s) = e.as_string() {
        return s;
    }
    if let Some(err) = e.dyn_ref::<js_sys::Error>() {
        return String::from(err.message());
    }
    "unknown error".into()
}

/// A database as SQLite sees it: the main file, with a `-wal`'s committed pages on top.
pub struct Mounted {
    pub main: Reader,
    pub wal: Option<(Reader, WalIndex)>,
    pub page_size: u32,
}

impl Mounted {
    fn size(&self) -> u64 {
        match &self.wal {
            Some((_, idx)) if !idx.is_empty() => idx.db_pages as u64 * self.page_size as u64,
            _ => self.main.len(),
        }
    }

    pub fn read(&mut self, buf: &mut [u8], offset: u64) -> Result<usize, String> {
        let size = self.size();
        let ps = self.page_size as u64;
        let mut done = 0usize;
        while done < buf.len() && offset + (done as u64) < size {
            let at = offset + done as u64;
            let page = (at / ps) as u32 + 1;
            let within = at % ps;
            let n = ((ps - within) as usize)
                .min(buf.len() - done)
                .min((size - at) as usize);
            let part = &mut buf[done..done + n];
            let from_wal = self
                .wal
                .as_ref()
                .and_then(|(_, idx)| idx.pages.get(&page).copied());
            match (from_wal, self.wal.as_mut()) {
                (Some(wal_off), Some((wal, _))) => wal.read_exact(part, wal_off + within)?,
                _ => {
                    let got = self.main.read(part, at)?;
                    // Pages the log added past the main file's end that it does not hold
                    // read as zeros (SQLite never asks for them).
                    part[got..].fill(0);
                }
            }
            done += n;
        }
        // Bytes 18/19 say "WAL": show rollback mode, so SQLite reads only what we serve.
        for pos in [18u64, 19] {
            if offset <= pos && pos < offset + done as u64 {
                let i = (pos - offset) as usize;
                if buf[i] == 2 {
                    buf[i] = 1;
                }
            }
        }
        Ok(done)
    }
}

thread_local! {
    static MOUNTS: RefCell<HashMap<String, Rc<RefCell<Mounted>>>> = RefCell::new(HashMap::new());
    static NEXT: Cell<u32> = const { Cell::new(1) };
    static REGISTERED: Cell<bool> = const { Cell::new(false) };
    static LAST_ERROR: RefCell<Option<String>> = const { RefCell::new(None) };
}

/// Makes `db` known to the VFS under a fresh name and returns that name.
pub fn mount(db: Mounted) -> Result<String, String> {
    register()?;
    let n = NEXT.with(|c| {
        let n = c.get();
        c.set(n + 1);
        n
    });
    let name = format!("motus-{n}.db");
    MOUNTS.with(|m| {
        m.borrow_mut()
            .insert(name.clone(), Rc::new(RefCell::new(db)))
    });
    Ok(name)
}

/// Forgets a mounted database (after its connection is closed).
pub fn unmount(name: &str) {
    MOUNTS.with(|m| m.borrow_mut().remove(name));
}

/// Runs `f` on a mounted database (outside any SQLite call: SQLite reads it through the
/// same cell).
pub fn with_mounted<T>(name: &str, f: impl FnOnce(&mut Mounted) -> T) -> Option<T> {
    let db = MOUNTS.with(|m| m.borrow().get(name).cloned())?;
    let mut db = db.try_borrow_mut().ok()?;
    Some(f(&mut db))
}

/// Bytes fetched from the source of a mounted database so far.
pub fn fetched(name: &str) -> u64 {
    MOUNTS.with(|m| {
        m.borrow()
            .get(name)
            .map(|d| {
                let d = d.borrow();
                d.main.fetched + d.wal.as_ref().map_or(0, |(w, _)| w.fetched)
            })
            .unwrap_or(0)
    })
}

/// The last read error, to turn SQLite's "disk I/O error" into something a person can act on.
pub fn take_last_error() -> Option<String> {
    LAST_ERROR.with(|e| e.borrow_mut().take())
}

pub fn register() -> Result<(), String> {
    if REGISTERED.with(Cell::get) {
        return Ok(());
    }
    // SAFETY: the VFS and its (empty) app data live for the rest of the worker, which is
    // single-threaded; SQLite only calls it from this thread.
    let reg = unsafe { register_vfs::<Io, Vfs>(VFS_NAME, Store, false) }
        .map_err(|e| format!("cannot register the read-only VFS: {e:?}"))?;
    std::mem::forget(reg);
    REGISTERED.with(|r| r.set(true));
    Ok(())
}

pub enum Handle {
    Db(Rc<RefCell<Mounted>>),
    /// Anything else SQLite might open (a temporary file) lives in memory.
    Mem(MemChunksFile),
}

fn read_only() -> VfsError {
    VfsError::new(
        VfsErrorCode::ReadOnly,
        "the viewer opens databases read-only".into(),
    )
}

impl VfsFile for Handle {
    fn read(&mut self, buf: &mut [u8], offset: u64) -> VfsResult<usize> {
        match self {
            Handle::Mem(m) => m.read(buf, offset),
            Handle::Db(d) => d.borrow_mut().read(buf, offset).map_err(|e| {
                LAST_ERROR.with(|l| *l.borrow_mut() = Some(e.clone()));
                VfsError::new(VfsErrorCode::IoRead, e.into())
            }),
        }
    }
    fn write(&mut self, buf: &[u8], offset: u64) -> VfsResult<()> {
        match self {
            Handle::Mem(m) => m.write(buf, offset),
            Handle::Db(_) => Err(read_only()),
        }
    }
    fn truncate(&mut self, size: u64) -> VfsResult<()> {
        match self {
            Handle::Mem(m) => m.truncate(size),
            Handle::Db(_) => Err(read_only()),
        }
    }
    fn sync(&mut self, _options: SyncOptions) -> VfsResult<()> {
        Ok(())
    }
    fn size(&self) -> VfsResult<u64> {
        match self {
            Handle::Mem(m) => m.size(),
            Handle::Db(d) => Ok(d.borrow().size()),
        }
    }
    fn lock(&mut self, _level: LockLevel) -> VfsResult<()> {
        Ok(())
    }
    fn unlock(&mut self, _level: LockLevel) -> VfsResult<()> {
        Ok(())
    }
    fn check_reserved_lock(&self) -> VfsResult<bool> {
        Ok(false)
    }
}

pub struct Store;

impl VfsStore for Store {
    type File = Handle;
    type AppData = Store;

    fn open_file(_data: &Store, request: OpenRequest<'_>) -> VfsResult<OpenedFile<Handle>> {
        let Some(name) = request.filename.map(|f| f.path().to_string()) else {
            return Ok(OpenedFile {
                file: Handle::Mem(MemChunksFile::default()),
                access: OpenAccess::ReadWrite,
            });
        };
        match MOUNTS.with(|m| m.borrow().get(&name).cloned()) {
            Some(db) => Ok(OpenedFile {
                file: Handle::Db(db),
                access: OpenAccess::ReadOnly,
            }),
            None => Err(VfsError::new(
                VfsErrorCode::CantOpen,
                format!("{name}: the viewer only opens the file you chose").into(),
            )),
        }
    }

    fn close_file(
        _data: &Store,
        _name: Option<&str>,
        _file: Handle,
        _options: OpenOptions,
    ) -> VfsResult<()> {
        Ok(())
    }

    fn access(_data: &Store, name: &str, _mode: AccessMode) -> VfsResult<bool> {
        // No journal, -wal or -shm exists as far as SQLite is concerned.
        Ok(MOUNTS.with(|m| m.borrow().contains_key(name)))
    }

    fn full_pathname(_data: &Store, name: &str) -> VfsResult<String> {
        Ok(name.into())
    }

    fn delete_file(_data: &Store, _name: &str, _sync_dir: bool) -> VfsResult<()> {
        Err(read_only())
    }
}

pub struct Io;

impl SQLiteIoMethods for Io {
    type Store = Store;
}

pub struct Vfs;

impl SQLiteVfs<Io> for Vfs {
    type Os = WasmOsCallback;

    fn os(_data: &Store) -> &WasmOsCallback {
        &WasmOsCallback
    }
}
