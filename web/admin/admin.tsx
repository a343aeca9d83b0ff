import { render } from 'preact';
import '../shared/styles.css';
import { mountRoot } from '../shared/embed';

/** The artisan's back office: built on the same foundations (shared/), by the back-office issue. */
function AdminApp() {
  return (
    <>
      <header class="site">
        <div class="wrap">
          <h1>Espace artisan</h1>
        </div>
      </header>
      <main class="wrap">
        <p>L’espace artisan arrive bientôt. En attendant, l’API d’administration est décrite dans la <a href="/api/docs/">documentation de l’API</a>.</p>
      </main>
    </>
  );
}

render(<AdminApp />, mountRoot());
