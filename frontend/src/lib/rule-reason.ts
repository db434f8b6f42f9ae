import type { TFunction } from 'i18next';

// The rules engine writes its reasons in English with the numbers
// (backend/rules/cooling.go, zombie.go, postgres/rules_engine.go), the same
// for every reader; the SPA shows them in the reader's language. A reason
// of a shape this build does not know is shown as it came.

const COOLED = /^cooled: ([\d.]+) working (days|hours) in (.+), limit (\d+)$/;
const SOON = /^cooling soon: ([\d.]+) working (days|hours) in (.+), cools at (\d+)$/;
const ZOMBIE = /^zombie: (\d+) contacts in (.+) without progress, limit (\d+)$/;
const OBJECTIVE = /^objective funnel: no outcome within (\d+) s after the first contact \(call (\d+)\)$/;
const CALLBACK = /^callback due (\d{4}-\d{2}-\d{2} \d{2}:\d{2})$/;
const MISSED = /^missed call (\d{4}-\d{2}-\d{2} \d{2}:\d{2})$/;

/** localizeReason turns a rule's reason into the reader's language, numbers kept. */
export function localizeReason(reason: string, t: TFunction): string {
  let m: RegExpExecArray | null;
  const span = (n: string, unit: string) =>
    t(unit === 'hours' ? 'rulesEngine.units.working_hours' : 'period.working_days', { count: Number(n) });
  if ((m = COOLED.exec(reason))) {
    return t('rulesEngine.reason.cooled', { elapsed: span(m[1]!, m[2]!), stage: m[3], limit: m[4] });
  }
  if ((m = SOON.exec(reason))) {
    return t('rulesEngine.reason.soon', { elapsed: span(m[1]!, m[2]!), stage: m[3], limit: m[4] });
  }
  if ((m = ZOMBIE.exec(reason))) {
    return t('rulesEngine.reason.zombie', { contacts: t('rulesEngine.units.contacts', { count: Number(m[1]) }), stage: m[2], limit: m[3] });
  }
  if ((m = OBJECTIVE.exec(reason))) return t('rulesEngine.reason.objective', { seconds: m[1], call: m[2] });
  if ((m = CALLBACK.exec(reason))) return t('rulesEngine.reason.callback', { at: m[1] });
  if ((m = MISSED.exec(reason))) return t('rulesEngine.reason.missed', { at: m[1] });
  return reason;
}
