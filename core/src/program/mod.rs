//! Program management: programs → products → features → bugs and releases, change requests
//! and their dependencies, standards and their assignments, compliance results, charter
//! documents, and the history of every versioned entity.

pub mod calls;
pub mod charters;
pub mod crs;
pub mod entity;
pub mod history;
pub mod kinds;
pub mod standards;

pub use entity::{ListOptions, Record, Values};
pub use kinds::Kind;

#[cfg(test)]
mod tests;
