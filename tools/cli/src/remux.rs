//! `hlsplay remux SEG1.ts [SEG2.ts ...] -o out.mp4`: consecutive TS segments of one rendition to
//! one fragmented MP4 (init segment, then one fragment per input).
use hlsplay::remux::{OutputShape, SegmentInfo, Transmuxer};
use std::io::Write;

pub fn run(args: &[String]) -> Result<(), String> {
    let mut inputs = Vec::new();
    let mut output = None;
    let mut it = args.iter();
    while let Some(arg) = it.next() {
        match arg.as_str() {
            "-o" | "--output" => {
                output = Some(it.next().ok_or("remux: -o needs a file name")?.clone());
            }
            other if other.starts_with('-') && other.len() > 1 => {
                return Err(format!("remux: unknown option `{other}`"));
            }
            other => inputs.push(other.to_string()),
        }
    }
    let output = output.ok_or("remux: missing -o OUT.mp4")?;
    if inputs.is_empty() {
        return Err("remux: no input segments".to_string());
    }
    let mut mux = Transmuxer::new(OutputShape::Combined);
    let mut out = Vec::new();
    let mut start = 0.0;
    // Why the output is still empty, when it is: the last segment's warnings say it.
    let mut why_empty = Vec::new();
    for (i, path) in inputs.iter().enumerate() {
        let bytes = std::fs::read(path).map_err(|e| format!("remux: cannot read {path}: {e}"))?;
        let info = SegmentInfo {
            start,
            ..SegmentInfo::default()
        };
        let result = mux
            .push(&bytes, &info)
            .map_err(|e| format!("remux: cannot remux {path} (segment {}): {e}", i + 1))?;
        for w in &result.warnings {
            eprintln!("hlsplay: warning: {path}: {w}");
        }
        if out.is_empty() && result.tracks.is_empty() {
            why_empty = result.warnings.iter().map(|w| w.to_string()).collect();
        }
        for track in &result.tracks {
            if let Some(init) = &track.init {
                if i > 0 {
                    eprintln!("hlsplay: warning: {path}: codec configuration changed: new init segment ({})", track.codecs);
                }
                out.extend_from_slice(init);
            }
            out.extend_from_slice(&track.data);
        }
        eprintln!(
            "hlsplay: {path}: {:.3}..{:.3} s, {}",
            result.start,
            result.end,
            result.tracks.first().map_or("", |t| t.codecs.as_str())
        );
        start = result.end;
    }
    if out.is_empty() {
        // An empty file with exit 0 would look like success to a script.
        let why = if why_empty.is_empty() {
            "no audio or video frames".to_string()
        } else {
            why_empty.join("; ")
        };
        return Err(format!("remux: nothing to write to {output}: {why}"));
    }
    let mut file = std::fs::File::create(&output)
        .map_err(|e| format!("remux: cannot create {output}: {e}"))?;
    file.write_all(&out)
        .map_err(|e| format!("remux: cannot write {output}: {e}"))?;
    Ok(())
}
