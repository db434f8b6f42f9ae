import { createBrowserRouter } from 'react-router';
import { BoardPage } from '../pages/board-page';
import { ClientPage } from '../pages/client-page';
import { ClientsPage } from '../pages/clients-page';
import { ImportPage } from '../pages/import-page';
// Plans (issue 5): supervisors set agents' plans and watch their pace.
import { PlansPage } from '../pages/plans-page';
import { LoginPage } from '../pages/login-page';
import { NotFoundPage } from '../pages/not-found-page';
// Rules engine (issue 5): the agent's day (their home) and the supervisors' work queues.
import { MyDayPage } from '../pages/my-day-page';
import { QueuesPage } from '../pages/queues-page';
import { HomeRedirect } from './home-redirect';
import { SettingsPage } from '../pages/settings-page';
import { SignUpPage } from '../pages/signup-page';
import { WallboardPage } from '../pages/wallboard-page';
import { AppLayout } from './app-layout';
import { PublicOnly, RequireAuth } from './route-guards';

/** routes lists every page of the SPA; the server answers index.html for all of them. */
export const routes = [
  {
    path: '/login',
    element: (
      <PublicOnly>
        <LoginPage />
      </PublicOnly>
    ),
  },
  {
    path: '/signup',
    element: (
      <PublicOnly>
        <SignUpPage />
      </PublicOnly>
    ),
  },
  {
    element: (
      <RequireAuth>
        <AppLayout />
      </RequireAuth>
    ),
    children: [
      { index: true, element: <HomeRedirect /> },
      { path: 'my-day', element: <MyDayPage /> },
      { path: 'queues', element: <QueuesPage /> },
      { path: 'clients', element: <ClientsPage /> },
      { path: 'clients/:id', element: <ClientPage /> },
      { path: 'board', element: <BoardPage /> },
      { path: 'wallboard', element: <WallboardPage /> },
      { path: 'plans', element: <PlansPage /> },
      { path: 'import', element: <ImportPage /> },
      { path: 'settings', element: <SettingsPage /> },
      { path: 'settings/:tab', element: <SettingsPage /> },
      { path: '*', element: <NotFoundPage /> },
    ],
  },
];

export function createRouter() {
  return createBrowserRouter(routes);
}
