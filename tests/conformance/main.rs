//! Conformance against real databases written by the original motusos 0.3.3.
mod roadmap;
mod rules;
mod schema;
mod upgrade;
