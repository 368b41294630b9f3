import { changeSelection, pageTicksSchema } from '../selection';
import { renderUsers } from '../views';
import { defineAction } from './action';

export const clearSelection = defineAction({
  verb: 'clearSelection',
  data: pageTicksSchema,
  async handle(ctx) {
    await changeSelection(ctx, { kind: 'replace', ids: [] }, (s) => ({ ...s, draft: undefined }));
    return { card: await renderUsers(ctx, 'stay') };
  },
});
