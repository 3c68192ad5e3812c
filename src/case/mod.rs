//! One case: bundle intake (directory, zip; later an object-store prefix), `case.toml`, the
//! pipeline that applies, and the facts merged from every document into one timeline per
//! month — what the checks of `jzz verify` see.

pub mod case_toml;
pub mod engine;
pub mod facts;
pub mod intake;
pub mod pipeline;
