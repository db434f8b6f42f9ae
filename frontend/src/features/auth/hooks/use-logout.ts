import { useCallback, useState } from 'react';
import { useSession } from '../../../stores/session-store';
import { logout } from '../api/auth-api';

/** useLogout ends the session on the server, then forgets it here even if the server could not be reached. */
export function useLogout() {
  const { signOut } = useSession();
  const [pending, setPending] = useState(false);
  const run = useCallback(async () => {
    setPending(true);
    try {
      await logout();
    } catch {
      // the cookie may already be gone; the local session ends anyway
    } finally {
      setPending(false);
      signOut();
    }
  }, [signOut]);
  return { logout: run, pending };
}
