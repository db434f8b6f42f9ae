import { useEffect, useId, useRef, type FormEvent } from 'react';
import { useTranslation } from 'react-i18next';

/** The keys of a phone, with the test id suffix of each. */
const KEYS: readonly { key: string; id: string; letters: string }[] = [
  { key: '1', id: '1', letters: '' },
  { key: '2', id: '2', letters: 'ABC' },
  { key: '3', id: '3', letters: 'DEF' },
  { key: '4', id: '4', letters: 'GHI' },
  { key: '5', id: '5', letters: 'JKL' },
  { key: '6', id: '6', letters: 'MNO' },
  { key: '7', id: '7', letters: 'PQRS' },
  { key: '8', id: '8', letters: 'TUV' },
  { key: '9', id: '9', letters: 'WXYZ' },
  { key: '*', id: 'star', letters: '' },
  { key: '0', id: '0', letters: '+' },
  { key: '#', id: 'hash', letters: '' },
];

const DIGIT = /^[0-9*#]$/;

interface DialPadProps {
  value: string;
  onChange: (value: string) => void;
  /** inCall: keys send DTMF (onTone) instead of typing the number. */
  inCall: boolean;
  onTone: (digit: string) => void;
  onCall: () => void;
  /** The digits sent during this call, shown under the input. */
  sentTones: string;
  disabled: boolean;
  /** Listen to the keyboard anywhere on the page (outside other fields). */
  keyboard: boolean;
}

/**
 * DialPad types a number to call or, during a call, sends DTMF. Digits
 * typed on the keyboard work too, anywhere outside another field.
 */
export function DialPad({ value, onChange, inCall, onTone, onCall, sentTones, disabled, keyboard }: DialPadProps) {
  const { t } = useTranslation();
  const inputRef = useRef<HTMLInputElement>(null);
  const inputId = useId();
  const press = (digit: string) => {
    if (disabled) return;
    if (inCall) onTone(digit);
    else onChange(value + digit);
  };
  const pressRef = useRef(press);
  pressRef.current = press;

  useEffect(() => {
    if (!keyboard) return;
    const onKey = (e: KeyboardEvent) => {
      if (e.ctrlKey || e.metaKey || e.altKey || !DIGIT.test(e.key)) return;
      const target = e.target as HTMLElement | null;
      if (target && target !== inputRef.current && isEditable(target)) return;
      if (target === inputRef.current && !inCallRef.current) return; // the input types by itself
      e.preventDefault();
      pressRef.current(e.key);
    };
    document.addEventListener('keydown', onKey);
    return () => document.removeEventListener('keydown', onKey);
  }, [keyboard]);
  const inCallRef = useRef(inCall);
  inCallRef.current = inCall;

  const submit = (e: FormEvent) => {
    e.preventDefault();
    if (!inCall && value.trim()) onCall();
  };

  return (
    <form className="dialpad" onSubmit={submit} aria-label={t('phone.dialpad.label')}>
      <div className="dialpad__display">
        <label htmlFor={inputId} className="visually-hidden">
          {t('phone.dialpad.number')}
        </label>
        <input
          ref={inputRef}
          id={inputId}
          data-testid="dialpad-input"
          className="input dialpad__input"
          type="tel"
          inputMode="tel"
          autoComplete="off"
          placeholder={inCall ? t('phone.dialpad.tonesHint') : t('phone.dialpad.placeholder')}
          value={inCall ? sentTones : value}
          readOnly={inCall}
          disabled={disabled}
          onChange={(e) => onChange(e.target.value.replace(/[^0-9+*#()\- ]/g, ''))}
        />
        {!inCall && value && (
          <button
            type="button"
            className="btn btn--ghost btn--icon dialpad__erase"
            aria-label={t('phone.dialpad.erase')}
            onClick={() => onChange(value.slice(0, -1))}
          >
            ⌫
          </button>
        )}
      </div>
      <div className="dialpad__keys">
        {KEYS.map((k) => (
          <button
            key={k.id}
            type="button"
            className="dialpad__key"
            data-testid={`dialpad-key-${k.id}`}
            disabled={disabled}
            onClick={() => press(k.key)}
          >
            <span className="dialpad__digit">{k.key}</span>
            <span className="dialpad__letters" aria-hidden="true">
              {k.letters}
            </span>
          </button>
        ))}
      </div>
      {!inCall && (
        <button type="submit" className="btn btn--call btn--block" data-testid="dialpad-call" disabled={disabled || !value.trim()}>
          {t('phone.dialpad.call')}
        </button>
      )}
    </form>
  );
}

function isEditable(el: HTMLElement): boolean {
  const tag = el.tagName;
  return tag === 'INPUT' || tag === 'TEXTAREA' || tag === 'SELECT' || el.isContentEditable;
}
