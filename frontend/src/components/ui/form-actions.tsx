import type { ReactNode } from 'react';
import { useTranslation } from 'react-i18next';

interface FormActionsProps {
  /** While the form is being sent the submit button says "Saving…" and both buttons are off. */
  pending: boolean;
  /** The submit button's text; "Save" when not given. */
  submitLabel?: ReactNode;
  /** Shows a Cancel button. */
  onCancel?: () => void;
  /** What follows the buttons: a status line, another action. */
  children?: ReactNode;
}

/** FormActions is a form's footer: submit, an optional cancel, and what follows them. */
export function FormActions({ pending, submitLabel, onCancel, children }: FormActionsProps) {
  const { t } = useTranslation();
  return (
    <div className="form-actions">
      <button type="submit" className="btn btn--primary" disabled={pending}>
        {pending ? t('common.saving') : (submitLabel ?? t('common.save'))}
      </button>
      {onCancel && (
        <button type="button" className="btn btn--secondary" onClick={onCancel} disabled={pending}>
          {t('common.cancel')}
        </button>
      )}
      {children}
    </div>
  );
}
