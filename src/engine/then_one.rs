//! An iterator, then at most one more item: the engine's "main stream, then the alternate audio
//! stream" and "queued operations, then the one under way". Not `Iterator::chain`: every caller
//! of a `Chain` gets its own copy of its two-part `fold` / `try_fold` in the wasm (592 B gzip
//! over the engine's callers, docs/design-size.md); this one's `next` is all they share.

pub(crate) struct ThenOne<I: Iterator>(pub I, pub Option<I::Item>);

impl<I: Iterator> Iterator for ThenOne<I> {
    type Item = I::Item;
    fn next(&mut self) -> Option<I::Item> {
        self.0.next().or_else(|| self.1.take())
    }
}

#[cfg(test)]
mod tests {
    use super::ThenOne;

    #[test]
    fn yields_the_iterator_then_the_last_item_once() {
        let got: Vec<u8> = ThenOne([1, 2].into_iter(), Some(3)).collect();
        assert_eq!(got, [1, 2, 3]);
        let mut it = ThenOne(std::iter::empty::<u8>(), Some(7));
        assert_eq!((it.next(), it.next()), (Some(7), None));
        assert_eq!(ThenOne([4].into_iter(), None).collect::<Vec<u8>>(), [4]);
    }
}
