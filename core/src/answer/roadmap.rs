//! The roadmap's documents (`motus roadmap … --json`, the JS API's `roadmap*` calls, the MCP
//! server's `roadmap_*` tools): the domain's own types, published under one name each.

use super::{Answer, List};
use crate::program::history::History;
use crate::roadmap::assignments::{AssignOutcome, Release};
pub use crate::roadmap::calls::ExportAnswer;
use crate::roadmap::calls::{BlockedList, ItemView, ReadyList};
use crate::roadmap::items::Completion;
use crate::roadmap::{AddedItem, Edge, Item, Why};

impl Answer for Item {
    /// `roadmap update|review|delete|restore`: the item as it now is.
    const NAME: &'static str = "roadmap.item";
}
impl Answer for AddedItem {
    const NAME: &'static str = "roadmap.add";
}
impl Answer for ItemView {
    const NAME: &'static str = "roadmap.show";
}
impl Answer for List<Item> {
    const NAME: &'static str = "roadmap.list";
}
impl Answer for ReadyList {
    const NAME: &'static str = "roadmap.ready";
}
impl Answer for BlockedList {
    const NAME: &'static str = "roadmap.blocked";
}
impl Answer for Why {
    const NAME: &'static str = "roadmap.why";
}
impl Answer for Edge {
    /// `roadmap dep add|rm|move`: the dependency added, removed or moved.
    const NAME: &'static str = "roadmap.dependency";
}
impl Answer for AssignOutcome {
    const NAME: &'static str = "roadmap.assign";
}
impl Answer for Release {
    const NAME: &'static str = "roadmap.release";
}
impl Answer for Completion {
    const NAME: &'static str = "roadmap.complete";
}
impl Answer for History {
    /// `roadmap history` and `<kind> history`: snapshots and audit rows of one entity.
    const NAME: &'static str = "history";
}

impl Answer for ExportAnswer {
    const NAME: &'static str = "roadmap.export";
}
