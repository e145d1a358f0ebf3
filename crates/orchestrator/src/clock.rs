//! Time for the executor, as a seam: the real clock for a real engine, a faster one for the
//! simulated engine of a demo, tokio's paused clock in tests. The planner never asks.

use std::future::Future;
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use model::Timestamp;

/// Now, by the machine's clock: where a run's engine time starts, and when a step was ticked.
pub fn wall_clock() -> Timestamp {
    let millis = SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map_or(0, |elapsed| elapsed.as_millis() as i64);
    Timestamp::from_millis(millis)
}

pub trait Clock: Send + Sync {
    /// The engine's time now.
    fn now(&self) -> Timestamp;
    /// Waits `duration` of the engine's time.
    fn sleep(&self, duration: Duration) -> impl Future<Output = ()> + Send;
}

/// tokio's clock, seen `speed` times faster: the engine's time runs from `start`. With speed 1
/// it is the wall clock; a simulated engine run faster than real time gets the same speed so
/// that timeouts and poll intervals keep their meaning in the engine's time.
#[derive(Debug, Clone)]
pub struct TokioClock {
    origin: tokio::time::Instant,
    start: Timestamp,
    speed: f64,
}

impl TokioClock {
    pub fn new(start: Timestamp, speed: f64) -> TokioClock {
        TokioClock {
            origin: tokio::time::Instant::now(),
            start,
            speed: speed.max(f64::MIN_POSITIVE),
        }
    }
}

impl Clock for TokioClock {
    fn now(&self) -> Timestamp {
        let elapsed = self.origin.elapsed().as_secs_f64() * self.speed;
        self.start.plus_millis((elapsed * 1000.0) as i64)
    }

    async fn sleep(&self, duration: Duration) {
        tokio::time::sleep(duration.div_f64(self.speed)).await;
    }
}
