/**
 * Brings the next step of a page into view (the slots after a day, the form after a slot, the
 * bank's step after paying): on a phone it opens below the fold otherwise. Smooth unless the
 * visitor asked for reduced motion.
 */
export function reveal(el: Element | null | undefined, block: ScrollLogicalPosition = 'start'): void {
  if (!el || typeof el.scrollIntoView !== 'function') return;
  const reduce = typeof window.matchMedia === 'function' && window.matchMedia('(prefers-reduced-motion: reduce)').matches;
  el.scrollIntoView({ behavior: reduce ? 'auto' : 'smooth', block });
}

/** Moves the focus to a control without the browser's jump, then reveals it (see reveal). */
export function focusAndReveal(el: HTMLElement | null | undefined, block: ScrollLogicalPosition = 'center'): void {
  if (!el) return;
  el.focus({ preventScroll: true });
  reveal(el, block);
}
