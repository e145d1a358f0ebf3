//! The one progress reporter, whatever the run: progress bars on a terminal with the notable
//! events printed above them, the events as lines on standard error otherwise, or every
//! event as a JSON line on standard output. Each kind of run brings its lines ([`line`]) and
//! its bars ([`RunBars`]), set up when its start event arrives, so one reporter can follow
//! several runs in turn (the demo's workflow).

use std::io::{IsTerminal as _, Write as _};
use std::sync::Mutex;
use std::time::Duration;

use indicatif::{MultiProgress, ProgressBar, ProgressDrawTarget, ProgressStyle};
use model::{Lang, Timestamp};
use orchestrator::{EventSink, RunEvent};
use serde::Serialize;

use super::{chain, rolling};
use crate::cli::OutputFormat;
use crate::context::{Context, Verbosity};
use crate::runs::clock::time_of_day;

/// One JSON line of `--output json`: the engine time and the event.
#[derive(Serialize)]
struct JsonLine<'a> {
    at: Timestamp,
    #[serde(flatten)]
    event: &'a RunEvent,
}

enum Mode {
    /// Progress bars on a terminal, notable events printed above them.
    Bars(MultiProgress),
    /// Notable events as lines on standard error.
    Lines,
    /// Every event as a JSON line on standard output.
    Json,
    Quiet,
}

/// The bars of the run under way.
pub trait RunBars: Send {
    fn update(&mut self, at: Timestamp, event: &RunEvent);
    fn finish(&mut self);
}

/// A run's two main bars: its share done, and a count (migrations, restarts).
pub struct Bars {
    pub multi: MultiProgress,
    pub overall: ProgressBar,
    pub count: ProgressBar,
}

impl Bars {
    pub fn new(multi: &MultiProgress, prefix: String, counting: &str, total: u64) -> Bars {
        let overall = multi.add(ProgressBar::new(100));
        overall.set_style(
            ProgressStyle::with_template(
                "{prefix:<18} [{bar:32.cyan/blue}] {pos:>3}%  {wide_msg} ",
            )
            .expect("a valid template")
            .progress_chars("=> "),
        );
        overall.set_prefix(prefix);
        overall.enable_steady_tick(Duration::from_millis(120));
        let count = multi.add(ProgressBar::new(total));
        count.set_style(
            ProgressStyle::with_template(
                "{prefix:<18} [{bar:32.green/white}] {pos}/{len}  {wide_msg} ",
            )
            .expect("a valid template")
            .progress_chars("=> "),
        );
        count.set_prefix(counting.to_owned());
        Bars {
            multi: multi.clone(),
            overall,
            count,
        }
    }

    /// One more counted, the bar growing when the count passes the plan's.
    pub fn count_one(&self) {
        let done = self.count.position() + 1;
        if done > self.count.length().unwrap_or(0) {
            self.count.set_length(done);
        }
        self.count.set_position(done);
    }

    pub fn finish(&self) {
        self.overall.finish();
        self.count.finish();
        let _ = self.multi.clear();
    }
}

/// Turns runs' events into bars, lines or JSON.
pub struct Progress {
    mode: Mode,
    lang: Lang,
    verbose: bool,
    bars: Mutex<Option<Box<dyn RunBars>>>,
}

impl Progress {
    /// For a run: with `--output json`, every event as a JSON line.
    pub fn new(ctx: &Context) -> Progress {
        Progress::with_json(ctx, true)
    }

    /// For a command whose JSON is its result alone: events show only as text.
    pub fn text_only(ctx: &Context) -> Progress {
        Progress::with_json(ctx, false)
    }

    fn with_json(ctx: &Context, json: bool) -> Progress {
        let mode = match ctx.output {
            OutputFormat::Json if json => Mode::Json,
            OutputFormat::Json => Mode::Quiet,
            OutputFormat::Text if ctx.verbosity == Verbosity::Quiet => Mode::Quiet,
            OutputFormat::Text if std::io::stderr().is_terminal() => {
                Mode::Bars(MultiProgress::with_draw_target(ProgressDrawTarget::stderr()))
            }
            OutputFormat::Text => Mode::Lines,
        };
        Progress {
            mode,
            lang: ctx.lang,
            verbose: ctx.verbosity == Verbosity::Verbose,
            bars: Mutex::new(None),
        }
    }

    /// A way to print a line that keeps the bars intact, for the Ctrl-C handler.
    pub fn printer(&self) -> impl Fn(&str) + Send + 'static {
        let multi = match &self.mode {
            Mode::Bars(multi) => Some(multi.clone()),
            _ => None,
        };
        move |text: &str| match &multi {
            Some(multi) => {
                let _ = multi.println(text);
            }
            None => eprintln!("{text}"),
        }
    }

    /// Takes the bars away, whatever state the run ended in.
    pub fn close(&self) {
        if let Some(mut bars) = self.lock().take() {
            bars.finish();
        }
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, Option<Box<dyn RunBars>>> {
        self.bars.lock().unwrap_or_else(|p| p.into_inner())
    }

    fn say(&self, at: Timestamp, text: String) {
        let stamped = format!("{} {text}", time_of_day(at));
        match &self.mode {
            Mode::Bars(multi) if self.lock().is_some() => {
                let _ = multi.println(stamped);
            }
            Mode::Bars(_) | Mode::Lines => eprintln!("{stamped}"),
            Mode::Json | Mode::Quiet => {}
        }
    }

    fn update_bars(&self, at: Timestamp, event: &RunEvent) {
        let Mode::Bars(multi) = &self.mode else {
            return;
        };
        let started = rolling::start_bars(multi, at, event, self.lang)
            .or_else(|| chain::start_bars(multi, event, self.lang));
        if let Some(bars) = started {
            self.close();
            *self.lock() = Some(bars);
            return;
        }
        if matches!(
            event,
            RunEvent::RunFinished { .. } | RunEvent::ChainFinished { .. }
        ) {
            return self.close();
        }
        if let Some(bars) = self.lock().as_mut() {
            bars.update(at, event);
        }
    }

    /// The event's line, if this terminal shows it: the steps of a migration or a restart,
    /// the engine's own events and retries only with `-v`; a batch of restarts when no bar
    /// shows it.
    fn line(&self, event: &RunEvent) -> Option<String> {
        let shown = match event {
            RunEvent::MigrationStarted { .. }
            | RunEvent::EngineEvent { .. }
            | RunEvent::Retrying { .. }
            | RunEvent::VmRestarted { .. } => self.verbose,
            RunEvent::RestartBatch { .. } => self.verbose || !matches!(self.mode, Mode::Bars(_)),
            _ => true,
        };
        let message = event.message().filter(|_| shown)?;
        Some(message.into_lang(self.lang).into_owned())
    }
}

impl EventSink for Progress {
    fn emit(&self, at: Timestamp, event: RunEvent) {
        match &self.mode {
            Mode::Json => {
                let line = serde_json::to_string(&JsonLine { at, event: &event })
                    .expect("events serialise");
                let mut stdout = std::io::stdout().lock();
                let _ = writeln!(stdout, "{line}");
                let _ = stdout.flush();
            }
            Mode::Quiet => {}
            Mode::Bars(_) | Mode::Lines => {
                self.update_bars(at, &event);
                if let Some(text) = self.line(&event) {
                    self.say(at, text);
                }
            }
        }
    }
}
