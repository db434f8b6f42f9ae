import { describe, expect, it } from 'vitest';
import { BackgroundSignal, CHIME_GAP_MS } from './background-signal';

function env(hidden: boolean, permission: NotificationPermission = 'granted') {
  const shown: string[] = [];
  let chimes = 0;
  let now = 0;
  class FakeNotification {
    static permission = permission;
    constructor(title: string) {
      shown.push(title);
    }
  }
  class FakeAudio {
    currentTime = 0;
    destination = {};
    createOscillator() {
      chimes++;
      return { frequency: { value: 0 }, connect: (n: unknown) => n, start() {}, stop() {} };
    }
    createGain() {
      return {
        gain: { setValueAtTime() {}, exponentialRampToValueAtTime() {} },
        connect: (n: unknown) => n,
      };
    }
  }
  return {
    env: {
      document: { hidden },
      Notification: FakeNotification,
      AudioContext: FakeAudio as unknown as new () => AudioContext,
      now: () => now,
    },
    shown,
    chimes: () => chimes / 2, // two tones per chime
    advance: (ms: number) => (now += ms),
  };
}

describe('BackgroundSignal', () => {
  it('stays silent while the tab is in view', () => {
    const e = env(false);
    new BackgroundSignal(e.env).signal('t', 'b', 'x');
    expect(e.shown).toEqual([]);
    expect(e.chimes()).toBe(0);
  });

  it('notifies when allowed, and chimes at most once per gap however many alerts come', () => {
    const e = env(true);
    const s = new BackgroundSignal(e.env);
    s.signal('a', 'b', 'x');
    s.signal('a', 'b', 'y');
    expect(e.shown).toEqual(['a', 'a']);
    expect(e.chimes()).toBe(1);
    e.advance(CHIME_GAP_MS);
    s.signal('a', 'b', 'z');
    expect(e.chimes()).toBe(2);
  });

  it('only chimes when notifications are not allowed', () => {
    const e = env(true, 'denied');
    new BackgroundSignal(e.env).signal('a', 'b', 'x');
    expect(e.shown).toEqual([]);
    expect(e.chimes()).toBe(1);
  });
});
