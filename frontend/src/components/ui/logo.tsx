/** Logo is the Warmline mark; decorative, the name is written beside it. */
export function Logo() {
  return (
    <span className="logo" aria-hidden="true">
      <svg viewBox="0 0 32 32" width="28" height="28" focusable="false">
        <rect width="32" height="32" rx="8" fill="currentColor" />
        <path d="M7 11l4 11 5-9 5 9 4-11" fill="none" stroke="#fff" strokeWidth="3" strokeLinecap="round" strokeLinejoin="round" />
      </svg>
    </span>
  );
}
