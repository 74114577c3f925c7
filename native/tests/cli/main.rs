//! End-to-end tests of the `motus` binary on real database files.
mod contract;
mod crash;
mod db;
mod hostile;
mod ops;
mod program;
mod roadmap;
mod userland;
mod work;
