//! kiro-poll: see lib.rs for the map of the program.

fn main() -> std::process::ExitCode {
    std::process::ExitCode::from(kiro_poll::main_entry())
}
