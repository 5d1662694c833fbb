//! Project automation, run as `cargo xtask <command>`.

use std::process::ExitCode;

/// Every subcommand, with what it does.
const COMMANDS: &[(&str, &str)] = &[
    ("help", "list the subcommands"),
    (
        "codegen",
        "generate product clients from API metadata (not implemented yet)",
    ),
];

fn usage() -> String {
    let mut text = String::from("usage: cargo xtask <command>\n\ncommands:\n");
    for (name, what) in COMMANDS {
        text.push_str(&format!("  {name:<10} {what}\n"));
    }
    text
}

fn main() -> ExitCode {
    let command = std::env::args().nth(1);
    match command.as_deref() {
        None | Some("help" | "-h" | "--help") => {
            #[allow(clippy::print_stdout)]
            {
                print!("{}", usage());
            }
            ExitCode::SUCCESS
        }
        Some("codegen") => {
            eprintln!("cargo xtask codegen: not implemented yet");
            ExitCode::FAILURE
        }
        Some(other) => {
            eprintln!("unknown command `{other}`\n\n{}", usage());
            ExitCode::from(2)
        }
    }
}
