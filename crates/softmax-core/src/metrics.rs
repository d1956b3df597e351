//! Evaluation metrics on int32 class indices: the confusion matrix.
//!
//! `confusion` adds one count per sample to `out[target · classes + pred]` — row = true class, column =
//! predicted class, like sklearn's `confusion_matrix` and torchmetrics. Counts are *added* to `out`, so
//! a test set can be evaluated batch by batch into one matrix (zero it first for a fresh one).
//!
//! Every sample is checked first: the first position i (in order; `target[i]` before `pred[i]`) whose
//! target or prediction lies outside [0, classes) is returned as `Err(i)` before anything is written.
//! Counts wrap modulo 2³² (reaching that needs ≥ 2³¹ samples, more than a wasm32 memory holds).

/// Position of the first sample whose target or prediction is outside `[0, classes)`.
fn first_bad(pred: &[i32], target: &[i32], classes: usize) -> Option<usize> {
    let bad = |v: i32| v < 0 || v as usize >= classes;
    pred.iter()
        .zip(target.iter())
        .position(|(&p, &t)| bad(t) || bad(p))
}

/// out[target[i]·classes + pred[i]] += 1 for i < pred.len() (= target.len()); out has classes² counts.
/// A scatter-add: wasm simd128 has no scatter and consecutive samples may hit the same cell, so the
/// fast path is the same scalar loop as the reference.
pub fn confusion(
    pred: &[i32],
    target: &[i32],
    classes: usize,
    out: &mut [i32],
) -> Result<(), usize> {
    debug_assert_eq!(pred.len(), target.len());
    if let Some(i) = first_bad(pred, target, classes) {
        return Err(i);
    }
    debug_assert!(out.len() >= classes * classes);
    for (&p, &t) in pred.iter().zip(target.iter()) {
        let cell = &mut out[t as usize * classes + p as usize];
        *cell = cell.wrapping_add(1);
    }
    Ok(())
}

/// Scalar reference of `confusion`: an index loop, checking every sample before counting.
pub fn confusion_ref(
    pred: &[i32],
    target: &[i32],
    classes: usize,
    out: &mut [i32],
) -> Result<(), usize> {
    let n = pred.len();
    for i in 0..n {
        let (t, p) = (target[i], pred[i]);
        if t < 0 || t as usize >= classes || p < 0 || p as usize >= classes {
            return Err(i);
        }
    }
    for i in 0..n {
        let k = target[i] as usize * classes + pred[i] as usize;
        out[k] = out[k].wrapping_add(1);
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    type ConfusionFn = fn(&[i32], &[i32], usize, &mut [i32]) -> Result<(), usize>;
    const BOTH: [(&str, ConfusionFn); 2] = [("fast", confusion), ("ref", confusion_ref)];

    #[test]
    fn hand_worked_example_rows_are_true_classes() {
        // 3 classes, 6 samples:
        //   (t, p) = (0,0) (0,1) (1,1) (2,1) (2,2) (2,2)
        // → row 0: [1, 1, 0], row 1: [0, 1, 0], row 2: [0, 1, 2]
        let target = [0, 0, 1, 2, 2, 2];
        let pred = [0, 1, 1, 1, 2, 2];
        for (name, f) in BOTH.iter() {
            let mut out = [0i32; 9];
            assert_eq!(f(&pred, &target, 3, &mut out), Ok(()), "{}", name);
            assert_eq!(out, [1, 1, 0, 0, 1, 0, 0, 1, 2], "{}", name);
            // counts are added: a second batch accumulates into the same matrix
            assert_eq!(f(&[2], &[0], 3, &mut out), Ok(()), "{}", name);
            assert_eq!(out, [1, 1, 1, 0, 1, 0, 0, 1, 2], "{}", name);
        }
    }

    #[test]
    fn out_of_range_is_reported_before_writing() {
        for (name, f) in BOTH.iter() {
            let mut out = [7i32; 9];
            // a bad target at position 2 (after valid samples that would be counted)
            assert_eq!(f(&[0, 1, 0], &[0, 1, 3], 3, &mut out), Err(2), "{}", name);
            // a bad (negative) prediction at position 1
            assert_eq!(f(&[0, -1, 5], &[0, 0, 0], 3, &mut out), Err(1), "{}", name);
            // the first bad position wins, whichever array it is in
            assert_eq!(
                f(&[0, 0, i32::MAX], &[0, i32::MIN, 0], 3, &mut out),
                Err(1),
                "{}",
                name
            );
            assert_eq!(out, [7; 9], "{} wrote before failing", name);
            // no classes: any sample is out of range; no samples: nothing to do
            assert_eq!(f(&[0], &[0], 0, &mut []), Err(0), "{}", name);
            assert_eq!(f(&[], &[], 0, &mut []), Ok(()), "{}", name);
        }
    }

    #[test]
    fn fast_matches_ref() {
        for &n in [0usize, 1, 3, 17, 255, 257, 1000].iter() {
            for &classes in [1usize, 2, 10, 17].iter() {
                let target: Vec<i32> = (0..n).map(|i| ((i * 7 + 3) % classes) as i32).collect();
                let pred: Vec<i32> = (0..n)
                    .map(|i| ((i * i * 5 + i / 3) % classes) as i32)
                    .collect();
                let mut a: Vec<i32> = (0..classes * classes).map(|k| k as i32).collect();
                let mut b = a.clone();
                confusion(&pred, &target, classes, &mut a).unwrap();
                confusion_ref(&pred, &target, classes, &mut b).unwrap();
                assert_eq!(a, b, "n = {}, classes = {}", n, classes);
                let added: i32 = a.iter().sum::<i32>() - b.len() as i32 * (b.len() as i32 - 1) / 2;
                assert_eq!(added, n as i32);
            }
        }
    }
}
