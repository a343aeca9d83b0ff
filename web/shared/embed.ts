/**
 * Inside the artisan's own site (an iframe from the embed snippet, `?embed=1`): tell the
 * parent page the content's height whenever it changes, so the iframe sizes itself. Only the
 * height is sent; the snippet checks the message comes from this origin.
 */
export function startEmbedding(): void {
  if (window.parent === window || !new URLSearchParams(location.search).has('embed')) return;
  document.documentElement.classList.add('embedded');
  let last = 0;
  const send = () => {
    const height = Math.ceil(document.documentElement.scrollHeight);
    if (height === last) return;
    last = height;
    window.parent.postMessage({ type: 'artisanconnect:height', height }, '*');
  };
  new ResizeObserver(send).observe(document.body);
  send();
}

/** Mounts an app in #app, replacing the "Chargement…" placeholder the HTML carries. */
export function mountRoot(): HTMLElement {
  const root = document.getElementById('app')!;
  root.textContent = '';
  return root;
}
