//! The use cases the CLI and the console share. Each returns a typed outcome (or a typed error
//! where callers branch on it); the CLI prints it, the console turns it into actions. Neither
//! decides success or failure by reading text.

pub mod deploy;
pub mod findings;
pub mod notifier;
pub mod routing;
pub mod test_message;
