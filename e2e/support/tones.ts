// Test tones, made with sox at test time (no binary files in the repository).
import { execFileSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';

/** The agent's fake microphone (Chromium) and the customer's (baresip). */
export const AGENT_TONE_HZ = 1000;
export const CUSTOMER_TONE_HZ = 600;

/**
 * makeTone writes a mono 16-bit sine WAV of `hz` into dir and returns its
 * path. baresip 1.0.0 has no resampler, so its source must be 8 kHz for
 * G.711; Chromium loops whatever file it is given.
 */
export function makeTone(dir: string, hz: number, sampleRate: number, seconds: number): string {
  const file = path.join(dir, `tone${hz}_${sampleRate}.wav`);
  if (fs.existsSync(file)) return file;
  const tmp = `${file}.${process.pid}.tmp.wav`;
  try {
    execFileSync(
      'sox',
      ['-n', '-r', String(sampleRate), '-c', '1', '-b', '16', '-e', 'signed-integer', tmp,
        'synth', String(seconds), 'sine', String(hz), 'vol', '0.5'],
      { stdio: ['ignore', 'ignore', 'pipe'] },
    );
  } catch (err) {
    throw new Error(`sox could not make a ${hz} Hz tone (is sox installed? make test installs it): ${(err as Error).message}`);
  }
  fs.renameSync(tmp, file);
  return file;
}
