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
    <span className="tooltip">
      <button type="button" className="btn btn--call" disabled aria-describedby={hintId}>
        <svg aria-hidden="true" focusable="false" width="16" height="16" viewBox="0 0 24 24" fill="currentColor">
          <path d="M6.6 10.8a15.1 15.1 0 0 0 6.6 6.6l2.2-2.2a1 1 0 0 1 1-.25 11.4 11.4 0 0 0 3.6.57 1 1 0 0 1 1 1V20a1 1 0 0 1-1 1A17 17 0 0 1 3 4a1 1 0 0 1 1-1h3.5a1 1 0 0 1 1 1c0 1.25.2 2.46.57 3.6a1 1 0 0 1-.25 1z" />
        </svg>
        {t('client.call')}
      </button>
      <span id={hintId} role="tooltip" className="tooltip__text">
        {hint}
      </span>
    </span>
  );
}
