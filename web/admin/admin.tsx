import { render } from 'preact';
import '../shared/styles.css';
import './admin.css';
import { mountRoot } from '../shared/embed';
import { AdminApp } from './App';

/** The artisan's back office (/admin): one page app on the shared foundations (typed client, components). */
render(<AdminApp />, mountRoot());
