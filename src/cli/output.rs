//! `--output table|json|jsonl`, the same on every command that prints results: `table` for
//! people, `json` one document, `jsonl` one JSON value per line. `--json` stays as the
//! command's old JSON form (a document for `status`, lines elsewhere).

use std::io::Write;

use clap::{Args, ValueEnum};

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum Output {
    /// For people: a table or text
    Table,
    /// One JSON document (a list for commands that report item by item)
    Json,
    /// One JSON value per line, for streaming into jq or a log
    Jsonl,
}

#[derive(Debug, Clone, Copy, Default, Args)]
pub struct OutputArgs {
    /// How to print: table, json (one document) or jsonl (one JSON value per line)
    #[arg(long, value_enum, value_name = "FORMAT")]
    pub output: Option<Output>,
    /// The command's JSON form, as before --output: json for status, jsonl elsewhere
    #[arg(long, conflicts_with = "output")]
    pub json: bool,
}

impl OutputArgs {
    /// The format asked for; `json_form` is what `--json` means for this command.
    pub fn format(self, json_form: Output) -> Output {
        match (self.output, self.json) {
            (Some(o), _) => o,
            (None, true) => json_form,
            (None, false) => Output::Table,
        }
    }
}

/// Prints a command's items as JSON: one per line, or one list written as they come (so a
/// long run still streams) and closed when the emitter is dropped, on every way out.
pub struct Emitter {
    format: Output,
    items: usize,
}

impl Emitter {
    /// `None` for the table format, where the command prints text itself.
    pub fn new(format: Output) -> Option<Self> {
        (format != Output::Table).then_some(Emitter { format, items: 0 })
    }

    pub fn emit(&mut self, item: &serde_json::Value) {
        let mut out = std::io::stdout().lock();
        // A closed pipe ends the output quietly, as `println!` would not.
        let _ = match (self.format, self.items) {
            (Output::Json, 0) => writeln!(out, "[{item}"),
            (Output::Json, _) => writeln!(out, ",{item}"),
            _ => writeln!(out, "{item}"),
        };
        self.items += 1;
    }
}

impl Drop for Emitter {
    fn drop(&mut self) {
        if self.format == Output::Json {
            let mut out = std::io::stdout().lock();
            let _ = if self.items == 0 {
                writeln!(out, "[]")
            } else {
                writeln!(out, "]")
            };
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn json_means_the_commands_old_form_and_output_wins() {
        let args = |output, json| OutputArgs { output, json };
        assert_eq!(args(None, false).format(Output::Jsonl), Output::Table);
        assert_eq!(args(None, true).format(Output::Jsonl), Output::Jsonl);
        assert_eq!(args(None, true).format(Output::Json), Output::Json);
        assert_eq!(
            args(Some(Output::Json), false).format(Output::Jsonl),
            Output::Json
        );
        assert!(Emitter::new(Output::Table).is_none());
    }
}
