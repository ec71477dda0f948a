//! H.264 supplemental enhancement information (ISO/IEC 14496-10 §7.3.2.3, Annex D) as far as
//! captions need it: the `sei_message`s of an SEI NAL unit, and in
//! `user_data_registered_itu_t_t35` (payload type 4) the ATSC A/53 Part 4 `GA94` caption data
//! (`cc_data`, CTA-708 §4.4), whose CEA-608 byte pairs are what [`crate::captions`] decodes.
//!
//! Everything works on the RBSP (emulation prevention bytes removed by the caller) and stops at
//! the first size that runs past the data: a damaged SEI yields what came before the damage.

/// `payloadType` of `user_data_registered_itu_t_t35` (§D.1.6).
pub const USER_DATA_REGISTERED_ITU_T_T35: u32 = 4;
/// ITU-T T.35 country code of the United States, which ATSC A/53 uses.
const COUNTRY_USA: u8 = 0xB5;
/// ITU-T T.35 terminal provider code of ATSC.
const PROVIDER_ATSC: [u8; 2] = [0x00, 0x31];
/// ATSC A/53 `user_identifier` of caption and bar data.
const USER_ID_GA94: [u8; 4] = *b"GA94";
/// ATSC A/53 `user_data_type_code` of `cc_data()`.
const TYPE_CC_DATA: u8 = 0x03;

/// One `sei_message`: its payload type and payload bytes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct SeiMessage<'a> {
    pub payload_type: u32,
    pub payload: &'a [u8],
}

/// The `sei_message`s of an SEI RBSP (after the one-byte NAL unit header), in order.
pub fn sei_messages(rbsp: &[u8]) -> SeiMessages<'_> {
    SeiMessages { rest: rbsp }
}

/// Iterator of [`sei_messages`].
#[derive(Debug, Clone)]
pub struct SeiMessages<'a> {
    rest: &'a [u8],
}

impl<'a> Iterator for SeiMessages<'a> {
    type Item = SeiMessage<'a>;

    fn next(&mut self) -> Option<SeiMessage<'a>> {
        // more_rbsp_data(): what is left is more than the rbsp_trailing_bits (0x80).
        if matches!(self.rest, [] | [0x80, ..]) {
            return None;
        }
        let (payload_type, rest) = ff_coded(self.rest)?;
        let (size, rest) = ff_coded(rest)?;
        let size = usize::try_from(size).ok()?;
        let (Some(payload), Some(after)) = (rest.get(..size), rest.get(size..)) else {
            self.rest = &[];
            return None;
        };
        self.rest = after;
        Some(SeiMessage {
            payload_type,
            payload,
        })
    }
}

/// A `payloadType`/`payloadSize` value: 0xFF bytes each add 255, the first other byte ends it
/// (§7.3.2.3.1). Bounded by the data, so at most a few million.
fn ff_coded(data: &[u8]) -> Option<(u32, &[u8])> {
    let mut value = 0u32;
    let mut rest = data;
    loop {
        let (&b, tail) = rest.split_first()?;
        rest = tail;
        value = value.saturating_add(u32::from(b));
        if b != 0xFF {
            return Some((value, rest));
        }
    }
}

/// The `cc_data` triplets (`cc_valid`/`cc_type` byte, `cc_data_1`, `cc_data_2`) of a
/// `user_data_registered_itu_t_t35` payload carrying ATSC A/53 `GA94` caption data, or `None`
/// for any other user data (or `process_cc_data_flag` clear, which says to ignore it).
pub fn ga94_cc_data(payload: &[u8]) -> Option<&[u8]> {
    let [country, p0, p1, u0, u1, u2, u3, type_code, flags, _em_data, triplets @ ..] = payload
    else {
        return None;
    };
    if *country != COUNTRY_USA
        || [*p0, *p1] != PROVIDER_ATSC
        || [*u0, *u1, *u2, *u3] != USER_ID_GA94
        || *type_code != TYPE_CC_DATA
        || flags & 0x40 == 0
    {
        return None;
    }
    let count = usize::from(flags & 0x1F);
    // A cc_count beyond the payload keeps the whole triplets there are.
    let len = (count * 3).min(triplets.len() / 3 * 3);
    triplets.get(..len)
}

/// One `cc_data` construct with `cc_valid` set.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct CcTriplet {
    /// 0: CEA-608 field 1, 1: CEA-608 field 2, 2/3: CEA-708 DTVCC packet data / start.
    pub cc_type: u8,
    pub data: [u8; 2],
}

/// The valid constructs of a `cc_data` triplet list ([`ga94_cc_data`]); `cc_valid == 0`
/// constructs are padding and skipped.
pub fn cc_triplets(triplets: &[u8]) -> impl Iterator<Item = CcTriplet> + '_ {
    triplets.chunks_exact(3).filter_map(|t| match *t {
        [head, d1, d2] if head & 0x04 != 0 => Some(CcTriplet {
            cc_type: head & 0x03,
            data: [d1, d2],
        }),
        _ => None,
    })
}

/// The CEA-608 constructs (`cc_type` 0 or 1) of the GA94 caption data in an SEI NAL unit,
/// `payload` being what follows its header (escaped: `scratch` takes the RBSP), in order.
pub fn sei_608(payload: &[u8], scratch: &mut Vec<u8>, each: &mut dyn FnMut(CcTriplet)) {
    super::bits::unescape_rbsp(payload, scratch);
    for message in sei_messages(scratch) {
        if message.payload_type != USER_DATA_REGISTERED_ITU_T_T35 {
            continue;
        }
        if let Some(triplets) = ga94_cc_data(message.payload) {
            cc_triplets(triplets)
                .filter(|t| t.cc_type < 2)
                .for_each(&mut *each);
        }
    }
}

#[cfg(test)]
pub(crate) mod tests {
    use super::*;

    /// A GA94 `user_data_registered_itu_t_t35` payload with these (cc_valid|cc_type, d1, d2).
    pub(crate) fn ga94_payload(triplets: &[[u8; 3]]) -> Vec<u8> {
        let mut p = vec![0xB5, 0x00, 0x31, b'G', b'A', b'9', b'4', 0x03];
        p.push(0x40 | triplets.len() as u8);
        p.push(0xFF);
        for t in triplets {
            p.push(0xF8 | t[0]);
            p.extend_from_slice(&t[1..]);
        }
        p.push(0xFF); // marker_bits
        p
    }

    /// An SEI RBSP holding `messages` (type, payload) and the trailing bits.
    pub(crate) fn sei_rbsp(messages: &[(u32, &[u8])]) -> Vec<u8> {
        let mut out = Vec::new();
        for (t, p) in messages {
            for mut v in [*t as usize, p.len()] {
                while v >= 255 {
                    out.push(0xFF);
                    v -= 255;
                }
                out.push(v as u8);
            }
            out.extend_from_slice(p);
        }
        out.push(0x80);
        out
    }

    #[test]
    fn ga94_caption_pairs_come_out_of_the_second_message() {
        let unregistered = [0x11u8; 300];
        let cc = ga94_payload(&[[0x04, 0x94, 0x20], [0x01, 0x80, 0x80], [0x05, 0x15, 0x2c]]);
        let rbsp = sei_rbsp(&[(5, &unregistered), (4, &cc)]);
        let messages: Vec<_> = sei_messages(&rbsp).collect();
        assert_eq!(messages.len(), 2);
        assert_eq!(messages[0].payload.len(), 300, "0xFF-coded size of 300");
        let triplets = ga94_cc_data(messages[1].payload).unwrap();
        let valid: Vec<_> = cc_triplets(triplets).collect();
        assert_eq!(
            valid,
            [
                CcTriplet {
                    cc_type: 0,
                    data: [0x94, 0x20]
                },
                CcTriplet {
                    cc_type: 1,
                    data: [0x15, 0x2c]
                }
            ],
            "the cc_valid = 0 construct is skipped"
        );
    }

    #[test]
    fn payload_type_above_255_is_ff_coded() {
        let rbsp = sei_rbsp(&[(300, &[1, 2, 3])]);
        assert_eq!(&rbsp[..3], &[0xFF, 45, 3]);
        let m: Vec<_> = sei_messages(&rbsp).collect();
        assert_eq!(m[0].payload_type, 300);
        assert_eq!(m[0].payload, &[1, 2, 3]);
    }

    #[test]
    fn a_size_past_the_end_stops_without_panicking() {
        let cc = ga94_payload(&[[0x04, 0x94, 0x20]]);
        let mut rbsp = sei_rbsp(&[(4, &cc), (4, &cc)]);
        rbsp.truncate(rbsp.len() - 5);
        let m: Vec<_> = sei_messages(&rbsp).collect();
        assert_eq!(m.len(), 1, "the cut second message is not returned");
        for cut in 0..rbsp.len() {
            for m in sei_messages(&rbsp[..cut]) {
                let _ = ga94_cc_data(m.payload).map(|t| cc_triplets(t).count());
            }
        }
        assert_eq!(sei_messages(&[0xFF; 64]).count(), 0);
    }

    #[test]
    fn other_user_data_and_cleared_process_flag_are_not_captions() {
        let mut cc = ga94_payload(&[[0x04, 0x94, 0x20]]);
        assert!(ga94_cc_data(&cc).is_some());
        cc[8] &= !0x40;
        assert_eq!(ga94_cc_data(&cc), None, "process_cc_data_flag clear");
        let mut afd = ga94_payload(&[[0x04, 0x94, 0x20]]);
        afd[7] = 0x06; // bar data
        assert_eq!(ga94_cc_data(&afd), None);
        let mut dtv = ga94_payload(&[[0x04, 0x94, 0x20]]);
        dtv[2] = 0x2F; // DirecTV provider code
        assert_eq!(ga94_cc_data(&dtv), None);
    }

    #[test]
    fn cc_count_larger_than_the_payload_keeps_the_whole_triplets() {
        let mut cc = ga94_payload(&[[0x04, 0x94, 0x20], [0x04, 0x94, 0x20]]);
        cc[8] = 0x40 | 31;
        cc.truncate(cc.len() - 1); // marker gone: 6 bytes, two whole triplets
        let t = ga94_cc_data(&cc).unwrap();
        assert_eq!(t.len(), 6);
    }
}
