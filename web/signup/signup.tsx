import { render } from 'preact';
import '../shared/styles.css';
import '../admin/admin.css';
import { mountRoot } from '../shared/embed';
import { SignupApp } from './App';

/** Self-service sign-up (/inscription) and its confirmation link (/inscription/confirmer). */
render(<SignupApp />, mountRoot());
