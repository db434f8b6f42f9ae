import { useEffect, useId, useRef, useState } from 'react';
import { useTranslation } from 'react-i18next';
import { useDebouncedValue } from '../../../lib/use-debounced-value';

export const SEARCH_DEBOUNCE_MS = 250;

interface ClientSearchBoxProps {
  value: string;
  onSearch: (q: string) => void;
}

/** ClientSearchBox searches as the user types, once typing pauses for a quarter of a second. */
export function ClientSearchBox({ value, onSearch }: ClientSearchBoxProps) {
  const { t } = useTranslation();
  const id = useId();
  const [text, setText] = useState(value);
  const debounced = useDebouncedValue(text, SEARCH_DEBOUNCE_MS);
  const lastSent = useRef(value);

  // The URL changed by itself (reset, back button): show what it says.
  useEffect(() => {
    if (value !== lastSent.current) {
      lastSent.current = value;
      setText(value);
    }
  }, [value]);

  useEffect(() => {
    if (debounced !== lastSent.current) {
      lastSent.current = debounced;
      onSearch(debounced);
    }
  }, [debounced, onSearch]);

  return (
    <div className="field search-box">
      <label htmlFor={id} className="field__label">
        {t('clients.search')}
      </label>
      <input
        id={id}
        type="search"
        className="input search-box__input"
        placeholder={t('clients.searchPlaceholder')}
        value={text}
        onChange={(e) => setText(e.target.value)}
        autoComplete="off"
        spellCheck={false}
      />
    </div>
  );
}
