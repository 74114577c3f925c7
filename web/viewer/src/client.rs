//! The page's handle on the database worker: sends requests, matches replies by id, and
//! forwards progress to a signal.

use crate::protocol::{Failure, Progress, Request};
use crate::wire;
use futures_channel::oneshot;
use leptos::prelude::*;
use serde::de::DeserializeOwned;
use std::cell::{Cell, RefCell};
use std::collections::HashMap;
use std::rc::Rc;
use wasm_bindgen::prelude::*;
use wasm_bindgen::JsCast;
use web_sys::{File, MessageEvent, Worker, WorkerOptions, WorkerType};

type Reply = Result<Vec<u8>, Failure>;

struct Inner {
    worker: RefCell<Worker>,
    next_id: Cell<u32>,
    pending: RefCell<HashMap<u32, oneshot::Sender<Reply>>>,
    ready: Cell<bool>,
    waiting_for_ready: RefCell<Vec<oneshot::Sender<()>>>,
    signals: WorkerSignals,
}

/// A cheap clonable handle on the one database worker.
#[derive(Clone)]
pub struct Client {
    inner: Rc<Inner>,
}

thread_local! {
    static CLIENT: RefCell<Option<Client>> = const { RefCell::new(None) };
}

/// The worker's progress reports and fatal errors, for the page to show.
#[derive(Clone, Copy)]
pub struct WorkerSignals {
    pub progress: RwSignal<Option<Progress>>,
    pub fatal: RwSignal<Option<String>>,
    /// Requests waiting for an answer (the page offers Cancel while there are any).
    pub pending: RwSignal<usize>,
}

fn new_worker() -> Worker {
    let opts = WorkerOptions::new();
    opts.set_type(WorkerType::Module);
    Worker::new_with_options("./worker.js", &opts).expect(
        "the browser refused to start a module worker; use a current Chromium, Firefox or Safari",
    )
}

/// Starts the worker (once) and returns the client.
pub fn start(signals: WorkerSignals) -> Client {
    let client = Client {
        inner: Rc::new(Inner {
            worker: RefCell::new(new_worker()),
            next_id: Cell::new(1),
            pending: RefCell::new(HashMap::new()),
            ready: Cell::new(false),
            waiting_for_ready: RefCell::new(Vec::new()),
            signals,
        }),
    };
    client.wire();
    CLIENT.with(|c| *c.borrow_mut() = Some(client.clone()));
    client
}

impl Client {
    /// Ends the worker with whatever it is running (the only way to stop a statement that
    /// is busy in SQLite) and starts a fresh one; every waiting request fails as cancelled.
    /// The caller opens the database again (in place, so that takes milliseconds).
    pub fn restart(&self) {
        let inner = &self.inner;
        inner.worker.borrow().terminate();
        inner.ready.set(false);
        *inner.worker.borrow_mut() = new_worker();
        for (_, tx) in inner.pending.borrow_mut().drain() {
            let _ = tx.send(Err(Failure {
                code: "cancelled".into(),
                message: "Cancelled: the query was stopped.".into(),
            }));
        }
        inner.signals.pending.set(0);
        self.wire();
    }

    fn wire(&self) {
        let signals = self.inner.signals;
        let weak = Rc::downgrade(&self.inner);
        let on_message = Closure::<dyn FnMut(MessageEvent)>::new(move |ev: MessageEvent| {
            let Some(inner) = weak.upgrade() else { return };
            let data: js_sys::Array = ev.data().unchecked_into();
            let kind = data.get(0).as_string().unwrap_or_default();
            let id = data.get(1).as_f64().unwrap_or(0.0) as u32;
            let payload = data.get(2);
            // The worker's answers are bytes ([`crate::wire`]); worker.js reports a failed start as text.
            let bytes = || js_sys::Uint8Array::new(&payload).to_vec();
            match kind.as_str() {
                "ready" => {
                    inner.ready.set(true);
                    for tx in inner.waiting_for_ready.borrow_mut().drain(..) {
                        let _ = tx.send(());
                    }
                }
                "progress" => {
                    if let Ok(p) = wire::from_bytes::<Progress>(&bytes()) {
                        signals.progress.set(Some(p));
                    }
                }
                "ok" | "err" => {
                    let reply = if kind == "ok" {
                        Ok(bytes())
                    } else {
                        Err(wire::from_bytes::<Failure>(&bytes()).unwrap_or_else(|e| {
                            Failure::worker(format!("the worker's error could not be read ({e})"))
                        }))
                    };
                    let tx = inner.pending.borrow_mut().remove(&id);
                    if let Some(tx) = tx {
                        let _ = tx.send(reply);
                    }
                    signals.pending.set(inner.pending.borrow().len());
                }
                _ => {
                    let text = payload.as_string().unwrap_or_default();
                    signals.fatal.set(Some(format!(
                    "The database worker failed to start: {text}. Reload the page; if it keeps failing, rebuild the viewer (scripts/build-web)."
                )));
                    for (_, tx) in inner.pending.borrow_mut().drain() {
                        let _ = tx.send(Err(Failure::worker(text.clone())));
                    }
                }
            }
        });
        self.inner
            .worker
            .borrow()
            .set_onmessage(Some(on_message.as_ref().unchecked_ref()));
        on_message.forget();
        let on_error =
            Closure::<dyn FnMut(web_sys::ErrorEvent)>::new(move |ev: web_sys::ErrorEvent| {
                signals.fatal.set(Some(format!(
                    "The database worker stopped: {}. Reload the page and open the file again.",
                    ev.message()
                )));
            });
        self.inner
            .worker
            .borrow()
            .set_onerror(Some(on_error.as_ref().unchecked_ref()));
        on_error.forget();
    }
}

/// The running client. Panics before [`start`], which the app calls first.
pub fn client() -> Client {
    CLIENT.with(|c| c.borrow().clone().expect("worker client started"))
}

impl Client {
    async fn wait_ready(&self) {
        if self.inner.ready.get() {
            return;
        }
        let (tx, rx) = oneshot::channel();
        self.inner.waiting_for_ready.borrow_mut().push(tx);
        let _ = rx.await;
    }

    /// Sends a request (with an optional file) and decodes the reply.
    pub async fn call<T: DeserializeOwned>(
        &self,
        req: &Request,
        file: Option<&File>,
    ) -> Result<T, Failure> {
        self.call_with_files(req, file.into_iter().cloned().collect())
            .await
    }

    /// Sends a request with files beside it (a database and its `-wal`).
    pub async fn call_with_files<T: DeserializeOwned>(
        &self,
        req: &Request,
        files: Vec<File>,
    ) -> Result<T, Failure> {
        self.wait_ready().await;
        let id = self.inner.next_id.get();
        self.inner.next_id.set(id + 1);
        let (tx, rx) = oneshot::channel();
        self.inner.pending.borrow_mut().insert(id, tx);
        self.inner
            .signals
            .pending
            .set(self.inner.pending.borrow().len());
        let bytes = wire::to_bytes(req).map_err(|e| Failure::worker(e.to_string()))?;
        let msg = js_sys::Array::of2(&(id as f64).into(), &js_sys::Uint8Array::from(&bytes[..]));
        for f in &files {
            msg.push(f);
        }
        self.inner.worker.borrow().post_message(&msg).map_err(|_| {
            Failure::worker("could not send the request to the worker; reload the page")
        })?;
        let reply = rx
            .await
            .map_err(|_| Failure::worker("the worker went away; reload the page"))??;
        wire::from_bytes(&reply).map_err(|e| {
            Failure::worker(format!(
                "the worker's reply could not be read ({e}); reload the page"
            ))
        })
    }
}

/// Calls the worker from a page, keeping the latest answer in a signal. Older answers that
/// arrive after a newer request was made are dropped.
pub fn fetch<T>(request: impl Fn() -> Option<Request> + 'static) -> ReadSignal<Load<T>>
where
    T: DeserializeOwned + Clone + Send + Sync + 'static,
{
    let (get, set) = signal(Load::Loading);
    let generation = Rc::new(Cell::new(0u32));
    Effect::new(move |_| {
        let Some(req) = request() else { return };
        let g = generation.get() + 1;
        generation.set(g);
        let generation = generation.clone();
        set.set(Load::Loading);
        leptos::task::spawn_local(async move {
            let result = client().call::<T>(&req, None).await;
            if generation.get() == g {
                set.set(match result {
                    Ok(v) => Load::Ready(v),
                    Err(f) => Load::Failed(f),
                });
            }
        });
    });
    get
}

/// The state of a worker answer.
#[derive(Debug, Clone, PartialEq)]
pub enum Load<T> {
    Loading,
    Ready(T),
    Failed(Failure),
}
