//! The messages between the page and the database worker. Requests and replies travel as
//! bytes in [`crate::wire`]'s form; an opened file travels beside the request as a `File`
//! (never copied to the page).

use motus_core::file_tools::browse::{DatabaseInfo, ExportFormat, PageQuery};
use motus_core::overview::{AuditQuery, RoadmapQuery};
use serde::{Deserialize, Serialize};

/// What the page asks the worker to do. Externally tagged: an internally tagged enum's
/// deserializer buffers every request first (it cost ~26 KB of wasm with JSON), and
/// [`crate::wire`] cannot carry one.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Request {
    /// Open the attached file in place, read-only; a second attached file is its `-wal`.
    Open {
        name: String,
        size: f64,
        #[serde(default)]
        wal_name: Option<String>,
    },
    /// Open a same-origin snapshot (`motus view`'s live database) over HTTP range requests.
    OpenUrl {
        name: String,
        url: String,
        size: f64,
    },
    Objects,
    /// The number of rows of one table or view (asked for after the list is shown).
    RowCount {
        object: String,
    },
    Page {
        query: PageQuery,
    },
    Console {
        sql: String,
    },
    ExportObject {
        query: PageQuery,
        format: ExportFormat,
    },
    /// The overview's first screen: big tables' counts estimated, exact ones to follow.
    Overview,
    /// The overview's counts, every one exact.
    OverviewExact,
    Roadmap {
        query: RoadmapQuery,
    },
    /// At most `limit` items are laid out.
    Graph {
        limit: usize,
    },
    OverviewWork,
    Recent,
    WorkItems,
    Timeline {
        work_id: String,
    },
    Programs,
    Audit {
        query: AuditQuery,
    },
}

/// The reply to [`Request::Open`].
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Opened {
    pub name: String,
    pub size: f64,
    pub info: DatabaseInfo,
    /// What the page should say about how the file was opened (WAL applied or not, …).
    #[serde(default)]
    pub notices: Vec<String>,
    /// Milliseconds spent reading the file and opening it.
    pub read_ms: f64,
    pub open_ms: f64,
    /// Bytes read from the file to open it (the rest is read when a page needs it).
    #[serde(default)]
    pub bytes_read: f64,
    /// Set when this is `motus view`'s live database.
    #[serde(default)]
    pub live: Option<LiveInfo>,
    /// The overview's first screen, worked out with the open so that it shows at once.
    #[serde(default)]
    pub overview: Option<motus_core::overview::OverviewCounts>,
}

/// `GET /live/info` from `motus view`: a consistent snapshot of the database it serves.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct LiveInfo {
    pub snapshot: String,
    pub name: String,
    pub size: f64,
    #[serde(default)]
    pub taken_at: String,
}

/// Progress of a long request (opening a file).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Progress {
    /// What is happening, for people: "Reading file", "Opening", "Checking schema".
    pub phase: String,
    pub done: f64,
    pub total: f64,
}

/// A failure, as the page shows it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Failure {
    /// `motus_core::Error::code()`, or `worker` for a worker problem.
    pub code: String,
    pub message: String,
}

impl Failure {
    pub fn from_core(e: &motus_core::Error) -> Self {
        Failure {
            code: e.code().to_string(),
            message: e.to_string(),
        }
    }
    pub fn worker(message: impl Into<String>) -> Self {
        Failure {
            code: "worker".into(),
            message: message.into(),
        }
    }
}

/// Placed dependency graph, laid out in the worker.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct PlacedGraph {
    pub nodes: Vec<PlacedNode>,
    pub edges: Vec<PlacedEdge>,
    /// Items and dependencies in the whole graph (more than drawn when it was cut).
    pub total_nodes: usize,
    pub total_edges: usize,
    /// Items that depend on themselves (drawn with a mark, not as an edge).
    pub self_loops: Vec<String>,
    /// True when the graph has a cycle (some arrows then point upwards).
    pub cyclic: bool,
    pub width: f64,
    pub height: f64,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct PlacedNode {
    pub node: motus_core::overview::GraphNode,
    /// Top-left corner.
    pub x: f64,
    pub y: f64,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct PlacedEdge {
    pub from: String,
    pub to: String,
    pub dependency_type: String,
    pub x1: f64,
    pub y1: f64,
    pub x2: f64,
    pub y2: f64,
}
