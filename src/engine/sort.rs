//! A stable insertion sort for the engine's short lists (variants ≤ `Limits::max_variants`,
//! buffered ranges ≤ a handful). Each `slice::sort_by` instantiation costs ~3 KB of wasm (driftsort);
//! this costs ~100 bytes, and O(n²) is nothing at these lengths.

/// Sorts `v` so that no element is `less` than one before it; equal elements keep their order.
pub(crate) fn sort_stable_by<T>(v: &mut [T], less: impl Fn(&T, &T) -> bool) {
    for i in 1..v.len() {
        let mut j = i;
        while j > 0 {
            match (v.get(j - 1), v.get(j)) {
                (Some(a), Some(b)) if less(b, a) => v.swap(j - 1, j),
                _ => break,
            }
            j -= 1;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::sort_stable_by;

    #[test]
    fn sorts_like_the_standard_stable_sort() {
        let mut seed = 0x2545_f491_u32;
        for len in 0..40 {
            let mut v: Vec<(u32, usize)> = (0..len)
                .map(|i| {
                    seed = seed.wrapping_mul(1_103_515_245).wrapping_add(12_345);
                    ((seed >> 16) % 7, i)
                })
                .collect();
            let mut expected = v.clone();
            expected.sort_by_key(|e| e.0);
            sort_stable_by(&mut v, |a, b| a.0 < b.0);
            // Equal keys keep their input order (the index in .1), as the standard sort does.
            assert_eq!(v, expected, "len {len}");
        }
    }
}
