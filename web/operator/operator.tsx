import { render } from 'preact';
import '../shared/styles.css';
import '../admin/admin.css';
import './operator.css';
import { mountRoot } from '../shared/embed';
import { OperatorApp } from './App';

/** The operator's console (/operator): the company running the instance, apart from the artisans' back office. */
render(<OperatorApp />, mountRoot());
