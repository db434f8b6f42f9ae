import { useTranslation } from 'react-i18next';
import type { CoolingState } from '../../lib/types';

interface CoolingBadgeProps {
  state: CoolingState;
  /** Show "ok" and "none" too; by default only the states that need action are shown. */
  showAll?: boolean;
}

/** CoolingBadge shows where a client stands against its stage's cooling period: amber when cooling soon, red when cooled. */
export function CoolingBadge({ state, showAll = false }: CoolingBadgeProps) {
  const { t } = useTranslation();
  if (!showAll && (state === 'ok' || state === 'none')) return null;
  return <span className={`badge badge--cooling-${state}`}>{t(`cooling.${state}`)}</span>;
}
