//! Completion scripts (clap_complete) and the man page (clap_mangen), generated from the one
//! definition of the command line. The copies in completions/ are checked by a test.

use std::io::Write;

use clap::CommandFactory;
use clap_complete::Shell;

use crate::cli::{Cli, CompletionTarget};

pub fn generate(target: CompletionTarget, out: &mut impl Write) -> std::io::Result<()> {
    let mut cmd = Cli::command();
    let shell = match target {
        CompletionTarget::Bash => Shell::Bash,
        CompletionTarget::Zsh => Shell::Zsh,
        CompletionTarget::Fish => Shell::Fish,
        CompletionTarget::Powershell => Shell::PowerShell,
        CompletionTarget::Elvish => Shell::Elvish,
        CompletionTarget::Man => {
            return clap_mangen::Man::new(cmd).render(out);
        }
    };
    clap_complete::generate(shell, &mut cmd, "kiro-poll", out);
    out.flush()
}

/// The file each target is kept in under completions/.
pub fn file_name(target: CompletionTarget) -> &'static str {
    match target {
        CompletionTarget::Bash => "kiro-poll.bash",
        CompletionTarget::Zsh => "_kiro-poll",
        CompletionTarget::Fish => "kiro-poll.fish",
        CompletionTarget::Powershell => "_kiro-poll.ps1",
        CompletionTarget::Elvish => "kiro-poll.elv",
        CompletionTarget::Man => "kiro-poll.1",
    }
}

pub const ALL: [CompletionTarget; 6] = [
    CompletionTarget::Bash,
    CompletionTarget::Zsh,
    CompletionTarget::Fish,
    CompletionTarget::Powershell,
    CompletionTarget::Elvish,
    CompletionTarget::Man,
];
