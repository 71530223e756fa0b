use crate::cli::DrivePortArgs;
use portplan_core::DriveLetter;
use std::process::ExitCode;

/// Prints one port per letter; all letters are checked before anything is printed.
pub fn run(a: DrivePortArgs) -> anyhow::Result<ExitCode> {
    let drives = a
        .letters
        .iter()
        .map(|l| DriveLetter::parse(l))
        .collect::<Result<Vec<_>, _>>()?;
    let text: String = drives.iter().map(|d| format!("{}\n", d.port())).collect();
    crate::io::write_output(None, text.as_bytes())?;
    Ok(ExitCode::SUCCESS)
}
