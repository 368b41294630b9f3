import { renderManage } from '../views';
import { defineCommand } from './command';

export const licenses = defineCommand({
  name: 'licenses',
  async handle(ctx) {
    await ctx.updateSession((s) => ({ ...s, draft: undefined }));
    return renderManage(ctx);
  },
});
