//! `portplan completions SHELL` and the man pages `cargo xtask dist` ships.

use crate::cli::{CompletionsArgs, ManArgs};
use anyhow::Context;
use std::process::ExitCode;

pub fn completions(a: CompletionsArgs) -> anyhow::Result<ExitCode> {
    let mut cmd = crate::cli::command();
    let mut out = Vec::new();
    clap_complete::generate(a.shell, &mut cmd, "portplan", &mut out);
    crate::io::write_output(None, &out)?;
    Ok(ExitCode::SUCCESS)
}

/// `portplan.1` and `portplan-<sub>.1` for every visible subcommand.
pub fn man(a: ManArgs) -> anyhow::Result<ExitCode> {
    std::fs::create_dir_all(&a.dir).with_context(|| format!("--dir {}", a.dir.display()))?;
    // clap's built-in `help` subcommand has no page of its own: the main page must not
    // point at a portplan-help(1) nobody ships.
    let cmd = crate::cli::command().disable_help_subcommand(true);
    let mut pages = vec![("portplan".to_string(), cmd.clone())];
    for sub in cmd.get_subcommands().filter(|s| !s.is_hide_set()) {
        let name = format!("portplan-{}", sub.get_name());
        let leaked: &'static str = Box::leak(name.clone().into_boxed_str());
        pages.push((name, sub.clone().name(leaked)));
    }
    for (name, page) in pages {
        let mut out = Vec::new();
        clap_mangen::Man::new(page).render(&mut out)?;
        crate::io::write_output(Some(&a.dir.join(format!("{name}.1"))), &out)?;
    }
    Ok(ExitCode::SUCCESS)
}
