#!/usr/bin/env python3
"""Write the ladder fixtures `hlsplay simulate --ladder` reads (tests/fixtures/ladders/).

- pensieve/: the Pensieve paper's video (SIGCOMM 2017; EnvivioDash3): 6 rungs 300 / 750 / 1200 /
  1850 / 2850 / 4300 kbps at 240p..1440p, 49 segments of 4 s. Each media playlist gives every
  segment's REAL size as its EXT-X-BYTERANGE length, from Pensieve's video_sizes.txt (one line
  per rung, lowest first, 49 sizes in bytes each).
- vod-aws-1080p/: the "Video on Demand on AWS" solution's 1080p HLS template: 5 rungs 0.4 / 1.5 /
  3.5 / 6.0 / 8.5 Mbps video (480x270 .. 1920x1080) + 96 kbps AAC muxed in the TS (BANDWIDTH =
  video + audio), 3 s segments, 600 s. No real sizes exist: no byte ranges, so the simulator
  sizes segments as BANDWIDTH x duration.

Usage: python3 scripts/gen_ladders.py [video_sizes.txt]
(default ../shared/peer-data/pensieve/video_sizes.txt; deterministic).
"""
import os
import sys

OUT = os.path.join(os.path.dirname(__file__), "..", "tests", "fixtures", "ladders")


def master(path, rungs):
    with open(path, "w") as f:
        f.write("#EXTM3U\n#EXT-X-VERSION:4\n")
        for i, (bw, w, h) in enumerate(rungs):
            f.write("#EXT-X-STREAM-INF:BANDWIDTH=%d,RESOLUTION=%dx%d\nl%d.m3u8\n" % (bw, w, h, i))


def media(path, duration, sizes=None, count=None):
    n = len(sizes) if sizes is not None else count
    with open(path, "w") as f:
        f.write("#EXTM3U\n#EXT-X-VERSION:4\n#EXT-X-TARGETDURATION:%d\n" % round(duration))
        f.write("#EXT-X-PLAYLIST-TYPE:VOD\n#EXT-X-MEDIA-SEQUENCE:0\n")
        offset = 0
        for k in range(n):
            f.write("#EXTINF:%.3f,\n" % duration)
            if sizes is None:
                f.write("s%03d.ts\n" % k)
            else:
                f.write("#EXT-X-BYTERANGE:%d@%d\nvideo.ts\n" % (sizes[k], offset))
                offset += sizes[k]
        f.write("#EXT-X-ENDLIST\n")


def main():
    src = sys.argv[1] if len(sys.argv) > 1 else os.path.join(
        os.path.dirname(__file__), "..", "..", "shared", "peer-data", "pensieve", "video_sizes.txt")
    rows = [[int(x) for x in line.split()] for line in open(src) if line.strip()]
    assert len(rows) == 6 and all(len(r) == 49 for r in rows), "expected 6 rungs x 49 sizes"
    d = os.path.join(OUT, "pensieve")
    os.makedirs(d, exist_ok=True)
    rungs = [(300000, 426, 240), (750000, 640, 360), (1200000, 854, 480),
             (1850000, 1280, 720), (2850000, 1920, 1080), (4300000, 2560, 1440)]
    master(os.path.join(d, "master.m3u8"), rungs)
    for i, sizes in enumerate(rows):
        media(os.path.join(d, "l%d.m3u8" % i), 4.0, sizes=sizes)
    d = os.path.join(OUT, "vod-aws-1080p")
    os.makedirs(d, exist_ok=True)
    video = [(400000, 480, 270), (1500000, 640, 360), (3500000, 960, 540),
             (6000000, 1280, 720), (8500000, 1920, 1080)]
    master(os.path.join(d, "master.m3u8"), [(v + 96000, w, h) for v, w, h in video])
    for i in range(len(video)):
        media(os.path.join(d, "l%d.m3u8" % i), 3.0, count=200)


if __name__ == "__main__":
    main()
