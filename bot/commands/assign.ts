import { defineCommand } from './command';
import { openChange } from './change-command';

export const assign = defineCommand({ name: 'assign', handle: openChange });
