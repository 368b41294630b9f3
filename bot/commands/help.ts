import { helpCard } from '../../cards/simple-cards';
import { labels } from '../../cards/i18n';
import { defineCommand } from './command';

export const help = defineCommand({ name: 'help', handle: async (ctx) => helpCard(ctx.lang) });

/** Text the bot does not understand gets help, saying what was not understood. */
export const unknown = defineCommand({
  name: 'unknown',
  handle: async (ctx, cmd) => helpCard(ctx.lang, cmd.text ? labels[ctx.lang].didNotUnderstand(cmd.text.slice(0, 100)) : ''),
});
