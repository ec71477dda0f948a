//! Robustness: random inputs, determinism.

use super::*;

/// Random inputs in random order (unknown ids, garbage bodies, absurd times and ranges), with
/// the MediaSource open so appends and removes happen: the engine must not panic, every drain
/// must end, and what it holds must stay bounded. (The request ids are random on purpose.)
#[test]
fn random_inputs_never_panic_or_grow() {
    let mut rng = Rng::new(99);
    let garbage: Vec<Vec<u8>> = vec![
        harness::MASTER.as_bytes().to_vec(),
        harness::media_playlist(5).into_bytes(),
        b"#EXTM3U\n#EXT-X-TARGETDURATION:10\n#EXTINF:10,\na.ts\n".to_vec(),
        b"\xff\xfe garbage".to_vec(),
        sim::remux::segment_bytes(5000, 10.0),
        Vec::new(),
    ];
    let mut h = Harness::new();
    h.strict = false;
    h.load(harness::MASTER_URL);
    let mut now = 0.0;
    let mut appends = 0;
    for step in 0..20_000 {
        now += rng.next_f64() * 2.0;
        let pick = |rng: &mut Rng, n: u64| rng.next_u64() % n;
        let req = RequestId(pick(&mut rng, 40));
        let track = TrackId(pick(&mut rng, 3) as usize);
        let input = match pick(&mut rng, 16) {
            0 => Input::Loaded {
                req,
                data: garbage[pick(&mut rng, garbage.len() as u64) as usize].clone(),
            },
            1 => Input::LoadFailed {
                req,
                status: [0, 403, 404, 500, 503, 410][pick(&mut rng, 6) as usize],
                body: Some("<Error><Code>AccessDenied</Code></Error>".into()),
            },
            2 => Input::Progress {
                req,
                loaded: rng.next_u64() % 10_000_000,
                total: None,
            },
            3 => Input::AppendDone { track },
            4 => Input::AppendFailed {
                track,
                quota_exceeded: rng.next_f64() < 0.8,
            },
            5 => Input::RemoveDone { track },
            6 => {
                let p = rng.next_f64() * 700.0 - 50.0;
                Input::Media {
                    position: p,
                    paused: rng.next_f64() < 0.2,
                    buffered: vec![(p - 5.0, p + 20.0), (p + 21.0, f64::NAN)],
                }
            }
            7 => Input::Seek {
                position: rng.next_f64() * 900.0 - 100.0,
            },
            8 => {
                let level = (rng.next_f64() < 0.5).then(|| pick(&mut rng, 5) as usize);
                match rng.next_f64() < 0.5 {
                    true => Input::SetLevel(level),
                    false => Input::SetLevelCap(level),
                }
            }
            9 => Input::CredentialsRefreshed {
                expires: Some(now + rng.next_f64() * 200.0),
            },
            10 => Input::ElementSize {
                width: rng.next_f64() * 2000.0,
                height: rng.next_f64() * 1000.0,
                device_pixel_ratio: 2.0,
            },
            11 => {
                let body = &garbage[pick(&mut rng, garbage.len() as u64) as usize];
                let from = pick(&mut rng, body.len() as u64 + 1) as usize;
                Input::Chunk {
                    req,
                    data: body.get(from..).unwrap_or_default().to_vec(),
                }
            }
            12 => Input::RemoveFailed { track },
            13 => Input::SourceOpen,
            14 if rng.next_f64() < 0.05 => Input::AddSourceBufferFailed {
                track,
                reason: "NotSupportedError".into(),
            },
            // A proper answer to a request the engine made, so it gets as far as appending.
            15 if !h.open_fetches().is_empty() => {
                let open = h.open_fetches();
                let f = open[pick(&mut rng, open.len() as u64) as usize].clone();
                Input::Loaded {
                    req: f.req,
                    data: h.body_for(&f),
                }
            }
            _ => {
                h.advance_to(now);
                let _ = h.timeout_at(now);
                h.forget_outputs();
                continue;
            }
        };
        h.advance_to(now);
        let outs = h.input(input);
        appends += outs
            .iter()
            .filter(|o| matches!(o, Output::Append { .. }))
            .count();
        h.forget_outputs();
        assert!(outs.len() < 1000, "step {step}: {} outputs", outs.len());
        let s = h.engine.stats();
        assert!(
            s.requests < 100 && s.queued_buffer_ops < 1000 && s.buffered_ranges <= Ranges::MAX,
            "{s:?}"
        );
        if h.engine.is_failed() {
            h = Harness::new();
            h.strict = false;
            h.advance_to(now);
            h.load(harness::MASTER_URL);
        }
    }
    // The buffer paths were exercised.
    assert!(appends > 100, "{appends} appends");
}

#[test]
fn runs_are_deterministic() {
    let trace = Trace::parse("t", "0 3\n5 0.5\n9 6\n20 1\n").unwrap();
    let cfg = SimConfig {
        faults: vec![fault(
            20.0,
            60.0,
            FaultKind::Status(503, None),
            ".ts",
            Some(3),
        )],
        ..SimConfig::default()
    };
    let a = run(&trace, 300.0, cfg.clone());
    let b = run(&trace, 300.0, cfg);
    assert_eq!(a.segment_levels, b.segment_levels);
    assert_eq!(a.qoe, b.qoe);
    assert_eq!(a.end_time, b.end_time);
}
