//! The console. Data flow:
//!   crossterm keys, ticks and job results → `Action` → `App::update` (app.rs: focus routing)
//!   → the command table (command.rs) turns a key into a `Command` for the screen in focus
//!   (screens/<screen>.rs: state, commands, drawing) or the open popup (popups/)
//!   → `Effect`s, which `runtime` runs as tokio tasks that report back as `Action`s
//!   → `view::draw` reads the state (no I/O) when something changed.

pub mod app;
pub mod command;
pub mod editors;
pub mod input;
pub mod jobs;
pub mod popups;
pub mod runtime;
pub mod screens;
pub mod theme;
pub mod ui;
pub mod view;
pub mod widgets;

pub use app::{Action, App, Effect, Env};
pub use screens::Screen;
