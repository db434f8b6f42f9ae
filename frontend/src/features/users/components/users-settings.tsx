import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import { Dialog } from '../../../components/ui/dialog';
import { ErrorAlert } from '../../../components/ui/error-alert';
import { useToast } from '../../../components/ui/toast';
import { ROLES, type Role, type User, type UserID } from '../../../lib/types';
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
  const [busy, setBusy] = useState<UserID | null>(null);
  const [error, setError] = useState<unknown>(null);

  const replace = (u: User) => onChange(users.map((x) => (x.id === u.id ? u : x)));

  const changeRole = async (user: User, role: Role) => {
    setBusy(user.id);
    setError(null);
    try {
      replace(await updateUser(user.id, { role }));
      toast.show(t('settings.users.roleChanged', { name: user.name, role: t(`roles.${role}`) }), 'success');
    } catch (err) {
      setError(err);
    } finally {
      setBusy(null);
    }
  };

  const setActive = async (user: User, active: boolean) => {
    setBusy(user.id);
    setError(null);
    try {
      if (active) {
        replace(await updateUser(user.id, { active: true }));
      } else {
        await deactivateUser(user.id);
        replace({ ...user, active: false });
      }
      toast.show(t(active ? 'settings.users.activated' : 'settings.users.deactivated', { name: user.name }), 'success');
    } catch (err) {
      setError(err);
    } finally {
      setBusy(null);
      setConfirming(null);
    }
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
      <div className="table-wrap">
        <table className="table" aria-label={t('settings.users.title')}>
          <thead>
            <tr>
              <th scope="col">{t('settings.users.name')}</th>
              <th scope="col">{t('settings.users.email')}</th>
              <th scope="col">{t('settings.users.role')}</th>
              <th scope="col">{t('settings.users.status')}</th>
              <th scope="col">
                <span className="visually-hidden">{t('common.actions')}</span>
              </th>
            </tr>
          </thead>
          <tbody>
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
          </tbody>
        </table>
      </div>

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
