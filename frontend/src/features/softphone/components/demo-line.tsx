import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import { errorDetail } from '../../../components/ui/error-alert';
import { useToast } from '../../../components/ui/toast';
import { demoCallIn } from '../../calls/api/calls-api';

/** DemoCallIn asks the built-in demo phone network to call the organisation, so a newcomer can take a call. */
export function DemoCallIn({ disabled }: { disabled: boolean }) {
  const { t } = useTranslation();
  const toast = useToast();
  const [pending, setPending] = useState(false);
  return (
    <button
      type="button"
      className="btn btn--secondary btn--small btn--block"
      data-testid="demo-call-in"
      disabled={disabled || pending}
      title={disabled ? t('phone.demo.turnOnFirst') : undefined}
      onClick={async () => {
        setPending(true);
        try {
          await demoCallIn();
          toast.show(t('phone.demo.calling'), 'info');
        } catch (err) {
          toast.show(`${t('phone.demo.failed')} ${errorDetail(err)}`.trim(), 'error');
        } finally {
          setPending(false);
        }
      }}
    >
      {t('phone.demo.callIn')}
    </button>
  );
}
