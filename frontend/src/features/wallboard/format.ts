import type { FunnelStageReport } from '../../lib/types';

const percentFormats = new Map<string, Intl.NumberFormat>();

/**
 * formatConversion shows a stage's conversion (advanced / entered) as a
 * percentage: whole percents, one decimal under 10 %. It is "—" when nobody
 * entered the stage in the period, and for won and rejected stages, which
 * have no later stage to reach.
 */
export function formatConversion(stage: Pick<FunnelStageReport, 'kind' | 'entered' | 'advanced' | 'conversion'>, lng: string): string {
  if (stage.kind !== 'open' || stage.entered <= 0) return '—';
  const ratio = Number.isFinite(stage.conversion) && stage.conversion > 0 ? stage.conversion : stage.advanced / stage.entered;
  const digits = ratio > 0 && ratio < 0.1 ? 1 : 0;
  const key = `${lng}/${digits}`;
  let f = percentFormats.get(key);
  if (!f) {
    f = new Intl.NumberFormat(lng, { style: 'percent', maximumFractionDigits: digits, minimumFractionDigits: 0 });
    percentFormats.set(key, f);
  }
  return f.format(Math.min(1, Math.max(0, ratio)));
}
