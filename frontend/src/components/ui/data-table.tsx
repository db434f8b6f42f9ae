import type { ReactNode } from 'react';
import { useTranslation } from 'react-i18next';
import { ErrorAlert } from './error-alert';
import { Loading } from './loading';

/** A column's heading; an object when the heading needs a class (say "num"). */
export type Column = ReactNode | { label: ReactNode; className?: string };

interface DataTableProps {
  columns: readonly Column[];
  /** Ends each row with an actions cell, headed "Actions" for screen readers only. */
  actions?: boolean;
  /** Classes beside "table". */
  className?: string;
  /** Classes beside "table-wrap". */
  wrapClassName?: string;
  'aria-label'?: string;
  'aria-labelledby'?: string;
  'aria-busy'?: boolean;
  /** The rows. */
  children: ReactNode;
}

function isLabelled(c: Column): c is { label: ReactNode; className?: string } {
  return typeof c === 'object' && c !== null && 'label' in c;
}

/** DataTable is a list shown as a table: the headings, the rows, and a scroll box around them. */
export function DataTable({ columns, actions, className, wrapClassName, children, ...aria }: DataTableProps) {
  const { t } = useTranslation();
  return (
    <div className={wrapClassName ? `table-wrap ${wrapClassName}` : 'table-wrap'}>
      <table className={className ? `table ${className}` : 'table'} {...aria}>
        <thead>
          <tr>
            {columns.map((c, i) =>
              isLabelled(c) ? (
                <th key={i} scope="col" className={c.className}>
                  {c.label}
                </th>
              ) : (
                <th key={i} scope="col">
                  {c}
                </th>
              ),
            )}
            {actions && (
              <th scope="col">
                <span className="visually-hidden">{t('common.actions')}</span>
              </th>
            )}
          </tr>
        </thead>
        <tbody>{children}</tbody>
      </table>
    </div>
  );
}

interface RowActionsProps {
  onEdit?: () => void;
  onDelete?: () => void;
  /** Names the row for screen readers ("Edit Анна"); the buttons read "Edit"/"Delete" alone without it. */
  editLabel?: string;
  deleteLabel?: string;
  /** Turns delete off while the row is busy. */
  deleteDisabled?: boolean;
  /** The row's other actions, before edit and delete. */
  children?: ReactNode;
}

/** RowActions is a row's last cell: its own actions, then edit and delete. */
export function RowActions({ onEdit, onDelete, editLabel, deleteLabel, deleteDisabled, children }: RowActionsProps) {
  const { t } = useTranslation();
  return (
    <td className="row-actions">
      {children}
      {onEdit && (
        <button type="button" className="btn btn--ghost btn--small" onClick={onEdit} aria-label={editLabel}>
          {t('common.edit')}
        </button>
      )}
      {onDelete && (
        <button type="button" className="btn btn--danger-ghost btn--small" onClick={onDelete} disabled={deleteDisabled} aria-label={deleteLabel}>
          {t('common.delete')}
        </button>
      )}
    </td>
  );
}

interface ListStateProps {
  /** The list; null or undefined until it has come. */
  items: readonly unknown[] | null | undefined;
  /** Why the list did not come (shown only while there is none). */
  error?: unknown;
  /** Said when the list is empty; nothing is shown when not given. */
  empty?: ReactNode;
  /** The list itself, shown when it has items. */
  children: ReactNode;
}

/** ListState shows a list, or what it is instead: on its way, failed, or empty. */
export function ListState({ items, error, empty, children }: ListStateProps) {
  if (!items) return error ? <ErrorAlert error={error} /> : <Loading />;
  if (items.length === 0) return empty ? <p className="muted">{empty}</p> : null;
  return <>{children}</>;
}
