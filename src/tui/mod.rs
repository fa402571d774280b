//! The console: `app` (state and the one `update`), `editors` (routing and budget fields),
//! `keys` (the key table), `view` (drawing, no I/O), `runtime` (event loop and effects).

pub mod app;
pub mod editors;
pub mod keys;
pub mod runtime;
pub mod theme;
pub mod view;

pub use app::{Action, App, Effect, Env, Screen};
