#![no_main]
//! `jzz::fuzzing::xls`: see that function for what is asserted.
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| jzz::fuzzing::xls(data));
