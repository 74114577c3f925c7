//! What every page can see: the open database, the progress of opening, the worker. Its own
//! module so the pages read it without importing the frame (`app`) that renders them.

use crate::client::WorkerSignals;
use crate::protocol::{Failure, Opened};
use leptos::prelude::*;
use motus_core::file_tools::browse::DatabaseKind;

/// What every page can see.
#[derive(Clone, Copy)]
pub struct AppState {
    pub db: RwSignal<Option<Opened>>,
    pub opening: RwSignal<bool>,
    pub open_error: RwSignal<Option<Failure>>,
    pub worker: WorkerSignals,
    /// Bumped on each successful open, so pages fetch again.
    pub generation: RwSignal<u32>,
    /// The notices about the open file were dismissed (they show once, not on every page).
    pub notices_dismissed: RwSignal<bool>,
}

pub fn state() -> AppState {
    expect_context::<AppState>()
}

impl AppState {
    pub fn is_motus(&self) -> bool {
        self.db.with(|d| {
            d.as_ref()
                .is_some_and(|o| o.info.kind == DatabaseKind::Motus)
        })
    }
}
