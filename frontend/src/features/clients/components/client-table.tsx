import { useTranslation } from 'react-i18next';
import { Link } from 'react-router';
import { CoolingBadge } from '../../../components/ui/cooling-badge';
import { formatDateTimeShort, formatPhone } from '../../../lib/format';
import type { Client, ClientSort, SortOrder, Stage, User } from '../../../lib/types';

interface Column {
  key: string;
  sort?: ClientSort;
  /** The order a first click on the column asks for. */
  firstOrder?: SortOrder;
  className?: string;
}

const COLUMNS: Column[] = [
  { key: 'name', sort: 'name', firstOrder: 'asc' },
  { key: 'company', sort: 'company', firstOrder: 'asc' },
  { key: 'phone' },
  { key: 'stage' },
  { key: 'owner' },
  { key: 'cooling', sort: 'cools_at', firstOrder: 'asc' },
  { key: 'contacts', sort: 'contacts', firstOrder: 'desc', className: 'num' },
  { key: 'lastContact', sort: 'last_contact_at', firstOrder: 'desc' },
  { key: 'created', sort: 'created_at', firstOrder: 'desc' },
];

interface ClientTableProps {
  clients: Client[];
  stages: Stage[];
  users: User[];
  sort: ClientSort;
  order: SortOrder;
  onSort: (sort: ClientSort, order: SortOrder) => void;
  busy?: boolean;
}

/** ClientTable lists clients with sortable column headers; the name opens the client card. */
export function ClientTable({ clients, stages, users, sort, order, onSort, busy }: ClientTableProps) {
  const { t, i18n } = useTranslation();
  const stageName = new Map(stages.map((s) => [s.id, s.name]));
  const userName = new Map(users.map((u) => [u.id, u.name]));

  return (
    <div className="table-wrap">
      <table className="table client-table" aria-busy={busy || undefined} aria-label={t('clients.tableLabel')}>
        <thead>
          <tr>
            {COLUMNS.map((col) => {
              const active = col.sort !== undefined && col.sort === sort;
              const ariaSort = active ? (order === 'asc' ? 'ascending' : 'descending') : undefined;
              return (
                <th key={col.key} scope="col" aria-sort={ariaSort} className={col.className}>
                  {col.sort ? (
                    <button
                      type="button"
                      className="th-sort"
                      onClick={() => {
                        const s = col.sort as ClientSort;
                        if (active) onSort(s, order === 'asc' ? 'desc' : 'asc');
                        else onSort(s, col.firstOrder ?? 'asc');
                      }}
                    >
                      {t(`clients.columns.${col.key}`)}
                      <span className="th-sort__icon" aria-hidden="true">
                        {active ? (order === 'asc' ? '▲' : '▼') : '↕'}
                      </span>
                    </button>
                  ) : (
                    t(`clients.columns.${col.key}`)
                  )}
                </th>
              );
            })}
          </tr>
        </thead>
        <tbody>
          {clients.map((c) => (
            <tr key={c.id}>
              <td>
                <Link to={`/clients/${c.id}`} className="client-table__name">
                  {c.name}
                </Link>
              </td>
              <td>{c.company}</td>
              <td className="nowrap">{c.phones[0] ? formatPhone(c.phones[0]) : ''}</td>
              <td>{stageName.get(c.stage_id) ?? ''}</td>
              <td>
                {c.owner_id ? (
                  (userName.get(c.owner_id) ?? '')
                ) : (
                  <span className="muted" title={t('clients.noOwner')}>
                    <span aria-hidden="true">—</span>
                    <span className="visually-hidden">{t('clients.noOwner')}</span>
                  </span>
                )}
              </td>
              <td>
                {c.cooling_state !== 'none' && <CoolingBadge state={c.cooling_state} showAll />}
              </td>
              <td className="num">{c.contacts}</td>
              <td className="nowrap">{formatDateTimeShort(c.last_contact_at, i18n.language)}</td>
              <td className="nowrap">{formatDateTimeShort(c.created_at, i18n.language)}</td>
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}
