import { useEffect, useRef, useState } from 'react';
import type { PhoneCall } from '../../../lib/phone-client';
import { useResource } from '../../../lib/use-resource';
import { fetchClient } from '../../clients/api/clients-api';
import { fetchRuleSettings } from '../api/rules-api';
import { AfterCallForm } from './after-call-form';

interface Waiting {
  callId: number;
  clientId: number;
  clientName: string;
  /** When the form stops waiting (Date.now()): the server applies the default then. */
  until: number;
}

/**
 * AfterCallPrompt watches the softphone's calls and, when a call with a new
 * client (no contact before it) ends after a real contact, asks for the
 * outcome with the AfterCallForm until the wrap-up time is up.
 */
export function AfterCallPrompt({ calls }: { calls: readonly PhoneCall[] }) {
  const settings = useResource((signal) => fetchRuleSettings(signal), []);
  const newClient = useRef(new Map<number, Promise<boolean>>());
  const handled = useRef(new Set<number>());
  const [waiting, setWaiting] = useState<Waiting[]>([]);
  const [now, setNow] = useState(() => Date.now());
  const s = settings.data;

  // Whether the client is new is read when the call is answered, before this call counts.
  useEffect(() => {
    for (const c of calls) {
      if (c.client_id === null || c.state !== 'active' || newClient.current.has(c.id)) continue;
      newClient.current.set(
        c.id,
        fetchClient(c.client_id).then(
          (cl) => cl.contacts === 0,
          () => false,
        ),
      );
    }
    if (!s) return;
    for (const c of calls) {
      if (c.state !== 'ended' || handled.current.has(c.id)) continue;
      const isNew = newClient.current.get(c.id);
      if (!isNew || c.client_id === null || !c.answered_at) continue;
      handled.current.add(c.id);
      const talkedMs = Date.now() - Date.parse(c.answered_at);
      if (talkedMs < s.contact_min_seconds * 1000) continue; // an attempt, not a contact: nothing to decide
      const entry: Waiting = { callId: c.id, clientId: c.client_id, clientName: c.client_name, until: Date.now() + s.wrap_up_seconds * 1000 };
      void isNew.then((yes) => {
        if (yes) setWaiting((old) => [...old.filter((w) => w.callId !== entry.callId), entry]);
      });
    }
  }, [calls, s]);

  // A new live call ends the wait: the form is for between calls.
  const busy = calls.some((c) => c.state !== 'ended');
  const current = busy ? undefined : waiting.find((w) => w.until > now);
  useEffect(() => {
    if (waiting.length === 0) return;
    const id = window.setInterval(() => {
      const t = Date.now();
      setNow(t);
      setWaiting((old) => (old.some((w) => w.until <= t) ? old.filter((w) => w.until > t) : old));
    }, 1000);
    return () => window.clearInterval(id);
  }, [waiting.length]);

  if (!s || !current) return null;
  return (
    <AfterCallForm
      key={current.callId}
      callId={current.callId}
      clientId={current.clientId}
      clientName={current.clientName}
      objective={s.objective_funnel}
      secondsLeft={(current.until - now) / 1000}
      onDone={() => setWaiting((old) => old.filter((w) => w.callId !== current.callId))}
    />
  );
}
