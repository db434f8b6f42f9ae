import { useCallback, useEffect, useRef, useState, type FormEvent } from 'react';
import { useTranslation } from 'react-i18next';
import { ErrorAlert } from '../../../components/ui/error-alert';
import { fromLocalInput } from '../../../lib/local-datetime';
import type { CallID, ClientID } from '../../../lib/types';
import { setCallOutcome, setNextAction, type AfterCallOutcome } from '../api/rules-api';
import '../rules.css';

/** Choice is what the agent answers: an outcome, or a next action date (the client stays in its stage). */
type Choice = Exclude<AfterCallOutcome, 'stage'> | 'next';

/** CHOICES in the form's order, each with its one key. */
const CHOICES: readonly { choice: Choice; key: string; code: string }[] = [
  { choice: 'rejected', key: '1', code: 'Digit1' },
  { choice: 'keep', key: '2', code: 'Digit2' },
  { choice: 'advance', key: '3', code: 'Digit3' },
  { choice: 'next', key: 'N', code: 'KeyN' },
];

/** isEditable tells a field that types by itself from the rest of the page. */
function isEditable(el: EventTarget | null): boolean {
  if (!(el instanceof HTMLElement)) return false;
  return el.isContentEditable || el.tagName === 'INPUT' || el.tagName === 'TEXTAREA' || el.tagName === 'SELECT';
}

export interface AfterCallFormProps {
  callId: CallID;
  clientId: ClientID;
  clientName: string;
  /** With the objective funnel on, a first contact ends in "rejected" unless the agent says otherwise. */
  objective: boolean;
  /** Seconds left before the server applies the default by itself. */
  secondsLeft: number;
  onDone: () => void;
}

/**
 * AfterCallForm is the quick form after a call with a new client ends:
 * one keystroke per outcome — 1 rejected, 2 keep in stage, 3 advance, N a
 * next action date — and Enter takes the default (rejected with the
 * objective funnel on, else keep). Keys work from anywhere on the page but
 * another field; they do not reach the dial pad meanwhile.
 */
export function AfterCallForm({ callId, clientId, clientName, objective, secondsLeft, onDone }: AfterCallFormProps) {
  const { t } = useTranslation();
  const fallback: Choice = objective ? 'rejected' : 'keep';
  const [next, setNext] = useState(false);
  const [when, setWhen] = useState('');
  const [pending, setPending] = useState(false);
  const [error, setError] = useState<unknown>(null);
  const [invalid, setInvalid] = useState(false);
  const boxRef = useRef<HTMLElement>(null);

  const answer = useCallback(
    async (choice: Choice, at?: string) => {
      setPending(true);
      setError(null);
      try {
        if (choice === 'next') {
          await setCallOutcome(callId, 'keep');
          await setNextAction(clientId, at ?? null);
        } else {
          await setCallOutcome(callId, choice);
        }
        onDone();
      } catch (err) {
        setError(err);
        setPending(false);
      }
    },
    [callId, clientId, onDone],
  );

  const choose = useCallback(
    (choice: Choice) => {
      if (pending) return;
      if (choice === 'next') setNext(true);
      else void answer(choice);
    },
    [answer, pending],
  );

  // One key per outcome, from anywhere but another field (capture: before the dial pad hears it).
  const chooseRef = useRef(choose);
  chooseRef.current = choose;
  const nextRef = useRef(next);
  nextRef.current = next;
  const fallbackRef = useRef(fallback);
  fallbackRef.current = fallback;
  useEffect(() => {
    const onKey = (e: KeyboardEvent) => {
      if (e.ctrlKey || e.metaKey || e.altKey || nextRef.current) return;
      const own = boxRef.current?.contains(e.target as Node) ?? false;
      if (!own && isEditable(e.target)) return;
      const hit = CHOICES.find((c) => c.code === e.code);
      if (hit) {
        e.preventDefault();
        e.stopPropagation();
        chooseRef.current(hit.choice);
      } else if (e.key === 'Enter' && (own || !(e.target instanceof HTMLButtonElement))) {
        e.preventDefault();
        e.stopPropagation();
        chooseRef.current(fallbackRef.current);
      }
    };
    window.addEventListener('keydown', onKey, true);
    return () => window.removeEventListener('keydown', onKey, true);
  }, []);

  useEffect(() => {
    boxRef.current?.focus();
  }, []);

  const submitNext = (e: FormEvent) => {
    e.preventDefault();
    const at = fromLocalInput(when);
    setInvalid(at === null);
    if (at !== null) void answer('next', at);
  };

  return (
    <section className="after-call" ref={boxRef} tabIndex={-1} aria-label={t('rulesEngine.afterCall.title')} data-testid="after-call-form">
      <p className="after-call__title">{t('rulesEngine.afterCall.question', { name: clientName })}</p>
      <div className="after-call__options" role="group" aria-label={t('rulesEngine.afterCall.outcomes')}>
        {CHOICES.map(({ choice, key }) => (
          <button
            key={choice}
            type="button"
            className={`btn btn--small ${choice === fallback ? 'btn--primary after-call__option--default' : 'btn--secondary'}`}
            disabled={pending}
            aria-keyshortcuts={key}
            onClick={() => choose(choice)}
          >
            <kbd className="after-call__key">{key}</kbd>
            {t(`rulesEngine.afterCall.choice.${choice}`)}
          </button>
        ))}
      </div>
      {next ? (
        <form className="next-action-form" onSubmit={submitNext} noValidate>
          <label className="field__label" htmlFor={`after-call-next-${callId}`}>
            {t('rulesEngine.nextAction.label')}
          </label>
          <div className="next-action-form__row">
            <input
              id={`after-call-next-${callId}`}
              className="input"
              type="datetime-local"
              value={when}
              autoFocus
              aria-invalid={invalid || undefined}
              onChange={(e) => setWhen(e.target.value)}
            />
            <button type="submit" className="btn btn--primary btn--small" disabled={pending}>
              {t('common.save')}
            </button>
          </div>
          {invalid && (
            <p className="field__error" role="alert">
              {t('rulesEngine.nextAction.invalid')}
            </p>
          )}
        </form>
      ) : (
        <p className="muted small" role="timer" aria-live="off">
          {objective
            ? t('rulesEngine.afterCall.defaultIn', { seconds: Math.max(0, Math.ceil(secondsLeft)) })
            : t('rulesEngine.afterCall.enterKeeps')}
        </p>
      )}
      <ErrorAlert error={error} />
    </section>
  );
}
