// Reading what a SIP peer recorded and finding the tone in it.
//
// baresip's sndfile module writes 16-bit PCM WAV files and finalises the
// header only at hang-up, so a file read during a call says its data chunk
// is 0 bytes long: then the data runs to the end of the file.
import * as fs from 'node:fs';

export interface Pcm {
  sampleRate: number;
  /** Mono samples in [-1, 1) (the first channel of a multi-channel file). */
  samples: Float32Array;
}

/** readWav reads a 16-bit PCM WAV file, coping with an unfinalised header. */
export function readWav(file: string): Pcm {
  const buf = fs.readFileSync(file);
  if (buf.length < 12 || buf.toString('ascii', 0, 4) !== 'RIFF' || buf.toString('ascii', 8, 12) !== 'WAVE') {
    throw new Error(`${file}: not a RIFF/WAVE file (${buf.length} bytes)`);
  }
  let off = 12;
  let sampleRate = 0;
  let channels = 0;
  let bits = 0;
  while (off + 8 <= buf.length) {
    const id = buf.toString('ascii', off, off + 4);
    const size = buf.readUInt32LE(off + 4);
    const body = off + 8;
    if (id === 'fmt ') {
      const format = buf.readUInt16LE(body);
      channels = buf.readUInt16LE(body + 2);
      sampleRate = buf.readUInt32LE(body + 4);
      bits = buf.readUInt16LE(body + 14);
      if ((format !== 1 && format !== 0xfffe) || bits !== 16) {
        throw new Error(`${file}: only 16-bit PCM is read here (format ${format}, ${bits} bits)`);
      }
    } else if (id === 'data') {
      if (!sampleRate) throw new Error(`${file}: data chunk before fmt chunk`);
      // 0 (or a size past the end): the writer has not finalised the header.
      const end = size === 0 || body + size > buf.length ? buf.length : body + size;
      const frame = 2 * channels;
      const n = Math.floor((end - body) / frame);
      const samples = new Float32Array(n);
      for (let i = 0; i < n; i++) samples[i] = buf.readInt16LE(body + i * frame) / 32768;
      return { sampleRate, samples };
    }
    off = body + size + (size % 2);
  }
  throw new Error(`${file}: no data chunk`);
}

/** Goertzel power of frequency hz in samples[from, from+n) with a Hann window. */
function power(x: Float32Array, from: number, n: number, hz: number, rate: number, hann: Float32Array): number {
  const coeff = 2 * Math.cos((2 * Math.PI * hz) / rate);
  let s1 = 0;
  let s2 = 0;
  for (let i = 0; i < n; i++) {
    const s0 = x[from + i] * hann[i] + coeff * s1 - s2;
    s2 = s1;
    s1 = s0;
  }
  return s1 * s1 + s2 * s2 - coeff * s1 * s2;
}

export interface ToneWindow {
  /** Seconds from the start of the recording. */
  at: number;
  rms: number;
  /** The dominant frequency, or null when the window is silent or not tone-like. */
  hz: number | null;
}

/**
 * toneWindows cuts the recording into windows of `windowSeconds` and finds
 * each one's dominant frequency between 100 Hz and just under Nyquist: a
 * coarse 2 Hz scan, then 0.1 Hz steps around the peak. A window counts as a
 * tone only when it is not silent and its peak stands well above the rest of
 * the spectrum (noise or speech-like audio gives null).
 */
export function toneWindows(pcm: Pcm, windowSeconds = 0.5): ToneWindow[] {
  const { samples: x, sampleRate: rate } = pcm;
  const n = Math.floor(rate * windowSeconds);
  const hann = new Float32Array(n);
  for (let i = 0; i < n; i++) hann[i] = 0.5 - 0.5 * Math.cos((2 * Math.PI * i) / (n - 1));
  const out: ToneWindow[] = [];
  const top = rate / 2 - 100;
  for (let from = 0; from + n <= x.length; from += n) {
    let sq = 0;
    for (let i = 0; i < n; i++) sq += x[from + i] * x[from + i];
    const rms = Math.sqrt(sq / n);
    const w: ToneWindow = { at: from / rate, rms, hz: null };
    out.push(w);
    if (rms < 0.01) continue; // silence (about -40 dBFS)
    let best = 0;
    let bestHz = 0;
    let sum = 0;
    let count = 0;
    for (let hz = 100; hz <= top; hz += 2) {
      const p = power(x, from, n, hz, rate, hann);
      sum += p;
      count++;
      if (p > best) {
        best = p;
        bestHz = hz;
      }
    }
    if (best < 20 * (sum / count)) continue; // no clear peak: not a tone
    for (let hz = bestHz - 2; hz <= bestHz + 2; hz += 0.1) {
      const p = power(x, from, n, hz, rate, hann);
      if (p > best) {
        best = p;
        bestHz = hz;
      }
    }
    w.hz = Math.round(bestHz * 10) / 10;
  }
  return out;
}

export interface ToneVerdict {
  ok: boolean;
  /** Seconds of windows holding the expected tone. */
  seconds: number;
  summary: string;
}

/**
 * hearsTone says whether at least `minSeconds` of the recording carry a tone
 * within `toleranceHz` of `hz`, with a summary for the failure message.
 */
export function hearsTone(pcm: Pcm, hz: number, toleranceHz = 10, minSeconds = 1.5): ToneVerdict {
  const windowSeconds = 0.5;
  const windows = toneWindows(pcm, windowSeconds);
  const matching = windows.filter((w) => w.hz !== null && Math.abs(w.hz - hz) <= toleranceHz);
  const seconds = matching.length * windowSeconds;
  const shown = windows.map((w) => `${w.at.toFixed(1)}s:${w.hz === null ? `-(rms ${w.rms.toFixed(3)})` : `${w.hz}Hz`}`);
  return {
    ok: seconds >= minSeconds,
    seconds,
    summary:
      `${(pcm.samples.length / pcm.sampleRate).toFixed(1)} s at ${pcm.sampleRate} Hz; ` +
      `${seconds} s within ${toleranceHz} Hz of ${hz} Hz; windows: ${shown.join(' ')}`,
  };
}
