//! `portplan`: plan and verify the network ports of PlateSpin Migrate, Protect and Forge.
//! Everything lives in the library (`lib.rs`), so tests and fuzzing reach all of it.

fn main() -> std::process::ExitCode {
    portplan::main()
}
