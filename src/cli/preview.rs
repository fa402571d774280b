//! `awsmon-tui preview --event FILE|- [FILE...]`: what the notifier would do with a Lambda payload,
//! using this config's routing and filters and the notifier's own code.

use std::io::{Read, Write};
use std::path::Path;

use awsmon_notifier::{Decision, prepare_reader};

use super::args::PreviewArgs;
use super::output::Output;
use super::{Failure, GlobalArgs};
use crate::slack_view;

pub fn run(global: &GlobalArgs, args: &PreviewArgs) -> Result<(), Failure> {
    let loaded = super::load_config(global)?;
    let cfg = &loaded.config;
    // As the routing is pushed, as far as it can be without the Organization's tree.
    let (settings, note) = crate::org::routing::offline(cfg, "preview");
    if let Some(note) = note {
        eprintln!("note: {note}");
    }
    let mut out = std::io::BufWriter::with_capacity(64 * 1024, std::io::stdout().lock());
    let format = args.out.format(Output::Jsonl);
    // Several files read as one stream of events: one JSON list, one line per event.
    let mut events = 0usize;
    let mut result = Ok(());
    for path in &args.event {
        result = one_file(path, &settings, format, &mut out, &mut events);
        if result.is_err() {
            break;
        }
    }
    let mut written = Ok(());
    if format == Output::Json {
        // Closed on errors too, so what was printed before one is still a JSON document.
        written = out.write_all(if events == 0 { b"[]\n" } else { b"]\n" });
    }
    let flushed = out.flush();
    result?;
    // A closed pipe (`| head`) ends the preview quietly, as println! did not.
    match written.and(flushed) {
        Err(e) if e.kind() != std::io::ErrorKind::BrokenPipe => {
            Err(Failure::usage(format!("cannot write the preview: {e}")))
        }
        _ => Ok(()),
    }
}

/// Streams one file's events (a large array is read, prepared and printed one at a time).
fn one_file(
    path: &Path,
    settings: &awsmon_notifier::Settings,
    format: Output,
    out: &mut impl Write,
    events: &mut usize,
) -> Result<(), Failure> {
    let (label, input): (String, Box<dyn Read>) = if path == Path::new("-") {
        (
            "standard input".to_string(),
            Box::new(std::io::stdin().lock()),
        )
    } else {
        let file = std::fs::File::open(path)
            .map_err(|e| Failure::usage(format!("{}: cannot read: {e}", path.display())))?;
        (path.display().to_string(), Box::new(file))
    };
    let mut line = Vec::with_capacity(4096);
    let mut written = Ok(());
    let streamed = prepare_reader(
        std::io::BufReader::with_capacity(64 * 1024, input),
        settings,
        |p| {
            if written.is_err() {
                return;
            }
            line.clear();
            match format {
                // One list, written as the events come: `[` first, `,` between.
                Output::Json => {
                    line.push(if *events == 0 { b'[' } else { b',' });
                    p.write_json(&mut line);
                }
                Output::Jsonl => p.write_json(&mut line),
                Output::Table => line.extend_from_slice(text(&p).as_bytes()),
            }
            *events += 1;
            line.push(b'\n');
            written = out.write_all(&line);
        },
    );
    if let Err(e) = streamed {
        if e.is_io() {
            return Err(Failure::usage(format!("{label}: cannot read: {e}")));
        }
        return Err(Failure::usage(format!(
            "{label}: not JSON (line {}, column {}): {e}. Expected an EventBridge event, an SNS Lambda event, or a JSON array of them.",
            e.line(),
            e.column()
        )));
    }
    match written {
        Err(e) if e.kind() != std::io::ErrorKind::BrokenPipe => {
            Err(Failure::usage(format!("cannot write the preview: {e}")))
        }
        _ => Ok(()),
    }
}

/// One event in the terminal: the decision and routes, then the message as text.
fn text(p: &awsmon_notifier::Prepared) -> String {
    let routes: Vec<String> = p
        .routes
        .iter()
        .map(awsmon_notifier::WebhookUrl::masked)
        .collect();
    let mut routes = if routes.is_empty() {
        "(no webhook configured)".to_string()
    } else {
        routes.join(", ")
    };
    if let Some(via) = &p.via {
        routes.push_str(&format!(" (ROUTING_OVERRIDES {via})"));
    }
    let mut out = match &p.decision {
        Decision::Send { mention } => format!(
            "── {} {}: SEND (mention {}) → {routes}\n",
            p.service_name(),
            p.id,
            mention.as_str()
        ),
        Decision::Drop { reason } => {
            format!("── {} {}: DROP ({reason})\n", p.service_name(), p.id)
        }
    };
    if let Some(payload) = &p.payload {
        out.push_str(&slack_view::to_text(payload));
    }
    // Event text is the sender's: no escape sequence of theirs reaches the terminal.
    crate::text::printable(&out).into_owned()
}
