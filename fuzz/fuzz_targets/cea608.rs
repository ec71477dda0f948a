//! CEA-608 on arbitrary bytes: `cargo +nightly fuzz run cea608`. The first byte picks the
//! channel; the data is read twice: as an SEI RBSP (the GA94 caption constructs found in it
//! must lie inside it), and as byte pairs with a field bit fed to the decoder (every cue must
//! end after it starts and hold at most 15 rows). Any panic is a bug (frozen as a named test in
//! src/captions/cea608/tests.rs or src/ts/sei.rs).
#![no_main]
use hlsplay::captions::{Cea608Decoder, Channel, Field};
use hlsplay::ts::sei::{cc_triplets, ga94_cc_data, sei_messages, USER_DATA_REGISTERED_ITU_T_T35};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let Some((&first, rest)) = data.split_first() else { return };
    for m in sei_messages(rest) {
        assert!(m.payload.len() <= rest.len());
        if m.payload_type == USER_DATA_REGISTERED_ITU_T_T35 {
            if let Some(t) = ga94_cc_data(m.payload) {
                assert!(t.len() % 3 == 0 && t.len() <= m.payload.len());
                let _ = cc_triplets(t).count();
            }
        }
    }
    let channel = match first & 3 {
        0 => Channel::Cc1,
        1 => Channel::Cc2,
        2 => Channel::Cc3,
        _ => Channel::Cc4,
    };
    let mut d = Cea608Decoder::new(channel);
    for (i, c) in rest.chunks_exact(3).enumerate() {
        let field = if c[0] & 1 == 0 { Field::One } else { Field::Two };
        if c[0] == 0xFF {
            d.reset();
        }
        d.push(i as f64 / 30.0, field, [c[1], c[2]]);
    }
    for cue in d.flush(rest.len() as f64) {
        assert!(cue.end > cue.start);
        assert!(cue.text.lines().count() <= 15);
    }
});
