import { defineCommand } from './command';
import { openChange, specOf } from './change-command';

export const assign = defineCommand({ name: 'assign', handle: (ctx, cmd) => openChange(ctx, specOf(cmd)) });
