//! Program management: programs → products → features → bugs and releases, change requests
//! and their dependencies, standards and their assignments, compliance results, charter
//! documents, and the history of every versioned entity.

pub mod history;
