//! One sort for the crate.
//!
//! Each `sort`, `sort_by_key` or `sort_unstable` on a new element type or comparator
//! compiles its own copy of the standard library's sort (about 4 KB of wasm each): fifteen
//! copies were 58 KB of the planner page's exports module. These functions sort a list of
//! indices with a comparator behind `dyn`, so the whole crate carries one copy, then move
//! the elements into place by swaps. The cost, an indirect call per comparison, is lost
//! in the noise at the sizes the page sorts (a wave's rules, an edge's ports). All of them
//! are stable.

use std::cmp::Ordering;

/// The order that sorts `n` items by `cmp` (stable): `out[k]` is the index of the item
/// that belongs at `k`. Not generic, so compiled once.
fn order(n: usize, cmp: &dyn Fn(usize, usize) -> Ordering) -> Vec<usize> {
    let mut idx: Vec<usize> = (0..n).collect();
    idx.sort_by(|&a, &b| cmp(a, b));
    idx
}

/// Moves `v`'s items so that `order[k]`'s item ends at `k`.
fn apply<T>(v: &mut [T], order: &[usize]) {
    // pos[i]: where the item now at i belongs. Each swap puts one item in its place.
    let mut pos = vec![0; order.len()];
    for (k, &i) in order.iter().enumerate() {
        pos[i] = k;
    }
    for i in 0..v.len() {
        while pos[i] != i {
            let j = pos[i];
            v.swap(i, j);
            pos.swap(i, j);
        }
    }
}

/// `v.sort_by(cmp)`, through the crate's one sort.
pub fn sort_by<T>(v: &mut [T], cmp: impl Fn(&T, &T) -> Ordering) {
    let order = order(v.len(), &|a, b| cmp(&v[a], &v[b]));
    apply(v, &order);
}

/// `v.sort()`, through the crate's one sort.
pub fn sort<T: Ord>(v: &mut [T]) {
    sort_by(v, T::cmp);
}

/// `v.sort_by_key(key)`, through the crate's one sort (`key` runs twice per comparison:
/// keep it cheap, or use [`sort_by_cached_key`]).
pub fn sort_by_key<T, K: Ord>(v: &mut [T], key: impl Fn(&T) -> K) {
    sort_by(v, |a, b| key(a).cmp(&key(b)));
}

/// `v.sort_by_cached_key(key)`: each item's key made once.
pub fn sort_by_cached_key<T, K: Ord>(v: &mut [T], key: impl Fn(&T) -> K) {
    let keys: Vec<K> = v.iter().map(key).collect();
    let order = order(v.len(), &|a, b| keys[a].cmp(&keys[b]));
    apply(v, &order);
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The standard library's stable sort is the reference, ties included.
    #[test]
    fn sorts_as_the_standard_library_does() {
        let cases: &[&[(u8, u8)]] = &[
            &[],
            &[(1, 0)],
            &[(2, 0), (1, 1)],
            &[(3, 0), (1, 1), (3, 2), (2, 3), (1, 4), (0, 5), (3, 6)],
            &[(5, 0), (4, 1), (3, 2), (2, 3), (1, 4), (0, 5)],
            &[(1, 0), (1, 1), (1, 2), (0, 3)],
        ];
        for case in cases {
            let mut want = case.to_vec();
            want.sort_by_key(|p| p.0);
            let mut got = case.to_vec();
            sort_by_key(&mut got, |p| p.0);
            assert_eq!(got, want, "{case:?}");
            let mut cached = case.to_vec();
            sort_by_cached_key(&mut cached, |p| p.0);
            assert_eq!(cached, want, "{case:?}");
            let mut whole = case.to_vec();
            sort(&mut whole);
            let mut std_whole = case.to_vec();
            std_whole.sort();
            assert_eq!(whole, std_whole, "{case:?}");
        }
    }

    /// Every permutation of five items comes out sorted.
    #[test]
    fn every_permutation_of_five() {
        let mut v = [0u8, 1, 2, 3, 4];
        let mut seen = 0;
        // Heap's algorithm, iterative.
        let mut c = [0usize; 5];
        let mut check = |v: &[u8; 5]| {
            let mut w = *v;
            sort(&mut w);
            assert_eq!(w, [0, 1, 2, 3, 4], "{v:?}");
            seen += 1;
        };
        check(&v);
        let mut i = 0;
        while i < 5 {
            if c[i] < i {
                if i % 2 == 0 {
                    v.swap(0, i);
                } else {
                    v.swap(c[i], i);
                }
                check(&v);
                c[i] += 1;
                i = 0;
            } else {
                c[i] = 0;
                i += 1;
            }
        }
        assert_eq!(seen, 120);
    }
}
