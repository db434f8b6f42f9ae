import { useId, useRef, useState } from 'react';
import { useTranslation } from 'react-i18next';
import { ErrorAlert } from '../../../components/ui/error-alert';
import { Loading } from '../../../components/ui/loading';
import type { Import, ImportField, ImportMode, ImportPreview } from '../../../lib/types';
import { previewImport, startImport } from '../api/imports-api';
import { useImportProgress } from '../hooks/use-import-progress';
import { ImportMappingTable } from './import-mapping-table';
import { ImportProgress } from './import-progress';
import { ImportReport } from './import-report';

const MODES: ImportMode[] = ['all_or_nothing', 'skip_bad_rows'];

/** Fields a single column may fill; phones may come from several columns. */
const SINGLE_FIELDS: ImportField[] = ['name', 'company', 'email', 'channel', 'owner_email', 'stage', 'notes'];

function delimiterKey(d: string): string {
  switch (d) {
    case ',':
      return 'comma';
    case ';':
      return 'semicolon';
    case '\t':
      return 'tab';
    case '|':
      return 'pipe';
    default:
      return 'other';
  }
}

interface ImportWizardProps {
  /** Told when an import has finished and created clients. */
  onFinished?: (job: Import) => void;
}

/**
 * ImportWizard imports clients from a CSV file: pick the file, check what was
 * detected, map columns to fields, choose a mode, watch progress, read the report.
 */
export function ImportWizard({ onFinished }: ImportWizardProps) {
  const { t, i18n } = useTranslation();
  const fileInputId = useId();
  const fileInput = useRef<HTMLInputElement>(null);
  const [file, setFile] = useState<File | null>(null);
  const [preview, setPreview] = useState<ImportPreview | null>(null);
  const [mapping, setMapping] = useState<Record<string, ImportField>>({});
  const [mode, setMode] = useState<ImportMode>('all_or_nothing');
  const [previewing, setPreviewing] = useState(false);
  const [starting, setStarting] = useState(false);
  const [error, setError] = useState<unknown>(null);
  const [mappingError, setMappingError] = useState<string | null>(null);
  const [started, setStarted] = useState<Import | null>(null);
  const { current: job, error: pollError } = useImportProgress(started);
  const finishedRef = useRef<number | null>(null);

  if (job && job.status !== 'running' && finishedRef.current !== job.id) {
    finishedRef.current = job.id;
    queueMicrotask(() => onFinished?.(job));
  }

  const choose = async (f: File | null) => {
    setFile(f);
    setPreview(null);
    setError(null);
    setMappingError(null);
    setStarted(null);
    if (!f) return;
    setPreviewing(true);
    try {
      const p = await previewImport(f);
      setPreview(p);
      const initial: Record<string, ImportField> = {};
      for (const h of p.headers) initial[h] = p.suggested_mapping?.[h] ?? '';
      setMapping(initial);
    } catch (err) {
      setError(err);
    } finally {
      setPreviewing(false);
    }
  };

  const validateMapping = (): string | null => {
    const used = Object.values(mapping).filter(Boolean);
    if (used.length === 0) return t('imports.mapping.nothingMapped');
    for (const f of SINGLE_FIELDS) {
      if (used.filter((u) => u === f).length > 1) return t('imports.mapping.duplicate', { field: t(`imports.fields.${f}`) });
    }
    return null;
  };

  const start = async () => {
    if (!file) return;
    const problem = validateMapping();
    setMappingError(problem);
    if (problem) return;
    setStarting(true);
    setError(null);
    try {
      const cleaned: Record<string, ImportField> = {};
      for (const [h, f] of Object.entries(mapping)) cleaned[h] = f;
      setStarted(await startImport(file, cleaned, mode));
      window.requestAnimationFrame(() => {
        document.getElementById('import-step-result')?.scrollIntoView?.({ behavior: 'smooth', block: 'start' });
      });
    } catch (err) {
      setError(err);
    } finally {
      setStarting(false);
    }
  };

  const reset = () => {
    setFile(null);
    setPreview(null);
    setStarted(null);
    setError(null);
    setMappingError(null);
    if (fileInput.current) fileInput.current.value = '';
  };

  const running = job?.status === 'running';
  const finished = job !== null && job.status !== 'running';
  const nameMapped = Object.values(mapping).includes('name');

  return (
    <div className="import-wizard">
      <section className="panel" aria-labelledby="import-step-file">
        <h2 id="import-step-file" className="panel__title">
          <span className="step">1</span> {t('imports.steps.file')}
        </h2>
        <div className="field">
          <label htmlFor={fileInputId} className="field__label">
            {t('imports.file')}
          </label>
          <div className="file-picker">
            <input
              ref={fileInput}
              id={fileInputId}
              type="file"
              accept=".csv,.txt,text/csv,text/plain"
              className="file-picker__input"
              disabled={running || starting}
              onChange={(e) => void choose(e.target.files?.[0] ?? null)}
              aria-describedby={`${fileInputId}-hint`}
            />
            <span className="btn btn--secondary btn--small file-picker__button" aria-hidden="true">
              {file ? t('imports.chooseOther') : t('imports.choose')}
            </span>
            <span className={file ? 'file-picker__name file-picker__name--chosen' : 'file-picker__name'} aria-hidden="true">
              {file ? file.name : t('imports.noFile')}
            </span>
          </div>
          <p id={`${fileInputId}-hint`} className="field__hint">
            {t('imports.fileHint')}
          </p>
        </div>
        {previewing && <Loading label={t('imports.reading')} />}
        {!started && <ErrorAlert error={error} />}
      </section>

      {preview && (
        <>
          <section className="panel" aria-labelledby="import-step-preview">
            <h2 id="import-step-preview" className="panel__title">
              <span className="step">2</span> {t('imports.steps.preview')}
            </h2>
            <dl className="inline-facts">
              <div>
                <dt>{t('imports.detected.file')}</dt>
                <dd>{file?.name}</dd>
              </div>
              <div>
                <dt>{t('imports.detected.encoding')}</dt>
                <dd>{preview.encoding}</dd>
              </div>
              <div>
                <dt>{t('imports.detected.delimiter')}</dt>
                <dd>{t(`imports.delimiters.${delimiterKey(preview.delimiter)}`, { d: preview.delimiter })}</dd>
              </div>
            </dl>
            <div className="table-wrap">
              <table className="table preview-table" aria-label={t('imports.firstRows')}>
                <caption className="table-caption">{t('imports.firstRows')}</caption>
                <thead>
                  <tr>
                    {preview.headers.map((h, i) => (
                      <th key={`${h}-${i}`} scope="col">
                        {h}
                      </th>
                    ))}
                  </tr>
                </thead>
                <tbody>
                  {preview.rows.map((row, r) => (
                    <tr key={r}>
                      {preview.headers.map((_, c) => (
                        <td key={c} className="truncate">
                          {row[c] ?? ''}
                        </td>
                      ))}
                    </tr>
                  ))}
                </tbody>
              </table>
            </div>
          </section>

          <section className="panel" aria-labelledby="import-mapping-title">
            <h2 id="import-mapping-title" className="panel__title">
              <span className="step">3</span> {t('imports.steps.mapping')}
            </h2>
            <p className="muted">{t('imports.mapping.help')}</p>
            <ImportMappingTable
              preview={preview}
              mapping={mapping}
              onChange={(h, f) => {
                setMapping((m) => ({ ...m, [h]: f }));
                setMappingError(null);
              }}
            />
            {!nameMapped && <p className="alert alert--warning">{t('imports.mapping.noName')}</p>}
            {mappingError && (
              <p className="alert alert--error" role="alert">
                {mappingError}
              </p>
            )}
          </section>

          <section className="panel" aria-labelledby="import-step-mode">
            <h2 id="import-step-mode" className="panel__title">
              <span className="step">4</span> {t('imports.steps.mode')}
            </h2>
            <fieldset className="radio-group" disabled={running || starting || finished}>
              <legend className="radio-group__legend">{t('imports.mode.legend')}</legend>
              {MODES.map((m) => (
                <div key={m} className="radio">
                  <input
                    type="radio"
                    id={`import-mode-${m}`}
                    name="import-mode"
                    value={m}
                    checked={mode === m}
                    onChange={() => setMode(m)}
                    aria-describedby={`import-mode-${m}-hint`}
                  />
                  <div>
                    <label htmlFor={`import-mode-${m}`} className="radio__label">
                      {t(`imports.mode.${m}`)}
                    </label>
                    <p id={`import-mode-${m}-hint`} className="radio__hint muted small">
                      {t(`imports.mode.${m}Hint`)}
                    </p>
                  </div>
                </div>
              ))}
            </fieldset>
            <div className="form-actions">
              {!finished && (
                <button type="button" className="btn btn--primary" onClick={() => void start()} disabled={starting || running}>
                  {starting || running ? t('imports.importing') : t('imports.start')}
                </button>
              )}
              {finished && (
                <button type="button" className="btn btn--secondary" onClick={reset}>
                  {t('imports.another')}
                </button>
              )}
            </div>
            {started && <ErrorAlert error={error} />}
          </section>
        </>
      )}

      {job && (
        <section className="panel" aria-labelledby="import-step-result" lang={i18n.language}>
          <h2 id="import-step-result" className="panel__title">
            <span className="step">5</span> {t('imports.steps.result')}
          </h2>
          <ImportProgress job={job} />
          {pollError ? <ErrorAlert error={pollError} title={t('imports.pollFailed')} /> : null}
          {finished && <ImportReport job={job} />}
        </section>
      )}
    </div>
  );
}
