import { renderSelected } from '../views';
import { defineCommand } from './command';

export const selected = defineCommand({ name: 'selected', handle: (ctx) => renderSelected(ctx, 1) });
