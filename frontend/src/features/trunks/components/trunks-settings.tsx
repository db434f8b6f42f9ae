import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import { Dialog } from '../../../components/ui/dialog';
import { ErrorAlert } from '../../../components/ui/error-alert';
import { useToast } from '../../../components/ui/toast';
import { createTrunk, deleteTrunk, updateTrunk, type Trunk } from '../api/trunks-api';
import { TrunkForm } from './trunk-form';

interface TrunksSettingsProps {
  trunks: Trunk[];
  onChange: () => void;
}

/** TrunksSettings lists the organisation's SIP trunks and adds, edits and removes them. */
export function TrunksSettings({ trunks, onChange }: TrunksSettingsProps) {
  const { t } = useTranslation();
  const toast = useToast();
  const [editing, setEditing] = useState<Trunk | 'new' | null>(null);
  const [error, setError] = useState<unknown>(null);

  const remove = async (trunk: Trunk) => {
    if (!window.confirm(t('phone.trunks.confirmDelete', { name: trunk.name }))) return;
    setError(null);
    try {
      await deleteTrunk(trunk.id);
      toast.show(t('phone.trunks.deleted', { name: trunk.name }), 'success');
      onChange();
    } catch (err) {
      setError(err);
    }
  };

  return (
    <section aria-labelledby="trunks-title">
      <div className="toolbar">
        <h2 id="trunks-title" className="section-title toolbar__text">
          {t('phone.trunks.title')}
        </h2>
        <button type="button" className="btn btn--primary btn--small" onClick={() => setEditing('new')}>
          {t('phone.trunks.add')}
        </button>
      </div>
      <ErrorAlert error={error} />
      {trunks.length === 0 ? (
        <p className="muted">{t('phone.trunks.empty')}</p>
      ) : (
        <div className="table-wrap">
          <table className="table">
            <thead>
              <tr>
                <th scope="col">{t('phone.trunks.name')}</th>
                <th scope="col">{t('phone.trunks.host')}</th>
                <th scope="col">{t('phone.trunks.authMode')}</th>
                <th scope="col">{t('phone.trunks.password')}</th>
                <th scope="col">{t('phone.trunks.codecs')}</th>
                <th scope="col">{t('phone.trunks.status')}</th>
                <th scope="col">
                  <span className="visually-hidden">{t('common.actions')}</span>
                </th>
              </tr>
            </thead>
            <tbody>
              {trunks.map((tr) => (
                <tr key={tr.id}>
                  <th scope="row">{tr.name}</th>
                  <td>
                    {tr.host}:{tr.port} ({tr.transport.toUpperCase()})
                  </td>
                  <td>{tr.auth_mode === 'register' ? t('phone.trunks.authRegister') : t('phone.trunks.authIp')}</td>
                  <td>{tr.has_password ? t('phone.trunks.set') : t('phone.trunks.notSet')}</td>
                  <td>{tr.codecs.join(', ')}</td>
                  <td>{tr.enabled ? t('phone.trunks.on') : t('phone.trunks.off')}</td>
                  <td className="row-actions">
                    <button type="button" className="btn btn--ghost btn--small" onClick={() => setEditing(tr)}>
                      {t('common.edit')}
                    </button>
                    <button type="button" className="btn btn--danger-ghost btn--small" onClick={() => void remove(tr)}>
                      {t('common.delete')}
                    </button>
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
      {editing && (
        <Dialog
          open
          size="large"
          title={editing === 'new' ? t('phone.trunks.newTitle') : t('phone.trunks.editTitle')}
          onClose={() => setEditing(null)}
        >
          <TrunkForm
            trunk={editing === 'new' ? undefined : editing}
            onCancel={() => setEditing(null)}
            onSubmit={async (input) => {
              if (editing === 'new') await createTrunk(input);
              else await updateTrunk(editing.id, input);
              setEditing(null);
              toast.show(t('phone.trunks.saved'), 'success');
              onChange();
            }}
          />
        </Dialog>
      )}
    </section>
  );
}
