import { useState, type FormEvent } from 'react';
import { useTranslation } from 'react-i18next';
import { DataTable, ListState, RowActions } from '../../../components/ui/data-table';
import { ErrorAlert } from '../../../components/ui/error-alert';
import { SelectField, TextField } from '../../../components/ui/form-field';
import { useToast } from '../../../components/ui/toast';
import { formatPhone } from '../../../lib/format';
import { useFormErrors } from '../../../lib/use-form-errors';
import { useRowAction } from '../../../lib/use-row-action';
import { createLine, deleteLine, updateLine, type Line, type LineInput, type Trunk } from '../api/trunks-api';

const FIELDS = ['number', 'name', 'channel_id', 'trunk_id'] as const;

interface LineFormProps {
  line?: Line;
  trunks: Trunk[];
  onSubmit: (input: LineInput) => Promise<void>;
  onCancel?: () => void;
}

/** LineForm edits one number: the DID, a name, the acquisition channel it stands for and the trunk it arrives on. */
function LineForm({ line, trunks, onSubmit, onCancel }: LineFormProps) {
  const { t } = useTranslation();
  const [number, setNumber] = useState(line?.number ?? '');
  const [name, setName] = useState(line?.name ?? '');
  const [channel, setChannel] = useState(line?.channel_id ? String(line.channel_id) : '');
  const [trunk, setTrunk] = useState(line?.trunk_id ? String(line.trunk_id) : trunks[0] ? String(trunks[0].id) : '');
  const { fieldErrors, setFieldErrors, formError, clear, pending, run } = useFormErrors(FIELDS);

  const submit = async (e: FormEvent) => {
    e.preventDefault();
    clear();
    if (!number.trim()) {
      setFieldErrors({ number: t('validation.required') });
      return;
    }
    if (channel && !/^\d+$/.test(channel.trim())) {
      setFieldErrors({ channel_id: t('phone.lines.channelInvalid') });
      return;
    }
    await run(async () => {
      await onSubmit({
        number: number.trim(),
        name: name.trim(),
        channel_id: channel.trim() ? Number(channel) : null,
        trunk_id: trunk ? Number(trunk) : null,
      });
      if (!line) {
        setNumber('');
        setName('');
        setChannel('');
      }
    });
  };

  return (
    <form className="line-form" onSubmit={submit} noValidate aria-label={line ? t('phone.lines.editTitle') : t('phone.lines.add')}>
      <ErrorAlert error={formError} />
      <TextField
        label={t('phone.lines.number')}
        value={number}
        onChange={setNumber}
        error={fieldErrors.number}
        type="tel"
        placeholder="+74951234567"
      />
      <TextField label={t('phone.lines.name')} value={name} onChange={setName} error={fieldErrors.name} maxLength={100} />
      <TextField
        label={t('phone.lines.channel')}
        value={channel}
        onChange={setChannel}
        error={fieldErrors.channel_id}
        hint={t('phone.lines.channelHint')}
        inputMode="numeric"
      />
      <SelectField label={t('phone.lines.trunk')} value={trunk} onChange={setTrunk} error={fieldErrors.trunk_id}>
        <option value="">{t('phone.lines.noTrunk')}</option>
        {trunks.map((tr) => (
          <option key={tr.id} value={tr.id}>
            {tr.name}
          </option>
        ))}
      </SelectField>
      <div className="form-actions">
        <button type="submit" className="btn btn--primary btn--small" disabled={pending}>
          {line ? t('common.save') : t('phone.lines.add')}
        </button>
        {onCancel && (
          <button type="button" className="btn btn--ghost btn--small" onClick={onCancel}>
            {t('common.cancel')}
          </button>
        )}
      </div>
    </form>
  );
}

interface LinesSettingsProps {
  lines: Line[];
  trunks: Trunk[];
  onChange: () => void;
}

/** LinesSettings lists the organisation's numbers and adds, edits and removes them. */
export function LinesSettings({ lines, trunks, onChange }: LinesSettingsProps) {
  const { t } = useTranslation();
  const toast = useToast();
  const [editing, setEditing] = useState<number | null>(null);
  const { error, act } = useRowAction<number>();
  const trunkName = (id: number | null) => trunks.find((tr) => tr.id === id)?.name ?? t('common.none');

  const remove = async (line: Line) => {
    if (!window.confirm(t('phone.lines.confirmDelete', { number: formatPhone(line.number) }))) return;
    await act(line.id, async () => {
      await deleteLine(line.id);
      onChange();
    });
  };

  return (
    <section aria-labelledby="lines-title">
      <h2 id="lines-title" className="section-title">
        {t('phone.lines.title')}
      </h2>
      <p className="muted">{t('phone.lines.help')}</p>
      <ErrorAlert error={error} />
      <ListState items={lines}>
        <DataTable columns={[t('phone.lines.number'), t('phone.lines.name'), t('phone.lines.channel'), t('phone.lines.trunk')]} actions>
          {lines.map((l) =>
            editing === l.id ? (
              <tr key={l.id}>
                <td colSpan={5}>
                  <LineForm
                    line={l}
                    trunks={trunks}
                    onCancel={() => setEditing(null)}
                    onSubmit={async (input) => {
                      await updateLine(l.id, input);
                      setEditing(null);
                      toast.show(t('phone.lines.saved'), 'success');
                      onChange();
                    }}
                  />
                </td>
              </tr>
            ) : (
              <tr key={l.id}>
                <th scope="row">{formatPhone(l.number)}</th>
                <td>{l.name || t('common.none')}</td>
                <td>{l.channel_id ?? t('common.none')}</td>
                <td>{trunkName(l.trunk_id)}</td>
                <RowActions onEdit={() => setEditing(l.id)} onDelete={() => void remove(l)} />
              </tr>
            ),
          )}
        </DataTable>
      </ListState>
      <LineForm
        trunks={trunks}
        onSubmit={async (input) => {
          await createLine(input);
          toast.show(t('phone.lines.saved'), 'success');
          onChange();
        }}
      />
    </section>
  );
}
