// A small app against the built package's types (`pkg/hlsplay.d.ts`), checked by
// `tsc -p tests/types` (strict, no output): correct use compiles, and each misuse below is a type
// error (`@ts-expect-error` fails the check when the error is missing).
import init, {
  Player,
  type AudioTrack,
  type Level,
  type PlayerConfig,
  type PlayerError,
  type PlayerEvents,
  type SubtitleTrack,
} from 'hlsplay';

export async function start(video: HTMLVideoElement): Promise<Player> {
  await init();
  const config: PlayerConfig = {
    bufferGoal: 20,
    backBuffer: null,
    startLevel: -1,
    notFound: 'skip',
    segmentRetry: { maxErrorRetries: 3, jitter: 0.1 },
    credentials: 'include',
    audioLanguage: 'fr-CA',
    refreshCredentials: async () => ({ expires: Date.now() / 1000 + 3600 }),
    debug: (message) => console.log(message.toUpperCase()),
  };
  const player = new Player(video, config);
  new Player(video).destroy();
  new Player(video, { debug: true, refreshCredentials: () => {} }).destroy();
  video.addEventListener('pause', () => player.stopLoad());
  video.addEventListener('play', () => player.startLoad());
  player.startLoad(42);

  player.on('levelSwitched', (e) => {
    const level: number = e.level;
    const chosen: Level | undefined = player.levels[level];
    console.log(chosen?.bitrate, chosen?.height ?? 'unknown height');
  });
  player.on('levelSwitching', ({ from, to, reason }) => {
    const why: 'start' | 'abr' | 'manual' | 'abandon' | 'penalty' = reason;
    console.log(from ?? 'none', to, why);
  });
  player.on('error', (e: PlayerError) => {
    if (e.fatal) console.error(e.message, e.kind, e.status ?? 0, e.cdnCode ?? '');
  });
  player.once('manifestParsed', ({ levels }) => console.log(levels.map((l) => l.codecs)));
  player.on('audioTracksUpdated', ({ audioTracks }) => {
    const french: AudioTrack | undefined = audioTracks.find((t) => t.lang === 'fr');
    if (french) player.audioTrack = french.id;
  });
  player.on('subtitleTracksUpdated', ({ subtitleTracks }) => {
    const captions: SubtitleTrack[] = subtitleTracks.filter((t) => t.kind === 'captions');
    console.log(captions.length);
  });
  const logLoad = (p: PlayerEvents['segmentLoaded']): void => console.log(p.throughputBps, p.ttfbMs);
  player.on('segmentLoaded', logLoad);
  player.off('segmentLoaded', logLoad);
  player.off('ended');
  player.on('fragBuffered', ({ level, sequence, start, duration }) => console.log(level, sequence, start + duration));
  const tracks: AudioTrack[] = player.audioTracks;
  const inWorker: boolean = player.workerActive;
  const worstMs: number = player.mainThreadCost.maxMs;
  console.log(tracks.length, inWorker, worstMs, player.bandwidthEstimate, player.currentLevel);
  player.currentLevel = -1;
  // A data saver: automatic choice up to the second level.
  player.autoLevelCapping = 1;
  const cap: number = player.maxAutoLevel;
  console.log(cap, player.autoLevelCapping);
  // A "go live" button.
  const live: number | null = player.liveSyncPosition;
  if (live !== null && player.latency > 10) video.currentTime = live;
  player.load('https://cdn.example.com/video/master.m3u8');

  // @ts-expect-error: no such event
  player.on('nope', () => {});
  // @ts-expect-error: no such config key
  new Player(video, { bufferGoals: 30 });
  // @ts-expect-error: a config value of the wrong type
  new Player(video, { bufferGoal: '30' });
  // @ts-expect-error: not a notFound policy
  new Player(video, { notFound: 'ignore' });
  // @ts-expect-error: no such retry key
  new Player(video, { segmentRetry: { retries: 3 } });
  // @ts-expect-error: debug is a boolean or a logger of one string
  new Player(video, { debug: (level: number) => level });
  // @ts-expect-error: levelSwitched carries `level`, not `levels`
  player.on('levelSwitched', (e) => e.levels);
  // @ts-expect-error: a handler for another event's payload
  player.on('levelSwitched', (e: PlayerEvents['error']) => e.fatal);
  // @ts-expect-error: levels are read-only
  player.levels = [];
  // @ts-expect-error: a level's bitrate is a number
  const name: string = player.levels[0]!.bitrate;
  console.log(name);
  return player;
}
