//! softmax-core: the numeric kernels of softmax-nn, on plain f32 slices.
//!
//! One file per kernel family; each family has a scalar reference (`*_ref`) next to its fast path, which
//! uses wasm `simd128` when the crate is built for wasm32 with that feature. `abi` is the only place
//! with `extern "C"` functions and raw pointers.

// Kernels take their sizes as plain arguments, BLAS-style (gemm has ten); a struct per call would only
// move the same list elsewhere.
#![allow(clippy::too_many_arguments)]

pub mod abi;
pub mod compare;
pub mod conv;
pub mod convert;
pub mod cross_entropy;
pub mod data;
pub mod elementwise;
pub mod fused;
pub mod gemm;
pub mod image;
pub mod index;
pub mod inflate;
pub mod join;
pub mod metrics;
pub mod optim;
pub mod optim_adaptive;
pub mod reduce;
pub mod rng;
mod simd;
pub mod softmax;
pub mod strided;
pub mod threads;
