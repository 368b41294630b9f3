import { defineCommand } from './command';
import { openChange, specOf } from './change-command';

export const revoke = defineCommand({ name: 'revoke', handle: (ctx, cmd) => openChange(ctx, specOf(cmd)) });
