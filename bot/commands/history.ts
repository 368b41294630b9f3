import { renderHistory } from '../views';
import { defineCommand } from './command';

export const history = defineCommand({ name: 'history', handle: (ctx) => renderHistory(ctx) });
