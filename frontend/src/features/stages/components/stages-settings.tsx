import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import { DataTable, RowActions } from '../../../components/ui/data-table';
import { Dialog } from '../../../components/ui/dialog';
import { ErrorAlert } from '../../../components/ui/error-alert';
import { SelectField } from '../../../components/ui/form-field';
import { useToast } from '../../../components/ui/toast';
import type { Stage, StageID } from '../../../lib/types';
import { useRowAction } from '../../../lib/use-row-action';
import { createStage, deleteStage, reorderStages, updateStage } from '../api/stages-api';
import { StageForm } from './stage-form';
import { StageCells, stageColumns } from './stage-row';

interface StagesSettingsProps {
  stages: Stage[];
  onChange: (stages: Stage[]) => void;
  reload: () => void;
}

type Editing = { kind: 'new' } | { kind: 'edit'; stage: Stage } | null;

/** StagesSettings is the admin's funnel editor: add, edit, reorder and delete stages. */
export function StagesSettings({ stages, onChange, reload }: StagesSettingsProps) {
  const { t } = useTranslation();
  const toast = useToast();
  const [editing, setEditing] = useState<Editing>(null);
  const [deleting, setDeleting] = useState<Stage | null>(null);
  const { busy, error, act } = useRowAction<StageID>();
  const reordering = busy !== null;

  const move = async (index: number, step: -1 | 1) => {
    const target = index + step;
    if (target < 0 || target >= stages.length) return;
    const ids = stages.map((s) => s.id);
    [ids[index], ids[target]] = [ids[target] as StageID, ids[index] as StageID];
    await act(ids[target] as StageID, async () => {
      onChange(await reorderStages(ids));
    });
  };

  return (
    <div className="stages-settings">
      <div className="toolbar">
        <p className="muted toolbar__text">{t('settings.stages.help')}</p>
        <button type="button" className="btn btn--primary" onClick={() => setEditing({ kind: 'new' })}>
          {t('settings.stages.add')}
        </button>
      </div>
      <ErrorAlert error={error} />
      <DataTable
        className="stages-table"
        aria-label={t('settings.stages.title')}
        columns={stageColumns(t)}
        actions
      >
        {stages.map((s, i) => (
          <tr key={s.id}>
            <StageCells stage={s} index={i} />
            <RowActions
              onEdit={() => setEditing({ kind: 'edit', stage: s })}
              onDelete={() => setDeleting(s)}
              editLabel={t('settings.stages.editNamed', { name: s.name })}
              deleteLabel={t('settings.stages.deleteNamed', { name: s.name })}
            >
              <button
                type="button"
                className="btn btn--ghost btn--icon"
                onClick={() => void move(i, -1)}
                disabled={i === 0 || reordering}
                aria-label={t('settings.stages.moveUp', { name: s.name })}
                title={t('settings.stages.moveUp', { name: s.name })}
              >
                ↑
              </button>
              <button
                type="button"
                className="btn btn--ghost btn--icon"
                onClick={() => void move(i, 1)}
                disabled={i === stages.length - 1 || reordering}
                aria-label={t('settings.stages.moveDown', { name: s.name })}
                title={t('settings.stages.moveDown', { name: s.name })}
              >
                ↓
              </button>
            </RowActions>
          </tr>
        ))}
      </DataTable>

      <Dialog
        open={editing !== null}
        onClose={() => setEditing(null)}
        title={editing?.kind === 'edit' ? t('settings.stages.editTitle', { name: editing.stage.name }) : t('settings.stages.newTitle')}
      >
        {editing && (
          <StageForm
            stage={editing.kind === 'edit' ? editing.stage : undefined}
            onCancel={() => setEditing(null)}
            onSubmit={async (input) => {
              if (editing.kind === 'edit') {
                const updated = await updateStage(editing.stage.id, input);
                onChange(stages.map((s) => (s.id === updated.id ? { ...updated, client_count: s.client_count } : s)));
                toast.show(t('settings.stages.saved', { name: updated.name }), 'success');
              } else {
                const created = await createStage(input);
                toast.show(t('settings.stages.created', { name: created.name }), 'success');
                reload();
              }
              setEditing(null);
            }}
          />
        )}
      </Dialog>

      {deleting && (
        <DeleteStageDialog
          stage={deleting}
          stages={stages}
          onClose={() => setDeleting(null)}
          onDeleted={() => {
            toast.show(t('settings.stages.deleted', { name: deleting.name }), 'success');
            setDeleting(null);
            reload();
          }}
        />
      )}
    </div>
  );
}

interface DeleteStageDialogProps {
  stage: Stage;
  stages: Stage[];
  onClose: () => void;
  onDeleted: () => void;
}

/** DeleteStageDialog confirms deleting a stage and, when it has clients, asks where they go. */
function DeleteStageDialog({ stage, stages, onClose, onDeleted }: DeleteStageDialogProps) {
  const { t } = useTranslation();
  const others = stages.filter((s) => s.id !== stage.id);
  const [moveTo, setMoveTo] = useState(String(others[0]?.id ?? ''));
  const [pending, setPending] = useState(false);
  const [error, setError] = useState<unknown>(null);
  const hasClients = stage.client_count > 0;

  const confirm = async () => {
    setPending(true);
    setError(null);
    try {
      await deleteStage(stage.id, hasClients ? Number(moveTo) : undefined);
      onDeleted();
    } catch (err) {
      setError(err);
      setPending(false);
    }
  };

  return (
    <Dialog
      open
      onClose={onClose}
      title={t('settings.stages.deleteTitle', { name: stage.name })}
      size="small"
      footer={
        <>
          <button type="button" className="btn btn--secondary" onClick={onClose} disabled={pending}>
            {t('common.cancel')}
          </button>
          <button type="button" className="btn btn--danger" onClick={() => void confirm()} disabled={pending || (hasClients && !moveTo)}>
            {pending ? t('common.deleting') : t('settings.stages.deleteConfirm')}
          </button>
        </>
      }
    >
      {hasClients ? (
        <>
          <p>{t('settings.stages.deleteHasClients', { count: stage.client_count })}</p>
          <SelectField label={t('settings.stages.moveClientsTo')} value={moveTo} onChange={setMoveTo}>
            {others.map((s) => (
              <option key={s.id} value={String(s.id)}>
                {s.name}
              </option>
            ))}
          </SelectField>
        </>
      ) : (
        <p>{t('settings.stages.deleteEmpty')}</p>
      )}
      <ErrorAlert error={error} />
    </Dialog>
  );
}
