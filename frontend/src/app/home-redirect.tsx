import { Navigate } from 'react-router';
import { useSession } from '../stores/session-store';

/** homePath is where a user lands: agents on their day, supervisors and admins on the client list. */
export function homePath(role: string | undefined): string {
  return role === 'agent' ? '/my-day' : '/clients';
}

/** HomeRedirect is the index page: it sends each user to their home. */
export function HomeRedirect() {
  const { user } = useSession();
  return <Navigate to={homePath(user?.role)} replace />;
}
