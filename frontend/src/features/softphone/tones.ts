// The softphone's own sounds, made with WebAudio oscillators (no audio
// files): the ring of a call waiting to be picked up and the ringback heard
// while the client's phone rings. Without WebAudio (tests, old browsers)
// they are silent.

/** A cadence: frequencies played together for onMs, then silence for offMs, repeated. */
interface Cadence {
  freqs: number[];
  /** on/off pairs in ms; the pattern repeats. */
  pattern: number[];
  gain: number;
}

/** RING: a two-tone warble, twice, then a pause — unlike any tone of the phone network. */
const RING: Cadence = { freqs: [660, 880], pattern: [400, 200, 400, 2000], gain: 0.12 };
/** RINGBACK: 425 Hz, 0.8 s on, 3.2 s off, as Russian networks play it (ГОСТ / ITU-T E.180). */
const RINGBACK: Cadence = { freqs: [425], pattern: [800, 3200], gain: 0.08 };

export type ToneName = 'ring' | 'ringback';

type AudioContextCtor = new () => AudioContext;

/**
 * TonePlayer plays at most one tone at a time. unlock() must run in a click
 * handler once (browsers start audio only after a gesture).
 */
export class TonePlayer {
  private ctx: AudioContext | null = null;
  private playing: { name: ToneName; stop: () => void } | null = null;

  constructor(private readonly Ctor: AudioContextCtor | undefined = browserAudioContext()) {}

  unlock(): void {
    const ctx = this.context();
    if (ctx?.state === 'suspended') void ctx.resume().catch(() => undefined);
  }

  /** play starts name, or keeps it going if it already plays; null stops. */
  play(name: ToneName | null): void {
    if (this.playing?.name === name) return;
    this.playing?.stop();
    this.playing = null;
    if (!name) return;
    const ctx = this.context();
    if (!ctx) return;
    this.playing = { name, stop: schedule(ctx, name === 'ring' ? RING : RINGBACK) };
  }

  close(): void {
    this.play(null);
    void this.ctx?.close().catch(() => undefined);
    this.ctx = null;
  }

  private context(): AudioContext | null {
    if (this.ctx) return this.ctx;
    if (!this.Ctor) return null;
    try {
      this.ctx = new this.Ctor();
    } catch {
      return null;
    }
    return this.ctx;
  }
}

function browserAudioContext(): AudioContextCtor | undefined {
  if (typeof window === 'undefined') return undefined;
  const w = window as unknown as { AudioContext?: AudioContextCtor; webkitAudioContext?: AudioContextCtor };
  return w.AudioContext ?? w.webkitAudioContext;
}

/** schedule plays the cadence until the returned function is called, a few seconds ahead at a time. */
function schedule(ctx: AudioContext, c: Cadence): () => void {
  const out = ctx.createGain();
  out.gain.value = 0;
  out.connect(ctx.destination);
  const oscs = c.freqs.map((f) => {
    const o = ctx.createOscillator();
    o.frequency.value = f;
    o.connect(out);
    o.start();
    return o;
  });
  const period = c.pattern.reduce((a, b) => a + b, 0) / 1000;
  let next = ctx.currentTime + 0.05;
  const plan = () => {
    // Keep two periods queued: timers in a background tab may run late.
    while (next < ctx.currentTime + 2 * period) {
      let t = next;
      c.pattern.forEach((ms, i) => {
        const on = i % 2 === 0;
        out.gain.setValueAtTime(on ? c.gain : 0, t);
        t += ms / 1000;
      });
      next += period;
    }
  };
  plan();
  const timer = window.setInterval(plan, 500);
  return () => {
    window.clearInterval(timer);
    out.gain.cancelScheduledValues(0);
    out.gain.value = 0;
    for (const o of oscs) {
      try {
        o.stop();
      } catch {
        // already stopped
      }
      o.disconnect();
    }
    out.disconnect();
  };
}
