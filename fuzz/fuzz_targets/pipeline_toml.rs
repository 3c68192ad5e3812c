#![no_main]
//! `jzz::fuzzing::pipeline_toml`: see that function for what is asserted.
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| jzz::fuzzing::pipeline_toml(data));
