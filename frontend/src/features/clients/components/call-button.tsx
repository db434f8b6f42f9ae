import { useId } from 'react';
import { useTranslation } from 'react-i18next';

/**
 * CallButton is where click-to-call will live: the agent's softphone rings
 * first, then the client. It stays disabled until the softphone arrives.
 */
export function CallButton() {
  const { t } = useTranslation();
  const hintId = useId();
  const hint = t('client.callUnavailable');
  return (
    <span className="tooltip" title={hint}>
      <button type="button" className="btn btn--call" disabled aria-describedby={hintId} title={hint}>
        <span aria-hidden="true">📞 </span>
        {t('client.call')}
      </button>
      <span id={hintId} role="tooltip" className="tooltip__text">
        {hint}
      </span>
    </span>
  );
}
