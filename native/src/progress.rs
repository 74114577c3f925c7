//! Progress bars on stderr for long work (indicatif). Drawn only when stderr is a terminal,
//! never under `--json` or `-q`, and cleared when the work ends, so logs, pipes and agents
//! see nothing. Core reports each step's own fraction ([`motus_core::progress`]); a [`Bar`]
//! weights the steps of one command into one line that reaches 100 % only when its last
//! step ends.

use indicatif::{ProgressBar, ProgressDrawTarget, ProgressStyle};
use motus_core::progress::{Progress, Step};
use std::io::IsTerminal;
use std::sync::atomic::{AtomicBool, Ordering};

static SUPPRESSED: AtomicBool = AtomicBool::new(false);

/// No bar for the rest of this process (`--json`, `-q`).
pub fn suppress() {
    SUPPRESSED.store(true, Ordering::Relaxed);
}

/// Resolution of the bar: positions are in ten-thousandths of the whole command.
const SCALE: u64 = 10_000;

/// One command's bar over its planned steps.
pub struct Bar {
    bar: ProgressBar,
    /// The steps in the order the command runs them, each with its share of the time.
    plan: Vec<(Step, u64)>,
    weights: u64,
    current: usize,
    /// The last `done` reported for the current entry: a report below it starts the next
    /// pass of the same step (hashing the source, later hashing the copy).
    last_done: u64,
    /// Drawn from the first report on: a command that had nothing long to do (no
    /// migration pending) never writes a byte to the terminal.
    shown: bool,
}

impl Bar {
    /// A bar titled `what` ("backing up") over `plan`: a step's weight is its share of the
    /// time, measured on a large database (BENCHMARKS.md). A step that is reported but not
    /// in the plan only changes the message.
    pub fn new(what: &str, plan: &[(Step, u64)]) -> Bar {
        let bar = ProgressBar::with_draw_target(Some(SCALE), ProgressDrawTarget::hidden());
        bar.set_style(
            ProgressStyle::with_template("{prefix} [{bar:30}] {msg} ({elapsed})")
                .expect("a valid template")
                .progress_chars("=> "),
        );
        bar.set_prefix(what.to_string());
        Bar {
            bar,
            plan: plan.to_vec(),
            weights: plan.iter().map(|(_, w)| w).sum::<u64>().max(1),
            current: 0,
            last_done: 0,
            shown: false,
        }
    }
}

impl Progress for Bar {
    fn report(&mut self, step: Step, done: u64, total: u64) {
        if !self.shown {
            self.shown = true;
            if !SUPPRESSED.load(Ordering::Relaxed) && std::io::stderr().is_terminal() {
                self.bar.set_draw_target(ProgressDrawTarget::stderr());
            }
        }
        let mut pos = self.bar.position();
        let same_pass =
            self.plan.get(self.current).is_some_and(|(s, _)| *s == step) && done >= self.last_done;
        let from = if same_pass {
            self.current
        } else {
            self.current + 1
        };
        if let Some(i) = (from..self.plan.len()).find(|&i| self.plan[i].0 == step) {
            self.current = i;
            self.last_done = done;
            let before: u64 = self.plan[..i].iter().map(|(_, w)| w).sum();
            let weight = self.plan[i].1 as f64;
            let part = if total == 0 {
                weight
            } else {
                weight * done.min(total) as f64 / total as f64
            };
            let at = ((before as f64 + part) * SCALE as f64 / self.weights as f64) as u64;
            // 100 % only at the end of the last step; never backwards.
            let last = i + 1 == self.plan.len() && done >= total;
            pos = pos.max(if last { SCALE } else { at.min(SCALE - 1) });
        }
        // Our own percentage, rounded down (indicatif's rounds 99.6 % up to 100 %), set
        // before the position so a redraw never pairs a new bar with an old figure.
        let percent = pos * 100 / SCALE;
        self.bar
            .set_message(format!("{percent:>3}% {} {done}/{total}", step.label()));
        self.bar.set_position(pos);
    }
}

impl Drop for Bar {
    fn drop(&mut self) {
        self.bar.finish_and_clear();
    }
}
