//! Deploy and destroy jobs as the console tracks them: progress, log, outcome.

use super::screens::matrix::CellKey;

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum JobState {
    Running,
    Succeeded(String),
    /// Every step ran, but the check afterwards found something not on (or could not ask):
    /// never shown as done.
    Unverified(String),
    Failed(String),
}

#[derive(Debug, Clone)]
pub struct Job {
    pub id: u64,
    pub title: String,
    pub cells: Vec<CellKey>,
    pub total: usize,
    pub done: usize,
    pub state: JobState,
    pub log: Vec<(super::ui::Level, String)>,
}

impl Job {
    pub fn percent(&self) -> u16 {
        let total = self.total.max(1);
        let pct = self.done * 100 / total;
        u16::try_from(pct.clamp(1, 99)).unwrap_or(99)
    }
}

#[derive(Debug, Default)]
pub struct Jobs {
    pub list: Vec<Job>,
}

impl Jobs {
    /// The running job that covers a cell, if any.
    pub fn for_cell(&self, key: &CellKey) -> Option<&Job> {
        self.list
            .iter()
            .rev()
            .find(|j| j.state == JobState::Running && j.cells.contains(key))
    }

    pub fn running(&self) -> bool {
        self.list.iter().any(|j| j.state == JobState::Running)
    }

    pub fn get_mut(&mut self, id: u64) -> Option<&mut Job> {
        self.list.iter_mut().find(|j| j.id == id)
    }

    pub fn get(&self, id: u64) -> Option<&Job> {
        self.list.iter().find(|j| j.id == id)
    }
}
