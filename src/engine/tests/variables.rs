//! EXT-X-DEFINE across the playlists of one stream: the master takes a token from its URL's
//! query (`QUERYPARAM`), its media playlists `IMPORT` it, and every request carries it.

use super::*;

const MASTER: &str = "#EXTM3U
#EXT-X-DEFINE:QUERYPARAM=\"token\"
#EXT-X-DEFINE:NAME=\"dir\",VALUE=\"v1\"
#EXT-X-STREAM-INF:BANDWIDTH=1096000
{$dir}/l0.m3u8?token={$token}
";

const MEDIA: &str = "#EXTM3U
#EXT-X-TARGETDURATION:10
#EXT-X-DEFINE:IMPORT=\"token\"
#EXTINF:10,
seg0.ts?token={$token}
#EXT-X-ENDLIST
";

fn open_urls(h: &Harness) -> Vec<String> {
    h.open_fetches().iter().map(|f| f.url.clone()).collect()
}

#[test]
fn a_media_playlist_imports_the_masters_variable_and_its_segments_carry_it() {
    let mut h = Harness::new();
    h.load("https://c/v/master.m3u8?token=a%2Bb");
    let manifest = h.fetch_of(|k| matches!(k, RequestKind::Manifest));
    h.answer(manifest, MASTER);
    assert_eq!(open_urls(&h), ["https://c/v/v1/l0.m3u8?token=a%2Bb"]);
    let level = h.fetch_of_url("l0.m3u8?token=a%2Bb");
    h.answer(level, MEDIA);
    assert_eq!(open_urls(&h), ["https://c/v/v1/seg0.ts?token=a%2Bb"]);
}

#[test]
fn an_import_the_master_does_not_define_is_a_fatal_playlist_error_naming_the_line() {
    let mut h = Harness::new();
    h.load("https://c/v/master.m3u8?token=x");
    let manifest = h.fetch_of(|k| matches!(k, RequestKind::Manifest));
    h.answer(manifest, MASTER);
    let level = h.fetch_of_url("l0.m3u8?token=x");
    h.answer(level, MEDIA.replace("IMPORT=\"token\"", "IMPORT=\"other\""));
    let fatal: Vec<String> = h
        .events()
        .filter_map(|(_, e)| match e {
            Event::Error(err) if err.fatal => Some(err.details.clone()),
            _ => None,
        })
        .collect();
    assert_eq!(fatal.len(), 1, "{fatal:?}");
    assert!(fatal[0].contains("line 3"), "{}", fatal[0]);
    assert!(fatal[0].contains("IMPORT=\"other\""), "{}", fatal[0]);
}
