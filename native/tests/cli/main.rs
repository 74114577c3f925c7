//! End-to-end tests of the `motus` binary on real database files.
mod db;
mod userland;
