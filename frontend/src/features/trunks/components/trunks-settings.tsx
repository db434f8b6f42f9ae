import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import { DataTable, ListState, RowActions } from '../../../components/ui/data-table';
import { Dialog } from '../../../components/ui/dialog';
import { ErrorAlert } from '../../../components/ui/error-alert';
import { useToast } from '../../../components/ui/toast';
import { useRowAction } from '../../../lib/use-row-action';
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
  const { error, act } = useRowAction<number>();

  const remove = async (trunk: Trunk) => {
    if (!window.confirm(t('phone.trunks.confirmDelete', { name: trunk.name }))) return;
    await act(trunk.id, async () => {
      await deleteTrunk(trunk.id);
      toast.show(t('phone.trunks.deleted', { name: trunk.name }), 'success');
      onChange();
    });
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
      <ListState items={trunks} empty={t('phone.trunks.empty')}>
        <DataTable
          columns={[
            t('phone.trunks.name'),
            t('phone.trunks.host'),
            t('phone.trunks.authMode'),
            t('phone.trunks.password'),
            t('phone.trunks.codecs'),
            t('phone.trunks.status'),
          ]}
          actions
        >
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
              <RowActions onEdit={() => setEditing(tr)} onDelete={() => void remove(tr)} />
            </tr>
          ))}
        </DataTable>
      </ListState>
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
