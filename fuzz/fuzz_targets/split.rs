//! Shared by the fuzz targets: one input cut into parts (segments, or init and segments) at
//! `FF 00 FF 00` markers, rare in media data, so the fuzzer can build multi-part runs.

pub fn parts(mut data: &[u8]) -> impl Iterator<Item = &[u8]> + Clone {
    const MARK: &[u8] = &[0xFF, 0x00, 0xFF, 0x00];
    std::iter::from_fn(move || {
        if data.is_empty() {
            return None;
        }
        match data.windows(MARK.len()).position(|w| w == MARK) {
            Some(p) => {
                let (part, rest) = data.split_at(p);
                data = rest.get(MARK.len()..).unwrap_or(&[]);
                Some(part)
            }
            None => Some(std::mem::take(&mut data)),
        }
    })
}
