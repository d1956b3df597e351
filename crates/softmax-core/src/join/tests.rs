use super::*;

fn seq(n: usize) -> Vec<f32> {
    (0..n).map(|i| i as f32 * 0.5 - 3.0).collect()
}

#[test]
fn copy_block_matches_ref_at_odd_sizes() {
    for &(rows, cols) in [(1usize, 1usize), (3, 5), (7, 17), (2, 33), (0, 4), (4, 0)].iter() {
        let x = seq(rows * (cols + 3) + 2);
        let mut a = vec![9.0f32; rows * (cols + 5) + 1];
        let mut b = a.clone();
        copy_block(&x, 2, cols + 3, &mut a, 1, cols + 5, rows, cols);
        copy_block_ref(&x, 2, cols + 3, &mut b, 1, cols + 5, rows, cols);
        assert_eq!(a, b);
    }
    // cat of [2,1] and [2,2] along dim 1 by hand
    let mut y = [0i32; 6];
    copy_block(&[1, 2], 0, 1, &mut y, 0, 3, 2, 1);
    copy_block(&[3, 4, 5, 6], 0, 2, &mut y, 1, 3, 2, 2);
    assert_eq!(y, [1, 3, 4, 2, 5, 6]);
}

#[test]
fn flip_axis_by_hand_and_ref() {
    let x: Vec<i32> = (0..12).collect(); // [2, 3, 2]
    let mut y = [0i32; 12];
    flip_axis(&x, &mut y, 2, 3, 2);
    assert_eq!(y, [4, 5, 2, 3, 0, 1, 10, 11, 8, 9, 6, 7]);
    for &(o, d, i) in [(1usize, 7usize, 1usize), (3, 5, 9), (2, 1, 3), (0, 3, 3)].iter() {
        let x = seq(o * d * i);
        let (mut a, mut b) = (vec![0.0; x.len()], vec![0.0; x.len()]);
        flip_axis(&x, &mut a, o, d, i);
        flip_axis_ref(&x, &mut b, o, d, i);
        assert_eq!(a, b);
    }
}

#[test]
fn index_select_and_add() {
    // x [2, 3, 2]; select dim 1 with [2, 0, 2]
    let x: Vec<f32> = (0..12).map(|v| v as f32).collect();
    let idx = [2, 0, 2];
    let mut y = vec![0.0f32; 12];
    index_select(&x, &idx, &mut y, 2, 3, 2).unwrap();
    assert_eq!(
        y,
        [4.0, 5.0, 0.0, 1.0, 4.0, 5.0, 10.0, 11.0, 6.0, 7.0, 10.0, 11.0]
    );
    let mut r = vec![0.0f32; 12];
    index_select_ref(&x, &idx, &mut r, 2, 3, 2).unwrap();
    assert_eq!(y, r);
    // the duplicate 2 accumulates
    let dy = vec![1.0f32; 12];
    let mut dx = vec![0.0f32; 12];
    index_add(&dy, &idx, &mut dx, 2, 3, 2).unwrap();
    assert_eq!(
        dx,
        [1.0, 1.0, 0.0, 0.0, 2.0, 2.0, 1.0, 1.0, 0.0, 0.0, 2.0, 2.0]
    );
    let mut dr = vec![0.0f32; 12];
    index_add_ref(&dy, &idx, &mut dr, 2, 3, 2).unwrap();
    assert_eq!(dx, dr);
    let mut untouched = vec![-1.0f32; 12];
    assert_eq!(
        index_select(&x, &[0, 3, -1], &mut untouched, 2, 3, 2),
        Err(1)
    );
    assert!(untouched.iter().all(|&v| v == -1.0));
    assert_eq!(index_add(&dy, &[0, -1, 1], &mut untouched, 2, 3, 2), Err(1));
}

#[test]
fn gather_scatter_by_hand() {
    // x [2, 3] = [[0, 1, 2], [3, 4, 5]]; gather dim 1 with index [[2, 0], [1, 1]] (smaller than x)
    let x = [0.0f32, 1.0, 2.0, 3.0, 4.0, 5.0];
    let idx = [2, 0, 1, 1];
    let mut y = [0.0f32; 4];
    gather_dim(&x, &idx, &mut y, &[2, 2], &[3, 1], 1, 3).unwrap();
    assert_eq!(y, [2.0, 0.0, 4.0, 4.0]);
    // scatter-add back into zeros [2, 3]: duplicates add
    let mut dx = [0.0f32; 6];
    scatter_dim(
        1,
        &[1.0, 2.0, 3.0, 4.0],
        &idx,
        &mut dx,
        &[2, 2],
        &[2, 1],
        &[3, 1],
        1,
        3,
    )
    .unwrap();
    assert_eq!(dx, [2.0, 0.0, 1.0, 0.0, 7.0, 0.0]);
    // assignment: the last duplicate wins
    let mut s = [0.0f32; 6];
    scatter_dim(
        0,
        &[1.0, 2.0, 3.0, 4.0],
        &idx,
        &mut s,
        &[2, 2],
        &[2, 1],
        &[3, 1],
        1,
        3,
    )
    .unwrap();
    assert_eq!(s, [2.0, 0.0, 1.0, 0.0, 4.0, 0.0]);
    let mut bad = [-1.0f32; 4];
    assert_eq!(
        gather_dim(&x, &[0, 3, 0, 0], &mut bad, &[2, 2], &[3, 1], 1, 3),
        Err(1)
    );
    assert!(bad.iter().all(|&v| v == -1.0));
}

#[test]
fn gather_scatter_match_ref_at_odd_shapes() {
    // x [5, 7, 3], index [4, 6, 2] along each dim in turn, src strides of a larger [5, 7, 3] source
    let x = seq(5 * 7 * 3);
    let shape = [4u32, 6, 2];
    let xs = [21u32, 3, 1];
    for dim in 0..3 {
        let size = [5usize, 7, 3][dim];
        let idx: Vec<i32> = (0..48).map(|i| ((i * 7 + 3) % size) as i32).collect();
        let (mut a, mut b) = (vec![0.0f32; 48], vec![0.0f32; 48]);
        gather_dim(&x, &idx, &mut a, &shape, &xs, dim, size).unwrap();
        gather_dim_ref(&x, &idx, &mut b, &shape, &xs, dim, size).unwrap();
        assert_eq!(a, b);
        for mode in 0..2 {
            let (mut a, mut b) = (vec![0.5f32; 105], vec![0.5f32; 105]);
            scatter_dim(mode, &x, &idx, &mut a, &shape, &xs, &xs, dim, size).unwrap();
            scatter_dim_ref(mode, &x, &idx, &mut b, &shape, &xs, &xs, dim, size).unwrap();
            assert_eq!(a, b);
        }
    }
}

#[test]
fn one_hot_and_ranges() {
    let mut y = [7i32; 6];
    one_hot(&[2, 0], 3, &mut y).unwrap();
    assert_eq!(y, [0, 0, 1, 1, 0, 0]);
    let mut r = [7i32; 6];
    one_hot_ref(&[2, 0], 3, &mut r).unwrap();
    assert_eq!(y, r);
    assert_eq!(one_hot(&[0, 3], 3, &mut y), Err(1));
    assert_eq!(max_i32(&[3, -2, 9, 1]), 9);
    assert_eq!(max_i32(&[]), i32::MIN);
    let mut a = [0.0f32; 4];
    arange_f32(&mut a, 1.0, -0.5);
    assert_eq!(a, [1.0, 0.5, 0.0, -0.5]);
    let mut l = [0.0f32; 5];
    linspace_f32(&mut l, -1.0, 1.0);
    assert_eq!(l, [-1.0, -0.5, 0.0, 0.5, 1.0]);
    let mut e = [9.0f32; 6];
    eye_f32(&mut e, 2, 3);
    assert_eq!(e, [1.0, 0.0, 0.0, 0.0, 1.0, 0.0]);
}
