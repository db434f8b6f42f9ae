/** isTvMode tells the wallboard's TV mode from the URL (/wallboard?tv=1); the layout hides its header for it. */
export function isTvMode(pathname: string, search: URLSearchParams): boolean {
  return pathname.replace(/\/+$/, '') === '/wallboard' && search.get('tv') === '1';
}
