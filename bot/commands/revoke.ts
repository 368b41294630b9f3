import { defineCommand } from './command';
import { openChange } from './change-command';

export const revoke = defineCommand({ name: 'revoke', handle: openChange });
