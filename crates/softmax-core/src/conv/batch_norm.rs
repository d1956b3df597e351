//! Batch normalisation over x [n, c, inner] per channel: the batch statistics (mean and biased
//! variance, accumulated in f64 as PyTorch's CPU kernel does), the normalisation with optional affine
//! weight and bias, and the backward pass for batch statistics (training) or fixed ones (eval).
//! The fast paths walk x in memory order with per-channel accumulators; the references go channel by channel.

/// 1 / √(var + eps) in f64.
#[inline]
fn invstd(var: f32, eps: f32) -> f64 {
    1.0 / (var as f64 + eps as f64).sqrt()
}

/// mean[c], var[c] = the mean and biased variance of each channel over n·inner values (NaN when none).
pub fn batch_norm_stats(
    x: &[f32],
    mean: &mut [f32],
    var: &mut [f32],
    n: usize,
    c: usize,
    inner: usize,
) {
    let count = (n * inner) as f64;
    let mut sum = vec![0.0f64; c];
    for b in 0..n {
        for (ch, s) in sum.iter_mut().enumerate() {
            *s += x[(b * c + ch) * inner..][..inner]
                .iter()
                .map(|&v| v as f64)
                .sum::<f64>();
        }
    }
    let mu: Vec<f64> = sum.iter().map(|&s| s / count).collect();
    let mut sq = vec![0.0f64; c];
    for b in 0..n {
        for (ch, s) in sq.iter_mut().enumerate() {
            let m = mu[ch];
            *s += x[(b * c + ch) * inner..][..inner]
                .iter()
                .map(|&v| (v as f64 - m) * (v as f64 - m))
                .sum::<f64>();
        }
    }
    for ch in 0..c {
        mean[ch] = mu[ch] as f32;
        var[ch] = (sq[ch] / count) as f32;
    }
}

/// Scalar reference of [`batch_norm_stats`].
pub fn batch_norm_stats_ref(
    x: &[f32],
    mean: &mut [f32],
    var: &mut [f32],
    n: usize,
    c: usize,
    inner: usize,
) {
    for ch in 0..c {
        let mut s = 0.0f64;
        for b in 0..n {
            for i in 0..inner {
                s += x[(b * c + ch) * inner + i] as f64;
            }
        }
        let m = s / (n * inner) as f64;
        let mut q = 0.0f64;
        for b in 0..n {
            for i in 0..inner {
                let d = x[(b * c + ch) * inner + i] as f64 - m;
                q += d * d;
            }
        }
        mean[ch] = m as f32;
        var[ch] = (q / (n * inner) as f64) as f32;
    }
}

/// The per-channel scale and shift: y = x·alpha + beta, alpha = weight / √(var + eps).
fn affine(mean: f32, var: f32, eps: f32, weight: Option<f32>, bias: Option<f32>) -> (f32, f32) {
    let alpha = (invstd(var, eps) * weight.unwrap_or(1.0) as f64) as f32;
    (alpha, bias.unwrap_or(0.0) - mean * alpha)
}

/// y = (x − mean) / √(var + eps) · weight + bias per channel (weight and bias empty: none).
pub fn batch_norm_apply(
    x: &[f32],
    mean: &[f32],
    var: &[f32],
    weight: &[f32],
    bias: &[f32],
    y: &mut [f32],
    n: usize,
    c: usize,
    inner: usize,
    eps: f32,
) {
    let coef: Vec<(f32, f32)> = (0..c)
        .map(|ch| {
            affine(
                mean[ch],
                var[ch],
                eps,
                weight.get(ch).copied(),
                bias.get(ch).copied(),
            )
        })
        .collect();
    for (row, (xs, ys)) in x
        .chunks_exact(inner.max(1))
        .zip(y.chunks_exact_mut(inner.max(1)))
        .enumerate()
        .take(n * c)
    {
        let (a, b) = coef[row % c];
        for (y, &x) in ys.iter_mut().zip(xs) {
            *y = x * a + b;
        }
    }
}

/// Scalar reference of [`batch_norm_apply`].
pub fn batch_norm_apply_ref(
    x: &[f32],
    mean: &[f32],
    var: &[f32],
    weight: &[f32],
    bias: &[f32],
    y: &mut [f32],
    n: usize,
    c: usize,
    inner: usize,
    eps: f32,
) {
    for ch in 0..c {
        let (a, b) = affine(
            mean[ch],
            var[ch],
            eps,
            weight.get(ch).copied(),
            bias.get(ch).copied(),
        );
        for bi in 0..n {
            for i in 0..inner {
                let k = (bi * c + ch) * inner + i;
                y[k] = x[k] * a + b;
            }
        }
    }
}

/// Gradients of batch_norm_apply: dx, dweight = Σ dy·x̂, dbias = Σ dy per channel. With `batch_stats`
/// mean and var are the batch's own, so dx carries their gradient too (training); else they are constants.
pub fn batch_norm_backward(
    x: &[f32],
    dy: &[f32],
    mean: &[f32],
    var: &[f32],
    weight: &[f32],
    dx: &mut [f32],
    dweight: &mut [f32],
    dbias: &mut [f32],
    n: usize,
    c: usize,
    inner: usize,
    eps: f32,
    batch_stats: bool,
) {
    let (mut sum, mut dot) = (vec![0.0f64; c], vec![0.0f64; c]);
    for b in 0..n {
        for ch in 0..c {
            let k = (b * c + ch) * inner;
            let m = mean[ch] as f64;
            for (&g, &v) in dy[k..k + inner].iter().zip(&x[k..k + inner]) {
                sum[ch] += g as f64;
                dot[ch] += g as f64 * (v as f64 - m);
            }
        }
    }
    let count = (n * inner) as f64;
    for ch in 0..c {
        let is = invstd(var[ch], eps);
        dbias[ch] = sum[ch] as f32;
        dweight[ch] = (dot[ch] * is) as f32;
    }
    for b in 0..n {
        for ch in 0..c {
            let k = (b * c + ch) * inner;
            let is = invstd(var[ch], eps);
            let w = weight.get(ch).map_or(1.0, |&w| w as f64);
            let (m, mean_dy, proj) = (mean[ch] as f64, sum[ch] / count, dot[ch] * is * is / count);
            for ((d, &g), &v) in dx[k..k + inner]
                .iter_mut()
                .zip(&dy[k..k + inner])
                .zip(&x[k..k + inner])
            {
                *d = if batch_stats {
                    ((g as f64 - mean_dy - (v as f64 - m) * proj) * is * w) as f32
                } else {
                    (g as f64 * is * w) as f32
                };
            }
        }
    }
}

/// Scalar reference of [`batch_norm_backward`].
pub fn batch_norm_backward_ref(
    x: &[f32],
    dy: &[f32],
    mean: &[f32],
    var: &[f32],
    weight: &[f32],
    dx: &mut [f32],
    dweight: &mut [f32],
    dbias: &mut [f32],
    n: usize,
    c: usize,
    inner: usize,
    eps: f32,
    batch_stats: bool,
) {
    for ch in 0..c {
        let (m, is) = (mean[ch] as f64, invstd(var[ch], eps));
        let w = if weight.is_empty() {
            1.0
        } else {
            weight[ch] as f64
        };
        let (mut s, mut d) = (0.0f64, 0.0f64);
        for b in 0..n {
            for i in 0..inner {
                let k = (b * c + ch) * inner + i;
                s += dy[k] as f64;
                d += dy[k] as f64 * (x[k] as f64 - m);
            }
        }
        dbias[ch] = s as f32;
        dweight[ch] = (d * is) as f32;
        let count = (n * inner) as f64;
        for b in 0..n {
            for i in 0..inner {
                let k = (b * c + ch) * inner + i;
                let g = dy[k] as f64;
                dx[k] = if batch_stats {
                    ((g - s / count - (x[k] as f64 - m) * is * is * d / count) * is * w) as f32
                } else {
                    (g * is * w) as f32
                };
            }
        }
    }
}
