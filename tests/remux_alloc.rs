//! No per-TS-packet or per-sample heap allocation: once the transmuxer's buffers are warm, a
//! whole segment costs a handful of allocations (the outputs), not one per packet or frame.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::indexing_slicing)]
// Native only: the wasm build has its own global allocator (talc), and two cannot be linked.
#![cfg(not(target_arch = "wasm32"))]
mod common;
use common::ts_fixture as fixture;

use hlsplay::remux::{OutputShape, SegmentInfo, Transmuxer};
use std::alloc::{GlobalAlloc, Layout, System};
use std::sync::atomic::{AtomicUsize, Ordering};

struct Counting;
static ALLOCS: AtomicUsize = AtomicUsize::new(0);

unsafe impl GlobalAlloc for Counting {
    unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
        ALLOCS.fetch_add(1, Ordering::Relaxed);
        // SAFETY: forwards the caller's layout to the system allocator unchanged.
        unsafe { System.alloc(layout) }
    }
    unsafe fn dealloc(&self, ptr: *mut u8, layout: Layout) {
        // SAFETY: `ptr` came from `System.alloc` with this layout.
        unsafe { System.dealloc(ptr, layout) }
    }
    unsafe fn realloc(&self, ptr: *mut u8, layout: Layout, new_size: usize) -> *mut u8 {
        ALLOCS.fetch_add(1, Ordering::Relaxed);
        // SAFETY: as for `alloc`/`dealloc`.
        unsafe { System.realloc(ptr, layout, new_size) }
    }
}

#[global_allocator]
static GLOBAL: Counting = Counting;

#[test]
fn a_warm_segment_allocates_a_bounded_handful() {
    let seg = fixture("main_bf2.ts");
    let packets = seg.len() / 188;
    for shape in [OutputShape::Combined, OutputShape::SplitTracks] {
        let mut mux = Transmuxer::new(shape);
        let mut info = SegmentInfo::default();
        mux.push(&seg, &info).unwrap();
        info.non_contiguous = true;
        let before = ALLOCS.load(Ordering::Relaxed);
        let out = mux.push(&seg, &info).unwrap();
        let n = ALLOCS.load(Ordering::Relaxed) - before;
        eprintln!("{shape:?}: {n} allocations for {packets} packets");
        assert!(out.tracks.iter().all(|t| !t.data.is_empty()));
        // 513 packets, 60 video and 95 audio frames: a per-packet or per-frame allocation
        // would show up as hundreds.
        assert!(n <= 40, "{shape:?}: {n} allocations for {packets} packets");
    }
    a_warm_segment_with_608_captions_allocates_a_bounded_handful();
}

/// Part of [`a_warm_segment_allocates_a_bounded_handful`]: the allocation counter is global,
/// so a second test running in parallel would count the other's allocations.
fn a_warm_segment_with_608_captions_allocates_a_bounded_handful() {
    let seg = fixture("cea608_bf.ts");
    let mut mux = Transmuxer::new(OutputShape::Combined);
    let mut info = SegmentInfo::default();
    let first = mux.push(&seg, &info).unwrap();
    info.non_contiguous = true;
    let before = ALLOCS.load(Ordering::Relaxed);
    let out = mux.push(&seg, &info).unwrap();
    let n = ALLOCS.load(Ordering::Relaxed) - before;
    eprintln!("captions: {n} allocations, {} pairs", out.captions.len());
    assert_eq!(out.captions.len(), first.captions.len());
    assert_eq!(out.captions.len(), 500, "250 frames, a pair of each field");
    // 250 frames with a caption SEI each: the pairs are kept in reused buffers and come out
    // in one Vec, not one allocation per frame or pair.
    assert!(n <= 40, "{n} allocations");
}
