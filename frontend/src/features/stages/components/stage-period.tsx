import { useTranslation } from 'react-i18next';
import type { Stage } from '../../../lib/types';

/** CoolingPeriodText says "5 working days" or "does not cool". */
export function CoolingPeriodText({ stage }: { stage: Stage }) {
  const { t } = useTranslation();
  if (stage.cooling_period === 0) return <span className="muted">{t('settings.stages.neverCools')}</span>;
  return <>{t(`period.${stage.cooling_unit}`, { count: stage.cooling_period })}</>;
}

/** CoolingSoonText says how long before cooling a client shows as cooling soon. */
export function CoolingSoonText({ stage }: { stage: Stage }) {
  const { t } = useTranslation();
  if (stage.cooling_period === 0 || stage.cooling_soon === 0) return <span className="muted">{t('common.none')}</span>;
  return <>{t('settings.stages.soonBefore', { period: t(`period.${stage.cooling_unit}`, { count: stage.cooling_soon }) })}</>;
}

export function ContactLimitText({ stage }: { stage: Stage }) {
  const { t } = useTranslation();
  if (stage.contact_limit === 0) return <span className="muted">{t('settings.stages.noLimit')}</span>;
  return <>{stage.contact_limit}</>;
}
