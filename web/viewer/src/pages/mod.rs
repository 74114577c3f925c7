//! One module per page. Each page reads its state from the URL and asks the worker for data.

pub mod audit;
pub mod console;
pub mod graph;
pub mod grid;
pub mod overview;
pub mod programs;
pub mod roadmap;
pub mod tables;
pub mod work;
