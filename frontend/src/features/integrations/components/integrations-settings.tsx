import '../integrations.css';
import { EmailSettingsPanel } from './email-settings';
import { WebhooksSettings } from './webhooks-settings';

/** IntegrationsSettings is the admins' Integrations tab: webhooks and e-mail. */
export function IntegrationsSettings() {
  return (
    <div className="integrations-settings">
      <WebhooksSettings />
      <EmailSettingsPanel />
    </div>
  );
}
