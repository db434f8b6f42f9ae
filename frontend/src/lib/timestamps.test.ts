import { describe, expect, it } from 'vitest';
import { compareTimestamps } from './timestamps';

const sign = (n: number) => Math.sign(n);

describe('compareTimestamps', () => {
  it.each([
    ['2026-03-01T10:00:00.1Z', '2026-03-01T10:00:00.09Z', 1],
    ['2026-03-01T10:00:00.000001Z', '2026-03-01T10:00:00.0000009Z', 1],
    ['2026-03-01T10:00:00.0011Z', '2026-03-01T10:00:00.0012Z', -1],
    ['2026-03-01T10:00:00Z', '2026-03-01T10:00:00.000000000Z', 0],
    ['2026-03-01T13:00:00.5+03:00', '2026-03-01T10:00:00.5Z', 0],
    ['2026-03-01T13:00:01+03:00', '2026-03-01T10:00:00.999999999Z', 1],
    ['2025-12-31T23:59:59.999999Z', '2026-01-01T00:00:00Z', -1],
  ])('%s against %s → %i', (a, b, want) => {
    expect(sign(compareTimestamps(a, b))).toBe(want);
    expect(sign(compareTimestamps(b, a))).toBe(-want || 0);
  });

  it('counts unreadable times as equal', () => {
    expect(compareTimestamps('', '2026-03-01T10:00:00Z')).toBe(0);
    expect(compareTimestamps('yesterday', 'today')).toBe(0);
  });
});
