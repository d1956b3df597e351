//! Optimiser updates: SGD (momentum, dampening, Nesterov, weight decay) and Adam / AdamW, in the order
//! of operations of PyTorch 1.13's `_single_tensor_sgd` / `_single_tensor_adam` / `_single_tensor_adamw`
//! (Debian's python3-torch 1.13.1, the parity reference):
//!
//! SGD:   d = g (+ wd·p if wd ≠ 0)
//!        if momentum ≠ 0: buf = d on the first step, else buf = buf·momentum + (1 − dampening)·d;
//!                         d = nesterov ? d + momentum·buf : buf
//!        p = p + (−lr)·d
//! Adam:  AdamW (decoupled): p = p·(1 − lr·wd);  Adam: g = g + wd·p (if wd ≠ 0)
//!        m = m·β1 + (1 − β1)·g                 (1.13: exp_avg.mul_(β1).add_(g, alpha=1−β1); the
//!                                               lerp form only arrived in PyTorch 2.0)
//!        v = v·β2 + ((1 − β2)·g)·g             (addcmul_: self + value·t1·t2, left to right)
//!        bc1 = 1 − β1^step, bc2 = 1 − β2^step  (Python floats: f64)
//!        denom = sqrt(v) / f32(sqrt(bc2)) + eps
//!        p = p + (f32(−lr/bc1)·m) / denom       (addcdiv_: self + value·t1/t2, left to right)
//! Scalars that PyTorch derives in Python (1 − dampening, 1 − β, lr·wd, bias corrections, lr/bc1)
//! are computed in f64 and rounded to f32 once, as PyTorch does when it hands them to a kernel.
//! Hyper-parameters arrive as f64 (JavaScript numbers, like Python floats) so that these derived
//! scalars round exactly as PyTorch's do.
//!
//! Deliberate differences from PyTorch:
//! - PyTorch's AVX2 CPU kernels evaluate `a.add(b, alpha=s)` as one fused multiply-add
//!   (measured on Debian's build: 100 % FMA-rounded). wasm simd128 has no FMA, so `a + s·b` is
//!   rounded twice here: ≤ 1 f32 ulp per operation (also what PyTorch's non-AVX builds do).
//! - The maximize/amsgrad/foreach/capturable options are not implemented.
//!
//! The fast paths run the very same per-element formula (generic over `f32` / `F32x4`), 4 lanes at a
//! time, so fast and reference results are bit-identical.

use crate::simd::F32x4;

/// The arithmetic the update formulas need, for one lane (`f32`) or four (`F32x4`).
pub(crate) trait Num: Copy {
    fn s(v: f32) -> Self;
    fn add(self, o: Self) -> Self;
    fn mul(self, o: Self) -> Self;
    fn div(self, o: Self) -> Self;
    fn sqrt(self) -> Self;
}

impl Num for f32 {
    #[inline(always)]
    fn s(v: f32) -> Self {
        v
    }
    #[inline(always)]
    fn add(self, o: Self) -> Self {
        self + o
    }
    #[inline(always)]
    fn mul(self, o: Self) -> Self {
        self * o
    }
    #[inline(always)]
    fn div(self, o: Self) -> Self {
        self / o
    }
    #[inline(always)]
    fn sqrt(self) -> Self {
        f32::sqrt(self)
    }
}

impl Num for F32x4 {
    #[inline(always)]
    fn s(v: f32) -> Self {
        F32x4::splat(v)
    }
    #[inline(always)]
    fn add(self, o: Self) -> Self {
        F32x4::add(self, o)
    }
    #[inline(always)]
    fn mul(self, o: Self) -> Self {
        F32x4::mul(self, o)
    }
    #[inline(always)]
    fn div(self, o: Self) -> Self {
        F32x4::div(self, o)
    }
    #[inline(always)]
    fn sqrt(self) -> Self {
        F32x4::sqrt(self)
    }
}

/// Loop-invariant scalars of one SGD step.
#[derive(Clone, Copy)]
struct SgdK {
    neg_lr: f32,
    momentum: f32,
    one_minus_damp: f32,
    wd: f32,
    nesterov: bool,
    first: bool,
    use_wd: bool,
    use_mom: bool,
}

impl SgdK {
    fn new(
        lr: f64,
        momentum: f64,
        dampening: f64,
        weight_decay: f64,
        nesterov: bool,
        first: bool,
    ) -> Self {
        SgdK {
            neg_lr: -lr as f32,
            momentum: momentum as f32,
            one_minus_damp: (1.0 - dampening) as f32,
            wd: weight_decay as f32,
            nesterov,
            first,
            use_wd: weight_decay != 0.0,
            use_mom: momentum != 0.0,
        }
    }
}

/// One SGD update of `p` (and `buf`, when momentum is used); returns the new `(p, buf)`.
#[inline(always)]
fn sgd_elem<V: Num>(k: &SgdK, p: V, g: V, buf: V) -> (V, V) {
    let mut d = g;
    if k.use_wd {
        d = d.add(V::s(k.wd).mul(p));
    }
    let mut b = buf;
    if k.use_mom {
        b = if k.first {
            d
        } else {
            b.mul(V::s(k.momentum)).add(V::s(k.one_minus_damp).mul(d))
        };
        d = if k.nesterov {
            d.add(V::s(k.momentum).mul(b))
        } else {
            b
        };
    }
    (p.add(V::s(k.neg_lr).mul(d)), b)
}

/// PyTorch SGD step on one parameter tensor. `buf` (the momentum buffer, same length as `param`) is
/// read and written only when `momentum != 0` (it may be empty otherwise); on `first_step` its old
/// content is ignored (PyTorch's `buf = d.clone()`).
#[allow(clippy::too_many_arguments)]
pub fn sgd_step(
    param: &mut [f32],
    grad: &[f32],
    buf: &mut [f32],
    lr: f64,
    momentum: f64,
    dampening: f64,
    weight_decay: f64,
    nesterov: bool,
    first_step: bool,
) {
    debug_assert_eq!(param.len(), grad.len());
    let k = SgdK::new(lr, momentum, dampening, weight_decay, nesterov, first_step);
    if k.use_mom {
        debug_assert_eq!(buf.len(), param.len());
        let mut pc = param.chunks_exact_mut(4);
        let mut gc = grad.chunks_exact(4);
        let mut bc = buf.chunks_exact_mut(4);
        for ((ps, gs), bs) in (&mut pc).zip(&mut gc).zip(&mut bc) {
            let (p, b) = sgd_elem(&k, F32x4::load(ps), F32x4::load(gs), F32x4::load(bs));
            p.store(ps);
            b.store(bs);
        }
        let tails = pc.into_remainder().iter_mut().zip(gc.remainder());
        for ((p, g), b) in tails.zip(bc.into_remainder()) {
            let (np, nb) = sgd_elem(&k, *p, *g, *b);
            *p = np;
            *b = nb;
        }
    } else {
        let mut pc = param.chunks_exact_mut(4);
        let mut gc = grad.chunks_exact(4);
        let zero = F32x4::splat(0.0);
        for (ps, gs) in (&mut pc).zip(&mut gc) {
            sgd_elem(&k, F32x4::load(ps), F32x4::load(gs), zero)
                .0
                .store(ps);
        }
        for (p, g) in pc.into_remainder().iter_mut().zip(gc.remainder()) {
            *p = sgd_elem(&k, *p, *g, 0.0).0;
        }
    }
}

/// Scalar reference of [`sgd_step`] (same formula, one element at a time).
#[allow(clippy::too_many_arguments)]
pub fn sgd_step_ref(
    param: &mut [f32],
    grad: &[f32],
    buf: &mut [f32],
    lr: f64,
    momentum: f64,
    dampening: f64,
    weight_decay: f64,
    nesterov: bool,
    first_step: bool,
) {
    debug_assert_eq!(param.len(), grad.len());
    let k = SgdK::new(lr, momentum, dampening, weight_decay, nesterov, first_step);
    for i in 0..param.len() {
        let b = if k.use_mom { buf[i] } else { 0.0 };
        let (np, nb) = sgd_elem(&k, param[i], grad[i], b);
        param[i] = np;
        if k.use_mom {
            buf[i] = nb;
        }
    }
}

/// Loop-invariant scalars of one Adam step.
#[derive(Clone, Copy)]
struct AdamK {
    beta1: f32,
    beta2: f32,
    one_minus_b1: f32,
    one_minus_b2: f32,
    bc2_sqrt: f32,
    neg_step_size: f32,
    eps: f32,
    wd: f32,
    decay: f32,
    coupled_wd: bool,
    decoupled: bool,
}

impl AdamK {
    #[allow(clippy::too_many_arguments)]
    fn new(
        lr: f64,
        beta1: f64,
        beta2: f64,
        eps: f64,
        weight_decay: f64,
        step: u32,
        decoupled: bool,
    ) -> Self {
        let (lr64, b1, b2, wd64) = (lr, beta1, beta2, weight_decay);
        // Python: `beta1 ** step` with step = float(step_t.item()) → C pow on doubles.
        let bc1 = 1.0 - b1.powf(step as f64);
        let bc2 = 1.0 - b2.powf(step as f64);
        AdamK {
            beta1: beta1 as f32,
            beta2: beta2 as f32,
            one_minus_b1: (1.0 - b1) as f32,
            one_minus_b2: (1.0 - b2) as f32,
            bc2_sqrt: bc2.sqrt() as f32,
            neg_step_size: (-(lr64 / bc1)) as f32,
            eps: eps as f32,
            wd: weight_decay as f32,
            decay: (1.0 - lr64 * wd64) as f32,
            coupled_wd: !decoupled && weight_decay != 0.0,
            decoupled,
        }
    }
}

/// One Adam/AdamW update; returns the new `(p, m, v)`.
#[inline(always)]
fn adam_elem<V: Num>(k: &AdamK, p: V, g: V, m: V, v: V) -> (V, V, V) {
    let mut p = p;
    let mut g = g;
    if k.decoupled {
        p = p.mul(V::s(k.decay));
    } else if k.coupled_wd {
        g = g.add(V::s(k.wd).mul(p));
    }
    let m = m.mul(V::s(k.beta1)).add(V::s(k.one_minus_b1).mul(g));
    let v = v.mul(V::s(k.beta2)).add(V::s(k.one_minus_b2).mul(g).mul(g));
    let denom = v.sqrt().div(V::s(k.bc2_sqrt)).add(V::s(k.eps));
    let p = p.add(V::s(k.neg_step_size).mul(m).div(denom));
    (p, m, v)
}

/// PyTorch 1.13 Adam (`decoupled = false`) / AdamW (`decoupled = true`) step on one parameter tensor.
/// `step` is the 1-based step count after increment (PyTorch's `state['step']`); the ABI rejects 0.
#[allow(clippy::too_many_arguments)]
pub fn adam_step(
    param: &mut [f32],
    grad: &[f32],
    m: &mut [f32],
    v: &mut [f32],
    lr: f64,
    beta1: f64,
    beta2: f64,
    eps: f64,
    weight_decay: f64,
    step: u32,
    decoupled: bool,
) {
    debug_assert!(grad.len() == param.len() && m.len() == param.len() && v.len() == param.len());
    let k = AdamK::new(lr, beta1, beta2, eps, weight_decay, step, decoupled);
    let mut pc = param.chunks_exact_mut(4);
    let mut gc = grad.chunks_exact(4);
    let mut mc = m.chunks_exact_mut(4);
    let mut vc = v.chunks_exact_mut(4);
    for (((ps, gs), ms), vs) in (&mut pc).zip(&mut gc).zip(&mut mc).zip(&mut vc) {
        let (p, mm, vv) = adam_elem(
            &k,
            F32x4::load(ps),
            F32x4::load(gs),
            F32x4::load(ms),
            F32x4::load(vs),
        );
        p.store(ps);
        mm.store(ms);
        vv.store(vs);
    }
    let tails = pc.into_remainder().iter_mut().zip(gc.remainder());
    let tails = tails.zip(mc.into_remainder()).zip(vc.into_remainder());
    for (((p, g), mm), vv) in tails {
        let (np, nm, nv) = adam_elem(&k, *p, *g, *mm, *vv);
        *p = np;
        *mm = nm;
        *vv = nv;
    }
}

/// Scalar reference of [`adam_step`].
#[allow(clippy::too_many_arguments)]
pub fn adam_step_ref(
    param: &mut [f32],
    grad: &[f32],
    m: &mut [f32],
    v: &mut [f32],
    lr: f64,
    beta1: f64,
    beta2: f64,
    eps: f64,
    weight_decay: f64,
    step: u32,
    decoupled: bool,
) {
    debug_assert!(grad.len() == param.len() && m.len() == param.len() && v.len() == param.len());
    let k = AdamK::new(lr, beta1, beta2, eps, weight_decay, step, decoupled);
    for i in 0..param.len() {
        let (np, nm, nv) = adam_elem(&k, param[i], grad[i], m[i], v[i]);
        param[i] = np;
        m[i] = nm;
        v[i] = nv;
    }
}

// ======================================================================================================
// tests
// ======================================================================================================

#[cfg(test)]
mod tests {
    use super::*;
    use crate::softmax::tests::rand_vec;

    fn close(a: f32, b: f64, rel: f64) -> bool {
        ((a as f64) - b).abs() <= rel * (1e-6 + b.abs())
    }

    /// Hand-computed: plain SGD and momentum on a constant gradient.
    #[test]
    fn sgd_by_hand() {
        for f in [sgd_step, sgd_step_ref] {
            // p = 1 − 0.1·0.5 = 0.95
            let mut p = [1.0f32, -2.0];
            f(
                &mut p,
                &[0.5, -1.0],
                &mut [],
                0.1,
                0.0,
                0.0,
                0.0,
                false,
                false,
            );
            assert_eq!(p, [0.95, -1.9]);
            // momentum 0.9, g = 1 constant, lr = 0.1: buf = 1, 1.9, 2.71 → p = −0.1·(1 + 1.9 + 2.71)
            let mut p = [0.0f32];
            let mut b = [123.0f32]; // ignored on the first step
            for s in 0..3 {
                f(&mut p, &[1.0], &mut b, 0.1, 0.9, 0.0, 0.0, false, s == 0);
            }
            assert!(close(b[0], 2.71, 1e-6), "{b:?}");
            assert!(close(p[0], -0.561, 1e-6), "{p:?}");
            // nesterov: d = g + 0.9·buf → 1.9, 2.71, 3.439 → p = −0.1·8.049
            let mut p = [0.0f32];
            let mut b = [0.0f32];
            for s in 0..3 {
                f(&mut p, &[1.0], &mut b, 0.1, 0.9, 0.0, 0.0, true, s == 0);
            }
            assert!(close(p[0], -0.8049, 1e-6), "{p:?}");
            // dampening 0.5: buf = 1, 0.9 + 0.5 = 1.4, 1.26 + 0.5 = 1.76 → p = −0.1·4.16
            let mut p = [0.0f32];
            let mut b = [0.0f32];
            for s in 0..3 {
                f(&mut p, &[1.0], &mut b, 0.1, 0.9, 0.5, 0.0, false, s == 0);
            }
            assert!(
                close(b[0], 1.76, 1e-6) && close(p[0], -0.416, 1e-6),
                "{p:?} {b:?}"
            );
            // weight decay 0.1, p0 = 1, g = 0: d = 0.1·p, p ← p·(1 − 0.1·0.1) = 0.99, 0.9801
            let mut p = [1.0f32];
            for _ in 0..2 {
                f(&mut p, &[0.0], &mut [], 0.1, 0.0, 0.0, 0.1, false, false);
            }
            assert!(close(p[0], 0.9801, 1e-6), "{p:?}");
        }
    }

    /// f64 model of torch's SGD recursion (several steps, every option combination) vs the kernels.
    #[test]
    fn sgd_combinations_vs_model() {
        let n = 37;
        for &mom in &[0.0f64, 0.9] {
            for &damp in &[0.0f64, 0.1] {
                for &wd in &[0.0f64, 1e-2] {
                    for &nest in &[false, true] {
                        if nest && (mom == 0.0 || damp != 0.0) {
                            continue; // torch rejects nesterov without momentum / with dampening
                        }
                        let p0 = rand_vec(n, 1, 1.0);
                        let (mut p, mut pr) = (p0.clone(), p0.clone());
                        let mut pm: Vec<f64> = p0.iter().map(|&v| v as f64).collect();
                        let (mut b, mut br) = (vec![0.0f32; n], vec![0.0f32; n]);
                        let mut bm = vec![0.0f64; n];
                        for step in 0..5 {
                            let g = rand_vec(n, 10 + step, 2.0);
                            let first = step == 0;
                            let (bs, brs): (&mut [f32], &mut [f32]) = if mom != 0.0 {
                                (&mut b, &mut br)
                            } else {
                                (&mut [], &mut [])
                            };
                            sgd_step(&mut p, &g, bs, 0.05, mom, damp, wd, nest, first);
                            sgd_step_ref(&mut pr, &g, brs, 0.05, mom, damp, wd, nest, first);
                            let (m64, d64) = (mom, damp);
                            for i in 0..n {
                                let mut d = g[i] as f64 + wd * pm[i];
                                if mom != 0.0 {
                                    bm[i] = if first {
                                        d
                                    } else {
                                        m64 * bm[i] + (1.0 - d64) * d
                                    };
                                    d = if nest { d + m64 * bm[i] } else { bm[i] };
                                }
                                pm[i] -= 0.05 * d;
                            }
                        }
                        // fast == ref bit for bit; both within f32 rounding of the f64 model
                        assert_eq!(p, pr);
                        assert_eq!(b, br);
                        for i in 0..n {
                            assert!(
                                ((p[i] as f64) - pm[i]).abs() <= 1e-6 * (1.0 + pm[i].abs()),
                                "{mom} {damp} {wd} {nest}: {} vs {}",
                                p[i],
                                pm[i]
                            );
                        }
                    }
                }
            }
        }
    }

    /// Adam's first step moves every weight by ≈ lr·sign(g) (m̂ = g, v̂ = g²); AdamW also decays.
    #[test]
    fn adam_by_hand() {
        for f in [adam_step, adam_step_ref] {
            let mut p = [1.0f32, 1.0, 1.0, 1.0, 1.0];
            let g = [0.5f32, -2.0, 1e-3, -1e-3, 0.0];
            let (mut m, mut v) = ([0.0f32; 5], [0.0f32; 5]);
            f(
                &mut p, &g, &mut m, &mut v, 0.01, 0.9, 0.999, 1e-8, 0.0, 1, false,
            );
            // m = 0.1 g, v = 0.001 g²
            for i in 0..5 {
                assert!(close(m[i], 0.1 * g[i] as f64, 1e-6));
                assert!(close(v[i], 1e-3 * (g[i] as f64).powi(2), 1e-6));
                let gi = g[i] as f64;
                let want = 1.0 - 0.01 * gi / (gi.abs() + 1e-8);
                assert!(close(p[i], want, 1e-6), "{i}: {} vs {want}", p[i]);
            }
            // AdamW: p·(1 − lr·wd) first: 1·(1 − 0.01·0.1) = 0.999, then the Adam step
            let mut p = [1.0f32];
            let (mut m, mut v) = ([0.0f32], [0.0f32]);
            f(
                &mut p,
                &[0.5],
                &mut m,
                &mut v,
                0.01,
                0.9,
                0.999,
                1e-8,
                0.1,
                1,
                true,
            );
            assert!(close(p[0], 0.999 - 0.01, 1e-6), "{p:?}");
            // Adam (coupled) wd: g' = 0.5 + 0.1·1 = 0.6, first step still ≈ −lr
            let mut p = [1.0f32];
            let (mut m, mut v) = ([0.0f32], [0.0f32]);
            f(
                &mut p,
                &[0.5],
                &mut m,
                &mut v,
                0.01,
                0.9,
                0.999,
                1e-8,
                0.1,
                1,
                false,
            );
            assert!(
                close(m[0], 0.06, 1e-6) && close(p[0], 0.99, 1e-6),
                "{p:?} {m:?}"
            );
            // two steps, g = 1 then g = −1, lr 0.1:
            // m = 0.1, −0.9·0.1... m2 = 0.09 − 0.1 = −0.01; v2 = 0.000999 + 0.001 = 0.001999
            // m̂ = −0.01 / 0.19, v̂ = 0.001999 / 0.001999 = 1 → p2 = p1 + 0.1·(0.01/0.19)
            let mut p = [0.0f32];
            let (mut m, mut v) = ([0.0f32], [0.0f32]);
            f(
                &mut p,
                &[1.0],
                &mut m,
                &mut v,
                0.1,
                0.9,
                0.999,
                0.0,
                0.0,
                1,
                false,
            );
            assert!(close(p[0], -0.1, 1e-6));
            f(
                &mut p,
                &[-1.0],
                &mut m,
                &mut v,
                0.1,
                0.9,
                0.999,
                0.0,
                0.0,
                2,
                false,
            );
            assert!(close(m[0], -0.01, 1e-5) && close(v[0], 0.001_999, 1e-6));
            assert!(close(p[0], -0.1 + 0.1 * (0.01 / 0.19), 1e-5), "{p:?}");
        }
    }

    /// f64 model of torch's Adam/AdamW over several steps vs the kernels; fast == ref bit for bit.
    #[test]
    fn adam_combinations_vs_model() {
        let n = 23;
        for &decoupled in &[false, true] {
            for &wd in &[0.0f64, 0.05] {
                let p0 = rand_vec(n, 3, 1.0);
                let (mut p, mut pr) = (p0.clone(), p0.clone());
                let (mut m, mut mr, mut v, mut vr) = (
                    vec![0.0f32; n],
                    vec![0.0f32; n],
                    vec![0.0f32; n],
                    vec![0.0f32; n],
                );
                let mut pm: Vec<f64> = p0.iter().map(|&x| x as f64).collect();
                let (mut mm, mut vm) = (vec![0.0f64; n], vec![0.0f64; n]);
                let (lr, b1, b2, eps) = (1e-3f64, 0.9f64, 0.999f64, 1e-8f64);
                for step in 1..=6u32 {
                    let g = rand_vec(n, 20 + step as u64, 1.0);
                    adam_step(
                        &mut p, &g, &mut m, &mut v, 1e-3, 0.9, 0.999, 1e-8, wd, step, decoupled,
                    );
                    adam_step_ref(
                        &mut pr, &g, &mut mr, &mut vr, 1e-3, 0.9, 0.999, 1e-8, wd, step, decoupled,
                    );
                    let bc1 = 1.0 - b1.powi(step as i32);
                    let bc2 = 1.0 - b2.powi(step as i32);
                    for i in 0..n {
                        let mut gi = g[i] as f64;
                        if decoupled {
                            pm[i] *= 1.0 - lr * wd;
                        } else {
                            gi += wd * pm[i];
                        }
                        mm[i] = b1 * mm[i] + (1.0 - b1) * gi;
                        vm[i] = b2 * vm[i] + (1.0 - b2) * gi * gi;
                        pm[i] -= lr / bc1 * mm[i] / (vm[i].sqrt() / bc2.sqrt() + eps);
                    }
                }
                assert_eq!(p, pr);
                assert_eq!(m, mr);
                assert_eq!(v, vr);
                for i in 0..n {
                    assert!(
                        close(p[i], pm[i], 1e-6),
                        "{decoupled} {wd}: {} vs {}",
                        p[i],
                        pm[i]
                    );
                    assert!(close(m[i], mm[i], 1e-5));
                }
            }
        }
    }

    #[test]
    fn odd_sizes_fast_equals_ref() {
        for n in [0usize, 1, 2, 3, 4, 5, 7, 8, 15, 16, 17, 31, 255, 256, 257] {
            let g = rand_vec(n, 7, 1.0);
            let p0 = rand_vec(n, 8, 1.0);
            let (mut a, mut b) = (p0.clone(), p0.clone());
            let (mut ba, mut bb) = (vec![0.3f32; n], vec![0.3f32; n]);
            sgd_step(&mut a, &g, &mut ba, 0.1, 0.9, 0.1, 1e-3, false, false);
            sgd_step_ref(&mut b, &g, &mut bb, 0.1, 0.9, 0.1, 1e-3, false, false);
            assert_eq!((a.clone(), ba), (b.clone(), bb));
            let (mut ma, mut mb, mut va, mut vb) = (
                vec![0.1f32; n],
                vec![0.1f32; n],
                vec![0.2f32; n],
                vec![0.2f32; n],
            );
            adam_step(
                &mut a, &g, &mut ma, &mut va, 1e-3, 0.9, 0.999, 1e-8, 0.01, 3, true,
            );
            adam_step_ref(
                &mut b, &g, &mut mb, &mut vb, 1e-3, 0.9, 0.999, 1e-8, 0.01, 3, true,
            );
            assert_eq!((a, ma, va), (b, mb, vb));
        }
    }
}
