//! `Fixed(x, n)` displays `x` with `n` decimals like `{:.n}` does, without core's float formatting
//! (dragon/grisu, ~15 KB of wasm) that one `{:.2}` of an f64 pulls into the package.

use std::fmt;

/// `x` with `decimals` (at most 6) digits after the point, rounded half away from zero.
pub(crate) struct Fixed(pub f64, pub u32);

impl fmt::Display for Fixed {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let Fixed(x, decimals) = *self;
        let decimals = decimals.min(6);
        if !x.is_finite() {
            let text = if x.is_nan() {
                "NaN"
            } else if x > 0.0 {
                "inf"
            } else {
                "-inf"
            };
            return f.write_str(text);
        }
        let scale = 10u64.pow(decimals);
        // Beyond 2^53 / 10^6 an f64 has no fraction digits left to show; saturating keeps it finite.
        let scaled = (x.abs() * scale as f64).round() as u64;
        if x.is_sign_negative() && scaled != 0 {
            f.write_str("-")?;
        }
        let (int, frac) = (scaled / scale, scaled % scale);
        if decimals == 0 {
            write!(f, "{int}")
        } else {
            write!(f, "{int}.{frac:0width$}", width = decimals as usize)
        }
    }
}

#[cfg(test)]
mod tests {
    use super::Fixed;

    #[test]
    fn matches_std_fixed_formatting() {
        for &x in &[
            0.0, 1.0, 0.5, 2.345, 10.0, 59.999, 123.456, 0.004, 0.005, 7.25, 1e9, -3.5, -0.001,
        ] {
            for n in [0u32, 1, 2, 3] {
                let ours = Fixed(x, n).to_string();
                let std = format!("{x:.*}", n as usize);
                // std rounds half to even on the exact binary value; ours rounds the scaled value half
                // away from zero: they may differ only in the last digit on exact ties.
                if ours != std {
                    let a: f64 = ours.parse().unwrap();
                    let b: f64 = std.parse().unwrap();
                    assert!(
                        (a - b).abs() <= 10f64.powi(-(n as i32)) + 1e-12,
                        "{x} {n}: {ours} vs {std}"
                    );
                }
            }
        }
    }

    #[test]
    fn non_finite_and_negative_zero() {
        assert_eq!(Fixed(f64::NAN, 2).to_string(), "NaN");
        assert_eq!(Fixed(f64::INFINITY, 2).to_string(), "inf");
        assert_eq!(Fixed(f64::NEG_INFINITY, 0).to_string(), "-inf");
        assert_eq!(Fixed(-0.0, 2).to_string(), "0.00");
        assert_eq!(Fixed(-0.001, 2).to_string(), "0.00");
        assert_eq!(Fixed(2.5, 2).to_string(), "2.50");
        assert_eq!(Fixed(1.0 / 3.0, 2).to_string(), "0.33");
        assert_eq!(Fixed(30.0, 0).to_string(), "30");
    }
}
