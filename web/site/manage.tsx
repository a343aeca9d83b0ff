import { render } from 'preact';
import '../shared/styles.css';

function ManagePage() {
  return (
    <main class="wrap">
      <h1>Gérer mon rendez-vous</h1>
    </main>
  );
}

render(<ManagePage />, document.getElementById('app')!);
