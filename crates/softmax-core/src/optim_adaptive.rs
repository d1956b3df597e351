//! RMSprop and Adagrad updates in the order of operations of PyTorch 1.13's `_single_tensor_rmsprop`
//! and `_single_tensor_adagrad` (conventions as in optim.rs: derived scalars in f64, rounded once):
//!
//! RMSprop: g = g (+ wd·p);  s = s·α + ((1 − α)·g)·g
//!          centered: a = a·α + (1 − α)·g;  avg = sqrt(s + (−a)·a) + eps, else avg = sqrt(s) + eps
//!          momentum > 0: buf = buf·μ + g / avg;  p = p + (−lr)·buf, else p = p + ((−lr)·g) / avg
//! Adagrad: g = g (+ wd·p);  clr = lr / (1 + (step − 1)·lr_decay)  (f64)
//!          s = s + g·g;  p = p + ((−clr)·g) / (sqrt(s) + eps)

use crate::optim::Num;
use crate::simd::F32x4;

#[derive(Clone, Copy)]
struct RmsK {
    alpha: f32,
    one_minus_alpha: f32,
    eps: f32,
    wd: f32,
    momentum: f32,
    neg_lr: f32,
    centered: bool,
    use_momentum: bool,
}

/// One RMSprop update of (p, s, a, buf); `a` and `buf` are untouched when unused.
#[inline(always)]
fn rms_elem<V: Num>(k: &RmsK, p: V, g: V, s: V, a: V, buf: V) -> (V, V, V, V) {
    let g = if k.wd != 0.0 {
        g.add(V::s(k.wd).mul(p))
    } else {
        g
    };
    let s = s
        .mul(V::s(k.alpha))
        .add(V::s(k.one_minus_alpha).mul(g).mul(g));
    let (a, avg) = if k.centered {
        let a = a.mul(V::s(k.alpha)).add(V::s(k.one_minus_alpha).mul(g));
        (a, s.add(V::s(-1.0).mul(a).mul(a)).sqrt().add(V::s(k.eps)))
    } else {
        (a, s.sqrt().add(V::s(k.eps)))
    };
    if k.use_momentum {
        let buf = buf.mul(V::s(k.momentum)).add(g.div(avg));
        (p.add(V::s(k.neg_lr).mul(buf)), s, a, buf)
    } else {
        (p.add(V::s(k.neg_lr).mul(g).div(avg)), s, a, buf)
    }
}

impl RmsK {
    fn new(
        lr: f64,
        alpha: f64,
        eps: f64,
        weight_decay: f64,
        momentum: f64,
        centered: bool,
    ) -> Self {
        RmsK {
            alpha: alpha as f32,
            one_minus_alpha: (1.0 - alpha) as f32,
            eps: eps as f32,
            wd: weight_decay as f32,
            momentum: momentum as f32,
            neg_lr: (-lr) as f32,
            centered,
            use_momentum: momentum > 0.0,
        }
    }
}

fn lane(b: &[f32], i: usize) -> f32 {
    b.get(i).copied().unwrap_or(0.0)
}

/// PyTorch 1.13 RMSprop step on one parameter. `grad_avg` is used only when `centered`, `buf` only
/// when `momentum > 0`; either may be empty otherwise.
#[allow(clippy::too_many_arguments)]
pub fn rmsprop_step(
    param: &mut [f32],
    grad: &[f32],
    square_avg: &mut [f32],
    grad_avg: &mut [f32],
    buf: &mut [f32],
    lr: f64,
    alpha: f64,
    eps: f64,
    weight_decay: f64,
    momentum: f64,
    centered: bool,
) {
    let k = RmsK::new(lr, alpha, eps, weight_decay, momentum, centered);
    let n = param.len();
    let full = n - n % 4;
    let mut i = 0;
    let zero = [0.0f32; 4];
    while i < full {
        let r = i..i + 4;
        let a = if centered {
            F32x4::load(&grad_avg[r.clone()])
        } else {
            F32x4::load(&zero)
        };
        let b = if k.use_momentum {
            F32x4::load(&buf[r.clone()])
        } else {
            F32x4::load(&zero)
        };
        let (p, s, a, b) = rms_elem(
            &k,
            F32x4::load(&param[r.clone()]),
            F32x4::load(&grad[r.clone()]),
            F32x4::load(&square_avg[r.clone()]),
            a,
            b,
        );
        p.store(&mut param[r.clone()]);
        s.store(&mut square_avg[r.clone()]);
        if centered {
            a.store(&mut grad_avg[r.clone()]);
        }
        if k.use_momentum {
            b.store(&mut buf[r]);
        }
        i += 4;
    }
    rmsprop_scalar(&k, param, grad, square_avg, grad_avg, buf, full);
}

#[allow(clippy::too_many_arguments)]
fn rmsprop_scalar(
    k: &RmsK,
    param: &mut [f32],
    grad: &[f32],
    square_avg: &mut [f32],
    grad_avg: &mut [f32],
    buf: &mut [f32],
    from: usize,
) {
    for i in from..param.len() {
        let (p, s, a, b) = rms_elem(
            k,
            param[i],
            grad[i],
            square_avg[i],
            lane(grad_avg, i),
            lane(buf, i),
        );
        param[i] = p;
        square_avg[i] = s;
        if k.centered {
            grad_avg[i] = a;
        }
        if k.use_momentum {
            buf[i] = b;
        }
    }
}

/// Scalar reference of [`rmsprop_step`].
#[allow(clippy::too_many_arguments)]
pub fn rmsprop_step_ref(
    param: &mut [f32],
    grad: &[f32],
    square_avg: &mut [f32],
    grad_avg: &mut [f32],
    buf: &mut [f32],
    lr: f64,
    alpha: f64,
    eps: f64,
    weight_decay: f64,
    momentum: f64,
    centered: bool,
) {
    let k = RmsK::new(lr, alpha, eps, weight_decay, momentum, centered);
    rmsprop_scalar(&k, param, grad, square_avg, grad_avg, buf, 0);
}

#[derive(Clone, Copy)]
struct AdagradK {
    wd: f32,
    eps: f32,
    neg_clr: f32,
}

impl AdagradK {
    fn new(lr: f64, lr_decay: f64, weight_decay: f64, eps: f64, step: u32) -> Self {
        let clr = lr / (1.0 + (step as f64 - 1.0) * lr_decay);
        AdagradK {
            wd: weight_decay as f32,
            eps: eps as f32,
            neg_clr: (-clr) as f32,
        }
    }
}

#[inline(always)]
fn adagrad_elem<V: Num>(k: &AdagradK, p: V, g: V, s: V) -> (V, V) {
    let g = if k.wd != 0.0 {
        g.add(V::s(k.wd).mul(p))
    } else {
        g
    };
    let s = s.add(V::s(1.0).mul(g).mul(g));
    let std = s.sqrt().add(V::s(k.eps));
    (p.add(V::s(k.neg_clr).mul(g).div(std)), s)
}

/// PyTorch 1.13 Adagrad step; `step` counts from 1 (the ABI rejects 0).
pub fn adagrad_step(
    param: &mut [f32],
    grad: &[f32],
    sum: &mut [f32],
    lr: f64,
    lr_decay: f64,
    weight_decay: f64,
    eps: f64,
    step: u32,
) {
    let k = AdagradK::new(lr, lr_decay, weight_decay, eps, step);
    let mut pc = param.chunks_exact_mut(4);
    let mut gc = grad.chunks_exact(4);
    let mut sc = sum.chunks_exact_mut(4);
    for ((ps, gs), ss) in (&mut pc).zip(&mut gc).zip(&mut sc) {
        let (p, s) = adagrad_elem(&k, F32x4::load(ps), F32x4::load(gs), F32x4::load(ss));
        p.store(ps);
        s.store(ss);
    }
    for ((p, g), s) in pc
        .into_remainder()
        .iter_mut()
        .zip(gc.remainder())
        .zip(sc.into_remainder())
    {
        let (np, ns) = adagrad_elem(&k, *p, *g, *s);
        *p = np;
        *s = ns;
    }
}

/// Scalar reference of [`adagrad_step`].
pub fn adagrad_step_ref(
    param: &mut [f32],
    grad: &[f32],
    sum: &mut [f32],
    lr: f64,
    lr_decay: f64,
    weight_decay: f64,
    eps: f64,
    step: u32,
) {
    let k = AdagradK::new(lr, lr_decay, weight_decay, eps, step);
    for i in 0..param.len() {
        let (p, s) = adagrad_elem(&k, param[i], grad[i], sum[i]);
        param[i] = p;
        sum[i] = s;
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::softmax::tests::rand_vec;

    /// By hand: RMSprop's first step, s = (1 − α)g², p = p − lr·g/(|g|·sqrt(1 − α) + eps).
    #[test]
    fn rmsprop_first_step_by_hand() {
        let mut p = [1.0f32];
        let mut s = [0.0f32];
        rmsprop_step(
            &mut p,
            &[0.5],
            &mut s,
            &mut [],
            &mut [],
            0.01,
            0.99,
            0.0,
            0.0,
            0.0,
            false,
        );
        let want = 1.0 - 0.01 * 0.5 / (0.5 * 0.01f64.sqrt());
        assert!(((p[0] as f64) - want).abs() < 1e-6, "{p:?} vs {want}");
        // Adagrad: s = g², p = p − lr·g/|g| = 1 − 0.1
        let (mut p, mut s) = ([1.0f32], [0.0f32]);
        adagrad_step(&mut p, &[-2.0], &mut s, 0.1, 0.0, 0.0, 0.0, 1);
        assert_eq!((p[0], s[0]), (1.1, 4.0));
    }

    #[test]
    fn odd_sizes_fast_equals_ref() {
        for n in [0usize, 1, 3, 4, 5, 7, 17, 31, 257] {
            let g = rand_vec(n, 5, 1.0);
            let p0 = rand_vec(n, 6, 1.0);
            for &(mom, centered, wd) in &[
                (0.0, false, 0.0),
                (0.9, false, 0.1),
                (0.0, true, 0.0),
                (0.5, true, 0.01),
            ] {
                let (mut a, mut b) = (p0.clone(), p0.clone());
                let (mut sa, mut sb) = (vec![0.2f32; n], vec![0.2f32; n]);
                let (mut ga, mut gb) = (vec![0.1f32; n], vec![0.1f32; n]);
                let (mut ba, mut bb) = (vec![0.3f32; n], vec![0.3f32; n]);
                for _ in 0..3 {
                    rmsprop_step(
                        &mut a, &g, &mut sa, &mut ga, &mut ba, 0.01, 0.9, 1e-8, wd, mom, centered,
                    );
                    rmsprop_step_ref(
                        &mut b, &g, &mut sb, &mut gb, &mut bb, 0.01, 0.9, 1e-8, wd, mom, centered,
                    );
                }
                assert_eq!((&a, &sa, &ga, &ba), (&b, &sb, &gb, &bb));
            }
            let (mut a, mut b) = (p0.clone(), p0.clone());
            let (mut sa, mut sb) = (vec![0.1f32; n], vec![0.1f32; n]);
            for step in 1..4 {
                adagrad_step(&mut a, &g, &mut sa, 0.1, 0.01, 0.05, 1e-10, step);
                adagrad_step_ref(&mut b, &g, &mut sb, 0.1, 0.01, 0.05, 1e-10, step);
            }
            assert_eq!((a, sa), (b, sb));
        }
    }
}
