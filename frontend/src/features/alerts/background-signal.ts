// Telling a user in another tab: a desktop notification (when allowed) and
// a short chime. Both only while the tab is hidden — in view, the alert
// panel is enough.

/** CHIME_GAP_MS: at most one chime this often, however many alerts arrive. */
export const CHIME_GAP_MS = 10_000;

export interface BackgroundSignalEnv {
  document: Pick<Document, 'hidden'>;
  Notification?: { permission: NotificationPermission; new (title: string, options?: NotificationOptions): unknown };
  AudioContext?: new () => AudioContext;
  now: () => number;
}

export class BackgroundSignal {
  private lastChime = -Infinity;
  private audio: AudioContext | null = null;

  constructor(private readonly env: BackgroundSignalEnv) {}

  /**
   * signal shows a notification and chimes when the tab is hidden. tag
   * makes the browser replace an earlier notification of the same group
   * instead of stacking another.
   */
  signal(title: string, body: string, tag: string): void {
    if (!this.env.document.hidden) return;
    const N = this.env.Notification;
    if (N && N.permission === 'granted') new N(title, { body, tag });
    const now = this.env.now();
    if (now - this.lastChime < CHIME_GAP_MS) return;
    this.lastChime = now;
    this.chime();
  }

  private chime(): void {
    const AC = this.env.AudioContext;
    if (!AC) return;
    try {
      this.audio ??= new AC();
      const ctx = this.audio;
      // Two short tones, falling: noticeable, not alarming.
      [880, 660].forEach((hz, i) => {
        const osc = ctx.createOscillator();
        const gain = ctx.createGain();
        osc.frequency.value = hz;
        const start = ctx.currentTime + i * 0.18;
        gain.gain.setValueAtTime(0.0001, start);
        gain.gain.exponentialRampToValueAtTime(0.2, start + 0.02);
        gain.gain.exponentialRampToValueAtTime(0.0001, start + 0.16);
        osc.connect(gain).connect(ctx.destination);
        osc.start(start);
        osc.stop(start + 0.17);
      });
    } catch {
      // No audio output (autoplay policy, no device): the notification stands alone.
    }
  }
}

/** browserSignalEnv is the page's own environment. */
export function browserSignalEnv(): BackgroundSignalEnv {
  return {
    document,
    Notification: typeof Notification === 'undefined' ? undefined : Notification,
    AudioContext: typeof AudioContext === 'undefined' ? undefined : AudioContext,
    now: () => Date.now(),
  };
}
