import { useEffect } from 'react';

/** Ctrl/⌘ + these keys: print, save, copy, cut, select all, view source… all refused. */
const BLOCKED_KEYS = new Set(['p', 's', 'c', 'x', 'a', 'u', 'o']);

/** Whether a key press is one the booth refuses (exported for tests). */
export function isBlockedShortcut(event: Pick<KeyboardEvent, 'key' | 'ctrlKey' | 'metaKey' | 'altKey'>, inEditable: boolean): boolean {
  if (event.key === 'PrintScreen') return true;
  if (!(event.ctrlKey || event.metaKey)) return false;
  const key = event.key.toLowerCase();
  // In a text field (search, score notes) the expert may copy, cut and select what they typed.
  if (inEditable && (key === 'c' || key === 'x' || key === 'a' || key === 'v')) return false;
  return BLOCKED_KEYS.has(key);
}

function isEditable(target: EventTarget | null): boolean {
  return target instanceof HTMLElement && (target.isContentEditable || target.tagName === 'INPUT' || target.tagName === 'TEXTAREA');
}

/**
 * The booth screen's guards against taking a tender file away: no context menu, no dragging, no copy
 * or cut outside text fields, no print/save shortcuts; `window.print` does nothing. The print
 * stylesheet (booth.css) blanks the page if printing is reached some other way. The real boundary is
 * that the renderer holds only watermarked page images; these guards close the easy paths.
 */
export function useNoCopyGuards(): void {
  useEffect(() => {
    const onKey = (event: KeyboardEvent) => {
      if (isBlockedShortcut(event, isEditable(event.target))) {
        event.preventDefault();
        event.stopPropagation();
      }
    };
    const refuse = (event: Event) => event.preventDefault();
    const refuseOutsideFields = (event: Event) => {
      if (!isEditable(event.target)) event.preventDefault();
    };
    window.addEventListener('keydown', onKey, true);
    window.addEventListener('contextmenu', refuse, true);
    window.addEventListener('dragstart', refuse, true);
    window.addEventListener('copy', refuseOutsideFields, true);
    window.addEventListener('cut', refuseOutsideFields, true);
    window.addEventListener('selectstart', refuseOutsideFields, true);
    const print = window.print;
    window.print = () => {};
    return () => {
      window.removeEventListener('keydown', onKey, true);
      window.removeEventListener('contextmenu', refuse, true);
      window.removeEventListener('dragstart', refuse, true);
      window.removeEventListener('copy', refuseOutsideFields, true);
      window.removeEventListener('cut', refuseOutsideFields, true);
      window.removeEventListener('selectstart', refuseOutsideFields, true);
      window.print = print;
    };
  }, []);
}
