//! The peers' playlists (`<peer-data>/playlists/{vjs,hlsjs,grafov}`) against what each peer's
//! own tests expect of them, one table row per file.
//!
//! `Peer` is the peer's verdict, read from its test suite: hls.js and grafov tests assert a
//! parsing error or none; m3u8-parser never fails, so its fixtures that test invalid input (an
//! ignored bad value, a missing tag) count as malformed. `Ours` is what hlsplay does, checked:
//! for an accepted playlist its size and sequence numbers (also against a naive count of its URI
//! lines), for a refusal the line and message.
use super::verdict::{Outcome, Row};
use hlsplay::playlist::{self, ParseOptions, Playlist};
use std::path::Path;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Peer {
    /// The peer's tests parse it without error.
    Valid,
    /// The peer's tests expect an error, or the fixture tests invalid input.
    Malformed,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Ours {
    Master {
        variants: usize,
    },
    /// Listed segments, the first and last one's sequence number, segments left out by
    /// EXT-X-SKIP.
    Media {
        segments: usize,
        first: u64,
        last: u64,
        skipped: u64,
    },
    /// An error on `line` whose message contains `says`.
    Error {
        line: usize,
        says: &'static str,
    },
}

#[derive(Debug, Clone, Copy)]
pub struct Case {
    /// `<suite>/<file>` under `<peer-data>/playlists`.
    pub file: &'static str,
    pub peer: Peer,
    pub ours: Ours,
    /// Why we refuse or differ; for agreements, what is worth knowing.
    pub note: &'static str,
}

const fn case(file: &'static str, peer: Peer, ours: Ours, note: &'static str) -> Case {
    Case {
        file,
        peer,
        ours,
        note,
    }
}

/// Checks every playlist under `<peer_data>/playlists` against [`CASES`]. A file without a row,
/// or a row without its file, is an unexpected difference too.
pub fn check(peer_data: &Path) -> Vec<Row> {
    let root = peer_data.join("playlists");
    let mut rows = Vec::new();
    for c in CASES {
        let (suite, name) = c.file.split_once('/').unwrap_or(("", c.file));
        let suite = format!("playlists/{suite}");
        let row = |outcome, unexpected, detail| Row {
            suite: suite.clone(),
            name: name.to_string(),
            outcome,
            unexpected,
            detail,
        };
        let Ok(bytes) = std::fs::read(root.join(c.file)) else {
            rows.push(row(Outcome::Differ, true, "file missing".to_string()));
            continue;
        };
        let (got, detail) = ours(&bytes, c.file);
        let outcome = match (c.peer, c.ours) {
            (Peer::Valid, Ours::Error { .. }) => Outcome::Refused,
            (Peer::Malformed, Ours::Master { .. } | Ours::Media { .. }) => Outcome::Differ,
            _ => Outcome::Agree,
        };
        let matches = match (got, c.ours) {
            (Ok(g), want) => g == want,
            (Err((line, message)), Ours::Error { line: l, says }) => {
                line == l && line > 0 && message.contains(says)
            }
            (Err(_), _) => false,
        };
        // A refusal or a difference must say why.
        let unexplained = outcome != Outcome::Agree && c.note.is_empty();
        let detail = match (c.note, matches) {
            ("", true) => detail,
            (note, true) => format!("{detail} — {note}"),
            (_, false) => format!("{detail}; the table says {:?}", c.ours),
        };
        rows.push(row(outcome, !matches || unexplained, detail));
    }
    for suite in ["vjs", "hlsjs", "grafov"] {
        let Ok(dir) = std::fs::read_dir(root.join(suite)) else {
            continue;
        };
        let mut names: Vec<String> = dir
            .filter_map(|e| e.ok()?.file_name().into_string().ok())
            .filter(|n| n.ends_with(".m3u8"))
            .collect();
        names.sort();
        for name in names {
            let file = format!("{suite}/{name}");
            if !CASES.iter().any(|c| c.file == file) {
                rows.push(Row {
                    suite: format!("playlists/{suite}"),
                    name,
                    outcome: Outcome::Differ,
                    unexpected: true,
                    detail: "not in the table of expectations".to_string(),
                });
            }
        }
    }
    rows
}

/// What we make of the playlist: its facts, or the error's line and message; and a one-line
/// description for the report.
fn ours(bytes: &[u8], file: &str) -> (Result<Ours, (usize, String)>, String) {
    let url = format!("http://peer.example/{file}");
    match playlist::parse(bytes, &url, &ParseOptions::default()) {
        Err(e) => {
            let text = e.to_string();
            (Err((e.line, text.clone())), format!("error: {text}"))
        }
        Ok(p) => {
            let (uris, stream_infs) = naive_counts(bytes);
            let (got, counted) = match &p {
                Playlist::Master(m) => (
                    Ours::Master {
                        variants: m.variants.len(),
                    },
                    m.variants.len() == stream_infs,
                ),
                Playlist::Media(m) => (
                    Ours::Media {
                        segments: m.segments.len(),
                        first: m.segments.first().map_or(0, |s| s.sequence),
                        last: m.segments.last().map_or(0, |s| s.sequence),
                        skipped: m.skip.map_or(0, |s| s.count),
                    },
                    m.segments.len() == uris,
                ),
            };
            let warnings = match &p {
                Playlist::Master(m) => m.warnings.len(),
                Playlist::Media(m) => m.warnings.len(),
            };
            let mut detail = format!("{got:?}");
            if warnings > 0 {
                detail.push_str(&format!(", {warnings} warning(s)"));
            }
            if !counted {
                // Disagrees with the plain count of URI lines / STREAM-INF tags.
                detail.push_str(&format!(
                    " (but the file has {uris} URI lines and {stream_infs} EXT-X-STREAM-INF)"
                ));
                return (Err((0, detail.clone())), detail);
            }
            (Ok(got), detail)
        }
    }
}

/// URI lines (neither blank nor `#`) and EXT-X-STREAM-INF tags, counted without a parser.
fn naive_counts(bytes: &[u8]) -> (usize, usize) {
    let text = String::from_utf8_lossy(bytes);
    let lines = text.lines().map(str::trim).filter(|l| !l.is_empty());
    let (mut uris, mut stream_infs) = (0, 0);
    for l in lines {
        if l.starts_with("#EXT-X-STREAM-INF") {
            stream_infs += 1;
        } else if !l.starts_with('#') {
            uris += 1;
        }
    }
    (uris, stream_infs.min(uris))
}

/// One row per peer playlist. Facts of accepted playlists were checked against the peers'
/// assertions where their tests make them (segment counts, sequence numbers), notes say so.
pub const CASES: &[Case] = &[
    case("grafov/master-playlist-with-custom-tags.m3u8", Peer::Valid, Ours::Master { variants: 5 }, ""),
    case("grafov/master-with-alternatives-b.m3u8", Peer::Valid, Ours::Master { variants: 4 }, ""),
    case("grafov/master-with-alternatives.m3u8", Peer::Valid, Ours::Master { variants: 4 }, ""),
    case("grafov/master-with-closed-captions-eq-none.m3u8", Peer::Valid, Ours::Master { variants: 3 }, ""),
    case("grafov/master-with-hlsv7.m3u8", Peer::Valid, Ours::Master { variants: 9 }, ""),
    case("grafov/master-with-i-frame-stream-inf.m3u8", Peer::Valid, Ours::Master { variants: 4 }, "the INVALIDBW I-frame variant left out with a warning"),
    case("grafov/master-with-independent-segments.m3u8", Peer::Valid, Ours::Master { variants: 1 }, ""),
    case("grafov/master-with-multiple-codecs.m3u8", Peer::Valid, Ours::Master { variants: 5 }, ""),
    case("grafov/master-with-stream-inf-1.m3u8", Peer::Valid, Ours::Master { variants: 5 }, ""),
    case("grafov/master-with-stream-inf-name.m3u8", Peer::Valid, Ours::Master { variants: 4 }, ""),
    case("grafov/master.m3u8", Peer::Valid, Ours::Master { variants: 5 }, ""),
    case("grafov/media-playlist-with-byterange.m3u8", Peer::Valid, Ours::Media { segments: 3, first: 0, last: 2, skipped: 0 }, ""),
    case("grafov/media-playlist-with-cue-out-in-without-oatcls.m3u8", Peer::Valid, Ours::Media { segments: 62, first: 275163116, last: 275163177, skipped: 0 }, "the last EXTINF has no URI: dropped with a warning, as grafov does"),
    case("grafov/media-playlist-with-custom-tags.m3u8", Peer::Valid, Ours::Media { segments: 4, first: 0, last: 3, skipped: 0 }, ""),
    case("grafov/media-playlist-with-discontinuity-seq.m3u8", Peer::Valid, Ours::Media { segments: 4, first: 0, last: 3, skipped: 0 }, ""),
    case("grafov/media-playlist-with-discontinuity.m3u8", Peer::Valid, Ours::Media { segments: 4, first: 0, last: 3, skipped: 0 }, ""),
    case("grafov/media-playlist-with-oatcls-scte35.m3u8", Peer::Valid, Ours::Media { segments: 3, first: 0, last: 2, skipped: 0 }, ""),
    case("grafov/media-playlist-with-program-date-time.m3u8", Peer::Valid, Ours::Media { segments: 4, first: 0, last: 3, skipped: 0 }, ""),
    case("grafov/media-playlist-with-scte35-1.m3u8", Peer::Valid, Ours::Media { segments: 3, first: 0, last: 2, skipped: 0 }, ""),
    case("grafov/media-playlist-with-scte35.m3u8", Peer::Valid, Ours::Media { segments: 3, first: 0, last: 2, skipped: 0 }, ""),
    case("grafov/media-playlist-with-start-time.m3u8", Peer::Valid, Ours::Media { segments: 4, first: 0, last: 3, skipped: 0 }, ""),
    case("grafov/widevine-bitrate.m3u8", Peer::Valid, Ours::Media { segments: 10, first: 3080, last: 3089, skipped: 0 }, ""),
    case("grafov/widevine-master.m3u8", Peer::Valid, Ours::Master { variants: 3 }, ""),
    case("grafov/wowza-master.m3u8", Peer::Valid, Ours::Master { variants: 5 }, ""),
    case("grafov/wowza-vod-chunklist.m3u8", Peer::Valid, Ours::Media { segments: 522, first: 1, last: 522, skipped: 0 }, ""),
    case("hlsjs/aes-implicit-iv.m3u8", Peer::Valid, Ours::Media { segments: 3, first: 1, last: 3, skipped: 0 }, ""),
    case("hlsjs/aes-skd-keyformat.m3u8", Peer::Valid, Ours::Error { line: 7, says: "unsupported: EXT-X-KEY KEYFORMAT=\"com.apple.streamingkeydelivery\" (DRM key systems)" }, "DRM key system (KEYFORMAT other than identity): this player has no EME"),
    case("hlsjs/aes256.m3u8", Peer::Valid, Ours::Error { line: 10, says: "unsupported: EXT-X-KEY METHOD=AES-256-CTR" }, "METHOD=AES-256 (CBC) is accepted; AES-256-CTR, which no RFC defines, is not"),
    case("hlsjs/attr-order-1.m3u8", Peer::Valid, Ours::Master { variants: 1 }, ""),
    case("hlsjs/attr-order-2.m3u8", Peer::Valid, Ours::Master { variants: 1 }, ""),
    case("hlsjs/attr-order-3.m3u8", Peer::Valid, Ours::Master { variants: 1 }, ""),
    case("hlsjs/bad-pdt.m3u8", Peer::Valid, Ours::Media { segments: 2, first: 0, last: 1, skipped: 0 }, "the bad PROGRAM-DATE-TIME ignored with a warning, as hls.js does"),
    case("hlsjs/bitrate-bytelength.m3u8", Peer::Valid, Ours::Media { segments: 3, first: 0, last: 2, skipped: 0 }, ""),
    case("hlsjs/bitrate-tag.m3u8", Peer::Valid, Ours::Media { segments: 3, first: 0, last: 2, skipped: 0 }, ""),
    case("hlsjs/broken-syntax.m3u8", Peer::Malformed, Ours::Error { line: 1, says: "not a playlist: missing #EXTM3U" }, ""),
    case("hlsjs/byterange-after-extinf.m3u8", Peer::Valid, Ours::Media { segments: 10, first: 7478, last: 7487, skipped: 0 }, ""),
    case("hlsjs/byterange-before-extinf.m3u8", Peer::Valid, Ours::Media { segments: 10, first: 7478, last: 7487, skipped: 0 }, ""),
    case("hlsjs/byterange-before-map.m3u8", Peer::Valid, Ours::Media { segments: 3, first: 1, last: 3, skipped: 0 }, ""),
    case("hlsjs/byterange-no-offset.m3u8", Peer::Valid, Ours::Media { segments: 3, first: 7478, last: 7480, skipped: 0 }, ""),
    case("hlsjs/clear-enc-clear.m3u8", Peer::Valid, Ours::Error { line: 12, says: "unsupported: EXT-X-KEY KEYFORMAT=\"com.apple.streamingkeydelivery\" (DRM key systems)" }, "DRM key system (KEYFORMAT other than identity): this player has no EME"),
    case("hlsjs/custom-tag-colon.m3u8", Peer::Valid, Ours::Media { segments: 3, first: 69844067, last: 69844069, skipped: 0 }, ""),
    case("hlsjs/custom-tags.m3u8", Peer::Valid, Ours::Media { segments: 10, first: 719926, last: 719935, skipped: 0 }, ""),
    case("hlsjs/daterange-interstitials.m3u8", Peer::Valid, Ours::Media { segments: 7, first: 1, last: 7, skipped: 0 }, ""),
    case("hlsjs/daterange-sooner.m3u8", Peer::Valid, Ours::Media { segments: 3, first: 1, last: 3, skipped: 0 }, ""),
    case("hlsjs/daterange-tagList.m3u8", Peer::Valid, Ours::Media { segments: 4, first: 0, last: 3, skipped: 0 }, ""),
    case("hlsjs/define-duplicate.m3u8", Peer::Malformed, Ours::Error { line: 4, says: "EXT-X-DEFINE: variable `foo` defined twice" }, ""),
    case("hlsjs/define-master.m3u8", Peer::Valid, Ours::Master { variants: 1 }, ""),
    case("hlsjs/define-ref-before-def.m3u8", Peer::Malformed, Ours::Error { line: 6, says: "variable reference `{$bar}` with no EXT-X-DEFINE of it above" }, ""),
    case("hlsjs/define-substitution-master.m3u8", Peer::Valid, Ours::Master { variants: 2 }, "variables in URIs, CODECS, NAME, GROUP-ID, a SESSION-KEY's hexadecimal IV and other DEFINE values"),
    case("hlsjs/define-undefined-ref-media.m3u8", Peer::Malformed, Ours::Error { line: 6, says: "variable reference `{$bar}` with no EXT-X-DEFINE of it above" }, ""),
    case("hlsjs/define-undefined-ref.m3u8", Peer::Malformed, Ours::Error { line: 4, says: "variable reference `{$host}` with no EXT-X-DEFINE of it above" }, ""),
    case("hlsjs/delta-pdt-after-segments.m3u8", Peer::Valid, Ours::Media { segments: 7, first: 17, last: 23, skipped: 17 }, "hls.js: 17 skipped + 7 = 24 fragments"),
    case("hlsjs/disc-seq-after-skip.m3u8", Peer::Valid, Ours::Media { segments: 1, first: 5715, last: 5715, skipped: 5054 }, ""),
    case("hlsjs/disc-seq-late.m3u8", Peer::Valid, Ours::Error { line: 7, says: "EXT-X-DISCONTINUITY-SEQUENCE after the first segment" }, "RFC 8216 4.3.3.3: DISCONTINUITY-SEQUENCE must come before the first segment; hls.js renumbers the segments before it"),
    case("hlsjs/discontinuity-sequence.m3u8", Peer::Valid, Ours::Media { segments: 5, first: 0, last: 4, skipped: 0 }, ""),
    case("hlsjs/discontinuity.m3u8", Peer::Valid, Ours::Media { segments: 5, first: 0, last: 4, skipped: 0 }, ""),
    case("hlsjs/dup-disc-sequence.m3u8", Peer::Malformed, Ours::Error { line: 8, says: "EXT-X-DISCONTINUITY-SEQUENCE after the first segment" }, ""),
    case("hlsjs/dup-endlist.m3u8", Peer::Malformed, Ours::Error { line: 7, says: "duplicate EXT-X-ENDLIST" }, ""),
    case("hlsjs/dup-media-sequence.m3u8", Peer::Malformed, Ours::Error { line: 7, says: "EXT-X-MEDIA-SEQUENCE after the first segment" }, ""),
    case("hlsjs/dup-part-inf.m3u8", Peer::Malformed, Ours::Error { line: 5, says: "duplicate EXT-X-PART-INF (first at line 4)" }, ""),
    case("hlsjs/dup-playlist-type.m3u8", Peer::Malformed, Ours::Error { line: 5, says: "duplicate EXT-X-PLAYLIST-TYPE" }, ""),
    case("hlsjs/dup-server-control.m3u8", Peer::Malformed, Ours::Error { line: 5, says: "duplicate EXT-X-SERVER-CONTROL (first at line 4)" }, ""),
    case("hlsjs/dup-skip.m3u8", Peer::Malformed, Ours::Error { line: 8, says: "duplicate EXT-X-SKIP (first at line 5)" }, ""),
    case("hlsjs/dup-targetduration.m3u8", Peer::Malformed, Ours::Error { line: 4, says: "duplicate EXT-X-TARGETDURATION" }, ""),
    case("hlsjs/dup-version.m3u8", Peer::Malformed, Ours::Error { line: 3, says: "duplicate EXT-X-VERSION" }, ""),
    case("hlsjs/empty-master.m3u8", Peer::Malformed, Ours::Error { line: 1, says: "not a playlist: missing #EXTM3U" }, ""),
    case("hlsjs/extinf-leading-dot.m3u8", Peer::Valid, Ours::Media { segments: 1, first: 0, last: 0, skipped: 0 }, ""),
    case("hlsjs/extinf-no-comma.m3u8", Peer::Valid, Ours::Media { segments: 5, first: 0, last: 4, skipped: 0 }, "hls.js: 5 fragments, the EXTINF before ENDLIST dropped"),
    case("hlsjs/fairplay-widevine-playready.m3u8", Peer::Valid, Ours::Error { line: 4, says: "unsupported: EXT-X-KEY KEYFORMAT=\"com.apple.streamingkeydelivery\" (DRM key systems)" }, "DRM key system (KEYFORMAT other than identity): this player has no EME"),
    case("hlsjs/fmp4-disc-pdt.m3u8", Peer::Valid, Ours::Media { segments: 22, first: 1638262, last: 1638283, skipped: 0 }, ""),
    case("hlsjs/gap.m3u8", Peer::Valid, Ours::Media { segments: 3, first: 0, last: 2, skipped: 0 }, ""),
    case("hlsjs/iframe-last-line.m3u8", Peer::Valid, Ours::Master { variants: 1 }, ""),
    case("hlsjs/key-after-extinf.m3u8", Peer::Valid, Ours::Media { segments: 8, first: 0, last: 7, skipped: 0 }, ""),
    case("hlsjs/lc-indented-media.m3u8", Peer::Valid, Ours::Master { variants: 3 }, ""),
    case("hlsjs/lc-multi-group.m3u8", Peer::Valid, Ours::Master { variants: 12 }, ""),
    case("hlsjs/lc-pathways.m3u8", Peer::Valid, Ours::Master { variants: 30 }, ""),
    case("hlsjs/lc-redundant-fallbacks.m3u8", Peer::Valid, Ours::Master { variants: 30 }, ""),
    case("hlsjs/lc-redundant-streams.m3u8", Peer::Valid, Ours::Master { variants: 4 }, ""),
    case("hlsjs/lc-video-range.m3u8", Peer::Valid, Ours::Master { variants: 6 }, ""),
    case("hlsjs/llhls-parts.m3u8", Peer::Valid, Ours::Media { segments: 8, first: 1151226, last: 1151233, skipped: 0 }, ""),
    case("hlsjs/llhls-server-control.m3u8", Peer::Valid, Ours::Media { segments: 1, first: 0, last: 0, skipped: 0 }, ""),
    case("hlsjs/llhls-skip.m3u8", Peer::Valid, Ours::Media { segments: 7, first: 81550, last: 81556, skipped: 9 }, "hls.js: 9 skipped placeholders + 7 segments"),
    case("hlsjs/map-no-uri.m3u8", Peer::Valid, Ours::Media { segments: 2, first: 0, last: 1, skipped: 0 }, "EXT-X-MAP without its URI (RFC 8216 4.3.2.5 requires one) ignored with a warning, as hls.js ignores it"),
    case("hlsjs/map-uri.m3u8", Peer::Valid, Ours::Media { segments: 1, first: 1, last: 1, skipped: 0 }, ""),
    case("hlsjs/master-comment.m3u8", Peer::Valid, Ours::Master { variants: 1 }, ""),
    case("hlsjs/media-sequence-after-skip.m3u8", Peer::Valid, Ours::Media { segments: 1, first: 7317, last: 7317, skipped: 191 }, "hls.js: 191 skipped, first real segment sn 7317"),
    case("hlsjs/media-sequence-late.m3u8", Peer::Malformed, Ours::Error { line: 6, says: "EXT-X-MEDIA-SEQUENCE after the first segment" }, ""),
    case("hlsjs/multi-session-data.m3u8", Peer::Valid, Ours::Master { variants: 1 }, "SESSION-DATA with VALUE and URI kept with a warning"),
    case("hlsjs/multiple-map.m3u8", Peer::Valid, Ours::Media { segments: 2, first: 1, last: 2, skipped: 0 }, ""),
    case("hlsjs/no-codecs.m3u8", Peer::Valid, Ours::Master { variants: 1 }, ""),
    case("hlsjs/no-extm3u-define.m3u8", Peer::Malformed, Ours::Error { line: 1, says: "not a playlist: missing #EXTM3U" }, ""),
    case("hlsjs/one-audio-track.m3u8", Peer::Malformed, Ours::Error { line: 2, says: "end of a master playlist without EXT-X-STREAM-INF" }, ""),
    case("hlsjs/one-level.m3u8", Peer::Valid, Ours::Master { variants: 1 }, ""),
    case("hlsjs/pdt-after-extinf.m3u8", Peer::Valid, Ours::Media { segments: 3, first: 69844067, last: 69844069, skipped: 0 }, ""),
    case("hlsjs/pdt-backfill.m3u8", Peer::Valid, Ours::Media { segments: 3, first: 0, last: 2, skipped: 0 }, ""),
    case("hlsjs/pdt-disc-first.m3u8", Peer::Valid, Ours::Media { segments: 6, first: 0, last: 5, skipped: 0 }, ""),
    case("hlsjs/segment-before-skip.m3u8", Peer::Malformed, Ours::Error { line: 8, says: "EXT-X-MEDIA-SEQUENCE after the first segment" }, ""),
    case("hlsjs/session-data.m3u8", Peer::Valid, Ours::Master { variants: 1 }, ""),
    case("hlsjs/session-keys.m3u8", Peer::Valid, Ours::Master { variants: 2 }, ""),
    case("hlsjs/several-frags.m3u8", Peer::Valid, Ours::Media { segments: 5, first: 0, last: 4, skipped: 0 }, ""),
    case("hlsjs/single-char-uri.m3u8", Peer::Valid, Ours::Media { segments: 2, first: 0, last: 1, skipped: 0 }, ""),
    case("hlsjs/skip-after-first-segment.m3u8", Peer::Valid, Ours::Media { segments: 2, first: 102, last: 106, skipped: 3 }, "hls.js: sn 102, 3 skipped, sn 106"),
    case("hlsjs/spaces-after-uri.m3u8", Peer::Valid, Ours::Media { segments: 2, first: 1, last: 2, skipped: 0 }, ""),
    case("hlsjs/spaces-in-uri.m3u8", Peer::Valid, Ours::Media { segments: 2, first: 1, last: 2, skipped: 0 }, "URI resolved to the WHATWG form (plain%205.ts)"),
    case("hlsjs/start-master-negative.m3u8", Peer::Valid, Ours::Master { variants: 1 }, ""),
    case("hlsjs/start-master.m3u8", Peer::Valid, Ours::Master { variants: 1 }, ""),
    case("hlsjs/start-offset.m3u8", Peer::Valid, Ours::Media { segments: 5, first: 0, last: 4, skipped: 0 }, ""),
    case("hlsjs/supplemental-codecs.m3u8", Peer::Valid, Ours::Master { variants: 4 }, ""),
    case("hlsjs/targetduration-decimal.m3u8", Peer::Valid, Ours::Media { segments: 0, first: 0, last: 0, skipped: 0 }, "a decimal TARGETDURATION (RFC 8216 4.3.3.1 wants an integer) read as the next whole second, 3, with a warning; hls.js truncates it to 2"),
    case("hlsjs/targetduration-min1.m3u8", Peer::Valid, Ours::Media { segments: 0, first: 0, last: 0, skipped: 0 }, "a decimal TARGETDURATION of 0.5 read as 1 with a warning, as hls.js does"),
    case("hlsjs/ten-levels.m3u8", Peer::Valid, Ours::Master { variants: 10 }, ""),
    case("hlsjs/unicode-ws-uri.m3u8", Peer::Valid, Ours::Media { segments: 2, first: 0, last: 1, skipped: 0 }, ""),
    case("hlsjs/zero-frag-level.m3u8", Peer::Valid, Ours::Media { segments: 0, first: 0, last: 0, skipped: 0 }, ""),
    case("vjs/absoluteUris.m3u8", Peer::Valid, Ours::Media { segments: 4, first: 0, last: 3, skipped: 0 }, ""),
    case("vjs/allowCache.m3u8", Peer::Valid, Ours::Media { segments: 17, first: 0, last: 16, skipped: 0 }, ""),
    case("vjs/allowCacheInvalid.m3u8", Peer::Valid, Ours::Media { segments: 1, first: 0, last: 0, skipped: 0 }, "both ignore the bad EXT-X-ALLOW-CACHE value (a tag RFC 8216 removed)"),
    case("vjs/alternateAudio.m3u8", Peer::Valid, Ours::Master { variants: 2 }, ""),
    case("vjs/alternateVideo.m3u8", Peer::Valid, Ours::Master { variants: 1 }, ""),
    case("vjs/brightcove.m3u8", Peer::Valid, Ours::Master { variants: 4 }, ""),
    case("vjs/byteRange.m3u8", Peer::Valid, Ours::Error { line: 12, says: "EXT-X-BYTERANGE without offset and no previous range of the same URI" }, "RFC 8216 4.3.2.2: a BYTERANGE without offset needs the previous segment to be a range of the same URI (here another file); m3u8-parser continues the other file's offset"),
    case("vjs/dateTime.m3u8", Peer::Valid, Ours::Media { segments: 2, first: 0, last: 1, skipped: 0 }, ""),
    case("vjs/diff-init-key.m3u8", Peer::Valid, Ours::Media { segments: 11, first: 7794, last: 7804, skipped: 0 }, ""),
    case("vjs/disallowCache.m3u8", Peer::Valid, Ours::Media { segments: 1, first: 0, last: 0, skipped: 0 }, ""),
    case("vjs/disc-sequence.m3u8", Peer::Valid, Ours::Media { segments: 4, first: 0, last: 3, skipped: 0 }, ""),
    case("vjs/discontinuity.m3u8", Peer::Valid, Ours::Media { segments: 9, first: 0, last: 8, skipped: 0 }, ""),
    case("vjs/domainUris.m3u8", Peer::Valid, Ours::Media { segments: 4, first: 0, last: 3, skipped: 0 }, ""),
    case("vjs/empty.m3u8", Peer::Malformed, Ours::Error { line: 1, says: "not a playlist: missing #EXTM3U" }, ""),
    case("vjs/emptyAllowCache.m3u8", Peer::Valid, Ours::Media { segments: 1, first: 0, last: 0, skipped: 0 }, "both ignore the empty EXT-X-ALLOW-CACHE value (a tag RFC 8216 removed)"),
    case("vjs/emptyMediaSequence.m3u8", Peer::Malformed, Ours::Error { line: 3, says: "EXT-X-MEDIA-SEQUENCE is not a decimal integer: ``" }, ""),
    case("vjs/emptyPlaylistType.m3u8", Peer::Malformed, Ours::Error { line: 2, says: "EXT-X-PLAYLIST-TYPE is not VOD or EVENT: ``" }, ""),
    case("vjs/emptyTargetDuration.m3u8", Peer::Malformed, Ours::Error { line: 2, says: "EXT-X-TARGETDURATION is not a decimal integer: ``" }, ""),
    case("vjs/encrypted.m3u8", Peer::Valid, Ours::Media { segments: 6, first: 7794, last: 7799, skipped: 0 }, ""),
    case("vjs/event.m3u8", Peer::Valid, Ours::Media { segments: 6, first: 0, last: 5, skipped: 0 }, ""),
    case("vjs/extXPlaylistTypeInvalidPlaylist.m3u8", Peer::Malformed, Ours::Error { line: 2, says: "EXT-X-PLAYLIST-TYPE is not VOD or EVENT: `STRING`" }, ""),
    case("vjs/extinf.m3u8", Peer::Malformed, Ours::Error { line: 9, says: "EXTINF duration is not a non-negative decimal number: `;asljasdfii11)))00`" }, ""),
    case("vjs/fmp4.m3u8", Peer::Valid, Ours::Media { segments: 2, first: 1, last: 2, skipped: 0 }, ""),
    case("vjs/headerOnly.m3u8", Peer::Malformed, Ours::Error { line: 1, says: "end of a media playlist without EXT-X-TARGETDURATION" }, ""),
    case("vjs/iFramePlaylist.m3u8", Peer::Valid, Ours::Master { variants: 9 }, ""),
    case("vjs/iFramesOnly.m3u8", Peer::Valid, Ours::Media { segments: 6, first: 0, last: 5, skipped: 0 }, ""),
    case("vjs/invalidAllowCache.m3u8", Peer::Valid, Ours::Media { segments: 1, first: 0, last: 0, skipped: 0 }, "both ignore the bad EXT-X-ALLOW-CACHE value (a tag RFC 8216 removed)"),
    case("vjs/invalidMediaSequence.m3u8", Peer::Malformed, Ours::Error { line: 3, says: "EXT-X-MEDIA-SEQUENCE is not a decimal integer: `gobblegobble`" }, ""),
    case("vjs/invalidPlaylistType.m3u8", Peer::Malformed, Ours::Error { line: 2, says: "EXT-X-PLAYLIST-TYPE is not VOD or EVENT: `asdRASDfasdR`" }, ""),
    case("vjs/invalidTargetDuration.m3u8", Peer::Malformed, Ours::Error { line: 2, says: "EXT-X-TARGETDURATION is not a decimal integer: `NaN`" }, ""),
    case("vjs/liveMissingSegmentDuration.m3u8", Peer::Malformed, Ours::Error { line: 8, says: "URI line without EXTINF" }, ""),
    case("vjs/liveStart30sBefore.m3u8", Peer::Valid, Ours::Media { segments: 9, first: 0, last: 8, skipped: 0 }, ""),
    case("vjs/llhls-byte-range.m3u8", Peer::Malformed, Ours::Error { line: 7, says: "EXT-X-BYTERANGE is not <length>[@<offset>]: `587500@`" }, ""),
    case("vjs/llhls-delta-byte-range.m3u8", Peer::Valid, Ours::Error { line: 7, says: "EXT-X-SKIP between the EXTINF at line 6 and its URI" }, "an EXTINF without its URI followed by EXT-X-SKIP; m3u8-parser lets the next EXTINF replace it"),
    case("vjs/llhls.m3u8", Peer::Valid, Ours::Media { segments: 7, first: 266, last: 272, skipped: 0 }, ""),
    case("vjs/llhlsDelta.m3u8", Peer::Valid, Ours::Media { segments: 4, first: 269, last: 272, skipped: 3 }, ""),
    case("vjs/manifestExtTTargetdurationNegative.m3u8", Peer::Malformed, Ours::Error { line: 2, says: "EXT-X-TARGETDURATION is not a decimal integer: `-10`" }, ""),
    case("vjs/manifestExtXEndlistEarly.m3u8", Peer::Valid, Ours::Media { segments: 5, first: 0, last: 4, skipped: 0 }, ""),
    case("vjs/manifestNoExtM3u.m3u8", Peer::Malformed, Ours::Error { line: 1, says: "not a playlist: missing #EXTM3U" }, ""),
    case("vjs/master-fmp4.m3u8", Peer::Valid, Ours::Master { variants: 24 }, ""),
    case("vjs/master.m3u8", Peer::Valid, Ours::Master { variants: 4 }, ""),
    case("vjs/media.m3u8", Peer::Valid, Ours::Media { segments: 4, first: 0, last: 3, skipped: 0 }, ""),
    case("vjs/mediaSequence.m3u8", Peer::Valid, Ours::Media { segments: 4, first: 0, last: 3, skipped: 0 }, ""),
    case("vjs/missingEndlist.m3u8", Peer::Valid, Ours::Media { segments: 2, first: 0, last: 1, skipped: 0 }, ""),
    case("vjs/missingExtinf.m3u8", Peer::Malformed, Ours::Error { line: 8, says: "URI line without EXTINF" }, ""),
    case("vjs/missingMediaSequence.m3u8", Peer::Valid, Ours::Media { segments: 4, first: 0, last: 3, skipped: 0 }, ""),
    case("vjs/missingSegmentDuration.m3u8", Peer::Malformed, Ours::Error { line: 8, says: "URI line without EXTINF" }, ""),
    case("vjs/multipleAudioGroups.m3u8", Peer::Valid, Ours::Master { variants: 4 }, ""),
    case("vjs/multipleAudioGroupsCombinedMain.m3u8", Peer::Valid, Ours::Master { variants: 4 }, ""),
    case("vjs/multipleTargetDurations.m3u8", Peer::Malformed, Ours::Error { line: 2, says: "URI line without EXTINF" }, ""),
    case("vjs/multipleVideo.m3u8", Peer::Valid, Ours::Master { variants: 2 }, ""),
    case("vjs/negativeMediaSequence.m3u8", Peer::Malformed, Ours::Error { line: 3, says: "EXT-X-MEDIA-SEQUENCE is not a decimal integer: `-11`" }, ""),
    case("vjs/playlist.m3u8", Peer::Valid, Ours::Media { segments: 17, first: 0, last: 16, skipped: 0 }, ""),
    case("vjs/playlistMediaSequenceHigher.m3u8", Peer::Valid, Ours::Media { segments: 1, first: 17, last: 17, skipped: 0 }, ""),
    case("vjs/start.m3u8", Peer::Valid, Ours::Error { line: 1, says: "not a playlist: missing #EXTM3U" }, "no #EXTM3U at all (RFC 8216 4.3.1.1; hls.js refuses it too)"),
    case("vjs/streamInfInvalid.m3u8", Peer::Malformed, Ours::Error { line: 3, says: "EXT-X-STREAM-INF without BANDWIDTH" }, ""),
    case("vjs/twoMediaSequences.m3u8", Peer::Malformed, Ours::Error { line: 4, says: "duplicate EXT-X-MEDIA-SEQUENCE" }, ""),
    case("vjs/versionInvalid.m3u8", Peer::Malformed, Ours::Error { line: 3, says: "EXT-X-VERSION is not a decimal integer: `NaN`" }, ""),
    case("vjs/whiteSpace.m3u8", Peer::Valid, Ours::Media { segments: 4, first: 0, last: 3, skipped: 0 }, ""),
    case("vjs/zeroDuration.m3u8", Peer::Valid, Ours::Media { segments: 1, first: 0, last: 0, skipped: 0 }, ""),
];
