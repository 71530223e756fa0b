//! Generated scenarios for tests that need size or odd shapes (the core's generator, so
//! tests and benchmarks measure the same shape).

pub use portplan_core::sample::wave;
