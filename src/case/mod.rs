//! One case's door: bundle intake (a directory or a zip; later an object-store prefix) — path
//! escapes, links, bombs and nesting refused by name, every file hashed. What the case *says*
//! (`case.toml`) and what its documents hold are `facts::case_toml` and `facts::case`; the
//! pipeline and the engine that runs it are `checks::pipeline` and `checks::engine`.

pub mod intake;
