import { useTranslation } from 'react-i18next';
import { IMPORT_FIELDS, type ImportField, type ImportPreview } from '../../../lib/types';

interface ImportMappingTableProps {
  preview: ImportPreview;
  mapping: Record<string, ImportField>;
  onChange: (header: string, field: ImportField) => void;
}

/** ImportMappingTable lets the user say which client field each CSV column fills, or to ignore it. */
export function ImportMappingTable({ preview, mapping, onChange }: ImportMappingTableProps) {
  const { t } = useTranslation();
  return (
    <div className="table-wrap">
      <table className="table mapping-table" aria-labelledby="import-mapping-title">
        <thead>
          <tr>
            <th scope="col">{t('imports.mapping.column')}</th>
            <th scope="col">{t('imports.mapping.sample')}</th>
            <th scope="col">{t('imports.mapping.field')}</th>
          </tr>
        </thead>
        <tbody>
          {preview.headers.map((header, i) => {
            const selectId = `import-map-${i}`;
            const sample = preview.rows.map((r) => r[i] ?? '').find((v) => v.trim() !== '') ?? '';
            return (
              <tr key={`${header}-${i}`}>
                <th scope="row">
                  <label htmlFor={selectId}>{header || t('imports.mapping.unnamed', { n: i + 1 })}</label>
                </th>
                <td className="muted truncate" title={sample}>
                  {sample}
                </td>
                <td>
                  <select
                    id={selectId}
                    className="input select"
                    value={mapping[header] ?? ''}
                    onChange={(e) => onChange(header, e.target.value as ImportField)}
                  >
                    <option value="">{t('imports.fields.ignore')}</option>
                    {IMPORT_FIELDS.map((f) => (
                      <option key={f} value={f}>
                        {t(`imports.fields.${f}`)}
                      </option>
                    ))}
                  </select>
                </td>
              </tr>
            );
          })}
        </tbody>
      </table>
    </div>
  );
}
