// What the agent hears: the softphone plays the remote stream through
// <audio data-testid="softphone-remote-audio">; the probe feeds that
// element's srcObject to a WebAudio AnalyserNode (fftSize 8192), takes the
// dominant bin every 200 ms and reports each reading. The element must stay
// attached (Chromium's analyser reads silence from a stream no element plays).
import type { Page } from '@playwright/test';

export interface PageAudio {
  /** Dominant frequency per reading; null where the loudest bin was quieter than -60 dB (silence). */
  readings: (number | null)[];
  /** The loudest bin seen, in dB. */
  peakDb: number;
  sampleRate: number;
  /** Whether the element stayed in the document, with the same stream, for every reading. */
  attached: boolean;
}

export interface Heard {
  ok: boolean;
  /** The frequency most readings agree on (null: silence). */
  hz: number | null;
  summary: string;
}

/**
 * listen measures the remote audio for `seconds` seconds in the page.
 * It fails when there is no element or it has no stream.
 */
export async function listen(page: Page, seconds = 3): Promise<PageAudio> {
  return page.evaluate(async (ticks: number) => {
    const el = document.querySelector<HTMLAudioElement>('audio[data-testid="softphone-remote-audio"]');
    if (!el) throw new Error('no <audio data-testid="softphone-remote-audio"> in the page');
    const stream = el.srcObject;
    if (!(stream instanceof MediaStream)) throw new Error('softphone-remote-audio has no MediaStream as srcObject');
    if (!stream.getAudioTracks().length) throw new Error('the remote stream has no audio track');
    const ctx = new AudioContext();
    await ctx.resume();
    try {
      const source = ctx.createMediaStreamSource(stream);
      const analyser = ctx.createAnalyser();
      analyser.fftSize = 8192;
      analyser.smoothingTimeConstant = 0;
      source.connect(analyser);
      const bins = new Float32Array(analyser.frequencyBinCount);
      const binHz = ctx.sampleRate / analyser.fftSize;
      const first = Math.ceil(80 / binHz); // skip DC and hum
      const readings: (number | null)[] = [];
      let peakDb = -Infinity;
      let attached = true;
      for (let t = 0; t < ticks; t++) {
        await new Promise((r) => setTimeout(r, 200));
        attached &&= el.isConnected && el.srcObject === stream;
        analyser.getFloatFrequencyData(bins);
        let best = first;
        for (let i = first; i < bins.length - 1; i++) if (bins[i] > bins[best]) best = i;
        peakDb = Math.max(peakDb, bins[best]);
        if (!(bins[best] > -60)) {
          readings.push(null);
          continue;
        }
        // Parabolic interpolation between the neighbouring bins (in dB):
        // bins are 5.9 Hz apart at 48 kHz, the interpolation gets well under that.
        const a = bins[best - 1];
        const b = bins[best];
        const c = bins[best + 1];
        const d = a - 2 * b + c;
        const shift = d === 0 || !Number.isFinite(d) ? 0 : (0.5 * (a - c)) / d;
        readings.push(Math.round((best + shift) * binHz * 10) / 10);
      }
      source.disconnect();
      return { readings, peakDb, sampleRate: ctx.sampleRate, attached };
    } finally {
      await ctx.close();
    }
  }, Math.round(seconds * 5));
}

/**
 * hears votes: at least `share` of the readings must lie within
 * toleranceHz of hz, and the element must have stayed attached.
 */
export function hears(audio: PageAudio, hz: number, toleranceHz = 10, share = 0.6): Heard {
  const near = audio.readings.filter((r) => r !== null && Math.abs(r - hz) <= toleranceHz).length;
  const counts = new Map<number, number>();
  for (const r of audio.readings) if (r !== null) counts.set(Math.round(r), (counts.get(Math.round(r)) ?? 0) + 1);
  const top = [...counts.entries()].sort((x, y) => y[1] - x[1])[0];
  return {
    ok: audio.attached && near >= share * audio.readings.length,
    hz: top ? top[0] : null,
    summary:
      `${near}/${audio.readings.length} readings within ${toleranceHz} Hz of ${hz} Hz ` +
      `(element ${audio.attached ? 'stayed attached' : 'was detached or lost its stream'}; ` +
      `peak ${audio.peakDb.toFixed(1)} dB; AudioContext at ${audio.sampleRate} Hz); ` +
      `readings: ${audio.readings.map((r) => (r === null ? '-' : r)).join(' ')}`,
  };
}
