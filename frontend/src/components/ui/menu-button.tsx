import { useCallback, useEffect, useId, useRef, useState, type CSSProperties, type ReactNode } from 'react';

export interface MenuItem {
  key: string;
  label: ReactNode;
  onSelect: () => void;
  disabled?: boolean;
}

interface MenuButtonProps {
  /** The button's visible content. */
  children: ReactNode;
  /** The button's accessible name when its content is an icon. */
  label?: string;
  /** A heading shown at the top of the open menu (not focusable). */
  menuLabel: string;
  items: MenuItem[];
  className?: string;
}

/**
 * MenuButton follows the WAI-ARIA menu button pattern: the arrow keys move
 * between items, Enter or Space picks one, Escape closes and gives focus back.
 * The menu is positioned fixed so scrolling columns do not clip it.
 */
export function MenuButton({ children, label, menuLabel, items, className }: MenuButtonProps) {
  const [open, setOpen] = useState(false);
  const [style, setStyle] = useState<CSSProperties>({});
  const buttonRef = useRef<HTMLButtonElement>(null);
  const menuRef = useRef<HTMLUListElement>(null);
  const menuId = useId();

  const close = useCallback((focusButton: boolean) => {
    setOpen(false);
    if (focusButton) buttonRef.current?.focus();
  }, []);

  const openMenu = useCallback((focus: 'first' | 'last') => {
    const rect = buttonRef.current?.getBoundingClientRect();
    if (rect) {
      const s: CSSProperties = { position: 'fixed', right: Math.max(8, window.innerWidth - rect.right) };
      if (rect.bottom + 260 > window.innerHeight && rect.top > 260) s.bottom = window.innerHeight - rect.top + 4;
      else s.top = rect.bottom + 4;
      setStyle(s);
    }
    setOpen(true);
    window.requestAnimationFrame(() => {
      const nodes = menuItems(menuRef.current);
      (focus === 'first' ? nodes[0] : nodes[nodes.length - 1])?.focus();
    });
  }, []);

  useEffect(() => {
    if (!open) return;
    const onPointerDown = (e: PointerEvent) => {
      const target = e.target as Node;
      if (!menuRef.current?.contains(target) && !buttonRef.current?.contains(target)) close(false);
    };
    const onScroll = (e: Event) => {
      if (!menuRef.current?.contains(e.target as Node)) close(false);
    };
    const onResize = () => close(false);
    document.addEventListener('pointerdown', onPointerDown);
    window.addEventListener('scroll', onScroll, true);
    window.addEventListener('resize', onResize);
    return () => {
      document.removeEventListener('pointerdown', onPointerDown);
      window.removeEventListener('scroll', onScroll, true);
      window.removeEventListener('resize', onResize);
    };
  }, [open, close]);

  const onMenuKeyDown = (e: React.KeyboardEvent) => {
    const nodes = menuItems(menuRef.current);
    const index = nodes.indexOf(document.activeElement as HTMLElement);
    switch (e.key) {
      case 'ArrowDown':
        e.preventDefault();
        nodes[(index + 1) % nodes.length]?.focus();
        break;
      case 'ArrowUp':
        e.preventDefault();
        nodes[(index - 1 + nodes.length) % nodes.length]?.focus();
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
        e.stopPropagation();
        close(true);
        break;
      case 'Tab':
        close(false);
        break;
    }
  };

  return (
    <>
      <button
        ref={buttonRef}
        type="button"
        className={className ?? 'btn btn--ghost btn--small'}
        aria-haspopup="menu"
        aria-expanded={open}
        aria-controls={open ? menuId : undefined}
        aria-label={label}
        onClick={() => (open ? close(false) : openMenu('first'))}
        onKeyDown={(e) => {
          if (e.key === 'ArrowDown') {
            e.preventDefault();
            openMenu('first');
          } else if (e.key === 'ArrowUp') {
            e.preventDefault();
            openMenu('last');
          }
        }}
      >
        {children}
      </button>
      {open && (
        <ul ref={menuRef} id={menuId} role="menu" aria-label={menuLabel} className="menu" style={style} onKeyDown={onMenuKeyDown}>
          <li role="presentation" className="menu__heading" aria-hidden="true">
            {menuLabel}
          </li>
          {items.map((item) => (
            <li
              key={item.key}
              role="menuitem"
              tabIndex={-1}
              aria-disabled={item.disabled || undefined}
              className="menu__item"
              onClick={() => {
                if (item.disabled) return;
                close(true);
                item.onSelect();
              }}
              onKeyDown={(e) => {
                if ((e.key === 'Enter' || e.key === ' ') && !item.disabled) {
                  e.preventDefault();
                  close(true);
                  item.onSelect();
                }
              }}
            >
              {item.label}
            </li>
          ))}
        </ul>
      )}
    </>
  );
}

function menuItems(menu: HTMLElement | null): HTMLElement[] {
  if (!menu) return [];
  return Array.from(menu.querySelectorAll<HTMLElement>('[role="menuitem"]:not([aria-disabled="true"])'));
}
