import { useResource } from '../../../lib/use-resource';
import { useLiveRefresh } from '../../../stores/realtime-store';
import { fetchUsers } from '../api/users-api';

/** useUsers loads the users of the organisation, and again when one is added or changed elsewhere. */
export function useUsers() {
  const users = useResource((signal) => fetchUsers(signal), []);
  useLiveRefresh(['user.created', 'user.updated'], users.refresh);
  return users;
}
