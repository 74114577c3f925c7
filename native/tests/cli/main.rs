//! End-to-end tests of the `motus` binary on real database files.
mod chaos;
mod cluster;
mod contract;
mod crash;
mod db;
mod help;
mod hostile;
mod kernel_rules;
mod ops;
mod output;
mod program;
mod roadmap;
mod safety;
mod strict;
mod userland;
mod view;
mod work;
