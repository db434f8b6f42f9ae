import { useTranslation } from 'react-i18next';
import { NavLink, Navigate, useParams } from 'react-router';
import { ErrorAlert } from '../components/ui/error-alert';
import { ForbiddenPage } from '../components/ui/forbidden-notice';
import { Loading } from '../components/ui/loading';
import { IntegrationsSettings } from '../features/integrations/components/integrations-settings';
import { RulesSettings } from '../features/rules/components/rules-settings';
import { OrganisationSettings } from '../features/organisation/components/organisation-settings';
import { StagesReadOnlyList } from '../features/stages/components/stages-read-only-list';
import { StagesSettings } from '../features/stages/components/stages-settings';
import { useStages } from '../features/stages/hooks/use-stages';
import { PhoneSettings } from '../features/trunks/components/phone-settings';
import { UsersSettings } from '../features/users/components/users-settings';
import { useUsers } from '../features/users/hooks/use-users';
import { canAct } from '../lib/types';
import { useDocumentTitle } from '../lib/use-document-title';
import { useCurrentUser, useSession } from '../stores/session-store';

const TABS = ['stages', 'rules', 'users', 'organisation', 'phone', 'integrations'] as const;
type Tab = (typeof TABS)[number];

export function SettingsPage() {
  const { t } = useTranslation();
  const { tab } = useParams();
  const me = useCurrentUser();
  const admin = canAct(me.role, 'admin');
  useDocumentTitle(t('settings.title'));

  // The phone and integrations tabs' names live with their features' texts.
  const tabTitle = (name: Tab) =>
    name === 'rules' ? t('rulesEngine.settingsTab') : name === 'phone' ? t('phone.settingsTab') : name === 'integrations' ? t('integrations.settingsTab') : t(`settings.tabs.${name}`);

  if (!tab) return <Navigate to="/settings/stages" replace />;
  if (!(TABS as readonly string[]).includes(tab)) return <Navigate to="/settings/stages" replace />;

  if (!admin) {
    return (
      <ForbiddenPage title={t('settings.title')} needed="admin">
        <h2 className="section-title">{t('settings.stages.title')}</h2>
        <ReadOnlyStages />
      </ForbiddenPage>
    );
  }

  return (
    <div className="page">
      <div className="page__header">
        <h1 className="page__title">{t('settings.title')}</h1>
      </div>
      <nav className="tabs" aria-label={t('settings.sections')}>
        {TABS.map((name) => (
          <NavLink key={name} to={`/settings/${name}`} className={({ isActive }) => (isActive ? 'tab tab--active' : 'tab')}>
            {tabTitle(name)}
          </NavLink>
        ))}
      </nav>
      <section className="tab-panel" aria-label={tabTitle(tab as Tab)}>
        <SettingsTab tab={tab as Tab} />
      </section>
    </div>
  );
}

function ReadOnlyStages() {
  const stages = useStages({ liveCounts: true });
  if (stages.error) return <ErrorAlert error={stages.error} />;
  if (!stages.data) return <Loading />;
  return <StagesReadOnlyList stages={stages.data} />;
}

function SettingsTab({ tab }: { tab: Tab }) {
  switch (tab) {
    case 'stages':
      return <StagesTab />;
    case 'users':
      return <UsersTab />;
    case 'organisation':
      return <OrganisationTab />;
    case 'phone':
      return <PhoneTab />;
    case 'rules':
      return <RulesTab />;
    case 'integrations':
      return <IntegrationsSettings />;
  }
}

function StagesTab() {
  const stages = useStages({ liveCounts: true });
  if (stages.error && !stages.data) return <ErrorAlert error={stages.error} />;
  if (!stages.data) return <Loading />;
  return <StagesSettings stages={stages.data} onChange={stages.setData} reload={stages.reload} />;
}

// Rules engine (issue 5): stage rules, the objective funnel and the working calendar.
function RulesTab() {
  const stages = useStages({ liveCounts: false });
  const users = useUsers();
  if (stages.error && !stages.data) return <ErrorAlert error={stages.error} />;
  if (!stages.data) return <Loading />;
  return (
    <RulesSettings
      stages={stages.data}
      users={users.data ?? []}
      onStageSaved={(saved) => stages.setData((old) => (old ?? []).map((s) => (s.id === saved.id ? { ...s, ...saved } : s)))}
    />
  );
}

function UsersTab() {
  const me = useCurrentUser();
  const users = useUsers();
  if (users.error && !users.data) return <ErrorAlert error={users.error} />;
  if (!users.data) return <Loading />;
  return <UsersSettings users={users.data} currentUserId={me.id} onChange={users.setData} />;
}

function OrganisationTab() {
  const { organisation, setOrganisation } = useSession();
  if (!organisation) return <Loading />;
  return <OrganisationSettings organisation={organisation} onSaved={setOrganisation} />;
}

function PhoneTab() {
  const { organisation, setOrganisation } = useSession();
  if (!organisation) return <Loading />;
  return <PhoneSettings organisation={organisation} onOrganisationSaved={setOrganisation} />;
}
