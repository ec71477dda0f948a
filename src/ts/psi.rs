//! Program-specific information (ISO/IEC 13818-1 §2.4.4): section reassembly, CRC and the PAT.

/// PSI section reassembly (§2.4.4), bounded by the 1021-byte section limit.
#[derive(Debug, Default)]
pub(super) struct Section {
    buf: Vec<u8>,
    active: bool,
}

impl Section {
    /// Returns the complete section, if this packet completed one.
    pub(super) fn feed(&mut self, payload: &[u8], pusi: bool) -> Option<&[u8]> {
        if pusi {
            let pointer = usize::from(*payload.first()?);
            self.buf.clear();
            self.buf.extend_from_slice(payload.get(1 + pointer..)?);
            self.active = true;
        } else if self.active {
            self.buf.extend_from_slice(payload);
        } else {
            return None;
        }
        let len = usize::from(u16::from_be_bytes([*self.buf.get(1)?, *self.buf.get(2)?]) & 0x0FFF);
        if len > 1021 {
            self.active = false;
            return None;
        }
        if self.buf.len() < 3 + len {
            return None;
        }
        self.active = false;
        self.buf.get(..3 + len)
    }
}

/// CRC-32/MPEG-2 (§2.4.4.10 / Annex A); over a whole section including its CRC_32 it is 0.
pub(super) fn crc32_mpeg(data: &[u8]) -> u32 {
    let mut crc = 0xFFFF_FFFFu32;
    for &b in data {
        crc ^= u32::from(b) << 24;
        for _ in 0..8 {
            crc = if crc & 0x8000_0000 != 0 {
                (crc << 1) ^ 0x04C1_1DB7
            } else {
                crc << 1
            };
        }
    }
    crc
}

/// First program's PMT PID (§2.4.4.3).
pub(super) fn parse_pat(section: &[u8]) -> Option<u16> {
    if *section.first()? != 0x00 {
        return None;
    }
    let end = section.len().checked_sub(4)?;
    section.get(8..end)?.chunks_exact(4).find_map(|e| {
        let program = u16::from_be_bytes([*e.first()?, *e.get(1)?]);
        let pid = (u16::from(*e.get(2)? & 0x1F) << 8) | u16::from(*e.get(3)?);
        (program != 0).then_some(pid)
    })
}
