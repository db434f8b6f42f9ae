import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import { DataTable } from '../../../components/ui/data-table';
import { Dialog } from '../../../components/ui/dialog';
import { ErrorAlert } from '../../../components/ui/error-alert';
import { useToast } from '../../../components/ui/toast';
import { ROLES, type Role, type User, type UserID } from '../../../lib/types';
import { useRowAction } from '../../../lib/use-row-action';
import { deactivateUser, updateUser } from '../api/users-api';
import { NewUserForm } from './new-user-form';

interface UsersSettingsProps {
  users: User[];
  currentUserId: UserID;
  onChange: (users: User[]) => void;
}

/** UsersSettings lists the organisation's users; an admin adds them, changes roles and turns them off or on. */
export function UsersSettings({ users, currentUserId, onChange }: UsersSettingsProps) {
  const { t } = useTranslation();
  const toast = useToast();
  const [adding, setAdding] = useState(false);
  const [confirming, setConfirming] = useState<User | null>(null);
  const { busy, error, act } = useRowAction<UserID>();

  const replace = (u: User) => onChange(users.map((x) => (x.id === u.id ? u : x)));

  const changeRole = (user: User, role: Role) =>
    act(user.id, async () => {
      replace(await updateUser(user.id, { role }));
      toast.show(t('settings.users.roleChanged', { name: user.name, role: t(`roles.${role}`) }), 'success');
    });

  const setActive = async (user: User, active: boolean) => {
    await act(user.id, async () => {
      if (active) {
        replace(await updateUser(user.id, { active: true }));
      } else {
        await deactivateUser(user.id);
        replace({ ...user, active: false });
      }
      toast.show(t(active ? 'settings.users.activated' : 'settings.users.deactivated', { name: user.name }), 'success');
    });
    setConfirming(null);
  };

  return (
    <div className="users-settings">
      <div className="toolbar">
        <p className="muted toolbar__text">{t('settings.users.help')}</p>
        <button type="button" className="btn btn--primary" onClick={() => setAdding(true)}>
          {t('settings.users.add')}
        </button>
      </div>
      <ErrorAlert error={error} />
      <DataTable
        aria-label={t('settings.users.title')}
        columns={[t('settings.users.name'), t('settings.users.email'), t('settings.users.role'), t('settings.users.status')]}
        actions
      >
        {users.map((u) => {
          const self = u.id === currentUserId;
          const selectId = `user-role-${u.id}`;
          return (
            <tr key={u.id} className={u.active ? '' : 'row--inactive'}>
              <th scope="row">
                {u.name}
                {self && <span className="muted small"> · {t('settings.users.you')}</span>}
              </th>
              <td>{u.email}</td>
              <td>
                <label htmlFor={selectId} className="visually-hidden">
                  {t('settings.users.roleOf', { name: u.name })}
                </label>
                <select
                  id={selectId}
                  className="input select select--compact"
                  value={u.role}
                  disabled={self || busy === u.id || !u.active}
                  onChange={(e) => void changeRole(u, e.target.value as Role)}
                >
                  {ROLES.map((r) => (
                    <option key={r} value={r}>
                      {t(`roles.${r}`)}
                    </option>
                  ))}
                </select>
              </td>
              <td>
                <span className={u.active ? 'status status--on' : 'status status--off'}>
                  {u.active ? t('settings.users.active') : t('settings.users.inactive')}
                </span>
              </td>
              <td className="row-actions">
                {!self &&
                  (u.active ? (
                    <button
                      type="button"
                      className="btn btn--danger-ghost btn--small"
                      onClick={() => setConfirming(u)}
                      disabled={busy === u.id}
                      aria-label={t('settings.users.deactivateNamed', { name: u.name })}
                    >
                      {t('settings.users.deactivate')}
                    </button>
                  ) : (
                    <button
                      type="button"
                      className="btn btn--ghost btn--small"
                      onClick={() => void setActive(u, true)}
                      disabled={busy === u.id}
                      aria-label={t('settings.users.activateNamed', { name: u.name })}
                    >
                      {t('settings.users.activate')}
                    </button>
                  ))}
              </td>
            </tr>
          );
        })}
      </DataTable>

      <Dialog open={adding} onClose={() => setAdding(false)} title={t('settings.users.newTitle')}>
        <NewUserForm
          onCancel={() => setAdding(false)}
          onCreated={(u) => {
            onChange([...users, u]);
            setAdding(false);
            toast.show(t('settings.users.created', { name: u.name }), 'success');
          }}
        />
      </Dialog>

      <Dialog
        open={confirming !== null}
        onClose={() => setConfirming(null)}
        title={t('settings.users.deactivateTitle', { name: confirming?.name ?? '' })}
        size="small"
        footer={
          <>
            <button type="button" className="btn btn--secondary" onClick={() => setConfirming(null)}>
              {t('common.cancel')}
            </button>
            <button
              type="button"
              className="btn btn--danger"
              onClick={() => confirming && void setActive(confirming, false)}
              disabled={busy !== null}
            >
              {t('settings.users.deactivate')}
            </button>
          </>
        }
      >
        <p>{t('settings.users.deactivateQuestion', { name: confirming?.name ?? '' })}</p>
      </Dialog>
    </div>
  );
}
