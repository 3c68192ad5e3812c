//! The commands of SPEC §6 as library functions: each wires the stages together for one job.
//! The binary only parses arguments and prints.

pub mod crop;
pub mod inspect;
pub mod precheck;
pub mod verify;
