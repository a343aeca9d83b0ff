import { fileURLToPath } from 'node:url';
import { defineConfig } from 'vite';

const here = (path: string) => fileURLToPath(new URL(path, import.meta.url));

/**
 * Three apps, one build: the customer's site (booking page, manage page), the artisan's back
 * office and the operator's console (/operator), sharing `shared/` (typed API client, components, formatting). Output in web/dist
 * (never committed), served by Fastify (src/adapters/http/routes/web-pages.ts).
 */
export default defineConfig({
  root: here('.'),
  base: '/',
  // Copied as is: embed.js (the snippet's script, a stable address for other sites).
  publicDir: here('static'),
  // Preact's automatic JSX runtime (no Babel): the transform Vite ships with.
  oxc: { jsx: { runtime: 'automatic', importSource: 'preact' } },
  resolve: { alias: { react: 'preact/compat', 'react-dom': 'preact/compat' } },
  build: {
    outDir: here('dist'),
    emptyOutDir: true,
    target: 'es2022',
    // No inline scripts or styles: the CSP allows own-origin files only.
    assetsInlineLimit: 0,
    modulePreload: { polyfill: false },
    reportCompressedSize: false,
    rollupOptions: {
      input: {
        booking: here('site/booking.html'),
        manage: here('site/manage.html'),
        admin: here('admin/index.html'),
        operator: here('operator/index.html'),
        signup: here('signup/index.html'),
      },
    },
  },
});
