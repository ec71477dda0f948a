//! Level choice: ABR, manual levels, the element-size cap, abandons, switches.

use super::*;

/// Level switches announced in `h`'s run, the start aside.
fn switches(h: &Harness) -> Vec<Event> {
    h.events()
        .filter(|(_, e)| {
            matches!(e, Event::LevelSwitching { reason, .. } if *reason != SwitchReason::Start)
        })
        .map(|(_, e)| e.clone())
        .collect()
}

/// The level of each segment fetch, in order.
fn levels(fetches: &[harness::Fetch]) -> Vec<usize> {
    fetches
        .iter()
        .filter_map(harness::Fetch::segment_level)
        .collect()
}

#[test]
fn manual_level_is_obeyed() {
    // By hand through whole VODs (the simulator has no way to set a level). The harness's
    // network (100 KB segments a tick, 3.2 Mbps) is fast enough for level 1 of MASTER.
    // Free, the ABR climbs to level 1; pinned mid-play to 0, every later segment is level 0.
    let mut h = Harness::new();
    h.load_vod();
    h.play(80.0);
    let free = levels(&h.segment_fetches());
    assert!(free.contains(&1), "{free:?}");
    h.input(Input::SetLevel(Some(0)));
    h.play(220.0);
    assert!(h.ended, "did not end");
    let all = levels(&h.segment_fetches());
    assert_eq!(all.len(), 20, "{all:?}");
    assert!(all[free.len()..].iter().all(|&l| l == 0), "{all:?}");
    assert!(
        switches(&h).contains(&Event::LevelSwitching {
            from: Some(1),
            to: 0,
            reason: SwitchReason::Manual
        }),
        "{:?}",
        switches(&h)
    );

    // Pinned before loading: the start level and every segment until the pin is lifted.
    let mut h = Harness::new();
    h.input(Input::SetLevel(Some(0)));
    h.load_vod();
    h.play(100.0);
    let pinned = h.segment_fetches();
    assert!(pinned.len() >= 10, "{pinned:?}");
    assert_eq!(levels(&pinned), vec![0; pinned.len()]);
    assert!(switches(&h).is_empty(), "{:?}", switches(&h));
    // Back to automatic: the ABR moves up again, and the VOD ends with every segment once.
    h.input(Input::SetLevel(None));
    h.play(220.0);
    assert!(h.ended, "did not end");
    let all = h.segment_fetches();
    let after = levels(&all[pinned.len()..]);
    assert!(after.contains(&1), "{after:?}");
    assert!(
        switches(&h).contains(&Event::LevelSwitching {
            from: Some(0),
            to: 1,
            reason: SwitchReason::Abr
        }),
        "{:?}",
        switches(&h)
    );
    let sequences: Vec<u64> = all.iter().filter_map(harness::Fetch::sequence).collect();
    assert_eq!(sequences, (0..20).collect::<Vec<u64>>());
}

#[test]
fn cap_to_element_size() {
    let cfg = SimConfig {
        element: Some((640.0, 360.0, 1.0)),
        ..recorded()
    };
    let r = run(&fast(), 120.0, cfg);
    assert!(
        r.segment_levels.iter().all(|l| *l == Some(0)),
        "{:?}",
        r.segment_levels
    );
    let cfg = SimConfig {
        element: Some((640.0, 360.0, 2.0)),
        ..recorded()
    };
    let r = run(&fast(), 120.0, cfg);
    assert!(r.segment_levels.contains(&Some(2)));
}

#[test]
fn app_level_cap_bounds_automatic_choice_until_lifted() {
    // The harness's network carries level 1 (`manual_level_is_obeyed`). Capped at 0 before
    // loading: the start and every segment are level 0.
    let mut h = Harness::new();
    h.input(Input::SetLevelCap(Some(0)));
    h.load_vod();
    h.play(60.0);
    let capped = levels(&h.segment_fetches());
    assert!(capped.len() >= 5, "{capped:?}");
    assert!(capped.iter().all(|&l| l == 0), "{capped:?}");
    assert_eq!(h.engine.max_auto_level(), Some(0));
    // Lifted: the ABR climbs again, and every segment is still fetched once.
    h.input(Input::SetLevelCap(None));
    assert_eq!(h.engine.max_auto_level(), Some(1));
    h.play(110.0);
    let free = levels(&h.segment_fetches());
    assert!(free[capped.len()..].contains(&1), "{free:?}");
    // Capped again while on level 1: down from the next segment, nothing buffered removed.
    let before = free.len();
    h.input(Input::SetLevelCap(Some(0)));
    h.play(220.0);
    assert!(h.ended, "did not end");
    let all = levels(&h.segment_fetches());
    assert_eq!(all.len(), 20, "{all:?}");
    assert!(all[before..].iter().all(|&l| l == 0), "{all:?}");
    let back = EngineConfig::default().back_buffer.unwrap_or(0.0);
    for rm in h.removals() {
        assert!(rm.end <= rm.position - back + 1e-9, "{rm:?}");
    }
}

#[test]
fn a_forced_level_is_not_capped_and_the_cap_meets_the_element_size_cap() {
    // hls.js's rule: `autoLevelCapping` bounds automatic choice only.
    let mut h = Harness::new();
    h.input(Input::SetLevelCap(Some(0)));
    h.input(Input::SetLevel(Some(1)));
    h.load_vod();
    h.play(60.0);
    let forced = levels(&h.segment_fetches());
    assert!(
        !forced.is_empty() && forced.iter().all(|&l| l == 1),
        "{forced:?}"
    );
    // The lower of the two caps applies: an element 640x360 caps at level 0 below an app cap of 1.
    let mut h = Harness::new();
    h.input(Input::ElementSize {
        width: 640.0,
        height: 360.0,
        device_pixel_ratio: 1.0,
    });
    h.input(Input::SetLevelCap(Some(1)));
    h.load_vod();
    h.play(100.0);
    assert_eq!(h.engine.max_auto_level(), Some(0));
    let sized = levels(&h.segment_fetches());
    assert!(sized.iter().all(|&l| l == 0), "{sized:?}");
    // A cap past the last level is the last level.
    h.input(Input::SetLevelCap(Some(7)));
    h.input(Input::ElementSize {
        width: 1920.0,
        height: 1080.0,
        device_pixel_ratio: 1.0,
    });
    assert_eq!(h.engine.max_auto_level(), Some(1));
}

#[test]
fn level_switch_lines_up_by_time_without_flushing() {
    // 1.5 Mbps then 8 Mbps: the engine must switch up.
    let mut text = String::new();
    for t in 0..400 {
        text.push_str(&format!("{t} {}\n", if t < 60 { 1.5 } else { 8.0 }));
    }
    let trace = Trace::parse("step", &text).unwrap();
    let r = run(&trace, 300.0, recorded());
    assert!(r.ended);
    let played: Vec<usize> = r.segment_levels.iter().flatten().copied().collect();
    assert!(played.first() < played.last(), "{played:?}");
    // Segments form one contiguous timeline across the switch: each starts where the one
    // before ended.
    let loaded: Vec<(f64, f64)> = events(&r, |e| matches!(e, Event::SegmentLoaded { .. }))
        .map(|(_, e)| match e {
            Event::SegmentLoaded {
                start, duration, ..
            } => (*start, start + duration),
            _ => unreachable!(),
        })
        .collect();
    for pair in loaded.windows(2) {
        let [(_, end), (next_start, _)] = [pair[0], pair[1]];
        assert!((end - next_start).abs() < 1e-6, "{pair:?}");
    }
    assert!(events(&r, |e| matches!(e, Event::LevelSwitched { .. })).count() >= 2);
    // The remuxer was told about each switch, and nothing was non-contiguous.
    let switches = played.windows(2).filter(|w| w[0] != w[1]).count() as u64;
    assert_eq!(r.remuxer.rendition_switches, switches);
    assert_eq!(r.remuxer.non_contiguous, 0);
    assert_eq!(r.rebuffer_count, 0);

    // By hand (the simulator does not record removes), with switches up and down: nothing
    // ahead of the playhead is removed (only the back buffer is evicted), and what is buffered
    // stays one range, the old level's segments followed by the new one's.
    let back = EngineConfig::default().back_buffer.unwrap();
    let script = [0, 0, 0, 1, 1, 1, 1, 1, 1, 1, 1, 0, 0, 0, 0, 0, 0, 0, 0, 1];
    let mut h = Harness::with_abr(EngineConfig::default(), Scripted::new(&script));
    h.load_vod();
    h.play(220.0);
    assert!(h.ended, "did not end");
    let fetched = levels(&h.segment_fetches());
    assert!(
        fetched.windows(2).filter(|w| w[0] != w[1]).count() >= 2,
        "{fetched:?}"
    );
    for rm in h.removals() {
        assert!(rm.end <= rm.position - back + 1e-9, "{rm:?}");
    }
    let buffered = h.buffered.as_slice();
    assert!(
        buffered.len() == 1 && buffered[0].1 == 200.0,
        "{buffered:?}"
    );
    assert_eq!(h.engine.remuxer().non_contiguous, 0);
}

#[test]
fn abandons_a_segment_that_would_arrive_too_late() {
    // Fast, then a sudden collapse to 0.3 Mbps while a top-level segment loads with little buffer.
    let r = run(&collapse(), 300.0, recorded());
    assert!(r.ended, "{:?}", r.errors);
    assert_eq!(fatal_count(&r), 0, "{:?}", r.errors);
    let (at, from, to) = events(&r, |e| {
        matches!(
            e,
            Event::LevelSwitching {
                reason: SwitchReason::Abandon,
                ..
            }
        )
    })
    .find_map(|(t, e)| match e {
        Event::LevelSwitching { from, to, .. } => Some((*t, *from, *to)),
        _ => None,
    })
    .unwrap_or_else(|| panic!("no abandon: {:?}", r.segment_levels));
    // During the collapse, down from the level whose segment was loading.
    assert!((18.0..40.0).contains(&at), "abandon at {at}");
    let fetches = segment_fetches(&r);
    let loading = fetches.iter().rfind(|f| f.at < at).unwrap();
    assert_eq!(loading.level(), from);
    assert!(to < from.unwrap(), "{from:?} -> {to}");
    // That segment is not waited for: it is fetched again at once from the lower level, and
    // that is what gets loaded.
    let refetch = fetches.iter().find(|f| f.at >= at).unwrap();
    assert_eq!(refetch.index(), loading.index(), "{refetch:?}");
    assert_eq!(refetch.level(), Some(to));
    assert!(refetch.at - at < 1e-9, "{refetch:?}");
    let index = loading.index().unwrap() as usize;
    assert_eq!(r.segment_levels[index], Some(to));
}

#[test]
fn switch_undone_before_the_new_level_loads_is_not_announced() {
    // Bug: seen in a demo run, 360p->540p and straight back to 360p at one instant. The switch
    // was announced when decided, while the new level's playlist loaded; the next decision (any
    // input before the playlist arrived: the web layer reports the media state before each one)
    // went back, announcing a second switch for the same segment.
    // Start at 0; after the first segment the ABR says 1, then (before l1.m3u8 arrives) 0.
    let mut h = Harness::with_abr(EngineConfig::default(), Scripted::new(&[0, 0, 1, 0]));
    h.load_vod();
    let first = h
        .find_fetch(RequestKind::is_segment)
        .expect("first segment");
    assert_eq!(first.segment_level(), Some(0));
    h.advance_to(1.0);
    h.serve(first.req);
    // Appends complete; each answer is a new scheduling opportunity (the ABR says 1: l1.m3u8
    // is requested).
    h.ack_appends();
    assert!(
        h.find_fetch(|k| matches!(k, RequestKind::LevelPlaylist { level: 1 }))
            .is_some(),
        "{:?}",
        h.open_fetches()
    );
    // A media report at the same instant: the second decision (0 again).
    h.media_with(0.0, &[(0.0, 10.0)]);
    // The next segment comes from level 0 and no switch was announced (the start aside).
    let fetches = h.segment_fetches();
    assert_eq!(fetches.len(), 2, "{fetches:?}");
    assert_eq!(fetches[1].segment_level(), Some(0));
    assert_eq!(switches(&h), []);
}

#[test]
fn no_switch_announced_when_nothing_is_left_to_fetch() {
    // At the end of a VOD the ABR stepped down (nothing left to protect) and the engine
    // announced switches (and loaded playlists) for segments that do not exist.
    let r = run(&Trace::constant("4mbps", 4.0, 10_000.0), 60.0, recorded());
    assert!(r.ended);
    let last_fetch = segment_fetches(&r).last().unwrap().at;
    let late: Vec<_> = events(&r, |e| matches!(e, Event::LevelSwitching { .. }))
        .filter(|(t, _)| *t > last_fetch)
        .collect();
    assert!(late.is_empty(), "{late:?}");
}

#[test]
fn switches_are_announced_with_their_first_fetch() {
    // Over every committed trace, with the media state reported before each input as the web
    // layer does: each switch goes out together with a fetch from the new level (so no switch
    // is announced and undone while the new level's playlist loads, and none after the end).
    let mut names: Vec<_> = std::fs::read_dir("tests/traces")
        .unwrap()
        .map(|e| e.unwrap().path())
        .collect();
    names.sort();
    assert!(names.len() > 40);
    for path in &names {
        let name = path.display().to_string();
        let trace = Trace::parse(&name, &std::fs::read_to_string(path).unwrap()).unwrap();
        let cfg = SimConfig {
            media_with_every_input: true,
            ..recorded()
        };
        let r = run(&trace, 120.0, cfg);
        for (t, e) in &r.events {
            let Event::LevelSwitching { to, reason, .. } = e else {
                continue;
            };
            if *reason == SwitchReason::Start {
                continue;
            }
            let fetched = fetches(&r)
                .iter()
                .any(|f| f.at == *t && f.level() == Some(*to));
            assert!(
                fetched,
                "{name}: switch to {to} at {t} ({reason:?}) without a fetch"
            );
        }
    }
}
