import { render } from 'preact';
import '../shared/styles.css';
import './admin.css';
import { AdminApp } from './App';

/** The artisan's back office (/admin): one page app on the shared foundations (typed client, components). */
const root = document.getElementById('app')!;
// The static "Chargement…" placeholder goes: Preact does not take over markup it did not render.
root.replaceChildren();
render(<AdminApp />, root);
