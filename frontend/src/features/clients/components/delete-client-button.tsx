import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import { Dialog } from '../../../components/ui/dialog';
import { ErrorAlert } from '../../../components/ui/error-alert';
import type { Client } from '../../../lib/types';
import { deleteClient } from '../api/clients-api';

interface DeleteClientButtonProps {
  client: Client;
  onDeleted: () => void;
}

/** DeleteClientButton deletes a client after the user confirms. */
export function DeleteClientButton({ client, onDeleted }: DeleteClientButtonProps) {
  const { t } = useTranslation();
  const [open, setOpen] = useState(false);
  const [pending, setPending] = useState(false);
  const [error, setError] = useState<unknown>(null);

  const confirm = async () => {
    setPending(true);
    setError(null);
    try {
      await deleteClient(client.id);
      setOpen(false);
      onDeleted();
    } catch (err) {
      setError(err);
    } finally {
      setPending(false);
    }
  };

  return (
    <>
      <button type="button" className="btn btn--danger-ghost" onClick={() => setOpen(true)}>
        {t('client.delete.button')}
      </button>
      <Dialog
        open={open}
        onClose={() => setOpen(false)}
        title={t('client.delete.title')}
        size="small"
        footer={
          <>
            <button type="button" className="btn btn--secondary" onClick={() => setOpen(false)} disabled={pending}>
              {t('common.cancel')}
            </button>
            <button type="button" className="btn btn--danger" onClick={() => void confirm()} disabled={pending}>
              {pending ? t('common.deleting') : t('client.delete.confirm')}
            </button>
          </>
        }
      >
        <p>{t('client.delete.question', { name: client.name })}</p>
        <ErrorAlert error={error} />
      </Dialog>
    </>
  );
}
