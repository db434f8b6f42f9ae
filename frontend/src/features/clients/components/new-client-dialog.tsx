import { useTranslation } from 'react-i18next';
import { Dialog } from '../../../components/ui/dialog';
import type { Channel, Client, Stage, User, UserID } from '../../../lib/types';
import { createClient } from '../api/clients-api';
import { ClientForm } from './client-form';

interface NewClientDialogProps {
  open: boolean;
  onClose: () => void;
  onCreated: (client: Client) => void;
  stages: Stage[];
  users: User[];
  channels: Channel[];
  currentUserId: UserID;
}

/** NewClientDialog adds a client by hand. */
export function NewClientDialog({ open, onClose, onCreated, stages, users, channels, currentUserId }: NewClientDialogProps) {
  const { t } = useTranslation();
  return (
    <Dialog open={open} onClose={onClose} title={t('clients.newTitle')} size="large">
      <ClientForm
        stages={stages}
        users={users}
        channels={channels}
        defaultOwnerId={currentUserId}
        submitLabel={t('clients.create')}
        onCancel={onClose}
        onSubmit={async (input) => {
          const client = await createClient(input);
          onCreated(client);
        }}
      />
    </Dialog>
  );
}
