//! Project automation, run as `cargo xtask <command>`.

mod codegen;
mod compile_cost;
mod wire_diff;

use std::process::ExitCode;

/// Every subcommand, with what it does.
const COMMANDS: &[(&str, &str)] = &[
    ("help", "list the subcommands"),
    (
        "codegen",
        "regenerate the product crates from their API metadata (--check: only compare)",
    ),
    (
        "codegen-probe",
        "<api-docs.json> <dir>: generate any product as a standalone crate and clippy it",
    ),
    (
        "wire-diff",
        "<api-docs.json> <python package[==version]>: compare every operation's request with the official Python SDK's",
    ),
    (
        "check-spec",
        "<api-docs.json>...: parse specs and summarise them",
    ),
    (
        "import-spec",
        "<source> <dest>: copy a spec keeping only facts (no descriptions)",
    ),
    (
        "compile-cost",
        "measure the build cost of the generated crates",
    ),
];

fn usage() -> String {
    let mut text = String::from("usage: cargo xtask <command>\n\ncommands:\n");
    for (name, what) in COMMANDS {
        text.push_str(&format!("  {name:<14} {what}\n"));
    }
    text
}

fn finish(result: Result<String, String>) -> ExitCode {
    match result {
        Ok(report) => {
            #[allow(clippy::print_stdout)]
            {
                print!("{report}");
            }
            ExitCode::SUCCESS
        }
        Err(message) => {
            eprintln!("{message}");
            ExitCode::FAILURE
        }
    }
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
        Some("check-spec") => {
            let paths: Vec<String> = std::env::args().skip(2).collect();
            if paths.is_empty() {
                eprintln!("usage: cargo xtask check-spec <api-docs.json>...");
                return ExitCode::from(2);
            }
            match codegen::check(&paths) {
                Ok(report) => {
                    #[allow(clippy::print_stdout)]
                    {
                        print!("{report}");
                    }
                    ExitCode::SUCCESS
                }
                Err(message) => {
                    eprintln!("{message}");
                    ExitCode::FAILURE
                }
            }
        }
        Some("codegen") => {
            let check = std::env::args().skip(2).any(|a| a == "--check");
            finish(codegen::run(check))
        }
        Some("codegen-probe") => {
            let args: Vec<String> = std::env::args().skip(2).collect();
            match args.as_slice() {
                [spec, out] => finish(codegen::probe(spec, out)),
                _ => {
                    eprintln!("usage: cargo xtask codegen-probe <api-docs.json> <output dir>");
                    ExitCode::from(2)
                }
            }
        }
        Some("wire-diff") => {
            let args: Vec<String> = std::env::args().skip(2).collect();
            match args.as_slice() {
                [spec, package] => finish(wire_diff::run(spec, package)),
                _ => {
                    eprintln!(
                        "usage: cargo xtask wire-diff <api-docs.json> <python package[==version]>"
                    );
                    ExitCode::from(2)
                }
            }
        }
        Some("compile-cost") => {
            let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
                .parent()
                .map(std::path::Path::to_path_buf)
                .unwrap_or_default();
            finish(compile_cost::run(&root))
        }
        Some("import-spec") => {
            let args: Vec<String> = std::env::args().skip(2).collect();
            match args.as_slice() {
                [source, dest] => finish(codegen::facts::import(source, dest)),
                _ => {
                    eprintln!("usage: cargo xtask import-spec <source api-docs.json> <dest>");
                    ExitCode::from(2)
                }
            }
        }
        Some(other) => {
            eprintln!("unknown command `{other}`\n\n{}", usage());
            ExitCode::from(2)
        }
    }
}
