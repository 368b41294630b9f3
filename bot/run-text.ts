// A text message → parsed command → its handler; always answered with a card, sent as a new message.
import type { AdaptiveCard } from '../cards/render';
import { commands } from './commands';
import { parseCommand } from './commands/parse';
import type { HandlerContext } from './context';
import { guard } from './guard';

export async function runText(ctx: HandlerContext, text: string): Promise<AdaptiveCard> {
  const { command, lang } = parseCommand(text);
  // Someone who types German gets German, whatever their client's locale.
  const c = lang && lang !== ctx.lang ? { ...ctx, lang } : ctx;
  return guard(c, () => commands[command.name].handle(c, command as never));
}
