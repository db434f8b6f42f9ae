import { useEffect, useId, useRef, useState, type FormEvent, type KeyboardEvent } from 'react';
import { useTranslation } from 'react-i18next';
import { errorDetail } from '../../../components/ui/error-alert';
import { useToast } from '../../../components/ui/toast';
import type { ChosenState } from '../../../lib/types';
import { useMyPresence } from '../hooks/use-my-presence';

const CHOICES: readonly ChosenState[] = ['available', 'away', 'offline'];
/** Common reasons to be away, offered in one click (i18n keys of presence.reasons). */
export const AWAY_REASONS = ['lunch', 'meeting', 'training'] as const;

/**
 * StateSwitcher shows the user's state in the header and lets them choose
 * available, away (with an optional reason) or offline. It is a select-only
 * combobox named "Status": its options are the three states; picking away
 * sets it at once and offers a reason next.
 */
export function StateSwitcher() {
  const { t } = useTranslation();
  const toast = useToast();
  const { presence, choose } = useMyPresence();
  const [open, setOpen] = useState<false | 'state' | 'reason'>(false);
  const [pending, setPending] = useState(false);
  const [custom, setCustom] = useState('');
  const rootRef = useRef<HTMLDivElement>(null);
  const buttonRef = useRef<HTMLButtonElement>(null);
  const listRef = useRef<HTMLUListElement>(null);
  const popupId = useId();
  const customId = useId();

  const state = presence?.state ?? null;
  const current: ChosenState | null = state === 'available' || state === 'away' || state === 'offline' ? state : null;
  const stateText = state ? t(`presence.states.${state}`) : t('presence.unknown');

  useEffect(() => {
    if (!open) return;
    const onPointerDown = (e: PointerEvent) => {
      if (!rootRef.current?.contains(e.target as Node)) setOpen(false);
    };
    document.addEventListener('pointerdown', onPointerDown);
    return () => document.removeEventListener('pointerdown', onPointerDown);
  }, [open]);

  useEffect(() => {
    if (open !== 'state') return;
    const options = optionNodes(listRef.current);
    const selected = options.find((o) => o.getAttribute('aria-selected') === 'true');
    (selected ?? options[0])?.focus();
  }, [open]);

  const close = (focusButton: boolean) => {
    setOpen(false);
    if (focusButton) buttonRef.current?.focus();
  };

  const apply = async (next: ChosenState, reason = ''): Promise<boolean> => {
    setPending(true);
    try {
      await choose(next, reason);
      return true;
    } catch (err) {
      const detail = errorDetail(err);
      toast.show(t('presence.failed') + (detail ? ` ${detail}` : ''), 'error');
      return false;
    } finally {
      setPending(false);
    }
  };

  const pick = async (next: ChosenState) => {
    if (next === 'away') {
      setCustom('');
      setOpen('reason');
      if (state !== 'away') await apply('away');
      return;
    }
    close(true);
    if (next !== state) await apply(next);
  };

  const pickReason = async (reason: string) => {
    close(true);
    await apply('away', reason.trim());
  };

  const onListKeyDown = (e: KeyboardEvent) => {
    const nodes = optionNodes(listRef.current);
    const i = nodes.indexOf(document.activeElement as HTMLElement);
    switch (e.key) {
      case 'ArrowDown':
        e.preventDefault();
        nodes[Math.min(nodes.length - 1, i + 1)]?.focus();
        break;
      case 'ArrowUp':
        e.preventDefault();
        nodes[Math.max(0, i - 1)]?.focus();
        break;
      case 'Home':
        e.preventDefault();
        nodes[0]?.focus();
        break;
      case 'End':
        e.preventDefault();
        nodes[nodes.length - 1]?.focus();
        break;
      case 'Escape':
        e.preventDefault();
        close(true);
        break;
      case 'Tab':
        setOpen(false);
        break;
    }
  };

  const onSubmitCustom = (e: FormEvent) => {
    e.preventDefault();
    void pickReason(custom);
  };

  return (
    <div className="state-switch" ref={rootRef}>
      <button
        ref={buttonRef}
        type="button"
        role="combobox"
        aria-label={t('presence.label')}
        aria-haspopup="listbox"
        aria-expanded={open === 'state'}
        aria-controls={open === 'state' ? popupId : undefined}
        className={`state-switch__button state--${state ?? 'unknown'}`}
        disabled={pending && !open}
        onClick={() => (open ? setOpen(false) : setOpen('state'))}
        onKeyDown={(e) => {
          if ((e.key === 'ArrowDown' || e.key === 'ArrowUp') && !open) {
            e.preventDefault();
            setOpen('state');
          }
        }}
      >
        <span className="state-dot" aria-hidden="true" />
        <span className="state-switch__value">{stateText}</span>
        {state === 'away' && presence?.reason && <span className="state-switch__reason">· {presence.reason}</span>}
        <span className="state-switch__caret" aria-hidden="true">
          ▾
        </span>
      </button>
      {open === 'state' && (
        <ul ref={listRef} id={popupId} role="listbox" aria-label={t('presence.label')} className="state-switch__popup" onKeyDown={onListKeyDown}>
          {CHOICES.map((choice) => (
            <li
              key={choice}
              role="option"
              tabIndex={-1}
              aria-selected={current === choice}
              className={`state-switch__option state--${choice}`}
              onClick={() => void pick(choice)}
              onKeyDown={(e) => {
                if (e.key === 'Enter' || e.key === ' ') {
                  e.preventDefault();
                  void pick(choice);
                }
              }}
            >
              <span className="state-dot" aria-hidden="true" />
              {t(`presence.states.${choice}`)}
            </li>
          ))}
        </ul>
      )}
      {open === 'reason' && (
        <div
          role="group"
          aria-label={t('presence.reasonTitle')}
          className="state-switch__popup state-switch__reasons"
          onKeyDown={(e) => {
            if (e.key === 'Escape') {
              e.preventDefault();
              close(true);
            }
          }}
        >
          <p className="state-switch__heading">{t('presence.reasonTitle')}</p>
          <div className="state-switch__chips">
            {AWAY_REASONS.map((key) => {
              const text = t(`presence.reasons.${key}`);
              return (
                <button
                  key={key}
                  type="button"
                  className="btn btn--secondary btn--small"
                  aria-pressed={state === 'away' && presence?.reason === text}
                  disabled={pending}
                  onClick={() => void pickReason(text)}
                  autoFocus={key === 'lunch'}
                >
                  {text}
                </button>
              );
            })}
          </div>
          <form className="state-switch__custom" onSubmit={onSubmitCustom}>
            <label htmlFor={customId} className="visually-hidden">
              {t('presence.customReason')}
            </label>
            <input
              id={customId}
              className="input input--small"
              maxLength={200}
              placeholder={t('presence.customReason')}
              value={custom}
              onChange={(e) => setCustom(e.target.value)}
            />
            <button type="submit" className="btn btn--primary btn--small" disabled={pending || custom.trim() === ''}>
              {t('common.save')}
            </button>
          </form>
          <button type="button" className="btn btn--ghost btn--small state-switch__skip" onClick={() => close(true)}>
            {t('presence.noReason')}
          </button>
        </div>
      )}
    </div>
  );
}

function optionNodes(list: HTMLElement | null): HTMLElement[] {
  return list ? Array.from(list.querySelectorAll<HTMLElement>('[role="option"]')) : [];
}
