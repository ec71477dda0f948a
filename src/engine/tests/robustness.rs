//! Robustness: random inputs, determinism.

use super::*;

/// Random inputs in random order (unknown ids, garbage bodies, absurd times and ranges): the
/// engine must not panic, every drain must end, and what it holds must stay bounded.
#[test]
fn random_inputs_never_panic_or_grow() {
    let mut rng = Rng::new(99);
    let garbage: Vec<Vec<u8>> = vec![
        MASTER.as_bytes().to_vec(),
        media_playlist(5).into_bytes(),
        b"#EXTM3U\n#EXT-X-TARGETDURATION:10\n#EXTINF:10,\na.ts\n".to_vec(),
        b"\xff\xfe garbage".to_vec(),
        sim::remux::segment_bytes(5000, 10.0),
        Vec::new(),
    ];
    let mut e = hand_engine();
    e.handle_input(
        0.0,
        Input::Load {
            url: "https://c/v/master.m3u8".into(),
        },
    );
    let mut now = 0.0;
    for step in 0..20_000 {
        now += rng.next_f64() * 2.0;
        let pick = |rng: &mut Rng, n: u64| rng.next_u64() % n;
        let req = RequestId(pick(&mut rng, 40));
        let track = TrackId(pick(&mut rng, 3) as usize);
        let input = match pick(&mut rng, 12) {
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
            8 => Input::SetLevel(if rng.next_f64() < 0.5 {
                None
            } else {
                Some(pick(&mut rng, 5) as usize)
            }),
            9 => Input::CredentialsRefreshed {
                expires: Some(now + rng.next_f64() * 200.0),
            },
            10 => Input::ElementSize {
                width: rng.next_f64() * 2000.0,
                height: rng.next_f64() * 1000.0,
                device_pixel_ratio: 2.0,
            },
            _ => {
                e.handle_timeout(now);
                let _ = drain(&mut e);
                continue;
            }
        };
        e.handle_input(now, input);
        let outs = drain(&mut e);
        assert!(outs.len() < 1000, "step {step}: {} outputs", outs.len());
        let s = e.stats();
        assert!(
            s.requests < 100 && s.queued_buffer_ops < 1000 && s.buffered_ranges <= Ranges::MAX,
            "{s:?}"
        );
        if e.is_failed() {
            e = hand_engine();
            e.handle_input(
                now,
                Input::Load {
                    url: "https://c/v/master.m3u8".into(),
                },
            );
        }
    }
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
