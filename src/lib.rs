//! jzz — document intake and verification for the Beijing Work Residence Permit
//! (北京市工作居住证).
//!
//! The crate reads as the pipeline: [`read`] (bytes → sheets) → [`classify`] (what a
//! document is) → [`extract`] (typed records with their source) → [`facts`] (one timeline per
//! person and month) → [`checks`] (findings with evidence) → [`report`] (text, JSON). [`model`]
//! holds the domain types and [`policy`] the table every decision is made with; [`jobs`] wires
//! the stages into the commands of SPEC §6, and `cli` (in the binary) parses arguments.

pub mod case;
pub mod checks;
pub mod classify;
pub mod dossier;
pub mod extract;
pub mod facts;
pub mod fuzzing;
pub mod jobs;
pub mod model;
pub mod nightly;
pub mod policy;
pub mod read;
pub mod report;
pub mod server;
pub mod store;
