//! Master playlist tags (RFC 8216 §4.3.4): variants, I-frame variants, renditions, session data.

use super::{bad_attr, too_many, Parser};
use crate::playlist::attrs::{parse_integer, Attrs};
use crate::playlist::error::{PlaylistError, PlaylistWarning};
use crate::playlist::model::*;

impl Parser<'_> {
    pub(super) fn stream_inf(&mut self, line: usize, value: &str) -> Result<(), PlaylistError> {
        let a = Attrs::parse("EXT-X-STREAM-INF", line, value)?;
        let bandwidth = a.required("BANDWIDTH")?;
        let bandwidth = parse_integer(bandwidth)
            .ok_or_else(|| bad_attr(line, "EXT-X-STREAM-INF", "BANDWIDTH", bandwidth))?;
        self.pending_variant = Some(Variant {
            uri: String::new(),
            bandwidth,
            average_bandwidth: a.integer("AVERAGE-BANDWIDTH")?,
            codecs: a.str("CODECS").map(crate::playlist::codecs::normalize),
            resolution: resolution(&a, line, "EXT-X-STREAM-INF")?,
            frame_rate: a.float("FRAME-RATE")?,
            hdcp_level: a.string("HDCP-LEVEL"),
            video_range: a.string("VIDEO-RANGE"),
            audio: a.string("AUDIO"),
            video: a.string("VIDEO"),
            subtitles: a.string("SUBTITLES"),
            closed_captions: a.string("CLOSED-CAPTIONS"),
            line,
        });
        Ok(())
    }

    pub(super) fn i_frame_stream_inf(
        &mut self,
        line: usize,
        value: &str,
    ) -> Result<(), PlaylistError> {
        const TAG: &str = "EXT-X-I-FRAME-STREAM-INF";
        let a = Attrs::parse(TAG, line, value)?;
        let bandwidth = a.required("BANDWIDTH")?;
        let bandwidth =
            parse_integer(bandwidth).ok_or_else(|| bad_attr(line, TAG, "BANDWIDTH", bandwidth))?;
        let uri = self.resolve(line, a.required("URI")?)?;
        if self.master.i_frame_variants.len() >= self.options.limits.max_variants {
            return Err(too_many(
                line,
                "I-frame variants",
                self.options.limits.max_variants,
            ));
        }
        self.master.i_frame_variants.push(IFrameVariant {
            uri,
            bandwidth,
            average_bandwidth: a.integer("AVERAGE-BANDWIDTH")?,
            codecs: a.str("CODECS").map(crate::playlist::codecs::normalize),
            resolution: resolution(&a, line, TAG)?,
            line,
        });
        Ok(())
    }

    pub(super) fn rendition(&mut self, line: usize, value: &str) -> Result<(), PlaylistError> {
        const TAG: &str = "EXT-X-MEDIA";
        let a = Attrs::parse(TAG, line, value)?;
        let media_type = match a.required("TYPE")? {
            "AUDIO" => MediaType::Audio,
            "VIDEO" => MediaType::Video,
            "SUBTITLES" => MediaType::Subtitles,
            "CLOSED-CAPTIONS" => MediaType::ClosedCaptions,
            other => return Err(bad_attr(line, TAG, "TYPE", other)),
        };
        let group_id = a.required("GROUP-ID")?.to_string();
        let name = a.required("NAME")?.to_string();
        let uri = match a.str("URI") {
            Some(_) if media_type == MediaType::ClosedCaptions => {
                return Err(PlaylistError::malformed(
                    line,
                    "EXT-X-MEDIA TYPE=CLOSED-CAPTIONS with URI",
                ))
            }
            Some(u) => Some(self.resolve(line, u)?),
            None if media_type == MediaType::Subtitles => {
                return Err(PlaylistError::malformed(
                    line,
                    "EXT-X-MEDIA TYPE=SUBTITLES without URI",
                ))
            }
            None => None,
        };
        if self.master.renditions.len() >= self.options.limits.max_renditions {
            return Err(too_many(
                line,
                "renditions",
                self.options.limits.max_renditions,
            ));
        }
        self.master.renditions.push(Rendition {
            media_type,
            group_id,
            name,
            language: a.string("LANGUAGE"),
            assoc_language: a.string("ASSOC-LANGUAGE"),
            default: a.yes_no("DEFAULT")?,
            autoselect: a.yes_no("AUTOSELECT")?,
            forced: a.yes_no("FORCED")?,
            channels: a.string("CHANNELS"),
            instream_id: a.string("INSTREAM-ID"),
            uri,
            line,
        });
        Ok(())
    }

    pub(super) fn session_data(&mut self, line: usize, value: &str) -> Result<(), PlaylistError> {
        const TAG: &str = "EXT-X-SESSION-DATA";
        let a = Attrs::parse(TAG, line, value)?;
        let data_id = a.required("DATA-ID")?.to_string();
        let uri = match (a.str("VALUE"), a.str("URI")) {
            // Session data is not used for playback: both are kept, with a warning.
            (Some(_), Some(u)) => {
                self.master.warnings.push(PlaylistWarning {
                    line,
                    message: "EXT-X-SESSION-DATA with both VALUE and URI (RFC 8216 allows one)"
                        .to_string(),
                });
                Some(self.resolve(line, u)?)
            }
            (None, None) => {
                return Err(PlaylistError::malformed(
                    line,
                    "EXT-X-SESSION-DATA without VALUE or URI",
                ))
            }
            (_, Some(u)) => Some(self.resolve(line, u)?),
            (Some(_), None) => None,
        };
        if self.master.session_data.len() >= self.options.limits.max_renditions {
            return Err(too_many(
                line,
                "EXT-X-SESSION-DATA tags",
                self.options.limits.max_renditions,
            ));
        }
        self.master.session_data.push(SessionData {
            data_id,
            value: a.string("VALUE"),
            uri,
            language: a.string("LANGUAGE"),
        });
        Ok(())
    }
}

fn resolution(a: &Attrs<'_>, line: usize, tag: &str) -> Result<Option<Resolution>, PlaylistError> {
    let Some(text) = a.str("RESOLUTION") else {
        return Ok(None);
    };
    let parsed = text.split_once('x').and_then(|(w, h)| {
        let width = u32::try_from(parse_integer(w)?).ok()?;
        let height = u32::try_from(parse_integer(h)?).ok()?;
        Some(Resolution { width, height })
    });
    parsed.map(Some).ok_or_else(|| {
        PlaylistError::malformed(line, format!("{tag}: RESOLUTION is not WxH: `{text}`"))
    })
}
