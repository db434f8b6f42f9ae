import { describe, expect, it } from 'vitest';
import { formatConversion } from './format';

const stage = (entered: number, advanced: number, kind: 'open' | 'won' | 'rejected' = 'open') => ({
  kind,
  entered,
  advanced,
  conversion: entered ? advanced / entered : 0,
});
// Intl puts a no-break space before % in Russian.
const nb = (s: string) => s.replace(/\u00a0|\u202f/g, ' ');

describe('formatConversion', () => {
  it('shows whole percents', () => {
    expect(nb(formatConversion(stage(12, 5), 'ru'))).toBe('42 %');
    expect(formatConversion(stage(12, 5), 'en')).toBe('42%');
    expect(nb(formatConversion(stage(4, 4), 'ru'))).toBe('100 %');
    expect(formatConversion(stage(7, 0), 'en')).toBe('0%');
  });

  it('keeps one decimal under 10 %', () => {
    expect(nb(formatConversion(stage(200, 3), 'ru'))).toBe('1,5 %');
    expect(formatConversion(stage(200, 3), 'en')).toBe('1.5%');
  });

  it('is a dash when nobody entered, and for final stages', () => {
    expect(formatConversion(stage(0, 0), 'ru')).toBe('—');
    expect(formatConversion(stage(10, 0, 'won'), 'ru')).toBe('—');
    expect(formatConversion(stage(10, 0, 'rejected'), 'en')).toBe('—');
  });

  it('computes the ratio when the server sent none', () => {
    expect(formatConversion({ kind: 'open', entered: 4, advanced: 1, conversion: 0 }, 'en')).toBe('25%');
  });
});
