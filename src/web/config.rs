//! The JS config object, checked: every key known (the keys of `crate::api`'s table), every value
//! of the right type, else a clear error naming the key. Durations are seconds, rates bits per
//! second, as in the engine.
use js_sys::{Function, Object, Reflect};
use wasm_bindgen::prelude::*;
use wasm_bindgen::JsCast;
use web_sys::RequestCredentials;

use crate::abr::{Abr, Lookahead};
use crate::api::{ConfigKey, RetryKey};
use crate::engine::{EngineConfig, NotFoundPolicy, RetryPolicy};

/// Where the engine's decisions go (`debug`).
pub enum Logger {
    Console,
    Function(Function),
}

pub struct PlayerConfig {
    pub engine: EngineConfig,
    pub credentials: RequestCredentials,
    pub refresh_credentials: Option<Function>,
    pub debug: Option<Logger>,
    /// Set by `currentLevel = n`; kept across `load()` as hls.js does.
    pub manual_level: Option<usize>,
    /// Set by `autoLevelCapping = n`; kept across `load()` as hls.js does.
    pub level_cap: Option<usize>,
    /// Run the engine in a Worker where the browser allows (`worker`).
    pub worker: bool,
    /// The Worker's MediaSource in the Worker where the browser allows (`workerMediaSource`).
    pub worker_media_source: bool,
}

impl PlayerConfig {
    pub fn abr(&self) -> Box<dyn Abr> {
        // The baseline rules (hls.js's, plain throughput) are research tools of the native
        // simulator (`hlsplay simulate --abr`), not in the package.
        Box::new(Lookahead::new(self.engine.abr))
    }

    pub fn from_js(object: Option<&Object>) -> Result<Self, JsValue> {
        let mut config = PlayerConfig {
            engine: EngineConfig::default(),
            credentials: RequestCredentials::Include,
            refresh_credentials: None,
            debug: None,
            manual_level: None,
            level_cap: None,
            worker: true,
            worker_media_source: true,
        };
        if let Some(object) = object {
            for key in Object::keys(object).iter() {
                let name = key.as_string().unwrap_or_default();
                let value = Reflect::get(object, &key)?;
                if !value.is_undefined() {
                    config.set(&name, &value)?;
                }
            }
        }
        // After the app's choice, the browser's language (`navigator` of a page or a Worker).
        let browser = Reflect::get(&js_sys::global(), &"navigator".into())
            .and_then(|n| Reflect::get(&n, &"language".into()))
            .ok()
            .and_then(|l| l.as_string());
        config
            .engine
            .subtitle_default_languages
            .extend(browser.clone());
        config.engine.preferred_audio_languages.extend(browser);
        Ok(config)
    }

    fn set(&mut self, key: &str, value: &JsValue) -> Result<(), JsValue> {
        let Some(known) = ConfigKey::from_name(key) else {
            return Err(unknown(key, ConfigKey::NAMES));
        };
        let e = &mut self.engine;
        match known {
            ConfigKey::bufferGoal => e.buffer_goal = seconds(key, value)?,
            ConfigKey::minBufferGoal => e.min_buffer_goal = seconds(key, value)?,
            ConfigKey::maxBufferSize => e.max_buffer_size = seconds(key, value)? as u64,
            ConfigKey::maxMaxBufferLength => e.max_buffer_length = seconds(key, value)?,
            ConfigKey::backBuffer => {
                e.back_buffer = match value.as_f64() {
                    _ if value.is_null() => None,
                    Some(v) if v.is_infinite() && v > 0.0 => None,
                    _ => Some(seconds(key, value)?),
                }
            }
            ConfigKey::holeTolerance => e.hole_tolerance = seconds(key, value)?,
            ConfigKey::maxGapJump => e.max_gap_jump = seconds(key, value)?,
            ConfigKey::stallTimeout => e.stall_timeout = seconds(key, value)?,
            ConfigKey::maxNudges => e.max_nudges = count(key, value)?,
            ConfigKey::liveEdgeTargetDurations => {
                e.live_edge_target_durations = seconds(key, value)?
            }
            ConfigKey::levelPenalty => e.level_penalty_s = seconds(key, value)?,
            ConfigKey::credentialsRefreshMargin => {
                e.credentials_refresh_margin = seconds(key, value)?
            }
            ConfigKey::capLevelToPlayerSize => e.cap_to_element = boolean(key, value)?,
            ConfigKey::progressive => e.progressive = boolean(key, value)?,
            ConfigKey::propagateSignedQuery => e.propagate_signed_query = boolean(key, value)?,
            ConfigKey::startLevel => {
                e.start_level = match value.as_f64() {
                    Some(v) if v < 0.0 => None,
                    _ => Some(count(key, value)? as usize),
                }
            }
            ConfigKey::notFound => {
                e.not_found = match value.as_string().as_deref() {
                    Some("skip") => NotFoundPolicy::Skip,
                    Some("penalise") | Some("penalize") => NotFoundPolicy::PenaliseLevel,
                    _ => return Err(bad(key, "`skip` or `penalise`", value)),
                }
            }
            ConfigKey::segmentRetry => set_retry(&mut e.segment_retry, key, value)?,
            ConfigKey::playlistRetry => set_retry(&mut e.playlist_retry, key, value)?,
            ConfigKey::abrDefaultEstimate => {
                e.abr.estimator.default_estimate_bps = seconds(key, value)?
            }
            ConfigKey::abrFastHalfLife => e.abr.estimator.fast_half_life = seconds(key, value)?,
            ConfigKey::abrSlowHalfLife => e.abr.estimator.slow_half_life = seconds(key, value)?,
            ConfigKey::abrMinUpSwitchInterval => {
                e.abr.min_up_switch_interval = seconds(key, value)?
            }
            ConfigKey::abrAbandon => e.abr.abandon = boolean(key, value)?,
            ConfigKey::credentials => {
                self.credentials = match value.as_string().as_deref() {
                    Some("include") => RequestCredentials::Include,
                    Some("same-origin") => RequestCredentials::SameOrigin,
                    Some("omit") => RequestCredentials::Omit,
                    _ => return Err(bad(key, "`include`, `same-origin` or `omit`", value)),
                }
            }
            ConfigKey::audioLanguage => {
                let lang = value
                    .as_string()
                    .ok_or_else(|| bad(key, "a language tag such as `en` or `fr-CA`", value))?;
                e.preferred_audio_languages.insert(0, lang);
            }
            ConfigKey::subtitleLanguage => {
                let lang = value
                    .as_string()
                    .ok_or_else(|| bad(key, "a language tag such as `en` or `fr-CA`", value))?;
                e.subtitle_language = Some(lang);
            }
            ConfigKey::refreshCredentials => {
                let f = value
                    .dyn_ref::<Function>()
                    .ok_or_else(|| bad(key, "a function", value))?;
                self.refresh_credentials = Some(f.clone());
            }
            ConfigKey::worker => self.worker = boolean(key, value)?,
            ConfigKey::workerMediaSource => self.worker_media_source = boolean(key, value)?,
            ConfigKey::debug => {
                self.debug = match (value.as_bool(), value.dyn_ref::<Function>()) {
                    (Some(on), _) => on.then_some(Logger::Console),
                    (_, Some(f)) => Some(Logger::Function(f.clone())),
                    _ => return Err(bad(key, "true, false or a function", value)),
                };
                e.debug = self.debug.is_some();
            }
        }
        Ok(())
    }
}

fn set_retry(policy: &mut RetryPolicy, key: &str, value: &JsValue) -> Result<(), JsValue> {
    let object = value
        .dyn_ref::<Object>()
        .ok_or_else(|| bad(key, "an object", value))?;
    for inner in Object::keys(object).iter() {
        let name = inner.as_string().unwrap_or_default();
        let v = Reflect::get(object, &inner)?;
        let path = format!("{key}.{name}");
        let Some(known) = RetryKey::from_name(&name) else {
            return Err(unknown(&path, RetryKey::NAMES));
        };
        match known {
            RetryKey::ttfbTimeout => policy.ttfb_timeout = seconds(&path, &v)?,
            RetryKey::totalTimeout => policy.total_timeout = seconds(&path, &v)?,
            RetryKey::maxErrorRetries => policy.max_error_retries = count(&path, &v)?,
            RetryKey::maxTimeoutRetries => policy.max_timeout_retries = count(&path, &v)?,
            RetryKey::backoffBase => policy.backoff_base = seconds(&path, &v)?,
            RetryKey::backoffMax => policy.backoff_max = seconds(&path, &v)?,
            RetryKey::jitter => policy.jitter = seconds(&path, &v)?.min(1.0),
        }
    }
    Ok(())
}

fn unknown(key: &str, names: &'static str) -> JsValue {
    js_sys::Error::new(&format!(
        "hlsplay config: unknown key `{key}` (known: {})",
        crate::api::known(names)
    ))
    .into()
}

fn bad(key: &str, expected: &str, value: &JsValue) -> JsValue {
    let got = js_sys::JSON::stringify(value)
        .ok()
        .and_then(|s| s.as_string())
        // Not `{value:?}`: JsValue's Debug brings wasm-bindgen's debugString glue (~1 KB of JS).
        .or_else(|| {
            let f = value.dyn_ref::<Function>()?;
            Some(format!("function {}", String::from(f.name())))
        })
        .or_else(|| value.js_typeof().as_string())
        .unwrap_or_default();
    js_sys::Error::new(&format!(
        "hlsplay config: `{key}` must be {expected}, got {got}"
    ))
    .into()
}

/// A finite number ≥ 0.
fn seconds(key: &str, value: &JsValue) -> Result<f64, JsValue> {
    match value.as_f64() {
        Some(v) if v.is_finite() && v >= 0.0 => Ok(v),
        _ => Err(bad(key, "a number ≥ 0", value)),
    }
}

fn count(key: &str, value: &JsValue) -> Result<u32, JsValue> {
    match value.as_f64() {
        Some(v) if v.fract() == 0.0 && (0.0..=f64::from(u32::MAX)).contains(&v) => Ok(v as u32),
        _ => Err(bad(key, "a whole number ≥ 0", value)),
    }
}

fn boolean(key: &str, value: &JsValue) -> Result<bool, JsValue> {
    value
        .as_bool()
        .ok_or_else(|| bad(key, "true or false", value))
}
