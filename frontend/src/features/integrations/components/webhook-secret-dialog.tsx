import { useId, useRef, useState } from 'react';
import { useTranslation } from 'react-i18next';
import { Dialog } from '../../../components/ui/dialog';

interface WebhookSecretDialogProps {
  secret: string;
  /** Called when the admin is done; the caller forgets the secret. */
  onClose: () => void;
}

/**
 * WebhookSecretDialog shows a new endpoint's signing secret, the one time
 * the server gives it, with a copy button and a warning that it will not be
 * shown again.
 */
export function WebhookSecretDialog({ secret, onClose }: WebhookSecretDialogProps) {
  const { t } = useTranslation();
  const inputId = useId();
  const inputRef = useRef<HTMLInputElement>(null);
  const [copied, setCopied] = useState<'yes' | 'failed' | null>(null);

  const copy = async () => {
    try {
      await navigator.clipboard.writeText(secret);
      setCopied('yes');
    } catch {
      // No clipboard (an insecure origin, a refused permission): select it for a manual copy.
      inputRef.current?.select();
      setCopied('failed');
    }
  };

  return (
    <Dialog
      open
      title={t('integrations.webhooks.secretTitle')}
      onClose={onClose}
      footer={
        <button type="button" className="btn btn--primary" onClick={onClose}>
          {t('integrations.webhooks.secretDone')}
        </button>
      }
    >
      <div className="alert alert--warning" role="alert">
        <span className="alert__detail">{t('integrations.webhooks.secretWarning')}</span>
      </div>
      <div className="field">
        <label htmlFor={inputId} className="field__label">
          {t('integrations.webhooks.secretLabel')}
        </label>
        <div className="secret-row">
          <input
            ref={inputRef}
            id={inputId}
            className="input mono"
            value={secret}
            readOnly
            spellCheck={false}
            onFocus={(e) => e.target.select()}
          />
          <button type="button" className="btn btn--secondary" onClick={() => void copy()}>
            {t('integrations.webhooks.copy')}
          </button>
        </div>
        <p className="field__hint" role="status">
          {copied === 'yes' ? t('integrations.webhooks.copied') : copied === 'failed' ? t('integrations.webhooks.copyFailed') : ''}
        </p>
      </div>
    </Dialog>
  );
}
