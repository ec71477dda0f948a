//! The README's config table and the defaults the package's types state come from
//! `src/api/table.rs`: README.md and docs/npm-README.md must carry the table as rendered, and
//! every default the table states must be the engine's. To rewrite both READMEs from the table:
//! `HLSPLAY_WRITE_README=1 cargo test --test api_table`.
#![cfg(not(target_arch = "wasm32"))] // files on disk: native only

use std::path::Path;

use hlsplay::api::{config_markdown, with_config_table, ConfigKey, RetryKey};
use hlsplay::engine::{EngineConfig, NotFoundPolicy, RetryPolicy};

#[test]
fn the_readmes_carry_the_config_table_of_src_api_table_rs() {
    let table = config_markdown();
    let write = std::env::var_os("HLSPLAY_WRITE_README").is_some();
    for path in ["README.md", "docs/npm-README.md"] {
        let file = Path::new(env!("CARGO_MANIFEST_DIR")).join(path);
        let text = std::fs::read_to_string(&file).unwrap();
        let expected = with_config_table(&text, &table)
            .unwrap_or_else(|| panic!("{path}: the config table's markers are missing"));
        if write {
            std::fs::write(&file, &expected).unwrap();
        } else {
            assert!(
                text == expected,
                "{path}: the config table differs from src/api/table.rs; \
                 rewrite it with `HLSPLAY_WRITE_README=1 cargo test --test api_table`"
            );
        }
    }
}

/// A number as the table writes it (`30`, `0.1`).
fn n(v: f64) -> String {
    format!("{v}")
}

fn retry(p: &RetryPolicy) -> String {
    format!(
        "{{ ttfbTimeout: {}, totalTimeout: {}, maxErrorRetries: {}, maxTimeoutRetries: {}, backoffBase: {}, backoffMax: {}, jitter: {} }}",
        n(p.ttfb_timeout),
        n(p.total_timeout),
        p.max_error_retries,
        p.max_timeout_retries,
        n(p.backoff_base),
        n(p.backoff_max),
        n(p.jitter)
    )
}

/// The engine's default for a key, as JS; `None` for the browser layer's own keys.
fn engine_default(key: ConfigKey) -> Option<String> {
    let e = EngineConfig::default();
    Some(match key {
        ConfigKey::bufferGoal => n(e.buffer_goal),
        ConfigKey::minBufferGoal => n(e.min_buffer_goal),
        ConfigKey::maxBufferSize => e.max_buffer_size.to_string(),
        ConfigKey::maxMaxBufferLength => n(e.max_buffer_length),
        ConfigKey::backBuffer => e.back_buffer.map_or("null".into(), n),
        ConfigKey::holeTolerance => n(e.hole_tolerance),
        ConfigKey::maxGapJump => n(e.max_gap_jump),
        ConfigKey::stallTimeout => n(e.stall_timeout),
        ConfigKey::maxNudges => e.max_nudges.to_string(),
        ConfigKey::liveEdgeTargetDurations => n(e.live_edge_target_durations),
        ConfigKey::levelPenalty => n(e.level_penalty_s),
        ConfigKey::credentialsRefreshMargin => n(e.credentials_refresh_margin),
        ConfigKey::capLevelToPlayerSize => e.cap_to_element.to_string(),
        ConfigKey::startLevel => e.start_level.map_or("-1".into(), |l| l.to_string()),
        ConfigKey::notFound => match e.not_found {
            NotFoundPolicy::PenaliseLevel => "'penalise'".into(),
            NotFoundPolicy::Skip => "'skip'".into(),
        },
        ConfigKey::segmentRetry => retry(&e.segment_retry),
        ConfigKey::playlistRetry => retry(&e.playlist_retry),
        ConfigKey::abrDefaultEstimate => n(e.abr.estimator.default_estimate_bps),
        ConfigKey::abrFastHalfLife => n(e.abr.estimator.fast_half_life),
        ConfigKey::abrSlowHalfLife => n(e.abr.estimator.slow_half_life),
        ConfigKey::abrMinUpSwitchInterval => n(e.abr.min_up_switch_interval),
        ConfigKey::abrAbandon => e.abr.abandon.to_string(),
        ConfigKey::progressive => e.progressive.to_string(),
        ConfigKey::propagateSignedQuery => e.propagate_signed_query.to_string(),
        ConfigKey::debug => e.debug.to_string(),
        ConfigKey::subtitleLanguage => e.subtitle_language.map_or("undefined".into(), |l| l),
        // Set by the browser layer (src/web/config.rs), not the engine.
        ConfigKey::credentials
        | ConfigKey::refreshCredentials
        | ConfigKey::audioLanguage
        | ConfigKey::worker
        | ConfigKey::workerMediaSource => return None,
    })
}

#[test]
fn the_defaults_the_table_states_are_the_engines() {
    for (key, row) in ConfigKey::ALL.iter().zip(ConfigKey::ROWS) {
        if let Some(default) = engine_default(*key) {
            assert_eq!(row.default, default, "{}", row.name);
        }
    }
    // The retry rows state the segments' defaults (their docs give the playlists' where they
    // differ).
    let s = RetryPolicy::segments();
    let segments = [
        n(s.ttfb_timeout),
        n(s.total_timeout),
        s.max_error_retries.to_string(),
        s.max_timeout_retries.to_string(),
        n(s.backoff_base),
        n(s.backoff_max),
        n(s.jitter),
    ];
    assert_eq!(RetryKey::ROWS.len(), segments.len());
    for (row, default) in RetryKey::ROWS.iter().zip(segments) {
        assert_eq!(row.default, default, "{}", row.name);
    }
}
