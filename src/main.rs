//! The `jzz` binary: parses arguments (`cli`), runs a job from the library, prints, exits with
//! the status of SPEC §6.

mod cli;

fn main() {
    std::process::exit(cli::run());
}
