//! What every run on an engine needs, whatever its kind: the engine it talks to (a live one
//! or the simulated one in-process), its journal file, its ids, its clock and its runtime.

pub mod bench;
pub mod bench_role;
pub mod clock;
pub mod ids;
pub mod journal;
pub mod live;
pub mod reinstall;
pub mod runtime;
pub mod target;
pub mod work;
