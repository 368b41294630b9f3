import { z } from 'zod';
import { runText } from '../run-text';
import { defineAction } from './action';

/** A choice button (ambiguous name) runs the command with the name resolved. */
export const runCommand = defineAction({
  verb: 'runCommand',
  data: z.object({ text: z.string().min(1).max(500) }),
  async handle(ctx, data) {
    return { card: await runText(ctx, data.text) };
  },
});
