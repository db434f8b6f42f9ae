import { useResource } from '../../../lib/use-resource';
import { fetchUsers } from '../api/users-api';

/** useUsers loads the users of the organisation. */
export function useUsers() {
  return useResource((signal) => fetchUsers(signal), []);
}
