//! MSB-first bit reader with Exp-Golomb codes (H.264 §7.2, §9.1) over an RBSP (emulation
//! prevention bytes already removed, see [`unescape_rbsp`]).

/// Read past the end of the data, or an Exp-Golomb code longer than 32 bits.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct BitsExhausted;

pub struct BitReader<'a> {
    data: &'a [u8],
    pos: usize,
}

impl<'a> BitReader<'a> {
    pub fn new(data: &'a [u8]) -> Self {
        Self { data, pos: 0 }
    }

    pub fn bit(&mut self) -> Result<bool, BitsExhausted> {
        let byte = self.data.get(self.pos / 8).ok_or(BitsExhausted)?;
        let bit = (byte >> (7 - (self.pos % 8))) & 1;
        self.pos += 1;
        Ok(bit == 1)
    }

    /// `n` <= 32 bits as an unsigned number.
    pub fn bits(&mut self, n: u32) -> Result<u32, BitsExhausted> {
        let mut v: u32 = 0;
        for _ in 0..n.min(32) {
            v = (v << 1) | u32::from(self.bit()?);
        }
        Ok(v)
    }

    pub fn skip(&mut self, n: usize) -> Result<(), BitsExhausted> {
        let end = self.pos.checked_add(n).ok_or(BitsExhausted)?;
        if end > self.data.len() * 8 {
            return Err(BitsExhausted);
        }
        self.pos = end;
        Ok(())
    }

    /// ue(v), §9.1.
    pub fn ue(&mut self) -> Result<u32, BitsExhausted> {
        let mut zeros = 0u32;
        while !self.bit()? {
            zeros += 1;
            if zeros > 31 {
                return Err(BitsExhausted);
            }
        }
        let rest = self.bits(zeros)?;
        // 2^zeros - 1 + rest fits u32 only up to zeros = 31 with rest < 2^31.
        Ok(((1u64 << zeros) - 1 + u64::from(rest)).min(u64::from(u32::MAX)) as u32)
    }

    /// se(v), §9.1.1.
    pub fn se(&mut self) -> Result<i32, BitsExhausted> {
        let k = i64::from(self.ue()?);
        let v = if k % 2 == 1 { (k + 1) / 2 } else { -(k / 2) };
        Ok(v as i32)
    }
}

/// Copy `nal` into `out` without its emulation prevention bytes (00 00 03 -> 00 00), §7.4.1.
pub fn unescape_rbsp(nal: &[u8], out: &mut Vec<u8>) {
    out.clear();
    let mut zeros = 0usize;
    for &b in nal {
        if zeros >= 2 && b == 3 {
            zeros = 0;
            continue;
        }
        zeros = if b == 0 { zeros + 1 } else { 0 };
        out.push(b);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn exp_golomb_values() {
        // 1 | 010 | 011 | 00100 | 00101 -> ue 0,1,2,3,4
        let data = [0b1010_0110, 0b0100_0010, 0b1000_0000];
        let mut r = BitReader::new(&data);
        let got: Vec<u32> = (0..5).map(|_| r.ue().unwrap()).collect();
        assert_eq!(got, vec![0, 1, 2, 3, 4]);
        let mut r = BitReader::new(&data);
        let got: Vec<i32> = (0..5).map(|_| r.se().unwrap()).collect();
        assert_eq!(got, vec![0, 1, -1, 2, -2]);
    }

    #[test]
    fn exhausted_is_an_error_not_a_panic() {
        let mut r = BitReader::new(&[0, 0, 0, 0, 0]);
        assert_eq!(r.ue(), Err(BitsExhausted));
        let mut r = BitReader::new(&[]);
        assert_eq!(r.bit(), Err(BitsExhausted));
        assert_eq!(BitReader::new(&[0xff]).skip(9), Err(BitsExhausted));
    }

    #[test]
    fn emulation_prevention_removed() {
        let mut out = Vec::new();
        unescape_rbsp(&[0x67, 0, 0, 3, 1, 0, 0, 3, 0, 3], &mut out);
        assert_eq!(out, vec![0x67, 0, 0, 1, 0, 0, 0, 3]);
    }
}
